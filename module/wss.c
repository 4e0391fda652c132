// SPDX-License-Identifier: GPL-2.0
/*
 * Working sets: an Accessed-bit sampler.
 *
 * A session belongs to one open file of /dev/vmscope.  Each pass walks the
 * target's VMAs in chunks with vmscope_walk_chunked() (mmap_lock held for
 * one PTE table's worth of entries at a time, as the bulk walks), and for every present leaf (PTE,
 * PMD or PUD) tests and clears the Accessed bit, and the Dirty bit of a
 * writable entry.  The first pass only clears; each later one records the
 * pages referenced since the pass before, as runs, into a ring of records
 * that VMSCOPE_IOC_WSS_READ consumes.
 *
 * Accessed: cleared with the bit operation ptep_test_and_clear_young()
 * uses (it is not exported), under the entry's lock.  The reference is
 * handed to the kernel's aging (vmscope_folio_keep_young()) so that
 * reclaim still sees it.  VMSCOPE_WSS_NO_AGING skips that, and with it
 * the folio lookup of every clean page (its struct page, most of a pass's
 * cost); the reference is then lost to the kernel, as after clear_refs:
 * with CONFIG_PAGE_IDLE_FLAG (6.12) PG_young is not set nor PG_idle
 * cleared, so folio_referenced() does not count it and DAMON's vaddr
 * check may take the page for idle; without it (6.1)
 * folio_mark_accessed() is not called, so a page referenced again is not
 * activated.  Reclaim takes such a page for unreferenced since the pass.
 *
 * Dirty: sticky, and the only record of a write to a page whose folio is
 * not yet dirty, so it is cleared only after folio_mark_dirty() has taken
 * it over (what try_to_unmap_one() and zap_pte_range() do when they remove
 * a dirty entry), only on writable entries (a read-only entry with Dirty
 * set is a shadow-stack page on 6.6+), and, before the entry's lock is
 * dropped, every CPU's TLB is flushed, so that no CPU keeps writing
 * through a cached dirty translation that the kernel would take for clean
 * (reclaim decides whether to flush before writeback from pte_dirty()).
 *
 * TLB: x86 does not flush on clearing an Accessed bit (nor does the
 * kernel's own ptep_clear_flush_young()); a CPU that still caches the
 * translation accesses the page without setting the bit again, so such
 * accesses would go unseen.  flush_tlb_mm_range() is not exported, so
 * after each pass vmscope flushes every online CPU's TLB with
 * vmscope_flush_tlb_local() from an IPI (VMSCOPE_WSS_NO_FLUSH skips this):
 * __flush_tlb_all() up to 6.18, INVPCID or a CR3 reload from 6.19 on.
 * Where that flush cannot reach every address space ID (6.19 and later
 * on a CPU with PCID but no INVPCID) Dirty is never cleared, and no page
 * is reported written.
 * The kernel's own users of the bit (reclaim, MGLRU, DAMON, clear_refs)
 * clear it without a flush as well: a page one of them clears during an
 * interval is missed for the rest of it (Documentation/abi.md).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/tlbflush.h>

#include "compat.h"
#include "decode.h"
#include "vmscope.h"

/*
 * A sampling thread is a kernel thread: its CPU time, its stack and the
 * IPIs of its TLB flushes are charged to no one.  Openers without
 * CAP_SYS_ADMIN (unprivileged=1) may run wss_max_threads of them at once
 * in all, no faster than VMSCOPE_WSS_USER_MIN_INTERVAL_MS.
 */
static unsigned int wss_max_threads = 16;
module_param(wss_max_threads, uint, 0444);
MODULE_PARM_DESC(wss_max_threads,
		 "Working-set sampling threads openers without CAP_SYS_ADMIN may run at once, in all (default: 16)");

static atomic_t vmscope_wss_user_threads = ATOMIC_INIT(0);

/*
 * Their sessions' memory (the ring and the stage), in all: charged to
 * their memory cgroups too, but a cgroup without memory.max bounds
 * nothing, and it is kernel memory, never swapped.
 */
static unsigned int wss_max_mb = 64;
module_param(wss_max_mb, uint, 0444);
MODULE_PARM_DESC(wss_max_mb,
		 "Memory the working-set sessions of openers without CAP_SYS_ADMIN may hold together, in MiB (default: 64)");

static atomic_long_t vmscope_wss_user_bytes = ATOMIC_LONG_INIT(0);

/*
 * Their passes, of a session with a thread or of manual ones, begin at
 * least this far apart.
 */
#define VMSCOPE_WSS_USER_MIN_INTERVAL_MS	10

/*
 * A TLB flush of every CPU (after clearing Dirty bits under one lock)
 * spends this much of a chunk's budget: a chunk of huge leaves, one entry
 * each, makes at most eight of them.
 */
#define VMSCOPE_WSS_FLUSH_COST	(VMSCOPE_WALK_BUDGET / 8)

/* Runs one chunk can make: one per entry, and the run left open. */
#define VMSCOPE_WSS_STAGE	(VMSCOPE_WALK_BUDGET + 2)
/* Records copied to user space per round (a kernel bounce buffer). */
#define VMSCOPE_WSS_BOUNCE	64

