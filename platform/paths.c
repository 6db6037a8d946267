/* paths.c — default places for the configuration and the database: the XDG base directories
 * for a user install, /etc/counterpoint and /var/lib/counterpoint for a system-wide one,
 * creating a file's missing parent directories privately (0700), and the mode of new files
 * (private, or shared with the group of a directory made for one). */
#include "cp_paths.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSTEM_CONFIG "/etc/counterpoint/counterpoint.ini"
#define SYSTEM_DB "/var/lib/counterpoint/counterpoint.db"

static bool system_wide(void)
{
	return access(SYSTEM_CONFIG, F_OK) == 0;
}

static enum cp_err put(char *out, size_t outlen, const char *a, const char *b,
		       struct cp_errbuf *err)
{
	int n = snprintf(out, outlen, "%s%s", a, b);

	if (n < 0 || (size_t)n >= outlen)
		return cp_errf(err, CP_EINVAL, "the path %s%s is too long (at most %zu bytes)", a,
			       b, outlen ? outlen - 1 : 0);
	return CP_OK;
}

/* The XDG base directory in variable xdg, or HOME/fallback. Relative values are ignored, as
 * the XDG Base Directory Specification asks. */
static enum cp_err base_dir(const char *xdg, const char *fallback, char *out, size_t outlen,
			    struct cp_errbuf *err)
{
	const char *v = getenv(xdg), *home = getenv("HOME");
	struct passwd pw, *res = NULL;
	char pwbuf[4096];

	if (v && v[0] == '/')
		return put(out, outlen, v, "", err);
	if (!home || home[0] != '/') {
		if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &res) != 0 || !res ||
		    !res->pw_dir || res->pw_dir[0] != '/')
			return cp_errf(err, CP_ECONFIG,
				       "cannot tell the home directory: set HOME or %s, or name "
				       "the file on the command line",
				       xdg);
		home = res->pw_dir;
	}
	return put(out, outlen, home, fallback, err);
}

static enum cp_err user_path(const char *xdg, const char *fallback, const char *file, char *out,
			     size_t outlen, struct cp_errbuf *err)
{
	char dir[4096];
	enum cp_err result = base_dir(xdg, fallback, dir, sizeof(dir), err);

	if (result != CP_OK)
		return result;
	/* A trailing '/' in the variable would give "//"; harmless but ugly in messages. */
	for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
		dir[n - 1] = '\0';
	return put(out, outlen, dir, file, err);
}

enum cp_err cp_paths_default_config(char *out, size_t outlen, struct cp_errbuf *err)
{
	if (system_wide())
		return put(out, outlen, SYSTEM_CONFIG, "", err);
	return user_path("XDG_CONFIG_HOME", "/.config", "/counterpoint/counterpoint.ini", out,
			 outlen, err);
}

enum cp_err cp_paths_default_db(char *out, size_t outlen, struct cp_errbuf *err)
{
	if (system_wide())
		return put(out, outlen, SYSTEM_DB, "", err);
	return user_path("XDG_DATA_HOME", "/.local/share", "/counterpoint/counterpoint.db", out,
			 outlen, err);
}

/* Makes directory dir unless it is there; a new one gets exactly 0700 whatever the umask. */
static enum cp_err make_dir(const char *dir, struct cp_errbuf *err)
{
	struct stat sb;

	if (stat(dir, &sb) != 0) {
		if (mkdir(dir, 0700) == 0) {
			if (chmod(dir, 0700) != 0)
				return cp_errf(err, CP_EIO, "cannot set the permissions of %s: %s",
					       dir, strerror(errno));
			return CP_OK;
		}
		if (errno != EEXIST || stat(dir, &sb) != 0)
			return cp_errf(err, CP_EIO, "cannot create the directory %s: %s", dir,
				       strerror(errno));
	}
	if (!S_ISDIR(sb.st_mode))
		return cp_errf(err, CP_EIO, "cannot create the directory %s: a file is in the way",
			       dir);
	return CP_OK;
}

enum cp_err cp_paths_make_parent(const char *path, struct cp_errbuf *err)
{
	char dir[4096];
	const char *slash;
	size_t len;
	enum cp_err result;

	if (!path || !path[0])
		return cp_errf(err, CP_EINVAL, "no file was named");
	slash = strrchr(path, '/');
	if (!slash)
		return CP_OK; /* the working directory */
	len = (size_t)(slash - path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	if (len == 0)
		return CP_OK; /* the root */
	if (len >= sizeof(dir))
		return cp_errf(err, CP_EINVAL, "the path %s is too long", path);
	memcpy(dir, path, len);
	dir[len] = '\0';
	/* Each prefix in turn, so that missing grandparents are made too. */
	for (size_t i = 1; i <= len; i++) {
		if (i < len && dir[i] != '/')
			continue;
		if (i < len && dir[i - 1] == '/')
			continue; /* "a//b" */
		dir[i] = '\0';
		result = make_dir(dir, err);
		if (i < len)
			dir[i] = '/';
		if (result != CP_OK)
			return result;
	}
	return CP_OK;
}

unsigned cp_paths_file_mode(const char *path)
{
	char dir[4096];
	const char *slash = path ? strrchr(path, '/') : NULL;
	struct stat sb;
	int n;

	if (!path)
		return 0600;
	if (!slash)
		n = snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		n = snprintf(dir, sizeof(dir), "/");
	else
		n = snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (n < 0 || (size_t)n >= sizeof(dir) || stat(dir, &sb) != 0)
		return 0600;
	if ((sb.st_mode & S_IRWXG) == S_IRWXG && (sb.st_mode & S_IRWXO) == 0)
		return 0660;
	return 0600;
}

int cp_paths_open_file(const char *path, int flags)
{
	mode_t mode = (mode_t)cp_paths_file_mode(path);
	struct stat sb;
	int fd = open(path, flags | O_CREAT, mode);

	/* The umask may have taken the group's write bit; a file another account made is left
	 * as it is (its owner's umask was the package's choice, not ours to undo). */
	if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_uid == geteuid() &&
	    (sb.st_mode & 07777) != mode)
		(void)fchmod(fd, mode);
	return fd;
}
