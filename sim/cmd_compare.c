/* cmd_compare.c - placeholder for `mesocosm compare`; replaced by its implementation. */
#include <stdio.h>

#include "sim/cli.h"

int mc__cmd_compare(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "mesocosm compare: not implemented yet\n");
	return 2;
}
