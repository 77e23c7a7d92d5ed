/*
 * cmd_validate.c - `mesocosm validate EXPERIMENT [options]`: runs one of the
 * validation experiments of docs/validation.md with the ordinary runner
 * and prints what it measured next to what is expected.
 *
 *   mesos-ramp     the Mesos paper's §4 model (ramp-up, completion,
 *                  utilization for elastic/rigid x constant/exponential)
 *   agent-failure  10 % of the agents crash; LOST, resubmission, the
 *                  accounting identity at every sample
 *
 * Exit status: 0 when every figure is within its target, 1 when one is not
 * (or a run failed), 2 on bad usage.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesocosm/error.h"
#include "sim/cli.h"
#include "sim/rundir.h"
#include "sim/validate.h"

#define RAMP_TARGET 0.05 /* relative error allowed against the paper's table */

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: mesocosm validate mesos-ramp [--case NAME|all] [--seeds N] [--k K]\n"
	        "                                    [--T SECONDS] [--beta B] [--pieces P]\n"
	        "                                    [--seed S] [--print-config] [--workdir DIR]\n"
	        "       mesocosm validate agent-failure [FILE] [--seed S] [--print-config]\n"
	        "                                       [--workdir DIR]\n\n"
	        "Runs a validation experiment (docs/validation.md) and prints paper/expected\n"
	        "values next to the measured ones. Exit status 1 if a figure misses its target.\n\n"
	        "mesos-ramp: the Mesos paper's §4 model. Cases: elastic-constant, elastic-exp,\n"
	        "  rigid-constant, rigid-exp, all (default). k = 100 slots, T = 30 s, beta = 10,\n"
	        "  elastic tasks of T/20, 100 seeds per case by default; the target is 5 %%\n"
	        "  against the paper's table (with H_k for ln k).\n"
	        "agent-failure: 10 %% of 100 agents crash at 10 min (or the experiment FILE,\n"
	        "  which must have `failures`); checks detection (75-90 s), LOST tasks\n"
	        "  resubmitted, the workload completing, and the accounting identity.\n\n"
	        "  --print-config  print the experiment YAML of one run and exit\n"
	        "  --workdir DIR   keep the run directories in DIR (default: a temporary\n"
	        "                  directory, removed at the end)\n");
}

static bool parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

struct opts {
	const char *kase, *workdir, *file;
	double seeds, k, T, beta, pieces, seed;
	bool have_seeds, have_k, have_T, have_beta, have_pieces, have_seed, print;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof *o);
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		struct {
			const char *name;
			double *dst;
			bool *have;
			double lo, hi;
		} nums[] = {
		    {"--seeds", &o->seeds, &o->have_seeds, 1, 100000},
		    {"--k", &o->k, &o->have_k, 1, 100000},
		    {"--T", &o->T, &o->have_T, 1e-3, 1e6},
		    {"--beta", &o->beta, &o->have_beta, 1e-3, 1e4},
		    {"--pieces", &o->pieces, &o->have_pieces, 1, 10000},
		    {"--seed", &o->seed, &o->have_seed, 0, 9007199254740992.0},
		};
		bool done = false;
		for (size_t k = 0; k < sizeof nums / sizeof nums[0] && !done; k++)
			if (!strcmp(a, nums[k].name)) {
				if (!v || !parse_num(v, nums[k].lo, nums[k].hi, nums[k].dst)) {
					fprintf(
					    stderr,
					    "mesocosm validate: %s wants a number in [%g, %g]\n", a,
					    nums[k].lo, nums[k].hi);
					return 2;
				}
				*nums[k].have = true;
				i++;
				done = true;
			}
		if (done)
			continue;
		if (!strcmp(a, "--case") && v) {
			o->kase = v;
			i++;
		} else if (!strcmp(a, "--workdir") && v) {
			o->workdir = v;
			i++;
		} else if (!strcmp(a, "--print-config")) {
			o->print = true;
		} else if (a[0] == '-') {
			fprintf(stderr, "mesocosm validate: unknown or incomplete option '%s'\n",
			        a);
			usage(stderr);
			return 2;
		} else if (!o->file) {
			o->file = a;
		} else {
			fprintf(stderr, "mesocosm validate: unexpected argument '%s'\n", a);
			return 2;
		}
	}
	return 0;
}

static double rel(double measured, double ref)
{
	return ref != 0 ? (measured - ref) / ref : 0;
}

static bool print_row(const char *kase, const char *metric, const char *unit, double paper,
                      double exact, double mean, double ci)
{
	double e = rel(mean, paper);
	bool ok = fabs(e) <= RAMP_TARGET;
	fprintf(stdout, "%-17s %-11s %9.3f%-2s %9.3f%-2s %9.3f%-2s %7.3f %+7.2f%% %+7.2f%%  %s\n",
	        kase, metric, paper, unit, exact, unit, mean, unit, ci, 100 * e,
	        100 * rel(mean, exact), ok ? "ok" : "MISS");
	return ok;
}

