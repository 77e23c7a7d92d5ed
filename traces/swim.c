/*
 * swim.c - reader of Facebook SWIM workloads (shared/reference/traces.md
 * 1.6), tab-separated, in two formats told apart by the first non-empty
 * line (10 or more columns: full trace):
 *
 * - samples (WorkloadSynthesis.pl output, FB-2009/FB-2010_samples_*):
 *   `jobN, submit_time_s, inter_job_gap_s, map_input_bytes, shuffle_bytes,
 *   reduce_output_bytes` and optionally input and output paths and an
 *   empty last column (6 to 9 columns);
 * - full traces (parse-hadoop-jobhistory.pl output, the input of
 *   WorkloadSynthesis): `job_id, job_name, map_input_bytes, shuffle_bytes,
 *   reduce_output_bytes, submit_time_s, duration_s, map_task_time_s,
 *   reduce_task_time_s, total_task_time_s, maps, reduces[, input_path,
 *   output_path]` (12 to 14 columns; empty byte counts read as 0).
 *
 * The samples have no tasks, durations or demands, so they are derived:
 * maps = ceil(input / block) (at least 1), reduces = ceil(shuffle / block)
 * (0 when nothing is shuffled); a map runs for its share of the input, a
 * reduce for its share of shuffle + output, at swim_mb_per_s (at least 1 s).
 * Full traces count tasks the same way, but a task runs for its share of
 * the job's recorded map (or reduce) task time, so the trace's task-seconds
 * are kept (bytes at swim_mb_per_s only when that time is 0). A job is two
 * records: maps (dag_id 1) then reduces (dag_id 2, depending on 1). Rows
 * must be in submit order. Memory: one line at a time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/trace_int.h"

#define MAX_TASKS 1000000

struct swim {
	char **files;
	size_t nfiles, cur;
	struct mc__tin tin;
	bool open;
	bool full; /* the full-trace format, else samples */
	bool have_reduce;
	struct mc_trace_record reduce; /* the second record of the current job */
	mc_time_t last;
};

static mc_time_t bytes_time(double bytes, double mb_per_s)
{
	double s = bytes / (mb_per_s * 1048576.0);
	if (s < 1)
		s = 1;
	if (s > 1e9)
		s = 1e9;
	return (mc_time_t)llround(s * (double)MC_SEC);
}

static int swim_bad(struct mc_trace_reader *r, struct swim *w, const char *what)
{
	if (r->opt.skip_bad) {
		char reason[96];
		snprintf(reason, sizeof reason, "skipped row: %.80s", what);
		mc__trace_count(r, reason, 1);
		return 0;
	}
	return mc__trace_fail(r, MC_EPARSE, w->files[w->cur], w->tin.line, "%s", what);
}

/* A byte count: 0 (read), -1 (not a non-negative number). Empty reads as 0
 * in full traces (the parser prints counters Hadoop never reported as
 * nothing) and is tallied in *empty. */
static int bytes_field(const struct swim *w, const char *s, size_t l, double *out, int *empty)
{
	if (l == 0 && w->full) {
		(*empty)++;
		*out = 0;
		return 0;
	}
	return mc__scan_f64(s, l, out) || *out < 0 ? -1 : 0;
}

/* A task's run time: its share of the job's recorded task time when there
 * is one, else of the bytes at swim_mb_per_s. */
static mc_time_t task_time(struct mc_trace_reader *r, double task_s, double bytes, double n)
{
	if (task_s > 0) {
		double s = task_s / n;
		s = s < 1 ? 1 : s > 1e9 ? 1e9 : s;
		return (mc_time_t)llround(s * (double)MC_SEC);
	}
	return bytes_time(bytes / n, r->opt.swim_mb_per_s);
}

/* Returns 1 (the map record in *rec, the reduce record kept), 0 (row
 * skipped) or an error. */
