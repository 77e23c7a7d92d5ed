/*
 * validate_inject.c - the experiment config's `failures`: agent crashes at
 * given times (docs/experiment-format.md), applied by the runner.
 *
 * A failure is a machine crash: mc__agent_fail() silences the agent and
 * drops its tasks, and nothing else is told, so the master finds out only
 * through its health checks and reports the tasks LOST. Which agents fail
 * depends only on the seed, the item's index and the number of agents
 * (not on their state), so the same experiment fails the same agents.
 *
 * A `framework` item crashes a framework's scheduler instead (every
 * replica): see mc__framework_crash and the master's failover_timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "mesocosm/error.h"
#include "mesocosm/rng.h"
#include "models/models.h"
#include "sim/validate.h"

int32_t mc__choose_agents(uint64_t seed, const char *stream, int32_t first, int32_t ncand,
			  const int32_t (*ranges)[2], int nranges, int64_t count, double fraction,
			  int32_t *out)
{
	if (ncand <= 0)
		return 0;
	if (nranges > 0) {
		/* explicit indices among the candidates: mark, then list in order
		 * (ranges may overlap) */
		unsigned char *mark = mc_xcalloc((size_t)ncand, 1);
		for (int j = 0; j < nranges; j++)
			for (int64_t i = ranges[j][0]; i <= ranges[j][1] && i < ncand; i++)
				mark[i] = 1;
		int32_t n = 0;
		for (int32_t i = 0; i < ncand; i++)
			if (mark[i])
				out[n++] = first + i;
		free(mark);
		return n;
	}
	if (count <= 0 && fraction <= 0) {
		for (int32_t i = 0; i < ncand; i++)
			out[i] = first + i;
		return ncand;
	}
	int64_t want = count;
	if (fraction > 0) {
		want = (int64_t)(fraction * (double)ncand + 0.5);
		if (want < 1)
			want = 1;
	}
	if (want > ncand)
		want = ncand;
	int32_t *all = mc_xmalloc((size_t)ncand * sizeof *all);
	for (int32_t i = 0; i < ncand; i++)
		all[i] = first + i;
	gsl_rng *rng = mc_rng_new(seed, stream);
	/* gsl_ran_choose keeps the source order: out[] is ascending. */
	gsl_ran_choose(rng, out, (size_t)want, all, (size_t)ncand, sizeof *all);
	gsl_rng_free(rng);
	free(all);
	return (int32_t)want;
}

int32_t mc__failure_choose(const struct mc_config *c, int index, int32_t nagents, int32_t *out)
{
	const struct mc_config_failure *f = &c->failures[index];
	char stream[48];
	snprintf(stream, sizeof stream, "failures/%d", index);
	return mc__choose_agents(c->seed, stream, 0, nagents, (const int32_t(*)[2])f->ranges,
				 f->nranges, f->count, f->fraction, out);
}

static void recover_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	mc__agent_recover(ctx, (int32_t)arg);
}

static void fw_restart_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	mc__framework_restart(ctx, (int32_t)arg);
}

/* A `framework` failure: every replica of the named config framework
 * crashes (ids follow config order, replicas consecutive). */
static void framework_failure(struct mc__world *w, const struct mc_config *c, int index)
{
	const struct mc_config_failure *fl = &c->failures[index];
	int32_t id = 0;
	for (int i = 0; i < c->nframeworks; i++) {
		const struct mc_config_framework *cf = &c->frameworks[i];
		for (int k = 0; k < cf->count; k++, id++) {
			if (strcmp(cf->name, fl->framework) || id >= w->nfws ||
			    mc__framework_is_down(w, id))
				continue;
			mc__framework_crash(w, id);
			if (fl->recover_after != MC_TIME_NEVER)
				mc_engine_after(w->eng, fl->recover_after, fw_restart_event, w,
						(uint64_t)id);
		}
	}
}

void mc__failure_fire(struct mc__world *w, const struct mc_config *c, int index)
{
	if (c->failures[index].framework) {
		framework_failure(w, c, index);
		return;
	}
	if (w->nagents <= 0)
		return;
	int32_t *ids = mc_xmalloc((size_t)w->nagents * sizeof *ids);
	int32_t n = mc__failure_choose(c, index, w->nagents, ids);
	mc_time_t back = c->failures[index].recover_after;
	for (int32_t i = 0; i < n; i++) {
		if (!w->agents[ids[i]] || !mc__agent_is_up(w, ids[i]))
			continue;
		mc__agent_fail(w, ids[i]);
		if (back != MC_TIME_NEVER)
			mc_engine_after(w->eng, back, recover_event, w, (uint64_t)ids[i]);
	}
	free(ids);
}
