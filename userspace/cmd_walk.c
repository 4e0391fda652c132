// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope walk PID START END: every page of a range, as ranges of like pages.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cols.h"
#include "common.h"
#include "json.h"
#include "names.h"

#define WALK_BUF_PAGES	65536

/* What makes two neighbouring pages "alike". */
#define RANGE_PTE_FLAGS	(VMSCOPE_PTE_RW | VMSCOPE_PTE_USER | \
			 VMSCOPE_PTE_NX | VMSCOPE_PTE_PROTNONE | \
			 VMSCOPE_PTE_HUGE)
#define RANGE_PAGE_FLAGS (VMSCOPE_PAGE_ANON | VMSCOPE_PAGE_FILE | \
			  VMSCOPE_PAGE_SHMEM | VMSCOPE_PAGE_ZERO | \
			  VMSCOPE_PAGE_THP | VMSCOPE_PAGE_HUGETLB)

enum {
	WC_START, WC_END, WC_SIZE, WC_PAGES, WC_STATE, WC_LEVEL, WC_FLAGS,
	WC_KIND,
};

static const struct col_desc range_cols[] = {
	[WC_START] = { "START", "start", COL_ADDR, 12, COL_DEFAULT,
		       "first address of the range" },
	[WC_END] = { "END", "end", COL_ADDR, 12, COL_DEFAULT,
		     "end of the range (exclusive)" },
	[WC_SIZE] = { "SIZE", "size_bytes", COL_SIZE, 5,
		      COL_DEFAULT | COL_RIGHT, "size of the range" },
	[WC_PAGES] = { "PAGES", "pages", COL_U64, 5, COL_DEFAULT | COL_RIGHT,
		       "4K pages in the range" },
	[WC_STATE] = { "STATE", "state", COL_STR, 11, COL_DEFAULT,
		       "present, prot-none, swapped, not-present, no-vma, ..." },
	[WC_LEVEL] = { "LEVEL", "level", COL_STR, 3, COL_DEFAULT,
		       "the leaf entry: PTE (4K), PMD (2M), PUD (1G); - if none" },
	[WC_FLAGS] = { "FLAGS", "flags", COL_FLAGS, 8, COL_DEFAULT,
		       "rw, user, nx, protnone, huge of that entry" },
	[WC_KIND] = { "KIND", "kind", COL_FLAGS, 8, COL_DEFAULT,
		      "anon, file, shmem, zero, thp, hugetlb" },
};

enum {
	PC_VADDR, PC_STATE, PC_LEVEL, PC_PFN, PC_SWAP_TYPE, PC_SWAP_OFFSET,
	PC_FLAGS, PC_KIND,
};

static const struct col_desc page_cols[] = {
	[PC_VADDR] = { "VADDR", "vaddr", COL_ADDR, 12, COL_DEFAULT,
		       "the page's virtual address" },
	[PC_STATE] = { "STATE", "state", COL_STR, 11, COL_DEFAULT,
		       "present, prot-none, swapped, not-present, no-vma, ..." },
	[PC_LEVEL] = { "LEVEL", "level", COL_STR, 5, COL_DEFAULT,
		       "the leaf entry: PTE, PMD, PUD; - if none" },
	[PC_PFN] = { "PFN", "pfn", COL_ADDR, 12, COL_DEFAULT,
		     "page frame number (root only; - when absent)" },
	[PC_SWAP_TYPE] = { "SWAP-TYPE", "swap_type", COL_U64, 9, COL_RIGHT,
			   "swap area of a swapped page" },
	[PC_SWAP_OFFSET] = { "SWAP-OFFSET", "swap_offset", COL_ADDR, 11,
			     COL_DEFAULT,
			     "offset in the swap area of a swapped page" },
	[PC_FLAGS] = { "FLAGS", "flags", COL_FLAGS, 20, COL_DEFAULT,
		       "the entry's flags" },
	[PC_KIND] = { "KIND", "kind", COL_FLAGS, 20, COL_DEFAULT,
		      "what the kernel knows of the page" },
};

