/*
 * test_config.c - the experiment config loader (sim/config.c) and its YAML
 * helpers: Mesos defaults, durations, errors with file:line:col, `--set`
 * overrides, the JSON echo, and the shipped quickstart experiment.
 *
 * PARKED here until policies/resources.c exists (it links against it);
 * then move it to tests/unit/test_config.c.
 *
 * Fixtures live in tests/unit/data/config/; each bad_*.yaml has exactly one
 * mistake, and the tests check the line and column the message points at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mesocosm/error.h"
#include "sim/config.h"

#define DATA       MC_TEST_DATA_DIR "/unit/data/config/"
#define QUICKSTART MC_TEST_DATA_DIR "/../experiments/quickstart.yaml"

static char errbuf[1024];

static void load_ok(struct mc_config *c, const char *path)
{
	errbuf[0] = '\0';
	int rc = mc_config_load(c, path, errbuf, sizeof errbuf);
	if (rc)
		print_error("%s\n", errbuf);
	assert_int_equal(rc, 0);
}

/* Loads a bad fixture, expects `code` and a message starting with
 * "<fixture>:<line>:<col>: " and containing `needle`. */
static void load_bad(const char *fixture, int code, int line, int col, const char *needle)
{
	struct mc_config c;
	char path[512];
	snprintf(path, sizeof path, DATA "%s", fixture);
	errbuf[0] = '\0';
	int rc = mc_config_load(&c, path, errbuf, sizeof errbuf);
	char want[600];
	snprintf(want, sizeof want, "%s:%d:%d: ", path, line, col);
	if (rc != code || strncmp(errbuf, want, strlen(want)) || !strstr(errbuf, needle))
		print_error("got rc %d, message: %s\nwanted %d, '%s...%s'\n", rc, errbuf, code,
		            want, needle);
	assert_int_equal(rc, code);
	assert_memory_equal(errbuf, want, strlen(want));
	assert_non_null(strstr(errbuf, needle));
	mc_config_release(&c); /* safe after a failed load */
}

/* ---- defaults ------------------------------------------------------------ */

static void test_defaults_are_mesos_defaults(void **state)
{
	struct mc_config c;
	load_ok(&c, DATA "minimal.yaml");
	assert_int_equal(c.allocator.allocation_interval, 1 * MC_SEC);
	assert_string_equal(c.allocator.policy, "hierarchical");
	assert_string_equal(c.allocator.role_sorter, "drf");
	assert_string_equal(c.allocator.framework_sorter, "drf");
	assert_true(c.allocator.filter_gpu_resources);
	assert_int_equal(c.allocator.offer_timeout, 0);
	assert_int_equal(c.master.agent_ping_timeout, 15 * MC_SEC);
	assert_int_equal(c.master.max_agent_ping_timeouts, 5);
	assert_int_equal(c.master.agent_reregister_timeout, 10 * MC_MIN);
	assert_int_equal(c.master.framework_failover_timeout, 0);
	assert_int_equal(c.frameworks[0].refuse, 5 * MC_SEC);
	assert_true(c.frameworks[0].revive_on_new_work);
	assert_false(c.frameworks[0].suppress_when_idle);
	assert_string_equal(c.frameworks[0].role, "*");
	mc_config_release(&c);
}

static void test_min_allocatable_default_is_cpus_or_mem(void **state)
{
	struct mc_config c;
	load_ok(&c, DATA "minimal.yaml");
	assert_int_equal(c.allocator.n_min_allocatable, 2);
	assert_int_equal(c.allocator.min_allocatable[0].q[MC_RES_CPUS], 10);
	assert_int_equal(c.allocator.min_allocatable[0].q[MC_RES_MEM], 0);
	assert_int_equal(c.allocator.min_allocatable[1].q[MC_RES_MEM], 32000);
	assert_int_equal(c.allocator.min_allocatable[1].q[MC_RES_CPUS], 0);
	mc_config_release(&c);
}

