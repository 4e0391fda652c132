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
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

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
		o->rss = get_mm_rss(mm);
		o->swap = get_mm_counter(mm, MM_SWAPENTS);
		o->pgtables = mm_pgtables_bytes(mm) >> PAGE_SHIFT;
		ok = o->oom_score_adj != OOM_SCORE_ADJ_MIN &&
		     !test_bit(MMF_OOM_SKIP, &mm->flags) && !in_vfork(t);
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

/**
 * vmscope_oom() - the OOM killer's view of every process
 * @acc: the caller's open-file access record
 * @oo: in: swap_total, buf, buf_count; every other field is overwritten
 *
 * Context: process context; visits the processes under rcu_read_lock(),
 * taking each one's task_lock() as oom_badness() does.
 * Return: 0, -EPERM without CAP_SYS_ADMIN or CAP_SYS_PTRACE at open (it
 * describes every process), -EINVAL for a bad request, -EFAULT, -ENOMEM.
 */
int vmscope_oom(const struct vmscope_access *acc, struct vmscope_oom *oo)
{
	u64 swap = oo->swap_total, buf = oo->buf, totalpages;
	u32 max = oo->buf_count, n = 0;
	struct vmscope_oom_task *out;
	struct task_struct *p;
	int err = 0;

	if (!acc->sys_admin && !acc->sys_ptrace)
		return -EPERM;
	if (oo->flags || !max || max > VMSCOPE_OOM_MAX_TASKS ||
	    swap > (1ULL << 52))
		return -EINVAL;
	totalpages = totalram_pages() + swap;
	memset(oo, 0, sizeof(*oo));
	oo->size = sizeof(*oo);
	oo->swap_total = swap;
	oo->totalpages = totalpages;
	oo->buf = buf;
	oo->buf_count = max;

	out = kvcalloc(max, sizeof(*out), GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	rcu_read_lock();
	for_each_process(p) {
		if (n < max)
			vmscope_oom_task(p, totalpages, &out[n]);
		n++;
	}
	rcu_read_unlock();
	oo->nr_tasks = n;
	if (copy_to_user(u64_to_user_ptr(buf), out,
			 min(n, max) * sizeof(*out)))
		err = -EFAULT;
	kvfree(out);
	return err;
}
