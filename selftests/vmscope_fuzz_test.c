// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded ioctl fuzzer for /dev/vmscope: valid requests mutated a field
 * or three at a time (sizes around the structure's, unknown flags,
 * reserved fields set, output fields preset, non-zero bytes beyond the
 * structure, ranges at the ends of the address space, counts of 0, 1, the
 * limit and beyond, swap sizes that overflow), sent for processes that
 * exist, do not, have exited or are kernel threads, and for a thread of a
 * multi-threaded one, with buffers that are NULL, kernel addresses,
 * unmapped, read-only or run into a PROT_NONE page.  Every call must end
 * in a result that the ABI allows: success with sane outputs, or one of
 * the errors its operation documents.  The /proc/vmscope files of the
 * same operations (faults, oom: a number written, then read; reclaim) get
 * the same treatment.  The VM fails the run if the kernel log shows any
 * report.  VMSCOPE_FUZZ_SEED and VMSCOPE_FUZZ_CALLS set the seed and the
 * number of ioctls; the /proc files get one open for every 400 calls.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define PAGE		4096UL
#define BUF_BYTES	(64UL << 10)
/* where the good zone and node arrays of VMSCOPE_IOC_RECLAIM go in buf */
#define ZONES_OFF	4096
#define NODES_OFF	8192
/* the child's threads: its main thread and three more */
#define CHILD_THREADS	4
/* PID_MAX_LIMIT on 64-bit: no process has a larger number */
#define PID_LIMIT	(1U << 22)

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[rnd() % n];
}

/* One of the constant values given, at random. */
#define PICK(...) ({							\
	static const uint64_t __v[] = { __VA_ARGS__ };			\
	pick(__v, ARRAY_SIZE(__v));					\
})

/* The ioctls, by _IOC_NR() from VMSCOPE_IOC_INFO's, then all others. */
enum {
	IOC_INFO, IOC_TRANSLATE, IOC_WALK, IOC_PTSTATS, IOC_LAYOUT,
	IOC_FAULTS, IOC_OOM, IOC_RECLAIM, IOC_FAULTLOG, IOC_WSS_START,
	IOC_WSS_READ, IOC_WSS_CTL,		/* 0x19-0x1b */
	IOC_FRAMES_SET, IOC_FRAMES_STAT,	/* 0x1c, 0x1d */
	IOC_FILECACHE, IOC_CENSUS, IOC_MEMORY,	/* 0x1e - 0x20 */
	IOC_OTHER, NR_IOC
};

static const char *const ioc_names[NR_IOC] = {
	"INFO", "TRANSLATE", "WALK", "PTSTATS", "LAYOUT", "FAULTS", "OOM",
	"RECLAIM", "FAULTLOG", "WSS_START", "WSS_READ", "WSS_CTL",
	"FRAMES_SET", "FRAMES_STAT", "FILECACHE", "CENSUS", "MEMORY", "other",
};

#define ERR(e)		(1ULL << (e))
/* vmscope_arg_in(), the argument's allocation and its copy back */
#define ERR_ARG		(ERR(EINVAL) | ERR(EFAULT) | ERR(E2BIG) | ERR(ENOMEM))
/* vmscope_target(): no such process, no mm, not allowed, killed */
#define ERR_TARGET	(ERR(ESRCH) | ERR(ENOENT) | ERR(EACCES) | ERR(EINTR))

/* What each ioctl may fail with: the Return: of its operation. */
static const uint64_t ioc_errors[NR_IOC] = {
	[IOC_INFO]	= ERR_ARG,
	[IOC_TRANSLATE]	= ERR_ARG | ERR_TARGET,
	[IOC_WALK]	= ERR_ARG | ERR_TARGET,
	[IOC_PTSTATS]	= ERR_ARG | ERR_TARGET,
	[IOC_LAYOUT]	= ERR_ARG | ERR_TARGET,
	[IOC_FAULTS]	= ERR_ARG | ERR_TARGET,
	[IOC_OOM]	= ERR_ARG,	/* -EPERM too, without the capabilities */
	[IOC_RECLAIM]	= ERR_ARG | ERR_TARGET,
	[IOC_FAULTLOG]	= ERR_ARG,
	/* set once per file, before its first mmap(): then EBUSY */
	[IOC_FRAMES_SET] = ERR_ARG | ERR(EBUSY),
	[IOC_FRAMES_STAT] = ERR_ARG,
	[IOC_FILECACHE]	= ERR_ARG | ERR(EBADF) | ERR(EINTR),
	[IOC_CENSUS]	= ERR_ARG | ERR(EBADF) | ERR(ENODEV) | ERR(EPERM),
	[IOC_MEMORY]	= ERR_ARG,
	/* a second session on the file: EBUSY */
	[IOC_WSS_START]	= ERR_ARG | ERR_TARGET | ERR(EBUSY),
	/* no session yet: ENOENT; a signal while waiting: EINTR */
	[IOC_WSS_READ]	= ERR_ARG | ERR(ENOENT) | ERR(EINTR),
	/* a pass of a session that has ended: ESRCH */
	[IOC_WSS_CTL]	= ERR_ARG | ERR(ENOENT) | ERR(ESRCH),
	[IOC_OTHER]	= ERR(ENOTTY),
};

/* The names of the errors allowed anywhere, for the summary */
static const char *const errno_names[64] = {
	[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH",
	[EINTR] = "EINTR", [E2BIG] = "E2BIG", [ENOMEM] = "ENOMEM",
	[EACCES] = "EACCES", [EFAULT] = "EFAULT", [EINVAL] = "EINVAL",
	[ENOTTY] = "ENOTTY", [ERANGE] = "ERANGE", [EBUSY] = "EBUSY",
	[EBADF] = "EBADF", [ENODEV] = "ENODEV",
};

/* The /proc/vmscope files of the same operations. */
enum { PF_FAULTS, PF_OOM, PF_RECLAIM, NR_PF };

static const char *const pf_names[NR_PF] = { "faults", "oom", "reclaim" };

/*
 * A write to them may fail as kstrtou64_from_user() does (not a number,
 * out of range, a bad buffer), faults for a PID out of range or not in
 * use, oom for a swap size out of range, and reclaim takes nothing.
 */
static const uint64_t pf_write_errors[NR_PF] = {
	[PF_FAULTS]	= ERR(EINVAL) | ERR(ERANGE) | ERR(EFAULT) | ERR(ESRCH),
	[PF_OOM]	= ERR(EINVAL) | ERR(ERANGE) | ERR(EFAULT),
	[PF_RECLAIM]	= ERR(EINVAL) | ERR(EFAULT),
};

/* A read: a bad buffer, no memory, and faults as vmscope_target_pid(). */
static const uint64_t pf_read_errors[NR_PF] = {
	[PF_FAULTS]	= ERR(EFAULT) | ERR(ENOMEM) | ERR_TARGET,
	[PF_OOM]	= ERR(EFAULT) | ERR(ENOMEM),
	[PF_RECLAIM]	= ERR(EFAULT) | ERR(ENOMEM),
};

struct fuzz {
	int fd;
	int file_fd;		/* a regular file, for the page-cache ioctls */
	uint64_t task_size, kernel_addr;
	uint64_t totalram;	/* totalpages of an OOM request without swap */
	uint64_t swap_pages;	/* SwapTotal */
	bool oom_eperm;		/* VMSCOPE_IOC_OOM wants capabilities we lack */
	pid_t child, child_tid, zombie;
	char *buf;		/* BUF_BYTES, then a PROT_NONE page */
	char *ro;		/* a read-only page */
	char *hole;		/* an unmapped page */
	uint64_t calls, ok, errs[256];
	uint64_t ioc_calls[NR_IOC], ioc_ok[NR_IOC], ioc_errs[NR_IOC][64];
	uint64_t pf_ok[NR_PF][2], pf_err[NR_PF][2];	/* [write, read] */
};

static uint64_t some_pid(struct fuzz *f)
{
	switch (rnd() % 10) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 2;			/* kthreadd */
	case 3: return f->zombie;
	case 4: return rnd();
	case 5: return f->child;
	case 6: return f->child_tid;		/* not a thread-group leader */
	case 7: return PICK(PID_LIMIT - 1, PID_LIMIT, PID_LIMIT + 1, ~0U);
	default: return getpid();
	}
}

