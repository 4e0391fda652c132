// SPDX-License-Identifier: GPL-2.0
/*
 * VMSCOPE_IOC_RECLAIM and /proc/vmscope/reclaim against the kernel's own
 * view: every counter lies between two reads of /proc/vmstat taken around
 * it, zone watermarks equal /proc/zoneinfo, free blocks per order match
 * /proc/buddyinfo, the LRU lists match the node's vmstat, and a memory
 * cgroup's limits and usage equal its memory.* files.  A process pushed
 * past memory.max with swap allowed makes the reclaim counters vmscope
 * reports rise.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define MAX_ZONES	64
#define MAX_NODES	16
#define CG		"/sys/fs/cgroup/vmscope-reclaim-test"
/* pages a gauge (free pages, LRU sizes) may move between reads */
#define SLACK		2048

static const char *const stat_names[] = VMSCOPE_STAT_NAMES;

/* Counters that only grow: vm events and workingset_* */
static bool monotonic(int i)
{
	return i < VMSCOPE_STAT_NR_INACTIVE_ANON;
}

struct vmstat_snap {
	int n;
	char name[256][48];
	unsigned long long val[256];
};

static int vmstat_read(struct vmstat_snap *s)
{
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return -errno;
	s->n = 0;
	while (s->n < 256 && fscanf(f, "%47s %llu", s->name[s->n],
				    &s->val[s->n]) == 2)
		s->n++;
	fclose(f);
	return 0;
}

/* The value of @name, or -1 if /proc/vmstat has no such line. */
static long long vmstat_get(const struct vmstat_snap *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return s->val[i];
	return -1;
}

struct reclaim_snap {
	struct vmscope_reclaim r;
	__u64 stats[VMSCOPE_STAT_NR];
	struct vmscope_zone zones[MAX_ZONES];
	struct vmscope_node nodes[MAX_NODES];
};

static int reclaim_get(int fd, pid_t pid, struct reclaim_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->r.size = sizeof(s->r);
	s->r.pid = pid;
	s->r.stats = (uintptr_t)s->stats;
	s->r.stats_count = VMSCOPE_STAT_NR;
	s->r.zones = (uintptr_t)s->zones;
	s->r.zones_count = MAX_ZONES;
	s->r.nodes = (uintptr_t)s->nodes;
	s->r.nodes_count = MAX_NODES;
	return vmscope_ioctl(fd, VMSCOPE_IOC_RECLAIM, &s->r);
}

static bool between(long long v, long long a, long long b, long long slack)
{
	long long lo = a < b ? a : b, hi = a < b ? b : a;

	return v >= lo - slack && v <= hi + slack;
}

/* A memory.* file of the test cgroup: a number, or -1 for "max". */
static long long cg_read(const char *file)
{
	char path[128], buf[64] = "";
	int fd;

	snprintf(path, sizeof(path), CG "/%s", file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -2;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	return strncmp(buf, "max", 3) ? strtoll(buf, NULL, 10) : -1;
}

/* "key N" from memory.events */
static long long cg_event(const char *key)
{
	char path[] = CG "/memory.events", name[32];
	long long v, ret = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fscanf(f, "%31s %lld", name, &v) == 2)
		if (!strcmp(name, key))
			ret = v;
	fclose(f);
	return ret;
}

FIXTURE(reclaim)
{
	int fd;
	pid_t kid;
	bool cgroup;
};

