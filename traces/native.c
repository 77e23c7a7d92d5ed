/*
 * native.c - the native trace format (docs/trace-format.md): a stream of
 * msgpack values, a header map, then one array per record, then an end
 * marker. Written with msgpack-c's packer; read with a small bounds-checked
 * decoder of the msgpack subset the format uses (ints, strings, arrays,
 * maps; anything else is skipped where the format allows extension), which
 * never allocates per record and never trusts a length prefix beyond the
 * bytes actually present (so garbage cannot make it allocate).
 *
 * Positions in error messages are record numbers (the header is record 1).
 * Invariants: a record is decoded only once it lies whole in the buffer;
 * records after the end marker are an error; times never decrease.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <msgpack.h>
#include <zlib.h>

#include "traces/trace_int.h"

#define FORMAT_MAGIC "mesocosm-trace"
#define MAX_RECORD   (1u << 20)
#define RBUF         (1u << 20)

enum { REC_END = 0, REC_MACHINE = 1, REC_TASK = 2, REC_TASK_END = 3, REC_USER = 4 };

/* ---- decoding ------------------------------------------------------------ */

enum { CUR_OK = 0, CUR_SHORT = 1, CUR_BAD = 2, CUR_RANGE = 3 };

struct cur {
	const uint8_t *p, *e;
	int st;
	const char *what; /* what was wrong, for CUR_BAD */
};

static inline bool need(struct cur *c, size_t n)
{
	if (c->st)
		return false;
	if ((size_t)(c->e - c->p) < n) {
		c->st = CUR_SHORT;
		return false;
	}
	return true;
}

static inline void bad(struct cur *c, const char *what)
{
	if (!c->st) {
		c->st = CUR_BAD;
		c->what = what;
	}
}

static inline uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Reads an integer of any msgpack int encoding. *neg tells its sign. */
static uint64_t get_raw_int_slow(struct cur *c, bool *neg, const char *what)
{
	*neg = false;
	if (!need(c, 1))
		return 0;
	uint8_t b = *c->p;
	if (b <= 0x7f) {
		c->p++;
		return b;
	}
	if (b >= 0xe0) {
		c->p++;
		*neg = true;
		return (uint64_t)(-(int64_t)(int8_t)b);
	}
	int n;
	bool sgn;
	switch (b) {
	case 0xcc:
		n = 1;
		sgn = false;
		break;
	case 0xcd:
		n = 2;
		sgn = false;
		break;
	case 0xce:
		n = 4;
		sgn = false;
		break;
	case 0xcf:
		n = 8;
		sgn = false;
		break;
	case 0xd0:
		n = 1;
		sgn = true;
		break;
	case 0xd1:
		n = 2;
		sgn = true;
		break;
	case 0xd2:
		n = 4;
		sgn = true;
		break;
	case 0xd3:
		n = 8;
		sgn = true;
		break;
	default:
		bad(c, what);
		return 0;
	}
	if (!need(c, 1 + (size_t)n))
		return 0;
	uint64_t v = be(c->p + 1, n);
	c->p += 1 + n;
	if (sgn) {
		int64_t s;
		switch (n) {
		case 1:
			s = (int8_t)v;
			break;
		case 2:
			s = (int16_t)v;
			break;
		case 4:
			s = (int32_t)v;
			break;
		default:
			s = (int64_t)v;
			break;
		}
		if (s < 0) {
			*neg = true;
			return s == INT64_MIN ? (uint64_t)INT64_MAX + 1 : (uint64_t)(-s);
		}
		return (uint64_t)s;
	}
	return v;
}

/* The common case (a positive fixint, no error yet) inline; the rest in
 * get_raw_int_slow. */
static inline uint64_t get_raw_int(struct cur *c, bool *neg, const char *what)
{
	if (__builtin_expect(!c->st && c->p < c->e && *c->p <= 0x7f, 1)) {
		*neg = false;
		return *c->p++;
	}
	return get_raw_int_slow(c, neg, what);
}

static inline int64_t get_i64(struct cur *c, int64_t lo, int64_t hi, const char *what)
{
	bool neg;
	uint64_t m = get_raw_int(c, &neg, what);
	if (c->st)
		return 0;
	int64_t v;
	if (neg) {
		if (m > (uint64_t)INT64_MAX + 1)
			goto range;
		v = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
	} else {
		if (m > (uint64_t)INT64_MAX)
			goto range;
		v = (int64_t)m;
	}
	if (v < lo || v > hi)
		goto range;
	return v;
range:
	c->st = CUR_RANGE;
	c->what = what;
	return 0;
}

