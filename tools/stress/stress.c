/* SPDX-License-Identifier: MIT */
/*
 * vtrace-stress: a synthetic multi-threaded producer.
 *
 *   vtrace-stress -t THREADS -n EVENTS_PER_THREAD -p block|discard -o DIR
 *                 [--ring-kb K] [--mix] [--consumer SOCKET] [--seq-fd FD]
 *
 * It starts its own vtrace-consumer (or attaches to one with --consumer),
 * then each thread emits EVENTS_PER_THREAD events through the generated
 * API, with its thread index and a sequence number from 0.  With --mix,
 * some events take two slots (stress_wide, stress_string),
 * so packets get padded ends.  --seq-fd FD: every 2^16 events, thread 0
 * writes the last sequence number it published to FD (for crash tests).
 * The last line is "emitted=E dropped=D".
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"
#include "trace/backend.h"
#include "trace/control.h"

struct stress_thread {
	pthread_t thread;
	struct trace_vcpu tv;
	unsigned index;
};

static uint64_t events_per_thread;
static int mix;
static int seq_fd = -1;

static void report_seq(uint64_t seq)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%llu\n", (unsigned long long)seq);

	if (write(seq_fd, line, (size_t)n) < 0)
		seq_fd = -1;
}

static void *stress_main(void *arg)
{
	struct stress_thread *t = arg;
	uint32_t me = t->index;
	char msg[64];

	ring_thread_set_home(&t->tv.ring);
	ring_writer_bind_local_node(t->tv.ring);
	for (uint64_t seq = 0; seq < events_per_thread; seq++) {
		if (mix && (seq & 63) == 17) {
			snprintf(msg, sizeof(msg), "thread %u says hello #%llu", me,
				 (unsigned long long)seq);
			trace_stress_string(me, seq, msg);
		} else if (mix && (seq & 15) == 5) {
			trace_stress_wide(me, seq, seq * 3, seq + 1, seq + 2, seq + 3,
					  seq + 4);
		} else {
			trace_stress_event(me, seq);
		}
		if (seq_fd >= 0 && me == 0 && (seq & 0xffff) == 0xffff)
			report_seq(seq);
	}
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vtrace-stress -t THREADS -n EVENTS_PER_THREAD "
		"-p block|discard -o DIR [--ring-kb K] [--mix]\n"
		"                     [--consumer SOCKET] [--seq-fd FD]\n"
		"Producer threads that emit numbered events as fast as they can "
		"into their own\nrings, for the consumer to drain (the "
		"pipeline without an emulator).\n"
		"  -t THREADS          producer threads, one ring each "
		"(1 to %d, default 2)\n"
		"  -n EVENTS           events per thread (default 1000000)\n"
		"  -p block|discard    full ring: wait for the consumer, or "
		"drop and count\n"
		"  -o DIR              start a consumer writing the trace to DIR\n"
		"  --ring-kb K         ring size in KiB (default: Kconfig's)\n"
		"  --mix               mix 1- and 2-slot records\n"
		"  --consumer SOCKET   use a consumer already listening on "
		"SOCKET instead of -o\n"
		"  --seq-fd FD         write each thread-0 sequence number "
		"reached, now and then,\n"
		"                      as a line on FD (the crash tests read "
		"it)\n"
		"  --version           print the version and exit\n"
		"  -h, --help          this text\n"
		"\nexample:\n"
		"  vtrace-stress -t 2 -n 10000000 -p block -o /tmp/stress && "
		"vtrace report /tmp/stress\n",
		CONFIG_MAX_VCPUS);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ring-kb", required_argument, NULL, 'k' },
		{ "mix", no_argument, NULL, 'm' },
		{ "consumer", required_argument, NULL, 'c' },
		{ "seq-fd", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct trace_backend_opts o = {
		.procname = "vtrace-stress",
		.nsys = 1,
		.policy = RING_POLICY_DISCARD,
	};
	struct stress_thread *threads;
	unsigned nthreads = 2;
	uint64_t dropped;
	int c, status;

	events_per_thread = 1000000;
	while ((c = getopt_long(argc, argv, "t:n:p:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			nthreads = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			events_per_thread = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			if (strcmp(optarg, "block") == 0)
				o.policy = RING_POLICY_BLOCK;
			else if (strcmp(optarg, "discard") == 0)
				o.policy = RING_POLICY_DISCARD;
			else {
				fprintf(stderr, "vtrace-stress: -p %s: expected block or discard\n",
					optarg);
				return 1;
			}
			break;
		case 'o':
			o.outdir = optarg;
			break;
		case 'k':
			o.ring_kb = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'm':
			mix = 1;
			break;
		case 'c':
			o.consumer_socket = optarg;
			break;
		case 's':
			seq_fd = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vtrace-stress version " VTRACE_VERSION "\n");
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (nthreads == 0 || nthreads > CONFIG_MAX_VCPUS ||
	    (!o.outdir && !o.consumer_socket)) {
		usage(stderr);
		if (nthreads == 0 || nthreads > CONFIG_MAX_VCPUS)
			fprintf(stderr, "vtrace-stress: -t must be 1..%d\n",
				CONFIG_MAX_VCPUS);
		return 1;
	}
	o.nvcpus = nthreads;
	threads = calloc(nthreads, sizeof(*threads));
	if (!threads)
		return 1;
	for (unsigned i = 0; i < nthreads; i++) {
		threads[i].index = i;
		trace_vcpu_register(&threads[i].tv, i);
	}
	if (trace_event_set("stress_event", true, TRACE_ALL_VCPUS) < 0 ||
	    trace_event_set("stress_wide", true, TRACE_ALL_VCPUS) < 0 ||
	    trace_event_set("stress_string", true, TRACE_ALL_VCPUS) < 0)
		return 1;
	if (trace_backend_start(&o) < 0)
		return 1;
	for (unsigned i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i].thread, NULL, stress_main, &threads[i])) {
			fprintf(stderr, "vtrace-stress: cannot create thread %u\n", i);
			return 1;
		}
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(threads[i].thread, NULL);
	dropped = ring_session_dropped(trace_backend_session());
	status = trace_backend_stop();
	if (status != 0)
		fprintf(stderr, "vtrace-stress: the consumer exited with status %d\n",
			status);
	printf("emitted=%llu dropped=%llu\n",
	       (unsigned long long)(events_per_thread * nthreads),
	       (unsigned long long)dropped);
	free(threads);
	return status == 0 ? 0 : 1;
}
