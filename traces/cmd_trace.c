/*
 * cmd_trace.c - `mesocosm trace convert|synth|stats`: converts real traces
 * to the native format, generates synthetic workloads, and summarises a
 * trace. Exit status: 0 success, 1 bad input data (a malformed trace),
 * 2 bad usage.
 *
 * Nothing partial is ever left behind: outputs are written under a
 * temporary name and renamed on success (mc_trace_writer_close).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "mesocosm/error.h"
#include "mesocosm/rng.h"
#include "mesocosm/trace.h"
#include "sim/cli.h"
#include "traces/trace_int.h"

static int usage(FILE *out)
{
	fprintf(out, "usage: mesocosm trace convert IN... -o OUT --from FORMAT [options]\n"
	             "       mesocosm trace synth -o OUT [--profile NAME] [options]\n"
	             "       mesocosm trace stats FILE... [--from FORMAT]\n"
	             "\n"
	             "formats: native google2011 google2019 alibaba2018 swf swim\n"
	             "\n"
	             "reader options (convert, stats):\n"
	             "  --skip-bad            count and skip malformed rows instead of failing\n"
	             "  --machine-cpus N      cores of a normalised 1.0 machine (32)\n"
	             "  --machine-mem MB      MB of a normalised 1.0 machine (131072)\n"
	             "  --lookahead DUR       Google: wait this long for a task's end (1h)\n"
	             "  --no-prefill          Google: drop tasks from before the window\n"
	             "  --cpus-per-proc N     SWF: cores per processor (1)\n"
	             "  --swf-mem MB          SWF: memory per task when the log has none (0)\n"
	             "  --block-size BYTES    SWIM: HDFS block size (134217728)\n"
	             "  --mb-per-s N          SWIM: per-task processing rate (50)\n"
	             "\n"
	             "synth options:\n"
	             "  --profile NAME        simple | google2011 (simple)\n"
	             "  --scale X             multiply jobs and machines (1.0)\n"
	             "  --seed N              (1)\n"
	             "  --jobs N              number of jobs (profile)\n"
	             "  --horizon DUR         stop arrivals at this time\n"
	             "  --arrival DIST        inter-arrival seconds, e.g. exp(4)\n"
	             "  --tasks DIST          tasks per job\n"
	             "  --duration DIST       task duration seconds\n"
	             "  --cpus DIST, --mem DIST   per-task request (cores, MB)\n"
	             "  --users N             number of users\n"
	             "  --google2011-csv DIR  also write Google 2011 CSV tables under DIR\n"
	             "\n"
	             "DIST: const(x) exp(m) uniform(a,b) normal(m,s) lognormal(mu,s) pareto(a,xm)\n"
	             "      weibull(scale,shape) empirical(file.csv)\n");
	return out == stdout ? 0 : 2;
}

/* Parses a reader option at argv[*i]; returns 1 consumed, 0 not an option
 * of the reader, -1 bad value. */
static int reader_opt(int argc, char **argv, int *i, struct mc_trace_options *o)
{
	const char *a = argv[*i];
	const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	char *end;
	if (!strcmp(a, "--skip-bad")) {
		o->skip_bad = true;
		return 1;
	}
	if (!strcmp(a, "--no-prefill")) {
		o->keep_prefill = false;
		return 1;
	}
	double *dp = NULL;
	if (!strcmp(a, "--machine-cpus"))
		dp = &o->machine_cpus;
	else if (!strcmp(a, "--machine-mem"))
		dp = &o->machine_mem_mb;
	else if (!strcmp(a, "--cpus-per-proc"))
		dp = &o->swf_cpus_per_proc;
	else if (!strcmp(a, "--swf-mem"))
		dp = &o->swf_default_mem_mb;
	else if (!strcmp(a, "--mb-per-s"))
		dp = &o->swim_mb_per_s;
	if (dp) {
		if (!v)
			return -1;
		double x = strtod(v, &end);
		if (*end || !(x >= 0) || x > 1e12 || (x == 0 && dp != &o->swf_default_mem_mb))
			return -1;
		*dp = x;
		(*i)++;
		return 1;
	}
	if (!strcmp(a, "--block-size")) {
		if (!v)
			return -1;
		long long x = strtoll(v, &end, 10);
		if (*end || x <= 0)
			return -1;
		o->swim_block_bytes = x;
		(*i)++;
		return 1;
	}
	if (!strcmp(a, "--lookahead")) {
		if (!v || mc_duration_parse(v, &o->lookahead) || o->lookahead < 0)
			return -1;
		(*i)++;
		return 1;
	}
	return 0;
}

