/*
 * hierarchical.c - Mesos's hierarchical allocator (see mesocosm/alloc.h and
 * docs/allocator.md for the behaviour and its sources).
 *
 * State: per agent, its total, what is offered or allocated on it
 * (`used`), and one entry per (framework, role) holding something there;
 * per role, a framework sorter, its weight and quota; one role sorter over
 * the roles that have frameworks; refuse filters in a pool, each with its
 * expiry timer. Offers count in the sorters the moment they are made.
 *
 * A run: candidates shuffled; stage 1 serves unmet quota guarantees, stage
 * 2 (agents re-shuffled) everyone; per agent, roles in role-sorter order,
 * frameworks in that role's sorter order, each offered everything the role
 * may use on the agent, chopped only by quota limits and headroom. Offers of
 * one (framework, role, agent) in both stages merge into one.
 *
 * Known simplification (documented in docs/allocator.md): the role sorter
 * is flat — a nested role "a/b" is sorted as its own client rather than
 * inside a's subtree; reservations of ancestors are still offered to
 * descendants.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesocosm/alloc.h"
#include "mesocosm/error.h"
#include "mesocosm/sorter.h"

struct entry {
	int32_t fw, role;
	struct mc_resources res; /* offered or allocated */
};

struct agent {
	bool known, active, candidate, gpu;
	struct mc_resources total;
	struct mc_resources used;
	struct entry *e;
	int ne, cap;
};

struct filter {
	bool live;
	uint32_t gen;
	int32_t fw, role, agent;
	struct mc_resvec refused;
	mc_time_t expires;
	uint64_t timer;
	int32_t next_free;
};

struct fw {
	bool known, active;
	char *name;
	int nroles;
	int32_t roles[MC_ALLOC_MAX_ROLES];
	bool suppressed[MC_ALLOC_MAX_ROLES];
	unsigned caps;
	bool has_min;
	struct mc_min_allocatable min;
};

struct role {
	int nfws;
	struct mc_sorter *fws;
	double weight;
	bool has_guarantee, has_limit;
	struct mc_resvec guarantee, limit;
};

struct pending_offer {
	int32_t fw;
	struct mc_offer o;
};

struct mc_allocator {
	struct mc_alloc_config cfg;
	struct mc_alloc_host host;
	const struct mc_sorter_ops *role_ops, *fw_ops;
	struct mc_sorter *roles_sorter;

	struct agent *agents;
	size_t nagents;
	struct fw *fws;
	size_t nfws;
	struct role *roles;
	size_t nroles;

	struct filter *filters;
	size_t nfilters, filters_cap;
	int32_t filter_free;

	struct mc_resvec total;
	int32_t *cand;      /* candidate agent ids */
	size_t ncand, cand_cap;
	bool all_candidates;
	bool run_requested, periodic_waiting, paused, dirty;
	uint64_t periodic_timer;
	uint64_t runs;

	struct pending_offer *offers;   /* offers of the current run */
	size_t noffers, offers_cap;
	struct mc_offer *out;           /* grouped by framework for the callback */
	size_t out_cap;
	int32_t *order;                 /* shuffled agent ids */
	size_t order_cap;
	int32_t *roles_buf;             /* copy of a sort() result */
	size_t roles_buf_cap;
};

void mc_alloc_config_defaults(struct mc_alloc_config *c)
{
	memset(c, 0, sizeof *c);
	c->allocation_interval = MC_SEC;
	c->min_allocatable.n = 2;
	c->min_allocatable.alt[0].q[MC_RES_CPUS] = 10;       /* cpus:0.01 */
	c->min_allocatable.alt[1].q[MC_RES_MEM] = 32 * 1000; /* mem:32 */
	c->role_sorter = "drf";
	c->framework_sorter = "drf";
	c->filter_gpu_resources = true;
}

const char *mc_alloc_outcome_name(enum mc_alloc_outcome o)
{
	static const char *const names[] = {"offered", "filtered", "below min allocatable",
					    "quota limit reached", "headroom held",
					    "GPU agent, framework not GPU-capable",
					    "nothing left", "reservation of another role"};
	return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "?";
}

/* ---- helpers ------------------------------------------------------------------- */

static struct agent *agent_get(struct mc_allocator *a, int32_t id)
{
	return id >= 0 && (size_t)id < a->nagents && a->agents[id].known ? &a->agents[id] : NULL;
}

static struct fw *fw_get(struct mc_allocator *a, int32_t id)
{
	return id >= 0 && (size_t)id < a->nfws && a->fws[id].known ? &a->fws[id] : NULL;
}

static struct role *role_get(struct mc_allocator *a, int32_t id)
{
	if (id < 0)
		return NULL;
	if ((size_t)id >= a->nroles) {
		size_t old = a->nroles, n = old ? old : 8;
		while (n <= (size_t)id)
			n *= 2;
		a->roles = mc_xrealloc(a->roles, n * sizeof *a->roles);
		memset(a->roles + old, 0, (n - old) * sizeof *a->roles);
		for (size_t i = old; i < n; i++)
			a->roles[i].weight = 1.0;
		a->nroles = n;
	}
	return &a->roles[id];
}

