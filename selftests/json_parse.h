/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, strict JSON parser (RFC 8259) for the tests of the CLI's JSON:
 * a document either parses whole into a tree or is rejected, so a test
 * that reads a key through it also proves the document valid.  Integers
 * are kept exact (u64/i64) besides their double value.  Nothing is freed:
 * the tests are short-lived.
 */
#ifndef VMSCOPE_JSON_PARSE_H
#define VMSCOPE_JSON_PARSE_H

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype t;
	bool b;
	bool is_int;		/* J_NUM without fraction or exponent */
	double num;
	uint64_t u;		/* is_int and not negative */
	int64_t i;		/* is_int */
	char *s;		/* J_STR */
	int n;			/* J_ARR, J_OBJ: members */
	struct jv **v;
	char **k;		/* J_OBJ: keys */
};

struct jp {
	const char *p;
	int depth;
};

static struct jv *jp_value(struct jp *jp);

static void jp_ws(struct jp *jp)
{
	while (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' ||
	       *jp->p == '\r')
		jp->p++;
}

static struct jv *jv_new(enum jtype t)
{
	struct jv *v = calloc(1, sizeof(*v));

	if (v)
		v->t = t;
	return v;
}

static char *jp_string(struct jp *jp)
{
	size_t cap = 16, n = 0;
	char *s = malloc(cap);
	unsigned int c;

	if (!s || *jp->p != '"')
		return NULL;
	jp->p++;
	while (*jp->p != '"') {
		c = (unsigned char)*jp->p;
		if (c < 0x20)
			return NULL;		/* raw control character */
		if (n + 8 >= cap) {
			cap *= 2;
			s = realloc(s, cap);
			if (!s)
				return NULL;
		}
		if (c != '\\') {
			s[n++] = *jp->p++;
			continue;
		}
		jp->p++;
		switch (*jp->p) {
		case '"': case '\\': case '/':
			s[n++] = *jp->p;
			break;
		case 'b': s[n++] = '\b'; break;
		case 'f': s[n++] = '\f'; break;
		case 'n': s[n++] = '\n'; break;
		case 'r': s[n++] = '\r'; break;
		case 't': s[n++] = '\t'; break;
		case 'u':
			if (!isxdigit(jp->p[1]) || !isxdigit(jp->p[2]) ||
			    !isxdigit(jp->p[3]) || !isxdigit(jp->p[4]))
				return NULL;
			c = strtoul((char[]){ jp->p[1], jp->p[2], jp->p[3],
					      jp->p[4], 0 }, NULL, 16);
			s[n++] = c < 0x80 ? (char)c : '?';
			jp->p += 4;
			break;
		default:
			return NULL;
		}
		jp->p++;
	}
	jp->p++;
	s[n] = '\0';
	return s;
}

static struct jv *jp_number(struct jp *jp)
{
	const char *start = jp->p;
	struct jv *v = jv_new(J_NUM);
	bool neg = *jp->p == '-';

	if (!v)
		return NULL;
	if (neg)
		jp->p++;
	if (*jp->p == '0')
		jp->p++;
	else if (isdigit(*jp->p))
		while (isdigit(*jp->p))
			jp->p++;
	else
		return NULL;
	v->is_int = true;
	if (*jp->p == '.') {
		v->is_int = false;
		jp->p++;
		if (!isdigit(*jp->p))
			return NULL;
		while (isdigit(*jp->p))
			jp->p++;
	}
	if (*jp->p == 'e' || *jp->p == 'E') {
		v->is_int = false;
		jp->p++;
		if (*jp->p == '+' || *jp->p == '-')
			jp->p++;
		if (!isdigit(*jp->p))
			return NULL;
		while (isdigit(*jp->p))
			jp->p++;
	}
	v->num = strtod(start, NULL);
	if (v->is_int) {
		errno = 0;
		if (neg) {
			v->i = strtoll(start, NULL, 10);
		} else {
			v->u = strtoull(start, NULL, 10);
			v->i = (int64_t)v->u;
		}
		if (errno)
			return NULL;
	}
	return v;
}

static bool jp_add(struct jv *c, struct jv *kid, char *key)
{
	c->v = realloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->k = realloc(c->k, (c->n + 1) * sizeof(*c->k));
	if (!c->v || !c->k || !kid)
		return false;
	c->v[c->n] = kid;
	c->k[c->n++] = key;
	return true;
}

static struct jv *jp_container(struct jp *jp, char open, char close)
{
	struct jv *c = jv_new(open == '{' ? J_OBJ : J_ARR);
	char *key = NULL;

	if (!c || ++jp->depth > 64)
		return NULL;
	jp->p++;
	jp_ws(jp);
	if (*jp->p == close) {
		jp->p++;
		jp->depth--;
		return c;
	}
	for (;;) {
		jp_ws(jp);
		if (open == '{') {
			key = jp_string(jp);
			if (!key)
				return NULL;
			jp_ws(jp);
			if (*jp->p++ != ':')
				return NULL;
		}
		if (!jp_add(c, jp_value(jp), key))
			return NULL;
		jp_ws(jp);
		if (*jp->p == close)
			break;
		if (*jp->p++ != ',')
			return NULL;
	}
	jp->p++;
	jp->depth--;
	return c;
}

static struct jv *jp_literal(struct jp *jp, const char *word, enum jtype t,
			     bool b)
{
	struct jv *v;

	if (strncmp(jp->p, word, strlen(word)))
		return NULL;
	jp->p += strlen(word);
	v = jv_new(t);
	if (v)
		v->b = b;
	return v;
}

static struct jv *jp_value(struct jp *jp)
{
	struct jv *v;

	jp_ws(jp);
	switch (*jp->p) {
	case '{':
		return jp_container(jp, '{', '}');
	case '[':
		return jp_container(jp, '[', ']');
	case '"':
		v = jv_new(J_STR);
		if (v)
			v->s = jp_string(jp);
		return v && v->s ? v : NULL;
	case 't':
		return jp_literal(jp, "true", J_BOOL, true);
	case 'f':
		return jp_literal(jp, "false", J_BOOL, false);
	case 'n':
		return jp_literal(jp, "null", J_NULL, false);
	default:
		return jp_number(jp);
	}
}

/* One whole document, or NULL if @text is not valid JSON. */
static inline struct jv *json_parse(const char *text)
{
	struct jp jp = { text, 0 };
	struct jv *v = jp_value(&jp);

	if (!v)
		return NULL;
	jp_ws(&jp);
	return *jp.p ? NULL : v;	/* nothing may follow */
}

/* The member @key of object @o, or NULL. */
static inline struct jv *jget(const struct jv *o, const char *key)
{
	int i;

	if (!o || o->t != J_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->k[i], key))
			return o->v[i];
	return NULL;
}

/* An exact unsigned integer member, or @dflt. */
static inline uint64_t jget_u64(const struct jv *o, const char *key,
				uint64_t dflt)
{
	const struct jv *v = jget(o, key);

	return v && v->t == J_NUM && v->is_int ? v->u : dflt;
}

/* A string member ("0x..." addresses too), or NULL. */
static inline const char *jget_str(const struct jv *o, const char *key)
{
	const struct jv *v = jget(o, key);

	return v && v->t == J_STR ? v->s : NULL;
}

#endif
