// SPDX-License-Identifier: GPL-2.0
/*
 * Talking to /dev/vmscope with errors that say what to do, and formatting.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "common.h"

/**
 * vmscope_open() - open /dev/vmscope or exit with advice
 *
 * Return: the file descriptor.
 */
int vmscope_open(void)
{
	int fd = open(VMSCOPE_DEVICE, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
		errx(1, "%s not found: the vmscope module is not loaded "
			"(run 'insmod module/vmscope.ko' as root, or "
			"'modprobe vmscope' after 'make install')",
		     VMSCOPE_DEVICE);
	if (errno == EACCES || errno == EPERM)
		errx(1, "%s: permission denied: vmscope is root-only by "
			"default; run as root, or have root load the module "
			"with unprivileged=1", VMSCOPE_DEVICE);
	err(1, "%s", VMSCOPE_DEVICE);
}

/**
 * vmscope_ioctl() - issue an ioctl or exit with advice
 * @fd: from vmscope_open()
 * @cmd: VMSCOPE_IOC_*
 * @arg: the size-prefixed argument
 * @what: what is being asked, for messages
 */
void vmscope_ioctl(int fd, unsigned long cmd, void *arg, const char *what)
{
	if (ioctl(fd, cmd, arg) == 0)
		return;
	if (errno == ENOTTY)
		errx(1, "%s: the loaded vmscope module does not know this "
			"request; load the module built with this CLI", what);
	err(1, "%s", what);
}

/**
 * size_to_human() - format a byte count the way ls -h does (4.0K, 2.0M)
 * @bytes: the size
 * @buf: output buffer
 * @len: its size
 *
 * Return: @buf.
 */
const char *size_to_human(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	unsigned int u = 0;
	uint64_t whole = bytes, rem = 0;

	while (whole >= 1024 && u < sizeof(units) - 2) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%" PRIu64 "B", bytes);
	else if (whole >= 10)
		snprintf(buf, len, "%" PRIu64 "%c", whole + (rem >= 512),
			 units[u]);
	else
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%c", whole,
			 rem * 10 / 1024, units[u]);
	return buf;
}
