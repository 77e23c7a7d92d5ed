/*
 * test_alloc_core.c - the hierarchical allocator's run semantics through
 * the public API (include/mesocosm/alloc.h), with a host that keeps a real
 * timer list (fired in (time, creation) order) and runs the allocator as
 * soon as it asks: periodic re-arming, pause, skipped runs, candidate runs,
 * launch/recover accounting, stage 1 and quota limits, reservations in
 * quota consumption, and explain records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mesocosm/alloc.h"
#include "mesocosm/error.h"

#define MAXT 256
#define MAXO 64
#define MAXX 256

struct tmr {
	bool live;
	mc_time_t at;
	void (*fire)(void *, uint64_t);
	void *obj;
	uint64_t data;
};

static struct {
	struct tmr t[MAXT];
	int nt;
	mc_time_t now;
	bool want_run;
	int requests;
	struct {
		int32_t fw;
		struct mc_offer o;
	} off[MAXO];
	int noff;
	struct mc_explain x[MAXX];
	int nx;
	uint32_t rnd;
} H;

static struct mc_allocator *A;

static uint64_t timer_start(void *ctx, mc_time_t at, void (*fire)(void *, uint64_t), void *obj,
                            uint64_t data)
{
	(void)ctx;
	assert_true(H.nt < MAXT);
	H.t[H.nt] = (struct tmr){true, at, fire, obj, data};
	return (uint64_t)++H.nt;
}
static void timer_cancel(void *ctx, uint64_t id)
{
	(void)ctx;
	H.t[id - 1].live = false;
}
static void request_run(void *ctx)
{
	(void)ctx;
	H.requests++;
	H.want_run = true;
}
static void offer(void *ctx, int32_t fw, const struct mc_offer *o, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		assert_true(H.noff < MAXO);
		H.off[H.noff].fw = fw;
		H.off[H.noff++].o = o[i];
	}
}
static uint32_t rnd(void *ctx)
{
	(void)ctx;
	return H.rnd++ * 2654435761u;
}
static void explain(void *ctx, const struct mc_explain *e)
{
	(void)ctx;
	if (H.nx < MAXX)
		H.x[H.nx++] = *e;
}

/* Runs the allocator if it asked (as a scenario does after each step). */
static void settle(void)
{
	if (H.want_run) {
		H.want_run = false;
		mc_alloc_run(A, H.now);
	}
}

/* Moves the clock to `to`, firing due timers by (time, creation order). */
static void advance_to(mc_time_t to)
{
	for (;;) {
		int best = -1;
		for (int i = 0; i < H.nt; i++)
			if (H.t[i].live && H.t[i].at <= to &&
			    (best < 0 || H.t[i].at < H.t[best].at))
				best = i;
		if (best < 0)
			break;
		H.now = H.t[best].at;
		H.t[best].live = false;
		H.t[best].fire(H.t[best].obj, H.t[best].data);
		settle();
	}
	H.now = to;
}

static void setup_with(struct mc_alloc_config *c, bool with_explain)
{
	memset(&H, 0, sizeof H);
	struct mc_alloc_host host = {NULL,
	                             timer_start,
	                             timer_cancel,
	                             request_run,
	                             offer,
	                             rnd,
	                             with_explain ? explain : NULL};
	A = mc_alloc_new(c, &host, 0);
	assert_non_null(A);
}

static int setup(void **st)
{
	(void)st;
	struct mc_alloc_config c;
	mc_alloc_config_defaults(&c);
	setup_with(&c, false);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	mc_alloc_free(A);
	A = NULL;
	return 0;
}

static struct mc_resources res(const char *s)
{
	struct mc_resources r;
	assert_int_equal(mc_resources_parse(&r, s, NULL), 0);
	return r;
}

static int32_t role(const char *s)
{
	return mc_role_intern(s, strlen(s));
}

static void add_fw(int32_t id, const char *r)
{
	int32_t ro = role(r);
	assert_int_equal(mc_alloc_add_framework(A, H.now, id, NULL, &ro, 1, 0, true, NULL), 0);
	settle();
}

static void add_agent(int32_t id, const char *text)
{
	struct mc_resources t = res(text);
	assert_int_equal(mc_alloc_add_agent(A, H.now, id, &t), 0);
	settle();
}

