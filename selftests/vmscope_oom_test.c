// SPDX-License-Identifier: GPL-2.0
/*
 * VMSCOPE_IOC_OOM against /proc/PID/oom_score for every process in the
 * VM, with children set to oom_score_adj -1000, -500, 0, 500 and 1000 and
 * swap on: the scores are equal, the unkillable are marked, and the one
 * ranked first is the one with adj 1000.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define NR_KIDS		5
#define MAX_TASKS	4096

static const int adjs[NR_KIDS] = { -1000, -500, 0, 500, 1000 };

/* A child with oom_score_adj @adj and 4 MiB touched, stopped. */
static void kid(int adj)
{
	char buf[16], *p = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open("/proc/self/oom_score_adj", O_WRONLY), n;

	n = snprintf(buf, sizeof(buf), "%d", adj);
	if (fd < 0 || write(fd, buf, n) != n || p == MAP_FAILED)
		_exit(1);
	memset(p, 1, 4 << 20);
	for (;;)
		raise(SIGSTOP);
}

static int read_score(pid_t pid, unsigned int *score)
{
	char path[64], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/oom_score", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*score = strtoul(buf, NULL, 10);
	return 0;
}

FIXTURE(oom)
{
	int fd;
	pid_t kids[NR_KIDS];
	struct vmscope_oom oo;
	struct vmscope_oom_task *t;
};

FIXTURE_SETUP(oom)
{
	int i, status;

	memset(self->kids, 0, sizeof(self->kids));
	self->t = NULL;
	self->fd = vmscope_open_dev();
	if (self->fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, self->fd);
	for (i = 0; i < NR_KIDS; i++) {
		self->kids[i] = fork();
		ASSERT_LE(0, self->kids[i]);
		if (!self->kids[i])
			kid(adjs[i]);
		ASSERT_EQ(self->kids[i], waitpid(self->kids[i], &status,
						 WUNTRACED));
		ASSERT_TRUE(WIFSTOPPED(status));
	}
	self->t = calloc(MAX_TASKS, sizeof(*self->t));
	ASSERT_NE(NULL, self->t);
	memset(&self->oo, 0, sizeof(self->oo));
	self->oo.size = sizeof(self->oo);
	self->oo.swap_total = swap_total_pages();
	self->oo.buf = (uintptr_t)self->t;
	self->oo.buf_count = MAX_TASKS;
	ASSERT_EQ(0, vmscope_ioctl(self->fd, VMSCOPE_IOC_OOM, &self->oo));
	ASSERT_GE(MAX_TASKS, self->oo.nr_tasks);
}

