/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where vmscope tests kernel versions: helpers whose kernel
 * counterparts are missing, unexported or different on the kernels vmscope
 * supports (checked on 6.1 and 6.12).
 */
#ifndef VMSCOPE_COMPAT_H
#define VMSCOPE_COMPAT_H

#include <linux/mm.h>
#include <linux/page_idle.h>
#include <linux/swap.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/version.h>

/*
 * pmdp_get_lockless() came with 6.2; on x86-64 a PMD is read in one
 * 64-bit load, which is all it does there.
 */
#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE
#define pmdp_get_lockless(pmdp)	READ_ONCE(*(pmdp))
#endif

/**
 * vmscope_pte_map() - map the PTE table under a PMD
 * @pmdp: the PMD entry
 * @addr: an address the PMD covers
 * @pmdval: returns the PMD value the table was found through
 *
 * pte_offset_map_lock() calls __pte_offset_map_lock(), which is not
 * exported on 6.12.  This is its first half, __pte_offset_map(): take a
 * lockless snapshot of the PMD and map the table it points to.  The caller
 * then takes pte_lockptr(mm, pmdval) and checks with pmd_same() that the
 * PMD still holds *@pmdval.  Since 6.5 PTE tables can be freed under RCU
 * without mmap_lock (khugepaged's retract_page_tables()), so the caller
 * holds rcu_read_lock() across the use of the table.
 *
 * Context: rcu_read_lock() and mmap_lock held.
 * Return: the entry for @addr, or NULL if the PMD does not point to a PTE
 * table.
 */
static inline pte_t *vmscope_pte_map(pmd_t *pmdp, unsigned long addr,
				     pmd_t *pmdval)
{
	*pmdval = pmdp_get_lockless(pmdp);
	if (pmd_none(*pmdval) || !pmd_present(*pmdval) ||
	    pmd_trans_huge(*pmdval) || pmd_devmap(*pmdval) ||
	    pmd_bad(*pmdval))
		return NULL;
	return pte_offset_kernel(pmdval, addr);
}

/**
 * vmscope_page_mapcount() - page-table entries mapping a page
 * @page: a mapped page, its mapping's page-table lock held
 *
 * 6.1 has page_mapcount() (per page); later kernels dropped it and count
 * mappings per folio only (folio_mapcount()).
 *
 * Return: the mapcount.
 */
static inline int vmscope_page_mapcount(struct page *page)
{
#if KERNEL_VERSION(6, 9, 0) <= LINUX_VERSION_CODE
	return folio_mapcount(page_folio(page));
#else
	return page_mapcount(page);
#endif
}

/**
 * vmscope_mm_counter() - a process's page counter, as /proc/PID/status says
 * @mm: the address space
 * @member: MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES or MM_SWAPENTS
 *
 * Since 6.2 the counters are per-CPU and status sums them exactly.
 *
 * Return: the count, in pages.
 */
static inline unsigned long vmscope_mm_counter(struct mm_struct *mm,
					       int member)
{
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
	return get_mm_counter_sum(mm, member);
#else
	return get_mm_counter(mm, member);
#endif
}

/* pgscan_khugepaged and pgsteal_khugepaged were split out in 6.2. */
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
#define VMSCOPE_HAVE_KHUGEPAGED_SCAN 1
#endif

/*
 * The buddy allocator's orders: MAX_ORDER of them until 6.4, which made
 * MAX_ORDER the largest order; 6.8 renamed it and added NR_PAGE_ORDERS.
 */
#if KERNEL_VERSION(6, 4, 0) > LINUX_VERSION_CODE
#define NR_PAGE_ORDERS	MAX_ORDER
#elif KERNEL_VERSION(6, 8, 0) > LINUX_VERSION_CODE
#define NR_PAGE_ORDERS	(MAX_ORDER + 1)
#endif

/**
 * vmscope_vm_flags_set() - set flags of a VMA being mmap()ed
 * @vma: the VMA, not yet visible to anyone else
 * @flags: VM_* flags
 *
 * vm_flags became read-only behind vm_flags_set() in 6.3.
 */
static inline void vmscope_vm_flags_set(struct vm_area_struct *vma,
					vm_flags_t flags)
{
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/**
 * vmscope_folio_keep_young() - hand a reference, seen in an Accessed bit
 *	that vmscope cleared, to the kernel's page aging
 * @folio: the folio the entry mapped
 * @vma: the VMA of the entry
 *
 * With CONFIG_PAGE_IDLE_FLAG (Debian's 6.12), as idle page tracking does
 * (mm/page_idle.c): PG_young, which folio_referenced() counts as a young
 * PTE, and PG_idle cleared, which DAMON's vaddr checks read.  Without it
 * (Debian's 6.1) there is no such flag; as zap_pte_range() does when it
 * removes a young PTE, the reference goes to folio_mark_accessed().
 *
 * Context: the page-table lock of the entry held (the folio is mapped).
 */
static inline void vmscope_folio_keep_young(struct folio *folio,
					    struct vm_area_struct *vma)
{
#if defined(CONFIG_PAGE_IDLE_FLAG) && defined(CONFIG_64BIT)
	/* tested first: a locked operation per page is what a pass costs */
	if (folio_test_idle(folio))
		folio_clear_idle(folio);
	if (!folio_test_young(folio))
		folio_set_young(folio);
#else
	if (!(vma->vm_flags & VM_SEQ_READ))
		folio_mark_accessed(folio);
#endif
}

#endif /* VMSCOPE_COMPAT_H */
