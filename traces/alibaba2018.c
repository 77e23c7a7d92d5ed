/*
 * alibaba2018.c - reader of Alibaba cluster-trace-v2018
 * (shared/reference/traces.md 1.3): machine_meta and batch_task CSV tables
 * without headers, gzip or plain. batch_instance is recognised and not read
 * (a task record stands for all of its instances).
 *
 * machine_meta (small) is read whole at open and sorted by time: the first
 * row of a machine adds it, later rows update it, a status other than USING
 * removes it. batch_task rows become task records at start_time (the trace
 * has no submit time) with count = instance_num, duration = end - start,
 * cpus = plan_cpu / 100, mem = plan_mem / 100 x machine_mem_mb; DAG names
 * such as "R13_2_3_12" give dag_id 13 and deps {2, 3, 12}. Rows need not be
 * sorted: they wait in a heap until `lookahead` of trace time has passed;
 * a row older than that is out of order (sort the file by column 6 first).
 * Memory: the machine table plus the rows within the lookahead.
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

struct ali {
	struct mrow *m;
	size_t nm, im;
	uint64_t *seen; /* sorted machine ids already added */
	size_t nseen;
	char **files; /* batch_task files */
	size_t nfiles, cur;
	struct mc__tin tin;
	bool open, done;
	struct mc__heap heap;
	struct arow *rows;
	size_t nrows, caprows;
	uint32_t *free_rows;
	size_t nfree, capfree;
	mc_time_t maxseen, emitted;
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

/* Parses one batch_task row into the heap. Returns 0, 1 (skipped) or error. */
static int task_row(struct mc_trace_reader *r, struct ali *a, const char *s, size_t len)
{
	const char *path = a->files[a->cur];
	int64_t line = a->tin.line;
	const char *fs[10];
	size_t fl[10];
	int nf = mc__split(s, len, ',', fs, fl, 10);
	if (nf != 9) {
		char what[80];
		snprintf(what, sizeof what, "batch_task: expected 9 columns, found %d", nf);
		return bad(r, path, line, what);
	}
	double inst, cpu, mem;
	int64_t start, end;
	if (num_field(fs[1], fl[1], 0, 1e9, &inst) || fl[2] == 0 ||
	    mc__scan_i64(fs[5], fl[5], &start) || mc__scan_i64(fs[6], fl[6], &end) || start < 0 ||
	    end < 0 || start > (int64_t)1e12 || end > (int64_t)1e12 ||
	    num_field(fs[7], fl[7], 0, 1e7, &cpu) < 0 || num_field(fs[8], fl[8], 0, 100, &mem) < 0)
		return bad(r, path, line,
		           "batch_task: bad instance_num, job_name, start/end time or plan");
	if (fl[7] == 0)
		cpu = 0;
	if (fl[8] == 0)
		mem = 0;
	bool running = fl[4] == 7 && !memcmp(fs[4], "Running", 7);
	if (start == 0) {
		mc__trace_count(r, "dropped: task never started (start_time 0)", 1);
		return 0;
	}
	if (!running && end < start) {
		mc__trace_count(r, "dropped: end_time before start_time", 1);
		return 0;
	}
	if (inst < 1) {
		mc__trace_count(r, "dropped: no instances", 1);
		return 0;
	}
	mc_time_t t = start * MC_SEC;
	if (a->emitted != INT64_MIN && t < a->emitted) {
		char what[120];
		snprintf(what, sizeof what,
		         "start_time %lld is more than the lookahead before later rows (sort by "
		         "column 6)",
		         (long long)start);
		return bad(r, path, line, what);
	}
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
	struct mc_trace_task *k = &ar->t;
	k->job_id = name_id(fs[2], fl[2]);
	bool trunc;
	uint32_t slotbase;
	if (parse_dag(fs[0], fl[0], k, &trunc)) {
		if (trunc)
			mc__trace_count(r, "assumed: DAG dependencies beyond 15 dropped", 1);
		slotbase = k->dag_id;
	} else {
		slotbase = (uint32_t)(mc__hash64(fs[0], fl[0]) % 4096);
	}
	k->count = inst > 1048575 ? 1048575 : (uint32_t)inst;
	k->task_index = (slotbase % 4096) << 20;
	k->job_tasks = 0;
	k->duration = running ? -1 : (end - start) * MC_SEC;
	k->orig_wait = -1;
	k->request.q[MC_RES_CPUS] = mc__milli_scaled(cpu / 100.0, 1.0);
	k->request.q[MC_RES_MEM] = mc__milli_scaled(mem / 100.0, r->opt.machine_mem_mb);
	int64_t type = -1;
	if (!mc__scan_i64(fs[3], fl[3], &type) && type >= 0 && type < 1000)
		k->sched_class = (int32_t)type;
	else
		k->sched_class = -1;
	k->end_state = running                                           ? MC_TEND_UNKNOWN
	               : fl[4] == 10 && !memcmp(fs[4], "Terminated", 10) ? MC_TEND_FINISHED
	               : fl[4] == 6 && !memcmp(fs[4], "Failed", 6)       ? MC_TEND_FAILED
	                                                                 : MC_TEND_UNKNOWN;
	mc__heap_push(&a->heap, t, slot);
	if (t > a->maxseen)
		a->maxseen = t;
	return 0;
}

