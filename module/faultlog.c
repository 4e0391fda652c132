// SPDX-License-Identifier: GPL-2.0
/*
 * mmap() of /dev/vmscope: a mapping whose every page fault is served, and
 * recorded, by this module, so that demand paging can be watched from the
 * inside.  The kernel's fault path checks that the access is legal (a VMA,
 * its permissions) before it calls the handler; the handler finds or
 * allocates the page for the offset, fills it, and returns it; the kernel
 * maps it (or, in a MAP_PRIVATE mapping written to, a copy of it).
 *
 * Each open file has its own pages (up to VMSCOPE_MMAP_MAX_PAGES, kept
 * until the file is released) and its own log of the handler's calls,
 * read with VMSCOPE_IOC_FAULTLOG.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "compat.h"
#include "vmscope.h"

/**
 * struct vmscope_fault_log - the pages and fault records of one open file
 * @lock: serialises the handler and the readers of the log
 * @pages: page offset -> the page allocated for it
 * @npages: pages in @pages
 * @total: faults handled
 * @dropped: faults not recorded: the log was full
 * @nr: records in @rec
 * @rec: the records, in the order the faults were handled
 */
struct vmscope_fault_log {
	struct mutex lock;	/* the handler against readers of the log */
	struct xarray pages;
	u64 npages;
	u64 total;
	u64 dropped;
	u32 nr;
	struct vmscope_fault_record rec[VMSCOPE_FAULTLOG_MAX];
};

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
	if (log->nr == VMSCOPE_FAULTLOG_MAX) {
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
	if (!(vmf->vma->vm_flags & VM_SHARED))
		r->flags |= VMSCOPE_FREC_PRIVATE;
	if (allocated)
		r->flags |= VMSCOPE_FREC_ALLOCATED;
}

/* The page for @pgoff: found, or allocated, filled and kept. */
static struct page *vmscope_fault_page(struct vmscope_fault_log *log,
				       pgoff_t pgoff, bool *allocated)
{
	struct page *page = xa_load(&log->pages, pgoff);

	*allocated = false;
	if (page)
		return page;
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return NULL;
	vmscope_fault_fill(page, pgoff);
	if (xa_err(xa_store(&log->pages, pgoff, page, GFP_KERNEL))) {
		__free_page(page);
		return NULL;
	}
	log->npages++;
	*allocated = true;
	return page;
}

static vm_fault_t vmscope_vm_fault(struct vm_fault *vmf)
{
	struct vmscope_fault_log *log = vmf->vma->vm_private_data;
	struct page *page;
	bool allocated;

	if (vmf->pgoff >= VMSCOPE_MMAP_MAX_PAGES)
		return VM_FAULT_SIGBUS;
	mutex_lock(&log->lock);
	page = vmscope_fault_page(log, vmf->pgoff, &allocated);
	if (page) {
		get_page(page);		/* the mapping's reference */
		vmscope_fault_note(log, vmf, page, allocated);
	}
	mutex_unlock(&log->lock);
	if (!page)
		return VM_FAULT_OOM;
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct vmscope_vm_ops = {
	.fault = vmscope_vm_fault,
};

/* The open file's log, made at its first mmap(). */
static struct vmscope_fault_log *vmscope_fault_log_get(struct vmscope_access *acc)
{
	struct vmscope_fault_log *log = READ_ONCE(acc->fault_log), *old;

	if (log)
		return log;
	log = kvzalloc(sizeof(*log), GFP_KERNEL);
	if (!log)
		return NULL;
	mutex_init(&log->lock);
	xa_init(&log->pages);
	old = cmpxchg(&acc->fault_log, NULL, log);
	if (old) {		/* another thread was first */
		kvfree(log);
		return old;
	}
	return log;
}

/**
 * vmscope_fault_log_mmap() - set up a mapping served by the fault handler
 * @acc: the open file's access record, which keeps the log
 * @vma: the new mapping
 *
 * Context: mmap(), with the mmap_lock held for writing.
 * Return: 0, -EINVAL for a mapping beyond VMSCOPE_MMAP_MAX_PAGES, -ENOMEM.
 */
int vmscope_fault_log_mmap(struct vmscope_access *acc,
			   struct vm_area_struct *vma)
{
	struct vmscope_fault_log *log;

	if (vma->vm_pgoff >= VMSCOPE_MMAP_MAX_PAGES ||
	    vma_pages(vma) > VMSCOPE_MMAP_MAX_PAGES - vma->vm_pgoff)
		return -EINVAL;
	log = vmscope_fault_log_get(acc);
	if (!log)
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
	mutex_destroy(&log->lock);
	kvfree(log);
}

/**
 * vmscope_faultlog() - read the fault handler's records
 * @acc: the caller's open-file access record
 * @fl: in: flags, buf, buf_count; the rest is overwritten
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
	struct vmscope_fault_log *log = READ_ONCE(acc->fault_log);
	u32 max = fl->buf_count, flags = fl->flags, n = 0, i;
	struct vmscope_fault_record *out = NULL;
	u64 buf = fl->buf;
	int err = 0;

	if ((flags & ~VMSCOPE_FAULTLOG_CLEAR) || max > VMSCOPE_FAULTLOG_MAX)
		return -EINVAL;
	memset(fl, 0, sizeof(*fl));
	fl->size = sizeof(*fl);
	fl->flags = flags;
	fl->buf = buf;
	fl->buf_count = max;
	if (!log)
		return 0;
	if (max) {
		out = kvcalloc(max, sizeof(*out), GFP_KERNEL);
		if (!out)
			return -ENOMEM;
	}
	mutex_lock(&log->lock);
	n = min(max, log->nr);
	memcpy(out, log->rec, n * sizeof(*out));
	fl->nr_records = log->nr;
	fl->total = log->total;
	fl->dropped = log->dropped;
	fl->pages = log->npages;
	if (flags & VMSCOPE_FAULTLOG_CLEAR)
		log->nr = 0;
	mutex_unlock(&log->lock);
	if (!acc->sys_admin)
		for (i = 0; i < n; i++)
			out[i].pfn = 0;
	if (n && copy_to_user(u64_to_user_ptr(buf), out, n * sizeof(*out)))
		err = -EFAULT;
	kvfree(out);
	return err;
}
