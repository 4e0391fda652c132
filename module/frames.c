// SPDX-License-Identifier: GPL-2.0
/*
 * Page replacement for real: an open file of /dev/vmscope given K frames
 * and a policy (VMSCOPE_IOC_FRAMES_SET) has its mapping's faults served
 * here.  At most K pages of the mapping are mapped at once; a fault with
 * all K in use evicts one by the policy, unmapping it with zap_vma_ptes()
 * while the module keeps its page, so that a later fault on the same
 * offset maps the same data again: nothing written is lost.
 *
 * The mapping is a PFN map (VM_PFNMAP: zap_vma_ptes() works on nothing
 * else): the module owns the pages, the page tables only point at them.
 * It is MAP_SHARED, the only mapping of the file at a time, not copied by
 * fork() (VM_DONTCOPY), and cannot be split or moved, so every page in a
 * frame is mapped by exactly one PTE in one VMA: the fault's own.
 *
 * Policies: FIFO (round robin over the frames, which is load order);
 * clock (the hand clears the hardware Accessed bit of each page it passes
 * until it finds one clear); LRU approximated by aging (at every fault
 * each frame's 8-bit counter is shifted right with its Accessed bit put
 * in the top bit, and cleared; the lowest counter is evicted); random.
 *
 * The Accessed bit is cleared as ptep_test_and_clear_young() does on x86
 * (a locked bit operation under the PTE lock; neither it nor
 * flush_tlb_mm_range() is exported).  A CPU that still caches the
 * translation does not set the bit again, so after clearing bits the
 * policy flushes this CPU's TLB (vmscope_flush_tlb_local()): for a
 * workload on one CPU, every reference after the clear sets the bit
 * again, and clock behaves exactly as the textbook's (where the flush is
 * complete: see vmscope_tlb_flush_complete()).  Other CPUs' TLBs are not flushed:
 * a thread on another CPU may reference a page without the bit being set
 * until its TLB entry goes (the bound is in Documentation/replacement.md).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <asm/tlbflush.h>

#include "compat.h"
#include "vmscope.h"

/**
 * struct vmscope_frames - the frames of one open file
 * @lock: serialises faults, closing the mapping and the readers
 * @log: the file's fault log: its memory cgroup and budget are charged
 *	for the pages, its records get the faults and evictions
 * @k: frames
 * @policy: VMSCOPE_FRAMES_*
 * @vma: the one mapping, or NULL
 * @used: frames filled so far (in frame order)
 * @hand: FIFO and clock: the next frame looked at
 * @tick: loads so far (the time a frame was loaded, for aging's ties)
 * @pages: page offset -> the page holding its contents
 * @stat: counts, as VMSCOPE_IOC_FRAMES_STAT reports them
 * @slot_of: page offset -> its frame + 1, 0 when it is not mapped
 * @pgoff: frame -> the page offset in it
 * @loaded: frame -> @tick at its load
 * @age: frame -> aging counter
 */
struct vmscope_frames {
	struct mutex lock;	/* faults, close and stat against each other */
	struct vmscope_fault_log *log;
	u32 k, policy;
	struct vm_area_struct *vma;
	u32 used, hand;
	u64 tick;
	struct xarray pages;
		struct vmscope_frames_stat stat;
	u16 slot_of[VMSCOPE_MMAP_MAX_PAGES];
	pgoff_t pgoff[VMSCOPE_FRAMES_MAX];
	u64 loaded[VMSCOPE_FRAMES_MAX];
	u8 age[VMSCOPE_FRAMES_MAX];
};

/* What a look at one PTE found (and did). */
struct vmscope_frames_pte {
	bool clear;		/* in: clear the Accessed bit */
	bool present, young, dirty;
};

static int vmscope_frames_ptes(struct vmscope_pt_walk *w, pte_t *pte,
			       unsigned long addr, unsigned long end)
{
	struct vmscope_frames_pte *fp = w->private;
	pte_t v = ptep_get(pte);

	if (!pte_present(v))
		return 0;
	fp->present = true;
	fp->young = pte_young(v);
	fp->dirty = pte_dirty(v);
	if (fp->clear && fp->young)
		test_and_clear_bit(_PAGE_BIT_ACCESSED,
				   (unsigned long *)&pte->pte);
	return 0;
}

static const struct vmscope_walk_ops vmscope_frames_walk_ops = {
	.ptes = vmscope_frames_ptes,
};

