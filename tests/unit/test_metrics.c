/*
 * test_metrics.c - the metrics collector against figures computed by hand:
 * the DRF paper's example, time-weighting across uneven sample intervals,
 * histogram percentiles within their documented error, starvation episodes,
 * the accounting identity, and a scripted run's summary.json byte for byte
 * (tests/unit/data/metrics/scripted.summary.json; regenerate after an
 * intended change with MC_UPDATE_EXPECTED=1).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mesocosm/error.h"
#include "sim/json.h"
#include "sim/metrics_int.h"
#include "sim/rundir.h"

static struct mc_resvec rv(double cpus, double mem)
{
	struct mc_resvec v;
	mc_resvec_clear(&v);
	v.q[MC_RES_CPUS] = mc_milli_from_double(cpus);
	v.q[MC_RES_MEM] = mc_milli_from_double(mem);
	return v;
}

static int32_t role(const char *name) { return mc_role_intern(name, strlen(name)); }

static struct mc_metrics *collector(mc_time_t interval)
{
	struct mc_metrics *m;
	struct mc_metrics_params p = {.sample_interval = interval};
	assert_int_equal(mc_metrics_new(&m, &p), 0);
	return m;
}

static void test_drf_paper_example_gives_full_cpus_seven_ninths_memory_and_equal_shares(void **st)
{
	(void)st;
	struct mc_metrics *m = collector(10 * MC_SEC);
	assert_int_equal(mc_metrics_add_framework(m, "A", role("a")), 0);
	assert_int_equal(mc_metrics_add_framework(m, "B", role("b")), 1);
	struct mc_resvec cluster = rv(9, 18), a = rv(3, 12), b = rv(6, 2);
	mc_metrics_agent_added(m, 0, &cluster);
	assert_int_equal(mc_metrics_start(m, 0), 0);
	/* Both users have more work waiting, so both count in Jain's index. */
	mc_metrics_task_submitted(m, 0, 0, 1, 0, NULL);
	mc_metrics_task_submitted(m, 0, 1, 1, 0, NULL);
	mc_metrics_allocated(m, 0, 0, &a, +1);
	mc_metrics_allocated(m, 0, 1, &b, +1);
	assert_int_equal(mc_metrics_finish(m, 100 * MC_SEC), 0);

	assert_true(fabs(mc__util_mean(m, 0, 0) - 1.0) < 1e-12);        /* cpus 9/9 */
	assert_true(fabs(mc__util_mean(m, 1, 0) - 14.0 / 18.0) < 1e-12); /* mem 14/18 */
	assert_true(fabs(m->fws[0].share - 2.0 / 3.0) < 1e-12);          /* A: 12/18 mem */
	assert_true(fabs(m->fws[1].share - 2.0 / 3.0) < 1e-12);          /* B: 6/9 cpus */
	assert_true(fabs(mc__fw_share_mean(m, 0) - 2.0 / 3.0) < 1e-12);
	assert_true(fabs(m->jain_run / m->jain_run_t - 1.0) < 1e-12);
	mc_metrics_free(m);
}

static void test_jain_index_of_unequal_shares_is_below_one(void **st)
{
	(void)st;
	struct mc_metrics *m = collector(10 * MC_SEC);
	mc_metrics_add_framework(m, "A", role("a"));
	mc_metrics_add_framework(m, "B", role("b"));
	struct mc_resvec cluster = rv(10, 100), a = rv(6, 0), b = rv(2, 0);
	struct mc_resvec want_a = rv(4, 0), want_b = rv(8, 0);
	mc_metrics_agent_added(m, 0, &cluster);
	mc_metrics_start(m, 0);
	mc_metrics_task_submitted(m, 0, 0, 1, 0, &want_a);
	mc_metrics_task_submitted(m, 0, 1, 1, 0, &want_b);
	mc_metrics_allocated(m, 0, 0, &a, +1);
	mc_metrics_allocated(m, 0, 1, &b, +1);
	mc_metrics_finish(m, 10 * MC_SEC);
	/* shares 0.6 and 0.2: (0.8)^2 / (2 x 0.40) = 0.8 */
	assert_true(fabs(m->jain_run / m->jain_run_t - 0.8) < 1e-12);
	/* demands 10 and 10 cpus on 10: progressive filling gives 0.5 each, so
	 * B is 0.3 short and A is not short */
	assert_true(fabs(m->deficit_max_run / m->jain_run_t - 0.3) < 1e-12);
	mc_metrics_free(m);
}

