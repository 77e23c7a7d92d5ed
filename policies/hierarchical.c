/*
 * hierarchical.c - Mesos's hierarchical allocator
 * (src/master/allocator/mesos/hierarchical.cpp; behaviour in
 * shared/reference/mesos-allocator.md and docs/allocator.md).
 *
 * State: per agent its total, what is offered or allocated on it (`used`),
 * what is free (`total - used`, per reservation slot), and one entry per
 * (framework, role) holding something there (offered and allocated kept
 * apart); per role a framework sorter, its quota and its quota consumption
 * (kept incrementally); one hierarchical role sorter over the roles that
 * have frameworks; refuse filters in a pool, found through a hash on
 * (agent, framework) and linked per agent and per framework, each with its
 * expiry timer at the host.
 *
 * Invariants: `used` = the sum of the entries; `free` = total - used;
 * an agent is in `freeset` iff it is known and `free` is non-empty; every
 * entry of a known framework is booked in the role sorter and the role's
 * framework sorter; `res_unres[top]` = the offered/allocated unreserved
 * scalars of the subtree of top-level role `top`; `resv_total[top]` = all
 * reservations of that subtree on known agents; `free_unres` = the sum over
 * agents of free unreserved scalars (the available headroom).
 *
 * A run: the candidates that have something free are shuffled; stage 1
 * serves unmet quota guarantees, stage 2 (re-shuffled) everyone; per agent,
 * roles in role-sorter order, frameworks in that role's sorter order, each
 * offered everything the role may use on the agent, chopped only by quota
 * limits and headroom. Offers count in the sorters the moment they are
 * made; grants of one (framework, role, agent) in both stages merge into
 * one offer. Nothing is allocated inside a run once buffers are warm.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesocosm/error.h"
#include "mesocosm/sorter.h"
#include "policies/alloc_int.h"

#define MAX_REFUSE (365LL * 24 * MC_HOUR)

struct entry {
	int32_t fw, role;
	int32_t pend_idx; /* its offer in this run, if pend_run matches */
	uint64_t pend_run;
	struct mc_resources held;      /* offered + allocated */
	struct mc_resources allocated; /* offered = held - allocated */
};

struct agent {
	/* what a run's candidate scan reads comes first: one cache line */
	bool known, active, gpu;
	int32_t free_pos; /* index in freeset, or -1 */
	int32_t filters;   /* head of this agent's filter list */
	uint64_t cand_run; /* serial of the run it is a candidate for */
	struct entry *e;
	uint64_t *ekey; /* ekey[i]: e[i]'s (fw, role), searched without touching e */
	int ne, ecap;
	struct mc_resources total, used, free;
};

struct filter {
	bool live;
	uint32_t gen;
	int32_t fw, role, agent;
	struct mc_resvec unres, resv; /* refused: unreserved, reservations summed */
	mc_time_t expires;
	uint64_t timer;
	int32_t knext, kprev; /* chain of one (agent, framework) key */
	int32_t anext, aprev; /* the agent's filters */
	int32_t fnext, fprev; /* the framework's filters */
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
	int32_t filters; /* head of its filter list */
	uint64_t pend_run;
	int32_t pend_head, pend_tail;
};

struct role {
	int nfws;
	struct mc_sorter *fws;
	int32_t *fwlist; /* its frameworks (explain mode lists the inactive) */
	int nfwlist, fwcap;
	bool has_guarantee, has_limit;
	struct mc_resvec guarantee, limit;
	bool limited[MC_RES_MAX];
	struct mc_resvec res_unres;  /* top-level: offered/allocated unreserved scalars */
	struct mc_resvec resv_total; /* top-level: all reservations of the subtree */
};

struct pending {
	int32_t fw, next;
	struct mc_offer o;
};

/*
 * An agent with free resources, as a run's candidate scan reads it: 24
 * bytes, so the scan over a large cell stays in cache. Quiet: the agent's
 * last visit offered nothing, and nothing that could change that has
 * happened since (its free resources, its filters, or - through
 * quiet_serial - the set of frameworks that may be offered). Runs skip a
 * quiet agent until quiet_until (its next filter expiry); 0 = not quiet.
 */
struct freeslot {
	int32_t agent;
	bool active; /* mirrors the agent's */
	uint64_t quiet_serial;
	mc_time_t quiet_until;
};

struct hslot {
	uint64_t key; /* (agent << 32 | fw) + 1; 0 = empty */
	int32_t head;
};

struct hier {
	struct mc_allocator base;
	struct mc_alloc_config cfg;
	struct mc_alloc_host host;
	const struct mc_sorter_ops *role_ops, *fw_ops;
	struct mc_sorter *rsorter;
	bool scalar[MC_RES_MAX]; /* refreshed per run from the name table */

	struct agent *agents;
	size_t nagents;
	struct freeslot *freeset;
	size_t nfree, freecap;
	struct fw *fws;
	size_t nfws;
	struct role *roles;
	size_t nroles;
	int32_t *quota_roles; /* top-level roles with a guarantee or a limit */
	size_t nquota, quotacap;
	size_t unknown_used; /* entries of frameworks not yet added */

	struct filter *filters;
	size_t nfilters, filters_cap;
	int32_t filter_free;
	struct hslot *hash;
	size_t hcap, hcount;

	struct mc_resvec total;      /* every agent's total, summed */
	struct mc_resvec free_unres; /* available headroom */

	int32_t *cand;
	size_t ncand, cand_cap;
	bool all_candidates;
	bool run_requested, periodic_due, paused, dirty;
	uint64_t periodic_timer; /* host id of the armed periodic timer, 0 = none */
	uint64_t runs, skipped, run_serial;
	mc_time_t now;

	/* per-run quota state */
	struct mc_resvec required; /* sum of unmet guarantees */
	bool any_quota;
	uint64_t offer_serial;  /* bumped when a framework may newly take offers */
	uint64_t offers_recorded; /* offers recorded, ever (quiet detection) */

	struct pending *pend;
	size_t npend, pend_cap;
	int32_t *touched;
	size_t ntouched, touched_cap;
	struct mc_offer *out;
	size_t out_cap;
	int32_t *order;
	size_t order_cap;
	int32_t *roles_buf;
	size_t roles_buf_cap;
	struct mc_resources scratch; /* mc_alloc_held(offered_only) result */
};

#define H(a)  ((struct hier *)(a))
#define CH(a) ((const struct hier *)(a))

/* ---- small helpers ------------------------------------------------------------ */

static struct agent *agent_get(struct hier *h, int32_t id)
{
	return id >= 0 && (size_t)id < h->nagents && h->agents[id].known ? &h->agents[id] : NULL;
}

static struct fw *fw_get(struct hier *h, int32_t id)
{
	return id >= 0 && (size_t)id < h->nfws && h->fws[id].known ? &h->fws[id] : NULL;
}

static struct role *role_get(struct hier *h, int32_t id)
{
	MC_ASSERT(id >= 0);
	if ((size_t)id >= h->nroles) {
		size_t old = h->nroles, n = old ? old : 16;
		while (n <= (size_t)id)
			n *= 2;
		h->roles = mc_xrealloc(h->roles, n * sizeof *h->roles);
		memset(h->roles + old, 0, (n - old) * sizeof *h->roles);
		h->nroles = n;
	}
	return &h->roles[id];
}

static void refresh_scalar(struct hier *h)
{
	for (int i = 0; i < MC_RES_MAX; i++)
		h->scalar[i] = mc_res_kind_of(i) == MC_RES_SCALAR;
}

