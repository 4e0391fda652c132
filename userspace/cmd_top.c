// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope top: a live view of memory, swap, pressure, reclaim and faults,
 * and of the processes that hold memory, with the OOM killer's next victim
 * marked.  Full screen with ANSI escape sequences and termios (no curses),
 * or batch (-b) and JSON lines (--json) for scripts and logs.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "json.h"
#include "triage.h"

#define TOP_MAX_COLS	512
#define TOP_MAX_ROWS	256

enum top_col {
	COL_PID, COL_USER, COL_RSS, COL_ANON, COL_FILE, COL_SHMEM, COL_SWAP,
	COL_GROW, COL_FLT, COL_OOM, COL_COMM, NR_COLS
};

/* The process table: one description per column. */
static const struct top_coldesc {
	const char *name;
	int width;		/* negative: left-aligned */
	char key;		/* sorts by it */
	const char *help;
} top_cols[NR_COLS] = {
	[COL_PID]   = { "PID",    6,   'p', "process ID" },
	[COL_USER]  = { "USER",  -8,   'u', "owner" },
	[COL_RSS]   = { "RSS",    6,   'r', "resident: ANON + FILE + SHMEM" },
	[COL_ANON]  = { "ANON",   6,   'a', "resident anonymous memory (RssAnon)" },
	[COL_FILE]  = { "FILE",   6,   'f', "resident file pages (RssFile)" },
	[COL_SHMEM] = { "SHMEM",  5,   'm', "resident shared memory (RssShmem)" },
	[COL_SWAP]  = { "SWAP",   6,   's', "swapped out (VmSwap)" },
	[COL_GROW]  = { "GROW/s", 7,   'g', "change of RSS + SWAP per second" },
	[COL_FLT]   = { "FLT/s",  6,   't', "page faults (minor + major) per second" },
	[COL_OOM]   = { "OOM",    4,   'o', "oom_score; * marks the OOM killer's next victim" },
	[COL_COMM]  = { "COMMAND", -16, 'c', "command name" },
};

struct top_row {
	const struct tri_proc *p;
	double grow, flt;
	char user[32];
};

struct top_opts {
	bool batch, json;
	long count;		/* refreshes; 0: until q */
	double delay;
};

/* What the screen shows: one sample, the one before, the sort order. */
struct top_view {
	const struct tri_snap *cur, *prev;
	struct top_row *rows;
	uint32_t nr_rows;
	enum top_col sort;
	bool help;
	double delay;
};

static void top_help(FILE *out)
{
	int i;

	fputs("Usage: vmscope top [-b] [-n COUNT] [-d SECONDS] [--json]\n"
	      "\n"
	      "A live view of memory: used, buff/cache, free and available\n"
	      "memory as a bar, swap and swap in/out, PSI memory pressure,\n"
	      "reclaim (kswapd and direct scan and steal, allocation stalls)\n"
	      "and page faults per second; then the processes by resident\n"
	      "memory, with the OOM killer's next victim marked '*'.\n"
	      "Figures come from /proc/meminfo, /proc/pressure/memory and the\n"
	      "module (vmstat counters, OOM ranking, each process's mm and\n"
	      "fault counters).  Needs root.\n"
	      "\n"
	      "Options:\n"
	      "  -b, --batch          plain text frames on stdout, as top -b\n"
	      "  -n, --iterations N   stop after N refreshes (1 to 1000000)\n"
	      "  -d, --delay SECONDS  refresh interval, 0.1 to 3600 (default 1)\n"
	      "  -J, --json           one JSON object a line per refresh\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "Keys: q quit; h or ? help; a sort key below sorts by its column;\n"
	      "< and > move the sort column; any key redraws.\n"
	      "\n"
	      "Columns (sort key):\n", out);
	for (i = 0; i < NR_COLS; i++)
		fprintf(out, "  %-8s (%c) %s\n", top_cols[i].name,
			top_cols[i].key, top_cols[i].help);
	fputs("\n"
	      "Rates are over the interval before each refresh; the first\n"
	      "screen of the full-screen view has none yet ('-').  Batch and\n"
	      "JSON frames each come after one interval.\n"
	      "\n"
	      "JSON keys: time, interval_s, memory {total_bytes, used_bytes,\n"
	      "buff_cache_bytes, free_bytes, available_bytes, shmem_bytes,\n"
	      "swap_total_bytes, swap_used_bytes}, counters {pgfault, pgmajfault,\n"
	      "pswpin, pswpout, pgscan_kswapd, pgscan_direct, pgsteal_kswapd,\n"
	      "pgsteal_direct, allocstall}, rates (the same keys, per second),\n"
	      "psi {some_avg10, some_avg60, full_avg10, full_avg60 (percent),\n"
	      "some_total_us, full_total_us} or null, victim (PID or null),\n"
	      "processes [{pid, uid, user, comm, rss_anon_bytes, rss_file_bytes,\n"
	      "rss_shmem_bytes, swap_bytes, total_vm_bytes, min_flt, maj_flt,\n"
	      "growth_bytes_per_s, faults_per_s, oom_score, oom_score_adj,\n"
	      "victim}].  Deprecated, for one release: the same keys without\n"
	      "_bytes (bytes), some_total, full_total, growth_bps, faults_ps.\n"
	      "Not a column table: -b and -n mean what they mean to top(1).\n"
	      "\n"
	      "Exit status: 0 ok (q, or COUNT refreshes done); 1 failure (no\n"
	      "module, not root, standard output closed or not writable);\n"
	      "2 usage error (a full screen needs a terminal: use -b).  On\n"
	      "SIGINT, SIGTERM or SIGHUP the terminal is restored and vmscope\n"
	      "ends by that signal (status 128 + its number in a shell).\n",
	      out);
}

