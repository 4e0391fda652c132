// SPDX-License-Identifier: GPL-2.0
/*
 * Experiments on memory pressure: what overcommit grants, whom the OOM
 * killer kills, what reclaim takes (and how vmstat counts it), and what
 * a working set larger than its memory costs.  The workloads run in
 * child processes, most of them in a memory cgroup of their own, so that
 * the pressure stays in the cgroup and runs stay short.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>

#include "exp.h"

#define KiB		1024ULL
#define MiB		(1024 * KiB)
#define PAGE		4096ULL
#define MEMINFO		"/proc/meminfo"
#define CG_PATH		192
#define IO_CHUNK	(64 * KiB)

/* ---- the workload: a child told what to allocate, touch, write, read ---- */

enum w_op {
	W_PING,		/* 1 if it runs in its cgroup (or was given none) */
	W_MMAP,		/* reserve ARG bytes of anonymous memory: address or 0 */
	W_TOUCH,	/* write each page of the first ARG bytes: bytes touched */
	W_PASS,		/* write every page touched so far once more */
	W_UNMAP,	/* give the reservation back */
	W_WRITE,	/* append ARG bytes to the file: bytes written */
	W_CREATE,	/* create its file in its directory: the descriptor */
	W_FSYNC,	/* 1 when the file is on disk */
	W_READ,		/* read the whole file: bytes read */
};

#define W_ARG_BITS	56
#define W(op, arg)	((uint64_t)(op) << W_ARG_BITS | (uint64_t)(arg))

struct worker {
	const char *name;	/* its comm */
	const char *cgroup;	/* entered before it allocates, or NULL */
	int file;		/* the file it writes or reads, or -1 */
	const char *dir;	/* where W_CREATE makes one, or NULL */
};

/* A file nothing names, gone with its last descriptor (interrupted too). */
static int tmp_file(const char *dir)
{
	char path[4096];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {
		snprintf(path, sizeof(path), "%s/vmscope-exp-reclaim.%d", dir,
			 getpid());
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			unlink(path);
	}
	return fd < 0 ? -errno : fd;
}

/* A word in each page that differs from page to page: never a zero page. */
static void fill_page(char *p, uint64_t page)
{
	*(volatile uint64_t *)p = page + 1;
}

static uint64_t w_write(int file, char *buf, uint64_t off, uint64_t len)
{
	uint64_t done = 0, i;
	ssize_t n;

	while (done < len) {
		for (i = 0; i < IO_CHUNK; i += PAGE)
			fill_page(buf + i, (off + done + i) / PAGE);
		n = pwrite(file, buf, IO_CHUNK, off + done);
		if (n <= 0)
			break;
		done += n;
	}
	return done;
}

/* Through a file description of its own, without atime updates. */
static uint64_t w_read(int file, char *buf)
{
	uint64_t done = 0;
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", file);
	fd = open(path, O_RDONLY | O_NOATIME | O_CLOEXEC);
	if (fd < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, IO_CHUNK)) > 0)
		done += n;
	close(fd);
	return done;
}

