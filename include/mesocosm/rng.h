/*
 * mesocosm/rng.h - seeded random streams, one per component.
 *
 * Each component (an agent, a framework, the network, the allocator's
 * shuffle, the workload generator) draws from its own GSL generator, seeded
 * from the experiment seed and a stable component id string ("agent/17",
 * "framework/batch-1", "network"), so adding a component never changes the
 * others' draws. Same seed and same ids give the same streams on every run
 * and machine.
 */
#ifndef MESOCOSM_RNG_H
#define MESOCOSM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* A new generator for (experiment seed, component id). Never NULL; free with
 * gsl_rng_free(). O(1) plus the generator's own seeding cost. */
gsl_rng *mc_rng_new(uint64_t experiment_seed, const char *component_id);

/* The 64-bit seed derived from (experiment seed, component id): a stable
 * hash (FNV-1a of the id, mixed with the seed through splitmix64). */
uint64_t mc_rng_derive_seed(uint64_t experiment_seed, const char *component_id);

/* A uniform 32-bit draw, as a plain function pointer the allocation core can
 * take (its host random source): ctx is a gsl_rng *. */
uint32_t mc_rng_u32(void *ctx);

#endif
