/*
 * bench_replay.c - `mesocosm bench replay [--hours H] [--agents N]
 * [--tasks-per-day T] [--refuse S] [--no-revive] [--hold S]`: simulates a
 * synthetic Google-2011-sized cell (12,500 agents, about 1M tasks a day over
 * three frameworks, Mesos defaults: 1 s allocation interval, health checks
 * every 15 s) through the full models, and prints simulated seconds per
 * wall second, events per second, offers per simulated second and peak
 * memory and the tasks' scheduling delay. The default is the full day;
 * --hours shortens it. The framework options set how they use offers
 * (refuse_seconds, revive_on_new_work, hold_offers), which decides how many
 * offers the day costs (see docs/models.md, "Speed of large replays"). By
 * default they hold unused offers for 5 min, as Aurora does
 * (min_offer_hold_time); --hold 0 makes them decline at once instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mesocosm/error.h"
#include "sim/config.h"
#include "sim/runner.h"
#include "tests/bench/bench.h"

int mc__bench_replay(int argc, char **argv)
{
	double hours = 24, agents = 12500, per_day = 1e6, refuse = 30, hold = 300;
	const char *revive = "true";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hours") && i + 1 < argc)
			hours = atof(argv[++i]);
		else if (!strcmp(argv[i], "--refuse") && i + 1 < argc)
			refuse = atof(argv[++i]);
		else if (!strcmp(argv[i], "--hold") && i + 1 < argc)
			hold = atof(argv[++i]);
		else if (!strcmp(argv[i], "--no-revive"))
			revive = "false";
		else if (!strcmp(argv[i], "--agents") && i + 1 < argc)
			agents = atof(argv[++i]);
		else if (!strcmp(argv[i], "--tasks-per-day") && i + 1 < argc)
			per_day = atof(argv[++i]);
		else {
			fprintf(stderr, "usage: mesocosm bench replay [--hours H] [--agents N] "
					"[--tasks-per-day T] [--refuse S] [--no-revive] [--hold S]\n");
			return 2;
		}
	}
	if (!(hours > 0) || !(agents >= 1) || !(per_day > 0) || !(refuse >= 0) || !(hold >= 0)) {
		fprintf(stderr, "mesocosm bench replay: values must be positive\n");
		return 2;
	}
	/* Three frameworks share the arrivals: batch jobs of 1-20 tasks, a
	 * service framework, and a second batch framework with memory-heavy
	 * tasks. Jobs average 10.5 tasks: jobs/s = tasks/day / 86400 / 10.5 / 3. */
	double job_gap = 86400.0 * 10.5 * 3.0 / per_day;
	char path[] = "/tmp/mesocosm-bench-replay-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	FILE *f = fdopen(fd, "w");
	fprintf(f,
		"name: bench_replay\nseed: 1\nduration: %.0fs\nsample_interval: 5m\n"
		"agents:\n  - count: %.0f\n    resources: \"cpus:32;mem:131072\"\n"
		"frameworks:\n"
		"  - name: batch\n    role: batch\n    refuse_seconds: %gs\n    revive_on_new_work: %s\n    hold_offers: %gs\n"
		"    decision_time: {per_job: 10ms, per_task: 1ms}\n"
		"    workload:\n      synthetic:\n        arrival: exp(%.6fs)\n"
		"        tasks_per_job: uniform(1, 20)\n        task_duration: lognormal(6, 1.2)\n"
		"        task_resources: {cpus: 1, mem: 2048}\n"
		"  - name: service\n    kind: service\n    role: service\n    refuse_seconds: %gs\n    revive_on_new_work: %s\n    hold_offers: %gs\n"
		"    decision_time: {per_job: 10ms, per_task: 1ms}\n"
		"    workload:\n      synthetic:\n        arrival: exp(%.6fs)\n"
		"        tasks_per_job: uniform(1, 20)\n        task_duration: lognormal(7, 1)\n"
		"        task_resources: {cpus: 2, mem: 4096}\n"
		"  - name: etl\n    role: etl\n    refuse_seconds: %gs\n    revive_on_new_work: %s\n    hold_offers: %gs\n"
		"    decision_time: {per_job: 10ms, per_task: 1ms}\n"
		"    workload:\n      synthetic:\n        arrival: exp(%.6fs)\n"
		"        tasks_per_job: uniform(1, 20)\n        task_duration: lognormal(6, 1.2)\n"
		"        task_resources: {cpus: 0.5, mem: 8192}\n"
		"outputs: {timeseries: false, tasks: false, plots: false}\n",
		hours * 3600, agents, refuse, revive, hold, job_gap, refuse, revive, hold, job_gap,
		refuse, revive, hold, job_gap);
	fclose(f);
	struct mc_config c;
	char err[1024];
	int rc = mc_config_load(&c, path, err, sizeof err);
	unlink(path);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	struct mc_run_stats st;
	struct mc_run_options o = {.quiet = true, .stats = &st};
	printf("bench replay: %.0f agents (cpus:32;mem:131072), 3 frameworks (refuse %gs, revive on "
	       "new work: %s, hold offers %gs), %.0f tasks/day, %.2f simulated hours\n",
	       agents, refuse, revive, hold, per_day, hours);
	fflush(stdout);
	rc = mc_run_experiment(&c, &o);
	mc_config_release(&c);
	if (rc) {
		fprintf(stderr, "mesocosm bench replay: run failed: %s\n", mc_strerror(rc));
		return 1;
	}
	printf("tasks submitted %llu, finished %llu; events %llu; messages %llu; offers %llu "
	       "(%.0f per simulated s)\n",
	       (unsigned long long)st.tasks_submitted, (unsigned long long)st.tasks_finished,
	       (unsigned long long)st.events, (unsigned long long)st.messages,
	       (unsigned long long)st.offers_made, (double)st.offers_made / st.simulated_seconds);
	printf("task scheduling delay: mean %.2f s, p99 %.2f s\n", st.sched_delay_mean_s,
	       st.sched_delay_p99_s);
	printf("wall %.1f s; %.0f simulated s per wall s; %.2f M events/s; peak RSS %.0f MB\n",
	       st.wall_seconds, st.simulated_seconds / st.wall_seconds,
	       (double)st.events / st.wall_seconds / 1e6, (double)st.peak_rss_kb / 1024.0);
	printf("targets (full day): under 60 s of wall time, under 2 GB\n");
	return 0;
}
