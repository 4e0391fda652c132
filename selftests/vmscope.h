/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmscope selftests.
 */
#ifndef VMSCOPE_SELFTEST_H
#define VMSCOPE_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/vmscope.h>

/*
 * Under QEMU's TCG, and with KASAN (make check-debug), a test takes many
 * times what it takes on hardware: allow each 5 minutes rather than the
 * harness's 30 seconds.  The VM runner bounds every test program too.
 */
#ifdef TEST_TIMEOUT_DEFAULT
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300
#endif

/*
 * No child of a test outlives the process that forked it.  When an ASSERT
 * fails in a TEST_F, the harness longjmp()s back into its wrapper, whose
 * `child` is not volatile: the grandchild can take itself for the parent
 * and skip the fixture's teardown, which kills the test's children.  One
 * left looping keeps /dev/vmscope open, and every later reload of the
 * module fails with EAGAIN: one failure becomes many.  Every fork() of a
 * test program (pthread_atfork() covers them all) gives the child
 * PR_SET_PDEATHSIG, as selftests that fork helpers do.
 */
static pid_t vmscope_forking_pid;

static void vmscope_fork_prepare(void)
{
	vmscope_forking_pid = getpid();
}

static void vmscope_fork_child(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != vmscope_forking_pid)	/* the parent died first */
		_exit(1);
}

static void __attribute__((constructor)) vmscope_children_die_with_parent(void)
{
	pthread_atfork(vmscope_fork_prepare, NULL, vmscope_fork_child);
}

/* Open /dev/vmscope; -errno on failure. */
static inline int vmscope_open_dev(void)
{
	int fd = open(VMSCOPE_DEVICE, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* ioctl returning 0 or -errno. */
static inline int vmscope_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* Drop one capability from the effective, permitted and inheritable sets. */
static inline int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[cap / 32].effective &= ~(1U << (cap % 32));
	data[cap / 32].permitted &= ~(1U << (cap % 32));
	data[cap / 32].inheritable &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* Load vmscope.ko from an open file with module parameters; 0 or -errno. */
static inline int vmscope_load(int kofd, const char *params)
{
	return syscall(SYS_finit_module, kofd, params, 0) ? -errno : 0;
}

/* Unload vmscope without waiting for users; 0 or -errno. */
static inline int vmscope_unload(void)
{
	return syscall(SYS_delete_module, "vmscope", O_NONBLOCK) ? -errno : 0;
}

static inline int vmscope_loaded(void)
{
	return access("/sys/module/vmscope", F_OK) == 0;
}

/* Reload with @params (from VMSCOPE_KO); 0, -ENOENT without it, -errno. */
static inline int vmscope_reload(const char *params)
{
	const char *ko = getenv("VMSCOPE_KO");
	int fd, ret;

	if (!ko)
		return -ENOENT;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = vmscope_loaded() ? vmscope_unload() : 0;
	if (!ret)
		ret = vmscope_load(fd, params);
	close(fd);
	return ret;
}

/*
 * Read "key: value" from a text file such as /proc/vmscope/info or
 * /proc/self/status into @val (up to @len bytes); 0 or -errno.
 */
static inline int read_key(const char *path, const char *key, char *val,
			   size_t len)
{
	size_t klen = strlen(key);
	char line[512];
	FILE *f = fopen(path, "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		v = line + klen + 1;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		snprintf(val, len, "%s", v);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/* Write @val to the file at @path (sysctl, cgroup, debugfs); 0 or -errno. */
static inline int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), n = strlen(val), ret = 0;

	if (fd < 0)
		return -errno;
	errno = 0;
	if (write(fd, val, n) != n)
		ret = errno ? -errno : -EIO;	/* short write: no errno */
	close(fd);
	return ret;
}

/* SwapTotal of /proc/meminfo, in pages; 0 if it cannot be read. */
static inline unsigned long long swap_total_pages(void)
{
	char val[64];

	if (read_key("/proc/meminfo", "SwapTotal", val, sizeof(val)))
		return 0;
	return strtoull(val, NULL, 10) * 1024 / getpagesize();
}

/* Whether the running kernel is @major.@minor or newer. */
static inline int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma > major || (ma == major && mi >= minor);
}

/* The value of @key in /proc/vmstat; 0 if it is not there. */
static inline unsigned long long read_vmstat(const char *key)
{
	size_t klen = strlen(key);
	unsigned long long v = 0;
	char line[128];
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			v = strtoull(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* A whole-number file such as /proc/PID/oom_score or a cgroup's memory.current; -1 if unreadable. */
static inline long long read_ll(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* CLOCK_MONOTONIC, in seconds. */
static inline double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
