/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The walk cases of vmscope-bench beside the kernel's newer interfaces
 * (bench_walk.c), and the one table of every ratio the benchmark measured
 * (bench_ratio.c).
 */
#ifndef VMSCOPE_BENCH_WALK_H
#define VMSCOPE_BENCH_WALK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/vmscope.h>

/* Records of one VMSCOPE_IOC_WALK call in the walk cases. */
#define BENCH_WALK_BUF	65536UL

void bench_walk_range(int fd, pid_t pid, uint64_t start, uint64_t end,
		      struct vmscope_page *buf, uint64_t *present);

/**
 * struct walk_result - VMSCOPE_IOC_WALK and _LAYOUT beside the kernel's own
 * @pages: base pages of each range (1 GiB)
 * @walk33_s: WALK over 1 GiB with one page in 33 mapped, best of the rounds
 * @pagemap33_s: /proc/PID/pagemap over the same range
 * @has_scan: PAGEMAP_SCAN works here (6.7+)
 * @scan_dense_s: PAGEMAP_SCAN (present or swapped) over 1 GiB all mapped
 * @walk_dense_s: WALK over the same range
 * @scan33_s: PAGEMAP_SCAN over the 1-in-33 range
 * @vmas: VMAs of the layout case's process
 * @has_query: PROCMAP_QUERY works here (6.11+)
 * @layout_s: VMSCOPE_IOC_LAYOUT over every VMA, best of the rounds
 * @query_s: PROCMAP_QUERY over every VMA (no names)
 */
struct walk_result {
	uint64_t pages;
	double walk33_s, pagemap33_s;
	bool has_scan;
	double scan_dense_s, walk_dense_s, scan33_s;
	int vmas;
	bool has_query;
	double layout_s, query_s;
};

void bench_kapi(struct walk_result *r);
void bench_kapi_print(const struct walk_result *r, int json);
void bench_kapi_ratios(const struct walk_result *r);

/* bench_ratio.c: e.g. bench_ratio("dense-1G WALK vs pagemap", r, true,
 * "pagemap s / WALK s") */
void bench_ratio(const char *name, double value, bool higher_better,
		 const char *how);
void bench_ratio_table(void);
void bench_ratio_json(void);

#endif