static void assert_offer(int k, int32_t fw, int32_t agent, const char *text)
{
	assert_true(k < H.noff);
	assert_int_equal(H.off[k].fw, fw);
	assert_int_equal(H.off[k].o.agent, agent);
	struct mc_resources want = res(text);
	char got[256];
	mc_resources_format(&H.off[k].o.resources, got, sizeof got);
	char exp[256];
	mc_resources_format(&want, exp, sizeof exp);
	assert_string_equal(got, exp);
}

static void test_a_unknown_sorter_name_gives_no_allocator(void **st)
{
	(void)st;
	struct mc_alloc_config c;
	mc_alloc_config_defaults(&c);
	c.role_sorter = "fifo";
	struct mc_alloc_host host = {NULL,  timer_start, timer_cancel, request_run,
	                             offer, rnd,         NULL};
	assert_null(mc_alloc_new(&c, &host, 0));
	c.role_sorter = "drf";
	c.allocator = "slots";
	assert_null(mc_alloc_new(&c, &host, 0));
}

static void test_the_periodic_run_is_re_armed_after_each_run(void **st)
{
	(void)st;
	assert_int_equal(H.nt, 1);
	assert_int_equal(H.t[0].at, MC_SEC);
	advance_to(MC_SEC);
	assert_int_equal(mc_alloc_runs(A), 1);
	assert_true(H.t[H.nt - 1].live);
	assert_int_equal(H.t[H.nt - 1].at, 2 * MC_SEC);
	advance_to(3 * MC_SEC);
	assert_int_equal(mc_alloc_runs(A), 3);
}

static void test_a_run_with_nothing_changed_is_skipped(void **st)
{
	(void)st;
	add_fw(0, "r");
	add_agent(0, "cpus:1;mem:64"); /* offered at once */
	assert_int_equal(H.noff, 1);
	advance_to(MC_SEC); /* offers were made since the last full run: full run */
	advance_to(3 * MC_SEC);
	assert_int_equal(mc_alloc_runs_skipped(A), 2);
	struct mc_resources r = res("cpus:1;mem:64");
	assert_int_equal(mc_alloc_recover(A, H.now, 0, role("r"), 0, &r, 0), 0);
	advance_to(4 * MC_SEC);
	assert_int_equal(H.noff, 2); /* the recovered resources come back */
	assert_int_equal(mc_alloc_runs_skipped(A), 2);
}

static void test_a_run_for_one_agent_does_not_hide_changes_elsewhere(void **st)
{
	(void)st;
	add_fw(0, "r");
	add_agent(0, "cpus:1;mem:64");
	advance_to(2 * MC_SEC);
	struct mc_resources r = res("cpus:1;mem:64");
	/* agent 0 freed, then a triggered run for a new, filtered-out agent */
	assert_int_equal(mc_alloc_recover(A, H.now, 0, role("r"), 0, &r, 0), 0);
	add_agent(1, "cpus:0.001"); /* below min allocatable: offers nothing */
	assert_int_equal(H.noff, 1);
	advance_to(3 * MC_SEC); /* the periodic run still offers agent 0 */
	assert_int_equal(H.noff, 2);
	assert_offer(1, 0, 0, "cpus:1;mem:64");
}

static void test_triggers_while_paused_are_dropped_and_periodic_runs_do_nothing(void **st)
{
	(void)st;
	mc_alloc_pause(A, true);
	add_fw(0, "r");
	add_agent(0, "cpus:1;mem:64");
	assert_int_equal(H.requests, 0);
	advance_to(MC_SEC);
	assert_int_equal(H.noff, 0);
	mc_alloc_pause(A, false);
	advance_to(2 * MC_SEC);
	assert_int_equal(H.noff, 1);
}