static void test_drf_ideal_gives_a_small_demand_all_it_asks_and_the_rest_to_others(void **st)
{
	(void)st;
	struct mc_metrics *m = collector(10 * MC_SEC);
	mc_metrics_add_framework(m, "A", role("a"));
	mc_metrics_add_framework(m, "B", role("b"));
	struct mc_resvec cluster = rv(10, 100), a = rv(6, 0), b = rv(2, 0);
	struct mc_resvec want_a = rv(4, 0), want_b = rv(1, 0);
	mc_metrics_agent_added(m, 0, &cluster);
	mc_metrics_start(m, 0);
	mc_metrics_task_submitted(m, 0, 0, 1, 0, &want_a);
	mc_metrics_task_submitted(m, 0, 1, 1, 0, &want_b);
	mc_metrics_allocated(m, 0, 0, &a, +1);
	mc_metrics_allocated(m, 0, 1, &b, +1);
	mc_metrics_finish(m, 10 * MC_SEC);
	/* B wants 3 cpus in all: its ideal is 0.3 (demand met); A's is the other
	 * 0.7. Both are 0.1 below their ideal (an equal split would have said
	 * B is 0.3 short). */
	assert_true(fabs(m->roles[m->fws[0].role_ix].ideal - 0.7) < 1e-12);
	assert_true(fabs(m->roles[m->fws[1].role_ix].ideal - 0.3) < 1e-12);
	assert_true(fabs(m->deficit_max_run / m->jain_run_t - 0.1) < 1e-12);
	mc_metrics_free(m);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	size_t got = fread(s, 1, (size_t)n, f);
	s[got] = '\0';
	fclose(f);
	return s;
}

static void test_time_weighting_across_uneven_sample_intervals(void **st)
{
	(void)st;
	char dir[] = "/tmp/mc-test-metrics-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct mc_metrics *m;
	struct mc_metrics_params p = {.dir = dir, .timeseries = true, .sample_interval = 10 * MC_SEC};
	assert_int_equal(mc_metrics_new(&m, &p), 0);
	mc_metrics_add_framework(m, "f", role("a"));
	struct mc_resvec cluster = rv(10, 100), five = rv(5, 0), ten = rv(10, 0);
	mc_metrics_agent_added(m, 0, &cluster);
	mc_metrics_start(m, 0);
	mc_metrics_allocated(m, 3 * MC_SEC, 0, &five, +1);  /* 0.5 from 3 s */
	mc_metrics_allocated(m, 17 * MC_SEC, 0, &five, -1); /* 0 from 17 s */
	mc_metrics_allocated(m, 25 * MC_SEC, 0, &ten, +1);  /* 1.0 from 25 s */
	assert_int_equal(mc_metrics_finish(m, 28 * MC_SEC), 0);
	/* (14 s x 0.5 + 3 s x 1.0) / 28 s */
	assert_true(fabs(mc__util_mean(m, 0, 0) - 10.0 / 28.0) < 1e-12);

	char path[128];
	snprintf(path, sizeof path, "%s/timeseries.csv", dir);
	mc_metrics_free(m);
	char *csv = slurp(path);
	assert_non_null(csv);
	const char *expect =
		"time_s,agents,cpus_total,cpus_allocated_frac,cpus_offered_unused_frac,cpus_used_frac,"
		"mem_total,mem_allocated_frac,mem_offered_unused_frac,mem_used_frac,"
		"tasks_pending,tasks_running,jain_index,fw_f_share_frac,role_a_share_frac\n"
		"0.000000,1,10,0.35,0,,100,0,0,,0,0,,0.35,0.35\n"   /* 7 s x 0.5 / 10 s */
		"10.000000,1,10,0.35,0,,100,0,0,,0,0,,0.35,0.35\n"  /* 7 s x 0.5 / 10 s */
		"20.000000,1,10,0.375,0,,100,0,0,,0,0,,0.375,0.375\n"; /* 3 s x 1 / 8 s */
	assert_string_equal(csv, expect);
	free(csv);
	assert_int_equal(mc_rundir_remove_tree(dir), 0);
}

