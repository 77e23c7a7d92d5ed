/*
 * metrics.h - the metrics collector: every model reports its state changes
 * here, with the simulated time, and the collector turns them into the
 * headline metrics of summary.json, the rows of timeseries.csv and the
 * per-task records of tasks.msgpack (docs/outputs.md, DESIGN.md §7-8).
 *
 * Life of a collector:
 *   1. mc_metrics_new(): streams (timeseries.csv, tasks.msgpack, tasks.csv)
 *      are opened in params->dir when it is given;
 *   2. setup, before mc_metrics_start(): mc_metrics_add_framework() for each
 *      framework in dense id order, mc_metrics_set_role_weight(), agents
 *      with mc_metrics_agent_added() (agents may also come and go later);
 *   3. mc_metrics_start(t0) fixes the resource columns and starts the clock;
 *   4. hooks, called with non-decreasing simulated time (a hook with a time
 *      before the previous one is a bug: MC_BUG);
 *   5. mc_metrics_finish(t_end) closes the last sample interval, open
 *      starvation episodes and busy intervals, and flushes the streams;
 *   6. the output writers (declared at the end of this header, in
 *      sim/output_*.c) read the collector; mc_metrics_free() releases it.
 *
 * Definitions (what each hook feeds):
 *   - "allocated" resources are those the caller reports with
 *     mc_metrics_allocated() (resources held by launched tasks, from accept
 *     to the task's end); "offered" are those in outstanding offers
 *     (mc_metrics_offer_made() .. mc_metrics_offer_ended()). The two are
 *     disjoint: utilization.allocated = allocated/total and
 *     utilization.offered_unused = offered/total, both time-weighted.
 *   - a framework's dominant share is max over scalar resources r of
 *     allocated_r / total_r (allocated only, as in the DRF paper; offers are
 *     not counted); a role's is the same over the sum of its frameworks;
 *     fairness uses weighted shares (share / role weight).
 *   - pending demand is derived: a task is pending from
 *     mc_metrics_task_submitted() until mc_metrics_task_launched() or until
 *     it ends unlaunched; running from launch to mc_metrics_task_ended().
 *   - a starvation episode of a framework is a maximal interval in which it
 *     has pending tasks and receives no offer; episodes at least
 *     params->starvation_threshold long are counted, and the longest gap is
 *     reported whatever its length.
 *
 * Cost: every hook is O(1) or O(MC_RES_MAX) plus O(roles) when a share or
 * a pending count changes, plus O(frameworks + roles) per sample boundary
 * crossed; hooks never allocate (except amortised growth of nothing: all
 * arrays are sized at mc_metrics_start) and never format strings (rows and
 * records go to buffered FILEs).
 *
 * Every hook accepts m == NULL and then does nothing, so models may run
 * without a collector in unit tests. Not thread-safe.
 */
#ifndef MC_SIM_METRICS_H
#define MC_SIM_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mesocosm/resources.h"
#include "mesocosm/types.h"

struct mc_metrics;

struct mc_metrics_params {
	/* Directory the streams are written into (the run directory under
	 * construction); NULL: no streams at all (tests, dry runs). Borrowed
	 * for the call only. */
	const char *dir;
	bool timeseries;            /* write timeseries.csv (needs dir) */
	bool tasks;                 /* write tasks.msgpack (needs dir) */
	bool tasks_csv;             /* also write tasks.csv (needs dir) */
	mc_time_t sample_interval;  /* one timeseries row per interval; <= 0: 10 s */
	mc_time_t starvation_threshold; /* shortest episode counted; <= 0: 30 s */
};

/* How a task attempt ended. */
enum mc_task_end {
	MC_TASK_FINISHED = 0,
	MC_TASK_FAILED = 1,
	MC_TASK_KILLED = 2,
	MC_TASK_LOST = 3,
};
#define MC_TASK_END_COUNT 4

/* How local a launch was to the task's input (delay scheduling): on one of
 * its preferred agents, on the rack of one, or anywhere else. */
enum mc_locality {
	MC_LOCALITY_NODE = 0,
	MC_LOCALITY_RACK = 1,
	MC_LOCALITY_ANY = 2,
};
#define MC_LOCALITY_COUNT 3

/* How an offer left the outstanding set. */
enum mc_offer_end {
	MC_OFFER_ACCEPTED = 0,  /* accepted (its used part becomes allocated) */
	MC_OFFER_DECLINED = 1,  /* declined, or the unused part of an accept */
	MC_OFFER_RESCINDED = 2, /* taken back by the master (agent lost, ...) */
	MC_OFFER_TIMED_OUT = 3, /* the master's offer_timeout expired */
};
#define MC_OFFER_END_COUNT 4

