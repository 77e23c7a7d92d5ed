/*
 * engine.c - the discrete-event engine: an implicit 4-ary min-heap of
 * 16-byte keys over a pool of event bodies.
 *
 * A key is (time, order) with order = seq << SLOT_BITS | slot. The time is
 * stored with its sign bit flipped, so a key is one unsigned 128-bit number
 * (time high, order low) and a single 128-bit comparison orders events by
 * time, then by scheduling sequence (FIFO at equal times). The low bits of
 * `order` name the body's pool slot, so sifting never touches the bodies.
 * The heap array is placed so that the four children of a node share one
 * 64-byte cache line.
 *
 * A body (32 bytes, two per cache line) holds the handler, its context and
 * argument, a generation and a link word: LINK_PENDING, LINK_CANCELLED, or,
 * for a free slot, the next free slot + 1 (0 ends the free list). A handle
 * is gen << SLOT_BITS | slot; the generation is bumped whenever a slot is
 * freed, so a stale handle never matches a reused slot. Cancelling marks the
 * body LINK_CANCELLED in O(1) and the dead key (tombstone) is dropped when
 * it reaches the top; when tombstones outnumber live keys (and there are
 * more than PURGE_MIN of them) the heap is rebuilt without them in O(n), so
 * the heap holds at most about max(2 * live, live + PURGE_MIN) keys and
 * cancellation stays amortised O(1).
 *
 * Dispatch defers the pop: while a handler runs, the dispatched key stays at
 * the root (`inflight`), and the first event the handler schedules replaces
 * it with one sift-down (the classic hold: one sift instead of a pop and a
 * push). If the handler schedules nothing, or anything needs the true heap
 * first (next_time, a purge, a nested step), the root is popped then.
 *
 * Costs: schedule and dispatch O(log4 n) with no allocation once the arrays
 * have grown to the working size (they double, so growth is amortised
 * O(1)); cancel, is_pending, now, pending O(1). Memory: 48 bytes per event
 * slot (16 of key, 32 of body). Arrays of 4 MiB and more are cache-line
 * placed and advised to use transparent huge pages.
 *
 * mc_engine_stop() sets a flag that run_until checks before each event; the
 * flag is cleared when run_until returns MC_EINTR, so a stop that arrives
 * between two run_until calls (a signal) is not lost. mc_engine_after()
 * treats a negative delay as 0 and saturates at MC_TIME_NEVER.
 *
 * Limits: 2^SLOT_BITS - 1 (268 million) events pending at once. Sequence
 * numbers have 64 - SLOT_BITS bits; when they run out (after ~6.9e10
 * schedules) the pending keys are renumbered in order, O(n log n) once.
 */
#define _DEFAULT_SOURCE 1 /* madvise(MADV_HUGEPAGE), where the system has it */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mesocosm/engine.h"
#include "mesocosm/error.h"
#include "sim/heap4.h"

#define SLOT_BITS 28
#define SLOT_MASK ((UINT64_C(1) << SLOT_BITS) - 1)
#define MAX_SLOTS ((size_t)SLOT_MASK) /* slot numbers 0 .. 2^28 - 2 */

/* Sequence numbers available before a renumbering; tests may lower it. */
#ifndef MC__ENGINE_SEQ_BITS
#define MC__ENGINE_SEQ_BITS (64 - SLOT_BITS)
#endif
#define SEQ_LIMIT (UINT64_C(1) << MC__ENGINE_SEQ_BITS)
_Static_assert(MC__ENGINE_SEQ_BITS + SLOT_BITS <= 64, "a key's order word is 64 bits");

#define LINK_PENDING   UINT32_MAX
#define LINK_CANCELLED (UINT32_MAX - 1)

/* Tombstones tolerated before the more-than-half-dead rule may purge. */
#define PURGE_MIN 256

#define TIME_BIAS  (UINT64_C(1) << 63)
#define HUGE_FROM     ((size_t)4 << 20)

