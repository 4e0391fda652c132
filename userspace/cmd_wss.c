// SPDX-License-Identifier: GPL-2.0
/*
 * Working sets, from the module's Accessed-bit sampler (VMSCOPE_IOC_WSS_*):
 *   vmscope wss PID       the working-set size per interval, by segment
 *   vmscope wss --curve   Denning's W(tau) from one recording
 *   vmscope heatmap PID   time x address x references (terminal, --svg)
 *   vmscope trace PID     a reference trace (Documentation/trace-format.md)
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cols.h"
#include "common.h"
#include "json.h"

#define PAGE_SZ		((uint64_t)4096)
#define NSEG		(VMSCOPE_SEG_MAX + 1)
#define CHART_W		40

static const char *const seg_names[] = VMSCOPE_SEG_NAMES;

enum {
	WC_T, WC_WSS, WC_WSS_SIZE, WC_WRITTEN, WC_RSS, WC_CHART, WC_SEGMENTS,
};

static const struct col_desc wss_cols[] = {
	[WC_T] = { "T-MS", "t_ms", COL_U64, 8, COL_DEFAULT | COL_RIGHT,
		   "end of the interval, ms after the first pass" },
	[WC_WSS] = { "WSS", "wss_pages", COL_U64, 8, COL_DEFAULT | COL_RIGHT,
		     "pages referenced in the interval" },
	[WC_WSS_SIZE] = { "WSS-SIZE", "wss_bytes", COL_SIZE, 8,
			  COL_DEFAULT | COL_RIGHT, "the same in bytes" },
	[WC_WRITTEN] = { "WRITTEN", "written_pages", COL_U64, 8,
			 COL_DEFAULT | COL_RIGHT, "pages written" },
	[WC_RSS] = { "RSS", "rss_pages", COL_PAGES, 8, COL_DEFAULT | COL_RIGHT,
		     "resident, as RssAnon + RssFile + RssShmem" },
	[WC_CHART] = { "WSS/RSS", "chart", COL_STR, CHART_W,
		       COL_DEFAULT | COL_NOJSON, "WSS against RSS, a bar" },
	[WC_SEGMENTS] = { "SEGMENTS", "segments_text", COL_STR, 0.3,
			  COL_DEFAULT | COL_NOJSON,
			  "pages referenced per segment (JSON: segments "
			  "{segment: pages})" },
};

enum {
	CC_TAU, CC_TAU_MS, CC_W,
};

static const struct col_desc curve_cols[] = {
	[CC_TAU] = { "TAU", "tau", COL_U64, 6, COL_DEFAULT | COL_RIGHT,
		     "window, in intervals" },
	[CC_TAU_MS] = { "TAU-MS", "tau_ms", COL_U64, 9, COL_DEFAULT | COL_RIGHT,
			"window, in ms" },
	[CC_W] = { "W", "w_pages", COL_F64, 14, COL_DEFAULT | COL_RIGHT,
		   "W(tau): mean pages referenced in tau intervals" },
};

enum {
	HC_ADDRESS, HC_SEGMENT, HC_HEAT, HC_REFS,
};

static const struct col_desc heat_cols[] = {
	[HC_ADDRESS] = { "ADDRESS", "addr", COL_ADDR, 16, COL_DEFAULT,
			 "first address of the row" },
	[HC_SEGMENT] = { "SEGMENT", "segment", COL_STR, 12, COL_DEFAULT,
			 "its segment, as vmscope layout names them" },
	[HC_HEAT] = { "TIME->", "heat", COL_STR, 0.5,
		      COL_DEFAULT | COL_NOJSON,
		      "one cell an interval: ' ' none of the row's pages "
		      "referenced, then light to full shade up to all" },
	[HC_REFS] = { "REFS", "refs", COL_U64S, 0.3, COL_TRUNC,
		      "pages of the row referenced, per interval" },
};

/* One recorded interval: its header and its runs. */
struct interval {
	struct vmscope_wss_rec hdr;
	struct vmscope_wss_rec *runs;
	size_t nruns;
	uint64_t seg[NSEG];
};

struct recording {
	uint32_t pid;
	uint32_t interval_ms;
	uint32_t flags;			/* VMSCOPE_WSS_* of the start */
	struct interval *iv;
	size_t n;
	uint32_t status;
	struct vmscope_layout_vma *vma;	/* the VMAs at the end */
	size_t nvma;
};

