/*
 * world.h - the simulated cluster as the models see it: the engine, the
 * network, the message pool, the task table, and the master, agents and
 * frameworks. Cross-model internals (mc__ names) live here; each model keeps
 * its own state in its own file and reaches the others only by messages.
 *
 * Ownership: the runner (sim/runner.c) creates the world with
 * mc__world_new(), adds models, runs the engine, and frees everything with
 * mc__world_free().
 */
#ifndef MC_MODELS_WORLD_H
#define MC_MODELS_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "mesocosm/dist.h"
#include "mesocosm/engine.h"
#include "mesocosm/resources.h"
#include "models/msg.h"

struct mc_metrics;
struct mc__master;
struct mc__agent;
struct mc__framework;

/* Most preferred locations a task can carry. */
#define MC__MAX_PREFS 3

/* A task descriptor (Mesos's TaskInfo plus the simulator's bookkeeping).
 * Slots are reused once a task is terminal and acknowledged; `gen` tells a
 * stale id from a live one. Memory is bounded by tasks in flight. */
struct mc__task {
	int32_t framework;
	int32_t agent;       /* -1 until launched */
	int32_t role;        /* the role it was launched in */
	int64_t job;         /* framework-local job slot */
	uint32_t index;      /* index within the job */
	uint32_t gen;
	uint8_t state;       /* enum mc__task_state */
	uint8_t fail_at_end; /* the trace says the task ends FAILED */
	uint8_t refs;        /* MC__REF_* bits: who still holds the descriptor */
	uint8_t npref;       /* preferred locations in pref_agent/pref_rack (0: none) */
	uint8_t counted;     /* in the metrics' allocated (master.c: launch until its end is known) */
	uint8_t reported;    /* master.c scratch: in an agent's re-registration report */
	uint16_t attempts;   /* launches so far (resubmissions) */
	int32_t batch_next;  /* launch batch list, -1 ends it */
	int32_t agent_next;  /* the agent's list of its tasks, -1 ends it */
	int32_t agent_prev;
	int32_t master_next; /* the master's per-agent list of launched tasks */
	int32_t master_prev;
	struct mc_resvec req;
	mc_time_t duration; /* run time once RUNNING */
	mc_time_t submit;   /* submit time of this attempt */
	mc_time_t launch;   /* MC_TIME_NEVER until launched */
	mc_event_handle end_event;
	/* Where the task's input lives (delay scheduling): agent ids and their
	 * racks (interned "rack" attribute, -1 none), as HDFS block locations
	 * carry their hosts' topology. Fixed size: nothing allocates per task. */
	int32_t pref_agent[MC__MAX_PREFS];
	int32_t pref_rack[MC__MAX_PREFS];
};

/* Network link classes (one-way delays are drawn per message). */
enum mc__link { MC__LINK_MASTER_AGENT = 0, MC__LINK_MASTER_FRAMEWORK = 1, MC__LINK_COUNT };

/* A time window in which agents [first, last] cannot reach the master. */
struct mc__partition {
	int32_t first_agent, last_agent;
	mc_time_t from, to;
};

struct mc__net_params {
	struct mc_dist delay[MC__LINK_COUNT]; /* seconds (MC_DIST_TIME) */
	double loss;                          /* probability a message is dropped */
	struct mc__partition *partitions;     /* borrowed */
	size_t npartitions;
};

#define MC__CHUNK_BITS 12
#define MC__CHUNK (1 << MC__CHUNK_BITS)

struct mc__world {
	struct mc_engine *eng;
	uint64_t seed;
	struct mc_metrics *metrics; /* may be NULL in unit tests */

	/* network model */
	struct mc__net_params net;
	gsl_rng *net_rng;
	uint64_t msgs_sent, msgs_lost;
	uint64_t msgs_by_type[MC__MSG_TYPE_COUNT];
	/* set by the master: a PONG may take effect when it is sent (network.c) */
	bool pong_at_send;

	/* message pool: chunks of MC__CHUNK, so pointers stay valid as it grows */
	struct mc__msg **msg_chunks;
	size_t nmsgs, msg_chunks_cap;
	int32_t msg_free; /* free list through mc__msg.dst when type == 0xff */

	/* task table: chunked the same way */
	struct mc__task **task_chunks;
	size_t ntasks, task_chunks_cap;
	int32_t task_free;
	size_t tasks_live;

	/* interned attribute values (racks, zones): id -> string */
	char **attrs;
	size_t nattrs, attrs_cap;

