// SPDX-License-Identifier: GPL-2.0
/*
 * Experiments on paging: demand paging, copy-on-write after fork,
 * transparent huge pages, and the address-space split of this kernel
 * against the 32-bit one textbooks draw.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "exp.h"

#define PAGE	4096UL
#define HPAGE	(2UL << 20)
#define GiB	(1UL << 30)

/* ---- demand-paging ---- */

enum { DP_BASE, DP_MAP, DP_WARM, DP_TOUCH };

struct dp_args {
	uint64_t size;
	uint64_t pages;
};

static void dp_child(void *arg)
{
	const struct dp_args *a = arg;
	volatile char *p = NULL;
	uint64_t i;

	for (;;) {
		uint64_t cmd = exp_child_next(), ret = 0;

		switch (cmd) {
		case DP_MAP:	/* reserve: no memory is committed (see overcommit) */
			p = mmap(NULL, a->size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				 -1, 0);
			ret = p == MAP_FAILED ? 0 : (uintptr_t)p;
			break;
		case DP_WARM:	/* the workload's own first writes, not counted */
			ret = 1;
			break;
		case DP_TOUCH:	/* one write to each of the first pages */
			for (i = 0; i < a->pages; i++)
				p[i * PAGE] = 1;
			ret = 1;
			break;
		}
		exp_child_reply(ret);
	}
}

struct dp_snap {
	struct vmscope_layout lo;
	struct vmscope_ptstats st;
	struct vmscope_faults f;
};

static int dp_snap(int fd, pid_t pid, struct dp_snap *s)
{
	return exp_layout(fd, pid, &s->lo) || exp_ptstats(fd, pid, &s->st) ||
	       exp_faults(fd, pid, &s->f);
}

