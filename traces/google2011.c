/*
 * google2011.c - reader of the Google clusterdata-2011-2 trace
 * (shared/reference/traces.md 1.1): machine_events, task_events and
 * job_events CSV tables, gzip or plain, without headers.
 *
 * Inputs are classified by path (".../machine_events/...", "task_events",
 * "job_events"; other tables are refused) or, failing that, by the column
 * count of their first row (6, 13, 8). Files of one table are read in name
 * order as one stream (the trace's parts are consecutive in time). The
 * machine and task streams are merged by time; job_events are checked for
 * well-formedness and otherwise unused (task_events carry user, priority
 * and class).
 *
 * Task lifecycle: SUBMIT opens a task; SCHEDULE starts it; the first
 * terminal event (EVICT, FAIL, FINISH, KILL, LOST) fixes its duration
 * (terminal - SCHEDULE) and end state. A SUBMIT after EVICT/FAIL/KILL/LOST is
 * a resubmission: attempt + 1. A submitted task waits in a reorder heap
 * until its end is read or `lookahead` of trace time has passed; then it is
 * emitted with duration -1 and its end later becomes a TASK_END record.
 * Memory is O(tasks in flight + tasks submitted within the lookahead).
 *
 * Invariant: output times never decrease: a pending entry is emitted only
 * when it is ready or older than the lookahead, and every entry created
 * later has a time >= the current input time >= its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/trace_int.h"

enum { T_MACHINE = 0, T_TASK = 1, T_JOB = 2, NTABLES = 3 };
static const char *const table_names11[NTABLES] = {"machine_events", "task_events", "job_events"};
static const char *const table_names19[NTABLES] = {"machine_events", "instance_events",
                                                   "collection_events"};
static const int table_cols[NTABLES] = {6, 13, 8};

#define AFTER_WINDOW INT64_MAX

/* One input table: files read in order as one time-ordered stream. */
#define JMAX 48

/* One flattened JSON member: top-level key, or parent.key one level down. */
struct jfield {
	const char *pk, *k, *v;
	size_t pkl, kl, vl;
	char kind; /* 's' string (raw, escapes kept), 'n' number/literal, 'z' null, 'x' other */
};

struct table {
	int kind;
	bool json;
	const char *name;
	int nj;
	struct jfield j[JMAX];
	char **files;
	size_t nfiles, cur, cap;
	struct mc__tin tin;
	bool open, done;
	mc_time_t last; /* last time read */
	/* the event read ahead (valid when has) */
	bool has;
	mc_time_t time;
	const char *fs[14];
	size_t fl[14];
};

enum { ST_PENDING = 0, ST_RUNNING = 1, ST_ENDED = 2 };

struct otask {
	uint64_t job; /* 0 with idx UINT32_MAX = empty slot */
	uint32_t idx;
	uint32_t attempt;
	uint8_t state;
	uint8_t dropped; /* prefill dropped: ignore its events */
	int32_t pend;    /* pending output entry, or -1 once emitted */
	mc_time_t submit, sched, ended;
};

/* A pending output entry. */
struct pent {
	uint8_t type; /* MC_TREC_* */
	uint8_t ready;
	uint8_t cancelled;
	uint8_t end_state;
	uint8_t mevent;
	int8_t cls;
	int32_t prio;
	uint32_t idx, attempt, user;
	uint64_t id; /* job or machine id */
	uint64_t platform;
	mc_time_t duration, wait;
	int64_t q[3]; /* cpus, mem, disk thousandths */
};

struct g11 {
	struct table t[NTABLES];
	/* open tasks */
	struct otask *ot;
	size_t otcap, otn;
	/* pending output */
	struct pent *pe;
	size_t pecap, pen;
	int32_t *pfree;
	size_t pfn, pfcap;
	struct mc__heap heap;
	/* ended tasks waiting for a possible resubmission, FIFO */
	struct {
		uint64_t job;
		uint32_t idx;
		mc_time_t at;
	} * endq;
	size_t eqcap, eqhead, eqtail;
	mc_time_t now; /* input time */
	bool input_done;
	bool v2019;
	/* 2019: collection id -> user id of live collections */
	uint64_t *ck;
	uint32_t *cu;
	size_t ccap, cn;
	double cpus, mem, disk;
};

/* ---- open-task hash table (linear probing, backward-shift delete) ---------- */

static inline size_t ot_hash(uint64_t job, uint32_t idx, size_t mask)
{
	uint64_t h = (job ^ ((uint64_t)idx << 40 | idx)) * 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 17) & mask;
}

static inline bool ot_empty(const struct otask *o)
{
	return o->idx == UINT32_MAX && !o->job;
}

static struct otask *ot_find(struct g11 *g, uint64_t job, uint32_t idx)
{
	size_t mask = g->otcap - 1;
	for (size_t i = ot_hash(job, idx, mask);; i = (i + 1) & mask) {
		struct otask *o = &g->ot[i];
		if (ot_empty(o))
			return NULL;
		if (o->job == job && o->idx == idx)
			return o;
	}
}

static void ot_init(struct otask *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		a[i].job = 0;
		a[i].idx = UINT32_MAX;
	}
}

static struct otask *ot_insert(struct g11 *g, uint64_t job, uint32_t idx);

