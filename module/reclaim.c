// SPDX-License-Identifier: GPL-2.0
/*
 * Memory reclaim as the kernel counts it: vm events (kswapd versus direct
 * reclaim, swap, compaction, OOM kills), node and zone statistics, zone
 * watermarks and free lists, LRU lists, and the memory cgroup of a process.
 *
 * /proc/vmstat, /proc/zoneinfo and /proc/buddyinfo format these from
 * functions that are not exported (node_page_state_pages(), vmstat_text);
 * the arrays and fields they read are, so this reads the same ones.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/cpu.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/nsproxy.h>
#include <linux/page_counter.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/swap.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>

#include "compat.h"
#include "vmscope.h"

enum vmscope_stat_kind {
	VMSCOPE_SRC_NONE,	/* not on this kernel */
	VMSCOPE_SRC_EVENT,	/* enum vm_event_item */
	VMSCOPE_SRC_SECTORS,	/* a vm event in sectors, shown in kB */
	VMSCOPE_SRC_NODE,	/* enum node_stat_item */
	VMSCOPE_SRC_ZONE,	/* enum zone_stat_item */
};

/**
 * struct vmscope_stat_src - where a counter of enum vmscope_stat lives
 * @kind: VMSCOPE_SRC_*
 * @item: its index in the kernel's enum of that kind
 */
struct vmscope_stat_src {
	u8 kind;
	u16 item;
};

#define EV(x)	{ VMSCOPE_SRC_EVENT, x }
#define ND(x)	{ VMSCOPE_SRC_NODE, x }
#ifdef VMSCOPE_HAVE_RECLAIM_NODE_STATS
#define RC(x)	ND(x)
#else
#define RC(x)	EV(x)
#endif