static uint64_t some_addr(struct fuzz *f)
{
	switch (rnd() % 10) {
	case 0: return 0;
	case 1: return f->task_size;
	case 2: return f->task_size - PAGE;
	case 3: return ~0ULL;
	case 4: return 1ULL << 47;		/* non-canonical on 4-level */
	case 5: return f->kernel_addr;
	case 6: return rnd();
	case 7: return rnd() & ~(PAGE - 1) & (f->task_size - 1);
	default: return (uintptr_t)f->buf + (rnd() % 64) * PAGE;
	}
}

/* A user buffer: mostly good, sometimes anything but. */
static uint64_t some_buf(struct fuzz *f)
{
	switch (rnd() % 8) {
	case 0: return 0;
	case 1: return f->kernel_addr;
	case 2: return (uintptr_t)f->ro;
	case 3: return (uintptr_t)f->hole;
	case 4: return (uintptr_t)f->buf + BUF_BYTES - 8 * (rnd() % 4 + 1);
	case 5: return (uintptr_t)f->buf + 1;
	default: return (uintptr_t)f->buf;
	}
}

/* As some_buf(), but a good buffer is @off bytes into buf. */
static uint64_t some_buf_at(struct fuzz *f, size_t off)
{
	uint64_t b = some_buf(f);

	return b == (uintptr_t)f->buf ? b + off : b;
}

static uint64_t some_count(void)
{
	return PICK(0, 1, 2, 7, 512, 4096, 4097, 1ULL << 32, 1ULL << 60,
		    ~0ULL);
}

/*
 * The capacity of an array that the module allocates in the kernel
 * before it fills it: mostly small, rarely @max (megabytes, for OOM and
 * FAULTS, so not on every call) or beyond.
 */
static uint32_t some_records(uint32_t max)
{
	if (rnd() % 256)
		return rnd() % 4 ? rnd() % 64 : rnd() % 3;
	switch (rnd() % 6) {
	case 0: return 0;
	case 1: return max - 1;
	case 2: return max;
	case 3: return max + 1;
	case 4: return 1U << 31;
	default: return ~0U;
	}
}

/* SwapTotal in pages: the real one, none, or any size at all. */
static uint64_t some_swap(struct fuzz *f)
{
	switch (rnd() % 6) {
	case 0: return 0;
	case 1: return rnd() >> (rnd() % 64);	/* of every magnitude */
	case 2: return PICK(1, 1ULL << 52, (1ULL << 52) + 1, 1ULL << 63,
			    ~0ULL / 1000, ~0ULL);
	default: return f->swap_pages;
	}
}

/* size, flags and, for the ones that have it, the reserved field. */
static void mutate_head(uint32_t *size, uint32_t *flags, uint32_t real)
{
	if (rnd() % 4 == 0) {
		int64_t delta = PICK(-8, -1, 8, 64);

		*size = rnd() % 2 ? real + delta :
			PICK(0, 4, 8, 4096, 4097, 65536, 0xffffffffULL);
	}
	if (rnd() % 6 == 0)
		*flags = 1U << (rnd() % 32);
}

static unsigned long fuzz_cmd(unsigned long cmd)
{
	switch (rnd() % 16) {
	case 0:		/* another number */
		return _IOWR(VMSCOPE_IOC_MAGIC, rnd() % 0x30, struct vmscope_walk);
	case 1:		/* another direction */
		return _IOR(VMSCOPE_IOC_MAGIC, _IOC_NR(cmd), struct vmscope_walk);
	case 2:		/* another size encoded */
		return _IOC(_IOC_READ | _IOC_WRITE, VMSCOPE_IOC_MAGIC,
			    _IOC_NR(cmd), rnd() % 16384);
	default:
		return cmd;
	}
}

