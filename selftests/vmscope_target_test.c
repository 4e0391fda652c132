// SPDX-License-Identifier: GPL-2.0
/*
 * Which address space a PID names: a process whose main thread has
 * exited (exit(2) of that thread alone) while another thread runs is still that
 * thread's process; vmscope finds its mm through the live thread, as
 * the OOM killer's find_lock_task_mm() does, and agrees with the live
 * thread's /proc/TID/pagemap.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

static void *sleeper(void *arg)
{
	pid_t tid = gettid();

	if (write((int)(long)arg, &tid, sizeof(tid)) != sizeof(tid))
		_exit(3);
	for (;;)
		pause();
	return NULL;
}

/* The child: touch a page, say where, leave only a second thread. */
static void headless_child(int fd)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_t t;

	if (p == MAP_FAILED)
		_exit(1);
	p[0] = 1;
	if (write(fd, &p, sizeof(p)) != sizeof(p) ||
	    pthread_create(&t, NULL, sleeper, (void *)(long)fd))
		_exit(2);
	/* exit(2) of this thread alone (pthread_exit() would need libgcc_s) */
	syscall(SYS_exit, 0);
	_exit(4);
}

/* Whether pagemap of thread @tid of @pid says @addr is present. */
static int pagemap_present(pid_t pid, pid_t tid, uintptr_t addr)
{
	char path[64];
	uint64_t e = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/pagemap", pid, tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	if (pread(fd, &e, 8, addr / 4096 * 8) != 8)
		e = 0;
	close(fd);
	return !!(e >> 63);
}

TEST(main_thread_exited)
{
	struct vmscope_translate tr = { .size = sizeof(tr) };
	char path[64], state[64] = "";
	int p[2], fd, i;
	pid_t pid, tid;
	char *addr;

	fd = vmscope_open_dev();
	if (fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		headless_child(p[1]);
	ASSERT_EQ(sizeof(addr), read(p[0], &addr, sizeof(addr)));
	ASSERT_EQ(sizeof(tid), read(p[0], &tid, sizeof(tid)));
	/* the leader is a zombie, its other thread alive */
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	for (i = 0; i < 500 && state[0] != 'Z'; i++) {
		usleep(10000);
		read_key(path, "State", state, sizeof(state));
	}
	ASSERT_EQ('Z', state[0]);
	ASSERT_EQ(1, pagemap_present(pid, tid, (uintptr_t)addr));

	tr.pid = pid;
	tr.vaddr = (uintptr_t)addr;
	EXPECT_EQ(0, vmscope_ioctl(fd, VMSCOPE_IOC_TRANSLATE, &tr));
	EXPECT_EQ(VMSCOPE_STATE_PRESENT, tr.state);
	/* and through the live thread's id, as before */
	tr.pid = tid;
	EXPECT_EQ(0, vmscope_ioctl(fd, VMSCOPE_IOC_TRANSLATE, &tr));
	EXPECT_EQ(VMSCOPE_STATE_PRESENT, tr.state);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(fd);
}

TEST_HARNESS_MAIN
