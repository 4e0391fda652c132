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

#include "common.h"
#include "json.h"

#define PAGE_SZ		((uint64_t)4096)
#define NSEG		(VMSCOPE_SEG_MAX + 1)
#define CHART_W		40

static const char *const seg_names[] = VMSCOPE_SEG_NAMES;

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

/*
 * Start a session and read its records until @count intervals or the end
 * of the process; @fn (if any) is called as each interval completes.
 */
static void record(struct recording *r, uint32_t count, interval_fn fn)
{
	static struct vmscope_wss_rec buf[1024];
	struct vmscope_wss_start st = {
		.size = sizeof(st),
		.pid = r->pid,
		.interval_ms = r->interval_ms,
		.count = count,
	};
	struct interval *cur = NULL;
	struct vmscope_wss_read rd;
	int fd = vmscope_open();
	uint32_t i;

	load_vmas(fd, r);
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

static void wss_line(const struct recording *r, const struct interval *ivc)
{
	struct interval *iv = (struct interval *)ivc;
	const struct vmscope_wss_rec *h = &iv->hdr;
	char b1[16], b2[16];
	uint64_t w;
	int s, bar;

	segments(r, iv);
	if (h->addr == 0)
		printf("%8s %9s %8s %9s %9s  %-*s  %s\n", "T_MS", "WSS", "WSS_B",
		       "WRITTEN", "RSS", CHART_W, "WSS/RSS", "SEGMENTS");
	w = h->rss ? h->pages * CHART_W / h->rss : 0;
	bar = w > CHART_W ? CHART_W : (int)w;
	printf("%8" PRIu64 " %9" PRIu64 " %8s %9" PRIu64 " %9s  ",
	       (uint64_t)h->time_us / 1000, (uint64_t)h->pages,
	       size_to_human(h->pages * PAGE_SZ, b1, sizeof(b1)),
	       (uint64_t)h->written,
	       size_to_human(h->rss * PAGE_SZ, b2, sizeof(b2)));
	printf("%.*s%*s ", bar * 3,
	       "████████████████████████████████████████████████████████████"
	       "████████████████████████████████████████████████████████████",
	       CHART_W - bar, "");
	for (s = 0; s < NSEG; s++)
		if (iv->seg[s])
			printf(" %s=%" PRIu64, seg_names[s], iv->seg[s]);
	putchar('\n');
	fflush(stdout);
}

static void wss_json(struct recording *r)
{
	struct json j;
	size_t i;
	int s;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "pid", r->pid);
	json_u64(&j, "interval_ms", r->interval_ms);
	json_str(&j, "status", status_name(r->status));
	json_open(&j, "intervals", '[');
	for (i = 0; i < r->n; i++) {
		struct interval *iv = &r->iv[i];

		segments(r, iv);
		json_open_flat(&j, NULL, '{');
		json_u64(&j, "t_ms", iv->hdr.time_us / 1000);
		json_u64(&j, "wss_pages", iv->hdr.pages);
		json_u64(&j, "written_pages", iv->hdr.written);
		json_u64(&j, "rss_pages", iv->hdr.rss);
		json_open_flat(&j, "segments", '{');
		for (s = 0; s < NSEG; s++)
			if (iv->seg[s])
				json_u64(&j, seg_names[s], iv->seg[s]);
		json_close(&j, '}');
		json_close(&j, '}');
	}
	json_close(&j, ']');
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
static void curve(struct recording *r, bool json)
{
	size_t n = r->n, np = 0, i, k, t;
	uint64_t *add = calloc(n + 2, sizeof(*add));
	struct pref *p = NULL;
	struct json j;

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
	if (json) {
		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		json_u64(&j, "pid", r->pid);
		json_u64(&j, "interval_ms", r->interval_ms);
		json_u64(&j, "intervals", n);
		json_open(&j, "curve", '[');
	} else {
		printf("%6s %9s %14s  %s\n", "TAU", "TAU_MS", "W_PAGES",
		       "W(tau), mean pages referenced in tau intervals");
	}
	{
		int64_t acc = 0;
		size_t tau;

		for (tau = 1; tau <= n; tau++) {
			double w;

			acc += (int64_t)add[tau];
			w = (double)acc / (double)(n - tau + 1);
			if (json) {
				json_open_flat(&j, NULL, '{');
				json_u64(&j, "tau", tau);
				json_u64(&j, "tau_ms", tau * r->interval_ms);
				json_f64(&j, "w_pages", w);
				json_close(&j, '}');
			} else {
				printf("%6zu %9" PRIu64 " %14.1f\n", tau,
				       (uint64_t)tau * r->interval_ms, w);
			}
		}
	}
	if (json) {
		json_close(&j, ']');
		json_close(&j, '}');
	}
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
	uint32_t interval_ms;
	uint32_t count;
	bool json;
	bool curve;
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

static int parse_opts(int argc, char **argv, struct opts *o,
		      void (*help)(FILE *out), const char *shortopts)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'J' },
		{ "curve", no_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "svg", required_argument, NULL, 's' },
		{ "rows", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c != 'h' && c != '?' && !strchr(shortopts, c))
			c = '?';
		switch (c) {
		case 'i':
			o->interval_ms = parse_u32(optarg, "--interval",
						   VMSCOPE_WSS_MIN_INTERVAL_MS,
						   VMSCOPE_WSS_MAX_INTERVAL_MS);
			break;
		case 'n':
			o->count = parse_u32(optarg, "--count", 1, 100000);
			break;
		case 'J':
			o->json = true;
			break;
		case 'c':
			o->curve = true;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 's':
			o->svg = optarg;
			break;
		case 'r':
			o->rows = parse_u32(optarg, "--rows", 4, 1000);
			break;
		case 'h':
			help(stdout);
			exit(0);
		default:
			help(stderr);
			exit(2);
		}
	}
	if (optind + 1 != argc) {
		help(stderr);
		exit(2);
	}
	return optind;
}

