// SPDX-License-Identifier: GPL-2.0
/*
 * The column layer: see cols.h.  Tables are drawn by libsmartcols, JSON is
 * written by json.c (exact integers), --watch lines a row at a time.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libsmartcols.h>

#include "common.h"
#include "cols.h"

/**
 * cols_getopt() - handle one of the options every tabular view shares
 * @o: the options so far
 * @c: what getopt_long() returned
 * @arg: its optarg
 *
 * Return: whether @c was one of them.
 */
bool cols_getopt(struct cols_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'o':
		o->list = arg;
		break;
	case COLS_OPT_OUTPUT_ALL:
		o->all = true;
		break;
	case 'n':
		o->noheadings = true;
		break;
	case 'r':
		o->raw = true;
		break;
	case 'b':
		o->bytes = true;
		break;
	case 'J':
		o->json = true;
		break;
	default:
		return false;
	}
	return true;
}

/**
 * cols_options() - parse the options of a view that has only the shared ones
 * @argc: argument count, starting at the command name
 * @argv: arguments
 * @o: filled in; o->cmd names the command for messages
 * @help: the command's help
 * @nargs: how many positional arguments the command takes
 *
 * Exits on --help (0), and on unknown options or a wrong argument count
 * (2); on return the positional arguments are argv[optind..].
 */
void cols_options(int argc, char **argv, struct cols_opts *o,
		  void (*help)(FILE *out), int nargs)
{
	static const struct option opts[] = {
		COLS_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, COLS_SHORTOPTS "h", opts,
				NULL)) != -1) {
		if (cols_getopt(o, c, optarg))
			continue;
		if (c == 'h') {
			help(stdout);
			exit(EXIT_SUCCESS);
		}
		errx(EXIT_USAGE, "try 'vmscope %s --help'", o->cmd);
	}
	if (argc - optind != nargs)
		errx(EXIT_USAGE, "%s takes %d argument%s; try 'vmscope %s --help'",
		     o->cmd, nargs, nargs == 1 ? "" : "s", o->cmd);
}

/* The lines of --help for the shared options (the man page repeats them). */
void cols_help_options(FILE *out)
{
	fputs("  -o, --output LIST    the columns to show, by name or JSON key\n"
	      "                       (+LIST: the default ones and LIST)\n"
	      "      --output-all     every column\n"
	      "  -n, --noheadings     no header line\n"
	      "  -r, --raw            columns separated by one space, not aligned\n"
	      "  -b, --bytes          sizes in bytes, not 4.0K\n"
	      "  -J, --json           JSON: exact integers, keys with their unit;\n"
	      "                       every column unless -o is given\n", out);
}

static const char *type_unit(const struct col_desc *d)
{
	switch (d->type) {
	case COL_SIZE:
		return "bytes";
	case COL_PAGES:
		return "pages";
	case COL_ADDR:
		return "address";
	case COL_FLAGS:
	case COL_U64S:
	case COL_RANGES:
		return "list";
	case COL_BOOL:
		return "boolean";
	case COL_STR:
		return "string";
	default:
		return "number";
	}
}

/**
 * cols_help_columns() - the column list of --help
 * @out: where
 * @title: "Available output columns", or the table's name
 * @d: the view's columns
 * @n: how many
 *
 * Default columns are marked with '*'; each line gives the JSON key and
 * type.  scripts/mkman.sh reads these lines into the man page.
 */
void cols_help_columns(FILE *out, const char *title,
		       const struct col_desc *d, size_t n)
{
	size_t i;

	fprintf(out, "\n%s (* shown by default; JSON key, type):\n",
		title ? title : "Available output columns");
	for (i = 0; i < n; i++)
		fprintf(out, " %c%-12s %s [%s, %s]\n",
			d[i].flags & COL_DEFAULT ? '*' : ' ', d[i].name,
			d[i].help, d[i].key, type_unit(&d[i]));
}

/* A column by its name (any case) or by its JSON key. */
static size_t col_lookup(const struct cols *c, const char *name, size_t len)
{
	const struct col_desc *d;
	size_t i;

	for (i = 0; i < c->ndesc; i++) {
		d = &c->desc[i];
		if ((strlen(d->name) == len &&
		     !strncasecmp(d->name, name, len)) ||
		    (strlen(d->key) == len && !strncmp(d->key, name, len)))
			return i;
	}
	errx(EXIT_USAGE, "unknown column '%.*s'; 'vmscope %s --help' lists them",
	     (int)len, name, c->o->cmd);
}

static void col_add(struct cols *c, size_t id)
{
	if (c->nsel == COLS_MAX)
		errx(EXIT_USAGE, "too many columns");
	c->sel[c->nsel++] = id;
}

