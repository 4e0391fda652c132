// SPDX-License-Identifier: GPL-2.0
/*
 * The bulk walk: one record per base page over a range of a process, like
 * /proc/PID/pagemap but with the state, level, flags and page facts.
 *
 * Shaped like pagemap_read(): records are gathered into a kernel buffer of
 * one PTE table's worth under mmap_lock, the lock is dropped, the buffer is
 * copied to user space, and the walk goes on after cond_resched().
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

/* Records per mmap_lock hold: one PTE table. */
#define VMSCOPE_WALK_BATCH	PTRS_PER_PTE

struct vmscope_pages_ctx {
	struct vm_area_struct *vma;
	struct vmscope_page *recs;
	unsigned int nr;
	unsigned int max;
	unsigned long addr;	/* the next address to describe */
	bool show_pfn;
};

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
	return 0;
}

static int vmscope_pages_hole(struct vmscope_pt_walk *w, int level,
			      unsigned long addr, unsigned long next, u64 val)
{
	struct vmscope_page tmpl = { .state = VMSCOPE_STATE_NOT_PRESENT };

	return vmscope_pages_fill(w->private, &tmpl, next);
}

/* A present leaf: each base page gets its own PFN and page facts. */
static int vmscope_pages_present(struct vmscope_pages_ctx *ctx, int level,
				 const struct vmscope_leaf *leaf,
				 unsigned long addr, unsigned long next)
{
	u64 mask = vmscope_level_size(level) - 1;
	struct vmscope_page_facts facts;
	struct vmscope_page rec = {
		.state = leaf->state,
		.level = level,
		.flags = leaf->flags,
	};
	unsigned long pfn;

	for (; ctx->addr < next; ctx->addr += PAGE_SIZE) {
		if (ctx->nr == ctx->max)
			return 1;
		pfn = leaf->pfn + ((ctx->addr & mask) >> PAGE_SHIFT);
		vmscope_page_facts(ctx->vma, level, leaf, pfn, &facts);
		rec.pfn = ctx->show_pfn ? pfn : 0;
		rec.page_flags = facts.flags;
		rec.mapcount = facts.mapcount;
		ctx->recs[ctx->nr++] = rec;
	}
	return 0;
}

static int vmscope_pages_leaf(struct vmscope_pt_walk *w, int level,
			      unsigned long addr, unsigned long next, u64 val)
{
	struct vmscope_pages_ctx *ctx = w->private;
	struct vmscope_page tmpl = { .level = level };
	struct vmscope_leaf leaf;

	vmscope_decode_leaf(level, val, &leaf);
	if (leaf.state == VMSCOPE_STATE_PRESENT ||
	    leaf.state == VMSCOPE_STATE_PROT_NONE)
		return vmscope_pages_present(ctx, level, &leaf, addr, next);

	tmpl.state = leaf.state;
	tmpl.flags = leaf.flags;
	if (ctx->show_pfn) {
		tmpl.swap_type = leaf.swap_type;
		tmpl.swap_offset = leaf.swap_offset;
	}
	return vmscope_pages_fill(ctx, &tmpl, next);
}

static const struct vmscope_walk_ops vmscope_pages_ops = {
	.leaf	= vmscope_pages_leaf,
	.hole	= vmscope_pages_hole,
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
 * Context: process context; takes the target's mmap_lock for read for at
 * most one PTE table's worth of pages at a time, never while copying to
 * user space.
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

	ctx.recs = kmalloc_array(VMSCOPE_WALK_BATCH, sizeof(*ctx.recs),
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
	kfree(ctx.recs);
	return err;
}
