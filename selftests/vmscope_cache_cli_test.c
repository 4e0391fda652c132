// SPDX-License-Identifier: GPL-2.0
/*
 * `vmscope memory --json` and `vmscope cache --json` (PATH, a directory,
 * --top, --pid), read through a JSON parser (json_tree.h), against the
 * kernel's own view: /proc/meminfo, /proc/zoneinfo, zram's mm_stat,
 * fincore(1), mincore(2), cachestat(2) (6.5+), /proc/PID/maps and
 * /proc/PID/map_files, on files the test made with a known page-cache
 * shape; the census against Cached + Buffers; an unmount while censuses
 * run.  The CLI is $VMSCOPE_CLI, or vmscope on $PATH (/usr/bin/vmscope in
 * the VM), run with vmscope_exp.h's sh_run().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "json_tree.h"
#include "vmscope.h"
#include "vmscope_cache.h"
#include "vmscope_exp.h"

#define OUT_MAX		(8 << 20)
#define NPAGES		64
#define NOBODY		65534

static long psz;

/* ---- the kernel's view ---- */

#define MI_MAX	96

/* /proc/meminfo at one moment, in kB. */
struct meminfo {
	char key[MI_MAX][32];
	unsigned long long kb[MI_MAX];
	int n;
};

static void meminfo_read(struct meminfo *m)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];

	m->n = 0;
	while (f && m->n < MI_MAX && fgets(line, sizeof(line), f))
		if (sscanf(line, "%31[^:]: %llu", m->key[m->n],
			   &m->kb[m->n]) == 2)
			m->n++;
	if (f)
		fclose(f);
}

/* @key's value in kB; -1 if meminfo has no such field. */
static long long mi(const struct meminfo *m, const char *key)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->key[i], key))
			return (long long)m->kb[i];
	return -1;
}

/*
 * @v (kB) lies between the values read before and after (@a, @b), give or
 * take 2% and 2 MiB: the counters move while the CLI runs, by the CLI's
 * own process (its mapped binary and libraries, heap, stack and page
 * tables) and per-CPU counter drift.
 */
static bool near(long long v, long long a, long long b)
{
	long long lo = a < b ? a : b, hi = a > b ? a : b;

	lo -= lo / 50 + 2048;
	hi += hi / 50 + 2048;
	return v >= lo && v <= hi;
}

/* mincore(2) of the first @n pages of @path into @vec; 0 or -1. */
static int mincore_file(const char *path, unsigned char *vec, long n)
{
	int fd = open(path, O_RDONLY), ret;
	void *p;

	if (fd < 0)
		return -1;
	p = mmap(NULL, n * psz, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	ret = mincore(p, n * psz, vec);
	munmap(p, n * psz);
	return ret;
}

/* ---- files of a known shape ---- */


/*
 * @path with NPAGES pages, of which the even ones are cached: on a disk
 * written, synced, dropped and read back page by page (no readahead); on
 * tmpfs (where a page exists once written) a sparse file written there.
 */
static int make_every_other(const char *path, bool tmpfs)
{
	char *buf = calloc(NPAGES, psz), c;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), i, ok = 1;

	if (fd < 0 || !buf)
		return -1;
	if (tmpfs) {
		ok = !ftruncate(fd, NPAGES * psz);
		for (i = 0; ok && i < NPAGES; i += 2)
			ok = pwrite(fd, "x", 1, i * psz) == 1;
	} else {
		ok = write(fd, buf, NPAGES * psz) == NPAGES * psz && !fsync(fd);
		drop_caches();
		posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
		for (i = 0; ok && i < NPAGES; i += 2)
			ok = pread(fd, &c, 1, i * psz) == 1;
	}
	close(fd);
	free(buf);
	return ok ? 0 : -1;
}

/*
 * @path, @pages pages long, every page written (tmpfs: all cached).  Not
 * fallocate(): tmpfs's preallocated pages are in the page cache (vmscope
 * and cachestat count them) but not uptodate, and mincore(2), so
 * fincore(1), counts only uptodate ones.
 */
