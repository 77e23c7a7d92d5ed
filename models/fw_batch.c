/*
 * fw_batch.c - the batch framework kind (elastic, Spark/Hadoop-like).
 *
 * It takes pending tasks in FIFO order and puts each into the first held
 * offer that still has room for it (first fit), or into offers visited in a
 * random order (random fit, Omega's randomised first fit). Once one task of a
 * job fits nowhere, the job's remaining tasks are not tried in this decision
 * (a job's tasks share one shape in our workloads and traces mostly do), and
 * the decision ends at the first job that could place nothing: a FIFO
 * scheduler does not look past the head of its queue once the offers are
 * exhausted for it. Decision time counts the jobs and tasks looked at.
 */
#include <gsl/gsl_rng.h>

#include "models/framework.h"

static uint32_t place_batch(struct mc__world *w, struct mc__framework *f, uint32_t *jobs)
{
	size_t n = f->ndecided;
	uint32_t considered = 0;
	int64_t last_job = -1;
	*jobs = 0;
	if (n == 0)
		return 0;
	/* Random fit: shuffle the offers once per decision (Fisher-Yates). */
	if (f->p.random_fit)
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = (size_t)gsl_rng_uniform_int(f->rng, (unsigned long)(i + 1));
			struct mc__held_offer tmp = f->offers[i];
			f->offers[i] = f->offers[j];
			f->offers[j] = tmp;
		}
	int64_t skip_job = -1;    /* a job one of whose tasks fitted nowhere */
	bool job_placed = false;  /* the current job placed something */
	for (size_t q = 0; q < mc__fw_queue_len(f); q++) {
		int32_t tid = mc__fw_queue_at(f, q);
		struct mc__task *t = mc__task_at(w, tid);
		if (t->state != MC__TASK_PENDING || t->job == skip_job)
			continue;
		if (t->job != last_job) {
			if (last_job >= 0 && !job_placed)
				break; /* head of line: the previous job placed nothing */
			(*jobs)++;
			last_job = t->job;
			job_placed = false;
		}
		considered++;
		bool placed = false;
		for (size_t i = 0; i < n && !placed; i++) {
			struct mc__held_offer *o = &f->offers[i];
			if (mc_resvec_contains(&o->avail, &t->req)) {
				mc__fw_place(w, o, tid);
				placed = true;
			}
		}
		if (placed)
			job_placed = true;
		else
			skip_job = t->job;
	}
	return considered;
}

const struct mc__fw_kind_ops mc__fw_batch = {
	.name = "batch",
	.place = place_batch,
};
