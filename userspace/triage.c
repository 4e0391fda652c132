// SPDX-License-Identifier: GPL-2.0
/*
 * Triage samples: the system (meminfo, the module's vmstat counters and
 * zones, PSI) and every process (the OOM ranking, then its mm and fault
 * counters), shared by vmscope top, doctor, leak and export.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "triage.h"

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define MAX_MEMCGS	1024

/* Buffers + Cached + SReclaimable: free(1)'s buff/cache. */
uint64_t tri_buff_cache(const struct tri_sys *s)
{
	return s->buffers + s->cached + s->sreclaimable;
}

/*
 * free(1)'s used, as procps 4 (Debian 12's) computes it: MemTotal -
 * MemAvailable.  It overlaps buff/cache (the part of the cache the
 * kernel would not give back easily is in both).
 */
uint64_t tri_mem_used(const struct tri_sys *s)
{
	return s->mem_total > s->mem_available ?
	       s->mem_total - s->mem_available : 0;
}

/**
 * tri_parse_seconds() - a duration option, or exit 2 saying the range
 * @s: the argument
 * @opt: the option, for the message
 * @min: smallest accepted
 * @max: largest accepted
 *
 * Return: the seconds.
 */
double tri_parse_seconds(const char *s, const char *opt, double min,
			 double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		errx(2, "%s '%s': give seconds from %g to %g", opt, s, min,
		     max);
	return v;
}

static uint64_t meminfo_bytes(const char *key)
{
	long long kb = file_key_ll("/proc/meminfo", key);

	return kb > 0 ? (uint64_t)kb * 1024 : 0;
}

/* A file holding one number, such as a sysctl; -1 if unreadable. */
static long read_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (f && fscanf(f, "%ld", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

static void psi_take(struct tri_psi *p)
{
	FILE *f = fopen("/proc/pressure/memory", "re");
	unsigned long long total;
	double a10, a60, a300;
	char line[256], kind[8];

	memset(p, 0, sizeof(*p));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%7s avg10=%lf avg60=%lf avg300=%lf total=%llu",
			   kind, &a10, &a60, &a300, &total) != 5)
			continue;
		p->valid = true;
		if (!strcmp(kind, "some")) {
			p->some_avg10 = a10;
			p->some_avg60 = a60;
			p->some_total = total;
		} else if (!strcmp(kind, "full")) {
			p->full_avg10 = a10;
			p->full_avg60 = a60;
			p->full_total = total;
		}
	}
	fclose(f);
}

/**
 * tri_sys_take() - sample the system
 * @fd: /dev/vmscope
 * @s: filled in
 *
 * The vmstat counters and zones come from VMSCOPE_IOC_RECLAIM, memory
 * sizes from /proc/meminfo (what free(1) shows), pressure from PSI.
 */
void tri_sys_take(int fd, struct tri_sys *s)
{
	struct vmscope_reclaim r;

	memset(s, 0, sizeof(*s));
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.stats = (uintptr_t)s->stats;
	r.stats_count = VMSCOPE_STAT_NR;
	r.zones = (uintptr_t)s->zones;
	r.zones_count = TRI_MAX_ZONES;
	s->t = now_secs();
	vmscope_ioctl(fd, VMSCOPE_IOC_RECLAIM, &r, "VMSCOPE_IOC_RECLAIM");
	s->nr_zones = r.nr_zones < TRI_MAX_ZONES ? r.nr_zones : TRI_MAX_ZONES;
	s->mem_total = meminfo_bytes("MemTotal");
	s->mem_free = meminfo_bytes("MemFree");
	s->mem_available = meminfo_bytes("MemAvailable");
	s->buffers = meminfo_bytes("Buffers");
	s->cached = meminfo_bytes("Cached");
	s->sreclaimable = meminfo_bytes("SReclaimable");
	s->shmem = meminfo_bytes("Shmem");
	s->swap_total = meminfo_bytes("SwapTotal");
	s->swap_free = meminfo_bytes("SwapFree");
	s->committed_as = meminfo_bytes("Committed_AS");
	s->commit_limit = meminfo_bytes("CommitLimit");
	psi_take(&s->psi);
	s->swappiness = read_long("/proc/sys/vm/swappiness");
	s->overcommit = read_long("/proc/sys/vm/overcommit_memory");
}

/* A counter, 0 where this kernel lacks it. */
uint64_t tri_stat(const struct tri_sys *s, enum vmscope_stat i)
{
	return s->stats[i] == VMSCOPE_STAT_NONE ? 0 : s->stats[i];
}

/* Events per second of counter @i between samples @a and @b. */
double tri_rate(const struct tri_sys *a, const struct tri_sys *b,
		enum vmscope_stat i)
{
	double dt = b->t - a->t;

