// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope doctor's analysis: sample the system and every process over a
 * window, then look for each kind of trouble and keep the evidence -- the
 * measured value and the threshold it crossed -- with every finding.
 */
#define _GNU_SOURCE
#include <err.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "doctor.h"
#include "leak.h"
#include "triage.h"

#define DOC_MAX_SAMPLES	61
#define PAGEBLOCK_ORDER	9	/* x86-64: 2 MiB blocks */

/* Thresholds, named so the help, the code and the evidence agree. */
#define SWAP_OUT_MIN_PAGES	256	/* 1 MiB swapped out in the window */
#define SWAP_SLOT_BATCHES	128	/* pages a CPU's swap slot cache moves */
#define SWAP_HELD_FRACTION	0.25
#define THRASH_REFAULT_PS	50.0
#define THRASH_MAJFLT_PS	50.0
#define THRASH_PSI_FULL_PCT	5.0
#define COMMIT_FRACTION		0.9
#define AVAIL_FRACTION		0.05
#define MEMCG_NEAR_MAX		0.9
#define FRAG_MIN_FREE		(32ULL << 20)
#define CACHE_REFAULT_PS	50.0
#define CACHE_TURNOVER_S	300.0

struct doc_window {
	struct tri_snap s[DOC_MAX_SAMPLES];
	int n;
	struct tri_memcg *cg[2];
	int ncg[2];
	double secs;
	long page;
};

const char *doc_severity_name(enum doc_severity s)
{
	return s == DOC_CRITICAL ? "critical" : s == DOC_WARNING ? "warning" :
	       "info";
}

static struct doc_finding * __attribute__((format(printf, 4, 5)))
finding(struct doc_result *r, const char *kind, enum doc_severity sev,
	const char *fmt, ...)
{
	struct doc_finding *f;
	va_list ap;

	if (r->nr == DOC_MAX_FINDINGS)
		return NULL;
	f = &r->f[r->nr++];
	memset(f, 0, sizeof(*f));
	snprintf(f->kind, sizeof(f->kind), "%s", kind);
	f->severity = sev;
	va_start(ap, fmt);
	vsnprintf(f->summary, sizeof(f->summary), fmt, ap);
	va_end(ap);
	return f;
}

static void evidence(struct doc_finding *f, const char *name, double value,
		     const char *op, double threshold, const char *unit)
{
	struct doc_evidence *e;

	if (!f || f->nr_ev == DOC_MAX_EVIDENCE)
		return;
	e = &f->ev[f->nr_ev++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->value = value;
	snprintf(e->op, sizeof(e->op), "%s", op ? op : "");
	e->threshold = op ? threshold : NAN;
	snprintf(e->unit, sizeof(e->unit), "%s", unit);
}

/* The command to run next; false if it did not fit (or no finding). */
static bool __attribute__((format(printf, 2, 3)))
say_next(struct doc_finding *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!f)		/* the table was full: finding() gave none */
		return false;
	va_start(ap, fmt);
	n = vsnprintf(f->next, sizeof(f->next), fmt, ap);
	va_end(ap);
	return n >= 0 && n < (int)sizeof(f->next);
}

static void add_pid(struct doc_finding *f, uint32_t pid)
{
	int i;

	if (!f || !pid || f->nr_pids == DOC_MAX_PIDS)
		return;
	for (i = 0; i < f->nr_pids; i++)
		if (f->pids[i] == pid)
			return;
	f->pids[f->nr_pids++] = pid;
}

static void add_cgroup(struct doc_finding *f, const char *path)
{
	int i;

	if (!f || !path[0] || f->nr_cgroups == DOC_MAX_CGROUPS)
		return;
	for (i = 0; i < f->nr_cgroups; i++)
		if (!strcmp(f->cgroups[i], path))
			return;
	snprintf(f->cgroups[f->nr_cgroups++], sizeof(f->cgroups[0]), "%s",
		 path);
}

static void add_pid_cgroup(struct doc_finding *f, uint32_t pid)
{
	char path[256];

	if (!tri_pid_cgroup(pid, path, sizeof(path)) && strcmp(path, "/"))
		add_cgroup(f, path);
}

static const struct tri_snap *first(const struct doc_window *w)
{
	return &w->s[0];
}

static const struct tri_snap *last(const struct doc_window *w)
{
	return &w->s[w->n - 1];
}

