// SPDX-License-Identifier: GPL-2.0
/*
 * Experiments on the buddy allocator: external fragmentation of the free
 * lists, a high-order allocation (a THP) that fails on it although memory
 * is free, and compaction that undoes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exp.h"

#define PAGE		4096UL
#define MiB		(1UL << 20)
#define MAX_ZONES	16

#define THP_SYSFS	"/sys/kernel/mm/transparent_hugepage"
#define COMPACT_MEMORY	"/proc/sys/vm/compact_memory"

/* ---- buddy ---- */

enum { BD_TOUCH = 1, BD_PUNCH, BD_THP_MAP, BD_THP_TOUCH, BD_THP_ZAP };

#define BD_CMD(cmd, chunk)	((uint64_t)(chunk) << 8 | (cmd))

/*
 * Free one page in 3, not every other one: once a pageblock yields no
 * free page, compaction's free scanner samples only every 2nd, 4th...
 * 32nd page of the next ones (isolate_freepages()), all of one parity,
 * and can miss every hole of an every-other-page pattern.  A period of 3
 * it cannot miss.
 */
#define BD_EVERY	3

struct bd_args {
	uint64_t size;		/* the region to fragment */
	uint64_t every;		/* free one page in this many */
	uint64_t hpage;		/* THP size */
	uint64_t chunks;	/* THP-eligible chunks to map */
};

/*
 * The workload: a region of order-0 pages (MADV_NOHUGEPAGE) touched in
 * order, so that it takes physically consecutive pages from split
 * high-order blocks; then one page in @every of it freed, each one next
 * to pages still in use, so that none can merge with its buddy.  And a
 * THP-eligible region whose 2 MiB chunks it faults one at a time.
 */
static void bd_child(void *arg)
{
	const struct bd_args *a = arg;
	char *region = NULL, *thp = NULL, *raw;
	uint64_t i;

	for (;;) {
		uint64_t cmd = exp_child_next(), ret = 0, chunk = cmd >> 8;

		switch (cmd & 0xff) {
		case BD_TOUCH:
			region = mmap(NULL, a->size, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (region == MAP_FAILED ||
			    madvise(region, a->size, MADV_NOHUGEPAGE))
				break;
			for (i = 0; i < a->size; i += PAGE)
				region[i] = 1;
			ret = (uintptr_t)region;
			break;
		case BD_PUNCH:
			for (i = PAGE; i < a->size; i += a->every * PAGE)
				ret += !madvise(region + i, PAGE,
						MADV_DONTNEED);
			break;
		case BD_THP_MAP:
			raw = mmap(NULL, (a->chunks + 1) * a->hpage,
				   PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				   -1, 0);
			if (raw == MAP_FAILED)
				break;
			thp = (char *)(((uintptr_t)raw + a->hpage - 1) &
				       ~(a->hpage - 1));
			if (madvise(thp, a->chunks * a->hpage, MADV_HUGEPAGE))
				break;
			ret = (uintptr_t)thp;
			break;
		case BD_THP_TOUCH:	/* one fault: a THP, or a 4K page */
			thp[chunk * a->hpage] = 1;
			ret = 1;
			break;
		case BD_THP_ZAP:
			ret = !madvise(thp + chunk * a->hpage, a->hpage,
				       MADV_DONTNEED);
			break;
		}
		exp_child_reply(ret);
	}
}

/* The free lists summed over the zones, and the counters, at one time. */
struct bd_snap {
	uint64_t nr_free[VMSCOPE_ZONE_ORDERS];	/* blocks per order */
	unsigned int nr_orders;
	double free;		/* free pages */
	double high_pages;	/* free pages in blocks of >= THP order */
	double wmark_high;	/* the zones' high watermarks, summed */
	double pcp;		/* free pages on the per-CPU lists */
	char zone_high[EXP_TEXT];	/* "DMA 2, DMA32 0": THP blocks */
	__u64 stat[VMSCOPE_STAT_NR];
};

/*
 * Free pages waiting on the per-CPU lists, which buddyinfo does not
 * count: the "count:" lines of /proc/zoneinfo (the module has no such
 * counter); -1 if unknown.
 */
static double bd_pcp_pages(void)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	double n = -1;
	char line[256];
	long v;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &v) == 1)
			n = (n < 0 ? 0 : n) + v;
	fclose(f);
	return n;
}

