// SPDX-License-Identifier: GPL-2.0
/*
 * The page-table views (VMSCOPE_IOC_WALK, _TRANSLATE, _PTSTATS) against the
 * kernel's own: /proc/PID/pagemap, /proc/kpageflags, maps, smaps_rollup and
 * VmPTE in status, on a stopped child built to have a known shape: anon
 * memory touched every other page, file, shmem, THP, swapped-out, COW-shared,
 * PROT_NONE, unmapped holes and, with 5-level paging, memory above 2^47.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define PAGE		4096UL
#define PMD_BYTES	(2UL << 20)

#define PM_PFN(e)	((e) & ((1ULL << 55) - 1))
#define PM_SWAP_TYPE(e)	((e) & 0x1f)
#define PM_SWAP_OFF(e)	(PM_PFN(e) >> 5)
#define PM_EXCLUSIVE	(1ULL << 56)
#define PM_FILE		(1ULL << 61)
#define PM_SWAP		(1ULL << 62)
#define PM_PRESENT	(1ULL << 63)
#define KPF_THP		(1ULL << 22)

enum region {
	R_ANON, R_FILE, R_SHMEM, R_THP, R_SWAP, R_COW, R_PROTNONE, R_HOLE,
	R_HIGH, NR_REGIONS
};

static const size_t region_pages[NR_REGIONS] = {
	[R_ANON] = 4096, [R_FILE] = 1024, [R_SHMEM] = 1024, [R_THP] = 1024,
	[R_SWAP] = 1024, [R_COW] = 1024, [R_PROTNONE] = 512, [R_HOLE] = 64,
	[R_HIGH] = 64,
};

/* Shared between the test and the child that has the shape. */
struct shape {
	uint64_t start[NR_REGIONS];
	int skip[NR_REGIONS];
	char why[NR_REGIONS][64];
	int ready;
};

static char *map_anon(size_t len, int prot)
{
	char *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void touch(char *p, size_t pages, size_t step)
{
	size_t i;

	for (i = 0; i < pages; i += step)
		p[i * PAGE] = (char)(i + 1);
}

static void shape_skip(struct shape *s, enum region r, const char *why)
{
	s->skip[r] = 1;
	snprintf(s->why[r], sizeof(s->why[r]), "%s", why);
}

/* A file on ramfs, so that its pages are page cache, not shmem. */
static char *map_file(struct shape *s, const char *dir)
{
	size_t len = region_pages[R_FILE] * PAGE;
	char path[128], *p;
	int fd;

	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, len))
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	touch(p, region_pages[R_FILE] / 2, 1);
	return p;
}

static char *map_shmem(void)
{
	size_t len = region_pages[R_SHMEM] * PAGE;
	int fd = memfd_create("vmscope-shmem", 0);
	char *p;

	if (fd < 0 || ftruncate(fd, len))
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	touch(p, region_pages[R_SHMEM], 1);
	return p;
}

static char *map_thp(struct shape *s)
{
	size_t len = region_pages[R_THP] * PAGE;
	char *p = map_anon(len + PMD_BYTES, PROT_READ | PROT_WRITE);

	if (!p)
		return NULL;
	p = (char *)(((uintptr_t)p + PMD_BYTES - 1) & ~(PMD_BYTES - 1));
	if (madvise(p, len, MADV_HUGEPAGE))
		shape_skip(s, R_THP, "MADV_HUGEPAGE refused");
	touch(p, region_pages[R_THP], 1);
	return p;
}

static char *map_swapped(struct shape *s)
{
	size_t len = region_pages[R_SWAP] * PAGE;
	char *p = map_anon(len, PROT_READ | PROT_WRITE);

	if (!p)
		return NULL;
	touch(p, region_pages[R_SWAP], 1);
	if (madvise(p, len, MADV_PAGEOUT))
		shape_skip(s, R_SWAP, "MADV_PAGEOUT refused");
	return p;
}

static char *map_protnone(void)
{
	size_t len = region_pages[R_PROTNONE] * PAGE;
	char *p = map_anon(len, PROT_READ | PROT_WRITE);

	if (!p)
		return NULL;
	/* The second half is touched, then made inaccessible. */
	touch(p + len / 2, region_pages[R_PROTNONE] / 2, 1);
	return mprotect(p, len, PROT_NONE) ? NULL : p;
}