static int cmd_convert(int argc, char **argv)
{
	struct mc_trace_options o;
	mc_trace_options_init(&o);
	const char *out = NULL, *from = NULL;
	const char **ins = mc_xcalloc((size_t)argc, sizeof *ins);
	size_t nin = 0;
	for (int i = 1; i < argc; i++) {
		int r = reader_opt(argc, argv, &i, &o);
		if (r < 0) {
			fprintf(stderr, "mesocosm trace convert: bad value for %s\n", argv[i]);
			free(ins);
			return 2;
		}
		if (r)
			continue;
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--from") && i + 1 < argc)
			from = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "mesocosm trace convert: unknown option %s\n", argv[i]);
			free(ins);
			return 2;
		} else
			ins[nin++] = argv[i];
	}
	enum mc_trace_format f;
	if (!out || !from || !nin || mc_trace_format_parse(from, &f) || f == MC_TFMT_SYNTH) {
		if (from && mc_trace_format_parse(from, &f))
			fprintf(stderr, "mesocosm trace convert: unknown format '%s'\n", from);
		else
			fprintf(stderr,
			        "mesocosm trace convert: need IN..., -o OUT and --from FORMAT\n");
		free(ins);
		return 2;
	}
	char err[600];
	struct mc_trace_reader *r;
	int rc = mc_trace_open_files(ins, nin, f, &o, &r, err, sizeof err);
	free(ins);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return rc == MC_EINVAL ? 2 : 1;
	}
	rc = mc_trace_convert(r, out, err, sizeof err);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		mc_trace_close(r);
		return 1;
	}
	const struct mc_trace_header *h = mc_trace_header(r);
	fprintf(stderr, "%s: %llu records (%llu machine, %llu tasks)\n", out,
	        (unsigned long long)h->records, (unsigned long long)h->machines,
	        (unsigned long long)h->tasks);
	for (size_t i = 0; i < h->ncounts; i++)
		fprintf(stderr, "  %s: %llu\n", h->counts[i].reason,
		        (unsigned long long)h->counts[i].count);
	mc_trace_close(r);
	return 0;
}

static int parse_dist(const char *opt, const char *v, struct mc_dist *d, int flags)
{
	struct mc_parse_error pe;
	struct mc_dist nd;
	if (!v || mc_dist_parse(&nd, v, flags, NULL, &pe)) {
		fprintf(stderr, "mesocosm trace synth: %s %s: %s\n", opt, v ? v : "",
		        v ? pe.msg : "missing value");
		return -1;
	}
	mc_dist_release(d);
	*d = nd;
	return 0;
}

