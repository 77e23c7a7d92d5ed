/*
 * workload.h - the jobs that drive a run: synthetic generators per
 * framework (and trace replay), turned into job arrivals at frameworks.
 */
#ifndef MC_SIM_WORKLOAD_H
#define MC_SIM_WORKLOAD_H

#include <stdbool.h>

#include "models/models.h"
#include "sim/config.h"

struct mc__workload;

/* Starts a generator for every framework with a synthetic workload; no
 * arrival at or after `until`. Never NULL. */
struct mc__workload *mc__workload_new(struct mc__world *w, const struct mc_config *c,
				      mc_time_t until);
/* True when no more job will arrive. */
bool mc__workload_done(const struct mc__workload *wl);
void mc__workload_free(struct mc__workload *wl);

#endif