/* ---- rows and sorting ---- */

static uint64_t mem_of(const struct tri_proc *p)
{
	return p->rss_anon + p->rss_file + p->rss_shmem + p->swap;
}

static enum top_col sort_col;

static int cmp_num(double a, double b)
{
	return a < b ? 1 : a > b ? -1 : 0;	/* largest first */
}

static int row_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	const struct tri_proc *p = x->p, *q = y->p;
	int c = 0;

	switch (sort_col) {
	case COL_PID:
		break;
	case COL_USER:
		c = strcmp(x->user, y->user);
		break;
	case COL_COMM:
		c = strcmp(p->comm, q->comm);
		break;
	case COL_RSS:
		c = cmp_num(p->rss_anon + p->rss_file + p->rss_shmem,
			    q->rss_anon + q->rss_file + q->rss_shmem);
		break;
	case COL_ANON:
		c = cmp_num(p->rss_anon, q->rss_anon);
		break;
	case COL_FILE:
		c = cmp_num(p->rss_file, q->rss_file);
		break;
	case COL_SHMEM:
		c = cmp_num(p->rss_shmem, q->rss_shmem);
		break;
	case COL_SWAP:
		c = cmp_num(p->swap, q->swap);
		break;
	case COL_GROW:
		c = cmp_num(x->grow, y->grow);
		break;
	case COL_FLT:
		c = cmp_num(x->flt, y->flt);
		break;
	case COL_OOM:
		c = cmp_num(p->points, q->points);
		break;
	case NR_COLS:
		break;
	}
	return c ? c : (int)p->pid - (int)q->pid;
}

/* The table's rows, with rates against the previous sample, sorted. */
static void top_rows(struct top_view *v)
{
	uint32_t i;

	free(v->rows);
	v->rows = calloc(v->cur->nr_procs ? v->cur->nr_procs : 1,
			 sizeof(*v->rows));
	if (!v->rows)
		err(1, "cannot allocate the process table");
	for (i = 0; i < v->cur->nr_procs; i++) {
		const struct tri_proc *p = &v->cur->procs[i], *o = NULL;
		struct top_row *r = &v->rows[i];

		r->p = p;
		tri_user(p->uid, r->user, sizeof(r->user));
		if (v->prev)
			o = tri_find(v->prev, p->pid);
		/* over its own interval: reading every process takes time */
		if (o && p->t > o->t) {
			double dt = p->t - o->t;

			r->grow = ((double)mem_of(p) - (double)mem_of(o)) / dt;
			r->flt = (double)(p->min_flt + p->maj_flt -
					  o->min_flt - o->maj_flt) / dt;
		}
	}
	v->nr_rows = v->cur->nr_procs;
	sort_col = v->sort;
	qsort(v->rows, v->nr_rows, sizeof(*v->rows), row_cmp);
}

