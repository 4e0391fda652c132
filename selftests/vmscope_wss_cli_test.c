// SPDX-License-Identifier: GPL-2.0
/*
 * The CLI over the sampler: `vmscope wss --json` (and with --no-aging)
 * parsed with the selftests' JSON parser (json_tree.h, not strstr),
 * checked against a child that keeps reading a known set of pages and
 * against /proc/PID/status; `vmscope trace -o FILE` read back by the
 * rules of Documentation/trace-format.md.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "json_tree.h"
#include "vmscope.h"
#include "vmscope_exp.h"

#define PAGE		4096UL
#define HOT		100	/* pages the child keeps reading */

static char out[EXP_OUT_MAX];

/* Run a shell command line, keep its output. */
static int run(const char *cmd)
{
	size_t n = 0;
	FILE *p = popen(cmd, "r");
	int st;

	if (!p)
		return -1;
	while (n < sizeof(out) - 1) {
		size_t got = fread(out + n, 1, sizeof(out) - 1 - n, p);

		if (!got)
			break;
		n += got;
	}
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * DAMON_STAT (on by default in Debian's 7.2) clears Accessed bits of the
 * pages it samples, through the rmap and with no TLB flush: a hot page it
 * clears is missed for the rest of an interval (Documentation/abi.md,
 * "Other consumers of the Accessed bit").  Paused while a test samples,
 * as vmscope_wss_test does.
 */
#define DAMON_STAT_ENABLED "/sys/module/damon_stat/parameters/enabled"
static bool damon_stat_paused;

static void damon_stat_pause(void)
{
	char val[8] = "";
	FILE *f = fopen(DAMON_STAT_ENABLED, "re");

	if (!f)
		return;
	if (fgets(val, sizeof(val), f) && val[0] == 'Y' &&
	    !write_file(DAMON_STAT_ENABLED, "N"))
		damon_stat_paused = true;
	fclose(f);
}

static void damon_stat_resume(void)
{
	if (damon_stat_paused && !write_file(DAMON_STAT_ENABLED, "Y"))
		damon_stat_paused = false;
}

FIXTURE(cli)
{
	pid_t child;
	char *hot;
};

FIXTURE_SETUP(cli)
{
	if (access(VMSCOPE_DEVICE, F_OK))
		SKIP(return, "vmscope module not loaded");
	self->hot = mmap(NULL, HOT * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->hot);
	memset(self->hot, 1, HOT * PAGE);
	damon_stat_pause();
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		volatile char *v = self->hot;
		uint64_t k, sum = 0;

		for (;;)
			for (k = 0; k < HOT; k++)
				sum += v[k * PAGE];
	}
}

FIXTURE_TEARDOWN(cli)
{
	damon_stat_resume();
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
}

/*
 * `vmscope wss --json --interval 100 --count 3 [@opt] PID`: three
 * intervals, each with the hot pages and a few of the loop's own, RSS as
 * status' VmRSS, segments summing to the working set; "aging" says
 * whether the references went to the kernel's aging.
 */
static void wss_json(struct __test_metadata *_metadata, pid_t child,
		     const char *opt, bool aging)
{
	const struct jt *iv, *seg, *ag;
	char cmd[256], status[64], val[64] = "0";
	long long rss_kb;
	struct jt *root;
	size_t i, k;

	snprintf(cmd, sizeof(cmd), "%s wss --json --interval 100 --count 3 %s %d",
		 exp_cli(), opt, child);
	ASSERT_EQ(0, run(cmd)) TH_LOG("%s", out);
	root = jt_doc(out);
	ASSERT_NE(NULL, root) TH_LOG("not JSON: %s", out);
	EXPECT_EQ(child, jt_u64(root, "pid", 0));
	EXPECT_EQ(100, jt_u64(root, "interval_ms", 0));
	ag = jt_get(root, "aging");
	ASSERT_NE(NULL, ag);
	ASSERT_EQ(JT_BOOL, ag->type);
	EXPECT_EQ(aging, ag->b);
	iv = jt_get(root, "intervals");
	ASSERT_NE(NULL, iv);
	ASSERT_EQ(JT_ARR, iv->type);
	ASSERT_EQ(3, iv->n);
	snprintf(status, sizeof(status), "/proc/%d/status", child);
	ASSERT_EQ(0, read_key(status, "VmRSS", val, sizeof(val)));
	rss_kb = atoll(val);
	for (i = 0; i < iv->n; i++) {
		const struct jt *e = jt_at(iv, i);
		uint64_t sum = 0, wss = jt_u64(e, "wss_pages", 0);

		/* the hot pages, and a few of the loop's own (code, stack) */
		EXPECT_LE(HOT, wss);
		EXPECT_GE(HOT + 20, wss);
		EXPECT_NE(NULL, jt_get(e, "written_pages"));
		EXPECT_NE(NULL, jt_get(e, "t_ms"));
		/* RSS as the kernel counts it (before 6.2: 64 faults of lag) */
		EXPECT_GE(64, llabs((long long)jt_u64(e, "rss_pages", 0) -
				    rss_kb / 4));
		seg = jt_get(e, "segments");
		ASSERT_NE(NULL, seg);
		ASSERT_EQ(JT_OBJ, seg->type);
		for (k = 0; k < seg->n; k++) {
			ASSERT_TRUE(seg->kids[k].type == JT_NUM &&
				    seg->kids[k].exact);
			sum += seg->kids[k].u;
		}
		EXPECT_EQ(wss, sum);
		EXPECT_LE(HOT, jt_u64(seg, "mmap-anon", 0));
	}
	jt_free(root);
	free(root);
}

TEST_F(cli, wss_json)
{
	wss_json(_metadata, self->child, "", true);
}

/* The same working set without handing references to the aging. */
TEST_F(cli, wss_json_no_aging)
{
	wss_json(_metadata, self->child, "--no-aging", false);
}

/* Every hot page in every interval of the trace, by the format's rules. */
TEST_F(cli, trace_file)
{
	char cmd[256], line[4096], *tok, *save;
	uint64_t first = (uintptr_t)self->hot / PAGE;
	int intervals = -1, hot_seen[8] = { 0 }, lineno = 0, aging = 0;
	long last_t = -1;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s trace --interval 100 --count 3 -o /tmp/wss-cli.trace %d 2>&1",
		 exp_cli(), self->child);
	ASSERT_EQ(0, run(cmd)) TH_LOG("%s", out);
	f = fopen("/tmp/wss-cli.trace", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (lineno == 1) {
			ASSERT_STREQ("vmscope-trace 1", line);
			continue;
		}
		if (line[0] == '#' || !line[0])
			continue;
		if (!strncmp(line, "t ", 2)) {
			ASSERT_LE(last_t, atol(line + 2));
			last_t = atol(line + 2);
			intervals++;
			ASSERT_GT(8, intervals);
			continue;
		}
		if (intervals < 0) {	/* a header line */
			aging += !strcmp(line, "aging yes");
			continue;
		}
		for (tok = strtok_r(line, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			char *end;
			uint64_t vpn = strtoull(tok, &end, 16);

			ASSERT_TRUE(!*end || !strcmp(end, "w")) TH_LOG("%s", tok);
			if (vpn >= first && vpn < first + HOT)
				hot_seen[intervals]++;
		}
	}
	fclose(f);
	unlink("/tmp/wss-cli.trace");
	ASSERT_EQ(2, intervals);
	for (lineno = 0; lineno <= intervals; lineno++)
		EXPECT_EQ(HOT, hot_seen[lineno]);
	EXPECT_EQ(1, aging);
	/* the header says how it was recorded */
	snprintf(cmd, sizeof(cmd), "%s trace --no-aging --count 1 -w - %d | grep -cx 'aging no'",
		 exp_cli(), self->child);
	ASSERT_EQ(0, run(cmd)) TH_LOG("%s", out);
	EXPECT_EQ(1, atoi(out));
}

TEST_HARNESS_MAIN
