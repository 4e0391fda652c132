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

#include "common.h"
#include "json.h"

#define MAX_THREADS	4096

struct fault_view {
	struct vmscope_faults f;
	struct vmscope_fault_thread t[MAX_THREADS];
};

static void faults_help(FILE *out)
{
	fputs("Usage: vmscope faults [--json] [--watch SECONDS] PID\n"
	      "\n"
	      "Count the page faults of process PID: minor faults (resolved\n"
	      "without I/O: a first touch of anonymous memory, a page already in\n"
	      "the page cache, copy-on-write) and major faults (that needed I/O:\n"
	      "reading a file page, swapping in), for the whole process (as\n"
	      "/proc/PID/stat counts them, exited threads included), for each\n"
	      "thread, for the children it has waited for, and for the system.\n"
	      "\n"
	      "Options:\n"
	      "  -w, --watch SECONDS  print the rates (faults per second) every\n"
	      "                       SECONDS until interrupted; with --json, one\n"
	      "                       JSON object a line\n"
	      "  -J, --json           machine-readable output\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "JSON keys: pid, min_flt, maj_flt, threads (list of {tid, min_flt,\n"
	      "maj_flt}), children ({min_flt, maj_flt}), system ({pgfault,\n"
	      "pgmajfault}); with --watch also interval and rates ({min_flt,\n"
	      "maj_flt, pgfault, pgmajfault} per second).\n", out);
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

static void faults_json(const struct fault_view *v)
{
	const struct vmscope_faults *f = &v->f;
	struct json j;
	uint32_t i;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "pid", f->pid);
	json_u64(&j, "min_flt", f->min_flt);
	json_u64(&j, "maj_flt", f->maj_flt);
	json_open(&j, "threads", '[');
	for (i = 0; i < nr_shown(v); i++) {
		json_open_flat(&j, NULL, '{');
		json_u64(&j, "tid", v->t[i].tid);
		json_u64(&j, "min_flt", v->t[i].min_flt);
		json_u64(&j, "maj_flt", v->t[i].maj_flt);
		json_close(&j, '}');
	}
	json_close(&j, ']');
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

static void faults_print(const struct fault_view *v)
{
	const struct vmscope_faults *f = &v->f;
	uint32_t i;

	printf("Page faults of process %u (%u thread%s)\n\n", f->pid,
	       f->nr_threads, f->nr_threads == 1 ? "" : "s");
	printf("%-22s %14s %14s\n", "", "MINOR", "MAJOR");
	printf("%-22s %14llu %14llu\n", "process", f->min_flt, f->maj_flt);
	for (i = 0; i < nr_shown(v); i++)
		printf("  thread %-13u %14llu %14llu\n", v->t[i].tid,
		       v->t[i].min_flt, v->t[i].maj_flt);
	printf("%-22s %14llu %14llu\n", "waited-for children", f->cmin_flt,
	       f->cmaj_flt);
	printf("%-22s %14llu %14llu\n", "whole system", f->sys_pgfault,
	       f->sys_pgmajfault);
	printf("\n(the process line adds up its threads and those that have "
	       "exited;\n the system counts all faults, minor and major, in "
	       "pgfault)\n");
}

static double per_sec(uint64_t now, uint64_t then, double secs)
{
	return now >= then ? (now - then) / secs : 0;
}

/* One line (or JSON object) of rates per interval, until interrupted. */
static void faults_watch(int fd, uint32_t pid, double secs, bool json,
			 struct fault_view *a, struct fault_view *b)
{
	faults_get(fd, pid, a);
	if (!json)
		printf("%10s %10s %12s %12s   (per second, pid %u)\n",
		       "MINOR", "MAJOR", "SYS-FAULTS", "SYS-MAJOR", pid);
	for (;;) {
		usleep((useconds_t)(secs * 1e6));
		faults_get(fd, pid, b);
		if (json)
			printf("{\"pid\": %u, \"interval\": %.3f, \"rates\": "
			       "{\"min_flt\": %.1f, \"maj_flt\": %.1f, "
			       "\"pgfault\": %.1f, \"pgmajfault\": %.1f}}\n",
			       pid, secs,
			       per_sec(b->f.min_flt, a->f.min_flt, secs),
			       per_sec(b->f.maj_flt, a->f.maj_flt, secs),
			       per_sec(b->f.sys_pgfault, a->f.sys_pgfault, secs),
			       per_sec(b->f.sys_pgmajfault,
				       a->f.sys_pgmajfault, secs));
		else
			printf("%10.1f %10.1f %12.1f %12.1f\n",
			       per_sec(b->f.min_flt, a->f.min_flt, secs),
			       per_sec(b->f.maj_flt, a->f.maj_flt, secs),
			       per_sec(b->f.sys_pgfault, a->f.sys_pgfault, secs),
			       per_sec(b->f.sys_pgmajfault,
				       a->f.sys_pgmajfault, secs));
		fflush(stdout);
		*a = *b;
	}
}

static int faults_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	static struct fault_view a, b;
	double watch = 0;
	bool json = false;
	uint32_t pid;
	int c, fd;

	while ((c = getopt_long(argc, argv, "Jw:h", opts, NULL)) != -1) {
		switch (c) {
		case 'J':
			json = true;
			break;
		case 'w':
			watch = parse_watch(optarg);
			break;
		case 'h':
			faults_help(stdout);
			return 0;
		default:
			errx(2, "try 'vmscope faults --help'");
		}
	}
	if (argc - optind != 1)
		errx(2, "faults takes one PID; try 'vmscope faults --help'");
	pid = parse_pid(argv[optind]);
	fd = vmscope_open();
	if (watch)
		faults_watch(fd, pid, watch, json, &a, &b);
	faults_get(fd, pid, &a);
	close(fd);
	if (json)
		faults_json(&a);
	else
		faults_print(&a);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_faults = {
	.name = "faults",
	.summary = "minor and major page faults: process, threads, system",
	.run = faults_run,
	.help = faults_help,
};
