/*
 * sorter_random.c - the random sorter (Mesos sorter/random): every sort()
 * is a fresh weighted shuffle of the active clients, weighted sampling
 * without replacement by Efraimidis-Spirakis keys u^(1/w) (largest first),
 * with u drawn from the host's random source. Allocations are tracked (for
 * shares and quota) but do not affect the order.
 */
#include <math.h>
#include <string.h>

#include "mesocosm/error.h"
#include "policies/sorter_int.h"

static bool less_random(const struct mc_sorter *s, int32_t a, int32_t b)
{
	/* The random sorter has no use for a cached share: sort() keeps each
	 * client's shuffle key in that slot. Largest key first. */
	return s->c[a].share > s->c[b].share;
}

static struct mc_sorter *new_random(const bool excluded[MC_RES_MAX], uint32_t (*rand)(void *),
				    void *rand_ctx)
{
	return mc__sorter_new(&mc_sorter_random, excluded, rand, rand_ctx);
}

static void add_random(struct mc_sorter *s, int32_t id, const char *name) { mc__sorter_add(s, id, name); }
static void remove_random(struct mc_sorter *s, int32_t id) { mc__sorter_remove(s, id); }
static void activate_random(struct mc_sorter *s, int32_t id) { s->c[id].active = true; }
static void deactivate_random(struct mc_sorter *s, int32_t id) { s->c[id].active = false; }

static void set_weight_random(struct mc_sorter *s, int32_t id, double w)
{
	s->c[id].weight = w > 0 ? w : 1.0;
}

static void set_total_random(struct mc_sorter *s, const struct mc_resvec *total) { s->total = *total; }

static void allocated_random(struct mc_sorter *s, int32_t id, const struct mc_resvec *q)
{
	mc_resvec_add(&s->c[id].alloc, q);
	s->c[id].count++;
}

static void unallocated_random(struct mc_sorter *s, int32_t id, const struct mc_resvec *q)
{
	mc_resvec_sub(&s->c[id].alloc, q);
}

static const int32_t *sort_random(struct mc_sorter *s, size_t *n)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		int32_t id = s->order[i];
		struct mc__client *c = &s->c[id];
		if (!c->active)
			continue;
		/* u in (0, 1): 32 random bits, never exactly 0 */
		double u = ((double)s->rand(s->rand_ctx) + 0.5) / 4294967296.0;
		c->share = pow(u, 1.0 / c->weight); /* the key, kept in share's slot */
		s->out[k++] = id;
	}
	mc__sort_ids(s->out, s->tmp, k, less_random, s);
	*n = k;
	return s->out;
}

static double share_random(struct mc_sorter *s, int32_t id)
{
	return mc__sorter_compute_share(s, &s->c[id]);
}

static const struct mc_resvec *allocation_random(struct mc_sorter *s, int32_t id) { return &s->c[id].alloc; }

static bool contains_random(struct mc_sorter *s, int32_t id)
{
	return id >= 0 && (size_t)id < s->cap && s->c[id].tracked;
}

static size_t count_random(struct mc_sorter *s) { return s->n; }

const struct mc_sorter_ops mc_sorter_random = {
	.name = "random",
	.new = new_random,
	.free = mc__sorter_free,
	.add = add_random,
	.remove = remove_random,
	.activate = activate_random,
	.deactivate = deactivate_random,
	.set_weight = set_weight_random,
	.set_total = set_total_random,
	.allocated = allocated_random,
	.unallocated = unallocated_random,
	.sort = sort_random,
	.share = share_random,
	.allocation = allocation_random,
	.contains = contains_random,
	.count = count_random,
};
