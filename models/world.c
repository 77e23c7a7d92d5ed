/*
 * world.c - the world's shared plumbing: the message pool and the task
 * table. Both are chunked arrays with free lists (pointers stay valid while
 * they grow), so the hot path (send, deliver, launch, finish) never mallocs
 * once warm.
 */
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "mesocosm/error.h"
#include "mesocosm/rng.h"
#include "models/world.h"

#define MSG_FREE_MARK 0xff

const char *mc__task_state_name(int s)
{
	static const char *const names[] = {"PENDING",  "STAGING", "STARTING", "RUNNING",
					    "FINISHED", "FAILED",  "KILLED",   "LOST"};
	return s >= 0 && s < (int)(sizeof names / sizeof names[0]) ? names[s] : "?";
}

struct mc__world *mc__world_new(uint64_t seed, const struct mc__net_params *net)
{
	struct mc__world *w = mc_xcalloc(1, sizeof *w);
	w->eng = mc_engine_new(1 << 16);
	w->seed = seed;
	if (net)
		w->net = *net;
	w->net_rng = mc_rng_new(seed, "network");
	w->msg_free = -1;
	w->task_free = -1;
	return w;
}

void mc__world_free(struct mc__world *w)
{
	if (!w)
		return;
	mc_engine_free(w->eng);
	gsl_rng_free(w->net_rng);
	for (size_t i = 0; i < (w->nmsgs + MC__CHUNK - 1) / MC__CHUNK; i++)
		free(w->msg_chunks[i]);
	for (size_t i = 0; i < (w->ntasks + MC__CHUNK - 1) / MC__CHUNK; i++)
		free(w->task_chunks[i]);
	free(w->msg_chunks);
	free(w->task_chunks);
	for (size_t i = 0; i < w->nattrs; i++)
		free(w->attrs[i]);
	free(w->attrs);
	free(w->agents);
	free(w->fws);
	free(w->task_done);
	free(w);
}

void mc__world_on_task_done(struct mc__world *w,
			    void (*fn)(void *ctx, int32_t fw, int64_t trace_job, uint32_t index,
				       bool finished),
			    void *ctx)
{
	w->task_done = mc_xrealloc(w->task_done, (w->ntask_done + 1) * sizeof *w->task_done);
	w->task_done[w->ntask_done++] = (struct mc__task_observer){.fn = fn, .ctx = ctx};
}

void mc__world_task_done(struct mc__world *w, int32_t fw, int64_t trace_job, uint32_t index,
			 bool finished)
{
	for (size_t i = 0; i < w->ntask_done; i++)
		w->task_done[i].fn(w->task_done[i].ctx, fw, trace_job, index, finished);
}

/* Appends one slot to a chunked array; returns its id. */
static int32_t chunked_append(void *chunksp, size_t *n, size_t *cap, size_t elem)
{
	void ***chunks = chunksp;
	if ((*n & (MC__CHUNK - 1)) == 0) {
		size_t c = *n >> MC__CHUNK_BITS;
		mc_xgrow(chunks, cap, c + 1, sizeof **chunks);
		(*chunks)[c] = mc_xmalloc(MC__CHUNK * elem);
	}
	if (*n >= INT32_MAX)
		MC_BUG("chunked pool exhausted");
	return (int32_t)(*n)++;
}

#define MSG_ZERO_OFFER offsetof(struct mc__msg, u.offer.res.resv)
#define MSG_ZERO_REG offsetof(struct mc__msg, u.reg.total.resv)
#define MSG_ZERO_BYTES (MSG_ZERO_OFFER > MSG_ZERO_REG ? MSG_ZERO_OFFER : MSG_ZERO_REG)
_Static_assert(offsetof(struct mc__msg, u.status) + sizeof(((struct mc__msg *)0)->u.status) <=
		       MSG_ZERO_BYTES &&
		       offsetof(struct mc__msg, u.reply) + sizeof(((struct mc__msg *)0)->u.reply) <=
			       MSG_ZERO_BYTES,
	       "small message bodies must be zeroed whole");

struct mc__msg *mc__msg_alloc(struct mc__world *w, int type)
{
	int32_t id;
	if (w->msg_free >= 0) {
		id = w->msg_free;
		w->msg_free = mc__msg_at(w, id)->dst;
	} else {
		id = chunked_append(&w->msg_chunks, &w->nmsgs, &w->msg_chunks_cap, sizeof(struct mc__msg));
	}
	struct mc__msg *m = mc__msg_at(w, id);
	/* No field may leak from a recycled message. A message is 600+ bytes,
	 * most of them the reservation slots of a resource bag, which are
	 * read only up to its nresv: everything before them is zeroed. */
	memset(m, 0, MSG_ZERO_BYTES);
	m->type = (uint8_t)type;
	m->id = id;
	m->more = -1;
	return m;
}

void mc__msg_free(struct mc__world *w, struct mc__msg *m)
{
	if (m->type == MC__MSG_RUN_TASKS)
		for (int32_t tid = m->u.run.tasks; tid >= 0;) {
			struct mc__task *t = mc__task_at(w, tid);
			int32_t next = t->batch_next;
			t->batch_next = -1;
			mc__task_release(w, tid, MC__REF_WIRE);
			tid = next;
		}
	for (;;) {
		int32_t more = m->more;
		m->type = MSG_FREE_MARK;
		m->dst = w->msg_free;
		w->msg_free = m->id;
		if (more < 0)
			return;
		m = mc__msg_at(w, more);
	}
}

int32_t mc__task_new(struct mc__world *w)
{
	int32_t id;
	uint32_t gen = 1;
	if (w->task_free >= 0) {
		id = w->task_free;
		w->task_free = mc__task_at(w, id)->batch_next;
		gen = mc__task_at(w, id)->gen + 1;
	} else {
		id = chunked_append(&w->task_chunks, &w->ntasks, &w->task_chunks_cap,
				    sizeof(struct mc__task));
	}
	struct mc__task *t = mc__task_at(w, id);
	memset(t, 0, sizeof *t);
	t->gen = gen;
	t->agent = -1;
	t->batch_next = t->agent_next = t->agent_prev = -1;
	t->master_next = t->master_prev = -1;
	t->launch = MC_TIME_NEVER;
	t->refs = MC__REF_FRAMEWORK;
	w->tasks_live++;
	return id;
}

void mc__task_release(struct mc__world *w, int32_t id, unsigned ref)
{
	struct mc__task *t = mc__task_at(w, id);
	if (!(t->refs & ref))
		MC_BUG("task %d released twice (ref %u)", (int)id, ref);
	t->refs &= (uint8_t)~ref;
	if (t->refs)
		return;
	if (t->counted)
		MC_BUG("task %d let go while its resources count as allocated", (int)id);
	t->gen++;
	t->state = MC__TASK_PENDING;
	t->batch_next = w->task_free;
	w->task_free = id;
	w->tasks_live--;
}

int32_t mc__attr_intern(struct mc__world *w, const char *value)
{
	for (size_t i = 0; i < w->nattrs; i++)
		if (!strcmp(w->attrs[i], value))
			return (int32_t)i;
	mc_xgrow(&w->attrs, &w->attrs_cap, w->nattrs + 1, sizeof *w->attrs);
	w->attrs[w->nattrs] = mc_xstrdup(value);
	return (int32_t)w->nattrs++;
}

