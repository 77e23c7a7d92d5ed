/*
 * runner.h - runs one experiment: builds the cluster from a validated
 * config, replays its workload through the models, and hands the results
 * to the metrics collector and the run-directory writer.
 */
#ifndef MC_SIM_RUNNER_H
#define MC_SIM_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/config.h"

/* Wall-clock figures of a run (what perf.json holds), for benchmarks. */
struct mc_run_stats {
	double wall_seconds;
	double simulated_seconds;
	uint64_t events;
	uint64_t messages;
	uint64_t tasks_submitted, tasks_finished, offers_made;
	double sched_delay_mean_s, sched_delay_p99_s; /* NaN if no task launched */
	long peak_rss_kb;
};

struct mc_run_options {
	const char *out_dir;   /* run directory to write; NULL = none */
	bool force;            /* replace an existing run directory */
	bool quiet;            /* no table on stdout */
	bool progress;         /* progress on stderr (default: when stderr is a tty) */
	bool explicit_health_checks; /* every ping as events (models/health.h) */
	struct mc_run_stats *stats; /* optional: filled at the end of the run */
};

/* Runs the experiment. Returns 0 (complete), MC_EINTR (stopped by SIGINT;
 * what was measured is still written, marked incomplete) or another
 * negative code with a message on stderr. */
int mc_run_experiment(const struct mc_config *c, const struct mc_run_options *o);

#endif
