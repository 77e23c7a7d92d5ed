/* cmd_scenario.c - placeholder for `mesocosm scenario`; replaced by its implementation. */
#include <stdio.h>

#include "sim/cli.h"

int mc__cmd_scenario(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "mesocosm scenario: not implemented yet\n");
	return 2;
}
