/*
 * test_validate.c - reduced versions of the validation experiments
 * (docs/validation.md): the Mesos paper's §4 model and agent failures, run
 * through the ordinary runner and read back from the run directory, plus
 * the config's `failures` key.
 *
 * Tolerances. Per-run relations are deterministic consequences of the
 * model (a gang launches when its last slot frees; an elastic job's
 * completion follows its slots' residuals) and are checked within the
 * control-plane overheads (allocation interval 5 ms, network 0.5-1 ms per
 * hop). Means over seeds are checked within 3 standard errors of the
 * expectation (sd of one run: max of k U(0,T) has sd about T/k; max of k
 * Exp(T) has sd T sqrt(sum 1/i^2) ~ 1.26 T), so a correct model fails such
 * a check with probability about 0.3 %, and for a given build the seeds
 * make every result deterministic.
 */
#include <math.h>
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
#include "sim/rundir.h"
#include "sim/validate.h"

static int setup(void **st)
{
	char *dir = malloc(4096);
	if (!dir || mc__validate_tmpdir(dir, 4096)) {
		free(dir);
		return -1;
	}
	*st = dir;
	return 0;
}

static int teardown(void **st)
{
	mc_rundir_remove_tree(*st);
	free(*st);
	return 0;
}

static double harmonic(int k)
{
	double h = 0;
	for (int i = k; i >= 1; i--)
		h += 1.0 / i;
	return h;
}

static struct mc__ramp_params small(enum mc__ramp_case c, int k, double beta)
{
	struct mc__ramp_params p;
	mc__ramp_defaults(&p, c);
	p.k = k;
	p.beta = beta;
	return p;
}

/* ---- the paper's table ------------------------------------------------------- */

static void test_expected_values_reproduce_the_paper_table_at_k_100(void **st)
{
	(void)st;
	struct mc__ramp_params p;
	struct mc__ramp_expect paper, exact;
	mc__ramp_defaults(&p, MC__RAMP_ELASTIC_CONST);
	mc__ramp_expected(&p, &paper, &exact);
	assert_float_equal(paper.ramp, 30.0, 1e-9);
	assert_float_equal(paper.completion, 315.0, 1e-9);
	assert_float_equal(paper.util, 1.0, 1e-9);
	assert_float_equal(exact.ramp, 3000.0 / 101.0, 1e-9);
	p.kase = MC__RAMP_ELASTIC_EXP;
	mc__ramp_expected(&p, &paper, &exact);
	assert_float_equal(paper.ramp, 155.62, 0.01);
	assert_float_equal(paper.completion, 330.0, 1e-9);
	p.kase = MC__RAMP_RIGID_CONST;
	mc__ramp_expected(&p, &paper, &exact);
	assert_float_equal(paper.completion, 330.0, 1e-9);
	assert_float_equal(paper.util, 10.0 / 10.5, 1e-9);
	p.kase = MC__RAMP_RIGID_EXP;
	mc__ramp_expected(&p, &paper, &exact);
	assert_float_equal(paper.ramp, 155.62, 0.01);
	assert_float_equal(paper.completion, 455.62, 0.01);
	assert_float_equal(paper.util, 10.0 / 14.187, 0.0005);
}

/* ---- per-run mechanics ---------------------------------------------------------- */

static void test_gang_launches_when_its_last_slot_frees_and_runs_beta_T(void **st)
{
	struct mc__ramp_params p = small(MC__RAMP_RIGID_EXP, 30, 2.0);
	char err[1024] = "";
	for (int s = 1; s <= 5; s++) {
		p.seed = (uint64_t)s;
		struct mc__ramp_run r;
		int rc = mc__ramp_run_one(&p, *st, &r, err, sizeof err);
		if (rc)
			fail_msg("%s", err);
		/* the last background task ends, its slot is offered at the next
		 * allocation run, the gang launches: within 20 ms */
		assert_true(r.ramp >= r.max_resid);
		assert_true(r.ramp - r.max_resid < 0.020);
		/* then every task runs beta T (plus a few ms of messages) */
		assert_true(r.completion - r.ramp >= p.beta * p.T);
		assert_true(r.completion - r.ramp < p.beta * p.T + 0.010);
	}
}

