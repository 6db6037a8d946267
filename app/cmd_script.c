/* cmd_script.c — `counterpoint script`: the JSON-lines till. One request object per input
 * line, one compact answer object per output line, flushed at once. Bad input is answered
 * with an invalid_input error and the next line is read; the commands themselves are in
 * script_cmd.c, which checks every argument before the first core call. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "canon.h"
#include "cp_crypto.h"
#include "script.h"

#define LINE_MAX_BYTES 65536

static bool in_list(const char *list, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, " ");

		if (len == n && strncmp(p, key, n) == 0)
			return true;
		p += len;
		p += strspn(p, " ");
	}
	return false;
}

/* A name from the request fit to quote in a message: printable ASCII, short. */
static const char *quotable(const char *s, char out[40])
{
	size_t i;

	for (i = 0; s[i] && i < 32; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
			return "(unprintable)";
		out[i] = s[i];
	}
	if (s[i])
		return "(too long)";
	out[i] = '\0';
	return out;
}

static json_t *parse_error(const json_error_t *je)
{
	struct cp_errbuf err = {{0}};

	switch (json_error_code(je)) {
	case json_error_duplicate_key:
		cp_errf(&err, CP_EINVAL, "a field appears twice (column %d)", je->column);
		break;
	case json_error_numeric_overflow:
		cp_errf(&err, CP_EINVAL, "a number is too large (column %d)", je->column);
		break;
	case json_error_null_character:
		cp_errf(&err, CP_EINVAL, "\\u0000 is not allowed in a string");
		break;
	case json_error_stack_overflow:
		cp_errf(&err, CP_EINVAL, "nested too deeply");
		break;
	case json_error_premature_end_of_input:
		cp_errf(&err, CP_EINVAL, "not JSON: the line ends before the object does");
		break;
	case json_error_end_of_input_expected:
		cp_errf(&err, CP_EINVAL, "not JSON: more after the object (column %d)", je->column);
		break;
	default:
		cp_errf(&err, CP_EINVAL, "not JSON (line 1, column %d)", je->column);
		break;
	}
	return script_error(NULL, CP_EINVAL, err.msg);
}

struct reader;
static int read_line(struct reader *in, char *buf, size_t cap, size_t *len, bool *too_long);

/* The line after a request whose command takes a secret line (a new PIN) into s->secret. */
static enum cp_err read_secret(struct script *s, struct cp_errbuf *err)
{
	size_t len = 0;
	bool too_long = false;
	int r = read_line(s->in, s->secret, sizeof(s->secret) - 1, &len, &too_long);

	if (r == 1 && !too_long && len > 0)
		return CP_OK;
	cp_wipe(s->secret, sizeof(s->secret));
	if (r == 1 && too_long)
		return cp_errf(err, CP_EINVAL, "the line after the request is too long for a PIN");
	return cp_errf(err, CP_EINVAL,
		       "give the new PIN as the line after the request; it is never echoed");
}

/* The answer to one line, or NULL for a blank line. */
static json_t *answer_line(struct script *s, char *buf, size_t len)
{
	const struct script_command *cmd;
	struct cp_errbuf err = {{0}};
	json_error_t je;
	json_t *req, *id, *v, *ans;
	const char *name, *key;
	char q[40];
	enum cp_err rc = CP_EINVAL;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (strspn(buf, " \t") == len)
		return NULL;
	if (memchr(buf, '\0', len))
		return script_error(NULL, CP_EINVAL, "the line holds a NUL byte; ignored");
	if (!script_utf8_ok(buf, len))
		return script_error(NULL, CP_EINVAL, "the line is not valid UTF-8; ignored");
	req = script_parse_flat(buf, len);
	if (!req)
		req = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (!req)
		return parse_error(&je);
	if (!json_is_object(req)) {
		json_decref(req);
		return script_error(NULL, CP_EINVAL, "a request must be a JSON object");
	}
	id = json_object_get(req, "id");
	v = json_object_get(req, "cmd");
	if (!v) {
		cp_errf(&err, rc, "missing field \"cmd\"");
		goto out;
	}
	if (!json_is_string(v)) {
		cp_errf(&err, rc, "field \"cmd\" must be a string");
		goto out;
	}
	name = json_string_value(v);
	if (!(cmd = script_command_find(name))) {
		cp_errf(&err, rc, "unknown command \"%s\"", quotable(name, q));
		goto out;
	}
	if (script_takes_secret(cmd) && read_secret(s, &err) != CP_OK)
		goto out; /* rc is CP_EINVAL */
	json_object_foreach (req, key, v) {
		if (strcmp(key, "cmd") != 0 && strcmp(key, "id") != 0 &&
		    !in_list(cmd->fields, key)) {
			cp_errf(&err, rc, "unknown field \"%s\" for %s", quotable(key, q),
				cmd->name);
			goto out;
		}
	}
	if (!cmd->no_login && !s->logged_in) {
		rc = cp_errf(&err, CP_EAUTH, "log in first");
		goto out;
	}
	ans = script_need(json_object());
	script_set(ans, "ok", json_true());
	if (id)
		script_set(ans, "id", json_incref(id));
	if ((rc = cmd->fn(s, req, ans, &err)) == CP_OK) {
		cp_wipe(s->secret, sizeof(s->secret));
		json_decref(req);
		return ans;
	}
	json_decref(ans);
out:
	ans = script_error(id, rc, cp_errmsg(&err, rc));
	if (s->refused_by.open)
		script_set(json_object_get(ans, "error"), "owner", script_owner(&s->refused_by));
	memset(&s->refused_by, 0, sizeof(s->refused_by));
	cp_wipe(s->secret, sizeof(s->secret));
	json_decref(req);
	return ans;
}

