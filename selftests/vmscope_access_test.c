// SPDX-License-Identifier: GPL-2.0
/*
 * Who may see what, as an unprivileged user: refused by default; with
 * unprivileged=1, own dumpable processes only and never a PFN, physical
 * address, swap location or kernel address; a file descriptor carries the
 * rights of whoever opened it, wherever it goes.
 *
 * Reloads the module (VMSCOPE_KO) and leaves it loaded as it found it.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <sched.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define NOBODY		65534
#define PTE_PFN_BITS	0x000ffffffffff000ULL

/* Run @fn as uid/gid NOBODY in a child; its exit status (0 = all good). */
static int as_nobody(int (*fn)(int arg), int arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		/* Changing uid makes a process non-dumpable: undo that. */
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY) ||
		    prctl(PR_SET_DUMPABLE, 1))
			_exit(99);
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A child's failure: say why on stderr (TAP comment), exit with @code. */
#define CHILD_FAIL(code, fmt, ...) ({					\
	fprintf(stderr, "# child: " fmt "\n", ##__VA_ARGS__);		\
	code;								\
})

/* Translate @va of @pid; the ioctl's -errno, or 0 and *@tr filled in. */
static int translate(int fd, pid_t pid, void *va,
		     struct vmscope_translate *tr)
{
	memset(tr, 0, sizeof(*tr));
	tr->size = sizeof(*tr);
	tr->pid = pid;
	tr->vaddr = (uintptr_t)va;
	return vmscope_ioctl(fd, VMSCOPE_IOC_TRANSLATE, tr);
}

/* How other processes use a page: root's to see, as /proc/kpageflags. */
#define PRIVATE_PAGE_FLAGS	(VMSCOPE_PAGE_KSM | VMSCOPE_PAGE_DIRTY | \
				 VMSCOPE_PAGE_LRU | VMSCOPE_PAGE_ACTIVE | \
				 VMSCOPE_PAGE_REFERENCED | \
				 VMSCOPE_PAGE_UNEVICTABLE | \
				 VMSCOPE_PAGE_SWAPCACHE | VMSCOPE_PAGE_WRITEBACK)

/*
 * Nothing physical in a translation: no PFN, address, table or swap
 * location (a non-present entry keeps bits 0-8 only), and no page state
 * beyond what pagemap tells.
 */
static int nothing_physical(const struct vmscope_translate *tr)
{
	unsigned int i;

	if (!(tr->out_flags & VMSCOPE_OUT_PFN_HIDDEN) || tr->pfn ||
	    tr->paddr || tr->swap_offset || tr->swap_type)
		return 0;
	if (tr->mapcount || tr->refcount ||
	    (tr->page_flags & PRIVATE_PAGE_FLAGS))
		return 0;
	for (i = 0; i < tr->nr_steps; i++) {
		uint64_t e = tr->walk[i].entry;

		if (tr->walk[i].table_paddr || (e & PTE_PFN_BITS))
			return 0;
		if (!(e & 0x101) && (e & ~0x1ffULL))
			return 0;
	}
	return 1;
}

/* A page of our own, swapped out; 0 if there is no swap to put it in. */
static char *swapped_page(void)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0x5a, 4096);
	if (madvise(p, 4096, MADV_PAGEOUT))
		return NULL;
	return p;
}

