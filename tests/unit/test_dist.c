/*
 * test_dist.c - the distribution parser, GSL-backed sampling and means
 * (include/mesocosm/dist.h, sim/dist.c).
 *
 * Sample means use a fixed seed and enough draws that the tolerance is
 * several standard errors wide, so the tests are deterministic and a
 * swapped GSL parameter order (pareto, weibull) fails them.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "mesocosm/dist.h"
#include "mesocosm/error.h"

#define DATA MC_TEST_DATA_DIR "/unit/data/config"

/* A generator whose every uniform draw is the value stored in its state,
 * for exact inverse-CDF checks. */
struct fixed_state {
	double u;
};
static void fixed_set(void *state, unsigned long seed)
{
	((struct fixed_state *)state)->u = (double)seed / 1e6;
}
static unsigned long fixed_get(void *state)
{
	return (unsigned long)(((struct fixed_state *)state)->u * 4294967295.0);
}
static double fixed_get_double(void *state)
{
	return ((struct fixed_state *)state)->u;
}
static const gsl_rng_type fixed_type = {
    "fixed", 4294967295UL, 0, sizeof(struct fixed_state), fixed_set, fixed_get, fixed_get_double};

static double draw_fixed(const struct mc_dist *d, double u)
{
	gsl_rng *r = gsl_rng_alloc(&fixed_type);
	((struct fixed_state *)r->state)->u = u;
	double x = mc_dist_sample(d, r);
	gsl_rng_free(r);
	return x;
}

static double sample_mean(const struct mc_dist *d, int n, double *minv)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 12345);
	double sum = 0, mn = INFINITY;
	for (int i = 0; i < n; i++) {
		double x = mc_dist_sample(d, r);
		sum += x;
		if (x < mn)
			mn = x;
	}
	gsl_rng_free(r);
	if (minv)
		*minv = mn;
	return sum / n;
}

static struct mc_dist parse_ok(const char *text, int flags)
{
	struct mc_dist d;
	struct mc_parse_error e = {0};
	int rc = mc_dist_parse(&d, text, flags, DATA, &e);
	if (rc)
		print_error("parse of '%s' failed: %s (col %d)\n", text, e.msg, e.col);
	assert_int_equal(rc, 0);
	return d;
}

static int parse_fail(const char *text, int flags, struct mc_parse_error *e)
{
	struct mc_dist d;
	memset(e, 0, sizeof *e);
	int rc = mc_dist_parse(&d, text, flags, DATA, e);
	assert_true(rc < 0);
	assert_true(e->msg[0] != '\0');
	return rc;
}

/* ---- parsing ------------------------------------------------------------- */

static void test_bare_number_is_a_constant(void **state)
{
	struct mc_dist d = parse_ok(" 5 ", MC_DIST_PLAIN);
	assert_int_equal(d.kind, MC_DIST_CONST);
	assert_true(d.a == 5.0);
}

static void test_parameters_are_stored_in_text_order(void **state)
{
	struct mc_dist d = parse_ok("weibull( 20 , 0.7 )", MC_DIST_PLAIN);
	assert_int_equal(d.kind, MC_DIST_WEIBULL);
	assert_true(d.a == 20.0 && d.b == 0.7);
	d = parse_ok("pareto(1.5, 10)", MC_DIST_PLAIN);
	assert_int_equal(d.kind, MC_DIST_PARETO);
	assert_true(d.a == 1.5 && d.b == 10.0);
}

static void test_unknown_family_is_reported_at_its_column(void **state)
{
	struct mc_parse_error e;
	assert_int_equal(parse_fail("  gamma(2, 3)", MC_DIST_PLAIN, &e), MC_EPARSE);
	assert_int_equal(e.col, 3);
	assert_non_null(strstr(e.msg, "gamma"));
}

static void test_bad_argument_is_reported_at_its_column(void **state)
{
	struct mc_parse_error e;
	assert_int_equal(parse_fail("uniform(1, x)", MC_DIST_PLAIN, &e), MC_EPARSE);
	assert_int_equal(e.col, 12);
}

