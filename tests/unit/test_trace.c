/*
 * test_trace.c - trace readers, the native format and the synthetic
 * generator (include/mesocosm/trace.h, traces/).
 *
 * Fixtures live in tests/unit/data/traces (small hand-made Google 2011,
 * SWF, Alibaba 2018 and SWIM files whose expected records are worked out in
 * the comments here); files the tests need in other shapes (native traces,
 * overlong lines, bad rows) are generated into a temporary directory. Tests on the real samples in
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

/* Writes text to tmpdir/name (directories in name must exist). */
static void write_tmp(char *p, size_t n, const char *name, const char *text)
{
	tmp_path(p, n, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void tmp_dir(char *p, size_t n, const char *name)
{
	tmp_path(p, n, name);
	assert_int_equal(mkdir(p, 0700), 0);
}

/* ali_inst: M1 (3 instances, one Failed), R2_1 (3 kept instances), R4_2_3 (one
 * Running instance) come from batch_instance; task_Mzk... (job 8) and M3 have
 * no instance rows and stay batch_task records. Expected records, worked out
 * by hand from the three files: */
static void test_alibaba2018_instances_become_single_tasks_of_their_task(void **state)
{
	(void)state;
	struct mc_trace_reader *r = open_ok(DATA "/ali_inst", MC_TFMT_ALIBABA2018, NULL);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	static const struct {
		mc_time_t time_s;
		int type; /* 0 machine, else task */
		uint64_t job;
		uint32_t dag, index, count;
		mc_time_t dur_s;
		enum mc_tend end;
		int64_t cpus, mem;
	} want[] = {
	    {0, 0, 1, 0, 0, 0, 0, 0, 96000, 1310720},
	    {0, 0, 2, 0, 0, 0, 0, 0, 64000, 655360},
	    {100, 1, 7, 1, (1u << 20) + 0, 1, 30, MC_TEND_FINISHED, 1000, 655360},
	    {101, 1, 7, 1, (1u << 20) + 2, 1, 10, MC_TEND_FAILED, 1000, 655360},
	    {112, 1, 7, 1, (1u << 20) + 1, 1, 48, MC_TEND_FINISHED, 1000, 655360},
	    {120, 1, 8, 0, 0, 4, 180, MC_TEND_FINISHED, 1000, 393216},
	    {150, 0, 2, 0, 0, 0, 0, 0, 0, 0},
	    {150, 1, 7, 3, 3u << 20, 1, 40, MC_TEND_FINISHED, 2000, 1310720},
	    {170, 1, 7, 2, (2u << 20) + 0, 1, 15, MC_TEND_FINISHED, 500, 327680},
	    {172, 1, 7, 2, (2u << 20) + 1, 1, 28, MC_TEND_FINISHED, 500, 327680},
	    {180, 1, 7, 2, (2u << 20) + 2, 1, 10, MC_TEND_UNKNOWN, 500, 327680},
	    {210, 1, 7, 4, 4u << 20, 1, -1, MC_TEND_UNKNOWN, 1000, 655360},
	};
	assert_int_equal(rs.n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < rs.n; i++) {
		const struct mc_trace_record *v = &rs.v[i];
		assert_int_equal(v->time, want[i].time_s * MC_SEC);
		if (want[i].type == 0) {
			assert_int_equal(v->type, MC_TREC_MACHINE);
			assert_int_equal(v->machine.id, want[i].job);
			assert_int_equal(v->machine.capacity.unres.q[MC_RES_CPUS], want[i].cpus);
			continue;
		}
		assert_int_equal(v->type, MC_TREC_TASK);
		if (want[i].job == 8) {
			assert_int_equal(v->task.dag_id, 0);
			assert_int_equal(v->task.sched_class, 12);
		} else {
			assert_int_equal(v->task.task_index, want[i].index);
			assert_int_equal(v->task.dag_id, want[i].dag);
			assert_int_equal(v->task.sched_class, 1);
		}
		assert_int_equal(v->task.job_id, want[i].job);
		assert_int_equal(v->task.count, want[i].count);
		assert_int_equal(v->task.duration,
		                 want[i].dur_s < 0 ? -1 : want[i].dur_s * MC_SEC);
		assert_int_equal(v->task.end_state, want[i].end);
		assert_int_equal(v->task.request.q[MC_RES_CPUS], want[i].cpus);
		assert_int_equal(v->task.request.q[MC_RES_MEM], want[i].mem);
	}
	/* DAG edges hold per instance */
	assert_int_equal(rs.v[8].task.ndeps, 1);
	assert_int_equal(rs.v[8].task.deps[0], 1);
	assert_int_equal(rs.v[11].task.ndeps, 2);
	assert_int_equal(rs.v[11].task.deps[0], 2);
	assert_int_equal(rs.v[11].task.deps[1], 3);
	/* 3 + 4 + 1 + 3 + 1 tasks: M1 once per instance, not also as 3 from batch_task */
	assert_int_equal(mc_trace_header(r)->tasks, 12);
	assert_int_equal(mc_trace_header(r)->records, 12);
	assert_non_null(strstr(mc_trace_header(r)->notes[3], "batch_instance read"));
	free(rs.v);
	mc_trace_close(r);
}

static void test_alibaba2018_instance_drops_are_counted_by_reason(void **state)
{
	(void)state;
	struct mc_trace_reader *r = open_ok(DATA "/ali_inst", MC_TFMT_ALIBABA2018, NULL);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	assert_int_equal(count_of(r, "replaced: batch_task row by its batch_instance rows"), 3);
	assert_int_equal(count_of(r, "dropped: instance of a task not in batch_task"), 1);
	assert_int_equal(count_of(r, "dropped: instance never started (start_time 0)"), 1);
	assert_int_equal(count_of(r, "dropped: instance end_time before start_time"), 1);
	assert_int_equal(
	    count_of(r, "assumed: instance status not Terminated/Failed/Running: end state unknown"),
	    1);
	assert_int_equal(
	    count_of(r, "assumed: instance Running at the end of the trace: duration unknown"), 1);
	free(rs.v);
	mc_trace_close(r);
}

static void test_alibaba2018_without_batch_instance_tasks_stay_whole(void **state)
{
	(void)state;
	const char *paths[] = {DATA "/ali_inst/batch_task.csv", DATA "/ali_inst/machine_meta.csv"};
	char err[600];
	struct mc_trace_reader *r;
	assert_int_equal(
	    mc_trace_open_files(paths, 2, MC_TFMT_ALIBABA2018, NULL, &r, err, sizeof err), 0);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	const struct mc_trace_record *m1 = NULL;
	for (size_t i = 0; i < rs.n; i++)
		if (rs.v[i].type == MC_TREC_TASK && rs.v[i].task.job_id == 7 &&
		    rs.v[i].task.dag_id == 1)
			m1 = &rs.v[i];
	assert_non_null(m1);
	assert_int_equal(m1->task.count, 3);
	assert_int_equal(m1->task.duration, 60 * MC_SEC);
	assert_int_equal(mc_trace_header(r)->tasks, 3 + 4 + 1 + 2 + 1);
	assert_int_equal(count_of(r, "replaced: batch_task row by its batch_instance rows"), 0);
	free(rs.v);
	mc_trace_close(r);
}

static void test_alibaba2018_instance_rows_are_reordered_within_the_lookahead(void **state)
{
	(void)state;
	char d[300], p[300], msg[600];
	tmp_dir(d, sizeof d, "ali_order");
	write_tmp(p, sizeof p, "ali_order/batch_task.csv", "M1,3,j_1,1,Terminated,100,200,100,1\n");
	write_tmp(p, sizeof p, "ali_order/batch_instance.csv",
	          "i1,M1,j_1,1,Terminated,130,140,m_1,1,1,1,1,1,1\n"
	          "i2,M1,j_1,1,Terminated,104,150,m_1,1,1,1,1,1,1\n"
	          "i3,M1,j_1,1,Terminated,200,201,m_1,1,1,1,1,1,1\n"
	          "i4,M1,j_1,1,Terminated,120,121,m_1,1,1,1,1,1,1\n");
	/* lookahead 40 s: i2 (26 s back) is reordered; i4 comes after i1 (130 s)
	 * was written (i3 at 200 s let it out) and is out of order */
	struct mc_trace_options o;
	mc_trace_options_init(&o);
	o.lookahead = 40 * MC_SEC;
	struct mc_trace_reader *r = open_ok(d, MC_TFMT_ALIBABA2018, &o);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, MC_EPARSE);
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.v[0].time, 104 * MC_SEC);
	assert_int_equal(rs.v[1].time, 130 * MC_SEC);
	snprintf(msg, sizeof msg, "%s", mc_trace_error(r));
	assert_non_null(strstr(msg, "batch_instance.csv:4: start_time 120 is more than the "
	                            "lookahead before later rows"));
	free(rs.v);
	mc_trace_close(r);
}

