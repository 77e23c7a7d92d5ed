/*
 * sorter_random.c - the random sorter (Mesos sorter/random): every sort()
 * (and every iteration start) is a fresh weighted shuffle of the active
 * leaves. A leaf's relative weight is the product down its path of
 * w / (w + weights of its active siblings), where a node is active when an
 * active leaf lies below it; the shuffle is weighted sampling without
 * replacement by Efraimidis-Spirakis keys u^(1/w), largest first (computed
 * as log(u)/w, which orders alike), with u drawn from the host's random
 * source. Allocations are tracked (shares,
 * queries) but never affect the order.
 */
#include <math.h>
#include <string.h>

#include "mesocosm/error.h"
#include "policies/sorter_int.h"

static struct mc_sorter *new_random(bool hier, const bool *excluded, const struct mc_resvec *total,
                                    uint32_t (*rand)(void *), void *rand_ctx)
{
	MC_ASSERT(rand != NULL);
	return mc__sorter_new(&mc_sorter_random, false, hier, excluded, total, rand, rand_ctx);
}

/* Marks nodes with an active leaf below (reusing `share` as the flag). */
static bool mark_active(struct mc_sorter *s, int32_t n)
{
	struct mc__snode *x = &s->nodes[n];
	bool any = false;
	if (x->client >= 0) {
		any = x->active;
	} else {
		for (int k = 0; k < x->nkids; k++)
			any |= mark_active(s, x->kids[k]);
	}
	x->share = any ? 1.0 : 0.0;
	return any;
}

static void draw(struct mc_sorter *s, int32_t n, double w)
{
	struct mc__snode *x = &s->nodes[n];
	if (x->client >= 0) {
		/* u in (0, 1): 32 random bits, never exactly 0 or 1 */
		double u = ((double)s->rand(s->rand_ctx) + 0.5) / 4294967296.0;
		s->keys[s->nout] = log(u) / w; /* orders as u^(1/w), cheaper */
		s->out[s->nout++] = x->client;
		return;
	}
	double sum = 0;
	for (int k = 0; k < x->nkids; k++)
		if (s->nodes[x->kids[k]].share > 0)
			sum += s->nodes[x->kids[k]].weight;
	for (int k = 0; k < x->nkids; k++) {
		const struct mc__snode *y = &s->nodes[x->kids[k]];
		if (y->share > 0)
			draw(s, x->kids[k], w * y->weight / sum);
	}
}

static const int32_t *sort_random(struct mc_sorter *s, size_t *n)
{
	mc__sorter_reserve_buf(s, s->nclients + 1);
	s->nout = 0;
	if (mark_active(s, 0))
		draw(s, 0, 1.0);
	/* stable merge sort by key, descending; no allocation */
	size_t n0 = s->nout;
	int32_t *id = s->out, *tid = s->tmp;
	double *key = s->keys, *tkey = s->tkeys;
	for (size_t width = 1; width < n0; width *= 2) {
		for (size_t lo = 0; lo < n0; lo += 2 * width) {
			size_t mid = lo + width < n0 ? lo + width : n0;
			size_t hi = lo + 2 * width < n0 ? lo + 2 * width : n0;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi) {
				size_t t = key[j] > key[i] ? j++ : i++;
				tid[k] = id[t];
				tkey[k++] = key[t];
			}
			for (; i < mid; i++, k++) {
				tid[k] = id[i];
				tkey[k] = key[i];
			}
			for (; j < hi; j++, k++) {
				tid[k] = id[j];
				tkey[k] = key[j];
			}
		}
		memcpy(id, tid, n0 * sizeof *id);
		memcpy(key, tkey, n0 * sizeof *key);
	}
	s->dirty = false;
	*n = s->nout;
	return s->out;
}

static int32_t first_random(struct mc_sorter *s, struct mc_sorter_iter *it)
{
	size_t n;
	sort_random(s, &n);
	it->lazy = false;
	it->i = 0;
	return n ? s->out[0] : -1;
}

static int32_t next_random(struct mc_sorter *s, struct mc_sorter_iter *it)
{
	return ++it->i < s->nout ? s->out[it->i] : -1;
}

const struct mc_sorter_ops mc_sorter_random = {
    .name = "random",
    .new = new_random,
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
    .sort = sort_random,
    .first = first_random,
    .next = next_random,
    .share = mc__sorter_share,
    .path_share = mc__sorter_path_share,
    .allocation = mc__sorter_allocation,
    .alloc_count = mc__sorter_alloc_count,
    .contains = mc__sorter_contains,
    .is_active = mc__sorter_is_active,
    .count = mc__sorter_count,
};
