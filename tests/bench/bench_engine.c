/*
 * bench_engine.c - `mesocosm bench engine [--quick]`: the classic hold
 * model. N events are pending at Exp(mean) times; each hold pops the
 * earliest and schedules one at now + Exp(mean). The engine (heap + body
 * pool + handlers) is timed next to a bare implicit 4-ary heap of 16-byte
 * keys doing the same holds, in the same process, alternating A/B over
 * several repetitions (median reported), so machine noise hits both.
 * Increments are drawn in advance: no RNG cost is timed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "mesocosm/engine.h"
#include "mesocosm/error.h"
#include "mesocosm/rng.h"
#include "tests/bench/bench.h"

#define MEAN 1000000.0 /* 1 s in us */
#define NINC 4096

struct bkey {
	int64_t time;
	uint64_t seq;
};

struct bheap {
	struct bkey *h;
	size_t n;
	uint64_t seq;
};

static inline int bless(const struct bkey *a, const struct bkey *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void bpush(struct bheap *b, int64_t t)
{
	struct bkey k = {t, b->seq++};
	size_t i = b->n++;
	while (i > 0) {
		size_t p = (i - 1) >> 2;
		if (!bless(&k, &b->h[p]))
			break;
		b->h[i] = b->h[p];
		i = p;
	}
	b->h[i] = k;
}

static int64_t bpop(struct bheap *b)
{
	int64_t t = b->h[0].time;
	struct bkey k = b->h[--b->n];
	size_t i = 0, n = b->n;
	for (;;) {
		size_t c = (i << 2) + 1;
		if (c >= n)
			break;
		size_t best = c, end = c + 4 < n ? c + 4 : n;
		for (size_t j = c + 1; j < end; j++)
			if (bless(&b->h[j], &b->h[best]))
				best = j;
		if (!bless(&b->h[best], &k))
			break;
		b->h[i] = b->h[best];
		i = best;
	}
	b->h[i] = k;
	return t;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int64_t inc[NINC];

static double bare_hold(size_t n, size_t holds)
{
	struct bheap b = {mc_xmalloc((n + 1) * sizeof *b.h), 0, 0};
	for (size_t i = 0; i < n; i++)
		bpush(&b, inc[i % NINC] + (int64_t)i);
	double t0 = now_ns();
	for (size_t i = 0; i < holds; i++) {
		int64_t t = bpop(&b);
		bpush(&b, t + inc[i & (NINC - 1)]);
	}
	double dt = now_ns() - t0;
	free(b.h);
	return dt / (double)holds;
}

struct hold_ctx {
	size_t left;
	size_t i;
};

static void hold(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	struct hold_ctx *h = ctx;
	(void)arg;
	if (h->left == 0)
		return;
	h->left--;
	mc_engine_after(eng, inc[h->i++ & (NINC - 1)], hold, h, 0);
}

static double engine_hold(size_t n, size_t holds)
{
	struct mc_engine *e = mc_engine_new(n + 1);
	struct hold_ctx h = {holds, 0};
	for (size_t i = 0; i < n; i++)
		mc_engine_schedule(e, inc[i % NINC] + (int64_t)i, hold, &h, 0);
	double t0 = now_ns();
	for (size_t i = 0; i < holds; i++)
		mc_engine_step(e);
	double dt = now_ns() - t0;
	mc_engine_free(e);
	return dt / (double)holds;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int mc__bench_engine(int argc, char **argv)
{
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");
	gsl_rng *rng = mc_rng_new(1, "bench/engine");
	for (int i = 0; i < NINC; i++)
		inc[i] = (int64_t)gsl_ran_exponential(rng, MEAN) + 1;
	gsl_rng_free(rng);
	const size_t sizes[] = {1000, 100000, 1000000};
	const int reps = quick ? 3 : 7;
	printf("hold model: pop the earliest event, schedule one at now + Exp(1 s)\n");
	printf("median of %d alternating repetitions; ratio = engine / bare heap\n\n", reps);
	printf("%10s %12s %14s %14s %8s\n", "pending", "holds", "engine ns/hold", "bare ns/hold",
	       "ratio");
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		size_t n = sizes[s];
		size_t holds = quick ? 200000 : 2000000;
		double eng[9], bare[9];
		for (int r = 0; r < reps; r++) {
			eng[r] = engine_hold(n, holds);
			bare[r] = bare_hold(n, holds);
		}
		qsort(eng, (size_t)reps, sizeof eng[0], cmp_double);
		qsort(bare, (size_t)reps, sizeof bare[0], cmp_double);
		double e = eng[reps / 2], b = bare[reps / 2];
		printf("%10zu %12zu %14.1f %14.1f %8.2f\n", n, holds, e, b, e / b);
	}
	printf("\ntarget: ratio <= 1.25 at every size\n");
	return 0;
}
