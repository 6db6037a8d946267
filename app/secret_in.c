/* secret_in.c — one secret line (an enrolment code, a PIN) from stdin or a file, read with
 * read(2) into the caller's buffer only: no stdio buffer keeps a copy, nothing stays on the
 * command line where `ps` shows it, and a terminal does not echo it. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "app.h"
#include "cp_crypto.h"

/* One line from fd into out (cap bytes with the NUL). 0, or -1 after printing what was wrong
 * (named by what). out is wiped on failure. */
static int read_fd_line(int fd, const char *what, char *out, size_t cap)
{
	size_t n = 0;
	bool too_long = false, any = false;
	char c;
	ssize_t got;

	for (;;) {
		got = read(fd, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			app_error("reading the %s: %s", what, strerror(errno));
			goto fail;
		}
		if (got == 0 || c == '\n')
			break;
		any = true;
		if (n == 0 && (c == ' ' || c == '\t'))
			continue;
		if (n + 1 < cap)
			out[n++] = c;
		else
			too_long = true;
	}
	c = 0;
	while (n > 0 && (out[n - 1] == '\r' || out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	out[n] = '\0';
	if (too_long) {
		app_error("the %s is too long", what);
		goto fail;
	}
	if (!any || n == 0) {
		app_error("no %s given: give it as one line", what);
		goto fail;
	}
	return 0;
fail:
	cp_wipe(out, cap);
	return -1;
}

int app_read_secret(const char *file, const char *what, char *out, size_t cap)
{
	struct termios old, quiet;
	bool tty;
	int fd = STDIN_FILENO, r;

	if (file && strcmp(file, "-") != 0) {
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
			app_error("%s: %s", file, strerror(errno));
			return -1;
		}
		r = read_fd_line(fd, what, out, cap);
		close(fd);
		return r;
	}
	tty = isatty(fd) && tcgetattr(fd, &old) == 0;
	if (tty) {
		fprintf(stderr, "%c%s: ", what[0] >= 'a' && what[0] <= 'z' ? what[0] - 32 : what[0],
			what + 1);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	r = read_fd_line(fd, what, out, cap);
	if (tty) {
		tcsetattr(fd, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	return r;
}
