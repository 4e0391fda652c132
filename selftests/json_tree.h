/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftests' JSON parser, strict (RFC 8259: objects, arrays, strings
 * with escapes, numbers by the RFC's grammar, true, false, null): a
 * document parses whole into a tree or is rejected, so a test that reads
 * a key through it also proves the document valid; the CLI's --json
 * output is read as a tree, never searched as text.  Integers are kept
 * exactly (u64, i64) as well as as doubles.
 */
#ifndef VMSCOPE_JSON_TREE_H
#define VMSCOPE_JSON_TREE_H

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum jt_type { JT_NULL, JT_BOOL, JT_NUM, JT_STR, JT_ARR, JT_OBJ };

struct jt {
	enum jt_type type;
	bool b, exact;		/* exact: a non-negative integer in u64 */
	bool integer;		/* no fraction, no exponent: exact in i */
	double num;
	uint64_t u;
	int64_t i;
	char *str;		/* JT_STR: the decoded string */
	char *key;		/* member name, inside an object */
	struct jt *kids;	/* JT_ARR, JT_OBJ: the elements */
	size_t n;
};

struct jt_parser {
	const char *p;
	int depth;
};

static void jt_ws(struct jt_parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	       *ps->p == '\r')
		ps->p++;
}

static int jt_value(struct jt_parser *ps, struct jt *v);

static int jt_string(struct jt_parser *ps, char **out)
{
	const char *s = ++ps->p;
	unsigned long c;
	size_t n = 0;
	char *d;

	d = malloc(strlen(s) + 1);
	if (!d)
		return -1;
	for (; *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			goto bad;
		if (*s != '\\') {
			d[n++] = *s;
			continue;
		}
		s++;
		switch (*s) {
		case '"': case '\\': case '/': d[n++] = *s; break;
		case 'b': d[n++] = '\b'; break;
		case 'f': d[n++] = '\f'; break;
		case 'n': d[n++] = '\n'; break;
		case 'r': d[n++] = '\r'; break;
		case 't': d[n++] = '\t'; break;
		case 'u':
			if (!isxdigit(s[1]) || !isxdigit(s[2]) ||
			    !isxdigit(s[3]) || !isxdigit(s[4]))
				goto bad;
			/* ASCII as itself; the tests need no other */
			c = strtoul((char[]){ s[1], s[2], s[3], s[4], 0 },
				    NULL, 16);
			d[n++] = c < 0x80 ? (char)c : '?';
			s += 4;
			break;
		default:
			goto bad;
		}
	}
	d[n] = '\0';
	*out = d;
	ps->p = s + 1;
	return 0;
bad:
	free(d);
	return -1;
}

/* int = -? (0 | [1-9][0-9]*), frac = . [0-9]+, exp = [eE] [+-]? [0-9]+ */
static int jt_number(struct jt_parser *ps, struct jt *v)
{
	const char *s = ps->p, *start = ps->p;
	bool neg = *s == '-';

	if (neg)
		s++;
	if (*s == '0')
		s++;
	else if (isdigit(*s))
		s += strspn(s, "0123456789");
	else
		return -1;
	v->integer = true;
	if (*s == '.') {
		v->integer = false;
		if (!isdigit(*++s))
			return -1;
		s += strspn(s, "0123456789");
	}
	if (*s == 'e' || *s == 'E') {
		v->integer = false;
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit(*s))
			return -1;
		s += strspn(s, "0123456789");
	}
	v->type = JT_NUM;
	v->num = strtod(start, NULL);
	if (v->integer) {
		errno = 0;
		if (neg) {
			v->i = strtoll(start, NULL, 10);
		} else {
			v->u = strtoull(start, NULL, 10);
			v->i = (int64_t)v->u;
			v->exact = true;
		}
		if (errno)
			return -1;
	}
	ps->p = s;
	return 0;
}

