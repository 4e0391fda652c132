// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope leak PID: which VMAs and segments of a process grow, how fast,
 * and whether that looks like a leak in the heap, in anonymous mappings or
 * in file-backed memory.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "json.h"
#include "leak.h"
#include "triage.h"

static void leak_help(FILE *out)
{
	fputs("Usage: vmscope leak [--duration SECONDS] [--all] [--json] PID\n"
	      "\n"
	      "Measure every VMA of process PID twice, SECONDS apart, and\n"
	      "say what grew: VIRT and RSS (resident + swapped) at the start and\n"
	      "the end per segment (heap, mmap-anon, mmap-file, stack, ...) and\n"
	      "per VMA, the growth per second, the VMAs that appeared, the pages\n"
	      "first touched per second (minor faults of the process), and a\n"
	      "verdict: growing heap (brk), growing number of anonymous\n"
	      "mappings (mmap), growing file-backed memory, or stable.\n"
	      "Growth under 1 MiB or 32 KiB/s counts as stable.\n"
	      "\n"
	      "Options:\n"
	      "  -d, --duration SECONDS  how long to watch, 0.1 to 86400\n"
	      "                          (default 10)\n"
	      "  -a, --all               list every VMA, not only those that\n"
	      "                          changed\n"
	      "  -J, --json              machine-readable output\n"
	      "  -h, --help              this text\n"
	      "\n"
	      "Columns: SEGMENT VMAS (start->end) VIRT RSS (start->end)\n"
	      "GROWTH/s; per VMA: START END SEGMENT VIRT RSS GROWTH/s STATE\n"
	      "(new, gone, grown, shrunk, same) NAME.\n"
	      "JSON keys: pid, duration_s, verdict, grow_segment, growth_bytes,\n"
	      "rate_bps, new_vmas, new_anon_vmas, gone_vmas, first_touch_ps,\n"
	      "major_faults_ps, segments [{segment, vmas_start, vmas_end,\n"
	      "virt_start, virt_end, rss_start, rss_end, growth_bps}], vmas\n"
	      "[{start, end, segment, name, state, virt_start, virt_end,\n"
	      "rss_start, rss_end, growth_bps}] (sizes in bytes).\n"
	      "\n"
	      "Exit status: 0 ok (whatever the verdict), 1 failure (no such\n"
	      "process, it exited meanwhile, no module, not allowed, standard\n"
	      "output not writable), 2 usage error.\n", out);
}

static void take_or_die(int fd, uint32_t pid, struct leak_snap *s,
			bool again)
{
	int ret = leak_take(fd, pid, s);

	if (!ret)
		return;
	errno = -ret;
	if (ret == -ESRCH || ret == -ENOENT)
		errx(1, again ? "process %u exited during the measurement" :
		     "no process with PID %u (or it has no address space)",
		     pid);
	if (ret == -EACCES || ret == -EPERM)
		errx(1, "not allowed to inspect process %u: run as root", pid);
	vmscope_ioctl_die("VMSCOPE_IOC_LAYOUT");
}

/* A growth rate for people: +3.6M, -512K, 0 */
static const char *rate_human(double bps, char *buf, size_t len)
{
	char h[20];

	if (bps > -1 && bps < 1) {
		snprintf(buf, len, "0");
	} else {
		size_to_human((uint64_t)(bps < 0 ? -bps : bps), h, sizeof(h));
		snprintf(buf, len, "%s%s", bps < 0 ? "-" : "+", h);
	}
	return buf;
}

static const char *vma_state(const struct vmscope_layout_vma *a,
			     const struct vmscope_layout_vma *b)
{
	if (!a)
		return "new";
	if (!b)
		return "gone";
	if (leak_vma_mem(b) > leak_vma_mem(a) ||
	    b->vma.end - b->vma.start > a->vma.end - a->vma.start)
		return "grown";
	if (leak_vma_mem(b) < leak_vma_mem(a) ||
	    b->vma.end - b->vma.start < a->vma.end - a->vma.start)
		return "shrunk";
	return "same";
}

static uint64_t vsize(const struct vmscope_layout_vma *v)
{
	return v ? v->vma.end - v->vma.start : 0;
}

static uint64_t vmem(const struct vmscope_layout_vma *v)
{
	return v ? leak_vma_mem(v) : 0;
}