static inline uint64_t get_u64(struct cur *c, const char *what)
{
	bool neg;
	uint64_t m = get_raw_int(c, &neg, what);
	if (!c->st && neg && m) {
		c->st = CUR_RANGE;
		c->what = what;
	}
	return c->st ? 0 : m;
}

/* A container header: fixarray/fixmap (`fix`, low nibble = length) or the
 * 16/32-bit forms (`tag16`, `tag32`). Returns the element count. */
static inline uint32_t get_container(struct cur *c, uint8_t fix, uint8_t tag16, uint8_t tag32,
				     const char *what)
{
	if (!need(c, 1))
		return 0;
	uint8_t b = *c->p;
	if ((b & 0xf0) == fix) {
		c->p++;
		return b & 0x0f;
	}
	int n = b == tag16 ? 2 : b == tag32 ? 4 : 0;
	if (!n) {
		bad(c, what);
		return 0;
	}
	if (!need(c, 1 + (size_t)n))
		return 0;
	uint64_t v = be(c->p + 1, n);
	c->p += 1 + n;
	return (uint32_t)v;
}

static inline uint32_t get_array(struct cur *c, const char *what)
{
	return get_container(c, 0x90, 0xdc, 0xdd, what);
}

static uint32_t get_map(struct cur *c, const char *what)
{
	return get_container(c, 0x80, 0xde, 0xdf, what);
}

static const char *get_str(struct cur *c, uint32_t *len, const char *what)
{
	*len = 0;
	if (!need(c, 1))
		return NULL;
	uint8_t b = *c->p;
	size_t h;
	uint64_t l;
	if ((b & 0xe0) == 0xa0) {
		h = 1;
		l = b & 0x1f;
	} else if (b == 0xd9 || b == 0xda || b == 0xdb) {
		int n = b == 0xd9 ? 1 : b == 0xda ? 2 : 4;
		if (!need(c, 1 + (size_t)n))
			return NULL;
		h = 1 + (size_t)n;
		l = be(c->p + 1, n);
	} else {
		bad(c, what);
		return NULL;
	}
	if (!need(c, h + l))
		return NULL;
	const char *s = (const char *)c->p + h;
	c->p += h + l;
	*len = (uint32_t)l;
	return s;
}

/* Skips one value of any type (depth-limited). */
static void skip(struct cur *c, int depth)
{
	if (depth > 32) {
		bad(c, "nesting too deep");
		return;
	}
	if (!need(c, 1))
		return;
	uint8_t b = *c->p;
	uint64_t n = 0;
	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
		c->p++;
		return;
	}
	if ((b & 0xe0) == 0xa0 || b == 0xd9 || b == 0xda || b == 0xdb) {
		uint32_t l;
		get_str(c, &l, "string");
		return;
	}
	if ((b & 0xf0) == 0x90 || b == 0xdc || b == 0xdd) {
		n = get_array(c, "array");
	} else if ((b & 0xf0) == 0x80 || b == 0xde || b == 0xdf) {
		n = (uint64_t)get_map(c, "map") * 2;
	} else {
		size_t fixed = 0;
		switch (b) {
		case 0xcc:
		case 0xd0:
		case 0xd4:
			fixed = 2;
			break;
		case 0xcd:
		case 0xd1:
		case 0xd5:
			fixed = 3;
			break;
		case 0xce:
		case 0xd2:
		case 0xca:
			fixed = 5;
			break;
		case 0xcf:
		case 0xd3:
		case 0xcb:
			fixed = 9;
			break;
		case 0xd6:
			fixed = 6;
			break;
		case 0xd7:
			fixed = 10;
			break;
		case 0xd8:
			fixed = 18;
			break;
		case 0xc4:
		case 0xc5:
		case 0xc6:
		case 0xc7:
		case 0xc8:
		case 0xc9: {
			int ln = (b == 0xc4 || b == 0xc7) ? 1 : (b == 0xc5 || b == 0xc8) ? 2 : 4;
			size_t ext = b >= 0xc7 ? 1 : 0;
			if (!need(c, 1 + (size_t)ln))
				return;
			uint64_t l = be(c->p + 1, ln);
			if (!need(c, 1 + (size_t)ln + ext + l))
				return;
			c->p += 1 + (size_t)ln + ext + l;
			return;
		}
		default:
			bad(c, "unknown msgpack type");
			return;
		}
		if (need(c, fixed))
			c->p += fixed;
		return;
	}
	for (uint64_t i = 0; i < n && !c->st; i++)
		skip(c, depth + 1);
}

/* ---- reader ---------------------------------------------------------------- */

struct native {
	gzFile gz;
	char *path;
	uint8_t *buf;
	size_t cap, pos, end;
	bool eof, ended;
	uint64_t recno;   /* records decoded so far (header = 1) */
	uint64_t counted; /* machine/task/end records */
	int nres;
	int res_idx[MC_RES_MAX]; /* file position -> interned index */
	mc_time_t last;
};

