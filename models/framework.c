/*
 * framework.c - what every framework (scheduler) model does.
 *
 * A framework subscribes to the master, keeps a FIFO queue of pending tasks
 * from the jobs that arrive at it, and answers offers. Offers that arrive
 * while it is idle start a decision at once (after every offer delivered at
 * the same instant, by the engine's (time, seq) rule); the decision takes
 * Omega's decision time t_job x jobs considered + t_task x tasks considered,
 * during which the offered resources stay locked in the offers
 * (pessimistic concurrency). At the end it accepts each offer into which
 * its kind placed tasks (the unused part is declined by the master with the
 * framework's refuse filter) and declines the others with refuse_seconds.
 * Offers that arrive during a decision wait for the next one.
 *
 * It suppresses offers when idle (if configured) and revives on new work
 * (if configured): a framework that suppresses and never revives starves,
 * as many real ones did.
 *
 * With `hold` (Aurora's offer holding) it keeps the offers it does not use
 * for later work instead of declining them, and releases them in batches
 * when their hold time ends. A crashed scheduler (mc__framework_crash)
 * answers nothing until it restarts and subscribes again.
 *
 * Accounting: a task is "submitted" each time it enters the queue (a
 * resubmission after FAILED/LOST/KILLED counts again), so at every instant
 * submitted = finished + failed + killed + lost + pending + running, where
 * a resubmitted attempt's failure is not counted as an end state of the
 * task but as... (see mc__fw_counters: each attempt ends in exactly one
 * state, and each attempt was submitted once).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mesocosm/error.h"
#include "mesocosm/rng.h"
#include "models/framework.h"
#include "sim/metrics.h"

static struct mc__framework *fw_at(const struct mc__world *w, int32_t id)
{
	MC_ASSERT(id >= 0 && id < w->nfws && w->fws[id]);
	return w->fws[id];
}

static void send_to_master(struct mc__world *w, struct mc__framework *f, struct mc__msg *m)
{
	m->src_kind = MC__EP_FRAMEWORK;
	m->src = f->id;
	m->dst_kind = MC__EP_MASTER;
	m->epoch = f->master_epoch;
	mc__net_send(w, m);
}

/* ---- the pending queue ------------------------------------------------------ */

size_t mc__fw_queue_len(const struct mc__framework *f) { return f->qlen; }

int32_t mc__fw_queue_at(const struct mc__framework *f, size_t i)
{
	return f->queue[(f->qhead + i) % f->qcap];
}

static void queue_push(struct mc__framework *f, int32_t tid)
{
	if (f->qlen == f->qcap) {
		size_t ncap = f->qcap ? f->qcap * 2 : 64;
		int32_t *q = mc_xmalloc(ncap * sizeof *q);
		for (size_t i = 0; i < f->qlen; i++)
			q[i] = mc__fw_queue_at(f, i);
		free(f->queue);
		f->queue = q;
		f->qhead = 0;
		f->qcap = ncap;
	}
	f->queue[(f->qhead + f->qlen) % f->qcap] = tid;
	f->qlen++;
}

/* Rewrites the queue without the entries of tasks no longer PENDING. O(queue). */
static void queue_drop_placed(struct mc__world *w, struct mc__framework *f)
{
	size_t keep = 0;
	for (size_t i = 0; i < f->qlen; i++) {
		int32_t tid = mc__fw_queue_at(f, i);
		if (mc__task_at(w, tid)->state == MC__TASK_PENDING)
			f->queue[(f->qhead + keep++) % f->qcap] = tid;
	}
	f->qlen = keep;
	f->qstale = 0;
}

void mc__fw_queue_compact(struct mc__world *w, struct mc__framework *f)
{
	/* Placed tasks at the head are dropped one by one (FIFO kinds place a
	 * prefix: O(placed)); the whole ring is rewritten only when placed
	 * entries remain behind a pending one (kinds that look past the head,
	 * which scan the queue anyway). No placed entry may outlive the
	 * decision: its task's slot could be reused by a new task, which would
	 * then be queued twice. */
	while (f->qlen && mc__task_at(w, mc__fw_queue_at(f, 0))->state != MC__TASK_PENDING) {
		f->qhead = (f->qhead + 1) % f->qcap;
		f->qlen--;
		if (f->qstale)
			f->qstale--;
	}
	if (f->qstale)
		queue_drop_placed(w, f);
}

static void f_stale_inc(struct mc__world *w, int32_t fw)
{
	w->fws[fw]->qstale++;
	w->fws[fw]->nplaced++;
}

