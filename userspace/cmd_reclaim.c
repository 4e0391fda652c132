// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope reclaim: is the kernel reclaiming in the background (kswapd) or
 * stalling allocations (direct reclaim)?  Zone watermarks and free lists,
 * LRU lists, the reclaim, swap, compaction and OOM counters, PSI, and the
 * memory cgroup of a process; --watch for per-second deltas.
 */
#include <err.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cols.h"
#include "common.h"
#include "json.h"

#define MAX_ZONES	64
#define MAX_NODES	16

static const char *const stat_names[] = VMSCOPE_STAT_NAMES;

struct reclaim_view {
	struct vmscope_reclaim r;
	__u64 stats[VMSCOPE_STAT_NR];
	struct vmscope_zone zones[MAX_ZONES];
	struct vmscope_node nodes[MAX_NODES];
	uint64_t swap_total;
};

/* one line of /proc/pressure/memory */
struct psi_line {
	bool valid;
	double avg10, avg60, avg300;
	unsigned long long total;
};

enum {
	ZC_NODE, ZC_ZONE, ZC_FREE, ZC_MIN, ZC_LOW, ZC_HIGH, ZC_BOOST,
	ZC_MANAGED, ZC_PRESENT, ZC_SPANNED, ZC_POPULATED, ZC_BLOCKS,
};

static const struct col_desc zone_cols[] = {
	[ZC_NODE] = { "NODE", "node", COL_U64, 4, COL_DEFAULT | COL_RIGHT,
		      "NUMA node" },
	[ZC_ZONE] = { "ZONE", "zone", COL_STR, 8, COL_DEFAULT,
		      "DMA, DMA32, Normal, Movable, ..." },
	[ZC_FREE] = { "FREE", "free_pages", COL_U64, 10,
		      COL_DEFAULT | COL_RIGHT, "free pages" },
	[ZC_MIN] = { "MIN", "min_pages", COL_U64, 8, COL_DEFAULT | COL_RIGHT,
		     "min watermark: below it allocations reclaim directly" },
	[ZC_LOW] = { "LOW", "low_pages", COL_U64, 8, COL_DEFAULT | COL_RIGHT,
		     "low watermark: kswapd wakes below it" },
	[ZC_HIGH] = { "HIGH", "high_pages", COL_U64, 8,
		      COL_DEFAULT | COL_RIGHT,
		      "high watermark: kswapd sleeps above it" },
	[ZC_BOOST] = { "BOOST", "boost_pages", COL_U64, 7,
		       COL_DEFAULT | COL_RIGHT,
		       "watermark boost after fragmentation" },
	[ZC_MANAGED] = { "MANAGED", "managed_pages", COL_U64, 10,
			 COL_DEFAULT | COL_RIGHT,
			 "pages the buddy allocator manages" },
	[ZC_PRESENT] = { "PRESENT", "present_pages", COL_U64, 10, COL_RIGHT,
			 "physical pages in the zone" },
	[ZC_SPANNED] = { "SPANNED", "spanned_pages", COL_U64, 10, COL_RIGHT,
			 "pages the zone spans, holes included" },
	[ZC_POPULATED] = { "POPULATED", "populated", COL_BOOL, 3, 0,
			   "the zone has memory (the table shows only these)" },
	[ZC_BLOCKS] = { "FREE-BLOCKS", "nr_free_blocks", COL_U64S, 0.3, 0,
			"free blocks of order 0, 1, 2, ... (2^n pages each)" },
};

enum {
	NC_NODE, NC_ACTIVE_ANON, NC_INACTIVE_ANON, NC_ACTIVE_FILE,
	NC_INACTIVE_FILE, NC_UNEVICTABLE, NC_ISOLATED_ANON,
	NC_ISOLATED_FILE,
};

