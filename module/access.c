// SPDX-License-Identifier: GPL-2.0
/*
 * Who may open vmscope's files, and what an open file may see.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/slab.h>

#include "compat.h"
#include "vmscope.h"

static bool unprivileged;
module_param(unprivileged, bool, 0444);
MODULE_PARM_DESC(unprivileged,
		 "Let users without CAP_SYS_ADMIN open /dev/vmscope and /proc/vmscope (default: no)");

/**
 * vmscope_file_mode() - permission bits for a vmscope file
 * @root_mode: the mode when only root may open it (0400 or 0600)
 *
 * Context: module load.
 * Return: @root_mode, widened to every user when loaded with unprivileged=1.
 */
umode_t vmscope_file_mode(umode_t root_mode)
{
	if (!unprivileged)
		return root_mode;
	return root_mode | (root_mode & 0700) >> 3 | (root_mode & 0700) >> 6;
}

/**
 * vmscope_access_open() - decide at open() what a file may see
 * @file: the file being opened (its f_cred are the opener's credentials)
 *
 * vmscope shows other processes' page tables, so by default opening any of
 * its files requires CAP_SYS_ADMIN in the initial user namespace: root
 * inside a user namespace is refused.  With unprivileged=1 anyone may open
 * them, and what is shown is limited by the record returned here.
 *
 * Context: process context, from a file's open().
 * Return: a new access record to keep with the file, ERR_PTR(-EPERM) if
 * the opener may not open vmscope files, or ERR_PTR(-ENOMEM).
 */
struct vmscope_access *vmscope_access_open(struct file *file)
{
	bool sys_admin = file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
	struct vmscope_access *acc;

	if (!sys_admin && !unprivileged)
		return ERR_PTR(-EPERM);

	acc = kzalloc(sizeof(*acc), GFP_KERNEL_ACCOUNT);
	if (!acc)
		return ERR_PTR(-ENOMEM);
	acc->wss = vmscope_wss_file_new();
	if (!acc->wss) {
		kfree(acc);
		return ERR_PTR(-ENOMEM);
	}
	acc->sys_admin = sys_admin;
	acc->sys_ptrace = file_ns_capable(file, &init_user_ns, CAP_SYS_PTRACE);
	acc->file = file;
	acc->cred = get_cred(file->f_cred);
	return acc;
}

/**
 * vmscope_access_release() - forget what an open file could see
 * @acc: record from vmscope_access_open(), or NULL
 *
 * Context: process context, from a file's release().
 */
void vmscope_access_release(struct vmscope_access *acc)
{
	if (!acc)
		return;
	vmscope_frames_free(acc->frames);
	vmscope_wss_file_free(acc->wss);
	vmscope_fault_log_free(acc->fault_log);
	put_cred(acc->cred);
	kfree(acc);
}

/* The opener's filesystem ids are the target's real, effective and saved. */
static bool vmscope_same_user(const struct cred *opener,
			      const struct cred *tcred)
{
	return uid_eq(opener->fsuid, tcred->euid) &&
	       uid_eq(opener->fsuid, tcred->suid) &&
	       uid_eq(opener->fsuid, tcred->uid) &&
	       gid_eq(opener->fsgid, tcred->egid) &&
	       gid_eq(opener->fsgid, tcred->sgid) &&
	       gid_eq(opener->fsgid, tcred->gid);
}

/*
 * cap_ptrace_access_check(), the capability rule of ptrace that no LSM
 * can switch off, for a PTRACE_MODE_FSCREDS access (as /proc/PID/maps):
 * the target is in the opener's user namespace and its permitted
 * capabilities are a subset of the opener's effective ones, or the opener
 * has CAP_SYS_PTRACE in the target's user namespace.
 */
static bool vmscope_caps_cover(const struct vmscope_access *acc,
			       const struct cred *tcred)
{
	const struct cred *opener = acc->cred;

	if (opener->user_ns == tcred->user_ns &&
	    cap_issubset(tcred->cap_permitted, opener->cap_effective))
		return true;
	return file_ns_capable(acc->file, tcred->user_ns, CAP_SYS_PTRACE);
}

/**
 * vmscope_access_mm() - may this open file look at a process's memory?
 * @acc: the open file's access record
 * @task: the process
 * @mm: its address space, referenced by the caller
 *
 * ptrace_may_access() is not exported to modules, so this applies the part
 * of its rules that vmscope can: a file opened with CAP_SYS_ADMIN or
 * CAP_SYS_PTRACE may look at any process; any other file only at processes
 * whose real, effective and saved user and group ids all equal the
 * opener's filesystem ids, that pass the capability rule of
 * cap_ptrace_access_check() (same user namespace and no capability the
 * opener lacks, or CAP_SYS_PTRACE over the target's user namespace), and
 * that are dumpable by their owner (vmscope_dumpable_by_owner(): not a
 * setuid program, not PR_SET_DUMPABLE 0).  No other LSM hook (Yama's
 * ptrace_scope, SELinux, AppArmor) is consulted.
 *
 * Context: process context, under the task's exec_update_lock (so that an
 * exec() cannot swap the mm and the credentials between the two checks);
 * takes rcu_read_lock().
 * Return: 0 if allowed, -EACCES if not.
 */
int vmscope_access_mm(const struct vmscope_access *acc,
		      struct task_struct *task, struct mm_struct *mm)
{
	const struct cred *tcred;
	bool ok;

	if (acc->sys_admin || acc->sys_ptrace)
		return 0;

	rcu_read_lock();
	tcred = __task_cred(task);
	ok = vmscope_same_user(acc->cred, tcred) &&
	     vmscope_caps_cover(acc, tcred);
	rcu_read_unlock();
	/* as __ptrace_may_access(): credentials before dumpability */
	smp_rmb();
	if (!ok || !vmscope_dumpable_by_owner(task, mm))
		return -EACCES;
	return 0;
}