static void ot_grow(struct g11 *g)
{
	struct otask *old = g->ot;
	size_t oc = g->otcap;
	g->otcap = oc ? oc * 2 : 4096;
	g->ot = mc_xmalloc(g->otcap * sizeof *g->ot);
	ot_init(g->ot, g->otcap);
	g->otn = 0;
	for (size_t i = 0; i < oc; i++)
		if (!ot_empty(&old[i])) {
			struct otask *n = ot_insert(g, old[i].job, old[i].idx);
			*n = old[i];
		}
	free(old);
}

static struct otask *ot_insert(struct g11 *g, uint64_t job, uint32_t idx)
{
	if ((g->otn + 1) * 4 > g->otcap * 3)
		ot_grow(g);
	size_t mask = g->otcap - 1;
	size_t i = ot_hash(job, idx, mask);
	while (!ot_empty(&g->ot[i]))
		i = (i + 1) & mask;
	struct otask *o = &g->ot[i];
	memset(o, 0, sizeof *o);
	o->job = job;
	o->idx = idx;
	o->pend = -1;
	g->otn++;
	return o;
}

static void ot_delete(struct g11 *g, struct otask *o)
{
	size_t mask = g->otcap - 1;
	size_t i = (size_t)(o - g->ot);
	size_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (ot_empty(&g->ot[j]))
			break;
		size_t k = ot_hash(g->ot[j].job, g->ot[j].idx, mask);
		/* Move j into the hole at i if its home k is not in (i, j]. */
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			g->ot[i] = g->ot[j];
			i = j;
		}
	}
	g->ot[i].job = 0;
	g->ot[i].idx = UINT32_MAX;
	g->otn--;
}

/* ---- pending entries ---------------------------------------------------------- */

static int32_t pent_new(struct g11 *g, mc_time_t time)
{
	int32_t id;
	if (g->pfn)
		id = g->pfree[--g->pfn];
	else {
		mc_xgrow(&g->pe, &g->pecap, g->pen + 1, sizeof *g->pe);
		id = (int32_t)g->pen++;
	}
	memset(&g->pe[id], 0, sizeof g->pe[id]);
	mc__heap_push(&g->heap, time, (uint32_t)id);
	return id;
}

static void pent_free(struct g11 *g, int32_t id)
{
	mc_xgrow(&g->pfree, &g->pfcap, g->pfn + 1, sizeof *g->pfree);
	g->pfree[g->pfn++] = id;
}

/* ---- input ---------------------------------------------------------------------- */

static int table_bad(struct mc_trace_reader *r, struct table *t, const char *what)
{
	if (r->opt.skip_bad) {
		char reason[96];
		snprintf(reason, sizeof reason, "skipped %s row: %s", t->name, what);
		mc__trace_count(r, reason, 1);
		return 1;
	}
	return mc__trace_fail(r, MC_EPARSE, t->tin.path, t->tin.line, "%s", what);
}

/* ---- a small JSON object scanner (2019 exports) ------------------------------ */

static const char *j_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Scans a string starting at the opening quote; returns the position after
 * the closing quote or NULL. */
static const char *j_str(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '"')
			return p + 1;
		if ((unsigned char)*p < 0x20)
			return NULL;
	}
	return NULL;
}

/* Skips any value (depth-limited); returns the position after it or NULL. */
static const char *j_skip(const char *p, const char *e, int depth)
{
	p = j_ws(p, e);
	if (p >= e || depth > 64)
		return NULL;
	if (*p == '"')
		return j_str(p, e);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';
		p = j_ws(p + 1, e);
		if (p < e && *p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				if (p >= e || *p != '"' || !(p = j_str(p, e)))
					return NULL;
				p = j_ws(p, e);
				if (p >= e || *p != ':')
					return NULL;
				p++;
			}
			if (!(p = j_skip(p, e, depth + 1)))
				return NULL;
			p = j_ws(p, e);
			if (p < e && *p == ',') {
				p = j_ws(p + 1, e);
				continue;
			}
			if (p < e && *p == close)
				return p + 1;
			return NULL;
		}
	}
	const char *b = p;
	while (p < e && ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == '.' ||
	                 *p == 'e' || *p == 'E' || (*p >= 'a' && *p <= 'z')))
		p++;
	return p > b ? p : NULL;
}

/* Flattens the object at [s, s+len) into t->j. Returns NULL or a message. */
static const char *j_flatten(struct table *t, const char *s, size_t len, const char *pk, size_t pkl,
                             int depth)
{
	const char *p = s, *e = s + len;
	p = j_ws(p, e);
	if (p >= e || *p != '{')
		return "not a JSON object";
	p = j_ws(p + 1, e);
	if (p < e && *p == '}')
		return NULL;
	for (;;) {
		if (p >= e || *p != '"')
			return "expected a member name";
		const char *k = p + 1, *ke = j_str(p, e);
		if (!ke)
			return "unterminated string";
		p = j_ws(ke, e);
		if (p >= e || *p != ':')
			return "expected ':'";
		p = j_ws(p + 1, e);
		if (p >= e)
			return "missing value";
		const char *v = p, *ve = j_skip(p, e, 1);
		if (!ve)
			return "malformed value";
		if (*v == '{' && depth == 0) {
			const char *msg =
			    j_flatten(t, v, (size_t)(ve - v), k, (size_t)(ke - 1 - k), 1);
			if (msg)
				return msg;
		} else if (t->nj < JMAX) {
			struct jfield *f = &t->j[t->nj++];
			f->pk = pk;
			f->pkl = pkl;
			f->k = k;
			f->kl = (size_t)(ke - 1 - k);
			if (*v == '"') {
				f->kind = 's';
				f->v = v + 1;
				f->vl = (size_t)(ve - 1 - (v + 1));
			} else {
				f->kind = *v == 'n' ? 'z' : (*v == '{' || *v == '[') ? 'x' : 'n';
				f->v = v;
				f->vl = (size_t)(ve - v);
			}
		}
		p = j_ws(ve, e);
		if (p < e && *p == ',') {
			p = j_ws(p + 1, e);
			continue;
		}
		if (p < e && *p == '}') {
			p = j_ws(p + 1, e);
			return depth == 0 && p != e ? "text after the object" : NULL;
		}
		return "expected ',' or '}'";
	}
}

