// SPDX-License-Identifier: GPL-2.0
/*
 * Experiments on malloc (glibc): where allocations come from (brk heap or
 * mmap), what free() gives back, and the chunk header before a pointer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exp.h"

#define KiB	1024UL
#define MiB	(1024 * KiB)

static const char *const seg_names[] = VMSCOPE_SEG_NAMES;

/* The segment vmscope puts @addr of @pid in, or -1 if unmapped. */
static int segment_of(int fd, pid_t pid, uint64_t addr)
{
	struct vmscope_layout_vma v;

	return exp_vma_at(fd, pid, addr, &v) ? -1 : (int)v.segment;
}

static const char *seg_name(int seg)
{
	return seg < 0 ? "unmapped" : seg_names[seg];
}

/* ---- malloc-threshold ---- */

enum { MT_BASE, MT_SMALL, MT_LARGE, MT_DYNAMIC, MT_MALLOPT };

static void mt_child(void *arg)
{
	size_t small = (size_t)(uintptr_t)arg;
	void *large = NULL, *p;

	for (;;) {
		switch (exp_child_next()) {
		case MT_SMALL:
			p = malloc(small);
			break;
		case MT_LARGE:
			p = large = malloc(1 * MiB);
			break;
		case MT_DYNAMIC:
			/* freeing a mapped chunk raises the threshold to it */
			free(large);
			p = malloc(512 * KiB);
			break;
		case MT_MALLOPT:
			mallopt(M_MMAP_THRESHOLD, 4 * MiB);
			p = malloc(2 * MiB);
			break;
		default:
			p = NULL;
		}
		if (p)
			memset(p, 1, 4096);
		exp_child_reply((uintptr_t)p);
	}
}

struct mt_step {
	const char *key, *what;
	int cmd;
	uint64_t addr;
	int seg;
	struct vmscope_layout lo;
};

static void mt_measure(struct exp_ctx *x, pid_t pid, struct mt_step *s,
		       const struct vmscope_layout *before)
{
	char key[48];

	s->seg = segment_of(x->fd, pid, s->addr);
	exp_layout(x->fd, pid, &s->lo);
	snprintf(key, sizeof(key), "%s_heap_growth", s->key);
	exp_measure(x, key, (double)(s->lo.brk - before->brk), "bytes",
		    "brk moved by the allocation (program break)");
	snprintf(key, sizeof(key), "%s_new_vmas", s->key);
	exp_measure(x, key, (double)s->lo.map_count - before->map_count,
		    "VMAs", "VMAs the allocation added");
	snprintf(key, sizeof(key), "%s_in_heap", s->key);
	exp_measure(x, key, s->seg == VMSCOPE_SEG_HEAP, "bool",
		    "1: the pointer is in [heap], 0: elsewhere");
	exp_step(x, "%s: pointer in %s", s->what, seg_name(s->seg));
}

