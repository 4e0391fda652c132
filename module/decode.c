// SPDX-License-Identifier: GPL-2.0
/*
 * What an entry and the page behind it say: the x86 entry bits, the state
 * of a virtual page (present, swapped, migrating...), and the facts of the
 * struct page it maps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/pgtable.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "compat.h"
#include "vmscope.h"

/* VMSCOPE_PTE_PRESENT..VMSCOPE_PTE_GLOBAL are the x86 bits 0-8 as they are. */
#define VMSCOPE_X86_LOW_BITS	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | \
				 _PAGE_PWT | _PAGE_PCD | _PAGE_ACCESSED | \
				 _PAGE_DIRTY | _PAGE_PSE | _PAGE_GLOBAL)

static void vmscope_check_bits(void)
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
u32 vmscope_entry_flags(int level, u64 val)
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

/**
 * vmscope_level_size() - bytes mapped by a leaf entry at a level
 * @level: VMSCOPE_LEVEL_PTE, _PMD or _PUD
 *
 * Return: PAGE_SIZE, PMD_SIZE or PUD_SIZE; 0 for other levels.
 */
u64 vmscope_level_size(int level)
{
	switch (level) {
	case VMSCOPE_LEVEL_PTE:
		return PAGE_SIZE;
	case VMSCOPE_LEVEL_PMD:
		return PMD_SIZE;
	case VMSCOPE_LEVEL_PUD:
		return PUD_SIZE;
	default:
		return 0;
	}
}

/* A non-present, non-none entry: swap, migration, poison, device, marker. */
static void vmscope_decode_swp(swp_entry_t e, struct vmscope_leaf *leaf)
{
	if (is_migration_entry(e))
		leaf->state = VMSCOPE_STATE_MIGRATION;
	else if (is_hwpoison_entry(e))
		leaf->state = VMSCOPE_STATE_HWPOISON;
	else if (is_device_private_entry(e) || is_device_exclusive_entry(e))
		leaf->state = VMSCOPE_STATE_DEVICE;
	else if (non_swap_entry(e))
		leaf->state = VMSCOPE_STATE_MARKER;
	else
		leaf->state = VMSCOPE_STATE_SWAPPED;

	if (leaf->state == VMSCOPE_STATE_SWAPPED)
		leaf->swap_type = swp_type(e);
	if (leaf->state != VMSCOPE_STATE_MARKER)
		leaf->swap_offset = swp_offset(e);
}

static void vmscope_decode_pte(pte_t pte, struct vmscope_leaf *leaf)
{
	if (pte_present(pte)) {
		leaf->state = pte_protnone(pte) ? VMSCOPE_STATE_PROT_NONE :
						  VMSCOPE_STATE_PRESENT;
		leaf->pfn = pte_pfn(pte);
	} else {
		vmscope_decode_swp(pte_to_swp_entry(pte), leaf);
	}
}

static void vmscope_decode_pmd(pmd_t pmd, struct vmscope_leaf *leaf)
{
	if (pmd_present(pmd)) {
		leaf->state = pmd_protnone(pmd) ? VMSCOPE_STATE_PROT_NONE :
						  VMSCOPE_STATE_PRESENT;
		leaf->pfn = pmd_pfn(pmd);
	} else if (is_pmd_migration_entry(pmd)) {
		vmscope_decode_swp(pmd_to_swp_entry(pmd), leaf);
	} else {
		leaf->state = VMSCOPE_STATE_MARKER;
	}
}

static void vmscope_decode_pud(pud_t pud, struct vmscope_leaf *leaf)
{
	if (pud_present(pud)) {
		leaf->state = VMSCOPE_STATE_PRESENT;
		leaf->pfn = pud_pfn(pud);
	} else {
		leaf->state = VMSCOPE_STATE_MARKER;
	}
}

/**
 * vmscope_decode_leaf() - the state of the pages a leaf entry describes
 * @level: VMSCOPE_LEVEL_PTE, _PMD or _PUD
 * @val: the raw, non-none entry
 * @leaf: filled in completely
 */