void mc__fw_place(struct mc__world *w, struct mc__held_offer *o, int32_t tid)
{
	struct mc__task *t = mc__task_at(w, tid);
	mc_resvec_sub(&o->avail, &t->req);
	t->state = MC__TASK_STAGING;
	t->agent = o->agent;
	f_stale_inc(w, t->framework);
	t->batch_next = o->launch_head;
	o->launch_head = tid;
	if (o->nlaunch++ == 0) {
		struct mc__framework *f = w->fws[t->framework];
		mc_xgrow(&f->used, &f->used_cap, f->nused + 1, sizeof *f->used);
		f->used[f->nused++] = (uint32_t)(o - f->offers);
	}
}

uint32_t mc__fw_job_on_agent(const struct mc__framework *f, int64_t j, int32_t agent)
{
	uint32_t n = 0;
	for (size_t i = 0; i < f->jobs[j].nhosts; i++)
		n += f->jobs[j].hosts[i].agent == agent;
	return n;
}

uint32_t mc__fw_job_on_rack(const struct mc__framework *f, int64_t j, int32_t rack)
{
	uint32_t n = 0;
	for (size_t i = 0; i < f->jobs[j].nhosts; i++)
		n += f->jobs[j].hosts[i].rack == rack;
	return n;
}

/* ---- jobs and tasks ------------------------------------------------------------ */

static int32_t job_new(struct mc__framework *f)
{
	int32_t j;
	struct mc__job_host *hosts = NULL; /* a reused slot keeps its buffer */
	size_t hosts_cap = 0;
	if (f->job_free >= 0) {
		j = f->job_free;
		f->job_free = f->jobs[j].next_free;
		hosts = f->jobs[j].hosts;
		hosts_cap = f->jobs[j].hosts_cap;
	} else {
		mc_xgrow(&f->jobs, &f->jobs_cap, f->njobs + 1, sizeof *f->jobs);
		j = (int32_t)f->njobs++;
	}
	memset(&f->jobs[j], 0, sizeof f->jobs[j]);
	f->jobs[j].hosts = hosts;
	f->jobs[j].hosts_cap = hosts_cap;
	f->jobs[j].live = true;
	f->jobs[j].first_launch = f->jobs[j].all_launched = MC_TIME_NEVER;
	return j;
}

static void job_end_task(struct mc__world *w, struct mc__framework *f, int32_t j)
{
	struct mc__job *job = &f->jobs[j];
	if (++job->nended < job->ntasks)
		return;
	f->c.jobs_completed++;
	mc_metrics_job_completed(w->metrics, mc_engine_now(w->eng), f->id, job->trace_id, job->ntasks,
				 job->submit);
	job->live = false;
	job->next_free = f->job_free;
	f->job_free = j;
}

static void decide_on_new_work(struct mc__world *w, struct mc__framework *f);

/* Sends REVIVE for all its roles: its filters are gone, it is unsuppressed. */
static void send_revive(struct mc__world *w, struct mc__framework *f)
{
	struct mc__msg *m = mc__msg_alloc(w, MC__MSG_REVIVE);
	m->u.roles.role = MC_ROLE_NONE;
	send_to_master(w, f, m);
	f->suppressed = false;
	f->declined_idle = false;
}

static void maybe_revive(struct mc__world *w, struct mc__framework *f)
{
	if (f->subscribed && f->p.revive_on_new_work && (f->suppressed || f->declined_idle))
		send_revive(w, f);
}

static void locality_revive(struct mc__world *w, struct mc__framework *f)
{
	if (f->subscribed && !f->down && f->p.revive_on_new_work && f->c.tasks_pending)
		send_revive(w, f);
}

static void locality_expired(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__world *w = ctx;
	struct mc__framework *f = fw_at(w, (int32_t)arg);
	f->loc_event = 0;
	/* While deciding, the offers it wants are in its hands: revive once it
	 * has answered them (decide_end), or the revive would find nothing to
	 * offer and the declines would hide the agents again. */
	if (f->deciding)
		f->loc_revive = true;
	else
		locality_revive(w, f);
}

void mc__fw_revive_at(struct mc__world *w, struct mc__framework *f, mc_time_t at)
{
	if (f->loc_event && mc_engine_is_pending(w->eng, f->loc_event)) {
		if (f->loc_event_at <= at)
			return;
		mc_engine_cancel(w->eng, f->loc_event);
	}
	f->loc_event_at = at;
	f->loc_event = mc_engine_schedule(w->eng, at, locality_expired, w, (uint64_t)f->id);
}

