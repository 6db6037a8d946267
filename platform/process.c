/* process.c — process-wide protection of secrets in memory: no core dumps and not dumpable,
 * set once at the start of main. */
#include "cp_process.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

enum cp_err cp_process_no_dumps(struct cp_errbuf *err)
{
	struct rlimit none = {0, 0};

	if (setrlimit(RLIMIT_CORE, &none) != 0)
		return cp_errf(err, CP_EIO, "cannot turn core dumps off (setrlimit: %s)",
			       strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return cp_errf(err, CP_EIO, "cannot make the process non-dumpable (prctl: %s)",
			       strerror(errno));
	return CP_OK;
}
