// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope cache: the page cache per file (PATH..., --pid), system-wide
 * (--top, a census of every inode with page cache) and its activity
 * (--watch), from the files' own address_spaces and the kernel's counters.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cache.h"
#include "cols.h"
#include "common.h"
#include "json.h"

#define BAR_WIDTH	40
#define MAP_CHUNK	(64 * 1024)	/* map bytes per call: 2 GiB of file */

enum {
	FC_DEV, FC_INODE, FC_SIZE, FC_CACHED, FC_PERCENT, FC_DIRTY, FC_WBACK,
	FC_BLOCKDEV, FC_RANGES, FC_PATH,
};

static const struct col_desc file_cols[] = {
	[FC_DEV] = { "DEV", "dev", COL_U64, 7, 0,
		     "device of the file system, MAJ:MIN (st_dev in JSON)" },
	[FC_INODE] = { "INODE", "ino", COL_U64, 10, COL_RIGHT,
		       "inode number" },
	[FC_SIZE] = { "SIZE", "size_pages", COL_PAGES, 7,
		      COL_DEFAULT | COL_RIGHT, "size of the file" },
	[FC_CACHED] = { "CACHED", "cached_pages", COL_PAGES, 7,
			COL_DEFAULT | COL_RIGHT, "in the page cache" },
	[FC_PERCENT] = { "PERCENT", "cached_percent", COL_F64, 7,
			 COL_DEFAULT | COL_RIGHT, "share of the file cached" },
	[FC_DIRTY] = { "DIRTY", "dirty_pages", COL_PAGES, 7,
		       COL_DEFAULT | COL_RIGHT, "cached and dirty" },
	[FC_WBACK] = { "WBACK", "writeback_pages", COL_PAGES, 7,
		       COL_DEFAULT | COL_RIGHT, "under writeback" },
	[FC_BLOCKDEV] = { "BLOCKDEV", "blockdev", COL_BOOL, 3, 0,
			  "a block device's cache (Buffers)" },
	[FC_RANGES] = { "RANGES", "ranges", COL_RANGES, 0.2, COL_TRUNC,
			"cached pages, first-last (with -v; else null)" },
	[FC_PATH] = { "PATH", "path", COL_STR, 0.4, COL_DEFAULT,
		      "the path" },
};

enum {
	WC_INTERVAL, WC_CACHE, WC_NET, WC_RECLAIMED, WC_REFAULT, WC_ACTIVATE,
	WC_READ, WC_DIRTIED, WC_WRITTEN, WC_DIRTY, WC_WBACK,
};

static const struct col_desc watch_cols[] = {
	[WC_INTERVAL] = { "INTERVAL", "interval_s", COL_F64, 8, COL_RIGHT,
			  "seconds between two samples, measured" },
	[WC_CACHE] = { "CACHE", "cache_pages", COL_PAGES, 8,
		       COL_DEFAULT | COL_RIGHT,
		       "page cache now (Cached + Buffers)" },
	[WC_NET] = { "NET", "net_pages_per_s", COL_F64, 8,
		     COL_DEFAULT | COL_RIGHT, "its change, pages/s" },
	[WC_RECLAIMED] = { "RECLAIMED", "reclaimed_pages_per_s", COL_F64, 9,
			   COL_DEFAULT | COL_RIGHT,
			   "file pages reclaimed (pgsteal_file), pages/s" },
	[WC_REFAULT] = { "REFAULT", "refault_pages_per_s", COL_F64, 8,
			 COL_DEFAULT | COL_RIGHT,
			 "evicted file pages read again "
			 "(workingset_refault_file), pages/s" },
	[WC_ACTIVATE] = { "ACTIVATE", "activate_pages_per_s", COL_F64, 8,
			  COL_DEFAULT | COL_RIGHT,
			  "refaults activated at once "
			  "(workingset_activate_file), pages/s" },
	[WC_READ] = { "READ", "read_bytes_per_s", COL_F64, 10,
		      COL_DEFAULT | COL_RIGHT,
		      "read from block devices (pgpgin), bytes/s" },
	[WC_DIRTIED] = { "DIRTIED", "dirtied_pages_per_s", COL_F64, 8,
			 COL_DEFAULT | COL_RIGHT,
			 "pages dirtied (nr_dirtied), pages/s" },
	[WC_WRITTEN] = { "WRITTEN", "written_pages_per_s", COL_F64, 8,
			 COL_DEFAULT | COL_RIGHT,
			 "pages written back (nr_written), pages/s" },
	[WC_DIRTY] = { "DIRTY", "dirty_pages", COL_PAGES, 7,
		       COL_DEFAULT | COL_RIGHT, "dirty now" },
	[WC_WBACK] = { "WBACK", "writeback_pages", COL_PAGES, 7,
		       COL_DEFAULT | COL_RIGHT, "under writeback now" },
};

