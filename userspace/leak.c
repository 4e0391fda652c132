// SPDX-License-Identifier: GPL-2.0
/*
 * Leak analysis: two layouts of a process (VMSCOPE_IOC_LAYOUT, every VMA
 * measured) and its fault counters (VMSCOPE_IOC_FAULTS), compared per
 * VMA and per segment.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "leak.h"
#include "triage.h"

static const char *const seg_names[] = VMSCOPE_SEG_NAMES;

const char *leak_seg_name(int seg)
{
	return seg >= 0 && seg < LEAK_NR_SEGS ? seg_names[seg] : "none";
}

const char *leak_verdict_name(enum leak_verdict v)
{
	switch (v) {
	case LEAK_HEAP:
		return "growing heap";
	case LEAK_ANON_MAPPINGS:
		return "growing number of anonymous mappings";
	case LEAK_FILE:
		return "growing file-backed memory";
	case LEAK_STABLE:
		break;
	}
	return "stable";
}

/* Resident and swapped bytes of a VMA: the memory it holds. */
uint64_t leak_vma_mem(const struct vmscope_layout_vma *v)
{
	return v->rss_anon + v->rss_file + v->rss_shmem + v->swap;
}

/* Field 22 of /proc/PID/stat: when the process started; 0 if unknown. */
static unsigned long long start_time(uint32_t pid)
{
	unsigned long long t = 0;
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');		/* the comm may hold anything */
	for (i = 2; p && i < 22; i++)
		p = strchr(p + 1, ' ');
	if (p)
		t = strtoull(p + 1, NULL, 10);
	return t;
}

/**
 * leak_take() - every VMA of a process, measured, and its fault counters
 * @fd: /dev/vmscope
 * @pid: the process
 * @s: filled in; free with leak_free()
 *
 * Return: 0, or -errno of the ioctl that failed (ESRCH: no such process,
 * or it exited meanwhile).
 */
int leak_take(int fd, uint32_t pid, struct leak_snap *s)
{
	struct vmscope_layout lo = { 0 };
	struct vmscope_faults f = { 0 };
	uint32_t cap = 256;
	void *p;

	memset(s, 0, sizeof(*s));
	s->t = now_secs();
	s->start_time = start_time(pid);
	for (;;) {
		p = realloc(s->v, (size_t)cap * sizeof(*s->v));
		if (!p)
			return -ENOMEM;
		s->v = p;
		memset(&lo, 0, sizeof(lo));
		lo.size = sizeof(lo);
		lo.pid = pid;
		lo.rec_size = sizeof(*s->v);
		lo.start = s->n ? s->v[s->n - 1].vma.end : 0;
		lo.buf = (uintptr_t)(s->v + s->n);
		lo.buf_count = cap - s->n;
		if (ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo))
			return -errno;
		if (!s->n)
			s->lo = lo;
		s->n += lo.count;
		if (lo.out_flags & VMSCOPE_LAYOUT_DONE)
			break;
		if (s->n == cap)
			cap *= 2;
	}
	f.size = sizeof(f);
	f.pid = pid;
	if (ioctl(fd, VMSCOPE_IOC_FAULTS, &f))
		return -errno;
	s->min_flt = f.min_flt;
	s->maj_flt = f.maj_flt;
	/*
	 * the process measured is the one that started then, or gone (where
	 * /proc/PID/stat cannot be read, as with hidepid, this is not known)
	 */
	if (s->start_time && start_time(pid) != s->start_time)
		return -ESRCH;
	return 0;
}

void leak_free(struct leak_snap *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/*
 * The VMA of @s that starts (@by_end: ends) at @addr.  leak_take() resumes
 * each batch at the end of the last VMA it has, so a snapshot's VMAs are
 * in address order and apart: their starts and their ends both ascend.
 */
static const struct vmscope_layout_vma *leak_find(const struct leak_snap *s,
						  uint64_t addr, bool by_end)
{
	uint32_t lo = 0, hi = s->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint64_t at = by_end ? s->v[mid].vma.end : s->v[mid].vma.start;

		if (at == addr)
			return &s->v[mid];
		if (at < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The VMA of @s that is @v at another moment: the same start (a heap or
 * mapping that grew up), or the same end and segment (a stack that grew
 * down).  Two binary searches, not a scan of @s: for 60,000 VMAs the
 * scan made `vmscope leak` take over a minute.
 */
const struct vmscope_layout_vma *leak_match(const struct leak_snap *s,
					    const struct vmscope_layout_vma *v)
{
	const struct vmscope_layout_vma *m = leak_find(s, v->vma.start, false);

	if (m)
		return m;
	m = leak_find(s, v->vma.end, true);
	return m && m->segment == v->segment ? m : NULL;
}

static void seg_add(struct leak_report *r, int k,
		    const struct vmscope_layout_vma *v)
{
	struct leak_seg *g = &r->seg[v->segment < LEAK_NR_SEGS ?
				     v->segment : VMSCOPE_SEG_OTHER];

	g->virt[k] += v->vma.end - v->vma.start;
	g->rss[k] += leak_vma_mem(v);
	g->vmas[k]++;
}

static int64_t seg_growth(const struct leak_report *r, int seg)
{
	return (int64_t)r->seg[seg].rss[1] - (int64_t)r->seg[seg].rss[0];
}

/* What grew most, and whether that is a leak. */
static void leak_verdict(struct leak_report *r)
{
	static const int segs[] = { VMSCOPE_SEG_HEAP, VMSCOPE_SEG_MMAP_ANON,
				    VMSCOPE_SEG_MMAP_FILE, VMSCOPE_SEG_SHMEM };
	int64_t best = 0, g;
	size_t i;

	r->grow_seg = -1;
	for (i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
		g = seg_growth(r, segs[i]);
		if (g > best) {
			best = g;
			r->grow_seg = segs[i];
		}
	}
	r->growth = best;
	r->rate = r->secs > 0 ? best / r->secs : 0;
	r->verdict = LEAK_STABLE;
	if (best < LEAK_MIN_BYTES || r->rate < LEAK_MIN_RATE)
		return;
	if (r->grow_seg == VMSCOPE_SEG_HEAP)
		r->verdict = LEAK_HEAP;
	else if (r->grow_seg == VMSCOPE_SEG_MMAP_ANON)
		r->verdict = LEAK_ANON_MAPPINGS;
	else
		r->verdict = LEAK_FILE;
}

/**
 * leak_compare() - what changed between two snapshots of one process
 * @a: the earlier
 * @b: the later
 * @r: filled in
 */
void leak_compare(const struct leak_snap *a, const struct leak_snap *b,
		  struct leak_report *r)
{
	uint32_t i;

	memset(r, 0, sizeof(*r));
	r->secs = b->t - a->t;
	for (i = 0; i < a->n; i++) {
		seg_add(r, 0, &a->v[i]);
		if (!leak_match(b, &a->v[i]))
			r->gone_vmas++;
	}
	for (i = 0; i < b->n; i++) {
		seg_add(r, 1, &b->v[i]);
		if (leak_match(a, &b->v[i]))
			continue;
		r->new_vmas++;
		if (b->v[i].segment == VMSCOPE_SEG_MMAP_ANON)
			r->new_anon_vmas++;
	}
	if (r->secs > 0) {
		r->first_touch_ps = (double)(b->min_flt - a->min_flt) / r->secs;
		r->major_ps = (double)(b->maj_flt - a->maj_flt) / r->secs;
	}
	leak_verdict(r);
}
