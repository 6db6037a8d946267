/* store_fetch.h — the whole store's totals asked of HQ on a worker thread, so that the
 * manager's screen keeps drawing while HQ answers (or does not). The function doing it is
 * app's (ui never links sync). One fetch at a time. */
#ifndef CP_UI_STORE_FETCH_H
#define CP_UI_STORE_FETCH_H

#include <stdbool.h>

#include "report.h"
#include "ui.h"

/* Starts opts->store_totals(opts->store_ctx, day, ...) on a thread. false when there is no such
 * function, a fetch is still running, or no thread could be started. */
bool cp_ui_store_fetch_start(const struct cp_ui_options *opts, const char *day);
/* true once a fetch has finished: *out holds its totals (reached or not, and why). */
bool cp_ui_store_fetch_poll(struct cp_store_totals *out);
/* Waits up to ms for a running fetch to return (before the UI gives up its options). */
void cp_ui_store_fetch_drain(int ms);

#endif