struct body {
	mc_event_fn fn;
	void *ctx;
	uint64_t arg;
	uint32_t gen;
	uint32_t link; /* LINK_PENDING, LINK_CANCELLED, or next free slot + 1 */
};

struct mc_engine {
	struct mc__key *heap; /* heap[1] is cache-line aligned */
	void *heap_raw;
	size_t n, cap;
	struct body *bodies; /* cache-line aligned */
	void *bodies_raw;
	size_t nbodies, bodies_cap;
	uint32_t free_head; /* slot + 1, 0 = none */
	bool inflight;      /* heap[0] is the key being dispatched */
	size_t dead;        /* cancelled keys still in the heap */
	uint64_t seq;
	mc_time_t now;
	uint64_t dispatched;
	volatile sig_atomic_t stop;
};

static inline uint32_t key_slot(const struct mc__key *k)
{
	return (uint32_t)(k->lo & SLOT_MASK);
}
static inline mc_time_t key_time(const struct mc__key *k)
{
	return (mc_time_t)(k->hi ^ TIME_BIAS);
}

static void sift_down(struct mc__key *h, size_t n, size_t i)
{
	struct mc__key k = h[i];
	for (;;) {
		size_t c = (i << 2) + 1;
		if (c >= n)
			break;
		size_t m = mc__heap4_min_child(h, c, n);
		if (!mc__key_less(&h[m], &k))
			break;
		h[i] = h[m];
		i = m;
	}
	h[i] = k;
}

static void pop_root(struct mc_engine *e)
{
	size_t n = --e->n;
	if (n)
		mc__heap4_refill_root(e->heap, n, e->heap[n]);
}

/* Arrays of 4 MiB and more ask for transparent huge pages: the heap's deep
 * levels and the bodies are touched at random, and with 4 KiB pages most of
 * those touches would also miss the TLB. */
void *mc__aligned_array(size_t count, size_t size, size_t first, void **raw)
{
	*raw = mc_xmalloc(count * size + MC__CACHE_LINE);
#ifdef MADV_HUGEPAGE
	if (count * size >= HUGE_FROM) {
		uintptr_t lo = ((uintptr_t)*raw + 4095) & ~(uintptr_t)4095;
		uintptr_t hi = ((uintptr_t)*raw + count * size) & ~(uintptr_t)4095;
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* only advice */
	}
#endif
	uintptr_t p = (uintptr_t)*raw + first * size;
	p = (p + MC__CACHE_LINE - 1) & ~(uintptr_t)(MC__CACHE_LINE - 1);
	return (void *)(p - first * size);
}

static void grow_heap(struct mc_engine *e, size_t need)
{
	size_t cap = e->cap;
	while (cap < need)
		cap = cap < 1024 ? 1024 : cap * 2;
	void *raw;
	struct mc__key *h = mc__aligned_array(cap, sizeof *h, 1, &raw);
	if (e->n)
		memcpy(h, e->heap, e->n * sizeof *h);
	free(e->heap_raw);
	e->heap = h;
	e->heap_raw = raw;
	e->cap = cap;
}

static void grow_bodies(struct mc_engine *e, size_t need)
{
	size_t cap = e->bodies_cap;
	while (cap < need)
		cap = cap < 1024 ? 1024 : cap * 2;
	if (cap > MAX_SLOTS)
		cap = MAX_SLOTS;
	void *raw;
	struct body *b = mc__aligned_array(cap, sizeof *b, 0, &raw);
	if (e->nbodies)
		memcpy(b, e->bodies, e->nbodies * sizeof *b);
	free(e->bodies_raw);
	e->bodies = b;
	e->bodies_raw = raw;
	e->bodies_cap = cap;
}

struct mc_engine *mc_engine_new(size_t capacity_hint)
{
	struct mc_engine *e = mc_xcalloc(1, sizeof *e);
	size_t cap = capacity_hint < 16 ? 16 : capacity_hint;
	if (cap > MAX_SLOTS)
		cap = MAX_SLOTS;
	grow_heap(e, cap);
	grow_bodies(e, cap);
	return e;
}

