/* SPDX-License-Identifier: MIT */
/*
 * Producer side of the session protocol (ring/session-proto.h).
 *
 * The consumer creates the rings and hands us their memfds; we map them
 * and build one process-local struct ring_writer per ring.  vCPU rings
 * come first, then the sys rings that threads take on first use.  The
 * session never blocks a writer for good: if the consumer hangs up, the
 * writers stop waiting and count their events as dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <numa.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "generated/autoconf.h"
#include "ring/ring-internal.h"
#include "ring/session-proto.h"

struct ring_session {
	int sock;
	int eventfd;
	pid_t child;			/* spawned consumer, or 0 */
	unsigned nrings;
	unsigned nvcpus;
	uint64_t ring_bytes;
	unsigned block_timeout_ms;
	uint32_t next_seq;
	unsigned next_sys;		/* atomically taken by threads */
	int gone;			/* consumer hang-up seen */
	int retiring;			/* we said BYE: a hang-up is expected */
	enum ring_policy policy;
	int timeout_reported;
	struct ring_writer *writers;
	void **maps;
	pthread_t watcher;
	int watching;			/* the watcher thread runs or ran */
	int watcher_done;		/* it returned: join it */
	uint64_t grace_epoch;		/* retired at this epoch */
	struct ring_session *retired_next;
};

static struct ring_session *current_session;

static int send_hello(int sock, const struct ring_session_params *p)
{
	struct vt_hello h = {
		.msg = { .magic = VT_PROTO_MAGIC, .type = VT_MSG_HELLO },
		.version = VT_PROTO_VERSION,
		.pid = (uint32_t)getpid(),
		.nvcpus = p->nvcpus,
		.nsys = p->nsys,
		.ring_kb = p->ring_kb,
		.policy = p->policy,
		.metadata_len = (uint32_t)strlen(p->metadata),
	};
	struct iovec iov[2] = {
		{ &h, sizeof(h) },
		{ (void *)p->metadata, h.metadata_len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	memcpy(h.uuid, p->uuid, sizeof(h.uuid));
	if (h.metadata_len > VT_METADATA_MAX)
		return -E2BIG;
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

/* Wait up to @timeout_ms for a message; 0, -ETIMEDOUT or -EPIPE. */
static int recv_msg(int sock, void *buf, size_t len, int *fds, unsigned *nfds,
		    int timeout_ms)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * (VT_MAX_RINGS + 1))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	ssize_t n;

	if (fds) {
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
	}
	n = poll(&pfd, 1, timeout_ms);
	if (n == 0)
		return -ETIMEDOUT;
	if (n < 0)
		return -errno;
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	if ((size_t)n < sizeof(struct vt_msg))
		return -EPROTO;
	if (fds) {
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

		*nfds = 0;
		if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			*nfds = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(c), *nfds * sizeof(int));
		}
	}
	return 0;
}

static int map_rings(struct ring_session *s, const struct vt_rings *r,
		     const int *fds, unsigned nfds, const struct ring_session_params *p)
{
	if (r->msg.status < 0)
		return r->msg.status;
	if (r->nrings != p->nvcpus + p->nsys || nfds != r->nrings + 1 ||
	    r->ring_bytes < RING_CTL_SIZE + RING_MIN_PACKETS * RING_PACKET_SIZE)
		return -EPROTO;
	s->eventfd = fds[0];
	s->nrings = r->nrings;
	s->ring_bytes = r->ring_bytes;
	s->writers = calloc(s->nrings, sizeof(*s->writers));
	s->maps = calloc(s->nrings, sizeof(*s->maps));
	if (!s->writers || !s->maps)
		return -ENOMEM;
	for (unsigned i = 0; i < s->nrings; i++) {
		void *m = mmap(NULL, s->ring_bytes, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fds[i + 1], 0);
		int err;

		close(fds[i + 1]);
		if (m == MAP_FAILED)
			return -errno;
		s->maps[i] = m;
		err = ring_writer_init(&s->writers[i], m, s->ring_bytes, p->policy,
				       i, s);
		if (err)
			return err;
	}
	return 0;
}