static void malloc_threshold(struct exp_ctx *x)
{
	long small = exp_arg(x, "small", 64 * KiB);
	struct mt_step s[] = {
		{ .key = "small", .cmd = MT_SMALL,
		  .what = "malloc(small) below M_MMAP_THRESHOLD" },
		{ .key = "large", .cmd = MT_LARGE,
		  .what = "malloc(1 MiB) above it" },
		{ .key = "dynamic", .cmd = MT_DYNAMIC,
		  .what = "free(1 MiB chunk), then malloc(512 KiB)" },
		{ .key = "mallopt", .cmd = MT_MALLOPT,
		  .what = "mallopt(M_MMAP_THRESHOLD, 4 MiB), malloc(2 MiB)" },
	};
	struct vmscope_layout before;
	struct exp_child c;
	size_t i;

	if (small <= 0 || small >= 128 * (long)KiB)
		return exp_skip(x, "small=%ld: give a size below 128 KiB", small);
	if (exp_child_start(&c, mt_child, (void *)(uintptr_t)small))
		return exp_inconclusive(x, "cannot start the workload");
	exp_step(x, "started a child (glibc malloc, default M_MMAP_THRESHOLD 128 KiB)");
	exp_child_do(&c, MT_BASE);
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		exp_layout(x->fd, c.pid, &before);
		s[i].addr = exp_child_do(&c, s[i].cmd);
		if (!s[i].addr || s[i].addr == UINT64_MAX)
			return exp_inconclusive(x, "%s failed", s[i].what);
		mt_measure(x, c.pid, &s[i], &before);
	}
	exp_child_kill(&c);

	exp_expect(x, s[0].seg == VMSCOPE_SEG_HEAP,
		   "malloc(%ld) comes from the brk heap", small);
	exp_expect(x, s[1].seg == VMSCOPE_SEG_MMAP_ANON,
		   "malloc(1 MiB) gets an anonymous mapping of its own");
	exp_expect(x, s[1].lo.map_count > s[0].lo.map_count,
		   "... which adds a VMA");
	exp_expect(x, s[2].seg == VMSCOPE_SEG_HEAP,
		   "after freeing the 1 MiB chunk the threshold rose: malloc(512 KiB) comes from the heap");
	exp_expect(x, s[3].seg == VMSCOPE_SEG_HEAP,
		   "with M_MMAP_THRESHOLD 4 MiB, malloc(2 MiB) comes from the heap");
}

static const struct vmscope_exp exp_malloc_threshold = {
	.name = "malloc-threshold",
	.order = 1,
	.claim = "malloc serves requests below M_MMAP_THRESHOLD (128 KiB) from the brk heap and larger ones with a mapping of their own; mallopt moves the threshold and freeing a large chunk raises it",
	.next = "vmscope layout PID of a running program: [heap] against the anonymous mappings; glibc's mallopt(3)",
	.run = malloc_threshold,
};
EXP_REGISTER(exp_malloc_threshold)

/* ---- free-return ---- */

enum { FR_BASE, FR_SMALL, FR_FREE_SMALL, FR_LARGE, FR_FREE_LARGE };

#define FR_CHUNKS	64
#define FR_CHUNK	(16 * KiB)

static void fr_child(void *arg)
{
	static char *chunks[FR_CHUNKS];
	char *keep = NULL, *large = NULL;
	int i;

	(void)arg;
	for (;;) {
		uint64_t cmd = exp_child_next(), ret = 0;

		switch (cmd) {
		case FR_SMALL:		/* 1 MiB in 16 KiB chunks, touched */
			for (i = 0; i < FR_CHUNKS; i++) {
				chunks[i] = malloc(FR_CHUNK);
				memset(chunks[i], 1, FR_CHUNK);
			}
			keep = malloc(64);	/* pins the heap's top */
			ret = (uintptr_t)chunks[0];
			break;
		case FR_FREE_SMALL:
			for (i = 0; i < FR_CHUNKS; i++)
				free(chunks[i]);
			ret = (uintptr_t)keep;
			break;
		case FR_LARGE:
			large = malloc(4 * MiB);
			memset(large, 1, 4 * MiB);
			ret = (uintptr_t)large;
			break;
		case FR_FREE_LARGE:
			free(large);
			free(keep);	/* now the top can be trimmed */
			malloc_trim(0);
			ret = 1;
			break;
		}
		exp_child_reply(ret);
	}
}

