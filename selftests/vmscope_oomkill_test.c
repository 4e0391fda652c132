// SPDX-License-Identifier: GPL-2.0
/*
 * VMSCOPE_IOC_OOM before a memory cgroup runs out of memory, and what the
 * kernel then does.  Two processes share a cgroup v2 with memory.max at
 * 32 MiB: a hog that grows, step by step, to just below the limit, and a
 * small one.  vmscope ranks the hog first of the cgroup's processes; then
 * the hog asks for more than the limit.  Without swap (memory.swap.max 0)
 * the kernel's memory cgroup OOM killer kills the hog and only the hog:
 * one oom_kill in /proc/vmstat and in the cgroup's memory.events.  With
 * swap it survives, its pages go to swap (pswpout), and nothing is killed.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define MEMORY_MAX_MB	32
/* the hog before its last step, and the small one: 28 MiB together */
#define HOG_BELOW_MB	24
#define HOG_STEP_MB	4
#define SMALL_MB	4
#define MAX_TASKS	4096
/*
 * Slack for the badness' page counts against exact ones: oom_badness(),
 * and so vmscope, reads the mm's counters without summing their per-CPU
 * parts (on 6.1, without the threads' caches), each off by less than 64
 * pages here; /proc/PID/status sums them (since 6.2).
 */
#define COUNTER_SLACK	256

/* 4 KiB pages in @mb MiB */
#define MB_PAGES(mb)	((uint64_t)(mb) << (20 - 12))

/*
 * A process that grows when told: each command on its pipe is a size in
 * MiB, up to which it writes its anonymous memory; it answers with the
 * MiB it has.  Command 0 makes it exit.
 */
struct grower {
	pid_t pid;
	int cmd;	/* commands to it */
	int ack;	/* its answers */
};

static void grower_main(const char *name, unsigned int max_mb, int cmd,
			int ack)
{
	char *mem = mmap(NULL, (size_t)max_mb << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned int mb, done = 0;

	prctl(PR_SET_NAME, name);
	if (mem == MAP_FAILED)
		_exit(1);
	while (read(cmd, &mb, sizeof(mb)) == sizeof(mb)) {
		if (!mb)
			_exit(0);
		/* not zeroes: 6.12 does not write zero-filled pages to swap */
		for (; done < mb && done < max_mb; done++)
			memset(mem + ((size_t)done << 20), 1 + done % 255,
			       1 << 20);
		if (write(ack, &done, sizeof(done)) != sizeof(done))
			_exit(2);
	}
	_exit(3);
}

/* Write @val to @file of the cgroup @cg; 0 or -errno. */
static int cg_write(const char *cg, const char *file, const char *val)
{
	char path[PATH_MAX];
	ssize_t len = strlen(val), n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n != len)
		n = n < 0 ? -errno : -EIO;
	close(fd);
	return n < 0 ? n : 0;
}

/* Read @file of the cgroup @cg into @buf, NUL terminated; 0 or -errno. */
static int cg_read(const char *cg, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* The "KEY VALUE" line @key of the cgroup's @file, e.g. memory.events. */
static long long cg_key(const char *cg, const char *file, const char *key)
{
	char buf[4096], *line, *next;
	size_t klen = strlen(key);

	if (cg_read(cg, file, buf, sizeof(buf)))
		return -1;
	for (line = buf; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return strtoll(line + klen + 1, NULL, 10);
	}
	return -1;
}

/* Whether @word is one of the space-separated words of @list. */
static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p;

	for (p = strstr(list, word); p; p = strstr(p + 1, word))
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return true;
	return false;
}

/*
 * Start a grower named @name in the cgroup @cg, before it has written any
 * of its memory, so that all of it is charged there; 0 or -errno.
 */
