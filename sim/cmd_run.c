/*
 * cmd_run.c - `mesocosm run FILE [-o DIR] [--force] [--seed N]
 * [--set key.path=value]... [--quiet] [--progress|--no-progress]
 * [--explicit-health-checks]`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mesocosm/error.h"
#include "sim/cli.h"
#include "sim/config.h"
#include "sim/runner.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mesocosm run FILE [-o DIR] [--force] [--seed N] [--set key.path=value]...\n"
		"                         [--tasks-csv] [--quiet] [--progress | --no-progress]\n"
		"                         [--explicit-health-checks]\n\n"
		"Runs the experiment FILE (see docs/experiment-format.md) and writes its run\n"
		"directory DIR (default: runs/<experiment name>): summary.json, perf.json,\n"
		"timeseries.csv, tasks.msgpack, plots/. The directory appears only when the\n"
		"run has written everything (it is built under a temporary name, then renamed).\n\n"
		"  -o DIR         the run directory\n"
		"  --force        replace DIR if it exists\n"
		"  --seed N       override the experiment's seed\n"
		"  --set K=V      override one config key (YAML value), e.g.\n"
		"                 --set allocator.allocation_interval=2s\n"
		"  --tasks-csv    also write tasks.csv (one row per ended task attempt)\n"
		"  --quiet        no result table on stdout\n"
		"  --progress     progress on stderr (default: only when stderr is a terminal)\n"
		"  --explicit-health-checks\n"
		"                 simulate every agent ping as events even where implicit\n"
		"                 checks give the same results (slower; for checking that)\n");
}

int mc__cmd_run(int argc, char **argv)
{
	const char *file = NULL;
	struct mc_run_options o = {.progress = isatty(2) != 0};
	const char *seed = NULL;
	bool tasks_csv = false;
	const char **sets = mc_xcalloc((size_t)argc, sizeof *sets);
	int nsets = 0;
	int rc = 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			free(sets);
			return 0;
		} else if ((!strcmp(a, "-o") || !strcmp(a, "--out")) && i + 1 < argc) {
			o.out_dir = argv[++i];
		} else if (!strcmp(a, "--force")) {
			o.force = true;
		} else if (!strcmp(a, "--seed") && i + 1 < argc) {
			seed = argv[++i];
		} else if (!strcmp(a, "--set") && i + 1 < argc) {
			sets[nsets++] = argv[++i];
		} else if (!strcmp(a, "--tasks-csv")) {
			tasks_csv = true;
		} else if (!strcmp(a, "--quiet")) {
			o.quiet = true;
		} else if (!strcmp(a, "--progress")) {
			o.progress = true;
		} else if (!strcmp(a, "--no-progress")) {
			o.progress = false;
		} else if (!strcmp(a, "--explicit-health-checks")) {
			o.explicit_health_checks = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "mesocosm run: unknown or incomplete option '%s'\n", a);
			usage(stderr);
			goto out;
		} else if (!file) {
			file = a;
		} else {
			fprintf(stderr, "mesocosm run: one experiment file at a time ('%s')\n", a);
			goto out;
		}
	}
	if (!file) {
		usage(stderr);
		goto out;
	}
	struct mc_config c;
	char err[1024];
	if (mc_config_load(&c, file, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	for (int i = 0; i < nsets; i++) {
		char *eq = strchr(sets[i], '=');
		if (!eq || eq == sets[i]) {
			fprintf(stderr, "mesocosm run: --set wants key.path=value, got '%s'\n", sets[i]);
			mc_config_release(&c);
			goto out;
		}
		char *key = mc_xstrdup(sets[i]);
		key[eq - sets[i]] = '\0';
		int e = mc_config_set(&c, key, eq + 1, err, sizeof err);
		free(key);
		if (e) {
			fprintf(stderr, "%s\n", err);
			mc_config_release(&c);
			goto out;
		}
	}
	if (seed) {
		char *end;
		errno = 0;
		unsigned long long s = strtoull(seed, &end, 10);
		if (errno || *end || !*seed || seed[0] == '-') {
			fprintf(stderr, "mesocosm run: --seed wants a non-negative integer, got '%s'\n",
				seed);
			mc_config_release(&c);
			goto out;
		}
		c.seed = s;
	}
	if (tasks_csv)
		c.outputs.tasks_csv = true;
	char dir[4096];
	if (!o.out_dir) {
		snprintf(dir, sizeof dir, "runs/%s", c.name);
		o.out_dir = dir;
	}
	int e = mc_run_experiment(&c, &o);
	mc_config_release(&c);
	rc = e == 0 ? 0 : e == MC_EINTR ? 130 : 1;
out:
	free(sets);
	return rc;
}