static void test_simulator_defaults_fill_unset_keys(void **state)
{
	struct mc_config c;
	load_ok(&c, DATA "minimal.yaml");
	assert_string_equal(c.name, "minimal");
	assert_int_equal(c.seed, 1);
	assert_true(c.duration == MC_TIME_NEVER);
	assert_int_equal(c.max_duration, MC_CONFIG_DEFAULT_MAX_DURATION);
	assert_int_equal(c.sample_interval, 10 * MC_SEC);
	assert_int_equal(c.frameworks[0].t_job, 100 * MC_MSEC);
	assert_int_equal(c.frameworks[0].t_task, 5 * MC_MSEC);
	assert_int_equal(c.frameworks[0].count, 1);
	assert_int_equal(c.frameworks[0].kind, MC_FW_BATCH);
	assert_int_equal(c.network.master_agent.kind, MC_DIST_CONST);
	assert_true(c.network.master_agent.a == 0.0005);
	assert_true(c.network.master_framework.a == 0.001);
	assert_true(c.outputs.timeseries && c.outputs.tasks && c.outputs.plots &&
	            c.outputs.report && !c.outputs.tasks_csv);
	assert_string_equal(c.agent_groups[0].name_prefix, "agent");
	mc_config_release(&c);
}

static void test_synthetic_workload_is_decoded(void **state)
{
	struct mc_config c;
	load_ok(&c, DATA "minimal.yaml");
	const struct mc_config_workload *w = &c.frameworks[0].workload;
	assert_int_equal(w->kind, MC_WORKLOAD_SYNTHETIC);
	assert_int_equal(w->synthetic.arrival.kind, MC_DIST_EXP);
	assert_true(w->synthetic.arrival.a == 10.0);
	assert_int_equal(w->synthetic.jobs, 5);
	assert_true(w->synthetic.task_duration.a == 60.0);
	assert_int_equal(w->synthetic.tasks_per_job.kind, MC_DIST_CONST);
	assert_true(w->synthetic.tasks_per_job.a == 1.0);
	assert_true(w->synthetic.has_task_res[MC_RES_CPUS] &&
	            w->synthetic.has_task_res[MC_RES_MEM]);
	assert_false(w->synthetic.has_task_res[MC_RES_DISK]);
	assert_true(w->synthetic.task_res[MC_RES_MEM].a == 128.0);
	assert_int_equal(c.agent_groups[0].resources.unres.q[MC_RES_MEM], 8192000);
	mc_config_release(&c);
}

/* ---- durations ------------------------------------------------------------ */

static void test_durations_accept_units(void **state)
{
	static const struct {
		const char *text;
		mc_time_t want;
	} cases[] = {{"500ms", 500 * MC_MSEC}, {"1s", MC_SEC},           {"2m", 2 * MC_MIN},
	             {"1h", MC_HOUR},          {"1.5s", 1500 * MC_MSEC}, {"3", 3 * MC_SEC}};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct mc_config c;
		load_ok(&c, DATA "minimal.yaml");
		assert_int_equal(mc_config_set(&c, "allocator.allocation_interval", cases[k].text,
		                               errbuf, sizeof errbuf),
		                 0);
		assert_int_equal(c.allocator.allocation_interval, cases[k].want);
		mc_config_release(&c);
	}
}

/* ---- errors with positions ------------------------------------------------ */

static void test_unknown_top_level_key_is_reported_at_its_line_and_column(void **state)
{
	load_bad("bad_unknown_top.yaml", MC_EPARSE, 4, 1, "unknown key 'bogus' in the top level");
}

static void test_unknown_key_lists_the_allowed_keys(void **state)
{
	load_bad("bad_unknown_top.yaml", MC_EPARSE, 4, 1, "allowed: name, seed, duration");
}

static void test_unknown_nested_key_is_reported_at_its_line_and_column(void **state)
{
	load_bad("bad_unknown_nested.yaml", MC_EPARSE, 3, 3,
	         "unknown key 'refuse_seconds' in allocator");
}

