// SPDX-License-Identifier: GPL-2.0
/*
 * A process's layout: every VMA, classified into the segments a textbook
 * draws (text, data, bss, heap, mmap area, stack...) and measured by a walk
 * of its page tables (resident anonymous, file and shmem bytes, swap, huge
 * leaves), with the facts of the mm (where code, data, heap and stack
 * are, and the kernel's own counters).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "decode.h"

/* VMAs copied out per batch. */
#define VMSCOPE_LAYOUT_BATCH	16

/* What one walk of a VMA counts, in pages. */
struct vmscope_rss {
	u64 anon, file, shmem, swap, huge;
};

static __always_inline void vmscope_rss_page(struct vmscope_rss *rss,
					     struct vm_area_struct *vma,
					     int level,
					     const struct vmscope_leaf *leaf,
					     unsigned long pages)
{
	struct vmscope_page_facts facts;

	if (leaf->state == VMSCOPE_STATE_SWAPPED) {
		rss->swap += pages;
		return;
	}
	if (leaf->state != VMSCOPE_STATE_PRESENT &&
	    leaf->state != VMSCOPE_STATE_PROT_NONE)
		return;
	/* a PMD or PUD leaf maps one folio: its facts hold for every page */
	vmscope_page_facts(vma, level, leaf, leaf->pfn, NULL, &facts);
	if (facts.flags & (VMSCOPE_PAGE_ZERO | VMSCOPE_PAGE_NOPAGE))
		return;		/* not in smaps' Rss */
	/* as mm_counter(): what is neither anon nor shmem counts as file */
	if (facts.flags & VMSCOPE_PAGE_ANON)
		rss->anon += pages;
	else if (facts.flags & VMSCOPE_PAGE_SHMEM)
		rss->shmem += pages;
	else
		rss->file += pages;
	if (level > VMSCOPE_LEVEL_PTE)
		rss->huge += pages;
}

/*
 * One VMA measured in chunks of VMSCOPE_WALK_BUDGET entries, mmap_lock
 * dropped between them (as smaps_rollup may), so that a huge VMA does not
 * stall the target's mmap() and munmap() for the whole walk.  What
 * changes meanwhile is counted as found, before or after.
 */
struct vmscope_rss_walk {
	struct vmscope_chunked cw;
	struct vmscope_pt_walk w;
	struct vmscope_rss rss;
	struct vm_area_struct *vma;
	struct vmscope_layout_vma *out;
	unsigned long addr;	/* where the next chunk starts */
	unsigned long end;	/* end of the VMA described */
	bool started;
	bool show_pfn;
	bool from_addr;
};

/* Spend @n entries; at the budget's end the next chunk starts at @next. */
static int vmscope_rss_spend(struct vmscope_rss_walk *rw, unsigned int n,
			     unsigned long next)
{
	rw->addr = next;
	return vmscope_chunk_spend(&rw->cw, n);
}

static int vmscope_rss_leaf(struct vmscope_pt_walk *w, int level,
			    unsigned long addr, unsigned long next, u64 val)
{
	struct vmscope_rss_walk *rw = w->private;
	struct vmscope_leaf leaf;

	vmscope_decode_leaf(level, val, &leaf);
	vmscope_rss_page(&rw->rss, rw->vma, level, &leaf,
			 (next - addr) >> PAGE_SHIFT);
	return vmscope_rss_spend(rw, 1, next);
}

static int vmscope_rss_hole(struct vmscope_pt_walk *w, int level,
			    unsigned long addr, unsigned long next, u64 val)
{
	return vmscope_rss_spend(w->private, 1, next);
}

static int vmscope_rss_ptes(struct vmscope_pt_walk *w, pte_t *pte,
			    unsigned long addr, unsigned long end)
{
	struct vmscope_rss_walk *rw = w->private;
	struct vm_area_struct *vma = rw->vma;
	struct vmscope_leaf leaf;
	unsigned long a;

	for (a = addr; a < end; a += PAGE_SIZE, pte++) {
		pte_t ptent = ptep_get(pte);

		if (pte_none(ptent))
			continue;
		vmscope_decode_leaf(VMSCOPE_LEVEL_PTE, pte_val(ptent), &leaf);
		vmscope_rss_page(&rw->rss, vma, VMSCOPE_LEVEL_PTE, &leaf, 1);
	}
	return vmscope_rss_spend(rw, (end - addr) >> PAGE_SHIFT, end);
}

static const struct vmscope_walk_ops vmscope_rss_ops = {
	.leaf	= vmscope_rss_leaf,
	.hole	= vmscope_rss_hole,
	.ptes	= vmscope_rss_ptes,
};

