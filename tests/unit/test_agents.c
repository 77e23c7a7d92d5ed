/*
 * test_agents.c - agents coming and going under the operator's and the
 * trace's hands: maintenance windows (sim/maintenance.c driving the master
 * and the agents) and capacity changes (a trace machine UPDATE reaching the
 * allocator as Mesos's UpdateSlaveMessage -> updateSlave).
 *
 * The tests build a small world by hand (master, agents, one batch
 * framework, no metrics) and step the engine event by event, so every
 * assertion about "never" is checked after every event of the interval.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mesocosm/alloc.h"
#include "mesocosm/error.h"
#include "models/models.h"
#include "sim/config.h"
#include "sim/maintenance.h"

#define CPU(x) ((int64_t)(x)*1000) /* cpus in thousandths */

struct env {
	struct mc__world *w;
	struct mc_dist delay;
	int32_t role;
	int32_t next_job;
};

static struct mc_resources res(const char *text)
{
	struct mc_resources r;
	struct mc_parse_error e;
	if (mc_resources_parse(&r, text, &e))
		fail_msg("bad resources '%s'", text);
	return r;
}

static void env_init_health(struct env *e, int nagents, const char *agent_res,
			    bool explicit_health_checks)
{
	memset(e, 0, sizeof *e);
	struct mc_parse_error pe;
	if (mc_dist_parse(&e->delay, "const(0.5ms)", MC_DIST_TIME, ".", &pe))
		fail_msg("bad delay");
	struct mc__net_params net;
	memset(&net, 0, sizeof net);
	net.delay[MC__LINK_MASTER_AGENT] = e->delay;
	net.delay[MC__LINK_MASTER_FRAMEWORK] = e->delay;
	e->w = mc__world_new(1, &net);
	struct mc__master_params mp;
	memset(&mp, 0, sizeof mp);
	mc_alloc_config_defaults(&mp.alloc);
	mp.agent_ping_timeout = 15 * MC_SEC;
	mp.max_agent_ping_timeouts = 5;
	mp.default_refuse = 5 * MC_SEC;
	mp.detection_delay = 10 * MC_SEC;
	mp.recovery_timeout = 10 * MC_MIN;
	mp.agent_recovery_factor = 0.8;
	mp.explicit_health_checks = explicit_health_checks;
	mc__master_new(e->w, &mp);
	for (int i = 0; i < nagents; i++) {
		struct mc__agent_params ap;
		memset(&ap, 0, sizeof ap);
		ap.total = res(agent_res);
		ap.rack = -1;
		mc__agent_add(e->w, i, &ap);
	}
	e->role = mc_role_intern("r", 1);
	struct mc__fw_params fp;
	memset(&fp, 0, sizeof fp);
	fp.name = "f";
	fp.role = e->role;
	fp.kind = "batch";
	fp.refuse = 5 * MC_SEC;
	fp.revive_on_new_work = true;
	fp.max_attempts = 1; /* a killed task is resubmitted once */
	mc__framework_add(e->w, 0, &fp);
}

static void env_init(struct env *e, int nagents, const char *agent_res)
{
	env_init_health(e, nagents, agent_res, false);
}

static void env_release(struct env *e)
{
	for (int32_t i = 0; i < e->w->nfws; i++)
		mc__framework_free(e->w->fws[i]);
	for (int32_t i = 0; i < e->w->nagents; i++)
		mc__agent_free(e->w->agents[i]);
	mc__master_free(e->w->master);
	mc__world_free(e->w);
	mc_dist_release(&e->delay);
}

static mc_time_t now(const struct env *e)
{
	return mc_engine_now(e->w->eng);
}

static struct mc_allocator *alloc(const struct env *e)
{
	return mc__master_allocator(e->w->master);
}

/* Submits one job of n tasks of `cpus` cpus and 512 MB each, lasting `dur`. */
static void submit(struct env *e, uint32_t n, int64_t cpus, mc_time_t dur, int32_t *tids)
{
	struct mc_resvec req[8];
	mc_time_t durs[8];
	assert_true(n <= 8);
	for (uint32_t i = 0; i < n; i++) {
		mc_resvec_clear(&req[i]);
		req[i].q[MC_RES_CPUS] = cpus;
		req[i].q[MC_RES_MEM] = 512 * 1000;
		durs[i] = dur;
	}
	mc__framework_submit_job(e->w, 0, e->next_job++, 0, n, req, durs, NULL, tids);
}

