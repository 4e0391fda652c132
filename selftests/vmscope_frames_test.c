// SPDX-License-Identifier: GPL-2.0
/*
 * The module's frames (VMSCOPE_IOC_FRAMES_SET/STAT): a mapping of
 * /dev/vmscope whose faults the module serves with K frames, evicting by
 * a policy.  Checked: every page's contents after thousands of evictions
 * (each policy); FIFO and clock fault counts equal to the simulator's
 * (userspace/replace.c) and to the process's own minor faults
 * (getrusage); resident pages against /proc/self/pagemap; the fault log's
 * order; fork, munmap, mremap and partial munmap; bad requests; the
 * pages charged to the opener's memory cgroup (memory.current).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "json_tree.h"
#include "replace.h"
#include "vmscope.h"
#include "vmscope_exp.h"

#define PAGE	4096UL
#define NPAGES	64

static int frames_set(int fd, uint32_t frames, uint32_t policy)
{
	struct vmscope_frames_set s = { .size = sizeof(s), .frames = frames,
					.policy = policy };

	return vmscope_ioctl(fd, VMSCOPE_IOC_FRAMES_SET, &s);
}

static int frames_stat(int fd, struct vmscope_frames_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return vmscope_ioctl(fd, VMSCOPE_IOC_FRAMES_STAT, st);
}

static void pin_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

FIXTURE(frames)
{
	int fd;
	char *map;
};

FIXTURE_VARIANT(frames)
{
	uint32_t policy;
};

FIXTURE_VARIANT_ADD(frames, fifo) { .policy = VMSCOPE_FRAMES_FIFO };
FIXTURE_VARIANT_ADD(frames, clock) { .policy = VMSCOPE_FRAMES_CLOCK };
FIXTURE_VARIANT_ADD(frames, lru) { .policy = VMSCOPE_FRAMES_LRU };
FIXTURE_VARIANT_ADD(frames, random) { .policy = VMSCOPE_FRAMES_RANDOM };

FIXTURE_SETUP(frames)
{
	self->map = MAP_FAILED;
	self->fd = open(VMSCOPE_DEVICE, O_RDWR | O_CLOEXEC);
	if (self->fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, frames_set(self->fd, 8, variant->policy));
}

FIXTURE_TEARDOWN(frames)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, NPAGES * PAGE);
	if (self->fd >= 0)
		close(self->fd);
}

/* The word pattern of page @i after round @r. */
static uint64_t pattern(unsigned int r, unsigned int i, unsigned int w)
{
	return 0x9e3779b97f4a7c15ULL * (r * 131 + i * 7 + w + 1);
}

static struct vmscope_fault_record rec[256];
static unsigned int nr_log;

static int log_read(int fd, struct vmscope_fault_record *r, unsigned int n,
		    unsigned int flags)
{
	struct vmscope_faultlog fl = { .size = sizeof(fl), .flags = flags,
				       .buf = (uintptr_t)r, .buf_count = n };
	int err = vmscope_ioctl(fd, VMSCOPE_IOC_FAULTLOG, &fl);

	nr_log = fl.nr_records;
	return err;
}

