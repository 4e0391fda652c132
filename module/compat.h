/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where vmscope tests kernel versions: helpers whose kernel
 * counterparts are missing, unexported or different on the kernels vmscope
 * supports (checked on Debian's 6.1, 6.12 and unstable's 7.2).  Each shim
 * names the release and the commit that made it necessary; where a newer
 * kernel renamed something, the code uses the new name and the shim gives
 * it to older kernels.
 */
#ifndef VMSCOPE_COMPAT_H
#define VMSCOPE_COMPAT_H

#include <linux/hugetlb.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/page_idle.h>
#include <linux/swap.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/swap.h>
#include <linux/version.h>
#include <asm/cpufeature.h>
#include <asm/invpcid.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#if KERNEL_VERSION(6, 19, 0) <= LINUX_VERSION_CODE
#include <linux/leafops.h>
#else
#include <linux/swapops.h>
#endif
#if KERNEL_VERSION(7, 2, 0) <= LINUX_VERSION_CODE
#include <linux/sched/exec_state.h>
#else
#include <linux/sched/coredump.h>
#endif

/*
 * pmdp_get_lockless() came with 6.2; on x86-64 a PMD is read in one
 * 64-bit load, which is all it does there.
 */
#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE
#define pmdp_get_lockless(pmdp)	READ_ONCE(*(pmdp))
#endif

/*
 * The devmap PMD bit went in 6.17 ("mm: remove devmap related functions
 * and page table bits"), with CONFIG_ARCH_HAS_PTE_DEVMAP: a DAX PMD is an
 * ordinary huge PMD since.
 */
static inline bool vmscope_pmd_devmap(pmd_t pmd)
{
#ifdef CONFIG_ARCH_HAS_PTE_DEVMAP
	return pmd_devmap(pmd);
#else
	return false;
#endif
}

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
	    pmd_trans_huge(*pmdval) || vmscope_pmd_devmap(*pmdval) ||
	    pmd_bad(*pmdval))
		return NULL;
	return pte_offset_kernel(pmdval, addr);
}

/**
 * vmscope_vma_is_heap() - whether /proc/PID/maps names a VMA [heap]
 * @vma: the VMA, its mm's mmap_lock held
 *
 * "mm: factor out VMA stack and heap checks" (6.6) made maps's test
 * vma_is_initial_heap(), which is strict: a VMA that only touches an empty
 * heap (brk == start_brk) is not it.  Before, both ends were inclusive,
 * and an anonymous bss right below an empty heap was named [heap].
 *
 * Return: true if maps shows [heap] for @vma.
 */
