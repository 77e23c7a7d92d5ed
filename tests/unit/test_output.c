/*
 * test_output.c - the run directory's writers: the JSON number rule, the
 * JSON reader's error positions, the atomic run directory (never left
 * behind on failure, replaced only with force and only if it is a run
 * directory), and a whole run's files from mc_output_write_run().
 */
#include <dirent.h>
#include <math.h>
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
#include "sim/cli.h"
#include "sim/json.h"
#include "sim/metrics.h"
#include "sim/rundir.h"

static const char *fmt(double x)
{
	static char buf[64];
	mc_json_format_real(x, buf, sizeof buf);
	return buf;
}

static void test_reals_are_rounded_to_six_significant_digits_without_exponent(void **st)
{
	(void)st;
	assert_string_equal(fmt(3600.0), "3600.0");
	assert_string_equal(fmt(2.0 / 3.0), "0.666667");
	assert_string_equal(fmt(2592000.0), "2592000.0");
	assert_string_equal(fmt(0.000005), "0.000005");
	assert_string_equal(fmt(1234567.0), "1234570.0");
	assert_string_equal(fmt(9.9999996), "10.0");
	assert_string_equal(fmt(-0.25), "-0.25");
}

static void test_reals_outside_the_plain_range_use_an_exponent_and_nan_is_null(void **st)
{
	(void)st;
	assert_string_equal(fmt(1.5e-7), "1.5e-07");
	assert_string_equal(fmt(1.5e15), "1.5e+15");
	assert_string_equal(fmt(-0.0), "0.0");
	assert_string_equal(fmt(NAN), "null");
	assert_string_equal(fmt(INFINITY), "null");
}

static void test_json_writer_nests_and_escapes(void **st)
{
	(void)st;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mc_json j;
	mc_json_init(&j, f);
	mc_json_begin_object(&j);
	mc_json_key(&j, "a\"b");
	mc_json_begin_array(&j);
	mc_json_int(&j, -3);
	mc_json_begin_object(&j);
	mc_json_end_object(&j);
	mc_json_end_array(&j);
	mc_json_key(&j, "s");
	mc_json_string(&j, "x\ny");
	mc_json_end_object(&j);
	assert_int_equal(mc_json_finish(&j), 0);
	fclose(f);
	assert_string_equal(buf, "{\n  \"a\\\"b\": [\n    -3,\n    {}\n  ],\n  \"s\": \"x\\ny\"\n}\n");
	free(buf);
}

static void test_json_reader_finds_nested_values(void **st)
{
	(void)st;
	const char *text = "{\"tasks\": {\"finished\": 12, \"x\": [1, \"\\u00e9\"]}, \"ok\": true}";
	struct mc_json_doc doc;
	char msg[128];
	int line, col;
	assert_int_equal(mc_json_parse(&doc, text, strlen(text), &line, &col, msg, sizeof msg), 0);
	const struct mc_json_value *v = mc_json_path(doc.root, "tasks.finished");
	assert_non_null(v);
	assert_true(v->num == 12.0);
	v = mc_json_path(doc.root, "tasks.x");
	assert_string_equal(v->child->next->str, "\xc3\xa9");
	assert_int_equal(mc_json_get(doc.root, "ok")->type, MC_JSON_TRUE);
	assert_null(mc_json_path(doc.root, "tasks.missing"));
	mc_json_doc_release(&doc);
}

static void test_json_reader_reports_line_and_column_of_an_error(void **st)
{
	(void)st;
	const char *text = "{\n  \"a\": 1,\n  \"b\": tru\n}";
	struct mc_json_doc doc;
	char msg[128];
	int line = 0, col = 0;
	assert_int_equal(mc_json_parse(&doc, text, strlen(text), &line, &col, msg, sizeof msg),
			 MC_EPARSE);
	assert_int_equal(line, 3);
	assert_int_equal(col, 8);
	assert_null(doc.root);
}

