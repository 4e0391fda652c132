/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmscope: make a live kernel's virtual memory visible.
 *
 * This header is the only thing the module, the vmscope CLI and the
 * selftests share.  Every structure starts with a @size field that the
 * caller sets to the size of the structure it knows; the module accepts any
 * size from the first published one up to PAGE_SIZE (bytes it does not know
 * must be zero), and copies back min(size, its own size) bytes.  Fields are
 * only ever appended.
 */
#ifndef _UAPI_LINUX_VMSCOPE_H
#define _UAPI_LINUX_VMSCOPE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Bumped when an ioctl or a /proc/vmscope file changes incompatibly. */
#define VMSCOPE_ABI_VERSION	1

#define VMSCOPE_DEVICE		"/dev/vmscope"
#define VMSCOPE_PROC_DIR	"/proc/vmscope"

/* Documentation/userspace-api/ioctl/ioctl-number.rst: 0xB8 10-2F is free. */
#define VMSCOPE_IOC_MAGIC	0xB8

/* vmscope_info.out_flags */
/* page_offset, vmalloc_start and vmemmap_start are filled in. */
#define VMSCOPE_INFO_KERNEL_LAYOUT	(1U << 0)

#define VMSCOPE_RELEASE_LEN	72

/**
 * struct vmscope_info - address-space facts of the running kernel
 * @size: in: sizeof(struct vmscope_info) as the caller was built with.
 * @flags: in: must be zero (no input flags are defined yet).
 * @abi_version: out: VMSCOPE_ABI_VERSION of the loaded module.
 * @levels: out: page-table levels in use: 4 or 5 (la57).
 * @page_shift: out: log2 of the base page size.
 * @va_bits: out: significant bits of a canonical virtual address (48 or 57).
 * @phys_bits: out: physical address bits of the CPU (MAXPHYADDR).
 * @ptrs_per_table: out: entries in one page table at the lowest level.
 * @task_size: out: end (exclusive) of user space, TASK_SIZE_MAX.
 * @mmap_window: out: end of the default mmap window; user mappings above it
 *	are only made when mmap() is given a hint above it (5-level only).
 * @kernel_start: out: lowest canonical kernel-half address.
 * @page_offset: out: start of the direct map of physical memory, or 0.
 * @vmalloc_start: out: start of the vmalloc/ioremap area, or 0.
 * @vmemmap_start: out: start of the struct page array, or 0.
 * @out_flags: out: VMSCOPE_INFO_* flags.  The three region bases above are
 *	randomised by KASLR and are filled in (VMSCOPE_INFO_KERNEL_LAYOUT) only
 *	when the file was opened with CAP_SYS_ADMIN.
 * @__reserved: zero.
 * @release: out: the kernel release (uname -r), NUL terminated.
 */
struct vmscope_info {
	__u32 size;		/* in */
	__u32 flags;		/* in */
	__u32 abi_version;	/* out */
	__u32 levels;		/* out */
	__u32 page_shift;	/* out */
	__u32 va_bits;		/* out */
	__u32 phys_bits;	/* out */
	__u32 ptrs_per_table;	/* out */
	__u64 task_size;	/* out */
	__u64 mmap_window;	/* out */
	__u64 kernel_start;	/* out */
	__u64 page_offset;	/* out */
	__u64 vmalloc_start;	/* out */
	__u64 vmemmap_start;	/* out */
	__u32 out_flags;	/* out */
	__u32 __reserved;	/* out */
	char release[VMSCOPE_RELEASE_LEN];	/* out */
};

#define VMSCOPE_INFO_SIZE_VER1	160

#define VMSCOPE_IOC_INFO	_IOWR(VMSCOPE_IOC_MAGIC, 0x10, struct vmscope_info)

#endif /* _UAPI_LINUX_VMSCOPE_H */
