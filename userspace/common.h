/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the vmscope subcommands: talking to /dev/vmscope and formatting.
 */
#ifndef VMSCOPE_COMMON_H
#define VMSCOPE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <linux/vmscope.h>

/* One subcommand: "vmscope NAME ARGS...". */
struct vmscope_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*help)(FILE *out);
};

extern const struct vmscope_cmd vmscope_cmd_info;

int vmscope_open(void);
void vmscope_ioctl(int fd, unsigned long cmd, void *arg, const char *what);
const char *size_to_human(uint64_t bytes, char *buf, size_t len);

#endif
