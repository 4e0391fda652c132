// SPDX-License-Identifier: GPL-2.0
/*
 * VMSCOPE_IOC_WALK (`vmscope walk`), the bulk walk: one record per base
 * page over a range of a process, like /proc/PID/pagemap but with the
 * state, level, flags and page facts.
 *
 * Shaped like pagemap_read(), through the chunked walk driver (pagewalk.c):
 * records are gathered into a kernel buffer under mmap_lock, looking at
 * no more than VMSCOPE_WALK_BUDGET entries; the lock is dropped, the
 * buffer is copied to user space, and the walk goes on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "decode.h"

/*
 * One batch is made under mmap_lock and written out after it is dropped.
 * It is either records, gathered in a kernel buffer, or a run of empty
 * pages (not present, or without a VMA), which is written straight to the
 * caller's array as zeroes.  Either way it looks at no more than
 * VMSCOPE_WALK_BUDGET entries: one PTE table's worth, an empty entry above
 * the PTE level counting once however many pages it stands for.
 */
#define VMSCOPE_WALK_BATCH	4096
/* and one run is at most this long, so that each batch is short work */
#define VMSCOPE_RUN_MAX		65536

struct vmscope_pages_ctx {
	struct vmscope_chunked cw;
	struct vmscope_walk *req;
	u64 done;		/* records written to the caller's array */
	struct vm_area_struct *vma;
	struct vmscope_page *recs;
	unsigned int nr;	/* records in @recs */
	unsigned int max;	/* room in @recs */
	u64 run;		/* pages in the empty run, if that is the batch */
	u64 run_max;		/* room in the caller's array */
	u8 run_state;
	unsigned long addr;	/* the next address to describe */
	bool show_pfn;
};

static bool vmscope_pages_in_run(const struct vmscope_pages_ctx *ctx)
{
	return ctx->run;
}

/* Spend one entry of the budget; >0 when the batch must end. */
static int vmscope_pages_spend(struct vmscope_pages_ctx *ctx)
{
	return vmscope_chunk_spend(&ctx->cw, 1);
}

/* Empty pages as records: all zero but for the state, in one memset(). */
static int vmscope_pages_fill(struct vmscope_pages_ctx *ctx, u8 state,
			      unsigned long next)
{
	unsigned long n = min_t(unsigned long, (next - ctx->addr) >> PAGE_SHIFT,
				ctx->max - ctx->nr);
	struct vmscope_page *rec = &ctx->recs[ctx->nr];
	unsigned long i;

	memset(rec, 0, n * sizeof(*rec));
	for (i = 0; state && i < n; i++)
		rec[i].state = state;
	ctx->nr += n;
	ctx->addr += n << PAGE_SHIFT;
	return ctx->addr < next;
}

/*
 * Empty pages [ctx->addr, next) in @state.  In a batch of records, a run
 * that fits the room left stays records (one mapped page in 33 must not
 * cost a batch per page); a longer one, or one at a batch's start, is a
 * batch of its own, written as zeroes; >0 when the batch must end.
 */
static int vmscope_pages_empty(struct vmscope_pages_ctx *ctx, u8 state,
			       unsigned long next)
{
	u64 pages = (next - ctx->addr) >> PAGE_SHIFT;

	if (!vmscope_pages_in_run(ctx)) {
		if (ctx->nr && pages <= ctx->max - ctx->nr)
			return vmscope_pages_fill(ctx, state, next) ?:
			       vmscope_pages_spend(ctx);
		if (ctx->nr)
			return 1;	/* the run is the next batch */
		ctx->run_state = state;
	} else if (state != ctx->run_state) {
		return 1;
	}
	pages = min(pages, ctx->run_max - ctx->run);
	ctx->run += pages;
	ctx->addr += pages << PAGE_SHIFT;
	if (ctx->run == ctx->run_max)
		return 1;
	return vmscope_pages_spend(ctx);
}

static int vmscope_pages_hole(struct vmscope_pt_walk *w, int level,
			      unsigned long addr, unsigned long next, u64 val)
{
	return vmscope_pages_empty(w->private, VMSCOPE_STATE_NOT_PRESENT,
				   next);
}

/*
 * The record of one base page, @index pages into a leaf; @seen as
 * vmscope_page_facts() takes it.
 */