static void run_to(struct env *e, mc_time_t t)
{
	mc_engine_run_until(e->w->eng, t);
}

/* What is offered (not launched) to the framework on `agent` now. */
static int64_t offered_cpus(const struct env *e, int32_t agent, bool *any)
{
	const struct mc_resources *h = mc_alloc_held(alloc(e), 0, e->role, agent, true);
	*any = h && !mc_resources_is_empty(h);
	return h ? h->unres.q[MC_RES_CPUS] : 0;
}

static int64_t held_cpus(const struct env *e, int32_t agent)
{
	const struct mc_resources *h = mc_alloc_held(alloc(e), 0, e->role, agent, false);
	return h ? h->unres.q[MC_RES_CPUS] : 0;
}

static struct mc__fw_counters counters(const struct env *e)
{
	struct mc__fw_counters c;
	mc__framework_counters(e->w, 0, &c);
	return c;
}

/* ---- maintenance ----------------------------------------------------------------- */

static void one_window(struct mc_config *c, int32_t agent, mc_time_t start, mc_time_t duration,
                       mc_time_t drain)
{
	mc_config_init(c);
	c->maintenance = mc_xcalloc(1, sizeof *c->maintenance);
	c->nmaintenance = 1;
	struct mc_config_maintenance *m = &c->maintenance[0];
	m->group = -1;
	m->nranges = 1;
	m->ranges = mc_xcalloc(1, sizeof *m->ranges);
	m->ranges[0][0] = m->ranges[0][1] = agent;
	m->start = start;
	m->duration = duration;
	m->drain = drain;
}

static void
test_drained_agent_gets_no_offers_then_its_tasks_are_killed_and_rerun_elsewhere(void **st)
{
	(void)st;
	struct env e;
	env_init(&e, 2, "cpus:4;mem:8192");
	int32_t tids[2];
	run_to(&e, 2 * MC_SEC); /* both agents registered, framework subscribed */
	submit(&e, 2, CPU(1), 1000 * MC_SEC, tids);
	run_to(&e, 5 * MC_SEC);
	/* First fit puts both tasks in the first offer: on one agent, X. */
	int32_t x = mc__task_at(e.w, tids[0])->agent, y = 1 - x;
	assert_true(x == 0 || x == 1);
	assert_int_equal(mc__task_at(e.w, tids[1])->agent, x);
	assert_int_equal(held_cpus(&e, x), CPU(2));

	struct mc_config c;
	one_window(&c, x, 20 * MC_SEC, 30 * MC_SEC, 10 * MC_SEC);
	struct mc__maintenance *mt = mc__maintenance_new(e.w, &c);

	/* Before the drain X, with 2 cpus free, is offered again and again. */
	bool offered_before = false;
	while (mc_engine_next_time(e.w->eng) < 10 * MC_SEC && mc_engine_step(e.w->eng)) {
		bool any;
		offered_cpus(&e, x, &any);
		offered_before |= any;
	}
	assert_true(offered_before);

	/* Draining [10 s, 20 s): X holds nothing offered after any event, and
	 * a job arriving now runs on Y although X has room for it. */
	int32_t tids2[2];
	bool submitted = false;
	while (mc_engine_next_time(e.w->eng) < 20 * MC_SEC && mc_engine_step(e.w->eng)) {
		bool any;
		offered_cpus(&e, x, &any);
		if (now(&e) >= 10 * MC_SEC)
			assert_false(any);
		if (!submitted && now(&e) >= 12 * MC_SEC) {
			submit(&e, 2, CPU(1), 1000 * MC_SEC, tids2);
			submitted = true;
		}
	}
	assert_true(submitted);
	assert_int_equal(mc__task_at(e.w, tids2[0])->agent, y);
	assert_int_equal(mc__task_at(e.w, tids2[1])->agent, y);
	assert_int_equal(held_cpus(&e, x), CPU(2)); /* its tasks still run */
	/* Deactivated, not removed: X still counts in the DRF denominators. */
	assert_int_equal(mc_alloc_total(alloc(&e))->q[MC_RES_CPUS], CPU(8));
	assert_int_equal(counters(&e).tasks_killed, 0);

	/* At 20 s X goes down: its two tasks are KILLED, resubmitted (max_attempts
	 * 1) and launched on Y; X's total leaves the allocator. */
	run_to(&e, 21 * MC_SEC);
	struct mc__fw_counters fc = counters(&e);
	assert_int_equal(fc.tasks_killed, 2);
	assert_int_equal(mc__master_maintenance_kills(e.w->master), 2);
	assert_int_equal(mc__maintenance_downs(mt), 1);
	assert_false(mc__agent_is_up(e.w, x));
	assert_int_equal(mc_alloc_total(alloc(&e))->q[MC_RES_CPUS], CPU(4));
	assert_int_equal(held_cpus(&e, y), CPU(4));
	assert_int_equal(fc.tasks_running, 4);
	assert_int_equal(fc.tasks_pending, 0);

	/* Down until 50 s: X never registers, never gets an offer. */
	while (mc_engine_next_time(e.w->eng) < 50 * MC_SEC && mc_engine_step(e.w->eng)) {
		bool any;
		offered_cpus(&e, x, &any);
		assert_false(any);
		assert_int_equal(mc_alloc_total(alloc(&e))->q[MC_RES_CPUS], CPU(4));
	}

	/* At 50 s it comes back empty, registers (backoff U[0, 1 s]) and is
	 * offered again, whole. */
	run_to(&e, 52 * MC_SEC);
	assert_true(mc__agent_is_up(e.w, x));
	assert_int_equal(mc_alloc_total(alloc(&e))->q[MC_RES_CPUS], CPU(8));
	bool offered_after = false;
	int64_t most = 0;
	while (mc_engine_next_time(e.w->eng) < 70 * MC_SEC && mc_engine_step(e.w->eng)) {
		bool any;
		int64_t cpus = offered_cpus(&e, x, &any);
		offered_after |= any;
		if (cpus > most)
			most = cpus;
	}
	assert_true(offered_after);
	assert_int_equal(most, CPU(4));
	assert_int_equal(counters(&e).tasks_killed, 2);

	mc__maintenance_free(mt);
	mc_config_release(&c);
	env_release(&e);
}