/**
 * struct vmscope_wss - one sampling session
 * @pid: the target process
 * @mm: its address space at the start (mmgrab()ed: compared, never used
 *	without a reference on its users)
 * @thread: the sampling thread, or NULL for a manual session
 * @flags: VMSCOPE_WSS_* of the start
 * @interval_ms: the interval
 * @count: intervals to record, 0 for until stopped
 * @start: first address sampled
 * @end: end of the range sampled
 * @lock: protects the ring and the status (a spinlock: no sleeping)
 * @wq: readers waiting for records
 * @pass_lock: one manual pass at a time, and @last_pass
 * @read_lock: one reader at a time (records are peeked, copied, consumed)
 * @rec: the ring of @cap records
 * @cap: its size
 * @head: sequence number of the first unread record
 * @tail: end of the committed records (readers see [@head, @tail))
 * @wtail: end of the records of the pass in progress
 * @status: VMSCOPE_WSS_*
 * @error: the error behind VMSCOPE_WSS_FAILED
 * @passes: passes made (the first only clears)
 * @intervals: intervals recorded
 * @t0: end of the first pass
 * @pass_ns_max: the longest pass
 * @hold_ns_max: the longest hold of mmap_lock
 * @stage: runs made under mmap_lock, appended to the ring after it
 * @nstage: runs in @stage
 * @cur: the run being extended (pages == 0: none)
 * @ref: pages referenced in the pass so far
 * @written: pages written in the pass so far
 * @cw: the chunked walk of the pass (vmscope_walk_chunked()): its budget
 * @addr: next address to sample in the pass
 * @vma: the VMA being walked
 * @record: the pass records (not the first)
 * @dirty_cleared: a Dirty bit was cleared under the current lock
 * @user_thread: the thread counts against wss_max_threads
 * @valid_sub: the subsection of PFNs found valid under the current lock,
 *	0 for none (vmscope_pfn_valid())
 * @drop_runs: runs that do not fit the ring are counted, not kept, and the
 *	pass goes on (/proc/vmscope/wss: its totals are still exact)
 * @dropped: runs of the pass not kept
 * @user_bytes: bytes charged to wss_max_mb (openers without
 *	CAP_SYS_ADMIN), 0 for none
 * @last_pass: when the last manual pass began
 * @sys_admin: the opener has CAP_SYS_ADMIN (vmscope_pmd_may_be_shared())
 */
struct vmscope_wss {
	struct pid *pid;
	struct mm_struct *mm;
	struct task_struct *thread;
	u32 flags;
	u32 interval_ms;
	u32 count;
	unsigned long start;
	unsigned long end;

	spinlock_t lock;	/* the ring and the status */
	wait_queue_head_t wq;
	struct mutex pass_lock;	/* one pass at a time */
	struct mutex read_lock;	/* one reader at a time */
	struct vmscope_wss_rec *rec;
	u64 cap;
	u64 head;
	u64 tail;
	u64 wtail;
	u32 status;
	int error;
	u64 passes;
	u64 intervals;
	ktime_t t0;
	u64 pass_ns_max;
	u64 hold_ns_max;

	/* the pass in progress, private to whoever runs it */
	struct vmscope_wss_rec *stage;
	unsigned int nstage;
	struct vmscope_wss_rec cur;
	u64 ref;
	u64 written;
	struct vmscope_chunked cw;
	unsigned long addr;
	struct vm_area_struct *vma;
	bool record;
	bool dirty_cleared;
	bool user_thread;
	unsigned long valid_sub;
	bool drop_runs;
	u64 dropped;
	unsigned long user_bytes;
	ktime_t last_pass;
	bool sys_admin;
};

/**
 * struct vmscope_wss_file - the session slot of one open file
 * @lock: serialises starts
 * @s: the session, or NULL; set once by a start (smp_store_release()),
 *	freed only at release, which no ioctl overlaps: read without @lock
 *	(smp_load_acquire())
 */
struct vmscope_wss_file {
	struct mutex lock;	/* starts */
	struct vmscope_wss *s;
};

static void vmscope_wss_flush_one(void *unused)
{
	vmscope_flush_tlb_local();
}

/* Every online CPU's TLB: flush_tlb_mm_range() is not exported. */
static void vmscope_wss_flush_all(void)
{
	on_each_cpu(vmscope_wss_flush_one, NULL, 1);
}

/* Close the open run into the stage. */
static void vmscope_wss_push(struct vmscope_wss *s)
{
	if (!s->cur.pages)
		return;
	s->stage[s->nstage++] = s->cur;
	s->cur.pages = 0;
}

/* Pages [addr, addr + n pages) were referenced (and maybe written). */
static void vmscope_wss_note(struct vmscope_wss *s, unsigned long addr,
			     unsigned long n, u32 flags)
{
	s->ref += n;
	if (flags & VMSCOPE_WSS_WRITTEN)
		s->written += n;
	if (!s->record)
		return;
	if (s->cur.pages && s->cur.flags == flags &&
	    s->cur.addr + (s->cur.pages << PAGE_SHIFT) == addr) {
		s->cur.pages += n;
		return;
	}
	vmscope_wss_push(s);
	s->cur.type = VMSCOPE_WSS_REC_RUN;
	s->cur.flags = flags;
	s->cur.addr = addr;
	s->cur.pages = n;
}

/*
 * The folio behind a present leaf, or NULL for none or the zero page.
 * pfn_valid() decides per 2 MiB subsection of PFNs, and the pages a locked
 * table maps stay online: one check per subsection per table
 * (s->valid_sub, vmscope_pfn_valid()) is enough, and it is the dearer
 * part of the lookup.
 */
static struct folio *vmscope_wss_folio(struct vmscope_wss *s,
				       unsigned long pfn)
{
	if (is_zero_pfn(pfn) || !vmscope_pfn_valid(pfn, &s->valid_sub))
		return NULL;
	return page_folio(pfn_to_page(pfn));
}

/*
 * Test and clear the Accessed bit of an entry at @entry (pteval_t bits in
 * any level's format), and the Dirty bit of a writable one once its folio
 * has taken it over.  Returns VMSCOPE_WSS_* flags, with bit 31 set for
 * "referenced".
 */
#define VMSCOPE_WSS_REF		BIT(31)

