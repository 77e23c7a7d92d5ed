/*
 * alloc.c - the allocator policy registry and the public entry points of
 * include/mesocosm/alloc.h, each one indirect call into the policy's ops
 * table (policies/alloc_int.h). Shared helpers (config defaults, outcome
 * names) live here too.
 */
#include <string.h>

#include "mesocosm/error.h"
#include "policies/alloc_int.h"

static const struct mc_allocator_ops *const policies[] = {&mc_allocator_hierarchical};

const struct mc_allocator_ops *mc__allocator_lookup(const char *name)
{
	if (!name)
		name = "hierarchical";
	for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
		if (!strcmp(policies[i]->name, name))
			return policies[i];
	return NULL;
}

void mc_alloc_config_defaults(struct mc_alloc_config *c)
{
	memset(c, 0, sizeof *c);
	c->allocation_interval = MC_SEC;
	c->min_allocatable.n = 2;
	c->min_allocatable.alt[0].q[MC_RES_CPUS] = 10;       /* cpus:0.01 */
	c->min_allocatable.alt[1].q[MC_RES_MEM] = 32 * 1000; /* mem:32 */
	c->role_sorter = "drf";
	c->framework_sorter = "drf";
	c->filter_gpu_resources = true;
	c->allocator = "hierarchical";
}

const char *mc_alloc_outcome_name(enum mc_alloc_outcome o)
{
	static const char *const names[] = {
	    "offered",
	    "filtered",
	    "below min allocatable",
	    "quota limit reached",
	    "headroom held",
	    "GPU agent, framework not GPU-capable",
	    "nothing left",
	    "only reservations of other roles left",
	    "suppressed",
	    "inactive",
	    "cannot help the unmet guarantee",
	};
	return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "?";
}

struct mc_allocator *mc_alloc_new(const struct mc_alloc_config *cfg,
                                  const struct mc_alloc_host *host, mc_time_t now)
{
	const struct mc_allocator_ops *ops = mc__allocator_lookup(cfg->allocator);
	if (!ops)
		return NULL;
	struct mc_allocator *a = ops->create(cfg, host, now);
	if (a)
		a->ops = ops;
	return a;
}

void mc_alloc_free(struct mc_allocator *a)
{
	if (a)
		a->ops->destroy(a);
}

const char *mc_alloc_policy_name(const struct mc_allocator *a)
{
	return a->ops->name;
}

int mc_alloc_add_agent(struct mc_allocator *a, mc_time_t now, int32_t agent,
                       const struct mc_resources *total)
{
	return a->ops->add_agent(a, now, agent, total);
}

int mc_alloc_add_used(struct mc_allocator *a, int32_t agent, int32_t framework, int32_t role,
                      const struct mc_resources *used)
{
	return a->ops->add_used(a, agent, framework, role, used);
}

int mc_alloc_remove_agent(struct mc_allocator *a, mc_time_t now, int32_t agent)
{
	return a->ops->remove_agent(a, now, agent);
}

int mc_alloc_update_agent(struct mc_allocator *a, mc_time_t now, int32_t agent,
                          const struct mc_resources *total)
{
	return a->ops->update_agent(a, now, agent, total);
}

int mc_alloc_activate_agent(struct mc_allocator *a, int32_t agent, bool active)
{
	return a->ops->activate_agent(a, agent, active);
}

int mc_alloc_reserve(struct mc_allocator *a, int32_t agent, int32_t role, const struct mc_resvec *q)
{
	return a->ops->reserve(a, agent, role, q);
}

int mc_alloc_add_framework(struct mc_allocator *a, mc_time_t now, int32_t fw, const char *name,
                           const int32_t *roles, int nroles, unsigned capabilities, bool active,
                           const struct mc_min_allocatable *min_alloc)
{
	return a->ops->add_framework(a, now, fw, name, roles, nroles, capabilities, active,
	                             min_alloc);
}