static void test_agent_already_down_at_maintenance_start_is_not_brought_back(void **st)
{
	(void)st;
	struct env e;
	env_init(&e, 2, "cpus:4;mem:8192");
	run_to(&e, 2 * MC_SEC);
	mc__agent_fail(e.w, 0);
	struct mc_config c;
	one_window(&c, 0, 10 * MC_SEC, 10 * MC_SEC, 0);
	struct mc__maintenance *mt = mc__maintenance_new(e.w, &c);
	run_to(&e, 40 * MC_SEC);
	assert_false(mc__agent_is_up(e.w, 0));
	assert_true(mc__agent_is_up(e.w, 1));
	assert_int_equal(mc__master_maintenance_kills(e.w->master), 0);
	mc__maintenance_free(mt);
	mc_config_release(&c);
	env_release(&e);
}

/* ---- choosing the agents ---------------------------------------------------------- */

static int load_text(const char *text, struct mc_config *c, char *err, size_t n)
{
	char path[] = "/tmp/mc_test_agents_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	int rc = mc_config_load(c, path, err, n);
	remove(path);
	return rc;
}

#define BASE                                                                                       \
	"agents:\n"                                                                                \
	"  - {count: 10, resources: \"cpus:1;mem:1024\"}\n"                                        \
	"  - {count: 6, resources: \"cpus:8;mem:1024\", name_prefix: gpu}\n"                       \
	"frameworks: [{name: a, workload: {synthetic: {arrival: 1s, jobs: 1, task_duration: 1s, "  \
	"task_resources: {cpus: 1}}}}]\n"