static int fill(struct mc_trace_reader *r, struct native *nv)
{
	if (nv->pos > 0) {
		memmove(nv->buf, nv->buf + nv->pos, nv->end - nv->pos);
		nv->end -= nv->pos;
		nv->pos = 0;
	}
	if (nv->end == nv->cap)
		return mc__trace_fail(r, MC_EPARSE, nv->path, (int64_t)nv->recno + 1,
		                      "record larger than %u bytes", MAX_RECORD);
	int got = gzread(nv->gz, nv->buf + nv->end, (unsigned)(nv->cap - nv->end));
	int zerr = Z_OK;
	if (got <= 0)
		gzerror(nv->gz, &zerr);
	if (got < 0 || (got == 0 && zerr != Z_OK && zerr != Z_STREAM_END))
		return mc__trace_fail(r, MC_EIO, nv->path, (int64_t)nv->recno + 1, "read error: %s",
		                      zerr == Z_BUF_ERROR ? "truncated gzip file"
		                                          : gzerror(nv->gz, &zerr));
	if (got == 0)
		nv->eof = true;
	nv->end += (size_t)got;
	return 0;
}

static int cur_fail(struct mc_trace_reader *r, struct native *nv, struct cur *c)
{
	if (c->st == CUR_RANGE)
		return mc__trace_fail(r, MC_ERANGE, nv->path, (int64_t)nv->recno, "%s out of range",
		                      c->what);
	return mc__trace_fail(r, MC_EPARSE, nv->path, (int64_t)nv->recno, "malformed record: %s",
	                      c->what ? c->what : "?");
}

