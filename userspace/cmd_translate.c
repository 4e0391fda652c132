// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope translate PID ADDR: the MMU's walk for one address, level by level.
 */
#include <err.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cols.h"
#include "common.h"
#include "json.h"
#include "names.h"

enum { SC_LEVEL, SC_INDEX, SC_ENTRY, SC_TABLE, SC_FLAGS };

static const struct col_desc step_cols[] = {
	[SC_LEVEL] = { "LEVEL", "level", COL_STR, 5, COL_DEFAULT,
		       "PGD, P4D, PUD, PMD or PTE" },
	[SC_INDEX] = { "INDEX", "index", COL_U64, 5, COL_DEFAULT | COL_RIGHT,
		       "the entry's index: 9 bits of the address" },
	[SC_ENTRY] = { "ENTRY", "entry", COL_ADDR, 16, COL_DEFAULT,
		       "the raw entry" },
	[SC_TABLE] = { "TABLE", "table", COL_ADDR, 12, COL_DEFAULT,
		       "physical address of the table (root only)" },
	[SC_FLAGS] = { "FLAGS", "flags", COL_FLAGS, 0.3, COL_DEFAULT,
		       "the entry's flags" },
};

static void translate_help(FILE *out)
{
	fputs("Usage: vmscope translate [options] PID ADDR\n"
	      "\n"
	      "Walk the page tables of process PID for the virtual address ADDR\n"
	      "(hexadecimal, 0x optional, as in /proc/PID/maps), the way the MMU\n"
	      "does: PGD -> (P4D) -> PUD -> PMD -> PTE.  For each level: the index\n"
	      "taken from the address bits, the raw entry, its flags and the\n"
	      "table.  Then what the walk found: a present page (its size, PFN,\n"
	      "physical address and what the kernel knows of it), a swapped-out\n"
	      "page, a page not yet faulted in, or no mapping at all.\n"
	      "\n"
	      "Options:\n", out);
	cols_help_options(out);
	fputs("  -h, --help           this text\n"
	      "\n"
	      "-o chooses the columns of the walk, one row per level; with -n or\n"
	      "-r only those rows are printed.\n"
	      "JSON: {pid, vaddr, levels, state (present, prot-none, swapped,\n"
	      "not-present, no-vma, migration, hwpoison, device, marker), why\n"
	      "(for not-present: not-yet-faulted or prot-none-vma), walk: [one\n"
	      "object per level], page_size_bytes, pfn, paddr (null when absent\n"
	      "or hidden), swap ({type, offset} or null), page ({flags,\n"
	      "mapcount, refcount} or null), vma ({start, end, perms, name} or\n"
	      "null), pfn_hidden (true without CAP_SYS_ADMIN)}.\n"
	      "\n"
	      "PFNs, physical addresses and swap locations are shown only to\n"
	      "root (CAP_SYS_ADMIN), as in /proc/PID/pagemap.\n", out);
	cols_help_columns(out, NULL, step_cols, ARRAY_SIZE(step_cols));
}

static bool tr_has_page(const struct vmscope_translate *tr)
{
	return tr->state == VMSCOPE_STATE_PRESENT ||
	       tr->state == VMSCOPE_STATE_PROT_NONE;
}

static bool tr_hidden(const struct vmscope_translate *tr)
{
	return tr->out_flags & VMSCOPE_OUT_PFN_HIDDEN;
}

/* Lowest virtual-address bit a level's index is taken from. */
static unsigned int level_shift(uint32_t level, uint32_t levels)
{
	if (level == VMSCOPE_LEVEL_PGD)
		return levels == 5 ? 48 : 39;
	return 12 + 9 * (level - 1);
}

/* Why a page inside a VMA is not present, for the two cases a VMA tells. */
static const char *tr_why_not_present(const struct vmscope_translate *tr)
{
	if (!(tr->vma.perms & (VMSCOPE_VMA_READ | VMSCOPE_VMA_WRITE |
			       VMSCOPE_VMA_EXEC)))
		return "a PROT_NONE VMA: an access raises SIGSEGV, nothing is "
		       "ever mapped here";
	return NULL;
}

