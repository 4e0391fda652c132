// SPDX-License-Identifier: GPL-2.0
/*
 * The working-set sampler (VMSCOPE_IOC_WSS_*): exact on a deterministic
 * workload (a stopped child, a manual pass, a known set of pages touched,
 * written pages among them, a THP, a file mapping, a PROT_NONE region and
 * hugetlb if the kernel has pages for it), in agreement with smaps'
 * Referenced after clear_refs, keeping the kernel's own reference
 * information, never counting a swapped-out page (pagemap), and ending
 * with a clear status when the target exits or execs, when its mappings
 * churn, and when the opener is killed (its thread then gone).  The text
 * view, /proc/vmscope/wss, against smaps' Referenced and pagemap; the
 * sampler against DAMON's vaddr monitoring where DAMON is.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define PAGE		4096UL
#define HPAGE		(2UL << 20)
#define ANON_PAGES	64
#define FILE_PAGES	16
#define PN_PAGES	4

/* The child execs itself with this set to be a process that sleeps. */
#define SLEEPER_ENV	"VMSCOPE_WSS_SLEEPER"

__attribute__((constructor)) static void wss_sleeper(void)
{
	if (getenv(SLEEPER_ENV)) {
		sleep(3);
		_exit(0);
	}
}

/* The child's regions, set up before fork() so the parent knows them. */
struct shape {
	char *anon;
	char *thp;
	char *file;
	char *pn;
	char *huge;	/* hugetlb, or NULL */
};

static int wss_start(int fd, pid_t pid, unsigned int flags,
		     unsigned int interval_ms, unsigned int count)
{
	struct vmscope_wss_start st = {
		.size = sizeof(st),
		.flags = flags,
		.pid = pid,
		.interval_ms = interval_ms,
		.count = count,
	};

	return vmscope_ioctl(fd, VMSCOPE_IOC_WSS_START, &st);
}

static int wss_ctl(int fd, unsigned int op, unsigned int *status)
{
	struct vmscope_wss_ctl ctl = { .size = sizeof(ctl), .op = op };
	int err = vmscope_ioctl(fd, VMSCOPE_IOC_WSS_CTL, &ctl);

	if (status)
		*status = ctl.status;
	return err;
}

static int wss_read(int fd, struct vmscope_wss_rec *rec, unsigned int n,
		    unsigned int flags, struct vmscope_wss_read *rd)
{
	memset(rd, 0, sizeof(*rd));
	rd->size = sizeof(*rd);
	rd->flags = flags;
	rd->buf = (uintptr_t)rec;
	rd->buf_count = n;
	rd->rec_size = sizeof(*rec);
	return vmscope_ioctl(fd, VMSCOPE_IOC_WSS_READ, rd);
}

/* Read records until the session ends; returns its status. */
static unsigned int wss_drain(int fd, uint64_t *intervals)
{
	static struct vmscope_wss_rec rec[256];
	struct vmscope_wss_read rd;

	do {
		if (wss_read(fd, rec, 256, VMSCOPE_WSS_READ_WAIT, &rd))
			return ~0U;
	} while (rd.status == VMSCOPE_WSS_RUNNING || rd.pending);
	*intervals = rd.intervals;
	return rd.status;
}

/* smaps' Referenced of the VMA at @addr of @pid, in kB; -1 if none. */
static long smaps_key(pid_t pid, uintptr_t addr, const char *key)
{
	char path[64], line[256];
	uintptr_t lo, hi;
	long val = -1;
	bool in = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* a VMA's first line: "start-end perms ..." */
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = addr >= lo && addr < hi;
			continue;
		}
		if (in && !strncmp(line, key, strlen(key))) {
			sscanf(line + strlen(key), " %ld", &val);
			break;
		}
	}
	fclose(f);
	return val;
}

static void wait_stopped(struct __test_metadata *_metadata, pid_t pid)
{
	int status;

	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status)) TH_LOG("child status 0x%x", status);
}

static int make_file(const char *dir, size_t size)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/vmscope-wss-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	if (ftruncate(fd, size)) {
		close(fd);
		return -1;
	}
	return fd;
}

static char *map_thp(void)
{
	char *p = mmap(NULL, 2 * HPAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)p + HPAGE - 1) & ~(HPAGE - 1));
	madvise(p, HPAGE, MADV_HUGEPAGE);
	return p;
}

static char *map_hugetlb(void)
{
	char *p;

	write_file("/proc/sys/vm/nr_hugepages", "1");
	p = mmap(NULL, HPAGE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Touch every page of every region, then wait for the sampler. */
static void child_prepare(struct shape *sh)
{
	size_t i;

	for (i = 0; i < ANON_PAGES; i++)
		sh->anon[i * PAGE] = 1;
	memset(sh->thp, 1, HPAGE);
	for (i = 0; i < FILE_PAGES; i++)
		(void)*(volatile char *)(sh->file + i * PAGE);
	memset(sh->pn, 1, PN_PAGES * PAGE);
	mprotect(sh->pn, PN_PAGES * PAGE, PROT_NONE);
	if (sh->huge)
		sh->huge[0] = 1;
}

/* The known set S: read and written pages in each region. */
static const int anon_read[] = { 1, 3, 5, 7, 40 };
static const int anon_write[] = { 2, 10, 63 };
static const int file_read[] = { 0, 4 };
static const int file_write[] = { 9 };

static void child_touch(struct shape *sh)
{
	volatile char *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(anon_read); i++)
		(void)*(volatile char *)(sh->anon + anon_read[i] * PAGE);
	for (i = 0; i < ARRAY_SIZE(anon_write); i++)
		sh->anon[anon_write[i] * PAGE] = 2;
	sh->thp[5 * PAGE] = 2;
	for (i = 0; i < ARRAY_SIZE(file_read); i++)
		(void)*(volatile char *)(sh->file + file_read[i] * PAGE);
	for (i = 0; i < ARRAY_SIZE(file_write); i++)
		sh->file[file_write[i] * PAGE] = 2;
	if (sh->huge) {
		v = sh->huge;
		(void)v[HPAGE - 1];
	}
}

/* Per page of a region: 0 untouched, 1 referenced, 2 written too. */
static void mark(unsigned char *map, const struct vmscope_wss_rec *r,
		 uintptr_t base, size_t pages)
{
	uintptr_t a;

	for (a = r->addr; a < r->addr + r->pages * PAGE; a += PAGE)
		if (a >= base && a < base + pages * PAGE)
			map[(a - base) / PAGE] =
				r->flags & VMSCOPE_WSS_WRITTEN ? 2 : 1;
}

FIXTURE(wss)
{
	int fd;
	struct shape sh;
	pid_t child;
	int filefd;
};

FIXTURE_SETUP(wss)
{
	const char *dir = getenv("VMSCOPE_DISK") ?: "/tmp";

	self->child = 0;
	self->fd = open(VMSCOPE_DEVICE, O_RDONLY | O_CLOEXEC);
	if (self->fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, self->fd);
	self->filefd = make_file(dir, FILE_PAGES * PAGE);
	ASSERT_LE(0, self->filefd);
	self->sh.anon = mmap(NULL, ANON_PAGES * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh.anon);
	self->sh.file = mmap(NULL, FILE_PAGES * PAGE, PROT_READ | PROT_WRITE,
			     MAP_SHARED, self->filefd, 0);
	ASSERT_NE(MAP_FAILED, self->sh.file);
	self->sh.pn = mmap(NULL, PN_PAGES * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh.pn);
	self->sh.thp = map_thp();
	ASSERT_NE(NULL, self->sh.thp);
	self->sh.huge = map_hugetlb();
}

static void damon_stat_resume(void);

FIXTURE_TEARDOWN(wss)
{
	damon_stat_resume();
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->fd >= 0)
		close(self->fd);
	if (self->filefd >= 0)
		close(self->filefd);
}

/*
 * Stopped child, clear_refs, a clearing pass; the child touches S and
 * stops; smaps' Referenced (the kernel's view) is read, then a recording
 * pass: its referenced set is S page for page, its written set the pages
 * written, and Referenced is the same after it (the references were
 * handed to the kernel's aging).
 */
