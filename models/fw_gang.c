/*
 * fw_gang.c - the gang framework kind (rigid, MPI-like).
 *
 * A gang job runs only when all its tasks can start at once. The framework
 * looks at the job at the head of its queue: if its pending tasks fit
 * together into the offers it holds (first fit), it launches them all;
 * otherwise it keeps (hoards) every held offer that has room for one of its
 * tasks and declines the rest, waiting for more offers. This is the rigid
 * framework of the Mesos paper (§4): the slots it holds while it waits are
 * idle.
 */
#include "models/framework.h"

static uint32_t place_gang(struct mc__world *w, struct mc__framework *f, uint32_t *jobs)
{
	size_t n = f->ndecided;
	*jobs = 0;
	/* the head job's pending tasks */
	int64_t job = -1;
	size_t first = 0;
	for (size_t q = 0; q < mc__fw_queue_len(f); q++) {
		struct mc__task *t = mc__task_at(w, mc__fw_queue_at(f, q));
		if (t->state == MC__TASK_PENDING) {
			job = t->job;
			first = q;
			break;
		}
	}
	if (job < 0 || n == 0)
		return 0;
	*jobs = 1;
	/* trial first fit on copies of the offers' room */
	struct mc_resvec room[n];
	for (size_t i = 0; i < n; i++)
		room[i] = f->offers[i].avail;
	uint32_t considered = 0;
	bool all_fit = true;
	for (size_t q = first; q < mc__fw_queue_len(f); q++) {
		struct mc__task *t = mc__task_at(w, mc__fw_queue_at(f, q));
		if (t->state != MC__TASK_PENDING || t->job != job)
			continue;
		considered++;
		size_t i = 0;
		while (i < n && !mc_resvec_contains(&room[i], &t->req))
			i++;
		if (i == n) {
			all_fit = false;
			continue;
		}
		mc_resvec_sub(&room[i], &t->req);
	}
	if (all_fit) {
		for (size_t q = first; q < mc__fw_queue_len(f); q++) {
			int32_t tid = mc__fw_queue_at(f, q);
			struct mc__task *t = mc__task_at(w, tid);
			if (t->state != MC__TASK_PENDING || t->job != job)
				continue;
			for (size_t i = 0; i < n; i++)
				if (mc_resvec_contains(&f->offers[i].avail, &t->req)) {
					mc__fw_place(w, &f->offers[i], tid);
					break;
				}
		}
		return considered;
	}
	/* hoard what can help, decline the rest */
	struct mc__task *head = mc__task_at(w, mc__fw_queue_at(f, first));
	for (size_t i = 0; i < n; i++)
		f->offers[i].keep = mc_resvec_contains(&f->offers[i].avail, &head->req);
	return considered;
}

const struct mc__fw_kind_ops mc__fw_gang = {
	.name = "gang",
	.place = place_gang,
};
