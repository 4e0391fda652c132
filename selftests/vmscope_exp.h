/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running a command line from a selftest and keeping its output (sh_run),
 * `vmscope exp run NAME --json` among them, and reading an experiment's
 * record: the verdict and the measurements.
 */
#ifndef VMSCOPE_EXP_SELFTEST_H
#define VMSCOPE_EXP_SELFTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * As in vmscope.h, for the tests that do not include it: 5 minutes a test
 * rather than the harness's 30 seconds.  A test that runs the CLI dozens
 * of times (vmscope_replace_test's bad input) needs more than 30 on the
 * debug kernel under TCG.
 */
#ifdef TEST_TIMEOUT_DEFAULT
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300
#endif

#define EXP_OUT_MAX	(256 * 1024)
#define SH_OUT_MAX	(64 * 1024)

/* The CLI: $VMSCOPE_CLI, or vmscope on $PATH (the VM has /usr/bin/vmscope). */
static inline const char *exp_cli(void)
{
	const char *cli = getenv("VMSCOPE_CLI");

	return cli ? cli : "vmscope";
}

/*
 * Run a shell command line (printf-style) with sh -c; its standard output
 * goes to @out (NUL terminated, may be NULL).  Returns the exit status,
 * 128 + the signal if it was killed, or -1.
 */
static inline int __attribute__((format(printf, 3, 4)))
sh_run(char *out, size_t len, const char *fmt, ...)
{
	char cmd[2048];
	size_t n = 0;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (out && n < len - 1) {
		size_t got = fread(out + n, 1, len - 1 - n, p);

		if (!got)
			break;
		n += got;
	}
	if (out)
		out[n] = '\0';
	else
		while (fgetc(p) != EOF)
			;
	st = pclose(p);
	if (st < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * Run "vmscope exp run @name --json @args" and keep its output in @out
 * (NUL terminated).  Returns the exit status, or -1.
 */
static inline int exp_run(const char *name, const char *args, char *out,
			  size_t len)
{
	return sh_run(out, len, "%s exp run %s --json %s", exp_cli(), name,
		      args ? args : "");
}

/* The verdict of a record: "confirmed", "refuted", ... or "" */
static inline const char *exp_verdict(const char *out, char *buf, size_t len)
{
	const char *p = strstr(out, "\"verdict\": \"");

	buf[0] = '\0';
	if (p)
		sscanf(p + 12, "%31[a-z]", buf);
	(void)len;
	return buf;
}

/*
 * The reason of a record (why it was inconclusive or skipped), with JSON
 * escapes kept as they are, or "".
 */
static inline const char *exp_reason(const char *out, char *buf, size_t len)
{
	const char *p = strstr(out, "\"reason\": \"");
	size_t n = 0;

	buf[0] = '\0';
	if (!p)
		return buf;
	for (p += 11; *p && *p != '"' && n < len - 1; p++) {
		if (*p == '\\' && p[1] && n < len - 2)
			buf[n++] = *p++;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	return buf;
}

/* A measurement's value; @ok is cleared if the record has none. */
static inline double exp_value(const char *out, const char *key, int *ok)
{
	char pat[96];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": {\"value\": ", key);
	p = strstr(out, pat);
	if (!p) {
		*ok = 0;
		return 0;
	}
	return strtod(p + strlen(pat), NULL);
}

/* Whether a check whose text starts with @what held: 1, 0, or -1 absent. */
static inline int exp_check_held(const char *out, const char *what)
{
	char pat[256];
	const char *p;

	snprintf(pat, sizeof(pat), "{\"what\": \"%s", what);
	p = strstr(out, pat);
	if (!p)
		return -1;
	p = strstr(p, "\"held\": ");
	return p && !strncmp(p + 8, "true", 4);
}

/*
 * The exit status vmscope exp gives a record's verdict (vmscope(8)):
 * 0 confirmed, 3 refuted, 4 inconclusive or skipped; -1 if none.
 */
static inline int exp_verdict_status(const char *out)
{
	char v[32];

	exp_verdict(out, v, sizeof(v));
	if (!strcmp(v, "confirmed"))
		return 0;
	if (!strcmp(v, "refuted"))
		return 3;
	if (!strcmp(v, "inconclusive") || !strcmp(v, "skipped"))
		return 4;
	return -1;
}

/*
 * One of the Debian cloud kernels of the four stock configurations
 * (selftests/vmtest.sh -k 6.1|6.12), where each experiment must conclude.
 */
static inline bool stock_kernel(void)
{
	static const char sfx[] = "-cloud-amd64";
	struct utsname u;
	size_t n;

	if (uname(&u))
		return false;
	n = strlen(u.release);
	return n > strlen(sfx) && !strcmp(u.release + n - strlen(sfx), sfx);
}

/*
 * In a kselftest_harness test: run experiment @name with @args, which
 * must exit 0 and come out "confirmed" (the record is logged if not);
 * the record is left in @out.
 */
#define EXP_RUN_CONFIRMED(name, args, out, verdict)			\
	ASSERT_EQ(0, exp_run(name, args, out, sizeof(out))) {		\
		TH_LOG("%s", out);					\
	}								\
	EXPECT_STREQ("confirmed", exp_verdict(out, verdict,		\
					      sizeof(verdict))) {	\
		TH_LOG("%s", out);					\
	}

#endif