static inline bool vmscope_vma_is_heap(const struct vm_area_struct *vma)
{
#if KERNEL_VERSION(6, 6, 0) <= LINUX_VERSION_CODE
	return vma_is_initial_heap(vma);
#else
	return vma->vm_start <= vma->vm_mm->brk &&
	       vma->vm_end >= vma->vm_mm->start_brk;
#endif
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

/**
 * vmscope_oom_counter() - a page counter of @mm as oom_badness() reads it
 * @mm: the address space
 * @member: MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES or MM_SWAPENTS
 *
 * oom_badness() read the per-CPU counters' approximate totals
 * (get_mm_rss(), get_mm_counter()) until "mm: Fix OOM killer inaccuracy
 * on large many-core systems" (Mathieu Desnoyers, January 2026) made it
 * sum them exactly (get_mm_rss_sum(), get_mm_counter_sum()).  Debian's
 * 7.2 has it, its 6.12.118 has not; the first release with it is taken
 * to be 7.0 (posted for mm-new in January 2026; not checked further).
 * /proc/PID/oom_score differs by a page or two between the two reads for
 * a process whose counters have changes pending on some CPU.
 *
 * Return: the count, in pages.
 */
static inline unsigned long vmscope_oom_counter(struct mm_struct *mm,
						int member)
{
#if KERNEL_VERSION(7, 0, 0) <= LINUX_VERSION_CODE
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
 * pgscan_*, pgsteal_* and pgrefill moved from the vm events to the node
 * stats in 7.1 ("mm: move pgscan, pgsteal, pgrefill to node stats"): the
 * same names, other enum, other counters.  /proc/vmstat prints them among
 * the node stats since, and they count reclaim within a memory cgroup's
 * limit too, which the vm events left out.
 */
#if KERNEL_VERSION(7, 1, 0) <= LINUX_VERSION_CODE
#define VMSCOPE_HAVE_RECLAIM_NODE_STATS 1
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

/**
 * vmscope_cache_index_shift() - the unit of an inode's page-cache indexes
 * @inode: the inode
 *
 * Until 6.7 ("mm/filemap: remove hugetlb special casing in filemap.c")
 * hugetlbfs kept its page cache in huge-page units: one order-0 entry at
 * the huge page's index, and nrpages counting huge pages.
 *
 * Return: how far to shift such an index (or count) left to get base
 * pages; 0 elsewhere.
 */
static inline unsigned int vmscope_cache_index_shift(struct inode *inode)
{
#if KERNEL_VERSION(6, 7, 0) > LINUX_VERSION_CODE && IS_ENABLED(CONFIG_HUGETLBFS)
	if (inode->i_sb->s_magic == HUGETLBFS_MAGIC)
		return huge_page_order(hstate_inode(inode));
#endif
	return 0;
}

/*
 * mm->flags became a bitmap read through mm_flags_test() in 6.18 ("mm: add
 * bitmap mm->flags field", "mm: convert core mm to mm_flags_*() accessors").
 */
#if KERNEL_VERSION(6, 18, 0) > LINUX_VERSION_CODE
#define mm_flags_test(flag, mm)	test_bit(flag, &(mm)->flags)
#endif

/*
 * zap_vma_ptes() became zap_special_vma_range() in 7.1 ("mm: rename
 * zap_vma_ptes() to zap_special_vma_range()"): the same VM_PFNMAP check
 * and the same work.
 */
#if KERNEL_VERSION(7, 1, 0) > LINUX_VERSION_CODE
#define zap_special_vma_range(vma, addr, size)	zap_vma_ptes(vma, addr, size)
#endif

/*
 * The anon/KSM bits in folio->mapping were renamed in 6.17 ("mm: rename
 * PAGE_MAPPING_* to FOLIO_MAPPING_*").
 */
#if KERNEL_VERSION(6, 17, 0) > LINUX_VERSION_CODE
#define FOLIO_MAPPING_ANON	PAGE_MAPPING_ANON
#define FOLIO_MAPPING_KSM	PAGE_MAPPING_KSM
#define FOLIO_MAPPING_FLAGS	PAGE_MAPPING_FLAGS
#endif

/**
 * vmscope_folio_flags_word() - one read of a folio's page flags
 * @folio: the folio
 *
 * The flags word became a memdesc_flags_t in 6.18 ("mm: introduce
 * memdesc_flags_t").
 *
 * Return: the PG_* bits, as one word.
 */
static __always_inline unsigned long
vmscope_folio_flags_word(const struct folio *folio)
{
#if KERNEL_VERSION(6, 18, 0) <= LINUX_VERSION_CODE
	return READ_ONCE(folio->flags.f);
#else
	return READ_ONCE(folio->flags);
#endif
}

/*
 * Software entries in a non-present PTE or PMD (swap, migration, device,
 * hwpoison, markers): 6.19 replaced the swapops predicates by softleaf_t
 * and <linux/leafops.h> ("mm: introduce leaf entry type and use to
 * simplify leaf entry logic", then "mm: remove non_swap_entry() and use
 * softleaf helpers instead", "mm: eliminate further swapops predicates",
 * "mm: replace remaining pte_to_swp_entry() with softleaf_from_pte()").
 * softleaf_t is swp_entry_t there; swp_type() and swp_offset() remain.
 * Huge leaves are read through the PTE helpers too: on x86 a PMD or PUD
 * software entry has the PTE's swap format (hugetlb writes them as PTEs).
 */
#if KERNEL_VERSION(6, 19, 0) <= LINUX_VERSION_CODE
#define vmscope_swp_from_pte(pte)	softleaf_from_pte(pte)
#define vmscope_swp_is_migration(e)	softleaf_is_migration(e)
#define vmscope_swp_is_hwpoison(e)	softleaf_is_hwpoison(e)
#define vmscope_swp_is_swap(e)		softleaf_is_swap(e)
#define vmscope_swp_has_pfn(e)		softleaf_has_pfn(e)
#define vmscope_swp_pfn(e)		softleaf_to_pfn(e)
#else
#define vmscope_swp_from_pte(pte)	pte_to_swp_entry(pte)
#define vmscope_swp_is_migration(e)	is_migration_entry(e)
#define vmscope_swp_is_hwpoison(e)	is_hwpoison_entry(e)
#define vmscope_swp_is_swap(e)		(!non_swap_entry(e))
#define vmscope_swp_has_pfn(e)		is_pfn_swap_entry(e)
#define vmscope_swp_pfn(e)		swp_offset_pfn(e)
#endif

/**
 * vmscope_swp_is_device() - whether a software entry is a device entry
 * @e: the entry
 *
 * Return: true for device-private and device-exclusive entries.
 */
static inline bool vmscope_swp_is_device(swp_entry_t e)
{
#if KERNEL_VERSION(6, 19, 0) <= LINUX_VERSION_CODE
	return softleaf_is_device_private(e) || softleaf_is_device_exclusive(e);
#else
	return is_device_private_entry(e) || is_device_exclusive_entry(e);
#endif
}

/**
 * vmscope_dumpable_by_owner() - whether a task's owner may look at it
 * @task: the task
 * @mm: its address space
 *
 * What __ptrace_may_access() asks: is the task dumpable by its owner (not
 * a setuid program, not PR_SET_DUMPABLE 0)?  7.2 moved dumpability from
 * mm->flags (get_dumpable(), SUID_DUMP_USER) to task->exec_state
 * (TASK_DUMPABLE_OWNER): "sched: introduce struct task_exec_state"
 * (Christian Brauner, posted May 2026 in the thread of "ptrace: keep
 * task's mm around in separate exit_mm field post-exit").
 * task_exec_state_get_dumpable() is not exported, so this reads the field
 * the way it does, under RCU.
 *
 * Context: any; takes rcu_read_lock() on 7.2.
 * Return: true if dumpable by the owner.
 */
static inline bool vmscope_dumpable_by_owner(struct task_struct *task,
					     struct mm_struct *mm)
{
#if KERNEL_VERSION(7, 2, 0) <= LINUX_VERSION_CODE
	const struct task_exec_state *es;
	bool owner;

	rcu_read_lock();
	es = rcu_dereference(task->exec_state);
	owner = READ_ONCE(es->dumpable) == TASK_DUMPABLE_OWNER;
	rcu_read_unlock();
	return owner;
#else
	return get_dumpable(mm) == SUID_DUMP_USER;
#endif
}

/*
 * inode->i_state became a struct inode_state_flags read through
 * inode_state_read() (under i_lock) in 6.19 (Mateusz Guzik's series "fs:
 * provide accessors for ->i_state", then the field wrapped so that only
 * the accessors reach it).
 */
#if KERNEL_VERSION(6, 19, 0) > LINUX_VERSION_CODE
#define inode_state_read(inode)	((inode)->i_state)
#endif

/**
 * vmscope_flush_tlb_local() - drop this CPU's cached user translations
 *
 * Up to 6.18, __flush_tlb_all() (exported, GPL) does it, global entries
 * included.  6.19 exports it to the KVM modules only: "x86: Restrict
 * KVM-induced symbol exports to KVM modules where obvious/possible"
 * (Sean Christopherson; EXPORT_SYMBOL_FOR_KVM, Module.symvers namespace
 * "module:kvm,kvm-amd,kvm-intel", as Debian's 7.2 shows).  From there on,
 * with PCID and INVPCID this invalidates the non-global entries of every
 * address space ID (every user translation, PTI's user ASIDs included);
 * without PCID it reloads CR3, which does the same (the test VMs' qemu64).
 * With PCID but no INVPCID a CR3 reload leaves the entries other address
 * space IDs cached: vmscope_tlb_flush_complete() says so.
 *
 * Context: any; disables interrupts for a CR3 reload.
 */
static inline void vmscope_flush_tlb_local(void)
{
#if KERNEL_VERSION(6, 19, 0) <= LINUX_VERSION_CODE
	unsigned long flags;

	if (boot_cpu_has(X86_FEATURE_PCID) &&
	    boot_cpu_has(X86_FEATURE_INVPCID)) {
		invpcid_flush_all_nonglobals();
		return;
	}
	local_irq_save(flags);
	native_write_cr3(__native_read_cr3());
	local_irq_restore(flags);
#else
	__flush_tlb_all();
#endif
}

/**
 * vmscope_tlb_flush_complete() - whether vmscope_flush_tlb_local() drops
 * every user translation the CPU caches, of every address space
 *
 * Where it does not (6.19 and later on a CPU with PCID but without
 * INVPCID), a CPU may keep writing through a cached dirty translation
 * after the Dirty bit was cleared, so callers must not clear it there.
 *
 * Return: true if the flush is complete.
 */
static inline bool vmscope_tlb_flush_complete(void)
{
#if KERNEL_VERSION(6, 19, 0) <= LINUX_VERSION_CODE
	return !boot_cpu_has(X86_FEATURE_PCID) ||
	       boot_cpu_has(X86_FEATURE_INVPCID);
#else
	return true;
#endif
}

/**
 * vmscope_vma_anon_name() - the name prctl(PR_SET_VMA_ANON_NAME) gave a VMA
 * @vma: the VMA
 *
 * What anon_vma_name() returns, which is not exported: vma->anon_name,
 * serialized by mmap_lock.  Up to 6.1 the field shares a union with the
 * file rmap node and names anonymous VMAs only; 6.2 ("mm: anonymous shared
 * memory naming") gave it a field of its own, for shmem too.  Only with
 * CONFIG_ANON_VMA_NAME, which Debian's 6.1, 6.12 and 7.2 leave unset.
 *
 * Context: mmap_lock of the VMA's mm held.
 * Return: the name, or NULL.
 */
static inline const char *vmscope_vma_anon_name(struct vm_area_struct *vma)
{
#ifdef CONFIG_ANON_VMA_NAME
	mmap_assert_locked(vma->vm_mm);
#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE
	if (vma->vm_file)
		return NULL;
#endif
	return vma->anon_name ? vma->anon_name->name : NULL;
#else
	return NULL;
#endif
}

/*
 * What /proc/PID/maps shows of a mapped file.  Since 6.7 ("fs: store real
 * path instead of fake path in backing file f_path") a file mapped
 * through overlayfs is a backing file whose f_path is the underlying
 * file's, and maps shows the overlay's path with file_user_path(); before,
 * overlayfs opened the backing file with the overlay's path as its f_path
 * (open_with_fake_path()).  Its inode is the underlying file's either way:
 * maps showed it (file_inode()) until 6.8 ("fs/proc: show correct device
 * and inode numbers in /proc/pid/maps"), the overlay's since
 * (file_user_inode()).
 */
static inline const struct path *vmscope_file_user_path(struct file *file)
{
#if KERNEL_VERSION(6, 7, 0) <= LINUX_VERSION_CODE
	return file_user_path(file);
#else
	return &file->f_path;
#endif
}

static inline const struct inode *vmscope_file_user_inode(struct file *file)
{
#if KERNEL_VERSION(6, 8, 0) <= LINUX_VERSION_CODE
	return file_user_inode(file);
#else
	return file_inode(file);
#endif
}

#endif /* VMSCOPE_COMPAT_H */
