/*
 * sorter_int.h - the client table both sorters share (policies/sorter_*.c).
 * Clients are dense ids; `order` holds every tracked client, kept in sort
 * order by the DRF sorter (positions in `pos`).
 */
#ifndef MC_POLICIES_SORTER_INT_H
#define MC_POLICIES_SORTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesocosm/sorter.h"

struct mc__client {
	bool tracked, active;
	const char *name;
	double weight;
	double share;
	uint64_t count;
	struct mc_resvec alloc;
};

struct mc_sorter {
	const struct mc_sorter_ops *ops;
	struct mc__client *c;
	size_t cap;           /* ids < cap have a slot */
	int32_t *order;       /* tracked clients */
	size_t *pos;          /* pos[id] = index in order */
	size_t n;             /* tracked */
	int32_t *out;         /* sort() result buffer */
	double *keys;         /* random sorter keys */
	int32_t *tmp;         /* merge sort scratch */
	size_t bufcap;
	bool dirty;
	struct mc_resvec total;
	bool excluded[MC_RES_MAX];
	uint32_t (*rand)(void *);
	void *rand_ctx;
};

struct mc_sorter *mc__sorter_new(const struct mc_sorter_ops *ops, const bool excluded[MC_RES_MAX],
				 uint32_t (*rand)(void *), void *rand_ctx);
void mc__sorter_free(struct mc_sorter *s);
void mc__sorter_add(struct mc_sorter *s, int32_t id, const char *name);
void mc__sorter_remove(struct mc_sorter *s, int32_t id);
double mc__sorter_compute_share(const struct mc_sorter *s, const struct mc__client *c);
/* Stable merge sort of ids[0..n) by less(ctx, a, b). O(n log n). */
void mc__sort_ids(int32_t *ids, int32_t *tmp, size_t n,
		  bool (*less)(const struct mc_sorter *, int32_t, int32_t), const struct mc_sorter *s);

#endif
