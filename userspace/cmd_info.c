// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope info: the running kernel's address-space facts.
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

static void info_help(FILE *out)
{
	fputs("Usage: vmscope info [--json]\n"
	      "\n"
	      "Show how the running kernel lays out virtual memory: how many\n"
	      "page-table levels the MMU walks, the page size, where user space\n"
	      "ends and where the kernel half begins.\n"
	      "\n"
	      "Options:\n"
	      "  -J, --json   machine-readable output (exact integers, addresses\n"
	      "               as \"0x...\" strings, null when hidden)\n"
	      "  -h, --help   this text\n"
	      "\n"
	      "Fields:\n"
	      "  release         kernel release (uname -r)\n"
	      "  levels          page-table levels in use (4, or 5 with la57)\n"
	      "  page_size       base page size in bytes\n"
	      "  va_bits         bits of a canonical virtual address\n"
	      "  phys_bits       physical address bits of the CPU\n"
	      "  ptrs_per_table  entries in one page table\n"
	      "  task_size       end of user space (exclusive)\n"
	      "  mmap_window     end of the default mmap area\n"
	      "  kernel_start    first address of the kernel half\n"
	      "  page_offset     direct map of all physical memory (*)\n"
	      "  vmalloc_start   vmalloc and ioremap area (*)\n"
	      "  vmemmap_start   the struct page array (*)\n"
	      "  abi_version     vmscope module ABI\n"
	      "(*) randomised by KASLR: shown only when the device was opened\n"
	      "    with CAP_SYS_ADMIN, 'hidden' (null in JSON) otherwise.\n",
	      out);
}

static const char *level_names(uint32_t levels)
{
	return levels == 5 ? "PGD -> P4D -> PUD -> PMD -> PTE" :
			     "PGD -> (P4D folded) -> PUD -> PMD -> PTE";
}

static void info_json(const struct vmscope_info *in)
{
	bool layout = in->out_flags & VMSCOPE_INFO_KERNEL_LAYOUT;
	struct json j;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_str(&j, "release", in->release);
	json_u64(&j, "abi_version", in->abi_version);
	json_u64(&j, "levels", in->levels);
	json_u64(&j, "page_size", 1ULL << in->page_shift);
	json_u64(&j, "va_bits", in->va_bits);
	json_u64(&j, "phys_bits", in->phys_bits);
	json_u64(&j, "ptrs_per_table", in->ptrs_per_table);
	json_hex(&j, "task_size", in->task_size);
	json_hex(&j, "mmap_window", in->mmap_window);
	json_hex(&j, "kernel_start", in->kernel_start);
	if (layout) {
		json_hex(&j, "page_offset", in->page_offset);
		json_hex(&j, "vmalloc_start", in->vmalloc_start);
		json_hex(&j, "vmemmap_start", in->vmemmap_start);
	} else {
		json_null(&j, "page_offset");
		json_null(&j, "vmalloc_start");
		json_null(&j, "vmemmap_start");
	}
	json_close(&j, '}');
}

static void info_row(struct libscols_table *tb, const char *field,
		     const char *value, const char *meaning)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);

	if (!ln || scols_line_set_data(ln, 0, field) ||
	    scols_line_set_data(ln, 1, value) ||
	    scols_line_set_data(ln, 2, meaning))
		err(1, "failed to add a table row");
}

static void info_addr_row(struct libscols_table *tb, const char *field,
			  uint64_t addr, bool shown, const char *meaning)
{
	char buf[32];

	if (shown)
		snprintf(buf, sizeof(buf), "0x%016" PRIx64, addr);
	else
		snprintf(buf, sizeof(buf), "hidden");
	info_row(tb, field, buf, meaning);
}

static void info_table(const struct vmscope_info *in)
{
	bool layout = in->out_flags & VMSCOPE_INFO_KERNEL_LAYOUT;
	struct libscols_table *tb = scols_new_table();
	char buf[64], hb[16];

	if (!tb || !scols_table_new_column(tb, "FIELD", 0, 0) ||
	    !scols_table_new_column(tb, "VALUE", 0, 0) ||
	    !scols_table_new_column(tb, "MEANING", 0, SCOLS_FL_WRAP))
		err(1, "failed to create a table");

	info_row(tb, "release", in->release, "kernel release (uname -r)");
	snprintf(buf, sizeof(buf), "%u", in->levels);
	info_row(tb, "levels", buf, level_names(in->levels));
	snprintf(buf, sizeof(buf), "%s",
		 size_to_human(1ULL << in->page_shift, hb, sizeof(hb)));
	info_row(tb, "page_size", buf, "the unit of mapping and of protection");
	snprintf(buf, sizeof(buf), "%u", in->va_bits);
	info_row(tb, "va_bits", buf, "bits the MMU translates; the rest copy the top bit");
	snprintf(buf, sizeof(buf), "%u", in->phys_bits);
	info_row(tb, "phys_bits", buf, "physical address bits (MAXPHYADDR)");
	snprintf(buf, sizeof(buf), "%u", in->ptrs_per_table);
	info_row(tb, "ptrs_per_table", buf, "entries per table: 9 address bits per level");
	info_addr_row(tb, "task_size", in->task_size, true, "end of user space");
	info_addr_row(tb, "mmap_window", in->mmap_window, true,
		      "mmap() stays below this unless given a higher hint");
	info_addr_row(tb, "kernel_start", in->kernel_start, true,
		      "start of the kernel half");
	info_addr_row(tb, "page_offset", in->page_offset, layout,
		      "direct map of all physical memory");
	info_addr_row(tb, "vmalloc_start", in->vmalloc_start, layout,
		      "vmalloc and ioremap area");
	info_addr_row(tb, "vmemmap_start", in->vmemmap_start, layout,
		      "array of struct page, one per physical page");
	snprintf(buf, sizeof(buf), "%u", in->abi_version);
	info_row(tb, "abi_version", buf, "vmscope module ABI");

	scols_print_table(tb);
	scols_unref_table(tb);
}

/* The textbook picture: user half, non-canonical hole, kernel half. */
static void info_picture(const struct vmscope_info *in)
{
	uint64_t half = 1ULL << (in->va_bits - 1);
	char hb[16];

	size_to_human(half, hb, sizeof(hb));
	printf("\nThe %u-bit virtual address space (%u-level paging):\n\n",
	       in->va_bits, in->levels);
	printf("  0xffffffffffffffff +------------------------+\n");
	printf("                     | kernel space (%5s)   |\n", hb);
	printf("  0x%016llx +------------------------+\n", in->kernel_start);
	printf("                     | non-canonical hole:    |\n");
	printf("                     | any access faults      |\n");
	printf("  0x%016llx +------------------------+\n", in->task_size);
	printf("                     | user space (%5s)     |\n", hb);
	printf("  0x0000000000000000 +------------------------+\n");
	if (in->mmap_window != in->task_size)
		printf("\n  mmap() places mappings below 0x%llx unless asked\n"
		       "  for a higher address.\n",
		       in->mmap_window);
}

static int info_run(int argc, char **argv)
{
	bool json = json_option(argc, argv, "info", info_help, 0);
	struct vmscope_info in;
	int fd;

	fd = vmscope_open();
	vmscope_get_info(fd, &in);
	close(fd);

	if (json) {
		info_json(&in);
	} else {
		info_table(&in);
		info_picture(&in);
	}
	return 0;
}

const struct vmscope_cmd vmscope_cmd_info = {
	.name = "info",
	.summary = "paging levels, page size and the user/kernel split",
	.run = info_run,
	.help = info_help,
};