static char *map_hole(void)
{
	size_t pages = region_pages[R_HOLE];
	char *p = map_anon(pages * PAGE, PROT_READ | PROT_WRITE);

	if (!p)
		return NULL;
	touch(p, pages, 1);
	munmap(p + pages / 4 * PAGE, pages / 2 * PAGE);
	return p;
}

static char *map_high(struct shape *s)
{
	size_t len = region_pages[R_HIGH] * PAGE;
	char *p = mmap((void *)(1ULL << 50), len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if ((uintptr_t)p < (1ULL << 47))
		shape_skip(s, R_HIGH, "4-level paging: nothing above 2^47");
	touch(p, region_pages[R_HIGH], 1);
	return p;
}

/* The child: build every region, publish the addresses, stop. */
static void shape_child(struct shape *s, char *cow, const char *dir)
{
	char *r[NR_REGIONS];
	int i;

	r[R_ANON] = map_anon(region_pages[R_ANON] * PAGE,
			     PROT_READ | PROT_WRITE);
	if (r[R_ANON])
		touch(r[R_ANON], region_pages[R_ANON], 2);
	r[R_FILE] = map_file(s, dir);
	r[R_SHMEM] = map_shmem();
	r[R_THP] = map_thp(s);
	r[R_SWAP] = map_swapped(s);
	/* Shared with the parent; the child writes to (and so copies) half. */
	r[R_COW] = cow;
	touch(cow + region_pages[R_COW] / 2 * PAGE, region_pages[R_COW] / 2, 1);
	r[R_PROTNONE] = map_protnone();
	r[R_HOLE] = map_hole();
	r[R_HIGH] = map_high(s);

	for (i = 0; i < NR_REGIONS; i++) {
		if (!r[i])
			_exit(10 + i);
		s->start[i] = (uintptr_t)r[i];
	}
	__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
	for (;;)
		raise(SIGSTOP);
}

/* A stopped child with the shape, and /dev/vmscope open. */
struct shaped {
	pid_t child;
	int fd;
	struct shape *shape;
	char *cow;
	char dir[64];
	bool ramfs;
};

static void shaped_start(struct __test_metadata *_metadata, struct shaped *s)
{
	size_t cow_len = region_pages[R_COW] * PAGE;
	int status;

	s->child = -1;
	s->fd = vmscope_open_dev();
	if (s->fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, s->fd);

	snprintf(s->dir, sizeof(s->dir), "/tmp/vmscope-pt.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(s->dir));
	s->ramfs = !mount("none", s->dir, "ramfs", 0, NULL);

	s->shape = mmap(NULL, sizeof(*s->shape), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, s->shape);
	s->cow = map_anon(cow_len, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, s->cow);
	touch(s->cow, region_pages[R_COW], 1);

	s->child = fork();
	ASSERT_LE(0, s->child);
	if (s->child == 0)
		shape_child(s->shape, s->cow, s->dir);
	ASSERT_EQ(s->child, waitpid(s->child, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_TRUE(__atomic_load_n(&s->shape->ready, __ATOMIC_ACQUIRE));
}

static void shaped_stop(struct shaped *s)
{
	if (s->child > 0) {
		kill(s->child, SIGKILL);
		waitpid(s->child, NULL, 0);
	}
	if (s->ramfs)
		umount(s->dir);
	if (s->dir[0])
		rmdir(s->dir);
	if (s->fd >= 0)
		close(s->fd);
}

/* Each region of the shape, page by page. */
FIXTURE(pagetable)
{
	struct shaped s;
};

FIXTURE_VARIANT(pagetable)
{
	enum region region;
};

#define REGION_VARIANT(name, r)					\
	FIXTURE_VARIANT_ADD(pagetable, name) { .region = r }

REGION_VARIANT(anon, R_ANON);
REGION_VARIANT(file, R_FILE);
REGION_VARIANT(shmem, R_SHMEM);
REGION_VARIANT(thp, R_THP);
REGION_VARIANT(swap, R_SWAP);
REGION_VARIANT(cow, R_COW);
REGION_VARIANT(protnone, R_PROTNONE);
REGION_VARIANT(hole, R_HOLE);
REGION_VARIANT(above_47_bits, R_HIGH);

FIXTURE_SETUP(pagetable)
{
	shaped_start(_metadata, &self->s);
}

FIXTURE_TEARDOWN(pagetable)
{
	shaped_stop(&self->s);
}

/* The whole shaped process at once. */
FIXTURE(process)
{
	struct shaped s;
};

FIXTURE_SETUP(process)
{
	shaped_start(_metadata, &self->s);
}

FIXTURE_TEARDOWN(process)
{
	shaped_stop(&self->s);
}

/* Read @n pagemap entries of @pid from @start. */
static int read_pagemap(pid_t pid, uint64_t start, uint64_t *pm, size_t n)
{
	char path[64];
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	got = pread(fd, pm, n * 8, start / PAGE * 8);
	close(fd);
	return got == (ssize_t)(n * 8) ? 0 : -EIO;
}

static uint64_t kpageflags(uint64_t pfn)
{
	uint64_t flags = 0;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd >= 0) {
		if (pread(fd, &flags, 8, pfn * 8) != 8)
			flags = 0;
		close(fd);
	}
	return flags;
}

/* The line of /proc/PID/maps covering @addr; 0 if none. */
static int maps_find(pid_t pid, uint64_t addr, uint64_t *start,
		     uint64_t *end, char perms[5], char path[256])
{
	char file[64], line[512];
	int found = 0;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/maps", pid);
	f = fopen(file, "re");
	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		int n = 0;

		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", start, end,
			   perms, &n) < 3)
			continue;
		if (addr < *start || addr >= *end)
			continue;
		snprintf(path, 256, "%s", line + n);
		path[strcspn(path, "\n")] = '\0';
		found = 1;
	}
	fclose(f);
	return found;
}

