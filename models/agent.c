/*
 * agent.c - the agent (Mesos slave) model.
 *
 * An agent registers with the master (first attempt after U[0, backoff],
 * retries after U[0, 2^k backoff] capped at 1 min, as Mesos's
 * doReliableRegistration), answers pings, runs the tasks the master sends
 * it for their run times, and reports each task's life as status updates:
 * STARTING and RUNNING when it starts, then FINISHED or FAILED. A terminal
 * update is retried (10 s, doubling to 10 min) until the master
 * acknowledges it; non-terminal updates are sent once.
 *
 * Failures come from the trace (mc__agent_fail/recover) or from the
 * agent's own MTBF/MTTR distributions. A failed agent is silent: its tasks
 * die with it, and only the master's health checks find out (tasks LOST).
 * A recovered agent comes back empty as a new incarnation and registers
 * again. A machine taken down for maintenance (mc__agent_maintenance) goes
 * silent the same way (the master has killed its tasks by then) and comes
 * back, empty, when its maintenance ends.
 *
 * A change of the agent's total (a trace machine UPDATE) is reported to
 * the master with UPDATE_AGENT, as Mesos's UpdateSlaveMessage; the
 * master's AGENT_REGISTERED echoes the total it registered, and the agent
 * reports its total again if that is stale (a change made while its
 * registration was in flight).
 *
 * Invariant: a task is on the agent's list iff the agent holds it
 * (MC__REF_AGENT): from RUN_TASKS until its terminal update is acknowledged
 * or the agent drops it; its end event is pending iff it is still running.
 */
#include <math.h>

#include <gsl/gsl_rng.h>

#include "mesocosm/error.h"
#include "mesocosm/rng.h"
#include "models/models.h"

#define REGISTRATION_BACKOFF_CAP (60 * MC_SEC)

struct mc__agent {
	/* what a PING reads comes first (one cache line; p is 700 bytes) */
	int32_t id;
	bool up, registered;
	bool maint_off; /* powered off by mc__agent_maintenance (it turns it on again) */
	uint32_t incarnation;
	uint32_t master_epoch;
	int32_t tasks_head; /* running tasks, linked through agent_next/prev */
	int32_t ntasks;
	mc_time_t reg_backoff; /* current registration backoff bound */
	mc_event_handle reg_retry;
	mc_event_handle fail_event;
	gsl_rng *rng;
	struct mc__agent_params p;
};

static struct mc__agent *agent_at(const struct mc__world *w, int32_t id)
{
	MC_ASSERT(id >= 0 && id < w->nagents && w->agents[id]);
	return w->agents[id];
}

static mc_time_t draw_seconds(const struct mc_dist *d, gsl_rng *rng)
{
	double s = mc_dist_sample(d, rng);
	return s <= 0 ? 0 : (mc_time_t)llround(s * (double)MC_SEC);
}

static mc_time_t uniform_upto(gsl_rng *rng, mc_time_t bound)
{
	return bound <= 0 ? 0 : (mc_time_t)(gsl_rng_uniform(rng) * (double)bound);
}

/* Tells the network whether this agent answers pings now (health.h). */
static void tell_network(struct mc__world *w, const struct mc__agent *a)
{
	mc__net_agent_state(w, a->id, a->up, a->master_epoch);
}

static void send_to_master(struct mc__world *w, struct mc__agent *a, struct mc__msg *m)
{
	m->src_kind = MC__EP_AGENT;
	m->src = a->id;
	m->dst_kind = MC__EP_MASTER;
	m->epoch = a->master_epoch;
	mc__net_send(w, m);
}

/* ---- registration -------------------------------------------------------- */

/* Reports the agent's total to the master (Mesos's UpdateSlaveMessage). */
static void send_total(struct mc__world *w, struct mc__agent *a)
{
	struct mc__msg *m = mc__msg_alloc(w, MC__MSG_UPDATE_AGENT);
	mc_resources_copy(&m->u.reg.total, &a->p.total);
	m->u.reg.incarnation = a->incarnation;
	m->u.reg.rack = a->p.rack;
	m->u.reg.tasks = -1;
	send_to_master(w, a, m);
}

