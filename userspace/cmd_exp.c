// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope exp list | run NAME|all [--json] [KEY=VALUE...]: the experiments,
 * their records and verdicts.  The experiments are in exp_*.c.
 */
#include <err.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cols.h"
#include "common.h"
#include "exp.h"
#include "json.h"

#define MAX_EXPS	32

static const struct vmscope_exp *exps[MAX_EXPS];
static int nr_exps;

static const char *const verdict_names[] = {
	[EXP_CONFIRMED] = "confirmed",
	[EXP_REFUTED] = "refuted",
	[EXP_INCONCLUSIVE] = "inconclusive",
	[EXP_SKIPPED] = "skipped",
};

/**
 * exp_register() - add an experiment (called by EXP_REGISTER)
 * @e: the experiment
 */
void exp_register(const struct vmscope_exp *e)
{
	int i;

	if (nr_exps == MAX_EXPS)
		errx(1, "too many experiments: raise MAX_EXPS");
	for (i = nr_exps; i > 0 && exps[i - 1]->order > e->order; i--)
		exps[i] = exps[i - 1];
	exps[i] = e;
	nr_exps++;
}

static void vtext(char *buf, const char *fmt, va_list ap)
{
	vsnprintf(buf, EXP_TEXT, fmt, ap);
}

void exp_step(struct exp_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->nsteps == EXP_MAX_STEPS)
		return;
	va_start(ap, fmt);
	vtext(x->steps[x->nsteps++], fmt, ap);
	va_end(ap);
}

void exp_measure(struct exp_ctx *x, const char *key, double value,
		 const char *unit, const char *what)
{
	struct exp_measure *m;

	if (x->nmeasures == EXP_MAX_MEASURES)
		errx(1, "too many measurements: raise EXP_MAX_MEASURES");
	m = &x->m[x->nmeasures++];
	snprintf(m->key, sizeof(m->key), "%s", key);
	snprintf(m->unit, sizeof(m->unit), "%s", unit);
	snprintf(m->what, sizeof(m->what), "%s", what);
	m->value = value;
}

/* Record an expectation and whether the measurements met it. */
bool exp_expect(struct exp_ctx *x, bool held, const char *fmt, ...)
{
	struct exp_check *c;
	va_list ap;

	if (x->nchecks == EXP_MAX_CHECKS)
		errx(1, "too many checks: raise EXP_MAX_CHECKS");
	c = &x->c[x->nchecks++];
	c->held = held;
	va_start(ap, fmt);
	vtext(c->what, fmt, ap);
	va_end(ap);
	return held;
}

/* The measurements cannot decide the claim: why. */
void exp_inconclusive(struct exp_ctx *x, const char *fmt, ...)
{
	va_list ap;

	x->inconclusive = true;
	va_start(ap, fmt);
	vtext(x->reason, fmt, ap);
	va_end(ap);
}

/* The experiment cannot run here: why. */
void exp_skip(struct exp_ctx *x, const char *fmt, ...)
{
	va_list ap;

	x->skipped = true;
	va_start(ap, fmt);
	vtext(x->reason, fmt, ap);
	va_end(ap);
}

/* A KEY=VALUE option of the run, or @dflt. */
long exp_arg(struct exp_ctx *x, const char *name, long dflt)
{
	size_t len = strlen(name);
	int i;

	for (i = 0; i < x->nargs; i++)
		if (!strncmp(x->args[i], name, len) && x->args[i][len] == '=')
			return strtol(x->args[i] + len + 1, NULL, 0);
	return dflt;
}

/* Computed from the record: never written by an experiment itself. */
static enum exp_verdict verdict(const struct exp_ctx *x)
{
	int i;

	if (x->skipped)
		return EXP_SKIPPED;
	if (x->inconclusive || !x->nchecks)
		return EXP_INCONCLUSIVE;
	for (i = 0; i < x->nchecks; i++)
		if (!x->c[i].held)
			return EXP_REFUTED;
	return EXP_CONFIRMED;
}

