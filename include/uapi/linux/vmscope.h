/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmscope: make a live kernel's virtual memory visible.
 *
 * This header is the only thing the module, the vmscope CLI and the
 * selftests share.  Every structure starts with a @size field that the
 * caller sets to the size of the structure it knows; the module accepts any
 * size from the first published one up to PAGE_SIZE (bytes it does not know
 * must be zero), and copies back min(size, its own size) bytes.  Fields are
 * only ever appended.  The second field is always __u32 flags: a flag
 * outside the request's VMSCOPE_*_VALID_FLAGS is EINVAL, and so is a
 * non-zero __reserved field.  Fields marked in are given back as they
 * were; every other byte given back is zero unless the module set it.
 */
#ifndef _UAPI_LINUX_VMSCOPE_H
#define _UAPI_LINUX_VMSCOPE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Bumped when an ioctl or a /proc/vmscope file changes incompatibly. */
#define VMSCOPE_ABI_VERSION	1

#define VMSCOPE_DEVICE		"/dev/vmscope"
#define VMSCOPE_PROC_DIR	"/proc/vmscope"

/*
 * 0xB8 10-2F: free in ioctl-number.rst of 6.12 (0xB8 01-02 is Marvell's;
 * later kernels' mshv uses other numbers).
 */
#define VMSCOPE_IOC_MAGIC	0xB8

/* vmscope_info.out_flags */
/* page_offset, vmalloc_start and vmemmap_start are filled in. */
#define VMSCOPE_INFO_KERNEL_LAYOUT	(1U << 0)

#define VMSCOPE_RELEASE_LEN	72

/**
 * struct vmscope_info - address-space facts of the running kernel
 * @size: in: sizeof(struct vmscope_info) as the caller was built with.
 * @flags: in: must be zero (no input flags are defined yet).
 * @abi_version: out: VMSCOPE_ABI_VERSION of the loaded module.
 * @levels: out: page-table levels in use: 4 or 5 (la57).
 * @page_shift: out: log2 of the base page size.
 * @va_bits: out: significant bits of a canonical virtual address (48 or 57).
 * @phys_bits: out: physical address bits of the CPU (MAXPHYADDR).
 * @ptrs_per_table: out: entries in one page table at the lowest level.
 * @task_size: out: end (exclusive) of user space, TASK_SIZE_MAX.
 * @mmap_window: out: end of the default mmap window; user mappings above it
 *	are only made when mmap() is given a hint above it (5-level only).
 * @kernel_start: out: lowest canonical kernel-half address.
 * @page_offset: out: start of the direct map of physical memory, or 0.
 * @vmalloc_start: out: start of the vmalloc/ioremap area, or 0.
 * @vmemmap_start: out: start of the struct page array, or 0.
 * @out_flags: out: VMSCOPE_INFO_* flags.  The three region bases above are
 *	randomised by KASLR and are filled in (VMSCOPE_INFO_KERNEL_LAYOUT) only
 *	when the file was opened with CAP_SYS_ADMIN.
 * @__reserved: zero.
 * @release: out: the kernel release (uname -r), NUL terminated.
 */
struct vmscope_info {
	__u32 size;		/* in */
	__u32 flags;		/* in */
	__u32 abi_version;	/* out */
	__u32 levels;		/* out */
	__u32 page_shift;	/* out */
	__u32 va_bits;		/* out */
	__u32 phys_bits;	/* out */
	__u32 ptrs_per_table;	/* out */
	__u64 task_size;	/* out */
	__u64 mmap_window;	/* out */
	__u64 kernel_start;	/* out */
	__u64 page_offset;	/* out */
	__u64 vmalloc_start;	/* out */
	__u64 vmemmap_start;	/* out */
	__u32 out_flags;	/* out */
	__u32 __reserved;	/* out */
	char release[VMSCOPE_RELEASE_LEN];	/* out */
};

#define VMSCOPE_INFO_SIZE_VER1	160
#define VMSCOPE_INFO_VALID_FLAGS	0

/*
 * Page-table levels, lowest first: vmscope_step.level, vmscope_page.level,
 * vmscope_translate.leaf_level.  With 4-level paging the P4D is folded into
 * the PGD and never appears.
 */
#define VMSCOPE_LEVEL_NONE	0
#define VMSCOPE_LEVEL_PTE	1
#define VMSCOPE_LEVEL_PMD	2
#define VMSCOPE_LEVEL_PUD	3
#define VMSCOPE_LEVEL_P4D	4
#define VMSCOPE_LEVEL_PGD	5
#define VMSCOPE_MAX_LEVELS	5

/*
 * What backs one virtual page: vmscope_translate.state, vmscope_page.state.
 * Zero is the commonest state of a sparse address space, so that a run of
 * such pages is a run of zero bytes.
 */
/* Inside a VMA, but no entry: never touched, or dropped; the next
 * access faults the page in (demand paging).
 */
#define VMSCOPE_STATE_NOT_PRESENT	0
/* No VMA covers the address: an access raises SIGSEGV. */
#define VMSCOPE_STATE_NO_VMA		1
/* Mapped: the MMU translates the address. */
#define VMSCOPE_STATE_PRESENT		2
/* A page is mapped, but the entry's hardware present bit is clear:
 * a PROT_NONE VMA, or a NUMA-hinting entry.  An access faults.
 */
#define VMSCOPE_STATE_PROT_NONE		3
/* Swapped out: the entry holds a swap type and offset. */
#define VMSCOPE_STATE_SWAPPED		4
/* Being migrated: the entry names the page under migration. */
#define VMSCOPE_STATE_MIGRATION		5
/* Poisoned by a memory error. */
#define VMSCOPE_STATE_HWPOISON		6
/* A device-private or device-exclusive entry (HMM). */
#define VMSCOPE_STATE_DEVICE		7
/* A PTE marker (userfaultfd write-protect, guard region, poison). */
#define VMSCOPE_STATE_MARKER		8
#define VMSCOPE_STATE_MAX		VMSCOPE_STATE_MARKER

/*
 * Decoded bits of a page-table entry (vmscope_step.flags and
 * vmscope_page.flags), named after the x86 bits they come from.
 */
#define VMSCOPE_PTE_PRESENT	(1U << 0)	/* _PAGE_PRESENT */
#define VMSCOPE_PTE_RW		(1U << 1)	/* writable */
#define VMSCOPE_PTE_USER	(1U << 2)	/* user-accessible */
#define VMSCOPE_PTE_PWT		(1U << 3)	/* write-through */
#define VMSCOPE_PTE_PCD		(1U << 4)	/* cache disabled */
#define VMSCOPE_PTE_ACCESSED	(1U << 5)	/* set by the MMU on access */
#define VMSCOPE_PTE_DIRTY	(1U << 6)	/* set by the MMU on write */
#define VMSCOPE_PTE_HUGE	(1U << 7)	/* PS: a 2M or 1G leaf */
#define VMSCOPE_PTE_GLOBAL	(1U << 8)	/* kept in the TLB across CR3 loads */
#define VMSCOPE_PTE_NX		(1U << 9)	/* no execute */
#define VMSCOPE_PTE_SOFT_DIRTY	(1U << 10)	/* written since clear_refs 4 */
#define VMSCOPE_PTE_PROTNONE	(1U << 11)	/* PROT_NONE / NUMA hint */
#define VMSCOPE_PTE_SPECIAL	(1U << 12)	/* no struct page behind it */
#define VMSCOPE_PTE_UFFD_WP	(1U << 13)	/* userfaultfd write-protected */
#define VMSCOPE_PTE_PKEY_SHIFT	24		/* protection key, 4 bits */
#define VMSCOPE_PTE_PKEY_MASK	(0xfU << VMSCOPE_PTE_PKEY_SHIFT)

/* Facts of the page behind a present entry: page_flags fields. */
#define VMSCOPE_PAGE_ANON	(1U << 0)	/* anonymous memory */
#define VMSCOPE_PAGE_FILE	(1U << 1)	/* page cache of a file */
#define VMSCOPE_PAGE_SHMEM	(1U << 2)	/* shmem/tmpfs, SysV shm, memfd */
#define VMSCOPE_PAGE_ZERO	(1U << 3)	/* the shared zero page */
#define VMSCOPE_PAGE_THP	(1U << 4)	/* part of a large folio (THP, mTHP) */
#define VMSCOPE_PAGE_HUGETLB	(1U << 5)	/* a hugetlbfs page */
#define VMSCOPE_PAGE_KSM	(1U << 6)	/* merged by KSM */
#define VMSCOPE_PAGE_DIRTY	(1U << 7)	/* PG_dirty: must be written back */
#define VMSCOPE_PAGE_LRU	(1U << 8)	/* on an LRU list */
#define VMSCOPE_PAGE_ACTIVE	(1U << 9)	/* on the active LRU list */
#define VMSCOPE_PAGE_REFERENCED	(1U << 10)	/* PG_referenced */
#define VMSCOPE_PAGE_UNEVICTABLE (1U << 11)	/* mlocked or otherwise unevictable */
#define VMSCOPE_PAGE_SWAPCACHE	(1U << 12)	/* in the swap cache */
#define VMSCOPE_PAGE_WRITEBACK	(1U << 13)	/* being written back */
#define VMSCOPE_PAGE_EXCLUSIVE	(1U << 14)	/* mapped exactly once */
#define VMSCOPE_PAGE_NOPAGE	(1U << 15)	/* no struct page (PFN map) */

