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

#include "cols.h"
#include "common.h"
#include "json.h"
#include "leak.h"
#include "triage.h"

/* The sizes' old keys (virt_start, ...) are kept as aliases for a release. */
enum {
	SC_SEGMENT, SC_VMAS_START, SC_VMAS_END, SC_VIRT_START, SC_VIRT_END,
	SC_RSS_START, SC_RSS_END, SC_GROWTH,
};

static const struct col_desc seg_cols[] = {
	[SC_SEGMENT] = { "SEGMENT", "segment", COL_STR, 12, COL_DEFAULT,
			 "heap, mmap-anon, mmap-file, stack, ..." },
	[SC_VMAS_START] = { "VMAS-START", "vmas_start", COL_U64, 5,
			    COL_DEFAULT | COL_RIGHT, "VMAs at the start" },
	[SC_VMAS_END] = { "VMAS-END", "vmas_end", COL_U64, 5,
			  COL_DEFAULT | COL_RIGHT, "VMAs at the end" },
	[SC_VIRT_START] = { "VIRT-START", "virt_start_bytes", COL_SIZE, 6,
			    COL_DEFAULT | COL_RIGHT, "size at the start",
			    "virt_start", 0 },
	[SC_VIRT_END] = { "VIRT-END", "virt_end_bytes", COL_SIZE, 6,
			  COL_DEFAULT | COL_RIGHT, "size at the end",
			  "virt_end", 0 },
	[SC_RSS_START] = { "RSS-START", "rss_start_bytes", COL_SIZE, 6,
			   COL_DEFAULT | COL_RIGHT,
			   "resident + swapped at the start", "rss_start", 0 },
	[SC_RSS_END] = { "RSS-END", "rss_end_bytes", COL_SIZE, 6,
			 COL_DEFAULT | COL_RIGHT,
			 "resident + swapped at the end", "rss_end", 0 },
	[SC_GROWTH] = { "GROWTH", "growth_bytes_per_s", COL_F64, 8,
			COL_DEFAULT | COL_RIGHT,
			"change of RSS-START to RSS-END per second" },
};

enum {
	VC_START, VC_END, VC_SEGMENT, VC_VIRT_START, VC_VIRT_END,
	VC_RSS_START, VC_RSS_END, VC_GROWTH, VC_STATE, VC_NAME,
};

static const struct col_desc vma_cols[] = {
	[VC_START] = { "START", "start", COL_ADDR, 12, COL_DEFAULT,
		       "first address of the VMA" },
	[VC_END] = { "END", "end", COL_ADDR, 12, COL_DEFAULT,
		     "end of the VMA (exclusive)" },
	[VC_SEGMENT] = { "SEGMENT", "segment", COL_STR, 12, COL_DEFAULT,
			 "heap, mmap-anon, mmap-file, stack, ..." },
	[VC_VIRT_START] = { "VIRT-START", "virt_start_bytes", COL_SIZE, 6,
			    COL_DEFAULT | COL_RIGHT,
			    "size at the start (0: new)", "virt_start", 0 },
	[VC_VIRT_END] = { "VIRT-END", "virt_end_bytes", COL_SIZE, 6,
			  COL_DEFAULT | COL_RIGHT, "size at the end (0: gone)",
			  "virt_end", 0 },
	[VC_RSS_START] = { "RSS-START", "rss_start_bytes", COL_SIZE, 6,
			   COL_DEFAULT | COL_RIGHT,
			   "resident + swapped at the start", "rss_start", 0 },
	[VC_RSS_END] = { "RSS-END", "rss_end_bytes", COL_SIZE, 6,
			 COL_DEFAULT | COL_RIGHT,
			 "resident + swapped at the end", "rss_end", 0 },
	[VC_GROWTH] = { "GROWTH", "growth_bytes_per_s", COL_F64, 8,
			COL_DEFAULT | COL_RIGHT,
			"change of RSS-START to RSS-END per second" },
	[VC_STATE] = { "STATE", "state", COL_STR, 6, COL_DEFAULT,
		       "new, gone, grown, shrunk or same" },
	[VC_NAME] = { "NAME", "name", COL_STR, 0.3, COL_DEFAULT | COL_TRUNC,
		      "the name /proc/PID/maps shows" },
};