static const struct col_desc node_cols[] = {
	[NC_NODE] = { "NODE", "node", COL_U64, 4, COL_DEFAULT | COL_RIGHT,
		      "NUMA node" },
	[NC_ACTIVE_ANON] = { "ANON-ACT", "active_anon_pages", COL_U64, 10,
			     COL_DEFAULT | COL_RIGHT, "active anonymous LRU" },
	[NC_INACTIVE_ANON] = { "ANON-INACT", "inactive_anon_pages", COL_U64,
			       10, COL_DEFAULT | COL_RIGHT,
			       "inactive anonymous LRU" },
	[NC_ACTIVE_FILE] = { "FILE-ACT", "active_file_pages", COL_U64, 10,
			     COL_DEFAULT | COL_RIGHT, "active file LRU" },
	[NC_INACTIVE_FILE] = { "FILE-INACT", "inactive_file_pages", COL_U64,
			       10, COL_DEFAULT | COL_RIGHT,
			       "inactive file LRU" },
	[NC_UNEVICTABLE] = { "UNEVICTABLE", "unevictable_pages", COL_U64, 11,
			     COL_DEFAULT | COL_RIGHT,
			     "mlocked and other unevictable pages" },
	[NC_ISOLATED_ANON] = { "ISOL-ANON", "isolated_anon_pages", COL_U64, 9,
			       COL_DEFAULT | COL_RIGHT,
			       "anonymous pages taken off the LRU for now" },
	[NC_ISOLATED_FILE] = { "ISOL-FILE", "isolated_file_pages", COL_U64, 9,
			       COL_DEFAULT | COL_RIGHT,
			       "file pages taken off the LRU for now" },
};

enum {
	WC_INTERVAL, WC_FREE, WC_SCANNED, WC_SCAN_KSWAPD, WC_SCAN_DIRECT,
	WC_STOLEN, WC_SWPIN, WC_SWPOUT, WC_REFAULT, WC_MAJFLT, WC_ALLOCSTALL,
	WC_OOM_KILL,
};

static const struct col_desc watch_cols[] = {
	[WC_INTERVAL] = { "INTERVAL", "interval_s", COL_F64, 8, COL_RIGHT,
			  "seconds between two samples, measured" },
	[WC_FREE] = { "FREE", "free_pages", COL_U64, 9,
		      COL_DEFAULT | COL_RIGHT, "free pages now" },
	[WC_SCANNED] = { "SCANNED", "pgscan_per_s", COL_F64, 9,
			 COL_DEFAULT | COL_RIGHT,
			 "pages scanned, all reclaim (pgscan_anon + _file)" },
	[WC_SCAN_KSWAPD] = { "SCAN-KSW", "pgscan_kswapd_per_s", COL_F64, 9,
			     COL_DEFAULT | COL_RIGHT, "scanned by kswapd" },
	[WC_SCAN_DIRECT] = { "SCAN-DIR", "pgscan_direct_per_s", COL_F64, 9,
			     COL_DEFAULT | COL_RIGHT,
			     "scanned by direct reclaim" },
	[WC_STOLEN] = { "STOLEN", "pgsteal_per_s", COL_F64, 9,
			COL_DEFAULT | COL_RIGHT,
			"pages reclaimed (pgsteal_anon + _file)" },
	[WC_SWPIN] = { "SWPIN", "pswpin_per_s", COL_F64, 9,
		       COL_DEFAULT | COL_RIGHT, "pages swapped in" },
	[WC_SWPOUT] = { "SWPOUT", "pswpout_per_s", COL_F64, 9,
			COL_DEFAULT | COL_RIGHT, "pages swapped out" },
	[WC_REFAULT] = { "REFAULT", "workingset_refault_per_s", COL_F64, 9,
			 COL_DEFAULT | COL_RIGHT,
			 "evicted pages faulted back (anon + file)" },
	[WC_MAJFLT] = { "MAJFLT", "pgmajfault_per_s", COL_F64, 9,
			COL_DEFAULT | COL_RIGHT, "major faults" },
	[WC_ALLOCSTALL] = { "ALLOCSTALL", "allocstall_per_s", COL_F64, 10,
			    COL_DEFAULT | COL_RIGHT,
			    "allocations that entered direct reclaim" },
	[WC_OOM_KILL] = { "OOMKILL", "oom_kill_per_s", COL_F64, 7,
			  COL_DEFAULT | COL_RIGHT, "OOM kills" },
};

