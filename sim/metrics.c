/*
 * metrics.c - the metrics collector's hooks and its time integration
 * (see metrics.h for the definitions, metrics_int.h for the invariants).
 *
 * Every hook first advances the collector to its time: it integrates the
 * global quantities over [last, t), cutting at every sample boundary it
 * crosses (each boundary flushes the per-framework and per-role share
 * integrals and writes one timeseries row), then applies the change.
 * Nothing here allocates after mc_metrics_start() except the first use of a
 * job-size histogram, and nothing formats except the timeseries rows.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mesocosm/error.h"
#include "sim/metrics_int.h"

/* ---- latency histograms ---------------------------------------------------- */

int mc__hist_index(int64_t us)
{
	if (us < 0)
		us = 0;
	if (us < MC__HIST_EXACT)
		return (int)us;
	int e = 63 - __builtin_clzll((unsigned long long)us); /* >= 6 */
	int shift = e - MC__HIST_SUB_BITS;
	int top = (int)(us >> shift); /* in [32, 63] */
	return MC__HIST_EXACT + (e - MC__HIST_SUB_BITS - 1) * MC__HIST_SUB + (top - MC__HIST_SUB);
}

void mc__hist_bounds(int idx, int64_t *lo, int64_t *hi)
{
	if (idx < MC__HIST_EXACT) {
		*lo = idx;
		*hi = idx + 1;
		return;
	}
	int k = idx - MC__HIST_EXACT;
	int e = k / MC__HIST_SUB + MC__HIST_SUB_BITS + 1;
	int top = k % MC__HIST_SUB + MC__HIST_SUB;
	int shift = e - MC__HIST_SUB_BITS;
	*lo = (int64_t)top << shift;
	uint64_t h = (uint64_t)(top + 1) << shift; /* the last bucket ends at 2^63 */
	*hi = h > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)h;
}

void mc__lat_init(struct mc__lat *l)
{
	l->rs = gsl_rstat_alloc();
	l->hist = mc_xcalloc(MC__HIST_BUCKETS, sizeof *l->hist);
	l->n = 0;
	l->min = INT64_MAX;
	l->max = INT64_MIN;
}

void mc__lat_release(struct mc__lat *l)
{
	if (l->rs)
		gsl_rstat_free(l->rs);
	free(l->hist);
	l->rs = NULL;
	l->hist = NULL;
}

void mc__lat_add(struct mc__lat *l, int64_t us)
{
	if (us < 0)
		us = 0;
	gsl_rstat_add((double)us / (double)MC_SEC, l->rs);
	l->hist[mc__hist_index(us)]++;
	l->n++;
	if (us < l->min)
		l->min = us;
	if (us > l->max)
		l->max = us;
}

double mc__lat_quantile_us(const struct mc__lat *l, double p)
{
	if (!l->hist || l->n == 0)
		return 0.0;
	uint64_t rank = (uint64_t)ceil(p * (double)l->n);
	if (rank < 1)
		rank = 1;
	if (rank > l->n)
		rank = l->n;
	uint64_t cum = 0;
	for (int i = 0; i < MC__HIST_BUCKETS; i++) {
		cum += l->hist[i];
		if (cum >= rank) {
			int64_t lo, hi;
			mc__hist_bounds(i, &lo, &hi);
			double v = hi - lo == 1 ? (double)lo : ((double)lo + (double)hi) / 2.0;
			if (v < (double)l->min)
				v = (double)l->min;
			if (v > (double)l->max)
				v = (double)l->max;
			return v;
		}
	}
	return (double)l->max;
}

double mc__lat_mean_s(const struct mc__lat *l)
{
	if (!l->rs || l->n == 0)
		return NAN;
	return gsl_rstat_mean(l->rs);
}

/* ---- lifecycle ------------------------------------------------------------- */

static int open_stream(struct mc_metrics *m, const char *name, const char *mode, FILE **out)
{
	size_t n = strlen(m->dir) + strlen(name) + 2;
	char *path = mc_xmalloc(n);
	snprintf(path, n, "%s/%s", m->dir, name);
	*out = fopen(path, mode);
	if (!*out) {
		fprintf(stderr, "mesocosm: %s: %s\n", path, strerror(errno));
		free(path);
		return MC_EIO;
	}
	free(path);
	/* Rows and records are small: a large buffer keeps writes rare. */
	setvbuf(*out, NULL, _IOFBF, 1 << 16);
	return 0;
}