static const char *status_name(uint32_t s)
{
	static const char *const n[] = {
		"none", "running", "done", "stopped", "exited", "execed",
		"full", "failed",
	};

	return s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

/* The process's VMAs now; the last ones are kept if it is gone. */
static void load_vmas(int fd, struct recording *r)
{
	struct vmscope_layout_vma *v = NULL;
	struct vmscope_layout lo;
	size_t n = 0, cap = 64;

	for (;;) {
		v = realloc(v, (n + cap) * sizeof(*v));
		if (!v)
			err(1, "out of memory");
		memset(&lo, 0, sizeof(lo));
		lo.size = sizeof(lo);
		lo.pid = r->pid;
		lo.rec_size = sizeof(*v);
		lo.start = n ? v[n - 1].vma.end : 0;
		lo.buf = (uintptr_t)(v + n);
		lo.buf_count = cap;
		if (ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo)) {
			if (errno != ESRCH && errno != ENOENT)
				vmscope_ioctl_die("VMSCOPE_IOC_LAYOUT");
			free(v);
			return;
		}
		n += lo.count;
		if (lo.out_flags & VMSCOPE_LAYOUT_DONE)
			break;
	}
	free(r->vma);
	r->vma = v;
	r->nvma = n;
}

/* The segment of an address, from the last layout; OTHER if none. */
static uint32_t seg_of(const struct recording *r, uint64_t addr)
{
	size_t lo = 0, hi = r->nvma;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (addr < r->vma[mid].vma.start)
			hi = mid;
		else if (addr >= r->vma[mid].vma.end)
			lo = mid + 1;
		else
			return r->vma[mid].segment;
	}
	return VMSCOPE_SEG_OTHER;
}

static void add_run(struct interval *iv, const struct vmscope_wss_rec *run)
{
	if (!(iv->nruns & (iv->nruns + 1)) || !iv->runs) {
		iv->runs = realloc(iv->runs,
				   (iv->nruns * 2 + 2) * sizeof(*iv->runs));
		if (!iv->runs)
			err(1, "out of memory");
	}
	iv->runs[iv->nruns++] = *run;
}

typedef void (*interval_fn)(const struct recording *r,
			    const struct interval *iv);

#define DAMON_STAT_ENABLED	"/sys/module/damon_stat/parameters/enabled"

/*
 * DAMON_STAT (6.17+; on by default in Debian's 7.2) clears the Accessed
 * bits of the pages it samples, machine-wide, without a TLB flush: a page
 * it clears during an interval may be missed in that interval.  Say so,
 * to a person (standard error a terminal), not into a script's stream.
 */
static void warn_damon_stat(void)
{
	char on[4] = "";
	FILE *f;

	if (!isatty(STDERR_FILENO))
		return;
	f = fopen(DAMON_STAT_ENABLED, "re");
	if (!f)
		return;
	if (fgets(on, sizeof(on), f) && on[0] == 'Y')
		warnx("note: DAMON_STAT is running and clears Accessed bits "
		      "too, so a page may be missed in an interval (echo N > "
		      DAMON_STAT_ENABLED " pauses it)");
	fclose(f);
}

/*
 * Start a session and read its records until @count intervals or the end
 * of the process; @fn (if any) is called as each interval completes.
 */
static void record(struct recording *r, uint32_t count, interval_fn fn)
{
	static struct vmscope_wss_rec buf[1024];
	struct vmscope_wss_start st = {
		.size = sizeof(st),
		.flags = r->flags,
		.pid = r->pid,
		.interval_ms = r->interval_ms,
		.count = count,
	};
	struct interval *cur = NULL;
	struct vmscope_wss_read rd;
	int fd = vmscope_open();
	uint32_t i;

	load_vmas(fd, r);
	warn_damon_stat();
	vmscope_pid_ioctl(fd, VMSCOPE_IOC_WSS_START, &st, r->pid,
			  "VMSCOPE_IOC_WSS_START");
	do {
		memset(&rd, 0, sizeof(rd));
		rd.size = sizeof(rd);
		rd.flags = VMSCOPE_WSS_READ_WAIT;
		rd.buf = (uintptr_t)buf;
		rd.buf_count = 1024;
		rd.rec_size = sizeof(buf[0]);
		vmscope_ioctl(fd, VMSCOPE_IOC_WSS_READ, &rd,
			      "VMSCOPE_IOC_WSS_READ");
		for (i = 0; i < rd.count; i++) {
			if (buf[i].type == VMSCOPE_WSS_REC_RUN && cur) {
				add_run(cur, &buf[i]);
				continue;
			}
			if (cur && fn)
				fn(r, cur);
			r->iv = realloc(r->iv, (r->n + 1) * sizeof(*r->iv));
			if (!r->iv)
				err(1, "out of memory");
			cur = &r->iv[r->n++];
			memset(cur, 0, sizeof(*cur));
			cur->hdr = buf[i];
		}
		/* an interval is complete when the next begins or none come */
		if (cur && !rd.pending && fn && rd.count) {
			load_vmas(fd, r);
			fn(r, cur);
			cur = NULL;
		}
	} while (rd.status == VMSCOPE_WSS_RUNNING || rd.pending);
	load_vmas(fd, r);
	if (cur && fn)
		fn(r, cur);
	r->status = rd.status;
	if (rd.status == VMSCOPE_WSS_FULL || rd.status == VMSCOPE_WSS_FAILED)
		warnx("sampling ended early: %s%s%s", status_name(rd.status),
		      rd.error ? ": " : "", rd.error ? strerror(-rd.error) : "");
	close(fd);
}

