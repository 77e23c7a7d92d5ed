/*
 * trace_feed.c - replays a workload trace into the models.
 *
 * One feed per trace: it keeps exactly one pending engine event, for its
 * next record, so memory is bounded by the reader's in-flight state, never
 * by the trace's length. Trace time t maps to simulated time
 * (t - start) x time_scale; records before `start` are replayed at time 0,
 * records after `end` stop the feed.
 *
 * Machine records build the agents when the experiment takes its agents
 * from the trace (ADD: a new agent, or the recovery of a removed one;
 * REMOVE: the agent fails; UPDATE: the agent's total changes, reported to
 * the master as Mesos's UpdateSlaveMessage). Task records become job submissions at the
 * framework the config's mapping rule names (by user, priority band or
 * scheduling class; first matching rule wins; else the default framework,
 * or the job is dropped and counted). A record's `count` identical tasks
 * are one submission. Tasks whose run time the trace does not give run
 * until the trace's end record for them (MC_TREC_TASK_END), or past the end
 * of the run if none comes; a trace end state other than FINISHED makes the
 * task end FAILED.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesocosm/error.h"
#include "mesocosm/trace.h"
#include "sim/trace_feed.h"

/* Trace machine id -> dense agent id: open addressing, linear probing,
 * grown at half load. (A general hash table library would add a
 * dependency for this one map.) */
struct idmap {
	uint64_t *keys;
	int32_t *vals;
	size_t cap, n;
};

static size_t idmap_slot(const struct idmap *m, uint64_t k)
{
	uint64_t h = k * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 20) & (m->cap - 1);
	while (m->vals[i] >= 0 && m->keys[i] != k)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int32_t idmap_get(const struct idmap *m, uint64_t k)
{
	return m->cap ? m->vals[idmap_slot(m, k)] : -1;
}

static void idmap_put(struct idmap *m, uint64_t k, int32_t v)
{
	if (2 * (m->n + 1) > m->cap) {
		struct idmap old = *m;
		m->cap = old.cap ? old.cap * 2 : 1024;
		m->keys = mc_xmalloc(m->cap * sizeof *m->keys);
		m->vals = mc_xmalloc(m->cap * sizeof *m->vals);
		for (size_t i = 0; i < m->cap; i++)
			m->vals[i] = -1;
		m->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.vals[i] >= 0)
				idmap_put(m, old.keys[i], old.vals[i]);
		free(old.keys);
		free(old.vals);
	}
	size_t i = idmap_slot(m, k);
	if (m->vals[i] < 0)
		m->n++;
	m->keys[i] = k;
	m->vals[i] = v;
}

/* Key of a task attempt whose end the trace gives later. */
static uint64_t attempt_key(uint64_t job, uint32_t index, uint32_t attempt)
{
	uint64_t x = job * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)index << 20) ^ attempt;
	return x ? x : 1;
}

/* Key of a task of framework fw in the DAG maps: several feeds may replay
 * traces whose job ids overlap, and each sees every framework's tasks end. */
static uint64_t node_key(int32_t fw, uint64_t job, uint32_t index)
{
	uint64_t x =
	    attempt_key(job, index, 0) ^ ((uint64_t)(uint32_t)(fw + 1) * 0xc2b2ae3d27d4eb4fULL);
	return x ? x : 1;
}

/* A DAG node: one task record of a job (its dag_id), done when all its
 * instances finished. */
struct dag_node {
	bool seen;
	bool failed;       /* an instance ended for good without finishing */
	uint32_t remaining; /* instances not finished yet */
	int32_t waiters;   /* head of the list of deferred records waiting on it */
};

struct dag_wait {
	int32_t deferred;
	int32_t next;
};

struct dag_deferred {
	struct mc_trace_task task;
	uint32_t unmet;
	int fw;
};