static const struct jfield *j_get(const struct table *t, const char *pk, const char *k)
{
	size_t pkl = pk ? strlen(pk) : 0, kl = strlen(k);
	for (int i = 0; i < t->nj; i++) {
		const struct jfield *f = &t->j[i];
		if (f->kl == kl && !memcmp(f->k, k, kl) && f->pkl == pkl &&
		    (!pkl || !memcmp(f->pk, pk, pkl)))
			return f;
	}
	return NULL;
}

static int table_bad(struct mc_trace_reader *r, struct table *t, const char *what);

/* An integer member (number or string of digits). Missing/null -> *out = dflt
 * when optional. Returns 0, 1 (row skipped) or an error. */
static int j_i64(struct mc_trace_reader *r, struct table *t, const char *pk, const char *k,
                 bool optional, int64_t dflt, int64_t lo, int64_t hi, int64_t *out)
{
	const struct jfield *f = j_get(t, pk, k);
	char what[96];
	if (!f || f->kind == 'z' || (f->kind == 's' && f->vl == 0)) {
		if (optional) {
			*out = dflt;
			return 0;
		}
		snprintf(what, sizeof what, "missing \"%s%s%s\"", pk ? pk : "", pk ? "." : "", k);
		return table_bad(r, t, what);
	}
	int e = f->kind == 'x' ? MC_EPARSE : mc__scan_i64(f->v, f->vl, out);
	if (e || *out < lo || *out > hi) {
		snprintf(what, sizeof what, "\"%s%s%s\": %s", pk ? pk : "", pk ? "." : "", k,
		         e == MC_EPARSE ? "not an integer" : "out of range");
		return table_bad(r, t, what);
	}
	return 0;
}

static int j_f64(struct mc_trace_reader *r, struct table *t, const char *pk, const char *k,
                 double *out)
{
	const struct jfield *f = j_get(t, pk, k);
	if (!f || f->kind == 'z' || (f->kind == 's' && f->vl == 0)) {
		*out = -1;
		return 0;
	}
	int e = f->kind == 'x' ? MC_EPARSE : mc__scan_f64(f->v, f->vl, out);
	if (e || *out < 0 || *out > 1e6) {
		char what[96];
		snprintf(what, sizeof what, "\"%s%s%s\": %s", pk ? pk : "", pk ? "." : "", k,
		         e == MC_EPARSE ? "not a number" : "out of range");
		return table_bad(r, t, what);
	}
	return 0;
}

/* Reads the next well-formed row of table t into t->fs/fl/time. Returns 1,
 * 0 at the end of the table, or an error. */
static int table_advance(struct mc_trace_reader *r, struct table *t)
{
	t->has = false;
	for (;;) {
		if (t->done)
			return 0;
		if (!t->open) {
			if (t->cur >= t->nfiles) {
				t->done = true;
				return 0;
			}
			if (mc__tin_open(&t->tin, t->files[t->cur], r->err, sizeof r->err))
				return r->err_code = MC_EIO;
			t->open = true;
		}
		const char *s;
		size_t len;
		int rc = mc__tin_line(&t->tin, &s, &len, r->err, sizeof r->err);
		if (rc < 0) {
			r->err_code = rc;
			return rc;
		}
		if (rc == 0) {
			mc__tin_close(&t->tin);
			t->open = false;
			t->cur++;
			continue;
		}
		if (len == 0) {
			int b = table_bad(r, t, "empty line");
			if (b < 0)
				return b;
			continue;
		}
		int64_t time;
		if (t->json) {
			t->nj = 0;
			const char *msg = j_flatten(t, s, len, NULL, 0, 0);
			if (msg) {
				int b = table_bad(r, t, msg);
				if (b < 0)
					return b;
				continue;
			}
			int b = j_i64(r, t, NULL, "time", false, 0, 0, INT64_MAX, &time);
			if (b < 0)
				return b;
			if (b)
				continue;
		} else {
			int want = table_cols[t->kind];
			int nf = mc__split(s, len, ',', t->fs, t->fl, 14);
			if (nf != want) {
				char what[96];
				snprintf(what, sizeof what,
				         "expected %d comma-separated columns, found %d", want, nf);
				int b = table_bad(r, t, what);
				if (b < 0)
					return b;
				continue;
			}
			int e = mc__scan_i64(t->fs[0], t->fl[0], &time);
			if (e || time < 0) {
				int b = table_bad(r, t,
				                  e == MC_ERANGE
				                      ? "time out of range"
				                      : "time is not a non-negative integer");
				if (b < 0)
					return b;
				continue;
			}
		}
		if (time < t->last) {
			char what[96];
			snprintf(what, sizeof what, "time %lld is before the previous row's %lld",
			         (long long)time, (long long)t->last);
			int b = table_bad(r, t, what);
			if (b < 0)
				return b;
			continue;
		}
		t->last = time;
		t->time = time;
		t->has = true;
		return 1;
	}
}

