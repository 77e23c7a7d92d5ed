/*
 * maintenance.h - the experiment's `maintenance` windows (sim/maintenance.c,
 * docs/experiment-format.md): the operator drains agents, takes them down
 * and brings them back, as Mesos's maintenance primitives and agent
 * draining do.
 */
#ifndef MC_SIM_MAINTENANCE_H
#define MC_SIM_MAINTENANCE_H

#include <stdint.h>

#include "models/models.h"
#include "sim/config.h"

struct mc__maintenance;

/* Schedules every window of c->maintenance into the world's engine (three
 * events per window: drain, start, end). Borrows w and c for the run.
 * Free with mc__maintenance_free(). O(windows). */
struct mc__maintenance *mc__maintenance_new(struct mc__world *w, const struct mc_config *c);
void mc__maintenance_free(struct mc__maintenance *mt);

/* The agents window `index` takes when `nagents` agents exist (dense ids
 * 0 .. nagents-1): written ascending to out (room for nagents), returns
 * how many. Depends only on the config, the seed and nagents. O(nagents). */
int32_t mc__maintenance_choose(const struct mc_config *c, int index, int32_t nagents, int32_t *out);

/* Agents taken down so far (one per agent per window). */
uint64_t mc__maintenance_downs(const struct mc__maintenance *mt);

#endif