/* The requests, read with read(2) into a buffer of our own that is wiped as it is consumed:
 * stdio's buffer would keep the last lines, PINs among them, for as long as the process
 * runs. */
struct reader {
	int fd;
	size_t pos, len;
	unsigned char chunk[4096];
};

/* Reads one line into buf (room for cap bytes and a NUL); a longer line is read to its end
 * and flagged. Returns 1 for a line, 0 at the end of input, -1 on a read error. */
static int read_line(struct reader *in, char *buf, size_t cap, size_t *len, bool *too_long)
{
	size_t n = 0;
	bool any = false, nl = false;

	*too_long = false;
	while (!nl) {
		unsigned char *p, *end;
		size_t take, copy;
		ssize_t got;

		if (in->pos == in->len) {
			cp_wipe(in->chunk, in->len);
			in->pos = in->len = 0;
			got = read(in->fd, in->chunk, sizeof(in->chunk));
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				return -1;
			if (got == 0)
				break;
			in->len = (size_t)got;
		}
		any = true;
		p = in->chunk + in->pos;
		end = memchr(p, '\n', in->len - in->pos);
		take = end ? (size_t)(end - p) : in->len - in->pos;
		copy = take < cap - n ? take : cap - n;
		memcpy(buf + n, p, copy);
		n += copy;
		if (copy < take)
			*too_long = true;
		nl = end != NULL;
		take += nl;
		cp_wipe(p, take);
		in->pos += take;
	}
	if (!any)
		return 0;
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return 1;
}

static int emit(json_t *ans)
{
	/* json_dumps(ans, JSON_COMPACT) byte for byte in a fifth of the instructions; jansson
	 * itself for what canon refuses (a real). */
	size_t len = 0;
	char *text = cp_canon_dump_ordered(ans, &len);
	int bad;

	if (!text && (text = json_dumps(ans, JSON_COMPACT)))
		len = strlen(text);
	if (!text) {
		app_error("out of memory");
		exit(APP_EXIT_FAIL);
	}
	text[len] = '\n'; /* the NUL's place: the answer and its line end in one write */
	bad = fwrite(text, 1, len + 1, stdout) != len + 1 || fflush(stdout) != 0;
	free(text);
	return bad ? -1 : 0;
}

int cmd_script(struct app *app)
{
	struct reader *in = NULL;
	struct script *s = NULL;
	char *buf = NULL;
	json_t *ans;
	size_t len;
	bool too_long, created, bad;
	char store_name[65];
	int status = APP_EXIT_FAIL, r;

	if (!(in = calloc(1, sizeof(*in)))) {
		app_error("out of memory");
		return APP_EXIT_FAIL;
	}
	in->fd = STDIN_FILENO;
	if (app->script_file && strcmp(app->script_file, "-") != 0 &&
	    (in->fd = open(app->script_file, O_RDONLY | O_CLOEXEC)) < 0) {
		app_error("%s: %s", app->script_file, strerror(errno));
		free(in);
		return APP_EXIT_FAIL;
	}
	if (!(s = calloc(1, sizeof(*s))) || !(buf = malloc(LINE_MAX_BYTES + 2))) {
		app_error("out of memory");
		goto out;
	}
	if (app->demo && app_demo_ensure(app, &created) != CP_OK)
		goto out;
	if (app_open_db_to_sell(app, &s->db) != CP_OK)
		goto out;
	cp_db_store_name(s->db, store_name, sizeof(store_name));
	if (!store_name[0])
		snprintf(store_name, sizeof(store_name), "%s", app->cfg.store_name);
	s->in = in;
	s->receipts.db = s->db;
	s->receipts.device = app->cfg.printer_device;
	s->receipts.width = app_printer_width(app);
	s->receipts.currency = app->cfg.currency;
	s->receipts.store_name = store_name;
	s->receipts.wait = true;
	/* A reader that goes away is a write error, not a signal that kills mid-answer. */
	signal(SIGPIPE, SIG_IGN);
	status = APP_EXIT_OK;
	while ((r = read_line(in, buf, LINE_MAX_BYTES + 1, &len, &too_long)) == 1) {
		if (too_long || len > LINE_MAX_BYTES)
			ans = script_error(NULL, CP_EINVAL,
					   "the line is longer than 65536 bytes; ignored");
		else
			ans = answer_line(s, buf, len);
		cp_wipe(buf, len); /* it may have held a PIN */
		if (!ans)
			continue;
		bad = emit(ans) != 0;
		json_decref(ans);
		if (bad) {
			app_error("writing the answer: %s", strerror(errno));
			status = APP_EXIT_FAIL;
			break;
		}
		if (s->checkpoint) {
			cp_db_checkpoint_due(s->db);
			s->checkpoint = false;
		}
	}
	if (r < 0) {
		app_error("reading the requests: %s", strerror(errno));
		status = APP_EXIT_FAIL;
	}
out:
	if (s)
		cp_db_close(s->db);
	free(s);
	if (buf)
		cp_wipe(buf, LINE_MAX_BYTES + 2);
	free(buf);
	if (in->fd != STDIN_FILENO)
		close(in->fd);
	cp_wipe(in, sizeof(*in));
	free(in);
	return status;
}