static void test_elastic_job_ends_as_divisible_work_from_its_residuals(void **st)
{
	/* constant durations: every residual is below T, so every slot frees
	 * while the job still runs (with Exp(T) and a small beta some would
	 * not, and the paper's formula assumes they do) */
	struct mc__ramp_params p = small(MC__RAMP_ELASTIC_CONST, 30, 3.0);
	char err[1024] = "";
	for (int s = 1; s <= 3; s++) {
		p.seed = (uint64_t)s;
		struct mc__ramp_run r;
		int rc = mc__ramp_run_one(&p, *st, &r, err, sizeof err);
		if (rc)
			fail_msg("%s", err);
		/* beta T + mean residual + tau/2 (the last tasks' tail); each
		 * 1.5 s task also waits ~6 ms for its slot to come back through
		 * the master (90 tasks per slot here): allow 1 % */
		double expect = p.beta * p.T + r.mean_resid + p.T / p.pieces / 2;
		assert_float_equal(r.completion, expect, 0.01 * expect);
		/* it holds every slot from the moment it frees */
		assert_true(r.ramp >= r.max_resid && r.ramp - r.max_resid < 0.020);
		/* and wastes almost nothing of them */
		assert_true(r.useful / r.held > 0.98);
		assert_true(r.useful / r.held <= 1.0);
	}
}

/* ---- means over seeds ----------------------------------------------------------- */

static void test_constant_durations_give_ramp_up_k_over_k_plus_1_T(void **st)
{
	struct mc__ramp_params p = small(MC__RAMP_RIGID_CONST, 30, 1.0);
	struct mc__ramp_summary s;
	char err[1024] = "";
	int seeds = 40;
	if (mc__ramp_series(&p, seeds, *st, &s, err, sizeof err))
		fail_msg("%s", err);
	double want = 30.0 / 31.0 * p.T;
	/* sd of the max of k U(0,T) is T sqrt(k/((k+1)^2 (k+2))) ~ 0.93 s:
	 * 3 SE ~ 0.45 s, plus 20 ms of overhead */
	double se = p.T * sqrt(30.0 / (31.0 * 31.0 * 32.0)) / sqrt(seeds);
	assert_float_equal(s.ramp_mean, want + 0.010, 3 * se + 0.010);
}

static void test_exponential_durations_give_ramp_up_H_k_T(void **st)
{
	struct mc__ramp_params p = small(MC__RAMP_RIGID_EXP, 20, 0.5);
	struct mc__ramp_summary s;
	char err[1024] = "";
	int seeds = 120;
	if (mc__ramp_series(&p, seeds, *st, &s, err, sizeof err))
		fail_msg("%s", err);
	double sum_sq = 0;
	for (int i = 1; i <= 20; i++)
		sum_sq += 1.0 / ((double)i * i);
	double se = p.T * sqrt(sum_sq) / sqrt(seeds); /* ~3.4 s */
	assert_float_equal(s.ramp_mean, harmonic(20) * p.T, 3 * se);
	/* not ln k: with k = 20 they differ by 17 s, 5 SE */
	assert_true(fabs(s.ramp_mean - log(20.0) * p.T) > fabs(s.ramp_mean - harmonic(20) * p.T));
}

static void test_rigid_constant_utilization_is_beta_over_half_plus_beta(void **st)
{
	struct mc__ramp_params p = small(MC__RAMP_RIGID_CONST, 30, 2.0);
	struct mc__ramp_summary s;
	struct mc__ramp_expect paper, exact;
	char err[1024] = "";
	if (mc__ramp_series(&p, 20, *st, &s, err, sizeof err))
		fail_msg("%s", err);
	mc__ramp_expected(&p, &paper, &exact);
	/* exact: beta / (beta + k/(k+1) - 1/2) = 0.8105; one run's idle time
	 * varies by ~T/sqrt(12 k) per slot: 1 % is > 5 SE */
	assert_float_equal(s.util, exact.util, 0.01);
	assert_float_equal(s.util, paper.util, 0.05 * paper.util);
}

/* ---- agent failure ----------------------------------------------------------------- */

static void failure_run(void **st, struct mc__failure_report *r)
{
	struct mc__failure_params p;
	mc__failure_defaults(&p);
	p.agents = 50;
	p.jobs = 80;
	p.at = 5 * MC_MIN;
	char err[1024] = "";
	if (mc__failure_run(&p, NULL, *st, r, err, sizeof err))
		fail_msg("%s", err);
}

static void test_accounting_identity_holds_at_every_sample_after_agent_failure(void **st)
{
	struct mc__failure_report r;
	failure_run(st, &r);
	assert_true(r.rows_checked > 10);
	assert_int_equal(r.rows_bad, 0);
	assert_true(r.identity_end);
	assert_true(r.complete);
}

