/* bench_engine.c - placeholder for `mesocosm bench engine`; replaced by the benchmark. */
#include <stdio.h>

#include "tests/bench/bench.h"

int mc__bench_engine(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "mesocosm bench engine: not implemented yet\n");
	return 2;
}
