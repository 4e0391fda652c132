// SPDX-License-Identifier: GPL-2.0
/*
 * mmap() of /dev/vmscope and VMSCOPE_IOC_FAULTLOG: the log against what
 * the process did, the pages against /proc/PID/pagemap, bad requests, a
 * log buffer inside the mapping itself, and pages freed at release.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define PAGE	4096UL

static int faultlog(int fd, struct vmscope_faultlog *fl,
		    struct vmscope_fault_record *rec, unsigned int n,
		    unsigned int flags)
{
	memset(fl, 0, sizeof(*fl));
	fl->size = sizeof(*fl);
	fl->flags = flags;
	fl->buf = (uintptr_t)rec;
	fl->buf_count = n;
	return vmscope_ioctl(fd, VMSCOPE_IOC_FAULTLOG, fl);
}

/* The PFN pagemap gives for @addr of this process (root sees PFNs). */
static uint64_t pagemap_pfn(uint64_t addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), addr / PAGE * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return e & (1ULL << 63) ? e & ((1ULL << 55) - 1) : 0;
}

FIXTURE(flog)
{
	int fd;
	char *map;
};

FIXTURE_SETUP(flog)
{
	self->map = MAP_FAILED;
	self->fd = open(VMSCOPE_DEVICE, O_RDWR | O_CLOEXEC);
	if (self->fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(flog)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, 8 * PAGE);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(flog, records_match_accesses_and_pagemap)
{
	struct vmscope_fault_record rec[16];
	struct vmscope_faultlog fl;
	volatile char *m;
	int i;

	ASSERT_EQ(0, faultlog(self->fd, &fl, rec, 16, 0));
	EXPECT_EQ(0U, fl.nr_records);
	self->map = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	m = self->map;
	m[3 * PAGE + 5] = 'x';
	(void)m[0];
	(void)m[3 * PAGE];		/* present already: no fault */
	ASSERT_EQ(0, faultlog(self->fd, &fl, rec, 16, VMSCOPE_FAULTLOG_CLEAR));
	ASSERT_EQ(2U, fl.nr_records);
	EXPECT_EQ(2ULL, fl.total);
	EXPECT_EQ(2ULL, fl.pages);
	EXPECT_EQ((uintptr_t)self->map + 3 * PAGE, rec[0].address);
	EXPECT_EQ(3ULL, rec[0].pgoff);
	EXPECT_EQ((uint32_t)gettid(), rec[0].tid);
	EXPECT_EQ(VMSCOPE_FREC_WRITE | VMSCOPE_FREC_USER |
		  VMSCOPE_FREC_ALLOCATED, rec[0].flags);
	EXPECT_EQ(VMSCOPE_FREC_USER | VMSCOPE_FREC_ALLOCATED, rec[1].flags);
	EXPECT_EQ(1ULL, rec[0].seq);
	EXPECT_EQ(2ULL, rec[1].seq);
	for (i = 0; i < 2; i++)
		EXPECT_EQ(pagemap_pfn(rec[i].address), rec[i].pfn);
	/* the page holds what the handler wrote, and our byte */
	EXPECT_NE(NULL, strstr(self->map, "vmscope: page 0 of this mapping"));
	EXPECT_EQ('x', m[3 * PAGE + 5]);
	/* cleared: nothing until the next fault */
	ASSERT_EQ(0, faultlog(self->fd, &fl, rec, 16, 0));
	EXPECT_EQ(0U, fl.nr_records);
	EXPECT_EQ(2ULL, fl.total);
}

TEST_F(flog, log_buffer_inside_the_mapping)
{
	struct vmscope_fault_record *rec;
	struct vmscope_faultlog fl;

	self->map = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	/* the copy-out faults in page 5 through the handler: no deadlock */
	rec = (void *)(self->map + 5 * PAGE);
	ASSERT_EQ(0, faultlog(self->fd, &fl, rec, 16, 0));
	EXPECT_EQ(0U, fl.nr_records);
	(void)*(volatile char *)self->map;
	ASSERT_EQ(0, faultlog(self->fd, &fl, rec, 16, 0));
	ASSERT_LE(1U, fl.nr_records);
	EXPECT_EQ(0ULL, rec[fl.nr_records - 1].pgoff);
}

TEST_F(flog, bad_requests)
{
	struct vmscope_fault_record rec[4];
	struct vmscope_faultlog fl;
	void *p;

	faultlog(self->fd, &fl, rec, 4, 0);
	fl.flags = 2;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_FAULTLOG, &fl));
	EXPECT_EQ(-EINVAL, faultlog(self->fd, &fl, rec,
				    VMSCOPE_FAULTLOG_MAX + 1, 0));
	/* beyond the pages a file may map, or an offset past them */
	p = mmap(NULL, (VMSCOPE_MMAP_MAX_PAGES + 1) * PAGE, PROT_READ,
		 MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd,
		 VMSCOPE_MMAP_MAX_PAGES * PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, self->fd,
		 (VMSCOPE_MMAP_MAX_PAGES - 1) * PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	/* the last page is fine, and cannot be grown by mremap */
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd,
		 (VMSCOPE_MMAP_MAX_PAGES - 1) * PAGE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MAP_FAILED, mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
	munmap(p, PAGE);
	/* a bad buffer, once there is a record */
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	(void)*(volatile char *)p;
	EXPECT_EQ(-EFAULT, faultlog(self->fd, &fl, (void *)8, 4, 0));
	munmap(p, PAGE);
}

TEST_F(flog, forked_children_and_release)
{
	struct vmscope_fault_record rec[8];
	struct vmscope_faultlog fl;
	pid_t pid;
	int st;

	self->map = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		self->map[PAGE] = 'c';	/* the child's fault, shared page */
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, faultlog(self->fd, &fl, rec, 8, 0));
	ASSERT_EQ(1U, fl.nr_records);
	EXPECT_EQ((uint32_t)pid, rec[0].tid);
	EXPECT_EQ('c', self->map[PAGE]);	/* the same page, seen here */
	EXPECT_EQ(1U, fl.nr_records);
	ASSERT_EQ(0, faultlog(self->fd, &fl, rec, 8, 0));
	EXPECT_EQ(2U, fl.nr_records);	/* our read faulted, found it kept */
	EXPECT_FALSE(rec[1].flags & VMSCOPE_FREC_ALLOCATED);
	/* release with the mapping gone: the pages go with the file */
	munmap(self->map, 8 * PAGE);
	self->map = MAP_FAILED;
	close(self->fd);
	self->fd = -1;
}

/*
 * MAP_SHARED of a read-only open file is still a shared mapping (the
 * kernel drops VM_SHARED, which says it may be written, not VM_MAYSHARE):
 * its faults are not recorded as private ones.
 */
TEST(shared_read_only_mapping_is_shared)
{
	struct vmscope_fault_record rec[4];
	struct vmscope_faultlog fl;
	int fd = open(VMSCOPE_DEVICE, O_RDONLY | O_CLOEXEC);
	char *p;

	if (fd < 0)
		SKIP(return, "no %s", VMSCOPE_DEVICE);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(0, p[0]);	/* the module fills the page with text */
	ASSERT_EQ(0, faultlog(fd, &fl, rec, 4, 0));
	ASSERT_EQ(1, fl.nr_records);
	EXPECT_EQ(0, rec[0].flags & VMSCOPE_FREC_PRIVATE);
	EXPECT_EQ((uintptr_t)p, rec[0].address);
	munmap(p, PAGE);
	close(fd);
}

TEST_HARNESS_MAIN