static bool min_ok(const struct mc_min_allocatable *m, const struct mc_resources *r)
{
	struct mc_resvec sum;
	mc_resources_sum(r, &sum);
	if (m->n == 0)
		return !mc_resvec_is_zero(&sum);
	for (int i = 0; i < m->n; i++)
		if (mc_resvec_contains(&sum, &m->alt[i]))
			return true;
	return false;
}

static void trigger(struct mc_allocator *a, int32_t agent)
{
	if (a->paused)
		return;
	if (agent < 0) {
		a->all_candidates = true;
	} else if (!a->all_candidates && !a->agents[agent].candidate) {
		a->agents[agent].candidate = true;
		mc_xgrow(&a->cand, &a->cand_cap, a->ncand + 1, sizeof *a->cand);
		a->cand[a->ncand++] = agent;
	}
	if (!a->run_requested) {
		a->run_requested = true;
		a->host.request_run(a->host.ctx);
	}
}

static void explain(struct mc_allocator *a, mc_time_t now, int stage, int32_t agent, int32_t role,
		    int32_t fw, enum mc_alloc_outcome o, mc_time_t t, int32_t r)
{
	if (!a->host.explain)
		return;
	struct mc_explain e = {now, stage, agent, role, fw, o, t, r};
	a->host.explain(a->host.ctx, &e);
}

/* ---- lifecycle ----------------------------------------------------------------- */

static void periodic_fire(void *obj, uint64_t data)
{
	(void)data;
	struct mc_allocator *a = obj;
	a->periodic_timer = 0;
	a->periodic_waiting = true;
	a->all_candidates = true;
	if (!a->run_requested) {
		a->run_requested = true;
		a->host.request_run(a->host.ctx);
	}
}

struct mc_allocator *mc_alloc_new(const struct mc_alloc_config *cfg,
				  const struct mc_alloc_host *host, mc_time_t now)
{
	const struct mc_sorter_ops *rops = mc_sorter_lookup(cfg->role_sorter ? cfg->role_sorter : "drf");
	const struct mc_sorter_ops *fops =
		mc_sorter_lookup(cfg->framework_sorter ? cfg->framework_sorter : "drf");
	if (!rops || !fops)
		return NULL;
	struct mc_allocator *a = mc_xcalloc(1, sizeof *a);
	a->cfg = *cfg;
	a->host = *host;
	a->role_ops = rops;
	a->fw_ops = fops;
	a->roles_sorter = rops->new(cfg->fair_sharing_excluded, host->random, host->ctx);
	a->filter_free = -1;
	a->periodic_timer = host->timer_start(host->ctx, now + cfg->allocation_interval,
					      periodic_fire, a, 0);
	return a;
}

void mc_alloc_free(struct mc_allocator *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nagents; i++)
		free(a->agents[i].e);
	for (size_t i = 0; i < a->nfws; i++)
		free(a->fws[i].name);
	for (size_t i = 0; i < a->nroles; i++)
		if (a->roles[i].fws)
			a->fw_ops->free(a->roles[i].fws);
	a->role_ops->free(a->roles_sorter);
	free(a->agents);
	free(a->fws);
	free(a->roles);
	free(a->filters);
	free(a->cand);
	free(a->offers);
	free(a->out);
	free(a->order);
	free(a->roles_buf);
	free(a);
}

void mc_alloc_pause(struct mc_allocator *a, bool paused) { a->paused = paused; }

/* ---- totals and sorters ------------------------------------------------------------ */

static void totals_changed(struct mc_allocator *a)
{
	a->role_ops->set_total(a->roles_sorter, &a->total);
	for (size_t i = 0; i < a->nroles; i++)
		if (a->roles[i].fws)
			a->fw_ops->set_total(a->roles[i].fws, &a->total);
}

static struct entry *entry_get(struct agent *ag, int32_t fw, int32_t role, bool create)
{
	for (int i = 0; i < ag->ne; i++)
		if (ag->e[i].fw == fw && ag->e[i].role == role)
			return &ag->e[i];
	if (!create)
		return NULL;
	if (ag->ne == ag->cap) {
		ag->cap = ag->cap ? ag->cap * 2 : 4;
		ag->e = mc_xrealloc(ag->e, (size_t)ag->cap * sizeof *ag->e);
	}
	struct entry *e = &ag->e[ag->ne++];
	e->fw = fw;
	e->role = role;
	mc_resources_clear(&e->res);
	return e;
}

static void entry_drop_if_empty(struct agent *ag, struct entry *e)
{
	if (!mc_resources_is_empty(&e->res))
		return;
	*e = ag->e[--ag->ne];
}

/* Books `res` on (fw, role, agent) in the agent and both sorters. */
static void book(struct mc_allocator *a, struct agent *ag, int32_t fw, int32_t role,
		 const struct mc_resources *res)
{
	struct entry *e = entry_get(ag, fw, role, true);
	mc_resources_add(&e->res, res);
	mc_resources_add(&ag->used, res);
	struct mc_resvec sum;
	mc_resources_sum(res, &sum);
	struct role *r = role_get(a, role);
	if (a->role_ops->contains(a->roles_sorter, role))
		a->role_ops->allocated(a->roles_sorter, role, &sum);
	if (r->fws && a->fw_ops->contains(r->fws, fw))
		a->fw_ops->allocated(r->fws, fw, &sum);
}

