// SPDX-License-Identifier: GPL-2.0
/*
 * The CLI's shared table options on every view, its JSON parsed by a
 * parser (json_tree.h), its exit statuses and its write errors, on a
 * child process whose shape is known and holds still: a 64-page anonymous
 * mapping of which 16 pages (every other one) are touched.  The numbers
 * are compared with the kernel's own view of the child (/proc/PID/pagemap,
 * maps, status, oom_score) and of the system (meminfo, sysconf).
 *
 * The CLI is $VMSCOPE_CLI or vmscope on $PATH (/usr/bin/vmscope in the VM).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "json_tree.h"
#include "vmscope.h"

#define OUT_MAX		(4 << 20)
#define REGION_PAGES	64
#define TOUCHED		16

static const char *cli(void)
{
	const char *c = getenv("VMSCOPE_CLI");

	return c ? c : "vmscope";
}

/*
 * Run "vmscope ARGS" (a shell fragment: %d is expanded by the caller);
 * stdout into @out, stderr into @err.  Returns the exit status, -1 if it
 * did not exit.
 */
static int run(char *out, char *err, const char *fmt, ...)
{
	char args[512], cmd[1024], errpath[] = "/tmp/vmscope-cli-err.XXXXXX";
	size_t n = 0;
	va_list ap;
	FILE *p;
	int st, fd;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	fd = mkstemp(errpath);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(cmd, sizeof(cmd), "{ %s %s; } 2>%s", cli(), args, errpath);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n < OUT_MAX - 1) {
		size_t got = fread(out + n, 1, OUT_MAX - 1 - n, p);

		if (!got)
			break;
		n += got;
	}
	out[n] = '\0';
	st = pclose(p);
	if (err) {
		FILE *f = fopen(errpath, "r");

		n = f ? fread(err, 1, 4095, f) : 0;
		err[n] = '\0';
		if (f)
			fclose(f);
	}
	unlink(errpath);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Lines of @s. */
static int nlines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * The lines of a /proc/PID/maps text that are VMAs of the process: not
 * [vsyscall], the x86-64 gate area, which maps lists on kernels whose
 * vsyscall page is there (LEGACY_VSYSCALL_XONLY, as the debug kernel's
 * defconfig has; Debian's kernels have NONE) and which is no VMA.
 */
static int maps_vmas(const char *maps)
{
	return nlines(maps) - (strstr(maps, " [vsyscall]\n") != NULL);
}

/* The first line of @s, in @buf. */
static const char *first_line(const char *s, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strcspn(s, "\n"), s);
	return buf;
}

/* The column names `vmscope help CMD` lists first, space separated. */
static void help_columns(const char *cmd, char *buf, size_t len, bool all)
{
	static char out[65536];
	char *line, *save, name[32];
	bool on = false;

	buf[0] = '\0';
	if (run(out, NULL, "help %s", cmd))
		return;
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "(* shown by default; JSON key, type):")) {
			if (on)
				break;		/* only the first table */
			on = true;
			continue;
		}
		if (!on || line[0] != ' ' || (line[1] != '*' && line[1] != ' '))
			continue;
		if (!all && line[1] != '*')
			continue;
		sscanf(line + 2, "%31s", name);
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			 buf[0] ? " " : "", name);
	}
}

/* Single spaces between words, as the header of a table reads. */
static void squeeze(char *s)
{
	char *d = s, *r;

	for (r = s; *r; r++)
		if (*r != ' ' || (d != s && d[-1] != ' '))
			*d++ = *r;
	while (d != s && d[-1] == ' ')
		d--;
	*d = '\0';
}

/* Present pages of [start, start + n pages) of @pid, by its pagemap. */
static int pagemap_present(pid_t pid, uintptr_t start, int n)
{
	char path[64];
	int fd, i, present = 0;
	uint64_t e;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	for (i = 0; fd >= 0 && i < n; i++)
		if (pread(fd, &e, 8, (start / 4096 + i) * 8) == 8 &&
		    (e >> 63 & 1))
			present++;
	if (fd >= 0)
		close(fd);
	return present;
}

/* "KEY: N kB" of /proc/PID/FILE, or the number FILE holds if KEY is NULL */
static long long proc_num(pid_t pid, const char *file, const char *key)
{
	char path[64], val[64];
	long long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	if (key)
		return read_key(path, key, val, sizeof(val)) ? -1 :
		       strtoll(val, NULL, 10);
	f = fopen(path, "r");
	if (f && fscanf(f, "%lld", &n) != 1)
		n = -1;
	if (f)
		fclose(f);
	return n;
}

/* The child: the shape, its address on the pipe, then nothing. */
static void shape_child(int wfd)
{
	char *region = mmap(NULL, REGION_PAGES * 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (region == MAP_FAILED)
		_exit(1);
	/* no THP: 4K pages whose count pagemap can tell */
	madvise(region, REGION_PAGES * 4096, MADV_NOHUGEPAGE);
	for (i = 0; i < TOUCHED; i++)
		region[i * 4096 * 2] = 1;	/* every other page */
	if (write(wfd, &region, sizeof(region)) != sizeof(region))
		_exit(1);
	for (;;)
		pause();
}

FIXTURE(cli)
{
	char *out, *err;
	char *region;
	pid_t pid;
};

FIXTURE_SETUP(cli)
{
	int pfd[2];

	self->pid = 0;
	if (access(VMSCOPE_DEVICE, F_OK))
		SKIP(return, "vmscope module not loaded");
	if (geteuid())
		SKIP(return, "needs root");
	self->out = malloc(OUT_MAX);
	self->err = malloc(4096);
	ASSERT_NE(NULL, self->out);
	ASSERT_NE(NULL, self->err);
	ASSERT_EQ(0, pipe(pfd));
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid) {
		close(pfd[0]);
		shape_child(pfd[1]);
	}
	close(pfd[1]);
	ASSERT_EQ(sizeof(self->region),
		  read(pfd[0], &self->region, sizeof(self->region)));
	close(pfd[0]);
}

FIXTURE_TEARDOWN(cli)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
}

