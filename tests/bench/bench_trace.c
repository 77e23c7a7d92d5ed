/* bench_trace.c - placeholder for `mesocosm bench trace`; replaced by the benchmark. */
#include <stdio.h>

#include "tests/bench/bench.h"

int mc__bench_trace(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "mesocosm bench trace: not implemented yet\n");
	return 2;
}
