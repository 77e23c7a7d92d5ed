/*
 * output_summary.c - summary.json (schema mesocosm.summary/1, contract in
 * shared/spec/summary-json.md) and the short text table on stdout.
 *
 * Determinism: members are written in a fixed order (frameworks by dense
 * id, roles in the order the collector first saw them, resources by
 * interned index), reals through mc_json_real's 6-significant-digit rule,
 * and nothing here reads a clock. A metric that cannot be computed is null.
 * Fields beyond the spec's are additions (allowed by the contract) and are
 * listed in docs/outputs.md.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mesocosm/error.h"
#include "sim/json.h"
#include "sim/metrics_int.h"

/* A real or null when NaN. */
static void real_or_null(struct mc_json *j, double v)
{
	if (isnan(v))
		mc_json_null(j);
	else
		mc_json_real(j, v);
}

static void lat_members(struct mc_json *j, const struct mc__lat *l)
{
	mc_json_key(j, "count");
	mc_json_uint(j, l->n);
	static const char *const keys[] = {"mean", "p50", "p90", "p99", "max"};
	static const double ps[] = {0.5, 0.9, 0.99};
	for (int i = 0; i < 5; i++) {
		mc_json_key(j, keys[i]);
		if (l->n == 0) {
			mc_json_null(j);
		} else if (i == 0) {
			mc_json_real(j, mc__lat_mean_s(l));
		} else if (i == 4) {
			mc_json_real(j, mc_time_to_sec(l->max));
		} else {
			mc_json_real(j, mc__lat_quantile_us(l, ps[i - 1]) / (double)MC_SEC);
		}
	}
}

static void lat_object(struct mc_json *j, const char *key, const struct mc__lat *l)
{
	mc_json_key(j, key);
	mc_json_begin_object(j);
	lat_members(j, l);
	mc_json_end_object(j);
}

static const char *role_name(int32_t role)
{
	const char *n = mc_role_name(role);
	return n ? n : "?";
}