static void vmscope_describe(struct vm_area_struct *vma, unsigned long from,
			     struct vmscope_layout_vma *out, bool show_pfn);

/*
 * One chunk: at the first, find and describe the VMA; then walk on from
 * where the last chunk stopped, inside what is left of the VMA's range
 * (if it was split meanwhile, its pieces; if unmapped, nothing).
 */
static int vmscope_rss_gather(struct vmscope_chunked *cw)
{
	struct vmscope_rss_walk *rw =
		container_of(cw, struct vmscope_rss_walk, cw);
	struct vm_area_struct *vma = find_vma(cw->mm, rw->addr);
	int ret;

	if (!rw->started) {
		if (!vma)
			return -ENOENT;
		rw->addr = rw->from_addr ? max(rw->addr, vma->vm_start) :
					   vma->vm_start;
		vmscope_describe(vma, rw->addr, rw->out, rw->show_pfn);
		rw->started = true;
		rw->end = vma->vm_end;
	}
	/*
	 * Until @rw->end, the VMA's end when it was described: a heap that
	 * grew meanwhile goes on above it, and would be found again there.
	 */
	while (vma && vma->vm_start < rw->end && rw->addr < rw->end) {
		rw->vma = vma;
		ret = vmscope_walk_vma(&rw->w, vma, max(rw->addr, vma->vm_start),
				       min(vma->vm_end, rw->end));
		if (ret)
			return ret < 0 ? ret : rw->addr < rw->end;
		rw->addr = min(vma->vm_end, rw->end);
		vma = find_vma(cw->mm, rw->addr);
	}
	return 0;
}

/**
 * vmscope_layout_one() - the first VMA that ends above an address,
 * classified and measured
 * @mm: the address space, referenced
 * @addr: in: where to look; out: the end of the VMA described
 * @out: filled in completely
 * @show_pfn: the caller's file was opened with CAP_SYS_ADMIN
 * @from_addr: describe a VMA that begins below @addr from @addr on only:
 *	@addr is where the last record ended, and the VMA has grown or
 *	merged into it since (maps's rule: addresses never go backwards)
 *
 * Context: process context; takes mmap_lock of @mm for read a chunk of
 * VMSCOPE_WALK_BUDGET entries at a time (vmscope_walk_chunked()).
 * Return: 0, -ENOENT when there is no VMA above @addr, -EINTR.
 */
int vmscope_layout_one(struct mm_struct *mm, unsigned long *addr,
		       struct vmscope_layout_vma *out, bool show_pfn,
		       bool from_addr)
{
	struct vmscope_rss_walk rw = {
		.cw.mm = mm,
		.cw.budget = VMSCOPE_WALK_BUDGET,
		.cw.gather = vmscope_rss_gather,
		.w.mm = mm,
		.w.ops = &vmscope_rss_ops,
		.out = out,
		.addr = *addr,
		.show_pfn = show_pfn,
		.from_addr = from_addr,
	};
	int err;

	rw.w.private = &rw;
	err = vmscope_walk_chunked(&rw.cw);
	if (err)
		return err;
	out->rss_anon = rw.rss.anon << PAGE_SHIFT;
	out->rss_file = rw.rss.file << PAGE_SHIFT;
	out->rss_shmem = rw.rss.shmem << PAGE_SHIFT;
	out->swap = rw.rss.swap << PAGE_SHIFT;
	out->huge = rw.rss.huge << PAGE_SHIFT;
	*addr = rw.end;
	return 0;
}

static bool vmscope_vma_overlaps(const struct vm_area_struct *vma,
				 unsigned long start, unsigned long end)
{
	return start < end && vma->vm_start < end && vma->vm_end > start;
}

static bool vmscope_vma_is_tmpfs(const struct vm_area_struct *vma)
{
	return vma->vm_file &&
	       file_inode(vma->vm_file)->i_sb->s_magic == TMPFS_MAGIC;
}

/*
 * A thread's stack as glibc makes it: anonymous, private and writable,
 * right above a PROT_NONE guard VMA.  (The kernel does not record which
 * VMA is whose stack; this is the shape pthread_create() leaves.)
 */
static bool vmscope_vma_is_thread_stack(struct vm_area_struct *vma)
{
	struct vm_area_struct *prev;

	if (vma->vm_file || !(vma->vm_flags & VM_WRITE) ||
	    (vma->vm_flags & VM_MAYSHARE) || !vma->vm_start)
		return false;
	prev = find_vma(vma->vm_mm, vma->vm_start - 1);
	return prev && prev != vma && prev->vm_end == vma->vm_start &&
	       !prev->vm_file &&
	       !(prev->vm_flags & (VM_READ | VM_WRITE | VM_EXEC));
}