static int walk(int fd, pid_t pid, uint64_t start, uint64_t end,
		struct vmscope_page *recs, uint64_t *count)
{
	struct vmscope_walk w = {
		.size = sizeof(w), .pid = pid, .rec_size = sizeof(*recs),
		.start = start, .end = end,
	};
	uint64_t done = 0;

	/* Small batches, so that resuming from 'next' is exercised too. */
	while (w.start < end) {
		w.buf = (uintptr_t)(recs + done);
		w.buf_count = 300;
		if (vmscope_ioctl(fd, VMSCOPE_IOC_WALK, &w))
			return -errno;
		if (w.next != w.start + w.count * PAGE)
			return -EPROTO;
		done += w.count;
		w.start = w.next;
	}
	*count = done;
	return 0;
}

struct tally {
	size_t pages, present, swapped, pmd, mismatches;
};

#define MISMATCH(t, i, fmt, ...) do {					\
	if ((t)->mismatches++ < 8)					\
		fprintf(stderr, "# page %zu: " fmt "\n", i, ##__VA_ARGS__); \
} while (0)

static void compare_present(struct tally *t, size_t i, uint64_t pm,
			    const struct vmscope_page *r)
{
	bool file = r->page_flags & (VMSCOPE_PAGE_FILE | VMSCOPE_PAGE_SHMEM);

	t->present++;
	if (r->pfn != PM_PFN(pm))
		MISMATCH(t, i, "pfn %#llx, pagemap %#llx",
			 (unsigned long long)r->pfn,
			 (unsigned long long)PM_PFN(pm));
	if (file != !!(pm & PM_FILE))
		MISMATCH(t, i, "file/shmem %d, pagemap %d", file,
			 !!(pm & PM_FILE));
	if (!(r->page_flags & (VMSCOPE_PAGE_THP | VMSCOPE_PAGE_ZERO)) &&
	    !!(r->page_flags & VMSCOPE_PAGE_EXCLUSIVE) !=
	    !!(pm & PM_EXCLUSIVE))
		MISMATCH(t, i, "exclusive %d, pagemap exclusive %d",
			 !!(r->page_flags & VMSCOPE_PAGE_EXCLUSIVE),
			 !!(pm & PM_EXCLUSIVE));
	if (r->level == VMSCOPE_LEVEL_PMD) {
		t->pmd++;
		if (!(kpageflags(r->pfn) & KPF_THP))
			MISMATCH(t, i, "PMD leaf, but kpageflags has no THP");
	}
}