static __always_inline void
vmscope_pages_one(struct vm_area_struct *vma, bool show_pfn, int level,
		  const struct vmscope_leaf *leaf, unsigned long index,
		  unsigned long *seen, struct vmscope_page *rec)
{
	struct vmscope_page_facts facts;
	struct vmscope_page r = {
		.state = leaf->state,
		.level = level,
		.flags = leaf->flags,
	};

	if (leaf->state == VMSCOPE_STATE_PRESENT ||
	    leaf->state == VMSCOPE_STATE_PROT_NONE) {
		vmscope_page_facts(vma, level, leaf, leaf->pfn + index, seen,
				   &facts);
		r.page_flags = facts.flags;
		if (show_pfn)
			r.pfn = leaf->pfn + index;
		else
			r.page_flags &= VMSCOPE_PAGE_PUBLIC;
	} else if (show_pfn && leaf->state == VMSCOPE_STATE_SWAPPED) {
		r.pfn = leaf->swap_type |
			leaf->swap_offset << VMSCOPE_SWP_TYPE_BITS;
	} else if (show_pfn) {
		r.pfn = vmscope_leaf_entry_pfn(leaf, index);
	}
	*rec = r;
}

/* A huge or non-present PMD or PUD leaf: one record per base page. */
static int vmscope_pages_leaf(struct vmscope_pt_walk *w, int level,
			      unsigned long addr, unsigned long next, u64 val)
{
	struct vmscope_pages_ctx *ctx = w->private;
	u64 mask = vmscope_level_size(level) - 1;
	struct vmscope_leaf leaf;

	if (vmscope_pages_in_run(ctx))
		return 1;
	if ((val & _PAGE_PRESENT) && !ctx->show_pfn &&
	    level == VMSCOPE_LEVEL_PMD &&
	    vmscope_pmd_may_be_shared(ctx->vma, addr))
		val &= ~(u64)(_PAGE_ACCESSED | _PAGE_DIRTY);
	vmscope_decode_leaf(level, val, &leaf);
	for (; ctx->addr < next; ctx->addr += PAGE_SIZE) {
		if (ctx->nr == ctx->max)
			return 1;
		vmscope_pages_one(ctx->vma, ctx->show_pfn, level, &leaf,
				  (ctx->addr & mask) >> PAGE_SHIFT, NULL,
				  &ctx->recs[ctx->nr++]);
	}
	return vmscope_pages_spend(ctx);
}

/* Empty PTEs from @pte on, up to @end: how many. */
static unsigned long vmscope_none_run(pte_t *pte, unsigned long addr,
				      unsigned long end)
{
	unsigned long n = 0;

	for (; addr < end && pte_none(ptep_get(pte)); addr += PAGE_SIZE, pte++)
		n++;
	return n;
}

/*
 * Present (or swapped...) PTEs from @pte on, into records: the hot loop of
 * a dense walk, with the batch's counters kept in locals (the kernel is
 * built with -fno-strict-aliasing, so stores to the records would
 * otherwise reload them).  Stops at an empty PTE; returns how many.
 */
static unsigned long vmscope_pages_mapped(struct vmscope_pages_ctx *ctx,
					  pte_t *pte, unsigned long addr,
					  unsigned long end)
{
	struct vmscope_page *rec = ctx->recs + ctx->nr;
	unsigned long n, room = min(ctx->max - ctx->nr, ctx->cw.left);
	struct vm_area_struct *vma = ctx->vma;
	bool show_pfn = ctx->show_pfn;
	struct vmscope_leaf leaf;
	unsigned long seen = 0;	/* this table's lock is held throughout */

	room = min(room, (end - addr) >> PAGE_SHIFT);
	for (n = 0; n < room; n++, pte++, rec++) {
		pte_t ptent = ptep_get(pte);

		if (pte_none(ptent))
			break;
		vmscope_decode_leaf(VMSCOPE_LEVEL_PTE, pte_val(ptent), &leaf);
		vmscope_pages_one(vma, show_pfn, VMSCOPE_LEVEL_PTE, &leaf, 0,
				  &seen, rec);
	}
	ctx->nr += n;
	ctx->cw.left -= n;
	ctx->addr += n << PAGE_SHIFT;
	return n;
}