/* With unprivileged=1, as nobody: own process yes, without PFNs. */
static int nobody_sees_own_only(int unused)
{
	struct vmscope_info in = { .size = sizeof(in) };
	struct vmscope_page rec[4];
	struct vmscope_translate tr;
	struct vmscope_walk w = {
		.size = sizeof(w), .pid = getpid(), .rec_size = sizeof(rec[0]),
		.buf = (uintptr_t)rec, .buf_count = 4,
	};
	int fd = vmscope_open_dev(), ret;
	char *swp;

	if (fd < 0)
		return 1;
	if (vmscope_ioctl(fd, VMSCOPE_IOC_INFO, &in) ||
	    (in.out_flags & VMSCOPE_INFO_KERNEL_LAYOUT) || in.page_offset)
		return 2;
	ret = translate(fd, getpid(), &tr, &tr);
	if (ret || tr.state != VMSCOPE_STATE_PRESENT || !nothing_physical(&tr))
		return CHILD_FAIL(3, "translate: %d, state %u, pfn %llx, out %x",
				  ret, tr.state, tr.pfn, tr.out_flags);
	w.start = (uintptr_t)rec & ~4095UL;
	w.end = w.start + 4 * 4096;
	if (vmscope_ioctl(fd, VMSCOPE_IOC_WALK, &w) || !w.count ||
	    rec[0].state != VMSCOPE_STATE_PRESENT || rec[0].pfn ||
	    (rec[0].page_flags & PRIVATE_PAGE_FLAGS) ||
	    !(w.out_flags & VMSCOPE_OUT_PFN_HIDDEN))
		return 4;
	/* a swapped page: no swap location in the entry either */
	swp = swapped_page();
	if (swp) {
		ret = translate(fd, getpid(), swp, &tr);
		if (ret || (tr.state == VMSCOPE_STATE_SWAPPED &&
			    !nothing_physical(&tr)))
			return CHILD_FAIL(7, "swapped: %d, state %u, entry %llx",
					  ret, tr.state,
					  tr.walk[tr.nr_steps - 1].entry);
	}
	/* init belongs to root */
	if (translate(fd, 1, (void *)0x400000, &tr) != -EACCES)
		return 5;
	/* not dumpable: refused even though it is our own */
	prctl(PR_SET_DUMPABLE, 0);
	if (translate(fd, getpid(), &tr, &tr) != -EACCES)
		return 6;
	return 0;
}