static void demand_paging(struct exp_ctx *x)
{
	struct dp_args a = {
		.size = (uint64_t)exp_arg(x, "size", 8 * (long)GiB),
		.pages = (uint64_t)exp_arg(x, "pages", 1000),
	};
	struct dp_snap s[3];
	struct exp_child c;
	uint64_t addr, present0, present, tables;

	if (!a.size || a.size % PAGE || a.pages * PAGE > a.size ||
	    a.pages > 1000000)
		return exp_skip(x, "size= (bytes, page multiple) and pages= (up to 1,000,000, within size) please");
	if (exp_child_start(&c, dp_child, &a))
		return exp_inconclusive(x, "cannot start the workload");
	if (dp_snap(x->fd, c.pid, &s[0]))
		return exp_inconclusive(x, "cannot measure the workload");
	addr = exp_child_do(&c, DP_MAP);
	if (!addr || addr == UINT64_MAX)
		return exp_inconclusive(x, "mmap of %llu bytes failed",
					(unsigned long long)a.size);
	exp_child_do(&c, DP_WARM);
	present0 = exp_present_pages(x->fd, c.pid, addr, addr + a.size);
	if (dp_snap(x->fd, c.pid, &s[1]) ||
	    exp_child_do(&c, DP_TOUCH) != 1 || dp_snap(x->fd, c.pid, &s[2]))
		return exp_inconclusive(x, "the workload died");
	present = exp_present_pages(x->fd, c.pid, addr, addr + a.size);
	/* the PTE tables the touched pages span */
	tables = ((addr + a.pages * PAGE - 1) >> 21) - (addr >> 21) + 1;
	exp_child_kill(&c);

	exp_step(x, "a child mmap()ed %llu MiB (MAP_NORESERVE) on a machine with %lld MiB of RAM",
		 (unsigned long long)(a.size >> 20),
		 file_key_ll("/proc/meminfo", "MemTotal") >> 10);
	exp_step(x, "then wrote one byte to each of its first %llu pages",
		 (unsigned long long)a.pages);
	exp_measure(x, "virt_growth", (double)(s[1].lo.total_vm -
		    s[0].lo.total_vm), "bytes", "VIRT (total_vm) added by the mmap");
	exp_measure(x, "rss_after_mmap", ((double)s[1].lo.rss_anon -
		    s[0].lo.rss_anon), "bytes", "anonymous RSS added by the mmap");
	exp_measure(x, "present_after_mmap", (double)present0, "pages",
		    "present pages in the new mapping, by a walk of its page tables");
	exp_measure(x, "minor_faults_touch", (double)s[2].f.min_flt -
		    s[1].f.min_flt, "faults", "minor faults taken by the writes");
	exp_measure(x, "major_faults_touch", (double)s[2].f.maj_flt -
		    s[1].f.maj_flt, "faults", "major faults taken by the writes");
	exp_measure(x, "present_in_region", (double)present, "pages",
		    "present pages in the mapping, by a walk of its page tables");
	exp_measure(x, "rss_after_touch", (double)s[2].lo.rss_anon -
		    s[1].lo.rss_anon, "bytes", "anonymous RSS added by the writes");
	exp_measure(x, "pte_tables_added", (double)s[2].st.pte - s[1].st.pte,
		    "tables", "PTE tables that appeared");
	exp_measure(x, "pte_tables_spanned", (double)tables, "tables",
		    "2 MiB ranges the touched pages span");
	exp_measure(x, "pgtables_bytes_added", (double)s[2].st.pgtables_bytes -
		    s[1].st.pgtables_bytes, "bytes",
		    "page-table memory (VmPTE) added by the writes");

	exp_expect(x, s[1].lo.total_vm - s[0].lo.total_vm == a.size,
		   "the mmap adds its whole size to VIRT");
	exp_expect(x, s[1].lo.rss_anon - s[0].lo.rss_anon < 64 * PAGE &&
		   present0 == 0,
		   "... but no memory: RSS stays and no page of it is present");
	exp_expect(x, s[2].f.min_flt - s[1].f.min_flt == a.pages,
		   "writing N new pages takes exactly N minor faults");
	exp_expect(x, present == a.pages,
		   "... and leaves exactly N present pages in the mapping");
	/*
	 * Before 6.2 each thread caches RSS events and syncs them after 64
	 * or so (TASK_RSS_EVENTS_THRESH), so each of the two readings may
	 * be behind by that much (seen: 65): allow two caches' worth.
	 */
	exp_expect(x, s[2].lo.rss_anon - s[1].lo.rss_anon <=
		   (a.pages + 128) * PAGE &&
		   s[2].lo.rss_anon - s[1].lo.rss_anon + 128 * PAGE >=
		   a.pages * PAGE,
		   "... and RSS grows by N pages (exactly since 6.2; before, give or take the per-thread RSS caches)");
	exp_expect(x, s[2].st.pte - s[1].st.pte == tables,
		   "page tables appear only for the 2 MiB ranges touched");
}

static const struct vmscope_exp exp_demand_paging = {
	.name = "demand-paging",
	.order = 4,
	.claim = "mmap only reserves address space: VIRT grows, RSS and present PTEs do not; touching N pages takes N minor faults, gives N present PTEs and creates the page tables for them",
	.next = "vmscope walk PID START +SIZE on the mapping; vmscope pagetable PID; the overcommit experiment",
	.run = demand_paging,
};
EXP_REGISTER(exp_demand_paging)

/* ---- cow ---- */

/*
 * Three pages, written one at a time after the fork: a write may take a
 * fault more than its copy (one that finds the page being migrated by
 * compaction, or a spurious one), never fewer, so the fewest is the copy.
 */
#define COW_PAGES	3

enum { COW_BASE, COW_FORK, COW_WARM, COW_WRITE };	/* + page index */

