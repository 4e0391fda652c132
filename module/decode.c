// SPDX-License-Identifier: GPL-2.0
/*
 * What an entry and the page behind it say: the x86 entry bits, the state
 * of a virtual page (present, swapped, migrating...), and the facts of the
 * struct page it maps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "decode.h"

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
	if (vmscope_swp_is_migration(e))
		leaf->state = VMSCOPE_STATE_MIGRATION;
	else if (vmscope_swp_is_hwpoison(e))
		leaf->state = VMSCOPE_STATE_HWPOISON;
	else if (vmscope_swp_is_device(e))
		leaf->state = VMSCOPE_STATE_DEVICE;
	else if (!vmscope_swp_is_swap(e))
		leaf->state = VMSCOPE_STATE_MARKER;
	else
		leaf->state = VMSCOPE_STATE_SWAPPED;

	if (leaf->state == VMSCOPE_STATE_SWAPPED) {
		leaf->swap_type = swp_type(e);
		leaf->swap_offset = swp_offset(e);
	} else if (vmscope_swp_has_pfn(e)) {
		/* migration entries keep young/dirty bits above the PFN */
		leaf->swap_offset = vmscope_swp_pfn(e);
	}
}

static void vmscope_decode_pte(pte_t pte, struct vmscope_leaf *leaf)
{
	if (pte_present(pte)) {
		leaf->state = pte_protnone(pte) ? VMSCOPE_STATE_PROT_NONE :
						  VMSCOPE_STATE_PRESENT;
		leaf->pfn = pte_pfn(pte);
	} else {
		vmscope_decode_swp(vmscope_swp_from_pte(pte), leaf);
	}
}

/*
 * A PMD or PUD leaf.  A huge page that is mapped has its present bit set,
 * or only its PROT_NONE bit (a PROT_NONE or NUMA-hinting mapping, whose
 * PFN is stored inverted, as pmd_pfn() and pud_pfn() undo).  A PMD whose
 * present bit pmdp_invalidate() cleared keeps its PSE bit and counts as
 * present, as pmd_present() says.  Anything else is a software entry in
 * the PTE's swap format: a THP's PMD migration entry, and every
 * non-present hugetlb entry, which hugetlb writes with set_huge_pte_at()
 * at whatever level its page is (migration, hwpoison, uffd-wp marker).
 * x86's pud_present() tests the present bit only, so it is not asked.
 */
static void vmscope_decode_huge(int level, u64 val, struct vmscope_leaf *leaf)
{
	bool mapped = val & (_PAGE_PRESENT | _PAGE_PROTNONE);

	if (level == VMSCOPE_LEVEL_PMD)
		mapped = pmd_present(__pmd(val));
	if (!mapped) {
		vmscope_decode_swp(vmscope_swp_from_pte(__pte(val)), leaf);
		return;
	}
	leaf->state = (val & (_PAGE_PRESENT | _PAGE_PROTNONE)) ==
		      _PAGE_PROTNONE ? VMSCOPE_STATE_PROT_NONE :
				       VMSCOPE_STATE_PRESENT;
	leaf->pfn = level == VMSCOPE_LEVEL_PMD ? pmd_pfn(__pmd(val)) :
						 pud_pfn(__pud(val));
}

/**
 * __vmscope_decode_leaf() - the state of the pages a leaf entry describes
 * @level: VMSCOPE_LEVEL_PTE, _PMD or _PUD
 * @val: the raw, non-none entry
 * @leaf: filled in completely
 *
 * The out-of-line part of vmscope_decode_leaf(): every entry but a
 * present PTE.
 */
void __vmscope_decode_leaf(int level, u64 val, struct vmscope_leaf *leaf)
{
	leaf->pfn = 0;
	leaf->swap_type = 0;
	leaf->swap_offset = 0;
	leaf->flags = vmscope_entry_flags(level, val);
	if (level == VMSCOPE_LEVEL_PTE)
		vmscope_decode_pte(__pte(val), leaf);
	else
		vmscope_decode_huge(level, val, leaf);
}

/**
 * vmscope_page_refcount() - references held on the page behind a PFN
 * @facts: what vmscope_page_facts() said of it
 * @pfn: the PFN
 *
 * Context: as vmscope_page_facts().
 * Return: the folio's reference count, or 0 without a struct page.
 */
u32 vmscope_page_refcount(const struct vmscope_page_facts *facts,
			  unsigned long pfn)
{
	if (facts->flags & (VMSCOPE_PAGE_NOPAGE | VMSCOPE_PAGE_ZERO))
		return 0;
	return max(folio_ref_count(page_folio(pfn_to_page(pfn))), 0);
}
