/*
 * metrics_int.h - the collector's state, shared by sim/metrics.c (the
 * hooks) and the output writers (sim/output_*.c). Not for models: they use
 * sim/metrics.h only.
 *
 * Integration invariant: global quantities (utilization, Jain's index, DRF
 * deficit) are integrated up to m->last on every hook; a framework's or a
 * role's dominant share is integrated lazily up to its own `last`, which is
 * never before the start of the current sample interval (every sample
 * boundary flushes them all). Integrals are double sums of value x
 * microseconds, added in event order, hence deterministic.
 *
 * Latency histograms (struct mc__lat): log-linear buckets over int64
 * microseconds, exact below 64 us, then 32 buckets per power of two, so a
 * bucket spans at most 1/32 of its lower bound and its midpoint is within
 * 1/64 (1.6 %) of any value in it. Quantiles are nearest-rank over the
 * buckets (reported as the bucket midpoint, clamped to the exact min and
 * max); mean and count come from gsl_rstat (exact up to rounding).
 */
#ifndef MC_SIM_METRICS_INT_H
#define MC_SIM_METRICS_INT_H

#include <gsl/gsl_rstat.h>
#include <msgpack.h>
#include <msgpack/fbuffer.h>

#include "sim/metrics.h"

#define MC__HIST_SUB_BITS 5
#define MC__HIST_SUB (1 << MC__HIST_SUB_BITS)             /* 32 per octave */
#define MC__HIST_EXACT (2 * MC__HIST_SUB)                   /* 0..63 exact */
#define MC__HIST_BUCKETS (MC__HIST_EXACT + (63 - MC__HIST_SUB_BITS - 1) * MC__HIST_SUB)
#define MC__JOB_SIZE_BUCKETS 33 /* ntasks 1, 2, 3-4, 5-8, ..., up to 2^32 */

struct mc__lat {
	gsl_rstat_workspace *rs; /* seconds */
	uint64_t *hist;          /* MC__HIST_BUCKETS counts */
	uint64_t n;
	int64_t min, max; /* microseconds, exact */
};

struct mc__integ {
	double alloc, offered, used; /* fraction x us */
	double defined;              /* us during which total > 0 */
};

struct mc__fw {
	char *name;
	int32_t role;    /* interned role id */
	int role_ix;     /* index into m->roles */
	struct mc_resvec alloc, offered, used;
	double share;    /* current dominant share (unweighted) */
	mc_time_t last;  /* share integrated up to here */
	double share_run, share_sample; /* share x us */
	uint64_t pending, running, submitted, launched, ended[MC_TASK_END_COUNT];
	uint64_t offers;
	uint64_t locality[MC_LOCALITY_COUNT]; /* launches by enum mc_locality */
	bool busy;
	mc_time_t busy_since, busy_total;
	mc_time_t starve_since; /* MC_TIME_NEVER when not pending */
	uint64_t starve_episodes;
	mc_time_t starve_longest, starve_total;
	struct mc__lat sched;
};

struct mc__role {
	int32_t role;
	double weight;
	int nfws;
	struct mc_resvec alloc;
	double share;
	uint64_t pending;
	struct mc_resvec pending_req; /* summed requests of its pending tasks */
	mc_time_t last;
	double share_run, share_sample;
	double ideal;                 /* DRF ideal dominant share on current demand */
	double deficit_cur, deficit_run; /* DRF deficit (integrated with the globals) */
};

/* Scratch of the DRF-ideal computation, one entry per role (sized once the
 * roles are known, so no hook allocates). */
struct mc__ideal_scratch {
	double dmax;
	double rate[MC_RES_MAX];
	bool active;
};

struct mc_metrics {
	struct mc_metrics_params p;
	struct mc__ideal_scratch *ideal;
	size_t ideal_cap;
	bool started, finished;
	mc_time_t t0, t_end, last, sample_start, next_sample;

	/* resources in use: slot k is interned resource res[k] */
	int nres;
	int res[MC_RES_MAX];
	bool declared[MC_RES_MAX];
	struct mc_resvec total, alloc, offered, used;
	int64_t agents, agents_max;
	bool used_any;
	struct mc__integ run[MC_RES_MAX], sample[MC_RES_MAX];

	/* fairness over roles with pending demand */
	bool fair_dirty, jain_def;
	double jain_cur;
	double jain_run, jain_run_t, jain_sample, jain_sample_t;
	double deficit_max_cur, deficit_max_run; /* largest role deficit, integrated over demand time */

	struct mc__fw *fws;
	size_t nfws, fws_cap;
	struct mc__role *roles;
	size_t nroles, roles_cap;

	struct mc_metrics_counts c;
	uint64_t offers_made, offers_end[MC_OFFER_END_COUNT];
	uint64_t alloc_runs, messages;
	mc_time_t alloc_busy; /* sum of modelled allocation run durations */
	struct mc__lat sched, runtime, jct, job_first, job_all, free_offer, offer_resp, alloc_dur;
	struct mc__lat jct_size[MC__JOB_SIZE_BUCKETS]; /* hist NULL until first use */

	/* streams */
	char *dir;
	FILE *ts, *tasks, *tasks_csv;
	msgpack_packer pk;
	int io_err;
};

/* Latency histogram helpers (metrics.c). */
void mc__lat_init(struct mc__lat *l);
void mc__lat_release(struct mc__lat *l);
void mc__lat_add(struct mc__lat *l, int64_t us);
/* Nearest-rank quantile p in (0, 1] in microseconds (bucket midpoint,
 * clamped to [min, max]); 0 when empty. O(MC__HIST_BUCKETS). */
double mc__lat_quantile_us(const struct mc__lat *l, double p);
/* Mean in seconds (NaN when empty). */
double mc__lat_mean_s(const struct mc__lat *l);
/* Bucket index of a value, and a bucket's [lo, hi) bounds in us. */
int mc__hist_index(int64_t us);
void mc__hist_bounds(int idx, int64_t *lo, int64_t *hi);

/* Time-weighted run means (NaN when not computable). */
double mc__util_mean(const struct mc_metrics *m, int slot, int which); /* 0 alloc 1 offered 2 used */
double mc__fw_share_mean(const struct mc_metrics *m, size_t fw);
double mc__role_share_mean(const struct mc_metrics *m, size_t role);
double mc__run_seconds(const struct mc_metrics *m);

/* Plots into dir/plots/ (output_plots.c): returns 0 when written, 1 when
 * skipped (why in status: gnuplot or a template missing, gnuplot failed);
 * never fails the run. */
int mc__output_plots(const struct mc_metrics *m, const char *dir, char *status, size_t size);
/* report.html (output_report.c). Returns 0 or MC_EIO. */
int mc__output_report(const struct mc_metrics *m, const char *dir, const struct mc_run_info *info,
		      bool plots);
/* Writes the "fw_NAME_..." style CSV-safe form of name to f. */
void mc__csv_safe_name(FILE *f, const char *name);

#endif
