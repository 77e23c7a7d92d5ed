/*
 * reader.c - the format-independent half of trace reading: opening by
 * format, the record loop with its time-order check, headers, user
 * interning, drop counters, the gzip line reader, number scanning, the
 * reorder heap and directory listing.
 *
 * Invariant: records leave mc_trace_next() in non-decreasing time order
 * (a reader that breaks this is a bug, reported through MC_BUG).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "traces/trace_int.h"

static const char *const format_names[] = {"native", "google2011", "google2019", "alibaba2018",
                                           "swf",    "swim",       "synth"};

const char *mc_trace_format_name(enum mc_trace_format f)
{
	if ((unsigned)f < sizeof format_names / sizeof format_names[0])
		return format_names[f];
	return "?";
}

int mc_trace_format_parse(const char *name, enum mc_trace_format *out)
{
	for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
		if (name && !strcmp(name, format_names[i])) {
			*out = (enum mc_trace_format)i;
			return 0;
		}
	return MC_ENOENT;
}

void mc_trace_options_init(struct mc_trace_options *o)
{
	memset(o, 0, sizeof *o);
	o->skip_bad = false;
	o->machine_cpus = 32;
	o->machine_mem_mb = 131072;
	o->machine_disk_mb = 0;
	o->lookahead = MC_HOUR;
	o->keep_prefill = true;
	o->swf_cpus_per_proc = 1;
	o->swf_default_mem_mb = 0;
	o->swim_block_bytes = 128LL << 20;
	o->swim_mb_per_s = 50;
	mc_resvec_clear(&o->swim_task_request);
	o->swim_task_request.q[MC_RES_CPUS] = 1000;
	o->swim_task_request.q[MC_RES_MEM] = 1024 * 1000;
}

void mc__errf(char *err, size_t n, const char *fmt, ...)
{
	if (!err || !n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

/* ---- string tables ------------------------------------------------------- */

void mc__strtab_init(struct mc__strtab *t)
{
	memset(t, 0, sizeof *t);
	t->nslots = 64;
	t->slots = mc_xcalloc(t->nslots, sizeof *t->slots);
	t->cap = 16;
	t->names = mc_xcalloc(t->cap, sizeof *t->names);
	t->names[0] = mc_xstrdup("");
	t->n = 1;
}

