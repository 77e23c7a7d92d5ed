/*
 * sorter_drf.c - the DRF sorter (Mesos sorter/drf), kept sorted
 * incrementally: after a client's allocation changes, only that client
 * moves (insertion step), so an allocation cycle that makes k offers costs
 * O(k x moves) sorter work instead of a full sort per agent. A change of
 * the pool total or of a weight re-sorts everything once, lazily.
 *
 * Order: share ascending (allocation/total over non-excluded scalars, max,
 * divided by weight, in doubles), then lifetime allocation count, then
 * name bytewise.
 */
#include <string.h>

#include "mesocosm/error.h"
#include "policies/sorter_int.h"

static bool less_drf(const struct mc_sorter *s, int32_t a, int32_t b)
{
	const struct mc__client *x = &s->c[a], *y = &s->c[b];
	if (x->share != y->share)
		return x->share < y->share;
	if (x->count != y->count)
		return x->count < y->count;
	return strcmp(x->name, y->name) < 0;
}

static struct mc_sorter *new_drf(const bool excluded[MC_RES_MAX], uint32_t (*rand)(void *),
				 void *rand_ctx)
{
	return mc__sorter_new(&mc_sorter_drf, excluded, rand, rand_ctx);
}

static void add_drf(struct mc_sorter *s, int32_t id, const char *name)
{
	mc__sorter_add(s, id, name);
}

static void remove_drf(struct mc_sorter *s, int32_t id) { mc__sorter_remove(s, id); }

static void activate_drf(struct mc_sorter *s, int32_t id) { s->c[id].active = true; }
static void deactivate_drf(struct mc_sorter *s, int32_t id) { s->c[id].active = false; }

static void resort_all(struct mc_sorter *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct mc__client *c = &s->c[s->order[i]];
		c->share = mc__sorter_compute_share(s, c);
	}
	mc__sort_ids(s->order, s->tmp, s->n, less_drf, s);
	for (size_t i = 0; i < s->n; i++)
		s->pos[s->order[i]] = i;
	s->dirty = false;
}

static void set_weight_drf(struct mc_sorter *s, int32_t id, double w)
{
	s->c[id].weight = w > 0 ? w : 1.0;
	s->dirty = true;
}

static void set_total_drf(struct mc_sorter *s, const struct mc_resvec *total)
{
	s->total = *total;
	s->dirty = true;
}

/* Moves client id to its place after its key changed. */
static void reposition(struct mc_sorter *s, int32_t id)
{
	if (s->dirty)
		return; /* the next sort() re-sorts everything */
	size_t p = s->pos[id];
	while (p > 0 && less_drf(s, id, s->order[p - 1])) {
		s->order[p] = s->order[p - 1];
		s->pos[s->order[p]] = p;
		p--;
	}
	while (p + 1 < s->n && less_drf(s, s->order[p + 1], id)) {
		s->order[p] = s->order[p + 1];
		s->pos[s->order[p]] = p;
		p++;
	}
	s->order[p] = id;
	s->pos[id] = p;
}

static void allocated_drf(struct mc_sorter *s, int32_t id, const struct mc_resvec *q)
{
	struct mc__client *c = &s->c[id];
	mc_resvec_add(&c->alloc, q);
	c->count++;
	c->share = mc__sorter_compute_share(s, c);
	reposition(s, id);
}

static void unallocated_drf(struct mc_sorter *s, int32_t id, const struct mc_resvec *q)
{
	struct mc__client *c = &s->c[id];
	mc_resvec_sub(&c->alloc, q);
	c->share = mc__sorter_compute_share(s, c);
	reposition(s, id);
}

static const int32_t *sort_drf(struct mc_sorter *s, size_t *n)
{
	if (s->dirty)
		resort_all(s);
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->c[s->order[i]].active)
			s->out[k++] = s->order[i];
	*n = k;
	return s->out;
}

static double share_drf(struct mc_sorter *s, int32_t id)
{
	return mc__sorter_compute_share(s, &s->c[id]);
}

static const struct mc_resvec *allocation_drf(struct mc_sorter *s, int32_t id)
{
	return &s->c[id].alloc;
}

static bool contains_drf(struct mc_sorter *s, int32_t id)
{
	return id >= 0 && (size_t)id < s->cap && s->c[id].tracked;
}

static size_t count_drf(struct mc_sorter *s) { return s->n; }

const struct mc_sorter_ops mc_sorter_drf = {
	.name = "drf",
	.new = new_drf,
	.free = mc__sorter_free,
	.add = add_drf,
	.remove = remove_drf,
	.activate = activate_drf,
	.deactivate = deactivate_drf,
	.set_weight = set_weight_drf,
	.set_total = set_total_drf,
	.allocated = allocated_drf,
	.unallocated = unallocated_drf,
	.sort = sort_drf,
	.share = share_drf,
	.allocation = allocation_drf,
	.contains = contains_drf,
	.count = count_drf,
};
