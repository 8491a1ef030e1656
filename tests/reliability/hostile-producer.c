// SPDX-License-Identifier: MIT
/*
 * A hostile producer for tests/reliability/hostile-shm.sh.
 *
 *   hostile-producer SOCKET RECORDS        attack a consumer listening there
 *   hostile-producer --hello SOCKET KIND   send one bad HELLO (KIND 0..N-1)
 *   hostile-producer --check FILE RING RECORDS
 *                                          check an honest ring's stream
 *
 * The attack asks for 8 rings of 4 packets and, while it writes RECORDS
 * honest records into ring 0 and ring 4 (block policy: it waits for the
 * consumer, so a consumer that stopped draining them hangs us and the test
 * times out), it does to the others what a hostile or broken producer can:
 *
 *   ring 1  head beyond tail + capacity
 *   ring 2  honest for a while, then head goes backwards
 *   ring 3  whole packets of random bytes (ids, nslots, timestamps),
 *           published with a valid head
 *   ring 4  line 0 of the control page (the consumer's geometry: magic,
 *           version, data_offset, data_size, ring_index, cpu_id, policy)
 *           overwritten with garbage; then honest records
 *   ring 5  real drops, packet events_discarded beyond dropped, and at
 *           the end dropped goes back below what the packets said
 *   ring 6  the consumer's own line scribbled (tail, tail_seq, flags), then
 *           head = UINT64_MAX
 *   ring 7  the memfd itself: ftruncate (shrink, grow), write past the end,
 *           F_ADD_SEALS, F_GET_SEALS; must all fail but F_GET_SEALS
 *
 * and it sends garbage datagrams on the control socket.  Each check that
 * the memfd resists prints "memfd: ..." and a failure exits 1.  The test
 * then checks the consumer's exit status and messages, and that ring 0 and
 * ring 4 arrived whole (--check).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ring/session-proto.h"
#include "tests/consumer/sim-producer.h"

#define NRINGS 8
#define RING_KB 16

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "hostile-producer: FAIL: ");        \
			fprintf(stderr, __VA_ARGS__);                       \
			fprintf(stderr, "\n");                              \
			exit(1);                                            \
		}                                                           \
	} while (0)

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	CHECK(sock >= 0 && strlen(path) < sizeof(sa.sun_path), "socket");
	strcpy(sa.sun_path, path);
	CHECK(connect(sock, (struct sockaddr *)&sa, sizeof(sa)) == 0,
	      "connect %s: %s", path, strerror(errno));
	return sock;
}

static int metadata(char *buf, size_t size)
{
	return snprintf(buf, size, SIM_METADATA_FMT, SIM_UUID_TEXT,
			SIM_UUID_TEXT);
}

static void send_hello(int sock, struct vt_hello *h, const char *meta,
		       size_t len)
{
	struct iovec iov[2] = { { h, sizeof(*h) }, { (void *)meta, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };

	CHECK(sendmsg(sock, &mh, MSG_NOSIGNAL) >= 0, "HELLO: %s",
	      strerror(errno));
}

static struct vt_hello good_hello(uint32_t metadata_len)
{
	struct vt_hello h = {
		.msg = { .magic = VT_PROTO_MAGIC, .type = VT_MSG_HELLO },
		.version = VT_PROTO_VERSION,
		.pid = (uint32_t)getpid(),
		.nvcpus = NRINGS,
		.nsys = 0,
		.ring_kb = RING_KB,
		.policy = RING_POLICY_BLOCK,
		.metadata_len = metadata_len,
	};

	memcpy(h.uuid, sim_uuid, 16);
	return h;
}

/* ------------------------------------------------------------ bad HELLOs */

#define NBAD_HELLO 9

