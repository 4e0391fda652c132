// SPDX-License-Identifier: GPL-2.0
/*
 * Talking to /dev/vmscope with errors that say what to do, and formatting.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/**
 * write_error() - stdout could not be written: say so and exit 1
 *
 * A reader that went away (EPIPE: `vmscope layout PID | head -1` with
 * SIGPIPE ignored) ends the program quietly, as in util-linux.
 */
void write_error(void)
{
	if (errno != EPIPE)
		warn("write error");
	_exit(EXIT_FAILURE);
}

/**
 * close_stdout() - at exit: flush and close stdout, exit 1 if that failed
 *
 * Registered with atexit() (util-linux's close_stdout): output to a full
 * disk or /dev/full is an error, not a silent loss.  A reader that went
 * away (EPIPE) is not: the exit status stays what it was.
 */
void close_stdout(void)
{
	bool prev_fail = ferror(stdout), close_fail = fclose(stdout);

	if (prev_fail || close_fail) {
		if (!close_fail && errno != EPIPE)
			errno = EIO;	/* an earlier write failed */
		if (errno != EPIPE) {
			warn("write error");
			_exit(EXIT_FAILURE);
		}
	}
	if (fclose(stderr))
		_exit(EXIT_FAILURE);
}

/**
 * vmscope_open() - open /dev/vmscope or exit with advice
 *
 * Return: the file descriptor.
 */
int vmscope_open(void)
{
	int fd = open(VMSCOPE_DEVICE, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
		errx(1, "%s not found: the vmscope module is not loaded "
			"(run 'insmod module/vmscope.ko' as root, or "
			"'modprobe vmscope' after 'make install')",
		     VMSCOPE_DEVICE);
	if (errno == EACCES || errno == EPERM)
		errx(1, "%s: permission denied: vmscope is root-only by "
			"default; run as root, or have root load the module "
			"with unprivileged=1", VMSCOPE_DEVICE);
	err(1, "%s", VMSCOPE_DEVICE);
}

/**
 * vmscope_ioctl_die() - explain a failed ioctl (errno) and exit
 * @what: what was asked, for the message
 */
void vmscope_ioctl_die(const char *what)
{
	if (errno == ENOTTY)
		errx(1, "%s: the loaded vmscope module does not know this "
			"request; load the module built with this CLI", what);
	err(1, "%s", what);
}

/**
 * vmscope_ioctl() - issue an ioctl or exit with advice
 * @fd: from vmscope_open()
 * @cmd: VMSCOPE_IOC_*
 * @arg: the size-prefixed argument
 * @what: what is being asked, for messages
 */
void vmscope_ioctl(int fd, unsigned long cmd, void *arg, const char *what)
{
	if (ioctl(fd, cmd, arg))
		vmscope_ioctl_die(what);
}

/**
 * utf8_seq_len() - the length of the well-formed UTF-8 sequence at @s
 * @s: bytes, NUL-terminated
 *
 * Return: 1 to 4, or 0 if the bytes at @s are not one (a stray or missing
 * continuation byte, an overlong form, a surrogate, above U+10FFFF).
 */
size_t utf8_seq_len(const unsigned char *s)
{
	unsigned int cp, n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/**
 * text_escape() - text from the kernel or a file system, safe to print
 * @s: the text (a comm, a path, a cgroup)
 * @buf: room for the result
 * @size: its size (at least 1)
 * @space: escape spaces too (raw output, whose fields spaces separate)
 *
 * Control bytes and bytes that are not UTF-8 become \xNN, as
 * libsmartcols writes them in its tables: a process may name itself with
 * an escape sequence that would act on the terminal of whoever looks at
 * it.  Truncated, at a whole character, to fit.
 *
 * Return: @buf.
 */
const char *text_escape(const char *s, char *buf, size_t size, bool space)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t at = 0, n;

	while (*u) {
		n = utf8_seq_len(u);
		if (n == 1 && (*u < 0x20 || *u == 0x7f || (space && *u == ' ')))
			n = 0;
		if (n) {
			if (at + n >= size)
				break;
			memcpy(buf + at, u, n);
			at += n;
			u += n;
			continue;
		}
		if (at + 4 >= size)
			break;
		snprintf(buf + at, 5, "\\x%02x", *u++);
		at += 4;
	}
	buf[at] = 0;
	return buf;
}

/**
 * size_to_human() - format a byte count the way ls -h does (4.0K, 2.0M)
 * @bytes: the size
 * @buf: output buffer
 * @len: its size
 *
 * Return: @buf.
 */
const char *size_to_human(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	unsigned int u = 0;
	uint64_t whole = bytes, rem = 0;

	while (whole >= 1024 && u < sizeof(units) - 2) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%" PRIu64 "B", bytes);
	else if (whole >= 10)
		snprintf(buf, len, "%" PRIu64 "%c", whole + (rem >= 512),
			 units[u]);
	else if ((rem * 10 + 512) / 1024 == 10)	/* 9.96 rounds to 10 */
		snprintf(buf, len, "%" PRIu64 "%c", whole + 1, units[u]);
	else
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%c", whole,
			 (rem * 10 + 512) / 1024, units[u]);
	return buf;
}

