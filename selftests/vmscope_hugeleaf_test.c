// SPDX-License-Identifier: GPL-2.0
/*
 * Huge leaves that are not plainly present: hugetlb pages made PROT_NONE
 * (2M PMD and, when a 1G page can be had, 1G PUD leaves) and a poisoned
 * 2M hugetlb page (madvise(MADV_HWPOISON), CONFIG_MEMORY_FAILURE), read
 * with VMSCOPE_IOC_WALK and _TRANSLATE and compared with the kernel's own
 * view: /proc/self/pagemap (the PFN of every base page, taken while the
 * page was mapped) and HardwareCorrupted in /proc/meminfo.
 *
 * Hugetlb keeps its non-present entries in the PTE's swap format at the
 * level of its page; x86's pud_present() tests the present bit alone.
 * Each base page of a poisoned or migrating huge page is named by its own
 * PFN, the entry's PFN plus its index, as pagemap names a PMD migration
 * entry's pages.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define PAGE		4096UL
#define HUGE_2M		(2UL << 20)
#define HUGE_1G		(1UL << 30)
#define PM_PFN(e)	((e) & ((1ULL << 55) - 1))
#define PM_SWAP		(1ULL << 62)
#define PM_PRESENT	(1ULL << 63)

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT	26
#endif
#ifndef MADV_HWPOISON
#define MADV_HWPOISON	100
#endif

#define NR_2M	"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
#define NR_1G	"/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
#define FREE_2M	"/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
#define FREE_1G	"/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages"

/* Read a number from a sysfs file; -1 if it cannot be read. */
static long read_long(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static int write_long(const char *path, long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", val);
	return write_file(path, buf);
}

/* HardwareCorrupted of /proc/meminfo, in kB. */
static long hw_corrupted_kb(void)
{
	char val[64];

	if (read_key("/proc/meminfo", "HardwareCorrupted", val, sizeof(val)))
		return -1;
	return strtol(val, NULL, 10);
}

static int read_pagemap(uintptr_t start, uint64_t *pm, size_t n)
{
	ssize_t got;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return -errno;
	got = pread(fd, pm, n * 8, start / PAGE * 8);
	close(fd);
	return got == (ssize_t)(n * 8) ? 0 : -EIO;
}

static int walk(int fd, uintptr_t start, size_t n, struct vmscope_page *recs)
{
	struct vmscope_walk w = {
		.size = sizeof(w), .pid = getpid(), .rec_size = sizeof(*recs),
		.start = start, .end = start + n * PAGE,
	};
	size_t done = 0;

	while (w.start < w.end) {
		w.buf = (uintptr_t)(recs + done);
		w.buf_count = n - done;
		if (vmscope_ioctl(fd, VMSCOPE_IOC_WALK, &w))
			return -errno;
		done += w.count;
		w.start = w.next;
	}
	return done == n ? 0 : -EIO;
}

static int translate(int fd, uintptr_t addr, struct vmscope_translate *tr)
{
	memset(tr, 0, sizeof(*tr));
	tr->size = sizeof(*tr);
	tr->pid = getpid();
	tr->vaddr = addr;
	return vmscope_ioctl(fd, VMSCOPE_IOC_TRANSLATE, tr);
}

/* A hugetlb page pool grown by the pages a test needs, restored after. */
FIXTURE(hugeleaf)
{
	int fd;
	const char *pool;
	long old_pool;
	void *p;
	size_t len;
	uint64_t *pm;
	struct vmscope_page *recs;
};

FIXTURE_SETUP(hugeleaf)
{
	self->pool = NULL;
	self->p = MAP_FAILED;
	self->pm = NULL;
	self->recs = NULL;
	self->fd = vmscope_open_dev();
	if (self->fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(hugeleaf)
{
	if (self->p != MAP_FAILED)
		munmap(self->p, self->len);
	if (self->pool)
		write_long(self->pool, self->old_pool);
	free(self->pm);
	free(self->recs);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Map one hugetlb page of @size from a pool grown by one, touch every base
 * page, and read the PFN of each from pagemap.  Returns false (after
 * SKIP) when the kernel has no such page to give.
 */
static bool map_huge(struct __test_metadata *_metadata,
		     FIXTURE_DATA(hugeleaf) *self, size_t size, int shift,
		     const char *pool, const char *free_pages)
{
	size_t i, n = size / PAGE;
	long old = read_long(pool);
	int try;

	/*
	 * A page reserved at boot (hugepagesz=1G hugepages=N) is used as it
	 * is; else the pool grows by one.  A gigantic page needs free
	 * contiguous memory: compact, and retry.
	 */
	if (read_long(free_pages) > 0)
		old = -2;
	for (try = 0; old >= 0 && try < 3; try++) {
		if (!write_long(pool, old + 1) && read_long(pool) == old + 1)
			break;
		write_file("/proc/sys/vm/drop_caches", "3");
		write_file("/proc/sys/vm/compact_memory", "1");
	}
	if (old == -1 || try == 3) {
		TH_LOG("%s: %ld, could not add a page", pool, old);
		if (old >= 0)
			write_long(pool, old);
		return false;
	}
	if (old >= 0) {
		self->pool = pool;
		self->old_pool = old;
	}
	self->len = size;
	self->p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
		       shift << MAP_HUGE_SHIFT, -1, 0);
	if (self->p == MAP_FAILED) {
		TH_LOG("mmap of a %zuM hugetlb page: %s", size >> 20,
		       strerror(errno));
		return false;
	}
	self->pm = calloc(n, sizeof(*self->pm));
	self->recs = calloc(n, sizeof(*self->recs));
	ASSERT_NE(NULL, self->pm);
	ASSERT_NE(NULL, self->recs);
	for (i = 0; i < n; i += 512)
		((char *)self->p)[i * PAGE] = 1;
	ASSERT_EQ(0, read_pagemap((uintptr_t)self->p, self->pm, n));
	/* not vacuous: a present page, each base page its own PFN */
	ASSERT_NE(0, PM_PFN(self->pm[0]));
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(self->pm[i] & PM_PRESENT);
		ASSERT_EQ(PM_PFN(self->pm[0]) + i, PM_PFN(self->pm[i]));
	}
	return true;
}

/* Every record of the page: @state at @level, the PFN pagemap gave. */
static void check_records(struct __test_metadata *_metadata,
			  FIXTURE_DATA(hugeleaf) *self, uint32_t state,
			  uint32_t level)
{
	size_t i, n = self->len / PAGE, bad = 0;

	ASSERT_EQ(0, walk(self->fd, (uintptr_t)self->p, n, self->recs));
	for (i = 0; i < n; i++) {
		const struct vmscope_page *r = &self->recs[i];

		if (r->state == state && r->level == level &&
		    r->pfn == PM_PFN(self->pm[i]))
			continue;
		if (bad++ < 4)
			TH_LOG("page %zu: state %u level %u pfn %#llx, want state %u level %u pfn %#llx",
			       i, r->state, r->level,
			       (unsigned long long)r->pfn, state, level,
			       (unsigned long long)PM_PFN(self->pm[i]));
	}
	EXPECT_EQ(0, bad);
}

static void check_translate(struct __test_metadata *_metadata,
			    FIXTURE_DATA(hugeleaf) *self, size_t page,
			    uint32_t state, uint32_t level)
{
	struct vmscope_translate tr;
	uint64_t pfn = PM_PFN(self->pm[page]);

	ASSERT_EQ(0, translate(self->fd, (uintptr_t)self->p + page * PAGE,
			       &tr));
	EXPECT_EQ(state, tr.state);
	EXPECT_EQ(level, tr.leaf_level);
	EXPECT_EQ(self->len, tr.page_size);
	EXPECT_EQ(pfn, state == VMSCOPE_STATE_PROT_NONE ? tr.pfn :
							 tr.swap_offset);
}

/* The kernel's view after mprotect(PROT_NONE): still present, same PFNs. */
static void protnone_and_check(struct __test_metadata *_metadata,
			       FIXTURE_DATA(hugeleaf) *self, uint32_t level)
{
	size_t n = self->len / PAGE;
	uint64_t *pm = calloc(n, sizeof(*pm));
	size_t i;

	ASSERT_NE(NULL, pm);
	ASSERT_EQ(0, mprotect(self->p, self->len, PROT_NONE));
	ASSERT_EQ(0, read_pagemap((uintptr_t)self->p, pm, n));
	for (i = 0; i < n; i++)
		ASSERT_EQ(self->pm[i], pm[i]);
	free(pm);
	check_records(_metadata, self, VMSCOPE_STATE_PROT_NONE, level);
	check_translate(_metadata, self, 5, VMSCOPE_STATE_PROT_NONE, level);
}

TEST_F(hugeleaf, protnone_2m_matches_pagemap)
{
	if (!map_huge(_metadata, self, HUGE_2M, 21, NR_2M, FREE_2M))
		SKIP(return, "no 2M hugetlb page could be reserved and mapped");
	protnone_and_check(_metadata, self, VMSCOPE_LEVEL_PMD);
}

/*
 * A 1G page needs a CPU with 1G pages (qemu64 has none: +pdpe1gb) and 1G
 * of contiguous free memory, which the default test VM of 1G does not
 * have.  VMSCOPE_VM_CPU=+pdpe1gb VMSCOPE_VM_MEM=5G makes it testable, and
 * VMSCOPE_VM_APPEND='hugepagesz=1G hugepages=2' reliably so (at run time
 * an aligned free gigabyte is often not to be had, even after compaction).
 */
#define NO_1G	"no 1G hugetlb page (vmtest.sh: VMSCOPE_VM_CPU=+pdpe1gb VMSCOPE_VM_MEM=5G VMSCOPE_VM_APPEND='hugepagesz=1G hugepages=2')"

/*
 * The machine was booted with 1G pages (make check's 1G VM): no skip.
 * Asked for on a CPU without them (no +pdpe1gb), the kernel has no 1G
 * pool, and skipping is right.
 */
static bool gigantic_booked(void)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if (access("/sys/kernel/mm/hugepages/hugepages-1048576kB", F_OK))
		return false;
	fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, "hugepagesz=1G");
}