/* Read a whole /proc/vmscope file; -errno, or its length. */
static ssize_t read_proc(const char *name, const char *write_first,
			 char *buf, size_t len)
{
	char path[64];
	ssize_t n, total = 0;
	int fd;

	snprintf(path, sizeof(path), VMSCOPE_PROC_DIR "/%s", name);
	fd = open(path, write_first ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return -errno;
	if (write_first &&
	    write(fd, write_first, strlen(write_first)) < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	while ((n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	buf[total] = '\0';
	n = n < 0 ? -errno : total;
	close(fd);
	return n;
}

/* With unprivileged=1, as nobody: the fault, OOM and reclaim views. */
static int nobody_new_views(int unused)
{
	static char text[1 << 16];
	struct vmscope_reclaim rc = { .size = sizeof(rc) };
	struct vmscope_faults fl = { .size = sizeof(fl) };
	struct vmscope_oom_task t[4];
	struct vmscope_oom oo = {
		.size = sizeof(oo), .buf = (uintptr_t)t, .buf_count = 4,
	};
	int fd = vmscope_open_dev();

	if (fd < 0)
		return 1;
	fl.pid = getpid();
	if (vmscope_ioctl(fd, VMSCOPE_IOC_FAULTS, &fl))
		return 2;
	fl.pid = 1;
	if (vmscope_ioctl(fd, VMSCOPE_IOC_FAULTS, &fl) != -EACCES)
		return 3;
	/* every process's ranking: CAP_SYS_ADMIN or CAP_SYS_PTRACE only */
	if (vmscope_ioctl(fd, VMSCOPE_IOC_OOM, &oo) != -EPERM)
		return 4;
	/* the system's counters, as /proc/vmstat gives them to anyone */
	if (vmscope_ioctl(fd, VMSCOPE_IOC_RECLAIM, &rc))
		return 5;
	memset(&rc, 0, sizeof(rc));	/* stats_count came back as 57 */
	rc.size = sizeof(rc);
	rc.pid = getpid();
	if (vmscope_ioctl(fd, VMSCOPE_IOC_RECLAIM, &rc) ||
	    !(rc.out_flags & VMSCOPE_RECLAIM_MEMCG))
		return 6;
	rc.pid = 1;
	rc.stats_count = 0;
	if (vmscope_ioctl(fd, VMSCOPE_IOC_RECLAIM, &rc) != -EACCES)
		return 7;
	close(fd);
	if (read_proc("faults", NULL, text, sizeof(text)) <= 0 ||
	    read_proc("faults", "1\n", text, sizeof(text)) != -EACCES)
		return 8;
	if (read_proc("oom", NULL, text, sizeof(text)) != -EPERM)
		return 9;
	if (read_proc("reclaim", NULL, text, sizeof(text)) <= 0)
		return 10;
	/* no KASLR-randomised kernel address reaches nobody */
	if (read_proc("info", NULL, text, sizeof(text)) <= 0 ||
	    !strstr(text, "page_offset:    hidden") ||
	    !strstr(text, "vmalloc_start:  hidden") ||
	    !strstr(text, "vmemmap_start:  hidden"))
		return CHILD_FAIL(11, "info: %s", text);
	return 0;
}

/* With unprivileged=1, as nobody: the fault log hides PFNs. */
static int nobody_fault_log(int unused)
{
	struct vmscope_fault_record rec[2];
	struct vmscope_faultlog lg = {
		.size = sizeof(lg), .buf = (uintptr_t)rec, .buf_count = 2,
	};
	int fd = open(VMSCOPE_DEVICE, O_RDWR);
	volatile char *p;

	if (fd < 0)
		return 1;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 2;
	(void)*p;
	if (vmscope_ioctl(fd, VMSCOPE_IOC_FAULTLOG, &lg) ||
	    lg.nr_records != 1 || rec[0].pfn || !rec[0].address)
		return CHILD_FAIL(3, "faultlog: %u records, pfn %llx",
				  lg.nr_records, rec[0].pfn);
	return 0;
}

/* Start a working-set session of the caller itself on @fd: 0 or -errno. */
static int wss_self(int fd, unsigned int interval_ms)
{
	struct vmscope_wss_start st = {
		.size = sizeof(st), .pid = getpid(), .interval_ms = interval_ms,
	};

	return vmscope_ioctl(fd, VMSCOPE_IOC_WSS_START, &st);
}

/*
 * With unprivileged=1 and wss_max_threads=@max, as nobody: a sampling
 * thread no faster than 10 ms, and at most @max threads at once; a
 * session that ends gives its thread back.
 */
static int nobody_wss_limits(int max)
{
	int fd[8], i, err, ret = 0;

	if (max < 1 || max >= (int)ARRAY_SIZE(fd))
		return CHILD_FAIL(99, "max %d: 1 to %zu", max,
				  ARRAY_SIZE(fd) - 1);
	for (i = 0; i <= max; i++) {
		fd[i] = vmscope_open_dev();
		if (fd[i] < 0)
			return CHILD_FAIL(1, "open /dev/vmscope: %d", fd[i]);
	}
	err = wss_self(fd[0], 9);
	if (err != -EPERM)
		ret = CHILD_FAIL(2, "9 ms interval: %d, not -EPERM", err);
	for (i = 0; !ret && i < max; i++) {
		err = wss_self(fd[i], 10);
		if (err)
			ret = CHILD_FAIL(3, "session %d: %d", i, err);
	}
	err = wss_self(fd[max], 100);
	if (!ret && err != -EAGAIN)
		ret = CHILD_FAIL(4, "session %d of %d: %d, not -EAGAIN",
				 max + 1, max, err);
	close(fd[0]);			/* ends a session, frees its thread */
	err = wss_self(fd[max], 100);
	if (!ret && err)
		ret = CHILD_FAIL(5, "after a close: %d", err);
	for (i = 1; i <= max; i++)
		close(fd[i]);
	return ret;
}

/* A manual session of the caller itself keeping @records: 0 or -errno. */
static int wss_manual_self(int fd, unsigned int records)
{
	struct vmscope_wss_start st = {
		.size = sizeof(st), .pid = getpid(),
		.flags = VMSCOPE_WSS_MANUAL, .max_records = records,
	};

	return vmscope_ioctl(fd, VMSCOPE_IOC_WSS_START, &st);
}

/*
 * With unprivileged=1 and wss_max_mb=4, as nobody: sessions of 32,768
 * records (1.5 MiB and a staging area each) fit twice, not three times;
 * a closed one gives its memory back.
 */
static int nobody_wss_memory(int unused)
{
	int fd[3], i, err, ret = 0;

	for (i = 0; i < 3; i++) {
		fd[i] = vmscope_open_dev();
		if (fd[i] < 0)
			return CHILD_FAIL(1, "open /dev/vmscope: %d", fd[i]);
	}
	for (i = 0; !ret && i < 2; i++) {
		err = wss_manual_self(fd[i], 32768);
		if (err)
			ret = CHILD_FAIL(2, "session %d: %d", i, err);
	}
	err = wss_manual_self(fd[2], 32768);
	if (!ret && err != -EAGAIN)
		ret = CHILD_FAIL(3, "a third session: %d, not -EAGAIN", err);
	close(fd[0]);
	err = wss_manual_self(fd[2], 32768);
	if (!ret && err)
		ret = CHILD_FAIL(4, "after a close: %d", err);
	close(fd[1]);
	close(fd[2]);
	return ret;
}

/*
 * As nobody: passes of a manual session begin at least 10 ms apart, as a
 * thread's would (each flushes every CPU's TLB).  A lower bound only: the
 * second pass waits for it, whatever the machine's speed.
 */
static int nobody_wss_paced(int unused)
{
	struct vmscope_wss_ctl ctl = {
		.size = sizeof(ctl), .op = VMSCOPE_WSS_OP_PASS,
	};
	double t0, t;
	int fd, i, err;

	fd = vmscope_open_dev();
	if (fd < 0)
		return CHILD_FAIL(1, "open /dev/vmscope: %d", fd);
	err = wss_manual_self(fd, 0);
	if (err)
		return CHILD_FAIL(2, "start: %d", err);
	t0 = now_secs() * 1e3;
	for (i = 0; i < 3; i++) {
		err = vmscope_ioctl(fd, VMSCOPE_IOC_WSS_CTL, &ctl);
		if (err)
			return CHILD_FAIL(3, "pass %d: %d", i, err);
	}
	t = now_secs() * 1e3 - t0;
	close(fd);
	/* the third pass began at least 2 x 10 ms after the first */
	if (t < 20)
		return CHILD_FAIL(4, "three passes in %.3f ms, under 20", t);
	return 0;
}

#define GIB	(1UL << 30)
#define HPAGE	(2UL << 20)
#define NO_HUGE_PAGES	77	/* nobody_hugetlb_bits(): could not map */

/* The Accessed and Dirty bits TRANSLATE and WALK give of @va. */
static int hugetlb_bits(int fd, char *va, uint32_t *tr_bits,
			uint32_t *walk_bits)
{
	const uint32_t ad = VMSCOPE_PTE_ACCESSED | VMSCOPE_PTE_DIRTY;
	struct vmscope_translate tr;
	struct vmscope_page rec;
	struct vmscope_walk w = {
		.size = sizeof(w), .pid = getpid(), .rec_size = sizeof(rec),
		.start = (uintptr_t)va, .end = (uintptr_t)va + 4096,
		.buf = (uintptr_t)&rec, .buf_count = 1,
	};
	int err = translate(fd, getpid(), va, &tr);

	if (err || tr.state != VMSCOPE_STATE_PRESENT ||
	    tr.leaf_level != VMSCOPE_LEVEL_PMD || !tr.nr_steps)
		return CHILD_FAIL(98, "translate %p: %d, state %u, level %u",
				  va, err, tr.state, tr.leaf_level);
	*tr_bits = (tr.walk[tr.nr_steps - 1].flags & ad) |
		   (tr.walk[tr.nr_steps - 1].entry & ad);
	err = vmscope_ioctl(fd, VMSCOPE_IOC_WALK, &w);
	if (err || w.count != 1)
		return CHILD_FAIL(98, "walk %p: %d, %llu records", va, err,
				  (unsigned long long)w.count);
	*walk_bits = rec.flags & ad;
	return 0;
}

/*
 * As nobody: the Accessed and Dirty bits of a written huge page of a
 * MAP_SHARED hugetlb mapping covering an aligned GiB (whose PMD table the
 * kernel may share with other processes mapping the file) are not shown;
 * those of a MAP_PRIVATE one (never shared) are.
 */
static int nobody_hugetlb_bits(int unused)
{
	const int flags = MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE;
	uint32_t tr_bits, walk_bits;
	char *shared, *priv, *va;
	int fd, err;

	shared = mmap(NULL, 2 * GIB, PROT_READ | PROT_WRITE,
		      MAP_SHARED | flags, -1, 0);
	priv = mmap(NULL, HPAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | flags,
		    -1, 0);
	if (shared == MAP_FAILED || priv == MAP_FAILED)
		return NO_HUGE_PAGES;
	va = (char *)(((uintptr_t)shared + GIB - 1) & ~(GIB - 1));
	va[0] = 1;
	priv[0] = 1;
	fd = vmscope_open_dev();
	if (fd < 0)
		return CHILD_FAIL(1, "open /dev/vmscope: %d", fd);
	err = hugetlb_bits(fd, priv, &tr_bits, &walk_bits);
	if (err)
		return err;
	if (tr_bits != (VMSCOPE_PTE_ACCESSED | VMSCOPE_PTE_DIRTY) ||
	    walk_bits != tr_bits)
		return CHILD_FAIL(2, "private huge page: bits %x, walk %x",
				  tr_bits, walk_bits);
	err = hugetlb_bits(fd, va, &tr_bits, &walk_bits);
	if (err)
		return err;
	if (tr_bits || walk_bits)
		return CHILD_FAIL(3, "shared huge page: bits %x, walk %x",
				  tr_bits, walk_bits);
	close(fd);
	return 0;
}

/*
 * What nobody gets of @pid, through vmscope and through the kernel's own
 * ptrace-checked view: bit 0 set if /proc/PID/maps opens, bit 1 if
 * VMSCOPE_IOC_TRANSLATE answers.
 */
static int nobody_looks_at(int pid)
{
	char path[64];
	struct vmscope_translate tr;
	int fd, ret = 0, stack;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		ret |= 1;
		close(fd);
	} else if (errno != EACCES) {
		return CHILD_FAIL(99, "open %s: %s", path, strerror(errno));
	}
	fd = vmscope_open_dev();
	if (fd < 0)
		return CHILD_FAIL(99, "open /dev/vmscope: %d", fd);
	if (!translate(fd, pid, &stack, &tr))
		ret |= 2;
	close(fd);
	return ret;
}

/*
 * A child of root that becomes nobody but keeps @cap (or nothing, for
 * -1) in its permitted set, dumpable, and waits until the pipe closes.
 */
static pid_t nobody_with_cap(int cap, int *keep)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };
	int p[2], q[2];
	char c = 0;
	pid_t pid;

	if (pipe(p) || pipe(q))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		close(q[1]);
		if (cap >= 0)
			data[cap / 32].permitted = 1U << (cap % 32);
		/* setuid with KEEPCAPS keeps the permitted set */
		if (prctl(PR_SET_KEEPCAPS, 1) || setgroups(0, NULL) ||
		    setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY) ||
		    syscall(SYS_capset, &hdr, data) ||
		    prctl(PR_SET_DUMPABLE, 1))
			_exit(99);
		if (write(p[1], &c, 1) != 1)
			_exit(98);
		(void)!read(q[0], &c, 1);	/* until the parent is done */
		_exit(0);
	}
	close(p[1]);
	close(q[0]);
	if (pid < 0 || read(p[0], &c, 1) != 1) {
		close(p[0]);
		close(q[1]);
		return -1;
	}
	close(p[0]);
	*keep = q[1];
	return pid;
}

