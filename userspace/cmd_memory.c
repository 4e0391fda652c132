// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope memory: every page of RAM, in parts that add up to MemTotal,
 * beside the line free(1) prints.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cols.h"
#include "common.h"
#include "json.h"

#define BAR_WIDTH	64
#define MAX_ZONES	64

/* MemFree, zone by zone (VMSCOPE_IOC_RECLAIM's zones). */
static struct vmscope_zone zones[MAX_ZONES];
static uint32_t nr_zones;

static void get_zones(int fd)
{
	struct vmscope_reclaim rc;

	memset(&rc, 0, sizeof(rc));
	rc.size = sizeof(rc);
	rc.zones = (uintptr_t)zones;
	rc.zones_count = MAX_ZONES;
	vmscope_ioctl(fd, VMSCOPE_IOC_RECLAIM, &rc, "VMSCOPE_IOC_RECLAIM");
	nr_zones = rc.nr_zones < MAX_ZONES ? rc.nr_zones : MAX_ZONES;
}

static const char *const mem_names[] = VMSCOPE_MEM_NAMES;

/* What each part is, in one line, and its letter in the bar. */
static const struct {
	char letter;
	const char *what;
} mem_parts[VMSCOPE_MEM_NR_PARTS] = {
	[VMSCOPE_MEM_MEMFREE]	    = { '.', "free pages (all zones)" },
	[VMSCOPE_MEM_ANONPAGES]	    = { 'A', "anonymous memory mapped by processes" },
	[VMSCOPE_MEM_SHMEM]	    = { 'S', "tmpfs, shared anonymous, SysV shm" },
	[VMSCOPE_MEM_FILE]	    = { 'C', "files' page cache (Cached minus Shmem)" },
	[VMSCOPE_MEM_BUFFERS]	    = { 'B', "block devices' page cache (metadata, raw reads)" },
	[VMSCOPE_MEM_SWAPCACHED]    = { 'W', "swap cache: pages also in swap" },
	[VMSCOPE_MEM_SRECLAIMABLE]  = { 'r', "slab the kernel can free (dentries, inodes)" },
	[VMSCOPE_MEM_SUNRECLAIM]    = { 'u', "slab it cannot" },
	[VMSCOPE_MEM_KERNELSTACK]   = { 'k', "kernel stacks, one per thread" },
	[VMSCOPE_MEM_PAGETABLES]    = { 'p', "page tables" },
	[VMSCOPE_MEM_SECPAGETABLES] = { 'P', "secondary page tables (KVM, IOMMU)" },
	[VMSCOPE_MEM_ZSMALLOC]	    = { 'z', "zsmalloc: compressed swap in zram (not in meminfo)" },
	[VMSCOPE_MEM_UNACCOUNTED]   = { '?', "no counter: vmalloc, per-CPU, HugeTLB, drivers" },
};

enum {
	MC_BAR, MC_PART, MC_SIZE, MC_PAGES, MC_PERCENT, MC_WHAT,
};

static const struct col_desc memory_cols[] = {
	[MC_BAR] = { "BAR", "bar", COL_STR, 3, COL_DEFAULT,
		     "the part's letter in the bar" },
	[MC_PART] = { "PART", "part", COL_STR, 15, COL_DEFAULT,
		      "the /proc/meminfo field it is read from" },
	[MC_SIZE] = { "SIZE", "size_bytes", COL_SIZE, 8,
		      COL_DEFAULT | COL_RIGHT, "its size" },
	[MC_PAGES] = { "PAGES", "size_pages", COL_U64, 10, COL_RIGHT,
		       "its size in pages" },
	[MC_PERCENT] = { "PERCENT", "percent", COL_F64, 7,
			 COL_DEFAULT | COL_RIGHT, "its share of MemTotal" },
	[MC_WHAT] = { "WHAT", "what", COL_STR, 0.5, COL_DEFAULT | COL_WRAP,
		      "what it is" },
};