/* Which ioctl the module takes @cmd for: type, number and direction. */
static int ioc_index(unsigned long cmd)
{
	unsigned int i = _IOC_NR(cmd) - _IOC_NR(VMSCOPE_IOC_INFO);

	static_assert(_IOC_NR(VMSCOPE_IOC_FAULTLOG) -
		      _IOC_NR(VMSCOPE_IOC_INFO) == IOC_FAULTLOG,
		      "ioctl numbers");
	static_assert(_IOC_NR(VMSCOPE_IOC_WSS_CTL) -
		      _IOC_NR(VMSCOPE_IOC_INFO) == IOC_WSS_CTL,
		      "ioctl numbers");
	static_assert(_IOC_NR(VMSCOPE_IOC_MEMORY) -
		      _IOC_NR(VMSCOPE_IOC_INFO) == IOC_MEMORY,
		      "ioctl numbers");
	if (_IOC_TYPE(cmd) != VMSCOPE_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return IOC_OTHER;
	return i > IOC_MEMORY ? IOC_OTHER : i;
}

static bool allowed_errno(const struct fuzz *f, int ioc, int e)
{
	uint64_t allowed = ioc_errors[ioc];

	if (ioc == IOC_OOM && f->oom_eperm)
		allowed |= ERR(EPERM);
	return e > 0 && e < 64 && (allowed & ERR(e));
}

union arg {
	struct vmscope_info info;
	struct vmscope_translate tr;
	struct vmscope_walk walk;
	struct vmscope_ptstats st;
	struct vmscope_layout lo;
	struct vmscope_faults fl;
	struct vmscope_oom oo;
	struct vmscope_reclaim rc;
	struct vmscope_faultlog lg;
	struct vmscope_frames_set fs;
	struct vmscope_frames_stat fst;
	struct vmscope_filecache fc;
	struct vmscope_census cs;
	struct vmscope_memory mem;
	struct vmscope_wss_start ws;
	struct vmscope_wss_read wr;
	struct vmscope_wss_ctl wc;
	char bytes[8192];
};

/* The request as it was sent, to compare what comes back with. */
union req {
	struct vmscope_faults fl;
	struct vmscope_oom oo;
	struct vmscope_reclaim rc;
};

/* A byte beyond the structure set: the module must refuse it (E2BIG). */
static void mutate_tail(union arg *a, uint32_t size, uint32_t real)
{
	if (size > real && size <= PAGE && rnd() % 4 == 0)
		a->bytes[real + rnd() % (size - real)] = 1;
}

static unsigned long make_faults(struct fuzz *f, struct vmscope_faults *fl)
{
	fl->size = sizeof(*fl);
	fl->pid = some_pid(f);
	fl->buf = some_buf(f);
	fl->buf_count = some_records(VMSCOPE_FAULTS_MAX_THREADS);
	if (rnd() % 8 == 0)
		fl->__reserved = rnd();
	if (rnd() % 8 == 0) {			/* outputs are not inputs */
		fl->nr_threads = rnd();
		fl->sys_pgfault = rnd();
	}
	mutate_head(&fl->size, &fl->flags, sizeof(*fl));
	return VMSCOPE_IOC_FAULTS;
}

static unsigned long make_oom(struct fuzz *f, struct vmscope_oom *oo)
{
	oo->size = sizeof(*oo);
	oo->swap_total = some_swap(f);
	oo->buf = some_buf(f);
	oo->buf_count = some_records(VMSCOPE_OOM_MAX_TASKS);
	if (rnd() % 8 == 0) {
		oo->totalpages = rnd();
		oo->nr_tasks = rnd();
	}
	mutate_head(&oo->size, &oo->flags, sizeof(*oo));
	return VMSCOPE_IOC_OOM;
}

/* One of the arrays of VMSCOPE_IOC_RECLAIM: none, or some buffer. */
static void some_array(struct fuzz *f, __u64 *buf, __u32 *count,
		       size_t off, uint32_t max)
{
	if (rnd() % 3 == 0)
		return;
	*buf = some_buf_at(f, off);
	*count = some_records(max);
}

static unsigned long make_reclaim(struct fuzz *f, struct vmscope_reclaim *rc)
{
	rc->size = sizeof(*rc);
	rc->pid = rnd() % 3 ? 0 : some_pid(f);
	some_array(f, &rc->stats, &rc->stats_count, 0,
		   VMSCOPE_RECLAIM_MAX_RECORDS);
	if (rc->stats && rnd() % 2)
		rc->stats_count = PICK(VMSCOPE_STAT_NR - 1, VMSCOPE_STAT_NR,
				       VMSCOPE_STAT_NR + 1);
	some_array(f, &rc->zones, &rc->zones_count, ZONES_OFF,
		   VMSCOPE_RECLAIM_MAX_RECORDS);
	some_array(f, &rc->nodes, &rc->nodes_count, NODES_OFF,
		   VMSCOPE_RECLAIM_MAX_RECORDS);
	if (rnd() % 8 == 0)
		rc->__reserved = rnd();
	if (rnd() % 8 == 0) {
		rc->out_flags = rnd();
		rc->swap_free = rnd();
	}
	mutate_head(&rc->size, &rc->flags, sizeof(*rc));
	return VMSCOPE_IOC_RECLAIM;
}

/*
 * How many of every 21 requests are for each ioctl: OOM, which visits
 * every process (slow under lockdep), half as many as the others.
 */
static const unsigned int ioc_share[IOC_OTHER] = {
	[IOC_INFO] = 2, [IOC_TRANSLATE] = 2, [IOC_WALK] = 2, [IOC_PTSTATS] = 2,
	[IOC_LAYOUT] = 2, [IOC_FAULTS] = 2, [IOC_OOM] = 1, [IOC_RECLAIM] = 2,
	[IOC_FAULTLOG] = 1, [IOC_FRAMES_SET] = 1, [IOC_FRAMES_STAT] = 1,
	[IOC_FILECACHE] = 1, [IOC_CENSUS] = 1, [IOC_MEMORY] = 1,
	[IOC_WSS_START] = 1, [IOC_WSS_READ] = 1, [IOC_WSS_CTL] = 1,
};

/* A descriptor for the page-cache ioctls: a file, a pipe, a bad one. */
static uint32_t some_fd(struct fuzz *f)
{
	const uint32_t v[] = { f->file_fd, f->file_fd, f->fd, 0, 100000,
			       UINT32_MAX };

	return v[rnd() % ARRAY_SIZE(v)];
}

static unsigned long make_filecache(struct fuzz *f, struct vmscope_filecache *fc)
{
	fc->size = sizeof(*fc);
	fc->fd = some_fd(f);
	fc->start = PICK(0, 0, 1, 7, 1ULL << 40, UINT64_MAX);
	fc->end = PICK(0, 0, 8, 1000, 1ULL << 20, UINT64_MAX);
	if (rnd() % 2) {
		fc->map = some_buf(f);
		fc->map_bytes = PICK(0, 1, 8, 4096, BUF_BYTES, UINT32_MAX);
	}
	if (rnd() % 8 == 0)
		fc->__reserved = rnd();
	mutate_head(&fc->size, &fc->flags, sizeof(*fc));
	return VMSCOPE_IOC_FILECACHE;
}

static unsigned long make_census(struct fuzz *f, struct vmscope_census *cs)
{
	static const char *const types[] = { "tmpfs", "proc", "bdev", "sysfs",
					      "", "no-such-fs", "ext2" };

	cs->size = sizeof(*cs);
	snprintf(cs->fstype, sizeof(cs->fstype), "%s",
		 types[rnd() % ARRAY_SIZE(types)]);
	if (rnd() % 16 == 0)
		memset(cs->fstype, 'x', sizeof(cs->fstype));
	cs->sb_index = PICK(0, 0, 1, 2, 100, UINT32_MAX);
	cs->pos = PICK(0, 0, 10, 1000, UINT64_MAX);
	cs->buf = some_buf(f);
	cs->buf_count = some_records(VMSCOPE_CENSUS_MAX_RECORDS);
	if (rnd() % 4 == 0) {
		cs->flags = VMSCOPE_CENSUS_BY_FD;
		cs->fd = some_fd(f);
	}
	if (rnd() % 8 == 0)
		cs->__reserved = rnd();
	mutate_head(&cs->size, &cs->flags, sizeof(*cs));
	return VMSCOPE_IOC_CENSUS;
}

/*
 * The file's one sampling session: intervals short enough that a READ
 * with VMSCOPE_WSS_READ_WAIT returns soon (the first record comes one
 * interval after the start).
 */
static unsigned long make_wss_start(struct fuzz *f,
				    struct vmscope_wss_start *st)
{
	st->size = sizeof(*st);
	st->pid = some_pid(f);
	st->flags = PICK(0, 0, VMSCOPE_WSS_MANUAL, VMSCOPE_WSS_NO_FLUSH,
			 VMSCOPE_WSS_NO_AGING,
			 VMSCOPE_WSS_MANUAL | VMSCOPE_WSS_NO_AGING);
	st->interval_ms = st->flags & VMSCOPE_WSS_MANUAL ? 0 :
			  PICK(1, 5, 100, 0, 3600001);
	if (rnd() % 4 == 0) {
		st->start = some_addr(f);
		st->end = rnd() % 2 ? some_addr(f) : 0;
	}
	st->count = PICK(0, 1, 3, 100000);
	st->max_records = PICK(0, 1, 64, VMSCOPE_WSS_MAX_RECORDS,
			       VMSCOPE_WSS_MAX_RECORDS + 1);
	mutate_head(&st->size, &st->flags, sizeof(*st));
	return VMSCOPE_IOC_WSS_START;
}

static unsigned long make_wss_read(struct fuzz *f, struct vmscope_wss_read *rd)
{
	rd->size = sizeof(*rd);
	rd->buf = some_buf(f);
	rd->buf_count = some_records(4096);
	rd->rec_size = PICK(sizeof(struct vmscope_wss_rec), 48, 56, 0, 8, 47,
			    4096, 4104);
	if (rnd() % 8 == 0)
		rd->__reserved = rnd();
	mutate_head(&rd->size, &rd->flags, sizeof(*rd));
	return VMSCOPE_IOC_WSS_READ;
}

static unsigned long make_wss_ctl(struct vmscope_wss_ctl *ctl)
{
	ctl->size = sizeof(*ctl);
	ctl->op = PICK(VMSCOPE_WSS_OP_PASS, VMSCOPE_WSS_OP_PASS,
		       VMSCOPE_WSS_OP_STOP, 0, 3, ~0U);
	if (rnd() % 8 == 0)
		ctl->status = rnd();	/* an output: ignored */
	mutate_head(&ctl->size, &ctl->flags, sizeof(*ctl));
	return VMSCOPE_IOC_WSS_CTL;
}

static unsigned int ioc_share_total(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < IOC_OTHER; i++)
		n += ioc_share[i];
	return n;
}