static void cow_child(void *arg)
{
	volatile char *page = arg;
	pid_t parent = getpid(), kid;
	int i;

	for (i = 0; i < COW_PAGES; i++)
		page[i * PAGE] = 1;	/* private pages of its own */
	for (;;) {
		uint64_t cmd = exp_child_next(), ret = 0;

		switch (cmd) {
		case COW_BASE:
			ret = (uintptr_t)page;
			break;
		case COW_FORK:
			kid = fork();
			if (!kid) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				if (getppid() != parent)
					_exit(0);
				for (;;)
					pause();
			}
			ret = kid > 0 ? (uint64_t)kid : 0;
			break;
		case COW_WARM:
			ret = 1;
			break;
		default:	/* COW_WRITE + i */
			if (cmd - COW_WRITE < COW_PAGES) {
				page[(cmd - COW_WRITE) * PAGE] = 2;
				ret = 1;
			}
			break;
		}
		exp_child_reply(ret);
	}
}

static void cow_translate(struct exp_ctx *x, pid_t pid, uint64_t addr,
			  const char *key, const char *what,
			  struct vmscope_translate *tr)
{
	if (exp_translate(x->fd, pid, addr, tr))
		memset(tr, 0, sizeof(*tr));
	exp_measure(x, key, tr->mapcount, "maps", what);
}

