/*
 * master.c - the Mesos master model.
 *
 * The master registers agents and frameworks, runs the allocation core
 * (include/mesocosm/alloc.h) in-process as Mesos does, turns its offers into
 * OFFER messages, and handles ACCEPT (launch: offered -> allocated, the
 * unused part declined with the accept's filter), DECLINE (with filter),
 * SUPPRESS and REVIVE. It forwards status updates between agents and
 * frameworks, recovers a task's resources as soon as it sees the task's
 * terminal state, and checks agents' health (health.c): a ping every
 * agent_ping_timeout; max_agent_ping_timeouts pings in a row without a pong
 * mark the agent unreachable, which removes it from the allocator, rescinds
 * its offers and reports its tasks LOST.
 *
 * The allocator never reads a clock: the master passes the engine's time to
 * every call and serves its timers and run requests with engine events.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "mesocosm/error.h"
#include "mesocosm/rng.h"
#include "models/health.h"
#include "models/models.h"
#include "sim/metrics.h"

struct master_agent {
	bool registered;
	uint32_t incarnation;
	bool lost;            /* declared unreachable; its tasks were reported LOST */
	int32_t tasks_head;   /* launched, not yet terminal (master_next/prev) */
	struct mc_resvec total;
	int32_t rack;
	bool counted;         /* its total is in the metrics' cluster total */
	mc_time_t freed_at;   /* earliest free-up not offered since, or MC_TIME_NEVER */
	bool expected;        /* registered with the previous leader (failover recovery) */
	uint8_t maint;        /* enum mc__maint_mode; kept across failovers (registry) */
};

struct master_fw {
	bool subscribed;
	bool disconnected;          /* its scheduler's connection closed */
	bool removed;               /* failover_timeout passed: its tasks were killed */
	int32_t role;
	mc_time_t failover_timeout; /* from its SUBSCRIBE */
	uint64_t failover_timer;    /* pending removal, or 0 */
};

struct master_offer {
	uint32_t gen;
	bool live;
	int32_t fw, agent, role;
	struct mc_resources res;
	mc_time_t made;
	mc_event_handle timeout;
	int32_t next_free;
};

struct master_timer {
	uint32_t gen;
	bool live;
	void (*fire)(void *obj, uint64_t data);
	void *obj;
	uint64_t data;
	mc_event_handle ev;
	int32_t next_free;
};

static void new_allocator(struct mc__master *m, mc_time_t now);

struct mc__master {
	struct mc__world *w;
	struct mc__master_params p;
	struct mc_allocator *alloc;
	gsl_rng *alloc_rng;
	uint32_t epoch;
	struct mc__health *health; /* agent health checks (health.h) */

	struct master_agent *agents;
	size_t agents_cap;
	struct master_fw *fws;
	size_t fws_cap;

	struct master_offer *offers;
	size_t noffers, offers_cap;
	int32_t offer_free;

	struct master_timer *timers;
	size_t ntimers, timers_cap;
	int32_t timer_free;

	bool run_scheduled;
	uint64_t offers_made, offers_declined, offers_rescinded, runs;

	/* processing-cost model: one server, FIFO; items are messages (copied)
	 * or allocation runs (type MC__MSG_TYPE_COUNT) */
	bool costed;
	struct mc__msg *inbox;
	size_t in_head, in_len, in_cap;
	bool busy;
	struct mc__msg in_service;
	gsl_rng *cost_rng;
	int32_t nagents_registered, nfws_subscribed;

	/* leader failover */
	bool down;
	int32_t expected_agents;   /* known to the previous leader, still to re-register */
	int32_t reregistered;      /* of those, re-registered with this leader */
	bool paused;
	uint64_t resume_timer;
	uint64_t reregister_timer;
	uint64_t failovers;
	mc_time_t failed_at, recovered_at;
	uint64_t not_reregistered; /* known agents given up after failovers */

	uint64_t maint_killed; /* tasks killed because their agent went down for maintenance */
};

#define ITEM_ALLOC_RUN MC__MSG_TYPE_COUNT

/* Published Mesos 1.7.1 allocation cycle times (reference §4.3: 1k/100
 * 0.1 s, 5k/500 0.5 s, 10k/1k 1.45 s, 20k/2k 4.4 s) fitted as
 * a x agents + b x agents x frameworks: within 5 % from 5k agents up,
 * 32 % low at 1k agents. See docs/models.md. */
#define MESOS17_PER_AGENT 6e-5
#define MESOS17_PER_AGENT_FW 8e-8

static struct master_agent *magent(struct mc__master *m, int32_t id)
{
	if ((size_t)id >= m->agents_cap) {
		size_t old = m->agents_cap;
		mc_xgrow(&m->agents, &m->agents_cap, (size_t)id + 1, sizeof *m->agents);
		memset(m->agents + old, 0, (m->agents_cap - old) * sizeof *m->agents);
		for (size_t i = old; i < m->agents_cap; i++)
			m->agents[i].tasks_head = -1;
	}
	return &m->agents[id];
}

static struct master_fw *mfw(struct mc__master *m, int32_t id)
{
	if ((size_t)id >= m->fws_cap) {
		size_t old = m->fws_cap;
		mc_xgrow(&m->fws, &m->fws_cap, (size_t)id + 1, sizeof *m->fws);
		memset(m->fws + old, 0, (m->fws_cap - old) * sizeof *m->fws);
	}
	return &m->fws[id];
}

static void address(struct mc__master *m, struct mc__msg *msg, int dst_kind, int32_t dst)
{
	msg->src_kind = MC__EP_MASTER;
	msg->src = 0;
	msg->dst_kind = (uint8_t)dst_kind;
	msg->dst = dst;
	msg->epoch = m->epoch;
}

static void send(struct mc__master *m, struct mc__msg *msg, int dst_kind, int32_t dst)
{
	address(m, msg, dst_kind, dst);
	mc__net_send(m->w, msg);
}

/* ---- allocator host: timers, run requests, offers, randomness ----------- */