static void cache_help(FILE *out)
{
	fputs("Usage: vmscope cache [options] [-v] PATH...\n"
	      "       vmscope cache [options] --top N\n"
	      "       vmscope cache [options] [-v] --pid PID\n"
	      "       vmscope cache [options] --watch SECONDS [--count N]\n"
	      "\n"
	      "The page cache, read from each file's own address_space in the\n"
	      "kernel (not mincore()): pages cached, dirty and under writeback.\n"
	      "PATH: files and block devices; directories are walked (symbolic\n"
	      "links are not followed).  Root sees every file; another user\n"
	      "the files they own or may write (as cachestat(2) allows).\n"
	      "--top N: a census of every inode with page cache on every mounted\n"
	      "file system and of the block devices (Buffers), N largest first,\n"
	      "beside /proc/meminfo's Cached + Buffers.  Root only.  It cannot\n"
	      "see the swap cache, inodes being created or freed, nor pages in\n"
	      "no file's mapping.\n"
	      "--pid PID: the files PID maps or holds open; deleted ones with\n"
	      "\"(deleted)\" after their path, as /proc/PID/maps shows them (a\n"
	      "deleted file that is only mapped: root only); the files the\n"
	      "caller may not count are left out, and a warning says how many.\n"
	      "--watch SECONDS: page-cache activity per second from the kernel's\n"
	      "counters.  No hit ratio: the kernel counts misses (reads from\n"
	      "disk, refaults), not hits.\n"
	      "\n"
	      "Options:\n", out);
	cols_help_options(out);
	fputs("  -v, --map            a residency bar and the cached ranges per file\n"
	      "  -t, --top N          the census, N files\n"
	      "  -p, --pid PID        files of a process\n"
	      "  -w, --watch SECONDS  page-cache activity (with --json: one object\n"
	      "                       a line, every watch column)\n"
	      "  -c, --count N        with --watch: stop after N samples\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "Tables show sizes (4.0K; bytes with -b); JSON counts pages.  --top\n"
	      "shows DEV and INODE first.  Bar (-v): 'O' every page of the cell\n"
	      "cached, 'o' some.  With -n or -r only the table is printed.\n"
	      "JSON: {files: [one object per file, keys below], cached_pages};\n"
	      "--top adds total_pages, files_total, meminfo_cached_pages,\n"
	      "meminfo_buffers_pages, superblocks, inodes_visited; --watch writes\n"
	      "one object a line with the watch columns.\n", out);
	cols_help_columns(out, NULL, file_cols, ARRAY_SIZE(file_cols));
	cols_help_columns(out, "Output columns with --watch (per second)",
			  watch_cols, ARRAY_SIZE(watch_cols));
}

/* ---- one file ---- */

static void map_ranges(struct cache_file *f, const uint8_t *map, uint64_t base,
		       uint64_t nbits)
{
	uint64_t i;

	for (i = 0; i < nbits; i++) {
		if (!(map[i / 8] & (1U << (i % 8))))
			continue;
		if (f->nr_ranges && f->ranges[f->nr_ranges - 1][1] == base + i - 1) {
			f->ranges[f->nr_ranges - 1][1] = base + i;
			continue;
		}
		if (f->nr_ranges == f->cap_ranges) {
			f->cap_ranges = f->cap_ranges ? f->cap_ranges * 2 : 16;
			f->ranges = realloc(f->ranges, f->cap_ranges *
					    sizeof(*f->ranges));
			if (!f->ranges)
				err(1, "realloc");
		}
		f->ranges[f->nr_ranges][0] = base + i;
		f->ranges[f->nr_ranges][1] = base + i;
		f->nr_ranges++;
	}
}