/* The scalar part of a vector (RANGES and SETs zeroed). */
static void scalars_of(const struct hier *h, const struct mc_resvec *v, struct mc_resvec *out)
{
	for (int i = 0; i < MC_RES_MAX; i++)
		out->q[i] = h->scalar[i] ? v->q[i] : 0;
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

static void request(struct hier *h)
{
	if (!h->run_requested) {
		h->run_requested = true;
		h->host.request_run(h->host.ctx);
	}
}

/* A trigger: agent >= 0 for that agent, -1 for all agents. */
static void trigger(struct hier *h, int32_t agent)
{
	h->dirty = true; /* the state changed even when the trigger is dropped */
	if (agent < 0)
		h->offer_serial++; /* a framework added, activated or revived */
	if (h->paused)
		return;
	if (agent < 0) {
		h->all_candidates = true;
	} else if (!h->all_candidates && h->agents[agent].cand_run != h->run_serial + 1) {
		h->agents[agent].cand_run = h->run_serial + 1;
		mc_xgrow(&h->cand, &h->cand_cap, h->ncand + 1, sizeof *h->cand);
		h->cand[h->ncand++] = agent;
	}
	request(h);
}

static void explain(struct hier *h, int stage, int32_t agent, int32_t role, int32_t fw,
                    enum mc_alloc_outcome o, mc_time_t t, int32_t r)
{
	struct mc_explain e = {h->now, stage, agent, role, fw, o, t, r};
	h->host.explain(h->host.ctx, &e);
}

/* ---- free set and totals --------------------------------------------------------- */

static void free_update(struct hier *h, int32_t id)
{
	struct agent *ag = &h->agents[id];
	bool want = ag->known && !mc_resources_is_empty(&ag->free);
	if (want && ag->free_pos < 0) {
		mc_xgrow(&h->freeset, &h->freecap, h->nfree + 1, sizeof *h->freeset);
		ag->free_pos = (int32_t)h->nfree;
		h->freeset[h->nfree++] = (struct freeslot){.agent = id, .active = ag->active};
	} else if (!want && ag->free_pos >= 0) {
		struct freeslot last = h->freeset[--h->nfree];
		h->freeset[ag->free_pos] = last;
		h->agents[last.agent].free_pos = ag->free_pos;
		ag->free_pos = -1;
	}
}

/* Something that could make a visit offer something happened there. */
static void wake(struct hier *h, const struct agent *ag)
{
	if (ag->free_pos >= 0)
		h->freeset[ag->free_pos].quiet_until = 0;
}

/* Rebuilds r without empty reservation slots (keeps the bag invariant). */
static void compact(struct mc_resources *r)
{
	struct mc_resources c;
	mc_resources_clear(&c);
	c.unres = r->unres;
	for (int i = 0; i < r->nresv; i++)
		mc_resources_add_reserved(&c, r->resv_role[i], &r->resv[i]);
	mc_resources_copy(r, &c);
}

/* free = total - used, slot by slot, never negative. */
static void free_recompute(struct hier *h, int32_t id)
{
	struct agent *ag = &h->agents[id];
	wake(h, ag);
	struct mc_resvec s;
	scalars_of(h, &ag->free.unres, &s);
	mc_resvec_sub(&h->free_unres, &s);
	mc_resources_copy(&ag->free, &ag->total);
	mc_resvec_sub(&ag->free.unres, &ag->used.unres);
	mc_resvec_clamp0(&ag->free.unres);
	for (int i = 0; i < ag->free.nresv; i++) {
		const struct mc_resvec *u = mc_resources_reserved(&ag->used, ag->free.resv_role[i]);
		if (u)
			mc_resvec_sub(&ag->free.resv[i], u);
		mc_resvec_clamp0(&ag->free.resv[i]);
	}
	compact(&ag->free);
	scalars_of(h, &ag->free.unres, &s);
	mc_resvec_add(&h->free_unres, &s);
	free_update(h, id);
}

static void totals_changed(struct hier *h)
{
	h->role_ops->total_changed(h->rsorter);
	for (size_t i = 0; i < h->nroles; i++)
		if (h->roles[i].fws)
			h->fw_ops->total_changed(h->roles[i].fws);
}

/* Adds sign x the agent's reservations to resv_total of their top roles. */
static void account_reservations(struct hier *h, const struct mc_resources *total, int sign)
{
	for (int i = 0; i < total->nresv; i++) {
		struct role *t = role_get(h, mc_role_top(total->resv_role[i]));
		struct mc_resvec s;
		scalars_of(h, &total->resv[i], &s);
		if (sign > 0)
			mc_resvec_add(&t->resv_total, &s);
		else
			mc_resvec_sub(&t->resv_total, &s);
	}
}

/* ---- entries and booking ----------------------------------------------------------- */

static uint64_t entry_key(int32_t fw, int32_t role)
{
	return ((uint64_t)(uint32_t)fw << 32) | (uint32_t)role;
}

static struct entry *entry_get(struct agent *ag, int32_t fw, int32_t role, bool create)
{
	uint64_t key = entry_key(fw, role);
	for (int i = 0; i < ag->ne; i++)
		if (ag->ekey[i] == key)
			return &ag->e[i];
	if (!create)
		return NULL;
	if (ag->ne == ag->ecap) {
		ag->ecap = ag->ecap ? ag->ecap * 2 : 4;
		ag->e = mc_xrealloc(ag->e, (size_t)ag->ecap * sizeof *ag->e);
		ag->ekey = mc_xrealloc(ag->ekey, (size_t)ag->ecap * sizeof *ag->ekey);
	}
	ag->ekey[ag->ne] = key;
	struct entry *e = &ag->e[ag->ne++];
	e->fw = fw;
	e->role = role;
	e->pend_idx = -1;
	e->pend_run = 0;
	mc_resources_clear(&e->held);
	mc_resources_clear(&e->allocated);
	return e;
}

/* Books or unbooks `sum` for (fw, role) in the sorters (when tracked). */
static void sorters_change(struct hier *h, int32_t fw, int32_t role, const struct mc_resvec *sum,
                           int sign)
{
	struct role *r = role_get(h, role);
	if (!r->fws || !h->fw_ops->contains(r->fws, fw))
		return;
	if (sign > 0) {
		h->role_ops->allocated(h->rsorter, role, sum);
		h->fw_ops->allocated(r->fws, fw, sum);
	} else {
		h->role_ops->unallocated(h->rsorter, role, sum);
		h->fw_ops->unallocated(r->fws, fw, sum);
	}
}

/* (fw, role) gets `res` on the agent: offered (allocated=false) or already
 * allocated (used resources of a new agent). */
static struct entry *book(struct hier *h, int32_t agent, int32_t fw, int32_t role,
                          const struct mc_resources *res, bool allocated)
{
	struct agent *ag = &h->agents[agent];
	struct entry *e = entry_get(ag, fw, role, true);
	mc_resources_add(&e->held, res);
	if (allocated)
		mc_resources_add(&e->allocated, res);
	mc_resources_add(&ag->used, res);
	/* free -= res, slot by slot */
	mc_resvec_sub(&ag->free.unres, &res->unres);
	mc_resvec_clamp0(&ag->free.unres);
	for (int i = 0; i < res->nresv; i++)
		for (int k = 0; k < ag->free.nresv; k++)
			if (ag->free.resv_role[k] == res->resv_role[i]) {
				mc_resvec_sub(&ag->free.resv[k], &res->resv[i]);
				mc_resvec_clamp0(&ag->free.resv[k]);
			}
	if (res->nresv)
		compact(&ag->free);
	struct mc_resvec s;
	scalars_of(h, &res->unres, &s);
	mc_resvec_sub(&h->free_unres, &s);
	mc_resvec_add(&role_get(h, mc_role_top(role))->res_unres, &s);
	free_update(h, agent);
	if (!fw_get(h, fw)) {
		h->unknown_used++;
		return e;
	}
	struct mc_resvec sum;
	mc_resources_sum(res, &sum);
	sorters_change(h, fw, role, &sum, +1);
	return e;
}

/* Takes `res` (held by e) back; from offered first, then allocated. */
static void unbook(struct hier *h, int32_t agent, struct entry *e, const struct mc_resources *res)
{
	struct agent *ag = &h->agents[agent];
	int32_t fw = e->fw, role = e->role;
	/* taken from what is offered first, then from the allocation */
	struct mc_resources offered;
	bool launched = !mc_resources_is_empty(&e->allocated);
	if (launched) {
		mc_resources_copy(&offered, &e->held);
		mc_resources_subtract(&offered, &e->allocated);
	}
	if (launched && !mc_resources_contains(&offered, res)) {
		struct mc_resources from_off;
		mc_resources_copy(&from_off, res);
		mc_resvec_min(&from_off.unres, &offered.unres);
		for (int i = 0; i < from_off.nresv; i++) {
			const struct mc_resvec *o =
			    mc_resources_reserved(&offered, from_off.resv_role[i]);
			if (o)
				mc_resvec_min(&from_off.resv[i], o);
			else
				mc_resvec_clear(&from_off.resv[i]);
		}
		compact(&from_off);
		struct mc_resources from_alloc;
		mc_resources_copy(&from_alloc, res);
		mc_resources_subtract(&from_alloc, &from_off);
		mc_resources_subtract(&e->allocated, &from_alloc);
	}
	mc_resources_subtract(&e->held, res);
	mc_resources_subtract(&ag->used, res);
	bool known = fw_get(h, fw) != NULL;
	if (mc_resources_is_empty(&e->held)) {
		/* the last entry takes its slot (copying only the used parts) */
		const struct entry *last = &ag->e[--ag->ne];
		if (last != e) {
			e->fw = last->fw;
			e->role = last->role;
			e->pend_idx = last->pend_idx;
			e->pend_run = last->pend_run;
			mc_resources_copy(&e->held, &last->held);
			mc_resources_copy(&e->allocated, &last->allocated);
			ag->ekey[e - ag->e] = ag->ekey[ag->ne];
		}
		if (!known && h->unknown_used)
			h->unknown_used--;
	}
	struct mc_resvec s;
	scalars_of(h, &res->unres, &s);
	mc_resvec_sub(&role_get(h, mc_role_top(role))->res_unres, &s);
	free_recompute(h, agent);
	if (known) {
		struct mc_resvec sum;
		mc_resources_sum(res, &sum);
		sorters_change(h, fw, role, &sum, -1);
	}
}

/* ---- filters ------------------------------------------------------------------------ */

static uint64_t hkey(int32_t agent, int32_t fw)
{
	return (((uint64_t)(uint32_t)agent << 32) | (uint32_t)fw) + 1;
}

static size_t hslot_of(const struct hier *h, uint64_t key)
{
	/* splitmix64's finaliser: every key bit reaches the low bits (a bare
	 * multiply leaves the agent half out of them, and all agents' filters
	 * of one framework would share one probe chain) */
	uint64_t x = key;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)x & (h->hcap - 1);
}

