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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cache.h"
#include "common.h"
#include "json.h"

#define BAR_WIDTH	40
#define MAP_CHUNK	(64 * 1024)	/* map bytes per call: 2 GiB of file */

static void cache_help(FILE *out)
{
	fputs("Usage: vmscope cache [--json] [-v] PATH...\n"
	      "       vmscope cache [--json] --top N\n"
	      "       vmscope cache [--json] [-v] --pid PID\n"
	      "       vmscope cache [--json] --watch SECONDS [--count N]\n"
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
	      "deleted file that is only mapped: root only).\n"
	      "--watch SECONDS: page-cache activity per second from the kernel's\n"
	      "counters.  No hit ratio: the kernel counts misses (reads from\n"
	      "disk, refaults), not hits.\n"
	      "\n"
	      "Options:\n"
	      "  -v, --map            a residency bar and the cached ranges per file\n"
	      "  -t, --top N          the census, N files\n"
	      "  -p, --pid PID        files of a process\n"
	      "  -w, --watch SECONDS  page-cache activity\n"
	      "  -c, --count N        with --watch: stop after N samples\n"
	      "  -J, --json           machine-readable output\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "Columns: SIZE CACHED % DIRTY WBACK (bytes) PATH; with --top DEV\n"
	      "INODE first.  Bar: 'O' every page of the cell cached, 'o' some.\n"
	      "--watch columns (pages/s unless said): cache (pages now),\n"
	      "net (change), reclaimed (pgsteal_file), refault\n"
	      "(workingset_refault_file), activate (workingset_activate_file),\n"
	      "read-kB/s (pgpgin), dirtied (nr_dirtied), written (nr_written),\n"
	      "dirty and wback (pages now).\n"
	      "JSON keys: files (each path, size_pages, cached_pages,\n"
	      "dirty_pages, writeback_pages; with -v ranges: [[first, last]...]\n"
	      "of cached pages; with --top dev, ino, blockdev), cached_pages,\n"
	      "and for --top total_pages, files_total, meminfo_cached_pages,\n"
	      "meminfo_buffers_pages; --watch: samples.\n", out);
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
	struct cache_file f = { 0 };
	struct stat st;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
		    O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP)	/* a symbolic link: not followed */
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

static void json_file(struct json *j, const struct cache_file *f, bool top,
		      bool want_map)
{
	size_t i;

	json_open_flat(j, NULL, '{');
	json_str(j, "path", f->path ? f->path : "");
	if (top) {
		json_u64(j, "dev", f->dev);
		json_u64(j, "ino", f->ino);
		json_bool(j, "blockdev", f->blockdev);
	}
	json_u64(j, "size_pages", f->size_pages);
	json_u64(j, "cached_pages", f->cached);
	json_u64(j, "dirty_pages", f->dirty);
	json_u64(j, "writeback_pages", f->writeback);
	if (want_map) {
		json_open(j, "ranges", '[');
		for (i = 0; i < f->nr_ranges; i++) {
			json_open(j, NULL, '[');
			json_u64(j, NULL, f->ranges[i][0]);
			json_u64(j, NULL, f->ranges[i][1]);
			json_close(j, ']');
		}
		json_close(j, ']');
	}
	json_close(j, '}');
}

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

static void print_file(const struct cache_file *f, bool top, bool want_map)
{
	char s[4][16];
	long ps = sysconf(_SC_PAGESIZE);

	if (top)
		printf("%3u:%-3u %10" PRIu64 " ", major(f->dev), minor(f->dev),
		       f->ino);
	printf("%7s %7s %5.1f %7s %7s  %s%s\n",
	       size_to_human(f->size_pages * ps, s[0], sizeof(s[0])),
	       size_to_human(f->cached * ps, s[1], sizeof(s[1])),
	       f->size_pages ? 100.0 * f->cached / f->size_pages : 0.0,
	       size_to_human(f->dirty * ps, s[2], sizeof(s[2])),
	       size_to_human(f->writeback * ps, s[3], sizeof(s[3])),
	       f->path && *f->path ? f->path : "?",
	       f->blockdev ? " (block device: Buffers)" : "");
	if (want_map)
		print_bar(f);
}

static void print_header(bool top)
{
	if (top)
		printf("%-7s %10s ", "DEV", "INODE");
	printf("%7s %7s %5s %7s %7s  %s\n", "SIZE", "CACHED", "%", "DIRTY",
	       "WBACK", "PATH");
}