struct mc__trace_feed {
	struct mc__world *w;
	const struct mc_config_trace *t;
	struct mc_trace_reader *r;
	int fixed_fw;            /* >= 0: every job goes to this framework */
	const int32_t *fw_base;  /* dense id of replica 0 of each config framework */
	bool machines;           /* build agents from machine records */
	const struct mc__agent_params *agent_defaults;
	struct idmap agents;
	struct idmap nodes;       /* (job, dag_id) -> index into dag */
	struct idmap node_of;     /* (framework, job, task index) -> index into dag */
	struct dag_node *dag;
	size_t ndag, dag_cap;
	struct dag_wait *waits;
	size_t nwaits, waits_cap;
	struct dag_deferred *deferred;
	size_t ndeferred, deferred_cap;
	uint64_t dag_blocked;     /* tasks that never ran: a dependency failed */
	struct idmap open;        /* attempt_key -> index into open_tasks */
	struct { int32_t tid; uint32_t gen; } *open_tasks;
	size_t nopen, open_cap;
	int32_t *tids;
	int32_t next_agent;
	uint8_t *removed; /* by agent id: the trace removed its machine */
	size_t removed_cap;
	mc_time_t until;
	struct mc_trace_record rec;
	bool have;
	bool done;
	int err;
	uint64_t dropped_jobs, tasks;
	struct mc_resvec *reqs;
	mc_time_t *durs;
	uint8_t *fails;
	size_t cap;
};

static mc_time_t sim_time(const struct mc__trace_feed *f, mc_time_t trace_t)
{
	if (trace_t <= f->t->start)
		return 0;
	double d = (double)(trace_t - f->t->start) * f->t->time_scale;
	return d >= 9e18 ? MC_TIME_NEVER : (mc_time_t)llround(d);
}

static int map_framework(struct mc__trace_feed *f, const struct mc_trace_task *task)
{
	if (f->fixed_fw >= 0)
		return f->fixed_fw;
	const struct mc_config_trace *t = f->t;
	for (int i = 0; i < t->nrules; i++) {
		const struct mc_config_map_rule *rule = &t->rules[i];
		bool hit = false;
		char buf[32];
		switch (t->map_by) {
		case MC_MAP_USER:
			hit = !strcmp(mc_trace_user_name(f->r, task->user), rule->match);
			break;
		case MC_MAP_PRIORITY:
			hit = task->priority >= rule->lo && task->priority <= rule->hi;
			break;
		case MC_MAP_CLASS:
			snprintf(buf, sizeof buf, "%d", (int)task->sched_class);
			hit = !strcmp(buf, rule->match);
			break;
		}
		if (hit)
			return f->fw_base[rule->fw_index] + rule->fw_replica;
	}
	if (t->map_default)
		return f->fw_base[t->map_default_index] + t->map_default_replica;
	return -1;
}

/* Marks whether the trace itself has the machine behind agent `id` removed. */
static void set_removed(struct mc__trace_feed *f, int32_t id, bool removed)
{
	if ((size_t)id >= f->removed_cap) {
		size_t old = f->removed_cap;
		mc_xgrow(&f->removed, &f->removed_cap, (size_t)id + 1, sizeof *f->removed);
		memset(f->removed + old, 0, f->removed_cap - old);
	}
	f->removed[id] = removed;
}

static bool is_removed(const struct mc__trace_feed *f, int32_t id)
{
	return (size_t)id < f->removed_cap && f->removed[id];
}

static void machine_record(struct mc__trace_feed *f, const struct mc_trace_machine *mr)
{
	if (!f->machines)
		return;
	int32_t id = idmap_get(&f->agents, mr->id);
	if (id < 0) {
		/* A machine first seen in an ADD (or an UPDATE: the trace's
		 * window began after its ADD) is a new agent. */
		if (mr->event == MC_TMACH_REMOVE)
			return;
		id = f->next_agent++;
		idmap_put(&f->agents, mr->id, id);
		struct mc__agent_params p = *f->agent_defaults;
		p.total = mr->capacity;
		p.register_at = mc_engine_now(f->w->eng);
		mc__agent_add(f->w, id, &p);
		return;
	}
	switch (mr->event) {
	case MC_TMACH_ADD:
	case MC_TMACH_UPDATE:
		/* A capacity change reaches the master as Mesos's
		 * UpdateSlaveMessage (a down agent carries it in its next
		 * registration). ADD brings back a down agent; so does an
		 * UPDATE of a machine the trace removed (Alibaba's machine
		 * table marks a machine back in use as an update). */
		if (!mc_resources_is_empty(&mr->capacity))
			mc__agent_update_total(f->w, id, &mr->capacity);
		if (!mc__agent_is_up(f->w, id) && (mr->event == MC_TMACH_ADD || is_removed(f, id)))
			mc__agent_recover(f->w, id);
		set_removed(f, id, false);
		break;
	case MC_TMACH_REMOVE:
		mc__agent_fail(f->w, id);
		set_removed(f, id, true);
		break;
	}
}

