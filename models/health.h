/*
 * health.h - the master's agent health checks (Mesos's SlaveObserver).
 *
 * Every registered agent gets a PING each agent_ping_timeout (T), the k-th
 * due at its registration time + k T. A ping still unanswered when the
 * next one is due is a miss; max_agent_ping_timeouts misses in a row make
 * the agent unreachable (the `lost` callback; the master removes it).
 *
 * Implicit pings. When the master<->agent link is quiet (constant delay d
 * below T, no loss, no partition, no master processing queue), a ping to
 * an agent that answers pings (up, and registered with this leader) is
 * certain to be answered, d later. Then the checks run without events: an
 * agent whose last ping was answered and that still answers is checked
 * implicitly from its next ping on, and goes back to explicit pings (one
 * event per ping) the moment it stops answering (mc__health_peer), with
 * the ping in flight at that moment sent for real. The outcome, the
 * message counts and every other output are the same as with explicit
 * pings; only the engine's event count differs. In a large quiet cell this
 * removes nine in ten events. A ping arriving in the very microsecond the
 * agent fails is taken as unanswered.
 *
 * Not thread-safe; one per master. Everything is O(1) per call except
 * mc__health_finish (O(agents)).
 */
#ifndef MC_MODELS_HEALTH_H
#define MC_MODELS_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "mesocosm/engine.h"
#include "mesocosm/types.h"

struct mc__health;

struct mc__health_ops {
	void *ctx;
	/* the agent missed its last allowed ping: remove it (it is no longer
	 * watched when this is called) */
	void (*lost)(void *ctx, int32_t agent);
	/* send PING `seq` to the agent, sent at `sent_at` (now, or earlier for
	 * an implicit ping made explicit); `count`: count it as a message (an
	 * implicit ping was counted when it was settled) */
	void (*send_ping)(void *ctx, int32_t agent, uint64_t seq, mc_time_t sent_at, bool count);
	/* implicit pings and pongs settled now: count them as messages */
	void (*count)(void *ctx, uint64_t pings, uint64_t pongs);
};

/* interval: T; max_misses: max_agent_ping_timeouts; implicit: the link is
 * quiet and implicit pings are allowed; delay: the link's constant one-way
 * delay (used only when implicit); leader_epoch: the master's current
 * epoch, read when judging whether an agent answers. */
struct mc__health *mc__health_new(struct mc_engine *eng, mc_time_t interval, int max_misses,
				  bool implicit, mc_time_t delay, const uint32_t *leader_epoch,
				  const struct mc__health_ops *ops);
void mc__health_free(struct mc__health *h);

/* The agent registered now: start checking it (first ping at now + T). */
void mc__health_start(struct mc__health *h, int32_t agent);
/* The agent left (removed, or the leader failed): stop checking it. */
void mc__health_stop(struct mc__health *h, int32_t agent);
/* A PONG for ping `seq` arrived. */
void mc__health_pong(struct mc__health *h, int32_t agent, uint64_t seq);
/* The agent's side changed: whether it is up, and the leader epoch it
 * answers pings for (the network layer reports this; see network.c). */
void mc__health_peer(struct mc__health *h, int32_t agent, bool up, uint32_t epoch);
/* The run ends now: count the implicit pings and pongs sent so far. */
void mc__health_finish(struct mc__health *h);
/* Whether the agent is being checked implicitly (for tests). */
bool mc__health_implicit(const struct mc__health *h, int32_t agent);

#endif
