/*
 * test_engine.c - the event engine: (time, seq) order, cancellation by
 * handle, run_until boundaries, stop, counters, and growth to millions of
 * events checked against a sorted reference.
 *
 * The white-box tests at the end use a second copy of sim/engine.c compiled
 * into this file under other names (wb_*), with 10-bit sequence numbers so
 * renumbering happens every thousand or so events, and with its struct
 * visible so the number of keys in the heap (tombstones included) can be
 * checked.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mesocosm/engine.h"
#include "mesocosm/error.h"
#include "mesocosm/rng.h"

#define MC__ENGINE_SEQ_BITS  10
#define mc_engine_new        wb_engine_new
#define mc_engine_free       wb_engine_free
#define mc_engine_now        wb_engine_now
#define mc_engine_schedule   wb_engine_schedule
#define mc_engine_after      wb_engine_after
#define mc_engine_cancel     wb_engine_cancel
#define mc_engine_is_pending wb_engine_is_pending
#define mc_engine_step       wb_engine_step
#define mc_engine_run_until  wb_engine_run_until
#define mc_engine_stop       wb_engine_stop
#define mc_engine_next_time  wb_engine_next_time
#define mc_engine_pending    wb_engine_pending
#define mc_engine_dispatched wb_engine_dispatched
#define mc__aligned_array    wb_aligned_array
#include "sim/engine.c"
#undef mc__aligned_array
#undef mc_engine_new
#undef mc_engine_free
#undef mc_engine_now
#undef mc_engine_schedule
#undef mc_engine_after
#undef mc_engine_cancel
#undef mc_engine_is_pending
#undef mc_engine_step
#undef mc_engine_run_until
#undef mc_engine_stop
#undef mc_engine_next_time
#undef mc_engine_pending
#undef mc_engine_dispatched

struct log {
	uint64_t got[128];
	mc_time_t at[128];
	int n;
};

static void record(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	struct log *l = ctx;
	l->at[l->n] = mc_engine_now(eng);
	l->got[l->n++] = arg;
}

static void drain(struct mc_engine *e)
{
	while (mc_engine_step(e))
		;
}

static void test_events_fire_in_time_order(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(4);
	struct log l = {0};
	mc_engine_schedule(e, 30, record, &l, 3);
	mc_engine_schedule(e, 10, record, &l, 1);
	mc_engine_schedule(e, 20, record, &l, 2);
	drain(e);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.got[0], 1);
	assert_int_equal(l.got[1], 2);
	assert_int_equal(l.got[2], 3);
	assert_int_equal(l.at[0], 10);
	assert_int_equal(l.at[2], 30);
	assert_int_equal(mc_engine_now(e), 30);
	assert_int_equal(mc_engine_dispatched(e), 3);
	mc_engine_free(e);
}

static void test_times_across_the_int64_range_keep_their_order(void **state)
{
	(void)state;
	/* Keys store the time with its sign bit flipped and compare unsigned:
	 * times far apart must still order correctly. */
	struct mc_engine *e = mc_engine_new(4);
	struct log l = {0};
	mc_engine_schedule(e, INT64_MAX - 1, record, &l, 2);
	mc_engine_schedule(e, 1, record, &l, 1);
	drain(e);
	assert_int_equal(l.got[0], 1);
	assert_int_equal(l.got[1], 2);
	assert_int_equal(l.at[1], INT64_MAX - 1);
	mc_engine_free(e);
}

static void test_equal_times_fire_in_scheduling_order(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(2);
	struct log l = {0};
	for (uint64_t i = 0; i < 100; i++)
		mc_engine_schedule(e, 5 + (mc_time_t)(i % 2) * 10, record, &l, i);
	drain(e);
	assert_int_equal(l.n, 100);
	for (int i = 0; i < 50; i++) {
		assert_int_equal(l.got[i], (uint64_t)(2 * i));          /* time 5 */
		assert_int_equal(l.got[50 + i], (uint64_t)(2 * i + 1)); /* time 15 */
	}
	mc_engine_free(e);
}

static void schedule_now_from_handler(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	record(eng, ctx, arg);
	if (arg == 1) {
		mc_engine_after(eng, 0, record, ctx, 98);
		mc_engine_schedule(eng, mc_engine_now(eng), record, ctx, 99);
	}
}