/**
 * cache_count_fd() - the page cache of an open file, whole
 * @dev: /dev/vmscope
 * @fd: the file
 * @f: filled in (counts; ranges when @want_map)
 * @want_map: collect the cached ranges
 *
 * Return: 0, or -1 with errno set.
 */
int cache_count_fd(int dev, int fd, struct cache_file *f, bool want_map)
{
	static uint8_t map[MAP_CHUNK];
	struct vmscope_filecache fc;
	uint64_t start = 0;

	f->cached = f->dirty = f->writeback = 0;
	do {
		memset(&fc, 0, sizeof(fc));
		fc.size = sizeof(fc);
		fc.fd = fd;
		fc.start = start;
		if (want_map) {
			fc.map = (uintptr_t)map;
			fc.map_bytes = sizeof(map);
		}
		if (ioctl(dev, VMSCOPE_IOC_FILECACHE, &fc))
			return -1;
		f->size_pages = fc.size_pages;
		f->cached += fc.cached_pages;
		f->dirty += fc.dirty_pages;
		f->writeback += fc.writeback_pages;
		f->blockdev = fc.out_flags & VMSCOPE_FILECACHE_BLOCKDEV;
		if (want_map)
			map_ranges(f, map, start, fc.next - start);
		start = fc.next;
	} while (!(fc.out_flags & VMSCOPE_FILECACHE_DONE));
	return 0;
}

static struct cache_list files;
static bool failed;

static void list_add(struct cache_list *l, const struct cache_file *f)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			err(1, "realloc");
	}
	l->v[l->n++] = *f;
}

static void count_path(int dev, int dirfd, const char *name,
		       const char *path, bool want_map);

static void count_dir(int dev, int fd, const char *path, bool want_map)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	char *sub;

	if (!d) {
		warn("%s", path);
		close(fd);
		failed = true;
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (asprintf(&sub, "%s/%s", path, de->d_name) < 0)
			err(1, "asprintf");
		count_path(dev, dirfd(d), de->d_name, sub, want_map);
		free(sub);
	}
	closedir(d);
}

static void count_path(int dev, int dirfd, const char *name,
		       const char *path, bool want_map)
{
	/* links inside a directory are not followed; one named is, as du -H */
	int nofollow = dirfd == AT_FDCWD ? 0 : O_NOFOLLOW;
	struct cache_file f = { 0 };
	struct stat st;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | nofollow | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP && nofollow)	/* a link in a directory */
			return;
		warn("%s: cannot open it", path);
		failed = true;
		return;
	}
	if (fstat(fd, &st))
		err(1, "%s", path);
	if (S_ISDIR(st.st_mode)) {
		count_dir(dev, fd, path, want_map);
		return;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		close(fd);
		if (dirfd == AT_FDCWD) {
			warnx("%s: not a regular file, block device or "
			      "directory: it has no page cache", path);
			failed = true;
		}
		return;
	}
	if (cache_count_fd(dev, fd, &f, want_map)) {
		if (errno == EPERM)
			warnx("%s: not yours and not writable by you: as with "
			      "cachestat(2), its page cache is not shown (root "
			      "sees every file)", path);
		else
			warn("%s: VMSCOPE_IOC_FILECACHE", path);
		failed = true;
	} else {
		f.path = strdup(path);
		f.dev = st.st_dev;
		f.ino = st.st_ino;
		list_add(&files, &f);
	}
	close(fd);
}

/* ---- output ---- */