static void timer_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__master *m = ctx;
	int32_t slot = (int32_t)(uint32_t)arg;
	struct master_timer *t = &m->timers[slot];
	if (!t->live || t->gen != (uint32_t)(arg >> 32))
		return;
	t->live = false;
	t->next_free = m->timer_free;
	m->timer_free = slot;
	t->fire(t->obj, t->data);
}

static uint64_t host_timer_start(void *ctx, mc_time_t at, void (*fire)(void *obj, uint64_t data),
				 void *obj, uint64_t data)
{
	struct mc__master *m = ctx;
	int32_t slot;
	if (m->timer_free >= 0) {
		slot = m->timer_free;
		m->timer_free = m->timers[slot].next_free;
	} else {
		mc_xgrow(&m->timers, &m->timers_cap, m->ntimers + 1, sizeof *m->timers);
		slot = (int32_t)m->ntimers++;
		m->timers[slot].gen = 0;
	}
	struct master_timer *t = &m->timers[slot];
	t->gen++;
	t->live = true;
	t->fire = fire;
	t->obj = obj;
	t->data = data;
	uint64_t id = ((uint64_t)t->gen << 32) | (uint32_t)slot;
	mc_time_t now = mc_engine_now(m->w->eng);
	t->ev = mc_engine_schedule(m->w->eng, at < now ? now : at, timer_event, m, id);
	return id;
}

static void host_timer_cancel(void *ctx, uint64_t id)
{
	struct mc__master *m = ctx;
	int32_t slot = (int32_t)(uint32_t)id;
	if (slot < 0 || (size_t)slot >= m->ntimers)
		return;
	struct master_timer *t = &m->timers[slot];
	if (!t->live || t->gen != (uint32_t)(id >> 32))
		return;
	mc_engine_cancel(m->w->eng, t->ev);
	t->live = false;
	t->next_free = m->timer_free;
	m->timer_free = slot;
}

static void enqueue(struct mc__master *m, const struct mc__msg *item);

static void do_alloc_run(struct mc__master *m, mc_time_t cost)
{
	m->run_scheduled = false;
	m->runs++;
	mc_alloc_run(m->alloc, mc_engine_now(m->w->eng));
	mc_metrics_alloc_run(m->w->metrics, mc_engine_now(m->w->eng), cost);
}

static void run_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	(void)arg;
	struct mc__master *m = ctx;
	if (!m->costed) {
		do_alloc_run(m, 0);
		return;
	}
	struct mc__msg item;
	memset(&item, 0, sizeof item);
	item.type = ITEM_ALLOC_RUN;
	enqueue(m, &item);
}

static void host_request_run(void *ctx)
{
	struct mc__master *m = ctx;
	if (m->run_scheduled)
		return;
	m->run_scheduled = true;
	mc_engine_after(m->w->eng, 0, run_event, m, 0);
}

static void offer_timeout_event(struct mc_engine *eng, void *ctx, uint64_t arg);

static int64_t offer_new(struct mc__master *m, int32_t fw, int32_t agent, int32_t role,
			 const struct mc_resources *res)
{
	int32_t slot;
	if (m->offer_free >= 0) {
		slot = m->offer_free;
		m->offer_free = m->offers[slot].next_free;
	} else {
		mc_xgrow(&m->offers, &m->offers_cap, m->noffers + 1, sizeof *m->offers);
		slot = (int32_t)m->noffers++;
		m->offers[slot].gen = 0;
	}
	struct master_offer *o = &m->offers[slot];
	o->gen++;
	o->live = true;
	o->fw = fw;
	o->agent = agent;
	o->role = role;
	mc_resources_copy(&o->res, res);
	o->made = mc_engine_now(m->w->eng);
	o->timeout = 0;
	int64_t id = (int64_t)(((uint64_t)o->gen << 32) | (uint32_t)slot);
	if (m->p.offer_timeout > 0)
		o->timeout = mc_engine_after(m->w->eng, m->p.offer_timeout, offer_timeout_event, m,
					     (uint64_t)id);
	return id;
}

static struct master_offer *offer_find(struct mc__master *m, int64_t id)
{
	int32_t slot = (int32_t)(uint32_t)id;
	if (slot < 0 || (size_t)slot >= m->noffers)
		return NULL;
	struct master_offer *o = &m->offers[slot];
	return o->live && o->gen == (uint32_t)((uint64_t)id >> 32) ? o : NULL;
}

static void offer_remove(struct mc__master *m, struct master_offer *o)
{
	if (o->timeout)
		mc_engine_cancel(m->w->eng, o->timeout);
	o->timeout = 0;
	o->live = false;
	o->next_free = m->offer_free;
	m->offer_free = (int32_t)(o - m->offers);
}

/* The run's offers for one framework go out as one OFFER message. */
static void host_offer(void *ctx, int32_t fw, const struct mc_offer *offers, size_t n)
{
	struct mc__master *m = ctx;
	mc_time_t now = mc_engine_now(m->w->eng);
	struct mc__msg *head = NULL, *tail = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct mc_offer *of = &offers[i];
		int64_t id = offer_new(m, fw, of->agent, of->role, &of->resources);
		struct mc__msg *msg = mc__msg_alloc(m->w, MC__MSG_OFFER);
		msg->u.offer.offer_id = id;
		msg->u.offer.agent = of->agent;
		msg->u.offer.role = of->role;
		msg->u.offer.rack = magent(m, of->agent)->rack;
		mc_resources_copy(&msg->u.offer.res, &of->resources);
		m->offers_made++;
		struct mc_resvec q;
		mc_resources_sum(&of->resources, &q);
		mc_metrics_offer_made(m->w->metrics, now, fw, &q);
		struct master_agent *ma = magent(m, of->agent);
		if (ma->freed_at != MC_TIME_NEVER) {
			mc_metrics_free_to_offer(m->w->metrics, now, ma->freed_at);
			ma->freed_at = MC_TIME_NEVER;
		}
		if (tail)
			tail->more = msg->id;
		else
			head = msg;
		tail = msg;
	}
	if (head)
		send(m, head, MC__EP_FRAMEWORK, fw);
}