static const struct vmscope_stat_src vmscope_stat_srcs[VMSCOPE_STAT_NR] = {
	[VMSCOPE_STAT_PGFAULT]		= EV(PGFAULT),
	[VMSCOPE_STAT_PGMAJFAULT]	= EV(PGMAJFAULT),
	[VMSCOPE_STAT_PGSCAN_KSWAPD]	= RC(PGSCAN_KSWAPD),
	[VMSCOPE_STAT_PGSCAN_DIRECT]	= RC(PGSCAN_DIRECT),
	[VMSCOPE_STAT_PGSTEAL_KSWAPD]	= RC(PGSTEAL_KSWAPD),
	[VMSCOPE_STAT_PGSTEAL_DIRECT]	= RC(PGSTEAL_DIRECT),
#ifdef VMSCOPE_HAVE_KHUGEPAGED_SCAN
	[VMSCOPE_STAT_PGSCAN_KHUGEPAGED]  = RC(PGSCAN_KHUGEPAGED),
	[VMSCOPE_STAT_PGSTEAL_KHUGEPAGED] = RC(PGSTEAL_KHUGEPAGED),
#endif
	[VMSCOPE_STAT_PGSCAN_ANON]	= RC(PGSCAN_ANON),
	[VMSCOPE_STAT_PGSCAN_FILE]	= RC(PGSCAN_FILE),
	[VMSCOPE_STAT_PGSTEAL_ANON]	= RC(PGSTEAL_ANON),
	[VMSCOPE_STAT_PGSTEAL_FILE]	= RC(PGSTEAL_FILE),
#ifdef CONFIG_ZONE_DMA
	[VMSCOPE_STAT_ALLOCSTALL_DMA]	= EV(ALLOCSTALL_DMA),
#endif
#ifdef CONFIG_ZONE_DMA32
	[VMSCOPE_STAT_ALLOCSTALL_DMA32]	= EV(ALLOCSTALL_DMA32),
#endif
	[VMSCOPE_STAT_ALLOCSTALL_NORMAL]  = EV(ALLOCSTALL_NORMAL),
	[VMSCOPE_STAT_ALLOCSTALL_MOVABLE] = EV(ALLOCSTALL_MOVABLE),
	[VMSCOPE_STAT_PGREFILL]		= RC(PGREFILL),
	[VMSCOPE_STAT_PGACTIVATE]	= EV(PGACTIVATE),
	[VMSCOPE_STAT_PGDEACTIVATE]	= EV(PGDEACTIVATE),
	[VMSCOPE_STAT_PSWPIN]		= EV(PSWPIN),
	[VMSCOPE_STAT_PSWPOUT]		= EV(PSWPOUT),
	[VMSCOPE_STAT_PGPGIN]		= { VMSCOPE_SRC_SECTORS, PGPGIN },
	[VMSCOPE_STAT_PGPGOUT]		= { VMSCOPE_SRC_SECTORS, PGPGOUT },
	[VMSCOPE_STAT_PGFREE]		= EV(PGFREE),
	[VMSCOPE_STAT_PAGEOUTRUN]	= EV(PAGEOUTRUN),
	[VMSCOPE_STAT_KSWAPD_LOW_WMARK_HIT_QUICKLY] =
		EV(KSWAPD_LOW_WMARK_HIT_QUICKLY),
	[VMSCOPE_STAT_KSWAPD_HIGH_WMARK_HIT_QUICKLY] =
		EV(KSWAPD_HIGH_WMARK_HIT_QUICKLY),
	[VMSCOPE_STAT_DROP_PAGECACHE]	= EV(DROP_PAGECACHE),
	[VMSCOPE_STAT_DROP_SLAB]	= EV(DROP_SLAB),
	[VMSCOPE_STAT_OOM_KILL]		= EV(OOM_KILL),
#ifdef CONFIG_COMPACTION
	[VMSCOPE_STAT_COMPACT_STALL]	= EV(COMPACTSTALL),
	[VMSCOPE_STAT_COMPACT_FAIL]	= EV(COMPACTFAIL),
	[VMSCOPE_STAT_COMPACT_SUCCESS]	= EV(COMPACTSUCCESS),
	[VMSCOPE_STAT_COMPACT_MIGRATE_SCANNED] = EV(COMPACTMIGRATE_SCANNED),
	[VMSCOPE_STAT_COMPACT_FREE_SCANNED] = EV(COMPACTFREE_SCANNED),
	[VMSCOPE_STAT_COMPACT_DAEMON_WAKE] = EV(KCOMPACTD_WAKE),
#endif
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	[VMSCOPE_STAT_THP_FAULT_ALLOC]	= EV(THP_FAULT_ALLOC),
	[VMSCOPE_STAT_THP_FAULT_FALLBACK] = EV(THP_FAULT_FALLBACK),
#endif
	[VMSCOPE_STAT_WORKINGSET_REFAULT_ANON]	= ND(WORKINGSET_REFAULT_ANON),
	[VMSCOPE_STAT_WORKINGSET_REFAULT_FILE]	= ND(WORKINGSET_REFAULT_FILE),
	[VMSCOPE_STAT_WORKINGSET_ACTIVATE_ANON]	= ND(WORKINGSET_ACTIVATE_ANON),
	[VMSCOPE_STAT_WORKINGSET_ACTIVATE_FILE]	= ND(WORKINGSET_ACTIVATE_FILE),
	[VMSCOPE_STAT_WORKINGSET_RESTORE_ANON]	= ND(WORKINGSET_RESTORE_ANON),
	[VMSCOPE_STAT_WORKINGSET_RESTORE_FILE]	= ND(WORKINGSET_RESTORE_FILE),
	[VMSCOPE_STAT_NR_INACTIVE_ANON]	= ND(NR_INACTIVE_ANON),
	[VMSCOPE_STAT_NR_ACTIVE_ANON]	= ND(NR_ACTIVE_ANON),
	[VMSCOPE_STAT_NR_INACTIVE_FILE]	= ND(NR_INACTIVE_FILE),
	[VMSCOPE_STAT_NR_ACTIVE_FILE]	= ND(NR_ACTIVE_FILE),
	[VMSCOPE_STAT_NR_UNEVICTABLE]	= ND(NR_UNEVICTABLE),
	[VMSCOPE_STAT_NR_ISOLATED_ANON]	= ND(NR_ISOLATED_ANON),
	[VMSCOPE_STAT_NR_ISOLATED_FILE]	= ND(NR_ISOLATED_FILE),
	[VMSCOPE_STAT_NR_ANON_PAGES]	= ND(NR_ANON_MAPPED),
	[VMSCOPE_STAT_NR_FILE_PAGES]	= ND(NR_FILE_PAGES),
	[VMSCOPE_STAT_NR_SHMEM]		= ND(NR_SHMEM),
	[VMSCOPE_STAT_NR_DIRTY]		= ND(NR_FILE_DIRTY),
	[VMSCOPE_STAT_NR_WRITEBACK]	= ND(NR_WRITEBACK),
	[VMSCOPE_STAT_NR_FREE_PAGES]	= { VMSCOPE_SRC_ZONE, NR_FREE_PAGES },
};