int mc_output_summary(const struct mc_metrics *m, FILE *f, const struct mc_run_info *info)
{
	struct mc_json j;
	mc_json_init(&j, f);
	double secs = mc__run_seconds(m);
	mc_json_begin_object(&j);
	mc_json_key(&j, "schema");
	mc_json_string(&j, "mesocosm.summary/1");
	mc_json_key(&j, "complete");
	mc_json_bool(&j, info->complete);
	mc_json_key(&j, "mesocosm_version");
	mc_json_string(&j, MC_VERSION);
	mc_json_key(&j, "experiment");
	mc_json_string(&j, info->experiment);
	mc_json_key(&j, "seed");
	mc_json_uint(&j, info->seed);
	mc_json_key(&j, "policy");
	mc_json_string(&j, info->policy);
	mc_json_key(&j, "simulated_seconds");
	mc_json_real(&j, secs);
	mc_json_key(&j, "agents");
	mc_json_int(&j, m->agents_max);
	mc_json_key(&j, "frameworks");
	mc_json_uint(&j, m->nfws);

	mc_json_key(&j, "tasks");
	mc_json_begin_object(&j);
	mc_json_key(&j, "submitted");
	mc_json_uint(&j, m->c.submitted);
	mc_json_key(&j, "launched");
	mc_json_uint(&j, m->c.launched);
	mc_json_key(&j, "finished");
	mc_json_uint(&j, m->c.ended[MC_TASK_FINISHED]);
	mc_json_key(&j, "failed");
	mc_json_uint(&j, m->c.ended[MC_TASK_FAILED]);
	mc_json_key(&j, "killed");
	mc_json_uint(&j, m->c.ended[MC_TASK_KILLED]);
	mc_json_key(&j, "lost");
	mc_json_uint(&j, m->c.ended[MC_TASK_LOST]);
	mc_json_key(&j, "pending_at_end");
	mc_json_uint(&j, m->c.pending);
	mc_json_key(&j, "running_at_end");
	mc_json_uint(&j, m->c.running);
	mc_json_end_object(&j);

	mc_json_key(&j, "jobs");
	mc_json_begin_object(&j);
	mc_json_key(&j, "submitted");
	mc_json_uint(&j, m->c.jobs_submitted);
	mc_json_key(&j, "completed");
	mc_json_uint(&j, m->c.jobs_completed);
	mc_json_end_object(&j);

	mc_json_key(&j, "utilization");
	mc_json_begin_object(&j);
	for (int k = 0; k < m->nres; k++) {
		mc_json_key(&j, mc_res_name(m->res[k]));
		mc_json_begin_object(&j);
		mc_json_key(&j, "allocated");
		real_or_null(&j, mc__util_mean(m, k, 0));
		mc_json_key(&j, "offered_unused");
		real_or_null(&j, mc__util_mean(m, k, 1));
		mc_json_key(&j, "used");
		real_or_null(&j, mc__util_mean(m, k, 2));
		mc_json_end_object(&j);
	}
	mc_json_end_object(&j);

	mc_json_key(&j, "latency");
	mc_json_begin_object(&j);
	lat_object(&j, "task_scheduling_delay", &m->sched);
	lat_object(&j, "job_completion", &m->jct);
	lat_object(&j, "task_run_time", &m->runtime);
	lat_object(&j, "job_first_launch", &m->job_first);
	lat_object(&j, "job_all_launched", &m->job_all);
	lat_object(&j, "free_to_offer", &m->free_offer);
	lat_object(&j, "offer_response", &m->offer_resp);
	mc_json_key(&j, "job_completion_by_size");
	mc_json_begin_array(&j);
	for (int b = 0; b < MC__JOB_SIZE_BUCKETS; b++) {
		const struct mc__lat *l = &m->jct_size[b];
		if (!l->hist || l->n == 0)
			continue;
		mc_json_begin_object(&j);
		mc_json_key(&j, "tasks_min");
		mc_json_uint(&j, b == 0 ? 1 : ((uint64_t)1 << (b - 1)) + 1);
		mc_json_key(&j, "tasks_max");
		mc_json_uint(&j, (uint64_t)1 << b);
		lat_members(&j, l);
		mc_json_end_object(&j);
	}
	mc_json_end_array(&j);
	mc_json_end_object(&j);

	mc_json_key(&j, "fairness");
	mc_json_begin_object(&j);
	mc_json_key(&j, "jain_index_mean");
	real_or_null(&j, m->jain_run_t > 0 ? m->jain_run / m->jain_run_t : NAN);
	mc_json_key(&j, "dominant_share_mean");
	mc_json_begin_object(&j);
	for (size_t i = 0; i < m->nroles; i++) {
		mc_json_key(&j, role_name(m->roles[i].role));
		real_or_null(&j, mc__role_share_mean(m, i));
	}
	mc_json_end_object(&j);
	mc_json_key(&j, "dominant_share_final");
	mc_json_begin_object(&j);
	for (size_t i = 0; i < m->nroles; i++) {
		mc_json_key(&j, role_name(m->roles[i].role));
		mc_json_real(&j, m->roles[i].share);
	}
	mc_json_end_object(&j);
	mc_json_key(&j, "drf_deficit_max_mean");
	real_or_null(&j, m->jain_run_t > 0 ? m->deficit_max_run / m->jain_run_t : NAN);
	mc_json_key(&j, "drf_deficit_mean");
	mc_json_begin_object(&j);
	for (size_t i = 0; i < m->nroles; i++) {
		mc_json_key(&j, role_name(m->roles[i].role));
		real_or_null(&j, m->jain_run_t > 0 ? m->roles[i].deficit_run / m->jain_run_t : NAN);
	}
	mc_json_end_object(&j);
	mc_json_end_object(&j);

	mc_json_key(&j, "allocator");
	mc_json_begin_object(&j);
	mc_json_key(&j, "runs");
	mc_json_uint(&j, m->alloc_runs);
	mc_json_key(&j, "offers_made");
	mc_json_uint(&j, m->offers_made);
	mc_json_key(&j, "offers_declined");
	mc_json_uint(&j, m->offers_end[MC_OFFER_DECLINED]);
	mc_json_key(&j, "offers_rescinded");
	mc_json_uint(&j, m->offers_end[MC_OFFER_RESCINDED]);
	mc_json_key(&j, "offers_accepted");
	mc_json_uint(&j, m->offers_end[MC_OFFER_ACCEPTED]);
	mc_json_key(&j, "offers_timed_out");
	mc_json_uint(&j, m->offers_end[MC_OFFER_TIMED_OUT]);
	mc_json_key(&j, "busy_fraction");
	real_or_null(&j, secs > 0 ? mc_time_to_sec(m->alloc_busy) / secs : NAN);
	lat_object(&j, "run_duration", &m->alloc_dur);
	mc_json_end_object(&j);

	mc_json_key(&j, "control_plane");
	mc_json_begin_object(&j);
	mc_json_key(&j, "messages");
	mc_json_uint(&j, m->messages);
	mc_json_key(&j, "messages_per_second");
	real_or_null(&j, secs > 0 ? (double)m->messages / secs : NAN);
	mc_json_end_object(&j);

	mc_json_key(&j, "per_framework");
	mc_json_begin_object(&j);
	for (size_t i = 0; i < m->nfws; i++) {
		const struct mc__fw *fw = &m->fws[i];
		mc_json_key(&j, fw->name);
		mc_json_begin_object(&j);
		mc_json_key(&j, "role");
		mc_json_string(&j, role_name(fw->role));
		mc_json_key(&j, "tasks_finished");
		mc_json_uint(&j, fw->ended[MC_TASK_FINISHED]);
		mc_json_key(&j, "busyness");
		real_or_null(&j, secs > 0 ? mc_time_to_sec(fw->busy_total) / secs : NAN);
		mc_json_key(&j, "dominant_share_mean");
		real_or_null(&j, mc__fw_share_mean(m, i));
		lat_object(&j, "task_scheduling_delay", &fw->sched);
		mc_json_key(&j, "tasks_submitted");
		mc_json_uint(&j, fw->submitted);
		mc_json_key(&j, "tasks_pending_at_end");
		mc_json_uint(&j, fw->pending);
		mc_json_key(&j, "offers");
		mc_json_uint(&j, fw->offers);
		mc_json_key(&j, "dominant_share_final");
		mc_json_real(&j, fw->share);
		mc_json_key(&j, "starvation");
		mc_json_begin_object(&j);
		mc_json_key(&j, "episodes");
		mc_json_uint(&j, fw->starve_episodes);
		mc_json_key(&j, "longest_s");
		mc_json_real(&j, mc_time_to_sec(fw->starve_longest));
		mc_json_key(&j, "total_s");
		mc_json_real(&j, mc_time_to_sec(fw->starve_total));
		mc_json_end_object(&j);
		/* Only frameworks whose tasks carry preferred locations have a
		 * locality to report (and runs without them keep their bytes). */
		uint64_t nloc = fw->locality[MC_LOCALITY_NODE] + fw->locality[MC_LOCALITY_RACK] +
				fw->locality[MC_LOCALITY_ANY];
		if (nloc) {
			mc_json_key(&j, "locality");
			mc_json_begin_object(&j);
			mc_json_key(&j, "node_local");
			mc_json_uint(&j, fw->locality[MC_LOCALITY_NODE]);
			mc_json_key(&j, "rack_local");
			mc_json_uint(&j, fw->locality[MC_LOCALITY_RACK]);
			mc_json_key(&j, "any");
			mc_json_uint(&j, fw->locality[MC_LOCALITY_ANY]);
			mc_json_key(&j, "node_local_fraction");
			mc_json_real(&j, (double)fw->locality[MC_LOCALITY_NODE] / (double)nloc);
			mc_json_end_object(&j);
		}
		mc_json_end_object(&j);
	}
	mc_json_end_object(&j);

	mc_json_key(&j, "config");
	if (info->write_config) {
		int rc = info->write_config(&j, info->config_arg);
		if (rc < 0 && !j.err)
			j.err = rc;
	} else {
		mc_json_null(&j);
	}
	mc_json_end_object(&j);
	int rc = mc_json_finish(&j);
	return rc ? MC_EIO : 0;
}