static u32 vmscope_wss_bits(struct vmscope_wss *s, unsigned long *entry,
			    u64 val, unsigned long pfn)
{
	bool age = (val & _PAGE_ACCESSED) &&
		   !(s->flags & VMSCOPE_WSS_NO_AGING);
	bool dirty = (val & _PAGE_RW) && (val & _PAGE_DIRTY) &&
		     vmscope_tlb_flush_complete();
	struct folio *folio = NULL;
	u32 flags = 0;

	if ((val & (_PAGE_ACCESSED | _PAGE_DIRTY)) == 0)
		return 0;
	/* the struct page only for aging and for a Dirty bit to take over */
	if (!(val & _PAGE_SPECIAL) && (age || dirty))
		folio = vmscope_wss_folio(s, pfn);
	if ((val & _PAGE_ACCESSED) &&
	    test_and_clear_bit(_PAGE_BIT_ACCESSED, entry)) {
		flags |= VMSCOPE_WSS_REF;
		if (folio && age)
			vmscope_folio_keep_young(folio, s->vma);
	}
	if (folio && dirty) {
		folio_mark_dirty(folio);
		if (test_and_clear_bit(_PAGE_BIT_DIRTY, entry)) {
			flags |= VMSCOPE_WSS_REF | VMSCOPE_WSS_WRITTEN;
			s->dirty_cleared = true;
		}
	}
	return flags;
}

/*
 * Before the lock of an entry whose Dirty bit was cleared is dropped.  The
 * flush interrupts every CPU: it spends budget, so that a range of dirty
 * huge leaves (or of tables with one dirty page each) cannot make a pass
 * that is mostly flushes.
 */
static void vmscope_wss_flush_dirty(struct vmscope_wss *s)
{
	if (!s->dirty_cleared)
		return;
	vmscope_wss_flush_all();
	s->dirty_cleared = false;
	vmscope_chunk_spend(&s->cw, VMSCOPE_WSS_FLUSH_COST);
}

static int vmscope_wss_ptes(struct vmscope_pt_walk *w, pte_t *pte,
			    unsigned long addr, unsigned long end)
{
	struct vmscope_wss *s = w->private;
	unsigned long n = (end - addr) >> PAGE_SHIFT;
	bool no_aging = s->flags & VMSCOPE_WSS_NO_AGING;
	unsigned long run_addr = 0, run = 0;
	u32 run_flags = 0;
	int err = 0;

	/* the budget is spent for the table at once, not page by page */
	if (n > s->cw.left) {
		n = s->cw.left;
		end = addr + (n << PAGE_SHIFT);
		err = 1;
	}
	vmscope_chunk_spend(&s->cw, n);
	s->valid_sub = 0;
	/*
	 * The run of the table in locals: the bit operations clobber memory,
	 * and a pass over clean pages is little more than this loop.
	 */
	for (; addr < end; addr += PAGE_SIZE, pte++) {
		pte_t ptent = ptep_get(pte);
		u64 val = pte_val(ptent);
		u32 flags;

		/* hardware-present only: not PROT_NONE, swap or migration */
		if (!(val & _PAGE_PRESENT))
			continue;
		/* a clean page without aging: only its Accessed bit, here */
		if (no_aging && !(val & _PAGE_DIRTY))
			flags = (val & _PAGE_ACCESSED) &&
				test_and_clear_bit(_PAGE_BIT_ACCESSED,
						   (unsigned long *)&pte->pte) ?
				VMSCOPE_WSS_REF : 0;
		else
			flags = vmscope_wss_bits(s, (unsigned long *)&pte->pte,
						 val, pte_pfn(ptent));
		if (!(flags & VMSCOPE_WSS_REF))
			continue;
		flags &= VMSCOPE_WSS_WRITTEN;
		if (run && run_flags == flags &&
		    run_addr + run * PAGE_SIZE == addr) {
			run++;
			continue;
		}
		if (run)
			vmscope_wss_note(s, run_addr, run, run_flags);
		run_addr = addr;
		run_flags = flags;
		run = 1;
	}
	if (run)
		vmscope_wss_note(s, run_addr, run, run_flags);
	s->addr = addr;
	vmscope_wss_flush_dirty(s);
	return err;
}

/* A PMD or PUD leaf, its lock held and its entry at w->entryp. */
static int vmscope_wss_leaf(struct vmscope_pt_walk *w, int level,
			    unsigned long addr, unsigned long next, u64 val)
{
	struct vmscope_wss *s = w->private;
	unsigned long pfn;
	u32 flags;

	if (!s->cw.left)
		return 1;
	vmscope_chunk_spend(&s->cw, 1);
	s->addr = next;
	/*
	 * not present (migration, swap of a PMD), or DAX (the devmap bit is
	 * the same at both levels): nothing to do
	 */
	if (!(val & _PAGE_PRESENT) || vmscope_pmd_devmap(__pmd(val)) ||
	    !w->entryp)
		return 0;
	/* the bits of other processes too: not this opener's to clear */
	if (level == VMSCOPE_LEVEL_PMD && !s->sys_admin &&
	    vmscope_pmd_may_be_shared(s->vma, addr))
		return 0;
	/* the head page: the folio is the same for every page of it */
	pfn = level == VMSCOPE_LEVEL_PMD ? pmd_pfn(__pmd(val)) :
					   pud_pfn(__pud(val));
	s->valid_sub = 0;
	flags = vmscope_wss_bits(s, w->entryp, val, pfn);
	vmscope_wss_flush_dirty(s);
	if (flags & VMSCOPE_WSS_REF)
		vmscope_wss_note(s, addr, (next - addr) >> PAGE_SHIFT,
				 (flags & VMSCOPE_WSS_WRITTEN) |
				 VMSCOPE_WSS_HUGE);
	return 0;
}

static int vmscope_wss_hole(struct vmscope_pt_walk *w, int level,
			    unsigned long addr, unsigned long next, u64 val)
{
	struct vmscope_wss *s = w->private;

	if (!s->cw.left)
		return 1;
	vmscope_chunk_spend(&s->cw, 1);
	s->addr = next;
	return 0;
}

