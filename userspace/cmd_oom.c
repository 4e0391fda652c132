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

#include "cols.h"
#include "common.h"
#include "json.h"

#define MAX_TASKS	VMSCOPE_OOM_MAX_TASKS

enum {
	OC_PID, OC_COMM, OC_SCORE, OC_POINTS, OC_ADJ, OC_RSS, OC_SWAP,
	OC_PGTABLES, OC_KTHREAD, OC_UNKILLABLE, OC_NOTE,
};

static const struct col_desc oom_cols[] = {
	[OC_PID] = { "PID", "pid", COL_U64, 7, COL_DEFAULT | COL_RIGHT,
		     "process ID" },
	[OC_COMM] = { "COMM", "comm", COL_STR, 16, COL_DEFAULT,
		      "command name" },
	[OC_SCORE] = { "SCORE", "oom_score", COL_U64, 5,
		       COL_DEFAULT | COL_RIGHT,
		       "what /proc/PID/oom_score shows (0 to 1000)" },
	[OC_POINTS] = { "POINTS", "points", COL_U64, 10,
			COL_DEFAULT | COL_RIGHT,
			"badness: pages, shifted by oom_score_adj" },
	[OC_ADJ] = { "ADJ", "oom_score_adj", COL_I64, 5,
		     COL_DEFAULT | COL_RIGHT, "oom_score_adj (-1000 to 1000)" },
	[OC_RSS] = { "RSS", "rss_pages", COL_U64, 9, COL_DEFAULT | COL_RIGHT,
		     "resident pages" },
	[OC_SWAP] = { "SWAP", "swap_pages", COL_U64, 9,
		      COL_DEFAULT | COL_RIGHT, "swap entries" },
	[OC_PGTABLES] = { "PGTABLES", "pgtables_pages", COL_U64, 8,
			  COL_DEFAULT | COL_RIGHT, "page-table pages" },
	[OC_KTHREAD] = { "KTHREAD", "kthread", COL_BOOL, 3, 0,
			 "a kernel thread" },
	[OC_UNKILLABLE] = { "UNKILLABLE", "unkillable", COL_BOOL, 3, 0,
			    "never chosen (init, adj -1000, kernel thread)" },
	[OC_NOTE] = { "NOTE", "note", COL_STR, 0.2, COL_DEFAULT,
		      "why never chosen, or the one killed first" },
};

static void oom_help(FILE *out)
{
	fputs("Usage: vmscope oom [options]\n"
	      "\n"
	      "Rank every process as the OOM killer would when memory runs out:\n"
	      "its badness points (resident pages + swap entries + page-table\n"
	      "pages, shifted by oom_score_adj * totalpages / 1000), the score\n"
	      "/proc/PID/oom_score shows, and which process would be killed\n"
	      "first.  Kernel threads, init and processes with oom_score_adj\n"
	      "-1000 are never chosen.  Needs root (CAP_SYS_ADMIN or\n"
	      "CAP_SYS_PTRACE when the device was opened).\n"
	      "\n"
	      "Options:\n", out);
	cols_help_options(out);
	fputs("  -h, --help           this text\n"
	      "\n"
	      "With -n or -r only the table is printed.\n"
	      "JSON: {total_pages (RAM + swap the scores are relative to), tasks:\n"
	      "[one object per process], victim (the PID chosen first, or null)}.\n",
	      out);
	cols_help_columns(out, NULL, oom_cols, ARRAY_SIZE(oom_cols));
}

/**
 * vmscope_oom_victim() - the process the OOM killer would take first
 * @t: every process, in the order VMSCOPE_IOC_OOM lists them (the
 *	kernel's task list, as select_bad_process() walks it)
 * @n: how many
 *
 * The most badness points among those it may choose; of equals the last
 * in the list, as oom_evaluate_task() lets a later task with as many
 * points replace the one chosen (forked workers of one size, say).
 *
 * Return: its PID, or 0 for none.
 */
