/*
 * output_plots.c - the PNG and SVG plots in plots/, drawn by gnuplot from the
 * templates scripts/NAME.gp (found in $MESOCOSM_SCRIPTS, else the source
 * tree's scripts/).
 *
 * Data: utilization and shares come from timeseries.csv; the
 * scheduling-delay CDFs (plots/delay_cdf.dat) and job completion by size
 * (plots/jct_by_size.dat) are written here from the collector's histograms.
 * gnuplot runs as a child process (no shell), with its messages in
 * plots/gnuplot.log (removed when every plot succeeded). Nothing here can
 * fail the run: problems come back as a status string.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mesocosm/error.h"
#include "sim/metrics_int.h"

extern char **environ;

#ifndef MC_SOURCE_DIR
#define MC_SOURCE_DIR "."
#endif

static char *path2(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = mc_xmalloc(n);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

static bool find_in_path(const char *prog)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);
		char buf[4096];
		if (n > 0 && n + strlen(prog) + 2 < sizeof buf) {
			memcpy(buf, path, n);
			snprintf(buf + n, sizeof buf - n, "/%s", prog);
			if (access(buf, X_OK) == 0)
				return true;
		}
		path += n + (colon ? 1 : 0);
	}
	return false;
}

/* Appends a gnuplot single-quoted string literal of s ('' escapes '). */
static void gp_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

/* Runs gnuplot -e VARS TEMPLATE; its stdout and stderr go to `log`.
 * Returns 0 when it exited with status 0. */