static void free_return(struct exp_ctx *x)
{
	struct vmscope_layout lo[5];
	struct vmscope_layout_vma v;
	uint64_t large = 0;
	struct exp_child c;
	double rss[5];
	int i, cmds[5] = { FR_BASE, FR_SMALL, FR_FREE_SMALL, FR_LARGE,
			   FR_FREE_LARGE };

	if (exp_child_start(&c, fr_child, NULL))
		return exp_inconclusive(x, "cannot start the workload");
	for (i = 0; i < 5; i++) {
		uint64_t r = exp_child_do(&c, cmds[i]);

		if (i == 3)
			large = r;
		exp_layout(x->fd, c.pid, &lo[i]);
		rss[i] = (double)lo[i].rss_anon;
	}
	exp_step(x, "malloc'd and touched 64 chunks of 16 KiB (1 MiB), then one of 64 bytes above them");
	exp_step(x, "freed the 64 chunks: the small one above keeps the heap's top in use");
	exp_step(x, "malloc'd and touched 4 MiB, then freed it");
	exp_step(x, "freed the last small chunk and called malloc_trim(0)");
	exp_measure(x, "rss_after_small_malloc", rss[1] - rss[0], "bytes",
		    "anonymous RSS added by 1 MiB of small mallocs");
	exp_measure(x, "rss_after_small_free", rss[2] - rss[0], "bytes",
		    "what of it is still resident after free()");
	exp_measure(x, "heap_after_small_free", (double)(lo[2].brk - lo[0].brk),
		    "bytes", "the heap's growth still there after free()");
	exp_measure(x, "rss_large_malloc", rss[3] - rss[2], "bytes",
		    "anonymous RSS added by malloc(4 MiB)");
	exp_measure(x, "rss_large_free", rss[4] - rss[3], "bytes",
		    "RSS change at free(4 MiB) and the trim");
	exp_measure(x, "vmas_large_free",
		    (double)lo[4].map_count - lo[3].map_count, "VMAs",
		    "VMAs removed by free(4 MiB) (negative: gone)");
	exp_measure(x, "heap_after_trim", (double)lo[4].brk - lo[0].brk,
		    "bytes", "heap growth left after malloc_trim(0)");
	exp_expect(x, rss[2] - rss[0] >= (rss[1] - rss[0]) * 0.9,
		   "freed small chunks stay resident in the process");
	exp_expect(x, lo[2].brk >= lo[1].brk,
		   "... and the heap does not shrink while its top is in use");
	exp_expect(x, exp_vma_at(x->fd, c.pid, large, &v) == -ENOENT,
		   "free(4 MiB) unmaps its VMA");
	exp_expect(x, rss[4] <= rss[3] - 4.0 * MiB * 0.9,
		   "... and the 4 MiB leave the RSS at once");
	exp_expect(x, lo[4].brk < lo[2].brk,
		   "with the top free, malloc_trim() gives the heap back (brk moves down)");
	exp_child_kill(&c);
}

static const struct vmscope_exp exp_free_return = {
	.name = "free-return",
	.order = 2,
	.claim = "free() keeps brk-heap memory in the process (RSS and heap top stay) but returns an mmap'd chunk to the kernel at once; only a free top of the heap is trimmed",
	.next = "vmscope layout PID before and after a program frees memory; malloc_trim(3), M_TRIM_THRESHOLD",
	.run = free_return,
};
EXP_REGISTER(exp_free_return)

/* ---- malloc-header ---- */

struct mh_probe {
	size_t req;
	uint64_t ptr;
	uint64_t header;	/* the size word before the pointer */
	uint64_t next_ptr;	/* a second malloc(req) right after */
};

#define MH_PROBES	5

/* The probes, in a thread of their own: see mh_child(). */
static void *mh_probe_all(void *arg)
{
	static const size_t reqs[MH_PROBES] = { 1, 24, 25, 100, 200 * KiB };
	struct mh_probe *p = arg;
	int i;

	for (i = 0; i < MH_PROBES; i++) {
		char *a = malloc(reqs[i]), *b = malloc(reqs[i]);

		p[i].req = reqs[i];
		p[i].ptr = (uintptr_t)a;
		/* the size field of struct malloc_chunk, before the pointer */
		memcpy(&p[i].header, (void *)((uintptr_t)a - sizeof(size_t)),
		       sizeof(size_t));
		p[i].next_ptr = (uintptr_t)b;
	}
	return NULL;
}

/*
 * The child has its parent's heap, and malloc() hands out the free
 * chunks there first, from anywhere in it: two chunks asked for one
 * after the other need not be neighbours.  A new thread of a process
 * that had none gets an arena of its own, empty, whose chunks come one
 * after the other (and carry NON_MAIN_ARENA).
 */