/* Field helpers with row-level error reporting. */
static int fld_i64(struct mc_trace_reader *r, struct table *t, int col, bool optional, int64_t lo,
                   int64_t hi, int64_t *out, const char *name)
{
	if (t->fl[col] == 0) {
		if (optional) {
			*out = -1;
			return 0;
		}
		char what[96];
		snprintf(what, sizeof what, "column %d (%s) is empty", col + 1, name);
		return table_bad(r, t, what);
	}
	int e = mc__scan_i64(t->fs[col], t->fl[col], out);
	if (e || *out < lo || *out > hi) {
		char what[96];
		snprintf(what, sizeof what, "column %d (%s): %s", col + 1, name,
		         e == MC_EPARSE ? "not an integer" : "out of range");
		return table_bad(r, t, what);
	}
	return 0;
}

static int fld_f64(struct mc_trace_reader *r, struct table *t, int col, double *out,
                   const char *name)
{
	if (t->fl[col] == 0) {
		*out = -1;
		return 0;
	}
	int e = mc__scan_f64(t->fs[col], t->fl[col], out);
	if (e || *out < 0 || *out > 1e6) {
		char what[96];
		snprintf(what, sizeof what, "column %d (%s): %s", col + 1, name,
		         e == MC_EPARSE ? "not a number" : "out of range");
		return table_bad(r, t, what);
	}
	return 0;
}

/* ---- event processing --------------------------------------------------------- */

static enum mc_tend end_of(int64_t ev)
{
	switch (ev) {
	case 2:
		return MC_TEND_EVICTED;
	case 3:
		return MC_TEND_FAILED;
	case 4:
		return MC_TEND_FINISHED;
	case 5:
		return MC_TEND_KILLED;
	default:
		return MC_TEND_LOST;
	}
}

struct mach_ev {
	int64_t id, ev;  /* ev in 2011 codes */
	double cpu, mem; /* -1 when empty */
	uint64_t platform;
};

static int apply_machine(struct mc_trace_reader *r, struct g11 *g, mc_time_t time,
                         const struct mach_ev *m)
{
	if (time == AFTER_WINDOW) {
		mc__trace_count(r, "dropped: machine event after the window", 1);
		return 0;
	}
	if (m->ev != MC_TMACH_REMOVE && (m->cpu < 0 || m->mem < 0)) {
		mc__trace_count(r, "dropped: machine event with empty capacity", 1);
		return 0;
	}
	int32_t pid = pent_new(g, time);
	struct pent *p = &g->pe[pid];
	p->type = MC_TREC_MACHINE;
	p->ready = 1;
	p->id = (uint64_t)m->id;
	p->mevent = (uint8_t)m->ev;
	p->platform = m->platform;
	if (m->ev != MC_TMACH_REMOVE) {
		p->q[0] = mc__milli_scaled(m->cpu, g->cpus);
		p->q[1] = mc__milli_scaled(m->mem, g->mem);
	}
	return 0;
}

static int do_machine(struct mc_trace_reader *r, struct g11 *g, struct table *t)
{
	struct mach_ev m;
	int b;
	if ((b = fld_i64(r, t, 1, false, 0, INT64_MAX, &m.id, "machine ID")) ||
	    (b = fld_i64(r, t, 2, false, 0, 2, &m.ev, "event type")) ||
	    (b = fld_f64(r, t, 4, &m.cpu, "CPUs")) || (b = fld_f64(r, t, 5, &m.mem, "memory")))
		return b < 0 ? b : 0;
	m.platform = t->fl[3] ? mc__hash64(t->fs[3], t->fl[3]) : 0;
	return apply_machine(r, g, t->time, &m);
}

static void ended_push(struct g11 *g, uint64_t job, uint32_t idx, mc_time_t at)
{
	size_t n = g->eqtail - g->eqhead;
	if (n + 1 > g->eqcap) {
		size_t nc = g->eqcap ? g->eqcap * 2 : 1024;
		void *na = mc_xmalloc(nc * sizeof *g->endq);
		for (size_t i = 0; i < n; i++)
			memcpy((char *)na + i * sizeof *g->endq,
			       &g->endq[(g->eqhead + i) % (g->eqcap ? g->eqcap : 1)],
			       sizeof *g->endq);
		free(g->endq);
		g->endq = na;
		g->eqcap = nc;
		g->eqhead = 0;
		g->eqtail = n;
	}
	size_t k = g->eqtail++ % g->eqcap;
	g->endq[k].job = job;
	g->endq[k].idx = idx;
	g->endq[k].at = at;
}

/* Forgets ended tasks older than the lookahead (no resubmission came). */
static void ended_expire(struct mc_trace_reader *r, struct g11 *g)
{
	while (g->eqhead < g->eqtail) {
		size_t k = g->eqhead % g->eqcap;
		if (g->now - g->endq[k].at <= r->opt.lookahead)
			break;
		struct otask *o = ot_find(g, g->endq[k].job, g->endq[k].idx);
		if (o && o->state == ST_ENDED && o->ended == g->endq[k].at)
			ot_delete(g, o);
		g->eqhead++;
	}
}

struct task_ev {
	int64_t job, idx, ev, cls, prio; /* ev in 2011 codes; cls/prio -1 when empty */
	double cpu, mem, disk;           /* -1 when empty */
	uint32_t user;
};

