// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope oom: every process as the OOM killer ranks it.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "json.h"

#define MAX_TASKS	VMSCOPE_OOM_MAX_TASKS

static void oom_help(FILE *out)
{
	fputs("Usage: vmscope oom [--json]\n"
	      "\n"
	      "Rank every process as the OOM killer would when memory runs out:\n"
	      "its badness points (resident pages + swap entries + page-table\n"
	      "pages, shifted by oom_score_adj * totalpages / 1000), the score\n"
	      "/proc/PID/oom_score shows, and which process would be killed\n"
	      "first.  Kernel threads, init and processes with oom_score_adj\n"
	      "-1000 are never chosen.  Needs root (CAP_SYS_ADMIN or\n"
	      "CAP_SYS_PTRACE when the device was opened).\n"
	      "\n"
	      "Options:\n"
	      "  -J, --json   machine-readable output\n"
	      "  -h, --help   this text\n"
	      "\n"
	      "Columns: PID COMM SCORE POINTS ADJ RSS SWAP PGTABLES (pages) NOTE\n"
	      "JSON keys: totalpages, tasks (each pid, comm, points, oom_score,\n"
	      "oom_score_adj, rss, swap, pgtables, kthread, unkillable), victim\n"
	      "(the pid chosen first, or null).\n", out);
}

static int by_points(const void *a, const void *b)
{
	const struct vmscope_oom_task *x = a, *y = b;

	if ((x->flags ^ y->flags) & VMSCOPE_OOM_UNKILLABLE)
		return x->flags & VMSCOPE_OOM_UNKILLABLE ? 1 : -1;
	return x->points < y->points ? 1 : x->points > y->points ? -1 :
	       (int)x->pid - (int)y->pid;
}

static void oom_json(const struct vmscope_oom *oo,
		     const struct vmscope_oom_task *t, uint32_t n)
{
	struct json j;
	uint32_t i;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "totalpages", oo->totalpages);
	json_open(&j, "tasks", '[');
	for (i = 0; i < n; i++) {
		json_open_flat(&j, NULL, '{');
		json_u64(&j, "pid", t[i].pid);
		json_str(&j, "comm", t[i].comm);
		json_u64(&j, "points", t[i].points < 0 ? 0 : t[i].points);
		json_u64(&j, "oom_score", t[i].oom_score);
		json_key_i64(&j, "oom_score_adj", t[i].oom_score_adj);
		json_u64(&j, "rss", t[i].rss);
		json_u64(&j, "swap", t[i].swap);
		json_u64(&j, "pgtables", t[i].pgtables);
		json_bool(&j, "kthread", t[i].flags & VMSCOPE_OOM_KTHREAD);
		json_bool(&j, "unkillable",
			  t[i].flags & VMSCOPE_OOM_UNKILLABLE);
		json_close(&j, '}');
	}
	json_close(&j, ']');
	if (n && !(t[0].flags & VMSCOPE_OOM_UNKILLABLE))
		json_u64(&j, "victim", t[0].pid);
	else
		json_null(&j, "victim");
	json_close(&j, '}');
}

static const char *oom_note(const struct vmscope_oom_task *t, bool first)
{
	if (t->flags & VMSCOPE_OOM_KTHREAD)
		return "kernel thread";
	if (t->flags & VMSCOPE_OOM_NO_MM)
		return "no memory (exiting)";
	if (t->flags & VMSCOPE_OOM_UNKILLABLE)
		return t->oom_score_adj == -1000 ? "adj -1000: never" :
		       "never (init, reaped or vfork)";
	return first ? "<- killed first" : "";
}

static void oom_print(const struct vmscope_oom *oo,
		      const struct vmscope_oom_task *t, uint32_t n)
{
	uint32_t i;

	printf("%d processes; scores are relative to %" PRIu64 " pages of RAM "
	       "and swap\n\n", (int)n, (uint64_t)oo->totalpages);
	printf("%7s %-16s %5s %10s %5s %9s %9s %8s  %s\n", "PID", "COMM",
	       "SCORE", "POINTS", "ADJ", "RSS", "SWAP", "PGTABLES", "NOTE");
	for (i = 0; i < n; i++)
		printf("%7u %-16s %5u %10lld %5d %9llu %9llu %8llu  %s\n",
		       t[i].pid, t[i].comm, t[i].oom_score, t[i].points,
		       t[i].oom_score_adj, t[i].rss, t[i].swap, t[i].pgtables,
		       oom_note(&t[i], i == 0));
}

/*
 * Every process, in a buffer sized to their number: ask with room for a
 * few, then for as many as there are and some that may start meanwhile.
 */
static struct vmscope_oom_task *oom_get(int fd, struct vmscope_oom *oo,
					uint32_t *n)
{
	struct vmscope_oom_task *t = NULL;
	uint32_t want = 256;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		free(t);
		t = calloc(want, sizeof(*t));
		if (!t)
			err(1, "cannot allocate %u records", want);
		memset(oo, 0, sizeof(*oo));
		oo->size = sizeof(*oo);
		oo->swap_total = meminfo_swap_total_pages();
		oo->buf = (uintptr_t)t;
		oo->buf_count = want;
		if (ioctl(fd, VMSCOPE_IOC_OOM, oo)) {
			if (errno == EPERM)
				errx(1, "listing every process needs "
				     "CAP_SYS_ADMIN or CAP_SYS_PTRACE: run as root");
			vmscope_ioctl_die("VMSCOPE_IOC_OOM");
		}
		if (oo->nr_tasks <= want || want == MAX_TASKS)
			break;
		want = oo->nr_tasks + 64 < MAX_TASKS ? oo->nr_tasks + 64 :
						       MAX_TASKS;
	}
	*n = oo->nr_tasks < want ? oo->nr_tasks : want;
	return t;
}

static int oom_run(int argc, char **argv)
{
	bool json = json_option(argc, argv, "oom", oom_help, 0);
	struct vmscope_oom_task *t;
	struct vmscope_oom oo;
	uint32_t n;
	int fd;

	fd = vmscope_open();
	t = oom_get(fd, &oo, &n);
	close(fd);
	qsort(t, n, sizeof(*t), by_points);
	if (json)
		oom_json(&oo, t, n);
	else
		oom_print(&oo, t, n);
	free(t);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_oom = {
	.name = "oom",
	.summary = "every process as the OOM killer ranks it",
	.run = oom_run,
	.help = oom_help,
};