static int run_ramp(const struct opts *o, const char *dir)
{
	int first = 0, last = MC__RAMP_CASES - 1;
	if (o->kase && strcmp(o->kase, "all")) {
		first = last = mc__ramp_case_parse(o->kase);
		if (first < 0) {
			fprintf(
			    stderr,
			    "mesocosm validate: unknown case '%s' (elastic-constant, elastic-exp, "
			    "rigid-constant, rigid-exp, all)\n",
			    o->kase);
			return 2;
		}
	}
	struct mc__ramp_params p;
	mc__ramp_defaults(&p, (enum mc__ramp_case)first);
	if (o->have_k)
		p.k = (int)o->k;
	if (o->have_T)
		p.T = o->T;
	if (o->have_beta)
		p.beta = o->beta;
	if (o->have_pieces)
		p.pieces = (int)o->pieces;
	if (o->have_seed)
		p.seed = (uint64_t)o->seed;
	int seeds = o->have_seeds ? (int)o->seeds : 100;
	if (o->print) {
		mc__ramp_yaml(&p, stdout);
		return 0;
	}
	double H = 0;
	for (int i = p.k; i >= 1; i--)
		H += 1.0 / i;
	printf("Mesos paper §4 model: k = %d slots, T = %g s, beta = %g, elastic tasks of T/%d,\n"
	       "%d seeds per case (H_k = %.4f, ln k = %.4f). Means over seeds; 95%% CI = 1.96 SE;\n"
	       "utilization = sum of useful slot-seconds / sum of held slot-seconds.\n"
	       "'setup' = expectation for this finite, discrete setup (k/(k+1) T max residual,\n"
	       "tasks of T/%d); the target is %.0f%% against the paper.\n\n",
	       p.k, p.T, p.beta, p.pieces, seeds, H, log(p.k), p.pieces, 100 * RAMP_TARGET);
	printf("%-17s %-11s %11s %11s %11s %7s %8s %8s\n", "case", "metric", "paper", "setup",
	       "measured", "95%CI", "vs paper", "vs setup");
	bool all_ok = true;
	for (int c = first; c <= last; c++) {
		p.kase = (enum mc__ramp_case)c;
		struct mc__ramp_summary s;
		char err[1024];
		int rc = mc__ramp_series(&p, seeds, dir, &s, err, sizeof err);
		if (rc) {
			fprintf(stderr, "mesocosm validate: %s\n", err);
			return 1;
		}
		struct mc__ramp_expect paper, exact;
		mc__ramp_expected(&p, &paper, &exact);
		const char *name = mc__ramp_case_name(p.kase);
		double z = 1.96 / sqrt(seeds);
		all_ok &= print_row(name, "ramp-up", " s", paper.ramp, exact.ramp, s.ramp_mean,
		                    z * s.ramp_sd);
		all_ok &= print_row(name, "completion", " s", paper.completion, exact.completion,
		                    s.compl_mean, z * s.compl_sd);
		all_ok &= print_row(name, "utilization", "", paper.util, exact.util, s.util, 0);
		fflush(stdout);
	}
	printf("\n%s\n", all_ok ? "all within target" : "SOME FIGURES MISS THE TARGET");
	return all_ok ? 0 : 1;
}

static int run_failure(const struct opts *o, const char *dir)
{
	struct mc__failure_params p;
	mc__failure_defaults(&p);
	if (o->have_seed)
		p.seed = (uint64_t)o->seed;
	if (o->print) {
		mc__failure_yaml(&p, stdout);
		return 0;
	}
	struct mc__failure_report r;
	char err[1024];
	int rc = mc__failure_run(&p, o->file, dir, &r, err, sizeof err);
	if (rc) {
		fprintf(stderr, "mesocosm validate: %s\n", err);
		return 1;
	}
	mc__failure_print(&r, stdout);
	bool ok = r.complete && r.identity_end && r.rows_bad == 0 && r.rows_checked > 0 &&
	          r.jobs_completed == r.jobs_submitted && r.agents_failed > 0 &&
	          r.detect_min > 75.0 && r.detect_max <= 90.01;
	printf("\n%s\n", ok ? "all checks pass" : "SOME CHECKS FAIL");
	return ok ? 0 : 1;
}

int mc__cmd_validate(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	bool ramp = !strcmp(argv[1], "mesos-ramp"), fail = !strcmp(argv[1], "agent-failure");
	if (!ramp && !fail) {
		fprintf(stderr, "mesocosm validate: unknown experiment '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	struct opts o;
	int rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc;
	if (ramp && o.file) {
		fprintf(stderr, "mesocosm validate: mesos-ramp takes no file\n");
		return 2;
	}
	char tmp[4096];
	const char *dir = o.workdir;
	if (!o.print && !dir) {
		if (mc__validate_tmpdir(tmp, sizeof tmp)) {
			fprintf(stderr, "mesocosm validate: cannot create a temporary directory\n");
			return 1;
		}
		dir = tmp;
	}
	rc = ramp ? run_ramp(&o, dir) : run_failure(&o, dir);
	if (!o.print && !o.workdir)
		mc_rundir_remove_tree(tmp);
	return rc;
}
