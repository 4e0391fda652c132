// SPDX-License-Identifier: GPL-2.0
/*
 * The page-replacement simulator: one core loop (rp_run()) and one ops
 * table per algorithm.  The core fills empty frames in frame order, sets
 * R on every reference (the one that faults included) and M on every
 * write, counts faults, hits, evictions and write-backs (evictions of a
 * page with M set), and ticks the clock after every p.tick references;
 * an algorithm only chooses the victim and keeps the order it needs.
 * Documentation/replacement.md states each convention.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replace.h"

/* ---- reference strings ---- */

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static int trace_rehash(struct rp_trace *t, size_t cap)
{
	uint32_t *h = calloc(cap, sizeof(*h)), id;
	size_t j;

	if (!h)
		return -ENOMEM;
	for (id = 0; id < t->npages; id++) {
		for (j = hash64(t->page[id]) & (cap - 1); h[j];
		     j = (j + 1) & (cap - 1))
			;
		h[j] = id + 1;
	}
	free(t->hash);
	t->hash = h;
	t->hash_cap = cap;
	return 0;
}

/* The dense id of @page, made on first sight; RP_NONE without memory. */
static uint32_t trace_id(struct rp_trace *t, uint64_t page)
{
	size_t j;
	void *p;

	if ((t->npages + 1) * 2 > t->hash_cap &&
	    trace_rehash(t, t->hash_cap ? t->hash_cap * 2 : 1024))
		return RP_NONE;
	for (j = hash64(page) & (t->hash_cap - 1); t->hash[j];
	     j = (j + 1) & (t->hash_cap - 1))
		if (t->page[t->hash[j] - 1] == page)
			return t->hash[j] - 1;
	if (t->npages == RP_MAX_PAGES)
		return RP_NONE;
	if (t->npages == t->page_cap) {
		p = realloc(t->page, (t->page_cap ? t->page_cap * 2 : 1024) *
			    sizeof(*t->page));
		if (!p)
			return RP_NONE;
		t->page = p;
		t->page_cap = t->page_cap ? t->page_cap * 2 : 1024;
	}
	t->page[t->npages] = page;
	t->hash[j] = t->npages + 1;
	return t->npages++;
}

/**
 * rp_trace_add() - append one reference
 * @t: the string (zero-initialised before the first call)
 * @page: the page referenced
 * @write: whether the reference writes
 *
 * Return: 0, -E2BIG past RP_MAX_REFS or RP_MAX_PAGES, -ENOMEM.
 */
int rp_trace_add(struct rp_trace *t, uint64_t page, bool write)
{
	uint32_t id;
	void *p, *q;

	if (t->n == RP_MAX_REFS)
		return -E2BIG;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;

		p = realloc(t->ref, cap * sizeof(*t->ref));
		if (p)
			t->ref = p;
		q = realloc(t->wr, cap);
		if (q)
			t->wr = q;
		if (!p || !q)
			return -ENOMEM;
		t->cap = cap;
	}
	id = trace_id(t, page);
	if (id == RP_NONE)
		return t->npages == RP_MAX_PAGES ? -E2BIG : -ENOMEM;
	t->ref[t->n] = id;
	t->wr[t->n++] = write;
	return 0;
}

void rp_trace_free(struct rp_trace *t)
{
	free(t->ref);
	free(t->wr);
	free(t->page);
	free(t->hash);
	memset(t, 0, sizeof(*t));
}

/* xorshift64*, seeded through splitmix64 so that seed 0 works too */
uint64_t rp_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint64_t rp_seed(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z ? z : 1;
}

static double rand01(uint64_t *state)
{
	return (rp_rand(state) >> 11) * 0x1.0p-53;
}

/* ---- the algorithms ---- */

/* FIFO: frames are reused round robin, which is load order. */
static uint32_t fifo_victim(struct rp_sim *s)
{
	uint32_t f = s->hand;

	s->hand = (s->hand + 1) % s->k;
	return f;
}

/* Clock: the hand clears R bits until it finds a frame with R clear. */
static uint32_t clock_victim(struct rp_sim *s)
{
	uint32_t f;

	while (s->r[s->hand]) {
		s->r[s->hand] = 0;
		s->hand = (s->hand + 1) % s->k;
	}
	f = s->hand;
	s->hand = (s->hand + 1) % s->k;
	return f;
}