static int cmd_synth(int argc, char **argv)
{
	const char *out = NULL, *profile = "simple", *csv = NULL;
	double scale = 1;
	uint64_t seed = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--profile") && i + 1 < argc)
			profile = argv[++i];
		else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
			scale = strtod(argv[++i], NULL);
	}
	struct mc_synth_params p;
	int rc = mc_synth_params_init(&p, profile, scale);
	if (rc) {
		fprintf(stderr, "mesocosm trace synth: unknown profile '%s' or bad scale\n",
		        profile);
		return 2;
	}
	int st = 0;
	for (int i = 1; i < argc && !st; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;
		if (!strcmp(a, "--profile") || !strcmp(a, "--scale")) {
			i++;
		} else if (!strcmp(a, "-o") && v) {
			out = v;
			i++;
		} else if (!strcmp(a, "--google2011-csv") && v) {
			csv = v;
			i++;
		} else if (!strcmp(a, "--seed") && v) {
			seed = strtoull(v, &end, 10);
			st = *end ? 2 : 0;
			i++;
		} else if (!strcmp(a, "--jobs") && v) {
			p.jobs = strtoll(v, &end, 10);
			st = *end || p.jobs < 0 ? 2 : 0;
			i++;
		} else if (!strcmp(a, "--users") && v) {
			long long u = strtoll(v, &end, 10);
			st = *end || u < 1 || u > 1000000 ? 2 : 0;
			p.users = (uint32_t)u;
			i++;
		} else if (!strcmp(a, "--horizon") && v) {
			st = mc_duration_parse(v, &p.horizon) ? 2 : 0;
			i++;
		} else if (!strcmp(a, "--arrival")) {
			st = parse_dist(a, v, &p.arrival, MC_DIST_TIME) ? 2 : 0;
			i++;
		} else if (!strcmp(a, "--tasks")) {
			st = parse_dist(a, v, &p.tasks_per_job, MC_DIST_PLAIN) ? 2 : 0;
			i++;
		} else if (!strcmp(a, "--duration")) {
			st = parse_dist(a, v, &p.duration, MC_DIST_TIME) ? 2 : 0;
			i++;
		} else if (!strcmp(a, "--cpus")) {
			st = parse_dist(a, v, &p.request[MC_RES_CPUS], MC_DIST_PLAIN) ? 2 : 0;
			p.has_request[MC_RES_CPUS] = true;
			i++;
		} else if (!strcmp(a, "--mem")) {
			st = parse_dist(a, v, &p.request[MC_RES_MEM], MC_DIST_PLAIN) ? 2 : 0;
			p.has_request[MC_RES_MEM] = true;
			i++;
		} else {
			fprintf(stderr, "mesocosm trace synth: unknown or incomplete option %s\n",
			        a);
			st = 2;
		}
		if (st == 2 && end)
			fprintf(stderr, "mesocosm trace synth: bad value for %s\n", a);
	}
	if (!st && !out && !csv) {
		fprintf(stderr, "mesocosm trace synth: need -o OUT or --google2011-csv DIR\n");
		st = 2;
	}
	char err[600];
	struct mc_trace_reader *r = NULL;
	if (!st && (rc = mc_synth_open(&p, seed, &r, err, sizeof err))) {
		fprintf(stderr, "mesocosm trace %s\n", err);
		st = 2;
	}
	if (!st && out) {
		rc = mc_trace_convert(r, out, err, sizeof err);
		if (rc) {
			fprintf(stderr, "%s\n", err);
			st = 1;
		} else {
			const struct mc_trace_header *h = mc_trace_header(r);
			fprintf(stderr, "%s: %llu machines, %llu tasks\n", out,
			        (unsigned long long)h->machines, (unsigned long long)h->tasks);
		}
	}
	if (!st && csv) {
		mc_trace_close(r);
		r = NULL;
		rc = mc_synth_open(&p, seed, &r, err, sizeof err);
		if (!rc)
			rc = mc__google2011_write(r, csv, 32, 131072, err, sizeof err);
		if (rc) {
			fprintf(stderr, "%s\n", err);
			st = 1;
		}
	}
	mc_trace_close(r);
	mc_synth_params_release(&p);
	return st;
}

/* ---- stats ------------------------------------------------------------------ */

#define RESERVOIR 200000

struct reservoir {
	double *v;
	size_t n;
	uint64_t seen;
};