static void tr_walk(struct cols *c, struct json *j,
		    const struct vmscope_translate *tr)
{
	struct col_val cv[ARRAY_SIZE(step_cols)];
	uint32_t i;

	cols_begin(c, j, "walk");
	for (i = 0; i < tr->nr_steps; i++) {
		const struct vmscope_step *s = &tr->walk[i];

		cv[SC_LEVEL] = CV_S(level_name(s->level));
		cv[SC_INDEX] = CV_U(s->index);
		cv[SC_ENTRY] = CV_U(s->entry);
		cv[SC_TABLE] = tr_hidden(tr) ? CV_NULL : CV_U(s->table_paddr);
		cv[SC_FLAGS] = CV_FL(s->flags, pte_flag_names);
		cols_row(c, cv);
	}
	cols_end(c);
}

static void tr_json_outcome(struct json *j, const struct vmscope_translate *tr)
{
	bool page = tr_has_page(tr);

	json_u64(j, "page_size_bytes", tr->page_size);
	if (page && !tr_hidden(tr)) {
		json_hex(j, "pfn", tr->pfn);
		json_hex(j, "paddr", tr->paddr);
	} else {
		json_null(j, "pfn");
		json_null(j, "paddr");
	}
	if (tr->state == VMSCOPE_STATE_SWAPPED && !tr_hidden(tr)) {
		json_open(j, "swap", '{');
		json_u64(j, "type", tr->swap_type);
		json_hex(j, "offset", tr->swap_offset);
		json_close(j, '}');
	} else {
		json_null(j, "swap");
	}
	if (page) {
		json_open(j, "page", '{');
		json_flags(j, "flags", tr->page_flags, page_flag_names);
		json_u64(j, "mapcount", tr->mapcount);
		json_u64(j, "refcount", tr->refcount);
		json_close(j, '}');
	} else {
		json_null(j, "page");
	}
}

static void tr_json_vma(struct json *j, const struct vmscope_translate *tr)
{
	char perms[5];

	if (tr->state == VMSCOPE_STATE_NO_VMA) {
		json_null(j, "vma");
		return;
	}
	perms_to_str(tr->vma.perms, perms);
	json_open(j, "vma", '{');
	json_hex(j, "start", tr->vma.start);
	json_hex(j, "end", tr->vma.end);
	json_str(j, "perms", perms);
	json_str(j, "name", tr->vma.name);
	json_close(j, '}');
}

static void tr_json(const struct vmscope_translate *tr, struct cols *c)
{
	struct json j;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "pid", tr->pid);
	json_hex(&j, "vaddr", tr->vaddr);
	json_u64(&j, "levels", tr->levels);
	json_str(&j, "state", state_name(tr->state));
	if (tr->state == VMSCOPE_STATE_NOT_PRESENT)
		json_str(&j, "why", tr_why_not_present(tr) ? "prot-none-vma" :
			 "not-yet-faulted");
	tr_walk(c, &j, tr);
	tr_json_outcome(&j, tr);
	tr_json_vma(&j, tr);
	json_bool(&j, "pfn_hidden", tr_hidden(tr));
	json_close(&j, '}');
}

/* | PGD | PUD | PMD | PTE | offset |, with the bits and the values. */
static void tr_print_split(const struct vmscope_translate *tr)
{
	static const uint32_t lv5[] = {
		VMSCOPE_LEVEL_PGD, VMSCOPE_LEVEL_P4D, VMSCOPE_LEVEL_PUD,
		VMSCOPE_LEVEL_PMD, VMSCOPE_LEVEL_PTE,
	};
	static const uint32_t lv4[] = {
		VMSCOPE_LEVEL_PGD, VMSCOPE_LEVEL_PUD, VMSCOPE_LEVEL_PMD,
		VMSCOPE_LEVEL_PTE,
	};
	const uint32_t *lv = tr->levels == 5 ? lv5 : lv4;
	uint32_t i, n = tr->levels == 5 ? 5 : 4;
	unsigned int lo;

	printf("  ");
	for (i = 0; i < n; i++)
		printf("| %-7s", level_name(lv[i]));
	printf("| offset |\n  ");
	for (i = 0; i < n; i++) {
		lo = level_shift(lv[i], tr->levels);
		printf("| %2u..%-3u", lo + 8, lo);
	}
	printf("| 11..0  |\n  ");
	for (i = 0; i < n; i++) {
		lo = level_shift(lv[i], tr->levels);
		printf("| %-7llu", (tr->vaddr >> lo) & 511);
	}
	printf("| 0x%03llx  |\n\n", tr->vaddr & 0xfff);
}