static void unbook(struct mc_allocator *a, struct agent *ag, struct entry *e,
		   const struct mc_resources *res)
{
	int32_t fw = e->fw, role = e->role;
	mc_resources_subtract(&e->res, res);
	mc_resources_subtract(&ag->used, res);
	entry_drop_if_empty(ag, e);
	struct mc_resvec sum;
	mc_resources_sum(res, &sum);
	struct role *r = role_get(a, role);
	if (a->role_ops->contains(a->roles_sorter, role))
		a->role_ops->unallocated(a->roles_sorter, role, &sum);
	if (r->fws && a->fw_ops->contains(r->fws, fw))
		a->fw_ops->unallocated(r->fws, fw, &sum);
}

/* ---- filters ---------------------------------------------------------------------- */

static void filter_remove(struct mc_allocator *a, int32_t i)
{
	struct filter *f = &a->filters[i];
	if (f->timer)
		a->host.timer_cancel(a->host.ctx, f->timer);
	f->timer = 0;
	f->live = false;
	f->gen++;
	f->next_free = a->filter_free;
	a->filter_free = i;
}

static void filter_expire(void *obj, uint64_t data)
{
	struct mc_allocator *a = obj;
	int32_t i = (int32_t)(uint32_t)data;
	struct filter *f = &a->filters[i];
	if (!f->live || f->gen != (uint32_t)(data >> 32))
		return;
	f->timer = 0;
	filter_remove(a, i);
	a->dirty = true;
}

static void filter_add(struct mc_allocator *a, mc_time_t now, int32_t fw, int32_t role,
		       int32_t agent, const struct mc_resvec *refused, mc_time_t refuse)
{
	int32_t i;
	if (a->filter_free >= 0) {
		i = a->filter_free;
		a->filter_free = a->filters[i].next_free;
	} else {
		mc_xgrow(&a->filters, &a->filters_cap, a->nfilters + 1, sizeof *a->filters);
		i = (int32_t)a->nfilters++;
		a->filters[i].gen = 0;
	}
	struct filter *f = &a->filters[i];
	f->live = true;
	f->fw = fw;
	f->role = role;
	f->agent = agent;
	f->refused = *refused;
	mc_time_t d = refuse > a->cfg.allocation_interval ? refuse : a->cfg.allocation_interval;
	f->expires = now + d;
	f->timer = a->host.timer_start(a->host.ctx, f->expires, filter_expire, a,
				       ((uint64_t)f->gen << 32) | (uint32_t)i);
}

/* The filter hiding `offer` from (fw, role, agent), or NULL. */
static const struct filter *filtered(const struct mc_allocator *a, int32_t fw, int32_t role,
				     int32_t agent, const struct mc_resvec *offer)
{
	for (size_t i = 0; i < a->nfilters; i++) {
		const struct filter *f = &a->filters[i];
		if (f->live && f->agent == agent && f->fw == fw && f->role == role &&
		    mc_resvec_contains(&f->refused, offer))
			return f;
	}
	return NULL;
}

static void filters_clear(struct mc_allocator *a, int32_t fw, int32_t role, int32_t agent)
{
	for (size_t i = 0; i < a->nfilters; i++) {
		struct filter *f = &a->filters[i];
		if (f->live && (fw < 0 || f->fw == fw) && (role < 0 || f->role == role) &&
		    (agent < 0 || f->agent == agent))
			filter_remove(a, (int32_t)i);
	}
}

/* ---- agents ------------------------------------------------------------------------ */

int mc_alloc_add_agent(struct mc_allocator *a, mc_time_t now, int32_t id,
		       const struct mc_resources *total)
{
	(void)now;
	if (id < 0)
		return MC_EINVAL;
	if ((size_t)id >= a->nagents) {
		size_t old = a->nagents, n = old ? old : 64;
		while (n <= (size_t)id)
			n *= 2;
		a->agents = mc_xrealloc(a->agents, n * sizeof *a->agents);
		memset(a->agents + old, 0, (n - old) * sizeof *a->agents);
		a->nagents = n;
	}
	struct agent *ag = &a->agents[id];
	if (ag->known)
		return MC_EEXIST;
	ag->known = true;
	ag->active = true;
	ag->total = *total;
	mc_resources_clear(&ag->used);
	ag->ne = 0;
	struct mc_resvec sum;
	mc_resources_sum(total, &sum);
	ag->gpu = sum.q[MC_RES_GPUS] > 0;
	mc_resvec_add(&a->total, &sum);
	totals_changed(a);
	a->dirty = true;
	trigger(a, id);
	return 0;
}

int mc_alloc_add_used(struct mc_allocator *a, int32_t agent, int32_t fw, int32_t role,
		      const struct mc_resources *used)
{
	struct agent *ag = agent_get(a, agent);
	if (!ag)
		return MC_ENOENT;
	book(a, ag, fw, role, used);
	return 0;
}