static void test_unknown_key_deep_in_a_framework_names_its_path(void **state)
{
	load_bad("bad_unknown_framework_key.yaml", MC_EPARSE, 8, 7,
	         "unknown key 'per_tsk' in frameworks.0.decision_time");
}

static void test_negative_count_is_a_range_error_at_the_value(void **state)
{
	load_bad("bad_negative_count.yaml", MC_ERANGE, 2, 12, "agents.0.count");
}

static void test_bad_resource_text_points_inside_the_value(void **state)
{
	struct mc_config c;
	int rc = mc_config_load(&c, DATA "bad_resources.yaml", errbuf, sizeof errbuf);
	assert_true(rc == MC_EPARSE || rc == MC_ERANGE);
	const char *p = strstr(errbuf, "bad_resources.yaml:3:");
	assert_non_null(p);
	int col = atoi(p + strlen("bad_resources.yaml:3:"));
	/* The value starts at column 16; the error is at or after it. */
	assert_true(col >= 16 && col <= 31);
	assert_non_null(strstr(errbuf, "agents.0.resources"));
}

static void test_bad_duration_is_reported_at_the_value(void **state)
{
	load_bad("bad_duration.yaml", MC_EPARSE, 4, 23,
	         "master.agent_ping_timeout: bad duration '1 fortnight'");
}

static void test_bad_distribution_points_at_the_bad_argument(void **state)
{
	/* "        arrival: exp(-5s)": the value is at column 18, "-5s" at 22. */
	load_bad("bad_distribution.yaml", MC_ERANGE, 7, 22,
	         "frameworks.0.workload.synthetic.arrival: bad distribution");
}

static void test_yaml_syntax_error_has_a_position(void **state)
{
	struct mc_config c;
	assert_int_equal(mc_config_load(&c, DATA "bad_yaml_syntax.yaml", errbuf, sizeof errbuf),
	                 MC_EPARSE);
	assert_non_null(strstr(errbuf, "bad_yaml_syntax.yaml:3:"));
}

static void test_missing_file_is_an_io_error(void **state)
{
	struct mc_config c;
	assert_int_equal(mc_config_load(&c, DATA "no-such.yaml", errbuf, sizeof errbuf), MC_EIO);
	assert_non_null(strstr(errbuf, "no-such.yaml"));
	mc_config_release(&c);
}

static void test_replica_names_must_not_collide(void **state)
{
	load_bad("bad_duplicate_framework.yaml", MC_EPARSE, 5, 12,
	         "duplicate framework name 'spark-2'");
}

static void test_trace_map_must_name_an_existing_framework(void **state)
{
	load_bad("bad_map_unknown_framework.yaml", MC_EPARSE, 13, 37, "no framework named 'batch'");
}

/* ---- trace workloads ------------------------------------------------------ */

static void test_trace_mapping_resolves_replicas_and_paths(void **state)
{
	struct mc_config c;
	load_ok(&c, DATA "trace_mapped.yaml");
	const struct mc_config_trace *t = &c.workload.trace;
	assert_int_equal(c.workload.kind, MC_WORKLOAD_TRACE);
	assert_true(c.agents_from_trace);
	assert_string_equal(t->path, DATA "traces/google.csv.gz");
	assert_int_equal(t->format, MC_TRACE_GOOGLE2011);
	assert_int_equal(t->map_by, MC_MAP_PRIORITY);
	assert_int_equal(t->nrules, 2);
	assert_true(t->rules[0].lo == 9 && t->rules[0].hi == 11);
	assert_int_equal(t->rules[0].fw_index, 0);
	assert_int_equal(t->rules[1].fw_index, 1);
	assert_int_equal(t->rules[1].fw_replica, 1);
	assert_int_equal(t->map_default_index, 1);
	assert_int_equal(t->map_default_replica, 0);
	assert_true(t->time_scale == 0.5);
	assert_int_equal(t->end, 6 * MC_HOUR);
	assert_int_equal(mc_config_framework_total(&c), 3);
	char name[64];
	mc_config_framework_name(&c, 1, 1, name, sizeof name);
	assert_string_equal(name, "batch-2");
	mc_config_release(&c);
}