int mc_metrics_new(struct mc_metrics **out, const struct mc_metrics_params *params)
{
	*out = NULL;
	if (!params)
		return MC_EINVAL;
	if ((params->timeseries || params->tasks || params->tasks_csv) && !params->dir)
		return MC_EINVAL;
	struct mc_metrics *m = mc_xcalloc(1, sizeof *m);
	m->p = *params;
	m->p.dir = NULL;
	if (m->p.sample_interval <= 0)
		m->p.sample_interval = 10 * MC_SEC;
	if (m->p.starvation_threshold <= 0)
		m->p.starvation_threshold = 30 * MC_SEC;
	struct mc__lat *lats[] = {&m->sched, &m->runtime, &m->jct, &m->job_first,
				  &m->job_all, &m->free_offer, &m->offer_resp, &m->alloc_dur};
	for (size_t i = 0; i < sizeof lats / sizeof lats[0]; i++)
		mc__lat_init(lats[i]);
	if (params->dir) {
		m->dir = mc_xstrdup(params->dir);
		int rc = 0;
		if (params->timeseries)
			rc = open_stream(m, "timeseries.csv", "w", &m->ts);
		if (!rc && params->tasks)
			rc = open_stream(m, "tasks.msgpack", "wb", &m->tasks);
		if (!rc && params->tasks_csv)
			rc = open_stream(m, "tasks.csv", "w", &m->tasks_csv);
		if (rc) {
			mc_metrics_free(m);
			return rc;
		}
	}
	if (m->tasks)
		msgpack_packer_init(&m->pk, m->tasks, msgpack_fbuffer_write);
	*out = m;
	return 0;
}

void mc_metrics_free(struct mc_metrics *m)
{
	if (!m)
		return;
	struct mc__lat *lats[] = {&m->sched, &m->runtime, &m->jct, &m->job_first,
				  &m->job_all, &m->free_offer, &m->offer_resp, &m->alloc_dur};
	for (size_t i = 0; i < sizeof lats / sizeof lats[0]; i++)
		mc__lat_release(lats[i]);
	free(m->ideal);
	for (int i = 0; i < MC__JOB_SIZE_BUCKETS; i++)
		mc__lat_release(&m->jct_size[i]);
	for (size_t i = 0; i < m->nfws; i++) {
		free(m->fws[i].name);
		mc__lat_release(&m->fws[i].sched);
	}
	free(m->fws);
	free(m->roles);
	if (m->ts)
		fclose(m->ts);
	if (m->tasks)
		fclose(m->tasks);
	if (m->tasks_csv)
		fclose(m->tasks_csv);
	free(m->dir);
	free(m);
}

static int role_index(struct mc_metrics *m, int32_t role)
{
	for (size_t i = 0; i < m->nroles; i++)
		if (m->roles[i].role == role)
			return (int)i;
	mc_xgrow(&m->roles, &m->roles_cap, m->nroles + 1, sizeof *m->roles);
	struct mc__role *r = &m->roles[m->nroles];
	memset(r, 0, sizeof *r);
	r->role = role;
	r->weight = 1.0;
	return (int)m->nroles++;
}

int mc_metrics_add_framework(struct mc_metrics *m, const char *name, int32_t role)
{
	if (!m)
		return 0;
	if (m->started)
		return MC_ESTATE;
	if (!name || role < 0)
		return MC_EINVAL;
	int rix = role_index(m, role);
	mc_xgrow(&m->fws, &m->fws_cap, m->nfws + 1, sizeof *m->fws);
	struct mc__fw *f = &m->fws[m->nfws];
	memset(f, 0, sizeof *f);
	f->name = mc_xstrdup(name);
	f->role = role;
	f->role_ix = rix;
	f->starve_since = MC_TIME_NEVER;
	mc__lat_init(&f->sched);
	m->roles[rix].nfws++;
	return (int)m->nfws++;
}

int mc_metrics_set_role_weight(struct mc_metrics *m, int32_t role, double weight)
{
	if (!m)
		return 0;
	if (m->started)
		return MC_ESTATE;
	if (!(weight > 0) || !isfinite(weight) || role < 0)
		return MC_EINVAL;
	m->roles[role_index(m, role)].weight = weight;
	return 0;
}

int mc_metrics_use_resource(struct mc_metrics *m, int res)
{
	if (!m)
		return 0;
	if (m->started)
		return MC_ESTATE;
	if (res < 0 || res >= mc_res_count() || mc_res_kind_of(res) != MC_RES_SCALAR)
		return MC_EINVAL;
	m->declared[res] = true;
	return 0;
}

/* ---- shares and fairness ------------------------------------------------------ */

static double dominant_share(const struct mc_metrics *m, const struct mc_resvec *a)
{
	double s = 0.0;
	for (int k = 0; k < m->nres; k++) {
		int r = m->res[k];
		if (m->total.q[r] > 0) {
			double x = (double)a->q[r] / (double)m->total.q[r];
			if (x > s)
				s = x;
		}
	}
	return s;
}

static void fw_integrate(struct mc__fw *f, mc_time_t t)
{
	double dt = (double)(t - f->last);
	f->share_run += f->share * dt;
	f->share_sample += f->share * dt;
	f->last = t;
}

