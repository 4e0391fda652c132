// SPDX-License-Identifier: GPL-2.0
/*
 * belady and replacement: page replacement for real.  A mapping of
 * /dev/vmscope given K frames and a policy (VMSCOPE_IOC_FRAMES_SET) has
 * its faults served by the module, which evicts a page when all K frames
 * are in use; a child follows a reference string page by page on it, and
 * the module's counts (VMSCOPE_IOC_FRAMES_STAT) and fault log are set
 * beside the simulator's (replace.c) for the same string.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exp.h"
#include "replace.h"

#define PAGE		4096UL
#define MAX_REC		VMSCOPE_FAULTLOG_MAX
/* pages the kernel's run allows beyond the frames: the region's page tables */
#define KERNEL_SLACK	2

static const char *const policy_names[VMSCOPE_FRAMES_NR_POLICIES] = {
	[VMSCOPE_FRAMES_FIFO] = "fifo",
	[VMSCOPE_FRAMES_CLOCK] = "clock",
	[VMSCOPE_FRAMES_LRU] = "lru",
	[VMSCOPE_FRAMES_RANDOM] = "random",
};

/*
 * The workload: on one CPU (so that the TLB the policy flushes after
 * clearing Accessed bits is the only one holding the mapping), touch
 * the pages of @t in order, writing where the string writes.
 */
static void __attribute__((noreturn)) live_child(int fd,
						 const struct rp_trace *t)
{
	volatile char *m;
	cpu_set_t set;
	size_t i;
	int cpu = sched_getcpu();

	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	m = mmap(NULL, t->npages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (m == MAP_FAILED)
		_exit(3);
	for (i = 0; i < t->n; i++) {
		if (t->wr[i])
			m[t->ref[i] * PAGE + 64] = (char)i;
		else
			(void)m[t->ref[i] * PAGE];
	}
	_exit(0);
}

/**
 * exp_frames_run() - follow a reference string on the module's frames
 * @t: the string (page ids become page offsets of the mapping)
 * @policy: VMSCOPE_FRAMES_*
 * @frames: K
 * @l: out: the counts; with @l->rec (VMSCOPE_FAULTLOG_MAX records) set,
 *	the fault log
 *
 * A child maps the pages of a fresh open file of /dev/vmscope and touches
 * them in order on one CPU.
 *
 * Return: 0, -errno, or -ECHILD when the child failed.
 */
int exp_frames_run(const struct rp_trace *t, uint32_t policy,
		    uint32_t frames, struct exp_frames *l)
{
	struct vmscope_frames_set set = { .size = sizeof(set),
					  .frames = frames, .policy = policy };
	pid_t pid;
	int fd, err = 0;

	memset(&l->st, 0, sizeof(l->st));
	memset(&l->fl, 0, sizeof(l->fl));
	fd = open(VMSCOPE_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, VMSCOPE_IOC_FRAMES_SET, &set)) {
		err = -errno;
		goto out;
	}
	pid = exp_fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (!pid)
		live_child(fd, t);
	if (exp_wait(pid, &l->status) != pid || !WIFEXITED(l->status) ||
	    WEXITSTATUS(l->status)) {
		err = -ECHILD;
		goto out;
	}
	l->st.size = sizeof(l->st);
	l->fl.size = sizeof(l->fl);
	l->fl.buf = (uintptr_t)l->rec;
	l->fl.buf_count = l->rec ? MAX_REC : 0;
	if (ioctl(fd, VMSCOPE_IOC_FRAMES_STAT, &l->st) ||
	    ioctl(fd, VMSCOPE_IOC_FAULTLOG, &l->fl))
		err = -errno;
out:
	close(fd);
	return err;
}

/* The simulator's faults in order (page ids), for the fault log. */
struct sim_seq {
	uint32_t *page;
	size_t n, max;
};

static void sim_step(const struct rp_sim *s, const struct rp_step *st,
		     void *arg)
{
	struct sim_seq *q = arg;

	(void)s;
	if (!st->hit && q->n < q->max)
		q->page[q->n++] = st->ref;
}

static uint64_t simulate(const char *algo, const struct rp_trace *t,
			 uint32_t frames, struct sim_seq *q)
{
	struct rp_params p = { .frames = frames, .seed = 1 };
	struct rp_result r = { 0 };

	if (rp_run(rp_algo_find(algo), t, &p, &r, q ? sim_step : NULL, q))
		return UINT64_MAX;
	return r.faults;
}

