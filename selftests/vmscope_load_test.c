// SPDX-License-Identifier: GPL-2.0
/*
 * Load and unload the vmscope module again and again while other processes
 * read its /proc files and hold /dev/vmscope open: no warning, no leak, and
 * unload is refused (-EWOULDBLOCK) while the device is open.
 *
 * Needs VMSCOPE_KO, the path of vmscope.ko (the test VM sets it).  Leaves
 * the module loaded, as it found it.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#define LOAD_CYCLES	50
#define NR_HAMMERS	3
#define UNLOAD_TRIES	20000

static int load(int kofd)
{
	return vmscope_load(kofd, "");
}

static int unload(void)
{
	return vmscope_unload();
}

static bool loaded(void)
{
	return vmscope_loaded();
}

/* Unload, retrying while a hammer holds the device; count the refusals. */
static int unload_retry(int *busy)
{
	int i, ret = -EBUSY;

	for (i = 0; i < UNLOAD_TRIES; i++) {
		ret = unload();
		if (ret != -EBUSY && ret != -EAGAIN)
			break;
		(*busy)++;
		usleep(500);
	}
	return ret;
}

/* Readers: any error other than "not there right now" is a failure. */
static void hammer_proc(void)
{
	char buf[4096];

	for (;;) {
		int fd = open(VMSCOPE_PROC_DIR "/info", O_RDONLY);

		if (fd < 0) {
			if (errno != ENOENT)
				_exit(20);
			continue;
		}
		if (read(fd, buf, sizeof(buf)) < 0 && errno != EIO)
			_exit(21);
		close(fd);
	}
}

static void hammer_dev(void)
{
	for (;;) {
		struct vmscope_info in = { .size = sizeof(in) };
		int fd = vmscope_open_dev();

		if (fd < 0) {
			if (fd != -ENOENT && fd != -ENXIO && fd != -ENODEV)
				_exit(22);
			continue;
		}
		if (vmscope_ioctl(fd, VMSCOPE_IOC_INFO, &in) ||
		    in.levels < 4)
			_exit(23);
		usleep(200);
		close(fd);
	}
}

FIXTURE(load)
{
	int kofd;
	bool was_loaded;
};

FIXTURE_SETUP(load)
{
	const char *ko = getenv("VMSCOPE_KO");

	self->kofd = -1;
	if (!ko)
		SKIP(return, "VMSCOPE_KO (path of vmscope.ko) not set");
	self->kofd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->kofd);
	self->was_loaded = loaded();
	if (self->was_loaded)
		ASSERT_EQ(0, unload());
}

FIXTURE_TEARDOWN(load)
{
	if (self->kofd < 0)
		return;
	if (self->was_loaded && !loaded())
		EXPECT_EQ(0, load(self->kofd));
	close(self->kofd);
}

TEST_F(load, unload_refused_while_device_open)
{
	int fd;

	ASSERT_EQ(0, load(self->kofd));
	fd = vmscope_open_dev();
	ASSERT_LE(0, fd);
	/* O_NONBLOCK: refused at once with EWOULDBLOCK, as rmmod sees it. */
	EXPECT_EQ(-EWOULDBLOCK, unload());
	EXPECT_TRUE(loaded());
	close(fd);
	EXPECT_EQ(0, unload());
	EXPECT_FALSE(loaded());
}

/* A /proc file open across the unload reads -EIO afterwards, not stale data. */
TEST_F(load, proc_file_open_across_unload)
{
	char buf[256];
	int fd;

	ASSERT_EQ(0, load(self->kofd));
	fd = open(VMSCOPE_PROC_DIR "/info", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, unload());
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	close(fd);
	EXPECT_NE(0, access(VMSCOPE_PROC_DIR, F_OK));
}

TEST_F_TIMEOUT(load, cycles_under_readers, 600)
{
	void (*hammers[NR_HAMMERS])(void) = {
		hammer_proc, hammer_dev, hammer_dev,
	};
	pid_t pids[NR_HAMMERS];
	int i, busy = 0, status;

	for (i = 0; i < NR_HAMMERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			hammers[i]();
	}

	for (i = 0; i < LOAD_CYCLES; i++) {
		ASSERT_EQ(0, load(self->kofd));
		usleep(2000);
		ASSERT_EQ(0, unload_retry(&busy));
	}
	TH_LOG("%d cycles, %d unloads refused while in use", LOAD_CYCLES,
	       busy);

	/* Every hammer must still be running: none hit an unexpected error. */
	for (i = 0; i < NR_HAMMERS; i++) {
		EXPECT_EQ(0, waitpid(pids[i], &status, WNOHANG));
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &status, 0);
	}
	EXPECT_FALSE(loaded());
}

TEST_HARNESS_MAIN