static void test_missing_parenthesis_is_a_parse_error(void **state)
{
	struct mc_parse_error e;
	assert_int_equal(parse_fail("exp(30", MC_DIST_PLAIN, &e), MC_EPARSE);
	assert_int_equal(e.col, 7);
	assert_int_equal(parse_fail("exp 30", MC_DIST_PLAIN, &e), MC_EPARSE);
	assert_int_equal(e.col, 5);
}

static void test_wrong_argument_count_is_a_parse_error(void **state)
{
	struct mc_parse_error e;
	assert_int_equal(parse_fail("exp(1, 2)", MC_DIST_PLAIN, &e), MC_EPARSE);
	assert_int_equal(e.col, 8);
	assert_int_equal(parse_fail("normal(1)", MC_DIST_PLAIN, &e), MC_EPARSE);
	assert_int_equal(parse_fail("exp()", MC_DIST_PLAIN, &e), MC_EPARSE);
}

static void test_trailing_text_is_a_parse_error(void **state)
{
	struct mc_parse_error e;
	assert_int_equal(parse_fail("exp(3) x", MC_DIST_PLAIN, &e), MC_EPARSE);
	assert_int_equal(e.col, 8);
}

static void test_out_of_domain_parameters_are_range_errors(void **state)
{
	struct mc_parse_error e;
	assert_int_equal(parse_fail("exp(-1)", MC_DIST_PLAIN, &e), MC_ERANGE);
	assert_int_equal(e.col, 5);
	assert_int_equal(parse_fail("exp(0)", MC_DIST_PLAIN, &e), MC_ERANGE);
	assert_int_equal(parse_fail("uniform(4, 1)", MC_DIST_PLAIN, &e), MC_ERANGE);
	assert_int_equal(e.col, 12);
	assert_int_equal(parse_fail("uniform(2, 2)", MC_DIST_PLAIN, &e), MC_ERANGE);
	assert_int_equal(parse_fail("normal(10, -2)", MC_DIST_PLAIN, &e), MC_ERANGE);
	assert_int_equal(parse_fail("lognormal(3, -1)", MC_DIST_PLAIN, &e), MC_ERANGE);
	assert_int_equal(parse_fail("pareto(0, 10)", MC_DIST_PLAIN, &e), MC_ERANGE);
	assert_int_equal(parse_fail("weibull(20, 0)", MC_DIST_PLAIN, &e), MC_ERANGE);
	assert_int_equal(parse_fail("-3", MC_DIST_PLAIN, &e), MC_ERANGE);
}

/* ---- time units ---------------------------------------------------------- */

static void test_time_values_accept_units_and_are_seconds(void **state)
{
	struct mc_dist d = parse_ok("exp(30s)", MC_DIST_TIME);
	assert_true(d.a == 30.0);
	d = parse_ok("const(500ms)", MC_DIST_TIME);
	assert_true(fabs(d.a - 0.5) < 1e-12);
	d = parse_ok("2m", MC_DIST_TIME);
	assert_true(d.a == 120.0);
	d = parse_ok("uniform(1ms, 1h)", MC_DIST_TIME);
	assert_true(fabs(d.a - 0.001) < 1e-12 && d.b == 3600.0);
	d = parse_ok("weibull(2m, 0.5)", MC_DIST_TIME);
	assert_true(d.a == 120.0 && d.b == 0.5);
}

static void test_time_without_unit_is_seconds(void **state)
{
	struct mc_dist d = parse_ok("exp(30)", MC_DIST_TIME);
	assert_true(d.a == 30.0);
}

static void test_units_are_rejected_on_shapes_and_plain_values(void **state)
{
	struct mc_parse_error e;
	assert_int_equal(parse_fail("exp(30s)", MC_DIST_PLAIN, &e), MC_EPARSE);
	assert_int_equal(parse_fail("weibull(20, 5s)", MC_DIST_TIME, &e), MC_EPARSE);
	assert_int_equal(e.col, 14);
	assert_int_equal(parse_fail("lognormal(3s, 1)", MC_DIST_TIME, &e), MC_EPARSE);
	assert_int_equal(parse_fail("exp(3parsecs)", MC_DIST_TIME, &e), MC_EPARSE);
}

