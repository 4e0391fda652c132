// SPDX-License-Identifier: GPL-2.0
/*
 * The running kernel's address-space facts: paging levels, page size, the
 * split between user and kernel space and where the kernel's regions start.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <asm/processor.h>

#include "vmscope.h"

static u32 vmscope_paging_levels(void)
{
	return pgtable_l5_enabled() ? 5 : 4;
}

static void vmscope_info_kernel_layout(struct vmscope_info *info)
{
	info->page_offset = PAGE_OFFSET;
	info->vmalloc_start = VMALLOC_START;
	info->vmemmap_start = VMEMMAP_START;
	info->out_flags |= VMSCOPE_INFO_KERNEL_LAYOUT;
}

/**
 * vmscope_info_fill() - describe the running kernel's address space
 * @info: filled in completely; every byte not set below is zero
 * @acc: what the caller's open file may see
 *
 * The region bases (direct map, vmalloc, vmemmap) are randomised by KASLR
 * and are filled in only for files opened with CAP_SYS_ADMIN.
 *
 * Context: any context that may read utsname; takes no locks.
 */
void vmscope_info_fill(struct vmscope_info *info,
		       const struct vmscope_access *acc)
{
	u32 va_bits = __VIRTUAL_MASK_SHIFT + 1;

	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->abi_version = VMSCOPE_ABI_VERSION;
	info->levels = vmscope_paging_levels();
	info->page_shift = PAGE_SHIFT;
	info->va_bits = va_bits;
	info->phys_bits = boot_cpu_data.x86_phys_bits;
	info->ptrs_per_table = PTRS_PER_PTE;
	info->task_size = TASK_SIZE_MAX;
	info->mmap_window = DEFAULT_MAP_WINDOW;
	info->kernel_start = ~0ULL << (va_bits - 1);
	if (acc->sys_admin)
		vmscope_info_kernel_layout(info);
	strscpy(info->release, utsname()->release, sizeof(info->release));
}
