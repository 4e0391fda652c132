/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmscope selftests.
 */
#ifndef VMSCOPE_SELFTEST_H
#define VMSCOPE_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/vmscope.h>

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

#endif
