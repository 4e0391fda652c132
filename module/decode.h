/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an entry and the page behind it say: the x86 entry bits, the state
 * of a virtual page (present, swapped, migrating...), and the facts of the
 * struct page it maps.
 *
 * The bulk walk does this for every page, so the common case (a present
 * PTE and its page) is inline here; the rest is in decode.c.
 */
#ifndef VMSCOPE_DECODE_H
#define VMSCOPE_DECODE_H

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/pgtable.h>

#include "compat.h"
#include "vmscope.h"

/**
 * struct vmscope_leaf - what a leaf entry says
 * @state: VMSCOPE_STATE_*
 * @flags: VMSCOPE_PTE_* of the entry
 * @pfn: first PFN mapped by the entry (present states), or 0
 * @swap_type: swap area (swapped)
 * @swap_offset: swap offset, or the PFN named by a migration or hwpoison
 *	entry
 */
struct vmscope_leaf {
	u32 state;
	u32 flags;
	u64 pfn;
	u32 swap_type;
	u64 swap_offset;
};

/**
 * vmscope_leaf_entry_pfn() - the PFN a software entry names for one page
 * @leaf: a decoded leaf
 * @index: base pages from the start of the leaf
 *
 * A migration or hwpoison entry in a PMD or PUD leaf names the first page
 * of the huge page; each base page under it is that PFN plus its index, as
 * /proc/PID/pagemap reports a PMD migration entry.
 *
 * Return: the PFN, or 0 for a leaf whose entry names none.
 */
static inline u64 vmscope_leaf_entry_pfn(const struct vmscope_leaf *leaf,
					 unsigned long index)
{
	switch (leaf->state) {
	case VMSCOPE_STATE_MIGRATION:
	case VMSCOPE_STATE_HWPOISON:
	case VMSCOPE_STATE_DEVICE:
		return leaf->swap_offset + index;
	default:
		return 0;
	}
}

/**
 * struct vmscope_page_facts - what the struct page behind a PFN says
 * @flags: VMSCOPE_PAGE_*
 * @mapcount: page-table entries mapping it
 */
struct vmscope_page_facts {
	u32 flags;
	u32 mapcount;
};

/*
 * The page facts that a file opened without CAP_SYS_ADMIN may see: what
 * /proc/PID/pagemap tells anyone (anonymous or not, mapped once, THP).
 * LRU state, dirtiness, mapcounts and KSM say how other processes use a
 * page, which /proc/kpageflags and kpagecount keep for root.
 */
#define VMSCOPE_PAGE_PUBLIC	(VMSCOPE_PAGE_ANON | VMSCOPE_PAGE_FILE | \
				 VMSCOPE_PAGE_SHMEM | VMSCOPE_PAGE_ZERO | \
				 VMSCOPE_PAGE_THP | VMSCOPE_PAGE_HUGETLB | \
				 VMSCOPE_PAGE_EXCLUSIVE | VMSCOPE_PAGE_NOPAGE)

/* VMSCOPE_PTE_PRESENT..VMSCOPE_PTE_GLOBAL are the x86 bits 0-8 as they are. */
#define VMSCOPE_X86_LOW_BITS	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | \
				 _PAGE_PWT | _PAGE_PCD | _PAGE_ACCESSED | \
				 _PAGE_DIRTY | _PAGE_PSE | _PAGE_GLOBAL)

static inline void vmscope_check_bits(void)
{
	BUILD_BUG_ON(VMSCOPE_PTE_PRESENT != _PAGE_PRESENT);
	BUILD_BUG_ON(VMSCOPE_PTE_RW != _PAGE_RW);
	BUILD_BUG_ON(VMSCOPE_PTE_USER != _PAGE_USER);
	BUILD_BUG_ON(VMSCOPE_PTE_PWT != _PAGE_PWT);
	BUILD_BUG_ON(VMSCOPE_PTE_PCD != _PAGE_PCD);
	BUILD_BUG_ON(VMSCOPE_PTE_ACCESSED != _PAGE_ACCESSED);
	BUILD_BUG_ON(VMSCOPE_PTE_DIRTY != _PAGE_DIRTY);
	BUILD_BUG_ON(VMSCOPE_PTE_HUGE != _PAGE_PSE);
	BUILD_BUG_ON(VMSCOPE_PTE_GLOBAL != _PAGE_GLOBAL);
	BUILD_BUG_ON(_PAGE_PROTNONE != _PAGE_GLOBAL);
}

