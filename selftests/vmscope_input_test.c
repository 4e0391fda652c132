// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to the page-table ioctls: every case is a clear error (or a
 * correct answer), never a kernel warning.  Also: what is written back is
 * fully defined (no padding leaks), and walking the very buffer being
 * written does not deadlock on the caller's own mmap_lock.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define PAGE	4096UL

FIXTURE(input)
{
	int fd;
	struct vmscope_info in;
	struct vmscope_page recs[64];
};

FIXTURE_SETUP(input)
{
	self->fd = vmscope_open_dev();
	if (self->fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, self->fd);
	self->in.size = sizeof(self->in);
	ASSERT_EQ(0, vmscope_ioctl(self->fd, VMSCOPE_IOC_INFO, &self->in));
}

FIXTURE_TEARDOWN(input)
{
	if (self->fd >= 0)
		close(self->fd);
}

static int translate(int fd, uint32_t pid, uint64_t va)
{
	struct vmscope_translate tr = {
		.size = sizeof(tr), .pid = pid, .vaddr = va,
	};

	return vmscope_ioctl(fd, VMSCOPE_IOC_TRANSLATE, &tr);
}

static int walk(int fd, uint32_t pid, uint64_t start, uint64_t end,
		void *buf, uint64_t count, uint32_t rec_size,
		struct vmscope_walk *out)
{
	struct vmscope_walk w = {
		.size = sizeof(w), .pid = pid, .rec_size = rec_size,
		.start = start, .end = end, .buf = (uintptr_t)buf,
		.buf_count = count,
	};
	int ret = vmscope_ioctl(fd, VMSCOPE_IOC_WALK, &w);

	if (out)
		*out = w;
	return ret;
}

static int ptstats(int fd, uint32_t pid)
{
	struct vmscope_ptstats st = { .size = sizeof(st), .pid = pid };

	return vmscope_ioctl(fd, VMSCOPE_IOC_PTSTATS, &st);
}

/* A child that has exited but has not been reaped. */
static pid_t make_zombie(void)
{
	pid_t pid = fork();
	siginfo_t si;

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	return pid;
}

TEST_F(input, bad_pids)
{
	uint64_t va = (uintptr_t)self->recs;
	pid_t zombie = make_zombie();
	uint32_t pids[] = { 0, 0xffffffffU, 0x7fffffffU };
	size_t i;

	ASSERT_LT(0, zombie);
	for (i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		EXPECT_EQ(-ESRCH, translate(self->fd, pids[i], va));
		EXPECT_EQ(-ESRCH, ptstats(self->fd, pids[i]));
	}
	/* kthreadd (PID 2) and a zombie have no user address space */
	EXPECT_EQ(-ENOENT, translate(self->fd, 2, va));
	EXPECT_EQ(-ENOENT, ptstats(self->fd, 2));
	EXPECT_EQ(-ENOENT, translate(self->fd, zombie, va));
	EXPECT_EQ(-ENOENT, walk(self->fd, zombie, 0, PAGE, self->recs, 1,
				sizeof(self->recs[0]), NULL));
	waitpid(zombie, NULL, 0);
	/* reaped: gone */
	EXPECT_EQ(-ESRCH, translate(self->fd, zombie, va));
}

TEST_F(input, translate_bad_addresses)
{
	uint64_t noncanonical = self->in.levels == 5 ? 0x0100000000000000ULL :
						       0x0000800000000000ULL;
	pid_t me = getpid();

	EXPECT_EQ(-EINVAL, translate(self->fd, me, self->in.task_size));
	EXPECT_EQ(-EINVAL, translate(self->fd, me, noncanonical));
	EXPECT_EQ(-EINVAL, translate(self->fd, me, self->in.kernel_start));
	EXPECT_EQ(-EINVAL, translate(self->fd, me, ~0ULL));
	/* the last user page and address 0 are fine (no VMA there) */
	EXPECT_EQ(0, translate(self->fd, me, self->in.task_size - 1));
	EXPECT_EQ(0, translate(self->fd, me, 0));
}

TEST_F(input, translate_bad_structs)
{
	struct vmscope_translate tr = {
		.size = sizeof(tr), .pid = getpid(), .flags = 1,
		.vaddr = (uintptr_t)self,
	};

	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_TRANSLATE, &tr));
	tr.flags = 0;
	tr.size = VMSCOPE_TRANSLATE_SIZE_VER1 - 8;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_TRANSLATE, &tr));
	tr.size = 0;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_TRANSLATE, &tr));
	tr.size = 1 << 20;
	EXPECT_EQ(-E2BIG, vmscope_ioctl(self->fd, VMSCOPE_IOC_TRANSLATE, &tr));
	EXPECT_EQ(-EFAULT, vmscope_ioctl(self->fd, VMSCOPE_IOC_TRANSLATE,
					 NULL));
	EXPECT_EQ(-EFAULT, vmscope_ioctl(self->fd, VMSCOPE_IOC_PTSTATS,
					 (void *)self->in.kernel_start));
}

