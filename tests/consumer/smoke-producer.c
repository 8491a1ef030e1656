// SPDX-License-Identifier: MIT
/*
 * Two-process smoke test of vtrace-consumer with a minimal producer
 * (tests/consumer/sim-producer.h), checked with babeltrace2.
 *
 *   test-consumer-smoke [CONSUMER_BIN]       both scenarios, exit 0 = pass
 *
 * 1. --fd: we spawn the consumer on a socketpair (the auto-spawn path),
 *    write records on 2 vCPU rings and 1 sys ring (1- and 3-slot records,
 *    rings of 4 packets so they wrap and the block policy waits), FLUSH in
 *    the middle of a packet and check babeltrace2 sees exactly what was
 *    published, write on (the flushed packets complete), count some drops,
 *    BYE; then every record is in the trace exactly once, babeltrace2's
 *    "discarded N events" warnings add up to the drops, and the summary
 *    line has the total.
 * 2. --listen: the consumer listens on a socket; a producer child writes
 *    partial packets and dies by SIGKILL without BYE; every published
 *    record is in the trace.
 * 3. a hostile producer: an impossible head on one ring, nslots 0 in
 *    another; the first ring is rejected, the others are kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ring/session-proto.h"
#include "tests/consumer/sim-producer.h"

#define NRINGS 3		/* vcpu0, vcpu1, sys0 */
#define MAX_RECORDS 4096

static const char *consumer_bin;
static char base[64];
static uint64_t clock_ticks = 1000;

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                       \
			fprintf(stderr, "\n");                              \
			exit(1);                                            \
		}                                                           \
	} while (0)

struct producer {
	int sock;
	int efd;
	struct sim_ring rings[NRINGS];
	uint64_t written[NRINGS];	/* records, per ring */
	uint64_t dropped;
};