/* walk: ranges, totals and --pages against pagemap; -o, -b, -r, -n. */
TEST_F(cli, walk_json_and_table_options)
{
	uintptr_t start = (uintptr_t)self->region;
	uint64_t pages = 0, present = 0;
	const struct jt *doc, *ranges, *totals, *r;
	char hdr[256], line[256];
	int i, n, expect = pagemap_present(self->pid, start, REGION_PAGES);

	ASSERT_EQ(TOUCHED, expect);	/* not vacuous: the shape is there */
	ASSERT_EQ(0, run(self->out, NULL, "walk --json %d %lx +%d",
			 self->pid, start, REGION_PAGES * 4096));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc) TH_LOG("%s", self->out);
	ranges = jt_get(doc, "ranges");
	totals = jt_get(doc, "totals");
	ASSERT_TRUE(ranges && ranges->type == JT_ARR && totals);
	for (i = 0; i < ranges->n; i++) {
		r = jt_at(ranges, i);
		pages += jt_u64(r, "pages", 0);
		EXPECT_EQ(jt_u64(r, "pages", 0) * 4096,
			  jt_u64(r, "size_bytes", 1));
		if (!strcmp(jt_str(r, "state"), "present"))
			present += jt_u64(r, "pages", 0);
	}
	EXPECT_EQ(REGION_PAGES, pages);
	EXPECT_EQ(expect, present);
	EXPECT_EQ(expect, jt_u64(totals, "present_pages", 0));
	EXPECT_EQ(REGION_PAGES - expect,
		  jt_u64(totals, "not_present_pages", 0));
	/* every other page touched: 2 ranges per touched page */
	EXPECT_EQ(2 * TOUCHED, ranges->n);

	/* -o: exactly those keys, in JSON and in the table header */
	ASSERT_EQ(0, run(self->out, NULL, "walk -J -o state,PAGES %d %lx +%d",
			 self->pid, start, REGION_PAGES * 4096));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	r = jt_at(jt_get(doc, "ranges"), 0);
	EXPECT_EQ(2, r->n);
	EXPECT_STREQ("state", r->kids[0].key);
	EXPECT_STREQ("pages", r->kids[1].key);
	ASSERT_EQ(0, run(self->out, NULL, "walk -o STATE,PAGES %d %lx +%d",
			 self->pid, start, REGION_PAGES * 4096));
	first_line(self->out, hdr, sizeof(hdr));
	squeeze(hdr);
	EXPECT_STREQ("STATE PAGES", hdr);

	/* -n -r -b: no header, one space, exact sizes: SIZE = PAGES * 4K */
	ASSERT_EQ(0, run(self->out, NULL, "walk -n -r -b -o SIZE,PAGES %d %lx +%d",
			 self->pid, start, REGION_PAGES * 4096));
	EXPECT_EQ(2 * TOUCHED, nlines(self->out));
	for (i = 0, n = 0; i < 2 * TOUCHED; i++) {
		unsigned long long size, np;
		const char *l = self->out;
		int k;

		for (k = 0; k < i; k++)
			l = strchr(l, '\n') + 1;
		first_line(l, line, sizeof(line));
		ASSERT_EQ(2, sscanf(line, "%llu %llu", &size, &np)) TH_LOG("%s", line);
		EXPECT_EQ(np * 4096, size);
		n += np;
	}
	EXPECT_EQ(REGION_PAGES, n);

	/* --pages: one object per page */
	ASSERT_EQ(0, run(self->out, NULL, "walk --pages -J -o vaddr,state %d %lx +%d",
			 self->pid, start, REGION_PAGES * 4096));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	ranges = jt_get(doc, "pages");
	ASSERT_NE(NULL, ranges);
	EXPECT_EQ(REGION_PAGES, ranges->n);
	for (i = 0, n = 0; i < ranges->n; i++)
		n += !strcmp(jt_str(jt_at(ranges, i), "state"), "present");
	EXPECT_EQ(expect, n);
}

/* layout: every VMA of /proc/self/maps, the region's RSS as smaps has it. */
TEST_F(cli, layout_against_maps_and_smaps)
{
	char maps[65536], want[64], hdr[512], cols[512];
	uintptr_t start = (uintptr_t)self->region;
	const struct jt *doc, *vmas, *v, *found = NULL;
	ssize_t len;
	int fd, n, i;

	snprintf(want, sizeof(want), "/proc/%d/maps", self->pid);
	fd = open(want, O_RDONLY);
	ASSERT_LE(0, fd);
	len = read(fd, maps, sizeof(maps) - 1);
	close(fd);
	ASSERT_LT(0, len);
	maps[len] = '\0';
	ASSERT_EQ(0, run(self->out, NULL, "layout --json %d", self->pid));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc) TH_LOG("%.500s", self->out);
	vmas = jt_get(doc, "vmas");
	ASSERT_NE(NULL, vmas);
	EXPECT_EQ(maps_vmas(maps), vmas->n);
	snprintf(want, sizeof(want), "0x%lx", start);
	for (i = 0; i < vmas->n; i++) {
		v = jt_at(vmas, i);
		if (!strcmp(jt_str(v, "start"), want))
			found = v;
		/* the deprecated _kb alias says the same */
		EXPECT_EQ(jt_u64(v, "rss_bytes", 0) >> 10,
			  jt_u64(v, "rss_kb", 1));
	}
	ASSERT_NE(NULL, found);
	EXPECT_EQ(REGION_PAGES * 4096, jt_u64(found, "size_bytes", 0));
	EXPECT_EQ(TOUCHED * 4096, jt_u64(found, "rss_bytes", 0));
	EXPECT_EQ(TOUCHED * 4096, jt_u64(found, "anon_bytes", 0));
	EXPECT_EQ(jt_u64(jt_get(doc, "totals"), "vmas", 0), vmas->n);

	/* -n -r -o START,END: the lines of maps, address for address */
	ASSERT_EQ(0, run(self->out, NULL, "layout -n -r -o START,END %d",
			 self->pid));
	n = nlines(self->out);
	EXPECT_EQ(maps_vmas(maps), n);
	snprintf(want, sizeof(want), "%012lx %012lx\n", start,
		 start + REGION_PAGES * 4096);
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("%s", self->out);

	/* --output-all: every column help lists; +LIST: defaults and LIST */
	help_columns("layout", cols, sizeof(cols), true);
	ASSERT_NE(0, cols[0]);
	ASSERT_EQ(0, run(self->out, NULL, "layout --output-all %d", self->pid));
	first_line(self->out, hdr, sizeof(hdr));
	squeeze(hdr);
	EXPECT_STREQ(cols, hdr);
	ASSERT_EQ(0, run(self->out, NULL, "layout -o START,SIZE -o +RSS %d",
			 self->pid));
	help_columns("layout", cols, sizeof(cols), false);
	strcat(cols, " RSS");
	first_line(self->out, hdr, sizeof(hdr));
	squeeze(hdr);
	EXPECT_STREQ(cols, hdr);

	/* -b: the region's SIZE in bytes; without it, human (256K) */
	ASSERT_EQ(0, run(self->out, NULL, "layout -b -n -r -o START,SIZE %d",
			 self->pid));
	snprintf(want, sizeof(want), "%012lx %d\n", start, REGION_PAGES * 4096);
	EXPECT_NE(NULL, strstr(self->out, want));
	ASSERT_EQ(0, run(self->out, NULL, "layout -n -r -o START,SIZE %d",
			 self->pid));
	snprintf(want, sizeof(want), "%012lx 256K\n", start);
	EXPECT_NE(NULL, strstr(self->out, want));
}

