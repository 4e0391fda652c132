// SPDX-License-Identifier: GPL-2.0
/*
 * Translate one virtual address of a process: the MMU's walk, level by
 * level, and what it finds at the end.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>

#include "decode.h"

struct vmscope_tr_ctx {
	struct vmscope_translate *tr;
	bool show_pfn;
	struct vm_area_struct *vma;
};

static u32 vmscope_level_index(int level, unsigned long addr)
{
	switch (level) {
	case VMSCOPE_LEVEL_PGD:
		return pgd_index(addr);
	case VMSCOPE_LEVEL_P4D:
		return p4d_index(addr);
	case VMSCOPE_LEVEL_PUD:
		return pud_index(addr);
	case VMSCOPE_LEVEL_PMD:
		return pmd_index(addr);
	default:
		return pte_index(addr);
	}
}

/* Record the entry met at @level; the table holding it is the previous
 * step's target (or the PGD itself).
 */
static int vmscope_tr_step(struct vmscope_pt_walk *w, int level,
			   unsigned long addr, unsigned long next, u64 val)
{
	struct vmscope_tr_ctx *ctx = w->private;
	struct vmscope_translate *tr = ctx->tr;
	struct vmscope_step *step;
	u64 table;

	if (tr->nr_steps >= VMSCOPE_MAX_LEVELS)
		return -EINVAL;
	step = &tr->walk[tr->nr_steps];
	table = tr->nr_steps ? step[-1].entry & PTE_PFN_MASK :
			       __pa(w->mm->pgd);
	tr->nr_steps++;

	step->level = level;
	step->index = vmscope_level_index(level, tr->vaddr);
	step->flags = vmscope_entry_flags(level, val);
	step->entry = val;
	step->table_paddr = table;
	return 0;
}

static int vmscope_tr_hole(struct vmscope_pt_walk *w, int level,
			   unsigned long addr, unsigned long next, u64 val)
{
	struct vmscope_tr_ctx *ctx = w->private;

	ctx->tr->state = VMSCOPE_STATE_NOT_PRESENT;
	return vmscope_tr_step(w, level, addr, next, val);
}

static void vmscope_tr_page(struct vmscope_tr_ctx *ctx, int level,
			    const struct vmscope_leaf *leaf)
{
	struct vmscope_translate *tr = ctx->tr;
	u64 offset = tr->vaddr & (tr->page_size - 1);
	struct vmscope_page_facts facts;
	unsigned long pfn = leaf->pfn + (offset >> PAGE_SHIFT);

	vmscope_page_facts(ctx->vma, level, leaf, pfn, NULL, &facts);
	tr->page_flags = facts.flags;
	tr->mapcount = facts.mapcount;
	tr->refcount = vmscope_page_refcount(&facts, pfn);
	tr->pfn = pfn;
	tr->paddr = ((u64)pfn << PAGE_SHIFT) | (tr->vaddr & ~PAGE_MASK);
}

static int vmscope_tr_leaf(struct vmscope_pt_walk *w, int level,
			   unsigned long addr, unsigned long next, u64 val)
{
	struct vmscope_tr_ctx *ctx = w->private;
	struct vmscope_translate *tr = ctx->tr;
	u64 index = (tr->vaddr & (vmscope_level_size(level) - 1)) >> PAGE_SHIFT;
	struct vmscope_leaf leaf;

	if ((val & _PAGE_PRESENT) && !ctx->show_pfn &&
	    level == VMSCOPE_LEVEL_PMD &&
	    vmscope_pmd_may_be_shared(ctx->vma, addr))
		val &= ~(u64)(_PAGE_ACCESSED | _PAGE_DIRTY);
	vmscope_decode_leaf(level, val, &leaf);
	tr->state = leaf.state;
	tr->leaf_level = level;
	tr->page_size = vmscope_level_size(level);
	tr->swap_type = leaf.swap_type;
	tr->swap_offset = leaf.swap_offset;
	if (leaf.state != VMSCOPE_STATE_SWAPPED)
		tr->swap_offset = vmscope_leaf_entry_pfn(&leaf, index);
	if (leaf.state == VMSCOPE_STATE_PRESENT ||
	    leaf.state == VMSCOPE_STATE_PROT_NONE)
		vmscope_tr_page(ctx, level, &leaf);
	return vmscope_tr_step(w, level, addr, next, val);
}

