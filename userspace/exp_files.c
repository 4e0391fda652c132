// SPDX-License-Identifier: GPL-2.0
/*
 * Experiments on file-backed memory: page faults on a mapped file whose
 * pages are not in the page cache, readahead, and reading it again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/magic.h>

#include "exp.h"

#define PAGE		4096UL
#define FM_MAX_PAGES	8192		/* 32 MiB */

/* ---- file-mmap ---- */

enum { FM_MAP = 1, FM_MAP_RANDOM, FM_TOUCH_FIRST, FM_TOUCH_ALL, FM_UNMAP };

struct fm_args {
	int fd;			/* the file, inherited */
	uint64_t pages;
};

/* The byte each page of the file is filled with. */
static char fm_byte(uint64_t page)
{
	return 'a' + page % 26;
}

/*
 * The reader: maps the file through a file description of its own (a
 * fresh readahead state each time), reads one byte of the first or of
 * every page, and checks it.
 */
static void fm_child(void *arg)
{
	const struct fm_args *a = arg;
	size_t len = a->pages * PAGE;
	const volatile char *p = NULL;
	char path[64];
	uint64_t i, bad;
	int fd = -1;

	for (;;) {
		uint64_t cmd = exp_child_next(), ret = 0;

		switch (cmd) {
		case FM_MAP:
		case FM_MAP_RANDOM:
			snprintf(path, sizeof(path), "/proc/self/fd/%d", a->fd);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				break;
			p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED) {
				p = NULL;
				break;
			}
			if (cmd == FM_MAP_RANDOM &&
			    madvise((void *)p, len, MADV_RANDOM))
				break;
			ret = (uintptr_t)p;
			break;
		case FM_TOUCH_FIRST:
			ret = p && p[0] == fm_byte(0);
			break;
		case FM_TOUCH_ALL:
			for (i = 0, bad = 0; p && i < a->pages; i++)
				bad += p[i * PAGE] != fm_byte(i);
			ret = p && !bad;
			break;
		case FM_UNMAP:
			if (p)
				munmap((void *)p, len);
			if (fd >= 0)
				close(fd);
			p = NULL;
			fd = -1;
			ret = 1;
			break;
		}
		exp_child_reply(ret);
	}
}

/* How many pages of the file are in the page cache (mincore). */
static long fm_cached(int fd, uint64_t pages)
{
	unsigned char *vec = malloc(pages);
	long n = -1;
	uint64_t i;
	void *p;

	if (!vec)
		return -1;
	p = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		if (!mincore(p, pages * PAGE, vec))
			for (i = 0, n = 0; i < pages; i++)
				n += vec[i] & 1;
		munmap(p, pages * PAGE);
	}
	free(vec);
	return n;
}

/*
 * Drop the file's pages from the page cache: what "echo 1 >
 * /proc/sys/vm/drop_caches" does, for this file only.  Once written back
 * (fsync) and mapped nowhere, every page is clean and unmapped, and
 * POSIX_FADV_DONTNEED drops them all.  Returns the pages still cached.
 */
static long fm_drop(int fd, uint64_t pages)
{
	long cached = -1;
	int tries;

	for (tries = 0; tries < 3 && cached; tries++) {
		if (fsync(fd) || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
			return -1;
		cached = fm_cached(fd, pages);
	}
	return cached;
}

/*
 * A file of @pages pages in @dir that no name refers to (O_TMPFILE, or
 * created and unlinked at once): it goes away with the last descriptor,
 * also when the experiment is interrupted.  The descriptor, or -errno.
 */
static int fm_make_file(const char *dir, uint64_t pages)
{
	char path[4096], buf[PAGE];
	uint64_t i;
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {
		snprintf(path, sizeof(path), "%s/vmscope-exp-file.%d", dir,
			 getpid());
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			unlink(path);
	}
	if (fd < 0)
		return -errno;
	for (i = 0; i < pages; i++) {
		memset(buf, fm_byte(i), sizeof(buf));
		if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
			close(fd);
			return -ENOSPC;
		}
	}
	return fd;
}