/* The permitted capabilities of @pid, from /proc/PID/status. */
static unsigned long long cap_prm(pid_t pid)
{
	char path[64], val[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_key(path, "CapPrm", val, sizeof(val)))
		return ~0ULL;
	return strtoull(val, NULL, 16);
}

/*
 * As nobody in a new user namespace (unshare -U): its own process yes, as
 * /proc/self/maps; its parent, a nobody process outside, no, as
 * /proc/PPID/maps.  Exit 0 when vmscope agrees with maps both times.
 */
static int nobody_in_userns(int unused)
{
	pid_t parent = getpid();
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (unshare(CLONE_NEWUSER))
			_exit(4);
		if (nobody_looks_at(getpid()) != 3)
			_exit(CHILD_FAIL(5, "own process refused in userns"));
		if (nobody_looks_at(parent) != 0)
			_exit(CHILD_FAIL(6, "parent outside the userns: %d",
					 nobody_looks_at(parent)));
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}

/* Default (root-only) mode, as nobody: the files cannot be opened. */
static int nobody_refused(int unused)
{
	if (vmscope_open_dev() != -EACCES)
		return 1;
	return open(VMSCOPE_PROC_DIR "/info", O_RDONLY) < 0 &&
	       errno == EACCES ? 0 : 2;
}

