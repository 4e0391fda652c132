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

static void memory_help(FILE *out)
{
	fputs("Usage: vmscope memory [--json]\n"
	      "\n"
	      "Every page of RAM (MemTotal), in parts that do not overlap and add\n"
	      "up to it, each read from the counter /proc/meminfo prints it\n"
	      "from; what no counter names is shown as Unaccounted.  Beside it\n"
	      "the line free(1) prints from the same counters, and what each of\n"
	      "free's columns means.\n"
	      "\n"
	      "Options:\n"
	      "  -J, --json   machine-readable output\n"
	      "  -h, --help   this text\n"
	      "\n"
	      "Columns: PART (a /proc/meminfo field) SIZE PERCENT WHAT\n"
	      "JSON keys: page_size, total_kb, parts (name -> kB, adding up to\n"
	      "total_kb), zones (node, zone, free_kb: MemFree by zone), details (name -> kB: MemTotal, Cached, the LRU lists,\n"
	      "Mlocked, Mapped, Dirty, Writeback, MemAvailable), free (total,\n"
	      "used, free, shared, buff_cache, available in kB, as free(1)).\n",
	      out);
}

static uint64_t kb(const struct vmscope_memory *m, int i)
{
	return m->pages[i] == VMSCOPE_STAT_NONE ? 0 :
	       m->pages[i] * (m->page_size / 1024);
}

/* free(1) of procps 4: used = total - available; buff/cache has slab. */
struct free_line {
	uint64_t total, used, free, shared, buff_cache, available;
};

static void free_line(const struct vmscope_memory *m, struct free_line *f)
{
	f->total = kb(m, VMSCOPE_MEM_MEMTOTAL);
	f->free = kb(m, VMSCOPE_MEM_MEMFREE);
	f->shared = kb(m, VMSCOPE_MEM_SHMEM);
	f->buff_cache = kb(m, VMSCOPE_MEM_BUFFERS) + kb(m, VMSCOPE_MEM_CACHED) +
			kb(m, VMSCOPE_MEM_SRECLAIMABLE);
	f->available = kb(m, VMSCOPE_MEM_MEMAVAILABLE);
	f->used = f->total > f->available ? f->total - f->available : 0;
}

static void memory_json(const struct vmscope_memory *m)
{
	struct free_line f;
	struct json j;
	uint32_t i;

	free_line(m, &f);
	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "page_size", m->page_size);
	json_u64(&j, "total_kb", kb(m, VMSCOPE_MEM_MEMTOTAL));
	json_open(&j, "parts", '{');
	for (i = 0; i < VMSCOPE_MEM_NR_PARTS; i++)
		if (m->pages[i] != VMSCOPE_STAT_NONE)
			json_u64(&j, mem_names[i], kb(m, i));
	json_close(&j, '}');
	json_open(&j, "details", '{');
	for (i = VMSCOPE_MEM_NR_PARTS; i < m->nr && i < VMSCOPE_MEM_NR; i++)
		if (i < VMSCOPE_MEM_NR_DIRTIED)
			json_u64(&j, mem_names[i], kb(m, i));
	json_close(&j, '}');
	json_open(&j, "zones", '[');
	for (i = 0; i < nr_zones; i++) {
		if (!(zones[i].flags & VMSCOPE_ZONE_POPULATED))
			continue;
		json_open_flat(&j, NULL, '{');
		json_u64(&j, "node", zones[i].node);
		json_str(&j, "zone", zones[i].name);
		json_u64(&j, "free_kb", zones[i].free * (m->page_size / 1024));
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_open(&j, "free", '{');
	json_u64(&j, "total", f.total);
	json_u64(&j, "used", f.used);
	json_u64(&j, "free", f.free);
	json_u64(&j, "shared", f.shared);
	json_u64(&j, "buff_cache", f.buff_cache);
	json_u64(&j, "available", f.available);
	json_close(&j, '}');
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

static void memory_print(const struct vmscope_memory *m)
{
	uint64_t total = m->pages[VMSCOPE_MEM_MEMTOTAL];
	struct free_line f;
	char h[16];
	int i;

	printf("MemTotal %s: every page of RAM, from the kernel's counters\n\n",
	       size_to_human(total * m->page_size, h, sizeof(h)));
	memory_bar(m);
	printf("\n  %-15s %8s %6s  %s\n", "PART", "SIZE", "%", "WHAT");
	for (i = 0; i < VMSCOPE_MEM_NR_PARTS; i++) {
		if (m->pages[i] == VMSCOPE_STAT_NONE)
			continue;
		printf("%c %-15s %8s %5.1f%%  %s\n", mem_parts[i].letter,
		       mem_names[i],
		       size_to_human(m->pages[i] * m->page_size, h, sizeof(h)),
		       total ? 100.0 * m->pages[i] / total : 0.0,
		       mem_parts[i].what);
	}
	printf("\nMemFree by zone:");
	for (i = 0; i < (int)nr_zones; i++)
		if (zones[i].flags & VMSCOPE_ZONE_POPULATED)
			printf(" %s %s", zones[i].name,
			       size_to_human(zones[i].free * m->page_size, h,
					     sizeof(h)));
	printf("\nDetails (not parts):");
	for (i = VMSCOPE_MEM_CACHED + 1; i < VMSCOPE_MEM_MEMAVAILABLE; i++)
		printf("%s%s %s", (i - VMSCOPE_MEM_CACHED) % 4 == 1 ?
		       "\n  " : ", ", mem_names[i],
		       size_to_human(kb(m, i) << 10, h, sizeof(h)));
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
	struct vmscope_memory m;
	bool json = json_option(argc, argv, "memory",
				memory_help, 0);
	int fd = vmscope_open();

	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	vmscope_ioctl(fd, VMSCOPE_IOC_MEMORY, &m, "VMSCOPE_IOC_MEMORY");
	get_zones(fd);
	if (json)
		memory_json(&m);
	else
		memory_print(&m);
	return 0;
}

const struct vmscope_cmd vmscope_cmd_memory = {
	.name = "memory",
	.summary = "where RAM goes: every page, beside free(1)",
	.run = memory_run,
	.help = memory_help,
};