int mc_alloc_remove_agent(struct mc_allocator *a, mc_time_t now, int32_t id)
{
	(void)now;
	struct agent *ag = agent_get(a, id);
	if (!ag)
		return MC_ENOENT;
	while (ag->ne) {
		struct entry *e = &ag->e[ag->ne - 1];
		struct mc_resources r = e->res;
		unbook(a, ag, e, &r);
	}
	filters_clear(a, -1, -1, id);
	struct mc_resvec sum;
	mc_resources_sum(&ag->total, &sum);
	mc_resvec_sub(&a->total, &sum);
	ag->known = false;
	if (ag->candidate) {
		for (size_t i = 0; i < a->ncand; i++)
			if (a->cand[i] == id)
				a->cand[i] = a->cand[--a->ncand];
		ag->candidate = false;
	}
	totals_changed(a);
	a->dirty = true;
	return 0;
}

int mc_alloc_update_agent(struct mc_allocator *a, mc_time_t now, int32_t id,
			  const struct mc_resources *total)
{
	(void)now;
	struct agent *ag = agent_get(a, id);
	if (!ag)
		return MC_ENOENT;
	if (mc_resources_equal(&ag->total, total))
		return 0;
	struct mc_resvec s;
	mc_resources_sum(&ag->total, &s);
	mc_resvec_sub(&a->total, &s);
	ag->total = *total;
	mc_resources_sum(total, &s);
	mc_resvec_add(&a->total, &s);
	ag->gpu = s.q[MC_RES_GPUS] > 0;
	totals_changed(a);
	a->dirty = true;
	trigger(a, id);
	return 0;
}

int mc_alloc_activate_agent(struct mc_allocator *a, int32_t id, bool active)
{
	struct agent *ag = agent_get(a, id);
	if (!ag)
		return MC_ENOENT;
	ag->active = active;
	a->dirty = true;
	return 0;
}

int mc_alloc_reserve(struct mc_allocator *a, int32_t id, int32_t role, const struct mc_resvec *q)
{
	struct agent *ag = agent_get(a, id);
	if (!ag)
		return MC_ENOENT;
	struct mc_resvec free_unres = ag->total.unres;
	mc_resvec_sub(&free_unres, &ag->used.unres);
	if (!mc_resvec_contains(&free_unres, q))
		return MC_EINSUFFICIENT;
	struct mc_resources t = ag->total;
	mc_resvec_sub(&t.unres, q);
	if (mc_resources_add_reserved(&t, role, q))
		return MC_ENOSPC;
	ag->total = t;
	a->dirty = true;
	return 0;
}

/* ---- frameworks --------------------------------------------------------------------- */

static void role_track_fw(struct mc_allocator *a, int32_t role, struct fw *f, int32_t fw)
{
	struct role *r = role_get(a, role);
	if (r->nfws++ == 0) {
		a->role_ops->add(a->roles_sorter, role, mc_role_name(role));
		a->role_ops->set_weight(a->roles_sorter, role, r->weight);
		a->role_ops->activate(a->roles_sorter, role);
		if (!r->fws) {
			r->fws = a->fw_ops->new(a->cfg.fair_sharing_excluded, a->host.random,
						a->host.ctx);
			a->fw_ops->set_total(r->fws, &a->total);
		}
	}
	a->fw_ops->add(r->fws, fw, f->name);
}

int mc_alloc_add_framework(struct mc_allocator *a, mc_time_t now, int32_t id, const char *name,
			   const int32_t *roles, int nroles, unsigned caps, bool active,
			   const struct mc_min_allocatable *min_alloc)
{
	(void)now;
	if (id < 0 || nroles < 1 || nroles > MC_ALLOC_MAX_ROLES)
		return MC_EINVAL;
	if ((size_t)id >= a->nfws) {
		size_t old = a->nfws, n = old ? old : 16;
		while (n <= (size_t)id)
			n *= 2;
		a->fws = mc_xrealloc(a->fws, n * sizeof *a->fws);
		memset(a->fws + old, 0, (n - old) * sizeof *a->fws);
		a->nfws = n;
	}
	struct fw *f = &a->fws[id];
	if (f->known)
		return MC_EEXIST;
	memset(f, 0, sizeof *f);
	f->known = true;
	char buf[24];
	if (!name) {
		snprintf(buf, sizeof buf, "framework%d", (int)id);
		name = buf;
	}
	f->name = mc_xstrdup(name);
	f->nroles = nroles;
	memcpy(f->roles, roles, (size_t)nroles * sizeof *roles);
	f->caps = caps;
	if (min_alloc) {
		f->has_min = true;
		f->min = *min_alloc;
	}
	for (int i = 0; i < nroles; i++)
		role_track_fw(a, roles[i], f, id);
	/* Resources booked for it before it was known (add_used) now count. */
	for (size_t g = 0; g < a->nagents; g++) {
		struct agent *ag = &a->agents[g];
		for (int k = 0; ag->known && k < ag->ne; k++)
			if (ag->e[k].fw == id) {
				struct mc_resvec s;
				mc_resources_sum(&ag->e[k].res, &s);
				struct role *r = role_get(a, ag->e[k].role);
				a->role_ops->allocated(a->roles_sorter, ag->e[k].role, &s);
				a->fw_ops->allocated(r->fws, id, &s);
			}
	}
	a->dirty = true;
	if (active)
		mc_alloc_activate_framework(a, now, id);
	return 0;
}

