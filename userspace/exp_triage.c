// SPDX-License-Identifier: GPL-2.0
/*
 * Experiments on triage: do vmscope leak and doctor find the process that
 * leaks, in the right segment and at the right rate, and not the one that
 * only churns; does doctor see a memory cgroup squeezed into swap?
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "doctor.h"
#include "exp.h"
#include "leak.h"
#include "triage.h"

#define KiB	1024UL
#define MiB	(1024 * KiB)

/* ---- leak ---- */

enum { LK_SMALL, LK_LARGE, LK_CHURN, LK_NR };

#define LK_SMALL_SIZE	1000		/* from the brk heap */
#define LK_LARGE_SIZE	(256 * KiB)	/* above M_MMAP_THRESHOLD: mmap */
#define LK_PER_TICK	(256 * KiB)	/* bytes per tick; ticks set the rate */

static const char *const lk_names[LK_NR] = {
	"small-leaker", "large-leaker", "churner",
};

/*
 * What each child has leaked so far, in bytes asked of malloc; and a
 * hold: while @hold is set each child waits between two ticks (and says
 * so in @held), so that a measurement and the count agree exactly.
 */
struct lk_shared {
	uint64_t leaked[LK_NR];
	int hold;
	int held[LK_NR];
};

struct lk_arg {
	int kind;
	long per_tick;			/* bytes per tick */
	long tick_ns;
	struct lk_shared *sh;
};

/* Leaks (or allocates and frees) @per_tick bytes every tick, touched. */
static void lk_child(void *p)
{
	const struct lk_arg *a = p;
	long n, i, small = a->per_tick / LK_SMALL_SIZE;
	char *chunk;

	exp_child_next();		/* go */
	exp_child_reply(0);
	for (;;) {
		while (__atomic_load_n(&a->sh->hold, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&a->sh->held[a->kind], 1,
					 __ATOMIC_RELEASE);
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
		}
		__atomic_store_n(&a->sh->held[a->kind], 0, __ATOMIC_RELEASE);
		switch (a->kind) {
		case LK_SMALL:
			for (i = 0; i < small; i++)
				memset(malloc(LK_SMALL_SIZE), 1, LK_SMALL_SIZE);
			__atomic_add_fetch(&a->sh->leaked[LK_SMALL],
					   small * LK_SMALL_SIZE, __ATOMIC_RELEASE);
			break;
		case LK_LARGE:
			for (n = 0; n < a->per_tick; n += LK_LARGE_SIZE)
				memset(malloc(LK_LARGE_SIZE), 1, LK_LARGE_SIZE);
			__atomic_add_fetch(&a->sh->leaked[LK_LARGE], n,
					   __ATOMIC_RELEASE);
			break;
		default:	/* the same amounts, freed at once */
			for (i = 0; i < small; i++) {
				chunk = malloc(LK_SMALL_SIZE);
				memset(chunk, 1, LK_SMALL_SIZE);
				free(chunk);
			}
			for (n = 0; n < a->per_tick; n += LK_LARGE_SIZE) {
				chunk = malloc(LK_LARGE_SIZE);
				memset(chunk, 1, LK_LARGE_SIZE);
				free(chunk);
			}
		}
		nanosleep(&(struct timespec){ 0, a->tick_ns }, NULL);
	}
}

struct lk_run {
	struct exp_child c[LK_NR];
	struct lk_arg arg[LK_NR];
	struct lk_shared *sh;
};