static uint32_t host_random(void *ctx)
{
	struct mc__master *m = ctx;
	return (uint32_t)gsl_rng_get(m->alloc_rng);
}

static void offer_ended(struct mc__master *m, const struct master_offer *o, enum mc_offer_end how)
{
	struct mc_resvec q;
	mc_resources_sum(&o->res, &q);
	mc_metrics_offer_ended(m->w->metrics, mc_engine_now(m->w->eng), o->fw, &q, o->made, how);
}

/* ---- offers: rescind, timeout ---------------------------------------------- */

static void rescind(struct mc__master *m, struct master_offer *o, bool recover,
		    enum mc_offer_end how)
{
	struct mc__msg *msg = mc__msg_alloc(m->w, MC__MSG_RESCIND);
	int64_t id = (int64_t)(((uint64_t)o->gen << 32) | (uint32_t)(o - m->offers));
	msg->u.offer.offer_id = id;
	msg->u.offer.agent = o->agent;
	msg->u.offer.role = o->role;
	m->offers_rescinded++;
	offer_ended(m, o, how);
	if (recover)
		mc_alloc_recover(m->alloc, mc_engine_now(m->w->eng), o->fw, o->role, o->agent, &o->res, 0);
	int32_t fw = o->fw;
	offer_remove(m, o);
	send(m, msg, MC__EP_FRAMEWORK, fw);
}

/* Rescinds every outstanding offer on `agent` (or of `fw`; -1 = any). */
static void rescind_offers(struct mc__master *m, int32_t agent, int32_t fw, bool recover)
{
	for (size_t i = 0; i < m->noffers; i++) {
		const struct master_offer *o = &m->offers[i];
		if (o->live && (agent < 0 || o->agent == agent) && (fw < 0 || o->fw == fw))
			rescind(m, &m->offers[i], recover, MC_OFFER_RESCINDED);
	}
}

static void offer_timeout_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__master *m = ctx;
	struct master_offer *o = offer_find(m, (int64_t)arg);
	if (!o)
		return;
	o->timeout = 0;
	rescind(m, o, true, MC_OFFER_TIMED_OUT);
}

/* ---- tasks as the master sees them ---------------------------------------------- */

static void mlist_push(struct mc__master *m, struct master_agent *a, int32_t tid)
{
	struct mc__task *t = mc__task_at(m->w, tid);
	t->master_prev = -1;
	t->master_next = a->tasks_head;
	if (a->tasks_head >= 0)
		mc__task_at(m->w, a->tasks_head)->master_prev = tid;
	a->tasks_head = tid;
}

static void mlist_remove(struct mc__master *m, struct master_agent *a, int32_t tid)
{
	struct mc__task *t = mc__task_at(m->w, tid);
	if (t->master_prev >= 0)
		mc__task_at(m->w, t->master_prev)->master_next = t->master_next;
	else
		a->tasks_head = t->master_next;
	if (t->master_next >= 0)
		mc__task_at(m->w, t->master_next)->master_prev = t->master_prev;
	t->master_next = t->master_prev = -2; /* -2: not on any list */
}

/* A task's resources count in the metrics' allocated from its launch until
 * a master learns that it ended (t->counted); this knowledge survives a
 * leader failover, as the tasks do. */
static void count_allocated(struct mc__master *m, struct mc__task *t, bool on)
{
	if (t->counted == on)
		return;
	t->counted = on;
	mc_metrics_allocated(m->w->metrics, mc_engine_now(m->w->eng), t->framework, &t->req,
			     on ? +1 : -1);
}

static void send_update(struct mc__master *m, int32_t tid, int state, bool invalid_offer)
{
	struct mc__task *t = mc__task_at(m->w, tid);
	struct mc__msg *msg = mc__msg_alloc(m->w, MC__MSG_UPDATE);
	msg->u.status.task = tid;
	msg->u.status.task_gen = t->gen;
	msg->u.status.state = (uint8_t)state;
	msg->u.status.invalid_offer = invalid_offer;
	msg->u.status.agent = t->agent;
	send(m, msg, MC__EP_FRAMEWORK, t->framework);
}

/* ---- agents ------------------------------------------------------------------------ */

/* Removes a registered agent: its offers are rescinded, it leaves the
 * allocator (its total and everything offered or allocated there), and its
 * tasks end in `state` (LOST when unreachable, KILLED by maintenance). */
static void remove_agent(struct mc__master *m, int32_t id, int state)
{
	struct master_agent *a = magent(m, id);
	mc_time_t now = mc_engine_now(m->w->eng);
	mc__health_stop(m->health, id);
	rescind_offers(m, id, -1, false); /* the allocator drops them with the agent */
	mc_alloc_remove_agent(m->alloc, now, id);
	while (a->tasks_head >= 0) {
		int32_t tid = a->tasks_head;
		struct mc__task *t = mc__task_at(m->w, tid);
		mlist_remove(m, a, tid);
		count_allocated(m, t, false);
		send_update(m, tid, state, false);
		if (state == MC__TASK_KILLED)
			m->maint_killed++;
	}
	if (a->counted)
		mc_metrics_agent_removed(m->w->metrics, now, &a->total);
	a->counted = false;
	a->registered = false;
	m->nagents_registered--;
}

static void agent_lost(struct mc__master *m, int32_t id)
{
	remove_agent(m, id, MC__TASK_LOST);
	magent(m, id)->lost = true;
}

/* Health-check callbacks (health.h). */
static void health_lost(void *ctx, int32_t agent) { agent_lost(ctx, agent); }

static void health_send_ping(void *ctx, int32_t agent, uint64_t seq, mc_time_t sent_at, bool count)
{
	struct mc__master *m = ctx;
	struct mc__msg *msg = mc__msg_alloc(m->w, MC__MSG_PING);
	msg->u.ping.seq = seq;
	address(m, msg, MC__EP_AGENT, agent);
	if (count)
		mc__net_send(m->w, msg);
	else
		mc__net_deliver_sent_at(m->w, msg, sent_at);
}