/* vmscope_vma.perms: as the "rwxp" column of /proc/PID/maps */
#define VMSCOPE_VMA_READ	(1U << 0)
#define VMSCOPE_VMA_WRITE	(1U << 1)
#define VMSCOPE_VMA_EXEC	(1U << 2)
#define VMSCOPE_VMA_SHARED	(1U << 3)

#define VMSCOPE_NAME_LEN	256

/**
 * struct vmscope_vma - one virtual memory area (as a line of /proc/PID/maps)
 * @start: first address.
 * @end: end address, exclusive.
 * @pgoff: offset into the file, in bytes; 0 for a private PFN map (whose
 *	offset remap_pfn_range() replaced by the physical PFN it maps)
 *	unless the file was opened with CAP_SYS_ADMIN.
 * @ino: inode number of the file, or 0.
 * @perms: VMSCOPE_VMA_* permissions.
 * @dev: device of the file, as new_encode_dev() (major << 8 | minor, with
 *	the minor's high bits above), or 0.
 * @name: as /proc/PID/maps names the VMA: the file path (through
 *	overlayfs, the overlay's; @dev and @ino are then, as in maps, the
 *	overlay's since 6.8 and the underlying file's before), [heap],
 *	[stack], [vdso], [vvar]..., [anon:NAME] or [anon_shmem:NAME]
 *	(PR_SET_VMA_ANON_NAME), or empty; NUL terminated, truncated to its
 *	first VMSCOPE_NAME_LEN - 1 bytes ("[unreachable]" for a path longer
 *	than 64 KiB).
 */
struct vmscope_vma {
	__u64 start;
	__u64 end;
	__u64 pgoff;
	__u64 ino;
	__u32 perms;
	__u32 dev;
	char name[VMSCOPE_NAME_LEN];
};

/**
 * struct vmscope_step - one level of a page-table walk
 * @entry: the raw entry.  Without CAP_SYS_ADMIN at open, the physical
 *	address bits are cleared (only the flag bits remain).
 * @table_paddr: physical address of the table holding the entry, or 0
 *	when hidden.
 * @level: VMSCOPE_LEVEL_*.
 * @index: the entry's index in its table, taken from the address bits.
 * @flags: VMSCOPE_PTE_* decoded from @entry.
 * @__pad: zero.
 */
struct vmscope_step {
	__u64 entry;
	__u64 table_paddr;
	__u32 level;
	__u32 index;
	__u32 flags;
	__u32 __pad;
};

/* vmscope_translate.out_flags and vmscope_walk.out_flags */
/* PFNs, physical addresses and swap locations are zero: the file was
 * opened without CAP_SYS_ADMIN (as in /proc/PID/pagemap).
 */
#define VMSCOPE_OUT_PFN_HIDDEN	(1U << 0)

/**
 * struct vmscope_translate - walk the page tables for one address
 * @size: in: sizeof(struct vmscope_translate).
 * @flags: in: zero.
 * @pid: in: the process, in the caller's PID namespace.
 * @state: out: VMSCOPE_STATE_*.
 * @vaddr: in: the virtual address (any byte of a page).
 * @levels: out: paging levels in use (4 or 5).
 * @nr_steps: out: entries of @walk filled, from the PGD down to where the
 *	walk ended (a leaf or an empty entry); 0 when there is no VMA.
 * @walk: out: one step per level visited.
 * @leaf_level: out: level of the entry that maps or describes the page
 *	(PTE, PMD for 2M, PUD for 1G), or VMSCOPE_LEVEL_NONE.
 * @out_flags: out: VMSCOPE_OUT_*.
 * @page_size: out: bytes mapped by the leaf entry (4K, 2M, 1G), or 0.
 * @pfn: out: page frame number of the byte at @vaddr, or 0.
 * @paddr: out: physical address of the byte at @vaddr, or 0.
 * @page_flags: out: VMSCOPE_PAGE_* of the page, when present.
 * @mapcount: out: how many page-table entries map the page (its folio,
 *	for a large folio on kernels that only count per folio).
 * @refcount: out: references held on the page.
 * @swap_type: out: swap area index, when swapped.
 * @swap_offset: out: page offset in that swap area, or the PFN of the page
 *	under migration / poisoned (0 without CAP_SYS_ADMIN).
 * @vma: out: the VMA covering @vaddr, when there is one.
 */
struct vmscope_translate {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u32 pid;			/* in */
	__u32 state;			/* out */
	__u64 vaddr;			/* in */
	__u32 levels;			/* out */
	__u32 nr_steps;			/* out */
	struct vmscope_step walk[VMSCOPE_MAX_LEVELS];	/* out */
	__u32 leaf_level;		/* out */
	__u32 out_flags;		/* out */
	__u64 page_size;		/* out */
	__u64 pfn;			/* out */
	__u64 paddr;			/* out */
	__u32 page_flags;		/* out */
	__u32 mapcount;			/* out */
	__u32 refcount;			/* out */
	__u32 swap_type;		/* out */
	__u64 swap_offset;		/* out */
	struct vmscope_vma vma;		/* out */
};

#define VMSCOPE_TRANSLATE_SIZE_VER1	544
#define VMSCOPE_TRANSLATE_VALID_FLAGS	0

/* vmscope_page.pfn of a swapped page: as in /proc/PID/pagemap */
#define VMSCOPE_SWP_TYPE_BITS	5
#define VMSCOPE_SWP_TYPE(pfn)	((pfn) & ((1ULL << VMSCOPE_SWP_TYPE_BITS) - 1))
#define VMSCOPE_SWP_OFFSET(pfn)	((pfn) >> VMSCOPE_SWP_TYPE_BITS)

/**
 * struct vmscope_page - one base page of a bulk walk
 * @pfn: present: the page frame number; swapped: the swap type in the low
 *	VMSCOPE_SWP_TYPE_BITS bits and the offset above them (as pagemap);
 *	migration, hwpoison: the PFN named by the entry; else 0.  Zero too
 *	when the file was opened without CAP_SYS_ADMIN.
 * @flags: VMSCOPE_PTE_* of the entry mapping the page.
 * @page_flags: VMSCOPE_PAGE_* of the page, when present (EXCLUSIVE tells
 *	a page mapped once from one shared, e.g. after fork).
 * @state: VMSCOPE_STATE_*.
 * @level: VMSCOPE_LEVEL_* of the entry (PTE, PMD or PUD), or NONE.
 * @__test_grown: only in a module built with VMSCOPE_TEST_GROWN_RECORDS,
 *	to test callers whose records are smaller than the module's.
 *
 * 16 bytes, so that a walk moves no more than twice what pagemap does.
 * A not-present page inside a VMA is all zeroes.
 */
struct vmscope_page {
	__u64 pfn;
	__u32 flags;
	__u16 page_flags;
	__u8 state;
	__u8 level;
#if defined(__KERNEL__) && defined(VMSCOPE_TEST_GROWN_RECORDS)
	__u64 __test_grown;	/* a later version's field: test builds only */
#endif
};

#define VMSCOPE_PAGE_SIZE_VER1	16

/**
 * struct vmscope_walk - one record per base page over a range
 * @size: in: sizeof(struct vmscope_walk).
 * @flags: in: zero.
 * @pid: in: the process.
 * @rec_size: in: sizeof(struct vmscope_page) as the caller knows it (at
 *	least VMSCOPE_PAGE_SIZE_VER1, a multiple of 8); records are written
 *	@rec_size apart, bytes beyond the module's own record size are zeroed.
 * @start: in: first address, page aligned.
 * @end: in: end address, exclusive, page aligned, above @start, at most
 *	the end of user space (vmscope_info.task_size).
 * @buf: in: user address of an array of @buf_count records.
 * @buf_count: in: capacity of @buf in records (at least 1).
 * @next: out: the first address not described; equals @end when the range
 *	is complete, else call again with @start = @next.
 * @count: out: records written, (@next - @start) / page size.
 * @out_flags: out: VMSCOPE_OUT_*.
 * @__reserved: zero.
 *
 * The module holds the target's mmap_lock while it looks at no more than
 * one PTE table's worth of entries (512; an empty entry above the PTE level
 * counts once), and never while writing to @buf.
 */
struct vmscope_walk {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u32 pid;			/* in */
	__u32 rec_size;			/* in */
	__u64 start;			/* in */
	__u64 end;			/* in */
	__u64 buf;			/* in */
	__u64 buf_count;		/* in */
	__u64 next;			/* out */
	__u64 count;			/* out */
	__u32 out_flags;		/* out */
	__u32 __reserved;		/* in: zero */
};

