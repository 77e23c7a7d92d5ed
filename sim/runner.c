/*
 * runner.c - one experiment from config to run directory.
 *
 * Builds the world (network, master with its allocation core, agents,
 * frameworks), starts the workload, and runs the engine until the
 * configured duration, until the workload has drained (no more arrivals,
 * no pending or running task), or until SIGINT. A housekeeping event every
 * sample interval checks for the drain and shows progress.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mesocosm/error.h"
#include "models/models.h"
#include "sim/json.h"
#include "sim/maintenance.h"
#include "sim/metrics.h"
#include "sim/rundir.h"
#include "sim/runner.h"
#include "sim/trace_feed.h"
#include "sim/validate.h"
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
	struct mc__trace_feed **feeds;
	int nfeeds;
	struct mc__maintenance *maint; /* the config's maintenance windows, or NULL */
	int32_t *fw_base;       /* dense id of each config framework's first replica */
	struct mc__agent_params trace_agent;
	struct mc__partition *partitions;
	char **names; /* framework names, owned */
	mc_time_t end;
	mc_time_t tick;
	bool drained;
	struct timespec wall0;
	double last_progress;
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

/* One progress line on stderr (only when it is a terminal, or asked for):
 * simulated time, the share of the run done, events/s and an ETA. The share
 * is of the configured duration, or of the workload's arrivals when the run
 * lasts until the workload drains. Printed at most twice a second. */
static void show_progress(struct run *r, mc_time_t now)
{
	double wall = wall_seconds(&r->wall0);
	if (wall - r->last_progress < 0.5)
		return;
	r->last_progress = wall;
	double done = r->end > 0 && r->end != MC_TIME_NEVER ? (double)now / (double)r->end : 0;
	double eps = wall > 0 ? (double)mc_engine_dispatched(r->w->eng) / wall : 0;
	fprintf(stderr, "\r  simulated %.0f s (%.1f %%)  %.2f M events/s  ETA %.0f s   ",
		mc_time_to_sec(now), 100.0 * done, eps / 1e6,
		done > 0 ? wall * (1 - done) / done : 0.0);
}

static void housekeeping(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)arg;
	struct run *r = ctx;
	mc_time_t now = mc_engine_now(eng);
	bool feeds_done = true;
	for (int i = 0; i < r->nfeeds; i++)
		feeds_done &= mc__trace_feed_done(r->feeds[i]);
	if (feeds_done && mc__workload_done(r->wl) && all_idle(r)) {
		r->drained = true;
		mc_engine_stop(eng);
		return;
	}
	if (r->o->progress)
		show_progress(r, now);
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
	p.detection_delay = c->master.failover.detection_delay;
	p.recovery_timeout = c->master.failover.recovery_timeout;
	p.agent_reregister_timeout = c->master.agent_reregister_timeout;
	p.agent_recovery_factor = c->master.failover.agent_recovery_factor;
	p.explicit_health_checks = r->o->explicit_health_checks;
	mc__master_new(r->w, &p);
}

static void failover_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	(void)arg;
	struct run *r = ctx;
	mc__master_fail(r->w);
}

/* Schedules the leader failures the config asks for. */
static void schedule_failovers(struct run *r)
{
	const struct mc_config_failover *f = &r->c->master.failover;
	for (int i = 0; i < f->n_at; i++)
		mc_engine_schedule(r->w->eng, f->at[i], failover_event, r, 0);
}

static void print_failover(const struct run *r)
{
	uint64_t n = mc__master_failovers(r->w->master);
	if (!n)
		return;
	mc_time_t failed;
	mc_time_t rec = mc__master_last_recovery(r->w->master, &failed);
	if (rec == MC_TIME_NEVER)
		printf("master failovers: %llu; the last one had not recovered by the end\n",
		       (unsigned long long)n);
	else
		printf("master failovers: %llu; the last one recovered (all agents re-registered) "
		       "%.2f s after the leader failed\n"
		       "  (Mesos paper, NSDI 2011 §6: mean recovery 4-8 s for 62 to 4,000 agents)\n",
		       (unsigned long long)n, mc_time_to_sec(rec - failed));
	uint64_t gone = mc__master_agents_not_reregistered(r->w->master);
	if (gone)
		printf("  %llu agent%s known before a failover did not re-register (restarted "
		       "meanwhile, or not back within agent_reregister_timeout): "
		       "their tasks LOST\n",
		       (unsigned long long)gone, gone == 1 ? "" : "s");
}

