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

#include "cols.h"
#include "common.h"
#include "json.h"

enum { IC_FIELD, IC_VALUE, IC_MEANING };

static const struct col_desc info_cols[] = {
	[IC_FIELD] = { "FIELD", "field", COL_STR, 14, COL_DEFAULT,
		       "the fact (its key in JSON)" },
	[IC_VALUE] = { "VALUE", "value", COL_STR, 18, COL_DEFAULT,
		       "its value on the running kernel" },
	[IC_MEANING] = { "MEANING", "meaning", COL_STR, 0.5,
			 COL_DEFAULT | COL_WRAP, "what it means" },
};

static void info_help(FILE *out)
{
	fputs("Usage: vmscope info [options]\n"
	      "\n"
	      "Show how the running kernel lays out virtual memory: how many\n"
	      "page-table levels the MMU walks, the page size, where user space\n"
	      "ends and where the kernel half begins.\n"
	      "\n"
	      "Options:\n", out);
	cols_help_options(out);
	fputs("  -h, --help           this text\n"
	      "\n"
	      "With -n or -r only the table is printed, without the picture.\n"
	      "JSON: one object, whatever -o says (addresses as \"0x...\"\n"
	      "strings, null when hidden):\n"
	      "  release            kernel release (uname -r)\n"
	      "  abi_version        vmscope module ABI\n"
	      "  levels             page-table levels in use (4, or 5 with la57)\n"
	      "  page_size_bytes    base page size (page_size: deprecated alias)\n"
	      "  va_bits            bits of a canonical virtual address\n"
	      "  phys_bits          physical address bits of the CPU\n"
	      "  ptrs_per_table     entries in one page table\n"
	      "  task_size          end of user space (exclusive)\n"
	      "  mmap_window        end of the default mmap area\n"
	      "  kernel_start       first address of the kernel half\n"
	      "  page_offset        direct map of all physical memory (*)\n"
	      "  vmalloc_start      vmalloc and ioremap area (*)\n"
	      "  vmemmap_start      the struct page array (*)\n"
	      "(*) randomised by KASLR: shown only when the device was opened\n"
	      "    with CAP_SYS_ADMIN, 'hidden' (null in JSON) otherwise.\n",
	      out);
	cols_help_columns(out, NULL, info_cols, ARRAY_SIZE(info_cols));
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
	json_u64(&j, "page_size_bytes", 1ULL << in->page_shift);
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

static void info_row(struct cols *c, const char *field, const char *value,
		     const char *meaning)
{
	struct col_val cv[ARRAY_SIZE(info_cols)];

	cv[IC_FIELD] = CV_S(field);
	cv[IC_VALUE] = CV_S(value);
	cv[IC_MEANING] = CV_S(meaning);
	cols_row(c, cv);
}

static void info_addr_row(struct cols *c, const char *field, uint64_t addr,
			  bool shown, const char *meaning)
{
	char buf[32];

	if (shown)
		snprintf(buf, sizeof(buf), "0x%016" PRIx64, addr);
	else
		snprintf(buf, sizeof(buf), "hidden");
	info_row(c, field, buf, meaning);
}

static void info_table(const struct vmscope_info *in, struct cols *c)
{
	bool layout = in->out_flags & VMSCOPE_INFO_KERNEL_LAYOUT;
	char buf[64];

	cols_begin(c, NULL, NULL);
	info_row(c, "release", in->release, "kernel release (uname -r)");
	snprintf(buf, sizeof(buf), "%u", in->levels);
	info_row(c, "levels", buf, level_names(in->levels));
	cols_size(c->o, 1ULL << in->page_shift, buf, sizeof(buf));
	info_row(c, "page_size", buf, "the unit of mapping and of protection");
	snprintf(buf, sizeof(buf), "%u", in->va_bits);
	info_row(c, "va_bits", buf,
		 "bits the MMU translates; the rest copy the top bit");
	snprintf(buf, sizeof(buf), "%u", in->phys_bits);
	info_row(c, "phys_bits", buf, "physical address bits (MAXPHYADDR)");
	snprintf(buf, sizeof(buf), "%u", in->ptrs_per_table);
	info_row(c, "ptrs_per_table", buf,
		 "entries per table: 9 address bits per level");
	info_addr_row(c, "task_size", in->task_size, true, "end of user space");
	info_addr_row(c, "mmap_window", in->mmap_window, true,
		      "mmap() stays below this unless given a higher hint");
	info_addr_row(c, "kernel_start", in->kernel_start, true,
		      "start of the kernel half");
	info_addr_row(c, "page_offset", in->page_offset, layout,
		      "direct map of all physical memory");
	info_addr_row(c, "vmalloc_start", in->vmalloc_start, layout,
		      "vmalloc and ioremap area");
	info_addr_row(c, "vmemmap_start", in->vmemmap_start, layout,
		      "array of struct page, one per physical page");
	snprintf(buf, sizeof(buf), "%u", in->abi_version);
	info_row(c, "abi_version", buf, "vmscope module ABI");
	cols_end(c);
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
	struct cols_opts co = { .cmd = "info" };
	struct vmscope_info in;
	struct cols c;
	int fd;

	cols_options(argc, argv, &co, info_help, 0);
	cols_init(&c, info_cols, ARRAY_SIZE(info_cols), &co);
	fd = vmscope_open();
	vmscope_get_info(fd, &in);
	close(fd);

	if (co.json) {
		info_json(&in);
	} else {
		info_table(&in, &c);
		if (!co.noheadings && !co.raw)
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