static void test_percentiles_of_a_uniform_distribution_are_within_documented_error(void **st)
{
	(void)st;
	struct mc__lat l;
	mc__lat_init(&l);
	/* 1 us .. 1 s, each once: the true p-quantile is p x 1e6 us. */
	for (int64_t us = 1; us <= 1000000; us++)
		mc__lat_add(&l, us);
	const double ps[] = {0.5, 0.9, 0.99};
	for (int i = 0; i < 3; i++) {
		double truth = ps[i] * 1e6;
		double got = mc__lat_quantile_us(&l, ps[i]);
		assert_true(fabs(got - truth) / truth <= 1.0 / 64.0);
	}
	assert_true(fabs(mc__lat_mean_s(&l) - 0.5000005) < 1e-9);
	assert_int_equal(l.max, 1000000);
	mc__lat_release(&l);
}

static void test_percentiles_below_64_microseconds_are_exact(void **st)
{
	(void)st;
	struct mc__lat l;
	mc__lat_init(&l);
	for (int64_t us = 1; us <= 10; us++)
		mc__lat_add(&l, us);
	assert_true(mc__lat_quantile_us(&l, 0.5) == 5.0);  /* nearest rank 5 */
	assert_true(mc__lat_quantile_us(&l, 0.9) == 9.0);
	assert_true(mc__lat_quantile_us(&l, 0.99) == 10.0);
	mc__lat_release(&l);
}

static void test_histogram_buckets_tile_the_line_without_gaps(void **st)
{
	(void)st;
	int64_t prev_hi = 0;
	for (int i = 0; i < MC__HIST_BUCKETS; i++) {
		int64_t lo, hi;
		mc__hist_bounds(i, &lo, &hi);
		assert_int_equal(lo, prev_hi);
		assert_int_equal(mc__hist_index(lo), i);
		assert_int_equal(mc__hist_index(hi - 1), i);
		prev_hi = hi;
		if (i == MC__HIST_BUCKETS - 1)
			break;
	}
}

static void test_starvation_episodes_count_long_gaps_without_offers(void **st)
{
	(void)st;
	struct mc_metrics *m;
	struct mc_metrics_params p = {.sample_interval = 10 * MC_SEC,
				      .starvation_threshold = 30 * MC_SEC};
	assert_int_equal(mc_metrics_new(&m, &p), 0);
	mc_metrics_add_framework(m, "f", role("a"));
	struct mc_resvec cluster = rv(10, 100), o = rv(1, 1);
	mc_metrics_agent_added(m, 0, &cluster);
	mc_metrics_start(m, 0);
	mc_metrics_task_submitted(m, 0, 0, 1, 0, NULL);
	mc_metrics_offer_made(m, 10 * MC_SEC, 0, &o); /* gap 10 s: too short */
	mc_metrics_offer_ended(m, 11 * MC_SEC, 0, &o, 10 * MC_SEC, MC_OFFER_DECLINED);
	mc_metrics_offer_made(m, 60 * MC_SEC, 0, &o); /* gap 50 s: an episode */
	mc_metrics_offer_ended(m, 60 * MC_SEC, 0, &o, 60 * MC_SEC, MC_OFFER_ACCEPTED);
	mc_metrics_task_launched(m, 60 * MC_SEC, 0, 0, NULL); /* not pending any more */
	mc_metrics_task_submitted(m, 100 * MC_SEC, 0, 2, 0, NULL);
	mc_metrics_finish(m, 200 * MC_SEC); /* open gap of 100 s: an episode */
	assert_int_equal(m->fws[0].starve_episodes, 2);
	assert_int_equal(m->fws[0].starve_longest, 100 * MC_SEC);
	assert_int_equal(m->fws[0].starve_total, 150 * MC_SEC);
	assert_int_equal(m->offer_resp.n, 2);
	mc_metrics_free(m);
}

