// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal streaming JSON writer; see json.h.
 *
 * Written for volume (vmscope layout of a process with 60,000 VMAs is
 * some 12 MB of JSON): numbers are formatted by hand and output is
 * gathered in a buffer of the writer's own, not printf'd token by token.
 * The document is flushed when its outermost bracket closes.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "json.h"

static void json_flush(struct json *j)
{
	if (j->len && fwrite(j->buf, 1, j->len, j->out) != j->len)
		write_error();
	j->len = 0;
}

/*
 * Output is gathered in j->buf: one stdio call per 64 KiB, and tokens are
 * copied byte by byte (they are a few bytes long: a call to memcpy() for
 * each costs more than the copy).
 */
static void out(struct json *j, const char *s, size_t n)
{
	size_t i;

	if (j->len + n > sizeof(j->buf)) {
		json_flush(j);
		if (n > sizeof(j->buf)) {
			if (fwrite(s, 1, n, j->out) != n)
				write_error();
			return;
		}
	}
	for (i = 0; i < n; i++)
		j->buf[j->len + i] = s[i];
	j->len += n;
}

static void out_str(struct json *j, const char *s)
{
	out(j, s, strlen(s));
}

static void out_dec(struct json *j, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	out(j, p, buf + sizeof(buf) - p);
}

static void out_hex(struct json *j, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = digits[v & 15];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	out(j, p, buf + sizeof(buf) - p);
}

void json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->len = 0;
	j->depth = 0;
	j->flat = JSON_MAX_DEPTH;
	j->first[0] = true;
}

/* Plain text inside a JSON string: printable ASCII and UTF-8 sequences. */
static size_t json_plain(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0, n;

	while (u[run] && u[run] != '"' && u[run] != '\\' && u[run] >= 0x20 &&
	       u[run] != 0x7f && (n = utf8_seq_len(u + run)))
		run += n;
	return run;
}

/*
 * A quoted string: runs of plain characters go out in one piece.  A byte
 * that is not UTF-8 (a name is bytes, JSON text is UTF-8) is written as
 * the text \xNN, as the tables show it.
 */
static void json_string(struct json *j, const char *s)
{
	unsigned char c;
	char esc[8];
	size_t run;

	out(j, "\"", 1);
	while (*s) {
		run = json_plain(s);
		out(j, s, run);
		s += run;
		if (!*s)
			break;
		c = *s++;
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		else
			snprintf(esc, sizeof(esc), "\\\\x%02x", c);
		out_str(j, esc);
	}
	out(j, "\"", 1);
}

static const char json_indent[2 * JSON_MAX_DEPTH + 1] =
	"\n                               ";

/* Inside a container opened with json_open_flat(): one line. */
static bool json_inline(const struct json *j)
{
	return j->depth >= j->flat;
}

/* Separator, indentation and "key": before a value (key NULL in arrays). */
static void json_key(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		out_str(j, json_inline(j) ? ", " : ",");
	j->first[j->depth] = false;
	if (j->depth && !json_inline(j))
		out(j, json_indent, 1 + 2 * j->depth);
	if (key) {	/* keys are the program's own: nothing to escape */
		out(j, "\"", 1);
		out_str(j, key);
		out(j, "\": ", 3);
	}
}

void json_open(struct json *j, const char *key, char bracket)
{
	json_key(j, key);
	out(j, &bracket, 1);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

/* An object or array written on one line, for the items of long lists. */
void json_open_flat(struct json *j, const char *key, char bracket)
{
	json_open(j, key, bracket);
	if (j->flat > j->depth)
		j->flat = j->depth;
}

void json_close(struct json *j, char bracket)
{
	bool empty = j->first[j->depth], was_inline = json_inline(j);

	if (j->depth)
		j->depth--;
	if (!empty && !was_inline)
		out(j, json_indent, 1 + 2 * j->depth);
	if (j->flat > j->depth)		/* left the one-line container */
		j->flat = JSON_MAX_DEPTH;
	out(j, &bracket, 1);
	if (!j->depth) {
		out(j, "\n", 1);
		json_flush(j);
	}
}

void json_u64(struct json *j, const char *key, uint64_t val)
{
	json_key(j, key);
	out_dec(j, val);
}

/*
 * A fraction, with two decimals (PSI averages, rates); null for what JSON
 * has no number for (NaN, infinities), and in full what two decimals
 * cannot hold.
 */
void json_f64(struct json *j, const char *key, double val)
{
	char buf[64];
	int n = -1;

	if (isfinite(val)) {
		n = snprintf(buf, sizeof(buf), "%.2f", val);
		if (n <= 0 || n >= (int)sizeof(buf))
			n = snprintf(buf, sizeof(buf), "%.17g", val);
	}
	json_key(j, key);
	if (n > 0 && n < (int)sizeof(buf))
		out(j, buf, n);
	else
		out(j, "null", 4);
}

void json_key_i64(struct json *j, const char *key, int64_t val)
{
	json_key(j, key);
	if (val < 0) {
		out(j, "-", 1);
		out_dec(j, -(uint64_t)val);
	} else {
		out_dec(j, val);
	}
}

void json_hex(struct json *j, const char *key, uint64_t val)
{
	json_key(j, key);
	out(j, "\"", 1);
	out_hex(j, val);
	out(j, "\"", 1);
}

void json_str(struct json *j, const char *key, const char *val)
{
	json_key(j, key);
	json_string(j, val);
}

void json_bool(struct json *j, const char *key, bool val)
{
	json_key(j, key);
	out_str(j, val ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	out_str(j, "null");
}