static double sys_rate(const struct doc_window *w, enum vmscope_stat i)
{
	return tri_rate(&first(w)->sys, &last(w)->sys, i);
}

static uint64_t anon_of(const struct tri_proc *p)
{
	return p->rss_anon + p->swap;
}

/* ---- leak ---- */

/* Intervals in which @pid's anonymous memory rose, and fell (by 64 KiB). */
static void leak_steps(const struct doc_window *w, uint32_t pid, int *ups,
		       int *downs)
{
	const struct tri_proc *a, *b;
	int i;

	*ups = *downs = 0;
	for (i = 1; i < w->n; i++) {
		a = tri_find(&w->s[i - 1], pid);
		b = tri_find(&w->s[i], pid);
		if (!a || !b)
			continue;
		if (anon_of(b) > anon_of(a))
			(*ups)++;
		else if (anon_of(b) + 65536 < anon_of(a))
			(*downs)++;
	}
}

static void check_leak(const struct doc_window *w, struct doc_result *r)
{
	const struct tri_snap *s0 = first(w), *s1 = last(w);
	uint32_t i, self = getpid();

	for (i = 0; i < s1->nr_procs; i++) {
		const struct tri_proc *p = &s1->procs[i], *o;
		double secs, rate;
		int64_t growth, heap, maps;
		struct doc_finding *f;
		char h[16], hr[16];
		int ups, downs;

		o = tri_find(s0, p->pid);
		if (!o || p->pid == self)
			continue;
		/* its own times: a sample of many processes takes a while */
		secs = p->t - o->t;
		if (secs <= 0)
			continue;
		growth = (int64_t)anon_of(p) - (int64_t)anon_of(o);
		rate = growth / secs;
		if (growth < LEAK_MIN_BYTES || rate < LEAK_MIN_RATE)
			continue;
		leak_steps(w, p->pid, &ups, &downs);
		if (ups * 2 < w->n - 1 || downs * 4 > w->n - 1)
			continue;	/* up and down: not steady */
		heap = (int64_t)p->brk_size - (int64_t)o->brk_size;
		maps = (int64_t)p->map_count - (int64_t)o->map_count;
		f = finding(r, "leak", DOC_WARNING,
			    "process %u (%s): anonymous memory grows steadily, "
			    "%s/s (+%s), in the %s", p->pid, p->comm,
			    size_to_human((uint64_t)rate, hr, sizeof(hr)),
			    size_to_human(growth, h, sizeof(h)),
			    heap * 2 >= growth ? "heap (brk)" :
			    "anonymous mappings (mmap)");
		if (!f)
			return;
		snprintf(f->segment, sizeof(f->segment), "%s",
			 heap * 2 >= growth ? "heap" : "mmap-anon");
		f->rate = rate;
		if (s1->sys.mem_available && rate * 3600 > s1->sys.mem_available)
			f->severity = DOC_CRITICAL;
		evidence(f, "anon_growth_rate", rate, ">=", LEAK_MIN_RATE,
			 "bytes/s");
		evidence(f, "anon_growth", growth, ">=", LEAK_MIN_BYTES, "bytes");
		evidence(f, "intervals_growing", ups, ">=", (w->n - 1) / 2.0,
			 "intervals");
		evidence(f, "intervals_shrinking", downs, "<=", (w->n - 1) / 4.0,
			 "intervals");
		evidence(f, "heap_growth", heap, NULL, 0, "bytes");
		evidence(f, "new_vmas", maps, NULL, 0, "VMAs");
		evidence(f, "rss_anon_end", p->rss_anon, NULL, 0, "bytes");
		add_pid(f, p->pid);
		add_pid_cgroup(f, p->pid);
		say_next(f, "vmscope leak %u "
			 "--duration 10", p->pid);
	}
}

/* ---- swap ---- */

static int cmp_swap_growth(const void *a, const void *b, void *arg)
{
	const struct tri_proc *x = a, *y = b;
	const struct tri_snap *s0 = arg;
	const struct tri_proc *ox = tri_find(s0, x->pid),
			      *oy = tri_find(s0, y->pid);
	int64_t gx = (int64_t)x->swap - (ox ? (int64_t)ox->swap : 0);
	int64_t gy = (int64_t)y->swap - (oy ? (int64_t)oy->swap : 0);

	if (gx != gy)
		return gx < gy ? 1 : -1;
	return x->swap < y->swap ? 1 : x->swap > y->swap ? -1 : 0;
}