struct walk_out {
	bool pages, hidden;
	const struct cols_opts *co;
	struct json j;
	struct cols c;
	uint64_t count[VMSCOPE_STATE_MAX + 1];
	uint64_t huge;
	/* the range being gathered */
	uint64_t start, end;
	struct vmscope_page key;
};

static void walk_help(FILE *out)
{
	fputs("Usage: vmscope walk [options] PID START END\n"
	      "       vmscope walk [options] PID START +SIZE\n"
	      "\n"
	      "Describe every page of process PID from START to END (hex, 0x\n"
	      "optional), or SIZE bytes from START (K, M, G, T suffixes): whether\n"
	      "it is present, swapped, not yet touched or not mapped at all, the\n"
	      "page-table level that maps it, the entry's flags and what kind of\n"
	      "page it is.  Neighbouring pages that are alike are shown as one\n"
	      "range, like the kernel's page-table dumps.\n"
	      "\n"
	      "Options:\n", out);
	cols_help_options(out);
	fputs("      --pages          one row per page, not per range (other\n"
	      "                       columns: see below)\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "START and END are hexadecimal and page aligned; SIZE is decimal, or\n"
	      "hexadecimal with 0x, with an optional K, M, G or T.\n"
	      "With -n or -r only the table is printed, without the totals.\n"
	      "JSON: {pid, start, end, ranges: [one object per range], totals:\n"
	      "{pages, present_pages, prot_none_pages, swapped_pages,\n"
	      "not_present_pages, no_vma_pages, other_pages, huge_pages}}; with\n"
	      "--pages, pages: [one object per page] instead of ranges.  PFNs are\n"
	      "null without CAP_SYS_ADMIN.\n", out);
	cols_help_columns(out, NULL, range_cols, ARRAY_SIZE(range_cols));
	cols_help_columns(out, "Output columns with --pages",
			  page_cols, ARRAY_SIZE(page_cols));
}

static bool walk_alike(const struct vmscope_page *a,
		       const struct vmscope_page *b)
{
	return a->state == b->state && a->level == b->level &&
	       (a->flags & RANGE_PTE_FLAGS) == (b->flags & RANGE_PTE_FLAGS) &&
	       (a->page_flags & RANGE_PAGE_FLAGS) ==
	       (b->page_flags & RANGE_PAGE_FLAGS);
}

static void walk_emit_range(struct walk_out *o)
{
	const struct vmscope_page *k = &o->key;
	struct col_val cv[ARRAY_SIZE(range_cols)];

	if (o->end == o->start)
		return;
	cv[WC_START] = CV_U(o->start);
	cv[WC_END] = CV_U(o->end);
	cv[WC_SIZE] = CV_U(o->end - o->start);
	cv[WC_PAGES] = CV_U((o->end - o->start) / 4096);
	cv[WC_STATE] = CV_S(state_name(k->state));
	cv[WC_LEVEL] = CV_S(level_name(k->level));
	cv[WC_FLAGS] = CV_FL(k->flags & RANGE_PTE_FLAGS, pte_flag_names);
	cv[WC_KIND] = CV_FL(k->page_flags & RANGE_PAGE_FLAGS, page_flag_names);
	cols_row(&o->c, cv);
}

static void walk_emit_page(struct walk_out *o, uint64_t va,
			   const struct vmscope_page *p)
{
	bool swapped = p->state == VMSCOPE_STATE_SWAPPED;
	struct col_val cv[ARRAY_SIZE(page_cols)];

	cv[PC_VADDR] = CV_U(va);
	cv[PC_STATE] = CV_S(state_name(p->state));
	cv[PC_LEVEL] = CV_S(level_name(p->level));
	if (swapped || o->hidden || p->state == VMSCOPE_STATE_NOT_PRESENT ||
	    p->state == VMSCOPE_STATE_NO_VMA)
		cv[PC_PFN] = CV_NULL;
	else
		cv[PC_PFN] = CV_U(p->pfn);
	if (swapped) {
		cv[PC_SWAP_TYPE] = CV_U(VMSCOPE_SWP_TYPE(p->pfn));
		cv[PC_SWAP_OFFSET] = CV_U(VMSCOPE_SWP_OFFSET(p->pfn));
	} else {
		cv[PC_SWAP_TYPE] = CV_NULL;
		cv[PC_SWAP_OFFSET] = CV_NULL;
	}
	cv[PC_FLAGS] = CV_FL(p->flags, pte_flag_names);
	cv[PC_KIND] = CV_FL(p->page_flags, page_flag_names);
	if (o->co->json)
		cols_row(&o->c, cv);
	else
		cols_stream_row(&o->c, cv);
}

