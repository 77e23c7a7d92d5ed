/*
 * test_alloc.c - the allocation core through its public API
 * (include/mesocosm/alloc.h) with a minimal host: batching of triggers into
 * one run, what triggers a run and what does not, recover/launch errors,
 * the framework allocation query, and removal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mesocosm/alloc.h"
#include "mesocosm/error.h"

struct host {
	int requests;
	int offers;      /* offer() calls */
	int noffer;      /* offers in them */
	int32_t last_fw;
	struct mc_offer last;
	uint32_t rnd;
	mc_time_t timer_at;
};

static uint64_t timer_start(void *ctx, mc_time_t at, void (*fire)(void *, uint64_t), void *obj,
			    uint64_t data)
{
	(void)fire;
	(void)obj;
	(void)data;
	((struct host *)ctx)->timer_at = at;
	return 1;
}
static void timer_cancel(void *ctx, uint64_t id) { (void)ctx, (void)id; }
static void request_run(void *ctx) { ((struct host *)ctx)->requests++; }
static void offer(void *ctx, int32_t fw, const struct mc_offer *o, size_t n)
{
	struct host *h = ctx;
	h->offers++;
	h->noffer += (int)n;
	h->last_fw = fw;
	h->last = o[n - 1];
}
static uint32_t rnd(void *ctx) { return ((struct host *)ctx)->rnd++ * 2654435761u; }

static struct host H;

static struct mc_allocator *make(void)
{
	memset(&H, 0, sizeof H);
	struct mc_alloc_config c;
	mc_alloc_config_defaults(&c);
	struct mc_alloc_host host = {&H, timer_start, timer_cancel, request_run, offer, rnd, NULL};
	struct mc_allocator *a = mc_alloc_new(&c, &host, 0);
	assert_non_null(a);
	return a;
}

static struct mc_resources res(const char *s)
{
	struct mc_resources r;
	assert_int_equal(mc_resources_parse(&r, s, NULL), 0);
	return r;
}

static int32_t role(const char *s) { return mc_role_intern(s, strlen(s)); }

static void test_defaults_are_mesos_defaults(void **state)
{
	(void)state;
	struct mc_alloc_config c;
	mc_alloc_config_defaults(&c);
	assert_int_equal(c.allocation_interval, MC_SEC);
	assert_int_equal(c.min_allocatable.n, 2);
	assert_int_equal(c.min_allocatable.alt[0].q[MC_RES_CPUS], 10);
	assert_int_equal(c.min_allocatable.alt[1].q[MC_RES_MEM], 32000);
	assert_true(c.filter_gpu_resources);
}

static void test_the_periodic_timer_is_armed_one_interval_ahead(void **state)
{
	(void)state;
	struct mc_allocator *a = make();
	assert_int_equal(H.timer_at, MC_SEC);
	mc_alloc_free(a);
}

static void test_many_triggers_between_runs_request_one_run(void **state)
{
	(void)state;
	struct mc_allocator *a = make();
	int32_t r = role("r");
	for (int32_t g = 0; g < 5; g++) {
		struct mc_resources t = res("cpus:1;mem:512");
		assert_int_equal(mc_alloc_add_agent(a, 0, g, &t), 0);
	}
	assert_int_equal(mc_alloc_add_framework(a, 0, 0, "f0", &r, 1, 0, true, NULL), 0);
	assert_int_equal(mc_alloc_revive(a, 0, 0, NULL, 0), 0);
	assert_int_equal(H.requests, 1);
	mc_alloc_run(a, 0);
	assert_int_equal(mc_alloc_runs(a), 1);
	assert_int_equal(H.offers, 1);  /* one callback for the framework */
	assert_int_equal(H.noffer, 5);  /* one offer per agent */
	mc_alloc_free(a);
}

