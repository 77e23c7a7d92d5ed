/*
 * maintenance.c - the experiment's `maintenance` windows, played by the
 * operator against the master (the way Mesos's maintenance endpoints and
 * agent draining are driven from outside the cluster).
 *
 * A window [start, start + duration) with a drain grace period: at
 * start - drain its agents are chosen and set DRAINING (deactivated in the
 * allocator: no new offers; their outstanding offers rescinded); at start
 * they go DOWN (the master kills the tasks still there and removes the
 * agents; the machines power off); at start + duration they are UP again
 * and the machines come back empty and register.
 *
 * Windows may overlap on an agent: each agent counts the windows it is in
 * (from drain to end) and the windows holding it down (from start to end);
 * its mode is DOWN while any window holds it down, else DRAINING while it
 * is in any window, else UP. Only mode changes reach the models.
 *
 * Which agents a window takes depends only on the config, the seed and the
 * number of agents at its drain time (random stream "maintenance/<index>").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesocosm/error.h"
#include "sim/maintenance.h"
#include "sim/validate.h"

struct window {
	int32_t *ids; /* chosen at drain time */
	int32_t n;
	bool chosen;
};

struct mc__maintenance {
	struct mc__world *w;
	const struct mc_config *c;
	struct window *win;
	/* by agent id */
	int32_t *nwin, *ndown;
	uint8_t *mode; /* enum mc__maint_mode last applied */
	size_t cap;
	uint64_t downs;
};

int32_t mc__maintenance_choose(const struct mc_config *c, int index, int32_t nagents, int32_t *out)
{
	const struct mc_config_maintenance *mw = &c->maintenance[index];
	if (nagents <= 0)
		return 0;
	/* The candidates: the group's agents (dense ids in group order), or all. */
	int32_t first = 0, ncand = nagents;
	if (mw->group >= 0 && mw->group < c->nagent_groups) {
		int64_t f = 0;
		for (int g = 0; g < mw->group; g++)
			f += c->agent_groups[g].count;
		int64_t end = f + c->agent_groups[mw->group].count;
		if (end > nagents)
			end = nagents;
		if (f >= end)
			return 0;
		first = (int32_t)f;
		ncand = (int32_t)(end - f);
	}
	char stream[48];
	snprintf(stream, sizeof stream, "maintenance/%d", index);
	return mc__choose_agents(c->seed, stream, first, ncand, (const int32_t(*)[2])mw->ranges,
				 mw->nranges, mw->count, mw->fraction, out);
}

static void grow(struct mc__maintenance *mt, int32_t id)
{
	if ((size_t)id < mt->cap)
		return;
	size_t cap = mt->cap ? mt->cap : 64;
	while (cap <= (size_t)id)
		cap *= 2;
	mt->nwin = mc_xrealloc(mt->nwin, cap * sizeof *mt->nwin);
	mt->ndown = mc_xrealloc(mt->ndown, cap * sizeof *mt->ndown);
	mt->mode = mc_xrealloc(mt->mode, cap * sizeof *mt->mode);
	for (size_t i = mt->cap; i < cap; i++) {
		mt->nwin[i] = mt->ndown[i] = 0;
		mt->mode[i] = MC__MAINT_UP;
	}
	mt->cap = cap;
}

/* Brings agent id's mode in line with its window counts. */
static void apply(struct mc__maintenance *mt, int32_t id)
{
	enum mc__maint_mode want = mt->ndown[id] > 0  ? MC__MAINT_DOWN
	                           : mt->nwin[id] > 0 ? MC__MAINT_DRAINING
	                                              : MC__MAINT_UP;
	enum mc__maint_mode old = (enum mc__maint_mode)mt->mode[id];
	if (want == old)
		return;
	mt->mode[id] = (uint8_t)want;
	/* The master first (it kills and reports the tasks), then the machine. */
	mc__master_maintenance(mt->w, id, want);
	if (want == MC__MAINT_DOWN) {
		mt->downs++;
		mc__agent_maintenance(mt->w, id, true);
	} else if (old == MC__MAINT_DOWN) {
		mc__agent_maintenance(mt->w, id, false);
	}
}

enum phase { PHASE_DRAIN = 0, PHASE_START = 1, PHASE_END = 2 };

static void window_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__maintenance *mt = ctx;
	int index = (int)(arg >> 2);
	enum phase ph = (enum phase)(arg & 3);
	struct window *win = &mt->win[index];
	struct mc__world *w = mt->w;
	if (ph == PHASE_DRAIN) {
		win->ids = mc_xmalloc((size_t)(w->nagents > 0 ? w->nagents : 1) * sizeof *win->ids);
		win->n = mc__maintenance_choose(mt->c, index, w->nagents, win->ids);
		win->chosen = true;
	}
	for (int32_t k = 0; k < win->n; k++) {
		int32_t id = win->ids[k];
		if (id < 0 || id >= w->nagents || !w->agents[id])
			continue;
		grow(mt, id);
		switch (ph) {
		case PHASE_DRAIN:
			mt->nwin[id]++;
			break;
		case PHASE_START:
			mt->ndown[id]++;
			break;
		case PHASE_END:
			mt->nwin[id]--;
			mt->ndown[id]--;
			break;
		}
		apply(mt, id);
	}
}

struct mc__maintenance *mc__maintenance_new(struct mc__world *w, const struct mc_config *c)
{
	struct mc__maintenance *mt = mc_xcalloc(1, sizeof *mt);
	mt->w = w;
	mt->c = c;
	mt->win = mc_xcalloc((size_t)(c->nmaintenance > 0 ? c->nmaintenance : 1), sizeof *mt->win);
	/* Scheduled in window order, drain before start: with drain 0 both
	 * fall at the same instant and fire in that order. */
	for (int i = 0; i < c->nmaintenance; i++) {
		const struct mc_config_maintenance *mw = &c->maintenance[i];
		uint64_t a = (uint64_t)i << 2;
		mc_engine_schedule(w->eng, mw->start - mw->drain, window_event, mt,
		                   a | PHASE_DRAIN);
		mc_engine_schedule(w->eng, mw->start, window_event, mt, a | PHASE_START);
		mc_engine_schedule(w->eng, mw->start + mw->duration, window_event, mt,
		                   a | PHASE_END);
	}
	return mt;
}

uint64_t mc__maintenance_downs(const struct mc__maintenance *mt)
{
	return mt ? mt->downs : 0;
}

void mc__maintenance_free(struct mc__maintenance *mt)
{
	if (!mt)
		return;
	for (int i = 0; i < mt->c->nmaintenance; i++)
		free(mt->win[i].ids);
	free(mt->win);
	free(mt->nwin);
	free(mt->ndown);
	free(mt->mode);
	free(mt);
}
