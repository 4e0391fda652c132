// SPDX-License-Identifier: GPL-2.0
/*
 * The bulk walk: one record per base page over a range of a process, like
 * /proc/PID/pagemap but with the state, level, flags and page facts.
 *
 * Shaped like pagemap_read(): records are gathered into a kernel buffer
 * under mmap_lock, looking at no more than one PTE table's worth of
 * entries; the lock is dropped, the buffer is copied to user space, and
 * the walk goes on after cond_resched().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vmscope.h"

/*
 * Records gathered per mmap_lock hold: at most VMSCOPE_WALK_BATCH, and at
 * most VMSCOPE_WALK_BUDGET entries looked at to make them (one PTE table's
 * worth; an empty entry above the PTE level counts once, however many
 * pages it stands for).
 */
#define VMSCOPE_WALK_BATCH	4096
#define VMSCOPE_WALK_BUDGET	PTRS_PER_PTE

struct vmscope_pages_ctx {
	struct vm_area_struct *vma;
	struct vmscope_page *recs;
	unsigned int nr;
	unsigned int max;
	unsigned int budget;
	unsigned long addr;	/* the next address to describe */
	bool show_pfn;
};

/* Spend one entry of the budget; >0 when the batch must end. */
static int vmscope_pages_spend(struct vmscope_pages_ctx *ctx)
{
	if (ctx->budget)
		ctx->budget--;
	return ctx->budget ? 0 : 1;
}

/* Fill records for [ctx->addr, next) from a template; >0 when full. */
static int vmscope_pages_fill(struct vmscope_pages_ctx *ctx,
			      const struct vmscope_page *tmpl,
			      unsigned long next)
{
	for (; ctx->addr < next; ctx->addr += PAGE_SIZE) {
		if (ctx->nr == ctx->max)
			return 1;
		ctx->recs[ctx->nr++] = *tmpl;
	}
	return vmscope_pages_spend(ctx);
}

static int vmscope_pages_hole(struct vmscope_pt_walk *w, int level,
			      unsigned long addr, unsigned long next, u64 val)
{
	static const struct vmscope_page tmpl = {
		.state = VMSCOPE_STATE_NOT_PRESENT,
	};

	return vmscope_pages_fill(w->private, &tmpl, next);
}

/* The record of one base page, @index pages into a leaf. */
static void vmscope_pages_one(struct vmscope_pages_ctx *ctx, int level,
			      const struct vmscope_leaf *leaf,
			      unsigned long index, struct vmscope_page *rec)
{
	struct vmscope_page_facts facts;

	rec->state = leaf->state;
	rec->level = level;
	rec->flags = leaf->flags;
	rec->swap_type = 0;
	rec->swap_offset = 0;
	rec->__pad = 0;
	if (leaf->state == VMSCOPE_STATE_PRESENT ||
	    leaf->state == VMSCOPE_STATE_PROT_NONE) {
		vmscope_page_facts(ctx->vma, level, leaf, leaf->pfn + index,
				   &facts);
		rec->pfn = ctx->show_pfn ? leaf->pfn + index : 0;
		rec->page_flags = facts.flags;
		rec->mapcount = facts.mapcount;
		return;
	}
	rec->pfn = 0;
	rec->page_flags = 0;
	rec->mapcount = 0;
	if (ctx->show_pfn) {
		rec->swap_type = leaf->swap_type;
		rec->swap_offset = leaf->swap_offset;
	}
}

/* A huge or non-present PMD or PUD leaf: one record per base page. */
static int vmscope_pages_leaf(struct vmscope_pt_walk *w, int level,
			      unsigned long addr, unsigned long next, u64 val)
{
	struct vmscope_pages_ctx *ctx = w->private;
	u64 mask = vmscope_level_size(level) - 1;
	struct vmscope_leaf leaf;

	vmscope_decode_leaf(level, val, &leaf);
	for (; ctx->addr < next; ctx->addr += PAGE_SIZE) {
		if (ctx->nr == ctx->max)
			return 1;
		vmscope_pages_one(ctx, level, &leaf,
				  (ctx->addr & mask) >> PAGE_SHIFT,
				  &ctx->recs[ctx->nr++]);
	}
	return vmscope_pages_spend(ctx);
}

/* The PTEs of one table, in a loop of its own (no call per entry). */
static int vmscope_pages_ptes(struct vmscope_pt_walk *w, pte_t *pte,
			      unsigned long addr, unsigned long end)
{
	static const struct vmscope_page none = {
		.state = VMSCOPE_STATE_NOT_PRESENT,
	};
	struct vmscope_pages_ctx *ctx = w->private;
	struct vmscope_leaf leaf;

	for (; addr < end; addr += PAGE_SIZE, pte++) {
		pte_t ptent = ptep_get(pte);

		if (ctx->nr == ctx->max || !ctx->budget)
			return 1;
		if (pte_none(ptent)) {
			ctx->recs[ctx->nr] = none;
		} else {
			vmscope_decode_leaf(VMSCOPE_LEVEL_PTE, pte_val(ptent),
					    &leaf);
			vmscope_pages_one(ctx, VMSCOPE_LEVEL_PTE, &leaf, 0,
					  &ctx->recs[ctx->nr]);
		}
		ctx->nr++;
		ctx->budget--;
		ctx->addr += PAGE_SIZE;
	}
	return 0;
}