static int make_full(const char *path, long pages)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), ok = 1;
	long i;

	if (fd < 0)
		return -1;
	for (i = 0; ok && i < pages; i++)
		ok = pwrite(fd, "f", 1, i * psz) == 1;
	ok = ok && !ftruncate(fd, pages * psz);
	close(fd);
	return ok ? 0 : -1;
}

/* The entry of @files whose "path" is @path, or NULL. */
static const struct jt *by_path(const struct jt *files, const char *path)
{
	const struct jt *f;
	size_t i;

	for (i = 0; (f = jt_at(files, i)); i++)
		if (jt_str(f, "path") && !strcmp(jt_str(f, "path"), path))
			return f;
	return NULL;
}

FIXTURE(cli) {
	char *out;
	char tmp[128];
	char disk[256];
	bool have_disk;
	struct jt root;
};

FIXTURE_SETUP(cli)
{
	const char *disk = getenv("VMSCOPE_DISK");

	psz = getpagesize();
	self->out = malloc(OUT_MAX);
	ASSERT_NE(NULL, self->out);
	memset(&self->root, 0, sizeof(self->root));
	self->have_disk = disk && !access(disk, W_OK);
	snprintf(self->tmp, sizeof(self->tmp), "/tmp/cache_cli.%d", getpid());
	snprintf(self->disk, sizeof(self->disk), "%s/cache_cli.%d",
		 disk ? disk : "/tmp", getpid());
	if (fincore_pages("/proc/self/exe") < 0)
		TH_LOG("no fincore(1) here: mincore(2) and cachestat(2) only");
}

FIXTURE_TEARDOWN(cli)
{
	jt_free(&self->root);
	unlink(self->tmp);
	unlink(self->disk);
	free(self->out);
}

/* Run "vmscope ARGS" (printf-style) and parse its JSON into self->root. */
#define RUN_JSON(fmt, args...)						\
	do {								\
		jt_free(&self->root);					\
		ASSERT_EQ(0, sh_run(self->out, OUT_MAX, "%s " fmt,	\
				    exp_cli(), ##args));		\
		ASSERT_EQ(0, jt_parse(self->out, &self->root));		\
	} while (0)

/* ---- vmscope memory --json ---- */

#define NO_FIELD	(-1LL << 40)

/*
 * The kernel's value of part @name (kB), from meminfo @m; NO_FIELD if
 * meminfo has none.  (Cached - Shmem may dip below 0 for a moment: the
 * per-CPU counters behind the two are summed at different times.)
 */
static long long part_oracle(const struct meminfo *m, const char *name)
{
	if (!strcmp(name, "Cached-Shmem"))
		return mi(m, "Cached") < 0 || mi(m, "Shmem") < 0 ? NO_FIELD :
		       mi(m, "Cached") - mi(m, "Shmem");
	return mi(m, name) < 0 ? NO_FIELD : mi(m, name);
}

/* zsmalloc's pages in every zram device (mm_stat's mem_used_total), kB. */
static long long zram_used_kb(void)
{
	unsigned long long orig, compr, used, total = 0;
	char path[64];
	int i, found = 0;
	FILE *f;

	for (i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/sys/block/zram%d/mm_stat", i);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%llu %llu %llu", &orig, &compr, &used) == 3) {
			total += used;
			found = 1;
		}
		fclose(f);
	}
	return found ? (long long)(total / 1024) : -1;
}

/* "Node 0, zone DMA32" ... "pages free N" of /proc/zoneinfo, in kB. */
static long long zoneinfo_free_kb(unsigned int node, const char *zone)
{
	char line[256], name[32];
	unsigned int nid;
	long long v = -1;
	bool in = false;
	FILE *f = fopen("/proc/zoneinfo", "re");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %u, zone %31s", &nid, name) == 2) {
			in = nid == node && !strcmp(name, zone);
			continue;
		}
		if (in && sscanf(line, " pages free %lld", &v) == 1)
			break;
	}
	if (f)
		fclose(f);
	return v < 0 ? -1 : v * psz / 1024;
}

