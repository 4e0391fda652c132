// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope layout PID: the process as a textbook draws it (text, data, bss,
 * heap, the mmap area, stacks) with the residency of every VMA.
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

struct layout {
	struct vmscope_layout lo;	/* process facts */
	struct vmscope_layout_vma *v;
	size_t n;
};

static const char *const segment_names[] = VMSCOPE_SEG_NAMES;

static const char *segment_name(uint32_t seg)
{
	return seg <= VMSCOPE_SEG_MAX ? segment_names[seg] : "?";
}

enum {
	LC_START, LC_END, LC_PERMS, LC_SEGMENT, LC_SIZE, LC_RSS, LC_ANON,
	LC_FILE, LC_SHMEM, LC_SWAP, LC_HUGE, LC_NAME,
};

/* The _kb aliases are the keys of vmscope 0.1, kept for one release. */
static const struct col_desc layout_cols[] = {
	[LC_START] = { "START", "start", COL_ADDR, 12, COL_DEFAULT,
		       "first address of the VMA" },
	[LC_END] = { "END", "end", COL_ADDR, 12, COL_DEFAULT,
		     "end of the VMA (exclusive)" },
	[LC_PERMS] = { "PERMS", "perms", COL_STR, 4, COL_DEFAULT,
		       "rwxp or rwxs, as /proc/PID/maps" },
	[LC_SEGMENT] = { "SEGMENT", "segment", COL_STR, 9, COL_DEFAULT,
			 "text, rodata, data, bss, heap, mmap-file, ..." },
	[LC_SIZE] = { "SIZE", "size_bytes", COL_SIZE, 5,
		      COL_DEFAULT | COL_RIGHT, "size of the VMA",
		      "size_kb", 10 },
	[LC_RSS] = { "RSS", "rss_bytes", COL_SIZE, 5, COL_DEFAULT | COL_RIGHT,
		     "resident: ANON + FILE + SHMEM, as smaps' Rss",
		     "rss_kb", 10 },
	[LC_ANON] = { "ANON", "anon_bytes", COL_SIZE, 5,
		      COL_DEFAULT | COL_RIGHT, "resident anonymous memory",
		      "anon_kb", 10 },
	[LC_FILE] = { "FILE", "file_bytes", COL_SIZE, 5,
		      COL_DEFAULT | COL_RIGHT, "resident file pages",
		      "file_kb", 10 },
	[LC_SHMEM] = { "SHMEM", "shmem_bytes", COL_SIZE, 5,
		       COL_DEFAULT | COL_RIGHT, "resident shmem/tmpfs pages",
		       "shmem_kb", 10 },
	[LC_SWAP] = { "SWAP", "swap_bytes", COL_SIZE, 5,
		      COL_DEFAULT | COL_RIGHT, "swapped out", "swap_kb", 10 },
	[LC_HUGE] = { "HUGE", "huge_bytes", COL_SIZE, 5,
		      COL_DEFAULT | COL_RIGHT, "mapped by huge pages (THP)",
		      "huge_kb", 10 },
	[LC_NAME] = { "NAME", "path", COL_STR, 0.3, COL_DEFAULT,
		      "the name /proc/PID/maps shows" },
};

static void layout_help(FILE *out)
{
	fputs("Usage: vmscope layout [options] PID\n"
	      "\n"
	      "Show the address space of process PID the way a textbook draws it:\n"
	      "every VMA classified as text, rodata, data, bss, heap, mmap-file,\n"
	      "mmap-anon, shmem, stack, thread-stack, vdso, vvar or guard, with\n"
	      "what of it is resident (anonymous, file, shmem), swapped out or\n"
	      "mapped by huge pages; the process totals (VIRT, RSS, SHR, as top\n"
	      "shows them); and a picture from the end of user space down to\n"
	      "address 0, with the gaps between the VMAs compressed.\n"
	      "\n"
	      "Options:\n", out);
	cols_help_options(out);
	fputs("  -s, --svg FILE       also draw the address space into FILE (SVG)\n"
	      "      --no-picture     only the table and the totals\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "With -n or -r only the table is printed.\n"
	      "JSON: {pid, task_size, vmas: [one object per VMA, keys below],\n"
	      "totals {vmas, virt_bytes, rss_bytes, anon_bytes, file_bytes,\n"
	      "shmem_bytes, shr_bytes, swap_bytes, huge_bytes}, kernel (the\n"
	      "kernel's own counters: total_vm_bytes, rss_anon_bytes,\n"
	      "rss_file_bytes, rss_shmem_bytes, swap_bytes, map_count, threads),\n"
	      "markers {start_code, end_code, start_data, end_data, start_brk,\n"
	      "brk, start_stack, arg_start, env_end, mmap_base}}.  Each _bytes\n"
	      "size also has its _kb alias (KiB), deprecated, for one release.\n",
	      out);
	cols_help_columns(out, NULL, layout_cols, ARRAY_SIZE(layout_cols));
}

