/* printer.c — ESC/POS receipts: the text converted to GB18030 with iconv between an initialise
 * and a cut, written to a printer device without ever blocking (a bounded wait for a busy or
 * paperless printer) or appended to a file, on the caller's thread or a detached one. */
#include "cp_printer.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char esc_init[] = {0x1b, 0x40};            /* ESC @: initialise */
static const char feed_cut[] = {'\n', '\n', '\n', '\n', /* past the cutter */
				0x1d, 0x56, 0x00};      /* GS V 0: full cut */
static const char *const kept = CP_WORD("the receipt is kept for reprint");

/* One print at a time per process: two receipts must never interleave on the paper. */
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Length of the valid UTF-8 sequence at s (no overlongs, surrogates or values past U+10FFFF),
 * or 0. *cp gets the code point. */
static int utf8_seq(const unsigned char *s, uint32_t *cp)
{
	int n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, *cp = s[0] & 0x07;
	else
		return 0;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (*cp < 0x800 || (*cp >= 0xd800 && *cp <= 0xdfff))) ||
	    (n == 4 && (*cp < 0x10000 || *cp > 0x10ffff)))
		return 0;
	return n;
}

/* The whole job as printer bytes: ESC @, text in GB18030, feed, cut. Anything the printer
 * could take as a command (control characters other than '\n') or that is not UTF-8 becomes
 * '?'. */
static enum cp_err encode(const char *text, char **out, size_t *outlen, struct cp_errbuf *err)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text), cap = sizeof(esc_init) + 4 * len + sizeof(feed_cut), o = 0;
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	char *buf;

	if (cd == (iconv_t)-1)
		return cp_errf(
			err, CP_ECONFIG,
			"cannot convert the receipt for the printer: this system has no "
			"GB18030 converter (%s) — call IT to install the iconv/gconv modules; "
			"%s",
			strerror(errno), kept);
	if (!(buf = malloc(cap))) {
		iconv_close(cd);
		return cp_errf(err, CP_ENOMEM, "out of memory preparing the receipt; %s", kept);
	}
	memcpy(buf, esc_init, sizeof(esc_init));
	o = sizeof(esc_init);
	while (*p) {
		uint32_t cp;
		int n = utf8_seq(p, &cp);

		if (n == 0) {
			buf[o++] = '?';
			p++;
		} else if (cp == '\n') {
			buf[o++] = '\n';
			p++;
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			buf[o++] = '?';
			p += n;
		} else if (n == 1) {
			buf[o++] = (char)cp;
			p++;
		} else {
			char *in = (char *)p, *ob = buf + o;
			size_t inleft = (size_t)n, outleft = cap - o - sizeof(feed_cut);

			if (iconv(cd, &in, &inleft, &ob, &outleft) == (size_t)-1 || inleft) {
				iconv(cd, NULL, NULL, NULL, NULL);
				buf[o++] = '?';
			} else {
				o = (size_t)(ob - buf);
			}
			p += n;
		}
	}
	iconv_close(cd);
	memcpy(buf + o, feed_cut, sizeof(feed_cut));
	*out = buf;
	*outlen = o + sizeof(feed_cut);
	return CP_OK;
}

static bool under_dev(const char *path)
{
	return strncmp(path, "/dev/", 5) == 0;
}

static enum cp_err open_failed(const char *path, int e, struct cp_errbuf *err)
{
	switch (e) {
	case ENOENT:
		if (under_dev(path))
			return cp_errf(err, CP_ENOTFOUND,
				       "printer not found at %s — check the cable and that the "
				       "printer is on; %s",
				       path, kept);
		return cp_errf(err, CP_ENOTFOUND,
			       "cannot print to %s: its directory does not exist — check the "
			       "printer's device in the configuration; %s",
			       path, kept);
	case EACCES:
	case EPERM:
	case EROFS:
		return cp_errf(err, CP_EPERM,
			       "no permission to print to %s — ask IT to give the till's user "
			       "access (for example the lp group); %s",
			       path, kept);
	case ENXIO:
	case ENODEV:
		return cp_errf(err, CP_EIO,
			       "the printer at %s is not ready — check that it is switched on and "
			       "connected; %s",
			       path, kept);
	case EBUSY:
		return cp_errf(err, CP_EIO,
			       "the printer at %s is in use by another program — try the reprint "
			       "in a moment; %s",
			       path, kept);
	default:
		return cp_errf(err, CP_EIO, "cannot open the printer at %s (%s); %s", path,
			       strerror(e), kept);
	}
}