static int32_t *hash_head(struct hier *h, int32_t agent, int32_t fw, bool create)
{
	if (create && (h->hcount + 1) * 2 > h->hcap) {
		struct hslot *old = h->hash;
		size_t oldcap = h->hcap;
		h->hcap = oldcap ? oldcap * 2 : 256;
		h->hash = mc_xcalloc(h->hcap, sizeof *h->hash);
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].key) {
				size_t j = hslot_of(h, old[i].key);
				while (h->hash[j].key)
					j = (j + 1) & (h->hcap - 1);
				h->hash[j] = old[i];
			}
		free(old);
	}
	if (!h->hcap)
		return NULL;
	uint64_t key = hkey(agent, fw);
	size_t j = hslot_of(h, key);
	while (h->hash[j].key) {
		if (h->hash[j].key == key)
			return &h->hash[j].head;
		j = (j + 1) & (h->hcap - 1);
	}
	if (!create)
		return NULL;
	h->hash[j].key = key;
	h->hash[j].head = -1;
	h->hcount++;
	return &h->hash[j].head;
}

static void hash_delete(struct hier *h, int32_t agent, int32_t fw)
{
	uint64_t key = hkey(agent, fw);
	size_t j = hslot_of(h, key);
	while (h->hash[j].key != key) {
		if (!h->hash[j].key)
			return;
		j = (j + 1) & (h->hcap - 1);
	}
	/* backward-shift deletion keeps probe chains intact */
	size_t i = j;
	for (;;) {
		h->hash[i].key = 0;
		size_t k = i;
		for (;;) {
			k = (k + 1) & (h->hcap - 1);
			if (!h->hash[k].key) {
				h->hcount--;
				return;
			}
			size_t home = hslot_of(h, h->hash[k].key);
			bool between = i <= k ? (home > i && home <= k) : (home > i || home <= k);
			if (!between)
				break;
		}
		h->hash[i] = h->hash[k];
		i = k;
	}
}

#define UNLINK(list_head, next, prev)                                                              \
	do {                                                                                       \
		if (f->prev >= 0)                                                                  \
			h->filters[f->prev].next = f->next;                                        \
		else                                                                               \
			(list_head) = f->next;                                                     \
		if (f->next >= 0)                                                                  \
			h->filters[f->next].prev = f->prev;                                        \
	} while (0)

static void filter_remove(struct hier *h, int32_t i)
{
	struct filter *f = &h->filters[i];
	wake(h, &h->agents[f->agent]);
	if (f->timer)
		h->host.timer_cancel(h->host.ctx, f->timer);
	int32_t *head = hash_head(h, f->agent, f->fw, false);
	MC_ASSERT(head != NULL);
	UNLINK(*head, knext, kprev);
	if (*head < 0)
		hash_delete(h, f->agent, f->fw);
	UNLINK(h->agents[f->agent].filters, anext, aprev);
	UNLINK(h->fws[f->fw].filters, fnext, fprev);
	f->timer = 0;
	f->live = false;
	f->gen++;
	f->knext = h->filter_free;
	h->filter_free = i;
	h->dirty = true;
}

static void filter_expire(void *obj, uint64_t data)
{
	struct hier *h = obj;
	int32_t i = (int32_t)(uint32_t)data;
	struct filter *f = &h->filters[i];
	if (!f->live || f->gen != (uint32_t)(data >> 32))
		return;
	f->timer = 0;
	filter_remove(h, i);
}

static void filter_add(struct hier *h, mc_time_t now, int32_t fw, int32_t role, int32_t agent,
                       const struct mc_resources *refused, mc_time_t refuse)
{
	int32_t i;
	if (h->filter_free >= 0) {
		i = h->filter_free;
		h->filter_free = h->filters[i].knext;
	} else {
		mc_xgrow(&h->filters, &h->filters_cap, h->nfilters + 1, sizeof *h->filters);
		i = (int32_t)h->nfilters++;
		h->filters[i].gen = 0;
	}
	struct filter *f = &h->filters[i];
	f->live = true;
	f->fw = fw;
	f->role = role;
	f->agent = agent;
	f->unres = refused->unres;
	mc_resvec_clear(&f->resv);
	for (int k = 0; k < refused->nresv; k++)
		mc_resvec_add(&f->resv, &refused->resv[k]);
	if (refuse > MAX_REFUSE)
		refuse = MAX_REFUSE;
	mc_time_t d = refuse > h->cfg.allocation_interval ? refuse : h->cfg.allocation_interval;
	f->expires = now + d;
	int32_t *head = hash_head(h, agent, fw, true);
	f->kprev = -1;
	f->knext = *head;
	if (*head >= 0)
		h->filters[*head].kprev = i;
	*head = i;
	f->aprev = -1;
	f->anext = h->agents[agent].filters;
	if (f->anext >= 0)
		h->filters[f->anext].aprev = i;
	h->agents[agent].filters = i;
	f->fprev = -1;
	f->fnext = h->fws[fw].filters;
	if (f->fnext >= 0)
		h->filters[f->fnext].fprev = i;
	h->fws[fw].filters = i;
	f->timer = h->host.timer_start(h->host.ctx, f->expires, filter_expire, h,
	                               ((uint64_t)f->gen << 32) | (uint32_t)i);
}

/* The filter hiding `offer` from (fw, role, agent), or NULL: one whose
 * refused resources contain the offer. O(filters of the pair). */