TEST_F(wss, exact_and_smaps)
{
	static struct vmscope_wss_rec rec[4096];
	unsigned char anon[ANON_PAGES] = { 0 }, file[FILE_PAGES] = { 0 };
	unsigned char thp[HPAGE / PAGE] = { 0 }, huge[HPAGE / PAGE] = { 0 };
	unsigned char pn[PN_PAGES] = { 0 };
	long ref_anon, ref_thp, ref_file, ref_pn, ref_huge = 0, thp_kb;
	struct vmscope_wss_read rd;
	unsigned int status, i, n_ref = 0;
	struct shape *sh = &self->sh;
	char path[64];

	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		child_prepare(sh);
		raise(SIGSTOP);
		child_touch(sh);
		raise(SIGSTOP);
		_exit(0);
	}
	wait_stopped(_metadata, self->child);
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", self->child);
	ASSERT_EQ(0, write_file(path, "1"));
	ASSERT_EQ(0, wss_start(self->fd, self->child, VMSCOPE_WSS_MANUAL, 0,
			       0));
	ASSERT_EQ(0, wss_ctl(self->fd, VMSCOPE_WSS_OP_PASS, &status));
	ASSERT_EQ(VMSCOPE_WSS_RUNNING, status);
	/* the clearing pass records nothing */
	ASSERT_EQ(0, wss_read(self->fd, rec, 4096, 0, &rd));
	ASSERT_EQ(0, rd.count);
	kill(self->child, SIGCONT);
	wait_stopped(_metadata, self->child);

	/* the kernel's view, before vmscope looks */
	ref_anon = smaps_key(self->child, (uintptr_t)sh->anon, "Referenced:");
	ref_thp = smaps_key(self->child, (uintptr_t)sh->thp, "Referenced:");
	ref_file = smaps_key(self->child, (uintptr_t)sh->file, "Referenced:");
	ref_pn = smaps_key(self->child, (uintptr_t)sh->pn, "Referenced:");
	if (sh->huge)
		ref_huge = smaps_key(self->child, (uintptr_t)sh->huge,
				     "Referenced:");
	thp_kb = smaps_key(self->child, (uintptr_t)sh->thp, "AnonHugePages:");

	ASSERT_EQ(0, wss_ctl(self->fd, VMSCOPE_WSS_OP_PASS, &status));
	ASSERT_EQ(0, wss_read(self->fd, rec, 4096, 0, &rd));
	ASSERT_LT(1, rd.count);
	ASSERT_EQ(0, rd.seq);
	ASSERT_EQ(VMSCOPE_WSS_REC_INTERVAL, rec[0].type);
	ASSERT_EQ(0, rec[0].addr);
	ASSERT_EQ(1, rd.intervals);
	for (i = 1; i < rd.count; i++) {
		ASSERT_EQ(VMSCOPE_WSS_REC_RUN, rec[i].type);
		n_ref += rec[i].pages;
		if (i > 1)	/* ascending, not overlapping */
			ASSERT_LE(rec[i - 1].addr + rec[i - 1].pages * PAGE,
				  rec[i].addr);
		mark(anon, &rec[i], (uintptr_t)sh->anon, ANON_PAGES);
		mark(thp, &rec[i], (uintptr_t)sh->thp, HPAGE / PAGE);
		mark(file, &rec[i], (uintptr_t)sh->file, FILE_PAGES);
		mark(pn, &rec[i], (uintptr_t)sh->pn, PN_PAGES);
		if (sh->huge)
			mark(huge, &rec[i], (uintptr_t)sh->huge, HPAGE / PAGE);
	}
	ASSERT_EQ(n_ref, rec[0].pages);

	/* S, page for page */
	for (i = 0; i < ARRAY_SIZE(anon_read); i++) {
		ASSERT_EQ(1, anon[anon_read[i]]);
		anon[anon_read[i]] = 0;
	}
	for (i = 0; i < ARRAY_SIZE(anon_write); i++) {
		ASSERT_EQ(2, anon[anon_write[i]]);
		anon[anon_write[i]] = 0;
	}
	for (i = 0; i < ARRAY_SIZE(file_read); i++) {
		ASSERT_EQ(1, file[file_read[i]]);
		file[file_read[i]] = 0;
	}
	for (i = 0; i < ARRAY_SIZE(file_write); i++) {
		ASSERT_EQ(2, file[file_write[i]]);
		file[file_write[i]] = 0;
	}
	if (thp_kb == HPAGE / 1024) {
		/* one PMD leaf: the whole huge page, written */
		for (i = 0; i < HPAGE / PAGE; i++) {
			ASSERT_EQ(2, thp[i]);
			thp[i] = 0;
		}
	} else {
		TH_LOG("no THP for the region: its pages are base pages");
		ASSERT_EQ(2, thp[5]);
		thp[5] = 0;
	}
	if (sh->huge) {
		for (i = 0; i < HPAGE / PAGE; i++) {
			ASSERT_EQ(1, huge[i]);
			huge[i] = 0;
		}
	} else {
		TH_LOG("no hugetlb page: that part is left out");
	}
	/* and nothing else in the regions (PROT_NONE: never referenced) */
	for (i = 0; i < ANON_PAGES; i++)
		ASSERT_EQ(0, anon[i]);
	for (i = 0; i < FILE_PAGES; i++)
		ASSERT_EQ(0, file[i]);
	for (i = 0; i < HPAGE / PAGE; i++)
		ASSERT_EQ(0, thp[i]) TH_LOG("thp page %u", i);
	for (i = 0; i < PN_PAGES; i++)
		ASSERT_EQ(0, pn[i]);
	for (i = 0; i < HPAGE / PAGE; i++)
		ASSERT_EQ(0, huge[i]);
	ASSERT_LE(ARRAY_SIZE(anon_write) + ARRAY_SIZE(file_write) + 1,
		  rec[0].written);

	/* smaps' Referenced agrees, VMA by VMA (not vacuously: > 0) */
	ASSERT_EQ((long)(ARRAY_SIZE(anon_read) + ARRAY_SIZE(anon_write)) * 4,
		  ref_anon);
	ASSERT_EQ((long)(ARRAY_SIZE(file_read) + ARRAY_SIZE(file_write)) * 4,
		  ref_file);
	ASSERT_EQ(thp_kb == HPAGE / 1024 ? (long)HPAGE / 1024 : 4, ref_thp);
	ASSERT_EQ(0, ref_pn);
	/* smaps counts no Referenced for hugetlb: only that it is mapped */
	if (sh->huge)
		ASSERT_EQ((long)HPAGE / 1024,
			  smaps_key(self->child, (uintptr_t)sh->huge,
				    "Shared_Hugetlb:") + ref_huge +
			  smaps_key(self->child, (uintptr_t)sh->huge,
				    "Private_Hugetlb:"));
	/* and still does after vmscope cleared the Accessed bits */
	ASSERT_EQ(ref_anon,
		  smaps_key(self->child, (uintptr_t)sh->anon, "Referenced:"));
	ASSERT_EQ(ref_file,
		  smaps_key(self->child, (uintptr_t)sh->file, "Referenced:"));
	ASSERT_EQ(ref_thp,
		  smaps_key(self->child, (uintptr_t)sh->thp, "Referenced:"));

	/* the session is still there; a third pass with nothing touched */
	ASSERT_EQ(0, wss_ctl(self->fd, VMSCOPE_WSS_OP_PASS, &status));
	ASSERT_EQ(0, wss_read(self->fd, rec, 4096, 0, &rd));
	ASSERT_LE(1, rd.seq);
	for (i = 1; i < rd.count; i++)
		ASSERT_FALSE(rec[i].addr >= (uintptr_t)sh->anon &&
			     rec[i].addr < (uintptr_t)sh->anon +
			     ANON_PAGES * PAGE);
	ASSERT_EQ(0, wss_ctl(self->fd, VMSCOPE_WSS_OP_STOP, &status));
	ASSERT_EQ(VMSCOPE_WSS_STOPPED, status);
	ASSERT_EQ(-ESRCH, wss_ctl(self->fd, VMSCOPE_WSS_OP_PASS, NULL));
}