static void test_event_scheduled_now_from_a_handler_fires_after_earlier_ties(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(2);
	struct log l = {0};
	mc_engine_schedule(e, 7, schedule_now_from_handler, &l, 1);
	mc_engine_schedule(e, 7, record, &l, 2);
	mc_engine_schedule(e, 8, record, &l, 3);
	drain(e);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.got[0], 1);
	assert_int_equal(l.got[1], 2);
	assert_int_equal(l.got[2], 98);
	assert_int_equal(l.got[3], 99);
	assert_int_equal(l.got[4], 3);
	assert_int_equal(l.at[3], 7);
	mc_engine_free(e);
}

static void test_cancel_prevents_firing(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(2);
	struct log l = {0};
	mc_event_handle a = mc_engine_schedule(e, 10, record, &l, 1);
	mc_engine_schedule(e, 20, record, &l, 2);
	assert_true(mc_engine_is_pending(e, a));
	assert_true(mc_engine_cancel(e, a));
	assert_false(mc_engine_is_pending(e, a));
	drain(e);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.got[0], 2);
	assert_int_equal(mc_engine_dispatched(e), 1);
	mc_engine_free(e);
}

static void test_cancelling_twice_returns_false_the_second_time(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(2);
	struct log l = {0};
	mc_event_handle a = mc_engine_schedule(e, 10, record, &l, 1);
	assert_true(mc_engine_cancel(e, a));
	assert_false(mc_engine_cancel(e, a));
	assert_false(mc_engine_cancel(e, 0));
	mc_engine_free(e);
}

static void test_cancelling_a_fired_event_returns_false(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(2);
	struct log l = {0};
	mc_event_handle a = mc_engine_schedule(e, 10, record, &l, 1);
	assert_true(mc_engine_step(e));
	assert_false(mc_engine_is_pending(e, a));
	assert_false(mc_engine_cancel(e, a));
	assert_int_equal(l.n, 1);
	mc_engine_free(e);
}

static void test_stale_handle_is_rejected_after_its_slot_is_reused(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(1);
	struct log l = {0};
	mc_event_handle a = mc_engine_schedule(e, 1, record, &l, 1);
	assert_true(mc_engine_step(e));
	mc_event_handle b = mc_engine_schedule(e, 2, record, &l, 2); /* reuses a's slot */
	assert_true(a != b);
	assert_false(mc_engine_is_pending(e, a));
	assert_false(mc_engine_cancel(e, a));
	assert_true(mc_engine_is_pending(e, b));
	/* Same after a cancellation frees the slot. */
	assert_true(mc_engine_cancel(e, b));
	drain(e);
	mc_event_handle c = mc_engine_schedule(e, 3, record, &l, 3);
	assert_false(mc_engine_cancel(e, b));
	assert_true(mc_engine_is_pending(e, c));
	drain(e);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.got[1], 3);
	mc_engine_free(e);
}