static int bd_snap(struct exp_ctx *x, unsigned int thp_order,
		   struct bd_snap *s)
{
	struct vmscope_zone z[MAX_ZONES];
	size_t len = 0;
	unsigned int o;
	uint64_t high;
	int i, n;

	memset(s, 0, sizeof(*s));
	n = exp_zones(x->fd, z, MAX_ZONES);
	if (n < 0 || exp_vmstat(x->fd, s->stat))
		return -1;
	s->pcp = bd_pcp_pages();
	for (i = 0; i < n && i < MAX_ZONES; i++) {
		if (!(z[i].flags & VMSCOPE_ZONE_POPULATED))
			continue;
		s->wmark_high += (double)z[i].high;
		if (z[i].nr_orders > s->nr_orders)
			s->nr_orders = z[i].nr_orders;
		high = 0;
		for (o = 0; o < z[i].nr_orders && o < VMSCOPE_ZONE_ORDERS; o++) {
			s->nr_free[o] += z[i].nr_free[o];
			if (o >= thp_order)
				high += z[i].nr_free[o] << (o - thp_order);
		}
		if (len < sizeof(s->zone_high))
			len += snprintf(s->zone_high + len,
					sizeof(s->zone_high) - len, "%s%s %llu",
					len ? ", " : "", z[i].name,
					(unsigned long long)high);
	}
	for (o = 0; o < s->nr_orders; o++) {
		s->free += (double)(s->nr_free[o] << o);
		if (o >= thp_order)
			s->high_pages += (double)(s->nr_free[o] << o);
	}
	return 0;
}

/* Share of free memory in blocks too small for a THP (0 to 1). */
static double bd_unusable(const struct bd_snap *s)
{
	return s->free ? (s->free - s->high_pages) / s->free : 0;
}

static double bd_delta(const struct bd_snap *a, const struct bd_snap *b,
		       enum vmscope_stat i)
{
	if (a->stat[i] == VMSCOPE_STAT_NONE || b->stat[i] == VMSCOPE_STAT_NONE)
		return 0;
	return (double)(b->stat[i] - a->stat[i]);
}

/* "free blocks per order ...: 2 3 2 1 2 0 2 1 2 2 220" as a step */
static void bd_step_lists(struct exp_ctx *x, const char *when,
			  const struct bd_snap *s)
{
	char line[EXP_TEXT];
	unsigned int o;
	int n;

	n = snprintf(line, sizeof(line), "free blocks of order 0..%u %s:",
		     s->nr_orders - 1, when);
	for (o = 0; o < s->nr_orders && n < (int)sizeof(line); o++)
		n += snprintf(line + n, sizeof(line) - n, " %llu",
			      (unsigned long long)s->nr_free[o]);
	exp_step(x, "%s", line);
}

static void bd_measure_snap(struct exp_ctx *x, const char *when,
			    const struct bd_snap *s, unsigned int thp_order,
			    const char *what)
{
	char key[48], text[EXP_TEXT];

	snprintf(key, sizeof(key), "free_%s", when);
	snprintf(text, sizeof(text), "free pages %s (sum of buddyinfo)", what);
	exp_measure(x, key, s->free, "pages", text);
	snprintf(key, sizeof(key), "order0_%s", when);
	exp_measure(x, key, (double)s->nr_free[0], "pages",
		    "of them, single pages (order-0 blocks)");
	snprintf(key, sizeof(key), "thp_blocks_%s", when);
	exp_measure(x, key, s->high_pages / (1UL << thp_order), "blocks",
		    "free blocks of a THP's size (2 MiB), larger ones counted as several");
}

