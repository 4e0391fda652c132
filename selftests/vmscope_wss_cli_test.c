// SPDX-License-Identifier: GPL-2.0
/*
 * The CLI over the sampler: `vmscope wss --json` parsed with a JSON
 * parser (a small recursive-descent one below, not strstr), checked
 * against a child that keeps reading a known set of pages and against
 * /proc/PID/status; `vmscope trace -o FILE` read back by the rules of
 * Documentation/trace-format.md.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"
#include "vmscope_exp.h"

#define PAGE		4096UL
#define HOT		100	/* pages the child keeps reading */
#define MAXN		4096

/* A parsed JSON value: objects and arrays keep their children in order. */
struct jv {
	char type;		/* '{', '[', 'n' number, 's' string, 'l' literal */
	char key[64];		/* its key inside an object */
	double num;
	int nkids;
	struct jv *kids[64];
};

static struct jv pool[MAXN];
static int npool;

static void skip_ws(const char **p)
{
	while (isspace((unsigned char)**p))
		(*p)++;
}

static int parse_string(const char **p, char *out, size_t len)
{
	size_t n = 0;

	if (**p != '"')
		return -1;
	for ((*p)++; **p && **p != '"'; (*p)++) {
		if (**p == '\\' && !*++(*p))
			return -1;
		if (n + 1 < len)
			out[n++] = **p;
	}
	if (**p != '"')
		return -1;
	(*p)++;
	out[n] = 0;
	return 0;
}

static struct jv *parse_value(const char **p);

/* The members of an object or the elements of an array. */
static struct jv *parse_container(const char **p, char open, char close)
{
	struct jv *v = &pool[npool++];

	v->type = open;
	(*p)++;
	skip_ws(p);
	if (**p == close) {
		(*p)++;
		return v;
	}
	for (;;) {
		char key[64] = "";
		struct jv *kid;

		skip_ws(p);
		if (open == '{') {
			if (parse_string(p, key, sizeof(key)))
				return NULL;
			skip_ws(p);
			if (*(*p)++ != ':')
				return NULL;
		}
		kid = parse_value(p);
		if (!kid || v->nkids == 64)
			return NULL;
		strcpy(kid->key, key);
		v->kids[v->nkids++] = kid;
		skip_ws(p);
		if (**p == ',') {
			(*p)++;
			continue;
		}
		if (*(*p)++ != close)
			return NULL;
		return v;
	}
}

static struct jv *parse_value(const char **p)
{
	struct jv *v;
	char *end;

	skip_ws(p);
	if (npool >= MAXN)
		return NULL;
	if (**p == '{')
		return parse_container(p, '{', '}');
	if (**p == '[')
		return parse_container(p, '[', ']');
	v = &pool[npool++];
	memset(v, 0, sizeof(*v));
	if (**p == '"') {
		v->type = 's';
		return parse_string(p, v->key, sizeof(v->key)) ? NULL : v;
	}
	if (!strncmp(*p, "true", 4) || !strncmp(*p, "null", 4)) {
		v->type = 'l';
		*p += 4;
		return v;
	}
	if (!strncmp(*p, "false", 5)) {
		v->type = 'l';
		*p += 5;
		return v;
	}
	v->type = 'n';
	v->num = strtod(*p, &end);
	if (end == *p)
		return NULL;
	*p = end;
	return v;
}

/* The whole text is one value, or NULL. */
static struct jv *json_parse(const char *text)
{
	struct jv *v;

	npool = 0;
	memset(pool, 0, sizeof(pool));
	v = parse_value(&text);
	skip_ws(&text);
	return v && !*text ? v : NULL;
}

static struct jv *get(const struct jv *o, const char *key)
{
	int i;

	for (i = 0; o && o->type == '{' && i < o->nkids; i++)
		if (!strcmp(o->kids[i]->key, key))
			return o->kids[i];
	return NULL;
}

static double num(const struct jv *o, const char *key)
{
	const struct jv *v = get(o, key);

	return v && v->type == 'n' ? v->num : -1;
}

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

TEST_F(cli, wss_json)
{
	struct jv *root, *iv, *seg;
	char cmd[256], status[64], val[64] = "0";
	long long rss_kb;
	int i, k;

	snprintf(cmd, sizeof(cmd), "%s wss --json --interval 100 --count 3 %d",
		 exp_cli(), self->child);
	ASSERT_EQ(0, run(cmd)) TH_LOG("%s", out);
	root = json_parse(out);
	ASSERT_NE(NULL, root) TH_LOG("not JSON: %s", out);
	EXPECT_EQ(self->child, num(root, "pid"));
	EXPECT_EQ(100, num(root, "interval_ms"));
	iv = get(root, "intervals");
	ASSERT_NE(NULL, iv);
	ASSERT_EQ('[', iv->type);
	ASSERT_EQ(3, iv->nkids);
	snprintf(status, sizeof(status), "/proc/%d/status", self->child);
	ASSERT_EQ(0, read_key(status, "VmRSS", val, sizeof(val)));
	rss_kb = atoll(val);
	for (i = 0; i < iv->nkids; i++) {
		struct jv *e = iv->kids[i];
		double sum = 0, wss = num(e, "wss_pages");

		/* the hot pages, and a few of the loop's own (code, stack) */
		EXPECT_LE(HOT, wss);
		EXPECT_GE(HOT + 20, wss);
		EXPECT_LE(0, num(e, "written_pages"));
		EXPECT_LE(0, num(e, "t_ms"));
		/* RSS as the kernel counts it (before 6.2: 64 faults of lag) */
		EXPECT_GE(64, llabs((long long)num(e, "rss_pages") - rss_kb / 4));
		seg = get(e, "segments");
		ASSERT_NE(NULL, seg);
		ASSERT_EQ('{', seg->type);
		for (k = 0; k < seg->nkids; k++)
			sum += seg->kids[k]->num;
		EXPECT_EQ(wss, sum);
		EXPECT_LE(HOT, num(seg, "mmap-anon"));
	}
}

/* Every hot page in every interval of the trace, by the format's rules. */
TEST_F(cli, trace_file)
{
	char cmd[256], line[4096], *tok, *save;
	uint64_t first = (uintptr_t)self->hot / PAGE;
	int intervals = -1, hot_seen[8] = { 0 }, lineno = 0;
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
		if (intervals < 0)	/* a header line */
			continue;
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
}

TEST_HARNESS_MAIN