static void print_maintenance(const struct run *r)
{
	if (!r->maint)
		return;
	printf("maintenance: %d window(s) took agents down %llu time(s); %llu task(s) killed\n",
	       r->c->nmaintenance, (unsigned long long)mc__maintenance_downs(r->maint),
	       (unsigned long long)mc__master_maintenance_kills(r->w->master));
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
			p.rack = -1;
			for (int k = 0; k < ag->nattrs; k++)
				if (!strcmp(ag->attrs[k].key, "rack")) {
					char v[128];
					mc_config_attr_expand(ag->attrs[k].value, i, v, sizeof v);
					p.rack = mc__attr_intern(r->w, v);
				}
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
			p.unique_host = cf->unique_host;
			p.rack_spread = cf->rack_spread;
			p.max_attempts = cf->max_attempts;
			p.failover_timeout = cf->failover_timeout;
			p.hold = cf->hold_offers;
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

/* ---- failure injection: the config's `failures` (sim/validate_inject.c) ---- */

static void failure_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct run *r = ctx;
	mc__failure_fire(r->w, r->c, (int)arg);
}

static void apply_failures(struct run *r)
{
	for (int i = 0; i < r->c->nfailures; i++)
		mc_engine_schedule(r->w->eng, r->c->failures[i].at, failure_event, r, (uint64_t)i);
}

/* Re-emits a parsed JSON value through the writer (for the config echo). */
static void emit_json(struct mc_json *j, const struct mc_json_value *v)
{
	switch (v->type) {
	case MC_JSON_NULL:
		mc_json_null(j);
		break;
	case MC_JSON_FALSE:
	case MC_JSON_TRUE:
		mc_json_bool(j, v->type == MC_JSON_TRUE);
		break;
	case MC_JSON_NUMBER:
		if (v->num == floor(v->num) && fabs(v->num) < 9007199254740992.0)
			mc_json_int(j, (int64_t)v->num);
		else
			mc_json_real(j, v->num);
		break;
	case MC_JSON_STRING:
		mc_json_string(j, v->str);
		break;
	case MC_JSON_ARRAY:
		mc_json_begin_array(j);
		for (const struct mc_json_value *c = v->child; c; c = c->next)
			emit_json(j, c);
		mc_json_end_array(j);
		break;
	case MC_JSON_OBJECT:
		mc_json_begin_object(j);
		for (const struct mc_json_value *c = v->child; c; c = c->next) {
			mc_json_key(j, c->key);
			emit_json(j, c);
		}
		mc_json_end_object(j);
		break;
	}
}

static int write_config(struct mc_json *j, void *arg)
{
	const struct mc_config *c = arg;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return MC_EIO;
	int rc = mc_config_echo_json(c, f);
	fclose(f);
	if (rc == 0) {
		struct mc_json_doc doc;
		int line, col;
		char msg[160];
		rc = mc_json_parse(&doc, text, len, &line, &col, msg, sizeof msg);
		if (rc == 0) {
			emit_json(j, doc.root);
			mc_json_doc_release(&doc);
		}
	}
	free(text);
	return rc;
}

static int open_feeds(struct run *r, char *err, size_t n)
{
	const struct mc_config *c = r->c;
	r->feeds = mc_xcalloc((size_t)c->nframeworks + 1, sizeof *r->feeds);
	r->trace_agent.status_retry = 10 * MC_SEC;
	r->trace_agent.rack = -1;
	if (c->workload.kind == MC_WORKLOAD_TRACE) {
		int rc = mc__trace_feed_open(&r->feeds[r->nfeeds], r->w, &c->workload.trace, -1,
					     r->fw_base, c->agents_from_trace, &r->trace_agent,
					     r->end, err, n);
		if (rc)
			return rc;
		r->nfeeds++;
	}
	for (int i = 0; i < c->nframeworks; i++) {
		const struct mc_config_framework *cf = &c->frameworks[i];
		if (cf->workload.kind != MC_WORKLOAD_TRACE)
			continue;
		bool machines = c->agents_from_trace && c->workload.kind != MC_WORKLOAD_TRACE &&
				r->nfeeds == 0;
		int rc = mc__trace_feed_open(&r->feeds[r->nfeeds], r->w, &cf->workload.trace,
					     r->fw_base[i], r->fw_base, machines, &r->trace_agent,
					     r->end, err, n);
		if (rc)
			return rc;
		r->nfeeds++;
	}
	return 0;
}

