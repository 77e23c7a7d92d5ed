/*
 * json.c - the JSON writer and reader of json.h.
 *
 * Writer invariant: has_member[d] says whether the container open at depth
 * d already holds a member, so the next one is preceded by ",\n"; after_key
 * says a key was just written and the next value goes on the same line.
 * Reader: recursive descent over a byte buffer (not NUL-terminated), depth
 * bounded by MC_JSON_MAX_DEPTH, line/column kept while skipping whitespace
 * (the only place a newline may legally appear).
 */
#include "sim/json.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mesocosm/error.h"

/* ---- writer -------------------------------------------------------------- */

void mc_json_init(struct mc_json *j, FILE *f)
{
	memset(j, 0, sizeof *j);
	j->f = f;
}

static void put(struct mc_json *j, const char *s)
{
	if (j->err)
		return;
	if (fputs(s, j->f) == EOF)
		j->err = MC_EIO;
}

static void newline_indent(struct mc_json *j, int depth)
{
	put(j, "\n");
	for (int i = 0; i < depth; i++)
		put(j, "  ");
}

/* Separates and indents the next value unless it follows a key. */
static void value_prefix(struct mc_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth == 0)
		return;
	if (j->has_member[j->depth])
		put(j, ",");
	newline_indent(j, j->depth);
	j->has_member[j->depth] = true;
}

static void open_container(struct mc_json *j, const char *open)
{
	value_prefix(j);
	put(j, open);
	if (j->depth + 1 >= MC_JSON_MAX_DEPTH) {
		j->err = MC_EIO;
		return;
	}
	j->depth++;
	j->has_member[j->depth] = false;
}

static void close_container(struct mc_json *j, const char *close)
{
	if (j->depth <= 0) {
		j->err = MC_EIO;
		return;
	}
	bool had = j->has_member[j->depth];
	j->depth--;
	if (had)
		newline_indent(j, j->depth);
	put(j, close);
}

void mc_json_begin_object(struct mc_json *j) { open_container(j, "{"); }
void mc_json_end_object(struct mc_json *j) { close_container(j, "}"); }
void mc_json_begin_array(struct mc_json *j) { open_container(j, "["); }
void mc_json_end_array(struct mc_json *j) { close_container(j, "]"); }

void mc_json_write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void raw_string(struct mc_json *j, const char *s)
{
	if (j->err)
		return;
	mc_json_write_string(j->f, s);
	if (ferror(j->f))
		j->err = MC_EIO;
}

void mc_json_key(struct mc_json *j, const char *key)
{
	if (j->depth == 0) {
		j->err = MC_EIO;
		return;
	}
	if (j->has_member[j->depth])
		put(j, ",");
	newline_indent(j, j->depth);
	j->has_member[j->depth] = true;
	raw_string(j, key);
	put(j, ": ");
	j->after_key = true;
}

void mc_json_string(struct mc_json *j, const char *s)
{
	if (!s) {
		mc_json_null(j);
		return;
	}
	value_prefix(j);
	raw_string(j, s);
}

void mc_json_int(struct mc_json *j, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)v);
	value_prefix(j);
	put(j, buf);
}

void mc_json_uint(struct mc_json *j, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
	value_prefix(j);
	put(j, buf);
}

int mc_json_format_real(double x, char *buf, size_t size)
{
	char tmp[48];
	if (!isfinite(x))
		return snprintf(buf, size, "null");
	if (x == 0.0)
		return snprintf(buf, size, "0.0");
	/* Round to 6 significant digits once; the exponent is that of the
	 * rounded value, so the fixed form below rounds at the same digit. */
	snprintf(tmp, sizeof tmp, "%.5e", x);
	char *e = strchr(tmp, 'e');
	int exp10 = atoi(e + 1);
	if (exp10 >= -6 && exp10 < 15) {
		int prec = 5 - exp10;
		if (prec < 0)
			prec = 0;
		double rounded = strtod(tmp, NULL); /* exact below 1e15 < 2^53 */
		snprintf(tmp, sizeof tmp, "%.*f", prec, rounded);
		char *dot = strchr(tmp, '.');
		if (!dot) {
			strcat(tmp, ".0");
		} else {
			size_t n = strlen(tmp);
			while (n > (size_t)(dot - tmp) + 2 && tmp[n - 1] == '0')
				tmp[--n] = '\0';
		}
		if (!strcmp(tmp, "-0.0"))
			strcpy(tmp, "0.0");
		return snprintf(buf, size, "%s", tmp);
	}
	/* Exponent form: strip trailing zeros of the mantissa. */
	char mant[24];
	size_t ml = (size_t)(e - tmp);
	memcpy(mant, tmp, ml);
	mant[ml] = '\0';
	while (ml > 0 && mant[ml - 1] == '0')
		mant[--ml] = '\0';
	if (ml > 0 && mant[ml - 1] == '.')
		mant[--ml] = '\0';
	return snprintf(buf, size, "%se%s%02d", mant, exp10 < 0 ? "-" : "+", abs(exp10));
}

