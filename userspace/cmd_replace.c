// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope replace: the page-replacement algorithms of the textbooks over a
 * reference string (given, generated, or recorded from a live process),
 * with the frame table step by step, fault curves over a range of frame
 * counts, and Belady's anomaly pointed out where it happens.  Needs no
 * module: the algorithms are in replace.c.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cols.h"
#include "common.h"
#include "exp.h"
#include "json.h"
#include "replace.h"

#define MAX_SWEEP	4096
#define CHART_ROWS	16

struct rp_opts {
	const struct rp_algo *algo[32];
	unsigned int nalgo;
	uint32_t fmin, fmax;
	struct rp_params p;
	bool json, verbose;
	struct cols_opts co;		/* the runs table's options */
	const char *svg;
	int live;			/* VMSCOPE_FRAMES_*, or -1 */
	const char *log;		/* --log FILE */
};

enum {
	RC_ALGO, RC_FRAMES, RC_FAULTS, RC_HITS, RC_RATE, RC_EVICTIONS,
	RC_WRITEBACKS,
};

static const struct col_desc run_cols[] = {
	[RC_ALGO] = { "ALGO", "algo", COL_STR, 14, COL_DEFAULT,
		      "the algorithm" },
	[RC_FRAMES] = { "FRAMES", "frames", COL_U64, 6, COL_RIGHT,
			"frames it had" },
	[RC_FAULTS] = { "FAULTS", "faults", COL_U64, 10,
			COL_DEFAULT | COL_RIGHT,
			"page faults (references to a page not in a frame)" },
	[RC_HITS] = { "HITS", "hits", COL_U64, 10, COL_DEFAULT | COL_RIGHT,
		      "references to a page in a frame" },
	[RC_RATE] = { "RATE", "fault_percent", COL_F64, 7,
		      COL_DEFAULT | COL_RIGHT, "faults per 100 references" },
	[RC_EVICTIONS] = { "EVICTIONS", "evictions", COL_U64, 10,
			   COL_DEFAULT | COL_RIGHT, "pages put out of a frame" },
	[RC_WRITEBACKS] = { "WRITE-BACKS", "writebacks", COL_U64, 11,
			    COL_DEFAULT | COL_RIGHT,
			    "of those, written (M set)" },
};

/* -n, -r and -b are --length, --refs and --bits: long options only */
enum { OPT_NOHEADINGS = 0x1200, OPT_RAW };

static void replace_help(FILE *out)
{
	size_t i;

	fputs("Usage: vmscope replace [OPTIONS] --refs LIST | --trace FILE | --gen SPEC\n"
	      "\n"
	      "Run page-replacement algorithms over a reference string and count\n"
	      "their page faults.  Frames start empty; every first reference to a\n"
	      "page is a fault.  The conventions that change a count (when R is\n"
	      "set and cleared, where the clock hand starts, tie-breaks) are in\n"
	      "Documentation/replacement.md.\n"
	      "\n"
	      "Input (exactly one):\n"
	      "  -r, --refs LIST     page numbers, comma or blank separated; a 'w'\n"
	      "                      after one marks a write: 7,0,1,2w,0\n"
	      "  -t, --trace FILE    a 'vmscope-trace 1' file (vmscope trace;\n"
	      "                      Documentation/trace-format.md), '-' for stdin\n"
	      "  -g, --gen SPEC      a generated string: NAME[:KEY=VALUE,...] with\n"
	      "                      NAME loop, uniform, locality, zipf or scan and\n"
	      "                      keys pages (100), hot (10), phase (1000),\n"
	      "                      p (0.9: share of references to the hot set),\n"
	      "                      s (1.0: zipf exponent), writes (0: share)\n"
	      "  -n, --length N      references to generate (10000)\n"
	      "  -s, --seed N        seed of the generator and of 'random' (1)\n"
	      "\n"
	      "Algorithms and memory:\n"
	      "  -a, --algo LIST     comma-separated, or 'all' (default: opt,fifo,lru)\n"
	      "  -f, --frames N|A-B  frames (default 3); a range sweeps and draws\n"
	      "                      the fault curve\n"
	      "  -k, --tick K        references per clock tick, when R bits are\n"
	      "                      cleared (nru, nfu, aging, ws, wsclock; 4)\n"
	      "  -T, --tau T         working-set window in references (ws,\n"
	      "                      wsclock; default: the frame count)\n"
	      "  -b, --bits B        aging counter bits, 1-32 (8)\n"
	      "\n"
	      "On the module's frames (needs the module; one frame count):\n"
	      "  -L, --live POLICY   also follow the string on a mapping of\n"
	      "                      /dev/vmscope with that many frames and\n"
	      "                      POLICY fifo, clock, lru or random, and show\n"
	      "                      the module's counts beside the simulator's\n"
	      "  -l, --log FILE      with --live: write the module's fault log as\n"
	      "                      a trace file (one interval per fault), which\n"
	      "                      --trace reads back: the string of misses\n"
	      "\n"
	      "Output:\n"
	      "  -v, --verbose       the frame table after each reference\n"
	      "  -S, --svg FILE      with a range: the fault curves as SVG\n"
	      "  -o, --output LIST   the columns of the table of runs, by name or\n"
	      "                      JSON key (+LIST: the default ones and LIST)\n"
	      "      --output-all    every column\n"
	      "      --noheadings    no header line (-n is --length here)\n"
	      "      --raw           columns separated by one space (-r is\n"
	      "                      --refs here); with either, only the table\n"
	      "  -J, --json          JSON: exact integers\n"
	      "  -h, --help          this text\n"
	      "\n"
	      "With one frame count, a table of runs (one row per algorithm);\n"
	      "with a range, a table of faults per frame count and algorithm\n"
	      "and the curve.  -o chooses the columns of the former, and of the\n"
	      "JSON runs.\n"
	      "\n"
	      "Frame table columns: #, REF (w: a write), FAULT, EVICTED, then one\n"
	      "column per frame: the page, R and M bits (R set, M set, '.' clear)\n"
	      "where the algorithm has them, and its own state: opt the next use,\n"
	      "lru and ws the last use (t = reference number), nfu the count, aging\n"
	      "the counter bits, nru the class 2R+M, second-chance the queue\n"
	      "place; '>' marks the frame the hand (fifo, clock, wsclock) points at.\n"
	      "\n"
	      "JSON keys (one algorithm, one frame count): algo, frames, references,\n"
	      "pages, faults, hits, evictions, writebacks, params {tick, tau, bits,\n"
	      "seed}, with --verbose steps ({ref, write, hit, frames, evicted, r,\n"
	      "m}); otherwise references, pages, runs (one object per algorithm\n"
	      "and frame count: the columns below, and references, pages,\n"
	      "params) and belady ({algo, frames, faults, more_frames,\n"
	      "more_faults}); with --live also live ({policy, frames, faults,\n"
	      "evictions, writebacks}).\n"
	      "Exit status: 0 ok, 1 failure, 2 bad input.\n"
	      "\n"
	      "Algorithms:\n", out);
	for (i = 0; i < rp_nr_algos; i++)
		fprintf(out, "  %-14s %s\n", rp_algos[i]->name,
			rp_algos[i]->summary);
	cols_help_columns(out, "Columns of the table of runs (JSON: runs)",
			  run_cols, ARRAY_SIZE(run_cols));
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmscope replace: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; try 'vmscope replace --help'\n");
	exit(2);
}