static int handshake(struct ring_session *s, const struct ring_session_params *p)
{
	struct vt_rings r;
	int fds[VT_MAX_RINGS + 1];
	unsigned nfds = 0;
	int err;

	if (p->nvcpus + p->nsys == 0 || p->nvcpus + p->nsys > VT_MAX_RINGS)
		return -EINVAL;
	err = send_hello(s->sock, p);
	if (err)
		return err;
	memset(&r, 0, sizeof(r));
	err = recv_msg(s->sock, &r, sizeof(r), fds, &nfds, 10000);
	if (!err && (r.msg.magic != VT_PROTO_MAGIC || r.msg.type != VT_MSG_RINGS))
		err = -EPROTO;
	if (err) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		return err;
	}
	return map_rings(s, &r, fds, nfds, p);
}

static struct ring_session *session_new(int sock, const struct ring_session_params *p)
{
	struct ring_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->sock = sock;
	s->eventfd = -1;
	s->nvcpus = p->nvcpus;
	s->policy = p->policy;
	s->block_timeout_ms = p->block_timeout_ms ? p->block_timeout_ms
						   : CONFIG_BLOCK_TIMEOUT_MS;
	return s;
}

static void session_free(struct ring_session *s)
{
	if (s->watching)
		pthread_join(s->watcher, NULL);
	for (unsigned i = 0; s->maps && i < s->nrings; i++)
		if (s->maps[i])
			munmap(s->maps[i], s->ring_bytes);
	free(s->maps);
	free(s->writers);
	if (s->eventfd >= 0)
		close(s->eventfd);
	if (s->sock >= 0)
		close(s->sock);
	free(s);
}

/*
 * Waits for the consumer to hang up, so its death is reported when it
 * happens (under discard no writer would ever ask), not at exit.  poll with
 * no events wakes only on hang-up or error; the thread then ends.
 */