#define VMSCOPE_WALK_SIZE_VER1	72
#define VMSCOPE_WALK_VALID_FLAGS	0

/**
 * struct vmscope_ptstats - what a process's page tables cost
 * @size: in: sizeof(struct vmscope_ptstats).
 * @flags: in: zero.
 * @pid: in: the process.
 * @levels: out: paging levels in use.
 * @pgd: out: PGD tables (always 1).
 * @p4d: out: P4D tables (0 with 4-level paging: folded into the PGD).
 * @pud: out: PUD tables.
 * @pmd: out: PMD tables.
 * @pte: out: PTE tables reachable from the PMDs.
 * @present: out: present PTE leaves (4K pages mapped).
 * @huge_pmd: out: PMD leaves (2M pages mapped).
 * @huge_pud: out: PUD leaves (1G pages mapped).
 * @swap_entries: out: PTEs holding a swap entry.
 * @other_entries: out: other non-present entries (migration, markers...).
 * @deposited: out: PTE tables the kernel keeps deposited under anonymous
 *	PMD leaves (THP), allocated and counted but not in the tree.
 * @pgtables_bytes: out: the kernel's own count of the process's page-table
 *	bytes, mm_pgtables_bytes(): VmPTE in /proc/PID/status.
 *
 * Every VMA is walked, in chunks of about one PTE table's worth of
 * entries, dropping mmap_lock between them; a process that changes its
 * mappings meanwhile gets counts that mix before and after.
 */
struct vmscope_ptstats {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u32 pid;			/* in */
	__u32 levels;			/* out */
	__u64 pgd;			/* out */
	__u64 p4d;			/* out */
	__u64 pud;			/* out */
	__u64 pmd;			/* out */
	__u64 pte;			/* out */
	__u64 present;			/* out */
	__u64 huge_pmd;			/* out */
	__u64 huge_pud;			/* out */
	__u64 swap_entries;		/* out */
	__u64 other_entries;		/* out */
	__u64 deposited;		/* out */
	__u64 pgtables_bytes;		/* out */
};

#define VMSCOPE_PTSTATS_SIZE_VER1	112
#define VMSCOPE_PTSTATS_VALID_FLAGS	0

/* vmscope_layout_vma.segment: what a VMA is in the textbook's picture */
#define VMSCOPE_SEG_OTHER		0	/* none of the below */
#define VMSCOPE_SEG_TEXT		1	/* the program's code */
#define VMSCOPE_SEG_RODATA		2	/* its read-only data */
#define VMSCOPE_SEG_DATA		3	/* its initialised data */
#define VMSCOPE_SEG_BSS			4	/* its zero-initialised data */
#define VMSCOPE_SEG_HEAP		5	/* brk() memory: [heap] */
#define VMSCOPE_SEG_MMAP_FILE		6	/* libraries, mapped files */
#define VMSCOPE_SEG_MMAP_ANON		7	/* anonymous mmap() (large mallocs) */
#define VMSCOPE_SEG_SHMEM		8	/* shared memory: shmem, SysV, memfd */
#define VMSCOPE_SEG_STACK		9	/* the main thread's stack */
#define VMSCOPE_SEG_THREAD_STACK	10	/* another thread's stack */
#define VMSCOPE_SEG_VDSO		11	/* [vdso] */
#define VMSCOPE_SEG_VVAR		12	/* [vvar] and its kin */
#define VMSCOPE_SEG_GUARD		13	/* PROT_NONE: guard pages, reservations */
#define VMSCOPE_SEG_MAX			VMSCOPE_SEG_GUARD

/* The names of the segments, indexed by VMSCOPE_SEG_*: an initializer. */
#define VMSCOPE_SEG_NAMES {						\
	"other", "text", "rodata", "data", "bss", "heap", "mmap-file",	\
	"mmap-anon", "shmem", "stack", "thread-stack", "vdso", "vvar",	\
	"guard",							\
}

/**
 * struct vmscope_layout_vma - one VMA of a process, classified and measured
 * @vma: where it is and what backs it, as /proc/PID/maps shows it.
 * @segment: VMSCOPE_SEG_*.
 * @__pad: zero.
 * @rss_anon: bytes of anonymous pages mapped (smaps' Anonymous).
 * @rss_file: bytes of page-cache pages mapped (not shmem).
 * @rss_shmem: bytes of shmem pages mapped.
 * @swap: bytes swapped out (swap entries in the page tables).
 * @huge: bytes mapped by PMD or PUD leaves (THP, hugetlb).
 * @__test_grown: only in a module built with VMSCOPE_TEST_GROWN_RECORDS.
 *
 * rss_anon + rss_file + rss_shmem is smaps' Rss: the zero page and PFN
 * maps are not counted, as smaps does not.
 */
struct vmscope_layout_vma {
	struct vmscope_vma vma;
	__u32 segment;
	__u32 __pad;
	__u64 rss_anon;
	__u64 rss_file;
	__u64 rss_shmem;
	__u64 swap;
	__u64 huge;
#if defined(__KERNEL__) && defined(VMSCOPE_TEST_GROWN_RECORDS)
	__u64 __test_grown;	/* a later version's field: test builds only */
#endif
};

#define VMSCOPE_LAYOUT_VMA_SIZE_VER1	344

/* vmscope_layout.out_flags */
#define VMSCOPE_LAYOUT_DONE	(1U << 0)	/* no VMA at or above next */

/**
 * struct vmscope_layout - the VMAs of a process and the facts of its mm
 * @size: in: sizeof(struct vmscope_layout).
 * @flags: in: zero.
 * @pid: in: the process.
 * @rec_size: in: sizeof(struct vmscope_layout_vma) as the caller knows it.
 * @start: in: describe the VMAs that end above this address (0 for all).
 * @buf: in: user address of an array of @buf_count records.
 * @buf_count: in: its capacity (at least 1).
 * @next: out: where to start the next call (the end of the last VMA
 *	described).
 * @count: out: records written.
 * @out_flags: out: VMSCOPE_LAYOUT_DONE when there are no more VMAs.
 * @__reserved: in: zero.
 * @start_code: out: the program's code (mm->start_code).
 * @end_code: out: end of its code.
 * @start_data: out: its initialised data.
 * @end_data: out: end of its data.
 * @start_brk: out: where the heap starts.
 * @brk: out: the current program break (end of the heap).
 * @start_stack: out: where the main thread's stack started (mm->start_stack).
 * @arg_start: out: the command line.
 * @env_end: out: end of the environment (top of what execve() put on the
 *	stack).
 * @mmap_base: out: where the mmap area starts (it grows down from here).
 * @task_size: out: end of this process's user space.
 * @total_vm: out: bytes of all its VMAs (VIRT in top).
 * @rss_anon: out: the kernel's count of its anonymous pages, in bytes
 *	(RssAnon in /proc/PID/status).
 * @rss_file: out: RssFile, in bytes.
 * @rss_shmem: out: RssShmem, in bytes.
 * @swap: out: VmSwap, in bytes.
 * @map_count: out: how many VMAs it has.
 * @nr_threads: out: how many threads.
 */
struct vmscope_layout {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u32 pid;			/* in */
	__u32 rec_size;			/* in */
	__u64 start;			/* in */
	__u64 buf;			/* in */
	__u64 buf_count;		/* in */
	__u64 next;			/* out */
	__u64 count;			/* out */
	__u32 out_flags;		/* out */
	__u32 __reserved;		/* in: zero */
	__u64 start_code;		/* out */
	__u64 end_code;			/* out */
	__u64 start_data;		/* out */
	__u64 end_data;			/* out */
	__u64 start_brk;		/* out */
	__u64 brk;			/* out */
	__u64 start_stack;		/* out */
	__u64 arg_start;		/* out */
	__u64 env_end;			/* out */
	__u64 mmap_base;		/* out */
	__u64 task_size;		/* out */
	__u64 total_vm;			/* out */
	__u64 rss_anon;			/* out */
	__u64 rss_file;			/* out */
	__u64 rss_shmem;		/* out */
	__u64 swap;			/* out */
	__u32 map_count;		/* out */
	__u32 nr_threads;		/* out */
};

#define VMSCOPE_LAYOUT_SIZE_VER1	200
#define VMSCOPE_LAYOUT_VALID_FLAGS	0

/**
 * struct vmscope_fault_thread - one thread's page faults
 * @tid: the thread, in the caller's PID namespace.
 * @__pad: zero.
 * @min_flt: minor faults: resolved without I/O.
 * @maj_flt: major faults: needed I/O (reading a file page, swapping in).
 */
struct vmscope_fault_thread {
	__u32 tid;
	__u32 __pad;
	__u64 min_flt;
	__u64 maj_flt;
};

