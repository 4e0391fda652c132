// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope-bench: the bulk walk (VMSCOPE_IOC_WALK) side by side with the
 * kernel's own interfaces, /proc/PID/pagemap and /proc/PID/smaps_rollup,
 * on the same target in the same run; and how long the walk holds the
 * target's mmap_lock, seen as the worst mmap()+munmap() latency of a
 * thread in the target.  Results are ratios: the machine's speed cancels.
 * Then `vmscope layout --json` against /proc/PID/smaps for a process with
 * many VMAs, and `vmscope oom --json` against reading /proc/PID/oom_score
 * and /proc/PID/status of every process, with 2,000 sleeping children.
 * Working sets: a sampling pass against clear_refs + smaps, and the
 * slowdown of a sampled loop (--wss runs that case alone, --wss-pass
 * only its pass).
 * Last, the CPU that `vmscope top` costs per refresh with 500 processes,
 * against the same figures read from /proc and against busybox top
 * (`vmscope-bench --top` runs only that case).
 * Then the page-replacement simulator (vmscope replace): a 10-million-
 * reference locality string through every algorithm at 64 and 4,096
 * frames, in references per second (`vmscope-bench --replace`: only that);
 * and `vmscope cache` against fincore(1) over 10,000 files (bench_cache.c;
 * `--cache-only`).
 *
 * The walk beside the kernel's newer interfaces: one page in 33, against
 * pagemap, PAGEMAP_SCAN; LAYOUT against PROCMAP_QUERY (bench_walk.c;
 * `--walk`: only that).
 *
 * The worst mmap+munmap latency of a target with one 8 GiB VMA of
 * zero-page PTEs, idle, during `vmscope layout` and during `cat smaps`
 * (`--layout-hold`: only that).  `--dense` runs only the first case,
 * the dense 1 GiB walk against pagemap and smaps_rollup.
 *
 * Run by `make bench` in the test VM; prints a table, or JSON with --json,
 * then every ratio in one table (bench_ratio.c) and as one JSON line on
 * stderr, which scripts/bench.sh writes to a file.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vmscope.h>

#include "replace.h"
#include "bench_cache.h"
#include "common.h"
#include "bench_walk.h"

#define PAGE		4096UL
#define BUF_PAGES	BENCH_WALK_BUF
#define ROUNDS		5

/* What the target process shares with the benchmark. */
struct target_shm {
	uint64_t dense, sparse;		/* mapping addresses */
	uint64_t worst_ns;		/* worst mmap+munmap seen since reset */
	uint64_t probes;		/* mmap+munmap pairs timed */
	int reset, ready;
};

struct bench_case {
	const char *name;
	uint64_t start, pages;
	double walk, pagemap, rollup;	/* best seconds of ROUNDS */
};

/* Target thread: mmap+munmap one page in a loop, keep the worst latency. */
static void *lock_prober(void *arg)
{
	struct target_shm *shm = arg;
	struct timespec a, b;
	uint64_t ns;
	void *p;

	for (;;) {
		if (__atomic_exchange_n(&shm->reset, 0, __ATOMIC_ACQ_REL))
			__atomic_store_n(&shm->worst_ns, 0, __ATOMIC_RELEASE);
		clock_gettime(CLOCK_MONOTONIC, &a);
		p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			munmap(p, PAGE);
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns = (b.tv_sec - a.tv_sec) * 1000000000ULL + b.tv_nsec -
		     a.tv_nsec;
		if (ns > shm->worst_ns)
			__atomic_store_n(&shm->worst_ns, ns, __ATOMIC_RELEASE);
		__atomic_add_fetch(&shm->probes, 1, __ATOMIC_RELEASE);
		usleep(100);
	}
	return NULL;
}

