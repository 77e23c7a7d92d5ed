/* bench_main.c - `mesocosm bench NAME [ARGS]`: dispatches to one benchmark. */
#include <stdio.h>
#include <string.h>

#include "sim/cli.h"
#include "tests/bench/bench.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} benches[] = {
	{"engine", mc__bench_engine, "event queue hold model vs a bare 4-ary heap"},
	{"alloc", mc__bench_alloc, "Mesos allocator benchmark scenarios"},
	{"replay", mc__bench_replay, "one simulated day of a 12,500-agent cell"},
	{"trace", mc__bench_trace, "trace conversion and native read rates"},
};

int mc__cmd_bench(int argc, char **argv)
{
	if (argc >= 2) {
		for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++)
			if (!strcmp(argv[1], benches[i].name))
				return benches[i].fn(argc - 1, argv + 1);
	}
	FILE *out = argc >= 2 && strcmp(argv[1], "--help") ? stderr : stdout;
	fprintf(out, "usage: mesocosm bench NAME [ARGS]\n\nbenchmarks:\n");
	for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++)
		fprintf(out, "  %-8s %s\n", benches[i].name, benches[i].summary);
	return out == stdout ? 0 : 2;
}
