/*-------------------------------------------------------------------------
 *
 * util.c
 *	  Memory, growable strings, messages, aligned tables and JSON for the
 *	  schemamig client.
 *
 * Every allocation goes through x*alloc, which exits on out-of-memory, so
 * callers never see NULL.  Messages follow one format: the first line
 * "schemamig: error: ..." says what went wrong; "detail:" and "hint:" lines
 * may follow.
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void vmessage(const char *level, const char *fmt, va_list ap) CLI_PRINTF(2, 0);
static void put_cell(StrBuf *sb, const char *s);
static size_t display_width(const char *s);
static void json_escape(StrBuf *sb, const char *s);
static void json_value(JsonWriter *w);

/* ------------------------------------------------------------ memory */

void *
xmalloc(size_t size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
	{
		fputs("schemamig: error: out of memory\n", stderr);
		cli_exit(EXIT_REFUSED);
	}
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void	   *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
	{
		fputs("schemamig: error: out of memory\n", stderr);
		cli_exit(EXIT_REFUSED);
	}
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	   *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ------------------------------------------------------------ StrBuf */

void
sb_init(StrBuf *sb)
{
	sb->cap = 64;
	sb->len = 0;
	sb->data = xmalloc(sb->cap);
	sb->data[0] = '\0';
}

/* make room for n more bytes and the terminating NUL */
static void
sb_reserve(StrBuf *sb, size_t n)
{
	if (n >= (size_t) -1 / 2 - sb->len)
	{
		fputs("schemamig: error: out of memory\n", stderr);
		cli_exit(EXIT_REFUSED);
	}
	if (sb->len + n + 1 > sb->cap)
	{
		while (sb->len + n + 1 > sb->cap)
			sb->cap *= 2;
		sb->data = xrealloc(sb->data, sb->cap);
	}
}

void
sb_putn(StrBuf *sb, const char *s, size_t n)
{
	sb_reserve(sb, n);
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void
sb_puts(StrBuf *sb, const char *s)
{
	sb_putn(sb, s, strlen(s));
}

void
sb_putc(StrBuf *sb, char c)
{
	sb_putn(sb, &c, 1);
}

void
sb_printf(StrBuf *sb, const char *fmt,...)
{
	for (;;)
	{
		size_t		avail = sb->cap - sb->len;
		va_list		ap;
		int			n;

		va_start(ap, fmt);
		n = vsnprintf(sb->data + sb->len, avail, fmt, ap);
		va_end(ap);
		if (n < 0)
		{
			/* only an invalid format does this; keep the buffer valid */
			sb->data[sb->len] = '\0';
			return;
		}
		if ((size_t) n < avail)
		{
			sb->len += n;
			return;
		}
		sb_reserve(sb, (size_t) n);
	}
}

void
sb_free(StrBuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

/* ----------------------------------------------------------- StrList */

void
sl_push_own(StrList *sl, char *s)
{
	if (sl->n == sl->cap)
	{
		sl->cap = sl->cap ? sl->cap * 2 : 4;
		sl->items = xrealloc(sl->items, sizeof(char *) * sl->cap);
	}
	sl->items[sl->n++] = s;
}

void
sl_push(StrList *sl, const char *s)
{
	sl_push_own(sl, xstrdup(s));
}

void
sl_free(StrList *sl)
{
	int			i;

	for (i = 0; i < sl->n; i++)
		free(sl->items[i]);
	free(sl->items);
	sl->items = NULL;
	sl->n = sl->cap = 0;
}

/*
 * split_words
 *		Append the words of a space- or comma-separated list to out, as the
 *		server splits directive lists.
 */
void
split_words(const char *s, StrList *out)
{
	const char *p = s;

	while (*p)
	{
		const char *start;

		while (*p && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
					  *p == '\f' || *p == '\v' || *p == ','))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
					   *p == '\f' || *p == '\v' || *p == ','))
			p++;
		sl_push_own(out, xstrndup(start, p - start));
	}
}

