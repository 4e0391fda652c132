// SPDX-License-Identifier: GPL-2.0
/*
 * VMSCOPE_IOC_PTSTATS (`vmscope pagetable`): what a process's page tables
 * cost: the tables at each level, the entries in them, and the kernel's
 * own count of their bytes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>

#include "decode.h"

struct vmscope_pts_ctx {
	struct vmscope_chunked cw;
	struct vmscope_pt_walk w;
	struct vmscope_ptstats *st;
	struct vm_area_struct *vma;	/* the VMA being walked */
	unsigned long resume;	/* where the next chunk starts */
	/* per level: the first address the last table counted covers */
	unsigned long last[VMSCOPE_MAX_LEVELS + 1];
};

/* Count one visited entry; stop the chunk after @next when out of budget. */
static int vmscope_pts_spend(struct vmscope_pts_ctx *ctx, unsigned long next)
{
	ctx->resume = next;
	return vmscope_chunk_spend(&ctx->cw, 1);
}

static u64 vmscope_entry_span(int level)
{
	switch (level) {
	case VMSCOPE_LEVEL_PGD:
		return PGDIR_SIZE;
	case VMSCOPE_LEVEL_P4D:
		return P4D_SIZE;
	default:
		return vmscope_level_size(level);
	}
}

/*
 * A present entry pointing to a table.  VMAs that share a table meet it
 * once each, one after the other: it is counted the first time.
 */
static int vmscope_pts_entry(struct vmscope_pt_walk *w, int level,
			     unsigned long addr, unsigned long next, u64 val)
{
	struct vmscope_pts_ctx *ctx = w->private;
	struct vmscope_ptstats *st = ctx->st;
	unsigned long first = addr & ~(vmscope_entry_span(level) - 1);

	if (ctx->last[level] == first)
		return 0;
	ctx->last[level] = first;
	switch (level) {
	case VMSCOPE_LEVEL_PGD:
		if (pgtable_l5_enabled())
			st->p4d++;
		else
			st->pud++;
		break;
	case VMSCOPE_LEVEL_P4D:
		st->pud++;
		break;
	case VMSCOPE_LEVEL_PUD:
		st->pmd++;
		break;
	case VMSCOPE_LEVEL_PMD:
		st->pte++;
		break;
	}
	return 0;
}

/* Anonymous PMD leaves keep a PTE table deposited for a later split. */
static void vmscope_pts_pmd_leaf(struct vmscope_pts_ctx *ctx,
				 struct vmscope_ptstats *st,
				 const struct vmscope_leaf *leaf)
{
	struct vm_area_struct *vma = ctx->vma;

	if (leaf->state == VMSCOPE_STATE_PRESENT ||
	    leaf->state == VMSCOPE_STATE_PROT_NONE)
		st->huge_pmd++;
	else
		st->other_entries++;
	if (vma && vma_is_anonymous(vma))
		st->deposited++;
}

static int vmscope_pts_leaf(struct vmscope_pt_walk *w, int level,
			    unsigned long addr, unsigned long next, u64 val)
{
	struct vmscope_pts_ctx *ctx = w->private;
	struct vmscope_ptstats *st = ctx->st;
	struct vmscope_leaf leaf;
	bool mapped;

	vmscope_decode_leaf(level, val, &leaf);
	mapped = leaf.state == VMSCOPE_STATE_PRESENT ||
		 leaf.state == VMSCOPE_STATE_PROT_NONE;
	if (level == VMSCOPE_LEVEL_PMD)
		vmscope_pts_pmd_leaf(ctx, st, &leaf);
	else if (level == VMSCOPE_LEVEL_PUD && mapped)
		st->huge_pud++;
	else if (mapped)
		st->present++;
	else if (leaf.state == VMSCOPE_STATE_SWAPPED)
		st->swap_entries++;
	else
		st->other_entries++;
	return vmscope_pts_spend(ctx, next);
}

static int vmscope_pts_hole(struct vmscope_pt_walk *w, int level,
			    unsigned long addr, unsigned long next, u64 val)
{
	return vmscope_pts_spend(w->private, next);
}

static const struct vmscope_walk_ops vmscope_pts_ops = {
	.entry	= vmscope_pts_entry,
	.leaf	= vmscope_pts_leaf,
	.hole	= vmscope_pts_hole,
};

/* The VMAs from @addr on, until the budget runs out; >0 if it did. */
static int vmscope_pts_chunk(struct vmscope_pt_walk *w,
			     struct vmscope_pts_ctx *ctx, unsigned long addr)
{
	struct vm_area_struct *vma;
	int ret;

	for (vma = find_vma(w->mm, addr); vma;
	     vma = find_vma(w->mm, vma->vm_end)) {
		ctx->vma = vma;
		ret = vmscope_walk_vma(w, vma, max(addr, vma->vm_start),
				       vma->vm_end);
		if (ret)
			return ret;
	}
	return 0;
}

/* One chunk under mmap_lock: >0 while VMAs remain. */
static int vmscope_pts_gather(struct vmscope_chunked *cw)
{
	struct vmscope_pts_ctx *ctx =
		container_of(cw, struct vmscope_pts_ctx, cw);

	return vmscope_pts_chunk(&ctx->w, ctx, ctx->resume);
}

/* Walk every VMA, a budget of entries per mmap_lock hold. */
static int vmscope_pts_walk(struct mm_struct *mm, struct vmscope_ptstats *st)
{
	struct vmscope_pts_ctx ctx = {
		.cw.mm = mm,
		.cw.budget = VMSCOPE_WALK_BUDGET,
		.cw.gather = vmscope_pts_gather,
		.w.mm = mm,
		.w.ops = &vmscope_pts_ops,
		.st = st,
	};
	int i;

	ctx.w.private = &ctx;
	for (i = 0; i <= VMSCOPE_MAX_LEVELS; i++)
		ctx.last[i] = ~0UL;
	return vmscope_walk_chunked(&ctx.cw);
}

/**
 * vmscope_ptstats() - count a process's page tables and their entries
 * @acc: the caller's open-file access record
 * @st: in: pid; the outputs zeroed (the ioctl contract, chardev.c)
 *
 * Context: process context; takes the target's mmap_lock for read, a
 * bounded number of entries at a time.
 * Return: 0, -EINTR if killed, or an error of vmscope_target_mm().
 */
int vmscope_ptstats(const struct vmscope_access *acc,
		    struct vmscope_ptstats *st)
{
	struct mm_struct *mm;
	int err;

	mm = vmscope_target_mm(acc, st->pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);

	st->levels = pgtable_l5_enabled() ? 5 : 4;
	st->pgd = 1;
	err = vmscope_pts_walk(mm, st);
	st->pgtables_bytes = mm_pgtables_bytes(mm);
	mmput(mm);
	return err;
}