static void test_launch_moves_offered_to_allocated_and_recover_takes_offered_first(void **st)
{
	(void)st;
	add_fw(0, "r");
	add_agent(0, "cpus:4;mem:400");
	int32_t r = role("r");
	struct mc_resources task = res("cpus:1;mem:100");
	assert_int_equal(mc_alloc_launch(A, H.now, 0, r, 0, &task), 0);
	struct mc_resvec v;
	mc_alloc_framework_offered(A, 0, &v);
	assert_int_equal(v.q[MC_RES_CPUS], 3000);
	struct mc_resources big = res("cpus:4;mem:100");
	assert_int_equal(mc_alloc_launch(A, H.now, 0, r, 0, &big), MC_EINSUFFICIENT);
	/* recover cpus:3.5: 3 from the offer, 0.5 from the task */
	struct mc_resources back = res("cpus:3.5");
	assert_int_equal(mc_alloc_recover(A, H.now, 0, r, 0, &back, 0), 0);
	mc_alloc_framework_offered(A, 0, &v);
	assert_int_equal(v.q[MC_RES_CPUS], 0);
	assert_int_equal(v.q[MC_RES_MEM], 300000);
	mc_alloc_framework_allocation(A, 0, &v);
	assert_int_equal(v.q[MC_RES_CPUS], 500);
	assert_int_equal(v.q[MC_RES_MEM], 400000);
}

static void test_a_filter_lasts_the_allocation_interval_at_least(void **st)
{
	(void)st;
	add_fw(0, "r");
	add_agent(0, "cpus:1;mem:64");
	struct mc_resources r = res("cpus:1;mem:64");
	assert_int_equal(mc_alloc_recover(A, H.now, 0, role("r"), 0, &r, MC_SEC / 10), 0);
	/* the periodic timer (created first) fires before the filter's expiry */
	advance_to(MC_SEC);
	assert_int_equal(H.noff, 1);
	advance_to(2 * MC_SEC);
	assert_int_equal(H.noff, 2);
}

static void test_a_filter_hides_only_offers_it_contains(void **st)
{
	(void)st;
	add_fw(0, "r");
	add_agent(0, "cpus:2;mem:64");
	int32_t r = role("r");
	struct mc_resources task = res("cpus:1");
	assert_int_equal(mc_alloc_launch(A, H.now, 0, r, 0, &task), 0);
	struct mc_resources rest = res("cpus:1;mem:64");
	assert_int_equal(mc_alloc_recover(A, H.now, 0, r, 0, &rest, 60 * MC_SEC), 0);
	advance_to(MC_SEC);
	assert_int_equal(H.noff, 1); /* filtered */
	assert_int_equal(mc_alloc_recover(A, H.now, 0, r, 0, &task, 0), 0);
	advance_to(2 * MC_SEC);
	assert_int_equal(H.noff, 2); /* more than was refused: offered */
	assert_offer(1, 0, 0, "cpus:2;mem:64");
}

static void test_stage_one_gives_the_guarantee_and_the_rest_goes_to_others(void **st)
{
	(void)st;
	int32_t q = role("cq");
	struct mc_resvec g = res("cpus:1;mem:512").unres;
	assert_int_equal(mc_alloc_set_quota(A, q, &g, &g), 0);
	add_fw(0, "cq");
	add_fw(1, "co");
	add_agent(0, "cpus:4;mem:2048");
	assert_int_equal(H.noff, 2);
	assert_offer(0, 0, 0, "cpus:1;mem:512");
	assert_offer(1, 1, 0, "cpus:3;mem:1536");
}

static void test_an_explicit_zero_limit_keeps_a_name_out_of_offers(void **st)
{
	(void)st;
	int32_t z = role("cz");
	struct mc_resvec lim = {{0}};
	bool limited[MC_RES_MAX] = {false};
	limited[MC_RES_CPUS] = true; /* cpus:0, mem unlimited */
	assert_int_equal(mc_alloc_set_quota_limits(A, z, NULL, &lim, limited), 0);
	add_fw(0, "cz");
	add_agent(0, "cpus:4;mem:2048");
	assert_int_equal(H.noff, 1);
	assert_offer(0, 0, 0, "mem:2048");
	assert_int_equal(mc_alloc_set_quota(A, role("cz/sub"), NULL, &lim), MC_EINVAL);
}

static void test_reservations_count_as_consumed_quota(void **st)
{
	(void)st;
	int32_t rv = role("rv");
	struct mc_resvec g = res("cpus:2;mem:1024").unres;
	assert_int_equal(mc_alloc_set_quota(A, rv, &g, NULL), 0);
	add_fw(0, "other");
	/* rv's guarantee is met by its (unused) reservation: no headroom held */
	add_agent(0, "cpus(rv):2;mem(rv):1024");
	add_agent(1, "cpus:2;mem:1024");
	assert_int_equal(H.noff, 1);
	assert_offer(0, 0, 1, "cpus:2;mem:1024");
}

