/* lookup.h — a member lookup at HQ on a worker thread, so that the screen keeps drawing and
 * Esc cancels it. The function doing the lookup is app's (ui never links sync). */
#ifndef CP_UI_LOOKUP_H
#define CP_UI_LOOKUP_H

#include <stdbool.h>

#include "cp_error.h"
#include "member.h"
#include "ui.h"

struct ui_lookup;

/* Starts fn(ctx, phone, card, ...) on a thread (one of phone and card is NULL). NULL when no
 * thread could be started. */
struct ui_lookup *cp_ui_lookup_start(const struct cp_ui_options *opts, const char *phone,
				     const char *card);
/* true once it has finished: *rc, *out and *err hold the answer and l is freed. */
bool cp_ui_lookup_poll(struct ui_lookup *l, enum cp_err *rc, struct cp_member_view *out,
		       struct cp_errbuf *err);
/* Asks it to stop and forgets it; the thread frees it when the function returns. NULL: no-op. */
void cp_ui_lookup_cancel(struct ui_lookup *l);
/* Waits up to ms for cancelled lookups to return (before the UI gives up its options). */
void cp_ui_lookup_drain(int ms);

#endif
