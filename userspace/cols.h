/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One column description per view drives its table, its JSON, the column
 * list of its --help and the options every tabular view shares, as
 * util-linux's lsmem and lsblk do with libsmartcols:
 *
 *   -o, --output LIST  the columns (+LIST appends to the default ones)
 *       --output-all   every column
 *   -n, --noheadings   no header line
 *   -r, --raw          one space between columns, no alignment
 *   -b, --bytes        sizes in bytes, not 4.0K
 *   -J, --json         JSON: exact integers, keys with their units
 *
 * JSON keys name their unit: _bytes, _pages, _per_s, _ms, _s; _kb only in
 * the old keys kept as aliases for one release.
 */
#ifndef VMSCOPE_COLS_H
#define VMSCOPE_COLS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "names.h"

enum col_type {
	COL_STR,	/* text */
	COL_U64,	/* a count */
	COL_I64,	/* a signed count */
	COL_F64,	/* a rate or share, two decimals */
	COL_SIZE,	/* bytes: 4.0K in tables (exact with -b), exact in JSON */
	COL_ADDR,	/* an address: hex (whint digits) in tables, "0x..." in JSON */
	COL_BOOL,	/* yes/no in tables, true/false in JSON */
	COL_FLAGS,	/* named bits: "rw user" in tables, a list in JSON */
	COL_U64S,	/* counts: "1 2 3" in tables, a list in JSON */
	COL_PAGES,	/* pages: their size in tables (4.0K, bytes with -b),
			 * the number of pages in JSON (a _pages key) */
	COL_RANGES,	/* [first, last] pairs: "0-3,7" in tables,
			 * [[0, 3], [7, 7]] in JSON */
};

#define COL_DEFAULT	(1U << 0)	/* shown when -o is not given */
#define COL_RIGHT	(1U << 1)	/* right aligned */
#define COL_WRAP	(1U << 2)	/* may wrap (between words) */
#define COL_TRUNC	(1U << 3)	/* may be truncated in a narrow terminal */
#define COL_NOJSON	(1U << 4)	/* a picture: in JSON only if -o names it */

struct col_desc {
	const char *name;	/* header, and the name -o takes */
	const char *key;	/* JSON key, with its unit */
	enum col_type type;
	double whint;		/* width hint: <1 a share of the terminal */
	unsigned int flags;	/* COL_* */
	const char *help;	/* one line for --help and the man page */
	const char *alias;	/* an older JSON key written too, or NULL */
	unsigned int alias_shift; /* the alias holds value >> alias_shift */
};

/* A cell: which member is used follows the column's type. */
struct col_val {
	bool null;		/* unknown or hidden: "-", JSON null */
	union {
		const char *s;
		uint64_t u;
		int64_t i;
		double f;
		bool b;
	};
	uint32_t bits;		/* COL_FLAGS */
	const struct flag_name *names;
	const unsigned long long *us; /* COL_U64S: __u64; COL_RANGES: pairs */
	uint32_t n;		/* entries of us (pairs for COL_RANGES) */
	const char *text;	/* a number's text in tables ("8:1"), or NULL */
};

#define COLS_MAX	32

/* What the shared options asked for; filled by cols_getopt(). */
struct cols_opts {
	const char *cmd;	/* for messages: "vmscope CMD --help" */
	const char *list;	/* -o LIST, or NULL */
	bool all, noheadings, raw, bytes, json;
};

/* A table (or JSON list) being written. */
struct cols {
	const struct col_desc *desc;
	size_t ndesc;
	size_t sel[COLS_MAX];
	size_t nsel;
	const struct cols_opts *o;
	struct json *j;			/* JSON mode: the writer */
	struct libscols_table *tb;	/* table mode */
	bool stream, header_done;	/* a line at a time */
	bool flush;			/* --watch: each line flushed */
	void (*extra)(struct json *j, const void *ctx); /* cols_row_extra() */
	const void *extra_ctx;
};

/* The shared options, for a command's getopt_long() tables. */
#define COLS_SHORTOPTS	"o:nrbJ"
enum { COLS_OPT_OUTPUT_ALL = 0x1000 };
#define COLS_LONGOPTS							\
	{ "output", required_argument, NULL, 'o' },			\
	{ "output-all", no_argument, NULL, COLS_OPT_OUTPUT_ALL },	\
	{ "noheadings", no_argument, NULL, 'n' },			\
	{ "raw", no_argument, NULL, 'r' },				\
	{ "bytes", no_argument, NULL, 'b' },				\
	{ "json", no_argument, NULL, 'J' }

bool cols_getopt(struct cols_opts *o, int c, const char *arg);
void cols_options(int argc, char **argv, struct cols_opts *o,
		  void (*help)(FILE *out), int nargs);
void cols_help_options(FILE *out);
void cols_help_columns(FILE *out, const char *title,
		       const struct col_desc *d, size_t n);

void cols_init(struct cols *c, const struct col_desc *d, size_t n,
	       const struct cols_opts *o);
void cols_begin(struct cols *c, struct json *j, const char *key);
void cols_row(struct cols *c, const struct col_val *v);
void cols_row_extra(struct cols *c, const struct col_val *v,
		    void (*extra)(struct json *j, const void *ctx),
		    const void *ctx);
void cols_end(struct cols *c);
void cols_stream_begin(struct cols *c, bool flush);
void cols_stream_row(struct cols *c, const struct col_val *v);
const char *cols_size(const struct cols_opts *o, uint64_t bytes, char *buf,
		      size_t len);

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Cells, for designated initialisers: [COL_X] = CV_U(n) */
#define CV_S(v)		((struct col_val){ .s = (v) })
#define CV_U(v)		((struct col_val){ .u = (v) })
#define CV_I(v)		((struct col_val){ .i = (v) })
#define CV_F(v)		((struct col_val){ .f = (v) })
#define CV_B(v)		((struct col_val){ .b = (v) })
#define CV_FL(v, n)	((struct col_val){ .bits = (v), .names = (n) })
#define CV_US(v, nr)	((struct col_val){ .us = (v), .n = (nr) })
#define CV_NULL		((struct col_val){ .null = true })
#define CV_UT(v, t)	((struct col_val){ .u = (v), .text = (t) })
#define CV_RG(v, nr)	((struct col_val){ .us = (v), .n = (nr) })

#endif