/* read_ahead_kb of the block device under @fd's file, or -1. */
static long fm_read_ahead_kb(int fd)
{
	static const char *const up[] = { "", "../" };	/* a partition */
	char path[128];
	struct stat st;
	long kb = -1;
	size_t i;
	FILE *f;

	if (fstat(fd, &st))
		return -1;
	for (i = 0; i < sizeof(up) / sizeof(up[0]) && kb < 0; i++) {
		snprintf(path, sizeof(path),
			 "/sys/dev/block/%u:%u/%squeue/read_ahead_kb",
			 major(st.st_dev), minor(st.st_dev), up[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%ld", &kb) != 1)
			kb = -1;
		fclose(f);
	}
	return kb;
}

/* Faults of the reader and the system's pgmajfault over one command. */
struct fm_faults {
	double major, minor, sys_major;
};

static int fm_do(struct exp_ctx *x, struct exp_child *c, uint64_t cmd,
		 struct fm_faults *d)
{
	__u64 v0[VMSCOPE_STAT_NR], v1[VMSCOPE_STAT_NR];
	struct vmscope_faults f0, f1;
	uint64_t ret;

	if (exp_faults(x->fd, c->pid, &f0) || exp_vmstat(x->fd, v0))
		return -1;
	ret = exp_child_do(c, cmd);
	if (!ret || ret == UINT64_MAX)
		return -1;
	if (exp_faults(x->fd, c->pid, &f1) || exp_vmstat(x->fd, v1))
		return -1;
	d->major += (double)(f1.maj_flt - f0.maj_flt);
	d->minor += (double)(f1.min_flt - f0.min_flt);
	d->sys_major += (double)(v1[VMSCOPE_STAT_PGMAJFAULT] -
				 v0[VMSCOPE_STAT_PGMAJFAULT]);
	return 0;
}

static void fm_measure_faults(struct exp_ctx *x, const char *round,
			      const struct fm_faults *d, const char *what)
{
	char key[48], text[EXP_TEXT];

	snprintf(key, sizeof(key), "%s_major", round);
	snprintf(text, sizeof(text), "major faults of the reader: %s", what);
	exp_measure(x, key, d->major, "faults", text);
	snprintf(key, sizeof(key), "%s_minor", round);
	exp_measure(x, key, d->minor, "faults", "its minor faults");
	snprintf(key, sizeof(key), "%s_pgmajfault", round);
	exp_measure(x, key, d->sys_major, "faults",
		    "pgmajfault of /proc/vmstat meanwhile (whole system)");
}

/* A dir= on a file system whose pages are read from a disk, or a skip. */
static const char *fm_dir(struct exp_ctx *x)
{
	const char *dir = exp_arg_str(x, "dir", getenv("VMSCOPE_DISK"));
	struct statfs sfs;

	if (!dir) {
		exp_skip(x, "no file system to read from: give dir=DIR on a disk (or set VMSCOPE_DISK); on tmpfs, file pages are never read back, so never a major fault");
		return NULL;
	}
	if (statfs(dir, &sfs)) {
		exp_skip(x, "dir=%s: %s", dir, strerror(errno));
		return NULL;
	}
	if (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC) {
		exp_skip(x, "dir=%s is tmpfs/ramfs: its pages are only in memory, never read from a disk, so never a major fault; give dir= on a disk",
			 dir);
		return NULL;
	}
	return dir;
}

struct fm_result {
	long cached0, first_cached, cold_cached, random_cached;
	uint64_t first_mapped, cold_mapped, warm_mapped;
	struct fm_faults first, cold, warm, random;
};

/* The rounds of reading; false (and inconclusive) if one failed. */
static bool fm_rounds(struct exp_ctx *x, struct exp_child *c,
		      const struct fm_args *a, struct fm_result *r)
{
	uint64_t addr, end;

	addr = exp_child_do(c, FM_MAP);
	end = addr + a->pages * PAGE;
	if (!addr || addr == UINT64_MAX ||
	    fm_do(x, c, FM_TOUCH_FIRST, &r->first))
		goto failed;
	r->first_cached = fm_cached(a->fd, a->pages);
	r->first_mapped = exp_pages_with(x->fd, c->pid, addr, end,
					 VMSCOPE_PAGE_FILE);
	r->cold = r->first;
	if (fm_do(x, c, FM_TOUCH_ALL, &r->cold))
		goto failed;
	r->cold_cached = fm_cached(a->fd, a->pages);
	r->cold_mapped = exp_pages_with(x->fd, c->pid, addr, end,
					VMSCOPE_PAGE_FILE);
	exp_step(x, "the reader mapped it (MAP_SHARED, PROT_READ), read a byte of page 0, then of every page");

	exp_child_do(c, FM_UNMAP);
	addr = exp_child_do(c, FM_MAP);
	end = addr + a->pages * PAGE;
	if (!addr || addr == UINT64_MAX ||
	    fm_do(x, c, FM_TOUCH_ALL, &r->warm))
		goto failed;
	r->warm_mapped = exp_pages_with(x->fd, c->pid, addr, end,
					VMSCOPE_PAGE_FILE);
	exp_step(x, "it unmapped the file, mapped it again and read every page again");

	exp_child_do(c, FM_UNMAP);
	if (fm_drop(a->fd, a->pages)) {
		exp_inconclusive(x, "could not drop the file's pages from the page cache a second time");
		return false;
	}
	addr = exp_child_do(c, FM_MAP_RANDOM);
	if (!addr || addr == UINT64_MAX ||
	    fm_do(x, c, FM_TOUCH_ALL, &r->random))
		goto failed;
	r->random_cached = fm_cached(a->fd, a->pages);
	exp_step(x, "dropped the pages again; the reader mapped the file with madvise(MADV_RANDOM) (no readahead) and read every page");
	exp_child_do(c, FM_UNMAP);
	return true;
failed:
	exp_inconclusive(x, "the reader failed to map or read the file (or died)");
	return false;
}

static void fm_report(struct exp_ctx *x, const struct fm_args *a,
		      const struct fm_result *r)
{
	double n = (double)a->pages;

	exp_measure(x, "cached_before", (double)r->cached0, "pages",
		    "pages of the file in the page cache before (mincore)");
	fm_measure_faults(x, "first", &r->first, "reading page 0");
	exp_measure(x, "first_cached", (double)r->first_cached, "pages",
		    "pages in the page cache after that one read (readahead)");
	exp_measure(x, "first_mapped", (double)r->first_mapped, "pages",
		    "pages the reader had mapped then (WALK: present, PAGE_FILE)");
	fm_measure_faults(x, "cold", &r->cold, "reading every page, page 0 included");
	exp_measure(x, "cold_cached", (double)r->cold_cached, "pages",
		    "pages in the page cache after reading them all");
	exp_measure(x, "cold_mapped", (double)r->cold_mapped, "pages",
		    "pages the reader had mapped then");
	fm_measure_faults(x, "warm", &r->warm, "reading every page again");
	exp_measure(x, "warm_mapped", (double)r->warm_mapped, "pages",
		    "pages the reader had mapped then");
	fm_measure_faults(x, "random", &r->random,
			  "reading every page under MADV_RANDOM, uncached");
	exp_measure(x, "random_cached", (double)r->random_cached, "pages",
		    "pages in the page cache after it");

	exp_expect(x, r->first.major >= 1 && r->first_cached > 1,
		   "the first read of an uncached page is a major fault, and it brings more pages than that one into the page cache (readahead)");
	exp_expect(x, r->cold.major >= 1 && r->cold.major <= n / 8,
		   "reading all %llu pages takes major faults, but far fewer than pages (at most one per 8)",
		   (unsigned long long)a->pages);
	exp_expect(x, r->cold_cached == (long)a->pages &&
		   r->cold_mapped == a->pages,
		   "after it every page is in the page cache and mapped by the reader as a file page");
	exp_expect(x, r->cold.sys_major >= 1,
		   "the system's pgmajfault counts the reads from the disk too");
	exp_expect(x, r->warm.major == 0 && r->warm.minor >= 1 &&
		   r->warm_mapped == a->pages,
		   "reading the file again through a new mapping takes no major fault, only minor ones");
	exp_expect(x, r->random.major >= n && r->random.sys_major >= n &&
		   r->random_cached == (long)a->pages,
		   "with MADV_RANDOM, no readahead: every uncached page is a major fault of its own");
}

static void file_mmap(struct exp_ctx *x)
{
	long pages = exp_arg(x, "pages", 1024), ra_kb;
	struct fm_result r = { 0 };
	const char *dir = fm_dir(x);
	struct fm_args a;
	struct exp_child c;

	if (!dir)
		return;
	if (pages < 64 || pages > FM_MAX_PAGES)
		return exp_skip(x, "pages= from 64 to %d please", FM_MAX_PAGES);
	a.pages = (uint64_t)pages;
	a.fd = fm_make_file(dir, a.pages);
	if (a.fd < 0)
		return exp_skip(x, "cannot write a %llu-page file in %s: %s",
				(unsigned long long)a.pages, dir,
				strerror(-a.fd));
	ra_kb = fm_read_ahead_kb(a.fd);
	exp_step(x, "wrote a file of %llu pages in %s (unnamed: O_TMPFILE)",
		 (unsigned long long)a.pages, dir);
	r.cached0 = fm_drop(a.fd, a.pages);
	exp_step(x, "dropped its pages from the page cache: fsync, posix_fadvise(POSIX_FADV_DONTNEED)");
	if (r.cached0) {
		close(a.fd);
		if (r.cached0 < 0)
			return exp_inconclusive(x, "fsync, posix_fadvise or mincore failed: %s",
						strerror(errno));
		return exp_inconclusive(x, "could not drop the file's pages from the page cache (%ld still cached)",
					r.cached0);
	}
	exp_measure(x, "file_pages", (double)a.pages, "pages",
		    "size of the file");
	if (ra_kb >= 0)
		exp_measure(x, "read_ahead_kb", (double)ra_kb, "KiB",
			    "readahead window of its block device (queue/read_ahead_kb)");
	if (exp_child_start(&c, fm_child, &a)) {
		close(a.fd);
		return exp_inconclusive(x, "cannot start the reader");
	}
	if (fm_rounds(x, &c, &a, &r))
		fm_report(x, &a, &r);
	exp_child_kill(&c);
	close(a.fd);
}

static const struct vmscope_exp exp_file_mmap = {
	.name = "file-mmap",
	.order = 9,
	.claim = "reading a mapped file whose pages are not in the page cache takes major faults, far fewer than pages thanks to readahead; reading it again takes none; without readahead (MADV_RANDOM) every page is one",
	.next = "vmscope faults PID of a program reading files; mincore(2), madvise(2) MADV_RANDOM/MADV_SEQUENTIAL, /sys/block/DEV/queue/read_ahead_kb",
	.run = file_mmap,
};
EXP_REGISTER(exp_file_mmap)