static const char *kernel(void)
{
	static char buf[160];
	struct utsname u;

	if (!buf[0] && !uname(&u))
		snprintf(buf, sizeof(buf), "%s %s", u.release, u.machine);
	return buf;
}

/* Integral values exactly; "address" ones in hex, as the CLI shows them. */
static void print_value(double v, const char *unit)
{
	if (!strcmp(unit, "address"))
		printf("%#16llx", (unsigned long long)v);
	else if (v == floor(v))
		printf("%16.0f", v);
	else
		printf("%16.3f", v);
}

static void exp_print(const struct vmscope_exp *e, const struct exp_ctx *x)
{
	enum exp_verdict v = verdict(x);
	int i;

	printf("== %s ==\nClaim: %s\n", e->name, e->claim);
	if (x->nsteps)
		printf("\nWhat it did:\n");
	for (i = 0; i < x->nsteps; i++)
		printf("  %d. %s\n", i + 1, x->steps[i]);
	if (x->nmeasures)
		printf("\nMeasured:\n");
	for (i = 0; i < x->nmeasures; i++) {
		printf("  %-28s", x->m[i].key);
		print_value(x->m[i].value, x->m[i].unit);
		printf(" %-7s %s\n", x->m[i].unit, x->m[i].what);
	}
	if (x->nchecks)
		printf("\nExpected, if the claim holds:\n");
	for (i = 0; i < x->nchecks; i++)
		printf("  [%s] %s\n", x->c[i].held ? "held" : "FAILED",
		       x->c[i].what);
	printf("\nVerdict: %s", verdict_names[v]);
	if (v == EXP_INCONCLUSIVE || v == EXP_SKIPPED)
		printf(": %s", x->reason[0] ? x->reason : "nothing was checked");
	printf("  (on %s)\n", kernel());
	if (v != EXP_SKIPPED)
		printf("Next: %s\n", e->next);
}

static void json_value(struct json *j, const char *key, double v,
		       const char *unit)
{
	if (!strcmp(unit, "address"))
		json_hex(j, key, (uint64_t)v);
	else if (v == floor(v) && v >= 0 && v < 18446744073709551616.0)
		json_u64(j, key, (uint64_t)v);
	else if (v == floor(v) && v > -9223372036854775808.0)
		json_key_i64(j, key, (int64_t)v);
	else
		json_f64(j, key, v);
}

