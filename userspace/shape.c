// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope-shape: a process with a known memory shape, to look at with
 * vmscope (the demo tour and the documentation use it).  It maps, prints
 * "NAME ADDRESS BYTES" for each region, then waits to be killed:
 *
 *   touched    1 MiB of anonymous memory, every page written
 *   sparse     1 MiB, every fourth page written (the rest: demand paging)
 *   thp        4 MiB, 2 MiB aligned, MADV_HUGEPAGE, written
 *   swapped    256 KiB written, then MADV_PAGEOUT (swapped if swap is on)
 *   shared     256 KiB of MAP_SHARED anonymous memory (shmem), written
 *   guard      64 KiB of PROT_NONE
 */
#define _GNU_SOURCE
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE	4096UL
#define MIB	(1UL << 20)

static char *map(size_t len, int prot, int flags)
{
	char *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		err(1, "mmap %zu bytes", len);
	return p;
}

static void touch(char *p, size_t len, size_t step)
{
	size_t i;

	for (i = 0; i < len; i += step)
		p[i] = 1;
}

static void region(const char *name, const void *p, size_t len)
{
	printf("%-8s %#lx %zu\n", name, (unsigned long)(uintptr_t)p, len);
}

int main(int argc, char **argv)
{
	char *touched, *sparse, *thp, *swapped, *shared, *guard;

	if (argc > 1) {
		fprintf(stderr, "usage: %s (no arguments)\n", argv[0]);
		return 2;
	}
	touched = map(MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	touch(touched, MIB, PAGE);
	sparse = map(MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	touch(sparse, MIB, 4 * PAGE);
	thp = map(6 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	thp = (char *)(((uintptr_t)thp + 2 * MIB - 1) & ~(2 * MIB - 1));
	madvise(thp, 4 * MIB, MADV_HUGEPAGE);
	touch(thp, 4 * MIB, PAGE);
	swapped = map(MIB / 4, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	memset(swapped, 0x5a, MIB / 4);
	madvise(swapped, MIB / 4, MADV_PAGEOUT);
	shared = map(MIB / 4, PROT_READ | PROT_WRITE, MAP_SHARED);
	touch(shared, MIB / 4, PAGE);
	/* a page of nothing above the guard, so nothing sits right on it */
	guard = map(68 * 1024, PROT_NONE, MAP_PRIVATE);
	munmap(guard + 64 * 1024, 4096);

	region("touched", touched, MIB);
	region("sparse", sparse, MIB);
	region("thp", thp, 4 * MIB);
	region("swapped", swapped, MIB / 4);
	region("shared", shared, MIB / 4);
	region("guard", guard, 64 * 1024);
	fflush(stdout);
	for (;;)
		pause();
}