void vmscope_decode_leaf(int level, u64 val, struct vmscope_leaf *leaf)
{
	memset(leaf, 0, sizeof(*leaf));
	leaf->flags = vmscope_entry_flags(level, val);
	if (level == VMSCOPE_LEVEL_PTE)
		vmscope_decode_pte(__pte(val), leaf);
	else if (level == VMSCOPE_LEVEL_PMD)
		vmscope_decode_pmd(__pmd(val), leaf);
	else
		vmscope_decode_pud(__pud(val), leaf);
}

/* Plain page-flag bits, tested on one read of the flags word. */
static const struct {
	u8 pg;
	u16 flag;
} vmscope_pg_bits[] = {
	{ PG_dirty,		VMSCOPE_PAGE_DIRTY },
	{ PG_lru,		VMSCOPE_PAGE_LRU },
	{ PG_active,		VMSCOPE_PAGE_ACTIVE },
	{ PG_referenced,	VMSCOPE_PAGE_REFERENCED },
	{ PG_unevictable,	VMSCOPE_PAGE_UNEVICTABLE },
	{ PG_writeback,		VMSCOPE_PAGE_WRITEBACK },
};

static u32 vmscope_folio_flags(struct folio *folio)
{
	unsigned long pgflags = READ_ONCE(folio->flags);
	u32 flags = 0;
	int i;

	if (folio_test_anon(folio))
		flags |= VMSCOPE_PAGE_ANON;
	else if (folio_test_swapbacked(folio))
		flags |= VMSCOPE_PAGE_SHMEM;
	else if (folio->mapping)
		flags |= VMSCOPE_PAGE_FILE;
	if (folio_test_hugetlb(folio))
		flags |= VMSCOPE_PAGE_HUGETLB;
	else if (folio_test_large(folio))
		flags |= VMSCOPE_PAGE_THP;
	if (folio_test_ksm(folio))
		flags |= VMSCOPE_PAGE_KSM;
	if (folio_test_swapcache(folio))
		flags |= VMSCOPE_PAGE_SWAPCACHE;
	for (i = 0; i < ARRAY_SIZE(vmscope_pg_bits); i++)
		if (pgflags & BIT(vmscope_pg_bits[i].pg))
			flags |= vmscope_pg_bits[i].flag;
	return flags;
}

/**
 * vmscope_page_facts() - what the struct page behind a mapped PFN says
 * @vma: the VMA mapping it
 * @level: level of the leaf entry mapping it
 * @leaf: the decoded leaf (present or PROT_NONE)
 * @pfn: the PFN, inside the leaf's range
 * @facts: filled in completely
 *
 * The zero page, special (PFN-map) entries and PFNs without a struct page
 * are recognised without touching a struct page.  The huge
 * zero page is not exported; it is the one PMD leaf of an anonymous VMA
 * that is neither anonymous nor page cache.
 *
 * Context: the lock of the leaf's page table held, so the page stays mapped.
 */
void vmscope_page_facts(struct vm_area_struct *vma, int level,
			const struct vmscope_leaf *leaf, unsigned long pfn,
			struct vmscope_page_facts *facts)
{
	struct folio *folio;
	struct page *page;

	memset(facts, 0, sizeof(*facts));
	if (is_zero_pfn(pfn)) {
		facts->flags = VMSCOPE_PAGE_ZERO;
		return;
	}
	/* x86 marks every PFN-map entry special: the others have a page */
	if ((leaf->flags & VMSCOPE_PTE_SPECIAL) || !pfn_valid(pfn)) {
		facts->flags = VMSCOPE_PAGE_NOPAGE;
		return;
	}
	page = pfn_to_page(pfn);
	folio = page_folio(page);
	facts->flags = vmscope_folio_flags(folio);
	if (level == VMSCOPE_LEVEL_PMD && vma_is_anonymous(vma) &&
	    !(facts->flags & (VMSCOPE_PAGE_ANON | VMSCOPE_PAGE_SHMEM)))
		facts->flags = VMSCOPE_PAGE_ZERO | VMSCOPE_PAGE_THP;
	facts->mapcount = max(vmscope_page_mapcount(page), 0);
	facts->refcount = max(folio_ref_count(folio), 0);
	if (facts->mapcount == 1)
		facts->flags |= VMSCOPE_PAGE_EXCLUSIVE;
}