/* ---- --set overrides ------------------------------------------------------ */

static void test_set_overrides_a_nested_value(void **state)
{
	struct mc_config c;
	load_ok(&c, DATA "minimal.yaml");
	assert_int_equal(
	    mc_config_set(&c, "frameworks.0.refuse_seconds", "30s", errbuf, sizeof errbuf), 0);
	assert_int_equal(c.frameworks[0].refuse, 30 * MC_SEC);
	assert_int_equal(mc_config_set(&c, "agents.0.count", "7", errbuf, sizeof errbuf), 0);
	assert_int_equal(c.agent_groups[0].count, 7);
	/* Earlier overrides survive later ones. */
	assert_int_equal(c.frameworks[0].refuse, 30 * MC_SEC);
	mc_config_release(&c);
}

static void test_set_creates_missing_sections(void **state)
{
	struct mc_config c;
	load_ok(&c, DATA "minimal.yaml");
	assert_int_equal(mc_config_set(&c, "master.failover.standbys", "2", errbuf, sizeof errbuf),
	                 0);
	assert_int_equal(c.master.failover.standbys, 2);
	assert_int_equal(
	    mc_config_set(&c, "allocator.fair_sharing_excluded", "[gpus]", errbuf, sizeof errbuf),
	    0);
	assert_int_equal(c.allocator.n_fair_sharing_excluded, 1);
	assert_int_equal(c.allocator.fair_sharing_excluded_idx[0], MC_RES_GPUS);
	mc_config_release(&c);
}

static void test_set_rejects_an_unknown_key_naming_the_path(void **state)
{
	struct mc_config c;
	load_ok(&c, DATA "minimal.yaml");
	assert_int_equal(mc_config_set(&c, "allocator.bogus", "1", errbuf, sizeof errbuf),
	                 MC_EPARSE);
	assert_non_null(
	    strstr(errbuf, "--set allocator.bogus=1: unknown key 'bogus' in allocator"));
	mc_config_release(&c);
}

static void test_set_rejects_a_bad_value_and_keeps_the_config(void **state)
{
	struct mc_config c;
	load_ok(&c, DATA "minimal.yaml");
	assert_int_equal(
	    mc_config_set(&c, "allocator.allocation_interval", "soon", errbuf, sizeof errbuf),
	    MC_EPARSE);
	assert_non_null(strstr(errbuf, "--set allocator.allocation_interval=soon: "
	                               "allocator.allocation_interval: bad duration"));
	assert_int_equal(c.allocator.allocation_interval, MC_SEC);
	/* A later good override does not resurrect the rejected one. */
	assert_int_equal(mc_config_set(&c, "seed", "9", errbuf, sizeof errbuf), 0);
	assert_int_equal(c.seed, 9);
	assert_int_equal(c.allocator.allocation_interval, MC_SEC);
	mc_config_release(&c);
}

static void test_set_rejects_an_index_past_the_list(void **state)
{
	struct mc_config c;
	load_ok(&c, DATA "minimal.yaml");
	assert_int_equal(mc_config_set(&c, "frameworks.3.name", "x", errbuf, sizeof errbuf),
	                 MC_EPARSE);
	assert_non_null(strstr(errbuf, "--set frameworks.3.name=x"));
	assert_int_equal(mc_config_set(&c, "seed.x", "1", errbuf, sizeof errbuf), MC_EPARSE);
	mc_config_release(&c);
}

/* ---- echo and helpers ----------------------------------------------------- */

