/*
 * alloc_int.h - the allocator policy interface behind include/mesocosm/alloc.h.
 *
 * Every allocator policy (hierarchical today; static partitioning, slots,
 * asset fairness, FIFO/priority, packing later) exports one const table
 * `mc_allocator_<name>` of these operations; policies/alloc.c holds the
 * registry and the public functions, which dispatch through the table. A
 * policy's state struct begins with `struct mc_allocator` (its `ops`).
 * All operations are required except those marked optional (NULL-checked).
 */
#ifndef MC_POLICIES_ALLOC_INT_H
#define MC_POLICIES_ALLOC_INT_H

#include "mesocosm/alloc.h"

struct mc_allocator {
	const struct mc_allocator_ops *ops;
};

struct mc_allocator_ops {
	const char *name;
	struct mc_allocator *(*create)(const struct mc_alloc_config *cfg,
	                               const struct mc_alloc_host *host, mc_time_t now);
	void (*destroy)(struct mc_allocator *a);
	int (*add_agent)(struct mc_allocator *a, mc_time_t now, int32_t agent,
	                 const struct mc_resources *total);
	int (*add_used)(struct mc_allocator *a, int32_t agent, int32_t fw, int32_t role,
	                const struct mc_resources *used);
	int (*remove_agent)(struct mc_allocator *a, mc_time_t now, int32_t agent);
	int (*update_agent)(struct mc_allocator *a, mc_time_t now, int32_t agent,
	                    const struct mc_resources *total);
	int (*activate_agent)(struct mc_allocator *a, int32_t agent, bool active);
	int (*reserve)(struct mc_allocator *a, int32_t agent, int32_t role,
	               const struct mc_resvec *q);
	int (*add_framework)(struct mc_allocator *a, mc_time_t now, int32_t fw, const char *name,
	                     const int32_t *roles, int nroles, unsigned caps, bool active,
	                     const struct mc_min_allocatable *min_alloc);
	int (*remove_framework)(struct mc_allocator *a, mc_time_t now, int32_t fw);
	int (*activate_framework)(struct mc_allocator *a, mc_time_t now, int32_t fw);
	int (*deactivate_framework)(struct mc_allocator *a, mc_time_t now, int32_t fw);
	int (*suppress)(struct mc_allocator *a, mc_time_t now, int32_t fw, const int32_t *roles,
	                int nroles);
	int (*revive)(struct mc_allocator *a, mc_time_t now, int32_t fw, const int32_t *roles,
	              int nroles);
	int (*recover)(struct mc_allocator *a, mc_time_t now, int32_t fw, int32_t role,
	               int32_t agent, const struct mc_resources *res, mc_time_t refuse);
	int (*launch)(struct mc_allocator *a, mc_time_t now, int32_t fw, int32_t role,
	              int32_t agent, const struct mc_resources *res);
	int (*set_quota)(struct mc_allocator *a, int32_t role, const struct mc_resvec *guarantee,
	                 const struct mc_resvec *limit, const bool *limited);
	int (*set_weight)(struct mc_allocator *a, int32_t role, double weight);
	void (*run)(struct mc_allocator *a, mc_time_t now);
	void (*pause)(struct mc_allocator *a, bool paused);
	bool (*run_pending)(const struct mc_allocator *a);
	void (*framework_allocation)(const struct mc_allocator *a, int32_t fw,
	                             struct mc_resvec *out);
	void (*framework_offered)(const struct mc_allocator *a, int32_t fw, struct mc_resvec *out);
	const struct mc_resources *(*held)(const struct mc_allocator *a, int32_t fw, int32_t role,
	                                   int32_t agent, bool offered_only);
	const struct mc_resvec *(*total)(const struct mc_allocator *a);
	double (*role_share)(const struct mc_allocator *a, int32_t role);
	double (*framework_share)(const struct mc_allocator *a, int32_t fw);
	uint64_t (*runs)(const struct mc_allocator *a);
	uint64_t (*runs_skipped)(const struct mc_allocator *a);
};

extern const struct mc_allocator_ops mc_allocator_hierarchical;

/* The policy named `name` (NULL = "hierarchical"), or NULL. O(policies). */
const struct mc_allocator_ops *mc__allocator_lookup(const char *name);

#endif