static void test_alibaba2018_malformed_instance_row_names_file_and_line(void **state)
{
	(void)state;
	char d[300], p[300], msg[600];
	tmp_dir(d, sizeof d, "ali_bad");
	write_tmp(p, sizeof p, "ali_bad/batch_task.csv", "M1,2,j_1,1,Terminated,100,200,100,1\n");
	write_tmp(p, sizeof p, "ali_bad/batch_instance.csv",
	          "i1,M1,j_1,1,Terminated,100,140,m_1,1,1,1,1,1,1\n"
	          "i2,M1,j_1,1,Terminated,100,150,m_1,1,1,1,1,1\n"
	          "i3,M1,j_1,1,Terminated,1e2,150,m_1,1,1,1,1,1,1\n");
	assert_int_equal(bad_file_error(d, MC_TFMT_ALIBABA2018, false, msg, sizeof msg, NULL),
	                 MC_EPARSE);
	assert_non_null(
	    strstr(msg, "batch_instance.csv:2: batch_instance: expected 14 columns, found 13"));
	/* --skip-bad: both bad rows counted, the good one read */
	struct mc_trace_options o;
	mc_trace_options_init(&o);
	o.skip_bad = true;
	struct mc_trace_reader *r = open_ok(d, MC_TFMT_ALIBABA2018, &o);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.v[0].task.duration, 40 * MC_SEC);
	assert_int_equal(
	    count_of(r, "skipped row: batch_instance: expected 14 columns, found 13"), 1);
	assert_int_equal(
	    count_of(r, "skipped row: batch_instance: bad task_name, job_name or start/end time"),
	    1);
	free(rs.v);
	mc_trace_close(r);
}