/* the items joined by sep, malloc'd */
char *
join_words(const StrList *sl, const char *sep)
{
	StrBuf		sb;
	int			i;

	sb_init(&sb);
	for (i = 0; i < sl->n; i++)
	{
		if (i > 0)
			sb_puts(&sb, sep);
		sb_puts(&sb, sl->items[i]);
	}
	return sb.data;
}

/* ---------------------------------------------------------- messages */

static void
vmessage(const char *level, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "schemamig: %s: ", level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_error(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vmessage("error", fmt, ap);
	va_end(ap);
}

void
cli_warning(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vmessage("warning", fmt, ap);
	va_end(ap);
}

/*
 * cli_note
 *		A "detail:", "hint:" or "context:" line after an error; a text of
 *		several lines gets the label on each.
 */
void
cli_note(const char *label, const char *text)
{
	const char *p = text;

	if (text == NULL || text[0] == '\0')
		return;
	while (*p)
	{
		const char *eol = strchr(p, '\n');
		size_t		n = eol ? (size_t) (eol - p) : strlen(p);

		if (n > 0)
			fprintf(stderr, "%s: %.*s\n", label, (int) n, p);
		if (eol == NULL)
			break;
		p = eol + 1;
	}
}

void
die(int status, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vmessage("error", fmt, ap);
	va_end(ap);
	cli_exit(status);
}

void
die_usage(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vmessage("error", fmt, ap);
	va_end(ap);
	fputs("Try \"schemamig --help\" for more information.\n", stderr);
	cli_exit(EXIT_USAGE);
}

/* exit with status, closing the connection first */
void
cli_exit(int status)
{
	fflush(stdout);
	cli_disconnect();
	exit(status);
}

/* ------------------------------------------------------------ tables */

void
table_init(Table *t, int ncols, const char *const *headers)
{
	t->ncols = ncols;
	t->nrows = 0;
	t->caprows = 0;
	t->cells = NULL;
	table_add(t, headers);
}

/* add a row of ncols cells (NULL = empty), copying them */
void
table_add(Table *t, const char *const *cells)
{
	int			i;

	if (t->nrows == t->caprows)
	{
		t->caprows = t->caprows ? t->caprows * 2 : 16;
		t->cells = xrealloc(t->cells,
							sizeof(char *) * t->ncols * (size_t) t->caprows);
	}
	for (i = 0; i < t->ncols; i++)
	{
		StrBuf		sb;

		sb_init(&sb);
		put_cell(&sb, cells[i] ? cells[i] : "");
		t->cells[(size_t) t->nrows * t->ncols + i] = sb.data;
	}
	t->nrows++;
}

/* a cell's text on one line: control characters become spaces */
static void
put_cell(StrBuf *sb, const char *s)
{
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		sb_putc(sb, (c < 0x20 || c == 0x7f) ? ' ' : (char) c);
	}
}

/* characters, not bytes, of a UTF-8 string */
static size_t
display_width(const char *s)
{
	size_t		w = 0;

	for (; *s; s++)
		if (((unsigned char) *s & 0xC0) != 0x80)
			w++;
	return w;
}

/*
 * table_print
 *		Columns separated by two spaces and padded to their widest cell;
 *		the last column is not padded, so no line has trailing blanks.
 */
void
table_print(const Table *t, FILE *out)
{
	size_t	   *width = xmalloc(sizeof(size_t) * t->ncols);
	int			r,
				c;

	for (c = 0; c < t->ncols; c++)
	{
		width[c] = 0;
		for (r = 0; r < t->nrows; r++)
		{
			size_t		w = display_width(t->cells[(size_t) r * t->ncols + c]);

			if (w > width[c])
				width[c] = w;
		}
	}
	for (r = 0; r < t->nrows; r++)
	{
		StrBuf		line;
		int			last = t->ncols - 1;

		/* trailing empty cells leave no blanks behind */
		while (last > 0 && t->cells[(size_t) r * t->ncols + last][0] == '\0')
			last--;
		sb_init(&line);
		for (c = 0; c <= last; c++)
		{
			const char *cell = t->cells[(size_t) r * t->ncols + c];

			sb_puts(&line, cell);
			if (c < last)
			{
				size_t		pad = width[c] - display_width(cell) + 2;

				while (pad-- > 0)
					sb_putc(&line, ' ');
			}
		}
		fprintf(out, "%s\n", line.data);
		sb_free(&line);
	}
	free(width);
}

