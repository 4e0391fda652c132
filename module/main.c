// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope: make a live kernel's virtual memory visible.
 *
 * The core (info.c, access.c) answers questions about the kernel and its
 * processes; procfs.c and chardev.c are thin front ends over it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "vmscope.h"

static int __init vmscope_init(void)
{
	int err;

	err = vmscope_proc_init();
	if (err)
		return err;

	err = vmscope_dev_init();
	if (err)
		goto err_remove_proc;
	return 0;

err_remove_proc:
	vmscope_proc_exit();
	return err;
}

static void __exit vmscope_exit(void)
{
	vmscope_dev_exit();
	vmscope_proc_exit();
}

module_init(vmscope_init);
module_exit(vmscope_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmscope: the page tables and VMAs of live processes");
MODULE_VERSION("0.1");
