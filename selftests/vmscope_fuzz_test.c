// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded ioctl fuzzer for /dev/vmscope: valid requests mutated a field
 * or three at a time (sizes around the structure's, unknown flags,
 * reserved fields set, ranges at the ends of the address space, counts
 * that overflow), sent for processes that exist, do not, have exited or
 * are kernel threads, with buffers that are NULL, kernel addresses,
 * unmapped, read-only or run into a PROT_NONE page.  Every call must end
 * in a result that the ABI allows: success with sane outputs, or one of
 * the errors it documents.  The VM fails the run if the kernel log shows
 * any report.  VMSCOPE_FUZZ_SEED and VMSCOPE_FUZZ_CALLS set the seed and
 * the number of calls.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define PAGE		4096UL
#define BUF_BYTES	(64UL << 10)

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
	pick(__v, sizeof(__v) / sizeof(__v[0]));			\
})

struct fuzz {
	int fd;
	uint64_t task_size, kernel_addr;
	pid_t child, zombie;
	char *buf;		/* BUF_BYTES, then a PROT_NONE page */
	char *ro;		/* a read-only page */
	char *hole;		/* an unmapped page */
	uint64_t calls, ok, errs[256];
};

static uint64_t some_pid(struct fuzz *f)
{
	switch (rnd() % 8) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 2;			/* kthreadd */
	case 3: return f->zombie;
	case 4: return rnd();
	case 5: return f->child;
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

static uint64_t some_count(void)
{
	return PICK(0, 1, 2, 7, 512, 4096, 4097, 1ULL << 32, 1ULL << 60,
		    ~0ULL);
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

/* What the ABI allows an ioctl to fail with. */
static bool allowed_errno(int e)
{
	switch (e) {
	case EINVAL: case EFAULT: case E2BIG: case ESRCH: case ENOENT:
	case EACCES: case ENOTTY: case EINTR: case ENOMEM:
		return true;
	default:
		return false;
	}
}

union arg {
	struct vmscope_info info;
	struct vmscope_translate tr;
	struct vmscope_walk walk;
	struct vmscope_ptstats st;
	struct vmscope_layout lo;
	char bytes[8192];
};

static unsigned long make_request(struct fuzz *f, union arg *a)
{
	memset(a, 0, sizeof(*a));
	switch (rnd() % 5) {
	case 0:
		a->info.size = sizeof(a->info);
		mutate_head(&a->info.size, &a->info.flags, sizeof(a->info));
		return VMSCOPE_IOC_INFO;
	case 1:
		a->tr.size = sizeof(a->tr);
		a->tr.pid = some_pid(f);
		a->tr.vaddr = some_addr(f);
		mutate_head(&a->tr.size, &a->tr.flags, sizeof(a->tr));
		return VMSCOPE_IOC_TRANSLATE;
	case 2:
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
	case 3:
		a->st.size = sizeof(a->st);
		a->st.pid = some_pid(f);
		mutate_head(&a->st.size, &a->st.flags, sizeof(a->st));
		return VMSCOPE_IOC_PTSTATS;
	default:
		a->lo.size = sizeof(a->lo);
		a->lo.pid = some_pid(f);
		a->lo.start = rnd() % 2 ? 0 : some_addr(f);
		a->lo.rec_size = PICK(sizeof(struct vmscope_layout_vma), 352,
				      0, 343, 4096);
		a->lo.buf = some_buf(f);
		a->lo.buf_count = rnd() % 3 ? rnd() % 100 : some_count();
		mutate_head(&a->lo.size, &a->lo.flags, sizeof(a->lo));
		return VMSCOPE_IOC_LAYOUT;
	}
}

/* A successful call's outputs are sane. */
static bool sane(unsigned long cmd, const union arg *a)
{
	if (_IOC_NR(cmd) == _IOC_NR(VMSCOPE_IOC_WALK) &&
	    a->walk.size >= VMSCOPE_WALK_SIZE_VER1)
		return a->walk.count <= a->walk.buf_count &&
		       a->walk.next == a->walk.start + a->walk.count * PAGE;
	if (_IOC_NR(cmd) == _IOC_NR(VMSCOPE_IOC_TRANSLATE) &&
	    a->tr.size >= VMSCOPE_TRANSLATE_SIZE_VER1)
		return a->tr.state <= VMSCOPE_STATE_MAX &&
		       a->tr.nr_steps <= VMSCOPE_MAX_LEVELS;
	if (_IOC_NR(cmd) == _IOC_NR(VMSCOPE_IOC_LAYOUT) &&
	    a->lo.size >= VMSCOPE_LAYOUT_SIZE_VER1)
		return a->lo.count <= a->lo.buf_count;
	return true;
}

FIXTURE(fuzz)
{
	struct fuzz f;
};

FIXTURE_SETUP(fuzz)
{
	struct vmscope_info in = { .size = sizeof(in) };
	struct fuzz *f = &self->f;
	char *m;

	memset(f, 0, sizeof(*f));
	f->fd = vmscope_open_dev();
	if (f->fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, f->fd);
	ASSERT_EQ(0, vmscope_ioctl(f->fd, VMSCOPE_IOC_INFO, &in));
	f->task_size = in.task_size;
	f->kernel_addr = in.kernel_start + (64ULL << 30);

	m = mmap(NULL, BUF_BYTES + 3 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	f->buf = m;
	ASSERT_EQ(0, mprotect(m + BUF_BYTES, PAGE, PROT_NONE));
	f->ro = m + BUF_BYTES + PAGE;
	ASSERT_EQ(0, mprotect(f->ro, PAGE, PROT_READ));
	f->hole = m + BUF_BYTES + 2 * PAGE;
	ASSERT_EQ(0, munmap(f->hole, PAGE));

	f->child = fork();
	ASSERT_LE(0, f->child);
	if (f->child == 0) {
		for (;;)
			pause();
	}
	f->zombie = fork();
	ASSERT_LE(0, f->zombie);
	if (f->zombie == 0)
		_exit(0);
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

TEST_F_TIMEOUT(fuzz, ioctls, 600)
{
	const char *seed = getenv("VMSCOPE_FUZZ_SEED");
	const char *calls = getenv("VMSCOPE_FUZZ_CALLS");
	struct fuzz *f = &self->f;
	uint64_t n = calls ? strtoull(calls, NULL, 0) : 100000, i;
	union arg a;
	int e;

	rng_state = seed ? strtoull(seed, NULL, 0) : 0x5eed5eed;
	TH_LOG("seed %#llx, %llu calls", (unsigned long long)rng_state,
	       (unsigned long long)n);
	for (i = 0; i < n; i++) {
		unsigned long cmd = fuzz_cmd(make_request(f, &a));
		int ret = vmscope_ioctl(f->fd, cmd, &a);

		f->calls++;
		if (!ret) {
			f->ok++;
			ASSERT_TRUE(sane(cmd, &a)) {
				TH_LOG("call %llu: cmd %#lx: outputs out of range",
				       (unsigned long long)i, cmd);
			}
			continue;
		}
		e = -ret;
		ASSERT_TRUE(allowed_errno(e)) {
			TH_LOG("call %llu: cmd %#lx: errno %d",
			       (unsigned long long)i, cmd, e);
		}
		f->errs[e & 255]++;
	}
	TH_LOG("%llu calls: %llu succeeded; EINVAL %llu, EFAULT %llu, E2BIG %llu, ESRCH %llu, ENOENT %llu, ENOTTY %llu",
	       (unsigned long long)f->calls, (unsigned long long)f->ok,
	       (unsigned long long)f->errs[EINVAL],
	       (unsigned long long)f->errs[EFAULT],
	       (unsigned long long)f->errs[E2BIG],
	       (unsigned long long)f->errs[ESRCH],
	       (unsigned long long)f->errs[ENOENT],
	       (unsigned long long)f->errs[ENOTTY]);
	/* the fuzzer reached both sides */
	EXPECT_LT(0U, f->ok);
	EXPECT_LT(0U, f->errs[EINVAL]);
	EXPECT_LT(0U, f->errs[EFAULT]);
}

TEST_HARNESS_MAIN