static long bd_read_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Why THP and compaction cannot be used here, or NULL; the THP size. */
static const char *bd_cannot_run(uint64_t *hpage)
{
	char mode[128] = "";
	FILE *f = fopen(THP_SYSFS "/enabled", "re");

	if (!f)
		return "no transparent huge pages in this kernel";
	if (!fgets(mode, sizeof(mode), f))
		mode[0] = '\0';
	fclose(f);
	if (strstr(mode, "[never]"))
		return "transparent huge pages are off (" THP_SYSFS "/enabled: never)";
	if (access(COMPACT_MEMORY, W_OK))
		return "no " COMPACT_MEMORY ": a kernel without CONFIG_COMPACTION";
	*hpage = (uint64_t)bd_read_long(THP_SYSFS "/hpage_pmd_size");
	if (*hpage < 2 * PAGE || (*hpage & (*hpage - 1)))
		*hpage = 2 * MiB;
	return NULL;
}

/*
 * Keep the kernel from compacting behind the experiment's back, and make
 * a THP fault that finds no free 2 MiB block fall back at once instead of
 * compacting: all restored by the cleanup.
 */
static int bd_settings(struct exp_ctx *x)
{
	int err = exp_sysctl_set(THP_SYSFS "/defrag", "never");
	bool quiet, noboost;

	if (err)
		return err;
	/* older kernels lack them, and neither is essential */
	quiet = !exp_sysctl_set("/proc/sys/vm/compaction_proactiveness", "0");
	noboost = !exp_sysctl_set("/proc/sys/vm/watermark_boost_factor", "0");
	exp_step(x, "set THP defrag to never: a THP fault takes a free 2 MiB block or falls back, never compacts%s%s",
		 quiet ? "; vm.compaction_proactiveness 0" : "",
		 noboost ? "; vm.watermark_boost_factor 0" : "");
	return 0;
}

