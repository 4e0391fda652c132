// SPDX-License-Identifier: GPL-2.0
/*
 * mmap() of /dev/vmscope: a mapping whose every page fault is served, and
 * recorded, by this module, so that demand paging can be watched from the
 * inside.  The kernel's fault path checks that the access is legal (a VMA,
 * its permissions) before it calls the handler; the handler finds or
 * allocates the page for the offset, fills it, and returns it; the kernel
 * maps it (or, in a MAP_PRIVATE mapping written to, a copy of it).
 *
 * Each open file has its own pages (up to VMSCOPE_MMAP_MAX_PAGES) and its
 * own log of the handler's calls, read with VMSCOPE_IOC_FAULTLOG.  Any
 * user may cause this memory with unprivileged=1, so all of it is charged
 * to the opener's memory cgroup (GFP_KERNEL_ACCOUNT under the memcg taken
 * at open, as a remote charge), all fault logs together hold at most
 * faultlog_max_mb, and a page is freed as soon as nothing maps it: when a
 * mapping of the file is closed (munmap(), exit), every page whose only
 * reference is the log's goes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "compat.h"
#include "vmscope.h"

static unsigned int faultlog_max_mb = 64;
module_param(faultlog_max_mb, uint, 0444);
MODULE_PARM_DESC(faultlog_max_mb,
		 "Memory all fault logs (mmap() of /dev/vmscope) may hold together, in MiB (default: 64)");

/* Pages held by every fault log: their pages and their records. */
static atomic_long_t vmscope_fault_mem_pages = ATOMIC_LONG_INIT(0);

#define VMSCOPE_FAULTLOG_REC_PAGES \
	DIV_ROUND_UP(VMSCOPE_FAULTLOG_MAX * \
		     sizeof(struct vmscope_fault_record), PAGE_SIZE)

/**
 * struct vmscope_fault_log - the pages and fault records of one open file
 * @lock: serialises the handler, the closing of mappings and the readers
 *	of the log
 * @memcg: the opener's memory cgroup, charged for everything below
 * @nr_vmas: VMAs mapping the file (VM_DONTEXPAND keeps them from merging)
 * @pages: page offset -> the page allocated for it (one reference held)
 * @npages: pages in @pages
 * @total: faults handled
 * @dropped: faults not recorded: the log was full
 * @nr: records in @rec
 * @rec: the records, in the order the faults were handled; allocated at
 *	the first mmap()
 */
struct vmscope_fault_log {
	struct mutex lock;	/* the handler against readers of the log */
	struct mem_cgroup *memcg;
	unsigned long nr_vmas;
	struct xarray pages;
	u64 npages;
	u64 total;
	u64 dropped;
	u32 nr;
	struct vmscope_fault_record *rec;
};

/* Take @n pages of the module-wide budget; false if it is spent. */
static bool vmscope_fault_mem_charge(unsigned long n)
{
	unsigned long max = (unsigned long)faultlog_max_mb << (20 - PAGE_SHIFT);

	if (atomic_long_add_return(n, &vmscope_fault_mem_pages) <= max)
		return true;
	atomic_long_sub(n, &vmscope_fault_mem_pages);
	return false;
}

static void vmscope_fault_mem_uncharge(unsigned long n)
{
	atomic_long_sub(n, &vmscope_fault_mem_pages);
}

/* What the handler writes into a page it allocates. */
static void vmscope_fault_fill(struct page *page, pgoff_t pgoff)
{
	snprintf(page_address(page), PAGE_SIZE,
		 "vmscope: page %lu of this mapping, allocated and filled by the module's fault handler for thread %d\n",
		 pgoff, task_pid_vnr(current));
}

static void vmscope_fault_note(struct vmscope_fault_log *log,
			       struct vm_fault *vmf, struct page *page,
			       bool allocated)
{
	struct vmscope_fault_record *r;

	log->total++;
	if (!log->rec || log->nr == VMSCOPE_FAULTLOG_MAX) {
		log->dropped++;
		return;
	}
	r = &log->rec[log->nr++];
	r->seq = log->total;
	r->address = vmf->address & PAGE_MASK;
	r->pgoff = vmf->pgoff;
	r->pfn = page_to_pfn(page);
	r->tid = task_pid_vnr(current);
	r->flags = 0;
	if (vmf->flags & FAULT_FLAG_WRITE)
		r->flags |= VMSCOPE_FREC_WRITE;
	if (vmf->flags & FAULT_FLAG_USER)
		r->flags |= VMSCOPE_FREC_USER;
	if (vmf->flags & FAULT_FLAG_INSTRUCTION)
		r->flags |= VMSCOPE_FREC_INSTRUCTION;
	if (!(vmf->vma->vm_flags & VM_MAYSHARE))
		r->flags |= VMSCOPE_FREC_PRIVATE;
	if (allocated)
		r->flags |= VMSCOPE_FREC_ALLOCATED;
}

