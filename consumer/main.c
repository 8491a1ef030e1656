// SPDX-License-Identifier: MIT
/*
 * vtrace-consumer: options and the session loop.
 *
 *   vtrace-consumer -o DIR (--listen SOCKET_PATH | --fd N) [--quiet]
 *
 * One producer per process.  The loop: reap write completions (which
 * release tails), close every complete packet of every ring, submit, and
 * when there is nothing to do, announce that we sleep (consumer_sleeping,
 * pair C3/P3) and poll the socket, the eventfd, the io_uring fd, the
 * producer's pidfd and a signalfd, with a 100 ms safety timeout.
 *
 * FLUSH, BYE, a hang-up and the pidfd all end in the same drain: every
 * record published so far goes to disk, partial packets included, and
 * for FLUSH the reply is sent only once those writes have completed and
 * the stream files are fdatasync'ed.
 *
 * On stderr at the end (per-ring lines and the io_uring line not with
 * --quiet; rings with nothing to say are left out):
 *
 *   vtrace-consumer: ring           events    packets          bytes      dropped       lost
 *   vtrace-consumer: vcpu0            1100         24          98304            0          0
 *   vtrace-consumer: io_uring writes, O_DIRECT on 3 of 3 stream files, fixed buffers
 *   vtrace-consumer: ignored N bad control messages                (only then)
 *   vtrace-consumer: LOST N events in P packets to write errors     (only then)
 *   vtrace-consumer: N events, B bytes, D dropped, in DIR
 *
 * and while running on a TTY (not with --quiet), every 0.5 s:
 *
 *   vtrace-consumer: 12.82 Mevents/s 829.8 MB/s, 0 dropped, fill 49%
 *
 * VTRACE_NO_DIRECT=1 in the environment keeps stream files out of O_DIRECT
 * (for comparisons; CONFIG_O_DIRECT=n does the same at build time).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "consumer/consumer.h"
#include "consumer/consumer-internal.h"
#include "generated/autoconf.h"

#define POLL_TIMEOUT_MS 100
#define STATUS_INTERVAL_NS 500000000ull
#define NBOUNCE 32
#define MAX_BATCH 32		/* packets: 128 KiB per write */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int die(const char *what, int err)
{
	fprintf(stderr, CONS_NAME ": %s: %s\n", what, strerror(err));
	return 1;
}

/* ------------------------------------------------------------ drain */

static void drain_step(struct cons_ctx *ctx)
{
	unsigned i;

	cons_writer_reap(&ctx->w, false);
	for (i = 0; i < ctx->nrings; i++) {
		struct cons_ring *r = &ctx->rings[i];
		uint64_t head;

		if (!cons_ring_load_head(r, &head))
			cons_drain_ring(ctx, r, head, false);
	}
	cons_writer_submit(&ctx->w);
}

static bool work_ready(struct cons_ctx *ctx)
{
	unsigned i;

	/* With the queue full, the io_uring fd wakes us, not the rings. */
	if (!cons_writer_can_submit(&ctx->w))
		return false;
	for (i = 0; i < ctx->nrings; i++) {
		struct cons_ring *r = &ctx->rings[i];

		if (r->inflight < ctx->inflight_per_ring &&
		    cons_ring_has_work(r))
			return true;
	}
	return false;
}

/*
 * Put everything published up to now on disk, partial packets included,
 * and wait for it.  Returns 0 or -errno of the first failed stream.
 */
static int drain_everything(struct cons_ctx *ctx)
{
	uint64_t *limit = calloc(ctx->nrings, sizeof(*limit));
	bool more = true;
	unsigned i;
	int ret = 0;

	if (!limit)
		return -ENOMEM;
	for (i = 0; i < ctx->nrings; i++)
		if (cons_ring_load_head(&ctx->rings[i], &limit[i]))
			limit[i] = 0;
	while (more) {
		more = false;
		for (i = 0; i < ctx->nrings; i++)
			if (cons_drain_ring(ctx, &ctx->rings[i], limit[i],
					    true))
				more = true;
		cons_writer_submit(&ctx->w);
		if (more)
			cons_writer_reap(&ctx->w, true);
	}
	free(limit);
	cons_writer_drain_all(&ctx->w);
	for (i = 0; i < ctx->nrings; i++) {
		struct cons_stream *s = &ctx->rings[i].stream;

		if (s->fd >= 0 && fdatasync(s->fd) && !s->err)
			cons_stream_failed(s, ctx->dir, errno, s->off,
					   s->sub_events);
		if (s->err && !ret)
			ret = -s->err;
	}
	return ret;
}

