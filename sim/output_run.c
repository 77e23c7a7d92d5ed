/*
 * output_run.c - writes a finished run's files into the (temporary) run
 * directory: summary.json, plots/, report.html and perf.json.
 *
 * Wall-clock figures (run time, events/s, peak RSS) go to perf.json only,
 * so summary.json stays byte-identical across reruns. Plots never fail the
 * run: a missing gnuplot or template is a warning and a note in perf.json.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "mesocosm/error.h"
#include "sim/json.h"
#include "sim/metrics_int.h"

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = mc_xmalloc(n);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static int write_file(const char *dir, const char *name,
		      int (*fn)(const struct mc_metrics *, FILE *, const void *),
		      const struct mc_metrics *m, const void *arg)
{
	char *path = join(dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "mesocosm: %s: %s\n", path, strerror(errno));
		free(path);
		return MC_EIO;
	}
	int rc = fn(m, f, arg);
	if (fclose(f) != 0 && !rc)
		rc = MC_EIO;
	if (rc)
		fprintf(stderr, "mesocosm: %s: write failed\n", path);
	free(path);
	return rc;
}

static int summary_fn(const struct mc_metrics *m, FILE *f, const void *arg)
{
	return mc_output_summary(m, f, arg);
}

struct perf_arg {
	const struct mc_run_info *info;
	const char *plots;
};

static int perf_fn(const struct mc_metrics *m, FILE *f, const void *arg)
{
	const struct perf_arg *pa = arg;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	getrusage(RUSAGE_SELF, &ru);
	struct mc_json j;
	mc_json_init(&j, f);
	mc_json_begin_object(&j);
	mc_json_key(&j, "schema");
	mc_json_string(&j, "mesocosm.perf/1");
	mc_json_key(&j, "wall_seconds");
	mc_json_real(&j, pa->info->wall_seconds);
	mc_json_key(&j, "events");
	mc_json_uint(&j, pa->info->events);
	mc_json_key(&j, "events_per_second");
	if (pa->info->wall_seconds > 0)
		mc_json_real(&j, (double)pa->info->events / pa->info->wall_seconds);
	else
		mc_json_null(&j);
	mc_json_key(&j, "simulated_seconds_per_wall_second");
	if (pa->info->wall_seconds > 0)
		mc_json_real(&j, mc__run_seconds(m) / pa->info->wall_seconds);
	else
		mc_json_null(&j);
	mc_json_key(&j, "peak_rss_kib");
	mc_json_int(&j, (int64_t)ru.ru_maxrss); /* Linux reports KiB */
	mc_json_key(&j, "plots");
	mc_json_string(&j, pa->plots);
	mc_json_end_object(&j);
	return mc_json_finish(&j) ? MC_EIO : 0;
}

int mc_output_write_run(const struct mc_metrics *m, const char *dir, const struct mc_run_info *info)
{
	int rc = write_file(dir, "summary.json", summary_fn, m, info);
	if (rc)
		return rc;
	char status[256] = "disabled";
	if (info->plots) {
		char why[200];
		if (mc__output_plots(m, dir, why, sizeof why) == 0) {
			snprintf(status, sizeof status, "written");
		} else {
			fprintf(stderr, "mesocosm: warning: plots skipped: %s\n", why);
			snprintf(status, sizeof status, "skipped: %s", why);
		}
	}
	if (info->report) {
		rc = mc__output_report(m, dir, info, info->plots);
		if (rc)
			return rc;
	}
	struct perf_arg pa = {info, status};
	return write_file(dir, "perf.json", perf_fn, m, &pa);
}