static void wss_help(FILE *out)
{
	fputs("Usage: vmscope wss [--interval MS] [--count N] [--json] PID\n"
	      "       vmscope wss --curve [--interval MS] [--count N] [--json] PID\n"
	      "\n"
	      "Measure the working set of process PID: every interval the module\n"
	      "tests and clears the Accessed (and Dirty) bit of every page the\n"
	      "process has mapped, and counts the pages referenced (and written)\n"
	      "in that interval.  With --curve, Denning's W(tau): the mean number\n"
	      "of pages referenced in a window of tau intervals, tau = 1..N.\n"
	      "\n"
	      "Options:\n"
	      "  -i, --interval MS  length of an interval (default 100)\n"
	      "  -n, --count N      intervals to record (default 10; 20 with --curve)\n"
	      "  -c, --curve        W(tau) instead of the intervals\n"
	      "  -J, --json         machine-readable output\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "Columns: T_MS (end of the interval, ms after the first pass), WSS\n"
	      "(pages referenced), WSS_B (the same in bytes), WRITTEN (pages\n"
	      "written), RSS (resident, as RssAnon+RssFile+RssShmem), WSS/RSS (a\n"
	      "bar), SEGMENTS (referenced pages per segment, as vmscope layout\n"
	      "names them).  Curve: TAU, TAU_MS, W_PAGES.\n"
	      "\n"
	      "JSON keys: pid, interval_ms, status, intervals (list of {t_ms,\n"
	      "wss_pages, written_pages, rss_pages, segments: {segment: pages}});\n"
	      "with --curve: pid, interval_ms, intervals, curve (list of {tau,\n"
	      "tau_ms, w_pages}).\n", out);
}

static int wss_run(int argc, char **argv)
{
	struct opts o = { .interval_ms = 100 };
	struct recording r = { 0 };
	int i = parse_opts(argc, argv, &o, wss_help, "i:n:Jch");

	r.pid = parse_pid(argv[i]);
	r.interval_ms = o.interval_ms;
	if (!o.count)
		o.count = o.curve ? 20 : 10;
	record(&r, o.count, o.json || o.curve ? NULL : wss_line);
	if (o.curve)
		curve(&r, o.json);
	else if (o.json)
		wss_json(&r);
	else if (r.status != VMSCOPE_WSS_DONE)
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
	fputs("Usage: vmscope trace [--interval MS] [--count N] -o FILE PID\n"
	      "\n"
	      "Record a reference trace of process PID: for each interval the\n"
	      "virtual page numbers it referenced, 'w' after those it wrote, in\n"
	      "the text format of Documentation/trace-format.md (version 1),\n"
	      "which vmscope replace --trace reads.\n"
	      "\n"
	      "Options:\n"
	      "  -i, --interval MS  length of an interval (default 100)\n"
	      "  -n, --count N      intervals to record (default 10)\n"
	      "  -o, --output FILE  where to write the trace ('-': stdout)\n"
	      "  -J, --json         print a summary as JSON: pid, interval_ms,\n"
	      "                     intervals, references, file\n"
	      "  -h, --help         this text\n", out);
}