/* The producer is gone: drain, write the final drop counts, close. */
static void finish_trace(struct cons_ctx *ctx)
{
	unsigned i;

	drain_everything(ctx);
	for (i = 0; i < ctx->nrings; i++) {
		struct cons_ring *r = &ctx->rings[i];

		if (r->rejected) {
			/* Keep the validated count only. */
			continue;
		}
		while (cons_ring_final(ctx, r) == -EAGAIN)
			cons_writer_reap(&ctx->w, true);
	}
	cons_writer_submit(&ctx->w);
	cons_writer_drain_all(&ctx->w);
	if (ctx->dirfd >= 0)
		cons_reserve_release(ctx->dirfd);
	for (i = 0; i < ctx->nrings; i++) {
		cons_ring_write_losses(&ctx->rings[i], ctx->dir);
		cons_stream_close(&ctx->rings[i].stream, ctx->dir);
	}
	if (ctx->dirfd >= 0)
		fsync(ctx->dirfd);
}

/* ------------------------------------------------------------ output */

struct totals {
	uint64_t events, packets, bytes, dropped, lost_events, lost_packets;
};

static void stream_totals(struct cons_ring *r, struct totals *t)
{
	struct cons_stream *s = &r->stream;

	memset(t, 0, sizeof(*t));
	if (s->err) {
		t->events = s->fail_ev_before;
		t->packets = s->fail_off / RING_PACKET_SIZE;
		t->lost_events = s->sub_events - s->fail_ev_before;
		t->lost_packets = s->sub_packets - t->packets;
	} else {
		t->events = s->sub_events;
		t->packets = s->sub_packets;
	}
	t->bytes = t->packets * RING_PACKET_SIZE;
	t->lost_events += s->lost_events;
	t->lost_packets += s->lost_packets;
	t->dropped = r->dropped;
}

static void summary(struct cons_ctx *ctx)
{
	struct totals all = { 0 }, t;
	unsigned i;

	if (!ctx->quiet)
		fprintf(stderr,
			CONS_NAME ": %-8s %12s %10s %14s %12s %10s\n", "ring",
			"events", "packets", "bytes", "dropped", "lost");
	for (i = 0; i < ctx->nrings; i++) {
		struct cons_ring *r = &ctx->rings[i];

		stream_totals(r, &t);
		all.events += t.events;
		all.packets += t.packets;
		all.bytes += t.bytes;
		all.dropped += t.dropped;
		all.lost_events += t.lost_events;
		all.lost_packets += t.lost_packets;
		if (ctx->quiet || (!t.packets && !t.dropped &&
				   !t.lost_packets && !r->rejected))
			continue;
		fprintf(stderr,
			CONS_NAME ": %-8s %12llu %10llu %14llu %12llu %10llu%s\n",
			r->stream.name, (unsigned long long)t.events,
			(unsigned long long)t.packets,
			(unsigned long long)t.bytes,
			(unsigned long long)t.dropped,
			(unsigned long long)t.lost_events,
			r->rejected ? "  (rejected)" : "");
	}
	if (!ctx->quiet) {
		unsigned files = 0, direct = 0;

		for (i = 0; i < ctx->nrings; i++) {
			files += ctx->rings[i].stream.sub_packets ||
				 ctx->rings[i].stream.err;
			direct += ctx->rings[i].stream.direct;
		}
		fprintf(stderr,
			CONS_NAME ": io_uring writes, O_DIRECT on %u of %u "
			"stream files, %s buffers\n",
			direct, files, ctx->w.fixed ? "fixed" : "plain");
	}
	if (ctx->bad_msgs)
		fprintf(stderr, CONS_NAME ": ignored %llu bad control messages\n",
			(unsigned long long)ctx->bad_msgs);
	if (all.lost_packets)
		fprintf(stderr,
			CONS_NAME ": LOST %llu events in %llu packets to write "
			"errors\n",
			(unsigned long long)all.lost_events,
			(unsigned long long)all.lost_packets);
	fprintf(stderr, CONS_NAME ": %llu events, %llu bytes, %llu dropped, in %s\n",
		(unsigned long long)all.events, (unsigned long long)all.bytes,
		(unsigned long long)all.dropped, ctx->dir);
}

