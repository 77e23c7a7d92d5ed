/*
 * test_trace.c - trace readers, the native format and the synthetic
 * generator (include/mesocosm/trace.h, traces/).
 *
 * Fixtures live in tests/unit/data/traces (small hand-made Google 2011 and
 * SWF files whose expected records are worked out in the comments here);
 * files the tests need in other shapes (native traces, overlong lines) are
 * generated into a temporary directory. Tests on the real samples in
 * ../shared/data skip when that folder is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mesocosm/error.h"
#include "mesocosm/trace.h"

#define DATA MC_TEST_DATA_DIR "/unit/data/traces"

static char tmpdir[256];

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mc-test-trace-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void tmp_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
}

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

struct recs {
	struct mc_trace_record *v;
	size_t n;
	int rc;
};

/* Reads every record; rc is the last mc_trace_next() result. */
static struct recs read_all(struct mc_trace_reader *r)
{
	struct recs out = {0};
	size_t cap = 0;
	struct mc_trace_record rec;
	while ((out.rc = mc_trace_next(r, &rec)) == 1) {
		if (out.n == cap) {
			cap = cap ? cap * 2 : 64;
			out.v = realloc(out.v, cap * sizeof *out.v);
		}
		out.v[out.n++] = rec;
	}
	return out;
}

static struct mc_trace_reader *open_ok(const char *path, enum mc_trace_format f,
                                       const struct mc_trace_options *o)
{
	char err[600];
	struct mc_trace_reader *r = NULL;
	int rc = mc_trace_open(path, f, o, &r, err, sizeof err);
	if (rc)
		print_error("open %s: %s\n", path, err);
	assert_int_equal(rc, 0);
	return r;
}

static uint64_t count_of(const struct mc_trace_reader *r, const char *reason)
{
	const struct mc_trace_header *h = mc_trace_header(r);
	for (size_t i = 0; i < h->ncounts; i++)
		if (!strcmp(h->counts[i].reason, reason))
			return h->counts[i].count;
	return 0;
}

static const struct mc_trace_record *find_task(const struct recs *rs, uint64_t job, uint32_t idx,
                                               uint32_t attempt)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->v[i].type == MC_TREC_TASK && rs->v[i].task.job_id == job &&
		    rs->v[i].task.task_index == idx && rs->v[i].task.attempt == attempt)
			return &rs->v[i];
	return NULL;
}

/* ---- native format ------------------------------------------------------- */

static void write_sample_native(const char *path)
{
	char err[600];
	struct mc_trace_writer *w;
	assert_int_equal(mc_trace_writer_open(path, &w, err, sizeof err), 0);
	assert_int_equal(mc_trace_writer_user(w, 3, "alice"), 0);
	struct mc_trace_record m = {.type = MC_TREC_MACHINE, .time = 0};
	m.machine.id = 9266869632ULL;
	m.machine.event = MC_TMACH_ADD;
	m.machine.platform = 77;
	mc_resources_clear(&m.machine.capacity);
	m.machine.capacity.unres.q[MC_RES_CPUS] = 16000;
	m.machine.capacity.unres.q[MC_RES_MEM] = 32676250;
	assert_int_equal(mc_trace_writer_put(w, &m), 0);
	struct mc_trace_record t = {.type = MC_TREC_TASK, .time = 5 * MC_SEC};
	t.task.job_id = UINT64_MAX - 1;
	t.task.task_index = 7;
	t.task.count = 12;
	t.task.job_tasks = 40;
	t.task.attempt = 2;
	t.task.duration = 123456789;
	t.task.orig_wait = 42;
	t.task.request.q[MC_RES_CPUS] = 500;
	t.task.request.q[MC_RES_MEM] = 1024000;
	t.task.priority = -3;
	t.task.sched_class = 2;
	t.task.user = 3;
	t.task.end_state = MC_TEND_EVICTED;
	t.task.dag_id = 13;
	t.task.ndeps = 3;
	t.task.deps[0] = 2;
	t.task.deps[1] = 3;
	t.task.deps[2] = 12;
	assert_int_equal(mc_trace_writer_put(w, &t), 0);
	struct mc_trace_record e = {.type = MC_TREC_TASK_END, .time = 9 * MC_SEC};
	e.end.job_id = 5;
	e.end.task_index = 1;
	e.end.attempt = 1;
	e.end.end_state = MC_TEND_KILLED;
	assert_int_equal(mc_trace_writer_put(w, &e), 0);
	struct mc_trace_header h = {0};
	snprintf(h.source, sizeof h.source, "unit test");
	char *notes[] = {"a note"};
	struct mc_trace_count counts[] = {{"dropped: because", 17}};
	h.notes = notes;
	h.nnotes = 1;
	h.counts = counts;
	h.ncounts = 1;
	assert_int_equal(mc_trace_writer_close(w, &h, err, sizeof err), 0);
}