/* pagetable, faults, translate, info: JSON against status, stat, sysconf */
TEST_F(cli, process_views_against_proc)
{
	uintptr_t start = (uintptr_t)self->region;
	const struct jt *doc;
	char hdr[256];

	ASSERT_EQ(0, run(self->out, NULL, "pagetable -J %d", self->pid));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(proc_num(self->pid, "status", "VmPTE") * 1024,
		  jt_u64(doc, "vmpte_bytes", 0));
	EXPECT_EQ(6, jt_get(doc, "per_level")->n);
	ASSERT_EQ(0, run(self->out, NULL, "pagetable -n -r -o LEVEL %d",
			 self->pid));
	EXPECT_STREQ("PGD\nP4D\nPUD\nPMD\nPTE\ndeposited\n", self->out);

	ASSERT_EQ(0, run(self->out, NULL, "faults -J -o tid,MINOR %d",
			 self->pid));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(1, jt_get(doc, "threads")->n);
	EXPECT_EQ(self->pid, jt_u64(jt_at(jt_get(doc, "threads"), 0), "tid", 0));
	EXPECT_EQ(2, jt_at(jt_get(doc, "threads"), 0)->n);
	ASSERT_EQ(0, run(self->out, NULL, "faults -o SCOPE %d", self->pid));
	EXPECT_NE(NULL, strstr(self->out, "SCOPE\nprocess\nthread\nchildren\nsystem\n"))
		TH_LOG("%s", self->out);

	ASSERT_EQ(0, run(self->out, NULL, "translate -J %d %lx", self->pid,
			 start));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("present", jt_str(doc, "state"));
	EXPECT_EQ(jt_u64(doc, "levels", 0), jt_get(doc, "walk")->n);
	EXPECT_EQ(4096, jt_u64(doc, "page_size_bytes", 0));
	ASSERT_EQ(0, run(self->out, NULL, "translate -n -r -o LEVEL %d %lx",
			 self->pid, start + 4096));
	EXPECT_EQ(jt_u64(doc, "levels", 0), nlines(self->out));

	ASSERT_EQ(0, run(self->out, NULL, "info --json"));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(sysconf(_SC_PAGESIZE), jt_u64(doc, "page_size_bytes", 0));
	ASSERT_EQ(0, run(self->out, NULL, "info -r -n -o FIELD,VALUE"));
	EXPECT_EQ(13, nlines(self->out));
	EXPECT_NE(NULL, strstr(self->out, "page_size 4.0K\n"));
	ASSERT_EQ(0, run(self->out, NULL, "info -r -n -b -o FIELD,VALUE"));
	EXPECT_NE(NULL, strstr(self->out, "page_size 4096\n"));
	ASSERT_EQ(0, run(self->out, NULL, "info -o MEANING"));
	EXPECT_STREQ("MEANING", first_line(self->out, hdr, sizeof(hdr)));
}

/* oom and reclaim: system views against oom_score, status and meminfo */
TEST_F(cli, system_views_against_proc)
{
	const struct jt *doc, *tasks, *zones;
	long long score, rss_kb;	/* status: not vacuous */
	int i, found = 0;

	score = proc_num(self->pid, "oom_score", NULL);
	rss_kb = proc_num(self->pid, "status", "RssAnon") +
		 proc_num(self->pid, "status", "RssFile") +
		 proc_num(self->pid, "status", "RssShmem");
	ASSERT_LE(TOUCHED * 4, rss_kb);	/* not vacuous */
	ASSERT_LE(0, score);
	ASSERT_EQ(0, run(self->out, NULL, "oom --json"));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	tasks = jt_get(doc, "tasks");
	ASSERT_NE(NULL, tasks);
	for (i = 0; i < tasks->n; i++) {
		if (jt_u64(jt_at(tasks, i), "pid", 0) != (uint64_t)self->pid)
			continue;
		found++;
		EXPECT_EQ(score, jt_u64(jt_at(tasks, i), "oom_score", 9999));
		EXPECT_LE(TOUCHED, jt_u64(jt_at(tasks, i), "rss_pages", 0));
	}
	EXPECT_EQ(1, found);
	/* a process or two may come or go between the runs */
	ASSERT_EQ(0, run(self->out, NULL, "oom -n -r -o PID"));
	EXPECT_LE(tasks->n - 2, nlines(self->out));
	EXPECT_GE(tasks->n + 2, nlines(self->out));

	ASSERT_EQ(0, run(self->out, NULL, "reclaim --json"));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	zones = jt_get(doc, "zones");
	ASSERT_TRUE(zones && zones->n > 0);
	for (i = 0; i < zones->n; i++)
		EXPECT_NE(NULL, jt_get(jt_at(zones, i), "free_pages"));
	EXPECT_EQ(swap_total_pages(),
		  jt_u64(jt_get(doc, "swap"), "total_pages", 1));
	ASSERT_EQ(0, run(self->out, NULL, "reclaim -J -o zone,nr_free_blocks"));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(2, jt_at(jt_get(doc, "zones"), 0)->n);
	EXPECT_EQ(JT_ARR, jt_get(jt_at(jt_get(doc, "zones"), 0), "nr_free_blocks")->type);
}

/* --watch: JSON lines, each a whole document, through the same writer */
TEST_F(cli, watch_json_lines)
{
	static const char *const views[] = { "faults -w 0.05 -J %d",
					      "reclaim -w 0.05 -J" };
	char line[4096], args[128];
	unsigned int v;
	int lines;

	for (v = 0; v < 2; v++) {
		FILE *p;

		snprintf(args, sizeof(args), views[v], self->pid);
		snprintf(line, sizeof(line), "%s %s | head -n 3", cli(), args);
		p = popen(line, "r");
		ASSERT_NE(NULL, p);
		for (lines = 0; fgets(line, sizeof(line), p); lines++) {
			const struct jt *doc = jt_doc(line);

			ASSERT_NE(NULL, doc) TH_LOG("%s", line);
			EXPECT_EQ(JT_OBJ, doc->type);
			EXPECT_NE(NULL, jt_get(doc, "interval_s"));
		}
		pclose(p);
		EXPECT_EQ(3, lines);
	}
}

/*
 * --watch rates are per the time measured, not the interval asked for: a
 * watch stopped for a second between two samples says so in interval_s
 * (which was the asked 0.2 before, and the rates five times too high).
 */