struct status {
	uint64_t last_ns, last_events, last_bytes;
	bool shown;
};

static void status_line(struct cons_ctx *ctx, struct status *st, bool force)
{
	uint64_t now = now_ns(), events = 0, dropped = 0, fill = 0;
	double dt;
	unsigned i;

	if (!ctx->tty)
		return;
	if (!force && now - st->last_ns < STATUS_INTERVAL_NS)
		return;
	for (i = 0; i < ctx->nrings; i++) {
		struct cons_ring *r = &ctx->rings[i];
		uint64_t used = r->last_head - r->tail;

		events += r->stream.sub_events;
		dropped += __atomic_load_n(&r->ctl->dropped, __ATOMIC_RELAXED);
		if (used * 100 / r->capacity > fill)
			fill = used * 100 / r->capacity;
	}
	dt = (now - st->last_ns) / 1e9;
	if (st->last_ns && dt > 0)
		fprintf(stderr,
			"\r" CONS_NAME ": %.2f Mevents/s %.1f MB/s, %llu dropped, "
			"fill %llu%%\033[K",
			(events - st->last_events) / dt / 1e6,
			(ctx->w.bytes - st->last_bytes) / dt / 1e6,
			(unsigned long long)dropped, (unsigned long long)fill);
	st->shown = true;
	st->last_ns = now;
	st->last_events = events;
	st->last_bytes = ctx->w.bytes;
}

/* ------------------------------------------------------------ loop */

enum msg_result { MSG_OK, MSG_BYE, MSG_GONE };

static enum msg_result handle_message(struct cons_ctx *ctx)
{
	struct vt_msg m;
	ssize_t n;

	n = recv(ctx->sock, &m, sizeof(m), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return MSG_OK;
		return MSG_GONE;
	}
	if (n == 0)
		return MSG_GONE;
	if ((size_t)n < sizeof(m) || m.magic != VT_PROTO_MAGIC) {
		/* Reported once: a producer must not flood our stderr. */
		if (!ctx->bad_msgs++)
			fprintf(stderr, CONS_NAME ": ignoring a bad message "
				"(%zd bytes); later ones are only counted\n", n);
		return MSG_OK;
	}
	switch (m.type) {
	case VT_MSG_FLUSH:
		cons_send_msg(ctx->sock, VT_MSG_FLUSHED, m.seq,
			      drain_everything(ctx));
		return MSG_OK;
	case VT_MSG_BYE:
		return MSG_BYE;
	default:
		if (!ctx->bad_msgs++)
			fprintf(stderr, CONS_NAME ": ignoring message type %u; "
				"later bad messages are only counted\n", m.type);
		return MSG_OK;
	}
}

static void sleep_flags(struct cons_ctx *ctx, uint32_t v)
{
	unsigned i;

	for (i = 0; i < ctx->nrings; i++)
		if (!ctx->rings[i].rejected)
			__atomic_store_n(&ctx->rings[i].ctl->consumer_sleeping,
					 v, __ATOMIC_SEQ_CST);	/* C3 */
}