TEST_F(cli, memory_json_matches_meminfo)
{
	const struct jt *parts, *p, *details, *fr, *zones, *z;
	long long shmem0, want, zfree = 0, zram0, zram1;
	struct meminfo a, b;
	uint64_t sum = 0;
	size_t i;

	meminfo_read(&a);
	shmem0 = mi(&a, "Shmem");
	/* not vacuous: 8 MiB of tmpfs must show as Shmem */
	ASSERT_EQ(0, make_full(self->tmp, 2048));
	meminfo_read(&a);
	zram0 = zram_used_kb();
	RUN_JSON("memory --json");
	meminfo_read(&b);
	zram1 = zram_used_kb();

	ASSERT_EQ(psz, jt_u64(&self->root, "page_size", 0));
	ASSERT_EQ(mi(&a, "MemTotal"), jt_u64(&self->root, "total_kb", 0));
	parts = jt_get(&self->root, "parts");
	ASSERT_NE(NULL, parts);
	ASSERT_EQ(JT_OBJ, parts->type);
	ASSERT_LE(10, parts->n);
	for (i = 0; i < parts->n; i++) {
		p = &parts->kids[i];
		ASSERT_TRUE(p->type == JT_NUM && p->exact);
		sum += p->u;
		if (!strcmp(p->key, "Unaccounted"))
			continue;
		if (!strcmp(p->key, "Zsmalloc")) {
			TH_LOG("Zsmalloc: vmscope %llu kB, zram mm_stat %lld..%lld kB",
			       (unsigned long long)p->u, zram0, zram1);
			if (zram0 >= 0)
				ASSERT_TRUE(near(p->u, zram0, zram1));
			continue;
		}
		want = part_oracle(&a, p->key);
		TH_LOG("%s: vmscope %llu kB, meminfo %lld..%lld kB", p->key,
		       (unsigned long long)p->u, want, part_oracle(&b, p->key));
		ASSERT_NE(NO_FIELD, want);	/* each part is named after a field */
		ASSERT_TRUE(near(p->u, want, part_oracle(&b, p->key)));
	}
	/* the parts add up to MemTotal, exactly */
	ASSERT_EQ(jt_u64(&self->root, "total_kb", 0), sum);
	ASSERT_LT(0, jt_u64(parts, "Unaccounted", 0));
	ASSERT_LE(shmem0 + 8192 - 512, (long long)jt_u64(parts, "Shmem", 0));

	details = jt_get(&self->root, "details");
	ASSERT_NE(NULL, details);
	ASSERT_LE(5, details->n);
	for (i = 0; i < details->n; i++) {
		p = &details->kids[i];
		ASSERT_TRUE(p->type == JT_NUM && p->exact);
		TH_LOG("%s: vmscope %llu kB, meminfo %lld..%lld kB", p->key,
		       (unsigned long long)p->u, mi(&a, p->key),
		       mi(&b, p->key));
		ASSERT_LE(0, mi(&a, p->key));
		ASSERT_TRUE(near(p->u, mi(&a, p->key), mi(&b, p->key)));
	}

	/* the line free(1) prints, from the same fields */
	fr = jt_get(&self->root, "free");
	ASSERT_NE(NULL, fr);
	ASSERT_EQ(mi(&a, "MemTotal"), jt_u64(fr, "total", 0));
	ASSERT_EQ(jt_u64(parts, "MemFree", 1), jt_u64(fr, "free", 0));
	ASSERT_EQ(jt_u64(parts, "Shmem", 1), jt_u64(fr, "shared", 0));
	ASSERT_TRUE(near(jt_u64(fr, "available", 0), mi(&a, "MemAvailable"),
			 mi(&b, "MemAvailable")));
	ASSERT_EQ(jt_u64(fr, "total", 0) - jt_u64(fr, "available", 0),
		  jt_u64(fr, "used", 1));
	ASSERT_TRUE(near(jt_u64(fr, "buff_cache", 0),
			 mi(&a, "Buffers") + mi(&a, "Cached") +
			 mi(&a, "SReclaimable"),
			 mi(&b, "Buffers") + mi(&b, "Cached") +
			 mi(&b, "SReclaimable")));

	/* MemFree by zone, against /proc/zoneinfo */
	zones = jt_get(&self->root, "zones");
	ASSERT_NE(NULL, zones);
	ASSERT_LE(1, zones->n);
	for (i = 0; (z = jt_at(zones, i)); i++) {
		want = zoneinfo_free_kb(jt_u64(z, "node", 0), jt_str(z, "zone"));
		TH_LOG("zone %s: vmscope %llu kB free, zoneinfo %lld kB",
		       jt_str(z, "zone"),
		       (unsigned long long)jt_u64(z, "free_kb", 0), want);
		ASSERT_LE(0, want);
		ASSERT_TRUE(near(jt_u64(z, "free_kb", 0), want, want));
		zfree += jt_u64(z, "free_kb", 0);
	}
	ASSERT_TRUE(near(zfree, mi(&a, "MemFree"), mi(&b, "MemFree")));
}