static void worker_main(void *arg)
{
	const struct worker *w = arg;
	uint64_t len = 0, touched = 0, written = 0, i;
	bool in_cgroup = !w->cgroup || !exp_cgroup_enter(w->cgroup);
	char *mem = NULL, *buf = NULL;
	int file = w->file;

	prctl(PR_SET_NAME, w->name);
	if (file >= 0 || w->dir)
		buf = malloc(IO_CHUNK);
	for (;;) {
		uint64_t cmd = exp_child_next(), ret = 0;
		uint64_t arg_ = cmd & ((1ULL << W_ARG_BITS) - 1);

		switch (cmd >> W_ARG_BITS) {
		case W_PING:
			ret = in_cgroup;
			break;
		case W_MMAP:
			mem = mmap(NULL, arg_, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (mem == MAP_FAILED)
				mem = NULL;
			len = mem ? arg_ : 0;
			touched = 0;
			ret = (uintptr_t)mem;
			break;
		case W_TOUCH:
			for (; touched < arg_ && touched < len; touched += PAGE)
				fill_page(mem + touched, touched / PAGE);
			ret = touched;
			break;
		case W_PASS:
			for (i = 0; i < touched; i += PAGE)
				(*(volatile uint64_t *)(mem + i))++;
			ret = touched;
			break;
		case W_UNMAP:
			if (mem)
				munmap(mem, len);
			mem = NULL;
			len = touched = 0;
			break;
		case W_WRITE:
			if (buf && file >= 0)
				written += w_write(file, buf, written, arg_);
			ret = written;
			break;
		case W_CREATE:
			file = w->dir ? tmp_file(w->dir) : -1;
			ret = file < 0 ? 0 : file;
			break;
		case W_FSYNC:
			ret = !fsync(file);
			break;
		case W_READ:
			if (buf && file >= 0)
				ret = w_read(file, buf);
			break;
		}
		exp_child_reply(ret);
	}
}

/* Start a worker; 0, or -1 when it cannot run (or enter its cgroup). */
static int worker_start(struct exp_child *c, struct worker *w,
			const char *name, const char *cgroup, int file,
			const char *dir)
{
	w->name = name;
	w->cgroup = cgroup;
	w->file = file;
	w->dir = dir;
	if (exp_child_start(c, worker_main, w))
		return -1;
	if (exp_child_do(c, W(W_PING, 0)) != 1) {
		exp_child_kill(c);
		return -1;
	}
	return 0;
}

/* ---- shared measurements ---- */

/* The change of vmstat counter @i between two snapshots (0 if absent). */
static double vm_delta(const __u64 *a, const __u64 *b, int i)
{
	if (a[i] == VMSCOPE_STAT_NONE || b[i] == VMSCOPE_STAT_NONE)
		return 0;
	return (double)b[i] - (double)a[i];
}

/* The memory cgroup of @pid through the module; 0 or -errno. */
static int memcg_of(int fd, pid_t pid, struct vmscope_memcg *m)
{
	struct vmscope_reclaim r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.pid = pid;
	if (ioctl(fd, VMSCOPE_IOC_RECLAIM, &r))
		return -errno;
	if (!(r.out_flags & VMSCOPE_RECLAIM_MEMCG))
		return -ENOENT;
	*m = r.memcg;
	return 0;
}

static long long meminfo_kb(const char *key)
{
	return file_key_ll(MEMINFO, key);
}

/* The number in a file that holds one, such as a sysctl; -1 if none. */
static long long file_num(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static uint64_t page_down(uint64_t bytes)
{
	return bytes & ~(PAGE - 1);
}

/* ---- overcommit ---- */

#define OVERCOMMIT	"/proc/sys/vm/overcommit_memory"

enum { OC_FITS, OC_BEYOND, OC_ABSURD, OC_SIZES };

static const char *const oc_size_names[OC_SIZES] = {
	"fits", "beyond", "absurd"
};

struct oc_try {
	bool granted;
	double commit_rise;	/* Committed_AS at mmap(), bytes */
	double rss_rise;	/* anonymous RSS at mmap() */
	double vm_rise;		/* total_vm at mmap() */
	double touch_rss;	/* RSS by touching part of it */
	double touch_commit;	/* Committed_AS by touching it */
};

/* Reserve @size in the child, measure, touch @touch bytes, give it back. */
static void oc_try(struct exp_ctx *x, struct exp_child *c, uint64_t size,
		   uint64_t touch, struct oc_try *t)
{
	struct vmscope_layout lo0, lo1, lo2;
	long long ca0, ca1, ca2;
	uint64_t addr;

	memset(t, 0, sizeof(*t));
	exp_layout(x->fd, c->pid, &lo0);
	ca0 = meminfo_kb("Committed_AS");
	addr = exp_child_do(c, W(W_MMAP, size));
	t->granted = addr && addr != UINT64_MAX;
	if (!t->granted)
		return;
	ca1 = meminfo_kb("Committed_AS");
	exp_layout(x->fd, c->pid, &lo1);
	t->commit_rise = (ca1 - ca0) * (double)KiB;
	t->rss_rise = (double)lo1.rss_anon - lo0.rss_anon;
	t->vm_rise = (double)lo1.total_vm - lo0.total_vm;
	if (touch) {
		exp_child_do(c, W(W_TOUCH, touch));
		ca2 = meminfo_kb("Committed_AS");
		exp_layout(x->fd, c->pid, &lo2);
		t->touch_rss = (double)lo2.rss_anon - lo1.rss_anon;
		t->touch_commit = (ca2 - ca1) * (double)KiB;
	}
	exp_child_do(c, W(W_UNMAP, 0));
}

/* CommitLimit as mm/util.c's vm_commit_limit() computes it, in kB. */
static double oc_commit_limit_kb(void)
{
	long long kbytes = file_num("/proc/sys/vm/overcommit_kbytes");
	long long ratio = file_num("/proc/sys/vm/overcommit_ratio");
	long long ram_pages = (meminfo_kb("MemTotal") -
			       meminfo_kb("Hugetlb")) / 4;

	if (kbytes > 0)
		return kbytes + meminfo_kb("SwapTotal");
	if (meminfo_kb("Hugetlb") < 0)
		ram_pages = meminfo_kb("MemTotal") / 4;
	return ram_pages * ratio / 100 * 4.0 + meminfo_kb("SwapTotal");
}

static void overcommit(struct exp_ctx *x)
{
	long factor = exp_arg(x, "factor", 4);
	double limit = meminfo_kb("CommitLimit") * (double)KiB;
	double committed = meminfo_kb("Committed_AS") * (double)KiB;
	double ram_swap = (meminfo_kb("MemTotal") + meminfo_kb("SwapTotal")) *
			  (double)KiB;
	double formula = oc_commit_limit_kb() * KiB;
	uint64_t size[OC_SIZES], touch;
	struct oc_try t[3][OC_SIZES];
	double min_rise = 1e30, max_rss = 0;
	bool touch_ok = true;
	struct exp_child c;
	struct worker w;
	char key[48];
	int mode, s;

	if (factor < 2 || factor > 64)
		return exp_skip(x, "factor=%ld: give 2 to 64 (times RAM + swap)",
				factor);
	if (limit <= 0 || committed < 0 || ram_swap <= 0)
		return exp_inconclusive(x, "cannot read /proc/meminfo");
	if (limit - committed < 64.0 * MiB)
		return exp_inconclusive(x, "Committed_AS is within 64 MiB of CommitLimit: no room for a reservation that fits");
	if (limit > ram_swap - 64.0 * MiB)
		return exp_inconclusive(x, "CommitLimit is not below RAM + swap (overcommit_ratio or _kbytes): no size tells modes 0 and 2 apart");
	size[OC_FITS] = page_down((limit - committed) / 2);
	size[OC_BEYOND] = page_down((limit + ram_swap) / 2);
	size[OC_ABSURD] = page_down(ram_swap * factor);
	touch = size[OC_FITS] / 2 < 32 * MiB ? page_down(size[OC_FITS] / 2) :
		32 * MiB;

	exp_measure(x, "mem_plus_swap", ram_swap, "bytes",
		    "MemTotal + SwapTotal (/proc/meminfo)");
	exp_measure(x, "commit_limit", limit, "bytes",
		    "CommitLimit (/proc/meminfo): what mode 2 lets be committed");
	exp_measure(x, "commit_limit_formula", formula, "bytes",
		    "SwapTotal + (MemTotal - Hugetlb) * overcommit_ratio / 100");
	exp_measure(x, "committed_as", committed, "bytes",
		    "Committed_AS before: what the system has committed");
	for (s = 0; s < OC_SIZES; s++) {
		snprintf(key, sizeof(key), "size_%s", oc_size_names[s]);
		exp_measure(x, key, size[s], "bytes",
			    s == OC_FITS ? "half the room under CommitLimit" :
			    s == OC_BEYOND ? "between CommitLimit and RAM + swap" :
			    "factor x (RAM + swap)");
	}

	if (worker_start(&c, &w, "exp-reserve", NULL, -1, NULL))
		return exp_inconclusive(x, "cannot start the workload");
	for (mode = 0; mode < 3; mode++) {
		char val[2] = { '0' + mode, '\0' };
		int err = exp_sysctl_set(OVERCOMMIT, val);

		if (err)
			return exp_inconclusive(x, "cannot write %s: %s",
						OVERCOMMIT, strerror(-err));
		for (s = 0; s < OC_SIZES; s++)
			oc_try(x, &c, size[s], s == OC_FITS ? touch : 0,
			       &t[mode][s]);
		exp_step(x, "vm.overcommit_memory=%d: mmap() of %llu MiB, %llu MiB and %llu MiB: %s, %s, %s",
			 mode, (unsigned long long)(size[0] / MiB),
			 (unsigned long long)(size[1] / MiB),
			 (unsigned long long)(size[2] / MiB),
			 t[mode][0].granted ? "granted" : "refused",
			 t[mode][1].granted ? "granted" : "refused",
			 t[mode][2].granted ? "granted" : "refused");
	}
	exp_child_kill(&c);
	exp_step(x, "each granted reservation: Committed_AS and the child's RSS (vmscope layout) before and after; then touched %llu MiB of the first",
		 (unsigned long long)(touch / MiB));
	exp_step(x, "(overcommit_memory is restored when the run ends, also if it is interrupted)");

	for (mode = 0; mode < 3; mode++) {
		for (s = 0; s < OC_SIZES; s++) {
			const struct oc_try *p = &t[mode][s];

			snprintf(key, sizeof(key), "mode%d_%s_granted", mode,
				 oc_size_names[s]);
			exp_measure(x, key, p->granted, "bool",
				    "1: mmap() succeeded, 0: ENOMEM");
			if (!p->granted)
				continue;
			if (p->commit_rise / size[s] < min_rise)
				min_rise = p->commit_rise / size[s];
			if (p->rss_rise > max_rss)
				max_rss = p->rss_rise;
		}
		touch_ok &= t[mode][OC_FITS].touch_rss >= 0.9 * touch &&
			    t[mode][OC_FITS].touch_commit < touch / 2.0;
	}
	exp_measure(x, "commit_rise_min", min_rise, "ratio",
		    "smallest rise of Committed_AS at a granted mmap(), over its size");
	exp_measure(x, "rss_rise_max", max_rss, "bytes",
		    "largest rise of the child's anonymous RSS at a granted mmap()");
	exp_measure(x, "vm_rise_absurd", t[1][OC_ABSURD].vm_rise, "bytes",
		    "its address space (total_vm) grew by the absurd one in mode 1");
	exp_measure(x, "touch_rss_rise", t[0][OC_FITS].touch_rss, "bytes",
		    "RSS rise when touching part of a reservation (mode 0)");
	exp_measure(x, "touch_commit_rise", t[0][OC_FITS].touch_commit,
		    "bytes", "Committed_AS rise at the same touch");

	exp_expect(x, formula - limit < 16 * KiB && limit - formula < 16 * KiB,
		   "CommitLimit is SwapTotal + overcommit_ratio%% of RAM");
	exp_expect(x, t[0][OC_FITS].granted && t[0][OC_BEYOND].granted,
		   "mode 0 (heuristic) grants a reservation beyond CommitLimit");
	exp_expect(x, !t[0][OC_ABSURD].granted,
		   "... and refuses one larger than RAM + swap");
	exp_expect(x, t[1][OC_FITS].granted && t[1][OC_BEYOND].granted &&
		   t[1][OC_ABSURD].granted,
		   "mode 1 (always) grants all three, %ldx RAM + swap too",
		   factor);
	exp_expect(x, t[2][OC_FITS].granted,
		   "mode 2 (never) grants what fits under CommitLimit - Committed_AS");
	exp_expect(x, !t[2][OC_BEYOND].granted && !t[2][OC_ABSURD].granted,
		   "... and refuses what would take Committed_AS beyond CommitLimit");
	exp_expect(x, min_rise >= 0.9,
		   "a granted reservation is counted in Committed_AS at once");
	exp_expect(x, max_rss < MiB,
		   "... but not in RSS: nothing is resident until touched");
	exp_expect(x, touch_ok,
		   "touching %llu MiB of it raises RSS by that, not Committed_AS",
		   (unsigned long long)(touch / MiB));
}

static const struct vmscope_exp exp_overcommit = {
	.name = "overcommit",
	.order = 5,
	.claim = "mmap() reserves, touching allocates: vm.overcommit_memory 0 refuses only a reservation larger than RAM + swap, 1 grants anything, 2 refuses what would take Committed_AS beyond CommitLimit; a granted reservation counts in Committed_AS, not in RSS",
	.next = "Documentation/mm/overcommit-accounting.rst; vmscope layout PID (VIRT against RSS); Committed_AS in /proc/meminfo while programs start",
	.needs = EXP_NEEDS_ROOT,
	.run = overcommit,
};
EXP_REGISTER(exp_overcommit)

/* ---- oom ---- */

/* Where @pid is in the OOM ranking, and what it has. */
struct oom_place {
	struct vmscope_oom_task t;
	int rank;		/* 1: the first a global OOM kill would take */
	bool found;
};

/*
 * Rank every process as the OOM killer does; find @pids[0..n).  The
 * buffer is sized to the processes there are (vmscope_oom_tasks()): the
 * module allocates what it is asked to fill, and this runs while a memory
 * cgroup is at its limit.
 */
static void oom_rank(int fd, const pid_t *pids, struct oom_place *pl, int n)
{
	struct vmscope_oom_task *t;
	struct vmscope_oom oo;
	uint32_t i, nr;
	int k;

	t = vmscope_oom_tasks(fd, &oo, &nr);
	for (k = 0; k < n; k++) {
		memset(&pl[k], 0, sizeof(pl[k]));
		for (i = 0; i < nr; i++)
			if (t[i].pid == (uint32_t)pids[k])
				pl[k].t = t[i], pl[k].found = true;
		pl[k].rank = 1;
		for (i = 0; i < nr; i++)
			if (!(t[i].flags & VMSCOPE_OOM_UNKILLABLE) &&
			    t[i].points > pl[k].t.points)
				pl[k].rank++;
	}
	free(t);
}

static void oom(struct exp_ctx *x)
{
	long limit_mb = exp_arg(x, "limit_mb", 32);
	uint64_t limit = limit_mb * MiB, below = limit / 4 * 3,
		 small = limit / 8, over = 2 * limit;
	__u64 s0[VMSCOPE_STAT_NR], s1[VMSCOPE_STAT_NR], s2[VMSCOPE_STAT_NR],
	      s3[VMSCOPE_STAT_NR];
	char cg[CG_PATH], cg_swap[CG_PATH], max[32];
	struct vmscope_memcg m0 = { 0 }, m1 = { 0 }, m2 = { 0 };
	struct exp_child hog, sm, hog2;
	struct worker wh, ws, wh2;
	struct oom_place pl[2];
	long long cg_kills;
	bool killed, small_alive, survived;
	uint64_t got;
	int status = 0, err;

	if (limit_mb < 16 || limit_mb > 256)
		return exp_skip(x, "limit_mb=%ld: give 16 to 256", limit_mb);
	snprintf(max, sizeof(max), "%llu", (unsigned long long)limit);

	/* without swap: the OOM killer */
	err = exp_cgroup_make(cg, sizeof(cg), max, "0");
	if (err)
		return exp_inconclusive(x, "cannot make a memory cgroup: %s",
					strerror(-err));
	if (worker_start(&sm, &ws, "exp-small", cg, -1, NULL) ||
	    worker_start(&hog, &wh, "exp-hog", cg, -1, NULL))
		return exp_inconclusive(x, "cannot start the workload in %s",
					cg);
	if (!exp_child_do(&sm, W(W_MMAP, small)) ||
	    exp_child_do(&sm, W(W_TOUCH, small)) != small ||
	    !exp_child_do(&hog, W(W_MMAP, over)) ||
	    exp_child_do(&hog, W(W_TOUCH, below)) != below)
		return exp_inconclusive(x, "the workload could not allocate below the limit");
	exp_step(x, "a cgroup with memory.max %ldM and memory.swap.max 0; in it a small process (%llu MiB touched) and a hog (%llu MiB)",
		 limit_mb, (unsigned long long)(small / MiB),
		 (unsigned long long)(below / MiB));
	oom_rank(x->fd, (pid_t[]){ hog.pid, sm.pid }, pl, 2);
	if (!pl[0].found || !pl[1].found)
		return exp_inconclusive(x, "VMSCOPE_IOC_OOM: a child is missing");
	exp_step(x, "ranked every process with VMSCOPE_IOC_OOM");
	exp_vmstat(x->fd, s0);
	memcg_of(x->fd, sm.pid, &m0);
	got = exp_child_do(&hog, W(W_TOUCH, over));
	exp_child_wait(&hog, &status);
	killed = got == UINT64_MAX && WIFSIGNALED(status) &&
		 WTERMSIG(status) == SIGKILL;
	exp_step(x, "the hog touches %llu MiB, twice memory.max: %s",
		 (unsigned long long)(over / MiB),
		 killed ? "killed by SIGKILL" : got == UINT64_MAX ? "died" :
		 "it got them");
	exp_vmstat(x->fd, s1);
	small_alive = exp_child_do(&sm, W(W_PING, 0)) == 1;
	memcg_of(x->fd, sm.pid, &m1);
	cg_kills = exp_cgroup_stat(cg, "memory.events", "oom_kill");
	exp_child_kill(&sm);

	/* with swap: no kill */
	err = exp_cgroup_make(cg_swap, sizeof(cg_swap), max, "max");
	if (err)
		return exp_inconclusive(x, "cannot make a memory cgroup: %s",
					strerror(-err));
	if (worker_start(&hog2, &wh2, "exp-hog", cg_swap, -1, NULL))
		return exp_inconclusive(x, "cannot start the workload in %s",
					cg_swap);
	exp_vmstat(x->fd, s2);
	survived = exp_child_do(&hog2, W(W_MMAP, over)) &&
		   exp_child_do(&hog2, W(W_TOUCH, over)) == over;
	exp_vmstat(x->fd, s3);
	memcg_of(x->fd, hog2.pid, &m2);
	exp_step(x, "a second cgroup, memory.max %ldM, swap allowed: the same hog touches %llu MiB: %s",
		 limit_mb, (unsigned long long)(over / MiB),
		 survived ? "it lives" : "it died");
	exp_child_kill(&hog2);

	exp_measure(x, "hog_points", pl[0].t.points, "pages",
		    "the hog's badness (rss + swap + page tables), VMSCOPE_IOC_OOM");
	exp_measure(x, "small_points", pl[1].t.points, "pages",
		    "the small process's badness");
	exp_measure(x, "hog_oom_score", pl[0].t.oom_score, "score",
		    "the hog's /proc/PID/oom_score as vmscope computes it");
	exp_measure(x, "hog_rank", pl[0].rank, "rank",
		    "the hog's place among all processes (1: a global OOM kill's choice)");
	exp_measure(x, "hog_killed", killed, "bool",
		    "1: the hog died of SIGKILL when it went beyond memory.max");
	exp_measure(x, "small_alive", small_alive, "bool",
		    "1: the small process still answered");
	exp_measure(x, "oom_kill_delta", vm_delta(s0, s1, VMSCOPE_STAT_OOM_KILL),
		    "events", "oom_kill of /proc/vmstat (vmscope) over the hog's growth");
	exp_measure(x, "cg_oom_kill", cg_kills, "events",
		    "oom_kill in the cgroup's memory.events");
	exp_measure(x, "memcg_oom_kill", (double)m1.ev_oom_kill - m0.ev_oom_kill,
		    "events", "the same through VMSCOPE_IOC_RECLAIM (its memcg)");
	exp_measure(x, "memcg_oom", (double)m1.ev_oom - m0.ev_oom, "events",
		    "\"oom\" events: charges that failed at memory.max");
	exp_measure(x, "swap_survived", survived, "bool",
		    "1: with swap the hog got all its memory");
	exp_measure(x, "swap_pswpout", vm_delta(s2, s3, VMSCOPE_STAT_PSWPOUT),
		    "pages", "pswpout over its growth");
	exp_measure(x, "swap_memcg_swap", m2.swap_current_bytes, "bytes",
		    "memory.swap.current of its cgroup (vmscope)");
	exp_measure(x, "swap_oom_kill_delta",
		    vm_delta(s2, s3, VMSCOPE_STAT_OOM_KILL), "events",
		    "oom_kill over its growth");

	exp_expect(x, pl[0].t.points > pl[1].t.points,
		   "VMSCOPE_IOC_OOM ranks the hog first of the cgroup's processes");
	exp_expect(x, killed,
		   "without swap, the hog is killed (SIGKILL) when it grows beyond memory.max");
	exp_expect(x, small_alive, "... and only the hog: the small one lives");
	exp_expect(x, vm_delta(s0, s1, VMSCOPE_STAT_OOM_KILL) == 1,
		   "oom_kill in /proc/vmstat rose by exactly one");
	exp_expect(x, cg_kills == 1 && m1.ev_oom_kill - m0.ev_oom_kill == 1,
		   "the cgroup's memory.events counts that one oom_kill (file and vmscope)");
	exp_expect(x, survived,
		   "with swap allowed, the same hog gets all %llu MiB",
		   (unsigned long long)(over / MiB));
	exp_expect(x, vm_delta(s2, s3, VMSCOPE_STAT_PSWPOUT) >=
		   0.9 * (over - limit) / PAGE,
		   "... as its pages beyond memory.max go to swap (pswpout)");
	exp_expect(x, vm_delta(s2, s3, VMSCOPE_STAT_OOM_KILL) == 0,
		   "... and nothing is killed");
}

static const struct vmscope_exp exp_oom = {
	.name = "oom",
	.order = 6,
	.claim = "when a memory cgroup can neither reclaim nor swap below memory.max, the OOM killer kills its process with the most badness points, the one vmscope oom ranks first, and only it; with swap allowed the same demand is met by swapping out",
	.next = "vmscope oom (the ranking now); the OOM report in dmesg; memory.oom.group in Documentation/admin-guide/cgroup-v2.rst; exp run reclaim",
	.needs = EXP_NEEDS_ROOT | EXP_NEEDS_SWAP | EXP_NEEDS_CGROUP,
	.run = oom,
};
EXP_REGISTER(exp_oom)

/* ---- reclaim ---- */

/* A directory for a file with real page cache: dir= or $VMSCOPE_DISK. */
static const char *rc_dir(struct exp_ctx *x, uint64_t need)
{
	const char *dir = exp_arg_str(x, "dir", getenv("VMSCOPE_DISK"));
	struct statfs sf;

	if (!dir || !*dir) {
		exp_skip(x, "needs a directory on a disk file system: give dir=DIR (or set VMSCOPE_DISK)");
		return NULL;
	}
	if (statfs(dir, &sf)) {
		exp_skip(x, "dir=%s: %s", dir, strerror(errno));
		return NULL;
	}
	if (sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC) {
		exp_skip(x, "%s is tmpfs or ramfs, whose pages are shmem, never written back: give dir=DIR on a disk file system",
			 dir);
		return NULL;
	}
	if ((uint64_t)sf.f_bavail * sf.f_bsize < need + 4 * MiB) {
		exp_skip(x, "%s has less than %llu MiB free", dir,
			 (unsigned long long)((need + 4 * MiB) / MiB));
		return NULL;
	}
	return dir;
}

/* Reclaim in one cgroup: vmstat before and after, and its memory.stat. */
struct rc_phase {
	char cg[CG_PATH];
	__u64 a[VMSCOPE_STAT_NR], b[VMSCOPE_STAT_NR];
	long long cg_scan_direct, cg_scan_kswapd;
	double max_dirty, max_writeback;	/* pages, sampled */
};

static double rc_d(const struct rc_phase *p, int i)
{
	return vm_delta(p->a, p->b, i);
}

static void rc_end(struct exp_ctx *x, struct rc_phase *p)
{
	exp_vmstat(x->fd, p->b);
	p->cg_scan_direct = exp_cgroup_stat(p->cg, "memory.stat",
					    "pgscan_direct");
	p->cg_scan_kswapd = exp_cgroup_stat(p->cg, "memory.stat",
					    "pgscan_kswapd");
}

static void rc_sample(struct exp_ctx *x, struct rc_phase *p)
{
	__u64 s[VMSCOPE_STAT_NR];

	exp_vmstat(x->fd, s);
	if (s[VMSCOPE_STAT_NR_DIRTY] > p->max_dirty)
		p->max_dirty = s[VMSCOPE_STAT_NR_DIRTY];
	if (s[VMSCOPE_STAT_NR_WRITEBACK] > p->max_writeback)
		p->max_writeback = s[VMSCOPE_STAT_NR_WRITEBACK];
}

/* Anonymous memory beyond the limit: to swap. */
static int rc_anon(struct exp_ctx *x, struct rc_phase *p, const char *max,
		   uint64_t size)
{
	struct exp_child c;
	struct worker w;
	int err;

	err = exp_cgroup_make(p->cg, sizeof(p->cg), max, "max");
	if (err || worker_start(&c, &w, "exp-anon", p->cg, -1, NULL))
		return -1;
	exp_vmstat(x->fd, p->a);
	if (!exp_child_do(&c, W(W_MMAP, size)) ||
	    exp_child_do(&c, W(W_TOUCH, size)) != size)
		return -1;
	rc_end(x, p);
	exp_child_kill(&c);
	return 0;
}

#define VM_SYSCTL(name)	"/proc/sys/vm/" name

/*
 * System-wide dirty limits of @mb MiB (a quarter of it for background
 * writeback), restored by the cleanup.  Writing a *_bytes file zeroes
 * its *_ratio, and "0" cannot be written back to it: so the ratios are
 * recorded first (rewritten unchanged) and restored last, which zeroes
 * the bytes again.
 */
static int rc_dirty_limits(long mb)
{
	static const char *const ratios[] = {
		VM_SYSCTL("dirty_ratio"), VM_SYSCTL("dirty_background_ratio"),
	};
	char val[32];
	size_t i;
	int err;

	for (i = 0; i < sizeof(ratios) / sizeof(ratios[0]); i++) {
		snprintf(val, sizeof(val), "%lld", file_num(ratios[i]));
		err = exp_sysctl_set(ratios[i], val);
		if (err)
			return err;
	}
	snprintf(val, sizeof(val), "%llu", (unsigned long long)(mb * MiB / 4));
	err = exp_sysctl_set(VM_SYSCTL("dirty_background_bytes"), val);
	if (err)
		return err;
	snprintf(val, sizeof(val), "%llu", (unsigned long long)(mb * MiB));
	return exp_sysctl_set(VM_SYSCTL("dirty_bytes"), val);
}

/*
 * A file written under the limit: dirty pages, written back, freed.  The
 * writer creates it, so that its inode is written back on behalf of the
 * writer's cgroup (cgroup writeback: the cgroup's own dirty limits);
 * the parent keeps it open for the reader.
 */
static int rc_dirty(struct exp_ctx *x, struct rc_phase *p, const char *max,
		    const char *dir, int *file, uint64_t size)
{
	char path[64];
	struct exp_child c;
	struct worker w;
	uint64_t done, fd;
	int err;

	err = exp_cgroup_make(p->cg, sizeof(p->cg), max, "0");
	if (err || worker_start(&c, &w, "exp-writer", p->cg, -1, dir))
		return -1;
	fd = exp_child_do(&c, W(W_CREATE, 0));
	if (!fd || fd == UINT64_MAX)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", c.pid, (int)fd);
	*file = open(path, O_RDWR | O_CLOEXEC);
	if (*file < 0)
		return -1;
	exp_vmstat(x->fd, p->a);
	for (done = 0; done < size; done += MiB) {
		if (exp_child_do(&c, W(W_WRITE, MiB)) != done + MiB)
			return -1;
		rc_sample(x, p);
	}
	rc_end(x, p);
	if (exp_child_do(&c, W(W_FSYNC, 0)) != 1)
		return -1;
	exp_child_kill(&c);
	return 0;
}

/* The same file, dropped from the page cache, read under the limit. */
static int rc_clean(struct exp_ctx *x, struct rc_phase *p, const char *max,
		    int file, uint64_t size)
{
	struct exp_child c;
	struct worker w;
	int err;

	if (fsync(file) || posix_fadvise(file, 0, 0, POSIX_FADV_DONTNEED))
		return -1;
	err = exp_cgroup_make(p->cg, sizeof(p->cg), max, "0");
	if (err || worker_start(&c, &w, "exp-reader", p->cg, file, NULL))
		return -1;
	exp_vmstat(x->fd, p->a);
	if (exp_child_do(&c, W(W_READ, 0)) != size)
		return -1;
	rc_sample(x, p);
	rc_end(x, p);
	exp_child_kill(&c);
	return 0;
}

/* Free pages above the zones' low watermarks, in bytes: what kswapd keeps. */
static uint64_t rc_above_low(int fd)
{
	struct vmscope_zone z[32];
	uint64_t pages = 0;
	int n, i;

	n = exp_zones(fd, z, 32);
	for (i = 0; i < n && i < 32; i++)
		if ((z[i].flags & VMSCOPE_ZONE_POPULATED) && z[i].free > z[i].low)
			pages += z[i].free - z[i].low;
	return pages * PAGE;
}

#define HUGEPAGES	"/proc/sys/vm/nr_hugepages"
#define RC_POOL_ROOM	(64 * MiB)	/* left above the low watermarks */
#define RC_BELOW_LOW	(32 * MiB)	/* how far the workload goes below */

static void write_num(const char *path, long long v)
{
	char val[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	snprintf(val, sizeof(val), "%lld", v);
	if (write(fd, val, strlen(val)) < 0) {
		/* the cleanup writes it again */
	}
	close(fd);
}

/*
 * Take about @bytes of free memory into the hugetlb pool: the kernel
 * takes the pages off the free lists without writing them, in a fraction
 * of a second where touching them would take seconds under TCG.  The
 * cleanup gives them back (nr_hugepages as it was).  Bytes taken.
 */
static uint64_t rc_pool(uint64_t bytes, long long *old)
{
	long long hp = meminfo_kb("Hugepagesize") * (long long)KiB, n;
	char val[32];

	*old = file_num(HUGEPAGES);
	if (hp <= 0 || *old < 0 || bytes < (uint64_t)hp)
		return 0;
	snprintf(val, sizeof(val), "%lld", *old + (long long)(bytes / hp));
	if (exp_sysctl_set(HUGEPAGES, val))
		return 0;
	n = file_num(HUGEPAGES) - *old;
	return n > 0 ? n * hp : 0;
}

/*
 * Global pressure: free memory down to the low watermarks plus a little
 * (the hugetlb pool), then a child in a cgroup that caps it allocates
 * page by page until it is RC_BELOW_LOW below them; wait for kswapd.
 */
static int rc_global(struct exp_ctx *x, struct rc_phase *p, uint64_t *pool,
		     uint64_t *touch)
{
	uint64_t above = rc_above_low(x->fd);
	struct exp_child c;
	struct worker w;
	long long old = -1;
	char max[32];
	int err, i;

	exp_vmstat(x->fd, p->a);
	*pool = above > 2 * RC_POOL_ROOM ? rc_pool(above - RC_POOL_ROOM, &old) :
		0;
	*touch = page_down(rc_above_low(x->fd) + RC_BELOW_LOW);
	snprintf(max, sizeof(max), "%llu",
		 (unsigned long long)(*touch + 64 * MiB));
	err = exp_cgroup_make(p->cg, sizeof(p->cg), max, "max");
	if (err || worker_start(&c, &w, "exp-global", p->cg, -1, NULL))
		return -1;
	if (!exp_child_do(&c, W(W_MMAP, *touch)) ||
	    exp_child_do(&c, W(W_TOUCH, *touch)) != *touch)
		return -1;
	for (i = 0; i < 100; i++) {
		exp_vmstat(x->fd, p->b);
		if (rc_d(p, VMSCOPE_STAT_PGSCAN_KSWAPD) > 0)
			break;
		usleep(20000);
	}
	rc_end(x, p);
	exp_child_kill(&c);
	if (*pool)
		write_num(HUGEPAGES, old);
	return 0;
}

static double rc_allocstall(const struct rc_phase *p)
{
	return rc_d(p, VMSCOPE_STAT_ALLOCSTALL_DMA) +
	       rc_d(p, VMSCOPE_STAT_ALLOCSTALL_DMA32) +
	       rc_d(p, VMSCOPE_STAT_ALLOCSTALL_NORMAL) +
	       rc_d(p, VMSCOPE_STAT_ALLOCSTALL_MOVABLE);
}

static void reclaim(struct exp_ctx *x)
{
	long limit_mb = exp_arg(x, "limit_mb", 16);
	long global_max_mb = exp_arg(x, "global_max_mb", 1024);
	long dirty_mb = exp_arg(x, "dirty_mb", 4);
	uint64_t limit = limit_mb * MiB, size = 2 * limit, need;
	uint64_t pool = 0, touch = 0;
	static struct rc_phase an, dt, cl, gl;
	double over_pages, scan_global, scan_all, cg_direct;
	const char *dir;
	bool global;
	char max[32];
	int file = -1;

	if (limit_mb < 8 || limit_mb > 256 || dirty_mb < 0 ||
	    dirty_mb > limit_mb / 2)
		return exp_skip(x, "limit_mb=%ld dirty_mb=%ld: give 8 to 256, and 0 to half of it",
				limit_mb, dirty_mb);
	dir = rc_dir(x, size);
	if (!dir)
		return;
	memset(&an, 0, sizeof(an));
	memset(&dt, 0, sizeof(dt));
	memset(&cl, 0, sizeof(cl));
	memset(&gl, 0, sizeof(gl));
	snprintf(max, sizeof(max), "%llu", (unsigned long long)limit);
	over_pages = (double)(size - limit) / PAGE;

	if (rc_anon(x, &an, max, size))
		return exp_inconclusive(x, "the anonymous workload failed");
	exp_step(x, "cgroup with memory.max %ldM, swap allowed: a child touches %llu MiB of anonymous memory",
		 limit_mb, (unsigned long long)(size / MiB));
	if (dirty_mb && rc_dirty_limits(dirty_mb))
		return exp_inconclusive(x, "cannot set vm.dirty_bytes");
	if (rc_dirty(x, &dt, max, dir, &file, size)) {
		if (file >= 0)
			close(file);
		return exp_inconclusive(x, "writing a file in %s failed (%s)",
					dir, file < 0 ? "cannot create it" :
					"the writer died: see dmesg");
	}
	exp_step(x, "cgroup with memory.max %ldM, no swap: a child creates a file in %s and writes %llu MiB, 1 MiB at a time",
		 limit_mb, dir, (unsigned long long)(size / MiB));
	if (dirty_mb)
		exp_step(x, "... with vm.dirty_bytes %ld MiB, dirty_background_bytes a quarter (restored after)",
			 dirty_mb);
	if (rc_clean(x, &cl, max, file, size)) {
		close(file);
		return exp_inconclusive(x, "reading the file back failed");
	}
	close(file);
	exp_step(x, "fsync, POSIX_FADV_DONTNEED; in a third such cgroup a child reads the file through");

	need = rc_above_low(x->fd) + RC_BELOW_LOW;
	global = need <= (uint64_t)global_max_mb * MiB;
	if (global) {
		if (rc_global(x, &gl, &pool, &touch))
			return exp_inconclusive(x, "the global workload failed");
		exp_step(x, "global pressure: %llu MiB of free memory into the hugetlb pool (nr_hugepages, restored after), then a child touches %llu MiB page by page",
			 (unsigned long long)(pool / MiB),
			 (unsigned long long)(touch / MiB));
	} else {
		exp_step(x, "no global pressure: it would take %llu MiB (global_max_mb=%ld)",
			 (unsigned long long)(need / MiB), global_max_mb);
	}

	exp_measure(x, "anon_pswpout", rc_d(&an, VMSCOPE_STAT_PSWPOUT), "pages",
		    "anonymous: pages written to swap");
	exp_measure(x, "anon_pgsteal_anon", rc_d(&an, VMSCOPE_STAT_PGSTEAL_ANON),
		    "pages", "anonymous pages reclaimed");
	exp_measure(x, "dirty_pgpgout", rc_d(&dt, VMSCOPE_STAT_PGPGOUT), "kB",
		    "writing: kB written to block devices");
	exp_measure(x, "dirty_pgsteal_file",
		    rc_d(&dt, VMSCOPE_STAT_PGSTEAL_FILE), "pages",
		    "writing: file pages reclaimed");
	exp_measure(x, "dirty_max_nr_dirty", dt.max_dirty, "pages",
		    "writing: most dirty pages seen (nr_dirty, after each MiB)");
	exp_measure(x, "dirty_max_nr_writeback", dt.max_writeback, "pages",
		    "writing: most pages under writeback seen");
	exp_measure(x, "clean_pgpgin", rc_d(&cl, VMSCOPE_STAT_PGPGIN), "kB",
		    "reading: kB read from block devices");
	exp_measure(x, "clean_pgsteal_file",
		    rc_d(&cl, VMSCOPE_STAT_PGSTEAL_FILE), "pages",
		    "reading: file pages reclaimed");
	exp_measure(x, "clean_pgpgout", rc_d(&cl, VMSCOPE_STAT_PGPGOUT), "kB",
		    "reading: kB written meanwhile");
	exp_measure(x, "clean_nr_writeback", cl.max_writeback, "pages",
		    "reading: nr_writeback after it");

	scan_global = rc_d(&an, VMSCOPE_STAT_PGSCAN_KSWAPD) +
		      rc_d(&an, VMSCOPE_STAT_PGSCAN_DIRECT) +
		      rc_d(&dt, VMSCOPE_STAT_PGSCAN_KSWAPD) +
		      rc_d(&dt, VMSCOPE_STAT_PGSCAN_DIRECT) +
		      rc_d(&cl, VMSCOPE_STAT_PGSCAN_KSWAPD) +
		      rc_d(&cl, VMSCOPE_STAT_PGSCAN_DIRECT);
	scan_all = rc_d(&an, VMSCOPE_STAT_PGSCAN_ANON) +
		   rc_d(&an, VMSCOPE_STAT_PGSCAN_FILE) +
		   rc_d(&dt, VMSCOPE_STAT_PGSCAN_ANON) +
		   rc_d(&dt, VMSCOPE_STAT_PGSCAN_FILE) +
		   rc_d(&cl, VMSCOPE_STAT_PGSCAN_ANON) +
		   rc_d(&cl, VMSCOPE_STAT_PGSCAN_FILE);
	cg_direct = an.cg_scan_direct + dt.cg_scan_direct + cl.cg_scan_direct;
	exp_measure(x, "limit_cg_pgscan_direct", cg_direct, "pages",
		    "the three cgroups' memory.stat pgscan_direct (their limit reclaim)");
	exp_measure(x, "limit_cg_pgscan_kswapd",
		    an.cg_scan_kswapd + dt.cg_scan_kswapd + cl.cg_scan_kswapd,
		    "pages", "... and pgscan_kswapd");
	exp_measure(x, "limit_pgscan_anon_file", scan_all, "pages",
		    "/proc/vmstat pgscan_anon + pgscan_file meanwhile");
	exp_measure(x, "limit_pgscan_kswapd_direct", scan_global, "pages",
		    "/proc/vmstat pgscan_kswapd + pgscan_direct meanwhile");
	if (global) {
		exp_measure(x, "global_pool", pool, "bytes",
			    "global: free memory taken into the hugetlb pool");
		exp_measure(x, "global_touched", touch, "bytes",
			    "global: then touched, to 32 MiB below the low watermarks");
		exp_measure(x, "global_pgscan_kswapd",
			    rc_d(&gl, VMSCOPE_STAT_PGSCAN_KSWAPD), "pages",
			    "global: pages kswapd scanned");
		exp_measure(x, "global_pgsteal_kswapd",
			    rc_d(&gl, VMSCOPE_STAT_PGSTEAL_KSWAPD), "pages",
			    "global: pages kswapd reclaimed");
		exp_measure(x, "global_pgscan_direct",
			    rc_d(&gl, VMSCOPE_STAT_PGSCAN_DIRECT), "pages",
			    "global: pages scanned by direct reclaim");
		exp_measure(x, "global_allocstall", rc_allocstall(&gl),
			    "events", "global: allocations that reclaimed directly");
		exp_measure(x, "global_pswpout",
			    rc_d(&gl, VMSCOPE_STAT_PSWPOUT), "pages",
			    "global: pages written to swap");
	}

	exp_expect(x, rc_d(&an, VMSCOPE_STAT_PSWPOUT) >= 0.9 * over_pages &&
		   rc_d(&an, VMSCOPE_STAT_PGSTEAL_ANON) >= 0.9 * over_pages,
		   "anonymous pages beyond memory.max are reclaimed to swap (pswpout, pgsteal_anon)");
	exp_expect(x, dt.max_dirty > 0,
		   "a file written beyond memory.max leaves dirty pages (nr_dirty)");
	exp_expect(x, rc_d(&dt, VMSCOPE_STAT_PGPGOUT) >= 0.9 * over_pages * 4,
		   "... which are written back (pgpgout)");
	exp_expect(x, rc_d(&dt, VMSCOPE_STAT_PGSTEAL_FILE) >= 0.5 * over_pages,
		   "... and reclaimed (pgsteal_file)");
	/* slack: a few metadata pages may be read and dropped unwritten */
	exp_expect(x, rc_d(&dt, VMSCOPE_STAT_PGSTEAL_FILE) <=
		   rc_d(&dt, VMSCOPE_STAT_PGPGOUT) / 4 + 64,
		   "... but no more pages than were written: dirty pages are written back first");
	exp_expect(x, rc_d(&cl, VMSCOPE_STAT_PGPGIN) >= 0.9 * size / KiB,
		   "the file read back comes from the disk (pgpgin)");
	exp_expect(x, rc_d(&cl, VMSCOPE_STAT_PGSTEAL_FILE) >= 0.9 * over_pages,
		   "clean page cache beyond memory.max is reclaimed (pgsteal_file)");
	exp_expect(x, rc_d(&cl, VMSCOPE_STAT_PGPGOUT) <= size / KiB / 100,
		   "... without I/O: pgpgout rose by less than 1%% of the file");
	/*
	 * 7.1 moved pgscan_* to the node stats ("mm: move pgscan, pgsteal,
	 * pgrefill to node stats"), which count limit reclaim too.
	 */
	if (exp_kernel_at_least(7, 1))
		exp_expect(x, cg_direct > 0 && scan_global >= 0.9 * cg_direct &&
			   scan_all >= 0.9 * cg_direct,
			   "limit reclaim: direct in the cgroups' memory.stat, in /proc/vmstat (since 7.1) in pgscan_direct and pgscan_anon/file");
	else
		exp_expect(x, cg_direct > 0 && scan_global < cg_direct &&
			   scan_all >= 0.9 * cg_direct,
			   "limit reclaim: direct in the cgroups' memory.stat, in /proc/vmstat (before 7.1) only in pgscan_anon/file");
	if (global)
		exp_expect(x, rc_d(&gl, VMSCOPE_STAT_PGSCAN_KSWAPD) > 0,
			   "global pressure (free pages below a zone's low watermark) wakes kswapd");
}

static const struct vmscope_exp exp_reclaim = {
	.name = "reclaim",
	.order = 7,
	.claim = "reclaim drops clean file pages without I/O, writes dirty ones back first and sends anonymous ones to swap; /proc/vmstat counts a cgroup's limit reclaim in pgscan_anon/file only, neither as kswapd nor as direct (since 7.1: as direct too); global pressure wakes kswapd",
	.next = "vmscope reclaim --watch 1 while a cgroup works; the cgroup's memory.stat; exp run thrashing",
	.needs = EXP_NEEDS_ROOT | EXP_NEEDS_SWAP | EXP_NEEDS_CGROUP,
	.run = reclaim,
};
EXP_REGISTER(exp_reclaim)

/* ---- thrashing ---- */

struct th_run {
	double maj, min, ms;	/* per pass after the warm-up */
	double pswpin, pswpout;	/* over the passes */
};

static int th_run(struct exp_ctx *x, const char *max, uint64_t ws,
		  long passes, struct th_run *r)
{
	__u64 a[VMSCOPE_STAT_NR], b[VMSCOPE_STAT_NR];
	struct vmscope_faults f0, f1;
	char cg[CG_PATH];
	struct exp_child c;
	struct worker w;
	double t0;
	long i;

	memset(r, 0, sizeof(*r));
	if (exp_cgroup_make(cg, sizeof(cg), max, "max") ||
	    worker_start(&c, &w, "exp-thrash", cg, -1, NULL))
		return -1;
	if (!exp_child_do(&c, W(W_MMAP, ws)) ||
	    exp_child_do(&c, W(W_TOUCH, ws)) != ws)
		return -1;
	exp_vmstat(x->fd, a);
	for (i = 0; i < passes; i++) {
		if (exp_faults(x->fd, c.pid, &f0))
			return -1;
		t0 = now_secs() * 1e3;
		if (exp_child_do(&c, W(W_PASS, 0)) != ws)
			return -1;
		r->ms += now_secs() * 1e3 - t0;
		if (exp_faults(x->fd, c.pid, &f1))
			return -1;
		r->maj += f1.maj_flt - f0.maj_flt;
		r->min += f1.min_flt - f0.min_flt;
	}
	exp_vmstat(x->fd, b);
	r->maj /= passes;
	r->min /= passes;
	r->ms /= passes;
	r->pswpin = vm_delta(a, b, VMSCOPE_STAT_PSWPIN);
	r->pswpout = vm_delta(a, b, VMSCOPE_STAT_PSWPOUT);
	exp_child_kill(&c);
	return 0;
}

static void thrashing(struct exp_ctx *x)
{
	long limit_mb = exp_arg(x, "limit_mb", 16);
	long margin_mb = exp_arg(x, "margin_mb", 4);
	long passes = exp_arg(x, "passes", 3);
	uint64_t limit = limit_mb * MiB, below, above;
	struct th_run lo, hi;
	double over_pages;
	char max[32];

	if (limit_mb < 16 || limit_mb > 256 || margin_mb < 2 ||
	    margin_mb > limit_mb / 2 || passes < 1 || passes > 20)
		return exp_skip(x, "limit_mb=%ld margin_mb=%ld passes=%ld: give 16-256, 2 to half of it, 1-20",
				limit_mb, margin_mb, passes);
	below = limit - margin_mb * MiB;
	above = limit + margin_mb * MiB;
	over_pages = (double)(above - limit) / PAGE;
	snprintf(max, sizeof(max), "%llu", (unsigned long long)limit);

	if (th_run(x, max, below, passes, &lo))
		return exp_inconclusive(x, "the workload below the limit failed");
	exp_step(x, "cgroup with memory.max %ldM, swap allowed: a child touches %llu MiB, then writes every page %ld more times",
		 limit_mb, (unsigned long long)(below / MiB), passes);
	if (th_run(x, max, above, passes, &hi))
		return exp_inconclusive(x, "the workload above the limit failed");
	exp_step(x, "the same with %llu MiB in a fresh cgroup",
		 (unsigned long long)(above / MiB));
	exp_step(x, "faults of the child per pass from VMSCOPE_IOC_FAULTS; swap traffic from vmstat");

	exp_measure(x, "below_ws", below, "bytes", "working set below the limit");
	exp_measure(x, "below_majflt_per_pass", lo.maj, "faults",
		    "major faults of a pass after the warm-up");
	exp_measure(x, "below_minflt_per_pass", lo.min, "faults",
		    "minor faults of a pass");
	exp_measure(x, "below_ms_per_pass", lo.ms, "ms",
		    "time a pass took (measured, not judged)");
	exp_measure(x, "below_pswpin", lo.pswpin, "pages",
		    "pages swapped in over its passes");
	exp_measure(x, "above_ws", above, "bytes", "working set above the limit");
	exp_measure(x, "above_majflt_per_pass", hi.maj, "faults",
		    "major faults of a pass after the warm-up");
	exp_measure(x, "above_minflt_per_pass", hi.min, "faults",
		    "minor faults of a pass");
	exp_measure(x, "above_ms_per_pass", hi.ms, "ms",
		    "time a pass took (measured, not judged)");
	exp_measure(x, "above_pswpin", hi.pswpin, "pages",
		    "pages swapped in over its passes");
	exp_measure(x, "above_pswpout", hi.pswpout, "pages",
		    "pages swapped out over its passes");
	exp_measure(x, "majflt_ratio", hi.maj / (lo.maj + 1), "ratio",
		    "major faults per pass above / (below + 1)");
	exp_measure(x, "time_ratio", lo.ms > 0 ? hi.ms / lo.ms : 0, "ratio",
		    "time per pass above / below");

	exp_expect(x, lo.maj <= below / PAGE / 100,
		   "below the limit a pass takes (almost) no major faults after the warm-up");
	exp_expect(x, hi.maj >= over_pages / 2,
		   "above it every pass faults back at least half the %.0f pages that do not fit",
		   over_pages);
	exp_expect(x, hi.maj >= 10 * (lo.maj + 1),
		   "major faults per pass explode: over 10x those below the limit");
	exp_expect(x, hi.pswpin >= 0.5 * hi.maj * passes,
		   "... and they are swap-ins (pswpin)");
}

static const struct vmscope_exp exp_thrashing = {
	.name = "thrashing",
	.order = 13,
	.claim = "a working set that fits in the memory a cgroup allows costs no major faults once it is in; one just larger faults much of itself back in from swap on every pass, and that is where its time goes",
	.next = "vmscope faults PID --watch 1 and vmscope reclaim --watch 1 during a run; memory.pressure (PSI) of the cgroup; workingset_refault_anon in vmstat",
	.needs = EXP_NEEDS_ROOT | EXP_NEEDS_SWAP | EXP_NEEDS_CGROUP,
	.run = thrashing,
};
EXP_REGISTER(exp_thrashing)