/* vmtouch -v's bar: each cell a run of pages, 'O' all cached, 'o' some. */
static void print_bar(const struct cache_file *f)
{
	uint64_t n = f->size_pages, cell, lo, hi, in;
	size_t r = 0;
	int c;

	if (!n)
		return;
	printf("    [");
	for (c = 0; c < BAR_WIDTH; c++) {
		lo = n * c / BAR_WIDTH;
		hi = n * (c + 1) / BAR_WIDTH;
		if (hi == lo)
			hi = lo + 1;
		cell = hi - lo;
		in = 0;
		while (r < f->nr_ranges && f->ranges[r][1] < lo)
			r++;
		for (size_t k = r; k < f->nr_ranges && f->ranges[k][0] < hi; k++) {
			uint64_t a = f->ranges[k][0] > lo ? f->ranges[k][0] : lo;
			uint64_t b = f->ranges[k][1] + 1 < hi ? f->ranges[k][1] + 1 : hi;

			in += b - a;
		}
		putchar(in == cell ? 'O' : in ? 'o' : ' ');
	}
	printf("] %" PRIu64 "/%" PRIu64 "\n", f->cached, f->size_pages);
	if (!f->nr_ranges)
		return;
	printf("    pages");
	for (r = 0; r < f->nr_ranges && r < 8; r++) {
		printf("%s%" PRIu64, r ? "," : " ", f->ranges[r][0]);
		if (f->ranges[r][1] > f->ranges[r][0])
			printf("-%" PRIu64, f->ranges[r][1]);
	}
	printf("%s\n", f->nr_ranges > 8 ? ",..." : "");
}

/* One file; -v in a table (a stream) draws its bar below it. */
static void file_row(struct cols *c, const struct cache_file *f,
		     bool want_map)
{
	struct col_val cv[ARRAY_SIZE(file_cols)];
	char dev[24];

	snprintf(dev, sizeof(dev), "%u:%u", major(f->dev), minor(f->dev));
	cv[FC_DEV] = CV_UT(f->dev, dev);
	cv[FC_INODE] = CV_U(f->ino);
	cv[FC_SIZE] = CV_U(f->size_pages);
	cv[FC_CACHED] = CV_U(f->cached);
	cv[FC_PERCENT] = CV_F(f->size_pages ?
			      100.0 * f->cached / f->size_pages : 0);
	cv[FC_DIRTY] = CV_U(f->dirty);
	cv[FC_WBACK] = CV_U(f->writeback);
	cv[FC_BLOCKDEV] = CV_B(f->blockdev);
	cv[FC_RANGES] = want_map ?
			CV_RG((const unsigned long long *)f->ranges,
			      f->nr_ranges) : CV_NULL;
	cv[FC_PATH] = CV_S(f->path && *f->path ? f->path : "?");
	if (!c->stream) {
		cols_row(c, cv);
		return;
	}
	cols_stream_row(c, cv);
	if (!c->o->raw && !c->o->noheadings)
		print_bar(f);
}

/*
 * The files as a table (a stream with -v, so that each bar is drawn
 * below its file), or as the JSON list "files".
 */
static void files_table(struct cols *c, struct json *j,
			const struct cache_list *l, size_t n, bool want_map)
{
	size_t i;

	if (want_map && !c->o->json) {
		cols_stream_begin(c, false);
		for (i = 0; i < n; i++)
			file_row(c, &l->v[i], want_map);
		return;
	}
	cols_begin(c, j, "files");
	for (i = 0; i < n; i++)
		file_row(c, &l->v[i], want_map);
	cols_end(c);
}

static void files_output(struct cols *c, const struct cache_list *l,
			 bool want_map)
{
	uint64_t cached = 0;
	struct json j;
	size_t i;

	for (i = 0; i < l->n; i++)
		cached += l->v[i].cached;
	if (c->o->json) {
		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		files_table(c, &j, l, l->n, want_map);
		json_u64(&j, "cached_pages", cached);
		json_close(&j, '}');
		return;
	}
	files_table(c, NULL, l, l->n, want_map);
	if (l->n > 1 && !c->o->noheadings && !c->o->raw)
		printf("%zu files, %" PRIu64 " pages cached\n", l->n, cached);
}

/* ---- --pid ---- */

static bool seen(const struct cache_list *l, dev_t dev, ino_t ino)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].dev == dev && l->v[i].ino == ino)
			return true;
	return false;
}