static void walk_account(struct walk_out *o, uint64_t va,
			 const struct vmscope_page *p)
{
	if (p->state <= VMSCOPE_STATE_MAX)
		o->count[p->state]++;
	if (p->level > VMSCOPE_LEVEL_PTE)
		o->huge++;
	if (o->pages) {
		walk_emit_page(o, va, p);
		return;
	}
	if (o->end != o->start && !walk_alike(&o->key, p)) {
		walk_emit_range(o);
		o->start = va;
	}
	o->key = *p;
	o->end = va + 4096;
}

static void walk_begin(struct walk_out *o, uint32_t pid, uint64_t start,
		       uint64_t end)
{
	o->start = o->end = start;
	if (o->co->json) {
		json_init(&o->j, stdout);
		json_open(&o->j, NULL, '{');
		json_u64(&o->j, "pid", pid);
		json_hex(&o->j, "start", start);
		json_hex(&o->j, "end", end);
		cols_begin(&o->c, &o->j, o->pages ? "pages" : "ranges");
		return;
	}
	if (o->pages)	/* too many rows to gather in a table */
		cols_stream_begin(&o->c, false);
	else
		cols_begin(&o->c, NULL, NULL);
}

/* Migration, hwpoison, device and marker entries. */
static uint64_t walk_other(const struct walk_out *o)
{
	return o->count[VMSCOPE_STATE_MIGRATION] +
	       o->count[VMSCOPE_STATE_HWPOISON] +
	       o->count[VMSCOPE_STATE_DEVICE] + o->count[VMSCOPE_STATE_MARKER];
}

static void walk_finish(struct walk_out *o)
{
	uint64_t total = 0;
	int s;

	if (!o->pages)
		walk_emit_range(o);
	for (s = 0; s <= VMSCOPE_STATE_MAX; s++)
		total += o->count[s];
	if (o->co->json) {
		cols_end(&o->c);
		json_open(&o->j, "totals", '{');
		json_u64(&o->j, "pages", total);
		json_u64(&o->j, "present_pages",
			 o->count[VMSCOPE_STATE_PRESENT]);
		json_u64(&o->j, "prot_none_pages",
			 o->count[VMSCOPE_STATE_PROT_NONE]);
		json_u64(&o->j, "swapped_pages",
			 o->count[VMSCOPE_STATE_SWAPPED]);
		json_u64(&o->j, "not_present_pages",
			 o->count[VMSCOPE_STATE_NOT_PRESENT]);
		json_u64(&o->j, "no_vma_pages", o->count[VMSCOPE_STATE_NO_VMA]);
		json_u64(&o->j, "other_pages", walk_other(o));
		json_u64(&o->j, "huge_pages", o->huge);
		json_close(&o->j, '}');
		json_close(&o->j, '}');
		return;
	}
	if (!o->pages)
		cols_end(&o->c);
	if (o->co->noheadings || o->co->raw)
		return;
	printf("\n%" PRIu64 " pages: %" PRIu64 " present (%" PRIu64
	       " under huge leaves), %" PRIu64 " prot-none, %" PRIu64
	       " swapped, %" PRIu64 " not present, %" PRIu64
	       " without a VMA, %" PRIu64 " other\n", total,
	       o->count[VMSCOPE_STATE_PRESENT], o->huge,
	       o->count[VMSCOPE_STATE_PROT_NONE],
	       o->count[VMSCOPE_STATE_SWAPPED],
	       o->count[VMSCOPE_STATE_NOT_PRESENT],
	       o->count[VMSCOPE_STATE_NO_VMA], walk_other(o));
}