void mc_engine_free(struct mc_engine *e)
{
	if (!e)
		return;
	free(e->heap_raw);
	free(e->bodies_raw);
	free(e);
}

mc_time_t mc_engine_now(const struct mc_engine *e)
{
	return e->now;
}

static uint32_t slot_alloc(struct mc_engine *e)
{
	if (e->free_head) {
		uint32_t s = e->free_head - 1;
		e->free_head = e->bodies[s].link;
		return s;
	}
	if (e->nbodies >= MAX_SLOTS)
		MC_BUG("more than %zu events pending", (size_t)MAX_SLOTS);
	if (e->nbodies == e->bodies_cap)
		grow_bodies(e, e->nbodies + 1);
	e->bodies[e->nbodies].gen = 1;
	return (uint32_t)e->nbodies++;
}

static inline void slot_free(struct mc_engine *e, uint32_t s)
{
	struct body *b = &e->bodies[s];
	if (++b->gen == 0) /* keep handles non-zero across a wrap */
		b->gen = 1;
	b->link = e->free_head;
	e->free_head = s + 1;
}

/* Completes a deferred pop: after this the heap holds only pending and
 * cancelled events. */
static inline void settle(struct mc_engine *e)
{
	if (e->inflight) {
		e->inflight = false;
		pop_root(e);
	}
}

static int cmp_key(const void *a, const void *b)
{
	const struct mc__key *x = a, *y = b;
	return mc__key_less(x, y) ? -1 : mc__key_less(y, x) ? 1 : 0;
}

/* Sequence numbers ran out: renumber the pending keys 0 .. n-1 in their
 * order. A sorted array is a valid heap. O(n log n), once per 2^36
 * schedules. */
static void renumber(struct mc_engine *e)
{
	settle(e);
	if (e->n >= SEQ_LIMIT)
		MC_BUG("%zu events pending: no sequence numbers left", e->n);
	qsort(e->heap, e->n, sizeof *e->heap, cmp_key);
	for (size_t i = 0; i < e->n; i++)
		e->heap[i].lo = ((uint64_t)i << SLOT_BITS) | (e->heap[i].lo & SLOT_MASK);
	e->seq = e->n;
}

mc_event_handle mc_engine_schedule(struct mc_engine *e, mc_time_t at, mc_event_fn fn, void *ctx,
                                   uint64_t arg)
{
	if (at < e->now)
		MC_BUG("event scheduled in the past (%lld < %lld)", (long long)at,
		       (long long)e->now);
	if (!fn)
		MC_BUG("event scheduled without a handler");
	if (e->seq == SEQ_LIMIT)
		renumber(e);
	uint32_t s = slot_alloc(e);
	struct body *b = &e->bodies[s];
	b->fn = fn;
	b->ctx = ctx;
	b->arg = arg;
	b->link = LINK_PENDING;
	struct mc__key k = {(uint64_t)at ^ TIME_BIAS, (e->seq++ << SLOT_BITS) | s};
	if (e->inflight) {
		e->inflight = false;
		mc__heap4_refill_root(e->heap, e->n, k);
	} else {
		if (e->n == e->cap)
			grow_heap(e, e->n + 1);
		mc__heap4_sift_up(e->heap, e->n++, k);
	}
	return ((uint64_t)b->gen << SLOT_BITS) | s;
}

mc_event_handle mc_engine_after(struct mc_engine *e, mc_time_t delay, mc_event_fn fn, void *ctx,
                                uint64_t arg)
{
	/* A negative delay means "now"; a delay past the end of time saturates. */
	mc_time_t at = delay <= 0                       ? e->now
	               : delay > MC_TIME_NEVER - e->now ? MC_TIME_NEVER
	                                                : e->now + delay;
	return mc_engine_schedule(e, at, fn, ctx, arg);
}

