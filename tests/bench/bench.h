/*
 * bench.h - the benchmarks behind `mesocosm bench NAME`. Each prints its
 * figures on stdout and returns an exit status. Benchmarks measure and
 * print; they never pass or fail on a time.
 */
#ifndef MC_BENCH_H
#define MC_BENCH_H

int mc__bench_engine(int argc, char **argv); /* tests/bench/bench_engine.c */
int mc__bench_alloc(int argc, char **argv);  /* tests/bench/bench_alloc.c */
int mc__bench_replay(int argc, char **argv); /* tests/bench/bench_replay.c */
int mc__bench_trace(int argc, char **argv);  /* tests/bench/bench_trace.c */

#endif