static void registration_attempt(struct mc_engine *eng, void *ctx, uint64_t arg);

static void send_registration(struct mc__world *w, struct mc__agent *a)
{
	struct mc__msg *m = mc__msg_alloc(w, MC__MSG_REGISTER_AGENT);
	m->u.reg.total = a->p.total;
	m->u.reg.incarnation = a->incarnation;
	m->u.reg.rack = a->p.rack;
	m->u.reg.tasks = a->tasks_head;
	send_to_master(w, a, m);
	/* Retry if no answer within the doubled backoff bound. */
	a->reg_backoff = a->reg_backoff * 2;
	if (a->reg_backoff > REGISTRATION_BACKOFF_CAP)
		a->reg_backoff = REGISTRATION_BACKOFF_CAP;
	mc_time_t retry = uniform_upto(a->rng, a->reg_backoff);
	if (retry < MC_MSEC)
		retry = MC_MSEC;
	a->reg_retry = mc_engine_after(w->eng, retry, registration_attempt, w,
				       ((uint64_t)a->incarnation << 32) | (uint32_t)a->id);
}

static void registration_attempt(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__world *w = ctx;
	struct mc__agent *a = agent_at(w, (int32_t)(uint32_t)arg);
	a->reg_retry = 0;
	if (!a->up || a->registered || (uint32_t)(arg >> 32) != a->incarnation)
		return;
	send_registration(w, a);
}

static void schedule_first_registration(struct mc__world *w, struct mc__agent *a, mc_time_t at)
{
	a->reg_backoff = a->p.backoff_factor;
	mc_time_t when = at + uniform_upto(a->rng, a->p.backoff_factor);
	a->reg_retry = mc_engine_schedule(w->eng, when, registration_attempt, w,
					  ((uint64_t)a->incarnation << 32) | (uint32_t)a->id);
}

/* ---- failures -------------------------------------------------------------- */

static void failure_event(struct mc_engine *eng, void *ctx, uint64_t arg);
static void recovery_event(struct mc_engine *eng, void *ctx, uint64_t arg);

static void arm_failure(struct mc__world *w, struct mc__agent *a)
{
	if (a->p.mtbf)
		a->fail_event = mc_engine_after(w->eng, draw_seconds(a->p.mtbf, a->rng), failure_event,
						w, (uint64_t)a->id);
}

static void failure_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__world *w = ctx;
	struct mc__agent *a = agent_at(w, (int32_t)arg);
	a->fail_event = 0;
	mc__agent_fail(w, a->id);
	if (a->p.mttr)
		a->fail_event = mc_engine_after(w->eng, draw_seconds(a->p.mttr, a->rng), recovery_event,
						w, (uint64_t)a->id);
}

static void recovery_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__world *w = ctx;
	mc__agent_recover(w, (int32_t)arg);
}

/* ---- tasks ---------------------------------------------------------------- */

static void list_push(struct mc__world *w, struct mc__agent *a, int32_t tid)
{
	struct mc__task *t = mc__task_at(w, tid);
	t->agent_prev = -1;
	t->agent_next = a->tasks_head;
	if (a->tasks_head >= 0)
		mc__task_at(w, a->tasks_head)->agent_prev = tid;
	a->tasks_head = tid;
	a->ntasks++;
	t->refs |= MC__REF_AGENT;
}

/* Takes the task off the agent and lets go of the agent's hold on it. */
static void list_remove(struct mc__world *w, struct mc__agent *a, int32_t tid)
{
	struct mc__task *t = mc__task_at(w, tid);
	if (t->end_event)
		mc_engine_cancel(w->eng, t->end_event);
	t->end_event = 0;
	if (t->agent_prev >= 0)
		mc__task_at(w, t->agent_prev)->agent_next = t->agent_next;
	else
		a->tasks_head = t->agent_next;
	if (t->agent_next >= 0)
		mc__task_at(w, t->agent_next)->agent_prev = t->agent_prev;
	t->agent_next = t->agent_prev = -1;
	a->ntasks--;
	mc__task_release(w, tid, MC__REF_AGENT);
}