/* An fd root opened, used after becoming nobody: root's rights. */
static int inherited_root_fd(int fd)
{
	struct vmscope_translate tr;
	int stack;

	if (translate(fd, 1, &stack, &tr))
		return 1;
	if (translate(fd, getppid(), &stack, &tr) ||
	    (tr.state == VMSCOPE_STATE_PRESENT && !tr.pfn))
		return 2;
	return 0;
}

/* Open the device as nobody and send the fd to the parent. */
static int send_nobody_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int fd = vmscope_open_dev();

	if (fd < 0)
		return 1;
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : 2;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

FIXTURE(unprivileged)
{
	int dummy;
};

FIXTURE_SETUP(unprivileged)
{
	int ret = vmscope_reload("unprivileged=1");

	if (ret == -ENOENT)
		SKIP(return, "VMSCOPE_KO (path of vmscope.ko) not set");
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(unprivileged)
{
	EXPECT_EQ(0, vmscope_reload(""));
}

TEST_F(unprivileged, files_open_to_all)
{
	struct stat st;

	ASSERT_EQ(0, stat(VMSCOPE_DEVICE, &st));
	EXPECT_EQ(0666, st.st_mode & 07777);
	ASSERT_EQ(0, stat(VMSCOPE_PROC_DIR "/info", &st));
	EXPECT_EQ(0444, st.st_mode & 07777);
}

TEST_F(unprivileged, own_processes_only_and_no_pfns)
{
	EXPECT_EQ(0, as_nobody(nobody_sees_own_only, 0));
}

TEST_F(unprivileged, fault_oom_reclaim_views)
{
	EXPECT_EQ(0, as_nobody(nobody_new_views, 0));
	EXPECT_EQ(0, as_nobody(nobody_fault_log, 0));
}

/* Root's sessions count against no limit; nobody's do. */
TEST(wss_threads_limited_for_users)
{
	int fd, ret = vmscope_reload("unprivileged=1 wss_max_threads=2");

	if (ret == -ENOENT)
		SKIP(return, "VMSCOPE_KO (path of vmscope.ko) not set");
	ASSERT_EQ(0, ret);
	fd = vmscope_open_dev();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, wss_self(fd, 1));	/* root: 1 ms, not counted */
	EXPECT_EQ(0, as_nobody(nobody_wss_limits, 2));
	close(fd);
	EXPECT_EQ(0, vmscope_reload(""));
}

