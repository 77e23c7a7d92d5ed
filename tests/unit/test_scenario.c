/*
 * test_scenario.c - `mesocosm scenario` as a program: exit status 0 when
 * every expectation holds, 1 (with FILE:LINE: expected ... got ...) when one
 * does not, 2 (with FILE:LINE:COL) for an unknown key or step. Runs
 * MC_BINARY on the small files in tests/unit/data/scenario/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#define DATA MC_TEST_DATA_DIR "/unit/data/scenario/"

static char out[8192];

/* Runs the program on `files` (stdout+stderr into out); returns the exit status. */
static int run(const char *files)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "'%s' scenario %s 2>&1", MC_BINARY, files);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_a_passing_file_exits_zero_with_the_summary(void **state)
{
	(void)state;
	assert_int_equal(run(DATA "passing.yaml"), 0);
	assert_non_null(strstr(out, "1 passed, 0 failed\n"));
}

static void test_a_wrong_expectation_exits_one_and_names_the_line(void **state)
{
	(void)state;
	assert_int_equal(run(DATA "wrong_expectation.yaml"), 1);
	assert_non_null(strstr(out, "wrong_expectation.yaml:5: expected offers"));
	assert_non_null(strstr(out, "got [UNEXPECTED {f1 r a1 cpus:2;mem:1024}]"));
	assert_non_null(strstr(out, "0 passed, 1 failed\n"));
}

static void test_an_unknown_key_exits_two_with_line_and_column(void **state)
{
	(void)state;
	assert_int_equal(run(DATA "unknown_key.yaml"), 2);
	assert_non_null(strstr(out, "unknown_key.yaml:2:41: unknown key 'colour'"));
}

static void test_an_unknown_step_exits_two_with_line_and_column(void **state)
{
	(void)state;
	assert_int_equal(run(DATA "unknown_step.yaml"), 2);
	assert_non_null(strstr(out, "unknown_step.yaml:3:5: unknown allocator step 'teleport'"));
}

static void test_one_count_per_file_and_the_worst_status_wins(void **state)
{
	(void)state;
	assert_int_equal(run(DATA "passing.yaml " DATA "wrong_expectation.yaml " DATA "passing.yaml"), 1);
	assert_non_null(strstr(out, "2 passed, 1 failed\n"));
}

static void test_verbose_prints_offers_with_the_virtual_time(void **state)
{
	(void)state;
	assert_int_equal(run(DATA "passing.yaml -v"), 0);
	assert_non_null(strstr(out, "t=0.000s offer f1 role r agent a1: cpus:2;mem:1024"));
}

static void test_explain_prints_decision_records(void **state)
{
	(void)state;
	assert_int_equal(run(DATA "passing.yaml --explain"), 0);
	assert_non_null(strstr(out, "explain stage 2 agent a1 role r framework f1: offered"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_passing_file_exits_zero_with_the_summary),
	    cmocka_unit_test(test_a_wrong_expectation_exits_one_and_names_the_line),
	    cmocka_unit_test(test_an_unknown_key_exits_two_with_line_and_column),
	    cmocka_unit_test(test_an_unknown_step_exits_two_with_line_and_column),
	    cmocka_unit_test(test_one_count_per_file_and_the_worst_status_wins),
	    cmocka_unit_test(test_verbose_prints_offers_with_the_virtual_time),
	    cmocka_unit_test(test_explain_prints_decision_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