int mc_alloc_remove_framework(struct mc_allocator *a, mc_time_t now, int32_t id)
{
	(void)now;
	struct fw *f = fw_get(a, id);
	if (!f)
		return MC_ENOENT;
	for (size_t g = 0; g < a->nagents; g++) {
		struct agent *ag = &a->agents[g];
		for (int k = ag->known ? ag->ne : 0; k-- > 0;)
			if (ag->e[k].fw == id) {
				struct mc_resources r = ag->e[k].res;
				unbook(a, ag, &ag->e[k], &r);
			}
	}
	filters_clear(a, id, -1, -1);
	for (int i = 0; i < f->nroles; i++) {
		struct role *r = role_get(a, f->roles[i]);
		a->fw_ops->remove(r->fws, id);
		if (--r->nfws == 0)
			a->role_ops->remove(a->roles_sorter, f->roles[i]);
	}
	free(f->name);
	memset(f, 0, sizeof *f);
	a->dirty = true;
	return 0;
}

static void fw_set_active(struct mc_allocator *a, struct fw *f, int32_t id)
{
	for (int i = 0; i < f->nroles; i++) {
		struct role *r = role_get(a, f->roles[i]);
		if (f->active && !f->suppressed[i])
			a->fw_ops->activate(r->fws, id);
		else
			a->fw_ops->deactivate(r->fws, id);
	}
}

int mc_alloc_activate_framework(struct mc_allocator *a, mc_time_t now, int32_t id)
{
	(void)now;
	struct fw *f = fw_get(a, id);
	if (!f)
		return MC_ENOENT;
	f->active = true;
	fw_set_active(a, f, id);
	a->dirty = true;
	trigger(a, -1);
	return 0;
}

int mc_alloc_deactivate_framework(struct mc_allocator *a, mc_time_t now, int32_t id)
{
	(void)now;
	struct fw *f = fw_get(a, id);
	if (!f)
		return MC_ENOENT;
	f->active = false;
	fw_set_active(a, f, id);
	filters_clear(a, id, -1, -1);
	return 0;
}

static int set_suppressed(struct mc_allocator *a, int32_t id, const int32_t *roles, int nroles,
			  bool suppressed, bool clear_filters)
{
	struct fw *f = fw_get(a, id);
	if (!f)
		return MC_ENOENT;
	for (int i = 0; i < f->nroles; i++) {
		bool hit = nroles == 0;
		for (int k = 0; k < nroles && !hit; k++)
			hit = roles[k] == f->roles[i];
		if (!hit)
			continue;
		f->suppressed[i] = suppressed;
		if (clear_filters)
			filters_clear(a, id, f->roles[i], -1);
	}
	fw_set_active(a, f, id);
	return 0;
}

int mc_alloc_suppress(struct mc_allocator *a, mc_time_t now, int32_t id, const int32_t *roles,
		      int nroles)
{
	(void)now;
	return set_suppressed(a, id, roles, roles ? nroles : 0, true, false);
}

int mc_alloc_revive(struct mc_allocator *a, mc_time_t now, int32_t id, const int32_t *roles,
		    int nroles)
{
	(void)now;
	int rc = set_suppressed(a, id, roles, roles ? nroles : 0, false, true);
	if (rc)
		return rc;
	a->dirty = true;
	trigger(a, -1);
	return 0;
}

/* ---- offers and allocations ------------------------------------------------------------ */

int mc_alloc_recover(struct mc_allocator *a, mc_time_t now, int32_t fw, int32_t role,
		     int32_t agent, const struct mc_resources *res, mc_time_t refuse)
{
	struct agent *ag = agent_get(a, agent);
	if (!ag)
		return MC_ENOENT;
	struct entry *e = entry_get(ag, fw, role, false);
	if (!e || !mc_resources_contains(&e->res, res))
		return MC_EINSUFFICIENT;
	unbook(a, ag, e, res);
	if (refuse > 0 && fw_get(a, fw)) {
		struct mc_resvec sum;
		mc_resources_sum(res, &sum);
		filter_add(a, now, fw, role, agent, &sum, refuse);
	}
	a->dirty = true;
	return 0;
}

int mc_alloc_launch(struct mc_allocator *a, mc_time_t now, int32_t fw, int32_t role,
		    int32_t agent, const struct mc_resources *res)
{
	(void)now;
	struct agent *ag = agent_get(a, agent);
	if (!ag)
		return MC_ENOENT;
	struct entry *e = entry_get(ag, fw, role, false);
	return e && mc_resources_contains(&e->res, res) ? 0 : MC_EINSUFFICIENT;
}

/* ---- quota and weights ------------------------------------------------------------------- */

int mc_alloc_set_quota(struct mc_allocator *a, int32_t role, const struct mc_resvec *guarantee,
		       const struct mc_resvec *limit)
{
	struct role *r = role_get(a, role);
	if (!r || mc_role_parent(role) != MC_ROLE_NONE)
		return MC_EINVAL;
	mc_resvec_clear(&r->guarantee);
	if (guarantee)
		r->guarantee = *guarantee;
	r->has_guarantee = guarantee && !mc_resvec_is_zero(guarantee);
	r->has_limit = limit != NULL;
	if (limit)
		r->limit = *limit;
	a->dirty = true;
	return 0;
}

int mc_alloc_set_weight(struct mc_allocator *a, int32_t role, double weight)
{
	struct role *r = role_get(a, role);
	if (!r || !(weight > 0))
		return MC_EINVAL;
	r->weight = weight;
	if (a->role_ops->contains(a->roles_sorter, role))
		a->role_ops->set_weight(a->roles_sorter, role, weight);
	a->dirty = true;
	return 0;
}