static void res_add(struct reservoir *s, double x, gsl_rng *rng)
{
	if (s->n < RESERVOIR) {
		s->v[s->n++] = x;
	} else {
		uint64_t j = (uint64_t)(gsl_rng_uniform(rng) * (double)(s->seen + 1));
		if (j < RESERVOIR)
			s->v[j] = x;
	}
	s->seen++;
}

static void res_print(const char *name, struct reservoir *s, const char *unit)
{
	if (!s->n) {
		printf("  %-14s (none)\n", name);
		return;
	}
	gsl_sort(s->v, 1, s->n);
	printf("  %-14s p10 %-10.4g p50 %-10.4g p90 %-10.4g p99 %-10.4g max %-10.4g %s\n", name,
	       gsl_stats_quantile_from_sorted_data(s->v, 1, s->n, 0.10),
	       gsl_stats_quantile_from_sorted_data(s->v, 1, s->n, 0.50),
	       gsl_stats_quantile_from_sorted_data(s->v, 1, s->n, 0.90),
	       gsl_stats_quantile_from_sorted_data(s->v, 1, s->n, 0.99), s->v[s->n - 1], unit);
}

/* A set of job ids (open addressing), to count distinct jobs. */
struct idset {
	uint64_t *a;
	size_t cap, n;
	bool has_zero;
};

static void idset_add(struct idset *s, uint64_t id)
{
	if (id == 0) {
		if (!s->has_zero)
			s->n++;
		s->has_zero = true;
		return;
	}
	if ((s->n + 1) * 2 > s->cap) {
		size_t oc = s->cap;
		uint64_t *old = s->a;
		s->cap = oc ? oc * 2 : 1024;
		s->a = mc_xcalloc(s->cap, sizeof *s->a);
		for (size_t i = 0; i < oc; i++)
			if (old[i]) {
				size_t j = (size_t)(old[i] * 0x9e3779b97f4a7c15ULL) & (s->cap - 1);
				while (s->a[j])
					j = (j + 1) & (s->cap - 1);
				s->a[j] = old[i];
			}
		free(old);
	}
	size_t j = (size_t)(id * 0x9e3779b97f4a7c15ULL) & (s->cap - 1);
	while (s->a[j]) {
		if (s->a[j] == id)
			return;
		j = (j + 1) & (s->cap - 1);
	}
	s->a[j] = id;
	s->n++;
}

