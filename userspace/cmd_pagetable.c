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

#include <libsmartcols.h>

#include "common.h"
#include "json.h"

static void pagetable_help(FILE *out)
{
	fputs("Usage: vmscope pagetable [--json] PID\n"
	      "\n"
	      "Count the page tables of process PID at each level and what they\n"
	      "cost, the entries in them (4K pages mapped, 2M and 1G leaves, swap\n"
	      "entries), and set that beside the kernel's own count (VmPTE in\n"
	      "/proc/PID/status) and beside what one flat table for the whole\n"
	      "address space would need: the reason page tables have levels.\n"
	      "\n"
	      "Options:\n"
	      "  -J, --json   machine-readable output\n"
	      "  -h, --help   this text\n"
	      "\n"
	      "JSON keys: pid, levels, page_size, tables {pgd, p4d, pud, pmd, pte},\n"
	      "bytes (all tables, the deposited ones too), present, huge_pmd,\n"
	      "huge_pud, swap_entries,\n"
	      "other_entries, deposited (PTE tables kept under anonymous THPs),\n"
	      "vmpte_bytes (the kernel's count), flat_table_bytes.\n"
	      "\n"
	      "VmPTE counts PUD, PMD and PTE tables, and the PTE tables deposited\n"
	      "under anonymous THPs for a later split; not the PGD and P4D.\n", out);
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

static void pt_json(const struct pt_view *v)
{
	const struct vmscope_ptstats *st = &v->st;
	struct json j;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "pid", st->pid);
	json_u64(&j, "levels", st->levels);
	json_u64(&j, "page_size", v->page);
	json_open(&j, "tables", '{');
	json_u64(&j, "pgd", st->pgd);
	json_u64(&j, "p4d", st->p4d);
	json_u64(&j, "pud", st->pud);
	json_u64(&j, "pmd", st->pmd);
	json_u64(&j, "pte", st->pte);
	json_close(&j, '}');
	json_u64(&j, "bytes", v->bytes);
	json_u64(&j, "present", st->present);
	json_u64(&j, "huge_pmd", st->huge_pmd);
	json_u64(&j, "huge_pud", st->huge_pud);
	json_u64(&j, "swap_entries", st->swap_entries);
	json_u64(&j, "other_entries", st->other_entries);
	json_u64(&j, "deposited", st->deposited);
	json_u64(&j, "vmpte_bytes", st->pgtables_bytes);
	json_u64(&j, "flat_table_bytes", v->flat);
	json_close(&j, '}');
}

static void pt_row(struct libscols_table *tb, const char *level,
		   uint64_t tables, uint64_t page, const char *note)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	char buf[32], hb[16];

	if (!ln)
		err(1, "failed to add a table row");
	scols_line_set_data(ln, 0, level);
	snprintf(buf, sizeof(buf), "%" PRIu64, tables);
	scols_line_set_data(ln, 1, buf);
	scols_line_set_data(ln, 2, size_to_human(tables * page, hb,
						 sizeof(hb)));
	scols_line_set_data(ln, 3, note);
}

static void pt_table(const struct pt_view *v)
{
	const struct vmscope_ptstats *st = &v->st;
	struct libscols_table *tb = scols_new_table();

	if (!tb || !scols_table_new_column(tb, "LEVEL", 0, 0) ||
	    !scols_table_new_column(tb, "TABLES", 0, SCOLS_FL_RIGHT) ||
	    !scols_table_new_column(tb, "BYTES", 0, SCOLS_FL_RIGHT) ||
	    !scols_table_new_column(tb, "NOTE", 0, 0))
		err(1, "failed to create a table");
	pt_row(tb, "PGD", st->pgd, v->page, "one per process, CR3 points here");
	pt_row(tb, "P4D", st->p4d, v->page,
	       st->levels == 5 ? "5-level paging" : "folded into the PGD");
	pt_row(tb, "PUD", st->pud, v->page, "each covers 512G");
	pt_row(tb, "PMD", st->pmd, v->page, "each covers 1G");
	pt_row(tb, "PTE", st->pte, v->page, "each covers 2M");
	pt_row(tb, "deposited", st->deposited, v->page,
	       "PTE tables kept under anonymous THPs");
	scols_print_table(tb);
	scols_unref_table(tb);
}

static void pt_print(const struct pt_view *v)
{
	const struct vmscope_ptstats *st = &v->st;
	char a[16], b[16], c[16];

	printf("Page tables of process %u (%u-level paging)\n\n", st->pid,
	       st->levels);
	pt_table(v);
	printf("\nEntries: %" PRIu64 " 4K pages mapped by PTEs, %" PRIu64
	       " 2M pages by PMDs, %" PRIu64 " 1G pages by PUDs,\n"
	       "         %" PRIu64 " swap entries, %" PRIu64 " other\n",
	       (uint64_t)st->present, (uint64_t)st->huge_pmd,
	       (uint64_t)st->huge_pud, (uint64_t)st->swap_entries,
	       (uint64_t)st->other_entries);
	printf("\nThe kernel's count, VmPTE: %s; PUD + PMD + PTE + deposited "
	       "tables: %s (%s)\n",
	       size_to_human(st->pgtables_bytes, a, sizeof(a)),
	       size_to_human(v->counted, b, sizeof(b)),
	       v->counted == st->pgtables_bytes ? "equal" :
	       "the process changed its mappings meanwhile");
	printf("\nAll tables, deposited ones too: %s.  One flat table for the %u-bit address "
	       "space would need %s\n(2^%u entries of 8 bytes); a 32-bit x86 "
	       "flat table needs 4.0M.\n",
	       size_to_human(v->bytes, a, sizeof(a)), v->va_bits,
	       size_to_human(v->flat, c, sizeof(c)), v->va_bits - 12);
}

static int pagetable_run(int argc, char **argv)
{
	bool json = json_option(argc, argv, "pagetable", pagetable_help, 1);
	struct vmscope_info info;
	struct pt_view v;
	int fd;

	memset(&v, 0, sizeof(v));
	v.st.size = sizeof(v.st);
	v.st.pid = parse_pid(argv[optind]);
	fd = vmscope_open();
	vmscope_get_info(fd, &info);
	vmscope_pid_ioctl(fd, VMSCOPE_IOC_PTSTATS, &v.st, v.st.pid,
			  "VMSCOPE_IOC_PTSTATS");
	close(fd);

	pt_compute(&v, &info);
	if (json)
		pt_json(&v);
	else
		pt_print(&v);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_pagetable = {
	.name = "pagetable",
	.summary = "what a process's page tables cost, level by level",
	.run = pagetable_run,
	.help = pagetable_help,
};
