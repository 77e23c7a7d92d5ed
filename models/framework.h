/*
 * framework.h - internals shared by the framework (scheduler) model and its
 * kinds. models/framework.c holds what every framework does (subscribe,
 * hold offers, spend decision time, answer offers, follow its tasks,
 * suppress and revive); a kind (models/fw_<kind>.c) decides placement and
 * what happens when a task dies, through a const ops table.
 */
#ifndef MC_MODELS_FRAMEWORK_H
#define MC_MODELS_FRAMEWORK_H

#include <gsl/gsl_rng.h>

#include "models/models.h"
#include "sim/metrics.h"

/* An offer the framework holds, and what it decided to do with it. */
struct mc__held_offer {
	int64_t offer_id;
	int32_t agent;
	int32_t role;
	struct mc_resvec avail;  /* offered, minus what is placed so far */
	int32_t rack;            /* the agent's rack attribute (interned), -1 unknown */
	int32_t launch_head;     /* tasks placed into it (batch list), -1 none */
	uint32_t nlaunch;
	bool keep;               /* set by a kind: hold the offer past this decision */
	mc_time_t received;      /* when it arrived (offer holding, mc__fw_params.hold) */
	mc_time_t refuse;        /* filter if declined: the framework's refuse_seconds
	                          * unless a kind shortens it (delay scheduling) */
};

/* A job as its framework sees it. Slots are reused after completion. */
struct mc__job {
	int64_t trace_id;
	uint32_t ntasks;
	uint32_t nlaunched;  /* tasks launched at least once */
	uint32_t nended;     /* tasks that reached a final state (no more attempts) */
	mc_time_t submit;
	mc_time_t first_launch;
	mc_time_t all_launched;
	mc_time_t loc_reset;  /* last node- or rack-local launch (delay scheduling), 0 none */
	int32_t next_free;
	bool live;
	/* where the job's live tasks run (service placement constraints) */
	struct mc__job_host { int32_t agent, rack; } *hosts;
	size_t nhosts, hosts_cap;
};

struct mc__framework;

struct mc__fw_kind_ops {
	const char *name;
	/* Places pending tasks into the held offers offers[0..ndecided) (sets
	 * their launch lists, shrinks avail, marks placed tasks STAGING with
	 * their agent); returns the number of tasks considered and sets *jobs
	 * to the number of jobs considered (for the decision-time model).
	 * Required. */
	uint32_t (*place)(struct mc__world *w, struct mc__framework *f, uint32_t *jobs);
	/* Whether a task that ended in `state` goes back to the queue. Optional:
	 * NULL means "resubmit FAILED/LOST/KILLED while attempts remain".
	 * Offers a kind marks `keep` are not answered at the end of the
	 * decision: the framework holds them (gang scheduling) until a later
	 * decision uses or releases them. */
	bool (*resubmit)(struct mc__framework *f, const struct mc__task *t, int state);
};

extern const struct mc__fw_kind_ops mc__fw_batch;
extern const struct mc__fw_kind_ops mc__fw_service;
extern const struct mc__fw_kind_ops mc__fw_gang;
extern const struct mc__fw_kind_ops mc__fw_trace;

struct mc__framework {
	int32_t id;
	struct mc__fw_params p;
	const struct mc__fw_kind_ops *ops;
	gsl_rng *rng;
	bool subscribed;
	bool down;               /* crashed (mc__framework_crash), not restarted yet */
	bool suppressed;
	bool declined_idle;      /* declined offers while nothing was pending */
	uint32_t master_epoch;

	/* pending tasks, FIFO ring of task ids */
	int32_t *queue;
	size_t qhead, qlen, qcap;
	size_t qstale; /* entries placed since the last full compaction */

	/* launched tasks that may not have reached an agent yet (failover) */
	struct mc__staging { int32_t task; uint32_t gen; } *staging;
	size_t nstaging, staging_cap;

	/* jobs */
	struct mc__job *jobs;
	size_t njobs, jobs_cap;
	int32_t job_free;

	/* offers held while deciding */
	struct mc__held_offer *offers;
	size_t noffers, offers_cap;
	bool deciding;
	size_t ndecided;         /* offers[0..ndecided) are being decided */
	size_t nkept;            /* offers[0..nkept) were kept by the last decision */
	mc_event_handle decide_event;
	mc_event_handle loc_event;  /* mc__fw_revive_at's timer, 0 none */
	mc_time_t loc_event_at;
	bool loc_revive;            /* revive when the current decision ends */
	bool hold_event;         /* a decision is due when the oldest held offer expires */
	mc_time_t hold_oldest;   /* no held offer arrived before this (may be too early) */
	mc_time_t hold_due;      /* next release of expired held offers, or MC_TIME_NEVER */
	uint32_t nplaced;        /* tasks the current decision placed */
	uint32_t *used;          /* offers (indices) the current decision placed tasks into */
	size_t nused, used_cap;
	uint64_t pending_at_start; /* tasks pending when the current decision started */

	struct mc__fw_counters c;
};

/* How many live tasks of job j run on agent / on rack (service kind). O(tasks of j). */
uint32_t mc__fw_job_on_agent(const struct mc__framework *f, int64_t j, int32_t agent);
uint32_t mc__fw_job_on_rack(const struct mc__framework *f, int64_t j, int32_t rack);

/* How local a launch of t on `agent` (rack `rack`) is: MC_LOCALITY_NODE
 * when the agent is one of t's preferred ones, MC_LOCALITY_RACK when it
 * shares a rack with one, MC_LOCALITY_ANY otherwise; -1 when t has no
 * preferred locations. O(MC__MAX_PREFS). */
static inline int mc__fw_locality(const struct mc__task *t, int32_t agent, int32_t rack)
{
	if (!t->npref)
		return -1;
	int level = MC_LOCALITY_ANY;
	for (unsigned i = 0; i < t->npref; i++) {
		if (t->pref_agent[i] == agent)
			return MC_LOCALITY_NODE;
		if (rack >= 0 && t->pref_rack[i] == rack)
			level = MC_LOCALITY_RACK;
	}
	return level;
}

/* Delay scheduling: a job's locality wait ends at `at`. If tasks are still
 * pending then (and the framework revives at all: revive_on_new_work), it
 * sends REVIVE, since it now wants the agents it refused while it waited.
 * One timer per framework, for the earliest such time. O(log events). */
void mc__fw_revive_at(struct mc__world *w, struct mc__framework *f, mc_time_t at);

/* Queue helpers for kinds. */
size_t mc__fw_queue_len(const struct mc__framework *f);
int32_t mc__fw_queue_at(const struct mc__framework *f, size_t i);
/* Removes the queue entries whose task is no longer PENDING (placed). O(queue). */
void mc__fw_queue_compact(struct mc__world *w, struct mc__framework *f);
/* Puts task tid into held offer o: STAGING on o's agent, request taken from
 * o->avail. The caller has checked that it fits. O(1). */
void mc__fw_place(struct mc__world *w, struct mc__held_offer *o, int32_t tid);

#endif
