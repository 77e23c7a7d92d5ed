/*
 * google2011_write.c - writes a record stream as Google clusterdata-2011-2
 * CSV (machine_events and task_events tables), so that synthetic workloads
 * can exercise the Google reader and benchmark its conversion rate.
 *
 * Each task becomes SUBMIT and SCHEDULE at its submit time and FINISH (or
 * its end state's event) at submit + duration; tasks with unknown duration
 * get no end event. Capacities and requests are normalised by the given
 * machine size. Pending end events wait in a heap ordered by time, so memory
 * is bounded by the tasks in flight; rows come out in time order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "traces/trace_int.h"

struct pend_end {
	uint64_t job;
	uint32_t idx;
	int event;
	uint32_t user;
	int32_t cls, prio;
	uint64_t machine;
};

struct gw {
	FILE *mf, *tf;
	struct mc__heap heap;
	struct pend_end *ends;
	uint32_t *free_ids;
	size_t nends, cap_ends, nfree, cap_free;
	double cpus, mem;
	const struct mc_trace_reader *r;
	uint64_t rr_machine, nmachines;
};

static int end_event(enum mc_tend e)
{
	switch (e) {
	case MC_TEND_FAILED:
		return 3;
	case MC_TEND_KILLED:
		return 5;
	case MC_TEND_EVICTED:
		return 2;
	case MC_TEND_LOST:
		return 6;
	default:
		return 4;
	}
}

static void flush_until(struct gw *g, mc_time_t t)
{
	const struct mc__heap_ent *top;
	while ((top = mc__heap_top(&g->heap)) && top->time <= t) {
		struct mc__heap_ent e;
		mc__heap_pop(&g->heap, &e);
		struct pend_end *p = &g->ends[e.idx];
		fprintf(g->tf, "%lld,,%llu,%u,%llu,%d,%s,%d,%d,,,,\n", (long long)e.time,
		        (unsigned long long)p->job, p->idx, (unsigned long long)p->machine,
		        p->event, mc_trace_user_name(g->r, p->user), p->cls, p->prio);
		mc_xgrow(&g->free_ids, &g->cap_free, g->nfree + 1, sizeof *g->free_ids);
		g->free_ids[g->nfree++] = e.idx;
	}
}

static FILE *open_table(const char *dir, const char *table, char *err, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, table);
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		mc__errf(err, n, "%s: cannot create: %s", path, strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof path, "%s/%s/part-00000-of-00001.csv", dir, table);
	FILE *f = fopen(path, "w");
	if (!f)
		mc__errf(err, n, "%s: cannot write: %s", path, strerror(errno));
	else
		setvbuf(f, NULL, _IOFBF, 1u << 20);
	return f;
}

int mc__google2011_write(struct mc_trace_reader *r, const char *dir, double machine_cpus,
                         double machine_mem_mb, char *err, size_t n)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		mc__errf(err, n, "%s: cannot create: %s", dir, strerror(errno));
		return MC_EIO;
	}
	struct gw g = {0};
	g.r = r;
	g.cpus = machine_cpus;
	g.mem = machine_mem_mb;
	g.mf = open_table(dir, "machine_events", err, n);
	g.tf = g.mf ? open_table(dir, "task_events", err, n) : NULL;
	int rc = g.tf ? 0 : MC_EIO;
	struct mc_trace_record rec;
	while (!rc && (rc = mc_trace_next(r, &rec)) == 1) {
		rc = 0;
		flush_until(&g, rec.time);
		if (rec.type == MC_TREC_MACHINE) {
			const struct mc_trace_machine *m = &rec.machine;
			if (m->event == MC_TMACH_REMOVE)
				fprintf(g.mf, "%lld,%llu,1,,,\n", (long long)rec.time,
				        (unsigned long long)m->id);
			else
				fprintf(
				    g.mf, "%lld,%llu,%d,p%llu,%.4g,%.4g\n", (long long)rec.time,
				    (unsigned long long)m->id, (int)m->event,
				    (unsigned long long)m->platform,
				    mc_milli_to_double(m->capacity.unres.q[MC_RES_CPUS]) / g.cpus,
				    mc_milli_to_double(m->capacity.unres.q[MC_RES_MEM]) / g.mem);
			g.nmachines++;
		} else if (rec.type == MC_TREC_TASK) {
			const struct mc_trace_task *t = &rec.task;
			const char *user = mc_trace_user_name(r, t->user);
			double c = mc_milli_to_double(t->request.q[MC_RES_CPUS]) / g.cpus;
			double m = mc_milli_to_double(t->request.q[MC_RES_MEM]) / g.mem;
			for (uint32_t k = 0; k < t->count; k++) {
				uint32_t idx = t->task_index + k;
				uint64_t mach =
				    g.nmachines ? 1 + (g.rr_machine++ % g.nmachines) : 0;
				fprintf(g.tf, "%lld,,%llu,%u,,0,%s,%d,%d,%.4g,%.4g,0,0\n",
				        (long long)rec.time, (unsigned long long)t->job_id, idx,
				        user, t->sched_class < 0 ? 0 : t->sched_class, t->priority,
				        c, m);
				fprintf(g.tf, "%lld,,%llu,%u,%llu,1,%s,%d,%d,%.4g,%.4g,0,0\n",
				        (long long)rec.time, (unsigned long long)t->job_id, idx,
				        (unsigned long long)mach, user,
				        t->sched_class < 0 ? 0 : t->sched_class, t->priority, c, m);
				if (t->duration < 0)
					continue;
				uint32_t slot;
				if (g.nfree)
					slot = g.free_ids[--g.nfree];
				else {
					mc_xgrow(&g.ends, &g.cap_ends, g.nends + 1, sizeof *g.ends);
					slot = (uint32_t)g.nends++;
				}
				g.ends[slot] =
				    (struct pend_end){t->job_id,
				                      idx,
				                      end_event(t->end_state),
				                      t->user,
				                      t->sched_class < 0 ? 0 : t->sched_class,
				                      t->priority,
				                      mach};
				mc__heap_push(&g.heap, rec.time + t->duration, slot);
			}
		}
	}
	if (rc < 0)
		mc__errf(err, n, "%s", mc_trace_error(r));
	if (!rc)
		flush_until(&g, INT64_MAX);
	if (g.mf && fclose(g.mf) != 0 && !rc) {
		mc__errf(err, n, "%s: write error", dir);
		rc = MC_EIO;
	}
	if (g.tf && fclose(g.tf) != 0 && !rc) {
		mc__errf(err, n, "%s: write error", dir);
		rc = MC_EIO;
	}
	mc__heap_release(&g.heap);
	free(g.ends);
	free(g.free_ids);
	return rc;
}