	if (dt <= 0 || tri_stat(b, i) < tri_stat(a, i))
		return 0;
	return (tri_stat(b, i) - tri_stat(a, i)) / dt;
}

uint64_t tri_allocstall(const struct tri_sys *s)
{
	return tri_stat(s, VMSCOPE_STAT_ALLOCSTALL_DMA) +
	       tri_stat(s, VMSCOPE_STAT_ALLOCSTALL_DMA32) +
	       tri_stat(s, VMSCOPE_STAT_ALLOCSTALL_NORMAL) +
	       tri_stat(s, VMSCOPE_STAT_ALLOCSTALL_MOVABLE);
}

/* The mm and fault counters of one process; false if it has gone. */
static bool proc_take(int fd, struct tri_proc *p)
{
	struct vmscope_layout_vma one;
	struct vmscope_layout lo;
	struct vmscope_faults f;
	char path[32];
	struct stat st;

	memset(&lo, 0, sizeof(lo));
	lo.size = sizeof(lo);
	lo.pid = p->pid;
	lo.rec_size = sizeof(one);
	lo.buf = (uintptr_t)&one;
	lo.buf_count = 1;
	p->t = now_secs();
	if (ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo))
		return false;
	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.pid = p->pid;
	if (ioctl(fd, VMSCOPE_IOC_FAULTS, &f))
		return false;
	p->rss_anon = lo.rss_anon;
	p->rss_file = lo.rss_file;
	p->rss_shmem = lo.rss_shmem;
	p->swap = lo.swap;
	p->total_vm = lo.total_vm;
	p->brk_size = lo.brk - lo.start_brk;
	p->map_count = lo.map_count;
	p->min_flt = f.min_flt;
	p->maj_flt = f.maj_flt;
	snprintf(path, sizeof(path), "/proc/%u", p->pid);
	p->uid = stat(path, &st) ? (uint32_t)-1 : st.st_uid;
	return true;
}

static bool wanted(uint32_t pid, const uint32_t *pids, uint32_t nr_pids)
{
	uint32_t i;

	if (!nr_pids)
		return true;
	for (i = 0; i < nr_pids; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/**
 * tri_snap_take() - sample the system and its processes
 * @fd: /dev/vmscope
 * @s: filled in; free with tri_snap_free()
 * @pids: only these processes (the OOM victim is still the system's), or
 *	all with @nr_pids 0
 * @nr_pids: entries of @pids
 *
 * Kernel threads and processes without memory are left out; a process
 * that exits while it is looked at is too.
 */
void tri_snap_take(int fd, struct tri_snap *s, const uint32_t *pids,
		   uint32_t nr_pids)
{
	struct vmscope_oom_task *t;
	struct vmscope_oom oo;
	uint32_t i, n;

	tri_sys_take(fd, &s->sys);
	t = vmscope_oom_tasks(fd, &oo, &n);
	s->totalpages = oo.totalpages;
	s->procs = calloc(n ? n : 1, sizeof(*s->procs));
	if (!s->procs)
		err(1, "cannot allocate %u records", n);
	s->nr_procs = 0;
	for (i = 0; i < n; i++) {
		struct tri_proc *p = &s->procs[s->nr_procs];

		if (t[i].flags & (VMSCOPE_OOM_KTHREAD | VMSCOPE_OOM_NO_MM))
			continue;
		if (!wanted(t[i].pid, pids, nr_pids))
			continue;
		memset(p, 0, sizeof(*p));
		p->pid = t[i].pid;
		memcpy(p->comm, t[i].comm, sizeof(p->comm));
		p->comm[sizeof(p->comm) - 1] = '\0';
		p->oom_score = t[i].oom_score;
		p->oom_score_adj = t[i].oom_score_adj;
		p->points = t[i].points;
		p->killable = !(t[i].flags & VMSCOPE_OOM_UNKILLABLE);
		if (proc_take(fd, p))
			s->nr_procs++;
	}
	s->victim = vmscope_oom_victim(t, n);
	free(t);
}

void tri_snap_free(struct tri_snap *s)
{
	free(s->procs);
	s->procs = NULL;
	s->nr_procs = 0;
}

const struct tri_proc *tri_find(const struct tri_snap *s, uint32_t pid)
{
	uint32_t i;

	for (i = 0; i < s->nr_procs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

/* A cgroup file holding one number or "max"; TRI_NO_LIMIT for "max". */
static uint64_t cg_value(const char *dir, const char *file)
{
	char path[640], buf[64] = "";
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || !strncmp(buf, "max", 3))
		return TRI_NO_LIMIT;
	return strtoull(buf, NULL, 10);
}

/*
 * An event of the cgroup's own limits: memory.events.local (5.2+), as
 * memory.events counts its descendants' too (an OOM at a child's limit
 * would be the parent's); memory.events where there is no local file.
 */
static uint64_t cg_event(const char *dir, const char *key)
{
	char path[640];
	long long v;

	if (snprintf(path, sizeof(path), "%s/memory.events.local", dir) >=
	    (int)sizeof(path))
		return 0;
	if (access(path, R_OK))
		snprintf(path, sizeof(path), "%s/memory.events", dir);
	v = file_key_ll(path, key);
	return v > 0 ? v : 0;
}

/* A "key N" line of a cgroup's memory.stat; 0 if absent. */
static uint64_t cg_stat(const char *dir, const char *key)
{
	char path[640];
	long long v;

	if (snprintf(path, sizeof(path), "%s/memory.stat", dir) >=
	    (int)sizeof(path))
		return 0;
	v = file_key_ll(path, key);
	return v > 0 ? v : 0;
}

/* The some and full totals of a cgroup's memory.pressure. */
static void cg_pressure(const char *dir, struct tri_memcg *c)
{
	char path[640], line[256], kind[8];
	unsigned long long total;
	double a, b, d;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/memory.pressure", dir) >=
	    (int)sizeof(path))
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%7s avg10=%lf avg60=%lf avg300=%lf total=%llu",
			   kind, &a, &b, &d, &total) != 5)
			continue;
		if (!strcmp(kind, "some"))
			c->psi_some_total = total;
		else if (!strcmp(kind, "full"))
			c->psi_full_total = total;
	}
	fclose(f);
}