static unsigned long make_request(struct fuzz *f, union arg *a)
{
	unsigned int r = rnd() % ioc_share_total(), ioc = 0;
	unsigned long cmd;

	while (r >= ioc_share[ioc])
		r -= ioc_share[ioc++];
	memset(a, 0, sizeof(*a));
	switch (ioc) {
	case IOC_INFO:
		a->info.size = sizeof(a->info);
		mutate_head(&a->info.size, &a->info.flags, sizeof(a->info));
		return VMSCOPE_IOC_INFO;
	case IOC_TRANSLATE:
		a->tr.size = sizeof(a->tr);
		a->tr.pid = some_pid(f);
		a->tr.vaddr = some_addr(f);
		mutate_head(&a->tr.size, &a->tr.flags, sizeof(a->tr));
		return VMSCOPE_IOC_TRANSLATE;
	case IOC_WALK:
		a->walk.size = sizeof(a->walk);
		a->walk.pid = some_pid(f);
		a->walk.start = some_addr(f);
		a->walk.end = rnd() % 2 ? some_addr(f) :
			      a->walk.start + PAGE * (rnd() % 8192);
		a->walk.rec_size = PICK(16, 16, 16, 24, 32, 0, 8, 17, 4096,
					4104);
		a->walk.buf = some_buf(f);
		a->walk.buf_count = rnd() % 3 ? rnd() % 4096 : some_count();
		if (rnd() % 8 == 0)
			a->walk.__reserved = rnd();
		mutate_head(&a->walk.size, &a->walk.flags, sizeof(a->walk));
		return VMSCOPE_IOC_WALK;
	case IOC_PTSTATS:
		a->st.size = sizeof(a->st);
		a->st.pid = some_pid(f);
		mutate_head(&a->st.size, &a->st.flags, sizeof(a->st));
		return VMSCOPE_IOC_PTSTATS;
	case IOC_LAYOUT:
		a->lo.size = sizeof(a->lo);
		a->lo.pid = some_pid(f);
		a->lo.start = rnd() % 2 ? 0 : some_addr(f);
		a->lo.rec_size = PICK(sizeof(struct vmscope_layout_vma), 352,
				      0, 343, 4096);
		a->lo.buf = some_buf(f);
		a->lo.buf_count = rnd() % 3 ? rnd() % 100 : some_count();
		mutate_head(&a->lo.size, &a->lo.flags, sizeof(a->lo));
		return VMSCOPE_IOC_LAYOUT;
	case IOC_FAULTS:
		cmd = make_faults(f, &a->fl);
		mutate_tail(a, a->fl.size, sizeof(a->fl));
		return cmd;
	case IOC_OOM:
		cmd = make_oom(f, &a->oo);
		mutate_tail(a, a->oo.size, sizeof(a->oo));
		return cmd;
	case IOC_FAULTLOG:	/* this file has no mapping: an empty log */
		a->lg.size = sizeof(a->lg);
		a->lg.buf = some_buf(f);
		a->lg.buf_count = some_records(VMSCOPE_FAULTLOG_MAX);
		mutate_head(&a->lg.size, &a->lg.flags, sizeof(a->lg));
		mutate_tail(a, a->lg.size, sizeof(a->lg));
		return VMSCOPE_IOC_FAULTLOG;
	case IOC_FRAMES_SET:	/* the first good one sticks: EBUSY after */
		a->fs.size = sizeof(a->fs);
		a->fs.frames = rnd() % 4 ? PICK(0, 1, 3, VMSCOPE_FRAMES_MAX,
						VMSCOPE_FRAMES_MAX + 1) : rnd();
		a->fs.policy = rnd() % 4 ? PICK(0, 1, 2, 3,
						VMSCOPE_FRAMES_NR_POLICIES) :
					   rnd();
		mutate_head(&a->fs.size, &a->fs.flags, sizeof(a->fs));
		mutate_tail(a, a->fs.size, sizeof(a->fs));
		return VMSCOPE_IOC_FRAMES_SET;
	case IOC_FRAMES_STAT:
		a->fst.size = sizeof(a->fst);
		if (rnd() % 8 == 0)
			a->fst.resident = rnd();
		mutate_head(&a->fst.size, &a->fst.flags, sizeof(a->fst));
		mutate_tail(a, a->fst.size, sizeof(a->fst));
		return VMSCOPE_IOC_FRAMES_STAT;
	case IOC_FILECACHE:
		cmd = make_filecache(f, &a->fc);
		mutate_tail(a, a->fc.size, sizeof(a->fc));
		return cmd;
	case IOC_CENSUS:
		cmd = make_census(f, &a->cs);
		mutate_tail(a, a->cs.size, sizeof(a->cs));
		return cmd;
	case IOC_MEMORY:
		a->mem.size = sizeof(a->mem);
		mutate_head(&a->mem.size, &a->mem.flags, sizeof(a->mem));
		mutate_tail(a, a->mem.size, sizeof(a->mem));
		return VMSCOPE_IOC_MEMORY;
	case IOC_WSS_START:
		cmd = make_wss_start(f, &a->ws);
		mutate_tail(a, a->ws.size, sizeof(a->ws));
		return cmd;
	case IOC_WSS_READ:
		cmd = make_wss_read(f, &a->wr);
		mutate_tail(a, a->wr.size, sizeof(a->wr));
		return cmd;
	case IOC_WSS_CTL:
		cmd = make_wss_ctl(&a->wc);
		mutate_tail(a, a->wc.size, sizeof(a->wc));
		return cmd;
	default:
		cmd = make_reclaim(f, &a->rc);
		mutate_tail(a, a->rc.size, sizeof(a->rc));
		return cmd;
	}
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static bool sane_faults(const struct fuzz *f, const struct vmscope_faults *in,
			const struct vmscope_faults *out)
{
	const struct vmscope_fault_thread *t = (const void *)f->buf;
	uint32_t i, n = min_u32(out->buf_count, out->nr_threads);
	uint32_t threads = 0;

	if (out->size != sizeof(*out) || out->flags || out->__reserved ||
	    out->pid != in->pid || out->buf != in->buf ||
	    out->buf_count != in->buf_count)
		return false;
	if (out->pid == getpid())
		threads = 1;
	else if (out->pid == f->child || out->pid == f->child_tid)
		threads = CHILD_THREADS;
	if (threads && out->nr_threads != threads)
		return false;
	if (out->buf != (uintptr_t)f->buf)
		return true;
	/* each thread's count is a part of the group's */
	for (i = 0; i < n; i++)
		if (t[i].__pad || t[i].min_flt > out->min_flt ||
		    t[i].maj_flt > out->maj_flt || (threads && !t[i].tid))
			return false;
	return out->pid != getpid() || !n || t[0].tid == getpid();
}

/* One process as the OOM killer sees it, relative to @totalpages. */
static bool sane_oom_task(const struct fuzz *f, uint64_t totalpages,
			  const struct vmscope_oom_task *t)
{
	const uint32_t all = VMSCOPE_OOM_KTHREAD | VMSCOPE_OOM_UNKILLABLE |
			     VMSCOPE_OOM_NO_MM;
	__int128 points, score;

	if ((t->flags & ~all) || !memchr(t->comm, 0, sizeof(t->comm)) ||
	    t->oom_score_adj < -1000 || t->oom_score_adj > 1000)
		return false;
	if (t->flags & VMSCOPE_OOM_UNKILLABLE) {
		if (t->points || t->oom_score)
			return false;
	} else {
		if (t->flags)	/* a kernel thread or no mm: never chosen */
			return false;
		/* oom_badness() and proc_oom_score(), without overflow */
		points = (__int128)t->rss + t->swap + t->pgtables +
			 (__int128)t->oom_score_adj * (totalpages / 1000);
		score = (1000 + points * 1000 / totalpages) * 2 / 3;
		if (t->points != points || t->oom_score != (uint32_t)score)
			return false;
	}
	/* processes the fuzzer knows */
	if (t->pid == 1)
		return t->flags & VMSCOPE_OOM_UNKILLABLE;
	if (t->pid == 2)
		return t->flags & VMSCOPE_OOM_KTHREAD;
	if (t->pid == f->zombie)
		return t->flags & VMSCOPE_OOM_NO_MM;
	if (t->pid == getpid() || t->pid == f->child)
		return !(t->flags & (VMSCOPE_OOM_KTHREAD | VMSCOPE_OOM_NO_MM));
	return t->pid != f->child_tid;		/* processes, not threads */
}

static bool sane_oom(const struct fuzz *f, const struct vmscope_oom *in,
		     const struct vmscope_oom *out)
{
	const struct vmscope_oom_task *t = (const void *)f->buf;
	uint32_t i, n = min_u32(out->buf_count, out->nr_tasks);

	if (out->size != sizeof(*out) || out->flags ||
	    out->swap_total != in->swap_total || out->buf != in->buf ||
	    out->buf_count != in->buf_count || !out->nr_tasks ||
	    out->totalpages < out->swap_total ||
	    (f->totalram && out->totalpages != f->totalram + out->swap_total))
		return false;
	if (out->buf != (uintptr_t)f->buf)
		return true;
	for (i = 0; i < n; i++)
		if (!sane_oom_task(f, out->totalpages, &t[i]))
			return false;
	return true;
}

/* A byte count that is a whole number of pages, or "max" if @max_ok. */
static bool pages_or_max(uint64_t bytes, bool max_ok)
{
	return (max_ok && bytes == VMSCOPE_MEMCG_MAX) || !(bytes % PAGE);
}

static bool sane_memcg(const struct vmscope_memcg *m)
{
	return memchr(m->path, 0, sizeof(m->path)) &&
	       pages_or_max(m->current_bytes, false) &&
	       pages_or_max(m->min_bytes, false) &&
	       pages_or_max(m->low_bytes, false) &&
	       pages_or_max(m->high_bytes, true) &&
	       pages_or_max(m->max_bytes, true) &&
	       pages_or_max(m->swap_current_bytes, false) &&
	       pages_or_max(m->swap_max_bytes, true);
}

static bool sane_zone(const struct vmscope_zone *z)
{
	bool populated = z->flags & VMSCOPE_ZONE_POPULATED;
	uint32_t o;

	if ((z->flags & ~VMSCOPE_ZONE_POPULATED) || z->__pad ||
	    !memchr(z->name, 0, sizeof(z->name)) || !z->nr_orders ||
	    z->nr_orders > VMSCOPE_ZONE_ORDERS || populated != !!z->present ||
	    z->managed > z->present || z->present > z->spanned)
		return false;
	for (o = populated ? z->nr_orders : 0; o < VMSCOPE_ZONE_ORDERS; o++)
		if (z->nr_free[o])
			return false;
	return true;
}

static bool sane_reclaim(const struct fuzz *f,
			 const struct vmscope_reclaim *in,
			 const struct vmscope_reclaim *out)
{
	static const struct vmscope_memcg none;
	const struct vmscope_zone *z = (const void *)(f->buf + ZONES_OFF);
	const struct vmscope_node *nd = (const void *)(f->buf + NODES_OFF);
	uint32_t i;

	if (out->size != sizeof(*out) || out->flags || out->__reserved ||
	    out->pid != in->pid || out->stats != in->stats ||
	    out->zones != in->zones || out->zones_count != in->zones_count ||
	    out->nodes != in->nodes || out->nodes_count != in->nodes_count ||
	    out->stats_count != VMSCOPE_STAT_NR || !out->nr_zones ||
	    !out->nr_nodes || (out->out_flags & ~VMSCOPE_RECLAIM_MEMCG))
		return false;
	if (!(out->out_flags & VMSCOPE_RECLAIM_MEMCG)) {
		if (memcmp(&out->memcg, &none, sizeof(none)))
			return false;	/* left zero when not filled in */
	} else if (!out->pid || !sane_memcg(&out->memcg)) {
		return false;
	}
	if (out->zones == (uintptr_t)z)
		for (i = 0; i < min_u32(out->zones_count, out->nr_zones); i++)
			if (!sane_zone(&z[i]))
				return false;
	if (out->nodes == (uintptr_t)nd)
		for (i = 0; i < min_u32(out->nodes_count, out->nr_nodes); i++)
			if (nd[i].__pad)
				return false;
	return true;
}

/* A successful call's outputs are sane. */
static bool sane(const struct fuzz *f, unsigned long cmd,
		 const union req *in, const union arg *a)
{
	switch (ioc_index(cmd)) {
	case IOC_WALK:
		return a->walk.size < VMSCOPE_WALK_SIZE_VER1 ||
		       (a->walk.count <= a->walk.buf_count &&
			a->walk.next == a->walk.start + a->walk.count * PAGE);
	case IOC_TRANSLATE:
		return a->tr.size < VMSCOPE_TRANSLATE_SIZE_VER1 ||
		       (a->tr.state <= VMSCOPE_STATE_MAX &&
			a->tr.nr_steps <= VMSCOPE_MAX_LEVELS);
	case IOC_LAYOUT:
		return a->lo.size < VMSCOPE_LAYOUT_SIZE_VER1 ||
		       a->lo.count <= a->lo.buf_count;
	case IOC_FAULTS:
		return sane_faults(f, &in->fl, &a->fl);
	case IOC_OOM:
		return sane_oom(f, &in->oo, &a->oo);
	case IOC_RECLAIM:
		return sane_reclaim(f, &in->rc, &a->rc);
	case IOC_FAULTLOG:
		return a->lg.size < VMSCOPE_FAULTLOG_SIZE_VER1 ||
		       (!a->lg.nr_records && !a->lg.total && !a->lg.pages);
	case IOC_FRAMES_STAT:	/* frames perhaps, never a mapping here */
		return a->fst.size < VMSCOPE_FRAMES_STAT_SIZE_VER1 ||
		       (a->fst.frames <= VMSCOPE_FRAMES_MAX &&
			a->fst.policy < VMSCOPE_FRAMES_NR_POLICIES &&
			!a->fst.faults && !a->fst.resident && !a->fst.kept);
	case IOC_FILECACHE:	/* counted pages lie in [start, next) */
		return a->fc.size < VMSCOPE_FILECACHE_SIZE_VER1 ||
		       (a->fc.next >= a->fc.start &&
			a->fc.cached_pages <= a->fc.next - a->fc.start &&
			a->fc.dirty_pages <= a->fc.cached_pages);
	case IOC_CENSUS:
		return a->cs.size < VMSCOPE_CENSUS_SIZE_VER1 ||
		       a->cs.nr_records <= a->cs.buf_count;
	case IOC_MEMORY:
		return a->mem.size < VMSCOPE_MEMORY_SIZE_VER1 ||
		       a->mem.nr == VMSCOPE_MEM_NR;
	case IOC_WSS_READ:
		return a->wr.size < VMSCOPE_WSS_READ_SIZE_VER1 ||
		       (a->wr.count <= a->wr.buf_count &&
			a->wr.status <= VMSCOPE_WSS_FAILED &&
			(a->wr.status == VMSCOPE_WSS_FAILED || !a->wr.error));
	case IOC_WSS_CTL:
		return a->wc.size < VMSCOPE_WSS_CTL_SIZE_VER1 ||
		       (a->wc.status >= VMSCOPE_WSS_RUNNING &&
			a->wc.status <= VMSCOPE_WSS_FAILED);
	default:
		return true;
	}
}

static void *wait_forever(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

/* The child: CHILD_THREADS threads that wait to be killed. */
static void child_main(int ready)
{
	pthread_t t;
	int i;

	for (i = 1; i < CHILD_THREADS; i++)
		if (pthread_create(&t, NULL, wait_forever, NULL))
			_exit(1);
	if (write(ready, "", 1) != 1)
		_exit(1);
	wait_forever(NULL);
}

/* A thread of @pid other than its main one; -1 if none. */
static pid_t other_thread(pid_t pid)
{
	char path[64];
	struct dirent *d;
	pid_t tid = -1;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while (tid < 0 && (d = readdir(dir)))
		if (atoi(d->d_name) > 0 && atoi(d->d_name) != pid)
			tid = atoi(d->d_name);
	closedir(dir);
	return tid;
}

FIXTURE(fuzz)
{
	struct fuzz f;
};

FIXTURE_SETUP(fuzz)
{
	struct vmscope_info in = { .size = sizeof(in) };
	struct vmscope_oom oo = { .size = sizeof(oo), .buf_count = 1 };
	struct fuzz *f = &self->f;
	int ready[2], ret;
	siginfo_t si;
	char *m, c;

	memset(f, 0, sizeof(*f));
	f->fd = vmscope_open_dev();
	f->file_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (f->fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, f->fd);
	ASSERT_EQ(0, vmscope_ioctl(f->fd, VMSCOPE_IOC_INFO, &in));
	f->task_size = in.task_size;
	f->kernel_addr = in.kernel_start + (64ULL << 30);
	f->swap_pages = swap_total_pages();

	m = mmap(NULL, BUF_BYTES + 3 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	f->buf = m;
	ASSERT_EQ(0, mprotect(m + BUF_BYTES, PAGE, PROT_NONE));
	f->ro = m + BUF_BYTES + PAGE;
	ASSERT_EQ(0, mprotect(f->ro, PAGE, PROT_READ));
	f->hole = m + BUF_BYTES + 2 * PAGE;
	ASSERT_EQ(0, munmap(f->hole, PAGE));

	/* the RAM that OOM scores are relative to, without swap */
	oo.buf = (uintptr_t)f->buf;
	ret = vmscope_ioctl(f->fd, VMSCOPE_IOC_OOM, &oo);
	f->oom_eperm = ret == -EPERM;
	if (!f->oom_eperm) {
		ASSERT_EQ(0, ret);
		f->totalram = oo.totalpages;
	}

	ASSERT_EQ(0, pipe(ready));
	f->child = fork();
	ASSERT_LE(0, f->child);
	if (f->child == 0)
		child_main(ready[1]);
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);
	f->child_tid = other_thread(f->child);
	ASSERT_LT(0, f->child_tid);
	f->zombie = fork();
	ASSERT_LE(0, f->zombie);
	if (f->zombie == 0)
		_exit(0);
	/* a zombie from here on: exited, not waited for */
	ASSERT_EQ(0, waitid(P_PID, f->zombie, &si, WEXITED | WNOWAIT));
}

FIXTURE_TEARDOWN(fuzz)
{
	if (self->f.child > 0) {
		kill(self->f.child, SIGKILL);
		waitpid(self->f.child, NULL, 0);
	}
	if (self->f.zombie > 0)
		waitpid(self->f.zombie, NULL, 0);
}

static uint64_t fuzz_calls(void)
{
	const char *seed = getenv("VMSCOPE_FUZZ_SEED");
	const char *calls = getenv("VMSCOPE_FUZZ_CALLS");

	rng_state = seed ? strtoull(seed, NULL, 0) : 0x5eed5eed;
	return calls ? strtoull(calls, NULL, 0) : 100000;
}

TEST_F_TIMEOUT(fuzz, ioctls, 600)
{
	struct fuzz *f = &self->f;
	uint64_t n = fuzz_calls(), i;
	union arg a;
	union req in;
	int e, ioc;

	TH_LOG("seed %#llx, %llu calls", (unsigned long long)rng_state,
	       (unsigned long long)n);
	for (i = 0; i < n; i++) {
		unsigned long cmd = fuzz_cmd(make_request(f, &a));
		int ret;

		memcpy(&in, &a, sizeof(in));
		ret = vmscope_ioctl(f->fd, cmd, &a);
		ioc = ioc_index(cmd);
		f->calls++;
		f->ioc_calls[ioc]++;
		if (!ret) {
			f->ok++;
			f->ioc_ok[ioc]++;
			ASSERT_TRUE(sane(f, cmd, &in, &a)) {
				TH_LOG("call %llu: cmd %#lx: outputs out of range",
				       (unsigned long long)i, cmd);
			}
			continue;
		}
		e = -ret;
		ASSERT_TRUE(allowed_errno(f, ioc, e)) {
			TH_LOG("call %llu: cmd %#lx (%s): errno %d",
			       (unsigned long long)i, cmd, ioc_names[ioc], e);
		}
		f->errs[e & 255]++;
		f->ioc_errs[ioc][e]++;
	}
	TH_LOG("%llu calls: %llu succeeded; EINVAL %llu, EFAULT %llu, E2BIG %llu, ESRCH %llu, ENOENT %llu, ENOTTY %llu",
	       (unsigned long long)f->calls, (unsigned long long)f->ok,
	       (unsigned long long)f->errs[EINVAL],
	       (unsigned long long)f->errs[EFAULT],
	       (unsigned long long)f->errs[E2BIG],
	       (unsigned long long)f->errs[ESRCH],
	       (unsigned long long)f->errs[ENOENT],
	       (unsigned long long)f->errs[ENOTTY]);
	for (ioc = 0; ioc < NR_IOC; ioc++) {
		char line[256];
		int len = 0;

		for (e = 1; e < 64; e++)
			if (f->ioc_errs[ioc][e] && len < (int)sizeof(line))
				len += snprintf(line + len, sizeof(line) - len,
						", %s %llu", errno_names[e],
						(unsigned long long)f->ioc_errs[ioc][e]);
		TH_LOG("%-9s %6llu calls, %6llu ok%s", ioc_names[ioc],
		       (unsigned long long)f->ioc_calls[ioc],
		       (unsigned long long)f->ioc_ok[ioc], len ? line : "");
		/* the fuzzer got every ioctl through, and each one refused */
		if (ioc != IOC_OTHER) {
			EXPECT_LT(0U, f->ioc_ok[ioc]);
			EXPECT_LT(0U, f->ioc_errs[ioc][EINVAL]);
		}
	}
	/* the fuzzer reached both sides */
	EXPECT_LT(0U, f->ok);
	EXPECT_LT(0U, f->errs[EINVAL]);
	EXPECT_LT(0U, f->errs[EFAULT]);
}

/* One open /proc/vmscope file and what it was told. */
struct pf {
	int fd, which;
	bool known;	/* the file shows @val, as far as the fuzzer knows */
	uint64_t val;	/* faults: the PID; oom: swap pages, ~0 for none */
};

/* A number in kB for the oom file: mostly the swap there is. */
static uint64_t some_kb(struct fuzz *f)
{
	switch (rnd() % 6) {
	case 0: return rnd() >> (rnd() % 64);
	case 1: return PICK(0, 1, 3, 4, 1ULL << 54, (1ULL << 54) + 4,
			    ~0ULL);
	default: return f->swap_pages * (PAGE >> 10);
	}
}

/*
 * Write a number, or text that is not quite one, to @pf from a buffer
 * that may not be there.  Returns 0 or -errno.
 */
static int pf_write(struct fuzz *f, struct pf *pf)
{
	static const char *const odd[] = {
		"", "\n", " ", "-1", " 1", "1 ", "1\n\n", "0x10", "+1", "1e3",
		"abc", "18446744073709551615",
		"18446744073709551616", "99999999999999999999999999999999",
	};
	bool plain = false;
	char s[64] = "";
	const char *p = s;
	size_t len;
	uint64_t v = 0;
	ssize_t ret;

	if (rnd() % 4 == 0) {
		snprintf(s, sizeof(s), "%s", odd[rnd() % ARRAY_SIZE(odd)]);
	} else {
		v = pf->which == PF_OOM ? some_kb(f) : some_pid(f);
		snprintf(s, sizeof(s), "%llu%s", (unsigned long long)v,
			 rnd() % 2 ? "\n" : "");
		plain = true;
	}
	len = strlen(s);
	if (rnd() % 4 == 0)
		p = (const char *)(uintptr_t)some_buf(f);
	switch (rnd() % 16) {
	case 0:
		len = 0;
		break;
	case 1:
		len++;			/* the NUL too */
		break;
	case 2:
		len = 1 << 20;		/* only the start is read */
		break;
	}
	ret = write(pf->fd, p, len);
	if (ret < 0)
		return -errno;
	if (ret != (ssize_t)len)
		return -EIO;
	pf->known = plain && p == s && len;
	if (pf->which == PF_OOM)
		pf->val = v / (PAGE >> 10);
	else
		pf->val = v;
	/* a PID out of range is refused */
	if (pf->known && pf->which == PF_FAULTS && (!v || v > PID_LIMIT))
		return -EIO;
	return 0;
}

/* The first number after @key at the start of a line of @text; ~0 if none. */
static uint64_t text_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *l;

	for (l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, klen) && l[klen] == ' ')
			return strtoull(l + klen + 1, NULL, 10);
	return ~0ULL;
}

