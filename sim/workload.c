/*
 * workload.c - feeds jobs to the frameworks: synthetic workloads drawn from
 * the experiment's distributions, one generator per framework with its own
 * random stream ("workload/<framework name>"), so adding a framework does
 * not change the others' jobs.
 *
 * A generator keeps exactly one pending arrival event: memory does not grow
 * with the length of the run. Trace workloads stream through
 * include/mesocosm/trace.h the same way (sim/trace_feed.c).
 *
 * Data locality (`synthetic.locality.replicas` N): each task's input lives
 * on N distinct agents drawn uniformly among the agents of the world at the
 * job's arrival, from the generator's own second stream
 * ("locality/<framework name>"), so turning locality on changes none of the
 * jobs' arrivals, sizes or durations. Each preferred agent comes with its
 * rack (the agent group's `rack` attribute), as HDFS block locations do.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "mesocosm/error.h"
#include "mesocosm/rng.h"
#include "sim/workload.h"

_Static_assert(MC_CONFIG_MAX_LOCALITY_REPLICAS <= MC__MAX_PREFS,
	       "a task holds at most MC__MAX_PREFS preferred locations");

struct synth_gen {
	struct mc__world *w;
	int32_t fw;
	const struct mc_config_synthetic *s;
	gsl_rng *rng;
	int64_t jobs_left; /* < 0: unlimited */
	mc_time_t until;
	int64_t next_job_id;
	gsl_rng *loc_rng; /* preferred locations; NULL without locality */
	/* scratch for one job, grown as needed (not per event once warm) */
	struct mc_resvec *reqs;
	mc_time_t *durs;
	int32_t *tids;
	size_t cap;
};

struct mc__workload {
	struct synth_gen *gens;
	size_t ngens;
	size_t active; /* generators with arrivals still to come */
	/* the configured agents' racks by agent id (-1 none); agents beyond
	 * (from a trace) have none. Built only when some generator needs it. */
	int32_t *agent_rack;
	int32_t nagent_rack;
};

static mc_time_t seconds_to_time(double s)
{
	if (!(s > 0))
		return 0;
	if (s > 1e12)
		return (mc_time_t)1e18;
	return (mc_time_t)llround(s * (double)MC_SEC);
}

static void arrival_event(struct mc_engine *eng, void *ctx, uint64_t arg);

static void schedule_next(struct mc__workload *wl, struct synth_gen *g)
{
	if (g->jobs_left == 0) {
		wl->active--;
		return;
	}
	mc_time_t at = mc_engine_now(g->w->eng) + seconds_to_time(mc_dist_sample(&g->s->arrival, g->rng));
	if (at >= g->until) {
		wl->active--;
		return;
	}
	mc_engine_schedule(g->w->eng, at, arrival_event, wl, (uint64_t)(g - wl->gens));
}

/* Draws each new task's preferred agents: s->locality_replicas distinct
 * ones (fewer if the world has fewer agents), uniformly. O(tasks x
 * replicas^2). */
static void set_preferences(struct mc__workload *wl, struct synth_gen *g, uint32_t ntasks)
{
	int32_t nagents = g->w->nagents;
	unsigned want = (unsigned)g->s->locality_replicas;
	if (nagents <= 0)
		return;
	if (want > (unsigned)nagents)
		want = (unsigned)nagents;
	for (uint32_t i = 0; i < ntasks; i++) {
		struct mc__task *t = mc__task_at(g->w, g->tids[i]);
		t->npref = 0;
		while (t->npref < want) {
			int32_t a = (int32_t)gsl_rng_uniform_int(g->loc_rng, (unsigned long)nagents);
			bool dup = false;
			for (unsigned k = 0; k < t->npref; k++)
				dup |= t->pref_agent[k] == a;
			if (dup)
				continue;
			t->pref_agent[t->npref] = a;
			t->pref_rack[t->npref] = a < wl->nagent_rack ? wl->agent_rack[a] : -1;
			t->npref++;
		}
	}
}