static uint64_t parse_u64(const char *s, const char *what, uint64_t min,
			  uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *s == '+' || v < min ||
	    v > max) {
		fprintf(stderr, "vmscope replace: %s '%s' must be a number from %" PRIu64
			" to %" PRIu64 "\n", what, s, min, max);
		exit(2);
	}
	return v;
}

static double parse_share(const char *s, const char *what, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0 && v <= max)) {
		fprintf(stderr, "vmscope replace: %s '%s' must be a number from 0 to %g\n",
			what, s, max);
		exit(2);
	}
	return v;
}

static void parse_algos(const char *list, struct rp_opts *o)
{
	char *copy = strdup(list), *tok, *save = NULL;
	size_t i;

	if (!copy)
		err(1, "strdup");
	o->nalgo = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			for (i = 0; i < rp_nr_algos && o->nalgo < 32; i++)
				o->algo[o->nalgo++] = rp_algos[i];
			continue;
		}
		if (o->nalgo == 32)
			usage_err("too many algorithms in '%s'", list);
		o->algo[o->nalgo] = rp_algo_find(tok);
		if (!o->algo[o->nalgo++])
			usage_err("unknown algorithm '%s' (see the list in --help)",
				  tok);
	}
	if (!o->nalgo)
		usage_err("no algorithm in '%s'", list);
	free(copy);
}

static void parse_frames(const char *s, struct rp_opts *o)
{
	char a[32], *dash;

	if (strlen(s) >= sizeof(a))
		usage_err("--frames '%s': give N or A-B", s);
	strcpy(a, s);
	dash = strchr(a, '-');
	if (dash == a)
		usage_err("--frames '%s': frames must be at least 1", s);
	if (dash)
		*dash = '\0';
	o->fmin = parse_u64(a, "--frames", 1, RP_MAX_FRAMES);
	o->fmax = dash ? parse_u64(dash + 1, "--frames", 1, RP_MAX_FRAMES) :
			 o->fmin;
	if (o->fmax < o->fmin)
		usage_err("--frames '%s': the range goes backwards", s);
	if (o->fmax - o->fmin >= MAX_SWEEP)
		usage_err("--frames '%s': at most 4096 frame counts in a sweep",
			  s);
}

static void add_ref(struct rp_trace *t, uint64_t page, bool wr)
{
	int e = rp_trace_add(t, page, wr);

	if (e == -E2BIG)
		errx(2, "too many references (at most %u) or distinct pages",
		     RP_MAX_REFS);
	if (e)
		errx(1, "out of memory for the references");
}