static void end_task(struct mc_metrics *m, mc_time_t t, int32_t fw, mc_time_t submit, mc_time_t launch,
		     enum mc_task_end how)
{
	struct mc_task_record r = {.framework = fw, .agent = launch == MC_TIME_NEVER ? -1 : 0,
				   .job = 1, .submit = submit, .launch = launch, .end = t,
				   .state = how, .req = rv(1, 10)};
	mc_metrics_task_ended(m, t, &r);
}

/* The scripted sequence shared by the identity and the golden summary. */
static void scripted(struct mc_metrics *m)
{
	mc_metrics_add_framework(m, "batch", role("analytics"));
	mc_metrics_add_framework(m, "web", role("services"));
	mc_metrics_set_role_weight(m, role("services"), 2.0);
	struct mc_resvec agent = rv(4, 8192), task = rv(1, 1024), offer = rv(4, 8192);
	mc_metrics_agent_added(m, 0, &agent);
	mc_metrics_agent_added(m, 0, &agent);
	mc_metrics_start(m, 0);
	mc_metrics_job_submitted(m, 0, 0, 1, 3);
	for (uint32_t i = 0; i < 3; i++)
		mc_metrics_task_submitted(m, 0, 0, 1, i, NULL);
	mc_metrics_job_submitted(m, MC_SEC, 1, 1, 1);
	mc_metrics_task_submitted(m, MC_SEC, 1, 1, 0, NULL);
	mc_metrics_alloc_run(m, MC_SEC, 200);
	mc_metrics_offer_made(m, MC_SEC, 0, &offer);
	mc_metrics_offer_made(m, MC_SEC, 1, &offer);
	mc_metrics_framework_busy(m, MC_SEC + 1000, 0, true);
	mc_metrics_framework_busy(m, 1500000, 0, false);
	mc_metrics_offer_ended(m, 2 * MC_SEC, 0, &offer, MC_SEC, MC_OFFER_ACCEPTED);
	for (int i = 0; i < 2; i++) {
		mc_metrics_task_launched(m, 2 * MC_SEC, 0, 0, NULL);
		mc_metrics_allocated(m, 2 * MC_SEC, 0, &task, +1);
	}
	mc_metrics_job_first_launch(m, 2 * MC_SEC, 0, 0);
	mc_metrics_offer_ended(m, 2500000, 1, &offer, MC_SEC, MC_OFFER_DECLINED);
	mc_metrics_messages(m, 3 * MC_SEC, 12);
	/* one finishes, one fails; the third is killed while pending */
	end_task(m, 12 * MC_SEC, 0, 0, 2 * MC_SEC, MC_TASK_FINISHED);
	mc_metrics_allocated(m, 12 * MC_SEC, 0, &task, -1);
	end_task(m, 15 * MC_SEC, 0, 0, 2 * MC_SEC, MC_TASK_FAILED);
	mc_metrics_allocated(m, 15 * MC_SEC, 0, &task, -1);
	end_task(m, 16 * MC_SEC, 0, 0, MC_TIME_NEVER, MC_TASK_KILLED);
	mc_metrics_job_completed(m, 16 * MC_SEC, 0, 1, 3, 0);
	/* the web task is resubmitted after the failure of a launched attempt */
	mc_metrics_offer_made(m, 20 * MC_SEC, 1, &offer);
	mc_metrics_offer_ended(m, 20 * MC_SEC, 1, &offer, 20 * MC_SEC, MC_OFFER_ACCEPTED);
	mc_metrics_task_launched(m, 20 * MC_SEC, 1, MC_SEC, NULL);
	mc_metrics_allocated(m, 20 * MC_SEC, 1, &task, +1);
	end_task(m, 25 * MC_SEC, 1, MC_SEC, 20 * MC_SEC, MC_TASK_LOST);
	mc_metrics_allocated(m, 25 * MC_SEC, 1, &task, -1);
	mc_metrics_task_submitted(m, 25 * MC_SEC, 1, 1, 0, NULL);
	mc_metrics_finish(m, 40 * MC_SEC);
}

