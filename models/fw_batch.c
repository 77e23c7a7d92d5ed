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
	for (size_t q = 0; q < mc__fw_queue_len(f); q++) {
		int32_t tid = mc__fw_queue_at(f, q);
		struct mc__task *t = mc__task_at(w, tid);
		if (t->state != MC__TASK_PENDING)
			continue;
		if (t->job != last_job) {
			(*jobs)++;
			last_job = t->job;
		}
		considered++;
		size_t i = 0;
		while (i < n && !mc_resvec_contains(&f->offers[i].avail, &t->req))
			i++;
		if (i == n)
			break; /* head of line: nothing behind it is tried */
		mc__fw_place(w, &f->offers[i], tid);
	}
	return considered;
}

const struct mc__fw_kind_ops mc__fw_batch = {
	.name = "batch",
	.place = place_batch,
};