static void test_maintenance_selects_agents_by_group_index_range_and_seed(void **st)
{
	(void)st;
	struct mc_config c;
	char err[1024] = "";
	int rc = load_text(BASE "maintenance:\n"
	                        "  - {group: gpu, agents: \"1-2,5\", start: 1h, duration: 10m}\n"
	                        "  - {group: gpu, start: 2h, duration: 10m, drain: 5m}\n"
	                        "  - {agents: [\"3\", \"12\"], start: 1m, duration: 1m}\n"
	                        "  - {group: 1, count: 2, start: 1m, duration: 1m}\n"
	                        "  - {fraction: 0.25, start: 1m, duration: 1m}\n",
	                   &c, err, sizeof err);
	if (rc)
		fail_msg("%s", err);
	assert_int_equal(c.nmaintenance, 5);
	assert_int_equal(c.maintenance[1].drain, 5 * MC_MIN);
	int32_t ids[16], again[16];
	/* group indices are within the group: the gpu agents are ids 10..15 */
	assert_int_equal(mc__maintenance_choose(&c, 0, 16, ids), 3);
	assert_int_equal(ids[0], 11);
	assert_int_equal(ids[1], 12);
	assert_int_equal(ids[2], 15);
	assert_int_equal(mc__maintenance_choose(&c, 1, 16, ids), 6);
	assert_int_equal(ids[0], 10);
	assert_int_equal(ids[5], 15);
	/* without a group, agent ids */
	assert_int_equal(mc__maintenance_choose(&c, 2, 16, ids), 2);
	assert_int_equal(ids[0], 3);
	assert_int_equal(ids[1], 12);
	/* count within the group, from the seed */
	assert_int_equal(mc__maintenance_choose(&c, 3, 16, ids), 2);
	assert_true(ids[0] >= 10 && ids[1] > ids[0] && ids[1] <= 15);
	assert_int_equal(mc__maintenance_choose(&c, 3, 16, again), 2);
	assert_memory_equal(ids, again, 2 * sizeof ids[0]);
	/* a fraction of all 16 */
	assert_int_equal(mc__maintenance_choose(&c, 4, 16, ids), 4);
	c.seed = 7;
	int32_t other[16];
	bool differs = false;
	for (int s = 0; s < 20 && !differs; s++) {
		c.seed = 7 + (uint64_t)s;
		mc__maintenance_choose(&c, 4, 16, other);
		differs = memcmp(ids, other, 4 * sizeof ids[0]) != 0;
	}
	assert_true(differs);
	mc_config_release(&c);
}

static void expect_error(const char *text, int code, const char *where, const char *what)
{
	struct mc_config c;
	char err[1024] = "";
	int rc = load_text(text, &c, err, sizeof err);
	if (rc != code)
		fail_msg("expected %d, got %d: %s", code, rc, err);
	if (!strstr(err, where) || !strstr(err, what))
		fail_msg("message '%s' lacks '%s' or '%s'", err, where, what);
}

static void test_bad_maintenance_items_are_rejected_at_their_position(void **st)
{
	(void)st;
	expect_error(BASE "maintenance:\n  - {agents: \"1\", start: 1m, duraton: 1m}\n", MC_EPARSE,
	             ":6:", "duraton");
	expect_error(BASE "maintenance:\n  - {agents: \"1\", start: 1m}\n", MC_EPARSE,
	             ":6:", "'duration' is required");
	expect_error(BASE "maintenance:\n  - {agents: \"1\", start: 1m, duration: 1m, drain: 2m}\n",
	             MC_ERANGE, ":6:", "maintenance.0.drain");
	expect_error(BASE "maintenance:\n  - {start: 1m, duration: 1m}\n", MC_EPARSE,
	             ":6:", "give 'group'");
	expect_error(BASE "maintenance:\n  - {count: 2, fraction: 0.5, start: 1m, duration: 1m}\n",
	             MC_EPARSE, ":6:", "give 'group'");
	expect_error(BASE "maintenance:\n  - {group: cpu, start: 1m, duration: 1m}\n", MC_EPARSE,
	             ":6:", "no agent group with name_prefix 'cpu'");
	expect_error(BASE "maintenance:\n  - {group: 2, start: 1m, duration: 1m}\n", MC_ERANGE,
	             ":6:", "no agent group 2");
	expect_error(BASE
	             "maintenance:\n  - {group: gpu, agents: \"4-6\", start: 1m, duration: 1m}\n",
	             MC_ERANGE, ":6:", "maintenance.0.agents");
	expect_error(BASE "maintenance:\n  - {count: 17, start: 1m, duration: 1m}\n", MC_ERANGE,
	             ":6:", "maintenance.0.count");
	expect_error(BASE "maintenance:\n  - {agents: \"1\", start: 1m, duration: 0s}\n", MC_ERANGE,
	             ":6:", "duration");
}

/* ---- capacity updates --------------------------------------------------------------- */