/* One record against pagemap (and maps, for holes). */
static void compare_page(struct tally *t, size_t i, uint64_t pm,
			 const struct vmscope_page *r, bool in_vma)
{
	bool present = r->state == VMSCOPE_STATE_PRESENT ||
		       r->state == VMSCOPE_STATE_PROT_NONE;

	t->pages++;
	if (present != !!(pm & PM_PRESENT))
		MISMATCH(t, i, "state %u, pagemap present %d", r->state,
			 !!(pm & PM_PRESENT));
	else if (present)
		compare_present(t, i, pm, r);

	if ((r->state == VMSCOPE_STATE_SWAPPED) != !!(pm & PM_SWAP))
		MISMATCH(t, i, "state %u, pagemap swapped %d", r->state,
			 !!(pm & PM_SWAP));
	else if (r->state == VMSCOPE_STATE_SWAPPED) {
		t->swapped++;
		if (VMSCOPE_SWP_TYPE(r->pfn) != PM_SWAP_TYPE(pm) ||
		    VMSCOPE_SWP_OFFSET(r->pfn) != PM_SWAP_OFF(pm))
			MISMATCH(t, i, "swap %llu:%#llx, pagemap %u:%#llx",
				 VMSCOPE_SWP_TYPE(r->pfn),
				 VMSCOPE_SWP_OFFSET(r->pfn),
				 (unsigned)PM_SWAP_TYPE(pm),
				 (unsigned long long)PM_SWAP_OFF(pm));
	}
	if ((r->state == VMSCOPE_STATE_NO_VMA) == in_vma)
		MISMATCH(t, i, "state %u, but maps says in a VMA: %d",
			 r->state, in_vma);
}

/* Translate one address and check it against its walk record and maps. */
static void check_translate(struct __test_metadata *_metadata, int fd,
			    pid_t pid, uint64_t va,
			    const struct vmscope_page *r, int levels)
{
	struct vmscope_translate tr = {
		.size = sizeof(tr), .pid = pid, .vaddr = va + 123,
	};
	uint64_t start, end;
	char perms[5], path[256];
	unsigned int i, shift;
	int in_vma;

	ASSERT_EQ(0, vmscope_ioctl(fd, VMSCOPE_IOC_TRANSLATE, &tr));
	EXPECT_EQ(r->state, tr.state);
	EXPECT_EQ(levels, tr.levels);
	if (r->state == VMSCOPE_STATE_PRESENT) {
		EXPECT_EQ(r->pfn, tr.pfn);
		EXPECT_EQ(tr.pfn * PAGE + 123, tr.paddr);
		EXPECT_EQ(r->level, tr.leaf_level);
		EXPECT_EQ(r->level == VMSCOPE_LEVEL_PMD ? PMD_BYTES : PAGE,
			  tr.page_size);
		EXPECT_EQ(r->page_flags, tr.page_flags);
		EXPECT_EQ(levels - r->level + 1, tr.nr_steps);
		if (!(tr.page_flags & (VMSCOPE_PAGE_THP | VMSCOPE_PAGE_ZERO)))
			EXPECT_EQ(!!(tr.page_flags & VMSCOPE_PAGE_EXCLUSIVE),
				  tr.mapcount == 1);
		EXPECT_LE(tr.mapcount, tr.refcount);
	}
	/* Each step's index is the address's 9 bits for that level. */
	for (i = 0; i < tr.nr_steps; i++) {
		unsigned int level = tr.walk[i].level;

		if (level == VMSCOPE_LEVEL_PGD && levels == 4)
			shift = 39;
		else
			shift = 12 + 9 * (level - 1);
		EXPECT_EQ((va >> shift) & 511, tr.walk[i].index);
		if (i + 1 < tr.nr_steps)
			EXPECT_TRUE(tr.walk[i].flags & VMSCOPE_PTE_PRESENT);
	}
	if (tr.nr_steps)
		EXPECT_EQ(VMSCOPE_LEVEL_PGD, tr.walk[0].level);

	in_vma = maps_find(pid, va, &start, &end, perms, path);
	ASSERT_LE(0, in_vma);
	if (!in_vma) {
		EXPECT_EQ(VMSCOPE_STATE_NO_VMA, tr.state);
		return;
	}
	EXPECT_EQ(start, tr.vma.start);
	EXPECT_EQ(end, tr.vma.end);
	EXPECT_EQ(perms[0] == 'r', !!(tr.vma.perms & VMSCOPE_VMA_READ));
	EXPECT_EQ(perms[1] == 'w', !!(tr.vma.perms & VMSCOPE_VMA_WRITE));
	EXPECT_EQ(perms[2] == 'x', !!(tr.vma.perms & VMSCOPE_VMA_EXEC));
	EXPECT_EQ(perms[3] == 's', !!(tr.vma.perms & VMSCOPE_VMA_SHARED));
	EXPECT_STREQ(path, tr.vma.name);
}