FIXTURE_SETUP(reclaim)
{
	self->kid = 0;
	self->cgroup = false;
	self->fd = vmscope_open_dev();
	if (self->fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(reclaim)
{
	if (self->kid > 0) {
		kill(self->kid, SIGKILL);
		waitpid(self->kid, NULL, 0);
	}
	if (self->cgroup)
		rmdir(CG);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(reclaim, counters_between_two_vmstat_reads)
{
	static struct vmstat_snap a, b;
	static struct reclaim_snap s;
	int i, compared = 0;

	ASSERT_EQ(0, vmstat_read(&a));
	ASSERT_EQ(0, reclaim_get(self->fd, 0, &s));
	ASSERT_EQ(0, vmstat_read(&b));
	ASSERT_EQ(VMSCOPE_STAT_NR, s.r.stats_count);
	for (i = 0; i < VMSCOPE_STAT_NR; i++) {
		long long va = vmstat_get(&a, stat_names[i]);
		long long vb = vmstat_get(&b, stat_names[i]);

		/* reported exactly when /proc/vmstat has the line */
		EXPECT_EQ(va < 0, s.stats[i] == VMSCOPE_STAT_NONE) {
			TH_LOG("%s: /proc/vmstat %lld, vmscope %llu",
			       stat_names[i], va, s.stats[i]);
		}
		if (va < 0 || s.stats[i] == VMSCOPE_STAT_NONE)
			continue;
		compared++;
		EXPECT_TRUE(between(s.stats[i], va, vb,
				    monotonic(i) ? 0 : SLACK)) {
			TH_LOG("%s: vmscope %llu, /proc/vmstat %lld then %lld",
			       stat_names[i], s.stats[i], va, vb);
		}
	}
	TH_LOG("%d counters compared with /proc/vmstat", compared);
	EXPECT_LT(40, compared);
}

/* The fields of one zone in /proc/zoneinfo; false if it is not there. */
static bool zoneinfo_zone(unsigned int node, const char *zone,
			  unsigned long long v[8])
{
	static const char *const keys[8] = {
		"pages free", "boost", "min", "low", "high", "spanned",
		"present", "managed",
	};
	char line[256], want[64];
	bool in = false, found = false;
	FILE *f = fopen("/proc/zoneinfo", "re");
	int k;

	if (!f)
		return false;
	snprintf(want, sizeof(want), "Node %u, zone %8s", node, zone);
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " ");

		if (!strncmp(line, "Node ", 5)) {
			in = !strncmp(line, want, strlen(want));
			found |= in;
			continue;
		}
		for (k = 0; in && k < 8; k++)
			if (!strncmp(p, keys[k], strlen(keys[k])) &&
			    p[strlen(keys[k])] == ' ')
				v[k] = strtoull(p + strlen(keys[k]), NULL, 10);
	}
	fclose(f);
	return found;
}

TEST_F(reclaim, zones_equal_zoneinfo)
{
	static struct reclaim_snap s;
	unsigned long long a[8], b[8];
	unsigned int i, populated = 0;

	ASSERT_EQ(0, reclaim_get(self->fd, 0, &s));
	ASSERT_LT(0U, s.r.nr_zones);
	ASSERT_GE(MAX_ZONES, s.r.nr_zones);
	for (i = 0; i < s.r.nr_zones; i++) {
		const struct vmscope_zone *z = &s.zones[i];

		memset(a, 0, sizeof(a));
		ASSERT_TRUE(zoneinfo_zone(z->node, z->name, a)) {
			TH_LOG("zone %u %s not in /proc/zoneinfo", z->node,
			       z->name);
		}
		reclaim_get(self->fd, 0, &s);
		memcpy(b, a, sizeof(b));
		zoneinfo_zone(z->node, z->name, b);
		EXPECT_TRUE(between(z->free, a[0], b[0], SLACK));
		EXPECT_TRUE(z->boost == a[1] || z->boost == b[1]);
		EXPECT_TRUE(z->min == a[2] || z->min == b[2]);
		EXPECT_TRUE(z->low == a[3] || z->low == b[3]);
		EXPECT_TRUE(z->high == a[4] || z->high == b[4]);
		EXPECT_EQ(a[5], z->spanned);
		EXPECT_EQ(a[6], z->present);
		EXPECT_EQ(a[7], z->managed);
		EXPECT_EQ(!!z->present, !!(z->flags & VMSCOPE_ZONE_POPULATED));
		if (z->flags & VMSCOPE_ZONE_POPULATED) {
			populated++;
			EXPECT_LT(z->min, z->low);
			EXPECT_LT(z->low, z->high);
		}
		TH_LOG("node %u %-7s free %llu min %llu low %llu high %llu managed %llu",
		       z->node, z->name, z->free, z->min, z->low, z->high,
		       z->managed);
	}
	EXPECT_LE(2U, populated);	/* DMA and DMA32 at least */
}

/* Free blocks per order of one zone from /proc/buddyinfo. */
static int buddyinfo_zone(unsigned int node, const char *zone,
			  unsigned long long *nr, int max)
{
	char line[512], name[32];
	unsigned int nd;
	FILE *f = fopen("/proc/buddyinfo", "re");
	int n = 0, off, used;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %u, zone %31s%n", &nd, name, &off) != 2 ||
		    nd != node || strcmp(name, zone))
			continue;
		while (n < max && sscanf(line + off, "%llu%n", &nr[n],
					 &used) == 1) {
			off += used;
			n++;
		}
		break;
	}
	fclose(f);
	return n;
}