static void role_integrate(struct mc__role *r, mc_time_t t)
{
	double dt = (double)(t - r->last);
	r->share_run += r->share * dt;
	r->share_sample += r->share * dt;
	r->last = t;
}

/*
 * The weighted DRF ideal on current demand, by progressive filling: every
 * role with demand (what it holds plus what its pending tasks request) grows
 * along its demand vector so that dominant share / weight rises at the same
 * rate for all; a role stops when its demand is met, and every role using a
 * resource stops when that resource is exhausted. Sets r->ideal (dominant
 * share). O(steps x roles x resources), steps <= roles + resources.
 */
static void drf_ideal(struct mc_metrics *m)
{
	size_t n = m->nroles;
	if (n == 0)
		return;
	if (n > m->ideal_cap) /* roles are fixed at start: this grows once */
		mc_xgrow(&m->ideal, &m->ideal_cap, n, sizeof *m->ideal);
	struct mc__ideal_scratch *sc = m->ideal;
	double cap[MC_RES_MAX], used[MC_RES_MAX] = {0};
	for (int k = 0; k < m->nres; k++)
		cap[k] = (double)m->total.q[m->res[k]];
	/* per role: demand dominant share dmax and the rate (resource per unit
	 * of the common level x = dominant share / weight) */
	size_t nactive = 0;
	for (size_t i = 0; i < n; i++) {
		struct mc__role *r = &m->roles[i];
		r->ideal = 0.0;
		struct mc_resvec d = r->alloc;
		mc_resvec_add(&d, &r->pending_req);
		sc[i].dmax = dominant_share(m, &d);
		sc[i].active = sc[i].dmax > 0 && r->weight > 0;
		for (int k = 0; k < m->nres; k++)
			sc[i].rate[k] =
			    sc[i].active ? (double)d.q[m->res[k]] * r->weight / sc[i].dmax : 0.0;
		nactive += sc[i].active;
	}
	double x = 0.0;
	while (nactive > 0) {
		/* the next stop: a role's demand met, or a resource exhausted */
		double dx = INFINITY;
		for (size_t i = 0; i < n; i++)
			if (sc[i].active && sc[i].dmax / m->roles[i].weight - x < dx)
				dx = sc[i].dmax / m->roles[i].weight - x;
		for (int k = 0; k < m->nres; k++) {
			double sum = 0.0;
			for (size_t i = 0; i < n; i++)
				sum += sc[i].active ? sc[i].rate[k] : 0.0;
			if (sum > 0 && (cap[k] - used[k]) / sum < dx)
				dx = (cap[k] - used[k]) / sum;
		}
		if (dx < 0)
			dx = 0;
		x += dx;
		bool full[MC_RES_MAX];
		for (int k = 0; k < m->nres; k++) {
			for (size_t i = 0; i < n; i++)
				used[k] += sc[i].active ? sc[i].rate[k] * dx : 0.0;
			full[k] = cap[k] > 0 && used[k] >= cap[k] * (1 - 1e-12);
		}
		for (size_t i = 0; i < n; i++) {
			if (!sc[i].active)
				continue;
			double share = x * m->roles[i].weight;
			bool stop = share >= sc[i].dmax * (1 - 1e-12);
			for (int k = 0; k < m->nres && !stop; k++)
				stop = full[k] && sc[i].rate[k] > 0;
			if (stop) {
				m->roles[i].ideal = share < sc[i].dmax ? share : sc[i].dmax;
				sc[i].active = false;
				nactive--;
			}
		}
	}
}

/* Recomputes Jain's index and the DRF deficits over roles with pending
 * demand from the current role shares. O(roles) plus drf_ideal(). */
static void fairness_update(struct mc_metrics *m)
{
	double sum = 0.0, sumsq = 0.0;
	int n = 0;
	for (size_t i = 0; i < m->nroles; i++) {
		struct mc__role *r = &m->roles[i];
		if (r->pending == 0)
			continue;
		double x = r->share / r->weight;
		sum += x;
		sumsq += x * x;
		n++;
	}
	m->jain_def = n > 0;
	m->jain_cur = n == 0 ? NAN : sumsq > 0 ? sum * sum / ((double)n * sumsq) : 1.0;
	m->deficit_max_cur = 0.0;
	drf_ideal(m);
	for (size_t i = 0; i < m->nroles; i++) {
		struct mc__role *r = &m->roles[i];
		double d = 0.0;
		if (r->pending > 0) {
			d = r->ideal - r->share;
			if (d < 0)
				d = 0.0;
		}
		r->deficit_cur = d;
		if (d > m->deficit_max_cur)
			m->deficit_max_cur = d;
	}
	m->fair_dirty = false;
}

/* ---- time integration and sampling ------------------------------------------------ */

