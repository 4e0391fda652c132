// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope pagetable PID: what a process's page tables cost, beside what a
 * single flat table would.
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

enum { TC_LEVEL, TC_TABLES, TC_BYTES, TC_NOTE };

static const struct col_desc pt_cols[] = {
	[TC_LEVEL] = { "LEVEL", "level", COL_STR, 9, COL_DEFAULT,
		       "PGD, P4D, PUD, PMD, PTE, or deposited" },
	[TC_TABLES] = { "TABLES", "tables", COL_U64, 6,
			COL_DEFAULT | COL_RIGHT, "tables at this level" },
	[TC_BYTES] = { "BYTES", "bytes", COL_SIZE, 5, COL_DEFAULT | COL_RIGHT,
		       "the memory they take" },
	[TC_NOTE] = { "NOTE", "note", COL_STR, 0.3, COL_DEFAULT,
		      "what one table of the level covers" },
};

static void pagetable_help(FILE *out)
{
	fputs("Usage: vmscope pagetable [options] PID\n"
	      "\n"
	      "Count the page tables of process PID at each level and what they\n"
	      "cost, the entries in them (4K pages mapped, 2M and 1G leaves, swap\n"
	      "entries), and set that beside the kernel's own count (VmPTE in\n"
	      "/proc/PID/status) and beside what one flat table for the whole\n"
	      "address space would need: the reason page tables have levels.\n"
	      "\n"
	      "Options:\n", out);
	cols_help_options(out);
	fputs("  -h, --help           this text\n"
	      "\n"
	      "With -n or -r only the table is printed.\n"
	      "JSON: {pid, levels, page_size_bytes, per_level: [one object per\n"
	      "row of the table], tables {pgd, p4d, pud, pmd, pte}, tables_bytes\n"
	      "(all tables, the deposited ones too), present_pages,\n"
	      "huge_pmd_entries, huge_pud_entries, swap_entries, other_entries,\n"
	      "deposited_tables (PTE tables kept under anonymous THPs),\n"
	      "vmpte_bytes (the kernel's count), flat_table_bytes}.\n"
	      "\n"
	      "VmPTE counts PUD, PMD and PTE tables, and the PTE tables deposited\n"
	      "under anonymous THPs for a later split; not the PGD and P4D.\n",
	      out);
	cols_help_columns(out, NULL, pt_cols, ARRAY_SIZE(pt_cols));
}

struct pt_view {
	struct vmscope_ptstats st;
	uint64_t page;		/* bytes per table */
	uint64_t bytes;		/* all tables, PGD included */
	uint64_t counted;	/* what VmPTE counts */
	uint64_t flat;		/* one flat table for the whole VA space */
	unsigned int va_bits;
};

static void pt_compute(struct pt_view *v, const struct vmscope_info *info)
{
	const struct vmscope_ptstats *st = &v->st;

	v->page = 1ULL << info->page_shift;
	v->va_bits = info->va_bits;
	v->bytes = (st->pgd + st->p4d + st->pud + st->pmd + st->pte +
		    st->deposited) * v->page;
	v->counted = (st->pud + st->pmd + st->pte + st->deposited) * v->page;
	/* 2^va_bits bytes / page size = entries, 8 bytes each */
	v->flat = (1ULL << (info->va_bits - info->page_shift)) * 8;
}

static void pt_row(struct cols *c, const char *level, uint64_t tables,
		   uint64_t page, const char *note)
{
	struct col_val cv[ARRAY_SIZE(pt_cols)];

	cv[TC_LEVEL] = CV_S(level);
	cv[TC_TABLES] = CV_U(tables);
	cv[TC_BYTES] = CV_U(tables * page);
	cv[TC_NOTE] = CV_S(note);
	cols_row(c, cv);
}

static void pt_table(const struct pt_view *v, struct cols *c,
		     struct json *j)
{
	const struct vmscope_ptstats *st = &v->st;

	cols_begin(c, j, "per_level");
	pt_row(c, "PGD", st->pgd, v->page, "one per process, CR3 points here");
	pt_row(c, "P4D", st->p4d, v->page,
	       st->levels == 5 ? "5-level paging" : "folded into the PGD");
	pt_row(c, "PUD", st->pud, v->page, "each covers 512G");
	pt_row(c, "PMD", st->pmd, v->page, "each covers 1G");
	pt_row(c, "PTE", st->pte, v->page, "each covers 2M");
	pt_row(c, "deposited", st->deposited, v->page,
	       "PTE tables kept under anonymous THPs");
	cols_end(c);
}