static int grower_start(struct grower *g, const char *cg, const char *name,
			unsigned int max_mb)
{
	int cmd[2], ack[2], ret;
	char pid[16];

	if (pipe2(cmd, O_CLOEXEC))
		return -errno;
	if (pipe2(ack, O_CLOEXEC)) {
		ret = -errno;
		goto close_cmd;
	}
	g->pid = fork();
	if (g->pid < 0) {
		ret = -errno;
		goto close_ack;
	}
	if (!g->pid) {
		close(cmd[1]);
		close(ack[0]);
		grower_main(name, max_mb, cmd[0], ack[1]);
	}
	close(cmd[0]);
	close(ack[1]);
	g->cmd = cmd[1];
	g->ack = ack[0];
	snprintf(pid, sizeof(pid), "%d", g->pid);
	return cg_write(cg, "cgroup.procs", pid);

close_ack:
	close(ack[0]);
	close(ack[1]);
close_cmd:
	close(cmd[0]);
	close(cmd[1]);
	return ret;
}

/* Grow @g to @mb MiB: the MiB it has, or -1 if it died. */
static int grower_grow(struct grower *g, unsigned int mb)
{
	unsigned int done;

	if (write(g->cmd, &mb, sizeof(mb)) != sizeof(mb) ||
	    read(g->ack, &done, sizeof(done)) != sizeof(done))
		return -1;
	return done;
}

/* Kill @g if it runs and reap it; close its pipes. */
static void grower_stop(struct grower *g)
{
	if (g->pid > 0) {
		kill(g->pid, SIGKILL);
		waitpid(g->pid, NULL, 0);
	}
	if (g->cmd >= 0)
		close(g->cmd);
	if (g->ack >= 0)
		close(g->ack);
	g->pid = -1;
	g->cmd = -1;
	g->ack = -1;
}

/* The entry of @pid in the ranking @oo, or NULL. */
static const struct vmscope_oom_task *
oom_find(const struct vmscope_oom *oo, const struct vmscope_oom_task *t,
	 pid_t pid)
{
	__u32 i;

	for (i = 0; i < oo->nr_tasks && i < oo->buf_count; i++)
		if (t[i].pid == (__u32)pid)
			return &t[i];
	return NULL;
}

/*
 * How far @pages is from the count @key (in kB) of /proc/@pid/status, in
 * pages; LLONG_MAX if it cannot be read.
 */
static long long status_off(pid_t pid, const char *key, __u64 pages)
{
	char path[64], val[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_key(path, key, val, sizeof(val)))
		return LLONG_MAX;
	return llabs(strtoll(val, NULL, 10) * 1024 / getpagesize() -
		     (long long)pages);
}

FIXTURE(oomkill)
{
	int fd;
	char cg[PATH_MAX];	/* the test's cgroup */
	struct grower hog, small;
	struct vmscope_oom oo;
	struct vmscope_oom_task *t;
};

FIXTURE_VARIANT(oomkill)
{
	const char *swap_max;	/* memory.swap.max */
	unsigned int hog_mb;	/* what the hog asks for at last */
	bool killed;		/* whether it is OOM-killed for it */
};

/* 128 MiB, four times the limit, and no swap: the hog is killed */
FIXTURE_VARIANT_ADD(oomkill, no_swap)
{
	.swap_max = "0",
	.hog_mb = 128,
	.killed = true,
};

/* 48 MiB, and swap: 16 MiB at least go to swap, and no one is killed */
FIXTURE_VARIANT_ADD(oomkill, swap)
{
	.swap_max = "max",
	.hog_mb = 48,
	.killed = false,
};

/*
 * The setup makes the cgroup last, so that once it exists the teardown
 * runs (it does only after a complete setup) and removes it.
 */
FIXTURE_SETUP(oomkill)
{
	char val[256];
	int ret;

	self->hog = (struct grower){ .pid = -1, .cmd = -1, .ack = -1 };
	self->small = self->hog;
	self->t = NULL;
	self->fd = vmscope_open_dev();
	if (self->fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, self->fd);
	self->t = calloc(MAX_TASKS, sizeof(*self->t));
	ASSERT_NE(NULL, self->t);

	if (cg_read(CGROUP_ROOT, "cgroup.controllers", val, sizeof(val)))
		SKIP(return, "no cgroup v2 at " CGROUP_ROOT);
	if (!has_word(val, "memory"))
		SKIP(return, "the cgroup v2 memory controller is not available");
	ret = cg_write(CGROUP_ROOT, "cgroup.subtree_control", "+memory");
	if (ret)
		SKIP(return, "cannot enable the memory controller in "
		     CGROUP_ROOT "/cgroup.subtree_control: %s", strerror(-ret));
	snprintf(self->cg, sizeof(self->cg), CGROUP_ROOT "/vmscope_oomkill.%d",
		 getpid());
	ASSERT_EQ(0, mkdir(self->cg, 0755)) {
		TH_LOG("mkdir %s: %s", self->cg, strerror(errno));
	}
}

