/*
 * test_sorter.c - the DRF and random sorters (include/mesocosm/sorter.h,
 * policies/sorter_*.c), mirroring Mesos's sorter_tests.cpp: shares,
 * weights, hierarchy, tie-breaks by allocation count then name, inactive
 * clients, fairness exclusions, and the lazy iteration's snapshot semantics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mesocosm/error.h"
#include "mesocosm/sorter.h"

static struct mc_resvec pool;
static const struct mc_sorter_ops *O = &mc_sorter_drf;

static struct mc_resvec q2(double cpus, double mem)
{
	struct mc_resvec v = {{0}};
	v.q[MC_RES_CPUS] = mc_milli_from_double(cpus);
	v.q[MC_RES_MEM] = mc_milli_from_double(mem);
	return v;
}

static struct mc_sorter *drf(bool hier)
{
	pool = q2(100, 100);
	O = &mc_sorter_drf;
	return mc_sorter_drf.new(hier, NULL, &pool, NULL, NULL);
}

static void add(struct mc_sorter *s, int32_t id, const char *name)
{
	O->add(s, id, name);
	O->activate(s, id);
}

static void alloc(struct mc_sorter *s, int32_t id, double cpus, double mem)
{
	struct mc_resvec v = q2(cpus, mem);
	O->allocated(s, id, &v);
}

static void expect_order(struct mc_sorter *s, const int32_t *want, size_t n)
{
	size_t got_n;
	const int32_t *got = O->sort(s, &got_n);
	assert_int_equal(got_n, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
}

/* sorter_tests.cpp DRFSorter.DRF (first steps) */
static void test_lowest_dominant_share_sorts_first(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(false);
	add(s, 0, "a");
	add(s, 1, "b");
	alloc(s, 0, 5, 5);
	alloc(s, 1, 6, 6);
	expect_order(s, (int32_t[]){0, 1}, 2);
	alloc(s, 0, 2, 2); /* a: 7 */
	expect_order(s, (int32_t[]){1, 0}, 2);
	add(s, 2, "c");
	expect_order(s, (int32_t[]){2, 1, 0}, 3);
	assert_true(O->share(s, 0) == 0.07);
	O->free(s);
}

static void test_share_is_the_max_over_resources(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(false);
	add(s, 0, "a");
	add(s, 1, "b");
	alloc(s, 0, 1, 40); /* dominant: mem 0.4 */
	alloc(s, 1, 30, 1); /* dominant: cpus 0.3 */
	expect_order(s, (int32_t[]){1, 0}, 2);
	assert_true(O->share(s, 0) == 0.4);
	O->free(s);
}

static void test_equal_shares_break_ties_by_allocation_count(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(false);
	add(s, 0, "a");
	add(s, 1, "b");
	alloc(s, 0, 1, 1);
	alloc(s, 0, 1, 1);
	alloc(s, 1, 2, 2); /* same share, one allocation */
	expect_order(s, (int32_t[]){1, 0}, 2);
	O->free(s);
}

static void test_equal_shares_and_counts_break_ties_by_name_bytewise(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(false);
	add(s, 0, "framework2");
	add(s, 1, "framework10");
	expect_order(s, (int32_t[]){1, 0}, 2);
	O->free(s);
}

static void test_weight_divides_the_share(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(false);
	add(s, 0, "a");
	add(s, 1, "b");
	O->set_weight(s, "b", 2.0);
	alloc(s, 0, 10, 10);
	alloc(s, 1, 15, 15); /* 0.15 / 2 = 0.075 < 0.10 */
	expect_order(s, (int32_t[]){1, 0}, 2);
	assert_true(O->share(s, 1) == 0.075);
	O->free(s);
}

static void test_inactive_clients_are_skipped_but_keep_their_allocation(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(true);
	add(s, 0, "x/a");
	add(s, 1, "x/b");
	add(s, 2, "y");
	alloc(s, 0, 10, 10);
	O->deactivate(s, 0);
	alloc(s, 2, 5, 5);
	/* x's subtree still holds 10: y (5) first, then x/b */
	expect_order(s, (int32_t[]){2, 1}, 2);
	assert_int_equal(O->count(s), 3);
	O->free(s);
}

/* sorter_tests.cpp DRFSorter.HierarchicalAllocation (shape of it) */
static void test_hierarchical_roles_sort_subtrees_first(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(true);
	add(s, 0, "a/x");
	add(s, 1, "a/y");
	add(s, 2, "b/z");
	alloc(s, 0, 10, 10);
	alloc(s, 2, 6, 6);
	/* a (10) > b (6): b's leaves first; within a, y (0) before x (10) */
	expect_order(s, (int32_t[]){2, 1, 0}, 3);
	assert_true(O->path_share(s, "a") == 0.1);
	alloc(s, 2, 6, 6); /* b: 12 */
	expect_order(s, (int32_t[]){1, 0, 2}, 3);
	O->free(s);
}