/* A printer device (or FIFO) must exist and is never waited on; a file is appended to and
 * created when missing, except under /dev/, where a missing name means a missing printer. */
static enum cp_err open_target(const char *path, int *fd, struct cp_errbuf *err)
{
	struct stat sb;
	int flags = O_WRONLY | O_NOCTTY | O_CLOEXEC;

	if (stat(path, &sb) != 0) {
		if (errno != ENOENT || under_dev(path))
			return open_failed(path, errno, err);
		*fd = open(path, flags | O_APPEND | O_CREAT, 0640);
	} else if (S_ISDIR(sb.st_mode)) {
		return cp_errf(err, CP_ECONFIG,
			       "%s is a directory, not a printer — set the printer's device in the "
			       "configuration to a device like /dev/usb/lp0 or a file; %s",
			       path, kept);
	} else if (S_ISREG(sb.st_mode)) {
		*fd = open(path, flags | O_APPEND);
	} else {
		*fd = open(path, flags | O_NONBLOCK);
	}
	return *fd < 0 ? open_failed(path, errno, err) : CP_OK;
}

static enum cp_err write_failed(const char *path, int e, struct cp_errbuf *err)
{
	switch (e) {
	case ENOSPC:
		return cp_errf(err, CP_EIO,
			       "the printer at %s is out of paper (or the disk is full) — load "
			       "paper and close the cover; %s",
			       path, kept);
	case EPIPE:
	case ENODEV:
	case ENXIO:
		return cp_errf(err, CP_EIO,
			       "the printer at %s went away while printing — check the cable and "
			       "power; %s",
			       path, kept);
	default:
		return cp_errf(err, CP_EIO,
			       "the printer at %s reported an error (%s) — check "
			       "paper, cover and cable; %s",
			       path, strerror(e), kept);
	}
}

/* Writes all of buf before the deadline. A printer that will not take bytes (busy, out of
 * paper, cover open) answers EAGAIN: wait for it in short polls, never past the deadline. */
static enum cp_err write_all(int fd, const char *path, const char *buf, size_t len, int timeout_ms,
			     struct cp_errbuf *err)
{
	int64_t deadline = mono_ms() + timeout_ms;
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);
		int64_t left;
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return write_failed(path, errno, err);
		left = deadline - mono_ms();
		if (left <= 0)
			return cp_errf(err, CP_EIO,
				       "the printer at %s did not take the receipt within %d s — "
				       "check paper, cover and cable; %s",
				       path, (timeout_ms + 999) / 1000, kept);
		if (poll(&pfd, 1, left < 100 ? (int)left : 100) > 0)
			nap_ms(10); /* some devices say "ready" and refuse again at once */
	}
	return CP_OK;
}

/* Takes print_lock, waiting at most timeout_ms for a print in progress. */
static int lock_within(int timeout_ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	return pthread_mutex_timedlock(&print_lock, &until);
}

enum cp_err cp_printer_print_timeout(const char *device_path, const char *utf8_text, int timeout_ms,
				     struct cp_errbuf *err)
{
	sigset_t pipe_set, old_set;
	char *bytes = NULL;
	size_t len = 0;
	int fd = -1;
	enum cp_err result;