TEST_F(cli, watch_interval_is_measured)
{
	double longest = 0;
	char line[4096];
	int pfd[2], i;
	pid_t pid;
	FILE *f;

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		snprintf(line, sizeof(line), "%d", self->pid);
		execlp(cli(), cli(), "faults", "-w", "0.2", "-J", line,
		       (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	sleep(1);
	ASSERT_EQ(0, kill(pid, SIGCONT));
	for (i = 0; i < 3 && fgets(line, sizeof(line), f); i++) {
		const struct jt *doc = jt_doc(line);

		ASSERT_NE(NULL, doc) TH_LOG("%s", line);
		if (jt_num(doc, "interval_s", 0) > longest)
			longest = jt_num(doc, "interval_s", 0);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	fclose(f);
	EXPECT_EQ(3, i);
	EXPECT_LE(0.9, longest);
}

/* `vmscope info` on an 80-column terminal (a pty): @out, NUL terminated */
static int info_on_a_terminal(char *out, size_t len)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	size_t n = 0;
	ssize_t got;
	int fd, st;
	pid_t pid;

	pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid < 0)
		return -1;
	if (!pid) {
		unsetenv("COLUMNS");
		execlp(cli(), cli(), "info", (char *)NULL);
		_exit(127);
	}
	while (n < len - 1 && (got = read(fd, out + n, len - 1 - n)) > 0)
		n += got;	/* EIO once the child has gone */
	out[n] = '\0';
	close(fd);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * info's MEANING column wraps on an 80-column terminal between words,
 * never inside one: every word of it is one of the words of the meanings.
 */
TEST_F(cli, info_wraps_between_words)
{
	char words[8192], *line, *save, *w, *save2;
	int col = -1, lines = 0, wrapped = 0;

	ASSERT_EQ(0, run(self->out, NULL, "info -n -r -o MEANING"));
	/* raw: one meaning a line, its spaces as \x20 */
	snprintf(words, sizeof(words), " %s ", self->out);
	for (w = words; (w = strstr(w, "\\x20")); )
		memmove(w + 1, w + 4, strlen(w + 4) + 1), *w = ' ';
	for (w = words; *w; w++)
		if (*w == '\n')
			*w = ' ';
	ASSERT_EQ(0, info_on_a_terminal(self->out, OUT_MAX));
	for (line = strtok_r(self->out, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		if (col < 0) {
			char *m = strstr(line, "MEANING");

			ASSERT_NE(NULL, m) TH_LOG("%s", line);
			col = m - line;
			continue;
		}
		if (!strncmp(line, "The ", 4))
			break;			/* the picture below the table */
		EXPECT_GE(80, strlen(line)) TH_LOG("%s", line);
		lines++;
		wrapped += line[0] == ' ';
		if ((int)strlen(line) <= col)
			continue;
		for (w = strtok_r(line + col, " ", &save2); w;
		     w = strtok_r(NULL, " ", &save2)) {
			char pat[128];

			snprintf(pat, sizeof(pat), " %s ", w);
			EXPECT_NE(NULL, strstr(words, pat))
				TH_LOG("'%s' is not a whole word", w);
		}
	}
	EXPECT_LE(13, lines);
	/* not vacuous: 80 columns are too few for the longest meanings */
	EXPECT_LT(0, wrapped);
}

/* The lines of @s whose first word is @word. */
static int lines_starting(const char *s, const char *word)
{
	size_t len = strlen(word);
	int n = 0;

	for (; *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : s + strlen(s))
		n += !strncmp(s, word, len) && (s[len] == ' ' || s[len] == '\n');
	return n;
}

/* Number of members of the object @o whose keys are exactly @keys. */
static bool keys_are(const struct jt *o, const char *const *keys, size_t n)
{
	size_t i;

	if (!o || o->type != JT_OBJ || o->n != n)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(o->kids[i].key, keys[i]))
			return false;
	return true;
}

/*
 * memory: MemTotal and MemFree against /proc/meminfo, the parts adding
 * up, the deprecated kB keys equal to the new ones; -o, -n, -r, -b.
 */
TEST_F(cli, memory_view)
{
	static const char *const two[] = { "part", "size_bytes" };
	const struct jt *doc, *rows, *r, *parts;
	char val[64], hdr[512], want[512];
	long long memtotal, memfree = -1;
	uint64_t sum = 0;
	size_t i;

	ASSERT_EQ(0, read_key("/proc/meminfo", "MemTotal", val, sizeof(val)));
	memtotal = strtoll(val, NULL, 10);
	ASSERT_EQ(0, run(self->out, NULL, "memory --json"));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	ASSERT_LT(0, memtotal);		/* not vacuous */
	EXPECT_EQ(memtotal * 1024, jt_u64(doc, "total_bytes", 0));
	EXPECT_EQ(memtotal, jt_u64(doc, "total_kb", 0));
	EXPECT_EQ(sysconf(_SC_PAGESIZE), jt_u64(doc, "page_size_bytes", 0));
	EXPECT_EQ(sysconf(_SC_PAGESIZE), jt_u64(doc, "page_size", 0));
	rows = jt_get(doc, "breakdown");
	parts = jt_get(doc, "parts");
	ASSERT_TRUE(rows && rows->type == JT_ARR && rows->n > 3);
	for (i = 0; (r = jt_at(rows, i)); i++) {
		sum += jt_u64(r, "size_bytes", 0);
		EXPECT_EQ(jt_u64(r, "size_bytes", 0) >> 10,
			  jt_u64(parts, jt_str(r, "part"), 1))
			TH_LOG("%s", jt_str(r, "part"));
		EXPECT_EQ(jt_u64(r, "size_pages", 0) * sysconf(_SC_PAGESIZE),
			  jt_u64(r, "size_bytes", 1));
		if (!strcmp(jt_str(r, "part"), "MemFree"))
			memfree = jt_u64(r, "size_bytes", 0);
	}
	EXPECT_EQ(jt_u64(doc, "total_bytes", 0), sum);
	ASSERT_EQ(0, read_key("/proc/meminfo", "MemFree", val, sizeof(val)));
	EXPECT_LT(0, memfree);
	EXPECT_GE(32 << 20, llabs(memfree - strtoll(val, NULL, 10) * 1024));
	EXPECT_LT(0, jt_get(doc, "zones")->n);
	EXPECT_NE(NULL, jt_get(jt_at(jt_get(doc, "zones"), 0), "free_bytes"));

	ASSERT_EQ(0, run(self->out, NULL, "memory -J -o part,SIZE"));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	for (i = 0; (r = jt_at(jt_get(doc, "breakdown"), i)); i++)
		EXPECT_TRUE(keys_are(r, two, 2));
	EXPECT_EQ(rows->n, i);

	/* -n -r: only the table, one part a line, no header */
	ASSERT_EQ(0, run(self->out, NULL, "memory -n -r -o PART"));
	EXPECT_EQ(rows->n, nlines(self->out));
	EXPECT_EQ(1, lines_starting(self->out, "MemFree"));
	EXPECT_EQ(0, lines_starting(self->out, "PART"));
	/* -r: the header of exactly the columns asked for */
	ASSERT_EQ(0, run(self->out, NULL, "memory -r -o PART,PERCENT"));
	EXPECT_STREQ("PART PERCENT", first_line(self->out, hdr, sizeof(hdr)));
	ASSERT_EQ(0, run(self->out, NULL, "memory -r --output-all"));
	help_columns("memory", want, sizeof(want), true);
	EXPECT_STREQ(want, first_line(self->out, hdr, sizeof(hdr)));
	ASSERT_EQ(0, run(self->out, NULL, "memory -r -o +PAGES"));
	help_columns("memory", want, sizeof(want), false);
	strcat(want, " PAGES");
	EXPECT_STREQ(want, first_line(self->out, hdr, sizeof(hdr)));
	/* -b: MemTotal's parts in bytes, each a whole number of pages */
	ASSERT_EQ(0, run(self->out, NULL, "memory -n -r -b -o SIZE"));
	sum = 0;
	for (char *l = self->out; *l; l = strchr(l, '\n') + 1) {
		EXPECT_EQ(strcspn(l, "\n"), strspn(l, "0123456789"));
		sum += strtoull(l, NULL, 10);
	}
	EXPECT_GE(32 << 20, llabs((long long)sum - memtotal * 1024));
	ASSERT_EQ(0, run(self->out, NULL, "memory -n -r -o PART,SIZE"));
	EXPECT_NE(NULL, strstr(self->out, "MemFree ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strpbrk(strstr(self->out, "MemFree "), "KMG"));
}

/* A file of 16 pages of which pages 0-3 and 8-11 are cached, if it can. */
#define CFILE_PAGES	16
static int cache_file(char *path, size_t len, unsigned char *vec)
{
	const char *dir = getenv("VMSCOPE_DISK");
	char page[4096], *map;
	int fd, i, n = 0;

	snprintf(path, len, "%s/vmscope-cli-cache", dir ? dir : "/tmp");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	memset(page, 'x', sizeof(page));
	for (i = 0; i < CFILE_PAGES; i++)
		if (write(fd, page, sizeof(page)) != sizeof(page))
			return -1;
	fsync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);	/* no readahead */
	for (i = 0; i < CFILE_PAGES; i++)
		if ((i & 4) == 0 && pread(fd, page, 4096, i * 4096L) != 4096)
			return -1;
	/* the kernel's own view: mincore() */
	map = mmap(NULL, CFILE_PAGES * 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED || mincore(map, CFILE_PAGES * 4096, vec))
		return -1;
	munmap(map, CFILE_PAGES * 4096);
	close(fd);
	for (i = 0; i < CFILE_PAGES; i++)
		n += vec[i] & 1;
	return n;
}

/* cache PATH: against mincore() and st_size; -o, -n, -r, -b, --watch -J */
TEST_F(cli, cache_view)
{
	static const char *const two[] = { "path", "cached_pages" };
	const struct jt *doc, *f, *r;
	unsigned char vec[CFILE_PAGES];
	char path[256], hdr[256], want[512];
	uint64_t p, seen[CFILE_PAGES] = { 0 };
	int cached, i, lines;
	FILE *pipe;

	cached = cache_file(path, sizeof(path), vec);
	ASSERT_LT(0, cached);		/* not vacuous */
	ASSERT_EQ(0, run(self->out, NULL, "cache -J -v %s", path));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	f = jt_at(jt_get(doc, "files"), 0);
	ASSERT_NE(NULL, f);
	EXPECT_STREQ(path, jt_str(f, "path"));
	EXPECT_EQ(CFILE_PAGES, jt_u64(f, "size_pages", 0));
	EXPECT_EQ(cached, jt_u64(f, "cached_pages", 0));
	EXPECT_EQ(cached, jt_u64(doc, "cached_pages", 0));
	for (i = 0; (r = jt_at(jt_get(f, "ranges"), i)); i++)
		for (p = jt_at(r, 0)->u; p <= jt_at(r, 1)->u && p < CFILE_PAGES; p++)
			seen[p] = 1;
	for (i = 0; i < CFILE_PAGES; i++)
		EXPECT_EQ(vec[i] & 1, seen[i]) TH_LOG("page %d", i);
	TH_LOG("%d of %d pages cached (mincore)", cached, CFILE_PAGES);

	ASSERT_EQ(0, run(self->out, NULL, "cache -J -o path,CACHED %s", path));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	EXPECT_TRUE(keys_are(jt_at(jt_get(doc, "files"), 0), two, 2));
	/* -b: exact sizes; -n -r: the row alone */
	ASSERT_EQ(0, run(self->out, NULL, "cache -n -r -b -o SIZE,CACHED,PATH %s",
			 path));
	snprintf(want, sizeof(want), "%d %d %s\n", CFILE_PAGES * 4096,
		 cached * 4096, path);
	EXPECT_STREQ(want, self->out);
	ASSERT_EQ(0, run(self->out, NULL, "cache -n -r -o SIZE %s", path));
	EXPECT_STREQ("64K\n", self->out);
	ASSERT_EQ(0, run(self->out, NULL, "cache -o SIZE,CACHED %s", path));
	first_line(self->out, hdr, sizeof(hdr));
	squeeze(hdr);
	EXPECT_STREQ("SIZE CACHED", hdr);
	EXPECT_EQ(2, nlines(self->out));
	ASSERT_EQ(0, run(self->out, NULL, "cache -r --output-all %s", path));
	help_columns("cache", want, sizeof(want), true);
	EXPECT_STREQ(want, first_line(self->out, hdr, sizeof(hdr)));
	/* -v in a table: the bar below the row */
	ASSERT_EQ(0, run(self->out, NULL, "cache -v %s", path));
	EXPECT_NE(NULL, strstr(self->out, "    [")) TH_LOG("%s", self->out);
	unlink(path);

	/* --watch -J: JSON lines, the cache against meminfo */
	snprintf(hdr, sizeof(hdr), "%s cache --watch 0.05 --count 3 -J", cli());
	pipe = popen(hdr, "r");
	ASSERT_NE(NULL, pipe);
	for (lines = 0; fgets(self->out, OUT_MAX, pipe); lines++) {
		char val[64];
		long long c, b;

		doc = jt_doc(self->out);
		ASSERT_NE(NULL, doc) TH_LOG("%s", self->out);
		EXPECT_NE(NULL, jt_get(doc, "interval_s"));
		ASSERT_EQ(0, read_key("/proc/meminfo", "Cached", val, sizeof(val)));
		c = strtoll(val, NULL, 10);
		ASSERT_EQ(0, read_key("/proc/meminfo", "Buffers", val, sizeof(val)));
		b = strtoll(val, NULL, 10);
		EXPECT_GE(4096, llabs((long long)jt_u64(doc, "cache_pages", 0) -
				      (c + b) / 4));
	}
	EXPECT_EQ(0, pclose(pipe));
	EXPECT_EQ(3, lines);
	/* --top: N files at most, with their device and inode */
	ASSERT_EQ(0, run(self->out, NULL, "cache --top 3 -J"));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	EXPECT_GE(3, jt_get(doc, "files")->n);
	EXPECT_NE(NULL, jt_get(jt_at(jt_get(doc, "files"), 0), "ino"));
	ASSERT_EQ(0, run(self->out, NULL, "cache --top 3"));
	EXPECT_EQ(0, strncmp(self->out, "DEV ", 4)) TH_LOG("%s", self->out);
}

/* The first VMA of @pid: its start, and the pages of all its VMAs */
static unsigned long maps_first(pid_t pid, unsigned long *pages)
{
	unsigned long a, b, first = 0;
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	*pages = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &a, &b) != 2)
			continue;
		if (a >= 0x800000000000UL)	/* [vsyscall]: not a VMA */
			continue;
		if (!first)
			first = a;
		*pages += (b - a) / 4096;
	}
	if (f)
		fclose(f);
	return first;
}