static void trace_write(FILE *f, const struct recording *r, const char *comm)
{
	size_t t, i;
	uint64_t k;

	fprintf(f, "vmscope-trace 1\n# written by vmscope trace\n");
	fprintf(f, "page_size %" PRIu64 "\npid %u\ninterval_ms %u\n", PAGE_SZ,
		r->pid, r->interval_ms);
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
	struct opts o = { .interval_ms = 100, .count = 10 };
	struct recording r = { 0 };
	int i = parse_opts(argc, argv, &o, trace_help, "i:n:o:Jh");
	uint64_t refs = 0;
	char comm[64];
	size_t t, k;
	FILE *f;

	if (!o.out)
		errx(2, "trace needs -o FILE (or -o - for stdout)");
	r.pid = parse_pid(argv[i]);
	r.interval_ms = o.interval_ms;
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
	if (o.json) {
		struct json j;

		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		json_u64(&j, "pid", r.pid);
		json_u64(&j, "interval_ms", r.interval_ms);
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
	fputs("Usage: vmscope heatmap [--interval MS] [--count N] [--rows R]\n"
	      "                       [--svg FILE] [--json] PID\n"
	      "\n"
	      "Record the working set of process PID for N intervals and draw\n"
	      "time (columns) against address (rows) with the share of each\n"
	      "row's pages referenced in each interval: ' ' none, then\n"
	      "'░', '▒', '▓', '█' up to all.  The address axis is the process's\n"
	      "VMAs side by side, the gaps between them left out as in vmscope\n"
	      "layout, cut into R rows (default 24); each row is labelled with\n"
	      "its first address and segment.\n"
	      "\n"
	      "Options:\n"
	      "  -i, --interval MS  length of an interval (default 100)\n"
	      "  -n, --count N      intervals (default 40)\n"
	      "  -r, --rows R       address rows (default 24)\n"
	      "  -s, --svg FILE     also write the heatmap as SVG\n"
	      "  -J, --json         machine-readable: pid, interval_ms, rows\n"
	      "                     (list of {addr, segment, pages, refs: list of\n"
	      "                     referenced pages per interval})\n"
	      "  -h, --help         this text\n", out);
}

static void heat_text(const struct axis *a, const uint64_t *m, uint64_t per)
{
	static const char *const shade[] = { " ", "░", "▒", "▓", "█" };
	const struct recording *r = a->r;
	uint32_t row;
	size_t t;

	printf("pid %u: %zu intervals of %u ms; %u rows of %" PRIu64
	       " pages (%" PRIu64 " pages in VMAs, gaps left out)\n", r->pid,
	       r->n, r->interval_ms, a->rows, per, a->total);
	printf("%-16s %-12s |time ->\n", "ADDRESS", "SEGMENT");
	for (row = 0; row < a->rows; row++) {
		printf("%016" PRIx64 " %-12s |", row_addr(a, row),
		       seg_names[row_seg(a, row) % NSEG]);
		for (t = 0; t < r->n; t++) {
			uint64_t v = m[(size_t)row * r->n + t];
			int s = !v ? 0 : per ? 1 + (int)((v * 4 - 1) / per) : 0;

			fputs(shade[s > 4 ? 4 : s], stdout);
		}
		puts("|");
	}
}

static void heat_json(const struct axis *a, const uint64_t *m, uint64_t per)
{
	const struct recording *r = a->r;
	struct json j;
	uint32_t row;
	size_t t;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "pid", r->pid);
	json_u64(&j, "interval_ms", r->interval_ms);
	json_u64(&j, "pages_per_row", per);
	json_open(&j, "rows", '[');
	for (row = 0; row < a->rows; row++) {
		json_open_flat(&j, NULL, '{');
		json_hex(&j, "addr", row_addr(a, row));
		json_str(&j, "segment", seg_names[row_seg(a, row) % NSEG]);
		json_open_flat(&j, "refs", '[');
		for (t = 0; t < r->n; t++)
			json_u64(&j, NULL, m[(size_t)row * r->n + t]);
		json_close(&j, ']');
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_close(&j, '}');
}

static int heatmap_run(int argc, char **argv)
{
	struct opts o = { .interval_ms = 100, .count = 40, .rows = 24 };
	struct recording r = { 0 };
	int i = parse_opts(argc, argv, &o, heatmap_help, "i:n:r:s:Jh");
	struct axis a = { .r = &r };
	uint64_t *m, per;
	size_t k;

	r.pid = parse_pid(argv[i]);
	r.interval_ms = o.interval_ms;
	record(&r, o.count, NULL);
	if (!r.nvma)
		errx(1, "process %u has no mappings to draw", r.pid);
	for (k = 0; k < r.nvma; k++)
		a.total += (r.vma[k].vma.end - r.vma[k].vma.start) / PAGE_SZ;
	a.rows = o.rows;
	per = (a.total + a.rows - 1) / a.rows;
	m = heat(&a);
	if (o.json)
		heat_json(&a, m, per);
	else
		heat_text(&a, m, per);
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