TEST_F(wss, bad_requests)
{
	struct vmscope_wss_start st = { .size = sizeof(st) };
	struct vmscope_wss_read rd;
	unsigned int status;
	uint64_t n = 0;

	ASSERT_EQ(-ENOENT, wss_read(self->fd, NULL, 0, 0, &rd));
	ASSERT_EQ(-ENOENT, wss_ctl(self->fd, VMSCOPE_WSS_OP_STOP, NULL));
	ASSERT_EQ(-EINVAL, wss_ctl(self->fd, 0, NULL));
	ASSERT_EQ(-EINVAL, wss_start(self->fd, getpid(), 0, 0, 0));
	ASSERT_EQ(-EINVAL, wss_start(self->fd, getpid(), 0, 3600001, 0));
	ASSERT_EQ(-EINVAL, wss_start(self->fd, getpid(), 1U << 7, 100, 0));
	/* the first flag bit above VMSCOPE_WSS_START_VALID_FLAGS */
	ASSERT_EQ(-EINVAL, wss_start(self->fd, getpid(),
				     VMSCOPE_WSS_NO_AGING << 1, 100, 0));
	ASSERT_EQ(0, VMSCOPE_WSS_START_VALID_FLAGS &
		  (VMSCOPE_WSS_NO_AGING << 1));
	ASSERT_EQ(-EINVAL, wss_start(self->fd, getpid(),
				     VMSCOPE_WSS_MANUAL, 100, 0));
	ASSERT_EQ(-ESRCH, wss_start(self->fd, 0, VMSCOPE_WSS_MANUAL, 0, 0));
	st.pid = getpid();
	st.interval_ms = 100;
	st.start = 123;
	ASSERT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_WSS_START, &st));
	st.start = 0;
	st.end = 1ULL << 63;
	ASSERT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_WSS_START, &st));
	st.end = 0;
	st.max_records = VMSCOPE_WSS_MAX_RECORDS + 1;
	ASSERT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_WSS_START, &st));
	st.size = 8;
	ASSERT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_WSS_START, &st));

	ASSERT_EQ(0, wss_start(self->fd, getpid(), 0, 50, 2));
	ASSERT_EQ(-EBUSY, wss_start(self->fd, getpid(), 0, 50, 2));
	ASSERT_EQ(-EINVAL, wss_ctl(self->fd, VMSCOPE_WSS_OP_PASS, NULL));
	memset(&rd, 0, sizeof(rd));
	rd.size = sizeof(rd);
	rd.buf_count = 1;
	rd.rec_size = 8;
	ASSERT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_WSS_READ, &rd));
	rd.rec_size = sizeof(struct vmscope_wss_rec);
	rd.buf = 1ULL << 63;
	ASSERT_EQ(-EFAULT, vmscope_ioctl(self->fd, VMSCOPE_IOC_WSS_READ, &rd));
	rd.buf = 0;
	rd.__reserved = 1;
	ASSERT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_WSS_READ, &rd));
	/* sampling itself: two intervals, then DONE */
	ASSERT_EQ(VMSCOPE_WSS_DONE, wss_drain(self->fd, &n));
	ASSERT_EQ(2, n);
	ASSERT_EQ(0, wss_ctl(self->fd, VMSCOPE_WSS_OP_STOP, &status));
	ASSERT_EQ(VMSCOPE_WSS_DONE, status);
}

/*
 * A target that exits, one that execs, one whose mappings churn (mmap,
 * mprotect to PROT_NONE, MADV_PAGEOUT to swap, fork, munmap).
 */
TEST_F(wss, target_exits_execs_churns)
{
	uint64_t n = 0;
	int fd2;

	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		/* munmap/mmap/mprotect/fork while sampled, then exit */
		int i;

		for (i = 0; i < 300; i++) {
			char *p = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				_exit(1);
			memset(p, i, 64 * PAGE);
			mprotect(p, 32 * PAGE, PROT_NONE);
			/* swap entries where the sampler walks */
			madvise(p + 32 * PAGE, 16 * PAGE, MADV_PAGEOUT);
			if (i % 50 == 0 && !fork())
				_exit(0);
			munmap(p, 64 * PAGE);
			usleep(1000);
		}
		_exit(0);
	}
	ASSERT_EQ(0, wss_start(self->fd, self->child, 0, 2, 0));
	ASSERT_EQ(VMSCOPE_WSS_EXITED, wss_drain(self->fd, &n));
	ASSERT_LT(0, n);
	waitpid(self->child, NULL, 0);

	fd2 = open(VMSCOPE_DEVICE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		usleep(200000);
		setenv(SLEEPER_ENV, "1", 1);
		execl("/proc/self/exe", "wss-sleeper", NULL);
		_exit(1);
	}
	ASSERT_EQ(0, wss_start(fd2, self->child, 0, 10, 0));
	ASSERT_EQ(VMSCOPE_WSS_EXECED, wss_drain(fd2, &n));
	close(fd2);
}

/* A thread of the child: its ID to the parent, then it exits when told. */
struct tid_share {
	pid_t tid;
	int quit;
};

static void *short_lived(void *arg)
{
	struct tid_share *sh = arg;

	__atomic_store_n(&sh->tid, gettid(), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&sh->quit, __ATOMIC_ACQUIRE))
		usleep(1000);
	return NULL;
}

/* Read statuses until @intervals are recorded or the session ended. */
static int wss_wait_intervals(int fd, uint64_t intervals,
			      struct vmscope_wss_read *rd)
{
	struct vmscope_wss_rec rec[64];
	int err;

	do {
		err = wss_read(fd, rec, 64, VMSCOPE_WSS_READ_WAIT, rd);
	} while (!err && rd->intervals < intervals &&
		 rd->status == VMSCOPE_WSS_RUNNING);
	return err;
}

/*
 * A session started on the ID of one thread follows the process: the
 * thread exits, the process runs on, and so does the session, which
 * reports the process's ID.
 */
TEST_F(wss, follows_the_process_not_the_thread)
{
	struct tid_share *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct vmscope_wss_read rd;
	char path[64];
	pid_t tid;

	ASSERT_NE(MAP_FAILED, sh);
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		pthread_t t;

		if (pthread_create(&t, NULL, short_lived, sh) ||
		    pthread_join(t, NULL))
			_exit(1);
		for (;;)
			pause();
	}
	while (!(tid = __atomic_load_n(&sh->tid, __ATOMIC_ACQUIRE)))
		usleep(1000);
	ASSERT_EQ(0, wss_start(self->fd, tid, 0, 10, 0));
	ASSERT_EQ(0, wss_wait_intervals(self->fd, 2, &rd));
	ASSERT_EQ(VMSCOPE_WSS_RUNNING, rd.status);
	EXPECT_EQ(self->child, rd.pid);

	__atomic_store_n(&sh->quit, 1, __ATOMIC_RELEASE);
	snprintf(path, sizeof(path), "/proc/%d/task/%d", self->child, tid);
	while (!access(path, F_OK))
		usleep(1000);
	/* three passes that began after the thread was gone */
	ASSERT_EQ(0, wss_wait_intervals(self->fd, rd.intervals + 4, &rd));
	EXPECT_EQ(VMSCOPE_WSS_RUNNING, rd.status);
	EXPECT_EQ(0, wss_ctl(self->fd, VMSCOPE_WSS_OP_STOP, NULL));
	munmap(sh, sizeof(*sh));
}

struct waiter {
	int fd;
	pid_t tid;
	int err;
	struct vmscope_wss_read rd;
};

static void *wss_waiter(void *arg)
{
	struct waiter *w = arg;
	struct vmscope_wss_rec rec[4];

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	w->err = wss_read(w->fd, rec, 4, VMSCOPE_WSS_READ_WAIT, &w->rd);
	return NULL;
}

static void *wss_status_reader(void *arg)
{
	struct waiter *w = arg;

	w->err = wss_read(w->fd, NULL, 0, 0, &w->rd);
	return NULL;
}

/* The state letter of thread @tid of this process, or 0. */
static char thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * A reader waiting for records (here an hour's interval) holds nothing a
 * reader asking only for the status needs: that one is answered while the
 * first still waits.  Were it held up, the test would stop the session
 * after 10 s to let both go, and fail.
 */
TEST_F(wss, status_while_another_reader_waits)
{
	struct waiter wait = { .fd = self->fd }, poll = { .fd = self->fd };
	struct timespec deadline;
	pthread_t tw, tp;
	pid_t tid;
	int joined;

	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		for (;;)
			pause();
	}
	ASSERT_EQ(0, wss_start(self->fd, self->child, 0, 3600000, 0));
	ASSERT_EQ(0, pthread_create(&tw, NULL, wss_waiter, &wait));
	while (!(tid = __atomic_load_n(&wait.tid, __ATOMIC_ACQUIRE)))
		usleep(1000);
	while (thread_state(tid) != 'S')	/* asleep in the module */
		usleep(1000);

	ASSERT_EQ(0, pthread_create(&tp, NULL, wss_status_reader, &poll));
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	joined = pthread_timedjoin_np(tp, NULL, &deadline);
	EXPECT_EQ(0, joined);
	EXPECT_EQ(0, wss_ctl(self->fd, VMSCOPE_WSS_OP_STOP, NULL));
	if (joined)
		pthread_join(tp, NULL);
	pthread_join(tw, NULL);
	EXPECT_EQ(0, poll.err);
	EXPECT_EQ(VMSCOPE_WSS_RUNNING, poll.rd.status);
	EXPECT_EQ(0, wait.err);
	EXPECT_EQ(VMSCOPE_WSS_STOPPED, wait.rd.status);
}