static void walk_range(int fd, struct walk_out *o, uint32_t pid,
		       uint64_t start, uint64_t end)
{
	struct vmscope_page *buf = calloc(WALK_BUF_PAGES, sizeof(*buf));
	struct vmscope_walk w;
	uint64_t i;

	if (!buf)
		err(1, "cannot allocate the walk buffer");
	walk_begin(o, pid, start, end);
	while (start < end) {
		memset(&w, 0, sizeof(w));
		w.size = sizeof(w);
		w.pid = pid;
		w.rec_size = sizeof(*buf);
		w.start = start;
		w.end = end;
		w.buf = (uintptr_t)buf;
		w.buf_count = WALK_BUF_PAGES;
		vmscope_pid_ioctl(fd, VMSCOPE_IOC_WALK, &w, pid,
				  "VMSCOPE_IOC_WALK");
		o->hidden = w.out_flags & VMSCOPE_OUT_PFN_HIDDEN;
		for (i = 0; i < w.count; i++)
			walk_account(o, start + i * 4096, &buf[i]);
		start = w.next;
	}
	walk_finish(o);
	free(buf);
}

/* START and END (or +SIZE), checked against the end of user space. */
static void walk_parse_range(const char *s, const char *e,
			     const struct vmscope_info *info,
			     uint64_t *start, uint64_t *end)
{
	*start = parse_addr(s, "START");
	if (e[0] == '+') {
		uint64_t size = parse_size(e + 1, "SIZE");

		if (size > info->task_size - *start)
			errx(EXIT_USAGE, "START + SIZE runs past the end of user space "
			     "(0x%llx)", info->task_size);
		*end = *start + size;
	} else {
		*end = parse_addr(e, "END");
	}
	if (*start & 4095 || *end & 4095)
		errx(EXIT_USAGE, "START and END must be page aligned (multiples of "
		     "0x1000)");
	if (*start >= *end)
		errx(EXIT_USAGE, "START must be below END");
	if (*end > info->task_size)
		errx(EXIT_USAGE, "END 0x%" PRIx64 " is past the end of user space "
		     "(0x%llx)", *end, info->task_size);
}

enum { OPT_PAGES = 0x100 };

static int walk_run(int argc, char **argv)
{
	static const struct option opts[] = {
		COLS_LONGOPTS,
		{ "pages", no_argument, NULL, OPT_PAGES },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct cols_opts co = { .cmd = "walk" };
	struct walk_out o = { .co = &co };
	struct vmscope_info info;
	uint64_t start, end;
	uint32_t pid;
	int c, fd;

	while ((c = getopt_long(argc, argv, COLS_SHORTOPTS "h", opts,
				NULL)) != -1) {
		if (cols_getopt(&co, c, optarg))
			continue;
		switch (c) {
		case OPT_PAGES:
			o.pages = true;
			break;
		case 'h':
			walk_help(stdout);
			return 0;
		default:
			errx(EXIT_USAGE, "try 'vmscope walk --help'");
		}
	}
	if (argc - optind != 3)
		errx(EXIT_USAGE, "walk takes PID START END; try 'vmscope walk --help'");
	if (o.pages)
		cols_init(&o.c, page_cols, ARRAY_SIZE(page_cols), &co);
	else
		cols_init(&o.c, range_cols, ARRAY_SIZE(range_cols), &co);
	pid = parse_pid(argv[optind]);
	fd = vmscope_open();
	vmscope_get_info(fd, &info);
	walk_parse_range(argv[optind + 1], argv[optind + 2], &info, &start,
			 &end);
	walk_range(fd, &o, pid, start, end);
	close(fd);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_walk = {
	.name = "walk",
	.summary = "every page of a range: present, swapped, untouched...",
	.run = walk_run,
	.help = walk_help,
};