static void integrate(struct mc_metrics *m, mc_time_t to)
{
	mc_time_t dti = to - m->last;
	if (dti <= 0)
		return;
	double dt = (double)dti;
	for (int k = 0; k < m->nres; k++) {
		int r = m->res[k];
		int64_t tot = m->total.q[r];
		if (tot <= 0)
			continue;
		double a = (double)m->alloc.q[r] / (double)tot * dt;
		double o = (double)m->offered.q[r] / (double)tot * dt;
		double u = (double)m->used.q[r] / (double)tot * dt;
		m->run[k].alloc += a;
		m->run[k].offered += o;
		m->run[k].used += u;
		m->run[k].defined += dt;
		m->sample[k].alloc += a;
		m->sample[k].offered += o;
		m->sample[k].used += u;
		m->sample[k].defined += dt;
	}
	if (m->fair_dirty)
		fairness_update(m);
	if (m->jain_def) {
		m->jain_run += m->jain_cur * dt;
		m->jain_run_t += dt;
		m->jain_sample += m->jain_cur * dt;
		m->jain_sample_t += dt;
		m->deficit_max_run += m->deficit_max_cur * dt;
		for (size_t i = 0; i < m->nroles; i++)
			m->roles[i].deficit_run += m->roles[i].deficit_cur * dt;
	}
	m->last = to;
}

static void csv_frac(FILE *f, double num, double den)
{
	if (den > 0)
		fprintf(f, ",%.6g", num / den);
	else
		fputs(",", f);
}

/* Writes the row for [m->sample_start, end) and resets the sample integrals.
 * Frameworks and roles must be integrated up to `end`. */
static void emit_row(struct mc_metrics *m, mc_time_t end)
{
	double len = (double)(end - m->sample_start);
	FILE *f = m->ts;
	if (f && len > 0) {
		fprintf(f, "%.6f,%lld", mc_time_to_sec(m->sample_start), (long long)m->agents);
		for (int k = 0; k < m->nres; k++) {
			fprintf(f, ",%.6g", mc_milli_to_double(m->total.q[m->res[k]]));
			csv_frac(f, m->sample[k].alloc, m->sample[k].defined);
			csv_frac(f, m->sample[k].offered, m->sample[k].defined);
			if (m->used_any)
				csv_frac(f, m->sample[k].used, m->sample[k].defined);
			else
				fputs(",", f);
		}
		fprintf(f, ",%llu,%llu", (unsigned long long)m->c.pending,
			(unsigned long long)m->c.running);
		csv_frac(f, m->jain_sample, m->jain_sample_t);
		for (size_t i = 0; i < m->nfws; i++)
			fprintf(f, ",%.6g", m->fws[i].share_sample / len);
		for (size_t i = 0; i < m->nroles; i++)
			fprintf(f, ",%.6g", m->roles[i].share_sample / len);
		fputc('\n', f);
	}
	memset(m->sample, 0, sizeof m->sample);
	m->jain_sample = m->jain_sample_t = 0.0;
	for (size_t i = 0; i < m->nfws; i++)
		m->fws[i].share_sample = 0.0;
	for (size_t i = 0; i < m->nroles; i++)
		m->roles[i].share_sample = 0.0;
	m->sample_start = end;
}

static void flush_shares(struct mc_metrics *m, mc_time_t t)
{
	for (size_t i = 0; i < m->nfws; i++)
		fw_integrate(&m->fws[i], t);
	for (size_t i = 0; i < m->nroles; i++)
		role_integrate(&m->roles[i], t);
}

/* Brings the collector to time t: integrates and samples up to t. */
static void advance(struct mc_metrics *m, mc_time_t t)
{
	if (!m->started)
		return;
	if (t < m->last)
		MC_BUG("metrics: hook at time %lld before the previous one (%lld)", (long long)t,
		       (long long)m->last);
	if (m->finished)
		MC_BUG("metrics: hook after mc_metrics_finish()");
	while (t >= m->next_sample) {
		mc_time_t b = m->next_sample;
		integrate(m, b);
		flush_shares(m, b);
		emit_row(m, b);
		m->next_sample += m->p.sample_interval;
	}
	integrate(m, t);
}

void mc__csv_safe_name(FILE *f, const char *name)
{
	for (const char *p = name; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '-' || c == '.';
		fputc(ok ? c : '_', f);
	}
}

static void csv_header_name(FILE *f, const char *prefix, const char *name, const char *suffix)
{
	fprintf(f, ",%s", prefix);
	mc__csv_safe_name(f, name);
	fputs(suffix, f);
}

static const char *const state_names[MC_TASK_END_COUNT] = {"FINISHED", "FAILED", "KILLED", "LOST"};