/* The program's own file: the one mapped at start_code. */
static bool vmscope_vma_is_program(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *text;

	if (!vma->vm_file || !mm->start_code)
		return false;
	text = vma_lookup(mm, mm->start_code);
	return text && text->vm_file &&
	       file_inode(text->vm_file) == file_inode(vma->vm_file);
}

static u32 vmscope_segment_of_program(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	if (vmscope_vma_overlaps(vma, mm->start_code, mm->end_code))
		return VMSCOPE_SEG_TEXT;
	if (vmscope_vma_overlaps(vma, mm->start_data, mm->end_data) ||
	    (vma->vm_flags & VM_WRITE))
		return VMSCOPE_SEG_DATA;
	if (vma->vm_flags & VM_EXEC)
		return VMSCOPE_SEG_TEXT;
	return VMSCOPE_SEG_RODATA;
}

/* The anonymous rest of the program's data page, up to the heap. */
static bool vmscope_vma_is_bss(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	return !vma->vm_file && mm->end_data &&
	       vma->vm_start <= PAGE_ALIGN(mm->end_data) &&
	       vma->vm_end > mm->end_data && vma->vm_end <= mm->start_brk;
}

static u32 vmscope_segment_special(struct vm_area_struct *vma)
{
	const char *name = vma->vm_ops && vma->vm_ops->name ?
			   vma->vm_ops->name(vma) : NULL;

	if (!name)
		return VMSCOPE_SEG_OTHER;
	if (!strcmp(name, "[vdso]"))
		return VMSCOPE_SEG_VDSO;
	if (!strncmp(name, "[vvar", 5))
		return VMSCOPE_SEG_VVAR;
	return VMSCOPE_SEG_MMAP_ANON;
}

/**
 * vmscope_segment() - which segment of the textbook picture a VMA is
 * @vma: the VMA
 *
 * Decided from the mm's own markers (start_code/end_code,
 * start_data/end_data, start_brk/brk, start_stack) and the VMA's kind,
 * in this order: special mappings ([vdso], [vvar]), PROT_NONE (guard),
 * the main stack, the heap, the program's file (text, rodata, data),
 * its bss, thread stacks, shared memory, file and anonymous mappings.
 *
 * Context: mmap_lock of the VMA's mm held for read.
 * Return: VMSCOPE_SEG_*.
 */
static u32 vmscope_segment(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	u32 seg = vmscope_segment_special(vma);

	if (seg != VMSCOPE_SEG_OTHER)
		return seg;
	if (!(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)))
		return VMSCOPE_SEG_GUARD;
	if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack)
		return VMSCOPE_SEG_STACK;
	/* what brk() gave: a bss that only touches an empty heap is bss */
	if (vma->vm_start < mm->brk && vma->vm_end > mm->start_brk &&
	    !vma->vm_file)
		return VMSCOPE_SEG_HEAP;
	if (vmscope_vma_is_program(vma))
		return vmscope_segment_of_program(vma);
	if (vmscope_vma_is_bss(vma))
		return VMSCOPE_SEG_BSS;
	if (vmscope_vma_is_thread_stack(vma))
		return VMSCOPE_SEG_THREAD_STACK;
	if ((vma->vm_flags & VM_MAYSHARE) && vmscope_vma_is_tmpfs(vma))
		return VMSCOPE_SEG_SHMEM;
	return vma->vm_file ? VMSCOPE_SEG_MMAP_FILE : VMSCOPE_SEG_MMAP_ANON;
}

/* The mm's markers and counters, as status and stat show them. */
static void vmscope_layout_mm(struct mm_struct *mm, struct task_struct *task,
			      struct vmscope_layout *lo)
{
	lo->start_code = mm->start_code;
	lo->end_code = mm->end_code;
	lo->start_data = mm->start_data;
	lo->end_data = mm->end_data;
	lo->start_brk = mm->start_brk;
	lo->brk = mm->brk;
	lo->start_stack = mm->start_stack;
	lo->arg_start = mm->arg_start;
	lo->env_end = mm->env_end;
	lo->mmap_base = mm->mmap_base;
	lo->task_size = mm->task_size;
	lo->total_vm = (u64)mm->total_vm << PAGE_SHIFT;
	lo->map_count = mm->map_count;
	lo->rss_anon = (u64)vmscope_mm_counter(mm, MM_ANONPAGES) << PAGE_SHIFT;
	lo->rss_file = (u64)vmscope_mm_counter(mm, MM_FILEPAGES) << PAGE_SHIFT;
	lo->rss_shmem = (u64)vmscope_mm_counter(mm, MM_SHMEMPAGES) <<
			PAGE_SHIFT;
	lo->swap = (u64)vmscope_mm_counter(mm, MM_SWAPENTS) << PAGE_SHIFT;
	lo->nr_threads = get_nr_threads(task);
}

