// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: every ioctl and /proc read, with its Nth allocation or
 * user copy made to fail (/proc/thread-self/fail-nth), N = 1, 2, ... until
 * the call gets through untouched.  Each failure must come back as a clean
 * error and release what was taken (the debug kernel's kmemleak and KASAN
 * check that); none may warn.  Needs CONFIG_FAULT_INJECTION_DEBUG_FS with
 * failslab and fail_page_alloc (the kernel of `make check-debug`); skips
 * elsewhere.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define MAX_NTH 2000

static const char *const knobs[] = {
	"/sys/kernel/debug/failslab/ignore-gfp-wait",
	"/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait",
	"/sys/kernel/debug/failslab/verbose",
	"/sys/kernel/debug/fail_page_alloc/verbose",
	"/sys/kernel/debug/fail_usercopy/verbose",
	"/sys/kernel/debug/fail_page_alloc/min-order",
};

/* Make GFP_KERNEL allocations fail too, quietly. */
static bool setup_injection(void)
{
	size_t i;

	if (access("/proc/thread-self/fail-nth", W_OK))
		return false;
	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		write_file(knobs[i], "0");
	return !access(knobs[0], F_OK);
}

/*
 * /proc/thread-self/fail-nth, opened once: reading and writing an open
 * file allocates nothing, so it cannot use up the armed point itself.
 */
static int nth_fd = -1;

/* Arm the Nth injection point of this thread (0 disarms); 0 or -errno. */
static int fail_nth_set(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -errno;
}

/* How many injection points are left before the armed one; -1 on error. */
static int fail_nth_left(void)
{
	char buf[16] = "";

	return pread(nth_fd, buf, sizeof(buf) - 1, 0) > 0 ? atoi(buf) : -1;
}

struct op {
	const char *name;
	int (*run)(void *ctx);
};

static int fd_dev = -1;
static char *page;

static int op_open(void *ctx)
{
	int fd = vmscope_open_dev();

	if (fd >= 0)
		close(fd);
	return fd < 0 ? fd : 0;
}

static int op_info(void *ctx)
{
	struct vmscope_info in = { .size = sizeof(in) };

	return vmscope_ioctl(fd_dev, VMSCOPE_IOC_INFO, &in);
}

static int op_translate(void *ctx)
{
	struct vmscope_translate tr = {
		.size = sizeof(tr), .pid = getpid(), .vaddr = (uintptr_t)page,
	};

	return vmscope_ioctl(fd_dev, VMSCOPE_IOC_TRANSLATE, &tr);
}

static int op_walk(void *ctx)
{
	static struct vmscope_page rec[64];
	struct vmscope_walk w = {
		.size = sizeof(w), .pid = getpid(), .rec_size = sizeof(rec[0]),
		.start = (uintptr_t)page, .end = (uintptr_t)page + 64 * 4096,
		.buf = (uintptr_t)rec, .buf_count = 64,
	};

	return vmscope_ioctl(fd_dev, VMSCOPE_IOC_WALK, &w);
}

static int op_ptstats(void *ctx)
{
	struct vmscope_ptstats st = { .size = sizeof(st), .pid = getpid() };

	return vmscope_ioctl(fd_dev, VMSCOPE_IOC_PTSTATS, &st);
}

static int op_layout(void *ctx)
{
	static struct vmscope_layout_vma v[4];
	struct vmscope_layout lo = {
		.size = sizeof(lo), .pid = getpid(), .rec_size = sizeof(v[0]),
		.buf = (uintptr_t)v, .buf_count = 4,
	};

	return vmscope_ioctl(fd_dev, VMSCOPE_IOC_LAYOUT, &lo);
}

/* SwapTotal in pages, read before any failure is armed. */
static unsigned long long swap_pages;

static int op_faults(void *ctx)
{
	static struct vmscope_fault_thread t[4];
	struct vmscope_faults fl = {
		.size = sizeof(fl), .pid = getpid(),
		.buf = (uintptr_t)t, .buf_count = 4,
	};

	return vmscope_ioctl(fd_dev, VMSCOPE_IOC_FAULTS, &fl);
}

static int op_oom(void *ctx)
{
	static struct vmscope_oom_task t[64];
	struct vmscope_oom oo = {
		.size = sizeof(oo), .swap_total = swap_pages,
		.buf = (uintptr_t)t, .buf_count = 64,
	};

	return vmscope_ioctl(fd_dev, VMSCOPE_IOC_OOM, &oo);
}