/* ---- text ---- */

/* A rate for a person: 1234 -> "1234", 12345678 -> "12M", negative kept. */
static const char *rate_str(double r, bool have, char *buf, size_t len)
{
	const char *sign = r < 0 ? "-" : "";
	double a = r < 0 ? -r : r;

	if (!have)
		snprintf(buf, len, "-");
	else if (a < 10)
		snprintf(buf, len, "%s%.1f", sign, a);
	else if (a < 100000)
		snprintf(buf, len, "%s%.0f", sign, a);
	else if (a < 1e8)
		snprintf(buf, len, "%s%.0fK", sign, a / 1e3);
	else
		snprintf(buf, len, "%s%.0fM", sign, a / 1e6);
	return buf;
}

static const char *grow_str(double bps, bool have, char *buf, size_t len)
{
	char h[16];

	if (!have) {
		snprintf(buf, len, "-");
	} else if (bps > -1 && bps < 1) {
		snprintf(buf, len, "0");
	} else {
		size_to_human((uint64_t)(bps < 0 ? -bps : bps), h, sizeof(h));
		snprintf(buf, len, "%s%s", bps < 0 ? "-" : "+", h);
	}
	return buf;
}

static const char *hz(uint64_t b, char *buf)
{
	return size_to_human(b, buf, 16);
}

struct top_out {
	char (*lines)[TOP_MAX_COLS + 1];
	int max, n, cols;
	FILE *f;		/* batch: print here instead */
};

static void __attribute__((format(printf, 2, 3)))
emit(struct top_out *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (n = strlen(line); n && line[n - 1] == ' '; n--)
		line[n - 1] = '\0';
	if (o->f) {
		fprintf(o->f, "%s\n", line);
		return;
	}
	if (o->n >= o->max)
		return;
	snprintf(o->lines[o->n++], TOP_MAX_COLS + 1, "%.*s", o->cols, line);
}

/*
 * RAM over @width characters: used '#', free '.', and between them '~'
 * what is neither: the cache the kernel can give back (MemAvailable -
 * MemFree), which used (MemTotal - MemAvailable) leaves out.
 */
static void mem_bar(const struct tri_sys *s, int width, char *buf)
{
	uint64_t used = tri_mem_used(s), rest;
	int u, c, i;

	if (width < 1 || !s->mem_total) {
		buf[0] = '\0';
		return;
	}
	rest = s->mem_total > used + s->mem_free ?
	       s->mem_total - used - s->mem_free : 0;
	u = (int)((double)used / s->mem_total * width + 0.5);
	c = (int)((double)rest / s->mem_total * width + 0.5);
	if (u > width)
		u = width;
	if (u + c > width)
		c = width - u;
	for (i = 0; i < width; i++)
		buf[i] = i < u ? '#' : i < u + c ? '~' : '.';
	buf[width] = '\0';
}

