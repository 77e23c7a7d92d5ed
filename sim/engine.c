/*
 * engine.c - the discrete-event engine: an implicit 4-ary min-heap of
 * 16-byte keys over a pool of event bodies.
 *
 * A key is (time, order), where order = seq << 24 | slot: comparing the two
 * 64-bit words in turn orders events by time, then by scheduling sequence
 * (FIFO at equal times), and the low 24 bits name the body's pool slot, so
 * the heap never touches the bodies while it sifts. A body holds the
 * handler, its context and argument, and a generation: a handle is
 * (generation << 24 | slot), so cancellation marks the body dead in O(1)
 * and the dead key is dropped when it reaches the top. When dead keys
 * outnumber live ones the heap is rebuilt without them, so tombstones stay
 * bounded.
 *
 * Capacity: 2^24 - 1 pending events at once; sequence numbers have 40 bits
 * (10^12 events per run).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "mesocosm/engine.h"
#include "mesocosm/error.h"

#define SLOT_BITS 24
#define SLOT_MASK ((1u << SLOT_BITS) - 1)
#define MAX_SLOTS SLOT_MASK

struct key {
	int64_t time;
	uint64_t order; /* seq << 24 | slot */
};

struct body {
	mc_event_fn fn;
	void *ctx;
	uint64_t arg;
	uint32_t gen;   /* bumped when the slot is freed */
	uint32_t state; /* 0 free, 1 pending, 2 cancelled */
	uint32_t next_free;
};

struct mc_engine {
	struct key *heap;
	size_t n, cap;
	struct body *bodies;
	size_t nbodies, bodies_cap;
	uint32_t free_head; /* slot + 1, 0 = none */
	size_t dead;        /* cancelled keys still in the heap */
	uint64_t seq;
	mc_time_t now;
	uint64_t dispatched;
	volatile sig_atomic_t stop;
};

static inline bool key_less(const struct key *a, const struct key *b)
{
	return a->time < b->time || (a->time == b->time && a->order < b->order);
}