static const struct filter *filtered(struct hier *h, int32_t fw, int32_t role, int32_t agent,
                                     const struct mc_resources *offer)
{
	if (h->agents[agent].filters < 0)
		return NULL;
	int32_t *head = hash_head(h, agent, fw, false);
	if (!head)
		return NULL;
	struct mc_resvec resv;
	mc_resvec_clear(&resv);
	for (int k = 0; k < offer->nresv; k++)
		mc_resvec_add(&resv, &offer->resv[k]);
	for (int32_t i = *head; i >= 0; i = h->filters[i].knext) {
		const struct filter *f = &h->filters[i];
		if (f->role == role && mc_resvec_contains(&f->unres, &offer->unres) &&
		    (offer->nresv == 0 || mc_resvec_contains(&f->resv, &resv)))
			return f; /* (no reservations offered: nothing to compare there) */
	}
	return NULL;
}

/* Clears the framework's filters (role < 0: all roles). */
static void filters_clear_fw(struct hier *h, int32_t fw, int32_t role)
{
	for (int32_t i = h->fws[fw].filters; i >= 0;) {
		int32_t next = h->filters[i].fnext;
		if (role < 0 || h->filters[i].role == role)
			filter_remove(h, i);
		i = next;
	}
}

static void filters_clear_agent(struct hier *h, int32_t agent)
{
	while (h->agents[agent].filters >= 0)
		filter_remove(h, h->agents[agent].filters);
}

/* ---- lifecycle ------------------------------------------------------------------------ */

static void periodic_fire(void *obj, uint64_t data)
{
	(void)data;
	struct hier *h = obj;
	h->periodic_timer = 0;
	h->periodic_due = true;
	h->all_candidates = true;
	request(h);
}

static struct mc_allocator *create_hier(const struct mc_alloc_config *cfg,
                                        const struct mc_alloc_host *host, mc_time_t now)
{
	const struct mc_sorter_ops *rops =
	    mc_sorter_lookup(cfg->role_sorter ? cfg->role_sorter : "drf");
	const struct mc_sorter_ops *fops =
	    mc_sorter_lookup(cfg->framework_sorter ? cfg->framework_sorter : "drf");
	if (!rops || !fops || !host || !host->timer_start || !host->request_run || !host->offer ||
	    ((rops == &mc_sorter_random || fops == &mc_sorter_random) && !host->random))
		return NULL;
	struct hier *h = mc_xcalloc(1, sizeof *h);
	h->cfg = *cfg;
	h->host = *host;
	h->role_ops = rops;
	h->fw_ops = fops;
	refresh_scalar(h);
	h->rsorter =
	    rops->new (true, cfg->fair_sharing_excluded, &h->total, host->random, host->ctx);
	h->filter_free = -1;
	h->dirty = true;
	h->periodic_timer =
	    h->host.timer_start(h->host.ctx, now + cfg->allocation_interval, periodic_fire, h, 0);
	return &h->base;
}

static void destroy_hier(struct mc_allocator *a)
{
	struct hier *h = H(a);
	if (h->host.timer_cancel) {
		if (h->periodic_timer)
			h->host.timer_cancel(h->host.ctx, h->periodic_timer);
		for (size_t i = 0; i < h->nfilters; i++)
			if (h->filters[i].live && h->filters[i].timer)
				h->host.timer_cancel(h->host.ctx, h->filters[i].timer);
	}
	for (size_t i = 0; i < h->nagents; i++) {
		free(h->agents[i].e);
		free(h->agents[i].ekey);
	}
	for (size_t i = 0; i < h->nfws; i++)
		free(h->fws[i].name);
	for (size_t i = 0; i < h->nroles; i++) {
		if (h->roles[i].fws)
			h->fw_ops->free(h->roles[i].fws);
		free(h->roles[i].fwlist);
	}
	h->role_ops->free(h->rsorter);
	free(h->agents);
	free(h->freeset);
	free(h->fws);
	free(h->roles);
	free(h->quota_roles);
	free(h->filters);
	free(h->hash);
	free(h->cand);
	free(h->pend);
	free(h->touched);
	free(h->out);
	free(h->order);
	free(h->roles_buf);
	free(h);
}

static void pause_hier(struct mc_allocator *a, bool paused)
{
	H(a)->paused = paused;
	H(a)->offer_serial++;
}
static bool run_pending_hier(const struct mc_allocator *a)
{
	return CH(a)->run_requested;
}

/* ---- agents ---------------------------------------------------------------------------- */

static int add_agent_hier(struct mc_allocator *a, mc_time_t now, int32_t id,
                          const struct mc_resources *total)
{
	struct hier *h = H(a);
	(void)now;
	if (id < 0)
		return MC_EINVAL;
	if ((size_t)id >= h->nagents) {
		size_t old = h->nagents, n = old ? old : 64;
		while (n <= (size_t)id)
			n *= 2;
		h->agents = mc_xrealloc(h->agents, n * sizeof *h->agents);
		memset(h->agents + old, 0, (n - old) * sizeof *h->agents);
		for (size_t i = old; i < n; i++) {
			h->agents[i].free_pos = -1;
			h->agents[i].filters = -1;
		}
		h->nagents = n;
	}
	struct agent *ag = &h->agents[id];
	if (ag->known)
		return MC_EEXIST;
	refresh_scalar(h);
	ag->known = true;
	ag->active = true;
	ag->total = *total;
	mc_resources_clear(&ag->used);
	mc_resources_clear(&ag->free);
	ag->ne = 0;
	struct mc_resvec sum;
	mc_resources_sum(total, &sum);
	ag->gpu = sum.q[MC_RES_GPUS] > 0;
	mc_resvec_add(&h->total, &sum);
	account_reservations(h, total, +1);
	free_recompute(h, id);
	totals_changed(h);
	trigger(h, id);
	h->dirty = true;
	return 0;
}

static int add_used_hier(struct mc_allocator *a, int32_t agent, int32_t fw, int32_t role,
                         const struct mc_resources *used)
{
	struct hier *h = H(a);
	if (!agent_get(h, agent))
		return MC_ENOENT;
	if (fw < 0 || role < 0 || role >= mc_role_count())
		return MC_EINVAL;
	book(h, agent, fw, role, used, true);
	h->dirty = true;
	return 0;
}

static int remove_agent_hier(struct mc_allocator *a, mc_time_t now, int32_t id)
{
	struct hier *h = H(a);
	(void)now;
	struct agent *ag = agent_get(h, id);
	if (!ag)
		return MC_ENOENT;
	while (ag->ne) {
		struct entry *e = &ag->e[ag->ne - 1];
		struct mc_resources r = e->held;
		unbook(h, id, e, &r);
	}
	filters_clear_agent(h, id);
	struct mc_resvec sum;
	mc_resources_sum(&ag->total, &sum);
	mc_resvec_sub(&h->total, &sum);
	account_reservations(h, &ag->total, -1);
	mc_resources_clear(&ag->total);
	free_recompute(h, id);
	ag->known = false;
	free_update(h, id);
	totals_changed(h);
	h->dirty = true;
	return 0;
}

static int update_agent_hier(struct mc_allocator *a, mc_time_t now, int32_t id,
                             const struct mc_resources *total)
{
	struct hier *h = H(a);
	(void)now;
	struct agent *ag = agent_get(h, id);
	if (!ag)
		return MC_ENOENT;
	if (mc_resources_equal(&ag->total, total))
		return 0;
	refresh_scalar(h);
	struct mc_resvec s;
	mc_resources_sum(&ag->total, &s);
	mc_resvec_sub(&h->total, &s);
	account_reservations(h, &ag->total, -1);
	ag->total = *total;
	mc_resources_sum(total, &s);
	mc_resvec_add(&h->total, &s);
	account_reservations(h, total, +1);
	ag->gpu = s.q[MC_RES_GPUS] > 0;
	free_recompute(h, id);
	totals_changed(h);
	trigger(h, id);
	h->dirty = true;
	return 0;
}

