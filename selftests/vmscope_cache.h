/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page-cache tests' oracles: fincore(1) (util-linux, copied into the
 * VM) and cachestat(2) (6.5+).
 */
#ifndef VMSCOPE_CACHE_SELFTEST_H
#define VMSCOPE_CACHE_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmscope.h"
#include "vmscope_exp.h"

#ifndef __NR_cachestat
#define __NR_cachestat	451
#endif

/* struct cachestat_range and struct cachestat of linux/mman.h (6.5+) */
struct cs_range { uint64_t off, len; };
struct cs_stat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted,
		 nr_recently_evicted;
};

/* Pages of @path in the page cache as fincore(1) counts them, or -1. */
static inline long fincore_pages(const char *path)
{
	char out[64];

	if (sh_run(out, sizeof(out),
		   "fincore --noheadings --raw --output PAGES '%s' 2>/dev/null",
		   path) || !out[0])
		return -1;
	return strtol(out, NULL, 10);
}

/*
 * Drop the clean page cache.  Pages just read or written may still sit in
 * a per-CPU batch on their way to the LRU, holding a reference that makes
 * drop_caches skip them (seen on 6.1: 4 of 32 left); compacting memory
 * drains those batches first (compact_nodes() calls lru_add_drain_all()).
 */
static inline void drop_caches(void)
{
	sync();
	write_file("/proc/sys/vm/compact_memory", "1");
	write_file("/proc/sys/vm/drop_caches", "3");
}

/* cachestat(2) of the whole file: 0, or -errno (ENOSYS before 6.5). */
static inline int cachestat(const char *path, struct cs_stat *cs)
{
	struct cs_range r = { 0, 0 };
	int fd = open(path, O_RDONLY), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_cachestat, fd, &r, cs, 0) ? -errno : 0;
	close(fd);
	return ret;
}

#endif