uint32_t vmscope_oom_victim(const struct vmscope_oom_task *t, uint32_t n)
{
	const struct vmscope_oom_task *best = NULL;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (!(t[i].flags & (VMSCOPE_OOM_UNKILLABLE |
				    VMSCOPE_OOM_KTHREAD | VMSCOPE_OOM_NO_MM)) &&
		    (!best || t[i].points >= best->points))
			best = &t[i];
	return best ? best->pid : 0;
}

static uint32_t oom_victim;	/* first of its equals in by_points() */

static int by_points(const void *a, const void *b)
{
	const struct vmscope_oom_task *x = a, *y = b;

	if ((x->flags ^ y->flags) & VMSCOPE_OOM_UNKILLABLE)
		return x->flags & VMSCOPE_OOM_UNKILLABLE ? 1 : -1;
	if (x->points != y->points)
		return x->points < y->points ? 1 : -1;
	if (x->pid == oom_victim || y->pid == oom_victim)
		return x->pid == oom_victim ? -1 : 1;
	return (int)x->pid - (int)y->pid;
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

static void oom_row(struct cols *c, const struct vmscope_oom_task *t,
		    bool first)
{
	struct col_val cv[ARRAY_SIZE(oom_cols)];

	cv[OC_PID] = CV_U(t->pid);
	cv[OC_COMM] = CV_S(t->comm);
	cv[OC_SCORE] = CV_U(t->oom_score);
	cv[OC_POINTS] = CV_U(t->points < 0 ? 0 : t->points);
	cv[OC_ADJ] = CV_I(t->oom_score_adj);
	cv[OC_RSS] = CV_U(t->rss);
	cv[OC_SWAP] = CV_U(t->swap);
	cv[OC_PGTABLES] = CV_U(t->pgtables);
	cv[OC_KTHREAD] = CV_B(t->flags & VMSCOPE_OOM_KTHREAD);
	cv[OC_UNKILLABLE] = CV_B(t->flags & VMSCOPE_OOM_UNKILLABLE);
	cv[OC_NOTE] = CV_S(oom_note(t, first));
	cols_row(c, cv);
}

static void oom_show(struct cols *c, const struct vmscope_oom *oo,
		     const struct vmscope_oom_task *t, uint32_t n)
{
	const struct cols_opts *co = c->o;
	struct json j;
	uint32_t i;

	if (co->json) {
		json_init(&j, stdout);
		json_open(&j, NULL, '{');
		json_u64(&j, "total_pages", oo->totalpages);
	} else if (!co->noheadings && !co->raw) {
		printf("%d processes; scores are relative to %" PRIu64
		       " pages of RAM and swap\n\n", (int)n,
		       (uint64_t)oo->totalpages);
	}
	cols_begin(c, &j, "tasks");
	for (i = 0; i < n; i++)
		oom_row(c, &t[i], oom_victim && t[i].pid == oom_victim);
	cols_end(c);
	if (!co->json)
		return;
	if (oom_victim)
		json_u64(&j, "victim", oom_victim);
	else
		json_null(&j, "victim");
	json_close(&j, '}');
}

/*
 * Every process, in a buffer sized to their number: ask with room for a
 * few, then for as many as there are and some that may start meanwhile.
 */
struct vmscope_oom_task *vmscope_oom_tasks(int fd, struct vmscope_oom *oo,
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
	struct cols_opts co = { .cmd = "oom" };
	struct vmscope_oom_task *t;
	struct vmscope_oom oo;
	struct cols c;
	uint32_t n;
	int fd;

	cols_options(argc, argv, &co, oom_help, 0);
	cols_init(&c, oom_cols, ARRAY_SIZE(oom_cols), &co);
	fd = vmscope_open();
	t = vmscope_oom_tasks(fd, &oo, &n);
	close(fd);
	oom_victim = vmscope_oom_victim(t, n);
	qsort(t, n, sizeof(*t), by_points);
	oom_show(&c, &oo, t, n);
	free(t);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_oom = {
	.name = "oom",
	.summary = "every process as the OOM killer ranks it",
	.run = oom_run,
	.help = oom_help,
};
