// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope: see a live kernel's virtual memory.
 */
#define _GNU_SOURCE
#include <err.h>
#include <locale.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

static const struct vmscope_cmd *const cmds[] = {
	&vmscope_cmd_info,
	&vmscope_cmd_translate,
	&vmscope_cmd_walk,
	&vmscope_cmd_pagetable,
	&vmscope_cmd_layout,
	&vmscope_cmd_faults,
	&vmscope_cmd_oom,
	&vmscope_cmd_reclaim,
	&vmscope_cmd_memory,
	&vmscope_cmd_cache,
	&vmscope_cmd_wss,
	&vmscope_cmd_heatmap,
	&vmscope_cmd_trace,
	&vmscope_cmd_exp,
	&vmscope_cmd_top,
	&vmscope_cmd_doctor,
	&vmscope_cmd_leak,
	&vmscope_cmd_export,
	&vmscope_cmd_replace,
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *out)
{
	size_t i;

	fputs("Usage: vmscope COMMAND [OPTIONS] [ARGS]\n"
	      "\n"
	      "Make virtual memory visible on the running kernel, through the\n"
	      "vmscope module (" VMSCOPE_DEVICE ", " VMSCOPE_PROC_DIR ").\n"
	      "\n"
	      "Commands:\n", out);
	for (i = 0; i < NR_CMDS; i++)
		fprintf(out, "  %-10s %s\n", cmds[i]->name, cmds[i]->summary);
	fputs("  help CMD   the options and output columns of CMD\n"
	      "\n"
	      "Every command takes -J/--json and -h/--help; every table also\n"
	      "-o/--output LIST, --output-all, -n/--noheadings, -r/--raw and\n"
	      "-b/--bytes.  Exit status: 0 success, 1 failure, 2 usage error\n"
	      "('vmscope exp run': 3 refuted, 4 inconclusive or skipped).\n"
	      "The module must be loaded; by default only root may use it.\n"
	      "See vmscope(8).\n",
	      out);
}

static const struct vmscope_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NR_CMDS; i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i];
	errx(EXIT_USAGE, "unknown command '%s'; try 'vmscope --help'", name);
}

int main(int argc, char **argv)
{
	const struct vmscope_cmd *cmd;

	atexit(close_stdout);
	/*
	 * The character set only (tables print UTF-8 text, and escape it in
	 * an ASCII locale, as lsblk does); numbers keep the C locale's '.',
	 * which JSON needs.
	 */
	setlocale(LC_CTYPE, "");
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("vmscope ABI %d\n", VMSCOPE_ABI_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		find_cmd(argv[2])->help(stdout);
		return 0;
	}
	cmd = find_cmd(argv[1]);
	/* getopt's messages name the program by argv[0]: "vmscope CMD" */
	if (asprintf(&argv[1], "vmscope %s", cmd->name) < 0)
		err(EXIT_FAILURE, "out of memory");
	return cmd->run(argc - 1, argv + 1);
}
