// SPDX-License-Identifier: GPL-2.0
/*
 * fault-path: demand paging seen from inside the kernel.  A child maps
 * /dev/vmscope, whose page faults the module serves and records
 * (VMSCOPE_IOC_FAULTLOG): which accesses reach the handler, which pages it
 * allocates, and what the kernel maps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exp.h"

#define PAGE		4096UL
#define FP_PAGES	16

enum { FP_MAP, FP_TOUCH, FP_REFAULT, FP_ILLEGAL, FP_PRIVATE, FP_CONTENT };

struct fp_child {
	int fd;			/* the experiment's /dev/vmscope */
	char *map;		/* MAP_SHARED, FP_PAGES pages, read-write */
	char *priv;		/* MAP_PRIVATE, 1 page */
};

static sigjmp_buf fp_jmp;

static void fp_segv(int sig)
{
	siglongjmp(fp_jmp, sig);
}

/* Access @p (write if @write); true if it raised SIGSEGV or SIGBUS. */
static bool fp_faults(volatile char *p, bool write)
{
	bool hit = false;

	signal(SIGSEGV, fp_segv);
	signal(SIGBUS, fp_segv);
	if (sigsetjmp(fp_jmp, 1))
		hit = true;
	else if (write)
		*p = 1;
	else
		(void)*p;
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	return hit;
}

static uint64_t fp_step(struct fp_child *c, uint64_t cmd)
{
	volatile char *m = c->map;
	char *ro;
	int i, hits = 0;

	switch (cmd) {
	case FP_MAP:
		c->map = mmap(NULL, (FP_PAGES + 1) * PAGE,
			      PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
		if (c->map == MAP_FAILED)
			return 0;
		munmap(c->map + FP_PAGES * PAGE, PAGE);	/* a hole after it */
		return (uintptr_t)c->map;
	case FP_TOUCH:	/* read 0, write 1, read 0 again, read 2..7 */
		(void)m[0];
		m[PAGE] = 'w';
		(void)m[0];
		for (i = 2; i < 8; i++)
			(void)m[i * PAGE];
		return 1;
	case FP_REFAULT:	/* zap page 0's entry, read it again */
		madvise(c->map, PAGE, MADV_DONTNEED);
		return m[0] != 0;
	case FP_ILLEGAL:	/* past the end; a write to a read-only map */
		hits += fp_faults(m + FP_PAGES * PAGE, false);
		ro = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, c->fd, 8 * PAGE);
		if (ro != MAP_FAILED)
			hits += fp_faults(ro, true);
		return hits;
	case FP_PRIVATE:	/* a write to a private map: copy on write */
		c->priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			       c->fd, 9 * PAGE);
		if (c->priv == MAP_FAILED)
			return 0;
		c->priv[100] = 'p';
		return (uintptr_t)c->priv;
	case FP_CONTENT:
		return strstr((char *)c->map + 2 * PAGE,
			      "filled by the module's fault handler") != NULL;
	}
	return 0;
}

static void fp_child_main(void *arg)
{
	struct fp_child c = { .fd = (int)(intptr_t)arg };

	for (;;)
		exp_child_reply(fp_step(&c, exp_child_next()));
}

static int fp_log(int fd, struct vmscope_faultlog *fl,
		  struct vmscope_fault_record *rec, uint32_t n)
{
	memset(fl, 0, sizeof(*fl));
	fl->size = sizeof(*fl);
	fl->buf = (uintptr_t)rec;
	fl->buf_count = n;
	fl->flags = VMSCOPE_FAULTLOG_CLEAR;
	return ioctl(fd, VMSCOPE_IOC_FAULTLOG, fl) ? -1 : 0;
}

static unsigned int fp_count(const struct vmscope_fault_record *r, uint32_t n,
			     uint32_t flag)
{
	unsigned int k = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		k += !!(r[i].flags & flag);
	return k;
}

struct fp_result {
	struct vmscope_faultlog mapped, touched, refault, illegal, priv;
	struct vmscope_fault_record trec[32], rrec[8], prec[8];
	struct vmscope_faults f0, f1;
	struct vmscope_translate tr1, trp;
	uint64_t map, privaddr, illegal_hits, content;
};

static int fp_run(int fd, struct exp_ctx *x, struct exp_child *c,
		  struct fp_result *r)
{
	struct vmscope_fault_record none[1];

	r->map = exp_child_do(c, FP_MAP);
	if (!r->map || r->map == UINT64_MAX)
		return -1;
	fp_log(fd, &r->mapped, none, 0);
	exp_faults(x->fd, c->pid, &r->f0);
	exp_child_do(c, FP_TOUCH);
	exp_faults(x->fd, c->pid, &r->f1);
	fp_log(fd, &r->touched, r->trec, 32);
	exp_translate(x->fd, c->pid, r->map + PAGE, &r->tr1);
	exp_child_do(c, FP_REFAULT);
	fp_log(fd, &r->refault, r->rrec, 8);
	r->illegal_hits = exp_child_do(c, FP_ILLEGAL);
	fp_log(fd, &r->illegal, none, 0);
	r->privaddr = exp_child_do(c, FP_PRIVATE);
	fp_log(fd, &r->priv, r->prec, 8);
	if (r->privaddr && r->privaddr != UINT64_MAX)
		exp_translate(x->fd, c->pid, r->privaddr, &r->trp);
	r->content = exp_child_do(c, FP_CONTENT);
	return 0;
}