static void parse_refs(const char *list, struct rp_trace *t)
{
	char *copy = strdup(list), *tok, *save = NULL, *end;
	unsigned long long v;
	bool wr;

	if (!copy)
		err(1, "strdup");
	for (tok = strtok_r(copy, ", \t\n", &save); tok;
	     tok = strtok_r(NULL, ", \t\n", &save)) {
		size_t len = strlen(tok);

		wr = len > 1 && tok[len - 1] == 'w';
		if (wr)
			tok[len - 1] = '\0';
		errno = 0;
		v = strtoull(tok, &end, 10);
		if (errno || end == tok || *end || *tok < '0' || *tok > '9' ||
		    v > INT64_MAX)
			usage_err("--refs: '%s' is not a page number (decimal, "
				  "with 'w' after it for a write)", tok);
		add_ref(t, v, wr);
	}
	free(copy);
	if (!t->n)
		usage_err("--refs '%s' holds no reference", list);
}

static void gen_key(struct rp_gen *g, const char *key, const char *val)
{
	if (!strcmp(key, "pages"))
		g->pages = parse_u64(val, "pages", 1, RP_MAX_PAGES);
	else if (!strcmp(key, "hot"))
		g->hot = parse_u64(val, "hot", 1, RP_MAX_PAGES);
	else if (!strcmp(key, "phase"))
		g->phase = parse_u64(val, "phase", 1, RP_MAX_REFS);
	else if (!strcmp(key, "p"))
		g->p_hot = parse_share(val, "p", 1);
	else if (!strcmp(key, "s"))
		g->s = parse_share(val, "s", 10);
	else if (!strcmp(key, "writes"))
		g->writes = parse_share(val, "writes", 1);
	else
		usage_err("--gen: unknown key '%s' (pages, hot, phase, p, s, writes)",
			  key);
}