#undef EV
#undef ND
#undef RC

static const char *const vmscope_stat_names[] = VMSCOPE_STAT_NAMES;

/**
 * vmscope_vm_event() - a vm event summed over the online CPUs
 * @item: the event
 *
 * Summed as all_vm_events() sums it for /proc/vmstat, under
 * cpus_read_lock(): a CPU going offline folds its counts into an online
 * one (vm_events_fold_cpu()), and a sum racing with that would count them
 * twice or not at all.
 *
 * Context: process context; may sleep.
 * Return: the count.
 */
u64 vmscope_vm_event(enum vm_event_item item)
{
	u64 sum = 0;
	int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		sum += per_cpu(vm_event_states, cpu).event[item];
	cpus_read_unlock();
	return sum;
}

static u64 vmscope_stat_read(const struct vmscope_stat_src *src)
{
	switch (src->kind) {
	case VMSCOPE_SRC_EVENT:
		return vmscope_vm_event(src->item);
	case VMSCOPE_SRC_SECTORS:
		return vmscope_vm_event(src->item) / 2;
	case VMSCOPE_SRC_NODE:
		return global_node_page_state_pages(src->item);
	case VMSCOPE_SRC_ZONE:
		return global_zone_page_state(src->item);
	}
	return VMSCOPE_STAT_NONE;
}

/* The first @n counters of enum vmscope_stat. */
static void vmscope_stats_fill(u64 *stats, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		stats[i] = vmscope_stat_read(&vmscope_stat_srcs[i]);
}

static void vmscope_zone_describe(struct zone *zone, struct vmscope_zone *z)
{
	unsigned long irqflags;
	int order;

	BUILD_BUG_ON(NR_PAGE_ORDERS > VMSCOPE_ZONE_ORDERS);
	z->node = zone_to_nid(zone);
	strscpy(z->name, zone->name, sizeof(z->name));
	z->free = zone_page_state(zone, NR_FREE_PAGES);
	z->min = min_wmark_pages(zone);
	z->low = low_wmark_pages(zone);
	z->high = high_wmark_pages(zone);
	z->boost = zone->watermark_boost;
	z->managed = zone_managed_pages(zone);
	z->present = zone->present_pages;
	z->spanned = zone->spanned_pages;
	z->nr_orders = NR_PAGE_ORDERS;
	if (!populated_zone(zone))
		return;
	z->flags |= VMSCOPE_ZONE_POPULATED;
	/* as /proc/buddyinfo reads them */
	spin_lock_irqsave(&zone->lock, irqflags);
	for (order = 0; order < NR_PAGE_ORDERS; order++)
		z->nr_free[order] = zone->free_area[order].nr_free;
	spin_unlock_irqrestore(&zone->lock, irqflags);
}

/*
 * Every zone of every online node, as /proc/zoneinfo lists them; the
 * first @max are described in @out.  Returns how many there are.
 */
static u32 vmscope_zones_fill(struct vmscope_zone *out, u32 max)
{
	u32 n = 0;
	int nid, i;

	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (i = 0; i < MAX_NR_ZONES; i++, n++)
			if (n < max)
				vmscope_zone_describe(&pgdat->node_zones[i],
						      &out[n]);
	}
	return n;
}

/* node_page_state_pages(), which is not exported */
static u64 vmscope_node_stat(pg_data_t *pgdat, enum node_stat_item item)
{
	long x = atomic_long_read(&pgdat->vm_stat[item]);

	return x < 0 ? 0 : x;
}

static void vmscope_node_describe(int nid, struct vmscope_node *o)
{
	pg_data_t *pgdat = NODE_DATA(nid);

	o->node = nid;
	o->inactive_anon = vmscope_node_stat(pgdat, NR_INACTIVE_ANON);
	o->active_anon = vmscope_node_stat(pgdat, NR_ACTIVE_ANON);
	o->inactive_file = vmscope_node_stat(pgdat, NR_INACTIVE_FILE);
	o->active_file = vmscope_node_stat(pgdat, NR_ACTIVE_FILE);
	o->unevictable = vmscope_node_stat(pgdat, NR_UNEVICTABLE);
	o->isolated_anon = vmscope_node_stat(pgdat, NR_ISOLATED_ANON);
	o->isolated_file = vmscope_node_stat(pgdat, NR_ISOLATED_FILE);
}

