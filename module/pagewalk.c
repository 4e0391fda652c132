// SPDX-License-Identifier: GPL-2.0
/*
 * A page-table walker for one range of a user address space, and the one
 * chunked walk driver that every bulk walk (WALK, PTSTATS, LAYOUT, the
 * working-set passes) runs it under: vmscope_walk_chunked().
 *
 * walk_page_range() is not exported to modules, so vmscope has its own,
 * shaped like mm/pagewalk.c: one small function per level, callbacks in an
 * ops structure, and the return protocol of vmscope_walk_fn (0 continue,
 * >0 stop with that value, <0 error).  Every entry is read once into a
 * local copy and decided on that copy.  Leaves are reported with the lock
 * of their table held: the PTE lock for PTEs, pmd_lock() and pud_lock()
 * for huge and non-present PMDs and PUDs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "compat.h"
#include "vmscope.h"

static int vmscope_call(struct vmscope_pt_walk *w, vmscope_walk_fn fn,
			int level, unsigned long addr, unsigned long next,
			u64 val)
{
	return fn ? fn(w, level, addr, next, val) : 0;
}

static int vmscope_walk_ptes(struct vmscope_pt_walk *w, pte_t *pte,
			     unsigned long addr, unsigned long end)
{
	const struct vmscope_walk_ops *ops = w->ops;
	unsigned long next;
	int err = 0;

	if (ops->ptes)
		return ops->ptes(w, pte, addr, end);
	while (!err && addr < end) {
		pte_t ptent = ptep_get(pte);

		if (!pte_none(ptent)) {
			err = vmscope_call(w, ops->leaf, VMSCOPE_LEVEL_PTE,
					   addr, addr + PAGE_SIZE,
					   pte_val(ptent));
			addr += PAGE_SIZE;
			pte++;
			continue;
		}
		/* a run of empty entries is one hole */
		for (next = addr + PAGE_SIZE; next < end; next += PAGE_SIZE)
			if (!pte_none(ptep_get(++pte)))
				break;
		if (next == end)
			pte++;
		err = vmscope_call(w, ops->hole, VMSCOPE_LEVEL_PTE, addr, next,
				   pte_val(ptent));
		addr = next;
	}
	return err;
}

/* Returns -EAGAIN when the PMD no longer points to a PTE table. */
static int vmscope_walk_pte_range(struct vmscope_pt_walk *w, pmd_t *pmdp,
				  unsigned long addr, unsigned long end)
{
	spinlock_t *ptl;	/* the PTE table's split lock */
	pmd_t pmdval;
	pte_t *pte;
	int err;

	pte = vmscope_pte_map(pmdp, addr, &pmdval);
	if (!pte)
		return -EAGAIN;
	ptl = pte_lockptr(w->mm, &pmdval);
	spin_lock(ptl);
	if (!pmd_same(pmdval, pmdp_get_lockless(pmdp))) {
		spin_unlock(ptl);
		return -EAGAIN;
	}
	err = vmscope_call(w, w->ops->entry, VMSCOPE_LEVEL_PMD, addr, end,
			   pmd_val(pmdval)) ?:
	      vmscope_walk_ptes(w, pte, addr, end);
	spin_unlock(ptl);
	return err;
}

/* A huge or non-present PMD, under its lock; -EAGAIN if it is a table now. */
static int vmscope_walk_pmd_leaf(struct vmscope_pt_walk *w, pmd_t *pmdp,
				 unsigned long addr, unsigned long next)
{
	spinlock_t *ptl = pmd_lock(w->mm, pmdp);
	pmd_t pmd = pmdp_get_lockless(pmdp);
	int err = -EAGAIN;

	if (pmd_none(pmd))
		err = vmscope_call(w, w->ops->hole, VMSCOPE_LEVEL_PMD, addr,
				   next, pmd_val(pmd));
	else if (!pmd_present(pmd) || pmd_leaf(pmd) ||
		 vmscope_pmd_devmap(pmd)) {
		w->entryp = pmdp;
		err = vmscope_call(w, w->ops->leaf, VMSCOPE_LEVEL_PMD, addr,
				   next, pmd_val(pmd));
		w->entryp = NULL;
	}
	spin_unlock(ptl);
	return err;
}

