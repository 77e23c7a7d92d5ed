/*
 * heap4.h - the event engine's heap: an implicit 4-ary min-heap of 16-byte
 * (time, seq) keys compared as one 128-bit number, refilled bottom-up with
 * grandchild prefetch. Shared with `mesocosm bench engine`, whose "bare
 * heap" baseline must be exactly the engine's own algorithm.
 *
 * The functions are static inline: they sit on the engine's hottest path.
 * Not thread-safe (plain arrays owned by the caller).
 */
#ifndef MC_SIM_HEAP4_H
#define MC_SIM_HEAP4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MC__CACHE_LINE 64
/* Heap indices below this (16 KiB of keys) are taken to be in L1. */
#define MC__HEAP4_PREFETCH_FROM 1024

struct mc__key {
	uint64_t hi; /* time with the sign bit flipped: unsigned order = signed order */
	uint64_t lo; /* the order among equal times (the engine: seq << SLOT_BITS | slot) */
};

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 mc__u128;
static inline bool mc__key_less(const struct mc__key *a, const struct mc__key *b)
{
	return ((mc__u128)a->hi << 64 | a->lo) < ((mc__u128)b->hi << 64 | b->lo);
}
#else
static inline bool mc__key_less(const struct mc__key *a, const struct mc__key *b)
{
	return a->hi < b->hi || (a->hi == b->hi && a->lo < b->lo);
}
#endif

/* Index of the smallest of the children c .. min(c + 4, n) - 1 (c < n). */
static inline size_t mc__heap4_min_child(const struct mc__key *h, size_t c, size_t n)
{
	if (c + 3 < n) {
		size_t a = mc__key_less(&h[c + 1], &h[c]) ? c + 1 : c;
		size_t b = mc__key_less(&h[c + 3], &h[c + 2]) ? c + 3 : c + 2;
		return mc__key_less(&h[b], &h[a]) ? b : a;
	}
	size_t best = c;
	for (size_t j = c + 1; j < n; j++)
		if (mc__key_less(&h[j], &h[best]))
			best = j;
	return best;
}

/* Puts k into the hole at h[i], moving it up while it is smaller than its parent. */
static inline void mc__heap4_sift_up(struct mc__key *h, size_t i, struct mc__key k)
{
	while (i > 0) {
		size_t p = (i - 1) >> 2;
		if (!mc__key_less(&k, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = k;
}

/* Fills the hole at the root of h[0..n) with k: the hole walks down along
 * the smallest children to a leaf, then k sifts up from there (bottom-up
 * heapsort's trick: a key that belongs near the bottom, as most do, costs
 * three comparisons per level instead of four, and they compile to
 * conditional moves). Below the top levels, which stay in L1, the four
 * cache lines of the grandchildren are prefetched while the children are
 * compared, so a deep heap pays about one memory latency per two levels
 * instead of one per level. */
static inline void mc__heap4_refill_root(struct mc__key *h, size_t n, struct mc__key k)
{
	size_t i = 0, c;
	while ((c = (i << 2) + 1) < n && c < MC__HEAP4_PREFETCH_FROM) {
		size_t m = mc__heap4_min_child(h, c, n);
		h[i] = h[m];
		i = m;
	}
	while ((c = (i << 2) + 1) < n) {
		size_t g = (c << 2) + 1;
		if (g < n) {
			const char *p = (const char *)&h[g];
			__builtin_prefetch(p);
			__builtin_prefetch(p + MC__CACHE_LINE);
			__builtin_prefetch(p + 2 * MC__CACHE_LINE);
			__builtin_prefetch(p + 3 * MC__CACHE_LINE);
		}
		size_t m = mc__heap4_min_child(h, c, n);
		h[i] = h[m];
		i = m;
	}
	mc__heap4_sift_up(h, i, k);
}

/* A cache-line placed array of `count` elements of `size` bytes: the
 * element at index `first` starts a line. Arrays of 4 MiB and more ask for
 * transparent huge pages. Free *raw. (engine.c) */
void *mc__aligned_array(size_t count, size_t size, size_t first, void **raw);

#endif