static void top_header(const struct top_view *v, struct top_out *o)
{
	const struct tri_sys *s = &v->cur->sys, *p = v->prev ?
				  &v->prev->sys : NULL;
	char a[16], b[16], c[16], d[16], e[16], bar[TOP_MAX_COLS + 1];
	char r1[16], r2[16], r3[16], r4[16], r5[16], comm[64];
	const struct tri_proc *vic = tri_find(v->cur, v->cur->victim);
	time_t now = time(NULL);
	char clock[16];
	int w;

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	emit(o, "vmscope top  %s  every %gs  %u processes  sort %s  "
	     "OOM victim %u (%s)", clock, v->delay, v->cur->nr_procs,
	     top_cols[v->sort].name, v->cur->victim,
	     vic ? text_escape(vic->comm, comm, sizeof(comm), false) : "-");
	emit(o, "Mem   total %s  used %s  buff/cache %s  free %s  avail %s",
	     hz(s->mem_total, a), hz(tri_mem_used(s), b),
	     hz(tri_buff_cache(s), c),
	     hz(s->mem_free, d), hz(s->mem_available, e));
	w = (o->f ? 72 : o->cols) - 8;
	mem_bar(s, w > TOP_MAX_COLS ? TOP_MAX_COLS : w, bar);
	emit(o, "      [%s]", bar);
	emit(o, "Swap  total %s  used %s  in %s  out %s pg/s  "
	     "PSI some %.2f full %.2f", hz(s->swap_total, a),
	     hz(s->swap_total - s->swap_free, b),
	     rate_str(p ? tri_rate(p, s, VMSCOPE_STAT_PSWPIN) : 0, p, r1, 16),
	     rate_str(p ? tri_rate(p, s, VMSCOPE_STAT_PSWPOUT) : 0, p, r2, 16),
	     s->psi.some_avg10, s->psi.full_avg10);
	emit(o, "Reclaim pg/s  kswapd scan %s steal %s  direct scan %s "
	     "steal %s  stalls %s",
	     rate_str(p ? tri_rate(p, s, VMSCOPE_STAT_PGSCAN_KSWAPD) : 0, p, r1, 16),
	     rate_str(p ? tri_rate(p, s, VMSCOPE_STAT_PGSTEAL_KSWAPD) : 0, p, r2, 16),
	     rate_str(p ? tri_rate(p, s, VMSCOPE_STAT_PGSCAN_DIRECT) : 0, p, r3, 16),
	     rate_str(p ? tri_rate(p, s, VMSCOPE_STAT_PGSTEAL_DIRECT) : 0, p, r4, 16),
	     rate_str(p ? (tri_allocstall(s) - tri_allocstall(p)) /
		      (s->t - p->t) : 0, p, r5, 16));
	emit(o, "Faults/s  minor %s  major %s",
	     rate_str(p ? tri_rate(p, s, VMSCOPE_STAT_PGFAULT) -
		      tri_rate(p, s, VMSCOPE_STAT_PGMAJFAULT) : 0, p, r1, 16),
	     rate_str(p ? tri_rate(p, s, VMSCOPE_STAT_PGMAJFAULT) : 0, p,
		      r2, 16));
	emit(o, "%s", "");
}

static int col_printf(char *buf, size_t len, enum top_col c, const char *s)
{
	int w = top_cols[c].width;

	return snprintf(buf, len, "%*.*s ", w, w < 0 ? -w : w, s);
}

static void top_table(const struct top_view *v, struct top_out *o, int max)
{
	char line[TOP_MAX_COLS + 64], cell[32], *at;
	bool have = v->prev != NULL;
	uint32_t i;
	int c;

	at = line;
	for (c = 0; c < NR_COLS; c++) {
		at += snprintf(at, 32, "%s", c == COL_OOM ? " " : "");
		at += col_printf(at, 32, c, top_cols[c].name);
	}
	emit(o, "%s", line);
	for (i = 0; i < v->nr_rows && (int)i < max; i++) {
		const struct top_row *r = &v->rows[i];
		const struct tri_proc *p = r->p;

		at = line;
		snprintf(cell, sizeof(cell), "%u", p->pid);
		at += col_printf(at, 32, COL_PID, cell);
		at += col_printf(at, 32, COL_USER, r->user);
		at += col_printf(at, 32, COL_RSS, hz(p->rss_anon + p->rss_file +
						     p->rss_shmem, cell));
		at += col_printf(at, 32, COL_ANON, hz(p->rss_anon, cell));
		at += col_printf(at, 32, COL_FILE, hz(p->rss_file, cell));
		at += col_printf(at, 32, COL_SHMEM, hz(p->rss_shmem, cell));
		at += col_printf(at, 32, COL_SWAP, hz(p->swap, cell));
		at += col_printf(at, 32, COL_GROW,
				 grow_str(r->grow, have, cell, sizeof(cell)));
		at += col_printf(at, 32, COL_FLT,
				 rate_str(r->flt, have, cell, sizeof(cell)));
		*at++ = p->pid == v->cur->victim ? '*' : ' ';
		snprintf(cell, sizeof(cell), "%u", p->oom_score);
		at += col_printf(at, 32, COL_OOM, cell);
		/* a process names itself: no escape sequence of its own */
		text_escape(p->comm, at, 4 * sizeof(p->comm) + 1, false);
		emit(o, "%s", line);
	}
}

