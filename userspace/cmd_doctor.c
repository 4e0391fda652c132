// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope doctor: sample the system for a while and say what is wrong with
 * its memory, with the evidence for each finding and where to look next.
 */
#include <err.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cols.h"
#include "common.h"
#include "doctor.h"
#include "json.h"
#include "triage.h"

enum {
	DC_SEVERITY, DC_KIND, DC_PIDS, DC_SUMMARY, DC_NEXT, DC_SEGMENT,
	DC_RATE,
};

static const struct col_desc doctor_cols[] = {
	[DC_SEVERITY] = { "SEVERITY", "severity", COL_STR, 8, COL_DEFAULT,
			  "critical, warning or info" },
	[DC_KIND] = { "KIND", "kind", COL_STR, 14, COL_DEFAULT,
		      "leak, swap, thrashing, direct-reclaim, oom-risk, ..." },
	[DC_PIDS] = { "PIDS", "pids", COL_U64S, 0.1, COL_DEFAULT | COL_TRUNC,
		      "the processes concerned" },
	[DC_SUMMARY] = { "SUMMARY", "summary", COL_STR, 0.5,
			 COL_DEFAULT | COL_WRAP, "the finding in one sentence" },
	[DC_NEXT] = { "NEXT", "next", COL_STR, 0.3, COL_WRAP,
		      "the vmscope command to look further" },
	[DC_SEGMENT] = { "SEGMENT", "segment", COL_STR, 5, 0,
			 "leak: what grew, brk or mmap (else null)" },
	[DC_RATE] = { "RATE", "rate_bytes_per_s", COL_F64, 10, COL_RIGHT,
		      "leak: how fast, bytes/s (else null)" },
};

static void doctor_help(FILE *out)
{
	fputs("Usage: vmscope doctor [--duration SECONDS] [--json]\n"
	      "\n"
	      "Sample the system and every process for SECONDS (default 10,\n"
	      "twice a second) and report findings, most severe first.  Each\n"
	      "has a kind, a severity (critical, warning, info), the processes\n"
	      "and memory cgroups concerned, the evidence (each measured value,\n"
	      "and the threshold it crossed) and the vmscope command to look\n"
	      "further.  A quiet system has no findings, and doctor says so.\n"
	      "\n"
	      "Kinds and their thresholds:\n"
	      "  leak            a process's anonymous memory (RSS + swap)\n"
	      "                  grows by >= 1 MiB and >= 32 KiB/s, in at\n"
	      "                  least half of the intervals and falls in at\n"
	      "                  most a quarter; the heap (brk) or anonymous\n"
	      "                  mappings (mmap) named\n"
	      "  swap            >= 256 pages swapped out in the window (or\n"
	      "                  swap used grown by as much, beyond the swap\n"
	      "                  slot caches), or swap >= 25% used: who\n"
	      "                  holds it, swappiness,\n"
	      "                  memory cgroups whose swap grew or at\n"
	      "                  memory.max or swap.max, free memory against\n"
	      "                  the high watermarks per NUMA node\n"
	      "  thrashing       refaults >= 50/s, major faults >= 50/s and PSI\n"
	      "                  memory full >= 5% of the window, together\n"
	      "  direct-reclaim  any allocation stall (allocstall_*); PSI some,\n"
	      "                  the faulting processes, the stalled cgroups\n"
	      "  oom-risk        Committed_AS >= 90% of CommitLimit under\n"
	      "                  strict overcommit (vm.overcommit_memory 2),\n"
	      "                  MemAvailable < 5% of MemTotal, or a memory\n"
	      "                  cgroup at >= 90% of memory.max without its\n"
	      "                  file LRU pages, or OOM at its own limit; the\n"
	      "                  OOM killer's choice (in or below it) named\n"
	      "  fragmentation   a zone with >= 32 MiB and 1/8 of its pages free\n"
	      "                  but no free block of order 9 (2 MiB); failed\n"
	      "                  compactions (one finding for the system)\n"
	      "  cache-pressure  file refaults >= 50 pages/s and the file LRU\n"
	      "                  turning over in under 300 s\n"
	      "\n"
	      "Options:\n", out);
	cols_help_options(out);
	fputs("  -d, --duration SECONDS  0.5 to 3600 (default 10)\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "The findings are a table; below it the evidence of each.  With\n"
	      "-n or -r only the table is printed.\n"
	      "JSON: {duration_s, findings: [one object per finding, keys below,\n"
	      "and cgroups [paths], evidence [{name, value, op, threshold,\n"
	      "unit}] (op and threshold null for facts)]}.  Deprecated, for one\n"
	      "release: rate_bps (= rate_bytes_per_s) in leak findings.\n"
	      "\n"
	      "Exit status: 0 whether or not there are findings; 1 failure (no\n"
	      "module, not root, standard output not writable); 2 usage error.\n",
	      out);
	cols_help_columns(out, NULL, doctor_cols, ARRAY_SIZE(doctor_cols));
}

static void print_value(double v, const char *unit)
{
	char h[16];

	if (!strcmp(unit, "bytes") && v >= 0)
		printf("%s", size_to_human((uint64_t)v, h, sizeof(h)));
	else if (!strcmp(unit, "bytes/s") && v >= 0)
		printf("%s/s", size_to_human((uint64_t)v, h, sizeof(h)));
	else if (v == floor(v))
		printf("%.0f%s%s", v, *unit ? " " : "", unit);
	else
		printf("%.2f%s%s", v, *unit ? " " : "", unit);
}

