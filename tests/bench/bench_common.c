/* bench_common.c — see bench_common.h. */
#include "bench_common.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"

static int64_t clock_ns(clockid_t which)
{
	struct timespec ts;

	clock_gettime(which, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t cp_bench_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

int64_t cp_bench_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

double cp_bench_now_s(void)
{
	return (double)cp_bench_now_ns() / 1e9;
}

int cp_bench_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int cp_bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double cp_bench_pct_us(const int64_t *sorted, int n, double p)
{
	int k = (int)(p * n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return sorted[k - 1] / 1e3;
}

void cp_bench_stats(int64_t *ns, int n, struct cp_bench_stats *s)
{
	double sum = 0;

	qsort(ns, (size_t)n, sizeof(ns[0]), cp_bench_cmp_i64);
	for (int i = 0; i < n; i++)
		sum += (double)ns[i];
	s->n = n;
	s->p50_us = cp_bench_pct_us(ns, n, 0.5);
	s->p90_us = cp_bench_pct_us(ns, n, 0.9);
	s->p99_us = cp_bench_pct_us(ns, n, 0.99);
	s->max_us = ns[n - 1] / 1e3;
	s->mean_us = sum / n / 1e3;
}

uint64_t cp_bench_rnd(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

bool cp_bench_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s)
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

_Noreturn void cp_bench_die(const char *what, const struct cp_errbuf *err)
{
	fprintf(stderr, "bench: %s: %s\n", what, err ? err->msg : "");
	exit(1);
}

int cp_bench_fail(const char *prog, const char *what, const struct cp_errbuf *err, enum cp_err rc)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, cp_errmsg(err, rc));
	return -1;
}

void cp_bench_remove_db(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

int cp_bench_copy_file(const char *prog, const char *from, const char *to)
{
	static char buf[1 << 20];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;
	int result = in && out ? 0 : -1;

	while (result == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			result = -1;
	if (in && ferror(in))
		result = -1;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		result = -1;
	if (result)
		fprintf(stderr, "%s: copy %s to %s failed\n", prog, from, to);
	return result;
}

void cp_bench_loadavg(char *out, size_t len)
{
	double a = 0, b = 0, c = 0;
	FILE *f = fopen("/proc/loadavg", "r");

	if (!f || fscanf(f, "%lf %lf %lf", &a, &b, &c) != 3)
		a = b = c = -1;
	if (f)
		fclose(f);
	snprintf(out, len, "%.2f/%.2f/%.2f", a, b, c);
}

void cp_bench_warm_file(const char *path)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

void cp_bench_member_phone(const char *prefix, long i, char out[CP_PHONE_LEN + 1])
{
	snprintf(out, CP_PHONE_LEN + 1, "%s%09llu", prefix,
		 (unsigned long long)(((uint64_t)i * 7919 + 12345) % 1000000000));
}

void cp_bench_member_make(const char *id, const char *phone, const char *card, long i,
			  struct cp_bench_member *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "%s%07ld", id, i + 1);
	cp_bench_member_phone(phone, i, m->phone);
	snprintf(m->card, sizeof(m->card), "%s%08ld", card, i + 1);
	snprintf(m->name, sizeof(m->name), "会员%07ld", i + 1);
	snprintf(m->bday, sizeof(m->bday), "%02ld-%02ld", i % 12 + 1, i % 28 + 1);
	m->s.id = m->id;
	m->s.phone = m->phone;
	m->s.card_no = m->card;
	m->s.name = m->name;
	m->s.birthday = m->bday;
	m->s.points = (i * 37) % 20000;
	m->s.growth = (i * 7) % 60000;
	m->s.version = 1;
}

void cp_bench_args(int argc, char **argv, long n_max, const char **dir, int *n)
{
	long v;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--dir") == 0)
			*dir = argv[i + 1];
		else if (strcmp(argv[i], "-n") == 0 &&
			 cp_bench_parse_long(argv[i + 1], 1, n_max, &v))
			*n = (int)v;
	}
}

struct cp_db *cp_bench_demo_store(const char *dir, const char *file)
{
	char path[1024];
	struct cp_db_options opt = {0};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01", .force = true};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		cp_bench_die("the scratch directory's name is too long", NULL);
	unlink(path);
	opt.path = path;
	opt.pbkdf2_iterations = 1000;
	if (cp_db_create(&db, &opt, &init, &err) != CP_OK || cp_demo_seed(db, &err) != CP_OK)
		cp_bench_die("open the demo store", &err);
	return db;
}