/* Sampling threads alive ("vmscope-wss/PID" kernel threads). */
static int wss_threads(void)
{
	char path[300], comm[32];
	struct dirent *d;
	int n = 0;
	DIR *dir = opendir("/proc");

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    !strncmp(comm, "vmscope-wss/", 12))
			n++;
		fclose(f);
	}
	closedir(dir);
	return n;
}

/*
 * The opener is killed mid-session; the module frees the session: its
 * thread is gone once the opener is reaped (release stops it).
 */
TEST_F(wss, opener_killed)
{
	int status, i, tries;
	pid_t opener;

	for (i = 0; i < 3; i++) {
		opener = fork();
		ASSERT_LE(0, opener);
		if (!opener) {
			int fd = open(VMSCOPE_DEVICE, O_RDONLY);
			struct vmscope_wss_read rd;

			if (fd < 0 || wss_start(fd, getppid(), 0, 1, 0))
				_exit(1);
			wss_read(fd, NULL, 0, 0, &rd);
			for (;;)
				pause();
		}
		/* not vacuous: its thread runs (within a minute: a slow host) */
		for (tries = 0; tries < 6000 && wss_threads() < 1; tries++)
			usleep(10000);
		ASSERT_EQ(1, wss_threads());
		usleep(20000 * (i + 1));
		kill(opener, SIGKILL);
		ASSERT_EQ(opener, waitpid(opener, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status));
		/* kthread_stop() waited for it; its /proc entry may linger */
		for (tries = 0; tries < 6000 && wss_threads(); tries++)
			usleep(10000);
		ASSERT_EQ(0, wss_threads());
	}
}

/* The /proc/PID/pagemap entry of @addr (bit 63 present, 62 swapped). */
static uint64_t pagemap_entry(pid_t pid, uintptr_t addr)
{
	char path[64];
	uint64_t e = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), addr / PAGE * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)

/* VmRSS of /proc/PID/status, in pages; -1 if it cannot be read. */
static long status_rss_pages(pid_t pid)
{
	char path[64], val[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_key(path, "VmRSS", val, sizeof(val)))
		return -1;
	return strtol(val, NULL, 10) * 1024 / PAGE;
}

/* A private anonymous region of its own VMA (VM_NOHUGEPAGE: no merging). */
static char *map_own(size_t pages)
{
	char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, pages * PAGE, MADV_NOHUGEPAGE);
	return p;
}

#define SW_PAGES	64
#define SW_OUT		32	/* pages [0, SW_OUT) are paged out */

/* The set the child touches after the page-out: swapped and present. */
static const int sw_read[] = { 1, 5, 40 };
static const int sw_write[] = { 3, 41 };

static int sw_in_set(int i)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(sw_read); k++)
		if (sw_read[k] == i)
			return 1;
	for (k = 0; k < ARRAY_SIZE(sw_write); k++)
		if (sw_write[k] == i)
			return 2;
	return 0;
}

/*
 * Swapped-out pages in a session: the child writes 64 pages, pages half
 * of them out (MADV_PAGEOUT, to the VM's zram swap) and stops; pagemap
 * says which are swapped.  After a clearing pass the child reads and
 * writes a known set, some of it swapped (faulted back in), some present,
 * and stops: the recording pass sees exactly that set, never a page that
 * pagemap still shows swapped, and its RSS is status' VmRSS (swapped
 * pages not in it).  A last pass with nothing touched sees nothing there.
 */
TEST_F(wss, swapped_out)
{
	static struct vmscope_wss_rec rec[4096];
	unsigned char seen[SW_PAGES] = { 0 };
	bool sw0[SW_PAGES], sw1[SW_PAGES];
	struct vmscope_wss_read rd;
	unsigned int status, i, n_sw = 0, n_still = 0;
	char *m;

	if (!swap_total_pages())
		SKIP(return, "no swap (the VM has zram swap)");
	m = map_own(SW_PAGES);
	ASSERT_NE(NULL, m);
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		for (i = 0; i < SW_PAGES; i++)
			memset(m + i * PAGE, i + 1, PAGE);
		if (madvise(m, SW_OUT * PAGE, MADV_PAGEOUT))
			_exit(2);
		raise(SIGSTOP);
		for (i = 0; i < ARRAY_SIZE(sw_read); i++)
			(void)*(volatile char *)(m + sw_read[i] * PAGE);
		for (i = 0; i < ARRAY_SIZE(sw_write); i++)
			m[sw_write[i] * PAGE] = 2;
		raise(SIGSTOP);
		_exit(0);
	}
	wait_stopped(_metadata, self->child);
	for (i = 0; i < SW_PAGES; i++) {
		uint64_t e = pagemap_entry(self->child, (uintptr_t)m + i * PAGE);

		sw0[i] = e & PM_SWAP;
		n_sw += sw0[i];
		if (i >= SW_OUT)	/* not paged out: present */
			ASSERT_TRUE(e & PM_PRESENT) TH_LOG("page %u", i);
	}
	TH_LOG("%u of %d pages swapped out", n_sw, SW_OUT);
	/* not vacuous: the pages of the set below are swapped */
	ASSERT_EQ(SW_OUT, n_sw);

	ASSERT_EQ(0, wss_start(self->fd, self->child, VMSCOPE_WSS_MANUAL, 0,
			       0));
	ASSERT_EQ(0, wss_ctl(self->fd, VMSCOPE_WSS_OP_PASS, &status));
	ASSERT_EQ(VMSCOPE_WSS_RUNNING, status);
	kill(self->child, SIGCONT);
	wait_stopped(_metadata, self->child);
	for (i = 0; i < SW_PAGES; i++) {
		uint64_t e = pagemap_entry(self->child, (uintptr_t)m + i * PAGE);

		sw1[i] = e & PM_SWAP;
		n_still += sw1[i];
		/* what was touched came back, the rest stayed out */
		ASSERT_EQ(sw0[i] && !sw_in_set(i), sw1[i]) TH_LOG("page %u", i);
		ASSERT_EQ(!sw1[i], !!(e & PM_PRESENT)) TH_LOG("page %u", i);
	}

	ASSERT_EQ(0, wss_ctl(self->fd, VMSCOPE_WSS_OP_PASS, &status));
	ASSERT_EQ(VMSCOPE_WSS_RUNNING, status);
	ASSERT_EQ(0, wss_read(self->fd, rec, 4096, 0, &rd));
	ASSERT_LT(1, rd.count);
	ASSERT_EQ(VMSCOPE_WSS_REC_INTERVAL, rec[0].type);
	for (i = 1; i < rd.count; i++)
		mark(seen, &rec[i], (uintptr_t)m, SW_PAGES);
	for (i = 0; i < SW_PAGES; i++) {
		int want = sw_in_set(i);

		if (sw1[i])	/* swapped: never referenced */
			ASSERT_EQ(0, seen[i]) TH_LOG("swapped page %u", i);
		if (!want) {
			ASSERT_EQ(0, seen[i]) TH_LOG("page %u", i);
		} else if (want == 2) {
			ASSERT_EQ(2, seen[i]) TH_LOG("written page %u", i);
		} else if (sw0[i]) {
			/* read, faulted in: a read fault maps it clean */
			ASSERT_LE(1, seen[i]) TH_LOG("read page %u", i);
			if (seen[i] == 2)
				TH_LOG("page %u: read after swap-in, mapped dirty", i);
		} else {
			ASSERT_EQ(1, seen[i]) TH_LOG("read page %u", i);
		}
	}
	/* the interval's RSS is the kernel's: the swapped pages not in it */
	ASSERT_EQ(status_rss_pages(self->child), (long)rec[0].rss);
	TH_LOG("%u pages still swapped, rss %llu pages", n_still,
	       (unsigned long long)rec[0].rss);

	/* nothing touched: nothing of the region, swapped or not */
	ASSERT_EQ(0, wss_ctl(self->fd, VMSCOPE_WSS_OP_PASS, &status));
	ASSERT_EQ(0, wss_read(self->fd, rec, 4096, 0, &rd));
	memset(seen, 0, sizeof(seen));
	for (i = 1; i < rd.count; i++)
		mark(seen, &rec[i], (uintptr_t)m, SW_PAGES);
	for (i = 0; i < SW_PAGES; i++)
		ASSERT_EQ(0, seen[i]) TH_LOG("page %u", i);
	ASSERT_EQ(0, wss_ctl(self->fd, VMSCOPE_WSS_OP_STOP, &status));
	munmap(m, SW_PAGES * PAGE);
}