/* Free memory against the high watermarks, node by node. */
static void swap_nodes(const struct tri_sys *s, struct doc_finding *f,
		       bool growing, long page)
{
	uint64_t fr[64] = { 0 }, hi[64] = { 0 };
	unsigned int i, nodes = 0;
	char name[40];

	for (i = 0; i < s->nr_zones; i++) {
		const struct vmscope_zone *z = &s->zones[i];

		if (z->node >= 64 || !(z->flags & VMSCOPE_ZONE_POPULATED))
			continue;
		fr[z->node] += z->free;
		hi[z->node] += z->high;
		if (z->node + 1 > nodes)
			nodes = z->node + 1;
	}
	for (i = 0; i < nodes; i++) {
		snprintf(name, sizeof(name), "node%u_free", i);
		evidence(f, name, (double)fr[i] * page, NULL, 0, "bytes");
		snprintf(name, sizeof(name), "node%u_high_wmark", i);
		evidence(f, name, (double)hi[i] * page, NULL, 0, "bytes");
		if (growing && nodes > 1 && fr[i] > hi[i])
			snprintf(f->summary + strlen(f->summary),
				 sizeof(f->summary) - strlen(f->summary),
				 "; node %u has free memory above its high "
				 "watermark", i);
	}
}

static void swap_cgroups(const struct doc_window *w, struct doc_finding *f)
{
	int i;

	for (i = 0; i < w->ncg[1]; i++) {
		const struct tri_memcg *c = &w->cg[1][i], *o;

		o = tri_memcg_find(w->cg[0], w->ncg[0], c->path);
		if ((o && c->swap_current > o->swap_current) ||
		    (o && c->ev_max > o->ev_max && c->swap_current) ||
		    (c->max != TRI_NO_LIMIT &&
		     c->current >= c->max * MEMCG_NEAR_MAX && c->swap_current) ||
		    (c->swap_max != TRI_NO_LIMIT && c->swap_max &&
		     c->swap_current >= c->swap_max * MEMCG_NEAR_MAX))
			add_cgroup(f, c->path);
	}
}

static void check_swap(const struct doc_window *w, struct doc_result *r)
{
	const struct tri_sys *a = &first(w)->sys, *b = &last(w)->sys;
	uint64_t out = tri_stat(b, VMSCOPE_STAT_PSWPOUT) -
		       tri_stat(a, VMSCOPE_STAT_PSWPOUT);
	uint64_t used = b->swap_total - b->swap_free;
	double grew = (double)used - (double)(a->swap_total - a->swap_free);
	/*
	 * pswpout misses the pages zswap keeps and the zero-filled pages
	 * 6.12 swaps out without writing (neither is counted there): swap
	 * used that grows says so all the same, beyond what the per-CPU
	 * swap slot caches take from SwapFree at once (64 slots a CPU, and
	 * as many given back)
	 */
	double slots = (double)SWAP_SLOT_BATCHES * sysconf(_SC_NPROCESSORS_ONLN);
	bool by_out = out >= SWAP_OUT_MIN_PAGES;
	bool growing = by_out ||
		       grew >= (SWAP_OUT_MIN_PAGES + slots) * w->page;
	bool held = b->swap_total && used >= b->swap_total * SWAP_HELD_FRACTION;
	struct tri_proc *by;
	struct doc_finding *f;
	char h[16], t[16];
	uint32_t i;

	if (!growing && !held)
		return;
	size_to_human(used, h, sizeof(h));
	size_to_human(b->swap_total, t, sizeof(t));
	if (by_out)
		f = finding(r, "swap", DOC_WARNING, "swap grows: %llu pages "
			    "swapped out in %.1f s; %s of %s in use",
			    (unsigned long long)out, w->secs, h, t);
	else if (growing)
		f = finding(r, "swap", DOC_WARNING, "swap grows by %.0f pages "
			    "in %.1f s; %s of %s in use", grew / w->page,
			    w->secs, h, t);
	else
		f = finding(r, "swap", DOC_INFO, "swap held: %s of %s in use",
			    h, t);
	if (!f)
		return;
	if (by_out)
		evidence(f, "swapped_out_pages", out, ">=", SWAP_OUT_MIN_PAGES,
			 "pages");
	else if (growing)
		evidence(f, "swap_used_growth", grew, ">=",
			 (SWAP_OUT_MIN_PAGES + slots) * w->page, "bytes");
	else
		evidence(f, "swap_used", used, ">=",
			 b->swap_total * SWAP_HELD_FRACTION, "bytes");
	evidence(f, "swap_out_rate", sys_rate(w, VMSCOPE_STAT_PSWPOUT), NULL, 0,
		 "pages/s");
	evidence(f, "swap_in_rate", sys_rate(w, VMSCOPE_STAT_PSWPIN), NULL, 0,
		 "pages/s");
	evidence(f, "swap_used_end", used, NULL, 0, "bytes");
	evidence(f, "swap_growth", grew, NULL, 0, "bytes");
	evidence(f, "swappiness", b->swappiness, NULL, 0, "");
	swap_nodes(b, f, growing, w->page);
	/* who holds it: those whose swap grew most, then the largest */
	by = malloc(sizeof(*by) * (last(w)->nr_procs + 1));
	if (!by)
		err(1, "cannot allocate");
	memcpy(by, last(w)->procs, sizeof(*by) * last(w)->nr_procs);
	qsort_r(by, last(w)->nr_procs, sizeof(*by), cmp_swap_growth,
		(void *)first(w));
	for (i = 0; i < last(w)->nr_procs && i < DOC_MAX_PIDS; i++) {
		if (!by[i].swap)
			break;
		add_pid(f, by[i].pid);
		if (i == 0)
			add_pid_cgroup(f, by[i].pid);
	}
	free(by);
	swap_cgroups(w, f);
	say_next(f, f->nr_pids ?
		 "vmscope reclaim --pid %u --watch 1" : "vmscope reclaim --watch 1",
		 f->nr_pids ? f->pids[0] : 0);
}