static int vmscope_walk_pmd(struct vmscope_pt_walk *w, pmd_t *pmdp,
			    unsigned long addr, unsigned long next)
{
	int err;

	do {
		pmd_t pmd = pmdp_get_lockless(pmdp);

		if (pmd_none(pmd)) {
			err = vmscope_call(w, w->ops->hole, VMSCOPE_LEVEL_PMD,
					   addr, next, pmd_val(pmd));
		} else if (!pmd_present(pmd) || pmd_leaf(pmd) ||
			   vmscope_pmd_devmap(pmd)) {
			err = vmscope_walk_pmd_leaf(w, pmdp, addr, next);
		} else if (pmd_bad(pmd)) {
			/* corrupt: the kernel reports it; skip, as a hole */
			err = vmscope_call(w, w->ops->hole, VMSCOPE_LEVEL_PMD,
					   addr, next, pmd_val(pmd));
		} else {
			rcu_read_lock();
			err = vmscope_walk_pte_range(w, pmdp, addr, next);
			rcu_read_unlock();
		}
	} while (err == -EAGAIN);	/* the PMD changed: look again */
	return err;
}

static int vmscope_walk_pmd_range(struct vmscope_pt_walk *w, pud_t *pudp,
				  unsigned long addr, unsigned long end)
{
	pmd_t *pmdp = pmd_offset(pudp, addr);
	unsigned long next;
	int err;

	do {
		next = pmd_addr_end(addr, end);
		err = vmscope_walk_pmd(w, pmdp, addr, next);
		if (err)
			return err;
		/* a huge VMA is a long walk; mmap_lock is a sleeping lock */
		cond_resched();
	} while (pmdp++, addr = next, addr != end);
	return 0;
}

/* A huge or non-present PUD, under its lock; -EAGAIN if it is a table now. */
static int vmscope_walk_pud_leaf(struct vmscope_pt_walk *w, pud_t *pudp,
				 unsigned long addr, unsigned long next)
{
	spinlock_t *ptl = pud_lock(w->mm, pudp);
	pud_t pud = READ_ONCE(*pudp);
	int err = -EAGAIN;

	if (pud_none(pud))
		err = vmscope_call(w, w->ops->hole, VMSCOPE_LEVEL_PUD, addr,
				   next, pud_val(pud));
	else if (!pud_present(pud) || pud_leaf(pud)) {
		w->entryp = pudp;
		err = vmscope_call(w, w->ops->leaf, VMSCOPE_LEVEL_PUD, addr,
				   next, pud_val(pud));
		w->entryp = NULL;
	}
	spin_unlock(ptl);
	return err;
}

static int vmscope_walk_pud_range(struct vmscope_pt_walk *w, p4d_t *p4dp,
				  unsigned long addr, unsigned long end)
{
	const struct vmscope_walk_ops *ops = w->ops;
	pud_t *pudp = pud_offset(p4dp, addr);
	unsigned long next;
	int err;

	do {
		pud_t pud;

		next = pud_addr_end(addr, end);
again:
		pud = READ_ONCE(*pudp);
		if (pud_none(pud))
			err = vmscope_call(w, ops->hole, VMSCOPE_LEVEL_PUD,
					   addr, next, pud_val(pud));
		else if (!pud_present(pud) || pud_leaf(pud))
			err = vmscope_walk_pud_leaf(w, pudp, addr, next);
		else if (pud_bad(pud))
			err = vmscope_call(w, ops->hole, VMSCOPE_LEVEL_PUD,
					   addr, next, pud_val(pud));
		else
			err = vmscope_call(w, ops->entry, VMSCOPE_LEVEL_PUD,
					   addr, next, pud_val(pud)) ?:
			      vmscope_walk_pmd_range(w, &pud, addr, next);
		if (err == -EAGAIN)	/* the leaf became a table */
			goto again;
		if (err)
			return err;
	} while (pudp++, addr = next, addr != end);
	return 0;
}

/*
 * With 4-level paging the P4D is folded into the PGD at run time: the
 * "P4D entry" is the PGD entry (pgd_none() is always false then), and it is
 * reported as the PGD level.
 */
static int vmscope_walk_p4d_range(struct vmscope_pt_walk *w, pgd_t *pgdp,
				  unsigned long addr, unsigned long end)
{
	int level = pgtable_l5_enabled() ? VMSCOPE_LEVEL_P4D :
					   VMSCOPE_LEVEL_PGD;
	const struct vmscope_walk_ops *ops = w->ops;
	p4d_t *p4dp = p4d_offset(pgdp, addr);
	unsigned long next;
	int err;

	do {
		p4d_t p4d = READ_ONCE(*p4dp);

		next = p4d_addr_end(addr, end);
		if (p4d_none(p4d) || p4d_bad(p4d))
			err = vmscope_call(w, ops->hole, level, addr, next,
					   p4d_val(p4d));
		else
			err = vmscope_call(w, ops->entry, level, addr, next,
					   p4d_val(p4d)) ?:
			      vmscope_walk_pud_range(w, &p4d, addr, next);
		if (err)
			return err;
	} while (p4dp++, addr = next, addr != end);
	return 0;
}

