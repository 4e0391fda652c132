// SPDX-License-Identifier: GPL-2.0
/*
 * The memory-pressure experiments (vmscope exp run overcommit, oom,
 * reclaim, thrashing): each must reach "confirmed" here, its measurements
 * must show the phenomenon, and they must agree with the kernel's own
 * counters read around the run (/proc/meminfo, /proc/vmstat).  Each run
 * must leave the system as it found it: no cgroup, no workload process,
 * the sysctls it changed and the swap devices as before, also when the
 * run is interrupted with SIGINT.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "vmscope.h"
#include "vmscope_exp.h"

#define MiB		(1024.0 * 1024.0)
#define PAGE		4096.0
#define CGROUP_ROOT	"/sys/fs/cgroup"

static char out[EXP_OUT_MAX];

/* What a run may change and must put back. */
struct sys_state {
	char overcommit_memory[32];
	char overcommit_ratio[32];
	char overcommit_kbytes[32];
	char nr_hugepages[32];
	char dirty[4][32];	/* dirty_ratio, _bytes, background ones */
	char swaps[1024];	/* device and size of each swap area */
};

static void read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* /proc/swaps without its "Used" column, which pages coming back change. */
static void read_swaps(char *buf, size_t len)
{
	char line[256], name[128], type[32];
	unsigned long long size;
	size_t n = 0;
	FILE *f = fopen("/proc/swaps", "re");

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && n < len - 1)
		if (sscanf(line, "%127s %31s %llu", name, type, &size) == 3)
			n += snprintf(buf + n, len - n, "%s %s %llu\n", name,
				      type, size);
	fclose(f);
}

static void sys_state_read(struct sys_state *s)
{
	read_text("/proc/sys/vm/overcommit_memory", s->overcommit_memory,
		  sizeof(s->overcommit_memory));
	read_text("/proc/sys/vm/overcommit_ratio", s->overcommit_ratio,
		  sizeof(s->overcommit_ratio));
	read_text("/proc/sys/vm/overcommit_kbytes", s->overcommit_kbytes,
		  sizeof(s->overcommit_kbytes));
	read_text("/proc/sys/vm/nr_hugepages", s->nr_hugepages,
		  sizeof(s->nr_hugepages));
	read_text("/proc/sys/vm/dirty_ratio", s->dirty[0], sizeof(s->dirty[0]));
	read_text("/proc/sys/vm/dirty_bytes", s->dirty[1], sizeof(s->dirty[1]));
	read_text("/proc/sys/vm/dirty_background_ratio", s->dirty[2],
		  sizeof(s->dirty[2]));
	read_text("/proc/sys/vm/dirty_background_bytes", s->dirty[3],
		  sizeof(s->dirty[3]));
	read_swaps(s->swaps, sizeof(s->swaps));
}

/* cgroups the experiments made that are still there */
static int leftover_cgroups(void)
{
	DIR *d = opendir(CGROUP_ROOT);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "vmscope-exp.", 12);
	closedir(d);
	return n;
}

/* processes the experiments started (named exp-*) still alive */
static int leftover_workers(void)
{
	DIR *d = opendir("/proc");
	char path[300], comm[32];
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		read_text(path, comm, sizeof(comm));
		n += !strncmp(comm, "exp-", 4);
	}
	closedir(d);
	return n;
}

/* Whether any vmscope-exp.* cgroup has a process in it. */
static bool cgroup_in_use(void)
{
	DIR *d = opendir(CGROUP_ROOT);
	char path[512], procs[64];
	struct dirent *e;
	bool used = false;

	if (!d)
		return false;
	while (!used && (e = readdir(d))) {
		if (strncmp(e->d_name, "vmscope-exp.", 12))
			continue;
		snprintf(path, sizeof(path), CGROUP_ROOT "/%s/cgroup.procs",
			 e->d_name);
		read_text(path, procs, sizeof(procs));
		used = procs[0] != '\0';
	}
	closedir(d);
	return used;
}

static long long meminfo_kb(const char *key)
{
	char val[64];

	if (read_key("/proc/meminfo", key, val, sizeof(val)))
		return -1;
	return strtoll(val, NULL, 10);
}