/* ---- thrashing, direct reclaim, cache pressure ---- */

static double psi_pct(uint64_t t0, uint64_t t1, double secs)
{
	return secs > 0 && t1 >= t0 ? (t1 - t0) / (secs * 1e6) * 100 : 0;
}

/* The processes with the most faults (major if @major) in the window. */
static void top_faulters(const struct doc_window *w, struct doc_finding *f,
			 bool major, int max)
{
	const struct tri_snap *s0 = first(w), *s1 = last(w);
	uint32_t i, pick;
	int k;

	if (!f)
		return;
	for (k = 0; k < max; k++) {
		uint64_t best = 0;

		pick = 0;
		for (i = 0; i < s1->nr_procs; i++) {
			const struct tri_proc *p = &s1->procs[i];
			const struct tri_proc *o = tri_find(s0, p->pid);
			uint64_t d;
			int j;
			bool seen = false;

			if (!o || p->pid == (uint32_t)getpid())
				continue;
			d = major ? p->maj_flt - o->maj_flt :
			    p->min_flt + p->maj_flt - o->min_flt - o->maj_flt;
			for (j = 0; j < f->nr_pids; j++)
				seen |= f->pids[j] == p->pid;
			if (!seen && d > best) {
				best = d;
				pick = p->pid;
			}
		}
		if (!pick)
			return;
		add_pid(f, pick);
	}
}

/* Memory cgroups whose PSI (full if @full) rose most in the window. */
static void stalled_cgroups(const struct doc_window *w,
			    struct doc_finding *f, bool full)
{
	int i;

	for (i = 0; i < w->ncg[1]; i++) {
		const struct tri_memcg *c = &w->cg[1][i], *o;

		o = tri_memcg_find(w->cg[0], w->ncg[0], c->path);
		if (!o)
			continue;
		if (full ? c->psi_full_total > o->psi_full_total :
		    c->psi_some_total > o->psi_some_total)
			add_cgroup(f, c->path);
	}
}