static void tr_print_outcome(const struct vmscope_translate *tr)
{
	const char *why = tr->state == VMSCOPE_STATE_NOT_PRESENT ?
			  tr_why_not_present(tr) : NULL;
	char hb[16], flags[256];

	printf("\n  %s: %s\n", state_name(tr->state),
	       why ? why : state_meaning(tr->state));
	if (tr_has_page(tr)) {
		size_to_human(tr->page_size, hb, sizeof(hb));
		if (tr_hidden(tr))
			printf("  page:  %s, PFN and physical address hidden "
			       "(need CAP_SYS_ADMIN)\n", hb);
		else
			printf("  page:  %s, PFN 0x%llx, physical address "
			       "0x%llx\n", hb, tr->pfn, tr->paddr);
		flags_to_str(tr->page_flags, page_flag_names, flags,
			     sizeof(flags));
		printf("         %s (mapcount %u, refcount %u)\n", flags,
		       tr->mapcount, tr->refcount);
	} else if (tr->state == VMSCOPE_STATE_SWAPPED && !tr_hidden(tr)) {
		printf("  swap:  area %u, offset 0x%llx\n", tr->swap_type,
		       tr->swap_offset);
	}
}

static void tr_print(const struct vmscope_translate *tr, struct cols *c)
{
	char perms[5];

	if (c->o->noheadings || c->o->raw) {
		tr_walk(c, NULL, tr);
		return;
	}
	printf("Translating 0x%llx in process %u (%u-level paging)\n\n",
	       tr->vaddr, tr->pid, tr->levels);
	if (tr->state == VMSCOPE_STATE_NO_VMA) {
		printf("  no-vma: %s\n", state_meaning(tr->state));
		return;
	}
	tr_print_split(tr);
	if (!tr_hidden(tr) && tr->nr_steps)
		printf("CR3 -> PGD table at 0x%llx\n\n",
		       tr->walk[0].table_paddr);
	tr_walk(c, NULL, tr);
	tr_print_outcome(tr);
	perms_to_str(tr->vma.perms, perms);
	printf("  VMA:   %llx-%llx %s %s\n", tr->vma.start, tr->vma.end, perms,
	       tr->vma.name[0] ? tr->vma.name : "(anonymous)");
}

static int translate_run(int argc, char **argv)
{
	struct cols_opts co = { .cmd = "translate" };
	struct vmscope_translate tr;
	struct vmscope_info info;
	struct cols c;
	int fd;

	cols_options(argc, argv, &co, translate_help, 2);
	cols_init(&c, step_cols, ARRAY_SIZE(step_cols), &co);
	memset(&tr, 0, sizeof(tr));
	tr.size = sizeof(tr);
	tr.pid = parse_pid(argv[optind]);
	tr.vaddr = parse_addr(argv[optind + 1], "ADDR");

	fd = vmscope_open();
	vmscope_get_info(fd, &info);
	if (tr.vaddr >= info.task_size)
		errx(EXIT_USAGE, "0x%llx is not a user-space address: user space ends "
		     "at 0x%llx%s", tr.vaddr, info.task_size,
		     tr.vaddr >= info.kernel_start ? " (this is the kernel half)" :
		     " (this is the non-canonical hole)");
	vmscope_pid_ioctl(fd, VMSCOPE_IOC_TRANSLATE, &tr, tr.pid,
			  "VMSCOPE_IOC_TRANSLATE");
	close(fd);

	if (co.json)
		tr_json(&tr, &c);
	else
		tr_print(&tr, &c);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_translate = {
	.name = "translate",
	.summary = "walk the page tables for one address of a process",
	.run = translate_run,
	.help = translate_help,
};