static void fp_report(struct exp_ctx *x, struct fp_result *r)
{
	unsigned int n = r->touched.nr_records < 32 ? r->touched.nr_records : 32;

	exp_step(x, "a child mmap()ed 16 pages of /dev/vmscope, whose faults the module serves and logs");
	exp_step(x, "it read page 0, wrote page 1, read page 0 again, read pages 2-7");
	exp_step(x, "it dropped page 0's PTE (MADV_DONTNEED) and read it again");
	exp_step(x, "it read past the end of the mapping and wrote to a read-only mapping (both SIGSEGV)");
	exp_step(x, "it wrote to a MAP_PRIVATE mapping of page 9");
	exp_measure(x, "faults_after_mmap", (double)r->mapped.total, "faults",
		    "handler calls made by mmap() itself");
	exp_measure(x, "faults_touch", (double)r->touched.nr_records, "faults",
		    "handler calls for the 9 accesses to 8 pages");
	exp_measure(x, "pages_allocated", fp_count(r->trec, n,
		    VMSCOPE_FREC_ALLOCATED), "pages",
		    "of them, calls that allocated and filled a page");
	exp_measure(x, "write_faults", fp_count(r->trec, n, VMSCOPE_FREC_WRITE),
		    "faults", "of them, write accesses");
	exp_measure(x, "minor_faults_child", (double)r->f1.min_flt -
		    r->f0.min_flt, "faults", "the child's minor faults over the same accesses");
	exp_measure(x, "refault_calls", (double)r->refault.nr_records, "faults",
		    "handler calls after the PTE was dropped");
	exp_measure(x, "refault_allocated", fp_count(r->rrec,
		    r->refault.nr_records < 8 ? r->refault.nr_records : 8,
		    VMSCOPE_FREC_ALLOCATED), "pages", "... that allocated a page");
	exp_measure(x, "illegal_signals", (double)r->illegal_hits, "signals",
		    "SIGSEGVs for the two illegal accesses");
	exp_measure(x, "illegal_calls", (double)r->illegal.nr_records, "faults",
		    "handler calls for them");
	exp_measure(x, "pfn_matches", r->tr1.pfn && n > 1 &&
		    r->tr1.pfn == r->trec[1].pfn, "bool",
		    "1: page 1 is mapped at the PFN the handler returned");
	exp_measure(x, "private_copy", r->priv.nr_records == 1 &&
		    r->trp.pfn && r->trp.pfn != r->prec[0].pfn, "bool",
		    "1: the private write maps a copy, not the handler's page");
	exp_measure(x, "content_filled", (double)r->content, "bool",
		    "1: page 2 holds the text the handler wrote into it");
}

static void fault_path(struct exp_ctx *x)
{
	static struct fp_result r;
	struct exp_child c;
	unsigned int n;

	int fd, err;

	memset(&r, 0, sizeof(r));
	/* a file of its own, read-write for MAP_SHARED: its log is fresh */
	fd = open(VMSCOPE_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return exp_inconclusive(x, "cannot open %s read-write: %s",
					VMSCOPE_DEVICE, strerror(errno));
	if (exp_child_start(&c, fp_child_main, (void *)(intptr_t)fd)) {
		close(fd);
		return exp_inconclusive(x, "cannot start the workload");
	}
	err = fp_run(fd, x, &c, &r);
	exp_child_kill(&c);
	close(fd);
	if (err)
		return exp_inconclusive(x, "mmap of /dev/vmscope failed: a module without mmap support?");
	fp_report(x, &r);
	n = r.touched.nr_records < 32 ? r.touched.nr_records : 32;
	exp_expect(x, r.mapped.total == 0,
		   "mmap() allocates nothing: no fault until a page is touched");
	exp_expect(x, r.touched.nr_records == 8 &&
		   fp_count(r.trec, n, VMSCOPE_FREC_ALLOCATED) == 8,
		   "each first touch of a page is one fault that allocates and fills a page (8, not 9)");
	exp_expect(x, fp_count(r.trec, n, VMSCOPE_FREC_WRITE) == 1 &&
		   n > 1 && (r.trec[1].flags & VMSCOPE_FREC_WRITE),
		   "the fault records whether the access was a write");
	exp_expect(x, r.f1.min_flt - r.f0.min_flt == 8,
		   "the process counts the same 8 as minor faults");
	exp_expect(x, r.refault.nr_records == 1 &&
		   !(r.rrec[0].flags & VMSCOPE_FREC_ALLOCATED),
		   "after the PTE is dropped, the next access faults again and finds the page kept");
	exp_expect(x, r.illegal_hits == 2 && r.illegal.nr_records == 0,
		   "illegal accesses get SIGSEGV from the kernel without reaching the handler");
	exp_expect(x, r.content == 1, "the page mapped is the one the handler filled");
	if (r.tr1.pfn)
		exp_expect(x, n > 1 && r.tr1.pfn == r.trec[1].pfn,
			   "the kernel maps the very page the handler returned");
	if (r.trp.pfn)
		exp_expect(x, r.priv.nr_records == 1 &&
			   (r.prec[0].flags & VMSCOPE_FREC_PRIVATE) &&
			   r.trp.pfn != r.prec[0].pfn,
			   "a write to a MAP_PRIVATE mapping maps a copy of the handler's page");
}

static const struct vmscope_exp exp_fault_path = {
	.name = "fault-path",
	.order = 12,
	.claim = "a page fault is checked for legality by the kernel, then the mapping's fault handler supplies (allocating and filling if needed) the page, which the kernel maps; every first touch of a page is one fault",
	.next = "Documentation/experiments/fault-path.md; the kernel's handle_mm_fault() and do_fault() in mm/memory.c",
	.run = fault_path,
};
EXP_REGISTER(exp_fault_path)