static void segments(const struct recording *r, struct interval *iv)
{
	size_t i;

	memset(iv->seg, 0, sizeof(iv->seg));
	for (i = 0; i < iv->nruns; i++) {
		uint32_t s = seg_of(r, iv->runs[i].addr);

		iv->seg[s < NSEG ? s : 0] += iv->runs[i].pages;
	}
}

/* {segment: pages} of an interval, for JSON */
static void json_segments(struct json *j, const void *ctx)
{
	const struct interval *iv = ctx;
	int s;

	json_open_flat(j, "segments", '{');
	for (s = 0; s < NSEG; s++)
		if (iv->seg[s])
			json_u64(j, seg_names[s], iv->seg[s]);
	json_close(j, '}');
}

/* One interval: a row as it completes (a stream), or of the JSON list */
static void wss_row(struct cols *c, const struct recording *r,
		    struct interval *iv)
{
	struct col_val cv[ARRAY_SIZE(wss_cols)];
	const struct vmscope_wss_rec *h = &iv->hdr;
	char chart[CHART_W + 1], segs[512];
	size_t used = 0;
	uint64_t w;
	int s, bar;

	segments(r, iv);
	w = h->rss ? h->pages * CHART_W / h->rss : 0;
	bar = w > CHART_W ? CHART_W : (int)w;
	memset(chart, '#', bar);
	chart[bar] = '\0';
	segs[0] = '\0';
	for (s = 0; s < NSEG; s++)
		if (iv->seg[s] && used < sizeof(segs))
			used += snprintf(segs + used, sizeof(segs) - used,
					 "%s%s=%" PRIu64, used ? " " : "",
					 seg_names[s], iv->seg[s]);
	cv[WC_T] = CV_U(h->time_us / 1000);
	cv[WC_WSS] = CV_U(h->pages);
	cv[WC_WSS_SIZE] = CV_U(h->pages * PAGE_SZ);
	cv[WC_WRITTEN] = CV_U(h->written);
	cv[WC_RSS] = CV_U(h->rss);
	cv[WC_CHART] = CV_S(chart);
	cv[WC_SEGMENTS] = CV_S(segs);
	if (c->stream)
		cols_stream_row(c, cv);
	else
		cols_row_extra(c, cv, json_segments, iv);
}

/* record()'s callback: the table, a row as each interval completes */
static struct cols *line_cols;

static void wss_line(const struct recording *r, const struct interval *ivc)
{
	wss_row(line_cols, r, (struct interval *)ivc);
}

static void wss_json(struct recording *r, struct cols *c)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "pid", r->pid);
	json_u64(&j, "interval_ms", r->interval_ms);
	json_bool(&j, "aging", !(r->flags & VMSCOPE_WSS_NO_AGING));
	json_str(&j, "status", status_name(r->status));
	cols_begin(c, &j, "intervals");
	for (i = 0; i < r->n; i++)
		wss_row(c, r, &r->iv[i]);
	cols_end(c);
	json_close(&j, '}');
}

/* A page's referenced intervals, for the curve. */
struct pref {
	uint64_t page;
	uint32_t t;
};

static int pref_cmp(const void *a, const void *b)
{
	const struct pref *x = a, *y = b;

	if (x->page != y->page)
		return x->page < y->page ? -1 : 1;
	return x->t < y->t ? -1 : x->t > y->t;
}

/*
 * W(tau): the mean over windows of tau intervals of the pages referenced
 * in the window.  A page whose last reference at or before interval t was
 * at l is in every window ending at t that is longer than t - l.
 */