	/* Observers of a task reaching its final state (finished, or given up
	 * after its last attempt), called in registration order. Trace replay
	 * registers one per trace feed for DAG dependencies. */
	struct mc__task_observer *task_done;
	size_t ntask_done;

	struct mc__master *master;
	struct mc__agent **agents;
	int32_t nagents;
	struct mc__framework **fws;
	int32_t nfws;
};

struct mc__world *mc__world_new(uint64_t seed, const struct mc__net_params *net);
void mc__world_free(struct mc__world *w);

/* Task-done observers. fn(ctx, fw, trace_job, index, finished) is called
 * when task `index` of framework fw's job trace_job reaches its final
 * state; an observer ignores tasks it did not submit. Registration is
 * O(observers) amortised; a notification calls every observer. */
struct mc__task_observer {
	void (*fn)(void *ctx, int32_t fw, int64_t trace_job, uint32_t index, bool finished);
	void *ctx;
};
void mc__world_on_task_done(struct mc__world *w,
			    void (*fn)(void *ctx, int32_t fw, int64_t trace_job, uint32_t index,
				       bool finished),
			    void *ctx);
void mc__world_task_done(struct mc__world *w, int32_t fw, int64_t trace_job, uint32_t index,
			 bool finished);

/* Message pool: a zeroed message to fill and send. O(1) amortised. */
struct mc__msg *mc__msg_alloc(struct mc__world *w, int type);
/* Frees m and the batch records hanging off it (mc__msg.more). */
void mc__msg_free(struct mc__world *w, struct mc__msg *m);

/* Sends m over the network: delivered to its destination's handler after
 * the link's delay, or dropped (loss, partition, dead endpoint). Takes
 * ownership of m. O(log events). */
void mc__net_send(struct mc__world *w, struct mc__msg *m);
/* True if agent `agent` and the master cannot talk at time `now`. */
bool mc__net_partitioned(const struct mc__world *w, int32_t agent, mc_time_t now);
/* The link's one-way delay in microseconds when it is constant, else -1. */
mc_time_t mc__net_const_delay(const struct mc__world *w, enum mc__link link);
/* Delivers m (already counted as sent) as if sent at `sent_at` <= now over
 * a quiet master<->agent link: at sent_at + its constant delay, or now if
 * that is past. Takes ownership of m. */
void mc__net_deliver_sent_at(struct mc__world *w, struct mc__msg *m, mc_time_t sent_at);
/* Counts n messages of `type` as sent now without simulating them
 * (implicit health checks, health.h). */
void mc__net_count(struct mc__world *w, int type, uint64_t n);
/* The agent's end changed: it is up or not, and answers pings of leader
 * epoch `epoch` (agent.c calls this; the master's health checks use it). */
void mc__net_agent_state(struct mc__world *w, int32_t agent, bool up, uint32_t epoch);

/* Task table. A new task is PENDING with agent -1, held by its framework
 * (MC__REF_FRAMEWORK). The RUN_TASKS message that carries it holds
 * MC__REF_WIRE until it is freed (delivered or dropped), so that a late
 * message never finds the slot reused. The agent that runs it holds
 * MC__REF_AGENT from RUN_TASKS until its terminal update is acknowledged
 * or it drops the task. The slot is reused only when all have let go. */
enum { MC__REF_FRAMEWORK = 1, MC__REF_AGENT = 2, MC__REF_WIRE = 4 };
int32_t mc__task_new(struct mc__world *w);
void mc__task_release(struct mc__world *w, int32_t id, unsigned ref);
static inline struct mc__task *mc__task_at(const struct mc__world *w, int32_t id)
{
	return &w->task_chunks[id >> MC__CHUNK_BITS][id & (MC__CHUNK - 1)];
}
static inline struct mc__msg *mc__msg_at(const struct mc__world *w, int32_t id)
{
	return &w->msg_chunks[id >> MC__CHUNK_BITS][id & (MC__CHUNK - 1)];
}

/* Interns an attribute value ("r3"); returns its id >= 0. O(values). */
int32_t mc__attr_intern(struct mc__world *w, const char *value);

/* Message handlers, one per endpoint kind (models/master.c, agent.c, framework.c). */
void mc__master_receive(struct mc__world *w, struct mc__msg *m);
void mc__agent_receive(struct mc__world *w, struct mc__msg *m);
void mc__framework_receive(struct mc__world *w, struct mc__msg *m);

#endif
