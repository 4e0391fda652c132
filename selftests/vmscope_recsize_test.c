// SPDX-License-Identifier: GPL-2.0
/*
 * Records of the size the caller knows: a caller built against the first
 * version gets exactly rec_size bytes per record, never more, whatever
 * size the module's own records have grown to.  Run against a module
 * built with KCFLAGS=-DVMSCOPE_TEST_GROWN_RECORDS (its struct vmscope_page
 * and vmscope_layout_vma one field longer, as a later version would be),
 * this is the check that rec_size below the module's size copies
 * min(rec_size, size) and writes nothing past the caller's array.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define PAGE	4096UL
#define NREC	8
#define GUARD	0x5a

static int guard_intact(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != GUARD)
			return 0;
	return 1;
}

TEST(walk_records_stay_in_rec_size)
{
	unsigned char buf[NREC * VMSCOPE_PAGE_SIZE_VER1 + 256];
	struct vmscope_page *rec = (void *)buf;
	struct vmscope_walk w = { .size = sizeof(w) };
	int fd = vmscope_open_dev(), i;
	char *p;

	if (fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, fd);
	p = mmap(NULL, NREC * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < NREC; i += 2)	/* every other page touched */
		p[i * PAGE] = 1;
	memset(buf, GUARD, sizeof(buf));
	w.pid = getpid();
	w.rec_size = VMSCOPE_PAGE_SIZE_VER1;
	w.start = (uintptr_t)p;
	w.end = w.start + NREC * PAGE;
	w.buf = (uintptr_t)buf;
	w.buf_count = NREC;
	ASSERT_EQ(0, vmscope_ioctl(fd, VMSCOPE_IOC_WALK, &w));
	EXPECT_EQ((uint64_t)NREC, w.count);
	EXPECT_TRUE(guard_intact(buf + NREC * VMSCOPE_PAGE_SIZE_VER1, 256));
	for (i = 0; i < NREC; i++)
		EXPECT_EQ(i % 2 ? VMSCOPE_STATE_NOT_PRESENT :
				  VMSCOPE_STATE_PRESENT, rec[i].state);
	munmap(p, NREC * PAGE);
	close(fd);
}

TEST(layout_records_stay_in_rec_size)
{
	static unsigned char buf[4 * VMSCOPE_LAYOUT_VMA_SIZE_VER1 + 256];
	struct vmscope_layout lo = { .size = sizeof(lo) };
	struct vmscope_layout_vma *v = (void *)buf;
	int fd = vmscope_open_dev();

	if (fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, fd);
	memset(buf, GUARD, sizeof(buf));
	lo.pid = getpid();
	lo.rec_size = VMSCOPE_LAYOUT_VMA_SIZE_VER1;
	lo.buf = (uintptr_t)buf;
	lo.buf_count = 4;
	ASSERT_EQ(0, vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo));
	EXPECT_EQ(4ULL, lo.count);
	EXPECT_TRUE(guard_intact(buf + 4 * VMSCOPE_LAYOUT_VMA_SIZE_VER1, 256));
	/* the records are whole: starts rise, each below its end */
	EXPECT_LT(v[0].vma.start, v[0].vma.end);
	EXPECT_LE(v[0].vma.end, v[1].vma.start);
	EXPECT_LT(v[3].vma.start, v[3].vma.end);
	close(fd);
}

TEST_HARNESS_MAIN
