/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page-replacement algorithms over a reference string: the simulator
 * behind `vmscope replace`, `vmscope exp run belady|replacement` and the
 * benchmark.  Every algorithm is one struct rp_algo (an ops table); the
 * core (rp_run()) owns the frames, the R and M bits, the clock tick and
 * the counts, and asks the algorithm only for a victim.  The conventions
 * that change a fault count are in Documentation/replacement.md.
 */
#ifndef VMSCOPE_REPLACE_H
#define VMSCOPE_REPLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RP_NONE		UINT32_MAX	/* no page, no frame */
#define RP_MAX_FRAMES	(1U << 20)
#define RP_MAX_REFS	(200U * 1000 * 1000)
#define RP_MAX_PAGES	(1U << 26)	/* distinct pages in one string */

/*
 * A reference string.  Pages are renamed to dense ids 0..npages-1 in the
 * order they first appear, so that the algorithms index arrays instead of
 * hashing; page[id] gives the name back.
 */
struct rp_trace {
	uint32_t *ref;		/* page id of each reference */
	uint8_t *wr;		/* 1: that reference writes */
	size_t n, cap;
	uint64_t *page;		/* id -> page number */
	uint32_t npages, page_cap;
	uint32_t *hash;		/* open addressing: page -> id + 1 */
	size_t hash_cap;
	bool hex;		/* page numbers are shown in hex (a real trace) */
	uint64_t intervals;	/* "t" lines of a trace file */
};

int rp_trace_add(struct rp_trace *t, uint64_t page, bool write);
void rp_trace_free(struct rp_trace *t);

/* The parameters an algorithm may use (0: its default). */
struct rp_params {
	uint32_t frames;
	uint32_t tick;		/* references per clock tick (R bits cleared) */
	uint64_t tau;		/* working-set window, in references */
	uint32_t bits;		/* aging: counter bits, 1..32 */
	uint64_t seed;		/* random */
};

#define RP_DEFAULT_TICK	4
#define RP_DEFAULT_BITS	8

struct rp_result {
	uint64_t faults, hits, evictions, writebacks;
};

/* The simulator's state, for the algorithms and the per-step callback. */
struct rp_sim {
	const struct rp_trace *t;
	struct rp_params p;
	uint32_t k;		/* frames */
	uint32_t used;		/* frames filled so far (in frame order) */
	uint64_t now;		/* index of the reference being served */
	uint32_t *frame_page;	/* frame -> page id or RP_NONE */
	uint32_t *where;	/* page id -> frame or RP_NONE */
	uint8_t *r, *m;		/* Referenced and Modified bits per frame */
	uint64_t *loaded;	/* when the frame's page was loaded */
	uint64_t *val;		/* per frame: last use, counter or next use */
	uint32_t *a, *b;	/* per-algorithm lists */
	uint32_t *next_use;	/* opt: per reference, the next one of its page */
	uint64_t *tree;		/* ws: a min segment tree over the frames */
	uint32_t leaves;	/* its width: a power of two >= k */
	uint64_t last_scan;	/* ws: time of the last fault's scan */
	bool (*above)(const struct rp_sim *s, uint32_t f, uint32_t g);
	uint32_t hand, head, tail, count;
	uint64_t rng;
	struct rp_result res;
};

#define RP_SHOWS_RM	(1U << 0)	/* has R and M bits worth showing */
#define RP_USES_TICK	(1U << 1)
#define RP_USES_TAU	(1U << 2)
#define RP_USES_BITS	(1U << 3)
#define RP_USES_SEED	(1U << 4)
#define RP_HAS_HAND	(1U << 5)	/* s->hand points at the next frame looked at */
#define RP_STACK	(1U << 6)	/* a stack algorithm: no Belady anomaly */

/**
 * struct rp_algo - one replacement algorithm
 * @name: as on the command line
 * @summary: one line for --help
 * @flags: RP_*
 * @init: allocate and set up its state (optional); 0 or -errno
 * @hit: a reference to the page in frame f (R and M already set; optional)
 * @load: a page was just loaded into frame f (optional)
 * @victim: every frame is in use: the frame to reuse (required)
 * @tick: a clock tick, after every p.tick references (optional)
 * @show: algorithm-specific state of frame f for the frame table (optional)
 */
struct rp_algo {
	const char *name;
	const char *summary;
	unsigned int flags;
	int (*init)(struct rp_sim *s);
	void (*hit)(struct rp_sim *s, uint32_t f);
	void (*load)(struct rp_sim *s, uint32_t f);
	uint32_t (*victim)(struct rp_sim *s);
	void (*tick)(struct rp_sim *s);
	int (*show)(const struct rp_sim *s, uint32_t f, char *buf, size_t len);
};

extern const struct rp_algo *const rp_algos[];
extern const size_t rp_nr_algos;

const struct rp_algo *rp_algo_find(const char *name);

/* What happened at one reference, for --verbose. */
struct rp_step {
	uint64_t i;
	uint32_t ref;		/* page id */
	bool write, hit;
	uint32_t evicted;	/* page id or RP_NONE */
	uint32_t frame;		/* where the page is now */
};

typedef void (*rp_step_fn)(const struct rp_sim *s, const struct rp_step *st,
			   void *arg);

int rp_run(const struct rp_algo *a, const struct rp_trace *t,
	   const struct rp_params *p, struct rp_result *res,
	   rp_step_fn step, void *arg);

/* Generators, seeded: "loop", "uniform", "locality", "zipf", "scan". */
struct rp_gen {
	const char *name;
	uint64_t length;	/* references */
	uint64_t pages;		/* distinct pages (loop length, address space) */
	uint64_t hot;		/* locality: hot-set size; scan: hot pages */
	uint64_t phase;		/* locality: references per phase */
	double p_hot;		/* locality: share of references to the hot set */
	double s;		/* zipf exponent */
	double writes;		/* share of references that write */
	uint64_t seed;
};

int rp_generate(const struct rp_gen *g, struct rp_trace *t);

/* Read a "vmscope-trace 1" file; on error *line is the bad line, msg why. */
int rp_trace_read(const char *path, struct rp_trace *t, uint64_t *line,
		  const char **msg);

uint64_t rp_rand(uint64_t *state);

#endif
