/* unit.h: the small harness every CUnit suite shares. */
#ifndef CERTDESK_UNIT_H
#define CERTDESK_UNIT_H

#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

/*
 * UNIT_MAIN(register_fn): a main() that registers the suites through
 * register_fn, runs them verbosely and exits non-zero on any failure.
 */
#define UNIT_MAIN(register_fn)						\
int									\
main(void)								\
{									\
	unsigned	 failed;					\
									\
	if (CU_initialize_registry() != CUE_SUCCESS)			\
		return 2;						\
	register_fn();							\
	CU_basic_set_mode(CU_BRM_VERBOSE);				\
	CU_basic_run_tests();						\
	/* A suite whose setup failed ran nothing: that is a failure too. */ \
	failed = CU_get_number_of_failures() +				\
	    CU_get_number_of_tests_failed() +				\
	    CU_get_run_summary()->nSuitesFailed;			\
	printf("unit: %u passed, %u failed\n",				\
	    CU_get_number_of_tests_run() - CU_get_number_of_tests_failed(), \
	    CU_get_number_of_tests_failed());				\
	CU_cleanup_registry();						\
	return failed ? 1 : 0;						\
}

/* Adds a test to suite s, aborting the run if CUnit cannot. */
#define UNIT_ADD(s, fn) do {						\
	if (CU_add_test((s), #fn, (fn)) == NULL) {			\
		fprintf(stderr, "cannot add %s\n", #fn);		\
		exit(2);						\
	}								\
} while (0)

#endif
