// SPDX-License-Identifier: GPL-2.0
/*
 * Experiments on the page cache: Buffers against Cached, the second read
 * of a file, writeback (pre-cleaning and throttling) and swappiness.
 * Each measures through VMSCOPE_IOC_MEMORY, VMSCOPE_IOC_FILECACHE and the
 * reclaim counters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>

#include "exp.h"

#define PAGE		4096UL
#define MiB		(1024UL * 1024)
#define VM_SYSCTL(name)	"/proc/sys/vm/" name

/* echo 3 > drop_caches, after writing everything back. */
static int pc_drop_caches(void)
{
	sync();
	return exp_write_file(VM_SYSCTL("drop_caches"), "3");
}

static int pc_memory(struct exp_ctx *x, struct vmscope_memory *m)
{
	memset(m, 0, sizeof(*m));
	m->size = sizeof(*m);
	return ioctl(x->fd, VMSCOPE_IOC_MEMORY, m) ? -errno : 0;
}

/* Pages of the file @fd in the page cache, from its address_space. */
static long pc_cached(struct exp_ctx *x, int fd, uint64_t *dirty,
		      uint32_t *out_flags)
{
	struct vmscope_filecache fc;
	long cached = 0;

	if (dirty)
		*dirty = 0;
	memset(&fc, 0, sizeof(fc));
	do {
		fc.size = sizeof(fc);
		fc.fd = fd;
		fc.start = fc.next;
		fc.end = 0;
		if (ioctl(x->fd, VMSCOPE_IOC_FILECACHE, &fc))
			return -1;
		cached += fc.cached_pages;
		if (dirty)
			*dirty += fc.dirty_pages + fc.writeback_pages;
	} while (!(fc.out_flags & VMSCOPE_FILECACHE_DONE));
	if (out_flags)
		*out_flags = fc.out_flags;
	return cached;
}

/* A file system on a disk: dir=, or $VMSCOPE_DISK; NULL and a skip. */
static const char *pc_disk_dir(struct exp_ctx *x)
{
	const char *dir = exp_arg_str(x, "dir", getenv("VMSCOPE_DISK"));
	struct statfs sfs;

	if (!dir) {
		exp_skip(x, "no file system on a disk: give dir=DIR (or set VMSCOPE_DISK); tmpfs pages are never read from a disk");
		return NULL;
	}
	if (statfs(dir, &sfs)) {
		exp_skip(x, "dir=%s: %s", dir, strerror(errno));
		return NULL;
	}
	if (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC) {
		exp_skip(x, "dir=%s is tmpfs/ramfs: no disk under it", dir);
		return NULL;
	}
	return dir;
}