FIXTURE_TEARDOWN(oom)
{
	int i;

	for (i = 0; i < NR_KIDS; i++) {
		if (self->kids[i] > 0) {
			kill(self->kids[i], SIGKILL);
			waitpid(self->kids[i], NULL, 0);
		}
	}
	free(self->t);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(oom, scores_match_proc_oom_score)
{
	unsigned int i, score = 0, compared = 0, exact = 0;

	for (i = 0; i < self->oo.nr_tasks; i++) {
		const struct vmscope_oom_task *t = &self->t[i];

		if (read_score(t->pid, &score))
			continue;	/* gone meanwhile */
		compared++;
		exact += score == t->oom_score;
		/* this test itself runs, and its RSS moves a little */
		if (t->pid == (uint32_t)getpid()) {
			EXPECT_GE(t->oom_score + 1, score);
			EXPECT_LE(t->oom_score, score + 1);
		} else {
			EXPECT_EQ(score, t->oom_score) {
				TH_LOG("pid %u (%s): oom_score %u, vmscope %u",
				       t->pid, t->comm, score, t->oom_score);
			}
		}
		if (t->flags & VMSCOPE_OOM_KTHREAD)
			EXPECT_EQ(0U, t->oom_score);
	}
	TH_LOG("%u processes compared, %u exactly; totalpages %llu",
	       compared, exact, (unsigned long long)self->oo.totalpages);
	EXPECT_LT(NR_KIDS, compared);
}

/* A "Vm...: N kB" line of /proc/PID/status, in pages; -1 if absent. */
static long long status_pages(pid_t pid, const char *key)
{
	char path[64], val[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_key(path, key, val, sizeof(val)))
		return -1;
	return strtoll(val, NULL, 10) / (getpagesize() / 1024);
}

/*
 * What the score is made of, for the stopped kids: rss is VmRSS, swap
 * VmSwap and pgtables VmPTE.  Not exactly: oom_badness() reads the
 * per-CPU counters' approximate totals (before 7.0), as vmscope does so
 * that its oom_score is the kernel's, where /proc/PID/status (6.12) sums
 * them; each of the four counters may have a batch (32 pages) pending on
 * each CPU.  The page tables' count is exact.
 */
#define COUNTER_SLACK	256

TEST_F(oom, badness_parts_match_status)
{
	unsigned int i, k, compared = 0;

	for (i = 0; i < self->oo.nr_tasks; i++) {
		const struct vmscope_oom_task *t = &self->t[i];
		long long rss, swap, pte;

		for (k = 0; k < NR_KIDS; k++)
			if (t->pid == (uint32_t)self->kids[k])
				break;
		if (k == NR_KIDS)
			continue;
		rss = status_pages(t->pid, "VmRSS");
		swap = status_pages(t->pid, "VmSwap");
		pte = status_pages(t->pid, "VmPTE");
		ASSERT_LE(0, rss);
		ASSERT_LE(0, swap);
		ASSERT_LE(0, pte);
		EXPECT_GE(COUNTER_SLACK, llabs(rss - (long long)t->rss)) {
			TH_LOG("pid %u: VmRSS %lld pages, vmscope %llu",
			       t->pid, rss, (unsigned long long)t->rss);
		}
		EXPECT_GE(COUNTER_SLACK, llabs(swap - (long long)t->swap));
		EXPECT_EQ(pte, (long long)t->pgtables);
		/* not vacuous: 4 MiB touched, so page tables too */
		EXPECT_LE(1024, rss + swap);
		EXPECT_LT(0, pte);
		compared++;
	}
	EXPECT_EQ(NR_KIDS, compared);
}

/* What the scores are relative to: RAM (MemTotal) and the swap given. */
TEST_F(oom, totalpages_is_ram_and_swap)
{
	char val[64];

	ASSERT_EQ(0, read_key("/proc/meminfo", "MemTotal", val, sizeof(val)));
	EXPECT_EQ(strtoull(val, NULL, 10) / (getpagesize() / 1024) +
		  swap_total_pages(), self->oo.totalpages);
	/* not vacuous: the VM has swap */
	EXPECT_LT(0ULL, swap_total_pages());
}

TEST_F(oom, adjustments_and_ranking)
{
	const struct vmscope_oom_task *best = NULL;
	unsigned int i, k;

	for (i = 0; i < self->oo.nr_tasks; i++) {
		const struct vmscope_oom_task *t = &self->t[i];

		for (k = 0; k < NR_KIDS; k++) {
			if (t->pid != (uint32_t)self->kids[k])
				continue;
			EXPECT_EQ(adjs[k], t->oom_score_adj);
			EXPECT_LE(1024U, t->rss);	/* 4 MiB touched */
			EXPECT_EQ(adjs[k] == -1000,
				  !!(t->flags & VMSCOPE_OOM_UNKILLABLE));
		}
		if (!(t->flags & VMSCOPE_OOM_UNKILLABLE) &&
		    (!best || t->points > best->points))
			best = t;
	}
	ASSERT_NE(NULL, best);
	EXPECT_EQ((uint32_t)self->kids[NR_KIDS - 1], best->pid);
	EXPECT_LE(900U, best->oom_score);
}

/* One line of /proc/vmscope/oom for @pid; 0 or -ENOENT. */
static int oom_line(const char *text, pid_t pid, unsigned int *score,
		    char *what, size_t len)
{
	char key[16], fmt[32];
	const char *p;

	snprintf(key, sizeof(key), "\n%d ", pid);
	p = strstr(text, key);
	if (!p)
		return -ENOENT;
	snprintf(fmt, sizeof(fmt), "%%*d %%u %%*d %%*d %%*u %%*u %%*u %%%zus",
		 len - 1);
	return sscanf(p + 1, fmt, score, what) == 2 ? 0 : -EIO;
}

TEST_F(oom, proc_file_matches_proc_oom_score)
{
	static char text[1 << 20];
	char what[16], kb[32];
	unsigned int score, want, k;
	ssize_t n, total = 0;
	int fd;

	fd = open(VMSCOPE_PROC_DIR "/oom", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	n = read(fd, text, sizeof(text) - 1);
	ASSERT_LT(0, n);
	text[n] = '\0';
	EXPECT_NE(NULL, strstr(text, "swap_total unknown"));
	/* SwapTotal in kB, as /proc/meminfo says it */
	snprintf(kb, sizeof(kb), "%llu\n", swap_total_pages() * (getpagesize() / 1024));
	ASSERT_EQ((ssize_t)strlen(kb), write(fd, kb, strlen(kb)));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	while ((n = read(fd, text + total, sizeof(text) - 1 - total)) > 0)
		total += n;
	text[total] = '\0';
	close(fd);
	EXPECT_EQ(NULL, strstr(text, "swap_total unknown"));
	for (k = 0; k < NR_KIDS; k++) {
		ASSERT_EQ(0, oom_line(text, self->kids[k], &score, what,
				      sizeof(what)));
		ASSERT_EQ(0, read_score(self->kids[k], &want));
		EXPECT_EQ(want, score);
		EXPECT_STREQ(adjs[k] == -1000 ? "unkillable" :
			     adjs[k] == 1000 ? "victim" : "-", what);
	}
	/* the first task line is the victim: the kid with adj 1000 */
	snprintf(kb, sizeof(kb), "\n%d ", self->kids[NR_KIDS - 1]);
	EXPECT_EQ(strstr(text, "comm\n") + 4, strstr(text, kb));
}

TEST_F(oom, bad_requests)
{
	struct vmscope_oom oo = self->oo;

	oo.flags = 1;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_OOM, &oo));
	oo = self->oo;
	oo.buf_count = 0;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_OOM, &oo));
	oo = self->oo;
	oo.buf_count = VMSCOPE_OOM_MAX_TASKS + 1;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_OOM, &oo));
	oo = self->oo;
	oo.buf = 8;
	EXPECT_EQ(-EFAULT, vmscope_ioctl(self->fd, VMSCOPE_IOC_OOM, &oo));
	oo = self->oo;
	oo.buf_count = 1;
	EXPECT_EQ(0, vmscope_ioctl(self->fd, VMSCOPE_IOC_OOM, &oo));
	EXPECT_LT(1U, oo.nr_tasks);
}

TEST_HARNESS_MAIN