static void parse_gen(const char *spec, struct rp_gen *g)
{
	char *copy = strdup(spec), *colon, *tok, *save = NULL, *eq;

	if (!copy)
		err(1, "strdup");
	colon = strchr(copy, ':');
	if (colon)
		*colon = '\0';
	g->name = strdup(copy);
	if (strcmp(copy, "loop") && strcmp(copy, "uniform") &&
	    strcmp(copy, "locality") && strcmp(copy, "zipf") &&
	    strcmp(copy, "scan"))
		usage_err("--gen: unknown generator '%s' (loop, uniform, "
			  "locality, zipf, scan)", copy);
	for (tok = colon ? strtok_r(colon + 1, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		eq = strchr(tok, '=');
		if (!eq)
			usage_err("--gen: '%s' is not KEY=VALUE", tok);
		*eq = '\0';
		gen_key(g, tok, eq + 1);
	}
	if ((!strcmp(g->name, "locality") || !strcmp(g->name, "scan")) &&
	    g->hot >= g->pages)
		usage_err("--gen %s: hot must be below pages", spec);
	free(copy);
}

static void read_trace(const char *path, struct rp_trace *t)
{
	const char *msg = "";
	uint64_t line;
	int e = rp_trace_read(path, t, &line, &msg);

	if (e == -EINVAL || e == -E2BIG) {
		fprintf(stderr, "vmscope replace: %s:%" PRIu64 ": %s\n", path,
			line, msg);
		exit(2);
	}
	if (e) {
		errno = -e;
		err(e == -ENOENT || e == -EACCES ? 2 : 1, "%s", path);
	}
	if (!t->n) {
		fprintf(stderr, "vmscope replace: %s: no page references in it\n",
			path);
		exit(2);
	}
}

/* ---- one run, with the frame table ---- */

static void page_str(const struct rp_trace *t, uint32_t id, char *buf,
		     size_t len)
{
	if (id == RP_NONE)
		snprintf(buf, len, "-");
	else if (t->hex)
		snprintf(buf, len, "%" PRIx64, t->page[id]);
	else
		snprintf(buf, len, "%" PRIu64, t->page[id]);
}

struct table_ctx {
	const struct rp_algo *a;
	struct json *j;
	int width;
};

static void frame_cell(const struct rp_sim *s, const struct rp_algo *a,
		       uint32_t f, char *buf, size_t len)
{
	char page[24], own[40] = "";
	bool hand = (a->flags & RP_HAS_HAND) && f == s->hand && s->used == s->k;

	page_str(s->t, s->frame_page[f], page, sizeof(page));
	if (s->frame_page[f] == RP_NONE) {
		snprintf(buf, len, " -");
		return;
	}
	if (a->show)
		a->show(s, f, own, sizeof(own));
	snprintf(buf, len, "%s%s%s%s%s%s", hand ? ">" : " ", page,
		 (a->flags & RP_SHOWS_RM) ? " " : "",
		 (a->flags & RP_SHOWS_RM) ? (s->r[f] ? "R" : ".") : "",
		 (a->flags & RP_SHOWS_RM) ? (s->m[f] ? "M" : ".") : "",
		 own[0] ? " " : "");
	strncat(buf, own, len - strlen(buf) - 1);
}

static void table_step(const struct rp_sim *s, const struct rp_step *st,
		       void *arg)
{
	struct table_ctx *c = arg;
	char ref[32], ev[24], cell[80];
	uint32_t f;

	page_str(s->t, st->ref, ref, sizeof(ref));
	page_str(s->t, st->evicted, ev, sizeof(ev));
	if (c->j) {
		json_open_flat(c->j, NULL, '{');
		json_u64(c->j, "ref", s->t->page[st->ref]);
		json_bool(c->j, "write", st->write);
		json_bool(c->j, "hit", st->hit);
		json_open(c->j, "frames", '[');
		for (f = 0; f < s->k; f++) {
			if (s->frame_page[f] == RP_NONE)
				json_null(c->j, NULL);
			else
				json_u64(c->j, NULL, s->t->page[s->frame_page[f]]);
		}
		json_close(c->j, ']');
		if (st->evicted == RP_NONE)
			json_null(c->j, "evicted");
		else
			json_u64(c->j, "evicted", s->t->page[st->evicted]);
		json_open(c->j, "r", '[');
		for (f = 0; f < s->k; f++)
			json_u64(c->j, NULL, s->r[f]);
		json_close(c->j, ']');
		json_open(c->j, "m", '[');
		for (f = 0; f < s->k; f++)
			json_u64(c->j, NULL, s->m[f]);
		json_close(c->j, ']');
		json_close(c->j, '}');
		return;
	}
	if (st->write)
		strcat(ref, "w");
	printf("%6" PRIu64 " %8s %5s %8s ", st->i + 1, ref,
	       st->hit ? "" : "F", ev);
	for (f = 0; f < s->k; f++) {
		frame_cell(s, c->a, f, cell, sizeof(cell));
		printf(" %-*s", c->width, cell);
	}
	printf("\n");
}

static int cell_width(const struct rp_algo *a, const struct rp_params *p,
		      const struct rp_trace *t)
{
	int w = 0, n;
	uint32_t i;
	char buf[24];

	for (i = 0; i < t->npages; i++) {
		page_str(t, i, buf, sizeof(buf));
		n = strlen(buf);
		w = n > w ? n : w;
	}
	w += 1;				/* the hand */
	if (a->flags & RP_SHOWS_RM)
		w += 3;
	if (a->show)
		w += (a->flags & RP_USES_BITS) ? 1 + (p->bits ? p->bits : 8) : 9;
	return w;
}

static void params_json(struct json *j, const struct rp_algo *a,
			const struct rp_params *p)
{
	json_open_flat(j, "params", '{');
	if (a->flags & RP_USES_TICK)
		json_u64(j, "tick", p->tick ? p->tick : RP_DEFAULT_TICK);
	if (a->flags & RP_USES_TAU)
		json_u64(j, "tau", p->tau ? p->tau : p->frames);
	if (a->flags & RP_USES_BITS)
		json_u64(j, "bits", p->bits ? p->bits : RP_DEFAULT_BITS);
	if (a->flags & RP_USES_SEED)
		json_u64(j, "seed", p->seed);
	json_close(j, '}');
}

static void run_json_fields(struct json *j, const struct rp_algo *a,
			    const struct rp_params *p,
			    const struct rp_trace *t,
			    const struct rp_result *r)
{
	json_str(j, "algo", a->name);
	json_u64(j, "frames", p->frames);
	json_u64(j, "references", t->n);
	json_u64(j, "pages", t->npages);
	json_u64(j, "faults", r->faults);
	json_u64(j, "hits", r->hits);
	json_u64(j, "evictions", r->evictions);
	json_u64(j, "writebacks", r->writebacks);
	params_json(j, a, p);
}

static void run_or_die(const struct rp_algo *a, const struct rp_trace *t,
		       const struct rp_params *p, struct rp_result *r,
		       rp_step_fn fn, void *arg)
{
	int e = rp_run(a, t, p, r, fn, arg);

	if (e == -EINVAL)
		errx(2, "%s: bad parameters", a->name);
	if (e)
		errx(1, "%s with %u frames: out of memory", a->name, p->frames);
}

static void verbose_run(const struct rp_algo *a, const struct rp_params *p,
			const struct rp_trace *t, struct json *j)
{
	struct table_ctx c = { .a = a, .j = j, .width = cell_width(a, p, t) };
	struct rp_result r;
	uint32_t f;

	if (j) {
		json_open(j, NULL, '{');
		json_open(j, "steps", '[');
		run_or_die(a, t, p, &r, table_step, &c);
		json_close(j, ']');
		run_json_fields(j, a, p, t, &r);
		json_close(j, '}');
		return;
	}
	printf("%s, %u frame%s:\n\n%6s %8s %5s %8s ", a->name, p->frames,
	       p->frames == 1 ? "" : "s", "#", "REF", "FAULT", "EVICTED");
	for (f = 0; f < p->frames; f++) {
		char h[16];

		snprintf(h, sizeof(h), " F%u", f);
		printf(" %-*s", c.width, h);
	}
	printf("\n");
	run_or_die(a, t, p, &r, table_step, &c);
	printf("\n%s: %" PRIu64 " faults, %" PRIu64 " hits, %" PRIu64
	       " write-backs\n\n", a->name, r.faults, r.hits, r.writebacks);
}

/* ---- --live: the module's frames ---- */

static const char *const live_names[VMSCOPE_FRAMES_NR_POLICIES] = {
	"fifo", "clock", "lru", "random",
};

static int parse_live(const char *s)
{
	int i;

	for (i = 0; i < VMSCOPE_FRAMES_NR_POLICIES; i++)
		if (!strcmp(s, live_names[i]))
			return i;
	usage_err("--live '%s': the module's policies are fifo, clock, lru, random",
		  s);
}

/* The fault log as a "vmscope-trace 1" file: each fault an interval. */
static void write_log(const char *path, const struct rp_trace *t,
		      const struct exp_frames *l, const struct rp_opts *o)
{
	uint32_t i, n = l->fl.nr_records < VMSCOPE_FAULTLOG_MAX ?
			l->fl.nr_records : VMSCOPE_FAULTLOG_MAX;
	FILE *f = fopen(path, "we");

	if (!f)
		err(1, "%s", path);
	fprintf(f, "vmscope-trace 1\n# the fault log of vmscope replace --live %s,"
		" %u frames: one interval per fault (t: its number)\n"
		"page_size %ld\n", live_names[o->live], o->fmin,
		(long)sysconf(_SC_PAGESIZE));
	if (l->fl.dropped)
		fprintf(f, "# %llu faults not recorded: the log was full\n",
			(unsigned long long)l->fl.dropped);
	for (i = 0; i < n; i++) {
		if (l->rec[i].flags & VMSCOPE_FREC_EVICTION)
			continue;
		fprintf(f, "t %llu\n%llx%s\n",
			(unsigned long long)l->rec[i].seq,
			(unsigned long long)t->page[l->rec[i].pgoff],
			(l->rec[i].flags & VMSCOPE_FREC_WRITE) ? "w" : "");
	}
	if (fclose(f))
		err(1, "%s", path);
}

static void live_run(const struct rp_opts *o, const struct rp_trace *t,
		     struct exp_frames *l)
{
	int e;

	if (t->npages > VMSCOPE_MMAP_MAX_PAGES)
		errx(2, "--live: the string has %u pages; the module's mapping holds %d",
		     t->npages, VMSCOPE_MMAP_MAX_PAGES);
	if (o->fmin > VMSCOPE_FRAMES_MAX)
		errx(2, "--live: at most %d frames", VMSCOPE_FRAMES_MAX);
	l->rec = o->log ? calloc(VMSCOPE_FAULTLOG_MAX, sizeof(*l->rec)) : NULL;
	if (o->log && !l->rec)
		err(1, "calloc");
	e = exp_frames_run(t, o->live, o->fmin, l);
	if (e == -ENOENT || e == -ENXIO || e == -ENODEV || e == -EACCES ||
	    e == -EPERM)
		close(vmscope_open());	/* exits with advice */
	if (e)
		errx(1, "--live: %s", exp_frames_error(e));
	if (o->log)
		write_log(o->log, t, l, o);
	free(l->rec);
}

static void live_json(struct json *j, const struct rp_opts *o,
		      const struct exp_frames *l)
{
	json_open_flat(j, "live", '{');
	json_str(j, "policy", live_names[o->live]);
	json_u64(j, "frames", l->st.frames);
	json_u64(j, "faults", l->st.faults);
	json_u64(j, "evictions", l->st.evictions);
	json_u64(j, "writebacks", l->st.writebacks);
	json_close(j, '}');
}

/* ---- several runs: table, curve, Belady ---- */

struct sweep {
	uint32_t nf;			/* frame counts */
	struct rp_result *res;		/* [algo][frame count] */
};

static struct rp_result *at(struct sweep *w, unsigned int a, uint32_t i)
{
	return &w->res[(size_t)a * w->nf + i];
}

static const char algo_mark[] = "ofsclnuawkr";

static char mark(const struct rp_algo *a)
{
	size_t i;

	for (i = 0; i < rp_nr_algos; i++)
		if (rp_algos[i] == a)
			return i < sizeof(algo_mark) - 1 ? algo_mark[i] : '?';
	return '?';
}

static void chart(const struct rp_opts *o, struct sweep *w)
{
	uint64_t top = 1, lo = UINT64_MAX;
	uint32_t i, cols = w->nf > 64 ? 64 : w->nf, c;
	unsigned int a, row;
	char line[CHART_ROWS][72];

	for (a = 0; a < o->nalgo; a++)
		for (i = 0; i < w->nf; i++) {
			top = at(w, a, i)->faults > top ? at(w, a, i)->faults : top;
			lo = at(w, a, i)->faults < lo ? at(w, a, i)->faults : lo;
		}
	memset(line, ' ', sizeof(line));
	for (a = 0; a < o->nalgo; a++)
		for (c = 0; c < cols; c++) {
			i = (uint32_t)((uint64_t)c * (w->nf - 1) / (cols > 1 ? cols - 1 : 1));
			row = (unsigned int)((at(w, a, i)->faults * (CHART_ROWS - 1) + top / 2) / top);
			char *p = &line[CHART_ROWS - 1 - row][c];

			*p = *p == ' ' || *p == mark(o->algo[a]) ? mark(o->algo[a]) : '*';
		}
	printf("\nFaults against frames (%u to %u):\n", o->fmin, o->fmax);
	for (row = 0; row < CHART_ROWS; row++) {
		if (row == 0)
			printf("%10" PRIu64 " |", top);
		else if (row == CHART_ROWS - 1)
			printf("%10d |", 0);
		else
			printf("%10s |", "");
		printf("%.*s\n", (int)cols, line[row]);
	}
	printf("%10s +", "");
	for (c = 0; c < cols; c++)
		putchar('-');
	printf("\n%12u%*u frames\n  ", o->fmin, (int)cols - 1, o->fmax);
	for (a = 0; a < o->nalgo; a++)
		printf("%c %s  ", mark(o->algo[a]), o->algo[a]->name);
	printf("(* where curves meet)\n");
	(void)lo;
}

static void svg(const struct rp_opts *o, struct sweep *w)
{
	static const char *const colour[] = { "#000", "#d62728", "#1f77b4",
		"#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
		"#7f7f7f", "#bcbd22", "#17becf" };
	FILE *f = fopen(o->svg, "we");
	uint64_t top = 1;
	unsigned int a;
	uint32_t i;
	double x, y;

	if (!f)
		err(1, "%s", o->svg);
	for (a = 0; a < o->nalgo; a++)
		for (i = 0; i < w->nf; i++)
			top = at(w, a, i)->faults > top ? at(w, a, i)->faults : top;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" "
		"height=\"420\" font-family=\"sans-serif\" font-size=\"12\">\n"
		"<rect width=\"720\" height=\"420\" fill=\"white\"/>\n"
		"<line x1=\"60\" y1=\"360\" x2=\"680\" y2=\"360\" stroke=\"black\"/>\n"
		"<line x1=\"60\" y1=\"40\" x2=\"60\" y2=\"360\" stroke=\"black\"/>\n"
		"<text x=\"370\" y=\"395\" text-anchor=\"middle\">frames (%u to %u)</text>\n"
		"<text x=\"55\" y=\"44\" text-anchor=\"end\">%" PRIu64 "</text>\n"
		"<text x=\"55\" y=\"364\" text-anchor=\"end\">0</text>\n"
		"<text x=\"20\" y=\"200\" transform=\"rotate(-90 20 200)\" "
		"text-anchor=\"middle\">page faults</text>\n",
		o->fmin, o->fmax, top);
	for (a = 0; a < o->nalgo; a++) {
		fprintf(f, "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"%s\" points=\"",
			colour[a % 11]);
		for (i = 0; i < w->nf; i++) {
			x = 60 + 620.0 * i / (w->nf > 1 ? w->nf - 1 : 1);
			y = 360 - 320.0 * at(w, a, i)->faults / top;
			fprintf(f, "%.1f,%.1f ", x, y);
		}
		fprintf(f, "\"/>\n<text x=\"600\" y=\"%u\" fill=\"%s\">%s</text>\n",
			60 + 16 * a, colour[a % 11], o->algo[a]->name);
	}
	fprintf(f, "</svg>\n");
	if (fclose(f))
		err(1, "%s", o->svg);
}