FIXTURE_TEARDOWN(oomkill)
{
	int i;

	grower_stop(&self->hog);
	grower_stop(&self->small);
	/* the last exit may take a moment to leave the cgroup unpopulated */
	for (i = 0; rmdir(self->cg) && errno == EBUSY && i < 100; i++)
		usleep(10000);
	if (access(self->cg, F_OK) == 0)
		TH_LOG("cannot remove %s", self->cg);
	free(self->t);
	if (self->fd >= 0)
		close(self->fd);
}

/* vmscope's ranking of every process, into @oo and @t; 0 or -errno. */
static int oom_rank(int fd, struct vmscope_oom *oo, struct vmscope_oom_task *t)
{
	memset(oo, 0, sizeof(*oo));
	oo->size = sizeof(*oo);
	oo->swap_total = swap_total_pages();
	oo->buf = (uintptr_t)t;
	oo->buf_count = MAX_TASKS;
	return vmscope_ioctl(fd, VMSCOPE_IOC_OOM, oo);
}

/*
 * vmscope's ranking @oo, @t of the processes of the cgroup @cg, read from
 * its cgroup.procs: they are the hog and the small one, and the hog ranks
 * first, as the memory cgroup's OOM killer is to choose among them.
 */
static void check_ranking(struct __test_metadata *_metadata, const char *cg,
			  const struct vmscope_oom *oo,
			  const struct vmscope_oom_task *t, pid_t hog_pid,
			  pid_t small_pid)
{
	const struct vmscope_oom_task *hog, *small, *best = NULL, *o;
	char procs[256], *p, *end;
	unsigned int n = 0;

	ASSERT_GE(MAX_TASKS, oo->nr_tasks);
	ASSERT_EQ(0, cg_read(cg, "cgroup.procs", procs, sizeof(procs)));
	for (p = procs; *p; p = end) {
		pid_t pid = strtol(p, &end, 10);

		if (end == p)
			break;
		n++;
		EXPECT_TRUE(pid == hog_pid || pid == small_pid) {
			TH_LOG("pid %d in %s is not the test's", pid, cg);
		}
		o = oom_find(oo, t, pid);
		ASSERT_NE(NULL, o);
		if (!best || o->points > best->points)
			best = o;
	}
	ASSERT_EQ(2, n);

	hog = oom_find(oo, t, hog_pid);
	small = oom_find(oo, t, small_pid);
	ASSERT_NE(NULL, hog);
	ASSERT_NE(NULL, small);
	TH_LOG("hog: rss %llu swap %llu pgtables %llu points %lld; small: rss %llu points %lld",
	       (unsigned long long)hog->rss, (unsigned long long)hog->swap,
	       (unsigned long long)hog->pgtables, (long long)hog->points,
	       (unsigned long long)small->rss, (long long)small->points);
	EXPECT_EQ(0U, hog->flags);
	EXPECT_EQ(0U, small->flags);
	EXPECT_EQ(0, hog->oom_score_adj);
	EXPECT_LE(MB_PAGES(HOG_BELOW_MB) - COUNTER_SLACK, hog->rss + hog->swap);
	EXPECT_LE(MB_PAGES(SMALL_MB) - COUNTER_SLACK, small->rss + small->swap);
	/* with oom_score_adj 0, the badness is the pages it holds */
	EXPECT_EQ(hog->rss + hog->swap + hog->pgtables, (__u64)hog->points);
	EXPECT_LT(small->points, hog->points);
	EXPECT_EQ(best, hog);
}

