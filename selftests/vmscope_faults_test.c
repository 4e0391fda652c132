// SPDX-License-Identifier: GPL-2.0
/*
 * VMSCOPE_IOC_FAULTS against /proc/PID/stat, /proc/PID/task/TID/stat and
 * /proc/vmstat, on a stopped child with a thread that has exited, one that
 * waits, and a waited-for grandchild: the counts are equal, and touching
 * N new pages adds exactly N minor faults.  A file on a disk whose pages
 * were dropped from the page cache costs major faults to read through a
 * mapping, and once it is cached, none.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include <linux/magic.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define TOUCH_PAGES	300
#define TOUCH_ROUNDS	3
#define FILE_PAGES	64

/* Field @n (1-based, as proc(5) numbers them) of a stat file. */
static int stat_field(const char *path, int n, unsigned long long *val)
{
	char buf[1024], *p;
	ssize_t len;
	int fd = open(path, O_RDONLY), i;

	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -EIO;
	buf[len] = '\0';
	p = strrchr(buf, ')');		/* the command may hold spaces */
	if (!p)
		return -EIO;
	for (i = 2; i < n && p; i++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -EIO;
	*val = strtoull(p + 1, NULL, 10);
	return 0;
}

static void *touch_and_exit(void *arg)
{
	char *p = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	for (i = 0; p != MAP_FAILED && i < 64; i++)
		p[i * 4096] = 1;
	return NULL;
}

static void *wait_forever(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

/* Write one byte of each of @n pages; not inlined, so it can run twice. */
static void __attribute__((noinline)) touch(volatile char *p, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i * 4096] = 1;
}

/* How many pages the child touches on its next SIGCONT (shared). */
static volatile int *next_touch;

#define MEM_SIZE	((TOUCH_ROUNDS * TOUCH_PAGES + 1) * 4096)

/*
 * The child: threads, a grandchild, then stop; on each SIGCONT it touches
 * *next_touch new pages of @mem and stops again.
 *
 * The grandchild's fork() write-protects every private page of the child
 * (copy on write), and the first write to one after it is a fault, also
 * when the kernel makes it: rseq's cpu_id in a thread's TLS, updated when
 * the thread is preempted or moves to another CPU, does, at any time.  So
 * once the grandchild is waited for, mlockall() makes every page the
 * child has present and writable (and keeps it so: a page reclaimed while
 * the child is stopped would cost a fault too).  @mem is mapped after it,
 * so it is not locked, and not huge: a THP would be one fault for 512
 * pages.  The first round is asked to touch one page, so whatever the
 * first fault in a VMA costs is paid then; each round after that adds
 * only the pages touched.
 */
static void child(void)
{
	pthread_t t;
	char *mem;
	pid_t gc;

	if (pthread_create(&t, NULL, touch_and_exit, NULL))
		_exit(1);
	pthread_join(t, NULL);
	if (pthread_create(&t, NULL, wait_forever, NULL))
		_exit(2);
	gc = fork();
	if (gc == 0) {
		touch_and_exit(NULL);
		_exit(0);
	}
	waitpid(gc, NULL, 0);
	if (mlockall(MCL_CURRENT))
		_exit(4);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || madvise(mem, MEM_SIZE, MADV_NOHUGEPAGE))
		_exit(3);
	for (;;) {
		raise(SIGSTOP);
		touch(mem, *next_touch);
		mem += *next_touch * 4096;
	}
}

static void stop_wait(struct __test_metadata *_metadata, pid_t pid)
{
	int status;

	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
}

FIXTURE(faults)
{
	int fd;
	pid_t child;
	struct vmscope_fault_thread t[16];
	struct vmscope_faults f;
};

static int get_faults(int fd, pid_t pid, struct vmscope_faults *f,
		      struct vmscope_fault_thread *t, unsigned int n)
{
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
	f->pid = pid;
	f->buf = (uintptr_t)t;
	f->buf_count = n;
	return vmscope_ioctl(fd, VMSCOPE_IOC_FAULTS, f);
}

FIXTURE_SETUP(faults)
{
	self->child = -1;
	self->fd = vmscope_open_dev();
	if (self->fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, self->fd);
	next_touch = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, next_touch);
	*next_touch = 0;
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0)
		child();
	stop_wait(_metadata, self->child);
}