/* Root's sessions hold any memory; nobody's are capped by wss_max_mb. */
TEST(wss_memory_limited_for_users)
{
	int fd, ret = vmscope_reload("unprivileged=1 wss_max_mb=4");

	if (ret == -ENOENT)
		SKIP(return, "VMSCOPE_KO (path of vmscope.ko) not set");
	ASSERT_EQ(0, ret);
	fd = vmscope_open_dev();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, wss_manual_self(fd, 1U << 20));	/* root: 48 MiB */
	EXPECT_EQ(0, as_nobody(nobody_wss_memory, 0));
	close(fd);
	EXPECT_EQ(0, vmscope_reload(""));
}

TEST_F(unprivileged, wss_manual_passes_paced)
{
	EXPECT_EQ(0, as_nobody(nobody_wss_paced, 0));
}

TEST_F(unprivileged, shared_hugetlb_bits_hidden)
{
	const char *nr = "/proc/sys/vm/nr_hugepages";
	char was[32] = "0";
	int ret, fd = open(nr, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ret = read(fd, was, sizeof(was) - 1);
		was[ret > 0 ? ret : 0] = 0;
		close(fd);
	}
	if (write_file(nr, "2"))
		SKIP(return, "no hugetlb pages");
	ret = as_nobody(nobody_hugetlb_bits, 0);
	write_file(nr, was);
	if (ret == NO_HUGE_PAGES)
		SKIP(return, "nobody could not map two huge pages");
	EXPECT_EQ(0, ret);
}

