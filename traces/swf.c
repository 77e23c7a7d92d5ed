/*
 * swf.c - reader of the Standard Workload Format of the Parallel Workloads
 * Archive (shared/reference/traces.md 1.5): ';' header comments with
 * "Key: value" pairs, then one job per line of 18 whitespace-separated
 * fields, -1 for missing values.
 *
 * A job becomes one task record with count = processors (allocated, else
 * requested), each task asking for swf_cpus_per_proc cores and the job's
 * memory per processor; duration = run time; orig_wait = wait time; user =
 * the user number as text; priority = the queue number. Machines come from
 * the header (MaxNodes machines of MaxProcs/MaxNodes processors), emitted at
 * time 0 before the first job. Memory: one line at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/trace_int.h"

struct swf {
	char **files;
	size_t nfiles, cur;
	struct mc__tin tin;
	bool open;
	int64_t max_nodes, max_procs;
	bool machines_done;
	int64_t machines_left, machine_id;
	int64_t procs_per_machine;
	char *held; /* first data line, kept while machines are emitted */
	size_t held_len;
	int64_t held_line;
	mc_time_t last;
};

static int split_ws(const char *s, size_t len, const char **fs, size_t *fl, int max)
{
	const char *e = s + len;
	int n = 0;
	while (s < e) {
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s >= e)
			break;
		const char *b = s;
		while (s < e && *s != ' ' && *s != '\t')
			s++;
		if (n < max) {
			fs[n] = b;
			fl[n] = (size_t)(s - b);
		}
		n++;
	}
	return n;
}

static void header_line(struct mc_trace_reader *r, struct swf *w, const char *s, size_t len)
{
	/* "; Key: value" */
	size_t i = 1;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	const char *k = s + i;
	const char *colon = memchr(k, ':', len - i);
	if (!colon)
		return;
	size_t kl = (size_t)(colon - k);
	const char *v = colon + 1;
	size_t vl = len - (size_t)(v - s);
	while (vl && (*v == ' ' || *v == '\t')) {
		v++;
		vl--;
	}
	while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		vl--;
	int64_t x;
	if (kl == 8 && !memcmp(k, "MaxNodes", 8) && !mc__scan_i64(v, vl, &x) && x > 0)
		w->max_nodes = x;
	else if (kl == 8 && !memcmp(k, "MaxProcs", 8) && !mc__scan_i64(v, vl, &x) && x > 0)
		w->max_procs = x;
	else if ((kl == 8 && !memcmp(k, "Computer", 8)) ||
	         (kl == 12 && !memcmp(k, "Installation", 12)) ||
	         (kl == 7 && !memcmp(k, "Version", 7)) ||
	         (kl == 13 && !memcmp(k, "UnixStartTime", 13)))
		mc__trace_note(r, "swf header %.*s: %.*s", (int)kl, k, (int)(vl > 200 ? 200 : vl),
		               v);
}

static int bad_row(struct mc_trace_reader *r, struct swf *w, int64_t line, const char *what)
{
	if (r->opt.skip_bad) {
		char reason[96];
		snprintf(reason, sizeof reason, "skipped row: %.80s", what);
		mc__trace_count(r, reason, 1);
		return 1;
	}
	return mc__trace_fail(r, MC_EPARSE, w->files[w->cur], line, "%s", what);
}

