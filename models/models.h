/*
 * models.h - how the runner builds the models: one parameter struct and one
 * constructor per model kind. The runner maps the experiment config onto
 * these structs, so the models never depend on the config's layout.
 */
#ifndef MC_MODELS_MODELS_H
#define MC_MODELS_MODELS_H

#include <stdbool.h>
#include <stdint.h>

#include "mesocosm/alloc.h"
#include "mesocosm/dist.h"
#include "mesocosm/resources.h"
#include "models/world.h"

/* ---- agents (models/agent.c) ------------------------------------------- */

struct mc__agent_params {
	struct mc_resources total;
	int32_t rack;                  /* attribute "rack" (mc__attr_intern), -1 none */
	mc_time_t register_at;         /* when the agent process starts */
	const struct mc_dist *mtbf;    /* seconds between failures; NULL = never fails */
	const struct mc_dist *mttr;    /* seconds to recover; NULL = never comes back */
	mc_time_t status_retry;        /* first status-update retry (Mesos: 10 s) */
	mc_time_t status_retry_max;    /* cap of the doubling (Mesos: 10 min) */
	mc_time_t backoff_factor;      /* registration backoff (Mesos: 1 s) */
};

/* Creates agent `id` (dense, 0-based) and schedules its registration. */
void mc__agent_add(struct mc__world *w, int32_t id, const struct mc__agent_params *p);
/* Crashes the agent now (trace machine REMOVE or failure model): its tasks
 * die silently with it; it stops answering the master. */
void mc__agent_fail(struct mc__world *w, int32_t id);
/* Restarts a failed agent (empty) and makes it register again. */
void mc__agent_recover(struct mc__world *w, int32_t id);
bool mc__agent_is_up(const struct mc__world *w, int32_t id);
/* The agent's total changes to `total` (copied) now, as a trace machine
 * UPDATE: a registered agent reports it to the master (UPDATE_AGENT, which
 * the master passes to the allocator's update_agent); one that is down or
 * registering reports it when it registers. Its tasks keep running. O(1). */
void mc__agent_update_total(struct mc__world *w, int32_t id, const struct mc_resources *total);
/* Maintenance (sim/maintenance.c): down = the machine is powered off now
 * (its tasks die with it, as in mc__agent_fail; the master has already
 * killed and reported them); !down = it is powered on again, empty, and
 * registers. An agent already down when its maintenance begins is left as
 * it is, and is not brought back when the maintenance ends. O(tasks). */
void mc__agent_maintenance(struct mc__world *w, int32_t id, bool down);
void mc__agent_free(struct mc__agent *a);

/* ---- master (models/master.c) ------------------------------------------ */

struct mc__master_params {
	struct mc_alloc_config alloc;
	mc_time_t offer_timeout;          /* 0 = offers never time out */
	mc_time_t agent_ping_timeout;     /* 15 s */
	int max_agent_ping_timeouts;      /* 5 */
	mc_time_t framework_failover_timeout;
	mc_time_t default_refuse;         /* filter for an ACCEPT's unused part: 5 s */
	/* processing-cost model: service time of one message / one allocation run */
	const struct mc_dist *per_message; /* seconds; NULL = 0 */
	const struct mc_dist *per_run;     /* seconds; NULL = 0 */
	bool mesos17_profile;             /* per-run cost from the published Mesos 1.7 cycle times */
	/* leader failover */
	mc_time_t detection_delay;        /* leader lost -> new leader elected (ZooKeeper) */
	mc_time_t recovery_timeout;       /* allocator paused at most this long after election */
	double agent_recovery_factor;     /* ... or until this fraction of agents re-registered */
	mc_time_t agent_reregister_timeout; /* known agents not back by then are unreachable */
	/* simulate every health check as events even when implicit checks
	 * would give the same outputs (health.h); for tests */
	bool explicit_health_checks;
};

void mc__master_new(struct mc__world *w, const struct mc__master_params *p);
/* The leading master fails now: its state (offers, allocator, queues) is
 * lost; a standby is elected after detection_delay and agents and
 * frameworks re-register with it, while tasks keep running. */
void mc__master_fail(struct mc__world *w);
/* Failovers so far and the time the last one was fully recovered (every
 * agent known before it re-registered), or MC_TIME_NEVER. */
uint64_t mc__master_failovers(const struct mc__master *m);
mc_time_t mc__master_last_recovery(const struct mc__master *m, mc_time_t *failed_at);
/* Agents known before a failover that did not come back to the new leader
 * (restarted meanwhile, or marked unreachable after agent_reregister_timeout):
 * the tasks they ran were reported LOST. Summed over failovers. */
uint64_t mc__master_agents_not_reregistered(const struct mc__master *m);
void mc__master_free(struct mc__master *m);
/* The agent's side of the health checks changed (see health.h): it is up
 * or not, and answers pings of leader epoch `epoch`. Called by network.c. */
void mc__master_agent_state(struct mc__world *w, int32_t agent, bool up, uint32_t epoch);
/* The run ends now: settle what is counted lazily (implicit pings). */
void mc__master_finish(struct mc__world *w);
/* Whether the agent's health is being checked without events (tests). */
bool mc__master_agent_checked_implicitly(const struct mc__master *m, int32_t agent);

