/* SPDX-License-Identifier: MIT */
/*
 * The trace backend of a program: one session at a time with a consumer,
 * started at start-up (-trace) or by `trace-file on`, stopped by
 * `trace-file off` or at exit.  Every registered vCPU gets its ring of the
 * session; other threads find a sys ring on their next event.  A session
 * that is switched off is retired, not unmapped at once: a vCPU may be in
 * the middle of a record in it.  It goes after its grace period (ring.h),
 * which the vCPUs end at their next block boundary.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/backend.h"
#include "trace/control.h"
#include "trace/ctf-metadata.h"

static struct ring_session *session;
static struct trace_backend_opts config;
static char outbase[PATH_MAX - 16];	/* the directory asked for */
static char outdir[PATH_MAX];		/* the one in use: outbase[.N] */
static char consumer_socket[PATH_MAX];
static uint64_t retired_drops;
static pthread_mutex_t backend_lock = PTHREAD_MUTEX_INITIALIZER;

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

void trace_backend_configure(const struct trace_backend_opts *o)
{
	pthread_mutex_lock(&backend_lock);
	config = *o;
	if (o->outdir)
		snprintf(outbase, sizeof(outbase), "%s", o->outdir);
	else
		snprintf(outbase, sizeof(outbase), "trace-%d", (int)getpid());
	snprintf(outdir, sizeof(outdir), "%s", outbase);
	consumer_socket[0] = '\0';
	if (o->consumer_socket)
		snprintf(consumer_socket, sizeof(consumer_socket), "%s",
			 o->consumer_socket);
	config.outdir = outdir;
	config.consumer_socket = consumer_socket[0] ? consumer_socket : NULL;
	pthread_mutex_unlock(&backend_lock);
}

static void assign_vcpu_rings(struct ring_session *s)
{
	for (unsigned i = 0; i < trace_vcpu_count(); i++) {
		struct trace_vcpu *tv = trace_vcpu_get(i);

		/* Pairs with the acquire in trace_vcpu_ring(); seq_cst for
		 * the recheck in ring_self_attach_slow(). */
		if (tv)
			__atomic_store_n(&tv->ring,
					 s ? ring_session_vcpu(s, i) : &ring_null_writer,
					 __ATOMIC_SEQ_CST);
	}
}

/* After a retirement: every vCPU passes a block boundary soon, so the
 * retired session's grace period ends; then free what is done. */
static void reclaim_retired(void)
{
	for (unsigned i = 0; i < trace_vcpu_count(); i++) {
		struct trace_vcpu *tv = trace_vcpu_get(i);

		if (tv && tv->boundary)
			tv->boundary(tv->kick_opaque);
	}
	ring_session_reap();
}

static void off_locked(void);

/*
 * Can the consumer make @dir its trace directory?  Only a directory that
 * does not exist yet in a writable directory: 0 or -errno (EEXIST,
 * ENAMETOOLONG past NAME_MAX, ENOTDIR, EACCES, ENOENT for the parent).
 */
