/*
 * mesocosm/alloc.h - the allocation core: Mesos's hierarchical allocator
 * (src/master/allocator/mesos/hierarchical.cpp) as an embeddable library.
 *
 * The core depends on nothing of the simulator. The host (the simulator's
 * master model, the scenario runner, or a real master) passes the time into
 * every call and provides, through struct mc_alloc_host, a timer service, a
 * way to ask for an allocation run, an offer callback and a random source.
 * The core never reads a clock and never allocates memory inside a run once
 * its buffers are warm.
 *
 * Ids: agents, frameworks are dense non-negative ints chosen by the host.
 * Roles are ids from mc_role_intern() (resources.h).
 *
 * Triggers and runs (Mesos semantics): adding an active framework,
 * activating one, reviving, adding an agent, and updating an agent's total
 * add candidate agents and call host->request_run() once if no run is
 * pending; the host then calls mc_alloc_run(). The periodic timer (armed at
 * creation for now + allocation_interval) requests a run over all agents
 * and is re-armed when that run completes. Recovering resources, declines,
 * quota and weight changes, suppress and deactivate trigger nothing. While
 * paused, triggers are dropped.
 *
 * Lifecycle: mc_alloc_new() / mc_alloc_free().
 */
#ifndef MESOCOSM_ALLOC_H
#define MESOCOSM_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesocosm/resources.h"
#include "mesocosm/types.h"

#define MC_ALLOC_MIN_ALTS 8    /* alternatives in a min-allocatable OR-list */
#define MC_ALLOC_MAX_ROLES 8   /* roles per framework */

/* An OR-list of AND-sets: passes when the resources contain one set. n == 0
 * means "anything non-empty". */
struct mc_min_allocatable {
	int n;
	struct mc_resvec alt[MC_ALLOC_MIN_ALTS];
};

struct mc_alloc_config {
	mc_time_t allocation_interval;      /* 1 s */
	struct mc_min_allocatable min_allocatable; /* cpus:0.01 | mem:32 */
	const char *role_sorter;            /* "drf" | "random" */
	const char *framework_sorter;       /* "drf" | "random" */
	bool fair_sharing_excluded[MC_RES_MAX]; /* by resource index; none */
	bool filter_gpu_resources;          /* true */
};

/* Mesos's defaults. */
void mc_alloc_config_defaults(struct mc_alloc_config *c);

/* One offer of a run: everything `agent` gives `role`'s framework. */
struct mc_offer {
	int32_t agent;
	int32_t role;
	struct mc_resources resources;
};

/* Why a (agent, role, framework) got no offer in a run (explain mode). */
enum mc_alloc_outcome {
	MC_OUTCOME_OFFERED = 0,
	MC_OUTCOME_FILTERED,        /* detail_time: when the filter expires */
	MC_OUTCOME_BELOW_MIN,       /* what was left is below min allocatable */
	MC_OUTCOME_QUOTA_LIMIT,     /* the role's quota limit is reached */
	MC_OUTCOME_HEADROOM,        /* held back for role detail_role's guarantee */
	MC_OUTCOME_GPU,             /* GPU agent, framework without GPU_RESOURCES */
	MC_OUTCOME_NOTHING_LEFT,    /* the agent had nothing left for this role */
	MC_OUTCOME_OTHER_RESERVATION, /* only another role's reservations were left */
};

struct mc_explain {
	mc_time_t time;
	int stage;          /* 1 quota guarantees, 2 everything */
	int32_t agent, role, framework;
	enum mc_alloc_outcome outcome;
	mc_time_t detail_time;
	int32_t detail_role;
};

const char *mc_alloc_outcome_name(enum mc_alloc_outcome o);

struct mc_alloc_host {
	void *ctx;
	/* Calls fire(obj, data) at time `at` (timers at the same instant fire
	 * in creation order). Returns an id for timer_cancel. */
	uint64_t (*timer_start)(void *ctx, mc_time_t at, void (*fire)(void *obj, uint64_t data),
				void *obj, uint64_t data);
	void (*timer_cancel)(void *ctx, uint64_t id);
	/* Asks the host to call mc_alloc_run() soon; called once per pending run. */
	void (*request_run)(void *ctx);
	/* At the end of a run, once per framework that got offers. */
	void (*offer)(void *ctx, int32_t framework, const struct mc_offer *offers, size_t n);
	/* A uniform 32-bit random number (agent shuffles, random sorter). */
	uint32_t (*random)(void *ctx);
	/* Optional: receives every decision of a run (explain mode). */
	void (*explain)(void *ctx, const struct mc_explain *e);
};

struct mc_allocator;

/* A new allocator; arms the periodic timer for now + interval. Returns NULL
 * (MC_EINVAL) for an unknown sorter name. O(1). */
struct mc_allocator *mc_alloc_new(const struct mc_alloc_config *cfg,
				  const struct mc_alloc_host *host, mc_time_t now);
void mc_alloc_free(struct mc_allocator *a);

/* ---- agents ---------------------------------------------------------------- */