/* The known set of the text view's test: pages of each region. */
static const int tv_anon_read[] = { 0, 7, 8, 9, 33 };
static const int tv_anon_write[] = { 12, 13, 60 };
static const int tv_file_read[] = { 2, 3 };
static const int tv_file_write[] = { 11 };

/* What the text view's runs say of [base, base + pages): 0, 1 r, 2 w. */
static int text_view_mark(const char *text, unsigned char *map,
			  uintptr_t base, size_t pages, uint64_t *total)
{
	const char *line;
	int runs = 0;

	*total = 0;
	for (line = text; line && *line; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL) {
		struct vmscope_wss_rec r = { 0 };
		unsigned long long lo, hi, n;
		char fl[8];

		if (sscanf(line, "%16llx %16llx %llu %7s", &lo, &hi, &n,
			   fl) != 4)
			continue;
		if (hi != lo + n * PAGE)
			return -1;
		runs++;
		*total += n;
		r.addr = lo;
		r.pages = n;
		r.flags = fl[0] == 'w' ? VMSCOPE_WSS_WRITTEN : 0;
		mark(map, &r, base, pages);
	}
	return runs;
}

/* "key: N" of the text view; -1 if missing. */
static long long text_view_key(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/* Read the whole text view of @pid into @text; its length. */
static int text_view_read(pid_t pid, char *text, size_t size)
{
	int fd, n, len = 0;
	char val[16];

	fd = open("/proc/vmscope/wss", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(val, sizeof(val), "%d", pid);
	if (write(fd, val, n) != n) {
		close(fd);
		return -EIO;
	}
	while ((n = pread(fd, text + len, size - 1 - len, len)) > 0)
		len += n;
	close(fd);
	text[len > 0 ? len : 0] = 0;
	return len;
}

struct text_reader {
	pid_t pid;	/* the process to show */
	pid_t tid;	/* the reading thread */
	int len;
	char text[4096];
};

static void *text_reader(void *arg)
{
	struct text_reader *r = arg;

	__atomic_store_n(&r->tid, gettid(), __ATOMIC_RELEASE);
	r->len = text_view_read(r->pid, r->text, sizeof(r->text));
	return NULL;
}

/*
 * The process exits while the text view sleeps between its two passes
 * (its reader asleep: state S, after the first pass): the view says so,
 * "status: exited", and shows no interval, rather than "ok" and nothing.
 */
TEST_F(wss, proc_text_view_process_exits)
{
	struct text_reader r = { 0 };
	pthread_t t;
	pid_t tid;

	if (access("/proc/vmscope/wss", R_OK))
		SKIP(return, "no /proc/vmscope/wss");
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		for (;;)
			pause();
	}
	r.pid = self->child;
	ASSERT_EQ(0, pthread_create(&t, NULL, text_reader, &r));
	while (!(tid = __atomic_load_n(&r.tid, __ATOMIC_ACQUIRE)))
		usleep(1000);
	while (thread_state(tid) != 'S')
		usleep(200);
	kill(self->child, SIGKILL);
	waitpid(self->child, NULL, 0);
	self->child = 0;
	pthread_join(t, NULL);
	ASSERT_LT(0, r.len);
	EXPECT_NE(NULL, strstr(r.text, "status:         exited\n"))
		TH_LOG("%s", r.text);
	EXPECT_EQ(NULL, strstr(r.text, "t_ms:")) TH_LOG("%s", r.text);
}

/*
 * /proc/vmscope/wss against the kernel's own view: a child loops over a
 * known set of pages (some written, on an anonymous and a file mapping)
 * and over nothing else there.  smaps' Referenced after clear_refs, with
 * the child stopped after a few loops, is that set; the text view's runs
 * (its own 100 ms interval of the running child) are that set page for
 * page, as many pages per VMA as smaps counts, each present in pagemap,
 * the written ones flagged w; its totals add up and its rss is VmRSS.
 */
TEST_F(wss, proc_text_view)
{
	static char text[1 << 16];
	unsigned char anon[ANON_PAGES] = { 0 }, file[FILE_PAGES] = { 0 };
	volatile uint64_t *iter;
	char path[64], *a, *f = self->sh.file;
	long ref_anon, ref_file, rss;
	uint64_t total, start, i;
	int runs;

	if (access("/proc/vmscope/wss", R_OK))
		SKIP(return, "no /proc/vmscope/wss");
	a = map_own(ANON_PAGES);
	ASSERT_NE(NULL, a);
	iter = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, iter);
	*iter = 0;
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		volatile char *v, *wa = a, *wf = f;
		uint64_t k;

		for (k = 0; k < ANON_PAGES; k++)
			a[k * PAGE] = 1;
		for (k = 0; k < FILE_PAGES; k++)
			(void)*(volatile char *)(f + k * PAGE);
		raise(SIGSTOP);
		for (k = 0;; k++) {
			for (i = 0; i < ARRAY_SIZE(tv_anon_read); i++) {
				v = a + tv_anon_read[i] * PAGE;
				(void)*v;
			}
			for (i = 0; i < ARRAY_SIZE(tv_anon_write); i++)
				wa[tv_anon_write[i] * PAGE] = k;
			for (i = 0; i < ARRAY_SIZE(tv_file_read); i++) {
				v = f + tv_file_read[i] * PAGE;
				(void)*v;
			}
			for (i = 0; i < ARRAY_SIZE(tv_file_write); i++)
				wf[tv_file_write[i] * PAGE] = k;
			*iter = k;
		}
	}
	wait_stopped(_metadata, self->child);
	/*
	 * "1" clears the Accessed bits but flushes no TLB (only the
	 * soft-dirty "4" does, with flush_tlb_mm()): a loop whose
	 * translations stay cached would look idle.  "4" after it is the
	 * flush.
	 */
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", self->child);
	ASSERT_EQ(0, write_file(path, "1"));
	ASSERT_EQ(0, write_file(path, "4"));
	/* a few loops, then stopped: smaps sees the set */
	start = *iter;
	kill(self->child, SIGCONT);
	while (*iter < start + 3)
		usleep(1000);
	kill(self->child, SIGSTOP);
	wait_stopped(_metadata, self->child);
	ref_anon = smaps_key(self->child, (uintptr_t)a, "Referenced:");
	ref_file = smaps_key(self->child, (uintptr_t)f, "Referenced:");
	ASSERT_EQ((long)(ARRAY_SIZE(tv_anon_read) +
			 ARRAY_SIZE(tv_anon_write)) * 4, ref_anon);
	ASSERT_EQ((long)(ARRAY_SIZE(tv_file_read) +
			 ARRAY_SIZE(tv_file_write)) * 4, ref_file);

	/* the text view, of the running child */
	kill(self->child, SIGCONT);
	ASSERT_LT(0, text_view_read(self->child, text, sizeof(text)));
	kill(self->child, SIGSTOP);
	wait_stopped(_metadata, self->child);
	rss = status_rss_pages(self->child);

	ASSERT_EQ(self->child, text_view_key(text, "pid:"));
	ASSERT_NE(NULL, strstr(text, "status:         ok\n")) TH_LOG("%s", text);
	runs = text_view_mark(text, anon, (uintptr_t)a, ANON_PAGES, &total);
	ASSERT_LT(0, runs) TH_LOG("%s", text);
	text_view_mark(text, file, (uintptr_t)f, FILE_PAGES, &total);
	ASSERT_EQ(text_view_key(text, "referenced:"), (long long)total);
	ASSERT_LE(text_view_key(text, "written:"), (long long)total);
	/* the child does not grow: its RSS then is its RSS now */
	ASSERT_EQ(rss, text_view_key(text, "rss:"));

	/* as many pages per VMA as smaps counts, then page for page */
	for (i = 0, total = 0; i < ANON_PAGES; i++)
		total += !!anon[i];
	ASSERT_EQ(ref_anon / 4, (long)total);
	for (i = 0, total = 0; i < FILE_PAGES; i++)
		total += !!file[i];
	ASSERT_EQ(ref_file / 4, (long)total);
	for (i = 0; i < ARRAY_SIZE(tv_anon_read); i++) {
		ASSERT_EQ(1, anon[tv_anon_read[i]]) TH_LOG("%s", text);
		anon[tv_anon_read[i]] = 0;
	}
	for (i = 0; i < ARRAY_SIZE(tv_anon_write); i++) {
		ASSERT_EQ(2, anon[tv_anon_write[i]]) TH_LOG("%s", text);
		anon[tv_anon_write[i]] = 0;
	}
	for (i = 0; i < ARRAY_SIZE(tv_file_read); i++) {
		ASSERT_EQ(1, file[tv_file_read[i]]) TH_LOG("%s", text);
		file[tv_file_read[i]] = 0;
	}
	for (i = 0; i < ARRAY_SIZE(tv_file_write); i++) {
		ASSERT_EQ(2, file[tv_file_write[i]]) TH_LOG("%s", text);
		file[tv_file_write[i]] = 0;
	}
	for (i = 0; i < ANON_PAGES; i++)
		ASSERT_EQ(0, anon[i]) TH_LOG("anon page %lu", (unsigned long)i);
	for (i = 0; i < FILE_PAGES; i++)
		ASSERT_EQ(0, file[i]) TH_LOG("file page %lu", (unsigned long)i);
	/* each page of the set is present */
	for (i = 0; i < ARRAY_SIZE(tv_anon_read); i++)
		ASSERT_TRUE(pagemap_entry(self->child, (uintptr_t)a +
					  tv_anon_read[i] * PAGE) & PM_PRESENT);
	for (i = 0; i < ARRAY_SIZE(tv_file_write); i++)
		ASSERT_TRUE(pagemap_entry(self->child, (uintptr_t)f +
					  tv_file_write[i] * PAGE) & PM_PRESENT);
	munmap((void *)iter, PAGE);
	munmap(a, ANON_PAGES * PAGE);
}