/* Whether the log's faults are the simulator's, in the same order. */
static bool same_sequence(const struct exp_frames *l, const struct sim_seq *q)
{
	uint32_t i, n = l->fl.nr_records < MAX_REC ? l->fl.nr_records : MAX_REC;
	size_t k = 0;

	for (i = 0; i < n; i++) {
		if (l->rec[i].flags & VMSCOPE_FREC_EVICTION)
			continue;
		if (k == q->n || l->rec[i].pgoff != q->page[k++])
			return false;
	}
	return k == q->n && !l->fl.dropped;
}

static int trace_from(struct rp_trace *t, const char *refs)
{
	const char *p = refs;
	char *end;

	memset(t, 0, sizeof(*t));
	while (*p) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p || rp_trace_add(t, v, false))
			return -1;
		p = end + (*end == ',');
	}
	return 0;
}

const char *exp_frames_error(int err)
{
	if (err == -ENOTTY)
		return "the loaded module has no frames (VMSCOPE_IOC_FRAMES_SET): load the one built with this CLI";
	if (err == -ECHILD)
		return "the workload on the module's frames failed";
	return strerror(-err);
}

/* ---- belady ---- */

static void belady(struct exp_ctx *x)
{
	static struct vmscope_fault_record rec3[MAX_REC], rec4[MAX_REC];
	uint32_t seq3[64], seq4[64];
	struct sim_seq q3 = { seq3, 0, 64 }, q4 = { seq4, 0, 64 };
	struct exp_frames l3 = { .rec = rec3 }, l4 = { .rec = rec4 };
	uint64_t s3, s4;
	struct rp_trace t;
	int err;

	if (trace_from(&t, "1,2,3,4,1,2,5,1,2,3,4,5"))
		return exp_inconclusive(x, "out of memory");
	s3 = simulate("fifo", &t, 3, &q3);
	s4 = simulate("fifo", &t, 4, &q4);
	err = exp_frames_run(&t, VMSCOPE_FRAMES_FIFO, 3, &l3) ?:
	      exp_frames_run(&t, VMSCOPE_FRAMES_FIFO, 4, &l4);
	rp_trace_free(&t);
	if (err)
		return exp_inconclusive(x, "%s", exp_frames_error(err));
	exp_step(x, "a child mapped 5 pages of /dev/vmscope given 3 frames and FIFO, and read them in the order 1,2,3,4,1,2,5,1,2,3,4,5 (pages renamed 0-4)");
	exp_step(x, "the same with 4 frames, on a fresh open file");
	exp_step(x, "the module's fault counts and fault log beside the simulator's FIFO for the same string");
	exp_measure(x, "faults_3_frames", l3.st.faults, "faults",
		    "page faults the module served with 3 frames");
	exp_measure(x, "faults_4_frames", l4.st.faults, "faults",
		    "... with 4 frames");
	exp_measure(x, "evictions_3_frames", l3.st.evictions, "pages",
		    "pages evicted with 3 frames");
	exp_measure(x, "evictions_4_frames", l4.st.evictions, "pages",
		    "pages evicted with 4 frames");
	exp_measure(x, "simulated_3_frames", s3, "faults",
		    "vmscope replace --algo fifo --frames 3");
	exp_measure(x, "simulated_4_frames", s4, "faults",
		    "vmscope replace --algo fifo --frames 4");
	exp_measure(x, "resident_after_exit", l3.st.resident + l4.st.resident,
		    "pages", "pages still mapped once the children exited");
	exp_expect(x, l4.st.faults > l3.st.faults,
		   "more frames, more faults: 4 frames take more page faults than 3");
	exp_expect(x, l3.st.faults == s3 && l4.st.faults == s4,
		   "the module's FIFO takes exactly the faults the simulator predicts (%llu and %llu)",
		   (unsigned long long)s3, (unsigned long long)s4);
	exp_expect(x, same_sequence(&l3, &q3) && same_sequence(&l4, &q4),
		   "the fault log lists the faulting pages in the simulator's order");
	exp_expect(x, l3.st.evictions == l3.st.faults - 3 &&
		   l4.st.evictions == l4.st.faults - 4,
		   "every fault after the frames are full evicts one page");
}

