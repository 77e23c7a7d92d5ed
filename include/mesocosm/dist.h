/*
 * mesocosm/dist.h - probability distributions for workload and model
 * parameters (arrivals, durations, requests, network delays, decision times).
 *
 * Text notation (used in experiment files and on the command line):
 *     const(5)            exactly 5
 *     exp(30)             exponential with mean 30
 *     uniform(1, 4)       uniform on [1, 4)
 *     normal(10, 2)       normal, mean 10, sd 2 (draws below 0 are clamped to 0)
 *     lognormal(3, 1)     exp(N(mu=3, sigma=1))
 *     pareto(1.5, 10)     Pareto with shape 1.5 and scale (minimum) 10
 *     weibull(20, 0.7)    Weibull with scale 20 and shape 0.7
 *     empirical(file.csv) inverse-CDF of a file of "value,cumulative_probability"
 *                         rows (probabilities non-decreasing, ending at 1),
 *                         linear interpolation between rows
 * A bare number "5" means const(5). With MC_DIST_TIME the arguments that are
 * values (not shapes) accept duration units ("exp(30s)", "const(500ms)") and
 * samples are in seconds; without units a time argument is in seconds.
 *
 * Lifecycle: mc_dist_parse() fills caller-owned storage; mc_dist_release()
 * frees an empirical table. Sampling never allocates.
 */
#ifndef MESOCOSM_DIST_H
#define MESOCOSM_DIST_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "mesocosm/resources.h" /* struct mc_parse_error */

enum mc_dist_kind {
	MC_DIST_CONST,
	MC_DIST_EXP,
	MC_DIST_UNIFORM,
	MC_DIST_NORMAL,
	MC_DIST_LOGNORMAL,
	MC_DIST_PARETO,
	MC_DIST_WEIBULL,
	MC_DIST_EMPIRICAL,
};

enum { MC_DIST_PLAIN = 0, MC_DIST_TIME = 1 };

struct mc_dist {
	enum mc_dist_kind kind;
	double a, b;          /* parameters, in the order of the text form */
	size_t n;             /* empirical: number of points */
	double *values, *cdf; /* empirical: owned arrays of n points */
};

/*
 * Parses the text form into *d. `flags` is MC_DIST_PLAIN or MC_DIST_TIME.
 * Empirical file paths are relative to `base_dir` (may be NULL for the
 * working directory). Returns 0, or MC_EPARSE/MC_ERANGE/MC_EIO with *err
 * filled (column within text; for a bad empirical file, the message names
 * file:line). Rejects parameters out of each distribution's domain
 * (negative means, sigma < 0, shape <= 0, empty ranges). O(length), plus
 * the file for empirical.
 */
int mc_dist_parse(struct mc_dist *d, const char *text, int flags, const char *base_dir,
		  struct mc_parse_error *err);
void mc_dist_release(struct mc_dist *d);

/* One draw. O(1) (O(log n) for empirical). Never negative for the
 * non-negative families; NORMAL is clamped at 0. */
double mc_dist_sample(const struct mc_dist *d, gsl_rng *rng);

/* The distribution's mean (analytic; empirical by the trapezoid rule), or
 * NaN where it is infinite (Pareto with shape <= 1). */
double mc_dist_mean(const struct mc_dist *d);

/* Canonical text form, for echoing a config. snprintf return convention. */
int mc_dist_format(const struct mc_dist *d, char *buf, size_t size);

#endif