/* Start "vmscope exp run NAME ARG" with its output to /dev/null. */
static pid_t exp_spawn(const char *name, const char *arg)
{
	pid_t pid = fork();

	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execlp(exp_cli(), exp_cli(), "exp", "run", name, arg,
		       (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	nanosleep(&ts, NULL);
}

FIXTURE(pressure)
{
	char verdict[32];
	struct sys_state before;
};

FIXTURE_SETUP(pressure)
{
	if (access(VMSCOPE_DEVICE, F_OK))
		SKIP(return, "vmscope module not loaded");
	if (geteuid())
		SKIP(return, "needs root: the experiments change sysctls and cgroups");
	sys_state_read(&self->before);
	ASSERT_EQ(0, leftover_cgroups());
}

FIXTURE_TEARDOWN(pressure)
{
}

/* Nothing of the run is left: cgroups, workers, sysctls, swap areas. */
#define EXPECT_LEFT_AS_FOUND() do {					\
	struct sys_state now;						\
									\
	sys_state_read(&now);						\
	EXPECT_EQ(0, leftover_cgroups());				\
	EXPECT_EQ(0, leftover_workers());				\
	EXPECT_STREQ(self->before.overcommit_memory,			\
		     now.overcommit_memory);				\
	EXPECT_STREQ(self->before.overcommit_ratio,			\
		     now.overcommit_ratio);				\
	EXPECT_STREQ(self->before.overcommit_kbytes,			\
		     now.overcommit_kbytes);				\
	EXPECT_STREQ(self->before.nr_hugepages, now.nr_hugepages);	\
	EXPECT_STREQ(self->before.dirty[0], now.dirty[0]);		\
	EXPECT_STREQ(self->before.dirty[1], now.dirty[1]);		\
	EXPECT_STREQ(self->before.dirty[2], now.dirty[2]);		\
	EXPECT_STREQ(self->before.dirty[3], now.dirty[3]);		\
	EXPECT_STREQ(self->before.swaps, now.swaps);			\
} while (0)

TEST_F(pressure, overcommit)
{
	long long commit_limit = meminfo_kb("CommitLimit");
	int ok = 1;

	ASSERT_EQ(0, exp_run("overcommit", NULL, out, sizeof(out))) {
		TH_LOG("%s", out);
	}
	EXPECT_STREQ("confirmed", exp_verdict(out, self->verdict, 32));
	/* the heuristic refuses only more than RAM + swap at once */
	EXPECT_EQ(1, exp_value(out, "mode0_beyond_granted", &ok));
	EXPECT_EQ(0, exp_value(out, "mode0_absurd_granted", &ok));
	EXPECT_EQ(1, exp_value(out, "mode1_absurd_granted", &ok));
	EXPECT_EQ(1, exp_value(out, "mode2_fits_granted", &ok));
	EXPECT_EQ(0, exp_value(out, "mode2_beyond_granted", &ok));
	/* the sizes are where they must be, by /proc/meminfo read here */
	EXPECT_EQ(commit_limit * 1024, exp_value(out, "commit_limit", &ok));
	EXPECT_LT(commit_limit * 1024, exp_value(out, "size_beyond", &ok));
	EXPECT_GT((meminfo_kb("MemTotal") + meminfo_kb("SwapTotal")) * 1024,
		  exp_value(out, "size_beyond", &ok));
	/* reserved: counted in Committed_AS, not resident */
	EXPECT_LE(0.9, exp_value(out, "commit_rise_min", &ok));
	EXPECT_GT(MiB, exp_value(out, "rss_rise_max", &ok));
	EXPECT_LE(exp_value(out, "size_absurd", &ok),
		  exp_value(out, "vm_rise_absurd", &ok));
	EXPECT_LE(0.9 * 32 * MiB, exp_value(out, "touch_rss_rise", &ok));
	EXPECT_EQ(1, ok);
	EXPECT_LEFT_AS_FOUND();
}

TEST_F(pressure, oom)
{
	unsigned long long kills = read_vmstat("oom_kill");
	int ok = 1;

	if (!swap_total_pages())
		SKIP(return, "no swap");
	ASSERT_EQ(0, exp_run("oom", NULL, out, sizeof(out))) {
		TH_LOG("%s", out);
	}
	EXPECT_STREQ("confirmed", exp_verdict(out, self->verdict, 32));
	EXPECT_GT(exp_value(out, "hog_points", &ok),
		  exp_value(out, "small_points", &ok));
	EXPECT_EQ(1, exp_value(out, "hog_killed", &ok));
	EXPECT_EQ(1, exp_value(out, "small_alive", &ok));
	EXPECT_EQ(1, exp_value(out, "oom_kill_delta", &ok));
	EXPECT_EQ(1, exp_value(out, "cg_oom_kill", &ok));
	EXPECT_EQ(1, exp_value(out, "memcg_oom_kill", &ok));
	EXPECT_EQ(1, exp_value(out, "swap_survived", &ok));
	EXPECT_EQ(0, exp_value(out, "swap_oom_kill_delta", &ok));
	/* 32 MiB beyond memory.max went to swap */
	EXPECT_LE(0.9 * 32 * MiB / PAGE, exp_value(out, "swap_pswpout", &ok));
	EXPECT_LE(0.9 * 32 * MiB, exp_value(out, "swap_memcg_swap", &ok));
	EXPECT_EQ(1, ok);
	/* the kernel's own count: one OOM kill in the whole run */
	EXPECT_EQ(kills + 1, read_vmstat("oom_kill"));
	EXPECT_LEFT_AS_FOUND();
}

TEST_F(pressure, reclaim)
{
	unsigned long long pgpgin = read_vmstat("pgpgin");
	unsigned long long pswpout = read_vmstat("pswpout");
	double file = 32 * MiB, over = 16 * MiB / PAGE, kswapd;
	int ok = 1, global = 1;

	if (!getenv("VMSCOPE_DISK"))
		SKIP(return, "no disk file system (VMSCOPE_DISK is not set)");
	if (!swap_total_pages())
		SKIP(return, "no swap");
	ASSERT_EQ(0, exp_run("reclaim", NULL, out, sizeof(out))) {
		TH_LOG("%s", out);
	}
	EXPECT_STREQ("confirmed", exp_verdict(out, self->verdict, 32));
	/* anonymous: to swap */
	EXPECT_LE(0.9 * over, exp_value(out, "anon_pswpout", &ok));
	/* dirty: written, then reclaimed, never more than written */
	EXPECT_LE(0.9 * over * 4, exp_value(out, "dirty_pgpgout", &ok));
	EXPECT_LT(0, exp_value(out, "dirty_pgsteal_file", &ok));
	EXPECT_GE(exp_value(out, "dirty_pgpgout", &ok) / 4 + 64,
		  exp_value(out, "dirty_pgsteal_file", &ok));
	/* clean: read from the disk, dropped without writing */
	EXPECT_LE(file / 1024, exp_value(out, "clean_pgpgin", &ok));
	EXPECT_LE(0.9 * over, exp_value(out, "clean_pgsteal_file", &ok));
	EXPECT_GE(file / 1024 / 100, exp_value(out, "clean_pgpgout", &ok));
	/*
	 * limit reclaim: the cgroups' direct scans, not vmstat's; since 7.1
	 * ("mm: move pgscan, pgsteal, pgrefill to node stats") vmstat's too
	 */
	EXPECT_LT(0, exp_value(out, "limit_cg_pgscan_direct", &ok));
	if (kernel_at_least(7, 1)) {
		EXPECT_LE(0.9 * exp_value(out, "limit_cg_pgscan_direct", &ok),
			  exp_value(out, "limit_pgscan_kswapd_direct", &ok));
	} else {
		EXPECT_GT(exp_value(out, "limit_cg_pgscan_direct", &ok),
			  exp_value(out, "limit_pgscan_kswapd_direct", &ok));
	}
	EXPECT_EQ(1, ok);
	/* global pressure, where little is free (the 1 GiB VM): kswapd woke */
	kswapd = exp_value(out, "global_pgscan_kswapd", &global);
	if (global) {
		EXPECT_LT(0, kswapd);
	} else {
		TH_LOG("no global pressure: too much memory free");
	}
	/* the kernel's own counters moved at least as much */
	EXPECT_LE(pgpgin + exp_value(out, "clean_pgpgin", &ok),
		  read_vmstat("pgpgin"));
	EXPECT_LE(pswpout + exp_value(out, "anon_pswpout", &ok),
		  read_vmstat("pswpout"));
	EXPECT_LEFT_AS_FOUND();
}

TEST_F(pressure, reclaim_needs_a_disk)
{
	/* the VM's /tmp is tmpfs: its pages are shmem, the run must skip */
	ASSERT_EQ(4, exp_run("reclaim", "dir=/tmp", out, sizeof(out))) {
		TH_LOG("%s", out);
	}
	EXPECT_STREQ("skipped", exp_verdict(out, self->verdict, 32));
	EXPECT_EQ(4, exp_run("reclaim", "dir=/nonexistent", out, sizeof(out)));
	EXPECT_STREQ("skipped", exp_verdict(out, self->verdict, 32));
	EXPECT_LEFT_AS_FOUND();
}

TEST_F(pressure, thrashing)
{
	unsigned long long majflt = read_vmstat("pgmajfault"), above;
	int ok = 1;

	if (!swap_total_pages())
		SKIP(return, "no swap");
	ASSERT_EQ(0, exp_run("thrashing", NULL, out, sizeof(out))) {
		TH_LOG("%s", out);
	}
	EXPECT_STREQ("confirmed", exp_verdict(out, self->verdict, 32));
	/* below: nothing to fault back; above: at least the 4 MiB beyond */
	EXPECT_GE(0.01 * 12 * MiB / PAGE,
		  exp_value(out, "below_majflt_per_pass", &ok));
	EXPECT_LE(0.5 * 4 * MiB / PAGE,
		  exp_value(out, "above_majflt_per_pass", &ok));
	EXPECT_LE(10, exp_value(out, "majflt_ratio", &ok));
	EXPECT_LT(0, exp_value(out, "above_pswpin", &ok));
	EXPECT_EQ(1, ok);
	/* the system's pgmajfault counted them: 3 passes (their mean) */
	above = 3 * exp_value(out, "above_majflt_per_pass", &ok) + 0.5;
	EXPECT_LE(majflt + above, read_vmstat("pgmajfault"));
	EXPECT_LEFT_AS_FOUND();
}

/* SIGINT in the middle of a thrashing run: its cgroup is in use. */
TEST_F(pressure, interrupted_thrashing)
{
	int status, i;
	pid_t pid;

	if (!swap_total_pages())
		SKIP(return, "no swap");
	pid = exp_spawn("thrashing", "passes=20");
	ASSERT_LT(0, pid);
	for (i = 0; i < 3000 && !cgroup_in_use(); i++)
		sleep_ms(10);
	ASSERT_TRUE(cgroup_in_use()) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	sleep_ms(300);
	kill(pid, SIGINT);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* it died of the signal, after its cleanup */
	EXPECT_TRUE(WIFSIGNALED(status));
	if (WIFSIGNALED(status)) {
		EXPECT_EQ(SIGINT, WTERMSIG(status));
	}
	EXPECT_LEFT_AS_FOUND();
}

/*
 * SIGINT while overcommit_memory is changed: it must be restored.  The
 * run takes a fraction of a second, so the signal may come too late
 * (after it restored the sysctl itself): try until one run dies of it.
 */
TEST_F(pressure, interrupted_overcommit)
{
	bool interrupted = false, changed;
	int status = 0, tries;
	char now[32];
	time_t end;
	pid_t pid;

	for (tries = 0; tries < 20 && !interrupted; tries++) {
		pid = exp_spawn("overcommit", NULL);
		ASSERT_LT(0, pid);
		changed = false;
		end = time(NULL) + 60;
		while (!changed && time(NULL) < end) {
			read_text("/proc/sys/vm/overcommit_memory", now,
				  sizeof(now));
			changed = strcmp(now, self->before.overcommit_memory);
			if (waitpid(pid, &status, WNOHANG) == pid)
				break;
		}
		if (changed) {
			kill(pid, SIGINT);
			ASSERT_EQ(pid, waitpid(pid, &status, 0));
		} else if (!WIFEXITED(status) && !WIFSIGNALED(status)) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		interrupted = changed && WIFSIGNALED(status) &&
			      WTERMSIG(status) == SIGINT;
		EXPECT_LEFT_AS_FOUND();
	}
	if (!interrupted)
		SKIP(return, "no run was interrupted while it had overcommit_memory changed");
}

TEST_HARNESS_MAIN