static int op_reclaim(void *ctx)
{
	static __u64 stats[VMSCOPE_STAT_NR];
	static struct vmscope_zone zones[16];
	static struct vmscope_node nodes[4];
	struct vmscope_reclaim rc = {
		.size = sizeof(rc), .pid = getpid(),
		.stats = (uintptr_t)stats, .stats_count = VMSCOPE_STAT_NR,
		.zones = (uintptr_t)zones, .zones_count = 16,
		.nodes = (uintptr_t)nodes, .nodes_count = 4,
	};

	return vmscope_ioctl(fd_dev, VMSCOPE_IOC_RECLAIM, &rc);
}

/* The frames' ioctls on a file of their own, and mmap() of it. */
static int op_frames(void *ctx)
{
	struct vmscope_frames_set fs = { .size = sizeof(fs), .frames = 4,
					 .policy = VMSCOPE_FRAMES_CLOCK };
	struct vmscope_frames_stat st = { .size = sizeof(st) };
	int fd = open(VMSCOPE_DEVICE, O_RDWR | O_CLOEXEC), err;
	void *m;

	if (fd < 0)
		return -errno;
	err = vmscope_ioctl(fd, VMSCOPE_IOC_FRAMES_SET, &fs);
	if (!err) {
		m = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
		err = m == MAP_FAILED ? -errno : 0;
		if (!err)
			munmap(m, 16 * 4096);
	}
	if (!err)
		err = vmscope_ioctl(fd, VMSCOPE_IOC_FRAMES_STAT, &st);
	close(fd);
	return err;
}

/* The page cache of this program's file, with a residency map. */
static int op_filecache(void *ctx)
{
	static unsigned char map[4096];
	int fd = open("/proc/self/exe", O_RDONLY), ret;
	struct vmscope_filecache fc = {
		.size = sizeof(fc), .fd = fd,
		.map = (uintptr_t)map, .map_bytes = sizeof(map),
	};

	if (fd < 0)
		return -errno;
	ret = vmscope_ioctl(fd_dev, VMSCOPE_IOC_FILECACHE, &fc);
	close(fd);
	return ret;
}

/* One batch of the census of the first tmpfs superblock. */
static int op_census(void *ctx)
{
	static struct vmscope_census_file recs[16];
	struct vmscope_census cs = {
		.size = sizeof(cs), .fstype = "tmpfs",
		.buf = (uintptr_t)recs, .buf_count = 16,
	};

	return vmscope_ioctl(fd_dev, VMSCOPE_IOC_CENSUS, &cs);
}

static int op_memory(void *ctx)
{
	struct vmscope_memory m = { .size = sizeof(m) };

	return vmscope_ioctl(fd_dev, VMSCOPE_IOC_MEMORY, &m);
}

/*
 * Open a /proc/vmscope file, write @val to it first if not NULL (what a
 * writable one shows), and read it all; 0 or -errno.
 */