/* -o LIST: comma-separated names, + in front appends to the defaults */
static void cols_parse(struct cols *c, const char *list)
{
	const char *p = list, *end;

	if (*p == '+')
		p++;
	else
		c->nsel = 0;
	if (!*p)
		errx(EXIT_USAGE, "-o needs a list of columns; 'vmscope %s --help' "
		     "lists them", c->o->cmd);
	for (; *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ",");
		if (end == p)
			errx(EXIT_USAGE, "empty column name in '%s'", list);
		col_add(c, col_lookup(c, p, end - p));
	}
}

/**
 * cols_init() - choose the columns of a view from its options
 * @c: initialised here
 * @d: the view's columns
 * @n: how many
 * @o: the options (must outlive @c)
 *
 * Without -o: the default columns, or in JSON all of them but the
 * pictures (COL_NOJSON); with --output-all: all.  Exits with 2 on an
 * unknown name.
 */
void cols_init(struct cols *c, const struct col_desc *d, size_t n,
	       const struct cols_opts *o)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->desc = d;
	c->ndesc = n;
	c->o = o;
	for (i = 0; i < n; i++)
		if (o->json && !o->list ? !(d[i].flags & COL_NOJSON) :
		    o->all || (d[i].flags & COL_DEFAULT))
			col_add(c, i);
	if (o->list && !o->all)
		cols_parse(c, o->list);
}

/*
 * Wrapping between words (libsmartcols alone wraps anywhere): a cell is
 * cut into chunks as wide as the column libsmartcols chose, at spaces; a
 * word longer than that is a chunk of its own.  The column is never
 * narrower than its longest word (wrap_chunksize).
 */
#define UNUSED __attribute__((unused))

static size_t wrap_chunksize(const struct libscols_column *cl UNUSED,
			     const char *data, void *userdata UNUSED)
{
	size_t max = 0, len;

	while (*data) {
		len = strcspn(data, " ");
		if (len > max)
			max = len;
		data += len;
		data += strspn(data, " ");
	}
	return max;
}

static char *wrap_nextchunk(const struct libscols_column *cl,
			    char *data, void *userdata UNUSED)
{
	size_t width = scols_column_get_width(cl), used = 0, len;
	char *p = data;

	if (!data || !*data)
		return NULL;
	for (;;) {
		len = strcspn(p, " ");
		if (used && used + len > width)
			break;
		used += len;
		p += len;
		if (!*p)
			return NULL;
		if (used + 1 + strcspn(p + 1, " ") > width)
			break;
		p++;
		used++;
	}
	*p = '\0';
	return p + 1;
}

static void cols_table_new(struct cols *c)
{
	struct libscols_column *cl;
	const struct col_desc *d;
	bool fit;
	size_t i;
	int fl;

	c->tb = scols_new_table();
	if (!c->tb)
		err(1, "failed to create a table");
	scols_table_enable_noheadings(c->tb, c->o->noheadings);
	scols_table_enable_raw(c->tb, c->o->raw);
	/*
	 * One row a line, however narrow the terminal, unless a column may
	 * wrap or be truncated; never into a pipe or a file.
	 */
	for (i = 0; i < c->nsel; i++)
		if (c->desc[c->sel[i]].flags & (COL_WRAP | COL_TRUNC))
			break;
	fit = i < c->nsel && isatty(STDOUT_FILENO);
	if (!fit)
		scols_table_set_termforce(c->tb, SCOLS_TERMFORCE_NEVER);
	for (i = 0; i < c->nsel; i++) {
		d = &c->desc[c->sel[i]];
		fl = (d->flags & COL_RIGHT ? SCOLS_FL_RIGHT : 0) |
		     (fit && d->flags & COL_TRUNC ? SCOLS_FL_TRUNC : 0) |
		     (fit && d->flags & COL_WRAP ? SCOLS_FL_WRAP : 0);
		cl = scols_table_new_column(c->tb, d->name, d->whint, fl);
		if (!cl)
			err(1, "failed to create a table");
		if (fit && d->flags & COL_WRAP)
			scols_column_set_wrapfunc(cl, wrap_chunksize,
						  wrap_nextchunk, NULL);
	}
}

/**
 * cols_begin() - start a table, or a JSON list under @key
 * @c: from cols_init()
 * @j: the JSON writer, its object open, in JSON mode; else unused
 * @key: the list's key in that object
 */
void cols_begin(struct cols *c, struct json *j, const char *key)
{
	if (c->o->json) {
		c->j = j;
		json_open(j, key, '[');
		return;
	}
	cols_table_new(c);
}

/**
 * cols_size() - a size as a table shows it: 4.0K, or bytes with -b
 * @o: the options
 * @bytes: the size
 * @buf: output
 * @len: its size
 *
 * Return: @buf.
 */
