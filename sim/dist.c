/*
 * dist.c - probability distributions (include/mesocosm/dist.h): the text
 * parser, GSL-backed sampling, analytic means and canonical formatting.
 *
 * Invariants of a parsed struct mc_dist:
 *   - parameters are within the family's domain (checked at parse time, so
 *     sampling never checks); time arguments are stored in seconds;
 *   - an EMPIRICAL table is one heap block: values[n], then cdf[n]
 *     (cdf == values + n), then the NUL-terminated file path as written,
 *     used by mc_dist_format(). mc_dist_release() frees that one block.
 *     Values and cumulative probabilities are non-decreasing, cdf[n-1] == 1.
 *
 * GSL parameter orders differ from the text notation in two places:
 * gsl_ran_pareto(r, a = shape, b = scale) matches "pareto(shape, scale)",
 * and gsl_ran_weibull(r, a = scale, b = shape) matches "weibull(scale,
 * shape)"; gsl_ran_lognormal(r, zeta = mu, sigma).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "mesocosm/dist.h"
#include "mesocosm/error.h"
#include "mesocosm/types.h"

/* Argument roles: a value carries the distribution's unit (duration units
 * allowed with MC_DIST_TIME), a shape is unitless. */
enum { ARG_VALUE, ARG_SHAPE };

struct family {
	const char *name;
	enum mc_dist_kind kind;
	int nargs;
	int role[2];
};

static const struct family families[] = {
    {"const", MC_DIST_CONST, 1, {ARG_VALUE, 0}},
    {"exp", MC_DIST_EXP, 1, {ARG_VALUE, 0}},
    {"uniform", MC_DIST_UNIFORM, 2, {ARG_VALUE, ARG_VALUE}},
    {"normal", MC_DIST_NORMAL, 2, {ARG_VALUE, ARG_VALUE}},
    {"lognormal", MC_DIST_LOGNORMAL, 2, {ARG_SHAPE, ARG_SHAPE}},
    {"pareto", MC_DIST_PARETO, 2, {ARG_SHAPE, ARG_VALUE}},
    {"weibull", MC_DIST_WEIBULL, 2, {ARG_VALUE, ARG_SHAPE}},
    {"empirical", MC_DIST_EMPIRICAL, 1, {0, 0}},
};