static const struct vmscope_exp exp_belady = {
	.name = "belady",
	.order = 17,
	.claim = "with FIFO replacement more memory can mean more page faults (Belady's anomaly): 1,2,3,4,1,2,5,1,2,3,4,5 takes 9 faults with 3 frames and 10 with 4, on real page frames",
	.next = "vmscope replace --refs 1,2,3,4,1,2,5,1,2,3,4,5 --algo fifo,lru --frames 1-6; Documentation/replacement.md",
	.run = belady,
};
EXP_REGISTER(exp_belady)

/* ---- replacement ---- */

/* A number alone in a file (memory.current); -1 if it cannot be read. */
static long long file_number(const char *path)
{
	FILE *f = fopen(path, "re");
	long long v = -1;

	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int put_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), n = strlen(val), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, n) != n)
		ret = -EIO;
	close(fd);
	return ret;
}

/*
 * The kernel's own LRU on the same string: a child in a memory cgroup
 * maps the pages anonymously, touches them all, pushes them to swap
 * (MADV_PAGEOUT), sets memory.max to what the cgroup held before the
 * region plus @frames pages (and KERNEL_SLACK for its page tables), and
 * follows the string; its major faults are the kernel's misses.  -1 if
 * it cannot run.
 */
static long kernel_run(const struct rp_trace *t, uint32_t frames,
		       long long info[4])
{
	long *res = exp_shared(6 * sizeof(long));
	char cg[128], file[192], val[32];
	long out = -1;
	pid_t pid;

	if (!res || exp_cgroup_make(cg, sizeof(cg), "max", "max"))
		goto out;
	exp_sysctl_set("/proc/sys/vm/page-cluster", "0");
	*res = -1;
	pid = exp_fork();
	if (!pid) {
		struct rusage a, b;
		volatile char *m;
		long long cur;
		size_t i;

		if (exp_cgroup_enter(cg))
			_exit(1);
		snprintf(file, sizeof(file), "%s/memory.current", cg);
		cur = file_number(file);	/* the child without the region */
		m = mmap(NULL, t->npages * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED || cur < 0)
			_exit(1);
		for (i = 0; i < t->npages; i++)
			m[i * PAGE] = 1;
		/* all of it to swap, then room for @frames pages of it */
		if (madvise((void *)m, t->npages * PAGE, MADV_PAGEOUT))
			_exit(1);
		snprintf(file, sizeof(file), "%s/memory.max", cg);
		snprintf(val, sizeof(val), "%lld",
			 cur + (long long)(frames + KERNEL_SLACK) * PAGE);
		if (put_file(file, val))
			_exit(1);
		res[1] = cur;
		snprintf(file, sizeof(file), "%s/memory.current", cg);
		res[2] = file_number(file);
		getrusage(RUSAGE_SELF, &a);
		for (i = 0; i < t->n; i++)
			(void)m[t->ref[i] * PAGE];
		getrusage(RUSAGE_SELF, &b);
		res[3] = b.ru_minflt - a.ru_minflt;
		res[4] = file_number(file);
		*res = b.ru_majflt - a.ru_majflt;
		_exit(0);
	}
	if (pid > 0 && exp_wait(pid, NULL) == pid) {
		out = *res;
		info[0] = res[1];
		info[1] = res[2];
		info[2] = res[3];
		info[3] = res[4];
	}
out:
	if (res)
		exp_unshare(res, 6 * sizeof(long));
	return out;
}