static int ali_next(struct mc_trace_reader *r, struct mc_trace_record *rec)
{
	struct ali *a = r->impl;
	for (;;) {
		/* A machine row is safe to emit once no task row still to be read
		 * can be earlier (rows are at most `lookahead` out of order). */
		const struct mc__heap_ent *top = mc__heap_top(&a->heap);
		bool task_ready = top && (a->done || a->maxseen - top->time > r->opt.lookahead);
		bool machine_safe = a->im < a->nm &&
		                    (a->done || (a->maxseen != INT64_MIN &&
		                                 a->maxseen - a->m[a->im].time > r->opt.lookahead));
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
		if (task_ready) {
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
		if (a->done)
			return 0;
		if (!a->open) {
			if (a->cur >= a->nfiles) {
				a->done = true;
				continue;
			}
			if (mc__tin_open(&a->tin, a->files[a->cur], r->err, sizeof r->err))
				return r->err_code = MC_EIO;
			a->open = true;
		}
		const char *s;
		size_t len;
		int rc = mc__tin_line(&a->tin, &s, &len, r->err, sizeof r->err);
		if (rc < 0)
			return r->err_code = rc;
		if (rc == 0) {
			mc__tin_close(&a->tin);
			a->open = false;
			a->cur++;
			continue;
		}
		rc = task_row(r, a, s, len);
		if (rc < 0)
			return rc;
	}
}

static void ali_free(void *impl)
{
	struct ali *a = impl;
	if (!a)
		return;
	if (a->open)
		mc__tin_close(&a->tin);
	for (size_t i = 0; i < a->nfiles; i++)
		free(a->files[i]);
	free(a->files);
	free(a->m);
	free(a->seen);
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

int mc__alibaba2018_open(struct mc_trace_reader *r, char **files, size_t nfiles, char *err,
                         size_t n)
{
	struct ali *a = mc_xcalloc(1, sizeof *a);
	r->ops = &ali_ops;
	r->impl = a;
	a->maxseen = INT64_MIN;
	a->emitted = INT64_MIN;
	size_t cap = 0;
	bool instances = false;
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
			mc_xgrow(&a->files, &cap, a->nfiles + 1, sizeof *a->files);
			a->files[a->nfiles++] = mc_xstrdup(f);
		} else if (kind == 14) {
			instances = true;
		} else if (kind == 0) {
			continue; /* empty file */
		} else {
			mc__errf(err, n, "%s: not an Alibaba 2018 machine_meta or batch_task table",
			         f);
			return MC_EINVAL;
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
	if (instances)
		mc__trace_note(r, "alibaba2018: batch_instance given but not read");
	return 0;
}