const char *cols_size(const struct cols_opts *o, uint64_t bytes, char *buf,
		      size_t len)
{
	if (o->bytes || !bytes)
		snprintf(buf, len, "%" PRIu64, bytes);
	else
		size_to_human(bytes, buf, len);
	return buf;
}

/* "1 2 3", cut short (ending in "...") where @buf ends */
static const char *u64s_to_str(const struct col_val *v, char *buf,
			       size_t len)
{
	size_t used = 0;
	uint32_t i;
	int n;

	buf[0] = '\0';
	for (i = 0; i < v->n; i++) {
		n = snprintf(buf + used, len - used, "%s%llu",
			     i ? " " : "", v->us[i]);
		if (n < 0 || (size_t)n >= len - used) {
			snprintf(buf + (len > 4 ? len - 4 : 0), 4, "...");
			break;
		}
		used += n;
	}
	return buf;
}

/* "0-3,7", cut short (ending in "...") where @buf ends */
static const char *ranges_to_str(const struct col_val *v, char *buf,
				 size_t len)
{
	unsigned long long a, b;
	size_t used = 0;
	uint32_t i;
	int n;

	buf[0] = '\0';
	for (i = 0; i < v->n; i++) {
		a = v->us[2 * i];
		b = v->us[2 * i + 1];
		n = a == b ? snprintf(buf + used, len - used, "%s%llu",
				      i ? "," : "", a) :
			     snprintf(buf + used, len - used, "%s%llu-%llu",
				      i ? "," : "", a, b);
		if (n < 0 || (size_t)n >= len - used) {
			snprintf(buf + (len > 4 ? len - 4 : 0), 4, "...");
			break;
		}
		used += n;
	}
	return buf;
}

/* A cell as text. */
static const char *cell_text(const struct cols *c, const struct col_desc *d,
			     const struct col_val *v, char *buf, size_t len)
{
	static long page;

	if (v->null)
		return "-";
	if (v->text)
		return v->text;
	switch (d->type) {
	case COL_STR:
		return v->s ? v->s : "";
	case COL_U64:
		snprintf(buf, len, "%" PRIu64, v->u);
		break;
	case COL_I64:
		snprintf(buf, len, "%" PRId64, v->i);
		break;
	case COL_F64:
		snprintf(buf, len, "%.2f", v->f);
		break;
	case COL_SIZE:
		return cols_size(c->o, v->u, buf, len);
	case COL_ADDR:		/* as many digits as the width hint */
		snprintf(buf, len, "%0*" PRIx64,
			 d->whint >= 1 ? (int)d->whint : 12, v->u);
		break;
	case COL_BOOL:
		return v->b ? "yes" : "no";
	case COL_FLAGS:
		return flags_to_str(v->bits, v->names, buf, len);
	case COL_U64S:
		return u64s_to_str(v, buf, len);
	case COL_PAGES:
		if (!page)
			page = sysconf(_SC_PAGESIZE);
		return cols_size(c->o, v->u * page, buf, len);
	case COL_RANGES:
		return ranges_to_str(v, buf, len);
	}
	return buf;
}

static void json_cell(struct json *j, const struct col_desc *d,
		      const struct col_val *v)
{
	uint32_t i;

	if (v->null) {
		json_null(j, d->key);
		if (d->alias)
			json_null(j, d->alias);
		return;
	}
	switch (d->type) {
	case COL_STR:
		json_str(j, d->key, v->s ? v->s : "");
		break;
	case COL_U64:
	case COL_SIZE:
	case COL_PAGES:
		json_u64(j, d->key, v->u);
		if (d->alias)
			json_u64(j, d->alias, v->u >> d->alias_shift);
		return;
	case COL_I64:
		json_key_i64(j, d->key, v->i);
		break;
	case COL_F64:
		json_f64(j, d->key, v->f);
		break;
	case COL_ADDR:
		json_hex(j, d->key, v->u);
		break;
	case COL_BOOL:
		json_bool(j, d->key, v->b);
		break;
	case COL_FLAGS:
		json_flags(j, d->key, v->bits, v->names);
		break;
	case COL_U64S:
		json_open(j, d->key, '[');
		for (i = 0; i < v->n; i++)
			json_u64(j, NULL, v->us[i]);
		json_close(j, ']');
		break;
	case COL_RANGES:
		json_open(j, d->key, '[');
		for (i = 0; i < v->n; i++) {
			json_open(j, NULL, '[');
			json_u64(j, NULL, v->us[2 * i]);
			json_u64(j, NULL, v->us[2 * i + 1]);
			json_close(j, ']');
		}
		json_close(j, ']');
		break;
	}
}