#define DAMON		"/sys/kernel/mm/damon/admin/kdamonds"
#define DAMON_CTX	DAMON "/0/contexts/0"
#define HOT_PAGES	256
#define COLD_PAGES	4096
#define TLB_FLUSH_PAGES	64

static int damon_set(const char *rel, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", DAMON, rel);
	return write_file(path, val);
}

static long long damon_get(const char *rel)
{
	char path[256], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", DAMON, rel);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoll(buf, NULL, 0);
}

/* How many regions the stat scheme reported (directories 0..N-1). */
static long long damon_tried_regions(void)
{
	char rel[96];
	long long n;

	for (n = 0;; n++) {
		snprintf(rel, sizeof(rel),
			 "0/contexts/0/schemes/0/tried_regions/%lld/start", n);
		if (damon_get(rel) < 0)
			return n;
	}
}

/*
 * DAMON_STAT, on by default where it exists (Debian's 7.2), runs its own
 * kdamond, and while it runs the sysfs interface's "on" is EBUSY: turned
 * off for the test and back on after it.
 */
#define DAMON_STAT_ENABLED "/sys/module/damon_stat/parameters/enabled"
static bool damon_stat_paused;

static void damon_off(void)
{
	damon_set("0/state", "off");
	damon_set("nr_kdamonds", "0");
}

static void damon_stat_resume(void)
{
	if (damon_stat_paused && !write_file(DAMON_STAT_ENABLED, "Y"))
		damon_stat_paused = false;
}

static void damon_stat_pause(void)
{
	char buf[4] = "";
	FILE *f = fopen(DAMON_STAT_ENABLED, "re");

	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f) && buf[0] == 'Y' &&
	    !write_file(DAMON_STAT_ENABLED, "N"))
		damon_stat_paused = true;
	fclose(f);
}

/* One kdamond, vaddr, @pid, a "stat" scheme to read its regions through. */
static int damon_on(pid_t pid)
{
	char val[16];

	snprintf(val, sizeof(val), "%d", pid);
	damon_stat_pause();
	return damon_set("nr_kdamonds", "1") ?:
	       damon_set("0/contexts/nr_contexts", "1") ?:
	       damon_set("0/contexts/0/operations", "vaddr") ?:
	       damon_set("0/contexts/0/monitoring_attrs/intervals/sample_us",
			 "5000") ?:
	       damon_set("0/contexts/0/monitoring_attrs/intervals/aggr_us",
			 "100000") ?:
	       damon_set("0/contexts/0/monitoring_attrs/nr_regions/min", "10") ?:
	       damon_set("0/contexts/0/monitoring_attrs/nr_regions/max",
			 "1000") ?:
	       damon_set("0/contexts/0/targets/nr_targets", "1") ?:
	       damon_set("0/contexts/0/targets/0/pid_target", val) ?:
	       damon_set("0/contexts/0/schemes/nr_schemes", "1") ?:
	       damon_set("0/contexts/0/schemes/0/action", "stat") ?:
	       /* a new scheme's ranges are [0, 0]: make it match everything */
	       damon_set("0/contexts/0/schemes/0/access_pattern/sz/max",
			 "18446744073709551615") ?:
	       damon_set("0/contexts/0/schemes/0/access_pattern/nr_accesses/max",
			 "4294967295") ?:
	       damon_set("0/contexts/0/schemes/0/access_pattern/age/max",
			 "4294967295") ?:
	       damon_set("0/state", "on");
}

static uint64_t overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	uint64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;

	return hi > lo ? hi - lo : 0;
}

#define MR_PAGES	10000	/* every other one read: 5,000 runs */
#define MR_SHOWN	4095	/* runs /proc/vmscope/wss shows */

/*
 * An interval of more runs than /proc/vmscope/wss shows: a child keeps
 * reading every other page of 10,000, so that each of the 5,000 is a run
 * of its own.  The text view shows the first 4,095 runs and says how many
 * more there were; its totals count them all.  (It used to show no
 * interval at all, only "truncated".)  The view's interval is 100 ms of
 * the child's life: it is read once the child has gone through its pages
 * twice, and again (up to three times) if the child read less than the
 * set in it (once, on 6.1 under TCG, the child read 2 pages in it).
 */
TEST_F(wss, proc_text_view_many_runs)
{
	static unsigned char map[MR_PAGES];
	static char text[1 << 19];
	long long referenced = -1, hidden;
	int tries, len, runs;
	uint64_t total, i;
	uint64_t *loops;
	char *a;

	if (access("/proc/vmscope/wss", R_OK))
		SKIP(return, "no /proc/vmscope/wss");
	a = map_own(MR_PAGES);
	ASSERT_NE(NULL, a);
	loops = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, loops);
	for (i = 0; i < MR_PAGES; i += 2)
		a[i * PAGE] = 1;
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child)
		for (;;) {
			for (i = 0; i < MR_PAGES; i += 2)
				(void)*(volatile char *)(a + i * PAGE);
			__atomic_add_fetch(loops, 1, __ATOMIC_RELEASE);
		}
	for (i = 0; i < 1000 && __atomic_load_n(loops, __ATOMIC_ACQUIRE) < 2;
	     i++)
		usleep(10000);
	ASSERT_LE(2, __atomic_load_n(loops, __ATOMIC_ACQUIRE));
	for (tries = 0; tries < 3 && referenced < MR_PAGES / 2; tries++) {
		len = text_view_read(self->child, text, sizeof(text));
		ASSERT_LT(0, len);
		referenced = text_view_key(text, "referenced:");
		TH_LOG("read %d: %lld pages referenced", tries + 1, referenced);
	}

	ASSERT_NE(NULL, strstr(text, "status:         ok\n")) TH_LOG("%.2000s", text);
	runs = text_view_mark(text, map, (uintptr_t)a, MR_PAGES, &total);
	hidden = text_view_key(text, "runs not shown:");
	TH_LOG("%d runs shown (%llu pages), %lld not, %lld pages referenced",
	       runs, (unsigned long long)total, hidden, referenced);
	EXPECT_EQ(MR_SHOWN, runs);
	/* every page of the set was read in the interval: a run each */
	EXPECT_LE(MR_PAGES / 2 - MR_SHOWN, hidden);
	EXPECT_LE(MR_PAGES / 2, referenced);
	EXPECT_LE((long long)total + hidden, referenced);
	/* the runs shown are the set's: single pages, none of the others */
	for (i = 1; i < MR_PAGES; i += 2)
		ASSERT_EQ(0, map[i]) TH_LOG("page %lu", (unsigned long)i);
	munmap(loops, PAGE);
	munmap(a, MR_PAGES * PAGE);
}