/**
 * struct vmscope_faults - page faults of a process and of the system
 * @size: in: sizeof(struct vmscope_faults).
 * @flags: in: zero.
 * @pid: in: the process (any of its live threads; a process whose main
 *	thread has exited is reached through another thread's id).
 * @nr_threads: out: its threads; the first @buf_count are in @buf.
 * @min_flt: out: minor faults of the whole thread group, live threads and
 *	exited ones, as field 10 of /proc/PID/stat.
 * @maj_flt: out: major faults, as field 12.
 * @cmin_flt: out: minor faults of its waited-for children (field 11).
 * @cmaj_flt: out: major faults of its waited-for children (field 13).
 * @sys_pgfault: out: page faults of the whole system (pgfault in
 *	/proc/vmstat).
 * @sys_pgmajfault: out: major page faults of the whole system.
 * @buf: in: user address of an array of struct vmscope_fault_thread, or 0.
 * @buf_count: in: its capacity, at most 65536.
 * @__reserved: in: zero.
 */
struct vmscope_faults {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u32 pid;			/* in */
	__u32 nr_threads;		/* out */
	__u64 min_flt;			/* out */
	__u64 maj_flt;			/* out */
	__u64 cmin_flt;			/* out */
	__u64 cmaj_flt;			/* out */
	__u64 sys_pgfault;		/* out */
	__u64 sys_pgmajfault;		/* out */
	__u64 buf;			/* in */
	__u32 buf_count;		/* in */
	__u32 __reserved;		/* in: zero */
};

#define VMSCOPE_FAULTS_SIZE_VER1	80
#define VMSCOPE_FAULTS_VALID_FLAGS	0
#define VMSCOPE_FAULTS_MAX_THREADS	65536

/* vmscope_oom_task.flags */
#define VMSCOPE_OOM_KTHREAD	(1U << 0)	/* a kernel thread */
/* never chosen: init, adj -1000, being reaped, in vfork() */
#define VMSCOPE_OOM_UNKILLABLE	(1U << 1)
#define VMSCOPE_OOM_NO_MM	(1U << 2)	/* no address space (exited) */

/**
 * struct vmscope_oom_task - what the OOM killer thinks of one process
 * @pid: the process, in the caller's PID namespace.
 * @flags: VMSCOPE_OOM_*.
 * @oom_score_adj: its oom_score_adj (-1000 to 1000).
 * @oom_score: its /proc/PID/oom_score: (1000 + points * 1000 /
 *	totalpages) * 2 / 3, or 0 when it cannot be chosen.
 * @points: the badness oom_badness() computes: rss + swap + pgtables,
 *	plus oom_score_adj * totalpages / 1000; 0 when it cannot be chosen.
 * @rss: resident pages.
 * @swap: swap entries.
 * @pgtables: pages of page tables.
 * @comm: its name, NUL terminated.
 */
struct vmscope_oom_task {
	__u32 pid;
	__u32 flags;
	__s32 oom_score_adj;
	__u32 oom_score;
	__s64 points;
	__u64 rss;
	__u64 swap;
	__u64 pgtables;
	char comm[16];
};

/**
 * struct vmscope_oom - the OOM killer's view of every process
 * @size: in: sizeof(struct vmscope_oom).
 * @flags: in: zero.
 * @swap_total: in: pages of swap (SwapTotal of /proc/meminfo, in pages):
 *	total_swap_pages is not exported to modules, so the caller says it;
 *	at most 2^52 (EINVAL beyond).
 * @totalpages: out: the RAM pages plus @swap_total, what scores are
 *	relative to.
 * @buf: in: user address of an array of struct vmscope_oom_task.
 * @buf_count: in: its capacity, 1 to 65536.
 * @nr_tasks: out: processes seen; the first @buf_count are in @buf.
 */
struct vmscope_oom {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u64 swap_total;		/* in */
	__u64 totalpages;		/* out */
	__u64 buf;			/* in */
	__u32 buf_count;		/* in */
	__u32 nr_tasks;			/* out */
};

#define VMSCOPE_OOM_SIZE_VER1	40
#define VMSCOPE_OOM_VALID_FLAGS		0
#define VMSCOPE_OOM_MAX_TASKS	65536

/*
 * Indices of the counters VMSCOPE_IOC_RECLAIM reports: vm events and node
 * and zone statistics, each named as the line of /proc/vmstat it equals.
 * New counters are added at the end; a kernel without one reports
 * VMSCOPE_STAT_NONE for it.
 */
enum vmscope_stat {
	VMSCOPE_STAT_PGFAULT,			/* "pgfault" */
	VMSCOPE_STAT_PGMAJFAULT,
	VMSCOPE_STAT_PGSCAN_KSWAPD,
	VMSCOPE_STAT_PGSCAN_DIRECT,
	VMSCOPE_STAT_PGSCAN_KHUGEPAGED,		/* since Linux 6.2 */
	VMSCOPE_STAT_PGSTEAL_KSWAPD,
	VMSCOPE_STAT_PGSTEAL_DIRECT,
	VMSCOPE_STAT_PGSTEAL_KHUGEPAGED,	/* since Linux 6.2 */
	VMSCOPE_STAT_PGSCAN_ANON,
	VMSCOPE_STAT_PGSCAN_FILE,
	VMSCOPE_STAT_PGSTEAL_ANON,
	VMSCOPE_STAT_PGSTEAL_FILE,
	VMSCOPE_STAT_ALLOCSTALL_DMA,
	VMSCOPE_STAT_ALLOCSTALL_DMA32,
	VMSCOPE_STAT_ALLOCSTALL_NORMAL,
	VMSCOPE_STAT_ALLOCSTALL_MOVABLE,
	VMSCOPE_STAT_PGREFILL,
	VMSCOPE_STAT_PGACTIVATE,
	VMSCOPE_STAT_PGDEACTIVATE,
	VMSCOPE_STAT_PSWPIN,
	VMSCOPE_STAT_PSWPOUT,
	VMSCOPE_STAT_PGPGIN,			/* kB, as /proc/vmstat */
	VMSCOPE_STAT_PGPGOUT,
	VMSCOPE_STAT_PGFREE,
	VMSCOPE_STAT_PAGEOUTRUN,
	VMSCOPE_STAT_KSWAPD_LOW_WMARK_HIT_QUICKLY,
	VMSCOPE_STAT_KSWAPD_HIGH_WMARK_HIT_QUICKLY,
	VMSCOPE_STAT_DROP_PAGECACHE,
	VMSCOPE_STAT_DROP_SLAB,
	VMSCOPE_STAT_OOM_KILL,
	VMSCOPE_STAT_COMPACT_STALL,
	VMSCOPE_STAT_COMPACT_FAIL,
	VMSCOPE_STAT_COMPACT_SUCCESS,
	VMSCOPE_STAT_COMPACT_MIGRATE_SCANNED,
	VMSCOPE_STAT_COMPACT_FREE_SCANNED,
	VMSCOPE_STAT_COMPACT_DAEMON_WAKE,
	VMSCOPE_STAT_THP_FAULT_ALLOC,
	VMSCOPE_STAT_THP_FAULT_FALLBACK,
	/* node statistics: pages (or events, for workingset_*) */
	VMSCOPE_STAT_WORKINGSET_REFAULT_ANON,
	VMSCOPE_STAT_WORKINGSET_REFAULT_FILE,
	VMSCOPE_STAT_WORKINGSET_ACTIVATE_ANON,
	VMSCOPE_STAT_WORKINGSET_ACTIVATE_FILE,
	VMSCOPE_STAT_WORKINGSET_RESTORE_ANON,
	VMSCOPE_STAT_WORKINGSET_RESTORE_FILE,
	VMSCOPE_STAT_NR_INACTIVE_ANON,
	VMSCOPE_STAT_NR_ACTIVE_ANON,
	VMSCOPE_STAT_NR_INACTIVE_FILE,
	VMSCOPE_STAT_NR_ACTIVE_FILE,
	VMSCOPE_STAT_NR_UNEVICTABLE,
	VMSCOPE_STAT_NR_ISOLATED_ANON,
	VMSCOPE_STAT_NR_ISOLATED_FILE,
	VMSCOPE_STAT_NR_ANON_PAGES,
	VMSCOPE_STAT_NR_FILE_PAGES,
	VMSCOPE_STAT_NR_SHMEM,
	VMSCOPE_STAT_NR_DIRTY,
	VMSCOPE_STAT_NR_WRITEBACK,
	/* zone statistics summed over the zones */
	VMSCOPE_STAT_NR_FREE_PAGES,
	VMSCOPE_STAT_NR				/* the number of counters */
};

