// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmscope: cat-able text views over the vmscope core.
 *
 * Every file is a single_open() seq_file whose show function is the
 * feature's own (info.c, faults.c, oom.c, reclaim.c: one file per
 * feature formats its text, see Documentation/internals.md); the access
 * decision is taken in open() and kept with the seq_file (m->private) for
 * the file's lifetime.  The per-process files
 * show the opener's own process until a PID is written to the open file
 * (the choice belongs to that open file alone, and what it may see was
 * decided at open); the oom file takes the swap size the same way.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "vmscope.h"

struct vmscope_proc_file;

/**
 * struct vmscope_proc_open - one open file of /proc/vmscope
 * @acc: what the opener may see
 * @pf: which file
 * @pid: the process a per-process file shows: the opener's own, or the one
 *	whose PID was written to the file
 * @swap_total: pages of swap written to the oom file, U64_MAX if none
 */
struct vmscope_proc_open {
	struct vmscope_access *acc;
	const struct vmscope_proc_file *pf;
	struct pid *pid;
	u64 swap_total;
};

/**
 * struct vmscope_proc_file - one file in /proc/vmscope
 * @name: file name
 * @show: formats the file; runs under the seq_file's lock
 * @write: if set, the file is writable and a number written to it is
 *	given to this, under the seq_file's lock
 * @size: if not 0, the seq_file's buffer, allocated at open: what @show
 *	may write, which it must not be asked to write twice
 */
struct vmscope_proc_file {
	const char *name;
	int (*show)(struct seq_file *m, struct vmscope_proc_open *po);
	int (*write)(struct vmscope_proc_open *po, u64 val);
	size_t size;
};

static struct proc_dir_entry *vmscope_proc_dir;

static int vmscope_info_file_show(struct seq_file *m,
				  struct vmscope_proc_open *po)
{
	return vmscope_info_show(m, po->acc);
}

static int vmscope_faults_file_show(struct seq_file *m,
				    struct vmscope_proc_open *po)
{
	return vmscope_faults_show(m, po->acc, po->pid);
}

/* A PID, in the writer's PID namespace, now. */
static int vmscope_faults_file_write(struct vmscope_proc_open *po, u64 nr)
{
	struct pid *pid = vmscope_find_pid(min_t(u64, nr, U32_MAX));

	if (IS_ERR(pid))
		return PTR_ERR(pid);
	swap(po->pid, pid);
	put_pid(pid);
	return 0;
}

static int vmscope_oom_file_show(struct seq_file *m,
				 struct vmscope_proc_open *po)
{
	return vmscope_oom_show(m, po->acc, po->swap_total);
}

/* SwapTotal of /proc/meminfo, in kB */
static int vmscope_oom_file_write(struct vmscope_proc_open *po, u64 kb)
{
	u64 pages = kb >> (PAGE_SHIFT - 10);

	if (pages > VMSCOPE_OOM_MAX_SWAP)
		return -EINVAL;
	po->swap_total = pages;
	return 0;
}

static int vmscope_reclaim_file_show(struct seq_file *m,
				     struct vmscope_proc_open *po)
{
	return vmscope_reclaim_show(m, NULL);
}

static int vmscope_wss_file_show(struct seq_file *m,
				 struct vmscope_proc_open *po)
{
	return vmscope_wss_show(m, po->acc, po->pid);
}

static const struct vmscope_proc_file vmscope_proc_files[] = {
	{ "info", vmscope_info_file_show },
	{ "faults", vmscope_faults_file_show, vmscope_faults_file_write },
	{ "oom", vmscope_oom_file_show, vmscope_oom_file_write },
	{ "reclaim", vmscope_reclaim_file_show },
	{ "wss", vmscope_wss_file_show, vmscope_faults_file_write,
	  VMSCOPE_WSS_SHOW_BYTES },
};

static int vmscope_proc_show(struct seq_file *m, void *v)
{
	struct vmscope_proc_open *po = m->private;

	return po->pf->show(m, po);
}

static void vmscope_proc_free(struct vmscope_proc_open *po)
{
	put_pid(po->pid);
	vmscope_access_release(po->acc);
	kfree(po);
}

static int vmscope_proc_open(struct inode *inode, struct file *file)
{
	struct vmscope_proc_open *po;
	struct vmscope_access *acc;
	int err;

	acc = vmscope_access_open(file);
	if (IS_ERR(acc))
		return PTR_ERR(acc);
	po = kzalloc(sizeof(*po), GFP_KERNEL);
	if (!po) {
		vmscope_access_release(acc);
		return -ENOMEM;
	}
	po->acc = acc;
	po->pf = pde_data(inode);
	po->pid = get_pid(task_tgid(current));
	po->swap_total = U64_MAX;
	if (po->pf->size)
		err = single_open_size(file, vmscope_proc_show, po,
				       po->pf->size);
	else
		err = single_open(file, vmscope_proc_show, po);
	if (err)
		vmscope_proc_free(po);
	return err;
}

/* A number, for the next read from the start. */
static ssize_t vmscope_proc_write(struct file *file, const char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	struct vmscope_proc_open *po = m->private;
	int err;
	u64 val;

	if (!po->pf->write)
		return -EINVAL;
	err = kstrtou64_from_user(buf, count, 10, &val);
	if (err)
		return err;
	mutex_lock(&m->lock);
	err = po->pf->write(po, val);
	mutex_unlock(&m->lock);
	return err ? err : count;
}

static int vmscope_proc_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	vmscope_proc_free(m->private);
	return single_release(inode, file);
}

static const struct proc_ops vmscope_proc_ops = {
	.proc_open	= vmscope_proc_open,
	.proc_read_iter	= seq_read_iter,
	.proc_write	= vmscope_proc_write,
	.proc_lseek	= seq_lseek,
	.proc_release	= vmscope_proc_release,
};

/**
 * vmscope_proc_init() - create /proc/vmscope and its files
 *
 * Context: module load.
 * Return: 0 or -ENOMEM.
 */
int vmscope_proc_init(void)
{
	int i;

	vmscope_proc_dir = proc_mkdir("vmscope", NULL);
	if (!vmscope_proc_dir)
		return -ENOMEM;

	for (i = 0; i < ARRAY_SIZE(vmscope_proc_files); i++) {
		const struct vmscope_proc_file *pf = &vmscope_proc_files[i];
		umode_t mode = vmscope_file_mode(pf->write ? 0600 : 0400);

		if (!proc_create_data(pf->name, mode, vmscope_proc_dir,
				      &vmscope_proc_ops, (void *)pf))
			goto err_remove;
	}
	/* a PID may be written to it: read-write, root only by default */
	if (!proc_create("layout", vmscope_file_mode(0600), vmscope_proc_dir,
			 &vmscope_layout_proc_ops))
		goto err_remove;
	return 0;

err_remove:
	proc_remove(vmscope_proc_dir);
	return -ENOMEM;
}

/**
 * vmscope_proc_exit() - remove /proc/vmscope
 *
 * Waits for reads in progress; files still open afterwards fail with -EIO.
 *
 * Context: module unload, or a failed load.
 */
void vmscope_proc_exit(void)
{
	proc_remove(vmscope_proc_dir);
}