/* leak, on the child that holds still: every VMA against maps */
TEST_F(cli, leak_view)
{
	const struct jt *doc, *vmas, *v, *found = NULL;
	char want[32], cmd[128], maps[65536];
	int i;

	ASSERT_EQ(0, run(self->out, NULL, "leak -d 0.2 -a -J %d", self->pid));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("stable", jt_str(doc, "verdict"));
	vmas = jt_get(doc, "vmas");
	ASSERT_NE(NULL, vmas);
	snprintf(want, sizeof(want), "0x%lx", (unsigned long)self->region);
	for (i = 0; (v = jt_at(vmas, i)); i++)
		if (!strcmp(jt_str(v, "start"), want))
			found = v;
	ASSERT_NE(NULL, found) TH_LOG("no VMA at %s", want);
	ASSERT_EQ(TOUCHED, pagemap_present(self->pid,
					   (uintptr_t)self->region,
					   REGION_PAGES));
	EXPECT_EQ(TOUCHED * 4096, jt_u64(found, "rss_end_bytes", 0));
	EXPECT_EQ(TOUCHED * 4096, jt_u64(found, "rss_end", 0));
	EXPECT_EQ(REGION_PAGES * 4096, jt_u64(found, "virt_start_bytes", 0));
	EXPECT_STREQ("same", jt_str(found, "state"));
	EXPECT_NE(NULL, jt_get(doc, "rate_bytes_per_s"));
	EXPECT_NE(NULL, jt_get(doc, "rate_bps"));
	/* -n -r -a -o START: one line per VMA of maps */
	snprintf(cmd, sizeof(cmd), "grep -v vsyscall /proc/%d/maps",
		 self->pid);
	{
		FILE *p = popen(cmd, "r");
		size_t n = p ? fread(maps, 1, sizeof(maps) - 1, p) : 0;

		maps[n] = '\0';
		if (p)
			pclose(p);
	}
	EXPECT_EQ(nlines(maps), vmas->n);
	ASSERT_EQ(0, run(self->out, NULL, "leak -d 0.1 -a -n -r -o START %d",
			 self->pid));
	EXPECT_EQ(nlines(maps), nlines(self->out));
	/* without -a only what changed: nothing, on a child that sleeps */
	ASSERT_EQ(0, run(self->out, NULL, "leak -d 0.1 -n -r %d", self->pid));
	EXPECT_STREQ("", self->out);
	ASSERT_EQ(0, run(self->out, NULL, "leak -d 0.1 -a -r -o STATE,NAME %d",
			 self->pid));
	EXPECT_STREQ("STATE NAME", first_line(self->out, want, sizeof(want)));
}