static void test_native_roundtrip_preserves_every_field(void **state)
{
	(void)state;
	char p[300];
	tmp_path(p, sizeof p, "rt.msgpack");
	write_sample_native(p);
	struct mc_trace_reader *r = open_ok(p, MC_TFMT_NATIVE, NULL);
	const struct mc_trace_header *h = mc_trace_header(r);
	assert_string_equal(h->source, "unit test");
	assert_int_equal(h->version, MC_TRACE_VERSION);
	assert_int_equal(h->machines, 1);
	assert_int_equal(h->tasks, 12);
	assert_int_equal(h->records, 3);
	assert_int_equal(h->nnotes, 1);
	assert_string_equal(h->notes[0], "a note");
	assert_int_equal(count_of(r, "dropped: because"), 17);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.v[0].type, MC_TREC_MACHINE);
	assert_int_equal(rs.v[0].machine.id, 9266869632ULL);
	assert_int_equal(rs.v[0].machine.platform, 77);
	assert_int_equal(rs.v[0].machine.capacity.unres.q[MC_RES_MEM], 32676250);
	const struct mc_trace_task *t = &rs.v[1].task;
	assert_int_equal(rs.v[1].time, 5 * MC_SEC);
	assert_true(t->job_id == UINT64_MAX - 1);
	assert_int_equal(t->task_index, 7);
	assert_int_equal(t->count, 12);
	assert_int_equal(t->job_tasks, 40);
	assert_int_equal(t->attempt, 2);
	assert_int_equal(t->duration, 123456789);
	assert_int_equal(t->orig_wait, 42);
	assert_int_equal(t->request.q[MC_RES_CPUS], 500);
	assert_int_equal(t->request.q[MC_RES_MEM], 1024000);
	assert_int_equal(t->priority, -3);
	assert_int_equal(t->sched_class, 2);
	assert_string_equal(mc_trace_user_name(r, t->user), "alice");
	assert_int_equal(t->end_state, MC_TEND_EVICTED);
	assert_int_equal(t->dag_id, 13);
	assert_int_equal(t->ndeps, 3);
	assert_int_equal(t->deps[2], 12);
	assert_int_equal(rs.v[2].type, MC_TREC_TASK_END);
	assert_int_equal(rs.v[2].end.end_state, MC_TEND_KILLED);
	assert_int_equal(rs.v[2].end.attempt, 1);
	free(rs.v);
	mc_trace_close(r);
}

static void test_native_gzip_output_is_read_back_directly(void **state)
{
	(void)state;
	char p[300];
	tmp_path(p, sizeof p, "rt.msgpack.gz");
	write_sample_native(p);
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	int b0 = fgetc(f), b1 = fgetc(f);
	fclose(f);
	assert_int_equal(b0, 0x1f);
	assert_int_equal(b1, 0x8b);
	struct mc_trace_reader *r = open_ok(p, MC_TFMT_NATIVE, NULL);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	assert_int_equal(rs.n, 3);
	free(rs.v);
	mc_trace_close(r);
}

static void truncate_copy(const char *src, const char *dst, long keep)
{
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	assert_non_null(in);
	assert_non_null(out);
	for (long i = 0; i < keep; i++) {
		int c = fgetc(in);
		if (c == EOF)
			break;
		fputc(c, out);
	}
	fclose(in);
	fclose(out);
}

static void test_native_truncated_file_is_an_error_not_a_short_trace(void **state)
{
	(void)state;
	char p[300], q[300];
	tmp_path(p, sizeof p, "full.msgpack");
	tmp_path(q, sizeof q, "cut.msgpack");
	write_sample_native(p);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	/* Every cut point: either the header fails or reading ends in an error. */
	for (long keep = 0; keep < st.st_size; keep++) {
		truncate_copy(p, q, keep);
		char err[600];
		struct mc_trace_reader *r;
		int rc = mc_trace_open(q, MC_TFMT_NATIVE, NULL, &r, err, sizeof err);
		if (rc) {
			assert_true(rc < 0);
			assert_non_null(strstr(err, "cut.msgpack:1:"));
			continue;
		}
		struct recs rs = read_all(r);
		assert_true(rs.rc < 0);
		assert_non_null(strstr(mc_trace_error(r), "cut.msgpack:"));
		free(rs.v);
		mc_trace_close(r);
	}
}

static void test_native_reader_rejects_a_file_that_is_not_a_trace(void **state)
{
	(void)state;
	char err[600];
	struct mc_trace_reader *r;
	int rc = mc_trace_open(DATA "/small.swf", MC_TFMT_NATIVE, NULL, &r, err, sizeof err);
	assert_int_equal(rc, MC_EPARSE);
	assert_non_null(strstr(err, "small.swf:1: bad header"));
	rc = mc_trace_open(DATA "/g11_bad/task_events_empty.csv", MC_TFMT_NATIVE, NULL, &r, err,
	                   sizeof err);
	assert_int_equal(rc, MC_EPARSE);
	assert_non_null(strstr(err, "empty file"));
}

static void test_native_writer_rejects_times_going_backwards(void **state)
{
	(void)state;
	char p[300], err[600];
	tmp_path(p, sizeof p, "back.msgpack");
	struct mc_trace_writer *w;
	assert_int_equal(mc_trace_writer_open(p, &w, err, sizeof err), 0);
	struct mc_trace_record t = {.type = MC_TREC_TASK, .time = 10};
	t.task.count = 1;
	assert_int_equal(mc_trace_writer_put(w, &t), 0);
	t.time = 9;
	assert_int_equal(mc_trace_writer_put(w, &t), MC_EINVAL);
	mc_trace_writer_abort(w);
	assert_false(exists(p));
}

