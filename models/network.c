/*
 * network.c - the network model: one-way delays per link class, loss, and
 * partitions.
 *
 * A message is an engine event scheduled at now + delay, where the delay is
 * drawn from the link class's distribution (master<->agent or
 * master<->framework) with the network's own random stream. Loss (a
 * probability) and partitions (time windows in which a range of agents
 * cannot reach the master) apply to the master<->agent link only: framework
 * connections are modelled as reliable, as the TCP/HTTP streams of a real
 * scheduler are. A partition is judged at send time.
 *
 * Messages on one link with equal delays arrive in send order (the engine's
 * (time, seq) rule); with random delays they may be reordered, as UDP-less
 * but multi-connection Mesos traffic can be.
 */
#include <math.h>

#include <gsl/gsl_rng.h>

#include "mesocosm/error.h"
#include "models/models.h"
#include "sim/metrics.h"

static void deliver(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)eng;
	struct mc__world *w = ctx;
	struct mc__msg *m = mc__msg_at(w, (int32_t)arg);
	switch (m->dst_kind) {
	case MC__EP_MASTER:
		mc__master_receive(w, m);
		break;
	case MC__EP_AGENT:
		mc__agent_receive(w, m);
		break;
	case MC__EP_FRAMEWORK:
		mc__framework_receive(w, m);
		break;
	default:
		MC_BUG("message to unknown endpoint kind %d", m->dst_kind);
	}
	mc__msg_free(w, m);
}

bool mc__net_partitioned(const struct mc__world *w, int32_t agent, mc_time_t now)
{
	for (size_t i = 0; i < w->net.npartitions; i++) {
		const struct mc__partition *p = &w->net.partitions[i];
		if (agent >= p->first_agent && agent <= p->last_agent && now >= p->from && now < p->to)
			return true;
	}
	return false;
}

mc_time_t mc__net_const_delay(const struct mc__world *w, enum mc__link link)
{
	const struct mc_dist *d = &w->net.delay[link];
	if (d->kind != MC_DIST_CONST)
		return -1;
	mc_time_t us = (mc_time_t)llround(d->a * (double)MC_SEC);
	return us < 0 ? 0 : us;
}

void mc__net_deliver_sent_at(struct mc__world *w, struct mc__msg *m, mc_time_t sent_at)
{
	mc_time_t now = mc_engine_now(w->eng);
	mc_time_t d = mc__net_const_delay(w, MC__LINK_MASTER_AGENT);
	MC_ASSERT(d >= 0 && sent_at <= now);
	mc_time_t at = sent_at + d < now ? now : sent_at + d;
	mc_engine_schedule(w->eng, at, deliver, w, (uint64_t)m->id);
}

void mc__net_count(struct mc__world *w, int type, uint64_t n)
{
	w->msgs_sent += n;
	w->msgs_by_type[type] += n;
	mc_metrics_messages(w->metrics, mc_engine_now(w->eng), n);
}

void mc__net_agent_state(struct mc__world *w, int32_t agent, bool up, uint32_t epoch)
{
	/* Only the network knows for certain whether a ping will be answered. */
	if (w->master)
		mc__master_agent_state(w, agent, up, epoch);
}

void mc__net_send(struct mc__world *w, struct mc__msg *m)
{
	mc_time_t now = mc_engine_now(w->eng);
	bool agent_link = m->src_kind == MC__EP_AGENT || m->dst_kind == MC__EP_AGENT;
	enum mc__link link = agent_link ? MC__LINK_MASTER_AGENT : MC__LINK_MASTER_FRAMEWORK;
	w->msgs_sent++;
	w->msgs_by_type[m->type]++;
	mc_metrics_messages(w->metrics, now, 1);
	if (agent_link) {
		int32_t agent = m->src_kind == MC__EP_AGENT ? m->src : m->dst;
		if ((w->net.loss > 0 && gsl_rng_uniform(w->net_rng) < w->net.loss) ||
		    (w->net.npartitions && mc__net_partitioned(w, agent, now))) {
			w->msgs_lost++;
			mc__msg_free(w, m);
			return;
		}
	}
	if (m->type == MC__MSG_PONG && w->pong_at_send) {
		/* Its arrival is certain (no loss, no partition) and nothing can
		 * tell it from one applied now: the delay is constant and shorter
		 * than the ping interval (no health check runs in between), the
		 * master has no processing queue, and handling a PONG reads no
		 * clock. One event fewer per health check, a third of all events
		 * in a large quiet cell; the outputs are the same byte for byte. */
		mc__master_receive(w, m);
		mc__msg_free(w, m);
		return;
	}
	double sec = mc_dist_sample(&w->net.delay[link], w->net_rng);
	mc_time_t delay = (mc_time_t)llround(sec * (double)MC_SEC);
	if (delay < 0)
		delay = 0;
	mc_engine_schedule(w->eng, now + delay, deliver, w, (uint64_t)m->id);
}