static void health_count(void *ctx, uint64_t pings, uint64_t pongs)
{
	struct mc__master *m = ctx;
	mc__net_count(m->w, MC__MSG_PING, pings);
	mc__net_count(m->w, MC__MSG_PONG, pongs);
}

/* ---- leader failover ------------------------------------------------------------- */

static void resume_allocator(struct mc__master *m)
{
	if (!m->paused)
		return;
	m->paused = false;
	mc_alloc_pause(m->alloc, false);
	if (m->resume_timer)
		host_timer_cancel(m, m->resume_timer);
	m->resume_timer = 0;
}

static void recovery_timeout_fire(void *obj, uint64_t data)
{
	(void)data;
	struct mc__master *m = obj;
	m->resume_timer = 0;
	resume_allocator(m);
}

/* An agent registered with the new leader. The allocator resumes once
 * agent_recovery_factor x the agents the registry listed are registered,
 * counting any agent as Mesos's allocator does (addSlave). */
static void recovery_progress(struct mc__master *m, mc_time_t now, bool was_expected)
{
	if (m->paused &&
	    m->nagents_registered >= (int32_t)(m->p.agent_recovery_factor * m->expected_agents))
		resume_allocator(m);
	if (!was_expected)
		return;
	m->reregistered++;
	if (m->reregistered == m->expected_agents) {
		m->recovered_at = now;
		if (m->reregister_timer)
			host_timer_cancel(m, m->reregister_timer);
		m->reregister_timer = 0;
	}
}

/* Tells agent `id` to forget a task that was reported LOST (KILL_TASK with
 * state LOST): Mesos shuts down the executors of such tasks' frameworks
 * when they are not partition-aware. */
static void drop_task(struct mc__master *m, int32_t id, int32_t tid)
{
	struct mc__msg *drop = mc__msg_alloc(m->w, MC__MSG_KILL_TASK);
	drop->u.status.task = tid;
	drop->u.status.task_gen = mc__task_at(m->w, tid)->gen;
	drop->u.status.state = MC__TASK_LOST;
	send(m, drop, MC__EP_AGENT, id);
}

/*
 * An agent's tasks after a failover. The master's list for the agent still
 * holds what a former leader launched there (the simulator keeps it; the
 * new leader knows only what the agent reports). A reported task that runs
 * counts as used again; one that ended meanwhile is done (its update, not
 * yet acknowledged, follows); one not reported is gone and ends LOST: the
 * agent restarted or failed, or (`report` -1) it never came back. Each
 * framework learns that when it reconciles: Mesos answers a reconciliation
 * for a task its agent does not know, or on an unreachable agent, with
 * TASK_LOST. `report` is the head of the agent's task list (agent_next).
 */
static void reconcile_tasks(struct mc__master *m, int32_t id, int32_t report)
{
	struct master_agent *a = magent(m, id);
	for (int32_t tid = report; tid >= 0; tid = mc__task_at(m->w, tid)->agent_next) {
		struct mc__task *t = mc__task_at(m->w, tid);
		if (t->agent != id || !(t->refs & MC__REF_AGENT))
			continue;
		if (t->master_next == -2 && !mc__task_state_terminal(t->state)) {
			if (!(t->refs & MC__REF_FRAMEWORK)) {
				drop_task(m, id, tid); /* reported LOST before */
				continue;
			}
			mlist_push(m, a, tid); /* launched as the old leader failed */
		}
		t->reported = 1;
	}
	for (int32_t tid = a->tasks_head; tid >= 0;) {
		struct mc__task *t = mc__task_at(m->w, tid);
		int32_t next = t->master_next;
		if (t->reported && !mc__task_state_terminal(t->state)) {
			count_allocated(m, t, true);
			struct mc_resources used;
			mc_resources_clear(&used);
			used.unres = t->req;
			mc_alloc_add_used(m->alloc, id, t->framework, t->role, &used);
		} else {
			mlist_remove(m, a, tid);
			count_allocated(m, t, false);
			if (!t->reported)
				send_update(m, tid, MC__TASK_LOST, false);
		}
		t->reported = 0;
		tid = next;
	}
}

/* agent_reregister_timeout after the election: the agents the registry
 * lists that have not re-registered are marked unreachable. */
static void reregister_timeout_fire(void *obj, uint64_t data)
{
	(void)data;
	struct mc__master *m = obj;
	mc_time_t now = mc_engine_now(m->w->eng);
	m->reregister_timer = 0;
	for (size_t i = 0; i < m->agents_cap; i++) {
		struct master_agent *a = &m->agents[i];
		if (!a->expected)
			continue;
		a->expected = false;
		a->lost = true; /* if it comes back, it must drop its tasks */
		m->not_reregistered++;
		reconcile_tasks(m, (int32_t)i, -1);
		if (a->counted)
			mc_metrics_agent_removed(m->w->metrics, now, &a->total);
		a->counted = false;
	}
}

static void elect_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	(void)arg;
	struct mc__master *m = ctx;
	mc_time_t now = mc_engine_now(m->w->eng);
	m->down = false;
	m->epoch++;
	new_allocator(m, now);
	/* Recovery: the allocator waits for the agents the old leader knew. */
	m->reregistered = 0;
	if (m->expected_agents > 0) {
		m->paused = true;
		mc_alloc_pause(m->alloc, true);
		m->resume_timer = host_timer_start(m, now + m->p.recovery_timeout, recovery_timeout_fire,
						   m, 0);
		m->reregister_timer = host_timer_start(m, now + m->p.agent_reregister_timeout,
						       reregister_timeout_fire, m, 0);
	}
	/* ZooKeeper tells everyone who leads now. */
	for (int32_t i = 0; i < m->w->nagents; i++) {
		struct mc__msg *msg = mc__msg_alloc(m->w, MC__MSG_LEADER);
		send(m, msg, MC__EP_AGENT, i);
	}
	for (int32_t i = 0; i < m->w->nfws; i++) {
		struct mc__msg *msg = mc__msg_alloc(m->w, MC__MSG_LEADER);
		send(m, msg, MC__EP_FRAMEWORK, i);
	}
}

