/* multiplier.h — a points multiplier as the cashier reads it, the same on every screen. */
#ifndef CP_UI_MULTIPLIER_H
#define CP_UI_MULTIPLIER_H

#include <stddef.h>

/* bp in basis points (10000 = ×1) as "×1.5", "×2", "×1.25": no trailing zeros, at most four
 * decimals. Writes into buf (len bytes) and returns it; "" when bp is not above 0. */
const char *cp_ui_multiplier(int bp, char *buf, size_t len);

#endif