/* ---- synthetic workloads ------------------------------------------------- */

static void test_synth_same_seed_gives_identical_records(void **state)
{
	(void)state;
	struct mc_synth_params p;
	assert_int_equal(mc_synth_params_init(&p, "simple", 0.1), 0);
	char err[600];
	struct mc_trace_reader *a, *b, *c;
	assert_int_equal(mc_synth_open(&p, 42, &a, err, sizeof err), 0);
	assert_int_equal(mc_synth_open(&p, 42, &b, err, sizeof err), 0);
	assert_int_equal(mc_synth_open(&p, 43, &c, err, sizeof err), 0);
	struct recs ra = read_all(a), rb = read_all(b), rc = read_all(c);
	assert_int_equal(ra.n, rb.n);
	for (size_t i = 0; i < ra.n; i++) {
		assert_int_equal(ra.v[i].type, rb.v[i].type);
		assert_int_equal(ra.v[i].time, rb.v[i].time);
		if (ra.v[i].type != MC_TREC_TASK)
			continue;
		assert_int_equal(ra.v[i].task.job_id, rb.v[i].task.job_id);
		assert_int_equal(ra.v[i].task.duration, rb.v[i].task.duration);
		assert_int_equal(ra.v[i].task.user, rb.v[i].task.user);
		assert_int_equal(ra.v[i].task.priority, rb.v[i].task.priority);
		assert_true(mc_resvec_equal(&ra.v[i].task.request, &rb.v[i].task.request));
	}
	bool differ = ra.n != rc.n;
	for (size_t i = 0; !differ && i < ra.n; i++)
		differ = ra.v[i].time != rc.v[i].time;
	assert_true(differ);
	free(ra.v);
	free(rb.v);
	free(rc.v);
	mc_trace_close(a);
	mc_trace_close(b);
	mc_trace_close(c);
}

static void test_synth_simple_profile_has_its_machines_and_jobs(void **state)
{
	(void)state;
	struct mc_synth_params p;
	assert_int_equal(mc_synth_params_init(&p, "simple", 1.0), 0);
	p.jobs = 50;
	char err[600];
	struct mc_trace_reader *r;
	assert_int_equal(mc_synth_open(&p, 1, &r, err, sizeof err), 0);
	struct recs rs = read_all(r);
	size_t machines = 0, tasks = 0;
	uint64_t last_job = 0;
	for (size_t i = 0; i < rs.n; i++) {
		if (rs.v[i].type == MC_TREC_MACHINE) {
			machines++;
			assert_int_equal(rs.v[i].machine.capacity.unres.q[MC_RES_CPUS], 16000);
		} else {
			tasks++;
			const struct mc_trace_task *t = &rs.v[i].task;
			assert_true(t->task_index < t->job_tasks);
			assert_true(t->job_tasks >= 1 && t->job_tasks <= 20);
			assert_true(t->request.q[MC_RES_CPUS] >= 500 &&
			            t->request.q[MC_RES_CPUS] <= 4000);
			assert_true(t->duration >= 0);
			assert_non_null(strstr(mc_trace_user_name(r, t->user), "user"));
			last_job = t->job_id;
		}
	}
	assert_int_equal(machines, 100);
	assert_int_equal(last_job, 50);
	assert_int_equal(mc_trace_header(r)->tasks, tasks);
	free(rs.v);
	mc_trace_close(r);
}

static void test_synth_google2011_profile_has_the_cells_capacity_mix(void **state)
{
	(void)state;
	struct mc_synth_params p;
	assert_int_equal(mc_synth_params_init(&p, "google2011", 1.0), 0);
	assert_int_equal(p.jobs, 650000);
	int64_t total = 0, big = 0;
	for (int i = 0; i < p.nmachine_groups; i++) {
		total += p.machine_groups[i].count;
		if (p.machine_groups[i].capacity.q[MC_RES_CPUS] == 32000)
			big += p.machine_groups[i].count;
	}
	assert_int_equal(total, 12551);
	assert_int_equal(big, 796);
	/* mean tasks per job of lognormal(mu, sigma) ~ 38.5 (25M / 650k) */
	double mean = mc_dist_mean(&p.tasks_per_job);
	assert_true(mean > 37 && mean < 40);
	assert_int_equal(mc_synth_params_init(&p, "nope", 1.0), MC_ENOENT);
}

/* ---- Google 2011 --------------------------------------------------------- */

