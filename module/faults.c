// SPDX-License-Identifier: GPL-2.0
/*
 * Page faults: of a process (summed as /proc/PID/stat sums them), of each
 * of its threads, of its waited-for children, and of the whole system.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>

#include "vmscope.h"

/* A vm event summed over the online CPUs, as /proc/vmstat sums it. */
static u64 vmscope_vm_event(enum vm_event_item item)
{
	u64 sum = 0;
	int cpu;

	for_each_online_cpu(cpu)
		sum += per_cpu(vm_event_states, cpu).event[item];
	return sum;
}

/*
 * The thread group's counts, as do_task_stat() adds them up: those the
 * exited threads left in the signal struct, and every live thread's.
 * The first @max threads are described in @out.
 */
static void vmscope_faults_count(struct task_struct *task,
				 struct vmscope_faults *fl,
				 struct vmscope_fault_thread *out, u32 max)
{
	struct signal_struct *sig = task->signal;
	struct task_struct *t;
	u32 n = 0;

	rcu_read_lock();
	fl->min_flt = READ_ONCE(sig->min_flt);
	fl->maj_flt = READ_ONCE(sig->maj_flt);
	fl->cmin_flt = READ_ONCE(sig->cmin_flt);
	fl->cmaj_flt = READ_ONCE(sig->cmaj_flt);
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
	rcu_read_unlock();
	fl->nr_threads = n;
}

/**
 * vmscope_faults() - page-fault counters of a process and of the system
 * @acc: the caller's open-file access record
 * @fl: in: pid, buf, buf_count; every other field is overwritten
 *
 * Context: process context; takes rcu_read_lock() to visit the threads.
 * Return: 0, -EINVAL for a bad request, -EFAULT if @buf cannot be
 * written, -ENOMEM, or an error of vmscope_target().
 */
int vmscope_faults(const struct vmscope_access *acc,
		   struct vmscope_faults *fl)
{
	u32 pid = fl->pid, max = fl->buf_count;
	struct vmscope_fault_thread *out;
	struct task_struct *task;
	struct mm_struct *mm;
	u64 buf = fl->buf;
	int err = 0;

	if (fl->flags || fl->__reserved || max > VMSCOPE_FAULTS_MAX_THREADS)
		return -EINVAL;
	memset(fl, 0, sizeof(*fl));
	fl->size = sizeof(*fl);
	fl->pid = pid;
	fl->buf = buf;
	fl->buf_count = max;

	mm = vmscope_target(acc, pid, &task);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	mmput(mm);
	out = max ? kvcalloc(max, sizeof(*out), GFP_KERNEL) : NULL;
	if (max && !out) {
		err = -ENOMEM;
		goto out_put;
	}
	vmscope_faults_count(task, fl, out, max);
	fl->sys_pgfault = vmscope_vm_event(PGFAULT);
	fl->sys_pgmajfault = vmscope_vm_event(PGMAJFAULT);
	if (max && copy_to_user(u64_to_user_ptr(buf), out,
				min(max, fl->nr_threads) * sizeof(*out)))
		err = -EFAULT;
	kvfree(out);
out_put:
	put_task_struct(task);
	return err;
}
