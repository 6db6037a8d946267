/* cmd_backup.c — `counterpoint backup FILE`: a consistent copy of the database taken while
 * the till sells (core/backup.h, SQLite's online backup API), then checked with verify, so
 * that a backup that would not restore is known the day it is taken. */
#include <stdio.h>

#include "app.h"
#include "backup.h"

int cmd_backup(struct app *app)
{
	struct cp_errbuf err = {{0}};
	const char *live = app->dbopt.path;
	enum cp_err rc;
	int schema = 0, status;

	rc = cp_backup_copy(live, app->backup_file, &schema, &err);
	if (rc != CP_OK) {
		app_error("backup failed: %s", cp_errmsg(&err, rc));
		return rc == CP_ENOTFOUND || rc == CP_ECORRUPT || rc == CP_EEXIST || rc == CP_EINVAL
			       ? APP_EXIT_USAGE
			       : APP_EXIT_FAIL;
	}
	printf("backup: copied %s to %s (schema %d)\n", live, app->backup_file, schema);
	if (schema != cp_db_schema_version()) {
		/* verify would migrate the copy: it is kept exactly as the database was. */
		printf("backup: not verified: the copy has schema %d and this program %d; verify "
		       "it with the Counterpoint that wrote it\n",
		       schema, cp_db_schema_version());
		return APP_EXIT_OK;
	}
	app->dbopt.path = app->backup_file;
	status = cmd_verify(app);
	app->dbopt.path = live;
	if (status != APP_EXIT_OK)
		app_error("backup: the copy %s did not pass verify; keep the database and call IT",
			  app->backup_file);
	return status;
}