TEST_F(hugeleaf, protnone_1g_matches_pagemap)
{
	if (!map_huge(_metadata, self, HUGE_1G, 30, NR_1G, FREE_1G)) {
		ASSERT_FALSE(gigantic_booked()) TH_LOG("booked, but %s", NO_1G);
		SKIP(return, NO_1G);
	}
	protnone_and_check(_metadata, self, VMSCOPE_LEVEL_PUD);
}

static volatile sig_atomic_t sigbus_seen;

static void note_sigbus(int sig)
{
	sigbus_seen = 1;
}

/*
 * A poisoned hugetlb page: the kernel unmaps it and leaves a hwpoison
 * entry at the PMD; pagemap shows it neither present nor swapped (its
 * hugetlb path reports non-present entries as nothing), and
 * HardwareCorrupted grows by the one base page poisoned.  The page stays
 * poisoned (the pool shrinks by it): a test VM is thrown away after.
 */
/* Poison the first base page of the mapped huge page, and check. */
static void poison_and_check(struct __test_metadata *_metadata,
			     FIXTURE_DATA(hugeleaf) *self, uint32_t level)
{
	struct sigaction sa = { .sa_handler = note_sigbus };
	size_t i, n = self->len / PAGE;
	long corrupted = hw_corrupted_kb();
	uint64_t *pm;

	/*
	 * The owner of a dirty poisoned page gets a SIGBUS, forced (so not
	 * ignorable) since injection says MF_ACTION_REQUIRED: caught.
	 */
	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));
	if (madvise(self->p, PAGE, MADV_HWPOISON)) {
		if (errno == EINVAL)
			SKIP(return, "no CONFIG_MEMORY_FAILURE (Debian's 6.1)");
		ASSERT_EQ(0, -errno);
	}
	EXPECT_EQ(corrupted + (long)(PAGE >> 10), hw_corrupted_kb());
	EXPECT_TRUE(sigbus_seen);
	pm = calloc(n, sizeof(*pm));
	ASSERT_NE(NULL, pm);
	ASSERT_EQ(0, read_pagemap((uintptr_t)self->p, pm, n));
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, pm[i] & (PM_PRESENT | PM_SWAP | ((1ULL << 55) - 1)));
	free(pm);
	check_records(_metadata, self, VMSCOPE_STATE_HWPOISON, level);
	check_translate(_metadata, self, 7, VMSCOPE_STATE_HWPOISON, level);
}

TEST_F(hugeleaf, hwpoison_2m_names_each_page)
{
	if (!map_huge(_metadata, self, HUGE_2M, 21, NR_2M, FREE_2M))
		SKIP(return, "no 2M hugetlb page could be reserved and mapped");
	poison_and_check(_metadata, self, VMSCOPE_LEVEL_PMD);
}

/* The same at the PUD, when a 1G page can be had (see protnone_1g). */
TEST_F(hugeleaf, hwpoison_1g_names_each_page)
{
	if (!map_huge(_metadata, self, HUGE_1G, 30, NR_1G, FREE_1G)) {
		ASSERT_FALSE(gigantic_booked()) TH_LOG("booked, but %s", NO_1G);
		SKIP(return, NO_1G);
	}
	poison_and_check(_metadata, self, VMSCOPE_LEVEL_PUD);
}

TEST_HARNESS_MAIN