/* ---- vmscope cache --json PATH ---- */

/* One file of the every-other shape, against fincore, cachestat, mincore. */
static void check_every_other(struct __test_metadata *_metadata,
			      FIXTURE_DATA(cli) *self, const char *path,
			      bool tmpfs)
{
	const struct jt *files, *f, *ranges, *r;
	unsigned char vec[NPAGES];
	struct cs_stat cs;
	long fin, resident = 0;
	uint64_t cached;
	size_t i;

	ASSERT_EQ(0, make_every_other(path, tmpfs));
	RUN_JSON("cache --json -v '%s'", path);
	fin = fincore_pages(path);
	files = jt_get(&self->root, "files");
	ASSERT_NE(NULL, files);
	ASSERT_EQ(1, files->n);
	f = jt_at(files, 0);
	cached = jt_u64(f, "cached_pages", ~0ULL);
	TH_LOG("%s: vmscope %llu pages, fincore %ld", path,
	       (unsigned long long)cached, fin);
	ASSERT_STREQ(path, jt_str(f, "path"));
	ASSERT_EQ(NPAGES, jt_u64(f, "size_pages", 0));
	if (fin >= 0)
		ASSERT_EQ(fin, (long)cached);
	if (!cachestat(path, &cs)) {
		ASSERT_EQ(cs.nr_cache, cached);
		ASSERT_EQ(cs.nr_dirty, jt_u64(f, "dirty_pages", ~0ULL));
		ASSERT_EQ(cs.nr_writeback, jt_u64(f, "writeback_pages", ~0ULL));
	}
	/* the ranges, page by page, against mincore(2) */
	ASSERT_EQ(0, mincore_file(path, vec, NPAGES));
	ranges = jt_get(f, "ranges");
	ASSERT_NE(NULL, ranges);
	for (i = 0; (r = jt_at(ranges, i)); i++) {
		uint64_t lo = jt_at(r, 0)->u, hi = jt_at(r, 1)->u, pg;

		ASSERT_LE(lo, hi);
		ASSERT_GT(NPAGES, hi);
		for (pg = lo; pg <= hi; pg++)
			ASSERT_TRUE(vec[pg] & 1);
		resident += hi - lo + 1;
	}
	ASSERT_EQ((long)cached, resident);
	for (i = 0; i < NPAGES; i++)
		resident -= vec[i] & 1;
	ASSERT_EQ(0, resident);		/* mincore has no page more */
	ASSERT_EQ(cached, jt_u64(&self->root, "cached_pages", ~0ULL));
	/* not vacuously equal: the shape made */
	ASSERT_EQ(NPAGES / 2, cached);
	ASSERT_EQ(NPAGES / 2, ranges->n);
}

TEST_F(cli, cache_path_matches_fincore_tmpfs)
{
	check_every_other(_metadata, self, self->tmp, true);
}

TEST_F(cli, cache_path_matches_fincore_ext2)
{
	if (!self->have_disk)
		SKIP(return, "no ext2 disk ($VMSCOPE_DISK)");
	check_every_other(_metadata, self, self->disk, false);
}