/* the /proc/vmstat name of each counter, indexed by enum vmscope_stat */
#define VMSCOPE_STAT_NAMES {						\
	"pgfault", "pgmajfault", "pgscan_kswapd", "pgscan_direct",	\
	"pgscan_khugepaged", "pgsteal_kswapd", "pgsteal_direct",	\
	"pgsteal_khugepaged", "pgscan_anon", "pgscan_file",		\
	"pgsteal_anon", "pgsteal_file", "allocstall_dma",		\
	"allocstall_dma32", "allocstall_normal", "allocstall_movable",	\
	"pgrefill", "pgactivate", "pgdeactivate", "pswpin", "pswpout",	\
	"pgpgin", "pgpgout", "pgfree", "pageoutrun",			\
	"kswapd_low_wmark_hit_quickly", "kswapd_high_wmark_hit_quickly", \
	"drop_pagecache", "drop_slab", "oom_kill", "compact_stall",	\
	"compact_fail", "compact_success", "compact_migrate_scanned",	\
	"compact_free_scanned", "compact_daemon_wake",			\
	"thp_fault_alloc", "thp_fault_fallback",			\
	"workingset_refault_anon", "workingset_refault_file",		\
	"workingset_activate_anon", "workingset_activate_file",		\
	"workingset_restore_anon", "workingset_restore_file",		\
	"nr_inactive_anon", "nr_active_anon", "nr_inactive_file",	\
	"nr_active_file", "nr_unevictable", "nr_isolated_anon",		\
	"nr_isolated_file", "nr_anon_pages", "nr_file_pages",		\
	"nr_shmem", "nr_dirty", "nr_writeback", "nr_free_pages",	\
}

/* a counter this kernel does not have */
#define VMSCOPE_STAT_NONE	(~0ULL)

/* vmscope_zone.flags */
#define VMSCOPE_ZONE_POPULATED	(1U << 0)	/* has present pages */

#define VMSCOPE_ZONE_ORDERS	16	/* room for free-list orders */

/**
 * struct vmscope_zone - one memory zone, as /proc/zoneinfo and
 * /proc/buddyinfo show it
 * @node: its NUMA node.
 * @flags: VMSCOPE_ZONE_*.
 * @name: "DMA", "DMA32", "Normal", "Movable", ... NUL terminated.
 * @free: free pages (pages free).
 * @min: min watermark, boost included, as zoneinfo shows it: below it
 *	only atomic and reclaim allocations succeed.
 * @low: low watermark: kswapd is woken below it.
 * @high: high watermark: kswapd sleeps again above it.
 * @boost: the watermark boost (fragmentation avoidance).
 * @managed: pages the buddy allocator manages.
 * @present: physical pages present.
 * @spanned: pages the zone spans, holes included.
 * @nr_orders: free-list orders that exist (MAX_ORDER / NR_PAGE_ORDERS).
 * @__pad: zero.
 * @nr_free: free blocks of each order (2^order pages each), as a line
 *	of /proc/buddyinfo.
 */
struct vmscope_zone {
	__u32 node;
	__u32 flags;
	char name[16];
	__u64 free;
	__u64 min;
	__u64 low;
	__u64 high;
	__u64 boost;
	__u64 managed;
	__u64 present;
	__u64 spanned;
	__u32 nr_orders;
	__u32 __pad;
	__u64 nr_free[VMSCOPE_ZONE_ORDERS];
};

/**
 * struct vmscope_node - the LRU lists of one NUMA node
 * @node: the node.
 * @__pad: zero.
 * @inactive_anon: pages on each list, as nr_inactive_anon etc. in
 *	/sys/devices/system/node/nodeN/vmstat.
 * @active_anon: see @inactive_anon.
 * @inactive_file: see @inactive_anon.
 * @active_file: see @inactive_anon.
 * @unevictable: see @inactive_anon.
 * @isolated_anon: pages taken off the lists by reclaim or migration.
 * @isolated_file: see @isolated_anon.
 */
struct vmscope_node {
	__u32 node;
	__u32 __pad;
	__u64 inactive_anon;
	__u64 active_anon;
	__u64 inactive_file;
	__u64 active_file;
	__u64 unevictable;
	__u64 isolated_anon;
	__u64 isolated_file;
};

/* a memory cgroup limit that is not set ("max") */
#define VMSCOPE_MEMCG_MAX	(~0ULL)

/**
 * struct vmscope_memcg - the memory cgroup of a process (cgroup v2 files)
 * @current_bytes: memory.current.
 * @min_bytes: memory.min.
 * @low_bytes: memory.low.
 * @high_bytes: memory.high, or VMSCOPE_MEMCG_MAX.
 * @max_bytes: memory.max, or VMSCOPE_MEMCG_MAX.
 * @swap_current_bytes: memory.swap.current.
 * @swap_max_bytes: memory.swap.max, or VMSCOPE_MEMCG_MAX.
 * @ev_low: memory.events "low": times usage was below memory.low but
 *	reclaimed anyway.
 * @ev_high: "high": times memory.high was exceeded (and throttled).
 * @ev_max: "max": times memory.max was about to be exceeded.
 * @ev_oom: "oom": times an allocation failed at memory.max.
 * @ev_oom_kill: "oom_kill": processes the OOM killer killed in it.
 * @path: the cgroup's path, as /proc/PID/cgroup shows it to the caller,
 *	NUL terminated (truncated if longer).
 */
struct vmscope_memcg {
	__u64 current_bytes;
	__u64 min_bytes;
	__u64 low_bytes;
	__u64 high_bytes;
	__u64 max_bytes;
	__u64 swap_current_bytes;
	__u64 swap_max_bytes;
	__u64 ev_low;
	__u64 ev_high;
	__u64 ev_max;
	__u64 ev_oom;
	__u64 ev_oom_kill;
	char path[256];
};

/* vmscope_reclaim.out_flags */
#define VMSCOPE_RECLAIM_MEMCG	(1U << 0)	/* @memcg is filled in */

/**
 * struct vmscope_reclaim - memory reclaim: counters, zones, LRU lists
 * @size: in: sizeof(struct vmscope_reclaim).
 * @flags: in: zero.
 * @pid: in: a process whose memory cgroup to describe in @memcg, or 0.
 * @out_flags: out: VMSCOPE_RECLAIM_*.
 * @stats: in: user address of an array of __u64, indexed by enum
 *	vmscope_stat, or 0.
 * @stats_count: in: its capacity, at most 4096; out: VMSCOPE_STAT_NR of
 *	the module (counters beyond the capacity are not written).
 * @nr_zones: out: zones of the online nodes; the first @zones_count are
 *	in @zones.
 * @zones: in: user address of an array of struct vmscope_zone, or 0.
 * @zones_count: in: its capacity, at most 4096.
 * @nr_nodes: out: online nodes; the first @nodes_count are in @nodes.
 * @nodes: in: user address of an array of struct vmscope_node, or 0.
 * @nodes_count: in: its capacity, at most 4096.
 * @__reserved: in: zero.
 * @swap_free: out: free swap pages (SwapFree of /proc/meminfo, unless a
 *	swapoff is in progress).
 * @memcg: out: the memory cgroup of @pid (cgroup v2), if
 *	VMSCOPE_RECLAIM_MEMCG is set.
 */
struct vmscope_reclaim {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u32 pid;			/* in */
	__u32 out_flags;		/* out */
	__u64 stats;			/* in */
	__u32 stats_count;		/* in/out */
	__u32 nr_zones;			/* out */
	__u64 zones;			/* in */
	__u32 zones_count;		/* in */
	__u32 nr_nodes;			/* out */
	__u64 nodes;			/* in */
	__u32 nodes_count;		/* in */
	__u32 __reserved;		/* in: zero */
	__u64 swap_free;		/* out */
	struct vmscope_memcg memcg;	/* out */
};

#define VMSCOPE_RECLAIM_SIZE_VER1	424
#define VMSCOPE_RECLAIM_VALID_FLAGS	0
#define VMSCOPE_RECLAIM_MAX_RECORDS	4096

/* vmscope_fault_record.flags */
#define VMSCOPE_FREC_WRITE	(1U << 0)	/* a write access */
#define VMSCOPE_FREC_USER	(1U << 1)	/* from user mode */
#define VMSCOPE_FREC_PRIVATE	(1U << 2)	/* MAP_PRIVATE: the kernel copies the page (COW) */
#define VMSCOPE_FREC_ALLOCATED	(1U << 3)	/* the handler allocated and filled a new page */
#define VMSCOPE_FREC_INSTRUCTION (1U << 4)	/* an instruction fetch */
/* served from the file's frames (VMSCOPE_IOC_FRAMES_SET) */
#define VMSCOPE_FREC_FRAMES	(1U << 5)
/* not a fault: the page at @pgoff was evicted from its frame */
#define VMSCOPE_FREC_EVICTION	(1U << 6)
/* with EVICTION: its Dirty bit was set (a write-back) */
#define VMSCOPE_FREC_DIRTY	(1U << 7)

/**
 * struct vmscope_fault_record - one call of the fault handler of a mapping
 *	of /dev/vmscope
 * @seq: its number, from 1, in the order the handler ran.
 * @address: the faulting user address, rounded down to its page.
 * @pgoff: the page of the mapping (offset / page size).
 * @pfn: the page the handler returned; 0 unless the file was opened with
 *	CAP_SYS_ADMIN.
 * @tid: the faulting thread, as it sees its own id (in its PID namespace).
 * @flags: VMSCOPE_FREC_*.
 */
struct vmscope_fault_record {
	__u64 seq;
	__u64 address;
	__u64 pgoff;
	__u64 pfn;
	__u32 tid;
	__u32 flags;
};