/* the names of files of --pid that were not ours to open or to count */
static char **refused;
static unsigned int nrefused;

/* After a failure with errno @e: note @name if permission was refused. */
static void note_refused(int e, const char *name)
{
	unsigned int i;

	if (e != EACCES && e != EPERM)
		return;
	for (i = 0; i < nrefused; i++)
		if (!strcmp(refused[i], name))
			return;
	refused = realloc(refused, (nrefused + 1) * sizeof(*refused));
	if (!refused)
		err(1, "cannot allocate");
	refused[nrefused] = strdup(name);
	if (!refused[nrefused++])
		err(1, "cannot allocate");
}

/*
 * The file at @open_path, listed as @name; -1 if it cannot be opened.  A
 * file the module will not count for us (the rule of cachestat(2): one
 * we may not write) is left out and noted.
 */
static int count_proc_file(int dev, const char *open_path, const char *name,
			   bool want_map)
{
	struct cache_file f = { 0 };
	struct stat st;
	int fd;

	/* a terminal, pipe or socket has no page cache, ours to open or not */
	if (!stat(open_path, &st) && !S_ISREG(st.st_mode) &&
	    !S_ISBLK(st.st_mode))
		return 0;
	fd = open(open_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;	/* gone, or not ours to open */
	if (fstat(fd, &st) || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) ||
	    seen(&files, st.st_dev, st.st_ino)) {
		close(fd);
		return 0;
	}
	if (cache_count_fd(dev, fd, &f, want_map)) {
		note_refused(errno, name);
		close(fd);
		return 0;
	}
	f.path = strdup(name);
	f.dev = st.st_dev;
	f.ino = st.st_ino;
	list_add(&files, &f);
	close(fd);
	return 0;
}

/*
 * A file of a /proc/PID/maps line (@line, its path @name): opened through
 * /proc/PID/map_files/START-END, which reaches the very file mapped even
 * when it has been deleted or renamed since (CAP_SYS_ADMIN); without that
 * privilege, by its name, which a deleted file no longer has.
 */
static void count_mapped_file(int dev, uint32_t pid, const char *line,
			      const char *name, bool want_map)
{
	static const char deleted[] = " (deleted)";
	size_t len = strlen(name), dl = sizeof(deleted) - 1;
	char path[96];

	snprintf(path, sizeof(path), "/proc/%u/map_files/%.*s", pid,
		 (int)strcspn(line, " "), line);
	if (!count_proc_file(dev, path, name, want_map))
		return;
	if (len > dl && !strcmp(name + len - dl, deleted))
		note_refused(errno, name);	/* map_files: root only */
	else if (count_proc_file(dev, name, name, want_map))
		note_refused(errno, name);
}

static void count_pid(int dev, uint32_t pid, bool want_map)
{
	char path[320], link[4096], line[4608];
	struct dirent *de;
	ssize_t n;
	FILE *maps;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	maps = fopen(path, "re");
	if (!maps)
		err(1, "%s (is process %u running, and yours?)", path, pid);
	while (fgets(line, sizeof(line), maps)) {
		char *p = strchr(line, '/');

		if (!p)
			continue;
		p[strcspn(p, "\n")] = 0;
		count_mapped_file(dev, pid, line, p, want_map);
	}
	fclose(maps);
	snprintf(path, sizeof(path), "/proc/%u/fd", pid);
	d = opendir(path);
	if (!d)
		err(1, "%s", path);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%u/fd/%s", pid, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = 0;
		if (count_proc_file(dev, path, link, want_map))
			note_refused(errno, link);
	}
	closedir(d);
	if (nrefused)
		warnx("%u file%s of process %u not listed: permission denied "
		      "(a file is counted for whoever may open it for writing, "
		      "as cachestat(2) does, and a deleted file that is only "
		      "mapped is reached through /proc/%u/map_files: run as "
		      "root to list them all)",
		      nrefused, nrefused == 1 ? "" : "s", pid, pid);
}

/* ---- --watch ---- */

struct watch_sample {
	struct vmscope_memory mem;
	__u64 stats[VMSCOPE_STAT_NR];
};