/* A directory: each file in it, and their sum. */
TEST_F(cli, cache_directory_walked)
{
	char dir[] = "/tmp/cache_cli_dir.XXXXXX", path[4][96];
	const struct jt *files, *f;
	long fin;
	int i;

	ASSERT_NE(NULL, mkdtemp(dir));
	for (i = 0; i < 3; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/f%d", dir, i);
		ASSERT_EQ(0, make_full(path[i], i + 1));
	}
	snprintf(path[3], sizeof(path[3]), "%s/sub", dir);
	ASSERT_EQ(0, mkdir(path[3], 0755));
	RUN_JSON("cache --json '%s'", dir);
	files = jt_get(&self->root, "files");
	ASSERT_NE(NULL, files);
	ASSERT_EQ(3, files->n);
	for (i = 0; i < 3; i++) {
		f = by_path(files, path[i]);
		ASSERT_NE(NULL, f);
		fin = fincore_pages(path[i]);
		if (fin >= 0)
			ASSERT_EQ(fin, (long)jt_u64(f, "cached_pages", 0));
		ASSERT_EQ(i + 1, jt_u64(f, "cached_pages", 0));
		ASSERT_EQ(i + 1, jt_u64(f, "size_pages", 0));
		unlink(path[i]);
	}
	ASSERT_EQ(6, jt_u64(&self->root, "cached_pages", 0));
	rmdir(path[3]);
	rmdir(dir);
}

/* ---- vmscope cache --top: the census ---- */

/* A census entry for a block device's own cache (Buffers). */
static bool is_blockdev(const struct jt *f)
{
	const struct jt *b = jt_get(f, "blockdev");

	return b && b->type == JT_BOOL && b->b;
}

/* The census entry of @path's inode (not a block device), or NULL. */
static const struct jt *by_inode(const struct jt *files, const char *path)
{
	const struct jt *f;
	struct stat st;
	size_t i;

	if (stat(path, &st))
		return NULL;
	for (i = 0; (f = jt_at(files, i)); i++)
		if (jt_u64(f, "dev", 0) == st.st_dev &&
		    jt_u64(f, "ino", 0) == st.st_ino &&
		    !is_blockdev(f))
			return f;
	return NULL;
}

/*
 * The census finds the test's files with the counts fincore gives, and
 * the block device under the ext2 disk as Buffers; its total is within
 * 5% + 256 pages of Cached + Buffers (the margin cmd_cache.c's help
 * documents: the swap cache, inodes being created or freed meanwhile).
 */
TEST_F(cli, cache_top_finds_files_and_adds_up)
{
	uint64_t total, sum = 0, bufs = 0, lo, hi;
	const struct jt *files, *f, *mine;
	struct stat disk_st;
	struct meminfo a, b;
	bool disk_dev = false;
	size_t i;

	ASSERT_EQ(0, make_every_other(self->tmp, true));
	if (self->have_disk) {
		ASSERT_EQ(0, make_every_other(self->disk, false));
		ASSERT_EQ(0, stat(self->disk, &disk_st));
	}
	meminfo_read(&a);
	RUN_JSON("cache --json --top 10000000");
	meminfo_read(&b);
	files = jt_get(&self->root, "files");
	ASSERT_NE(NULL, files);
	total = jt_u64(&self->root, "total_pages", 0);
	ASSERT_EQ(files->n, jt_u64(&self->root, "files_total", 0));
	for (i = 0; (f = jt_at(files, i)); i++) {
		sum += jt_u64(f, "cached_pages", 0);
		if (!is_blockdev(f))
			continue;
		bufs += jt_u64(f, "cached_pages", 0);
		TH_LOG("block device %s (%llu): %llu pages", jt_str(f, "path"),
		       (unsigned long long)jt_u64(f, "dev", 0),
		       (unsigned long long)jt_u64(f, "cached_pages", 0));
		if (self->have_disk && jt_u64(f, "dev", 0) == disk_st.st_dev)
			disk_dev = true;
	}
	ASSERT_EQ(total, sum);

	mine = by_inode(files, self->tmp);
	ASSERT_NE(NULL, mine);
	ASSERT_NE(NULL, strstr(jt_str(mine, "path"), strrchr(self->tmp, '/')));
	ASSERT_EQ(NPAGES, jt_u64(mine, "size_pages", 0));
	ASSERT_EQ(NPAGES / 2, jt_u64(mine, "cached_pages", 0));
	if (fincore_pages(self->tmp) >= 0)
		ASSERT_EQ(fincore_pages(self->tmp),
			  (long)jt_u64(mine, "cached_pages", 0));
	if (self->have_disk) {
		mine = by_inode(files, self->disk);
		ASSERT_NE(NULL, mine);
		ASSERT_STREQ(self->disk, jt_str(mine, "path"));
		ASSERT_EQ(NPAGES / 2, jt_u64(mine, "cached_pages", 0));
		if (fincore_pages(self->disk) >= 0)
			ASSERT_EQ(fincore_pages(self->disk),
				  (long)jt_u64(mine, "cached_pages", 0));
		/* ext2's metadata, read through the device: Buffers */
		ASSERT_TRUE(disk_dev);
	}

	/* Buffers is the block devices' page cache */
	TH_LOG("census %llu pages (block devices %llu), Cached %lld..%lld kB, Buffers %lld..%lld kB",
	       (unsigned long long)total, (unsigned long long)bufs,
	       mi(&a, "Cached"), mi(&b, "Cached"), mi(&a, "Buffers"),
	       mi(&b, "Buffers"));
	ASSERT_TRUE(near(bufs * psz / 1024, mi(&a, "Buffers"),
			 mi(&b, "Buffers")));
	ASSERT_TRUE(near(jt_u64(&self->root, "meminfo_cached_pages", 0) *
			 psz / 1024, mi(&a, "Cached"), mi(&b, "Cached")));
	ASSERT_TRUE(near(jt_u64(&self->root, "meminfo_buffers_pages", 0) *
			 psz / 1024, mi(&a, "Buffers"), mi(&b, "Buffers")));
	lo = (mi(&a, "Cached") + mi(&a, "Buffers")) * 1024 / psz;
	hi = (mi(&b, "Cached") + mi(&b, "Buffers")) * 1024 / psz;
	if (lo > hi) {
		uint64_t t = lo;

		lo = hi;
		hi = t;
	}
	ASSERT_GE(total + lo / 20 + 256, lo);
	ASSERT_LE(total, hi + hi / 20 + 256);
	ASSERT_LT(2, files->n);		/* not vacuous */
}