/**
 * vmscope_get_info() - VMSCOPE_IOC_INFO, or exit with advice
 * @fd: from vmscope_open()
 * @info: filled in
 */
void vmscope_get_info(int fd, struct vmscope_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	vmscope_ioctl(fd, VMSCOPE_IOC_INFO, info, "VMSCOPE_IOC_INFO");
}

/**
 * vmscope_pid_ioctl() - an ioctl about one process, or exit with advice
 * @fd: from vmscope_open()
 * @cmd: VMSCOPE_IOC_*
 * @arg: the size-prefixed argument
 * @pid: the process it is about, for messages
 * @what: what is being asked, for messages
 */
void vmscope_pid_ioctl(int fd, unsigned long cmd, void *arg, uint32_t pid,
		       const char *what)
{
	if (ioctl(fd, cmd, arg) == 0)
		return;
	switch (errno) {
	case ESRCH:
		errx(1, "no process with PID %u", pid);
	case ENOENT:
		errx(1, "process %u has no user address space (a kernel "
			"thread, or a process that has exited)", pid);
	case EACCES:
		errx(1, "not allowed to inspect process %u: without "
			"CAP_SYS_ADMIN or CAP_SYS_PTRACE only your own, "
			"dumpable processes (run as root?)", pid);
	}
	vmscope_ioctl_die(what);
}

/**
 * parse_pid() - a PID from the command line, or exit
 * @s: the argument
 *
 * Return: the PID.
 */
uint32_t parse_pid(const char *s)
{
	unsigned long v;
	char *end;

	/* strtoul() would skip blanks and take a sign */
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !isdigit((unsigned char)*s) || *end || !v ||
	    v > INT32_MAX)
		errx(EXIT_USAGE, "'%s' is not a process ID", s);
	return v;
}

/**
 * parse_addr() - an address in hex (0x optional, as in /proc/PID/maps)
 * @s: the argument
 * @what: what it is, for messages
 *
 * Return: the address.
 */
uint64_t parse_addr(const char *s, const char *what)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 16);
	if (errno || !isxdigit((unsigned char)*s) || *end)
		errx(EXIT_USAGE, "%s '%s' is not a hexadecimal address", what, s);
	return v;
}

/**
 * parse_size() - a size with an optional K, M, G or T suffix (powers of 2)
 * @s: the argument
 * @what: what it is, for messages
 *
 * Return: the size in bytes.
 */
uint64_t parse_size(const char *s, const char *what)
{
	static const char suffixes[] = "KMGT";
	unsigned long long v;
	const char *p;
	char *end;

	/* decimal, or hex with 0x: a leading 0 is not octal here */
	errno = 0;
	v = strtoull(s, &end, strncasecmp(s, "0x", 2) ? 10 : 16);
	if (errno || end == s || !isdigit((unsigned char)*s))
		errx(EXIT_USAGE, "%s '%s' is not a size", what, s);
	if (*end) {
		p = strchr(suffixes, *end);
		if (!p || end[1])
			errx(EXIT_USAGE, "%s '%s': use a suffix K, M, G or T", what, s);
		if (v > (UINT64_MAX >> (10 * (p - suffixes + 1))))
			errx(EXIT_USAGE, "%s '%s' is too large", what, s);
		v <<= 10 * (p - suffixes + 1);
	}
	return v;
}