/*
 * A new page for @pgoff, charged to the opener and filled; an ERR_PTR if
 * there is none (-ENOSPC: faultlog_max_mb is reached).  Allocated without
 * the log's lock held, as reclaim or the memcg OOM killer may run.
 */
static struct page *vmscope_fault_new_page(struct vmscope_fault_log *log,
					   pgoff_t pgoff)
{
	struct mem_cgroup *old;
	struct page *page;

	if (!vmscope_fault_mem_charge(1))
		return ERR_PTR(-ENOSPC);
	old = set_active_memcg(log->memcg);
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	set_active_memcg(old);
	if (!page) {
		vmscope_fault_mem_uncharge(1);
		return ERR_PTR(-ENOMEM);
	}
	vmscope_fault_fill(page, pgoff);
	return page;
}

static void vmscope_fault_put_new(struct page *page)
{
	__free_page(page);
	vmscope_fault_mem_uncharge(1);
}

/* Keep @page for @pgoff; -errno if the xarray cannot grow. */
static int vmscope_fault_keep(struct vmscope_fault_log *log, pgoff_t pgoff,
			      struct page *page)
{
	struct mem_cgroup *old = set_active_memcg(log->memcg);
	int err = xa_err(xa_store(&log->pages, pgoff, page,
				  GFP_KERNEL_ACCOUNT));

	set_active_memcg(old);
	if (!err)
		log->npages++;
	return err;
}

/*
 * The page for @pgoff, with a reference for the mapping: the kept one,
 * or a new one.  Context: takes the log's lock.
 */
static struct page *vmscope_fault_page(struct vmscope_fault_log *log,
				       struct vm_fault *vmf)
{
	struct page *page, *new = NULL;
	int err = 0;

	mutex_lock(&log->lock);
	page = xa_load(&log->pages, vmf->pgoff);
	if (!page) {
		mutex_unlock(&log->lock);
		new = vmscope_fault_new_page(log, vmf->pgoff);
		if (IS_ERR(new))
			return new;
		mutex_lock(&log->lock);
		page = xa_load(&log->pages, vmf->pgoff);	/* a race? */
		if (!page) {
			err = vmscope_fault_keep(log, vmf->pgoff, new);
			page = err ? ERR_PTR(err) : new;
		}
	}
	if (!IS_ERR(page)) {
		get_page(page);		/* the mapping's reference */
		vmscope_fault_note(log, vmf, page, page == new);
	}
	mutex_unlock(&log->lock);
	if (new && page != new)
		vmscope_fault_put_new(new);
	return page;
}

static vm_fault_t vmscope_vm_fault(struct vm_fault *vmf)
{
	struct page *page;

	if (vmf->pgoff >= VMSCOPE_MMAP_MAX_PAGES)
		return VM_FAULT_SIGBUS;
	page = vmscope_fault_page(vmf->vma->vm_private_data, vmf);
	if (IS_ERR(page))	/* over faultlog_max_mb: SIGBUS, as a file's end */
		return PTR_ERR(page) == -ENOSPC ? VM_FAULT_SIGBUS :
						  VM_FAULT_OOM;
	vmf->page = page;
	return 0;
}

/* One more VMA maps the file: a fork, a split, a move. */
static void vmscope_vm_open(struct vm_area_struct *vma)
{
	struct vmscope_fault_log *log = vma->vm_private_data;

	mutex_lock(&log->lock);
	log->nr_vmas++;
	mutex_unlock(&log->lock);
}

/*
 * A mapping of the file goes (munmap(), exit, the removed part of a
 * split), its page-table entries already zapped.  When it was the last
 * one, nothing can map the pages again (a new mmap() would fault them in
 * anew): free them.  What still holds one (a GUP pin) keeps it alive.
 */
static void vmscope_vm_close(struct vm_area_struct *vma)
{
	struct vmscope_fault_log *log = vma->vm_private_data;
	unsigned long freed = 0, i;
	struct page *page;

	mutex_lock(&log->lock);
	if (!--log->nr_vmas) {
		xa_for_each(&log->pages, i, page) {
			xa_erase(&log->pages, i);
			put_page(page);
			freed++;
		}
		log->npages -= freed;
	}
	mutex_unlock(&log->lock);
	vmscope_fault_mem_uncharge(freed);
}

static const struct vm_operations_struct vmscope_vm_ops = {
	.open = vmscope_vm_open,
	.close = vmscope_vm_close,
	.fault = vmscope_vm_fault,
};

/**
 * vmscope_fault_log_open() - give an open file of /dev/vmscope its log
 * @acc: the open file's access record
 *
 * The opener's memory cgroup is taken now: the log, its pages and its
 * records are charged to it whoever maps or faults later.
 *
 * Context: process context, from open().
 * Return: 0 or -ENOMEM.
 */