static void test_alibaba2018_batch_instance_without_batch_task_is_refused(void **state)
{
	(void)state;
	char msg[600];
	struct mc_trace_reader *r = NULL;
	assert_int_equal(mc_trace_open(DATA "/ali_inst/batch_instance.csv", MC_TFMT_ALIBABA2018,
	                               NULL, &r, msg, sizeof msg),
	                 MC_EINVAL);
	assert_null(r);
	assert_non_null(strstr(msg, "batch_instance needs its batch_task table"));
}

/* Cuts the quoted Alibaba 2018 j_3 rows out of shared/data/quoted_real_rows.md
 * into dir/batch_task.csv; returns the number of rows (0: file absent). */
static int quoted_j3_rows(const char *dir, char rows[][96], int max)
{
	FILE *in = fopen(MC_SHARED_DATA_DIR "/quoted_real_rows.md", "r");
	if (!in)
		return 0;
	char line[512], p[400];
	int state = 0, n = 0;
	snprintf(p, sizeof p, "%s/batch_task.csv", dir);
	FILE *out = fopen(p, "w");
	assert_non_null(out);
	while (fgets(line, sizeof line, in) && state < 3) {
		if (state == 0 && !strncmp(line, "## Alibaba cluster-trace-v2018, batch_task", 42))
			state = 1;
		else if (state == 1 && !strncmp(line, "```", 3))
			state = 2;
		else if (state == 2 && !strncmp(line, "```", 3))
			state = 3;
		else if (state == 2 && n < max) {
			fputs(line, out);
			size_t l = strlen(line);
			assert_true(l < 96);
			memcpy(rows[n++], line, l + 1);
		}
	}
	fclose(in);
	fclose(out);
	return n;
}

