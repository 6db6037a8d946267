/* http.c — the only place that speaks HTTP: HQ's address rules (https, or http to loopback in
 * development), one reused libcurl handle with verification always on, signed requests,
 * bounded answers, and every TLS failure turned into a sentence that names its cause. */
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backoff.h"
#include "cp_crypto.h"
#include "sync_int.h"

#define BASE_MAX 512
#define URL_MAX 2048
#define POLL_MS 100 /* how often a request under way looks at its cancel and stop flags */

struct cp_http {
	CURL *curl;
	CURLM *multi; /* drives curl so that a cancel is seen within POLL_MS; keeps the
			 connection between requests */
	char base[BASE_MAX];
	char host[BASE_MAX];
	char errbuf[CURL_ERROR_SIZE];
	long timeout_ms, connect_timeout_ms;
	bool has_ca, has_pin;
	/* the request under way */
	char *body;
	size_t len, cap;
	bool too_big;
	int64_t retry_after_ms;
	const volatile int *cancel;
	const volatile sig_atomic_t *stop;
};

/* ---- the address ---- */

bool cp_sync_http_host_is_loopback(const char *host)
{
	char buf[64];
	struct in_addr a4;
	struct in6_addr a6;
	size_t n;

	if (!host)
		return false;
	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	n = strlen(host);
	if (n < 3 || n - 2 >= sizeof(buf) || host[0] != '[' || host[n - 1] != ']')
		return false;
	memcpy(buf, host + 1, n - 2);
	buf[n - 2] = '\0';
	if (inet_pton(AF_INET6, buf, &a6) != 1)
		return false;
	return IN6_IS_ADDR_LOOPBACK(&a6);
}

/* A printable copy of untrusted text for a message: no control characters, bounded, cut only
 * between UTF-8 characters. */
static const char *shown(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *s && o + 4 < outlen; s++)
		out[o++] = ((unsigned char)*s >= 0x20 && *s != 0x7f) ? *s : '?';
	if (*s && outlen >= 4) {
		while (o && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
			o--;
		if (o && (unsigned char)out[o - 1] >= 0xc0)
			o--;
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* Whether u has a non-empty part what (a user, a query, ...). */
static bool has_part(CURLU *u, CURLUPart what)
{
	char *value = NULL;
	bool present = curl_url_get(u, what, &value, 0) == CURLUE_OK && value && value[0];

	curl_free(value);
	return present;
}

enum cp_err cp_sync_http_check_url(const char *url, bool allow_plain_http, char *base,
				   size_t basecap, struct cp_errbuf *err)
{
	static const char shape[] = "give HQ's address as https://HOST:PORT";
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char show[96];
	enum cp_err result = CP_EINVAL;
	bool plain;

	if (!url || !url[0])
		return cp_errf(err, CP_EINVAL, "no HQ address: %s", shape);
	if (strlen(url) >= BASE_MAX)
		return cp_errf(err, CP_EINVAL, "the HQ address is too long: %s", shape);
	u = curl_url();
	if (!u)
		return cp_errf(err, CP_ENOMEM, "out of memory checking the HQ address");
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0]) {
		cp_errf(err, CP_EINVAL, "'%s' is not an address: %s",
			shown(url, show, sizeof(show)), shape);
		goto out;
	}
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		cp_errf(err, CP_EINVAL, "'%s' is not an https:// address: %s",
			shown(url, show, sizeof(show)), shape);
		goto out;
	}
	if (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD) ||
	    has_part(u, CURLUPART_OPTIONS) || has_part(u, CURLUPART_QUERY) ||
	    has_part(u, CURLUPART_FRAGMENT) || has_part(u, CURLUPART_ZONEID)) {
		cp_errf(err, CP_EINVAL,
			"'%s' holds more than a host and a port (a user, query or fragment): %s",
			shown(url, show, sizeof(show)), shape);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK && path &&
	    strcmp(path, "/") != 0 && path[0]) {
		cp_errf(err, CP_EINVAL, "'%s' has a path; the protocol's paths start at /v1: %s",
			shown(url, show, sizeof(show)), shape);
		goto out;
	}
	plain = strcmp(scheme, "http") == 0;
	if (plain && !cp_sync_http_host_is_loopback(host)) {
		cp_errf(err, CP_ECONFIG,
			"plain http:// to HQ at %s is refused: use https://. Plain http is only "
			"for "
			"development, to a loopback address (127.0.0.1, ::1, localhost) with "
			"allow_plain_http = true in [sync]",
			shown(host, show, sizeof(show)));
		result = CP_ECONFIG;
		goto out;
	}
	if (plain && !allow_plain_http) {
		cp_errf(err, CP_ECONFIG,
			"plain http:// to HQ is refused: use https://, or for development on this "
			"machine set allow_plain_http = true in [sync]");
		result = CP_ECONFIG;
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	if (base && (size_t)snprintf(base, basecap, "%s://%s%s%s", scheme, host, port ? ":" : "",
				     port ? port : "") >= basecap) {
		cp_errf(err, CP_EINVAL, "the HQ address is too long: %s", shape);
		goto out;
	}
	result = CP_OK;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return result;
}