/* Each finding's cgroups and evidence, below the table. */
static void print_evidence(const struct doc_finding *f)
{
	char esc[4 * sizeof(f->cgroups[0]) + 1];
	int k;

	/* the summary may hold a comm, a process's own choice of bytes */
	printf("\n[%s] %s: %s\n", doc_severity_name(f->severity), f->kind,
	       text_escape(f->summary, esc, sizeof(esc), false));
	for (k = 0; k < f->nr_cgroups; k++)
		printf("  cgroup: %s\n",
		       text_escape(f->cgroups[k], esc, sizeof(esc), false));
	for (k = 0; k < f->nr_ev; k++) {
		const struct doc_evidence *e = &f->ev[k];

		printf("  %-22s ", e->name);
		print_value(e->value, e->unit);
		if (!isnan(e->threshold)) {
			printf("  (threshold %s ", e->op);
			print_value(e->threshold, e->unit);
			printf(")");
		}
		printf("\n");
	}
	/* it may name a cgroup, whose name its owner chose */
	printf("  next: %s\n", text_escape(f->next, esc, sizeof(esc), false));
}

static void json_value(struct json *j, const char *key, double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		json_key_i64(j, key, (int64_t)v);
	else
		json_f64(j, key, v);
}

/* What no column holds: cgroups, evidence, the old rate_bps */
static void json_finding(struct json *j, const void *ctx)
{
	const struct doc_finding *f = ctx;
	int k;

	json_open_flat(j, "cgroups", '[');
	for (k = 0; k < f->nr_cgroups; k++)
		json_str(j, NULL, f->cgroups[k]);
	json_close(j, ']');
	json_open(j, "evidence", '[');
	for (k = 0; k < f->nr_ev; k++) {
		const struct doc_evidence *e = &f->ev[k];

		json_open_flat(j, NULL, '{');
		json_str(j, "name", e->name);
		json_value(j, "value", e->value);
		if (isnan(e->threshold)) {
			json_null(j, "op");
			json_null(j, "threshold");
		} else {
			json_str(j, "op", e->op);
			json_value(j, "threshold", e->threshold);
		}
		json_str(j, "unit", e->unit);
		json_close(j, '}');
	}
	json_close(j, ']');
	if (!strcmp(f->kind, "leak"))
		json_f64(j, "rate_bps", f->rate);
}

static void findings_table(const struct doc_result *r, struct cols *c,
			   struct json *j)
{
	struct col_val cv[ARRAY_SIZE(doctor_cols)];
	unsigned long long pids[DOC_MAX_PIDS];
	bool leak;
	int i, k;

	cols_begin(c, j, "findings");
	for (i = 0; i < r->nr; i++) {
		const struct doc_finding *f = &r->f[i];

		leak = !strcmp(f->kind, "leak");
		for (k = 0; k < f->nr_pids; k++)
			pids[k] = f->pids[k];
		cv[DC_SEVERITY] = CV_S(doc_severity_name(f->severity));
		cv[DC_KIND] = CV_S(f->kind);
		cv[DC_PIDS] = CV_US(pids, f->nr_pids);
		cv[DC_SUMMARY] = CV_S(f->summary);
		cv[DC_NEXT] = CV_S(f->next);
		cv[DC_SEGMENT] = leak ? CV_S(f->segment) : CV_NULL;
		cv[DC_RATE] = leak ? CV_F(f->rate) : CV_NULL;
		cols_row_extra(c, cv, json_finding, f);
	}
	cols_end(c);
}

static void doctor_print(const struct doc_result *r, struct cols *c)
{
	int i;

	if (c->o->noheadings || c->o->raw) {
		findings_table(r, c, NULL);
		return;
	}
	if (!r->nr) {
		printf("vmscope doctor: %.1f s sampled: no findings; memory "
		       "looks healthy.\n", r->duration_s);
		return;
	}
	printf("vmscope doctor: %.1f s sampled: %d finding%s, most severe "
	       "first\n\n", r->duration_s, r->nr, r->nr == 1 ? "" : "s");
	findings_table(r, c, NULL);
	for (i = 0; i < r->nr; i++)
		print_evidence(&r->f[i]);
}

static void doctor_json(const struct doc_result *r, struct cols *c)
{
	static struct json j;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_f64(&j, "duration_s", r->duration_s);
	findings_table(r, c, &j);
	json_close(&j, '}');
}

static int doctor_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		COLS_LONGOPTS,
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct cols_opts co = { .cmd = "doctor" };
	static struct doc_result r;
	double secs = 10;
	struct cols cl;
	int c, fd;

	while ((c = getopt_long(argc, argv, COLS_SHORTOPTS "d:h", opts,
				NULL)) != -1) {
		if (cols_getopt(&co, c, optarg))
			continue;
		switch (c) {
		case 'd':
			secs = tri_parse_seconds(optarg, "--duration", 0.5,
						 3600);
			break;
		case 'h':
			doctor_help(stdout);
			return 0;
		default:
			errx(EXIT_USAGE, "try 'vmscope doctor --help'");
		}
	}
	if (optind != argc)
		errx(EXIT_USAGE, "doctor takes no arguments; try 'vmscope doctor --help'");
	/* an unknown column is a usage error before anything is sampled */
	cols_init(&cl, doctor_cols, ARRAY_SIZE(doctor_cols), &co);
	tri_close_stdout();
	fd = vmscope_open();
	doctor_run(fd, secs, &r);
	close(fd);
	if (co.json)
		doctor_json(&r, &cl);
	else
		doctor_print(&r, &cl);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_doctor = {
	.name = "doctor",
	.summary = "findings about memory, with evidence: leaks, swap, OOM...",
	.run = doctor_cmd,
	.help = doctor_help,
};
