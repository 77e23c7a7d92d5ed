/*
 * synth.c - the synthetic workload generator, as an in-process record
 * stream (a reader of pseudo-format "synth"), and its named profiles.
 *
 * Order of the stream: every machine (ADD at time 0), then jobs in arrival
 * order; a job's tasks are consecutive records at the job's arrival time.
 * The state is one job at a time: memory is O(machine groups), whatever the
 * length of the workload. All draws come from one GSL stream
 * mc_rng_new(seed, "trace/synth") in a fixed order (per job: arrival gap,
 * task count, user, priority, class, requests; then one duration per task),
 * so a seed gives the same records everywhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "mesocosm/rng.h"
#include "traces/trace_int.h"

const char *const mc_synth_profiles[] = {"simple", "google2011", NULL};

static void dist_set(struct mc_dist *d, enum mc_dist_kind k, double a, double b)
{
	memset(d, 0, sizeof *d);
	d->kind = k;
	d->a = a;
	d->b = b;
}

static int64_t scaled_count(int64_t n, double scale)
{
	double v = (double)n * scale;
	return v < 1 ? 1 : (int64_t)llround(v);
}

int mc_synth_params_init(struct mc_synth_params *p, const char *profile, double scale)
{
	memset(p, 0, sizeof *p);
	if (!(scale > 0))
		return MC_EINVAL;
	if (!profile)
		profile = "simple";
	if (!strcmp(profile, "simple")) {
		snprintf(p->profile, sizeof p->profile, "simple");
		p->jobs = scaled_count(1000, scale);
		p->horizon = MC_TIME_NEVER;
		dist_set(&p->arrival, MC_DIST_EXP, 10 / scale, 0);
		dist_set(&p->tasks_per_job, MC_DIST_UNIFORM, 1, 20);
		p->max_tasks_per_job = 1000;
		dist_set(&p->duration, MC_DIST_EXP, 300, 0);
		p->has_request[MC_RES_CPUS] = true;
		dist_set(&p->request[MC_RES_CPUS], MC_DIST_UNIFORM, 0.5, 4);
		p->has_request[MC_RES_MEM] = true;
		dist_set(&p->request[MC_RES_MEM], MC_DIST_UNIFORM, 512, 8192);
		p->users = 4;
		p->user_skew = 0;
		p->npriorities = 1;
		p->priorities[0] = 0;
		p->priority_prob[0] = 1;
		p->max_class = 0;
		p->nmachine_groups = 1;
		p->machine_groups[0].count = scaled_count(100, scale);
		p->machine_groups[0].capacity.q[MC_RES_CPUS] = 16 * 1000;
		p->machine_groups[0].capacity.q[MC_RES_MEM] = 65536 * 1000LL;
		return 0;
	}
	if (!strcmp(profile, "google2011")) {
		/* The Google 2011 cell (shared/reference/traces.md 1.1): 29 days,
		 * ~650k jobs, ~25M tasks (mean ~38.5 tasks per job, heavy
		 * tailed), machine capacity mix from the trace's histogram at
		 * 32 cores / 128 GiB per normalised 1.0. Shapes of durations and
		 * requests are plausible, not fitted. */
		snprintf(p->profile, sizeof p->profile, "google2011");
		p->jobs = scaled_count(650000, scale);
		p->horizon = MC_TIME_NEVER;
		dist_set(&p->arrival, MC_DIST_EXP, 29.0 * 86400 / 650000 / scale, 0);
		/* lognormal(0.525, 2.5) has mean exp(0.525 + 3.125) = 38.5 */
		dist_set(&p->tasks_per_job, MC_DIST_LOGNORMAL, 0.525, 2.5);
		p->max_tasks_per_job = 90000;
		dist_set(&p->duration, MC_DIST_LOGNORMAL, 6.0, 1.8);
		p->has_request[MC_RES_CPUS] = true;
		dist_set(&p->request[MC_RES_CPUS], MC_DIST_LOGNORMAL, log(0.6), 0.9);
		p->has_request[MC_RES_MEM] = true;
		dist_set(&p->request[MC_RES_MEM], MC_DIST_LOGNORMAL, log(800), 1.0);
		p->users = 930;
		p->user_skew = 0.02;
		p->npriorities = 5;
		static const int32_t prio[] = {0, 1, 2, 4, 9};
		static const double prob[] = {0.45, 0.10, 0.05, 0.25, 0.15};
		for (int i = 0; i < 5; i++) {
			p->priorities[i] = prio[i];
			p->priority_prob[i] = prob[i];
		}
		p->max_class = 3;
		static const struct {
			int64_t count;
			double cpu, mem;
		} mix[] = {{796, 1.0, 1.0},     {1001, 0.5, 0.749}, {6709, 0.5, 0.4995},
		           {3858, 0.5, 0.2493}, {64, 0.5, 0.1241},  {123, 0.25, 0.2498}};
		p->nmachine_groups = 6;
		for (int i = 0; i < 6; i++) {
			struct mc_synth_machine_group *g = &p->machine_groups[i];
			g->count = scaled_count(mix[i].count, scale);
			g->capacity.q[MC_RES_CPUS] = llround(mix[i].cpu * 32 * 1000);
			g->capacity.q[MC_RES_MEM] = llround(mix[i].mem * 131072 * 1000);
		}
		return 0;
	}
	return MC_ENOENT;
}