bool cp_sync_http_escape(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			if (o + 1 >= outlen)
				return false;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= outlen)
				return false;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o >= outlen)
		return false;
	out[o] = '\0';
	return true;
}

/* ---- callbacks ---- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
	struct cp_http *h = user;
	size_t n = size * nmemb, want;
	char *grown;

	if (n > CP_HTTP_MAX_BODY - h->len) {
		h->too_big = true;
		return 0;
	}
	if (h->len + n + 1 > h->cap) {
		want = h->cap ? h->cap : 4096;
		while (want < h->len + n + 1)
			want *= 2;
		if (want > CP_HTTP_MAX_BODY + 1)
			want = CP_HTTP_MAX_BODY + 1;
		grown = realloc(h->body, want);
		if (!grown)
			return 0;
		h->body = grown;
		h->cap = want;
	}
	memcpy(h->body + h->len, data, n);
	h->len += n;
	h->body[h->len] = '\0';
	return n;
}

/* Retry-After: seconds, or an HTTP date. A new status line (a 100 Continue before the answer)
 * starts again. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
	static const char name[] = "retry-after:";
	struct cp_http *h = user;
	size_t n = size * nmemb, i;
	char value[64];

	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		h->retry_after_ms = -1;
		return n;
	}
	if (n <= sizeof(name) - 1 || strncasecmp(data, name, sizeof(name) - 1) != 0)
		return n;
	i = sizeof(name) - 1;
	while (i < n && (data[i] == ' ' || data[i] == '\t'))
		i++;
	n -= i;
	data += i;
	while (n && (data[n - 1] == '\r' || data[n - 1] == '\n' || data[n - 1] == ' '))
		n--;
	if (n == 0 || n >= sizeof(value))
		return size * nmemb;
	memcpy(value, data, n);
	value[n] = '\0';
	h->retry_after_ms = cp_sync_backoff_retry_after_ms(value, (int64_t)time(NULL));
	return size * nmemb;
}

/* ---- the handle ---- */

#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if ((cc = curl_easy_setopt(h->curl, opt, val)) != CURLE_OK)                        \
			goto setopt_failed;                                                        \
	} while (0)

