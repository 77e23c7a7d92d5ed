/*
 * validate.h - the validation experiments (`mesocosm validate`, issue 4)
 * and the failure injection they need. Private to sim/: sim/validate.c
 * (running an experiment and reading its run directory back),
 * sim/validate_ramp.c (the Mesos paper's §4 model), sim/validate_failure.c
 * (agent failures and the accounting identity), sim/validate_inject.c (the
 * config's `failures`, applied by the runner), sim/cmd_validate.c (the CLI).
 *
 * Measurements are read back from the run directory the ordinary runner
 * writes (tasks.msgpack, timeseries.csv, summary.json), so what is
 * validated is exactly what `mesocosm run` produces.
 */
#ifndef MC_SIM_VALIDATE_H
#define MC_SIM_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mesocosm/types.h"
#include "sim/config.h"

struct mc__world;

/* ---- failure injection (sim/validate_inject.c) ---------------------------- */

/*
 * Fills out[] (room for nagents) with the agents that failure item `index`
 * of config c fails, in ascending order; returns how many. `fraction` and
 * `count` draw them from the stream "failures/<index>" of c->seed, among
 * agents 0..nagents-1 (whatever their state, so the choice depends only on
 * the seed and the cluster size). O(nagents).
 */
int32_t mc__failure_choose(const struct mc_config *c, int index, int32_t nagents, int32_t *out);

/*
 * The selection both `failures` and `maintenance` items make: among the
 * ncand candidates first..first+ncand-1, fills out[] (room for ncand) in
 * ascending order and returns how many. nranges > 0: exactly those
 * candidate indices; else count or fraction of them drawn from `stream` of
 * `seed`; else all. O(ncand).
 */
int32_t mc__choose_agents(uint64_t seed, const char *stream, int32_t first, int32_t ncand,
			  const int32_t (*ranges)[2], int nranges, int64_t count, double fraction,
			  int32_t *out);

/*
 * Applies failure item `index` now: fails its agents (mc__agent_fail) and,
 * when recover_after is set, schedules their recovery. Called by the
 * runner from an event at the item's `at`. O(nagents).
 */
void mc__failure_fire(struct mc__world *w, const struct mc_config *c, int index);

/* ---- running an experiment and reading it back (sim/validate.c) ------------ */

/* One ended task attempt of tasks.msgpack. */
struct mc__vrec {
	int32_t fw, agent; /* agent -1: never launched */
	int64_t job;
	uint32_t index, attempt;
	mc_time_t submit, launch, end; /* launch MC_TIME_NEVER: never launched */
	int state;                     /* enum mc_task_end */
};

struct mc__vrun {
	struct mc__vrec *recs;
	size_t nrecs;
	char **fw_names;
	int nfws;
};

/*
 * Loads the experiment YAML text `yaml` (written to DIR/experiment.yaml so
 * errors carry file:line:col), runs it quietly into the run directory
 * DIR/run (replaced if present) and reads its tasks.msgpack into *out
 * (release with mc__vrun_release). Returns 0, or a negative MC_E* code with
 * a message in err (size n). O(run).
 */
int mc__validate_run_yaml(const char *dir, const char *yaml, struct mc__vrun *out, char *err,
                          size_t n);
/* Runs an already loaded config the same way. */
int mc__validate_run_config(const char *dir, const struct mc_config *c, struct mc__vrun *out,
                            char *err, size_t n);

/* Reads a tasks.msgpack stream (docs/outputs.md). Returns 0 or MC_EPARSE /
 * MC_EIO with a message in err. O(records). */
int mc__vrun_read_tasks(const char *path, struct mc__vrun *out, char *err, size_t n);
void mc__vrun_release(struct mc__vrun *r);
/* Dense id of the framework named `name`, or -1. O(frameworks). */
int mc__vrun_fw(const struct mc__vrun *r, const char *name);

/* Makes a fresh temporary work directory (under $TMPDIR or /tmp) into buf.
 * Returns 0 or MC_EIO. Remove it with mc_rundir_remove_tree(). */
int mc__validate_tmpdir(char *buf, size_t n);

/* ---- the Mesos paper's §4 model (sim/validate_ramp.c) --------------------- */