/* Adds an agent with its total and triggers a run for it. O(roles). Returns
 * MC_EEXIST for a known id. */
int mc_alloc_add_agent(struct mc_allocator *a, mc_time_t now, int32_t agent,
		       const struct mc_resources *total);
/* Resources already in use on an agent (Mesos addSlave's `used`), allocated
 * to `framework` in `role`. O(1). */
int mc_alloc_add_used(struct mc_allocator *a, int32_t agent, int32_t framework, int32_t role,
		      const struct mc_resources *used);
/* Removes an agent: its total, its offers and allocations, its filters.
 * O(frameworks on it + filters on it). No run. */
int mc_alloc_remove_agent(struct mc_allocator *a, mc_time_t now, int32_t agent);
/* New total; triggers a run for the agent when it changed. */
int mc_alloc_update_agent(struct mc_allocator *a, mc_time_t now, int32_t agent,
			  const struct mc_resources *total);
/* Deactivated agents get no offers but still count in the DRF totals. */
int mc_alloc_activate_agent(struct mc_allocator *a, int32_t agent, bool active);
/* Dynamic reservation of unreserved resources (RESERVE). No run. */
int mc_alloc_reserve(struct mc_allocator *a, int32_t agent, int32_t role,
		     const struct mc_resvec *q);

/* ---- frameworks ------------------------------------------------------------ */

enum { MC_CAP_GPU_RESOURCES = 1 };

/* Adds a framework in `nroles` roles; if active, triggers a run over all
 * agents. min_alloc NULL = the global setting. O(roles). */
int mc_alloc_add_framework(struct mc_allocator *a, mc_time_t now, int32_t fw,
			   const char *name, const int32_t *roles, int nroles,
			   unsigned capabilities, bool active,
			   const struct mc_min_allocatable *min_alloc);
/* Frees everything it was offered or allocated, drops its filters. No run. */
int mc_alloc_remove_framework(struct mc_allocator *a, mc_time_t now, int32_t fw);
/* Activate triggers a run over all agents; deactivate clears its filters. */
int mc_alloc_activate_framework(struct mc_allocator *a, mc_time_t now, int32_t fw);
int mc_alloc_deactivate_framework(struct mc_allocator *a, mc_time_t now, int32_t fw);
/* roles NULL/nroles 0 = all its roles. Suppress: no run. Revive: clears the
 * filters of those roles, un-suppresses, triggers a run over all agents. */
int mc_alloc_suppress(struct mc_allocator *a, mc_time_t now, int32_t fw, const int32_t *roles,
		      int nroles);
int mc_alloc_revive(struct mc_allocator *a, mc_time_t now, int32_t fw, const int32_t *roles,
		    int nroles);

/* ---- offers and allocations ------------------------------------------------- */

/*
 * Resources offered or allocated to (fw, role) on agent come back (a decline,
 * a rescind, a task's end). With refuse > 0, installs a filter hiding from
 * (fw, role, agent) any offer no larger than `res` for max(refuse,
 * allocation_interval). No run. O(frameworks on the agent). Returns
 * MC_EINSUFFICIENT if (fw, role) did not hold `res` there.
 */
int mc_alloc_recover(struct mc_allocator *a, mc_time_t now, int32_t fw, int32_t role,
		     int32_t agent, const struct mc_resources *res, mc_time_t refuse);
/* Offered -> allocated (a LAUNCH). Shares are unchanged (both count). O(1). */
int mc_alloc_launch(struct mc_allocator *a, mc_time_t now, int32_t fw, int32_t role,
		    int32_t agent, const struct mc_resources *res);

/* ---- quota and weights ---------------------------------------------------------- */

/* Top-level roles only. limit NULL = unlimited. No run. */
int mc_alloc_set_quota(struct mc_allocator *a, int32_t role, const struct mc_resvec *guarantee,
		       const struct mc_resvec *limit);
int mc_alloc_set_weight(struct mc_allocator *a, int32_t role, double weight);

/* ---- runs ----------------------------------------------------------------------- */

/* One allocation run over the candidate agents. O(candidates x (roles +
 * frameworks visited)); a periodic run in which nothing changed since the
 * last one costs O(1). */
void mc_alloc_run(struct mc_allocator *a, mc_time_t now);
/* Pause (master failover recovery): triggers are dropped until resume. */
void mc_alloc_pause(struct mc_allocator *a, bool paused);

/* ---- queries ----------------------------------------------------------------------- */

/* Offered + allocated to the framework, summed over agents and roles. */
void mc_alloc_framework_allocation(const struct mc_allocator *a, int32_t fw,
				   struct mc_resvec *out);
/* The pool total (all agents added). */
const struct mc_resvec *mc_alloc_total(const struct mc_allocator *a);
/* DRF dominant share of a role (its subtree's allocation / total / weight)
 * and of a framework (allocation / total). */
double mc_alloc_role_share(const struct mc_allocator *a, int32_t role);
double mc_alloc_framework_share(const struct mc_allocator *a, int32_t fw);
uint64_t mc_alloc_runs(const struct mc_allocator *a);

#endif