static int paging_levels(int fd)
{
	struct vmscope_info in = { .size = sizeof(in) };

	return vmscope_ioctl(fd, VMSCOPE_IOC_INFO, &in) ? -1 : (int)in.levels;
}

TEST_F(pagetable, walk_and_translate_match_pagemap)
{
	struct shaped *s = &self->s;
	enum region reg = variant->region;
	size_t n = region_pages[reg], i;
	uint64_t start = s->shape->start[reg], count, *pm;
	struct vmscope_page *recs;
	struct tally t = { 0 };
	int levels = paging_levels(s->fd);

	if (s->shape->skip[reg])
		SKIP(return, "%s", s->shape->why[reg]);
	recs = calloc(n, sizeof(*recs));
	pm = calloc(n, sizeof(*pm));
	ASSERT_NE(NULL, recs);
	ASSERT_NE(NULL, pm);

	ASSERT_EQ(0, walk(s->fd, s->child, start, start + n * PAGE, recs,
			  &count));
	ASSERT_EQ(n, count);
	ASSERT_EQ(0, read_pagemap(s->child, start, pm, n));

	for (i = 0; i < n; i++) {
		uint64_t va = start + i * PAGE, vs, ve;
		char perms[5], path[256];
		int in_vma = maps_find(s->child, va, &vs, &ve, perms, path);

		ASSERT_LE(0, in_vma);
		compare_page(&t, i, pm[i], &recs[i], in_vma);
		if (i % 97 == 0 || i == n - 1)
			check_translate(_metadata, s->fd, s->child, va,
					&recs[i], levels);
	}
	TH_LOG("%zu pages: %zu present (%zu under PMD leaves), %zu swapped",
	       t.pages, t.present, t.pmd, t.swapped);
	EXPECT_EQ(0, t.mismatches);

	/* The shape is what it was built to be, not vacuously equal. */
	switch (reg) {
	case R_ANON:
		EXPECT_EQ(n / 2, t.present);
		break;
	case R_THP:
		EXPECT_EQ(n, t.pmd);
		break;
	case R_SWAP:
		EXPECT_LT(0, t.swapped);
		break;
	case R_COW:
		/* shared with the parent, then copied on write */
		EXPECT_FALSE(recs[0].page_flags & VMSCOPE_PAGE_EXCLUSIVE);
		EXPECT_TRUE(recs[n - 1].page_flags & VMSCOPE_PAGE_EXCLUSIVE);
		EXPECT_NE(recs[0].pfn, recs[n - 1].pfn);
		break;
	case R_PROTNONE:
		EXPECT_EQ(VMSCOPE_STATE_NOT_PRESENT, recs[0].state);
		EXPECT_EQ(VMSCOPE_STATE_PROT_NONE, recs[n - 1].state);
		break;
	case R_HOLE:
		EXPECT_EQ(VMSCOPE_STATE_NO_VMA, recs[n / 2].state);
		break;
	case R_FILE:
		if (s->ramfs)
			EXPECT_TRUE(recs[0].page_flags & VMSCOPE_PAGE_FILE);
		break;
	case R_SHMEM:
		EXPECT_TRUE(recs[0].page_flags & VMSCOPE_PAGE_SHMEM);
		break;
	default:
		EXPECT_EQ(n, t.present);
	}
	free(recs);
	free(pm);
}