/* The real j_3 DAG job (14 tasks, 15,819 instances) read task by task, and
 * again with a batch_instance table generated from it (one row per
 * instance, spread over the task's run): same tasks, now one per record,
 * each with its task's DAG edges and request, in time order. */
static void test_alibaba2018_quoted_real_job_reads_the_same_through_its_instances(void **state)
{
	(void)state;
	char d[300], rows[32][96];
	tmp_dir(d, sizeof d, "ali_real");
	int nrows = quoted_j3_rows(d, rows, 32);
	if (nrows == 0)
		skip();
	assert_int_equal(nrows, 14);
	struct mc_trace_reader *r = open_ok(d, MC_TFMT_ALIBABA2018, NULL);
	struct recs whole = read_all(r);
	assert_int_equal(whole.rc, 0);
	assert_int_equal(whole.n, 14);
	assert_int_equal(mc_trace_header(r)->tasks, 15819);
	mc_trace_close(r);

	char p[400];
	snprintf(p, sizeof p, "%s/batch_instance.csv", d);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	for (int i = 0; i < nrows; i++) {
		char name[32], job[8], status[16];
		double inst;
		long start, end;
		assert_int_equal(sscanf(rows[i], "%31[^,],%lf,%7[^,],1,%15[^,],%ld,%ld", name, &inst,
		                        job, status, &start, &end),
		                 6);
		for (long k = 0; k < (long)inst; k++) {
			long s = start + k % (end - start), e = s + 1 + k % 3;
			fprintf(f, "ins_%d_%ld,%s,%s,1,Terminated,%ld,%ld,m_1,1,1,50,60,0.1,0.2\n", i,
			        k, name, job, s, e > end ? end : e);
		}
	}
	fclose(f);
	r = open_ok(d, MC_TFMT_ALIBABA2018, NULL);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	assert_int_equal(rs.n, 15819);
	assert_int_equal(mc_trace_header(r)->tasks, 15819);
	assert_int_equal(count_of(r, "replaced: batch_task row by its batch_instance rows"), 14);
	size_t r13 = 0, m1 = 0;
	static bool m1_index[12846];
	for (size_t i = 0; i < rs.n; i++) {
		const struct mc_trace_task *t = &rs.v[i].task;
		if (i)
			assert_true(rs.v[i].time >= rs.v[i - 1].time);
		assert_int_equal(t->count, 1);
		assert_int_equal(t->job_id, 3);
		assert_int_equal(t->request.q[MC_RES_CPUS], 1000);
		if (t->dag_id == 13) {
			r13++;
			assert_int_equal(t->ndeps, 3);
			assert_int_equal(t->deps[2], 12);
			assert_int_equal(t->request.q[MC_RES_MEM], 511181); /* 0.39% of 128 GiB */
		}
		if (t->dag_id == 1) {
			/* each instance its own index in the task's range */
			uint32_t k = t->task_index - (1u << 20);
			assert_true(k < 12846);
			assert_false(m1_index[k]);
			m1_index[k] = true;
			m1++;
		}
	}
	assert_int_equal(r13, 1);
	assert_int_equal(m1, 12846);
	free(whole.v);
	free(rs.v);
	mc_trace_close(r);
}

/* A replay of an instance-level DAG: M1's two instances (100 s and 50 s)
 * and R2_1's two (10 s and 20 s) all start at trace time 1000 s; R2's must
 * wait for both of M1's, and run for their own durations, not the tasks'
 * (batch_task says 200 s for each). */