void mc_json_real(struct mc_json *j, double v)
{
	char buf[48];
	mc_json_format_real(v, buf, sizeof buf);
	value_prefix(j);
	put(j, buf);
}

void mc_json_bool(struct mc_json *j, bool v)
{
	value_prefix(j);
	put(j, v ? "true" : "false");
}

void mc_json_null(struct mc_json *j)
{
	value_prefix(j);
	put(j, "null");
}

int mc_json_finish(struct mc_json *j)
{
	put(j, "\n");
	if (j->depth != 0 && !j->err)
		j->err = MC_EIO;
	if (!j->err && ferror(j->f))
		j->err = MC_EIO;
	return j->err;
}

/* ---- reader ----------------------------------------------------------------- */

struct parser {
	const char *s;
	size_t len, pos;
	int line;
	size_t line_start;
	int err_line, err_col;
	char *msg;
	size_t msgsize;
	bool failed;
};

static int col_of(const struct parser *p) { return (int)(p->pos - p->line_start) + 1; }

__attribute__((format(printf, 2, 3))) static void fail(struct parser *p, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	p->err_line = p->line;
	p->err_col = col_of(p);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->msg, p->msgsize, fmt, ap);
	va_end(ap);
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (c == '\n') {
			p->pos++;
			p->line++;
			p->line_start = p->pos;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			p->pos++;
		} else {
			break;
		}
	}
}

static void free_value(struct mc_json_value *v)
{
	while (v) {
		struct mc_json_value *next = v->next;
		free_value(v->child);
		free(v->str);
		free(v->key);
		free(v);
		v = next;
	}
}

static struct mc_json_value *new_value(struct parser *p, enum mc_json_type type)
{
	struct mc_json_value *v = mc_xcalloc(1, sizeof *v);
	v->type = type;
	v->line = p->line;
	v->col = col_of(p);
	return v;
}

static void put_utf8(char *out, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xc0 | (cp >> 6));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xe0 | (cp >> 12));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (char)(0xf0 | (cp >> 18));
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static bool hex4(struct parser *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		if (p->pos >= p->len || !isxdigit((unsigned char)p->s[p->pos])) {
			fail(p, "bad \\u escape");
			return false;
		}
		char c = p->s[p->pos++];
		v = v * 16 + (unsigned)(isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10));
	}
	*out = v;
	return true;
}

/* Parses a string literal at p->pos (which is '"'); returns a heap copy. */
static char *parse_string(struct parser *p)
{
	p->pos++; /* opening quote */
	size_t start = p->pos;
	/* The unescaped text is never longer than the escaped one (a \uXXXX of
	 * 6 bytes gives at most 3, a surrogate pair of 12 gives 4). */
	size_t end = start;
	while (end < p->len && p->s[end] != '"') {
		if (p->s[end] == '\\')
			end++;
		end++;
	}
	char *out = mc_xmalloc(end - start + 1);
	size_t n = 0;
	for (;;) {
		if (p->pos >= p->len) {
			fail(p, "unterminated string");
			break;
		}
		unsigned char c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			out[n] = '\0';
			return out;
		}
		if (c < 0x20) {
			fail(p, "control character in string");
			break;
		}
		if (c != '\\') {
			out[n++] = (char)c;
			p->pos++;
			continue;
		}
		p->pos++;
		if (p->pos >= p->len) {
			fail(p, "unterminated string");
			break;
		}
		char e = p->s[p->pos++];
		switch (e) {
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case '/': out[n++] = '/'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u': {
			unsigned cp;
			if (!hex4(p, &cp))
				goto bad;
			if (cp >= 0xd800 && cp < 0xdc00 && p->pos + 1 < p->len && p->s[p->pos] == '\\' &&
			    p->s[p->pos + 1] == 'u') {
				p->pos += 2;
				unsigned lo;
				if (!hex4(p, &lo))
					goto bad;
				if (lo >= 0xdc00 && lo < 0xe000)
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				else
					cp = 0xfffd;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd;
			}
			if (cp == 0)
				cp = 0xfffd; /* keep strings NUL-terminated */
			put_utf8(out, &n, cp);
			break;
		}
		default:
			p->pos--;
			fail(p, "bad escape '\\%c' in string", e);
			goto bad;
		}
	}
bad:
	free(out);
	return NULL;
}

static struct mc_json_value *parse_value(struct parser *p, int depth);