static void teardown(struct run *r)
{
	const struct mc_config *c = r->c;
	for (int i = 0; i < r->nfeeds; i++)
		mc__trace_feed_free(r->feeds[i]);
	free(r->feeds);
	mc__maintenance_free(r->maint);
	mc__workload_free(r->wl);
	if (r->w) {
		for (int32_t i = 0; i < r->w->nfws; i++)
			mc__framework_free(r->w->fws[i]);
		for (int32_t i = 0; i < r->w->nagents; i++)
			mc__agent_free(r->w->agents[i]);
		mc__master_free(r->w->master);
	}
	if (r->names)
		for (int i = 0; i < mc_config_framework_total(c); i++)
			free(r->names[i]);
	free(r->names);
	free(r->fw_base);
	free(r->partitions);
	mc__world_free(r->w);
}

/* Creates the parent directories of `path` (like mkdir -p of its dirname),
 * so `-o runs/x` works in a fresh checkout. Errors surface in rundir. */
static void make_parents(const char *path)
{
	char *p = mc_xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0777);
		*s = '/';
	}
	free(p);
}

/* Declares every scalar resource the agents of the config have. */
static void declare_resources(struct mc_metrics *m, const struct mc_config *c)
{
	bool used[MC_RES_MAX] = {false};
	used[MC_RES_CPUS] = used[MC_RES_MEM] = true;
	for (int g = 0; g < c->nagent_groups; g++) {
		struct mc_resvec s;
		mc_resources_sum(&c->agent_groups[g].resources, &s);
		for (int i = 0; i < MC_RES_MAX; i++)
			used[i] |= s.q[i] > 0;
	}
	for (int i = 0; i < MC_RES_MAX; i++)
		if (used[i] && mc_res_kind_of(i) == MC_RES_SCALAR)
			mc_metrics_use_resource(m, i);
}