static void test_negative_time_is_a_range_error(void **state)
{
	struct mc_parse_error e;
	assert_int_equal(parse_fail("const(-5ms)", MC_DIST_TIME, &e), MC_ERANGE);
	assert_int_equal(e.col, 7);
}

/* ---- sampling and means -------------------------------------------------- */

static void check_mean(const char *text, double expect, double rel_tol)
{
	struct mc_dist d = parse_ok(text, MC_DIST_PLAIN);
	assert_true(fabs(mc_dist_mean(&d) - expect) <= 1e-9 * fabs(expect) + 1e-12);
	double m = sample_mean(&d, 200000, NULL);
	if (fabs(m - expect) > rel_tol * expect)
		print_error("%s: sample mean %g, expected %g\n", text, m, expect);
	assert_true(fabs(m - expect) <= rel_tol * expect);
	mc_dist_release(&d);
}

static void test_exponential_sample_mean_matches(void **state)
{
	check_mean("exp(30)", 30, 0.01);
}

static void test_uniform_sample_mean_matches(void **state)
{
	check_mean("uniform(1, 4)", 2.5, 0.01);
}

static void test_lognormal_sample_mean_matches(void **state)
{
	check_mean("lognormal(1, 0.5)", exp(1 + 0.125), 0.01);
}

static void test_pareto_is_shape_then_scale(void **state)
{
	/* shape 3, scale 10: mean 15, never below 10. Swapped, the mean would
	 * be 3 * 10/9 and draws would go down to 3. */
	check_mean("pareto(3, 10)", 15, 0.02);
	struct mc_dist d = parse_ok("pareto(3, 10)", MC_DIST_PLAIN);
	double mn;
	sample_mean(&d, 10000, &mn);
	assert_true(mn >= 10.0);
}

static void test_weibull_is_scale_then_shape(void **state)
{
	check_mean("weibull(20, 0.7)", 20 * gsl_sf_gamma(1 + 1 / 0.7), 0.02);
}

static void test_normal_is_clamped_at_zero(void **state)
{
	struct mc_dist d = parse_ok("normal(0, 1)", MC_DIST_PLAIN);
	double mn;
	double m = sample_mean(&d, 200000, &mn);
	assert_true(mn == 0.0);
	/* E[max(X,0)] for a standard normal is 1/sqrt(2 pi). */
	assert_true(fabs(mc_dist_mean(&d) - 0.3989422804) < 1e-9);
	assert_true(fabs(m - 0.3989422804) < 0.01);
}

static void test_heavy_pareto_has_no_mean(void **state)
{
	struct mc_dist d = parse_ok("pareto(1, 10)", MC_DIST_PLAIN);
	assert_true(isnan(mc_dist_mean(&d)));
}

static void test_constant_always_draws_its_value(void **state)
{
	struct mc_dist d = parse_ok("const(7)", MC_DIST_PLAIN);
	double mn;
	assert_true(sample_mean(&d, 100, &mn) == 7.0 && mn == 7.0);
}

/* ---- empirical ----------------------------------------------------------- */

static void test_empirical_inverse_cdf_interpolates(void **state)
{
	struct mc_dist d = parse_ok("empirical(empirical.csv)", MC_DIST_PLAIN);
	assert_int_equal(d.kind, MC_DIST_EMPIRICAL);
	assert_int_equal(d.n, 3);
	assert_true(fabs(draw_fixed(&d, 0.25) - 5.0) < 1e-12);
	assert_true(fabs(draw_fixed(&d, 0.75) - 15.0) < 1e-12);
	assert_true(fabs(draw_fixed(&d, 0.5) - 10.0) < 1e-12);
	assert_true(fabs(draw_fixed(&d, 0.0) - 0.0) < 1e-12);
	assert_true(fabs(mc_dist_mean(&d) - 10.0) < 1e-12);
	assert_true(fabs(sample_mean(&d, 100000, NULL) - 10.0) < 0.1);
	mc_dist_release(&d);
}

