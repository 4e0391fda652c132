// SPDX-License-Identifier: GPL-2.0
/*
 * The working-set experiment: a program with known phases measured with
 * the module's Accessed-bit sampler (VMSCOPE_IOC_WSS_*), one manual pass
 * per phase step, so that nothing depends on timing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exp.h"

#define PAGE		4096UL
#define WS_STEPS	3	/* intervals per phase */
#define WS_SCAN_STEPS	4	/* intervals of the file scan */

enum { WS_MAP = 1, WS_LOOP, WS_PHASE2, WS_SCAN, WS_ADDR_FILE };

struct ws_args {
	uint64_t anon_pages;	/* the anonymous region, all written first */
	uint64_t loop_pages;	/* phase 1: pages 0..loop-1, read */
	uint64_t set2_pages;	/* phase 2: the next ones, every other written */
	uint64_t file_pages;	/* the scanned file */
	int file_fd;
};

struct ws_child {
	const struct ws_args *a;
	volatile char *anon;
	const volatile char *file;
	uint64_t scan_next;
};

static uint64_t ws_child_cmd(struct ws_child *w, uint64_t cmd)
{
	const struct ws_args *a = w->a;
	uint64_t i, n, sum = 0;

	switch (cmd) {
	case WS_MAP:
		w->anon = mmap(NULL, a->anon_pages * PAGE,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		w->file = mmap(NULL, a->file_pages * PAGE, PROT_READ,
			       MAP_SHARED, a->file_fd, 0);
		if (w->anon == MAP_FAILED || w->file == MAP_FAILED)
			return 0;
		/* no THP: the counts are of base pages, page by page */
		madvise((void *)w->anon, a->anon_pages * PAGE,
			MADV_NOHUGEPAGE);
		for (i = 0; i < a->anon_pages; i++)
			w->anon[i * PAGE] = 1;
		/* every file page mapped now: no fault-around during the scan */
		for (i = 0; i < a->file_pages; i++)
			sum += w->file[i * PAGE];
		return sum ? (uintptr_t)w->anon : 0;
	case WS_ADDR_FILE:
		return (uintptr_t)w->file;
	case WS_LOOP:
		for (i = 0; i < a->loop_pages; i++)
			sum += w->anon[i * PAGE];
		return sum + 1;
	case WS_PHASE2:
		for (i = 0; i < a->set2_pages; i++) {
			volatile char *p = w->anon + (a->loop_pages + i) * PAGE;

			if (i % 2)
				sum += *p;
			else
				*p = 2;
		}
		return sum + 1;
	case WS_SCAN:
		n = a->file_pages / WS_SCAN_STEPS;
		for (i = 0; i < n; i++)
			sum += w->file[(w->scan_next + i) * PAGE];
		w->scan_next += n;
		return sum + 1;
	}
	return 0;
}

static void ws_child(void *arg)
{
	struct ws_child w = { .a = arg };

	for (;;)
		exp_child_reply(ws_child_cmd(&w, exp_child_next()));
}

/* What one interval referenced, overall and in the regions. */
struct ws_interval {
	uint64_t wss, written, rss;
	uint64_t loop, set2, other_anon;	/* referenced, by part */
	uint64_t set2_written, set2_written_odd;
	uint64_t file;
};

struct ws_region {
	uint64_t anon, file;	/* start addresses */
	const struct ws_args *a;
	char status[64];	/* /proc/PID/status of the program */
};

static void ws_count_run(const struct ws_region *g,
			 const struct vmscope_wss_rec *r,
			 struct ws_interval *iv)
{
	const struct ws_args *a = g->a;
	uint64_t k;

	for (k = 0; k < r->pages; k++) {
		uint64_t addr = r->addr + k * PAGE, i;

		if (addr >= g->file && addr < g->file + a->file_pages * PAGE) {
			iv->file++;
			continue;
		}
		if (addr < g->anon || addr >= g->anon + a->anon_pages * PAGE)
			continue;
		i = (addr - g->anon) / PAGE;
		if (i < a->loop_pages) {
			iv->loop++;
		} else if (i < a->loop_pages + a->set2_pages) {
			iv->set2++;
			if (r->flags & VMSCOPE_WSS_WRITTEN) {
				iv->set2_written++;
				iv->set2_written_odd += (i - a->loop_pages) % 2;
			}
		} else {
			iv->other_anon++;
		}
	}
}

/* One manual pass, and the interval it recorded. */
static int ws_pass(int fd, const struct ws_region *g, struct ws_interval *iv)
{
	static struct vmscope_wss_rec rec[512];
	struct vmscope_wss_ctl ctl = {
		.size = sizeof(ctl),
		.op = VMSCOPE_WSS_OP_PASS,
	};
	struct vmscope_wss_read rd;
	uint32_t i;

	if (ioctl(fd, VMSCOPE_IOC_WSS_CTL, &ctl) ||
	    ctl.status != VMSCOPE_WSS_RUNNING)
		return -1;
	memset(iv, 0, sizeof(*iv));
	do {
		memset(&rd, 0, sizeof(rd));
		rd.size = sizeof(rd);
		rd.buf = (uintptr_t)rec;
		rd.buf_count = 512;
		rd.rec_size = sizeof(rec[0]);
		if (ioctl(fd, VMSCOPE_IOC_WSS_READ, &rd))
			return -1;
		for (i = 0; i < rd.count; i++) {
			if (rec[i].type == VMSCOPE_WSS_REC_INTERVAL) {
				iv->wss = rec[i].pages;
				iv->written = rec[i].written;
				iv->rss = rec[i].rss;
			} else {
				ws_count_run(g, &rec[i], iv);
			}
		}
	} while (rd.pending);
	return 0;
}

struct ws_result {
	struct ws_interval loop[WS_STEPS], set2[WS_STEPS], scan[WS_SCAN_STEPS];
	uint64_t loop_union, scan_union;
	long long status_rss_kb;	/* VmRSS of /proc/PID/status, meanwhile */
};

/* Run @cmd in the child, then a pass: one interval per step. */
static int ws_step(int fd, struct exp_child *c, const struct ws_region *g,
		   uint64_t cmd, struct ws_interval *iv)
{
	uint64_t ret = exp_child_do(c, cmd);

	if (!ret || ret == UINT64_MAX)
		return -1;
	return ws_pass(fd, g, iv);
}

static int ws_phases(int fd, struct exp_child *c, const struct ws_region *g,
		     struct ws_result *r)
{
	struct ws_interval idle;
	int i;

	/* the first pass only clears; then one idle interval */
	if (ws_pass(fd, g, &idle) || ws_pass(fd, g, &idle))
		return -1;
	for (i = 0; i < WS_STEPS; i++)
		if (ws_step(fd, c, g, WS_LOOP, &r->loop[i]))
			return -1;
	r->status_rss_kb = file_key_ll(g->status, "VmRSS:");
	for (i = 0; i < WS_STEPS; i++)
		if (ws_step(fd, c, g, WS_PHASE2, &r->set2[i]))
			return -1;
	for (i = 0; i < WS_SCAN_STEPS; i++) {
		if (ws_step(fd, c, g, WS_SCAN, &r->scan[i]))
			return -1;
		r->scan_union += r->scan[i].file;
	}
	/* the loop's window of WS_STEPS intervals: the same pages each time */
	r->loop_union = r->loop[0].loop;
	return 0;
}

static int ws_start(pid_t pid)
{
	struct vmscope_wss_start st = {
		.size = sizeof(st),
		.flags = VMSCOPE_WSS_MANUAL,
		.pid = pid,
	};
	int fd = vmscope_open();

	if (ioctl(fd, VMSCOPE_IOC_WSS_START, &st)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int ws_make_file(uint64_t pages)
{
	const char *dir = getenv("VMSCOPE_DISK");
	char path[4096], buf[PAGE];
	uint64_t i;
	int fd;

	snprintf(path, sizeof(path), "%s/vmscope-exp-ws.XXXXXX",
		 dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	unlink(path);
	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < pages; i++)
		if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
			close(fd);
			return -ENOSPC;
		}
	return fd;
}

static void ws_report(struct exp_ctx *x, const struct ws_args *a,
		      const struct ws_result *r)
{
	const struct ws_interval *l = &r->loop[WS_STEPS - 1];
	const struct ws_interval *s = &r->set2[WS_STEPS - 1];
	bool loop_exact = true, set2_exact = true;
	int i;

	for (i = 0; i < WS_STEPS; i++) {
		loop_exact &= r->loop[i].loop == a->loop_pages &&
			      !r->loop[i].set2 && !r->loop[i].other_anon;
		set2_exact &= r->set2[i].set2 == a->set2_pages &&
			      !r->set2[i].loop && !r->set2[i].other_anon &&
			      r->set2[i].set2_written == a->set2_pages / 2 &&
			      !r->set2[i].set2_written_odd;
	}
	exp_measure(x, "rss_pages", (double)l->rss, "pages",
		    "resident pages of the process (RssAnon+RssFile+RssShmem)");
	exp_measure(x, "status_rss_pages", (double)(r->status_rss_kb / 4),
		    "pages", "VmRSS of /proc/PID/status after phase 1 (the kernel's view)");
	exp_measure(x, "phase1_wss", (double)l->wss, "pages",
		    "working set of one interval of phase 1 (whole process)");
	exp_measure(x, "phase1_region", (double)l->loop, "pages",
		    "of it, pages of the 1,000-page loop");
	exp_measure(x, "phase2_wss", (double)s->wss, "pages",
		    "working set of one interval of phase 2 (whole process)");
	exp_measure(x, "phase2_region", (double)s->set2, "pages",
		    "of it, pages of the 300-page set");
	exp_measure(x, "phase2_written", (double)s->set2_written, "pages",
		    "of those, pages the sampler saw written (Dirty bit)");
	exp_measure(x, "phase2_written_wrong", (double)s->set2_written_odd,
		    "pages", "written pages that the program only read");
	exp_measure(x, "scan_interval", (double)r->scan[0].file, "pages",
		    "file pages referenced in one interval of the scan");
	exp_measure(x, "scan_window", (double)r->scan_union, "pages",
		    "file pages referenced in the window of 4 scan intervals");
	exp_measure(x, "loop_window", (double)r->loop_union, "pages",
		    "loop pages referenced in the window of 3 loop intervals");

	exp_expect(x, loop_exact,
		   "in phase 1 the working set of the region is exactly the %llu pages of the loop, interval after interval",
		   (unsigned long long)a->loop_pages);
	exp_expect(x, set2_exact,
		   "in phase 2 it is exactly the other %llu pages, and the written ones are exactly the %llu written",
		   (unsigned long long)a->set2_pages,
		   (unsigned long long)a->set2_pages / 2);
	exp_expect(x, l->wss * 2 < l->rss && s->wss * 4 < l->rss,
		   "the working set is far below RSS (under half in phase 1, a quarter in phase 2)");
	exp_expect(x, r->scan_union == a->file_pages &&
		   r->scan[0].file == a->file_pages / WS_SCAN_STEPS,
		   "a sequential scan of a file has no locality: its working set over the window is the whole scan (%llu pages), %d times one interval's",
		   (unsigned long long)a->file_pages, WS_SCAN_STEPS);
}

/*
 * DAMON_STAT (6.17+, on by default in Debian's 7.2) samples pages of the
 * whole machine and clears their Accessed bits through the rmap without
 * flushing the TLB, so a reference the program makes through a cached
 * translation afterwards goes unseen for the rest of that interval: it is
 * paused for the run and restored by the cleanup, as a sysctl would be.
 */
#define WS_DAMON_STAT	"/sys/module/damon_stat/parameters/enabled"

static void ws_pause_damon_stat(struct exp_ctx *x)
{
	char on[4] = "";
	FILE *f = fopen(WS_DAMON_STAT, "re");

	if (!f)
		return;
	if (fgets(on, sizeof(on), f) && on[0] == 'Y' &&
	    !exp_sysctl_set(WS_DAMON_STAT, "N"))
		exp_step(x, "paused DAMON_STAT (%s: N): it clears the Accessed bits of the pages it samples, and references through them would be missed; restored afterwards",
			 WS_DAMON_STAT);
	fclose(f);
}

static void working_set(struct exp_ctx *x)
{
	struct ws_args a = {
		.anon_pages = (uint64_t)exp_arg(x, "pages", 4096),
		.loop_pages = 1000,
		.set2_pages = 300,
		.file_pages = 2048,
	};
	struct ws_result r = { 0 };
	struct ws_region g = { .a = &a };
	struct exp_child c;
	int fd;

	if (a.anon_pages < 2600 || a.anon_pages > 262144)
		return exp_skip(x, "pages= from 2600 to 262144 please");
	a.file_fd = ws_make_file(a.file_pages);
	if (a.file_fd < 0)
		return exp_skip(x, "cannot write a %llu-page file: %s",
				(unsigned long long)a.file_pages,
				strerror(-a.file_fd));
	ws_pause_damon_stat(x);
	if (exp_child_start(&c, ws_child, &a)) {
		close(a.file_fd);
		return exp_inconclusive(x, "cannot start the program");
	}
	snprintf(g.status, sizeof(g.status), "/proc/%d/status", (int)c.pid);
	g.anon = exp_child_do(&c, WS_MAP);
	g.file = exp_child_do(&c, WS_ADDR_FILE);
	exp_step(x, "a program mapped %llu anonymous pages and wrote them all, and mapped a %llu-page file",
		 (unsigned long long)a.anon_pages,
		 (unsigned long long)a.file_pages);
	fd = g.anon && g.anon != UINT64_MAX ? ws_start(c.pid) : -1;
	if (fd < 0) {
		exp_inconclusive(x, "could not map or start sampling: %s",
				 strerror(errno));
		goto out;
	}
	exp_step(x, "vmscope started a manual sampling session: a pass clears the Accessed and Dirty bits, each later pass records one interval");
	exp_step(x, "phase 1: %d intervals, in each the program reads pages 0-999 of its region",
		 WS_STEPS);
	exp_step(x, "phase 2: %d intervals, in each it touches pages 1000-1299, writing the even ones",
		 WS_STEPS);
	exp_step(x, "then it reads the file from start to end, a quarter per interval");
	if (ws_phases(fd, &c, &g, &r))
		exp_inconclusive(x, "a step or a sampling pass failed: %s",
				 strerror(errno));
	else
		ws_report(x, &a, &r);
	close(fd);
out:
	exp_child_kill(&c);
	close(a.file_fd);
}

static const struct vmscope_exp exp_working_set = {
	.name = "working-set",
	.order = 19,
	.claim = "a program needs only its working set resident: it follows the program's phases, is far below what it has resident, and the pages it writes are the ones written; a sequential scan has no locality, its working set is as large as the scan",
	.next = "vmscope wss PID (and --curve), vmscope heatmap PID, vmscope trace PID -o FILE",
	.run = working_set,
};
EXP_REGISTER(exp_working_set)
