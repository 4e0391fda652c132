/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Leak analysis of one process: its VMAs and segments at two moments,
 * what grew, how fast, and a verdict.  Used by vmscope leak, doctor and
 * the leak experiment.
 */
#ifndef VMSCOPE_LEAK_H
#define VMSCOPE_LEAK_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/vmscope.h>

#define LEAK_NR_SEGS	(VMSCOPE_SEG_MAX + 1)

/* Growth below these is not a leak: 1 MiB in all and 32 KiB/s. */
#define LEAK_MIN_BYTES	(1024 * 1024)
#define LEAK_MIN_RATE	(32 * 1024)

struct leak_snap {
	double t;
	struct vmscope_layout lo;
	struct vmscope_layout_vma *v;
	uint32_t n;
	uint64_t min_flt, maj_flt;
	unsigned long long start_time;	/* /proc/PID/stat field 22 */
};

enum leak_verdict {
	LEAK_STABLE,
	LEAK_HEAP,		/* growing heap (brk) */
	LEAK_ANON_MAPPINGS,	/* growing number of anonymous mappings */
	LEAK_FILE,		/* growing file-backed (or shared) memory */
};

struct leak_seg {
	uint64_t virt[2], rss[2];	/* start, end; rss includes swap */
	uint32_t vmas[2];
};

struct leak_report {
	double secs;
	struct leak_seg seg[LEAK_NR_SEGS];
	uint32_t new_vmas, gone_vmas, new_anon_vmas;
	double first_touch_ps;		/* minor faults per second */
	double major_ps;
	enum leak_verdict verdict;
	int grow_seg;			/* VMSCOPE_SEG_* that grew most, or -1 */
	double rate;			/* its RSS + swap growth, bytes/s */
	uint64_t growth;		/* bytes */
};

int leak_take(int fd, uint32_t pid, struct leak_snap *s);
void leak_free(struct leak_snap *s);
void leak_compare(const struct leak_snap *a, const struct leak_snap *b,
		  struct leak_report *r);
const struct vmscope_layout_vma *leak_match(const struct leak_snap *s,
					    const struct vmscope_layout_vma *v);
uint64_t leak_vma_mem(const struct vmscope_layout_vma *v);
const char *leak_verdict_name(enum leak_verdict v);
const char *leak_seg_name(int seg);

#endif