static const struct vmscope_walk_ops vmscope_wss_ops = {
	.leaf	= vmscope_wss_leaf,
	.hole	= vmscope_wss_hole,
	.ptes	= vmscope_wss_ptes,
};

/* VMAs without struct pages behind them: nothing to age, nothing to see. */
static bool vmscope_wss_skip_vma(struct vm_area_struct *vma)
{
	return vma->vm_flags & (VM_PFNMAP | VM_IO);
}

/* One chunk under mmap_lock, from s->addr on; >0 when the budget ran out. */
static int vmscope_wss_chunk(struct vmscope_wss *s, struct mm_struct *mm)
{
	struct vmscope_pt_walk w = {
		.mm = mm,
		.ops = &vmscope_wss_ops,
		.private = s,
	};
	int err = 0;

	while (!err && s->addr < s->end) {
		struct vm_area_struct *vma = find_vma(mm, s->addr);

		if (!vma || vma->vm_start >= s->end) {
			s->addr = s->end;
			break;
		}
		if (vma->vm_start > s->addr)
			s->addr = vma->vm_start;
		if (vmscope_wss_skip_vma(vma)) {
			s->addr = vma->vm_end;
			continue;
		}
		s->vma = vma;
		err = vmscope_walk_vma(&w, vma, s->addr,
				       min_t(unsigned long, vma->vm_end,
					     s->end));
		if (!err)
			s->addr = min_t(unsigned long, vma->vm_end, s->end);
	}
	return err < 0 ? err : 0;
}

/* Append the stage to the ring, after the records of the pass so far. */
static int vmscope_wss_append(struct vmscope_wss *s)
{
	unsigned int i, n = s->nstage;
	int err = 0;

	spin_lock(&s->lock);
	if (s->status != VMSCOPE_WSS_RUNNING) {
		err = -ESRCH;	/* stopped meanwhile: the pass is dropped */
		n = 0;
	} else if (s->wtail - s->head + n > s->cap) {
		n = s->drop_runs ? s->cap - (s->wtail - s->head) : 0;
		s->dropped += s->nstage - n;
		if (!s->drop_runs)
			err = -ENOSPC;
	}
	for (i = 0; i < n; i++)
		s->rec[s->wtail++ % s->cap] = s->stage[i];
	spin_unlock(&s->lock);
	s->nstage = 0;
	return err;
}

/* Set the status of a session that ends; wakes readers. */
static void vmscope_wss_end(struct vmscope_wss *s, u32 status, int error)
{
	spin_lock(&s->lock);
	if (s->status == VMSCOPE_WSS_RUNNING) {
		s->status = status;
		s->error = error;
	}
	s->wtail = s->tail;	/* an unfinished pass is not shown */
	spin_unlock(&s->lock);
	wake_up_interruptible_all(&s->wq);
}

/*
 * The target's mm, with a reference on its users, if it is still the one
 * the session started on; else the session ends (exited or execed).
 */
static struct mm_struct *vmscope_wss_get_mm(struct vmscope_wss *s)
{
	struct task_struct *task = get_pid_task(s->pid, PIDTYPE_TGID);
	struct mm_struct *mm = task ? vmscope_group_mm(task) : NULL;

	if (task)
		put_task_struct(task);
	if (mm == s->mm)
		return mm;
	if (mm) {
		mmput(mm);
		vmscope_wss_end(s, VMSCOPE_WSS_EXECED, 0);
	} else {
		vmscope_wss_end(s, VMSCOPE_WSS_EXITED, 0);
	}
	return NULL;
}

/* Between chunks: the pass ends early (the session, or its caller, ends). */
static bool vmscope_wss_stopping(struct vmscope_wss *s)
{
	if (READ_ONCE(s->status) != VMSCOPE_WSS_RUNNING)
		return true;
	return s->thread ? kthread_should_stop() :
			   fatal_signal_pending(current);
}

/*
 * Under mmap_lock: one chunk of the pass (vmscope_walk_chunked()'s
 * gather step); >0 while there is more, 0 at the end of the range.
 */
static int vmscope_wss_gather(struct vmscope_chunked *cw)
{
	struct vmscope_wss *s = container_of(cw, struct vmscope_wss, cw);
	ktime_t t = ktime_get();
	int err;

	if (vmscope_wss_stopping(s))
		return -EINTR;
	err = vmscope_wss_chunk(s, cw->mm);
	s->hold_ns_max = max_t(u64, s->hold_ns_max,
			       ktime_to_ns(ktime_sub(ktime_get(), t)));
	if (err)
		return err;
	if (s->addr < s->end)
		return 1;
	vmscope_wss_push(s);	/* the run left open ends the pass */
	return 0;
}

/* With no lock held: the runs of the chunk into the ring. */
static int vmscope_wss_flush(struct vmscope_chunked *cw)
{
	struct vmscope_wss *s = container_of(cw, struct vmscope_wss, cw);

	return s->record ? vmscope_wss_append(s) : 0;
}

/* The chunks of one pass; 0, or an error that ends the session. */
static int vmscope_wss_walk(struct vmscope_wss *s, struct mm_struct *mm)
{
	s->addr = s->start;
	s->cw.mm = mm;
	s->cw.budget = VMSCOPE_WALK_BUDGET;
	s->cw.gather = vmscope_wss_gather;
	s->cw.flush = vmscope_wss_flush;
	return vmscope_walk_chunked(&s->cw);
}