/* Parses one job line. Returns 1 a record, 0 row skipped, < 0 error. */
static int job_line(struct mc_trace_reader *r, struct swf *w, const char *s, size_t len,
                    int64_t line, struct mc_trace_record *rec)
{
	const char *fs[18];
	size_t fl[18];
	int nf = split_ws(s, len, fs, fl, 18);
	if (nf != 18) {
		char what[80];
		snprintf(what, sizeof what, "expected 18 fields, found %d", nf);
		int b = bad_row(r, w, line, what);
		return b < 0 ? b : 0;
	}
	int64_t v[18];
	for (int i = 0; i < 18; i++) {
		double d;
		int e = mc__scan_i64(fs[i], fl[i], &v[i]);
		if (e == MC_EPARSE && !mc__scan_f64(fs[i], fl[i], &d)) {
			/* some logs write averages with decimals */
			v[i] = (int64_t)d;
			e = 0;
		}
		if (e || v[i] < -1 || v[i] > (int64_t)1e12) {
			char what[80];
			snprintf(what, sizeof what, "field %d: %s", i + 1,
			         e == MC_EPARSE ? "not a number"
			                        : "out of range (must be -1 or 0..1e12)");
			int b = bad_row(r, w, line, what);
			return b < 0 ? b : 0;
		}
	}
	int64_t job = v[0], submit = v[1], wait = v[2], run = v[3], alloc = v[4], used_mem = v[6],
	        req_procs = v[7], req_mem = v[9], status = v[10], user = v[11], queue = v[14];
	if (submit < 0) {
		int b = bad_row(r, w, line, "submit time missing");
		return b < 0 ? b : 0;
	}
	mc_time_t t = submit * MC_SEC;
	if (t < w->last) {
		char what[96];
		snprintf(what, sizeof what, "submit time %lld is before the previous job's %lld",
		         (long long)submit, (long long)(w->last / MC_SEC));
		int b = bad_row(r, w, line, what);
		return b < 0 ? b : 0;
	}
	if (status == 2 || status == 3 || status == 4) {
		mc__trace_count(r, "dropped: partial-execution record (status 2/3/4)", 1);
		return 0;
	}
	int64_t procs = alloc > 0 ? alloc : req_procs;
	if (procs <= 0) {
		mc__trace_count(r, "dropped: no processor count", 1);
		return 0;
	}
	if (procs > UINT32_MAX / 2) {
		int b = bad_row(r, w, line, "processor count out of range");
		return b < 0 ? b : 0;
	}
	if (run < 0) {
		mc__trace_count(r, "dropped: no run time", 1);
		return 0;
	}
	if (alloc <= 0)
		mc__trace_count(r, "assumed: requested processors for a job with none allocated",
		                1);
	w->last = t;
	rec->type = MC_TREC_TASK;
	rec->time = t;
	struct mc_trace_task *k = &rec->task;
	memset(k, 0, sizeof *k);
	k->job_id = job < 0 ? 0 : (uint64_t)job;
	k->task_index = 0;
	k->count = (uint32_t)procs;
	k->job_tasks = (uint32_t)procs;
	k->duration = run * MC_SEC;
	k->orig_wait = wait < 0 ? -1 : wait * MC_SEC;
	k->request.q[MC_RES_CPUS] = mc__milli_scaled(r->opt.swf_cpus_per_proc, 1.0);
	double mem_mb = req_mem > 0    ? (double)req_mem / 1024.0
	                : used_mem > 0 ? (double)used_mem / 1024.0
	                               : r->opt.swf_default_mem_mb;
	k->request.q[MC_RES_MEM] = mc__milli_scaled(mem_mb, 1.0);
	k->priority = queue < 0 ? 0 : (int32_t)queue;
	k->sched_class = -1;
	if (user >= 0) {
		char name[24];
		int l = snprintf(name, sizeof name, "%lld", (long long)user);
		k->user = mc__trace_user(r, name, (size_t)l);
	}
	k->end_state = status == 1   ? MC_TEND_FINISHED
	               : status == 0 ? MC_TEND_FAILED
	               : status == 5 ? MC_TEND_KILLED
	                             : MC_TEND_UNKNOWN;
	r->hdr.tasks += k->count;
	r->hdr.records++;
	return 1;
}

static void start_machines(struct mc_trace_reader *r, struct swf *w)
{
	w->machines_done = true;
	int64_t nodes = r->opt.swf_machines > 0 ? r->opt.swf_machines
	                : w->max_nodes > 0      ? w->max_nodes
	                                        : w->max_procs;
	int64_t ppm = r->opt.swf_procs_per_machine;
	if (ppm <= 0)
		ppm = w->max_procs > 0 && w->max_nodes > 0 ? w->max_procs / w->max_nodes : 1;
	if (ppm <= 0)
		ppm = 1;
	if (nodes <= 0 || nodes > 10000000) {
		mc__trace_note(r, "swf: no MaxNodes/MaxProcs in the header: no machine records "
		                  "(give agents in the experiment)");
		return;
	}
	w->machines_left = nodes;
	w->procs_per_machine = ppm;
	mc__trace_note(r,
	               "swf: %lld machines of %lld processors (x %g cores) from the header, "
	               "added at time 0",
	               (long long)nodes, (long long)ppm, r->opt.swf_cpus_per_proc);
}