static void watch_get(int dev, struct watch_sample *s)
{
	struct vmscope_reclaim rc;

	memset(s, 0, sizeof(*s));
	s->mem.size = sizeof(s->mem);
	vmscope_ioctl(dev, VMSCOPE_IOC_MEMORY, &s->mem, "VMSCOPE_IOC_MEMORY");
	memset(&rc, 0, sizeof(rc));
	rc.size = sizeof(rc);
	rc.stats = (uintptr_t)s->stats;
	rc.stats_count = VMSCOPE_STAT_NR;
	vmscope_ioctl(dev, VMSCOPE_IOC_RECLAIM, &rc, "VMSCOPE_IOC_RECLAIM");
}

static double rate(__u64 a, __u64 b, double secs)
{
	if (a == VMSCOPE_STAT_NONE || b < a)
		return 0;
	return (b - a) / secs;
}

static void watch_row(struct cols *c, const struct watch_sample *a,
		      const struct watch_sample *b, double secs)
{
	struct col_val cv[ARRAY_SIZE(watch_cols)];
	__u64 ca, cb;

	ca = a->mem.pages[VMSCOPE_MEM_CACHED] + a->mem.pages[VMSCOPE_MEM_BUFFERS];
	cb = b->mem.pages[VMSCOPE_MEM_CACHED] + b->mem.pages[VMSCOPE_MEM_BUFFERS];
#define R(x) rate(a->stats[VMSCOPE_STAT_##x], b->stats[VMSCOPE_STAT_##x], secs)
#define M(x) rate(a->mem.pages[VMSCOPE_MEM_##x], b->mem.pages[VMSCOPE_MEM_##x], secs)
	cv[WC_INTERVAL] = CV_F(secs);
	cv[WC_CACHE] = CV_U(cb);
	cv[WC_NET] = CV_F(((double)cb - (double)ca) / secs);
	cv[WC_RECLAIMED] = CV_F(R(PGSTEAL_FILE));
	cv[WC_REFAULT] = CV_F(R(WORKINGSET_REFAULT_FILE));
	cv[WC_ACTIVATE] = CV_F(R(WORKINGSET_ACTIVATE_FILE));
	cv[WC_READ] = CV_F(R(PGPGIN) * 1024);	/* pgpgin counts kB */
	cv[WC_DIRTIED] = CV_F(M(NR_DIRTIED));
	cv[WC_WRITTEN] = CV_F(M(NR_WRITTEN));
	cv[WC_DIRTY] = CV_U(b->mem.pages[VMSCOPE_MEM_DIRTY]);
	cv[WC_WBACK] = CV_U(b->mem.pages[VMSCOPE_MEM_WRITEBACK]);
#undef R
#undef M
	cols_stream_row(c, cv);
}

static void cache_watch(int dev, double secs, long count, struct cols *c)
{
	struct watch_sample a, b;
	struct watch_clock w;
	long i;

	cols_stream_begin(c, true);
	watch_start(&w, secs);
	watch_get(dev, &a);
	for (i = 0; !count || i < count; i++) {
		double took = watch_next(&w);

		watch_get(dev, &b);
		watch_row(c, &a, &b, took);
		a = b;
	}
}

/* ---- the census, --top ---- */

static int by_cached(const void *a, const void *b)
{
	const struct cache_file *x = a, *y = b;

	return x->cached < y->cached ? 1 : x->cached > y->cached ? -1 : 0;
}

