// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope faults PID: the page faults behind demand paging, per process,
 * per thread, for the children and for the whole system; --watch for rates.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cols.h"
#include "common.h"
#include "json.h"

#define MAX_THREADS	4096

struct fault_view {
	struct vmscope_faults f;
	struct vmscope_fault_thread t[MAX_THREADS];
};

enum { FC_SCOPE, FC_TID, FC_MINOR, FC_MAJOR };

static const struct col_desc fault_cols[] = {
	[FC_SCOPE] = { "SCOPE", "scope", COL_STR, 8, COL_DEFAULT,
		       "process, thread, children (waited for) or system" },
	[FC_TID] = { "TID", "tid", COL_U64, 7, COL_DEFAULT | COL_RIGHT,
		     "thread ID (- for the other scopes)" },
	[FC_MINOR] = { "MINOR", "min_flt", COL_U64, 14,
		       COL_DEFAULT | COL_RIGHT,
		       "minor faults: resolved without I/O" },
	[FC_MAJOR] = { "MAJOR", "maj_flt", COL_U64, 14,
		       COL_DEFAULT | COL_RIGHT, "major faults: needed I/O" },
};

enum { FW_PID, FW_INTERVAL, FW_MINOR, FW_MAJOR, FW_SYS, FW_SYS_MAJOR };

static const struct col_desc watch_cols[] = {
	[FW_PID] = { "PID", "pid", COL_U64, 7, COL_RIGHT, "the process" },
	[FW_INTERVAL] = { "INTERVAL", "interval_s", COL_F64, 8, COL_RIGHT,
			  "seconds between two samples, measured" },
	[FW_MINOR] = { "MINOR/S", "min_flt_per_s", COL_F64, 10,
		       COL_DEFAULT | COL_RIGHT,
		       "minor faults of the process per second" },
	[FW_MAJOR] = { "MAJOR/S", "maj_flt_per_s", COL_F64, 10,
		       COL_DEFAULT | COL_RIGHT,
		       "major faults of the process per second" },
	[FW_SYS] = { "SYS/S", "pgfault_per_s", COL_F64, 12,
		     COL_DEFAULT | COL_RIGHT,
		     "all faults of the system per second (pgfault)" },
	[FW_SYS_MAJOR] = { "SYS-MAJOR/S", "pgmajfault_per_s", COL_F64, 12,
			   COL_DEFAULT | COL_RIGHT,
			   "major faults of the system per second" },
};

static void faults_help(FILE *out)
{
	fputs("Usage: vmscope faults [options] PID\n"
	      "\n"
	      "Count the page faults of process PID: minor faults (resolved\n"
	      "without I/O: a first touch of anonymous memory, a page already in\n"
	      "the page cache, copy-on-write) and major faults (that needed I/O:\n"
	      "reading a file page, swapping in), for the whole process (as\n"
	      "/proc/PID/stat counts them, exited threads included), for each\n"
	      "thread, for the children it has waited for, and for the system.\n"
	      "\n"
	      "Options:\n", out);
	cols_help_options(out);
	fputs("  -w, --watch SECONDS  print the rates (faults per second) every\n"
	      "                       SECONDS until interrupted; with --json, one\n"
	      "                       JSON object a line (every watch column)\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "With -n or -r only the table is printed.\n"
	      "JSON: {pid, min_flt, maj_flt, threads: [one object per thread],\n"
	      "children {min_flt, maj_flt}, system {pgfault, pgmajfault}}.\n",
	      out);
	cols_help_columns(out, NULL, fault_cols, ARRAY_SIZE(fault_cols));
	cols_help_columns(out, "Output columns with --watch",
			  watch_cols, ARRAY_SIZE(watch_cols));
}

static void faults_get(int fd, uint32_t pid, struct fault_view *v)
{
	memset(&v->f, 0, sizeof(v->f));
	v->f.size = sizeof(v->f);
	v->f.pid = pid;
	v->f.buf = (uintptr_t)v->t;
	v->f.buf_count = MAX_THREADS;
	vmscope_pid_ioctl(fd, VMSCOPE_IOC_FAULTS, &v->f, pid,
			  "VMSCOPE_IOC_FAULTS");
}

static uint32_t nr_shown(const struct fault_view *v)
{
	return v->f.nr_threads < MAX_THREADS ? v->f.nr_threads : MAX_THREADS;
}

static void fault_row(struct cols *c, const char *scope, const uint32_t *tid,
		      uint64_t minor, uint64_t major)
{
	struct col_val cv[ARRAY_SIZE(fault_cols)];

	cv[FC_SCOPE] = CV_S(scope);
	cv[FC_TID] = tid ? CV_U(*tid) : CV_NULL;
	cv[FC_MINOR] = CV_U(minor);
	cv[FC_MAJOR] = CV_U(major);
	cols_row(c, cv);
}

