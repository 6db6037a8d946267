/* db_vfs.c — an SQLite VFS over the default one that writes each WAL transaction's frames with
 * one write instead of two a frame (issue 14). SQLite writes a frame as its 24-byte header and
 * then its page; the shim keeps appended frames in a buffer and writes the buffer in one call
 * at the end of the commit frame, so the write's error still fails the COMMIT, before any sync,
 * and before anything that reads the file or publishes the frames to other connections.
 *
 * The invariant: the buffer is empty whenever SQLite could let another reader see the frames or
 * relies on them being in the file. A COMMIT writes its frames, syncs the WAL (synchronous=FULL)
 * and only then publishes them by writing the wal-index header in shared memory, between whose
 * two copies it calls xShmBarrier on the database file; readers take a snapshot only under a
 * shm lock. So the buffer is written: after the data of a frame whose header marks a commit
 * (a non-zero database size), before any other write that does not append to it, and before
 * xRead, xSync, xTruncate, xFileSize, a lock, a file control, xClose of the WAL, and before
 * xShmLock, xShmBarrier and xShmUnmap of its database file. Writes below what was appended
 * since the WAL header (a page rewritten in the same transaction, checksums rewritten) go
 * straight to the file. Anything else, and every other file, passes through untouched. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

#define WAL_HDR 32   /* the WAL file's header */
#define FRAME_HDR 24 /* a frame's header, before its page */
/* A larger transaction is written in pieces: the unix VFS writes at most 0x1ffff bytes a call
 * (seekAndWrite), and fails a longer write as a short one. */
#define BUF_MAX 0x1ffff
#define MAX_SHIMS 4 /* default VFSes the shim has been put over */

enum kind { K_OTHER, K_MAIN, K_WAL };

struct shim {
	sqlite3_vfs vfs;
	sqlite3_vfs *real;
	char name[32];
};

struct vfile {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct */
	enum kind kind;
	const char *name;   /* K_MAIN: the name SQLite opened it by, for its WAL to find it */
	struct vfile *peer; /* K_MAIN: its open WAL; K_WAL: its database file */
	struct vfile *next; /* the open database files */
	unsigned char *buf; /* K_WAL: frames not yet written */
	size_t len, cap;
	sqlite3_int64 off;       /* where buf[0] goes in the file */
	sqlite3_int64 hw;        /* end of what was appended since the WAL header */
	sqlite3_int64 commit_at; /* offset of the page whose frame header marks a commit; -1 */
};

static struct shim shims[MAX_SHIMS];
static struct vfile *mains;
static const sqlite3_io_methods io;

static sqlite3_mutex *lock(void)
{
	sqlite3_mutex *m = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_VFS2);

	sqlite3_mutex_enter(m);
	return m;
}

static sqlite3_file *real(sqlite3_file *f)
{
	return ((struct vfile *)f)->real;
}

/* Writes the buffer with one call. On failure the buffer is dropped: the call that flushed
 * fails, SQLite rolls the transaction back, and its frames lie beyond the last commit, where
 * no reader looks and the next transaction writes again. */
static int flush(struct vfile *f)
{
	int rc;

	if (!f || !f->len)
		return SQLITE_OK;
	rc = f->real->pMethods->xWrite(f->real, f->buf, (int)f->len, f->off);
	if (rc != SQLITE_OK && f->hw > f->off)
		f->hw = f->off; /* the transaction's frames will be appended there again */
	f->len = 0;
	return rc;
}

static int flush_peer(sqlite3_file *f)
{
	return flush(((struct vfile *)f)->peer);
}

static bool buffer(struct vfile *f, const void *p, int n, sqlite3_int64 off)
{
	size_t need = f->len + (size_t)n;

	if (need > BUF_MAX)
		return false;
	if (need > f->cap) {
		size_t cap = f->cap ? f->cap : 64 * 1024;
		unsigned char *b;

		while (cap < need)
			cap *= 2;
		if (!(b = realloc(f->buf, cap)))
			return false;
		f->buf = b;
		f->cap = cap;
	}
	if (!f->len)
		f->off = off;
	memcpy(f->buf + f->len, p, (size_t)n);
	f->len = need;
	return true;
}