static void pack_str(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

static void write_headers(struct mc_metrics *m)
{
	if (m->ts) {
		fputs("time_s,agents", m->ts);
		for (int k = 0; k < m->nres; k++) {
			const char *n = mc_res_name(m->res[k]);
			csv_header_name(m->ts, "", n, "_total");
			csv_header_name(m->ts, "", n, "_allocated_frac");
			csv_header_name(m->ts, "", n, "_offered_unused_frac");
			csv_header_name(m->ts, "", n, "_used_frac");
		}
		fputs(",tasks_pending,tasks_running,jain_index", m->ts);
		for (size_t i = 0; i < m->nfws; i++)
			csv_header_name(m->ts, "fw_", m->fws[i].name, "_share_frac");
		for (size_t i = 0; i < m->nroles; i++)
			csv_header_name(m->ts, "role_", mc_role_name(m->roles[i].role), "_share_frac");
		fputc('\n', m->ts);
	}
	if (m->tasks) {
		/* The first object of the stream describes the records. */
		msgpack_packer *pk = &m->pk;
		static const char *const fields[] = {"framework", "job",   "index",  "attempt",
						     "submit_us", "launch_us", "end_us", "state",
						     "agent",     "requested"};
		msgpack_pack_map(pk, 5);
		pack_str(pk, "schema");
		pack_str(pk, "mesocosm.tasks/1");
		pack_str(pk, "fields");
		msgpack_pack_array(pk, sizeof fields / sizeof fields[0]);
		for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
			pack_str(pk, fields[i]);
		pack_str(pk, "frameworks");
		msgpack_pack_array(pk, m->nfws);
		for (size_t i = 0; i < m->nfws; i++)
			pack_str(pk, m->fws[i].name);
		pack_str(pk, "states");
		msgpack_pack_array(pk, MC_TASK_END_COUNT);
		for (int i = 0; i < MC_TASK_END_COUNT; i++)
			pack_str(pk, state_names[i]);
		pack_str(pk, "resources");
		msgpack_pack_array(pk, (size_t)m->nres);
		for (int k = 0; k < m->nres; k++)
			pack_str(pk, mc_res_name(m->res[k]));
	}
	if (m->tasks_csv) {
		fputs("framework,job,index,attempt,submit_s,launch_s,end_s,state,agent", m->tasks_csv);
		for (int k = 0; k < m->nres; k++)
			csv_header_name(m->tasks_csv, "", mc_res_name(m->res[k]), "_requested");
		fputc('\n', m->tasks_csv);
	}
}

int mc_metrics_start(struct mc_metrics *m, mc_time_t t0)
{
	if (!m)
		return 0;
	if (m->started)
		return MC_ESTATE;
	m->nres = 0;
	for (int r = 0; r < mc_res_count() && r < MC_RES_MAX; r++)
		if (mc_res_kind_of(r) == MC_RES_SCALAR && (m->total.q[r] > 0 || m->declared[r]))
			m->res[m->nres++] = r;
	if (m->nres == 0) {
		m->res[m->nres++] = MC_RES_CPUS;
		m->res[m->nres++] = MC_RES_MEM;
	}
	m->started = true;
	m->t0 = m->last = m->sample_start = t0;
	m->next_sample = t0 + m->p.sample_interval;
	for (size_t i = 0; i < m->nfws; i++) {
		struct mc__fw *f = &m->fws[i];
		f->last = t0;
		f->share = dominant_share(m, &f->alloc);
		if (f->busy)
			f->busy_since = t0;
		if (f->pending > 0)
			f->starve_since = t0;
	}
	for (size_t i = 0; i < m->nroles; i++) {
		m->roles[i].last = t0;
		m->roles[i].share = dominant_share(m, &m->roles[i].alloc);
	}
	fairness_update(m);
	write_headers(m);
	return 0;
}

static void record_gap(struct mc_metrics *m, struct mc__fw *f, mc_time_t t)
{
	mc_time_t gap = t - f->starve_since;
	if (gap > f->starve_longest)
		f->starve_longest = gap;
	if (gap >= m->p.starvation_threshold) {
		f->starve_episodes++;
		f->starve_total += gap;
	}
}

static int check_streams(struct mc_metrics *m)
{
	FILE *fs[] = {m->ts, m->tasks, m->tasks_csv};
	static const char *const names[] = {"timeseries.csv", "tasks.msgpack", "tasks.csv"};
	for (int i = 0; i < 3; i++) {
		if (fs[i] && (fflush(fs[i]) != 0 || ferror(fs[i]))) {
			fprintf(stderr, "mesocosm: %s/%s: write failed: %s\n", m->dir, names[i],
				strerror(errno));
			m->io_err = MC_EIO;
		}
	}
	return m->io_err;
}

int mc_metrics_finish(struct mc_metrics *m, mc_time_t t_end)
{
	if (!m)
		return 0;
	if (!m->started)
		return MC_ESTATE;
	advance(m, t_end);
	flush_shares(m, t_end);
	emit_row(m, t_end);
	for (size_t i = 0; i < m->nfws; i++) {
		struct mc__fw *f = &m->fws[i];
		if (f->busy)
			f->busy_total += t_end - f->busy_since;
		f->busy_since = t_end;
		if (f->pending > 0 && f->starve_since != MC_TIME_NEVER)
			record_gap(m, f, t_end);
	}
	m->t_end = t_end;
	m->finished = true;
	return check_streams(m);
}

/* ---- hooks: cluster ----------------------------------------------------------------- */

/* Recomputes every share after the cluster total changed. O(fws + roles). */
static void total_changed(struct mc_metrics *m, mc_time_t t)
{
	if (!m->started)
		return;
	for (size_t i = 0; i < m->nfws; i++) {
		fw_integrate(&m->fws[i], t);
		m->fws[i].share = dominant_share(m, &m->fws[i].alloc);
	}
	for (size_t i = 0; i < m->nroles; i++) {
		role_integrate(&m->roles[i], t);
		m->roles[i].share = dominant_share(m, &m->roles[i].alloc);
	}
	m->fair_dirty = true;
}

void mc_metrics_agent_added(struct mc_metrics *m, mc_time_t t, const struct mc_resvec *total)
{
	if (!m)
		return;
	advance(m, t);
	mc_resvec_add(&m->total, total);
	if (++m->agents > m->agents_max)
		m->agents_max = m->agents;
	total_changed(m, t);
}

void mc_metrics_agent_removed(struct mc_metrics *m, mc_time_t t, const struct mc_resvec *total)
{
	if (!m)
		return;
	advance(m, t);
	mc_resvec_sub(&m->total, total);
	m->agents--;
	total_changed(m, t);
}

/* ---- hooks: tasks and jobs ---------------------------------------------------------------- */

static struct mc__fw *fw_at(struct mc_metrics *m, int32_t fw)
{
	if (fw < 0 || (size_t)fw >= m->nfws)
		MC_BUG("metrics: unknown framework %d", (int)fw);
	return &m->fws[fw];
}

static void pending_inc(struct mc_metrics *m, struct mc__fw *f, mc_time_t t)
{
	if (f->pending++ == 0)
		f->starve_since = t;
	m->c.pending++;
	if (m->roles[f->role_ix].pending++ == 0)
		m->fair_dirty = true;
}

static void pending_dec(struct mc_metrics *m, struct mc__fw *f, mc_time_t t)
{
	MC_ASSERT(f->pending > 0);
	if (--f->pending == 0) {
		if (m->started && f->starve_since != MC_TIME_NEVER)
			record_gap(m, f, t);
		f->starve_since = MC_TIME_NEVER;
	}
	m->c.pending--;
	if (--m->roles[f->role_ix].pending == 0)
		m->fair_dirty = true;
}

void mc_metrics_task_submitted(struct mc_metrics *m, mc_time_t t, int32_t fw, int64_t job,
			       uint32_t index, const struct mc_resvec *req)
{
	if (!m)
		return;
	advance(m, t);
	struct mc__fw *f = fw_at(m, fw);
	m->c.submitted++;
	f->submitted++;
	pending_inc(m, f, t);
	if (req) {
		mc_resvec_add(&m->roles[f->role_ix].pending_req, req);
		m->fair_dirty = true;
	}
}

void mc_metrics_task_launched(struct mc_metrics *m, mc_time_t t, int32_t fw, mc_time_t submitted,
			      const struct mc_resvec *req)
{
	if (!m)
		return;
	advance(m, t);
	struct mc__fw *f = fw_at(m, fw);
	pending_dec(m, f, t);
	if (req) {
		mc_resvec_sub(&m->roles[f->role_ix].pending_req, req);
		m->fair_dirty = true;
	}
	m->c.launched++;
	f->launched++;
	m->c.running++;
	f->running++;
	mc__lat_add(&m->sched, t - submitted);
	mc__lat_add(&f->sched, t - submitted);
}

void mc_metrics_task_locality(struct mc_metrics *m, int32_t fw, enum mc_locality level)
{
	if (!m)
		return;
	MC_ASSERT(level >= 0 && level < MC_LOCALITY_COUNT);
	fw_at(m, fw)->locality[level]++;
}

static void csv_time(FILE *f, mc_time_t t)
{
	if (t == MC_TIME_NEVER) {
		fputc(',', f);
		return;
	}
	long long s = (long long)(t / MC_SEC), us = (long long)(t % MC_SEC);
	if (t < 0 && us != 0) {
		s -= 1;
		us += MC_SEC;
	}
	fprintf(f, ",%lld.%06lld", s, us);
}

static void stream_task(struct mc_metrics *m, const struct mc_task_record *r)
{
	if (m->tasks) {
		msgpack_packer *pk = &m->pk;
		msgpack_pack_array(pk, 10);
		msgpack_pack_int32(pk, r->framework);
		msgpack_pack_int64(pk, r->job);
		msgpack_pack_uint32(pk, r->index);
		msgpack_pack_uint32(pk, r->attempt);
		msgpack_pack_int64(pk, r->submit);
		if (r->launch == MC_TIME_NEVER)
			msgpack_pack_nil(pk);
		else
			msgpack_pack_int64(pk, r->launch);
		msgpack_pack_int64(pk, r->end);
		msgpack_pack_uint8(pk, (uint8_t)r->state);
		if (r->agent < 0)
			msgpack_pack_nil(pk);
		else
			msgpack_pack_int32(pk, r->agent);
		msgpack_pack_array(pk, (size_t)m->nres);
		for (int k = 0; k < m->nres; k++)
			msgpack_pack_int64(pk, r->req.q[m->res[k]]);
	}
	if (m->tasks_csv) {
		FILE *f = m->tasks_csv;
		mc__csv_safe_name(f, m->fws[r->framework].name);
		fprintf(f, ",%lld,%u,%u", (long long)r->job, (unsigned)r->index, (unsigned)r->attempt);
		csv_time(f, r->submit);
		csv_time(f, r->launch);
		csv_time(f, r->end);
		fprintf(f, ",%s,", state_names[r->state]);
		if (r->agent >= 0)
			fprintf(f, "%d", (int)r->agent);
		for (int k = 0; k < m->nres; k++)
			fprintf(f, ",%.3f", mc_milli_to_double(r->req.q[m->res[k]]));
		fputc('\n', f);
	}
}

void mc_metrics_task_ended(struct mc_metrics *m, mc_time_t t, const struct mc_task_record *r)
{
	if (!m)
		return;
	advance(m, t);
	struct mc__fw *f = fw_at(m, r->framework);
	if ((unsigned)r->state >= MC_TASK_END_COUNT)
		MC_BUG("metrics: bad task end state %d", (int)r->state);
	if (r->launch == MC_TIME_NEVER) {
		pending_dec(m, f, t);
		mc_resvec_sub(&m->roles[f->role_ix].pending_req, &r->req);
		mc_resvec_clamp0(&m->roles[f->role_ix].pending_req);
		m->fair_dirty = true;
	} else {
		MC_ASSERT(f->running > 0);
		f->running--;
		m->c.running--;
		mc__lat_add(&m->runtime, r->end - r->launch);
	}
	m->c.ended[r->state]++;
	f->ended[r->state]++;
	if (m->started)
		stream_task(m, r);
}

void mc_metrics_job_submitted(struct mc_metrics *m, mc_time_t t, int32_t fw, int64_t job,
			      uint32_t ntasks)
{
	if (!m)
		return;
	advance(m, t);
	(void)fw_at(m, fw);
	m->c.jobs_submitted++;
}

void mc_metrics_job_first_launch(struct mc_metrics *m, mc_time_t t, int32_t fw, mc_time_t submitted)
{
	if (!m)
		return;
	advance(m, t);
	mc__lat_add(&m->job_first, t - submitted);
}

void mc_metrics_job_all_launched(struct mc_metrics *m, mc_time_t t, int32_t fw, mc_time_t submitted)
{
	if (!m)
		return;
	advance(m, t);
	mc__lat_add(&m->job_all, t - submitted);
}

void mc_metrics_job_completed(struct mc_metrics *m, mc_time_t t, int32_t fw, int64_t job,
			      uint32_t ntasks, mc_time_t submitted)
{
	if (!m)
		return;
	advance(m, t);
	m->c.jobs_completed++;
	mc__lat_add(&m->jct, t - submitted);
	int b = 0;
	while (b < MC__JOB_SIZE_BUCKETS - 1 && ((uint64_t)1 << b) < (uint64_t)ntasks)
		b++;
	struct mc__lat *l = &m->jct_size[b];
	if (!l->hist)
		mc__lat_init(l); /* once per size bucket: amortised */
	mc__lat_add(l, t - submitted);
}

/* ---- hooks: allocation ---------------------------------------------------------------------- */

void mc_metrics_allocated(struct mc_metrics *m, mc_time_t t, int32_t fw, const struct mc_resvec *q,
			  int sign)
{
	if (!m)
		return;
	advance(m, t);
	struct mc__fw *f = fw_at(m, fw);
	struct mc__role *r = &m->roles[f->role_ix];
	if (sign >= 0) {
		mc_resvec_add(&f->alloc, q);
		mc_resvec_add(&r->alloc, q);
		mc_resvec_add(&m->alloc, q);
	} else {
		mc_resvec_sub(&f->alloc, q);
		mc_resvec_sub(&r->alloc, q);
		mc_resvec_sub(&m->alloc, q);
	}
	if (!m->started)
		return;
	fw_integrate(f, t);
	f->share = dominant_share(m, &f->alloc);
	role_integrate(r, t);
	double s = dominant_share(m, &r->alloc);
	if (s != r->share) {
		r->share = s;
		m->fair_dirty = true;
	}
}

void mc_metrics_used(struct mc_metrics *m, mc_time_t t, int32_t fw, const struct mc_resvec *q,
		     int sign)
{
	if (!m)
		return;
	advance(m, t);
	struct mc__fw *f = fw_at(m, fw);
	if (sign >= 0) {
		mc_resvec_add(&f->used, q);
		mc_resvec_add(&m->used, q);
	} else {
		mc_resvec_sub(&f->used, q);
		mc_resvec_sub(&m->used, q);
	}
	m->used_any = true;
}

void mc_metrics_offer_made(struct mc_metrics *m, mc_time_t t, int32_t fw, const struct mc_resvec *q)
{
	if (!m)
		return;
	advance(m, t);
	struct mc__fw *f = fw_at(m, fw);
	mc_resvec_add(&f->offered, q);
	mc_resvec_add(&m->offered, q);
	m->offers_made++;
	f->offers++;
	if (m->started && f->pending > 0 && f->starve_since != MC_TIME_NEVER) {
		record_gap(m, f, t);
		f->starve_since = t;
	}
}

void mc_metrics_offer_ended(struct mc_metrics *m, mc_time_t t, int32_t fw, const struct mc_resvec *q,
			    mc_time_t made, enum mc_offer_end how)
{
	if (!m)
		return;
	advance(m, t);
	struct mc__fw *f = fw_at(m, fw);
	if ((unsigned)how >= MC_OFFER_END_COUNT)
		MC_BUG("metrics: bad offer end %d", (int)how);
	mc_resvec_sub(&f->offered, q);
	mc_resvec_sub(&m->offered, q);
	m->offers_end[how]++;
	if (how == MC_OFFER_ACCEPTED || how == MC_OFFER_DECLINED)
		mc__lat_add(&m->offer_resp, t - made);
}

void mc_metrics_free_to_offer(struct mc_metrics *m, mc_time_t t, mc_time_t freed)
{
	if (!m)
		return;
	advance(m, t);
	mc__lat_add(&m->free_offer, t - freed);
}

void mc_metrics_alloc_run(struct mc_metrics *m, mc_time_t t, mc_time_t duration)
{
	if (!m)
		return;
	advance(m, t);
	m->alloc_runs++;
	m->alloc_busy += duration;
	mc__lat_add(&m->alloc_dur, duration);
}

void mc_metrics_messages(struct mc_metrics *m, mc_time_t t, uint64_t n)
{
	/* A total only: nothing integrated changes, so no advance() here (the
	 * integrals' rounding would then depend on when messages are sent). */
	(void)t;
	if (!m)
		return;
	m->messages += n;
}

void mc_metrics_framework_busy(struct mc_metrics *m, mc_time_t t, int32_t fw, bool busy)
{
	if (!m)
		return;
	advance(m, t);
	struct mc__fw *f = fw_at(m, fw);
	if (busy == f->busy)
		return;
	if (busy) {
		f->busy_since = t;
	} else if (m->started) {
		mc_time_t from = f->busy_since > m->t0 ? f->busy_since : m->t0;
		f->busy_total += t - from;
	}
	f->busy = busy;
}

/* ---- queries ------------------------------------------------------------------------------------ */

void mc_metrics_sched_delay(const struct mc_metrics *m, double *mean_s, double *p99_s)
{
	*mean_s = mc__lat_mean_s(&m->sched);
	*p99_s = mc__lat_quantile_us(&m->sched, 0.99) / 1e6;
}

void mc_metrics_get_counts(const struct mc_metrics *m, struct mc_metrics_counts *out)
{
	memset(out, 0, sizeof *out);
	if (m) {
		*out = m->c;
		out->offers_made = m->offers_made;
	}
}

int mc_metrics_framework_count(const struct mc_metrics *m) { return m ? (int)m->nfws : 0; }

double mc__run_seconds(const struct mc_metrics *m)
{
	mc_time_t end = m->finished ? m->t_end : m->last;
	return mc_time_to_sec(end - m->t0);
}

double mc__util_mean(const struct mc_metrics *m, int slot, int which)
{
	const struct mc__integ *g = &m->run[slot];
	if (g->defined <= 0)
		return NAN;
	if (which == 2 && !m->used_any)
		return NAN;
	double v = which == 0 ? g->alloc : which == 1 ? g->offered : g->used;
	return v / g->defined;
}

double mc__fw_share_mean(const struct mc_metrics *m, size_t fw)
{
	mc_time_t end = m->finished ? m->t_end : m->last;
	if (end <= m->t0)
		return NAN;
	return m->fws[fw].share_run / (double)(end - m->t0);
}

double mc__role_share_mean(const struct mc_metrics *m, size_t role)
{
	mc_time_t end = m->finished ? m->t_end : m->last;
	if (end <= m->t0)
		return NAN;
	return m->roles[role].share_run / (double)(end - m->t0);
}