static void curve(struct recording *r, const struct cols_opts *co)
{
	size_t n = r->n, np = 0, i, k, t;
	uint64_t *add = calloc(n + 2, sizeof(*add));
	struct col_val cv[ARRAY_SIZE(curve_cols)];
	struct pref *p = NULL;
	struct json j;
	struct cols c;

	if (!add)
		err(1, "out of memory");
	for (t = 0; t < n; t++)
		for (i = 0; i < r->iv[t].nruns; i++)
			np += r->iv[t].runs[i].pages;
	p = malloc((np ? np : 1) * sizeof(*p));
	if (!p)
		err(1, "out of memory");
	np = 0;
	for (t = 0; t < n; t++)
		for (i = 0; i < r->iv[t].nruns; i++)
			for (k = 0; k < r->iv[t].runs[i].pages; k++) {
				p[np].page = r->iv[t].runs[i].addr / PAGE_SZ + k;
				p[np++].t = t;
			}
	qsort(p, np, sizeof(*p), pref_cmp);
	for (i = 0; i < np; i = k) {
		size_t last_i = i;

		for (k = i; k < np && p[k].page == p[i].page; k++)
			;
		/* for t from its first reference on: tau in (t - l, t + 1] */
		for (t = p[i].t; t < n; t++) {
			while (last_i + 1 < k && p[last_i + 1].t <= t)
				last_i++;
			add[t - p[last_i].t + 1]++;
			add[t + 2]--;
		}
	}
	cols_init(&c, curve_cols, ARRAY_SIZE(curve_cols), co);
	if (co->json) {
		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		json_u64(&j, "pid", r->pid);
		json_u64(&j, "interval_ms", r->interval_ms);
		json_bool(&j, "aging", !(r->flags & VMSCOPE_WSS_NO_AGING));
		json_u64(&j, "intervals", n);
	}
	cols_begin(&c, &j, "curve");
	{
		int64_t acc = 0;
		size_t tau;

		for (tau = 1; tau <= n; tau++) {
			acc += (int64_t)add[tau];
			cv[CC_TAU] = CV_U(tau);
			cv[CC_TAU_MS] = CV_U((uint64_t)tau * r->interval_ms);
			cv[CC_W] = CV_F((double)acc / (double)(n - tau + 1));
			cols_row(&c, cv);
		}
	}
	cols_end(&c);
	if (co->json)
		json_close(&j, '}');
	free(add);
	free(p);
}

static void free_recording(struct recording *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->iv[i].runs);
	free(r->iv);
	free(r->vma);
}

/* Options shared by the three commands. */
struct opts {
	struct cols_opts co;
	uint32_t interval_ms;
	uint32_t count;
	bool curve;
	bool no_aging;
	const char *out;
	const char *svg;
	uint32_t rows;
};

static uint32_t parse_u32(const char *s, const char *what, uint32_t min,
			  uint32_t max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		errx(2, "%s must be a number from %u to %u, not '%s'", what,
		     min, max, s);
	return v;
}

static void trace_help(FILE *out);

/* --count has no short option: -n is --noheadings in every table */
enum { OPT_COUNT = 0x1100, OPT_NO_AGING };

static int parse_opts(int argc, char **argv, struct opts *o,
		      void (*help)(FILE *out), const char *shortopts)
{
	static const struct option table_opts[] = {
		COLS_LONGOPTS,
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "no-aging", no_argument, NULL, OPT_NO_AGING },
		{ "curve", no_argument, NULL, 'c' },
		{ "svg", required_argument, NULL, 's' },
		{ "rows", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	}, trace_opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "no-aging", no_argument, NULL, OPT_NO_AGING },
		{ "json", no_argument, NULL, 'J' },
		{ "write", required_argument, NULL, 'w' },
		{ "output", required_argument, NULL, 'o' },	/* deprecated */
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool trace = help == trace_help;
	int c;

	while ((c = getopt_long(argc, argv, shortopts,
				trace ? trace_opts : table_opts,
				NULL)) != -1) {
		if (!trace && cols_getopt(&o->co, c, optarg))
			continue;
		if (c != 'h' && c != '?' && c != OPT_COUNT &&
		    c != OPT_NO_AGING && !strchr(shortopts, c))
			c = '?';
		switch (c) {
		case 'i':
			o->interval_ms = parse_u32(optarg, "--interval",
						   VMSCOPE_WSS_MIN_INTERVAL_MS,
						   VMSCOPE_WSS_MAX_INTERVAL_MS);
			break;
		case OPT_COUNT:
			o->count = parse_u32(optarg, "--count", 1, 100000);
			break;
		case OPT_NO_AGING:
			o->no_aging = true;
			break;
		case 'J':
			o->co.json = true;
			break;
		case 'c':
			o->curve = true;
			break;
		case 'w':
		case 'o':
			o->out = optarg;
			break;
		case 's':
			o->svg = optarg;
			break;
		case 'R':
			o->rows = parse_u32(optarg, "--rows", 4, 1000);
			break;
		case 'h':
			help(stdout);
			exit(0);
		default:
			errx(EXIT_USAGE, "try 'vmscope %s --help'", o->co.cmd);
		}
	}
	if (optind + 1 != argc)
		errx(EXIT_USAGE, "%s takes one PID; try 'vmscope %s --help'",
		     o->co.cmd, o->co.cmd);
	return optind;
}