TEST_F(reclaim, free_lists_match_buddyinfo)
{
	unsigned long long a[VMSCOPE_ZONE_ORDERS], b[VMSCOPE_ZONE_ORDERS];
	static struct reclaim_snap s;
	unsigned int i, o, zones = 0;

	ASSERT_EQ(0, reclaim_get(self->fd, 0, &s));
	for (i = 0; i < s.r.nr_zones; i++) {
		const struct vmscope_zone *z = &s.zones[i];
		int n;

		if (!(z->flags & VMSCOPE_ZONE_POPULATED))
			continue;
		n = buddyinfo_zone(z->node, z->name, a, VMSCOPE_ZONE_ORDERS);
		reclaim_get(self->fd, 0, &s);
		buddyinfo_zone(z->node, z->name, b, VMSCOPE_ZONE_ORDERS);
		ASSERT_EQ((int)z->nr_orders, n);
		zones++;
		for (o = 0; o < z->nr_orders; o++) {
			EXPECT_TRUE(between(z->nr_free[o], a[o], b[o],
					    SLACK >> o)) {
				TH_LOG("%s order %u: vmscope %llu, buddyinfo %llu then %llu",
				       z->name, o, z->nr_free[o], a[o], b[o]);
			}
		}
	}
	EXPECT_LE(2U, zones);
}

TEST_F(reclaim, lru_lists_match_vmstat)
{
	static struct vmstat_snap a, b;
	static struct reclaim_snap s;
	unsigned long long sum[7] = { 0 };
	static const char *const keys[7] = {
		"nr_inactive_anon", "nr_active_anon", "nr_inactive_file",
		"nr_active_file", "nr_unevictable", "nr_isolated_anon",
		"nr_isolated_file",
	};
	unsigned int i, k;

	ASSERT_EQ(0, vmstat_read(&a));
	ASSERT_EQ(0, reclaim_get(self->fd, 0, &s));
	ASSERT_EQ(0, vmstat_read(&b));
	ASSERT_LE(1U, s.r.nr_nodes);
	for (i = 0; i < s.r.nr_nodes; i++) {
		const struct vmscope_node *n = &s.nodes[i];
		const __u64 *v = &n->inactive_anon;

		for (k = 0; k < 7; k++)
			sum[k] += v[k];
	}
	/* the nodes add up to the system's lists */
	for (k = 0; k < 7; k++) {
		EXPECT_TRUE(between(sum[k], vmstat_get(&a, keys[k]),
				    vmstat_get(&b, keys[k]), SLACK)) {
			TH_LOG("%s: nodes %llu, /proc/vmstat %lld then %lld",
			       keys[k], sum[k], vmstat_get(&a, keys[k]),
			       vmstat_get(&b, keys[k]));
		}
	}
	EXPECT_LT(0ULL, sum[0] + sum[1]);
	EXPECT_LT(0ULL, sum[2] + sum[3]);
}

/* A child that maps and touches @mib MiB, then stops; exits 0 after. */
static void hog(int mib)
{
	size_t len = (size_t)mib << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t off;

	if (p == MAP_FAILED)
		_exit(1);
	for (off = 0; off < len; off += 4096)
		p[off] = (char)off | 1;
	raise(SIGSTOP);
	_exit(0);
}

/* Make the test cgroup with @max bytes of memory; SKIP-worthy if not. */
static int cg_make(const char *max, const char *swap_max)
{
	int err;

	write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	if (mkdir(CG, 0755) && errno != EEXIST)
		return -errno;
	err = write_file(CG "/memory.max", max);
	if (!err)
		err = write_file(CG "/memory.swap.max", swap_max);
	return err;
}

/* Fork hog(@mib) into the test cgroup and wait until it stops. */
static pid_t cg_run_hog(int mib)
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		if (write_file(CG "/cgroup.procs", "0"))
			_exit(2);
		hog(mib);
	}
	if (pid < 0 || waitpid(pid, &status, WUNTRACED) != pid ||
	    !WIFSTOPPED(status))
		return -1;
	return pid;
}