void mc__strtab_release(struct mc__strtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

static void strtab_insert_slot(struct mc__strtab *t, uint32_t id)
{
	const char *s = t->names[id];
	size_t mask = t->nslots - 1, i = (size_t)mc__hash64(s, strlen(s)) & mask;
	while (t->slots[i])
		i = (i + 1) & mask;
	t->slots[i] = id + 1;
}

static void strtab_grow(struct mc__strtab *t)
{
	free(t->slots);
	t->nslots *= 2;
	t->slots = mc_xcalloc(t->nslots, sizeof *t->slots);
	for (size_t id = 1; id < t->n; id++)
		if (t->names[id])
			strtab_insert_slot(t, (uint32_t)id);
}

static char *dup_n(const char *s, size_t len)
{
	char *p = mc_xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = 0;
	return p;
}

uint32_t mc__strtab_intern(struct mc__strtab *t, const char *s, size_t len)
{
	size_t mask = t->nslots - 1, i = (size_t)mc__hash64(s, len) & mask;
	for (uint32_t v; (v = t->slots[i]); i = (i + 1) & mask) {
		const char *name = t->names[v - 1];
		if (name && !strncmp(name, s, len) && name[len] == 0)
			return v - 1;
	}
	if (t->n >= UINT32_MAX - 1)
		MC_BUG("string table full");
	mc_xgrow(&t->names, &t->cap, t->n + 1, sizeof *t->names);
	uint32_t id = (uint32_t)t->n++;
	t->names[id] = dup_n(s, len);
	t->slots[i] = id + 1;
	if (t->n * 2 > t->nslots)
		strtab_grow(t);
	return id;
}

void mc__strtab_set(struct mc__strtab *t, uint32_t id, const char *s, size_t len)
{
	if (id == 0)
		return;
	if (id >= t->n) {
		mc_xgrow(&t->names, &t->cap, (size_t)id + 1, sizeof *t->names);
		for (size_t k = t->n; k <= id; k++)
			t->names[k] = NULL;
		t->n = (size_t)id + 1;
	}
	if (t->names[id])
		return; /* first definition wins */
	t->names[id] = dup_n(s, len);
	strtab_insert_slot(t, id);
	if (t->n * 2 > t->nslots)
		strtab_grow(t);
}

/* ---- the reader ---------------------------------------------------------- */

struct mc_trace_reader *mc__trace_reader_new(const struct mc__trace_ops *ops, void *impl,
                                             const struct mc_trace_options *opt)
{
	struct mc_trace_reader *r = mc_xcalloc(1, sizeof *r);
	r->ops = ops;
	r->impl = impl;
	if (opt)
		r->opt = *opt;
	else
		mc_trace_options_init(&r->opt);
	r->hdr.version = MC_TRACE_VERSION;
	strcpy(r->hdr.time_unit, "us");
	mc__strtab_init(&r->users);
	r->last_time = INT64_MIN;
	return r;
}

int mc__trace_fail(struct mc_trace_reader *r, int code, const char *file, int64_t line,
                   const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(r->err, sizeof r->err, "%s:%lld: %s", file ? file : "?", (long long)line,
		         msg);
	else
		snprintf(r->err, sizeof r->err, "%s: %s", file ? file : "?", msg);
	r->err_code = code;
	return code;
}

void mc__trace_count(struct mc_trace_reader *r, const char *reason, uint64_t n)
{
	struct mc_trace_header *h = &r->hdr;
	for (size_t i = 0; i < h->ncounts; i++)
		if (!strcmp(h->counts[i].reason, reason)) {
			h->counts[i].count += n;
			return;
		}
	h->counts = mc_xrealloc(h->counts, (h->ncounts + 1) * sizeof *h->counts);
	struct mc_trace_count *c = &h->counts[h->ncounts++];
	snprintf(c->reason, sizeof c->reason, "%s", reason);
	c->count = n;
}

void mc__trace_note(struct mc_trace_reader *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct mc_trace_header *h = &r->hdr;
	h->notes = mc_xrealloc(h->notes, (h->nnotes + 1) * sizeof *h->notes);
	h->notes[h->nnotes++] = mc_xstrdup(msg);
}

uint32_t mc__trace_user(struct mc_trace_reader *r, const char *name, size_t len)
{
	if (len == 0)
		return 0;
	return mc__strtab_intern(&r->users, name, len);
}

void mc__trace_header_release(struct mc_trace_header *h)
{
	for (size_t i = 0; i < h->nnotes; i++)
		free(h->notes[i]);
	free(h->notes);
	free(h->counts);
	h->notes = NULL;
	h->counts = NULL;
	h->nnotes = h->ncounts = 0;
}

void mc__trace_header_copy(struct mc_trace_header *dst, const struct mc_trace_header *src)
{
	if (dst == src)
		return;
	mc__trace_header_release(dst);
	struct mc_trace_header keep = *src;
	keep.notes = NULL;
	keep.counts = NULL;
	keep.nnotes = keep.ncounts = 0;
	*dst = keep;
	if (src->nnotes) {
		dst->notes = mc_xcalloc(src->nnotes, sizeof *dst->notes);
		for (size_t i = 0; i < src->nnotes; i++)
			dst->notes[i] = mc_xstrdup(src->notes[i]);
		dst->nnotes = src->nnotes;
	}
	if (src->ncounts) {
		dst->counts = mc_xcalloc(src->ncounts, sizeof *dst->counts);
		memcpy(dst->counts, src->counts, src->ncounts * sizeof *dst->counts);
		dst->ncounts = src->ncounts;
	}
}

static void free_list(char **files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
}

int mc_trace_open_files(const char *const *paths, size_t npaths, enum mc_trace_format format,
                        const struct mc_trace_options *opts, struct mc_trace_reader **out,
                        char *errbuf, size_t n)
{
	*out = NULL;
	if (!paths || npaths == 0) {
		mc__errf(errbuf, n, "no trace file given");
		return MC_EINVAL;
	}
	if (format == MC_TFMT_SYNTH) {
		mc__errf(errbuf, n, "the synthetic generator is opened with mc_synth_open()");
		return MC_EINVAL;
	}
	char **files = NULL;
	size_t nfiles = 0, cap = 0;
	for (size_t i = 0; i < npaths; i++) {
		int rc = mc__trace_list_files(paths[i], &files, &nfiles, &cap, errbuf, n);
		if (rc) {
			free_list(files, nfiles);
			return rc;
		}
	}
	if (nfiles == 0) {
		mc__errf(errbuf, n, "%s: no files found", paths[0]);
		free(files);
		return MC_EIO;
	}
	struct mc_trace_reader *r = mc__trace_reader_new(NULL, NULL, opts);
	int rc;
	switch (format) {
	case MC_TFMT_NATIVE:
		if (nfiles != 1) {
			mc__errf(errbuf, n, "%s: a native trace is one file", paths[0]);
			rc = MC_EINVAL;
		} else {
			rc = mc__native_open(r, files[0], errbuf, n);
		}
		break;
	case MC_TFMT_GOOGLE2011:
		rc = mc__google2011_open(r, files, nfiles, errbuf, n);
		break;
	case MC_TFMT_GOOGLE2019:
		rc = mc__google2019_open(r, files, nfiles, errbuf, n);
		break;
	case MC_TFMT_ALIBABA2018:
		rc = mc__alibaba2018_open(r, files, nfiles, errbuf, n);
		break;
	case MC_TFMT_SWF:
		rc = mc__swf_open(r, files, nfiles, errbuf, n);
		break;
	case MC_TFMT_SWIM:
		rc = mc__swim_open(r, files, nfiles, errbuf, n);
		break;
	default:
		mc__errf(errbuf, n, "unknown trace format %d", (int)format);
		rc = MC_EINVAL;
	}
	free_list(files, nfiles);
	if (rc) {
		mc_trace_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int mc_trace_open(const char *path, enum mc_trace_format format,
                  const struct mc_trace_options *opts, struct mc_trace_reader **out, char *errbuf,
                  size_t n)
{
	const char *paths[1] = {path};
	return mc_trace_open_files(paths, 1, format, opts, out, errbuf, n);
}

int mc_trace_next(struct mc_trace_reader *r, struct mc_trace_record *rec)
{
	if (r->err_code)
		return r->err_code;
	int rc = r->ops->next(r, rec);
	if (rc < 0) {
		if (!r->err_code)
			r->err_code = rc;
		if (!r->err[0])
			snprintf(r->err, sizeof r->err, "%s", mc_strerror(rc));
		return r->err_code;
	}
	if (rc == 0)
		return 0;
	if (rec->time < r->last_time)
		MC_BUG("trace reader %s emitted time %lld after %lld", r->hdr.source,
		       (long long)rec->time, (long long)r->last_time);
	r->last_time = rec->time;
	return 1;
}

const char *mc_trace_error(const struct mc_trace_reader *r)
{
	return r->err;
}

const struct mc_trace_header *mc_trace_header(const struct mc_trace_reader *r)
{
	return &r->hdr;
}

const char *mc_trace_user_name(const struct mc_trace_reader *r, uint32_t user)
{
	if (user >= r->users.n || !r->users.names[user])
		return "";
	return r->users.names[user];
}

void mc_trace_close(struct mc_trace_reader *r)
{
	if (!r)
		return;
	if (r->ops && r->ops->free)
		r->ops->free(r->impl);
	mc__strtab_release(&r->users);
	mc__trace_header_release(&r->hdr);
	free(r);
}

/* ---- line input ------------------------------------------------------------ */

#define TIN_BUF (4u << 20)

int mc__tin_open(struct mc__tin *t, const char *path, char *err, size_t n)
{
	memset(t, 0, sizeof *t);
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		mc__errf(err, n, "%s: cannot open: %s", path,
		         errno && stat(path, &st) != 0 ? strerror(errno) : "not a regular file");
		return MC_EIO;
	}
	t->gz = gzopen(path, "rb");
	if (!t->gz) {
		mc__errf(err, n, "%s: cannot open: %s", path, strerror(errno));
		return MC_EIO;
	}
	gzbuffer(t->gz, 1u << 18);
	t->path = mc_xstrdup(path);
	t->cap = TIN_BUF;
	t->buf = mc_xmalloc(t->cap);
	return 0;
}

static int tin_fill(struct mc__tin *t, char *err, size_t n)
{
	if (t->pos > 0) {
		memmove(t->buf, t->buf + t->pos, t->end - t->pos);
		t->end -= t->pos;
		t->pos = 0;
	}
	size_t room = t->cap - t->end;
	if (room == 0)
		return 1;
	int got = gzread(t->gz, t->buf + t->end, (unsigned)room);
	if (got < 0) {
		int zerr;
		const char *msg = gzerror(t->gz, &zerr);
		mc__errf(err, n, "%s:%lld: read error: %s", t->path, (long long)t->line + 1,
		         zerr == Z_BUF_ERROR ? "truncated gzip file" : msg);
		return MC_EIO;
	}
	if (got == 0) {
		int zerr;
		const char *msg = gzerror(t->gz, &zerr);
		if (zerr != Z_OK && zerr != Z_STREAM_END) {
			mc__errf(err, n, "%s:%lld: read error: %s", t->path, (long long)t->line + 1,
			         zerr == Z_BUF_ERROR ? "truncated gzip file" : msg);
			return MC_EIO;
		}
		t->eof = true;
		return 0;
	}
	t->end += (size_t)got;
	return 1;
}

int mc__tin_line(struct mc__tin *t, const char **s, size_t *len, char *err, size_t n)
{
	for (;;) {
		char *p = t->buf + t->pos;
		size_t avail = t->end - t->pos;
		char *nl = avail ? memchr(p, '\n', avail) : NULL;
		if (nl || (t->eof && avail)) {
			size_t l = nl ? (size_t)(nl - p) : avail;
			t->pos += nl ? l + 1 : l;
			t->line++;
			if (l > MC__TIN_MAX_LINE) {
				mc__errf(err, n, "%s:%lld: line longer than %d bytes", t->path,
				         (long long)t->line, MC__TIN_MAX_LINE);
				return MC_EPARSE;
			}
			if (l && p[l - 1] == '\r')
				l--;
			*s = p;
			*len = l;
			return 1;
		}
		if (t->eof)
			return 0;
		if (avail > MC__TIN_MAX_LINE) {
			mc__errf(err, n, "%s:%lld: line longer than %d bytes", t->path,
			         (long long)t->line + 1, MC__TIN_MAX_LINE);
			return MC_EPARSE;
		}
		int rc = tin_fill(t, err, n);
		if (rc < 0)
			return rc;
	}
}

void mc__tin_close(struct mc__tin *t)
{
	if (t->gz)
		gzclose(t->gz);
	free(t->buf);
	free(t->path);
	memset(t, 0, sizeof *t);
}

/* ---- numbers --------------------------------------------------------------- */

static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

int mc__scan_f64(const char *s, size_t len, double *out)
{
	const char *e = s + len;
	bool neg = false;
	if (s < e && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++;
	}
	uint64_t mant = 0;
	int digits = 0, exp10 = 0;
	bool any = false;
	for (; s < e && (unsigned)(*s - '0') <= 9; s++, any = true) {
		if (digits < 19) {
			mant = mant * 10 + (unsigned)(*s - '0');
			if (mant)
				digits++;
		} else {
			exp10++;
		}
	}
	if (s < e && *s == '.') {
		s++;
		for (; s < e && (unsigned)(*s - '0') <= 9; s++, any = true) {
			if (digits < 19) {
				mant = mant * 10 + (unsigned)(*s - '0');
				if (mant)
					digits++;
				exp10--;
			}
		}
	}
	if (!any)
		return MC_EPARSE;
	if (s < e && (*s == 'e' || *s == 'E')) {
		s++;
		bool eneg = false;
		if (s < e && (*s == '-' || *s == '+')) {
			eneg = *s == '-';
			s++;
		}
		if (s >= e)
			return MC_EPARSE;
		int ev = 0;
		for (; s < e && (unsigned)(*s - '0') <= 9; s++)
			if (ev < 10000)
				ev = ev * 10 + (*s - '0');
		exp10 += eneg ? -ev : ev;
	}
	if (s != e)
		return MC_EPARSE;
	double v = (double)mant;
	if (mant == 0) {
		v = 0;
	} else if (exp10 > 0) {
		if (exp10 > 22)
			return MC_ERANGE;
		v *= pow10_tab[exp10];
	} else if (exp10 < 0) {
		if (exp10 < -60)
			v = 0;
		else if (exp10 >= -22)
			v /= pow10_tab[-exp10];
		else
			v = v / 1e22 / pow10_tab[-exp10 - 22 > 22 ? 22 : -exp10 - 22];
	}
	if (v > 1e18)
		return MC_ERANGE;
	*out = neg ? -v : v;
	return 0;
}

int64_t mc__milli_scaled(double x, double scale)
{
	double v = x * scale * MC_RES_SCALE;
	if (!(v > 0))
		return 0;
	if (v > 1e15)
		return (int64_t)1e15;
	return (int64_t)llround(v);
}

/* ---- directory listing ----------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int mc__trace_list_files(const char *path, char ***out, size_t *n, size_t *cap, char *err,
                         size_t errn)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		mc__errf(err, errn, "%s: cannot open: %s", path, strerror(errno));
		return MC_EIO;
	}
	if (!S_ISDIR(st.st_mode)) {
		mc_xgrow(out, cap, *n + 1, sizeof **out);
		(*out)[(*n)++] = mc_xstrdup(path);
		return 0;
	}
	DIR *d = opendir(path);
	if (!d) {
		mc__errf(err, errn, "%s: cannot open directory: %s", path, strerror(errno));
		return MC_EIO;
	}
	char **names = NULL;
	size_t nn = 0, nc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		size_t l = strlen(path) + strlen(de->d_name) + 2;
		char *full = mc_xmalloc(l);
		snprintf(full, l, "%s/%s", path, de->d_name);
		mc_xgrow(&names, &nc, nn + 1, sizeof *names);
		names[nn++] = full;
	}
	closedir(d);
	if (nn)
		qsort(names, nn, sizeof *names, cmp_str);
	int rc = 0;
	for (size_t i = 0; i < nn; i++) {
		if (!rc)
			rc = mc__trace_list_files(names[i], out, n, cap, err, errn);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* ---- heap ------------------------------------------------------------------ */

static inline bool ent_less(const struct mc__heap_ent *a, const struct mc__heap_ent *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

void mc__heap_push(struct mc__heap *h, mc_time_t time, uint32_t idx)
{
	mc_xgrow(&h->a, &h->cap, h->n + 1, sizeof *h->a);
	struct mc__heap_ent e = {time, h->seq++, idx};
	size_t i = h->n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!ent_less(&e, &h->a[p]))
			break;
		h->a[i] = h->a[p];
		i = p;
	}
	h->a[i] = e;
}

bool mc__heap_pop(struct mc__heap *h, struct mc__heap_ent *out)
{
	if (!h->n)
		return false;
	*out = h->a[0];
	struct mc__heap_ent e = h->a[--h->n];
	size_t i = 0, n = h->n;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && ent_less(&h->a[c + 1], &h->a[c]))
			c++;
		if (!ent_less(&h->a[c], &e))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	if (n)
		h->a[i] = e;
	return true;
}

void mc__heap_release(struct mc__heap *h)
{
	free(h->a);
	memset(h, 0, sizeof *h);
}