/* vmscope_faultlog.flags */
#define VMSCOPE_FAULTLOG_CLEAR	(1U << 0)	/* in: forget the records read */

/* pages one open file may map; records it keeps */
#define VMSCOPE_MMAP_MAX_PAGES	1024
#define VMSCOPE_FAULTLOG_MAX	4096

/**
 * struct vmscope_faultlog - the records of the fault handler behind
 *	mmap() of this open file of /dev/vmscope
 * @size: in: sizeof(struct vmscope_faultlog).
 * @flags: in: VMSCOPE_FAULTLOG_*.
 * @buf: in: user address of an array of struct vmscope_fault_record.
 * @buf_count: in: its capacity, at most VMSCOPE_FAULTLOG_MAX.
 * @nr_records: out: records kept (the first @buf_count are in @buf).
 * @total: out: faults handled since the first mmap() of the file.
 * @dropped: out: faults not recorded because the log was full.
 * @pages: out: pages the handler holds now: a page is allocated at the
 *	first fault on its offset and freed when no mapping of the file is
 *	left (the last munmap() or exit).
 *
 * Memory: the pages, the records (VMSCOPE_FAULTLOG_MAX of them, 160 KiB,
 * allocated at the first mmap()) and the module's index of the pages are
 * charged to the memory cgroup of the process that opened the file, and
 * all open files together hold at most the module parameter
 * faultlog_max_mb (default 64 MiB): beyond it mmap() fails with ENOMEM
 * and a fault needing a new page gets SIGBUS.
 */
struct vmscope_faultlog {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u64 buf;			/* in */
	__u32 buf_count;		/* in */
	__u32 nr_records;		/* out */
	__u64 total;			/* out */
	__u64 dropped;			/* out */
	__u64 pages;			/* out */
};

#define VMSCOPE_FAULTLOG_SIZE_VER1	48
#define VMSCOPE_FAULTLOG_VALID_FLAGS	VMSCOPE_FAULTLOG_CLEAR

/* Page replacement on the module's own frames (VMSCOPE_IOC_FRAMES_*) */
#define VMSCOPE_FRAMES_FIFO	0	/* evict the page loaded first */
#define VMSCOPE_FRAMES_CLOCK	1	/* second chance on the Accessed bits */
#define VMSCOPE_FRAMES_LRU	2	/* LRU approximated by aging the Accessed bits */
#define VMSCOPE_FRAMES_RANDOM	3	/* a frame chosen at random */
#define VMSCOPE_FRAMES_NR_POLICIES 4

#define VMSCOPE_FRAMES_MAX	256	/* frames one open file may have */

/**
 * struct vmscope_frames_set - give the mappings of this open file of
 *	/dev/vmscope K frames and a replacement policy
 * @size: in: sizeof(struct vmscope_frames_set).
 * @flags: in: 0.
 * @frames: in: K, 1 to VMSCOPE_FRAMES_MAX: at most K pages of a mapping
 *	of the file are mapped at once; a fault with K mapped evicts one.
 * @policy: in: VMSCOPE_FRAMES_*.
 *
 * Only before the file's first mmap(); its mappings must then be
 * MAP_SHARED, one at a time, and are not inherited by fork().
 */
struct vmscope_frames_set {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u32 frames;			/* in */
	__u32 policy;			/* in */
};

#define VMSCOPE_FRAMES_SET_SIZE_VER1	16
#define VMSCOPE_FRAMES_SET_VALID_FLAGS	0

/**
 * struct vmscope_frames_stat - what the frames of this open file did
 * @size: in: sizeof(struct vmscope_frames_stat).
 * @flags: in: 0.
 * @frames: out: K (0: the file has no frames).
 * @policy: out: VMSCOPE_FRAMES_*.
 * @faults: out: page faults that brought a page into a frame.
 * @evictions: out: pages evicted from their frame (unmapped, contents kept).
 * @writebacks: out: evicted pages whose Dirty bit was set.
 * @resident: out: pages mapped now (frames in use).
 * @kept: out: pages whose contents the module keeps (resident or evicted).
 * @accessed_cleared: out: Accessed bits the policy found set and cleared
 *	(clock, lru).
 * @tlb_flushes: out: TLB flushes after clearing them (this CPU's TLB).
 */
struct vmscope_frames_stat {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u32 frames;			/* out */
	__u32 policy;			/* out */
	__u64 faults;			/* out */
	__u64 evictions;		/* out */
	__u64 writebacks;		/* out */
	__u64 resident;			/* out */
	__u64 kept;			/* out */
	__u64 accessed_cleared;		/* out */
	__u64 tlb_flushes;		/* out */
};

#define VMSCOPE_FRAMES_STAT_SIZE_VER1	72
#define VMSCOPE_FRAMES_STAT_VALID_FLAGS	0
/* ---- the page cache and where RAM goes (issue 15) ---- */

/* vmscope_filecache.out_flags */
#define VMSCOPE_FILECACHE_DONE		(1U << 0)	/* @next reached @end */
#define VMSCOPE_FILECACHE_BLOCKDEV	(1U << 1)	/* a block device's cache (Buffers) */

/* pages one VMSCOPE_IOC_FILECACHE call looks at, at most */
#define VMSCOPE_FILECACHE_MAX_PAGES	(1U << 20)

/**
 * struct vmscope_filecache - the page cache of one open file
 * @size: in: sizeof(struct vmscope_filecache).
 * @flags: in: zero.
 * @fd: in: a file descriptor of the caller's, open on a regular file or a
 *	block device (any access mode: who may open the file may see its
 *	page cache, as with fincore(1) and cachestat(2)).
 * @__reserved: in: zero.
 * @start: in: first page (file offset / page size) to look at.
 * @end: in: page to stop before; 0 or anything beyond the file's last
 *	page means its end (the size when the call started).
 * @map: in: user address of a bitmap, bit i (of byte i / 8, least
 *	significant bit first) set when page @start + i is cached, or 0.
 * @map_bytes: in: its size; the call stops where the map is full.
 * @out_flags: out: VMSCOPE_FILECACHE_*.
 * @size_pages: out: the file's size in pages (rounded up).
 * @cached_pages: out: pages in the page cache in [@start, @next); a large
 *	folio counts as the pages of it inside the range.
 * @dirty_pages: out: of those, the pages of dirty folios.
 * @writeback_pages: out: of those, the pages of folios under writeback.
 * @next: out: where the count stopped; call again from there unless
 *	VMSCOPE_FILECACHE_DONE is set (one call looks at no more than
 *	VMSCOPE_FILECACHE_MAX_PAGES pages).
 */
struct vmscope_filecache {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u32 fd;			/* in */
	__u32 __reserved;		/* in: zero */
	__u64 start;			/* in */
	__u64 end;			/* in */
	__u64 map;			/* in */
	__u32 map_bytes;		/* in */
	__u32 out_flags;		/* out */
	__u64 size_pages;		/* out */
	__u64 cached_pages;		/* out */
	__u64 dirty_pages;		/* out */
	__u64 writeback_pages;		/* out */
	__u64 next;			/* out */
};

#define VMSCOPE_FILECACHE_SIZE_VER1	88
#define VMSCOPE_FILECACHE_VALID_FLAGS	0

/* vmscope_census_file.flags */
#define VMSCOPE_CENSUS_BLOCKDEV	(1U << 0)	/* a block device: its cache is Buffers */
#define VMSCOPE_CENSUS_NOPATH	(1U << 1)	/* no dentry: @path is empty */
#define VMSCOPE_CENSUS_UNLINKED	(1U << 2)	/* deleted, still open or mapped */

#define VMSCOPE_CENSUS_PATH_LEN	256

/**
 * struct vmscope_census_file - one inode with page cache
 * @dev: the file system's device (st_dev, as the kernel encodes it:
 *	major << 20 | minor), or for a block device its own device number.
 * @ino: the inode number.
 * @size_pages: the file's size in pages.
 * @cached_pages: its pages in the page cache.
 * @dirty_pages: of those, dirty.
 * @writeback_pages: of those, under writeback.
 * @flags: VMSCOPE_CENSUS_*.
 * @__pad: zero.
 * @path: a path of the file inside its file system (from its root, not
 *	the caller's), truncated to fit, NUL terminated; empty if none.
 */
struct vmscope_census_file {
	__u64 dev;
	__u64 ino;
	__u64 size_pages;
	__u64 cached_pages;
	__u64 dirty_pages;
	__u64 writeback_pages;
	__u32 flags;
	__u32 __pad;
	char path[VMSCOPE_CENSUS_PATH_LEN];
};

/* vmscope_census.flags */
#define VMSCOPE_CENSUS_BY_FD	(1U << 0)	/* walk @fd's file system */
#define VMSCOPE_CENSUS_VALID_FLAGS	VMSCOPE_CENSUS_BY_FD

/* vmscope_census.out_flags */
#define VMSCOPE_CENSUS_SB_DONE	(1U << 0)	/* the superblock's inodes are all seen */
#define VMSCOPE_CENSUS_NO_SB	(1U << 1)	/* no superblock @sb_index: the type is done */

