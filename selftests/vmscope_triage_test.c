// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope top, doctor, leak and export against the kernel's own figures
 * (/proc/meminfo, vmstat, pressure, PID status, stat, smaps, oom_score)
 * taken around each run, on a child of known shape: 16 MiB of anonymous
 * memory and 4 MiB of shared memory touched, oom_score_adj 1000 so that
 * it is the OOM killer's choice.  top's full screen runs in tmux (80x24,
 * then resized) and must restore the terminal on q and on SIGTERM.
 * JSON is read with jq, the exposition format checked with promtool.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>

#include "kselftest_harness.h"
#include "vmscope.h"
#include "vmscope_exp.h"
#include "vmscope_triage.h"

#define MiB		(1 << 20)
#define ANON_SIZE	(16 * MiB)
#define SHM_SIZE	(4 * MiB)
#define JSON_FILE	"/tmp/vmscope-triage.json"

static char out[SH_OUT_MAX];

/* A child's last words: it is ready (to @ready), and waits to be killed. */
static void __attribute__((noreturn)) ready_and_wait(int ready)
{
	if (write(ready, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/* The child of known shape; it waits in pause(). */
static void shape_child(int ready)
{
	char *a = mmap(NULL, ANON_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int mfd = memfd_create("vmscope-triage", 0);
	char *s;

	if (a == MAP_FAILED || mfd < 0 || ftruncate(mfd, SHM_SIZE) ||
	    write_file("/proc/self/oom_score_adj", "1000"))
		_exit(1);
	s = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (s == MAP_FAILED)
		_exit(1);
	memset(a, 1, ANON_SIZE);
	memset(s, 1, SHM_SIZE);
	ready_and_wait(ready);
}

/*
 * A child whose heap grows by 256 KiB every 20 ms until it is killed (up
 * to 256 MiB, 20 s at least): however slow the machine, it still grows
 * while `vmscope leak` watches it.
 */
static void heap_child(int ready)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i;

	if (write(ready, "r", 1) != 1)
		_exit(1);
	for (i = 0; i < 1024; i++) {
		char *p = sbrk(256 << 10);

		if (p == (void *)-1)
			_exit(1);
		memset(p, 1, 256 << 10);
		nanosleep(&ts, NULL);
	}
	for (;;)
		pause();
}

static pid_t start_child(void (*fn)(int ready))
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		close(p[0]);
		fn(p[1]);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &c, 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(p[0]);
	return pid;
}

static void stop_child(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/*
 * Rss + Swap of the [heap] in /proc/PID/smaps, in bytes (what vmscope
 * leak counts as a segment's memory); -1 if none.  A forked child's heap,
 * grown, is two VMAs: the one shared with the parent's anon_vma does not
 * merge with the new part.
 */
static long long smaps_heap_mem(pid_t pid)
{
	char path[64], line[512];
	bool in_heap = false;
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t tok = strcspn(line, " ");

		if (tok && line[tok - 1] != ':') {	/* a VMA's first line */
			in_heap = strstr(line, " [heap]") != NULL;
			continue;
		}
		if (in_heap && (!strncmp(line, "Rss:", 4) ||
				!strncmp(line, "Swap:", 5)))
			v = (v < 0 ? 0 : v) +
			    strtoll(line + tok, NULL, 10) * 1024;
	}
	fclose(f);
	return v;
}

FIXTURE(triage)
{
	pid_t child;
};

FIXTURE_SETUP(triage)
{
	self->child = -1;
	if (access(VMSCOPE_DEVICE, F_OK))
		SKIP(return, "vmscope module not loaded");
	ASSERT_TRUE(have_prog("jq")) {
		TH_LOG("jq is needed to read the JSON: vmtest.sh -a /usr/bin/jq");
	}
}

FIXTURE_TEARDOWN(triage)
{
	stop_child(self->child);
}

/* The header of top --json: meminfo, vmstat counters and PSI around it. */
TEST_F(triage, top_header_matches_kernel)
{
	long long total = proc_kb("/proc/meminfo", "MemTotal");
	long long swap = proc_kb("/proc/meminfo", "SwapTotal");
	long long free0 = proc_kb("/proc/meminfo", "MemFree"), free1;
	unsigned long long pf0 = read_vmstat("pgfault"), pf1;
	unsigned long long so0 = read_vmstat("pswpout"), so1;
	long long psi0 = psi_total("some"), psi1, avail0, avail1;
	double v[7];

	ASSERT_EQ(0, sh_run(NULL, 0, "%s top --json -n 1 -d 0.2 > %s",
			    exp_cli(), JSON_FILE));
	pf1 = read_vmstat("pgfault");
	so1 = read_vmstat("pswpout");
	psi1 = psi_total("some");
	free1 = proc_kb("/proc/meminfo", "MemFree");
	ASSERT_EQ(7, jq_nums(JSON_FILE, ".memory.total, .memory.swap_total, "
			     ".counters.pgfault, .counters.pswpout, "
			     ".memory.free, (.psi.some_total // -1), "
			     ".interval_s", v, 7));
	EXPECT_EQ(total, (long long)v[0]);
	EXPECT_EQ(swap, (long long)v[1]);
	EXPECT_LE(pf0, (unsigned long long)v[2]);
	EXPECT_GE(pf1, (unsigned long long)v[2]);
	EXPECT_LT(0, v[2]);			/* not vacuously equal */
	EXPECT_LE(so0, (unsigned long long)v[3]);
	EXPECT_GE(so1, (unsigned long long)v[3]);
	/* free memory moves: within 16 MiB of the readings around */
	EXPECT_LE((free0 < free1 ? free0 : free1) - 16 * MiB, v[4]);
	EXPECT_GE((free0 > free1 ? free0 : free1) + 16 * MiB, v[4]);
	if (psi0 >= 0) {
		EXPECT_LE(psi0, (long long)v[5]);
		EXPECT_GE(psi1, (long long)v[5]);
	} else {
		EXPECT_EQ(-1, v[5]);
	}
	EXPECT_LT(0.19, v[6]);
	/* used as free(1) of procps 4: MemTotal - MemAvailable */
	avail0 = proc_kb("/proc/meminfo", "MemAvailable");
	ASSERT_EQ(0, sh_run(NULL, 0, "%s top --json -n 1 -d 0.2 > %s",
			    exp_cli(), JSON_FILE));
	avail1 = proc_kb("/proc/meminfo", "MemAvailable");
	ASSERT_EQ(1, jq_nums(JSON_FILE, ".memory.used", v, 1));
	EXPECT_LE(total - (avail0 > avail1 ? avail0 : avail1) - 16 * MiB, v[0]);
	EXPECT_GE(total - (avail0 < avail1 ? avail0 : avail1) + 16 * MiB, v[0]);
}

/* A row of top --json: status, stat and oom_score of an idle child. */
TEST_F(triage, top_process_matches_status)
{
	long long anon, file, shmem, swap, score, minflt, majflt;
	char path[64], filter[512];
	double v[10];

	self->child = start_child(shape_child);
	ASSERT_LT(0, self->child);
	anon = status_bytes(self->child, "RssAnon");
	file = status_bytes(self->child, "RssFile");
	shmem = status_bytes(self->child, "RssShmem");
	swap = status_bytes(self->child, "VmSwap");
	snprintf(path, sizeof(path), "/proc/%d/oom_score", self->child);
	score = read_ll(path);
	minflt = stat_field(self->child, 10);
	majflt = stat_field(self->child, 12);
	ASSERT_EQ(0, sh_run(NULL, 0, "%s top --json -n 1 -d 0.2 > %s",
			    exp_cli(), JSON_FILE));
	/* idle: the same after as before */
	ASSERT_EQ(anon, status_bytes(self->child, "RssAnon"));
	ASSERT_EQ(shmem, status_bytes(self->child, "RssShmem"));
	ASSERT_EQ(score, read_ll(path));
	snprintf(filter, sizeof(filter), ".processes[] | select(.pid == %d) | "
		 ".rss_anon_bytes, .rss_file_bytes, .rss_shmem_bytes, "
		 ".swap_bytes, .oom_score, "
		 ".min_flt, .maj_flt, .victim, .oom_score_adj", self->child);
	ASSERT_EQ(9, jq_nums(JSON_FILE, filter, v, 9));
	EXPECT_EQ(anon, (long long)v[0]);
	EXPECT_EQ(file, (long long)v[1]);
	EXPECT_EQ(shmem, (long long)v[2]);
	EXPECT_EQ(swap, (long long)v[3]);
	EXPECT_EQ(score, (long long)v[4]);
	EXPECT_EQ(minflt, (long long)v[5]);
	EXPECT_EQ(majflt, (long long)v[6]);
	EXPECT_EQ(1, v[7]);
	EXPECT_EQ(1000, v[8]);
	/* the shape: not vacuously equal */
	EXPECT_LE(ANON_SIZE, v[0]);
	EXPECT_LE(SHM_SIZE, v[2]);
	EXPECT_LT(600, v[4]);
	ASSERT_EQ(1, jq_nums(JSON_FILE, ".victim", v, 1));
	EXPECT_EQ(self->child, (pid_t)v[0]);
}

/*
 * A process that names itself with terminal escape sequences and a byte
 * that is not UTF-8, and holds 64 MiB so that top lists it first.
 */
static void odd_name_child(int ready)
{
	size_t len = 64 << 20;
	char *p = malloc(len);

	if (!p)
		_exit(1);
	memset(p, 1, len);
	/* the OOM victim too, so top's header names it */
	if (write_file("/proc/self/oom_score_adj", "1000"))
		_exit(1);
	prctl(PR_SET_NAME, "\x1b[2J\x1b]0;x\a\xff", 0, 0, 0);
	ready_and_wait(ready);
}

/*
 * top -b shows that name escaped (\x1b[2J...), as its tables and
 * /proc/PID/status do, never the bytes themselves, which would act on
 * the terminal of whoever looks (root, usually).
 */
TEST_F(triage, top_escapes_process_names)
{
	char want[64];
	size_t i;

	self->child = start_child(odd_name_child);
	ASSERT_LT(0, self->child);
	ASSERT_EQ(0, sh_run(out, sizeof(out), "%s top -b -n 1 -d 0.1",
			    exp_cli()));
	for (i = 0; out[i]; i++)
		ASSERT_TRUE((unsigned char)out[i] >= 0x20 || out[i] == '\n')
			TH_LOG("byte %#x at %zu of top -b", out[i], i);
	EXPECT_NE(NULL, strstr(out, "\\x1b[2J\\x1b]0;x\\x07\\xff"))
		TH_LOG("%s", out);
	/* in the header, as the OOM victim, too */
	snprintf(want, sizeof(want), "OOM victim %d (\\x1b[2J", self->child);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
}

/* `vmscope export ARGS` passes `promtool check metrics` (or SKIP). */
static void promtool_check(struct __test_metadata *_metadata,
			   const char *args)
{
	if (!have_prog("promtool"))
		SKIP(return, "no promtool: vmtest.sh -a /usr/bin/promtool (make check does)");
	EXPECT_EQ(0, sh_run(out, sizeof(out), "%s export %s | promtool check "
			    "metrics 2>&1", exp_cli(), args)) {
		TH_LOG("promtool: %s", out);
	}
}

/*
 * export: a label value is UTF-8 whatever the process's name (one that is
 * not makes the whole file invalid for Prometheus), escaped as the CLI's
 * tables escape it.
 */
TEST_F(triage, export_escapes_process_names)
{
	char want[128];

	self->child = start_child(odd_name_child);
	ASSERT_LT(0, self->child);
	ASSERT_EQ(0, sh_run(out, sizeof(out), "%s export --pid %d",
			    exp_cli(), self->child));
	snprintf(want, sizeof(want), "{pid=\"%d\",comm=\"\\\\x1b[2J"
		 "\\\\x1b]0;x\\\\x07\\\\xff\"", self->child);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "--pid %d", self->child);
	promtool_check(_metadata, want);
}

/* ---- the full screen, in tmux ---- */

#define TMUX	"tmux -u -f /dev/null -L vmscope-test"
#define SCREEN_DIR "/tmp/vmscope-screen"

static int screen_lines(char lines[][512], int max)
{
	char *line;
	int n = 0;

	if (sh_run(out, sizeof(out), TMUX " capture-pane -p"))
		return -1;
	for (line = out; n < max; n++) {
		char *nl = strchr(line, '\n');

		if (!nl)
			break;
		*nl = '\0';
		snprintf(lines[n], 512, "%.511s", line);
		line = nl + 1;
	}
	return n;
}

/* Poll the screen (up to 60 s) until a line has @text; its index or -1. */
static int wait_screen(char lines[][512], int max, const char *text,
		       int *n)
{
	int tries, i;

	for (tries = 0; tries < 300; tries++) {
		*n = screen_lines(lines, max);
		for (i = 0; i < *n; i++)
			if (strstr(lines[i], text))
				return i;
		usleep(200 * 1000);
	}
	return -1;
}

/*
 * As wait_screen(), on a whole frame: top draws its key line last, and a
 * capture can catch a frame half drawn.
 */
static int wait_frame(char lines[][512], int max, const char *text, int *n)
{
	int tries, row = -1;

	for (tries = 0; tries < 50; tries++) {
		row = wait_screen(lines, max, text, n);
		if (row < 0 || (*n > 0 && !strncmp(lines[*n - 1], "q quit", 6)))
			break;
		usleep(100 * 1000);
	}
	return row;
}

/* Poll (up to 60 s) for a file the session writes; its number or -1. */
static long long wait_file(const char *path)
{
	int tries;

	for (tries = 0; tries < 300; tries++) {
		if (!access(path, R_OK) && read_ll(path) >= 0)
			return read_ll(path);
		usleep(200 * 1000);
	}
	return -1;
}

static void start_session(struct __test_metadata *_metadata)
{
	sh_run(NULL, 0, TMUX " kill-server 2>/dev/null; rm -rf %s; mkdir -p %s",
	       SCREEN_DIR, SCREEN_DIR);
	ASSERT_EQ(0, sh_run(NULL, 0, TMUX " new-session -d -x 80 -y 24 "
			    "\"sh -c 'stty -g > %s/stty0; %s top -d 0.5; "
			    "echo \\$? > %s/rc; stty -g > %s/stty1; sleep 600'\"",
			    SCREEN_DIR, exp_cli(), SCREEN_DIR, SCREEN_DIR));
}

/* The terminal's modes after top are those before it. */
static bool stty_restored(void)
{
	return sh_run(NULL, 0, "cmp -s %s/stty0 %s/stty1", SCREEN_DIR,
		      SCREEN_DIR) == 0;
}

/* The vmscope process whose parent is the session's shell. */
static pid_t top_pid(void)
{
	char path[64], buf[256];
	struct dirent *d;
	pid_t pid = -1;
	DIR *dir = opendir("/proc");

	while (dir && (d = readdir(dir))) {
		FILE *f;

		if (!atoi(d->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", atoi(d->d_name));
		f = fopen(path, "re");
		if (!f)
			continue;
		memset(buf, 0, sizeof(buf));
		if (fread(buf, 1, sizeof(buf) - 1, f) > 0 &&
		    strstr(buf, "vmscope") && !strcmp(buf + strlen(buf) + 1,
						       "top"))
			pid = atoi(d->d_name);
		fclose(f);
	}
	if (dir)
		closedir(dir);
	return pid;
}

TEST_F(triage, top_screen_in_tmux)
{
	char lines[64][512], h[32], want[64];
	int n, row, i;

	if (!have_prog("tmux"))
		SKIP(return, "no tmux: vmtest.sh -a /usr/bin/tmux (make check does)");
	setenv("LC_ALL", "C.UTF-8", 1);
	setenv("TERM", "screen", 1);
	self->child = start_child(shape_child);
	ASSERT_LT(0, self->child);
	start_session(_metadata);
	snprintf(want, sizeof(want), "%6d root", self->child);
	row = wait_frame(lines, 64, want, &n);
	ASSERT_LE(0, row) {
		TH_LOG("top did not show pid %d:\n%s", self->child, out);
	}
	/* 80x24: the title first, the key line last, nothing wider */
	ASSERT_EQ(24, n);
	EXPECT_EQ(0, strncmp(lines[0], "vmscope top", 11));
	EXPECT_EQ(0, strncmp(lines[23], "q quit", 6));
	for (i = 0; i < n; i++)
		EXPECT_GE(80, (int)strlen(lines[i]));
	/* its numbers: MemTotal, and the child's ANON and victim mark */
	snprintf(want, sizeof(want), "total %s ",
		 human(proc_kb("/proc/meminfo", "MemTotal"), h, sizeof(h)));
	EXPECT_NE(NULL, strstr(lines[1], want)) {
		TH_LOG("'%s' has not '%s'", lines[1], want);
	}
	snprintf(want, sizeof(want), " %s ",
		 human(status_bytes(self->child, "RssAnon"), h, sizeof(h)));
	EXPECT_NE(NULL, strstr(lines[row], want)) {
		TH_LOG("row '%s' has not ANON '%s'", lines[row], want);
	}
	EXPECT_NE(NULL, strchr(lines[row], '*')) {
		TH_LOG("row '%s' lacks the OOM victim mark", lines[row]);
	}
	/* p sorts by PID: init first */
	sh_run(NULL, 0, TMUX " send-keys p");
	ASSERT_LE(0, wait_screen(lines, 64, "sort PID", &n));
	row = wait_screen(lines, 64, "     1 root", &n);
	EXPECT_EQ(8, row);
	/* h shows the keys; any key leaves them */
	sh_run(NULL, 0, TMUX " send-keys h");
	EXPECT_LE(0, wait_screen(lines, 64, "Keys: q quit", &n));
	sh_run(NULL, 0, TMUX " send-keys x");
	EXPECT_LE(0, wait_screen(lines, 64, "PID USER", &n));
	/* resized to 100x30: redrawn to the new size */
	ASSERT_EQ(0, sh_run(NULL, 0, TMUX " resize-window -x 100 -y 30"));
	for (i = 0; i < 300; i++) {
		n = screen_lines(lines, 64);
		if (n == 30 && !strncmp(lines[29], "q quit", 6) &&
		    strlen(lines[0]) > 80)
			break;
		usleep(200 * 1000);
	}
	EXPECT_EQ(30, n);
	EXPECT_EQ(0, strncmp(lines[29], "q quit", 6));
	/* q: exit status 0 and the terminal as it was */
	sh_run(NULL, 0, TMUX " send-keys q");
	EXPECT_EQ(0, wait_file(SCREEN_DIR "/rc"));
	usleep(500 * 1000);	/* stty -g runs right after */
	EXPECT_TRUE(stty_restored());
	sh_run(NULL, 0, TMUX " kill-server");
}

TEST_F(triage, top_screen_sigterm_restores_terminal)
{
	char lines[64][512];
	pid_t pid;
	int n;

	if (!have_prog("tmux"))
		SKIP(return, "no tmux: vmtest.sh -a /usr/bin/tmux (make check does)");
	setenv("LC_ALL", "C.UTF-8", 1);
	setenv("TERM", "screen", 1);
	start_session(_metadata);
	ASSERT_LE(0, wait_screen(lines, 64, "PID USER", &n));
	pid = top_pid();
	ASSERT_LT(0, pid);
	kill(pid, SIGTERM);
	EXPECT_EQ(128 + SIGTERM, wait_file(SCREEN_DIR "/rc"));
	usleep(500 * 1000);
	EXPECT_TRUE(stty_restored());
	sh_run(NULL, 0, TMUX " kill-server");
	/* without a terminal: a usage error saying to use -b */
	EXPECT_EQ(2, sh_run(NULL, 0, "%s top -n 1 </dev/null >/dev/null 2>&1",
			    exp_cli()));
}

/* ---- doctor ---- */

TEST_F(triage, doctor_quiet_system_has_no_findings)
{
	double v[2];

	ASSERT_EQ(0, sh_run(NULL, 0, "%s doctor --duration 2 --json > %s",
			    exp_cli(), JSON_FILE));
	ASSERT_EQ(2, jq_nums(JSON_FILE, ".duration_s, (.findings | length)",
			     v, 2));
	EXPECT_LE(1.9, v[0]);
	EXPECT_EQ(0, v[1]) {
		sh_run(out, sizeof(out), "cat %s", JSON_FILE);
		TH_LOG("%s", out);
	}
	ASSERT_EQ(0, sh_run(out, sizeof(out), "%s doctor --duration 1",
			    exp_cli()));
	EXPECT_NE(NULL, strstr(out, "no findings"));
}

/* A child that commits 1.5 GiB (private, writable, untouched). */
static void commit_child(int ready)
{
	size_t len = 768UL << 20;
	int i;

	for (i = 0; i < 2; i++)
		if (mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
			_exit(1);
	ready_and_wait(ready);
}

/*
 * Committed_AS beyond CommitLimit is no risk where the limit binds
 * nothing (vm.overcommit_memory 0, the default, or 1): no finding.
 */
TEST_F(triage, doctor_commit_charge_only_under_strict_overcommit)
{
	double v[1];

	if (read_ll("/proc/sys/vm/overcommit_memory") == 2)
		SKIP(return, "strict overcommit: the limit binds");
	self->child = start_child(commit_child);
	ASSERT_LT(0, self->child);
	/* not vacuous: the charge is beyond the limit */
	ASSERT_LT(proc_kb("/proc/meminfo", "CommitLimit"),
		  proc_kb("/proc/meminfo", "Committed_AS"));
	ASSERT_EQ(0, sh_run(NULL, 0, "%s doctor --duration 1 --json > %s",
			    exp_cli(), JSON_FILE));
	ASSERT_EQ(1, jq_nums(JSON_FILE, "[.findings[] | select(.summary | "
			     "test(\"commit charge\"))] | length", v, 1));
	EXPECT_EQ(0, v[0]) {
		sh_run(out, sizeof(out), "cat %s", JSON_FILE);
		TH_LOG("%s", out);
	}
}

/* ---- leak ---- */

TEST_F(triage, leak_heap_matches_smaps)
{
	long long rss0, rss1, flt0, flt1;
	char verdict[64];
	double v[5];

	self->child = start_child(heap_child);
	ASSERT_LT(0, self->child);
	usleep(200 * 1000);
	rss0 = smaps_heap_mem(self->child);
	flt0 = stat_field(self->child, 10);
	ASSERT_EQ(0, sh_run(NULL, 0, "%s leak --json --duration 1 %d > %s",
			    exp_cli(), self->child, JSON_FILE));
	rss1 = smaps_heap_mem(self->child);
	flt1 = stat_field(self->child, 10);
	ASSERT_EQ(0, jq_str(JSON_FILE, ".verdict", verdict, sizeof(verdict)));
	ASSERT_EQ(5, jq_nums(JSON_FILE, ". as $r | .segments[] | "
			     "select(.segment == \"heap\") | .rss_start, "
			     ".rss_end, .virt_end, $r.first_touch_ps, "
			     "$r.duration_s", v, 5));
	EXPECT_STREQ("growing heap", verdict);
	/* the heap's RSS + swap from the page tables, within smaps' */
	EXPECT_LE(rss0, (long long)v[0]);
	EXPECT_LE((long long)v[0], (long long)v[1]);
	EXPECT_GE(rss1, (long long)v[1]);
	EXPECT_LT(MiB, v[1] - v[0]);	/* it did grow: not vacuous */
	/* first touches: the minor faults, within those around it */
	EXPECT_GE(flt1 - flt0 + 1, v[3] * v[4]);
	EXPECT_LT(0, v[3]);
}

TEST_F(triage, leak_idle_is_stable)
{
	long long rss;
	char verdict[64];
	double v[2];

	self->child = start_child(shape_child);
	ASSERT_LT(0, self->child);
	rss = smaps_heap_mem(self->child);
	ASSERT_EQ(0, sh_run(NULL, 0, "%s leak --json --duration 0.5 %d > %s",
			    exp_cli(), self->child, JSON_FILE));
	ASSERT_EQ(0, jq_str(JSON_FILE, ".verdict", verdict, sizeof(verdict)));
	EXPECT_STREQ("stable", verdict);
	if (rss >= 0) {
		ASSERT_EQ(2, jq_nums(JSON_FILE, ".segments[] | select(.segment"
				     " == \"heap\") | .rss_start, .rss_end",
				     v, 2));
		EXPECT_EQ(rss, (long long)v[0]);
		EXPECT_EQ(rss, (long long)v[1]);
	}
	ASSERT_EQ(1, jq_nums(JSON_FILE, ".segments[] | select(.segment == "
			     "\"mmap-anon\") | .rss_end", v, 1));
	EXPECT_LE(ANON_SIZE, v[0]);
}

/* ---- export ---- */

/* The value of the exposition line starting with @prefix; -1 if none. */
static double metric_value(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while (p && *p) {
		const char *end = strchr(p, '\n');

		if (!strncmp(p, prefix, n) && end) {
			while (end > p && end[-1] != ' ')
				end--;		/* the value: after the last space */
			return strtod(end, NULL);
		}
		p = end ? end + 1 : NULL;
	}
	return -1;
}

TEST_F(triage, export_passes_promtool_and_matches_kernel)
{
	char prefix[256], path[64];
	const char *p;
	int help = 0, type = 0;

	self->child = start_child(shape_child);
	ASSERT_LT(0, self->child);
	ASSERT_EQ(0, sh_run(out, sizeof(out), "%s export --pid %d",
			    exp_cli(), self->child));
	snprintf(prefix, sizeof(prefix), "vmscope_process_resident_bytes{pid=\"%d\","
		 "comm=\"vmscope_triage_\",type=\"anon\"}", self->child);
	EXPECT_EQ(status_bytes(self->child, "RssAnon"),
		  (long long)metric_value(out, prefix));
	snprintf(prefix, sizeof(prefix), "vmscope_process_resident_bytes{pid=\"%d\","
		 "comm=\"vmscope_triage_\",type=\"shmem\"}", self->child);
	EXPECT_EQ(status_bytes(self->child, "RssShmem"),
		  (long long)metric_value(out, prefix));
	snprintf(prefix, sizeof(prefix), "vmscope_process_oom_score{pid=\"%d\"",
		 self->child);
	snprintf(path, sizeof(path), "/proc/%d/oom_score", self->child);
	EXPECT_EQ(read_ll(path), (long long)metric_value(out, prefix));
	snprintf(prefix, sizeof(prefix), "vmscope_oom_victim{pid=\"%d\"",
		 self->child);
	EXPECT_EQ(1, metric_value(out, prefix));
	EXPECT_EQ(proc_kb("/proc/meminfo", "MemTotal"),
		  (long long)metric_value(out, "vmscope_memory_total_bytes "));
	EXPECT_EQ(proc_kb("/proc/meminfo", "SwapTotal"),
		  (long long)metric_value(out, "vmscope_swap_total_bytes "));
	EXPECT_LE(ANON_SIZE, metric_value(out, "vmscope_process_resident_bytes{"));
	for (p = out; (p = strstr(p, "# HELP ")); p++)
		help++;
	for (p = out; (p = strstr(p, "# TYPE ")); p++)
		type++;
	EXPECT_EQ(help, type);
	EXPECT_LT(20, type);
	/* --json: the same metrics, and the child's RSS in them */
	ASSERT_EQ(0, sh_run(NULL, 0, "%s export --json --pid %d > %s",
			    exp_cli(), self->child, JSON_FILE));
	snprintf(prefix, sizeof(prefix), "(.metrics | length), (.metrics[] | "
		 "select(.name == \"vmscope_process_resident_bytes\") | "
		 ".samples[] | select(.labels.pid == \"%d\" and .labels.type "
		 "== \"anon\") | .value)", self->child);
	{
		double v[2];

		ASSERT_EQ(2, jq_nums(JSON_FILE, prefix, v, 2));
		EXPECT_EQ(type, (int)v[0]);
		EXPECT_EQ(status_bytes(self->child, "RssAnon"), (long long)v[1]);
	}
	/* --pid twice: its series once (a series twice is invalid) */
	ASSERT_EQ(0, sh_run(out, sizeof(out), "%s export --pid %d --pid %d | "
			    "grep -c '^vmscope_process_oom_score{pid=\"%d\"'",
			    exp_cli(), self->child, self->child, self->child));
	EXPECT_EQ(1, atoi(out));
	snprintf(prefix, sizeof(prefix), "--pid %d", self->child);
	promtool_check(_metadata, prefix);
	promtool_check(_metadata, "--top 1000");
}

/* ---- bad input: clear errors, documented exit status ---- */

TEST_F(triage, bad_input)
{
	const char *cli = exp_cli();

	/* a PID that is no process: 1 */
	EXPECT_EQ(1, sh_run(NULL, 0, "%s leak -d 0.1 4000000 2>/dev/null", cli));
	EXPECT_EQ(1, sh_run(NULL, 0, "%s export --pid 4000000 >/dev/null 2>&1",
			    cli));
	/* not a PID, or a negative or absurd duration: 2 */
	EXPECT_EQ(2, sh_run(NULL, 0, "%s leak -1 2>/dev/null", cli));
	EXPECT_EQ(2, sh_run(NULL, 0, "%s leak -d -5 1 2>/dev/null", cli));
	EXPECT_EQ(2, sh_run(NULL, 0, "%s leak -d 1e12 1 2>/dev/null", cli));
	EXPECT_EQ(2, sh_run(NULL, 0, "%s leak -d nan 1 2>/dev/null", cli));
	EXPECT_EQ(2, sh_run(NULL, 0, "%s doctor --duration -1 2>/dev/null", cli));
	EXPECT_EQ(2, sh_run(NULL, 0, "%s doctor --duration 0 2>/dev/null", cli));
	EXPECT_EQ(2, sh_run(NULL, 0, "%s doctor --duration 99999 2>/dev/null",
			    cli));
	EXPECT_EQ(2, sh_run(NULL, 0, "%s top -b -n 0 2>/dev/null", cli));
	EXPECT_EQ(2, sh_run(NULL, 0, "%s top -b -d 0.001 2>/dev/null", cli));
	EXPECT_EQ(2, sh_run(NULL, 0, "%s top -b -d inf 2>/dev/null", cli));
	EXPECT_EQ(2, sh_run(NULL, 0, "%s export --pid 0 2>/dev/null", cli));
	EXPECT_EQ(2, sh_run(NULL, 0, "%s export --top -3 2>/dev/null", cli));
	EXPECT_EQ(2, sh_run(NULL, 0, "%s doctor extra 2>/dev/null", cli));
	/* a closed or full standard output: 1, with a message */
	EXPECT_EQ(1, sh_run(out, sizeof(out), "%s export 2>&1 >&-", cli));
	EXPECT_NE(NULL, strstr(out, "standard output"));
	EXPECT_EQ(1, sh_run(out, sizeof(out), "%s top -b -n 1 -d 0.1 2>&1 >&-",
			    cli));
	EXPECT_NE(NULL, strstr(out, "standard output"));
	EXPECT_EQ(1, sh_run(out, sizeof(out), "%s export 2>&1 >/dev/full", cli));
	EXPECT_NE(NULL, strstr(out, "write error"));
	EXPECT_EQ(1, sh_run(NULL, 0, "%s doctor --duration 0.5 --json "
			    ">/dev/full 2>/dev/null", cli));
	/* a reader that goes away: top -b stops with 1, not forever */
	EXPECT_EQ(0, sh_run(NULL, 0, "(%s top -b -d 0.1 2>/dev/null; echo $? "
			    "> /tmp/vmscope-top.rc) | head -c 10 >/dev/null",
			    cli));
	EXPECT_EQ(1, read_ll("/tmp/vmscope-top.rc"));
}

TEST_HARNESS_MAIN