static const struct vmscope_walk_ops vmscope_tr_ops = {
	.entry	= vmscope_tr_step,
	.leaf	= vmscope_tr_leaf,
	.hole	= vmscope_tr_hole,
};

/*
 * Without CAP_SYS_ADMIN at open: no PFN, no physical address and, as in
 * /proc/PID/pagemap, no swap location anywhere; and of the page only what
 * pagemap tells (/proc/kpageflags and kpagecount are root's).
 */
static void vmscope_tr_hide_pfns(struct vmscope_translate *tr)
{
	u32 i;

	for (i = 0; i < tr->nr_steps; i++) {
		u64 *e = &tr->walk[i].entry;

		/* a swap or migration entry is all location but bits 0-8 */
		if (*e & (_PAGE_PRESENT | _PAGE_PROTNONE))
			*e &= ~PTE_PFN_MASK;
		else
			*e &= VMSCOPE_X86_LOW_BITS;
		tr->walk[i].table_paddr = 0;
	}
	tr->pfn = 0;
	tr->paddr = 0;
	tr->swap_type = 0;
	tr->swap_offset = 0;
	/* how other processes use the page is not the opener's to see */
	tr->page_flags &= VMSCOPE_PAGE_PUBLIC;
	tr->mapcount = 0;
	tr->refcount = 0;
	tr->out_flags |= VMSCOPE_OUT_PFN_HIDDEN;
}

static int vmscope_tr_walk(struct mm_struct *mm, struct vmscope_tr_ctx *ctx)
{
	struct vmscope_translate *tr = ctx->tr;
	unsigned long addr = tr->vaddr & PAGE_MASK;
	struct vmscope_pt_walk w = {
		.mm = mm,
		.ops = &vmscope_tr_ops,
		.private = ctx,
	};

	ctx->vma = vma_lookup(mm, addr);
	if (!ctx->vma) {
		tr->state = VMSCOPE_STATE_NO_VMA;
		return 0;
	}
	vmscope_vma_describe(ctx->vma, &tr->vma, ctx->show_pfn);
	return vmscope_walk_vma(&w, ctx->vma, addr, addr + PAGE_SIZE);
}

/**
 * vmscope_translate() - walk a process's page tables for one address
 * @acc: the caller's open-file access record
 * @tr: in: pid, vaddr (user address below TASK_SIZE_MAX); the outputs
 *	zeroed (the ioctl contract, chardev.c)
 *
 * Context: process context; takes the target's mmap_lock for read.
 * Return: 0, -EINVAL for an address outside user space, -EINTR if killed,
 * or an error of vmscope_target_mm().
 */
int vmscope_translate(const struct vmscope_access *acc,
		      struct vmscope_translate *tr)
{
	struct vmscope_tr_ctx ctx = { .tr = tr, .show_pfn = acc->sys_admin };
	struct mm_struct *mm;
	int err;

	if (tr->vaddr >= TASK_SIZE_MAX)
		return -EINVAL;
	mm = vmscope_target_mm(acc, tr->pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);

	tr->levels = pgtable_l5_enabled() ? 5 : 4;
	err = mmap_read_lock_killable(mm);
	if (!err) {
		err = vmscope_tr_walk(mm, &ctx);
		mmap_read_unlock(mm);
	}
	mmput(mm);
	if (!acc->sys_admin)
		vmscope_tr_hide_pfns(tr);
	return err;
}
