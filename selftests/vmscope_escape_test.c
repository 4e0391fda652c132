// SPDX-License-Identifier: GPL-2.0
/*
 * Text from user space in /proc/vmscope: a file name or a comm holding a
 * newline must not forge a line.  Each is escaped as the kernel's own
 * view escapes it: the path as in /proc/PID/maps, the comm as the Name:
 * of /proc/PID/status.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

/* Read a whole file; its length, or -errno. */
static ssize_t slurp(const char *path, const char *write_first, char *buf,
		     size_t len)
{
	ssize_t n, total = 0;
	int fd = open(path, write_first ? O_RDWR : O_RDONLY);

	if (fd < 0)
		return -errno;
	if (write_first && write(fd, write_first, strlen(write_first)) < 0) {
		close(fd);
		return -errno;
	}
	while ((n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	buf[total] = '\0';
	close(fd);
	return total;
}

/* The line of @text starting with @prefix, copied to @out; 0 if none. */
static int line_of(const char *text, const char *prefix, char *out,
		   size_t len)
{
	const char *p = text;
	size_t n = strlen(prefix);

	for (; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		if (!strncmp(p, prefix, n)) {
			snprintf(out, len, "%.*s", (int)strcspn(p, "\n"), p);
			return 1;
		}
	}
	return 0;
}

static char text[1 << 18], maps[1 << 18];

TEST(layout_path_escaped_as_maps)
{
	const char *path = "/tmp/vmscope-esc\nforged 0 0 0";
	char want[512], got[512], start[32];
	char *p;
	int fd;

	if (access(VMSCOPE_PROC_DIR "/layout", F_OK))
		SKIP(return, "vmscope module not loaded");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 4096));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	snprintf(start, sizeof(start), "%08lx-", (unsigned long)p);
	ASSERT_LT(0, slurp("/proc/self/maps", NULL, maps, sizeof(maps)));
	ASSERT_LT(0, slurp(VMSCOPE_PROC_DIR "/layout", NULL, text,
			   sizeof(text)));
	/* maps: one line, the name escaped (\012), so the shape holds */
	ASSERT_TRUE(line_of(maps, start, want, sizeof(want)));
	ASSERT_NE(NULL, strstr(want, "/tmp/vmscope-esc\\012forged 0 0 0"));
	ASSERT_TRUE(line_of(text, start, got, sizeof(got)));
	/* the same name, last on the line, and no forged line */
	EXPECT_STREQ(strrchr(want, ' ') + 1, strrchr(got, ' ') + 1);
	EXPECT_NE(NULL, strstr(got, "/tmp/vmscope-esc\\012forged 0 0 0"));
	EXPECT_FALSE(line_of(text, "forged", got, sizeof(got)));
	munmap(p, 4096);
	close(fd);
	unlink(path);
}

TEST(oom_comm_escaped_as_status)
{
	char want[64], got[512], prefix[32];
	int ready[2], status;
	pid_t pid;

	if (access(VMSCOPE_PROC_DIR "/oom", F_OK))
		SKIP(return, "vmscope module not loaded");
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char c = 0;

		prctl(PR_SET_NAME, "ab\n1 2 3\\x");
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], want, 1));
	snprintf(prefix, sizeof(prefix), "/proc/%d/status", pid);
	ASSERT_EQ(0, read_key(prefix, "Name", want, sizeof(want)));
	/* status: "ab\n1 2 3\\x", one line */
	EXPECT_STREQ("ab\\n1 2 3\\\\x", want);
	ASSERT_LT(0, slurp(VMSCOPE_PROC_DIR "/oom", NULL, text, sizeof(text)));
	snprintf(prefix, sizeof(prefix), "%d ", pid);
	ASSERT_TRUE(line_of(text, prefix, got, sizeof(got)));
	/* the comm is the last field: what follows the 8th space */
	EXPECT_NE(NULL, strstr(got, want));
	EXPECT_FALSE(line_of(text, "1 2 3", got, sizeof(got)));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

TEST_HARNESS_MAIN
