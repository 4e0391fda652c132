// SPDX-License-Identifier: GPL-2.0
/*
 * From a PID to an address space: pid -> task -> mm, with the references
 * taken in that order and released in reverse.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>

#include "vmscope.h"

/**
 * vmscope_target() - a process and its address space, if the file may see them
 * @acc: the caller's open-file access record
 * @nr: process (or thread) id in the caller's PID namespace
 * @taskp: if not NULL, returns the task with a reference (put_task_struct())
 *
 * Context: process context.
 * Return: the mm with a reference on its users (release with mmput()),
 * ERR_PTR(-ESRCH) if there is no such process, ERR_PTR(-ENOENT) if it has
 * no user address space (a kernel thread, or a process that has exited),
 * or ERR_PTR(-EACCES) if the file may not look at it.
 */
struct mm_struct *vmscope_target(const struct vmscope_access *acc, u32 nr,
				 struct task_struct **taskp)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;
	int err;

	if (!nr || nr > PID_MAX_LIMIT)
		return ERR_PTR(-ESRCH);
	pid = find_get_pid(nr);
	if (!pid)
		return ERR_PTR(-ESRCH);
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (!task)
		return ERR_PTR(-ESRCH);

	mm = get_task_mm(task);
	err = mm ? vmscope_access_mm(acc, task, mm) : -ENOENT;
	if (err) {
		if (mm)
			mmput(mm);
		put_task_struct(task);
		return ERR_PTR(err);
	}
	if (taskp)
		*taskp = task;
	else
		put_task_struct(task);
	return mm;
}

/**
 * vmscope_target_mm() - the address space of a process, if the file may see it
 * @acc: the caller's open-file access record
 * @nr: process (or thread) id in the caller's PID namespace
 *
 * Context: process context.
 * Return: as vmscope_target().
 */
struct mm_struct *vmscope_target_mm(const struct vmscope_access *acc, u32 nr)
{
	return vmscope_target(acc, nr, NULL);
}