static void reclaim_help(FILE *out)
{
	fputs("Usage: vmscope reclaim [options]\n"
	      "\n"
	      "Show how the kernel reclaims memory: for each zone its free pages\n"
	      "against the min/low/high watermarks (kswapd wakes below low and\n"
	      "sleeps above high; below min, allocations reclaim directly) and\n"
	      "its free blocks per order; the LRU lists of each node; the\n"
	      "counters of reclaim by kswapd, by direct reclaim and by\n"
	      "khugepaged, allocation stalls, swap, refaults, compaction and OOM\n"
	      "kills; swap and PSI memory pressure; with --pid, the memory\n"
	      "cgroup of a process.\n"
	      "\n"
	      "Options:\n", out);
	cols_help_options(out);
	fputs("  -p, --pid PID        also the memory cgroup (v2) of process PID\n"
	      "  -w, --watch SECONDS  print per-second deltas of the reclaim\n"
	      "                       counters every SECONDS, like `vmstat 1`,\n"
	      "                       until interrupted (with --json: one object\n"
	      "                       a line, every watch column)\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "-o chooses the columns of the zone table (of the rows with\n"
	      "--watch); the LRU table shows its own.  With -n or -r only the\n"
	      "tables are printed.\n"
	      "JSON: {vmstat (counters named as in /proc/vmstat; those this\n"
	      "kernel lacks are left out), zones: [one object per zone],\n"
	      "nodes: [one object per node, every LRU column], swap\n"
	      "{total_pages, free_pages}, psi ({some, full} each {avg10, avg60,\n"
	      "avg300 (percent), total_us}, or null), and with --pid memcg\n"
	      "{path, current_bytes, min_bytes, low_bytes, high_bytes,\n"
	      "max_bytes, swap_current_bytes, swap_max_bytes (null for \"max\"),\n"
	      "events {low, high, max, oom, oom_kill}}}.\n", out);
	cols_help_columns(out, NULL, zone_cols, ARRAY_SIZE(zone_cols));
	cols_help_columns(out, "Columns of the LRU table (JSON: nodes)",
			  node_cols, ARRAY_SIZE(node_cols));
	cols_help_columns(out,
			  "Output columns with --watch (per second)",
			  watch_cols, ARRAY_SIZE(watch_cols));
}

static void reclaim_get(int fd, uint32_t pid, struct reclaim_view *v)
{
	struct vmscope_reclaim *r = &v->r;

	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->pid = pid;
	r->stats = (uintptr_t)v->stats;
	r->stats_count = VMSCOPE_STAT_NR;
	r->zones = (uintptr_t)v->zones;
	r->zones_count = MAX_ZONES;
	r->nodes = (uintptr_t)v->nodes;
	r->nodes_count = MAX_NODES;
	if (pid)
		vmscope_pid_ioctl(fd, VMSCOPE_IOC_RECLAIM, r, pid,
				  "VMSCOPE_IOC_RECLAIM");
	else
		vmscope_ioctl(fd, VMSCOPE_IOC_RECLAIM, r,
			      "VMSCOPE_IOC_RECLAIM");
	if (r->nr_zones > MAX_ZONES)
		r->nr_zones = MAX_ZONES;
	if (r->nr_nodes > MAX_NODES)
		r->nr_nodes = MAX_NODES;
	v->swap_total = meminfo_swap_total_pages();
}

/* A counter by its /proc/vmstat name; VMSCOPE_STAT_NONE if absent. */
static __u64 counter(const struct reclaim_view *v, enum vmscope_stat i)
{
	return v->stats[i];
}

/* PSI memory pressure, where the kernel has it (CONFIG_PSI, psi=1). */
static void psi_read(struct psi_line *some, struct psi_line *full)
{
	FILE *f = fopen("/proc/pressure/memory", "re");
	char line[256], kind[8];
	struct psi_line p;

	some->valid = full->valid = false;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		memset(&p, 0, sizeof(p));
		if (sscanf(line, "%7s avg10=%lf avg60=%lf avg300=%lf total=%llu",
			   kind, &p.avg10, &p.avg60, &p.avg300, &p.total) != 5)
			continue;
		p.valid = true;
		if (!strcmp(kind, "some"))
			*some = p;
		else if (!strcmp(kind, "full"))
			*full = p;
	}
	fclose(f);
}

