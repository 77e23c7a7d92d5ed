/*
 * json.h - a small streaming JSON writer and a small JSON reader, both for
 * the run directory's files (summary.json, perf.json) and `mesocosm compare`.
 *
 * Writer: pretty-printed (two-space indent, one member per line), keys in
 * call order, so the same calls always give the same bytes. Numbers:
 *   - integers exactly (mc_json_int / mc_json_uint);
 *   - reals by one fixed rule (mc_json_format_real): rounded to 6
 *     significant digits, printed without an exponent when
 *     1e-6 <= |x| < 1e15 (else as d.ddddde+XX), trailing zeros dropped but
 *     always with a '.' or an exponent (3600 -> "3600.0"), -0 as "0.0";
 *     NaN and infinities as null.
 * Errors are sticky: the first failed write sets j->err (MC_EIO) and later
 * calls do nothing; check it once at the end.
 *
 * Reader: parses a whole document from a string into a tree of
 * mc_json_value nodes (arena owned by struct mc_json_doc). On malformed
 * input it reports line and column (1-based). Depth is limited to 64.
 */
#ifndef MC_SIM_JSON_H
#define MC_SIM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MC_JSON_MAX_DEPTH 64

/* ---- writer ------------------------------------------------------------- */

struct mc_json {
	FILE *f;
	int depth;
	int err;                          /* 0 or MC_EIO, sticky */
	bool has_member[MC_JSON_MAX_DEPTH]; /* a value was written at this depth */
	bool after_key;                   /* the next value follows "key": */
};

/* Starts writing one document to f (borrowed). */
void mc_json_init(struct mc_json *j, FILE *f);
/* Finishes the document (a newline) and returns j->err, also MC_EIO when
 * objects or arrays are left open. Does not close f. */
int mc_json_finish(struct mc_json *j);

void mc_json_begin_object(struct mc_json *j);
void mc_json_end_object(struct mc_json *j);
void mc_json_begin_array(struct mc_json *j);
void mc_json_end_array(struct mc_json *j);
/* The key of the next object member (escaped as needed). */
void mc_json_key(struct mc_json *j, const char *key);
void mc_json_string(struct mc_json *j, const char *s); /* NULL writes null */
void mc_json_int(struct mc_json *j, int64_t v);
void mc_json_uint(struct mc_json *j, uint64_t v);
void mc_json_real(struct mc_json *j, double v);
void mc_json_bool(struct mc_json *j, bool v);
void mc_json_null(struct mc_json *j);

/* Formats x by the fixed rule above into buf (>= 32 bytes); "null" for a
 * non-finite x. Returns the length. */
int mc_json_format_real(double x, char *buf, size_t size);
/* Writes s as a JSON string literal (with quotes) to f. */
void mc_json_write_string(FILE *f, const char *s);

/* ---- reader --------------------------------------------------------------- */

enum mc_json_type {
	MC_JSON_NULL, MC_JSON_FALSE, MC_JSON_TRUE, MC_JSON_NUMBER, MC_JSON_STRING,
	MC_JSON_ARRAY, MC_JSON_OBJECT
};

struct mc_json_value {
	enum mc_json_type type;
	double num;          /* NUMBER */
	char *str;           /* STRING (NUL-terminated, unescaped), or the member key */
	char *key;           /* the key when this is an object member, else NULL */
	struct mc_json_value *child, *next; /* ARRAY/OBJECT children in order */
	int line, col;       /* where the value starts */
};

struct mc_json_doc {
	struct mc_json_value *root;
	void *arena; /* private */
};

/*
 * Parses text[0..len) into *doc. Returns 0, or MC_EPARSE with *line, *col
 * (1-based) and msg (>= 128 bytes) describing the first error; doc is then
 * empty. Release with mc_json_doc_release(). O(len).
 */
int mc_json_parse(struct mc_json_doc *doc, const char *text, size_t len, int *line, int *col,
		  char *msg, size_t msgsize);
void mc_json_doc_release(struct mc_json_doc *doc);
/* The member `key` of an object, or NULL (also when v is not an object). O(members). */
const struct mc_json_value *mc_json_get(const struct mc_json_value *v, const char *key);
/* Follows a path of keys separated by '.', e.g. "tasks.finished"; NULL if absent. */
const struct mc_json_value *mc_json_path(const struct mc_json_value *v, const char *path);

#endif