/* The PTEs of one table, in a loop of its own (no call per entry). */
static int vmscope_pages_ptes(struct vmscope_pt_walk *w, pte_t *pte,
			      unsigned long addr, unsigned long end)
{
	struct vmscope_pages_ctx *ctx = w->private;
	unsigned long n;
	int err;

	while (addr < end) {
		if (!ctx->cw.left || ctx->nr == ctx->max)
			return 1;
		if (pte_none(ptep_get(pte))) {
			n = vmscope_none_run(pte, addr, end);
			err = vmscope_pages_empty(ctx,
						  VMSCOPE_STATE_NOT_PRESENT,
						  addr + n * PAGE_SIZE);
			if (err)
				return err;
		} else {
			if (vmscope_pages_in_run(ctx))
				return 1;
			n = vmscope_pages_mapped(ctx, pte, addr, end);
		}
		addr += n * PAGE_SIZE;
		pte += n;
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
	struct vmscope_pt_walk w = {
		.mm = mm,
		.ops = &vmscope_pages_ops,
		.private = ctx,
	};
	int err = 0;

	while (!err && ctx->addr < end) {
		struct vm_area_struct *vma = find_vma(mm, ctx->addr);

		if (!vma || vma->vm_start >= end) {
			err = vmscope_pages_empty(ctx, VMSCOPE_STATE_NO_VMA,
						  end);
			continue;
		}
		if (vma->vm_start > ctx->addr) {
			err = vmscope_pages_empty(ctx, VMSCOPE_STATE_NO_VMA,
						  vma->vm_start);
			continue;
		}
		ctx->vma = vma;
		err = vmscope_walk_vma(&w, vma, ctx->addr,
				       min(vma->vm_end, end));
	}
	return err;
}

/* Write the batch to the caller's array, records @rec_size bytes apart. */
static int vmscope_pages_copy(void __user *dst, u32 rec_size,
			      const struct vmscope_pages_ctx *ctx)
{
	u64 i;

	if (vmscope_pages_in_run(ctx)) {
		if (clear_user(dst, ctx->run * rec_size))
			return -EFAULT;
		for (i = 0; ctx->run_state && i < ctx->run; i++)
			if (put_user(ctx->run_state, (u8 __user *)dst +
				     i * rec_size +
				     offsetof(struct vmscope_page, state)))
				return -EFAULT;
		return 0;
	}
	return vmscope_records_copy(dst, rec_size, ctx->recs,
				    sizeof(*ctx->recs), ctx->nr);
}

static int vmscope_walk_check(const struct vmscope_walk *req)
{
	u64 bytes;

	if (req->rec_size < VMSCOPE_PAGE_SIZE_VER1 ||
	    req->rec_size > PAGE_SIZE || req->rec_size % 8)
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

/* One batch, under mmap_lock: >0 while the range goes on. */
static int vmscope_pages_gather(struct vmscope_chunked *cw)
{
	struct vmscope_pages_ctx *ctx =
		container_of(cw, struct vmscope_pages_ctx, cw);
	struct vmscope_walk *req = ctx->req;
	int err;

	ctx->nr = 0;
	ctx->run = 0;
	ctx->run_max = min_t(u64, VMSCOPE_RUN_MAX, req->buf_count - ctx->done);
	ctx->max = min_t(u64, VMSCOPE_WALK_BATCH, ctx->run_max);
	err = vmscope_pages_batch(cw->mm, ctx, req->end);
	return err < 0 ? err : ctx->addr < req->end;
}

/* The batch to the caller's array: >0 when the array is full. */
static int vmscope_pages_flush(struct vmscope_chunked *cw)
{
	struct vmscope_pages_ctx *ctx =
		container_of(cw, struct vmscope_pages_ctx, cw);
	struct vmscope_walk *req = ctx->req;
	int err;

	err = vmscope_pages_copy(u64_to_user_ptr(req->buf) +
				 ctx->done * req->rec_size, req->rec_size, ctx);
	if (err)
		return err;
	ctx->done += ctx->run + ctx->nr;
	return ctx->done >= req->buf_count;
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
	struct vmscope_pages_ctx ctx = {
		.cw.budget = VMSCOPE_WALK_BUDGET,
		.cw.gather = vmscope_pages_gather,
		.cw.flush = vmscope_pages_flush,
		.req = req,
		.addr = req->start,
		.show_pfn = acc->sys_admin,
	};
	int err;

	req->next = req->start;
	req->count = 0;
	req->out_flags = acc->sys_admin ? 0 : VMSCOPE_OUT_PFN_HIDDEN;
	err = vmscope_walk_check(req);
	if (err)
		return err;

	ctx.cw.mm = vmscope_target_mm(acc, req->pid);
	if (IS_ERR(ctx.cw.mm))
		return PTR_ERR(ctx.cw.mm);
	ctx.recs = kvmalloc_array(VMSCOPE_WALK_BATCH, sizeof(*ctx.recs),
				  GFP_KERNEL_ACCOUNT);
	err = ctx.recs ? vmscope_walk_chunked(&ctx.cw) : -ENOMEM;
	req->next = req->start + ctx.done * PAGE_SIZE;
	req->count = ctx.done;
	kvfree(ctx.recs);
	mmput(ctx.cw.mm);
	return err;
}
