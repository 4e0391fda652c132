// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope export: the system's and some processes' memory figures in the
 * Prometheus text exposition format, for node_exporter's textfile
 * collector (see Documentation/triage.md).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "json.h"
#include "triage.h"

#define MAX_PIDS	256

static void export_help(FILE *out)
{
	fputs("Usage: vmscope export [--pid PID]... [--top N]\n"
	      "\n"
	      "Print memory figures in the Prometheus text exposition format\n"
	      "(# HELP and # TYPE for each metric; sizes in bytes, names\n"
	      "vmscope_..._bytes; counters named ..._total), for\n"
	      "node_exporter's textfile collector: memory and swap\n"
	      "(/proc/meminfo), the commit charge, the reclaim, swap, fault,\n"
	      "compaction and OOM counters, PSI memory stall time, free pages\n"
	      "and watermarks per zone, and per process its resident memory\n"
	      "(anon, file, shmem), swap, virtual size, faults and OOM score,\n"
	      "with the OOM killer's next victim.\n"
	      "\n"
	      "Options:\n"
	      "  -p, --pid PID   these processes (repeat; up to 256); an\n"
	      "                  unknown PID is an error\n"
	      "  -t, --top N     without --pid: the N processes the OOM killer\n"
	      "                  ranks highest (default 10, 0 for none, up to\n"
	      "                  10000)\n"
	      "  -J, --json      the same metrics as JSON: {\"metrics\": [{name,\n"
	      "                  type, help, samples: [{labels, value}]}]}\n"
	      "  -h, --help      this text\n"
	      "\n"
	      "Metrics: vmscope_memory_{total,free,available,used,buff_cache,\n"
	      "shmem}_bytes, vmscope_swap_{total,free}_bytes,\n"
	      "vmscope_commit_{charge,limit}_bytes, vmscope_page_faults_total,\n"
	      "vmscope_major_page_faults_total, vmscope_swap_{in,out}_pages_total,\n"
	      "vmscope_pages_scanned_total{by}, vmscope_pages_reclaimed_total{by},\n"
	      "vmscope_allocation_stalls_total, vmscope_workingset_refaults_total\n"
	      "{type}, vmscope_compaction_{stalls,failures}_total,\n"
	      "vmscope_oom_kills_total, vmscope_memory_pressure_stalled_seconds_total\n"
	      "{kind}, vmscope_zone_free_bytes{node,zone},\n"
	      "vmscope_zone_watermark_bytes{node,zone,level},\n"
	      "vmscope_process_resident_bytes{pid,comm,type},\n"
	      "vmscope_process_swap_bytes, vmscope_process_virtual_bytes,\n"
	      "vmscope_process_page_faults_total{pid,comm,type},\n"
	      "vmscope_process_oom_score, vmscope_process_oom_score_adj,\n"
	      "vmscope_oom_victim{pid,comm}.\n"
	      "\n"
	      "Exit status: 0 ok; 1 failure (no module, not root, an unknown\n"
	      "PID, standard output not writable); 2 usage error.\n", out);
}

/*
 * The output: the exposition format, or with --json the same metrics as
 * {"metrics": [{name, type, help, samples: [{labels: {..}, value}]}]}.
 */
static bool as_json;
static bool in_metric;
static struct json jw;

static void metric(const char *name, const char *type, const char *help)
{
	if (!as_json) {
		printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
		return;
	}
	if (in_metric) {
		json_close(&jw, ']');
		json_close(&jw, '}');
	}
	json_open(&jw, NULL, '{');
	json_str(&jw, "name", name);
	json_str(&jw, "type", type);
	json_str(&jw, "help", help);
	json_open(&jw, "samples", '[');
	in_metric = true;
}

