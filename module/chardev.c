// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vmscope: the binary, versioned ioctl interface over the vmscope core.
 *
 * Every ioctl argument starts with a __u32 size.  The argument is read with
 * copy_struct_from_user(), so older and newer callers both work, and at most
 * min(size, sizeof(struct)) bytes are written back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vmscope.h"

/**
 * vmscope_arg_in() - read a size-prefixed ioctl argument
 * @karg: kernel copy, completely overwritten
 * @ksize: size of @karg
 * @minsize: smallest size ever published for this argument
 * @uarg: user pointer to the argument
 * @usize: returns the caller's size
 *
 * Return: 0, -EFAULT, -EINVAL for a size below @minsize, -E2BIG for a size
 * above PAGE_SIZE or for non-zero bytes beyond @ksize.
 */
static int vmscope_arg_in(void *karg, size_t ksize, size_t minsize,
			  const void __user *uarg, u32 *usize)
{
	u32 size;

	if (get_user(size, (const u32 __user *)uarg))
		return -EFAULT;
	if (size < minsize)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	*usize = size;
	return copy_struct_from_user(karg, ksize, uarg, size);
}

static int vmscope_op_info(const struct vmscope_access *acc, void *karg)
{
	struct vmscope_info *info = karg;

	if (info->flags)
		return -EINVAL;
	vmscope_info_fill(info, acc);
	return 0;
}

static int vmscope_op_translate(const struct vmscope_access *acc, void *karg)
{
	struct vmscope_translate *tr = karg;

	if (tr->flags)
		return -EINVAL;
	return vmscope_translate(acc, tr);
}

static int vmscope_op_walk(const struct vmscope_access *acc, void *karg)
{
	return vmscope_walk_pages(acc, karg);
}

static int vmscope_op_ptstats(const struct vmscope_access *acc, void *karg)
{
	struct vmscope_ptstats *st = karg;

	if (st->flags)
		return -EINVAL;
	return vmscope_ptstats(acc, st);
}

static int vmscope_op_layout(const struct vmscope_access *acc, void *karg)
{
	return vmscope_layout(acc, karg);
}

static int vmscope_op_faults(const struct vmscope_access *acc, void *karg)
{
	return vmscope_faults(acc, karg);
}

static int vmscope_op_oom(const struct vmscope_access *acc, void *karg)
{
	return vmscope_oom(acc, karg);
}

static int vmscope_op_reclaim(const struct vmscope_access *acc, void *karg)
{
	return vmscope_reclaim(acc, karg);
}

static int vmscope_op_faultlog(const struct vmscope_access *acc, void *karg)
{
	return vmscope_faultlog(acc, karg);
}

static int vmscope_op_filecache(const struct vmscope_access *acc, void *karg)
{
	return vmscope_filecache(acc, karg);
}

static int vmscope_op_census(const struct vmscope_access *acc, void *karg)
{
	return vmscope_census(acc, karg);
}

static int vmscope_op_memory(const struct vmscope_access *acc, void *karg)
{
	return vmscope_memory(acc, karg);
}

/**
 * struct vmscope_ioctl - one ioctl: its argument and the core operation
 * @cmd: VMSCOPE_IOC_*
 * @ksize: size of the argument structure this module knows
 * @minsize: first published size of it
 * @op: the operation; the argument holds the caller's input, is
 *	overwritten with the output, and is copied back even on error (so
 *	a bulk walk reports how far it got)
 */
struct vmscope_ioctl {
	unsigned int cmd;
	u32 ksize;
	u32 minsize;
	int (*op)(const struct vmscope_access *acc, void *karg);
};

static const struct vmscope_ioctl vmscope_ioctls[] = {
	{ VMSCOPE_IOC_INFO, sizeof(struct vmscope_info),
	  VMSCOPE_INFO_SIZE_VER1, vmscope_op_info },
	{ VMSCOPE_IOC_TRANSLATE, sizeof(struct vmscope_translate),
	  VMSCOPE_TRANSLATE_SIZE_VER1, vmscope_op_translate },
	{ VMSCOPE_IOC_WALK, sizeof(struct vmscope_walk),
	  VMSCOPE_WALK_SIZE_VER1, vmscope_op_walk },
	{ VMSCOPE_IOC_PTSTATS, sizeof(struct vmscope_ptstats),
	  VMSCOPE_PTSTATS_SIZE_VER1, vmscope_op_ptstats },
	{ VMSCOPE_IOC_LAYOUT, sizeof(struct vmscope_layout),
	  VMSCOPE_LAYOUT_SIZE_VER1, vmscope_op_layout },
	{ VMSCOPE_IOC_FAULTS, sizeof(struct vmscope_faults),
	  VMSCOPE_FAULTS_SIZE_VER1, vmscope_op_faults },
	{ VMSCOPE_IOC_OOM, sizeof(struct vmscope_oom),
	  VMSCOPE_OOM_SIZE_VER1, vmscope_op_oom },
	{ VMSCOPE_IOC_RECLAIM, sizeof(struct vmscope_reclaim),
	  VMSCOPE_RECLAIM_SIZE_VER1, vmscope_op_reclaim },
	{ VMSCOPE_IOC_FAULTLOG, sizeof(struct vmscope_faultlog),
	  VMSCOPE_FAULTLOG_SIZE_VER1, vmscope_op_faultlog },
	{ VMSCOPE_IOC_FILECACHE, sizeof(struct vmscope_filecache),
	  VMSCOPE_FILECACHE_SIZE_VER1, vmscope_op_filecache },
	{ VMSCOPE_IOC_CENSUS, sizeof(struct vmscope_census),
	  VMSCOPE_CENSUS_SIZE_VER1, vmscope_op_census },
	{ VMSCOPE_IOC_MEMORY, sizeof(struct vmscope_memory),
	  VMSCOPE_MEMORY_SIZE_VER1, vmscope_op_memory },
};