static void test_google2011_reader_replays_the_task_lifecycle(void **state)
{
	(void)state;
	struct mc_trace_reader *r = open_ok(DATA "/g11", MC_TFMT_GOOGLE2011, NULL);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	/* machines 5, 6, 7 added; 8 has no capacity; 6 removed; 7 updated */
	assert_int_equal(rs.v[0].type, MC_TREC_MACHINE);
	assert_int_equal(rs.v[0].machine.id, 5);
	assert_int_equal(rs.v[0].machine.capacity.unres.q[MC_RES_CPUS], 16000);
	assert_int_equal(rs.v[0].machine.capacity.unres.q[MC_RES_MEM],
	                 32676250); /* 0.2493 x 131072 MB */
	assert_int_equal(count_of(r, "dropped: machine event with empty capacity"), 1);
	/* job 100: SUBMIT 600 s, SCHEDULE 600.5 s, FINISH 610.5 s */
	const struct mc_trace_record *a = find_task(&rs, 100, 0, 0);
	assert_non_null(a);
	assert_int_equal(a->time, 600 * MC_SEC);
	assert_int_equal(a->task.duration, 10 * MC_SEC);
	assert_int_equal(a->task.orig_wait, 500 * MC_MSEC);
	assert_int_equal(a->task.end_state, MC_TEND_FINISHED);
	assert_int_equal(a->task.request.q[MC_RES_CPUS], 2000); /* 0.0625 x 32 */
	assert_int_equal(a->task.priority, 2);
	assert_int_equal(a->task.sched_class, 1);
	assert_string_equal(mc_trace_user_name(r, a->task.user), "alice");
	/* job 200: evicted after 4 s, resubmitted, then ran 20 s */
	const struct mc_trace_record *b0 = find_task(&rs, 200, 0, 0),
	                             *b1 = find_task(&rs, 200, 0, 1);
	assert_non_null(b0);
	assert_non_null(b1);
	assert_int_equal(b0->task.end_state, MC_TEND_EVICTED);
	assert_int_equal(b0->task.duration, 4 * MC_SEC);
	assert_int_equal(b1->time, 605 * MC_SEC);
	assert_int_equal(b1->task.duration, 20 * MC_SEC);
	assert_int_equal(b1->task.end_state, MC_TEND_FINISHED);
	/* job 300 was killed while pending; job 400 is after the window */
	assert_null(find_task(&rs, 300, 0, 0));
	assert_int_equal(count_of(r, "dropped: task ended before it was scheduled"), 1);
	assert_null(find_task(&rs, 400, 0, 0));
	assert_int_equal(count_of(r, "dropped: task event after the window"), 1);
	/* tasks from before the window never end: duration unknown */
	const struct mc_trace_record *pre = find_task(&rs, 3418314, 0, 0);
	assert_non_null(pre);
	assert_int_equal(pre->time, 0);
	assert_int_equal(pre->task.duration, -1);
	assert_int_equal(pre->task.request.q[MC_RES_CPUS], 4000); /* 0.125 x 32 */
	/* times never decrease; machine 6 removed at 700 s */
	for (size_t i = 1; i < rs.n; i++)
		assert_true(rs.v[i].time >= rs.v[i - 1].time);
	const struct mc_trace_record *last = &rs.v[rs.n - 1];
	assert_int_equal(last->type, MC_TREC_MACHINE);
	assert_int_equal(last->machine.event, MC_TMACH_UPDATE);
	assert_int_equal(last->machine.capacity.unres.q[MC_RES_MEM], 65536000);
	free(rs.v);
	mc_trace_close(r);
}

static void test_google2011_task_outliving_the_lookahead_ends_with_a_task_end(void **state)
{
	(void)state;
	struct mc_trace_options o;
	mc_trace_options_init(&o);
	o.lookahead = 5 * MC_SEC;
	struct mc_trace_reader *r = open_ok(DATA "/g11", MC_TFMT_GOOGLE2011, &o);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	const struct mc_trace_record *a = find_task(&rs, 100, 0, 0);
	assert_non_null(a);
	assert_int_equal(a->task.duration, -1);
	const struct mc_trace_record *end = NULL;
	for (size_t i = 0; i < rs.n; i++)
		if (rs.v[i].type == MC_TREC_TASK_END && rs.v[i].end.job_id == 100)
			end = &rs.v[i];
	assert_non_null(end);
	assert_int_equal(end->time, 610500 * MC_MSEC);
	assert_int_equal(end->end.end_state, MC_TEND_FINISHED);
	for (size_t i = 1; i < rs.n; i++)
		assert_true(rs.v[i].time >= rs.v[i - 1].time);
	free(rs.v);
	mc_trace_close(r);
}

static void test_google2011_dropping_prefill_drops_tasks_from_before_the_window(void **state)
{
	(void)state;
	struct mc_trace_options o;
	mc_trace_options_init(&o);
	o.keep_prefill = false;
	struct mc_trace_reader *r = open_ok(DATA "/g11", MC_TFMT_GOOGLE2011, &o);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	assert_null(find_task(&rs, 3418314, 0, 0));
	assert_int_equal(count_of(r, "dropped: task submitted before the window"), 3);
	free(rs.v);
	mc_trace_close(r);
}

/* Opens a bad fixture and returns the first error (0 if none), with the
 * message in msg. */
static int bad_file_error(const char *path, enum mc_trace_format f, bool skip_bad, char *msg,
                          size_t n, size_t *nrec)
{
	struct mc_trace_options o;
	mc_trace_options_init(&o);
	o.skip_bad = skip_bad;
	struct mc_trace_reader *r;
	int rc = mc_trace_open(path, f, &o, &r, msg, n);
	if (rc)
		return rc;
	struct recs rs = read_all(r);
	snprintf(msg, n, "%s", mc_trace_error(r));
	if (nrec)
		*nrec = rs.n;
	free(rs.v);
	mc_trace_close(r);
	return rs.rc;
}