static void layout_fetch(int fd, uint32_t pid, struct layout *l)
{
	size_t cap = 256;
	uint64_t start = 0;

	l->v = NULL;
	l->n = 0;
	for (;;) {
		struct vmscope_layout lo;

		l->v = realloc(l->v, (l->n + cap) * sizeof(*l->v));
		if (!l->v)
			err(1, "cannot allocate %zu VMA records", l->n + cap);
		memset(&lo, 0, sizeof(lo));
		lo.size = sizeof(lo);
		lo.pid = pid;
		lo.rec_size = sizeof(*l->v);
		lo.start = start;
		lo.buf = (uintptr_t)(l->v + l->n);
		lo.buf_count = cap;
		vmscope_pid_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo, pid,
				  "VMSCOPE_IOC_LAYOUT");
		if (!l->n)
			l->lo = lo;
		l->n += lo.count;
		if (lo.out_flags & VMSCOPE_LAYOUT_DONE)
			break;
		start = lo.next;
		cap *= 2;
	}
}

struct totals {
	uint64_t virt, rss, anon, file, shmem, swap, huge;
};

static void totals_add(struct totals *t, const struct vmscope_layout_vma *v);

static void layout_totals(const struct layout *l, struct totals *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < l->n; i++)
		totals_add(t, &l->v[i]);
}

static void layout_row(struct cols *c, const struct vmscope_layout_vma *v)
{
	struct col_val cv[ARRAY_SIZE(layout_cols)];
	char perms[5];

	perms_to_str(v->vma.perms, perms);
	cv[LC_START] = CV_U(v->vma.start);
	cv[LC_END] = CV_U(v->vma.end);
	cv[LC_PERMS] = CV_S(perms);
	cv[LC_SEGMENT] = CV_S(segment_name(v->segment));
	cv[LC_SIZE] = CV_U(v->vma.end - v->vma.start);
	cv[LC_RSS] = CV_U(v->rss_anon + v->rss_file + v->rss_shmem);
	cv[LC_ANON] = CV_U(v->rss_anon);
	cv[LC_FILE] = CV_U(v->rss_file);
	cv[LC_SHMEM] = CV_U(v->rss_shmem);
	cv[LC_SWAP] = CV_U(v->swap);
	cv[LC_HUGE] = CV_U(v->huge);
	cv[LC_NAME] = CV_S(v->vma.name);
	cols_row(c, cv);
}

/* KEY_bytes, and its deprecated alias KEY_kb */
static void json_size(struct json *j, const char *key, uint64_t bytes)
{
	char k[48];

	snprintf(k, sizeof(k), "%s_bytes", key);
	json_u64(j, k, bytes);
	snprintf(k, sizeof(k), "%s_kb", key);
	json_u64(j, k, bytes >> 10);
}

static void json_totals(struct json *j, const struct totals *t, size_t n)
{
	json_open(j, "totals", '{');
	json_u64(j, "vmas", n);
	json_size(j, "virt", t->virt);
	json_size(j, "rss", t->rss);
	json_size(j, "anon", t->anon);
	json_size(j, "file", t->file);
	json_size(j, "shmem", t->shmem);
	json_size(j, "shr", t->file + t->shmem);
	json_size(j, "swap", t->swap);
	json_size(j, "huge", t->huge);
	json_close(j, '}');
}