static void maybe_suppress(struct mc__world *w, struct mc__framework *f)
{
	if (!f->subscribed || !f->p.suppress_when_idle || f->suppressed || f->qlen)
		return;
	struct mc__msg *m = mc__msg_alloc(w, MC__MSG_SUPPRESS);
	m->u.roles.role = MC_ROLE_NONE;
	send_to_master(w, f, m);
	f->suppressed = true;
}

static void enqueue_attempt(struct mc__world *w, struct mc__framework *f, int32_t tid)
{
	struct mc__task *t = mc__task_at(w, tid);
	t->submit = mc_engine_now(w->eng);
	t->state = MC__TASK_PENDING;
	f->c.tasks_submitted++;
	f->c.tasks_pending++;
	mc_metrics_task_submitted(w->metrics, t->submit, f->id, f->jobs[t->job].trace_id, t->index,
				  &t->req);
	queue_push(f, tid);
}

void mc__framework_submit_job(struct mc__world *w, int32_t fw, int64_t trace_job_id,
			      uint32_t first_index, uint32_t ntasks, const struct mc_resvec *reqs,
			      const mc_time_t *durations, const uint8_t *fail_at_end,
			      int32_t *tids_out)
{
	struct mc__framework *f = fw_at(w, fw);
	if (ntasks == 0)
		return;
	int32_t j = job_new(f);
	struct mc__job *job = &f->jobs[j];
	job->trace_id = trace_job_id;
	job->ntasks = ntasks;
	job->submit = mc_engine_now(w->eng);
	f->c.jobs_submitted++;
	mc_metrics_job_submitted(w->metrics, job->submit, fw, trace_job_id, ntasks);
	for (uint32_t i = 0; i < ntasks; i++) {
		int32_t tid = mc__task_new(w);
		struct mc__task *t = mc__task_at(w, tid);
		t->framework = fw;
		t->job = j;
		t->index = first_index + i;
		t->req = reqs[i];
		t->duration = durations[i] > 0 ? durations[i] : 0;
		t->fail_at_end = fail_at_end ? fail_at_end[i] : 0;
		if (tids_out)
			tids_out[i] = tid;
		enqueue_attempt(w, f, tid);
	}
	maybe_revive(w, f);
	decide_on_new_work(w, f);
}

/* ---- deciding ------------------------------------------------------------------- */

static void decide_end(struct mc_engine *eng, void *ctx, uint64_t arg);

static void decide_start(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__world *w = ctx;
	struct mc__framework *f = fw_at(w, (int32_t)arg);
	f->decide_event = 0;
	if (f->deciding || f->noffers == 0)
		return;
	f->deciding = true;
	f->ndecided = f->noffers;
	f->nplaced = 0;
	f->nused = 0;
	f->pending_at_start = f->c.tasks_pending;
	uint32_t jobs = 0;
	uint32_t considered = f->ops->place(w, f, &jobs);
	mc__fw_queue_compact(w, f);
	/* Omega's decision time: t_job per job plus t_task per task considered;
	 * nothing to consider costs nothing. */
	mc_time_t dt = f->p.t_job * (mc_time_t)jobs + f->p.t_task * (mc_time_t)considered;
	f->c.busy_time += dt;
	if (dt > 0)
		mc_metrics_framework_busy(w->metrics, mc_engine_now(w->eng), f->id, true);
	f->decide_event = mc_engine_after(w->eng, dt, decide_end, w, (uint64_t)f->id);
}

/* Accepts o with the tasks placed into it. */
static void accept_offer(struct mc__world *w, struct mc__framework *f, struct mc__held_offer *o)
{
	mc_time_t now = mc_engine_now(w->eng);
	struct mc__msg *m = mc__msg_alloc(w, MC__MSG_ACCEPT);
	m->u.reply.offer_id = o->offer_id;
	m->u.reply.tasks = o->launch_head;
	m->u.reply.refuse = o->refuse; /* for the unused part */
	for (int32_t tid = o->launch_head; tid >= 0; tid = mc__task_at(w, tid)->batch_next) {
		struct mc__task *t = mc__task_at(w, tid);
		t->launch = now;
		f->c.tasks_pending--;
		f->c.tasks_launched++;
		f->c.tasks_running++;
		struct mc__job *job = &f->jobs[t->job];
		mc_metrics_task_launched(w->metrics, now, f->id, t->submit, &t->req);
		int level = mc__fw_locality(t, t->agent, o->rack);
		if (level >= 0)
			mc_metrics_task_locality(w->metrics, f->id, (enum mc_locality)level);
		if (t->attempts == 0) {
			if (job->nlaunched++ == 0) {
				job->first_launch = now;
				mc_metrics_job_first_launch(w->metrics, now, f->id, job->submit);
			}
			if (job->nlaunched == job->ntasks) {
				job->all_launched = now;
				mc_metrics_job_all_launched(w->metrics, now, f->id, job->submit);
			}
		}
		t->attempts++;
		if (f->nstaging == f->staging_cap && f->nstaging > 64) {
			/* forget entries that have started, ended or been reused */
			size_t k = 0;
			for (size_t i = 0; i < f->nstaging; i++) {
				struct mc__task *x = mc__task_at(w, f->staging[i].task);
				if (x->gen == f->staging[i].gen && x->state == MC__TASK_STAGING)
					f->staging[k++] = f->staging[i];
			}
			f->nstaging = k;
		}
		mc_xgrow(&f->staging, &f->staging_cap, f->nstaging + 1, sizeof *f->staging);
		f->staging[f->nstaging].task = tid;
		f->staging[f->nstaging++].gen = t->gen;
		mc_xgrow(&job->hosts, &job->hosts_cap, job->nhosts + 1, sizeof *job->hosts);
		job->hosts[job->nhosts].agent = t->agent;
		job->hosts[job->nhosts++].rack = o->rack;
	}
	send_to_master(w, f, m);
}

