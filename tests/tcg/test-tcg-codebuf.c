/* SPDX-License-Identifier: MIT */
/*
 * The code buffer: both views show the same bytes, no page of it is
 * writable and executable at once, the bump allocator hands out aligned
 * space until it is full, and a reset makes all of it free again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tcg/codebuf.h"

/* The permissions /proc/self/maps shows for the mapping holding p. */
static int perms_of(const void *p, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;
	char line[512];
	int found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) != 3)
			continue;
		if ((unsigned long)p >= lo && (unsigned long)p < hi) {
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

static void test_codebuf_views_share_bytes_never_wx(void **state)
{
	struct tcg_codebuf cb;
	char perms[5];
	uint8_t *a;

	(void)state;
	assert_int_equal(tcg_codebuf_init(&cb, 1 << 20), 0);
	a = tcg_codebuf_alloc(&cb, 64);
	assert_non_null(a);
	memset(a, 0xc3, 64);
	assert_int_equal(((uint8_t *)tcg_codebuf_rx(&cb, a))[63], 0xc3);
	assert_ptr_equal(tcg_codebuf_rw(&cb, tcg_codebuf_rx(&cb, a)), a);
	assert_int_equal(perms_of(a, perms), 0);
	assert_string_equal(perms, "rw-s");
	assert_int_equal(perms_of(tcg_codebuf_rx(&cb, a), perms), 0);
	assert_string_equal(perms, "r-xs");
	tcg_codebuf_destroy(&cb);
}

static void test_codebuf_bump_until_full_then_reset(void **state)
{
	struct tcg_codebuf cb;
	uint8_t *a, *b;

	(void)state;
	assert_int_equal(tcg_codebuf_init(&cb, 8192), 0);
	a = tcg_codebuf_alloc(&cb, 4096);
	b = tcg_codebuf_alloc(&cb, 4080);
	assert_non_null(a);
	assert_ptr_equal(b, a + 4096);
	assert_null(tcg_codebuf_alloc(&cb, 32));
	assert_ptr_equal(tcg_codebuf_alloc(&cb, 16), a + 8176);
	assert_null(tcg_codebuf_alloc(&cb, 16));
	tcg_codebuf_reset(&cb);
	assert_ptr_equal(tcg_codebuf_alloc(&cb, 8192), a);
	tcg_codebuf_destroy(&cb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codebuf_views_share_bytes_never_wx),
		cmocka_unit_test(test_codebuf_bump_until_full_then_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
