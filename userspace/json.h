/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal streaming JSON writer: exact integers, escaped strings,
 * addresses as "0x..." strings, nesting tracked so commas are automatic.
 */
#ifndef VMSCOPE_JSON_H
#define VMSCOPE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

#define JSON_BUF_SIZE 65536

struct json {
	FILE *out;
	int depth;
	int flat;	/* depth from which objects are written on one line */
	bool first[JSON_MAX_DEPTH];
	size_t len;	/* bytes waiting in buf */
	char buf[JSON_BUF_SIZE];
};

void json_init(struct json *j, FILE *out);
void json_open(struct json *j, const char *key, char bracket);
void json_open_flat(struct json *j, const char *key, char bracket);
void json_close(struct json *j, char bracket);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_f64(struct json *j, const char *key, double val);
void json_key_i64(struct json *j, const char *key, int64_t val);
void json_hex(struct json *j, const char *key, uint64_t val);
void json_str(struct json *j, const char *key, const char *val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

#endif