/* An unnamed file of @pages pages in @dir, written back; fd or -errno. */
static int pc_make_file(const char *dir, uint64_t pages)
{
	char path[4096];
	static char buf[64 * 1024];
	uint64_t done;
	int fd;

	snprintf(path, sizeof(path), "%s/vmscope-exp-cache.%d", dir, getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	unlink(path);
	memset(buf, 'c', sizeof(buf));
	for (done = 0; done < pages * PAGE; done += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
			close(fd);
			return -ENOSPC;
		}
	if (fsync(fd)) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Read @len bytes of @fd from @off with read(2) (or O_DIRECT). */
static int pc_read(int fd, uint64_t off, uint64_t len)
{
	void *buf;
	ssize_t n;
	int err = 0;

	if (posix_memalign(&buf, PAGE, 64 * 1024))
		return -ENOMEM;
	while (len && !err) {
		n = pread(fd, buf, len < 65536 ? len : 65536, off);
		if (n <= 0)
			err = n < 0 ? -errno : -EIO;
		else {
			off += n;
			len -= n;
		}
	}
	free(buf);
	return err;
}

/* The block device under @dir, opened read-only; fd or -errno. */
static int pc_open_blockdev(const char *dir, char *name, size_t len)
{
	char path[128], line[256];
	struct stat st;
	FILE *f;
	int fd;

	if (stat(dir, &st))
		return -errno;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent",
		 major(st.st_dev), minor(st.st_dev));
	f = fopen(path, "re");
	if (!f)
		return -ENODEV;
	name[0] = 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(name, len, "/dev/%s", line + 8);
		}
	fclose(f);
	if (!name[0])
		return -ENODEV;
	fd = open(name, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ---- buffer-vs-cache ---- */

static void buffer_vs_cache(struct exp_ctx *x)
{
	const long pages = exp_arg(x, "pages", 1024);
	struct vmscope_memory m0, m1, m2;
	const char *dir = pc_disk_dir(x);
	long dev_cached, file_cached;
	uint32_t flags = 0;
	char name[300];
	int bdev, fd;

	if (!dir)
		return;
	if (pages < 256 || pages > 4096)
		return exp_skip(x, "pages= from 256 to 4096 please");
	fd = pc_make_file(dir, pages);
	if (fd < 0)
		return exp_skip(x, "cannot write a file in %s: %s", dir,
				strerror(-fd));
	bdev = pc_open_blockdev(dir, name, sizeof(name));
	if (bdev < 0) {
		close(fd);
		return exp_skip(x, "cannot open the block device under %s: %s",
				dir, strerror(-bdev));
	}
	exp_step(x, "wrote a file of %ld pages in %s (on %s) and synced it",
		 pages, dir, name);
	if (pc_drop_caches() || pc_memory(x, &m0))
		goto fail;
	exp_step(x, "dropped the caches (sync; echo 3 > /proc/sys/vm/drop_caches)");
	if (pc_read(bdev, 0, pages * PAGE) || pc_memory(x, &m1))
		goto fail;
	dev_cached = pc_cached(x, bdev, NULL, &flags);
	exp_step(x, "read %ld pages of %s itself (the raw device)", pages, name);
	if (pc_read(fd, 0, pages * PAGE) || pc_memory(x, &m2))
		goto fail;
	file_cached = pc_cached(x, fd, NULL, NULL);
	exp_step(x, "read the %ld pages of the file through the file system", pages);

#define D(a, b, i) ((double)(b).pages[i] - (double)(a).pages[i])
	exp_measure(x, "raw_buffers", D(m0, m1, VMSCOPE_MEM_BUFFERS), "pages",
		    "growth of Buffers while reading the device");
	exp_measure(x, "raw_cached", D(m0, m1, VMSCOPE_MEM_CACHED), "pages",
		    "growth of Cached meanwhile");
	exp_measure(x, "device_cached", dev_cached, "pages",
		    "the device's pages in its page cache (vmscope cache DEV)");
	exp_measure(x, "device_is_blockdev",
		    !!(flags & VMSCOPE_FILECACHE_BLOCKDEV), "bool",
		    "the module counts the device's cache as Buffers");
	exp_measure(x, "file_cached_growth", D(m1, m2, VMSCOPE_MEM_CACHED),
		    "pages", "growth of Cached while reading the file");
	exp_measure(x, "file_buffers_growth", D(m1, m2, VMSCOPE_MEM_BUFFERS),
		    "pages", "growth of Buffers meanwhile (the file system's metadata)");
	exp_measure(x, "file_cached", file_cached, "pages",
		    "the file's pages in its page cache (vmscope cache FILE)");
	exp_expect(x, D(m0, m1, VMSCOPE_MEM_BUFFERS) >= pages * 9 / 10 &&
		   D(m0, m1, VMSCOPE_MEM_CACHED) < pages / 4,
		   "reading the block device grows Buffers by about its pages, not Cached");
	exp_expect(x, dev_cached >= pages &&
		   (flags & VMSCOPE_FILECACHE_BLOCKDEV),
		   "vmscope cache shows the device's pages, as a block device");
	exp_expect(x, D(m1, m2, VMSCOPE_MEM_CACHED) >= pages * 9 / 10 &&
		   D(m1, m2, VMSCOPE_MEM_BUFFERS) < pages / 4,
		   "reading a file through the file system grows Cached, not Buffers (only its metadata goes there)");
	exp_expect(x, file_cached == pages,
		   "vmscope cache shows every page of the file cached");
#undef D
	close(bdev);
	close(fd);
	return;
fail:
	close(bdev);
	close(fd);
	exp_inconclusive(x, "dropping the caches, reading or measuring failed: %s",
			 strerror(errno));
}

static const struct vmscope_exp exp_buffer_vs_cache = {
	.name = "buffer-vs-cache",
	.order = 20,
	.claim = "Buffers is the page cache of block devices (raw reads, file system metadata); Cached is the page cache of files",
	.next = "vmscope memory; vmscope cache /dev/DEV FILE; vmscope cache --top 10",
	.needs = EXP_NEEDS_ROOT,
	.run = buffer_vs_cache,
};
EXP_REGISTER(exp_buffer_vs_cache)

/* ---- page-cache ---- */

struct pc_round {
	double major;		/* major faults of this process */
	double pgpgin;		/* kB read from disks, system-wide */
	long cached;		/* the file's pages cached after it */
};

/* Read every page of @fd through a mapping (or O_DIRECT @direct_fd). */
static int pc_round(struct exp_ctx *x, int fd, int direct_fd, uint64_t pages,
		    struct pc_round *r)
{
	__u64 v0[VMSCOPE_STAT_NR], v1[VMSCOPE_STAT_NR];
	struct vmscope_faults f0, f1;
	volatile const char *p;
	uint64_t i, sum = 1;

	if (exp_faults(x->fd, getpid(), &f0) || exp_vmstat(x->fd, v0))
		return -1;
	if (direct_fd >= 0) {
		if (pc_read(direct_fd, 0, pages * PAGE))
			return -1;
	} else {
		p = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return -1;
		for (i = 0, sum = 0; i < pages; i++)
			sum += p[i * PAGE];
		munmap((void *)p, pages * PAGE);
	}
	if (exp_faults(x->fd, getpid(), &f1) || exp_vmstat(x->fd, v1))
		return -1;
	r->major = (double)(f1.maj_flt - f0.maj_flt);
	r->pgpgin = (double)(v1[VMSCOPE_STAT_PGPGIN] - v0[VMSCOPE_STAT_PGPGIN]);
	r->cached = pc_cached(x, fd, NULL, NULL);
	return sum ? 0 : -1;
}

static void pc_report(struct exp_ctx *x, const char *name,
		      const struct pc_round *r, const char *what)
{
	char key[48], text[EXP_TEXT];

	snprintf(key, sizeof(key), "%s_major", name);
	snprintf(text, sizeof(text), "major faults: %s", what);
	exp_measure(x, key, r->major, "faults", text);
	snprintf(key, sizeof(key), "%s_read_kb", name);
	exp_measure(x, key, r->pgpgin, "KiB", "read from disks meanwhile (pgpgin)");
	snprintf(key, sizeof(key), "%s_cached", name);
	exp_measure(x, key, r->cached, "pages", "the file's pages cached after it");
}

static void page_cache(struct exp_ctx *x)
{
	const long pages = exp_arg(x, "pages", 1024);
	struct pc_round first = { 0 }, second = { 0 }, dropped = { 0 },
			direct = { 0 };
	const char *dir = pc_disk_dir(x);
	double kb = pages * (PAGE / 1024.0);
	char path[64];
	int fd, dfd;

	if (!dir)
		return;
	if (pages < 256 || pages > 8192)
		return exp_skip(x, "pages= from 256 to 8192 please");
	fd = pc_make_file(dir, pages);
	if (fd < 0)
		return exp_skip(x, "cannot write a file in %s: %s", dir,
				strerror(-fd));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	dfd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	exp_step(x, "wrote a file of %ld pages in %s and synced it", pages, dir);
	if (pc_drop_caches() ||
	    pc_round(x, fd, -1, pages, &first))
		goto fail;
	exp_step(x, "dropped the caches; mapped the file and read every page (first read)");
	if (pc_round(x, fd, -1, pages, &second))
		goto fail;
	exp_step(x, "mapped it again and read every page (second read)");
	if (pc_drop_caches() || pc_round(x, fd, -1, pages, &dropped))
		goto fail;
	exp_step(x, "dropped the caches again and read every page");
	if (dfd >= 0 && (pc_drop_caches() ||
			 pc_round(x, fd, dfd, pages, &direct)))
		goto fail;
	if (dfd >= 0)
		exp_step(x, "dropped the caches and read the file with O_DIRECT");
	pc_report(x, "first", &first, "first read of the uncached file");
	pc_report(x, "second", &second, "the second read");
	pc_report(x, "dropped", &dropped, "the read after dropping the caches");
	exp_expect(x, first.major >= 1 && first.pgpgin >= kb * 9 / 10 &&
		   first.cached == pages,
		   "the first read takes major faults and reads the file from the disk; afterwards it is cached");
	exp_expect(x, second.major == 0 && second.pgpgin < kb / 10,
		   "the second read takes no major fault and reads nothing from the disk");
	exp_expect(x, dropped.major >= 1 && dropped.pgpgin >= kb * 9 / 10,
		   "after dropping the caches it is the first read again");
	if (dfd >= 0) {
		pc_report(x, "direct", &direct, "O_DIRECT read (read(2), no mapping)");
		exp_expect(x, direct.pgpgin >= kb * 9 / 10 && direct.cached == 0,
			   "O_DIRECT reads from the disk and leaves nothing in the page cache");
		close(dfd);
	}
	close(fd);
	return;
fail:
	if (dfd >= 0)
		close(dfd);
	close(fd);
	exp_inconclusive(x, "dropping the caches, reading or measuring failed: %s",
			 strerror(errno));
}

static const struct vmscope_exp exp_page_cache = {
	.name = "page-cache",
	.order = 21,
	.claim = "the page cache makes the second read of a file free: no major faults, no reads from the disk; dropping the caches makes it the first again; O_DIRECT bypasses the cache",
	.next = "vmscope cache FILE -v; vmscope cache --watch 1; fincore(1); /proc/sys/vm/drop_caches",
	.needs = EXP_NEEDS_ROOT,
	.run = page_cache,
};
EXP_REGISTER(exp_page_cache)

/* ---- writeback ---- */

static long long pc_file_num(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return strtoll(buf, NULL, 0);	/* lru_gen/enabled is hex */
}

/*
 * Dirty limits in bytes, restored by the cleanup: the ratios are recorded
 * first (writing a *_bytes file zeroes its ratio, and a ratio restored
 * last zeroes the bytes again), as the reclaim experiment does.
 */
static int pc_dirty_limits(struct exp_ctx *x, uint64_t background,
			   uint64_t limit)
{
	static const char *const ratios[] = {
		VM_SYSCTL("dirty_ratio"), VM_SYSCTL("dirty_background_ratio"),
	};
	static struct exp_ctx *recorded;
	char val[32], bg[32];
	size_t i;
	int err;

	snprintf(val, sizeof(val), "%llu", (unsigned long long)limit);
	snprintf(bg, sizeof(bg), "%llu", (unsigned long long)background);
	/* once per run: the cleanup has room for 16 settings */
	if (recorded == x)
		return exp_write_file(VM_SYSCTL("dirty_bytes"), val) ?:
		       exp_write_file(VM_SYSCTL("dirty_background_bytes"), bg);
	for (i = 0; i < 2; i++) {
		char ratio[32];

		snprintf(ratio, sizeof(ratio), "%lld", pc_file_num(ratios[i]));
		err = exp_sysctl_set(ratios[i], ratio);
		if (err)
			return err;
	}
	recorded = x;
	return exp_sysctl_set(VM_SYSCTL("dirty_bytes"), val) ?:
	       exp_sysctl_set(VM_SYSCTL("dirty_background_bytes"), bg);
}

/* the small dirty_bytes of the throttled run: 32 pages */
#define WB_SMALL	(128 * 1024UL)

struct wb_run {
	uint64_t dirty_after_write;	/* the file's dirty pages, at once */
	uint64_t dirty_later;		/* and after up to 3 s */
	uint64_t max_dirty;		/* Dirty + Writeback seen while writing */
	double written;			/* nr_written meanwhile */
	double sleeps;			/* times the writer was held back */
};

/*
 * The writer's voluntary context switches: balance_dirty_pages() holds a
 * writer back by sleeping (io_schedule_timeout()), and nothing else in
 * its loop of write() to a page-cache file and ioctl() sleeps, unless the
 * disk is slow.  (The writeback:balance_dirty_pages tracepoint would say
 * it directly, but enabling a trace event live-patches the scheduler's
 * tracepoints, which crashed a 6.12 guest under QEMU's TCG once.)
 */
static double pc_sleeps(void)
{
	return (double)file_key_ll("/proc/self/status",
				   "voluntary_ctxt_switches");
}

/*
 * Write @pages pages to a new file in @dir in 64 KiB steps, without
 * syncing, watching the system's Dirty + Writeback; then watch the file's
 * dirty pages for up to 3 s (as long as they keep falling).
 */
static int wb_write(struct exp_ctx *x, const char *dir, uint64_t pages,
		    struct wb_run *r)
{
	static char buf[64 * 1024];
	struct vmscope_memory m0, m;
	char path[4096];
	uint64_t done, d, dirty;
	int fd, i;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/vmscope-exp-wb.%d", dir, getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	unlink(path);
	memset(buf, 'w', sizeof(buf));
	if (pc_memory(x, &m0))
		goto fail;
	r->sleeps = pc_sleeps();
	for (done = 0; done < pages * PAGE; done += sizeof(buf)) {
		if (write(fd, buf, sizeof(buf)) != sizeof(buf) ||
		    pc_memory(x, &m))
			goto fail;
		d = m.pages[VMSCOPE_MEM_DIRTY] + m.pages[VMSCOPE_MEM_WRITEBACK];
		if (d > r->max_dirty)
			r->max_dirty = d;
	}
	r->sleeps = pc_sleeps() - r->sleeps;
	pc_cached(x, fd, &r->dirty_after_write, NULL);
	dirty = r->dirty_after_write;
	for (i = 0; i < 30 && dirty; i++) {
		usleep(100000);
		pc_cached(x, fd, &dirty, NULL);
	}
	r->dirty_later = dirty;
	if (pc_memory(x, &m))
		goto fail;
	r->written = (double)m.pages[VMSCOPE_MEM_NR_WRITTEN] -
		     (double)m0.pages[VMSCOPE_MEM_NR_WRITTEN];
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

/*
 * A slow disk for the writer's throttle: cgroup v2's io.max limits the
 * ext2 disk's writes in the writer's cgroup to WB_SLOW_BPS, and cgroup
 * writeback issues the writeback of the pages it dirtied in its name.
 */
#define WB_SLOW_BPS	(2 * MiB)
/* balance_dirty_pages() sleeps at most MAX_PAUSE (HZ / 5) at a time */
#define WB_MAX_PAUSE_S	0.2

/*
 * A cgroup whose writes to the disk under @dir are limited to WB_SLOW_BPS
 * (the io controller on, for io.max; the memory one, so that the pages its
 * tasks dirty are its own and written back in its name); its device in
 * @devno ("MAJ:MIN").  0 or -errno.
 */
static int wb_slow_cgroup(const char *dir, char *cg, size_t len, char *devno,
			  size_t dlen)
{
	char file[192], val[64];
	struct stat st;
	int err;

	if (stat(dir, &st))
		return -errno;
	snprintf(devno, dlen, "%u:%u", major(st.st_dev), minor(st.st_dev));
	err = exp_cgroup_make(cg, len, "max", "max");
	if (err)
		return err;
	err = exp_controller_enable("io");
	if (err)
		return err;
	snprintf(file, sizeof(file), "%s/io.max", cg);
	snprintf(val, sizeof(val), "%s wbps=%lu", devno, WB_SLOW_BPS);
	return exp_write_file(file, val);
}

/* io.stat's wbytes for @devno in @cg: bytes written in its name, or -1. */
static long long wb_cgroup_written(const char *cg, const char *devno)
{
	char file[192], line[512], *w;
	long long v = -1;
	size_t n = strlen(devno);
	FILE *f;

	snprintf(file, sizeof(file), "%s/io.stat", cg);
	f = fopen(file, "re");
	while (f && fgets(line, sizeof(line), f)) {
		w = strstr(line, " wbytes=");
		if (!strncmp(line, devno, n) && line[n] == ' ' && w)
			v = strtoll(w + 8, NULL, 10);
	}
	if (f)
		fclose(f);
	return v;
}

/*
 * wb_write() in a child inside the cgroup @cg: its voluntary context
 * switches are the writer's.  0 or -1.
 */
static int wb_write_in(struct exp_ctx *x, const char *cg, const char *dir,
		       uint64_t pages, struct wb_run *r)
{
	struct wb_run *shared = exp_shared(sizeof(*r));
	int st, ret = -1;
	pid_t pid;

	if (!shared)
		return -1;
	pid = exp_fork();
	if (!pid)
		_exit(exp_cgroup_enter(cg) || wb_write(x, dir, pages, shared));
	if (pid > 0 && exp_wait(pid, &st) == pid && WIFEXITED(st) &&
	    !WEXITSTATUS(st)) {
		*r = *shared;
		ret = 0;
	}
	exp_unshare(shared, sizeof(*r));
	return ret;
}

/*
 * On the slow disk, the same writer under a large and under a small
 * dirty_bytes.  0; 1 when there is no slow disk here (no io controller);
 * -1 on errors.
 */
static int wb_slow(struct exp_ctx *x, const char *dir, uint64_t pages,
		   struct wb_run *free_run, struct wb_run *held,
		   long long *written)
{
	char cg[160], devno[32];

	if (!exp_have_memcg() ||
	    wb_slow_cgroup(dir, cg, sizeof(cg), devno, sizeof(devno)))
		return 1;
	if (pc_dirty_limits(x, pages * PAGE * 4, pages * PAGE * 8) ||
	    wb_write_in(x, cg, dir, pages, free_run) ||
	    pc_dirty_limits(x, WB_SMALL / 4, WB_SMALL) ||
	    wb_write_in(x, cg, dir, pages, held))
		return -1;
	*written = wb_cgroup_written(cg, devno);
	exp_step(x, "in a cgroup whose writes to %s are limited to %lu MiB/s (io.max wbps), the same writer under dirty_bytes %lu MiB, then %lu KiB",
		 devno, WB_SLOW_BPS / MiB, pages * PAGE * 8 / MiB,
		 WB_SMALL / 1024);
	return 0;
}

#define WB_CG_LIMIT	"16M"
#define WB_CG_PAGES	(32 * MiB / PAGE)

struct wb_reclaim {
	double seconds;		/* to write WB_CG_PAGES in the cgroup */
	double scanned;		/* pgscan_file meanwhile */
	double stolen;		/* pgsteal_file meanwhile */
};

/*
 * Write twice the limit of a memory cgroup: reclaim meets dirty pages.
 * 0; 1 when the memory cgroup's OOM killer killed the writer (SIGKILL,
 * and an oom_kill in the cgroup's memory.events): reclaim found nothing
 * it could free in time, the pages being dirty or under writeback, which
 * a slow disk makes likely; -1 on errors.
 */
static int wb_reclaim(struct exp_ctx *x, const char *dir, struct wb_reclaim *r)
{
	__u64 v0[VMSCOPE_STAT_NR], v1[VMSCOPE_STAT_NR];
	char cg[160], path[4096];
	double t;
	int st;
	pid_t pid;

	if (exp_cgroup_make(cg, sizeof(cg), WB_CG_LIMIT, "0"))
		return -1;
	snprintf(path, sizeof(path), "%s/vmscope-exp-wbr.%d", dir, getpid());
	exp_vmstat(x->fd, v0);
	t = now_secs();
	pid = exp_fork();
	if (!pid) {
		static char buf[64 * 1024];
		uint64_t done;
		int fd;

		memset(buf, 'r', sizeof(buf));
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		/* gone with the writer, however the experiment ends */
		if (fd >= 0)
			unlink(path);
		if (exp_cgroup_enter(cg) || fd < 0)
			_exit(1);
		for (done = 0; done < WB_CG_PAGES * PAGE; done += sizeof(buf))
			if (write(fd, buf, sizeof(buf)) != sizeof(buf))
				_exit(1);
		_exit(0);
	}
	if (pid < 0 || exp_wait(pid, &st) != pid)
		return -1;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL &&
	    exp_cgroup_stat(cg, "memory.events", "oom_kill") > 0)
		return 1;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	r->seconds = now_secs() - t;
	exp_vmstat(x->fd, v1);
	r->scanned = (double)(v1[VMSCOPE_STAT_PGSCAN_FILE] -
			      v0[VMSCOPE_STAT_PGSCAN_FILE]);
	r->stolen = (double)(v1[VMSCOPE_STAT_PGSTEAL_FILE] -
			     v0[VMSCOPE_STAT_PGSTEAL_FILE]);
	return 0;
}

static void wb_reclaim_report(struct exp_ctx *x, const char *name,
			      const struct wb_reclaim *r)
{
	char key[48];

	snprintf(key, sizeof(key), "%s_reclaim_s", name);
	exp_measure(x, key, r->seconds, "s",
		    "time to write 32 MiB in a cgroup with memory.max 16M");
	snprintf(key, sizeof(key), "%s_reclaim_scanned", name);
	exp_measure(x, key, r->scanned, "pages", "pgscan_file meanwhile");
	snprintf(key, sizeof(key), "%s_reclaim_stolen", name);
	exp_measure(x, key, r->stolen, "pages", "pgsteal_file meanwhile");
}

/*
 * The writer of wb_reclaim() with pre-cleaning (dirty_background_bytes
 * @limit / 2 pages), then without.  Measured, not checked: a run whose
 * writer the cgroup's OOM killer took is a step, not a failure, and
 * leaves its seconds 0.  0 or -1.
 */
static int wb_reclaim_runs(struct exp_ctx *x, const char *dir, long pages,
			   uint64_t limit, struct wb_reclaim *cleaned,
			   struct wb_reclaim *cold)
{
	int c, d;

	if (pc_dirty_limits(x, limit * PAGE / 2, pages * PAGE * 8))
		return -1;
	c = wb_reclaim(x, dir, cleaned);
	if (c < 0 || pc_dirty_limits(x, pages * PAGE * 4, pages * PAGE * 8))
		return -1;
	d = wb_reclaim(x, dir, cold);
	if (d < 0)
		return -1;
	exp_step(x, "in a cgroup with memory.max %s, wrote 32 MiB with pre-cleaning (dirty_background_bytes 512 KiB)%s, then without (%lu MiB)%s",
		 WB_CG_LIMIT, c ? " (the cgroup's OOM killer killed the writer)" : "",
		 pages * PAGE * 4 / MiB,
		 d ? " (the cgroup's OOM killer killed the writer: reclaim found only dirty or writeback pages)" : "");
	return 0;
}

static void writeback(struct exp_ctx *x)
{
	struct wb_reclaim cold = { 0 }, cleaned = { 0 };
	const long pages = exp_arg(x, "pages", 2048);	/* 8 MiB */
	struct wb_run lazy, pre, throttled, slow_free, slow_held;
	const char *dir = pc_disk_dir(x);
	uint64_t limit = 256;			/* pages: 1 MiB */
	long long slow_written = 0;
	double min_pauses;
	int slow;

	if (!dir)
		return;
	if (pages < 1024 || pages > 4096)
		return exp_skip(x, "pages= from 1024 to 4096 please");
	if (pc_dirty_limits(x, pages * PAGE * 4, pages * PAGE * 8) ||
	    wb_write(x, dir, pages, &lazy))
		goto fail;
	exp_step(x, "dirty_background_bytes %lu MiB, dirty_bytes %lu MiB: wrote %ld pages without fsync, watched them 3 s",
		 pages * PAGE * 4 / MiB, pages * PAGE * 8 / MiB, pages);
	if (pc_dirty_limits(x, limit * PAGE / 2, pages * PAGE * 8) ||
	    wb_write(x, dir, pages, &pre))
		goto fail;
	exp_step(x, "dirty_background_bytes %lu KiB: the same", limit * PAGE / 2 / 1024);
	/* small enough that the flusher cannot keep the writer under it */
	if (pc_dirty_limits(x, WB_SMALL / 4, WB_SMALL) ||
	    wb_write(x, dir, pages, &throttled))
		goto fail;
	exp_step(x, "dirty_bytes %lu KiB, dirty_background_bytes %lu KiB: the same",
		 WB_SMALL / 1024, WB_SMALL / 4 / 1024);
	slow = wb_slow(x, dir, pages, &slow_free, &slow_held, &slow_written);
	if (slow < 0)
		goto fail;
	if (exp_have_memcg() &&
	    wb_reclaim_runs(x, dir, pages, limit, &cleaned, &cold))
		goto fail;
	exp_measure(x, "lazy_dirty_later", lazy.dirty_later, "pages",
		    "below the background threshold: the file's dirty pages 3 s after writing");
	exp_measure(x, "lazy_max_dirty", lazy.max_dirty, "pages",
		    "Dirty + Writeback at most while writing");
	exp_measure(x, "pre_dirty_later", pre.dirty_later, "pages",
		    "above it: the file's dirty pages after at most 3 s, without fsync");
	exp_measure(x, "pre_written", pre.written, "pages",
		    "nr_written meanwhile (the flusher's writes)");
	exp_measure(x, "pre_max_dirty", pre.max_dirty, "pages",
		    "Dirty + Writeback at most while writing");
	exp_measure(x, "pre_writer_sleeps", pre.sleeps, "switches",
		    "the writer's voluntary context switches while writing");
	exp_measure(x, "throttled_max_dirty", throttled.max_dirty, "pages",
		    "under dirty_bytes: Dirty + Writeback at most while writing");
	exp_measure(x, "throttled_writer_sleeps", throttled.sleeps, "switches",
		    "the writer's voluntary context switches (balance_dirty_pages() pauses)");
	if (!slow) {
		exp_measure(x, "slow_written", slow_written, "bytes",
			    "io.stat wbytes: written back in the slow cgroup's name (at most its io.max)");
		exp_measure(x, "slow_free_writer_sleeps", slow_free.sleeps,
			    "switches", "slow disk, dirty_bytes 64 MiB: the writer's voluntary context switches");
		exp_measure(x, "slow_held_writer_sleeps", slow_held.sleeps,
			    "switches", "slow disk, dirty_bytes 128 KiB: the same");
		exp_measure(x, "slow_held_max_dirty", slow_held.max_dirty,
			    "pages", "slow disk, dirty_bytes 128 KiB: Dirty + Writeback at most while writing");
	}
	/* measured, not checked: a time depends on the machine */
	if (cleaned.seconds > 0)
		wb_reclaim_report(x, "cleaned", &cleaned);
	if (cold.seconds > 0)
		wb_reclaim_report(x, "dirty", &cold);
	if (cold.seconds > 0 && cleaned.seconds > 0) {
		exp_measure(x, "dirty_over_cleaned_reclaim", cold.seconds /
			    cleaned.seconds, "x",
			    "time to write under memory.max without pre-cleaning, over with it (measured, not checked)");
	}
	exp_expect(x, lazy.dirty_later >= (uint64_t)pages * 9 / 10,
		   "under the background threshold the dirty pages stay dirty (until dirty_expire_centisecs)");
	/* the flusher stops once under the background threshold (128 pages) */
	exp_expect(x, pre.dirty_later <= limit / 2 * 3 / 2 + 32 &&
		   pre.written + limit / 2 * 3 / 2 + 32 >= (double)pages,
		   "over dirty_background_bytes the flusher writes them back on its own, down to about that threshold, before anyone needs the memory (pre-cleaning)");
	/*
	 * Whether the writer has to pause depends on how fast the disk
	 * writes back: zram on a loaded host made it pause dozens of times,
	 * on an idle one not once for 1,024 pages (6.1).  The pauses are
	 * recorded (throttled_writer_sleeps); what holds everywhere is the
	 * limit: Dirty + Writeback stays near dirty_bytes.
	 */
	exp_expect(x, throttled.max_dirty < lazy.max_dirty / 2,
		   "under a small dirty_bytes few pages are ever dirty at once: the writer is held to the limit (it pauses in balance_dirty_pages() when the disk is slower than it)");
	if (slow) {
		exp_inconclusive(x, "no io controller or memory cgroup here: the disk could not be slowed (io.max) to show the writer itself throttled");
		return;
	}
	/*
	 * On a disk that writes at most WB_SLOW_BPS, a writer held within
	 * dirty_bytes of it cannot finish before (bytes - dirty_bytes) /
	 * WB_SLOW_BPS, and balance_dirty_pages() sleeps at most MAX_PAUSE at
	 * a time: so at least that many sleeps (half of it, for margin).
	 * Under a large dirty_bytes the same writer on the same disk need not
	 * sleep at all.  Counted, not timed: voluntary context switches.
	 */
	min_pauses = (pages * PAGE - WB_SMALL) / (double)WB_SLOW_BPS /
		     WB_MAX_PAUSE_S / 2;
	exp_expect(x, slow_written >= (long long)(pages * PAGE / 2) &&
		   slow_held.sleeps >= min_pauses &&
		   slow_held.sleeps >= 4 * slow_free.sleeps + 4,
		   "on a slow disk (io.max %lu MiB/s) under dirty_bytes 128 KiB the writer itself sleeps in balance_dirty_pages() (at least %.0f times: it cannot outrun the disk by more than the limit, and a pause lasts at most 200 ms), and under 64 MiB it does not: the throttle is the limit's",
		   WB_SLOW_BPS / MiB, min_pauses);
	return;
fail:
	exp_inconclusive(x, "setting the dirty limits, writing or measuring failed: %s",
			 strerror(errno));
}

static const struct vmscope_exp exp_writeback = {
	.name = "writeback",
	.order = 22,
	.claim = "dirty pages are written back by the flusher threads once dirty_background_bytes is exceeded, before the memory is needed (pre-cleaning); under dirty_bytes the writer itself is throttled",
	.next = "vmscope cache --watch 1 while writing; /proc/sys/vm/dirty_*; Documentation/admin-guide/sysctl/vm.rst",
	.needs = EXP_NEEDS_ROOT,
	.run = writeback,
};
EXP_REGISTER(exp_writeback)

/* ---- swappiness ---- */

#define SW_ANON_MB	16
#define SW_FILE_MB	24
#define SW_ROUNDS	4
#define SW_LIMIT	"32M"

/*
 * In the cgroup: anonymous pages touched once (and left cold), then a
 * file read over and over (hot), more than the limit holds together.
 */
static int sw_workload(const char *cg, int file_fd)
{
	size_t anon = SW_ANON_MB * MiB, i;
	int round;
	char *a;

	if (exp_cgroup_enter(cg))
		return 1;
	a = mmap(NULL, anon, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return 1;
	for (i = 0; i < anon; i += PAGE)
		a[i] = 1;
	for (round = 0; round < SW_ROUNDS; round++)
		if (pc_read(file_fd, 0, SW_FILE_MB * MiB))
			return 1;
	return 0;
}

struct sw_result {
	double swapped;		/* pswpout */
	double dropped;		/* pgsteal_file */
};

static int sw_run(struct exp_ctx *x, const char *swappiness, int file_fd,
		  struct sw_result *r)
{
	__u64 v0[VMSCOPE_STAT_NR], v1[VMSCOPE_STAT_NR];
	char cg[160];
	int st;
	pid_t pid;

	if (exp_sysctl_set(VM_SYSCTL("swappiness"), swappiness) ||
	    exp_cgroup_make(cg, sizeof(cg), SW_LIMIT, "max"))
		return -1;
	pc_drop_caches();
	exp_vmstat(x->fd, v0);
	pid = exp_fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(sw_workload(cg, file_fd));
	if (exp_wait(pid, &st) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	exp_vmstat(x->fd, v1);
	r->swapped = (double)(v1[VMSCOPE_STAT_PSWPOUT] - v0[VMSCOPE_STAT_PSWPOUT]);
	r->dropped = (double)(v1[VMSCOPE_STAT_PGSTEAL_FILE] -
			      v0[VMSCOPE_STAT_PGSTEAL_FILE]);
	return 0;
}

static double sw_share(const struct sw_result *r)
{
	return r->swapped + r->dropped > 0 ?
	       r->swapped / (r->swapped + r->dropped) : 0;
}

#define LRU_GEN		"/sys/kernel/mm/lru_gen/enabled"

/* The three settings, measured with @prefix on their keys. */
static int sw_settings(struct exp_ctx *x, int fd, const char *prefix,
		       struct sw_result r[3])
{
	static const char *const values[] = { "0", "60", "200" };
	char key[48], text[EXP_TEXT];
	int i;

	for (i = 0; i < 3; i++) {
		if (sw_run(x, values[i], fd, &r[i])) {
			exp_inconclusive(x, "the workload failed at swappiness %s",
					 values[i]);
			return -1;
		}
		exp_step(x, "%svm.swappiness %s: in a cgroup with memory.max %s, touched %d MiB of anonymous memory once, then read a %d MiB file %d times",
			 *prefix ? "MGLRU, " : "", values[i], SW_LIMIT,
			 SW_ANON_MB, SW_FILE_MB, SW_ROUNDS);
		snprintf(key, sizeof(key), "%sswapped_%s", prefix, values[i]);
		snprintf(text, sizeof(text), "%sanonymous pages swapped out (pswpout) at swappiness %s",
			 *prefix ? "MGLRU: " : "", values[i]);
		exp_measure(x, key, r[i].swapped, "pages", text);
		snprintf(key, sizeof(key), "%sdropped_%s", prefix, values[i]);
		exp_measure(x, key, r[i].dropped, "pages",
			    "file pages reclaimed (pgsteal_file)");
		snprintf(key, sizeof(key), "%sanon_share_%s", prefix, values[i]);
		exp_measure(x, key, sw_share(&r[i]), "ratio",
			    "swapped / (swapped + dropped)");
	}
	return 0;
}

/*
 * The textbook's claim is about the two-list LRU; with the
 * multi-generational LRU on (6.12's default), the same workload is run
 * under it first and recorded, then under the two lists.
 */
static void swappiness(struct exp_ctx *x)
{
	const char *dir = pc_disk_dir(x);
	struct sw_result r[3], g[3];
	long long mglru;
	int fd;

	/* on a disk: tmpfs pages are swap-backed, swapped and never dropped */
	if (!dir)
		return;
	fd = pc_make_file(dir, SW_FILE_MB * MiB / PAGE);
	if (fd < 0)
		return exp_skip(x, "cannot write a %d MiB file in %s: %s",
				SW_FILE_MB, dir, strerror(-fd));
	mglru = access(LRU_GEN, F_OK) ? -1 : pc_file_num(LRU_GEN);
	exp_measure(x, "mglru", mglru > 0, "bool",
		    "multi-generational LRU on at the start (/sys/kernel/mm/lru_gen/enabled)");
	if (mglru > 0) {
		if (sw_settings(x, fd, "mglru_", g))
			goto out;
		if (exp_sysctl_set(LRU_GEN, "0")) {
			exp_inconclusive(x, "cannot turn MGLRU off for the two-list LRU");
			goto out;
		}
		exp_step(x, "turned MGLRU off (echo 0 > %s), to be restored", LRU_GEN);
	}
	if (sw_settings(x, fd, "", r))
		goto out;
	exp_expect(x, r[0].dropped + r[0].swapped > 0 &&
		   r[2].dropped + r[2].swapped > 0,
		   "the workload made the cgroup reclaim at every setting");
	exp_expect(x, r[0].swapped == 0,
		   "at swappiness 0 the two-list LRU swaps nothing while file pages last");
	exp_expect(x, sw_share(&r[0]) <= sw_share(&r[1]) + 0.05 &&
		   sw_share(&r[1]) <= sw_share(&r[2]) + 0.05 &&
		   r[2].swapped > r[0].swapped,
		   "the higher the swappiness, the larger the anonymous share of what reclaim took (two-list LRU)");
out:
	close(fd);
}

static const struct vmscope_exp exp_swappiness = {
	.name = "swappiness",
	.order = 23,
	.claim = "vm.swappiness moves reclaim between anonymous pages (swapped out) and file pages (dropped): 0 spares anonymous memory while file pages last, 200 prefers it",
	.next = "vmscope reclaim --watch 1; vmscope memory; Documentation/admin-guide/mm/multigen_lru.rst (MGLRU weighs anon and file by refaults)",
	.needs = EXP_NEEDS_ROOT | EXP_NEEDS_SWAP | EXP_NEEDS_CGROUP,
	.run = swappiness,
};
EXP_REGISTER(exp_swappiness)