static void test_google2011_wrong_column_count_names_file_and_line(void **state)
{
	(void)state;
	char msg[600];
	int rc = bad_file_error(DATA "/g11_bad/task_events_onebad.csv", MC_TFMT_GOOGLE2011, false,
	                        msg, sizeof msg, NULL);
	assert_int_equal(rc, MC_EPARSE);
	assert_non_null(strstr(msg, "task_events_onebad.csv:2: expected 13"));
}

static void test_google2011_skip_bad_counts_and_skips_malformed_rows(void **state)
{
	(void)state;
	struct mc_trace_options o;
	mc_trace_options_init(&o);
	o.skip_bad = true;
	struct mc_trace_reader *r =
	    open_ok(DATA "/g11_bad/task_events_onebad.csv", MC_TFMT_GOOGLE2011, &o);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.v[1].task.job_id, 102);
	assert_int_equal(
	    count_of(r, "skipped task_events row: expected 13 comma-separated columns, found 14"),
	    1);
	free(rs.v);
	mc_trace_close(r);
}

static void test_google2011_rejects_each_kind_of_bad_input(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		int rc;
		const char *msg;
	} cases[] = {
	    {"task_events_columns.csv", MC_EPARSE,
	     ":1: expected 13 comma-separated columns, found 12"},
	    {"task_events_garbage.csv", MC_EPARSE, "task_events_garbage.csv:"},
	    {"task_events_huge.csv", MC_EPARSE, ":1: column 3 (job ID): out of range"},
	    {"task_events_hugefloat.csv", MC_EPARSE, ":1: column 10 (CPU request): out of range"},
	    {"task_events_negative.csv", MC_EPARSE, ":1: time is not a non-negative integer"},
	    {"task_events_order.csv", MC_EPARSE, ":2: time 500000000 is before the previous"},
	    {"task_events_trunc.csv.gz", MC_EIO, "truncated gzip file"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[400], msg[600];
		snprintf(path, sizeof path, "%s/g11_bad/%s", DATA, cases[i].file);
		int rc = bad_file_error(path, MC_TFMT_GOOGLE2011, false, msg, sizeof msg, NULL);
		if (rc != cases[i].rc || !strstr(msg, cases[i].msg))
			print_error("%s: rc %d, message '%s'\n", cases[i].file, rc, msg);
		assert_int_equal(rc, cases[i].rc);
		assert_non_null(strstr(msg, cases[i].msg));
	}
}

static void test_google2011_empty_file_is_an_empty_trace(void **state)
{
	(void)state;
	char msg[600];
	size_t n = 99;
	int rc = bad_file_error(DATA "/g11_bad/task_events_empty.csv", MC_TFMT_GOOGLE2011, false,
	                        msg, sizeof msg, &n);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 0);
}

static void test_overlong_line_is_an_error(void **state)
{
	(void)state;
	char p[300];
	tmp_path(p, sizeof p, "task_events_long.csv");
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("600000000,,100,0,,0,alice,1,2,0.0625,0.03,0,0\n600000000,,1", f);
	for (int i = 0; i < (2 << 20); i++)
		fputc('0', f);
	fputs(",0,,0,alice,1,2,0.0625,0.03,0,0\n", f);
	fclose(f);
	char msg[600];
	int rc = bad_file_error(p, MC_TFMT_GOOGLE2011, true, msg, sizeof msg, NULL);
	assert_int_equal(rc, MC_EPARSE);
	assert_non_null(strstr(msg, "task_events_long.csv:2: line longer than"));
}

/* ---- SWF ------------------------------------------------------------------ */

static void test_swf_jobs_become_processor_counts_of_tasks(void **state)
{
	(void)state;
	struct mc_trace_reader *r = open_ok(DATA "/small.swf", MC_TFMT_SWF, NULL);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	/* MaxNodes 4, MaxProcs 16: four machines of 4 cores */
	assert_int_equal(rs.n, 4 + 3);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(rs.v[i].type, MC_TREC_MACHINE);
		assert_int_equal(rs.v[i].machine.capacity.unres.q[MC_RES_CPUS], 4000);
	}
	const struct mc_trace_task *j1 = &rs.v[4].task;
	assert_int_equal(rs.v[4].time, 10 * MC_SEC);
	assert_int_equal(j1->job_id, 1);
	assert_int_equal(j1->count, 4);
	assert_int_equal(j1->duration, 100 * MC_SEC);
	assert_int_equal(j1->orig_wait, 5 * MC_SEC);
	assert_int_equal(j1->request.q[MC_RES_MEM], 2000); /* 2048 KB per processor */
	assert_int_equal(j1->priority, 2);
	assert_int_equal(j1->end_state, MC_TEND_FINISHED);
	assert_string_equal(mc_trace_user_name(r, j1->user), "7");
	/* job 2: no allocation recorded: 2 requested processors, used memory */
	const struct mc_trace_task *j2 = &rs.v[5].task;
	assert_int_equal(j2->count, 2);
	assert_int_equal(j2->orig_wait, -1);
	assert_int_equal(j2->request.q[MC_RES_MEM], 1000);
	assert_int_equal(j2->end_state, MC_TEND_FAILED);
	assert_int_equal(rs.v[6].task.job_id, 6);
	assert_int_equal(count_of(r, "dropped: no run time"), 1);
	assert_int_equal(count_of(r, "dropped: no processor count"), 1);
	assert_int_equal(count_of(r, "dropped: partial-execution record (status 2/3/4)"), 1);
	free(rs.v);
	mc_trace_close(r);
}

