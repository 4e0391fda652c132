/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the triage selftests (vmscope top, doctor, leak, export and
 * their experiments): run the CLI through sh, read its JSON with jq (a
 * real parser), and read the kernel's own figures from /proc.
 */
#ifndef VMSCOPE_TRIAGE_SELFTEST_H
#define VMSCOPE_TRIAGE_SELFTEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmscope_exp.h"

/* Whether a program is on $PATH. */
static inline int have_prog(const char *name)
{
	return sh_run(NULL, 0, "command -v %s >/dev/null 2>&1", name) == 0;
}

/*
 * Evaluate the jq filter @filter (which must yield numbers, or true/false,
 * one per output line) on the JSON file @file, into @v[0..n-1].
 * Returns how many values were read, or -1.
 */
static inline int jq_nums(const char *file, const char *filter, double *v,
			  int n)
{
	static char out[SH_OUT_MAX];
	char *line, *save = NULL;
	int i = 0;

	if (sh_run(out, sizeof(out), "jq -r '%s' %s", filter, file))
		return -1;
	for (line = strtok_r(out, "\n", &save); line && i < n;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "true"))
			v[i++] = 1;
		else if (!strcmp(line, "false") || !strcmp(line, "null"))
			v[i++] = 0;
		else
			v[i++] = strtod(line, NULL);
	}
	return i;
}

/* The same, for a string: the first line of the output in @buf. */
static inline int jq_str(const char *file, const char *filter, char *buf,
			 size_t len)
{
	int ret = sh_run(buf, len, "jq -r '%s' %s", filter, file);

	buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

/* A "Key:   N kB" line of /proc/meminfo or /proc/PID/status, in bytes. */
static inline long long proc_kb(const char *path, const char *key)
{
	size_t klen = strlen(key);
	long long v = -1;
	char line[256];
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoll(line + klen + 1, NULL, 10) * 1024;
			break;
		}
	fclose(f);
	return v;
}

static inline long long status_bytes(pid_t pid, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	return proc_kb(path, key);
}

/* Field @field (1-based) of /proc/PID/stat: 10 minflt, 12 majflt. */
static inline long long stat_field(pid_t pid, int field)
{
	char path[64], buf[1024], *p;
	long long v = -1;
	int i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	p = strrchr(buf, ')');	/* past the command name */
	for (i = 2; p && i < field; i++)
		p = strchr(p + 1, ' ');
	if (p)
		v = strtoll(p + 1, NULL, 10);
	return v;
}

/* The "some" or "full" total of /proc/pressure/memory; -1 without PSI. */
static inline long long psi_total(const char *kind)
{
	char line[256], k[8];
	unsigned long long t;
	double a, b, c;
	long long v = -1;
	FILE *f = fopen("/proc/pressure/memory", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%7s avg10=%lf avg60=%lf avg300=%lf total=%llu",
			   k, &a, &b, &c, &t) == 5 && !strcmp(k, kind))
			v = t;
	fclose(f);
	return v;
}

/* A size as the CLI prints it for people (ls -h: 4.0K, 16M). */
static inline const char *human(unsigned long long bytes, char *buf,
				size_t len)
{
	static const char units[] = "BKMGTPE";
	unsigned long long whole = bytes, rem = 0;
	unsigned int u = 0;

	while (whole >= 1024 && u < sizeof(units) - 2) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%lluB", bytes);
	else if (whole >= 10)
		snprintf(buf, len, "%llu%c", whole + (rem >= 512), units[u]);
	else if ((rem * 10 + 512) / 1024 == 10)
		snprintf(buf, len, "%llu%c", whole + 1, units[u]);
	else
		snprintf(buf, len, "%llu.%llu%c", whole, (rem * 10 + 512) / 1024,
			 units[u]);
	return buf;
}

#endif