/* ---- the run ------------------------------------------------------------------------------ */

/* Quota consumption of top-level role `top`: offered or allocated
 * unreserved scalars of its subtree, plus all reservations of its subtree
 * (allocated or not). O(agents x entries). */
static void consumed_of(const struct mc_allocator *a, int32_t top, struct mc_resvec *out)
{
	mc_resvec_clear(out);
	for (size_t g = 0; g < a->nagents; g++) {
		const struct agent *ag = &a->agents[g];
		if (!ag->known)
			continue;
		for (int k = 0; k < ag->ne; k++)
			if (mc_role_top(ag->e[k].role) == top)
				mc_resvec_add(out, &ag->e[k].res.unres);
		for (int k = 0; k < ag->total.nresv; k++)
			if (mc_role_top(ag->total.resv_role[k]) == top)
				mc_resvec_add(out, &ag->total.resv[k]);
	}
}

struct quota_state {
	bool any;
	struct mc_resvec *consumed; /* per role id (top-level roles with quota) */
	struct mc_resvec required;  /* sum of unmet guarantees */
	struct mc_resvec headroom;  /* unreserved, unallocated scalars */
};

static void quota_setup(struct mc_allocator *a, struct quota_state *q)
{
	q->any = false;
	mc_resvec_clear(&q->required);
	for (size_t i = 0; i < a->nroles; i++)
		if (a->roles[i].has_guarantee || a->roles[i].has_limit)
			q->any = true;
	if (!q->any)
		return;
	q->consumed = mc_xcalloc(a->nroles, sizeof *q->consumed);
	for (size_t i = 0; i < a->nroles; i++) {
		struct role *r = &a->roles[i];
		if (!r->has_guarantee && !r->has_limit)
			continue;
		consumed_of(a, (int32_t)i, &q->consumed[i]);
		if (r->has_guarantee) {
			struct mc_resvec unmet = r->guarantee;
			mc_resvec_sub(&unmet, &q->consumed[i]);
			mc_resvec_clamp0(&unmet);
			mc_resvec_add(&q->required, &unmet);
		}
	}
	mc_resvec_clear(&q->headroom);
	for (size_t g = 0; g < a->nagents; g++) {
		const struct agent *ag = &a->agents[g];
		if (!ag->known)
			continue;
		struct mc_resvec f = ag->total.unres;
		mc_resvec_sub(&f, &ag->used.unres);
		mc_resvec_add(&q->headroom, &f);
	}
}

/* Updates consumption and headroom after `off` went to `role`. */
static void quota_account(struct mc_allocator *a, struct quota_state *q, int32_t role,
			  const struct mc_resources *off)
{
	if (!q->any)
		return;
	int32_t top = mc_role_top(role);
	struct role *r = &a->roles[top];
	if (r->has_guarantee) {
		struct mc_resvec before = r->guarantee;
		mc_resvec_sub(&before, &q->consumed[top]);
		mc_resvec_clamp0(&before);
		mc_resvec_add(&q->consumed[top], &off->unres);
		struct mc_resvec after = r->guarantee;
		mc_resvec_sub(&after, &q->consumed[top]);
		mc_resvec_clamp0(&after);
		mc_resvec_sub(&q->required, &before);
		mc_resvec_add(&q->required, &after);
	} else if (r->has_limit) {
		mc_resvec_add(&q->consumed[top], &off->unres);
	}
	mc_resvec_sub(&q->headroom, &off->unres);
}

/* What `role` may get on the agent now: unreserved plus reservations of the
 * role and its ancestors, minus what is offered or allocated. */
static void available_for(const struct agent *ag, int32_t role, struct mc_resources *out)
{
	*out = ag->total;
	mc_resources_allocatable_to(out, role);
	struct mc_resources used = ag->used;
	mc_resources_allocatable_to(&used, role);
	mc_resvec_sub(&out->unres, &used.unres);
	for (int i = 0; i < used.nresv; i++)
		for (int k = 0; k < out->nresv; k++)
			if (out->resv_role[k] == used.resv_role[i])
				mc_resvec_sub(&out->resv[k], &used.resv[i]);
	struct mc_resources z;
	mc_resources_clear(&z);
	mc_resources_add(out, &z); /* no-op add keeps the invariants */
	for (int k = 0; k < out->nresv; k++)
		mc_resvec_clamp0(&out->resv[k]);
	mc_resvec_clamp0(&out->unres);
}

static void record_offer(struct mc_allocator *a, int32_t fw, int32_t role, int32_t agent,
			 const struct mc_resources *res)
{
	for (size_t i = a->noffers; i-- > 0;) {
		struct pending_offer *p = &a->offers[i];
		if (p->o.agent != agent)
			break; /* offers of one agent are contiguous within a stage */
		if (p->fw == fw && p->o.role == role) {
			mc_resources_add(&p->o.resources, res);
			return;
		}
	}
	for (size_t i = 0; i < a->noffers; i++) {
		struct pending_offer *p = &a->offers[i];
		if (p->fw == fw && p->o.role == role && p->o.agent == agent) {
			mc_resources_add(&p->o.resources, res);
			return;
		}
	}
	mc_xgrow(&a->offers, &a->offers_cap, a->noffers + 1, sizeof *a->offers);
	struct pending_offer *p = &a->offers[a->noffers++];
	p->fw = fw;
	p->o.agent = agent;
	p->o.role = role;
	p->o.resources = *res;
}