/* Our own label text, k="v",k="v" (v escaped), as JSON members. */
static void json_labels(const char *l)
{
	char key[32], val[128];
	size_t k, v;

	json_open_flat(&jw, "labels", '{');
	while (l && *l) {
		for (k = 0; *l && *l != '=' && k < sizeof(key) - 1; )
			key[k++] = *l++;
		key[k] = '\0';
		l += *l == '=' ? 2 : 0;		/* =" */
		for (v = 0; *l && *l != '"' && v < sizeof(val) - 1; l++) {
			bool esc = *l == '\\' && l[1];

			l += esc;
			val[v++] = esc && *l == 'n' ? '\n' : *l;
		}
		val[v] = '\0';
		json_str(&jw, key, val);
		l += *l == '"';
		l += *l == ',';
	}
	json_close(&jw, '}');
}

static void value(const char *name, const char *labels, double v)
{
	if (as_json) {
		json_open_flat(&jw, NULL, '{');
		json_labels(labels);
		if (v == (double)(int64_t)v)
			json_key_i64(&jw, "value", (int64_t)v);
		else
			json_f64(&jw, "value", v);
		json_close(&jw, '}');
		return;
	}
	if (labels && *labels)
		printf("%s{%s} %.17g\n", name, labels, v);
	else
		printf("%s %.17g\n", name, v);
}

/*
 * A label value escaped as the exposition format wants: \\, \", \n; and
 * UTF-8, as it must be (a label that is not makes the whole file invalid,
 * and any process names itself): control bytes and bytes that are not
 * UTF-8 first become the text \xNN, as in the CLI's tables.
 */
