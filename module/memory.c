// SPDX-License-Identifier: GPL-2.0
/*
 * Where RAM goes: every page of MemTotal in one of a few parts, each read
 * from the counter /proc/meminfo prints it from (fs/proc/meminfo.c), and
 * the rest, which no counter names, reported as such.
 *
 * meminfo reads the node and zone counters through helpers that are not
 * all exported (global_node_page_state_pages() is inline over
 * vm_node_stat, which is); si_meminfo() is exported and gives MemTotal,
 * MemFree, Buffers and Shmem exactly as meminfo prints them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/vmstat.h>

#include "compat.h"
#include "vmscope.h"

/* What meminfo's Cached is made of: file pages that are not swap cache. */
static void vmscope_memory_cache(struct vmscope_memory *mem,
				 const struct sysinfo *si)
{
	u64 *p = mem->pages;
	long cached;

	p[VMSCOPE_MEM_SWAPCACHED] = global_node_page_state(NR_SWAPCACHE);
	cached = global_node_page_state(NR_FILE_PAGES) -
		 p[VMSCOPE_MEM_SWAPCACHED] - si->bufferram;
	p[VMSCOPE_MEM_CACHED] = max(cached, 0L);
	p[VMSCOPE_MEM_SHMEM] = si->sharedram;
	p[VMSCOPE_MEM_FILE] = p[VMSCOPE_MEM_CACHED] > si->sharedram ?
			      p[VMSCOPE_MEM_CACHED] - si->sharedram : 0;
	p[VMSCOPE_MEM_BUFFERS] = si->bufferram;
	p[VMSCOPE_MEM_MAPPED] = global_node_page_state(NR_FILE_MAPPED);
	p[VMSCOPE_MEM_DIRTY] = global_node_page_state(NR_FILE_DIRTY);
	p[VMSCOPE_MEM_WRITEBACK] = global_node_page_state(NR_WRITEBACK);
	p[VMSCOPE_MEM_NR_DIRTIED] = global_node_page_state(NR_DIRTIED);
	p[VMSCOPE_MEM_NR_WRITTEN] = global_node_page_state(NR_WRITTEN);
}

/* The kernel's own allocations that meminfo names. */
static void vmscope_memory_kernel(struct vmscope_memory *mem)
{
	u64 *p = mem->pages;

	p[VMSCOPE_MEM_SRECLAIMABLE] =
		global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B);
	p[VMSCOPE_MEM_SUNRECLAIM] =
		global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);
	p[VMSCOPE_MEM_KERNELSTACK] =
		global_node_page_state(NR_KERNEL_STACK_KB) >> (PAGE_SHIFT - 10);
	p[VMSCOPE_MEM_PAGETABLES] = global_node_page_state(NR_PAGETABLE);
	p[VMSCOPE_MEM_SECPAGETABLES] =
		global_node_page_state(NR_SECONDARY_PAGETABLE);
#if IS_ENABLED(CONFIG_ZSMALLOC)
	p[VMSCOPE_MEM_ZSMALLOC] = global_zone_page_state(NR_ZSPAGES);
#endif
}

static void vmscope_memory_lru(struct vmscope_memory *mem)
{
	u64 *p = mem->pages;

	p[VMSCOPE_MEM_ANONPAGES] = global_node_page_state(NR_ANON_MAPPED);
	p[VMSCOPE_MEM_ACTIVE_ANON] = global_node_page_state(NR_ACTIVE_ANON);
	p[VMSCOPE_MEM_INACTIVE_ANON] = global_node_page_state(NR_INACTIVE_ANON);
	p[VMSCOPE_MEM_ACTIVE_FILE] = global_node_page_state(NR_ACTIVE_FILE);
	p[VMSCOPE_MEM_INACTIVE_FILE] = global_node_page_state(NR_INACTIVE_FILE);
	p[VMSCOPE_MEM_UNEVICTABLE] = global_node_page_state(NR_UNEVICTABLE);
	p[VMSCOPE_MEM_MLOCKED] = global_zone_page_state(NR_MLOCK);
}

/**
 * vmscope_memory() - every page of RAM, from the kernel's counters
 * @acc: the open /dev/vmscope file (the counters are system-wide, as
 *	/proc/meminfo, which everyone may read)
 * @mem: the request; see struct vmscope_memory
 *
 * The parts are read one after the other while the system runs, so they
 * are not a snapshot; VMSCOPE_MEM_UNACCOUNTED is what MemTotal leaves
 * after them (0 if they exceed it): vmalloc areas other than kernel
 * stacks, per-CPU areas, HugeTLB pages, pages drivers allocate, and
 * folios off every list for a moment.
 *
 * Context: any process context.
 * Return: 0 (flags are checked by the dispatcher).
 */
int vmscope_memory(const struct vmscope_access *acc,
		   struct vmscope_memory *mem)
{
	struct sysinfo si;
	u64 sum = 0;
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(mem->pages) < VMSCOPE_MEM_NR);
	si_meminfo(&si);
	mem->page_size = PAGE_SIZE;
	mem->nr = VMSCOPE_MEM_NR;
	mem->pages[VMSCOPE_MEM_MEMTOTAL] = si.totalram;
	mem->pages[VMSCOPE_MEM_MEMFREE] = si.freeram;
	mem->pages[VMSCOPE_MEM_MEMAVAILABLE] = si_mem_available();
	vmscope_memory_cache(mem, &si);
	vmscope_memory_kernel(mem);
	vmscope_memory_lru(mem);
#if !IS_ENABLED(CONFIG_ZSMALLOC)
	mem->pages[VMSCOPE_MEM_ZSMALLOC] = VMSCOPE_STAT_NONE;
#endif
	for (i = 0; i < VMSCOPE_MEM_UNACCOUNTED; i++)
		if (mem->pages[i] != VMSCOPE_STAT_NONE)
			sum += mem->pages[i];
	mem->pages[VMSCOPE_MEM_UNACCOUNTED] =
		si.totalram > sum ? si.totalram - sum : 0;
	return 0;
}