static void top_output(struct cols *c, struct cache_list *l,
		       const struct cache_census *cs, long n)
{
	long ps = sysconf(_SC_PAGESIZE);
	uint64_t mc = cs->meminfo_cached, mb = cs->meminfo_buffers;
	struct json j;
	char h[3][32];

	qsort(l->v, l->n, sizeof(*l->v), by_cached);
	if ((size_t)n > l->n)
		n = (long)l->n;
	if (c->o->json) {
		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		files_table(c, &j, l, n, false);
		json_u64(&j, "total_pages", cs->total_pages);
		json_u64(&j, "files_total", l->n);
		json_u64(&j, "meminfo_cached_pages", mc);
		json_u64(&j, "meminfo_buffers_pages", mb);
		json_u64(&j, "superblocks", cs->superblocks);
		json_u64(&j, "inodes_visited", cs->visited);
		json_close(&j, '}');
		return;
	}
	files_table(c, NULL, l, n, false);
	if (c->o->noheadings || c->o->raw)
		return;
	printf("\n%zu inodes with page cache on %u superblocks: %s; "
	       "/proc/meminfo Cached + Buffers: %s + %s\n", l->n,
	       cs->superblocks,
	       cols_size(c->o, cs->total_pages * ps, h[0], sizeof(h[0])),
	       cols_size(c->o, mc * ps, h[1], sizeof(h[1])),
	       cols_size(c->o, mb * ps, h[2], sizeof(h[2])));
	puts("Not seen: the swap cache (SwapCached), inodes being created or\n"
	     "freed, and pages that belong to no file's mapping.");
}

/* -o, or the default columns: --top shows DEV and INODE first */
static void cache_cols(struct cols *c, struct cols_opts *co, bool top,
		       bool watch)
{
	if (watch) {
		cols_init(c, watch_cols, ARRAY_SIZE(watch_cols), co);
		return;
	}
	if (top && !co->list && !co->json)
		co->list = "DEV,INODE,SIZE,CACHED,PERCENT,DIRTY,WBACK,PATH";
	cols_init(c, file_cols, ARRAY_SIZE(file_cols), co);
}

static long parse_count(const char *s, const char *what, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 1 || v > max)
		errx(EXIT_USAGE, "%s takes a number from 1 to %ld, not '%s'",
		     what, max, s);
	return v;
}

static int cache_run(int argc, char **argv)
{
	static const struct option opts[] = {
		COLS_LONGOPTS,
		{ "map", no_argument, NULL, 'v' },
		{ "top", required_argument, NULL, 't' },
		{ "pid", required_argument, NULL, 'p' },
		{ "watch", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct cols_opts co = { .cmd = "cache" };
	struct cache_census census;
	bool want_map = false;
	long top = 0, count = 0;
	double watch = 0;
	uint32_t pid = 0;
	struct cols cl;
	int c, dev, i;

	while ((c = getopt_long(argc, argv, COLS_SHORTOPTS "vt:p:w:c:h", opts,
				NULL)) != -1) {
		if (cols_getopt(&co, c, optarg))
			continue;
		switch (c) {
		case 'v':
			want_map = true;
			break;
		case 't':
			top = parse_count(optarg, "--top", 10000000);
			break;
		case 'p':
			pid = parse_pid(optarg);
			break;
		case 'w':
			watch = parse_watch(optarg);
			break;
		case 'c':
			count = parse_count(optarg, "--count", LONG_MAX);
			break;
		case 'h':
			cache_help(stdout);
			return 0;
		default:
			errx(EXIT_USAGE, "try 'vmscope cache --help'");
		}
	}
	if (!!top + !!pid + (watch > 0) + (optind < argc) != 1)
		errx(EXIT_USAGE, "cache takes PATH..., --top N, --pid PID or "
		     "--watch SECONDS (one of them); try 'vmscope cache --help'");
	/* an unknown column is a usage error before anything is read */
	cache_cols(&cl, &co, top, watch > 0);
	dev = vmscope_open();
	if (watch) {
		cache_watch(dev, watch, count, &cl);
		return 0;
	}
	if (top) {
		if (cache_census_run(dev, &files, &census))
			return 1;
		top_output(&cl, &files, &census, top);
		return 0;
	}
	if (pid)
		count_pid(dev, pid, want_map);
	for (i = optind; i < argc; i++)
		count_path(dev, AT_FDCWD, argv[i], argv[i], want_map);
	files_output(&cl, &files, want_map);
	return failed ? 1 : 0;
}

const struct vmscope_cmd vmscope_cmd_cache = {
	.name = "cache",
	.summary = "the page cache: per file, system-wide (--top), --watch",
	.run = cache_run,
	.help = cache_help,
};