static int read_proc(const char *path, const char *val)
{
	char buf[4096];
	ssize_t n = 0;
	int fd = open(path, val ? O_RDWR : O_RDONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (val && write(fd, val, strlen(val)) < 0)
		ret = -errno;
	while (!ret && (n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (!ret && n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int op_proc_info(void *ctx)
{
	return read_proc(VMSCOPE_PROC_DIR "/info", NULL);
}

static int op_proc_layout(void *ctx)
{
	return read_proc(VMSCOPE_PROC_DIR "/layout", NULL);
}

static int op_proc_faults(void *ctx)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d\n", getpid());
	return read_proc(VMSCOPE_PROC_DIR "/faults", pid);
}

static int op_proc_oom(void *ctx)
{
	char kb[32];

	snprintf(kb, sizeof(kb), "%llu\n", swap_pages * (4096 >> 10));
	return read_proc(VMSCOPE_PROC_DIR "/oom", kb);
}

static int op_proc_reclaim(void *ctx)
{
	return read_proc(VMSCOPE_PROC_DIR "/reclaim", NULL);
}

/*
 * A working-set session on a file of its own, from START to release:
 * manual (two passes) or with its thread (one interval of 1 ms).
 */
static int wss_session(bool manual)
{
	static struct vmscope_wss_rec rec[64];
	struct vmscope_wss_start st = {
		.size = sizeof(st), .pid = getpid(), .max_records = 64,
		.flags = manual ? VMSCOPE_WSS_MANUAL : 0,
		.interval_ms = manual ? 0 : 1, .count = 1,
		.start = (uintptr_t)page, .end = (uintptr_t)page + 64 * 4096,
	};
	struct vmscope_wss_ctl ctl = {
		.size = sizeof(ctl), .op = VMSCOPE_WSS_OP_PASS,
	};
	struct vmscope_wss_read rd = {
		.size = sizeof(rd), .flags = VMSCOPE_WSS_READ_WAIT,
		.buf = (uintptr_t)rec, .buf_count = 64,
		.rec_size = sizeof(rec[0]),
	};
	int fd = vmscope_open_dev(), err;

	if (fd < 0)
		return fd;
	err = vmscope_ioctl(fd, VMSCOPE_IOC_WSS_START, &st);
	if (!err && manual)
		err = vmscope_ioctl(fd, VMSCOPE_IOC_WSS_CTL, &ctl) ?:
		      vmscope_ioctl(fd, VMSCOPE_IOC_WSS_CTL, &ctl);
	if (!err)
		err = vmscope_ioctl(fd, VMSCOPE_IOC_WSS_READ, &rd);
	close(fd);
	return err;
}

static int op_wss_manual(void *ctx)
{
	return wss_session(true);
}

static int op_wss_thread(void *ctx)
{
	return wss_session(false);
}

static int op_proc_wss(void *ctx)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d\n", getpid());
	return read_proc(VMSCOPE_PROC_DIR "/wss", pid);
}

static const struct op ops[] = {
	{ "open", op_open },
	{ "INFO", op_info },
	{ "TRANSLATE", op_translate },
	{ "WALK", op_walk },
	{ "PTSTATS", op_ptstats },
	{ "LAYOUT", op_layout },
	{ "FAULTS", op_faults },
	{ "OOM", op_oom },
	{ "RECLAIM", op_reclaim },
	{ "FRAMES_SET/mmap/FRAMES_STAT", op_frames },
	{ "FILECACHE", op_filecache },
	{ "CENSUS", op_census },
	{ "MEMORY", op_memory },
	{ "/proc/vmscope/info", op_proc_info },
	{ "/proc/vmscope/layout", op_proc_layout },
	{ "/proc/vmscope/faults", op_proc_faults },
	{ "/proc/vmscope/oom", op_proc_oom },
	{ "/proc/vmscope/reclaim", op_proc_reclaim },
	{ "WSS_* (manual session)", op_wss_manual },
	{ "WSS_* (sampling thread)", op_wss_thread },
	{ "/proc/vmscope/wss", op_proc_wss },
};

static bool clean_error(int err)
{
	return err == -ENOMEM || err == -EFAULT || err == -EINTR ||
	       err == -EAGAIN;
}

TEST(every_failure_is_a_clean_error)
{
	int points = 0, failures = 0;
	size_t i;

	fd_dev = vmscope_open_dev();
	if (fd_dev == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, fd_dev);
	if (!setup_injection())
		SKIP(return, "no fault injection (CONFIG_FAULT_INJECTION_DEBUG_FS, FAILSLAB, FAIL_PAGE_ALLOC)");
	page = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	swap_pages = swap_total_pages();
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	ASSERT_LE(0, nth_fd);

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		int n, err = -1, op_points = 0;

		for (n = 1; n <= MAX_NTH; n++) {
			ASSERT_EQ(0, fail_nth_set(n));
			err = ops[i].run(NULL);
			if (fail_nth_left() > 0) {	/* never reached */
				fail_nth_set(0);
				break;
			}
			points++;
			op_points++;
			if (err) {
				failures++;
				EXPECT_TRUE(clean_error(err)) {
					TH_LOG("%s, fault %d: error %d",
					       ops[i].name, n, err);
				}
			}
		}
		EXPECT_GE(MAX_NTH, n);
		EXPECT_EQ(0, err) {
			TH_LOG("%s: %d", ops[i].name, err);
		}
		TH_LOG("%s: %d fault-injection points", ops[i].name,
		       op_points);
	}
	TH_LOG("%d fault-injection points hit, %d calls failed cleanly",
	       points, failures);
	EXPECT_LT(0, points);
	close(fd_dev);
}

TEST_HARNESS_MAIN