static unsigned long vmscope_frames_addr(struct vm_area_struct *vma,
					 pgoff_t pgoff)
{
	return vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
}

/* Look at (and with @clear, clear the Accessed bit of) frame @slot's PTE. */
static struct vmscope_frames_pte vmscope_frames_look(struct vmscope_frames *fr,
						     u32 slot, bool clear)
{
	struct vmscope_frames_pte fp = { .clear = clear };
	unsigned long addr = vmscope_frames_addr(fr->vma, fr->pgoff[slot]);
	struct vmscope_pt_walk w = {
		.mm = fr->vma->vm_mm,
		.ops = &vmscope_frames_walk_ops,
		.private = &fp,
	};

	vmscope_walk_vma(&w, fr->vma, addr, addr + PAGE_SIZE);
	if (clear && fp.young)
		fr->stat.accessed_cleared++;
	return fp;
}

/* After clearing Accessed bits: drop this CPU's cached translations. */
static void vmscope_frames_flush(struct vmscope_frames *fr)
{
	preempt_disable();
	vmscope_flush_tlb_local();
	preempt_enable();
	fr->stat.tlb_flushes++;
}

/*
 * The frame under the hand whose Accessed bit is clear, clearing the bits
 * it passes.  At most two turns: after one every bit is clear, unless
 * threads keep setting them again (through TLB entries of other CPUs the
 * flush below does not reach); then the frame the hand last passed goes.
 */
static u32 vmscope_frames_clock(struct vmscope_frames *fr)
{
	u64 cleared = fr->stat.accessed_cleared;
	u32 slot = fr->hand, n;

	for (n = 0; n < 2 * fr->k; n++) {
		slot = fr->hand;
		fr->hand = (fr->hand + 1) % fr->k;
		if (!vmscope_frames_look(fr, slot, true).young)
			break;
	}
	if (fr->stat.accessed_cleared != cleared)
		vmscope_frames_flush(fr);
	return slot;
}

static u32 vmscope_frames_aging(struct vmscope_frames *fr)
{
	u32 slot, best = 0;
	bool young;

	for (slot = 0; slot < fr->k; slot++) {
		young = vmscope_frames_look(fr, slot, true).young;
		fr->age[slot] = (fr->age[slot] >> 1) | (young ? 0x80 : 0);
		if (fr->age[slot] < fr->age[best] ||
		    (fr->age[slot] == fr->age[best] &&
		     fr->loaded[slot] < fr->loaded[best]))
			best = slot;
	}
	vmscope_frames_flush(fr);
	return best;
}

static u32 vmscope_frames_victim(struct vmscope_frames *fr)
{
	u32 slot;

	switch (fr->policy) {
	case VMSCOPE_FRAMES_CLOCK:
		return vmscope_frames_clock(fr);
	case VMSCOPE_FRAMES_LRU:
		return vmscope_frames_aging(fr);
	case VMSCOPE_FRAMES_RANDOM:
		return get_random_u32() % fr->k;
	default:
		slot = fr->hand;
		fr->hand = (fr->hand + 1) % fr->k;
		return slot;
	}
}

/* Unmap frame @slot's page; its contents stay in fr->pages. */
static void vmscope_frames_evict(struct vmscope_frames *fr, u32 slot)
{
	pgoff_t pgoff = fr->pgoff[slot];
	unsigned long addr = vmscope_frames_addr(fr->vma, pgoff);
	bool dirty = vmscope_frames_look(fr, slot, false).dirty;

	zap_special_vma_range(fr->vma, addr, PAGE_SIZE);
	fr->slot_of[pgoff] = 0;
	fr->stat.evictions++;
	fr->stat.writebacks += dirty;
	vmscope_fault_log_frame(fr->log, addr, pgoff,
				xa_load(&fr->pages, pgoff),
				VMSCOPE_FREC_FRAMES | VMSCOPE_FREC_EVICTION |
				(dirty ? VMSCOPE_FREC_DIRTY : 0));
}

/*
 * The page for @pgoff, kept or new (charged to the opener's memory cgroup
 * and to faultlog_max_mb), allocated with no lock held: reclaim or the
 * memcg OOM killer may run.  Returns with @fr->lock held, or an ERR_PTR.
 */