static int apply_task(struct mc_trace_reader *r, struct g11 *g, mc_time_t time,
                      const struct task_ev *te);

static int do_task(struct mc_trace_reader *r, struct g11 *g, struct table *t)
{
	struct task_ev te;
	int b;
	if ((b = fld_i64(r, t, 2, false, 0, INT64_MAX, &te.job, "job ID")) ||
	    (b = fld_i64(r, t, 3, false, 0, UINT32_MAX - 1, &te.idx, "task index")) ||
	    (b = fld_i64(r, t, 5, false, 0, 8, &te.ev, "event type")) ||
	    (b = fld_i64(r, t, 7, true, 0, 3, &te.cls, "scheduling class")) ||
	    (b = fld_i64(r, t, 8, true, 0, 11, &te.prio, "priority")) ||
	    (b = fld_f64(r, t, 9, &te.cpu, "CPU request")) ||
	    (b = fld_f64(r, t, 10, &te.mem, "memory request")) ||
	    (b = fld_f64(r, t, 11, &te.disk, "disk request")))
		return b < 0 ? b : 0;
	te.user = te.ev == 0 ? mc__trace_user(r, t->fs[6], t->fl[6]) : 0;
	return apply_task(r, g, t->time, &te);
}

static int apply_task(struct mc_trace_reader *r, struct g11 *g, mc_time_t time,
                      const struct task_ev *te)
{
	int64_t job = te->job, idx = te->idx, ev = te->ev, cls = te->cls, prio = te->prio;
	double cpu = te->cpu, mem = te->mem, disk = te->disk;

	if (time == AFTER_WINDOW) {
		mc__trace_count(r, "dropped: task event after the window", 1);
		return 0;
	}
	struct otask *o = ot_find(g, (uint64_t)job, (uint32_t)idx);
	if (o && o->dropped) {
		if (ev == 4)
			ot_delete(g, o);
		return 0;
	}
	struct pent *p = o && o->pend >= 0 ? &g->pe[o->pend] : NULL;
	switch (ev) {
	case 0: { /* SUBMIT */
		uint32_t attempt = 0;
		if (o && o->state != ST_ENDED) {
			mc__trace_count(r, "ignored: SUBMIT of a task already submitted", 1);
			return 0;
		}
		if (o) {
			attempt = o->attempt + 1;
			ot_delete(g, o);
		}
		o = ot_insert(g, (uint64_t)job, (uint32_t)idx);
		o->attempt = attempt;
		o->submit = time;
		o->state = ST_PENDING;
		if (time == 0 && !r->opt.keep_prefill) {
			o->dropped = 1;
			mc__trace_count(r, "dropped: task submitted before the window", 1);
			return 0;
		}
		int32_t pid = pent_new(g, time);
		o->pend = pid;
		p = &g->pe[pid];
		p->type = MC_TREC_TASK;
		p->id = (uint64_t)job;
		p->idx = (uint32_t)idx;
		p->attempt = attempt;
		p->duration = -1;
		p->wait = -1;
		p->prio = prio < 0 ? 0 : (int32_t)prio;
		p->cls = (int8_t)cls;
		p->user = te->user;
		p->q[0] = mc__milli_scaled(cpu, g->cpus);
		p->q[1] = mc__milli_scaled(mem, g->mem);
		p->q[2] = g->disk > 0 ? mc__milli_scaled(disk, g->disk) : 0;
		return 0;
	}
	case 1: /* SCHEDULE */
		if (!o || o->state == ST_ENDED) {
			mc__trace_count(r, "dropped: SCHEDULE without SUBMIT", 1);
			return 0;
		}
		if (o->state == ST_RUNNING) {
			mc__trace_count(r, "ignored: SCHEDULE of a running task", 1);
			return 0;
		}
		o->state = ST_RUNNING;
		o->sched = time;
		if (p)
			p->wait = time - o->submit;
		return 0;
	case 7: /* UPDATE_PENDING */
	case 8: /* UPDATE_RUNNING */
		if (!o || o->state == ST_ENDED) {
			mc__trace_count(r, "dropped: UPDATE of an unknown task", 1);
			return 0;
		}
		if (!p) {
			mc__trace_count(r, "ignored: UPDATE after the task was emitted", 1);
			return 0;
		}
		if (cpu >= 0)
			p->q[0] = mc__milli_scaled(cpu, g->cpus);
		if (mem >= 0)
			p->q[1] = mc__milli_scaled(mem, g->mem);
		if (prio >= 0)
			p->prio = (int32_t)prio;
		if (cls >= 0)
			p->cls = (int8_t)cls;
		return 0;
	default: { /* EVICT FAIL FINISH KILL LOST */
		if (!o || o->state == ST_ENDED) {
			mc__trace_count(r, "dropped: end event of an unknown task", 1);
			return 0;
		}
		enum mc_tend es = end_of(ev);
		bool ran = o->state == ST_RUNNING;
		if (p) {
			if (ran) {
				p->duration = time - o->sched;
				p->end_state = (uint8_t)es;
				p->ready = 1;
			} else {
				p->cancelled = 1;
				mc__trace_count(r, "dropped: task ended before it was scheduled",
				                1);
			}
		} else {
			int32_t pid = pent_new(g, time);
			struct pent *e = &g->pe[pid];
			e->type = MC_TREC_TASK_END;
			e->ready = 1;
			e->id = (uint64_t)job;
			e->idx = (uint32_t)idx;
			e->attempt = o->attempt;
			e->end_state = (uint8_t)es;
		}
		o->pend = -1;
		if (es == MC_TEND_FINISHED) {
			ot_delete(g, o);
		} else {
			o->state = ST_ENDED;
			o->ended = time;
			ended_push(g, (uint64_t)job, (uint32_t)idx, time);
		}
		return 0;
	}
	}
}

