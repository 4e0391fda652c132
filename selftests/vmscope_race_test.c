// SPDX-License-Identifier: GPL-2.0
/*
 * Walk processes while they change under the walker: several readers walk,
 * translate and count the page tables of a target that keeps mapping,
 * unmapping, remapping, protecting, paging out, faulting in THPs and
 * forking, or whose pages compaction migrates; then of processes that exec
 * and exit; and readers of /proc/vmscope files are killed mid-read.  Every
 * answer must be an error the ABI names or a well-formed record, and the
 * kernel log clean.
 * Model: tools/testing/selftests/proc/proc-maps-race.c.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define PAGE		4096UL
#define AREA_PAGES	8192UL		/* 32M the target plays in */
#define SLOT_PAGES	64UL
#define NR_READERS	3
#define READER_ROUNDS	200
#define BATCH		1024

/*
 * How much racing each case does.  On a stock kernel under TCG a reader's
 * READER_ROUNDS rounds take 2 to 4 seconds; on the KASAN and lockdep kernel
 * of make check-debug every page-table lock, allocation and user copy costs
 * 10 to 40 times as much, and the same rounds took over 10 minutes for the
 * test.  So a reader stops early once it has spent ROUNDS_BUDGET seconds,
 * but never before MIN_ROUNDS rounds (of walks, translations, counts and
 * layouts, each racing every kind of change the churner makes): a slow
 * kernel runs fewer rounds, each as able to fail as on a fast one, and
 * says how many.  Nothing is asserted about time.
 */
#define MIN_ROUNDS	20
#define ROUNDS_BUDGET	15.0

/* Whether @done of @all rounds begun at @start are enough (see above). */
static bool rounds_done(int done, int all, int min, double start)
{
	return done >= all ||
	       (done >= min && now_secs() - start >= ROUNDS_BUDGET);
}

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return rand_r(seed) % n;
}