static struct page *vmscope_frames_page(struct vmscope_frames *fr,
					pgoff_t pgoff)
{
	struct page *page, *new;
	struct mem_cgroup *old;
	int err;

	mutex_lock(&fr->lock);
	page = xa_load(&fr->pages, pgoff);
	if (page)
		return page;
	mutex_unlock(&fr->lock);
	new = vmscope_fault_log_page(fr->log, pgoff);
	if (IS_ERR(new))
		return new;
	mutex_lock(&fr->lock);
	page = xa_load(&fr->pages, pgoff);	/* another thread was first? */
	if (page) {
		vmscope_fault_log_put_page(new);
		return page;
	}
	old = set_active_memcg(vmscope_fault_log_memcg(fr->log));
	err = xa_err(xa_store(&fr->pages, pgoff, new, GFP_KERNEL_ACCOUNT));
	set_active_memcg(old);
	if (err) {
		mutex_unlock(&fr->lock);
		vmscope_fault_log_put_page(new);
		return ERR_PTR(err);
	}
	fr->stat.kept++;
	return new;
}

/* Put @pgoff's page in a frame: a free one, or a victim's. */
static void vmscope_frames_load(struct vmscope_frames *fr, pgoff_t pgoff)
{
	u32 slot;

	if (fr->used < fr->k) {
		slot = fr->used++;
	} else {
		slot = vmscope_frames_victim(fr);
		vmscope_frames_evict(fr, slot);
	}
	fr->pgoff[slot] = pgoff;
	fr->slot_of[pgoff] = slot + 1;
	fr->loaded[slot] = ++fr->tick;
	fr->age[slot] = 0;
	fr->stat.faults++;
}

static vm_fault_t vmscope_frames_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmscope_frames *fr = vma->vm_private_data;
	unsigned long addr = vmf->address & PAGE_MASK;
	struct page *page;
	vm_fault_t ret;

	if (vmf->pgoff >= VMSCOPE_MMAP_MAX_PAGES)
		return VM_FAULT_SIGBUS;
	page = vmscope_frames_page(fr, vmf->pgoff);
	if (IS_ERR(page))	/* over faultlog_max_mb: SIGBUS, as a file's end */
		return PTR_ERR(page) == -ENOSPC ? VM_FAULT_SIGBUS :
						  VM_FAULT_OOM;
	if (fr->vma != vma) {
		ret = VM_FAULT_SIGBUS;
		goto out;
	}
	if (!fr->slot_of[vmf->pgoff]) {	/* else another thread was first */
		vmscope_frames_load(fr, vmf->pgoff);
		vmscope_fault_log_frame(fr->log, addr, vmf->pgoff, page,
					VMSCOPE_FREC_FRAMES |
					((vmf->flags & FAULT_FLAG_WRITE) ?
					 VMSCOPE_FREC_WRITE : 0) |
					((vmf->flags & FAULT_FLAG_USER) ?
					 VMSCOPE_FREC_USER : 0));
	}
	ret = vmf_insert_pfn(vma, addr, page_to_pfn(page));
out:
	mutex_unlock(&fr->lock);
	return ret;
}

/* Free every kept page. */
static void vmscope_frames_drop(struct vmscope_frames *fr)
{
	struct page *page;
	unsigned long i;

	xa_for_each(&fr->pages, i, page) {
		xa_erase(&fr->pages, i);
		vmscope_fault_log_put_page(page);
	}
	fr->stat.kept = 0;
}

/*
 * Closing the mapping (munmap(), exit; its page-table entries are already
 * zapped) frees the frames and the kept pages: nothing can map them again.
 */
static void vmscope_frames_close(struct vm_area_struct *vma)
{
	struct vmscope_frames *fr = vma->vm_private_data;

	mutex_lock(&fr->lock);
	if (fr->vma == vma) {
		fr->vma = NULL;
		fr->used = 0;
		fr->hand = 0;
		memset(fr->slot_of, 0, sizeof(fr->slot_of));
		vmscope_frames_drop(fr);
	}
	mutex_unlock(&fr->lock);
}

static int vmscope_frames_may_split(struct vm_area_struct *vma,
				    unsigned long addr)
{
	return -EINVAL;
}

static int vmscope_frames_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct vmscope_frames_vm_ops = {
	.fault = vmscope_frames_fault,
	.close = vmscope_frames_close,
	.may_split = vmscope_frames_may_split,
	.mremap = vmscope_frames_mremap,
};

