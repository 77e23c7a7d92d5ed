/*
 * test_resources.c - Mesos resource notation, fixed-point quantities, role
 * interning and bag arithmetic (include/mesocosm/resources.h,
 * policies/resources.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mesocosm/error.h"
#include "mesocosm/resources.h"

static struct mc_resources parse_ok(const char *text)
{
	struct mc_resources r;
	struct mc_parse_error err = {0};
	int rc = mc_resources_parse(&r, text, &err);
	if (rc)
		fail_msg("parse of '%s' failed: %d %s", text, err.col, err.msg);
	return r;
}

static void test_scalars_parse_to_thousandths(void **st)
{
	(void)st;
	struct mc_resources r = parse_ok("cpus:2.5;mem:1024;disk:0.001");
	assert_int_equal(r.unres.q[MC_RES_CPUS], 2500);
	assert_int_equal(r.unres.q[MC_RES_MEM], 1024000);
	assert_int_equal(r.unres.q[MC_RES_DISK], 1);
	assert_int_equal(r.nresv, 0);
}

static void test_half_a_thousandth_rounds_up_and_less_rounds_down(void **st)
{
	(void)st;
	struct mc_resources r = parse_ok("cpus:0.0005;mem:0.0004");
	assert_int_equal(r.unres.q[MC_RES_CPUS], 1);
	assert_int_equal(r.unres.q[MC_RES_MEM], 0);
	assert_int_equal(mc_milli_from_double(0.0015), 2);
}

static void test_zero_valued_entries_vanish(void **st)
{
	(void)st;
	struct mc_resources r = parse_ok("cpus:0;mem(r1):0");
	assert_true(mc_resources_is_empty(&r));
	assert_true(mc_resources_is_empty(&(struct mc_resources){0}));
	struct mc_resources e = parse_ok("");
	assert_true(mc_resources_is_empty(&e));
}

static void test_reservations_are_kept_per_role(void **st)
{
	(void)st;
	struct mc_resources r = parse_ok("cpus:2;mem:1024;cpus(role1):100;mem(role1):1024");
	int32_t role1 = mc_role_lookup("role1", 5);
	assert_true(role1 > 0);
	assert_int_equal(r.unres.q[MC_RES_CPUS], 2000);
	const struct mc_resvec *v = mc_resources_reserved(&r, role1);
	assert_non_null(v);
	assert_int_equal(v->q[MC_RES_CPUS], 100000);
	assert_int_equal(v->q[MC_RES_MEM], 1024000);
	struct mc_resvec sum;
	mc_resources_sum(&r, &sum);
	assert_int_equal(sum.q[MC_RES_CPUS], 102000);
}

static void test_ranges_and_sets_count_their_elements(void **st)
{
	(void)st;
	struct mc_resources r = parse_ok("ports:[31000-31009,32000-32000];zones:{a,b,c}");
	assert_int_equal(r.unres.q[MC_RES_PORTS], 11 * 1000);
	int z = mc_res_lookup("zones", 5);
	assert_true(z >= 0);
	assert_int_equal(mc_res_kind_of(z), MC_RES_SET);
	assert_int_equal(r.unres.q[z], 3000);
}

static void test_errors_carry_the_column(void **st)
{
	(void)st;
	struct mc_resources r;
	struct mc_parse_error err;
	assert_int_equal(mc_resources_parse(&r, "cpus:2;mem:x", &err), MC_EPARSE);
	assert_int_equal(err.col, 12);
	assert_int_equal(mc_resources_parse(&r, "cpus:-1", &err), MC_ERANGE);
	assert_int_equal(err.col, 6);
	assert_int_equal(mc_resources_parse(&r, "cpus 2", &err), MC_EPARSE);
	assert_int_equal(mc_resources_parse(&r, "cpus(r1:2", &err), MC_EPARSE);
	assert_int_equal(err.col, 6);
	assert_int_equal(mc_resources_parse(&r, "ports:[5-3]", &err), MC_ERANGE);
	assert_int_equal(mc_resources_parse(&r, "cpus:1e13", &err), MC_ERANGE);
	assert_int_equal(mc_resources_parse(&r, "cpus:[1-2]", &err), MC_EPARSE);
}

static void test_roles_intern_their_ancestors(void **st)
{
	(void)st;
	int32_t abc = mc_role_intern("ta/b/c", 6);
	int32_t ab = mc_role_lookup("ta/b", 4);
	int32_t a = mc_role_lookup("ta", 2);
	assert_true(abc > ab && ab > a && a > 0);
	assert_int_equal(mc_role_parent(abc), ab);
	assert_int_equal(mc_role_top(abc), a);
	assert_true(mc_role_is_self_or_ancestor(a, abc));
	assert_false(mc_role_is_self_or_ancestor(abc, a));
	assert_int_equal(mc_role_intern("*", 1), MC_ROLE_ANY);
	assert_int_equal(mc_role_intern("a//b", 4), MC_EINVAL);
	assert_int_equal(mc_role_intern("a/..", 4), MC_EPARSE);
}

static void test_add_subtract_and_contains(void **st)
{
	(void)st;
	struct mc_resources a = parse_ok("cpus:1.5;mem:100;cpus(rx):1");
	struct mc_resources b = parse_ok("cpus:0.5;mem:100;cpus(rx):1");
	assert_true(mc_resources_contains(&a, &b));
	assert_false(mc_resources_contains(&b, &a));
	assert_int_equal(mc_resources_subtract(&a, &b), 0);
	assert_int_equal(a.unres.q[MC_RES_CPUS], 1000);
	assert_int_equal(a.unres.q[MC_RES_MEM], 0);
	assert_int_equal(a.nresv, 0); /* the emptied reservation slot is gone */
	assert_int_equal(mc_resources_subtract(&a, &b), MC_EINSUFFICIENT);
	assert_int_equal(a.unres.q[MC_RES_CPUS], 1000);
	assert_int_equal(mc_resources_add(&a, &b), 0);
	assert_true(mc_resources_equal(&a, &(struct mc_resources){0}) == false);
	struct mc_resources c = parse_ok("cpus:1.5;mem:100;cpus(rx):1");
	assert_true(mc_resources_equal(&a, &c));
}