/* One VMA as maps shows it, from @from on, and its segment; sizes zero. */
static void vmscope_describe(struct vm_area_struct *vma, unsigned long from,
			     struct vmscope_layout_vma *out, bool show_pfn)
{
	u64 skipped = from - vma->vm_start;

	memset(out, 0, sizeof(*out));
	vmscope_vma_describe(vma, &out->vma, show_pfn);
	out->segment = vmscope_segment(vma);
	out->vma.start = from;
	/* the file offset of @from, where one is shown */
	if (vma->vm_file && out->vma.pgoff == (u64)vma->vm_pgoff << PAGE_SHIFT)
		out->vma.pgoff += skipped;
}

static int vmscope_layout_check(const struct vmscope_layout *lo)
{
	u64 bytes;

	if (lo->rec_size < VMSCOPE_LAYOUT_VMA_SIZE_VER1 ||
	    lo->rec_size > PAGE_SIZE || lo->rec_size % 8 || !lo->buf_count ||
	    check_mul_overflow(lo->buf_count, (u64)lo->rec_size, &bytes))
		return -EINVAL;
	if (lo->start >= TASK_SIZE_MAX)
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(lo->buf), bytes))
		return -EFAULT;
	return 0;
}

/* The mm's facts, under mmap_lock, as the first thing of a call. */
static int vmscope_layout_facts(struct mm_struct *mm, struct task_struct *task,
				struct vmscope_layout *lo)
{
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vmscope_layout_mm(mm, task, lo);
	mmap_read_unlock(mm);
	return 0;
}

/* VMA after VMA, copied out a batch at a time. */
static int vmscope_layout_loop(struct mm_struct *mm, struct task_struct *task,
			       struct vmscope_layout *lo,
			       struct vmscope_layout_vma *recs, bool show_pfn)
{
	unsigned long addr = lo->start;
	unsigned int n = 0;
	int err;

	err = vmscope_layout_facts(mm, task, lo);
	while (!err && lo->count + n < lo->buf_count) {
		/* the first as asked for: the whole VMA ending above start */
		err = vmscope_layout_one(mm, &addr, &recs[n], show_pfn,
					 lo->count + n > 0);
		if (err)
			break;
		if (++n < VMSCOPE_LAYOUT_BATCH)
			continue;
		err = vmscope_records_copy(u64_to_user_ptr(lo->buf) +
					   lo->count * lo->rec_size,
					   lo->rec_size, recs, sizeof(*recs), n);
		if (!err) {
			lo->count += n;
			lo->next = addr;
			n = 0;
		}
	}
	if (err == -ENOENT)
		lo->out_flags |= VMSCOPE_LAYOUT_DONE;
	if ((!err || err == -ENOENT) && n) {
		if (vmscope_records_copy(u64_to_user_ptr(lo->buf) +
					 lo->count * lo->rec_size,
					 lo->rec_size, recs, sizeof(*recs), n)) {
			lo->out_flags &= ~VMSCOPE_LAYOUT_DONE;
			return -EFAULT;
		}
		lo->count += n;
		lo->next = addr;
	}
	return err == -ENOENT ? 0 : err;
}

/**
 * vmscope_layout() - describe the VMAs of a process from an address on
 * @acc: the caller's open-file access record
 * @lo: the request (see struct vmscope_layout); the outputs are set, also
 *	after an error, to what was written
 *
 * Context: process context; takes the target's mmap_lock for read for
 * no more than VMSCOPE_WALK_BUDGET entries at a time, also inside one VMA
 * (vmscope_layout_one()), never while writing to user memory.
 * Return: 0, -EINVAL or -EFAULT for a bad request, -EFAULT when the array
 * cannot be written, -EINTR if killed, -ENOMEM, or an error of
 * vmscope_target().
 */
int vmscope_layout(const struct vmscope_access *acc,
		   struct vmscope_layout *lo)
{
	struct vmscope_layout_vma *recs;
	struct task_struct *task;
	struct mm_struct *mm;
	int err;

	lo->next = lo->start;
	lo->count = 0;
	lo->out_flags = 0;
	err = vmscope_layout_check(lo);
	if (err)
		return err;
	mm = vmscope_target(acc, lo->pid, &task);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	recs = kmalloc_array(VMSCOPE_LAYOUT_BATCH, sizeof(*recs), GFP_KERNEL);
	if (recs)
		err = vmscope_layout_loop(mm, task, lo, recs, acc->sys_admin);
	else
		err = -ENOMEM;
	kfree(recs);
	mmput(mm);
	put_task_struct(task);
	return err;
}