void
table_free(Table *t)
{
	size_t		i;

	for (i = 0; i < (size_t) t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->caprows = 0;
}

/* -------------------------------------------------------------- JSON */

void
json_init(JsonWriter *w)
{
	sb_init(&w->out);
	w->depth = 0;
	w->first = true;
	w->after_key = false;
}

/* what goes before a value: a comma, a new line, the indentation */
static void
json_value(JsonWriter *w)
{
	int			i;

	if (w->after_key)
	{
		w->after_key = false;
		return;
	}
	if (w->depth > 0)
	{
		if (!w->first)
			sb_putc(&w->out, ',');
		sb_putc(&w->out, '\n');
		for (i = 0; i < w->depth; i++)
			sb_puts(&w->out, "  ");
	}
	w->first = false;
}

void
json_begin(JsonWriter *w, char open)
{
	json_value(w);
	sb_putc(&w->out, open);
	w->depth++;
	w->first = true;
}

void
json_end(JsonWriter *w, char close)
{
	int			i;

	w->depth--;
	if (!w->first)
	{
		sb_putc(&w->out, '\n');
		for (i = 0; i < w->depth; i++)
			sb_puts(&w->out, "  ");
	}
	sb_putc(&w->out, close);
	w->first = false;
}

void
json_key(JsonWriter *w, const char *key)
{
	json_value(w);
	json_escape(&w->out, key);
	sb_puts(&w->out, ": ");
	w->after_key = true;
}

/* a string value; NULL is null */
void
json_string(JsonWriter *w, const char *s)
{
	json_value(w);
	if (s == NULL)
		sb_puts(&w->out, "null");
	else
		json_escape(&w->out, s);
}

void
json_bool(JsonWriter *w, bool b)
{
	json_value(w);
	sb_puts(&w->out, b ? "true" : "false");
}

/* a value that is JSON text already (from the server's to_json) */
void
json_raw(JsonWriter *w, const char *json)
{
	json_value(w);
	sb_puts(&w->out, json ? json : "null");
}

/* a space-separated list of words as an array of strings, on one line */
void
json_words(JsonWriter *w, const char *words)
{
	StrList		sl = {0};
	int			i;

	json_value(w);
	if (words != NULL)
		split_words(words, &sl);
	sb_putc(&w->out, '[');
	for (i = 0; i < sl.n; i++)
	{
		if (i > 0)
			sb_puts(&w->out, ", ");
		json_escape(&w->out, sl.items[i]);
	}
	sb_putc(&w->out, ']');
	sl_free(&sl);
}

void
json_print(JsonWriter *w, FILE *out)
{
	fprintf(out, "%s\n", w->out.data);
	sb_free(&w->out);
}

/*
 * json_escape
 *		s as a JSON string: quote, backslash and control characters escaped
 *		(RFC 8259); other bytes, UTF-8 included, as they are.
 */
static void
json_escape(StrBuf *sb, const char *s)
{
	sb_putc(sb, '"');
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		switch (c)
		{
			case '"':
				sb_puts(sb, "\\\"");
				break;
			case '\\':
				sb_puts(sb, "\\\\");
				break;
			case '\b':
				sb_puts(sb, "\\b");
				break;
			case '\f':
				sb_puts(sb, "\\f");
				break;
			case '\n':
				sb_puts(sb, "\\n");
				break;
			case '\r':
				sb_puts(sb, "\\r");
				break;
			case '\t':
				sb_puts(sb, "\\t");
				break;
			default:
				if (c < 0x20)
					sb_printf(sb, "\\u%04x", c);
				else
					sb_putc(sb, (char) c);
		}
	}
	sb_putc(sb, '"');
}