/* Sum the kB values of @key over every line of @path. */
static long long sum_kb(pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			kb += strtoll(line + klen + 1, NULL, 10);
	fclose(f);
	return kb;
}

/* Pages of VM_PFNMAP VMAs ("pf" in smaps' VmFlags), e.g. [vvar]. */
static uint64_t pfnmap_pages(pid_t pid)
{
	char path[64], line[512];
	uint64_t start = 0, end = 0, pages = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			continue;
		if (!strncmp(line, "VmFlags:", 8) && strstr(line, " pf "))
			pages += (end - start) / PAGE;
	}
	fclose(f);
	return pages;
}

/* Present and swapped pages of every VMA below @task_size, from pagemap. */
static int pagemap_totals(pid_t pid, uint64_t task_size, uint64_t *present,
			  uint64_t *swapped)
{
	char path[64], line[512];
	uint64_t start, end, pm[512];
	FILE *f;

	*present = *swapped = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &start, &end) != 2 ||
		    start >= task_size)
			continue;
		while (start < end) {
			size_t i, n = (end - start) / PAGE;

			n = n > 512 ? 512 : n;
			if (read_pagemap(pid, start, pm, n))
				break;
			for (i = 0; i < n; i++) {
				*present += !!(pm[i] & PM_PRESENT);
				*swapped += !!(pm[i] & PM_SWAP);
			}
			start += n * PAGE;
		}
	}
	fclose(f);
	return 0;
}

TEST_F(process, ptstats_match_vmpte_smaps_and_pagemap)
{
	struct shaped *s = &self->s;
	struct vmscope_ptstats st = { .size = sizeof(st), .pid = s->child };
	struct vmscope_info in = { .size = sizeof(in) };
	long long vmpte, pmd_kb;
	uint64_t present, swapped;

	ASSERT_EQ(0, vmscope_ioctl(s->fd, VMSCOPE_IOC_INFO, &in));
	ASSERT_EQ(0, vmscope_ioctl(s->fd, VMSCOPE_IOC_PTSTATS, &st));
	EXPECT_EQ(in.levels, st.levels);
	EXPECT_EQ(1U, st.pgd);
	if (in.levels == 4) {
		EXPECT_EQ(0U, st.p4d);
	} else {
		EXPECT_LE(1U, st.p4d);
	}

	/* VmPTE is PUD + PMD + PTE tables and the deposited PTE tables. */
	vmpte = sum_kb(s->child, "status", "VmPTE");
	ASSERT_LE(0, vmpte);
	EXPECT_EQ((uint64_t)vmpte * 1024, st.pgtables_bytes);
	EXPECT_EQ(st.pgtables_bytes,
		  (st.pud + st.pmd + st.pte + st.deposited) * PAGE);

	/* PMD leaves: smaps' PMD-mapped bytes, in 2M units. */
	pmd_kb = sum_kb(s->child, "smaps_rollup", "AnonHugePages") +
		 sum_kb(s->child, "smaps_rollup", "ShmemPmdMapped") +
		 sum_kb(s->child, "smaps_rollup", "FilePmdMapped");
	EXPECT_EQ((uint64_t)pmd_kb / 2048, st.huge_pmd);
	EXPECT_EQ(0U, st.huge_pud);

	/*
	 * 4K leaves and swap entries: pagemap over every VMA.  pagemap
	 * reports VM_PFNMAP VMAs ([vvar]) as holes whatever their PTEs hold;
	 * the page tables may map some of their pages.
	 */
	ASSERT_EQ(0, pagemap_totals(s->child, in.task_size, &present,
				    &swapped));
	present -= st.huge_pmd * 512;
	EXPECT_LE(present, st.present);
	EXPECT_GE(present + pfnmap_pages(s->child), st.present);
	EXPECT_EQ(swapped, st.swap_entries);
	TH_LOG("pgd %llu p4d %llu pud %llu pmd %llu pte %llu deposited %llu; "
	       "%llu PTEs, %llu PMD leaves, %llu swap entries; VmPTE %lld kB",
	       st.pgd, st.p4d, st.pud, st.pmd, st.pte, st.deposited,
	       st.present, st.huge_pmd, st.swap_entries, vmpte);
}

TEST_HARNESS_MAIN