static unsigned int belady_each(const struct rp_opts *o, struct sweep *w,
				struct json *j)
{
	unsigned int a, n = 0;
	uint32_t i;

	for (a = 0; a < o->nalgo; a++)
		for (i = 0; i + 1 < w->nf; i++) {
			uint64_t f0 = at(w, a, i)->faults, f1 = at(w, a, i + 1)->faults;

			if (f1 <= f0)
				continue;
			n++;
			if (j) {
				json_open_flat(j, NULL, '{');
				json_str(j, "algo", o->algo[a]->name);
				json_u64(j, "frames", o->fmin + i);
				json_u64(j, "faults", f0);
				json_u64(j, "more_frames", o->fmin + i + 1);
				json_u64(j, "more_faults", f1);
				json_close(j, '}');
			} else {
				printf("Belady's anomaly: %s takes %" PRIu64
				       " faults with %u frames but %" PRIu64
				       " with %u\n", o->algo[a]->name, f1,
				       o->fmin + i + 1, f0, o->fmin + i);
			}
		}
	return n;
}

static void sweep_table(const struct rp_opts *o, struct sweep *w,
			const struct rp_trace *t)
{
	unsigned int a;
	uint32_t i;

	printf("%" PRIu64 " references to %u pages\n\n%-8s", (uint64_t)t->n,
	       t->npages, "FRAMES");
	for (a = 0; a < o->nalgo; a++)
		printf(" %13s", o->algo[a]->name);
	printf("\n");
	for (i = 0; i < w->nf; i++) {
		printf("%-8u", o->fmin + i);
		for (a = 0; a < o->nalgo; a++)
			printf(" %13" PRIu64, at(w, a, i)->faults);
		printf("\n");
	}
}

