/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "trace/backend.h"
#include "trace/control.h"
#include "trace/ctf-metadata.h"

static struct ring_session *session;

void trace_backend_sibling(const char *name, char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		snprintf(buf, len, "%s", name);
		return;
	}
	self[n] = '\0';
	snprintf(buf, len, "%s/%s", dirname(self), name);
}

int trace_backend_start(const struct trace_backend_opts *o)
{
	struct ring_session_params p = {
		.nvcpus = o->nvcpus,
		.nsys = o->nsys,
		.ring_kb = o->ring_kb ? o->ring_kb : CONFIG_RING_KB,
		.policy = o->policy,
	};
	struct trace_clock_info clk;
	char bin[PATH_MAX];
	int err;

	if (getrandom(p.uuid, sizeof(p.uuid), 0) != sizeof(p.uuid))
		return -EIO;
	p.uuid[6] = (p.uuid[6] & 0x0f) | 0x40;	/* RFC 4122 version 4 */
	p.uuid[8] = (p.uuid[8] & 0x3f) | 0x80;
	trace_clock_calibrate(&clk);
	p.metadata = trace_ctf_metadata(p.uuid, &clk, o->procname);
	if (!p.metadata)
		return -ENOMEM;
	if (o->consumer_socket) {
		err = ring_session_connect(o->consumer_socket, &p, &session);
		if (err)
			fprintf(stderr, "vtrace: cannot attach to the consumer at %s: %s\n",
				o->consumer_socket, strerror(-err));
	} else {
		if (o->consumer_bin)
			snprintf(bin, sizeof(bin), "%s", o->consumer_bin);
		else
			trace_backend_sibling("vtrace-consumer", bin, sizeof(bin));
		err = ring_session_spawn(bin, o->outdir, &p, &session);
		if (err)
			fprintf(stderr, "vtrace: cannot start the consumer %s: %s\n",
				bin, strerror(-err));
	}
	free((void *)p.metadata);
	if (err)
		return err;
	for (unsigned i = 0; i < trace_vcpu_count(); i++) {
		struct trace_vcpu *tv = trace_vcpu_get(i);

		if (tv)
			__atomic_store_n(&tv->ring, ring_session_vcpu(session, i),
					 __ATOMIC_RELEASE);
	}
	return 0;
}

struct ring_session *trace_backend_session(void)
{
	return session;
}

int trace_backend_flush(void)
{
	return session ? ring_session_flush(session, 30000) : -ENOTCONN;
}

int trace_backend_stop(void)
{
	int ret = ring_session_close(session);

	session = NULL;
	return ret;
}