static void cow(struct exp_ctx *x)
{
	struct vmscope_translate p0, k0, p1, k1;
	struct vmscope_faults f0, f1;
	uint64_t addr, kid, w, most = 0, fewest = UINT64_MAX;
	struct exp_child c;
	char *page;
	int i;

	page = mmap(NULL, COW_PAGES * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return exp_inconclusive(x, "mmap failed");
	if (exp_child_start(&c, cow_child, page))
		return exp_inconclusive(x, "cannot start the workload");
	munmap(page, COW_PAGES * PAGE);
	addr = exp_child_do(&c, COW_BASE);
	kid = exp_child_do(&c, COW_FORK);
	if (!kid || kid == UINT64_MAX)
		return exp_inconclusive(x, "fork failed in the workload");
	exp_child_do(&c, COW_WARM);
	cow_translate(x, c.pid, addr, "parent_mapcount",
		      "entries mapping the parent's page after fork", &p0);
	cow_translate(x, (pid_t)kid, addr, "child_mapcount",
		      "entries mapping the child's page after fork", &k0);
	for (i = 0; i < COW_PAGES; i++) {
		exp_faults(x->fd, c.pid, &f0);
		exp_child_do(&c, COW_WRITE + i);
		exp_faults(x->fd, c.pid, &f1);
		w = f1.min_flt - f0.min_flt;
		most = w > most ? w : most;
		fewest = w < fewest ? w : fewest;
		if (i)
			continue;
		cow_translate(x, c.pid, addr, "parent_mapcount_written",
			      "entries mapping the parent's page after its write",
			      &p1);
		cow_translate(x, (pid_t)kid, addr, "child_mapcount_written",
			      "entries mapping the child's page after the write",
			      &k1);
	}
	kill((pid_t)kid, SIGKILL);
	exp_child_kill(&c);

	exp_step(x, "a process wrote %d private anonymous pages, then forked",
		 COW_PAGES);
	exp_step(x, "the parent wrote each page again, one at a time; the child did not touch them");
	exp_measure(x, "same_pfn_after_fork", p0.pfn && p0.pfn == k0.pfn,
		    "bool", "1: parent and child map the same physical page");
	exp_measure(x, "parent_pfn_changed", p1.pfn != p0.pfn, "bool",
		    "1: the writer now maps another physical page");
	exp_measure(x, "child_pfn_kept", k1.pfn == k0.pfn, "bool",
		    "1: the child still maps the original page");
	exp_measure(x, "write_faults", (double)fewest, "faults",
		    "minor faults the parent's write took (the fewest of its writes)");
	exp_measure(x, "write_faults_most", (double)most, "faults",
		    "... the most (a fault that met the page being migrated, or a spurious one, adds one)");
	if (!p0.pfn)
		return exp_inconclusive(x, "no PFNs: run as root (CAP_SYS_ADMIN), as /proc/PID/pagemap requires");
	exp_expect(x, p0.pfn == k0.pfn && p0.mapcount == 2,
		   "after fork parent and child map the same page, mapcount 2, read-only");
	exp_expect(x, !(p0.walk[p0.nr_steps - 1].flags & VMSCOPE_PTE_RW),
		   "... and the parent's entry is write-protected");
	exp_expect(x, p1.pfn != p0.pfn && k1.pfn == k0.pfn,
		   "a write gives the writer a new page; the other keeps the old");
	exp_expect(x, p1.mapcount == 1 && k1.mapcount == 1,
		   "... and each page is mapped once again");
	exp_expect(x, fewest == 1,
		   "the copy costs the writer exactly one (minor) fault");
}

static const struct vmscope_exp exp_cow = {
	.name = "cow",
	.order = 8,
	.claim = "after fork, parent and child map the same physical page (mapcount 2, write-protected); a write gives the writer a new page and costs one fault",
	.next = "vmscope translate PID ADDR in a parent and its child; vmscope walk --pages for the EXCLUSIVE flag",
	.needs = EXP_NEEDS_ROOT,
	.run = cow,
};
EXP_REGISTER(exp_cow)

/* ---- thp ---- */

enum { THP_MAP, THP_WARM, THP_TOUCH_HUGE, THP_TOUCH_SMALL };

static void thp_child(void *arg)
{
	volatile char *huge = NULL, *small = NULL;
	char *raw;
	uint64_t i;

	(void)arg;
	for (;;) {
		uint64_t cmd = exp_child_next(), ret = 0;

		switch (cmd) {
		case THP_MAP:	/* two 2 MiB-aligned regions, one THP-eligible */
			raw = mmap(NULL, 3 * HPAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (raw == MAP_FAILED)
				break;
			huge = (char *)(((uintptr_t)raw + HPAGE - 1) &
					~(HPAGE - 1));
			small = huge + HPAGE;
			if (madvise((char *)huge, HPAGE, MADV_HUGEPAGE) ||
			    madvise((char *)small, HPAGE, MADV_NOHUGEPAGE))
				break;
			ret = (uintptr_t)huge;
			break;
		case THP_WARM:
			ret = 1;
			break;
		case THP_TOUCH_HUGE:
			for (i = 0; i < HPAGE; i += PAGE)
				huge[i] = 1;
			ret = 1;
			break;
		case THP_TOUCH_SMALL:
			for (i = 0; i < HPAGE; i += PAGE)
				small[i] = 1;
			ret = 1;
			break;
		}
		exp_child_reply(ret);
	}
}

struct thp_snap {
	struct vmscope_faults f;
	struct vmscope_ptstats st;
};

static void thp_snap(int fd, pid_t pid, struct thp_snap *s)
{
	exp_faults(fd, pid, &s->f);
	exp_ptstats(fd, pid, &s->st);
}

static void thp(struct exp_ctx *x)
{
	struct thp_snap s[3];
	struct vmscope_translate th, ts;
	__u64 vs0[VMSCOPE_STAT_NR], vs1[VMSCOPE_STAT_NR];
	struct exp_child c;
	uint64_t huge;

	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK))
		return exp_skip(x, "this kernel has no transparent huge pages");
	if (exp_child_start(&c, thp_child, NULL))
		return exp_inconclusive(x, "cannot start the workload");
	huge = exp_child_do(&c, THP_MAP);
	if (!huge || huge == UINT64_MAX)
		return exp_inconclusive(x, "mmap/madvise failed (THP mode 'never'?)");
	exp_child_do(&c, THP_WARM);
	exp_vmstat(x->fd, vs0);
	thp_snap(x->fd, c.pid, &s[0]);
	exp_child_do(&c, THP_TOUCH_HUGE);
	thp_snap(x->fd, c.pid, &s[1]);
	exp_child_do(&c, THP_TOUCH_SMALL);
	thp_snap(x->fd, c.pid, &s[2]);
	exp_vmstat(x->fd, vs1);
	exp_translate(x->fd, c.pid, huge + 12345, &th);
	exp_translate(x->fd, c.pid, huge + HPAGE + 12345, &ts);
	exp_child_kill(&c);

	exp_step(x, "a child mapped two 2 MiB-aligned regions: MADV_HUGEPAGE on one, MADV_NOHUGEPAGE on the other");
	exp_step(x, "then wrote every 4 KiB page of each, the huge one first");
	exp_measure(x, "huge_faults", (double)s[1].f.min_flt - s[0].f.min_flt,
		    "faults", "faults to fill the MADV_HUGEPAGE region");
	exp_measure(x, "small_faults", (double)s[2].f.min_flt - s[1].f.min_flt,
		    "faults", "faults to fill the MADV_NOHUGEPAGE region");
	exp_measure(x, "huge_leaf_level", th.leaf_level, "level",
		    "where the walk of the huge region ends (2: PMD, 1: PTE)");
	exp_measure(x, "small_leaf_level", ts.leaf_level, "level",
		    "where the walk of the small region ends");
	exp_measure(x, "huge_pmd_leaves", (double)s[1].st.huge_pmd -
		    s[0].st.huge_pmd, "entries", "PMD entries mapping 2 MiB");
	exp_measure(x, "huge_ptes", (double)s[1].st.present - s[0].st.present,
		    "entries", "present PTEs added for the huge region");
	exp_measure(x, "small_ptes", (double)s[2].st.present - s[1].st.present,
		    "entries", "present PTEs added for the small region");
	exp_measure(x, "huge_pgtables_bytes", (double)s[1].st.pgtables_bytes -
		    s[0].st.pgtables_bytes, "bytes",
		    "VmPTE added for the huge region (a PTE table is deposited for a later split)");
	exp_measure(x, "small_pgtables_bytes", (double)s[2].st.pgtables_bytes -
		    s[1].st.pgtables_bytes, "bytes",
		    "VmPTE added for the small region: one PTE table");
	exp_measure(x, "thp_fault_alloc", (double)(vs1[VMSCOPE_STAT_THP_FAULT_ALLOC] -
		    vs0[VMSCOPE_STAT_THP_FAULT_ALLOC]), "events",
		    "THPs allocated at fault time, system-wide");
	exp_measure(x, "thp_fault_fallback", (double)(vs1[VMSCOPE_STAT_THP_FAULT_FALLBACK] -
		    vs0[VMSCOPE_STAT_THP_FAULT_FALLBACK]), "events",
		    "THP faults that fell back to 4 KiB pages");
	if (th.leaf_level != VMSCOPE_LEVEL_PMD &&
	    vs1[VMSCOPE_STAT_THP_FAULT_FALLBACK] >
	    vs0[VMSCOPE_STAT_THP_FAULT_FALLBACK])
		return exp_inconclusive(x, "no free 2 MiB block: the THP fault fell back (see the buddy experiment)");
	exp_expect(x, th.leaf_level == VMSCOPE_LEVEL_PMD &&
		   th.page_size == HPAGE,
		   "the THP region is mapped by one PMD leaf of 2 MiB");
	exp_expect(x, s[1].st.huge_pmd - s[0].st.huge_pmd == 1 &&
		   s[1].st.present == s[0].st.present,
		   "... one entry instead of 512 PTEs");
	exp_expect(x, s[1].f.min_flt - s[0].f.min_flt == 1,
		   "... filled by one fault instead of 512");
	exp_expect(x, s[2].f.min_flt - s[1].f.min_flt == 512 &&
		   ts.leaf_level == VMSCOPE_LEVEL_PTE,
		   "the same region without THP takes 512 faults and 512 PTEs");
	exp_expect(x, s[1].st.pte == s[0].st.pte,
		   "no PTE table maps the THP region (the walk is one level shorter)");
}