static void test_resources_used_before_the_framework_is_known_count_once_it_is(void **st)
{
	(void)st;
	add_agent(0, "cpus:10;mem:1000");
	struct mc_resources used = res("cpus:5;mem:100");
	assert_int_equal(mc_alloc_add_used(A, 0, 7, role("r"), &used), 0);
	add_fw(7, "r");
	assert_true(mc_alloc_framework_share(A, 7) == 1.0); /* 5/10 used + 5 offered now */
	struct mc_resvec v;
	mc_alloc_framework_allocation(A, 7, &v);
	assert_int_equal(v.q[MC_RES_CPUS], 10000);
}

static void test_explain_reports_why_frameworks_got_nothing(void **st)
{
	(void)st;
	mc_alloc_free(A);
	struct mc_alloc_config c;
	mc_alloc_config_defaults(&c);
	setup_with(&c, true);
	int32_t r = role("xr");
	add_fw(0, "xr");
	add_fw(1, "xr");
	int32_t gr = role("xr");
	mc_alloc_suppress(A, H.now, 1, &gr, 1);
	add_agent(0, "cpus:1;mem:64;gpus:1");
	/* framework 0 lacks GPU_RESOURCES; framework 1 is suppressed */
	bool gpu = false, sup = false;
	for (int i = 0; i < H.nx; i++) {
		gpu |= H.x[i].framework == 0 && H.x[i].outcome == MC_OUTCOME_GPU;
		sup |= H.x[i].framework == 1 && H.x[i].outcome == MC_OUTCOME_SUPPRESSED;
		assert_int_equal(H.x[i].agent, 0);
		assert_int_equal(H.x[i].role, r);
	}
	assert_true(gpu);
	assert_true(sup);
	assert_int_equal(H.noff, 0);
	add_agent(1, "cpus:1;mem:64");
	assert_int_equal(H.noff, 1);
	struct mc_resources all = res("cpus:1;mem:64");
	mc_alloc_recover(A, H.now, 0, r, 1, &all, 10 * MC_SEC);
	H.nx = 0;
	advance_to(MC_SEC);
	bool filtered = false;
	for (int i = 0; i < H.nx; i++)
		if (H.x[i].framework == 0 && H.x[i].agent == 1 &&
		    H.x[i].outcome == MC_OUTCOME_FILTERED) {
			filtered = true;
			assert_int_equal(H.x[i].detail_time, 10 * MC_SEC);
		}
	assert_true(filtered);
	assert_string_equal(mc_alloc_outcome_name(MC_OUTCOME_FILTERED), "filtered");
}

static void test_explain_names_the_role_whose_guarantee_holds_headroom(void **st)
{
	(void)st;
	mc_alloc_free(A);
	struct mc_alloc_config c;
	mc_alloc_config_defaults(&c);
	setup_with(&c, true);
	int32_t q = role("hq");
	struct mc_resvec g = res("cpus:2;mem:1024").unres;
	mc_alloc_set_quota(A, q, &g, NULL);
	add_fw(0, "ho");
	add_agent(0, "cpus:2;mem:1024");
	assert_int_equal(H.noff, 0);
	bool held = false;
	for (int i = 0; i < H.nx; i++)
		if (H.x[i].outcome == MC_OUTCOME_HEADROOM) {
			held = true;
			assert_int_equal(H.x[i].detail_role, q);
		}
	assert_true(held);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_unknown_sorter_name_gives_no_allocator),
	    cmocka_unit_test_setup_teardown(test_the_periodic_run_is_re_armed_after_each_run, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_a_run_with_nothing_changed_is_skipped, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_a_run_for_one_agent_does_not_hide_changes_elsewhere, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_triggers_while_paused_are_dropped_and_periodic_runs_do_nothing, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_launch_moves_offered_to_allocated_and_recover_takes_offered_first, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(test_a_filter_lasts_the_allocation_interval_at_least,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_filter_hides_only_offers_it_contains, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_stage_one_gives_the_guarantee_and_the_rest_goes_to_others, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_an_explicit_zero_limit_keeps_a_name_out_of_offers,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reservations_count_as_consumed_quota, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_resources_used_before_the_framework_is_known_count_once_it_is, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(test_explain_reports_why_frameworks_got_nothing, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_explain_names_the_role_whose_guarantee_holds_headroom, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