static void send_hello(int sock)
{
	char meta[8192];
	int len = snprintf(meta, sizeof(meta), SIM_METADATA_FMT, SIM_UUID_TEXT,
			   SIM_UUID_TEXT);
	struct vt_hello h = {
		.msg = { .magic = VT_PROTO_MAGIC, .type = VT_MSG_HELLO },
		.version = VT_PROTO_VERSION,
		.pid = (uint32_t)getpid(),
		.nvcpus = 2,
		.nsys = 1,
		.ring_kb = 16,			/* 4 packets */
		.policy = RING_POLICY_BLOCK,
		.metadata_len = (uint32_t)len,
	};
	struct iovec iov[2] = { { &h, sizeof(h) }, { meta, (size_t)len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	memcpy(h.uuid, sim_uuid, 16);
	CHECK(sendmsg(sock, &mh, MSG_NOSIGNAL) > 0, "HELLO: %s", strerror(errno));
}

static void recv_rings(struct producer *p)
{
	struct vt_rings r;
	int fds[NRINGS + 1];

	CHECK(sim_recv_rings(p->sock, &r, fds, NRINGS + 1) == 0,
	      "no RINGS message with %d fds", NRINGS + 1);
	CHECK(r.msg.status == 0 && r.nrings == NRINGS,
	      "bad RINGS message (status %d, nrings %u)", r.msg.status,
	      r.nrings);
	p->efd = fds[0];
	CHECK(r.ring_bytes == RING_CTL_SIZE + 4 * RING_PACKET_SIZE,
	      "ring_bytes %llu", (unsigned long long)r.ring_bytes);
	for (int i = 0; i < NRINGS; i++) {
		void *map = mmap(NULL, r.ring_bytes, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fds[i + 1], 0);
		struct ring_ctl *ctl = map;

		CHECK(map != MAP_FAILED, "mmap: %s", strerror(errno));
		/* The size is sealed: a producer cannot shrink it. */
		CHECK(ftruncate(fds[i + 1], 4096) < 0 && errno == EPERM,
		      "ring %d can be truncated", i);
		close(fds[i + 1]);
		CHECK(ctl->magic == RING_MAGIC && ctl->version == RING_ABI_VERSION &&
			      ctl->data_offset == RING_CTL_SIZE &&
			      ctl->data_size == 4 * RING_PACKET_SIZE &&
			      ctl->ring_index == (uint32_t)i &&
			      ctl->policy == RING_POLICY_BLOCK,
		      "ring %d control page", i);
		CHECK(ctl->cpu_id == (i < 2 ? (uint32_t)i : RING_CPU_ID_SYS),
		      "ring %d cpu_id %u", i, ctl->cpu_id);
		sim_ring_attach(&p->rings[i], map, p->efd, true);
	}
}

/* @n records on every ring, every 7th a 3-slot one. */
static void produce(struct producer *p, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		for (int i = 0; i < NRINGS; i++) {
			uint64_t seq = p->written[i];
			bool big = seq % 7 == 3;

			CHECK(sim_write(&p->rings[i], big, big ? 3 : 1,
					clock_ticks++, seq, (uint64_t)i) == 0,
			      "ring %d: record %llu dropped", i,
			      (unsigned long long)seq);
			p->written[i]++;
		}
	}
}

static void flush(struct producer *p, uint32_t seq)
{
	struct vt_msg m = { .magic = VT_PROTO_MAGIC, .type = VT_MSG_FLUSH,
			    .seq = seq };

	CHECK(send(p->sock, &m, sizeof(m), MSG_NOSIGNAL) == sizeof(m),
	      "FLUSH: %s", strerror(errno));
	CHECK(recv(p->sock, &m, sizeof(m), 0) == sizeof(m), "no FLUSHED");
	CHECK(m.magic == VT_PROTO_MAGIC && m.type == VT_MSG_FLUSHED &&
		      m.seq == seq && m.status == 0,
	      "FLUSHED type %u seq %u status %d", m.type, m.seq, m.status);
}

struct bt_result {
	uint64_t events;
	uint64_t discarded;		/* sum of "discarded N events" */
	uint64_t per_ring[NRINGS];
	bool dup;
};

/* Read DIR with babeltrace2: count events per ring, check that each
 * (ring, seq) appears once, sum the discarded-events warnings. */
static void babeltrace(const char *dir, struct bt_result *res)
{
	static uint8_t seen[NRINGS][MAX_RECORDS];
	char cmd[512], line[1024], errpath[256];
	FILE *f;
	int status;

	memset(res, 0, sizeof(*res));
	memset(seen, 0, sizeof(seen));
	snprintf(errpath, sizeof(errpath), "%s.bt-err", dir);
	snprintf(cmd, sizeof(cmd), "babeltrace2 '%s' 2>'%s'", dir, errpath);
	f = popen(cmd, "r");
	CHECK(f, "popen babeltrace2");
	while (fgets(line, sizeof(line), f)) {
		char *c = strstr(line, "cpu_id = "), *a = strstr(line, "{ a = ");
		unsigned long long cpu, seq;
		int ring;

		CHECK(c && a, "unexpected babeltrace2 line: %s", line);
		cpu = strtoull(c + 9, NULL, 10);
		seq = strtoull(a + 6, NULL, 10);
		ring = cpu == RING_CPU_ID_SYS ? 2 : (int)cpu;
		CHECK(ring >= 0 && ring < NRINGS && seq < MAX_RECORDS,
		      "bad record: %s", line);
		if (seen[ring][seq]++)
			res->dup = true;
		res->per_ring[ring]++;
		res->events++;
	}
	status = pclose(f);
	CHECK(status == 0, "babeltrace2 %s failed (status %d), see %s", dir,
	      status, errpath);
	f = fopen(errpath, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *d = strstr(line, "Tracer discarded ");

		if (d)
			res->discarded += strtoull(d + 17, NULL, 10);
	}
	if (f)
		fclose(f);
	unlink(errpath);
}

static bool file_has(const char *path, const char *needle)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return found;
}

static pid_t spawn_consumer(char *const argv[], const char *errpath,
			    int keep_fd)
{
	pid_t pid = fork();

	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (err >= 0)
			dup2(err, 2);
		if (keep_fd >= 0) {
			/* to fd 3, with FD_CLOEXEC cleared even if it is 3 */
			int tmp = fcntl(keep_fd, F_DUPFD, 10);

			dup2(tmp, 3);
		}
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static int wait_exit(pid_t pid)
{
	int status;

	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status), "consumer killed by signal %d",
	      WTERMSIG(status));
	return WEXITSTATUS(status);
}