/* One ended task attempt: the record streamed to tasks.msgpack. */
struct mc_task_record {
	int32_t framework;      /* dense framework id */
	int32_t agent;          /* dense agent id, -1 when never launched */
	int64_t job;            /* the framework's job id */
	uint32_t index;         /* task index within the job */
	uint32_t attempt;       /* 0 for the first attempt, 1 for a resubmission... */
	mc_time_t submit;       /* this attempt's submit time */
	mc_time_t launch;       /* MC_TIME_NEVER when it ended while pending */
	mc_time_t end;          /* the time it ended */
	enum mc_task_end state;
	struct mc_resvec req;   /* requested resources */
};

/* Task and job counts so far (what summary.json's "tasks"/"jobs" hold). */
struct mc_metrics_counts {
	uint64_t submitted, launched, ended[MC_TASK_END_COUNT];
	uint64_t pending, running;
	uint64_t jobs_submitted, jobs_completed;
	uint64_t offers_made; /* filled by mc_metrics_get_counts */
};

/* ---- lifecycle and setup --------------------------------------------------- */

/*
 * Creates a collector in *out. Opens the requested streams under
 * params->dir. Returns 0, MC_EINVAL (bad params), or MC_EIO with a message
 * on stderr (a stream could not be created; nothing is left open). The
 * caller frees it with mc_metrics_free(). O(1).
 */
int mc_metrics_new(struct mc_metrics **out, const struct mc_metrics_params *params);
/* Releases the collector and closes its streams (without flushing rows
 * that mc_metrics_finish() would have written). NULL is a no-op. */
void mc_metrics_free(struct mc_metrics *m);

/* Declares the next framework: returns its dense id (0, 1, 2... in call
 * order; call in the order of your own dense framework ids) or MC_ESTATE
 * after mc_metrics_start(). `name` is copied; `role` is an interned role id
 * (resources.h). O(1) amortised. */
int mc_metrics_add_framework(struct mc_metrics *m, const char *name, int32_t role);
/* Sets a role's weight (default 1.0) for weighted shares, Jain's index
 * and the DRF deficit. Returns 0, MC_EINVAL (weight <= 0) or MC_ESTATE
 * after start. */
int mc_metrics_set_role_weight(struct mc_metrics *m, int32_t role, double weight);
/* Declares a resource as in use even if no agent has it at start (it gets
 * timeseries columns and a utilization entry). Returns 0 or MC_EINVAL
 * (not an interned scalar resource) or MC_ESTATE after start. */
int mc_metrics_use_resource(struct mc_metrics *m, int res);

/*
 * Starts measuring at time t0. The resources in use are fixed now: the
 * scalar resources any agent added so far has, plus those declared with
 * mc_metrics_use_resource() (cpus and mem when there are none). Writes the
 * header rows of the streams. Returns 0, MC_ESTATE (called twice) or
 * MC_EIO. O(frameworks + roles).
 */
int mc_metrics_start(struct mc_metrics *m, mc_time_t t0);
/*
 * Stops measuring at t_end (>= every hook's time): integrates up to t_end,
 * writes the last (possibly partial) timeseries row, closes starvation
 * episodes and busy intervals, and flushes the streams. Returns 0 or
 * MC_EIO (a write failed earlier or now; message on stderr). O(frameworks).
 */
int mc_metrics_finish(struct mc_metrics *m, mc_time_t t_end);

/* ---- hooks: cluster --------------------------------------------------------- */

/* An agent joined (or recovered) / left (or failed) with these total
 * resources (the sum of unreserved and reserved, see mc_resources_sum). */
void mc_metrics_agent_added(struct mc_metrics *m, mc_time_t t, const struct mc_resvec *total);
void mc_metrics_agent_removed(struct mc_metrics *m, mc_time_t t, const struct mc_resvec *total);

/* ---- hooks: tasks and jobs ---------------------------------------------------- */

/* A task attempt entered framework fw's queue (a resubmission counts
 * again). `req` (may be NULL: no resources) is its request: pending demand
 * for the DRF ideal. */
void mc_metrics_task_submitted(struct mc_metrics *m, mc_time_t t, int32_t fw, int64_t job,
			       uint32_t index, const struct mc_resvec *req);
/* A pending attempt was launched (accepted into an offer); `submitted` is
 * its submit time: the scheduling delay is t - submitted; `req` (may be
 * NULL) as given at submission. Does not touch allocation: report its
 * resources with mc_metrics_allocated(). */
void mc_metrics_task_launched(struct mc_metrics *m, mc_time_t t, int32_t fw, mc_time_t submitted,
			      const struct mc_resvec *req);
/* A task attempt with preferred locations was launched by fw at locality
 * `level` (tasks without preferences are not counted). O(1). */
void mc_metrics_task_locality(struct mc_metrics *m, int32_t fw, enum mc_locality level);
/* An attempt ended (r->end should equal t); r->launch == MC_TIME_NEVER
 * means it ended while pending. Streams the record. Does not touch
 * allocation. */
void mc_metrics_task_ended(struct mc_metrics *m, mc_time_t t, const struct mc_task_record *r);

/* A job of `ntasks` tasks arrived at framework fw. */
void mc_metrics_job_submitted(struct mc_metrics *m, mc_time_t t, int32_t fw, int64_t job,
			      uint32_t ntasks);