static int fail(struct mc_parse_error *err, int code, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct mc_parse_error *err, int code, int col, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->col = col;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

static bool is_ws(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Parses one numeric token text[0..len) into *out. A value argument with
 * MC_DIST_TIME may carry a duration unit and is converted to seconds.
 * `col` is the token's 1-based column for messages.
 */
static int parse_number(const char *text, size_t len, int role, int flags, int col, double *out,
                        struct mc_parse_error *err)
{
	char tok[64];
	if (len == 0)
		return fail(err, MC_EPARSE, col, "expected a number");
	if (len >= sizeof tok)
		return fail(err, MC_EPARSE, col, "number too long");
	memcpy(tok, text, len);
	tok[len] = '\0';
	if (role == ARG_VALUE && (flags & MC_DIST_TIME)) {
		if (tok[0] == '-')
			return fail(err, MC_ERANGE, col, "a time must not be negative: '%s'", tok);
		mc_time_t t;
		int rc = mc_duration_parse(tok, &t);
		if (rc == MC_ERANGE)
			return fail(err, MC_ERANGE, col, "time out of range: '%s'", tok);
		if (rc)
			return fail(err, MC_EPARSE, col,
			            "bad time '%s' (a number of seconds, or with a unit us, ms, s, "
			            "m, h, d)",
			            tok);
		*out = (double)t / (double)MC_SEC;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(tok, &end);
	if (end == tok || *end != '\0')
		return fail(err, MC_EPARSE, col + (int)(end - tok), "bad number '%s'", tok);
	if (errno == ERANGE || !isfinite(v))
		return fail(err, MC_ERANGE, col, "number out of range: '%s'", tok);
	*out = v;
	return 0;
}

/* Domain checks for the two-or-fewer parameters; `cols` are the argument
 * columns for messages. */
static int check_domain(const struct mc_dist *d, const int *cols, struct mc_parse_error *err)
{
	switch (d->kind) {
	case MC_DIST_CONST:
		if (d->a < 0)
			return fail(err, MC_ERANGE, cols[0], "const value must be >= 0 (got %g)",
			            d->a);
		break;
	case MC_DIST_EXP:
		if (!(d->a > 0))
			return fail(err, MC_ERANGE, cols[0], "exp mean must be > 0 (got %g)", d->a);
		break;
	case MC_DIST_UNIFORM:
		if (d->a < 0)
			return fail(err, MC_ERANGE, cols[0],
			            "uniform lower bound must be >= 0 (got %g)", d->a);
		if (!(d->b > d->a))
			return fail(err, MC_ERANGE, cols[1],
			            "uniform range is empty: upper bound %g <= lower bound %g",
			            d->b, d->a);
		break;
	case MC_DIST_NORMAL:
		if (d->a < 0)
			return fail(err, MC_ERANGE, cols[0], "normal mean must be >= 0 (got %g)",
			            d->a);
		if (d->b < 0)
			return fail(err, MC_ERANGE, cols[1], "normal sd must be >= 0 (got %g)",
			            d->b);
		break;
	case MC_DIST_LOGNORMAL:
		if (d->b < 0)
			return fail(err, MC_ERANGE, cols[1],
			            "lognormal sigma must be >= 0 (got %g)", d->b);
		if (d->a > 700 || d->a < -700)
			return fail(err, MC_ERANGE, cols[0], "lognormal mu out of range (got %g)",
			            d->a);
		break;
	case MC_DIST_PARETO:
		if (!(d->a > 0))
			return fail(err, MC_ERANGE, cols[0], "pareto shape must be > 0 (got %g)",
			            d->a);
		if (!(d->b > 0))
			return fail(err, MC_ERANGE, cols[1], "pareto scale must be > 0 (got %g)",
			            d->b);
		break;
	case MC_DIST_WEIBULL:
		if (!(d->a > 0))
			return fail(err, MC_ERANGE, cols[0], "weibull scale must be > 0 (got %g)",
			            d->a);
		if (!(d->b > 0))
			return fail(err, MC_ERANGE, cols[1], "weibull shape must be > 0 (got %g)",
			            d->b);
		break;
	case MC_DIST_EMPIRICAL:
		break;
	}
	return 0;
}

/* Splits a CSV line into two fields; returns false when it has not exactly
 * two. Fields are trimmed in place. */
static bool split2(char *line, char **f0, char **f1)
{
	char *comma = strchr(line, ',');
	if (!comma || strchr(comma + 1, ','))
		return false;
	*comma = '\0';
	char *fields[2] = {line, comma + 1};
	for (int k = 0; k < 2; k++) {
		char *s = fields[k];
		while (isspace((unsigned char)*s))
			s++;
		size_t l = strlen(s);
		while (l && isspace((unsigned char)s[l - 1]))
			s[--l] = '\0';
		fields[k] = s;
	}
	*f0 = fields[0];
	*f1 = fields[1];
	return true;
}

/* Loads an empirical table. Errors name file:line in the message and point
 * `col` at the argument. */
static int load_empirical(struct mc_dist *d, const char *file, size_t flen, int flags,
                          const char *base_dir, int col, struct mc_parse_error *err)
{
	char *rel = mc_xmalloc(flen + 1);
	memcpy(rel, file, flen);
	rel[flen] = '\0';
	char *path;
	if (rel[0] != '/' && base_dir && *base_dir) {
		size_t bl = strlen(base_dir);
		path = mc_xmalloc(bl + flen + 2);
		snprintf(path, bl + flen + 2, "%s/%s", base_dir, rel);
	} else {
		path = mc_xstrdup(rel);
	}
	FILE *f = fopen(path, "r");
	int rc = 0;
	double *vals = NULL, *cdfs = NULL;
	size_t n = 0, cap = 0, capc = 0;
	if (!f) {
		rc = fail(err, MC_EIO, col, "cannot open empirical file %s: %s", path,
		          strerror(errno));
		goto out;
	}
	char line[512];
	long lineno = 0;
	bool seen_row = false;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t l = strlen(line);
		if (l == sizeof line - 1 && line[l - 1] != '\n' && !feof(f)) {
			rc = fail(err, MC_EPARSE, col, "%s:%ld: line too long", path, lineno);
			goto out;
		}
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		char *f0, *f1;
		if (!split2(s, &f0, &f1)) {
			rc = fail(err, MC_EPARSE, col,
			          "%s:%ld: expected 'value,cumulative_probability'", path, lineno);
			goto out;
		}
		struct mc_parse_error e2;
		double v, p;
		int r1 = parse_number(f0, strlen(f0), ARG_VALUE, flags, 1, &v, &e2);
		int r2 = r1 ? r1 : parse_number(f1, strlen(f1), ARG_SHAPE, 0, 1, &p, &e2);
		if (r1 || r2) {
			if (!seen_row && r1 && isalpha((unsigned char)f0[0])) {
				seen_row = true; /* a header line */
				continue;
			}
			rc = fail(err, MC_EPARSE, col, "%s:%ld: %s", path, lineno, e2.msg);
			goto out;
		}
		seen_row = true;
		if (v < 0) {
			rc = fail(err, MC_ERANGE, col, "%s:%ld: value must be >= 0 (got %g)", path,
			          lineno, v);
			goto out;
		}
		if (!(p >= 0 && p <= 1)) {
			rc =
			    fail(err, MC_ERANGE, col,
			         "%s:%ld: probability must be in [0, 1] (got %g)", path, lineno, p);
			goto out;
		}
		if (n > 0 && (v < vals[n - 1] || p < cdfs[n - 1])) {
			rc = fail(err, MC_ERANGE, col,
			          "%s:%ld: values and probabilities must be non-decreasing", path,
			          lineno);
			goto out;
		}
		mc_xgrow(&vals, &cap, n + 1, sizeof *vals);
		mc_xgrow(&cdfs, &capc, n + 1, sizeof *cdfs);
		vals[n] = v;
		cdfs[n] = p;
		n++;
	}
	if (ferror(f)) {
		rc = fail(err, MC_EIO, col, "%s: read error", path);
		goto out;
	}
	if (n == 0) {
		rc = fail(err, MC_EPARSE, col, "%s: no rows", path);
		goto out;
	}
	if (fabs(cdfs[n - 1] - 1.0) > 1e-9) {
		rc = fail(err, MC_ERANGE, col,
		          "%s:%ld: the last cumulative probability must be 1 (got %g)", path,
		          lineno, cdfs[n - 1]);
		goto out;
	}
	{
		/* One block: values, cdf, then the path as written (for formatting). */
		size_t bytes = 2 * n * sizeof(double) + flen + 1;
		double *block = mc_xmalloc(bytes);
		memcpy(block, vals, n * sizeof(double));
		memcpy(block + n, cdfs, n * sizeof(double));
		block[n + n - 1] = 1.0;
		memcpy((char *)(block + 2 * n), rel, flen + 1);
		d->kind = MC_DIST_EMPIRICAL;
		d->n = n;
		d->values = block;
		d->cdf = block + n;
		d->a = vals[0];
		d->b = vals[n - 1];
	}
out:
	if (f)
		fclose(f);
	free(vals);
	free(cdfs);
	free(path);
	free(rel);
	return rc;
}

int mc_dist_parse(struct mc_dist *d, const char *text, int flags, const char *base_dir,
                  struct mc_parse_error *err)
{
	if (!d || !text)
		return fail(err, MC_EINVAL, 1, "no distribution");
	memset(d, 0, sizeof *d);
	const char *p = text;
	while (is_ws(*p))
		p++;
	if (*p == '\0')
		return fail(err, MC_EPARSE, (int)(p - text) + 1, "empty distribution");
	const char *name = p;
	while (isalpha((unsigned char)*p))
		p++;
	size_t nlen = (size_t)(p - name);
	if (nlen == 0) {
		/* A bare number: const(x). */
		size_t len = strlen(name);
		while (len && is_ws(name[len - 1]))
			len--;
		struct mc_dist tmp = {.kind = MC_DIST_CONST};
		int col = (int)(name - text) + 1;
		int rc = parse_number(name, len, ARG_VALUE, flags, col, &tmp.a, err);
		if (rc)
			return rc;
		rc = check_domain(&tmp, &col, err);
		if (rc)
			return rc;
		*d = tmp;
		return 0;
	}
	const struct family *fam = NULL;
	for (size_t k = 0; k < sizeof families / sizeof families[0]; k++)
		if (strlen(families[k].name) == nlen && !strncmp(families[k].name, name, nlen))
			fam = &families[k];
	int ncol = (int)(name - text) + 1;
	if (!fam) {
		/* Could be a number with a unit only if it started with a digit,
		 * which it did not. */
		return fail(err, MC_EPARSE, ncol,
		            "unknown distribution '%.*s' (known: const, exp, uniform, normal, "
		            "lognormal, pareto, weibull, empirical)",
		            (int)nlen, name);
	}
	while (is_ws(*p))
		p++;
	if (*p != '(')
		return fail(err, MC_EPARSE, (int)(p - text) + 1, "expected '(' after '%s'",
		            fam->name);
	p++;
	const char *close = strrchr(p, ')');
	if (!close)
		return fail(err, MC_EPARSE, (int)strlen(text) + 1, "missing ')'");
	for (const char *q = close + 1; *q; q++)
		if (!is_ws(*q))
			return fail(err, MC_EPARSE, (int)(q - text) + 1,
			            "unexpected text after ')'");
	if (fam->kind == MC_DIST_EMPIRICAL) {
		while (is_ws(*p))
			p++;
		const char *e = close;
		while (e > p && is_ws(e[-1]))
			e--;
		if (e == p)
			return fail(err, MC_EPARSE, (int)(p - text) + 1,
			            "empirical needs a file name");
		return load_empirical(d, p, (size_t)(e - p), flags, base_dir, (int)(p - text) + 1,
		                      err);
	}
	double args[2] = {0, 0};
	int cols[2] = {0, 0};
	int nargs = 0;
	for (;;) {
		while (is_ws(*p))
			p++;
		const char *s = p;
		while (p < close && *p != ',')
			p++;
		const char *e = p;
		while (e > s && is_ws(e[-1]))
			e--;
		if (nargs == fam->nargs)
			return fail(err, MC_EPARSE, (int)(s - text) + 1, "%s takes %d argument%s",
			            fam->name, fam->nargs, fam->nargs == 1 ? "" : "s");
		cols[nargs] = (int)(s - text) + 1;
		int rc = parse_number(s, (size_t)(e - s), fam->role[nargs], flags, cols[nargs],
		                      &args[nargs], err);
		if (rc)
			return rc;
		nargs++;
		if (p == close)
			break;
		p++; /* the comma */
	}
	if (nargs != fam->nargs)
		return fail(err, MC_EPARSE, (int)(close - text) + 1,
		            "%s takes %d arguments, got %d", fam->name, fam->nargs, nargs);
	struct mc_dist tmp = {.kind = fam->kind, .a = args[0], .b = args[1]};
	int rc = check_domain(&tmp, cols, err);
	if (rc)
		return rc;
	*d = tmp;
	return 0;
}

void mc_dist_release(struct mc_dist *d)
{
	if (!d)
		return;
	if (d->kind == MC_DIST_EMPIRICAL)
		free(d->values); /* one block holding cdf and the path too */
	memset(d, 0, sizeof *d);
}

static double sample_empirical(const struct mc_dist *d, double u)
{
	const double *c = d->cdf, *v = d->values;
	if (u <= c[0])
		return v[0];
	/* First i with c[i] >= u; c[n-1] == 1 > u so it exists. */
	size_t lo = 1, hi = d->n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c[mid] >= u)
			hi = mid;
		else
			lo = mid + 1;
	}
	double span = c[lo] - c[lo - 1];
	if (span <= 0)
		return v[lo];
	return v[lo - 1] + (u - c[lo - 1]) / span * (v[lo] - v[lo - 1]);
}