static void wss_help(FILE *out)
{
	fputs("Usage: vmscope wss [options] PID\n"
	      "       vmscope wss --curve [options] PID\n"
	      "\n"
	      "Measure the working set of process PID: every interval the module\n"
	      "tests and clears the Accessed (and Dirty) bit of every page the\n"
	      "process has mapped, and counts the pages referenced (and written)\n"
	      "in that interval.  With --curve, Denning's W(tau): the mean number\n"
	      "of pages referenced in a window of tau intervals, tau = 1..N.\n"
	      "\n"
	      "Options:\n", out);
	cols_help_options(out);
	fputs("  -i, --interval MS    length of an interval (default 100)\n"
	      "      --count N        intervals to record (default 10; 20 with\n"
	      "                       --curve)\n"
	      "  -c, --curve          W(tau) instead of the intervals\n"
	      "      --no-aging       do not hand the references found to the\n"
	      "                       kernel's page aging, as clear_refs does not:\n"
	      "                       a cheaper pass, but reclaim then takes the\n"
	      "                       pages for unreferenced\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "The table prints a row as each interval ends.\n"
	      "JSON: {pid, interval_ms, aging, status, intervals: [one object\n"
	      "per interval, keys below, and segments {segment: pages}]}; with\n"
	      "--curve {pid, interval_ms, aging, intervals, curve: [{tau,\n"
	      "tau_ms, w_pages}]}.  aging is false with --no-aging.\n", out);
	cols_help_columns(out, NULL, wss_cols, ARRAY_SIZE(wss_cols));
	cols_help_columns(out, "Output columns with --curve", curve_cols,
			  ARRAY_SIZE(curve_cols));
}