static void json_row(struct cols *c, const struct col_val *v)
{
	size_t i;

	json_open_flat(c->j, NULL, '{');
	for (i = 0; i < c->nsel; i++)
		json_cell(c->j, &c->desc[c->sel[i]], &v[c->sel[i]]);
	if (c->extra)
		c->extra(c->j, c->extra_ctx);
	json_close(c->j, '}');
}

/**
 * cols_row_extra() - one row, and in JSON what no column can hold
 * @c: after cols_begin()
 * @v: the cells, indexed by column
 * @extra: writes more keys into the row's JSON object (nested lists,
 *	   deprecated keys); not called for tables
 * @ctx: for @extra
 */
void cols_row_extra(struct cols *c, const struct col_val *v,
		    void (*extra)(struct json *j, const void *ctx),
		    const void *ctx)
{
	c->extra = extra;
	c->extra_ctx = ctx;
	cols_row(c, v);
	c->extra = NULL;
	c->extra_ctx = NULL;
}

/**
 * cols_row() - one row: a table line or a JSON object
 * @c: after cols_begin()
 * @v: the cells, indexed by column (all of the view's columns)
 */
void cols_row(struct cols *c, const struct col_val *v)
{
	struct libscols_line *ln;
	char buf[256];
	size_t i;

	if (c->o->json) {
		json_row(c, v);
		return;
	}
	ln = scols_table_new_line(c->tb, NULL);
	if (!ln)
		err(1, "failed to add a table row");
	for (i = 0; i < c->nsel; i++)
		if (scols_line_set_data(ln, i,
					cell_text(c, &c->desc[c->sel[i]],
						  &v[c->sel[i]], buf,
						  sizeof(buf))))
			err(1, "failed to add a table row");
}

/**
 * cols_end() - print the table, or close the JSON list
 * @c: after cols_begin()
 */
void cols_end(struct cols *c)
{
	if (c->o->json) {
		json_close(c->j, ']');
		return;
	}
	scols_print_table(c->tb);
	scols_unref_table(c->tb);
	c->tb = NULL;
}

/* --watch: widths fixed up front, from the width hints and the headers */
static int stream_width(const struct col_desc *d)
{
	int w = strlen(d->name);

	return d->whint >= 1 && d->whint > w ? (int)d->whint : w;
}

/* printf's width for column @i: right or left aligned, the last unpadded */
static int stream_pad(const struct cols *c, size_t i)
{
	const struct col_desc *d = &c->desc[c->sel[i]];

	if (d->flags & COL_RIGHT)
		return stream_width(d);
	return i + 1 == c->nsel ? 0 : -stream_width(d);
}

/**
 * cols_stream_begin() - rows printed as they come, not gathered in a table
 * @c: from cols_init()
 * @flush: flush each row (--watch)
 *
 * For --watch and for lists too long to hold; column widths come from
 * the width hints.  In JSON mode every row is one JSON object on a line
 * of its own (JSON lines).
 */
void cols_stream_begin(struct cols *c, bool flush)
{
	c->stream = true;
	c->flush = flush;
	c->header_done = c->o->noheadings || c->o->json;
}

static void stream_header(struct cols *c)
{
	const struct col_desc *d;
	size_t i;

	for (i = 0; i < c->nsel; i++) {
		d = &c->desc[c->sel[i]];
		if (c->o->raw)
			printf("%s%s", i ? " " : "", d->name);
		else
			printf("%s%*s", i ? " " : "", stream_pad(c, i),
			       d->name);
	}
	putchar('\n');
	c->header_done = true;
}

/**
 * cols_stream_row() - one row of a --watch stream, flushed
 * @c: after cols_stream_begin()
 * @v: the cells, indexed by column
 */
void cols_stream_row(struct cols *c, const struct col_val *v)
{
	const struct col_desc *d;
	char buf[256], esc[1024];
	struct json j;
	size_t i;

	if (c->o->json) {
		json_init(&j, stdout);
		c->j = &j;
		json_row(c, v);		/* closes at depth 0: line + flush */
		c->j = NULL;
	} else {
		if (!c->header_done)
			stream_header(c);
		for (i = 0; i < c->nsel; i++) {
			d = &c->desc[c->sel[i]];
			/* names are bytes: escaped as libsmartcols does */
			text_escape(cell_text(c, d, &v[c->sel[i]], buf,
					      sizeof(buf)),
				    esc, sizeof(esc), c->o->raw);
			if (c->o->raw)
				printf("%s%s", i ? " " : "", esc);
			else
				printf("%s%*s", i ? " " : "",
				       stream_pad(c, i), esc);
		}
		putchar('\n');
	}
	if (c->flush && fflush(stdout))
		write_error();
}