void mc_synth_params_release(struct mc_synth_params *p)
{
	mc_dist_release(&p->arrival);
	mc_dist_release(&p->tasks_per_job);
	mc_dist_release(&p->duration);
	for (int r = 0; r < MC_RES_MAX; r++)
		mc_dist_release(&p->request[r]);
}

struct synth {
	struct mc_synth_params p;
	gsl_rng *rng;
	int g;      /* machine group being emitted */
	int64_t gi; /* index within it */
	uint64_t machine_id;
	int64_t jobs_done;
	mc_time_t now;
	bool done;
	/* the current job */
	uint64_t job_id;
	uint32_t ntasks, next_task;
	struct mc_resvec req;
	int32_t prio, cls;
	uint32_t user;
};

static mc_time_t sec_to_us(double s)
{
	if (!(s > 0))
		return 0;
	if (s > 1e9)
		return (mc_time_t)1e15;
	return (mc_time_t)llround(s * (double)MC_SEC);
}

static bool start_job(struct synth *s)
{
	const struct mc_synth_params *p = &s->p;
	if (p->jobs > 0 && s->jobs_done >= p->jobs)
		return false;
	mc_time_t gap = sec_to_us(mc_dist_sample(&p->arrival, s->rng));
	if (s->now > INT64_MAX / 2 - gap)
		return false;
	s->now += gap;
	if (p->horizon != MC_TIME_NEVER && s->now >= p->horizon)
		return false;
	double nt = mc_dist_sample(&p->tasks_per_job, s->rng);
	uint32_t cap = p->max_tasks_per_job ? p->max_tasks_per_job : 100000;
	s->ntasks = !(nt >= 1) ? 1 : nt >= cap ? cap : (uint32_t)llround(nt);
	if (s->ntasks < 1)
		s->ntasks = 1;
	double u = gsl_rng_uniform(s->rng);
	uint32_t k;
	if (p->user_skew > 0 && p->user_skew < 1)
		k = (uint32_t)fmod(floor(log1p(-u) / log1p(-p->user_skew)), (double)p->users);
	else
		k = (uint32_t)(u * p->users);
	s->user = (k >= p->users ? p->users - 1 : k) + 1;
	u = gsl_rng_uniform(s->rng);
	s->prio = p->npriorities ? p->priorities[p->npriorities - 1] : 0;
	double acc = 0;
	for (int i = 0; i < p->npriorities; i++) {
		acc += p->priority_prob[i];
		if (u < acc) {
			s->prio = p->priorities[i];
			break;
		}
	}
	s->cls = p->max_class > 0
	             ? (int32_t)gsl_rng_uniform_int(s->rng, (unsigned long)p->max_class + 1)
	             : 0;
	mc_resvec_clear(&s->req);
	for (int r = 0; r < MC_RES_MAX; r++)
		if (p->has_request[r])
			s->req.q[r] = mc__milli_scaled(mc_dist_sample(&p->request[r], s->rng), 1.0);
	s->job_id++;
	s->next_task = 0;
	s->jobs_done++;
	return true;
}