static void test_accounting_identity_holds_after_a_scripted_run(void **st)
{
	(void)st;
	struct mc_metrics *m = collector(10 * MC_SEC);
	scripted(m);
	struct mc_metrics_counts c;
	mc_metrics_get_counts(m, &c);
	assert_int_equal(c.submitted, 5);
	assert_int_equal(c.pending, 1);
	assert_int_equal(c.running, 0);
	assert_int_equal(c.submitted, c.ended[MC_TASK_FINISHED] + c.ended[MC_TASK_FAILED] +
					      c.ended[MC_TASK_KILLED] + c.ended[MC_TASK_LOST] +
					      c.pending + c.running);
	mc_metrics_free(m);
}

static int write_config(struct mc_json *j, void *arg)
{
	(void)arg;
	mc_json_begin_object(j);
	mc_json_key(j, "seed");
	mc_json_int(j, 7);
	mc_json_end_object(j);
	return 0;
}

static void test_summary_of_a_scripted_run_matches_the_expected_file(void **st)
{
	(void)st;
	struct mc_metrics *m = collector(10 * MC_SEC);
	scripted(m);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mc_run_info info = {.complete = true, .experiment = "scripted", .seed = 7,
				   .policy = "drf", .write_config = write_config};
	assert_int_equal(mc_output_summary(m, f, &info), 0);
	fclose(f);
	const char *path = MC_TEST_DATA_DIR "/unit/data/metrics/scripted.summary.json";
	if (getenv("MC_UPDATE_EXPECTED")) {
		FILE *o = fopen(path, "w");
		assert_non_null(o);
		fwrite(buf, 1, len, o);
		fclose(o);
	}
	char *expect = slurp(path);
	assert_non_null(expect);
	assert_string_equal(buf, expect);
	free(expect);
	free(buf);
	mc_metrics_free(m);
}

static void test_hooks_accept_a_null_collector(void **st)
{
	(void)st;
	struct mc_resvec q = rv(1, 1);
	mc_metrics_agent_added(NULL, 0, &q);
	mc_metrics_task_submitted(NULL, 0, 0, 0, 0, NULL);
	mc_metrics_allocated(NULL, 0, 0, &q, 1);
	assert_int_equal(mc_metrics_framework_count(NULL), 0);
}

static void test_frameworks_cannot_be_added_after_start(void **st)
{
	(void)st;
	struct mc_metrics *m = collector(MC_SEC);
	mc_metrics_start(m, 0);
	assert_int_equal(mc_metrics_add_framework(m, "late", role("a")), MC_ESTATE);
	mc_metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drf_paper_example_gives_full_cpus_seven_ninths_memory_and_equal_shares),
		cmocka_unit_test(test_jain_index_of_unequal_shares_is_below_one),
		cmocka_unit_test(test_drf_ideal_gives_a_small_demand_all_it_asks_and_the_rest_to_others),
		cmocka_unit_test(test_time_weighting_across_uneven_sample_intervals),
		cmocka_unit_test(test_percentiles_of_a_uniform_distribution_are_within_documented_error),
		cmocka_unit_test(test_percentiles_below_64_microseconds_are_exact),
		cmocka_unit_test(test_histogram_buckets_tile_the_line_without_gaps),
		cmocka_unit_test(test_starvation_episodes_count_long_gaps_without_offers),
		cmocka_unit_test(test_accounting_identity_holds_after_a_scripted_run),
		cmocka_unit_test(test_summary_of_a_scripted_run_matches_the_expected_file),
		cmocka_unit_test(test_hooks_accept_a_null_collector),
		cmocka_unit_test(test_frameworks_cannot_be_added_after_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