static void exp_json(struct json *j, const struct vmscope_exp *e,
		     const struct exp_ctx *x)
{
	enum exp_verdict v = verdict(x);
	int i;

	json_open(j, NULL, '{');
	json_str(j, "name", e->name);
	json_str(j, "claim", e->claim);
	json_str(j, "kernel", kernel());
	json_open(j, "steps", '[');
	for (i = 0; i < x->nsteps; i++)
		json_str(j, NULL, x->steps[i]);
	json_close(j, ']');
	json_open(j, "measurements", '{');
	for (i = 0; i < x->nmeasures; i++) {
		json_open_flat(j, x->m[i].key, '{');
		json_value(j, "value", x->m[i].value, x->m[i].unit);
		json_str(j, "unit", x->m[i].unit);
		json_str(j, "what", x->m[i].what);
		json_close(j, '}');
	}
	json_close(j, '}');
	json_open(j, "checks", '[');
	for (i = 0; i < x->nchecks; i++) {
		json_open_flat(j, NULL, '{');
		json_str(j, "what", x->c[i].what);
		json_bool(j, "held", x->c[i].held);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_str(j, "verdict", verdict_names[v]);
	if (v == EXP_INCONCLUSIVE || v == EXP_SKIPPED)
		json_str(j, "reason", x->reason[0] ? x->reason :
			 "nothing was checked");
	else
		json_null(j, "reason");
	json_str(j, "next", e->next);
	json_close(j, '}');
}

/* Interrupted: undo what the experiment changed, then die of the signal. */
static void exp_on_signal(int sig)
{
	exp_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void exp_needs(struct exp_ctx *x, unsigned int needs)
{
	if ((needs & EXP_NEEDS_ROOT) && geteuid())
		exp_skip(x, "needs root (it changes sysctls or cgroups)");
	else if ((needs & EXP_NEEDS_SWAP) && !exp_have_swap())
		exp_skip(x, "needs swap (none is on: see swapon(8))");
	else if ((needs & EXP_NEEDS_CGROUP) && !exp_have_memcg())
		exp_skip(x, "needs the cgroup v2 memory controller at /sys/fs/cgroup");
}

static enum exp_verdict exp_run_one(const struct vmscope_exp *e, int fd,
				    const char *const *args, int nargs,
				    struct json *j)
{
	static struct exp_ctx x;
	enum exp_verdict v;

	memset(&x, 0, sizeof(x));
	x.fd = fd;
	x.args = args;
	x.nargs = nargs;
	exp_needs(&x, e->needs);
	if (!x.skipped)
		e->run(&x);
	exp_cleanup();
	v = verdict(&x);
	if (j)
		exp_json(j, e, &x);
	else
		exp_print(e, &x);
	fflush(stdout);
	return v;
}

static const struct vmscope_exp *exp_find(const char *name)
{
	int i;

	for (i = 0; i < nr_exps; i++)
		if (!strcmp(exps[i]->name, name))
			return exps[i];
	errx(EXIT_USAGE, "no experiment '%s'; 'vmscope exp list' lists them", name);
}

enum { EC_NAME, EC_CLAIM, EC_NEEDS };

static const struct col_desc list_cols[] = {
	[EC_NAME] = { "NAME", "name", COL_STR, 16, COL_DEFAULT,
		      "the experiment, for 'exp run NAME'" },
	[EC_CLAIM] = { "CLAIM", "claim", COL_STR, 0.7, COL_DEFAULT | COL_WRAP,
		       "the claim it puts to the test" },
	[EC_NEEDS] = { "NEEDS", "needs", COL_FLAGS, 6, 0,
		       "what it needs to run: root, swap, cgroup" },
};

static void exp_help(FILE *out)
{
	fputs("Usage: vmscope exp list [options]\n"
	      "       vmscope exp run NAME|all [--json] [KEY=VALUE...]\n"
	      "\n"
	      "Put a claim about memory management to the test on this kernel:\n"
	      "the experiment runs a workload in child processes, measures it\n"
	      "through the module (VMAs, RSS, page tables, faults, vmstat), and\n"
	      "computes a verdict from what it expected and what it measured:\n"
	      "confirmed, refuted, or inconclusive (with the reason); skipped\n"
	      "when it cannot run here (root, swap or a memory cgroup missing).\n"
	      "Experiments clean up after themselves (processes, cgroups,\n"
	      "sysctls), also when interrupted.  KEY=VALUE options are listed\n"
	      "on each experiment's page in Documentation/experiments/.\n"
	      "\n"
	      "Options:\n"
	      "  -J, --json   machine-readable output (with 'all': a list)\n"
	      "  -h, --help   this text\n"
	      "\n"
	      "JSON keys: name, claim, kernel, steps, measurements (KEY: {value,\n"
	      "unit, what}), checks ({what, held}), verdict, reason, next.\n"
	      "\n"
	      "'exp list' takes the options of every table:\n", out);
	cols_help_options(out);
	fputs("\nExit status of 'exp run' (with 'all': the worst):\n"
	      "  0  confirmed\n"
	      "  1  failure (vmscope could not run the experiment)\n"
	      "  2  usage error\n"
	      "  3  refuted\n"
	      "  4  inconclusive or skipped\n", out);
	cols_help_columns(out, NULL, list_cols, ARRAY_SIZE(list_cols));
}

static const struct flag_name needs_names[] = {
	{ EXP_NEEDS_ROOT, "root", "writes sysctls or cgroups" },
	{ EXP_NEEDS_SWAP, "swap", "swap must be on" },
	{ EXP_NEEDS_CGROUP, "cgroup", "the cgroup v2 memory controller" },
	{ }
};

static int exp_list(int argc, char **argv)
{
	struct cols_opts co = { .cmd = "exp" };
	struct col_val cv[ARRAY_SIZE(list_cols)];
	struct json j;
	struct cols c;
	int i;

	optind = 0;	/* a new scan: glibc re-reads the ordering */
	cols_options(argc, argv, &co, exp_help, 0);
	cols_init(&c, list_cols, ARRAY_SIZE(list_cols), &co);
	if (co.json)
		json_init(&j, stdout);
	cols_begin(&c, &j, NULL);
	for (i = 0; i < nr_exps; i++) {
		cv[EC_NAME] = CV_S(exps[i]->name);
		cv[EC_CLAIM] = CV_S(exps[i]->claim);
		cv[EC_NEEDS] = CV_FL(exps[i]->needs, needs_names);
		cols_row(&c, cv);
	}
	cols_end(&c);
	return 0;
}

static int exp_run(const char *name, bool json, char **args, int nargs)
{
	bool all = !strcmp(name, "all"), refuted = false, unsure = false;
	struct json *j = NULL;
	enum exp_verdict v;
	int i, fd;

	if (!all)
		exp_find(name);
	signal(SIGINT, exp_on_signal);
	signal(SIGTERM, exp_on_signal);
	signal(SIGHUP, exp_on_signal);
	fd = vmscope_open();
	if (json) {
		j = malloc(sizeof(*j));
		if (!j)
			err(1, "malloc");
		json_init(j, stdout);
		if (all)
			json_open(j, NULL, '[');
	}
	for (i = 0; i < nr_exps; i++) {
		if (!all && strcmp(exps[i]->name, name))
			continue;
		if (all && !json && i)
			printf("\n");
		v = exp_run_one(exps[i], fd, (const char *const *)args, nargs,
				j);
		refuted |= v == EXP_REFUTED;
		unsure |= v == EXP_INCONCLUSIVE || v == EXP_SKIPPED;
	}
	if (j && all)
		json_close(j, ']');
	free(j);
	close(fd);
	return refuted ? EXIT_REFUTED : unsure ? EXIT_UNDECIDED : EXIT_SUCCESS;
}

/* exp run NAME|all [--json] [KEY=VALUE...], options anywhere */
static int exp_run_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool json = false;
	int c, i, n = 0;

	optind = 0;	/* a new scan: glibc re-reads the ordering */
	while ((c = getopt_long(argc, argv, "Jh", opts, NULL)) != -1) {
		switch (c) {
		case 'J':
			json = true;
			break;
		case 'h':
			exp_help(stdout);
			return 0;
		default:
			errx(EXIT_USAGE, "try 'vmscope exp --help'");
		}
	}
	if (optind == argc)
		errx(EXIT_USAGE, "exp run takes NAME or all; 'vmscope exp list' "
		     "lists the names");
	for (i = optind + 1; i < argc; i++) {
		if (!strchr(argv[i], '='))
			errx(EXIT_USAGE, "unexpected '%s': options of an "
			     "experiment are KEY=VALUE; try 'vmscope exp --help'",
			     argv[i]);
		argv[optind + 1 + n++] = argv[i];
	}
	return exp_run(argv[optind], json, argv + optind + 1, n);
}

static int exp_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			exp_help(stdout);
			return 0;
		}
		errx(EXIT_USAGE, "try 'vmscope exp --help'");
	}
	if (optind < argc && !strcmp(argv[optind], "list"))
		return exp_list(argc - optind, argv + optind);
	if (optind < argc && !strcmp(argv[optind], "run"))
		return exp_run_main(argc - optind, argv + optind);
	errx(EXIT_USAGE,
	     "exp takes 'list' or 'run NAME|all'; try 'vmscope exp --help'");
}

const struct vmscope_cmd vmscope_cmd_exp = {
	.name = "exp",
	.summary = "experiments: textbook claims tested on this kernel",
	.run = exp_main,
	.help = exp_help,
};