enum cp_err cp_sync_http_open(struct cp_http **out, const char *url,
			      const struct cp_sync_options *opts, struct cp_errbuf *err)
{
	struct cp_http *h;
	CURLcode cc = CURLE_OK;
	CURLU *u = NULL;
	char *host = NULL;
	enum cp_err result;
	bool plain;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return cp_errf(err, CP_ENOMEM, "out of memory opening the connection to HQ");
	/* The address is checked before libcurl ever sees it. */
	result = cp_sync_http_check_url(url, opts->allow_plain_http, h->base, sizeof(h->base), err);
	if (result != CP_OK)
		goto out;
	result = CP_ENOMEM;
	u = curl_url();
	if (!u || curl_url_set(u, CURLUPART_URL, h->base, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		cp_errf(err, CP_ENOMEM, "out of memory opening the connection to HQ");
		goto out;
	}
	snprintf(h->host, sizeof(h->host), "%s", host);
	plain = strncmp(h->base, "http:", 5) == 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		cp_errf(err, CP_EIO, "libcurl could not start (curl_global_init failed)");
		result = CP_EIO;
		goto out;
	}
	h->curl = curl_easy_init();
	h->multi = curl_multi_init();
	if (!h->curl || !h->multi) {
		curl_easy_cleanup(h->curl);
		curl_multi_cleanup(h->multi);
		h->curl = NULL;
		h->multi = NULL;
		curl_global_cleanup();
		cp_errf(err, CP_ENOMEM, "out of memory opening the connection to HQ");
		goto out;
	}
	h->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 30000;
	h->has_ca = opts->ca_file && opts->ca_file[0];
	h->has_pin = opts->pin && opts->pin[0];
	SET(CURLOPT_ERRORBUFFER, h->errbuf);
	SET(CURLOPT_PROTOCOLS_STR, plain ? "http" : "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (h->has_ca) {
		/* The configured CA replaces the system store rather than adding to it. */
		SET(CURLOPT_CAINFO, opts->ca_file);
		SET(CURLOPT_CAPATH, (char *)NULL);
	}
	if (h->has_pin)
		SET(CURLOPT_PINNEDPUBLICKEY, opts->pin);
	h->connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 5000L;
	SET(CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
	SET(CURLOPT_LOW_SPEED_LIMIT, opts->low_speed_bytes > 0 ? opts->low_speed_bytes : 1L);
	SET(CURLOPT_LOW_SPEED_TIME, opts->low_speed_s > 0 ? opts->low_speed_s : 15L);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_USERAGENT, "counterpoint/0.1");
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, h);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, h);
	*out = h;
	h = NULL;
	result = CP_OK;
	goto out;
setopt_failed:
	result = cp_errf(err, CP_ECONFIG, "libcurl refused a setting: %s", curl_easy_strerror(cc));
out:
	curl_free(host);
	curl_url_cleanup(u);
	cp_sync_http_close(h);
	return result;
}

void cp_sync_http_close(struct cp_http *h)
{
	if (!h)
		return;
	if (h->curl) {
		curl_multi_cleanup(h->multi);
		curl_easy_cleanup(h->curl);
		curl_global_cleanup();
	}
	free(h->body);
	free(h);
}

const char *cp_sync_http_base(const struct cp_http *h)
{
	return h->base;
}

/* ---- a request ---- */

/* A TLS verification failure, named for the person who must fix it. */
static enum cp_err tls_failure(struct cp_http *h, CURLcode cc, struct cp_errbuf *err)
{
	const char *e = h->errbuf;
	char show[200];