/*
 * The lines of /proc/vmscope/oom after its header: most points first, the
 * first one the victim if it can be chosen, those that cannot be last.
 */
static bool sane_oom_text(const char *text)
{
	const char *l = strstr(text, "\n# pid ");
	long long last = LLONG_MAX;
	bool unkillable = false;
	int i;

	if (!l)
		return false;
	for (i = 0; (l = strchr(l + 1, '\n')) && l[1]; i++) {
		unsigned int pid, score;
		long long points;
		char what[16];
		bool killable;

		if (sscanf(l + 1, "%u %u %lld %*d %*u %*u %*u %15s", &pid,
			   &score, &points, what) != 4)
			return false;
		killable = !strcmp(what, "victim") || !strcmp(what, "-");
		if (!killable && strcmp(what, "kthread") &&
		    strcmp(what, "unkillable"))
			return false;
		if (killable) {
			if (unkillable || points > last ||
			    !strcmp(what, "victim") != !i)
				return false;
		} else if (score || points) {
			return false;
		}
		unkillable |= !killable;
		last = points;
	}
	return i > 0;
}

/* What a whole read of @pf shows agrees with what it was told. */
static bool sane_text(const struct fuzz *f, const struct pf *pf,
		      const char *text)
{
	uint64_t pid, threads, swap, total;

	switch (pf->which) {
	case PF_FAULTS:
		pid = text_value(text, "pid");
		threads = text_value(text, "threads");
		if (pf->known && pid != pf->val)
			return false;
		if (pid == (uint64_t)getpid())
			return threads == 1;
		if (pid == (uint64_t)f->child || pid == (uint64_t)f->child_tid)
			return threads == CHILD_THREADS;
		return threads != ~0ULL;
	case PF_OOM:
		total = text_value(text, "totalpages");
		swap = text_value(text, "swap_total");
		if (!sane_oom_text(text))
			return false;
		if (!pf->known || !f->totalram)
			return total != ~0ULL;
		if (pf->val == ~0ULL)	/* never written */
			return strstr(text, "\nswap_total unknown") &&
			       total == f->totalram;
		return swap == pf->val && total == f->totalram + swap;
	default:
		return !strncmp(text, "# counters", 10) &&
		       text_value(text, "swap_free") != ~0ULL;
	}
}