static int wal_write(struct vfile *f, const void *p, int n, sqlite3_int64 off)
{
	const unsigned char *b = p;
	bool commit_page = off == f->commit_at;
	int rc;

	if (off == 0 && n == WAL_HDR) {
		if ((rc = flush(f)) != SQLITE_OK)
			return rc;
		f->hw = 0; /* a new WAL: what follows the header is appended again */
	}
	if (f->len && off != f->off + (sqlite3_int64)f->len && (rc = flush(f)) != SQLITE_OK)
		return rc;
	f->commit_at = -1;
	if (n == FRAME_HDR && (b[4] | b[5] | b[6] | b[7]))
		f->commit_at = off + FRAME_HDR;
	if (!f->len && off < f->hw)
		return f->real->pMethods->xWrite(f->real, p, n, off);
	if (off + n > f->hw)
		f->hw = off + n;
	if (!buffer(f, p, n, off)) {
		if ((rc = flush(f)) != SQLITE_OK)
			return rc;
		if (!buffer(f, p, n, off))
			return f->real->pMethods->xWrite(f->real, p, n, off);
	}
	return commit_page ? flush(f) : SQLITE_OK;
}

static int v_close(sqlite3_file *file)
{
	struct vfile *f = (struct vfile *)file;
	int rc = f->kind == K_WAL ? flush(f) : SQLITE_OK, rc2;

	if (f->kind == K_MAIN) {
		sqlite3_mutex *m = lock();

		for (struct vfile **p = &mains; *p; p = &(*p)->next) {
			if (*p == f) {
				*p = f->next;
				break;
			}
		}
		sqlite3_mutex_leave(m);
	}
	if (f->peer)
		f->peer->peer = NULL;
	f->peer = NULL;
	free(f->buf);
	f->buf = NULL;
	rc2 = f->real->pMethods->xClose(f->real);
	file->pMethods = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

/* The WAL's own calls that read it, size it, make it durable or change its locks. */
#define WAL_FLUSH(file)                                                                            \
	do {                                                                                       \
		struct vfile *f_ = (struct vfile *)(file);                                         \
		int rc_;                                                                           \
		if (f_->kind == K_WAL && (rc_ = flush(f_)) != SQLITE_OK)                           \
			return rc_;                                                                \
	} while (0)

static int v_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	WAL_FLUSH(f);
	return real(f)->pMethods->xRead(real(f), p, n, off);
}

static int v_write(sqlite3_file *file, const void *p, int n, sqlite3_int64 off)
{
	struct vfile *f = (struct vfile *)file;

	if (f->kind == K_WAL && f->peer)
		return wal_write(f, p, n, off);
	WAL_FLUSH(f);
	return f->real->pMethods->xWrite(f->real, p, n, off);
}

static int v_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct vfile *v = (struct vfile *)f;

	WAL_FLUSH(f);
	if (v->hw > size)
		v->hw = size;
	return real(f)->pMethods->xTruncate(real(f), size);
}

static int v_sync(sqlite3_file *f, int flags)
{
	WAL_FLUSH(f);
	return real(f)->pMethods->xSync(real(f), flags);
}

static int v_size(sqlite3_file *f, sqlite3_int64 *size)
{
	WAL_FLUSH(f);
	return real(f)->pMethods->xFileSize(real(f), size);
}

static int v_lock(sqlite3_file *f, int level)
{
	WAL_FLUSH(f);
	return real(f)->pMethods->xLock(real(f), level);
}

/* A lock is always released, whatever the flush says. */
static int v_unlock(sqlite3_file *f, int level)
{
	struct vfile *v = (struct vfile *)f;
	int rc = v->kind == K_WAL ? flush(v) : SQLITE_OK, rc2;

	rc2 = v->real->pMethods->xUnlock(v->real, level);
	return rc != SQLITE_OK ? rc : rc2;
}

static int v_check(sqlite3_file *f, int *out)
{
	WAL_FLUSH(f);
	return real(f)->pMethods->xCheckReservedLock(real(f), out);
}