/* The first line of the file @path, in @buf ("" if none). */
static const char *file_line(const char *path, char *buf, int len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f && !fgets(buf, len, f))
		buf[0] = '\0';
	if (f)
		fclose(f);
	return buf;
}

/* wss, --curve and heatmap on the child: RSS against status, rows against maps */
TEST_F(cli, wss_views)
{
	const struct jt *doc, *iv, *r;
	unsigned long pages, first;
	long long rss_kb;
	char hdr[256];
	int i;

	rss_kb = proc_num(self->pid, "status", "VmRSS");
	ASSERT_LT(TOUCHED * 4, rss_kb);
	ASSERT_EQ(0, run(self->out, NULL,
			 "wss --count 2 --interval 50 -J %d", self->pid));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	iv = jt_get(doc, "intervals");
	ASSERT_NE(NULL, iv);
	EXPECT_EQ(2, iv->n);
	for (i = 0; (r = jt_at(iv, i)); i++) {
		EXPECT_EQ(jt_u64(r, "wss_pages", 1) * 4096,
			  jt_u64(r, "wss_bytes", 0));
		EXPECT_GE(64, llabs((long long)jt_u64(r, "rss_pages", 0) -
				    rss_kb / 4));
		EXPECT_EQ(JT_OBJ, jt_get(r, "segments")->type);
		EXPECT_EQ(NULL, jt_get(r, "chart"));	/* a picture */
	}
	ASSERT_EQ(0, run(self->out, NULL,
			 "wss --count 2 --interval 50 -n -r -o T-MS,rss_pages %d",
			 self->pid));
	EXPECT_EQ(2, nlines(self->out));
	ASSERT_EQ(0, run(self->out, NULL,
			 "wss --count 1 --interval 50 -o WSS,RSS %d", self->pid));
	first_line(self->out, hdr, sizeof(hdr));
	squeeze(hdr);
	EXPECT_STREQ("WSS RSS", hdr);
	ASSERT_EQ(0, run(self->out, NULL,
			 "wss --count 1 --interval 50 -n -r -b -o RSS %d",
			 self->pid));
	EXPECT_GE(64 * 4096, llabs(strtoll(self->out, NULL, 10) - rss_kb * 1024));

	ASSERT_EQ(0, run(self->out, NULL,
			 "wss --curve --count 3 --interval 50 -J %d", self->pid));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(3, jt_get(doc, "curve")->n);
	for (i = 0; (r = jt_at(jt_get(doc, "curve"), i)); i++) {
		EXPECT_EQ(i + 1, jt_u64(r, "tau", 0));
		EXPECT_EQ((i + 1) * 50, jt_u64(r, "tau_ms", 0));
	}

	first = maps_first(self->pid, &pages);
	ASSERT_LT(0, pages);
	ASSERT_EQ(0, run(self->out, NULL,
			 "heatmap --count 2 --interval 50 -R 6 -J %d", self->pid));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(6, jt_get(doc, "rows")->n);
	EXPECT_EQ((pages + 5) / 6, jt_u64(doc, "pages_per_row", 0));
	r = jt_at(jt_get(doc, "rows"), 0);
	EXPECT_EQ(first, strtoul(jt_str(r, "addr"), NULL, 16));
	EXPECT_EQ(2, jt_get(r, "refs")->n);
	ASSERT_EQ(0, run(self->out, NULL,
			 "heatmap --count 2 --interval 50 -R 6 -n -r -o ADDRESS %d",
			 self->pid));
	EXPECT_EQ(6, nlines(self->out));
	EXPECT_EQ(first, strtoul(self->out, NULL, 16));

	/* trace: -w FILE (not a table; -o FILE is its deprecated name) */
	ASSERT_EQ(0, run(self->out, NULL,
			 "trace --count 2 --interval 50 -J -w /tmp/cli.trace %d",
			 self->pid));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	EXPECT_STREQ("/tmp/cli.trace", jt_str(doc, "file"));
	EXPECT_EQ(2, jt_u64(doc, "intervals", 0));
	EXPECT_STREQ("vmscope-trace 1\n",
		     file_line("/tmp/cli.trace", hdr, sizeof(hdr)));
	unlink("/tmp/cli.trace");
	EXPECT_EQ(2, run(self->out, NULL, "trace --count 1 %d", self->pid));
}