/* What the kernel says of the whole process. */
static void json_process(struct json *j, const struct vmscope_layout *lo)
{
	json_open(j, "kernel", '{');
	json_size(j, "total_vm", lo->total_vm);
	json_size(j, "rss_anon", lo->rss_anon);
	json_size(j, "rss_file", lo->rss_file);
	json_size(j, "rss_shmem", lo->rss_shmem);
	json_size(j, "swap", lo->swap);
	json_u64(j, "map_count", lo->map_count);
	json_u64(j, "threads", lo->nr_threads);
	json_close(j, '}');
	json_open(j, "markers", '{');
	json_hex(j, "start_code", lo->start_code);
	json_hex(j, "end_code", lo->end_code);
	json_hex(j, "start_data", lo->start_data);
	json_hex(j, "end_data", lo->end_data);
	json_hex(j, "start_brk", lo->start_brk);
	json_hex(j, "brk", lo->brk);
	json_hex(j, "start_stack", lo->start_stack);
	json_hex(j, "arg_start", lo->arg_start);
	json_hex(j, "env_end", lo->env_end);
	json_hex(j, "mmap_base", lo->mmap_base);
	json_close(j, '}');
}

static void totals_add(struct totals *t, const struct vmscope_layout_vma *v)
{
	t->virt += v->vma.end - v->vma.start;
	t->anon += v->rss_anon;
	t->file += v->rss_file;
	t->shmem += v->rss_shmem;
	t->rss += v->rss_anon + v->rss_file + v->rss_shmem;
	t->swap += v->swap;
	t->huge += v->huge;
}

static void layout_json(const struct layout *l, const struct totals *t,
			struct cols *c)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "pid", l->lo.pid);
	json_hex(&j, "task_size", l->lo.task_size);
	cols_begin(c, &j, "vmas");
	for (i = 0; i < l->n; i++)
		layout_row(c, &l->v[i]);
	cols_end(c);
	json_totals(&j, t, l->n);
	json_process(&j, &l->lo);
	json_close(&j, '}');
}

/*
 * JSON for any number of VMAs: written batch by batch as the module
 * returns them, so nothing grows with the process.
 */
static void layout_json_stream(int fd, uint32_t pid, struct cols *c)
{
	enum { BATCH = 1024 };
	struct vmscope_layout_vma *v = calloc(BATCH, sizeof(*v));
	struct vmscope_layout first, lo = { 0 };
	struct totals t = { 0 };
	size_t i, n = 0;
	struct json j;

	if (!v)
		err(1, "cannot allocate %d VMA records", BATCH);
	json_init(&j, stdout);
	do {
		lo.size = sizeof(lo);
		lo.pid = pid;
		lo.rec_size = sizeof(*v);
		lo.start = lo.next;
		lo.buf = (uintptr_t)v;
		lo.buf_count = BATCH;
		vmscope_pid_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo, pid,
				  "VMSCOPE_IOC_LAYOUT");
		if (!n) {
			first = lo;
			json_open(&j, NULL, '{');
			json_u64(&j, "pid", pid);
			json_hex(&j, "task_size", lo.task_size);
			cols_begin(c, &j, "vmas");
		}
		for (i = 0; i < lo.count; i++) {
			layout_row(c, &v[i]);
			totals_add(&t, &v[i]);
		}
		n += lo.count;
	} while (!(lo.out_flags & VMSCOPE_LAYOUT_DONE));
	cols_end(c);
	json_totals(&j, &t, n);
	json_process(&j, &first);
	json_close(&j, '}');
	free(v);
}

static void layout_table(const struct layout *l, struct cols *c)
{
	size_t i;

	cols_begin(c, NULL, NULL);
	for (i = 0; i < l->n; i++)
		layout_row(c, &l->v[i]);
	cols_end(c);
}

