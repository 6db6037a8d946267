/* log.c — the process log: one record per line, written with a single write() to a file opened
 * for appending (or stderr), with the message's control characters made harmless so that a
 * scanner burst or a hostile name cannot forge or break lines. */
#include "cp_log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cp_clock.h"
#include "cp_paths.h"

#define RECORD 2048

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1; /* -1: stderr */
static enum cp_log_level min_level = CP_LOG_INFO;

const char *cp_log_level_name(enum cp_log_level level)
{
	switch (level) {
	case CP_LOG_DEBUG:
		return "DEBUG";
	case CP_LOG_INFO:
		return "INFO";
	case CP_LOG_WARN:
		return "WARN";
	case CP_LOG_ERROR:
		return "ERROR";
	}
	return "?";
}

enum cp_err cp_log_open(const char *path, struct cp_errbuf *err)
{
	int fd = -1;

	if (path) {
		fd = cp_paths_open_file(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0)
			return cp_errf(err, CP_EIO, "cannot open the log file %s: %s", path,
				       strerror(errno));
	}
	pthread_mutex_lock(&lock);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	pthread_mutex_unlock(&lock);
	return CP_OK;
}

void cp_log_set_level(enum cp_log_level level)
{
	pthread_mutex_lock(&lock);
	min_level = level;
	pthread_mutex_unlock(&lock);
}

void cp_log_close(void)
{
	pthread_mutex_lock(&lock);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	pthread_mutex_unlock(&lock);
}

/* C0 controls and DEL become '?', and so do C1 controls (U+0080..U+009F, two bytes each). */
static size_t sanitise(char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			s[o++] = '?';
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			s[o++] = '?';
		} else {
			s[o++] = (char)c;
		}
	}
	return o;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* nowhere left to report a failing log */
		buf += n;
		len -= (size_t)n;
	}
}

void cp_log(enum cp_log_level level, const char *fmt, ...)
{
	char rec[RECORD + 64], ts[32];
	size_t head, len, room;
	va_list ap;
	int n;

	pthread_mutex_lock(&lock);
	if (level < min_level) {
		pthread_mutex_unlock(&lock);
		return;
	}
	pthread_mutex_unlock(&lock);
	cp_clock_iso(cp_clock_now(NULL), ts);
	n = snprintf(rec, sizeof(rec), "%s %s ", ts, cp_log_level_name(level));
	head = n > 0 ? (size_t)n : 0;
	room = RECORD - head;
	va_start(ap, fmt);
	n = vsnprintf(rec + head, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	len = (size_t)n < room ? (size_t)n : room - 1;
	if ((size_t)n >= room) {
		/* Cut at a character boundary, then mark the cut. */
		while (len > 0 && ((unsigned char)rec[head + len - 1] & 0xc0) == 0x80)
			len--;
		if (len > 0 && (unsigned char)rec[head + len - 1] >= 0xc0)
			len--;
		memcpy(rec + head + len, "...", 3);
		len += 3;
	}
	len = head + sanitise(rec + head, len);
	rec[len++] = '\n';
	pthread_mutex_lock(&lock);
	write_all(log_fd >= 0 ? log_fd : STDERR_FILENO, rec, len);
	pthread_mutex_unlock(&lock);
}