/* doctor: its JSON parses, and -o chooses the keys of each finding */
TEST_F(cli, doctor_view)
{
	const struct jt *doc, *f;
	int i;

	ASSERT_EQ(0, run(self->out, NULL, "doctor -d 0.5 -J"));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	EXPECT_LE(0.5, jt_num(doc, "duration_s", 0));
	ASSERT_EQ(JT_ARR, jt_get(doc, "findings")->type);
	for (i = 0; (f = jt_at(jt_get(doc, "findings"), i)); i++) {
		EXPECT_NE(NULL, jt_str(f, "kind"));
		EXPECT_EQ(JT_ARR, jt_get(f, "evidence")->type);
	}
	TH_LOG("%zu findings", jt_get(doc, "findings")->n);
	ASSERT_EQ(0, run(self->out, NULL, "doctor -d 0.5 -J -o kind"));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc);
	for (i = 0; (f = jt_at(jt_get(doc, "findings"), i)); i++)
		EXPECT_STREQ("kind", f->kids[0].key);
	ASSERT_EQ(0, run(self->out, NULL, "doctor -d 0.5 -n -r -o KIND"));
	EXPECT_EQ(0, lines_starting(self->out, "KIND"));
}

#define DOC_CG		"/sys/fs/cgroup/vmscope-cli-doctor"
#define DOC_MAX		(32 << 20)
#define DOC_TOUCH	(30 << 20)

/* Write @val to the cgroup file @file of DOC_CG (or of the root); 0 or -1 */
static int cg_put(const char *cg, const char *file, const char *val)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

/* memory.current of cgroup directory @cg; -1 if unreadable */
static long long cg_current(const char *cg)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/memory.current", cg);
	return read_ll(path);
}