static struct mc_json_value *parse_number(struct parser *p)
{
	size_t st = p->pos;
	const char *s = p->s;
	size_t i = st;
	if (i < p->len && s[i] == '-')
		i++;
	if (i < p->len && s[i] == '0') {
		i++;
	} else if (i < p->len && s[i] >= '1' && s[i] <= '9') {
		while (i < p->len && isdigit((unsigned char)s[i]))
			i++;
	} else {
		fail(p, "malformed number");
		return NULL;
	}
	if (i < p->len && s[i] == '.') {
		i++;
		if (i >= p->len || !isdigit((unsigned char)s[i])) {
			p->pos = i;
			fail(p, "malformed number: digits expected after '.'");
			return NULL;
		}
		while (i < p->len && isdigit((unsigned char)s[i]))
			i++;
	}
	if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < p->len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= p->len || !isdigit((unsigned char)s[i])) {
			p->pos = i;
			fail(p, "malformed number: digits expected in exponent");
			return NULL;
		}
		while (i < p->len && isdigit((unsigned char)s[i]))
			i++;
	}
	char buf[64];
	size_t n = i - st;
	if (n >= sizeof buf) {
		fail(p, "number too long");
		return NULL;
	}
	memcpy(buf, s + st, n);
	buf[n] = '\0';
	struct mc_json_value *v = new_value(p, MC_JSON_NUMBER);
	v->num = strtod(buf, NULL);
	p->pos = i;
	return v;
}

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);
	if (p->len - p->pos >= n && !memcmp(p->s + p->pos, word, n)) {
		p->pos += n;
		return true;
	}
	return false;
}

static struct mc_json_value *parse_container(struct parser *p, int depth, bool object)
{
	struct mc_json_value *v = new_value(p, object ? MC_JSON_OBJECT : MC_JSON_ARRAY);
	struct mc_json_value **tail = &v->child;
	char close = object ? '}' : ']';
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		skip_ws(p);
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"') {
				fail(p, "object key (a string) expected");
				goto bad;
			}
			key = parse_string(p);
			if (!key)
				goto bad;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				free(key);
				fail(p, "':' expected after object key");
				goto bad;
			}
			p->pos++;
		}
		struct mc_json_value *c = parse_value(p, depth + 1);
		if (!c) {
			free(key);
			goto bad;
		}
		c->key = key;
		*tail = c;
		tail = &c->next;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			return v;
		}
		fail(p, object ? "',' or '}' expected" : "',' or ']' expected");
		goto bad;
	}
bad:
	free_value(v);
	return NULL;
}

static struct mc_json_value *parse_value(struct parser *p, int depth)
{
	skip_ws(p);
	if (depth >= MC_JSON_MAX_DEPTH) {
		fail(p, "nesting deeper than %d", MC_JSON_MAX_DEPTH);
		return NULL;
	}
	if (p->pos >= p->len) {
		fail(p, "unexpected end of input");
		return NULL;
	}
	char c = p->s[p->pos];
	struct mc_json_value *v;
	switch (c) {
	case '{': return parse_container(p, depth, true);
	case '[': return parse_container(p, depth, false);
	case '"': {
		v = new_value(p, MC_JSON_STRING);
		v->str = parse_string(p);
		if (!v->str) {
			free_value(v);
			return NULL;
		}
		return v;
	}
	case 't':
	case 'f':
	case 'n': {
		v = new_value(p, c == 't' ? MC_JSON_TRUE : c == 'f' ? MC_JSON_FALSE : MC_JSON_NULL);
		if (literal(p, c == 't' ? "true" : c == 'f' ? "false" : "null"))
			return v;
		free_value(v);
		fail(p, "unexpected token");
		return NULL;
	}
	default:
		if (c == '-' || isdigit((unsigned char)c))
			return parse_number(p);
		if (isprint((unsigned char)c))
			fail(p, "unexpected character '%c'", c);
		else
			fail(p, "unexpected byte 0x%02x", (unsigned char)c);
		return NULL;
	}
}

int mc_json_parse(struct mc_json_doc *doc, const char *text, size_t len, int *line, int *col,
		  char *msg, size_t msgsize)
{
	char dummy[8];
	struct parser p = {.s = text, .len = len, .line = 1, .msg = msg ? msg : dummy,
			   .msgsize = msg ? msgsize : sizeof dummy};
	doc->root = NULL;
	doc->arena = NULL;
	struct mc_json_value *v = parse_value(&p, 0);
	if (v) {
		skip_ws(&p);
		if (p.pos < p.len) {
			fail(&p, "trailing characters after the document");
			free_value(v);
			v = NULL;
		}
	}
	if (!v) {
		if (line)
			*line = p.err_line;
		if (col)
			*col = p.err_col;
		return MC_EPARSE;
	}
	doc->root = v;
	return 0;
}

void mc_json_doc_release(struct mc_json_doc *doc)
{
	free_value(doc->root);
	doc->root = NULL;
}

const struct mc_json_value *mc_json_get(const struct mc_json_value *v, const char *key)
{
	if (!v || v->type != MC_JSON_OBJECT)
		return NULL;
	for (const struct mc_json_value *c = v->child; c; c = c->next)
		if (c->key && !strcmp(c->key, key))
			return c;
	return NULL;
}

const struct mc_json_value *mc_json_path(const struct mc_json_value *v, const char *path)
{
	char part[128];
	while (v && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof part)
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		v = mc_json_get(v, part);
		path += n + (dot ? 1 : 0);
	}
	return v;
}