static void json_psi(struct json *j, const char *key,
		     const struct psi_line *p)
{
	json_open_flat(j, key, '{');
	json_f64(j, "avg10", p->avg10);
	json_f64(j, "avg60", p->avg60);
	json_f64(j, "avg300", p->avg300);
	json_u64(j, "total_us", p->total);
	json_close(j, '}');
}

static void json_limit(struct json *j, const char *key, uint64_t bytes)
{
	if (bytes == VMSCOPE_MEMCG_MAX)
		json_null(j, key);
	else
		json_u64(j, key, bytes);
}

static void json_memcg(struct json *j, const struct vmscope_memcg *m)
{
	json_open(j, "memcg", '{');
	json_str(j, "path", m->path);
	json_u64(j, "current_bytes", m->current_bytes);
	json_u64(j, "min_bytes", m->min_bytes);
	json_u64(j, "low_bytes", m->low_bytes);
	json_limit(j, "high_bytes", m->high_bytes);
	json_limit(j, "max_bytes", m->max_bytes);
	json_u64(j, "swap_current_bytes", m->swap_current_bytes);
	json_limit(j, "swap_max_bytes", m->swap_max_bytes);
	json_open_flat(j, "events", '{');
	json_u64(j, "low", m->ev_low);
	json_u64(j, "high", m->ev_high);
	json_u64(j, "max", m->ev_max);
	json_u64(j, "oom", m->ev_oom);
	json_u64(j, "oom_kill", m->ev_oom_kill);
	json_close(j, '}');
	json_close(j, '}');
}

static void zone_row(struct cols *c, const struct vmscope_zone *z)
{
	struct col_val cv[ARRAY_SIZE(zone_cols)];

	cv[ZC_NODE] = CV_U(z->node);
	cv[ZC_ZONE] = CV_S(z->name);
	cv[ZC_FREE] = CV_U(z->free);
	cv[ZC_MIN] = CV_U(z->min);
	cv[ZC_LOW] = CV_U(z->low);
	cv[ZC_HIGH] = CV_U(z->high);
	cv[ZC_BOOST] = CV_U(z->boost);
	cv[ZC_MANAGED] = CV_U(z->managed);
	cv[ZC_PRESENT] = CV_U(z->present);
	cv[ZC_SPANNED] = CV_U(z->spanned);
	cv[ZC_POPULATED] = CV_B(z->flags & VMSCOPE_ZONE_POPULATED);
	cv[ZC_BLOCKS] = CV_US(z->nr_free,
			      z->nr_orders < VMSCOPE_ZONE_ORDERS ?
			      z->nr_orders : VMSCOPE_ZONE_ORDERS);
	cols_row(c, cv);
}

static void node_row(struct cols *c, const struct vmscope_node *n)
{
	struct col_val cv[ARRAY_SIZE(node_cols)];

	cv[NC_NODE] = CV_U(n->node);
	cv[NC_ACTIVE_ANON] = CV_U(n->active_anon);
	cv[NC_INACTIVE_ANON] = CV_U(n->inactive_anon);
	cv[NC_ACTIVE_FILE] = CV_U(n->active_file);
	cv[NC_INACTIVE_FILE] = CV_U(n->inactive_file);
	cv[NC_UNEVICTABLE] = CV_U(n->unevictable);
	cv[NC_ISOLATED_ANON] = CV_U(n->isolated_anon);
	cv[NC_ISOLATED_FILE] = CV_U(n->isolated_file);
	cols_row(c, cv);
}

