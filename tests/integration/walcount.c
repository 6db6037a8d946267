/* walcount.c — an LD_PRELOAD shim for tests and the sync benchmark: counts the bytes a process
 * writes to SQLite's write-ahead logs (files whose name ends in "-wal") and to SQLite's
 * temporary files (statement journals and the like, named "etilqs_..."), through the
 * descriptors it opened with open(), and its fsync/fdatasync calls. At exit it appends
 * "wal_bytes=N wal_writes=N temp_bytes=N flushes=N" to the file CP_WALCOUNT_OUT. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long long wal_bytes, wal_writes, temp_bytes, flushes;
#define MAX_FD 4096
enum { OTHER, WAL, TEMP };
static unsigned char kind[MAX_FD]; /* what each descriptor was opened on */

static void opened(int fd, const char *path)
{
	size_t n = path ? strlen(path) : 0;

	if (fd < 0 || fd >= MAX_FD)
		return;
	kind[fd] = OTHER;
	if (n >= 4 && strcmp(path + n - 4, "-wal") == 0)
		kind[fd] = WAL;
	else if (n && strstr(path, "etilqs_"))
		kind[fd] = TEMP;
}

static int kind_of(int fd)
{
	return fd >= 0 && fd < MAX_FD ? kind[fd] : OTHER;
}

#define OPEN_LIKE(name)                                                                            \
	int name(const char *path, int flags, ...)                                                 \
	{                                                                                          \
		static int (*real)(const char *, int, ...);                                        \
		mode_t mode = 0;                                                                   \
		va_list ap;                                                                        \
		int fd;                                                                            \
                                                                                                   \
		if (!real)                                                                         \
			real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #name);           \
		va_start(ap, flags);                                                               \
		if (flags & (O_CREAT | O_TMPFILE))                                                 \
			mode = va_arg(ap, mode_t);                                                 \
		va_end(ap);                                                                        \
		fd = real(path, flags, mode);                                                      \
		opened(fd, path);                                                                  \
		return fd;                                                                         \
	}
OPEN_LIKE(open)
OPEN_LIKE(open64)

int close(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "close");
	opened(fd, NULL);
	return real(fd);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);
	ssize_t n;

	if (!real)
		real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
	n = real(fd, buf, count, offset);
	if (n > 0 && kind_of(fd) == WAL) {
		wal_bytes += (unsigned long long)n;
		wal_writes++;
	} else if (n > 0 && kind_of(fd) == TEMP) {
		temp_bytes += (unsigned long long)n;
	}
	return n;
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	return pwrite64(fd, buf, count, offset);
}

int fdatasync(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	flushes++;
	return real(fd);
}

int fsync(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	flushes++;
	return real(fd);
}

__attribute__((destructor)) static void report(void)
{
	const char *out = getenv("CP_WALCOUNT_OUT");
	FILE *f;

	if (!out || !*out || !(f = fopen(out, "a")))
		return;
	fprintf(f, "wal_bytes=%llu wal_writes=%llu temp_bytes=%llu flushes=%llu\n", wal_bytes,
		wal_writes, temp_bytes, flushes);
	fclose(f);
}
