/* cp_config.h — the terminal's INI configuration (inih): documented keys with defaults, read
 * from a file; unknown keys and bad values are reported with file and line. */
#ifndef CP_CONFIG_H
#define CP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_config {
	/* [store] */
	char store_id[17];    /* id = S001: used by `counterpoint init` */
	char terminal_id[17]; /* terminal = T01 */
	char store_name[65];  /* name = Counterpoint Demo Store: when the store data has none */
	char currency[16];    /* currency_symbol = ¥ */
	int cutover_min;      /* business_day_cutover = 04:00 (HH:MM) */
	/* [database] */
	char db_path[1024];  /* path = (default: see cp_paths_default_db) */
	int busy_timeout_ms; /* busy_timeout_ms = 5000 */
	/* [security] */
	int pin_max_attempts;       /* pin_max_attempts = 5 */
	int pin_lockout_s;          /* pin_lockout_seconds = 300 */
	uint32_t pbkdf2_iterations; /* pbkdf2_iterations = 100000 */
	/* [sync] */
	char sync_ca_file[1024];     /* ca_file = (empty: the system's CA store) */
	char sync_pin[192];          /* pin = (empty: none) sha256//BASE64[;sha256//BASE64...] */
	int sync_batch_size;         /* batch_size = 200 */
	int sync_pull_limit;         /* pull_limit = 500 */
	int sync_connect_timeout_ms; /* connect_timeout_ms = 5000 */
	int sync_timeout_ms;         /* timeout_ms = 30000 */
	int sync_low_speed_s;        /* low_speed_seconds = 15 */
	int sync_lookup_timeout_ms;  /* lookup_timeout_ms = 2000 */
	bool sync_allow_plain_http;  /* allow_plain_http = false */
	int sync_backoff_base_ms;    /* backoff_base_ms = 1000 */
	int sync_backoff_cap_ms;     /* backoff_cap_ms = 300000 (at least backoff_base_ms) */
	int sync_interval_s;         /* interval_seconds = 10 */
	/* [points] points as payment and the offline limits (HQ's configuration overrides) */
	int points_step_fen;          /* step_fen = 100 */
	int points_max_share_bp;      /* max_share_bp = 5000 */
	char points_excluded[256];    /* excluded_categories = (empty) */
	int points_offline_member;    /* offline_member_points = 2000 */
	int points_offline_terminal;  /* offline_terminal_points = 20000 */
	int points_offline_max_hours; /* offline_max_hours = 48 */
	int points_online_minutes;    /* online_minutes = 10 */
	/* [ui] */
	char ui_language[8]; /* language = auto (auto: LANG/LC_ALL; zh_CN; en) */
	int ui_idle_lock_s;  /* idle_lock_seconds = 300 (0: never) */
	/* [printer] */
	char printer_device[1024]; /* device = (empty: no printer; receipts are still kept) */
	char printer_width[3];     /* width = 42 (32, 42 or 48 columns) */
	/* [guide] */
	int guide_protection_days; /* protection_days = 90 (-1: always, 0: never) */
	bool guide_register_binds; /* register_binds = true */
	/* [sale] */
	int sale_max_parked; /* max_parked = 5 (parked sales this till keeps, 1..50) */
	/* [pricing] how member prices, tier discounts, coupons and manual discounts stack */
	char pricing_member_tier[8]; /* member_and_tier = best (best, stack) */
	bool pricing_coupons_member; /* coupons_on_member_prices = true */
	bool pricing_manual_member;  /* manual_on_member_prices = true */
	int pricing_manual_limit_bp; /* manual_limit_bp = 1000 (above: a manager's code and PIN) */
	/* [member] */
	char member_terms_version[33]; /* terms_version = 1 (membership terms shoppers agree to) */
	char sale_rounding[16];        /* rounding = none (抹零 of the cash due; rounding.h) */
	/* [scale] */
	char scale_labels[128]; /* labels = 20PPPPPTTTTTC 21PPPPPWWWWWC (scale.h; empty: none) */
	/* [refund] */
	int refund_noreceipt_limit; /* noreceipt_limit_fen = 50000 (a refund without receipt) */
	/* where the values came from: the file read, or "" for defaults only */
	char source[1024];
};

/* Fills cfg with the defaults above (db_path empty: the caller picks the default path). */
void cp_config_defaults(struct cp_config *cfg);

/* Reads path over the values in cfg. A missing file is CP_ENOTFOUND; an unreadable one CP_EIO;
 * an unknown section or key, a bad value or a malformed line is CP_ECONFIG with
 * "FILE:LINE: ..." in err (the first problem), and cfg is then left as it was. */
enum cp_err cp_config_load(struct cp_config *cfg, const char *path, struct cp_errbuf *err);

#endif
