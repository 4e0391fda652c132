/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmscope internal interfaces between the core and its front ends
 * (procfs.c for /proc/vmscope, chardev.c for /dev/vmscope).
 */
#ifndef VMSCOPE_INTERNAL_H
#define VMSCOPE_INTERNAL_H

#include <linux/types.h>
#include <linux/vmscope.h>

struct file;

/**
 * struct vmscope_access - what one open file may see
 * @sys_admin: the opener had CAP_SYS_ADMIN in the initial user namespace.
 *	KASLR-randomised kernel addresses, PFNs and physical addresses are
 *	only ever shown to such files.
 *
 * Decided once, in open(), from the opener's credentials and kept with the
 * open file; read() and ioctl() never look at the caller again, so a file
 * descriptor passed to (or inherited by) someone else carries only the
 * rights of whoever opened it.
 */
struct vmscope_access {
	bool sys_admin;
};

umode_t vmscope_file_mode(umode_t root_mode);
struct vmscope_access *vmscope_access_open(struct file *file);
void vmscope_access_release(struct vmscope_access *acc);

void vmscope_info_fill(struct vmscope_info *info,
		       const struct vmscope_access *acc);

int vmscope_proc_init(void);
void vmscope_proc_exit(void);
int vmscope_dev_init(void);
void vmscope_dev_exit(void);

#endif /* VMSCOPE_INTERNAL_H */