#define VMSCOPE_CENSUS_FSTYPE_LEN	32
/* the block devices' superblock: mounted, but in no list of types */
#define VMSCOPE_CENSUS_BDEV		"bdev"
#define VMSCOPE_CENSUS_MAX_RECORDS	4096
#define VMSCOPE_CENSUS_MAX_VISIT	65536

/**
 * struct vmscope_census - inodes with page cache on one superblock
 *	(CAP_SYS_ADMIN only)
 * @size: in: sizeof(struct vmscope_census).
 * @flags: in: VMSCOPE_CENSUS_BY_FD or zero.
 * @fstype: in: the file system type, as /proc/filesystems names it
 *	("ext2", "tmpfs"), or VMSCOPE_CENSUS_BDEV ("bdev") for the block
 *	devices, which /proc/filesystems does not list; NUL terminated;
 *	empty with VMSCOPE_CENSUS_BY_FD.
 * @sb_index: in: which superblock of that type (0, 1, ... in the
 *	kernel's list order); 0 with VMSCOPE_CENSUS_BY_FD.
 * @nr_records: out: records written to @buf.
 * @pos: in: inodes of the superblock's list already visited (0 to
 *	start); out: where to resume.
 * @buf: in: user address of an array of struct vmscope_census_file.
 * @buf_count: in: its capacity, 1 to VMSCOPE_CENSUS_MAX_RECORDS.
 * @out_flags: out: VMSCOPE_CENSUS_*.
 * @dev: out: the superblock's device (st_dev).
 * @visited: out: inodes this call visited (at most
 *	VMSCOPE_CENSUS_MAX_VISIT: one call holds the superblock a bounded
 *	time, so an unmount waits at most that long).
 * @fd: in: with VMSCOPE_CENSUS_BY_FD, a file descriptor open on any file
 *	of the file system to walk (for a type /proc/filesystems does not
 *	list, such as the initramfs's rootfs).
 * @__reserved: in: zero.
 */
struct vmscope_census {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	char fstype[VMSCOPE_CENSUS_FSTYPE_LEN];	/* in */
	__u32 sb_index;			/* in */
	__u32 nr_records;		/* out */
	__u64 pos;			/* in/out */
	__u64 buf;			/* in */
	__u32 buf_count;		/* in */
	__u32 out_flags;		/* out */
	__u64 dev;			/* out */
	__u64 visited;			/* out */
	__u32 fd;			/* in */
	__u32 __reserved;		/* in: zero */
};

#define VMSCOPE_CENSUS_SIZE_VER1	96

/*
 * The parts of RAM VMSCOPE_IOC_MEMORY reports, in pages, each named after
 * the /proc/meminfo field it equals (without " kB", in pages rather than
 * kB; the last two are cumulative counts of pages dirtied and written,
 * named after their /proc/vmstat lines).  The parts up to
 * VMSCOPE_MEM_NR_PARTS, with VMSCOPE_MEM_UNACCOUNTED, add up to MemTotal
 * and do not overlap, but for one pair no counter separates: an
 * anonymous page swapped back in and mapped stays in the swap cache until
 * its swap slot is freed, counted in AnonPages and in SwapCached (so
 * Unaccounted is short by as many).  The rest are details of them.  A
 * counter this kernel does not have is VMSCOPE_STAT_NONE.
 */
enum vmscope_mem {
	VMSCOPE_MEM_MEMFREE,		/* "MemFree" */
	VMSCOPE_MEM_ANONPAGES,		/* "AnonPages": mapped anonymous */
	VMSCOPE_MEM_SHMEM,		/* "Shmem": tmpfs, shared anonymous */
	VMSCOPE_MEM_FILE,		/* Cached - Shmem: files' page cache */
	VMSCOPE_MEM_BUFFERS,		/* "Buffers": block devices' cache */
	VMSCOPE_MEM_SWAPCACHED,		/* "SwapCached" */
	VMSCOPE_MEM_SRECLAIMABLE,	/* "SReclaimable" */
	VMSCOPE_MEM_SUNRECLAIM,		/* "SUnreclaim" */
	VMSCOPE_MEM_KERNELSTACK,	/* "KernelStack" */
	VMSCOPE_MEM_PAGETABLES,		/* "PageTables" */
	VMSCOPE_MEM_SECPAGETABLES,	/* "SecPageTables" */
	VMSCOPE_MEM_ZSMALLOC,		/* zsmalloc (zram), not in meminfo */
	VMSCOPE_MEM_UNACCOUNTED,	/* MemTotal minus the parts above */
	VMSCOPE_MEM_NR_PARTS,
	/* details, not parts */
	VMSCOPE_MEM_MEMTOTAL = VMSCOPE_MEM_NR_PARTS,	/* "MemTotal" */
	VMSCOPE_MEM_CACHED,		/* "Cached" */
	VMSCOPE_MEM_ACTIVE_ANON,	/* "Active(anon)" */
	VMSCOPE_MEM_INACTIVE_ANON,	/* "Inactive(anon)" */
	VMSCOPE_MEM_ACTIVE_FILE,	/* "Active(file)" */
	VMSCOPE_MEM_INACTIVE_FILE,	/* "Inactive(file)" */
	VMSCOPE_MEM_UNEVICTABLE,	/* "Unevictable" */
	VMSCOPE_MEM_MLOCKED,		/* "Mlocked" */
	VMSCOPE_MEM_MAPPED,		/* "Mapped": file pages mapped */
	VMSCOPE_MEM_DIRTY,		/* "Dirty" */
	VMSCOPE_MEM_WRITEBACK,		/* "Writeback" */
	VMSCOPE_MEM_MEMAVAILABLE,	/* "MemAvailable": an estimate */
	VMSCOPE_MEM_NR_DIRTIED,		/* /proc/vmstat "nr_dirtied": events */
	VMSCOPE_MEM_NR_WRITTEN,		/* /proc/vmstat "nr_written": events */
	VMSCOPE_MEM_NR
};

#define VMSCOPE_MEM_NAMES {						\
	"MemFree", "AnonPages", "Shmem", "Cached-Shmem", "Buffers",	\
	"SwapCached", "SReclaimable", "SUnreclaim", "KernelStack",	\
	"PageTables", "SecPageTables", "Zsmalloc", "Unaccounted",	\
	"MemTotal", "Cached", "Active(anon)", "Inactive(anon)",		\
	"Active(file)", "Inactive(file)", "Unevictable", "Mlocked",	\
	"Mapped", "Dirty", "Writeback", "MemAvailable", "nr_dirtied",	\
	"nr_written",							\
}

/**
 * struct vmscope_memory - every page of RAM, from the kernel's counters
 * @size: in: sizeof(struct vmscope_memory).
 * @flags: in: zero.
 * @page_size: out: bytes in a page.
 * @nr: out: VMSCOPE_MEM_NR of the module (entries of @pages filled in).
 * @pages: out: pages of each enum vmscope_mem.
 */
struct vmscope_memory {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u32 page_size;		/* out */
	__u32 nr;			/* out */
	__u64 pages[32];		/* out */
};

#define VMSCOPE_MEMORY_SIZE_VER1	272
#define VMSCOPE_MEMORY_VALID_FLAGS	0

/*
 * Working sets (VMSCOPE_IOC_WSS_*): an Accessed-bit sampler.  One session
 * per open file of /dev/vmscope; closing the file ends it.
 */

/* vmscope_wss_start.flags */
#define VMSCOPE_WSS_MANUAL	(1U << 0)	/* no thread: VMSCOPE_WSS_OP_PASS runs each pass */
#define VMSCOPE_WSS_NO_FLUSH	(1U << 1)	/* no TLB flush after a pass (see abi.md) */
#define VMSCOPE_WSS_NO_AGING	(1U << 2)	/* references not handed to aging (abi.md) */
#define VMSCOPE_WSS_START_VALID_FLAGS	(VMSCOPE_WSS_MANUAL | VMSCOPE_WSS_NO_FLUSH | \
					 VMSCOPE_WSS_NO_AGING)

#define VMSCOPE_WSS_MIN_INTERVAL_MS	1
#define VMSCOPE_WSS_MAX_INTERVAL_MS	3600000
#define VMSCOPE_WSS_DEFAULT_RECORDS	65536
#define VMSCOPE_WSS_MAX_RECORDS		(1U << 20)	/* 48 MiB of records */

