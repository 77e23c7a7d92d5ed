/*
 * alibaba2018.c - reader of Alibaba cluster-trace-v2018
 * (shared/reference/traces.md 1.3): machine_meta, batch_task and
 * batch_instance CSV tables without headers, gzip or plain.
 *
 * machine_meta (small) is read whole at open and sorted by time: the first
 * row of a machine adds it, later rows update it, a status other than USING
 * removes it. batch_task rows become task records at start_time (the trace
 * has no submit time) with count = instance_num, duration = end - start,
 * cpus = plan_cpu / 100, mem = plan_mem / 100 x machine_mem_mb; DAG names
 * such as "R13_2_3_12" give dag_id 13 and deps {2, 3, 12}.
 *
 * With batch_instance, each instance row is one task (count 1) of its
 * batch_task's task at its own start_time, with its own duration and end
 * state and the task's request; a batch_task row that has instance rows is
 * not a record itself (no double counting), one without keeps the rule
 * above. To know both before streaming, open reads batch_task once into a
 * table of requests keyed by a 64-bit hash of (job_name, task_name) and
 * scans batch_instance once to mark the tasks that have instances; the
 * records then come from a second pass that merges the two tables.
 *
 * Rows need not be sorted: they wait in a heap until every table still
 * being read has passed `lookahead` of trace time beyond them; a row older
 * than that is out of order (sort the file by column 6 first). Memory: the
 * machine table, the task table (only with batch_instance: 24 bytes a
 * slot, 1.3 to 2.7 slots per batch_task row) and the rows within the
 * lookahead (about 200 bytes each).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/trace_int.h"

struct mrow {
	mc_time_t time;
	uint64_t id;
	int status_using;
	int64_t cpus, mem; /* thousandths */
};

struct arow {
	struct mc_trace_task t;
	mc_time_t time;
};

/* One table read as a stream: batch_task or batch_instance files. */
struct stream {
	char **files;
	size_t nfiles, cap, cur;
	struct mc__tin tin;
	bool open, done;
	mc_time_t maxseen; /* latest time pushed from this stream */
};

enum { TASKS = 0, INSTANCES = 1 };

/* A batch_task row's request, kept for its instances. */
struct tent {
	uint64_t key; /* task_key(); 0 = empty slot */
	int64_t mem;  /* thousandths of MB */
	int32_t cpu;  /* thousandths of cores (plan_cpu <= 1e7) */
	uint32_t inst; /* HAS_INST | instances numbered so far */
};

#define HAS_INST 0x80000000u
#define INST_MAX 0x7fffffffu

struct ali {
	struct mrow *m;
	size_t nm, im;
	uint64_t *seen; /* sorted machine ids already added */
	size_t nseen;
	struct stream s[2];
	bool instances; /* batch_instance given */
	struct tent *tab;
	size_t tabcap, ntab;
	struct mc__heap heap;
	struct arow *rows;
	size_t nrows, caprows;
	uint32_t *free_rows;
	size_t nfree, capfree;
	mc_time_t emitted;
};

