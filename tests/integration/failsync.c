/* failsync.c — an LD_PRELOAD shim for tests: fsync and fdatasync fail with EIO while a trigger
 * file says so, as a failing disk's flush does, and every call is logged. The write itself
 * reaches the file (the page cache) as on a real disk whose flush failed.
 *
 *   CP_FAILSYNC_FILE  path of the trigger: absent = pass every flush; "all" = fail every one;
 *                     a number N = fail the next N (the file counts down), then pass
 *   CP_FAILSYNC_LOG   optional path: one line per flush, "fail" or "pass" and the name of the
 *                     file flushed (its last path component), appended */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void note(const char *what)
{
	const char *log = getenv("CP_FAILSYNC_LOG");
	int fd;

	if (!log || !*log)
		return;
	fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, what, strlen(what)) < 0) {
		/* a test tool: a lost log line shows as a missing count */
	}
	close(fd);
}

/* True when this flush must fail; counts the trigger down. */
static int must_fail(void)
{
	const char *path = getenv("CP_FAILSYNC_FILE");
	char buf[32];
	ssize_t n;
	long left;
	int fd;

	if (!path || !*path || (fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (strncmp(buf, "all", 3) == 0) {
		close(fd);
		return 1;
	}
	left = strtol(buf, NULL, 10);
	if (left > 0) {
		int len = snprintf(buf, sizeof(buf), "%ld\n", left - 1);

		if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)len, 0) != len)
			left = 0;
	}
	close(fd);
	return left > 0;
}

/* "pass till.db-wal\n": what happened and to which file (bench_flush.sh counts by file). */
static void note_fd(const char *what, int fd)
{
	char link[64], path[512], line[600];
	const char *base;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = '\0';
	base = strrchr(path, '/');
	snprintf(line, sizeof(line), "%s %s\n", what, base ? base + 1 : path);
	note(line);
}

static int flush(int fd, const char *name)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, name);

	if (must_fail()) {
		note_fd("fail", fd);
		errno = EIO;
		return -1;
	}
	note_fd("pass", fd);
	return real ? real(fd) : 0;
}

int fsync(int fd)
{
	return flush(fd, "fsync");
}

int fdatasync(int fd)
{
	return flush(fd, "fdatasync");
}