static void send_status(struct mc__world *w, struct mc__agent *a, int32_t tid, int state)
{
	struct mc__task *t = mc__task_at(w, tid);
	struct mc__msg *m = mc__msg_alloc(w, MC__MSG_STATUS_UPDATE);
	m->u.status.task = tid;
	m->u.status.task_gen = t->gen;
	m->u.status.state = (uint8_t)state;
	m->u.status.agent = a->id;
	send_to_master(w, a, m);
}

/*
 * A terminal update waits on the agent's list for its acknowledgement and is
 * resent with doubling delays. arg packs the task id (low 32 bits), the low
 * 24 bits of its generation, and the retry exponent (top 8 bits).
 */
static void status_retry_event(struct mc_engine *eng, void *ctx, uint64_t arg);

static void arm_status_retry(struct mc__world *w, struct mc__agent *a, int32_t tid, unsigned exp)
{
	mc_time_t delay = a->p.status_retry;
	for (unsigned i = 0; i < exp && delay < a->p.status_retry_max; i++)
		delay *= 2;
	if (delay > a->p.status_retry_max)
		delay = a->p.status_retry_max;
	uint64_t gen = mc__task_at(w, tid)->gen & 0xffffffu;
	mc_engine_after(w->eng, delay, status_retry_event, w,
			((uint64_t)exp << 56) | (gen << 32) | (uint32_t)tid);
}

static void status_retry_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__world *w = ctx;
	int32_t tid = (int32_t)(uint32_t)arg;
	unsigned exp = (unsigned)(arg >> 56);
	struct mc__task *t = mc__task_at(w, tid);
	if ((t->gen & 0xffffffu) != ((arg >> 32) & 0xffffffu) || !(t->refs & MC__REF_AGENT) ||
	    t->agent < 0)
		return; /* acknowledged (or dropped) meanwhile */
	struct mc__agent *a = agent_at(w, t->agent);
	if (!a->up || !mc__task_state_terminal(t->state))
		return;
	send_status(w, a, tid, t->state);
	arm_status_retry(w, a, tid, exp < 16 ? exp + 1 : exp);
}

static void finish_task(struct mc__world *w, struct mc__agent *a, int32_t tid, int state)
{
	struct mc__task *t = mc__task_at(w, tid);
	t->state = (uint8_t)state;
	send_status(w, a, tid, state);
	arm_status_retry(w, a, tid, 0);
}

static void task_end_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__world *w = ctx;
	int32_t tid = (int32_t)(uint32_t)arg;
	struct mc__task *t = mc__task_at(w, tid);
	if (t->gen != (uint32_t)(arg >> 32))
		MC_BUG("task end event for a reused task slot");
	t->end_event = 0;
	finish_task(w, agent_at(w, t->agent), tid,
		    t->fail_at_end ? MC__TASK_FAILED : MC__TASK_FINISHED);
}

static void run_tasks(struct mc__world *w, struct mc__agent *a, int32_t head)
{
	mc_time_t now = mc_engine_now(w->eng);
	for (int32_t tid = head; tid >= 0;) {
		struct mc__task *t = mc__task_at(w, tid);
		int32_t next = t->batch_next; /* (the message's list: freeing it ends it) */
		if (t->state == MC__TASK_STAGING && t->agent == a->id) {
			list_push(w, a, tid);
			t->state = MC__TASK_STARTING;
			send_status(w, a, tid, MC__TASK_STARTING);
			t->state = MC__TASK_RUNNING;
			send_status(w, a, tid, MC__TASK_RUNNING);
			t->end_event = mc_engine_schedule(w->eng, now + t->duration, task_end_event, w,
							  ((uint64_t)t->gen << 32) | (uint32_t)tid);
		}
		/* else: killed or lost while RUN_TASKS travelled */
		tid = next;
	}
}