static void layout_summary(const struct layout *l, const struct totals *t)
{
	const struct vmscope_layout *lo = &l->lo;
	char a[16], b[16], c[16], d[16];

	printf("\n%zu VMAs.  VIRT %s  RSS %s  SHR %s  swapped %s",
	       l->n, size_to_human(t->virt, a, sizeof(a)),
	       size_to_human(t->rss, b, sizeof(b)),
	       size_to_human(t->file + t->shmem, c, sizeof(c)),
	       size_to_human(t->swap, d, sizeof(d)));
	printf("  (huge pages: %s)\n", size_to_human(t->huge, a, sizeof(a)));
	printf("The kernel's counters: RssAnon %s  RssFile %s  RssShmem %s  "
	       "VmSwap %s, threads %u\n",
	       size_to_human(lo->rss_anon, a, sizeof(a)),
	       size_to_human(lo->rss_file, b, sizeof(b)),
	       size_to_human(lo->rss_shmem, c, sizeof(c)),
	       size_to_human(lo->swap, d, sizeof(d)), lo->nr_threads);
	printf("code %llx-%llx  data %llx-%llx  heap %llx-%llx  stack %llx\n",
	       lo->start_code, lo->end_code, lo->start_data, lo->end_data,
	       lo->start_brk, lo->brk, lo->start_stack);
	printf("user space ends at %llx; mmap area from %llx down\n",
	       lo->task_size, lo->mmap_base);
}

/* Neighbouring VMAs of one segment and name are drawn as one box. */
static bool same_box(const struct vmscope_layout_vma *a,
		     const struct vmscope_layout_vma *b)
{
	return a->segment == b->segment && a->vma.end == b->vma.start &&
	       !strcmp(a->vma.name, b->vma.name);
}

/* The box ending with VMA @j - 1 starts at the returned index. */
static size_t box_start(const struct layout *l, size_t j)
{
	size_t i = j - 1;

	while (i > 0 && same_box(&l->v[i - 1], &l->v[i]))
		i--;
	return i;
}

static const char *short_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

static void picture_gap(uint64_t hi, uint64_t lo)
{
	char hb[16];

	if (hi > lo)
		printf("  %16s ~   %8s unmapped\n", "",
		       size_to_human(hi - lo, hb, sizeof(hb)));
}

/* From the top of user space down: boxes, with the gaps between. */
static void layout_picture(const struct layout *l)
{
	uint64_t top = l->lo.task_size;
	size_t i, j;
	char hb[16];

	printf("\nThe address space, from the top of user space down (gaps "
	       "not to scale):\n\n");
	printf("  %016llx +--- end of user space; the kernel is above\n",
	       l->lo.task_size);
	for (j = l->n; j > 0; j = i) {
		i = box_start(l, j);
		if (top != l->v[j - 1].vma.end) {
			picture_gap(top, l->v[j - 1].vma.end);
			printf("  %016llx +---\n", l->v[j - 1].vma.end);
		}
		printf("  %16s | %-12s %8s  %s\n", "",
		       segment_name(l->v[i].segment),
		       size_to_human(l->v[j - 1].vma.end - l->v[i].vma.start,
				     hb, sizeof(hb)),
		       short_name(l->v[i].vma.name));
		top = l->v[i].vma.start;
		printf("  %016" PRIx64 " +---\n", top);
	}
	picture_gap(top, 0);
	printf("  %016x +--- address 0\n", 0);
}

static const char *segment_colour(uint32_t seg)
{
	static const char *const colours[] = {
		[VMSCOPE_SEG_OTHER] = "#dddddd",
		[VMSCOPE_SEG_TEXT] = "#8ecae6",
		[VMSCOPE_SEG_RODATA] = "#a8dadc",
		[VMSCOPE_SEG_DATA] = "#ffd166",
		[VMSCOPE_SEG_BSS] = "#ffe5a0",
		[VMSCOPE_SEG_HEAP] = "#f4a261",
		[VMSCOPE_SEG_MMAP_FILE] = "#b5e48c",
		[VMSCOPE_SEG_MMAP_ANON] = "#e9c46a",
		[VMSCOPE_SEG_SHMEM] = "#cdb4db",
		[VMSCOPE_SEG_STACK] = "#e76f51",
		[VMSCOPE_SEG_THREAD_STACK] = "#f08080",
		[VMSCOPE_SEG_VDSO] = "#90be6d",
		[VMSCOPE_SEG_VVAR] = "#90be6d",
		[VMSCOPE_SEG_GUARD] = "#bbbbbb",
	};

	return seg <= VMSCOPE_SEG_MAX ? colours[seg] : "#dddddd";
}