static void files_output(const struct cache_list *l, bool json, bool want_map)
{
	uint64_t cached = 0;
	struct json j;
	size_t i;

	for (i = 0; i < l->n; i++)
		cached += l->v[i].cached;
	if (json) {
		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		json_open(&j, "files", '[');
		for (i = 0; i < l->n; i++)
			json_file(&j, &l->v[i], false, want_map);
		json_close(&j, ']');
		json_u64(&j, "cached_pages", cached);
		json_close(&j, '}');
		return;
	}
	print_header(false);
	for (i = 0; i < l->n; i++)
		print_file(&l->v[i], false, want_map);
	if (l->n > 1)
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

/* The file at @open_path, listed as @name; -1 if it cannot be opened. */
static int count_proc_file(int dev, const char *open_path, const char *name,
			   bool want_map)
{
	struct cache_file f = { 0 };
	struct stat st;
	int fd = open(open_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;	/* gone, or not ours to open */
	if (fstat(fd, &st) || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) ||
	    seen(&files, st.st_dev, st.st_ino) ||
	    cache_count_fd(dev, fd, &f, want_map)) {
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
	if (len > dl && !strcmp(name + len - dl, deleted)) {
		warnx("%s: mapped by %u but deleted; only root can open it "
		      "(through %s)", name, pid, path);
		return;
	}
	count_proc_file(dev, name, name, want_map);
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
		count_proc_file(dev, path, link, want_map);
	}
	closedir(d);
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

static void cache_watch(int dev, double secs, long count, bool json)
{
	struct watch_sample a, b;
	struct json j;
	long i;

	watch_get(dev, &a);
	if (json) {
		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		json_f64(&j, "interval", secs);
		json_open(&j, "samples", '[');
	} else {
		printf("%9s %8s %9s %8s %8s %9s %8s %8s %8s %8s\n", "cache",
		       "net", "reclaimed", "refault", "activate", "read-kB/s",
		       "dirtied", "written", "dirty", "wback");
	}
	for (i = 0; !count || i < count; i++) {
		__u64 ca, cb;

		usleep((useconds_t)(secs * 1e6));
		watch_get(dev, &b);
		ca = a.mem.pages[VMSCOPE_MEM_CACHED] + a.mem.pages[VMSCOPE_MEM_BUFFERS];
		cb = b.mem.pages[VMSCOPE_MEM_CACHED] + b.mem.pages[VMSCOPE_MEM_BUFFERS];
#define R(x) rate(a.stats[VMSCOPE_STAT_##x], b.stats[VMSCOPE_STAT_##x], secs)
#define M(x) rate(a.mem.pages[VMSCOPE_MEM_##x], b.mem.pages[VMSCOPE_MEM_##x], secs)
		if (json) {
			json_open_flat(&j, NULL, '{');
			json_u64(&j, "cache_pages", cb);
			json_f64(&j, "net", ((double)cb - (double)ca) / secs);
			json_f64(&j, "reclaimed", R(PGSTEAL_FILE));
			json_f64(&j, "refault", R(WORKINGSET_REFAULT_FILE));
			json_f64(&j, "activate", R(WORKINGSET_ACTIVATE_FILE));
			json_f64(&j, "read_kb", R(PGPGIN));
			json_f64(&j, "dirtied", M(NR_DIRTIED));
			json_f64(&j, "written", M(NR_WRITTEN));
			json_u64(&j, "dirty_pages", b.mem.pages[VMSCOPE_MEM_DIRTY]);
			json_u64(&j, "writeback_pages",
				 b.mem.pages[VMSCOPE_MEM_WRITEBACK]);
			json_close(&j, '}');
		} else {
			printf("%9llu %8.0f %9.0f %8.0f %8.0f %9.0f %8.0f %8.0f %8llu %8llu\n",
			       (unsigned long long)cb,
			       ((double)cb - (double)ca) / secs, R(PGSTEAL_FILE),
			       R(WORKINGSET_REFAULT_FILE),
			       R(WORKINGSET_ACTIVATE_FILE), R(PGPGIN),
			       M(NR_DIRTIED), M(NR_WRITTEN),
			       (unsigned long long)b.mem.pages[VMSCOPE_MEM_DIRTY],
			       (unsigned long long)b.mem.pages[VMSCOPE_MEM_WRITEBACK]);
		}
#undef R
#undef M
		fflush(stdout);
		a = b;
	}
	if (json) {
		json_close(&j, ']');
		json_close(&j, '}');
	}
}

/* ---- the census, --top ---- */

static int by_cached(const void *a, const void *b)
{
	const struct cache_file *x = a, *y = b;

	return x->cached < y->cached ? 1 : x->cached > y->cached ? -1 : 0;
}

static void top_output(struct cache_list *l, const struct cache_census *c,
		       long n, bool json)
{
	long ps = sysconf(_SC_PAGESIZE);
	uint64_t mc = c->meminfo_cached, mb = c->meminfo_buffers;
	struct json j;
	char h[3][16];
	size_t i;

	qsort(l->v, l->n, sizeof(*l->v), by_cached);
	if ((size_t)n > l->n)
		n = (long)l->n;
	if (json) {
		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		json_open(&j, "files", '[');
		for (i = 0; i < (size_t)n; i++)
			json_file(&j, &l->v[i], true, false);
		json_close(&j, ']');
		json_u64(&j, "total_pages", c->total_pages);
		json_u64(&j, "files_total", l->n);
		json_u64(&j, "meminfo_cached_pages", mc);
		json_u64(&j, "meminfo_buffers_pages", mb);
		json_u64(&j, "superblocks", c->superblocks);
		json_u64(&j, "inodes_visited", c->visited);
		json_close(&j, '}');
		return;
	}
	print_header(true);
	for (i = 0; i < (size_t)n; i++)
		print_file(&l->v[i], true, false);
	printf("\n%zu inodes with page cache on %u superblocks: %s; "
	       "/proc/meminfo Cached + Buffers: %s + %s\n", l->n,
	       c->superblocks,
	       size_to_human(c->total_pages * ps, h[0], sizeof(h[0])),
	       size_to_human(mc * ps, h[1], sizeof(h[1])),
	       size_to_human(mb * ps, h[2], sizeof(h[2])));
	puts("Not seen: the swap cache (SwapCached), inodes being created or\n"
	     "freed, and pages that belong to no file's mapping.");
}

static int cache_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "map", no_argument, NULL, 'v' },
		{ "top", required_argument, NULL, 't' },
		{ "pid", required_argument, NULL, 'p' },
		{ "watch", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool json = false, want_map = false;
	long top = 0, count = 0;
	struct cache_census census;
	double watch = 0;
	uint32_t pid = 0;
	int c, dev, i;
	char *end;

	while ((c = getopt_long(argc, argv, "Jvt:p:w:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'J':
			json = true;
			break;
		case 'v':
			want_map = true;
			break;
		case 't':
			top = strtol(optarg, &end, 10);
			if (end == optarg || *end || top < 1 || top > 10000000)
				errx(2, "--top takes a number of files, 1 or more");
			break;
		case 'p':
			pid = parse_pid(optarg);
			break;
		case 'w':
			watch = parse_watch(optarg);
			break;
		case 'c':
			count = strtol(optarg, &end, 10);
			if (end == optarg || *end || count < 1)
				errx(2, "--count takes a number of samples, 1 or more");
			break;
		case 'h':
			cache_help(stdout);
			return 0;
		default:
			errx(2, "try 'vmscope cache --help'");
		}
	}
	if (!!top + !!pid + (watch > 0) + (optind < argc) != 1)
		errx(2, "cache takes PATH..., --top N, --pid PID or --watch "
			"SECONDS (one of them); try 'vmscope cache --help'");
	dev = vmscope_open();
	if (watch) {
		cache_watch(dev, watch, count, json);
		return 0;
	}
	if (top) {
		if (cache_census_run(dev, &files, &census))
			return 1;
		top_output(&files, &census, top, json);
		return 0;
	}
	if (pid)
		count_pid(dev, pid, want_map);
	for (i = optind; i < argc; i++)
		count_path(dev, AT_FDCWD, argv[i], argv[i], want_map);
	files_output(&files, json, want_map);
	return failed ? 1 : 0;
}

const struct vmscope_cmd vmscope_cmd_cache = {
	.name = "cache",
	.summary = "the page cache: per file, system-wide (--top), --watch",
	.run = cache_run,
	.help = cache_help,
};