/* The zones (only populated ones in a table), then the LRU lists. */
static void reclaim_tables(const struct reclaim_view *v,
			   const struct cols_opts *co, struct json *j)
{
	struct cols_opts lru = *co;
	struct cols c;
	uint32_t i;

	cols_init(&c, zone_cols, ARRAY_SIZE(zone_cols), co);
	cols_begin(&c, j, "zones");
	for (i = 0; i < v->r.nr_zones; i++)
		if (co->json || v->zones[i].flags & VMSCOPE_ZONE_POPULATED)
			zone_row(&c, &v->zones[i]);
	cols_end(&c);
	lru.list = NULL;
	cols_init(&c, node_cols, ARRAY_SIZE(node_cols), &lru);
	if (!co->json && !co->noheadings && !co->raw)
		printf("\nLRU lists (pages)\n");
	cols_begin(&c, j, "nodes");
	for (i = 0; i < v->r.nr_nodes; i++)
		node_row(&c, &v->nodes[i]);
	cols_end(&c);
}

static void reclaim_json(const struct reclaim_view *v,
			 const struct cols_opts *co)
{
	struct psi_line some, full;
	struct json j;
	uint32_t i;

	psi_read(&some, &full);
	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_open(&j, "vmstat", '{');
	for (i = 0; i < VMSCOPE_STAT_NR; i++)
		if (v->stats[i] != VMSCOPE_STAT_NONE)
			json_u64(&j, stat_names[i], v->stats[i]);
	json_close(&j, '}');
	reclaim_tables(v, co, &j);
	json_open_flat(&j, "swap", '{');
	json_u64(&j, "total_pages", v->swap_total);
	json_u64(&j, "free_pages", v->r.swap_free);
	json_close(&j, '}');
	if (some.valid) {
		json_open(&j, "psi", '{');
		json_psi(&j, "some", &some);
		if (full.valid)
			json_psi(&j, "full", &full);
		json_close(&j, '}');
	} else {
		json_null(&j, "psi");
	}
	if (v->r.out_flags & VMSCOPE_RECLAIM_MEMCG)
		json_memcg(&j, &v->r.memcg);
	json_close(&j, '}');
}

static void print_blocks(const struct reclaim_view *v)
{
	uint32_t i, o;

	printf("\nFree blocks per order (buddy allocator; order n = 2^n pages)\n");
	for (i = 0; i < v->r.nr_zones; i++) {
		const struct vmscope_zone *z = &v->zones[i];

		if (!(z->flags & VMSCOPE_ZONE_POPULATED))
			continue;
		printf("%4u %-8s", z->node, z->name);
		for (o = 0; o < z->nr_orders && o < VMSCOPE_ZONE_ORDERS; o++)
			printf(" %6llu", z->nr_free[o]);
		printf("\n");
	}
}

/* "-" for a counter this kernel does not have */
static void print_stat(const struct reclaim_view *v, enum vmscope_stat i)
{
	if (counter(v, i) == VMSCOPE_STAT_NONE)
		printf(" %12s", "-");
	else
		printf(" %12llu", counter(v, i));
}

static uint64_t allocstalls(const struct reclaim_view *v)
{
	uint64_t sum = 0;
	int i;

	for (i = VMSCOPE_STAT_ALLOCSTALL_DMA;
	     i <= VMSCOPE_STAT_ALLOCSTALL_MOVABLE; i++)
		if (counter(v, i) != VMSCOPE_STAT_NONE)
			sum += counter(v, i);
	return sum;
}