static void test_json_reader_rejects_truncated_and_deep_input(void **st)
{
	(void)st;
	struct mc_json_doc doc;
	char msg[128];
	int line, col;
	assert_int_equal(mc_json_parse(&doc, "{\"a\": [1, 2", 11, &line, &col, msg, sizeof msg),
			 MC_EPARSE);
	char deep[200];
	memset(deep, '[', sizeof deep);
	assert_int_equal(mc_json_parse(&doc, deep, sizeof deep, &line, &col, msg, sizeof msg),
			 MC_EPARSE);
	assert_int_equal(mc_json_parse(&doc, "1 2", 3, &line, &col, msg, sizeof msg), MC_EPARSE);
	assert_int_equal(col, 3);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void touch(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{}\n", f);
	fclose(f);
}

static void test_aborted_run_directory_leaves_nothing_behind(void **st)
{
	(void)st;
	char parent[] = "/tmp/mc-test-rundir-XXXXXX";
	assert_non_null(mkdtemp(parent));
	char target[256];
	snprintf(target, sizeof target, "%s/run", parent);
	struct mc_rundir rd;
	assert_int_equal(mc_rundir_create(&rd, target, false), 0);
	touch(mc_rundir_path(&rd), "summary.json");
	char sub[512];
	snprintf(sub, sizeof sub, "%s/plots", mc_rundir_path(&rd));
	mkdir(sub, 0777);
	touch(sub, "x.png");
	assert_int_equal(count_entries(parent), 1); /* only the hidden temporary */
	mc_rundir_abort(&rd);
	assert_int_equal(count_entries(parent), 0);
	rmdir(parent);
}

static void test_committed_run_directory_appears_under_its_name(void **st)
{
	(void)st;
	char parent[] = "/tmp/mc-test-rundir-XXXXXX";
	assert_non_null(mkdtemp(parent));
	char target[256], file[300];
	snprintf(target, sizeof target, "%s/run/", parent); /* trailing slash is fine */
	struct mc_rundir rd;
	assert_int_equal(mc_rundir_create(&rd, target, false), 0);
	touch(mc_rundir_path(&rd), "summary.json");
	assert_int_equal(mc_rundir_commit(&rd), 0);
	snprintf(file, sizeof file, "%s/run/summary.json", parent);
	assert_int_equal(access(file, R_OK), 0);
	assert_int_equal(count_entries(parent), 1);
	mc_rundir_remove_tree(parent);
}

static void test_existing_run_directory_is_replaced_only_with_force(void **st)
{
	(void)st;
	char parent[] = "/tmp/mc-test-rundir-XXXXXX";
	assert_non_null(mkdtemp(parent));
	char target[256], file[300];
	snprintf(target, sizeof target, "%s/run", parent);
	mkdir(target, 0777);
	touch(target, "summary.json");
	touch(target, "old-marker");
	struct mc_rundir rd;
	assert_int_equal(mc_rundir_create(&rd, target, false), MC_EEXIST);
	assert_int_equal(mc_rundir_create(&rd, target, true), 0);
	touch(mc_rundir_path(&rd), "summary.json");
	assert_int_equal(mc_rundir_commit(&rd), 0);
	snprintf(file, sizeof file, "%s/old-marker", target);
	assert_int_not_equal(access(file, F_OK), 0); /* the old run is gone */
	assert_int_equal(count_entries(target), 1);
	assert_int_equal(count_entries(parent), 1); /* no .old or .tmp left */
	mc_rundir_remove_tree(parent);
}

static void test_force_refuses_to_replace_a_directory_that_is_not_a_run(void **st)
{
	(void)st;
	char parent[] = "/tmp/mc-test-rundir-XXXXXX";
	assert_non_null(mkdtemp(parent));
	char target[256];
	snprintf(target, sizeof target, "%s/home", parent);
	mkdir(target, 0777);
	touch(target, "precious.txt");
	struct mc_rundir rd;
	assert_int_equal(mc_rundir_create(&rd, target, true), MC_EEXIST);
	assert_int_equal(count_entries(target), 1);
	assert_int_equal(count_entries(parent), 1);
	mc_rundir_remove_tree(parent);
}

static void test_write_run_writes_summary_perf_timeseries_and_tasks(void **st)
{
	(void)st;
	char parent[] = "/tmp/mc-test-rundir-XXXXXX";
	assert_non_null(mkdtemp(parent));
	char target[256];
	snprintf(target, sizeof target, "%s/run", parent);
	struct mc_rundir rd;
	assert_int_equal(mc_rundir_create(&rd, target, false), 0);
	struct mc_metrics *m;
	struct mc_metrics_params p = {.dir = mc_rundir_path(&rd), .timeseries = true, .tasks = true,
				      .tasks_csv = true, .sample_interval = MC_SEC};
	assert_int_equal(mc_metrics_new(&m, &p), 0);
	mc_metrics_add_framework(m, "f", mc_role_intern("r", 1));
	struct mc_resvec tot = {{0}}, req = {{0}};
	tot.q[MC_RES_CPUS] = 4000;
	tot.q[MC_RES_MEM] = 4000;
	req.q[MC_RES_CPUS] = 1000;
	mc_metrics_agent_added(m, 0, &tot);
	mc_metrics_start(m, 0);
	mc_metrics_task_submitted(m, 0, 0, 0, 0, NULL);
	mc_metrics_task_launched(m, 500000, 0, 0, NULL);
	mc_metrics_allocated(m, 500000, 0, &req, 1);
	struct mc_task_record r = {.framework = 0, .agent = 0, .submit = 0, .launch = 500000,
				   .end = 2500000, .state = MC_TASK_FINISHED, .req = req};
	mc_metrics_task_ended(m, 2500000, &r);
	mc_metrics_allocated(m, 2500000, 0, &req, -1);
	assert_int_equal(mc_metrics_finish(m, 3 * MC_SEC), 0);
	struct mc_run_info info = {.complete = true, .experiment = "t", .seed = 1, .policy = "drf",
				   .plots = false, .report = true, .wall_seconds = 0.5, .events = 10};
	assert_int_equal(mc_output_write_run(m, mc_rundir_path(&rd), &info), 0);
	mc_metrics_free(m);
	assert_int_equal(mc_rundir_commit(&rd), 0);
	const char *files[] = {"summary.json", "perf.json", "timeseries.csv", "tasks.msgpack",
			       "tasks.csv", "report.html"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", target, files[i]);
		assert_int_equal(access(path, R_OK), 0);
	}
	char path[512], line[256];
	snprintf(path, sizeof path, "%s/tasks.csv", target);
	FILE *f = fopen(path, "r");
	assert_non_null(fgets(line, sizeof line, f));
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	assert_string_equal(line, "f,0,0,0,0.000000,0.500000,2.500000,FINISHED,0,1.000,0.000\n");
	mc_rundir_remove_tree(parent);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_compare_rejects_a_malformed_summary_and_reads_a_good_one(void **st)
{
	(void)st;
	char dir[] = "/tmp/mc-test-compare-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[300];
	snprintf(path, sizeof path, "%s/summary.json", dir);
	char *argv[] = {"compare", dir, NULL};
	write_text(path, "{\"schema\": \"mesocosm.summary/1\", \"tasks\": {\"finished\": }}");
	assert_int_equal(mc__cmd_compare(2, argv), 2);
	write_text(path, "{\"schema\": \"other/1\"}");
	assert_int_equal(mc__cmd_compare(2, argv), 2);
	write_text(path, "{\"schema\": \"mesocosm.summary/1\", \"tasks\": {\"finished\": 3}}");
	assert_int_equal(mc__cmd_compare(2, argv), 0);
	mc_rundir_remove_tree(dir);
}

static void test_plots_are_drawn_when_gnuplot_exists_or_skipped_with_a_note(void **st)
{
	(void)st;
	char dir[] = "/tmp/mc-test-plots-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct mc_metrics *m;
	struct mc_metrics_params p = {.dir = dir, .timeseries = true, .sample_interval = MC_SEC};
	assert_int_equal(mc_metrics_new(&m, &p), 0);
	mc_metrics_add_framework(m, "f", mc_role_intern("r", 1));
	struct mc_resvec tot = {{0}}, req = {{0}};
	tot.q[MC_RES_CPUS] = 4000;
	tot.q[MC_RES_MEM] = 4000;
	req.q[MC_RES_CPUS] = 1000;
	mc_metrics_agent_added(m, 0, &tot);
	mc_metrics_start(m, 0);
	for (int i = 0; i < 5; i++) {
		mc_metrics_task_submitted(m, i * MC_SEC, 0, i, 0, NULL);
		mc_metrics_task_launched(m, i * MC_SEC + 1000 * (i + 1), 0, i * MC_SEC, NULL);
		mc_metrics_allocated(m, i * MC_SEC + 1000 * (i + 1), 0, &req, 1);
	}
	mc_metrics_job_completed(m, 6 * MC_SEC, 0, 0, 5, 0);
	assert_int_equal(mc_metrics_finish(m, 8 * MC_SEC), 0);
	struct mc_run_info info = {.complete = true, .experiment = "p", .seed = 1, .policy = "drf",
				   .plots = true, .report = true};
	assert_int_equal(mc_output_write_run(m, dir, &info), 0);
	mc_metrics_free(m);
	char path[300];
	snprintf(path, sizeof path, "%s/plots/utilization.png", dir);
	bool drawn = access(path, R_OK) == 0;
	snprintf(path, sizeof path, "%s/perf.json", dir);
	FILE *f = fopen(path, "r");
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	if (drawn) {
		assert_non_null(strstr(buf, "\"plots\": \"written\""));
		snprintf(path, sizeof path, "%s/plots/delay_cdf.svg", dir);
		assert_int_equal(access(path, R_OK), 0);
	} else {
		assert_non_null(strstr(buf, "\"plots\": \"skipped: "));
	}
	mc_rundir_remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reals_are_rounded_to_six_significant_digits_without_exponent),
		cmocka_unit_test(test_reals_outside_the_plain_range_use_an_exponent_and_nan_is_null),
		cmocka_unit_test(test_json_writer_nests_and_escapes),
		cmocka_unit_test(test_json_reader_finds_nested_values),
		cmocka_unit_test(test_json_reader_reports_line_and_column_of_an_error),
		cmocka_unit_test(test_json_reader_rejects_truncated_and_deep_input),
		cmocka_unit_test(test_aborted_run_directory_leaves_nothing_behind),
		cmocka_unit_test(test_committed_run_directory_appears_under_its_name),
		cmocka_unit_test(test_existing_run_directory_is_replaced_only_with_force),
		cmocka_unit_test(test_force_refuses_to_replace_a_directory_that_is_not_a_run),
		cmocka_unit_test(test_write_run_writes_summary_perf_timeseries_and_tasks),
		cmocka_unit_test(test_compare_rejects_a_malformed_summary_and_reads_a_good_one),
		cmocka_unit_test(test_plots_are_drawn_when_gnuplot_exists_or_skipped_with_a_note),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
