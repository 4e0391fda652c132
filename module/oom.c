// SPDX-License-Identifier: GPL-2.0
/*
 * What the OOM killer thinks of every process: the badness points of
 * oom_badness() (not exported to modules, so computed here the same way)
 * and the score /proc/PID/oom_score shows.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/oom.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/string_helpers.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "vmscope.h"

/*
 * The badness of @p with its mm locked, as oom_badness(): false if the
 * OOM killer would never choose it.
 */
static bool vmscope_oom_points(struct task_struct *p, u64 totalpages,
			       struct vmscope_oom_task *o)
{
	struct task_struct *t;
	struct mm_struct *mm;
	bool ok = false;

	for_each_thread(p, t) {		/* find_lock_task_mm() */
		task_lock(t);
		mm = t->mm;
		if (!mm) {
			task_unlock(t);
			continue;
		}
		o->oom_score_adj = t->signal->oom_score_adj;
		o->rss = vmscope_oom_counter(mm, MM_FILEPAGES) +
			 vmscope_oom_counter(mm, MM_ANONPAGES) +
			 vmscope_oom_counter(mm, MM_SHMEMPAGES);
		o->swap = vmscope_oom_counter(mm, MM_SWAPENTS);
		o->pgtables = mm_pgtables_bytes(mm) >> PAGE_SHIFT;
		ok = o->oom_score_adj != OOM_SCORE_ADJ_MIN &&
		     !mm_flags_test(MMF_OOM_SKIP, mm) && !in_vfork(t);
		task_unlock(t);
		if (!ok)
			o->flags |= VMSCOPE_OOM_UNKILLABLE;
		o->points = o->rss + o->swap + o->pgtables +
			    (s64)o->oom_score_adj * (s64)(totalpages / 1000);
		return ok;
	}
	o->flags |= VMSCOPE_OOM_NO_MM | VMSCOPE_OOM_UNKILLABLE;
	return false;
}

/* One process, as oom_badness() and proc_oom_score() see it. */
static void vmscope_oom_task(struct task_struct *p, u64 totalpages,
			     struct vmscope_oom_task *o)
{
	memset(o, 0, sizeof(*o));
	o->pid = task_pid_vnr(p);
	o->oom_score_adj = p->signal->oom_score_adj;
	get_task_comm(o->comm, p);
	if (p->flags & PF_KTHREAD)
		o->flags |= VMSCOPE_OOM_KTHREAD | VMSCOPE_OOM_UNKILLABLE;
	else if (is_global_init(p))
		o->flags |= VMSCOPE_OOM_UNKILLABLE;
	else if (vmscope_oom_points(p, totalpages, o))
		o->oom_score = (1000 + o->points * 1000 / (s64)totalpages) *
			       2 / 3;
	if (o->flags & VMSCOPE_OOM_UNKILLABLE)
		o->points = 0;
}

/*
 * Every process, as the OOM killer sees it relative to @totalpages; the
 * first @max are described in @out.  Returns how many there are.
 */
static u32 vmscope_oom_collect(struct vmscope_oom_task *out, u32 max,
			       u64 totalpages)
{
	struct task_struct *p;
	u32 n = 0;

	rcu_read_lock();
	for_each_process(p) {
		if (n < max)
			vmscope_oom_task(p, totalpages, &out[n]);
		n++;
	}
	rcu_read_unlock();
	return n;
}

static u32 vmscope_oom_fill(void *out, u32 max, void *arg)
{
	return vmscope_oom_collect(out, max, *(u64 *)arg);
}

/**
 * vmscope_oom() - the OOM killer's view of every process
 * @acc: the caller's open-file access record
 * @oo: in: swap_total, buf, buf_count; the outputs zeroed (the ioctl
 *	contract, chardev.c)
 *
 * Context: process context; visits the processes under rcu_read_lock(),
 * taking each one's task_lock() as oom_badness() does.
 * Return: 0, -EPERM without CAP_SYS_ADMIN or CAP_SYS_PTRACE at open (it
 * describes every process), -EINVAL for a bad request, -EFAULT, -ENOMEM.
 */
int vmscope_oom(const struct vmscope_access *acc, struct vmscope_oom *oo)
{
	if (!acc->sys_admin && !acc->sys_ptrace)
		return -EPERM;
	if (!oo->buf_count || oo->buf_count > VMSCOPE_OOM_MAX_TASKS ||
	    oo->swap_total > VMSCOPE_OOM_MAX_SWAP)
		return -EINVAL;
	oo->totalpages = totalram_pages() + oo->swap_total;
	return vmscope_array_out(oo->buf, oo->buf_count,
				 sizeof(struct vmscope_oom_task),
				 vmscope_oom_fill, &oo->totalpages,
				 &oo->nr_tasks);
}