static void top_keys_help(struct top_out *o)
{
	int i;

	emit(o, "Keys: q quit, h/? this help (any key leaves it), < > move "
	     "the sort column.");
	emit(o, "Sort by a column with its key:");
	for (i = 0; i < NR_COLS; i++)
		emit(o, "  %c  %-8s %s", top_cols[i].key, top_cols[i].name,
		     top_cols[i].help);
	emit(o, "Bar: '#' used (total - available), '~' cache the kernel can "
	     "give back, '.' free.  Rates are over the last interval.");
}

/* ---- JSON lines ---- */

static void json_counters(struct json *j, const char *key,
			  const struct tri_sys *s, const struct tri_sys *p)
{
	static const struct { const char *name; enum vmscope_stat i; } c[] = {
		{ "pgfault", VMSCOPE_STAT_PGFAULT },
		{ "pgmajfault", VMSCOPE_STAT_PGMAJFAULT },
		{ "pswpin", VMSCOPE_STAT_PSWPIN },
		{ "pswpout", VMSCOPE_STAT_PSWPOUT },
		{ "pgscan_kswapd", VMSCOPE_STAT_PGSCAN_KSWAPD },
		{ "pgscan_direct", VMSCOPE_STAT_PGSCAN_DIRECT },
		{ "pgsteal_kswapd", VMSCOPE_STAT_PGSTEAL_KSWAPD },
		{ "pgsteal_direct", VMSCOPE_STAT_PGSTEAL_DIRECT },
	};
	size_t i;

	json_open(j, key, '{');
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (p)
			json_f64(j, c[i].name, tri_rate(p, s, c[i].i));
		else
			json_u64(j, c[i].name, tri_stat(s, c[i].i));
	}
	if (p)
		json_f64(j, "allocstall", (tri_allocstall(s) -
					   tri_allocstall(p)) / (s->t - p->t));
	else
		json_u64(j, "allocstall", tri_allocstall(s));
	json_close(j, '}');
}

/* KEY_bytes, and KEY as vmscope 0.1 wrote it (bytes too), for a release */
static void json_size(struct json *j, const char *key, uint64_t bytes)
{
	char k[48];

	snprintf(k, sizeof(k), "%s_bytes", key);
	json_u64(j, k, bytes);
	json_u64(j, key, bytes);
}