static int bd_compact(void)
{
	int fd = open(COMPACT_MEMORY, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

struct bd_run {
	struct bd_args a;
	unsigned int thp_order;
	double keep;		/* free pages never to go below */
	struct bd_snap s0, s1, s2, s3, s4, s5;
	uint64_t punched, thp_addr, thp_got;
	bool fell_back;
	struct vmscope_translate fb, after;
};

/*
 * Fault THP chunks until one falls back, but never into the free memory
 * that is to be kept (the pages on the per-CPU lists are free memory too);
 * then compact and fault the next one.
 */
static bool bd_thp_phase(struct exp_ctx *x, struct exp_child *c,
			 struct bd_run *r)
{
	double hp = (double)(1UL << r->thp_order);
	double free = r->s2.free + (r->s2.pcp > 0 ? r->s2.pcp : 0);
	uint64_t i, budget = r->a.chunks - 2;	/* and one after compacting */

	if (free - r->keep < budget * hp)
		budget = free > r->keep ? (uint64_t)((free - r->keep) / hp) : 0;
	r->thp_addr = exp_child_do(c, BD_THP_MAP);
	if (!r->thp_addr || r->thp_addr == UINT64_MAX)
		return false;
	for (i = 0; i <= budget && !r->fell_back; i++) {
		if (exp_child_do(c, BD_CMD(BD_THP_TOUCH, i)) != 1 ||
		    exp_translate(x->fd, c->pid, r->thp_addr + i * r->a.hpage,
				  &r->fb))
			return false;
		if (r->fb.leaf_level == VMSCOPE_LEVEL_PMD)
			r->thp_got++;
		else
			r->fell_back = true;
	}
	if (bd_snap(x, r->thp_order, &r->s3))
		return false;
	if (!r->fell_back)
		return true;
	/* empty it, so that khugepaged finds nothing there to collapse */
	exp_child_do(c, BD_CMD(BD_THP_ZAP, i - 1));

	if (bd_compact() || bd_snap(x, r->thp_order, &r->s4))
		return false;
	/* the next chunk: its PMD is still empty, unlike the zapped one's */
	if (exp_child_do(c, BD_CMD(BD_THP_TOUCH, i)) != 1 ||
	    exp_translate(x->fd, c->pid, r->thp_addr + i * r->a.hpage,
			  &r->after) ||
	    bd_snap(x, r->thp_order, &r->s5))
		return false;
	return true;
}

/*
 * The region to fragment, sized from the free memory measured (s0), most
 * of it free 2 MiB blocks: touching the region takes the smaller free
 * blocks first, then splits 2 MiB blocks; what it leaves free is left in
 * 2 MiB blocks, which the THP faults are to use up, and freeing one page
 * in @every of it gives back region / @every pages that no THP can use.
 * So the region leaves free as much as it gives back, and then the THP
 * faults run out of 2 MiB blocks with about that much still free:
 * free = region + region / @every.  That is also the least free memory
 * of the run, and it must not go below keep_mib: by default 32 MiB above
 * the high watermarks, so that kswapd (woken below the low ones) never
 * swaps the region out under the experiment.  mib= sets the region.
 */
static bool bd_size(struct exp_ctx *x, struct bd_run *r)
{
	long floor = (long)(r->s0.wmark_high * PAGE / MiB) + 32;
	long keep = exp_arg(x, "keep_mib", floor), mib = exp_arg(x, "mib", 0);
	long free_mib = (long)(r->s0.free * PAGE / MiB);
	long every = exp_arg(x, "every", BD_EVERY);

	if (every < 2 || every > 64) {
		exp_skip(x, "every=%ld: free one page in 2 to 64", every);
		return false;
	}
	r->a.every = (uint64_t)every;
	if (keep < floor)
		keep = floor;
	if (!mib)
		mib = free_mib * every / (every + 1) < 2048 ?
		      free_mib * every / (every + 1) : 2048;
	if (mib < 64 || mib > free_mib - keep || mib / every < keep) {
		exp_skip(x, "mib=%ld of %ld MiB free: needs 64 or more, keep_mib=%ld left free, and 1/%ld of mib= that much or more",
			 mib, free_mib, keep, every);
		return false;
	}
	r->a.size = (uint64_t)mib * MiB;
	r->keep = (double)keep * MiB / PAGE;
	return true;
}

/* Touching the region, then freeing one page in every few. */
static void bd_report_fragments(struct exp_ctx *x, const struct bd_run *r)
{
	/* pages freed onto the per-CPU lists, if zoneinfo tells */
	double pcp = r->s1.pcp >= 0 && r->s2.pcp >= 0 ? r->s2.pcp - r->s1.pcp : 0;
	/*
	 * The free memory gained: the pages freed, less what the rest of the
	 * system allocated meanwhile (on the KASAN kernel a fifth of them,
	 * once).  The share of single pages is taken of what was seen free.
	 */
	double seen = fmin(r->punched, r->s2.free - r->s1.free + pcp);

	bd_measure_snap(x, "before", &r->s0, r->thp_order, "before");
	bd_measure_snap(x, "touched", &r->s1, r->thp_order,
			"after the region was touched");
	exp_measure(x, "punched", (double)r->punched, "pages",
		    "pages of the region freed (MADV_DONTNEED)");
	bd_measure_snap(x, "punched", &r->s2, r->thp_order,
			"after they were freed");
	exp_measure(x, "pcp_touched", r->s1.pcp, "pages",
		    "free pages on the per-CPU lists after the touch, not in buddyinfo (zoneinfo count:)");
	exp_measure(x, "pcp_punched", r->s2.pcp, "pages",
		    "... after the frees");
	exp_measure(x, "freed_seen", seen, "pages",
		    "of the pages freed, those seen free (buddyinfo and per-CPU lists gained as much, at most all of them)");
	exp_measure(x, "unusable_before", 100 * bd_unusable(&r->s0), "%",
		    "share of free memory in blocks smaller than a THP, before");
	exp_measure(x, "unusable_punched", 100 * bd_unusable(&r->s2), "%",
		    "... after freeing them");
	exp_expect(x, seen >= 0.5 * r->punched,
		   "the pages freed are seen free (half of them or more: the rest of the system allocates meanwhile)");
	exp_expect(x, (double)r->s2.nr_free[0] - (double)r->s1.nr_free[0] +
		   pcp >= 0.75 * seen,
		   "pages freed between pages in use stay single free pages: order 0 or per-CPU lists (3/4 of those seen free or more)");
	/*
	 * Merged, they would add about as many pages in 2 MiB blocks as were
	 * freed; the rest of the system frees some meanwhile (KASAN's
	 * quarantine on a debug kernel: 4 blocks, 5% of the frees, seen).
	 */
	exp_expect(x, r->s2.high_pages - r->s1.high_pages <= 0.1 * r->punched,
		   "... not in blocks a THP could use: they cannot merge, their buddies are in use");
	exp_expect(x, bd_unusable(&r->s2) >= bd_unusable(&r->s0) + 0.25,
		   "the share of free memory in blocks smaller than 2 MiB rises (by 25 points or more)");
}

/* The THP fault that fell back, compaction, and the THP fault after it. */
static void bd_report_compaction(struct exp_ctx *x, const struct bd_run *r)
{
	double hp = (double)(1UL << r->thp_order);

	exp_measure(x, "fallback_page_size", (double)r->fb.page_size, "bytes",
		    "page the falling-back fault got (TRANSLATE page_size)");
	exp_measure(x, "thp_fault_fallback", bd_delta(&r->s2, &r->s3,
		    VMSCOPE_STAT_THP_FAULT_FALLBACK), "events",
		    "thp_fault_fallback of vmstat meanwhile");
	bd_measure_snap(x, "fallback", &r->s3, r->thp_order,
			"when the THP fault fell back");
	exp_measure(x, "unusable_fallback", 100 * bd_unusable(&r->s3), "%",
		    "share of free memory in blocks smaller than a THP, then");
	bd_measure_snap(x, "compacted", &r->s4, r->thp_order,
			"after compact_memory");
	exp_measure(x, "unusable_compacted", 100 * bd_unusable(&r->s4), "%",
		    "share of free memory in blocks smaller than a THP, after it");
	exp_measure(x, "compact_migrate_scanned", bd_delta(&r->s3, &r->s4,
		    VMSCOPE_STAT_COMPACT_MIGRATE_SCANNED), "pages",
		    "pages compaction looked at to move");
	exp_measure(x, "compact_free_scanned", bd_delta(&r->s3, &r->s4,
		    VMSCOPE_STAT_COMPACT_FREE_SCANNED), "pages",
		    "pages it looked at as targets");
	exp_measure(x, "compact_stall", bd_delta(&r->s0, &r->s4,
		    VMSCOPE_STAT_COMPACT_STALL), "events",
		    "direct compactions in allocations meanwhile (defrag=never: none)");
	exp_measure(x, "after_page_size", (double)r->after.page_size, "bytes",
		    "page the next THP fault got after compaction");
	exp_measure(x, "thp_fault_alloc_after", bd_delta(&r->s4, &r->s5,
		    VMSCOPE_STAT_THP_FAULT_ALLOC), "events",
		    "thp_fault_alloc of vmstat at that fault");

	exp_expect(x, r->fb.leaf_level == VMSCOPE_LEVEL_PTE &&
		   bd_delta(&r->s2, &r->s3, VMSCOPE_STAT_THP_FAULT_FALLBACK) >= 1 &&
		   r->s3.free >= 32 * hp,
		   "once the free 2 MiB blocks are used up, a THP fault falls back to a 4 KiB page although %.0f MiB are free",
		   r->s3.free * PAGE / MiB);
	exp_expect(x, r->s4.high_pages >= 16 * hp &&
		   r->s4.high_pages >= r->s3.high_pages + 16 * hp,
		   "compaction (compact_memory) moves pages together and makes 2 MiB blocks again (16 or more)");
	exp_expect(x, bd_delta(&r->s3, &r->s4,
			       VMSCOPE_STAT_COMPACT_MIGRATE_SCANNED) > 0,
		   "... counted in compact_migrate_scanned");
	exp_expect(x, r->after.leaf_level == VMSCOPE_LEVEL_PMD &&
		   r->after.page_size == r->a.hpage &&
		   bd_delta(&r->s4, &r->s5, VMSCOPE_STAT_THP_FAULT_ALLOC) >= 1,
		   "after it the next THP fault gets a PMD leaf (a 2 MiB page)");
}

static void buddy(struct exp_ctx *x)
{
	static struct bd_run r;
	struct exp_child c;
	const char *why;
	uint64_t ret;

	memset(&r, 0, sizeof(r));
	why = bd_cannot_run(&r.a.hpage);
	if (why)
		return exp_skip(x, "%s", why);
	r.thp_order = (unsigned int)__builtin_ctzll(r.a.hpage / PAGE);
	if (bd_snap(x, r.thp_order, &r.s0))
		return exp_inconclusive(x, "cannot read the zones (VMSCOPE_IOC_RECLAIM)");
	if (!bd_size(x, &r))
		return;
	if (bd_settings(x))
		return exp_skip(x, "cannot set %s/defrag", THP_SYSFS);
	if (bd_snap(x, r.thp_order, &r.s0))
		return exp_inconclusive(x, "cannot read the zones");
	bd_step_lists(x, "before", &r.s0);
	/* room for every free 2 MiB block, and more */
	r.a.chunks = (uint64_t)(r.s0.high_pages / (1UL << r.thp_order)) + 16;
	if (exp_child_start(&c, bd_child, &r.a))
		return exp_inconclusive(x, "cannot start the workload");
	ret = exp_child_do(&c, BD_TOUCH);
	if (!ret || ret == UINT64_MAX || bd_snap(x, r.thp_order, &r.s1))
		return exp_inconclusive(x, "the workload could not map its region");
	exp_step(x, "a child mapped %llu MiB of the %.0f free (MADV_NOHUGEPAGE) and wrote every page, in order",
		 (unsigned long long)(r.a.size / MiB), r.s0.free * PAGE / MiB);
	bd_step_lists(x, "then", &r.s1);
	r.punched = exp_child_do(&c, BD_PUNCH);
	if (r.punched == UINT64_MAX || bd_snap(x, r.thp_order, &r.s2))
		return exp_inconclusive(x, "the workload died");
	exp_step(x, "it freed one page in %llu: madvise(MADV_DONTNEED) on pages 1, %llu, %llu...",
		 (unsigned long long)r.a.every,
		 (unsigned long long)(1 + r.a.every),
		 (unsigned long long)(1 + 2 * r.a.every));
	bd_step_lists(x, "then", &r.s2);
	bd_report_fragments(x, &r);
	if (!bd_thp_phase(x, &c, &r))
		return exp_inconclusive(x, "the THP faults or their measurement failed");
	exp_measure(x, "thp_before_fallback", (double)r.thp_got, "THPs",
		    "THP faults that got a PMD leaf before one fell back");
	exp_step(x, "it faulted 2 MiB-aligned chunks of a MADV_HUGEPAGE region one by one: %llu got a THP, then %s",
		 (unsigned long long)r.thp_got,
		 r.fell_back ? "one fell back" : "it stopped, to keep memory free");
	bd_step_lists(x, "then", &r.s3);
	if (!r.fell_back)
		return exp_inconclusive(x, "no THP fault fell back: 2 MiB blocks remained above the %.0f MiB to keep free (try a larger mib= or a smaller keep_mib=)",
					r.keep * PAGE / MiB);
	exp_step(x, "free 2 MiB blocks per zone then: %s", r.s3.zone_high);
	exp_step(x, "wrote 1 to %s", COMPACT_MEMORY);
	bd_step_lists(x, "then", &r.s4);
	exp_step(x, "it faulted the next chunk");
	exp_child_kill(&c);
	bd_report_compaction(x, &r);
}

static const struct vmscope_exp exp_buddy = {
	.name = "buddy",
	.order = 11,
	.claim = "memory freed a page here and there stays in single pages (order 0): once the free 2 MiB blocks are used up, a THP fault that may not compact falls back to 4 KiB pages although plenty is free; compaction moves pages together and makes 2 MiB blocks again",
	.next = "/proc/buddyinfo and /proc/pagetypeinfo while a program runs; vmscope reclaim (free blocks per order); Documentation/admin-guide/mm/transhuge.rst (defrag)",
	.needs = EXP_NEEDS_ROOT,
	.run = buddy,
};
EXP_REGISTER(exp_buddy)