static int activate_agent_hier(struct mc_allocator *a, int32_t id, bool active)
{
	struct hier *h = H(a);
	struct agent *ag = agent_get(h, id);
	if (!ag)
		return MC_ENOENT;
	ag->active = active;
	if (ag->free_pos >= 0)
		h->freeset[ag->free_pos].active = active;
	h->dirty = true;
	return 0;
}

static int reserve_hier(struct mc_allocator *a, int32_t id, int32_t role, const struct mc_resvec *q)
{
	struct hier *h = H(a);
	struct agent *ag = agent_get(h, id);
	if (!ag)
		return MC_ENOENT;
	if (role <= MC_ROLE_ANY || role >= mc_role_count())
		return MC_EINVAL;
	if (!mc_resvec_contains(&ag->free.unres, q))
		return MC_EINSUFFICIENT;
	struct mc_resources t = ag->total;
	mc_resvec_sub(&t.unres, q);
	if (mc_resources_add_reserved(&t, role, q))
		return MC_ENOSPC;
	account_reservations(h, &ag->total, -1);
	ag->total = t;
	account_reservations(h, &ag->total, +1);
	free_recompute(h, id);
	h->dirty = true;
	return 0;
}

/* ---- frameworks ---------------------------------------------------------------------------- */

static void role_track_fw(struct hier *h, int32_t role, int32_t fw)
{
	struct role *r = role_get(h, role);
	if (!r->fws)
		r->fws = h->fw_ops->new (false, h->cfg.fair_sharing_excluded, &h->total,
		                         h->host.random, h->host.ctx);
	if (r->nfws++ == 0) {
		h->role_ops->add(h->rsorter, role, mc_role_name(role));
		h->role_ops->activate(h->rsorter, role);
	}
	h->fw_ops->add(r->fws, fw, h->fws[fw].name);
	if (r->nfwlist == r->fwcap) {
		r->fwcap = r->fwcap ? r->fwcap * 2 : 4;
		r->fwlist = mc_xrealloc(r->fwlist, (size_t)r->fwcap * sizeof *r->fwlist);
	}
	r->fwlist[r->nfwlist++] = fw;
}

static void role_untrack_fw(struct hier *h, int32_t role, int32_t fw)
{
	struct role *r = role_get(h, role);
	h->fw_ops->remove(r->fws, fw);
	for (int i = 0; i < r->nfwlist; i++)
		if (r->fwlist[i] == fw) {
			r->fwlist[i] = r->fwlist[--r->nfwlist];
			break;
		}
	if (--r->nfws == 0)
		h->role_ops->remove(h->rsorter, role);
}

static void fw_set_active(struct hier *h, int32_t id)
{
	struct fw *f = &h->fws[id];
	for (int i = 0; i < f->nroles; i++) {
		struct role *r = role_get(h, f->roles[i]);
		if (f->active && !f->suppressed[i])
			h->fw_ops->activate(r->fws, id);
		else
			h->fw_ops->deactivate(r->fws, id);
	}
}

static int add_framework_hier(struct mc_allocator *a, mc_time_t now, int32_t id, const char *name,
                              const int32_t *roles, int nroles, unsigned caps, bool active,
                              const struct mc_min_allocatable *min_alloc)
{
	struct hier *h = H(a);
	if (id < 0 || nroles < 1 || nroles > MC_ALLOC_MAX_ROLES || !roles)
		return MC_EINVAL;
	for (int i = 0; i < nroles; i++) {
		if (roles[i] < 0 || roles[i] >= mc_role_count())
			return MC_EINVAL;
		for (int k = 0; k < i; k++)
			if (roles[k] == roles[i])
				return MC_EINVAL;
	}
	if ((size_t)id >= h->nfws) {
		size_t old = h->nfws, n = old ? old : 16;
		while (n <= (size_t)id)
			n *= 2;
		h->fws = mc_xrealloc(h->fws, n * sizeof *h->fws);
		memset(h->fws + old, 0, (n - old) * sizeof *h->fws);
		for (size_t i = old; i < n; i++)
			h->fws[i].filters = -1;
		h->nfws = n;
	}
	struct fw *f = &h->fws[id];
	if (f->known)
		return MC_EEXIST;
	memset(f, 0, sizeof *f);
	f->known = true;
	f->filters = -1;
	f->pend_head = f->pend_tail = -1;
	char buf[32];
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
		role_track_fw(h, roles[i], id);
	/* resources booked for it before it was known (add_used) now count */
	for (size_t g = 0; h->unknown_used && g < h->nagents; g++) {
		struct agent *ag = &h->agents[g];
		for (int k = 0; ag->known && k < ag->ne; k++)
			if (ag->e[k].fw == id) {
				struct mc_resvec s;
				mc_resources_sum(&ag->e[k].held, &s);
				sorters_change(h, id, ag->e[k].role, &s, +1);
				h->unknown_used--;
			}
	}
	h->dirty = true;
	f->active = active;
	fw_set_active(h, id);
	if (active)
		trigger(h, -1);
	(void)now;
	return 0;
}

static int remove_framework_hier(struct mc_allocator *a, mc_time_t now, int32_t id)
{
	struct hier *h = H(a);
	(void)now;
	struct fw *f = fw_get(h, id);
	if (!f)
		return MC_ENOENT;
	for (size_t g = 0; g < h->nagents; g++) {
		struct agent *ag = &h->agents[g];
		for (int k = ag->known ? ag->ne : 0; k-- > 0;)
			if (ag->e[k].fw == id) {
				struct mc_resources r = ag->e[k].held;
				unbook(h, (int32_t)g, &ag->e[k], &r);
			}
	}
	filters_clear_fw(h, id, -1);
	for (int i = 0; i < f->nroles; i++)
		role_untrack_fw(h, f->roles[i], id);
	free(f->name);
	memset(f, 0, sizeof *f);
	f->filters = -1;
	h->dirty = true;
	return 0;
}

static int activate_framework_hier(struct mc_allocator *a, mc_time_t now, int32_t id)
{
	struct hier *h = H(a);
	(void)now;
	struct fw *f = fw_get(h, id);
	if (!f)
		return MC_ENOENT;
	f->active = true;
	fw_set_active(h, id);
	trigger(h, -1);
	return 0;
}

static int deactivate_framework_hier(struct mc_allocator *a, mc_time_t now, int32_t id)
{
	struct hier *h = H(a);
	(void)now;
	struct fw *f = fw_get(h, id);
	if (!f)
		return MC_ENOENT;
	f->active = false;
	fw_set_active(h, id);
	filters_clear_fw(h, id, -1);
	return 0;
}

static int set_suppressed(struct hier *h, int32_t id, const int32_t *roles, int nroles,
                          bool suppressed)
{
	struct fw *f = fw_get(h, id);
	if (!f)
		return MC_ENOENT;
	for (int k = 0; k < nroles; k++) {
		bool found = false;
		for (int i = 0; i < f->nroles; i++)
			found |= f->roles[i] == roles[k];
		if (!found)
			return MC_EINVAL;
	}
	for (int i = 0; i < f->nroles; i++) {
		bool hit = nroles == 0;
		for (int k = 0; k < nroles && !hit; k++)
			hit = roles[k] == f->roles[i];
		if (!hit)
			continue;
		f->suppressed[i] = suppressed;
		if (!suppressed)
			filters_clear_fw(h, id, f->roles[i]);
	}
	fw_set_active(h, id);
	return 0;
}

static int suppress_hier(struct mc_allocator *a, mc_time_t now, int32_t id, const int32_t *roles,
                         int nroles)
{
	(void)now;
	return set_suppressed(H(a), id, roles, roles ? nroles : 0, true);
}

static int revive_hier(struct mc_allocator *a, mc_time_t now, int32_t id, const int32_t *roles,
                       int nroles)
{
	struct hier *h = H(a);
	(void)now;
	int rc = set_suppressed(h, id, roles, roles ? nroles : 0, false);
	if (rc)
		return rc;
	trigger(h, -1);
	return 0;
}