static int vmscope_walk_pgd(struct vmscope_pt_walk *w, pgd_t *pgdp,
			    unsigned long addr, unsigned long next)
{
	const struct vmscope_walk_ops *ops = w->ops;
	pgd_t pgd;

	if (!pgtable_l5_enabled())
		return vmscope_walk_p4d_range(w, pgdp, addr, next);

	pgd = READ_ONCE(*pgdp);
	if (pgd_none(pgd) || pgd_bad(pgd))
		return vmscope_call(w, ops->hole, VMSCOPE_LEVEL_PGD, addr,
				    next, pgd_val(pgd));
	return vmscope_call(w, ops->entry, VMSCOPE_LEVEL_PGD, addr, next,
			    pgd_val(pgd)) ?:
	       vmscope_walk_p4d_range(w, &pgd, addr, next);
}

/**
 * vmscope_walk_vma() - walk the page tables of part of one VMA
 * @w: the walk
 * @vma: the VMA
 * @start: first address, page aligned, inside @vma
 * @end: end address, page aligned, inside @vma, above @start
 *
 * Only VMA ranges may be walked: munmap() frees the page tables of the
 * VMAs it has taken out of the tree with mmap_lock held for read only.
 * A hugetlb VMA's PMD table may be shared with other processes and be
 * unshared (and freed) under the file's i_mmap_rwsem, not mmap_lock, so
 * that is held for reading while such a VMA is walked, as walk_page_range()
 * holds the hugetlb VMA lock (not exported to modules).
 *
 * Context: mmap_lock of @w->mm held for read; may sleep.
 * Return: as vmscope_walk_range().
 */
int vmscope_walk_vma(struct vmscope_pt_walk *w, struct vm_area_struct *vma,
		     unsigned long start, unsigned long end)
{
	struct address_space *mapping = NULL;
	int err;

	if (is_vm_hugetlb_page(vma) && vma->vm_file) {
		mapping = vma->vm_file->f_mapping;
		i_mmap_lock_read(mapping);
	}
	err = vmscope_walk_range(w, start, end);
	if (mapping)
		i_mmap_unlock_read(mapping);
	return err;
}

/**
 * vmscope_pmd_may_be_shared() - whether the PMD table mapping an address
 *	may be shared with other processes
 * @vma: the VMA of @addr
 * @addr: a user address inside @vma
 *
 * As want_pmd_share() decides (not exported), without asking whether it
 * is shared now: a MAP_SHARED hugetlb mapping may share the PMD table of
 * an aligned PUD range it covers whole with every process that maps the
 * same part of the file, and with the table the Accessed and Dirty bits
 * of its huge pages.  Those bits say when the other processes used the
 * file: openers without CAP_SYS_ADMIN are not shown them, and the
 * working-set sampler does not clear them for such openers.
 *
 * Return: true if the PMD entry of @addr may be another process's too.
 */
bool vmscope_pmd_may_be_shared(struct vm_area_struct *vma,
			       unsigned long addr)
{
	unsigned long base = addr & PUD_MASK;

	return is_vm_hugetlb_page(vma) && (vma->vm_flags & VM_MAYSHARE) &&
	       base >= vma->vm_start && base + PUD_SIZE <= vma->vm_end;
}

/**
 * vmscope_walk_range() - walk the page tables of a range of user addresses
 * @w: the walk: address space, callbacks and their data
 * @start: first address, page aligned
 * @end: end address, page aligned, above @start, at most TASK_SIZE_MAX
 *
 * Calls @w->ops for each entry met from the PGD down, in address order.
 * Entries are not modified; nothing is allocated.  The range must lie in
 * one VMA: call it through vmscope_walk_vma().
 *
 * Context: mmap_lock of @w->mm held for read; may sleep between PMD
 * entries, not inside the callbacks.
 * Return: 0 when the range was walked, else the first non-zero value a
 * callback returned.
 */