TEST_F(frames, contents_survive_thousands_of_evictions)
{
	long kernel_fault[NPAGES], module_fault[NPAGES];
	struct vmscope_frames_stat st;
	uint64_t seed = 88172645463325252ULL;
	volatile uint64_t *w;
	unsigned int r, i, j, bad = 0;
	unsigned int last[NPAGES] = { 0 };

	self->map = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	/* a fresh page: the text the module fills it with is not ours */
	ASSERT_EQ(0, frames_stat(self->fd, &st));
	EXPECT_EQ(0, st.faults);
	for (r = 1; r <= 40; r++) {
		for (j = 0; j < NPAGES; j++) {
			i = rp_rand(&seed) % NPAGES;
			w = (volatile uint64_t *)(self->map + i * PAGE);
			/* what was written last must still be there */
			if (last[i] && (w[0] != pattern(last[i], i, 0) ||
					w[511] != pattern(last[i], i, 511)))
				bad++;
			w[0] = pattern(r, i, 0);
			w[511] = pattern(r, i, 511);
			last[i] = r;
		}
	}
	for (i = 0; i < NPAGES; i++) {
		w = (volatile uint64_t *)(self->map + i * PAGE);
		if (last[i] && (w[0] != pattern(last[i], i, 0) ||
				w[511] != pattern(last[i], i, 511)))
			bad++;
	}
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, frames_stat(self->fd, &st));
	EXPECT_EQ(8, st.frames);
	EXPECT_EQ(variant->policy, st.policy);
	/* not vacuous: most accesses had to bring their page back */
	EXPECT_GE(st.evictions, 1000);
	EXPECT_EQ(st.faults - 8, st.evictions);
	EXPECT_EQ(8, st.resident);
	/* every page was written, so every eviction is a write-back ... */
	EXPECT_LE(st.writebacks, st.evictions);
	EXPECT_GE(st.writebacks, st.evictions / 2);
	EXPECT_LE(st.kept, NPAGES);
	EXPECT_GE(st.kept, NPAGES - 2);
	if (variant->policy == VMSCOPE_FRAMES_CLOCK ||
	    variant->policy == VMSCOPE_FRAMES_LRU)
		EXPECT_GT(st.accessed_cleared, 0);
	/*
	 * Residency against the kernel's own count (pagemap and smaps skip
	 * PFN maps): one more pass over the pages in order; an access takes
	 * a minor fault (getrusage) exactly when the module logs a fault for
	 * that page.
	 */
	ASSERT_EQ(0, log_read(self->fd, rec, 256, VMSCOPE_FAULTLOG_CLEAR));
	pin_cpu();
	for (i = 0; i < NPAGES; i++) {
		long a = minflt();

		(void)*(volatile char *)(self->map + i * PAGE);
		kernel_fault[i] = minflt() - a;
	}
	ASSERT_EQ(0, log_read(self->fd, rec, 256, 0));
	ASSERT_LE(nr_log, 256);
	memset(module_fault, 0, sizeof(module_fault));
	for (j = 0; j < nr_log; j++)
		if (!(rec[j].flags & VMSCOPE_FREC_EVICTION) &&
		    rec[j].pgoff < NPAGES)
			module_fault[rec[j].pgoff]++;
	for (i = 0, j = 0; i < NPAGES; i++) {
		EXPECT_EQ(kernel_fault[i], module_fault[i]) TH_LOG("page %u", i);
		j += kernel_fault[i];
	}
	/* not vacuous: at most 8 pages were resident */
	EXPECT_GE(j, NPAGES - 8);
}

/* Follow @t on K frames in a child pinned to one CPU; its faults. */
struct follow {
	struct vmscope_frames_stat st;
	long minflt;			/* the child's, over the accesses */
	struct vmscope_fault_record rec[VMSCOPE_FAULTLOG_MAX];
	struct vmscope_faultlog fl;
};

static int follow(const struct rp_trace *t, uint32_t k, uint32_t policy,
		  struct follow *f)
{
	long *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int fd = open(VMSCOPE_DEVICE, O_RDWR | O_CLOEXEC), st = -1;
	pid_t pid;

	if (fd < 0 || shared == MAP_FAILED || frames_set(fd, k, policy))
		goto out;
	pid = fork();
	if (!pid) {
		volatile char *m = mmap(NULL, t->npages * PAGE,
					PROT_READ | PROT_WRITE, MAP_SHARED,
					fd, 0);
		long a;
		size_t i;

		if (m == MAP_FAILED)
			_exit(1);
		pin_cpu();
		a = minflt();
		for (i = 0; i < t->n; i++) {
			if (t->wr[i])
				m[t->ref[i] * PAGE + 8] = 1;
			else
				(void)m[t->ref[i] * PAGE];
		}
		shared[0] = minflt() - a;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st)
		goto out;
	f->minflt = shared[0];
	memset(&f->fl, 0, sizeof(f->fl));
	f->fl.size = sizeof(f->fl);
	f->fl.buf = (uintptr_t)f->rec;
	f->fl.buf_count = VMSCOPE_FAULTLOG_MAX;
	st = frames_stat(fd, &f->st) ?:
	     vmscope_ioctl(fd, VMSCOPE_IOC_FAULTLOG, &f->fl);
out:
	if (fd >= 0)
		close(fd);
	munmap(shared, PAGE);
	return st;
}