int mc_alloc_remove_framework(struct mc_allocator *a, mc_time_t now, int32_t fw)
{
	return a->ops->remove_framework(a, now, fw);
}

int mc_alloc_activate_framework(struct mc_allocator *a, mc_time_t now, int32_t fw)
{
	return a->ops->activate_framework(a, now, fw);
}

int mc_alloc_deactivate_framework(struct mc_allocator *a, mc_time_t now, int32_t fw)
{
	return a->ops->deactivate_framework(a, now, fw);
}

int mc_alloc_suppress(struct mc_allocator *a, mc_time_t now, int32_t fw, const int32_t *roles,
                      int nroles)
{
	return a->ops->suppress(a, now, fw, roles, nroles);
}

int mc_alloc_revive(struct mc_allocator *a, mc_time_t now, int32_t fw, const int32_t *roles,
                    int nroles)
{
	return a->ops->revive(a, now, fw, roles, nroles);
}

int mc_alloc_recover(struct mc_allocator *a, mc_time_t now, int32_t fw, int32_t role, int32_t agent,
                     const struct mc_resources *res, mc_time_t refuse)
{
	return a->ops->recover(a, now, fw, role, agent, res, refuse);
}

int mc_alloc_launch(struct mc_allocator *a, mc_time_t now, int32_t fw, int32_t role, int32_t agent,
                    const struct mc_resources *res)
{
	return a->ops->launch(a, now, fw, role, agent, res);
}

int mc_alloc_set_quota(struct mc_allocator *a, int32_t role, const struct mc_resvec *guarantee,
                       const struct mc_resvec *limit)
{
	bool limited[MC_RES_MAX];
	for (int i = 0; i < MC_RES_MAX; i++)
		limited[i] = limit && limit->q[i] != 0;
	return a->ops->set_quota(a, role, guarantee, limit, limit ? limited : NULL);
}

int mc_alloc_set_quota_limits(struct mc_allocator *a, int32_t role,
                              const struct mc_resvec *guarantee, const struct mc_resvec *limit,
                              const bool limited[MC_RES_MAX])
{
	return a->ops->set_quota(a, role, guarantee, limit, limited);
}

int mc_alloc_set_weight(struct mc_allocator *a, int32_t role, double weight)
{
	return a->ops->set_weight(a, role, weight);
}

void mc_alloc_run(struct mc_allocator *a, mc_time_t now)
{
	a->ops->run(a, now);
}
void mc_alloc_pause(struct mc_allocator *a, bool paused)
{
	a->ops->pause(a, paused);
}
bool mc_alloc_run_pending(const struct mc_allocator *a)
{
	return a->ops->run_pending(a);
}

void mc_alloc_framework_allocation(const struct mc_allocator *a, int32_t fw, struct mc_resvec *out)
{
	a->ops->framework_allocation(a, fw, out);
}

void mc_alloc_framework_offered(const struct mc_allocator *a, int32_t fw, struct mc_resvec *out)
{
	a->ops->framework_offered(a, fw, out);
}

const struct mc_resources *mc_alloc_held(const struct mc_allocator *a, int32_t fw, int32_t role,
                                         int32_t agent, bool offered_only)
{
	return a->ops->held(a, fw, role, agent, offered_only);
}

const struct mc_resvec *mc_alloc_total(const struct mc_allocator *a)
{
	return a->ops->total(a);
}

double mc_alloc_role_share(const struct mc_allocator *a, int32_t role)
{
	return a->ops->role_share(a, role);
}

double mc_alloc_framework_share(const struct mc_allocator *a, int32_t fw)
{
	return a->ops->framework_share(a, fw);
}

uint64_t mc_alloc_runs(const struct mc_allocator *a)
{
	return a->ops->runs(a);
}
uint64_t mc_alloc_runs_skipped(const struct mc_allocator *a)
{
	return a->ops->runs_skipped(a);
}