static const struct vmscope_exp exp_thp = {
	.name = "thp",
	.order = 10,
	.claim = "a 2 MiB-aligned THP region is mapped by one PMD leaf instead of 512 PTEs and filled by one fault instead of 512, saving page-table entries",
	.next = "vmscope translate PID ADDR in a THP (the walk ends at the PMD); vmscope pagetable PID; /sys/kernel/mm/transparent_hugepage",
	.run = thp,
};
EXP_REGISTER(exp_thp)

/* ---- layout-32-vs-64 ---- */

static void mmap_high_child(void *arg)
{
	void *hint = (void *)(uintptr_t)(1ULL << 48), *p;

	(void)arg;
	exp_child_next();
	p = mmap(hint, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	exp_child_reply(p == MAP_FAILED ? 0 : (uintptr_t)p);
	exp_child_next();
}

static void layout_32_vs_64(struct exp_ctx *x)
{
	const uint64_t split32 = 3ULL << 30;	/* 3G/1G */
	struct vmscope_translate tr;
	struct vmscope_info info;
	struct exp_child c;
	uint64_t high = 0, expect;
	int err;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	if (ioctl(x->fd, VMSCOPE_IOC_INFO, &info))
		return exp_inconclusive(x, "VMSCOPE_IOC_INFO failed");
	if (!exp_child_start(&c, mmap_high_child, NULL)) {
		high = exp_child_do(&c, 0);
		exp_child_kill(&c);
	}
	err = exp_translate(x->fd, getpid(), 1ULL << 47, &tr);
	expect = info.levels == 5 ? (1ULL << 56) - PAGE : (1ULL << 47) - PAGE;

	exp_step(x, "asked the module for the paging levels, TASK_SIZE and where the kernel half starts");
	exp_step(x, "a child asked mmap() for a page at 2^48 (only 5-level paging reaches it)");
	exp_measure(x, "levels", info.levels, "levels", "page-table levels the MMU walks");
	exp_measure(x, "va_bits", info.va_bits, "bits", "virtual address bits");
	exp_measure(x, "task_size", (double)info.task_size, "address",
		    "end of user space (TASK_SIZE)");
	exp_measure(x, "task_size_vs_3g", (double)(info.task_size / split32),
		    "x", "user space against the 3 GiB of a 32-bit 3G/1G split");
	exp_measure(x, "kernel_start", (double)info.kernel_start, "address",
		    "lowest kernel address (the upper canonical half)");
	exp_measure(x, "hole_tib", (double)((info.kernel_start -
		    info.task_size) >> 40), "TiB",
		    "non-canonical gap between the halves");
	exp_measure(x, "mmap_at_2_48", high >= (1ULL << 47), "bool",
		    "1: mmap() placed a page above 2^47");
	exp_measure(x, "translate_2_47_errno", err < 0 ? -err : 0, "errno",
		    "translating 2^47 (non-canonical on 4 levels, user on 5)");
	exp_expect(x, info.task_size == expect,
		   "TASK_SIZE is 2^%d - 4 KiB for %u-level paging, not 3 GiB",
		   info.levels == 5 ? 56 : 47, info.levels);
	exp_expect(x, info.kernel_start == (info.levels == 5 ?
		   0xff00000000000000ULL : 0xffff800000000000ULL),
		   "the kernel half starts at the upper canonical half, not at 3 GiB");
	exp_expect(x, (high >= (1ULL << 47)) == (info.levels == 5),
		   "user space reaches above 2^47 exactly when the MMU walks 5 levels");
	exp_expect(x, info.task_size > 1000 * split32,
		   "a 64-bit process has thousands of times the 32-bit user space");
}

static const struct vmscope_exp exp_layout_32_vs_64 = {
	.name = "layout-32-vs-64",
	.order = 14,
	.claim = "the 32-bit 3G/1G split does not hold on x86-64: user space ends at 2^47 (4-level) or 2^56 (5-level) and the kernel lives in the upper canonical half, with a non-canonical hole between",
	.next = "vmscope info (the picture of the split); make vm LEVELS=5",
	.run = layout_32_vs_64,
};
EXP_REGISTER(exp_layout_32_vs_64)