void mc__master_fail(struct mc__world *w)
{
	struct mc__master *m = w->master;
	if (m->down)
		return;
	mc_time_t now = mc_engine_now(w->eng);
	m->down = true;
	m->failovers++;
	m->failed_at = now;
	m->recovered_at = MC_TIME_NEVER;
	/* Everything the leader held in memory is gone: outstanding offers
	 * (their resources are simply no longer offered), timers, queues, and
	 * its view of agents, frameworks and tasks. Tasks keep running. */
	for (size_t i = 0; i < m->noffers; i++)
		if (m->offers[i].live) {
			offer_ended(m, &m->offers[i], MC_OFFER_RESCINDED);
			offer_remove(m, &m->offers[i]);
		}
	for (size_t i = 0; i < m->ntimers; i++)
		if (m->timers[i].live)
			host_timer_cancel(m, ((uint64_t)m->timers[i].gen << 32) | (uint32_t)i);
	for (; m->in_len; m->in_len--, m->in_head = (m->in_head + 1) % m->in_cap)
		if (m->inbox[m->in_head].more >= 0)
			mc__msg_free(w, mc__msg_at(w, m->inbox[m->in_head].more));
	m->expected_agents = 0;
	for (size_t i = 0; i < m->agents_cap; i++) {
		struct master_agent *a = &m->agents[i];
		mc__health_stop(m->health, (int32_t)i);
		/* Its task list stays (reconcile_tasks), but for tasks still
		 * STAGING: they have not reached the agent, and their framework
		 * will take them for lost (framework.c); if one does arrive, the
		 * agent reports it when it re-registers. */
		for (int32_t tid = a->tasks_head; tid >= 0;) {
			struct mc__task *t = mc__task_at(w, tid);
			int32_t next = t->master_next;
			if (t->state == MC__TASK_STAGING) {
				mlist_remove(m, a, tid);
				count_allocated(m, t, false);
			}
			tid = next;
		}
		/* the registry lists it, and still lists an agent that had not
		 * come back after an earlier failover */
		a->expected = a->registered || a->expected;
		m->expected_agents += a->expected;
		a->registered = false;
	}
	m->nagents_registered = 0;
	for (size_t i = 0; i < m->fws_cap; i++)
		memset(&m->fws[i], 0, sizeof m->fws[i]);
	m->nfws_subscribed = 0;
	m->run_scheduled = false;
	m->resume_timer = m->reregister_timer = 0;
	mc_engine_after(w->eng, m->p.detection_delay, elect_event, m, 0);
}

uint64_t mc__master_failovers(const struct mc__master *m) { return m->failovers; }

uint64_t mc__master_agents_not_reregistered(const struct mc__master *m)
{
	return m->not_reregistered;
}

mc_time_t mc__master_last_recovery(const struct mc__master *m, mc_time_t *failed_at)
{
	if (failed_at)
		*failed_at = m->failed_at;
	return m->failovers ? m->recovered_at : MC_TIME_NEVER;
}

static void register_agent(struct mc__master *m, const struct mc__msg *msg)
{
	int32_t id = msg->src;
	struct master_agent *a = magent(m, id);
	mc_time_t now = mc_engine_now(m->w->eng);
	/* A machine that is DOWN for maintenance may not register (Mesos
	 * refuses it); the agent keeps retrying and gets in once it is up. */
	if (a->maint == MC__MAINT_DOWN)
		return;
	if (a->registered && a->incarnation != msg->u.reg.incarnation)
		agent_lost(m, id); /* restarted without telling us: its tasks are gone */
	if (!a->registered) {
		/* Restarted while no master led: the incarnation the registry
		 * lists will never re-register, and its tasks are gone (it
		 * reports none of them: reconcile_tasks). Mesos removes an agent
		 * at once when another registers from its address, as for a
		 * restart the leader saw (agent_lost above). */
		bool restarted = a->expected && a->incarnation != msg->u.reg.incarnation;
		bool was_lost = a->lost;
		a->registered = true;
		m->nagents_registered++;
		a->lost = false;
		a->incarnation = msg->u.reg.incarnation;
		a->freed_at = MC_TIME_NEVER;
		mc_alloc_add_agent(m->alloc, now, id, &msg->u.reg.total);
		if (a->maint == MC__MAINT_DRAINING)
			mc_alloc_activate_agent(m->alloc, id, false);
		mc_resources_sum(&msg->u.reg.total, &a->total);
		a->rack = msg->u.reg.rack;
		if (!a->counted) {
			a->counted = true;
			mc_metrics_agent_added(m->w->metrics, now, &a->total);
		}
		/* Back after being declared lost, its tasks were reported LOST:
		 * it must drop them. Otherwise what it reports is reconciled
		 * with what a former leader launched. */
		if (was_lost) {
			for (int32_t tid = msg->u.reg.tasks; tid >= 0;
			     tid = mc__task_at(m->w, tid)->agent_next) {
				struct mc__task *t = mc__task_at(m->w, tid);
				if (t->agent == id && (t->refs & MC__REF_AGENT) &&
				    !mc__task_state_terminal(t->state))
					drop_task(m, id, tid);
			}
		} else {
			reconcile_tasks(m, id, msg->u.reg.tasks);
		}
		if (restarted)
			m->not_reregistered++;
		recovery_progress(m, now, a->expected);
		a->expected = false;
		mc__health_start(m->health, id);
	}
	struct mc__msg *r = mc__msg_alloc(m->w, MC__MSG_AGENT_REGISTERED);
	r->u.reg.incarnation = msg->u.reg.incarnation;
	mc_resources_copy(&r->u.reg.total, &msg->u.reg.total);
	send(m, r, MC__EP_AGENT, id);
}