static void faults_threads(const struct fault_view *v, struct cols *c)
{
	uint32_t i;

	for (i = 0; i < nr_shown(v); i++)
		fault_row(c, "thread", &v->t[i].tid, v->t[i].min_flt,
			  v->t[i].maj_flt);
}

static void faults_json(const struct fault_view *v, struct cols *c)
{
	const struct vmscope_faults *f = &v->f;
	struct json j;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "pid", f->pid);
	json_u64(&j, "min_flt", f->min_flt);
	json_u64(&j, "maj_flt", f->maj_flt);
	cols_begin(c, &j, "threads");
	faults_threads(v, c);
	cols_end(c);
	json_open_flat(&j, "children", '{');
	json_u64(&j, "min_flt", f->cmin_flt);
	json_u64(&j, "maj_flt", f->cmaj_flt);
	json_close(&j, '}');
	json_open_flat(&j, "system", '{');
	json_u64(&j, "pgfault", f->sys_pgfault);
	json_u64(&j, "pgmajfault", f->sys_pgmajfault);
	json_close(&j, '}');
	json_close(&j, '}');
}

static void faults_print(const struct fault_view *v, struct cols *c)
{
	const struct vmscope_faults *f = &v->f;
	bool bare = c->o->noheadings || c->o->raw;

	if (!bare)
		printf("Page faults of process %u (%u thread%s)\n\n", f->pid,
		       f->nr_threads, f->nr_threads == 1 ? "" : "s");
	cols_begin(c, NULL, NULL);
	fault_row(c, "process", NULL, f->min_flt, f->maj_flt);
	faults_threads(v, c);
	fault_row(c, "children", NULL, f->cmin_flt, f->cmaj_flt);
	fault_row(c, "system", NULL, f->sys_pgfault, f->sys_pgmajfault);
	cols_end(c);
	if (!bare)
		printf("\n(the process line adds up its threads and those that "
		       "have exited;\n children: those it has waited for; the "
		       "system counts all faults,\n minor and major, in "
		       "pgfault)\n");
}

static double per_sec(uint64_t now, uint64_t then, double secs)
{
	return now >= then ? (now - then) / secs : 0;
}

/* One line (or JSON object) of rates per interval, until interrupted. */
static void faults_watch(int fd, uint32_t pid, double secs, struct cols *c,
			 struct fault_view *a, struct fault_view *b)
{
	struct col_val cv[ARRAY_SIZE(watch_cols)];
	struct watch_clock w;

	cols_stream_begin(c, true);
	watch_start(&w, secs);
	faults_get(fd, pid, a);
	for (;;) {
		secs = watch_next(&w);
		faults_get(fd, pid, b);
		cv[FW_PID] = CV_U(pid);
		cv[FW_INTERVAL] = CV_F(secs);
		cv[FW_MINOR] = CV_F(per_sec(b->f.min_flt, a->f.min_flt, secs));
		cv[FW_MAJOR] = CV_F(per_sec(b->f.maj_flt, a->f.maj_flt, secs));
		cv[FW_SYS] = CV_F(per_sec(b->f.sys_pgfault, a->f.sys_pgfault,
					  secs));
		cv[FW_SYS_MAJOR] = CV_F(per_sec(b->f.sys_pgmajfault,
						a->f.sys_pgmajfault, secs));
		cols_stream_row(c, cv);
		*a = *b;
	}
}

static int faults_run(int argc, char **argv)
{
	static const struct option opts[] = {
		COLS_LONGOPTS,
		{ "watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	static struct fault_view a, b;
	struct cols_opts co = { .cmd = "faults" };
	double watch = 0;
	struct cols c;
	uint32_t pid;
	int ch, fd;

	while ((ch = getopt_long(argc, argv, COLS_SHORTOPTS "w:h", opts,
				 NULL)) != -1) {
		if (cols_getopt(&co, ch, optarg))
			continue;
		switch (ch) {
		case 'w':
			watch = parse_watch(optarg);
			break;
		case 'h':
			faults_help(stdout);
			return 0;
		default:
			errx(EXIT_USAGE, "try 'vmscope faults --help'");
		}
	}
	if (argc - optind != 1)
		errx(EXIT_USAGE, "faults takes one PID; try 'vmscope faults --help'");
	pid = parse_pid(argv[optind]);
	/* an unknown column is a usage error before anything is read */
	if (watch)
		cols_init(&c, watch_cols, ARRAY_SIZE(watch_cols), &co);
	else
		cols_init(&c, fault_cols, ARRAY_SIZE(fault_cols), &co);
	fd = vmscope_open();
	if (watch)
		faults_watch(fd, pid, watch, &c, &a, &b);
	faults_get(fd, pid, &a);
	close(fd);
	if (co.json)
		faults_json(&a, &c);
	else
		faults_print(&a, &c);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_faults = {
	.name = "faults",
	.summary = "minor and major page faults: process, threads, system",
	.run = faults_run,
	.help = faults_help,
};