static void serve(struct cons_ctx *ctx)
{
	struct status st = { 0 };
	enum { P_SOCK, P_EFD, P_URING, P_SIG, P_PID, P_N };
	struct pollfd p[P_N] = {
		[P_SOCK] = { .fd = ctx->sock, .events = POLLIN },
		[P_EFD] = { .fd = ctx->efd, .events = POLLIN },
		[P_URING] = { .fd = ctx->w.uring.ring_fd, .events = POLLIN },
		[P_SIG] = { .fd = ctx->sigfd, .events = POLLIN },
		[P_PID] = { .fd = ctx->pidfd, .events = POLLIN },
	};

	for (;;) {
		int timeout = 0;

		drain_step(ctx);
		if (!ctx->quiet)
			status_line(ctx, &st, false);
		if (!work_ready(ctx)) {
			/* C3: seq_cst flag stores, then seq_cst head loads
			 * (work_ready()); pairs with the producer's seq_cst
			 * head update and flag load (P3): either it sees the
			 * flag and writes the eventfd, or we see its head
			 * here and do not sleep. */
			sleep_flags(ctx, 1);
			if (!work_ready(ctx))
				timeout = POLL_TIMEOUT_MS;
		}
		if (poll(p, P_N, timeout) < 0 && errno != EINTR)
			break;
		if (timeout)
			sleep_flags(ctx, 0);
		if (p[P_EFD].revents & POLLIN) {
			uint64_t v;

			if (read(ctx->efd, &v, sizeof(v)) < 0) {
				/* EAGAIN: someone else's wakeup, fine */
			}
		}
		if (p[P_SOCK].revents) {
			enum msg_result r = handle_message(ctx);

			if (r == MSG_BYE)
				break;
			if (r == MSG_GONE) {
				ctx->producer_gone = true;
				break;
			}
		}
		if (p[P_PID].revents & POLLIN) {
			ctx->producer_gone = true;
			break;
		}
		if (p[P_SIG].revents & POLLIN) {
			fprintf(stderr, "%s" CONS_NAME
				": signal: closing the trace\n",
				st.shown ? "\n" : "");
			st.shown = false;
			break;
		}
	}
	if (st.shown)
		fprintf(stderr, "\r\033[K");
}

/* ------------------------------------------------------------ setup */

static int setup_signals(struct cons_ctx *ctx)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);	/* a file size limit is EFBIG, not death */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	ctx->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return ctx->sigfd < 0 ? -errno : 0;
}

/* A pidfd on the producer, to notice its death even if something else
 * holds its end of the socket.  Only when HELLO's pid is the socket's
 * peer: a pid we cannot vouch for could end the session early. */
static int open_pidfd(int sock, uint32_t pid)
{
#ifdef SYS_pidfd_open
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (!pid || getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    cred.pid != (pid_t)pid)
		return -1;
	return (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
#else
	return -1;
#endif
}

int cons_run(const struct cons_options *opt)
{
	struct cons_ctx ctx = {
		.dir = opt->dir, .dirfd = -1, .sock = opt->sock_fd, .efd = -1,
		.pidfd = -1, .sigfd = -1, .live_fd = -1, .quiet = opt->quiet,
		.inflight_per_ring = CONFIG_URING_INFLIGHT_PER_RING,
	};
	char what[256];
	int err, ret = 1;

	ctx.tty = !opt->quiet && isatty(2);
	cons_dir_name = opt->dir;
	err = setup_signals(&ctx);
	if (err)
		return die("signals", -err);
	if (!opt->listen_path) {
		int type = 0;
		socklen_t len = sizeof(type);

		if (getsockopt(ctx.sock, SOL_SOCKET, SO_TYPE, &type, &len) ||
		    type != SOCK_SEQPACKET) {
			snprintf(what, sizeof(what),
				 "--fd %d is not a SOCK_SEQPACKET socket",
				 ctx.sock);
			return die(what, errno ? errno : EINVAL);
		}
		fcntl(ctx.sock, F_SETFD, FD_CLOEXEC);
	}
	err = cons_trace_dir(opt->dir, &ctx.dirfd);
	if (err) {
		snprintf(what, sizeof(what), "cannot use %s%s", opt->dir,
			 err == -ELOOP ? " (a symlink)" : "");
		return die(what, -err);
	}
	cons_dir_fd = ctx.dirfd;
	if (opt->listen_path) {
		err = cons_listen(opt->listen_path, ctx.sigfd, &ctx.sock);
		if (err == -EINTR) {
			fprintf(stderr, CONS_NAME ": interrupted while waiting "
				"for a producer on %s\n", opt->listen_path);
			close(ctx.dirfd);
			return 1;
		}
		if (err) {
			snprintf(what, sizeof(what), "cannot listen on %s",
				 opt->listen_path);
			return die(what, -err);
		}
	}
	err = cons_session_hello(&ctx);
	if (err) {
		ret = die("no valid HELLO from the producer", -err);
		goto out_sock;
	}
	err = cons_write_metadata(ctx.dirfd, ctx.metadata, ctx.metadata_len);
	if (err) {
		snprintf(what, sizeof(what), "cannot write %s/metadata",
			 opt->dir);
		ret = die(what, -err);
		cons_rings_send(&ctx, err);
		goto out_sock;
	}
	/* Held until the trace is closed; readers then know it is whole. */
	ctx.live_fd = cons_lock_live(ctx.dirfd);
	if (ctx.live_fd < 0 && !opt->quiet)
		fprintf(stderr, CONS_NAME ": cannot lock %s/metadata; readers "
			"will not know the trace is live\n", opt->dir);
	ctx.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ctx.efd < 0) {
		ret = die("eventfd", errno);
		goto out_sock;
	}
	err = cons_rings_create(&ctx, ctx.ring_kb);
	if (err) {
		ret = die("cannot create the rings", -err);
		cons_rings_send(&ctx, err);
		goto out_rings;
	}
	cons_reserve_create(ctx.dirfd, ctx.nrings);
	err = cons_writer_init(&ctx.w, CONFIG_URING_QD, NBOUNCE,
			       cons_ring_write_done);
	if (err) {
		ret = die("io_uring", -err);
		cons_rings_send(&ctx, err);
		goto out_rings;
	}
	cons_writer_register(&ctx.w, ctx.rings, ctx.nrings);
	/* Big writes for throughput, but never more than a quarter of a
	 * ring held by one write. */
	ctx.max_batch = ctx.rings[0].npackets / 4;
	if (ctx.max_batch > MAX_BATCH)
		ctx.max_batch = MAX_BATCH;
	err = cons_rings_send(&ctx, 0);
	if (err) {
		ret = die("cannot send the rings to the producer", -err);
		goto out_writer;
	}
	ctx.pidfd = open_pidfd(ctx.sock, ctx.pid);

	serve(&ctx);
	finish_trace(&ctx);
	summary(&ctx);
	ret = 0;
out_writer:
	cons_writer_exit(&ctx.w);
out_rings:
	cons_rings_destroy(&ctx);
	if (ctx.efd >= 0)
		close(ctx.efd);
	if (ctx.pidfd >= 0)
		close(ctx.pidfd);
out_sock:
	if (ctx.live_fd >= 0)
		close(ctx.live_fd);
	free(ctx.metadata);
	close(ctx.sock);
	if (ctx.sigfd >= 0)
		close(ctx.sigfd);
	close(ctx.dirfd);
	return ret;
}