/* Text for an SVG attribute or element: escape the XML specials. */
static void svg_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* The same picture as an SVG drawing: one box per group, gaps as waves. */
static void layout_svg(const struct layout *l, const char *path)
{
	const int w = 720, box = 30, gap = 18;
	FILE *f = fopen(path, "w");
	int y = 40, height = 60;
	size_t i, j;
	char hb[16];

	if (!f)
		err(1, "%s", path);
	for (j = l->n; j > 0; j = box_start(l, j))
		height += box + gap;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" font-family=\"monospace\" font-size=\"12\">\n",
		w, height + gap);
	fprintf(f, "<text x=\"10\" y=\"20\">process %u: user space "
		"0-%llx, top down, gaps not to scale</text>\n", l->lo.pid,
		l->lo.task_size);
	for (j = l->n; j > 0; j = i) {
		i = box_start(l, j);
		fprintf(f, "<text x=\"10\" y=\"%d\" fill=\"#666\">~ %s "
			"unmapped ~</text>\n", y + 12,
			size_to_human((j == l->n ? l->lo.task_size :
				       l->v[j].vma.start) -
				      l->v[j - 1].vma.end, hb, sizeof(hb)));
		y += gap;
		fprintf(f, "<rect x=\"160\" y=\"%d\" width=\"%d\" height=\"%d\" "
			"fill=\"%s\" stroke=\"#333\"/>\n", y, w - 170, box,
			segment_colour(l->v[i].segment));
		fprintf(f, "<text x=\"10\" y=\"%d\">%012llx</text>\n", y + 10,
			l->v[j - 1].vma.end);
		fprintf(f, "<text x=\"10\" y=\"%d\">%012llx</text>\n", y + box,
			l->v[i].vma.start);
		fprintf(f, "<text x=\"170\" y=\"%d\">%s  %s  ", y + 19,
			segment_name(l->v[i].segment),
			size_to_human(l->v[j - 1].vma.end - l->v[i].vma.start,
				      hb, sizeof(hb)));
		svg_text(f, short_name(l->v[i].vma.name));
		fputs("</text>\n", f);
		y += box;
	}
	fputs("</svg>\n", f);
	if (fclose(f))
		err(1, "%s", path);
}

enum { OPT_NO_PICTURE = 0x100 };

static int layout_run(int argc, char **argv)
{
	static const struct option opts[] = {
		COLS_LONGOPTS,
		{ "svg", required_argument, NULL, 's' },
		{ "no-picture", no_argument, NULL, OPT_NO_PICTURE },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct cols_opts co = { .cmd = "layout" };
	bool picture = true;
	const char *svg = NULL;
	struct totals t;
	struct layout l;
	struct cols c;
	uint32_t pid;
	int ch, fd;

	while ((ch = getopt_long(argc, argv, COLS_SHORTOPTS "s:h", opts,
				 NULL)) != -1) {
		if (cols_getopt(&co, ch, optarg))
			continue;
		switch (ch) {
		case 's':
			svg = optarg;
			break;
		case OPT_NO_PICTURE:
			picture = false;
			break;
		case 'h':
			layout_help(stdout);
			return 0;
		default:
			errx(EXIT_USAGE, "try 'vmscope layout --help'");
		}
	}
	if (argc - optind != 1)
		errx(EXIT_USAGE, "layout takes one PID; try 'vmscope layout --help'");
	pid = parse_pid(argv[optind]);
	cols_init(&c, layout_cols, ARRAY_SIZE(layout_cols), &co);
	fd = vmscope_open();
	if (co.json && !svg) {
		layout_json_stream(fd, pid, &c);
		close(fd);
		return 0;
	}
	layout_fetch(fd, pid, &l);
	close(fd);

	layout_totals(&l, &t);
	if (svg)
		layout_svg(&l, svg);
	if (co.json) {
		layout_json(&l, &t, &c);
	} else {
		layout_table(&l, &c);
		if (!co.noheadings && !co.raw) {
			layout_summary(&l, &t);
			if (picture)
				layout_picture(&l);
		}
	}
	free(l.v);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_layout = {
	.name = "layout",
	.summary = "every VMA as text, data, heap, mmap, stack..., and its RSS",
	.run = layout_run,
	.help = layout_help,
};