/* Most points first; those the OOM killer never chooses last. */
static int vmscope_oom_cmp(const void *a, const void *b)
{
	const struct vmscope_oom_task *x = a, *y = b;
	bool xu = x->flags & VMSCOPE_OOM_UNKILLABLE;
	bool yu = y->flags & VMSCOPE_OOM_UNKILLABLE;

	if (xu != yu)
		return xu ? 1 : -1;
	if (x->points != y->points)
		return x->points > y->points ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/*
 * The process select_bad_process() would take from @t, listed in task-list
 * order: the most points among the killable, and of equals the last, as
 * oom_evaluate_task() lets a later task with as many points replace the
 * one chosen.  Its index, or @n for none.
 */
static u32 vmscope_oom_victim(const struct vmscope_oom_task *t, u32 n)
{
	u32 i, best = n;

	for (i = 0; i < n; i++)
		if (!(t[i].flags & VMSCOPE_OOM_UNKILLABLE) &&
		    (best == n || t[i].points >= t[best].points))
			best = i;
	return best;
}

/*
 * Every process, sorted, the victim first (of its equals, by PID, it may
 * not be); NULL for -ENOMEM.  The buffer grows to the number of processes
 * (they may multiply meanwhile: a few tries), and is always the one
 * filled; beyond VMSCOPE_OOM_MAX_TASKS the first are shown.
 */
static struct vmscope_oom_task *vmscope_oom_sorted(u64 totalpages, u32 *np)
{
	struct vmscope_oom_task *out;
	u32 max = 256, n, i;
	int tries;

	for (tries = 0; ; tries++) {
		out = kvcalloc(max, sizeof(*out), GFP_KERNEL);
		if (!out)
			return NULL;
		n = vmscope_oom_collect(out, max, totalpages);
		if (n <= max || max == VMSCOPE_OOM_MAX_TASKS || tries == 3)
			break;
		kvfree(out);
		max = min_t(u32, n + 64, VMSCOPE_OOM_MAX_TASKS);
	}
	n = min(n, max);
	i = vmscope_oom_victim(out, n);
	if (i < n) {		/* to the front, the rest sorted after it */
		swap(out[0], out[i]);
		sort(out + 1, n - 1, sizeof(*out), vmscope_oom_cmp, NULL);
	} else {
		sort(out, n, sizeof(*out), vmscope_oom_cmp, NULL);
	}
	*np = n;
	return out;
}

static void vmscope_oom_show_task(struct seq_file *m,
				  const struct vmscope_oom_task *o,
				  bool victim)
{
	const char *what = victim ? "victim" : "-";

	if (o->flags & VMSCOPE_OOM_KTHREAD)
		what = "kthread";
	else if (o->flags & VMSCOPE_OOM_UNKILLABLE)
		what = "unkillable";
	seq_printf(m, "%u %u %lld %d %llu %llu %llu %s ", o->pid,
		   o->oom_score, o->points, o->oom_score_adj, o->rss, o->swap,
		   o->pgtables, what);
	/* as the Name: of /proc/PID/status (proc_task_name()) */
	seq_escape_str(m, o->comm, ESCAPE_SPACE | ESCAPE_SPECIAL, "\n\\");
	seq_putc(m, '\n');
}

/**
 * vmscope_oom_show() - the text of /proc/vmscope/oom
 * @m: the seq_file
 * @acc: what the file may see
 * @swap_total: pages of swap, or U64_MAX if the reader did not say
 *
 * Context: process context.
 * Return: 0, -EPERM (as vmscope_oom()) or -ENOMEM.
 */
int vmscope_oom_show(struct seq_file *m, const struct vmscope_access *acc,
		     u64 swap_total)
{
	bool known = swap_total != U64_MAX;
	struct vmscope_oom_task *tasks;
	u64 totalpages;
	u32 i, n;

	if (!acc->sys_admin && !acc->sys_ptrace)
		return -EPERM;
	totalpages = totalram_pages() + (known ? swap_total : 0);
	tasks = vmscope_oom_sorted(totalpages, &n);
	if (!tasks)
		return -ENOMEM;
	seq_printf(m, "totalpages %llu\n", totalpages);
	if (known)
		seq_printf(m, "swap_total %llu\n", swap_total);
	else
		seq_puts(m, "swap_total unknown (scores assume no swap: write SwapTotal in kB to this file first)\n");
	seq_puts(m, "# pid oom_score points oom_score_adj rss swap pgtables what comm\n");
	for (i = 0; i < n; i++)
		vmscope_oom_show_task(m, &tasks[i], !i &&
				      !(tasks[i].flags & VMSCOPE_OOM_UNKILLABLE));
	kvfree(tasks);
	return 0;
}