/* What a run's JSON object has besides its columns. */
struct run_ctx {
	const struct rp_algo *a;
	const struct rp_params *p;
	const struct rp_trace *t;
};

static void json_run_extra(struct json *j, const void *ctx)
{
	const struct run_ctx *x = ctx;

	json_u64(j, "references", x->t->n);
	json_u64(j, "pages", x->t->npages);
	params_json(j, x->a, x->p);
}

/* Every algorithm at every frame count: a table, or the JSON list runs */
static void runs_table(const struct rp_opts *o, struct sweep *w,
		       const struct rp_trace *t, struct json *j)
{
	struct col_val cv[ARRAY_SIZE(run_cols)];
	struct rp_params p = o->p;
	struct run_ctx x = { .p = &p, .t = t };
	struct cols c;
	unsigned int a;
	uint32_t i;

	cols_init(&c, run_cols, ARRAY_SIZE(run_cols), &o->co);
	cols_begin(&c, j, "runs");
	for (a = 0; a < o->nalgo; a++)
		for (i = 0; i < w->nf; i++) {
			struct rp_result *r = at(w, a, i);

			p.frames = o->fmin + i;
			x.a = o->algo[a];
			cv[RC_ALGO] = CV_S(o->algo[a]->name);
			cv[RC_FRAMES] = CV_U(p.frames);
			cv[RC_FAULTS] = CV_U(r->faults);
			cv[RC_HITS] = CV_U(r->hits);
			cv[RC_RATE] = CV_F(t->n ? 100.0 * r->faults / t->n : 0);
			cv[RC_EVICTIONS] = CV_U(r->evictions);
			cv[RC_WRITEBACKS] = CV_U(r->writebacks);
			cols_row_extra(&c, cv, json_run_extra, &x);
		}
	cols_end(&c);
}

