/*
 * fw_batch.c - the batch framework kind (elastic, Spark/Hadoop-like).
 *
 * It takes pending tasks in FIFO order and puts each into the first held
 * offer that still has room for it (first fit), or into offers visited in a
 * random order (random fit, Omega's randomised first fit). The decision ends
 * at the first task that fits nowhere: a FIFO scheduler does not look past
 * the head of its queue (Hadoop's FIFO scheduler, Spark's FIFO mode), which
 * also keeps a decision O(tasks placed) however long the queue is. Decision
 * time counts the jobs and tasks looked at.
 *
 * Tasks with preferred locations (their input's agents, mc__task.pref_*)
 * go to an offer on a preferred agent if one has room (node-local), else
 * to one on a preferred agent's rack (rack-local), else anywhere. With
 * delay scheduling (locality_delay D > 0; Zaharia et al., EuroSys 2010, as
 * Spark's spark.locality.wait) a job may take a non-local offer only once
 * it has gone D without a local launch, counted from its submission or its
 * last node- or rack-local launch (Spark's lastLaunchTime): until then its
 * tasks that fit only non-locally are passed over, and do not block the
 * tasks behind them. The offers passed over this way are declined with a
 * filter that lasts only until the job's wait ends (Filters.refuse_seconds
 * is per decline in Mesos), so the master offers them again at its first
 * allocation run after that even if the framework never revives. When the
 * wait ends the framework also revives if tasks are still pending (and it
 * revives at all, revive_on_new_work): its needs have changed, it now
 * takes agents it refused, and a revive spares it the allocation interval
 * (or two: Mesos makes every filter last at least one) it would otherwise
 * wait for them. Passing a task over costs no decision time (a delay scheduler
 * finds local tasks through per-host indexes, as Spark's
 * pendingTasksForHost), but the scan costs O(offers) wall time per task
 * looked at.
 */
#include <gsl/gsl_rng.h>

#include "models/framework.h"

static uint32_t place_batch(struct mc__world *w, struct mc__framework *f, uint32_t *jobs)
{
	size_t n = f->ndecided;
	uint32_t considered = 0;
	int64_t last_job = -1;
	mc_time_t now = mc_engine_now(w->eng);
	*jobs = 0;
	if (n == 0)
		return 0;
	/* each decision sets its own decline filters (an offer held over from
	 * an earlier one may carry that one's); only delay scheduling changes
	 * them, so without it this O(offers) pass is skipped */
	if (f->p.locality_delay > 0)
		for (size_t i = 0; i < n; i++)
			f->offers[i].refuse = f->p.refuse;
	/* Random fit: shuffle the offers once per decision (Fisher-Yates). */
	if (f->p.random_fit)
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = (size_t)gsl_rng_uniform_int(f->rng, (unsigned long)(i + 1));
			struct mc__held_offer tmp = f->offers[i];
			f->offers[i] = f->offers[j];
			f->offers[j] = tmp;
		}
	for (size_t q = 0; q < mc__fw_queue_len(f); q++) {
		int32_t tid = mc__fw_queue_at(f, q);
		struct mc__task *t = mc__task_at(w, tid);
		if (t->state != MC__TASK_PENDING)
			continue;
		/* one pass: the first offer with room, and the first node-local and
		 * rack-local ones when the task has preferences */
		size_t any = n, rack = n, node = n;
		for (size_t i = 0; i < n; i++) {
			struct mc__held_offer *o = &f->offers[i];
			if (!mc_resvec_contains(&o->avail, &t->req))
				continue;
			if (!t->npref) {
				any = i;
				break;
			}
			if (any == n)
				any = i;
			int level = mc__fw_locality(t, o->agent, o->rack);
			if (level == MC_LOCALITY_NODE) {
				node = i;
				break;
			}
			if (level == MC_LOCALITY_RACK && rack == n)
				rack = i;
		}
		bool local = node < n || rack < n;
		size_t pick = node < n ? node : rack < n ? rack : any;
		struct mc__job *job = &f->jobs[t->job];
		if (any < n && !local && t->npref && f->p.locality_delay > 0) {
			mc_time_t since = job->loc_reset > job->submit ? job->loc_reset : job->submit;
			mc_time_t left = f->p.locality_delay - (now - since);
			if (left > 0) {
				/* pass over for locality: what it could have used comes
				 * back when the job's wait ends */
				for (size_t i = any; i < n; i++) {
					struct mc__held_offer *o = &f->offers[i];
					if (o->refuse > left &&
					    mc_resvec_contains(&o->avail, &t->req))
						o->refuse = left;
				}
				mc__fw_revive_at(w, f, now + left);
				continue;
			}
		}
		if (t->job != last_job) {
			(*jobs)++;
			last_job = t->job;
		}
		considered++;
		if (pick == n)
			break; /* head of line: nothing behind it is tried */
		if (local)
			job->loc_reset = now;
		mc__fw_place(w, &f->offers[pick], tid);
	}
	return considered;
}

const struct mc__fw_kind_ops mc__fw_batch = {
	.name = "batch",
	.place = place_batch,
};