static int swf_next(struct mc_trace_reader *r, struct mc_trace_record *rec)
{
	struct swf *w = r->impl;
	for (;;) {
		if (w->machines_left > 0) {
			w->machines_left--;
			rec->type = MC_TREC_MACHINE;
			rec->time = 0;
			rec->machine.id = (uint64_t)++w->machine_id;
			rec->machine.event = MC_TMACH_ADD;
			rec->machine.platform = 0;
			mc_resources_clear(&rec->machine.capacity);
			rec->machine.capacity.unres.q[MC_RES_CPUS] = mc__milli_scaled(
			    (double)w->procs_per_machine * r->opt.swf_cpus_per_proc, 1.0);
			r->hdr.machines++;
			r->hdr.records++;
			return 1;
		}
		if (w->held && w->machines_done) {
			int rc = job_line(r, w, w->held, w->held_len, w->held_line, rec);
			free(w->held);
			w->held = NULL;
			if (rc != 0)
				return rc;
			continue;
		}
		if (!w->open) {
			if (w->cur >= w->nfiles) {
				if (!w->machines_done) {
					start_machines(r, w);
					continue;
				}
				return 0;
			}
			if (mc__tin_open(&w->tin, w->files[w->cur], r->err, sizeof r->err))
				return r->err_code = MC_EIO;
			w->open = true;
		}
		const char *s;
		size_t len;
		int rc = mc__tin_line(&w->tin, &s, &len, r->err, sizeof r->err);
		if (rc < 0) {
			r->err_code = rc;
			return rc;
		}
		if (rc == 0) {
			mc__tin_close(&w->tin);
			w->open = false;
			w->cur++;
			continue;
		}
		size_t i = 0;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			continue; /* blank line */
		if (s[i] == ';') {
			if (!w->machines_done)
				header_line(r, w, s + i, len - i);
			continue;
		}
		if (!w->machines_done) {
			w->held = mc_xmalloc(len + 1);
			memcpy(w->held, s, len);
			w->held_len = len;
			w->held_line = w->tin.line;
			start_machines(r, w);
			continue;
		}
		rc = job_line(r, w, s, len, w->tin.line, rec);
		if (rc != 0)
			return rc;
	}
}

static void swf_free(void *impl)
{
	struct swf *w = impl;
	if (!w)
		return;
	if (w->open)
		mc__tin_close(&w->tin);
	for (size_t i = 0; i < w->nfiles; i++)
		free(w->files[i]);
	free(w->files);
	free(w->held);
	free(w);
}

static const struct mc__trace_ops swf_ops = {swf_next, swf_free};

int mc__swf_open(struct mc_trace_reader *r, char **files, size_t nfiles, char *err, size_t n)
{
	struct swf *w = mc_xcalloc(1, sizeof *w);
	r->ops = &swf_ops;
	r->impl = w;
	w->files = mc_xcalloc(nfiles, sizeof *w->files);
	for (size_t i = 0; i < nfiles; i++)
		w->files[i] = mc_xstrdup(files[i]);
	w->nfiles = nfiles;
	w->last = INT64_MIN;
	(void)err;
	(void)n;
	snprintf(r->hdr.source, sizeof r->hdr.source, "swf: %s", files[0]);
	mc__trace_note(r,
	               "swf: a job is <processors> tasks of %g cores each; duration = run time; "
	               "submit times are seconds after UnixStartTime",
	               r->opt.swf_cpus_per_proc);
	mc__trace_note(r, "swf: user = user number; priority = queue number; preceding-job "
	                  "dependencies and think times are ignored");
	return 0;
}