FIXTURE_TEARDOWN(faults)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(faults, process_threads_and_children_match_stat)
{
	unsigned long long v;
	char path[64];
	unsigned int i;

	ASSERT_EQ(0, get_faults(self->fd, self->child, &self->f, self->t, 16));
	snprintf(path, sizeof(path), "/proc/%d/stat", self->child);
	ASSERT_EQ(0, stat_field(path, 10, &v));
	EXPECT_EQ(v, self->f.min_flt);
	ASSERT_EQ(0, stat_field(path, 11, &v));
	EXPECT_EQ(v, self->f.cmin_flt);
	ASSERT_EQ(0, stat_field(path, 12, &v));
	EXPECT_EQ(v, self->f.maj_flt);
	ASSERT_EQ(0, stat_field(path, 13, &v));
	EXPECT_EQ(v, self->f.cmaj_flt);
	/* the grandchild touched 64 pages, and was waited for */
	EXPECT_LE(64U, self->f.cmin_flt);

	/* two live threads, each as its own stat says */
	ASSERT_EQ(2U, self->f.nr_threads);
	for (i = 0; i < self->f.nr_threads; i++) {
		snprintf(path, sizeof(path), "/proc/%d/task/%u/stat",
			 self->child, self->t[i].tid);
		ASSERT_EQ(0, stat_field(path, 10, &v));
		EXPECT_EQ(v, self->t[i].min_flt);
		ASSERT_EQ(0, stat_field(path, 12, &v));
		EXPECT_EQ(v, self->t[i].maj_flt);
	}
	/* the exited thread's 64 faults are in the total, not in a thread */
	EXPECT_LE(self->t[0].min_flt + self->t[1].min_flt + 64,
		  self->f.min_flt);
}

/* "key N" of a /proc/vmscope text: the value, or -1 if absent. */
static long long text_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return strtoll(p + klen + 1, NULL, 10);
	return -1;
}