static int cmd_stats(int argc, char **argv)
{
	struct mc_trace_options o;
	mc_trace_options_init(&o);
	const char *from = "native";
	const char **ins = mc_xcalloc((size_t)argc, sizeof *ins);
	size_t nin = 0;
	for (int i = 1; i < argc; i++) {
		int r = reader_opt(argc, argv, &i, &o);
		if (r < 0) {
			fprintf(stderr, "mesocosm trace stats: bad value for %s\n", argv[i]);
			free(ins);
			return 2;
		}
		if (r)
			continue;
		if (!strcmp(argv[i], "--from") && i + 1 < argc)
			from = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "mesocosm trace stats: unknown option %s\n", argv[i]);
			free(ins);
			return 2;
		} else
			ins[nin++] = argv[i];
	}
	enum mc_trace_format f;
	if (!nin || mc_trace_format_parse(from, &f) || f == MC_TFMT_SYNTH) {
		fprintf(stderr, "mesocosm trace stats: need FILE... and a known --from format\n");
		free(ins);
		return 2;
	}
	char err[600];
	struct mc_trace_reader *r;
	int rc = mc_trace_open_files(ins, nin, f, &o, &r, err, sizeof err);
	free(ins);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return rc == MC_EINVAL ? 2 : 1;
	}
	gsl_rng *rng = mc_rng_new(1, "trace/stats");
	struct reservoir dur = {0}, cpu = {0}, mem = {0};
	dur.v = mc_xmalloc(RESERVOIR * sizeof(double));
	cpu.v = mc_xmalloc(RESERVOIR * sizeof(double));
	mem.v = mc_xmalloc(RESERVOIR * sizeof(double));
	struct idset jobs = {0}, machines = {0};
	uint64_t mrec = 0, tasks = 0, task_recs = 0, ends = 0, unknown_dur = 0;
	mc_time_t t0 = MC_TIME_NEVER, t1 = 0, first_task = MC_TIME_NEVER, last_task = 0;
	struct mc_trace_record rec;
	while ((rc = mc_trace_next(r, &rec)) == 1) {
		if (t0 == MC_TIME_NEVER)
			t0 = rec.time;
		t1 = rec.time;
		if (rec.type == MC_TREC_MACHINE) {
			mrec++;
			idset_add(&machines, rec.machine.id);
		} else if (rec.type == MC_TREC_TASK) {
			const struct mc_trace_task *t = &rec.task;
			task_recs++;
			tasks += t->count;
			idset_add(&jobs, t->job_id);
			if (first_task == MC_TIME_NEVER)
				first_task = rec.time;
			last_task = rec.time;
			if (t->duration >= 0)
				res_add(&dur, mc_time_to_sec(t->duration), rng);
			else
				unknown_dur++;
			res_add(&cpu, mc_milli_to_double(t->request.q[MC_RES_CPUS]), rng);
			res_add(&mem, mc_milli_to_double(t->request.q[MC_RES_MEM]), rng);
		} else {
			ends++;
		}
	}
	if (rc < 0) {
		fprintf(stderr, "%s\n", mc_trace_error(r));
	} else {
		const struct mc_trace_header *h = mc_trace_header(r);
		printf("source         %s\n", h->source);
		printf("machines       %zu distinct (%llu machine events)\n", machines.n,
		       (unsigned long long)mrec);
		printf("jobs           %zu\n", jobs.n);
		printf("tasks          %llu (%llu records; %llu with unknown duration, %llu end "
		       "records)\n",
		       (unsigned long long)tasks, (unsigned long long)task_recs,
		       (unsigned long long)unknown_dur, (unsigned long long)ends);
		if (t0 != MC_TIME_NEVER) {
			double span = mc_time_to_sec(t1 - t0);
			printf("time span      %.6g s .. %.6g s (%.6g s = %.4g days)\n",
			       mc_time_to_sec(t0), mc_time_to_sec(t1), span, span / 86400);
		}
		if (first_task != MC_TIME_NEVER && last_task > first_task) {
			double s = mc_time_to_sec(last_task - first_task);
			printf("arrival rate   %.6g jobs/s, %.6g tasks/s\n", (double)jobs.n / s,
			       (double)tasks / s);
		}
		printf("percentiles%s\n", dur.seen > RESERVOIR || cpu.seen > RESERVOIR
		                              ? " (from a uniform sample of "
		                                "200000 task records)"
		                              : "");
		res_print("duration", &dur, "s");
		res_print("cpus", &cpu, "cores");
		res_print("mem", &mem, "MB");
		for (size_t i = 0; i < h->nnotes; i++)
			printf("note           %s\n", h->notes[i]);
		for (size_t i = 0; i < h->ncounts; i++)
			printf("count          %s: %llu\n", h->counts[i].reason,
			       (unsigned long long)h->counts[i].count);
	}
	free(dur.v);
	free(cpu.v);
	free(mem.v);
	free(jobs.a);
	free(machines.a);
	gsl_rng_free(rng);
	mc_trace_close(r);
	return rc < 0 ? 1 : 0;
}

int mc__cmd_trace(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	const char *sub = argv[1];
	if (!strcmp(sub, "convert"))
		return cmd_convert(argc - 1, argv + 1);
	if (!strcmp(sub, "synth"))
		return cmd_synth(argc - 1, argv + 1);
	if (!strcmp(sub, "stats"))
		return cmd_stats(argc - 1, argv + 1);
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help"))
		return usage(stdout);
	fprintf(stderr, "mesocosm trace: unknown subcommand '%s'\n", sub);
	return usage(stderr);
}
