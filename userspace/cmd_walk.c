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

#include <libsmartcols.h>

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

struct walk_out {
	bool json, pages, hidden;
	struct json j;
	struct libscols_table *tb;
	uint64_t count[VMSCOPE_STATE_MAX + 1];
	uint64_t huge;
	/* the range being gathered */
	uint64_t start, end;
	struct vmscope_page key;
};

static void walk_help(FILE *out)
{
	fputs("Usage: vmscope walk [--json] [--pages] PID START END\n"
	      "       vmscope walk [--json] [--pages] PID START +SIZE\n"
	      "\n"
	      "Describe every page of process PID from START to END (hex, 0x\n"
	      "optional), or SIZE bytes from START (K, M, G, T suffixes): whether\n"
	      "it is present, swapped, not yet touched or not mapped at all, the\n"
	      "page-table level that maps it, the entry's flags and what kind of\n"
	      "page it is.  Neighbouring pages that are alike are shown as one\n"
	      "range, like the kernel's page-table dumps.\n"
	      "\n"
	      "Options:\n"
	      "  -p, --pages  one line (or JSON object) per page, not per range\n"
	      "  -J, --json   machine-readable output\n"
	      "  -h, --help   this text\n"
	      "\n"
	      "Columns: START END SIZE PAGES STATE LEVEL FLAGS KIND\n"
	      "  STATE  present, prot-none, swapped, not-present, no-vma, ...\n"
	      "  LEVEL  the leaf entry: PTE (4K), PMD (2M) or PUD (1G)\n"
	      "  FLAGS  rw, user, nx, protnone, huge of that entry\n"
	      "  KIND   anon, file, shmem, zero, thp, hugetlb\n"
	      "  (LEVEL is - where no entry maps the page)\n"
	      "With --pages: VADDR STATE LEVEL pfn PFN | FLAGS | KIND, one line per\n"
	      "page (swap OFFSET for a swapped page).\n"
	      "START and END are hexadecimal and page aligned; SIZE is decimal, or\n"
	      "hexadecimal with 0x, with an optional K, M, G or T.\n"
	      "JSON: {pid, start, end, ranges: [{start, end, pages, state, level,\n"
	      "flags, kind}], totals: {pages, present, prot_none, swapped,\n"
	      "not_present, no_vma, other, huge}}; with --pages, pages: [{vaddr,\n"
	      "state, level, pfn, swap, flags, kind}] instead of ranges (pfn null\n"
	      "when hidden: without CAP_SYS_ADMIN).\n", out);
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
	char buf[160], hb[16];
	struct libscols_line *ln;
	uint64_t pages = (o->end - o->start) / 4096;

	if (o->end == o->start)
		return;
	if (o->json) {
		json_open_flat(&o->j, NULL, '{');
		json_hex(&o->j, "start", o->start);
		json_hex(&o->j, "end", o->end);
		json_u64(&o->j, "pages", pages);
		json_str(&o->j, "state", state_name(k->state));
		json_str(&o->j, "level", level_name(k->level));
		json_flags(&o->j, "flags", k->flags & RANGE_PTE_FLAGS,
			   pte_flag_names);
		json_flags(&o->j, "kind", k->page_flags & RANGE_PAGE_FLAGS,
			   page_flag_names);
		json_close(&o->j, '}');
		return;
	}
	ln = scols_table_new_line(o->tb, NULL);
	if (!ln)
		err(1, "failed to add a table row");
	snprintf(buf, sizeof(buf), "%016" PRIx64, o->start);
	scols_line_set_data(ln, 0, buf);
	snprintf(buf, sizeof(buf), "%016" PRIx64, o->end);
	scols_line_set_data(ln, 1, buf);
	scols_line_set_data(ln, 2, size_to_human(o->end - o->start, hb,
						 sizeof(hb)));
	snprintf(buf, sizeof(buf), "%" PRIu64, pages);
	scols_line_set_data(ln, 3, buf);
	scols_line_set_data(ln, 4, state_name(k->state));
	scols_line_set_data(ln, 5, level_name(k->level));
	scols_line_set_data(ln, 6, flags_to_str(k->flags & RANGE_PTE_FLAGS,
						pte_flag_names, buf,
						sizeof(buf)));
	scols_line_set_data(ln, 7, flags_to_str(k->page_flags &
						RANGE_PAGE_FLAGS,
						page_flag_names, buf,
						sizeof(buf)));
}

