/*
 * main.c - the `mesocosm` program: dispatches to a subcommand. This is the
 * only file that may call exit().
 */
#include <stdio.h>
#include <string.h>

#include "sim/cli.h"

#ifndef MC_HAVE_BENCH
int mc__cmd_bench(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "mesocosm: built without benchmarks (configure with -DMC_BUILD_BENCH=ON)\n");
	return 2;
}
#endif

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
	{"run", mc__cmd_run, "run an experiment file and write a run directory"},
	{"scenario", mc__cmd_scenario, "run allocator/sorter scenario files"},
	{"trace", mc__cmd_trace, "convert, synthesise and describe workload traces"},
	{"compare", mc__cmd_compare, "compare the headline metrics of several runs"},
	{"bench", mc__cmd_bench, "run a benchmark (engine, alloc, replay, trace)"},
	{"validate", mc__cmd_validate, "run a validation experiment (mesos-ramp, agent-failure)"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: mesocosm COMMAND [ARGS...]\n"
		     "       mesocosm --help | --version\n\n"
		     "A discrete-event simulator of Apache Mesos style clusters.\n\n"
		     "commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`mesocosm COMMAND --help` describes one command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("mesocosm %s\n", MC_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "mesocosm: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