TEST_F(oomkill, hog_over_memory_max)
{
	const struct vmscope_oom_task *hog;
	unsigned long long kills, pswpout;
	unsigned int mb;
	int status, ret;
	char max[16];

	snprintf(max, sizeof(max), "%uM", MEMORY_MAX_MB);
	ASSERT_EQ(0, cg_write(self->cg, "memory.max", max));
	ret = cg_write(self->cg, "memory.swap.max", variant->swap_max);
	if (ret == -ENOENT)
		SKIP(return, "no memory.swap.max: swap is not accounted to cgroups");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, grower_start(&self->hog, self->cg, "vmscope-hog",
				  variant->hog_mb));
	ASSERT_EQ(0, grower_start(&self->small, self->cg, "vmscope-small",
				  SMALL_MB));
	for (mb = HOG_STEP_MB; mb <= HOG_BELOW_MB; mb += HOG_STEP_MB)
		ASSERT_EQ(mb, grower_grow(&self->hog, mb));
	ASSERT_EQ(SMALL_MB, grower_grow(&self->small, SMALL_MB));
	ASSERT_EQ(0, cg_key(self->cg, "memory.events", "oom_kill"));

	ASSERT_EQ(0, oom_rank(self->fd, &self->oo, self->t));
	check_ranking(_metadata, self->cg, &self->oo, self->t, self->hog.pid,
		      self->small.pid);

	kills = read_vmstat("oom_kill");
	pswpout = read_vmstat("pswpout");
	if (variant->killed) {
		/* killed while writing: no answer */
		ASSERT_EQ(-1, grower_grow(&self->hog, variant->hog_mb));
		ASSERT_EQ(self->hog.pid, waitpid(self->hog.pid, &status, 0));
		self->hog.pid = -1;
		ASSERT_TRUE(WIFSIGNALED(status)) {
			TH_LOG("the hog exited with %d", WEXITSTATUS(status));
		}
		EXPECT_EQ(SIGKILL, WTERMSIG(status));
		EXPECT_EQ(kills + 1, read_vmstat("oom_kill"));
		EXPECT_EQ(1, cg_key(self->cg, "memory.events", "oom_kill"));
		EXPECT_LE(1, cg_key(self->cg, "memory.events", "oom"));
	} else {
		ASSERT_EQ(variant->hog_mb,
			  grower_grow(&self->hog, variant->hog_mb));
		EXPECT_EQ(kills, read_vmstat("oom_kill"));
		EXPECT_EQ(0, cg_key(self->cg, "memory.events", "oom_kill"));
		/* what the limit leaves out of memory went to swap */
		EXPECT_LE(pswpout + MB_PAGES(variant->hog_mb - MEMORY_MAX_MB),
			  read_vmstat("pswpout"));
		ASSERT_EQ(0, oom_rank(self->fd, &self->oo, self->t));
		hog = oom_find(&self->oo, self->t, self->hog.pid);
		ASSERT_NE(NULL, hog);
		EXPECT_GE(COUNTER_SLACK,
			  status_off(self->hog.pid, "VmSwap", hog->swap));
		EXPECT_GE(COUNTER_SLACK,
			  status_off(self->hog.pid, "VmRSS", hog->rss));
		EXPECT_LE(MB_PAGES(variant->hog_mb - MEMORY_MAX_MB) -
			  COUNTER_SLACK, hog->swap);
		EXPECT_LE(MB_PAGES(variant->hog_mb) - COUNTER_SLACK,
			  hog->rss + hog->swap);
		/* told 0, it exits without an answer */
		EXPECT_EQ(-1, grower_grow(&self->hog, 0));
		ASSERT_EQ(self->hog.pid, waitpid(self->hog.pid, &status, 0));
		self->hog.pid = -1;
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}
	/* the small one lives, and answers */
	EXPECT_EQ(SMALL_MB, grower_grow(&self->small, SMALL_MB));
	TH_LOG("memory.events: oom %lld, oom_kill %lld, max %lld; pswpout +%llu",
	       cg_key(self->cg, "memory.events", "oom"),
	       cg_key(self->cg, "memory.events", "oom_kill"),
	       cg_key(self->cg, "memory.events", "max"),
	       read_vmstat("pswpout") - pswpout);
}

TEST_HARNESS_MAIN