static void shuffle(struct mc_allocator *a, int32_t *v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = a->host.random(a->host.ctx) % i;
		int32_t t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

static void allocate_agent(struct mc_allocator *a, mc_time_t now, int stage, int32_t agent,
			   struct quota_state *q)
{
	struct agent *ag = &a->agents[agent];
	if (!ag->known || !ag->active)
		return;
	size_t nr;
	const int32_t *rs = a->role_ops->sort(a->roles_sorter, &nr);
	mc_xgrow(&a->roles_buf, &a->roles_buf_cap, nr + 1, sizeof *a->roles_buf);
	memcpy(a->roles_buf, rs, nr * sizeof *rs);
	for (size_t ri = 0; ri < nr; ri++) {
		int32_t role = a->roles_buf[ri];
		struct role *r = &a->roles[role];
		int32_t top = mc_role_top(role);
		struct role *tr = &a->roles[top];
		if (stage == 1) {
			if (!tr->has_guarantee || !q->any)
				continue;
			struct mc_resvec unmet = tr->guarantee;
			mc_resvec_sub(&unmet, &q->consumed[top]);
			mc_resvec_clamp0(&unmet);
			if (mc_resvec_is_zero(&unmet))
				continue;
		}
		size_t nf;
		const int32_t *fs = a->fw_ops->sort(r->fws, &nf);
		for (size_t fi = 0; fi < nf; fi++) {
			int32_t fw = fs[fi];
			struct fw *f = &a->fws[fw];
			struct mc_resources avail;
			available_for(ag, role, &avail);
			if (mc_resources_is_empty(&avail)) {
				explain(a, now, stage, agent, role, fw, MC_OUTCOME_NOTHING_LEFT, 0, -1);
				break;
			}
			const struct mc_min_allocatable *min = f->has_min ? &f->min : &a->cfg.min_allocatable;
			if (!min_ok(min, &avail)) {
				explain(a, now, stage, agent, role, fw, MC_OUTCOME_BELOW_MIN, 0, -1);
				continue;
			}
			if (a->cfg.filter_gpu_resources && ag->gpu && !(f->caps & MC_CAP_GPU_RESOURCES)) {
				explain(a, now, stage, agent, role, fw, MC_OUTCOME_GPU, 0, -1);
				continue;
			}
			struct mc_resources off = avail;
			enum mc_alloc_outcome chopped = MC_OUTCOME_OFFERED;
			if (q->any) {
				struct mc_resvec cap;
				if (stage == 1) {
					/* guaranteed part: unreserved scalars up to the unmet
					 * guarantee (names not guaranteed are dropped), plus the
					 * extra part below, bounded by limit and headroom */
					struct mc_resvec unmet = tr->guarantee;
					mc_resvec_sub(&unmet, &q->consumed[top]);
					mc_resvec_clamp0(&unmet);
					struct mc_resvec g = avail.unres;
					for (int i = 0; i < MC_RES_MAX; i++)
						if (mc_res_kind_of(i) == MC_RES_SCALAR && g.q[i] > unmet.q[i])
							g.q[i] = unmet.q[i];
					bool any = false;
					for (int i = 0; i < MC_RES_MAX; i++)
						any |= mc_res_kind_of(i) == MC_RES_SCALAR && g.q[i] > 0;
					if (!any)
						continue;
					struct mc_resvec extra = avail.unres;
					mc_resvec_sub(&extra, &g);
					struct mc_resvec room;
					mc_resvec_clear(&room);
					for (int i = 0; i < MC_RES_MAX; i++)
						room.q[i] = INT64_MAX / 4;
					if (tr->has_limit) {
						room = tr->limit;
						mc_resvec_sub(&room, &q->consumed[top]);
						mc_resvec_sub(&room, &g);
						mc_resvec_clamp0(&room);
					}
					struct mc_resvec hr = q->headroom;
					mc_resvec_sub(&hr, &q->required);
					mc_resvec_sub(&hr, &g);
					struct mc_resvec unmet_after = unmet;
					mc_resvec_sub(&unmet_after, &g);
					mc_resvec_add(&hr, &unmet); /* this role's own need is in required */
					mc_resvec_sub(&hr, &unmet_after);
					mc_resvec_clamp0(&hr);
					mc_resvec_min(&room, &hr);
					for (int i = 0; i < MC_RES_MAX; i++)
						if (mc_res_kind_of(i) == MC_RES_SCALAR) {
							if (extra.q[i] > room.q[i])
								extra.q[i] = room.q[i];
							off.unres.q[i] = g.q[i] + extra.q[i];
						}
				} else {
					if (tr->has_limit) {
						cap = tr->limit;
						mc_resvec_sub(&cap, &q->consumed[top]);
						mc_resvec_clamp0(&cap);
						struct mc_resvec before = off.unres;
						mc_resources_shrink_unreserved(&off, &cap);
						if (!mc_resvec_equal(&before, &off.unres))
							chopped = MC_OUTCOME_QUOTA_LIMIT;
					}
					struct mc_resvec hr = q->headroom;
					mc_resvec_sub(&hr, &q->required);
					mc_resvec_clamp0(&hr);
					if (!mc_resvec_is_zero(&q->required)) {
						struct mc_resvec before = off.unres;
						mc_resources_shrink_unreserved(&off, &hr);
						if (!mc_resvec_equal(&before, &off.unres) &&
						    chopped == MC_OUTCOME_OFFERED)
							chopped = MC_OUTCOME_HEADROOM;
					}
				}
			}
			if (mc_resources_is_empty(&off) || !min_ok(min, &off)) {
				explain(a, now, stage, agent, role, fw,
					chopped != MC_OUTCOME_OFFERED ? chopped : MC_OUTCOME_BELOW_MIN, 0,
					-1);
				continue;
			}
			struct mc_resvec offsum;
			mc_resources_sum(&off, &offsum);
			const struct filter *flt = filtered(a, fw, role, agent, &offsum);
			if (flt) {
				explain(a, now, stage, agent, role, fw, MC_OUTCOME_FILTERED, flt->expires, -1);
				continue;
			}
			explain(a, now, stage, agent, role, fw, MC_OUTCOME_OFFERED, 0, -1);
			book(a, ag, fw, role, &off);
			quota_account(a, q, role, &off);
			record_offer(a, fw, role, agent, &off);
			/* the framework sorter moved; re-read it */
			fs = a->fw_ops->sort(r->fws, &nf);
			fi = (size_t)-1;
		}
	}
}

static void emit_offers(struct mc_allocator *a)
{
	if (!a->noffers)
		return;
	mc_xgrow(&a->out, &a->out_cap, a->noffers, sizeof *a->out);
	/* group by framework in order of first offer (stable) */
	size_t done = 0;
	while (done < a->noffers) {
		int32_t fw = -1;
		size_t n = 0;
		for (size_t i = 0; i < a->noffers; i++) {
			if (a->offers[i].fw < 0)
				continue;
			if (fw < 0)
				fw = a->offers[i].fw;
			if (a->offers[i].fw == fw) {
				a->out[n++] = a->offers[i].o;
				a->offers[i].fw = -1;
			}
		}
		done += n;
		a->host.offer(a->host.ctx, fw, a->out, n);
	}
	a->noffers = 0;
}

void mc_alloc_run(struct mc_allocator *a, mc_time_t now)
{
	a->run_requested = false;
	a->runs++;
	bool periodic = a->periodic_waiting;
	a->periodic_waiting = false;
	size_t n = 0;
	if (a->all_candidates) {
		mc_xgrow(&a->order, &a->order_cap, a->nagents + 1, sizeof *a->order);
		for (size_t g = 0; g < a->nagents; g++)
			if (a->agents[g].known)
				a->order[n++] = (int32_t)g;
	} else {
		mc_xgrow(&a->order, &a->order_cap, a->ncand + 1, sizeof *a->order);
		for (size_t i = 0; i < a->ncand; i++)
			a->order[n++] = a->cand[i];
	}
	for (size_t i = 0; i < a->ncand; i++)
		a->agents[a->cand[i]].candidate = false;
	a->ncand = 0;
	a->all_candidates = false;
	if (a->dirty || !periodic || a->host.explain) {
		a->dirty = false;
		struct quota_state q = {0};
		quota_setup(a, &q);
		if (q.any) {
			shuffle(a, a->order, n);
			for (size_t i = 0; i < n; i++)
				allocate_agent(a, now, 1, a->order[i], &q);
		}
		shuffle(a, a->order, n);
		for (size_t i = 0; i < n; i++)
			allocate_agent(a, now, 2, a->order[i], &q);
		free(q.consumed);
		emit_offers(a);
	}
	if (periodic)
		a->periodic_timer = a->host.timer_start(a->host.ctx, now + a->cfg.allocation_interval,
							periodic_fire, a, 0);
}

/* ---- queries ------------------------------------------------------------------------------- */

void mc_alloc_framework_allocation(const struct mc_allocator *a, int32_t fw, struct mc_resvec *out)
{
	mc_resvec_clear(out);
	for (size_t g = 0; g < a->nagents; g++) {
		const struct agent *ag = &a->agents[g];
		for (int k = 0; ag->known && k < ag->ne; k++)
			if (ag->e[k].fw == fw) {
				struct mc_resvec s;
				mc_resources_sum(&ag->e[k].res, &s);
				mc_resvec_add(out, &s);
			}
	}
}

const struct mc_resvec *mc_alloc_total(const struct mc_allocator *a) { return &a->total; }

double mc_alloc_role_share(const struct mc_allocator *a, int32_t role)
{
	if (!a->role_ops->contains(a->roles_sorter, role))
		return 0;
	return a->role_ops->share(a->roles_sorter, role);
}

double mc_alloc_framework_share(const struct mc_allocator *a, int32_t fw)
{
	const struct fw *f = fw >= 0 && (size_t)fw < a->nfws && a->fws[fw].known ? &a->fws[fw] : NULL;
	if (!f)
		return 0;
	struct role *r = &a->roles[f->roles[0]];
	return a->fw_ops->share(r->fws, fw);
}

uint64_t mc_alloc_runs(const struct mc_allocator *a) { return a->runs; }