/* Forgets every task without telling anyone (a crash). */
static void drop_all_tasks(struct mc__world *w, struct mc__agent *a)
{
	while (a->tasks_head >= 0)
		list_remove(w, a, a->tasks_head);
}

/* Kills a task (it ends KILLED, reported as usual), or with `drop` forgets
 * it without a word: the master reported it LOST when it declared this
 * agent lost. */
static void kill_task(struct mc__world *w, struct mc__agent *a, int32_t tid, uint32_t gen,
		      bool drop)
{
	struct mc__task *t = mc__task_at(w, tid);
	if (t->gen != gen || t->agent != a->id || !(t->refs & MC__REF_AGENT) ||
	    mc__task_state_terminal(t->state))
		return;
	if (drop) {
		list_remove(w, a, tid);
		return;
	}
	if (t->end_event)
		mc_engine_cancel(w->eng, t->end_event);
	t->end_event = 0;
	finish_task(w, a, tid, MC__TASK_KILLED);
}

/* The update acknowledged was in `state`: only the acknowledgement of the
 * terminal update lets the task go (an earlier update's, arriving after the
 * task ended, must not: the terminal one might never reach the master). */
static void acknowledged(struct mc__world *w, struct mc__agent *a, int32_t tid, uint32_t gen,
			 int state)
{
	struct mc__task *t = mc__task_at(w, tid);
	if (t->gen == gen && t->agent == a->id && (t->refs & MC__REF_AGENT) &&
	    mc__task_state_terminal(state) && mc__task_state_terminal(t->state))
		list_remove(w, a, tid);
}

/* ---- message handling -------------------------------------------------------- */

void mc__agent_receive(struct mc__world *w, struct mc__msg *m)
{
	struct mc__agent *a = agent_at(w, m->dst);
	if (!a->up)
		return; /* a dead agent hears nothing */
	switch (m->type) {
	case MC__MSG_AGENT_REGISTERED:
		if (m->u.reg.incarnation != a->incarnation)
			return;
		a->registered = true;
		a->master_epoch = m->epoch;
		tell_network(w, a);
		if (a->reg_retry) {
			mc_engine_cancel(w->eng, a->reg_retry);
			a->reg_retry = 0;
		}
		/* The total changed while the registration travelled. */
		if (!mc_resources_equal(&m->u.reg.total, &a->p.total))
			send_total(w, a);
		break;
	case MC__MSG_LEADER:
		/* A new leading master: register with it, keeping our tasks. */
		a->master_epoch = m->epoch;
		tell_network(w, a);
		a->registered = false;
		if (a->reg_retry)
			mc_engine_cancel(w->eng, a->reg_retry);
		schedule_first_registration(w, a, mc_engine_now(w->eng));
		break;
	case MC__MSG_PING: {
		if (m->epoch != a->master_epoch) {
			/* A new leading master: register again, keeping our tasks. */
			a->master_epoch = m->epoch;
			tell_network(w, a);
			a->registered = false;
			schedule_first_registration(w, a, mc_engine_now(w->eng));
			return;
		}
		struct mc__msg *r = mc__msg_alloc(w, MC__MSG_PONG);
		r->u.ping.seq = m->u.ping.seq;
		send_to_master(w, a, r);
		break;
	}
	case MC__MSG_RUN_TASKS:
		run_tasks(w, a, m->u.run.tasks);
		break;
	case MC__MSG_KILL_TASK:
		kill_task(w, a, m->u.status.task, m->u.status.task_gen,
			  m->u.status.state == MC__TASK_LOST);
		break;
	case MC__MSG_STATUS_ACK:
		acknowledged(w, a, m->u.status.task, m->u.status.task_gen, m->u.status.state);
		break;
	default:
		MC_BUG("agent got unexpected message type %d", m->type);
	}
}