enum {
	MZ_NODE, MZ_ZONE, MZ_FREE,
};

static const struct col_desc zone_cols[] = {
	[MZ_NODE] = { "NODE", "node", COL_U64, 4, COL_DEFAULT | COL_RIGHT,
		      "NUMA node" },
	[MZ_ZONE] = { "ZONE", "zone", COL_STR, 8, COL_DEFAULT,
		      "DMA, DMA32, Normal, Movable, ..." },
	[MZ_FREE] = { "FREE", "free_bytes", COL_SIZE, 8,
		      COL_DEFAULT | COL_RIGHT, "MemFree of the zone",
		      "free_kb", 10 },
};

static void memory_help(FILE *out)
{
	fputs("Usage: vmscope memory [options]\n"
	      "\n"
	      "Every page of RAM (MemTotal), in parts that do not overlap and add\n"
	      "up to it, each read from the counter /proc/meminfo prints it\n"
	      "from; what no counter names is shown as Unaccounted.  Beside it\n"
	      "the line free(1) prints from the same counters, and what each of\n"
	      "free's columns means.\n"
	      "\n"
	      "Options:\n", out);
	cols_help_options(out);
	fputs("  -h, --help           this text\n"
	      "\n"
	      "-o chooses the columns of the parts table.  With -n or -r only\n"
	      "that table is printed.\n"
	      "JSON: {page_size_bytes, total_bytes, breakdown: [one object per\n"
	      "part, keys below; their size_bytes add up to total_bytes], zones:\n"
	      "[MemFree by zone: node, zone, free_bytes], details_bytes {name ->\n"
	      "bytes: Cached, the LRU lists, Mlocked, Mapped, Dirty, Writeback,\n"
	      "MemAvailable}, free_kb {total, used, free, shared, buff_cache,\n"
	      "available: the line free(1) prints, in kB}}.  Deprecated, for one\n"
	      "release: page_size, total_kb, parts {name -> kB}, details {name ->\n"
	      "kB}, free (= free_kb) and each zone's free_kb.\n", out);
	cols_help_columns(out, NULL, memory_cols, ARRAY_SIZE(memory_cols));
	cols_help_columns(out, "Columns of the zones (JSON: zones)", zone_cols,
			  ARRAY_SIZE(zone_cols));
}

static uint64_t bytes(const struct vmscope_memory *m, int i)
{
	return m->pages[i] == VMSCOPE_STAT_NONE ? 0 :
	       m->pages[i] * m->page_size;
}

/* free(1) of procps 4: used = total - available; buff/cache has slab. */
struct free_line {
	uint64_t total, used, free, shared, buff_cache, available;
};

/* in kB, as free(1) prints it */
static void free_line(const struct vmscope_memory *m, struct free_line *f)
{
	f->total = bytes(m, VMSCOPE_MEM_MEMTOTAL) >> 10;
	f->free = bytes(m, VMSCOPE_MEM_MEMFREE) >> 10;
	f->shared = bytes(m, VMSCOPE_MEM_SHMEM) >> 10;
	f->buff_cache = (bytes(m, VMSCOPE_MEM_BUFFERS) +
			 bytes(m, VMSCOPE_MEM_CACHED) +
			 bytes(m, VMSCOPE_MEM_SRECLAIMABLE)) >> 10;
	f->available = bytes(m, VMSCOPE_MEM_MEMAVAILABLE) >> 10;
	f->used = f->total > f->available ? f->total - f->available : 0;
}