static void check_thrashing(const struct doc_window *w, struct doc_result *r)
{
	const struct tri_sys *a = &first(w)->sys, *b = &last(w)->sys;
	double refault = sys_rate(w, VMSCOPE_STAT_WORKINGSET_REFAULT_ANON) +
			 sys_rate(w, VMSCOPE_STAT_WORKINGSET_REFAULT_FILE);
	double maj = sys_rate(w, VMSCOPE_STAT_PGMAJFAULT);
	double full = psi_pct(a->psi.full_total, b->psi.full_total, w->secs);
	struct doc_finding *f;

	if (refault < THRASH_REFAULT_PS || maj < THRASH_MAJFLT_PS ||
	    full < THRASH_PSI_FULL_PCT)
		return;
	f = finding(r, "thrashing", full >= 4 * THRASH_PSI_FULL_PCT ?
		    DOC_CRITICAL : DOC_WARNING,
		    "thrashing: %.0f refaults/s and %.0f major faults/s while "
		    "all tasks stalled on memory %.1f%% of the time",
		    refault, maj, full);
	evidence(f, "refault_rate", refault, ">=", THRASH_REFAULT_PS,
		 "pages/s");
	evidence(f, "major_fault_rate", maj, ">=", THRASH_MAJFLT_PS,
		 "faults/s");
	evidence(f, "psi_full", full, ">=", THRASH_PSI_FULL_PCT, "%");
	top_faulters(w, f, true, 5);
	stalled_cgroups(w, f, true);
	say_next(f, "vmscope reclaim --watch 1; "
		 "vmscope exp run thrashing");
}

static void check_direct_reclaim(const struct doc_window *w,
				 struct doc_result *r)
{
	const struct tri_sys *a = &first(w)->sys, *b = &last(w)->sys;
	uint64_t stalls = tri_allocstall(b) - tri_allocstall(a);
	double some = psi_pct(a->psi.some_total, b->psi.some_total, w->secs);
	struct doc_finding *f;

	if (!stalls)
		return;
	f = finding(r, "direct-reclaim", some >= 20 ? DOC_CRITICAL :
		    DOC_WARNING, "allocations stalled in direct reclaim %llu "
		    "times in %.1f s; some tasks stalled on memory %.1f%% of "
		    "the time", (unsigned long long)stalls, w->secs, some);
	evidence(f, "allocstall", stalls, ">", 0, "stalls");
	evidence(f, "pgscan_direct_rate", sys_rate(w, VMSCOPE_STAT_PGSCAN_DIRECT),
		 NULL, 0, "pages/s");
	evidence(f, "pgsteal_direct_rate",
		 sys_rate(w, VMSCOPE_STAT_PGSTEAL_DIRECT), NULL, 0, "pages/s");
	evidence(f, "psi_some", some, NULL, 0, "%");
	top_faulters(w, f, false, 5);
	stalled_cgroups(w, f, false);
	say_next(f, "vmscope reclaim --watch 1");
}

static void check_cache(const struct doc_window *w, struct doc_result *r)
{
	const struct tri_sys *b = &last(w)->sys;
	double rf = sys_rate(w, VMSCOPE_STAT_WORKINGSET_REFAULT_FILE);
	double lru = (double)tri_stat(b, VMSCOPE_STAT_NR_ACTIVE_FILE) +
		     tri_stat(b, VMSCOPE_STAT_NR_INACTIVE_FILE);
	struct doc_finding *f;

	if (rf < CACHE_REFAULT_PS || lru / rf >= CACHE_TURNOVER_S)
		return;
	f = finding(r, "cache-pressure", DOC_WARNING,
		    "the page cache is refaulted at %.0f pages/s: its %.0f "
		    "file LRU pages turn over every %.0f s", rf, lru, lru / rf);
	evidence(f, "refault_file_rate", rf, ">=", CACHE_REFAULT_PS, "pages/s");
	evidence(f, "cache_turnover", lru / rf, "<", CACHE_TURNOVER_S, "s");
	evidence(f, "file_lru", lru, NULL, 0, "pages");
	top_faulters(w, f, true, 3);
	say_next(f, "vmscope reclaim --watch 1");
}

/* ---- OOM risk ---- */

/* Cgroup @cg is @path or below it. */
static bool cgroup_within(const char *cg, const char *path)
{
	size_t n = strlen(path);

	if (!strcmp(path, "/"))
		return true;
	return !strncmp(cg, path, n) && (cg[n] == '\0' || cg[n] == '/');
}

/*
 * The process the OOM killer would take at memory cgroup @path's limit:
 * it chooses among the cgroup's processes and its descendants'
 * (mem_cgroup_scan_tasks()).
 */
