/*
 * mesocosm/sorter.h - the sorters that order roles and frameworks for the
 * allocator (Mesos's sorter/drf and sorter/random), as const ops tables.
 *
 * A sorter tracks clients (dense ids chosen by the caller, with a name for
 * tie-breaks), each with a weight, an allocation (struct mc_resvec, summed
 * over agents), an allocation count, and an active flag. sort() returns the
 * active clients in order:
 *   drf:    share = max over counted resources of allocation/total, divided
 *           by the weight (doubles, as Mesos); ties by lifetime allocation
 *           count, then name (bytewise);
 *   random: a weighted shuffle (Efraimidis-Spirakis keys -u^(1/w)), drawn
 *           anew on every call from the host's random source.
 * Lifecycle: ops->new / ops->free. Costs are documented per operation.
 */
#ifndef MESOCOSM_SORTER_H
#define MESOCOSM_SORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesocosm/resources.h"

struct mc_sorter;

struct mc_sorter_ops {
	const char *name;
	/* A sorter over the pool `total` (copied; change with set_total).
	 * `excluded[i]` true removes resource i from shares. rand/rand_ctx is
	 * the random source (used by "random" only). */
	struct mc_sorter *(*new)(const bool excluded[MC_RES_MAX], uint32_t (*rand)(void *),
				 void *rand_ctx);
	void (*free)(struct mc_sorter *s);
	/* Adds client `id` (inactive) named `name` (borrowed, must outlive it). O(n). */
	void (*add)(struct mc_sorter *s, int32_t id, const char *name);
	void (*remove)(struct mc_sorter *s, int32_t id);           /* O(n) */
	void (*activate)(struct mc_sorter *s, int32_t id);         /* O(1) */
	void (*deactivate)(struct mc_sorter *s, int32_t id);       /* O(1) */
	void (*set_weight)(struct mc_sorter *s, int32_t id, double w); /* O(n) */
	void (*set_total)(struct mc_sorter *s, const struct mc_resvec *total); /* marks dirty */
	/* Adds q to the client's allocation and 1 to its count. O(moves). */
	void (*allocated)(struct mc_sorter *s, int32_t id, const struct mc_resvec *q);
	/* Takes q off the client's allocation (count unchanged). O(moves). */
	void (*unallocated)(struct mc_sorter *s, int32_t id, const struct mc_resvec *q);
	/* Adds to the count only (e.g. an agent added with used resources). */
	/* The active clients in order; *n gets their number. The array is owned by
	 * the sorter and valid until its next call. O(n) when clean, O(n log n)
	 * after a change of total or weights. */
	const int32_t *(*sort)(struct mc_sorter *s, size_t *n);
	/* The client's share (allocation / total / weight, drf definition). */
	double (*share)(struct mc_sorter *s, int32_t id);
	const struct mc_resvec *(*allocation)(struct mc_sorter *s, int32_t id);
	bool (*contains)(struct mc_sorter *s, int32_t id);
	size_t (*count)(struct mc_sorter *s); /* clients tracked, active or not */
};

extern const struct mc_sorter_ops mc_sorter_drf;
extern const struct mc_sorter_ops mc_sorter_random;

/* The sorter named `name` ("drf", "random"), or NULL. */
const struct mc_sorter_ops *mc_sorter_lookup(const char *name);

#endif