static void test_sums_are_exact_in_fixed_point(void **st)
{
	(void)st;
	struct mc_resources a = parse_ok("cpus:0.1");
	struct mc_resources acc;
	mc_resources_clear(&acc);
	for (int i = 0; i < 3; i++)
		mc_resources_add(&acc, &a);
	struct mc_resources want = parse_ok("cpus:0.3");
	assert_true(mc_resources_equal(&acc, &want));
}

static void test_allocatable_to_keeps_ancestor_reservations(void **st)
{
	(void)st;
	struct mc_resources r = parse_ok("cpus:1;cpus(tp):2;cpus(tp/q):3;cpus(other):4");
	int32_t q = mc_role_lookup("tp/q", 4);
	int32_t tp = mc_role_lookup("tp", 2);
	mc_resources_allocatable_to(&r, mc_role_intern("tp/q/z", 6));
	assert_int_equal(r.nresv, 2);
	assert_non_null(mc_resources_reserved(&r, tp));
	assert_non_null(mc_resources_reserved(&r, q));
	assert_int_equal(r.unres.q[MC_RES_CPUS], 1000);
}

static void test_shrink_touches_only_unreserved_scalars(void **st)
{
	(void)st;
	struct mc_resources r = parse_ok("cpus:4;mem:100;ports:[1-10];cpus(sr):2");
	struct mc_resvec lim = {{0}};
	lim.q[MC_RES_CPUS] = 1500;
	lim.q[MC_RES_MEM] = 1000000;
	mc_resources_shrink_unreserved(&r, &lim);
	assert_int_equal(r.unres.q[MC_RES_CPUS], 1500);
	assert_int_equal(r.unres.q[MC_RES_MEM], 100000);
	assert_int_equal(r.unres.q[MC_RES_PORTS], 10000);
	assert_int_equal(r.resv[0].q[MC_RES_CPUS], 2000);
}

static void test_format_round_trips(void **st)
{
	(void)st;
	const char *texts[] = {"cpus:2.5;mem:1024;cpus(role1):0.001", "cpus:0.1;disk:3", "mem:32",
	                       ""};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct mc_resources r = parse_ok(texts[i]);
		char buf[256];
		int n = mc_resources_format(&r, buf, sizeof buf);
		assert_int_equal(n, (int)strlen(buf));
		assert_string_equal(buf, texts[i]);
		struct mc_resources back = parse_ok(buf);
		assert_true(mc_resources_equal(&r, &back));
	}
}

static void test_format_reports_the_length_it_needs(void **st)
{
	(void)st;
	struct mc_resources r = parse_ok("cpus:2;mem:1024");
	char buf[4];
	int n = mc_resources_format(&r, buf, sizeof buf);
	assert_int_equal(n, (int)strlen("cpus:2;mem:1024"));
	assert_string_equal(buf, "cpu");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scalars_parse_to_thousandths),
	    cmocka_unit_test(test_half_a_thousandth_rounds_up_and_less_rounds_down),
	    cmocka_unit_test(test_zero_valued_entries_vanish),
	    cmocka_unit_test(test_reservations_are_kept_per_role),
	    cmocka_unit_test(test_ranges_and_sets_count_their_elements),
	    cmocka_unit_test(test_errors_carry_the_column),
	    cmocka_unit_test(test_roles_intern_their_ancestors),
	    cmocka_unit_test(test_add_subtract_and_contains),
	    cmocka_unit_test(test_sums_are_exact_in_fixed_point),
	    cmocka_unit_test(test_allocatable_to_keeps_ancestor_reservations),
	    cmocka_unit_test(test_shrink_touches_only_unreserved_scalars),
	    cmocka_unit_test(test_format_round_trips),
	    cmocka_unit_test(test_format_reports_the_length_it_needs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