static void test_empirical_time_values_accept_units(void **state)
{
	struct mc_dist d = parse_ok("empirical(empirical_time.csv)", MC_DIST_TIME);
	/* Mass 0.5 at 1 ms, then linear to 3 ms. */
	assert_true(fabs(draw_fixed(&d, 0.3) - 0.001) < 1e-12);
	assert_true(fabs(draw_fixed(&d, 0.75) - 0.002) < 1e-12);
	assert_true(fabs(mc_dist_mean(&d) - 0.0015) < 1e-12);
	mc_dist_release(&d);
}

static void test_empirical_rejects_decreasing_values_naming_the_line(void **state)
{
	struct mc_parse_error e;
	assert_int_equal(parse_fail("empirical(empirical_unsorted.csv)", MC_DIST_PLAIN, &e),
	                 MC_ERANGE);
	assert_non_null(strstr(e.msg, "empirical_unsorted.csv:3"));
	assert_int_equal(e.col, 11);
}

static void test_empirical_must_end_at_probability_one(void **state)
{
	struct mc_parse_error e;
	assert_int_equal(parse_fail("empirical(empirical_short.csv)", MC_DIST_PLAIN, &e),
	                 MC_ERANGE);
}

static void test_empirical_missing_file_is_an_io_error(void **state)
{
	struct mc_parse_error e;
	assert_int_equal(parse_fail("empirical(no-such-file.csv)", MC_DIST_PLAIN, &e), MC_EIO);
	assert_non_null(strstr(e.msg, "no-such-file.csv"));
}

/* ---- formatting ---------------------------------------------------------- */

static void test_format_gives_canonical_text(void **state)
{
	char buf[128];
	struct mc_dist d = parse_ok("weibull( 20 ,0.7)", MC_DIST_PLAIN);
	mc_dist_format(&d, buf, sizeof buf);
	assert_string_equal(buf, "weibull(20, 0.7)");
	d = parse_ok("const(500ms)", MC_DIST_TIME);
	mc_dist_format(&d, buf, sizeof buf);
	assert_string_equal(buf, "const(0.5)");
	d = parse_ok("empirical( empirical.csv )", MC_DIST_PLAIN);
	mc_dist_format(&d, buf, sizeof buf);
	assert_string_equal(buf, "empirical(empirical.csv)");
	mc_dist_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bare_number_is_a_constant),
	    cmocka_unit_test(test_parameters_are_stored_in_text_order),
	    cmocka_unit_test(test_unknown_family_is_reported_at_its_column),
	    cmocka_unit_test(test_bad_argument_is_reported_at_its_column),
	    cmocka_unit_test(test_missing_parenthesis_is_a_parse_error),
	    cmocka_unit_test(test_wrong_argument_count_is_a_parse_error),
	    cmocka_unit_test(test_trailing_text_is_a_parse_error),
	    cmocka_unit_test(test_out_of_domain_parameters_are_range_errors),
	    cmocka_unit_test(test_time_values_accept_units_and_are_seconds),
	    cmocka_unit_test(test_time_without_unit_is_seconds),
	    cmocka_unit_test(test_units_are_rejected_on_shapes_and_plain_values),
	    cmocka_unit_test(test_negative_time_is_a_range_error),
	    cmocka_unit_test(test_exponential_sample_mean_matches),
	    cmocka_unit_test(test_uniform_sample_mean_matches),
	    cmocka_unit_test(test_lognormal_sample_mean_matches),
	    cmocka_unit_test(test_pareto_is_shape_then_scale),
	    cmocka_unit_test(test_weibull_is_scale_then_shape),
	    cmocka_unit_test(test_normal_is_clamped_at_zero),
	    cmocka_unit_test(test_heavy_pareto_has_no_mean),
	    cmocka_unit_test(test_constant_always_draws_its_value),
	    cmocka_unit_test(test_empirical_inverse_cdf_interpolates),
	    cmocka_unit_test(test_empirical_time_values_accept_units),
	    cmocka_unit_test(test_empirical_rejects_decreasing_values_naming_the_line),
	    cmocka_unit_test(test_empirical_must_end_at_probability_one),
	    cmocka_unit_test(test_empirical_missing_file_is_an_io_error),
	    cmocka_unit_test(test_format_gives_canonical_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
