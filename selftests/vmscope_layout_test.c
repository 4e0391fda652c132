// SPDX-License-Identifier: GPL-2.0
/*
 * VMSCOPE_IOC_LAYOUT and /proc/vmscope/layout against the kernel's own
 * view, on a stopped process of known shape (layout_shape, built dynamic
 * and static): VMAs one for one with /proc/PID/maps, residency with
 * smaps, the totals with status, and each region of the shape classified
 * as what it is.  And a VMA that grows while a call waits to write out
 * records is not described twice.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define MAX_VMAS	512

struct maps_line {
	uint64_t start, end;
	char perms[5];
	char path[256];
	long long rss, anon, swap;	/* kB, from smaps */
};

/* Addresses the shape printed: "name address" lines. */
struct shape_addrs {
	uint64_t text, bss, data, rodata, heap, big, shared, stack;
	uint64_t thread[2];
};

FIXTURE(layout)
{
	int fd;
	pid_t child;
	struct shape_addrs a;
	struct vmscope_layout lo;
	struct vmscope_layout_vma v[MAX_VMAS];
	struct maps_line m[MAX_VMAS];
	int nm;
};

FIXTURE_VARIANT(layout)
{
	const char *program;
	bool page_out;		/* swap out a MiB of "big" first */
};

FIXTURE_VARIANT_ADD(layout, dynamic) { .program = "./layout_shape" };
FIXTURE_VARIANT_ADD(layout, static_binary) {
	.program = "./layout_shape_static"
};
/* so that swap is compared with a number that is not 0 */
FIXTURE_VARIANT_ADD(layout, swapped) {
	.program = "./layout_shape", .page_out = true,
};

/* Read until the last line (the second thread): the pipe stays open. */
static void read_addrs(FILE *f, struct shape_addrs *a)
{
	char name[32];
	void *p;
	int t = 0;

	while (t < 2 && fscanf(f, "%31s %p", name, &p) == 2) {
		uint64_t v = (uintptr_t)p;

		if (!strcmp(name, "text"))
			a->text = v;
		else if (!strcmp(name, "bss"))
			a->bss = v;
		else if (!strcmp(name, "data"))
			a->data = v;
		else if (!strcmp(name, "rodata"))
			a->rodata = v;
		else if (!strcmp(name, "heap"))
			a->heap = v;
		else if (!strcmp(name, "big"))
			a->big = v;
		else if (!strcmp(name, "shared"))
			a->shared = v;
		else if (!strcmp(name, "stack"))
			a->stack = v;
		else if (!strcmp(name, "thread") && t < 2)
			a->thread[t++] = v;
	}
}

/* /proc/PID/smaps: every VMA with Rss, Anonymous and Swap. */
static int read_smaps(pid_t pid, struct maps_line *m, int max)
{
	char path[64], line[512];
	int n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		struct maps_line *cur = n >= 0 ? &m[n] : NULL;
		uint64_t s, e;
		int off = 0;

		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &s, &e,
			   m[n + 1 < max ? n + 1 : n].perms, &off) >= 3 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			if (++n >= max)
				break;
			m[n].start = s;
			m[n].end = e;
			snprintf(m[n].path, sizeof(m[n].path), "%s",
				 line + off);
			m[n].path[strcspn(m[n].path, "\n")] = '\0';
			m[n].rss = m[n].anon = m[n].swap = 0;
		} else if (cur && !strncmp(line, "Rss:", 4)) {
			cur->rss = atoll(line + 4);
		} else if (cur && !strncmp(line, "Anonymous:", 10)) {
			cur->anon = atoll(line + 10);
		} else if (cur && !strncmp(line, "Swap:", 5)) {
			cur->swap = atoll(line + 5);
		}
	}
	fclose(f);
	return n + 1;
}

static int fetch_layout(int fd, pid_t pid, struct vmscope_layout *lo,
			struct vmscope_layout_vma *v, int max)
{
	int n = 0;

	memset(lo, 0, sizeof(*lo));
	do {
		lo->size = sizeof(*lo);
		lo->pid = pid;
		lo->rec_size = sizeof(*v);
		lo->start = lo->next;
		lo->buf = (uintptr_t)(v + n);
		lo->buf_count = 7;	/* small: resuming is exercised */
		if (n + 7 > max || vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, lo))
			return -1;
		n += lo->count;
	} while (!(lo->out_flags & VMSCOPE_LAYOUT_DONE));
	return n;
}

