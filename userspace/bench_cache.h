/* SPDX-License-Identifier: GPL-2.0 */
/* The page-cache case of vmscope-bench (bench_cache.c). */
#ifndef VMSCOPE_BENCH_CACHE_H
#define VMSCOPE_BENCH_CACHE_H

#include <stdint.h>

/**
 * struct cache_result - vmscope cache against fincore, and the census
 * @files: files in the tree
 * @vmscope_s: `vmscope cache --json TREE`, best of the rounds
 * @fincore_s: `fincore FILE...` over the same files, best of the rounds
 * @target: the ratio to meet
 * @census_s: one census of every file system, best of the rounds
 * @census_files: inodes with page cache it found
 * @census_pages: their pages
 */
struct cache_result {
	int files;
	double vmscope_s;
	double fincore_s;
	double target;
	double census_s;
	uint64_t census_files;
	uint64_t census_pages;
};

void bench_cache(struct cache_result *r);
double bench_time_cmd(char *const argv[]);
void bench_cache_print(const struct cache_result *r, int json);

#endif