static int bad_hello(const char *path, int kind)
{
	char meta[8192];
	int len = metadata(meta, sizeof(meta));
	int sock = connect_to(path);
	struct vt_hello h = good_hello((uint32_t)len);
	char junk[64];

	switch (kind) {
	case 0: h.msg.magic ^= 1; break;
	case 1: h.version = 99; break;
	case 2: h.nvcpus = 0; break;
	case 3: h.nvcpus = 100000; h.nsys = 0xffffffffu - 99999; break;
	case 4: h.metadata_len = 0; break;
	case 5: h.metadata_len = 0xffffffffu; break;
	case 6: h.policy = 7; break;
	case 7:	/* metadata_len longer than what follows, then hang up */
		h.metadata_len = (uint32_t)len + 1000;
		break;
	case 8:	/* shorter than a HELLO */
		memset(junk, 0xa5, sizeof(junk));
		CHECK(send(sock, junk, 10, MSG_NOSIGNAL) == 10, "send");
		close(sock);
		return 0;
	default:
		return 2;
	}
	send_hello(sock, &h, meta, (size_t)len);
	close(sock);
	return 0;
}

/* ------------------------------------------------------------ attack */

struct hostile {
	int sock;
	int efd;
	int fds[NRINGS];
	void *maps[NRINGS];
	uint64_t ring_bytes;
	struct sim_ring r[NRINGS];
};

static void recv_rings(struct hostile *p)
{
	struct vt_rings r;
	int fds[NRINGS + 1];

	CHECK(sim_recv_rings(p->sock, &r, fds, NRINGS + 1) == 0, "RINGS");
	CHECK(r.msg.status == 0 && r.nrings == NRINGS, "RINGS status %d",
	      r.msg.status);
	p->efd = fds[0];
	p->ring_bytes = r.ring_bytes;
	for (int i = 0; i < NRINGS; i++) {
		p->fds[i] = fds[i + 1];
		p->maps[i] = mmap(NULL, r.ring_bytes, PROT_READ | PROT_WRITE,
				  MAP_SHARED, p->fds[i], 0);
		CHECK(p->maps[i] != MAP_FAILED, "mmap: %s", strerror(errno));
		sim_ring_attach(&p->r[i], p->maps[i], p->efd, true);
	}
}

/* Ring 7: the memfd must keep its size whatever we do. */
static void attack_memfd(struct hostile *p)
{
	int fd = p->fds[7];
	struct stat st;
	char byte = 0;
	int seals;

	CHECK(ftruncate(fd, 4096) < 0 && errno == EPERM,
	      "ftruncate to 4096 (shrink) was allowed");
	printf("memfd: ftruncate shrink: %s\n", strerror(errno));
	CHECK(ftruncate(fd, 0) < 0 && errno == EPERM,
	      "ftruncate to 0 was allowed");
	CHECK(ftruncate(fd, (off_t)p->ring_bytes * 2) < 0 && errno == EPERM,
	      "ftruncate (grow) was allowed");
	printf("memfd: ftruncate grow: %s\n", strerror(errno));
	CHECK(pwrite(fd, &byte, 1, (off_t)p->ring_bytes) < 0 && errno == EPERM,
	      "a write past the end was allowed");
	printf("memfd: write past the end: %s\n", strerror(errno));
	CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) < 0 && errno == EPERM,
	      "F_ADD_SEALS was allowed (the seals are not sealed)");
	printf("memfd: F_ADD_SEALS: %s\n", strerror(errno));
	seals = fcntl(fd, F_GET_SEALS);
	CHECK(seals >= 0 && (seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) ==
			(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL),
	      "seals 0x%x", seals);
	printf("memfd: seals 0x%x (shrink, grow, seal)\n", seals);
	CHECK(fstat(fd, &st) == 0 && (uint64_t)st.st_size == p->ring_bytes,
	      "the memfd changed size");
	/* Whatever is left: scribble the whole ring, control page included,
	 * except nothing that changes its size. */
	for (uint64_t off = 0; off < p->ring_bytes; off += 8)
		*(uint64_t *)((char *)p->maps[7] + off) = rnd();
}

