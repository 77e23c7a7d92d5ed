/* bench_replay.c - placeholder for `mesocosm bench replay`; replaced by the benchmark. */
#include <stdio.h>

#include "tests/bench/bench.h"

int mc__bench_replay(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "mesocosm bench replay: not implemented yet\n");
	return 2;
}
