/* powercut.c — an LD_PRELOAD shim for tests: a power cut at a chosen write. Until a file is
 * made durable by fsync or fdatasync, every write to it is only in the page cache; a power cut
 * loses all of those. The shim keeps, per file, a shadow of what each page held when the file
 * was last made durable (and the durable size), as SQLite's crash-test VFS does. Before the Nth
 * call that changes or flushes a regular file (write, pwrite, pwrite64, ftruncate, fsync,
 * fdatasync), it puts back every shadowed page, truncates each file to its durable size, and
 * kills the process with SIGKILL: what is left on disk is exactly what had been made durable.
 *
 *   CP_POWERCUT_AT     N (1 = before the first such call); unset or 0 = never cut
 *   CP_POWERCUT_COUNT  optional path: at exit, the number of such calls is written there
 *   CP_POWERCUT_FLUSH  1 = pass fsync and fdatasync on to the disk too (default: the shim
 *                      only records them, which makes runs faster; a test machine keeps power)
 *
 * The model is the strict one: no unsynced write survives, even a whole page. Files named
 * "*-shm" are SQLite's shared-memory index, rebuilt from the WAL after a cut, and are not
 * tracked. A rename or unlink is taken as durable at once (the directory entry), and the
 * contents a file had when the process first wrote it are taken as durable. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define PAGE 4096
#define MAX_FILES 64

struct shadow {
	off_t page; /* page number */
	size_t len; /* bytes of the durable contents in this page */
	unsigned char data[PAGE];
};

struct file {
	dev_t dev;
	ino_t ino;
	char path[4096];
	off_t durable; /* size when last made durable */
	struct shadow *pages;
	size_t used, cap;
};

static struct file files[MAX_FILES];
static size_t nfiles;
static long calls;
/* The flush itself is skipped unless CP_POWERCUT_FLUSH=1: the shim decides what a cut keeps,
 * and hundreds of runs go faster without waiting for the disk. */
static int real_flush;

__attribute__((constructor)) static void setup(void)
{
	const char *v = getenv("CP_POWERCUT_FLUSH");

	real_flush = v && strcmp(v, "1") == 0;
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

static ssize_t real_pread(int fd, void *buf, size_t n, off_t off)
{
	return REAL("pread", ssize_t(*)(int, void *, size_t, off_t))(fd, buf, n, off);
}

static ssize_t real_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return REAL("pwrite", ssize_t(*)(int, const void *, size_t, off_t))(fd, buf, n, off);
}

static int real_ftruncate(int fd, off_t len)
{
	return REAL("ftruncate", int (*)(int, off_t))(fd, len);
}

/* The tracked file behind fd, added on first sight; NULL for what is not tracked. */
static struct file *lookup(int fd)
{
	struct stat st;
	char link[64];
	ssize_t n;
	struct file *f;
	size_t len;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	for (size_t i = 0; i < nfiles; i++)
		if (files[i].dev == st.st_dev && files[i].ino == st.st_ino)
			return &files[i];
	if (nfiles == MAX_FILES)
		return NULL;
	f = &files[nfiles];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, f->path, sizeof(f->path) - 1);
	if (n <= 0)
		return NULL;
	f->path[n] = '\0';
	len = (size_t)n;
	if (len > 4 && strcmp(f->path + len - 4, "-shm") == 0)
		return NULL;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->durable = st.st_size;
	f->pages = NULL;
	f->used = f->cap = 0;
	nfiles++;
	return f;
}

static int shadowed(const struct file *f, off_t page)
{
	for (size_t i = 0; i < f->used; i++)
		if (f->pages[i].page == page)
			return 1;
	return 0;
}

/* Keeps the durable contents of the pages [from, to) of f (read through fd) before they
 * change. A page that cannot be read is a broken test: the process stops loudly. */