typedef void (*vma_fn)(void *ctx, const struct vmscope_layout_vma *a,
		       const struct vmscope_layout_vma *b, double secs);

/* Each VMA of either snapshot once: pairs, then those that are gone. */
static void each_vma(const struct leak_snap *a, const struct leak_snap *b,
		     bool all, vma_fn fn, void *ctx)
{
	const struct vmscope_layout_vma *o;
	double secs = b->t - a->t;
	uint32_t i;

	for (i = 0; i < b->n; i++) {
		o = leak_match(a, &b->v[i]);
		if (all || !o || strcmp(vma_state(o, &b->v[i]), "same"))
			fn(ctx, o, &b->v[i], secs);
	}
	for (i = 0; i < a->n; i++)
		if (!leak_match(b, &a->v[i]))
			fn(ctx, &a->v[i], NULL, secs);
}

static void print_vma(void *ctx, const struct vmscope_layout_vma *a,
		      const struct vmscope_layout_vma *b, double secs)
{
	const struct vmscope_layout_vma *v = b ? b : a;
	char h[5][24];

	(void)ctx;
	printf("%012" PRIx64 " %012" PRIx64 " %-12s %6s->%-6s %6s->%-6s "
	       "%9s %-6s %.40s\n", (uint64_t)v->vma.start,
	       (uint64_t)v->vma.end, leak_seg_name(v->segment),
	       size_to_human(vsize(a), h[0], 16),
	       size_to_human(vsize(b), h[1], 16),
	       size_to_human(vmem(a), h[2], 16),
	       size_to_human(vmem(b), h[3], 16),
	       rate_human(secs > 0 ? ((double)vmem(b) - (double)vmem(a)) /
			  secs : 0, h[4], 24),
	       vma_state(a, b), v->vma.name);
}

static void leak_print(uint32_t pid, const struct leak_snap *a,
		       const struct leak_snap *b,
		       const struct leak_report *r, bool all)
{
	char h[5][24];
	int s;

	printf("Process %u over %.1f s: %s", pid, r->secs,
	       leak_verdict_name(r->verdict));
	if (r->verdict != LEAK_STABLE)
		printf(", +%s in %s at %s/s", size_to_human(r->growth, h[0], 16),
		       leak_seg_name(r->grow_seg),
		       size_to_human((uint64_t)r->rate, h[1], 16));
	printf("\n\n%-12s %9s %15s %15s %10s\n", "SEGMENT", "VMAS", "VIRT",
	       "RSS+SWAP", "GROWTH/s");
	for (s = 0; s < LEAK_NR_SEGS; s++) {
		const struct leak_seg *g = &r->seg[s];

		if (!g->vmas[0] && !g->vmas[1])
			continue;
		printf("%-12s %4u->%-4u %6s->%-6s %6s->%-6s %10s\n",
		       leak_seg_name(s), g->vmas[0], g->vmas[1],
		       size_to_human(g->virt[0], h[0], 16),
		       size_to_human(g->virt[1], h[1], 16),
		       size_to_human(g->rss[0], h[2], 16),
		       size_to_human(g->rss[1], h[3], 16),
		       rate_human(r->secs > 0 ? ((double)g->rss[1] -
						 (double)g->rss[0]) / r->secs : 0,
				  h[4], 24));
	}
	printf("\n%s:\n%-12s %-12s %-12s %15s %15s %9s %-6s %s\n",
	       all ? "Every VMA" : "VMAs that changed", "START", "END",
	       "SEGMENT", "VIRT", "RSS+SWAP", "GROWTH/s", "STATE", "NAME");
	each_vma(a, b, all, print_vma, NULL);
	printf("\nNew VMAs %u (anonymous %u), gone %u; VMAs %u -> %u\n",
	       r->new_vmas, r->new_anon_vmas, r->gone_vmas, a->lo.map_count,
	       b->lo.map_count);
	printf("Pages first touched: %.1f/s (minor faults); major faults "
	       "%.1f/s\n", r->first_touch_ps, r->major_ps);
	printf("Heap (brk) %s -> %s\n",
	       size_to_human(a->lo.brk - a->lo.start_brk, h[0], 16),
	       size_to_human(b->lo.brk - b->lo.start_brk, h[1], 16));
	printf("Verdict: %s\n", leak_verdict_name(r->verdict));
}

