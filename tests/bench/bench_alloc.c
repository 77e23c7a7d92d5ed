/* bench_alloc.c - placeholder for `mesocosm bench alloc`; replaced by the benchmark. */
#include <stdio.h>

#include "tests/bench/bench.h"

int mc__bench_alloc(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "mesocosm bench alloc: not implemented yet\n");
	return 2;
}