static void sift_up(struct key *h, size_t i)
{
	struct key k = h[i];
	while (i > 0) {
		size_t p = (i - 1) >> 2;
		if (!key_less(&k, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = k;
}

static void sift_down(struct key *h, size_t n, size_t i)
{
	struct key k = h[i];
	for (;;) {
		size_t c = (i << 2) + 1;
		if (c >= n)
			break;
		size_t best = c;
		size_t end = c + 4 < n ? c + 4 : n;
		for (size_t j = c + 1; j < end; j++)
			if (key_less(&h[j], &h[best]))
				best = j;
		if (!key_less(&h[best], &k))
			break;
		h[i] = h[best];
		i = best;
	}
	h[i] = k;
}

struct mc_engine *mc_engine_new(size_t capacity_hint)
{
	struct mc_engine *e = mc_xcalloc(1, sizeof *e);
	e->cap = capacity_hint ? capacity_hint : 64;
	e->heap = mc_xmalloc(e->cap * sizeof *e->heap);
	e->bodies_cap = e->cap;
	e->bodies = mc_xmalloc(e->bodies_cap * sizeof *e->bodies);
	return e;
}

void mc_engine_free(struct mc_engine *e)
{
	if (!e)
		return;
	free(e->heap);
	free(e->bodies);
	free(e);
}

mc_time_t mc_engine_now(const struct mc_engine *e) { return e->now; }

static uint32_t slot_alloc(struct mc_engine *e)
{
	if (e->free_head) {
		uint32_t s = e->free_head - 1;
		e->free_head = e->bodies[s].next_free;
		return s;
	}
	if (e->nbodies >= MAX_SLOTS)
		MC_BUG("more than %u pending events", (unsigned)MAX_SLOTS);
	mc_xgrow(&e->bodies, &e->bodies_cap, e->nbodies + 1, sizeof *e->bodies);
	e->bodies[e->nbodies].gen = 1;
	return (uint32_t)e->nbodies++;
}

static void slot_free(struct mc_engine *e, uint32_t s)
{
	struct body *b = &e->bodies[s];
	b->state = 0;
	b->gen++;
	b->next_free = e->free_head;
	e->free_head = s + 1;
}

mc_event_handle mc_engine_schedule(struct mc_engine *e, mc_time_t at, mc_event_fn fn, void *ctx,
				   uint64_t arg)
{
	if (at < e->now)
		MC_BUG("event scheduled in the past (%lld < %lld)", (long long)at, (long long)e->now);
	uint32_t s = slot_alloc(e);
	struct body *b = &e->bodies[s];
	b->fn = fn;
	b->ctx = ctx;
	b->arg = arg;
	b->state = 1;
	if (e->n == e->cap)
		mc_xgrow(&e->heap, &e->cap, e->n + 1, sizeof *e->heap);
	e->heap[e->n].time = at;
	e->heap[e->n].order = (e->seq++ << SLOT_BITS) | s;
	sift_up(e->heap, e->n++);
	return ((uint64_t)b->gen << SLOT_BITS) | s;
}

mc_event_handle mc_engine_after(struct mc_engine *e, mc_time_t delay, mc_event_fn fn, void *ctx,
				uint64_t arg)
{
	return mc_engine_schedule(e, e->now + (delay > 0 ? delay : 0), fn, ctx, arg);
}

static struct body *handle_body(const struct mc_engine *e, mc_event_handle h)
{
	uint32_t s = (uint32_t)(h & SLOT_MASK);
	if (h == 0 || s >= e->nbodies)
		return NULL;
	struct body *b = &e->bodies[s];
	return b->state == 1 && b->gen == (uint32_t)(h >> SLOT_BITS) ? b : NULL;
}

bool mc_engine_is_pending(const struct mc_engine *e, mc_event_handle h)
{
	return handle_body(e, h) != NULL;
}

/* Drops every cancelled key and rebuilds the heap (Floyd), O(n). */
static void purge(struct mc_engine *e)
{
	size_t k = 0;
	for (size_t i = 0; i < e->n; i++) {
		uint32_t s = (uint32_t)(e->heap[i].order & SLOT_MASK);
		if (e->bodies[s].state == 2)
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
	b->state = 2;
	e->dead++;
	if (e->dead > 1024 && e->dead * 2 > e->n)
		purge(e);
	return true;
}

/* Pops the top key; returns its slot, or -1 when the heap is empty. Dead
 * keys on top are discarded. */
static int64_t pop_live(struct mc_engine *e, mc_time_t *time)
{
	while (e->n) {
		struct key top = e->heap[0];
		e->heap[0] = e->heap[--e->n];
		if (e->n)
			sift_down(e->heap, e->n, 0);
		uint32_t s = (uint32_t)(top.order & SLOT_MASK);
		/* The next event's body is most likely needed next: start loading it
		 * now, so its cache miss overlaps this event's dispatch. */
		if (e->n)
			__builtin_prefetch(&e->bodies[e->heap[0].order & SLOT_MASK]);
		if (e->bodies[s].state == 2) {
			e->dead--;
			slot_free(e, s);
			continue;
		}
		*time = top.time;
		return s;
	}
	return -1;
}

mc_time_t mc_engine_next_time(struct mc_engine *e)
{
	while (e->n) {
		uint32_t s = (uint32_t)(e->heap[0].order & SLOT_MASK);
		if (e->bodies[s].state != 2)
			return e->heap[0].time;
		e->heap[0] = e->heap[--e->n];
		if (e->n)
			sift_down(e->heap, e->n, 0);
		e->dead--;
		slot_free(e, s);
	}
	return MC_TIME_NEVER;
}

static void dispatch(struct mc_engine *e, uint32_t s, mc_time_t t)
{
	struct body b = e->bodies[s];
	slot_free(e, s);
	e->now = t;
	e->dispatched++;
	b.fn(e, b.ctx, b.arg);
}

bool mc_engine_step(struct mc_engine *e)
{
	mc_time_t t;
	int64_t s = pop_live(e, &t);
	if (s < 0)
		return false;
	dispatch(e, (uint32_t)s, t);
	return true;
}

int mc_engine_run_until(struct mc_engine *e, mc_time_t until)
{
	e->stop = 0;
	for (;;) {
		if (e->stop)
			return MC_EINTR;
		mc_time_t next = mc_engine_next_time(e);
		if (next == MC_TIME_NEVER || next > until)
			break;
		mc_time_t t;
		int64_t s = pop_live(e, &t);
		dispatch(e, (uint32_t)s, t);
	}
	if (until != MC_TIME_NEVER && until > e->now)
		e->now = until;
	return 0;
}

void mc_engine_stop(struct mc_engine *e) { e->stop = 1; }

size_t mc_engine_pending(const struct mc_engine *e) { return e->n - e->dead; }

uint64_t mc_engine_dispatched(const struct mc_engine *e) { return e->dispatched; }
