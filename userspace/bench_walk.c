// SPDX-License-Identifier: GPL-2.0
/*
 * The walk cases of vmscope-bench beside the kernel's interfaces, in the
 * same VM run:
 * - VMSCOPE_IOC_WALK over 1 GiB with one page in 33 mapped (a run of 32
 *   empty pages between mapped ones) against /proc/PID/pagemap;
 * - "which pages are present, swapped or untouched" from WALK against
 *   PAGEMAP_SCAN (6.7+), over 1 GiB all mapped and the 1-in-33 range;
 * - listing every VMA of a process with 60,000 with VMSCOPE_IOC_LAYOUT
 *   against PROCMAP_QUERY (6.11+), both in-process.
 * A kernel without PAGEMAP_SCAN or PROCMAP_QUERY (6.1) skips that part.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/fs.h>
#include <linux/vmscope.h>

#include "bench_cache.h"
#include "common.h"	/* now_secs() */
#include "bench_walk.h"

/* Debian 12's headers are 6.1's: PAGEMAP_SCAN and PROCMAP_QUERY as 6.12 */
#ifndef PAGEMAP_SCAN
#define PAGEMAP_SCAN	_IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_PRESENT	(1 << 3)
#define PAGE_IS_SWAPPED	(1 << 4)
struct page_region {
	__u64 start;
	__u64 end;
	__u64 categories;
};

struct pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};
#endif
#ifndef PROCMAP_QUERY
#define PROCMAP_QUERY	_IOWR('f', 17, struct procmap_query)
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA	0x10
struct procmap_query {
	__u64 size;
	__u64 query_flags;
	__u64 query_addr;
	__u64 vma_start;
	__u64 vma_end;
	__u64 vma_flags;
	__u64 vma_page_size;
	__u64 vma_offset;
	__u64 inode;
	__u32 dev_major;
	__u32 dev_minor;
	__u32 vma_name_size;
	__u32 build_id_size;
	__u64 vma_name_addr;
	__u64 build_id_addr;
};
#endif

#define BW_PAGE		4096UL
#define BW_BYTES	(1UL << 30)
#define BW_STRIDE	33		/* one mapped page, 32 empty */
#define BW_BUF		BENCH_WALK_BUF	/* records or regions per call */
#define BW_ROUNDS	5
#define BW_VMAS		60000

static double bw_best(double cur, double t)
{
	return cur == 0 || t < cur ? t : cur;
}

/* What the target shares: where its two ranges are. */
struct bw_shm {
	uint64_t dense, sparse;
	int ready;
};

