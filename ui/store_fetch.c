/* store_fetch.c — the worker thread of store_fetch.h. The UI and the worker share one static
 * slot under a mutex: the worker fills it and marks it done, the UI takes it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_fetch.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool busy, done;
	char day[11];
	enum cp_err (*fn)(void *ctx, const char *day, struct cp_store_totals *out);
	void *ctx;
	struct cp_store_totals st;
} F;

static void *worker(void *arg)
{
	struct cp_store_totals *st = calloc(1, sizeof(*st));
	char day[11];

	(void)arg;
	pthread_mutex_lock(&mu);
	snprintf(day, sizeof(day), "%s", F.day);
	pthread_mutex_unlock(&mu);
	if (st) {
		snprintf(st->day, sizeof(st->day), "%s", day);
		if (F.fn(F.ctx, day, st) != CP_OK && !st->why[0])
			snprintf(st->why, sizeof(st->why), "%s", "HQ did not answer");
	}
	pthread_mutex_lock(&mu);
	memset(&F.st, 0, sizeof(F.st));
	if (st)
		F.st = *st;
	else
		snprintf(F.st.why, sizeof(F.st.why), "%s", "out of memory");
	F.done = true;
	F.busy = false;
	pthread_mutex_unlock(&mu);
	free(st);
	return NULL;
}

bool cp_ui_store_fetch_start(const struct cp_ui_options *opts, const char *day)
{
	pthread_attr_t attr;
	pthread_t t;
	bool started = false;

	if (!opts->store_totals)
		return false;
	pthread_mutex_lock(&mu);
	if (!F.busy) {
		F.fn = opts->store_totals;
		F.ctx = opts->store_ctx;
		snprintf(F.day, sizeof(F.day), "%s", day);
		F.done = false;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		started = F.busy = pthread_create(&t, &attr, worker, NULL) == 0;
		pthread_attr_destroy(&attr);
	}
	pthread_mutex_unlock(&mu);
	return started;
}

bool cp_ui_store_fetch_poll(struct cp_store_totals *out)
{
	bool done;

	pthread_mutex_lock(&mu);
	if ((done = F.done)) {
		*out = F.st;
		F.done = false;
	}
	pthread_mutex_unlock(&mu);
	return done;
}

void cp_ui_store_fetch_drain(int ms)
{
	struct timespec pause = {0, 10 * 1000 * 1000};

	for (int waited = 0; waited < ms; waited += 10) {
		bool busy;

		pthread_mutex_lock(&mu);
		busy = F.busy;
		pthread_mutex_unlock(&mu);
		if (!busy)
			return;
		nanosleep(&pause, NULL);
	}
}
