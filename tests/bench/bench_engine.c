/*
 * bench_engine.c - `mesocosm bench engine [--quick]`: the classic hold
 * model. N events are pending at Exp(mean) times; each hold pops the
 * earliest and schedules one at now + Exp(mean), so N stays constant.
 *
 * Three contenders do the same holds on the same pre-drawn numbers, in the
 * same process, interleaved (A/B/C, A/B/C, ...; the median of each is
 * reported) so machine noise hits all of them alike:
 *   engine    - mc_engine_step() dispatching a handler that calls
 *               mc_engine_after(): heap + body pool + handles + dispatch;
 *   bare heap - the engine's own heap (sim/heap4.h: 4-ary, 16-byte
 *               (time, seq) keys, 128-bit compare, bottom-up refill with
 *               grandchild prefetch, hold as one replace-top, same array
 *               placement and huge-page advice), and nothing else:
 *               engine / bare is the engine's own overhead;
 *   textbook  - the same heap written the usual way (two-word compare,
 *               pop then push), for reference.
 * All three must end on the same clock (same events, same order): the bench
 * checks it. Increments are drawn in advance, so no RNG cost is timed. The
 * clock is CLOCK_MONOTONIC, read only around the timed loops.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "mesocosm/engine.h"
#include "mesocosm/error.h"
#include "mesocosm/rng.h"
#include "sim/heap4.h"
#include "tests/bench/bench.h"

#define MEAN    1000000.0 /* 1 s in us */
#define NINC    (1u << 16)
#define MAXREPS 9

static int64_t inc[NINC]; /* hold increments, used cyclically */
static int64_t *prefill;  /* the N initial times */

#define BIAS (UINT64_C(1) << 63)

/* The bare heap is the engine's own (sim/heap4.h). */

/* ---- textbook heap: two-word compare, pop then push ---- */

static inline bool tb_less(const struct mc__key *a, const struct mc__key *b)
{
	return a->hi < b->hi || (a->hi == b->hi && a->lo < b->lo);
}

