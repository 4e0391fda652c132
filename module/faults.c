// SPDX-License-Identifier: GPL-2.0
/*
 * Page faults: of a process (summed as /proc/PID/stat sums them), of each
 * of its threads, of its waited-for children, and of the whole system.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vmscope.h"

/*
 * The thread group's counts, as do_task_stat() adds them up: those the
 * exited threads left in the signal struct, and every live thread's.
 * The first @max threads are described in @out.
 */
/* The sums, with the thread group's siglock held. */
static void vmscope_faults_sum(struct task_struct *task,
			       struct vmscope_faults *fl,
			       struct vmscope_fault_thread *out, u32 max)
{
	struct signal_struct *sig = task->signal;
	struct task_struct *t;
	u32 n = 0;

	fl->min_flt = sig->min_flt;
	fl->maj_flt = sig->maj_flt;
	fl->cmin_flt = sig->cmin_flt;
	fl->cmaj_flt = sig->cmaj_flt;
	for_each_thread(task, t) {
		u64 min = READ_ONCE(t->min_flt), maj = READ_ONCE(t->maj_flt);

		fl->min_flt += min;
		fl->maj_flt += maj;
		if (n < max) {
			out[n].tid = task_pid_vnr(t);
			out[n].min_flt = min;
			out[n].maj_flt = maj;
		}
		n++;
	}
	fl->nr_threads = n;
}

/*
 * As do_task_stat(): under the siglock (lock_task_sighand(), whose
 * __lock_task_sighand() is not exported, done here the same way: the
 * sighand found under RCU, SLAB_TYPESAFE_BY_RCU, checked again once
 * locked), so that a thread exiting meanwhile, which adds its counts to
 * the signal struct under that lock in __exit_signal(), is counted once.
 */
static void vmscope_faults_count(struct task_struct *task,
				 struct vmscope_faults *fl,
				 struct vmscope_fault_thread *out, u32 max)
{
	struct sighand_struct *sighand;
	unsigned long irqflags;
	bool same = false;

	rcu_read_lock();
	do {
		sighand = rcu_dereference(task->sighand);
		if (!sighand)	/* released: nothing left to count */
			break;
		spin_lock_irqsave(&sighand->siglock, irqflags);
		same = sighand == rcu_access_pointer(task->sighand);
		if (same)
			vmscope_faults_sum(task, fl, out, max);
		spin_unlock_irqrestore(&sighand->siglock, irqflags);
	} while (!same);
	rcu_read_unlock();
}

/*
 * The counters of process @pid and of the system; the first @max threads
 * are described in @out.
 */
static int vmscope_faults_get(const struct vmscope_access *acc,
			      struct pid *pid, struct vmscope_faults *fl,
			      struct vmscope_fault_thread *out, u32 max)
{
	struct task_struct *task;
	struct mm_struct *mm;

	mm = vmscope_target_pid(acc, pid, &task);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	mmput(mm);
	vmscope_faults_count(task, fl, out, max);
	put_task_struct(task);
	fl->sys_pgfault = vmscope_vm_event(PGFAULT);
	fl->sys_pgmajfault = vmscope_vm_event(PGMAJFAULT);
	return 0;
}

struct vmscope_faults_arg {
	struct task_struct *task;
	struct vmscope_faults *fl;
};

static u32 vmscope_faults_fill(void *out, u32 max, void *arg)
{
	struct vmscope_faults_arg *fa = arg;

	vmscope_faults_count(fa->task, fa->fl, out, max);
	return fa->fl->nr_threads;
}

/**
 * vmscope_faults() - page-fault counters of a process and of the system
 * @acc: the caller's open-file access record
 * @fl: in: pid, buf, buf_count; the outputs zeroed (the ioctl contract)
 *
 * Context: process context; takes the target's siglock to visit the
 * threads, as /proc/PID/stat does.
 * Return: 0, -EINVAL for a bad request, -EFAULT if @buf cannot be
 * written, -ENOMEM, or an error of vmscope_target().
 */
int vmscope_faults(const struct vmscope_access *acc,
		   struct vmscope_faults *fl)
{
	struct vmscope_faults_arg fa = { .fl = fl };
	struct mm_struct *mm;
	u32 total;
	int err;

	if (fl->buf_count > VMSCOPE_FAULTS_MAX_THREADS)
		return -EINVAL;
	mm = vmscope_target(acc, fl->pid, &fa.task);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	mmput(mm);
	err = vmscope_array_out(fl->buf, fl->buf_count,
				sizeof(struct vmscope_fault_thread),
				vmscope_faults_fill, &fa, &total);
	put_task_struct(fa.task);
	fl->sys_pgfault = vmscope_vm_event(PGFAULT);
	fl->sys_pgmajfault = vmscope_vm_event(PGMAJFAULT);
	return err;
}

/**
 * vmscope_faults_show() - the text of /proc/vmscope/faults
 * @m: the seq_file
 * @acc: what the file may see
 * @pid: the process
 *
 * Context: process context.
 * Return: 0, -ENOMEM or an error of vmscope_target_pid().
 */
int vmscope_faults_show(struct seq_file *m, const struct vmscope_access *acc,
			struct pid *pid)
{
	struct vmscope_fault_thread *out;
	struct vmscope_faults fl = { };
	u32 i, max;
	int err;

	err = vmscope_faults_get(acc, pid, &fl, NULL, 0);
	if (err)
		return err;
	max = fl.nr_threads + 16;	/* room for threads started since */
	out = kvcalloc(max, sizeof(*out), GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	err = vmscope_faults_get(acc, pid, &fl, out, max);
	if (err)
		goto out_free;
	seq_printf(m, "pid %u\nmin_flt %llu\nmaj_flt %llu\n",
		   pid_vnr(pid), fl.min_flt, fl.maj_flt);
	seq_printf(m, "cmin_flt %llu\ncmaj_flt %llu\n",
		   fl.cmin_flt, fl.cmaj_flt);
	seq_printf(m, "system_pgfault %llu\nsystem_pgmajfault %llu\n",
		   fl.sys_pgfault, fl.sys_pgmajfault);
	seq_printf(m, "threads %u\n# tid min_flt maj_flt\n", fl.nr_threads);
	for (i = 0; i < min(max, fl.nr_threads); i++)
		seq_printf(m, "%u %llu %llu\n", out[i].tid, out[i].min_flt,
			   out[i].maj_flt);
out_free:
	kvfree(out);
	return err;
}