static int swim_row(struct mc_trace_reader *r, struct swim *w, const char *s, size_t len,
                    struct mc_trace_record *rec)
{
	const char *fs[15];
	size_t fl[15];
	int nf = mc__split(s, len, '\t', fs, fl, 15);
	double submit, in, shuffle, out, map_s = 0, red_s = 0;
	int empty = 0;
	if (!w->full) {
		if (nf < 6 || nf > 9) {
			char what[80];
			snprintf(what, sizeof what,
			         "expected 6 to 9 tab-separated columns, found %d", nf);
			return swim_bad(r, w, what);
		}
		if (mc__scan_f64(fs[1], fl[1], &submit) || submit < 0 || submit > 1e11 ||
		    bytes_field(w, fs[3], fl[3], &in, &empty) ||
		    bytes_field(w, fs[4], fl[4], &shuffle, &empty) ||
		    bytes_field(w, fs[5], fl[5], &out, &empty))
			return swim_bad(r, w,
			                "submit time or byte counts are not non-negative numbers");
	} else {
		if (nf < 12 || nf > 14) {
			char what[96];
			snprintf(what, sizeof what,
			         "full trace: expected 12 to 14 tab-separated columns, found %d", nf);
			return swim_bad(r, w, what);
		}
		if (fl[0] == 0 || bytes_field(w, fs[2], fl[2], &in, &empty) ||
		    bytes_field(w, fs[3], fl[3], &shuffle, &empty) ||
		    bytes_field(w, fs[4], fl[4], &out, &empty) ||
		    mc__scan_f64(fs[5], fl[5], &submit) || submit < 0 || submit > 1e11 ||
		    mc__scan_f64(fs[7], fl[7], &map_s) || map_s < 0 ||
		    mc__scan_f64(fs[8], fl[8], &red_s) || red_s < 0)
			return swim_bad(r, w,
			                "full trace: job id, byte counts, submit time or task times "
			                "are not non-negative numbers");
	}
	mc_time_t t = (mc_time_t)llround(submit * (double)MC_SEC);
	if (t < w->last) {
		char what[96];
		snprintf(what, sizeof what, "submit time %.0f is before the previous job's (sort by "
		                            "column %d)",
		         submit, w->full ? 6 : 2);
		return swim_bad(r, w, what);
	}
	w->last = t;
	if (empty)
		mc__trace_count(r, "assumed: empty byte count read as 0", (uint64_t)empty);
	uint64_t job = 0;
	size_t i = 0;
	while (i < fl[0] && (fs[0][i] < '0' || fs[0][i] > '9'))
		i++;
	int64_t v;
	job = i < fl[0] && !mc__scan_i64(fs[0] + i, fl[0] - i, &v) && v >= 0
	          ? (uint64_t)v
	          : mc__hash64(fs[0], fl[0]) >> 1;
	double block = (double)r->opt.swim_block_bytes;
	double maps = ceil(in / block), reds = ceil(shuffle / block);
	if (maps < 1)
		maps = 1;
	if (maps > MAX_TASKS || reds > MAX_TASKS) {
		mc__trace_count(r, "assumed: task count capped at 1000000", 1);
		maps = fmin(maps, MAX_TASKS);
		reds = fmin(reds, MAX_TASKS);
	}
	rec->type = MC_TREC_TASK;
	rec->time = t;
	struct mc_trace_task *m = &rec->task;
	memset(m, 0, sizeof *m);
	m->job_id = job;
	m->task_index = 0;
	m->count = (uint32_t)maps;
	m->job_tasks = (uint32_t)(maps + reds);
	m->duration = task_time(r, map_s, in, maps);
	m->orig_wait = -1;
	m->request = r->opt.swim_task_request;
	m->sched_class = -1;
	m->end_state = MC_TEND_FINISHED;
	m->dag_id = 1;
	r->hdr.tasks += m->count;
	r->hdr.records++;
	if (reds < 1 && red_s > 0)
		mc__trace_count(r, "assumed: reduce task time of a job without shuffle bytes dropped",
		                1);
	w->have_reduce = reds >= 1;
	if (w->have_reduce) {
		w->reduce = *rec;
		struct mc_trace_task *q = &w->reduce.task;
		q->task_index = (uint32_t)maps;
		q->count = (uint32_t)reds;
		q->duration = task_time(r, red_s, shuffle + out, reds);
		q->dag_id = 2;
		q->ndeps = 1;
		q->deps[0] = 1;
	}
	return 1;
}