static int synth_next(struct mc_trace_reader *r, struct mc_trace_record *rec)
{
	struct synth *s = r->impl;
	const struct mc_synth_params *p = &s->p;
	while (s->g < p->nmachine_groups) {
		const struct mc_synth_machine_group *g = &p->machine_groups[s->g];
		if (s->gi >= g->count) {
			s->g++;
			s->gi = 0;
			continue;
		}
		s->gi++;
		rec->type = MC_TREC_MACHINE;
		rec->time = 0;
		rec->machine.id = ++s->machine_id;
		rec->machine.event = MC_TMACH_ADD;
		rec->machine.platform = (uint64_t)s->g + 1;
		mc_resources_clear(&rec->machine.capacity);
		rec->machine.capacity.unres = g->capacity;
		r->hdr.machines++;
		r->hdr.records++;
		return 1;
	}
	if (s->done)
		return 0;
	if (s->next_task >= s->ntasks && !start_job(s)) {
		s->done = true;
		return 0;
	}
	struct mc_trace_task *t = &rec->task;
	rec->type = MC_TREC_TASK;
	rec->time = s->now;
	memset(t, 0, sizeof *t);
	t->job_id = s->job_id;
	t->task_index = s->next_task++;
	t->count = 1;
	t->job_tasks = s->ntasks;
	t->duration = sec_to_us(mc_dist_sample(&p->duration, s->rng));
	t->orig_wait = -1;
	t->request = s->req;
	t->priority = s->prio;
	t->sched_class = s->cls;
	t->user = s->user;
	t->end_state = MC_TEND_FINISHED;
	r->hdr.tasks++;
	r->hdr.records++;
	return 1;
}

static void synth_free(void *impl)
{
	struct synth *s = impl;
	if (!s)
		return;
	if (s->rng)
		gsl_rng_free(s->rng);
	free(s);
}

static const struct mc__trace_ops synth_ops = {synth_next, synth_free};

int mc_synth_open(const struct mc_synth_params *p, uint64_t seed, struct mc_trace_reader **out,
                  char *errbuf, size_t n)
{
	*out = NULL;
	if (p->jobs <= 0 && p->horizon == MC_TIME_NEVER) {
		mc__errf(errbuf, n, "synth: give a number of jobs or a horizon");
		return MC_EINVAL;
	}
	if (p->users == 0 || p->users > 1000000) {
		mc__errf(errbuf, n, "synth: users must be 1..1000000");
		return MC_EINVAL;
	}
	if (p->nmachine_groups < 0 || p->nmachine_groups > MC_SYNTH_MAX_MACHINE_GROUPS ||
	    p->npriorities < 0 || p->npriorities > 8 || p->max_class < 0) {
		mc__errf(errbuf, n, "synth: bad machine groups, priorities or classes");
		return MC_EINVAL;
	}
	for (int i = 0; i < p->nmachine_groups; i++)
		if (p->machine_groups[i].count < 0) {
			mc__errf(errbuf, n, "synth: negative machine count");
			return MC_EINVAL;
		}
	struct synth *s = mc_xcalloc(1, sizeof *s);
	s->p = *p;
	s->rng = mc_rng_new(seed, "trace/synth");
	struct mc_trace_reader *r = mc__trace_reader_new(&synth_ops, s, NULL);
	snprintf(r->hdr.source, sizeof r->hdr.source, "synth: profile %s, seed %llu",
	         p->profile[0] ? p->profile : "custom", (unsigned long long)seed);
	char buf[32];
	for (uint32_t k = 1; k <= p->users; k++) {
		int l = snprintf(buf, sizeof buf, "user%u", k);
		mc__trace_user(r, buf, (size_t)l);
	}
	char a[96], d[96], tj[96];
	mc_dist_format(&p->arrival, a, sizeof a);
	mc_dist_format(&p->duration, d, sizeof d);
	mc_dist_format(&p->tasks_per_job, tj, sizeof tj);
	mc__trace_note(r, "synthetic: inter-arrival %s s, tasks per job %s (max %u), duration %s s",
	               a, tj, p->max_tasks_per_job, d);
	mc__trace_note(r, "synthetic: one request per job; tasks start at the job's arrival; all "
	                  "machines are added at time 0");
	*out = r;
	return 0;
}