TEST_F(input, walk_bad_ranges)
{
	struct vmscope_page *r = self->recs;
	uint64_t top = self->in.task_size, sz = sizeof(*r);
	pid_t me = getpid();

	EXPECT_EQ(-EINVAL, walk(self->fd, me, 2 * PAGE, PAGE, r, 64, sz, 0));
	EXPECT_EQ(-EINVAL, walk(self->fd, me, PAGE, PAGE, r, 64, sz, 0));
	EXPECT_EQ(-EINVAL, walk(self->fd, me, 1, PAGE, r, 64, sz, 0));
	EXPECT_EQ(-EINVAL, walk(self->fd, me, 0, PAGE + 1, r, 64, sz, 0));
	EXPECT_EQ(-EINVAL, walk(self->fd, me, top - PAGE, top + PAGE, r, 64,
				sz, 0));
	/* the whole 64-bit space, and past the end of it */
	EXPECT_EQ(-EINVAL, walk(self->fd, me, 0, ~0ULL & ~(PAGE - 1), r, 64,
				sz, 0));
	EXPECT_EQ(-EINVAL, walk(self->fd, me, ~0ULL & ~(PAGE - 1), 0, r, 64,
				sz, 0));
	/* the top of user space is fine */
	EXPECT_EQ(0, walk(self->fd, me, top - PAGE, top, r, 64, sz, 0));
}

TEST_F(input, walk_bad_buffers)
{
	struct vmscope_page *r = self->recs;
	uint64_t sz = sizeof(*r);
	pid_t me = getpid();
	char *ro;

	EXPECT_EQ(-EINVAL, walk(self->fd, me, 0, PAGE, r, 0, sz, 0));
	EXPECT_EQ(-EINVAL, walk(self->fd, me, 0, PAGE, r, 1, sz - 1, 0));
	EXPECT_EQ(-EINVAL, walk(self->fd, me, 0, PAGE, r, 1, PAGE + 1, 0));
	/* count * record size overflows */
	EXPECT_EQ(-EINVAL, walk(self->fd, me, 0, PAGE, r, 1ULL << 61, 16, 0));
	EXPECT_EQ(-EFAULT, walk(self->fd, me, 0, PAGE, NULL, 1, sz, 0));
	EXPECT_EQ(-EFAULT, walk(self->fd, me, 0, PAGE,
				(void *)self->in.kernel_start, 1, sz, 0));
	ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, walk(self->fd, me, 0, PAGE, ro, 1, sz, 0));
	munmap(ro, PAGE);
}

/* A buffer that ends in an unmapped page: what fits is reported. */
TEST_F(input, walk_buffer_runs_into_a_hole)
{
	size_t fit = PAGE / sizeof(struct vmscope_page);
	char *buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t start = 1ULL << 30;
	struct vmscope_walk w;

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, munmap(buf + PAGE, PAGE));
	/* one batch fits exactly, the second would run into the hole */
	EXPECT_EQ(-EFAULT, walk(self->fd, getpid(), start,
				start + 2 * fit * PAGE, buf, 2 * fit,
				sizeof(struct vmscope_page), &w));
	EXPECT_LE(w.count, fit);
	EXPECT_EQ(w.start + w.count * PAGE, w.next);
	munmap(buf, PAGE);
}

TEST_F(input, walk_flags_and_reserved)
{
	struct vmscope_walk w = {
		.size = sizeof(w), .pid = getpid(), .flags = 1,
		.rec_size = sizeof(self->recs[0]), .start = 0, .end = PAGE,
		.buf = (uintptr_t)self->recs, .buf_count = 1,
	};

	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_WALK, &w));
	w.flags = 0;
	w.__reserved = 1;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_WALK, &w));
	w.__reserved = 0;
	EXPECT_EQ(0, vmscope_ioctl(self->fd, VMSCOPE_IOC_WALK, &w));
	EXPECT_EQ(1U, w.count);
}