static void one_table(const struct rp_opts *o, struct sweep *w,
		      const struct rp_trace *t)
{
	if (!o->co.noheadings && !o->co.raw)
		printf("%" PRIu64 " references to %u pages, %u frame%s\n\n",
		       (uint64_t)t->n, t->npages, o->fmin,
		       o->fmin == 1 ? "" : "s");
	runs_table(o, w, t, NULL);
}

static void runs_json(const struct rp_opts *o, struct sweep *w,
		      const struct rp_trace *t, const struct exp_frames *l)
{
	struct rp_params p = o->p;
	struct json j;

	json_init(&j, stdout);
	if (o->nalgo == 1 && w->nf == 1) {
		p.frames = o->fmin;
		json_open(&j, NULL, '{');
		run_json_fields(&j, o->algo[0], &p, t, at(w, 0, 0));
		if (l)
			live_json(&j, o, l);
		json_close(&j, '}');
		return;
	}
	json_open(&j, NULL, '{');
	json_u64(&j, "references", t->n);
	json_u64(&j, "pages", t->npages);
	runs_table(o, w, t, &j);
	json_open(&j, "belady", '[');
	belady_each(o, w, &j);
	json_close(&j, ']');
	if (l)
		live_json(&j, o, l);
	json_close(&j, '}');
}

static void runs(const struct rp_opts *o, const struct rp_trace *t,
		 const struct exp_frames *l)
{
	struct sweep w = { .nf = o->fmax - o->fmin + 1 };
	struct rp_params p = o->p;
	unsigned int a;
	uint32_t i;

	w.res = calloc((size_t)o->nalgo * w.nf, sizeof(*w.res));
	if (!w.res)
		err(1, "calloc");
	for (a = 0; a < o->nalgo; a++)
		for (i = 0; i < w.nf; i++) {
			p.frames = o->fmin + i;
			run_or_die(o->algo[a], t, &p, at(&w, a, i), NULL, NULL);
		}
	if (o->svg)
		svg(o, &w);
	if (o->json) {
		runs_json(o, &w, t, l);
	} else if (w.nf == 1) {
		one_table(o, &w, t);
		if (l && !o->co.noheadings && !o->co.raw)
			printf("\nOn the module's frames (/dev/vmscope, policy %s):"
			       " %llu faults, %llu evictions, %llu write-backs\n",
			       live_names[o->live],
			       (unsigned long long)l->st.faults,
			       (unsigned long long)l->st.evictions,
			       (unsigned long long)l->st.writebacks);
	} else {
		sweep_table(o, &w, t);
		chart(o, &w);
		printf("\n");
		if (!belady_each(o, &w, NULL))
			printf("No Belady anomaly: no algorithm took more faults with more frames.\n");
	}
	free(w.res);
}

static void verbose_runs(const struct rp_opts *o, const struct rp_trace *t)
{
	struct rp_params p = o->p;
	struct json j;
	unsigned int a;

	p.frames = o->fmin;
	if (o->json) {
		json_init(&j, stdout);
		if (o->nalgo > 1)
			json_open(&j, NULL, '[');
		for (a = 0; a < o->nalgo; a++)
			verbose_run(o->algo[a], &p, t, &j);
		if (o->nalgo > 1)
			json_close(&j, ']');
		return;
	}
	printf("%" PRIu64 " references to %u pages (F: a page fault)\n\n",
	       (uint64_t)t->n, t->npages);
	for (a = 0; a < o->nalgo; a++)
		verbose_run(o->algo[a], &p, t, NULL);
}

