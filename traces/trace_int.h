/*
 * trace_int.h - internals shared by the trace readers (the traces/ directory): the
 * reader object every format fills, user interning, drop counters, a
 * gzip-transparent line reader and fast field scanners.
 *
 * Invariants: a reader's output times never decrease (reader.c checks and
 * turns a violation into a bug report); an error is sticky (r->err_code).
 */
#ifndef MC_TRACES_TRACE_INT_H
#define MC_TRACES_TRACE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <zlib.h>

#include "mesocosm/error.h"
#include "mesocosm/trace.h"

struct mc_trace_reader;

struct mc__trace_ops {
	/* Same contract as mc_trace_next(). */
	int (*next)(struct mc_trace_reader *r, struct mc_trace_record *rec);
	void (*free)(void *impl);
};

struct mc__strtab {
	uint32_t *slots; /* ids + 1, 0 = empty; power-of-two size */
	size_t nslots;
	char **names; /* names[id], id 0 = "" */
	size_t n, cap;
};

struct mc_trace_reader {
	const struct mc__trace_ops *ops;
	void *impl;
	struct mc_trace_header hdr;
	struct mc_trace_options opt;
	struct mc__strtab users;
	int err_code;
	mc_time_t last_time;
	char err[512];
};

/* Creates a reader with the given ops/impl (impl freed by ops->free). */
struct mc_trace_reader *mc__trace_reader_new(const struct mc__trace_ops *ops, void *impl,
                                             const struct mc_trace_options *opt);

