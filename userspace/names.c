// SPDX-License-Identifier: GPL-2.0
/*
 * Names for the numbers in include/uapi/linux/vmscope.h.
 */
#include <stdio.h>
#include <string.h>

#include <linux/vmscope.h>

#include "names.h"

const struct flag_name pte_flag_names[] = {
	{ VMSCOPE_PTE_PRESENT, "present", "the MMU may use the entry" },
	{ VMSCOPE_PTE_RW, "rw", "writable" },
	{ VMSCOPE_PTE_USER, "user", "user mode may access" },
	{ VMSCOPE_PTE_PWT, "pwt", "write-through caching" },
	{ VMSCOPE_PTE_PCD, "pcd", "caching disabled" },
	{ VMSCOPE_PTE_ACCESSED, "accessed", "set by the MMU on access" },
	{ VMSCOPE_PTE_DIRTY, "dirty", "set by the MMU on write" },
	{ VMSCOPE_PTE_HUGE, "huge", "PS: maps a 2M/1G page" },
	{ VMSCOPE_PTE_GLOBAL, "global", "survives CR3 switches in the TLB" },
	{ VMSCOPE_PTE_NX, "nx", "no execute" },
	{ VMSCOPE_PTE_SOFT_DIRTY, "soft-dirty", "written since clear_refs" },
	{ VMSCOPE_PTE_PROTNONE, "protnone", "PROT_NONE or NUMA hint" },
	{ VMSCOPE_PTE_SPECIAL, "special", "no struct page" },
	{ VMSCOPE_PTE_UFFD_WP, "uffd-wp", "userfaultfd write-protect" },
	{ 0, NULL, NULL }
};

const struct flag_name page_flag_names[] = {
	{ VMSCOPE_PAGE_ANON, "anon", "anonymous memory" },
	{ VMSCOPE_PAGE_FILE, "file", "page cache of a file" },
	{ VMSCOPE_PAGE_SHMEM, "shmem", "shmem, tmpfs, SysV shm or memfd" },
	{ VMSCOPE_PAGE_ZERO, "zero", "the shared zero page" },
	{ VMSCOPE_PAGE_THP, "thp", "part of a transparent huge page" },
	{ VMSCOPE_PAGE_HUGETLB, "hugetlb", "a hugetlbfs page" },
	{ VMSCOPE_PAGE_KSM, "ksm", "merged by KSM" },
	{ VMSCOPE_PAGE_DIRTY, "dirty", "must be written back" },
	{ VMSCOPE_PAGE_LRU, "lru", "on an LRU list" },
	{ VMSCOPE_PAGE_ACTIVE, "active", "on the active list" },
	{ VMSCOPE_PAGE_REFERENCED, "referenced", "recently referenced" },
	{ VMSCOPE_PAGE_UNEVICTABLE, "unevictable", "cannot be reclaimed" },
	{ VMSCOPE_PAGE_SWAPCACHE, "swapcache", "in the swap cache" },
	{ VMSCOPE_PAGE_WRITEBACK, "writeback", "being written back" },
	{ VMSCOPE_PAGE_EXCLUSIVE, "exclusive", "mapped exactly once" },
	{ VMSCOPE_PAGE_NOPAGE, "nopage", "no struct page (PFN map)" },
	{ 0, NULL, NULL }
};

static const struct {
	const char *name;
	const char *meaning;
} states[] = {
	[VMSCOPE_STATE_NO_VMA] = { "no-vma",
		"no VMA: an access raises SIGSEGV" },
	[VMSCOPE_STATE_NOT_PRESENT] = { "not-present",
		"inside a VMA but not populated: the first access faults it in" },
	[VMSCOPE_STATE_PRESENT] = { "present",
		"the MMU translates it to a page frame" },
	[VMSCOPE_STATE_PROT_NONE] = { "prot-none",
		"a page is mapped but inaccessible (PROT_NONE or NUMA hint)" },
	[VMSCOPE_STATE_SWAPPED] = { "swapped",
		"swapped out: an access faults it back in (major fault)" },
	[VMSCOPE_STATE_MIGRATION] = { "migration",
		"being migrated: an access waits for it" },
	[VMSCOPE_STATE_HWPOISON] = { "hwpoison",
		"lost to a memory error: an access raises SIGBUS" },
	[VMSCOPE_STATE_DEVICE] = { "device",
		"in device memory (HMM)" },
	[VMSCOPE_STATE_MARKER] = { "marker",
		"a PTE marker (userfaultfd, guard region, poison)" },
};

const char *state_name(uint32_t state)
{
	if (state >= sizeof(states) / sizeof(states[0]) || !states[state].name)
		return "unknown";
	return states[state].name;
}

const char *state_meaning(uint32_t state)
{
	if (state >= sizeof(states) / sizeof(states[0]) || !states[state].name)
		return "a state this CLI does not know";
	return states[state].meaning;
}

const char *level_name(uint32_t level)
{
	static const char *const names[] = {
		[VMSCOPE_LEVEL_NONE] = "-",
		[VMSCOPE_LEVEL_PTE] = "PTE",
		[VMSCOPE_LEVEL_PMD] = "PMD",
		[VMSCOPE_LEVEL_PUD] = "PUD",
		[VMSCOPE_LEVEL_P4D] = "P4D",
		[VMSCOPE_LEVEL_PGD] = "PGD",
	};

	return level <= VMSCOPE_LEVEL_PGD ? names[level] : "?";
}

/* "rw user nx" (space separated), or "-" when no flag is set. */
const char *flags_to_str(uint32_t flags, const struct flag_name *names,
			 char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; names[i].name; i++) {
		if (!(flags & names[i].flag))
			continue;
		used += snprintf(buf + used, used < len ? len - used : 0,
				 "%s%s", used ? " " : "", names[i].name);
	}
	if (!used)
		snprintf(buf, len, "-");
	return buf;
}

void json_flags(struct json *j, const char *key, uint32_t flags,
		const struct flag_name *names)
{
	int i;

	json_open(j, key, '[');
	for (i = 0; names[i].name; i++)
		if (flags & names[i].flag)
			json_str(j, NULL, names[i].name);
	json_close(j, ']');
}

/* As the "rwxp" column of /proc/PID/maps. */
void perms_to_str(uint32_t perms, char buf[5])
{
	buf[0] = perms & VMSCOPE_VMA_READ ? 'r' : '-';
	buf[1] = perms & VMSCOPE_VMA_WRITE ? 'w' : '-';
	buf[2] = perms & VMSCOPE_VMA_EXEC ? 'x' : '-';
	buf[3] = perms & VMSCOPE_VMA_SHARED ? 's' : 'p';
	buf[4] = '\0';
}
