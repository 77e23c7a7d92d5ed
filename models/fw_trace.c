/*
 * fw_trace.c - the trace-driven framework kind: it runs a trace's jobs with
 * their own requests and run times (carried by the tasks the trace feed
 * submits), the way the trace's cluster scheduler did.
 *
 * Placement is first fit in submission order with backfilling, as
 * Borg-like cells (the Google and Alibaba traces) schedule: a task that
 * fits in no held offer stays pending but does not block the tasks behind
 * it, so a small task of a later job can start while a big one at the head
 * waits. Tasks with the same request are one equivalence class (Borg's
 * term): once a request has fitted nowhere in this decision, every task
 * whose request contains it is skipped without a search, since offers only
 * shrink during a decision. Decision time counts the tasks actually
 * searched for (placed, or the first of a class to fit nowhere) and their
 * jobs. The trace formats carry no placement constraints beyond the
 * requests (and DAG dependencies, which the feed enforces by submitting a
 * task only when its dependencies have finished), so there is nothing more
 * to honour. Wall cost of a decision: O(queue) plus O(offers) per search.
 *
 * Resubmission follows the trace: an attempt that ends FAILED because the
 * trace says so is the trace's own attempt, and the trace holds any retry
 * as its next record (the feed submits it), so the framework retries it
 * only while max_attempts allows (by default never). An attempt the
 * simulation ended and the trace did not (LOST or KILLED by an agent
 * failure, a partition or maintenance in the simulated cluster, where the
 * trace's tasks ran on other machines) is always resubmitted, as a Borg
 * cell reschedules an evicted task: otherwise the replay would lose the
 * trace's work to accidents of the simulated placement. It keeps the
 * trace's end state.
 */
#include "models/framework.h"

/* Requests that fitted nowhere in the current decision (a small cache;
 * the oldest entry goes when it is full). */
#define NO_FIT_CACHE 8

static bool known_misfit(const struct mc_resvec *no_fit, size_t n, const struct mc_resvec *req)
{
	for (size_t k = 0; k < n; k++)
		if (mc_resvec_contains(req, &no_fit[k]))
			return true;
	return false;
}

static uint32_t place_trace(struct mc__world *w, struct mc__framework *f, uint32_t *jobs)
{
	size_t n = f->ndecided;
	uint32_t considered = 0;
	int64_t last_job = -1;
	struct mc_resvec no_fit[NO_FIT_CACHE];
	size_t nno_fit = 0, next_slot = 0;
	*jobs = 0;
	if (n == 0)
		return 0;
	for (size_t q = 0; q < mc__fw_queue_len(f); q++) {
		int32_t tid = mc__fw_queue_at(f, q);
		struct mc__task *t = mc__task_at(w, tid);
		if (t->state != MC__TASK_PENDING || known_misfit(no_fit, nno_fit, &t->req))
			continue;
		if (t->job != last_job) {
			(*jobs)++;
			last_job = t->job;
		}
		considered++;
		size_t i = 0;
		while (i < n && !mc_resvec_contains(&f->offers[i].avail, &t->req))
			i++;
		if (i < n) {
			mc__fw_place(w, &f->offers[i], tid);
			continue;
		}
		/* backfill: remember the class, look further down the queue */
		no_fit[next_slot] = t->req;
		next_slot = (next_slot + 1) % NO_FIT_CACHE;
		if (nno_fit < NO_FIT_CACHE)
			nno_fit++;
	}
	return considered;
}

static bool resubmit_trace(struct mc__framework *f, const struct mc__task *t, int state)
{
	if (state == MC__TASK_FAILED && t->fail_at_end)
		return t->attempts <= (uint16_t)f->p.max_attempts;
	return true;
}

const struct mc__fw_kind_ops mc__fw_trace = {
	.name = "trace",
	.place = place_trace,
	.resubmit = resubmit_trace,
};