/*
 * A process that keeps reading a hot set of pages and leaves a larger
 * cold set alone, seen by DAMON's vaddr monitoring (6.12) and then by the
 * sampler: the sampler's hot set is exactly the hot pages in every
 * interval and the cold pages never; DAMON, region-approximate, finds
 * most of the hot set accessed and the cold set mostly not, so the two
 * agree within what DAMON documents (regions, not pages).
 */
TEST_F(wss, damon_agrees)
{
	static struct vmscope_wss_rec rec[4096];
	uint64_t hot, cold, damon_hot = 0, damon_cold = 0;
	uint64_t ref_hot = 0, max_hot = 0, any_cold = 0;
	struct vmscope_wss_read rd;
	long long nr = 0, i;
	char *m, *flush;
	int tries;

	if (access(DAMON "/nr_kdamonds", W_OK))
		SKIP(return, "no DAMON sysfs interface (CONFIG_DAMON_SYSFS, 6.12)");
	m = mmap(NULL, (HOT_PAGES + COLD_PAGES) * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	madvise(m, (HOT_PAGES + COLD_PAGES) * PAGE, MADV_NOHUGEPAGE);
	flush = map_own(TLB_FLUSH_PAGES);
	ASSERT_NE(NULL, flush);
	hot = (uintptr_t)m;
	cold = hot + HOT_PAGES * PAGE;
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		volatile char *v = m;
		uint64_t k, n, sum = 0;

		memset(m, 1, (HOT_PAGES + COLD_PAGES) * PAGE);
		memset(flush, 1, TLB_FLUSH_PAGES * PAGE);
		for (n = 0;; n++) {
			for (k = 0; k < HOT_PAGES; k++)
				sum += v[k * PAGE];
			/*
			 * DAMON clears Accessed bits without a TLB flush
			 * (as x86's ptep_clear_flush_young() does): a loop
			 * whose translations never leave the TLB would look
			 * idle to it.  Changing the protection of more than
			 * 33 mapped pages flushes this mm's TLBs whole
			 * (flush_tlb_mm_range()'s ceiling): the turnover a
			 * real program's TLB has.
			 */
			if (n % 16 == 0) {
				mprotect(flush, TLB_FLUSH_PAGES * PAGE,
					 PROT_READ);
				mprotect(flush, TLB_FLUSH_PAGES * PAGE,
					 PROT_READ | PROT_WRITE);
			}
		}
	}
	usleep(300000);
	ASSERT_EQ(0, damon_on(self->child)) {
		damon_off();
	}
	/*
	 * regions split and merge per aggregation: give it some (a minute at
	 * most; a loaded host slows kdamond as it slows the child)
	 */
	for (tries = 0; tries < 120; tries++) {
		usleep(500000);
		if (damon_set("0/state", "update_schemes_tried_regions"))
			break;
		nr = damon_tried_regions();
		damon_hot = damon_cold = 0;
		for (i = 0; i < nr; i++) {
			char base[96], k[128];
			uint64_t s0, s1;
			long long acc;

			snprintf(base, sizeof(base),
				 "0/contexts/0/schemes/0/tried_regions/%lld", i);
			snprintf(k, sizeof(k), "%s/start", base);
			s0 = damon_get(k);
			snprintf(k, sizeof(k), "%s/end", base);
			s1 = damon_get(k);
			snprintf(k, sizeof(k), "%s/nr_accesses", base);
			acc = damon_get(k);
			if (acc <= 0)
				continue;
			damon_hot += overlap(s0, s1, hot, cold);
			damon_cold += overlap(s0, s1, cold,
					      cold + COLD_PAGES * PAGE);
		}
		if (damon_hot * 2 >= HOT_PAGES * PAGE &&
		    damon_cold * 2 <= COLD_PAGES * PAGE)
			break;
	}
	damon_off();
	TH_LOG("DAMON, %lld regions after %d tries: %llu of %lu hot bytes and %llu of %lu cold bytes in regions it saw accessed",
	       nr, tries, (unsigned long long)damon_hot, HOT_PAGES * PAGE,
	       (unsigned long long)damon_cold, COLD_PAGES * PAGE);
	EXPECT_LE(HOT_PAGES * PAGE / 2, damon_hot);
	EXPECT_GE(COLD_PAGES * PAGE / 2, damon_cold);

	/*
	 * The sampler, after DAMON is off: a session of 3 intervals.
	 * DAMON_STAT stays paused: its physical-address sampling clears
	 * Accessed bits of the target's pages too (through the rmap, with
	 * no TLB flush), and a page it clears after the sampler's flush is
	 * not seen for the rest of that interval.  On 7.2 with DAMON_STAT
	 * running, 2 of 30 intervals of a 256-page hot loop missed one page;
	 * with it paused, none (Documentation/abi.md, "Other consumers").
	 */
	ASSERT_EQ(0, wss_start(self->fd, self->child, 0, 200, 3));
	do {
		ASSERT_EQ(0, wss_read(self->fd, rec, 4096, VMSCOPE_WSS_READ_WAIT,
				      &rd));
		for (i = 0; i < rd.count; i++) {
			uint64_t end = rec[i].addr + rec[i].pages * PAGE;

			if (rec[i].type == VMSCOPE_WSS_REC_INTERVAL) {
				ref_hot = 0;
				continue;
			}
			ref_hot += overlap(rec[i].addr, end, hot, cold) / PAGE;
			any_cold += overlap(rec[i].addr, end, cold,
					    cold + COLD_PAGES * PAGE) / PAGE;
			if (ref_hot > max_hot)
				max_hot = ref_hot;
		}
	} while (rd.status == VMSCOPE_WSS_RUNNING || rd.pending);
	damon_stat_resume();
	EXPECT_EQ(VMSCOPE_WSS_DONE, rd.status);
	EXPECT_EQ(HOT_PAGES, max_hot);
	EXPECT_EQ(0, any_cold);
}

/*
 * Hot pages seen in each interval of a session with a thread, until it
 * ends: @counts[i] for interval i (at most @max); how many intervals.
 */
static int hot_per_interval(int fd, uintptr_t hot, uint64_t *counts, int max)
{
	static struct vmscope_wss_rec rec[4096];
	struct vmscope_wss_read rd;
	int n = -1;
	uint32_t i;

	do {
		if (wss_read(fd, rec, 4096, VMSCOPE_WSS_READ_WAIT, &rd))
			return -1;
		for (i = 0; i < rd.count; i++) {
			if (rec[i].type == VMSCOPE_WSS_REC_INTERVAL) {
				if (++n < max)
					counts[n] = 0;
				continue;
			}
			if (n >= 0 && n < max)
				counts[n] += overlap(rec[i].addr, rec[i].addr +
						     rec[i].pages * PAGE, hot,
						     hot + HOT_PAGES * PAGE) / PAGE;
		}
	} while (rd.status == VMSCOPE_WSS_RUNNING || rd.pending);
	return n + 1 < max ? n + 1 : max;
}

#define FLUSH_INTERVALS	4

/*
 * vmscope's TLB flush reaches the CPU the target runs on: a child on
 * another CPU than the test reads 256 pages in a loop and does nothing
 * that flushes its TLB; sampled every 100 ms, every interval has all 256.
 * With VMSCOPE_WSS_NO_FLUSH the loop reads through the translations it
 * cached before the bits were cleared and sets no bit again, so intervals
 * see fewer, often none, until something else flushes that CPU's TLB.
 * The kernel does, at times it chooses (a lazy vmap purge flushes every
 * CPU whole): in repeated runs on 6.12 some no-flush sessions saw all 256
 * in every interval, so that half is logged, not asserted.  DAMON_STAT,
 * which clears Accessed bits too, is paused meanwhile.
 */