static void test_swf_bad_rows_name_file_and_line(void **state)
{
	(void)state;
	char msg[600];
	assert_int_equal(
	    bad_file_error(DATA "/bad_fields.swf", MC_TFMT_SWF, false, msg, sizeof msg, NULL),
	    MC_EPARSE);
	assert_non_null(strstr(msg, "bad_fields.swf:2: expected 18 fields, found 17"));
	assert_int_equal(
	    bad_file_error(DATA "/bad_order.swf", MC_TFMT_SWF, false, msg, sizeof msg, NULL),
	    MC_EPARSE);
	assert_non_null(strstr(msg, "bad_order.swf:3: submit time 5 is before"));
	size_t n = 0;
	assert_int_equal(
	    bad_file_error(DATA "/bad_number.swf", MC_TFMT_SWF, true, msg, sizeof msg, &n), 0);
	assert_int_equal(n, 2 + 2); /* two machines, jobs 1 and 3 */
}

static void test_swf_kth_sample_matches_its_published_figures(void **state)
{
	(void)state;
	const char *p = MC_SHARED_DATA_DIR "/KTH-SP2-1996-2.1-cln.head600.swf";
	if (!exists(p))
		skip();
	struct mc_trace_reader *r = open_ok(p, MC_TFMT_SWF, NULL);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	size_t jobs = 0, machines = 0;
	double procs = 0, wait = 0, run = 0;
	mc_time_t last = 0;
	for (size_t i = 0; i < rs.n; i++) {
		if (rs.v[i].type == MC_TREC_MACHINE) {
			machines++;
			continue;
		}
		jobs++;
		procs += rs.v[i].task.count;
		wait += mc_time_to_sec(rs.v[i].task.orig_wait);
		run += mc_time_to_sec(rs.v[i].task.duration);
		last = rs.v[i].time;
	}
	assert_int_equal(machines, 100);
	assert_int_equal(jobs, 600);
	assert_int_equal(last, 942927 * MC_SEC);
	assert_float_equal(procs / (double)jobs, 9.25, 0.005);
	assert_float_equal(wait / (double)jobs, 13736.9, 0.05);
	assert_float_equal(run / (double)jobs, 2763.2, 0.05);
	free(rs.v);
	mc_trace_close(r);
}

/* ---- Google 2019, Alibaba 2018, SWIM ------------------------------------- */

static void test_google2019_maps_its_event_codes_and_takes_the_collection_user(void **state)
{
	(void)state;
	struct mc_trace_reader *r = open_ok(DATA "/g19", MC_TFMT_GOOGLE2019, NULL);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	/* machines 100 (0.5 x 32 cores) and 101 added at 0, 100 removed at 900 s */
	assert_int_equal(rs.v[0].type, MC_TREC_MACHINE);
	assert_int_equal(rs.v[0].machine.capacity.unres.q[MC_RES_CPUS], 16000);
	assert_int_equal(rs.v[rs.n - 1].machine.event, MC_TMACH_REMOVE);
	/* instance 7/0: SUBMIT 600 s, QUEUE ignored, SCHEDULE (3) 601 s, FINISH (6) 661 s */
	const struct mc_trace_record *t = find_task(&rs, 7, 0, 0);
	assert_non_null(t);
	assert_int_equal(t->time, 600 * MC_SEC);
	assert_int_equal(t->task.duration, 60 * MC_SEC);
	assert_int_equal(t->task.orig_wait, 1 * MC_SEC);
	assert_int_equal(t->task.end_state, MC_TEND_FINISHED);
	assert_int_equal(t->task.priority, 200);
	assert_int_equal(t->task.request.q[MC_RES_MEM], 4096000);
	assert_string_equal(mc_trace_user_name(r, t->task.user), "Ysk8qXHZ1UoOHVB0w4sbjQ==");
	/* the alloc-set instance (collection_type 1) is dropped */
	assert_null(find_task(&rs, 9, 0, 0));
	assert_int_equal(count_of(r, "dropped: alloc set instance event"), 1);
	assert_int_equal(count_of(r, "ignored: QUEUE/ENABLE instance event"), 1);
	free(rs.v);
	mc_trace_close(r);
}

static void test_google2019_malformed_json_names_file_and_line(void **state)
{
	(void)state;
	char p[300], msg[600];
	tmp_path(p, sizeof p, "instance_events-bad.json");
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("{\"time\":\"1\",\"type\":0,\"collection_id\":\"7\",\"instance_index\":0}\n"
	      "{\"time\":\"2\",\"type\":0,\"collection_id\":\"7\",\"instance_index\":1\n",
	      f);
	fclose(f);
	assert_int_equal(bad_file_error(p, MC_TFMT_GOOGLE2019, false, msg, sizeof msg, NULL),
	                 MC_EPARSE);
	assert_non_null(strstr(msg, "instance_events-bad.json:2: expected ',' or '}'"));
}