static void get_q(struct cur *c, const struct native *nv, struct mc_resvec *q)
{
	mc_resvec_clear(q);
	uint32_t n = get_array(c, "resource list");
	if (c->st)
		return;
	if (n > (uint32_t)nv->nres) {
		bad(c, "more quantities than resources in the header");
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		q->q[nv->res_idx[i]] = get_i64(c, 0, (int64_t)1e15, "resource quantity");
}

static void skip_rest(struct cur *c, uint32_t n, uint32_t used)
{
	for (uint32_t i = used; i < n && !c->st; i++)
		skip(c, 1);
}

/* Decodes one record at c; returns 1 a record for the caller, 0 an internal
 * record (user, end), leaving c->st set on failure. */
static int decode(struct mc_trace_reader *r, struct native *nv, struct cur *c,
                  struct mc_trace_record *rec)
{
	uint32_t n = get_array(c, "record is not an array");
	if (c->st)
		return 0;
	if (n == 0) {
		bad(c, "empty record");
		return 0;
	}
	int64_t type = get_i64(c, 0, 1000, "record type");
	if (c->st)
		return 0;
	switch (type) {
	case REC_END: {
		if (n < 2) {
			bad(c, "end marker needs a record count");
			return 0;
		}
		uint64_t cnt = get_u64(c, "record count");
		skip_rest(c, n, 2);
		if (c->st)
			return 0;
		if (cnt != nv->counted) {
			bad(c, "end marker count does not match the records read");
			return 0;
		}
		nv->ended = true;
		return 0;
	}
	case REC_USER: {
		if (n < 3) {
			bad(c, "user record needs id and name");
			return 0;
		}
		uint32_t id = (uint32_t)get_i64(c, 1, UINT32_MAX - 1, "user id");
		uint32_t len;
		const char *s = get_str(c, &len, "user name");
		skip_rest(c, n, 3);
		if (c->st)
			return 0;
		if (len > 4096) {
			bad(c, "user name too long");
			return 0;
		}
		if (id > 16u * 1024 * 1024) {
			c->st = CUR_RANGE;
			c->what = "user id";
			return 0;
		}
		mc__strtab_set(&r->users, id, s, len);
		return 0;
	}
	case REC_MACHINE: {
		if (n < 6) {
			bad(c, "machine record needs 6 fields");
			return 0;
		}
		rec->type = MC_TREC_MACHINE;
		rec->time = get_i64(c, 0, INT64_MAX, "time");
		struct mc_trace_machine *m = &rec->machine;
		m->id = get_u64(c, "machine id");
		m->event = (enum mc_tmach_event)get_i64(c, 0, 2, "machine event");
		m->platform = get_u64(c, "platform");
		mc_resources_clear(&m->capacity);
		get_q(c, nv, &m->capacity.unres);
		skip_rest(c, n, 6);
		return c->st ? 0 : 1;
	}
	case REC_TASK: {
		if (n < 16) {
			bad(c, "task record needs 16 fields");
			return 0;
		}
		rec->type = MC_TREC_TASK;
		rec->time = get_i64(c, 0, INT64_MAX, "time");
		struct mc_trace_task *t = &rec->task;
		t->job_id = get_u64(c, "job id");
		t->task_index = (uint32_t)get_i64(c, 0, UINT32_MAX, "task index");
		t->count = (uint32_t)get_i64(c, 1, UINT32_MAX, "task count");
		t->job_tasks = (uint32_t)get_i64(c, 0, UINT32_MAX, "job task count");
		t->attempt = (uint32_t)get_i64(c, 0, UINT32_MAX, "attempt");
		t->duration = get_i64(c, -1, INT64_MAX, "duration");
		t->orig_wait = get_i64(c, -1, INT64_MAX, "wait");
		get_q(c, nv, &t->request);
		t->priority = (int32_t)get_i64(c, INT32_MIN, INT32_MAX, "priority");
		t->sched_class = (int32_t)get_i64(c, -1, INT32_MAX, "scheduling class");
		t->user = (uint32_t)get_i64(c, 0, 16 * 1024 * 1024, "user");
		t->end_state = (enum mc_tend)get_i64(c, 0, MC_TEND_LOST, "end state");
		t->dag_id = (uint32_t)get_i64(c, 0, UINT32_MAX, "dag id");
		uint32_t nd = get_array(c, "dependency list");
		if (!c->st && nd > MC_TRACE_MAX_DEPS) {
			c->st = CUR_RANGE;
			c->what = "dependency count";
		}
		t->ndeps = c->st ? 0 : nd;
		for (uint32_t i = 0; i < t->ndeps && !c->st; i++)
			t->deps[i] = (uint32_t)get_i64(c, 1, UINT32_MAX, "dependency");
		skip_rest(c, n, 16);
		if (!c->st && t->task_index > UINT32_MAX - (t->count - 1)) {
			c->st = CUR_RANGE;
			c->what = "task index + count";
		}
		return c->st ? 0 : 1;
	}
	case REC_TASK_END: {
		if (n < 6) {
			bad(c, "task end record needs 6 fields");
			return 0;
		}
		rec->type = MC_TREC_TASK_END;
		rec->time = get_i64(c, 0, INT64_MAX, "time");
		rec->end.job_id = get_u64(c, "job id");
		rec->end.task_index = (uint32_t)get_i64(c, 0, UINT32_MAX, "task index");
		rec->end.attempt = (uint32_t)get_i64(c, 0, UINT32_MAX, "attempt");
		rec->end.end_state = (enum mc_tend)get_i64(c, 0, MC_TEND_LOST, "end state");
		skip_rest(c, n, 6);
		return c->st ? 0 : 1;
	}
	default:
		/* Unknown record types are skipped (forward compatibility). */
		skip_rest(c, n, 1);
		return 0;
	}
}

static int native_next(struct mc_trace_reader *r, struct mc_trace_record *rec)
{
	struct native *nv = r->impl;
	for (;;) {
		if (nv->pos == nv->end && !nv->eof) {
			int rc = fill(r, nv);
			if (rc)
				return rc;
		}
		if (nv->pos == nv->end) {
			if (!nv->ended)
				return mc__trace_fail(r, MC_EIO, nv->path, (int64_t)nv->recno + 1,
				                      "truncated native trace (no end marker)");
			return 0;
		}
		if (nv->ended)
			return mc__trace_fail(r, MC_EPARSE, nv->path, (int64_t)nv->recno + 1,
			                      "data after the end marker");
		struct cur c = {nv->buf + nv->pos, nv->buf + nv->end, 0, NULL};
		nv->recno++;
		int got = decode(r, nv, &c, rec);
		if (c.st == CUR_SHORT) {
			nv->recno--;
			if (nv->eof)
				return mc__trace_fail(r, MC_EIO, nv->path, (int64_t)nv->recno + 1,
				                      "truncated native trace (record cut short)");
			int rc = fill(r, nv);
			if (rc)
				return rc;
			continue;
		}
		/* A malformed record stops the read even with skip_bad: its
		 * extent is unknown, so the stream cannot resynchronise. */
		if (c.st)
			return cur_fail(r, nv, &c);
		nv->pos = (size_t)(c.p - nv->buf);
		if (!got)
			continue;
		if (rec->time < nv->last) {
			if (r->opt.skip_bad) {
				mc__trace_count(r, "dropped: time out of order", 1);
				continue;
			}
			return mc__trace_fail(r, MC_EPARSE, nv->path, (int64_t)nv->recno,
			                      "time %lld is before the previous record's %lld",
			                      (long long)rec->time, (long long)nv->last);
		}
		nv->last = rec->time;
		nv->counted++;
		return 1;
	}
}

static void native_free(void *impl)
{
	struct native *nv = impl;
	if (!nv)
		return;
	if (nv->gz)
		gzclose(nv->gz);
	free(nv->buf);
	free(nv->path);
	free(nv);
}

static const struct mc__trace_ops native_ops = {native_next, native_free};

static bool str_eq(const char *s, uint32_t len, const char *lit)
{
	return strlen(lit) == len && !memcmp(s, lit, len);
}

static void copy_str(char *dst, size_t cap, const char *s, uint32_t len)
{
	size_t l = len < cap - 1 ? len : cap - 1;
	memcpy(dst, s, l);
	dst[l] = 0;
}

static int parse_header(struct mc_trace_reader *r, struct native *nv, struct cur *c)
{
	uint32_t n = get_map(c, "the first value is not the header map");
	bool magic = false;
	for (uint32_t i = 0; i < n && !c->st; i++) {
		uint32_t kl;
		const char *k = get_str(c, &kl, "header key");
		if (c->st)
			break;
		if (str_eq(k, kl, "format")) {
			uint32_t l;
			const char *v = get_str(c, &l, "format");
			if (!c->st && !str_eq(v, l, FORMAT_MAGIC))
				bad(c, "not a mesocosm trace");
			magic = true;
		} else if (str_eq(k, kl, "version")) {
			r->hdr.version = (int)get_i64(c, 1, 1000, "version");
			if (!c->st && r->hdr.version > MC_TRACE_VERSION) {
				c->st = CUR_RANGE;
				c->what = "version (newer than this program)";
			}
		} else if (str_eq(k, kl, "time_unit")) {
			uint32_t l;
			const char *v = get_str(c, &l, "time_unit");
			if (!c->st && !str_eq(v, l, "us"))
				bad(c, "time_unit must be \"us\"");
		} else if (str_eq(k, kl, "source")) {
			uint32_t l;
			const char *v = get_str(c, &l, "source");
			if (!c->st)
				copy_str(r->hdr.source, sizeof r->hdr.source, v, l);
		} else if (str_eq(k, kl, "notes")) {
			uint32_t m = get_array(c, "notes");
			for (uint32_t j = 0; j < m && !c->st; j++) {
				uint32_t l;
				const char *v = get_str(c, &l, "note");
				if (!c->st)
					mc__trace_note(r, "%.*s", (int)(l > 400 ? 400 : l), v);
			}
		} else if (str_eq(k, kl, "counts")) {
			uint32_t m = get_array(c, "counts");
			for (uint32_t j = 0; j < m && !c->st; j++) {
				uint32_t two = get_array(c, "count entry");
				if (!c->st && two != 2)
					bad(c, "a count entry is [reason, n]");
				uint32_t l;
				const char *v = get_str(c, &l, "count reason");
				uint64_t cnt = get_u64(c, "count");
				if (!c->st) {
					char reason[96];
					copy_str(reason, sizeof reason, v, l);
					mc__trace_count(r, reason, cnt);
				}
			}
		} else if (str_eq(k, kl, "machines")) {
			r->hdr.machines = get_u64(c, "machines");
		} else if (str_eq(k, kl, "tasks")) {
			r->hdr.tasks = get_u64(c, "tasks");
		} else if (str_eq(k, kl, "records")) {
			r->hdr.records = get_u64(c, "records");
		} else if (str_eq(k, kl, "resources")) {
			uint32_t m = get_array(c, "resources");
			if (!c->st && m > MC_RES_MAX)
				bad(c, "too many resources");
			for (uint32_t j = 0; j < m && !c->st; j++) {
				uint32_t l;
				const char *v = get_str(c, &l, "resource name");
				if (c->st)
					break;
				int idx = l ? mc_res_lookup(v, l) : MC_EPARSE;
				if (idx < 0 && l)
					idx = mc_res_intern(v, l, MC_RES_SCALAR);
				if (idx < 0) {
					bad(c, "bad resource name");
					break;
				}
				nv->res_idx[nv->nres++] = idx;
			}
		} else {
			skip(c, 1);
		}
	}
	if (!c->st && !magic)
		bad(c, "not a mesocosm trace (no format key)");
	return c->st;
}

int mc__native_open(struct mc_trace_reader *r, const char *path, char *err, size_t n)
{
	struct native *nv = mc_xcalloc(1, sizeof *nv);
	r->ops = &native_ops;
	r->impl = nv;
	nv->path = mc_xstrdup(path);
	nv->last = INT64_MIN;
	nv->gz = gzopen(path, "rb");
	if (!nv->gz) {
		mc__errf(err, n, "%s: cannot open: %s", path, strerror(errno));
		return MC_EIO;
	}
	gzbuffer(nv->gz, 1u << 18);
	nv->cap = RBUF + MAX_RECORD;
	nv->buf = mc_xmalloc(nv->cap);
	snprintf(r->hdr.source, sizeof r->hdr.source, "native: %s", path);
	for (;;) {
		if (!nv->eof) {
			int rc = fill(r, nv);
			if (rc) {
				mc__errf(err, n, "%s", r->err);
				return rc;
			}
		}
		if (nv->end == nv->pos) {
			mc__errf(err, n, "%s:1: empty file, not a mesocosm trace", path);
			return MC_EPARSE;
		}
		struct cur c = {nv->buf + nv->pos, nv->buf + nv->end, 0, NULL};
		nv->recno = 1;
		nv->nres = 0;
		mc__trace_header_release(&r->hdr);
		int st = parse_header(r, nv, &c);
		if (st == CUR_SHORT && !nv->eof)
			continue;
		if (st == CUR_SHORT) {
			mc__errf(err, n, "%s:1: truncated header", path);
			return MC_EIO;
		}
		if (st) {
			mc__errf(err, n, "%s:1: bad header: %s%s", path, c.what ? c.what : "?",
			         st == CUR_RANGE ? " out of range" : "");
			return st == CUR_RANGE ? MC_ERANGE : MC_EPARSE;
		}
		nv->pos = (size_t)(c.p - nv->buf);
		break;
	}
	if (nv->nres == 0) {
		for (int i = 0; i < 4; i++)
			nv->res_idx[i] = i;
		nv->nres = 4;
	}
	return 0;
}

/* ---- writer ---------------------------------------------------------------- */

struct mc_trace_writer {
	char *path, *body_path;
	FILE *body;
	msgpack_packer pk;
	bool *user_done;
	size_t nuser_done;
	uint64_t machines, tasks, records;
	mc_time_t last;
	int ioerr;
	int nres;
};

static int body_write(void *data, const char *buf, size_t len)
{
	struct mc_trace_writer *w = data;
	if (len && fwrite(buf, 1, len, w->body) != len)
		w->ioerr = errno ? errno : EIO;
	return 0;
}

int mc_trace_writer_open(const char *path, struct mc_trace_writer **out, char *errbuf, size_t n)
{
	*out = NULL;
	struct mc_trace_writer *w = mc_xcalloc(1, sizeof *w);
	w->path = mc_xstrdup(path);
	size_t l = strlen(path) + 32;
	w->body_path = mc_xmalloc(l);
	snprintf(w->body_path, l, "%s.body.%ld.tmp", path, (long)getpid());
	w->body = fopen(w->body_path, "wb");
	if (!w->body) {
		mc__errf(errbuf, n, "%s: cannot write: %s", w->body_path, strerror(errno));
		free(w->body_path);
		free(w->path);
		free(w);
		return MC_EIO;
	}
	setvbuf(w->body, NULL, _IOFBF, 1u << 20);
	msgpack_packer_init(&w->pk, w, body_write);
	w->last = INT64_MIN;
	w->nres = mc_res_count() < 4 ? 4 : mc_res_count();
	*out = w;
	return 0;
}

static void pack_str(msgpack_packer *pk, const char *s)
{
	size_t l = strlen(s);
	msgpack_pack_str(pk, l);
	msgpack_pack_str_body(pk, s, l);
}

static void write_user(struct mc_trace_writer *w, uint32_t user, const char *name)
{
	if (user >= w->nuser_done) {
		size_t nn = w->nuser_done ? w->nuser_done : 64;
		while (nn <= user)
			nn *= 2;
		w->user_done = mc_xrealloc(w->user_done, nn);
		memset(w->user_done + w->nuser_done, 0, nn - w->nuser_done);
		w->nuser_done = nn;
	}
	if (w->user_done[user])
		return;
	w->user_done[user] = true;
	msgpack_pack_array(&w->pk, 3);
	msgpack_pack_int(&w->pk, REC_USER);
	msgpack_pack_uint32(&w->pk, user);
	pack_str(&w->pk, name);
}

int mc_trace_writer_user(struct mc_trace_writer *w, uint32_t user, const char *name)
{
	if (user == 0 || !name)
		return MC_EINVAL;
	write_user(w, user, name);
	return w->ioerr ? MC_EIO : 0;
}

static void pack_q(struct mc_trace_writer *w, const struct mc_resvec *q)
{
	int last = -1;
	for (int i = 0; i < w->nres && i < MC_RES_MAX; i++)
		if (q->q[i])
			last = i;
	msgpack_pack_array(&w->pk, (size_t)(last + 1));
	for (int i = 0; i <= last; i++)
		msgpack_pack_int64(&w->pk, q->q[i] < 0 ? 0 : q->q[i]);
}

int mc_trace_writer_put(struct mc_trace_writer *w, const struct mc_trace_record *rec)
{
	if (rec->time < w->last || rec->time < 0)
		return MC_EINVAL;
	w->last = rec->time;
	msgpack_packer *pk = &w->pk;
	switch (rec->type) {
	case MC_TREC_MACHINE: {
		const struct mc_trace_machine *m = &rec->machine;
		msgpack_pack_array(pk, 6);
		msgpack_pack_int(pk, REC_MACHINE);
		msgpack_pack_int64(pk, rec->time);
		msgpack_pack_uint64(pk, m->id);
		msgpack_pack_int(pk, (int)m->event);
		msgpack_pack_uint64(pk, m->platform);
		struct mc_resvec sum;
		mc_resources_sum(&m->capacity, &sum);
		pack_q(w, &sum);
		w->machines++;
		break;
	}
	case MC_TREC_TASK: {
		const struct mc_trace_task *t = &rec->task;
		if (t->count == 0 || t->ndeps > MC_TRACE_MAX_DEPS || t->duration < -1)
			return MC_EINVAL;
		if (t->user && (t->user >= w->nuser_done || !w->user_done[t->user])) {
			char name[24];
			snprintf(name, sizeof name, "u%u", t->user);
			write_user(w, t->user, name);
		}
		msgpack_pack_array(pk, 16);
		msgpack_pack_int(pk, REC_TASK);
		msgpack_pack_int64(pk, rec->time);
		msgpack_pack_uint64(pk, t->job_id);
		msgpack_pack_uint32(pk, t->task_index);
		msgpack_pack_uint32(pk, t->count);
		msgpack_pack_uint32(pk, t->job_tasks);
		msgpack_pack_uint32(pk, t->attempt);
		msgpack_pack_int64(pk, t->duration);
		msgpack_pack_int64(pk, t->orig_wait < -1 ? -1 : t->orig_wait);
		pack_q(w, &t->request);
		msgpack_pack_int32(pk, t->priority);
		msgpack_pack_int32(pk, t->sched_class < -1 ? -1 : t->sched_class);
		msgpack_pack_uint32(pk, t->user);
		msgpack_pack_int(pk, (int)t->end_state);
		msgpack_pack_uint32(pk, t->dag_id);
		msgpack_pack_array(pk, t->ndeps);
		for (uint32_t i = 0; i < t->ndeps; i++)
			msgpack_pack_uint32(pk, t->deps[i]);
		w->tasks += t->count;
		break;
	}
	case MC_TREC_TASK_END:
		msgpack_pack_array(pk, 6);
		msgpack_pack_int(pk, REC_TASK_END);
		msgpack_pack_int64(pk, rec->time);
		msgpack_pack_uint64(pk, rec->end.job_id);
		msgpack_pack_uint32(pk, rec->end.task_index);
		msgpack_pack_uint32(pk, rec->end.attempt);
		msgpack_pack_int(pk, (int)rec->end.end_state);
		break;
	default:
		return MC_EINVAL;
	}
	w->records++;
	return w->ioerr ? MC_EIO : 0;
}

static void free_writer(struct mc_trace_writer *w)
{
	if (w->body)
		fclose(w->body);
	free(w->user_done);
	free(w->body_path);
	free(w->path);
	free(w);
}

void mc_trace_writer_abort(struct mc_trace_writer *w)
{
	if (!w)
		return;
	if (w->body) {
		fclose(w->body);
		w->body = NULL;
	}
	unlink(w->body_path);
	free_writer(w);
}

static int sbuf_write(void *data, const char *buf, size_t len)
{
	return msgpack_sbuffer_write(data, buf, len);
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

int mc_trace_writer_close(struct mc_trace_writer *w, const struct mc_trace_header *hdr,
                          char *errbuf, size_t n)
{
	/* End marker, then flush the body. */
	msgpack_pack_array(&w->pk, 2);
	msgpack_pack_int(&w->pk, REC_END);
	msgpack_pack_uint64(&w->pk, w->records);
	int rc = 0;
	if (w->ioerr || fflush(w->body) != 0 || ferror(w->body)) {
		mc__errf(errbuf, n, "%s: write error: %s", w->body_path,
		         strerror(w->ioerr ? w->ioerr : errno));
		mc_trace_writer_abort(w);
		return MC_EIO;
	}
	fclose(w->body);
	w->body = NULL;

	/* The header, in memory. */
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	msgpack_packer hp;
	msgpack_packer_init(&hp, &sb, sbuf_write);
	msgpack_pack_map(&hp, 10);
	pack_str(&hp, "format");
	pack_str(&hp, FORMAT_MAGIC);
	pack_str(&hp, "version");
	msgpack_pack_int(&hp, MC_TRACE_VERSION);
	pack_str(&hp, "time_unit");
	pack_str(&hp, "us");
	pack_str(&hp, "source");
	pack_str(&hp, hdr && hdr->source[0] ? hdr->source : "unknown");
	pack_str(&hp, "notes");
	msgpack_pack_array(&hp, hdr ? hdr->nnotes : 0);
	for (size_t i = 0; hdr && i < hdr->nnotes; i++)
		pack_str(&hp, hdr->notes[i]);
	pack_str(&hp, "counts");
	msgpack_pack_array(&hp, hdr ? hdr->ncounts : 0);
	for (size_t i = 0; hdr && i < hdr->ncounts; i++) {
		msgpack_pack_array(&hp, 2);
		pack_str(&hp, hdr->counts[i].reason);
		msgpack_pack_uint64(&hp, hdr->counts[i].count);
	}
	pack_str(&hp, "machines");
	msgpack_pack_uint64(&hp, w->machines);
	pack_str(&hp, "tasks");
	msgpack_pack_uint64(&hp, w->tasks);
	pack_str(&hp, "records");
	msgpack_pack_uint64(&hp, w->records);
	pack_str(&hp, "resources");
	msgpack_pack_array(&hp, (size_t)w->nres);
	for (int i = 0; i < w->nres; i++)
		pack_str(&hp, i < mc_res_count() ? mc_res_name(i) : "?");

	/* Header + body into a temporary beside the target, then rename. */
	size_t l = strlen(w->path) + 32;
	char *tmp = mc_xmalloc(l);
	snprintf(tmp, l, "%s.%ld.tmp", w->path, (long)getpid());
	bool gz = ends_with(w->path, ".gz");
	FILE *in = fopen(w->body_path, "rb");
	FILE *fo = NULL;
	gzFile go = NULL;
	if (gz)
		go = gzopen(tmp, "wb6");
	else
		fo = fopen(tmp, "wb");
	if (!in || (gz ? !go : !fo)) {
		mc__errf(errbuf, n, "%s: cannot write: %s", tmp, strerror(errno));
		rc = MC_EIO;
	}
	char *cbuf = mc_xmalloc(1u << 20);
	if (!rc) {
		const char *p = sb.data;
		size_t len = sb.size;
		for (;;) {
			bool okw = gz ? (len == 0 || gzwrite(go, p, (unsigned)len) == (int)len)
			              : fwrite(p, 1, len, fo) == len;
			if (!okw) {
				mc__errf(errbuf, n, "%s: write error", tmp);
				rc = MC_EIO;
				break;
			}
			len = fread(cbuf, 1, 1u << 20, in);
			p = cbuf;
			if (len == 0)
				break;
		}
		if (!rc && ferror(in)) {
			mc__errf(errbuf, n, "%s: read error", w->body_path);
			rc = MC_EIO;
		}
	}
	free(cbuf);
	if (in)
		fclose(in);
	if (go && gzclose(go) != Z_OK && !rc) {
		mc__errf(errbuf, n, "%s: write error", tmp);
		rc = MC_EIO;
	}
	if (fo && fclose(fo) != 0 && !rc) {
		mc__errf(errbuf, n, "%s: write error: %s", tmp, strerror(errno));
		rc = MC_EIO;
	}
	if (!rc && rename(tmp, w->path) != 0) {
		mc__errf(errbuf, n, "%s: cannot rename into place: %s", w->path, strerror(errno));
		rc = MC_EIO;
	}
	if (rc)
		unlink(tmp);
	unlink(w->body_path);
	free(tmp);
	msgpack_sbuffer_destroy(&sb);
	free_writer(w);
	return rc;
}

int mc_trace_convert(struct mc_trace_reader *r, const char *path, char *errbuf, size_t n)
{
	struct mc_trace_writer *w;
	int rc = mc_trace_writer_open(path, &w, errbuf, n);
	if (rc)
		return rc;
	struct mc_trace_record rec;
	while ((rc = mc_trace_next(r, &rec)) == 1) {
		if (rec.type == MC_TREC_TASK && rec.task.user)
			write_user(w, rec.task.user, mc_trace_user_name(r, rec.task.user));
		rc = mc_trace_writer_put(w, &rec);
		if (rc) {
			mc__errf(errbuf, n, "%s: write error", path);
			mc_trace_writer_abort(w);
			return rc;
		}
	}
	if (rc < 0) {
		mc__errf(errbuf, n, "%s", mc_trace_error(r));
		mc_trace_writer_abort(w);
		return rc;
	}
	return mc_trace_writer_close(w, mc_trace_header(r), errbuf, n);
}