static int check_new_dir(const char *dir)
{
	char parent[PATH_MAX], *slash;
	const char *name;
	struct stat st;

	if (lstat(dir, &st) == 0)
		return -EEXIST;
	if (errno != ENOENT)
		return -errno;
	snprintf(parent, sizeof(parent), "%s", dir);
	while ((slash = strrchr(parent, '/')) && slash != parent && !slash[1])
		*slash = '\0';		/* trailing slashes */
	slash = strrchr(parent, '/');
	name = slash ? slash + 1 : parent;
	if (strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	if (stat(parent, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return access(parent, W_OK | X_OK) ? -errno : 0;
}

/*
 * The directory of a new session: outbase itself while it does not exist,
 * else the first free outbase.1, outbase.2, ... (a session after the first
 * must not reuse a directory that holds a trace).  Something at outbase
 * that is not a directory (/dev/null) is refused.  0 or -errno.
 */
static int pick_fresh_outdir(void)
{
	struct stat st;
	int err;

	snprintf(outdir, sizeof(outdir), "%s", outbase);
	err = check_new_dir(outdir);
	if (err != -EEXIST)
		return err;
	if (stat(outbase, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	for (unsigned n = 1; n < 100000; n++) {
		snprintf(outdir, sizeof(outdir), "%s.%u", outbase, n);
		err = check_new_dir(outdir);
		if (err == -EEXIST)
			continue;
		if (!err)
			fprintf(stderr, "vtrace: %s holds a trace already; "
					"tracing into %s\n", outbase, outdir);
		return err;
	}
	return -EEXIST;
}

static int start_locked(void)
{
	struct ring_session_params p = {
		.nvcpus = config.nvcpus,
		.nsys = config.nsys,
		.ring_kb = config.ring_kb ? config.ring_kb : CONFIG_RING_KB,
		.policy = config.policy,
		.block_timeout_ms = config.block_timeout_ms,
	};
	struct trace_clock_info clk;
	char bin[PATH_MAX];
	int err;

	if (session) {
		if (ring_session_alive(session))
			return 0;
		/* The consumer died: `trace-file on` starts a new one. */
		off_locked();
	}
	if (getrandom(p.uuid, sizeof(p.uuid), 0) != sizeof(p.uuid))
		return -EIO;
	p.uuid[6] = (p.uuid[6] & 0x0f) | 0x40;	/* RFC 4122 version 4 */
	p.uuid[8] = (p.uuid[8] & 0x3f) | 0x80;
	trace_clock_calibrate(&clk);
	p.metadata = trace_ctf_metadata(p.uuid, &clk, config.procname);
	if (!p.metadata)
		return -ENOMEM;
	if (config.consumer_socket) {
		err = ring_session_connect(config.consumer_socket, &p, &session);
		if (err)
			fprintf(stderr, "vtrace: cannot attach to the consumer at %s: %s\n",
				config.consumer_socket, strerror(-err));
	} else {
		err = pick_fresh_outdir();
		if (err) {
			fprintf(stderr, "vtrace: cannot trace into %s: %s\n",
				outdir, strerror(-err));
			free((void *)p.metadata);
			return err;
		}
		if (config.consumer_bin)
			snprintf(bin, sizeof(bin), "%s", config.consumer_bin);
		else
			trace_backend_sibling("vtrace-consumer", bin, sizeof(bin));
		err = ring_session_spawn(bin, config.outdir, &p, &session);
		if (err)
			fprintf(stderr, "vtrace: cannot start the consumer %s: %s\n",
				bin, strerror(-err));
	}
	free((void *)p.metadata);
	if (err) {
		session = NULL;
		return err;
	}
	assign_vcpu_rings(session);
	return 0;
}

int trace_backend_start(const struct trace_backend_opts *o)
{
	int err;

	trace_backend_configure(o);
	pthread_mutex_lock(&backend_lock);
	err = start_locked();
	pthread_mutex_unlock(&backend_lock);
	return err;
}

int trace_backend_on(void)
{
	int err;

	pthread_mutex_lock(&backend_lock);
	err = start_locked();
	pthread_mutex_unlock(&backend_lock);
	return err;
}

static void off_locked(void)
{
	if (!session)
		return;
	assign_vcpu_rings(NULL);
	retired_drops += ring_session_retire(session);
	session = NULL;
	reclaim_retired();
}

void trace_backend_off(void)
{
	pthread_mutex_lock(&backend_lock);
	off_locked();
	pthread_mutex_unlock(&backend_lock);
}

int trace_backend_set_dir(const char *dir)
{
	struct stat st;
	int err = 0;

	pthread_mutex_lock(&backend_lock);
	if (!*dir || strlen(dir) >= sizeof(outbase)) {
		err = *dir ? -ENAMETOOLONG : -EINVAL;
		goto out;
	}
	/* Refused now, not at the next `on`: a path that is no directory,
	 * or one that cannot be created. */
	if (stat(dir, &st) == 0)
		err = S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	else
		err = check_new_dir(dir);
	if (err)
		goto out;
	snprintf(outbase, sizeof(outbase), "%s", dir);
	snprintf(outdir, sizeof(outdir), "%s", dir);
	config.outdir = outdir;
	/* A consumer started by hand owns its directory; we spawn our own
	 * from now on. */
	config.consumer_socket = NULL;
	if (session) {
		off_locked();
		err = start_locked();
	}
out:
	pthread_mutex_unlock(&backend_lock);
	return err;
}

struct ring_session *trace_backend_session(void)
{
	return session;
}

int trace_backend_flush(void)
{
	int err;

	pthread_mutex_lock(&backend_lock);
	err = session ? ring_session_flush(session, 30000) : -ENOTCONN;
	pthread_mutex_unlock(&backend_lock);
	return err;
}

uint64_t trace_backend_dropped(void)
{
	uint64_t d;

	pthread_mutex_lock(&backend_lock);
	d = retired_drops + (session ? ring_session_dropped(session) : 0);
	pthread_mutex_unlock(&backend_lock);
	return d;
}

void trace_backend_status(FILE *out)
{
	pthread_mutex_lock(&backend_lock);
	if (!session) {
		fprintf(out, "Trace file \"%s\" off\n", outdir[0] ? outdir : "-");
	} else if (config.consumer_socket) {
		fprintf(out, "Trace file on, consumer at %s, %llu events dropped\n",
			config.consumer_socket,
			(unsigned long long)ring_session_dropped(session));
	} else {
		fprintf(out, "Trace file \"%s\" on, consumer pid %d, %llu events dropped\n",
			outdir, (int)ring_session_consumer_pid(session),
			(unsigned long long)ring_session_dropped(session));
	}
	pthread_mutex_unlock(&backend_lock);
}

int trace_backend_stop(void)
{
	int ret;

	pthread_mutex_lock(&backend_lock);
	if (session)
		assign_vcpu_rings(NULL);
	ret = ring_session_close(session);
	session = NULL;
	reclaim_retired();
	pthread_mutex_unlock(&backend_lock);
	return ret;
}