/* Commit the interval record and the runs of the pass. */
static void vmscope_wss_commit(struct vmscope_wss *s, struct mm_struct *mm,
			       u64 slot, ktime_t end)
{
	struct vmscope_wss_rec *r = &s->rec[slot % s->cap];

	spin_lock(&s->lock);
	if (s->status != VMSCOPE_WSS_RUNNING) {	/* stopped meanwhile */
		spin_unlock(&s->lock);
		return;
	}
	memset(r, 0, sizeof(*r));
	r->type = VMSCOPE_WSS_REC_INTERVAL;
	r->addr = s->intervals++;
	r->pages = s->ref;
	r->written = s->written;
	r->time_us = ktime_to_us(ktime_sub(end, s->t0));
	r->rss = vmscope_mm_counter(mm, MM_ANONPAGES) +
		 vmscope_mm_counter(mm, MM_FILEPAGES) +
		 vmscope_mm_counter(mm, MM_SHMEMPAGES);
	s->tail = s->wtail;
	if (s->count && s->intervals == s->count &&
	    s->status == VMSCOPE_WSS_RUNNING)
		s->status = VMSCOPE_WSS_DONE;
	spin_unlock(&s->lock);
	wake_up_interruptible_all(&s->wq);
}

/* Reserve the interval record's slot; -ENOSPC when the ring is full. */
static int vmscope_wss_reserve(struct vmscope_wss *s, u64 *slot)
{
	int err = 0;

	spin_lock(&s->lock);
	if (s->status != VMSCOPE_WSS_RUNNING)
		err = -ESRCH;
	else if (s->wtail - s->head >= s->cap)
		err = -ENOSPC;
	else
		*slot = s->wtail++;
	spin_unlock(&s->lock);
	return err;
}

/**
 * vmscope_wss_pass() - one pass of a session over the target
 * @s: the session
 *
 * Context: process context (the session's thread, or the caller of a
 * manual pass); takes the target's mmap_lock for read in chunks.
 * Return: 0 when the session goes on, else non-zero: the session has
 * ended (its status says why).
 */
static int vmscope_wss_pass(struct vmscope_wss *s)
{
	struct mm_struct *mm;
	ktime_t t = ktime_get();
	u64 slot = 0;
	int err;

	s->record = s->passes > 0;
	if (s->record) {
		err = vmscope_wss_reserve(s, &slot);
		if (err == -ESRCH)
			return 1;
		if (err)
			goto out_end;
	}
	mm = vmscope_wss_get_mm(s);
	if (!mm)
		return 1;
	s->ref = 0;
	s->written = 0;
	s->dropped = 0;
	s->nstage = 0;
	s->cur.pages = 0;
	err = vmscope_wss_walk(s, mm);
	if (!err && !(s->flags & VMSCOPE_WSS_NO_FLUSH))
		vmscope_wss_flush_all();
	if (!err) {
		ktime_t end = ktime_get();

		s->pass_ns_max = max_t(u64, s->pass_ns_max,
				       ktime_to_ns(ktime_sub(end, t)));
		if (!s->passes++)
			s->t0 = end;
		else
			vmscope_wss_commit(s, mm, slot, end);
	}
	mmput(mm);
	if (!err || err == -ESRCH)
		return READ_ONCE(s->status) != VMSCOPE_WSS_RUNNING;
out_end:
	if (err == -ENOSPC)
		vmscope_wss_end(s, VMSCOPE_WSS_FULL, 0);
	else if (err == -EINTR && s->thread)
		vmscope_wss_end(s, VMSCOPE_WSS_STOPPED, 0);
	else
		vmscope_wss_end(s, VMSCOPE_WSS_FAILED, err);
	return 1;
}

static bool vmscope_wss_ended(struct vmscope_wss *s)
{
	return kthread_should_stop() ||
	       READ_ONCE(s->status) != VMSCOPE_WSS_RUNNING;
}

/*
 * Sleep until @deadline, or until asked to stop (release) or the session
 * ended (VMSCOPE_WSS_OP_STOP, which wakes the thread); true if so.
 */
static bool vmscope_wss_sleep(struct vmscope_wss *s, ktime_t deadline)
{
	while (!vmscope_wss_ended(s)) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (vmscope_wss_ended(s)) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		if (!schedule_hrtimeout_range(&deadline, 50 * NSEC_PER_USEC,
					      HRTIMER_MODE_ABS))
			return false;
	}
	return true;
}