/* Second chance: a FIFO queue (ring a[]) whose head goes to the tail if R. */
static int queue_init(struct rp_sim *s)
{
	s->a = calloc(s->k, sizeof(*s->a));
	return s->a ? 0 : -ENOMEM;
}

static void sc_load(struct rp_sim *s, uint32_t f)
{
	s->a[s->tail] = f;
	s->tail = (s->tail + 1) % s->k;
	s->count++;
}

static uint32_t sc_pop(struct rp_sim *s)
{
	uint32_t f = s->a[s->head];

	s->head = (s->head + 1) % s->k;
	s->count--;
	return f;
}

static uint32_t sc_victim(struct rp_sim *s)
{
	uint32_t f;

	for (;;) {
		f = sc_pop(s);
		if (!s->r[f])
			return f;	/* sc_load() puts its new page at the tail */
		s->r[f] = 0;
		sc_load(s, f);
	}
}

static int sc_show(const struct rp_sim *s, uint32_t f, char *buf, size_t len)
{
	uint32_t i;

	for (i = 0; i < s->count; i++)
		if (s->a[(s->head + i) % s->k] == f)
			return snprintf(buf, len, "q%u", i);
	return 0;
}

/* LRU: a list over the frames, a[] previous and b[] next, head most recent. */
static int lru_init(struct rp_sim *s)
{
	s->a = malloc(s->k * sizeof(*s->a));
	s->b = malloc(s->k * sizeof(*s->b));
	s->head = s->tail = RP_NONE;
	return s->a && s->b ? 0 : -ENOMEM;
}

static void lru_unlink(struct rp_sim *s, uint32_t f)
{
	if (s->a[f] != RP_NONE)
		s->b[s->a[f]] = s->b[f];
	else
		s->head = s->b[f];
	if (s->b[f] != RP_NONE)
		s->a[s->b[f]] = s->a[f];
	else
		s->tail = s->a[f];
}

static void lru_push(struct rp_sim *s, uint32_t f)
{
	s->a[f] = RP_NONE;
	s->b[f] = s->head;
	if (s->head != RP_NONE)
		s->a[s->head] = f;
	else
		s->tail = f;
	s->head = f;
	s->val[f] = s->now;
}

static void lru_hit(struct rp_sim *s, uint32_t f)
{
	if (s->head != f) {
		lru_unlink(s, f);
		lru_push(s, f);
	}
	s->val[f] = s->now;
}

static uint32_t lru_victim(struct rp_sim *s)
{
	uint32_t f = s->tail;

	lru_unlink(s, f);
	return f;
}

static int show_last_use(const struct rp_sim *s, uint32_t f, char *buf,
			 size_t len)
{
	return snprintf(buf, len, "t%llu", (unsigned long long)s->val[f] + 1);
}

/*
 * OPT: next_use[i] is the next reference to the page of reference i.
 * An indexed max-heap (a[] the heap, b[] each frame's place) keyed by
 * the next use of each frame's page, never (RP_NONE) largest, ties to
 * the lower frame.
 */
static bool opt_above(const struct rp_sim *s, uint32_t f, uint32_t g)
{
	return s->val[f] != s->val[g] ? s->val[f] > s->val[g] : f < g;
}

static void heap_swap(struct rp_sim *s, uint32_t i, uint32_t j)
{
	uint32_t t = s->a[i];

	s->a[i] = s->a[j];
	s->a[j] = t;
	s->b[s->a[i]] = i;
	s->b[s->a[j]] = j;
}

