/*
 * bench_alloc.c - `mesocosm bench alloc [--quick]`: the Mesos allocator
 * benchmarks (src/tests/hierarchical_allocator_{tests,benchmarks}.cpp,
 * shared/reference/mesos-allocator.md §4) run against our allocation core,
 * printed next to the published Mesos figures for the same size (§4.3).
 *
 * A minimal host: timers in an array fired by (time, creation order) when
 * the bench advances the clock; offers collected into an array. Wall-clock
 * time is read with clock_gettime only here, around the measured calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mesocosm/alloc.h"
#include "mesocosm/error.h"
#include "tests/bench/bench.h"

struct btimer {
	mc_time_t at;
	void (*fire)(void *, uint64_t);
	void *obj;
	uint64_t data;
	int live;
};

struct boffer {
	int32_t fw;
	struct mc_offer o;
};

struct bhost {
	struct btimer *t;
	size_t nt, tcap, tfirst; /* timers before tfirst are all dead */
	struct boffer *off;
	size_t noff, offcap;
	int run_pending;
	uint32_t rnd;
	mc_time_t now;
};

static uint64_t b_timer_start(void *ctx, mc_time_t at, void (*fire)(void *, uint64_t), void *obj,
			      uint64_t data)
{
	struct bhost *h = ctx;
	mc_xgrow(&h->t, &h->tcap, h->nt + 1, sizeof *h->t);
	h->t[h->nt] = (struct btimer){at, fire, obj, data, 1};
	return ++h->nt;
}
static void b_timer_cancel(void *ctx, uint64_t id)
{
	struct bhost *h = ctx;
	if (id >= 1 && id <= h->nt)
		h->t[id - 1].live = 0;
}
static void b_request_run(void *ctx) { ((struct bhost *)ctx)->run_pending = 1; }
static void b_offer(void *ctx, int32_t fw, const struct mc_offer *o, size_t n)
{
	struct bhost *h = ctx;
	mc_xgrow(&h->off, &h->offcap, h->noff + n, sizeof *h->off);
	for (size_t i = 0; i < n; i++)
		h->off[h->noff++] = (struct boffer){fw, o[i]};
}
static uint32_t b_random(void *ctx)
{
	struct bhost *h = ctx;
	h->rnd ^= h->rnd << 13;
	h->rnd ^= h->rnd >> 17;
	h->rnd ^= h->rnd << 5;
	return h->rnd;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct mc_allocator *b_new(struct bhost *h, const char *sorter)
{
	memset(h, 0, sizeof *h);
	h->rnd = 2463534242u;
	struct mc_alloc_config c;
	mc_alloc_config_defaults(&c);
	c.role_sorter = c.framework_sorter = sorter;
	struct mc_alloc_host host = {h, b_timer_start, b_timer_cancel, b_request_run, b_offer,
				     b_random, NULL};
	return mc_alloc_new(&c, &host, 0);
}

static void b_free(struct mc_allocator *a, struct bhost *h)
{
	mc_alloc_free(a);
	free(h->t);
	free(h->off);
}

/* Moves the clock by one interval, firing due timers (a run right after the
 * timer that asked for it); returns the seconds spent in mc_alloc_run. */
static double b_advance(struct mc_allocator *a, struct bhost *h, mc_time_t d)
{
	mc_time_t until = h->now + d;
	double spent = 0;
	for (;;) {
		size_t best = SIZE_MAX;
		while (h->tfirst < h->nt && !h->t[h->tfirst].live)
			h->tfirst++;
		for (size_t i = h->tfirst; i < h->nt; i++)
			if (h->t[i].live && h->t[i].at <= until &&
			    (best == SIZE_MAX || h->t[i].at < h->t[best].at))
				best = i;
		if (best == SIZE_MAX)
			break;
		h->t[best].live = 0;
		h->now = h->t[best].at;
		h->t[best].fire(h->t[best].obj, h->t[best].data);
		if (h->run_pending) {
			h->run_pending = 0;
			double t0 = now_s();
			mc_alloc_run(a, h->now);
			spent += now_s() - t0;
		}
	}
	h->now = until;
	return spent;
}

static double b_run_now(struct mc_allocator *a, struct bhost *h)
{
	double t0 = now_s();
	if (h->run_pending) {
		h->run_pending = 0;
		mc_alloc_run(a, h->now);
	}
	return now_s() - t0;
}

static const char *published(int agents, int fws)
{
	if (agents == 10000 && fws == 1000)
		return "~1.06 s (MESOS-9249, DeclineOffers/21); ~1.45 s blog 1.7.1";
	if (agents == 1000 && fws == 100)
		return "~0.1 s (blog 1.7.1)";
	if (agents == 20000 && fws == 2000)
		return "~4.4 s (blog 1.7.1)";
	if (agents == 5000 && fws == 1000)
		return "(blog 1.7.1 5k/500: ~0.5 s)";
	return "-";
}

/* ---- DeclineOffers ------------------------------------------------------------ */

static void build_cluster(struct mc_allocator *a, struct bhost *h, int nagents, int nfws,
			  double *t_fws, double *t_agents)
{
	int32_t star = MC_ROLE_ANY;
	double t0 = now_s();
	for (int f = 0; f < nfws; f++)
		mc_alloc_add_framework(a, 0, f, NULL, &star, 1, 0, true, NULL);
	*t_fws = now_s() - t0;
	b_run_now(a, h); /* nothing to offer yet */
	struct mc_resources total, used;
	mc_resources_parse(&total, "cpus:24;mem:4096;disk:4096;ports:[31000-32000]", NULL);
	mc_resources_parse(&used, "cpus:16;mem:2014;disk:1024;ports:[31000-31015]", NULL);
	t0 = now_s();
	for (int g = 0; g < nagents; g++) {
		mc_alloc_add_agent(a, 0, g, &total);
		mc_alloc_add_used(a, g, g % nfws, star, &used);
	}
	*t_agents = now_s() - t0;
}

static void decline_all(struct mc_allocator *a, struct bhost *h, mc_time_t refuse)
{
	for (size_t i = 0; i < h->noff; i++)
		mc_alloc_recover(a, h->now, h->off[i].fw, h->off[i].o.role, h->off[i].o.agent,
				 &h->off[i].o.resources, refuse);
	h->noff = 0;
}

static void bench_decline(int nagents, int nfws, int rounds)
{
	struct bhost h;
	struct mc_allocator *a = b_new(&h, "drf");
	double tf, ta;
	build_cluster(a, &h, nagents, nfws, &tf, &ta);
	double first = b_run_now(a, &h);
	size_t offers0 = h.noff;
	double sum = 0, mn = 1e9, mx = 0;
	size_t offers = 0;
	for (int r = 0; r < rounds; r++) {
		decline_all(a, &h, 365LL * 24 * MC_HOUR);
		double t = b_advance(a, &h, MC_SEC);
		offers += h.noff;
		sum += t;
		mn = t < mn ? t : mn;
		mx = t > mx ? t : mx;
	}
	/* a periodic run in which nothing changed */
	h.noff = 0;
	b_advance(a, &h, MC_SEC); /* settles anything left */
	double idle = b_advance(a, &h, MC_SEC);
	printf("DeclineOffers %6d agents x %5d fws: add fws %8.2f ms, add agents %8.2f ms "
	       "(%.2f us/agent); round 0 %8.2f ms (%zu offers); rounds 1-%d min/avg/max "
	       "%.2f/%.2f/%.2f ms (%zu offers); idle run %.3f ms | Mesos: %s\n",
	       nagents, nfws, tf * 1e3, ta * 1e3, ta * 1e6 / nagents, first * 1e3, offers0, rounds,
	       mn * 1e3, sum / rounds * 1e3, mx * 1e3, offers, idle * 1e3,
	       published(nagents, nfws));
	fflush(stdout);
	b_free(a, &h);
}

/* ---- SuppressOffers ------------------------------------------------------------ */

static void bench_suppress(int nagents, int nfws)
{
	struct bhost h;
	struct mc_allocator *a = b_new(&h, "drf");
	double tf, ta;
	build_cluster(a, &h, nagents, nfws, &tf, &ta);
	b_run_now(a, &h);
	printf("SuppressOffers %6d agents x %5d fws:", nagents, nfws);
	for (int r = 0; r < 5; r++) {
		for (int f = r * nfws / 5; f < (r + 1) * nfws / 5; f++)
			mc_alloc_suppress(a, h.now, f, NULL, 0);
		decline_all(a, &h, 0);
		double t = b_advance(a, &h, MC_SEC);
		printf(" round %d (%d%% suppressed) %.2f ms %zu offers;", r, (r + 1) * 20, t * 1e3,
		       h.noff);
	}
	printf("\n");
	fflush(stdout);
	b_free(a, &h);
}

/* ---- MultiFrameworkAllocations (the "profile" benchmark) ------------------------ */

struct mf {
	int tasks_left, per_offer;
	struct mc_resources task;
};

static void bench_multi_framework(void)
{
	struct bhost h;
	struct mc_allocator *a = b_new(&h, "drf");
	struct mf *fw = mc_xcalloc(554, sizeof *fw);
	int nf = 0, total_tasks = 0;
	char name[32];
	for (int i = 0; i < 4; i++, nf++) {
		snprintf(name, sizeof name, "marathon%d", i);
		int32_t r = mc_role_intern(name, strlen(name));
		fw[nf].tasks_left = 4000;
		fw[nf].per_offer = 100;
		mc_resources_parse(&fw[nf].task, "cpus:0.07;mem:400", NULL);
		mc_alloc_add_framework(a, 0, nf, name, &r, 1, 0, true, NULL);
	}
	int32_t rb = mc_role_intern("roleB", 5);
	for (int i = 0; i < 500; i++, nf++) {
		fw[nf].tasks_left = 5;
		fw[nf].per_offer = 1;
		mc_resources_parse(&fw[nf].task, "cpus:0.1;mem:4000", NULL);
		mc_alloc_add_framework(a, 0, nf, NULL, &rb, 1, 0, true, NULL);
	}
	for (int i = 0; i < 50; i++, nf++) {
		snprintf(name, sizeof name, "spark%d", i);
		int32_t r = mc_role_intern(name, strlen(name));
		fw[nf].tasks_left = 20;
		fw[nf].per_offer = 5;
		mc_resources_parse(&fw[nf].task, "cpus:1;mem:1000", NULL);
		mc_alloc_add_framework(a, 0, nf, name, &r, 1, 0, true, NULL);
	}
	for (int i = 0; i < nf; i++)
		total_tasks += fw[i].tasks_left;
	struct mc_resources agent;
	mc_resources_parse(&agent, "cpus:64;mem:488000", NULL);
	for (int g = 0; g < 80; g++)
		mc_alloc_add_agent(a, 0, g, &agent);
	double spent = b_run_now(a, &h);
	int rounds = 0, launched = 0;
	while (launched < total_tasks && rounds < 300) {
		for (size_t i = 0; i < h.noff; i++) {
			struct boffer *o = &h.off[i];
			struct mf *f = &fw[o->fw];
			struct mc_resources left = o->o.resources, take;
			mc_resources_clear(&take);
			int n = 0;
			while (f->tasks_left > 0 && n < f->per_offer &&
			       mc_resources_contains(&left, &f->task)) {
				mc_resources_subtract(&left, &f->task);
				mc_resources_add(&take, &f->task);
				f->tasks_left--;
				n++;
			}
			launched += n;
			if (n)
				mc_alloc_launch(a, h.now, o->fw, o->o.role, o->o.agent, &take);
			if (!mc_resources_is_empty(&left))
				mc_alloc_recover(a, h.now, o->fw, o->o.role, o->o.agent, &left, 0);
			if (f->tasks_left == 0)
				mc_alloc_suppress(a, h.now, o->fw, NULL, 0);
		}
		h.noff = 0;
		spent += b_advance(a, &h, MC_SEC);
		rounds++;
	}
	printf("MultiFrameworkAllocations 80 agents, 554 fws: %d/%d tasks in %d rounds, "
	       "%.3f ms per round | Mesos: calibration profile (MESOS-9187), no figure published\n",
	       launched, total_tasks, rounds, spent / (rounds + 1) * 1e3);
	fflush(stdout);
	free(fw);
	b_free(a, &h);
}

/* ---- LargeAndSmallQuota ---------------------------------------------------------- */

static void bench_quota(const char *sorter, int nsmall, int nlarge)
{
	struct bhost h;
	struct mc_allocator *a = b_new(&h, sorter);
	struct mc_resources small, large, agent;
	mc_resources_parse(&small, "cpus:1;mem:1024;disk:1024", NULL);
	mc_resources_parse(&large, "cpus:4;mem:4096;disk:4096", NULL);
	mc_resources_parse(&agent, "cpus:2;mem:2048;disk:2048", NULL);
	int nagents = nsmall / 5 + 5 * nlarge;
	for (int g = 0; g < nagents; g++)
		mc_alloc_add_agent(a, 0, g, &agent);
	char name[32];
	double t0 = now_s();
	for (int i = 0; i < nsmall + nlarge; i++) {
		snprintf(name, sizeof name, "%s%d", i < nsmall ? "small" : "large", i);
		int32_t r = mc_role_intern(name, strlen(name));
		const struct mc_resvec *q = i < nsmall ? &small.unres : &large.unres;
		mc_alloc_set_quota(a, r, q, q);
		mc_alloc_add_framework(a, 0, i, name, &r, 1, 0, true, NULL);
	}
	double tadd = now_s() - t0;
	double first = b_run_now(a, &h);
	size_t o1 = h.noff;
	h.noff = 0;
	mc_alloc_revive(a, h.now, 0, NULL, 0);
	double second = b_run_now(a, &h);
	printf("LargeAndSmallQuota %-6s %4d small + %3d large roles, %4d agents: add %.2f ms; "
	       "first run %.2f ms (%zu offers), second %.2f ms (%zu offers) | Mesos: %s\n",
	       sorter, nsmall, nlarge, nagents, tadd * 1e3, first * 1e3, o1, second * 1e3, h.noff,
	       nsmall == 2500 ? "15.4-16.9 s first, 12.9-14.5 s empty (2019)" : "-");
	fflush(stdout);
	b_free(a, &h);
}

int mc__bench_alloc(int argc, char **argv)
{
	bool quick = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick = true;
		else {
			fprintf(stderr, "usage: mesocosm bench alloc [--quick]\n");
			return 2;
		}
	}
	static const int agents[] = {1000, 5000, 10000, 20000};
	static const int fws[] = {100, 1000, 2000};
	for (int i = 0; i < (quick ? 1 : 4); i++)
		for (int k = 0; k < (quick ? 1 : 3); k++)
			bench_decline(agents[i], fws[k], quick ? 2 : 3);
	bench_suppress(1000, 100);
	if (!quick)
		bench_suppress(10000, 1000);
	bench_multi_framework();
	for (int s = 0; s < 2; s++) {
		const char *sorter = s ? "random" : "drf";
		bench_quota(sorter, 25, 5);
		if (!quick) {
			bench_quota(sorter, 250, 50);
			bench_quota(sorter, 2500, 500);
		}
	}
	return 0;
}