static void test_alibaba2018_dag_names_become_dependencies(void **state)
{
	(void)state;
	struct mc_trace_reader *r = open_ok(DATA "/ali", MC_TFMT_ALIBABA2018, NULL);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	const struct mc_trace_record *r13 = NULL, *m1 = NULL, *bad = NULL;
	size_t machines = 0;
	for (size_t i = 0; i < rs.n; i++) {
		if (i)
			assert_true(rs.v[i].time >= rs.v[i - 1].time);
		if (rs.v[i].type == MC_TREC_MACHINE) {
			machines++;
			continue;
		}
		if (rs.v[i].task.job_id == 3 && rs.v[i].task.dag_id == 13)
			r13 = &rs.v[i];
		if (rs.v[i].task.job_id == 3 && rs.v[i].task.dag_id == 1)
			m1 = &rs.v[i];
		if (rs.v[i].task.job_id == 4)
			bad = &rs.v[i];
	}
	assert_int_equal(machines, 3);
	assert_non_null(r13);
	assert_int_equal(r13->time, 157376 * MC_SEC);
	assert_int_equal(r13->task.ndeps, 3);
	assert_int_equal(r13->task.deps[0], 2);
	assert_int_equal(r13->task.deps[1], 3);
	assert_int_equal(r13->task.deps[2], 12);
	assert_int_equal(r13->task.duration, 5 * MC_SEC);
	assert_non_null(m1);
	assert_int_equal(m1->task.count, 12846);
	assert_int_equal(m1->task.request.q[MC_RES_CPUS], 1000);
	assert_int_equal(m1->task.ndeps, 0);
	assert_non_null(bad);
	assert_int_equal(bad->task.end_state, MC_TEND_FAILED);
	assert_int_equal(bad->task.dag_id, 0);
	assert_int_equal(count_of(r, "dropped: task never started (start_time 0)"), 1);
	/* m_2 goes offline at 157300 s: a REMOVE between the tasks */
	bool removed = false;
	for (size_t i = 0; i < rs.n; i++)
		if (rs.v[i].type == MC_TREC_MACHINE && rs.v[i].machine.event == MC_TMACH_REMOVE) {
			removed = true;
			assert_int_equal(rs.v[i].machine.id, 2);
			assert_int_equal(rs.v[i].time, 157300 * MC_SEC);
		}
	assert_true(removed);
	free(rs.v);
	mc_trace_close(r);
}

static void test_swim_derives_maps_and_reduces_from_bytes(void **state)
{
	(void)state;
	struct mc_trace_reader *r = open_ok(DATA "/small_swim.tsv", MC_TFMT_SWIM, NULL);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	assert_int_equal(rs.n, 4);
	/* job0: 256 MiB input / 128 MiB blocks = 2 maps of 2.56 s at 50 MiB/s;
	 * 128 MiB shuffle = 1 reduce of (128 + 1) MiB = 2.58 s, after the maps */
	assert_int_equal(rs.v[0].task.count, 2);
	assert_int_equal(rs.v[0].task.duration, 2560 * MC_MSEC);
	assert_int_equal(rs.v[1].task.count, 1);
	assert_int_equal(rs.v[1].task.task_index, 2);
	assert_int_equal(rs.v[1].task.duration, 2580 * MC_MSEC);
	assert_int_equal(rs.v[1].task.ndeps, 1);
	assert_int_equal(rs.v[1].task.deps[0], 1);
	/* job1: 100 bytes, no shuffle: one map of at least 1 s, no reduce */
	assert_int_equal(rs.v[2].time, 10 * MC_SEC);
	assert_int_equal(rs.v[2].task.job_id, 1);
	assert_int_equal(rs.v[2].task.duration, MC_SEC);
	assert_int_equal(rs.v[3].task.job_id, 2);
	free(rs.v);
	mc_trace_close(r);
}

static void test_swim_block_size_option_changes_task_counts(void **state)
{
	(void)state;
	struct mc_trace_options o;
	mc_trace_options_init(&o);
	o.swim_block_bytes = 64LL << 20;
	struct mc_trace_reader *r = open_ok(DATA "/small_swim.tsv", MC_TFMT_SWIM, &o);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	assert_int_equal(rs.v[0].task.count, 4);
	assert_int_equal(rs.v[1].task.count, 2);
	free(rs.v);
	mc_trace_close(r);
}

/* ---- conversion and the CLI ------------------------------------------------ */