/* The oldest held offer's hold time is up: a decision uses or declines it. */
static void hold_expired(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	struct mc__world *w = ctx;
	struct mc__framework *f = fw_at(w, (int32_t)arg);
	f->hold_event = false;
	if (!f->deciding && !f->decide_event && f->noffers)
		decide_start(eng, w, arg);
}

/* Arms the decision that expires the oldest held offer (received at
 * `oldest`). Expired offers are released in batches, at most every tenth of
 * the hold time, so an offer is held at least `hold` and at most 1.1 x
 * `hold` (Aurora holds an offer its minimum hold time plus a random jitter
 * of up to a minute). One release per expiring offer would cost a decision
 * over every held offer each time. */
static void hold_timer(struct mc__world *w, struct mc__framework *f, mc_time_t oldest)
{
	if (oldest == MC_TIME_NEVER || f->hold_event)
		return;
	f->hold_event = true;
	mc_time_t now = mc_engine_now(w->eng);
	mc_time_t due = oldest + f->p.hold;
	if (due < now + f->p.hold / 10)
		due = now + f->p.hold / 10;
	f->hold_due = due;
	mc_engine_after(w->eng, due - now, hold_expired, w, (uint64_t)f->id);
}

/* New work for a framework that holds offers: decide now rather than wait
 * for the next offer (offer holding only; other kinds wait for offers). */
static void decide_on_new_work(struct mc__world *w, struct mc__framework *f)
{
	if (f->p.hold > 0 && f->noffers && !f->down && !f->deciding && !f->decide_event)
		f->decide_event = mc_engine_after(w->eng, 0, decide_start, w, (uint64_t)f->id);
}

/* Whether the decision keeps held offer o (unused) for later. */
static bool keeps(const struct mc__framework *f, const struct mc__held_offer *o, mc_time_t now)
{
	return o->nlaunch == 0 && (o->keep || (f->p.hold > 0 && now < o->received + f->p.hold));
}

static void decline_add(struct mc__world *w, const struct mc__held_offer *o, struct mc__msg **head,
			struct mc__msg **tail)
{
	struct mc__msg *r = mc__msg_alloc(w, MC__MSG_DECLINE);
	r->u.reply.offer_id = o->offer_id;
	r->u.reply.tasks = -1;
	r->u.reply.refuse = o->refuse;
	if (*tail)
		(*tail)->more = r->id;
	else
		*head = r;
	*tail = r;
}

/*
 * What every decision ends with, once its accepts are sent and the offers it
 * keeps are offers[0..kept): the DECLINE batch (may be NULL), a revive when
 * it declined as if idle while work arrived (`idle`, `arrived`) or when a
 * locality wait ended meanwhile, offers that arrived during the decision
 * moved up behind the kept ones, the hold timer for the oldest kept offer,
 * and a new decision for the offers that arrived.
 */
static void decision_done(struct mc__world *w, struct mc__framework *f, size_t decided,
			  size_t kept, struct mc__msg *decline, bool idle, bool arrived,
			  mc_time_t oldest)
{
	if (idle)
		f->declined_idle = true;
	if (decline)
		send_to_master(w, f, decline);
	if (idle && arrived)
		maybe_revive(w, f);
	if (f->loc_revive) { /* a locality wait ended during the decision */
		f->loc_revive = false;
		locality_revive(w, f);
	}
	memmove(f->offers + kept, f->offers + decided, (f->noffers - decided) * sizeof *f->offers);
	f->noffers -= decided - kept;
	f->nkept = kept;
	f->hold_oldest = oldest;
	hold_timer(w, f, oldest);
	maybe_suppress(w, f);
	if (f->noffers > kept)
		decide_start(w->eng, w, (uint64_t)f->id);
}