static void mh_child(void *arg)
{
	pthread_t t;
	int err;

	exp_child_next();
	err = pthread_create(&t, NULL, mh_probe_all, arg);
	if (!err)
		pthread_join(t, NULL);
	exp_child_reply(err ? 1 : 0);
	exp_child_next();
}

static void malloc_header(struct exp_ctx *x)
{
	static struct mh_probe probes[MH_PROBES];
	struct exp_child c;
	char key[48], what[EXP_TEXT];
	struct mh_probe *shared = exp_shared(sizeof(probes));
	int i;

	if (!shared)
		return exp_inconclusive(x, "cannot map shared memory");
	if (exp_child_start(&c, mh_child, shared))
		return exp_inconclusive(x, "cannot start the workload");
	if (exp_child_do(&c, 0)) {
		exp_child_kill(&c);
		exp_unshare(shared, sizeof(probes));
		return exp_inconclusive(x, "the workload could not start a thread");
	}
	memcpy(probes, shared, sizeof(probes));
	exp_child_kill(&c);
	exp_unshare(shared, sizeof(probes));
	exp_step(x, "in a new thread of a child (an arena of its own): malloc(n) twice for n = 1, 24, 25, 100 and 200 KiB; read the word before each pointer");
	for (i = 0; i < MH_PROBES; i++) {
		struct mh_probe *p = &probes[i];

		snprintf(key, sizeof(key), "chunk_size_%zu", p->req);
		snprintf(what, sizeof(what), "size word before malloc(%zu), flag bits cleared", p->req);
		exp_measure(x, key, (double)(p->header & ~7ULL), "bytes", what);
		snprintf(key, sizeof(key), "flags_%zu", p->req);
		exp_measure(x, key, (double)(p->header & 7), "bits",
			    "low bits: 1 PREV_INUSE, 2 IS_MMAPPED, 4 NON_MAIN_ARENA");
		if (p->req < 128 * KiB) {
			snprintf(key, sizeof(key), "stride_%zu", p->req);
			exp_measure(x, key, (double)(p->next_ptr - p->ptr),
				    "bytes", "distance to the next malloc of the same size");
		}
	}
	/*
	 * a glibc limited to one arena (MALLOC_ARENA_MAX=1, as containers
	 * set) gives the thread the main one, the parent's heap
	 */
	if (!(probes[0].header & probes[3].header & 4))
		return exp_inconclusive(x, "the thread got no arena of its own (MALLOC_ARENA_MAX?): its chunks need not be neighbours");
	exp_expect(x, (probes[0].header & ~7ULL) == 32,
		   "malloc(1) takes a minimum chunk of 32 bytes (header included)");
	exp_expect(x, (probes[1].header & ~7ULL) == 32 &&
		   (probes[2].header & ~7ULL) == 48,
		   "chunk sizes are the request plus 8, rounded up to 16: 24 -> 32, 25 -> 48");
	exp_expect(x, probes[3].next_ptr - probes[3].ptr ==
		   (probes[3].header & ~7ULL),
		   "consecutive chunks sit one chunk size apart: the size word describes the chunk");
	exp_expect(x, probes[0].header & 1,
		   "PREV_INUSE is set on a chunk whose neighbour below is in use");
	exp_expect(x, (probes[4].header & 2) && probes[4].header >= 200 * KiB,
		   "an mmap'd chunk (200 KiB) carries IS_MMAPPED and its whole mapping's size");
}

static const struct vmscope_exp exp_malloc_header = {
	.name = "malloc-header",
	.order = 3,
	.claim = "the word before a malloc'd pointer holds the chunk's size and flag bits; malloc(1) still takes a minimum chunk",
	.next = "glibc malloc/malloc.c (struct malloc_chunk); malloc_usable_size(3)",
	.run = malloc_header,
};
EXP_REGISTER(exp_malloc_header)