static void parts_table(const struct vmscope_memory *m,
			const struct cols_opts *co, struct json *j)
{
	uint64_t total = m->pages[VMSCOPE_MEM_MEMTOTAL];
	struct col_val cv[ARRAY_SIZE(memory_cols)];
	char letter[VMSCOPE_MEM_NR_PARTS][2];
	struct cols c;
	int i;

	cols_init(&c, memory_cols, ARRAY_SIZE(memory_cols), co);
	cols_begin(&c, j, "breakdown");
	for (i = 0; i < VMSCOPE_MEM_NR_PARTS; i++) {
		if (m->pages[i] == VMSCOPE_STAT_NONE)
			continue;
		letter[i][0] = mem_parts[i].letter;
		letter[i][1] = '\0';
		cv[MC_BAR] = CV_S(letter[i]);
		cv[MC_PART] = CV_S(mem_names[i]);
		cv[MC_SIZE] = CV_U(bytes(m, i));
		cv[MC_PAGES] = CV_U(m->pages[i]);
		cv[MC_PERCENT] = CV_F(total ? 100.0 * m->pages[i] / total : 0);
		cv[MC_WHAT] = CV_S(mem_parts[i].what);
		cols_row(&c, cv);
	}
	cols_end(&c);
}

static void zones_table(const struct vmscope_memory *m,
			const struct cols_opts *co, struct json *j)
{
	struct col_val cv[ARRAY_SIZE(zone_cols)];
	struct cols_opts zo = *co;
	struct cols c;
	uint32_t i;

	zo.list = NULL;
	cols_init(&c, zone_cols, ARRAY_SIZE(zone_cols), &zo);
	cols_begin(&c, j, "zones");
	for (i = 0; i < nr_zones; i++) {
		if (!(zones[i].flags & VMSCOPE_ZONE_POPULATED))
			continue;
		cv[MZ_NODE] = CV_U(zones[i].node);
		cv[MZ_ZONE] = CV_S(zones[i].name);
		cv[MZ_FREE] = CV_U(zones[i].free * m->page_size);
		cols_row(&c, cv);
	}
	cols_end(&c);
}

static void json_free(struct json *j, const char *key,
		      const struct free_line *f)
{
	json_open(j, key, '{');
	json_u64(j, "total", f->total);
	json_u64(j, "used", f->used);
	json_u64(j, "free", f->free);
	json_u64(j, "shared", f->shared);
	json_u64(j, "buff_cache", f->buff_cache);
	json_u64(j, "available", f->available);
	json_close(j, '}');
}

/* @shift: 0 for details_bytes, 10 for the old details (kB) */
static void json_details(struct json *j, const char *key,
			 const struct vmscope_memory *m, int shift)
{
	uint32_t i;

	json_open(j, key, '{');
	for (i = VMSCOPE_MEM_NR_PARTS; i < m->nr && i < VMSCOPE_MEM_NR; i++)
		if (i < VMSCOPE_MEM_NR_DIRTIED)
			json_u64(j, mem_names[i], bytes(m, i) >> shift);
	json_close(j, '}');
}

static void memory_json(const struct vmscope_memory *m,
			const struct cols_opts *co)
{
	struct free_line f;
	struct json j;
	uint32_t i;

	free_line(m, &f);
	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "page_size_bytes", m->page_size);
	json_u64(&j, "total_bytes", bytes(m, VMSCOPE_MEM_MEMTOTAL));
	parts_table(m, co, &j);
	zones_table(m, co, &j);
	json_details(&j, "details_bytes", m, 0);
	json_free(&j, "free_kb", &f);
	/* the keys of vmscope 0.1, kept for one release */
	json_u64(&j, "page_size", m->page_size);
	json_u64(&j, "total_kb", bytes(m, VMSCOPE_MEM_MEMTOTAL) >> 10);
	json_open(&j, "parts", '{');
	for (i = 0; i < VMSCOPE_MEM_NR_PARTS; i++)
		if (m->pages[i] != VMSCOPE_STAT_NONE)
			json_u64(&j, mem_names[i], bytes(m, i) >> 10);
	json_close(&j, '}');
	json_details(&j, "details", m, 10);
	json_free(&j, "free", &f);
	json_close(&j, '}');
}