static void test_alibaba2018_instance_dag_runs_in_order_in_a_replay(void **state)
{
	(void)state;
	if (!exists(MC_BINARY))
		skip();
	char d[300], p[300], cmd[1500], line[512];
	tmp_dir(d, sizeof d, "ali_run");
	tmp_dir(d, sizeof d, "ali_run/trace");
	write_tmp(p, sizeof p, "ali_run/trace/machine_meta.csv", "m_1,0,1,a,96,100,USING\n");
	write_tmp(p, sizeof p, "ali_run/trace/batch_task.csv",
	          "M1,2,j_1,1,Terminated,1000,1200,100.0,0.3\n"
	          "R2_1,2,j_1,1,Terminated,1000,1200,100.0,0.3\n");
	write_tmp(p, sizeof p, "ali_run/trace/batch_instance.csv",
	          "a,M1,j_1,1,Terminated,1000,1100,m_1,1,1,1,1,1,1\n"
	          "b,M1,j_1,1,Terminated,1000,1050,m_1,1,1,1,1,1,1\n"
	          "c,R2_1,j_1,1,Terminated,1000,1010,m_1,1,1,1,1,1,1\n"
	          "d,R2_1,j_1,1,Terminated,1000,1020,m_1,1,1,1,1,1,1\n");
	write_tmp(p, sizeof p, "ali_run/dag.yaml",
	          "agents: {from_trace: true}\n"
	          "frameworks:\n"
	          "  - name: f\n"
	          "    decision_time: {per_job: 0s, per_task: 0s}\n"
	          "workload:\n"
	          "  trace: {path: trace, format: alibaba2018, map: {default: f}}\n"
	          "outputs: {plots: false, tasks_csv: true}\n");
	tmp_path(d, sizeof d, "ali_run");
	snprintf(cmd, sizeof cmd,
	         "cd '%s' && '%s' run dag.yaml -o out --quiet --no-progress >/dev/null 2>&1 && "
	         "cat out/tasks.csv",
	         d, MC_BINARY);
	FILE *pp = popen(cmd, "r");
	assert_non_null(pp);
	/* rows: framework,job,index,attempt,submit_s,launch_s,end_s,state,... */
	double m1_end = -1, r2_submit = 1e18, m1_run = 0, r2_run = 0;
	int m1 = 0, r2 = 0;
	while (fgets(line, sizeof line, pp)) {
		char fw[32], st[32];
		long job, index;
		int attempt;
		double sub, launch, end;
		if (sscanf(line, "%31[^,],%ld,%ld,%d,%lf,%lf,%lf,%31[^,\n]", fw, &job, &index,
		           &attempt, &sub, &launch, &end, st) != 8)
			continue;
		assert_string_equal(st, "FINISHED");
		if (index >> 20 == 1) {
			m1++;
			m1_end = end > m1_end ? end : m1_end;
			m1_run += end - launch;
		} else {
			r2++;
			r2_submit = sub < r2_submit ? sub : r2_submit;
			r2_run += end - launch;
		}
	}
	assert_int_equal(pclose(pp), 0);
	assert_int_equal(m1, 2);
	assert_int_equal(r2, 2);
	assert_true(r2_submit >= m1_end);
	assert_float_equal(m1_run, 150, 0.1);
	assert_float_equal(r2_run, 30, 0.1);
}