static void leak_help(FILE *out)
{
	fputs("Usage: vmscope leak [options] PID\n"
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
	      "Options:\n", out);
	cols_help_options(out);
	fputs("  -d, --duration SECONDS  how long to watch, 0.1 to 86400\n"
	      "                          (default 10)\n"
	      "  -a, --all            list every VMA, not only those that\n"
	      "                       changed\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "-o chooses the columns of the VMA table; the segment table shows\n"
	      "its own.  With -n or -r only the VMA table is printed.\n"
	      "JSON: {pid, duration_s, verdict, grow_segment, growth_bytes,\n"
	      "rate_bytes_per_s, new_vmas, new_anon_vmas, gone_vmas,\n"
	      "first_touch_per_s, major_faults_per_s, segments [one object per\n"
	      "segment, its columns], vmas [one object per VMA, keys below]}.\n"
	      "Deprecated, for one release: rate_bps, first_touch_ps,\n"
	      "major_faults_ps, and in segments and vmas virt_start, virt_end,\n"
	      "rss_start, rss_end (bytes) and growth_bps.\n"
	      "\n"
	      "Exit status: 0 ok (whatever the verdict), 1 failure (no such\n"
	      "process, it exited meanwhile, no module, not allowed, standard\n"
	      "output not writable), 2 usage error.\n", out);
	cols_help_columns(out, NULL, vma_cols, ARRAY_SIZE(vma_cols));
	cols_help_columns(out, "Columns of the segment table (JSON: segments)",
			  seg_cols, ARRAY_SIZE(seg_cols));
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

/* growth_bps, the old key of growth_bytes_per_s */
static void json_growth(struct json *j, const void *ctx)
{
	json_f64(j, "growth_bps", *(const double *)ctx);
}

/* A growth: +3.6M/s in tables, exact in JSON */
static struct col_val cv_growth(double bps, char *buf, size_t len)
{
	struct col_val v = CV_F(bps);

	rate_human(bps, buf, len);
	v.text = buf;
	return v;
}

struct vma_ctx {
	struct cols *c;
	char h[24];
};

static void vma_row(struct vma_ctx *x, const struct vmscope_layout_vma *a,
		    const struct vmscope_layout_vma *b, double secs)
{
	const struct vmscope_layout_vma *v = b ? b : a;
	struct col_val cv[ARRAY_SIZE(vma_cols)];
	double g = secs > 0 ? ((double)vmem(b) - (double)vmem(a)) / secs : 0;

	cv[VC_START] = CV_U(v->vma.start);
	cv[VC_END] = CV_U(v->vma.end);
	cv[VC_SEGMENT] = CV_S(leak_seg_name(v->segment));
	cv[VC_VIRT_START] = CV_U(vsize(a));
	cv[VC_VIRT_END] = CV_U(vsize(b));
	cv[VC_RSS_START] = CV_U(vmem(a));
	cv[VC_RSS_END] = CV_U(vmem(b));
	cv[VC_GROWTH] = cv_growth(g, x->h, sizeof(x->h));
	cv[VC_STATE] = CV_S(vma_state(a, b));
	cv[VC_NAME] = CV_S(v->vma.name);
	cols_row_extra(x->c, cv, json_growth, &g);
}

/* Each VMA of either snapshot once: pairs, then those that are gone. */
static void vma_table(struct cols *c, struct json *j,
		      const struct leak_snap *a, const struct leak_snap *b,
		      bool all)
{
	const struct vmscope_layout_vma *o;
	struct vma_ctx x = { .c = c };
	double secs = b->t - a->t;
	uint32_t i;

	cols_begin(c, j, "vmas");
	for (i = 0; i < b->n; i++) {
		o = leak_match(a, &b->v[i]);
		if (all || !o || strcmp(vma_state(o, &b->v[i]), "same"))
			vma_row(&x, o, &b->v[i], secs);
	}
	for (i = 0; i < a->n; i++)
		if (!leak_match(b, &a->v[i]))
			vma_row(&x, &a->v[i], NULL, secs);
	cols_end(c);
}

static void seg_table(const struct leak_report *r,
		      const struct cols_opts *co, struct json *j)
{
	struct col_val cv[ARRAY_SIZE(seg_cols)];
	struct cols_opts so = *co;
	struct cols c;
	char h[24];
	double g;
	int s;

	so.list = NULL;
	cols_init(&c, seg_cols, ARRAY_SIZE(seg_cols), &so);
	cols_begin(&c, j, "segments");
	for (s = 0; s < LEAK_NR_SEGS; s++) {
		const struct leak_seg *sg = &r->seg[s];

		if (!sg->vmas[0] && !sg->vmas[1])
			continue;
		g = r->secs > 0 ? ((double)sg->rss[1] - (double)sg->rss[0]) /
				  r->secs : 0;
		cv[SC_SEGMENT] = CV_S(leak_seg_name(s));
		cv[SC_VMAS_START] = CV_U(sg->vmas[0]);
		cv[SC_VMAS_END] = CV_U(sg->vmas[1]);
		cv[SC_VIRT_START] = CV_U(sg->virt[0]);
		cv[SC_VIRT_END] = CV_U(sg->virt[1]);
		cv[SC_RSS_START] = CV_U(sg->rss[0]);
		cv[SC_RSS_END] = CV_U(sg->rss[1]);
		cv[SC_GROWTH] = cv_growth(g, h, sizeof(h));
		cols_row_extra(&c, cv, json_growth, &g);
	}
	cols_end(&c);
}

static void leak_print(uint32_t pid, const struct leak_snap *a,
		       const struct leak_snap *b,
		       const struct leak_report *r, bool all, struct cols *c)
{
	const struct cols_opts *co = c->o;
	char h[2][24];

	if (co->noheadings || co->raw) {
		vma_table(c, NULL, a, b, all);
		return;
	}
	printf("Process %u over %.1f s: %s", pid, r->secs,
	       leak_verdict_name(r->verdict));
	if (r->verdict != LEAK_STABLE)
		printf(", +%s in %s at %s/s",
		       cols_size(co, r->growth, h[0], sizeof(h[0])),
		       leak_seg_name(r->grow_seg),
		       cols_size(co, (uint64_t)r->rate, h[1], sizeof(h[1])));
	printf("\n\nSegments (sizes: resident + swapped):\n");
	seg_table(r, co, NULL);
	printf("\n%s:\n", all ? "Every VMA" : "VMAs that changed");
	vma_table(c, NULL, a, b, all);
	printf("\nNew VMAs %u (anonymous %u), gone %u; VMAs %u -> %u\n",
	       r->new_vmas, r->new_anon_vmas, r->gone_vmas, a->lo.map_count,
	       b->lo.map_count);
	printf("Pages first touched: %.1f/s (minor faults); major faults "
	       "%.1f/s\n", r->first_touch_ps, r->major_ps);
	printf("Heap (brk) %s -> %s\n",
	       cols_size(co, a->lo.brk - a->lo.start_brk, h[0], sizeof(h[0])),
	       cols_size(co, b->lo.brk - b->lo.start_brk, h[1], sizeof(h[1])));
	printf("Verdict: %s\n", leak_verdict_name(r->verdict));
}

static void leak_json(uint32_t pid, const struct leak_snap *a,
		      const struct leak_snap *b,
		      const struct leak_report *r, bool all, struct cols *c)
{
	static struct json j;

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
	json_f64(&j, "rate_bytes_per_s", r->rate);
	json_u64(&j, "new_vmas", r->new_vmas);
	json_u64(&j, "new_anon_vmas", r->new_anon_vmas);
	json_u64(&j, "gone_vmas", r->gone_vmas);
	json_f64(&j, "first_touch_per_s", r->first_touch_ps);
	json_f64(&j, "major_faults_per_s", r->major_ps);
	seg_table(r, c->o, &j);
	vma_table(c, &j, a, b, all);
	/* the keys of vmscope 0.1, kept for one release */
	json_f64(&j, "rate_bps", r->rate);
	json_f64(&j, "first_touch_ps", r->first_touch_ps);
	json_f64(&j, "major_faults_ps", r->major_ps);
	json_close(&j, '}');
}

static int leak_run(int argc, char **argv)
{
	static const struct option opts[] = {
		COLS_LONGOPTS,
		{ "duration", required_argument, NULL, 'd' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct cols_opts co = { .cmd = "leak" };
	struct leak_snap a, b;
	struct leak_report r;
	double secs = 10;
	bool all = false;
	struct cols cl;
	uint32_t pid;
	int c, fd;

	while ((c = getopt_long(argc, argv, COLS_SHORTOPTS "d:ah", opts,
				NULL)) != -1) {
		if (cols_getopt(&co, c, optarg))
			continue;
		switch (c) {
		case 'd':
			secs = tri_parse_seconds(optarg, "--duration", 0.1,
						 86400);
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			leak_help(stdout);
			return 0;
		default:
			errx(EXIT_USAGE, "try 'vmscope leak --help'");
		}
	}
	if (argc - optind != 1)
		errx(EXIT_USAGE, "leak takes one PID; try 'vmscope leak --help'");
	pid = parse_pid(argv[optind]);
	/* an unknown column is a usage error before anything is measured */
	cols_init(&cl, vma_cols, ARRAY_SIZE(vma_cols), &co);
	tri_close_stdout();
	fd = vmscope_open();
	take_or_die(fd, pid, &a, false);
	sleep_secs(secs);
	take_or_die(fd, pid, &b, true);
	close(fd);
	if (b.start_time != a.start_time)
		errx(1, "process %u exited during the measurement (the PID "
		     "now names another)", pid);
	leak_compare(&a, &b, &r);
	if (co.json)
		leak_json(pid, &a, &b, &r, all, &cl);
	else
		leak_print(pid, &a, &b, &r, all, &cl);
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