/**
 * vmscope_frames_mmap() - set up the mapping of a file that has frames
 * @acc: the open file's access record
 * @vma: the new mapping
 *
 * Context: mmap(), mmap_lock held for writing.
 * Return: 0; -EINVAL for a private mapping or one beyond
 * VMSCOPE_MMAP_MAX_PAGES; -EBUSY while another mapping of the file
 * exists; -ENOMEM when the fault log's records cannot be allocated.
 */
int vmscope_frames_mmap(struct vmscope_access *acc, struct vm_area_struct *vma)
{
	struct vmscope_frames *fr = READ_ONCE(acc->frames);
	int err;

	if (!(vma->vm_flags & VM_MAYSHARE) ||
	    vma->vm_pgoff >= VMSCOPE_MMAP_MAX_PAGES ||
	    vma_pages(vma) > VMSCOPE_MMAP_MAX_PAGES - vma->vm_pgoff)
		return -EINVAL;
	err = vmscope_fault_log_start(fr->log);
	if (err)
		return err;
	mutex_lock(&fr->lock);
	if (fr->vma)
		err = -EBUSY;
	else
		fr->vma = vma;
	mutex_unlock(&fr->lock);
	if (err)
		return err;
	vma->vm_private_data = fr;
	vma->vm_ops = &vmscope_frames_vm_ops;
	vmscope_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND |
			     VM_DONTDUMP | VM_DONTCOPY);
	return 0;
}

/**
 * vmscope_frames_set() - give an open file's mappings K frames and a policy
 * @acc: the open file's access record
 * @fs: in: frames (1 to VMSCOPE_FRAMES_MAX), policy (flags checked by
 *	the caller: VMSCOPE_FRAMES_SET_VALID_FLAGS)
 *
 * Once per file, before its first mmap().
 *
 * Context: process context.
 * Return: 0, -EINVAL for a bad request or a file of /proc/vmscope, -EBUSY
 * when the file has frames already or has been mapped, -ENOMEM.
 */
int vmscope_frames_set(const struct vmscope_access *acc,
		       struct vmscope_frames_set *fs)
{
	/* the one field of the record an ioctl sets: once, like a latch */
	struct vmscope_frames **slot = (struct vmscope_frames **)&acc->frames;
	struct vmscope_frames *fr;
	int err;

	if (!fs->frames || fs->frames > VMSCOPE_FRAMES_MAX ||
	    fs->policy >= VMSCOPE_FRAMES_NR_POLICIES || !acc->fault_log)
		return -EINVAL;
	if (READ_ONCE(acc->frames))
		return -EBUSY;
	fr = kzalloc(sizeof(*fr), GFP_KERNEL_ACCOUNT);
	if (!fr)
		return -ENOMEM;
	mutex_init(&fr->lock);
	xa_init_flags(&fr->pages, XA_FLAGS_ACCOUNT);
	fr->log = acc->fault_log;
	fr->k = fs->frames;
	fr->policy = fs->policy;
	err = vmscope_fault_log_set_frames(acc->fault_log, slot, fr);
	if (err)
		vmscope_frames_free(fr);
	return err;
}

/**
 * vmscope_frames_stat() - what an open file's frames did
 * @acc: the open file's access record
 * @st: out: everything but size (zero for a file without frames)
 *
 * Context: process context.
 * Return: 0.
 */
int vmscope_frames_stat(const struct vmscope_access *acc,
			struct vmscope_frames_stat *st)
{
	struct vmscope_frames *fr = READ_ONCE(acc->frames);

	if (!fr) {
		memset(st, 0, sizeof(*st));
		return 0;
	}
	mutex_lock(&fr->lock);
	*st = fr->stat;
	st->frames = fr->k;
	st->policy = fr->policy;
	st->resident = fr->vma ? fr->used : 0;
	mutex_unlock(&fr->lock);
	st->size = sizeof(*st);
	st->flags = 0;
	return 0;
}

/**
 * vmscope_frames_free() - free an open file's frames
 * @fr: the frames, or NULL
 *
 * Context: the file's release(): no mapping of it is left.
 */
void vmscope_frames_free(struct vmscope_frames *fr)
{
	if (!fr)
		return;
	vmscope_frames_drop(fr);
	xa_destroy(&fr->pages);
	mutex_destroy(&fr->lock);
	kfree(fr);
}