	shown(e[0] ? e : curl_easy_strerror(cc), show, sizeof(show));
	if (cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
		return cp_errf(
			err, CP_ECONFIG,
			"pin mismatch: the public key of HQ's certificate at %s matches none "
			"of the configured pins (pin in [sync] or --pin); if HQ renewed its "
			"key, add the new pin",
			h->base);
	if (cc == CURLE_SSL_CACERT_BADFILE)
		return cp_errf(err, CP_ECONFIG,
			       "the CA file cannot be read or holds no certificate (ca_file in "
			       "[sync] or --ca): %s",
			       show);
	if (strstr(e, "expired"))
		return cp_errf(
			err, CP_ECONFIG,
			"HQ's certificate has expired (%s): HQ must renew it, or this till's "
			"clock is wrong",
			show);
	if (strstr(e, "not yet valid"))
		return cp_errf(err, CP_ECONFIG,
			       "HQ's certificate is not valid yet (%s): check this till's clock",
			       show);
	if (strstr(e, "subject name") || strstr(e, "host name") || strstr(e, "hostname") ||
	    strstr(e, "does not match"))
		return cp_errf(err, CP_ECONFIG,
			       "wrong host name: HQ's certificate is not for %s (%s); check the HQ "
			       "address",
			       h->host, show);
	if (strstr(e, "issuer") || strstr(e, "self signed") || strstr(e, "self-signed") ||
	    strstr(e, "unable to verify") || strstr(e, "unknown ca") || strstr(e, "untrusted") ||
	    strstr(e, "not trusted"))
		return cp_errf(
			err, CP_ECONFIG,
			"certificate not trusted: HQ's certificate at %s is not signed by %s "
			"(%s)",
			h->base,
			h->has_ca ? "the configured CA (ca_file in [sync] or --ca)"
				  : "a CA of the system store; set ca_file in [sync]",
			show);
	return cp_errf(err, CP_ECONFIG, "HQ's certificate at %s could not be verified: %s", h->base,
		       show);
}

static enum cp_err transport_failure(struct cp_http *h, CURLcode cc, long timeout_ms,
				     struct cp_errbuf *err)
{
	char show[200];

	shown(h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc), show, sizeof(show));
	switch (cc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CACERT_BADFILE:
		return tls_failure(h, cc, err);
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return cp_errf(err, CP_ECONFIG, "the TLS setup for HQ at %s is wrong: %s", h->base,
			       show);
	case CURLE_ABORTED_BY_CALLBACK:
		return cp_errf(err, CP_ESTATE, "cancelled while waiting for HQ");
	case CURLE_WRITE_ERROR:
		if (h->too_big)
			return cp_errf(err, CP_EIO, "HQ's answer is larger than %zu MiB; refused",
				       CP_HTTP_MAX_BODY >> 20);
		return cp_errf(err, CP_ENOMEM, "out of memory reading HQ's answer");
	case CURLE_OUT_OF_MEMORY:
		return cp_errf(err, CP_ENOMEM, "out of memory talking to HQ");
	case CURLE_OPERATION_TIMEDOUT: {
		curl_off_t connected = 0;

		/* A connection or TLS handshake that never finished is the connect limit's. */
		curl_easy_getinfo(h->curl,
				  strncmp(h->base, "https:", 6) == 0 ? CURLINFO_APPCONNECT_TIME_T
								     : CURLINFO_CONNECT_TIME_T,
				  &connected);
		if (connected == 0)
			return cp_errf(err, CP_EIO,
				       "HQ at %s completed no connection or TLS handshake in time "
				       "(connect_timeout_ms, %ld ms): %s",
				       h->base, h->connect_timeout_ms, show);
		return cp_errf(err, CP_EIO, "HQ at %s did not answer in time (limit %ld ms): %s",
			       h->base, timeout_ms, show);
	}
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return cp_errf(err, CP_EIO, "HQ cannot be reached at %s: %s", h->base, show);
	case CURLE_SSL_CONNECT_ERROR:
		return cp_errf(err, CP_EIO, "the TLS handshake with HQ at %s failed: %s", h->base,
			       show);
	default:
		return cp_errf(err, CP_EIO, "the connection to HQ at %s failed: %s", h->base, show);
	}
}

static bool asked_to_stop(const struct cp_http *h)
{
	/* Set by another thread (the UI) or a signal handler: read atomically. */
	return (h->cancel && __atomic_load_n(h->cancel, __ATOMIC_SEQ_CST)) ||
	       (h->stop && __atomic_load_n(h->stop, __ATOMIC_SEQ_CST));
}

/* curl_easy_perform, but through the multi handle, waking every POLL_MS to look at the cancel
 * and stop flags (a progress callback may be called only once a second). */