static void test_convert_then_read_native_gives_the_same_records(void **state)
{
	(void)state;
	char p[300], err[600];
	tmp_path(p, sizeof p, "g11.msgpack");
	struct mc_trace_reader *r = open_ok(DATA "/g11", MC_TFMT_GOOGLE2011, NULL);
	assert_int_equal(mc_trace_convert(r, p, err, sizeof err), 0);
	mc_trace_close(r);
	r = open_ok(DATA "/g11", MC_TFMT_GOOGLE2011, NULL);
	struct recs a = read_all(r);
	struct mc_trace_reader *n = open_ok(p, MC_TFMT_NATIVE, NULL);
	struct recs b = read_all(n);
	assert_int_equal(b.rc, 0);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		assert_int_equal(a.v[i].type, b.v[i].type);
		assert_int_equal(a.v[i].time, b.v[i].time);
		if (a.v[i].type == MC_TREC_TASK) {
			assert_int_equal(a.v[i].task.duration, b.v[i].task.duration);
			assert_true(mc_resvec_equal(&a.v[i].task.request, &b.v[i].task.request));
			assert_string_equal(mc_trace_user_name(r, a.v[i].task.user),
			                    mc_trace_user_name(n, b.v[i].task.user));
		}
	}
	/* the drop counts travel in the header */
	assert_int_equal(count_of(n, "dropped: task ended before it was scheduled"), 1);
	free(a.v);
	free(b.v);
	mc_trace_close(r);
	mc_trace_close(n);
}

static void test_cli_convert_of_a_bad_file_exits_nonzero_and_writes_nothing(void **state)
{
	(void)state;
	if (!exists(MC_BINARY))
		skip();
	char out[300], cmd[1200];
	tmp_path(out, sizeof out, "bad.msgpack");
	snprintf(cmd, sizeof cmd,
	         "'%s' trace convert '%s/g11_bad/task_events_onebad.csv' -o '%s' --from google2011 "
	         "2>/dev/null",
	         MC_BINARY, DATA, out);
	int st = system(cmd);
	assert_true(st != 0);
	assert_false(exists(out));
	snprintf(cmd, sizeof cmd,
	         "'%s' trace convert '%s/g11_bad/task_events_onebad.csv' -o '%s' --from google2011 "
	         "--skip-bad 2>/dev/null",
	         MC_BINARY, DATA, out);
	assert_int_equal(system(cmd), 0);
	assert_true(exists(out));
}

static void test_cli_synth_then_stats_reports_the_generated_counts(void **state)
{
	(void)state;
	if (!exists(MC_BINARY))
		skip();
	char out[300], cmd[1200], line[512];
	tmp_path(out, sizeof out, "synth.msgpack");
	snprintf(cmd, sizeof cmd,
	         "'%s' trace synth --jobs 7 --tasks 'const(3)' --seed 9 -o '%s' 2>/dev/null && "
	         "'%s' trace stats '%s'",
	         MC_BINARY, out, MC_BINARY, out);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	bool jobs = false, tasks = false, machines = false;
	while (fgets(line, sizeof line, p)) {
		jobs |= !strncmp(line, "jobs           7\n", 17);
		tasks |= !strncmp(line, "tasks          21 ", 18);
		machines |= !strncmp(line, "machines       100 distinct", 27);
	}
	assert_int_equal(pclose(p), 0);
	assert_true(jobs);
	assert_true(tasks);
	assert_true(machines);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_native_roundtrip_preserves_every_field),
	    cmocka_unit_test(test_native_gzip_output_is_read_back_directly),
	    cmocka_unit_test(test_native_truncated_file_is_an_error_not_a_short_trace),
	    cmocka_unit_test(test_native_reader_rejects_a_file_that_is_not_a_trace),
	    cmocka_unit_test(test_native_writer_rejects_times_going_backwards),
	    cmocka_unit_test(test_synth_same_seed_gives_identical_records),
	    cmocka_unit_test(test_synth_simple_profile_has_its_machines_and_jobs),
	    cmocka_unit_test(test_synth_google2011_profile_has_the_cells_capacity_mix),
	    cmocka_unit_test(test_google2011_reader_replays_the_task_lifecycle),
	    cmocka_unit_test(test_google2011_task_outliving_the_lookahead_ends_with_a_task_end),
	    cmocka_unit_test(test_google2011_dropping_prefill_drops_tasks_from_before_the_window),
	    cmocka_unit_test(test_google2011_wrong_column_count_names_file_and_line),
	    cmocka_unit_test(test_google2011_skip_bad_counts_and_skips_malformed_rows),
	    cmocka_unit_test(test_google2011_rejects_each_kind_of_bad_input),
	    cmocka_unit_test(test_google2011_empty_file_is_an_empty_trace),
	    cmocka_unit_test(test_overlong_line_is_an_error),
	    cmocka_unit_test(test_swf_jobs_become_processor_counts_of_tasks),
	    cmocka_unit_test(test_swf_bad_rows_name_file_and_line),
	    cmocka_unit_test(test_swf_kth_sample_matches_its_published_figures),
	    cmocka_unit_test(test_google2019_maps_its_event_codes_and_takes_the_collection_user),
	    cmocka_unit_test(test_google2019_malformed_json_names_file_and_line),
	    cmocka_unit_test(test_alibaba2018_dag_names_become_dependencies),
	    cmocka_unit_test(test_swim_derives_maps_and_reduces_from_bytes),
	    cmocka_unit_test(test_swim_block_size_option_changes_task_counts),
	    cmocka_unit_test(test_convert_then_read_native_gives_the_same_records),
	    cmocka_unit_test(test_cli_convert_of_a_bad_file_exits_nonzero_and_writes_nothing),
	    cmocka_unit_test(test_cli_synth_then_stats_reports_the_generated_counts),
	};
	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