struct seq {
	uint32_t page[VMSCOPE_FAULTLOG_MAX];
	size_t n;
};

static void seq_step(const struct rp_sim *s, const struct rp_step *st,
		     void *arg)
{
	struct seq *q = arg;

	(void)s;
	if (!st->hit && q->n < VMSCOPE_FAULTLOG_MAX)
		q->page[q->n++] = st->ref;
}

static uint64_t simulate(const char *algo, const struct rp_trace *t,
			 uint32_t k, struct seq *q)
{
	struct rp_params p = { .frames = k };
	struct rp_result r = { 0 };

	q->n = 0;
	rp_run(rp_algo_find(algo), t, &p, &r, seq_step, q);
	return r.faults;
}

/*
 * Random strings (locality and uniform, with writes) on 3 to 12 frames:
 * the module's FIFO and clock take exactly the simulator's faults, in the
 * simulator's order; the child's own minor faults (getrusage, the
 * kernel's count) equal the module's.
 */
TEST(fifo_and_clock_match_the_simulator)
{
	static struct follow f;
	static struct seq q;
	static const char *const algo[2] = { "fifo", "clock" };
	static const uint32_t pol[2] = { VMSCOPE_FRAMES_FIFO,
					 VMSCOPE_FRAMES_CLOCK };
	uint64_t seed, sim, total = 0;
	struct rp_trace t;
	unsigned int a, i, n, k;
	int fd = open(VMSCOPE_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	close(fd);
	for (seed = 1; seed <= 8; seed++) {
		struct rp_gen g = { .name = seed & 1 ? "locality" : "uniform",
				    .length = 1500, .pages = 24, .hot = 5,
				    .phase = 200, .p_hot = 0.85,
				    .writes = 0.2, .seed = seed };

		memset(&t, 0, sizeof(t));
		ASSERT_EQ(0, rp_generate(&g, &t));
		k = 3 + seed % 10;
		for (a = 0; a < 2; a++) {
			sim = simulate(algo[a], &t, k, &q);
			ASSERT_EQ(0, follow(&t, k, pol[a], &f));
			EXPECT_EQ(sim, f.st.faults)
				TH_LOG("%s, seed %llu, %u frames", algo[a],
				       (unsigned long long)seed, k);
			/* the kernel counted each as a minor fault */
			EXPECT_GE(f.minflt, (long)f.st.faults);
			EXPECT_LE(f.minflt, (long)f.st.faults + 4);
			EXPECT_EQ(0, f.fl.dropped);
			n = 0;
			for (i = 0; i < f.fl.nr_records && n < q.n; i++) {
				if (f.rec[i].flags & VMSCOPE_FREC_EVICTION)
					continue;
				EXPECT_EQ(q.page[n], f.rec[i].pgoff);
				EXPECT_TRUE(f.rec[i].flags & VMSCOPE_FREC_FRAMES);
				n++;
			}
			EXPECT_EQ(q.n, n);
			total += f.st.faults;
		}
		rp_trace_free(&t);
	}
	/* not vacuous: the strings did overflow the frames */
	EXPECT_GT(total, 16 * 24);
}

static sigjmp_buf jmp;

static void on_segv(int sig)
{
	siglongjmp(jmp, sig);
}

TEST(fork_munmap_and_bad_requests)
{
	struct vmscope_frames_stat st;
	struct vmscope_frames_set s;
	char *m, *m2;
	pid_t pid;
	int fd, fd2, status;

	fd = open(VMSCOPE_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, fd);
	/* an unconfigured file has no frames */
	ASSERT_EQ(0, frames_stat(fd, &st));
	EXPECT_EQ(0, st.frames);
	/* bad requests */
	EXPECT_EQ(-EINVAL, frames_set(fd, 0, VMSCOPE_FRAMES_FIFO));
	EXPECT_EQ(-EINVAL, frames_set(fd, VMSCOPE_FRAMES_MAX + 1, 0));
	EXPECT_EQ(-EINVAL, frames_set(fd, 4, VMSCOPE_FRAMES_NR_POLICIES));
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.frames = 4;
	s.flags = 1;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(fd, VMSCOPE_IOC_FRAMES_SET, &s));
	s.size = 8;
	s.flags = 0;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(fd, VMSCOPE_IOC_FRAMES_SET, &s));
	EXPECT_EQ(-EFAULT, vmscope_ioctl(fd, VMSCOPE_IOC_FRAMES_SET,
					 (void *)8));
	ASSERT_EQ(0, frames_set(fd, 4, VMSCOPE_FRAMES_FIFO));
	EXPECT_EQ(-EBUSY, frames_set(fd, 4, VMSCOPE_FRAMES_CLOCK));
	/* MAP_PRIVATE is refused; MAP_SHARED, one at a time */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, fd, 0));
	m = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(EBUSY, errno);
	/* a file mapped without frames cannot get them any more */
	fd2 = open(VMSCOPE_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	m2 = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd2, 0);
	ASSERT_NE(MAP_FAILED, m2);
	EXPECT_EQ(-EBUSY, frames_set(fd2, 4, VMSCOPE_FRAMES_FIFO));
	munmap(m2, PAGE);
	close(fd2);

	strcpy(m, "page 0");
	strcpy(m + 5 * PAGE, "page 5");
	/* the child does not inherit the mapping (VM_DONTCOPY) */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		signal(SIGSEGV, on_segv);
		if (sigsetjmp(jmp, 1))
			_exit(0);
		_exit(m[0] == 'p' ? 2 : 3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_STREQ("page 0", m);
	EXPECT_STREQ("page 5", m + 5 * PAGE);
	/* no partial munmap, no move */
	EXPECT_EQ(-1, munmap(m + PAGE, PAGE));
	EXPECT_EQ(MAP_FAILED, mremap(m, 8 * PAGE, 8 * PAGE,
				     MREMAP_MAYMOVE | MREMAP_FIXED,
				     m + 64 * PAGE));
	ASSERT_EQ(0, frames_stat(fd, &st));
	EXPECT_EQ(2, st.resident);
	EXPECT_EQ(2, st.kept);
	/* munmap: nothing mapped, nothing kept; a new mapping starts over */
	ASSERT_EQ(0, munmap(m, 8 * PAGE));
	ASSERT_EQ(0, frames_stat(fd, &st));
	EXPECT_EQ(0, st.resident);
	EXPECT_EQ(0, st.kept);
	EXPECT_EQ(2, st.faults);
	m = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_NE(0, strcmp("page 0", m));
	munmap(m, 8 * PAGE);
	close(fd);
}

