/* SPDX-License-Identifier: MIT */
/* Unit tests of trace/control.c: lookup, globs, vCPU masks, counters and
 * the events file, against the small event group in tests/trace. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "trace.h"
#include "trace/control.h"
#include "trace/hmp.h"
#include "trace/options.h"

static struct trace_vcpu vcpus[3];
static int kicks[3];
static uint64_t kicked_mask[3];	/* the mask each vCPU's last kick saw */

static void kick(void *opaque)
{
	struct trace_vcpu *tv = opaque;

	kicks[tv - vcpus]++;
	kicked_mask[tv - vcpus] = tv->mask;
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
		kicks[i] = 0;
		kicked_mask[i] = 0;
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
}

static void test_control_vcpu_global_counts_pairs(void **state)
{
	assert_int_equal(trace_event_set("vcpu_*", true, TRACE_ALL_VCPUS), 2);
	assert_int_equal(trace_events_enabled_count, 6);
	assert_int_equal(_TRACE_VCPU_A_DSTATE, 3);
	assert_int_equal(trace_event_set("vcpu_b", false, 2), 1);
	assert_int_equal(trace_events_enabled_count, 2 + trace_vcpu_count());
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
	/* the translator is handed the new mask through the kick, which
	 * applies it at the vCPU's next block boundary (tcg/cpu.c) */
	assert_int_equal(vcpus[2].mask, TRACE_TCG_A_VCPU_BIT);
	assert_int_equal(kicks[2], 1);
	assert_int_equal(kicked_mask[2] & TRACE_TCG_MASK, TRACE_TCG_A_VCPU_BIT);
	assert_int_equal(kicks[0] + kicks[1], 0);
	/* every tcg change kicks with the whole mask: none is lost */
	assert_int_equal(trace_event_set("tcg_*", false, TRACE_ALL_VCPUS), 1);
	assert_int_equal(kicks[2], 2);
	assert_int_equal(kicked_mask[2] & TRACE_TCG_MASK, 0);
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

/* Run @fn with the words of @line, return what it printed. */
static char *hmp(int (*fn)(int, char **, FILE *), const char *line, int *ret)
{
	char *copy = strdup(line), *argv[16], *text = NULL, *save = NULL;
	size_t len = 0;
	int argc = 0;
	FILE *out = open_memstream(&text, &len);

	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	*ret = fn(argc, argv, out);
	fclose(out);
	free(copy);
	return text;
}

static void test_hmp_info_trace_events_format(void **state)
{
	int ret;
	char *text;

	trace_event_set("vcpu_a", true, 2);
	text = hmp(trace_hmp_info_events, "vcpu_*", &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(text, "vcpu_a : state 1 vcpus 2\nvcpu_b : state 0\n");
	free(text);
	text = hmp(trace_hmp_info_events, "vcpu 1", &ret);
	assert_string_equal(text, "vcpu_a : state 0\nvcpu_b : state 0\ntcg_a : state 0\n");
	free(text);
	text = hmp(trace_hmp_info_events, "off_a", &ret);
	assert_string_equal(text, "off_a : state 0 (compiled out)\n");
	free(text);
	text = hmp(trace_hmp_info_events, "* vcpu 9", &ret);
	assert_int_equal(ret, -1);
	assert_non_null(strstr(text, "error: invalid vCPU index 9"));
	free(text);
}

static void test_hmp_trace_event_on_one_vcpu(void **state)
{
	int ret;
	char *text = hmp(trace_hmp_trace_event, "vcpu_b on vcpu 1", &ret);

	assert_int_equal(ret, 0);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(vcpus[1].mask, TRACE_VCPU_B_VCPU_BIT);
	assert_int_equal(vcpus[0].mask | vcpus[2].mask, 0);
}

static void test_hmp_bad_input_changes_nothing(void **state)
{
	static const char *bad[] = {
		"nosuch on", "vcpu_a maybe", "vcpu_a on vcpu", "vcpu_a on vcpu x",
		"vcpu_a on vcpu -1", "vcpu_a on vcpu 9", "plain_a on vcpu 0",
		"off_a on", "vcpu_a on cpu 1", "",
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret;
		char *text = hmp(trace_hmp_trace_event, bad[i], &ret);

		assert_int_equal(ret, -1);
		assert_int_equal(strncmp(text, "error: ", 7), 0);
		assert_non_null(strchr(text, '\n'));
		assert_int_equal(strchr(text, '\n')[1], '\0');	/* one line */
		free(text);
		assert_int_equal(trace_events_enabled_count, 0);
	}
}

static void test_cmdline_keys_and_errors(void **state)
{
	struct trace_cmdline tc = { 0 };
	char *msgs = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&msgs, &len);

	assert_int_equal(trace_cmdline_parse(&tc, "plain_*", err), 0);
	assert_true(tc.requested);
	assert_int_equal(trace_events_enabled_count, 2);
	assert_int_equal(trace_cmdline_parse(&tc, "enable=vcpu_a,file=out/dir,"
					     "policy=block,consumer=/tmp/s", err), 0);
	assert_string_equal(tc.backend.outdir, "out/dir");
	assert_string_equal(tc.backend.consumer_socket, "/tmp/s");
	assert_int_equal(tc.backend.policy, RING_POLICY_BLOCK);
	assert_int_equal(trace_events_enabled_count, 2 + trace_vcpu_count());
	assert_int_equal(trace_cmdline_parse(&tc, "enable=zzz*", err), 0);
	assert_int_equal(trace_cmdline_parse(&tc, "help", err), 0);
	assert_true(tc.help);
	assert_int_equal(trace_cmdline_parse(&tc, "bogus=1", err), -1);
	assert_int_equal(trace_cmdline_parse(&tc, "policy=sometimes", err), -1);
	assert_int_equal(trace_cmdline_parse(&tc, "events=/nonexistent/ev", err), -1);
	assert_int_equal(trace_cmdline_parse(&tc, "plain_a,novalue", err), -1);
	assert_int_equal(trace_cmdline_parse(&tc, "", err), -1);
	assert_int_equal(trace_cmdline_parse(&tc, "ring=64", err), 0);
	assert_int_equal(tc.backend.ring_kb, 64);
	assert_int_equal(trace_cmdline_parse(&tc, "ring=0", err), -1);
	assert_int_equal(trace_cmdline_parse(&tc, "ring=4M", err), -1);
	assert_int_equal(trace_cmdline_parse(&tc, "ring=", err), -1);
	assert_int_equal(tc.backend.ring_kb, 64);
	fclose(err);
	assert_non_null(strstr(msgs, "warning: -trace enable=zzz*: matches no trace event"));
	assert_non_null(strstr(msgs, "error: -trace bogus=1: unknown key 'bogus'"));
	assert_non_null(strstr(msgs, "error: -trace policy=sometimes"));
	assert_non_null(strstr(msgs, "error: -trace ring=4M: expected KiB per ring"));
	assert_non_null(strstr(msgs, "error: -trace events=/nonexistent/ev: cannot read"));
	free(msgs);
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
		cmocka_unit_test_setup(test_hmp_info_trace_events_format, setup),
		cmocka_unit_test_setup(test_hmp_trace_event_on_one_vcpu, setup),
		cmocka_unit_test_setup(test_hmp_bad_input_changes_nothing, setup),
		cmocka_unit_test_setup(test_cmdline_keys_and_errors, setup),
	};

	return cmocka_run_group_tests_name("trace-control", tests, NULL, NULL);
}