static char *echo(const struct mc_config *c)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(mc_config_echo_json(c, f), 0);
	long n = ftell(f);
	rewind(f);
	char *s = malloc((size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

static void test_echo_writes_every_section_with_seconds(void **state)
{
	struct mc_config c;
	load_ok(&c, DATA "minimal.yaml");
	char *s = echo(&c);
	assert_true(s[0] == '{' && s[strlen(s) - 1] == '}');
	assert_non_null(strstr(s, "\"allocation_interval\":1,"));
	assert_non_null(strstr(s, "\"agent_ping_timeout\":15,"));
	assert_non_null(strstr(s, "\"refuse_seconds\":5,"));
	assert_non_null(strstr(s, "\"per_task\":0.005"));
	assert_non_null(strstr(s, "\"duration\":null"));
	assert_non_null(strstr(s, "\"arrival\":\"exp(10)\""));
	assert_non_null(strstr(s, "\"master_agent\":\"const(0.0005)\""));
	assert_non_null(strstr(s, "\"outputs\":{"));
	free(s);
	mc_config_release(&c);
}

static void test_attribute_templates_expand_per_agent(void **state)
{
	char buf[64];
	mc_config_attr_expand("r{i%10}", 13, buf, sizeof buf);
	assert_string_equal(buf, "r3");
	mc_config_attr_expand("{i/4}-z{i}", 9, buf, sizeof buf);
	assert_string_equal(buf, "2-z9");
	assert_int_equal(mc_config_attr_expand("rack-{i}", 12345, buf, 4), 10);
	assert_string_equal(buf, "rac");
}

/* ---- the shipped experiment ---------------------------------------------- */

static void test_quickstart_loads(void **state)
{
	struct mc_config c;
	load_ok(&c, QUICKSTART);
	assert_string_equal(c.name, "quickstart");
	assert_int_equal(c.seed, 42);
	assert_int_equal(c.duration, MC_HOUR);
	assert_int_equal(mc_config_agent_total(&c), 50);
	assert_int_equal(c.agent_groups[0].resources.unres.q[MC_RES_CPUS], 8000);
	assert_int_equal(c.nframeworks, 3);
	assert_string_equal(c.frameworks[0].role, "analytics");
	assert_string_equal(c.frameworks[1].role, "etl");
	assert_int_equal(c.frameworks[2].kind, MC_FW_SERVICE);
	assert_true(c.frameworks[2].unique_host);
	char *s = echo(&c);
	assert_non_null(strstr(s, "\"seed\":42"));
	free(s);
	mc_config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_are_mesos_defaults),
	    cmocka_unit_test(test_min_allocatable_default_is_cpus_or_mem),
	    cmocka_unit_test(test_simulator_defaults_fill_unset_keys),
	    cmocka_unit_test(test_synthetic_workload_is_decoded),
	    cmocka_unit_test(test_durations_accept_units),
	    cmocka_unit_test(test_unknown_top_level_key_is_reported_at_its_line_and_column),
	    cmocka_unit_test(test_unknown_key_lists_the_allowed_keys),
	    cmocka_unit_test(test_unknown_nested_key_is_reported_at_its_line_and_column),
	    cmocka_unit_test(test_unknown_key_deep_in_a_framework_names_its_path),
	    cmocka_unit_test(test_negative_count_is_a_range_error_at_the_value),
	    cmocka_unit_test(test_bad_resource_text_points_inside_the_value),
	    cmocka_unit_test(test_bad_duration_is_reported_at_the_value),
	    cmocka_unit_test(test_bad_distribution_points_at_the_bad_argument),
	    cmocka_unit_test(test_yaml_syntax_error_has_a_position),
	    cmocka_unit_test(test_missing_file_is_an_io_error),
	    cmocka_unit_test(test_replica_names_must_not_collide),
	    cmocka_unit_test(test_trace_map_must_name_an_existing_framework),
	    cmocka_unit_test(test_trace_mapping_resolves_replicas_and_paths),
	    cmocka_unit_test(test_set_overrides_a_nested_value),
	    cmocka_unit_test(test_set_creates_missing_sections),
	    cmocka_unit_test(test_set_rejects_an_unknown_key_naming_the_path),
	    cmocka_unit_test(test_set_rejects_a_bad_value_and_keeps_the_config),
	    cmocka_unit_test(test_set_rejects_an_index_past_the_list),
	    cmocka_unit_test(test_echo_writes_every_section_with_seconds),
	    cmocka_unit_test(test_attribute_templates_expand_per_agent),
	    cmocka_unit_test(test_quickstart_loads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
