/* SPDX-License-Identifier: MIT */
/*
 * The contract of a fuzz target (tests/fuzz/fuzz-NAME.c):
 *
 *	const char fuzz_name[] = "NAME";
 *	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
 *	{
 *		... feed data to the code under test, abort() on a broken
 *		invariant, return 0 ...
 *	}
 *
 * Built two ways (tests/fuzz/build.mk): with clang and libFuzzer for
 * `make fuzz`, and with tests/fuzz/replay.c as a plain program that `make
 * check` runs over the committed inputs, tests/fuzz/corpus/NAME and
 * tests/fuzz/regressions/NAME (every crash found becomes one).
 */
#ifndef VTRACE_TESTS_FUZZ_H
#define VTRACE_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern const char fuzz_name[];
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: called once before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken invariant: say which and crash, so both builds catch it. */
#define FUZZ_ASSERT(cond)                                                   \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n",  \
				__FILE__, __LINE__, #cond);                 \
			abort();                                            \
		}                                                           \
	} while (0)

#endif /* VTRACE_TESTS_FUZZ_H */