TEST_F(unprivileged, root_fd_keeps_root_rights)
{
	int fd = vmscope_open_dev();

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, as_nobody(inherited_root_fd, fd));
	close(fd);
}

/* An fd opened by nobody gives root nothing more than nobody had. */
TEST_F(unprivileged, nobody_fd_passed_to_root_gains_nothing)
{
	struct vmscope_translate tr;
	int sv[2], fd, stack;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	EXPECT_EQ(0, as_nobody(send_nobody_fd, sv[1]));
	fd = recv_fd(sv[0]);
	ASSERT_LE(0, fd);
	/* root's own process and init: not nobody's */
	EXPECT_EQ(-EACCES, translate(fd, getpid(), &stack, &tr));
	EXPECT_EQ(-EACCES, translate(fd, 1, &stack, &tr));
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

/* "root" in a user namespace is not CAP_SYS_ADMIN: no PFNs. */
TEST_F(unprivileged, userns_root_sees_no_pfns)
{
	struct vmscope_translate tr;
	int status, stack;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (unshare(CLONE_NEWUSER))
			_exit(4);
		fd = vmscope_open_dev();
		if (fd < 0 || translate(fd, getpid(), &stack, &tr))
			_exit(1);
		_exit(nothing_physical(&tr) ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 4)
		SKIP(return, "user namespaces unavailable");
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * A same-uid process holding a capability the opener lacks (as with
 * setpriv --ambient-caps or systemd AmbientCapabilities=): refused, as
 * cap_ptrace_access_check() refuses /proc/PID/maps; without it, allowed.
 */
TEST_F(unprivileged, same_uid_target_with_caps_refused)
{
	int keep_cap, keep_none;
	pid_t with_cap = nobody_with_cap(CAP_NET_RAW, &keep_cap);
	pid_t without = nobody_with_cap(-1, &keep_none);

	ASSERT_LT(0, with_cap);
	ASSERT_LT(0, without);
	/* the shape: one holds CAP_NET_RAW, the other nothing */
	EXPECT_EQ(1ULL << CAP_NET_RAW, cap_prm(with_cap));
	EXPECT_EQ(0ULL, cap_prm(without));
	/* maps refuses the first and shows the second; so must vmscope */
	EXPECT_EQ(0, as_nobody(nobody_looks_at, with_cap));
	EXPECT_EQ(3, as_nobody(nobody_looks_at, without));
	close(keep_cap);
	close(keep_none);
	waitpid(with_cap, NULL, 0);
	waitpid(without, NULL, 0);
}

/* An opener inside unshare -U: not the same user namespace as its parent. */
TEST_F(unprivileged, userns_opener_refused_outside)
{
	int ret = as_nobody(nobody_in_userns, 0);

	if (ret == 4)
		SKIP(return, "user namespaces unavailable to nobody");
	EXPECT_EQ(0, ret);
}

TEST(root_only_by_default)
{
	int ret = vmscope_reload("");

	if (ret == -ENOENT)
		SKIP(return, "VMSCOPE_KO (path of vmscope.ko) not set");
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0, as_nobody(nobody_refused, 0));
}

TEST_HARNESS_MAIN