	if (!device_path || !device_path[0])
		return cp_errf(err, CP_ECONFIG,
			       "no receipt printer is configured — set the printer's device in the "
			       "configuration; %s",
			       kept);
	if (!utf8_text || strlen(utf8_text) > CP_PRINTER_TEXT_MAX)
		return cp_errf(err, CP_EINVAL,
			       "the receipt text is missing or longer than %d bytes",
			       CP_PRINTER_TEXT_MAX);
	if (timeout_ms < 0)
		timeout_ms = 0;
	if ((result = encode(utf8_text, &bytes, &len, err)) != CP_OK)
		return result;
	/* A FIFO whose reader left raises SIGPIPE: take it as EPIPE on this thread instead. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
	if (lock_within(timeout_ms) != 0) {
		result =
			cp_errf(err, CP_EIO,
				"the printer at %s is still busy with an earlier receipt — try the "
				"reprint in a moment; %s",
				device_path, kept);
	} else {
		if ((result = open_target(device_path, &fd, err)) == CP_OK)
			result = write_all(fd, device_path, bytes, len, timeout_ms, err);
		if (fd >= 0 && close(fd) != 0 && result == CP_OK)
			result = write_failed(device_path, errno, err);
		pthread_mutex_unlock(&print_lock);
	}
	if (!sigismember(&old_set, SIGPIPE)) {
		struct timespec zero = {0, 0};

		while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
			;
		pthread_sigmask(SIG_SETMASK, &old_set, NULL);
	}
	free(bytes);
	return result;
}

enum cp_err cp_printer_print(const char *device_path, const char *utf8_text, struct cp_errbuf *err)
{
	return cp_printer_print_timeout(device_path, utf8_text, CP_PRINTER_TIMEOUT_MS, err);
}

struct job {
	char *path, *text;
	cp_printer_done_fn done;
	void *ctx;
};

/* The print's error while its done callback runs, so that an outcome pushed from there with
 * the print's message keeps the error's id too. */
static _Thread_local const struct cp_errbuf *job_err;

static void *print_thread(void *arg)
{
	struct job *j = arg;
	struct cp_errbuf err = {{0}};
	enum cp_err result = cp_printer_print(j->path, j->text, &err);

	job_err = &err;
	if (j->done)
		j->done(j->ctx, result, result == CP_OK ? "" : cp_errmsg(&err, result));
	job_err = NULL;
	free(j->path);
	free(j->text);
	free(j);
	return NULL;
}

enum cp_err cp_printer_print_async(const char *device_path, const char *utf8_text,
				   cp_printer_done_fn done, void *ctx, struct cp_errbuf *err)
{
	struct job *j = NULL;
	pthread_attr_t attr;
	pthread_t tid;
	sigset_t all, old;
	int rc;

	if (!device_path || !device_path[0])
		return cp_errf(err, CP_ECONFIG,
			       "no receipt printer is configured — set the printer's device in the "
			       "configuration; %s",
			       kept);
	if (!utf8_text || strlen(utf8_text) > CP_PRINTER_TEXT_MAX)
		return cp_errf(err, CP_EINVAL,
			       "the receipt text is missing or longer than %d bytes",
			       CP_PRINTER_TEXT_MAX);
	if (!(j = calloc(1, sizeof(*j))) || !(j->path = strdup(device_path)) ||
	    !(j->text = strdup(utf8_text))) {
		if (j) {
			free(j->path);
			free(j);
		}
		return cp_errf(err, CP_ENOMEM, "out of memory starting the print; %s", kept);
	}
	j->done = done;
	j->ctx = ctx;
	if (pthread_attr_init(&attr) != 0) {
		rc = EAGAIN;
		goto fail;
	}
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* The printing thread takes no signals: they stay with the threads that handle them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&tid, &attr, print_thread, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc == 0)
		return CP_OK;
fail:
	free(j->path);
	free(j->text);
	free(j);
	return cp_errf(err, CP_EIO, "cannot start printing (%s); %s", strerror(rc), kept);
}

static pthread_mutex_t box_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cp_printer_outcome box[CP_PRINTER_OUTCOMES];
static int box_head, box_count;

static void outcome_store(const char *tag, enum cp_err result, const char *message,
			  const struct cp_errbuf *err)
{
	struct cp_printer_outcome *o;

	pthread_mutex_lock(&box_lock);
	if (box_count == CP_PRINTER_OUTCOMES) {
		box_head = (box_head + 1) % CP_PRINTER_OUTCOMES;
		box_count--;
	}
	o = &box[(box_head + box_count) % CP_PRINTER_OUTCOMES];
	snprintf(o->tag, sizeof(o->tag), "%s", tag ? tag : "");
	o->result = result;
	snprintf(o->message, sizeof(o->message), "%s", message ? message : "");
	if (err) {
		o->err = *err;
	} else {
		memset(&o->err, 0, sizeof(o->err));
		memcpy(o->err.msg, o->message, sizeof(o->err.msg));
	}
	box_count++;
	pthread_mutex_unlock(&box_lock);
}

void cp_printer_outcome_push(const char *tag, enum cp_err result, const char *message)
{
	outcome_store(tag, result, message, job_err && message == job_err->msg ? job_err : NULL);
}

void cp_printer_outcome_push_err(const char *tag, enum cp_err result, const struct cp_errbuf *err)
{
	outcome_store(tag, result, err ? err->msg : "", err);
}

bool cp_printer_outcome_pop(struct cp_printer_outcome *out)
{
	bool got = false;

	pthread_mutex_lock(&box_lock);
	if (box_count > 0) {
		*out = box[box_head];
		box_head = (box_head + 1) % CP_PRINTER_OUTCOMES;
		box_count--;
		got = true;
	}
	pthread_mutex_unlock(&box_lock);
	return got;
}