static void test_lost_tasks_are_reported_after_five_missed_pings(void **st)
{
	struct mc__failure_report r;
	failure_run(st, &r);
	assert_int_equal(r.agents_failed, 5); /* 10 % of 50, all busy at 5 min */
	assert_true(r.lost > 0);
	/* 5 misses x 15 s, after the first unanswered ping: (75, 90] s, plus
	 * the 1 ms master -> framework hop */
	assert_true(r.detect_min > 75.0);
	assert_true(r.detect_max <= 90.002);
}

static void test_workload_completes_after_agent_failure_by_resubmitting_lost_tasks(void **st)
{
	struct mc__failure_report r;
	failure_run(st, &r);
	assert_int_equal(r.jobs_completed, r.jobs_submitted);
	assert_int_equal(r.resubmitted, r.lost); /* one failure: one resubmission each */
	assert_int_equal(r.pending_end + r.running_end, 0);
	assert_int_equal(r.submitted, r.finished + r.lost);
}

/* ---- the `failures` config key -------------------------------------------------------- */

static int load_text(const char *dir, const char *text, struct mc_config *c, char *err, size_t n)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/cfg.yaml", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return mc_config_load(c, path, err, n);
}

#define BASE                                                                                       \
	"agents: [{count: 40, resources: \"cpus:1;mem:1024\"}]\n"                                  \
	"frameworks: [{name: a, workload: {synthetic: {arrival: 1s, jobs: 1, task_duration: 1s, "  \
	"task_resources: {cpus: 1}}}}]\n"

static void test_failure_with_unknown_key_is_rejected_at_its_position(void **st)
{
	struct mc_config c;
	char err[1024] = "";
	int rc =
	    load_text(*st, BASE "failures:\n  - at: 10m\n    fracton: 0.1\n", &c, err, sizeof err);
	assert_int_equal(rc, MC_EPARSE);
	assert_non_null(strstr(err, "cfg.yaml:5:"));
	assert_non_null(strstr(err, "fracton"));
}

static void test_failure_needs_exactly_one_way_to_choose_agents(void **st)
{
	struct mc_config c;
	char err[1024] = "";
	int rc = load_text(*st, BASE "failures: [{at: 10m, fraction: 0.1, count: 3}]\n", &c, err,
	                   sizeof err);
	assert_int_equal(rc, MC_EPARSE);
	assert_non_null(strstr(err, "exactly one"));
	rc = load_text(*st, BASE "failures: [{at: 10m, agents: \"30-45\"}]\n", &c, err, sizeof err);
	assert_int_equal(rc, MC_ERANGE);
	assert_non_null(strstr(err, "failures.0.agents"));
}

static void test_failed_agents_depend_only_on_the_seed(void **st)
{
	struct mc_config c;
	char err[1024] = "";
	int rc = load_text(*st,
	                   BASE "failures: [{at: 10m, fraction: 0.1}, {at: 1h, agents: "
	                        "\"3,7-8\", recover_after: 5m}]\n",
	                   &c, err, sizeof err);
	if (rc)
		fail_msg("%s", err);
	int32_t a[40], b[40], x[40];
	assert_int_equal(mc__failure_choose(&c, 0, 40, a), 4);
	assert_int_equal(mc__failure_choose(&c, 0, 40, b), 4);
	assert_memory_equal(a, b, sizeof a[0] * 4);
	for (int i = 1; i < 4; i++)
		assert_true(a[i] > a[i - 1]);
	assert_int_equal(c.failures[1].recover_after, 5 * MC_MIN);
	assert_int_equal(mc__failure_choose(&c, 1, 40, x), 3);
	assert_int_equal(x[0], 3);
	assert_int_equal(x[1], 7);
	assert_int_equal(x[2], 8);
	c.seed = 2;
	mc__failure_choose(&c, 0, 40, b);
	assert_true(memcmp(a, b, sizeof a[0] * 4) != 0);
	mc_config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_expected_values_reproduce_the_paper_table_at_k_100),
	    cmocka_unit_test_setup_teardown(
	        test_gang_launches_when_its_last_slot_frees_and_runs_beta_T, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_elastic_job_ends_as_divisible_work_from_its_residuals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_constant_durations_give_ramp_up_k_over_k_plus_1_T,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exponential_durations_give_ramp_up_H_k_T, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_rigid_constant_utilization_is_beta_over_half_plus_beta, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_accounting_identity_holds_at_every_sample_after_agent_failure, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(test_lost_tasks_are_reported_after_five_missed_pings,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_workload_completes_after_agent_failure_by_resubmitting_lost_tasks, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_failure_with_unknown_key_is_rejected_at_its_position, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failure_needs_exactly_one_way_to_choose_agents,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_agents_depend_only_on_the_seed, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