/* MADV_PAGEOUT of [@addr rounded up to a page, + @len) of process @pid. */
static int page_out(pid_t pid, uint64_t addr, size_t len)
{
	struct iovec iov = {
		.iov_base = (void *)(uintptr_t)((addr + 4095) & ~4095ULL),
		.iov_len = len,
	};
	int pidfd = syscall(SYS_pidfd_open, pid, 0), err = 0;

	if (pidfd < 0)
		return -errno;
	if (syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_PAGEOUT, 0) !=
	    (long)len)
		err = -errno ?: -EIO;
	close(pidfd);
	return err;
}

FIXTURE_SETUP(layout)
{
	int pipefd[2], status, n;
	FILE *f;

	self->child = -1;
	self->fd = vmscope_open_dev();
	if (self->fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, self->fd);
	if (access(variant->program, X_OK))
		SKIP(return, "%s not built", variant->program);

	ASSERT_EQ(0, pipe(pipefd));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execl(variant->program, variant->program, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	ASSERT_EQ(self->child, waitpid(self->child, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
	f = fdopen(pipefd[0], "r");
	ASSERT_NE(NULL, f);
	memset(&self->a, 0, sizeof(self->a));
	read_addrs(f, &self->a);
	fclose(f);
	ASSERT_NE(0, self->a.thread[1]);
	if (variant->page_out)
		ASSERT_EQ(0, page_out(self->child, self->a.big, 1 << 20));

	n = fetch_layout(self->fd, self->child, &self->lo, self->v, MAX_VMAS);
	ASSERT_LT(0, n);
	self->lo.count = n;
	self->nm = read_smaps(self->child, self->m, MAX_VMAS);
	ASSERT_LT(0, self->nm);
}

FIXTURE_TEARDOWN(layout)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->fd >= 0)
		close(self->fd);
}

/* [vsyscall] is the x86-64 gate area: in maps, but not a VMA of the mm. */
static bool is_vsyscall(const struct maps_line *m)
{
	return !strcmp(m->path, "[vsyscall]");
}

TEST_F(layout, vmas_match_maps_and_smaps)
{
	int i, j = 0;

	for (i = 0; i < self->nm; i++) {
		const struct maps_line *m = &self->m[i];
		const struct vmscope_layout_vma *v;
		char perms[5];

		if (is_vsyscall(m))
			continue;
		ASSERT_LT(j, (int)self->lo.count);
		v = &self->v[j++];
		snprintf(perms, sizeof(perms), "%c%c%c%c",
			 v->vma.perms & VMSCOPE_VMA_READ ? 'r' : '-',
			 v->vma.perms & VMSCOPE_VMA_WRITE ? 'w' : '-',
			 v->vma.perms & VMSCOPE_VMA_EXEC ? 'x' : '-',
			 v->vma.perms & VMSCOPE_VMA_SHARED ? 's' : 'p');
		EXPECT_EQ(m->start, v->vma.start);
		EXPECT_EQ(m->end, v->vma.end);
		EXPECT_STREQ(m->perms, perms);
		EXPECT_STREQ(m->path, v->vma.name);
		EXPECT_EQ(m->rss, (long long)((v->rss_anon + v->rss_file +
					       v->rss_shmem) >> 10));
		EXPECT_EQ(m->anon, (long long)(v->rss_anon >> 10));
		EXPECT_EQ(m->swap, (long long)(v->swap >> 10));
	}
	EXPECT_EQ(j, (int)self->lo.count);
}

/* The segment of the VMA holding @addr. */
static int segment_at(const struct vmscope_layout_vma *v, int n,
		      uint64_t addr)
{
	int i;

	for (i = 0; i < n; i++)
		if (addr >= v[i].vma.start && addr < v[i].vma.end)
			return v[i].segment;
	return -1;
}

TEST_F(layout, segments_are_what_the_program_made)
{
	const struct vmscope_layout_vma *v = self->v;
	int n = self->lo.count, i, vdso = 0;

	EXPECT_EQ(VMSCOPE_SEG_TEXT, segment_at(v, n, self->a.text));
	EXPECT_EQ(VMSCOPE_SEG_RODATA, segment_at(v, n, self->a.rodata));
	EXPECT_EQ(VMSCOPE_SEG_DATA, segment_at(v, n, self->a.data));
	/* 1 MiB of bss: past the file's data, an anonymous VMA of its own */
	EXPECT_EQ(VMSCOPE_SEG_BSS, segment_at(v, n, self->a.bss + (512 << 10)));
	EXPECT_EQ(VMSCOPE_SEG_HEAP, segment_at(v, n, self->a.heap));
	EXPECT_EQ(VMSCOPE_SEG_MMAP_ANON, segment_at(v, n, self->a.big));
	EXPECT_EQ(VMSCOPE_SEG_SHMEM, segment_at(v, n, self->a.shared));
	EXPECT_EQ(VMSCOPE_SEG_STACK, segment_at(v, n, self->a.stack));
	EXPECT_EQ(VMSCOPE_SEG_THREAD_STACK,
		  segment_at(v, n, self->a.thread[0]));
	EXPECT_EQ(VMSCOPE_SEG_THREAD_STACK,
		  segment_at(v, n, self->a.thread[1]));
	for (i = 0; i < n; i++)
		vdso += v[i].segment == VMSCOPE_SEG_VDSO;
	EXPECT_EQ(1, vdso);
	/* the heap's marker and the VMA agree */
	EXPECT_LE(self->lo.start_brk, self->a.heap);
	EXPECT_GT(self->lo.brk, self->a.heap);
	EXPECT_LE(self->lo.start_code, self->a.text);
	EXPECT_GT(self->lo.end_code, self->a.text);
}

/* Sum of "key: N kB" in /proc/PID/status. */
static long long status_kb(pid_t pid, const char *key)
{
	char path[64], val[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_key(path, key, val, sizeof(val)))
		return -1;
	return atoll(val);
}

TEST_F(layout, totals_match_status)
{
	const struct vmscope_layout *lo = &self->lo;
	pid_t pid = self->child;
	int vmas = 0, i;

	EXPECT_EQ(status_kb(pid, "RssAnon"), (long long)(lo->rss_anon >> 10));
	EXPECT_EQ(status_kb(pid, "RssFile"), (long long)(lo->rss_file >> 10));
	EXPECT_EQ(status_kb(pid, "RssShmem"),
		  (long long)(lo->rss_shmem >> 10));
	EXPECT_EQ(status_kb(pid, "VmSwap"), (long long)(lo->swap >> 10));
	/* not vacuous: most of the MiB paged out is in swap */
	if (variant->page_out)
		EXPECT_LE(512, status_kb(pid, "VmSwap"));
	EXPECT_EQ(status_kb(pid, "VmSize"), (long long)(lo->total_vm >> 10));
	EXPECT_EQ(status_kb(pid, "Threads"), lo->nr_threads);
	for (i = 0; i < self->nm; i++)
		vmas += !is_vsyscall(&self->m[i]);
	EXPECT_EQ(vmas, (int)lo->map_count);
	EXPECT_EQ(vmas, (int)self->lo.count);
}

/* /proc/vmscope/layout, with the PID written to the open file. */
TEST_F(layout, proc_file_matches_ioctl)
{
	char pid[16], line[512];
	int fd, i = 0, n;
	FILE *f;

	fd = open(VMSCOPE_PROC_DIR "/layout", O_RDWR);
	ASSERT_LE(0, fd);
	n = snprintf(pid, sizeof(pid), "%d\n", self->child);
	ASSERT_EQ(n, write(fd, pid, n));
	f = fdopen(fd, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	EXPECT_EQ('#', line[0]);
	while (fgets(line, sizeof(line), f) && i < (int)self->lo.count) {
		const struct vmscope_layout_vma *v = &self->v[i++];
		unsigned long long s, e, rss, anon, file, shmem, swap;

		ASSERT_EQ(7, sscanf(line, "%llx-%llx %*s %*s %llu %llu %llu %llu %llu",
				    &s, &e, &rss, &anon, &file, &shmem, &swap));
		EXPECT_EQ(v->vma.start, s);
		EXPECT_EQ(v->vma.end, e);
		EXPECT_EQ((v->rss_anon + v->rss_file + v->rss_shmem) >> 10,
			  rss);
		EXPECT_EQ(v->rss_anon >> 10, anon);
		EXPECT_EQ(v->swap >> 10, swap);
	}
	EXPECT_EQ((int)self->lo.count, i);
	fclose(f);
}

/* The choice of process belongs to one open file and comes first. */
TEST(proc_file_choice)
{
	char buf[256];
	int fd = open(VMSCOPE_PROC_DIR "/layout", O_RDWR);

	if (fd < 0 && errno == ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, write(fd, "x\n", 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, "0\n", 2));
	EXPECT_EQ(ESRCH, errno);	/* as the ioctls: no such process */
	/* nothing written: the reader's own process */
	EXPECT_LT(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(fd, "1\n", 2));
	EXPECT_EQ(EBUSY, errno);
	close(fd);

	fd = open(VMSCOPE_PROC_DIR "/layout", O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, write(fd, "4194303\n", 8));
	EXPECT_EQ(ESRCH, errno);
	close(fd);
	/* kthreadd has no address space */
	fd = open(VMSCOPE_PROC_DIR "/layout", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(2, write(fd, "2\n", 2));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(ENOENT, errno);
	close(fd);
}

/* A good request for two records; the tests then spoil one field. */
static struct vmscope_layout *lo_init(struct vmscope_layout *lo,
				      struct vmscope_layout_vma *v)
{
	memset(lo, 0, sizeof(*lo));
	lo->size = sizeof(*lo);
	lo->pid = getpid();
	lo->rec_size = sizeof(*v);
	lo->buf = (uintptr_t)v;
	lo->buf_count = 2;
	return lo;
}

TEST(bad_requests)
{
	struct vmscope_info in = { 0 };
	struct vmscope_layout_vma v[2];
	struct vmscope_layout lo;
	int fd = vmscope_open_dev();

	if (fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, lo_init(&lo, v)));
	EXPECT_EQ(2U, lo.count);
	lo_init(&lo, v)->flags = 1;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo));
	lo_init(&lo, v)->__reserved = 1;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo));
	lo_init(&lo, v)->rec_size = 16;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo));
	lo_init(&lo, v)->buf_count = 0;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo));
	lo_init(&lo, v)->buf_count = 1ULL << 60;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo));
	lo_init(&lo, v)->start = ~0ULL;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo));
	lo_init(&lo, v)->buf = 0;
	EXPECT_EQ(-EFAULT, vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo));
	lo_init(&lo, v)->pid = 2;
	EXPECT_EQ(-ENOENT, vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo));
	lo_init(&lo, v)->pid = 0x7fffffff;
	EXPECT_EQ(-ESRCH, vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo));
	/* past the last VMA: nothing, and done */
	in.size = sizeof(in);
	ASSERT_EQ(0, vmscope_ioctl(fd, VMSCOPE_IOC_INFO, &in));
	lo_init(&lo, v)->start = in.task_size - 4096;
	EXPECT_EQ(0, vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo));
	EXPECT_EQ(0U, lo.count);
	EXPECT_TRUE(lo.out_flags & VMSCOPE_LAYOUT_DONE);
	close(fd);
}

