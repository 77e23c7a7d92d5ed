/*
 * bench_trace.c - `mesocosm bench trace [--jobs N] [--dir DIR] [--keep]`:
 * the conversion rate of Google 2011 CSV (MB/s of uncompressed input, one
 * core; targets >= 100 MB/s) and the read rate of the native format
 * (records/s; target >= 20M/s). The input is generated first from the
 * "google2011" synthetic profile (N jobs, default 20000, about 770k tasks
 * and 170 MB of task_events CSV) into a temporary directory. Prints figures;
 * never passes or fails on a time. Times are CPU seconds of this process
 * (user + system), so a busy machine does not distort the rates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mesocosm/trace.h"
#include "tests/bench/bench.h"
#include "traces/trace_int.h"

/* CPU time of the process: the rates are "on one core", and CPU time is
 * not inflated when other work shares the machine. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long long file_size(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? (long long)st.st_size : 0;
}

int mc__bench_trace(int argc, char **argv)
{
	long long jobs = 20000;
	const char *dir = NULL;
	bool keep = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--jobs") && i + 1 < argc)
			jobs = atoll(argv[++i]);
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--keep"))
			keep = true;
		else {
			fprintf(stderr,
			        "usage: mesocosm bench trace [--jobs N] [--dir DIR] [--keep]\n");
			return 2;
		}
	}
	if (jobs < 1)
		jobs = 1;
	char tmpl[] = "/tmp/mc-bench-trace-XXXXXX";
	if (!dir) {
		dir = mkdtemp(tmpl);
		if (!dir) {
			perror("mkdtemp");
			return 1;
		}
	}
	char csvdir[4096], native[4096], tev[4200], mev[4200];
	snprintf(csvdir, sizeof csvdir, "%s/google2011", dir);
	snprintf(native, sizeof native, "%s/trace.msgpack", dir);
	snprintf(tev, sizeof tev, "%s/task_events/part-00000-of-00001.csv", csvdir);
	snprintf(mev, sizeof mev, "%s/machine_events/part-00000-of-00001.csv", csvdir);

	char err[600];
	struct mc_synth_params p;
	mc_synth_params_init(&p, "google2011", 1.0);
	p.jobs = jobs;
	struct mc_trace_reader *r;
	double t0 = now_s();
	int rc = mc_synth_open(&p, 1, &r, err, sizeof err);
	if (!rc)
		rc = mc__google2011_write(r, csvdir, 32, 131072, err, sizeof err);
	mc_trace_close(r);
	if (rc) {
		fprintf(stderr, "bench trace: %s\n", err);
		return 1;
	}
	double gen = now_s() - t0;
	long long in_bytes = file_size(tev) + file_size(mev);
	printf("input: %lld jobs of the google2011 profile, %.1f MB of Google 2011 CSV "
	       "(generated in %.2f s)\n",
	       jobs, (double)in_bytes / 1e6, gen);

	/* Warm the page cache, then parse only, then convert. */
	struct mc_trace_options o;
	mc_trace_options_init(&o);
	struct mc_trace_record rec;
	uint64_t nrec = 0;
	for (int pass = 0; pass < 2; pass++) {
		nrec = 0;
		t0 = now_s();
		rc = mc_trace_open(csvdir, MC_TFMT_GOOGLE2011, &o, &r, err, sizeof err);
		if (rc) {
			fprintf(stderr, "bench trace: %s\n", err);
			return 1;
		}
		while ((rc = mc_trace_next(r, &rec)) == 1)
			nrec++;
		if (rc < 0)
			fprintf(stderr, "bench trace: %s\n", mc_trace_error(r));
		mc_trace_close(r);
	}
	double parse = now_s() - t0;
	printf("google2011 parse only:   %8.1f MB/s  (%llu records in %.3f s)\n",
	       (double)in_bytes / 1e6 / parse, (unsigned long long)nrec, parse);

	t0 = now_s();
	rc = mc_trace_open(csvdir, MC_TFMT_GOOGLE2011, &o, &r, err, sizeof err);
	if (!rc)
		rc = mc_trace_convert(r, native, err, sizeof err);
	mc_trace_close(r);
	double conv = now_s() - t0;
	if (rc) {
		fprintf(stderr, "bench trace: %s\n", err);
		return 1;
	}
	printf("google2011 -> native:    %8.1f MB/s  (target >= 100 MB/s; %.3f s; output %.1f "
	       "MB)\n",
	       (double)in_bytes / 1e6 / conv, conv, (double)file_size(native) / 1e6);

	double best = 1e300;
	for (int pass = 0; pass < 3; pass++) {
		nrec = 0;
		t0 = now_s();
		rc = mc_trace_open(native, MC_TFMT_NATIVE, &o, &r, err, sizeof err);
		if (rc) {
			fprintf(stderr, "bench trace: %s\n", err);
			return 1;
		}
		while ((rc = mc_trace_next(r, &rec)) == 1)
			nrec++;
		mc_trace_close(r);
		double dt = now_s() - t0;
		if (dt < best)
			best = dt;
	}
	printf("native read:             %8.2f M records/s  (target >= 20 M/s; %llu records in "
	       "%.3f s, best of 3)\n",
	       (double)nrec / 1e6 / best, (unsigned long long)nrec, best);

	nrec = 0;
	mc_synth_params_init(&p, "google2011", 1.0);
	p.jobs = jobs;
	t0 = now_s();
	if (!mc_synth_open(&p, 1, &r, err, sizeof err)) {
		while (mc_trace_next(r, &rec) == 1)
			nrec++;
		mc_trace_close(r);
	}
	double syn = now_s() - t0;
	printf("synth stream:            %8.2f M records/s  (%llu records in %.3f s)\n",
	       (double)nrec / 1e6 / syn, (unsigned long long)nrec, syn);

	if (!keep) {
		unlink(tev);
		unlink(mev);
		unlink(native);
		char d[4300];
		snprintf(d, sizeof d, "%s/task_events", csvdir);
		rmdir(d);
		snprintf(d, sizeof d, "%s/machine_events", csvdir);
		rmdir(d);
		rmdir(csvdir);
		if (dir == tmpl)
			rmdir(dir);
	} else {
		printf("kept: %s\n", dir);
	}
	return 0;
}