static void memcg_walk(const char *dir, int depth, struct tri_memcg *cg,
		       int *n)
{
	char sub[512];
	struct dirent *d;
	DIR *dp;

	if (depth > 8 || *n >= MAX_MEMCGS)
		return;
	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp)) && *n < MAX_MEMCGS) {
		struct tri_memcg *c = &cg[*n];

		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name) >=
		    (int)sizeof(sub) ||
		    snprintf(c->path, sizeof(c->path), "%s",
			     sub + strlen(CGROUP_ROOT)) >= (int)sizeof(c->path))
			continue;	/* deeper than anyone names a cgroup */
		c->current = cg_value(sub, "memory.current");
		c->max = cg_value(sub, "memory.max");
		if (c->max) {	/* 0: no memory controller here */
			c->high = cg_value(sub, "memory.high");
			c->swap_current = cg_value(sub, "memory.swap.current");
			c->swap_max = cg_value(sub, "memory.swap.max");
			c->ev_max = cg_event(sub, "max");
			c->ev_oom = cg_event(sub, "oom");
			c->ev_oom_kill = cg_event(sub, "oom_kill");
			c->file_lru = cg_stat(sub, "active_file") +
				      cg_stat(sub, "inactive_file");
			cg_pressure(sub, c);
			(*n)++;
		}
		memcg_walk(sub, depth + 1, cg, n);
	}
	closedir(dp);
}

/**
 * tri_memcgs() - the memory cgroups (v2) below /sys/fs/cgroup
 * @out: an array the caller frees
 *
 * Return: how many.
 */
int tri_memcgs(struct tri_memcg **out)
{
	int n = 0;

	*out = calloc(MAX_MEMCGS, sizeof(**out));
	if (!*out)
		err(1, "cannot allocate memory cgroup records");
	memcg_walk(CGROUP_ROOT, 0, *out, &n);
	return n;
}

const struct tri_memcg *tri_memcg_find(const struct tri_memcg *cg, int n,
				       const char *path)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(cg[i].path, path))
			return &cg[i];
	return NULL;
}

/* The cgroup v2 path of @pid ("0::/path"); -1 if unknown. */
int tri_pid_cgroup(uint32_t pid, char *buf, size_t len)
{
	char path[32], line[512];
	FILE *f;
	int ret = -1;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, len, "%s", line + 3);
		ret = 0;
	}
	fclose(f);
	return ret;
}

/* The user name of @uid, or the number. */
const char *tri_user(uint32_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%u", uid);
	return buf;
}

/*
 * Write errors on stdout end the program with status 1: a closed stdout
 * here, with a message; a full one at exit, by close_stdout() (common.c,
 * registered by main()); a reader gone (SIGPIPE ignored, so that top can
 * stop) where the write fails, quietly.
 */
void tri_close_stdout(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (fcntl(STDOUT_FILENO, F_GETFD) < 0)
		errx(1, "standard output is closed; give the output "
		     "somewhere to go (a file, a pipe or /dev/null)");
}