union vmscope_ioctl_arg {
	struct vmscope_info info;
	struct vmscope_translate translate;
	struct vmscope_walk walk;
	struct vmscope_ptstats ptstats;
	struct vmscope_layout layout;
	struct vmscope_faults faults;
	struct vmscope_oom oom;
	struct vmscope_reclaim reclaim;
	struct vmscope_faultlog faultlog;
	struct vmscope_filecache filecache;
	struct vmscope_census census;
	struct vmscope_memory memory;
};

static long vmscope_do_ioctl(const struct vmscope_access *acc,
			     const struct vmscope_ioctl *ioc,
			     void __user *uarg)
{
	union vmscope_ioctl_arg *karg;
	u32 usize;
	int err;

	karg = kzalloc(sizeof(*karg), GFP_KERNEL);
	if (!karg)
		return -ENOMEM;
	err = vmscope_arg_in(karg, ioc->ksize, ioc->minsize, uarg, &usize);
	if (err)
		goto out_free;

	err = ioc->op(acc, karg);
	/* The operation set the size it knows; report what is filled in. */
	*(u32 *)karg = min(usize, ioc->ksize);
	if (copy_to_user(uarg, karg, min(usize, ioc->ksize)))
		err = -EFAULT;
out_free:
	kfree(karg);
	return err;
}

/*
 * The size in the command number is that of the structure the caller was
 * built with; the structure's own size field is what counts, so that a
 * structure can grow without the command changing (botching-up-ioctls.rst).
 */
static bool vmscope_ioctl_match(unsigned int cmd, unsigned int ours)
{
	return _IOC_TYPE(cmd) == _IOC_TYPE(ours) &&
	       _IOC_NR(cmd) == _IOC_NR(ours) &&
	       _IOC_DIR(cmd) == _IOC_DIR(ours);
}

static long vmscope_dev_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	const struct vmscope_access *acc = file->private_data;
	int i;

	for (i = 0; i < ARRAY_SIZE(vmscope_ioctls); i++)
		if (vmscope_ioctl_match(cmd, vmscope_ioctls[i].cmd))
			return vmscope_do_ioctl(acc, &vmscope_ioctls[i],
						(void __user *)arg);
	return -ENOTTY;
}

static int vmscope_dev_open(struct inode *inode, struct file *file)
{
	struct vmscope_access *acc = vmscope_access_open(file);
	int err;

	if (IS_ERR(acc))
		return PTR_ERR(acc);
	err = vmscope_fault_log_open(acc);
	if (err) {
		vmscope_access_release(acc);
		return err;
	}
	file->private_data = acc;
	return nonseekable_open(inode, file);
}

static int vmscope_dev_release(struct inode *inode, struct file *file)
{
	vmscope_access_release(file->private_data);
	return 0;
}

/* A mapping whose faults the module serves and records: faultlog.c */
static int vmscope_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	return vmscope_fault_log_mmap(file->private_data, vma);
}

static const struct file_operations vmscope_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= vmscope_dev_open,
	.release	= vmscope_dev_release,
	.unlocked_ioctl	= vmscope_dev_ioctl,
	.mmap		= vmscope_dev_mmap,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice vmscope_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vmscope",
	.fops	= &vmscope_dev_fops,
};

/**
 * vmscope_dev_init() - register /dev/vmscope
 *
 * Context: module load.
 * Return: 0 or the error from misc_register().
 */
int vmscope_dev_init(void)
{
	vmscope_miscdev.mode = vmscope_file_mode(0600);
	return misc_register(&vmscope_miscdev);
}

/**
 * vmscope_dev_exit() - unregister /dev/vmscope
 *
 * Open files pin the module (fops.owner), so this runs with none open.
 *
 * Context: module unload, or a failed load.
 */
void vmscope_dev_exit(void)
{
	misc_deregister(&vmscope_miscdev);
}