/* A job's first task launched / its last task launched. */
void mc_metrics_job_first_launch(struct mc_metrics *m, mc_time_t t, int32_t fw, mc_time_t submitted);
void mc_metrics_job_all_launched(struct mc_metrics *m, mc_time_t t, int32_t fw, mc_time_t submitted);
/* A job's last task ended: completion time t - submitted, recorded also by
 * job size (ntasks, in power-of-two buckets). */
void mc_metrics_job_completed(struct mc_metrics *m, mc_time_t t, int32_t fw, int64_t job,
			      uint32_t ntasks, mc_time_t submitted);

/* ---- hooks: allocation ---------------------------------------------------------- */

/* Resources q became allocated to (sign > 0) or were released by
 * (sign < 0) framework fw. */
void mc_metrics_allocated(struct mc_metrics *m, mc_time_t t, int32_t fw, const struct mc_resvec *q,
			  int sign);
/* Resources the trace says fw's tasks actually use started (sign > 0) or
 * stopped (sign < 0) being used. Optional: "used" is null in the summary
 * when never called. */
void mc_metrics_used(struct mc_metrics *m, mc_time_t t, int32_t fw, const struct mc_resvec *q,
		     int sign);
/* An offer of q was made to fw (counted, q becomes "offered", and fw's
 * starvation clock restarts). */
void mc_metrics_offer_made(struct mc_metrics *m, mc_time_t t, int32_t fw, const struct mc_resvec *q);
/* The offer of q made at `made` left the outstanding set. For
 * ACCEPTED/DECLINED t - made is the offer->response latency. An accept
 * with unused resources is one ACCEPTED call with the whole q (the used
 * part is reported separately with mc_metrics_allocated()). */
void mc_metrics_offer_ended(struct mc_metrics *m, mc_time_t t, int32_t fw, const struct mc_resvec *q,
			    mc_time_t made, enum mc_offer_end how);
/* Resources freed at `freed` were offered again now: one latency sample. */
void mc_metrics_free_to_offer(struct mc_metrics *m, mc_time_t t, mc_time_t freed);
/* The allocator ran once at t; its modelled duration. */
void mc_metrics_alloc_run(struct mc_metrics *m, mc_time_t t, mc_time_t duration);
/* n control-plane messages were sent at t. */
void mc_metrics_messages(struct mc_metrics *m, mc_time_t t, uint64_t n);
/* Framework fw started (busy) or stopped deciding on offers. */
void mc_metrics_framework_busy(struct mc_metrics *m, mc_time_t t, int32_t fw, bool busy);

/* ---- queries ------------------------------------------------------------------------ */

void mc_metrics_get_counts(const struct mc_metrics *m, struct mc_metrics_counts *out);
/* Task scheduling delay so far (as in summary.json): mean and p99 in
 * seconds, NaN when no task has launched. */
void mc_metrics_sched_delay(const struct mc_metrics *m, double *mean_s, double *p99_s);
int mc_metrics_framework_count(const struct mc_metrics *m);

/* ---- outputs (sim/output_*.c) --------------------------------------------------------- */

struct mc_json;

/* What the run directory's writers need besides the collector. */
struct mc_run_info {
	bool complete;          /* false when the run was interrupted */
	const char *experiment; /* the experiment's name */
	uint64_t seed;
	const char *policy;     /* allocator policy / role sorter name */
	/* Writes the config echo as one JSON value (an object) with the
	 * mc_json_* calls of sim/json.h; returns 0 or a negative MC_E* code.
	 * NULL: "config" is null. */
	int (*write_config)(struct mc_json *j, void *arg);
	void *config_arg;
	bool plots;             /* run gnuplot into plots/ (skipped with a warning if missing) */
	bool report;            /* write report.html */
	/* perf.json only (wall-clock figures never reach summary.json): */
	double wall_seconds;    /* the run's wall time */
	uint64_t events;        /* events dispatched by the engine */
};

/*
 * Writes the run's files into `dir` (the temporary run directory from
 * sim/rundir.h): summary.json, perf.json, plots/ (when info->plots and
 * gnuplot is installed; otherwise a warning on stderr and
 * "plots": "skipped: ..." in perf.json) and report.html (when info->report).
 * Call after mc_metrics_finish(). Returns 0, or MC_EIO with a message on
 * stderr (the caller then aborts the run directory). O(frameworks x
 * histogram size) plus gnuplot's run time.
 */
int mc_output_write_run(const struct mc_metrics *m, const char *dir, const struct mc_run_info *info);
/* Writes summary.json (schema mesocosm.summary/1, shared/spec/summary-json.md)
 * to f. Deterministic: same hooks, same bytes. Returns 0 or MC_EIO. */
int mc_output_summary(const struct mc_metrics *m, FILE *f, const struct mc_run_info *info);
/* Prints the short text table (tasks finished, mean and p99 scheduling
 * delay, utilization of cpus and mem, final dominant shares) to out. */
void mc_output_table(const struct mc_metrics *m, FILE *out);

#endif