static int cmp_mrow(const void *a, const void *b)
{
	const struct mrow *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* "m_123" / "j_45" -> 123 / 45; other names -> a 63-bit hash. */
static uint64_t name_id(const char *s, size_t len)
{
	if (len > 2 && s[1] == '_') {
		int64_t v;
		if (!mc__scan_i64(s + 2, len - 2, &v) && v >= 0)
			return (uint64_t)v;
	}
	return mc__hash64(s, len) >> 1;
}

static int bad(struct mc_trace_reader *r, const char *file, int64_t line, const char *what)
{
	if (r->opt.skip_bad) {
		char reason[96];
		snprintf(reason, sizeof reason, "skipped row: %.80s", what);
		mc__trace_count(r, reason, 1);
		return 1;
	}
	return mc__trace_fail(r, MC_EPARSE, file, line, "%s", what);
}

static int num_field(const char *s, size_t l, double lo, double hi, double *out)
{
	if (l == 0)
		return 1;
	if (mc__scan_f64(s, l, out) || *out < lo || *out > hi)
		return -1;
	return 0;
}

static int load_machines(struct mc_trace_reader *r, struct ali *a, const char *path)
{
	struct mc__tin tin;
	if (mc__tin_open(&tin, path, r->err, sizeof r->err))
		return MC_EIO;
	size_t cap = 0;
	const char *s;
	size_t len;
	int rc;
	while ((rc = mc__tin_line(&tin, &s, &len, r->err, sizeof r->err)) == 1) {
		const char *fs[8];
		size_t fl[8];
		int nf = mc__split(s, len, ',', fs, fl, 8);
		char what[96];
		if (nf != 7) {
			snprintf(what, sizeof what, "machine_meta: expected 7 columns, found %d",
			         nf);
			if ((rc = bad(r, path, tin.line, what)) < 0)
				break;
			continue;
		}
		int64_t ts = 0;
		double cpu, mem;
		int e1 = mc__scan_i64(fs[1], fl[1], &ts);
		int e2 = num_field(fs[4], fl[4], 0, 1e6, &cpu);
		int e3 = num_field(fs[5], fl[5], 0, 100, &mem);
		if (fl[0] == 0 || e1 || ts < 0 || ts > (int64_t)1e12 || e2 < 0 || e3 < 0) {
			if ((rc = bad(r, path, tin.line,
			              "machine_meta: bad machine id, time, cpu_num or mem_size")) <
			    0)
				break;
			continue;
		}
		mc_xgrow(&a->m, &cap, a->nm + 1, sizeof *a->m);
		struct mrow *m = &a->m[a->nm++];
		m->time = ts * MC_SEC;
		m->id = name_id(fs[0], fl[0]);
		m->status_using = fl[6] == 5 && !memcmp(fs[6], "USING", 5);
		m->cpus = e2 ? 0 : mc__milli_scaled(cpu, 1.0);
		m->mem = e3 ? 0 : mc__milli_scaled(mem / 100.0, r->opt.machine_mem_mb);
	}
	mc__tin_close(&tin);
	if (rc < 0) {
		r->err_code = rc;
		return rc;
	}
	if (a->nm)
		qsort(a->m, a->nm, sizeof *a->m, cmp_mrow);
	return 0;
}

static bool seen_machine(struct ali *a, uint64_t id)
{
	size_t lo = 0, hi = a->nseen;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a->seen[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < a->nseen && a->seen[lo] == id)
		return true;
	a->seen = mc_xrealloc(a->seen, (a->nseen + 1) * sizeof *a->seen);
	memmove(a->seen + lo + 1, a->seen + lo, (a->nseen - lo) * sizeof *a->seen);
	a->seen[lo] = id;
	a->nseen++;
	return false;
}

/* Parses "M5_3_4" into dag id 5 and deps 3, 4. Returns false if the name is
 * not a DAG name. */
static bool parse_dag(const char *s, size_t len, struct mc_trace_task *t, bool *truncated)
{
	*truncated = false;
	if (len < 2 || s[0] < 'A' || s[0] > 'Z')
		return false;
	uint32_t nums[1 + MC_TRACE_MAX_DEPS];
	uint32_t n = 0;
	size_t i = 1;
	while (i < len) {
		uint64_t v = 0;
		size_t b = i;
		while (i < len && s[i] >= '0' && s[i] <= '9' && v < 100000000)
			v = v * 10 + (uint64_t)(s[i++] - '0');
		if (i == b || v == 0 || v >= 100000000)
			return false;
		if (n < 1 + MC_TRACE_MAX_DEPS)
			nums[n++] = (uint32_t)v;
		else
			*truncated = true;
		if (i < len) {
			if (s[i] != '_')
				return false;
			i++;
			if (i == len)
				return false;
		}
	}
	t->dag_id = nums[0];
	t->ndeps = n - 1;
	for (uint32_t k = 1; k < n; k++)
		t->deps[k - 1] = nums[k];
	return true;
}

static bool is(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	return len == n && !memcmp(s, lit, n);
}

/* FNV-1a over job, a separator no CSV field holds, then task. */
static uint64_t task_key(const char *job, size_t jl, const char *task, size_t tl)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < jl; i++) {
		h ^= (unsigned char)job[i];
		h *= 1099511628211ULL;
	}
	h ^= 0xff;
	h *= 1099511628211ULL;
	for (size_t i = 0; i < tl; i++) {
		h ^= (unsigned char)task[i];
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

static size_t tab_slot(uint64_t key, size_t cap)
{
	return (size_t)(key ^ key >> 32) & (cap - 1);
}

static struct tent *tab_find(struct ali *a, uint64_t key)
{
	if (!a->tabcap)
		return NULL;
	for (size_t i = tab_slot(key, a->tabcap); a->tab[i].key; i = (i + 1) & (a->tabcap - 1))
		if (a->tab[i].key == key)
			return &a->tab[i];
	return NULL;
}

/* Returns the entry of key, new (*added) or existing. Load <= 3/4. */
static struct tent *tab_add(struct ali *a, uint64_t key, bool *added)
{
	if ((a->ntab + 1) * 4 > a->tabcap * 3) {
		size_t cap = a->tabcap ? a->tabcap * 2 : 1024;
		struct tent *t = mc_xcalloc(cap, sizeof *t);
		for (size_t k = 0; k < a->tabcap; k++) {
			if (!a->tab[k].key)
				continue;
			size_t i = tab_slot(a->tab[k].key, cap);
			while (t[i].key)
				i = (i + 1) & (cap - 1);
			t[i] = a->tab[k];
		}
		free(a->tab);
		a->tab = t;
		a->tabcap = cap;
	}
	size_t i = tab_slot(key, a->tabcap);
	for (; a->tab[i].key; i = (i + 1) & (a->tabcap - 1))
		if (a->tab[i].key == key) {
			*added = false;
			return &a->tab[i];
		}
	a->tab[i] = (struct tent){.key = key};
	a->ntab++;
	*added = true;
	return &a->tab[i];
}

/* A batch_task row; the strings point into the line. */
struct trow {
	const char *name, *job, *type, *status;
	size_t namel, jobl, typel, statusl;
	double inst, cpu, mem;
	int64_t start, end;
};

/* Splits and checks a batch_task row. Returns false with what is wrong. */
static bool parse_task(const char *s, size_t len, struct trow *t, char *what, size_t n)
{
	const char *fs[10];
	size_t fl[10];
	int nf = mc__split(s, len, ',', fs, fl, 10);
	if (nf != 9) {
		snprintf(what, n, "batch_task: expected 9 columns, found %d", nf);
		return false;
	}
	if (num_field(fs[1], fl[1], 0, 1e9, &t->inst) || fl[2] == 0 ||
	    mc__scan_i64(fs[5], fl[5], &t->start) || mc__scan_i64(fs[6], fl[6], &t->end) ||
	    t->start < 0 || t->end < 0 || t->start > (int64_t)1e12 || t->end > (int64_t)1e12 ||
	    num_field(fs[7], fl[7], 0, 1e7, &t->cpu) < 0 ||
	    num_field(fs[8], fl[8], 0, 100, &t->mem) < 0) {
		snprintf(what, n, "batch_task: bad instance_num, job_name, start/end time or plan");
		return false;
	}
	if (fl[7] == 0)
		t->cpu = 0;
	if (fl[8] == 0)
		t->mem = 0;
	t->name = fs[0], t->namel = fl[0];
	t->job = fs[2], t->jobl = fl[2];
	t->type = fs[3], t->typel = fl[3];
	t->status = fs[4], t->statusl = fl[4];
	return true;
}

/* A batch_instance row (only the columns the reader uses). */
struct irow {
	const char *task, *job, *type, *status;
	size_t taskl, jobl, typel, statusl;
	int64_t start, end;
};

static bool parse_inst(const char *s, size_t len, struct irow *t, char *what, size_t n)
{
	const char *fs[15];
	size_t fl[15];
	int nf = mc__split(s, len, ',', fs, fl, 15);
	if (nf != 14) {
		snprintf(what, n, "batch_instance: expected 14 columns, found %d", nf);
		return false;
	}
	if (fl[1] == 0 || fl[2] == 0 || mc__scan_i64(fs[5], fl[5], &t->start) ||
	    mc__scan_i64(fs[6], fl[6], &t->end) || t->start < 0 || t->end < 0 ||
	    t->start > (int64_t)1e12 || t->end > (int64_t)1e12) {
		snprintf(what, n, "batch_instance: bad task_name, job_name or start/end time");
		return false;
	}
	t->task = fs[1], t->taskl = fl[1];
	t->job = fs[2], t->jobl = fl[2];
	t->type = fs[3], t->typel = fl[3];
	t->status = fs[4], t->statusl = fl[4];
	return true;
}

/* Calls fn on every well-formed row of a stream's files (malformed rows are
 * left to the main pass, which reports or counts them). Returns 0 or a
 * read error with its message in r->err. */
static int scan_stream(struct mc_trace_reader *r, struct ali *a, struct stream *st,
                       void (*fn)(struct mc_trace_reader *r, struct ali *a, const char *s,
                                  size_t len))
{
	for (size_t f = 0; f < st->nfiles; f++) {
		struct mc__tin tin;
		if (mc__tin_open(&tin, st->files[f], r->err, sizeof r->err))
			return MC_EIO;
		const char *s;
		size_t len;
		int rc;
		while ((rc = mc__tin_line(&tin, &s, &len, r->err, sizeof r->err)) == 1)
			fn(r, a, s, len);
		mc__tin_close(&tin);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Open, first pass: the request of every batch_task row (first row of a
 * task wins). */
static void load_task(struct mc_trace_reader *r, struct ali *a, const char *s, size_t len)
{
	struct trow t;
	char what[96];
	if (!parse_task(s, len, &t, what, sizeof what))
		return;
	bool added;
	struct tent *e = tab_add(a, task_key(t.job, t.jobl, t.name, t.namel), &added);
	if (added) {
		e->cpu = (int32_t)mc__milli_scaled(t.cpu / 100.0, 1.0);
		e->mem = mc__milli_scaled(t.mem / 100.0, r->opt.machine_mem_mb);
	}
}

/* Open, second pass: marks the tasks that have instance rows. */
static void mark_task(struct mc_trace_reader *r, struct ali *a, const char *s, size_t len)
{
	(void)r;
	struct irow t;
	char what[96];
	if (!parse_inst(s, len, &t, what, sizeof what))
		return;
	struct tent *e = tab_find(a, task_key(t.job, t.jobl, t.task, t.taskl));
	if (e)
		e->inst |= HAS_INST;
}

/* Pops a free row slot, fills its time and pushes it; the caller fills the
 * task. */
static struct mc_trace_task *push_row(struct ali *a, struct stream *st, mc_time_t t)
{
	uint32_t slot;
	if (a->nfree)
		slot = a->free_rows[--a->nfree];
	else {
		mc_xgrow(&a->rows, &a->caprows, a->nrows + 1, sizeof *a->rows);
		slot = (uint32_t)a->nrows++;
	}
	struct arow *ar = &a->rows[slot];
	memset(ar, 0, sizeof *ar);
	ar->time = t;
	mc__heap_push(&a->heap, t, slot);
	if (t > st->maxseen)
		st->maxseen = t;
	ar->t.orig_wait = -1;
	return &ar->t;
}

/* Fills what a record takes from a task name and type: DAG number and
 * dependencies, the task_index base and sched_class. */
static void name_fields(struct mc_trace_reader *r, struct mc_trace_task *k, const char *name,
                        size_t namel, const char *type, size_t typel)
{
	bool trunc;
	uint32_t slotbase;
	if (parse_dag(name, namel, k, &trunc)) {
		if (trunc)
			mc__trace_count(r, "assumed: DAG dependencies beyond 15 dropped", 1);
		slotbase = k->dag_id;
	} else {
		slotbase = (uint32_t)(mc__hash64(name, namel) % 4096);
	}
	k->task_index = (slotbase % 4096) << 20;
	int64_t v = -1;
	k->sched_class = !mc__scan_i64(type, typel, &v) && v >= 0 && v < 1000 ? (int32_t)v : -1;
}

/* Fails (or skips) a row that starts more than the lookahead before rows
 * already written. */
static int check_order(struct mc_trace_reader *r, struct ali *a, struct stream *st,
                       int64_t start)
{
	if (a->emitted == INT64_MIN || start * MC_SEC >= a->emitted)
		return 0;
	char what[120];
	snprintf(what, sizeof what,
	         "start_time %lld is more than the lookahead before later rows (sort by "
	         "column 6)",
	         (long long)start);
	return bad(r, st->files[st->cur], st->tin.line, what);
}

/* One batch_task row into the heap. Returns 0, 1 (skipped) or error. */
static int task_row(struct mc_trace_reader *r, struct ali *a, const char *s, size_t len)
{
	struct stream *st = &a->s[TASKS];
	struct trow t;
	char what[96];
	if (!parse_task(s, len, &t, what, sizeof what))
		return bad(r, st->files[st->cur], st->tin.line, what);
	if (a->instances) {
		const struct tent *e = tab_find(a, task_key(t.job, t.jobl, t.name, t.namel));
		if (e && (e->inst & HAS_INST)) {
			mc__trace_count(r, "replaced: batch_task row by its batch_instance rows", 1);
			return 0;
		}
	}
	bool running = is(t.status, t.statusl, "Running");
	if (t.start == 0) {
		mc__trace_count(r, "dropped: task never started (start_time 0)", 1);
		return 0;
	}
	if (!running && t.end < t.start) {
		mc__trace_count(r, "dropped: end_time before start_time", 1);
		return 0;
	}
	if (t.inst < 1) {
		mc__trace_count(r, "dropped: no instances", 1);
		return 0;
	}
	int rc = check_order(r, a, st, t.start);
	if (rc)
		return rc;
	struct mc_trace_task *k = push_row(a, st, t.start * MC_SEC);
	k->job_id = name_id(t.job, t.jobl);
	name_fields(r, k, t.name, t.namel, t.type, t.typel);
	k->count = t.inst > 1048575 ? 1048575 : (uint32_t)t.inst;
	k->duration = running ? -1 : (t.end - t.start) * MC_SEC;
	k->request.q[MC_RES_CPUS] = mc__milli_scaled(t.cpu / 100.0, 1.0);
	k->request.q[MC_RES_MEM] = mc__milli_scaled(t.mem / 100.0, r->opt.machine_mem_mb);
	k->end_state = running                                     ? MC_TEND_UNKNOWN
	               : is(t.status, t.statusl, "Terminated") ? MC_TEND_FINISHED
	               : is(t.status, t.statusl, "Failed")     ? MC_TEND_FAILED
	                                                       : MC_TEND_UNKNOWN;
	return 0;
}

/* One batch_instance row into the heap. Returns 0, 1 (skipped) or error. */
static int inst_row(struct mc_trace_reader *r, struct ali *a, const char *s, size_t len)
{
	struct stream *st = &a->s[INSTANCES];
	struct irow t;
	char what[96];
	if (!parse_inst(s, len, &t, what, sizeof what))
		return bad(r, st->files[st->cur], st->tin.line, what);
	struct tent *e = tab_find(a, task_key(t.job, t.jobl, t.task, t.taskl));
	if (!e) {
		mc__trace_count(r, "dropped: instance of a task not in batch_task", 1);
		return 0;
	}
	bool running = is(t.status, t.statusl, "Running");
	if (t.start == 0) {
		mc__trace_count(r, "dropped: instance never started (start_time 0)", 1);
		return 0;
	}
	if (!running && t.end < t.start) {
		mc__trace_count(r, "dropped: instance end_time before start_time", 1);
		return 0;
	}
	int rc = check_order(r, a, st, t.start);
	if (rc)
		return rc;
	struct mc_trace_task *k = push_row(a, st, t.start * MC_SEC);
	k->job_id = name_id(t.job, t.jobl);
	name_fields(r, k, t.task, t.taskl, t.type, t.typel);
	uint32_t nth = e->inst & INST_MAX;
	if (nth >= 1u << 20)
		mc__trace_count(r, "assumed: task_index reused after 2^20 instances of a task", 1);
	if (nth < INST_MAX)
		e->inst++;
	k->task_index |= nth & ((1u << 20) - 1);
	k->count = 1;
	k->duration = running ? -1 : (t.end - t.start) * MC_SEC;
	k->request.q[MC_RES_CPUS] = e->cpu;
	k->request.q[MC_RES_MEM] = e->mem;
	if (running) {
		k->end_state = MC_TEND_UNKNOWN;
		mc__trace_count(r, "assumed: instance Running at the end of the trace: duration "
		                   "unknown",
		                1);
	} else if (is(t.status, t.statusl, "Terminated")) {
		k->end_state = MC_TEND_FINISHED;
	} else if (is(t.status, t.statusl, "Failed")) {
		k->end_state = MC_TEND_FAILED;
	} else {
		k->end_state = MC_TEND_UNKNOWN;
		mc__trace_count(r, "assumed: instance status not Terminated/Failed/Running: end "
		                   "state unknown",
		                1);
	}
	return 0;
}

/* The earliest time a row still to be read may have: the smallest maxseen
 * of the streams not finished, INT64_MAX when all are, INT64_MIN while one
 * has pushed nothing yet. Rows more than the lookahead before it are safe. */
static mc_time_t read_bound(const struct ali *a)
{
	mc_time_t b = INT64_MAX;
	for (int i = 0; i < 2; i++)
		if (!a->s[i].done && a->s[i].maxseen < b)
			b = a->s[i].maxseen;
	return b;
}

static bool safe(const struct mc_trace_reader *r, mc_time_t bound, mc_time_t t)
{
	return bound == INT64_MAX || (bound != INT64_MIN && bound - t > r->opt.lookahead);
}

/* Reads the next line of the stream that is furthest behind. Returns 1 (a
 * line in *s), 0 (that stream ended) or an error. */
static int read_line(struct mc_trace_reader *r, struct ali *a, struct stream **out,
                     const char **s, size_t *len)
{
	struct stream *st = NULL;
	for (int i = 0; i < 2; i++)
		if (!a->s[i].done && (!st || a->s[i].maxseen < st->maxseen))
			st = &a->s[i];
	*out = st;
	for (;;) {
		if (!st->open) {
			if (st->cur >= st->nfiles) {
				st->done = true;
				return 0;
			}
			if (mc__tin_open(&st->tin, st->files[st->cur], r->err, sizeof r->err))
				return r->err_code = MC_EIO;
			st->open = true;
		}
		int rc = mc__tin_line(&st->tin, s, len, r->err, sizeof r->err);
		if (rc < 0)
			return r->err_code = rc;
		if (rc == 1)
			return 1;
		mc__tin_close(&st->tin);
		st->open = false;
		st->cur++;
	}
}

static int ali_next(struct mc_trace_reader *r, struct mc_trace_record *rec)
{
	struct ali *a = r->impl;
	for (;;) {
		mc_time_t bound = read_bound(a);
		const struct mc__heap_ent *top = mc__heap_top(&a->heap);
		bool machine_safe = a->im < a->nm && safe(r, bound, a->m[a->im].time);
		if (machine_safe && (!top || a->m[a->im].time <= top->time)) {
			const struct mrow *m = &a->m[a->im++];
			rec->type = MC_TREC_MACHINE;
			rec->time = m->time;
			rec->machine.id = m->id;
			rec->machine.platform = 0;
			mc_resources_clear(&rec->machine.capacity);
			bool known = seen_machine(a, m->id);
			rec->machine.event = !m->status_using ? MC_TMACH_REMOVE
			                     : known          ? MC_TMACH_UPDATE
			                                      : MC_TMACH_ADD;
			if (m->status_using) {
				rec->machine.capacity.unres.q[MC_RES_CPUS] = m->cpus;
				rec->machine.capacity.unres.q[MC_RES_MEM] = m->mem;
			}
			if (a->emitted < rec->time)
				a->emitted = rec->time;
			r->hdr.machines++;
			r->hdr.records++;
			return 1;
		}
		if (top && safe(r, bound, top->time)) {
			struct mc__heap_ent e;
			mc__heap_pop(&a->heap, &e);
			rec->type = MC_TREC_TASK;
			rec->time = e.time;
			rec->task = a->rows[e.idx].t;
			mc_xgrow(&a->free_rows, &a->capfree, a->nfree + 1, sizeof *a->free_rows);
			a->free_rows[a->nfree++] = e.idx;
			a->emitted = e.time;
			r->hdr.tasks += rec->task.count;
			r->hdr.records++;
			return 1;
		}
		if (bound == INT64_MAX)
			return 0;
		struct stream *st;
		const char *s;
		size_t len;
		int rc = read_line(r, a, &st, &s, &len);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		rc = st == &a->s[TASKS] ? task_row(r, a, s, len) : inst_row(r, a, s, len);
		if (rc < 0)
			return rc;
	}
}

static void ali_free(void *impl)
{
	struct ali *a = impl;
	if (!a)
		return;
	for (int i = 0; i < 2; i++) {
		struct stream *st = &a->s[i];
		if (st->open)
			mc__tin_close(&st->tin);
		for (size_t k = 0; k < st->nfiles; k++)
			free(st->files[k]);
		free(st->files);
	}
	free(a->m);
	free(a->seen);
	free(a->tab);
	free(a->rows);
	free(a->free_rows);
	mc__heap_release(&a->heap);
	free(a);
}

static const struct mc__trace_ops ali_ops = {ali_next, ali_free};

static int columns_of(const char *path, char *err, size_t n)
{
	struct mc__tin tin;
	if (mc__tin_open(&tin, path, err, n))
		return MC_EIO;
	const char *s;
	size_t len;
	int rc = mc__tin_line(&tin, &s, &len, err, n);
	int nf = 0;
	if (rc == 1) {
		const char *fs[1];
		size_t fl[1];
		nf = mc__split(s, len, ',', fs, fl, 1);
	}
	mc__tin_close(&tin);
	return rc < 0 ? rc : nf;
}

static void add_file(struct stream *st, const char *f)
{
	mc_xgrow(&st->files, &st->cap, st->nfiles + 1, sizeof *st->files);
	st->files[st->nfiles++] = mc_xstrdup(f);
}

int mc__alibaba2018_open(struct mc_trace_reader *r, char **files, size_t nfiles, char *err,
                         size_t n)
{
	struct ali *a = mc_xcalloc(1, sizeof *a);
	r->ops = &ali_ops;
	r->impl = a;
	a->s[TASKS].maxseen = a->s[INSTANCES].maxseen = INT64_MIN;
	a->emitted = INT64_MIN;
	for (size_t i = 0; i < nfiles; i++) {
		const char *f = files[i];
		int kind = strstr(f, "machine_meta")     ? 7
		           : strstr(f, "batch_task")     ? 9
		           : strstr(f, "batch_instance") ? 14
		           : strstr(f, "usage") || strstr(f, "container_meta")
		               ? -1
		               : columns_of(f, err, n);
		if (kind == MC_EIO || kind == MC_EPARSE)
			return kind;
		if (kind == 7) {
			int rc = load_machines(r, a, f);
			if (rc) {
				mc__errf(err, n, "%s", r->err);
				return rc;
			}
		} else if (kind == 9) {
			add_file(&a->s[TASKS], f);
		} else if (kind == 14) {
			add_file(&a->s[INSTANCES], f);
		} else if (kind == 0) {
			continue; /* empty file */
		} else {
			mc__errf(err, n,
			         "%s: not an Alibaba 2018 machine_meta, batch_task or batch_instance "
			         "table",
			         f);
			return MC_EINVAL;
		}
	}
	a->instances = a->s[INSTANCES].nfiles > 0;
	if (a->instances && a->s[TASKS].nfiles == 0) {
		mc__errf(err, n,
		         "%s: batch_instance needs its batch_task table (the instances' requests "
		         "are the tasks' plan_cpu and plan_mem)",
		         a->s[INSTANCES].files[0]);
		return MC_EINVAL;
	}
	if (a->instances) {
		int rc = scan_stream(r, a, &a->s[TASKS], load_task);
		if (!rc)
			rc = scan_stream(r, a, &a->s[INSTANCES], mark_task);
		if (rc) {
			mc__errf(err, n, "%s", r->err);
			return rc;
		}
	}
	snprintf(r->hdr.source, sizeof r->hdr.source, "alibaba2018: %s%s", files[0],
	         nfiles > 1 ? " ..." : "");
	mc__trace_note(r, "alibaba2018: a batch_task row is one record of instance_num tasks "
	                  "submitted at start_time (no submit time in the trace)");
	mc__trace_note(r,
	               "alibaba2018: cpus = plan_cpu / 100; mem = plan_mem / 100 x %g MB; "
	               "sched_class = task_type; no users",
	               r->opt.machine_mem_mb);
	mc__trace_note(r, "alibaba2018: task_index = (DAG task number, or name hash mod 4096) x "
	                  "2^20; deps are DAG task numbers of the same job");
	if (a->instances) {
		mc__trace_note(r, "alibaba2018: batch_instance read: each instance row is one task "
		                  "of its batch_task task at its start_time, duration end_time - "
		                  "start_time, with the task's request; Terminated = finished, "
		                  "Failed = failed, Running = duration unknown, other statuses "
		                  "end state unknown; batch_task rows with instances are not "
		                  "records themselves");
		mc__trace_note(r, "alibaba2018: an instance's task_index is its task's base plus its "
		                  "number among the task's instances in reading order; seq_no, "
		                  "machine_id and usage columns are not read");
	}
	return 0;
}