static void tb_push(struct mc__key *h, size_t *n, struct mc__key k)
{
	size_t i = (*n)++;
	while (i > 0) {
		size_t p = (i - 1) >> 2;
		if (!tb_less(&k, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = k;
}

static struct mc__key tb_pop(struct mc__key *h, size_t *n)
{
	struct mc__key top = h[0];
	struct mc__key k = h[--*n];
	size_t i = 0, m = *n;
	for (;;) {
		size_t c = (i << 2) + 1;
		if (c >= m)
			break;
		size_t best = c, end = c + 4 < m ? c + 4 : m;
		for (size_t j = c + 1; j < end; j++)
			if (tb_less(&h[j], &h[best]))
				best = j;
		if (!tb_less(&h[best], &k))
			break;
		h[i] = h[best];
		i = best;
	}
	h[i] = k;
	return top;
}

/* ---- timing ---- */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Keys placed as the engine places them (h[1] starts a cache line). */
static struct mc__key *key_array(size_t n, void **raw)
{
	return mc__aligned_array(n + 1, sizeof(struct mc__key), 1, raw);
}

static double bare_hold(size_t n, size_t holds, int64_t *end)
{
	void *raw;
	struct mc__key *h = key_array(n, &raw);
	uint64_t seq = 0;
	for (size_t i = 0; i < n; i++)
		mc__heap4_sift_up(h, i, (struct mc__key){(uint64_t)prefill[i] ^ BIAS, seq++});
	double t0 = now_ns();
	for (size_t i = 0; i < holds; i++) {
		int64_t t = (int64_t)(h[0].hi ^ BIAS);
		struct mc__key k = {(uint64_t)(t + inc[i & (NINC - 1)]) ^ BIAS, seq++};
		mc__heap4_refill_root(h, n, k);
	}
	double dt = now_ns() - t0;
	*end = (int64_t)(h[0].hi ^ BIAS);
	free(raw);
	return dt / (double)holds;
}

static double textbook_hold(size_t n, size_t holds, int64_t *end)
{
	struct mc__key *h = mc_xmalloc((n + 1) * sizeof *h);
	size_t m = 0;
	uint64_t seq = 0;
	for (size_t i = 0; i < n; i++)
		tb_push(h, &m, (struct mc__key){(uint64_t)prefill[i] ^ BIAS, seq++});
	double t0 = now_ns();
	for (size_t i = 0; i < holds; i++) {
		int64_t t = (int64_t)(tb_pop(h, &m).hi ^ BIAS);
		tb_push(h, &m, (struct mc__key){(uint64_t)(t + inc[i & (NINC - 1)]) ^ BIAS, seq++});
	}
	double dt = now_ns() - t0;
	*end = (int64_t)(h[0].hi ^ BIAS);
	free(h);
	return dt / (double)holds;
}

static size_t next_inc;

static void hold(struct mc_engine *eng, void *ctx, uint64_t arg)
{
	(void)ctx;
	(void)arg;
	mc_engine_after(eng, inc[next_inc++ & (NINC - 1)], hold, NULL, 0);
}

static double engine_hold(size_t n, size_t holds, int64_t *end)
{
	struct mc_engine *e = mc_engine_new(n + 1);
	for (size_t i = 0; i < n; i++)
		mc_engine_schedule(e, prefill[i], hold, NULL, 0);
	next_inc = 0;
	double t0 = now_ns();
	for (size_t i = 0; i < holds; i++)
		mc_engine_step(e);
	double dt = now_ns() - t0;
	*end = mc_engine_next_time(e);
	mc_engine_free(e);
	return dt / (double)holds;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[n / 2];
}

int mc__bench_engine(int argc, char **argv)
{
	bool quick = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else {
			fprintf(stderr, "usage: mesocosm bench engine [--quick]\n");
			return 2;
		}
	}
	const size_t sizes[] = {1000, 100000, 1000000};
	const size_t holds = quick ? 100000 : 2000000;
	const int reps = quick ? 3 : 7;
	gsl_rng *rng = mc_rng_new(1, "bench/engine");
	for (size_t i = 0; i < NINC; i++)
		inc[i] = (int64_t)(gsl_ran_exponential(rng, MEAN) + 0.5);
	prefill = mc_xmalloc(sizes[2] * sizeof *prefill);

	printf("hold model: pop the earliest event, schedule one at now + Exp(1 s)\n");
	printf("%zu holds per run, median of %d interleaved runs; ratio = engine / bare heap\n\n",
	       holds, reps);
	printf("%10s %14s %14s %7s %14s\n", "pending", "engine ns/hold", "bare ns/hold", "ratio",
	       "textbook ns");
	bool all_same = true;
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		size_t n = sizes[s];
		for (size_t i = 0; i < n; i++)
			prefill[i] = (int64_t)(gsl_ran_exponential(rng, MEAN) + 0.5);
		double eng[MAXREPS], bare[MAXREPS], tb[MAXREPS];
		for (int r = 0; r < reps; r++) {
			int64_t end_e, end_b, end_t;
			eng[r] = engine_hold(n, holds, &end_e);
			bare[r] = bare_hold(n, holds, &end_b);
			tb[r] = textbook_hold(n, holds, &end_t);
			all_same &= end_e == end_b && end_b == end_t;
		}
		double e = median(eng, reps), b = median(bare, reps), t = median(tb, reps);
		printf("%10zu %14.1f %14.1f %7.2f %14.1f\n", n, e, b, e / b, t);
		fflush(stdout);
	}
	printf("\nsame final clock in all three: %s\n", all_same ? "yes" : "NO (bug)");
	printf("target: ratio <= 1.25 at every size\n");
	free(prefill);
	prefill = NULL;
	gsl_rng_free(rng);
	return all_same ? 0 : 1;
}