/* Ring 3: a whole packet of random bytes, published with a valid head. */
static void garbage_packet(struct sim_ring *s)
{
	uint64_t tail = __atomic_load_n(&s->ctl->tail, __ATOMIC_ACQUIRE);
	uint8_t *pkt;

	if (s->head + RING_SLOTS_PER_PACKET - tail > s->capacity)
		return;		/* no room: try later */
	pkt = (uint8_t *)&s->slots[s->head & (s->capacity - 1)];
	for (unsigned i = 0; i < RING_PACKET_SIZE; i += 8)
		*(uint64_t *)(pkt + i) = rnd();
	/* Sometimes a plausible first record, so the walk gets further. */
	if (rnd() & 1) {
		struct ring_record *rec = (void *)(pkt + RING_SLOT_SIZE);

		rec->nslots = 1 + (uint32_t)(rnd() % 70);
	}
	s->head += RING_SLOTS_PER_PACKET;
	sim_publish(s);
}

/* Ring 2: once the consumer has taken a packet (so it saw a head at
 * least that far), publish a head below it. */
static void backwards(struct sim_ring *s)
{
	uint64_t tail = 0;

	for (int i = 0; i < 500 && !tail; i++) {
		tail = __atomic_load_n(&s->ctl->tail, __ATOMIC_ACQUIRE);
		if (!tail)
			usleep(2000);
	}
	CHECK(tail, "ring 2: the consumer took no packet in 1 s");
	__atomic_store_n(&s->ctl->head, tail - 1, __ATOMIC_RELEASE);
}