/* 1 GiB touched page by page, 1 GiB touched one page in 33; then wait. */
static void bw_target(struct bw_shm *shm)
{
	char *dense = mmap(NULL, BW_BYTES, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *sparse = mmap(NULL, BW_BYTES, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t i;

	if (dense == MAP_FAILED || sparse == MAP_FAILED)
		_exit(1);
	madvise(dense, BW_BYTES, MADV_NOHUGEPAGE);
	madvise(sparse, BW_BYTES, MADV_NOHUGEPAGE);
	for (i = 0; i < BW_BYTES; i += BW_PAGE)
		dense[i] = 1;
	for (i = 0; i < BW_BYTES; i += BW_STRIDE * BW_PAGE)
		sparse[i] = 1;
	shm->dense = (uintptr_t)dense;
	shm->sparse = (uintptr_t)sparse;
	__atomic_store_n(&shm->ready, 1, __ATOMIC_RELEASE);
	for (;;)
		pause();
}

/* Every record of [start, start + BW_BYTES); returns the present ones. */
static uint64_t bw_walk(int fd, pid_t pid, uint64_t start,
			struct vmscope_page *buf)
{
	uint64_t present = 0;

	bench_walk_range(fd, pid, start, start + BW_BYTES, buf, &present);
	return present;
}

static void bw_pagemap(int pm, uint64_t start, uint64_t *buf)
{
	uint64_t pages = BW_BYTES / BW_PAGE, done = 0, n;

	while (done < pages) {
		n = pages - done < BW_BUF ? pages - done : BW_BUF;
		if (pread(pm, buf, n * 8, (start / BW_PAGE + done) * 8) !=
		    (ssize_t)(n * 8))
			err(1, "pagemap");
		done += n;
	}
}

/*
 * The present or swapped runs of the range, with PAGEMAP_SCAN; the rest
 * is untouched.  Returns the pages present or swapped, or -1 if the
 * kernel has no PAGEMAP_SCAN.
 */
static int64_t bw_scan(int pm, uint64_t start, struct page_region *vec)
{
	uint64_t end = start + BW_BYTES;
	struct pm_scan_arg a;
	int64_t pages = 0;
	long n, i;

	while (start < end) {
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.start = start;
		a.end = end;
		a.vec = (uintptr_t)vec;
		a.vec_len = BW_BUF;
		a.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
		a.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
		n = ioctl(pm, PAGEMAP_SCAN, &a);
		if (n < 0 && (errno == ENOTTY || errno == EINVAL))
			return -1;
		if (n < 0)
			err(1, "PAGEMAP_SCAN");
		for (i = 0; i < n; i++)
			pages += (vec[i].end - vec[i].start) / BW_PAGE;
		start = a.walk_end;
	}
	return pages;
}

static void bw_ranges(struct walk_result *r, int fd, int pm, pid_t pid,
		      const struct bw_shm *shm, void *buf)
{
	uint64_t present;
	double t;
	int i;

	for (i = 0; i < BW_ROUNDS; i++) {
		t = now_secs();
		present = bw_walk(fd, pid, shm->sparse, buf);
		r->walk33_s = bw_best(r->walk33_s, now_secs() - t);
		if (present != (BW_BYTES / BW_PAGE + BW_STRIDE - 1) / BW_STRIDE)
			errx(1, "WALK: %lu pages present in the 1-in-33 range",
			     (unsigned long)present);
		t = now_secs();
		bw_pagemap(pm, shm->sparse, buf);
		r->pagemap33_s = bw_best(r->pagemap33_s, now_secs() - t);
		t = now_secs();
		bw_walk(fd, pid, shm->dense, buf);
		r->walk_dense_s = bw_best(r->walk_dense_s, now_secs() - t);
		t = now_secs();
		r->has_scan = bw_scan(pm, shm->dense, buf) ==
			      (int64_t)(BW_BYTES / BW_PAGE);
		if (!r->has_scan)
			continue;
		r->scan_dense_s = bw_best(r->scan_dense_s, now_secs() - t);
		t = now_secs();
		bw_scan(pm, shm->sparse, buf);
		r->scan33_s = bw_best(r->scan33_s, now_secs() - t);
	}
}

/* A stopped process with @n one-page VMAs, read-only and writable in turn. */
static pid_t bw_many_vmas(int n)
{
	pid_t pid = fork();
	char *p;
	int i;

	if (pid)
		return pid;
	for (i = 0; i < n; i++) {
		p = mmap(NULL, BW_PAGE, i & 1 ? PROT_READ :
			 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		if (!(i & 1))
			*p = 1;
	}
	raise(SIGSTOP);
	for (;;)
		pause();
}

/* Every VMA with VMSCOPE_IOC_LAYOUT; returns how many. */
static int bw_layout(int fd, pid_t pid, struct vmscope_layout_vma *buf)
{
	struct vmscope_layout lo;
	uint64_t start = 0;
	int n = 0;

	do {
		memset(&lo, 0, sizeof(lo));
		lo.size = sizeof(lo);
		lo.pid = pid;
		lo.rec_size = sizeof(*buf);
		lo.start = start;
		lo.buf = (uintptr_t)buf;
		lo.buf_count = 4096;
		if (ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo))
			err(1, "VMSCOPE_IOC_LAYOUT");
		n += lo.count;
		start = lo.next;
	} while (!(lo.out_flags & VMSCOPE_LAYOUT_DONE));
	return n;
}

/* Every VMA with PROCMAP_QUERY; -1 without it. */
static int bw_query(int maps)
{
	struct procmap_query q;
	uint64_t addr = 0;
	int n = 0;

	for (;;) {
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA;
		q.query_addr = addr;
		if (ioctl(maps, PROCMAP_QUERY, &q)) {
			if (errno == ENOENT)
				return n;
			if (errno == ENOTTY || errno == EINVAL)
				return -1;
			err(1, "PROCMAP_QUERY");
		}
		n++;
		addr = q.vma_end;
	}
}

static void bw_vmas(struct walk_result *r, int fd)
{
	struct vmscope_layout_vma *buf = calloc(4096, sizeof(*buf));
	pid_t pid = bw_many_vmas(BW_VMAS);
	int i, status, maps, n;
	char path[64];
	double t;

	if (!buf || pid < 0 || waitpid(pid, &status, WUNTRACED) != pid ||
	    !WIFSTOPPED(status))
		errx(1, "cannot start a process with %d VMAs", BW_VMAS);
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = open(path, O_RDONLY);
	if (maps < 0)
		err(1, "%s", path);
	for (i = 0; i < BW_ROUNDS; i++) {
		t = now_secs();
		r->vmas = bw_layout(fd, pid, buf);
		r->layout_s = bw_best(r->layout_s, now_secs() - t);
		t = now_secs();
		n = bw_query(maps);
		r->has_query = n >= 0;
		if (!r->has_query)
			continue;
		r->query_s = bw_best(r->query_s, now_secs() - t);
		if (n != r->vmas)
			errx(1, "PROCMAP_QUERY: %d VMAs, LAYOUT %d", n, r->vmas);
	}
	close(maps);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	free(buf);
}

/**
 * bench_kapi() - run the walk cases beside the kernel's interfaces
 * @r: filled in
 */
void bench_kapi(struct walk_result *r)
{
	struct bw_shm *shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	void *buf = malloc(BW_BUF * sizeof(struct vmscope_page) +
			   BW_BUF * sizeof(struct page_region));
	int fd = open(VMSCOPE_DEVICE, O_RDONLY), pm;
	char path[64];
	pid_t pid;

	if (shm == MAP_FAILED || !buf || fd < 0)
		err(1, "cannot allocate or open %s", VMSCOPE_DEVICE);
	memset(r, 0, sizeof(*r));
	r->pages = BW_BYTES / BW_PAGE;
	pid = fork();
	if (pid == 0)
		bw_target(shm);
	while (!__atomic_load_n(&shm->ready, __ATOMIC_ACQUIRE))
		usleep(10000);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	pm = open(path, O_RDONLY);
	if (pm < 0)
		err(1, "%s", path);
	bw_ranges(r, fd, pm, pid, shm, buf);
	close(pm);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	bw_vmas(r, fd);
	close(fd);
	free(buf);
	munmap(shm, sizeof(*shm));
}

/**
 * bench_kapi_print() - the walk cases' section of the table or the JSON
 * @r: the results
 * @json: nonzero for a JSON member ("walk": {...}), else text
 */
void bench_kapi_print(const struct walk_result *r, int json)
{
	if (json) {
		printf("  \"walk_vs_kernel\": {\"pages\": %lu, "
		       "\"walk_1in33_s\": %.6f, \"pagemap_1in33_s\": %.6f, "
		       "\"pagemap_scan\": %s, \"walk_dense_s\": %.6f, "
		       "\"scan_dense_s\": %.6f, \"scan_1in33_s\": %.6f, "
		       "\"vmas\": %d, \"procmap_query\": %s, "
		       "\"layout_ioctl_s\": %.6f, \"procmap_query_s\": %.6f}",
		       (unsigned long)r->pages, r->walk33_s, r->pagemap33_s,
		       r->has_scan ? "true" : "false", r->walk_dense_s,
		       r->scan_dense_s, r->scan33_s, r->vmas,
		       r->has_query ? "true" : "false", r->layout_s,
		       r->query_s);
		return;
	}
	printf("\n1 GiB, one page in %d mapped: WALK %.0f pages/s, pagemap "
	       "%.0f pages/s: %.2fx pagemap\n", BW_STRIDE,
	       r->pages / r->walk33_s, r->pages / r->pagemap33_s,
	       r->pagemap33_s / r->walk33_s);
	if (r->has_scan)
		printf("Present/swapped/untouched: PAGEMAP_SCAN %.4f s (1 GiB "
		       "mapped), %.4f s (1 in %d);\n  WALK %.4f s and %.4f s: "
		       "%.2f and %.2f of PAGEMAP_SCAN's time\n",
		       r->scan_dense_s, r->scan33_s, BW_STRIDE,
		       r->walk_dense_s, r->walk33_s,
		       r->walk_dense_s / r->scan_dense_s,
		       r->walk33_s / r->scan33_s);
	else
		printf("PAGEMAP_SCAN: not in this kernel (6.7+)\n");
	if (r->has_query)
		printf("%d VMAs listed: VMSCOPE_IOC_LAYOUT %.4f s, "
		       "PROCMAP_QUERY %.4f s: %.2f of its time\n", r->vmas,
		       r->layout_s, r->query_s, r->layout_s / r->query_s);
	else
		printf("PROCMAP_QUERY: not in this kernel (6.11+)\n");
}

/**
 * bench_kapi_ratios() - note the walk cases' ratios for the summary
 * @r: the results
 */
void bench_kapi_ratios(const struct walk_result *r)
{
	bench_ratio("1-in-33 WALK vs pagemap", r->pagemap33_s / r->walk33_s,
		    true, "pagemap s / WALK s");
	if (r->has_scan) {
		bench_ratio("dense-1G WALK vs PAGEMAP_SCAN",
			    r->walk_dense_s / r->scan_dense_s, false,
			    "WALK s / PAGEMAP_SCAN s");
		bench_ratio("1-in-33 WALK vs PAGEMAP_SCAN",
			    r->walk33_s / r->scan33_s, false,
			    "WALK s / PAGEMAP_SCAN s");
	}
	if (r->has_query)
		bench_ratio("LAYOUT ioctl vs PROCMAP_QUERY",
			    r->layout_s / r->query_s, false,
			    "LAYOUT s / PROCMAP_QUERY s");
}
