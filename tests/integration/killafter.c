/* killafter.c — an LD_PRELOAD shim for tests: the process is killed (SIGKILL, as a power cut
 * or the OOM killer ends it) just before its Nth call that changes a file: write, pwrite,
 * pwrite64, ftruncate, fsync, fdatasync, rename or unlink. Counting calls instead of waiting
 * makes every kill point reachable and every run repeatable.
 *
 *   CP_KILLAFTER_N      N (1 = before the first such call); unset or 0 = never
 *   CP_KILLAFTER_COUNT  optional path: at exit, the number of such calls is written there */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

static long calls;

static void step(void)
{
	const char *n = getenv("CP_KILLAFTER_N");
	long at = n ? strtol(n, NULL, 10) : 0;

	if (++calls >= at && at > 0)
		raise(SIGKILL);
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("CP_KILLAFTER_COUNT");
	FILE *f = path && *path ? fopen(path, "w") : NULL;

	if (f) {
		fprintf(f, "%ld\n", calls);
		fclose(f);
	}
}

ssize_t write(int fd, const void *buf, size_t n)
{
	step();
	return REAL("write", ssize_t(*)(int, const void *, size_t))(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	step();
	return REAL("pwrite", ssize_t(*)(int, const void *, size_t, off_t))(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	step();
	return REAL("pwrite64", ssize_t(*)(int, const void *, size_t, off64_t))(fd, buf, n, off);
}

int ftruncate(int fd, off_t len)
{
	step();
	return REAL("ftruncate", int (*)(int, off_t))(fd, len);
}

int fsync(int fd)
{
	step();
	return REAL("fsync", int (*)(int))(fd);
}

int fdatasync(int fd)
{
	step();
	return REAL("fdatasync", int (*)(int))(fd);
}

int rename(const char *from, const char *to)
{
	step();
	return REAL("rename", int (*)(const char *, const char *))(from, to);
}

int unlink(const char *path)
{
	step();
	return REAL("unlink", int (*)(const char *))(path);
}
