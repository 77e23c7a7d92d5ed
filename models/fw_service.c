/*
 * fw_service.c - the service framework kind (long-running, Marathon-like).
 *
 * Placement is first fit in FIFO order, under the job's constraints:
 * unique_host puts at most one task of a job on an agent (counting the
 * job's live tasks and those placed in this decision); rack_spread N tries
 * racks in order of how few of the job's tasks they hold, so a job spreads
 * over the racks (N is the number of racks it wants to reach; offers on
 * racks it already covers are used only once it covers N or no other rack
 * is offered). A service restarts its failed, killed and lost tasks (up to
 * max_attempts restarts when that is set, else always).
 */
#include "models/framework.h"

static uint32_t place_service(struct mc__world *w, struct mc__framework *f, uint32_t *jobs)
{
	size_t n = f->ndecided;
	uint32_t considered = 0;
	int64_t last_job = -1;
	*jobs = 0;
	for (size_t q = 0; q < mc__fw_queue_len(f) && n; q++) {
		int32_t tid = mc__fw_queue_at(f, q);
		struct mc__task *t = mc__task_at(w, tid);
		if (t->state != MC__TASK_PENDING)
			continue;
		considered++;
		if (t->job != last_job) {
			(*jobs)++;
			last_job = t->job;
		}
		/* choose the offer: fits, respects unique_host, and (rack_spread) is on
		 * the rack holding the fewest of this job's tasks */
		size_t best = n;
		uint32_t best_rack_load = UINT32_MAX;
		for (size_t i = 0; i < n; i++) {
			struct mc__held_offer *o = &f->offers[i];
			if (!mc_resvec_contains(&o->avail, &t->req))
				continue;
			if (f->p.unique_host) {
				if (mc__fw_job_on_agent(f, t->job, o->agent) > 0)
					continue;
				bool taken = false;
				for (int32_t x = o->launch_head; x >= 0 && !taken;
				     x = mc__task_at(w, x)->batch_next)
					taken = mc__task_at(w, x)->job == t->job;
				if (taken)
					continue;
			}
			if (f->p.rack_spread <= 0) {
				best = i;
				break;
			}
			uint32_t load = mc__fw_job_on_rack(f, t->job, o->rack);
			for (size_t k = 0; k < n; k++)
				if (f->offers[k].rack == o->rack)
					for (int32_t x = f->offers[k].launch_head; x >= 0;
					     x = mc__task_at(w, x)->batch_next)
						load += mc__task_at(w, x)->job == t->job;
			if (load < best_rack_load) {
				best_rack_load = load;
				best = i;
			}
		}
		if (best < n)
			mc__fw_place(w, &f->offers[best], tid);
	}
	return considered;
}

static bool resubmit_service(struct mc__framework *f, const struct mc__task *t, int state)
{
	(void)state;
	return f->p.max_attempts <= 0 || t->attempts <= (uint16_t)f->p.max_attempts;
}

const struct mc__fw_kind_ops mc__fw_service = {
	.name = "service",
	.place = place_service,
	.resubmit = resubmit_service,
};