static void replacement(struct exp_ctx *x)
{
	long frames = exp_arg(x, "frames", 16), pages = exp_arg(x, "pages", 64);
	long refs = exp_arg(x, "refs", 4000), seed = exp_arg(x, "seed", 1);
	struct rp_gen g = { .name = "locality", .length = refs,
			    .pages = pages, .hot = 12, .phase = 400,
			    .p_hot = 0.9, .seed = seed };
	uint64_t opt, lru, fifo, clk, live[VMSCOPE_FRAMES_NR_POLICIES];
	struct exp_frames l = { 0 };
	struct rp_trace t = { 0 };
	uint32_t p;
	long long kinfo[4] = { 0 };
	long kern = -1;
	int err = 0;

	if (frames < 2 || frames > VMSCOPE_FRAMES_MAX || pages <= frames ||
	    pages > VMSCOPE_MMAP_MAX_PAGES || pages < 16 || refs < 100 ||
	    refs > 1000000)
		return exp_skip(x, "frames=%ld pages=%ld refs=%ld: give frames 2-256 below pages 16-1024, refs 100-1000000",
				frames, pages, refs);
	if (rp_generate(&g, &t))
		return exp_inconclusive(x, "out of memory");
	opt = simulate("opt", &t, frames, NULL);
	lru = simulate("lru", &t, frames, NULL);
	fifo = simulate("fifo", &t, frames, NULL);
	clk = simulate("clock", &t, frames, NULL);
	for (p = 0; p < VMSCOPE_FRAMES_NR_POLICIES && !err; p++) {
		err = exp_frames_run(&t, p, frames, &l);
		live[p] = l.st.faults;
	}
	if (!err && !geteuid() && exp_have_swap() && exp_have_memcg())
		kern = kernel_run(&t, frames, kinfo);
	if (err) {
		rp_trace_free(&t);
		return exp_inconclusive(x, "%s", exp_frames_error(err));
	}
	exp_step(x, "a locality string: %ld references to %ld pages, a hot set of 12 that moves every 400 and takes 90%% (seed %ld; %u pages used)",
		 refs, pages, seed, t.npages);
	exp_step(x, "a child followed it on a mapping of /dev/vmscope with %ld frames, once per policy: fifo, clock (Accessed bits), lru (aging the Accessed bits), random",
		 frames);
	exp_step(x, "the simulator ran OPT, LRU, FIFO and clock on the same string");
	if (kern >= 0)
		exp_step(x, "kernel LRU: the same reads in a memory cgroup, the pages swapped out, memory.max %ld (+2) pages above its use without them, page-cluster 0",
			 frames);
	else
		exp_step(x, "the kernel's own LRU was not measured: it needs root, swap and the cgroup v2 memory controller");
	for (p = 0; p < VMSCOPE_FRAMES_NR_POLICIES; p++) {
		char key[48], what[96];

		snprintf(key, sizeof(key), "live_%s", policy_names[p]);
		snprintf(what, sizeof(what), "page faults on the module's frames, policy %s",
			 policy_names[p]);
		exp_measure(x, key, live[p], "faults", what);
	}
	exp_measure(x, "sim_opt", opt, "faults", "simulator: OPT, the lower bound");
	exp_measure(x, "sim_lru", lru, "faults", "simulator: exact LRU");
	exp_measure(x, "sim_fifo", fifo, "faults", "simulator: FIFO");
	exp_measure(x, "sim_clock", clk, "faults", "simulator: clock");
	if (kern >= 0) {
		exp_measure(x, "kernel_lru_majflt", kern, "faults",
			    "the kernel's LRU: major faults of the same reads");
		exp_measure(x, "kernel_lru_minflt", kinfo[2], "faults",
			    "... and minor faults");
		exp_measure(x, "memcg_base", kinfo[0], "bytes",
			    "memory.current of the child before the region");
		exp_measure(x, "memcg_limited", kinfo[1], "bytes",
			    "memory.current after memory.max was set to that + the frames + 2");
		exp_measure(x, "memcg_after", kinfo[3], "bytes",
			    "memory.current after the reads");
	}
	exp_expect(x, live[VMSCOPE_FRAMES_FIFO] == fifo,
		   "the module's FIFO takes exactly the simulator's FIFO faults");
	exp_expect(x, live[VMSCOPE_FRAMES_CLOCK] == clk,
		   "the module's clock, on Accessed bits cleared with a TLB flush, takes exactly the simulator's clock faults");
	exp_expect(x, opt <= live[0] && opt <= live[1] && opt <= live[2] &&
		   opt <= live[3],
		   "no live policy beats OPT");
	exp_expect(x, live[VMSCOPE_FRAMES_LRU] < live[VMSCOPE_FRAMES_FIFO] &&
		   live[VMSCOPE_FRAMES_CLOCK] < live[VMSCOPE_FRAMES_FIFO],
		   "on a string with locality, policies that use the Accessed bits (clock, lru) fault less than FIFO");
	rp_trace_free(&t);
}

static const struct vmscope_exp exp_replacement = {
	.name = "replacement",
	.order = 18,
	.claim = "no real replacement policy beats OPT; on a string with locality, policies that use the hardware's Accessed bits (clock, aging) come closer to it than FIFO",
	.next = "vmscope replace --gen locality -a all -f 2-32; Documentation/replacement.md",
	.run = replacement,
};
EXP_REGISTER(exp_replacement)