static void top_json(const struct top_view *v)
{
	const struct tri_sys *s = &v->cur->sys;
	struct json j;
	uint32_t i;

	json_init(&j, stdout);
	json_open_flat(&j, NULL, '{');
	json_u64(&j, "time", (uint64_t)time(NULL));
	json_f64(&j, "interval_s", v->prev ? s->t - v->prev->sys.t : 0);
	json_open(&j, "memory", '{');
	json_size(&j, "total", s->mem_total);
	json_size(&j, "used", tri_mem_used(s));
	json_size(&j, "buff_cache", tri_buff_cache(s));
	json_size(&j, "free", s->mem_free);
	json_size(&j, "available", s->mem_available);
	json_size(&j, "shmem", s->shmem);
	json_size(&j, "swap_total", s->swap_total);
	json_size(&j, "swap_used", s->swap_total - s->swap_free);
	json_close(&j, '}');
	json_counters(&j, "counters", s, NULL);
	if (v->prev)
		json_counters(&j, "rates", s, &v->prev->sys);
	else
		json_null(&j, "rates");
	if (s->psi.valid) {
		json_open(&j, "psi", '{');
		json_f64(&j, "some_avg10", s->psi.some_avg10);
		json_f64(&j, "some_avg60", s->psi.some_avg60);
		json_f64(&j, "full_avg10", s->psi.full_avg10);
		json_f64(&j, "full_avg60", s->psi.full_avg60);
		json_u64(&j, "some_total_us", s->psi.some_total);
		json_u64(&j, "full_total_us", s->psi.full_total);
		json_u64(&j, "some_total", s->psi.some_total);
		json_u64(&j, "full_total", s->psi.full_total);
		json_close(&j, '}');
	} else {
		json_null(&j, "psi");
	}
	if (v->cur->victim)
		json_u64(&j, "victim", v->cur->victim);
	else
		json_null(&j, "victim");
	json_open(&j, "processes", '[');
	for (i = 0; i < v->nr_rows; i++) {
		const struct top_row *r = &v->rows[i];
		const struct tri_proc *p = r->p;

		json_open(&j, NULL, '{');
		json_u64(&j, "pid", p->pid);
		json_u64(&j, "uid", p->uid);
		json_str(&j, "user", r->user);
		json_str(&j, "comm", p->comm);
		json_size(&j, "rss_anon", p->rss_anon);
		json_size(&j, "rss_file", p->rss_file);
		json_size(&j, "rss_shmem", p->rss_shmem);
		json_size(&j, "swap", p->swap);
		json_size(&j, "total_vm", p->total_vm);
		json_u64(&j, "min_flt", p->min_flt);
		json_u64(&j, "maj_flt", p->maj_flt);
		json_f64(&j, "growth_bytes_per_s", r->grow);
		json_f64(&j, "faults_per_s", r->flt);
		json_f64(&j, "growth_bps", r->grow);
		json_f64(&j, "faults_ps", r->flt);
		json_u64(&j, "oom_score", p->oom_score);
		json_key_i64(&j, "oom_score_adj", p->oom_score_adj);
		json_bool(&j, "victim", p->pid == v->cur->victim);
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_close(&j, '}');
}

/* ---- the terminal ---- */

static struct termios saved_tio;
static bool tty_raw;
static volatile sig_atomic_t got_signal, got_winch;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void on_winch(int sig)
{
	(void)sig;
	got_winch = 1;
}

static void write_all(const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(STDOUT_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

/* Back to the screen and modes the user had: also at exit and on errors. */
static void term_restore(void)
{
	static const char leave[] = "\033[?25h\033[?1049l";

	if (!tty_raw)
		return;
	write_all(leave, sizeof(leave) - 1);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	tty_raw = false;
}

static void term_setup(void)
{
	static const char enter[] = "\033[?1049h\033[?25l\033[H\033[2J";
	struct sigaction sa = { .sa_handler = on_signal };
	struct termios tio;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		errx(2, "the full-screen view needs a terminal; for scripts "
		     "and logs use -b (batch) or --json");
	if (tcgetattr(STDIN_FILENO, &saved_tio))
		err(1, "tcgetattr");
	/* no SA_RESTART: a signal wakes poll() at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	tio = saved_tio;
	tio.c_lflag &= ~(ICANON | ECHO);
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &tio))
		err(1, "tcsetattr");
	tty_raw = true;
	atexit(term_restore);
	write_all(enter, sizeof(enter) - 1);
}

static void term_size(int *rows, int *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
	if (*rows > TOP_MAX_ROWS)
		*rows = TOP_MAX_ROWS;
	if (*cols > TOP_MAX_COLS)
		*cols = TOP_MAX_COLS;
}

/* Draw the whole screen at once: every line rewritten, then cleared. */
static void top_draw(const struct top_view *v)
{
	static char lines[TOP_MAX_ROWS][TOP_MAX_COLS + 1];
	static char buf[TOP_MAX_ROWS * (TOP_MAX_COLS + 16) + 64];
	struct top_out o = { .lines = lines, .cols = 0 };
	int rows, cols, i, len = 0, table_at = -1;

	term_size(&rows, &cols);
	o.cols = cols;
	o.max = rows - 1;	/* the last line is the key line */
	if (rows < 10 || cols < 40) {
		emit(&o, "vmscope top: the terminal is %dx%d; make it at "
		     "least 40x10 (q quits)", cols, rows);
	} else {
		top_header(v, &o);
		if (v->help) {
			top_keys_help(&o);
		} else {
			table_at = o.n;	/* its header in reverse video */
			top_table(v, &o, rows - 1 - o.n - 1);
		}
	}
	len += snprintf(buf + len, sizeof(buf) - len, "\033[H");
	for (i = 0; i < o.n; i++) {
		bool rev = i == table_at;

		len += snprintf(buf + len, sizeof(buf) - len, "%s%s%s\033[K\r\n",
				rev ? "\033[7m" : "", lines[i],
				rev ? "\033[m" : "");
	}
	len += snprintf(buf + len, sizeof(buf) - len, "\033[J\033[%d;1H"
			"\033[7m%.*s\033[m\033[K", rows, cols,
			"q quit  h help  sort: p u r a f m s g t o c  < > column");
	write_all(buf, len);
}

static void top_key(struct top_view *v, char k, bool *quit)
{
	int i;

	if (v->help) {		/* any key leaves the help */
		v->help = false;
		if (k != 'q')
			return;
	}
	if (k == 'q') {
		*quit = true;
	} else if (k == 'h' || k == '?') {
		v->help = true;
	} else if (k == '<' && v->sort > 0) {
		v->sort--;
	} else if (k == '>' && v->sort < NR_COLS - 1) {
		v->sort++;
	} else {
		for (i = 0; i < NR_COLS; i++)
			if (top_cols[i].key == k)
				v->sort = i;
	}
}

/* Wait until @deadline for keys; false when it is time to quit. */
static bool top_wait(struct top_view *v, double deadline)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	bool quit = false;
	double left;
	char keys[64];
	ssize_t n, i;

	while (!got_signal && !quit && (left = deadline - now_secs()) > 0) {
		if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0) {
			if (errno != EINTR)
				err(1, "poll");
		}
		if (got_winch) {
			got_winch = 0;
			top_draw(v);
		}
		if (!(pfd.revents & POLLIN))
			continue;
		n = read(STDIN_FILENO, keys, sizeof(keys));
		if (n <= 0) {
			quit = true;	/* the terminal went away */
			break;
		}
		for (i = 0; i < n && !quit; i++)
			top_key(v, keys[i], &quit);
		top_rows(v);
		top_draw(v);
	}
	return !quit && !got_signal;
}

/* ---- the loop ---- */

static void top_batch_frame(const struct top_view *v)
{
	struct top_out o = { .f = stdout };

	top_header(v, &o);
	top_table(v, &o, (int)v->nr_rows);
	printf("\n");
}

static int top_loop(int fd, const struct top_opts *op)
{
	struct tri_snap snaps[2] = { 0 };
	struct top_view v = { .sort = COL_RSS, .delay = op->delay };
	bool screen = !op->batch && !op->json;
	long done = 0;
	int cur = 0;

	if (screen)
		term_setup();
	tri_snap_take(fd, &snaps[cur], NULL, 0);
	if (screen) {
		v.cur = &snaps[cur];
		top_rows(&v);
		top_draw(&v);
	}
	while (!got_signal && (!op->count || done < op->count)) {
		double deadline = snaps[cur].sys.t + op->delay;

		if (screen) {
			if (!top_wait(&v, deadline))
				break;
		} else {
			sleep_secs(deadline - now_secs() > 0 ?
				  deadline - now_secs() : 0);
		}
		cur ^= 1;
		tri_snap_free(&snaps[cur]);
		tri_snap_take(fd, &snaps[cur], NULL, 0);
		v.cur = &snaps[cur];
		v.prev = &snaps[cur ^ 1];
		top_rows(&v);
		if (op->json || op->batch) {
			if (op->json)
				top_json(&v);
			else
				top_batch_frame(&v);
			if (fflush(stdout))	/* a reader gone: say so, stop */
				exit(1);
		} else {
			top_draw(&v);
		}
		done++;
	}
	term_restore();
	tri_snap_free(&snaps[0]);
	tri_snap_free(&snaps[1]);
	free(v.rows);
	if (got_signal) {
		signal(got_signal, SIG_DFL);
		raise(got_signal);
	}
	return 0;
}

static int top_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct top_opts op = { .delay = 1 };
	char *end;
	int c, fd;

	while ((c = getopt_long(argc, argv, "bn:d:Jh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			op.batch = true;
			break;
		case 'n':
			errno = 0;
			op.count = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || op.count < 1 ||
			    op.count > 1000000)
				errx(2, "-n '%s': give a count from 1 to 1000000",
				     optarg);
			break;
		case 'd':
			op.delay = tri_parse_seconds(optarg, "-d", 0.1, 3600);
			break;
		case 'J':
			op.json = true;
			break;
		case 'h':
			top_help(stdout);
			return 0;
		default:
			errx(2, "try 'vmscope top --help'");
		}
	}
	if (optind != argc)
		errx(2, "top takes no arguments; try 'vmscope top --help'");
	if (op.batch || op.json)
		tri_close_stdout();
	fd = vmscope_open();
	top_loop(fd, &op);
	close(fd);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_top = {
	.name = "top",
	.summary = "live view: memory, swap, pressure, reclaim, processes",
	.run = top_run,
	.help = top_help,
};