static void scenario_fd(void)
{
	struct producer p = { 0 };
	struct bt_result bt;
	char dir[128], errpath[160], want[256];
	int sv[2];
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/fd/trace", base);
	snprintf(errpath, sizeof(errpath), "%s/fd.err", base);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0,
	      "socketpair");
	{
		char *argv[] = { (char *)consumer_bin, "--fd", "3", "-o", dir,
				 NULL };

		pid = spawn_consumer(argv, errpath, sv[1]);
	}
	close(sv[1]);
	p.sock = sv[0];
	send_hello(p.sock);
	recv_rings(&p);

	/* Phase 1: 100 records per ring, a flush in mid-packet. */
	produce(&p, 100);
	flush(&p, 42);
	babeltrace(dir, &bt);
	CHECK(bt.events == 300 && !bt.dup,
	      "after FLUSH: babeltrace2 read %llu events (dup %d), want 300",
	      (unsigned long long)bt.events, bt.dup);

	/* Drops on vcpu1 land in its next packet. */
	for (int k = 0; k < 5; k++)
		sim_drop(&p.rings[1]);
	/* Phase 2: 1000 more per ring through 4-packet rings (wraps, the
	 * producer waits for the consumer: block policy). */
	produce(&p, 1000);
	flush(&p, 43);
	/* Drops after the last packet: only the final packet carries them. */
	for (int k = 0; k < 3; k++)
		sim_drop(&p.rings[1]);
	{
		struct vt_msg m = { .magic = VT_PROTO_MAGIC,
				    .type = VT_MSG_BYE };

		CHECK(send(p.sock, &m, sizeof(m), MSG_NOSIGNAL) == sizeof(m),
		      "BYE");
	}
	CHECK(wait_exit(pid) == 0, "consumer exit status, see %s", errpath);
	close(p.sock);

	babeltrace(dir, &bt);
	CHECK(!bt.dup, "a record appears twice");
	for (int i = 0; i < NRINGS; i++)
		CHECK(bt.per_ring[i] == p.written[i],
		      "ring %d: %llu events in the trace, %llu written", i,
		      (unsigned long long)bt.per_ring[i],
		      (unsigned long long)p.written[i]);
	CHECK(bt.discarded == 8, "babeltrace2 discarded warnings add up to %llu, want 8",
	      (unsigned long long)bt.discarded);
	snprintf(want, sizeof(want),
		 "vtrace-consumer: %llu events, ", (unsigned long long)bt.events);
	CHECK(file_has(errpath, want), "summary without '%s', see %s", want,
	      errpath);
	CHECK(file_has(errpath, " 8 dropped, in "), "summary drops, see %s",
	      errpath);
	{
		struct stat st;

		snprintf(want, sizeof(want), "%s/metadata", dir);
		CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0750,
		      "trace directory mode %o", st.st_mode & 0777);
		CHECK(stat(want, &st) == 0, "no metadata");
	}
	printf("fd: %llu events, 8 dropped, babeltrace2 agrees\n",
	       (unsigned long long)bt.events);
}

static void scenario_listen_death(void)
{
	char dir[128], errpath[160], sock[128];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct bt_result bt;
	struct stat st;
	pid_t pid, child;
	int s, status, tries;

	snprintf(dir, sizeof(dir), "%s/listen", base);
	snprintf(errpath, sizeof(errpath), "%s/listen.err", base);
	snprintf(sock, sizeof(sock), "%s/vt.sock", base);
	{
		char *argv[] = { (char *)consumer_bin, "-o", dir, "--listen",
				 sock, "--quiet", NULL };

		pid = spawn_consumer(argv, errpath, -1);
	}
	for (tries = 0; tries < 200 && stat(sock, &st); tries++)
		usleep(10000);
	CHECK(tries < 200, "consumer did not create %s", sock);
	CHECK((st.st_mode & 0777) == 0600, "socket mode %o", st.st_mode & 0777);

	child = fork();
	CHECK(child >= 0, "fork");
	if (child == 0) {
		struct producer p = { 0 };

		s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		strcpy(sa.sun_path, sock);
		CHECK(connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0,
		      "connect: %s", strerror(errno));
		p.sock = s;
		send_hello(s);
		recv_rings(&p);
		produce(&p, 150);	/* 150 records: partial packets */
		kill(getpid(), SIGKILL);
		_exit(1);
	}
	CHECK(waitpid(child, &status, 0) == child && WIFSIGNALED(status),
	      "producer child did not die by signal");
	CHECK(wait_exit(pid) == 0, "consumer exit status, see %s", errpath);
	babeltrace(dir, &bt);
	CHECK(!bt.dup && bt.events == 3 * 150,
	      "after the producer's death: %llu events (dup %d), want 450",
	      (unsigned long long)bt.events, bt.dup);
	CHECK(file_has(errpath, "vtrace-consumer: 450 events, "),
	      "summary, see %s", errpath);
	printf("listen + producer death: 450 events on disk\n");
}

