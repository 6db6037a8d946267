/* fuzz_config.c — the INI configuration parser (platform/config.c) on arbitrary bytes, read from
 * a file as the till reads it: never a crash, CP_OK or an error with a message, and after an
 * error the configuration exactly as it was. The file is made once under /tmp, removed at exit. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cp_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static int fd = -1;

static void remove_file(void)
{
	if (fd >= 0)
		close(fd);
	fd = -1;
	if (path[0])
		unlink(path);
}

static void make_file(void)
{
	snprintf(path, sizeof(path), "/tmp/fuzz_config-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		abort();
	}
	atexit(remove_file);
}

static void write_input(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (ftruncate(fd, 0) != 0)
		abort();
	while (done < size) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);

		if (n <= 0)
			abort();
		done += (size_t)n;
	}
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cp_config cfg, before;
	struct cp_errbuf err;
	enum cp_err rc;

	if (fd < 0)
		make_file();
	write_input(data, size);
	memset(&cfg, 0, sizeof(cfg));
	cp_config_defaults(&cfg);
	memcpy(&before, &cfg, sizeof(cfg));
	memset(&err, 0, sizeof(err));
	rc = cp_config_load(&cfg, path, &err);
	if (rc != CP_OK) {
		if (err.msg[0] == '\0' || !terminated(err.msg, sizeof(err.msg)))
			abort();
		if (memcmp(&cfg, &before, sizeof(cfg)) != 0)
			abort();
		return 0;
	}
	/* Accepted: every text field still a C string, and the source is the file read. */
	if (!terminated(cfg.store_id, sizeof(cfg.store_id)) ||
	    !terminated(cfg.terminal_id, sizeof(cfg.terminal_id)) ||
	    !terminated(cfg.store_name, sizeof(cfg.store_name)) ||
	    !terminated(cfg.currency, sizeof(cfg.currency)) ||
	    !terminated(cfg.db_path, sizeof(cfg.db_path)) ||
	    !terminated(cfg.sync_ca_file, sizeof(cfg.sync_ca_file)) ||
	    !terminated(cfg.sync_pin, sizeof(cfg.sync_pin)) ||
	    !terminated(cfg.ui_language, sizeof(cfg.ui_language)) ||
	    !terminated(cfg.printer_device, sizeof(cfg.printer_device)) ||
	    !terminated(cfg.printer_width, sizeof(cfg.printer_width)) ||
	    strcmp(cfg.source, path) != 0)
		abort();
	if (cfg.sync_backoff_cap_ms < cfg.sync_backoff_base_ms)
		abort();
	return 0;
}