static uint32_t memcg_victim(const struct tri_snap *s, const char *path)
{
	const struct tri_proc *best = NULL;
	char cg[256];
	uint32_t i;

	for (i = 0; i < s->nr_procs; i++) {
		const struct tri_proc *p = &s->procs[i];

		if (!p->killable || (best && p->points <= best->points) ||
		    tri_pid_cgroup(p->pid, cg, sizeof(cg)) ||
		    !cgroup_within(cg, path))
			continue;
		best = p;
	}
	return best ? best->pid : 0;
}

static void check_oom(const struct doc_window *w, struct doc_result *r)
{
	const struct tri_sys *b = &last(w)->sys;
	uint32_t victim = last(w)->victim;
	struct doc_finding *f;
	int i;

	/*
	 * CommitLimit binds only under strict overcommit (mode 2), where an
	 * allocation beyond it fails; in modes 0 and 1 a commit charge above
	 * it is normal (proc(5), Documentation/mm/overcommit-accounting.rst).
	 */
	if (b->overcommit == 2 && b->commit_limit &&
	    b->committed_as >= b->commit_limit * COMMIT_FRACTION) {
		f = finding(r, "oom-risk", b->committed_as > b->commit_limit ?
			    DOC_CRITICAL : DOC_WARNING,
			    "commit charge at %.0f%% of CommitLimit (strict "
			    "overcommit: allocations beyond it fail)",
			    100.0 * b->committed_as / b->commit_limit);
		evidence(f, "committed_as", b->committed_as, ">=",
			 b->commit_limit * COMMIT_FRACTION, "bytes");
		evidence(f, "commit_limit", b->commit_limit, NULL, 0, "bytes");
		add_pid(f, victim);
		say_next(f, "vmscope oom");
	}
	if (b->mem_total && b->mem_available < b->mem_total * AVAIL_FRACTION) {
		f = finding(r, "oom-risk", DOC_CRITICAL,
			    "available memory down to %.1f%% of RAM; the OOM "
			    "killer would take %u", 100.0 * b->mem_available /
			    b->mem_total, victim);
		evidence(f, "mem_available", b->mem_available, "<",
			 b->mem_total * AVAIL_FRACTION, "bytes");
		add_pid(f, victim);
		say_next(f, "vmscope oom");
	}
	for (i = 0; i < w->ncg[1]; i++) {
		const struct tri_memcg *c = &w->cg[1][i], *o;
		uint64_t held;
		bool ooms;

		if (c->max == TRI_NO_LIMIT || !c->max)
			continue;
		o = tri_memcg_find(w->cg[0], w->ncg[0], c->path);
		ooms = o && c->ev_oom > o->ev_oom;
		/*
		 * the page cache fills a cgroup to its limit and is reclaimed
		 * there: what cannot go so easily is the risk
		 */
		held = c->current > c->file_lru ? c->current - c->file_lru : 0;
		if (!ooms && held < c->max * MEMCG_NEAR_MAX)
			continue;
		f = finding(r, "oom-risk", ooms ? DOC_CRITICAL : DOC_WARNING,
			    "memory cgroup %s at %.0f%% of memory.max, its page "
			    "cache aside%s", c->path, 100.0 * held / c->max,
			    ooms ? "; allocations failing (OOM)" : "");
		evidence(f, "memory_current", c->current, NULL, 0, "bytes");
		evidence(f, "file_lru", c->file_lru, NULL, 0, "bytes");
		evidence(f, "current_less_file", held, ">=",
			 c->max * MEMCG_NEAR_MAX, "bytes");
		evidence(f, "memory_max", c->max, NULL, 0, "bytes");
		evidence(f, "oom_events", o ? c->ev_oom - o->ev_oom : 0, NULL, 0,
			 "events");
		add_cgroup(f, c->path);
		add_pid(f, memcg_victim(last(w), c->path));
		/* a path cut short would be another cgroup's, or none */
		if (!say_next(f, "vmscope oom; cat /sys/fs/cgroup%s/"
			      "memory.events.local", c->path))
			say_next(f, "vmscope oom; the memory.events.local of "
				 "the cgroup above");
	}
}

/* ---- fragmentation ---- */