/* The configured agents' racks, interned as the runner interns them. */
static void build_agent_racks(struct mc__workload *wl, struct mc__world *w,
			      const struct mc_config *c)
{
	int64_t n = 0;
	for (int g = 0; g < c->nagent_groups; g++)
		n += c->agent_groups[g].count;
	wl->agent_rack = mc_xmalloc((size_t)(n ? n : 1) * sizeof *wl->agent_rack);
	wl->nagent_rack = (int32_t)n;
	int32_t id = 0;
	for (int g = 0; g < c->nagent_groups; g++) {
		const struct mc_config_agent_group *ag = &c->agent_groups[g];
		int k = 0;
		while (k < ag->nattrs && strcmp(ag->attrs[k].key, "rack"))
			k++;
		for (int i = 0; i < ag->count; i++, id++) {
			wl->agent_rack[id] = -1;
			if (k < ag->nattrs) {
				char v[128];
				mc_config_attr_expand(ag->attrs[k].value, i, v, sizeof v);
				wl->agent_rack[id] = mc__attr_intern(w, v);
			}
		}
	}
}

static void arrival_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__workload *wl = ctx;
	struct synth_gen *g = &wl->gens[arg];
	double nt = mc_dist_sample(&g->s->tasks_per_job, g->rng);
	uint32_t ntasks = nt < 1 ? 1 : nt > 1e6 ? 1000000u : (uint32_t)llround(nt);
	if (ntasks > g->cap) {
		g->cap = ntasks;
		g->reqs = mc_xrealloc(g->reqs, g->cap * sizeof *g->reqs);
		g->durs = mc_xrealloc(g->durs, g->cap * sizeof *g->durs);
		g->tids = mc_xrealloc(g->tids, g->cap * sizeof *g->tids);
	}
	/* One shape per job (tasks of a job are alike, as in the traces);
	 * durations vary per task. */
	struct mc_resvec req;
	mc_resvec_clear(&req);
	for (int r = 0; r < MC_RES_MAX; r++)
		if (g->s->has_task_res[r]) {
			double v = mc_dist_sample(&g->s->task_res[r], g->rng);
			req.q[r] = v > 0 ? mc_milli_from_double(v) : 0;
		}
	for (uint32_t i = 0; i < ntasks; i++) {
		g->reqs[i] = req;
		g->durs[i] = seconds_to_time(mc_dist_sample(&g->s->task_duration, g->rng));
	}
	mc__framework_submit_job(g->w, g->fw, g->next_job_id++, 0, ntasks, g->reqs, g->durs, NULL,
				 g->loc_rng ? g->tids : NULL);
	if (g->loc_rng)
		set_preferences(wl, g, ntasks);
	if (g->jobs_left > 0)
		g->jobs_left--;
	schedule_next(wl, g);
}

struct mc__workload *mc__workload_new(struct mc__world *w, const struct mc_config *c,
				      mc_time_t until)
{
	struct mc__workload *wl = mc_xcalloc(1, sizeof *wl);
	int total = mc_config_framework_total(c);
	wl->gens = mc_xcalloc((size_t)total, sizeof *wl->gens);
	int32_t fw = 0;
	for (int i = 0; i < c->nframeworks; i++) {
		const struct mc_config_framework *cf = &c->frameworks[i];
		for (int r = 0; r < cf->count; r++, fw++) {
			if (cf->workload.kind != MC_WORKLOAD_SYNTHETIC)
				continue;
			char name[160], cid[200];
			mc_config_framework_name(c, i, r, name, sizeof name);
			snprintf(cid, sizeof cid, "workload/%s", name);
			struct synth_gen *g = &wl->gens[wl->ngens++];
			g->w = w;
			g->fw = fw;
			g->s = &cf->workload.synthetic;
			g->rng = mc_rng_new(c->seed, cid);
			g->jobs_left = g->s->jobs > 0 ? g->s->jobs : -1;
			if (g->s->locality_replicas > 0) {
				snprintf(cid, sizeof cid, "locality/%s", name);
				g->loc_rng = mc_rng_new(c->seed, cid);
				if (!wl->agent_rack)
					build_agent_racks(wl, w, c);
			}
			g->until = until;
			wl->active++;
			schedule_next(wl, g);
		}
	}
	return wl;
}

bool mc__workload_done(const struct mc__workload *wl) { return wl->active == 0; }

void mc__workload_free(struct mc__workload *wl)
{
	if (!wl)
		return;
	for (size_t i = 0; i < wl->ngens; i++) {
		gsl_rng_free(wl->gens[i].rng);
		if (wl->gens[i].loc_rng)
			gsl_rng_free(wl->gens[i].loc_rng);
		free(wl->gens[i].reqs);
		free(wl->gens[i].durs);
		free(wl->gens[i].tids);
	}
	free(wl->gens);
	free(wl->agent_rack);
	free(wl);
}