TEST_F(reclaim, memcg_equals_cgroup_files)
{
	static struct reclaim_snap s;
	char path[64], line[256];
	long long cur_a, cur_b;
	FILE *f;

	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) ||
	    cg_make("67108864", "33554432"))
		SKIP(return, "no cgroup v2 memory controller");
	self->cgroup = true;
	ASSERT_EQ(0, write_file(CG "/memory.high", "50331648"));
	self->kid = cg_run_hog(8);
	ASSERT_LT(0, self->kid);

	cur_a = cg_read("memory.current");
	ASSERT_EQ(0, reclaim_get(self->fd, self->kid, &s));
	cur_b = cg_read("memory.current");
	ASSERT_TRUE(s.r.out_flags & VMSCOPE_RECLAIM_MEMCG);
	EXPECT_EQ(67108864ULL, s.r.memcg.max_bytes);
	EXPECT_EQ(50331648ULL, s.r.memcg.high_bytes);
	EXPECT_EQ(33554432ULL, s.r.memcg.swap_max_bytes);
	EXPECT_EQ((unsigned long long)cg_read("memory.min"),
		  s.r.memcg.min_bytes);
	EXPECT_EQ((unsigned long long)cg_read("memory.low"),
		  s.r.memcg.low_bytes);
	EXPECT_TRUE(between(s.r.memcg.current_bytes, cur_a, cur_b, 0));
	EXPECT_LE(8ULL << 20, s.r.memcg.current_bytes);
	EXPECT_EQ((unsigned long long)cg_read("memory.swap.current"),
		  s.r.memcg.swap_current_bytes);
	EXPECT_EQ((unsigned long long)cg_event("max"), s.r.memcg.ev_max);
	EXPECT_EQ((unsigned long long)cg_event("oom_kill"),
		  s.r.memcg.ev_oom_kill);

	/* the path, as /proc/PID/cgroup shows it ("0::/path") */
	snprintf(path, sizeof(path), "/proc/%d/cgroup", self->kid);
	f = fopen(path, "re");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	EXPECT_STREQ(line + 3, s.r.memcg.path);

	/* our own cgroup: the root one has no limits */
	ASSERT_EQ(0, reclaim_get(self->fd, getpid(), &s));
	ASSERT_TRUE(s.r.out_flags & VMSCOPE_RECLAIM_MEMCG);
	EXPECT_STREQ("/", s.r.memcg.path);
	EXPECT_EQ(VMSCOPE_MEMCG_MAX, s.r.memcg.max_bytes);
}

TEST_F(reclaim, pressure_in_a_cgroup_raises_reclaim_counters)
{
	static struct reclaim_snap before, after;
	static struct vmstat_snap vm;
	int status;

	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) ||
	    cg_make("16777216", "max"))
		SKIP(return, "no cgroup v2 memory controller");
	self->cgroup = true;
	if (!read_vmstat("nr_free_pages") || access("/proc/swaps", F_OK))
		SKIP(return, "no /proc/vmstat or swap");
	ASSERT_EQ(0, reclaim_get(self->fd, 0, &before));
	/* 48 MiB touched under a 16 MiB limit: the rest goes to swap */
	self->kid = cg_run_hog(48);
	ASSERT_LT(0, self->kid) {
		TH_LOG("the hog did not get to stop: is swap on?");
	}
	ASSERT_EQ(0, reclaim_get(self->fd, self->kid, &after));
	ASSERT_EQ(0, vmstat_read(&vm));
	TH_LOG("pgscan_anon +%llu, pgsteal_anon +%llu, pswpout +%llu, swap_free -%llu, memcg max events %llu",
	       after.stats[VMSCOPE_STAT_PGSCAN_ANON] -
	       before.stats[VMSCOPE_STAT_PGSCAN_ANON],
	       after.stats[VMSCOPE_STAT_PGSTEAL_ANON] -
	       before.stats[VMSCOPE_STAT_PGSTEAL_ANON],
	       after.stats[VMSCOPE_STAT_PSWPOUT] -
	       before.stats[VMSCOPE_STAT_PSWPOUT],
	       before.r.swap_free - after.r.swap_free, after.r.memcg.ev_max);
	/*
	 * Limit reclaim scans and reclaims anonymous pages (pgscan_direct
	 * and pgsteal_direct count only global reclaim: the cgroup's
	 * memory.stat has its own), and 32 MiB beyond the limit go to swap.
	 */
	EXPECT_LE(before.stats[VMSCOPE_STAT_PGSCAN_ANON] + 4096,
		  after.stats[VMSCOPE_STAT_PGSCAN_ANON]);
	EXPECT_LE(before.stats[VMSCOPE_STAT_PGSTEAL_ANON] + 4096,
		  after.stats[VMSCOPE_STAT_PGSTEAL_ANON]);
	EXPECT_LE(before.stats[VMSCOPE_STAT_PSWPOUT] + 4096,
		  after.stats[VMSCOPE_STAT_PSWPOUT]);
	EXPECT_GE((unsigned long long)vmstat_get(&vm, "pswpout"),
		  after.stats[VMSCOPE_STAT_PSWPOUT]);
	EXPECT_LE(after.r.swap_free + 4096, before.r.swap_free);
	EXPECT_LE(after.r.memcg.current_bytes, 16777216ULL);
	EXPECT_LT(0ULL, after.r.memcg.ev_max);
	EXPECT_EQ(0ULL, after.r.memcg.ev_oom_kill);
	kill(self->kid, SIGCONT);
	ASSERT_EQ(self->kid, waitpid(self->kid, &status, 0));
	self->kid = 0;
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
}

