// SPDX-License-Identifier: GPL-2.0
/*
 * The running kernel's address-space facts: paging levels, page size, the
 * split between user and kernel space and where the kernel's regions start.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
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

static void vmscope_seq_addr(struct seq_file *m, const char *key, u64 addr,
			     bool shown)
{
	if (shown)
		seq_printf(m, "%-16s0x%016llx\n", key, addr);
	else
		seq_printf(m, "%-16shidden\n", key);
}

/**
 * vmscope_info_show() - the text of /proc/vmscope/info
 * @m: the seq_file
 * @acc: what the file may see
 *
 * Context: process context.
 * Return: 0.
 */
int vmscope_info_show(struct seq_file *m, const struct vmscope_access *acc)
{
	struct vmscope_info info;
	bool layout;

	vmscope_info_fill(&info, acc);
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
