/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmscope internal interfaces between the core and its front ends
 * (procfs.c for /proc/vmscope, chardev.c for /dev/vmscope).
 */
#ifndef VMSCOPE_INTERNAL_H
#define VMSCOPE_INTERNAL_H

#include <linux/bits.h>
#include <linux/pgtable.h>
#include <linux/types.h>
#include <linux/vm_event_item.h>
#include <linux/vmscope.h>

struct cred;
struct task_struct;
struct file;
struct mm_struct;
struct vm_area_struct;

/**
 * struct vmscope_access - what one open file may see
 * @sys_admin: the opener had CAP_SYS_ADMIN in the initial user namespace.
 *	KASLR-randomised kernel addresses, PFNs and physical addresses are
 *	only ever shown to such files, and any process may be inspected.
 * @sys_ptrace: the opener had CAP_SYS_PTRACE in the initial user namespace:
 *	any process may be inspected (without PFNs unless @sys_admin).
 * @file: the open file this record belongs to (it lives as long), whose
 *	f_cred are the opener's credentials, for file_ns_capable().
 * @cred: the opener's credentials, for the same-user and capability rules
 *	that apply to everyone else (see vmscope_access_mm()).
 * @fault_log: the pages and fault records of mmap()s of /dev/vmscope
 *	(made at open, with the opener's memory cgroup; see faultlog.c), or
 *	NULL for the files of /proc/vmscope.
 * @frames: K frames and a replacement policy for the file's mapping, set
 *	once by VMSCOPE_IOC_FRAMES_SET (see frames.c), or NULL.
 * @wss: the file's working-set sampling session slot (see wss.c).
 *
 * Decided once, in open(), from the opener's credentials and kept with the
 * open file; read() and ioctl() never look at the caller again, so a file
 * descriptor passed to (or inherited by) someone else carries only the
 * rights of whoever opened it.
 */
struct vmscope_access {
	bool sys_admin;
	bool sys_ptrace;
	struct file *file;
	const struct cred *cred;
	struct vmscope_fault_log *fault_log;
	struct vmscope_frames *frames;
	struct vmscope_wss_file *wss;
};

umode_t vmscope_file_mode(umode_t root_mode);
struct vmscope_access *vmscope_access_open(struct file *file);
void vmscope_access_release(struct vmscope_access *acc);
int vmscope_access_mm(const struct vmscope_access *acc,
		      struct task_struct *task, struct mm_struct *mm);
struct pid;
struct mm_struct *vmscope_target_pid(const struct vmscope_access *acc,
				     struct pid *pid,
				     struct task_struct **taskp);
struct mm_struct *vmscope_target(const struct vmscope_access *acc, u32 pid,
				 struct task_struct **taskp);
struct mm_struct *vmscope_target_mm(const struct vmscope_access *acc,
				    u32 pid);
struct mm_struct *vmscope_group_mm(struct task_struct *task);

/*
 * The page-table walker (pagewalk.c), shaped like mm/pagewalk.c, which is not
 * exported to modules.
 */
struct vmscope_pt_walk;

/**
 * typedef vmscope_walk_fn - a walker callback
 * @w: the walk
 * @level: VMSCOPE_LEVEL_* of the entry
 * @addr: first address of the entry's range inside the walked range
 * @next: end of the entry's range inside the walked range
 * @val: the entry's raw value
 *
 * Return: 0 to continue, >0 to stop the walk (returned by
 * vmscope_walk_range()), <0 an error that stops it.
 */
typedef int (*vmscope_walk_fn)(struct vmscope_pt_walk *w, int level,
			       unsigned long addr, unsigned long next, u64 val);

/**
 * typedef vmscope_ptes_fn - a callback for a run of PTEs
 * @w: the walk
 * @pte: the mapped entry for @addr; entries up to @end follow it
 * @addr: first address
 * @end: end address, inside the same PTE table
 *
 * Return: as vmscope_walk_fn.
 */
typedef int (*vmscope_ptes_fn)(struct vmscope_pt_walk *w, pte_t *pte,
			       unsigned long addr, unsigned long end);