static void
test_machine_update_changes_the_allocator_total_and_running_tasks_keep_running(void **st)
{
	(void)st;
	struct env e;
	env_init(&e, 1, "cpus:4;mem:8192");
	run_to(&e, 2 * MC_SEC);
	assert_int_equal(mc_alloc_total(alloc(&e))->q[MC_RES_CPUS], CPU(4));
	int32_t t1[1], t2[1];
	submit(&e, 1, CPU(3), 30 * MC_SEC, t1);
	run_to(&e, 5 * MC_SEC);
	assert_int_equal(held_cpus(&e, 0), CPU(3));

	/* Grow to 8 cpus: the allocator's total follows one hop later, and a
	 * 4-cpu task that did not fit before now launches. */
	struct mc_resources big = res("cpus:8;mem:8192");
	mc__agent_update_total(e.w, 0, &big);
	assert_int_equal(mc_alloc_total(alloc(&e))->q[MC_RES_CPUS], CPU(4)); /* in flight */
	run_to(&e, 5 * MC_SEC + 2 * MC_MSEC);
	assert_int_equal(mc_alloc_total(alloc(&e))->q[MC_RES_CPUS], CPU(8));
	submit(&e, 1, CPU(4), 30 * MC_SEC, t2);
	run_to(&e, 8 * MC_SEC);
	assert_int_equal(held_cpus(&e, 0), CPU(7));

	/* Shrink to 2 cpus, below the 7 in use: both tasks keep running, and
	 * no cpus are offered until enough of them end. */
	struct mc_resources small = res("cpus:2;mem:8192");
	mc__agent_update_total(e.w, 0, &small);
	while (mc_engine_next_time(e.w->eng) < 34 * MC_SEC && mc_engine_step(e.w->eng)) {
		bool any;
		assert_int_equal(offered_cpus(&e, 0, &any), 0);
		if (now(&e) >= 8 * MC_SEC + 2 * MC_MSEC)
			assert_int_equal(mc_alloc_total(alloc(&e))->q[MC_RES_CPUS], CPU(2));
	}
	struct mc__fw_counters fc = counters(&e);
	assert_int_equal(fc.tasks_running, 1); /* the first ended at ~32 s */
	assert_int_equal(fc.tasks_finished, 1);
	assert_int_equal(fc.tasks_killed + fc.tasks_failed + fc.tasks_lost, 0);
	/* After both end the whole new total, 2 cpus, is offered. */
	int64_t most = 0;
	while (mc_engine_next_time(e.w->eng) < 60 * MC_SEC && mc_engine_step(e.w->eng)) {
		bool any;
		int64_t cpus = offered_cpus(&e, 0, &any);
		if (cpus > most)
			most = cpus;
	}
	assert_int_equal(counters(&e).tasks_finished, 2);
	assert_int_equal(most, CPU(2));
	assert_int_equal(mc_alloc_total(alloc(&e))->q[MC_RES_CPUS], CPU(2));
	env_release(&e);
}

static void test_update_while_registration_travels_is_reported_after_it(void **st)
{
	(void)st;
	struct env e;
	env_init(&e, 1, "cpus:4;mem:8192");
	/* Step until the agent's first REGISTER_AGENT is on the wire. */
	while (e.w->msgs_by_type[MC__MSG_REGISTER_AGENT] == 0 && mc_engine_step(e.w->eng))
		;
	struct mc_resources big = res("cpus:16;mem:8192");
	mc__agent_update_total(e.w, 0, &big);
	assert_int_equal(e.w->msgs_by_type[MC__MSG_UPDATE_AGENT], 0);
	run_to(&e, now(&e) + 5 * MC_MSEC);
	/* Registered with the old total, told the new one right after. */
	assert_int_equal(e.w->msgs_by_type[MC__MSG_UPDATE_AGENT], 1);
	assert_int_equal(mc_alloc_total(alloc(&e))->q[MC_RES_CPUS], CPU(16));
	env_release(&e);
}