/**
 * json_option() - parse the options every command has: --json and --help
 * @argc: argument count, starting at the command name
 * @argv: arguments
 * @usage_hint: the command's name, for messages
 * @help: the command's help
 * @nargs: how many positional arguments the command takes
 *
 * Exits on --help, unknown options or a wrong argument count; on return
 * the positional arguments are argv[optind..].
 *
 * Return: whether --json was given.
 */
bool json_option(int argc, char **argv, const char *usage_hint,
		 void (*help)(FILE *out), int nargs)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "Jh", opts, NULL)) != -1) {
		switch (c) {
		case 'J':
			json = true;
			break;
		case 'h':
			help(stdout);
			exit(0);
		default:
			errx(EXIT_USAGE, "try 'vmscope %s --help'", usage_hint);
		}
	}
	if (argc - optind != nargs)
		errx(EXIT_USAGE, "%s takes %d argument%s; try 'vmscope %s --help'",
		     usage_hint, nargs, nargs == 1 ? "" : "s", usage_hint);
	return json;
}

/* The number after @key in a file such as /proc/meminfo; -1 if absent. */
long long file_key_ll(const char *path, const char *key)
{
	size_t klen = strlen(key);
	long long v = -1;
	char line[256];
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) &&
		    (line[klen] == ' ' || line[klen] == ':' ||
		     line[klen] == '\t')) {
			v = strtoll(line + klen + 1 + strspn(line + klen + 1,
							     " \t"), NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* SwapTotal of /proc/meminfo, in pages: what a module cannot read. */
uint64_t meminfo_swap_total_pages(void)
{
	long long kb = file_key_ll("/proc/meminfo", "SwapTotal");

	if (kb < 0 && access("/proc/meminfo", R_OK))
		err(1, "/proc/meminfo");
	return kb > 0 ? (uint64_t)kb * 1024 / sysconf(_SC_PAGESIZE) : 0;
}

/* The SECONDS of --watch: 0.01 to 3600. */
double parse_watch(const char *s)
{
	char *end;
	double secs = strtod(s, &end);

	if (end == s || *end || !(secs >= 0.01 && secs <= 3600))
		errx(EXIT_USAGE, "--watch takes seconds, from 0.01 to 3600");
	return secs;
}

/* CLOCK_MONOTONIC, in seconds. */
double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep @secs, resuming after signals that do not end the program. */
void sleep_secs(double secs)
{
	struct timespec ts = {
		.tv_sec = (time_t)secs,
		.tv_nsec = (long)((secs - (time_t)secs) * 1e9),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/**
 * watch_start() - begin a --watch loop of one sample every @secs
 * @w: the loop's clock
 * @secs: the interval asked for
 *
 * Call it just before the first sample.
 */
void watch_start(struct watch_clock *w, double secs)
{
	w->secs = secs;
	w->due = w->last = now_secs();
}

/**
 * watch_next() - sleep until the next sample of a --watch loop is due
 * @w: the loop's clock
 *
 * The samples are due every @w->secs from the first, so the time a
 * sample takes does not add up into drift; a loop that fell more than an
 * interval behind (stopped with ^Z, a suspended machine) starts again
 * from now.  Rates are per the time measured, not the interval asked
 * for: the sleep can be longer, and the first interval starts at the
 * first sample.
 *
 * Return: the seconds since the previous call (or watch_start()).
 */
double watch_next(struct watch_clock *w)
{
	double now = now_secs(), secs;

	w->due += w->secs;
	if (w->due < now - w->secs)
		w->due = now + w->secs;
	if (w->due > now)
		sleep_secs(w->due - now);
	now = now_secs();
	secs = now - w->last;
	w->last = now;
	return secs > 0 ? secs : w->secs;
}