#define PAGE		4096UL
#define GROW_VMAS	16	/* module/layout.c's VMSCOPE_LAYOUT_BATCH */
#define GROW_RECS	64
#define GROW_BUF	((GROW_RECS * sizeof(struct vmscope_layout_vma) + \
			  PAGE - 1) & ~(PAGE - 1))

struct grow_call {
	int fd;
	struct vmscope_layout lo;
	int ret;
	int done;
};

static void *grow_layout(void *arg)
{
	struct grow_call *c = arg;

	c->ret = vmscope_ioctl(c->fd, VMSCOPE_IOC_LAYOUT, &c->lo);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Serve the faults of the LAYOUT call on its buffer, registered with
 * @uffd, until the call returns.  At the first, while the call waits in
 * the copy of its first batch of records with the target's mmap_lock
 * dropped, grow the @size bytes at @vma (the batch's last VMA) in place
 * by @grow.  Returns whether it grew.
 */
static bool grow_serve(int uffd, struct grow_call *c, char *vma,
		       size_t size, size_t grow)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffdio_zeropage z = { .range.len = PAGE };
	struct uffd_msg msg;
	bool grown = false;

	while (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE)) {
		if (poll(&pfd, 1, 100) != 1 ||
		    read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		if (!grown)
			grown = mremap(vma, size, size + grow, 0) == vma;
		z.range.start = msg.arg.pagefault.address & ~(PAGE - 1);
		ioctl(uffd, UFFDIO_ZEROPAGE, &z);	/* EEXIST is fine */
	}
	return grown;
}

/*
 * GROW_VMAS one-page VMAs that do not merge (their protections alternate)
 * from @area on, then a hole of 16 pages.
 */
static void grow_shape(struct __test_metadata *_metadata, char *area)
{
	int i;

	for (i = 0; i < GROW_VMAS; i++)
		ASSERT_EQ(area + i * PAGE,
			  mmap(area + i * PAGE, PAGE, i & 1 ? PROT_READ :
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	ASSERT_EQ(0, munmap(area + GROW_VMAS * PAGE, 16 * PAGE));
}

/*
 * A call describes a batch of VMAs, drops mmap_lock and writes them out,
 * then goes on from the end of the last.  If that VMA grew meanwhile, the
 * next lookup finds it again: it must be described from where the batch
 * ended, not whole a second time (addresses never go backwards, as in
 * maps).  The copy is held up with userfaultfd while the VMA grows.
 */
TEST(grown_vma_is_not_described_twice)
{
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_api api = { .api = UFFD_API };
	struct vmscope_layout_vma *v;
	struct grow_call c = { 0 };
	pthread_t thread;
	bool grown;
	char *area;
	int uffd;
	__u64 i;

	c.fd = vmscope_open_dev();
	if (c.fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, c.fd);
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	ASSERT_LE(0, uffd) TH_LOG("userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	v = mmap(NULL, GROW_BUF, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, v);
	reg.range.start = (uintptr_t)v;
	reg.range.len = GROW_BUF;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	/* a PROT_NONE page first: the first VMA merges with nothing below */
	area = mmap(NULL, (GROW_VMAS + 17) * PAGE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	area += PAGE;
	grow_shape(_metadata, area);

	c.lo.size = sizeof(c.lo);
	c.lo.pid = getpid();
	c.lo.rec_size = sizeof(*v);
	c.lo.start = (uintptr_t)area;
	c.lo.buf = (uintptr_t)v;
	c.lo.buf_count = GROW_RECS;
	ASSERT_EQ(0, pthread_create(&thread, NULL, grow_layout, &c));
	grown = grow_serve(uffd, &c, area + (GROW_VMAS - 1) * PAGE, PAGE,
			   8 * PAGE);
	pthread_join(thread, NULL);
	ASSERT_EQ(0, c.ret);
	ASSERT_TRUE(grown);
	ASSERT_LT(GROW_VMAS, c.lo.count);
	EXPECT_EQ((uintptr_t)area, v[0].vma.start);
	/* the batch's last as it was, then the part it grew by */
	EXPECT_EQ((uintptr_t)area + GROW_VMAS * PAGE,
		  v[GROW_VMAS - 1].vma.end);
	EXPECT_EQ((uintptr_t)area + GROW_VMAS * PAGE, v[GROW_VMAS].vma.start);
	EXPECT_EQ((uintptr_t)area + (GROW_VMAS + 8) * PAGE,
		  v[GROW_VMAS].vma.end);
	/* braces: EXPECT_LE() and its TH_LOG() are two statements */
	for (i = 1; i < c.lo.count; i++) {
		EXPECT_LE(v[i - 1].vma.end, v[i].vma.start)
			TH_LOG("record %llu: %llx-%llx after %llx-%llx", i,
			       v[i].vma.start, v[i].vma.end,
			       v[i - 1].vma.start, v[i - 1].vma.end);
	}
	munmap(area - PAGE, (GROW_VMAS + 17) * PAGE);
	munmap(v, GROW_BUF);
	close(uffd);
	close(c.fd);
}

TEST_HARNESS_MAIN