static int v_control(sqlite3_file *f, int op, void *arg)
{
	int rc;

	WAL_FLUSH(f);
	if (((struct vfile *)f)->kind == K_MAIN && (rc = flush_peer(f)) != SQLITE_OK)
		return rc;
	return real(f)->pMethods->xFileControl(real(f), op, arg);
}

static int v_sector(sqlite3_file *f)
{
	return real(f)->pMethods->xSectorSize(real(f));
}

static int v_chars(sqlite3_file *f)
{
	return real(f)->pMethods->xDeviceCharacteristics(real(f));
}

static int v_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **p)
{
	return real(f)->pMethods->xShmMap(real(f), pg, pgsz, extend, p);
}

static int v_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	int rc = flush_peer(f);

	/* Released whatever the flush says (SQLite does not retry an unlock); not taken after a
	 * failed flush. */
	if (flags & SQLITE_SHM_UNLOCK)
		return real(f)->pMethods->xShmLock(real(f), off, n, flags);
	if (rc != SQLITE_OK)
		return rc;
	return real(f)->pMethods->xShmLock(real(f), off, n, flags);
}

/* Inside walIndexWriteHdr, before the header readers check is written: the frames must be in
 * the file by then. A commit's frames were written at its commit frame already (where an error
 * fails the COMMIT); this catches anything else. */
static void v_shm_barrier(sqlite3_file *f)
{
	flush_peer(f);
	real(f)->pMethods->xShmBarrier(real(f));
}

static int v_shm_unmap(sqlite3_file *f, int del)
{
	flush_peer(f);
	return real(f)->pMethods->xShmUnmap(real(f), del);
}

/* A real VFS older than version 3 maps nothing: *pp = NULL makes SQLite read instead. */
static int v_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	*pp = NULL;
	WAL_FLUSH(f);
	if (real(f)->pMethods->iVersion < 3)
		return SQLITE_OK;
	return real(f)->pMethods->xFetch(real(f), off, n, pp);
}

static int v_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	if (real(f)->pMethods->iVersion < 3)
		return SQLITE_OK;
	return real(f)->pMethods->xUnfetch(real(f), off, p);
}

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out)
{
	struct shim *s = vfs->pAppData;
	struct vfile *f = (struct vfile *)file;
	sqlite3_mutex *m;
	int rc;

	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(f + 1);
	f->commit_at = -1;
	rc = s->real->xOpen(s->real, name, f->real, flags, out);
	if (!f->real->pMethods) {
		file->pMethods = NULL;
		return rc;
	}
	file->pMethods = &io;
	if (rc != SQLITE_OK || !name)
		return rc;
	m = lock();
	if (flags & SQLITE_OPEN_MAIN_DB) {
		f->kind = K_MAIN;
		f->name = name;
		f->next = mains;
		mains = f;
	} else if (flags & SQLITE_OPEN_WAL) {
		const char *db = sqlite3_filename_database(name);

		f->kind = K_WAL;
		/* Its database file, opened by the same pager: the name is the same pointer. A WAL
		 * whose database file is not found here is written straight through. */
		for (struct vfile *p = mains; p; p = p->next) {
			if (p->name == db && !p->peer) {
				p->peer = f;
				f->peer = p;
				break;
			}
		}
	}
	sqlite3_mutex_leave(m);
	return rc;
}

static int v_delete(sqlite3_vfs *v, const char *name, int sync)
{
	sqlite3_vfs *r = ((struct shim *)v->pAppData)->real;

	return r->xDelete(r, name, sync);
}

static int v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	sqlite3_vfs *r = ((struct shim *)v->pAppData)->real;

	return r->xAccess(r, name, flags, out);
}

static int v_full(sqlite3_vfs *v, const char *name, int n, char *out)
{
	sqlite3_vfs *r = ((struct shim *)v->pAppData)->real;

	return r->xFullPathname(r, name, n, out);
}

static void *v_dlopen(sqlite3_vfs *v, const char *name)
{
	sqlite3_vfs *r = ((struct shim *)v->pAppData)->real;

	return r->xDlOpen(r, name);
}

static void v_dlerror(sqlite3_vfs *v, int n, char *msg)
{
	sqlite3_vfs *r = ((struct shim *)v->pAppData)->real;

	r->xDlError(r, n, msg);
}