static void *watch_consumer(void *arg)
{
	struct ring_session *s = arg;
	struct pollfd pfd = { .fd = s->sock, .events = 0 };

	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	if (!__atomic_load_n(&s->retiring, __ATOMIC_ACQUIRE))
		ring_session_consumer_gone(s);
	/* Pairs with the acquire in ring_session_reap(). */
	__atomic_store_n(&s->watcher_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int session_start(struct ring_session *s, const struct ring_session_params *p,
			 struct ring_session **out)
{
	int err = handshake(s, p);

	if (err) {
		if (s->child > 0) {
			kill(s->child, SIGTERM);
			waitpid(s->child, NULL, 0);
		}
		session_free(s);
		return err;
	}
	/* seq_cst: see ring_self_attach_slow(). */
	__atomic_store_n(&current_session, s, __ATOMIC_SEQ_CST);
	/* Every thread looks its writer up again on its next event. */
	ring_self_reset_all();
	if (pthread_create(&s->watcher, NULL, watch_consumer, s) == 0)
		s->watching = 1;
	*out = s;
	return 0;
}

int ring_session_connect(const char *path, const struct ring_session_params *p,
			 struct ring_session **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ring_session *s;
	int sock;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(sock);
		return err;
	}
	s = session_new(sock, p);
	if (!s) {
		close(sock);
		return -ENOMEM;
	}
	return session_start(s, p, out);
}

int ring_session_spawn(const char *consumer_bin, const char *outdir,
		       const struct ring_session_params *p,
		       struct ring_session **out)
{
	struct ring_session *s;
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (pid == 0) {
		char fdarg[16];

		/* The consumer keeps the socket as fd 3: dup2 clears
		 * FD_CLOEXEC on the copy, but does nothing (and keeps the
		 * flag) when the socket is fd 3 already. */
		if (sv[1] == 3) {
			if (fcntl(3, F_SETFD, 0) < 0)
				_exit(127);
		} else if (dup2(sv[1], 3) < 0) {
			_exit(127);
		}
		snprintf(fdarg, sizeof(fdarg), "%d", 3);
		/* An ignored SIGPIPE (vtrace-emu's) would survive exec. */
		signal(SIGPIPE, SIG_DFL);
		execl(consumer_bin, consumer_bin, "--fd", fdarg, "-o", outdir,
		      (char *)NULL);
		fprintf(stderr, "vtrace: cannot start %s: %s\n", consumer_bin,
			strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	s = session_new(sv[0], p);
	if (!s) {
		close(sv[0]);
		return -ENOMEM;
	}
	s->child = pid;
	return session_start(s, p, out);
}

struct ring_writer *ring_session_vcpu(struct ring_session *s, unsigned vcpu)
{
	if (!s || vcpu >= s->nvcpus)
		return &ring_null_writer;
	return &s->writers[vcpu];
}

struct ring_writer *ring_session_take_sys_writer(struct ring_session **seen)
{
	struct ring_session *s = __atomic_load_n(&current_session, __ATOMIC_ACQUIRE);
	unsigned n;

	*seen = s;
	if (!s)
		return NULL;
	n = __atomic_fetch_add(&s->next_sys, 1, __ATOMIC_RELAXED);
	if (s->nvcpus + n >= s->nrings) {
		if (n == s->nrings - s->nvcpus)
			fprintf(stderr, "vtrace: more threads than sys rings (%u); "
				"their events are not traced\n", s->nrings - s->nvcpus);
		return NULL;
	}
	return &s->writers[s->nvcpus + n];
}

bool ring_session_is_current(struct ring_session *s)
{
	/* seq_cst: see ring_self_attach_slow(). */
	return __atomic_load_n(&current_session, __ATOMIC_SEQ_CST) == s;
}

uint64_t ring_session_dropped(struct ring_session *s)
{
	uint64_t d = 0;

	for (unsigned i = 0; i < s->nrings; i++)
		d += __atomic_load_n(&s->writers[i].ctl->dropped, __ATOMIC_RELAXED);
	return d;
}

void ring_session_wake_consumer(struct ring_session *s)
{
	uint64_t one = 1;

	if (!s)
		return;
	if (write(s->eventfd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the consumer is awake. */
	}
}

bool ring_session_consumer_gone(struct ring_session *s)
{
	struct pollfd pfd;

	if (!s)
		return false;	/* a writer without a session (tests) */
	pfd = (struct pollfd){ .fd = s->sock, .events = 0 };
	if (__atomic_load_n(&s->gone, __ATOMIC_RELAXED))
		return true;
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR))) {
		if (!__atomic_exchange_n(&s->gone, 1, __ATOMIC_RELAXED))
			fprintf(stderr, "vtrace: the consumer is gone; from now "
				"on events are dropped and counted%s\n",
				s->policy == RING_POLICY_BLOCK
					? " (the block policy falls back to discard)" : "");
		return true;
	}
	return false;
}

int ring_session_alive(struct ring_session *s)
{
	return !ring_session_consumer_gone(s);
}

unsigned ring_session_block_timeout_ms(struct ring_session *s)
{
	return s ? s->block_timeout_ms : CONFIG_BLOCK_TIMEOUT_MS;
}

void ring_session_report_block_timeout(struct ring_session *s, unsigned ring)
{
	if (!s || !__atomic_exchange_n(&s->timeout_reported, 1, __ATOMIC_RELAXED))
		fprintf(stderr, "vtrace: ring %u: the consumer did not free a packet "
			"in %u ms; falling back to the discard policy\n",
			ring, s->block_timeout_ms);
}

int ring_session_flush(struct ring_session *s, unsigned timeout_ms)
{
	struct vt_msg m = { .magic = VT_PROTO_MAGIC, .type = VT_MSG_FLUSH };
	struct vt_msg reply;
	int err;

	if (ring_session_consumer_gone(s))
		return -EPIPE;
	m.seq = ++s->next_seq;
	if (send(s->sock, &m, sizeof(m), MSG_NOSIGNAL) < 0)
		return -errno;
	for (;;) {
		err = recv_msg(s->sock, &reply, sizeof(reply), NULL, NULL,
			       (int)timeout_ms);
		if (err)
			return err;
		if (reply.magic == VT_PROTO_MAGIC && reply.type == VT_MSG_FLUSHED &&
		    reply.seq == m.seq)
			return reply.status;
	}
}

/* Wait for the spawned consumer, at most @ms; then kill it. */
static int reap_child(pid_t pid, unsigned ms)
{
	int status;

	for (unsigned waited = 0;; waited += 10) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (r < 0)
			return -errno;
		if (waited >= ms) {
			fprintf(stderr, "vtrace: consumer %d did not exit; killing it\n",
				(int)pid);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		usleep(10000);
	}
}

/*
 * Retired sessions, newest first.  One is freed (rings unmapped, eventfd,
 * socket and watcher thread gone) once its consumer was reaped, its
 * watcher returned and its grace period is over: no thread can still be
 * writing into its rings.  More than RETIRED_MAX of them: the oldest is
 * waited for, at most RETIRED_WAIT_MS, so a cycle of `trace-file off`/`on`
 * holds a bounded number of sessions.
 */
#define RETIRED_MAX	4
#define RETIRED_WAIT_MS	10000

static struct ring_session *retired;

static bool retired_done(struct ring_session *s)
{
	if (s->child > 0 && waitpid(s->child, NULL, WNOHANG) == s->child)
		s->child = 0;
	/* Pairs with the release in watch_consumer(). */
	return s->child <= 0 &&
	       (!s->watching || __atomic_load_n(&s->watcher_done, __ATOMIC_ACQUIRE)) &&
	       ring_grace_done(s->grace_epoch);
}

/* Free what is done; returns how many retired sessions are left. */
static unsigned reap_retired(void)
{
	struct ring_session **pp = &retired, *s;
	unsigned left = 0;

	while ((s = *pp)) {
		if (retired_done(s)) {
			*pp = s->retired_next;
			session_free(s);
		} else {
			pp = &s->retired_next;
			left++;
		}
	}
	return left;
}

uint64_t ring_session_retire(struct ring_session *s)
{
	struct vt_msg m = { .magic = VT_PROTO_MAGIC, .type = VT_MSG_BYE };
	uint64_t dropped = ring_session_dropped(s);

	/* seq_cst: see ring_self_attach_slow(). */
	__atomic_store_n(&current_session, NULL, __ATOMIC_SEQ_CST);
	ring_self_reset_all();
	/* After the caller unpublished the vCPU writers and we reset every
	 * thread's: from this epoch on, no thread finds this session. */
	s->grace_epoch = ring_grace_start();
	ring_session_consumer_gone(s);	/* discard never asked: say it once */
	__atomic_store_n(&s->retiring, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&s->gone, 1, __ATOMIC_RELAXED);
	send(s->sock, &m, sizeof(m), MSG_NOSIGNAL);
	shutdown(s->sock, SHUT_WR);
	s->retired_next = retired;
	retired = s;
	return dropped;
}

void ring_session_reap(void)
{
	unsigned waited = 0;

	while (reap_retired() > RETIRED_MAX && waited < RETIRED_WAIT_MS) {
		usleep(10000);
		waited += 10;
	}
}

int ring_session_close(struct ring_session *s)
{
	pid_t child;
	int status = 0;

	if (!s)
		return 0;
	child = s->child;
	s->child = 0;		/* reaped here, for its status */
	ring_session_retire(s);
	if (child > 0)
		status = reap_child(child, 120000);
	/* The consumer hung up: the watcher returns; join it even if the
	 * session itself must wait for its grace period (at exit). */
	for (unsigned ms = 0; s->watching && ms < 5000; ms += 10) {
		/* Pairs with the release in watch_consumer(). */
		if (__atomic_load_n(&s->watcher_done, __ATOMIC_ACQUIRE)) {
			pthread_join(s->watcher, NULL);
			s->watching = 0;
			break;
		}
		usleep(10000);
	}
	ring_session_reap();
	return status;
}

pid_t ring_session_consumer_pid(struct ring_session *s)
{
	return s->child;
}

void ring_writer_bind_local_node(struct ring_writer *w)
{
#ifdef CONFIG_NUMA
	int cpu, node;

	if (!w->slots || numa_available() < 0 || numa_max_node() < 1)
		return;	/* one node: nothing to bind */
	cpu = sched_getcpu();
	node = cpu >= 0 ? numa_node_of_cpu(cpu) : -1;
	if (node >= 0)
		numa_tonode_memory(w->slots, w->capacity * RING_SLOT_SIZE, node);
#else
	(void)w;
#endif
}