/* Hold every child between two ticks; false if one does not stop. */
static bool lk_hold(struct lk_shared *sh)
{
	int i, tries;

	__atomic_store_n(&sh->hold, 1, __ATOMIC_RELEASE);
	for (tries = 0; tries < 10000; tries++) {
		for (i = 0; i < LK_NR; i++)
			if (!__atomic_load_n(&sh->held[i], __ATOMIC_ACQUIRE))
				break;
		if (i == LK_NR)
			return true;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	return false;
}

static void lk_release(struct lk_shared *sh)
{
	__atomic_store_n(&sh->hold, 0, __ATOMIC_RELEASE);
}

static uint64_t leaked(struct lk_shared *sh, int i)
{
	return __atomic_load_n(&sh->leaked[i], __ATOMIC_ACQUIRE);
}

/* Leaked bytes per second between two readings of the children's count. */
static double true_rate(uint64_t b0, uint64_t b1, double t0, double t1)
{
	return t1 > t0 ? (double)(b1 - b0) / (t1 - t0) : 0;
}

static double rel_err(double measured, double truth)
{
	return truth > 0 ? fabs(measured - truth) / truth : INFINITY;
}

/* vmscope leak on each child: verdicts, segments and rates. */
static void lk_leak_cmd(struct exp_ctx *x, struct lk_run *r, double secs)
{
	struct leak_snap a[LK_NR], b[LK_NR];
	struct leak_report rep[LK_NR];
	uint64_t c0[LK_NR], c1[LK_NR];
	double truth[LK_NR];
	char key[48];
	int i;

	/* measured between two ticks: the count is what is in memory */
	if (!lk_hold(r->sh))
		return exp_inconclusive(x, "the children do not pause");
	for (i = 0; i < LK_NR; i++) {
		c0[i] = leaked(r->sh, i);
		if (leak_take(x->fd, r->c[i].pid, &a[i]))
			return exp_inconclusive(x, "cannot measure %s",
						lk_names[i]);
	}
	lk_release(r->sh);
	exp_step(x, "vmscope leak on each child for %.1f s (each measured between two of its ticks)",
		 secs);
	sleep_secs(secs);
	if (!lk_hold(r->sh))
		return exp_inconclusive(x, "the children do not pause");
	for (i = 0; i < LK_NR; i++) {
		if (leak_take(x->fd, r->c[i].pid, &b[i]))
			return exp_inconclusive(x, "cannot measure %s",
						lk_names[i]);
		c1[i] = leaked(r->sh, i);
		leak_compare(&a[i], &b[i], &rep[i]);
		truth[i] = true_rate(c0[i], c1[i], a[i].t, b[i].t);
	}
	lk_release(r->sh);
	for (i = 0; i < LK_NR; i++) {
		snprintf(key, sizeof(key), "leak_%s_rate", lk_names[i]);
		exp_measure(x, key, rep[i].rate, "bytes/s",
			    "growth of the segment that grew most (RSS + swap)");
		snprintf(key, sizeof(key), "leak_%s_verdict", lk_names[i]);
		exp_measure(x, key, rep[i].verdict, "verdict",
			    "0 stable, 1 growing heap, 2 growing anonymous mappings, 3 growing file-backed");
	}
	exp_measure(x, "true_small_rate", truth[LK_SMALL], "bytes/s",
		    "bytes the small leaker malloc'd in the window, per second");
	exp_measure(x, "true_large_rate", truth[LK_LARGE], "bytes/s",
		    "bytes the large leaker malloc'd in the window, per second");
	exp_measure(x, "leak_large_new_vmas", rep[LK_LARGE].new_vmas, "VMAs",
		    "VMAs of the large leaker that are new (adjacent mmaps merge)");
	exp_measure(x, "leak_small_first_touch", rep[LK_SMALL].first_touch_ps,
		    "faults/s", "minor faults of the small leaker per second");
	exp_expect(x, rep[LK_SMALL].verdict == LEAK_HEAP,
		   "vmscope leak: the small leaker's heap grows (verdict: %s)",
		   leak_verdict_name(rep[LK_SMALL].verdict));
	exp_expect(x, rel_err(rep[LK_SMALL].rate, truth[LK_SMALL]) < 0.1,
		   "... at the rate it leaks, within 10%%");
	exp_expect(x, rep[LK_LARGE].verdict == LEAK_ANON_MAPPINGS,
		   "vmscope leak: the large leaker's anonymous mappings grow (verdict: %s)",
		   leak_verdict_name(rep[LK_LARGE].verdict));
	exp_expect(x, rel_err(rep[LK_LARGE].rate, truth[LK_LARGE]) < 0.1,
		   "... at the rate it leaks, within 10%%");
	exp_expect(x, rep[LK_CHURN].verdict == LEAK_STABLE,
		   "vmscope leak: the churner, freeing what it allocates, is stable");
	for (i = 0; i < LK_NR; i++) {
		leak_free(&a[i]);
		leak_free(&b[i]);
	}
}

static const struct doc_finding *leak_finding(const struct doc_result *d,
					      pid_t pid)
{
	int i;

	for (i = 0; i < d->nr; i++)
		if (!strcmp(d->f[i].kind, "leak") && d->f[i].nr_pids &&
		    d->f[i].pids[0] == (uint32_t)pid)
			return &d->f[i];
	return NULL;
}

/* vmscope doctor over the three: the two leakers named, not the churner. */
static void lk_doctor(struct exp_ctx *x, struct lk_run *r, double secs)
{
	static struct doc_result d;
	const struct doc_finding *f[LK_NR];
	uint64_t c0[LK_NR], c1[LK_NR];
	double t0, t1, truth[LK_NR];
	int i;

	for (i = 0; i < LK_NR; i++)
		c0[i] = leaked(r->sh, i);
	t0 = now_secs();
	exp_step(x, "vmscope doctor --duration %.1f with the three running",
		 secs);
	doctor_run(x->fd, secs, &d);
	t1 = now_secs();
	for (i = 0; i < LK_NR; i++) {
		c1[i] = leaked(r->sh, i);
		truth[i] = true_rate(c0[i], c1[i], t0, t1);
		f[i] = leak_finding(&d, r->c[i].pid);
	}
	exp_measure(x, "doctor_findings", d.nr, "findings", "findings in all");
	exp_measure(x, "doctor_small_rate", f[LK_SMALL] ? f[LK_SMALL]->rate : 0,
		    "bytes/s", "leak rate doctor gives the small leaker");
	exp_measure(x, "doctor_large_rate", f[LK_LARGE] ? f[LK_LARGE]->rate : 0,
		    "bytes/s", "leak rate doctor gives the large leaker");
	exp_measure(x, "doctor_true_small_rate", truth[LK_SMALL], "bytes/s",
		    "what the small leaker malloc'd per second meanwhile");
	exp_measure(x, "doctor_true_large_rate", truth[LK_LARGE], "bytes/s",
		    "what the large leaker malloc'd per second meanwhile");
	exp_measure(x, "doctor_churner_named", f[LK_CHURN] != NULL, "bool",
		    "1: doctor reported the churner as leaking");
	exp_expect(x, f[LK_SMALL] && !strcmp(f[LK_SMALL]->segment, "heap"),
		   "vmscope doctor names the small leaker, in the heap");
	exp_expect(x, f[LK_SMALL] &&
		   rel_err(f[LK_SMALL]->rate, truth[LK_SMALL]) < 0.1,
		   "... at its rate within 10%%");
	exp_expect(x, f[LK_LARGE] && !strcmp(f[LK_LARGE]->segment, "mmap-anon"),
		   "vmscope doctor names the large leaker, in anonymous mappings");
	exp_expect(x, f[LK_LARGE] &&
		   rel_err(f[LK_LARGE]->rate, truth[LK_LARGE]) < 0.1,
		   "... at its rate within 10%%");
	exp_expect(x, !f[LK_CHURN], "vmscope doctor does not name the churner");
}

static void leak_exp(struct exp_ctx *x)
{
	long rate_kib = exp_arg(x, "rate_kib", 2048);
	long secs = exp_arg(x, "seconds", 3);
	struct lk_run r;
	int i;

	if (rate_kib < 256 || rate_kib > 16384 || secs < 1 || secs > 60)
		return exp_skip(x, "give rate_kib=256..16384 and seconds=1..60");
	r.sh = exp_shared(sizeof(*r.sh));
	if (!r.sh)
		return exp_inconclusive(x, "cannot map shared memory");
	for (i = 0; i < LK_NR; i++) {
		/* 256 KiB: a multiple of both sizes, so both leak exactly it */
		r.arg[i] = (struct lk_arg){ .kind = i, .sh = r.sh,
			.per_tick = LK_PER_TICK,
			.tick_ns = (long)(1e9 * LK_PER_TICK / (rate_kib * KiB)) };
		if (exp_child_start(&r.c[i], lk_child, &r.arg[i]))
			return exp_inconclusive(x, "cannot start %s",
						lk_names[i]);
	}
	exp_step(x, "three children, every %ld ms: one leaks %ld mallocs of %d bytes, one leaks a 256 KiB malloc (mmap'd)",
		 r.arg[0].tick_ns / 1000000, r.arg[0].per_tick / LK_SMALL_SIZE,
		 LK_SMALL_SIZE);
	exp_step(x, "the third, the churner, mallocs the same and frees it at once");
	for (i = 0; i < LK_NR; i++)
		exp_child_do(&r.c[i], 0);
	sleep_secs(0.5);		/* past the first ticks */
	lk_leak_cmd(x, &r, secs);
	lk_doctor(x, &r, secs);
	for (i = 0; i < LK_NR; i++)
		exp_child_kill(&r.c[i]);
	exp_unshare(r.sh, sizeof(*r.sh));
}

static const struct vmscope_exp exp_leak = {
	.name = "leak",
	.order = 15,
	.claim = "a leak shows as steady growth of one segment: many small leaked mallocs grow the brk heap, large ones add anonymous mappings; memory that is freed again does not grow",
	.next = "vmscope leak PID --duration 10 and vmscope doctor on a suspect; valgrind --leak-check or heaptrack for the call sites",
	.needs = EXP_NEEDS_ROOT,	/* doctor ranks every process */
	.run = leak_exp,
};
EXP_REGISTER(exp_leak)

/* ---- swap-growth ---- */

#define SG_CHUNK	MiB

/* Touches a new MiB every 50 ms up to @arg MiB, then the whole again. */
static void sg_child(void *arg)
{
	long max_mb = (long)(uintptr_t)arg, n = 0, i;
	char *mem = malloc(max_mb * MiB);
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	exp_child_next();
	exp_child_reply(mem != NULL);
	if (!mem)
		return;
	for (;;) {
		if (n < max_mb) {
			memset(mem + n * SG_CHUNK, 1, SG_CHUNK);
			n++;
			nanosleep(&ts, NULL);
		} else {
			for (i = 0; i < max_mb * (long)MiB; i += 4096)
				mem[i]++;
		}
	}
}

static const struct doc_finding *swap_finding(const struct doc_result *d)
{
	int i;

	for (i = 0; i < d->nr; i++)
		if (!strcmp(d->f[i].kind, "swap"))
			return &d->f[i];
	return NULL;
}

static bool names_pid(const struct doc_finding *f, pid_t pid)
{
	int i;

	for (i = 0; f && i < f->nr_pids; i++)
		if (f->pids[i] == (uint32_t)pid)
			return true;
	return false;
}

static bool names_cgroup(const struct doc_finding *f, const char *path)
{
	int i;

	for (i = 0; f && i < f->nr_cgroups; i++)
		if (!strcmp(f->cgroups[i], path))
			return true;
	return false;
}

static long cg_file(const char *dir, const char *file)
{
	char path[256];
	long long v;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fp = fopen(path, "re");
	if (!fp)
		return -1;
	if (fscanf(fp, "%lld", &v) != 1)
		v = -1;
	fclose(fp);
	return v;
}

static void swap_growth(struct exp_ctx *x)
{
	long limit_mb = exp_arg(x, "limit_mb", 32);
	long touch_mb = exp_arg(x, "touch_mb", 128);
	long secs = exp_arg(x, "seconds", 3);
	static struct doc_result d;
	const struct doc_finding *f;
	char cg[160], max[32];
	long sw0, sw1, t;
	struct exp_child c;

	if (limit_mb < 8 || touch_mb < 2 * limit_mb || touch_mb > 256 ||
	    secs < 1 || secs > 60)
		return exp_skip(x, "give limit_mb >= 8, touch_mb from 2 x limit_mb to 256, seconds=1..60");
	snprintf(max, sizeof(max), "%ld", limit_mb * (long)MiB);
	if (exp_cgroup_make(cg, sizeof(cg), max, "max"))
		return exp_inconclusive(x, "cannot make a memory cgroup");
	if (exp_child_start(&c, sg_child, (void *)(uintptr_t)touch_mb))
		return exp_inconclusive(x, "cannot start the workload");
	exp_step(x, "a memory cgroup with memory.max %ld MiB, swap allowed; a child in it touches a new MiB every 50 ms up to %ld MiB",
		 limit_mb, touch_mb);
	/* moved in by the parent: the child is idle until told to go */
	{
		char procs[192], pid[16];
		FILE *fp;

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
		snprintf(pid, sizeof(pid), "%d", c.pid);
		fp = fopen(procs, "we");
		if (!fp || fputs(pid, fp) < 0 || fclose(fp)) {
			exp_child_kill(&c);
			return exp_inconclusive(x, "cannot move the child into %s", cg);
		}
	}
	if (exp_child_do(&c, 0) != 1) {
		exp_child_kill(&c);
		return exp_inconclusive(x, "the child could not allocate");
	}
	for (t = 0; t < 200 && cg_file(cg, "memory.swap.current") <= 0; t++)
		sleep_secs(0.1);		/* until it starts to swap */
	sw0 = cg_file(cg, "memory.swap.current");
	exp_step(x, "vmscope doctor --duration %ld once the cgroup swaps", secs);
	doctor_run(x->fd, secs, &d);
	sw1 = cg_file(cg, "memory.swap.current");
	f = swap_finding(&d);
	exp_measure(x, "cgroup_swap_start", sw0, "bytes",
		    "memory.swap.current when doctor started");
	exp_measure(x, "cgroup_swap_end", sw1, "bytes",
		    "memory.swap.current when it ended");
	exp_measure(x, "swap_found", f != NULL, "bool",
		    "1: doctor reported a swap finding");
	exp_measure(x, "swap_names_pid", names_pid(f, c.pid), "bool",
		    "1: it names the child");
	exp_measure(x, "swap_names_cgroup",
		    names_cgroup(f, cg + strlen("/sys/fs/cgroup")), "bool",
		    "1: it names the child's cgroup");
	exp_measure(x, "swapped_out_pages", f && f->nr_ev ? f->ev[0].value : 0,
		    "pages", "its first evidence: pages swapped out in the window");
	exp_child_kill(&c);
	exp_expect(x, sw1 > sw0, "the cgroup's swap grew during the window (memory.swap.current)");
	exp_expect(x, f && f->severity == DOC_WARNING,
		   "vmscope doctor reports swap growing");
	exp_expect(x, names_pid(f, c.pid), "... names the process");
	exp_expect(x, names_cgroup(f, cg + strlen("/sys/fs/cgroup")),
		   "... and its memory cgroup");
}

static const struct vmscope_exp exp_swap_growth = {
	.name = "swap-growth",
	.order = 16,
	.claim = "a memory cgroup squeezed below its working set swaps while the rest of the system has free memory: swap grows, held by that cgroup's processes",
	.next = "vmscope reclaim --pid PID --watch 1 (the cgroup's memory.events and swap); vmscope top sorted by SWAP (s)",
	.needs = EXP_NEEDS_ROOT | EXP_NEEDS_SWAP | EXP_NEEDS_CGROUP,
	.run = swap_growth,
};
EXP_REGISTER(exp_swap_growth)