/*
 * UPDATE_AGENT: the agent's total changed (Mesos's UpdateSlaveMessage ->
 * allocator updateSlave). Running tasks keep running; when the new total is
 * below what they use, the allocator sees no free resources there (it
 * clamps free at zero) until enough of them end. Mesos itself lets a total
 * shrink under running tasks only for revocable resources (whose tasks its
 * QoS controller may then kill); the simulator kills nothing.
 */
static void update_agent_total(struct mc__master *m, const struct mc__msg *msg)
{
	int32_t id = msg->src;
	struct master_agent *a = magent(m, id);
	if (!a->registered || a->incarnation != msg->u.reg.incarnation)
		return; /* its next registration carries the total */
	mc_time_t now = mc_engine_now(m->w->eng);
	struct mc_resvec sum;
	mc_resources_sum(&msg->u.reg.total, &sum);
	if (a->counted) {
		mc_metrics_agent_removed(m->w->metrics, now, &a->total);
		mc_metrics_agent_added(m->w->metrics, now, &sum);
	}
	a->total = sum;
	mc_alloc_update_agent(m->alloc, now, id, &msg->u.reg.total);
}

/* ---- maintenance (the operator's side: sim/maintenance.c) ---------------------------- */

void mc__master_maintenance(struct mc__world *w, int32_t id, enum mc__maint_mode mode)
{
	struct mc__master *m = w->master;
	struct master_agent *a = magent(m, id);
	enum mc__maint_mode old = (enum mc__maint_mode)a->maint;
	a->maint = (uint8_t)mode;
	if (mode == old || m->down || !a->registered)
		return; /* a new leader applies it when the agent (re-)registers */
	if (mode == MC__MAINT_DOWN) {
		remove_agent(m, id, MC__TASK_KILLED);
		return;
	}
	if (mode == MC__MAINT_DRAINING) {
		/* Deactivated: no new offers (its total still counts in the DRF
		 * shares); outstanding offers are rescinded, without a filter. */
		mc_alloc_activate_agent(m->alloc, id, false);
		rescind_offers(m, id, -1, true);
		return;
	}
	mc_alloc_activate_agent(m->alloc, id, true);
}

uint64_t mc__master_maintenance_kills(const struct mc__master *m) { return m->maint_killed; }

static void status_update(struct mc__master *m, const struct mc__msg *msg)
{
	int32_t tid = msg->u.status.task;
	int32_t agent = msg->src;
	struct master_agent *a = magent(m, agent);
	struct mc__task *t = mc__task_at(m->w, tid);
	bool current = a->registered && t->gen == msg->u.status.task_gen && t->agent == agent;
	if (!current || t->master_next == -2) {
		/* Stale (the task was reported LOST, or a duplicate of a terminal
		 * update already forwarded): acknowledge so the agent stops. */
		if (mc__task_state_terminal(msg->u.status.state) && a->registered) {
			struct mc__msg *ack = mc__msg_alloc(m->w, MC__MSG_STATUS_ACK);
			ack->u.status = msg->u.status;
			send(m, ack, MC__EP_AGENT, agent);
		}
		if (!current)
			return;
	}
	if (mc__task_state_terminal(msg->u.status.state) && t->master_next != -2) {
		mlist_remove(m, a, tid);
		struct mc_resources used;
		mc_resources_clear(&used);
		used.unres = t->req;
		mc_alloc_recover(m->alloc, mc_engine_now(m->w->eng), t->framework, t->role, agent,
				 &used, 0);
		count_allocated(m, t, false);
		if (a->freed_at == MC_TIME_NEVER)
			a->freed_at = mc_engine_now(m->w->eng);
	}
	struct mc__msg *fwd = mc__msg_alloc(m->w, MC__MSG_UPDATE);
	fwd->u.status = msg->u.status;
	send(m, fwd, MC__EP_FRAMEWORK, t->framework);
}

/* ---- frameworks ---------------------------------------------------------------------- */

/* failover_timeout passed without the framework coming back: Mesos removes
 * it and kills its tasks (their KILLED updates reach the framework's record
 * as usual; see framework.c). It stays in the allocator, deactivated, so
 * that it can come back as a new framework. */
static void framework_remove_fire(void *obj, uint64_t data)
{
	struct mc__master *m = obj;
	int32_t fw = (int32_t)data;
	struct master_fw *f = mfw(m, fw);
	f->failover_timer = 0;
	if (!f->disconnected || f->removed)
		return;
	f->removed = true;
	for (size_t id = 0; id < m->agents_cap; id++) {
		struct master_agent *a = &m->agents[id];
		if (!a->registered)
			continue;
		for (int32_t tid = a->tasks_head; tid >= 0; tid = mc__task_at(m->w, tid)->master_next) {
			struct mc__task *t = mc__task_at(m->w, tid);
			if (t->framework != fw)
				continue;
			struct mc__msg *kill = mc__msg_alloc(m->w, MC__MSG_KILL_TASK);
			kill->u.status.task = tid;
			kill->u.status.task_gen = t->gen;
			kill->u.status.agent = (int32_t)id;
			send(m, kill, MC__EP_AGENT, (int32_t)id);
		}
	}
}

/* The scheduler's connection closed: no more offers to it (Mesos
 * deactivates the framework, which clears its filters), its outstanding
 * offers are rescinded, and it has failover_timeout to come back. */
static void framework_exited(struct mc__master *m, int32_t fw)
{
	struct master_fw *f = mfw(m, fw);
	if (!f->subscribed || f->disconnected)
		return;
	mc_time_t now = mc_engine_now(m->w->eng);
	f->disconnected = true;
	mc_alloc_deactivate_framework(m->alloc, now, fw);
	rescind_offers(m, -1, fw, true);
	mc_time_t timeout = f->failover_timeout >= 0 ? f->failover_timeout
						      : m->p.framework_failover_timeout;
	f->failover_timer =
	    host_timer_start(m, now + timeout, framework_remove_fire, m, (uint64_t)fw);
}

