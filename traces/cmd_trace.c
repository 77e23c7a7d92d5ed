/* cmd_trace.c - placeholder for `mesocosm trace`; replaced by its implementation. */
#include <stdio.h>

#include "sim/cli.h"

int mc__cmd_trace(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "mesocosm trace: not implemented yet\n");
	return 2;
}