/* memory.current of the cgroup this process is in; -1 without one. */
static long long memcg_current(void)
{
	char line[256], path[512];
	long long v = -1;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return -1;
	path[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(path, sizeof(path),
				 "/sys/fs/cgroup%s/memory.current", line + 3);
		}
	fclose(f);
	f = path[0] ? fopen(path, "re") : NULL;
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * The memory cgroup charges and uncharges through a per-CPU stock
 * (mm/memcontrol.c: consume_stock(), refill_stock()): memory.current
 * moves in batches of MEMCG_CHARGE_BATCH pages, and up to that many
 * charged but unused, or freed but not yet uncharged, stay in each CPU's
 * stock.  Seen on the debug kernel: 256 pages freed, memory.current 197
 * pages lower.
 */
#define MEMCG_CHARGE_BATCH	64

/*
 * The kept pages are charged to the memory cgroup of the process that
 * configured the frames: in a cgroup of its own, memory.current grows by
 * the 256 pages kept, and falls back when they are freed, give or take
 * one charge batch per CPU.
 */
TEST(pages_charged_to_the_memcg)
{
	const long long kept = 256LL * (long long)PAGE;
	const long long slack = MEMCG_CHARGE_BATCH * (long long)PAGE *
				sysconf(_SC_NPROCESSORS_ONLN);
	struct vmscope_frames_stat st;
	long long before, during, after;
	int fd, p[2], status;
	char cg[64];
	pid_t pid;

	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) || geteuid())
		SKIP(return, "needs root and cgroup v2");
	fd = open(VMSCOPE_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	close(fd);
	write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	snprintf(cg, sizeof(cg), "/sys/fs/cgroup/vmscope-frames.%d", getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char procs[96];
		long long v[3];
		char *m;
		int i;

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
		if (write_file(procs, "0"))
			_exit(1);
		fd = open(VMSCOPE_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0 || frames_set(fd, 8, VMSCOPE_FRAMES_FIFO))
			_exit(2);
		m = mmap(NULL, 256 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
		if (m == MAP_FAILED)
			_exit(3);
		v[0] = memcg_current();
		for (i = 0; i < 256; i++)
			m[i * PAGE] = 1;
		v[1] = memcg_current();
		if (frames_stat(fd, &st) || st.kept != 256)
			_exit(4);
		munmap(m, 256 * PAGE);
		v[2] = memcg_current();
		if (write(p[1], v, sizeof(v)) != sizeof(v))
			_exit(5);
		_exit(0);
	}
	close(p[1]);
	{
		long long v[3] = { -1, -1, -1 };

		EXPECT_EQ(sizeof(v), read(p[0], v, sizeof(v)));
		before = v[0];
		during = v[1];
		after = v[2];
	}
	close(p[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("child status %d", status);
	rmdir(cg);
	EXPECT_GE(during - before, kept - slack) {
		TH_LOG("%lld -> %lld", before, during);
	}
	EXPECT_LE(after, during - (kept - slack)) {
		TH_LOG("%lld -> %lld", during, after);
	}
}

/* Run "vmscope replace ARGS" ($VMSCOPE_CLI or vmscope), stdout to @out. */
static int cli(const char *args, char *out, size_t len)
{
	return sh_run(out, len, "%s replace %s", exp_cli(), args);
}

/*
 * vmscope replace --live: Belady's string on 3 module frames under FIFO
 * takes 9 faults (derived by hand in vmscope_replace_test.c), beside the
 * simulator's 9; --log writes the 9 faults as a trace, which --trace
 * reads back as 9 references to the 5 pages.
 */
TEST(cli_live_and_log)
{
	static char out[65536];
	const char *log = "/tmp/vmscope-frames-log.trace";
	const struct jt *live;
	char args[256];
	struct jt v;
	int fd = open(VMSCOPE_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	close(fd);
	snprintf(args, sizeof(args), "--refs 1,2,3,4,1,2,5,1,2,3,4,5 -a fifo "
		 "-f 3 --live fifo --log %s --json", log);
	ASSERT_EQ(0, cli(args, out, sizeof(out))) TH_LOG("%s", out);
	ASSERT_EQ(0, jt_parse(out, &v)) TH_LOG("%s", out);
	EXPECT_EQ(9, jt_u64(&v, "faults", 0));
	live = jt_get(&v, "live");
	ASSERT_TRUE(live != NULL);
	EXPECT_STREQ("fifo", jt_str(live, "policy"));
	EXPECT_EQ(9, jt_u64(live, "faults", 0));
	EXPECT_EQ(6, jt_u64(live, "evictions", 0));
	jt_free(&v);
	snprintf(args, sizeof(args), "--trace %s -a fifo -f 3 --json", log);
	ASSERT_EQ(0, cli(args, out, sizeof(out))) TH_LOG("%s", out);
	ASSERT_EQ(0, jt_parse(out, &v)) TH_LOG("%s", out);
	EXPECT_EQ(9, jt_u64(&v, "references", 0));
	EXPECT_EQ(5, jt_u64(&v, "pages", 0));
	jt_free(&v);
	unlink(log);
	/* --live needs one frame count; --log needs --live */
	EXPECT_EQ(2, cli("--refs 1,2 -f 2-3 --live fifo 2>/dev/null", out,
			 sizeof(out)));
	EXPECT_EQ(2, cli("--refs 1,2 --log /tmp/x 2>/dev/null", out,
			 sizeof(out)));
}

TEST_HARNESS_MAIN
