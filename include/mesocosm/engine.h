/*
 * mesocosm/engine.h - the discrete-event engine.
 *
 * The engine knows nothing about clusters: it keeps a set of pending events
 * ordered by (time, sequence number) and calls their handlers. Equal times
 * fire in the order they were scheduled (the Mesos allocator's tests depend
 * on that rule). Pending events live in an implicit 4-ary heap of 16-byte
 * keys; event bodies live in a pool indexed by slot, so scheduling never
 * calls malloc once the pool has grown to the working size. Cancellation is
 * O(1): the handle carries the slot and its generation, and a cancelled body
 * is skipped (tombstone) when its key reaches the top.
 *
 * Time is int64 microseconds. No wall clock is read here.
 *
 * Lifecycle: mc_engine_new() / mc_engine_free(). Not thread-safe.
 */
#ifndef MESOCOSM_ENGINE_H
#define MESOCOSM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesocosm/types.h"

struct mc_engine;

/* An event handler: ctx and arg are what was given to mc_engine_schedule. */
typedef void (*mc_event_fn)(struct mc_engine *eng, void *ctx, uint64_t arg);

/* A handle naming one scheduled event; 0 is never a valid handle. */
typedef uint64_t mc_event_handle;

/* Creates an engine at time 0 with room for `capacity_hint` pending events
 * (it grows as needed). Never returns NULL. */
struct mc_engine *mc_engine_new(size_t capacity_hint);
void mc_engine_free(struct mc_engine *eng);

/* The current simulated time: the time of the event being dispatched, or of
 * the last one dispatched. O(1). */
mc_time_t mc_engine_now(const struct mc_engine *eng);

/* Schedules fn(eng, ctx, arg) at time `at` (>= now; an earlier time is a
 * bug). Returns the event's handle. Amortised O(log4 n), no malloc once the
 * pool is warm. */
mc_event_handle mc_engine_schedule(struct mc_engine *eng, mc_time_t at, mc_event_fn fn,
				   void *ctx, uint64_t arg);
/* Schedules at now + delay. */
mc_event_handle mc_engine_after(struct mc_engine *eng, mc_time_t delay, mc_event_fn fn,
				void *ctx, uint64_t arg);

/* Cancels a pending event. Returns true if it was pending, false if it had
 * fired, was cancelled already, or the handle is 0. O(1). */
bool mc_engine_cancel(struct mc_engine *eng, mc_event_handle h);

/* True if the event is still pending. O(1). */
bool mc_engine_is_pending(const struct mc_engine *eng, mc_event_handle h);

/* Dispatches the earliest pending event. Returns false when none is left. */
bool mc_engine_step(struct mc_engine *eng);

/* Dispatches every event with time <= until, in order, then sets the clock
 * to `until` (if it is not MC_TIME_NEVER). Stops early, returning
 * MC_EINTR, if mc_engine_stop() is called from a handler or a signal;
 * otherwise returns 0. */
int mc_engine_run_until(struct mc_engine *eng, mc_time_t until);

/* Asks mc_engine_run_until to return after the current event. Async-signal
 * safe (it sets a volatile sig_atomic_t). */
void mc_engine_stop(struct mc_engine *eng);

/* Time of the earliest pending (non-cancelled) event, or MC_TIME_NEVER. */
mc_time_t mc_engine_next_time(struct mc_engine *eng);

/* Counters, for progress and perf.json. */
size_t mc_engine_pending(const struct mc_engine *eng);      /* live (not cancelled) events */
uint64_t mc_engine_dispatched(const struct mc_engine *eng); /* handlers called so far */

#endif