static int index_desc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* The end of a decision of a framework that holds offers, when no hold has
 * ended: the offers it used are accepted, all others kept. Answered slots
 * take the last decided offer, in descending index order so that no used
 * offer moves before it is answered. */
static void hold_answer_used(struct mc__world *w, struct mc__framework *f, size_t decided,
			     mc_time_t oldest)
{
	if (f->nused > 1)
		qsort(f->used, f->nused, sizeof *f->used, index_desc);
	bool declines = false; /* the unused part of an accept is declined */
	size_t n = decided;
	for (size_t k = 0; k < f->nused; k++) {
		struct mc__held_offer *o = &f->offers[f->used[k]];
		declines |= !mc_resvec_is_zero(&o->avail);
		accept_offer(w, f, o);
		f->offers[f->used[k]] = f->offers[--n];
	}
	bool idle = declines && f->pending_at_start == f->nplaced;
	bool arrived = f->c.tasks_pending + f->nplaced > f->pending_at_start;
	decision_done(w, f, decided, n, NULL, idle, arrived, oldest);
}

static void decide_end(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__world *w = ctx;
	struct mc__framework *f = fw_at(w, (int32_t)arg);
	mc_time_t now = mc_engine_now(w->eng);
	size_t decided = f->ndecided;
	f->decide_event = 0;
	f->deciding = false;
	f->ndecided = 0;
	mc_metrics_framework_busy(w->metrics, now, f->id, false);
	if (f->p.hold > 0) {
		/* Offer holding: until the next release of expired offers, every
		 * offer the decision placed nothing into is kept, and only those it
		 * used are answered (accepted): O(new + used offers), not O(held). */
		mc_time_t oldest = f->hold_oldest;
		for (size_t i = f->nkept; i < decided; i++)
			if (f->offers[i].received < oldest)
				oldest = f->offers[i].received;
		if (now < f->hold_due) {
			hold_answer_used(w, f, decided, oldest);
			return;
		}
	}
	/* Declining while nothing is pending leaves filters that may hide agents
	 * from work that arrives later: then new work revives. Declines made
	 * while tasks were waiting (they did not fit) are deliberate. */
	uint64_t launching = 0;
	bool declines = false;
	for (size_t i = 0; i < decided; i++) {
		const struct mc__held_offer *o = &f->offers[i];
		launching += o->nlaunch;
		declines |= !keeps(f, o, now) && (!o->nlaunch || !mc_resvec_is_zero(&o->avail));
	}
	/* Work that arrived during the decision was not considered: if the
	 * decision declined as if idle, the framework revives right after its
	 * declines, or that work would wait out the filters. */
	bool idle = declines && f->pending_at_start == launching;
	bool arrived = f->c.tasks_pending > f->pending_at_start;
	/* Accepts go one per offer; the declines go together in one DECLINE.
	 * Kept offers stay in arrival order (kinds that keep offers rely on
	 * it), except with offer holding, where thousands may be held: there an
	 * answered offer's slot takes the last decided one (O(answered)). */
	size_t kept = 0;
	struct mc__msg *decline = NULL, *tail = NULL;
	mc_time_t oldest = MC_TIME_NEVER;
	if (f->p.hold > 0) {
		size_t n = decided;
		for (size_t i = 0; i < n;) {
			struct mc__held_offer *o = &f->offers[i];
			if (keeps(f, o, now)) {
				o->keep = false;
				if (o->received < oldest)
					oldest = o->received;
				i++;
				continue;
			}
			if (o->nlaunch)
				accept_offer(w, f, o);
			else
				decline_add(w, o, &decline, &tail);
			f->offers[i] = f->offers[--n];
		}
		kept = n;
	} else {
		for (size_t i = 0; i < decided; i++) {
			struct mc__held_offer *o = &f->offers[i];
			if (keeps(f, o, now)) {
				o->keep = false;
				f->offers[kept++] = *o; /* held for the next decision */
			} else if (o->nlaunch) {
				accept_offer(w, f, o);
			} else {
				decline_add(w, o, &decline, &tail);
			}
		}
	}
	f->hold_due = MC_TIME_NEVER; /* this was the release: arm the next */
	decision_done(w, f, decided, kept, decline, idle, arrived, oldest);
}