/* Read all of @pf from the start in @chunk-byte reads; 0 or -errno. */
static int pf_read_all(struct fuzz *f, struct pf *pf, size_t chunk)
{
	char *text = f->buf;
	size_t got = 0;
	ssize_t n = 0;

	if (lseek(pf->fd, 0, SEEK_SET))
		return -errno;
	while (got < BUF_BYTES - 1) {
		n = read(pf->fd, text + got,
			 chunk < BUF_BYTES - 1 - got ? chunk :
			 BUF_BYTES - 1 - got);
		if (n <= 0)
			break;
		got += n;
	}
	if (n < 0)
		return -errno;
	text[got] = '\0';
	return sane_text(f, pf, text) ? 0 : -EIO;
}

/* A read anywhere, into any buffer; 0 or -errno. */
static int pf_read_odd(struct fuzz *f, struct pf *pf)
{
	void *p = (void *)(uintptr_t)some_buf(f);
	size_t len = PICK(1, 16, 4096);
	ssize_t n;

	if (rnd() % 2)
		n = pread(pf->fd, p, len, rnd() % 16384);
	else
		n = read(pf->fd, p, len);
	return n < 0 ? -errno : 0;
}

TEST_F_TIMEOUT(fuzz, proc_files, 600)
{
	struct fuzz *f = &self->f;
	uint64_t n = fuzz_calls() / 400, i;
	int which, step, steps, ret, rw;

	TH_LOG("seed %#llx, %llu opens", (unsigned long long)rng_state,
	       (unsigned long long)n);
	for (i = 0; i < n; i++) {
		struct pf pf = { .which = rnd() % NR_PF, .known = true };
		char path[64];

		/* a file shows its opener until told otherwise */
		pf.val = pf.which == PF_OOM ? ~0ULL : (uint64_t)getpid();
		snprintf(path, sizeof(path), VMSCOPE_PROC_DIR "/%s",
			 pf_names[pf.which]);
		pf.fd = open(path, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, pf.fd) {
			TH_LOG("%s: %s", path, strerror(errno));
		}
		steps = 1 + rnd() % 4;
		for (step = 0; step < steps; step++) {
			uint64_t allowed;

			switch (rnd() % 5) {
			case 0:
			case 1:
				rw = 0;
				ret = pf_write(f, &pf);
				allowed = pf_write_errors[pf.which];
				break;
			case 2:
			case 3:
				rw = 1;
				ret = pf_read_all(f, &pf, PICK(61, 512, 4096,
							       BUF_BYTES));
				allowed = pf_read_errors[pf.which];
				break;
			default:
				rw = 1;
				ret = pf_read_odd(f, &pf);
				allowed = pf_read_errors[pf.which];
				break;
			}
			if (pf.which == PF_OOM && f->oom_eperm)
				allowed |= ERR(EPERM);
			if (!ret) {
				f->pf_ok[pf.which][rw]++;
				continue;
			}
			ASSERT_TRUE(-ret < 64 && (allowed & ERR(-ret))) {
				TH_LOG("open %llu: %s: %s: %s", (unsigned long long)i,
				       path, rw ? "read" : "write", ret == -EIO ?
				       "wrong result" : strerror(-ret));
				if (ret == -EIO)
					TH_LOG("wrote %llu (%s): %.300s",
					       (unsigned long long)pf.val,
					       pf.known ? "known" : "unknown",
					       f->buf);
			}
			f->pf_err[pf.which][rw]++;
		}
		close(pf.fd);
	}
	for (which = 0; which < NR_PF; which++) {
		TH_LOG("%-8s writes %llu ok, %llu failed; reads %llu ok, %llu failed",
		       pf_names[which],
		       (unsigned long long)f->pf_ok[which][0],
		       (unsigned long long)f->pf_err[which][0],
		       (unsigned long long)f->pf_ok[which][1],
		       (unsigned long long)f->pf_err[which][1]);
		EXPECT_LT(0U, f->pf_ok[which][1]);
		if (which != PF_RECLAIM)
			EXPECT_LT(0U, f->pf_ok[which][0]);
	}
}

TEST_HARNESS_MAIN