static void test_run_until_stops_at_the_boundary_and_sets_the_clock(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(4);
	struct log l = {0};
	mc_engine_schedule(e, 10, record, &l, 1);
	mc_engine_schedule(e, 20, record, &l, 2);
	mc_engine_schedule(e, 21, record, &l, 3);
	assert_int_equal(mc_engine_run_until(e, 20), 0);
	assert_int_equal(l.n, 2); /* the event at exactly 20 fired */
	assert_int_equal(mc_engine_now(e), 20);
	assert_int_equal(mc_engine_run_until(e, 15), 0); /* never backwards */
	assert_int_equal(mc_engine_now(e), 20);
	assert_int_equal(mc_engine_run_until(e, 100), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(mc_engine_now(e), 100);
	mc_engine_free(e);
}

static void test_run_until_never_leaves_the_clock_at_the_last_event(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(4);
	struct log l = {0};
	mc_engine_schedule(e, 10, record, &l, 1);
	mc_engine_schedule(e, 40, record, &l, 2);
	assert_int_equal(mc_engine_run_until(e, MC_TIME_NEVER), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(mc_engine_now(e), 40);
	mc_engine_free(e);
}

static void stopper(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	record(eng, ctx, arg);
	mc_engine_stop(eng);
}

static void test_stop_from_a_handler_ends_run_until_after_that_event(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(4);
	struct log l = {0};
	mc_engine_schedule(e, 1, stopper, &l, 1);
	mc_engine_schedule(e, 2, record, &l, 2);
	assert_int_equal(mc_engine_run_until(e, 10), MC_EINTR);
	assert_int_equal(l.n, 1);
	assert_int_equal(mc_engine_now(e), 1); /* not moved to 10 */
	assert_int_equal(mc_engine_pending(e), 1);
	/* The request is consumed: the next call carries on. */
	assert_int_equal(mc_engine_run_until(e, 10), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(mc_engine_now(e), 10);
	mc_engine_free(e);
}

static void test_stop_requested_between_runs_is_not_lost(void **state)
{
	(void)state;
	/* A signal that arrives between two run_until calls must still stop. */
	struct mc_engine *e = mc_engine_new(4);
	struct log l = {0};
	mc_engine_schedule(e, 1, record, &l, 1);
	mc_engine_stop(e);
	assert_int_equal(mc_engine_run_until(e, 10), MC_EINTR);
	assert_int_equal(l.n, 0);
	assert_int_equal(mc_engine_now(e), 0);
	mc_engine_free(e);
}

static void test_scheduling_in_the_past_aborts(void **state)
{
	(void)state;
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGABRT, SIG_DFL); /* cmocka's handlers must not catch it */
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		struct mc_engine *e = mc_engine_new(4);
		struct log l = {0};
		mc_engine_schedule(e, 10, record, &l, 1);
		mc_engine_step(e);
		mc_engine_schedule(e, 9, record, &l, 2); /* MC_BUG: aborts */
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void test_pending_counts_exclude_cancelled_events(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(4);
	struct log l = {0};
	mc_event_handle h[10];
	for (int i = 0; i < 10; i++)
		h[i] = mc_engine_schedule(e, 100 + i, record, &l, (uint64_t)i);
	assert_int_equal(mc_engine_pending(e), 10);
	for (int i = 0; i < 10; i += 2)
		mc_engine_cancel(e, h[i]);
	assert_int_equal(mc_engine_pending(e), 5);
	assert_true(mc_engine_step(e));
	assert_int_equal(l.got[0], 1);
	assert_int_equal(mc_engine_pending(e), 4);
	drain(e);
	assert_int_equal(mc_engine_pending(e), 0);
	assert_int_equal(l.n, 5);
	mc_engine_free(e);
}

struct probe {
	mc_event_handle self;
	size_t pending_inside;
	mc_time_t next_inside;
	bool self_pending_inside;
};

static void probe_handler(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	struct probe *p = ctx;
	(void)arg;
	p->pending_inside = mc_engine_pending(eng);
	p->self_pending_inside = mc_engine_is_pending(eng, p->self);
	p->next_inside = mc_engine_next_time(eng);
}

static void test_the_event_being_dispatched_is_no_longer_pending(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(4);
	struct log l = {0};
	struct probe p = {0};
	p.self = mc_engine_schedule(e, 5, probe_handler, &p, 0);
	mc_engine_schedule(e, 9, record, &l, 1);
	assert_true(mc_engine_step(e));
	assert_int_equal(p.pending_inside, 1);
	assert_false(p.self_pending_inside);
	assert_int_equal(p.next_inside, 9);
	assert_int_equal(mc_engine_pending(e), 1);
	mc_engine_free(e);
}

static void test_next_time_skips_cancelled_events(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(4);
	struct log l = {0};
	mc_event_handle a = mc_engine_schedule(e, 10, record, &l, 1);
	mc_event_handle b = mc_engine_schedule(e, 20, record, &l, 2);
	mc_engine_schedule(e, 30, record, &l, 3);
	assert_int_equal(mc_engine_next_time(e), 10);
	mc_engine_cancel(e, a);
	mc_engine_cancel(e, b);
	assert_int_equal(mc_engine_next_time(e), 30);
	assert_true(mc_engine_step(e));
	assert_int_equal(mc_engine_next_time(e), MC_TIME_NEVER);
	assert_false(mc_engine_step(e));
	assert_int_equal(l.n, 1);
	assert_int_equal(l.got[0], 3);
	mc_engine_free(e);
}

struct canceller {
	mc_event_handle victims[600];
	int nvictims;
	struct log *log;
};

static void cancel_many_then_schedule(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	struct canceller *c = ctx;
	record(eng, c->log, arg);
	for (int i = 0; i < c->nvictims; i++)
		mc_engine_cancel(eng, c->victims[i]); /* enough to force a purge */
	mc_engine_after(eng, 0, record, c->log, 1000);
}

static void test_a_handler_may_cancel_enough_events_to_force_a_purge(void **state)
{
	(void)state;
	struct mc_engine *e = mc_engine_new(4);
	struct log l = {0};
	struct canceller c = {.nvictims = 600, .log = &l};
	mc_engine_schedule(e, 5, cancel_many_then_schedule, &c, 0);
	for (int i = 0; i < 600; i++)
		c.victims[i] = mc_engine_schedule(e, 6 + i, record, &l, 1 + (uint64_t)i);
	mc_engine_schedule(e, 5, record, &l, 2000); /* a tie with the handler */
	mc_engine_schedule(e, 700, record, &l, 3000);
	drain(e);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.got[0], 0);
	assert_int_equal(l.got[1], 2000);
	assert_int_equal(l.got[2], 1000);
	assert_int_equal(l.got[3], 3000);
	mc_engine_free(e);
}

/* ---- growth: millions of events against a sorted reference ---- */

struct ref {
	mc_time_t t;
	uint64_t id; /* scheduling order */
};

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

struct checker {
	const struct ref *want;
	size_t n, next;
	bool ok;
};

static void check_against_reference(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	struct checker *c = ctx;
	while (c->next < c->n && c->want[c->next].t < 0) /* cancelled */
		c->next++;
	if (c->next >= c->n || c->want[c->next].id != arg ||
	    c->want[c->next].t != mc_engine_now(eng))
		c->ok = false;
	c->next++;
}

static void test_millions_of_events_fire_in_the_order_of_a_sorted_reference(void **state)
{
	(void)state;
	const size_t n = 3000000;
	struct mc_engine *e = mc_engine_new(16); /* grows from tiny */
	gsl_rng *rng = mc_rng_new(7, "test/engine");
	struct ref *ref = malloc(n * sizeof *ref);
	mc_event_handle *h = malloc(n * sizeof *h);
	assert_non_null(ref);
	assert_non_null(h);
	struct checker c = {ref, n, 0, true};
	/* ~3 events per distinct time, so ties are common. */
	for (size_t i = 0; i < n; i++) {
		mc_time_t t = (mc_time_t)gsl_rng_uniform_int(rng, 1000000UL);
		ref[i] = (struct ref){t, i};
		h[i] = mc_engine_schedule(e, t, check_against_reference, &c, i);
	}
	size_t cancelled = 0;
	for (size_t i = 0; i < n; i += 3) {
		cancelled += mc_engine_cancel(e, h[i]);
		ref[i].t = -1; /* sorts first; the checker skips these */
	}
	assert_int_equal(cancelled, (n + 2) / 3);
	assert_int_equal(mc_engine_pending(e), n - cancelled);
	qsort(ref, n, sizeof *ref, cmp_ref);
	assert_int_equal(mc_engine_run_until(e, MC_TIME_NEVER), 0);
	assert_true(c.ok);
	assert_int_equal(c.next, n);
	assert_int_equal(mc_engine_dispatched(e), n - cancelled);
	assert_int_equal(mc_engine_pending(e), 0);
	free(h);
	free(ref);
	gsl_rng_free(rng);
	mc_engine_free(e);
}

/* ---- white-box: the wb_* copy with 10-bit sequence numbers ---- */

static void test_tombstones_never_outnumber_live_events_by_much(void **state)
{
	(void)state;
	struct mc_engine *e = wb_engine_new(4);
	struct log l = {0};
	for (int i = 0; i < 10; i++)
		wb_engine_schedule(e, 1000000 + i, record, &l, (uint64_t)i);
	/* A timer re-armed a million times: schedule, cancel, repeat. */
	size_t most = 0;
	for (int i = 0; i < 1000000; i++) {
		mc_event_handle t = wb_engine_schedule(e, 500 + i % 1000, record, &l, 99);
		assert_true(wb_engine_cancel(e, t));
		most = e->n > most ? e->n : most;
	}
	assert_true(most <= 10 + PURGE_MIN + 1);
	assert_true(e->nbodies <= 10 + PURGE_MIN + 1);
	assert_int_equal(wb_engine_pending(e), 10);
	/* Cancelling most of a large heap shrinks it too. */
	mc_event_handle h[1000];
	for (int i = 0; i < 1000; i++)
		h[i] = wb_engine_schedule(e, 2000 + i, record, &l, 7);
	for (int i = 0; i < 950; i++)
		wb_engine_cancel(e, h[i]);
	assert_true(e->n <= 2 * wb_engine_pending(e) + PURGE_MIN);
	assert_int_equal(wb_engine_pending(e), 60);
	wb_engine_run_until(e, 2999); /* the 50 left fire, none of the cancelled */
	assert_int_equal(l.n, 50);
	assert_int_equal(l.at[0], 2950);
	assert_int_equal(l.got[49], 7);
	wb_engine_free(e);
}

struct fifo_check {
	mc_time_t last_t;
	uint64_t last_id;
	int fired;
	bool ok;
	bool seen[5001];
};

static void check_fifo(struct mc_engine *eng, void *ctx, uint64_t id)
{
	struct fifo_check *c = ctx;
	mc_time_t t = eng->now; /* the wb copy's clock */
	if (c->fired && (t < c->last_t || (t == c->last_t && id <= c->last_id)))
		c->ok = false;
	if (id > 5000 || c->seen[id])
		c->ok = false;
	else
		c->seen[id] = true;
	c->last_t = t;
	c->last_id = id;
	c->fired++;
}

static void test_ties_keep_their_order_across_sequence_renumbering(void **state)
{
	(void)state;
	/* 10-bit sequence numbers: with ~40 events pending, renumbering happens
	 * about every thousand schedules. Events are scheduled at now or now+1
	 * (many ties), so the firing order must be exactly (time, id). */
	struct mc_engine *e = wb_engine_new(4);
	struct fifo_check c = {.ok = true};
	mc_event_handle far = wb_engine_schedule(e, 1000000, check_fifo, &c, 5000);
	for (uint64_t i = 0; i < 5000; i++) {
		wb_engine_schedule(e, e->now + (i % 3 == 0), check_fifo, &c, i);
		if (wb_engine_pending(e) > 40)
			assert_true(wb_engine_step(e));
		assert_true(e->seq <= SEQ_LIMIT);
	}
	assert_true(wb_engine_is_pending(e, far)); /* handles survive renumbering */
	while (wb_engine_step(e))
		;
	assert_true(c.ok);
	assert_int_equal(c.fired, 5001);
	assert_int_equal(c.last_id, 5000);
	wb_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_events_fire_in_time_order),
	    cmocka_unit_test(test_times_across_the_int64_range_keep_their_order),
	    cmocka_unit_test(test_equal_times_fire_in_scheduling_order),
	    cmocka_unit_test(test_event_scheduled_now_from_a_handler_fires_after_earlier_ties),
	    cmocka_unit_test(test_cancel_prevents_firing),
	    cmocka_unit_test(test_cancelling_twice_returns_false_the_second_time),
	    cmocka_unit_test(test_cancelling_a_fired_event_returns_false),
	    cmocka_unit_test(test_stale_handle_is_rejected_after_its_slot_is_reused),
	    cmocka_unit_test(test_run_until_stops_at_the_boundary_and_sets_the_clock),
	    cmocka_unit_test(test_run_until_never_leaves_the_clock_at_the_last_event),
	    cmocka_unit_test(test_stop_from_a_handler_ends_run_until_after_that_event),
	    cmocka_unit_test(test_stop_requested_between_runs_is_not_lost),
	    cmocka_unit_test(test_scheduling_in_the_past_aborts),
	    cmocka_unit_test(test_pending_counts_exclude_cancelled_events),
	    cmocka_unit_test(test_the_event_being_dispatched_is_no_longer_pending),
	    cmocka_unit_test(test_next_time_skips_cancelled_events),
	    cmocka_unit_test(test_a_handler_may_cancel_enough_events_to_force_a_purge),
	    cmocka_unit_test(test_millions_of_events_fire_in_the_order_of_a_sorted_reference),
	    cmocka_unit_test(test_tombstones_never_outnumber_live_events_by_much),
	    cmocka_unit_test(test_ties_keep_their_order_across_sequence_renumbering),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