/* The target: 1 GiB touched page by page, 64 GiB touched every 4 MiB. */
static void target(struct target_shm *shm, uint64_t dense_len,
		   uint64_t sparse_len)
{
	char *dense, *sparse;
	pthread_t t;
	uint64_t i;

	dense = mmap(NULL, dense_len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sparse = mmap(NULL, sparse_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (dense == MAP_FAILED || sparse == MAP_FAILED)
		_exit(1);
	madvise(dense, dense_len, MADV_NOHUGEPAGE);
	madvise(sparse, sparse_len, MADV_NOHUGEPAGE);
	for (i = 0; i < dense_len; i += PAGE)
		dense[i] = 1;
	for (i = 0; i < sparse_len; i += 4UL << 20)
		sparse[i] = 1;
	shm->dense = (uintptr_t)dense;
	shm->sparse = (uintptr_t)sparse;
	if (pthread_create(&t, NULL, lock_prober, shm))
		_exit(2);
	__atomic_store_n(&shm->ready, 1, __ATOMIC_RELEASE);
	for (;;)
		pause();
}

/**
 * bench_walk_range() - VMSCOPE_IOC_WALK over [@start, @end), in calls of
 * BENCH_WALK_BUF records into @buf
 * @fd: /dev/vmscope
 * @pid: the process
 * @start: first address
 * @end: end address
 * @buf: BENCH_WALK_BUF records
 * @present: if not NULL, the pages found present are added to it
 */
void bench_walk_range(int fd, pid_t pid, uint64_t start, uint64_t end,
		      struct vmscope_page *buf, uint64_t *present)
{
	struct vmscope_walk w;
	uint64_t i;

	while (start < end) {
		memset(&w, 0, sizeof(w));
		w.size = sizeof(w);
		w.pid = pid;
		w.rec_size = sizeof(*buf);
		w.start = start;
		w.end = end;
		w.buf = (uintptr_t)buf;
		w.buf_count = BENCH_WALK_BUF;
		if (ioctl(fd, VMSCOPE_IOC_WALK, &w))
			err(1, "VMSCOPE_IOC_WALK");
		for (i = 0; present && i < w.count; i++)
			*present += buf[i].state == VMSCOPE_STATE_PRESENT;
		start = w.next;
	}
}

static void bench_pagemap(int pm, uint64_t start, uint64_t pages,
			  uint64_t *buf)
{
	uint64_t done = 0, n;

	while (done < pages) {
		n = pages - done < BUF_PAGES ? pages - done : BUF_PAGES;
		if (pread(pm, buf, n * 8, (start / PAGE + done) * 8) !=
		    (ssize_t)(n * 8))
			err(1, "pagemap");
		done += n;
	}
}

static void bench_rollup(pid_t pid)
{
	char path[64], buf[4096];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		err(1, "%s", path);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

static double best(double cur, double t)
{
	return cur == 0 || t < cur ? t : cur;
}

static void run_case(struct bench_case *c, int fd, int pm, pid_t pid,
		     void *buf)
{
	double t;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		t = now_secs();
		bench_walk_range(fd, pid, c->start, c->start + c->pages * PAGE,
				 buf, NULL);
		c->walk = best(c->walk, now_secs() - t);
		t = now_secs();
		bench_pagemap(pm, c->start, c->pages, buf);
		c->pagemap = best(c->pagemap, now_secs() - t);
		t = now_secs();
		bench_rollup(pid);
		c->rollup = best(c->rollup, now_secs() - t);
	}
}

/*
 * Worst mmap+munmap latency in the target while @fn runs @n times,
 * counting the pair in flight when @fn returns: it may have waited for
 * the lock all along, so the prober is waited for until it has timed two
 * more.
 */
static uint64_t lock_probe(struct target_shm *shm,
			   void (*fn)(void *), void *arg, int n)
{
	uint64_t probes;
	int i;

	__atomic_store_n(&shm->reset, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&shm->reset, __ATOMIC_ACQUIRE))
		usleep(100);
	for (i = 0; i < n; i++)
		fn(arg);
	probes = __atomic_load_n(&shm->probes, __ATOMIC_ACQUIRE);
	while (__atomic_load_n(&shm->probes, __ATOMIC_ACQUIRE) < probes + 2)
		usleep(100);
	return __atomic_load_n(&shm->worst_ns, __ATOMIC_ACQUIRE);
}

struct probe_arg {
	int fd, pm;
	pid_t pid;
	struct bench_case *c;
	void *buf;
};

static void probe_idle(void *arg __attribute__((unused)))
{
	usleep(200000);
}

static void probe_walk(void *arg)
{
	struct probe_arg *a = arg;

	bench_walk_range(a->fd, a->pid, a->c->start,
			 a->c->start + a->c->pages * PAGE, a->buf, NULL);
}

static void probe_pagemap(void *arg)
{
	struct probe_arg *a = arg;

	bench_pagemap(a->pm, a->c->start, a->c->pages, a->buf);
}

/* A process with @n VMAs: one page each, read-only and writable in turn. */
static pid_t many_vmas(int n)
{
	pid_t pid = fork();
	char *p;
	int i;

	if (pid)
		return pid;
	for (i = 0; i < n; i++) {
		p = mmap(NULL, PAGE, i & 1 ? PROT_READ : PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		if (!(i & 1))
			*p = 1;
	}
	raise(SIGSTOP);
	for (;;)
		pause();
}

/* Seconds to run a command with its output thrown away. */
double bench_time_cmd(char *const argv[])
{
	double t = now_secs();
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		errx(1, "%s failed", argv[0]);
	return now_secs() - t;
}

/* Seconds to read a file to its end. */
static double time_read(const char *path)
{
	static char buf[65536];
	double t = now_secs();
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		err(1, "%s", path);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return now_secs() - t;
}

/* vmscope layout --json against cat /proc/PID/smaps, best of ROUNDS. */
static void bench_layout(int nvmas, double *layout, double *smaps)
{
	char pidstr[16], path[64];
	char *argv[] = { "vmscope", "layout", "--json", pidstr, NULL };
	pid_t pid = many_vmas(nvmas);
	int r, status;

	if (pid < 0 || waitpid(pid, &status, WUNTRACED) != pid ||
	    !WIFSTOPPED(status))
		errx(1, "cannot start a process with %d VMAs", nvmas);
	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	*layout = *smaps = 0;
	for (r = 0; r < ROUNDS; r++) {
		*layout = best(*layout, bench_time_cmd(argv));
		*smaps = best(*smaps, time_read(path));
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

#define LAYOUT_VMAS	60000

static double layout_s, smaps_s;

#define OOM_SLEEPERS	2000
#define OOM_MAX		65536	/* processes read, as vmscope oom */

/* The OOM case's children: killed and reaped at exit, also on error. */
static pid_t *sleepers;
static int nr_sleepers;

static void reap_sleepers(void)
{
	int i;

	for (i = 0; i < nr_sleepers; i++)
		kill(sleepers[i], SIGKILL);
	for (i = 0; i < nr_sleepers; i++)
		waitpid(sleepers[i], NULL, 0);
	nr_sleepers = 0;
}

/* A child that sleeps until it is killed, or its parent dies. */
static pid_t sleeper(pid_t parent)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	for (;;)
		pause();
}

static void spawn_sleepers(int n)
{
	pid_t self = getpid();
	pid_t pid;

	sleepers = calloc(n, sizeof(*sleepers));
	if (!sleepers)
		err(1, "cannot allocate");
	atexit(reap_sleepers);
	while (nr_sleepers < n) {
		pid = sleeper(self);
		if (pid < 0)
			err(1, "fork %d of %d: raise kernel.pid_max, "
			    "kernel.threads-max or ulimit -u, or add memory",
			    nr_sleepers + 1, n);
		sleepers[nr_sleepers++] = pid;
	}
}

/* One process as /proc tells what vmscope oom reports of it. */
struct proc_oom {
	pid_t pid;
	unsigned int oom_score;
	unsigned long long rss_kb, swap_kb, pte_kb;
	char comm[16];
};

/* Read @name under the /proc directory @proc, NUL terminated. */
static ssize_t read_proc(int proc, const char *name, char *buf, size_t len)
{
	int fd = openat(proc, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* The number after @key in /proc/PID/status, 0 if the line is missing. */
static unsigned long long status_kb(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* oom_score and status of @pid; false if the process is gone. */
static bool proc_oom_one(int proc, pid_t pid, struct proc_oom *o)
{
	char path[32], buf[4096];

	memset(o, 0, sizeof(*o));
	o->pid = pid;
	snprintf(path, sizeof(path), "%d/oom_score", pid);
	if (read_proc(proc, path, buf, sizeof(buf)) <= 0)
		return false;
	o->oom_score = strtoul(buf, NULL, 10);
	snprintf(path, sizeof(path), "%d/status", pid);
	if (read_proc(proc, path, buf, sizeof(buf)) <= 0)
		return false;
	if (sscanf(buf, "Name:\t%15[^\n]", o->comm) != 1)
		o->comm[0] = '\0';	/* an empty name */
	o->rss_kb = status_kb(buf, "\nVmRSS:");
	o->swap_kb = status_kb(buf, "\nVmSwap:");
	o->pte_kb = status_kb(buf, "\nVmPTE:");
	return true;
}

/* Every process in /proc, at most @max: how many were read. */
static int proc_oom_all(struct proc_oom *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		err(1, "/proc");
	while (n < max && (e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]) &&
		    proc_oom_one(dirfd(d), atoi(e->d_name), &out[n]))
			n++;
	closedir(d);
	return n;
}

/* vmscope-bench --proc-oom: the /proc side as a program of its own. */
static int proc_oom_main(void)
{
	struct proc_oom *o = calloc(OOM_MAX, sizeof(*o));
	int i, n;

	if (!o)
		err(1, "cannot allocate");
	n = proc_oom_all(o, OOM_MAX);
	for (i = 0; i < n; i++)
		printf("%d %s %u %llu %llu %llu\n", o[i].pid, o[i].comm,
		       o[i].oom_score, o[i].rss_kb, o[i].swap_kb, o[i].pte_kb);
	free(o);
	return 0;
}

struct oom_result {
	int procs;		/* processes in /proc */
	double vmscope;		/* vmscope oom --json, best of ROUNDS */
	double proc;		/* /proc read in this process */
	double proc_cmd;	/* /proc read by vmscope-bench --proc-oom */
};

static struct oom_result oom;
static struct cache_result cache;
static struct walk_result walkr;

#define OOM_TARGET	0.2	/* issue 5: at most a fifth of the time */

/* vmscope oom --json against every oom_score and status file. */
static void bench_oom(struct oom_result *r)
{
	char *vmscope[] = { "vmscope", "oom", "--json", NULL };
	char *reader[] = { "/proc/self/exe", "--proc-oom", NULL };
	struct proc_oom *o = calloc(OOM_MAX, sizeof(*o));
	double t;
	int i;

	if (!o)
		err(1, "cannot allocate");
	spawn_sleepers(OOM_SLEEPERS);
	for (i = 0; i < ROUNDS; i++) {
		r->vmscope = best(r->vmscope, bench_time_cmd(vmscope));
		t = now_secs();
		r->procs = proc_oom_all(o, OOM_MAX);
		r->proc = best(r->proc, now_secs() - t);
		r->proc_cmd = best(r->proc_cmd, bench_time_cmd(reader));
	}
	reap_sleepers();
	free(o);
}

/*
 * Issue 12, defect 3: how long a reader holds the target's mmap_lock
 * inside one huge VMA.  The target maps 8 GiB and reads every page: a
 * private anonymous mapping without THP maps the shared zero page in each
 * PTE (2M PTEs, 16 MiB of page tables, no RAM), which `vmscope layout`
 * and /proc/PID/smaps both walk.  A thread of the target does mmap+munmap
 * in a loop (lock_prober()); its worst latency idle, during `vmscope
 * layout PID` and during `cat /proc/PID/smaps`, in HOLD_ROUNDS rounds
 * taken in turn.  smaps walks a VMA under one mmap_lock hold; vmscope
 * drops the lock after every VMSCOPE_WALK_BUDGET entries.  The reader
 * and the target run at once on two CPUs (scripts/bench.sh gives the VM
 * a host thread per vCPU: in one thread, TCG switches between the vCPUs
 * only every 100 ms or so, and the prober would measure that too).
 */
#define HOLD_BYTES	(8UL << 30)
#define HOLD_ROUNDS	5

struct hold_result {
	uint64_t pages;		/* of the VMA */
	uint64_t present;	/* pagemap entries present */
	uint64_t zero;		/* ... all with the zero page's PFN */
	uint64_t vmpte_kb;	/* the target's VmPTE */
	uint64_t idle_ns[HOLD_ROUNDS], layout_ns[HOLD_ROUNDS];
	uint64_t smaps_ns[HOLD_ROUNDS];
	uint64_t idle_max, layout_max, smaps_max;
	double layout_s, smaps_s;	/* best of the rounds */
	bool done;
};

static struct hold_result holdr;

/* The target: 8 GiB read page by page (zero-page PTEs), then wait. */
static void hold_target(struct target_shm *shm)
{
	volatile char *p = mmap(NULL, HOLD_BYTES, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);
	pthread_t t;
	uint64_t i;
	char sum = 0;

	if (p == MAP_FAILED)
		_exit(1);
	if (madvise((void *)p, HOLD_BYTES, MADV_NOHUGEPAGE))
		_exit(1);
	for (i = 0; i < HOLD_BYTES; i += PAGE)
		sum += p[i];
	shm->dense = (uintptr_t)p + (sum & 0);
	if (pthread_create(&t, NULL, lock_prober, shm))
		_exit(2);
	__atomic_store_n(&shm->ready, 1, __ATOMIC_RELEASE);
	for (;;)
		pause();
}

/* The kernel's view of the VMA: present PTEs, and those of one PFN. */
static void hold_check(struct hold_result *r, pid_t pid, uint64_t start)
{
	static uint64_t pm[BUF_PAGES];
	uint64_t done = 0, n, i, pfn0 = 0;
	char path[64], status[4096];
	int fd, proc;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		err(1, "%s", path);
	while (done < r->pages) {
		n = r->pages - done < BUF_PAGES ? r->pages - done : BUF_PAGES;
		if (pread(fd, pm, n * 8, (start / PAGE + done) * 8) !=
		    (ssize_t)(n * 8))
			err(1, "%s", path);
		for (i = 0; i < n; i++) {
			if (!(pm[i] >> 63))
				continue;
			r->present++;
			if (!pfn0)
				pfn0 = pm[i] & ((1ULL << 55) - 1);
			r->zero += pfn0 && (pm[i] & ((1ULL << 55) - 1)) == pfn0;
		}
		done += n;
	}
	close(fd);
	proc = open("/proc", O_RDONLY | O_DIRECTORY);
	snprintf(path, sizeof(path), "%d/status", pid);
	if (proc < 0 || read_proc(proc, path, status, sizeof(status)) <= 0)
		err(1, "/proc/%d/status", pid);
	close(proc);
	r->vmpte_kb = status_kb(status, "\nVmPTE:");
	if (r->present != r->pages || r->zero != r->pages)
		errx(1, "8 GiB VMA: %" PRIu64 " of %" PRIu64 " pages present, "
		     "%" PRIu64 " of one PFN: not one zero-page PTE per page",
		     r->present, r->pages, r->zero);
}

struct hold_arg {
	char *const *argv;
	const char *smaps;
	double secs;
};

static void hold_layout(void *arg)
{
	struct hold_arg *a = arg;

	a->secs = bench_time_cmd(a->argv);
}

static void hold_smaps(void *arg)
{
	struct hold_arg *a = arg;

	a->secs = time_read(a->smaps);
}

static uint64_t max_u64(const uint64_t *v, int n)
{
	uint64_t m = 0;
	int i;

	for (i = 0; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

static void bench_hold(struct hold_result *r)
{
	char pidstr[16], smaps[64];
	char *argv[] = { "vmscope", "layout", pidstr, NULL };
	struct hold_arg a = { .argv = argv, .smaps = smaps };
	struct target_shm *shm;
	pid_t pid;
	int i;

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		err(1, "cannot allocate");
	pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0)
		hold_target(shm);
	while (!__atomic_load_n(&shm->ready, __ATOMIC_ACQUIRE))
		if (waitpid(pid, NULL, WNOHANG) == pid)
			errx(1, "cannot map and read 8 GiB in the target");
		else
			usleep(10000);
	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	snprintf(smaps, sizeof(smaps), "/proc/%d/smaps", pid);
	r->pages = HOLD_BYTES / PAGE;
	hold_check(r, pid, shm->dense);
	for (i = 0; i < HOLD_ROUNDS; i++) {
		r->idle_ns[i] = lock_probe(shm, probe_idle, NULL, 1);
		r->layout_ns[i] = lock_probe(shm, hold_layout, &a, 1);
		r->layout_s = best(r->layout_s, a.secs);
		r->smaps_ns[i] = lock_probe(shm, hold_smaps, &a, 1);
		r->smaps_s = best(r->smaps_s, a.secs);
	}
	r->idle_max = max_u64(r->idle_ns, HOLD_ROUNDS);
	r->layout_max = max_u64(r->layout_ns, HOLD_ROUNDS);
	r->smaps_max = max_u64(r->smaps_ns, HOLD_ROUNDS);
	r->done = true;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	munmap(shm, sizeof(*shm));
}

static void print_hold_rounds(const char *name, const uint64_t *ns, int json)
{
	int i;

	printf(json ? "\"%s_rounds_us\": [" : "    %-14s", name);
	for (i = 0; i < HOLD_ROUNDS; i++)
		printf(json ? "%s%.1f" : "%s%10.1f", json && i ? ", " : "",
		       ns[i] / 1e3);
	printf(json ? "]" : "\n");
}

static void print_hold(const struct hold_result *r, int json)
{
	if (!r->done) {
		if (json)
			printf("  \"layout_hold\": null");
		return;
	}
	if (json) {
		printf("  \"layout_hold\": {\"vma_bytes\": %lu, \"ptes\": %"
		       PRIu64 ", \"zero_page_ptes\": %" PRIu64 ", "
		       "\"vmpte_kb\": %" PRIu64 ", \"rounds\": %d, "
		       "\"idle_worst_us\": %.1f, \"layout_worst_us\": %.1f, "
		       "\"smaps_worst_us\": %.1f, \"ratio\": %.4f, "
		       "\"vmscope_layout_s\": %.4f, \"cat_smaps_s\": %.4f, ",
		       HOLD_BYTES, r->present, r->zero, r->vmpte_kb,
		       HOLD_ROUNDS, r->idle_max / 1e3, r->layout_max / 1e3,
		       r->smaps_max / 1e3,
		       (double)r->layout_max / r->smaps_max, r->layout_s,
		       r->smaps_s);
		print_hold_rounds("idle", r->idle_ns, 1);
		printf(", ");
		print_hold_rounds("layout", r->layout_ns, 1);
		printf(", ");
		print_hold_rounds("smaps", r->smaps_ns, 1);
		printf("}");
		return;
	}
	printf("\nOne 8 GiB VMA, every page read (%" PRIu64 " zero-page PTEs "
	       "in pagemap, VmPTE %" PRIu64 " kB):\n  worst mmap+munmap "
	       "latency in the target, %d rounds (us):\n", r->zero,
	       r->vmpte_kb, HOLD_ROUNDS);
	print_hold_rounds("idle", r->idle_ns, 0);
	print_hold_rounds("vmscope layout", r->layout_ns, 0);
	print_hold_rounds("cat smaps", r->smaps_ns, 0);
	printf("  worst: idle %.1f us, vmscope layout %.1f us, cat smaps "
	       "%.1f us: %.4f of smaps's\n  (vmscope layout %.3f s, cat "
	       "smaps %.3f s, best of %d)\n", r->idle_max / 1e3,
	       r->layout_max / 1e3, r->smaps_max / 1e3,
	       (double)r->layout_max / r->smaps_max, r->layout_s, r->smaps_s,
	       HOLD_ROUNDS);
}

static void hold_ratio(const struct hold_result *r)
{
	if (r->done)
		bench_ratio("layout 8G: worst mmap vs smaps",
			    (double)r->layout_max / r->smaps_max, false,
			    "vmscope worst us / smaps worst us");
}

/*
 * vmscope top: its own CPU time per refresh with TOP_SLEEPERS processes,
 * against reading the same figures from /proc (meminfo, vmstat, pressure,
 * and each process's status, stat and oom_score) in-process, and against
 * busybox top -b.
 */
#define TOP_SLEEPERS	500
#define TOP_REFRESHES	20

struct top_result {
	int procs;
	double vmscope;		/* CPU seconds per refresh of vmscope top -b */
	double proc;		/* the same figures read from /proc */
	double busybox;		/* busybox top -b, per refresh */
};

static struct top_result topr;

/* CPU seconds (user + system) a command takes, its output discarded. */
static double cmd_cpu(char *const argv[])
{
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One refresh's worth of /proc reads; returns the processes seen. */
static int proc_top_once(void)
{
	static const char *const sys[] = { "/proc/meminfo", "/proc/vmstat",
					   "/proc/pressure/memory" };
	static const char *const per[] = { "status", "stat", "oom_score" };
	char path[64], buf[4096];
	struct dirent *d;
	int n = 0, fd;
	size_t i;
	DIR *dir;

	for (i = 0; i < 3; i++)
		time_read(sys[i]);
	dir = opendir("/proc");
	if (!dir)
		err(1, "/proc");
	while ((d = readdir(dir))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		for (i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "/proc/%.16s/%s",
				 d->d_name, per[i]);
			fd = open(path, O_RDONLY);
			if (fd < 0)
				continue;
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			close(fd);
		}
		n++;
	}
	closedir(dir);
	return n;
}

static void bench_top(struct top_result *r)
{
	char *vmscope[] = { "vmscope", "top", "-b", "-n", "20", "-d", "0.1",
			    NULL };
	char *busybox[] = { "busybox", "top", "-b", "-n", "3", "-d", "1",
			    NULL };
	double t, c;
	int i;

	spawn_sleepers(TOP_SLEEPERS);
	c = cmd_cpu(vmscope);
	r->vmscope = c < 0 ? -1 : c / TOP_REFRESHES;
	t = cpu_now();
	for (i = 0; i < TOP_REFRESHES; i++)
		r->procs = proc_top_once();
	r->proc = (cpu_now() - t) / TOP_REFRESHES;
	c = cmd_cpu(busybox);
	r->busybox = c < 0 ? -1 : c / 3;
	reap_sleepers();
	free(sleepers);
	sleepers = NULL;
}

/* ---- the replacement simulator ---- */

#define RP_BENCH_REFS	10000000UL
#define RP_BENCH_TICK	1000

static const uint32_t rp_bench_frames[2] = { 64, 4096 };

struct rp_bench {
	uint64_t faults[2][16];
	double secs[2][16];
	uint64_t pages;
	bool done;
};

static struct rp_bench rpb;

/*
 * 10M references, locality: 65,536 pages, a hot set of 1,024 that moves
 * every 100,000 references and takes 90% of them; one clock tick per
 * 1,000 references.  Each algorithm runs over the whole string; the time
 * is the simulation's CPU time (cpu_now(): on a shared machine wall time
 * measures the neighbours), not the generator's.
 */
static void bench_replace(struct rp_bench *b)
{
	struct rp_gen g = { .name = "locality", .length = RP_BENCH_REFS,
			    .pages = 65536, .hot = 1024, .phase = 100000,
			    .p_hot = 0.9, .seed = 1 };
	struct rp_trace t = { 0 };
	struct rp_result r;
	struct rp_params p = { .tick = RP_BENCH_TICK, .seed = 1 };
	double t0;
	size_t a;
	int i;

	if (rp_generate(&g, &t))
		errx(1, "cannot generate the reference string");
	b->pages = t.npages;
	for (i = 0; i < 2; i++)
		for (a = 0; a < rp_nr_algos && a < 16; a++) {
			p.frames = rp_bench_frames[i];
			t0 = cpu_now();
			if (rp_run(rp_algos[a], &t, &p, &r, NULL, NULL))
				errx(1, "%s: out of memory", rp_algos[a]->name);
			b->secs[i][a] = cpu_now() - t0;
			b->faults[i][a] = r.faults;
		}
	rp_trace_free(&t);
	b->done = true;
}

static void replace_table(const struct rp_bench *b)
{
	size_t a;

	if (!b->done)
		return;
	printf("\nvmscope replace: %lu references (locality, %" PRIu64
	       " pages, tick %d), references per CPU second\n"
	       "%-14s %14s %12s %14s %12s\n", RP_BENCH_REFS, b->pages,
	       RP_BENCH_TICK, "ALGO", "64 frames", "faults", "4096 frames",
	       "faults");
	for (a = 0; a < rp_nr_algos && a < 16; a++)
		printf("%-14s %14.0f %12" PRIu64 " %14.0f %12" PRIu64 "\n",
		       rp_algos[a]->name, RP_BENCH_REFS / b->secs[0][a],
		       b->faults[0][a], RP_BENCH_REFS / b->secs[1][a],
		       b->faults[1][a]);
}

static void replace_json(const struct rp_bench *b)
{
	size_t a;
	int i;

	printf("  \"replace\": {\"references\": %lu, \"pages\": %" PRIu64
	       ", \"tick\": %d, \"runs\": [\n", RP_BENCH_REFS, b->pages,
	       RP_BENCH_TICK);
	for (i = 0; i < 2; i++)
		for (a = 0; a < rp_nr_algos && a < 16; a++)
			printf("    {\"algo\": \"%s\", \"frames\": %u, "
			       "\"faults\": %" PRIu64 ", \"cpu_seconds\": %.4f, "
			       "\"refs_per_s\": %.0f}%s\n", rp_algos[a]->name,
			       rp_bench_frames[i], b->faults[i][a],
			       b->secs[i][a], RP_BENCH_REFS / b->secs[i][a],
			       i == 1 && a + 1 == rp_nr_algos ? "" : ",");
	printf("  ]}");
}

/*
 * Working sets (issue 13): one sampling pass of VMSCOPE_IOC_WSS_* over a
 * process with 1 GiB resident, every page referenced since the pass
 * before, against the wss.pl method on the same process (echo 1 >
 * /proc/PID/clear_refs, then read /proc/PID/smaps for Referenced); the
 * slowdown of a memory-bound loop sampled every 100 ms against the same
 * loop unobserved; the longest mmap_lock hold of a pass.
 */
#define WSS_BYTES	(1UL << 30)
#define WSS_LOOP_BYTES	(64UL << 20)
#define WSS_LOOP_S	8.0
#define WSS_TARGET	0.25	/* at most a quarter of the wss.pl time */
#define WSS_PASS_ROUNDS	9

struct wss_shm {
	uint64_t cmd, done;	/* the touching target's steps */
	uint64_t sweeps;	/* the loop's sweeps so far */
};

#define WSS_LOOP_ROUNDS	8	/* slices of WSS_LOOP_S / WSS_LOOP_ROUNDS */

struct wss_result {
	double pass_s, wsspl_s;		/* best of ROUNDS */
	double pass_na_s, wsspl_na_s;	/* the NO_AGING rounds, best */
	double ratio_na_median;		/* of the rounds' no-aging / wss.pl */
	double pass_st_s;		/* the steady passes, best */
	double ratio_st_median;		/* of their pass / wss.pl */
	uint64_t st_activated[WSS_PASS_ROUNDS];	/* pgactivate per pass */
	double loop_free, loop_sampled;	/* sweeps per second, mean */
	double loop_noflush;		/* sampled with VMSCOPE_WSS_NO_FLUSH */
	/* slowdown of each round against the unobserved slice before it */
	double slow_median, slow_noflush_median;	/* in % */
	double ratio_median;	/* of the rounds' pass / wss.pl */
	uint64_t hold_ns_max, pass_ns_max, intervals;
	uint64_t dirty_hold_ns_max;	/* the first pass: Dirty bits cleared */
};

static struct wss_result wssr;

/* The target: 1 GiB written once, then read all through at each step. */
static void wss_toucher(struct wss_shm *shm)
{
	volatile char *p = mmap(NULL, WSS_BYTES, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t step = 0, i, sum = 0;

	if (p == MAP_FAILED)
		_exit(1);
	madvise((void *)p, WSS_BYTES, MADV_NOHUGEPAGE);	/* PTEs: the dear case */
	for (i = 0; i < WSS_BYTES; i += PAGE)
		p[i] = 1;
	for (;;) {
		while (__atomic_load_n(&shm->cmd, __ATOMIC_ACQUIRE) == step)
			usleep(1000);
		step++;
		for (i = 0; i < WSS_BYTES; i += PAGE)
			sum += p[i];
		__atomic_store_n(&shm->done, step + (sum & 0), __ATOMIC_RELEASE);
	}
}

static void wss_step(struct wss_shm *shm)
{
	uint64_t step = __atomic_add_fetch(&shm->cmd, 1, __ATOMIC_RELEASE);

	while (__atomic_load_n(&shm->done, __ATOMIC_ACQUIRE) != step)
		usleep(1000);
}

static int wss_session(pid_t pid, uint32_t interval_ms, uint32_t flags)
{
	struct vmscope_wss_start st = {
		.size = sizeof(st), .pid = pid,
		.flags = flags | (interval_ms ? 0 : VMSCOPE_WSS_MANUAL),
		.interval_ms = interval_ms,
	};
	int fd = open(VMSCOPE_DEVICE, O_RDONLY);

	if (fd < 0 || ioctl(fd, VMSCOPE_IOC_WSS_START, &st))
		err(1, "VMSCOPE_IOC_WSS_START");
	return fd;
}

/*
 * One manual pass, its records drained; the session's status fields.
 * Returns the pages its interval found referenced (0 for the first pass).
 */
static uint64_t wss_pass(int fd, struct vmscope_wss_read *rd)
{
	static struct vmscope_wss_rec rec[4096];
	struct vmscope_wss_ctl ctl = {
		.size = sizeof(ctl), .op = VMSCOPE_WSS_OP_PASS,
	};
	uint64_t pages = 0;
	uint32_t i;

	if (ioctl(fd, VMSCOPE_IOC_WSS_CTL, &ctl))
		err(1, "VMSCOPE_IOC_WSS_CTL");
	do {
		memset(rd, 0, sizeof(*rd));
		rd->size = sizeof(*rd);
		rd->buf = (uintptr_t)rec;
		rd->buf_count = 4096;
		rd->rec_size = sizeof(rec[0]);
		if (ioctl(fd, VMSCOPE_IOC_WSS_READ, rd))
			err(1, "VMSCOPE_IOC_WSS_READ");
		for (i = 0; i < rd->count; i++)
			if (rec[i].type == VMSCOPE_WSS_REC_INTERVAL)
				pages = rec[i].pages;
	} while (rd->pending);
	return pages;
}

/* Referenced of every VMA of /proc/PID/smaps, read as wss.pl reads it. */
static uint64_t smaps_referenced(pid_t pid)
{
	char path[64], line[256];
	uint64_t kb = 0, v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (!f)
		err(1, "%s", path);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Referenced: %" SCNu64, &v) == 1)
			kb += v;
	fclose(f);
	return kb;
}

static void clear_refs(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", pid);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		err(1, "%s", path);
	close(fd);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A timed pass over the GiB the target just read; its time. */
static double wss_timed_pass(int fd, struct vmscope_wss_read *rd)
{
	double t = now_secs();

	if (wss_pass(fd, rd) < WSS_BYTES / PAGE)
		errx(1, "a pass found less than the GiB just read referenced");
	return now_secs() - t;
}

/* wss.pl, timed: clear_refs, the target reads its GiB, smaps. */
static double wsspl_timed(struct wss_shm *shm, pid_t pid)
{
	double t = now_secs();
	uint64_t kb;

	clear_refs(pid);
	t = now_secs() - t;
	wss_step(shm);
	t -= now_secs();
	kb = smaps_referenced(pid);
	if (kb < (WSS_BYTES >> 10))
		errx(1, "smaps Referenced: %" PRIu64 " kB, not the GiB just read",
		     kb);
	return t + now_secs();
}

/*
 * Rounds of: the target reads its GiB, a timed pass of session @fd;
 * clear_refs, the target reads it, smaps (wss.pl), timed.  Each pass
 * follows a clear_refs (the round before's), so the page flags a pass
 * hands references to were cleared since its last pass.  The best times
 * into @pass_s and @wsspl_s, the wss.pl times into @wsspl (if not NULL),
 * the median of the rounds' ratios returned.
 */
static double wss_pass_rounds(struct wss_shm *shm, pid_t pid, int fd,
			      double *pass_s, double *wsspl_s, double *wsspl)
{
	struct vmscope_wss_read rd;
	double t, pass, ratio[WSS_PASS_ROUNDS];
	int i;

	wss_step(shm);
	wss_pass(fd, &rd);
	for (i = 0; i < WSS_PASS_ROUNDS; i++) {
		wss_step(shm);
		pass = wss_timed_pass(fd, &rd);
		*pass_s = best(*pass_s, pass);
		t = wsspl_timed(shm, pid);
		*wsspl_s = best(*wsspl_s, t);
		if (wsspl)
			wsspl[i] = t;
		/* the two side by side in time: a loaded host drifts */
		ratio[i] = pass / t;
	}
	return median(ratio, WSS_PASS_ROUNDS);
}

/*
 * A default session's passes back to back, the target reading its GiB
 * before each, as in a session nothing else interrupts: the page flags a
 * pass hands references to (PG_young on 6.12, PG_referenced and the
 * active list on 6.1) stay set from one pass to the next, where each
 * pass of wss_pass_rounds() follows a clear_refs that cleared them
 * (reclaim clears them too, but only on the pages it looks at).  Their
 * times against the wss.pl times @wsspl of wss_pass_rounds() on the
 * same process, round by round: wss.pl cannot be timed back to back
 * here, as clear_refs flushes no TLB (nor does x86 when it clears an
 * Accessed bit) and QEMU's software TLB holds every translation of the
 * GiB, so the target's reads after a clear_refs set no Accessed bit
 * (smaps then finds 4 kB Referenced); in those rounds each clear_refs
 * follows a pass, which flushes.  The best time into @pass_s, the pages
 * each pass moved to the active list into @activated (pgactivate: on 6.1
 * folio_mark_accessed() activates a page it finds referenced already, so
 * a pass costs what the LRU state of the pages makes it); the median of
 * the rounds' ratios returned.
 */
static double wss_steady_rounds(struct wss_shm *shm, int fd,
				const double *wsspl, double *pass_s,
				uint64_t *activated)
{
	double pass, ratio[WSS_PASS_ROUNDS];
	struct vmscope_wss_read rd;
	uint64_t act;
	int i;

	wss_step(shm);
	wss_pass(fd, &rd);	/* clears */
	wss_step(shm);
	wss_pass(fd, &rd);	/* hands every reference to aging once */
	for (i = 0; i < WSS_PASS_ROUNDS; i++) {
		wss_step(shm);
		act = file_key_ll("/proc/vmstat", "pgactivate");
		pass = wss_timed_pass(fd, &rd);
		activated[i] = file_key_ll("/proc/vmstat", "pgactivate") - act;
		*pass_s = best(*pass_s, pass);
		ratio[i] = pass / wsspl[i];
	}
	return median(ratio, WSS_PASS_ROUNDS);
}

/*
 * The rounds of a default session, its steady passes against their
 * wss.pl times, then the rounds of a session with VMSCOPE_WSS_NO_AGING
 * (as clear_refs, handing nothing to aging) beside their own clear_refs
 * + smaps: the default rounds are what they were before the others were
 * added.
 */
static void bench_wss_pass(struct wss_result *r, struct wss_shm *shm)
{
	double wsspl[WSS_PASS_ROUNDS];
	struct vmscope_wss_read rd;
	pid_t pid = fork();
	int fd;

	if (pid == 0)
		wss_toucher(shm);
	wss_step(shm);			/* all written, then read */
	fd = wss_session(pid, 0, 0);
	wss_pass(fd, &rd);		/* the first pass: clears, Dirty too */
	r->dirty_hold_ns_max = rd.hold_ns_max;
	close(fd);
	/* a session of its own for the timed passes: only Accessed bits */
	fd = wss_session(pid, 0, 0);
	r->ratio_median = wss_pass_rounds(shm, pid, fd, &r->pass_s,
					  &r->wsspl_s, wsspl);
	/* the session's longest hold and pass */
	memset(&rd, 0, sizeof(rd));
	rd.size = sizeof(rd);
	if (ioctl(fd, VMSCOPE_IOC_WSS_READ, &rd))
		err(1, "VMSCOPE_IOC_WSS_READ");
	r->hold_ns_max = rd.hold_ns_max;
	r->pass_ns_max = rd.pass_ns_max;
	close(fd);
	fd = wss_session(pid, 0, 0);
	r->ratio_st_median = wss_steady_rounds(shm, fd, wsspl, &r->pass_st_s,
					       r->st_activated);
	close(fd);
	fd = wss_session(pid, 0, VMSCOPE_WSS_NO_AGING);
	r->ratio_na_median = wss_pass_rounds(shm, pid, fd, &r->pass_na_s,
					     &r->wsspl_na_s, NULL);
	close(fd);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A memory-bound loop: sweeps of 64 MiB, one load per cache line. */
static void wss_looper(struct wss_shm *shm)
{
	volatile char *p = malloc(WSS_LOOP_BYTES);
	uint64_t i, sum = 0;

	if (!p)
		_exit(1);
	memset((void *)p, 1, WSS_LOOP_BYTES);
	for (;;) {
		for (i = 0; i < WSS_LOOP_BYTES; i += 64)
			sum += p[i];
		__atomic_store_n(&shm->sweeps, shm->sweeps + 1 + (sum & 0),
				 __ATOMIC_RELEASE);
	}
}

/* Sweeps of the loop during @secs. */
static double wss_sweeps(struct wss_shm *shm, double secs)
{
	uint64_t s0 = __atomic_load_n(&shm->sweeps, __ATOMIC_ACQUIRE);
	double t = now_secs();

	usleep(secs * 1e6);
	s0 = __atomic_load_n(&shm->sweeps, __ATOMIC_ACQUIRE) - s0;
	return s0 / (now_secs() - t);
}

/*
 * One loop, measured unobserved, sampled every 100 ms and sampled without
 * the TLB flushes in turn, WSS_LOOP_ROUNDS slices of each: the same
 * process, its memory and placement, for all three.  Besides the means,
 * the median of the rounds' slowdowns against the unobserved slice just
 * before them: a loaded host's speed drifts over seconds, and slices
 * close in time see about the same drift.
 */
static void bench_wss_loop(struct wss_result *r, struct wss_shm *shm)
{
	struct vmscope_wss_read rd = { .size = sizeof(rd) };
	double free_sum = 0, sampled_sum = 0, noflush_sum = 0;
	double slow[WSS_LOOP_ROUNDS], slow_nf[WSS_LOOP_ROUNDS];
	double slice = WSS_LOOP_S / WSS_LOOP_ROUNDS, f, v;
	pid_t pid;
	int i, fd;

	shm->sweeps = 0;
	pid = fork();
	if (pid == 0)
		wss_looper(shm);
	while (__atomic_load_n(&shm->sweeps, __ATOMIC_ACQUIRE) < 2)
		usleep(1000);
	for (i = 0; i < WSS_LOOP_ROUNDS; i++) {
		f = wss_sweeps(shm, slice);
		free_sum += f;
		fd = wss_session(pid, 100, 0);
		v = wss_sweeps(shm, slice);
		sampled_sum += v;
		slow[i] = 100 * (1 - v / f);
		if (ioctl(fd, VMSCOPE_IOC_WSS_READ, &rd))
			err(1, "VMSCOPE_IOC_WSS_READ");
		r->intervals += rd.intervals;
		close(fd);
		fd = wss_session(pid, 100, VMSCOPE_WSS_NO_FLUSH);
		v = wss_sweeps(shm, slice);
		noflush_sum += v;
		slow_nf[i] = 100 * (1 - v / f);
		close(fd);
	}
	r->loop_free = free_sum / WSS_LOOP_ROUNDS;
	r->loop_sampled = sampled_sum / WSS_LOOP_ROUNDS;
	r->loop_noflush = noflush_sum / WSS_LOOP_ROUNDS;
	r->slow_median = median(slow, WSS_LOOP_ROUNDS);
	r->slow_noflush_median = median(slow_nf, WSS_LOOP_ROUNDS);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void bench_wss(struct wss_result *r)
{
	struct wss_shm *shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (shm == MAP_FAILED)
		err(1, "cannot allocate");
	bench_wss_pass(r, shm);
	bench_wss_loop(r, shm);
	munmap(shm, sizeof(*shm));
}

static void bench_wss_pass_only(struct wss_result *r)
{
	struct wss_shm *shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (shm == MAP_FAILED)
		err(1, "cannot allocate");
	bench_wss_pass(r, shm);
	munmap(shm, sizeof(*shm));
}

static void print_wss_json(const struct wss_result *r)
{
	printf("  \"wss\": {\"resident_bytes\": %lu, \"pass_s\": %.4f, "
	       "\"clear_refs_smaps_s\": %.4f, \"ratio\": %.3f, "
	       "\"target\": %.2f, \"target_met\": %s, "
	       "\"loop_sweeps_per_s\": %.2f, \"loop_sampled_sweeps_per_s\": "
	       "%.2f, \"slowdown_pct\": %.2f, \"intervals\": %" PRIu64
	       ", \"hold_us_max\": %.1f, \"pass_ms_max\": %.2f, "
	       "\"dirty_pass_hold_us_max\": %.1f, "
	       "\"slowdown_no_flush_pct\": %.2f, "
	       "\"slowdown_median_pct\": %.2f, "
	       "\"slowdown_no_flush_median_pct\": %.2f, "
	       "\"ratio_median\": %.3f, \"pass_no_aging_s\": %.4f, "
	       "\"clear_refs_smaps_no_aging_s\": %.4f, "
	       "\"ratio_no_aging\": %.3f, \"ratio_no_aging_median\": %.3f, "
	       "\"target_met_no_aging\": %s, \"pass_steady_s\": %.4f, "
	       "\"ratio_steady\": %.3f, \"ratio_steady_median\": %.3f, "
	       "\"target_met_steady\": %s}\n",
	       WSS_BYTES, r->pass_s, r->wsspl_s, r->pass_s / r->wsspl_s,
	       WSS_TARGET, r->ratio_median <= WSS_TARGET ? "true" :
	       "false", r->loop_free, r->loop_sampled,
	       100 * (1 - r->loop_sampled / r->loop_free), r->intervals,
	       r->hold_ns_max / 1e3, r->pass_ns_max / 1e6,
	       r->dirty_hold_ns_max / 1e3,
	       100 * (1 - r->loop_noflush / r->loop_free),
	       r->slow_median, r->slow_noflush_median, r->ratio_median,
	       r->pass_na_s, r->wsspl_na_s, r->pass_na_s / r->wsspl_na_s,
	       r->ratio_na_median,
	       r->ratio_na_median <= WSS_TARGET ? "true" : "false",
	       r->pass_st_s, r->pass_st_s / r->wsspl_s, r->ratio_st_median,
	       r->ratio_st_median <= WSS_TARGET ? "true" : "false");
}

/* The rounds after the default ones: NO_AGING, and the steady passes. */
static void print_wss_later_rounds(const struct wss_result *r)
{
	int i;

	printf("  with VMSCOPE_WSS_NO_AGING (references not handed to the "
	       "kernel's aging,\n  as clear_refs does not), rounds of their "
	       "own: one pass %.3f s, clear_refs + smaps\n  %.3f s: %.3f of "
	       "the time; median of the rounds' ratios %.3f (target %.2f: "
	       "%s)\n", r->pass_na_s, r->wsspl_na_s,
	       r->pass_na_s / r->wsspl_na_s, r->ratio_na_median, WSS_TARGET,
	       r->ratio_na_median <= WSS_TARGET ? "met" : "not met");
	printf("  steady (a default session's passes back to back, nothing "
	       "clearing the\n  page flags they hand references to in "
	       "between), against the first rounds'\n  clear_refs + smaps: "
	       "one pass %.3f s: %.3f of the time; median of the\n  rounds' "
	       "ratios %.3f (target %.2f: %s)\n", r->pass_st_s,
	       r->pass_st_s / r->wsspl_s, r->ratio_st_median, WSS_TARGET,
	       r->ratio_st_median <= WSS_TARGET ? "met" : "not met");
	printf("  pages each steady pass moved to the active list "
	       "(pgactivate):");
	for (i = 0; i < WSS_PASS_ROUNDS; i++)
		printf(" %" PRIu64, r->st_activated[i]);
	printf("\n");
}

/* The case's three ratios, for the summary table (bench_ratio.c). */
static void wss_ratios(const struct wss_result *r)
{
	bench_ratio("wss pass vs clear_refs+smaps", r->pass_s / r->wsspl_s,
		    false, "pass s / wss.pl s");
	bench_ratio("wss NO_AGING vs clear_refs+smaps",
		    r->pass_na_s / r->wsspl_na_s, false,
		    "NO_AGING pass s / wss.pl s");
	bench_ratio("wss steady pass vs clear_refs+smaps",
		    r->pass_st_s / r->wsspl_s, false,
		    "steady pass s / wss.pl s");
}

static void print_wss_table(const struct wss_result *r)
{
	printf("\nWorking sets, 1 GiB resident (4K pages), every page "
	       "referenced:\n  one sampling pass %.3f s, clear_refs + smaps "
	       "(wss.pl) %.3f s (best of %d each): %.3f of the time;\n"
	       "  median of the rounds' ratios %.3f (target %.2f: %s)\n"
	       "  longest mmap_lock hold of a pass %.1f us, longest pass "
	       "%.1f ms\n  (a first pass that clears 1 GiB of Dirty bits, one TLB "
	       "flush per page table: longest hold %.1f us)\n"
	       "  a memory-bound loop: %.2f sweeps/s unobserved, "
	       "%.2f sampled every 100 ms (%" PRIu64 " intervals): "
	       "%.2f%% slower;\n  %.2f%% slower without the TLB flushes "
	       "(VMSCOPE_WSS_NO_FLUSH); median of %d rounds against the "
	       "slice before: %.2f%%, %.2f%% without\n", r->pass_s, r->wsspl_s,
	       WSS_PASS_ROUNDS, r->pass_s / r->wsspl_s, r->ratio_median,
	       WSS_TARGET, r->ratio_median <= WSS_TARGET ? "met" : "not met",
	       r->hold_ns_max / 1e3, r->pass_ns_max / 1e6,
	       r->dirty_hold_ns_max / 1e3, r->loop_free,
	       r->loop_sampled, r->intervals,
	       100 * (1 - r->loop_sampled / r->loop_free),
	       100 * (1 - r->loop_noflush / r->loop_free), WSS_LOOP_ROUNDS,
	       r->slow_median, r->slow_noflush_median);
	print_wss_later_rounds(r);
}

/* Every ratio of the run, for the summary table (bench_ratio.c). */
static void note_ratios(const struct bench_case *cs, int n)
{
	static char names[2][2][48];
	int i;

	for (i = 0; i < n && i < 2; i++) {
		snprintf(names[i][0], sizeof(names[i][0]), "%s WALK vs pagemap",
			 cs[i].name);
		snprintf(names[i][1], sizeof(names[i][1]),
			 "%s WALK vs smaps_rollup", cs[i].name);
		bench_ratio(names[i][0], cs[i].pagemap / cs[i].walk, true,
			    "pagemap s / WALK s");
		bench_ratio(names[i][1], cs[i].rollup / cs[i].walk, true,
			    "smaps_rollup s / WALK s");
	}
	bench_ratio("layout --json vs cat smaps", layout_s / smaps_s, false,
		    "vmscope s / smaps s");
	bench_ratio("oom --json vs /proc reads", oom.vmscope / oom.proc, false,
		    "vmscope s / /proc s");
	bench_ratio("top -b vs /proc reads", topr.vmscope / topr.proc, false,
		    "vmscope CPU s / /proc CPU s");
	bench_ratio("top -b vs busybox top", topr.vmscope / topr.busybox,
		    false, "vmscope CPU s / busybox CPU s");
	bench_ratio("cache --json vs fincore", cache.vmscope_s /
		    cache.fincore_s, false, "vmscope s / fincore s");
	wss_ratios(&wssr);
	bench_kapi_ratios(&walkr);
	hold_ratio(&holdr);
}

static void print_json(struct bench_case *cs, int n, const uint64_t lat[3])
{
	int i;

	printf("{\n  \"cases\": [\n");
	for (i = 0; i < n; i++)
		printf("    {\"name\": \"%s\", \"pages\": %" PRIu64
		       ", \"walk_s\": %.6f, \"pagemap_s\": %.6f, "
		       "\"smaps_rollup_s\": %.6f, "
		       "\"walk_vs_pagemap\": %.2f, "
		       "\"walk_vs_smaps_rollup\": %.2f}%s\n",
		       cs[i].name, cs[i].pages, cs[i].walk,
		       cs[i].pagemap, cs[i].rollup,
		       cs[i].pagemap / cs[i].walk,
		       cs[i].rollup / cs[i].walk, i + 1 < n ? "," : "");
	printf("  ],\n  \"mmap_munmap_worst_us\": {\"idle\": %.1f, "
	       "\"during_walk\": %.1f, \"during_pagemap\": %.1f},\n",
	       lat[0] / 1e3, lat[1] / 1e3, lat[2] / 1e3);
	printf("  \"layout\": {\"vmas\": %d, \"vmscope_layout_json_s\": "
	       "%.4f, \"cat_smaps_s\": %.4f, \"ratio\": %.2f},\n",
	       LAYOUT_VMAS, layout_s, smaps_s, layout_s / smaps_s);
	printf("  \"oom\": {\"processes\": %d, \"vmscope_oom_json_s\": %.4f, "
	       "\"proc_read_s\": %.4f, \"proc_read_cmd_s\": %.4f, "
	       "\"ratio\": %.2f, \"ratio_cmd\": %.2f, \"target\": %.2f, "
	       "\"target_met\": %s},\n", oom.procs, oom.vmscope, oom.proc,
	       oom.proc_cmd, oom.vmscope / oom.proc,
	       oom.vmscope / oom.proc_cmd, OOM_TARGET,
	       oom.vmscope / oom.proc <= OOM_TARGET ? "true" : "false");
	printf("  \"top\": {\"processes\": %d, \"vmscope_top_cpu_s\": %.5f, "
	       "\"proc_read_cpu_s\": %.5f, \"busybox_top_cpu_s\": %.5f, "
	       "\"ratio_proc\": %.2f, \"ratio_busybox\": %.2f, "
	       "\"cpu_percent_at_1s\": %.2f},\n", topr.procs, topr.vmscope,
	       topr.proc, topr.busybox, topr.vmscope / topr.proc,
	       topr.vmscope / topr.busybox, topr.vmscope * 100);
	replace_json(&rpb);
	printf(",\n");
	bench_cache_print(&cache, 1);
	printf(",\n");
	print_wss_json(&wssr);
	printf(",\n");
	bench_kapi_print(&walkr, 1);
	printf(",\n");
	print_hold(&holdr, 1);
	printf("\n}\n");
}

static void print_table(struct bench_case *cs, int n, const uint64_t lat[3])
{
	int i;

	printf("%-12s %10s %14s %14s %14s %10s %10s\n", "CASE", "PAGES",
	       "WALK pages/s", "PAGEMAP", "SMAPS_ROLLUP", "vs pagemap",
	       "vs rollup");
	for (i = 0; i < n; i++)
		printf("%-12s %10" PRIu64 " %14.0f %14.0f %14.0f %10.2f %10.2f\n",
		       cs[i].name, cs[i].pages, cs[i].pages / cs[i].walk,
		       cs[i].pages / cs[i].pagemap, cs[i].pages / cs[i].rollup,
		       cs[i].pagemap / cs[i].walk, cs[i].rollup / cs[i].walk);
	printf("\nWorst mmap+munmap latency in the target (mmap_lock held by "
	       "the reader):\n  idle %.1f us, during vmscope walks %.1f us, "
	       "during pagemap reads %.1f us\n", lat[0] / 1e3, lat[1] / 1e3,
	       lat[2] / 1e3);
	printf("\nA process with %d VMAs: vmscope layout --json %.3f s, "
	       "cat /proc/PID/smaps %.3f s: %.2f of the time\n", LAYOUT_VMAS,
	       layout_s, smaps_s, layout_s / smaps_s);
	printf("\n%d processes: vmscope oom --json %.3f s, their "
	       "/proc/PID/oom_score and status\n  read in-process %.3f s, "
	       "by a program of its own %.3f s: %.2f and %.2f of the time\n"
	       "  (target %.2f: %s)\n", oom.procs, oom.vmscope, oom.proc,
	       oom.proc_cmd, oom.vmscope / oom.proc,
	       oom.vmscope / oom.proc_cmd, OOM_TARGET,
	       oom.vmscope / oom.proc <= OOM_TARGET ? "met" : "not met");
	printf("\n%d processes: vmscope top -b, CPU per refresh %.4f s (%.1f%% "
	       "of a CPU at -d 1);\n  the same figures read from /proc %.4f s, "
	       "busybox top -b %.4f s: %.2f and %.2f of the time\n",
	       topr.procs, topr.vmscope, topr.vmscope * 100, topr.proc,
	       topr.busybox, topr.vmscope / topr.proc,
	       topr.vmscope / topr.busybox);
	replace_table(&rpb);
	bench_cache_print(&cache, 0);
	print_wss_table(&wssr);
	bench_kapi_print(&walkr, 0);
	print_hold(&holdr, 0);
	bench_ratio_table();
}

int main(int argc, char **argv)
{
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	bool dense = argc == 2 && !strcmp(argv[1], "--dense");
	struct target_shm *shm;
	struct bench_case cs[2] = {
		{ .name = "dense-1G", .pages = (1UL << 30) / PAGE },
		{ .name = "sparse-64G", .pages = (64UL << 30) / PAGE },
	};
	uint64_t lat[3];
	struct probe_arg pa;
	char path[64];
	void *buf;
	pid_t pid;
	int i;

	if (argc == 2 && !strcmp(argv[1], "--proc-oom"))
		return proc_oom_main();
	if (argc == 2 && !strcmp(argv[1], "--cache-only")) {
		bench_cache(&cache);
		bench_cache_print(&cache, 0);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--wss")) {	/* that case alone */
		bench_wss(&wssr);
		print_wss_table(&wssr);
		wss_ratios(&wssr);
		bench_ratio_table();
		bench_ratio_json();
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--wss-pass")) {	/* its pass */
		bench_wss_pass_only(&wssr);
		printf("wss: one sampling pass over 1 GiB %.4f s, clear_refs + "
		       "smaps %.4f s: %.3f of the time (median of the rounds' "
		       "ratios %.3f); longest hold %.1f us\n",
		       wssr.pass_s, wssr.wsspl_s, wssr.pass_s / wssr.wsspl_s,
		       wssr.ratio_median, wssr.hold_ns_max / 1e3);
		print_wss_later_rounds(&wssr);
		wss_ratios(&wssr);
		bench_ratio_table();
		bench_ratio_json();
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--top")) {
		bench_top(&topr);
		printf("%d processes: vmscope top -b, CPU per refresh %.4f s "
		       "(%.1f%% of a CPU at -d 1); from /proc %.4f s, busybox "
		       "top -b %.4f s: %.2f and %.2f of the time\n", topr.procs,
		       topr.vmscope, topr.vmscope * 100, topr.proc, topr.busybox,
		       topr.vmscope / topr.proc, topr.vmscope / topr.busybox);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--walk")) {	/* that case alone */
		bench_kapi(&walkr);
		bench_kapi_print(&walkr, 0);
		bench_kapi_ratios(&walkr);
		bench_ratio_table();
		bench_ratio_json();
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--layout-hold")) {
		bench_hold(&holdr);
		print_hold(&holdr, 0);
		hold_ratio(&holdr);
		bench_ratio_table();
		bench_ratio_json();
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--replace")) {
		bench_replace(&rpb);
		replace_table(&rpb);
		return 0;
	}
	if (argc > 1 && !json && !dense)
		errx(2, "usage: vmscope-bench [--json | --dense | --top | "
		     "--replace | --cache-only | --wss | --wss-pass | --walk | "
		     "--layout-hold]");
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	buf = malloc(BUF_PAGES * sizeof(struct vmscope_page));
	if (shm == MAP_FAILED || !buf)
		err(1, "cannot allocate");
	pid = fork();
	if (pid == 0)
		target(shm, cs[0].pages * PAGE, cs[1].pages * PAGE);
	while (!__atomic_load_n(&shm->ready, __ATOMIC_ACQUIRE))
		usleep(10000);
	cs[0].start = shm->dense;
	cs[1].start = shm->sparse;

	pa.fd = open(VMSCOPE_DEVICE, O_RDONLY);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	pa.pm = open(path, O_RDONLY);
	if (pa.fd < 0 || pa.pm < 0)
		err(1, "open %s or %s", VMSCOPE_DEVICE, path);
	pa.pid = pid;
	pa.buf = buf;
	for (i = 0; i < (dense ? 1 : 2); i++)
		run_case(&cs[i], pa.fd, pa.pm, pid, buf);
	if (dense) {	/* the dense case alone */
		printf("%s: WALK %.0f pages/s, pagemap %.0f pages/s, "
		       "smaps_rollup %.0f pages/s: %.2fx pagemap\n",
		       cs[0].name, cs[0].pages / cs[0].walk,
		       cs[0].pages / cs[0].pagemap, cs[0].pages / cs[0].rollup,
		       cs[0].pagemap / cs[0].walk);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 0;
	}

	pa.c = &cs[0];
	lat[0] = lock_probe(shm, probe_idle, &pa, 5);
	lat[1] = lock_probe(shm, probe_walk, &pa, 5);
	lat[2] = lock_probe(shm, probe_pagemap, &pa, 5);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	free(buf);
	bench_layout(LAYOUT_VMAS, &layout_s, &smaps_s);
	bench_oom(&oom);
	bench_top(&topr);
	bench_replace(&rpb);
	bench_cache(&cache);
	bench_wss(&wssr);
	bench_kapi(&walkr);
	bench_hold(&holdr);
	note_ratios(cs, 2);
	if (json)
		print_json(cs, 2, lat);
	else
		print_table(cs, 2, lat);
	bench_ratio_json();
	return 0;
}