/* An unmount while `vmscope cache --top` runs: it succeeds, they end well. */
TEST_F(cli, unmount_during_census)
{
	char dir[] = "/tmp/cache_cli_mnt.XXXXXX", path[300];
	int round, i, st;
	pid_t pid;

	ASSERT_NE(NULL, mkdtemp(dir));
	for (round = 0; round < 4; round++) {
		ASSERT_EQ(0, mount("none", dir, "tmpfs", 0, "size=8m"));
		for (i = 0; i < 200; i++) {
			snprintf(path, sizeof(path), "%s/f%d", dir, i);
			ASSERT_EQ(0, make_full(path, 1));
		}
		pid = fork();
		if (!pid) {
			for (i = 0; i < 6; i++)
				if (sh_run(NULL, 0, "%s cache --json --top 5",
					   exp_cli()))
					_exit(1);
			_exit(0);
		}
		usleep(100000 * round);
		ASSERT_EQ(0, umount(dir));
		ASSERT_EQ(pid, waitpid(pid, &st, 0));
		ASSERT_TRUE(WIFEXITED(st));
		ASSERT_EQ(0, WEXITSTATUS(st));
	}
	rmdir(dir);
}

/* ---- vmscope cache --pid ---- */

/* The START-END of the line of /proc/@pid/maps whose path is @name. */
static bool maps_range(pid_t pid, const char *name, char *range, size_t len)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');

		if (!p)
			continue;
		p[strcspn(p, "\n")] = 0;
		if (strcmp(p, name))
			continue;
		snprintf(range, len, "%.*s", (int)strcspn(line, " "), line);
		found = true;
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * A process holding one file open (3 pages cached), mapping another (5)
 * and mapping a third (7) that is then deleted: all three are listed,
 * the third as "PATH (deleted)" as /proc/PID/maps names it, with the
 * counts fincore gives for each (the deleted one through map_files).
 */