static int jt_list(struct jt_parser *ps, struct jt *v, char close, bool obj)
{
	size_t cap = 0;
	struct jt *k;

	v->type = obj ? JT_OBJ : JT_ARR;
	ps->p++;
	jt_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (v->n == cap) {
			cap = cap ? 2 * cap : 8;
			k = realloc(v->kids, cap * sizeof(*k));
			if (!k)
				return -1;
			v->kids = k;
		}
		k = &v->kids[v->n++];
		memset(k, 0, sizeof(*k));
		jt_ws(ps);
		if (obj) {
			if (*ps->p != '"' || jt_string(ps, &k->key))
				return -1;
			jt_ws(ps);
			if (*ps->p++ != ':')
				return -1;
		}
		if (jt_value(ps, k))
			return -1;
		jt_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p++ != close)
			return -1;
		return 0;
	}
}

static int jt_value(struct jt_parser *ps, struct jt *v)
{
	int ret;

	jt_ws(ps);
	if (++ps->depth > 64)
		return -1;
	if (*ps->p == '{')
		ret = jt_list(ps, v, '}', true);
	else if (*ps->p == '[')
		ret = jt_list(ps, v, ']', false);
	else if (*ps->p == '"')
		ret = (v->type = JT_STR, jt_string(ps, &v->str));
	else if (!strncmp(ps->p, "true", 4))
		ret = (v->type = JT_BOOL, v->b = true, ps->p += 4, 0);
	else if (!strncmp(ps->p, "false", 5))
		ret = (v->type = JT_BOOL, ps->p += 5, 0);
	else if (!strncmp(ps->p, "null", 4))
		ret = (v->type = JT_NULL, ps->p += 4, 0);
	else
		ret = jt_number(ps, v);
	ps->depth--;
	return ret;
}

static inline void jt_free(struct jt *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		jt_free(&v->kids[i]);
	free(v->kids);
	free(v->str);
	free(v->key);
	memset(v, 0, sizeof(*v));
}

/* Parse all of @text (one value, blanks around it); 0 or -1. */
static inline int jt_parse(const char *text, struct jt *v)
{
	struct jt_parser ps = { .p = text };

	memset(v, 0, sizeof(*v));
	if (jt_value(&ps, v)) {
		jt_free(v);
		return -1;
	}
	jt_ws(&ps);
	if (*ps.p) {
		jt_free(v);
		return -1;
	}
	return 0;
}

/* A document parsed into a tree of its own, or NULL if it is not JSON. */
static inline struct jt *jt_doc(const char *text)
{
	struct jt *v = malloc(sizeof(*v));

	if (v && jt_parse(text, v)) {
		free(v);
		return NULL;
	}
	return v;
}

/* The member @key of object @v, or NULL. */
static inline const struct jt *jt_get(const struct jt *v, const char *key)
{
	size_t i;

	if (!v || v->type != JT_OBJ)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->kids[i].key, key))
			return &v->kids[i];
	return NULL;
}

/* Element @i of array @v, or NULL. */
static inline const struct jt *jt_at(const struct jt *v, size_t i)
{
	return v && v->type == JT_ARR && i < v->n ? &v->kids[i] : NULL;
}

/* An exact integer member, or @dflt when absent or not an integer. */
static inline uint64_t jt_u64(const struct jt *v, const char *key,
			      uint64_t dflt)
{
	const struct jt *m = jt_get(v, key);

	return m && m->type == JT_NUM && m->exact ? m->u : dflt;
}

/* A number member (integer or not), or @dflt. */
static inline double jt_num(const struct jt *v, const char *key, double dflt)
{
	const struct jt *m = jt_get(v, key);

	return m && m->type == JT_NUM ? m->num : dflt;
}

/* A string member ("0x..." addresses too), or NULL. */
static inline const char *jt_str(const struct jt *v, const char *key)
{
	const struct jt *m = jt_get(v, key);

	return m && m->type == JT_STR ? m->str : NULL;
}

#endif