static void walk_emit_page(struct walk_out *o, uint64_t va,
			   const struct vmscope_page *p)
{
	bool swapped = p->state == VMSCOPE_STATE_SWAPPED;
	char flags[160], kind[256];

	if (!o->json) {
		printf("%016" PRIx64 " %-11s %-3s %s %-10llx %s | %s\n", va,
		       state_name(p->state), level_name(p->level),
		       swapped ? "swap" : "pfn ",
		       swapped ? VMSCOPE_SWP_OFFSET(p->pfn) : p->pfn,
		       flags_to_str(p->flags, pte_flag_names, flags,
				    sizeof(flags)),
		       flags_to_str(p->page_flags, page_flag_names, kind,
				    sizeof(kind)));
		return;
	}
	json_open_flat(&o->j, NULL, '{');
	json_hex(&o->j, "vaddr", va);
	json_str(&o->j, "state", state_name(p->state));
	json_str(&o->j, "level", level_name(p->level));
	if (swapped) {
		json_null(&o->j, "pfn");
		json_open(&o->j, "swap", '{');
		json_u64(&o->j, "type", VMSCOPE_SWP_TYPE(p->pfn));
		json_hex(&o->j, "offset", VMSCOPE_SWP_OFFSET(p->pfn));
		json_close(&o->j, '}');
	} else {
		if (o->hidden || p->state == VMSCOPE_STATE_NOT_PRESENT ||
		    p->state == VMSCOPE_STATE_NO_VMA)
			json_null(&o->j, "pfn");
		else
			json_hex(&o->j, "pfn", p->pfn);
		json_null(&o->j, "swap");
	}
	json_flags(&o->j, "flags", p->flags, pte_flag_names);
	json_flags(&o->j, "kind", p->page_flags, page_flag_names);
	json_close(&o->j, '}');
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
	static const char *const cols[] = {
		"START", "END", "SIZE", "PAGES", "STATE", "LEVEL", "FLAGS",
		"KIND",
	};
	size_t i;

	o->start = o->end = start;
	if (o->json) {
		json_init(&o->j, stdout);
		json_open(&o->j, NULL, '{');
		json_u64(&o->j, "pid", pid);
		json_hex(&o->j, "start", start);
		json_hex(&o->j, "end", end);
		json_open(&o->j, o->pages ? "pages" : "ranges", '[');
		return;
	}
	if (o->pages)
		return;
	o->tb = scols_new_table();
	if (!o->tb)
		err(1, "failed to create a table");
	/* one range a line, however narrow the terminal */
	scols_table_set_termforce(o->tb, SCOLS_TERMFORCE_NEVER);
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (!scols_table_new_column(o->tb, cols[i], 0, 0))
			err(1, "failed to create a table");
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
	if (o->json) {
		json_close(&o->j, ']');
		json_open(&o->j, "totals", '{');
		json_u64(&o->j, "pages", total);
		json_u64(&o->j, "present", o->count[VMSCOPE_STATE_PRESENT]);
		json_u64(&o->j, "prot_none", o->count[VMSCOPE_STATE_PROT_NONE]);
		json_u64(&o->j, "swapped", o->count[VMSCOPE_STATE_SWAPPED]);
		json_u64(&o->j, "not_present",
			 o->count[VMSCOPE_STATE_NOT_PRESENT]);
		json_u64(&o->j, "no_vma", o->count[VMSCOPE_STATE_NO_VMA]);
		json_u64(&o->j, "other", walk_other(o));
		json_u64(&o->j, "huge", o->huge);
		json_close(&o->j, '}');
		json_close(&o->j, '}');
		return;
	}
	if (o->tb) {
		scols_print_table(o->tb);
		scols_unref_table(o->tb);
	}
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
			errx(2, "START + SIZE runs past the end of user space "
			     "(0x%llx)", info->task_size);
		*end = *start + size;
	} else {
		*end = parse_addr(e, "END");
	}
	if (*start & 4095 || *end & 4095)
		errx(2, "START and END must be page aligned (multiples of "
		     "0x1000)");
	if (*start >= *end)
		errx(2, "START must be below END");
	if (*end > info->task_size)
		errx(2, "END 0x%" PRIx64 " is past the end of user space "
		     "(0x%llx)", *end, info->task_size);
}

static int walk_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "pages", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct walk_out o = { 0 };
	struct vmscope_info info;
	uint64_t start, end;
	uint32_t pid;
	int c, fd;

	while ((c = getopt_long(argc, argv, "Jph", opts, NULL)) != -1) {
		switch (c) {
		case 'J':
			o.json = true;
			break;
		case 'p':
			o.pages = true;
			break;
		case 'h':
			walk_help(stdout);
			return 0;
		default:
			errx(2, "try 'vmscope walk --help'");
		}
	}
	if (argc - optind != 3)
		errx(2, "walk takes PID START END; try 'vmscope walk --help'");
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
