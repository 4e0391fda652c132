// SPDX-License-Identifier: GPL-2.0
/*
 * Every ratio vmscope-bench measured, noted by each case as it is printed
 * or gathered, shown in one table at the end and as one JSON line
 * ("bench-ratios: {...}", on stderr so that --json's output stays one
 * JSON document) that scripts/bench.sh writes to a file.
 */
#include <math.h>
#include <stdio.h>

#include "bench_walk.h"

#define MAX_RATIOS	64

static struct {
	const char *name, *how;
	double value;
	bool higher_better;
} ratios[MAX_RATIOS];
static int nr_ratios;

/**
 * bench_ratio() - note a ratio for the summary table and its JSON
 * @name: what is compared
 * @value: the ratio
 * @higher_better: true if a larger value is better for vmscope
 * @how: how it is computed
 */
void bench_ratio(const char *name, double value, bool higher_better,
		 const char *how)
{
	if (nr_ratios == MAX_RATIOS)
		return;
	ratios[nr_ratios].name = name;
	ratios[nr_ratios].how = how;
	ratios[nr_ratios].value = value;
	ratios[nr_ratios].higher_better = higher_better;
	nr_ratios++;
}

/**
 * bench_ratio_table() - print every noted ratio as one table
 */
void bench_ratio_table(void)
{
	int i;

	printf("\nAll ratios (BETTER: which way is better for vmscope)\n"
	       "%-36s %10s %7s  %s\n", "CASE", "RATIO", "BETTER", "RATIO IS");
	for (i = 0; i < nr_ratios; i++)
		printf("%-36s %10.3f %7s  %s\n", ratios[i].name,
		       ratios[i].value,
		       ratios[i].higher_better ? "higher" : "lower",
		       ratios[i].how);
}

/**
 * bench_ratio_json() - print every noted ratio as one JSON line, to stderr
 *
 * The names are the benchmark's own constants: nothing to escape.
 */
void bench_ratio_json(void)
{
	int i;

	fprintf(stderr, "bench-ratios: {\"ratios\": [");
	for (i = 0; i < nr_ratios; i++) {
		fprintf(stderr, "%s{\"name\": \"%s\", \"ratio\": ",
			i ? ", " : "", ratios[i].name);
		if (isfinite(ratios[i].value))	/* a case that did not run */
			fprintf(stderr, "%.4f", ratios[i].value);
		else
			fprintf(stderr, "null");
		fprintf(stderr, ", \"higher_is_better\": %s, "
			"\"ratio_is\": \"%s\"}",
			ratios[i].higher_better ? "true" : "false",
			ratios[i].how);
	}
	fprintf(stderr, "]}\n");
}