static CURLcode perform(struct cp_http *h)
{
	CURLcode cc = CURLE_ABORTED_BY_CALLBACK;
	CURLMcode mc;
	CURLMsg *msg;
	int running = 1, left;

	if (asked_to_stop(h))
		return CURLE_ABORTED_BY_CALLBACK;
	if (curl_multi_add_handle(h->multi, h->curl) != CURLM_OK)
		return CURLE_OUT_OF_MEMORY;
	while (running) {
		mc = curl_multi_perform(h->multi, &running);
		if (mc != CURLM_OK) {
			cc = mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_RECV_ERROR;
			goto out;
		}
		if (!running)
			break;
		if (asked_to_stop(h))
			goto out; /* CURLE_ABORTED_BY_CALLBACK */
		mc = curl_multi_poll(h->multi, NULL, 0, POLL_MS, NULL);
		if (mc != CURLM_OK) {
			cc = CURLE_RECV_ERROR;
			goto out;
		}
	}
	cc = CURLE_RECV_ERROR;
	while ((msg = curl_multi_info_read(h->multi, &left)))
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == h->curl)
			cc = msg->data.result;
out:
	curl_multi_remove_handle(h->multi, h->curl);
	return cc;
}

/* Copies the envelope {"error": {"code", "message", "expected"|"seq"}} into ans. */
static void parse_error_body(struct cp_http_answer *ans)
{
	json_t *root, *e, *v;
	char tmp[sizeof(ans->message)];

	ans->number = -1;
	if (!ans->json || !ans->len)
		return;
	root = json_loadb(ans->body, ans->len, JSON_REJECT_DUPLICATES, NULL);
	e = json_is_object(root) ? json_object_get(root, "error") : NULL;
	if (json_is_object(e)) {
		if (json_is_string(v = json_object_get(e, "code")))
			shown(json_string_value(v), ans->code, sizeof(ans->code));
		if (json_is_string(v = json_object_get(e, "message"))) {
			snprintf(tmp, sizeof(tmp), "%s", json_string_value(v));
			shown(tmp, ans->message, sizeof(ans->message));
		}
		v = json_object_get(e, "expected");
		if (!json_is_integer(v))
			v = json_object_get(e, "seq");
		if (json_is_integer(v) && json_integer_value(v) >= 0)
			ans->number = (int64_t)json_integer_value(v);
	}
	json_decref(root);
}