/* ---- offers and allocations ------------------------------------------------------------------ */

static int recover_hier(struct mc_allocator *a, mc_time_t now, int32_t fw, int32_t role,
                        int32_t agent, const struct mc_resources *res, mc_time_t refuse)
{
	struct hier *h = H(a);
	struct agent *ag = agent_get(h, agent);
	if (!ag)
		return MC_ENOENT;
	struct entry *e = entry_get(ag, fw, role, false);
	if (!e || !mc_resources_contains(&e->held, res))
		return MC_EINSUFFICIENT;
	refresh_scalar(h);
	unbook(h, agent, e, res);
	if (refuse > 0 && fw_get(h, fw) && !mc_resources_is_empty(res))
		filter_add(h, now, fw, role, agent, res, refuse);
	h->dirty = true;
	return 0;
}

static int launch_hier(struct mc_allocator *a, mc_time_t now, int32_t fw, int32_t role,
                       int32_t agent, const struct mc_resources *res)
{
	struct hier *h = H(a);
	(void)now;
	struct agent *ag = agent_get(h, agent);
	if (!ag)
		return MC_ENOENT;
	struct entry *e = entry_get(ag, fw, role, false);
	if (!e)
		return MC_EINSUFFICIENT;
	struct mc_resources offered;
	mc_resources_copy(&offered, &e->held);
	mc_resources_subtract(&offered, &e->allocated);
	if (!mc_resources_contains(&offered, res))
		return MC_EINSUFFICIENT;
	return mc_resources_add(&e->allocated, res);
}

/* ---- quota and weights ------------------------------------------------------------------------
 */

static int set_quota_hier(struct mc_allocator *a, int32_t role, const struct mc_resvec *guarantee,
                          const struct mc_resvec *limit, const bool *limited)
{
	struct hier *h = H(a);
	h->offer_serial++;
	if (role < 0 || role >= mc_role_count() || mc_role_parent(role) != MC_ROLE_NONE)
		return MC_EINVAL;
	struct role *r = role_get(h, role);
	mc_resvec_clear(&r->guarantee);
	if (guarantee)
		r->guarantee = *guarantee;
	r->has_guarantee = guarantee && !mc_resvec_is_zero(guarantee);
	r->has_limit = false;
	mc_resvec_clear(&r->limit);
	for (int i = 0; i < MC_RES_MAX; i++) {
		r->limited[i] = limit && limited && limited[i];
		if (r->limited[i]) {
			r->limit.q[i] = limit->q[i];
			r->has_limit = true;
		}
	}
	bool listed = false;
	for (size_t i = 0; i < h->nquota; i++)
		listed |= h->quota_roles[i] == role;
	if (!listed && (r->has_guarantee || r->has_limit)) {
		mc_xgrow(&h->quota_roles, &h->quotacap, h->nquota + 1, sizeof *h->quota_roles);
		h->quota_roles[h->nquota++] = role;
	}
	h->dirty = true;
	return 0;
}

static int set_weight_hier(struct mc_allocator *a, int32_t role, double weight)
{
	H(a)->offer_serial++;
	struct hier *h = H(a);
	if (role < 0 || role >= mc_role_count() || !(weight > 0))
		return MC_EINVAL;
	h->role_ops->set_weight(h->rsorter, mc_role_name(role), weight);
	h->dirty = true;
	return 0;
}

/* ---- the run ------------------------------------------------------------------------------------
 */

/* consumed(top) = offered/allocated unreserved scalars + all reservations. */
static void consumed_of(const struct role *t, struct mc_resvec *out)
{
	*out = t->res_unres;
	mc_resvec_add(out, &t->resv_total);
}

static void unmet_of(const struct role *t, struct mc_resvec *out)
{
	struct mc_resvec c;
	consumed_of(t, &c);
	*out = t->guarantee;
	mc_resvec_sub(out, &c);
	mc_resvec_clamp0(out);
}

static void quota_setup(struct hier *h)
{
	mc_resvec_clear(&h->required);
	h->any_quota = h->nquota > 0;
	for (size_t i = 0; i < h->nquota; i++) {
		const struct role *t = &h->roles[h->quota_roles[i]];
		if (!t->has_guarantee)
			continue;
		struct mc_resvec u;
		unmet_of(t, &u);
		mc_resvec_add(&h->required, &u);
	}
}

/* Around a stage-1 offer to `top`: the required headroom drops by what the
 * offer took off the role's unmet guarantee (consumption itself is kept by
 * book()). */
static void quota_before(struct hier *h, int32_t top, struct mc_resvec *unmet_before)
{
	const struct role *t = &h->roles[top];
	if (t->has_guarantee)
		unmet_of(t, unmet_before);
}

static void quota_after(struct hier *h, int32_t top, const struct mc_resvec *unmet_before)
{
	const struct role *t = &h->roles[top];
	if (!t->has_guarantee)
		return;
	struct mc_resvec after;
	unmet_of(t, &after);
	mc_resvec_sub(&h->required, unmet_before);
	mc_resvec_add(&h->required, &after);
}

/* The role whose unmet guarantee holds back name i (for explain), or -1. */
static int32_t headroom_role(struct hier *h, int32_t self_top, int i)
{
	for (size_t k = 0; k < h->nquota; k++) {
		int32_t r = h->quota_roles[k];
		const struct role *t = &h->roles[r];
		if (r == self_top || !t->has_guarantee)
			continue;
		struct mc_resvec u;
		unmet_of(t, &u);
		if (u.q[i] > 0)
			return r;
	}
	return -1;
}

static void record_offer(struct hier *h, int32_t fw, int32_t role, int32_t agent, struct entry *e,
                         const struct mc_resources *res)
{
	h->offers_recorded++;
	if (e->pend_run == h->run_serial && e->pend_idx >= 0) {
		mc_resources_add(&h->pend[e->pend_idx].o.resources, res);
		return;
	}
	mc_xgrow(&h->pend, &h->pend_cap, h->npend + 1, sizeof *h->pend);
	int32_t idx = (int32_t)h->npend++;
	struct pending *p = &h->pend[idx];
	p->fw = fw;
	p->next = -1;
	p->o.agent = agent;
	p->o.role = role;
	mc_resources_copy(&p->o.resources, res);
	e->pend_run = h->run_serial;
	e->pend_idx = idx;
	struct fw *f = &h->fws[fw];
	if (f->pend_run != h->run_serial) {
		f->pend_run = h->run_serial;
		f->pend_head = idx;
		mc_xgrow(&h->touched, &h->touched_cap, h->ntouched + 1, sizeof *h->touched);
		h->touched[h->ntouched++] = fw;
	} else {
		h->pend[f->pend_tail].next = idx;
	}
	f->pend_tail = idx;
}

/* Explain records for a role's frameworks that sort() leaves out. */
static void explain_inactive(struct hier *h, int stage, int32_t agent, int32_t role)
{
	const struct role *r = &h->roles[role];
	for (int i = 0; i < r->nfwlist; i++) {
		int32_t fw = r->fwlist[i];
		if (h->fw_ops->is_active(r->fws, fw))
			continue;
		const struct fw *f = &h->fws[fw];
		enum mc_alloc_outcome o = MC_OUTCOME_INACTIVE;
		for (int k = 0; f->active && k < f->nroles; k++)
			if (f->roles[k] == role && f->suppressed[k])
				o = MC_OUTCOME_SUPPRESSED;
		explain(h, stage, agent, role, fw, o, 0, -1);
	}
}

/* What `role` may use of the agent's free resources. */
static void available_for(const struct agent *ag, int32_t role, struct mc_resources *out)
{
	out->unres = ag->free.unres;
	out->nresv = 0;
	for (int i = 0; i < ag->free.nresv; i++)
		if (mc_role_is_self_or_ancestor(ag->free.resv_role[i], role)) {
			out->resv_role[out->nresv] = ag->free.resv_role[i];
			out->resv[out->nresv++] = ag->free.resv[i];
		}
}