static int swim_next(struct mc_trace_reader *r, struct mc_trace_record *rec)
{
	struct swim *w = r->impl;
	if (w->have_reduce) {
		w->have_reduce = false;
		*rec = w->reduce;
		r->hdr.tasks += rec->task.count;
		r->hdr.records++;
		return 1;
	}
	for (;;) {
		if (!w->open) {
			if (w->cur >= w->nfiles)
				return 0;
			if (mc__tin_open(&w->tin, w->files[w->cur], r->err, sizeof r->err))
				return r->err_code = MC_EIO;
			w->open = true;
		}
		const char *s;
		size_t len;
		int rc = mc__tin_line(&w->tin, &s, &len, r->err, sizeof r->err);
		if (rc < 0)
			return r->err_code = rc;
		if (rc == 0) {
			mc__tin_close(&w->tin);
			w->open = false;
			w->cur++;
			continue;
		}
		if (len == 0)
			continue;
		rc = swim_row(r, w, s, len, rec);
		if (rc < 0)
			return rc;
		if (rc == 1)
			return 1;
	}
}

static void swim_free(void *impl)
{
	struct swim *w = impl;
	if (!w)
		return;
	if (w->open)
		mc__tin_close(&w->tin);
	for (size_t i = 0; i < w->nfiles; i++)
		free(w->files[i]);
	free(w->files);
	free(w);
}

static const struct mc__trace_ops swim_ops = {swim_next, swim_free};

/* Finds the format from the first non-empty line of the files: 10 or more
 * tab-separated columns is a full trace. Returns 1 (full), 0 (samples, or
 * no lines) or MC_EIO/MC_EPARSE with a message. */
static int detect_full(char **files, size_t nfiles, char *err, size_t n)
{
	for (size_t i = 0; i < nfiles; i++) {
		struct mc__tin tin;
		if (mc__tin_open(&tin, files[i], err, n))
			return MC_EIO;
		const char *s;
		size_t len;
		int rc;
		while ((rc = mc__tin_line(&tin, &s, &len, err, n)) == 1 && len == 0)
			;
		int nf = 0;
		if (rc == 1) {
			const char *fs[1];
			size_t fl[1];
			nf = mc__split(s, len, '\t', fs, fl, 1);
		}
		mc__tin_close(&tin);
		if (rc != 0)
			return rc < 0 ? rc : nf >= 10;
	}
	return 0;
}

int mc__swim_open(struct mc_trace_reader *r, char **files, size_t nfiles, char *err, size_t n)
{
	struct swim *w = mc_xcalloc(1, sizeof *w);
	r->ops = &swim_ops;
	r->impl = w;
	w->files = mc_xcalloc(nfiles, sizeof *w->files);
	for (size_t i = 0; i < nfiles; i++)
		w->files[i] = mc_xstrdup(files[i]);
	w->nfiles = nfiles;
	w->last = INT64_MIN;
	int full = detect_full(files, nfiles, err, n);
	if (full < 0)
		return full;
	w->full = full;
	snprintf(r->hdr.source, sizeof r->hdr.source, "swim (%s): %s",
	         w->full ? "full trace" : "samples", files[0]);
	if (w->full)
		mc__trace_note(r, "swim: read as a full trace (parse-hadoop-jobhistory.pl output: "
		                  "job_id, job_name, map_input_bytes, shuffle_bytes, "
		                  "reduce_output_bytes, submit_time_s, duration_s, map and reduce "
		                  "task time, ...): its first line has 10 or more columns");
	else
		mc__trace_note(r, "swim: read as samples (WorkloadSynthesis.pl output: jobN, "
		                  "submit_time_s, inter_job_gap_s, map_input_bytes, shuffle_bytes, "
		                  "reduce_output_bytes[, paths]): its first line has fewer than 10 "
		                  "columns");
	char req[128];
	mc_resvec_format(&r->opt.swim_task_request, req, sizeof req);
	if (w->full)
		mc__trace_note(r,
		               "swim: maps = ceil(input / %lld B), reduces = ceil(shuffle / %lld B); "
		               "each task runs its share of the job's map or reduce task time (at "
		               "least 1 s; its share of the bytes at %g MB/s when that time is 0) "
		               "and asks for %s",
		               (long long)r->opt.swim_block_bytes,
		               (long long)r->opt.swim_block_bytes, r->opt.swim_mb_per_s, req);
	else
		mc__trace_note(r,
		               "swim: maps = ceil(input / %lld B), reduces = ceil(shuffle / %lld B); "
		               "each task runs its share of the bytes at %g MB/s (at least 1 s) and "
		               "asks for %s",
		               (long long)r->opt.swim_block_bytes,
		               (long long)r->opt.swim_block_bytes, r->opt.swim_mb_per_s, req);
	mc__trace_note(r, "swim: reduces (dag_id 2) depend on maps (dag_id 1); no machines, users "
	                  "or priorities in the trace");
	return 0;
}
