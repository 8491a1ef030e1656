/* SPDX-License-Identifier: MIT */
/* Unit tests of trace/control.c: lookup, globs, vCPU masks, counters and
 * the events file, against the small event group in tests/trace. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "trace.h"
#include "trace/control.h"

static struct trace_vcpu vcpus[3];
static int kicks[3];

static void kick(void *opaque)
{
	kicks[(struct trace_vcpu *)opaque - vcpus]++;
}

static int setup(void **state)
{
	static int registered;

	trace_control_reset();
	if (!registered) {
		for (unsigned i = 0; i < 3; i++) {
			vcpus[i].kick = kick;
			vcpus[i].kick_opaque = &vcpus[i];
			trace_vcpu_register(&vcpus[i], i);
		}
		registered = 1;
	}
	for (unsigned i = 0; i < 3; i++) {
		trace_vcpu_sync(&vcpus[i]);
		kicks[i] = 0;
	}
	return 0;
}

static void test_control_lookup_by_name(void **state)
{
	assert_non_null(trace_event_find("plain_a"));
	assert_int_equal(trace_event_find("vcpu_b")->id, TRACE_VCPU_B);
	assert_null(trace_event_find("plain"));
	assert_true(trace_event_is_vcpu(trace_event_find("tcg_a")));
	assert_false(trace_event_is_vcpu(trace_event_find("plain_b")));
}

static void test_control_glob_enables_matching_events(void **state)
{
	assert_int_equal(trace_event_set("plain_*", true, TRACE_ALL_VCPUS), 2);
	assert_true(trace_event_get(trace_event_find("plain_a"), -1));
	assert_true(trace_event_get(trace_event_find("plain_b"), -1));
	assert_false(trace_event_get(trace_event_find("vcpu_a"), -1));
	assert_int_equal(trace_events_enabled_count, 2);
	assert_int_equal(_TRACE_PLAIN_A_DSTATE, 1);
	/* enabling twice changes nothing */
	assert_int_equal(trace_event_set("plain_a", true, TRACE_ALL_VCPUS), 1);
	assert_int_equal(trace_events_enabled_count, 2);
	assert_int_equal(trace_event_set("plain_?", false, TRACE_ALL_VCPUS), 2);
	assert_int_equal(trace_events_enabled_count, 0);
}

static void test_control_glob_matching_nothing_is_zero(void **state)
{
	assert_int_equal(trace_event_set("nothing_*", true, TRACE_ALL_VCPUS), 0);
	assert_int_equal(trace_events_enabled_count, 0);
}

static void test_control_errors(void **state)
{
	assert_int_equal(trace_event_set("no_such_event", true, -1), -ENOENT);
	assert_int_equal(trace_event_set("off_a", true, -1), -EPERM);
	assert_int_equal(trace_event_set("plain_a", true, 1), -EINVAL);
	assert_int_equal(trace_event_set("vcpu_a", true, 7), -EINVAL);
	assert_int_equal(trace_events_enabled_count, 0);
	/* a glob over compiled-out events skips them */
	assert_int_equal(trace_event_set("off_*", true, -1), 0);
}

static void test_control_vcpu_mask_one_vcpu_only(void **state)
{
	struct trace_event *ev = trace_event_find("vcpu_a");

	assert_int_equal(trace_event_set("vcpu_a", true, 1), 1);
	assert_int_equal(vcpus[0].mask, 0);
	assert_int_equal(vcpus[1].mask, TRACE_VCPU_A_VCPU_BIT);
	assert_int_equal(vcpus[2].mask, 0);
	assert_int_equal(*ev->dstate, 1);
	assert_int_equal(trace_events_enabled_count, 1);
	assert_true(trace_event_get(ev, 1));
	assert_false(trace_event_get(ev, 0));
	assert_true(trace_event_get(ev, -1));
	/* not a tcg event: no kick, no jump-cache flush */
	assert_int_equal(kicks[1], 0);
	assert_int_equal(vcpus[1].tcg_dirty, 0);
}

static void test_control_vcpu_global_counts_pairs(void **state)
{
	assert_int_equal(trace_event_set("vcpu_*", true, TRACE_ALL_VCPUS), 2);
	assert_int_equal(trace_events_enabled_count, 6);
	assert_int_equal(_TRACE_VCPU_A_DSTATE, 3);
	assert_int_equal(trace_event_set("vcpu_b", false, 2), 1);
	assert_int_equal(trace_events_enabled_count, 5);
	assert_int_equal(_TRACE_VCPU_B_DSTATE, 2);
	assert_int_equal(vcpus[2].mask, TRACE_VCPU_A_VCPU_BIT);
	/* a vCPU given: globs skip non-vcpu events */
	assert_int_equal(trace_event_set("*", false, 0), 3);
	assert_int_equal(vcpus[0].mask, 0);
	assert_int_equal(trace_events_enabled_count, 3);
}

