/* lookup.c — the worker thread of lookup.h. The UI and the worker share one small struct under
 * a mutex; whichever of them is last (the UI after a result, the worker after a cancel) frees
 * it, so a cancelled lookup never writes into a screen that has moved on. */
#include "lookup.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ui_lookup {
	pthread_mutex_t mu;
	enum cp_err (*fn)(void *, const char *, const char *, struct cp_member_view *,
			  const volatile int *, struct cp_errbuf *);
	void *ctx;
	char phone[16], card[40];
	bool by_phone;
	volatile int cancel;
	bool done, abandoned;
	enum cp_err rc;
	struct cp_member_view out;
	struct cp_errbuf err;
};

static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static int live;

static void *worker(void *arg)
{
	struct ui_lookup *l = arg;
	struct cp_member_view out;
	struct cp_errbuf err = {{0}};
	enum cp_err rc;
	bool free_it;

	memset(&out, 0, sizeof(out));
	rc = l->fn(l->ctx, l->by_phone ? l->phone : NULL, l->by_phone ? NULL : l->card, &out,
		   &l->cancel, &err);
	pthread_mutex_lock(&l->mu);
	l->rc = rc;
	l->out = out;
	l->err = err;
	l->done = true;
	free_it = l->abandoned;
	pthread_mutex_unlock(&l->mu);
	if (free_it) {
		pthread_mutex_destroy(&l->mu);
		free(l);
	}
	pthread_mutex_lock(&live_mu);
	live--;
	pthread_mutex_unlock(&live_mu);
	return NULL;
}

struct ui_lookup *cp_ui_lookup_start(const struct cp_ui_options *opts, const char *phone,
				     const char *card)
{
	struct ui_lookup *l;
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	if (!opts->remote_lookup || (!phone && !card))
		return NULL;
	if (!(l = calloc(1, sizeof(*l))))
		return NULL;
	pthread_mutex_init(&l->mu, NULL);
	l->fn = opts->remote_lookup;
	l->ctx = opts->remote_ctx;
	l->by_phone = phone != NULL;
	snprintf(l->phone, sizeof(l->phone), "%s", phone ? phone : "");
	snprintf(l->card, sizeof(l->card), "%s", card ? card : "");
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&live_mu);
	live++;
	pthread_mutex_unlock(&live_mu);
	rc = pthread_create(&t, &attr, worker, l);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		pthread_mutex_lock(&live_mu);
		live--;
		pthread_mutex_unlock(&live_mu);
		pthread_mutex_destroy(&l->mu);
		free(l);
		return NULL;
	}
	return l;
}

bool cp_ui_lookup_poll(struct ui_lookup *l, enum cp_err *rc, struct cp_member_view *out,
		       struct cp_errbuf *err)
{
	bool done;

	pthread_mutex_lock(&l->mu);
	done = l->done;
	if (done) {
		*rc = l->rc;
		*out = l->out;
		*err = l->err;
	}
	pthread_mutex_unlock(&l->mu);
	if (done) {
		pthread_mutex_destroy(&l->mu);
		free(l);
	}
	return done;
}

void cp_ui_lookup_cancel(struct ui_lookup *l)
{
	bool free_it;

	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	__atomic_store_n(&l->cancel, 1, __ATOMIC_SEQ_CST); /* the worker reads it unlocked */
	free_it = l->done;
	l->abandoned = true;
	pthread_mutex_unlock(&l->mu);
	if (free_it) {
		pthread_mutex_destroy(&l->mu);
		free(l);
	}
}

void cp_ui_lookup_drain(int ms)
{
	struct timespec step = {0, 10 * 1000 * 1000};

	for (int waited = 0; waited < ms; waited += 10) {
		int n;

		pthread_mutex_lock(&live_mu);
		n = live;
		pthread_mutex_unlock(&live_mu);
		if (!n)
			return;
		nanosleep(&step, NULL);
	}
}