/* Shrinks the unreserved scalars of `v` to `cap` (names where capped[i]). */
static bool shrink(const struct hier *h, struct mc_resvec *v, const struct mc_resvec *cap,
                   const bool *capped)
{
	bool changed = false;
	for (int i = 0; i < MC_RES_MAX; i++) {
		if (!h->scalar[i] || (capped && !capped[i]))
			continue;
		int64_t c = cap->q[i] > 0 ? cap->q[i] : 0;
		if (v->q[i] > c) {
			v->q[i] = c;
			changed = true;
		}
	}
	return changed;
}

/* True when a stage-2 offer to `role` on the agent is necessarily empty:
 * the role is at its quota limit in every scalar name the agent has free,
 * and the agent has no free non-scalar and no reservation for the role.
 * Skipping the role then changes nothing. O(names + reservations). */
static bool saturated(const struct hier *h, const struct agent *ag, int32_t role,
                      const struct role *t)
{
	if (mc_role_top(role) != role || !t->has_limit)
		return false;
	struct mc_resvec consumed;
	consumed_of(t, &consumed);
	for (int i = 0; i < MC_RES_MAX; i++) {
		if (ag->free.unres.q[i] == 0)
			continue;
		if (!h->scalar[i] || !t->limited[i] || t->limit.q[i] > consumed.q[i])
			return false;
	}
	for (int i = 0; i < ag->free.nresv; i++)
		if (mc_role_is_self_or_ancestor(ag->free.resv_role[i], role))
			return false;
	return true;
}

/* Visits one agent in one stage. */
static void allocate_agent(struct hier *h, int stage, int32_t agent)
{
	struct agent *ag = &h->agents[agent];
	bool xp = h->host.explain != NULL;
	if (!ag->known || !ag->active || ag->free_pos < 0)
		return;
	struct mc_sorter_iter rit;
	for (int32_t role = h->role_ops->first(h->rsorter, &rit); role >= 0;
	     role = h->role_ops->next(h->rsorter, &rit)) {
		if (ag->free_pos < 0 && !xp)
			return; /* nothing left on the agent for anyone */
		struct role *r = &h->roles[role];
		int32_t top = mc_role_top(role);
		struct role *t = role_get(h, top);
		r = &h->roles[role];
		struct mc_resvec unmet;
		if (stage == 1) {
			if (top != role || !t->has_guarantee)
				continue;
			unmet_of(t, &unmet);
			if (mc_resvec_is_zero(&unmet))
				continue;
		}
		if (xp)
			explain_inactive(h, stage, agent, role);
		else if (stage == 2 && saturated(h, ag, role, t))
			continue; /* every framework would get an empty offer */
		struct mc_sorter_iter fit;
		for (int32_t fw = h->fw_ops->first(r->fws, &fit); fw >= 0;
		     fw = h->fw_ops->next(r->fws, &fit)) {
			struct fw *f = &h->fws[fw];
			struct mc_resources avail;
			available_for(ag, role, &avail);
			if (mc_resources_is_empty(&avail)) {
				if (xp) {
					enum mc_alloc_outcome o = ag->free_pos >= 0
					                              ? MC_OUTCOME_OTHER_RESERVATION
					                              : MC_OUTCOME_NOTHING_LEFT;
					for (; fw >= 0; fw = h->fw_ops->next(r->fws, &fit))
						explain(h, stage, agent, role, fw, o, 0, -1);
				}
				break;
			}
			const struct mc_min_allocatable *min =
			    f->has_min ? &f->min : &h->cfg.min_allocatable;
			if (!min_ok(min, &avail)) {
				if (xp)
					explain(h, stage, agent, role, fw, MC_OUTCOME_BELOW_MIN, 0,
					        -1);
				continue;
			}
			if (h->cfg.filter_gpu_resources && ag->gpu &&
			    !(f->caps & MC_CAP_GPU_RESOURCES)) {
				if (xp)
					explain(h, stage, agent, role, fw, MC_OUTCOME_GPU, 0, -1);
				continue;
			}
			struct mc_resources off;
			mc_resources_copy(&off, &avail);
			enum mc_alloc_outcome why = MC_OUTCOME_BELOW_MIN;
			int32_t why_role = -1;
			if (h->any_quota) {
				struct mc_resvec consumed;
				consumed_of(t, &consumed);
				/* available headroom minus required headroom */
				struct mc_resvec surplus = h->free_unres;
				mc_resvec_sub(&surplus, &h->required);
				bool check_headroom = !mc_resvec_is_zero(&h->required);
				if (stage == 1) {
					struct mc_resvec g = avail.unres;
					for (int i = 0; i < MC_RES_MAX; i++)
						if (h->scalar[i] && g.q[i] > unmet.q[i])
							g.q[i] = unmet.q[i];
					bool any = false;
					for (int i = 0; i < MC_RES_MAX; i++)
						any |= h->scalar[i] && g.q[i] > 0;
					if (!any) {
						if (xp)
							explain(h, stage, agent, role, fw,
							        MC_OUTCOME_GUARANTEE_MET, 0, -1);
						continue;
					}
					struct mc_resvec extra = avail.unres;
					for (int i = 0; i < MC_RES_MAX; i++)
						extra.q[i] = h->scalar[i] ? extra.q[i] - g.q[i] : 0;
					if (t->has_limit) {
						struct mc_resvec room = t->limit;
						mc_resvec_sub(&room, &consumed);
						mc_resvec_sub(&room, &g);
						shrink(h, &extra, &room, t->limited);
					}
					if (check_headroom)
						shrink(h, &extra, &surplus, NULL);
					for (int i = 0; i < MC_RES_MAX; i++)
						if (h->scalar[i])
							off.unres.q[i] = g.q[i] + extra.q[i];
				} else {
					/* Mesos applies the limit of the role offered to
					 * (getQuota(role)): a subrole is not held to its
					 * top-level role's limit. */
					if (top == role && t->has_limit) {
						struct mc_resvec room = t->limit;
						mc_resvec_sub(&room, &consumed);
						if (shrink(h, &off.unres, &room, t->limited))
							why = MC_OUTCOME_QUOTA_LIMIT;
					}
					if (check_headroom) {
						struct mc_resvec before = off.unres;
						if (shrink(h, &off.unres, &surplus, NULL) &&
						    why == MC_OUTCOME_BELOW_MIN) {
							why = MC_OUTCOME_HEADROOM;
							if (xp)
								for (int i = 0; i < MC_RES_MAX; i++)
									if (off.unres.q[i] <
									    before.q[i]) {
										why_role =
										    headroom_role(
										        h, top, i);
										break;
									}
						}
					}
				}
			}
			if (mc_resources_is_empty(&off) || !min_ok(min, &off)) {
				if (xp)
					explain(h, stage, agent, role, fw, why, 0, why_role);
				continue;
			}
			const struct filter *flt = filtered(h, fw, role, agent, &off);
			if (flt) {
				if (xp)
					explain(h, stage, agent, role, fw, MC_OUTCOME_FILTERED,
					        flt->expires, -1);
				continue;
			}
			if (xp)
				explain(h, stage, agent, role, fw, MC_OUTCOME_OFFERED, 0, -1);
			/* Stage 1 lowers the required headroom by the guaranteed
			 * part; stage 2 leaves it as it is (Mesos does too). */
			struct mc_resvec unmet_before;
			if (stage == 1)
				quota_before(h, top, &unmet_before);
			struct entry *e = book(h, agent, fw, role, &off, false);
			if (stage == 1)
				quota_after(h, top, &unmet_before);
			record_offer(h, fw, role, agent, e, &off);
			if (stage == 1) {
				unmet_of(t, &unmet);
				if (mc_resvec_is_zero(&unmet))
					break;
			}
		}
	}
}