/**
 * vmscope_entry_flags() - decode the flag bits of an x86 page-table entry
 * @level: VMSCOPE_LEVEL_* of the entry (bit 7 is PS above the PTE level,
 *	PAT in a PTE)
 * @val: the raw entry
 *
 * Entries whose present and PROT_NONE bits are both clear hold a swap or
 * migration entry, or nothing, in their other bits: they have no flags.
 * Bit 8 is GLOBAL in a present entry and PROT_NONE in one that is not.
 *
 * Return: VMSCOPE_PTE_* flags, with the protection key in
 * VMSCOPE_PTE_PKEY_MASK.
 */
static __always_inline u32 vmscope_entry_flags(int level, u64 val)
{
	u32 flags = val & VMSCOPE_X86_LOW_BITS;

	vmscope_check_bits();
	if (!(val & _PAGE_PRESENT)) {
		if (!(val & _PAGE_PROTNONE))
			return 0;
		flags = (flags & ~VMSCOPE_PTE_GLOBAL) | VMSCOPE_PTE_PROTNONE;
	}
	if (level == VMSCOPE_LEVEL_PTE)
		flags &= ~VMSCOPE_PTE_HUGE;
	if (val & _PAGE_NX)
		flags |= VMSCOPE_PTE_NX;
	if (val & _PAGE_SOFT_DIRTY)
		flags |= VMSCOPE_PTE_SOFT_DIRTY;
	if (val & _PAGE_SPECIAL)
		flags |= VMSCOPE_PTE_SPECIAL;
	if (val & _PAGE_UFFD_WP)
		flags |= VMSCOPE_PTE_UFFD_WP;
	return flags | (u32)pte_flags_pkey(val) << VMSCOPE_PTE_PKEY_SHIFT;
}

void __vmscope_decode_leaf(int level, u64 val, struct vmscope_leaf *leaf);

/**
 * vmscope_decode_leaf() - the state of the pages a leaf entry describes
 * @level: VMSCOPE_LEVEL_PTE, _PMD or _PUD
 * @val: the raw, non-none entry
 * @leaf: filled in completely
 */
static __always_inline void vmscope_decode_leaf(int level, u64 val,
						struct vmscope_leaf *leaf)
{
	pte_t pte = __pte(val);

	if (level != VMSCOPE_LEVEL_PTE || !pte_present(pte) ||
	    pte_protnone(pte)) {
		__vmscope_decode_leaf(level, val, leaf);
		return;
	}
	leaf->state = VMSCOPE_STATE_PRESENT;
	leaf->flags = vmscope_entry_flags(level, val);
	leaf->pfn = pte_pfn(pte);
	leaf->swap_type = 0;
	leaf->swap_offset = 0;
}

/*
 * Page flags, from one read of the folio's flags word and one of its
 * mapping (as folio_test_anon() and folio_test_ksm() read it): a bulk walk
 * does this for every page, so every load counts.
 */
static __always_inline u32 vmscope_folio_flags(struct folio *folio)
{
	unsigned long pg = vmscope_folio_flags_word(folio);
	unsigned long mapping = (unsigned long)READ_ONCE(folio->mapping);
	u32 flags = 0;

	if (mapping & FOLIO_MAPPING_ANON) {
		flags |= VMSCOPE_PAGE_ANON;
		if ((mapping & FOLIO_MAPPING_FLAGS) == FOLIO_MAPPING_KSM)
			flags |= VMSCOPE_PAGE_KSM;
	} else if (pg & BIT(PG_swapbacked)) {
		flags |= VMSCOPE_PAGE_SHMEM;
	} else if (mapping) {
		flags |= VMSCOPE_PAGE_FILE;
	}
	if (pg & BIT(PG_head))
		flags |= folio_test_hugetlb(folio) ? VMSCOPE_PAGE_HUGETLB :
						     VMSCOPE_PAGE_THP;
	if ((pg & BIT(PG_swapbacked)) && (pg & BIT(PG_swapcache)))
		flags |= VMSCOPE_PAGE_SWAPCACHE;
	if (pg & BIT(PG_dirty))
		flags |= VMSCOPE_PAGE_DIRTY;
	if (pg & BIT(PG_lru))
		flags |= VMSCOPE_PAGE_LRU;
	if (pg & BIT(PG_active))
		flags |= VMSCOPE_PAGE_ACTIVE;
	if (pg & BIT(PG_referenced))
		flags |= VMSCOPE_PAGE_REFERENCED;
	if (pg & BIT(PG_unevictable))
		flags |= VMSCOPE_PAGE_UNEVICTABLE;
	if (pg & BIT(PG_writeback))
		flags |= VMSCOPE_PAGE_WRITEBACK;
	return flags;
}