static int do_job(struct mc_trace_reader *r, struct table *t)
{
	int64_t job, ev, cls;
	int b;
	if ((b = fld_i64(r, t, 2, false, 0, INT64_MAX, &job, "job ID")) ||
	    (b = fld_i64(r, t, 3, false, 0, 8, &ev, "event type")) ||
	    (b = fld_i64(r, t, 5, true, 0, 3, &cls, "scheduling class")))
		return b < 0 ? b : 0;
	return 0;
}

/* ---- 2019 ------------------------------------------------------------------- */

static size_t coll_slot(const struct g11 *g, uint64_t id)
{
	size_t mask = g->ccap - 1, i = (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 20) & mask;
	while (g->ck[i] && g->ck[i] != id)
		i = (i + 1) & mask;
	return i;
}

static void coll_put(struct g11 *g, uint64_t id, uint32_t user)
{
	if (!id)
		return;
	if ((g->cn + 1) * 2 > g->ccap) {
		uint64_t *ok = g->ck;
		uint32_t *ou = g->cu;
		size_t oc = g->ccap;
		g->ccap = oc ? oc * 2 : 1024;
		g->ck = mc_xcalloc(g->ccap, sizeof *g->ck);
		g->cu = mc_xcalloc(g->ccap, sizeof *g->cu);
		for (size_t i = 0; i < oc; i++)
			if (ok[i]) {
				size_t j = coll_slot(g, ok[i]);
				g->ck[j] = ok[i];
				g->cu[j] = ou[i];
			}
		free(ok);
		free(ou);
	}
	size_t i = coll_slot(g, id);
	if (!g->ck[i])
		g->cn++;
	g->ck[i] = id;
	g->cu[i] = user;
}

static uint32_t coll_user(const struct g11 *g, uint64_t id)
{
	if (!g->ccap || !id)
		return 0;
	size_t i = coll_slot(g, id);
	return g->ck[i] ? g->cu[i] : 0;
}

static void coll_del(struct g11 *g, uint64_t id)
{
	if (!g->ccap || !id)
		return;
	size_t mask = g->ccap - 1, i = coll_slot(g, id);
	if (!g->ck[i])
		return;
	g->ck[i] = 0;
	g->cn--;
	/* re-insert the rest of the cluster */
	for (size_t j = (i + 1) & mask; g->ck[j]; j = (j + 1) & mask) {
		uint64_t k = g->ck[j];
		uint32_t u = g->cu[j];
		g->ck[j] = 0;
		size_t d = coll_slot(g, k);
		g->ck[d] = k;
		g->cu[d] = u;
	}
}

/* 2019 event codes -> 2011's; -1 = ignored (QUEUE, ENABLE). */
static int64_t ev19(int64_t e)
{
	static const int8_t map[] = {0, -1, -1, 1, 2, 3, 4, 5, 6, 7, 8};
	return e >= 0 && e <= 10 ? map[e] : -2;
}

static int do_machine19(struct mc_trace_reader *r, struct g11 *g, struct table *t)
{
	struct mach_ev m;
	int64_t type;
	int b;
	if ((b = j_i64(r, t, NULL, "machine_id", false, 0, 0, INT64_MAX, &m.id)) ||
	    (b = j_i64(r, t, NULL, "type", false, 0, 0, 3, &type)) ||
	    (b = j_f64(r, t, "capacity", "cpus", &m.cpu)) ||
	    (b = j_f64(r, t, "capacity", "memory", &m.mem)))
		return b < 0 ? b : 0;
	if (type == 0) {
		mc__trace_count(r, "dropped: machine event of unknown type", 1);
		return 0;
	}
	m.ev = type - 1;
	const struct jfield *pf = j_get(t, NULL, "platform_id");
	m.platform = pf && pf->vl ? mc__hash64(pf->v, pf->vl) : 0;
	return apply_machine(r, g, t->time, &m);
}

static int do_task19(struct mc_trace_reader *r, struct g11 *g, struct table *t)
{
	struct task_ev te;
	int64_t type, ctype;
	int b;
	if ((b = j_i64(r, t, NULL, "collection_id", false, 0, 0, INT64_MAX, &te.job)) ||
	    (b = j_i64(r, t, NULL, "instance_index", false, 0, 0, UINT32_MAX - 1, &te.idx)) ||
	    (b = j_i64(r, t, NULL, "type", false, 0, 0, 10, &type)) ||
	    (b = j_i64(r, t, NULL, "collection_type", true, 0, 0, 1, &ctype)) ||
	    (b = j_i64(r, t, NULL, "scheduling_class", true, -1, 0, 3, &te.cls)) ||
	    (b = j_i64(r, t, NULL, "priority", true, -1, 0, 100000, &te.prio)) ||
	    (b = j_f64(r, t, "resource_request", "cpus", &te.cpu)) ||
	    (b = j_f64(r, t, "resource_request", "memory", &te.mem)))
		return b < 0 ? b : 0;
	if (ctype == 1) {
		mc__trace_count(r, "dropped: alloc set instance event", 1);
		return 0;
	}
	te.ev = ev19(type);
	if (te.ev < 0) {
		mc__trace_count(r, "ignored: QUEUE/ENABLE instance event", 1);
		return 0;
	}
	te.disk = -1;
	te.user = coll_user(g, (uint64_t)te.job);
	return apply_task(r, g, t->time, &te);
}

