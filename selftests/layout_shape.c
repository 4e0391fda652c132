// SPDX-License-Identifier: GPL-2.0
/*
 * A process of known shape for vmscope_layout_test, built both static and
 * dynamic: 1 MiB of bss, 64 KiB of initialised data, a const table, a grown
 * heap, a 4 MiB malloc, a shared mapping and two threads.  It writes the
 * address of each ("name address" lines) to stdout, then stops itself.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NR_THREADS 2

static char bss[1 << 20];
static char data[64 << 10] = { 1 };
static const char rodata[16 << 10] = { 2 };
static pthread_barrier_t barrier;
static void *thread_stack[NR_THREADS];

static void *thread_main(void *arg)
{
	char here;

	thread_stack[(uintptr_t)arg] = &here;
	pthread_barrier_wait(&barrier);
	pause();
	return NULL;
}

int main(void)
{
	pthread_t t[NR_THREADS];
	char *big, *shared, *heap = NULL;
	volatile char sum = 0;
	char on_stack;
	uintptr_t i;

	memset(bss, 3, sizeof(bss));
	for (i = 0; i < sizeof(data); i += 4096)
		data[i]++;
	for (i = 0; i < sizeof(rodata); i += 4096)
		sum += rodata[i];
	for (i = 0; i < 64; i++)		/* small: from the heap */
		heap = malloc(1024);
	big = malloc(4 << 20);			/* large: an mmap of its own */
	memset(big, 4, 4 << 20);
	shared = mmap(NULL, 256 << 10, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!heap || !big || shared == MAP_FAILED)
		return 1;
	memset(shared, 5, 256 << 10);

	pthread_barrier_init(&barrier, NULL, NR_THREADS + 1);
	for (i = 0; i < NR_THREADS; i++)
		if (pthread_create(&t[i], NULL, thread_main, (void *)i))
			return 1;
	pthread_barrier_wait(&barrier);

	printf("text %p\nbss %p\ndata %p\nrodata %p\nheap %p\nbig %p\n"
	       "shared %p\nstack %p\n", (void *)main, (void *)bss,
	       (void *)data, (void *)rodata, heap, big, shared, &on_stack);
	for (i = 0; i < NR_THREADS; i++)
		printf("thread %p\n", thread_stack[i]);
	fflush(stdout);
	for (;;)
		raise(SIGSTOP);
}