/* 3. A producer that breaks the rules: sys0's head jumps past the ring, a
 * vcpu1 record has nslots 0.  The consumer rejects sys0, cuts vcpu1's
 * packet at the bad record, keeps the rest, and exits 0. */
static void scenario_hostile(void)
{
	struct producer p = { 0 };
	struct bt_result bt;
	char dir[128], errpath[160];
	struct sim_ring *v1;
	struct ring_record *bad;
	int sv[2];
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/hostile", base);
	snprintf(errpath, sizeof(errpath), "%s/hostile.err", base);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0,
	      "socketpair");
	{
		char *argv[] = { (char *)consumer_bin, "--fd", "3", "-o", dir,
				 NULL };

		pid = spawn_consumer(argv, errpath, sv[1]);
	}
	close(sv[1]);
	p.sock = sv[0];
	send_hello(p.sock);
	recv_rings(&p);

	v1 = &p.rings[1];
	for (unsigned k = 0; k < 50; k++)
		CHECK(sim_write(&p.rings[0], 0, 1, clock_ticks++, k, 0) == 0 &&
			      sim_write(v1, 0, 1, clock_ticks++, k, 1) == 0,
		      "write");
	/* vcpu1: slot 51 of packet 0 claims 0 slots. */
	bad = &v1->slots[v1->head & (v1->capacity - 1)];
	bad->id = 0;
	bad->nslots = 0;
	bad->timestamp = clock_ticks++;
	v1->head++;
	sim_publish(v1);
	/* 12 records fill slots 52..63 (lost with the bad one), 88 more go
	 * to the next packets. */
	for (unsigned k = 50; k < 150; k++)
		CHECK(sim_write(&p.rings[0], 0, 1, clock_ticks++, k, 0) == 0 &&
			      sim_write(v1, 0, 1, clock_ticks++, k, 1) == 0,
		      "write");
	/* sys0: a head no ring of this size can have. */
	sim_write(&p.rings[2], 0, 1, clock_ticks++, 0, 2);
	__atomic_store_n(&p.rings[2].ctl->head, 1ull << 40, __ATOMIC_RELEASE);
	flush(&p, 1);
	{
		struct vt_msg m = { .magic = VT_PROTO_MAGIC,
				    .type = VT_MSG_BYE };

		CHECK(send(p.sock, &m, sizeof(m), MSG_NOSIGNAL) == sizeof(m),
		      "BYE");
	}
	CHECK(wait_exit(pid) == 0, "consumer exit status, see %s", errpath);
	close(p.sock);
	CHECK(file_has(errpath, "ring sys0 rejected: head 1099511627776"),
	      "no rejection message, see %s", errpath);
	CHECK(file_has(errpath, "ring vcpu1: packet 0 slot 51: bad nslots 0"),
	      "no bad nslots message, see %s", errpath);
	babeltrace(dir, &bt);
	CHECK(!bt.dup && bt.per_ring[0] == 150 && bt.per_ring[1] == 138 &&
		      bt.per_ring[2] == 0,
	      "hostile: %llu/%llu/%llu events, want 150/138/0",
	      (unsigned long long)bt.per_ring[0],
	      (unsigned long long)bt.per_ring[1],
	      (unsigned long long)bt.per_ring[2]);
	printf("hostile producer: sys0 rejected, vcpu1 cut at the bad record, "
	       "the rest on disk\n");
}

static pid_t main_pid;

static void cleanup(void)
{
	char cmd[128];

	if (base[0] && getpid() == main_pid && !getenv("KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if (system(cmd)) {
		}
	}
}

int main(int argc, char **argv)
{
	static char bin[256];
	const char *o = getenv("O");

	if (argc > 1) {
		consumer_bin = argv[1];
	} else {
		snprintf(bin, sizeof(bin), "%s/vtrace-consumer", o ? o : "build");
		consumer_bin = bin;
	}
	if (access(consumer_bin, X_OK)) {
		printf("SKIP: no %s\n", consumer_bin);
		return 77;
	}
	if (system("babeltrace2 --version >/dev/null 2>&1")) {
		printf("SKIP: babeltrace2 is not installed\n");
		return 77;
	}
	signal(SIGPIPE, SIG_IGN);
	alarm(120);
	strcpy(base, "/tmp/vtrace-smoke-XXXXXX");
	CHECK(mkdtemp(base), "mkdtemp");
	main_pid = getpid();
	atexit(cleanup);
	scenario_fd();
	scenario_listen_death();
	scenario_hostile();
	printf("smoke: ok\n");
	return 0;
}