static int vmscope_wss_thread(void *data)
{
	struct vmscope_wss *s = data;
	ktime_t next = ktime_get();

	while (!vmscope_wss_pass(s)) {
		/* a pass that overran: the next interval is a whole one */
		next = ktime_add_ms(next, s->interval_ms);
		if (ktime_before(next, ktime_get()))
			next = ktime_add_ms(ktime_get(), s->interval_ms);
		if (vmscope_wss_sleep(s, next))
			break;
	}
	/* ended (or stopping): wait for kthread_stop() from release */
	vmscope_wss_end(s, VMSCOPE_WSS_STOPPED, 0);
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/*
 * Take @bytes of wss_max_mb for a session of an opener without
 * CAP_SYS_ADMIN; false if they are spent.
 */
static bool vmscope_wss_mem_charge(struct vmscope_wss *s, unsigned long bytes)
{
	long max = (long)wss_max_mb << 20;

	if (atomic_long_add_return(bytes, &vmscope_wss_user_bytes) > max) {
		atomic_long_sub(bytes, &vmscope_wss_user_bytes);
		return false;
	}
	s->user_bytes = bytes;
	return true;
}

static void vmscope_wss_free(struct vmscope_wss *s)
{
	if (!s)
		return;
	if (s->thread)
		kthread_stop(s->thread);
	if (s->user_thread)
		atomic_dec(&vmscope_wss_user_threads);
	atomic_long_sub(s->user_bytes, &vmscope_wss_user_bytes);
	mmdrop(s->mm);
	put_pid(s->pid);
	kvfree(s->stage);
	kvfree(s->rec);
	kfree(s);
}

static int vmscope_wss_check(const struct vmscope_access *acc,
			     const struct vmscope_wss_start *st)
{
	/* flags were checked by the dispatcher (chardev.c) */
	if (st->flags & VMSCOPE_WSS_MANUAL) {
		if (st->interval_ms)
			return -EINVAL;
	} else if (st->interval_ms < VMSCOPE_WSS_MIN_INTERVAL_MS ||
		   st->interval_ms > VMSCOPE_WSS_MAX_INTERVAL_MS) {
		return -EINVAL;
	} else if (!acc->sys_admin &&
		   st->interval_ms < VMSCOPE_WSS_USER_MIN_INTERVAL_MS) {
		return -EPERM;
	}
	if (!PAGE_ALIGNED(st->start) || !PAGE_ALIGNED(st->end) ||
	    st->end > TASK_SIZE_MAX || (st->end && st->start >= st->end) ||
	    st->start >= TASK_SIZE_MAX)
		return -EINVAL;
	if (st->max_records > VMSCOPE_WSS_MAX_RECORDS)
		return -EINVAL;
	return 0;
}

/*
 * A new session, not yet running; the target's access checked.  The
 * target is @pid if given (a /proc file's, looked up when it was chosen),
 * else @st->pid.
 */
static struct vmscope_wss *vmscope_wss_new(const struct vmscope_access *acc,
					   const struct vmscope_wss_start *st,
					   struct pid *pid)
{
	struct task_struct *task;
	struct vmscope_wss *s;
	struct mm_struct *mm;
	int err = -ENOMEM;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->cap = st->max_records ?: VMSCOPE_WSS_DEFAULT_RECORDS;
	if (!acc->sys_admin &&
	    !vmscope_wss_mem_charge(s, (s->cap + VMSCOPE_WSS_STAGE) *
				    sizeof(*s->rec))) {
		kfree(s);
		return ERR_PTR(-EAGAIN);
	}
	s->rec = kvcalloc(s->cap, sizeof(*s->rec), GFP_KERNEL_ACCOUNT);
	s->stage = kvcalloc(VMSCOPE_WSS_STAGE, sizeof(*s->stage),
			    GFP_KERNEL_ACCOUNT);
	if (!s->rec || !s->stage)
		goto err_free;
	mm = pid ? vmscope_target_pid(acc, pid, &task) :
		   vmscope_target(acc, st->pid, &task);
	if (IS_ERR(mm)) {
		err = PTR_ERR(mm);
		goto err_free;
	}
	/* the process, not the thread named: it may exit while the rest runs */
	s->pid = get_task_pid(task, PIDTYPE_TGID);
	put_task_struct(task);
	mmgrab(mm);
	s->mm = mm;
	mmput(mm);
	s->flags = st->flags;
	s->sys_admin = acc->sys_admin;
	s->interval_ms = st->interval_ms;
	s->count = st->count;
	s->start = st->start;
	s->end = st->end ?: TASK_SIZE_MAX;
	s->status = VMSCOPE_WSS_RUNNING;
	spin_lock_init(&s->lock);
	init_waitqueue_head(&s->wq);
	mutex_init(&s->pass_lock);
	mutex_init(&s->read_lock);
	return s;

err_free:
	atomic_long_sub(s->user_bytes, &vmscope_wss_user_bytes);
	kvfree(s->stage);
	kvfree(s->rec);
	kfree(s);
	return ERR_PTR(err);
}

/* Start the session's thread, within wss_max_threads for non-admins. */
static int vmscope_wss_run_thread(const struct vmscope_access *acc,
				  struct vmscope_wss *s)
{
	struct task_struct *t;

	if (!acc->sys_admin) {
		if (atomic_inc_return(&vmscope_wss_user_threads) >
		    wss_max_threads) {
			atomic_dec(&vmscope_wss_user_threads);
			return -EAGAIN;
		}
		s->user_thread = true;
	}
	t = kthread_create(vmscope_wss_thread, s, "vmscope-wss/%d",
			   pid_vnr(s->pid));
	if (IS_ERR(t))
		return PTR_ERR(t);
	s->thread = t;
	wake_up_process(t);
	return 0;
}

/**
 * vmscope_wss_start() - start the file's sampling session
 * @acc: the caller's open-file access record
 * @st: the request
 *
 * Context: process context; may sleep.
 * Return: 0, -EBUSY if the file has a session (ended or not), -EINVAL for
 * a bad request, -EPERM for an interval below
 * VMSCOPE_WSS_USER_MIN_INTERVAL_MS without CAP_SYS_ADMIN, -EAGAIN when
 * such openers already run wss_max_threads sampling threads or hold
 * wss_max_mb, -ENOMEM, -EINTR, or an error of vmscope_target().
 */
int vmscope_wss_start(const struct vmscope_access *acc,
		      struct vmscope_wss_start *st)
{
	struct vmscope_wss_file *wf = acc->wss;
	struct vmscope_wss *s;
	int err;

	err = vmscope_wss_check(acc, st);
	if (err)
		return err;
	if (mutex_lock_killable(&wf->lock))
		return -EINTR;
	if (wf->s) {
		err = -EBUSY;
		goto out_unlock;
	}
	s = vmscope_wss_new(acc, st, NULL);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
		goto out_unlock;
	}
	if (!(s->flags & VMSCOPE_WSS_MANUAL)) {
		err = vmscope_wss_run_thread(acc, s);
		if (err) {
			vmscope_wss_free(s);
			goto out_unlock;
		}
	}
	/* set once, never cleared before release: read without the lock */
	smp_store_release(&wf->s, s);
out_unlock:
	mutex_unlock(&wf->lock);
	return err;
}

static void vmscope_wss_fill(struct vmscope_wss *s, struct vmscope_wss_read *rd)
{
	spin_lock(&s->lock);
	rd->status = s->status;
	rd->error = s->error;
	rd->intervals = s->intervals;
	rd->pending = s->tail - s->head;
	rd->pass_ns_max = s->pass_ns_max;
	rd->hold_ns_max = s->hold_ns_max;
	spin_unlock(&s->lock);
	rd->pid = pid_vnr(s->pid);
	rd->interval_ms = s->interval_ms;
}

