/* cmd_run.c - placeholder for `mesocosm run`; replaced by its implementation. */
#include <stdio.h>

#include "sim/cli.h"

int mc__cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "mesocosm run: not implemented yet\n");
	return 2;
}