static void subscribe(struct mc__master *m, const struct mc__msg *msg)
{
	struct master_fw *f = mfw(m, msg->src);
	f->failover_timeout = msg->u.sub.failover_timeout;
	if (f->subscribed && f->disconnected) {
		/* Back in time (or as a new framework after removal, whose
		 * old tasks were killed): offers again; SUBSCRIBE carries no
		 * suppressed roles, so none stay suppressed. */
		mc_time_t now = mc_engine_now(m->w->eng);
		if (f->failover_timer)
			host_timer_cancel(m, f->failover_timer);
		f->failover_timer = 0;
		f->disconnected = false;
		f->removed = false;
		mc_alloc_activate_framework(m->alloc, now, msg->src);
		mc_alloc_revive(m->alloc, now, msg->src, NULL, 0);
	}
	if (!f->subscribed) {
		f->subscribed = true;
		m->nfws_subscribed++;
		f->role = msg->u.sub.role;
		mc_alloc_add_framework(m->alloc, mc_engine_now(m->w->eng), msg->src,
				       mc__framework_name(m->w, msg->src), &f->role, 1,
				       msg->u.sub.capabilities, true, NULL);
	}
	struct mc__msg *r = mc__msg_alloc(m->w, MC__MSG_SUBSCRIBED);
	send(m, r, MC__EP_FRAMEWORK, msg->src);
}

static void accept(struct mc__master *m, const struct mc__msg *msg)
{
	mc_time_t now = mc_engine_now(m->w->eng);
	struct master_offer *o = offer_find(m, msg->u.reply.offer_id);
	if (!o || o->fw != msg->src) {
		/* The offer was rescinded or timed out meanwhile. */
		for (int32_t tid = msg->u.reply.tasks; tid >= 0;) {
			int32_t next = mc__task_at(m->w, tid)->batch_next;
			mc__task_at(m->w, tid)->batch_next = -1;
			send_update(m, tid, MC__TASK_LOST, true);
			tid = next;
		}
		return;
	}
	struct mc_resources used, unused;
	mc_resources_clear(&used);
	for (int32_t tid = msg->u.reply.tasks; tid >= 0; tid = mc__task_at(m->w, tid)->batch_next)
		mc_resvec_add(&used.unres, &mc__task_at(m->w, tid)->req);
	/* What the tasks take comes from the role's reservation first, then
	 * from unreserved resources (as Mesos's offer operations resolve it). */
	struct mc_resources take;
	mc_resources_clear(&take);
	const struct mc_resvec *resv = mc_resources_reserved(&o->res, o->role);
	struct mc_resvec need = used.unres;
	if (resv && o->role != MC_ROLE_ANY) {
		struct mc_resvec r = *resv;
		mc_resvec_min(&r, &need);
		mc_resources_add_reserved(&take, o->role, &r);
		mc_resvec_sub(&need, &r);
	}
	mc_resvec_add(&take.unres, &need);
	unused = o->res;
	if (mc_resources_subtract(&unused, &take) != 0)
		MC_BUG("framework %d launched more than offer held", (int)msg->src);
	struct master_agent *a = magent(m, o->agent);
	int32_t agent = o->agent, fw = o->fw, role = o->role;
	offer_ended(m, o, MC_OFFER_ACCEPTED);
	mc_metrics_allocated(m->w->metrics, now, fw, &used.unres, +1);
	offer_remove(m, o);
	mc_alloc_launch(m->alloc, now, fw, role, agent, &take);
	if (!mc_resources_is_empty(&unused))
		mc_alloc_recover(m->alloc, now, fw, role, agent, &unused, msg->u.reply.refuse);
	for (int32_t tid = msg->u.reply.tasks; tid >= 0; tid = mc__task_at(m->w, tid)->batch_next) {
		struct mc__task *t = mc__task_at(m->w, tid);
		t->state = MC__TASK_STAGING;
		t->role = role;
		t->counted = 1; /* (their sum went to the metrics above, in one call) */
		t->refs |= MC__REF_WIRE;
		mlist_push(m, a, tid);
	}
	struct mc__msg *run = mc__msg_alloc(m->w, MC__MSG_RUN_TASKS);
	run->u.run.tasks = msg->u.reply.tasks;
	send(m, run, MC__EP_AGENT, agent);
}

static void decline(struct mc__master *m, const struct mc__msg *msg)
{
	for (const struct mc__msg *r = msg;; r = mc__msg_at(m->w, r->more)) {
		struct master_offer *o = offer_find(m, r->u.reply.offer_id);
		if (o && o->fw == msg->src) {
			m->offers_declined++;
			offer_ended(m, o, MC_OFFER_DECLINED);
			mc_alloc_recover(m->alloc, mc_engine_now(m->w->eng), o->fw, o->role,
					 o->agent, &o->res, r->u.reply.refuse);
			offer_remove(m, o);
		}
		if (r->more < 0)
			return;
	}
}

static void handle(struct mc__master *m, struct mc__msg *msg)
{
	struct mc__world *w = m->w;
	mc_time_t now = mc_engine_now(w->eng);
	switch (msg->type) {
	case MC__MSG_REGISTER_AGENT:
		register_agent(m, msg);
		break;
	case MC__MSG_UPDATE_AGENT:
		update_agent_total(m, msg);
		break;
	case MC__MSG_PONG:
		mc__health_pong(m->health, msg->src, msg->u.ping.seq);
		break;
	case MC__MSG_STATUS_UPDATE:
		status_update(m, msg);
		break;
	case MC__MSG_SUBSCRIBE:
		subscribe(m, msg);
		break;
	case MC__MSG_ACCEPT:
		accept(m, msg);
		break;
	case MC__MSG_DECLINE:
		decline(m, msg);
		break;
	case MC__MSG_SUPPRESS:
		mc_alloc_suppress(m->alloc, now, msg->src, NULL, 0);
		break;
	case MC__MSG_REVIVE:
		mc_alloc_revive(m->alloc, now, msg->src, NULL, 0);
		break;
	case MC__MSG_EXITED:
		framework_exited(m, msg->src);
		break;
	case MC__MSG_ACKNOWLEDGE: {
		struct mc__msg *ack = mc__msg_alloc(w, MC__MSG_STATUS_ACK);
		ack->u.status = msg->u.status;
		if (msg->u.status.agent >= 0 && magent(m, msg->u.status.agent)->registered)
			send(m, ack, MC__EP_AGENT, msg->u.status.agent);
		else
			mc__msg_free(w, ack);
		break;
	}
	default:
		MC_BUG("master got unexpected message type %d", msg->type);
	}
}