static void send_junk(int sock)
{
	uint8_t buf[64];
	struct vt_msg *m = (void *)buf;
	size_t len = 1 + rnd() % sizeof(buf);

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	if (rnd() & 1) {
		m->magic = VT_PROTO_MAGIC;
		m->type = (uint32_t)(rnd() % 8);
		if (m->type == VT_MSG_BYE || m->type == VT_MSG_FLUSH)
			m->type = 77;	/* not those: they end or stall us */
	}
	send(sock, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static int attack(const char *path, uint64_t records)
{
	char meta[8192];
	int len = metadata(meta, sizeof(meta));
	struct hostile p = { .sock = connect_to(path) };
	struct vt_hello h = good_hello((uint32_t)len);
	struct ring_ctl *c4, *c5, *c6;
	uint64_t ts = 1000;

	send_hello(p.sock, &h, meta, (size_t)len);
	recv_rings(&p);
	attack_memfd(&p);

	/* Ring 4: garbage geometry, after we attached with the real one. */
	c4 = p.r[4].ctl;
	c4->magic = 0xdeadbeef;
	c4->version = 0xffffffff;
	c4->slot_size = 3;
	c4->packet_size = 0;
	c4->data_offset = 1ull << 62;
	c4->data_size = ~0ull;
	c4->ring_index = 12345;
	c4->cpu_id = 0xffffffff;
	c4->policy = 99;
	/* Ring 1: far beyond tail + capacity. */
	__atomic_store_n(&p.r[1].ctl->head, p.r[1].capacity * 5 + 17,
			 __ATOMIC_RELEASE);
	c5 = p.r[5].ctl;
	c6 = p.r[6].ctl;

	for (uint64_t seq = 0; seq < records; seq++) {
		bool big = seq % 11 == 5;

		CHECK(sim_write(&p.r[0], big, big ? 3 : 1, ts, 0, seq) == 0,
		      "ring 0 dropped record %llu", (unsigned long long)seq);
		CHECK(sim_write(&p.r[4], 0, 1, ts, 4, seq) == 0,
		      "ring 4 dropped record %llu", (unsigned long long)seq);
		ts += 1 + rnd() % 3;
		if (seq < records / 2) {
			/* Ring 2: honest until half way (discard, no wait). */
			p.r[2].block = false;
			sim_write(&p.r[2], 0, 1, ts, 2, seq);
		} else if (seq == records / 2) {
			backwards(&p.r[2]);
		}
		if (seq % 97 == 0)
			garbage_packet(&p.r[3]);
		if (seq % 50 == 0) {
			/* Ring 5: a burst bigger than the ring (real drops,
			 * real events_discarded), then now and then a packet
			 * claiming more drops than ctl->dropped. */
			struct ring_packet_header *hdr;

			p.r[5].block = false;
			for (int k = 0; k < 300; k++)
				sim_write(&p.r[5], 0, 1, ts, 5, seq);
			if (seq % 200 == 0) {
				hdr = (void *)&p.r[5].slots[(p.r[5].head & ~63ull) &
							    (p.r[5].capacity - 1)];
				hdr->events_discarded = rnd() | 1ull << 62;
			}
			/* Ring 6: the consumer's line is not ours, but
			 * nothing stops us from writing it. */
			c6->tail = rnd();
			c6->tail_seq = (uint32_t)rnd();
			c6->consumer_sleeping = 1;
			c6->producer_waiting = 1;
			send_junk(p.sock);
		}
		if (seq == records * 3 / 4)
			__atomic_store_n(&c6->head, ~0ull, __ATOMIC_RELEASE);
	}
	/* Ring 5: the drop count goes back below what the packets said. */
	__atomic_store_n(&c5->dropped, 1, __ATOMIC_RELAXED);
	/* Ring 0 and ring 4 end in a partial packet: the consumer must
	 * close it at BYE. */
	{
		struct vt_msg m = { .magic = VT_PROTO_MAGIC,
				    .type = VT_MSG_BYE };

		CHECK(send(p.sock, &m, sizeof(m), MSG_NOSIGNAL) == sizeof(m),
		      "BYE");
	}
	printf("hostile-producer: wrote %llu records to rings 0 and 4\n",
	       (unsigned long long)records);
	return 0;
}

/* ------------------------------------------------------------ check */

/* The stream of an honest ring: every packet sane, records (RING, seq)
 * with seq exactly 0..RECORDS-1. */
static int check(const char *path, uint32_t ring, uint64_t records)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t pkt[RING_PACKET_SIZE];
	uint64_t expect = 0;
	uint32_t seqnum = 0;

	CHECK(fd >= 0, "%s: %s", path, strerror(errno));
	while (read(fd, pkt, sizeof(pkt)) == (ssize_t)sizeof(pkt)) {
		struct ring_packet_header *hd = (void *)pkt;
		unsigned end = hd->content_size / 8 / RING_SLOT_SIZE;

		CHECK(hd->magic == RING_CTF_MAGIC && hd->cpu_id == ring &&
			      hd->packet_seq_num == seqnum++ &&
			      hd->packet_size == RING_PACKET_SIZE * 8 &&
			      end >= 1 && end <= RING_SLOTS_PER_PACKET &&
			      hd->events_discarded == 0 &&
			      memcmp(hd->uuid, sim_uuid, 16) == 0,
		      "%s: bad packet header %u", path, seqnum - 1);
		for (unsigned s = 1; s < end;) {
			struct ring_record *r = (void *)(pkt + s * RING_SLOT_SIZE);
			uint64_t a, seq;

			memcpy(&a, r->args, 8);
			memcpy(&seq, r->args + 8, 8);
			CHECK(r->nslots >= 1 && s + r->nslots <= end &&
				      a == ring && seq == expect,
			      "%s: packet %u slot %u: ring %llu seq %llu, "
			      "expected %llu",
			      path, seqnum - 1, s, (unsigned long long)a,
			      (unsigned long long)seq,
			      (unsigned long long)expect);
			expect++;
			s += r->nslots;
		}
	}
	close(fd);
	CHECK(expect == records, "%s: %llu of %llu records", path,
	      (unsigned long long)expect, (unsigned long long)records);
	printf("%s: all %llu records, in order\n", path,
	       (unsigned long long)records);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && argv[1][0] != '-')
		return attack(argv[1], strtoull(argv[2], NULL, 0));
	if (argc == 4 && strcmp(argv[1], "--hello") == 0)
		return bad_hello(argv[2], atoi(argv[3]));
	if (argc == 5 && strcmp(argv[1], "--check") == 0)
		return check(argv[2], (uint32_t)atoi(argv[3]),
			     strtoull(argv[4], NULL, 0));
	if (argc == 2 && strcmp(argv[1], "--hello-kinds") == 0) {
		printf("%d\n", NBAD_HELLO);
		return 0;
	}
	fprintf(stderr, "usage: hostile-producer SOCKET RECORDS | --hello SOCKET "
			"KIND | --hello-kinds | --check FILE RING RECORDS\n");
	return 2;
}