double mc_dist_sample(const struct mc_dist *d, gsl_rng *rng)
{
	double x;
	switch (d->kind) {
	case MC_DIST_CONST:
		return d->a;
	case MC_DIST_EXP:
		return gsl_ran_exponential(rng, d->a);
	case MC_DIST_UNIFORM:
		return gsl_ran_flat(rng, d->a, d->b);
	case MC_DIST_NORMAL:
		x = d->a + gsl_ran_gaussian(rng, d->b);
		return x < 0 ? 0 : x;
	case MC_DIST_LOGNORMAL:
		return gsl_ran_lognormal(rng, d->a, d->b);
	case MC_DIST_PARETO:
		return gsl_ran_pareto(rng, d->a, d->b);
	case MC_DIST_WEIBULL:
		return gsl_ran_weibull(rng, d->a, d->b);
	case MC_DIST_EMPIRICAL:
		return sample_empirical(d, gsl_rng_uniform(rng));
	}
	MC_BUG("bad distribution kind %d", (int)d->kind);
}

double mc_dist_mean(const struct mc_dist *d)
{
	switch (d->kind) {
	case MC_DIST_CONST:
	case MC_DIST_EXP:
		return d->a;
	case MC_DIST_UNIFORM:
		return (d->a + d->b) / 2;
	case MC_DIST_NORMAL: {
		/* Mean of max(X, 0) for X ~ N(mu, sd): the clamp moves mass to 0. */
		if (d->b == 0)
			return d->a;
		double z = d->a / d->b;
		return d->a * gsl_cdf_ugaussian_P(z) + d->b * gsl_ran_ugaussian_pdf(z);
	}
	case MC_DIST_LOGNORMAL:
		return exp(d->a + d->b * d->b / 2);
	case MC_DIST_PARETO:
		return d->a > 1 ? d->a * d->b / (d->a - 1) : NAN;
	case MC_DIST_WEIBULL:
		return d->a * gsl_sf_gamma(1 + 1 / d->b);
	case MC_DIST_EMPIRICAL: {
		/* The inverse CDF puts mass cdf[0] at values[0] and interpolates
		 * linearly between rows: trapezoids. */
		double m = d->values[0] * d->cdf[0];
		for (size_t i = 1; i < d->n; i++)
			m += (d->values[i] + d->values[i - 1]) / 2 * (d->cdf[i] - d->cdf[i - 1]);
		return m;
	}
	}
	MC_BUG("bad distribution kind %d", (int)d->kind);
}

int mc_dist_format(const struct mc_dist *d, char *buf, size_t size)
{
	for (size_t k = 0; k < sizeof families / sizeof families[0]; k++) {
		const struct family *f = &families[k];
		if (f->kind != d->kind)
			continue;
		if (d->kind == MC_DIST_EMPIRICAL)
			return snprintf(buf, size, "empirical(%s)",
			                (const char *)(d->values + 2 * d->n));
		if (f->nargs == 1)
			return snprintf(buf, size, "%s(%.15g)", f->name, d->a);
		return snprintf(buf, size, "%s(%.15g, %.15g)", f->name, d->a, d->b);
	}
	return snprintf(buf, size, "?");
}