static void print_counters(const struct reclaim_view *v)
{
	static const enum vmscope_stat other[] = {
		VMSCOPE_STAT_PGSCAN_ANON, VMSCOPE_STAT_PGSCAN_FILE,
		VMSCOPE_STAT_PGSTEAL_ANON, VMSCOPE_STAT_PGSTEAL_FILE,
		VMSCOPE_STAT_PGREFILL, VMSCOPE_STAT_PSWPIN,
		VMSCOPE_STAT_PSWPOUT, VMSCOPE_STAT_WORKINGSET_REFAULT_ANON,
		VMSCOPE_STAT_WORKINGSET_REFAULT_FILE,
		VMSCOPE_STAT_WORKINGSET_ACTIVATE_ANON,
		VMSCOPE_STAT_WORKINGSET_ACTIVATE_FILE,
		VMSCOPE_STAT_OOM_KILL, VMSCOPE_STAT_COMPACT_STALL,
		VMSCOPE_STAT_COMPACT_FAIL, VMSCOPE_STAT_COMPACT_SUCCESS,
	};
	size_t i;

	printf("\nReclaim since boot (pages)  %12s %12s %12s\n", "KSWAPD",
	       "DIRECT", "KHUGEPAGED");
	printf("%-28s", "  scanned (pgscan_*)");
	print_stat(v, VMSCOPE_STAT_PGSCAN_KSWAPD);
	print_stat(v, VMSCOPE_STAT_PGSCAN_DIRECT);
	print_stat(v, VMSCOPE_STAT_PGSCAN_KHUGEPAGED);
	printf("\n%-28s", "  reclaimed (pgsteal_*)");
	print_stat(v, VMSCOPE_STAT_PGSTEAL_KSWAPD);
	print_stat(v, VMSCOPE_STAT_PGSTEAL_DIRECT);
	print_stat(v, VMSCOPE_STAT_PGSTEAL_KHUGEPAGED);
	printf("\n%-28s %12llu  (allocations that entered direct reclaim)\n",
	       "  allocstall", (unsigned long long)allocstalls(v));
	printf("  (memory-cgroup limit reclaim is in pgscan_anon/file and\n"
	       "   pgsteal_anon/file; before 7.1, not in the columns above)\n");
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		printf("  %-26s", stat_names[other[i]]);
		print_stat(v, other[i]);
		printf("\n");
	}
}

static void print_limit(const char *what, uint64_t bytes)
{
	char buf[32];

	printf("  %-14s %s\n", what, bytes == VMSCOPE_MEMCG_MAX ? "max" :
	       size_to_human(bytes, buf, sizeof(buf)));
}

static void print_memcg(const struct vmscope_reclaim *r)
{
	const struct vmscope_memcg *m = &r->memcg;

	if (!(r->out_flags & VMSCOPE_RECLAIM_MEMCG)) {
		printf("\nProcess %u: no memory cgroup (memcg disabled)\n",
		       r->pid);
		return;
	}
	printf("\nMemory cgroup of process %u: %s\n", r->pid,
	       m->path[0] ? m->path : "?");
	print_limit("current", m->current_bytes);
	print_limit("high", m->high_bytes);
	print_limit("max", m->max_bytes);
	print_limit("swap current", m->swap_current_bytes);
	print_limit("swap max", m->swap_max_bytes);
	printf("  events         low %llu, high %llu, max %llu, oom %llu, "
	       "oom_kill %llu\n", m->ev_low, m->ev_high, m->ev_max, m->ev_oom,
	       m->ev_oom_kill);
}

static void reclaim_print(const struct reclaim_view *v,
			  const struct cols_opts *co)
{
	struct psi_line some, full;
	char a[32], b[32];
	long page = sysconf(_SC_PAGESIZE);

	if (co->noheadings || co->raw) {
		reclaim_tables(v, co, NULL);
		return;
	}
	printf("Zones (pages; kswapd wakes below LOW, sleeps above HIGH; "
	       "below MIN allocations reclaim directly)\n");
	reclaim_tables(v, co, NULL);
	print_blocks(v);
	print_counters(v);
	printf("\nSwap: %s total, %s free\n",
	       cols_size(co, v->swap_total * page, a, sizeof(a)),
	       cols_size(co, v->r.swap_free * page, b, sizeof(b)));
	psi_read(&some, &full);
	if (some.valid)
		printf("PSI memory: some avg10=%.2f%%, full avg10=%.2f%% "
		       "(share of time tasks stalled on memory)\n",
		       some.avg10, full.avg10);
	else
		printf("PSI memory: not available on this kernel\n");
	if (v->r.pid)
		print_memcg(&v->r);
}

static double delta(const struct reclaim_view *a, const struct reclaim_view *b,
		    enum vmscope_stat i, double secs)
{
	if (counter(a, i) == VMSCOPE_STAT_NONE || counter(b, i) < counter(a, i))
		return 0;
	return (counter(b, i) - counter(a, i)) / secs;
}

