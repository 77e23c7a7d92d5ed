/*
 * sorter_int.h - the client tree both sorters share (policies/sorter_*.c).
 *
 * Nodes live in one pool; node 0 is the root. Every internal node keeps its
 * children in `kids`; the DRF sorter keeps each `kids` array sorted by
 * (share, count, path) unless the sorter is `dirty`, in which case the next
 * sort or iteration re-sorts everything. Allocations and counts of internal
 * nodes are always the sums over their subtrees (maintained eagerly);
 * shares are cached and valid only while not dirty. nkey order equals the
 * bytewise order of paths, so comparisons never call strcmp.
 */
#ifndef MC_POLICIES_SORTER_INT_H
#define MC_POLICIES_SORTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesocosm/sorter.h"

struct mc__snode {
	bool live, active;
	int32_t parent; /* -1 for the root */
	int32_t client; /* >= 0 for a leaf, -1 for an internal node */
	int32_t vleaf;  /* internal: its virtual leaf child "x/.", or -1 */
	char *path;     /* full path (owned); "" for the root */
	double weight, share;
	uint64_t count;
	struct mc_resvec alloc;
	int32_t *kids;
	int nkids, kcap;
	uint32_t seen; /* iteration serial that last returned this leaf */
	uint64_t nkey; /* rank of `path` among all paths: compares like strcmp */
	int32_t next_free;
};

struct mc__sweight {
	char *path;
	double w;
};

struct mc_sorter {
	const struct mc_sorter_ops *ops;
	bool hier, keep_sorted, dirty;
	struct mc__snode *nodes;
	size_t nnodes, ncap;
	int32_t free_node;
	int32_t *byname; /* live nodes sorted by path; nkey follows this order */
	size_t nbyname, bncap;
	int ninternal;  /* internal nodes besides the root */
	int32_t *cnode; /* client id -> node, -1 if untracked */
	size_t ccap, nclients;
	const struct mc_resvec *total;
	bool excluded[MC_RES_MAX];
	double tot[MC_RES_MAX]; /* total as Mesos doubles; 0 = not counted */
	int32_t *out;           /* sort() / iteration snapshot */
	double *keys, *tkeys;
	int32_t *tmp;
	size_t nout, bufcap;
	uint32_t serial;
	struct mc__sweight *weights;
	size_t nweights, wcap;
	uint32_t (*rand)(void *);
	void *rand_ctx;
};

struct mc_sorter *mc__sorter_new(const struct mc_sorter_ops *ops, bool keep_sorted, bool hier,
                                 const bool *excluded, const struct mc_resvec *total,
                                 uint32_t (*rand)(void *), void *rand_ctx);
void mc__sorter_free(struct mc_sorter *s);
void mc__sorter_add(struct mc_sorter *s, int32_t id, const char *name);
void mc__sorter_remove(struct mc_sorter *s, int32_t id);
void mc__sorter_activate(struct mc_sorter *s, int32_t id);
void mc__sorter_deactivate(struct mc_sorter *s, int32_t id);
void mc__sorter_set_weight(struct mc_sorter *s, const char *path, double w);
void mc__sorter_total_changed(struct mc_sorter *s);
void mc__sorter_allocated(struct mc_sorter *s, int32_t id, const struct mc_resvec *q);
void mc__sorter_unallocated(struct mc_sorter *s, int32_t id, const struct mc_resvec *q);
void mc__sorter_add_count(struct mc_sorter *s, int32_t id, uint64_t n);
double mc__sorter_share(struct mc_sorter *s, int32_t id);
double mc__sorter_path_share(struct mc_sorter *s, const char *path);
const struct mc_resvec *mc__sorter_allocation(struct mc_sorter *s, int32_t id);
uint64_t mc__sorter_alloc_count(struct mc_sorter *s, int32_t id);
bool mc__sorter_contains(struct mc_sorter *s, int32_t id);
bool mc__sorter_is_active(struct mc_sorter *s, int32_t id);
size_t mc__sorter_count(struct mc_sorter *s);

/* DRF order helpers (sorter_drf.c uses them; random uses the tree only). */
double mc__sorter_node_share(const struct mc_sorter *s, const struct mc__snode *n);
/* Re-sorts every kids array by (share, count, path) after recomputing all
 * shares. O(nodes log nodes). */
void mc__sorter_resort(struct mc_sorter *s);
/* Appends the active leaves depth-first (kids order) to s->out. O(nodes). */
void mc__sorter_collect(struct mc_sorter *s);
void mc__sorter_reserve_buf(struct mc_sorter *s, size_t n);

#endif