/* The LRU lists of the online nodes, as vmscope_zones_fill(). */
static u32 vmscope_nodes_fill(struct vmscope_node *out, u32 max)
{
	u32 n = 0;
	int nid;

	for_each_online_node(nid) {
		if (n < max)
			vmscope_node_describe(nid, &out[n]);
		n++;
	}
	return n;
}

#ifdef CONFIG_MEMCG
/* A page_counter limit in bytes, "max" when it is not set. */
static u64 vmscope_memcg_limit(unsigned long pages)
{
	return pages >= PAGE_COUNTER_MAX ? VMSCOPE_MEMCG_MAX :
					   (u64)pages << PAGE_SHIFT;
}

/* What memory.current, .min, .low, .high, .max, .swap.* and .events say. */
static void vmscope_memcg_fill(struct mem_cgroup *memcg,
			       struct vmscope_memcg *m)
{
	m->current_bytes = (u64)page_counter_read(&memcg->memory) << PAGE_SHIFT;
	m->min_bytes = (u64)READ_ONCE(memcg->memory.min) << PAGE_SHIFT;
	m->low_bytes = (u64)READ_ONCE(memcg->memory.low) << PAGE_SHIFT;
	m->high_bytes = vmscope_memcg_limit(READ_ONCE(memcg->memory.high));
	m->max_bytes = vmscope_memcg_limit(READ_ONCE(memcg->memory.max));
	m->swap_current_bytes = (u64)page_counter_read(&memcg->swap) <<
				PAGE_SHIFT;
	m->swap_max_bytes = vmscope_memcg_limit(READ_ONCE(memcg->swap.max));
	m->ev_low = atomic_long_read(&memcg->memory_events[MEMCG_LOW]);
	m->ev_high = atomic_long_read(&memcg->memory_events[MEMCG_HIGH]);
	m->ev_max = atomic_long_read(&memcg->memory_events[MEMCG_MAX]);
	m->ev_oom = atomic_long_read(&memcg->memory_events[MEMCG_OOM]);
	m->ev_oom_kill = atomic_long_read(&memcg->memory_events[MEMCG_OOM_KILL]);
	/* as /proc/PID/cgroup shows it to the caller */
	if (cgroup_path_ns(memcg->css.cgroup, m->path, sizeof(m->path),
			   current->nsproxy->cgroup_ns) < 0)
		m->path[0] = '\0';
}

/* The memory cgroup of process @pid, if the file may see the process. */
static int vmscope_memcg_describe(const struct vmscope_access *acc, u32 pid,
				  struct vmscope_reclaim *rc)
{
	struct mem_cgroup *memcg;
	struct mm_struct *mm;

	mm = vmscope_target_mm(acc, pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	memcg = get_mem_cgroup_from_mm(mm);
	mmput(mm);
	if (!memcg)		/* cgroup_disable=memory */
		return 0;
	vmscope_memcg_fill(memcg, &rc->memcg);
	css_put(&memcg->css);
	rc->out_flags |= VMSCOPE_RECLAIM_MEMCG;
	return 0;
}
#else
static int vmscope_memcg_describe(const struct vmscope_access *acc, u32 pid,
				  struct vmscope_reclaim *rc)
{
	struct mm_struct *mm = vmscope_target_mm(acc, pid);

	if (IS_ERR(mm))
		return PTR_ERR(mm);
	mmput(mm);
	return 0;
}
#endif

static u32 vmscope_zones_fill_any(void *out, u32 max, void *arg)
{
	return vmscope_zones_fill(out, max);
}

static u32 vmscope_nodes_fill_any(void *out, u32 max, void *arg)
{
	return vmscope_nodes_fill(out, max);
}

static u32 vmscope_stats_fill_any(void *out, u32 max, void *arg)
{
	max = min_t(u32, max, VMSCOPE_STAT_NR);
	vmscope_stats_fill(out, max);
	return VMSCOPE_STAT_NR;
}

/**
 * vmscope_reclaim() - reclaim counters, zones, LRU lists and a memcg
 * @acc: the caller's open-file access record
 * @rc: in: pid, the buffers and their capacities; the outputs zeroed (the
 *	ioctl contract, chardev.c)
 *
 * The counters, zones and lists are the system's, as /proc/vmstat and
 * /proc/zoneinfo show them to anyone; the memory cgroup is that of a
 * process the file may inspect.
 *
 * Context: process context; takes each zone's lock briefly, as
 * /proc/buddyinfo does.
 * Return: 0, -EINVAL for a bad request, -EFAULT, -ENOMEM, or an error of
 * vmscope_target() for @rc->pid.
 */
int vmscope_reclaim(const struct vmscope_access *acc,
		    struct vmscope_reclaim *rc)
{
	struct vmscope_reclaim in = *rc;
	int err;

