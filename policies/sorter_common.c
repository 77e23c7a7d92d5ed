/*
 * sorter_common.c - client bookkeeping shared by the DRF and random sorters,
 * the DRF share, a merge sort of ids, and the sorter registry.
 */
#include <stdlib.h>
#include <string.h>

#include "mesocosm/error.h"
#include "policies/sorter_int.h"

struct mc_sorter *mc__sorter_new(const struct mc_sorter_ops *ops, const bool excluded[MC_RES_MAX],
				 uint32_t (*rand)(void *), void *rand_ctx)
{
	struct mc_sorter *s = mc_xcalloc(1, sizeof *s);
	s->ops = ops;
	if (excluded)
		memcpy(s->excluded, excluded, sizeof s->excluded);
	s->rand = rand;
	s->rand_ctx = rand_ctx;
	return s;
}

void mc__sorter_free(struct mc_sorter *s)
{
	if (!s)
		return;
	free(s->c);
	free(s->order);
	free(s->pos);
	free(s->out);
	free(s->keys);
	free(s->tmp);
	free(s);
}

double mc__sorter_compute_share(const struct mc_sorter *s, const struct mc__client *c)
{
	double share = 0;
	for (int i = 0; i < MC_RES_MAX; i++) {
		if (s->excluded[i] || s->total.q[i] <= 0 || mc_res_kind_of(i) != MC_RES_SCALAR)
			continue;
		double f = (double)c->alloc.q[i] / (double)s->total.q[i];
		if (f > share)
			share = f;
	}
	return share / c->weight;
}

void mc__sorter_add(struct mc_sorter *s, int32_t id, const char *name)
{
	MC_ASSERT(id >= 0);
	if ((size_t)id >= s->cap) {
		size_t old = s->cap;
		size_t ncap = old ? old : 16;
		while (ncap <= (size_t)id)
			ncap *= 2;
		s->c = mc_xrealloc(s->c, ncap * sizeof *s->c);
		s->pos = mc_xrealloc(s->pos, ncap * sizeof *s->pos);
		memset(s->c + old, 0, (ncap - old) * sizeof *s->c);
		s->cap = ncap;
	}
	struct mc__client *c = &s->c[id];
	MC_ASSERT(!c->tracked);
	memset(c, 0, sizeof *c);
	c->tracked = true;
	c->name = name;
	c->weight = 1.0;
	if (s->n + 1 > s->bufcap) {
		size_t nb = s->bufcap ? s->bufcap * 2 : 16;
		s->order = mc_xrealloc(s->order, nb * sizeof *s->order);
		s->out = mc_xrealloc(s->out, nb * sizeof *s->out);
		s->tmp = mc_xrealloc(s->tmp, nb * sizeof *s->tmp);
		s->keys = mc_xrealloc(s->keys, nb * sizeof *s->keys);
		s->bufcap = nb;
	}
	s->pos[id] = s->n;
	s->order[s->n++] = id;
	s->dirty = true;
}

void mc__sorter_remove(struct mc_sorter *s, int32_t id)
{
	MC_ASSERT(id >= 0 && (size_t)id < s->cap && s->c[id].tracked);
	size_t p = s->pos[id];
	memmove(&s->order[p], &s->order[p + 1], (s->n - p - 1) * sizeof *s->order);
	s->n--;
	for (size_t i = p; i < s->n; i++)
		s->pos[s->order[i]] = i;
	s->c[id].tracked = false;
}

void mc__sort_ids(int32_t *ids, int32_t *tmp, size_t n,
		  bool (*less)(const struct mc_sorter *, int32_t, int32_t), const struct mc_sorter *s)
{
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = less(s, ids[j], ids[i]) ? ids[j++] : ids[i++];
			while (i < mid)
				tmp[k++] = ids[i++];
			while (j < hi)
				tmp[k++] = ids[j++];
		}
		memcpy(ids, tmp, n * sizeof *ids);
	}
}

const struct mc_sorter_ops *mc_sorter_lookup(const char *name)
{
	static const struct mc_sorter_ops *const all[] = {&mc_sorter_drf, &mc_sorter_random};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (name && !strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