static void check_fragmentation(const struct doc_window *w,
				struct doc_result *r)
{
	const struct tri_sys *a = &first(w)->sys, *b = &last(w)->sys;
	uint64_t stall = tri_stat(b, VMSCOPE_STAT_COMPACT_STALL) -
			 tri_stat(a, VMSCOPE_STAT_COMPACT_STALL);
	uint64_t fail = tri_stat(b, VMSCOPE_STAT_COMPACT_FAIL) -
			tri_stat(a, VMSCOPE_STAT_COMPACT_FAIL);
	struct doc_finding *f;
	unsigned int i;
	int o, top;

	for (i = 0; i < b->nr_zones; i++) {
		const struct vmscope_zone *z = &b->zones[i];
		uint64_t bytes = z->free * w->page;

		if (!(z->flags & VMSCOPE_ZONE_POPULATED) ||
		    bytes < FRAG_MIN_FREE || z->free * 8 < z->managed)
			continue;
		for (top = -1, o = 0; o < (int)z->nr_orders &&
		     o < VMSCOPE_ZONE_ORDERS; o++)
			if (z->nr_free[o])
				top = o;
		if (top >= PAGEBLOCK_ORDER)
			continue;
		f = finding(r, "fragmentation", DOC_WARNING,
			    "zone %s of node %u: %llu MiB free but the largest "
			    "free block is order %d", z->name, z->node,
			    (unsigned long long)(bytes >> 20), top);
		evidence(f, "free", bytes, ">=", FRAG_MIN_FREE, "bytes");
		evidence(f, "largest_free_order", top, "<", PAGEBLOCK_ORDER,
			 "order");
		evidence(f, "compact_stall", stall, NULL, 0, "stalls");
		evidence(f, "compact_fail", fail, NULL, 0, "failures");
		say_next(f, "vmscope reclaim (free "
			 "blocks per order); vmscope exp run buddy");
	}
	/* the counters are the system's: one finding, not one per zone */
	if (!fail)
		return;
	f = finding(r, "fragmentation", DOC_WARNING,
		    "%llu compactions failed: no free block of the order "
		    "asked for could be made", (unsigned long long)fail);
	evidence(f, "compact_fail", fail, ">", 0, "failures");
	evidence(f, "compact_stall", stall, NULL, 0, "stalls");
	say_next(f, "vmscope reclaim (free blocks "
		 "per order); vmscope exp run buddy");
}

/* ---- the window ---- */

static int by_severity(const void *a, const void *b)
{
	const struct doc_finding *x = a, *y = b;

	if (x->severity != y->severity)
		return (int)y->severity - (int)x->severity;
	return strcmp(x->kind, y->kind);
}

/**
 * doctor_run() - sample for @duration seconds and find what is wrong
 * @fd: /dev/vmscope
 * @duration: seconds, at least 0.1
 * @r: the findings, most severe first
 */
void doctor_run(int fd, double duration, struct doc_result *r)
{
	static struct doc_window w;
	int steps = (int)(duration * 2 + 0.5), i;
	double start;

	if (steps < 4)
		steps = 4;
	if (steps > DOC_MAX_SAMPLES - 1)
		steps = DOC_MAX_SAMPLES - 1;
	memset(r, 0, sizeof(*r));
	w.page = sysconf(_SC_PAGESIZE);
	w.ncg[0] = tri_memcgs(&w.cg[0]);
	tri_snap_take(fd, &w.s[0], NULL, 0);
	start = w.s[0].sys.t;
	for (i = 1; i <= steps; i++) {
		double at = start + duration * i / steps, now = now_secs();

		if (at > now)
			sleep_secs(at - now);
		tri_snap_take(fd, &w.s[i], NULL, 0);
	}
	w.n = steps + 1;
	w.ncg[1] = tri_memcgs(&w.cg[1]);
	w.secs = last(&w)->sys.t - first(&w)->sys.t;
	r->duration_s = w.secs;

	check_leak(&w, r);
	check_swap(&w, r);
	check_thrashing(&w, r);
	check_direct_reclaim(&w, r);
	check_oom(&w, r);
	check_fragmentation(&w, r);
	check_cache(&w, r);
	qsort(r->f, r->nr, sizeof(r->f[0]), by_severity);

	for (i = 0; i < w.n; i++)
		tri_snap_free(&w.s[i]);
	free(w.cg[0]);
	free(w.cg[1]);
}