static void test_weight_on_a_parent_applies_to_its_subtree(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(true);
	add(s, 0, "a/x");
	add(s, 1, "b");
	O->set_weight(s, "a", 4.0);
	alloc(s, 0, 20, 20); /* a: 0.2 / 4 = 0.05 */
	alloc(s, 1, 10, 10); /* b: 0.1 */
	expect_order(s, (int32_t[]){0, 1}, 2);
	O->free(s);
}

static void test_role_with_subroles_becomes_a_virtual_leaf_that_wins_ties(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(true);
	add(s, 0, "x/y");
	add(s, 1, "x"); /* becomes x/. */
	expect_order(s, (int32_t[]){1, 0}, 2);
	alloc(s, 1, 1, 1);
	expect_order(s, (int32_t[]){0, 1}, 2);
	assert_true(O->path_share(s, "x") == 0.01);
	O->remove(s, 0); /* x collapses back to a leaf */
	expect_order(s, (int32_t[]){1}, 1);
	assert_true(O->share(s, 1) == 0.01);
	O->free(s);
}

static void test_excluded_resources_do_not_count_in_shares(void **st)
{
	(void)st;
	bool excl[MC_RES_MAX] = {false};
	excl[MC_RES_GPUS] = true;
	struct mc_resvec p = q2(100, 100);
	p.q[MC_RES_GPUS] = 10000;
	O = &mc_sorter_drf;
	struct mc_sorter *s = mc_sorter_drf.new(false, excl, &p, NULL, NULL);
	add(s, 0, "a");
	add(s, 1, "b");
	struct mc_resvec g = q2(1, 1);
	g.q[MC_RES_GPUS] = 10000; /* all gpus */
	O->allocated(s, 0, &g);
	alloc(s, 1, 2, 2);
	expect_order(s, (int32_t[]){0, 1}, 2);
	assert_true(O->share(s, 0) == 0.01);
	O->free(s);
}

static void test_total_change_re_sorts(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(false);
	add(s, 0, "a");
	add(s, 1, "b");
	alloc(s, 0, 10, 1);
	alloc(s, 1, 1, 5);
	expect_order(s, (int32_t[]){1, 0}, 2); /* 0.05 < 0.10 */
	pool.q[MC_RES_CPUS] = 1000 * 1000;     /* cpus now 1000: a 0.01 */
	O->total_changed(s);
	expect_order(s, (int32_t[]){0, 1}, 2);
	O->free(s);
}

static void test_unallocated_moves_a_client_back(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(false);
	for (int i = 0; i < 20; i++) {
		char name[16];
		snprintf(name, sizeof name, "c%02d", i);
		add(s, i, name);
		alloc(s, i, 1 + i, 1);
	}
	struct mc_resvec v = q2(19, 0);
	O->unallocated(s, 19, &v); /* c19: 1 cpu, but 2 allocations... */
	size_t n;
	const int32_t *o = O->sort(s, &n);
	assert_int_equal(o[0], 0); /* c00: same share, same count, smaller name */
	assert_int_equal(o[1], 19);
	assert_int_equal(o[2], 1);
	O->free(s);
}

static void test_iteration_matches_the_sort_snapshot_when_clients_get_allocations(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(false);
	for (int i = 0; i < 50; i++) {
		char name[16];
		snprintf(name, sizeof name, "f%d", i);
		add(s, i, name);
		alloc(s, i, (i * 7) % 13, 1);
	}
	size_t n;
	const int32_t *o = O->sort(s, &n);
	int32_t snap[50];
	memcpy(snap, o, n * sizeof *o);
	struct mc_sorter_iter it;
	size_t k = 0;
	for (int32_t c = O->first(s, &it); c >= 0; c = O->next(s, &it)) {
		assert_int_equal(c, snap[k]);
		k++;
		if (c % 3 == 0)
			alloc(s, c, 20, 20); /* moves it to the back */
	}
	assert_int_equal(k, 50);
	O->free(s);
}

static void test_names_keep_bytewise_order_after_many_inserts_at_the_front(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(false);
	/* each name sorts before all earlier ones: the rank gap halves every
	 * time until the ranks are spread out again */
	for (int i = 199; i >= 0; i--) {
		char name[16];
		snprintf(name, sizeof name, "c%03d", i);
		add(s, i, name);
	}
	size_t n;
	const int32_t *o = O->sort(s, &n);
	assert_int_equal(n, 200);
	for (int i = 0; i < 200; i++)
		assert_int_equal(o[i], i);
	O->free(s);
}