static void shuffle(struct hier *h, int32_t *v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = h->host.random ? h->host.random(h->host.ctx) % i : i - 1;
		int32_t t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

static void emit_offers(struct hier *h)
{
	for (size_t k = 0; k < h->ntouched; k++) {
		int32_t fw = h->touched[k];
		size_t n = 0;
		for (int32_t i = h->fws[fw].pend_head; i >= 0; i = h->pend[i].next) {
			mc_xgrow(&h->out, &h->out_cap, n + 1, sizeof *h->out);
			h->out[n].agent = h->pend[i].o.agent;
			h->out[n].role = h->pend[i].o.role;
			mc_resources_copy(&h->out[n++].resources, &h->pend[i].o.resources);
		}
		h->host.offer(h->host.ctx, fw, h->out, n);
	}
	h->ntouched = 0;
	h->npend = 0;
}

/* The agent's visit offered nothing: until one of its filters expires, its
 * free resources change or a framework may newly take offers, a visit would
 * offer nothing again. (Not used with quota: headroom depends on other
 * agents.) O(filters on the agent). */
static void mark_quiet(struct hier *h, int32_t id)
{
	struct agent *ag = &h->agents[id];
	if (ag->free_pos < 0)
		return;
	mc_time_t until = MC_TIME_NEVER;
	for (int32_t i = ag->filters; i >= 0; i = h->filters[i].anext)
		if (h->filters[i].expires < until)
			until = h->filters[i].expires;
	struct freeslot *q = &h->freeset[ag->free_pos];
	q->quiet_serial = h->offer_serial;
	q->quiet_until = until;
}

static void run_hier(struct mc_allocator *a, mc_time_t now)
{
	struct hier *h = H(a);
	bool periodic = h->periodic_due;
	h->periodic_due = false;
	h->run_requested = false;
	h->runs++;
	h->now = now;
	bool explaining = h->host.explain != NULL;
	if (h->paused && periodic) {
		h->all_candidates = false;
		h->ncand = 0;
		h->run_serial++;
		h->periodic_timer = h->host.timer_start(
		    h->host.ctx, now + h->cfg.allocation_interval, periodic_fire, h, 0);
		return;
	}
	if (!h->dirty && !explaining) {
		/* nothing changed and the last run offered nothing: this run
		 * would offer nothing either */
		h->skipped++;
		h->all_candidates = false;
		h->ncand = 0;
		h->run_serial++;
	} else {
		refresh_scalar(h);
		size_t n = 0;
		bool full = h->all_candidates;
		if (h->all_candidates) {
			mc_xgrow(&h->order, &h->order_cap, h->nfree + 1, sizeof *h->order);
			for (size_t i = 0; i < h->nfree; i++) {
				const struct freeslot *q = &h->freeset[i];
				if (!q->active)
					continue;
				if (now < q->quiet_until && q->quiet_serial == h->offer_serial &&
				    !explaining)
					continue; /* would offer nothing again */
				h->order[n++] = q->agent;
			}
		} else {
			mc_xgrow(&h->order, &h->order_cap, h->ncand + 1, sizeof *h->order);
			for (size_t i = 0; i < h->ncand; i++) {
				const struct agent *ag = &h->agents[h->cand[i]];
				if (ag->known && ag->active && ag->free_pos >= 0)
					h->order[n++] = h->cand[i];
			}
		}
		h->ncand = 0;
		h->all_candidates = false;
		h->run_serial++;
		quota_setup(h);
		bool stage1 = !mc_resvec_is_zero(&h->required);
		if (stage1) {
			shuffle(h, h->order, n);
			for (size_t i = 0; i < n; i++)
				allocate_agent(h, 1, h->order[i]);
		}
		shuffle(h, h->order, n);
		for (size_t i = 0; i < n; i++) {
			uint64_t before = h->offers_recorded;
			allocate_agent(h, 2, h->order[i]);
			if (h->offers_recorded == before && !h->any_quota && !explaining)
				mark_quiet(h, h->order[i]);
		}
		/* Only a run over every agent that offered nothing proves that the
		 * next one would offer nothing too. */
		if (full)
			h->dirty = h->npend > 0;
		emit_offers(h);
	}
	if (periodic)
		h->periodic_timer = h->host.timer_start(
		    h->host.ctx, now + h->cfg.allocation_interval, periodic_fire, h, 0);
}

/* ---- queries
 * ------------------------------------------------------------------------------------- */

static void framework_allocation_hier(const struct mc_allocator *a, int32_t fw,
                                      struct mc_resvec *out)
{
	struct hier *h = (struct hier *)a;
	mc_resvec_clear(out);
	const struct fw *f = fw_get(h, fw);
	if (!f)
		return;
	for (int i = 0; i < f->nroles; i++)
		mc_resvec_add(out, h->fw_ops->allocation(h->roles[f->roles[i]].fws, fw));
}

static void framework_offered_hier(const struct mc_allocator *a, int32_t fw, struct mc_resvec *out)
{
	const struct hier *h = CH(a);
	mc_resvec_clear(out);
	for (size_t g = 0; g < h->nagents; g++) {
		const struct agent *ag = &h->agents[g];
		for (int k = 0; ag->known && k < ag->ne; k++)
			if (ag->e[k].fw == fw) {
				struct mc_resvec s, al;
				mc_resources_sum(&ag->e[k].held, &s);
				mc_resources_sum(&ag->e[k].allocated, &al);
				mc_resvec_sub(&s, &al);
				mc_resvec_add(out, &s);
			}
	}
}

static const struct mc_resources *held_hier(const struct mc_allocator *a, int32_t fw, int32_t role,
                                            int32_t agent, bool offered_only)
{
	struct hier *h = (struct hier *)a;
	struct agent *ag = agent_get(h, agent);
	if (!ag)
		return NULL;
	struct entry *e = entry_get(ag, fw, role, false);
	if (!e)
		return NULL;
	if (!offered_only)
		return &e->held;
	h->scratch = e->held;
	mc_resources_subtract(&h->scratch, &e->allocated);
	return &h->scratch;
}

static const struct mc_resvec *total_hier(const struct mc_allocator *a)
{
	return &CH(a)->total;
}

static double role_share_hier(const struct mc_allocator *a, int32_t role)
{
	struct hier *h = (struct hier *)a;
	if (role < 0 || role >= mc_role_count())
		return 0;
	return h->role_ops->path_share(h->rsorter, mc_role_name(role));
}

static double framework_share_hier(const struct mc_allocator *a, int32_t fw)
{
	struct hier *h = (struct hier *)a;
	const struct fw *f = fw_get(h, fw);
	if (!f)
		return 0;
	return h->fw_ops->share(h->roles[f->roles[0]].fws, fw);
}

static uint64_t runs_hier(const struct mc_allocator *a)
{
	return CH(a)->runs;
}
static uint64_t runs_skipped_hier(const struct mc_allocator *a)
{
	return CH(a)->skipped;
}

const struct mc_allocator_ops mc_allocator_hierarchical = {
    .name = "hierarchical",
    .create = create_hier,
    .destroy = destroy_hier,
    .add_agent = add_agent_hier,
    .add_used = add_used_hier,
    .remove_agent = remove_agent_hier,
    .update_agent = update_agent_hier,
    .activate_agent = activate_agent_hier,
    .reserve = reserve_hier,
    .add_framework = add_framework_hier,
    .remove_framework = remove_framework_hier,
    .activate_framework = activate_framework_hier,
    .deactivate_framework = deactivate_framework_hier,
    .suppress = suppress_hier,
    .revive = revive_hier,
    .recover = recover_hier,
    .launch = launch_hier,
    .set_quota = set_quota_hier,
    .set_weight = set_weight_hier,
    .run = run_hier,
    .pause = pause_hier,
    .run_pending = run_pending_hier,
    .framework_allocation = framework_allocation_hier,
    .framework_offered = framework_offered_hier,
    .held = held_hier,
    .total = total_hier,
    .role_share = role_share_hier,
    .framework_share = framework_share_hier,
    .runs = runs_hier,
    .runs_skipped = runs_skipped_hier,
};