/* Maintenance modes of an agent's machine (Mesos's MachineInfo::Mode). */
enum mc__maint_mode {
	MC__MAINT_UP = 0,   /* in service */
	MC__MAINT_DRAINING, /* deactivated: no offers; its offers are rescinded */
	MC__MAINT_DOWN,     /* removed: tasks KILLED; it may not register */
};
/* The operator sets agent `id`'s maintenance mode now (as Mesos's
 * maintenance endpoints do; sim/maintenance.c). UP -> DRAINING deactivates
 * the agent in the allocator and rescinds its outstanding offers; -> DOWN
 * removes it (offers rescinded, tasks reported KILLED, its total leaves the
 * allocator); DOWN -> UP or DRAINING lets it register again (deactivated
 * when DRAINING). The mode survives a leader failover. O(offers + tasks on
 * the agent). */
void mc__master_maintenance(struct mc__world *w, int32_t id, enum mc__maint_mode mode);
/* Tasks killed so far because their agent went down for maintenance. */
uint64_t mc__master_maintenance_kills(const struct mc__master *m);
/* The allocation core inside the master (for queries by the runner). */
struct mc_allocator *mc__master_allocator(struct mc__master *m);

/* ---- frameworks (models/framework.c and models/fw_<kind>.c) ------------ */

struct mc__fw_params {
	const char *name;              /* borrowed; stable for the run */
	int32_t role;
	const char *kind;              /* "batch", "service", "gang", "trace" */
	mc_time_t refuse;              /* refuse_seconds of its declines */
	bool suppress_when_idle;
	bool revive_on_new_work;
	mc_time_t t_job, t_task;       /* decision time t_job + t_task x tasks considered */
	mc_time_t subscribe_at;
	bool random_fit;               /* place tasks in a random offer order instead of first fit */
	bool gpu_capable;
	mc_time_t locality_delay;      /* delay scheduling (batch); 0 = off */
	bool unique_host;              /* service: at most one task of a job per agent */
	int rack_spread;               /* service: spread a job's tasks over racks (0 = off) */
	int max_attempts;              /* resubmissions of a failed/lost task; 0 = none */
	mc_time_t failover_timeout;    /* FrameworkInfo.failover_timeout; < 0: the master's default */
	mc_time_t hold;                /* keep unused offers this long for later work (Aurora's
	                                * min_offer_hold_time); 0 = decline at once */
};

void mc__framework_add(struct mc__world *w, int32_t id, const struct mc__fw_params *p);
/* The scheduler process crashes now: the offers it holds and the decision
 * it was making are lost (tasks placed but not launched go back to its
 * queue), its connection closes (the master sees it after the link delay),
 * and it answers nothing until mc__framework_restart. Its queue and its
 * record of launched tasks survive (a scheduler's persistent store). */
void mc__framework_crash(struct mc__world *w, int32_t fw);
/* The scheduler comes back and subscribes again (a failover within the
 * master's failover_timeout keeps its tasks). */
void mc__framework_restart(struct mc__world *w, int32_t fw);
bool mc__framework_is_down(const struct mc__world *w, int32_t fw);
void mc__framework_free(struct mc__framework *f);

/* A job arrives at framework `fw` now: `ntasks` tasks, each with its request
 * and run time (arrays of ntasks; durations in us; MC_TIME_NEVER = until
 * told otherwise, see mc__task_trace_end). Task i has index first_index + i
 * within the trace job (several submissions may make up one trace job).
 * fail_at_end may be NULL. The
 * tasks' descriptor ids go to tids_out[0..ntasks) when it is not NULL. */
void mc__framework_submit_job(struct mc__world *w, int32_t fw, int64_t trace_job_id,
			      uint32_t first_index, uint32_t ntasks, const struct mc_resvec *reqs,
			      const mc_time_t *durations, const uint8_t *fail_at_end,
			      int32_t *tids_out);

/* The trace says task `tid` (generation `gen`) of unknown run time ended now
 * (`failed`: not FINISHED). A running task's process exits on its agent
 * (an external event, as a real task's own exit); a task not started yet
 * gets a zero run time. A stale id (the attempt already ended) is ignored. */
void mc__task_trace_end(struct mc__world *w, int32_t tid, uint32_t gen, bool failed);
/* The agent's side of it: the task's process exited now. */
void mc__agent_task_exited(struct mc__world *w, int32_t tid, bool failed);

const char *mc__framework_name(const struct mc__world *w, int32_t fw);
int32_t mc__framework_role(const struct mc__world *w, int32_t fw);

/* Counters the runner prints. */
struct mc__fw_counters {
	uint64_t jobs_submitted, jobs_completed;
	uint64_t tasks_submitted, tasks_launched, tasks_finished, tasks_failed, tasks_killed,
		tasks_lost, tasks_pending, tasks_running;
	mc_time_t busy_time;
};
void mc__framework_counters(const struct mc__world *w, int32_t fw, struct mc__fw_counters *out);

#endif
