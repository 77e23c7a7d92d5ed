/*
 * runner.c - one experiment from config to run directory.
 *
 * Builds the world (network, master with its allocation core, agents,
 * frameworks), starts the workload, and runs the engine until the
 * configured duration, until the workload has drained (no more arrivals,
 * no pending or running task), or until SIGINT. A housekeeping event every
 * sample interval checks for the drain and shows progress.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mesocosm/error.h"
#include "models/models.h"
#include "sim/runner.h"
#include "sim/workload.h"

static struct mc_engine *volatile running_engine;
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	if (running_engine)
		mc_engine_stop(running_engine);
}

struct run {
	const struct mc_config *c;
	const struct mc_run_options *o;
	struct mc__world *w;
	struct mc__workload *wl;
	struct mc__partition *partitions;
	char **names; /* framework names, owned */
	mc_time_t end;
	mc_time_t tick;
	bool drained;
	struct timespec wall0;
};

static double wall_seconds(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

static bool all_idle(struct run *r)
{
	for (int32_t i = 0; i < r->w->nfws; i++) {
		struct mc__fw_counters fc;
		mc__framework_counters(r->w, i, &fc);
		if (fc.tasks_pending || fc.tasks_running)
			return false;
	}
	return true;
}

static void housekeeping(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)arg;
	struct run *r = ctx;
	mc_time_t now = mc_engine_now(eng);
	if (mc__workload_done(r->wl) && all_idle(r)) {
		r->drained = true;
		mc_engine_stop(eng);
		return;
	}
	if (r->o->progress) {
		double wall = wall_seconds(&r->wall0);
		double sim = mc_time_to_sec(now);
		fprintf(stderr, "\r  simulated %.0f s  events %llu  %.2f M events/s   ", sim,
			(unsigned long long)mc_engine_dispatched(eng),
			wall > 0 ? (double)mc_engine_dispatched(eng) / wall / 1e6 : 0.0);
	}
	if (now + r->tick <= r->end)
		mc_engine_after(eng, r->tick, housekeeping, r, 0);
}

static void build_network(struct run *r, struct mc__net_params *net)
{
	const struct mc_config_network *cn = &r->c->network;
	memset(net, 0, sizeof *net);
	net->delay[MC__LINK_MASTER_AGENT] = cn->master_agent;
	net->delay[MC__LINK_MASTER_FRAMEWORK] = cn->master_framework;
	net->loss = cn->loss;
	size_t n = 0;
	for (int i = 0; i < cn->npartitions; i++)
		n += (size_t)cn->partitions[i].nranges;
	r->partitions = n ? mc_xcalloc(n, sizeof *r->partitions) : NULL;
	for (int i = 0; i < cn->npartitions; i++)
		for (int k = 0; k < cn->partitions[i].nranges; k++) {
			struct mc__partition *p = &r->partitions[net->npartitions++];
			p->first_agent = cn->partitions[i].ranges[k][0];
			p->last_agent = cn->partitions[i].ranges[k][1];
			p->from = cn->partitions[i].from;
			p->to = cn->partitions[i].to;
		}
	net->partitions = r->partitions;
}

static void alloc_config_from(struct mc_alloc_config *a, const struct mc_config *c)
{
	mc_alloc_config_defaults(a);
	a->allocation_interval = c->allocator.allocation_interval;
	a->role_sorter = c->allocator.role_sorter;
	a->framework_sorter = c->allocator.framework_sorter;
	a->filter_gpu_resources = c->allocator.filter_gpu_resources;
	a->min_allocatable.n = c->allocator.n_min_allocatable;
	for (int i = 0; i < c->allocator.n_min_allocatable && i < MC_ALLOC_MIN_ALTS; i++)
		a->min_allocatable.alt[i] = c->allocator.min_allocatable[i];
	for (int i = 0; i < c->allocator.n_fair_sharing_excluded; i++) {
		int idx = c->allocator.fair_sharing_excluded_idx[i];
		if (idx >= 0 && idx < MC_RES_MAX)
			a->fair_sharing_excluded[idx] = true;
	}
}

