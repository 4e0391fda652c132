/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page cache of files (cmd_cache.c) and the census of every inode
 * with page cache (cache_census.c), shared with the benchmark.
 */
#ifndef VMSCOPE_CACHE_H
#define VMSCOPE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/**
 * struct cache_file - one file's page cache
 * @path: its path (allocated), or NULL
 * @dev: st_dev of its file system (of the device itself for a block
 *	device in the census)
 * @ino: its inode number
 * @size_pages: its size in pages
 * @cached: pages in the page cache
 * @dirty: of those, dirty
 * @writeback: of those, under writeback
 * @blockdev: a block device's cache (Buffers)
 * @ranges: cached pages as [first, last] runs, when asked for
 * @nr_ranges: entries in @ranges
 * @cap_ranges: room in @ranges
 */
struct cache_file {
	char *path;
	uint64_t dev;
	uint64_t ino;
	uint64_t size_pages;
	uint64_t cached;
	uint64_t dirty;
	uint64_t writeback;
	bool blockdev;
	uint64_t (*ranges)[2];
	size_t nr_ranges;
	size_t cap_ranges;
};

struct cache_list {
	struct cache_file *v;
	size_t n;
	size_t cap;
};

/**
 * struct cache_census - what a census found, beside /proc/meminfo
 * @total_pages: pages cached in the inodes found
 * @meminfo_cached: Cached, in pages, read right after the census
 * @meminfo_buffers: Buffers, in pages
 * @superblocks: superblocks visited
 * @visited: inodes visited
 */
struct cache_census {
	uint64_t total_pages;
	uint64_t meminfo_cached;
	uint64_t meminfo_buffers;
	unsigned int superblocks;
	uint64_t visited;
};

int cache_count_fd(int dev, int fd, struct cache_file *f, bool want_map);
int cache_census_run(int dev, struct cache_list *l, struct cache_census *c);

#endif