enum mc__ramp_case {
	MC__RAMP_ELASTIC_CONST = 0,
	MC__RAMP_ELASTIC_EXP,
	MC__RAMP_RIGID_CONST,
	MC__RAMP_RIGID_EXP,
	MC__RAMP_CASES
};

struct mc__ramp_params {
	enum mc__ramp_case kase;
	int k;              /* slots the framework wants (= agents, one slot each) */
	double T;           /* mean duration of the background tasks, seconds */
	double beta;        /* the job is beta k T slot-seconds */
	int pieces;         /* elastic: tasks of T / pieces seconds (20) */
	mc_time_t interval; /* allocation_interval (5 ms) */
	uint64_t seed;
};

/* Defaults: k 100, T 30 s, beta 10, pieces 20, interval 5 ms, seed 1. */
void mc__ramp_defaults(struct mc__ramp_params *p, enum mc__ramp_case kase);
const char *mc__ramp_case_name(enum mc__ramp_case kase);
/* Case by name ("elastic-exp"), or -1. */
int mc__ramp_case_parse(const char *name);

/* Writes the experiment of one run as YAML to out. O(1). */
void mc__ramp_yaml(const struct mc__ramp_params *p, FILE *out);

/* What one run measured (seconds). */
struct mc__ramp_run {
	double ramp;       /* arrival -> holds all k slots (last first launch) */
	double completion; /* arrival -> last task of the job ends */
	double useful;     /* beta k T: the job's work, slot-seconds */
	double held;       /* slot-seconds held: each slot from when it freed to the job's end */
	double mean_resid, max_resid; /* the background residuals the run drew */
};

/* Runs one seed in work directory dir. Returns 0 or a negative MC_E*
 * code with a message in err. */
int mc__ramp_run_one(const struct mc__ramp_params *p, const char *dir, struct mc__ramp_run *out,
                     char *err, size_t n);

/* Expected values: `paper` is the §4 table with H_k for ln k (continuous
 * model); `exact` is the expectation for this finite, discrete setup
 * (residual max k/(k+1) T for constant durations, elastic jobs made of
 * tasks of T/pieces). */
struct mc__ramp_expect {
	double ramp, completion, util;
};
void mc__ramp_expected(const struct mc__ramp_params *p, struct mc__ramp_expect *paper,
                       struct mc__ramp_expect *exact);

/* Means over seeds seed, seed+1, ... */
struct mc__ramp_summary {
	int seeds;
	double ramp_mean, ramp_sd; /* sd of one run */
	double compl_mean, compl_sd;
	double util;          /* sum useful / sum held (ratio of means) */
	double util_run_mean; /* mean of the per-run ratios */
};
int mc__ramp_series(const struct mc__ramp_params *p, int seeds, const char *dir,
                    struct mc__ramp_summary *out, char *err, size_t n);

/* ---- agent failure (sim/validate_failure.c) ------------------------------- */

struct mc__failure_params {
	int agents;      /* 100 */
	double fraction; /* 0.1 */
	mc_time_t at;    /* 10 min */
	int jobs;        /* 150 */
	uint64_t seed;
};
void mc__failure_defaults(struct mc__failure_params *p);
void mc__failure_yaml(const struct mc__failure_params *p, FILE *out);

struct mc__failure_report {
	mc_time_t fail_at;                          /* the (first) failure's time */
	int agents_failed;                          /* agents whose tasks went LOST */
	uint64_t lost;                              /* attempts that ended LOST */
	double detect_min, detect_mean, detect_max; /* failure -> LOST reported, s */
	uint64_t submitted, finished, failed, killed, pending_end, running_end;
	uint64_t resubmitted; /* attempts > 0 */
	uint64_t jobs_submitted, jobs_completed;
	double end_s;      /* simulated time at the end */
	int rows_checked;  /* timeseries rows the identity was checked at */
	int rows_bad;      /* rows where it did not hold */
	bool identity_end; /* summary.json's tasks satisfy it */
	bool complete;     /* summary.json says complete */
};

/* Runs the agent-failure experiment (YAML text, or the config of `file`
 * when not NULL) in dir and checks it. Returns 0 or a negative MC_E* code
 * with a message in err. */
int mc__failure_run(const struct mc__failure_params *p, const char *file, const char *dir,
                    struct mc__failure_report *out, char *err, size_t n);
void mc__failure_print(const struct mc__failure_report *r, FILE *out);

#endif
