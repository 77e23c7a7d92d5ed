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
 * Policies: the allocator named by cfg->allocator is looked up in a
 * registry of const ops tables (policies/alloc_int.h); "hierarchical" (this
 * page's semantics) is the one implemented. Every public function below
 * dispatches through the table at the cost of one indirect call.
 *
 * Costs below: A = agents, F = frameworks, R = roles, e = (framework, role)
 * entries holding something on one agent, d = role depth.
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

#define MC_ALLOC_MIN_ALTS  8 /* alternatives in a min-allocatable OR-list */
#define MC_ALLOC_MAX_ROLES 8 /* roles per framework */

/* An OR-list of AND-sets: passes when the resources contain one set. n == 0
 * means "anything non-empty". */
struct mc_min_allocatable {
	int n;
	struct mc_resvec alt[MC_ALLOC_MIN_ALTS];
};

struct mc_alloc_config {
	mc_time_t allocation_interval;             /* 1 s */
	struct mc_min_allocatable min_allocatable; /* cpus:0.01 | mem:32 */
	const char *role_sorter;                   /* "drf" | "random" */
	const char *framework_sorter;              /* "drf" | "random" */
	bool fair_sharing_excluded[MC_RES_MAX];    /* by resource index; none */
	bool filter_gpu_resources;                 /* true */
	const char *allocator;                     /* "hierarchical" (NULL = it) */
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
	MC_OUTCOME_FILTERED,          /* detail_time: when the filter expires */
	MC_OUTCOME_BELOW_MIN,         /* what was left is below min allocatable */
	MC_OUTCOME_QUOTA_LIMIT,       /* the role's quota limit is reached */
	MC_OUTCOME_HEADROOM,          /* held back for role detail_role's guarantee */
	MC_OUTCOME_GPU,               /* GPU agent, framework without GPU_RESOURCES */
	MC_OUTCOME_NOTHING_LEFT,      /* the agent had nothing left for this role */
	MC_OUTCOME_OTHER_RESERVATION, /* only another role's reservations were left */
	MC_OUTCOME_SUPPRESSED,        /* the framework suppressed offers for the role */
	MC_OUTCOME_INACTIVE,          /* the framework is deactivated */
	MC_OUTCOME_GUARANTEE_MET,     /* stage 1: nothing here helps the unmet guarantee */
};

/* One decision of a run. detail_time is set for FILTERED, detail_role for
 * HEADROOM (the role whose unmet guarantee holds the resources back; -1
 * when several do). */
struct mc_explain {
	mc_time_t time;
	int stage; /* 1 quota guarantees, 2 everything */
	int32_t agent, role, framework;
	enum mc_alloc_outcome outcome;
	mc_time_t detail_time;
	int32_t detail_role;
};

/* A short phrase for an outcome ("offered", "filtered", ...). O(1). */
const char *mc_alloc_outcome_name(enum mc_alloc_outcome o);

struct mc_alloc_host {
	void *ctx;
	/* Calls fire(obj, data) at time `at` (timers at the same instant fire
	 * in creation order). Returns a non-zero id for timer_cancel. */
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
 * for an unknown allocator or sorter name. `host` is copied. O(1). */
struct mc_allocator *mc_alloc_new(const struct mc_alloc_config *cfg,
                                  const struct mc_alloc_host *host, mc_time_t now);
/* Frees it, cancelling its pending timers (periodic run, filter expiries)
 * through host->timer_cancel. O(A + F + R + filters). */
void mc_alloc_free(struct mc_allocator *a);
/* The allocator policy's name ("hierarchical"). */
const char *mc_alloc_policy_name(const struct mc_allocator *a);

/* ---- agents ---------------------------------------------------------------- */

/* Adds an agent with its total and triggers a run for it. O(R) (every
 * sorter's total changes; they re-sort lazily). Returns MC_EEXIST for a
 * known id, MC_EINVAL for a negative one. */
int mc_alloc_add_agent(struct mc_allocator *a, mc_time_t now, int32_t agent,
                       const struct mc_resources *total);
/* Resources already in use on an agent (Mesos addSlave's `used`), allocated
 * to `framework` in `role` (the framework may be added later; it then finds
 * them). Counts one allocation in the sorters. O(e + d log F). */
int mc_alloc_add_used(struct mc_allocator *a, int32_t agent, int32_t framework, int32_t role,
                      const struct mc_resources *used);
/* Removes an agent: its total, its offers and allocations, its filters.
 * O(e x (e + d log F) + filters on it + R). No run. */
int mc_alloc_remove_agent(struct mc_allocator *a, mc_time_t now, int32_t agent);
/* New total; triggers a run for the agent when it changed. O(R + e). */
int mc_alloc_update_agent(struct mc_allocator *a, mc_time_t now, int32_t agent,
                          const struct mc_resources *total);
/* Deactivated agents get no offers but still count in the DRF totals. O(1). */
int mc_alloc_activate_agent(struct mc_allocator *a, int32_t agent, bool active);
/* Dynamic reservation of unreserved, unused resources (RESERVE). No run.
 * MC_EINSUFFICIENT if they are not free. O(1). */
int mc_alloc_reserve(struct mc_allocator *a, int32_t agent, int32_t role,
                     const struct mc_resvec *q);

/* ---- frameworks ------------------------------------------------------------ */

enum { MC_CAP_GPU_RESOURCES = 1 };

/* Adds a framework in `nroles` roles; if active, triggers a run over all
 * agents. `name` (copied) is the DRF tie-break; NULL = "framework<id>".
 * min_alloc NULL = the global setting (copied). O(nroles x F) plus O(A x e)
 * when resources were booked for it before (add_used). */
int mc_alloc_add_framework(struct mc_allocator *a, mc_time_t now, int32_t fw, const char *name,
                           const int32_t *roles, int nroles, unsigned capabilities, bool active,
                           const struct mc_min_allocatable *min_alloc);
/* Frees everything it was offered or allocated, drops its filters. No run.
 * O(A x e + its filters). */
int mc_alloc_remove_framework(struct mc_allocator *a, mc_time_t now, int32_t fw);
/* Activate triggers a run over all agents; deactivate clears its filters
 * (keeping its allocation). O(nroles + its filters). */
int mc_alloc_activate_framework(struct mc_allocator *a, mc_time_t now, int32_t fw);
int mc_alloc_deactivate_framework(struct mc_allocator *a, mc_time_t now, int32_t fw);
/* roles NULL/nroles 0 = all its roles. Suppress: no run. Revive: clears the
 * filters of those roles, un-suppresses, triggers a run over all agents.
 * O(nroles + its filters). */
int mc_alloc_suppress(struct mc_allocator *a, mc_time_t now, int32_t fw, const int32_t *roles,
                      int nroles);
int mc_alloc_revive(struct mc_allocator *a, mc_time_t now, int32_t fw, const int32_t *roles,
                    int nroles);

/* ---- offers and allocations ------------------------------------------------- */

/*
 * Resources offered or allocated to (fw, role) on agent come back (a decline,
 * a rescind, a task's end). With refuse > 0, installs a filter hiding from
 * (fw, role, agent) any offer no larger than `res` for max(refuse,
 * allocation_interval) (refuse is capped at 365 days). No run. Taken from
 * what was offered first, then from what was allocated. O(e + d log F).
 * Returns MC_ENOENT (unknown agent) or MC_EINSUFFICIENT if (fw, role) did
 * not hold `res` there.
 */
int mc_alloc_recover(struct mc_allocator *a, mc_time_t now, int32_t fw, int32_t role, int32_t agent,
                     const struct mc_resources *res, mc_time_t refuse);
/* Offered -> allocated (a LAUNCH). Shares are unchanged (both count). O(e).
 * MC_EINSUFFICIENT if `res` was not offered to (fw, role) there. */
int mc_alloc_launch(struct mc_allocator *a, mc_time_t now, int32_t fw, int32_t role, int32_t agent,
                    const struct mc_resources *res);

/* ---- quota and weights ---------------------------------------------------------- */

/* Top-level roles only (MC_EINVAL otherwise). guarantee NULL = none.
 * limit NULL = unlimited; otherwise each name with a non-zero value is
 * limited to it and a zero name is unlimited (use _set_quota_limits for an
 * explicit zero limit). No run. O(1). */
int mc_alloc_set_quota(struct mc_allocator *a, int32_t role, const struct mc_resvec *guarantee,
                       const struct mc_resvec *limit);
/* Same, with limited[i] saying which names are limited (to limit->q[i],
 * possibly 0); limited NULL = unlimited. O(1). */
int mc_alloc_set_quota_limits(struct mc_allocator *a, int32_t role,
                              const struct mc_resvec *guarantee, const struct mc_resvec *limit,
                              const bool limited[MC_RES_MAX]);
/* Weight of a role path (applies to the subtree's node). No run. O(R). */
int mc_alloc_set_weight(struct mc_allocator *a, int32_t role, double weight);

/* ---- runs ----------------------------------------------------------------------- */

/* One allocation run over the candidate agents, then one host->offer call
 * per framework that got offers. Only candidates with something free are
 * visited: O(C x (R + frameworks visited) x d log F) for C such agents, no
 * memory allocation once warm. A run in which nothing can have changed
 * since the last one (no frees, agents, frameworks, filter expiries,
 * revives, quota or weight changes, and the last run offered nothing)
 * costs O(1) (unless explain is on). */
void mc_alloc_run(struct mc_allocator *a, mc_time_t now);
/* Pause (master failover recovery): triggers are dropped until resume, and
 * a periodic run that falls while paused only re-arms the timer (Mesos's
 * generateOffers returns at once while paused). O(1). */
void mc_alloc_pause(struct mc_allocator *a, bool paused);
/* True when a run has been requested and mc_alloc_run not yet called. */
bool mc_alloc_run_pending(const struct mc_allocator *a);

/* ---- queries ----------------------------------------------------------------------- */

/* Offered + allocated to the framework, summed over agents and roles.
 * O(its roles). */
void mc_alloc_framework_allocation(const struct mc_allocator *a, int32_t fw, struct mc_resvec *out);
/* Offered (not yet launched) to the framework, summed. O(A x e). */
void mc_alloc_framework_offered(const struct mc_allocator *a, int32_t fw, struct mc_resvec *out);
/* Offered + allocated (or, with offered_only, offered and not launched) to
 * (fw, role) on one agent, or NULL. The offered_only result lives in the
 * allocator until the next call. O(e). */
const struct mc_resources *mc_alloc_held(const struct mc_allocator *a, int32_t fw, int32_t role,
                                         int32_t agent, bool offered_only);
/* The pool total (all agents added). O(1). */
const struct mc_resvec *mc_alloc_total(const struct mc_allocator *a);
/* DRF dominant share of a role (its subtree's allocation / total / weight)
 * and of a framework (its allocation in its first role / total). */
double mc_alloc_role_share(const struct mc_allocator *a, int32_t role);    /* O(R) */
double mc_alloc_framework_share(const struct mc_allocator *a, int32_t fw); /* O(1) */
/* Allocation runs made (full or skipped). O(1). */
uint64_t mc_alloc_runs(const struct mc_allocator *a);
/* Runs skipped because nothing had changed. O(1). */
uint64_t mc_alloc_runs_skipped(const struct mc_allocator *a);

#endif