static bool is_json(const char *ctype)
{
	size_t n = strlen("application/json");

	return ctype && strncasecmp(ctype, "application/json", n) == 0 &&
	       (ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ');
}

static struct curl_slist *add(struct curl_slist *list, const char *line, bool *ok)
{
	struct curl_slist *next;

	if (!*ok)
		return list;
	next = curl_slist_append(list, line);
	if (!next) {
		*ok = false;
		return list;
	}
	return next;
}

enum cp_err cp_sync_http_do(struct cp_http *h, const struct cp_http_request *req,
			    struct cp_http_answer *ans, struct cp_errbuf *err)
{
	struct curl_slist *headers = NULL;
	char url[URL_MAX], line[160], sig[CP_SIGN_HEX_LEN + 1];
	const char *ctype = NULL;
	long timeout = req->timeout_ms > 0 ? req->timeout_ms : h->timeout_ms;
	bool post = strcmp(req->method, "POST") == 0, ok = true;
	enum cp_err result = CP_EIO;
	CURLcode cc;

	memset(ans, 0, sizeof(*ans));
	ans->retry_after_ms = -1;
	ans->number = -1;
	if (!req->path || req->path[0] != '/' ||
	    (size_t)snprintf(url, sizeof(url), "%s%s", h->base, req->path) >= sizeof(url))
		return cp_errf(err, CP_EINVAL, "bad request path for HQ");
	h->len = 0;
	h->too_big = false;
	h->retry_after_ms = -1;
	h->cancel = req->cancel;
	h->stop = req->stop;
	h->errbuf[0] = '\0';

	headers = add(headers, "Accept: application/json", &ok);
	headers = add(headers, "Expect:", &ok); /* no 100-continue round trip */
	if (post)
		headers = add(headers, "Content-Type: application/json", &ok);
	if (req->id) {
		if (cp_sync_sign_request(req->method, req->path, req->now_s, req->body, req->len,
					 req->id->secret, sig) != 0) {
			result =
				cp_errf(err, CP_EIO, "could not sign the request (mbedTLS failed)");
			goto out;
		}
		snprintf(line, sizeof(line), "X-CP-Terminal: %s", req->id->terminal_uid);
		headers = add(headers, line, &ok);
		snprintf(line, sizeof(line), "X-CP-Timestamp: %" PRId64, req->now_s);
		headers = add(headers, line, &ok);
		snprintf(line, sizeof(line), "X-CP-Signature: %s", sig);
		headers = add(headers, line, &ok);
	}
	if (!ok) {
		result = cp_errf(err, CP_ENOMEM, "out of memory building the request to HQ");
		goto out;
	}
	if (curl_easy_setopt(h->curl, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
	    curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, timeout) != CURLE_OK) {
		result = cp_errf(err, CP_ENOMEM, "out of memory building the request to HQ");
		goto out;
	}
	if (post) {
		curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->len);
	} else {
		curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
	}
	cc = perform(h);
	/* The body pointer must not outlive the call: the caller frees it. */
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, (char *)NULL);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
	if (cc != CURLE_OK) {
		result = transport_failure(h, cc, timeout, err);
		goto out;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &ans->status);
	curl_easy_getinfo(h->curl, CURLINFO_CONTENT_TYPE, &ctype);
	ans->json = is_json(ctype);
	ans->retry_after_ms = h->retry_after_ms;
	ans->body = malloc(h->len + 1);
	if (!ans->body) {
		result = cp_errf(err, CP_ENOMEM, "out of memory reading HQ's answer");
		goto out;
	}
	if (h->len)
		memcpy(ans->body, h->body, h->len);
	ans->body[h->len] = '\0';
	ans->len = h->len;
	if (ans->status >= 400)
		parse_error_body(ans);
	result = CP_OK;
out:
	if (h->body)
		cp_wipe(h->body, h->cap);
	h->len = 0;
	h->cancel = NULL;
	h->stop = NULL;
	cp_wipe(sig, sizeof(sig));
	curl_slist_free_all(headers);
	return result;
}

void cp_sync_http_answer_free(struct cp_http_answer *ans)
{
	if (!ans)
		return;
	if (ans->body) {
		cp_wipe(ans->body, ans->len);
		free(ans->body);
	}
	ans->body = NULL;
	ans->len = 0;
}

static const char *status_text(long status)
{
	switch (status) {
	case 400:
		return "bad request";
	case 401:
		return "not authorised";
	case 403:
		return "forbidden";
	case 404:
		return "not found";
	case 409:
		return "gap";
	case 422:
		return "refused";
	case 429:
		return "too many requests";
	case 500:
		return "internal error";
	case 502:
		return "bad gateway";
	case 503:
		return "busy";
	case 504:
		return "gateway timeout";
	default:
		return "unexpected";
	}
}

void cp_sync_http_describe(const struct cp_http_answer *ans, const char *what,
			   struct cp_errbuf *err)
{
	char wait[48] = "";

	if (ans->retry_after_ms >= 0)
		snprintf(wait, sizeof(wait), "; retry after %" PRId64 " s",
			 ans->retry_after_ms / 1000);
	if (ans->code[0] || ans->message[0])
		cp_errf(err, CP_EIO, "HQ answered %ld (%s) to %s: %s%s%s%s", ans->status,
			status_text(ans->status), what, ans->code, ans->code[0] ? ": " : "",
			ans->message, wait);
	else
		cp_errf(err, CP_EIO, "HQ answered %ld (%s) to %s%s", ans->status,
			status_text(ans->status), what, wait);
}