static void (*v_dlsym(sqlite3_vfs *v, void *lib, const char *sym))(void)
{
	sqlite3_vfs *r = ((struct shim *)v->pAppData)->real;

	return r->xDlSym(r, lib, sym);
}

static void v_dlclose(sqlite3_vfs *v, void *lib)
{
	sqlite3_vfs *r = ((struct shim *)v->pAppData)->real;

	r->xDlClose(r, lib);
}

static int v_random(sqlite3_vfs *v, int n, char *out)
{
	sqlite3_vfs *r = ((struct shim *)v->pAppData)->real;

	return r->xRandomness(r, n, out);
}

static int v_sleep(sqlite3_vfs *v, int us)
{
	sqlite3_vfs *r = ((struct shim *)v->pAppData)->real;

	return r->xSleep(r, us);
}

static int v_time(sqlite3_vfs *v, double *out)
{
	sqlite3_vfs *r = ((struct shim *)v->pAppData)->real;

	return r->xCurrentTime(r, out);
}

static int v_error(sqlite3_vfs *v, int n, char *out)
{
	sqlite3_vfs *r = ((struct shim *)v->pAppData)->real;

	return r->xGetLastError(r, n, out);
}

static int v_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	sqlite3_vfs *r = ((struct shim *)v->pAppData)->real;

	double d = 0;
	int rc;

	if (r->iVersion >= 2 && r->xCurrentTimeInt64)
		return r->xCurrentTimeInt64(r, out);
	rc = r->xCurrentTime(r, &d);
	*out = (sqlite3_int64)(d * 86400000.0);
	return rc;
}

static const sqlite3_io_methods io = {
	.iVersion = 3,
	.xClose = v_close,
	.xRead = v_read,
	.xWrite = v_write,
	.xTruncate = v_truncate,
	.xSync = v_sync,
	.xFileSize = v_size,
	.xLock = v_lock,
	.xUnlock = v_unlock,
	.xCheckReservedLock = v_check,
	.xFileControl = v_control,
	.xSectorSize = v_sector,
	.xDeviceCharacteristics = v_chars,
	.xShmMap = v_shm_map,
	.xShmLock = v_shm_lock,
	.xShmBarrier = v_shm_barrier,
	.xShmUnmap = v_shm_unmap,
	.xFetch = v_fetch,
	.xUnfetch = v_unfetch,
};

const char *cp_db_vfs_name(void)
{
	sqlite3_vfs *dflt = sqlite3_vfs_find(NULL);
	sqlite3_mutex *m;
	const char *name = NULL;
	int i;

	if (!dflt)
		return NULL;
	if (dflt->xOpen == v_open)
		return dflt->zName;
	m = lock();
	for (i = 0; i < MAX_SHIMS && shims[i].real && shims[i].real != dflt; i++)
		;
	if (i < MAX_SHIMS && shims[i].real == dflt) {
		name = shims[i].name;
	} else if (i < MAX_SHIMS) {
		struct shim *s = &shims[i];

		snprintf(s->name, sizeof(s->name), "cp-wal-batch-%d", i);
		s->vfs = (sqlite3_vfs){
			.iVersion = 2,
			.szOsFile = (int)sizeof(struct vfile) + dflt->szOsFile,
			.mxPathname = dflt->mxPathname,
			.zName = s->name,
			.pAppData = s,
			.xOpen = v_open,
			.xDelete = v_delete,
			.xAccess = v_access,
			.xFullPathname = v_full,
			.xDlOpen = v_dlopen,
			.xDlError = v_dlerror,
			.xDlSym = v_dlsym,
			.xDlClose = v_dlclose,
			.xRandomness = v_random,
			.xSleep = v_sleep,
			.xCurrentTime = v_time,
			.xGetLastError = v_error,
			.xCurrentTimeInt64 = v_time64,
		};
		if (sqlite3_vfs_register(&s->vfs, 0) == SQLITE_OK) {
			s->real = dflt;
			name = s->name;
		}
	}
	/* More default VFSes than MAX_SHIMS (tests that install their own): no shim. */
	sqlite3_mutex_leave(m);
	return name;
}