/**
 * vmscope_pfn_valid() - pfn_valid(), remembering the last subsection found
 * @pfn: the PFN of a present entry read under its page table's lock
 * @seen: if not NULL, 0 or 1 + the memory-map subsection of a PFN that
 *	this returned true for, mapped by an entry of the same page table,
 *	whose lock has been held since
 *
 * pfn_valid() (a call, a section lookup, the preempt count) was the dearest
 * part of a dense walk: 40% of its time under TCG.  The pages a PTE table
 * maps mostly lie in few subsections (2 MiB of memory map), and a page
 * mapped by an entry of a table whose lock is held cannot be migrated or
 * offlined (both unmap it first, under that lock), so its subsection keeps
 * its struct pages until the lock is dropped: another PFN in it needs no
 * lookup.
 *
 * Context: the page table's lock held since @seen was set; @seen is reset
 * when it is dropped.
 * Return: whether pfn_to_page(@pfn) is a struct page.
 */
static __always_inline bool vmscope_pfn_valid(unsigned long pfn,
					      unsigned long *seen)
{
	unsigned long sub = (pfn >> PFN_SUBSECTION_SHIFT) + 1;

	if (seen && *seen == sub)
		return true;
	if (!pfn_valid(pfn))
		return false;
	if (seen)
		*seen = sub;
	return true;
}

/**
 * vmscope_page_facts() - what the struct page behind a mapped PFN says
 * @vma: the VMA mapping it
 * @level: level of the leaf entry mapping it
 * @leaf: the decoded leaf (present or PROT_NONE)
 * @pfn: the PFN, inside the leaf's range
 * @seen: NULL, or the subsection last found valid (vmscope_pfn_valid())
 * @facts: filled in completely
 *
 * The zero page, special (PFN-map) entries and PFNs without a struct page
 * are recognised without touching a struct page.  The huge zero page is
 * not exported; it is the one PMD leaf of an anonymous VMA that is neither
 * anonymous nor shmem.
 *
 * Context: the lock of the leaf's page table held, so the page stays mapped.
 */
static __always_inline void
vmscope_page_facts(struct vm_area_struct *vma, int level,
		   const struct vmscope_leaf *leaf, unsigned long pfn,
		   unsigned long *seen, struct vmscope_page_facts *facts)
{
	struct folio *folio;
	struct page *page;

	facts->mapcount = 0;
	if (is_zero_pfn(pfn)) {
		facts->flags = VMSCOPE_PAGE_ZERO;
		return;
	}
	/*
	 * x86 marks every PFN-map PTE special.  vm_normal_page() checks the
	 * PFN of any other entry against highest_memmap_pfn, which is not
	 * exported; pfn_valid() is the exported test that pfn_to_page() has
	 * a struct page to give, and is stricter (holes in the memory map).
	 */
	if ((leaf->flags & VMSCOPE_PTE_SPECIAL) ||
	    !vmscope_pfn_valid(pfn, seen)) {
		facts->flags = VMSCOPE_PAGE_NOPAGE;
		return;
	}
	page = pfn_to_page(pfn);
	folio = page_folio(page);
	facts->flags = vmscope_folio_flags(folio);
	if (level == VMSCOPE_LEVEL_PMD && vma_is_anonymous(vma) &&
	    !(facts->flags & (VMSCOPE_PAGE_ANON | VMSCOPE_PAGE_SHMEM))) {
		facts->flags = VMSCOPE_PAGE_ZERO | VMSCOPE_PAGE_THP;
		return;
	}
	facts->mapcount = max(vmscope_page_mapcount(page), 0);
	if (facts->mapcount == 1)
		facts->flags |= VMSCOPE_PAGE_EXCLUSIVE;
}

u32 vmscope_page_refcount(const struct vmscope_page_facts *facts,
			  unsigned long pfn);
u64 vmscope_level_size(int level);

#endif /* VMSCOPE_DECODE_H */