/* Read an open /proc/vmscope file from its start; -errno or the length. */
static ssize_t read_text(int fd, char *buf, size_t len)
{
	ssize_t n, total = 0;

	if (lseek(fd, 0, SEEK_SET))
		return -errno;
	while ((n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	buf[total] = '\0';
	return n < 0 ? -errno : total;
}

TEST_F(faults, proc_file_matches_stat)
{
	static char text[8192];
	unsigned long long v;
	char path[64], pid[16];
	int fd;

	fd = open(VMSCOPE_PROC_DIR "/faults", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	/* the opener's own process until a PID is written */
	ASSERT_LT(0, read_text(fd, text, sizeof(text)));
	EXPECT_EQ(getpid(), text_value(text, "pid"));
	snprintf(pid, sizeof(pid), "%d\n", self->child);
	ASSERT_EQ((ssize_t)strlen(pid), write(fd, pid, strlen(pid)));
	ASSERT_LT(0, read_text(fd, text, sizeof(text)));
	EXPECT_EQ(self->child, text_value(text, "pid"));
	snprintf(path, sizeof(path), "/proc/%d/stat", self->child);
	ASSERT_EQ(0, stat_field(path, 10, &v));
	EXPECT_EQ((long long)v, text_value(text, "min_flt"));
	ASSERT_EQ(0, stat_field(path, 12, &v));
	EXPECT_EQ((long long)v, text_value(text, "maj_flt"));
	ASSERT_EQ(0, stat_field(path, 11, &v));
	EXPECT_EQ((long long)v, text_value(text, "cmin_flt"));
	EXPECT_EQ(2, text_value(text, "threads"));
	/* a thread line: "TID MIN MAJ" for the main thread */
	snprintf(pid, sizeof(pid), "\n%d ", self->child);
	EXPECT_NE(NULL, strstr(text, pid));

	EXPECT_EQ(-1, write(fd, "x\n", 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, "4194303\n", 8));	/* not running */
	EXPECT_EQ(ESRCH, errno);
	/* > PID_MAX_LIMIT, 0: no such process, as the ioctls say */
	EXPECT_EQ(-1, write(fd, "1073741823\n", 11));
	EXPECT_EQ(ESRCH, errno);
	EXPECT_EQ(-1, write(fd, "0\n", 2));
	EXPECT_EQ(ESRCH, errno);
	close(fd);
}

/*
 * One round: the child touches TOUCH_PAGES new pages; vmscope's count of
 * its minor faults grows as /proc/PID/stat's does.  Returns the growth.
 */
static unsigned long long touch_round(struct __test_metadata *_metadata,
				      FIXTURE_DATA(faults) *self)
{
	struct vmscope_faults before, after;
	unsigned long long before_stat, after_stat;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", self->child);
	ASSERT_EQ(0, get_faults(self->fd, self->child, &before, NULL, 0));
	ASSERT_EQ(0, stat_field(path, 10, &before_stat));
	*next_touch = TOUCH_PAGES;
	ASSERT_EQ(0, kill(self->child, SIGCONT));
	stop_wait(_metadata, self->child);
	ASSERT_EQ(0, get_faults(self->fd, self->child, &after, NULL, 0));
	ASSERT_EQ(0, stat_field(path, 10, &after_stat));
	/* vmscope counts what the kernel counts, exactly */
	EXPECT_EQ(after_stat - before_stat, after.min_flt - before.min_flt);
	EXPECT_EQ(before.maj_flt, after.maj_flt);
	return after.min_flt - before.min_flt;
}

TEST_F(faults, touching_n_pages_adds_n_minor_faults)
{
	unsigned long long n = 0;
	int round;

	/* a round that touches one page, then the ones that count */
	*next_touch = 1;
	ASSERT_EQ(0, kill(self->child, SIGCONT));
	stop_wait(_metadata, self->child);
	/*
	 * One fault per page touched, never fewer.  Should a round count
	 * more all the same (a page of the child's migrated while it ran:
	 * mlocked pages may be), the next round is measured, and one of
	 * TOUCH_ROUNDS must be exact.
	 */
	for (round = 0; round < TOUCH_ROUNDS; round++) {
		n = touch_round(_metadata, self);
		EXPECT_LE(TOUCH_PAGES, n);
		if (n == TOUCH_PAGES)
			break;
		TH_LOG("round %d: %d pages touched, %llu minor faults",
		       round, TOUCH_PAGES, n);
	}
	EXPECT_EQ(TOUCH_PAGES, n);
}

TEST_F(faults, system_counters_between_two_vmstat_reads)
{
	unsigned long long f0 = read_vmstat("pgfault");
	unsigned long long m0 = read_vmstat("pgmajfault");

	ASSERT_EQ(0, get_faults(self->fd, self->child, &self->f, NULL, 0));
	EXPECT_LE(f0, self->f.sys_pgfault);
	EXPECT_LE(m0, self->f.sys_pgmajfault);
	EXPECT_GE(read_vmstat("pgfault"), self->f.sys_pgfault);
	EXPECT_GE(read_vmstat("pgmajfault"), self->f.sys_pgmajfault);
}

TEST_F(faults, bad_requests)
{
	struct vmscope_faults f;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.pid = self->child;
	f.buf_count = VMSCOPE_FAULTS_MAX_THREADS + 1;
	f.buf = (uintptr_t)self->t;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_FAULTS, &f));
	f.buf_count = 16;
	f.flags = 1;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_FAULTS, &f));
	f.flags = 0;
	f.__reserved = 1;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_FAULTS, &f));
	f.__reserved = 0;
	f.buf = 8;
	EXPECT_EQ(-EFAULT, vmscope_ioctl(self->fd, VMSCOPE_IOC_FAULTS, &f));
	f.buf = (uintptr_t)self->t;
	f.pid = 2;
	EXPECT_EQ(-ENOENT, vmscope_ioctl(self->fd, VMSCOPE_IOC_FAULTS, &f));
	f.pid = 0x7fffffff;
	EXPECT_EQ(-ESRCH, vmscope_ioctl(self->fd, VMSCOPE_IOC_FAULTS, &f));
	/* fewer records than threads: the first ones, and the count */
	f.pid = self->child;
	f.buf_count = 1;
	EXPECT_EQ(0, vmscope_ioctl(self->fd, VMSCOPE_IOC_FAULTS, &f));
	EXPECT_EQ(2U, f.nr_threads);
}

/* The byte each page of the file_faults tests' file is filled with. */
static char file_byte(int page)
{
	return 'a' + page % 26;
}

/*
 * The child of the file_faults tests: on each SIGCONT it maps the file
 * @fd, reads (and checks) a byte of each of its FILE_PAGES pages, unmaps
 * it, and stops again.  Every round maps it anew, so every round takes
 * faults.
 */