static int wss_run(int argc, char **argv)
{
	struct opts o = { .co.cmd = "wss", .interval_ms = 100 };
	struct recording r = { 0 };
	int i = parse_opts(argc, argv, &o, wss_help, COLS_SHORTOPTS "i:ch");
	struct cols c;

	/* an unknown column is a usage error before anything is recorded */
	if (o.curve)
		cols_init(&c, curve_cols, ARRAY_SIZE(curve_cols), &o.co);
	else
		cols_init(&c, wss_cols, ARRAY_SIZE(wss_cols), &o.co);
	r.pid = parse_pid(argv[i]);
	r.interval_ms = o.interval_ms;
	r.flags = o.no_aging ? VMSCOPE_WSS_NO_AGING : 0;
	if (!o.count)
		o.count = o.curve ? 20 : 10;
	line_cols = &c;
	if (!o.curve && !o.co.json)
		cols_stream_begin(&c, true);
	record(&r, o.count, o.co.json || o.curve ? NULL : wss_line);
	if (o.curve)
		curve(&r, &o.co);
	else if (o.co.json)
		wss_json(&r, &c);
	else if (r.status != VMSCOPE_WSS_DONE && !o.co.noheadings &&
		 !o.co.raw)
		printf("(process %s)\n", status_name(r.status));
	free_recording(&r);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_wss = {
	.name = "wss",
	.summary = "working-set size per interval, by segment; --curve W(tau)",
	.run = wss_run,
	.help = wss_help,
};

static void trace_help(FILE *out)
{
	fputs("Usage: vmscope trace [--interval MS] [--count N] [--no-aging] [-J]\n"
	      "                     -w FILE PID\n"
	      "\n"
	      "Record a reference trace of process PID: for each interval the\n"
	      "virtual page numbers it referenced, 'w' after those it wrote, in\n"
	      "the text format of Documentation/trace-format.md (version 1),\n"
	      "which vmscope replace --trace reads.\n"
	      "\n"
	      "Options:\n"
	      "  -i, --interval MS  length of an interval (default 100)\n"
	      "      --count N      intervals to record (default 10)\n"
	      "      --no-aging     do not hand the references found to the\n"
	      "                     kernel's page aging, as clear_refs does not:\n"
	      "                     a cheaper pass, but reclaim then takes the\n"
	      "                     pages for unreferenced\n"
	      "  -w, --write FILE   where to write the trace ('-': stdout), as\n"
	      "                     tcpdump -w writes its capture\n"
	      "  -o, --output FILE  the same, deprecated: in every other command\n"
	      "                     -o chooses columns\n"
	      "  -J, --json         print a summary as JSON: pid, interval_ms,\n"
	      "                     aging, intervals, references, file\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "Not a table: the trace is a file, not columns.\n", out);
}

static void trace_write(FILE *f, const struct recording *r, const char *comm)
{
	size_t t, i;
	uint64_t k;

	fprintf(f, "vmscope-trace 1\n# written by vmscope trace\n");
	fprintf(f, "page_size %" PRIu64 "\npid %u\ninterval_ms %u\n", PAGE_SZ,
		r->pid, r->interval_ms);
	fprintf(f, "aging %s\n", r->flags & VMSCOPE_WSS_NO_AGING ? "no" : "yes");
	if (comm[0])
		fprintf(f, "comm %s\n", comm);
	for (t = 0; t < r->n; t++) {
		const struct interval *iv = &r->iv[t];
		int col = 0;

		fprintf(f, "t %" PRIu64 "\n", (uint64_t)iv->hdr.time_us / 1000);
		for (i = 0; i < iv->nruns; i++)
			for (k = 0; k < iv->runs[i].pages; k++) {
				fprintf(f, "%s%" PRIx64 "%s", col ? " " : "",
					(uint64_t)iv->runs[i].addr / PAGE_SZ + k,
					iv->runs[i].flags & VMSCOPE_WSS_WRITTEN ?
					"w" : "");
				if (++col == 8) {
					fputc('\n', f);
					col = 0;
				}
			}
		if (col)
			fputc('\n', f);
	}
}

static void read_comm(uint32_t pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;
	size_t i;

	comm[0] = 0;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(comm, len, f))
		comm[0] = 0;
	fclose(f);
	for (i = 0; comm[i]; i++)	/* one token: no blanks, printable */
		if (comm[i] <= ' ' || comm[i] > '~')
			comm[i] = comm[i] == '\n' ? 0 : '_';
}

static int trace_run(int argc, char **argv)
{
	struct opts o = { .co.cmd = "trace", .interval_ms = 100, .count = 10 };
	struct recording r = { 0 };
	int i = parse_opts(argc, argv, &o, trace_help, "i:w:o:Jh");
	uint64_t refs = 0;
	char comm[64];
	size_t t, k;
	FILE *f;

	if (!o.out)
		errx(EXIT_USAGE, "trace needs -w FILE (or -w - for stdout)");
	r.pid = parse_pid(argv[i]);
	r.interval_ms = o.interval_ms;
	r.flags = o.no_aging ? VMSCOPE_WSS_NO_AGING : 0;
	read_comm(r.pid, comm, sizeof(comm));
	record(&r, o.count, NULL);
	f = strcmp(o.out, "-") ? fopen(o.out, "w") : stdout;
	if (!f)
		err(1, "cannot write the trace to %s", o.out);
	trace_write(f, &r, comm);
	if (f != stdout && fclose(f))
		err(1, "writing %s", o.out);
	for (t = 0; t < r.n; t++)
		for (k = 0; k < r.iv[t].nruns; k++)
			refs += r.iv[t].runs[k].pages;
	if (o.co.json) {
		struct json j;

		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		json_u64(&j, "pid", r.pid);
		json_u64(&j, "interval_ms", r.interval_ms);
		json_bool(&j, "aging", !(r.flags & VMSCOPE_WSS_NO_AGING));
		json_u64(&j, "intervals", r.n);
		json_u64(&j, "references", refs);
		json_str(&j, "file", o.out);
		json_close(&j, '}');
	} else if (f != stdout) {
		fprintf(stderr, "vmscope trace: %zu intervals, %" PRIu64
			" page references, in %s\n", r.n, refs, o.out);
	}
	free_recording(&r);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_trace = {
	.name = "trace",
	.summary = "a reference trace of a process, for vmscope replace",
	.run = trace_run,
	.help = trace_help,
};

/*
 * The heatmap's address axis: the VMAs side by side, the gaps between
 * them left out (as vmscope layout draws them), cut into @rows rows.
 */
struct axis {
	const struct recording *r;
	uint64_t total;		/* pages of all VMAs */
	uint32_t rows;
};

/* Row of @addr, or -1 outside every VMA. */
static int axis_row(const struct axis *a, uint64_t addr)
{
	uint64_t before = 0;
	size_t i;

	for (i = 0; i < a->r->nvma; i++) {
		const struct vmscope_vma *v = &a->r->vma[i].vma;

		if (addr >= v->start && addr < v->end)
			return (before + (addr - v->start) / PAGE_SZ) *
			       a->rows / a->total;
		before += (v->end - v->start) / PAGE_SZ;
	}
	return -1;
}

/* Referenced pages per row and interval: a rows x n matrix. */
static uint64_t *heat(const struct axis *a)
{
	const struct recording *r = a->r;
	uint64_t *m = calloc((size_t)a->rows * (r->n ? r->n : 1), sizeof(*m));
	size_t t, i;
	uint64_t k;

	if (!m)
		err(1, "out of memory");
	for (t = 0; t < r->n; t++)
		for (i = 0; i < r->iv[t].nruns; i++)
			for (k = 0; k < r->iv[t].runs[i].pages; k++) {
				int row = axis_row(a, r->iv[t].runs[i].addr +
						      k * PAGE_SZ);

				if (row >= 0)
					m[(size_t)row * r->n + t]++;
			}
	return m;
}

/* The first address of a row, for its label. */
static uint64_t row_addr(const struct axis *a, uint32_t row)
{
	uint64_t page = (row * a->total + a->rows - 1) / a->rows, before = 0;
	size_t i;

	for (i = 0; i < a->r->nvma; i++) {
		const struct vmscope_vma *v = &a->r->vma[i].vma;
		uint64_t len = (v->end - v->start) / PAGE_SZ;

		if (page < before + len)
			return v->start + (page - before) * PAGE_SZ;
		before += len;
	}
	return 0;
}

static uint32_t row_seg(const struct axis *a, uint32_t row)
{
	return seg_of(a->r, row_addr(a, row));
}

static void heat_svg(const struct axis *a, const uint64_t *m, uint64_t per,
		     const char *path)
{
	const struct recording *r = a->r;
	const int cw = 12, ch = 10, left = 200, top = 30;
	FILE *f = fopen(path, "w");
	uint32_t row;
	size_t t;

	if (!f)
		err(1, "cannot write %s", path);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%zu\" "
		"height=\"%u\" font-family=\"monospace\" font-size=\"9\">\n",
		left + r->n * cw + 20, top + a->rows * ch + 30);
	fprintf(f, "<text x=\"4\" y=\"14\" font-size=\"12\">vmscope heatmap: "
		"pid %u, %zu intervals of %u ms, %u rows of %" PRIu64
		" pages (gaps between VMAs left out)</text>\n", r->pid, r->n,
		r->interval_ms, a->rows, per);
	for (row = 0; row < a->rows; row++) {
		fprintf(f, "<text x=\"4\" y=\"%u\">%016" PRIx64 " %s</text>\n",
			top + row * ch + 8, row_addr(a, row),
			seg_names[row_seg(a, row) % NSEG]);
		for (t = 0; t < r->n; t++) {
			uint64_t v = m[(size_t)row * r->n + t];
			int shade = per ? (int)(255 - v * 255 / per) : 255;

			fprintf(f, "<rect x=\"%zu\" y=\"%u\" width=\"%d\" "
				"height=\"%d\" fill=\"rgb(255,%d,%d)\"/>\n",
				left + t * cw, top + row * ch, cw, ch, shade,
				shade);
		}
	}
	fprintf(f, "<text x=\"%d\" y=\"%u\">time &#8594; (one column per "
		"interval); darker = more pages of the row referenced</text>\n",
		left, top + a->rows * ch + 20);
	fputs("</svg>\n", f);
	if (fclose(f))
		err(1, "writing %s", path);
}

static void heatmap_help(FILE *out)
{
	fputs("Usage: vmscope heatmap [options] PID\n"
	      "\n"
	      "Record the working set of process PID for N intervals and draw\n"
	      "time (columns) against address (rows) with the share of each\n"
	      "row's pages referenced in each interval: ' ' none, then\n"
	      "'\u2591', '\u2592', '\u2593', '\u2588' up to all (in an ASCII locale '.', ':',\n"
	      "'+', '#').  The address axis is the process's\n"
	      "VMAs side by side, the gaps between them left out as in vmscope\n"
	      "layout, cut into R rows (default 24); each row is labelled with\n"
	      "its first address and segment.\n"
	      "\n"
	      "Options:\n", out);
	cols_help_options(out);
	fputs("  -i, --interval MS    length of an interval (default 100)\n"
	      "      --count N        intervals (default 40)\n"
	      "  -R, --rows R         address rows (default 24)\n"
	      "  -s, --svg FILE       also write the heatmap as SVG\n"
	      "      --no-aging       do not hand the references found to the\n"
	      "                       kernel's page aging, as clear_refs does not:\n"
	      "                       a cheaper pass, but reclaim then takes the\n"
	      "                       pages for unreferenced\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "With -n or -r only the table is printed.\n"
	      "JSON: {pid, interval_ms, aging (false with --no-aging),\n"
	      "pages_per_row, rows: [one object per row, keys below]}.\n", out);
	cols_help_columns(out, NULL, heat_cols, ARRAY_SIZE(heat_cols));
}

static void heat_table(const struct axis *a, const uint64_t *m,
		       uint64_t per, struct cols *c, struct json *j)
{
	static const char *const utf8[] = { " ", "\u2591", "\u2592", "\u2593",
					    "\u2588" };
	static const char *const ascii[] = { " ", ".", ":", "+", "#" };
	/* the block shades where the locale can show them */
	const char *const *shade = MB_CUR_MAX > 1 ? utf8 : ascii;
	const struct recording *r = a->r;
	struct col_val cv[ARRAY_SIZE(heat_cols)];
	unsigned long long *refs;
	char *cells;
	uint32_t row;
	size_t t;

	refs = calloc(r->n + 1, sizeof(*refs));
	cells = malloc(r->n * 3 + 1);
	if (!refs || !cells)
		err(1, "out of memory");
	cols_begin(c, j, "rows");
	for (row = 0; row < a->rows; row++) {
		size_t used = 0;

		for (t = 0; t < r->n; t++) {
			uint64_t v = m[(size_t)row * r->n + t];
			int s = !v ? 0 : per ? 1 + (int)((v * 4 - 1) / per) : 0;

			refs[t] = v;
			used += sprintf(cells + used, "%s", shade[s > 4 ? 4 : s]);
		}
		cells[used] = '\0';
		cv[HC_ADDRESS] = CV_U(row_addr(a, row));
		cv[HC_SEGMENT] = CV_S(seg_names[row_seg(a, row) % NSEG]);
		cv[HC_HEAT] = CV_S(cells);
		cv[HC_REFS] = CV_US(refs, r->n);
		cols_row(c, cv);
	}
	cols_end(c);
	free(cells);
	free(refs);
}

static void heat_output(const struct axis *a, const uint64_t *m,
			uint64_t per, struct cols *c)
{
	const struct recording *r = a->r;
	struct json j;

	if (c->o->json) {
		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		json_u64(&j, "pid", r->pid);
		json_u64(&j, "interval_ms", r->interval_ms);
		json_bool(&j, "aging", !(r->flags & VMSCOPE_WSS_NO_AGING));
		json_u64(&j, "pages_per_row", per);
		heat_table(a, m, per, c, &j);
		json_close(&j, '}');
		return;
	}
	if (!c->o->noheadings && !c->o->raw)
		printf("pid %u: %zu intervals of %u ms; %u rows of %" PRIu64
		       " pages (%" PRIu64 " pages in VMAs, gaps left out)\n",
		       r->pid, r->n, r->interval_ms, a->rows, per, a->total);
	heat_table(a, m, per, c, NULL);
}

static int heatmap_run(int argc, char **argv)
{
	struct opts o = { .co.cmd = "heatmap", .interval_ms = 100, .count = 40,
			  .rows = 24 };
	struct recording r = { 0 };
	int i = parse_opts(argc, argv, &o, heatmap_help,
			   COLS_SHORTOPTS "i:R:s:h");
	struct axis a = { .r = &r };
	uint64_t *m, per;
	struct cols c;
	size_t k;

	/* an unknown column is a usage error before anything is recorded */
	cols_init(&c, heat_cols, ARRAY_SIZE(heat_cols), &o.co);
	r.pid = parse_pid(argv[i]);
	r.interval_ms = o.interval_ms;
	r.flags = o.no_aging ? VMSCOPE_WSS_NO_AGING : 0;
	record(&r, o.count, NULL);
	if (!r.nvma)
		errx(1, "process %u has no mappings to draw", r.pid);
	for (k = 0; k < r.nvma; k++)
		a.total += (r.vma[k].vma.end - r.vma[k].vma.start) / PAGE_SZ;
	a.rows = o.rows;
	per = (a.total + a.rows - 1) / a.rows;
	m = heat(&a);
	heat_output(&a, m, per, &c);
	if (o.svg)
		heat_svg(&a, m, per, o.svg);
	free(m);
	free_recording(&r);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_heatmap = {
	.name = "heatmap",
	.summary = "time x address x references of a process (--svg)",
	.run = heatmap_run,
	.help = heatmap_help,
};