static const char *label_esc(const char *raw, char *buf, size_t len)
{
	char text[256];
	const char *s = text_escape(raw, text, sizeof(text), false);
	size_t o = 0;

	for (; *s && o + 3 < len; s++) {
		if (*s == '\\' || *s == '"') {
			buf[o++] = '\\';
			buf[o++] = *s;
		} else if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
	return buf;
}

static void gauge1(const char *name, const char *help, double v)
{
	metric(name, "gauge", help);
	value(name, NULL, v);
}

static void counter1(const char *name, const char *help, double v)
{
	metric(name, "counter", help);
	value(name, NULL, v);
}

static void export_memory(const struct tri_sys *s)
{
	gauge1("vmscope_memory_total_bytes", "Usable RAM (MemTotal).",
	       s->mem_total);
	gauge1("vmscope_memory_free_bytes", "Unused RAM (MemFree).",
	       s->mem_free);
	gauge1("vmscope_memory_available_bytes",
	       "RAM available without swapping (MemAvailable).",
	       s->mem_available);
	gauge1("vmscope_memory_buff_cache_bytes",
	       "Buffers + Cached + SReclaimable, as free(1) shows buff/cache.",
	       tri_buff_cache(s));
	gauge1("vmscope_memory_used_bytes",
	       "MemTotal - MemAvailable, as free(1) (procps 4) shows used.",
	       tri_mem_used(s));
	gauge1("vmscope_memory_shmem_bytes", "Shared memory and tmpfs (Shmem).",
	       s->shmem);
	gauge1("vmscope_swap_total_bytes", "Swap space (SwapTotal).",
	       s->swap_total);
	gauge1("vmscope_swap_free_bytes", "Unused swap (SwapFree).",
	       s->swap_free);
	gauge1("vmscope_commit_charge_bytes",
	       "Memory committed to processes (Committed_AS).", s->committed_as);
	gauge1("vmscope_commit_limit_bytes",
	       "Commit limit under vm.overcommit_memory=2 (CommitLimit).",
	       s->commit_limit);
}

static void labelled(const char *name, const char *label,
		     const struct tri_sys *s, const char *const *vals,
		     const enum vmscope_stat *idx, int n)
{
	char lab[64];
	int i;

	for (i = 0; i < n; i++) {
		if (s->stats[idx[i]] == VMSCOPE_STAT_NONE)
			continue;	/* not on this kernel */
		snprintf(lab, sizeof(lab), "%s=\"%s\"", label, vals[i]);
		value(name, lab, (double)s->stats[idx[i]]);
	}
}

static void export_counters(const struct tri_sys *s)
{
	static const char *const by[] = { "kswapd", "direct", "khugepaged" };
	static const enum vmscope_stat scan[] = {
		VMSCOPE_STAT_PGSCAN_KSWAPD, VMSCOPE_STAT_PGSCAN_DIRECT,
		VMSCOPE_STAT_PGSCAN_KHUGEPAGED };
	static const enum vmscope_stat steal[] = {
		VMSCOPE_STAT_PGSTEAL_KSWAPD, VMSCOPE_STAT_PGSTEAL_DIRECT,
		VMSCOPE_STAT_PGSTEAL_KHUGEPAGED };
	static const char *const zones[] = { "DMA", "DMA32", "Normal",
					     "Movable" };
	static const enum vmscope_stat stall[] = {
		VMSCOPE_STAT_ALLOCSTALL_DMA, VMSCOPE_STAT_ALLOCSTALL_DMA32,
		VMSCOPE_STAT_ALLOCSTALL_NORMAL, VMSCOPE_STAT_ALLOCSTALL_MOVABLE };
	static const char *const types[] = { "anon", "file" };
	static const enum vmscope_stat refault[] = {
		VMSCOPE_STAT_WORKINGSET_REFAULT_ANON,
		VMSCOPE_STAT_WORKINGSET_REFAULT_FILE };

	counter1("vmscope_page_faults_total",
		 "Page faults, minor and major (pgfault).",
		 tri_stat(s, VMSCOPE_STAT_PGFAULT));
	counter1("vmscope_major_page_faults_total",
		 "Page faults that needed I/O (pgmajfault).",
		 tri_stat(s, VMSCOPE_STAT_PGMAJFAULT));
	counter1("vmscope_swap_in_pages_total", "Pages swapped in (pswpin).",
		 tri_stat(s, VMSCOPE_STAT_PSWPIN));
	counter1("vmscope_swap_out_pages_total", "Pages swapped out (pswpout).",
		 tri_stat(s, VMSCOPE_STAT_PSWPOUT));
	metric("vmscope_pages_scanned_total", "counter",
	       "Pages scanned by reclaim (pgscan_*), by who reclaimed.");
	labelled("vmscope_pages_scanned_total", "by", s, by, scan, 3);
	metric("vmscope_pages_reclaimed_total", "counter",
	       "Pages reclaimed (pgsteal_*), by who reclaimed.");
	labelled("vmscope_pages_reclaimed_total", "by", s, by, steal, 3);
	metric("vmscope_allocation_stalls_total", "counter",
	       "Allocations that entered direct reclaim (allocstall_*), by zone.");
	labelled("vmscope_allocation_stalls_total", "zone", s, zones, stall, 4);
	metric("vmscope_workingset_refaults_total", "counter",
	       "Evicted pages faulted back in (workingset_refault_*).");
	labelled("vmscope_workingset_refaults_total", "type", s, types,
		 refault, 2);
	counter1("vmscope_compaction_stalls_total",
		 "Allocations that compacted memory directly (compact_stall).",
		 tri_stat(s, VMSCOPE_STAT_COMPACT_STALL));
	counter1("vmscope_compaction_failures_total",
		 "Direct compactions that failed (compact_fail).",
		 tri_stat(s, VMSCOPE_STAT_COMPACT_FAIL));
	counter1("vmscope_oom_kills_total", "Processes killed by the OOM "
		 "killer (oom_kill).", tri_stat(s, VMSCOPE_STAT_OOM_KILL));
}

static void export_psi_zones(const struct tri_sys *s, long page)
{
	char lab[96];
	unsigned int i;

	if (s->psi.valid) {
		metric("vmscope_memory_pressure_stalled_seconds_total",
		       "counter", "Time some or all tasks stalled on memory "
		       "(/proc/pressure/memory total).");
		value("vmscope_memory_pressure_stalled_seconds_total",
		      "kind=\"some\"", s->psi.some_total / 1e6);
		value("vmscope_memory_pressure_stalled_seconds_total",
		      "kind=\"full\"", s->psi.full_total / 1e6);
	}
	metric("vmscope_zone_free_bytes", "gauge",
	       "Free memory of a zone (zoneinfo pages free).");
	for (i = 0; i < s->nr_zones; i++) {
		snprintf(lab, sizeof(lab), "node=\"%u\",zone=\"%s\"",
			 s->zones[i].node, s->zones[i].name);
		value("vmscope_zone_free_bytes", lab,
		      (double)s->zones[i].free * page);
	}
	metric("vmscope_zone_watermark_bytes", "gauge",
	       "Watermarks of a zone: kswapd wakes below low, sleeps above "
	       "high; below min allocations reclaim directly.");
	for (i = 0; i < s->nr_zones; i++) {
		static const char *const lv[] = { "min", "low", "high" };
		const __u64 w[] = { s->zones[i].min, s->zones[i].low,
				    s->zones[i].high };
		int k;

		for (k = 0; k < 3; k++) {
			snprintf(lab, sizeof(lab), "node=\"%u\",zone=\"%s\","
				 "level=\"%s\"", s->zones[i].node,
				 s->zones[i].name, lv[k]);
			value("vmscope_zone_watermark_bytes", lab,
			      (double)w[k] * page);
		}
	}
}

static int by_points(const void *a, const void *b)
{
	const struct tri_proc *x = a, *y = b;

	if (x->killable != y->killable)
		return x->killable ? -1 : 1;
	return x->points < y->points ? 1 : x->points > y->points ? -1 :
	       (int)x->pid - (int)y->pid;
}

static void proc_labels(const struct tri_proc *p, const char *extra,
			char *lab, size_t len)
{
	char comm[160];

	snprintf(lab, len, "pid=\"%u\",comm=\"%s\"%s%s", p->pid,
		 label_esc(p->comm, comm, sizeof(comm)), extra ? "," : "",
		 extra ? extra : "");
}

static void export_procs(const struct tri_snap *s)
{
	static const char *const rt[] = { "type=\"anon\"", "type=\"file\"",
					  "type=\"shmem\"" };
	char lab[256];
	uint32_t i;
	int k;

	metric("vmscope_process_resident_bytes", "gauge",
	       "Resident memory of a process by type (RssAnon, RssFile, "
	       "RssShmem).");
	for (i = 0; i < s->nr_procs; i++) {
		const uint64_t v[] = { s->procs[i].rss_anon, s->procs[i].rss_file,
				       s->procs[i].rss_shmem };

		for (k = 0; k < 3; k++) {
			proc_labels(&s->procs[i], rt[k], lab, sizeof(lab));
			value("vmscope_process_resident_bytes", lab, v[k]);
		}
	}
	metric("vmscope_process_swap_bytes", "gauge",
	       "Swapped-out memory of a process (VmSwap).");
	for (i = 0; i < s->nr_procs; i++) {
		proc_labels(&s->procs[i], NULL, lab, sizeof(lab));
		value("vmscope_process_swap_bytes", lab, s->procs[i].swap);
	}
	metric("vmscope_process_virtual_bytes", "gauge",
	       "Virtual size of a process (VmSize).");
	for (i = 0; i < s->nr_procs; i++) {
		proc_labels(&s->procs[i], NULL, lab, sizeof(lab));
		value("vmscope_process_virtual_bytes", lab,
		      s->procs[i].total_vm);
	}
	metric("vmscope_process_page_faults_total", "counter",
	       "Page faults of a process, minor and major (/proc/PID/stat).");
	for (i = 0; i < s->nr_procs; i++) {
		proc_labels(&s->procs[i], "type=\"minor\"", lab, sizeof(lab));
		value("vmscope_process_page_faults_total", lab,
		      s->procs[i].min_flt);
		proc_labels(&s->procs[i], "type=\"major\"", lab, sizeof(lab));
		value("vmscope_process_page_faults_total", lab,
		      s->procs[i].maj_flt);
	}
	metric("vmscope_process_oom_score", "gauge",
	       "The OOM killer's score of a process (/proc/PID/oom_score).");
	for (i = 0; i < s->nr_procs; i++) {
		proc_labels(&s->procs[i], NULL, lab, sizeof(lab));
		value("vmscope_process_oom_score", lab, s->procs[i].oom_score);
	}
	metric("vmscope_process_oom_score_adj", "gauge",
	       "oom_score_adj of a process (-1000 to 1000).");
	for (i = 0; i < s->nr_procs; i++) {
		proc_labels(&s->procs[i], NULL, lab, sizeof(lab));
		value("vmscope_process_oom_score_adj", lab,
		      s->procs[i].oom_score_adj);
	}
}

static void export_victim(const struct tri_snap *s, const struct tri_snap *all)
{
	const struct tri_proc *v = tri_find(all, all->victim);
	char lab[256];

	(void)s;
	metric("vmscope_oom_victim", "gauge",
	       "1 for the process the OOM killer would kill first.");
	if (v) {
		proc_labels(v, NULL, lab, sizeof(lab));
		value("vmscope_oom_victim", lab, 1);
	}
}

static int export_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "top", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	static uint32_t pids[MAX_PIDS];
	struct tri_snap all = { 0 }, some = { 0 };
	uint32_t nr_pids = 0, i;
	long top = 10;
	char *end;
	int c, fd;

	while ((c = getopt_long(argc, argv, "p:t:Jh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (nr_pids == MAX_PIDS)
				errx(2, "at most %d --pid options", MAX_PIDS);
			pids[nr_pids] = parse_pid(optarg);
			/* a series twice is invalid: one per process */
			for (i = 0; pids[i] != pids[nr_pids]; i++)
				;
			nr_pids += i == nr_pids;
			break;
		case 't':
			errno = 0;
			top = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || top < 0 ||
			    top > 10000)
				errx(2, "--top '%s': give a count from 0 to 10000",
				     optarg);
			break;
		case 'J':
			as_json = true;
			break;
		case 'h':
			export_help(stdout);
			return 0;
		default:
			errx(2, "try 'vmscope export --help'");
		}
	}
	if (optind != argc)
		errx(2, "export takes no arguments (processes go with --pid); "
		     "try 'vmscope export --help'");
	tri_close_stdout();
	fd = vmscope_open();
	tri_snap_take(fd, &all, NULL, 0);
	close(fd);
	for (i = 0; i < nr_pids; i++)
		if (!tri_find(&all, pids[i]))
			errx(1, "no process with PID %u (or it has no memory: "
			     "a kernel thread)", pids[i]);
	qsort(all.procs, all.nr_procs, sizeof(*all.procs), by_points);
	some = all;
	if (nr_pids) {
		some.procs = calloc(nr_pids, sizeof(*some.procs));
		if (!some.procs)
			err(1, "cannot allocate");
		for (i = 0; i < nr_pids; i++)
			some.procs[i] = *tri_find(&all, pids[i]);
		some.nr_procs = nr_pids;
	} else if (some.nr_procs > top) {
		some.nr_procs = top;
	}
	if (as_json) {
		json_init(&jw, stdout);
		json_open(&jw, NULL, '{');
		json_open(&jw, "metrics", '[');
	}
	export_memory(&all.sys);
	export_counters(&all.sys);
	export_psi_zones(&all.sys, sysconf(_SC_PAGESIZE));
	export_procs(&some);
	export_victim(&some, &all);
	if (as_json) {
		json_close(&jw, ']');	/* the last metric's samples */
		json_close(&jw, '}');
		json_close(&jw, ']');
		json_close(&jw, '}');
	}
	if (nr_pids)
		free(some.procs);
	tri_snap_free(&all);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_export = {
	.name = "export",
	.summary = "memory figures for Prometheus (text exposition format)",
	.run = export_run,
	.help = export_help,
};