int vmscope_fault_log_open(struct vmscope_access *acc)
{
	struct vmscope_fault_log *log;

	log = kzalloc(sizeof(*log), GFP_KERNEL_ACCOUNT);
	if (!log)
		return -ENOMEM;
	mutex_init(&log->lock);
	xa_init_flags(&log->pages, XA_FLAGS_ACCOUNT);
	log->memcg = get_mem_cgroup_from_mm(current->mm);
	acc->fault_log = log;
	return 0;
}

/* The records, at the first mmap(); false if there is no room for them. */
static bool vmscope_fault_log_records(struct vmscope_fault_log *log)
{
	struct mem_cgroup *old;

	if (log->rec)
		return true;
	if (!vmscope_fault_mem_charge(VMSCOPE_FAULTLOG_REC_PAGES))
		return false;
	old = set_active_memcg(log->memcg);
	log->rec = kvcalloc(VMSCOPE_FAULTLOG_MAX, sizeof(*log->rec),
			    GFP_KERNEL_ACCOUNT);
	set_active_memcg(old);
	if (!log->rec)
		vmscope_fault_mem_uncharge(VMSCOPE_FAULTLOG_REC_PAGES);
	return log->rec;
}

/**
 * vmscope_fault_log_mmap() - set up a mapping served by the fault handler
 * @acc: the open file's access record, which keeps the log
 * @vma: the new mapping
 *
 * Decided under the log's lock, as vmscope_fault_log_set_frames() decides:
 * a file's mappings are all the log's or all its frames'.
 *
 * Context: mmap(), with the mmap_lock held for writing.
 * Return: 0, -EAGAIN if the file has frames (map those instead), -EINVAL
 * for a mapping beyond VMSCOPE_MMAP_MAX_PAGES or of a file without a log,
 * -ENOMEM when the records cannot be allocated or faultlog_max_mb is
 * reached.
 */
int vmscope_fault_log_mmap(struct vmscope_access *acc,
			   struct vm_area_struct *vma)
{
	struct vmscope_fault_log *log = acc->fault_log;
	bool ok;

	if (!log || vma->vm_pgoff >= VMSCOPE_MMAP_MAX_PAGES ||
	    vma_pages(vma) > VMSCOPE_MMAP_MAX_PAGES - vma->vm_pgoff)
		return -EINVAL;
	mutex_lock(&log->lock);
	if (READ_ONCE(acc->frames)) {
		mutex_unlock(&log->lock);
		return -EAGAIN;
	}
	ok = vmscope_fault_log_records(log);
	/*
	 * Undone by vm_ops->close(), which 6.12 also calls when mmap()
	 * fails after this; where a kernel does not, the pages merely wait
	 * for release().
	 */
	if (ok)
		log->nr_vmas++;
	mutex_unlock(&log->lock);
	if (!ok)
		return -ENOMEM;
	vma->vm_private_data = log;
	vma->vm_ops = &vmscope_vm_ops;
	vmscope_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return 0;
}

/**
 * vmscope_fault_log_free() - free the pages and records of an open file
 * @log: the log, or NULL
 *
 * Context: the file's release(): no mapping of it is left.
 */
void vmscope_fault_log_free(struct vmscope_fault_log *log)
{
	struct page *page;
	unsigned long i;

	if (!log)
		return;
	xa_for_each(&log->pages, i, page)
		put_page(page);
	xa_destroy(&log->pages);
	vmscope_fault_mem_uncharge(log->npages);
	if (log->rec)
		vmscope_fault_mem_uncharge(VMSCOPE_FAULTLOG_REC_PAGES);
	kvfree(log->rec);
	mem_cgroup_put(log->memcg);
	mutex_destroy(&log->lock);
	kfree(log);
}

struct vmscope_faultlog_arg {
	const struct vmscope_access *acc;
	struct vmscope_faultlog *fl;
};

/* The records and counters, under the log's lock; PFNs for admins only. */
static u32 vmscope_faultlog_fill(void *buf, u32 max, void *arg)
{
	struct vmscope_faultlog_arg *fa = arg;
	struct vmscope_fault_log *log = fa->acc->fault_log;
	struct vmscope_fault_record *out = buf;
	struct vmscope_faultlog *fl = fa->fl;
	u32 n, i, nr;

	mutex_lock(&log->lock);
	nr = log->nr;
	n = min(max, nr);
	if (n)
		memcpy(out, log->rec, n * sizeof(*out));
	fl->total = log->total;
	fl->dropped = log->dropped;
	fl->pages = log->npages;
	if (fl->flags & VMSCOPE_FAULTLOG_CLEAR)
		log->nr = 0;
	mutex_unlock(&log->lock);
	if (!fa->acc->sys_admin)
		for (i = 0; i < n; i++)
			out[i].pfn = 0;
	return nr;
}