static void json_vma(void *ctx, const struct vmscope_layout_vma *a,
		     const struct vmscope_layout_vma *b, double secs)
{
	const struct vmscope_layout_vma *v = b ? b : a;
	struct json *j = ctx;

	json_open_flat(j, NULL, '{');
	json_hex(j, "start", v->vma.start);
	json_hex(j, "end", v->vma.end);
	json_str(j, "segment", leak_seg_name(v->segment));
	json_str(j, "name", v->vma.name);
	json_str(j, "state", vma_state(a, b));
	json_u64(j, "virt_start", vsize(a));
	json_u64(j, "virt_end", vsize(b));
	json_u64(j, "rss_start", vmem(a));
	json_u64(j, "rss_end", vmem(b));
	json_f64(j, "growth_bps", secs > 0 ?
		 ((double)vmem(b) - (double)vmem(a)) / secs : 0);
	json_close(j, '}');
}

static void leak_json(uint32_t pid, const struct leak_snap *a,
		      const struct leak_snap *b,
		      const struct leak_report *r, bool all)
{
	static struct json j;
	int s;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "pid", pid);
	json_f64(&j, "duration_s", r->secs);
	json_str(&j, "verdict", leak_verdict_name(r->verdict));
	if (r->grow_seg >= 0)
		json_str(&j, "grow_segment", leak_seg_name(r->grow_seg));
	else
		json_null(&j, "grow_segment");
	json_u64(&j, "growth_bytes", r->growth);
	json_f64(&j, "rate_bps", r->rate);
	json_u64(&j, "new_vmas", r->new_vmas);
	json_u64(&j, "new_anon_vmas", r->new_anon_vmas);
	json_u64(&j, "gone_vmas", r->gone_vmas);
	json_f64(&j, "first_touch_ps", r->first_touch_ps);
	json_f64(&j, "major_faults_ps", r->major_ps);
	json_open(&j, "segments", '[');
	for (s = 0; s < LEAK_NR_SEGS; s++) {
		const struct leak_seg *g = &r->seg[s];

		if (!g->vmas[0] && !g->vmas[1])
			continue;
		json_open_flat(&j, NULL, '{');
		json_str(&j, "segment", leak_seg_name(s));
		json_u64(&j, "vmas_start", g->vmas[0]);
		json_u64(&j, "vmas_end", g->vmas[1]);
		json_u64(&j, "virt_start", g->virt[0]);
		json_u64(&j, "virt_end", g->virt[1]);
		json_u64(&j, "rss_start", g->rss[0]);
		json_u64(&j, "rss_end", g->rss[1]);
		json_f64(&j, "growth_bps", r->secs > 0 ?
			 ((double)g->rss[1] - (double)g->rss[0]) / r->secs : 0);
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_open(&j, "vmas", '[');
	each_vma(a, b, all, json_vma, &j);
	json_close(&j, ']');
	json_close(&j, '}');
}

static int leak_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool json = false, all = false;
	struct leak_snap a, b;
	struct leak_report r;
	double secs = 10;
	uint32_t pid;
	int c, fd;

	while ((c = getopt_long(argc, argv, "d:aJh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			secs = tri_parse_seconds(optarg, "--duration", 0.1,
						 86400);
			break;
		case 'a':
			all = true;
			break;
		case 'J':
			json = true;
			break;
		case 'h':
			leak_help(stdout);
			return 0;
		default:
			errx(2, "try 'vmscope leak --help'");
		}
	}
	if (argc - optind != 1)
		errx(2, "leak takes one PID; try 'vmscope leak --help'");
	pid = parse_pid(argv[optind]);
	tri_close_stdout();
	fd = vmscope_open();
	take_or_die(fd, pid, &a, false);
	tri_sleep(secs);
	take_or_die(fd, pid, &b, true);
	close(fd);
	leak_compare(&a, &b, &r);
	if (json)
		leak_json(pid, &a, &b, &r, all);
	else
		leak_print(pid, &a, &b, &r, all);
	leak_free(&a);
	leak_free(&b);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_leak = {
	.name = "leak",
	.summary = "which VMAs and segments of a process grow, and how fast",
	.run = leak_run,
	.help = leak_help,
};
