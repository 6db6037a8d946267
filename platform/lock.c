/* lock.c — flock(LOCK_EX|LOCK_NB) on a lock file holding the owner's pid: how the sync daemon
 * makes sure it runs once per database. The pid is for the message only; the lock is the
 * kernel's, so a crashed owner never blocks its successor. */
#include "cp_lock.h"
#include "cp_paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* The pid the holder wrote, or 0 when it cannot be read. */
static long holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *end;
	long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	return (end != buf && pid > 0) ? pid : 0;
}

enum cp_err cp_lock_try(const char *path, int *fd, const char *what, struct cp_errbuf *err)
{
	char pid[32];
	int f, n;
	long other;

	*fd = -1;
	if (!what)
		what = "another process";
	f = cp_paths_open_file(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (f < 0)
		return cp_errf(err, CP_EIO, "cannot open the lock file %s: %s", path,
			       strerror(errno));
	if (flock(f, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		if (e == EWOULDBLOCK || e == EINTR) {
			other = holder_pid(f);
			close(f);
			if (other)
				return cp_errf(err, CP_EBUSY, "%s (pid %ld; lock file %s)", what,
					       other, path);
			return cp_errf(err, CP_EBUSY, "%s (lock file %s)", what, path);
		}
		close(f);
		return cp_errf(err, CP_EIO, "cannot lock %s: %s", path, strerror(e));
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(f, 0) != 0 || pwrite(f, pid, (size_t)n, 0) != n) {
		int e = errno;

		close(f);
		return cp_errf(err, CP_EIO, "cannot write the lock file %s: %s", path, strerror(e));
	}
	*fd = f;
	return CP_OK;
}

void cp_lock_release(int fd)
{
	if (fd < 0)
		return;
	flock(fd, LOCK_UN);
	close(fd);
}