static void heap_up(struct rp_sim *s, uint32_t i)
{
	while (i && s->above(s, s->a[i], s->a[(i - 1) / 2])) {
		heap_swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct rp_sim *s, uint32_t i)
{
	uint32_t l, best;

	for (;;) {
		l = 2 * i + 1;
		best = i;
		if (l < s->count && s->above(s, s->a[l], s->a[best]))
			best = l;
		if (l + 1 < s->count && s->above(s, s->a[l + 1], s->a[best]))
			best = l + 1;
		if (best == i)
			return;
		heap_swap(s, i, best);
		i = best;
	}
}

static int heap_init(struct rp_sim *s,
		     bool (*above)(const struct rp_sim *s, uint32_t f, uint32_t g))
{
	s->above = above;
	s->a = malloc(s->k * sizeof(*s->a));
	s->b = malloc(s->k * sizeof(*s->b));
	return s->a && s->b ? 0 : -ENOMEM;
}

static void heap_push(struct rp_sim *s, uint32_t f)
{
	s->a[s->count] = f;
	s->b[f] = s->count++;
	heap_up(s, s->count - 1);
}

static uint32_t heap_pop(struct rp_sim *s)
{
	uint32_t f = s->a[0];

	heap_swap(s, 0, --s->count);
	heap_down(s, 0);
	return f;
}

static int opt_init(struct rp_sim *s)
{
	const struct rp_trace *t = s->t;
	uint32_t *last;
	size_t i;

	if (heap_init(s, opt_above))
		return -ENOMEM;
	s->next_use = malloc((t->n ? t->n : 1) * sizeof(*s->next_use));
	last = malloc((t->npages ? t->npages : 1) * sizeof(*last));
	if (!s->next_use || !last) {
		free(last);
		return -ENOMEM;
	}
	memset(last, 0xff, t->npages * sizeof(*last));
	for (i = t->n; i-- > 0;) {
		s->next_use[i] = last[t->ref[i]];
		last[t->ref[i]] = i;
	}
	free(last);
	return 0;
}

static void opt_hit(struct rp_sim *s, uint32_t f)
{
	s->val[f] = s->next_use[s->now];	/* later than before: sift down */
	heap_up(s, s->b[f]);
	heap_down(s, s->b[f]);
}

static void opt_load(struct rp_sim *s, uint32_t f)
{
	s->val[f] = s->next_use[s->now];
	heap_push(s, f);
}

static int opt_show(const struct rp_sim *s, uint32_t f, char *buf, size_t len)
{
	if (s->val[f] == RP_NONE)
		return snprintf(buf, len, "never");
	return snprintf(buf, len, "next %llu",
			(unsigned long long)s->val[f] + 1);
}

#define NRU_CLASS(s, f)	(2U * (s)->r[f] + (s)->m[f])

static void clear_r(struct rp_sim *s)
{
	memset(s->r, 0, s->k);
}

#define NRU_CLASS(s, f)	(2U * (s)->r[f] + (s)->m[f])

/*
 * NRU: the lowest class; among equals, the first a hand finds going round
 * the frames from the one after the last victim (Tanenbaum picks "at
 * random"; a hand is deterministic and stops at the first class 0).
 */
static uint32_t nru_victim(struct rp_sim *s)
{
	uint32_t i, f, best = s->hand, c, cb = 4;

	for (i = 0; i < s->k; i++) {
		f = s->hand + i < s->k ? s->hand + i : s->hand + i - s->k;
		c = NRU_CLASS(s, f);
		if (c < cb) {
			best = f;
			cb = c;
			if (!c)
				break;
		}
	}
	s->hand = best + 1 == s->k ? 0 : best + 1;
	return best;
}

static int nru_show(const struct rp_sim *s, uint32_t f, char *buf, size_t len)
{
	return snprintf(buf, len, "c%u", 2 * s->r[f] + s->m[f]);
}

/*
 * NFU and aging evict the lowest counter, ties to the page loaded first.
 * Counters change only at ticks (O(frames) each, as the textbook's), so
 * the frames are kept in a min-heap, rebuilt after every tick: a fault
 * costs O(log frames) instead of a look at every frame.
 */
static bool counter_below(const struct rp_sim *s, uint32_t f, uint32_t g)
{
	return s->val[f] != s->val[g] ? s->val[f] < s->val[g] :
	       s->loaded[f] < s->loaded[g];
}

static int counter_init(struct rp_sim *s)
{
	return heap_init(s, counter_below);
}

static void counter_load(struct rp_sim *s, uint32_t f)
{
	s->val[f] = 0;
	heap_push(s, f);
}

static void heap_rebuild(struct rp_sim *s)
{
	uint32_t i;

	for (i = s->count / 2; i-- > 0;)
		heap_down(s, i);
}

static void nfu_tick(struct rp_sim *s)
{
	uint32_t f;

	for (f = 0; f < s->used; f++)
		s->val[f] += s->r[f];
	clear_r(s);
	heap_rebuild(s);
}

static int nfu_show(const struct rp_sim *s, uint32_t f, char *buf, size_t len)
{
	return snprintf(buf, len, "n%llu", (unsigned long long)s->val[f]);
}

static void aging_tick(struct rp_sim *s)
{
	unsigned int top = s->p.bits - 1;
	uint32_t f;

	for (f = 0; f < s->used; f++)
		s->val[f] = (s->val[f] >> 1) | ((uint64_t)s->r[f] << top);
	clear_r(s);
	heap_rebuild(s);
}

static int aging_show(const struct rp_sim *s, uint32_t f, char *buf,
		      size_t len)
{
	unsigned int i, n = s->p.bits < len - 1 ? s->p.bits : len - 1;

	for (i = 0; i < n; i++)
		buf[i] = '0' + ((s->val[f] >> (s->p.bits - 1 - i)) & 1);
	buf[n] = '\0';
	return n;
}

/*
 * Working set (Tanenbaum 3.4.8): each page's time of last use is written
 * from R at each fault's scan of every frame; a page with R clear and age
 * above tau is outside the working set and is evicted (the first such
 * frame); failing that, the oldest with R clear (the first of equals);
 * failing that (all R set), the earliest loaded clean page, or the
 * earliest loaded.
 *
 * Done without looking at every frame: a scan only stamps the frames with
 * R set, so it is recorded once (last_scan) and a frame's time of last
 * use is last_scan if its R was set before that scan (b[] holds when R
 * was set), else val[]; ticks, which clear R, write it into val[].  The
 * frames with R clear are in a min segment tree by val[]: the first one
 * older than tau and the oldest are O(log frames) to find.
 */
#define WS_INF	UINT64_MAX

static uint64_t ws_last_use(const struct rp_sim *s, uint32_t f)
{
	return s->r[f] && s->b[f] <= s->last_scan ? s->last_scan : s->val[f];
}

static void tree_set(struct rp_sim *s, uint32_t f, uint64_t v)
{
	uint32_t i = s->leaves + f;

	s->tree[i] = v;
	for (i /= 2; i; i /= 2)
		s->tree[i] = s->tree[2 * i] < s->tree[2 * i + 1] ?
			     s->tree[2 * i] : s->tree[2 * i + 1];
}

static void tree_build(struct rp_sim *s)
{
	uint32_t i;

	for (i = s->leaves - 1; i; i--)
		s->tree[i] = s->tree[2 * i] < s->tree[2 * i + 1] ?
			     s->tree[2 * i] : s->tree[2 * i + 1];
}

/* The first frame whose key is below @x, or RP_NONE. */
static uint32_t tree_first_below(const struct rp_sim *s, uint64_t x)
{
	uint32_t i = 1;

	if (s->tree[1] >= x)
		return RP_NONE;
	while (i < s->leaves)
		i = s->tree[2 * i] < x ? 2 * i : 2 * i + 1;
	return i - s->leaves;
}

/* The first frame with the lowest key, or RP_NONE if all are WS_INF. */
static uint32_t tree_min(const struct rp_sim *s)
{
	uint32_t i = 1;

	if (s->tree[1] == WS_INF)
		return RP_NONE;
	while (i < s->leaves)
		i = s->tree[2 * i] <= s->tree[2 * i + 1] ? 2 * i : 2 * i + 1;
	return i - s->leaves;
}

static int ws_init(struct rp_sim *s)
{
	for (s->leaves = 1; s->leaves < s->k; s->leaves *= 2)
		;
	s->tree = malloc(2 * (size_t)s->leaves * sizeof(*s->tree));
	s->b = malloc(s->k * sizeof(*s->b));
	if (!s->tree || !s->b)
		return -ENOMEM;
	memset(s->tree, 0xff, 2 * (size_t)s->leaves * sizeof(*s->tree));
	return 0;
}

static void ws_load(struct rp_sim *s, uint32_t f)
{
	s->val[f] = s->now;
	s->b[f] = s->now;
	tree_set(s, f, WS_INF);
}

static void ws_hit(struct rp_sim *s, uint32_t f)
{
	if (s->tree[s->leaves + f] != WS_INF) {	/* R was clear */
		s->b[f] = s->now;
		tree_set(s, f, WS_INF);
	}
}

static void ws_tick(struct rp_sim *s)
{
	uint32_t f;

	for (f = 0; f < s->used; f++) {
		if (s->r[f])
			s->val[f] = ws_last_use(s, f);
		s->tree[s->leaves + f] = s->val[f];
	}
	clear_r(s);
	tree_build(s);
}

static uint32_t ws_fallback(struct rp_sim *s)
{
	uint32_t f, best = RP_NONE;

	for (f = 0; f < s->k; f++)
		if (best == RP_NONE || s->m[f] < s->m[best] ||
		    (s->m[f] == s->m[best] && s->loaded[f] < s->loaded[best]))
			best = f;
	return best;
}

static uint32_t ws_victim(struct rp_sim *s)
{
	uint32_t f;

	s->last_scan = s->now;	/* every frame with R set: used now */
	f = s->now > s->p.tau ? tree_first_below(s, s->now - s->p.tau) :
				RP_NONE;
	if (f == RP_NONE)
		f = tree_min(s);
	return f != RP_NONE ? f : ws_fallback(s);
}

static int ws_show(const struct rp_sim *s, uint32_t f, char *buf, size_t len)
{
	return snprintf(buf, len, "t%llu",
			(unsigned long long)ws_last_use(s, f) + 1);
}

static void wsclock_load(struct rp_sim *s, uint32_t f)
{
	s->val[f] = s->now;
}

static int wsclock_show(const struct rp_sim *s, uint32_t f, char *buf,
			size_t len)
{
	return snprintf(buf, len, "t%llu", (unsigned long long)s->val[f] + 1);
}

/*
 * WSClock (Tanenbaum 3.4.9): the hand clears R (recording the time of
 * use); a page with R clear, older than tau and clean is the victim; one
 * older than tau but dirty has its write scheduled (it completes at once:
 * M is cleared, a write-back counted) and the hand goes on.  After a full
 * turn: with writes scheduled, go on (the first written page is now a
 * clean old page); without, the first clean page passed, else the page
 * under the hand (written back when it is evicted).
 */
static uint32_t wsclock_turn(struct rp_sim *s, bool *wrote, uint32_t *clean)
{
	uint32_t i, f;

	for (i = 0; i < s->k; i++) {
		f = s->hand;
		s->hand = (s->hand + 1) % s->k;
		if (s->r[f]) {
			s->r[f] = 0;
			s->val[f] = s->now;
		} else if (s->now - s->val[f] > s->p.tau) {
			if (!s->m[f])
				return f;
			s->m[f] = 0;
			s->res.writebacks++;
			*wrote = true;
		} else if (*clean == RP_NONE && !s->m[f]) {
			*clean = f;
		}
	}
	return RP_NONE;
}

static uint32_t wsclock_victim(struct rp_sim *s)
{
	uint32_t clean = RP_NONE, f;
	bool wrote = false;

	f = wsclock_turn(s, &wrote, &clean);
	if (f == RP_NONE && wrote)
		f = wsclock_turn(s, &wrote, &clean);
	if (f == RP_NONE)
		f = clean != RP_NONE ? clean : s->hand;
	s->hand = (f + 1) % s->k;
	return f;
}

static uint32_t random_victim(struct rp_sim *s)
{
	return rp_rand(&s->rng) % s->k;
}

static const struct rp_algo algo_opt = {
	.name = "opt", .summary = "optimal (Belady's MIN): evict the page used farthest in the future",
	.flags = RP_STACK, .init = opt_init, .hit = opt_hit, .load = opt_load,
	.victim = heap_pop, .show = opt_show,
};
static const struct rp_algo algo_fifo = {
	.name = "fifo", .summary = "first in, first out: evict the page loaded first",
	.flags = RP_HAS_HAND, .victim = fifo_victim,
};
static const struct rp_algo algo_sc = {
	.name = "second-chance", .summary = "FIFO, but a page with R set goes to the tail with R cleared",
	.flags = RP_SHOWS_RM, .init = queue_init, .load = sc_load,
	.victim = sc_victim, .show = sc_show,
};
static const struct rp_algo algo_clock = {
	.name = "clock", .summary = "second chance on a circular list: the hand clears R until R is clear",
	.flags = RP_SHOWS_RM | RP_HAS_HAND, .victim = clock_victim,
};
static const struct rp_algo algo_lru = {
	.name = "lru", .summary = "least recently used (exact, O(1) list)",
	.flags = RP_STACK, .init = lru_init, .hit = lru_hit, .load = lru_push,
	.victim = lru_victim, .show = show_last_use,
};
static const struct rp_algo algo_nru = {
	.name = "nru", .summary = "not recently used: lowest class 2R+M, R cleared every tick",
	.flags = RP_SHOWS_RM | RP_USES_TICK | RP_HAS_HAND, .victim = nru_victim,
	.tick = clear_r, .show = nru_show,
};
static const struct rp_algo algo_nfu = {
	.name = "nfu", .summary = "not frequently used: a counter adds R every tick; lowest evicted",
	.flags = RP_SHOWS_RM | RP_USES_TICK, .init = counter_init,
	.load = counter_load, .victim = heap_pop, .tick = nfu_tick,
	.show = nfu_show,
};
static const struct rp_algo algo_aging = {
	.name = "aging", .summary = "aging: counter shifted right with R in the top bit every tick",
	.flags = RP_SHOWS_RM | RP_USES_TICK | RP_USES_BITS,
	.init = counter_init, .load = counter_load, .victim = heap_pop,
	.tick = aging_tick,
	.show = aging_show,
};
static const struct rp_algo algo_ws = {
	.name = "ws", .summary = "working set: evict a page unused for more than tau references",
	.flags = RP_SHOWS_RM | RP_USES_TICK | RP_USES_TAU, .init = ws_init,
	.hit = ws_hit, .load = ws_load, .victim = ws_victim, .tick = ws_tick,
	.show = ws_show,
};
static const struct rp_algo algo_wsclock = {
	.name = "wsclock", .summary = "WSClock: a clock over the frames with working-set ages and write-backs",
	.flags = RP_SHOWS_RM | RP_USES_TICK | RP_USES_TAU | RP_HAS_HAND,
	.load = wsclock_load, .victim = wsclock_victim, .tick = clear_r,
	.show = wsclock_show,
};
static const struct rp_algo algo_random = {
	.name = "random", .summary = "a frame chosen at random (seeded)",
	.flags = RP_USES_SEED, .victim = random_victim,
};

const struct rp_algo *const rp_algos[] = {
	&algo_opt, &algo_fifo, &algo_sc, &algo_clock, &algo_lru, &algo_nru,
	&algo_nfu, &algo_aging, &algo_ws, &algo_wsclock, &algo_random,
};
const size_t rp_nr_algos = sizeof(rp_algos) / sizeof(rp_algos[0]);

const struct rp_algo *rp_algo_find(const char *name)
{
	size_t i;

	for (i = 0; i < rp_nr_algos; i++)
		if (!strcmp(rp_algos[i]->name, name))
			return rp_algos[i];
	return NULL;
}

/* ---- the core ---- */

static void sim_free(struct rp_sim *s)
{
	free(s->frame_page);
	free(s->where);
	free(s->r);
	free(s->m);
	free(s->loaded);
	free(s->val);
	free(s->a);
	free(s->b);
	free(s->next_use);
	free(s->tree);
}

static int sim_init(struct rp_sim *s, const struct rp_algo *a,
		    const struct rp_trace *t, const struct rp_params *p)
{
	memset(s, 0, sizeof(*s));
	s->t = t;
	s->p = *p;
	s->k = p->frames;
	if (!s->k || s->k > RP_MAX_FRAMES)
		return -EINVAL;
	if (!s->p.tick)
		s->p.tick = RP_DEFAULT_TICK;
	if (!s->p.bits)
		s->p.bits = RP_DEFAULT_BITS;
	if (s->p.bits > 32)
		return -EINVAL;
	if (!s->p.tau)
		s->p.tau = s->k;
	s->rng = rp_seed(p->seed);
	s->frame_page = malloc(s->k * sizeof(*s->frame_page));
	s->where = malloc((t->npages ? t->npages : 1) * sizeof(*s->where));
	s->r = calloc(s->k, 1);
	s->m = calloc(s->k, 1);
	s->loaded = calloc(s->k, sizeof(*s->loaded));
	s->val = calloc(s->k, sizeof(*s->val));
	if (!s->frame_page || !s->where || !s->r || !s->m || !s->loaded ||
	    !s->val)
		return -ENOMEM;
	memset(s->frame_page, 0xff, s->k * sizeof(*s->frame_page));
	memset(s->where, 0xff, t->npages * sizeof(*s->where));
	return a->init ? a->init(s) : 0;
}

/* A reference to a page that is not in memory. */
static uint32_t sim_fault(struct rp_sim *s, const struct rp_algo *a,
			  uint32_t id, bool wr, uint32_t *evicted)
{
	uint32_t f;

	s->res.faults++;
	*evicted = RP_NONE;
	if (s->used < s->k) {
		f = s->used++;
	} else {
		f = a->victim(s);
		*evicted = s->frame_page[f];
		s->where[*evicted] = RP_NONE;
		s->res.evictions++;
		s->res.writebacks += s->m[f];
	}
	s->frame_page[f] = id;
	s->where[id] = f;
	s->r[f] = 1;
	s->m[f] = wr;
	s->loaded[f] = s->now;
	if (a->load)
		a->load(s, f);
	return f;
}

/**
 * rp_run() - run one algorithm over a reference string
 * @a: the algorithm
 * @t: the references
 * @p: frames (1..RP_MAX_FRAMES) and the algorithm's parameters
 * @res: out: the counts
 * @step: called after each reference with the state (NULL: not)
 * @arg: for @step
 *
 * Return: 0, -EINVAL for bad parameters, -ENOMEM.
 */
int rp_run(const struct rp_algo *a, const struct rp_trace *t,
	   const struct rp_params *p, struct rp_result *res,
	   rp_step_fn step, void *arg)
{
	struct rp_sim s;
	struct rp_step st;
	uint32_t f, tick, left;
	size_t i;
	int err;

	err = sim_init(&s, a, t, p);
	if (err) {
		sim_free(&s);
		return err;
	}
	tick = a->tick ? s.p.tick : 0;
	left = tick;
	for (i = 0; i < t->n; i++) {
		uint32_t id = t->ref[i], evicted = RP_NONE;
		bool wr = t->wr[i], hit;

		s.now = i;
		f = s.where[id];
		hit = f != RP_NONE;
		if (hit) {
			s.res.hits++;
			s.r[f] = 1;
			s.m[f] |= wr;
			if (a->hit)
				a->hit(&s, f);
		} else {
			f = sim_fault(&s, a, id, wr, &evicted);
		}
		if (step) {
			st = (struct rp_step){ .i = i, .ref = id, .write = wr,
				.hit = hit, .evicted = evicted, .frame = f };
			step(&s, &st, arg);
		}
		if (tick && !--left) {
			a->tick(&s);
			left = tick;
		}
	}
	*res = s.res;
	sim_free(&s);
	return 0;
}

/* ---- generators ---- */

static int gen_zipf_cdf(const struct rp_gen *g, double **cdf)
{
	double sum = 0;
	uint64_t i;

	*cdf = malloc(g->pages * sizeof(**cdf));
	if (!*cdf)
		return -ENOMEM;
	for (i = 0; i < g->pages; i++) {
		sum += 1.0 / pow((double)(i + 1), g->s);
		(*cdf)[i] = sum;
	}
	for (i = 0; i < g->pages; i++)
		(*cdf)[i] /= sum;
	return 0;
}

static uint64_t zipf_pick(const double *cdf, uint64_t n, double u)
{
	uint64_t lo = 0, hi = n - 1, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct gen_state {
	uint64_t rng, base, scan;
	double *cdf;
};

static uint64_t gen_one(const struct rp_gen *g, struct gen_state *st,
			uint64_t i)
{
	switch (g->name[0]) {
	case 'l':
		if (!strcmp(g->name, "loop"))
			return i % g->pages;
		if (i % g->phase == 0)
			st->base = rp_rand(&st->rng) % (g->pages - g->hot + 1);
		if (rand01(&st->rng) < g->p_hot)
			return st->base + rp_rand(&st->rng) % g->hot;
		return rp_rand(&st->rng) % g->pages;
	case 'u':
		return rp_rand(&st->rng) % g->pages;
	case 'z':
		return zipf_pick(st->cdf, g->pages, rand01(&st->rng));
	default:	/* scan: a hot set, and a sequential sweep beyond it */
		if (rand01(&st->rng) < g->p_hot)
			return rp_rand(&st->rng) % g->hot;
		return g->hot + st->scan++ % (g->pages - g->hot);
	}
}

/**
 * rp_generate() - append a generated reference string
 * @g: the generator and its parameters (checked by the caller)
 * @t: the string
 *
 * Return: 0, -EINVAL for an unknown generator, -ENOMEM, -E2BIG.
 */
int rp_generate(const struct rp_gen *g, struct rp_trace *t)
{
	struct gen_state st = { .rng = rp_seed(g->seed) };
	uint64_t i;
	int err = 0;

	if (strcmp(g->name, "loop") && strcmp(g->name, "uniform") &&
	    strcmp(g->name, "locality") && strcmp(g->name, "zipf") &&
	    strcmp(g->name, "scan"))
		return -EINVAL;
	if (!strcmp(g->name, "zipf") && gen_zipf_cdf(g, &st.cdf))
		return -ENOMEM;
	for (i = 0; i < g->length && !err; i++) {
		uint64_t page = gen_one(g, &st, i);
		bool wr = g->writes > 0 && rand01(&st.rng) < g->writes;

		err = rp_trace_add(t, page, wr);
	}
	free(st.cdf);
	return err;
}

/* ---- trace files: Documentation/trace-format.md ---- */

/* Whether every word of @s is a page number (hex, optional 'w'). */
static bool page_line(const char *s)
{
	size_t n;

	while (*s) {
		n = strspn(s, "0123456789abcdef");
		if (!n)
			return false;
		s += n;
		s += *s == 'w';
		if (*s && *s != ' ' && *s != '\t')
			return false;
		s += strspn(s, " \t");
	}
	return true;
}

static int trace_line(char *line, struct rp_trace *t, bool *header,
		      uint64_t *last_t, const char **msg)
{
	char *tok, *save = NULL, *end;
	unsigned long long v;

	line[strcspn(line, "\r\n")] = '\0';
	tok = line + strspn(line, " \t");
	if (!*tok || *tok == '#')
		return 0;
	if (tok[0] == 't' && (tok[1] == ' ' || tok[1] == '\t')) {
		errno = 0;
		v = strtoull(tok + 2, &end, 10);
		if (errno || end == tok + 2 || *(end + strspn(end, " \t")))
			return *msg = "a 't' line needs a time in ms", -EINVAL;
		if (!*header && v < *last_t)
			return *msg = "time goes backwards", -EINVAL;
		*header = false;
		*last_t = v;
		t->intervals++;
		return 0;
	}
	if (*header) {
		if (page_line(tok))
			return *msg = "page numbers before the first 't' line",
			       -EINVAL;
		return 0;	/* "key value": unknown keys are ignored */
	}
	for (tok = strtok_r(tok, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		size_t len = strlen(tok);
		bool wr = len > 1 && tok[len - 1] == 'w';

		if (wr)
			tok[len - 1] = '\0';
		errno = 0;
		v = strtoull(tok, &end, 16);
		if (errno || *end || !*tok || *tok == '-' || *tok == '+' ||
		    strspn(tok, "0123456789abcdef") != strlen(tok))
			return *msg = "a page number must be lower-case hex, with an optional 'w'",
			       -EINVAL;
		if (rp_trace_add(t, v, wr))
			return *msg = "too many references or pages", -E2BIG;
	}
	return 0;
}

/**
 * rp_trace_read() - read a "vmscope-trace 1" file into a reference string
 * @path: the file ("-": standard input)
 * @t: the string to append to
 * @line: out: the line of the error
 * @msg: out: what is wrong with it
 *
 * Each interval's pages become references in the order the file gives
 * them (ascending: the sampler cannot know the real order).
 *
 * Return: 0, -errno of fopen(), -EINVAL for a malformed file.
 */
int rp_trace_read(const char *path, struct rp_trace *t, uint64_t *line,
		  const char **msg)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	bool header = true;
	uint64_t last_t = 0;
	char *buf = NULL;
	size_t cap = 0;
	int err = 0;

	*line = 0;
	if (!f)
		return -errno;
	t->hex = true;
	if (getline(&buf, &cap, f) < 0) {
		*msg = "empty file, not a vmscope trace";
		err = -EINVAL;
	} else if (++*line, strcmp(buf, "vmscope-trace 1\n") &&
		   strcmp(buf, "vmscope-trace 1")) {
		*msg = !strncmp(buf, "vmscope-trace ", 14) ?
		       "a trace version this vmscope does not read (it reads 1)" :
		       "not a vmscope trace: the first line must be 'vmscope-trace 1'";
		err = -EINVAL;
	}
	while (!err && getline(&buf, &cap, f) >= 0) {
		++*line;
		err = trace_line(buf, t, &header, &last_t, msg);
	}
	if (!err && ferror(f))
		err = -EIO, *msg = "read error";
	free(buf);
	if (f != stdin)
		fclose(f);
	return err;
}
