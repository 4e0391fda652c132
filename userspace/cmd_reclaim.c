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

static void reclaim_help(FILE *out)
{
	fputs("Usage: vmscope reclaim [--json] [--pid PID] [--watch SECONDS]\n"
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
	      "Options:\n"
	      "  -p, --pid PID        also the memory cgroup (v2) of process PID\n"
	      "  -w, --watch SECONDS  print per-second deltas of the reclaim\n"
	      "                       counters every SECONDS, like `vmstat 1`,\n"
	      "                       until interrupted (with --json: one object\n"
	      "                       a line: interval, rates, free)\n"
	      "  -J, --json           machine-readable output\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "JSON keys: vmstat (counters named as in /proc/vmstat; those this\n"
	      "kernel lacks are left out), zones (list of {node, zone, populated,\n"
	      "free, min, low, high, boost, managed, present, spanned, nr_free:\n"
	      "[blocks per order]}), nodes (list of {node, inactive_anon,\n"
	      "active_anon, inactive_file, active_file, unevictable,\n"
	      "isolated_anon, isolated_file}), swap ({total, free} pages), psi\n"
	      "({some, full} each {avg10, avg60, avg300, total}, or null), and\n"
	      "with --pid memcg ({path, current, min, low, high, max,\n"
	      "swap_current, swap_max in bytes or null for \"max\", events {low,\n"
	      "high, max, oom, oom_kill}}).\n", out);
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
	json_u64(j, "total", p->total);
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
	json_u64(j, "current", m->current_bytes);
	json_u64(j, "min", m->min_bytes);
	json_u64(j, "low", m->low_bytes);
	json_limit(j, "high", m->high_bytes);
	json_limit(j, "max", m->max_bytes);
	json_u64(j, "swap_current", m->swap_current_bytes);
	json_limit(j, "swap_max", m->swap_max_bytes);
	json_open_flat(j, "events", '{');
	json_u64(j, "low", m->ev_low);
	json_u64(j, "high", m->ev_high);
	json_u64(j, "max", m->ev_max);
	json_u64(j, "oom", m->ev_oom);
	json_u64(j, "oom_kill", m->ev_oom_kill);
	json_close(j, '}');
	json_close(j, '}');
}

static void json_zone(struct json *j, const struct vmscope_zone *z)
{
	uint32_t o;

	json_open_flat(j, NULL, '{');
	json_u64(j, "node", z->node);
	json_str(j, "zone", z->name);
	json_bool(j, "populated", z->flags & VMSCOPE_ZONE_POPULATED);
	json_u64(j, "free", z->free);
	json_u64(j, "min", z->min);
	json_u64(j, "low", z->low);
	json_u64(j, "high", z->high);
	json_u64(j, "boost", z->boost);
	json_u64(j, "managed", z->managed);
	json_u64(j, "present", z->present);
	json_u64(j, "spanned", z->spanned);
	json_open(j, "nr_free", '[');
	for (o = 0; o < z->nr_orders && o < VMSCOPE_ZONE_ORDERS; o++)
		json_u64(j, NULL, z->nr_free[o]);
	json_close(j, ']');
	json_close(j, '}');
}

static void json_node(struct json *j, const struct vmscope_node *n)
{
	json_open_flat(j, NULL, '{');
	json_u64(j, "node", n->node);
	json_u64(j, "inactive_anon", n->inactive_anon);
	json_u64(j, "active_anon", n->active_anon);
	json_u64(j, "inactive_file", n->inactive_file);
	json_u64(j, "active_file", n->active_file);
	json_u64(j, "unevictable", n->unevictable);
	json_u64(j, "isolated_anon", n->isolated_anon);
	json_u64(j, "isolated_file", n->isolated_file);
	json_close(j, '}');
}

static void reclaim_json(const struct reclaim_view *v)
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
	json_open(&j, "zones", '[');
	for (i = 0; i < v->r.nr_zones; i++)
		json_zone(&j, &v->zones[i]);
	json_close(&j, ']');
	json_open(&j, "nodes", '[');
	for (i = 0; i < v->r.nr_nodes; i++)
		json_node(&j, &v->nodes[i]);
	json_close(&j, ']');
	json_open_flat(&j, "swap", '{');
	json_u64(&j, "total", v->swap_total);
	json_u64(&j, "free", v->r.swap_free);
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

static void print_zones(const struct reclaim_view *v)
{
	uint32_t i, o;

	printf("Zones (pages; kswapd wakes below LOW, sleeps above HIGH; "
	       "below MIN allocations reclaim directly)\n");
	printf("%4s %-8s %10s %8s %8s %8s %7s %10s\n", "NODE", "ZONE", "FREE",
	       "MIN", "LOW", "HIGH", "BOOST", "MANAGED");
	for (i = 0; i < v->r.nr_zones; i++) {
		const struct vmscope_zone *z = &v->zones[i];

		if (!(z->flags & VMSCOPE_ZONE_POPULATED))
			continue;
		printf("%4u %-8s %10llu %8llu %8llu %8llu %7llu %10llu\n",
		       z->node, z->name, z->free, z->min, z->low, z->high,
		       z->boost, z->managed);
	}
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

static void print_nodes(const struct reclaim_view *v)
{
	uint32_t i;

	printf("\nLRU lists (pages)\n%4s %10s %10s %10s %10s %11s %9s\n",
	       "NODE", "ANON-ACT", "ANON-INACT", "FILE-ACT", "FILE-INACT",
	       "UNEVICTABLE", "ISOLATED");
	for (i = 0; i < v->r.nr_nodes; i++) {
		const struct vmscope_node *n = &v->nodes[i];

		printf("%4u %10llu %10llu %10llu %10llu %11llu %9llu\n",
		       n->node, n->active_anon, n->inactive_anon,
		       n->active_file, n->inactive_file, n->unevictable,
		       n->isolated_anon + n->isolated_file);
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
	       "   pgsteal_anon/file only, not in the columns above)\n");
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

static void reclaim_print(const struct reclaim_view *v)
{
	struct psi_line some, full;
	char a[32], b[32];
	long page = sysconf(_SC_PAGESIZE);

	print_zones(v);
	print_nodes(v);
	print_counters(v);
	printf("\nSwap: %s total, %s free\n",
	       size_to_human(v->swap_total * page, a, sizeof(a)),
	       size_to_human(v->r.swap_free * page, b, sizeof(b)));
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

/* the counters --watch reports in JSON, as /proc/vmstat names them */
static const enum vmscope_stat watch_stats[] = {
	VMSCOPE_STAT_PGSCAN_KSWAPD, VMSCOPE_STAT_PGSCAN_DIRECT,
	VMSCOPE_STAT_PGSCAN_ANON, VMSCOPE_STAT_PGSCAN_FILE,
	VMSCOPE_STAT_PGSTEAL_KSWAPD, VMSCOPE_STAT_PGSTEAL_DIRECT,
	VMSCOPE_STAT_PGSTEAL_ANON, VMSCOPE_STAT_PGSTEAL_FILE,
	VMSCOPE_STAT_PSWPIN, VMSCOPE_STAT_PSWPOUT,
	VMSCOPE_STAT_WORKINGSET_REFAULT_ANON,
	VMSCOPE_STAT_WORKINGSET_REFAULT_FILE, VMSCOPE_STAT_PGMAJFAULT,
	VMSCOPE_STAT_OOM_KILL,
};

#define NR_WATCH (sizeof(watch_stats) / sizeof(watch_stats[0]))

static double delta(const struct reclaim_view *a, const struct reclaim_view *b,
		    enum vmscope_stat i, double secs)
{
	if (counter(a, i) == VMSCOPE_STAT_NONE || counter(b, i) < counter(a, i))
		return 0;
	return (counter(b, i) - counter(a, i)) / secs;
}

static void watch_json(const struct reclaim_view *a,
		       const struct reclaim_view *b, double secs)
{
	size_t i;

	printf("{\"interval\": %.3f, \"free\": %llu, \"rates\": {",
	       secs, counter(b, VMSCOPE_STAT_NR_FREE_PAGES));
	for (i = 0; i < NR_WATCH; i++)
		printf("%s\"%s\": %.1f", i ? ", " : "",
		       stat_names[watch_stats[i]],
		       delta(a, b, watch_stats[i], secs));
	printf(", \"allocstall\": %.1f}}\n",
	       (allocstalls(b) - allocstalls(a)) / secs);
}

/*
 * One table line: pgscan_anon + pgscan_file count every reclaim scan,
 * memory-cgroup limit reclaim included, which pgscan_kswapd and
 * pgscan_direct leave out (the cgroup's memory.stat has those).
 */
static void watch_row(const struct reclaim_view *a,
		      const struct reclaim_view *b, double secs)
{
#define D(x) delta(a, b, VMSCOPE_STAT_##x, secs)
	printf("%9llu %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %6.0f\n",
	       counter(b, VMSCOPE_STAT_NR_FREE_PAGES),
	       D(PGSCAN_ANON) + D(PGSCAN_FILE), D(PGSCAN_KSWAPD),
	       D(PGSCAN_DIRECT), D(PGSTEAL_ANON) + D(PGSTEAL_FILE),
	       D(PSWPIN), D(PSWPOUT),
	       D(WORKINGSET_REFAULT_ANON) + D(WORKINGSET_REFAULT_FILE),
	       D(PGMAJFAULT), (allocstalls(b) - allocstalls(a)) / secs,
	       D(OOM_KILL));
#undef D
}

static void reclaim_watch(int fd, uint32_t pid, double secs, bool json,
			  struct reclaim_view *a, struct reclaim_view *b)
{
	reclaim_get(fd, pid, a);
	if (!json)
		printf("%9s %8s %8s %8s %8s %8s %8s %8s %8s %8s %6s   (pages or events per second)\n",
		       "free", "scanned", "scan-ksw", "scan-dir", "stolen",
		       "swpin", "swpout", "refault", "majflt", "allocstl",
		       "oomkil");
	for (;;) {
		usleep((useconds_t)(secs * 1e6));
		reclaim_get(fd, pid, b);
		if (json)
			watch_json(a, b, secs);
		else
			watch_row(a, b, secs);
		fflush(stdout);
		*a = *b;
	}
}

static int reclaim_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "pid", required_argument, NULL, 'p' },
		{ "watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct reclaim_view *a, *b;
	double watch = 0;
	bool json = false;
	uint32_t pid = 0;
	int c, fd;

	while ((c = getopt_long(argc, argv, "Jp:w:h", opts, NULL)) != -1) {
		switch (c) {
		case 'J':
			json = true;
			break;
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
			errx(2, "try 'vmscope reclaim --help'");
		}
	}
	if (optind != argc)
		errx(2, "reclaim takes no arguments; try 'vmscope reclaim --help'");
	a = calloc(1, sizeof(*a));
	b = calloc(1, sizeof(*b));
	if (!a || !b)
		err(1, "calloc");
	fd = vmscope_open();
	if (watch)
		reclaim_watch(fd, pid, watch, json, a, b);
	reclaim_get(fd, pid, a);
	close(fd);
	if (json)
		reclaim_json(a);
	else
		reclaim_print(a);
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