/* ---- lifecycle ----------------------------------------------------------------- */

void mc__agent_add(struct mc__world *w, int32_t id, const struct mc__agent_params *p)
{
	if (id >= w->nagents) {
		w->agents = mc_xrealloc(w->agents, (size_t)(id + 1) * sizeof *w->agents);
		for (int32_t i = w->nagents; i <= id; i++)
			w->agents[i] = NULL;
		w->nagents = id + 1;
	}
	MC_ASSERT(!w->agents[id]);
	struct mc__agent *a = mc_xcalloc(1, sizeof *a);
	char cid[32];
	snprintf(cid, sizeof cid, "agent/%d", (int)id);
	a->id = id;
	a->p = *p;
	if (a->p.backoff_factor <= 0)
		a->p.backoff_factor = MC_SEC;
	if (a->p.status_retry <= 0)
		a->p.status_retry = 10 * MC_SEC;
	if (a->p.status_retry_max <= 0)
		a->p.status_retry_max = 10 * MC_MIN;
	a->tasks_head = -1;
	a->rng = mc_rng_new(w->seed, cid);
	a->up = true;
	w->agents[id] = a;
	tell_network(w, a);
	schedule_first_registration(w, a, p->register_at);
	arm_failure(w, a);
}

void mc__agent_fail(struct mc__world *w, int32_t id)
{
	struct mc__agent *a = agent_at(w, id);
	if (!a->up)
		return;
	a->up = false;
	a->registered = false;
	tell_network(w, a);
	drop_all_tasks(w, a);
	if (a->reg_retry)
		mc_engine_cancel(w->eng, a->reg_retry);
	a->reg_retry = 0;
	if (a->fail_event)
		mc_engine_cancel(w->eng, a->fail_event);
	a->fail_event = 0;
}

void mc__agent_recover(struct mc__world *w, int32_t id)
{
	struct mc__agent *a = agent_at(w, id);
	a->fail_event = 0;
	if (a->up)
		return;
	a->up = true;
	a->incarnation++;
	tell_network(w, a);
	schedule_first_registration(w, a, mc_engine_now(w->eng));
	arm_failure(w, a);
}

bool mc__agent_is_up(const struct mc__world *w, int32_t id) { return agent_at(w, id)->up; }

void mc__agent_update_total(struct mc__world *w, int32_t id, const struct mc_resources *total)
{
	struct mc__agent *a = agent_at(w, id);
	if (mc_resources_equal(&a->p.total, total))
		return;
	mc_resources_copy(&a->p.total, total);
	if (a->up && a->registered)
		send_total(w, a);
}

void mc__agent_maintenance(struct mc__world *w, int32_t id, bool down)
{
	struct mc__agent *a = agent_at(w, id);
	if (down) {
		if (!a->up)
			return; /* already down: failed, or down for other maintenance */
		mc__agent_fail(w, id);
		a->maint_off = true;
		return;
	}
	if (!a->maint_off)
		return; /* it was down before its maintenance began: leave it so */
	a->maint_off = false;
	if (!a->up)
		mc__agent_recover(w, id);
}


void mc__agent_free(struct mc__agent *a)
{
	if (!a)
		return;
	gsl_rng_free(a->rng);
	free(a);
}

void mc__agent_task_exited(struct mc__world *w, int32_t tid, bool failed)
{
	struct mc__task *t = mc__task_at(w, tid);
	if (t->agent < 0 || !(t->refs & MC__REF_AGENT) || t->end_event == 0)
		return;
	struct mc__agent *a = agent_at(w, t->agent);
	if (!a->up)
		return;
	mc_engine_cancel(w->eng, t->end_event);
	t->end_event = 0;
	finish_task(w, a, tid, failed ? MC__TASK_FAILED : MC__TASK_FINISHED);
}