static void test_cli_convert_of_a_bad_batch_instance_exits_nonzero_and_writes_nothing(void **state)
{
	(void)state;
	if (!exists(MC_BINARY))
		skip();
	char d[300], p[300], out[300], cmd[1200];
	tmp_dir(d, sizeof d, "ali_cli");
	write_tmp(p, sizeof p, "ali_cli/batch_task.csv", "M1,2,j_1,1,Terminated,100,200,100,1\n");
	write_tmp(p, sizeof p, "ali_cli/batch_instance.csv",
	          "i1,M1,j_1,1,Terminated,100,140,m_1,1,1,1,1,1,1\n"
	          "i2,M1,j_1,1,Terminated,oops,150,m_1,1,1,1,1,1,1\n");
	tmp_path(out, sizeof out, "ali_cli.msgpack");
	snprintf(cmd, sizeof cmd,
	         "'%s' trace convert '%s' -o '%s' --from alibaba2018 2>'%s/ali_cli.err'",
	         MC_BINARY, d, out, tmpdir);
	assert_true(system(cmd) != 0);
	assert_false(exists(out));
	char line[600] = "";
	snprintf(p, sizeof p, "%s/ali_cli.err", tmpdir);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	assert_non_null(strstr(line, "batch_instance.csv:2: batch_instance: bad task_name"));
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

/* swim_full.tsv (parse-hadoop-jobhistory.pl columns), worked out by hand:
 * job 1: 256 MiB input, 128 MiB shuffle: 2 maps sharing 40 s of map time,
 * 1 reduce with 20 s; job 2 at 1273000010.5 s: 1 map of 3 s; job 3: empty
 * input (read as 0), no task time: 1 map of at least 1 s; job 4: 384 MiB,
 * no map time: 3 maps of 128 MiB at 50 MB/s, no shuffle so no reduce (its
 * 7.5 s of reduce time is dropped and counted). */
static void test_swim_full_trace_is_detected_and_keeps_its_task_seconds(void **state)
{
	(void)state;
	struct mc_trace_reader *r = open_ok(DATA "/swim_full.tsv", MC_TFMT_SWIM, NULL);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	assert_non_null(strstr(mc_trace_header(r)->source, "swim (full trace): "));
	assert_int_equal(rs.n, 5);
	const struct mc_trace_task *m = &rs.v[0].task, *q = &rs.v[1].task;
	assert_int_equal(rs.v[0].time, 1273000000LL * MC_SEC);
	assert_int_equal(m->count, 2);
	assert_int_equal(m->duration, 20 * MC_SEC);
	assert_int_equal(m->job_tasks, 3);
	assert_int_equal(q->job_id, m->job_id);
	assert_int_equal(q->count, 1);
	assert_int_equal(q->task_index, 2);
	assert_int_equal(q->duration, 20 * MC_SEC);
	assert_int_equal(q->dag_id, 2);
	assert_int_equal(q->deps[0], 1);
	assert_int_equal(rs.v[2].time, 1273000010500000LL);
	assert_int_equal(rs.v[2].task.count, 1);
	assert_int_equal(rs.v[2].task.duration, 3 * MC_SEC);
	assert_true(rs.v[2].task.job_id != m->job_id);
	assert_int_equal(rs.v[3].task.duration, MC_SEC);
	assert_int_equal(rs.v[4].time, 1273000025LL * MC_SEC);
	assert_int_equal(rs.v[4].task.count, 3);
	assert_int_equal(rs.v[4].task.duration, 2560 * MC_MSEC);
	assert_int_equal(mc_trace_header(r)->tasks, 2 + 1 + 1 + 1 + 3);
	assert_int_equal(count_of(r, "assumed: empty byte count read as 0"), 1);
	assert_int_equal(
	    count_of(r, "assumed: reduce task time of a job without shuffle bytes dropped"), 1);
	free(rs.v);
	mc_trace_close(r);
}

/* The first rows of FB-2010_samples_24_times_1hr_withInputPaths_0: an input
 * path, an empty output path and a trailing tab (9 columns). */
static void test_swim_samples_with_path_columns_are_read_as_samples(void **state)
{
	(void)state;
	struct mc_trace_reader *r = open_ok(DATA "/swim_paths.tsv", MC_TFMT_SWIM, NULL);
	struct recs rs = read_all(r);
	assert_int_equal(rs.rc, 0);
	assert_non_null(strstr(mc_trace_header(r)->source, "swim (samples): "));
	/* job0: 2267942 B, no shuffle: 1 map; job1: 19.4 GiB in, 11.5 GiB
	 * shuffled: 155 maps, 92 reduces */
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.v[0].time, MC_SEC);
	assert_int_equal(rs.v[0].task.count, 1);
	assert_int_equal(rs.v[1].task.job_id, 1);
	assert_int_equal(rs.v[1].task.count, 155);
	assert_int_equal(rs.v[2].task.count, 92);
	free(rs.v);
	mc_trace_close(r);
}

