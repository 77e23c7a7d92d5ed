/*
 * test_rng.c - per-component random streams: reproducible, distinct per
 * (seed, id), and pinned to known values so a change in the derivation or
 * the generator (which would change every experiment's results) is caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mesocosm/rng.h"

static void test_same_seed_and_id_give_the_same_sequence(void **state)
{
	(void)state;
	gsl_rng *a = mc_rng_new(7, "framework/batch-1"), *b = mc_rng_new(7, "framework/batch-1");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(gsl_rng_get(a), gsl_rng_get(b));
	gsl_rng_free(a);
	gsl_rng_free(b);
}

/* Counts equal draws at the same positions of two streams (1 in 2^32 by
 * chance each). */
static int equal_draws(gsl_rng *a, gsl_rng *b)
{
	int same = 0;
	for (int i = 0; i < 200; i++)
		same += gsl_rng_get(a) == gsl_rng_get(b);
	gsl_rng_free(a);
	gsl_rng_free(b);
	return same;
}

static void test_different_ids_give_different_sequences(void **state)
{
	(void)state;
	assert_int_equal(equal_draws(mc_rng_new(1, "agent/0"), mc_rng_new(1, "agent/1")), 0);
	assert_int_equal(equal_draws(mc_rng_new(1, "network"), mc_rng_new(1, "allocator")), 0);
}

static void test_different_seeds_give_different_sequences(void **state)
{
	(void)state;
	assert_int_equal(equal_draws(mc_rng_new(1, "network"), mc_rng_new(2, "network")), 0);
}

static void test_derived_seeds_of_neighbouring_ids_and_seeds_differ(void **state)
{
	(void)state;
	uint64_t base = mc_rng_derive_seed(42, "agent/0");
	assert_true(base != mc_rng_derive_seed(42, "agent/1"));
	assert_true(base != mc_rng_derive_seed(43, "agent/0"));
	assert_true(base != mc_rng_derive_seed(42, "agent/00"));
	assert_true(mc_rng_derive_seed(0, NULL) == mc_rng_derive_seed(0, ""));
}

static void test_seed_derivation_is_pinned_to_known_values(void **state)
{
	(void)state;
	/* splitmix64(seed ^ fnv1a64(id)), computed by an independent
	 * implementation. */
	assert_int_equal(mc_rng_derive_seed(1, "network"), UINT64_C(0xff1a5925f4917a64));
	assert_int_equal(mc_rng_derive_seed(42, "agent/17"), UINT64_C(0xd4683afe29563780));
	assert_int_equal(mc_rng_derive_seed(0, ""), UINT64_C(0x4ea0537ff367da6b));
}

static void test_stream_is_mt19937_seeded_with_the_folded_seed(void **state)
{
	(void)state;
	/* 0xd4683afe29563780 folds to 0xfd3e0d7e; these are MT19937's first
	 * outputs for that seed (checked against a reference implementation). */
	gsl_rng *r = mc_rng_new(42, "agent/17");
	assert_int_equal(gsl_rng_get(r), 1486651599u);
	assert_int_equal(gsl_rng_get(r), 4109424147u);
	assert_int_equal(gsl_rng_get(r), 2023452150u);
	gsl_rng_free(r);
}

static void test_u32_draws_come_from_the_given_generator(void **state)
{
	(void)state;
	gsl_rng *a = mc_rng_new(42, "agent/17");
	assert_int_equal(mc_rng_u32(a), 1486651599u);
	assert_int_equal(mc_rng_u32(a), 4109424147u);
	gsl_rng_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_seed_and_id_give_the_same_sequence),
	    cmocka_unit_test(test_different_ids_give_different_sequences),
	    cmocka_unit_test(test_different_seeds_give_different_sequences),
	    cmocka_unit_test(test_derived_seeds_of_neighbouring_ids_and_seeds_differ),
	    cmocka_unit_test(test_seed_derivation_is_pinned_to_known_values),
	    cmocka_unit_test(test_stream_is_mt19937_seeded_with_the_folded_seed),
	    cmocka_unit_test(test_u32_draws_come_from_the_given_generator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