/* Up to @n records from the head into @bounce; how many. */
static unsigned int vmscope_wss_peek(struct vmscope_wss *s,
				     struct vmscope_wss_rec *bounce,
				     unsigned int n)
{
	unsigned int i;

	spin_lock(&s->lock);
	n = min_t(u64, n, s->tail - s->head);
	for (i = 0; i < n; i++)
		bounce[i] = s->rec[(s->head + i) % s->cap];
	spin_unlock(&s->lock);
	return n;
}

static bool vmscope_wss_ready(struct vmscope_wss *s)
{
	bool ready;

	spin_lock(&s->lock);
	ready = s->tail != s->head || s->status != VMSCOPE_WSS_RUNNING;
	spin_unlock(&s->lock);
	return ready;
}

/* Copy records out through @bounce, consuming those copied. */
static int vmscope_wss_copy(struct vmscope_wss *s, struct vmscope_wss_read *rd,
			    struct vmscope_wss_rec *bounce)
{
	void __user *dst = u64_to_user_ptr(rd->buf);
	unsigned int n;

	while (rd->count < rd->buf_count) {
		n = vmscope_wss_peek(s, bounce,
				     min(rd->buf_count - rd->count,
					 (u32)VMSCOPE_WSS_BOUNCE));
		if (!n)
			break;
		if (vmscope_records_copy(dst, rd->rec_size, bounce,
					 sizeof(*bounce), n))
			return -EFAULT;
		dst += (size_t)n * rd->rec_size;
		spin_lock(&s->lock);
		s->head += n;
		spin_unlock(&s->lock);
		rd->count += n;
	}
	return 0;
}

static int vmscope_wss_read_check(const struct vmscope_wss_read *rd)
{
	if (rd->buf_count && (rd->rec_size < VMSCOPE_WSS_REC_SIZE_VER1 ||
			      rd->rec_size > PAGE_SIZE || rd->rec_size % 8))
		return -EINVAL;
	if (rd->buf_count &&
	    !access_ok(u64_to_user_ptr(rd->buf),
		       (u64)rd->buf_count * rd->rec_size))
		return -EFAULT;
	return 0;
}

/*
 * Take the session's read_lock, after waiting for records if asked to (a
 * manual session's records come from this file's own passes, not from a
 * thread): waiting outside the lock, so that another reader is not held
 * up by it, and again if that reader took the records first.
 */
static int vmscope_wss_read_lock(struct vmscope_wss *s,
				 const struct vmscope_wss_read *rd)
{
	bool wait = (rd->flags & VMSCOPE_WSS_READ_WAIT) && rd->buf_count &&
		    s->thread;
	int err;

	for (;;) {
		if (wait) {
			err = wait_event_interruptible(s->wq,
						       vmscope_wss_ready(s));
			if (err)
				return err;
		}
		if (mutex_lock_killable(&s->read_lock))
			return -EINTR;
		if (!wait || vmscope_wss_ready(s))
			return 0;
		mutex_unlock(&s->read_lock);
	}
}

/**
 * vmscope_wss_read() - take records of the file's session
 * @acc: the caller's open-file access record
 * @rd: the request; count, seq and the status fields are set
 *
 * Context: process context; may sleep (VMSCOPE_WSS_READ_WAIT); holds no
 * target lock, and copies to user space from a kernel bounce buffer with
 * no spinlock held.
 * Return: 0, -EINVAL for a bad request, -ENOENT if no session was started,
 * -EFAULT, -ENOMEM, -ERESTARTSYS if a signal came while waiting, or -EINTR
 * for a fatal one.
 */
int vmscope_wss_read(const struct vmscope_access *acc,
		     struct vmscope_wss_read *rd)
{
	struct vmscope_wss_file *wf = acc->wss;
	struct vmscope_wss_rec *bounce;
	struct vmscope_wss *s;
	int err;

	rd->count = 0;
	rd->status = VMSCOPE_WSS_NONE;
	err = vmscope_wss_read_check(rd);
	if (err)
		return err;
	/* the session lives until release, which no ioctl can overlap */
	s = smp_load_acquire(&wf->s);
	if (!s)
		return -ENOENT;
	bounce = kmalloc_array(VMSCOPE_WSS_BOUNCE, sizeof(*bounce),
			       GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	err = vmscope_wss_read_lock(s, rd);
	if (err)
		goto out_free;
	spin_lock(&s->lock);
	rd->seq = s->head;
	spin_unlock(&s->lock);
	if (!err && rd->buf_count)
		err = vmscope_wss_copy(s, rd, bounce);
	vmscope_wss_fill(s, rd);
	mutex_unlock(&s->read_lock);
out_free:
	kfree(bounce);
	return err;
}

/*
 * A pass of a manual session, one at a time; those of an opener without
 * CAP_SYS_ADMIN begin VMSCOPE_WSS_USER_MIN_INTERVAL_MS apart, as its
 * threads' do (each pass flushes every CPU's TLB).
 */
static int vmscope_wss_manual_pass(const struct vmscope_access *acc,
				   struct vmscope_wss *s)
{
	s64 wait_ms;
	int err = 0;

