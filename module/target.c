// SPDX-License-Identifier: GPL-2.0
/*
 * From a PID to an address space: pid -> task -> mm, with the references
 * taken in that order and released in reverse.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/pid.h>
#include <linux/rwsem.h>
#include <linux/sched/signal.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>

#include "vmscope.h"

/**
 * vmscope_group_mm() - the address space of a task's thread group
 * @task: the task
 *
 * The task's own, or, when it has exited (a main thread gone by
 * pthread_exit() while other threads run), that of a live thread, as
 * find_lock_task_mm() (not exported) finds it for the OOM killer.  No
 * access check: callers have made it, or make it.
 *
 * Context: any; takes RCU and the threads' task_lock().
 * Return: the mm with a reference on its users (mmput()), or NULL if no
 * thread has one.
 */
struct mm_struct *vmscope_group_mm(struct task_struct *task)
{
	struct mm_struct *mm = NULL;
	struct task_struct *t;

	rcu_read_lock();
	for_each_thread(task, t) {
		task_lock(t);
		if (t->mm && !(t->flags & PF_KTHREAD)) {
			mm = t->mm;
			mmget(mm);
		}
		task_unlock(t);
		if (mm)
			break;
	}
	rcu_read_unlock();
	return mm;
}

/*
 * The task's mm, if the file may see it.  As mm_access() does, under the
 * task's exec_update_lock: exec() installs the new mm before it commits a
 * setuid program's credentials, and checking between the two would let
 * the old credentials vouch for the new image.
 */
static struct mm_struct *vmscope_task_mm(const struct vmscope_access *acc,
					 struct task_struct *task)
{
	struct mm_struct *mm;
	int err;

	err = down_read_killable(&task->signal->exec_update_lock);
	if (err)
		return ERR_PTR(err);
	mm = vmscope_group_mm(task);
	err = mm ? vmscope_access_mm(acc, task, mm) : -ENOENT;
	up_read(&task->signal->exec_update_lock);
	if (err) {
		if (mm)
			mmput(mm);
		return ERR_PTR(err);
	}
	return mm;
}

/**
 * vmscope_target_pid() - a process and its address space, if the file may
 * see them
 * @acc: the caller's open-file access record
 * @pid: the process
 * @taskp: if not NULL, returns the task with a reference (put_task_struct())
 *
 * Context: process context; may sleep.
 * Return: the mm with a reference on its users (release with mmput()),
 * ERR_PTR(-ESRCH) if the process is gone, ERR_PTR(-ENOENT) if it has no
 * user address space (a kernel thread, or a process all of whose threads
 * have exited; one whose main thread alone exited has its threads'),
 * ERR_PTR(-EACCES) if the file may not look at it, or ERR_PTR(-EINTR).
 */
struct mm_struct *vmscope_target_pid(const struct vmscope_access *acc,
				     struct pid *pid,
				     struct task_struct **taskp)
{
	struct task_struct *task = get_pid_task(pid, PIDTYPE_PID);
	struct mm_struct *mm;

	if (!task)
		return ERR_PTR(-ESRCH);
	mm = vmscope_task_mm(acc, task);
	if (!IS_ERR(mm) && taskp)
		*taskp = task;
	else
		put_task_struct(task);
	return mm;
}

/**
 * vmscope_find_pid() - a process (or thread) id, the one way vmscope
 * looks one up, for ioctls and for the writable /proc files alike
 * @nr: the id, in the caller's PID namespace
 *
 * Context: process context.
 * Return: the struct pid with a reference (put_pid()), or ERR_PTR(-ESRCH)
 * for 0, an id above PID_MAX_LIMIT or one not in use.
 */
struct pid *vmscope_find_pid(u32 nr)
{
	struct pid *pid = NULL;

	if (nr && nr <= PID_MAX_LIMIT)
		pid = find_get_pid(nr);
	return pid ?: ERR_PTR(-ESRCH);
}

/**
 * vmscope_target() - a process and its address space, by number
 * @acc: the caller's open-file access record
 * @nr: process (or thread) id in the caller's PID namespace
 * @taskp: as for vmscope_target_pid()
 *
 * Context: process context; may sleep.
 * Return: as vmscope_target_pid(); ERR_PTR(-ESRCH) for no such process.
 */
struct mm_struct *vmscope_target(const struct vmscope_access *acc, u32 nr,
				 struct task_struct **taskp)
{
	struct pid *pid = vmscope_find_pid(nr);
	struct mm_struct *mm;

	if (IS_ERR(pid))
		return ERR_CAST(pid);
	mm = vmscope_target_pid(acc, pid, taskp);
	put_pid(pid);
	return mm;
}

/**
 * vmscope_target_mm() - the address space of a process, if the file may see it
 * @acc: the caller's open-file access record
 * @nr: process (or thread) id in the caller's PID namespace
 *
 * Context: process context; may sleep.
 * Return: as vmscope_target().
 */
struct mm_struct *vmscope_target_mm(const struct vmscope_access *acc, u32 nr)
{
	return vmscope_target(acc, nr, NULL);
}