static void keep(struct file *f, int fd, off_t from, off_t to)
{
	if (to > f->durable)
		to = f->durable;
	for (off_t p = from / PAGE; p * PAGE < to; p++) {
		struct shadow *s;
		off_t start = p * PAGE;
		size_t want = (size_t)(f->durable - start < PAGE ? f->durable - start : PAGE);

		if (shadowed(f, p))
			continue;
		if (f->used == f->cap) {
			size_t cap = f->cap ? f->cap * 2 : 64;
			struct shadow *more = realloc(f->pages, cap * sizeof(*more));

			if (!more)
				abort();
			f->pages = more;
			f->cap = cap;
		}
		s = &f->pages[f->used];
		s->page = p;
		s->len = want;
		if (real_pread(fd, s->data, want, start) != (ssize_t)want) {
			fprintf(stderr, "powercut: cannot read %s at %lld\n", f->path,
				(long long)start);
			abort();
		}
		f->used++;
	}
}

/* The power goes: every file back to its durable contents, then the process dies. */
static void cut(void)
{
	for (size_t i = 0; i < nfiles; i++) {
		struct file *f = &files[i];
		struct stat st;
		int fd = open(f->path, O_WRONLY | O_CLOEXEC);

		if (fd < 0)
			continue; /* unlinked: gone, as the directory entry said */
		if (fstat(fd, &st) == 0 && st.st_dev == f->dev && st.st_ino == f->ino) {
			for (size_t j = 0; j < f->used; j++)
				if (real_pwrite(fd, f->pages[j].data, f->pages[j].len,
						f->pages[j].page * PAGE) !=
				    (ssize_t)f->pages[j].len)
					abort();
			if (real_ftruncate(fd, f->durable) != 0)
				abort();
		}
		close(fd);
	}
	raise(SIGKILL);
}

static void step(void)
{
	const char *at = getenv("CP_POWERCUT_AT");
	long n = at ? strtol(at, NULL, 10) : 0;

	if (++calls >= n && n > 0)
		cut();
}

static void durable(int fd)
{
	struct file *f = lookup(fd);
	struct stat st;

	if (!f || fstat(fd, &st) != 0)
		return;
	f->used = 0;
	f->durable = st.st_size;
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("CP_POWERCUT_COUNT");
	FILE *out = path && *path ? fopen(path, "w") : NULL;

	if (out) {
		fprintf(out, "%ld\n", calls);
		fclose(out);
	}
}

/* Before a write of n bytes at off to fd: counted, and the pages it changes are kept. */
static void before_write(int fd, size_t n, off_t off)
{
	struct file *f = lookup(fd);

	if (!f)
		return;
	step();
	keep(f, fd, off, off + (off_t)n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	int saved = errno;

	before_write(fd, n, off);
	errno = saved;
	return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	int saved = errno;

	before_write(fd, n, off);
	errno = saved;
	return REAL("pwrite64", ssize_t(*)(int, const void *, size_t, off64_t))(fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	int saved = errno;
	struct file *f = lookup(fd);

	if (f) {
		int fl = fcntl(fd, F_GETFL);
		off_t off = lseek(fd, 0, SEEK_CUR);
		struct stat st;

		if (fl != -1 && (fl & O_ACCMODE) == O_RDWR && off >= 0) {
			if ((fl & O_APPEND) && fstat(fd, &st) == 0)
				off = st.st_size;
			before_write(fd, n, off);
		} else {
			step(); /* write-only: counted, not kept (its pages cannot be read back) */
		}
	}
	errno = saved;
	return REAL("write", ssize_t(*)(int, const void *, size_t))(fd, buf, n);
}

int ftruncate(int fd, off_t len)
{
	int saved = errno;
	struct file *f = lookup(fd);
	struct stat st;

	if (f) {
		step();
		if (fstat(fd, &st) == 0 && len < st.st_size &&
		    (fcntl(fd, F_GETFL) & O_ACCMODE) != O_WRONLY)
			keep(f, fd, len, st.st_size);
	}
	errno = saved;
	return real_ftruncate(fd, len);
}

int fsync(int fd)
{
	int saved = errno, rc;

	if (lookup(fd))
		step();
	errno = saved;
	rc = real_flush ? REAL("fsync", int (*)(int))(fd) : 0;
	saved = errno;
	if (rc == 0)
		durable(fd);
	errno = saved;
	return rc;
}

int fdatasync(int fd)
{
	int saved = errno, rc;

	if (lookup(fd))
		step();
	errno = saved;
	rc = real_flush ? REAL("fdatasync", int (*)(int))(fd) : 0;
	saved = errno;
	if (rc == 0)
		durable(fd);
	errno = saved;
	return rc;
}