static void submit_task(struct mc__trace_feed *f, const struct mc_trace_task *task, int fw)
{
	uint32_t n = task->count ? task->count : 1;
	if (n > f->cap) {
		f->cap = n;
		f->reqs = mc_xrealloc(f->reqs, n * sizeof *f->reqs);
		f->durs = mc_xrealloc(f->durs, n * sizeof *f->durs);
		f->fails = mc_xrealloc(f->fails, n * sizeof *f->fails);
		f->tids = mc_xrealloc(f->tids, n * sizeof *f->tids);
	}
	mc_time_t dur = task->duration;
	bool open_ended = dur < 0;
	if (open_ended)
		dur = f->until; /* unknown: until its end record, or past the run's end */
	else if (f->t->time_scale != 1.0)
		dur = (mc_time_t)llround((double)dur * f->t->time_scale);
	bool fail = task->end_state != MC_TEND_FINISHED && task->end_state != MC_TEND_UNKNOWN;
	for (uint32_t i = 0; i < n; i++) {
		f->reqs[i] = task->request;
		f->durs[i] = dur;
		f->fails[i] = fail;
	}
	f->tasks += n;
	mc__framework_submit_job(f->w, fw, (int64_t)task->job_id, task->task_index, n, f->reqs, f->durs, f->fails,
				 f->tids);
	for (uint32_t i = 0; open_ended && i < n; i++) {
		mc_xgrow(&f->open_tasks, &f->open_cap, f->nopen + 1, sizeof *f->open_tasks);
		f->open_tasks[f->nopen].tid = f->tids[i];
		f->open_tasks[f->nopen].gen = mc__task_at(f->w, f->tids[i])->gen;
		idmap_put(&f->open, attempt_key(task->job_id, task->task_index + i, task->attempt),
			  (int32_t)f->nopen++);
	}
}

static int32_t dag_node(struct mc__trace_feed *f, uint64_t job, uint32_t dag_id)
{
	uint64_t key = attempt_key(job, dag_id, 0xdac);
	int32_t k = idmap_get(&f->nodes, key);
	if (k >= 0)
		return k;
	mc_xgrow(&f->dag, &f->dag_cap, f->ndag + 1, sizeof *f->dag);
	f->dag[f->ndag] = (struct dag_node){.waiters = -1};
	idmap_put(&f->nodes, key, (int32_t)f->ndag);
	return (int32_t)f->ndag++;
}

static bool dag_done(const struct dag_node *d) { return d->seen && d->remaining == 0 && !d->failed; }

/*
 * A task record: submitted now, unless it belongs to a DAG and some task it
 * depends on (same job) has not finished yet; then it waits, and is
 * submitted when the last of them finishes (at that time: the trace's own
 * start time assumed the same dependencies).
 */
static void task_record(struct mc__trace_feed *f, const struct mc_trace_task *task)
{
	int fw = map_framework(f, task);
	if (fw < 0) {
		f->dropped_jobs++;
		return;
	}
	if (task->dag_id == 0) {
		submit_task(f, task, fw);
		return;
	}
	int32_t me = dag_node(f, task->job_id, task->dag_id);
	f->dag[me].seen = true;
	f->dag[me].remaining += task->count ? task->count : 1;
	for (uint32_t i = 0; i < (task->count ? task->count : 1); i++)
		idmap_put(&f->node_of, node_key(fw, task->job_id, task->task_index + i), me);
	uint32_t unmet = 0;
	for (uint32_t d = 0; d < task->ndeps; d++)
		unmet += !dag_done(&f->dag[dag_node(f, task->job_id, task->deps[d])]);
	if (unmet == 0) {
		submit_task(f, task, fw);
		return;
	}
	mc_xgrow(&f->deferred, &f->deferred_cap, f->ndeferred + 1, sizeof *f->deferred);
	int32_t di = (int32_t)f->ndeferred++;
	f->deferred[di] = (struct dag_deferred){.task = *task, .unmet = unmet, .fw = fw};
	for (uint32_t d = 0; d < task->ndeps; d++) {
		int32_t dep = dag_node(f, task->job_id, task->deps[d]);
		if (dag_done(&f->dag[dep]))
			continue;
		mc_xgrow(&f->waits, &f->waits_cap, f->nwaits + 1, sizeof *f->waits);
		f->waits[f->nwaits] = (struct dag_wait){.deferred = di, .next = f->dag[dep].waiters};
		f->dag[dep].waiters = (int32_t)f->nwaits++;
	}
}

/* World observer: a task reached its final state (a task of another feed
 * is not in node_of). */