static const struct option replace_opts[] = {
	{ "refs", required_argument, NULL, 'r' },
	{ "trace", required_argument, NULL, 't' },
	{ "gen", required_argument, NULL, 'g' },
	{ "length", required_argument, NULL, 'n' },
	{ "seed", required_argument, NULL, 's' },
	{ "algo", required_argument, NULL, 'a' },
	{ "frames", required_argument, NULL, 'f' },
	{ "tick", required_argument, NULL, 'k' },
	{ "tau", required_argument, NULL, 'T' },
	{ "bits", required_argument, NULL, 'b' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "svg", required_argument, NULL, 'S' },
	{ "live", required_argument, NULL, 'L' },
	{ "log", required_argument, NULL, 'l' },
	{ "json", no_argument, NULL, 'J' },
	{ "output", required_argument, NULL, 'o' },
	{ "output-all", no_argument, NULL, COLS_OPT_OUTPUT_ALL },
	{ "noheadings", no_argument, NULL, OPT_NOHEADINGS },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "help", no_argument, NULL, 'h' },
	{ }
};

struct rp_input {
	const char *refs, *trace, *gen;
	uint64_t length;
	int given;
};

static void parse_opts(int argc, char **argv, struct rp_opts *o,
		       struct rp_input *in)
{
	int c;

	while ((c = getopt_long(argc, argv, "r:t:g:n:s:a:f:k:T:b:vS:L:l:Jo:h",
				replace_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
		case COLS_OPT_OUTPUT_ALL:
			cols_getopt(&o->co, c, optarg);
			break;
		case OPT_NOHEADINGS: o->co.noheadings = true; break;
		case OPT_RAW: o->co.raw = true; break;
		case 'r': in->refs = optarg; in->given++; break;
		case 't': in->trace = optarg; in->given++; break;
		case 'g': in->gen = optarg; in->given++; break;
		case 'n':
			in->length = parse_u64(optarg, "--length", 1, RP_MAX_REFS);
			break;
		case 's':
			o->p.seed = parse_u64(optarg, "--seed", 0, UINT64_MAX);
			break;
		case 'a': parse_algos(optarg, o); break;
		case 'f': parse_frames(optarg, o); break;
		case 'k':
			o->p.tick = parse_u64(optarg, "--tick", 1, UINT32_MAX);
			break;
		case 'T':
			o->p.tau = parse_u64(optarg, "--tau", 1, UINT64_MAX / 2);
			break;
		case 'b':
			o->p.bits = parse_u64(optarg, "--bits", 1, 32);
			break;
		case 'v': o->verbose = true; break;
		case 'S': o->svg = optarg; break;
		case 'L': o->live = parse_live(optarg); break;
		case 'l': o->log = optarg; break;
		case 'J': o->json = o->co.json = true; break;
		case 'h':
			replace_help(stdout);
			exit(0);
		default:
			errx(2, "try 'vmscope replace --help'");
		}
	}
	if (optind < argc)
		usage_err("unexpected argument '%s'", argv[optind]);
	if (in->given != 1)
		errx(2, "give one input: --refs LIST, --trace FILE or --gen SPEC; "
		     "try 'vmscope replace --help'");
	if (o->verbose && o->fmin != o->fmax)
		errx(2, "--verbose shows one frame count: give --frames N");
	if (o->svg && o->verbose)
		errx(2, "--svg draws a sweep, not --verbose");
	if (o->live >= 0 && (o->fmin != o->fmax || o->verbose))
		errx(2, "--live runs one frame count: give --frames N, without --verbose");
	if (o->log && o->live < 0)
		errx(2, "--log writes the fault log of --live: give --live POLICY");
	if ((o->co.list || o->co.all || o->co.noheadings || o->co.raw) &&
	    (o->verbose || o->fmin != o->fmax) && !o->json)
		errx(2, "-o, --output-all, --noheadings and --raw are for the "
		     "table of runs: give one --frames N, without --verbose");
}

static int replace_main(int argc, char **argv)
{
	struct rp_opts o = { .fmin = 3, .fmax = 3, .p.seed = 1, .live = -1,
			     .co.cmd = "replace" };
	struct rp_input in = { .length = 10000 };
	struct exp_frames live = { 0 };
	struct rp_trace t = { 0 };
	struct rp_gen g = { .length = 10000, .pages = 100, .hot = 10,
			    .phase = 1000, .p_hot = 0.9, .s = 1.0 };

	parse_algos("opt,fifo,lru", &o);
	parse_opts(argc, argv, &o, &in);
	{	/* an unknown column is a usage error before any work */
		struct cols c;

		cols_init(&c, run_cols, ARRAY_SIZE(run_cols), &o.co);
	}
	if (in.refs) {
		parse_refs(in.refs, &t);
	} else if (in.trace) {
		read_trace(in.trace, &t);
	} else {
		parse_gen(in.gen, &g);
		g.length = in.length;
		g.seed = o.p.seed;
		if (rp_generate(&g, &t))
			errx(1, "out of memory generating %" PRIu64 " references",
			     g.length);
	}
	if (o.live >= 0)
		live_run(&o, &t, &live);
	if (o.verbose)
		verbose_runs(&o, &t);
	else
		runs(&o, &t, o.live >= 0 ? &live : NULL);
	rp_trace_free(&t);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_replace = {
	.name = "replace",
	.summary = "page-replacement algorithms over a reference string",
	.run = replace_main,
	.help = replace_help,
};