/* Larger records than the module knows: the tail of each is zeroed. */
TEST_F(input, walk_larger_records_are_zero_filled)
{
	const uint32_t rs = 24;
	unsigned char buf[4 * 24];
	char *mem = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	uint64_t va = (uintptr_t)mem;
	int i;

	ASSERT_NE(MAP_FAILED, mem);
	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, walk(self->fd, getpid(), va, va + 4 * PAGE, buf, 4, rs,
			  NULL));
	for (i = 0; i < 4; i++) {
		const struct vmscope_page *r = (void *)(buf + i * rs);
		unsigned char zero[24 - sizeof(*r)] = { 0 };

		EXPECT_EQ(VMSCOPE_STATE_PRESENT, r->state);
		EXPECT_EQ(0, memcmp(zero, buf + i * rs + sizeof(*r),
				    sizeof(zero)));
	}
	/* and runs of empty pages too */
	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, walk(self->fd, getpid(), 0, 4 * PAGE, buf, 4, rs, NULL));
	for (i = 0; i < 4; i++) {
		const struct vmscope_page *r = (void *)(buf + i * rs);
		unsigned char zero[24 - sizeof(*r)] = { 0 };

		EXPECT_EQ(VMSCOPE_STATE_NO_VMA, r->state);
		EXPECT_EQ(0U, r->pfn);
		EXPECT_EQ(0, memcmp(zero, buf + i * rs + sizeof(*r),
				    sizeof(zero)));
	}
	munmap(mem, 4 * PAGE);
}

/* Every byte written back is defined: pre-fill with a pattern. */
TEST_F(input, no_padding_leaks)
{
	struct vmscope_translate tr;
	struct vmscope_ptstats st;
	unsigned int i;

	memset(&tr, 0xa5, sizeof(tr));
	tr.size = sizeof(tr);
	tr.flags = 0;
	tr.pid = getpid();
	tr.vaddr = (uintptr_t)&tr;
	ASSERT_EQ(0, vmscope_ioctl(self->fd, VMSCOPE_IOC_TRANSLATE, &tr));
	EXPECT_EQ(VMSCOPE_STATE_PRESENT, tr.state);
	for (i = 0; i < VMSCOPE_MAX_LEVELS; i++) {
		EXPECT_EQ(0, tr.walk[i].__pad);
		if (i >= tr.nr_steps)
			EXPECT_EQ(0, tr.walk[i].entry);
	}
	EXPECT_EQ(0U, tr.swap_type);
	EXPECT_EQ(strlen(tr.vma.name), strnlen(tr.vma.name,
					       sizeof(tr.vma.name)));
	EXPECT_EQ(0, tr.vma.name[sizeof(tr.vma.name) - 1]);

	memset(&st, 0xa5, sizeof(st));
	st.size = sizeof(st);
	st.flags = 0;
	st.pid = getpid();
	ASSERT_EQ(0, vmscope_ioctl(self->fd, VMSCOPE_IOC_PTSTATS, &st));
	EXPECT_GT(0xa5a5a5a5a5a5a5a5ULL, st.huge_pud);
	EXPECT_GT(0xa5a5a5a5a5a5a5a5ULL, st.other_entries);
}

/*
 * The records are written into the range being walked, of the caller's
 * own process: the module must not hold mmap_lock while copying out.
 */
TEST_F(input, walk_own_buffer_range)
{
	size_t n = 4096;
	struct vmscope_page *buf = mmap(NULL, n * sizeof(*buf),
					PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t va = (uintptr_t)buf;
	struct vmscope_walk w;

	ASSERT_NE(MAP_FAILED, buf);
	/* untouched: the copy-out itself faults the pages in */
	ASSERT_EQ(0, walk(self->fd, getpid(), va,
			  va + n * sizeof(*buf) / PAGE * PAGE, buf, n,
			  sizeof(*buf), &w));
	EXPECT_EQ(n * sizeof(*buf) / PAGE, w.count);
	EXPECT_EQ(VMSCOPE_STATE_NOT_PRESENT, buf[w.count - 1].state);
	munmap(buf, n * sizeof(*buf));
}

TEST_F(input, unknown_ioctls)
{
	unsigned int nr;

	for (nr = _IOC_NR(VMSCOPE_IOC_WSS_CTL) + 1; nr < 0x30; nr++) {
		if (nr == _IOC_NR(VMSCOPE_IOC_FRAMES_SET) ||
		    nr == _IOC_NR(VMSCOPE_IOC_FRAMES_STAT) ||
		    (nr >= _IOC_NR(VMSCOPE_IOC_FILECACHE) &&
		     nr <= _IOC_NR(VMSCOPE_IOC_MEMORY)))
			continue;
		EXPECT_EQ(-ENOTTY, vmscope_ioctl(self->fd,
						 _IOWR(VMSCOPE_IOC_MAGIC, nr,
						       struct vmscope_walk),
						 self->recs));
	}
	EXPECT_EQ(-ENOTTY, vmscope_ioctl(self->fd, _IO('V', 1), NULL));
	EXPECT_EQ(-ENOTTY, vmscope_ioctl(self->fd, 0, NULL));
}

TEST_HARNESS_MAIN