/**
 * struct vmscope_wss_start - start sampling a process's working set
 * @size: in: sizeof(struct vmscope_wss_start).
 * @flags: in: VMSCOPE_WSS_* (VMSCOPE_WSS_START_VALID_FLAGS).
 * @pid: in: the process.
 * @interval_ms: in: length of an interval, VMSCOPE_WSS_MIN_INTERVAL_MS to
 *	VMSCOPE_WSS_MAX_INTERVAL_MS; ignored (zero) with VMSCOPE_WSS_MANUAL.
 * @start: in: first address sampled, page aligned (0: from the bottom).
 * @end: in: end address, page aligned, above @start, at most the end of
 *	user space; 0 for the end of user space.
 * @count: in: intervals to record, 0 for "until stopped".
 * @max_records: in: records the session may keep unread (0 for
 *	VMSCOPE_WSS_DEFAULT_RECORDS, at most VMSCOPE_WSS_MAX_RECORDS); they
 *	are allocated now, charged to the caller's memory cgroup.
 *
 * The sampler makes a first pass that clears the Accessed bits, then one
 * pass at the end of each interval that records which pages were
 * referenced (and written) during it.  Each reference it clears is handed
 * to the kernel's page aging, so that reclaim still sees it; with
 * VMSCOPE_WSS_NO_AGING it is not (cheaper per page; reclaim then takes
 * the page for unreferenced since the pass, as after clear_refs).
 */
struct vmscope_wss_start {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u32 pid;			/* in */
	__u32 interval_ms;		/* in */
	__u64 start;			/* in */
	__u64 end;			/* in */
	__u32 count;			/* in */
	__u32 max_records;		/* in */
};

#define VMSCOPE_WSS_START_SIZE_VER1	40

/* vmscope_wss_rec.type */
#define VMSCOPE_WSS_REC_INTERVAL	1	/* an interval; its runs follow */
#define VMSCOPE_WSS_REC_RUN		2	/* referenced pages */

/* vmscope_wss_rec.flags of a run */
#define VMSCOPE_WSS_WRITTEN	(1U << 0)	/* written in the interval */
#define VMSCOPE_WSS_HUGE	(1U << 1)	/* mapped by a PMD or PUD leaf */

/**
 * struct vmscope_wss_rec - one record of a working-set session
 * @type: VMSCOPE_WSS_REC_*.
 * @flags: a run: VMSCOPE_WSS_WRITTEN, VMSCOPE_WSS_HUGE; an interval: 0.
 * @addr: a run: its first address; an interval: its number, from 0.
 * @pages: a run: its length in base pages; an interval: the base pages
 *	referenced in it (the sum of its runs).
 * @written: an interval: the base pages written in it; a run: 0.
 * @time_us: an interval: when its pass ended, in microseconds since the
 *	end of the session's first (clearing) pass; a run: 0.
 * @rss: an interval: the process's resident pages at its pass
 *	(RssAnon + RssFile + RssShmem); a run: 0.
 *
 * An interval record comes first, then its runs in ascending address
 * order; each run is pages that are all written or all only read.
 */
struct vmscope_wss_rec {
	__u32 type;
	__u32 flags;
	__u64 addr;
	__u64 pages;
	__u64 written;
	__u64 time_us;
	__u64 rss;
};

#define VMSCOPE_WSS_REC_SIZE_VER1	48

/* vmscope_wss_read.status: the state of the file's session */
#define VMSCOPE_WSS_NONE	0	/* no session was started */
#define VMSCOPE_WSS_RUNNING	1	/* sampling */
#define VMSCOPE_WSS_DONE	2	/* all @count intervals recorded */
#define VMSCOPE_WSS_STOPPED	3	/* stopped with VMSCOPE_WSS_OP_STOP */
#define VMSCOPE_WSS_EXITED	4	/* the process exited */
#define VMSCOPE_WSS_EXECED	5	/* it called execve(): not followed */
#define VMSCOPE_WSS_FULL	6	/* @max_records unread: the reader is late */
#define VMSCOPE_WSS_FAILED	7	/* an error: see @error */

/* vmscope_wss_read.flags */
#define VMSCOPE_WSS_READ_WAIT	(1U << 0)	/* block until a record or the end */
#define VMSCOPE_WSS_READ_VALID_FLAGS	VMSCOPE_WSS_READ_WAIT

/**
 * struct vmscope_wss_read - take the records of the file's session
 * @size: in: sizeof(struct vmscope_wss_read).
 * @flags: in: VMSCOPE_WSS_READ_*.
 * @buf: in: user address of an array of @buf_count records.
 * @buf_count: in: its capacity in records (0: only the status).
 * @rec_size: in: sizeof(struct vmscope_wss_rec) as the caller knows it (at
 *	least VMSCOPE_WSS_REC_SIZE_VER1, a multiple of 8).
 * @count: out: records written to @buf; they are consumed.
 * @seq: out: the number of the first of them (records are numbered from 0
 *	over the session, so a reader can tell that it missed none).
 * @status: out: VMSCOPE_WSS_*; records may remain after the session ended.
 * @error: out: the negative errno when @status is VMSCOPE_WSS_FAILED.
 * @pid: out: the process sampled.
 * @interval_ms: out: the session's interval.
 * @__reserved: in: zero.
 * @intervals: out: intervals recorded so far.
 * @pending: out: records still unread after this call.
 * @pass_ns_max: out: the longest pass, in nanoseconds.
 * @hold_ns_max: out: the longest hold of the process's mmap_lock.
 */
struct vmscope_wss_read {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u64 buf;			/* in */
	__u32 buf_count;		/* in */
	__u32 rec_size;			/* in */
	__u32 count;			/* out */
	__u32 status;			/* out */
	__u64 seq;			/* out */
	__s32 error;			/* out */
	__u32 pid;			/* out */
	__u32 interval_ms;		/* out */
	__u32 __reserved;		/* in: zero */
	__u64 intervals;		/* out */
	__u64 pending;			/* out */
	__u64 pass_ns_max;		/* out */
	__u64 hold_ns_max;		/* out */
};

#define VMSCOPE_WSS_READ_SIZE_VER1	88

/* vmscope_wss_ctl.op */
#define VMSCOPE_WSS_OP_STOP	1	/* end the session (status STOPPED) */
#define VMSCOPE_WSS_OP_PASS	2	/* VMSCOPE_WSS_MANUAL: one pass, now */

#define VMSCOPE_WSS_CTL_VALID_FLAGS	0

/**
 * struct vmscope_wss_ctl - control the file's session
 * @size: in: sizeof(struct vmscope_wss_ctl).
 * @flags: in: zero.
 * @op: in: VMSCOPE_WSS_OP_*.
 * @status: out: VMSCOPE_WSS_* after the operation.
 */
struct vmscope_wss_ctl {
	__u32 size;			/* in */
	__u32 flags;			/* in */
	__u32 op;			/* in */
	__u32 status;			/* out */
};

#define VMSCOPE_WSS_CTL_SIZE_VER1	16

#define VMSCOPE_IOC_INFO	_IOWR(VMSCOPE_IOC_MAGIC, 0x10, struct vmscope_info)
#define VMSCOPE_IOC_TRANSLATE	_IOWR(VMSCOPE_IOC_MAGIC, 0x11, struct vmscope_translate)
#define VMSCOPE_IOC_WALK	_IOWR(VMSCOPE_IOC_MAGIC, 0x12, struct vmscope_walk)
#define VMSCOPE_IOC_PTSTATS	_IOWR(VMSCOPE_IOC_MAGIC, 0x13, struct vmscope_ptstats)
#define VMSCOPE_IOC_LAYOUT	_IOWR(VMSCOPE_IOC_MAGIC, 0x14, struct vmscope_layout)
#define VMSCOPE_IOC_FAULTS	_IOWR(VMSCOPE_IOC_MAGIC, 0x15, struct vmscope_faults)
#define VMSCOPE_IOC_OOM		_IOWR(VMSCOPE_IOC_MAGIC, 0x16, struct vmscope_oom)
#define VMSCOPE_IOC_RECLAIM	_IOWR(VMSCOPE_IOC_MAGIC, 0x17, struct vmscope_reclaim)
#define VMSCOPE_IOC_FAULTLOG	_IOWR(VMSCOPE_IOC_MAGIC, 0x18, struct vmscope_faultlog)
#define VMSCOPE_IOC_WSS_START	_IOWR(VMSCOPE_IOC_MAGIC, 0x19, struct vmscope_wss_start)
#define VMSCOPE_IOC_WSS_READ	_IOWR(VMSCOPE_IOC_MAGIC, 0x1a, struct vmscope_wss_read)
#define VMSCOPE_IOC_WSS_CTL	_IOWR(VMSCOPE_IOC_MAGIC, 0x1b, struct vmscope_wss_ctl)
#define VMSCOPE_IOC_FRAMES_SET	_IOWR(VMSCOPE_IOC_MAGIC, 0x1c, struct vmscope_frames_set)
#define VMSCOPE_IOC_FRAMES_STAT	_IOWR(VMSCOPE_IOC_MAGIC, 0x1d, struct vmscope_frames_stat)
#define VMSCOPE_IOC_FILECACHE	_IOWR(VMSCOPE_IOC_MAGIC, 0x1e, struct vmscope_filecache)
#define VMSCOPE_IOC_CENSUS	_IOWR(VMSCOPE_IOC_MAGIC, 0x1f, struct vmscope_census)
#define VMSCOPE_IOC_MEMORY	_IOWR(VMSCOPE_IOC_MAGIC, 0x20, struct vmscope_memory)

#endif /* _UAPI_LINUX_VMSCOPE_H */