static void test_recover_quota_and_weight_changes_trigger_nothing(void **state)
{
	(void)state;
	struct mc_allocator *a = make();
	int32_t r = role("r");
	struct mc_resources t = res("cpus:2;mem:1024");
	mc_alloc_add_agent(a, 0, 0, &t);
	mc_alloc_add_framework(a, 0, 0, "f0", &r, 1, 0, true, NULL);
	mc_alloc_run(a, 0);
	int before = H.requests;
	struct mc_resources part = res("cpus:1");
	assert_int_equal(mc_alloc_recover(a, 0, 0, r, 0, &part, 0), 0);
	struct mc_resvec g = res("cpus:1").unres;
	assert_int_equal(mc_alloc_set_quota(a, r, &g, NULL), 0);
	assert_int_equal(mc_alloc_set_weight(a, r, 2.0), 0);
	assert_int_equal(mc_alloc_suppress(a, 0, 0, NULL, 0), 0);
	assert_int_equal(mc_alloc_deactivate_framework(a, 0, 0), 0);
	assert_int_equal(H.requests, before);
	mc_alloc_free(a);
}

static void test_the_framework_allocation_counts_offers_at_once(void **state)
{
	(void)state;
	struct mc_allocator *a = make();
	int32_t r = role("r");
	struct mc_resources t = res("cpus:2;mem:1024");
	mc_alloc_add_agent(a, 0, 3, &t);
	mc_alloc_add_framework(a, 0, 7, "f7", &r, 1, 0, true, NULL);
	mc_alloc_run(a, 0);
	assert_int_equal(H.last_fw, 7);
	assert_int_equal(H.last.agent, 3);
	struct mc_resvec got;
	mc_alloc_framework_allocation(a, 7, &got);
	assert_int_equal(got.q[MC_RES_CPUS], 2000);
	assert_int_equal(got.q[MC_RES_MEM], 1024000);
	assert_true(mc_alloc_framework_share(a, 7) > 0.999);
	/* launch half, recover it: the rest stays */
	struct mc_resources half = res("cpus:1;mem:512");
	assert_int_equal(mc_alloc_launch(a, 0, 7, r, 3, &half), 0);
	assert_int_equal(mc_alloc_recover(a, 0, 7, r, 3, &half, 0), 0);
	mc_alloc_framework_allocation(a, 7, &got);
	assert_int_equal(got.q[MC_RES_CPUS], 1000);
	mc_alloc_free(a);
}

static void test_recovering_what_was_not_held_fails(void **state)
{
	(void)state;
	struct mc_allocator *a = make();
	int32_t r = role("r");
	struct mc_resources t = res("cpus:2;mem:1024");
	mc_alloc_add_agent(a, 0, 0, &t);
	mc_alloc_add_framework(a, 0, 0, "f0", &r, 1, 0, true, NULL);
	mc_alloc_run(a, 0);
	struct mc_resources too_much = res("cpus:3");
	assert_int_equal(mc_alloc_recover(a, 0, 0, r, 0, &too_much, 0), MC_EINSUFFICIENT);
	assert_int_equal(mc_alloc_recover(a, 0, 0, r, 9, &too_much, 0), MC_ENOENT);
	assert_int_equal(mc_alloc_add_agent(a, 0, 0, &t), MC_EEXIST);
	mc_alloc_free(a);
}

static void test_removing_an_agent_takes_its_offers_and_total(void **state)
{
	(void)state;
	struct mc_allocator *a = make();
	int32_t r = role("r");
	struct mc_resources t = res("cpus:2;mem:1024");
	mc_alloc_add_agent(a, 0, 0, &t);
	mc_alloc_add_agent(a, 0, 1, &t);
	mc_alloc_add_framework(a, 0, 0, "f0", &r, 1, 0, true, NULL);
	mc_alloc_run(a, 0);
	assert_int_equal(mc_alloc_remove_agent(a, 0, 0), 0);
	struct mc_resvec got;
	mc_alloc_framework_allocation(a, 0, &got);
	assert_int_equal(got.q[MC_RES_CPUS], 2000);
	assert_int_equal(mc_alloc_total(a)->q[MC_RES_CPUS], 2000);
	mc_alloc_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_are_mesos_defaults),
	    cmocka_unit_test(test_the_periodic_timer_is_armed_one_interval_ahead),
	    cmocka_unit_test(test_many_triggers_between_runs_request_one_run),
	    cmocka_unit_test(test_recover_quota_and_weight_changes_trigger_nothing),
	    cmocka_unit_test(test_the_framework_allocation_counts_offers_at_once),
	    cmocka_unit_test(test_recovering_what_was_not_held_fails),
	    cmocka_unit_test(test_removing_an_agent_takes_its_offers_and_total),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
