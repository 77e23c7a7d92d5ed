/*
 * health.c - the master's agent health checks, explicit or implicit (see
 * health.h for the model and why implicit pings give the same outputs).
 *
 * Per agent: ping k is due at origin + k T; ping_seq is the last ping
 * sent (explicitly or implicitly). Explicit: a ping event per ping, as
 * Mesos's SlaveObserver. Implicit: no events; pings after ping_seq are
 * taken as answered until the agent stops answering or stops being
 * watched, when settle() counts them and sends the one in flight.
 */
#include <stdlib.h>
#include <string.h>

#include "mesocosm/error.h"
#include "models/health.h"

struct health_agent {
	mc_event_handle ping_event;
	mc_time_t origin;  /* registration: ping k is due at origin + k T */
	uint64_t ping_seq; /* the last ping sent */
	int32_t misses;    /* consecutive pings without a pong */
	bool pong_seen;    /* the last ping was answered (or none was sent) */
	bool watched;      /* registered: being checked */
	bool implicit;     /* pings after ping_seq are answered without events */
	bool peer_up;      /* the agent is up ... */
	uint32_t peer_epoch; /* ... and answers pings of this leader epoch */
};

struct mc__health {
	struct mc_engine *eng;
	mc_time_t interval, delay;
	int max_misses;
	bool implicit_ok;
	const uint32_t *leader_epoch;
	struct mc__health_ops ops;
	struct health_agent *agents;
	size_t cap;
};

static struct health_agent *agent_at(struct mc__health *h, int32_t id)
{
	MC_ASSERT(id >= 0);
	if ((size_t)id >= h->cap) {
		size_t old = h->cap;
		mc_xgrow(&h->agents, &h->cap, (size_t)id + 1, sizeof *h->agents);
		memset(h->agents + old, 0, (h->cap - old) * sizeof *h->agents);
	}
	return &h->agents[id];
}

static mc_time_t due(const struct mc__health *h, const struct health_agent *a, uint64_t k)
{
	return a->origin + (mc_time_t)k * h->interval;
}

static bool answers(const struct mc__health *h, const struct health_agent *a)
{
	return a->peer_up && a->peer_epoch == *h->leader_epoch;
}

static void ping_event(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	struct mc__health *h = ctx;
	int32_t id = (int32_t)arg;
	struct health_agent *a = &h->agents[id];
	a->ping_event = 0;
	if (a->ping_seq && !a->pong_seen && ++a->misses >= h->max_misses) {
		a->watched = false;
		h->ops.lost(h->ops.ctx, id);
		return;
	}
	if (h->implicit_ok && a->pong_seen && answers(h, a)) {
		a->implicit = true; /* this ping and the ones after it */
		return;
	}
	a->pong_seen = false;
	a->ping_seq++;
	h->ops.send_ping(h->ops.ctx, id, a->ping_seq, mc_engine_now(eng), true);
	a->ping_event = mc_engine_after(eng, h->interval, ping_event, h, (uint64_t)id);
}

/*
 * Settles the implicit pings due by now: counts them and their pongs as
 * messages. Leaving implicit mode, the ping still in flight (arriving now
 * or later: at most one, as the delay is below T) is sent for real and the
 * agent's answer, if any, comes as a real PONG. At the end of the run a
 * ping arriving after now was sent but not answered.
 */
static void settle(struct mc__health *h, struct health_agent *a, int32_t id, bool leaving)
{
	mc_time_t now = mc_engine_now(h->eng);
	uint64_t last = now < a->origin ? 0 : (uint64_t)((now - a->origin) / h->interval);
	if (last <= a->ping_seq)
		return;
	uint64_t pings = last - a->ping_seq;
	mc_time_t arrives = due(h, a, last) + h->delay;
	bool in_flight = leaving ? arrives >= now : arrives > now;
	h->ops.count(h->ops.ctx, pings, pings - in_flight);
	a->ping_seq = last;
	a->pong_seen = !in_flight;
	a->misses = 0;
	if (leaving && in_flight)
		h->ops.send_ping(h->ops.ctx, id, last, due(h, a, last), false);
}

struct mc__health *mc__health_new(struct mc_engine *eng, mc_time_t interval, int max_misses,
				  bool implicit, mc_time_t delay, const uint32_t *leader_epoch,
				  const struct mc__health_ops *ops)
{
	MC_ASSERT(interval > 0 && max_misses > 0);
	MC_ASSERT(!implicit || (delay >= 0 && delay < interval));
	struct mc__health *h = mc_xcalloc(1, sizeof *h);
	h->eng = eng;
	h->interval = interval;
	h->delay = delay;
	h->max_misses = max_misses;
	h->implicit_ok = implicit;
	h->leader_epoch = leader_epoch;
	h->ops = *ops;
	return h;
}

void mc__health_free(struct mc__health *h)
{
	if (!h)
		return;
	free(h->agents);
	free(h);
}

void mc__health_start(struct mc__health *h, int32_t id)
{
	struct health_agent *a = agent_at(h, id);
	MC_ASSERT(!a->watched && !a->ping_event);
	a->watched = true;
	a->implicit = false;
	a->origin = mc_engine_now(h->eng);
	a->ping_seq = 0;
	a->pong_seen = true;
	a->misses = 0;
	a->ping_event = mc_engine_after(h->eng, h->interval, ping_event, h, (uint64_t)id);
}

void mc__health_stop(struct mc__health *h, int32_t id)
{
	struct health_agent *a = agent_at(h, id);
	if (a->watched && a->implicit)
		settle(h, a, id, true);
	a->watched = false;
	a->implicit = false;
	if (a->ping_event)
		mc_engine_cancel(h->eng, a->ping_event);
	a->ping_event = 0;
}

void mc__health_pong(struct mc__health *h, int32_t id, uint64_t seq)
{
	struct health_agent *a = agent_at(h, id);
	if (a->watched && seq == a->ping_seq) {
		a->pong_seen = true;
		a->misses = 0;
	}
}

void mc__health_peer(struct mc__health *h, int32_t id, bool up, uint32_t epoch)
{
	struct health_agent *a = agent_at(h, id);
	a->peer_up = up;
	a->peer_epoch = epoch;
	if (!a->implicit || answers(h, a))
		return;
	/* It stopped answering: back to explicit pings from the next one. */
	settle(h, a, id, true);
	a->implicit = false;
	a->ping_event = mc_engine_schedule(h->eng, due(h, a, a->ping_seq + 1), ping_event, h,
					   (uint64_t)id);
}

void mc__health_finish(struct mc__health *h)
{
	for (size_t i = 0; i < h->cap; i++)
		if (h->agents[i].watched && h->agents[i].implicit)
			settle(h, &h->agents[i], (int32_t)i, false);
}

bool mc__health_implicit(const struct mc__health *h, int32_t id)
{
	return id >= 0 && (size_t)id < h->cap && h->agents[id].implicit;
}
