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

static long vmscope_ioctl_info(const struct vmscope_access *acc,
			       void __user *uarg)
{
	struct vmscope_info info;
	u32 usize;
	int err;

	err = vmscope_arg_in(&info, sizeof(info), VMSCOPE_INFO_SIZE_VER1, uarg,
			     &usize);
	if (err)
		return err;
	if (info.flags)
		return -EINVAL;

	vmscope_info_fill(&info, acc);
	info.size = min_t(u32, usize, sizeof(info));
	if (copy_to_user(uarg, &info, info.size))
		return -EFAULT;
	return 0;
}

static long vmscope_dev_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	const struct vmscope_access *acc = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VMSCOPE_IOC_INFO:
		return vmscope_ioctl_info(acc, uarg);
	default:
		return -ENOTTY;
	}
}

static int vmscope_dev_open(struct inode *inode, struct file *file)
{
	struct vmscope_access *acc = vmscope_access_open(file);

	if (IS_ERR(acc))
		return PTR_ERR(acc);
	file->private_data = acc;
	return nonseekable_open(inode, file);
}

static int vmscope_dev_release(struct inode *inode, struct file *file)
{
	vmscope_access_release(file->private_data);
	return 0;
}

static const struct file_operations vmscope_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= vmscope_dev_open,
	.release	= vmscope_dev_release,
	.unlocked_ioctl	= vmscope_dev_ioctl,
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