/**
 * struct vmscope_walk_ops - what to call for each entry
 * @entry: a present entry pointing to a lower table.  For a PMD it is
 *	called with the PTE table's lock held.
 * @leaf: an entry that maps (or describes) a page: a PTE that is not
 *	none, or a huge or non-present PMD or PUD.  Called with the lock of
 *	the entry's table held, so the page behind it cannot go away.
 * @hole: an empty (none) entry at any level; consecutive empty PTEs come
 *	as one call.
 * @ptes: if set, called for the PTEs of a table (with its lock held)
 *	instead of @leaf and @hole: one call instead of one per entry, as
 *	pagemap's pmd_entry does.
 *
 * Any of them may be NULL.
 */
struct vmscope_walk_ops {
	vmscope_walk_fn entry;
	vmscope_walk_fn leaf;
	vmscope_walk_fn hole;
	vmscope_ptes_fn ptes;
};

/**
 * struct vmscope_pt_walk - one walk of a range of an address space
 * @mm: the address space; its mmap_lock is held for read
 * @ops: the callbacks
 * @private: for the callbacks
 * @entryp: while @ops->leaf runs for a PMD or PUD leaf: the entry itself,
 *	for callbacks that change it (under its lock)
 */
struct vmscope_pt_walk {
	struct mm_struct *mm;
	const struct vmscope_walk_ops *ops;
	void *private;
	void *entryp;
};

int vmscope_walk_range(struct vmscope_pt_walk *w, unsigned long start,
		       unsigned long end);
int vmscope_walk_vma(struct vmscope_pt_walk *w, struct vm_area_struct *vma,
		     unsigned long start, unsigned long end);
bool vmscope_pmd_may_be_shared(struct vm_area_struct *vma,
			       unsigned long addr);

/*
 * Entries one chunk of a bulk walk may look at while holding mmap_lock:
 * one PTE table's worth (an empty entry above the PTE level counts once).
 */
#define VMSCOPE_WALK_BUDGET	PTRS_PER_PTE

/**
 * struct vmscope_chunked - a bulk walk done in chunks of bounded work
 * @mm: the address space, referenced by the caller
 * @budget: entries one chunk may look at (VMSCOPE_WALK_BUDGET)
 * @left: what is left of @budget in this chunk; spent by @gather with
 *	vmscope_chunk_spend()
 * @gather: under mmap_lock held for read, look at up to @left entries
 *	from where the last chunk stopped (its own position, in the structure
 *	that embeds this one); return >0 if there is more to do, 0 when done,
 *	<0 an error
 * @flush: with no lock held, write out what @gather collected; return 0
 *	to go on, >0 to stop (the caller's buffer is full), <0 an error; may
 *	be NULL
 */
struct vmscope_chunked {
	struct mm_struct *mm;
	unsigned int budget;
	unsigned int left;
	int (*gather)(struct vmscope_chunked *cw);
	int (*flush)(struct vmscope_chunked *cw);
};

int vmscope_walk_chunked(struct vmscope_chunked *cw);
bool vmscope_chunk_spend(struct vmscope_chunked *cw, unsigned int n);

/* Decoding entries and pages: decode.h */

void vmscope_vma_describe(struct vm_area_struct *vma, struct vmscope_vma *out,
			  bool show_pfn);

/* The operations behind the ioctls */
int vmscope_translate(const struct vmscope_access *acc,
		      struct vmscope_translate *tr);
int vmscope_walk_pages(const struct vmscope_access *acc,
		       struct vmscope_walk *req);
int vmscope_ptstats(const struct vmscope_access *acc,
		    struct vmscope_ptstats *st);
int vmscope_layout(const struct vmscope_access *acc,
		   struct vmscope_layout *lo);
int vmscope_faults(const struct vmscope_access *acc,
		   struct vmscope_faults *fl);
int vmscope_oom(const struct vmscope_access *acc, struct vmscope_oom *oo);
int vmscope_reclaim(const struct vmscope_access *acc,
		    struct vmscope_reclaim *rc);

int vmscope_filecache(const struct vmscope_access *acc,
		      struct vmscope_filecache *fc);
int vmscope_census(const struct vmscope_access *acc,
		   struct vmscope_census *req);
int vmscope_memory(const struct vmscope_access *acc,
		   struct vmscope_memory *mem);

struct vmscope_fault_log;
int vmscope_faultlog(const struct vmscope_access *acc,
		     struct vmscope_faultlog *fl);