static void pt_json(const struct pt_view *v, struct cols *c)
{
	const struct vmscope_ptstats *st = &v->st;
	struct json j;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "pid", st->pid);
	json_u64(&j, "levels", st->levels);
	json_u64(&j, "page_size_bytes", v->page);
	pt_table(v, c, &j);
	json_open(&j, "tables", '{');
	json_u64(&j, "pgd", st->pgd);
	json_u64(&j, "p4d", st->p4d);
	json_u64(&j, "pud", st->pud);
	json_u64(&j, "pmd", st->pmd);
	json_u64(&j, "pte", st->pte);
	json_close(&j, '}');
	json_u64(&j, "tables_bytes", v->bytes);
	json_u64(&j, "present_pages", st->present);
	json_u64(&j, "huge_pmd_entries", st->huge_pmd);
	json_u64(&j, "huge_pud_entries", st->huge_pud);
	json_u64(&j, "swap_entries", st->swap_entries);
	json_u64(&j, "other_entries", st->other_entries);
	json_u64(&j, "deposited_tables", st->deposited);
	json_u64(&j, "vmpte_bytes", st->pgtables_bytes);
	json_u64(&j, "flat_table_bytes", v->flat);
	json_close(&j, '}');
}

static void pt_print(const struct pt_view *v, struct cols *cols)
{
	const struct vmscope_ptstats *st = &v->st;
	char a[16], b[16], c[16];

	if (cols->o->noheadings || cols->o->raw) {
		pt_table(v, cols, NULL);
		return;
	}
	printf("Page tables of process %u (%u-level paging)\n\n", st->pid,
	       st->levels);
	pt_table(v, cols, NULL);
	printf("\nEntries: %" PRIu64 " 4K pages mapped by PTEs, %" PRIu64
	       " 2M pages by PMDs, %" PRIu64 " 1G pages by PUDs,\n"
	       "         %" PRIu64 " swap entries, %" PRIu64 " other\n",
	       (uint64_t)st->present, (uint64_t)st->huge_pmd,
	       (uint64_t)st->huge_pud, (uint64_t)st->swap_entries,
	       (uint64_t)st->other_entries);
	printf("\nThe kernel's count, VmPTE: %s; PUD + PMD + PTE + deposited "
	       "tables: %s (%s)\n",
	       cols_size(cols->o, st->pgtables_bytes, a, sizeof(a)),
	       cols_size(cols->o, v->counted, b, sizeof(b)),
	       v->counted == st->pgtables_bytes ? "equal" :
	       "the process changed its mappings meanwhile");
	printf("\nAll tables, deposited ones too: %s.  One flat table for the %u-bit address "
	       "space would need %s\n(2^%u entries of 8 bytes); a 32-bit x86 "
	       "flat table needs 4.0M.\n",
	       cols_size(cols->o, v->bytes, a, sizeof(a)), v->va_bits,
	       cols_size(cols->o, v->flat, c, sizeof(c)), v->va_bits - 12);
}

static int pagetable_run(int argc, char **argv)
{
	struct cols_opts co = { .cmd = "pagetable" };
	struct vmscope_info info;
	struct pt_view v;
	struct cols c;
	int fd;

	cols_options(argc, argv, &co, pagetable_help, 1);
	cols_init(&c, pt_cols, ARRAY_SIZE(pt_cols), &co);
	memset(&v, 0, sizeof(v));
	v.st.size = sizeof(v.st);
	v.st.pid = parse_pid(argv[optind]);
	fd = vmscope_open();
	vmscope_get_info(fd, &info);
	vmscope_pid_ioctl(fd, VMSCOPE_IOC_PTSTATS, &v.st, v.st.pid,
			  "VMSCOPE_IOC_PTSTATS");
	close(fd);

	pt_compute(&v, &info);
	if (co.json)
		pt_json(&v, &c);
	else
		pt_print(&v, &c);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_pagetable = {
	.name = "pagetable",
	.summary = "what a process's page tables cost, level by level",
	.run = pagetable_run,
	.help = pagetable_help,
};
