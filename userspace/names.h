/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names for the numbers in include/uapi/linux/vmscope.h.
 */
#ifndef VMSCOPE_NAMES_H
#define VMSCOPE_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

struct flag_name {
	uint32_t flag;
	const char *name;
	const char *meaning;
};

extern const struct flag_name pte_flag_names[];
extern const struct flag_name page_flag_names[];

const char *state_name(uint32_t state);
const char *state_meaning(uint32_t state);
const char *level_name(uint32_t level);
const char *flags_to_str(uint32_t flags, const struct flag_name *names,
			 char *buf, size_t len);
void json_flags(struct json *j, const char *key, uint32_t flags,
		const struct flag_name *names);
void perms_to_str(uint32_t perms, char buf[5]);

#endif