static void test_swim_full_trace_bad_rows_name_file_and_line(void **state)
{
	(void)state;
	static const char good[] = "job_1\ta\t100\t0\t0\t1000\t5\t3\t0\t3\t1\t0\tx\ty\n";
	static const struct {
		const char *row, *msg;
	} cases[] = {
	    {"job_2\tb\t100\t0\t0\t1001\t5\t3\t0\t3\t1\n",
	     "swim_bad.tsv:2: full trace: expected 12 to 14 tab-separated columns, found 11"},
	    {"job_2\tb\t1x0\t0\t0\t1001\t5\t3\t0\t3\t1\t0\t\t\n",
	     "swim_bad.tsv:2: full trace: job id, byte counts, submit time or task times are not"},
	    {"job_2\tb\t100\t0\t0\t1001\t5\t-3\t0\t3\t1\t0\t\t\n",
	     "swim_bad.tsv:2: full trace: job id, byte counts"},
	    {"job_2\tb\t100\t0\t0\t999\t5\t3\t0\t3\t1\t0\t\t\n",
	     "swim_bad.tsv:2: submit time 999 is before the previous job's (sort by column 6)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char p[300], text[256], msg[600];
		snprintf(text, sizeof text, "%s%s%s", good, cases[i].row, good);
		write_tmp(p, sizeof p, "swim_bad.tsv", text);
		assert_int_equal(bad_file_error(p, MC_TFMT_SWIM, false, msg, sizeof msg, NULL),
		                 MC_EPARSE);
		if (!strstr(msg, cases[i].msg))
			fail_msg("case %zu: %s", i, msg);
		/* skipped with --skip-bad: the two good jobs remain */
		size_t n = 0;
		assert_int_equal(bad_file_error(p, MC_TFMT_SWIM, true, msg, sizeof msg, &n), 0);
		assert_int_equal(n, 2);
	}
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
	    cmocka_unit_test(test_alibaba2018_instances_become_single_tasks_of_their_task),
	    cmocka_unit_test(test_alibaba2018_instance_drops_are_counted_by_reason),
	    cmocka_unit_test(test_alibaba2018_without_batch_instance_tasks_stay_whole),
	    cmocka_unit_test(test_alibaba2018_instance_rows_are_reordered_within_the_lookahead),
	    cmocka_unit_test(test_alibaba2018_malformed_instance_row_names_file_and_line),
	    cmocka_unit_test(test_alibaba2018_batch_instance_without_batch_task_is_refused),
	    cmocka_unit_test(
	        test_alibaba2018_quoted_real_job_reads_the_same_through_its_instances),
	    cmocka_unit_test(test_alibaba2018_instance_dag_runs_in_order_in_a_replay),
	    cmocka_unit_test(
	        test_cli_convert_of_a_bad_batch_instance_exits_nonzero_and_writes_nothing),
	    cmocka_unit_test(test_swim_derives_maps_and_reduces_from_bytes),
	    cmocka_unit_test(test_swim_block_size_option_changes_task_counts),
	    cmocka_unit_test(test_swim_full_trace_is_detected_and_keeps_its_task_seconds),
	    cmocka_unit_test(test_swim_samples_with_path_columns_are_read_as_samples),
	    cmocka_unit_test(test_swim_full_trace_bad_rows_name_file_and_line),
	    cmocka_unit_test(test_convert_then_read_native_gives_the_same_records),
	    cmocka_unit_test(test_cli_convert_of_a_bad_file_exits_nonzero_and_writes_nothing),
	    cmocka_unit_test(test_cli_synth_then_stats_reports_the_generated_counts),
	};
	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