static void task_done(void *ctx, int32_t fw, int64_t job, uint32_t index, bool finished)
{
	struct mc__trace_feed *f = ctx;
	int32_t k = idmap_get(&f->node_of, node_key(fw, (uint64_t)job, index));
	if (k < 0)
		return;
	struct dag_node *d = &f->dag[k];
	if (!finished)
		d->failed = true;
	if (d->remaining > 0)
		d->remaining--;
	if (d->remaining > 0 || !d->seen)
		return;
	for (int32_t w = d->waiters; w >= 0; w = f->waits[w].next) {
		struct dag_deferred *x = &f->deferred[f->waits[w].deferred];
		if (d->failed) {
			if (x->unmet) {
				x->unmet = 0; /* never runs */
				f->dag_blocked += x->task.count ? x->task.count : 1;
			}
			continue;
		}
		if (x->unmet && --x->unmet == 0)
			submit_task(f, &x->task, x->fw);
	}
	d->waiters = -1;
}

/* A task submitted with an unknown run time ends now. */
static void task_end_record(struct mc__trace_feed *f, const struct mc_trace_task_end *e)
{
	int32_t k = idmap_get(&f->open, attempt_key(e->job_id, e->task_index, e->attempt));
	if (k < 0)
		return;
	bool failed = e->end_state != MC_TEND_FINISHED && e->end_state != MC_TEND_UNKNOWN;
	mc__task_trace_end(f->w, f->open_tasks[k].tid, f->open_tasks[k].gen, failed);
	f->open_tasks[k].tid = -1;
}

static void next_event(struct mc_engine *eng, void *ctx, uint64_t arg);

/* Reads the next record and schedules it; marks the feed done at the end,
 * past `end`, or on an error (kept in f->err, message in the reader). */
static void advance(struct mc__trace_feed *f)
{
	int rc = mc_trace_next(f->r, &f->rec);
	if (rc <= 0) {
		f->done = true;
		f->err = rc;
		return;
	}
	if (f->t->end != MC_TIME_NEVER && f->rec.time > f->t->end) {
		f->done = true;
		return;
	}
	mc_time_t at = sim_time(f, f->rec.time);
	mc_time_t now = mc_engine_now(f->w->eng);
	if (at < now)
		at = now;
	if (at >= f->until) {
		f->done = true;
		return;
	}
	mc_engine_schedule(f->w->eng, at, next_event, f, 0);
}

static void next_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	(void)arg;
	struct mc__trace_feed *f = ctx;
	if (f->rec.type == MC_TREC_MACHINE)
		machine_record(f, &f->rec.machine);
	else if (f->rec.type == MC_TREC_TASK)
		task_record(f, &f->rec.task);
	else if (f->rec.type == MC_TREC_TASK_END)
		task_end_record(f, &f->rec.end);
	advance(f);
}

int mc__trace_feed_open(struct mc__trace_feed **out, struct mc__world *w,
			const struct mc_config_trace *t, int fixed_fw, const int32_t *fw_base,
			bool machines, const struct mc__agent_params *agent_defaults,
			mc_time_t until, char *errbuf, size_t n)
{
	struct mc__trace_feed *f = mc_xcalloc(1, sizeof *f);
	int rc = mc_trace_open(t->path, (enum mc_trace_format)t->format, NULL, &f->r, errbuf, n);
	if (rc) {
		free(f);
		return rc;
	}
	f->w = w;
	f->t = t;
	f->fixed_fw = fixed_fw;
	f->fw_base = fw_base;
	f->machines = machines;
	f->agent_defaults = agent_defaults;
	f->until = until;
	mc__world_on_task_done(w, task_done, f);
	advance(f);
	*out = f;
	return 0;
}

bool mc__trace_feed_done(const struct mc__trace_feed *f) { return f->done; }

int mc__trace_feed_error(const struct mc__trace_feed *f, const char **msg)
{
	*msg = f->err < 0 ? mc_trace_error(f->r) : "";
	return f->err < 0 ? f->err : 0;
}


void mc__trace_feed_free(struct mc__trace_feed *f)
{
	if (!f)
		return;
	mc_trace_close(f->r);
	free(f->agents.keys);
	free(f->agents.vals);
	free(f->removed);
	free(f->open.keys);
	free(f->open.vals);
	free(f->nodes.keys);
	free(f->nodes.vals);
	free(f->node_of.keys);
	free(f->node_of.vals);
	free(f->dag);
	free(f->waits);
	free(f->deferred);
	free(f->open_tasks);
	free(f->tids);
	free(f->reqs);
	free(f->durs);
	free(f->fails);
	free(f);
}