	if (mutex_lock_killable(&s->pass_lock))
		return -EINTR;
	if (READ_ONCE(s->status) != VMSCOPE_WSS_RUNNING) {
		err = -ESRCH;
		goto out_unlock;
	}
	wait_ms = VMSCOPE_WSS_USER_MIN_INTERVAL_MS -
		  ktime_ms_delta(ktime_get(), s->last_pass);
	if (!acc->sys_admin && s->last_pass && wait_ms > 0 &&
	    msleep_interruptible(wait_ms)) {
		err = -EINTR;
		goto out_unlock;
	}
	s->last_pass = ktime_get();
	vmscope_wss_pass(s);
out_unlock:
	mutex_unlock(&s->pass_lock);
	return err;
}

/**
 * vmscope_wss_ctl() - stop the file's session, or make a manual pass
 * @acc: the caller's open-file access record
 * @ctl: the request; status is set
 *
 * Context: process context; a pass takes the target's mmap_lock in chunks.
 * Return: 0, -EINVAL for a bad request (or a pass of a session with a
 * thread), -ENOENT if no session was started, -ESRCH for a pass of a
 * session that has ended, -EINTR for a signal while waiting to pass.
 */
int vmscope_wss_ctl(const struct vmscope_access *acc,
		    struct vmscope_wss_ctl *ctl)
{
	struct vmscope_wss_file *wf = acc->wss;
	struct vmscope_wss *s;
	int err = 0;

	ctl->status = VMSCOPE_WSS_NONE;
	if (ctl->op != VMSCOPE_WSS_OP_STOP && ctl->op != VMSCOPE_WSS_OP_PASS)
		return -EINVAL;
	/* the session lives until release, which no ioctl can overlap */
	s = smp_load_acquire(&wf->s);
	if (!s)
		return -ENOENT;
	if (ctl->op == VMSCOPE_WSS_OP_STOP) {
		vmscope_wss_end(s, VMSCOPE_WSS_STOPPED, 0);
		if (s->thread)
			wake_up_process(s->thread);
	} else if (s->thread) {
		err = -EINVAL;
	} else {
		err = vmscope_wss_manual_pass(acc, s);
	}
	ctl->status = READ_ONCE(s->status);
	return err;
}

/**
 * vmscope_wss_file_new() - the empty session slot of a new open file
 *
 * Context: process context.
 * Return: the slot, or NULL for no memory.
 */
struct vmscope_wss_file *vmscope_wss_file_new(void)
{
	struct vmscope_wss_file *wf = kzalloc(sizeof(*wf), GFP_KERNEL_ACCOUNT);

	if (wf)
		mutex_init(&wf->lock);
	return wf;
}

/**
 * vmscope_wss_file_free() - end the session of a released file
 * @wf: the slot, or NULL
 *
 * Stops the session's thread (waiting for its pass to end) and frees
 * everything.
 *
 * Context: process context, from release().
 */
void vmscope_wss_file_free(struct vmscope_wss_file *wf)
{
	if (!wf)
		return;
	vmscope_wss_free(wf->s);
	mutex_destroy(&wf->lock);
	kfree(wf);
}

/*
 * Records of /proc/vmscope/wss: one interval and its runs.  Of an interval
 * of more runs the first are shown, and how many more there were (the
 * ioctls have no such limit); its totals count them all.
 */
#define VMSCOPE_WSS_SHOW_MS	100

static void vmscope_wss_show_runs(struct seq_file *m, struct vmscope_wss *s)
{
	u64 i;

	for (i = s->head; i < s->tail; i++) {
		const struct vmscope_wss_rec *r = &s->rec[i % s->cap];

		if (r->type == VMSCOPE_WSS_REC_INTERVAL) {
			seq_printf(m, "t_ms:           %llu\n",
				   r->time_us / USEC_PER_MSEC);
			seq_printf(m, "referenced:     %llu pages\n", r->pages);
			seq_printf(m, "written:        %llu pages\n",
				   r->written);
			seq_printf(m, "rss:            %llu pages\n", r->rss);
			seq_puts(m, "start            end              pages    flags\n");
			continue;
		}
		seq_printf(m, "%016llx %016llx %-8llu %s%s\n", r->addr,
			   r->addr + (r->pages << PAGE_SHIFT), r->pages,
			   r->flags & VMSCOPE_WSS_WRITTEN ? "w" : "r",
			   r->flags & VMSCOPE_WSS_HUGE ? "h" : "");
	}
}

/**
 * vmscope_wss_show() - the text of /proc/vmscope/wss
 * @m: the seq_file
 * @acc: the reader's open-file access record
 * @pid: the process
 *
 * One interval of VMSCOPE_WSS_SHOW_MS, sampled in the reader's context:
 * a clearing pass, a sleep, a recording pass, then the runs.
 *
 * Context: process context; takes the target's mmap_lock in chunks.
 * Return: 0, or the error of starting or sampling.
 */
int vmscope_wss_show(struct seq_file *m, const struct vmscope_access *acc,
		     struct pid *pid)
{
	struct vmscope_wss_start st = {
		.flags = VMSCOPE_WSS_MANUAL,
		.max_records = VMSCOPE_WSS_SHOW_RUNS,
	};
	struct vmscope_wss *s;
	int err = 0;

	s = vmscope_wss_new(acc, &st, pid);
	if (IS_ERR(s))
		return PTR_ERR(s);
	s->drop_runs = true;
	if (!vmscope_wss_pass(s)) {
		if (msleep_interruptible(VMSCOPE_WSS_SHOW_MS))
			err = -EINTR;
		else
			vmscope_wss_pass(s);
	}
	if (!err && s->status == VMSCOPE_WSS_FAILED)
		err = s->error;
	if (!err) {
		seq_printf(m, "pid:            %d\n", pid_vnr(pid));
		/* runs beyond the ring are dropped: the pass cannot fill it */
		seq_printf(m, "status:         %s\n",
			   s->status == VMSCOPE_WSS_EXITED ? "exited" :
			   s->status == VMSCOPE_WSS_EXECED ? "execed" : "ok");
		if (s->dropped)
			seq_printf(m, "runs not shown: %llu (over %u: use vmscope wss)\n",
				   s->dropped, VMSCOPE_WSS_SHOW_RUNS - 1);
		vmscope_wss_show_runs(m, s);
	}
	vmscope_wss_free(s);
	return err;
}