TEST_F(cli, cache_pid_lists_open_mapped_and_deleted)
{
	char held[160], mapped[160], deleted[160], name[200], range[64];
	char mf[128];
	const struct jt *files, *f;
	int pipefd[2], i;
	long fin;
	char c;
	pid_t pid;

	snprintf(held, sizeof(held), "%s.held", self->tmp);
	snprintf(mapped, sizeof(mapped), "%s.mapped", self->tmp);
	snprintf(deleted, sizeof(deleted), "%s.deleted", self->tmp);
	ASSERT_EQ(0, make_full(held, 3));
	ASSERT_EQ(0, make_full(mapped, 5));
	ASSERT_EQ(0, make_full(deleted, 7));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = open(held, O_RDONLY), m1 = open(mapped, O_RDONLY),
		    m2 = open(deleted, O_RDONLY);

		if (fd < 0 || m1 < 0 || m2 < 0 ||
		    mmap(NULL, 5 * psz, PROT_READ, MAP_SHARED, m1, 0) ==
		    MAP_FAILED ||
		    mmap(NULL, 7 * psz, PROT_READ, MAP_SHARED, m2, 0) ==
		    MAP_FAILED)
			_exit(1);
		close(m1);
		close(m2);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	close(pipefd[0]);
	ASSERT_EQ(0, unlink(deleted));
	snprintf(name, sizeof(name), "%s (deleted)", deleted);
	/* the kernel's name for it */
	ASSERT_TRUE(maps_range(pid, name, range, sizeof(range)));
	snprintf(mf, sizeof(mf), "/proc/%d/map_files/%s", pid, range);
	i = sh_run(self->out, OUT_MAX, "%s cache --json --pid %d", exp_cli(),
		   pid);
	/* fincore reads the deleted file through map_files, as vmscope does */
	fin = fincore_pages(mf);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ASSERT_EQ(0, i);
	jt_free(&self->root);
	ASSERT_EQ(0, jt_parse(self->out, &self->root));
	files = jt_get(&self->root, "files");
	ASSERT_NE(NULL, files);

	f = by_path(files, held);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(3, jt_u64(f, "cached_pages", 0));
	if (fincore_pages(held) >= 0)
		ASSERT_EQ(fincore_pages(held), 3);
	f = by_path(files, mapped);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(5, jt_u64(f, "cached_pages", 0));
	if (fincore_pages(mapped) >= 0)
		ASSERT_EQ(fincore_pages(mapped), 5);
	f = by_path(files, name);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(7, jt_u64(f, "cached_pages", 0));
	ASSERT_EQ(7, jt_u64(f, "size_pages", 0));
	unlink(held);
	unlink(mapped);
	TH_LOG("%s: vmscope %llu, fincore %ld (through %s)", name,
	       (unsigned long long)jt_u64(f, "cached_pages", 0), fin, mf);
	if (fin >= 0)
		ASSERT_EQ(fin, 7);
	ASSERT_EQ(NULL, by_path(files, deleted));
}


/* The whole of @path into @buf (NUL terminated); bytes read or -1. */
static ssize_t slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, got = 0;

	if (fd < 0)
		return -1;
	while ((size_t)got < len - 1 &&
	       (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	return got;
}

static int become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY) || prctl(PR_SET_DUMPABLE, 1))
		return -1;
	return 0;
}

/* The paths of the "files" of self->root, one per name. */
static size_t path_set(const struct jt *files, const char **v, size_t max)
{
	const struct jt *f;
	size_t i, k, n = 0;

	for (i = 0; (f = jt_at(files, i)); i++) {
		const char *p = jt_str(f, "path");

		for (k = 0; p && k < n && strcmp(v[k], p); k++)
			;
		if (p && k == n && n < max)
			v[n++] = p;
	}
	return n;
}