/* The child of doctor_finds_memcg_near_max: 30 MiB in a 32 MiB cgroup */
static void memcg_child(int wfd)
{
	char *p;

	if (cg_put(DOC_CG, "cgroup.procs", "0"))
		_exit(1);
	p = mmap(NULL, DOC_TOUCH, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	memset(p, 1, DOC_TOUCH);
	if (write(wfd, "x", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/*
 * doctor with a finding to show: a memory cgroup at more than 90% of its
 * memory.max, as its own memory.current says; the table's -o, -n, -r and
 * the JSON's keys on that row.
 */
TEST_F(cli, doctor_finds_memcg_near_max)
{
	const struct jt *doc, *f, *mine = NULL, *pid0;
	char buf[64];
	long long cur;
	int pfd[2], i;
	pid_t child;

	cg_put("/sys/fs/cgroup", "cgroup.subtree_control", "+memory");
	rmdir(DOC_CG);
	if (mkdir(DOC_CG, 0755) || cg_put(DOC_CG, "memory.max", "33554432"))
		SKIP(return, "no memory cgroup v2 to put a process in");
	cg_put(DOC_CG, "memory.swap.max", "0");
	/* from here on, no ASSERT: the child and the cgroup must go */
	child = pipe(pfd) ? -1 : fork();
	EXPECT_LE(0, child);
	if (!child)
		memcg_child(pfd[1]);
	if (child > 0) {
		close(pfd[1]);
		EXPECT_EQ(1, read(pfd[0], buf, 1));
		close(pfd[0]);
	}
	/* the kernel's own view: memory.current near memory.max */
	cur = cg_current(DOC_CG);
	EXPECT_LE(DOC_MAX * 0.9, cur);

	EXPECT_EQ(0, run(self->out, NULL, "doctor -d 0.5 -J"));
	doc = jt_doc(self->out);
	EXPECT_NE(NULL, doc) TH_LOG("%s", self->out);
	for (i = 0; (f = jt_at(jt_get(doc, "findings"), i)); i++) {
		const struct jt *cg = jt_at(jt_get(f, "cgroups"), 0);

		if (!strcmp(jt_str(f, "kind"), "oom-risk") && cg &&
		    cg->type == JT_STR && !strcmp(cg->str, "/vmscope-cli-doctor"))
			mine = f;
	}
	EXPECT_NE(NULL, mine) TH_LOG("%s", self->out);
	if (mine) {
		EXPECT_STREQ("warning", jt_str(mine, "severity"));
		pid0 = jt_at(jt_get(mine, "pids"), 0);
		EXPECT_TRUE(pid0 && pid0->exact && pid0->u == (uint64_t)child);
		EXPECT_EQ(JT_NULL, jt_get(mine, "segment")->type);
	}
	/* -o: the row has that key first, the non-column keys after it */
	EXPECT_EQ(0, run(self->out, NULL, "doctor -d 0.5 -J -o kind"));
	doc = jt_doc(self->out);
	for (i = 0; (f = jt_at(jt_get(doc, "findings"), i)); i++) {
		EXPECT_STREQ("kind", f->kids[0].key);
		EXPECT_EQ(NULL, jt_get(f, "severity"));
		EXPECT_NE(NULL, jt_get(f, "evidence"));	/* not a column */
	}
	EXPECT_LT(0, i);
	/* -n -r -o: one KIND a line, no header */
	EXPECT_EQ(0, run(self->out, NULL, "doctor -d 0.5 -n -r -o KIND,PIDS"));
	snprintf(buf, sizeof(buf), "oom-risk %d", child);
	EXPECT_LE(1, lines_starting(self->out, "oom-risk")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, buf)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, lines_starting(self->out, "KIND"));
	EXPECT_EQ(0, run(self->out, NULL, "doctor -d 0.5 -o SEVERITY,KIND"));
	squeeze(self->out);
	EXPECT_NE(NULL, strstr(self->out, "SEVERITY KIND\n")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\nwarning oom-risk\n"))
		TH_LOG("%s", self->out);

	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	rmdir(DOC_CG);
}

#define CACHE_CG	"/sys/fs/cgroup/vmscope-cli-cache"
#define CACHE_FILE_MB	48

/*
 * The child of doctor_memcg_full_of_cache: reads a file of 48 MiB in a
 * 32 MiB cgroup, whose page cache then fills the cgroup to its limit.
 */
static void cache_child(int wfd, const char *path)
{
	static char buf[1 << 16];
	int fd;

	if (cg_put(CACHE_CG, "cgroup.procs", "0"))
		_exit(1);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		_exit(1);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	if (write(wfd, "x", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/*
 * A memory cgroup at its memory.max because of its page cache is no OOM
 * risk: the kernel reclaims the cache at the limit.  doctor names no
 * oom-risk for it (it did: memory.current counts the cache).
 */
TEST_F(cli, doctor_memcg_full_of_cache)
{
	const char *disk = getenv("VMSCOPE_DISK");
	static char buf[1 << 20];
	const struct jt *doc, *f;
	char path[256], val[32];
	long long cur;
	int pfd[2], fd, i;
	pid_t child;

	if (!disk)
		SKIP(return, "no ext2 disk ($VMSCOPE_DISK)");
	snprintf(path, sizeof(path), "%s/vmscope-cli-cache", disk);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	memset(buf, 'c', sizeof(buf));
	for (i = 0; i < CACHE_FILE_MB; i++)
		ASSERT_EQ((ssize_t)sizeof(buf), write(fd, buf, sizeof(buf)));
	ASSERT_EQ(0, fsync(fd));
	/* out of the cache: the child's reads charge it to its cgroup */
	ASSERT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	close(fd);
	cg_put("/sys/fs/cgroup", "cgroup.subtree_control", "+memory");
	rmdir(CACHE_CG);
	if (mkdir(CACHE_CG, 0755) || cg_put(CACHE_CG, "memory.max", "33554432")) {
		unlink(path);
		SKIP(return, "no memory cgroup v2 to put a process in");
	}
	/* from here on, no ASSERT: the child and the cgroup must go */
	child = pipe(pfd) ? -1 : fork();
	EXPECT_LE(0, child);
	if (!child)
		cache_child(pfd[1], path);
	if (child > 0) {
		close(pfd[1]);
		EXPECT_EQ(1, read(pfd[0], val, 1));
		close(pfd[0]);
	}
	/* not vacuous: the cgroup is at its limit */
	cur = cg_current(CACHE_CG);
	EXPECT_LE(DOC_MAX * 0.9, cur);

	EXPECT_EQ(0, run(self->out, NULL, "doctor -d 0.5 -J"));
	doc = jt_doc(self->out);
	EXPECT_NE(NULL, doc) TH_LOG("%s", self->out);
	for (i = 0; doc && (f = jt_at(jt_get(doc, "findings"), i)); i++) {
		const struct jt *cg = jt_at(jt_get(f, "cgroups"), 0);

		EXPECT_FALSE(!strcmp(jt_str(f, "kind"), "oom-risk") && cg &&
			     cg->type == JT_STR &&
			     !strcmp(cg->str, "/vmscope-cli-cache"))
			TH_LOG("%s", self->out);
	}
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	rmdir(CACHE_CG);
	unlink(path);
}

/* top -J: sizes in _bytes keys against meminfo and status, old keys equal */
TEST_F(cli, top_json_units)
{
	static const char *const sizes[] = {
		"rss_anon", "rss_file", "rss_shmem", "swap", "total_vm",
	};
	const struct jt *doc, *mem, *p, *me = NULL;
	char key[48], val[64];
	unsigned int k;
	int i;

	ASSERT_EQ(0, run(self->out, NULL, "top -J -n 1 -d 0.1"));
	doc = jt_doc(self->out);
	ASSERT_NE(NULL, doc) TH_LOG("%s", self->out);
	mem = jt_get(doc, "memory");
	ASSERT_EQ(0, read_key("/proc/meminfo", "MemTotal", val, sizeof(val)));
	ASSERT_LT(0, strtoll(val, NULL, 10));
	EXPECT_EQ(strtoll(val, NULL, 10) * 1024,
		  jt_u64(mem, "total_bytes", 0));
	EXPECT_EQ(jt_u64(mem, "total_bytes", 0), jt_u64(mem, "total", 1));
	for (i = 0; (p = jt_at(jt_get(doc, "processes"), i)); i++)
		if (jt_u64(p, "pid", 0) == (uint64_t)self->pid)
			me = p;
	ASSERT_NE(NULL, me);
	EXPECT_EQ(proc_num(self->pid, "status", "RssAnon") * 1024,
		  jt_u64(me, "rss_anon_bytes", 0));
	EXPECT_LE(TOUCHED * 4096, jt_u64(me, "rss_anon_bytes", 0));
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		snprintf(key, sizeof(key), "%s_bytes", sizes[k]);
		EXPECT_EQ(jt_u64(me, key, 0), jt_u64(me, sizes[k], 1))
			TH_LOG("%s", key);
	}
	EXPECT_EQ(JT_NUM, jt_get(me, "growth_bytes_per_s")->type);
	EXPECT_EQ(JT_NUM, jt_get(me, "faults_per_s")->type);
}

/* Exit statuses and write errors, the same for every view. */
TEST_F(cli, exit_status_and_write_errors)
{
	static const char *const views[] = {
		"info", "translate %d 0x10000", "walk %d 0x10000 +4K",
		"pagetable %d", "layout %d", "faults %d", "oom", "reclaim",
		"exp list", "memory", "cache --pid %d",
		"wss --count 1 --interval 50 %d",
		"heatmap --count 1 --interval 50 %d", "leak -d 0.1 %d",
		"doctor -d 0.5",
	};
	char args[128], cmd[256];
	unsigned int i;

	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		snprintf(args, sizeof(args), views[i], self->pid);
		/* usage errors: 2, before anything is read */
		snprintf(cmd, sizeof(cmd), "%s -o NO-SUCH-COLUMN", args);
		EXPECT_EQ(2, run(self->out, self->err, "%s", cmd)) TH_LOG("%s", cmd);
		EXPECT_NE(NULL, strstr(self->err, "unknown column"));
		snprintf(cmd, sizeof(cmd), "%s --no-such-option", args);
		EXPECT_EQ(2, run(self->out, NULL, "%s", cmd)) TH_LOG("%s", cmd);
		/* JSON and table to a full device: 1, with a message */
		snprintf(cmd, sizeof(cmd), "%s --json >/dev/full", args);
		EXPECT_EQ(1, run(self->out, self->err, "%s", cmd)) TH_LOG("%s", cmd);
		EXPECT_NE(NULL, strstr(self->err, "write error")) TH_LOG("%s", cmd);
		snprintf(cmd, sizeof(cmd), "%s >/dev/full", args);
		EXPECT_EQ(1, run(self->out, self->err, "%s", cmd)) TH_LOG("%s", cmd);
		/* a reader that goes away: quiet, SIGPIPE or not */
		snprintf(cmd, sizeof(cmd), "%s | head -n 1 >/dev/null", args);
		run(self->out, self->err, "%s", cmd);
		EXPECT_STREQ("", self->err) TH_LOG("%s", cmd);
		snprintf(cmd, sizeof(cmd),
			 "%s --output-all | (trap '' PIPE; head -c 1 >/dev/null)",
			 args);
		run(self->out, self->err, "%s", cmd);
		EXPECT_STREQ("", self->err) TH_LOG("%s", cmd);
	}
	/* failures: 1 */
	EXPECT_EQ(1, run(self->out, self->err, "layout 4000000"));
	EXPECT_NE(NULL, strstr(self->err, "no process"));
	/* experiments: 2 for an unknown one */
	EXPECT_EQ(2, run(self->out, NULL, "exp run no-such-experiment"));
}

TEST_HARNESS_MAIN