/* ------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " CONS_NAME " -o DIR (--listen SOCKET_PATH | --fd N) "
		"[--quiet]\n"
		"Drains a producer's per-vCPU rings to DIR as CTF (babeltrace2 "
		"and vtrace read it).\n"
		"  -o, --output DIR      the trace directory (created; metadata "
		"and one stream\n"
		"                        file per ring)\n"
		"  --listen SOCKET_PATH  wait for one producer on this Unix "
		"socket (vtrace-emu\n"
		"                        -trace consumer=SOCKET_PATH, "
		"vtrace-stress --consumer)\n"
		"  --fd N                the producer's socket is already open "
		"as fd N (how\n"
		"                        vtrace-emu starts its own consumer)\n"
		"  -q, --quiet           no status line and no per-ring table "
		"at the end\n"
		"  --version             print the version and exit\n"
		"  -h, --help            this text\n"
		"\nexample:\n"
		"  " CONS_NAME " -o trace-boot --listen /tmp/vt.sock &\n"
		"  vtrace-emu -nographic -kernel build/kernel-lite.elf "
		"-trace 'cpu_*',consumer=/tmp/vt.sock\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "listen", required_argument, NULL, 'l' },
		{ "fd", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cons_options opt = { .sock_fd = -1 };
	char *end;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opt.dir = optarg;
			break;
		case 'l':
			opt.listen_path = optarg;
			break;
		case 'f':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 0 || v > 1 << 20) {
				fprintf(stderr, CONS_NAME ": bad --fd %s\n",
					optarg);
				return 1;
			}
			opt.sock_fd = (int)v;
			break;
		case 'q':
			opt.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf(CONS_NAME " version " VTRACE_VERSION "\n");
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (!opt.dir || optind != argc ||
	    !!opt.listen_path == (opt.sock_fd >= 0)) {
		usage(stderr);
		return 1;
	}
	return cons_run(&opt);
}
