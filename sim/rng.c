/*
 * rng.c - random streams per component. The 64-bit seed of a stream is
 * splitmix64(experiment seed XOR FNV-1a-64(component id)); GSL's MT19937
 * takes a 32-bit seed, so the two halves of that value are folded together
 * (XOR). Streams of different components therefore differ unless their
 * folded seeds collide (probability ~ n^2 / 2^33 for n components).
 */
#include "mesocosm/rng.h"
#include "mesocosm/error.h"

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t mc_rng_derive_seed(uint64_t experiment_seed, const char *component_id)
{
	return splitmix64(experiment_seed ^ fnv1a64(component_id ? component_id : ""));
}

gsl_rng *mc_rng_new(uint64_t experiment_seed, const char *component_id)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r)
		MC_BUG("gsl_rng_alloc failed");
	uint64_t s = mc_rng_derive_seed(experiment_seed, component_id);
	unsigned long folded = (unsigned long)((s ^ (s >> 32)) & 0xffffffffu);
	/* GSL's MT19937 treats seed 0 as its default 4357; keep 0 distinct. */
	gsl_rng_set(r, folded ? folded : 0x6d2b79f5u);
	return r;
}

uint32_t mc_rng_u32(void *ctx) { return (uint32_t)gsl_rng_get((gsl_rng *)ctx); }