static struct body *handle_body(const struct mc_engine *e, mc_event_handle h)
{
	uint64_t s = h & SLOT_MASK;
	if (h == 0 || s >= e->nbodies)
		return NULL;
	struct body *b = &e->bodies[s];
	return b->link == LINK_PENDING && b->gen == (h >> SLOT_BITS) ? b : NULL;
}

bool mc_engine_is_pending(const struct mc_engine *e, mc_event_handle h)
{
	return handle_body(e, h) != NULL;
}

/* Drops every cancelled key and rebuilds the heap (Floyd), O(n). */
static void purge(struct mc_engine *e)
{
	settle(e);
	size_t k = 0;
	for (size_t i = 0; i < e->n; i++) {
		uint32_t s = key_slot(&e->heap[i]);
		if (e->bodies[s].link == LINK_CANCELLED)
			slot_free(e, s);
		else
			e->heap[k++] = e->heap[i];
	}
	e->n = k;
	e->dead = 0;
	if (k > 1)
		for (size_t i = (k - 2) / 4 + 1; i-- > 0;)
			sift_down(e->heap, k, i);
}

bool mc_engine_cancel(struct mc_engine *e, mc_event_handle h)
{
	struct body *b = handle_body(e, h);
	if (!b)
		return false;
	b->link = LINK_CANCELLED;
	e->dead++;
	if (e->dead > PURGE_MIN && e->dead * 2 > e->n)
		purge(e);
	return true;
}

/* Drops cancelled keys from the top; returns false when nothing is left.
 * The heap must be settled. */
static inline bool top_live(struct mc_engine *e)
{
	while (e->n) {
		uint32_t s = key_slot(&e->heap[0]);
		if (e->bodies[s].link != LINK_CANCELLED)
			return true;
		pop_root(e);
		e->dead--;
		slot_free(e, s);
	}
	return false;
}

mc_time_t mc_engine_next_time(struct mc_engine *e)
{
	settle(e);
	return top_live(e) ? key_time(&e->heap[0]) : MC_TIME_NEVER;
}

/* Dispatches the live event at the root of a settled heap. */
static inline void dispatch_top(struct mc_engine *e)
{
	const struct mc__key *top = &e->heap[0];
	uint32_t s = key_slot(top);
	/* The next event is most likely the smallest child of the root: start
	 * loading its body now so the miss overlaps this dispatch (worth it
	 * once the bodies outgrow L1). */
	if (e->n > MC__HEAP4_PREFETCH_FROM)
		__builtin_prefetch(&e->bodies[key_slot(&e->heap[mc__heap4_min_child(e->heap, 1, e->n)])]);
	struct body *b = &e->bodies[s];
	mc_event_fn fn = b->fn;
	void *ctx = b->ctx;
	uint64_t arg = b->arg;
	slot_free(e, s);
	e->now = key_time(top);
	e->dispatched++;
	e->inflight = true;
	fn(e, ctx, arg);
	settle(e);
}

bool mc_engine_step(struct mc_engine *e)
{
	settle(e);
	if (!top_live(e))
		return false;
	dispatch_top(e);
	return true;
}

int mc_engine_run_until(struct mc_engine *e, mc_time_t until)
{
	settle(e);
	for (;;) {
		if (e->stop) {
			e->stop = 0;
			return MC_EINTR;
		}
		if (!top_live(e) || key_time(&e->heap[0]) > until)
			break;
		dispatch_top(e);
	}
	if (until != MC_TIME_NEVER && until > e->now)
		e->now = until;
	return 0;
}

void mc_engine_stop(struct mc_engine *e)
{
	e->stop = 1;
}

size_t mc_engine_pending(const struct mc_engine *e)
{
	return e->n - e->dead - e->inflight;
}

uint64_t mc_engine_dispatched(const struct mc_engine *e)
{
	return e->dispatched;
}