/* One random change to the area. */
static void churn_once(char *area, unsigned int *seed)
{
	size_t slots = AREA_PAGES / SLOT_PAGES;
	char *slot = area + rnd(seed, slots) * SLOT_PAGES * PAGE;
	char *other = area + rnd(seed, slots) * SLOT_PAGES * PAGE;
	size_t len = (1 + rnd(seed, SLOT_PAGES)) * PAGE;
	size_t i;

	switch (rnd(seed, 8)) {
	case 0:
		mmap(slot, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		for (i = 0; i < len; i += 2 * PAGE)
			slot[i] = 1;
		break;
	case 1:
		munmap(slot, len);
		break;
	case 2:
		mprotect(slot, len, rnd(seed, 2) ? PROT_NONE : PROT_READ);
		break;
	case 3:
		madvise(slot, len, MADV_DONTNEED);
		break;
	case 4:
		madvise(slot, len, MADV_PAGEOUT);
		break;
	case 5:
		mremap(slot, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, other);
		break;
	case 6:
		/* a 2M-aligned range inside the area, THP-eligible */
		slot = (char *)((uintptr_t)slot & ~((2UL << 20) - 1));
		if (slot < area || slot + (2UL << 20) > area + AREA_PAGES * PAGE)
			break;
		mmap(slot, 2UL << 20, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		madvise(slot, 2UL << 20, MADV_HUGEPAGE);
		slot[0] = 1;
		break;
	default:
		if (fork() == 0) {
			slot[0] = 2;	/* COW, or SIGSEGV: either is fine */
			_exit(0);
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

static void churn(char *area)
{
	unsigned int seed = getpid();

	signal(SIGSEGV, SIG_DFL);
	for (;;)
		churn_once(area, &seed);
}

/* A record the ABI allows. */
static bool record_ok(const struct vmscope_page *r)
{
	if (r->state > VMSCOPE_STATE_MAX || r->level > VMSCOPE_LEVEL_PUD)
		return false;
	switch (r->state) {
	case VMSCOPE_STATE_NO_VMA:
	case VMSCOPE_STATE_NOT_PRESENT:
		return !r->level && !r->pfn && !r->flags && !r->page_flags;
	case VMSCOPE_STATE_PRESENT:
	case VMSCOPE_STATE_PROT_NONE:
		return r->level && r->pfn;
	default:
		return r->level != VMSCOPE_LEVEL_NONE;
	}
}

static bool gone(int err)
{
	return err == -ESRCH || err == -ENOENT;
}

/* The layout of @pid, by ioctl and through /proc/vmscope/layout. */
static int read_layout(int fd, pid_t pid)
{
	struct vmscope_layout_vma v[8];
	struct vmscope_layout lo = {
		.size = sizeof(lo), .pid = pid, .rec_size = sizeof(v[0]),
		.buf = (uintptr_t)v, .buf_count = 8,
	};
	char buf[4096], nr[16];
	int err, pfd, n;

	do {
		lo.start = lo.next;
		err = vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo);
		if (err)
			return gone(err) ? -1 : 16;
		for (n = 0; n < (int)lo.count; n++)
			if (v[n].segment > VMSCOPE_SEG_MAX ||
			    v[n].vma.start >= v[n].vma.end)
				return 17;
	} while (!(lo.out_flags & VMSCOPE_LAYOUT_DONE));

	pfd = open(VMSCOPE_PROC_DIR "/layout", O_RDWR);
	if (pfd < 0)
		return 18;
	n = snprintf(nr, sizeof(nr), "%d\n", pid);
	err = write(pfd, nr, n) == n ? 0 : -errno;
	while (!err && (n = read(pfd, buf, sizeof(buf))) > 0)
		;
	if (!err && n < 0)
		err = -errno;
	close(pfd);
	return !err ? 0 : gone(err) ? -1 : 19;
}

/*
 * One round: walk the area, translate some addresses, count the tables,
 * read the layout.
 * Returns 0 after a full round, -1 when the process was gone, or the
 * number of the check that failed.
 */
static int read_round(int fd, pid_t pid, uintptr_t area, unsigned int *seed,
		      struct vmscope_page *recs)
{
	struct vmscope_walk w = {
		.size = sizeof(w), .pid = pid, .rec_size = sizeof(*recs),
		.start = area, .end = area + AREA_PAGES * PAGE,
		.buf = (uintptr_t)recs, .buf_count = BATCH,
	};
	struct vmscope_ptstats st = { .size = sizeof(st), .pid = pid };
	struct vmscope_translate tr = { .size = sizeof(tr), .pid = pid };
	int err, i;
	uint64_t k;

	while (w.start < w.end) {
		err = vmscope_ioctl(fd, VMSCOPE_IOC_WALK, &w);
		if (err)
			return gone(err) ? -1 : 10;
		if (!w.count || w.next != w.start + w.count * PAGE)
			return 11;
		for (k = 0; k < w.count; k++)
			if (!record_ok(&recs[k]))
				return 12;
		w.start = w.next;
	}
	for (i = 0; i < 16; i++) {
		tr.vaddr = area + rnd(seed, AREA_PAGES) * PAGE;
		err = vmscope_ioctl(fd, VMSCOPE_IOC_TRANSLATE, &tr);
		if (err)
			return gone(err) ? -1 : 13;
		if (tr.state > VMSCOPE_STATE_MAX ||
		    tr.nr_steps > VMSCOPE_MAX_LEVELS)
			return 14;
	}
	err = vmscope_ioctl(fd, VMSCOPE_IOC_PTSTATS, &st);
	if (err)
		return gone(err) ? -1 : 15;
	return read_layout(fd, pid);
}

/*
 * Read the process *@pid names (it may change between rounds).  With
 * @need_live, at least one round must have found it alive throughout.
 */
static int reader(volatile pid_t *pid, uintptr_t area, bool need_live)
{
	struct vmscope_page *recs = calloc(BATCH, sizeof(*recs));
	int fd = vmscope_open_dev(), i, ret = 0, live = 0;
	unsigned int seed = getpid();
	double start = now_secs();

	if (fd < 0 || !recs)
		return 1;
	for (i = 0; ret <= 0; i++) {
		if (rounds_done(i, READER_ROUNDS, MIN_ROUNDS, start))
			break;
		ret = read_round(fd, *pid, area, &seed, recs);
		live += !ret;
	}
	close(fd);
	if (ret <= 0 && i < READER_ROUNDS)
		fprintf(stderr, "# pid %d read %d of %d rounds in %.0fs\n",
			getpid(), i, READER_ROUNDS, now_secs() - start);
	if (ret > 0)
		return ret;
	return need_live && !live ? 2 : 0;
}

/* Start NR_READERS readers of *@pid; wait for them; how many complained. */
static int run_readers(volatile pid_t *pid, uintptr_t area, bool need_live)
{
	pid_t readers[NR_READERS];
	int i, status, bad = 0;

	for (i = 0; i < NR_READERS; i++) {
		readers[i] = fork();
		if (readers[i] == 0)
			_exit(reader(pid, area, need_live));
	}
	for (i = 0; i < NR_READERS; i++) {
		if (readers[i] < 0 || waitpid(readers[i], &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "# reader %d: status %#x\n", i, status);
			bad++;
		}
	}
	return bad;
}

/* Keep starting short-lived processes that exec and exit. */
static void spawn_execs(volatile pid_t *latest)
{
	for (;;) {
		pid_t pid = fork();

		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(0);
		}
		if (pid > 0) {
			*latest = pid;
			waitpid(pid, NULL, 0);
		}
	}
}

FIXTURE(race)
{
	volatile pid_t *target;
	pid_t churner;
	char *area;
};

FIXTURE_SETUP(race)
{
	int fd = vmscope_open_dev();

	self->churner = -1;
	if (fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, fd);
	close(fd);
	self->target = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->target);
	self->area = mmap(NULL, AREA_PAGES * PAGE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->area);
}

FIXTURE_TEARDOWN(race)
{
	if (self->churner > 0) {
		kill(self->churner, SIGKILL);
		waitpid(self->churner, NULL, 0);
	}
}

TEST_F_TIMEOUT(race, target_changes_its_mappings, 600)
{
	self->churner = fork();
	ASSERT_LE(0, self->churner);
	if (self->churner == 0)
		churn(self->area);
	*self->target = self->churner;
	EXPECT_EQ(0, run_readers(self->target, (uintptr_t)self->area, true));
}

TEST_F_TIMEOUT(race, target_exits_under_the_readers, 600)
{
	self->churner = fork();
	ASSERT_LE(0, self->churner);
	if (self->churner == 0)
		churn(self->area);
	*self->target = self->churner;
	/* the readers start on a live process and finish on a dead one */
	ASSERT_EQ(0, kill(self->churner, SIGKILL));
	EXPECT_EQ(0, run_readers(self->target, (uintptr_t)self->area, false));
	waitpid(self->churner, NULL, 0);
	self->churner = -1;
}

TEST_F_TIMEOUT(race, targets_exec_and_exit, 600)
{
	self->churner = fork();
	ASSERT_LE(0, self->churner);
	if (self->churner == 0)
		spawn_execs(self->target);
	while (!*self->target)
		usleep(1000);
	/* whatever the latest process is mapped at, below 4G */
	EXPECT_EQ(0, run_readers(self->target, 0x400000, false));
}

/* Migrate pages all the time: compaction moves movable pages around. */
static void compact_forever(void)
{
	for (;;) {
		int fd = open("/proc/sys/vm/compact_memory", O_WRONLY);

		if (fd < 0 || write(fd, "1", 1) != 1)
			_exit(1);
		close(fd);
	}
}

TEST_F_TIMEOUT(race, pages_migrate_under_the_readers, 600)
{
	pid_t compactor;

	if (access("/proc/sys/vm/compact_memory", W_OK))
		SKIP(return, "no compaction (CONFIG_COMPACTION) or not root");
	self->churner = fork();
	ASSERT_LE(0, self->churner);
	if (self->churner == 0)
		churn(self->area);
	*self->target = self->churner;
	compactor = fork();
	ASSERT_LE(0, compactor);
	if (compactor == 0)
		compact_forever();
	EXPECT_EQ(0, run_readers(self->target, (uintptr_t)self->area, true));
	kill(compactor, SIGKILL);
	waitpid(compactor, NULL, 0);
}

#define KILL_ROUNDS	40
#define MIN_KILL_ROUNDS	10

/* Read @path in small pieces, again and again, until killed. */
static void slow_reader(const char *path, const char *what)
{
	char buf[64];

	for (;;) {
		int fd = open(path, O_RDWR | O_CLOEXEC);

		if (fd < 0)
			fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			_exit(1);
		if (what && write(fd, what, strlen(what)) < 0)
			_exit(2);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

TEST_F_TIMEOUT(race, proc_readers_killed_mid_read, 600)
{
	static const char *const files[] = {
		"layout", "faults", "oom", "reclaim", "info",
	};
	unsigned int seed = 1, f;
	char path[64], pid[16], buf[256];
	double start;
	int fd, i;

	self->churner = fork();
	ASSERT_LE(0, self->churner);
	if (self->churner == 0)
		churn(self->area);
	snprintf(pid, sizeof(pid), "%d\n", self->churner);
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		snprintf(path, sizeof(path), VMSCOPE_PROC_DIR "/%s", files[f]);
		start = now_secs();
		for (i = 0; !rounds_done(i, KILL_ROUNDS, MIN_KILL_ROUNDS,
					 start); i++) {
			pid_t r = fork();

			ASSERT_LE(0, r);
			if (r == 0)
				slow_reader(path, !strcmp(files[f], "oom") ?
					    "524288\n" : f < 2 ? pid : NULL);
			usleep(rnd(&seed, 20000));
			kill(r, SIGKILL);
			ASSERT_EQ(r, waitpid(r, NULL, 0));
		}
		if (i < KILL_ROUNDS)
			TH_LOG("%s: %d of %d readers killed in %.0fs", path,
			       i, KILL_ROUNDS, now_secs() - start);
		/* the file still reads, from the start */
		fd = open(path, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		EXPECT_LT(0, read(fd, buf, sizeof(buf))) {
			TH_LOG("%s: %s", path, strerror(errno));
		}
		close(fd);
	}
}

TEST_HARNESS_MAIN