int vmscope_fault_log_open(struct vmscope_access *acc);
int vmscope_fault_log_mmap(struct vmscope_access *acc,
			   struct vm_area_struct *vma);
void vmscope_fault_log_free(struct vmscope_fault_log *log);
struct page *vmscope_fault_log_page(struct vmscope_fault_log *log,
				    pgoff_t pgoff);
void vmscope_fault_log_put_page(struct page *page);
struct mem_cgroup *vmscope_fault_log_memcg(struct vmscope_fault_log *log);
int vmscope_fault_log_start(struct vmscope_fault_log *log);
struct vmscope_frames;
int vmscope_fault_log_set_frames(struct vmscope_fault_log *log,
				 struct vmscope_frames **slot,
				 struct vmscope_frames *fr);
void vmscope_fault_log_frame(struct vmscope_fault_log *log,
			     unsigned long addr, pgoff_t pgoff,
			     struct page *page, u32 flags);

/* Page replacement on the file's own frames (frames.c) */
int vmscope_frames_set(const struct vmscope_access *acc,
		       struct vmscope_frames_set *fs);
int vmscope_frames_stat(const struct vmscope_access *acc,
			struct vmscope_frames_stat *st);
int vmscope_frames_mmap(struct vmscope_access *acc,
			struct vm_area_struct *vma);
void vmscope_frames_free(struct vmscope_frames *fr);

/**
 * typedef vmscope_fill_fn - fills an array for vmscope_array_out()
 * @out: the kernel buffer, room for @max records; NULL when @max is 0
 * @max: its capacity
 * @arg: the caller's
 *
 * Return: how many records there are in all (may exceed @max).
 */
typedef u32 (*vmscope_fill_fn)(void *out, u32 max, void *arg);
int vmscope_array_out(u64 ubuf, u32 count, size_t size,
		      vmscope_fill_fn fill, void *arg, u32 *total);
int vmscope_records_copy(void __user *dst, u32 rec_size, const void *recs,
			 size_t ksize, u64 n);
struct pid *vmscope_find_pid(u32 nr);
/* Working sets: the Accessed-bit sampler (wss.c) */
struct vmscope_wss_file;
struct vmscope_wss_file *vmscope_wss_file_new(void);
void vmscope_wss_file_free(struct vmscope_wss_file *wf);
int vmscope_wss_start(const struct vmscope_access *acc,
		      struct vmscope_wss_start *st);
int vmscope_wss_read(const struct vmscope_access *acc,
		     struct vmscope_wss_read *rd);
int vmscope_wss_ctl(const struct vmscope_access *acc,
		    struct vmscope_wss_ctl *ctl);

/* swap_total beyond this is nonsense: 2^52 pages is 16 EiB */
#define VMSCOPE_OOM_MAX_SWAP	BIT_ULL(52)

/* The text views of /proc/vmscope */
struct seq_file;
int vmscope_faults_show(struct seq_file *m, const struct vmscope_access *acc,
			struct pid *pid);
int vmscope_oom_show(struct seq_file *m, const struct vmscope_access *acc,
		     u64 swap_total);
int vmscope_reclaim_show(struct seq_file *m, void *v);
int vmscope_info_show(struct seq_file *m, const struct vmscope_access *acc);
int vmscope_wss_show(struct seq_file *m, const struct vmscope_access *acc,
		     struct pid *pid);
/*
 * /proc/vmscope/wss shows the runs of up to this many records, and its
 * seq_file buffer holds them all at once: a buffer that overflows would
 * make seq_read() call the show function, which samples, again.
 */
#define VMSCOPE_WSS_SHOW_RUNS	4096
#define VMSCOPE_WSS_SHOW_BYTES	((VMSCOPE_WSS_SHOW_RUNS + 16) * 64)
u64 vmscope_vm_event(enum vm_event_item item);
int vmscope_layout_one(struct mm_struct *mm, unsigned long *addr,
		       struct vmscope_layout_vma *out, bool show_pfn,
		       bool from_addr);

void vmscope_info_fill(struct vmscope_info *info,
		       const struct vmscope_access *acc);

extern const struct proc_ops vmscope_layout_proc_ops;
int vmscope_proc_init(void);
void vmscope_proc_exit(void);
int vmscope_dev_init(void);
void vmscope_dev_exit(void);

#endif /* VMSCOPE_INTERNAL_H */