static void hold_offer(struct mc__world *w, struct mc__framework *f, const struct mc__msg *m)
{
	mc_xgrow(&f->offers, &f->offers_cap, f->noffers + 1, sizeof *f->offers);
	struct mc__held_offer *o = &f->offers[f->noffers++];
	o->offer_id = m->u.offer.offer_id;
	o->agent = m->u.offer.agent;
	o->role = m->u.offer.role;
	mc_resources_sum(&m->u.offer.res, &o->avail);
	o->rack = m->u.offer.rack;
	o->launch_head = -1;
	o->nlaunch = 0;
	o->keep = false;
	o->refuse = f->p.refuse;
	o->received = mc_engine_now(w->eng);
	if (!f->deciding && !f->decide_event)
		f->decide_event = mc_engine_after(w->eng, 0, decide_start, w, (uint64_t)f->id);
}

static void drop_offer(struct mc__world *w, struct mc__framework *f, int64_t offer_id)
{
	/* A rescinded offer still waiting is simply forgotten; one being
	 * decided is answered anyway, and the master rejects the answer. */
	(void)w;
	for (size_t i = f->deciding ? f->ndecided : 0; i < f->noffers; i++)
		if (f->offers[i].offer_id == offer_id) {
			memmove(&f->offers[i], &f->offers[i + 1],
				(f->noffers - i - 1) * sizeof *f->offers);
			f->noffers--;
			return;
		}
}

/* ---- status updates --------------------------------------------------------------- */

static void apply_update(struct mc__world *w, struct mc__framework *f, const struct mc__msg *m);

static void task_update(struct mc__world *w, struct mc__framework *f, const struct mc__msg *m)
{
	struct mc__msg *ack = mc__msg_alloc(w, MC__MSG_ACKNOWLEDGE);
	ack->u.status = m->u.status;
	send_to_master(w, f, ack);
	apply_update(w, f, m);
}

/* Applies a status update to the task (after any acknowledgement). */
static void apply_update(struct mc__world *w, struct mc__framework *f, const struct mc__msg *m)
{
	int32_t tid = m->u.status.task;
	struct mc__task *t = mc__task_at(w, tid);
	int state = m->u.status.state;
	if (t->gen != m->u.status.task_gen || !(t->refs & MC__REF_FRAMEWORK) ||
	    t->framework != f->id || !mc__task_state_terminal(state) ||
	    t->launch == MC_TIME_NEVER)
		return; /* a duplicate, a non-terminal update, or a stale one */
	f->c.tasks_running--;
	/* An accept that found its offer gone: Mesos reports TASK_LOST (the task
	 * never ran); it is resubmitted whatever max_attempts says. */
	bool never_ran = m->u.status.invalid_offer;
	switch (state) {
	case MC__TASK_FINISHED: f->c.tasks_finished++; break;
	case MC__TASK_FAILED: f->c.tasks_failed++; break;
	case MC__TASK_KILLED: f->c.tasks_killed++; break;
	default: f->c.tasks_lost++; break;
	}
	static const enum mc_task_end ends[] = {
		[MC__TASK_FINISHED] = MC_TASK_FINISHED, [MC__TASK_FAILED] = MC_TASK_FAILED,
		[MC__TASK_KILLED] = MC_TASK_KILLED, [MC__TASK_LOST] = MC_TASK_LOST};
	struct mc_task_record rec = {
		.framework = f->id,
		.agent = t->agent,
		.job = f->jobs[t->job].trace_id,
		.index = t->index,
		.attempt = t->attempts > 0 ? (uint32_t)t->attempts - 1 : 0,
		.submit = t->submit,
		.launch = t->launch,
		.end = mc_engine_now(w->eng),
		.state = ends[state],
		.req = t->req,
	};
	mc_metrics_task_ended(w->metrics, rec.end, &rec);
	t->launch = MC_TIME_NEVER;
	struct mc__job *job = &f->jobs[t->job];
	for (size_t i = 0; i < job->nhosts; i++)
		if (job->hosts[i].agent == t->agent) {
			job->hosts[i] = job->hosts[--job->nhosts];
			break;
		}
	bool again;
	if (state == MC__TASK_FINISHED)
		again = false;
	else if (never_ran)
		again = true;
	else if (f->ops->resubmit)
		again = f->ops->resubmit(f, t, state);
	else
		again = t->attempts <= (uint16_t)f->p.max_attempts;
	if (again) {
		/* A new attempt: a new descriptor, the old one let go. */
		int32_t nid = mc__task_new(w);
		struct mc__task *n = mc__task_at(w, nid);
		t = mc__task_at(w, tid);
		n->framework = t->framework;
		n->job = t->job;
		n->index = t->index;
		n->req = t->req;
		n->duration = t->duration;
		/* a retry of the trace's failure runs to success; an attempt lost
		 * or killed by the simulation keeps the trace's end state */
		n->fail_at_end = state == MC__TASK_FAILED ? 0 : t->fail_at_end;
		n->npref = t->npref;
		memcpy(n->pref_agent, t->pref_agent, sizeof n->pref_agent);
		memcpy(n->pref_rack, t->pref_rack, sizeof n->pref_rack);
		n->attempts = t->attempts;
		enqueue_attempt(w, f, nid);
		mc__task_release(w, tid, MC__REF_FRAMEWORK);
		maybe_revive(w, f);
		decide_on_new_work(w, f);
		return;
	}
	int32_t j = (int32_t)t->job;
	uint32_t index = t->index;
	mc__task_release(w, tid, MC__REF_FRAMEWORK);
	mc__world_task_done(w, f->id, f->jobs[j].trace_id, index, state == MC__TASK_FINISHED);
	job_end_task(w, f, j);
}