/* "vmscope cache --json --pid @pid", as nobody if @nobody, into @dir. */
static int cache_pid_as(const char *dir, pid_t pid, bool nobody)
{
	char cmd[512];
	int st;
	pid_t run;

	snprintf(cmd, sizeof(cmd), "%s cache --json --pid %d >%s/json 2>%s/err",
		 exp_cli(), pid, dir, dir);
	run = fork();
	if (run < 0)
		return -1;
	if (!run)
		_exit(nobody && become_nobody() ? 99 : WEXITSTATUS(system(cmd)));
	if (waitpid(run, &st, 0) != run || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

#define MAX_NAMES	256

/*
 * As nobody (unprivileged=1), --pid of its own process holding open a file
 * of its own (3 pages) and a file of root's it may read but not write (2),
 * then the same as root: nobody's list has its own file as fincore counts
 * it and not root's file (the cachestat(2) rule), root's has both; the
 * one warning nobody gets counts exactly the names root's list has and
 * nobody's lacks, and root gets none.
 */
TEST_F(cli, cache_pid_as_user_says_what_it_left_out)
{
	const char *all[MAX_NAMES], *mine[MAX_NAMES];
	char own[160], roots[160], dir[160], file[200], c, *nl;
	size_t nall, nmine, i, k, left = 0;
	struct jt nroot = { 0 };
	const struct jt *f;
	int pipefd[2], rc[2];
	unsigned int n = 0;
	pid_t pid;

	snprintf(own, sizeof(own), "%s.own", self->tmp);
	snprintf(roots, sizeof(roots), "%s.roots", self->tmp);
	snprintf(dir, sizeof(dir), "%s.out", self->tmp);
	ASSERT_EQ(0, make_full(own, 3));
	ASSERT_EQ(0, make_full(roots, 2));
	ASSERT_EQ(0, chown(own, NOBODY, NOBODY));
	ASSERT_EQ(0, mkdir(dir, 0777));
	ASSERT_EQ(0, chmod(dir, 0777));
	ASSERT_EQ(0, vmscope_reload("unprivileged=1"));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (become_nobody() || open(own, O_RDONLY) < 0 ||
		    open(roots, O_RDONLY) < 0 || write(pipefd[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	close(pipefd[0]);
	rc[0] = cache_pid_as(dir, pid, true);
	snprintf(file, sizeof(file), "%s/json", dir);
	ASSERT_LT(0, slurp(file, self->out, OUT_MAX));
	ASSERT_EQ(0, jt_parse(self->out, &nroot));
	snprintf(file, sizeof(file), "%s/err", dir);
	ASSERT_LT(0, slurp(file, self->out, OUT_MAX));
	rc[1] = cache_pid_as(dir, pid, false);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ASSERT_EQ(0, vmscope_reload(""));
	ASSERT_EQ(0, rc[0]);
	ASSERT_EQ(0, rc[1]);

	/* nobody: exactly one line on stderr, the count */
	TH_LOG("as nobody: %s", self->out);
	nl = strchr(self->out, '\n');
	ASSERT_NE(NULL, nl);
	EXPECT_EQ('\0', nl[1]);
	ASSERT_EQ(1, sscanf(self->out, "vmscope: %u file", &n));
	EXPECT_NE(NULL, strstr(self->out, "not listed: permission denied"));
	ASSERT_LE(1, n);
	nmine = path_set(jt_get(&nroot, "files"), mine, MAX_NAMES);
	f = by_path(jt_get(&nroot, "files"), own);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(3, jt_u64(f, "cached_pages", 0));
	if (fincore_pages(own) >= 0)
		EXPECT_EQ(3, fincore_pages(own));
	EXPECT_EQ(NULL, by_path(jt_get(&nroot, "files"), roots));

	/* root: no warning, both files */
	ASSERT_EQ(0, slurp(file, self->out, OUT_MAX));
	snprintf(file, sizeof(file), "%s/json", dir);
	ASSERT_LT(0, slurp(file, self->out, OUT_MAX));
	jt_free(&self->root);
	ASSERT_EQ(0, jt_parse(self->out, &self->root));
	f = by_path(jt_get(&self->root, "files"), roots);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(2, jt_u64(f, "cached_pages", 0));
	nall = path_set(jt_get(&self->root, "files"), all, MAX_NAMES);
	for (i = 0; i < nall; i++) {
		for (k = 0; k < nmine && strcmp(all[i], mine[k]); k++)
			;
		left += k == nmine;
	}
	TH_LOG("root lists %zu names, nobody %zu, and says %u left out",
	       nall, nmine, n);
	EXPECT_EQ(left, n);
	jt_free(&nroot);
	snprintf(file, sizeof(file), "%s/json", dir);
	unlink(file);
	snprintf(file, sizeof(file), "%s/err", dir);
	unlink(file);
	EXPECT_EQ(0, rmdir(dir));
	unlink(own);
	unlink(roots);
}

TEST_HARNESS_MAIN