/* The bar: BAR_WIDTH cells, each part as many as its share rounds to. */
static void memory_bar(const struct vmscope_memory *m)
{
	uint64_t total = m->pages[VMSCOPE_MEM_MEMTOTAL], acc = 0;
	int i, drawn = 0, upto;

	putchar('[');
	for (i = 0; i < VMSCOPE_MEM_NR_PARTS; i++) {
		if (m->pages[i] == VMSCOPE_STAT_NONE)
			continue;
		acc += m->pages[i];
		upto = total ? (int)(acc * BAR_WIDTH / total) : 0;
		if (upto > BAR_WIDTH)
			upto = BAR_WIDTH;
		for (; drawn < upto; drawn++)
			putchar(mem_parts[i].letter);
	}
	for (; drawn < BAR_WIDTH; drawn++)
		putchar(' ');
	puts("]");
}

static void memory_print(const struct vmscope_memory *m,
			 const struct cols_opts *co)
{
	struct free_line f;
	char h[32];
	int i;

	if (co->noheadings || co->raw) {
		parts_table(m, co, NULL);
		return;
	}
	printf("MemTotal %s: every page of RAM, from the kernel's counters\n\n",
	       cols_size(co, bytes(m, VMSCOPE_MEM_MEMTOTAL), h, sizeof(h)));
	memory_bar(m);
	putchar('\n');
	parts_table(m, co, NULL);
	printf("\nMemFree by zone:\n");
	zones_table(m, co, NULL);
	printf("\nDetails (not parts):");
	for (i = VMSCOPE_MEM_CACHED + 1; i < VMSCOPE_MEM_MEMAVAILABLE; i++)
		printf("%s%s %s", (i - VMSCOPE_MEM_CACHED) % 4 == 1 ?
		       "\n  " : ", ", mem_names[i],
		       cols_size(co, bytes(m, i), h, sizeof(h)));
	putchar('\n');

	free_line(m, &f);
	printf("\nfree(1) would print (kB):\n"
	       "%15s %11s %11s %11s %11s %11s\n"
	       "Mem: %10" PRIu64 " %11" PRIu64 " %11" PRIu64 " %11" PRIu64
	       " %11" PRIu64 " %11" PRIu64 "\n\n",
	       "total", "used", "free", "shared", "buff/cache", "available",
	       f.total, f.used, f.free, f.shared, f.buff_cache, f.available);
	puts("  total       MemTotal: RAM the kernel manages (installed, minus firmware\n"
	     "              reservations and the kernel image)\n"
	     "  used        total - available: what could not be had without swapping\n"
	     "  free        MemFree: pages nobody uses at all (wasted, in a sense)\n"
	     "  shared      Shmem: tmpfs and shared anonymous memory (inside buff/cache)\n"
	     "  buff/cache  Buffers + Cached + SReclaimable: caches the kernel can\n"
	     "              shrink, tmpfs included (which it cannot drop, only swap)\n"
	     "  available   MemAvailable: the kernel's estimate of what a new program\n"
	     "              could get without swapping (free + reclaimable caches)");
}

static int memory_run(int argc, char **argv)
{
	struct cols_opts co = { .cmd = "memory" };
	struct vmscope_memory m;
	struct cols c;
	int fd;

	cols_options(argc, argv, &co, memory_help, 0);
	/* an unknown column is a usage error before anything is read */
	cols_init(&c, memory_cols, ARRAY_SIZE(memory_cols), &co);
	fd = vmscope_open();
	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	vmscope_ioctl(fd, VMSCOPE_IOC_MEMORY, &m, "VMSCOPE_IOC_MEMORY");
	get_zones(fd);
	if (co.json)
		memory_json(&m, &co);
	else
		memory_print(&m, &co);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_memory = {
	.name = "memory",
	.summary = "where RAM goes: every page, beside free(1)",
	.run = memory_run,
	.help = memory_help,
};