static void leader_changed(struct mc__world *w, struct mc__framework *f, uint32_t epoch);

void mc__framework_receive(struct mc__world *w, struct mc__msg *m)
{
	struct mc__framework *f = fw_at(w, m->dst);
	if (f->down) {
		/* A crashed scheduler answers nothing: offers and rescinds are
		 * lost, updates are not acknowledged (agents retry them). Their
		 * end is still recorded when the master learns it: the record is
		 * the simulator's, not the scheduler's. */
		if (m->type == MC__MSG_UPDATE)
			apply_update(w, f, m);
		else if (m->type == MC__MSG_LEADER)
			f->master_epoch = m->epoch;
		return;
	}
	switch (m->type) {
	case MC__MSG_SUBSCRIBED:
		f->subscribed = true;
		f->master_epoch = m->epoch;
		break;
	case MC__MSG_OFFER:
		for (const struct mc__msg *r = m;; r = mc__msg_at(w, r->more)) {
			hold_offer(w, f, r);
			if (r->more < 0)
				break;
		}
		break;
	case MC__MSG_RESCIND:
		drop_offer(w, f, m->u.offer.offer_id);
		break;
	case MC__MSG_UPDATE:
		task_update(w, f, m);
		break;
	case MC__MSG_LEADER:
		leader_changed(w, f, m->epoch);
		break;
	default:
		MC_BUG("framework got unexpected message type %d", m->type);
	}
}

/* ---- leader failover ---------------------------------------------------------------- */

static void subscribe_event(struct mc_engine *eng, void *ctx, uint64_t arg);

/* Tasks placed into offers[0..n) but not launched go back to the queue. */
static void unplace(struct mc__world *w, struct mc__framework *f, size_t n)
{
	queue_drop_placed(w, f); /* so that none is queued twice */
	for (size_t i = 0; i < n; i++)
		for (int32_t tid = f->offers[i].launch_head; tid >= 0;) {
			struct mc__task *t = mc__task_at(w, tid);
			int32_t next = t->batch_next;
			t->batch_next = -1;
			t->state = MC__TASK_PENDING;
			t->agent = -1;
			queue_push(f, tid);
			tid = next;
		}
}

void mc__framework_crash(struct mc__world *w, int32_t fw)
{
	struct mc__framework *f = fw_at(w, fw);
	if (f->down)
		return;
	if (f->decide_event)
		mc_engine_cancel(w->eng, f->decide_event);
	f->decide_event = 0;
	if (f->deciding)
		unplace(w, f, f->ndecided);
	mc_metrics_framework_busy(w->metrics, mc_engine_now(w->eng), f->id, false);
	f->deciding = false;
	f->ndecided = 0;
	f->noffers = 0;
	f->nkept = 0;
	f->down = true;
	bool was = f->subscribed;
	f->subscribed = false;
	f->suppressed = false;
	f->declined_idle = false;
	if (was) {
		struct mc__msg *m = mc__msg_alloc(w, MC__MSG_EXITED);
		send_to_master(w, f, m);
	}
}

void mc__framework_restart(struct mc__world *w, int32_t fw)
{
	struct mc__framework *f = fw_at(w, fw);
	if (!f->down)
		return;
	f->down = false;
	mc_engine_after(w->eng, 0, subscribe_event, w, (uint64_t)fw);
}

bool mc__framework_is_down(const struct mc__world *w, int32_t fw) { return fw_at(w, fw)->down; }

/*
 * A new master leads: the offers we hold are void, and tasks we launched
 * that never reached an agent (still STAGING: any launch message was
 * delivered or lost long before the election) never will: they go back to
 * the queue. We subscribe again after a random backoff of up to 1 s.
 */