static void build_master(struct run *r)
{
	const struct mc_config *c = r->c;
	struct mc__master_params p;
	memset(&p, 0, sizeof p);
	alloc_config_from(&p.alloc, c);
	p.offer_timeout = c->allocator.offer_timeout;
	p.agent_ping_timeout = c->master.agent_ping_timeout;
	p.max_agent_ping_timeouts = c->master.max_agent_ping_timeouts;
	p.framework_failover_timeout = c->master.framework_failover_timeout;
	p.default_refuse = 5 * MC_SEC;
	p.per_message = c->master.has_per_message ? &c->master.per_message : NULL;
	p.per_run = c->master.has_per_run ? &c->master.per_run : NULL;
	p.mesos17_profile = c->master.profile == MC_PROCESSING_MESOS17;
	mc__master_new(r->w, &p);
}

static void build_agents(struct run *r)
{
	const struct mc_config *c = r->c;
	int32_t id = 0;
	for (int g = 0; g < c->nagent_groups; g++) {
		const struct mc_config_agent_group *ag = &c->agent_groups[g];
		for (int i = 0; i < ag->count; i++, id++) {
			struct mc__agent_params p;
			memset(&p, 0, sizeof p);
			p.total = ag->resources;
			p.mtbf = ag->has_mtbf ? &ag->mtbf : NULL;
			p.mttr = ag->has_mttr ? &ag->mttr : NULL;
			mc__agent_add(r->w, id, &p);
		}
	}
}

static void build_frameworks(struct run *r)
{
	const struct mc_config *c = r->c;
	int32_t id = 0;
	for (int i = 0; i < c->nframeworks; i++) {
		const struct mc_config_framework *cf = &c->frameworks[i];
		for (int k = 0; k < cf->count; k++, id++) {
			struct mc__fw_params p;
			memset(&p, 0, sizeof p);
			char name[160];
			mc_config_framework_name(c, i, k, name, sizeof name);
			p.name = r->names[id] = mc_xstrdup(name);
			p.role = cf->role_id;
			p.kind = mc_config_fw_kind_name(cf->kind);
			p.refuse = cf->refuse;
			p.suppress_when_idle = cf->suppress_when_idle;
			p.revive_on_new_work = cf->revive_on_new_work;
			p.t_job = cf->t_job;
			p.t_task = cf->t_task;
			p.random_fit = cf->placement == MC_PLACE_RANDOM_FIT;
			p.gpu_capable = cf->gpu_capable;
			p.locality_delay = cf->locality_delay;
			p.max_attempts = cf->max_attempts;
			mc__framework_add(r->w, id, &p);
		}
	}
}

static void apply_quota_and_weights(struct run *r)
{
	const struct mc_config *c = r->c;
	struct mc_allocator *a = mc__master_allocator(r->w->master);
	for (int i = 0; i < c->allocator.nquotas; i++) {
		const struct mc_config_quota *q = &c->allocator.quotas[i];
		int32_t role = mc_role_intern(q->role, strlen(q->role));
		mc_alloc_set_quota(a, role, &q->guarantee, q->has_limit ? &q->limit : NULL);
	}
	for (int i = 0; i < c->allocator.nweights; i++) {
		const struct mc_config_weight *wt = &c->allocator.weights[i];
		int32_t role = mc_role_intern(wt->role, strlen(wt->role));
		mc_alloc_set_weight(a, role, wt->weight);
	}
}