TEST_F(wss, flush_reaches_the_target_cpu)
{
	uint64_t flush[FLUSH_INTERVALS], noflush[FLUSH_INTERVALS];
	uint64_t min_flush = HOT_PAGES, min_noflush = HOT_PAGES;
	cpu_set_t cpus;
	int i, n, fd2;
	char *m;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU");
	m = map_own(HOT_PAGES);
	ASSERT_NE(NULL, m);
	memset(m, 1, HOT_PAGES * PAGE);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		volatile char *v = m;
		uint64_t k, sum = 0;

		CPU_ZERO(&cpus);
		CPU_SET(1, &cpus);
		if (sched_setaffinity(0, sizeof(cpus), &cpus))
			_exit(1);
		for (;;)
			for (k = 0; k < HOT_PAGES; k++)
				sum += v[k * PAGE];
	}
	usleep(100000);
	damon_stat_pause();
	ASSERT_EQ(0, wss_start(self->fd, self->child, 0, 100,
			       FLUSH_INTERVALS));
	n = hot_per_interval(self->fd, (uintptr_t)m, flush, FLUSH_INTERVALS);
	ASSERT_EQ(FLUSH_INTERVALS, n);
	fd2 = open(VMSCOPE_DEVICE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, wss_start(fd2, self->child, VMSCOPE_WSS_NO_FLUSH, 100,
			       FLUSH_INTERVALS));
	n = hot_per_interval(fd2, (uintptr_t)m, noflush, FLUSH_INTERVALS);
	close(fd2);
	damon_stat_resume();
	ASSERT_EQ(FLUSH_INTERVALS, n);
	for (i = 0; i < FLUSH_INTERVALS; i++) {
		if (flush[i] < min_flush)
			min_flush = flush[i];
		if (noflush[i] < min_noflush)
			min_noflush = noflush[i];
	}
	TH_LOG("hot pages per interval: %llu %llu %llu %llu flushed, %llu %llu %llu %llu not",
	       (unsigned long long)flush[0], (unsigned long long)flush[1],
	       (unsigned long long)flush[2], (unsigned long long)flush[3],
	       (unsigned long long)noflush[0], (unsigned long long)noflush[1],
	       (unsigned long long)noflush[2], (unsigned long long)noflush[3]);
	EXPECT_EQ(HOT_PAGES, min_flush);
	if (min_noflush == HOT_PAGES)
		TH_LOG("without the flush too: another flush of that CPU's TLB came in every interval");
	munmap(m, HOT_PAGES * PAGE);
}

/* What one round of wss.no_aging saw: per page of each region. */
struct aging_round {
	unsigned char anon[ANON_PAGES], file[FILE_PAGES];
	unsigned char thp[HPAGE / PAGE], huge[HPAGE / PAGE];
	long before[3], after[3];	/* smaps Referenced: anon, file, thp */
};

static void aging_referenced(pid_t pid, const struct shape *sh, long *kb)
{
	kb[0] = smaps_key(pid, (uintptr_t)sh->anon, "Referenced:");
	kb[1] = smaps_key(pid, (uintptr_t)sh->file, "Referenced:");
	kb[2] = smaps_key(pid, (uintptr_t)sh->thp, "Referenced:");
}

/*
 * One round on a stopped child: clear_refs (which clears the Accessed
 * bits, PG_young and PG_referenced), a session of its own with @flags and
 * its clearing pass, the child touches S and stops; smaps' Referenced,
 * the recording pass, smaps' Referenced again.
 */
static void aging_round(struct __test_metadata *_metadata, pid_t child,
			const struct shape *sh, unsigned int flags,
			struct aging_round *ar)
{
	static struct vmscope_wss_rec rec[4096];
	struct vmscope_wss_read rd;
	unsigned int status, i;
	char path[64];
	int fd;

	memset(ar, 0, sizeof(*ar));
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", child);
	ASSERT_EQ(0, write_file(path, "1"));
	fd = open(VMSCOPE_DEVICE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, wss_start(fd, child, VMSCOPE_WSS_MANUAL | flags, 0, 0));
	ASSERT_EQ(0, wss_ctl(fd, VMSCOPE_WSS_OP_PASS, &status));
	ASSERT_EQ(VMSCOPE_WSS_RUNNING, status);
	kill(child, SIGCONT);
	wait_stopped(_metadata, child);
	aging_referenced(child, sh, ar->before);
	ASSERT_EQ(0, wss_ctl(fd, VMSCOPE_WSS_OP_PASS, &status));
	aging_referenced(child, sh, ar->after);
	ASSERT_EQ(0, wss_read(fd, rec, 4096, 0, &rd));
	ASSERT_EQ(0, rd.pending);
	ASSERT_LT(1, rd.count);
	ASSERT_EQ(VMSCOPE_WSS_REC_INTERVAL, rec[0].type);
	for (i = 1; i < rd.count; i++) {
		mark(ar->anon, &rec[i], (uintptr_t)sh->anon, ANON_PAGES);
		mark(ar->file, &rec[i], (uintptr_t)sh->file, FILE_PAGES);
		mark(ar->thp, &rec[i], (uintptr_t)sh->thp, HPAGE / PAGE);
		if (sh->huge)
			mark(ar->huge, &rec[i], (uintptr_t)sh->huge,
			     HPAGE / PAGE);
	}
	close(fd);
}

/*
 * VMSCOPE_WSS_NO_AGING: the same stopped child touches the same set S
 * twice, once sampled by a session that hands references to the kernel's
 * aging, once by one with the flag.  The referenced and written pages are
 * the same, page for page, and are S.  The kernel's view of the aging
 * information is smaps' Referenced, which counts a young entry, PG_young
 * (where vmscope's aging goes with CONFIG_PAGE_IDLE_FLAG, 6.12) and
 * PG_referenced (where folio_mark_accessed() puts a first reference,
 * 6.1): before the recording pass both rounds show S (the Accessed bits);
 * after it, the default round still shows S and the NO_AGING round shows
 * nothing, as after clear_refs.
 */
TEST_F(wss, no_aging)
{
	struct aging_round *aged, *not_aged;
	struct shape *sh = &self->sh;
	long s_kb[3], thp_kb;
	unsigned int i;

	aged = calloc(2, sizeof(*aged));
	ASSERT_NE(NULL, aged);
	not_aged = aged + 1;
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		child_prepare(sh);
		raise(SIGSTOP);
		child_touch(sh);
		raise(SIGSTOP);
		child_touch(sh);
		raise(SIGSTOP);
		_exit(0);
	}
	wait_stopped(_metadata, self->child);
	damon_stat_pause();
	aging_round(_metadata, self->child, sh, 0, aged);
	aging_round(_metadata, self->child, sh, VMSCOPE_WSS_NO_AGING,
		    not_aged);
	damon_stat_resume();

	/* S, with its written pages, in the default round */
	for (i = 0; i < ARRAY_SIZE(anon_read); i++)
		ASSERT_EQ(1, aged->anon[anon_read[i]]);
	for (i = 0; i < ARRAY_SIZE(anon_write); i++)
		ASSERT_EQ(2, aged->anon[anon_write[i]]);
	for (i = 0; i < ARRAY_SIZE(file_read); i++)
		ASSERT_EQ(1, aged->file[file_read[i]]);
	for (i = 0; i < ARRAY_SIZE(file_write); i++)
		ASSERT_EQ(2, aged->file[file_write[i]]);
	ASSERT_EQ(2, aged->thp[5]);
	if (sh->huge)
		ASSERT_EQ(1, aged->huge[0]);
	/* and the same, page for page, with the flag */
	for (i = 0; i < ANON_PAGES; i++)
		ASSERT_EQ(aged->anon[i], not_aged->anon[i]) TH_LOG("anon %u", i);
	for (i = 0; i < FILE_PAGES; i++)
		ASSERT_EQ(aged->file[i], not_aged->file[i]) TH_LOG("file %u", i);
	for (i = 0; i < HPAGE / PAGE; i++) {
		ASSERT_EQ(aged->thp[i], not_aged->thp[i]) TH_LOG("thp %u", i);
		ASSERT_EQ(aged->huge[i], not_aged->huge[i]) TH_LOG("huge %u", i);
	}

	/* smaps' Referenced: S from the Accessed bits, before either pass */
	thp_kb = smaps_key(self->child, (uintptr_t)sh->thp, "AnonHugePages:");
	s_kb[0] = (long)(ARRAY_SIZE(anon_read) + ARRAY_SIZE(anon_write)) * 4;
	s_kb[1] = (long)(ARRAY_SIZE(file_read) + ARRAY_SIZE(file_write)) * 4;
	s_kb[2] = thp_kb == HPAGE / 1024 ? (long)HPAGE / 1024 : 4;
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(s_kb[i], aged->before[i]) TH_LOG("region %u", i);
		ASSERT_EQ(s_kb[i], not_aged->before[i]) TH_LOG("region %u", i);
	}
	/* after the pass: kept by the aging, gone without it */
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(s_kb[i], aged->after[i]) TH_LOG("region %u", i);
		EXPECT_EQ(0, not_aged->after[i]) TH_LOG("region %u", i);
	}
	free(aged);
}

TEST_HARNESS_MAIN
