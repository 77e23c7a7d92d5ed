/*
 * cli.h - the subcommands of the `mesocosm` program. Each takes the
 * arguments after its name (argv[0] is the subcommand's name) and returns
 * the process exit status: 0 success, 1 a run or check failed, 2 bad usage
 * or bad input.
 */
#ifndef MC_SIM_CLI_H
#define MC_SIM_CLI_H

int mc__cmd_run(int argc, char **argv);      /* sim/cmd_run.c */
int mc__cmd_scenario(int argc, char **argv); /* sim/cmd_scenario.c */
int mc__cmd_trace(int argc, char **argv);    /* traces/cmd_trace.c */
int mc__cmd_compare(int argc, char **argv);  /* sim/cmd_compare.c */
int mc__cmd_bench(int argc, char **argv);    /* tests/bench/bench_main.c */
int mc__cmd_validate(int argc, char **argv); /* sim/cmd_validate.c */

#endif