static int do_job19(struct mc_trace_reader *r, struct g11 *g, struct table *t)
{
	int64_t id, type;
	int b;
	if ((b = j_i64(r, t, NULL, "collection_id", false, 0, 0, INT64_MAX, &id)) ||
	    (b = j_i64(r, t, NULL, "type", false, 0, 0, 10, &type)))
		return b < 0 ? b : 0;
	if (type == 0) {
		const struct jfield *u = j_get(t, NULL, "user");
		coll_put(g, (uint64_t)id, u && u->kind == 's' ? mc__trace_user(r, u->v, u->vl) : 0);
	} else if (type >= 4 && type <= 8) {
		coll_del(g, (uint64_t)id);
	}
	return 0;
}

/* Reads and processes the next input event (smallest time across tables).
 * Returns 1, 0 when all input is done, or an error. */
static int step_input(struct mc_trace_reader *r, struct g11 *g)
{
	struct table *best = NULL;
	for (int k = 0; k < NTABLES; k++) {
		struct table *t = &g->t[k];
		if (!t->has && !t->done) {
			int rc = table_advance(r, t);
			if (rc < 0)
				return rc;
		}
		/* At equal times the job/collection table goes first (a 2019
		 * instance needs its collection's user), then machines. */
		if (t->has &&
		    (!best || t->time < best->time || (t->time == best->time && t->kind == T_JOB)))
			best = t;
	}
	if (!best)
		return 0;
	if (best->time > g->now)
		g->now = best->time;
	int rc;
	if (g->v2019)
		rc = best->kind == T_MACHINE ? do_machine19(r, g, best)
		     : best->kind == T_TASK  ? do_task19(r, g, best)
		                             : do_job19(r, g, best);
	else if (best->kind == T_MACHINE)
		rc = do_machine(r, g, best);
	else if (best->kind == T_TASK)
		rc = do_task(r, g, best);
	else
		rc = do_job(r, best);
	if (rc < 0)
		return rc;
	best->has = false;
	ended_expire(r, g);
	return 1;
}

static void fill_record(struct mc_trace_reader *r, struct g11 *g, const struct pent *p,
                        mc_time_t time, struct mc_trace_record *rec)
{
	rec->time = time;
	rec->type = (enum mc_trec_type)p->type;
	if (p->type == MC_TREC_MACHINE) {
		struct mc_trace_machine *m = &rec->machine;
		m->id = p->id;
		m->event = (enum mc_tmach_event)p->mevent;
		m->platform = p->platform;
		mc_resources_clear(&m->capacity);
		m->capacity.unres.q[MC_RES_CPUS] = p->q[0];
		m->capacity.unres.q[MC_RES_MEM] = p->q[1];
		r->hdr.machines++;
	} else if (p->type == MC_TREC_TASK) {
		struct mc_trace_task *t = &rec->task;
		t->job_id = p->id;
		t->task_index = p->idx;
		t->count = 1;
		t->job_tasks = 0;
		t->attempt = p->attempt;
		t->duration = p->ready ? p->duration : -1;
		t->orig_wait = p->wait;
		mc_resvec_clear(&t->request);
		t->request.q[MC_RES_CPUS] = p->q[0];
		t->request.q[MC_RES_MEM] = p->q[1];
		t->request.q[MC_RES_DISK] = p->q[2];
		t->priority = p->prio;
		t->sched_class = p->cls;
		t->user = p->user;
		t->end_state = p->ready ? (enum mc_tend)p->end_state : MC_TEND_UNKNOWN;
		t->dag_id = 0;
		t->ndeps = 0;
		r->hdr.tasks++;
		if (!p->ready)
			mc__trace_count(r, "assumed: duration unknown within the lookahead", 1);
	} else {
		rec->end.job_id = p->id;
		rec->end.task_index = p->idx;
		rec->end.attempt = p->attempt;
		rec->end.end_state = (enum mc_tend)p->end_state;
	}
	r->hdr.records++;
	(void)g;
}

static int g11_next(struct mc_trace_reader *r, struct mc_trace_record *rec)
{
	struct g11 *g = r->impl;
	for (;;) {
		const struct mc__heap_ent *top = mc__heap_top(&g->heap);
		if (top) {
			struct pent *p = &g->pe[top->idx];
			if (p->cancelled || p->ready || g->input_done ||
			    g->now - top->time > r->opt.lookahead) {
				struct mc__heap_ent e;
				mc__heap_pop(&g->heap, &e);
				bool emit = !p->cancelled;
				if (emit && p->type == MC_TREC_TASK && !p->ready) {
					/* Emitted with unknown duration: its end, when read,
					 * becomes a TASK_END record. */
					struct otask *o = ot_find(g, p->id, p->idx);
					if (o && o->pend == (int32_t)e.idx)
						o->pend = -1;
				}
				if (emit)
					fill_record(r, g, p, e.time, rec);
				pent_free(g, (int32_t)e.idx);
				if (emit)
					return 1;
				continue;
			}
		}
		if (g->input_done)
			return 0;
		int rc = step_input(r, g);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			g->input_done = true;
			/* Tasks never seen to end stay unknown (-1). */
		}
	}
}