static void print_table(struct run *r, bool complete)
{
	const struct mc_config *c = r->c;
	struct mc__world *w = r->w;
	struct mc_allocator *a = mc__master_allocator(w->master);
	printf("mesocosm %s: experiment '%s', seed %llu, %s\n", MC_VERSION, c->name,
	       (unsigned long long)c->seed, complete ? "complete" : "INTERRUPTED");
	printf("simulated %.1f s, %d agents, %d frameworks, %llu allocation runs, %llu offers\n\n",
	       mc_time_to_sec(mc_engine_now(w->eng)), (int)w->nagents, (int)w->nfws,
	       (unsigned long long)mc_alloc_runs(a),
	       (unsigned long long)mc__master_offers_made(w->master));
	printf("%-16s %-12s %9s %9s %9s %9s %8s\n", "framework", "role", "submitted", "finished",
	       "pending", "running", "dshare");
	for (int32_t i = 0; i < w->nfws; i++) {
		struct mc__fw_counters fc;
		mc__framework_counters(w, i, &fc);
		printf("%-16s %-12s %9llu %9llu %9llu %9llu %8.3f\n", mc__framework_name(w, i),
		       mc_role_name(mc__framework_role(w, i)), (unsigned long long)fc.tasks_submitted,
		       (unsigned long long)fc.tasks_finished, (unsigned long long)fc.tasks_pending,
		       (unsigned long long)fc.tasks_running, mc_alloc_framework_share(a, i));
	}
}

int mc_run_experiment(const struct mc_config *c, const struct mc_run_options *o)
{
	struct run r;
	memset(&r, 0, sizeof r);
	r.c = c;
	r.o = o;
	clock_gettime(CLOCK_MONOTONIC, &r.wall0);
	struct mc__net_params net;
	build_network(&r, &net);
	r.w = mc__world_new(c->seed, &net);
	r.names = mc_xcalloc((size_t)mc_config_framework_total(c) + 1, sizeof *r.names);
	build_master(&r);
	if (!mc__master_allocator(r.w->master)) {
		fprintf(stderr, "mesocosm run: unknown allocator policy or sorter\n");
		return MC_EINVAL;
	}
	apply_quota_and_weights(&r);
	build_agents(&r);
	build_frameworks(&r);
	r.end = c->duration != MC_TIME_NEVER ? c->duration : c->max_duration;
	r.wl = mc__workload_new(r.w, c, r.end);
	r.tick = c->sample_interval > 0 ? c->sample_interval : 10 * MC_SEC;
	mc_engine_after(r.w->eng, r.tick, housekeeping, &r, 0);

	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	interrupted = 0;
	running_engine = r.w->eng;
	mc_engine_run_until(r.w->eng, r.end);
	running_engine = NULL;
	sigaction(SIGINT, &old, NULL);
	if (o->progress)
		fputc('\n', stderr);
	bool complete = !interrupted;
	if (!o->quiet)
		print_table(&r, complete);
	if (getenv("MC_DEBUG")) {
		size_t by[8] = {0};
		for (size_t i = 0; i < r.w->ntasks; i++) {
			struct mc__task *t = mc__task_at(r.w, (int32_t)i);
			if (t->refs) by[t->state]++;
		}
		fprintf(stderr, "live %zu: pend %zu stag %zu start %zu run %zu fin %zu fail %zu kill %zu lost %zu; msgs %llu lost %llu\n",
			r.w->tasks_live, by[0], by[1], by[2], by[3], by[4], by[5], by[6], by[7],
			(unsigned long long)r.w->msgs_sent, (unsigned long long)r.w->msgs_lost);
	}

	mc__workload_free(r.wl);
	for (int32_t i = 0; i < r.w->nfws; i++)
		mc__framework_free(r.w->fws[i]);
	for (int32_t i = 0; i < r.w->nagents; i++)
		mc__agent_free(r.w->agents[i]);
	mc__master_free(r.w->master);
	for (int i = 0; i < mc_config_framework_total(c); i++)
		free(r.names[i]);
	free(r.names);
	free(r.partitions);
	mc__world_free(r.w);
	return complete ? 0 : MC_EINTR;
}