/* ---- the text table ---------------------------------------------------------- */

static void fmt_secs(char *buf, size_t n, double s)
{
	if (isnan(s))
		snprintf(buf, n, "-");
	else if (s < 1e-3)
		snprintf(buf, n, "%.0f us", s * 1e6);
	else if (s < 1.0)
		snprintf(buf, n, "%.1f ms", s * 1e3);
	else
		snprintf(buf, n, "%.2f s", s);
}

static void fmt_pct(char *buf, size_t n, double x)
{
	if (isnan(x))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f %%", 100.0 * x);
}

void mc_output_table(const struct mc_metrics *m, FILE *out)
{
	char a[32], b[32];
	fmt_secs(a, sizeof a, mc__lat_mean_s(&m->sched));
	fmt_secs(b, sizeof b, m->sched.n ? mc__lat_quantile_us(&m->sched, 0.99) / MC_SEC : NAN);
	fprintf(out, "simulated %.0f s, %lld agents, %zu frameworks\n", mc__run_seconds(m),
		(long long)m->agents_max, m->nfws);
	fprintf(out, "tasks finished %llu of %llu submitted (%llu pending, %llu running at end)\n",
		(unsigned long long)m->c.ended[MC_TASK_FINISHED], (unsigned long long)m->c.submitted,
		(unsigned long long)m->c.pending, (unsigned long long)m->c.running);
	fprintf(out, "scheduling delay mean %s, p99 %s\n", a, b);
	for (int k = 0; k < m->nres; k++) {
		int r = m->res[k];
		if (r != MC_RES_CPUS && r != MC_RES_MEM)
			continue;
		fmt_pct(a, sizeof a, mc__util_mean(m, k, 0));
		fmt_pct(b, sizeof b, mc__util_mean(m, k, 1));
		fprintf(out, "%-4s utilization %s allocated, %s offered but unused\n", mc_res_name(r), a,
			b);
	}
	fprintf(out, "\n%-20s %-12s %10s %12s %12s %8s\n", "framework", "role", "finished",
		"delay mean", "delay p99", "share");
	for (size_t i = 0; i < m->nfws; i++) {
		const struct mc__fw *f = &m->fws[i];
		fmt_secs(a, sizeof a, mc__lat_mean_s(&f->sched));
		fmt_secs(b, sizeof b, f->sched.n ? mc__lat_quantile_us(&f->sched, 0.99) / MC_SEC : NAN);
		fprintf(out, "%-20.20s %-12.12s %10llu %12s %12s %8.3f\n", f->name, role_name(f->role),
			(unsigned long long)f->ended[MC_TASK_FINISHED], a, b, f->share);
	}
	for (size_t i = 0; i < m->nfws; i++) {
		const struct mc__fw *f = &m->fws[i];
		uint64_t n = f->locality[MC_LOCALITY_NODE] + f->locality[MC_LOCALITY_RACK] +
			     f->locality[MC_LOCALITY_ANY];
		if (n)
			fprintf(out,
				"%s locality: %llu node-local (%.1f %%), %llu rack-local, %llu "
				"elsewhere\n",
				f->name, (unsigned long long)f->locality[MC_LOCALITY_NODE],
				100.0 * (double)f->locality[MC_LOCALITY_NODE] / (double)n,
				(unsigned long long)f->locality[MC_LOCALITY_RACK],
				(unsigned long long)f->locality[MC_LOCALITY_ANY]);
	}
}