static void leader_changed(struct mc__world *w, struct mc__framework *f, uint32_t epoch)
{
	f->master_epoch = epoch;
	f->subscribed = false;
	if (!f->deciding) {
		f->noffers = 0;
		f->nkept = 0;
	}
	size_t keep = 0;
	for (size_t i = 0; i < f->nstaging; i++) {
		int32_t tid = f->staging[i].task;
		struct mc__task *t = mc__task_at(w, tid);
		if (t->gen != f->staging[i].gen || t->framework != f->id)
			continue;
		if (t->state == MC__TASK_STAGING && t->launch != MC_TIME_NEVER) {
			struct mc__msg fake;
			memset(&fake, 0, sizeof fake);
			fake.u.status.task = tid;
			fake.u.status.task_gen = t->gen;
			fake.u.status.state = MC__TASK_LOST;
			fake.u.status.invalid_offer = 1;
			fake.u.status.agent = t->agent;
			apply_update(w, f, &fake);
			continue;
		}
		f->staging[keep++] = f->staging[i];
	}
	f->nstaging = keep;
	mc_time_t backoff = (mc_time_t)(gsl_rng_uniform(f->rng) * (double)MC_SEC);
	mc_engine_after(w->eng, backoff, subscribe_event, w, (uint64_t)f->id);
}

/* ---- lifecycle ----------------------------------------------------------------------- */

static void subscribe_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__world *w = ctx;
	struct mc__framework *f = fw_at(w, (int32_t)arg);
	if (f->down)
		return; /* crashed before it could (re)subscribe */
	struct mc__msg *m = mc__msg_alloc(w, MC__MSG_SUBSCRIBE);
	m->u.sub.role = f->p.role;
	m->u.sub.capabilities = f->p.gpu_capable ? MC_CAP_GPU_RESOURCES : 0;
	m->u.sub.failover_timeout = f->p.failover_timeout;
	send_to_master(w, f, m);
}

static const struct mc__fw_kind_ops *kind_lookup(const char *name)
{
	static const struct mc__fw_kind_ops *const kinds[] = {&mc__fw_batch, &mc__fw_service,
							      &mc__fw_gang, &mc__fw_trace};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (name && !strcmp(kinds[i]->name, name))
			return kinds[i];
	return &mc__fw_batch;
}

void mc__framework_add(struct mc__world *w, int32_t id, const struct mc__fw_params *p)
{
	if (id >= w->nfws) {
		w->fws = mc_xrealloc(w->fws, (size_t)(id + 1) * sizeof *w->fws);
		for (int32_t i = w->nfws; i <= id; i++)
			w->fws[i] = NULL;
		w->nfws = id + 1;
	}
	MC_ASSERT(!w->fws[id]);
	struct mc__framework *f = mc_xcalloc(1, sizeof *f);
	char cid[96];
	snprintf(cid, sizeof cid, "framework/%s", p->name);
	f->id = id;
	f->p = *p;
	f->ops = kind_lookup(p->kind);
	f->rng = mc_rng_new(w->seed, cid);
	f->job_free = -1;
	f->hold_oldest = MC_TIME_NEVER;
	f->hold_due = MC_TIME_NEVER;
	w->fws[id] = f;
	mc_engine_schedule(w->eng, p->subscribe_at, subscribe_event, w, (uint64_t)id);
}

void mc__framework_free(struct mc__framework *f)
{
	if (!f)
		return;
	gsl_rng_free(f->rng);
	free(f->queue);
	free(f->staging);
	for (size_t i = 0; i < f->njobs; i++)
		free(f->jobs[i].hosts);
	free(f->jobs);
	free(f->offers);
	free(f->used);
	free(f);
}

int32_t mc__framework_role(const struct mc__world *w, int32_t fw) { return fw_at(w, fw)->p.role; }

const char *mc__framework_name(const struct mc__world *w, int32_t fw)
{
	return fw_at(w, fw)->p.name;
}

void mc__framework_counters(const struct mc__world *w, int32_t fw, struct mc__fw_counters *out)
{
	*out = fw_at(w, fw)->c;
}

void mc__task_trace_end(struct mc__world *w, int32_t tid, uint32_t gen, bool failed)
{
	struct mc__task *t = mc__task_at(w, tid);
	if (t->gen != gen || !(t->refs & MC__REF_FRAMEWORK))
		return;
	t->fail_at_end = failed;
	if (t->state == MC__TASK_RUNNING || t->state == MC__TASK_STARTING)
		mc__agent_task_exited(w, tid, failed);
	else if (t->state == MC__TASK_PENDING || t->state == MC__TASK_STAGING)
		t->duration = 0;
}
