// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmscope: cat-able text views over the vmscope core.
 *
 * Every file is a single_open() seq_file whose show function formats what
 * the core reports; the access decision is taken in open() and kept with the
 * seq_file (m->private) for the file's lifetime.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "vmscope.h"

/**
 * struct vmscope_proc_file - one file in /proc/vmscope
 * @name: file name
 * @show: seq_file show function; m->private is the opener's access record
 */
struct vmscope_proc_file {
	const char *name;
	int (*show)(struct seq_file *m, void *v);
};

static struct proc_dir_entry *vmscope_proc_dir;

static void vmscope_seq_addr(struct seq_file *m, const char *key, u64 addr,
			     bool shown)
{
	if (shown)
		seq_printf(m, "%-16s0x%016llx\n", key, addr);
	else
		seq_printf(m, "%-16shidden\n", key);
}

static int vmscope_info_show(struct seq_file *m, void *v)
{
	struct vmscope_info info;
	bool layout;

	vmscope_info_fill(&info, m->private);
	layout = info.out_flags & VMSCOPE_INFO_KERNEL_LAYOUT;

	seq_printf(m, "%-16s%u\n", "abi_version:", info.abi_version);
	seq_printf(m, "%-16s%s\n", "release:", info.release);
	seq_printf(m, "%-16s%u\n", "levels:", info.levels);
	seq_printf(m, "%-16s%lu\n", "page_size:", 1UL << info.page_shift);
	seq_printf(m, "%-16s%u\n", "va_bits:", info.va_bits);
	seq_printf(m, "%-16s%u\n", "phys_bits:", info.phys_bits);
	seq_printf(m, "%-16s%u\n", "ptrs_per_table:", info.ptrs_per_table);
	vmscope_seq_addr(m, "task_size:", info.task_size, true);
	vmscope_seq_addr(m, "mmap_window:", info.mmap_window, true);
	vmscope_seq_addr(m, "kernel_start:", info.kernel_start, true);
	vmscope_seq_addr(m, "page_offset:", info.page_offset, layout);
	vmscope_seq_addr(m, "vmalloc_start:", info.vmalloc_start, layout);
	vmscope_seq_addr(m, "vmemmap_start:", info.vmemmap_start, layout);
	return 0;
}

static const struct vmscope_proc_file vmscope_proc_files[] = {
	{ "info", vmscope_info_show },
};

static int vmscope_proc_open(struct inode *inode, struct file *file)
{
	const struct vmscope_proc_file *pf = pde_data(inode);
	struct vmscope_access *acc;
	int err;

	acc = vmscope_access_open(file);
	if (IS_ERR(acc))
		return PTR_ERR(acc);

	err = single_open(file, pf->show, acc);
	if (err)
		vmscope_access_release(acc);
	return err;
}

static int vmscope_proc_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	vmscope_access_release(m->private);
	return single_release(inode, file);
}

static const struct proc_ops vmscope_proc_ops = {
	.proc_open	= vmscope_proc_open,
	.proc_read_iter	= seq_read_iter,
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
	umode_t mode = vmscope_file_mode(0400);
	int i;

	vmscope_proc_dir = proc_mkdir("vmscope", NULL);
	if (!vmscope_proc_dir)
		return -ENOMEM;

	for (i = 0; i < ARRAY_SIZE(vmscope_proc_files); i++) {
		const struct vmscope_proc_file *pf = &vmscope_proc_files[i];

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