int mc_run_experiment(const struct mc_config *c, const struct mc_run_options *o)
{
	struct run r;
	memset(&r, 0, sizeof r);
	r.c = c;
	r.o = o;
	clock_gettime(CLOCK_MONOTONIC, &r.wall0);
	char err[1024];
	int rc;

	struct mc_rundir rd;
	memset(&rd, 0, sizeof rd);
	if (o->out_dir) {
		make_parents(o->out_dir);
		if ((rc = mc_rundir_create(&rd, o->out_dir, o->force)) != 0)
			return rc;
	}
	struct mc_metrics_params mp = {
		.dir = o->out_dir ? mc_rundir_path(&rd) : NULL,
		.timeseries = c->outputs.timeseries,
		.tasks = c->outputs.tasks,
		.tasks_csv = c->outputs.tasks_csv,
		.sample_interval = c->sample_interval,
	};
	struct mc_metrics *m = NULL;
	if ((rc = mc_metrics_new(&m, &mp)) != 0) {
		mc_rundir_abort(&rd);
		return rc;
	}

	struct mc__net_params net;
	build_network(&r, &net);
	r.w = mc__world_new(c->seed, &net);
	r.w->metrics = m;
	int total_fws = mc_config_framework_total(c);
	r.names = mc_xcalloc((size_t)total_fws + 1, sizeof *r.names);
	r.fw_base = mc_xcalloc((size_t)c->nframeworks + 1, sizeof *r.fw_base);
	for (int i = 0, id = 0; i < c->nframeworks; id += c->frameworks[i].count, i++)
		r.fw_base[i] = id;
	build_master(&r);
	if (!mc__master_allocator(r.w->master)) {
		fprintf(stderr, "mesocosm run: unknown role or framework sorter\n");
		rc = MC_EINVAL;
		goto fail;
	}
	apply_quota_and_weights(&r);
	schedule_failovers(&r);
	build_agents(&r);
	build_frameworks(&r);
	apply_failures(&r);
	if (c->nmaintenance > 0)
		r.maint = mc__maintenance_new(r.w, c);
	for (int32_t i = 0; i < r.w->nfws; i++)
		mc_metrics_add_framework(m, mc__framework_name(r.w, i), mc__framework_role(r.w, i));
	for (int i = 0; i < c->allocator.nweights; i++) {
		const struct mc_config_weight *wt = &c->allocator.weights[i];
		mc_metrics_set_role_weight(m, mc_role_intern(wt->role, strlen(wt->role)), wt->weight);
	}
	declare_resources(m, c);
	r.end = c->duration != MC_TIME_NEVER ? c->duration : c->max_duration;
	if ((rc = open_feeds(&r, err, sizeof err)) != 0) {
		fprintf(stderr, "%s\n", err);
		goto fail;
	}
	r.wl = mc__workload_new(r.w, c, r.end);
	r.tick = c->sample_interval > 0 ? c->sample_interval : 10 * MC_SEC;
	if ((rc = mc_metrics_start(m, 0)) != 0)
		goto fail;
	mc_engine_after(r.w->eng, r.tick, housekeeping, &r, 0);

	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	interrupted = 0;
	running_engine = r.w->eng;
	mc_engine_run_until(r.w->eng, r.drained ? mc_engine_now(r.w->eng) : r.end);
	running_engine = NULL;
	sigaction(SIGINT, &old, NULL);
	if (o->progress)
		fputc('\n', stderr);
	bool complete = !interrupted;
	for (int i = 0; i < r.nfeeds; i++) {
		const char *msg;
		if (mc__trace_feed_error(r.feeds[i], &msg)) {
			fprintf(stderr, "%s\n", msg);
			rc = MC_EPARSE;
			goto fail;
		}
	}
	mc_time_t t_end = mc_engine_now(r.w->eng);
	mc__master_finish(r.w);
	if ((rc = mc_metrics_finish(m, t_end)) != 0)
		goto fail;
	struct mc_run_info info = {
		.complete = complete,
		.experiment = c->name,
		.seed = c->seed,
		.policy = c->allocator.role_sorter,
		.write_config = write_config,
		.config_arg = (void *)c,
		.plots = c->outputs.plots,
		.report = true,
		.wall_seconds = wall_seconds(&r.wall0),
		.events = mc_engine_dispatched(r.w->eng),
	};
	if (o->out_dir) {
		if ((rc = mc_output_write_run(m, mc_rundir_path(&rd), &info)) != 0)
			goto fail;
		if ((rc = mc_rundir_commit(&rd)) != 0)
			goto fail_committed;
	}
	if (!o->quiet) {
		printf("mesocosm %s: '%s', seed %llu, %.0f simulated s, %s\n", MC_VERSION, c->name,
		       (unsigned long long)c->seed, mc_time_to_sec(t_end),
		       complete ? "complete" : "INTERRUPTED (partial results)");
		mc_output_table(m, stdout);
		print_failover(&r);
		print_maintenance(&r);
		if (o->out_dir)
			printf("\nrun directory: %s\n", o->out_dir);
	}
	if (o->stats) {
		struct mc_metrics_counts counts;
		mc_metrics_get_counts(m, &counts);
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		*o->stats = (struct mc_run_stats){
			.wall_seconds = wall_seconds(&r.wall0),
			.simulated_seconds = mc_time_to_sec(t_end),
			.events = mc_engine_dispatched(r.w->eng),
			.messages = r.w->msgs_sent,
			.tasks_submitted = counts.submitted,
			.tasks_finished = counts.ended[MC_TASK_FINISHED],
			.offers_made = counts.offers_made,
			.peak_rss_kb = ru.ru_maxrss,
		};
		mc_metrics_sched_delay(m, &o->stats->sched_delay_mean_s,
				       &o->stats->sched_delay_p99_s);
	}
	mc_metrics_free(m);
	teardown(&r);
	return complete ? 0 : MC_EINTR;
fail:
	mc_rundir_abort(&rd);
fail_committed:
	mc_metrics_free(m);
	teardown(&r);
	return rc ? rc : MC_EIO;
}