static void test_update_of_a_down_agent_takes_effect_when_it_registers_again(void **st)
{
	(void)st;
	struct env e;
	env_init(&e, 2, "cpus:4;mem:8192");
	run_to(&e, 2 * MC_SEC);
	mc__agent_fail(e.w, 1);
	struct mc_resources big = res("cpus:12;mem:8192");
	mc__agent_update_total(e.w, 1, &big);
	run_to(&e, 3 * MC_SEC);
	assert_int_equal(mc_alloc_total(alloc(&e))->q[MC_RES_CPUS], CPU(8)); /* not yet known */
	run_to(&e, 200 * MC_SEC); /* the master has declared it lost by now */
	assert_int_equal(mc_alloc_total(alloc(&e))->q[MC_RES_CPUS], CPU(4));
	mc__agent_recover(e.w, 1);
	run_to(&e, 202 * MC_SEC);
	assert_int_equal(mc_alloc_total(alloc(&e))->q[MC_RES_CPUS], CPU(16));
	env_release(&e);
}

/* ---- health checks ------------------------------------------------------------- */

struct health_run {
	mc_time_t lost_at;   /* when agent 2's task was reported LOST */
	uint64_t msgs_sent;  /* all messages by 300 s */
	uint64_t events;     /* events dispatched by 300 s */
	bool implicit_at_30; /* every agent checked without events at 30 s */
};

/* Three agents; agent 1 fails at 40 s and is back 1 ms later (its
 * registration then replaces the old incarnation); agent 2 fails at 50 s
 * for good and its task must be reported LOST 75-90 s later. */
static struct health_run health_scenario(bool explicit_health_checks)
{
	struct health_run out = {.lost_at = MC_TIME_NEVER};
	struct env e;
	env_init_health(&e, 3, "cpus:1;mem:4096", explicit_health_checks);
	run_to(&e, 2 * MC_SEC);
	int32_t tids[3];
	submit(&e, 3, CPU(1), 1000 * MC_SEC, tids); /* one task per agent */
	run_to(&e, 30 * MC_SEC);
	out.implicit_at_30 = true;
	for (int32_t i = 0; i < 3; i++)
		out.implicit_at_30 &= mc__master_agent_checked_implicitly(e.w->master, i);
	run_to(&e, 40 * MC_SEC);
	mc__agent_fail(e.w, 1);
	run_to(&e, 40 * MC_SEC + MC_MSEC);
	mc__agent_recover(e.w, 1);
	run_to(&e, 50 * MC_SEC);
	uint64_t lost = counters(&e).tasks_lost; /* agent 1's task, found out at once */
	assert_int_equal(lost, 1);
	mc__agent_fail(e.w, 2);
	while (mc_engine_next_time(e.w->eng) <= 300 * MC_SEC && mc_engine_step(e.w->eng))
		if (out.lost_at == MC_TIME_NEVER && counters(&e).tasks_lost > lost)
			out.lost_at = now(&e);
	run_to(&e, 300 * MC_SEC);
	mc__master_finish(e.w);
	out.msgs_sent = e.w->msgs_sent;
	out.events = mc_engine_dispatched(e.w->eng);
	assert_int_equal(counters(&e).tasks_lost, 2);
	env_release(&e);
	return out;
}

static void test_implicit_health_checks_find_a_failure_as_explicit_ones_do(void **st)
{
	(void)st;
	struct health_run imp = health_scenario(false), exp = health_scenario(true);
	assert_true(imp.implicit_at_30);
	assert_false(exp.implicit_at_30);
	assert_true(imp.lost_at >= 50 * MC_SEC + 75 * MC_SEC - MC_MSEC);
	assert_true(imp.lost_at <= 50 * MC_SEC + 90 * MC_SEC);
	assert_int_equal(imp.lost_at, exp.lost_at);
	assert_int_equal(imp.msgs_sent, exp.msgs_sent);
	assert_true(imp.events < exp.events);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
	        test_drained_agent_gets_no_offers_then_its_tasks_are_killed_and_rerun_elsewhere),
	    cmocka_unit_test(test_agent_already_down_at_maintenance_start_is_not_brought_back),
	    cmocka_unit_test(test_maintenance_selects_agents_by_group_index_range_and_seed),
	    cmocka_unit_test(test_bad_maintenance_items_are_rejected_at_their_position),
	    cmocka_unit_test(
	        test_machine_update_changes_the_allocator_total_and_running_tasks_keep_running),
	    cmocka_unit_test(test_update_while_registration_travels_is_reported_after_it),
	    cmocka_unit_test(test_update_of_a_down_agent_takes_effect_when_it_registers_again),
	    cmocka_unit_test(test_implicit_health_checks_find_a_failure_as_explicit_ones_do),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