static void g11_free(void *impl)
{
	struct g11 *g = impl;
	if (!g)
		return;
	for (int k = 0; k < NTABLES; k++) {
		struct table *t = &g->t[k];
		if (t->open)
			mc__tin_close(&t->tin);
		for (size_t i = 0; i < t->nfiles; i++)
			free(t->files[i]);
		free(t->files);
	}
	free(g->ot);
	free(g->pe);
	free(g->pfree);
	free(g->endq);
	free(g->ck);
	free(g->cu);
	mc__heap_release(&g->heap);
	free(g);
}

static const struct mc__trace_ops g11_ops = {g11_next, g11_free};

/* Classifies a file by its path, else by the column count (2011) of its
 * first line. Returns the table kind, or a negative error with a message. */
static int classify(const char *path, bool v2019, char *err, size_t n)
{
	static const char *const other[] = {"task_usage", "instance_usage", "machine_attributes",
	                                    "task_constraints", "schema"};
	const char *const *names = v2019 ? table_names19 : table_names11;
	for (int k = 0; k < NTABLES; k++)
		if (strstr(path, names[k]))
			return k;
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
		if (strstr(path, other[i])) {
			mc__errf(err, n, "%s: the %s table is not used; give %s, %s or %s", path,
			         other[i], names[0], names[1], names[2]);
			return MC_EINVAL;
		}
	if (v2019) {
		mc__errf(err, n,
		         "%s: cannot tell the table: name the file after machine_events, "
		         "instance_events or collection_events",
		         path);
		return MC_EINVAL;
	}
	struct mc__tin tin;
	if (mc__tin_open(&tin, path, err, n))
		return MC_EIO;
	const char *s;
	size_t len;
	int rc = mc__tin_line(&tin, &s, &len, err, n);
	int kind = MC_EPARSE;
	if (rc == 1) {
		const char *fs[1];
		size_t fl[1];
		int nf = mc__split(s, len, ',', fs, fl, 1);
		for (int k = 0; k < NTABLES; k++)
			if (nf == table_cols[k])
				kind = k;
		if (kind < 0)
			mc__errf(err, n,
			         "%s:1: %d columns: not a Google 2011 machine_events (6), "
			         "task_events (13) or job_events (8) table",
			         path, nf);
	} else if (rc == 0) {
		kind = T_TASK; /* an empty file contributes nothing */
	} else {
		kind = rc;
	}
	mc__tin_close(&tin);
	return kind;
}

static int google_open(struct mc_trace_reader *r, char **files, size_t nfiles, bool v2019,
                       char *err, size_t n)
{
	struct g11 *g = mc_xcalloc(1, sizeof *g);
	r->ops = &g11_ops;
	r->impl = g;
	g->v2019 = v2019;
	const char *const *names = v2019 ? table_names19 : table_names11;
	for (int k = 0; k < NTABLES; k++) {
		g->t[k].kind = k;
		g->t[k].json = v2019;
		g->t[k].name = names[k];
	}
	for (size_t i = 0; i < nfiles; i++) {
		int k = classify(files[i], v2019, err, n);
		if (k < 0)
			return k;
		struct table *t = &g->t[k];
		mc_xgrow(&t->files, &t->cap, t->nfiles + 1, sizeof *t->files);
		t->files[t->nfiles++] = mc_xstrdup(files[i]);
	}
	if (!g->t[T_MACHINE].nfiles && !g->t[T_TASK].nfiles) {
		mc__errf(err, n, "%s: no %s or %s table among the inputs", files[0], names[0],
		         names[1]);
		return MC_EINVAL;
	}
	g->cpus = r->opt.machine_cpus;
	g->mem = r->opt.machine_mem_mb;
	g->disk = r->opt.machine_disk_mb;
	ot_grow(g);
	const char *v = v2019 ? "google2019" : "google2011";
	snprintf(r->hdr.source, sizeof r->hdr.source, "%s: %s%s", v, files[0],
	         nfiles > 1 ? " ..." : "");
	mc__trace_note(r,
	               "%s: capacities and requests normalised to the largest machine, "
	               "scaled to %g cores and %g MB per 1.0",
	               v, g->cpus, g->mem);
	mc__trace_note(r,
	               "%s: task duration = terminal event - SCHEDULE; a SUBMIT after "
	               "EVICT/FAIL/KILL/LOST is a new attempt",
	               v);
	mc__trace_note(r,
	               "%s: tasks whose end was not read within %g s of submission have "
	               "duration -1 and a later TASK_END record",
	               v, mc_time_to_sec(r->opt.lookahead));
	mc__trace_note(r,
	               "%s: time 0 means before the window (%s); 2^63-1 (after the "
	               "window) is dropped",
	               v, r->opt.keep_prefill ? "kept as submissions at time 0" : "dropped");
	if (v2019)
		mc__trace_note(
		    r, "google2019: instance user = its collection's user (unknown when "
		       "the collection's SUBMIT was not read); priority kept as is (0..450)");
	else if (g->t[T_JOB].nfiles)
		mc__trace_note(r, "google2011: job_events checked but not used (task_events carry "
		                  "user, class and priority)");
	return 0;
}

int mc__google2011_open(struct mc_trace_reader *r, char **files, size_t nfiles, char *err, size_t n)
{
	return google_open(r, files, nfiles, false, err, n);
}

int mc__google2019_open(struct mc_trace_reader *r, char **files, size_t nfiles, char *err, size_t n)
{
	return google_open(r, files, nfiles, true, err, n);
}