int vmscope_walk_range(struct vmscope_pt_walk *w, unsigned long start,
		       unsigned long end)
{
	pgd_t *pgdp = pgd_offset(w->mm, start);
	unsigned long next;
	int err;

	mmap_assert_locked(w->mm);
	do {
		next = pgd_addr_end(start, end);
		err = vmscope_walk_pgd(w, pgdp, start, next);
		if (err)
			return err;
	} while (pgdp++, start = next, start != end);
	return 0;
}

/**
 * vmscope_chunk_spend() - spend entries of a chunk's budget
 * @cw: the chunked walk
 * @n: entries looked at
 *
 * Context: inside @cw->gather.
 * Return: true when the budget is spent and the chunk must end.
 */
bool vmscope_chunk_spend(struct vmscope_chunked *cw, unsigned int n)
{
	cw->left -= min(cw->left, n);
	return !cw->left;
}

/*
 * A walk gives way to a writer of mmap_lock that has waited this long
 * (seen waiting at the end of every chunk since), and waits for it at
 * most VMSCOPE_YIELD_US.
 */
#define VMSCOPE_WRITER_WAIT_US	1000
#define VMSCOPE_YIELD_US	200

/*
 * A reader that drops mmap_lock with a writer waiting, and takes it again
 * at once, gets it again: rwsem lets a reader take the lock from a woken
 * writer that has not run yet ("optimistic lock stealing"), until the
 * writer has waited RWSEM_WAIT_TIMEOUT (4 ms or more) and sets the
 * hand-off bit.  pagemap_read() and smaps_rollup leave it at that; a
 * chunked walk kept the target's mmap() and munmap() waiting that long
 * (4 to 13 ms under TCG in make bench's 8 GiB layout, against 1 to 4 ms
 * idle).  So once a writer has been seen waiting at the end of every
 * chunk for VMSCOPE_WRITER_WAIT_US (@waited_since: since when, or 0), the
 * walk waits until the waiters are gone (the writer has the lock, and the
 * next mmap_read_lock() waits for it), sleeping, so that a writer woken
 * on this CPU can run, for at most VMSCOPE_YIELD_US (readers queued
 * behind the writer keep the list busy after it got in).  Giving way at
 * every contended chunk instead let a target that maps in a loop slow
 * the dense walk of make bench by up to a third; once a millisecond, it
 * costs that walk about a tenth (its target maps every 100 us).
 */
static void vmscope_give_way(struct mm_struct *mm, bool contended,
			     ktime_t *waited_since)
{
	ktime_t end;

	if (!contended) {
		*waited_since = 0;
		return;
	}
	if (!*waited_since) {
		*waited_since = ktime_get();
		return;
	}
	if (ktime_us_delta(ktime_get(), *waited_since) < VMSCOPE_WRITER_WAIT_US)
		return;
	end = ktime_add_us(ktime_get(), VMSCOPE_YIELD_US);
	while (mmap_lock_is_contended(mm) && ktime_before(ktime_get(), end))
		usleep_range(10, 20);
	*waited_since = 0;
}

/**
 * vmscope_walk_chunked() - the one loop of every bulk walk
 * @cw: the address space, the budget and the two steps
 *
 * As pagemap_read() and smaps_rollup do: take the target's mmap_lock for
 * read, let @cw->gather look at up to @cw->budget entries (it keeps its
 * own position, and can stop inside a VMA), drop the lock, let @cw->flush
 * write out what was gathered (user memory is never touched under the
 * lock), let a writer that has waited 1 ms in (vmscope_give_way()),
 * cond_resched(), and go on until @cw->gather says it is done or
 * @cw->flush that the caller's buffer is full.
 *
 * Context: process context; takes and drops mmap_lock of @cw->mm.
 * Return: 0, -EINTR if a fatal signal came, or the first error of the
 * steps.
 */
int vmscope_walk_chunked(struct vmscope_chunked *cw)
{
	ktime_t waited_since = 0;
	bool contended;
	int more, err;

	for (;;) {
		if (fatal_signal_pending(current) ||
		    mmap_read_lock_killable(cw->mm))
			return -EINTR;
		cw->left = cw->budget;
		more = cw->gather(cw);
		contended = mmap_lock_is_contended(cw->mm);
		mmap_read_unlock(cw->mm);
		if (more < 0)
			return more;
		err = cw->flush ? cw->flush(cw) : 0;
		if (err < 0)
			return err;
		if (!more || err)
			return 0;
		vmscope_give_way(cw->mm, contended, &waited_since);
		cond_resched();
	}
}