/*
 * /proc/meminfo's SwapFree, in pages; -1 if unreadable.  What vmscope
 * calls swap_free; the two reads around vmscope's may differ by a few
 * batches of swap slots another CPU frees or takes meanwhile.
 */
#define SWAP_SLACK	256

static long long swap_free_pages(void)
{
	char val[64];

	if (read_key("/proc/meminfo", "SwapFree", val, sizeof(val)))
		return -1;
	return strtoll(val, NULL, 10) / (getpagesize() / 1024);
}

TEST_F(reclaim, swap_free_between_two_meminfo_reads)
{
	static struct reclaim_snap s;
	long long a, b;

	a = swap_free_pages();
	ASSERT_EQ(0, reclaim_get(self->fd, 0, &s));
	b = swap_free_pages();
	/* not vacuous: the VM's swap (zram) is there and mostly free */
	ASSERT_LT(1024, a);
	EXPECT_TRUE(between(s.r.swap_free, a, b, SWAP_SLACK)) {
		TH_LOG("swap_free %llu pages, SwapFree %lld and %lld pages",
		       (unsigned long long)s.r.swap_free, a, b);
	}
}

TEST_F(reclaim, proc_file_between_two_vmstat_reads)
{
	static struct vmstat_snap a, b;
	char name[64], line[512];
	unsigned long long v;
	long long swap0;
	int compared = 0;
	FILE *f;

	ASSERT_EQ(0, vmstat_read(&a));
	swap0 = swap_free_pages();
	f = fopen(VMSCOPE_PROC_DIR "/reclaim", "re");
	ASSERT_NE(NULL, f);
	/* first section: "name value" lines, until the zones */
	while (fgets(line, sizeof(line), f) && line[0] != '\n') {
		long long va;

		if (line[0] == '#' || sscanf(line, "%63s %llu", name, &v) != 2)
			continue;
		if (!strcmp(name, "swap_free")) {
			EXPECT_TRUE(between(v, swap0, swap_free_pages(),
					    SWAP_SLACK));
			compared++;
			continue;
		}
		va = vmstat_get(&a, name);
		if (va < 0)
			continue;
		compared++;
		vmstat_read(&b);
		EXPECT_TRUE(between(v, va, vmstat_get(&b, name),
				    strncmp(name, "nr_", 3) ? 0 : SLACK)) {
			TH_LOG("%s: %llu, /proc/vmstat %lld", name, v, va);
		}
	}
	fclose(f);
	EXPECT_LT(40, compared);
}

TEST_F(reclaim, bad_requests)
{
	static struct reclaim_snap s;
	struct vmscope_reclaim r;

	ASSERT_EQ(0, reclaim_get(self->fd, 0, &s));
	r = s.r;
	r.flags = 1;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_RECLAIM, &r));
	r = s.r;
	r.__reserved = 1;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_RECLAIM, &r));
	r = s.r;
	r.zones_count = VMSCOPE_RECLAIM_MAX_RECORDS + 1;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_RECLAIM, &r));
	r = s.r;
	r.zones = 8;
	EXPECT_EQ(-EFAULT, vmscope_ioctl(self->fd, VMSCOPE_IOC_RECLAIM, &r));
	r = s.r;
	r.stats = (uintptr_t)-4096;
	EXPECT_EQ(-EFAULT, vmscope_ioctl(self->fd, VMSCOPE_IOC_RECLAIM, &r));
	r = s.r;
	r.pid = 0x3fffffff;
	EXPECT_EQ(-ESRCH, vmscope_ioctl(self->fd, VMSCOPE_IOC_RECLAIM, &r));
	r = s.r;
	r.pid = 2;			/* kthreadd: no memory of its own */
	EXPECT_EQ(-ENOENT, vmscope_ioctl(self->fd, VMSCOPE_IOC_RECLAIM, &r));
	/* no buffers: only the counts */
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	EXPECT_EQ(0, vmscope_ioctl(self->fd, VMSCOPE_IOC_RECLAIM, &r));
	EXPECT_EQ(VMSCOPE_STAT_NR, r.stats_count);
	EXPECT_EQ(s.r.nr_zones, r.nr_zones);
	EXPECT_EQ(s.r.nr_nodes, r.nr_nodes);
	EXPECT_GE(swap_total_pages(), r.swap_free);
	/* smaller than any published version */
	r.size = VMSCOPE_RECLAIM_SIZE_VER1 - 8;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_RECLAIM, &r));
}

TEST_HARNESS_MAIN