static void test_control_tcg_change_waits_for_block_boundary(void **state)
{
	assert_int_equal(trace_event_set("tcg_a", true, 2), 1);
	/* the live mask changed, the translator's copy not yet */
	assert_int_equal(vcpus[2].mask, TRACE_TCG_A_VCPU_BIT);
	assert_int_equal(vcpus[2].tcg_mask, 0);
	assert_int_equal(vcpus[2].tcg_dirty, 1);
	assert_int_equal(kicks[2], 1);
	assert_int_equal(kicks[0] + kicks[1], 0);
	assert_false(trace_tcg_a_trans(&vcpus[2]));
	/* at the block boundary */
	assert_true(trace_vcpu_sync(&vcpus[2]));
	assert_true(trace_tcg_a_trans(&vcpus[2]));
	assert_false(trace_tcg_a_trans(&vcpus[0]));
	assert_int_equal(vcpus[2].tcg_mask & TRACE_TCG_MASK, TRACE_TCG_A_VCPU_BIT);
	assert_false(trace_vcpu_sync(&vcpus[2]));
}

static void test_control_late_vcpu_inherits_global_state(void **state)
{
	static struct trace_vcpu late;

	assert_int_equal(trace_event_set("vcpu_b", true, TRACE_ALL_VCPUS), 1);
	trace_vcpu_register(&late, 3);
	assert_int_equal(late.mask, TRACE_VCPU_B_VCPU_BIT);
	assert_int_equal(_TRACE_VCPU_B_DSTATE, 4);
	assert_int_equal(trace_events_enabled_count, 4);
	trace_control_reset();
	assert_int_equal(late.mask, 0);
	assert_int_equal(trace_events_enabled_count, 0);
}

static void test_events_file_parse_line(void **state)
{
	char l1[] = "  plain_*  \n", l2[] = "-vcpu_a\n", l3[] = "# comment\n",
	     l4[] = "   \n", l5[] = "- \n";
	const char *glob;
	bool on;

	assert_int_equal(trace_events_parse_line(l1, &glob, &on), 1);
	assert_string_equal(glob, "plain_*");
	assert_true(on);
	assert_int_equal(trace_events_parse_line(l2, &glob, &on), 1);
	assert_string_equal(glob, "vcpu_a");
	assert_false(on);
	assert_int_equal(trace_events_parse_line(l3, &glob, &on), 0);
	assert_int_equal(trace_events_parse_line(l4, &glob, &on), 0);
	assert_int_equal(trace_events_parse_line(l5, &glob, &on), 0);
}

static void test_events_file_apply(void **state)
{
	char path[] = "/tmp/vtrace-events-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w"), *err;
	char *msgs = NULL;
	size_t len = 0;

	fputs("# enable all vcpu events but one\nvcpu_*\n-vcpu_b\n\nplain_b\n"
	      "no_such_event\noff_a\n", f);
	fclose(f);
	err = open_memstream(&msgs, &len);
	assert_int_equal(trace_events_file_apply(path, err), 2);
	fclose(err);
	assert_non_null(strstr(msgs, ":6: trace event 'no_such_event' does not exist"));
	assert_non_null(strstr(msgs, ":7: trace event 'off_a' is not traceable"));
	assert_true(trace_event_get(trace_event_find("vcpu_a"), 0));
	assert_false(trace_event_get(trace_event_find("vcpu_b"), -1));
	assert_true(trace_event_get(trace_event_find("plain_b"), -1));
	assert_false(trace_event_get(trace_event_find("plain_a"), -1));
	assert_int_equal(trace_events_file_apply("/nonexistent/events", stderr), -ENOENT);
	free(msgs);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_control_lookup_by_name, setup),
		cmocka_unit_test_setup(test_control_glob_enables_matching_events, setup),
		cmocka_unit_test_setup(test_control_glob_matching_nothing_is_zero, setup),
		cmocka_unit_test_setup(test_control_errors, setup),
		cmocka_unit_test_setup(test_control_vcpu_mask_one_vcpu_only, setup),
		cmocka_unit_test_setup(test_control_vcpu_global_counts_pairs, setup),
		cmocka_unit_test_setup(test_control_tcg_change_waits_for_block_boundary, setup),
		cmocka_unit_test_setup(test_control_late_vcpu_inherits_global_state, setup),
		cmocka_unit_test_setup(test_events_file_parse_line, setup),
		cmocka_unit_test_setup(test_events_file_apply, setup),
	};

	return cmocka_run_group_tests_name("trace-control", tests, NULL, NULL);
}