/* Records an error "file:line: msg" (line 0 leaves it out) and returns code. */
int mc__trace_fail(struct mc_trace_reader *r, int code, const char *file, int64_t line,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Adds n to the counter for `reason` (a string literal, compared by
 * pointer first). O(counters). */
void mc__trace_count(struct mc_trace_reader *r, const char *reason, uint64_t n);
/* Adds a note (copied). */
void mc__trace_note(struct mc_trace_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Interns a user name of len bytes; returns its id (>= 1). O(len). */
uint32_t mc__trace_user(struct mc_trace_reader *r, const char *name, size_t len);

/* String table (also used by the native writer). */
void mc__strtab_init(struct mc__strtab *t);
void mc__strtab_release(struct mc__strtab *t);
uint32_t mc__strtab_intern(struct mc__strtab *t, const char *s, size_t len);
/* Sets name of a specific id (native reader: ids come from the file). */
void mc__strtab_set(struct mc__strtab *t, uint32_t id, const char *s, size_t len);

/* Frees a header's notes and counts. */
void mc__trace_header_release(struct mc_trace_header *h);
/* Deep-copies notes and counts of src into dst (dst's own freed first). */
void mc__trace_header_copy(struct mc_trace_header *dst, const struct mc_trace_header *src);

/* ---- gzip-transparent line input ------------------------------------------ */

#define MC__TIN_MAX_LINE (1 << 20)

struct mc__tin {
	gzFile gz;
	char *path;
	char *buf;
	size_t cap, pos, end;
	int64_t line; /* 1-based number of the line last returned */
	bool eof;
};

/* Opens path (plain or gzip). Returns 0 or MC_EIO with a message. */
int mc__tin_open(struct mc__tin *t, const char *path, char *err, size_t n);
/*
 * Returns the next line (without "\n" or "\r\n") in s and len, valid until
 * the next call: 1 a line, 0 end of file, MC_EIO (read error, truncated
 * gzip) or MC_EPARSE (a line longer than MC__TIN_MAX_LINE) with a message.
 */
int mc__tin_line(struct mc__tin *t, const char **s, size_t *len, char *err, size_t n);
void mc__tin_close(struct mc__tin *t);

/* ---- field scanning (no locale, no allocation) ------------------------------ */

/* Splits [s, s+len) at `sep` into at most max fields; returns the number of
 * fields found (which may exceed max: then only max are stored). */
static inline int mc__split(const char *s, size_t len, char sep, const char **fs, size_t *fl,
                            int max)
{
	const char *e = s + len;
	int n = 0;
	for (;;) {
		const char *p = s;
		while (p < e && *p != sep) /* fields are short: beats memchr */
			p++;
		if (n < max) {
			fs[n] = s;
			fl[n] = (size_t)(p - s);
		}
		n++;
		if (p >= e)
			return n;
		s = p + 1;
	}
}

/* Parses an optionally signed decimal integer filling the whole field.
 * Returns 0, MC_EPARSE (empty, bad character) or MC_ERANGE (overflow). */
static inline int mc__scan_i64(const char *s, size_t len, int64_t *out)
{
	const char *e = s + len;
	bool neg = false;
	if (s < e && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++;
	}
	if (s >= e)
		return MC_EPARSE;
	uint64_t v = 0;
	for (; s < e; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (d > 9)
			return MC_EPARSE;
		if (v > (UINT64_MAX - d) / 10)
			return MC_ERANGE;
		v = v * 10 + d;
	}
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return MC_ERANGE;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return MC_ERANGE;
		*out = (int64_t)v;
	}
	return 0;
}

/* Parses a decimal number ("0.125", "-3", "2.861e-06", "1E5"). Returns 0,
 * MC_EPARSE or MC_ERANGE (|x| > 1e18 or too many digits). Not correctly
 * rounded in the last ulp; fine for values kept to thousandths. */
int mc__scan_f64(const char *s, size_t len, double *out);

/* FNV-1a 64 of a byte string (platform hashes). */
static inline uint64_t mc__hash64(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

/* x * scale in thousandths, clamped to [0, 1e15]; NaN -> 0. */
int64_t mc__milli_scaled(double x, double scale);

/* Lists the regular files under a path (itself if a file), sorted by name,
 * recursing into directories. Appends heap copies to *out. Returns 0 or
 * MC_EIO with a message. */
int mc__trace_list_files(const char *path, char ***out, size_t *n, size_t *cap, char *err,
                         size_t errn);

/* ---- reorder heap of pending output (Google readers) ------------------------ */

struct mc__heap_ent {
	mc_time_t time;
	uint64_t seq;
	uint32_t idx;
};

struct mc__heap {
	struct mc__heap_ent *a;
	size_t n, cap;
	uint64_t seq;
};

void mc__heap_push(struct mc__heap *h, mc_time_t time, uint32_t idx);
/* Removes the top; returns false if empty. */
bool mc__heap_pop(struct mc__heap *h, struct mc__heap_ent *out);
static inline const struct mc__heap_ent *mc__heap_top(const struct mc__heap *h)
{
	return h->n ? &h->a[0] : NULL;
}
void mc__heap_release(struct mc__heap *h);

/* ---- format constructors ---------------------------------------------------- */

int mc__native_open(struct mc_trace_reader *r, const char *path, char *err, size_t n);
int mc__google2011_open(struct mc_trace_reader *r, char **files, size_t nfiles, char *err,
                        size_t n);
int mc__google2019_open(struct mc_trace_reader *r, char **files, size_t nfiles, char *err,
                        size_t n);
int mc__alibaba2018_open(struct mc_trace_reader *r, char **files, size_t nfiles, char *err,
                         size_t n);
int mc__swf_open(struct mc_trace_reader *r, char **files, size_t nfiles, char *err, size_t n);
int mc__swim_open(struct mc_trace_reader *r, char **files, size_t nfiles, char *err, size_t n);

/* Writes the records of r as Google 2011 CSV under dir (machine_events/,
 * task_events/), normalising by the machine size. Returns 0 or an error with
 * a message. O(records), memory O(tasks in flight). */
int mc__google2011_write(struct mc_trace_reader *r, const char *dir, double machine_cpus,
                         double machine_mem_mb, char *err, size_t n);

/* Copies a message into err (snprintf). */
void mc__errf(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
