/*
 * mesocosm/sorter.h - the sorters that order roles and frameworks for the
 * allocator (Mesos's sorter/drf and sorter/random), as const ops tables.
 *
 * A sorter tracks clients: dense ids chosen by the caller, each with a path
 * name. In a hierarchical sorter (the role sorter) the path "a/b/c" places
 * the client in a tree split on '/'; a client that also has descendants
 * ("a" next to "a/b") becomes a virtual leaf "a/." under the internal node
 * "a", as in Mesos. A flat sorter (framework sorters) keeps names whole.
 * Each node has a weight (looked up by path; default 1), an allocation
 * (struct mc_resvec, summed over agents and, for internal nodes, over the
 * subtree) and a lifetime allocation count. Only active leaves are sorted.
 *
 *   drf:    share = max over counted scalar names of allocation/total (in
 *           doubles, value = thousandths / 1000.0 as Mesos's Value::Scalar),
 *           divided by the node's weight; ties by allocation count, then
 *           path bytewise. Children are sorted at every level and active
 *           leaves listed depth-first. Kept sorted incrementally: an
 *           allocation change moves one node per level (binary search +
 *           memmove); a change of total or weights re-sorts lazily.
 *   random: a weighted shuffle of the active leaves, drawn anew at every
 *           iteration start from the host's random source; a leaf's weight
 *           is the product down its path of w / (w + weights of active
 *           siblings); Efraimidis-Spirakis keys u^(1/w), largest first.
 *
 * Lifecycle: ops->new / ops->free. Costs are documented per operation
 * (n = clients, d = tree depth).
 */
#ifndef MESOCOSM_SORTER_H
#define MESOCOSM_SORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesocosm/resources.h"

struct mc_sorter;

/* Iteration state (caller-owned, opaque). */
struct mc_sorter_iter {
	size_t i;
	int32_t cur;
	uint32_t serial;
	bool lazy;
};

struct mc_sorter_ops {
	const char *name;
	/* A sorter. `hierarchical` splits paths on '/'. `excluded[i]` true
	 * leaves resource i out of shares (may be NULL). `total` is the pool
	 * total, borrowed: it must outlive the sorter; call total_changed()
	 * after changing it. rand/rand_ctx: the random source (random sorter
	 * only; may be NULL for drf). O(1). */
	struct mc_sorter *(*new)(bool hierarchical, const bool *excluded,
	                         const struct mc_resvec *total, uint32_t (*rand)(void *),
	                         void *rand_ctx);
	void (*free)(struct mc_sorter *s);
	/* Adds client `id` (>= 0, unused) inactive, with path `name` (copied).
	 * O(d + siblings). */
	void (*add)(struct mc_sorter *s, int32_t id, const char *name);
	/* Removes a client (its allocation leaves its ancestors). O(d x siblings). */
	void (*remove)(struct mc_sorter *s, int32_t id);
	void (*activate)(struct mc_sorter *s, int32_t id);   /* O(1) */
	void (*deactivate)(struct mc_sorter *s, int32_t id); /* O(1) */
	/* Sets the weight of the node at `path` (now or when it appears).
	 * Marks the sorter for a lazy full re-sort. O(weights + nodes). */
	void (*set_weight)(struct mc_sorter *s, const char *path, double w);
	/* The pool total changed: re-sort lazily. O(1). */
	void (*total_changed)(struct mc_sorter *s);
	/* Adds q to the client's allocation (and its ancestors') and 1 to
	 * their allocation counts. O(d x log siblings + memmove). */
	void (*allocated)(struct mc_sorter *s, int32_t id, const struct mc_resvec *q);
	/* Takes q off the allocation (counts unchanged). Same cost. */
	void (*unallocated)(struct mc_sorter *s, int32_t id, const struct mc_resvec *q);
	/* Adds to the allocation count only (used resources of a new agent). */
	void (*add_count)(struct mc_sorter *s, int32_t id, uint64_t n);
	/* The active leaves in order, into the sorter's buffer (valid until
	 * the next call); *n gets their number. O(nodes) (+ O(n log n) after a
	 * total or weight change; + n draws for random). */
	const int32_t *(*sort)(struct mc_sorter *s, size_t *n);
	/* Iteration in sort order with the semantics of iterating one sort()
	 * snapshot, robust to allocated() on the client just returned. Returns
	 * a client id, or -1 at the end. Flat drf: O(1) amortised per step, no
	 * snapshot copy; otherwise first() costs one sort(). */
	int32_t (*first)(struct mc_sorter *s, struct mc_sorter_iter *it);
	int32_t (*next)(struct mc_sorter *s, struct mc_sorter_iter *it);
	/* The client's share (its leaf: allocation / total / weight). O(names). */
	double (*share)(struct mc_sorter *s, int32_t id);
	/* Share of the node at `path` (internal or leaf), 0 if none. O(nodes). */
	double (*path_share)(struct mc_sorter *s, const char *path);
	const struct mc_resvec *(*allocation)(struct mc_sorter *s, int32_t id);
	uint64_t (*alloc_count)(struct mc_sorter *s, int32_t id);
	bool (*contains)(struct mc_sorter *s, int32_t id);
	bool (*is_active)(struct mc_sorter *s, int32_t id);
	size_t (*count)(struct mc_sorter *s); /* clients tracked, active or not */
};

extern const struct mc_sorter_ops mc_sorter_drf;
extern const struct mc_sorter_ops mc_sorter_random;

/* The sorter named `name` ("drf", "random"), or NULL. O(sorters). */
const struct mc_sorter_ops *mc_sorter_lookup(const char *name);

#endif