static void file_reader(int fd)
{
	const char *p;
	int i;

	for (;;) {
		raise(SIGSTOP);
		p = mmap(NULL, FILE_PAGES * 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(1);
		for (i = 0; i < FILE_PAGES; i++)
			if (p[i * 4096] != file_byte(i))
				_exit(2);
		munmap((void *)p, FILE_PAGES * 4096);
	}
}

/* How many of the FILE_PAGES pages of the file @fd are in the page cache. */
static int cached_pages(int fd)
{
	unsigned char vec[FILE_PAGES];
	int i, cached = 0;
	void *p;

	p = mmap(NULL, FILE_PAGES * 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (mincore(p, FILE_PAGES * 4096, vec))
		cached = -errno;
	else
		for (i = 0; i < FILE_PAGES; i++)
			cached += vec[i] & 1;
	munmap(p, FILE_PAGES * 4096);
	return cached;
}

/*
 * Create @path with FILE_PAGES pages and drop them from the page cache:
 * after fsync() all are clean and none is mapped, so POSIX_FADV_DONTNEED
 * drops them all.  The open file, or -errno (and no file).
 */
static int make_uncached_file(const char *path)
{
	int fd, i, ret = 0;
	char page[4096];

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	for (i = 0; !ret && i < FILE_PAGES; i++) {
		memset(page, file_byte(i), sizeof(page));
		if (write(fd, page, sizeof(page)) != sizeof(page))
			ret = -EIO;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (!ret)
		ret = -posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (!ret)
		return fd;
	close(fd);
	unlink(path);
	return ret;
}

/*
 * A file on the disk that vm-init.sh mounts at $VMSCOPE_DISK (the root is
 * a tmpfs, whose pages cannot be dropped), read through a mapping by a
 * file_reader() child.
 */
FIXTURE(file_faults)
{
	int fd;
	int file;
	pid_t child;
	char path[PATH_MAX];
};

/* Nothing fails once the file exists: then the teardown removes it. */
FIXTURE_SETUP(file_faults)
{
	const char *dir = getenv("VMSCOPE_DISK");
	struct statfs sfs;

	self->file = -1;
	self->child = -1;
	self->fd = vmscope_open_dev();
	if (self->fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, self->fd);
	if (!dir)
		SKIP(return, "no disk: VMSCOPE_DISK is not set (vm-init.sh sets it)");
	ASSERT_EQ(0, statfs(dir, &sfs)) {
		TH_LOG("VMSCOPE_DISK=%s: %s", dir, strerror(errno));
	}
	if (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC)
		SKIP(return, "VMSCOPE_DISK=%s: page cache of tmpfs cannot be dropped",
		     dir);
	snprintf(self->path, sizeof(self->path), "%s/vmscope_faults.%d", dir,
		 getpid());
	self->file = make_uncached_file(self->path);
	ASSERT_LE(0, self->file) {
		TH_LOG("%s: %s", self->path, strerror(-self->file));
	}
}

FIXTURE_TEARDOWN(file_faults)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->file >= 0) {
		close(self->file);
		unlink(self->path);
	}
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(file_faults, read_after_dropping_caches_adds_major_faults)
{
	unsigned long long stat_maj, stat_min, m0, m1;
	struct vmscope_faults f0, f1, f2;
	char path[64];

	/* nothing has read the file since its pages were dropped */
	ASSERT_EQ(0, cached_pages(self->file));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0)
		file_reader(self->file);
	stop_wait(_metadata, self->child);
	snprintf(path, sizeof(path), "/proc/%d/stat", self->child);
	ASSERT_EQ(0, get_faults(self->fd, self->child, &f0, NULL, 0));

	/* the first round reads the pages from the disk */
	ASSERT_EQ(0, kill(self->child, SIGCONT));
	stop_wait(_metadata, self->child);
	m0 = read_vmstat("pgmajfault");
	ASSERT_EQ(0, get_faults(self->fd, self->child, &f1, NULL, 0));
	m1 = read_vmstat("pgmajfault");
	ASSERT_EQ(0, stat_field(path, 12, &stat_maj));
	ASSERT_EQ(0, stat_field(path, 10, &stat_min));
	EXPECT_EQ(stat_maj, f1.maj_flt);
	EXPECT_EQ(stat_min, f1.min_flt);
	EXPECT_EQ(FILE_PAGES, cached_pages(self->file));
	/*
	 * At least the first page's fault waited for a read; readahead
	 * brings in more pages with it, so not one per page.
	 */
	EXPECT_LE(1, f1.maj_flt - f0.maj_flt);
	EXPECT_GE(FILE_PAGES, f1.maj_flt - f0.maj_flt);
	EXPECT_LE(m0, f1.sys_pgmajfault);
	EXPECT_GE(m1, f1.sys_pgmajfault);

	/* the second round finds every page in the page cache */
	ASSERT_EQ(0, kill(self->child, SIGCONT));
	stop_wait(_metadata, self->child);
	ASSERT_EQ(0, get_faults(self->fd, self->child, &f2, NULL, 0));
	ASSERT_EQ(0, stat_field(path, 12, &stat_maj));
	ASSERT_EQ(0, stat_field(path, 10, &stat_min));
	EXPECT_EQ(stat_maj, f2.maj_flt);
	EXPECT_EQ(stat_min, f2.min_flt);
	EXPECT_EQ(f1.maj_flt, f2.maj_flt);
	EXPECT_LT(f1.min_flt, f2.min_flt);
	TH_LOG("%d pages read: %llu major faults; read again: %llu minor faults",
	       FILE_PAGES, (unsigned long long)(f1.maj_flt - f0.maj_flt),
	       (unsigned long long)(f2.min_flt - f1.min_flt));
}

TEST_HARNESS_MAIN