	if (in.zones_count > VMSCOPE_RECLAIM_MAX_RECORDS ||
	    in.nodes_count > VMSCOPE_RECLAIM_MAX_RECORDS ||
	    in.stats_count > VMSCOPE_RECLAIM_MAX_RECORDS)
		return -EINVAL;

	if (in.pid) {
		err = vmscope_memcg_describe(acc, in.pid, rc);
		if (err)
			return err;
	}
	rc->swap_free = get_nr_swap_pages();
	err = vmscope_array_out(in.stats, in.stats_count, sizeof(u64),
				vmscope_stats_fill_any, NULL, &rc->stats_count);
	if (!err)
		err = vmscope_array_out(in.zones, in.zones_count,
					sizeof(struct vmscope_zone),
					vmscope_zones_fill_any, NULL,
					&rc->nr_zones);
	if (!err)
		err = vmscope_array_out(in.nodes, in.nodes_count,
					sizeof(struct vmscope_node),
					vmscope_nodes_fill_any, NULL,
					&rc->nr_nodes);
	return err;
}

static void vmscope_reclaim_show_zones(struct seq_file *m,
				       struct vmscope_zone *zones, u32 n)
{
	u32 i, o;

	seq_puts(m, "\n# zones (pages, as /proc/zoneinfo): node zone free min low high boost managed present spanned\n");
	for (i = 0; i < n; i++) {
		struct vmscope_zone *z = &zones[i];

		seq_printf(m, "%u %s %llu %llu %llu %llu %llu %llu %llu %llu\n",
			   z->node, z->name, z->free, z->min, z->low,
			   z->high, z->boost, z->managed, z->present,
			   z->spanned);
	}
	seq_puts(m, "\n# free blocks per order (as /proc/buddyinfo): node zone order0 order1 ...\n");
	for (i = 0; i < n; i++) {
		if (!(zones[i].flags & VMSCOPE_ZONE_POPULATED))
			continue;
		seq_printf(m, "%u %s", zones[i].node, zones[i].name);
		for (o = 0; o < zones[i].nr_orders; o++)
			seq_printf(m, " %llu", zones[i].nr_free[o]);
		seq_putc(m, '\n');
	}
}

/**
 * vmscope_reclaim_show() - the text of /proc/vmscope/reclaim
 * @m: the seq_file
 * @v: unused
 *
 * Context: process context.
 * Return: 0 or -ENOMEM.
 */
int vmscope_reclaim_show(struct seq_file *m, void *v)
{
	u32 nzones = MAX_NR_ZONES * num_online_nodes() + MAX_NR_ZONES;
	struct vmscope_node node;
	struct vmscope_zone *zones;
	u64 stats[VMSCOPE_STAT_NR];
	int i, nid;

	zones = kvcalloc(nzones, sizeof(*zones), GFP_KERNEL);
	if (!zones)
		return -ENOMEM;
	nzones = min(nzones, vmscope_zones_fill(zones, nzones));
	vmscope_stats_fill(stats, VMSCOPE_STAT_NR);

	seq_puts(m, "# counters (as /proc/vmstat; pages or events)\n");
	for (i = 0; i < VMSCOPE_STAT_NR; i++)
		if (stats[i] != VMSCOPE_STAT_NONE)
			seq_printf(m, "%s %llu\n", vmscope_stat_names[i],
				   stats[i]);
	seq_printf(m, "swap_free %lu\n", get_nr_swap_pages());
	vmscope_reclaim_show_zones(m, zones, nzones);
	seq_puts(m, "\n# LRU lists (pages): node inactive_anon active_anon inactive_file active_file unevictable isolated_anon isolated_file\n");
	for_each_online_node(nid) {
		vmscope_node_describe(nid, &node);
		seq_printf(m, "%u %llu %llu %llu %llu %llu %llu %llu\n",
			   node.node, node.inactive_anon, node.active_anon,
			   node.inactive_file, node.active_file,
			   node.unevictable, node.isolated_anon,
			   node.isolated_file);
	}
	kvfree(zones);
	return 0;
}
