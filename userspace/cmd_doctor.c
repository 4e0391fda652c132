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

#include "common.h"
#include "doctor.h"
#include "json.h"
#include "triage.h"

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
	      "  swap            >= 256 pages swapped out in the window, or\n"
	      "                  swap >= 25% used: who holds it, swappiness,\n"
	      "                  memory cgroups whose swap grew or at\n"
	      "                  memory.max or swap.max, free memory against\n"
	      "                  the high watermarks per NUMA node\n"
	      "  thrashing       refaults >= 50/s, major faults >= 50/s and PSI\n"
	      "                  memory full >= 5% of the window, together\n"
	      "  direct-reclaim  any allocation stall (allocstall_*); PSI some,\n"
	      "                  the faulting processes, the stalled cgroups\n"
	      "  oom-risk        Committed_AS >= 90% of CommitLimit,\n"
	      "                  MemAvailable < 5% of MemTotal, or a memory\n"
	      "                  cgroup at >= 90% of memory.max or OOM in it;\n"
	      "                  the OOM killer's choice (in the cgroup) named\n"
	      "  fragmentation   a zone with >= 32 MiB and 1/8 of its pages free\n"
	      "                  but no free block of order 9 (2 MiB), or\n"
	      "                  failed compactions\n"
	      "  cache-pressure  file refaults >= 50 pages/s and the file LRU\n"
	      "                  turning over in under 300 s\n"
	      "\n"
	      "Options:\n"
	      "  -d, --duration SECONDS  0.5 to 3600 (default 10)\n"
	      "  -J, --json              machine-readable output\n"
	      "  -h, --help              this text\n"
	      "\n"
	      "JSON keys: duration_s, findings [{kind, severity, summary, pids,\n"
	      "cgroups, evidence [{name, value, op, threshold, unit}] (op and\n"
	      "threshold null for facts), next}]; leak findings also segment\n"
	      "and rate_bps.\n"
	      "\n"
	      "Exit status: 0 whether or not there are findings; 1 failure (no\n"
	      "module, not root, standard output not writable); 2 usage error.\n",
	      out);
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

static void doctor_print(const struct doc_result *r)
{
	int i, k;

	if (!r->nr) {
		printf("vmscope doctor: %.1f s sampled: no findings; memory "
		       "looks healthy.\n", r->duration_s);
		return;
	}
	printf("vmscope doctor: %.1f s sampled: %d finding%s, most severe "
	       "first\n", r->duration_s, r->nr, r->nr == 1 ? "" : "s");
	for (i = 0; i < r->nr; i++) {
		const struct doc_finding *f = &r->f[i];

		printf("\n[%s] %s: %s\n", doc_severity_name(f->severity),
		       f->kind, f->summary);
		if (f->nr_pids) {
			printf("  processes:");
			for (k = 0; k < f->nr_pids; k++)
				printf(" %u", f->pids[k]);
			printf("\n");
		}
		for (k = 0; k < f->nr_cgroups; k++)
			printf("  cgroup: %s\n", f->cgroups[k]);
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
		printf("  next: %s\n", f->next);
	}
}

static void json_value(struct json *j, const char *key, double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		json_key_i64(j, key, (int64_t)v);
	else
		json_f64(j, key, v);
}

static void doctor_json(const struct doc_result *r)
{
	static struct json j;
	int i, k;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_f64(&j, "duration_s", r->duration_s);
	json_open(&j, "findings", '[');
	for (i = 0; i < r->nr; i++) {
		const struct doc_finding *f = &r->f[i];

		json_open(&j, NULL, '{');
		json_str(&j, "kind", f->kind);
		json_str(&j, "severity", doc_severity_name(f->severity));
		json_str(&j, "summary", f->summary);
		json_open_flat(&j, "pids", '[');
		for (k = 0; k < f->nr_pids; k++)
			json_u64(&j, NULL, f->pids[k]);
		json_close(&j, ']');
		json_open_flat(&j, "cgroups", '[');
		for (k = 0; k < f->nr_cgroups; k++)
			json_str(&j, NULL, f->cgroups[k]);
		json_close(&j, ']');
		json_open(&j, "evidence", '[');
		for (k = 0; k < f->nr_ev; k++) {
			const struct doc_evidence *e = &f->ev[k];

			json_open_flat(&j, NULL, '{');
			json_str(&j, "name", e->name);
			json_value(&j, "value", e->value);
			if (isnan(e->threshold)) {
				json_null(&j, "op");
				json_null(&j, "threshold");
			} else {
				json_str(&j, "op", e->op);
				json_value(&j, "threshold", e->threshold);
			}
			json_str(&j, "unit", e->unit);
			json_close(&j, '}');
		}
		json_close(&j, ']');
		json_str(&j, "next", f->next);
		if (!strcmp(f->kind, "leak")) {
			json_str(&j, "segment", f->segment);
			json_f64(&j, "rate_bps", f->rate);
		}
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_close(&j, '}');
}

static int doctor_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	static struct doc_result r;
	double secs = 10;
	bool json = false;
	int c, fd;

	while ((c = getopt_long(argc, argv, "d:Jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			secs = tri_parse_seconds(optarg, "--duration", 0.5,
						 3600);
			break;
		case 'J':
			json = true;
			break;
		case 'h':
			doctor_help(stdout);
			return 0;
		default:
			errx(2, "try 'vmscope doctor --help'");
		}
	}
	if (optind != argc)
		errx(2, "doctor takes no arguments; try 'vmscope doctor --help'");
	tri_close_stdout();
	fd = vmscope_open();
	doctor_run(fd, secs, &r);
	close(fd);
	if (json)
		doctor_json(&r);
	else
		doctor_print(&r);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_doctor = {
	.name = "doctor",
	.summary = "findings about memory, with evidence: leaks, swap, OOM...",
	.run = doctor_cmd,
	.help = doctor_help,
};