/* ---- the processing-cost model ---------------------------------------------------------- */

static mc_time_t seconds(double s) { return s > 0 ? (mc_time_t)llround(s * (double)MC_SEC) : 0; }

static mc_time_t service_time(struct mc__master *m, const struct mc__msg *item)
{
	if (item->type == ITEM_ALLOC_RUN) {
		if (m->p.mesos17_profile)
			return seconds(MESOS17_PER_AGENT * m->nagents_registered +
				       MESOS17_PER_AGENT_FW * m->nagents_registered *
					       m->nfws_subscribed);
		return m->p.per_run ? seconds(mc_dist_sample(m->p.per_run, m->cost_rng)) : 0;
	}
	return m->p.per_message ? seconds(mc_dist_sample(m->p.per_message, m->cost_rng)) : 0;
}

static void serve_next(struct mc__master *m);

static void service_done(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__master *m = ctx;
	struct mc__msg *item = &m->in_service;
	if (item->type == ITEM_ALLOC_RUN) {
		do_alloc_run(m, (mc_time_t)arg);
	} else {
		handle(m, item);
		if (item->more >= 0)
			mc__msg_free(m->w, mc__msg_at(m->w, item->more));
	}
	m->busy = false;
	serve_next(m);
}

/* Starts serving queued items; each takes effect when its service ends. */
static void serve_next(struct mc__master *m)
{
	if (m->busy || m->in_len == 0)
		return;
	m->in_service = m->inbox[m->in_head];
	m->in_head = (m->in_head + 1) % m->in_cap;
	m->in_len--;
	m->busy = true;
	mc_time_t cost = service_time(m, &m->in_service);
	mc_engine_after(m->w->eng, cost, service_done, m, (uint64_t)cost);
}

static void enqueue(struct mc__master *m, const struct mc__msg *item)
{
	if (m->in_len == m->in_cap) {
		size_t ncap = m->in_cap ? m->in_cap * 2 : 64;
		struct mc__msg *q = mc_xmalloc(ncap * sizeof *q);
		for (size_t i = 0; i < m->in_len; i++)
			q[i] = m->inbox[(m->in_head + i) % m->in_cap];
		free(m->inbox);
		m->inbox = q;
		m->in_head = 0;
		m->in_cap = ncap;
	}
	m->inbox[(m->in_head + m->in_len) % m->in_cap] = *item;
	m->in_len++;
	serve_next(m);
}

void mc__master_receive(struct mc__world *w, struct mc__msg *msg)
{
	struct mc__master *m = w->master;
	if (m->down)
		return; /* nobody is listening */
	if (msg->epoch != m->epoch && msg->type != MC__MSG_REGISTER_AGENT &&
	    msg->type != MC__MSG_SUBSCRIBE)
		return; /* meant for an earlier leader */
	if (m->costed) {
		enqueue(m, msg);
		msg->more = -1; /* the queued copy owns the batch records now */
	} else {
		handle(m, msg);
	}
}

/* ---- lifecycle ------------------------------------------------------------------------- */

void mc__master_new(struct mc__world *w, const struct mc__master_params *p)
{
	struct mc__master *m = mc_xcalloc(1, sizeof *m);
	m->w = w;
	m->p = *p;
	m->epoch = 1;
	m->offer_free = -1;
	m->timer_free = -1;
	m->alloc_rng = mc_rng_new(w->seed, "allocator");
	m->cost_rng = mc_rng_new(w->seed, "master/processing");
	m->costed = p->per_message || p->per_run || p->mesos17_profile;
	/* A quiet master<->agent link: every message arrives, d later. */
	mc_time_t d = mc__net_const_delay(w, MC__LINK_MASTER_AGENT);
	w->pong_at_send = !m->costed && w->net.loss == 0 && w->net.npartitions == 0 && d >= 0 &&
			  d < p->agent_ping_timeout;
	struct mc__health_ops ops = {
		.ctx = m, .lost = health_lost, .send_ping = health_send_ping, .count = health_count};
	m->health = mc__health_new(w->eng, p->agent_ping_timeout, p->max_agent_ping_timeouts,
				   w->pong_at_send && !p->explicit_health_checks, d, &m->epoch, &ops);
	m->recovered_at = MC_TIME_NEVER;
	new_allocator(m, mc_engine_now(w->eng));
	w->master = m;
}

void mc__master_agent_state(struct mc__world *w, int32_t agent, bool up, uint32_t epoch)
{
	mc__health_peer(w->master->health, agent, up, epoch);
}

void mc__master_finish(struct mc__world *w) { mc__health_finish(w->master->health); }

bool mc__master_agent_checked_implicitly(const struct mc__master *m, int32_t agent)
{
	return mc__health_implicit(m->health, agent);
}

static void new_allocator(struct mc__master *m, mc_time_t now)
{
	struct mc_alloc_host host = {
		.ctx = m,
		.timer_start = host_timer_start,
		.timer_cancel = host_timer_cancel,
		.request_run = host_request_run,
		.offer = host_offer,
		.random = host_random,
	};
	if (m->alloc)
		mc_alloc_free(m->alloc);
	m->alloc = mc_alloc_new(&m->p.alloc, &host, now);
}

void mc__master_free(struct mc__master *m)
{
	if (!m)
		return;
	mc_alloc_free(m->alloc);
	mc__health_free(m->health);
	gsl_rng_free(m->alloc_rng);
	gsl_rng_free(m->cost_rng);
	free(m->inbox);
	free(m->agents);
	free(m->fws);
	free(m->offers);
	free(m->timers);
	free(m);
}

struct mc_allocator *mc__master_allocator(struct mc__master *m) { return m->alloc; }