/*
 * One row: pgscan_anon + pgscan_file count every reclaim scan,
 * memory-cgroup limit reclaim included, which pgscan_kswapd and
 * pgscan_direct leave out before 7.1 (the cgroup's memory.stat has those).
 */
static void watch_row(struct cols *c, const struct reclaim_view *a,
		      const struct reclaim_view *b, double secs)
{
	struct col_val cv[ARRAY_SIZE(watch_cols)];

#define D(x) delta(a, b, VMSCOPE_STAT_##x, secs)
	cv[WC_INTERVAL] = CV_F(secs);
	cv[WC_FREE] = CV_U(counter(b, VMSCOPE_STAT_NR_FREE_PAGES));
	cv[WC_SCANNED] = CV_F(D(PGSCAN_ANON) + D(PGSCAN_FILE));
	cv[WC_SCAN_KSWAPD] = CV_F(D(PGSCAN_KSWAPD));
	cv[WC_SCAN_DIRECT] = CV_F(D(PGSCAN_DIRECT));
	cv[WC_STOLEN] = CV_F(D(PGSTEAL_ANON) + D(PGSTEAL_FILE));
	cv[WC_SWPIN] = CV_F(D(PSWPIN));
	cv[WC_SWPOUT] = CV_F(D(PSWPOUT));
	cv[WC_REFAULT] = CV_F(D(WORKINGSET_REFAULT_ANON) +
			      D(WORKINGSET_REFAULT_FILE));
	cv[WC_MAJFLT] = CV_F(D(PGMAJFAULT));
	cv[WC_ALLOCSTALL] = CV_F((allocstalls(b) - allocstalls(a)) / secs);
	cv[WC_OOM_KILL] = CV_F(D(OOM_KILL));
#undef D
	cols_stream_row(c, cv);
}

static void reclaim_watch(int fd, uint32_t pid, double secs, struct cols *c,
			  struct reclaim_view *a, struct reclaim_view *b)
{
	struct watch_clock w;

	cols_stream_begin(c, true);
	watch_start(&w, secs);
	reclaim_get(fd, pid, a);
	for (;;) {
		double took = watch_next(&w);

		reclaim_get(fd, pid, b);
		watch_row(c, a, b, took);
		*a = *b;
	}
}

static int reclaim_run(int argc, char **argv)
{
	static const struct option opts[] = {
		COLS_LONGOPTS,
		{ "pid", required_argument, NULL, 'p' },
		{ "watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct cols_opts co = { .cmd = "reclaim" };
	struct reclaim_view *a, *b;
	double watch = 0;
	uint32_t pid = 0;
	struct cols c;
	int ch, fd;

	while ((ch = getopt_long(argc, argv, COLS_SHORTOPTS "p:w:h", opts,
				 NULL)) != -1) {
		if (cols_getopt(&co, ch, optarg))
			continue;
		switch (ch) {
		case 'p':
			pid = parse_pid(optarg);
			break;
		case 'w':
			watch = parse_watch(optarg);
			break;
		case 'h':
			reclaim_help(stdout);
			return 0;
		default:
			errx(EXIT_USAGE, "try 'vmscope reclaim --help'");
		}
	}
	if (optind != argc)
		errx(EXIT_USAGE, "reclaim takes no arguments; try 'vmscope reclaim --help'");
	/* an unknown column is a usage error before anything is read */
	if (watch)
		cols_init(&c, watch_cols, ARRAY_SIZE(watch_cols), &co);
	else
		cols_init(&c, zone_cols, ARRAY_SIZE(zone_cols), &co);
	a = calloc(1, sizeof(*a));
	b = calloc(1, sizeof(*b));
	if (!a || !b)
		err(1, "calloc");
	fd = vmscope_open();
	if (watch)
		reclaim_watch(fd, pid, watch, &c, a, b);
	reclaim_get(fd, pid, a);
	close(fd);
	if (co.json)
		reclaim_json(a, &co);
	else
		reclaim_print(a, &co);
	free(a);
	free(b);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_reclaim = {
	.name = "reclaim",
	.summary = "zones, watermarks, LRU lists, kswapd vs direct reclaim",
	.run = reclaim_run,
	.help = reclaim_help,
};