static const struct vmscope_walk_ops vmscope_pages_ops = {
	.leaf	= vmscope_pages_leaf,
	.hole	= vmscope_pages_hole,
	.ptes	= vmscope_pages_ptes,
};

/* One batch under mmap_lock: VMAs and the holes between them. */
static int vmscope_pages_batch(struct mm_struct *mm,
			       struct vmscope_pages_ctx *ctx, unsigned long end)
{
	static const struct vmscope_page no_vma = {
		.state = VMSCOPE_STATE_NO_VMA,
	};
	struct vmscope_pt_walk w = {
		.mm = mm,
		.ops = &vmscope_pages_ops,
		.private = ctx,
	};
	int err = 0;

	while (!err && ctx->addr < end) {
		struct vm_area_struct *vma = find_vma(mm, ctx->addr);

		if (!vma || vma->vm_start >= end)
			return vmscope_pages_fill(ctx, &no_vma, end);
		if (vma->vm_start > ctx->addr) {
			err = vmscope_pages_fill(ctx, &no_vma, vma->vm_start);
			continue;
		}
		ctx->vma = vma;
		err = vmscope_walk_range(&w, ctx->addr, min(vma->vm_end, end));
	}
	return err;
}

/* Copy @nr records to the caller's array, @rec_size bytes apart. */
static int vmscope_pages_copy(u64 ubuf, u32 rec_size,
			      const struct vmscope_page *recs, unsigned int nr)
{
	void __user *dst = u64_to_user_ptr(ubuf);
	unsigned int i;

	if (rec_size == sizeof(*recs))
		return copy_to_user(dst, recs, nr * sizeof(*recs)) ? -EFAULT : 0;
	for (i = 0; i < nr; i++, dst += rec_size) {
		if (copy_to_user(dst, &recs[i], sizeof(*recs)) ||
		    clear_user(dst + sizeof(*recs), rec_size - sizeof(*recs)))
			return -EFAULT;
	}
	return 0;
}

static int vmscope_walk_check(const struct vmscope_walk *req)
{
	u64 bytes;

	if (req->flags || req->__reserved)
		return -EINVAL;
	if (req->rec_size < VMSCOPE_PAGE_SIZE_VER1 ||
	    req->rec_size > PAGE_SIZE)
		return -EINVAL;
	if (!PAGE_ALIGNED(req->start) || !PAGE_ALIGNED(req->end) ||
	    req->start >= req->end || req->end > TASK_SIZE_MAX)
		return -EINVAL;
	if (!req->buf_count ||
	    check_mul_overflow(req->buf_count, (u64)req->rec_size, &bytes))
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(req->buf), bytes))
		return -EFAULT;
	return 0;
}

/* Walk batch after batch until the range or the caller's array is done. */
static int vmscope_walk_loop(struct mm_struct *mm, struct vmscope_walk *req,
			     struct vmscope_pages_ctx *ctx)
{
	u64 done = 0;
	int err = 0;

	ctx->addr = req->start;
	while (ctx->addr < req->end && done < req->buf_count) {
		ctx->nr = 0;
		ctx->budget = VMSCOPE_WALK_BUDGET;
		ctx->max = min_t(u64, VMSCOPE_WALK_BATCH, req->buf_count - done);
		err = mmap_read_lock_killable(mm);
		if (err)
			break;
		err = vmscope_pages_batch(mm, ctx, req->end);
		mmap_read_unlock(mm);
		if (err < 0)
			break;
		err = vmscope_pages_copy(req->buf + done * req->rec_size,
					 req->rec_size, ctx->recs, ctx->nr);
		if (err)
			break;
		done += ctx->nr;
		cond_resched();
	}
	req->next = req->start + done * PAGE_SIZE;
	req->count = done;
	return err;
}

/**
 * vmscope_walk_pages() - describe every base page of a range of a process
 * @acc: the caller's open-file access record
 * @req: the request (see struct vmscope_walk); next, count and out_flags
 *	are set, also after an error, to what was written
 *
 * Context: process context; takes the target's mmap_lock for read while
 * looking at no more than one PTE table's worth of entries at a time, and
 * never while copying to user space.
 * Return: 0, -EINVAL for a bad request (flags, sizes, range, count),
 * -EFAULT when the array is not user memory or cannot be written, -EINTR
 * if killed, -ENOMEM, or an error of vmscope_target_mm().
 */
int vmscope_walk_pages(const struct vmscope_access *acc,
		       struct vmscope_walk *req)
{
	struct vmscope_pages_ctx ctx = { .show_pfn = acc->sys_admin };
	struct mm_struct *mm;
	int err;

	req->next = req->start;
	req->count = 0;
	req->out_flags = acc->sys_admin ? 0 : VMSCOPE_OUT_PFN_HIDDEN;
	err = vmscope_walk_check(req);
	if (err)
		return err;

	ctx.recs = kvmalloc_array(VMSCOPE_WALK_BATCH, sizeof(*ctx.recs),
				  GFP_KERNEL);
	if (!ctx.recs)
		return -ENOMEM;
	mm = vmscope_target_mm(acc, req->pid);
	if (IS_ERR(mm)) {
		err = PTR_ERR(mm);
		goto out_free;
	}
	err = vmscope_walk_loop(mm, req, &ctx);
	mmput(mm);
out_free:
	kvfree(ctx.recs);
	return err;
}