/**
 * vmscope_faultlog() - read the fault handler's records
 * @acc: the caller's open-file access record
 * @fl: in: flags, buf, buf_count; the outputs zeroed (the ioctl contract,
 *	chardev.c)
 *
 * The records are copied out after the lock is dropped, so @buf may lie
 * in a mapping of this very file.
 *
 * Context: process context.
 * Return: 0, -EINVAL for a bad request, -ENOMEM, -EFAULT.
 */
int vmscope_faultlog(const struct vmscope_access *acc,
		     struct vmscope_faultlog *fl)
{
	struct vmscope_faultlog_arg fa = { .acc = acc, .fl = fl };

	if (fl->buf_count > VMSCOPE_FAULTLOG_MAX)
		return -EINVAL;
	if (!acc->fault_log)
		return 0;
	return vmscope_array_out(fl->buf, fl->buf_count,
				 sizeof(struct vmscope_fault_record),
				 vmscope_faultlog_fill, &fa, &fl->nr_records);
}

/*
 * For the frames of frames.c, which keep their own pages but share the
 * log's memory cgroup, budget and records.
 */

/**
 * vmscope_fault_log_page() - a new page for a mapping of the file
 * @log: the file's log
 * @pgoff: the page offset it is for (written into it)
 *
 * Charged to the opener's memory cgroup and to faultlog_max_mb; give it
 * back with vmscope_fault_log_put_page().
 *
 * Context: may sleep; no lock of the log held.
 * Return: the page, ERR_PTR(-ENOSPC) over faultlog_max_mb, or
 * ERR_PTR(-ENOMEM).
 */
struct page *vmscope_fault_log_page(struct vmscope_fault_log *log,
				    pgoff_t pgoff)
{
	return vmscope_fault_new_page(log, pgoff);
}

/**
 * vmscope_fault_log_put_page() - free a page from vmscope_fault_log_page()
 * @page: the page, with no other reference
 */
void vmscope_fault_log_put_page(struct page *page)
{
	vmscope_fault_put_new(page);
}

/**
 * vmscope_fault_log_memcg() - the memory cgroup a file's memory is charged to
 * @log: the file's log
 *
 * Return: the opener's memory cgroup (a reference the log holds), or NULL.
 */
struct mem_cgroup *vmscope_fault_log_memcg(struct vmscope_fault_log *log)
{
	return log->memcg;
}

/**
 * vmscope_fault_log_start() - the records, before a file's first mapping
 * @log: the file's log
 *
 * Context: process context.
 * Return: 0, or -ENOMEM when they cannot be allocated or faultlog_max_mb
 * is reached.
 */
int vmscope_fault_log_start(struct vmscope_fault_log *log)
{
	bool ok;

	mutex_lock(&log->lock);
	ok = vmscope_fault_log_records(log);
	mutex_unlock(&log->lock);
	return ok ? 0 : -ENOMEM;
}

/**
 * vmscope_fault_log_set_frames() - give a file frames, if never mapped
 * @log: the file's log
 * @slot: where the file keeps its frames (struct vmscope_access.frames)
 * @fr: the frames, ready
 *
 * Under the log's lock, which vmscope_fault_log_mmap() holds to decide
 * whether a new mapping is the log's: a file never has both.
 *
 * Return: 0, or -EBUSY if the file has been mapped or has frames.
 */
int vmscope_fault_log_set_frames(struct vmscope_fault_log *log,
				 struct vmscope_frames **slot,
				 struct vmscope_frames *fr)
{
	int err = 0;

	mutex_lock(&log->lock);
	if (log->rec || *slot)
		err = -EBUSY;
	else	/* the frames' fields before the pointer that readers load */
		smp_store_release(slot, fr);
	mutex_unlock(&log->lock);
	return err;
}

/**
 * vmscope_fault_log_frame() - record a fault or an eviction of the frames
 * @log: the file's log
 * @addr: the user address of the page
 * @pgoff: its offset in the mapping
 * @page: the page holding its contents
 * @flags: VMSCOPE_FREC_*
 *
 * Context: takes the log's lock (after the frames' own).
 */
void vmscope_fault_log_frame(struct vmscope_fault_log *log,
			     unsigned long addr, pgoff_t pgoff,
			     struct page *page, u32 flags)
{
	struct vmscope_fault_record *r;

	mutex_lock(&log->lock);
	log->total++;
	if (!log->rec || log->nr == VMSCOPE_FAULTLOG_MAX) {
		log->dropped++;
	} else {
		r = &log->rec[log->nr++];
		r->seq = log->total;
		r->address = addr;
		r->pgoff = pgoff;
		r->pfn = page_to_pfn(page);
		r->tid = task_pid_vnr(current);
		r->flags = flags;
	}
	mutex_unlock(&log->lock);
}
