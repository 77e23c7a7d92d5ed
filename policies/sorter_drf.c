/*
 * sorter_drf.c - the DRF sorter (Mesos sorter/drf/sorter.cpp), kept sorted
 * incrementally: after a client's allocation changes, only that client and
 * its ancestors move, each within its parent's children (binary search and
 * memmove), so a cycle that makes k offers costs O(k x d log n) sorter work
 * instead of a full sort per agent. A change of the pool total, a weight or
 * the tree shape re-sorts everything once, lazily.
 *
 * Order: share ascending (allocation/total over counted scalars, max,
 * divided by the weight, in doubles as Mesos), then lifetime allocation
 * count, then path bytewise; depth-first over the tree.
 *
 * Iteration on a flat tree is lazy: it walks the root's sorted children in
 * place. When the client just returned gets an allocation it can only move
 * later (its key grew), so the element now at the cursor is its old
 * successor; the moved client is skipped when met again (`seen`). That is
 * exactly iterating a snapshot of sort(), without copying it.
 */
#include "mesocosm/error.h"
#include "policies/sorter_int.h"

static struct mc_sorter *new_drf(bool hier, const bool *excluded, const struct mc_resvec *total,
                                 uint32_t (*rand)(void *), void *rand_ctx)
{
	return mc__sorter_new(&mc_sorter_drf, true, hier, excluded, total, rand, rand_ctx);
}

static const int32_t *sort_drf(struct mc_sorter *s, size_t *n)
{
	if (s->dirty)
		mc__sorter_resort(s);
	mc__sorter_collect(s);
	*n = s->nout;
	return s->out;
}

static int32_t lazy_scan(struct mc_sorter *s, struct mc_sorter_iter *it)
{
	const struct mc__snode *root = &s->nodes[0];
	for (; it->i < (size_t)root->nkids; it->i++) {
		struct mc__snode *x = &s->nodes[root->kids[it->i]];
		if (x->active && x->seen != it->serial) {
			x->seen = it->serial;
			it->cur = root->kids[it->i];
			return x->client;
		}
	}
	it->cur = -1;
	return -1;
}

static int32_t first_drf(struct mc_sorter *s, struct mc_sorter_iter *it)
{
	if (s->dirty)
		mc__sorter_resort(s);
	it->i = 0;
	it->cur = -1;
	if (s->ninternal == 0) {
		it->lazy = true;
		it->serial = ++s->serial;
		if (it->serial == 0) { /* wrapped: clear every mark */
			for (size_t k = 0; k < s->nnodes; k++)
				s->nodes[k].seen = 0;
			it->serial = ++s->serial;
		}
		return lazy_scan(s, it);
	}
	it->lazy = false;
	mc__sorter_collect(s);
	return s->nout ? s->out[0] : -1;
}

static int32_t next_drf(struct mc_sorter *s, struct mc_sorter_iter *it)
{
	if (!it->lazy) {
		if (++it->i < s->nout)
			return s->out[it->i];
		return -1;
	}
	if (it->cur < 0)
		return -1;
	const struct mc__snode *root = &s->nodes[0];
	if (it->i < (size_t)root->nkids && root->kids[it->i] == it->cur)
		it->i++;
	return lazy_scan(s, it);
}

const struct mc_sorter_ops mc_sorter_drf = {
    .name = "drf",
    .new = new_drf,
    .free = mc__sorter_free,
    .add = mc__sorter_add,
    .remove = mc__sorter_remove,
    .activate = mc__sorter_activate,
    .deactivate = mc__sorter_deactivate,
    .set_weight = mc__sorter_set_weight,
    .total_changed = mc__sorter_total_changed,
    .allocated = mc__sorter_allocated,
    .unallocated = mc__sorter_unallocated,
    .add_count = mc__sorter_add_count,
    .sort = sort_drf,
    .first = first_drf,
    .next = next_drf,
    .share = mc__sorter_share,
    .path_share = mc__sorter_path_share,
    .allocation = mc__sorter_allocation,
    .alloc_count = mc__sorter_alloc_count,
    .contains = mc__sorter_contains,
    .is_active = mc__sorter_is_active,
    .count = mc__sorter_count,
};