static int run_gnuplot(const char *vars, const char *tmpl, const char *log)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	char *argv[] = {"gnuplot", "-e", (char *)vars, (char *)tmpl, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Writes one CDF block (upper bucket bound in s, cumulative fraction). */
static void cdf_block(FILE *f, const struct mc__lat *l)
{
	uint64_t cum = 0;
	for (int i = 0; i < MC__HIST_BUCKETS; i++) {
		if (!l->hist[i])
			continue;
		cum += l->hist[i];
		int64_t lo, hi;
		mc__hist_bounds(i, &lo, &hi);
		fprintf(f, "%.9g %.9g\n", (double)hi / MC_SEC, (double)cum / (double)l->n);
	}
	fputs("\n\n", f);
}

struct plot_job {
	const char *tmpl; /* template file name in scripts/ */
	const char *out;  /* output base name in plots/ */
	char *vars;       /* -e argument */
};

int mc__output_plots(const struct mc_metrics *m, const char *dir, char *status, size_t size)
{
	if (!find_in_path("gnuplot")) {
		snprintf(status, size, "gnuplot not found in PATH");
		return 1;
	}
	const char *sdir = getenv("MESOCOSM_SCRIPTS");
	if (!sdir || !*sdir)
		sdir = MC_SOURCE_DIR "/scripts";
	char *pdir = path2(dir, "plots");
	if (mkdir(pdir, 0777) != 0 && errno != EEXIST) {
		snprintf(status, size, "cannot create %s: %s", pdir, strerror(errno));
		free(pdir);
		return 1;
	}
	struct plot_job jobs[4];
	int njobs = 0;
	size_t len;
	FILE *v;
	int nres = m->nres;
	int base = 3 + 4 * nres; /* first column after the resource groups */

	if (m->ts) {
		char *csv = path2(dir, "timeseries.csv");
		/* utilization: allocated and offered-but-unused of each resource */
		jobs[njobs] = (struct plot_job){"utilization.gp", "utilization", NULL};
		v = open_memstream(&jobs[njobs].vars, &len);
		fputs("datafile=", v);
		gp_quote(v, csv);
		fputs("; outbase=", v);
		char *ob = path2(pdir, "utilization");
		gp_quote(v, ob);
		free(ob);
		fputs("; cols='", v);
		for (int k = 0; k < nres; k++)
			fprintf(v, "%s%d", k ? " " : "", 4 + 4 * k);
		fputs("'; ocols='", v);
		for (int k = 0; k < nres; k++)
			fprintf(v, "%s%d", k ? " " : "", 5 + 4 * k);
		fputs("'; titles=", v);
		char *t;
		size_t tl;
		FILE *tv = open_memstream(&t, &tl);
		for (int k = 0; k < nres; k++) {
			fputs(k ? " " : "", tv);
			mc__csv_safe_name(tv, mc_res_name(m->res[k]));
		}
		fclose(tv);
		gp_quote(v, t);
		free(t);
		fclose(v);
		njobs++;

		if (m->nfws > 0) {
			jobs[njobs] = (struct plot_job){"shares.gp", "dominant_shares", NULL};
			v = open_memstream(&jobs[njobs].vars, &len);
			fputs("datafile=", v);
			gp_quote(v, csv);
			fputs("; outbase=", v);
			ob = path2(pdir, "dominant_shares");
			gp_quote(v, ob);
			free(ob);
			fprintf(v, "; first=%d; n=%zu; titles=", base + 3, m->nfws);
			tv = open_memstream(&t, &tl);
			for (size_t i = 0; i < m->nfws; i++) {
				fputs(i ? " " : "", tv);
				mc__csv_safe_name(tv, m->fws[i].name);
			}
			fclose(tv);
			gp_quote(v, t);
			free(t);
			fclose(v);
			njobs++;
		}
		free(csv);
	}

	if (m->sched.n > 0) {
		char *dat = path2(pdir, "delay_cdf.dat");
		FILE *f = fopen(dat, "w");
		if (f) {
			char *t;
			size_t tl;
			FILE *tv = open_memstream(&t, &tl);
			int blocks = 1;
			fputs("# scheduling delay CDF: upper bucket bound (s), cumulative fraction\n", f);
			fputs("# block 0: all frameworks\n", f);
			cdf_block(f, &m->sched);
			fputs("all", tv);
			for (size_t i = 0; i < m->nfws; i++) {
				if (m->fws[i].sched.n == 0)
					continue;
				fprintf(f, "# block %d: %s\n", blocks++, m->fws[i].name);
				cdf_block(f, &m->fws[i].sched);
				fputc(' ', tv);
				mc__csv_safe_name(tv, m->fws[i].name);
			}
			fclose(tv);
			fclose(f);
			jobs[njobs] = (struct plot_job){"delay_cdf.gp", "delay_cdf", NULL};
			v = open_memstream(&jobs[njobs].vars, &len);
			fputs("datafile=", v);
			gp_quote(v, dat);
			fputs("; outbase=", v);
			char *ob = path2(pdir, "delay_cdf");
			gp_quote(v, ob);
			free(ob);
			fprintf(v, "; n=%d; titles=", blocks);
			gp_quote(v, t);
			free(t);
			fclose(v);
			njobs++;
		}
		free(dat);
	}

	if (m->jct.n > 0) {
		char *dat = path2(pdir, "jct_by_size.dat");
		FILE *f = fopen(dat, "w");
		if (f) {
			fputs("# job completion time by job size\n"
			      "# tasks_max jobs mean_s p50_s p90_s p99_s max_s\n", f);
			for (int b = 0; b < MC__JOB_SIZE_BUCKETS; b++) {
				const struct mc__lat *l = &m->jct_size[b];
				if (!l->hist || l->n == 0)
					continue;
				fprintf(f, "%llu %llu %.9g %.9g %.9g %.9g %.9g\n",
					(unsigned long long)1 << b, (unsigned long long)l->n,
					mc__lat_mean_s(l), mc__lat_quantile_us(l, 0.5) / MC_SEC,
					mc__lat_quantile_us(l, 0.9) / MC_SEC,
					mc__lat_quantile_us(l, 0.99) / MC_SEC, mc_time_to_sec(l->max));
			}
			fclose(f);
			jobs[njobs] = (struct plot_job){"jct_by_size.gp", "jct_by_size", NULL};
			v = open_memstream(&jobs[njobs].vars, &len);
			fputs("datafile=", v);
			gp_quote(v, dat);
			fputs("; outbase=", v);
			char *ob = path2(pdir, "jct_by_size");
			gp_quote(v, ob);
			free(ob);
			fclose(v);
			njobs++;
		}
		free(dat);
	}

	char *log = path2(pdir, "gnuplot.log");
	int failed = 0;
	char failures[160] = "";
	for (int i = 0; i < njobs; i++) {
		char *tmpl = path2(sdir, jobs[i].tmpl);
		if (access(tmpl, R_OK) != 0 || run_gnuplot(jobs[i].vars, tmpl, log) != 0) {
			failed++;
			size_t fl = strlen(failures);
			snprintf(failures + fl, sizeof failures - fl, "%s%s", fl ? ", " : "", jobs[i].out);
		}
		free(tmpl);
		free(jobs[i].vars);
	}
	if (!failed)
		unlink(log);
	free(log);
	free(pdir);
	if (failed) {
		snprintf(status, size, "gnuplot failed for %s (templates in %s; see plots/gnuplot.log)",
			 failures, sdir);
		return 1;
	}
	snprintf(status, size, "written");
	return 0;
}