static void test_tree_iteration_matches_the_sort_snapshot_when_roles_get_allocations(void **st)
{
	(void)st;
	struct mc_sorter *s = drf(true);
	const char *names[] = {"a/x", "a/y", "b", "c/p/q", "c/r", "d"};
	for (int i = 0; i < 6; i++)
		add(s, i, names[i]);
	alloc(s, 2, 3, 3);
	alloc(s, 4, 1, 1);
	size_t n;
	const int32_t *o = O->sort(s, &n);
	int32_t snap[6];
	memcpy(snap, o, n * sizeof *o);
	struct mc_sorter_iter it;
	size_t k = 0;
	for (int32_t c = O->first(s, &it); c >= 0; c = O->next(s, &it)) {
		assert_int_equal(c, snap[k]);
		k++;
		alloc(s, c, 10, 10); /* reorders subtrees mid-iteration */
	}
	assert_int_equal(k, 6);
	O->free(s);
}

static uint32_t lcg(void *ctx)
{
	uint64_t *x = ctx;
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*x >> 32);
}

static void test_random_sorter_favours_heavier_clients(void **st)
{
	(void)st;
	uint64_t seed = 42;
	pool = q2(100, 100);
	O = &mc_sorter_random;
	struct mc_sorter *s = mc_sorter_random.new(false, NULL, &pool, lcg, &seed);
	add(s, 0, "light");
	add(s, 1, "heavy");
	O->set_weight(s, "heavy", 3.0);
	int heavy_first = 0;
	for (int i = 0; i < 4000; i++) {
		size_t n;
		const int32_t *o = O->sort(s, &n);
		assert_int_equal(n, 2);
		heavy_first += o[0] == 1;
	}
	/* P(heavy first) = 3/4 for Efraimidis-Spirakis with weights 3:1 */
	assert_in_range(heavy_first, 2850, 3150);
	O->free(s);
}

static void test_random_sorter_lists_each_active_client_once(void **st)
{
	(void)st;
	uint64_t seed = 7;
	pool = q2(100, 100);
	O = &mc_sorter_random;
	struct mc_sorter *s = mc_sorter_random.new(true, NULL, &pool, lcg, &seed);
	add(s, 0, "a/x");
	add(s, 1, "a/y");
	add(s, 2, "b");
	add(s, 3, "c");
	O->deactivate(s, 3);
	size_t n;
	const int32_t *o = O->sort(s, &n);
	assert_int_equal(n, 3);
	int seen = 0;
	for (size_t i = 0; i < n; i++)
		seen |= 1 << o[i];
	assert_int_equal(seen, 7);
	O->free(s);
}

static void test_registry_finds_sorters_by_name(void **st)
{
	(void)st;
	assert_ptr_equal(mc_sorter_lookup("drf"), &mc_sorter_drf);
	assert_ptr_equal(mc_sorter_lookup("random"), &mc_sorter_random);
	assert_null(mc_sorter_lookup("fifo"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lowest_dominant_share_sorts_first),
	    cmocka_unit_test(test_share_is_the_max_over_resources),
	    cmocka_unit_test(test_equal_shares_break_ties_by_allocation_count),
	    cmocka_unit_test(test_equal_shares_and_counts_break_ties_by_name_bytewise),
	    cmocka_unit_test(test_weight_divides_the_share),
	    cmocka_unit_test(test_inactive_clients_are_skipped_but_keep_their_allocation),
	    cmocka_unit_test(test_hierarchical_roles_sort_subtrees_first),
	    cmocka_unit_test(test_weight_on_a_parent_applies_to_its_subtree),
	    cmocka_unit_test(test_role_with_subroles_becomes_a_virtual_leaf_that_wins_ties),
	    cmocka_unit_test(test_excluded_resources_do_not_count_in_shares),
	    cmocka_unit_test(test_total_change_re_sorts),
	    cmocka_unit_test(test_unallocated_moves_a_client_back),
	    cmocka_unit_test(test_iteration_matches_the_sort_snapshot_when_clients_get_allocations),
	    cmocka_unit_test(test_names_keep_bytewise_order_after_many_inserts_at_the_front),
	    cmocka_unit_test(
	        test_tree_iteration_matches_the_sort_snapshot_when_roles_get_allocations),
	    cmocka_unit_test(test_random_sorter_favours_heavier_clients),
	    cmocka_unit_test(test_random_sorter_lists_each_active_client_once),
	    cmocka_unit_test(test_registry_finds_sorters_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
