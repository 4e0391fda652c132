// SPDX-License-Identifier: GPL-2.0
/*
 * The page-cache case of vmscope-bench: `vmscope cache --json` over a tree
 * of 10,000 files against fincore(1) over the same files, and the census
 * (the code of `vmscope cache --top`: VMSCOPE_IOC_CENSUS over every file
 * system, paths made whole) in pages and files per second, in the same VM
 * run.
 */
#define _GNU_SOURCE
#include <err.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vmscope.h>

#include "bench_cache.h"
#include "cache.h"
#include "common.h"

#define TREE		"/tmp/vmscope-bench-tree"
#define DIRS		100
#define FILES_PER_DIR	100
#define FILE_PAGES	4
#define CACHE_ROUNDS	3
#define CACHE_TARGET	0.5	/* issue 15: at most half fincore's time */

/* 10,000 files of 2 or 4 pages on tmpfs (all of them cached). */
static char **make_tree(int *nfiles)
{
	char **paths = calloc(DIRS * FILES_PER_DIR + 3, sizeof(*paths));
	static char data[FILE_PAGES * 4096];
	int d, i, fd, n = 0;
	char dir[128];

	if (!paths)
		err(1, "calloc");
	memset(data, 0x6b, sizeof(data));
	mkdir(TREE, 0755);
	for (d = 0; d < DIRS; d++) {
		snprintf(dir, sizeof(dir), TREE "/d%03d", d);
		mkdir(dir, 0755);
		for (i = 0; i < FILES_PER_DIR; i++) {
			if (asprintf(&paths[n], "%s/f%03d", dir, i) < 0)
				err(1, "asprintf");
			fd = open(paths[n], O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0 || write(fd, data, (i % 2 + 1) * 4096 *
					    FILE_PAGES / 2) < 0)
				err(1, "%s", paths[n]);
			close(fd);
			n++;
		}
	}
	*nfiles = n;
	return paths;
}

/* The census `vmscope cache --top` takes (cache_census.c), timed. */
static double census_all(int dev, uint64_t *files, uint64_t *pages)
{
	struct cache_census c;
	struct cache_list l = { 0 };
	double t = now_secs();
	size_t i;

	cache_census_run(dev, &l, &c);
	t = now_secs() - t;
	*files = l.n;
	*pages = c.total_pages;
	for (i = 0; i < l.n; i++)
		free(l.v[i].path);
	free(l.v);
	return t;
}

/**
 * bench_cache() - run the page-cache case
 * @r: filled in
 */
void bench_cache(struct cache_result *r)
{
	char *vmscope[] = { "vmscope", "cache", "--json", TREE, NULL };
	char **fincore;
	double t;
	int i, n, dev;

	memset(r, 0, sizeof(*r));
	fincore = make_tree(&n);
	r->files = n;
	/* fincore takes files, not directories: give it all of them */
	memmove(fincore + 1, fincore, n * sizeof(*fincore));
	fincore[0] = "fincore";
	for (i = 0; i < CACHE_ROUNDS; i++) {
		t = bench_time_cmd(vmscope);
		r->vmscope_s = i ? (t < r->vmscope_s ? t : r->vmscope_s) : t;
		t = bench_time_cmd(fincore);
		r->fincore_s = i ? (t < r->fincore_s ? t : r->fincore_s) : t;
	}
	dev = open(VMSCOPE_DEVICE, O_RDONLY);
	if (dev < 0)
		err(1, "%s", VMSCOPE_DEVICE);
	for (i = 0; i < CACHE_ROUNDS; i++) {
		uint64_t files = 0, pages = 0;

		t = census_all(dev, &files, &pages);
		if (!i || t < r->census_s) {
			r->census_s = t;
			r->census_files = files;
			r->census_pages = pages;
		}
	}
	close(dev);
	r->target = CACHE_TARGET;
	for (i = 1; i <= n; i++)
		unlink(fincore[i]);
}

void bench_cache_print(const struct cache_result *r, int json)
{
	if (json) {
		printf("  \"cache\": {\"files\": %d, \"vmscope_cache_json_s\": "
		       "%.4f, \"fincore_s\": %.4f, \"ratio\": %.2f, "
		       "\"target\": %.2f, \"target_met\": %s, \"census_s\": "
		       "%.4f, \"census_files\": %llu, \"census_pages\": %llu, "
		       "\"census_files_per_s\": %.0f, "
		       "\"census_pages_per_s\": %.0f}\n", r->files,
		       r->vmscope_s, r->fincore_s, r->vmscope_s / r->fincore_s,
		       r->target, r->vmscope_s / r->fincore_s <= r->target ?
		       "true" : "false", r->census_s,
		       (unsigned long long)r->census_files,
		       (unsigned long long)r->census_pages,
		       r->census_files / r->census_s,
		       r->census_pages / r->census_s);
		return;
	}
	printf("\n%d files: vmscope cache --json %.3f s, fincore %.3f s: %.2f "
	       "of the time (target %.2f: %s)\n", r->files, r->vmscope_s,
	       r->fincore_s, r->vmscope_s / r->fincore_s, r->target,
	       r->vmscope_s / r->fincore_s <= r->target ? "met" : "not met");
	printf("The census: %llu files, %llu pages in %.3f s: %.0f files/s, "
	       "%.0f pages/s\n", (unsigned long long)r->census_files,
	       (unsigned long long)r->census_pages, r->census_s,
	       r->census_files / r->census_s, r->census_pages / r->census_s);
}
