/* SPDX-License-Identifier: MIT */
/*
 * check-seq DIR EVENTS_PER_THREAD [--exact|--prefix N]
 *
 * Reads a vtrace-stress trace at the byte level (ring/ring-abi.h layout)
 * and checks each vcpuN stream: every record carries (thread = N, seq),
 * sequence numbers strictly increase, packet headers are sane, and the
 * gaps add up to the stream's final events_discarded.  Packet numbers
 * follow each other, but a packet with no records may skip some: the
 * consumer's record of packets lost to write errors (counted as lost).
 *   --exact     every seq 0..EVENTS_PER_THREAD-1 is present (block policy)
 *   --prefix N  the seqs form a prefix 0..K-1 with no hole, K >= N+1
 *               (producer killed: N is the last seq it reported)
 * Prints one line per stream and "delivered=D gaps=G" in total; exits 1
 * on any violation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ring/ring-abi.h"

static int check_stream(const char *path, unsigned thread, uint64_t per_thread,
			int exact, long long prefix, uint64_t *delivered_out,
			uint64_t *gaps_out)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	const uint8_t *map;
	uint64_t expect = 0, delivered = 0, gaps = 0, discarded = 0;
	uint32_t next_packet = 0, lost_packets = 0;
	int bad = 0;

	if (fd < 0) {
		if (errno == ENOENT && per_thread == 0)
			return 0;
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	fstat(fd, &st);
	if (st.st_size % RING_PACKET_SIZE) {
		fprintf(stderr, "%s: size %lld is not a multiple of %u\n", path,
			(long long)st.st_size, RING_PACKET_SIZE);
		bad = 1;
	}
	map = st.st_size ? mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	for (off_t off = 0; map && off + RING_PACKET_SIZE <= st.st_size;
	     off += RING_PACKET_SIZE) {
		const struct ring_packet_header *h = (const void *)(map + off);
		unsigned end_slot = h->content_size / 8 / RING_SLOT_SIZE;

		if (end_slot == 1 && h->packet_seq_num > next_packet) {
			lost_packets += h->packet_seq_num - next_packet;
			next_packet = h->packet_seq_num;
		}

		if (h->magic != RING_CTF_MAGIC || h->packet_size != RING_PACKET_SIZE * 8 ||
		    h->content_size > h->packet_size || h->content_size % (RING_SLOT_SIZE * 8) ||
		    h->cpu_id != thread || h->packet_seq_num != next_packet ||
		    h->events_discarded < discarded) {
			fprintf(stderr, "%s: bad packet header at offset %lld\n", path,
				(long long)off);
			bad = 1;
			break;
		}
		next_packet++;
		discarded = h->events_discarded;
		for (unsigned s = 1; s < end_slot;) {
			const struct ring_record *r = (const void *)(map + off + s * RING_SLOT_SIZE);
			uint32_t t;
			uint64_t seq;

			memcpy(&t, r->args, 4);
			memcpy(&seq, r->args + 8, 8);
			if (r->nslots == 0 || s + r->nslots > end_slot || t != thread ||
			    seq < expect) {
				fprintf(stderr, "%s: bad record at offset %lld: id=%u nslots=%u "
					"thread=%u seq=%llu (expected >= %llu)\n", path,
					(long long)(off + s * RING_SLOT_SIZE), r->id, r->nslots,
					t, (unsigned long long)seq, (unsigned long long)expect);
				bad = 1;
				break;
			}
			gaps += seq - expect;
			expect = seq + 1;
			delivered++;
			s += r->nslots;
		}
	}
	if (map)
		munmap((void *)map, st.st_size);
	close(fd);
	if (exact && (delivered != per_thread || gaps != 0)) {
		fprintf(stderr, "%s: %llu of %llu events, %llu missing\n", path,
			(unsigned long long)delivered, (unsigned long long)per_thread,
			(unsigned long long)(per_thread - delivered));
		bad = 1;
	}
	if (prefix >= 0 && (gaps != 0 || (long long)delivered < prefix + 1)) {
		fprintf(stderr, "%s: not a prefix reaching seq %lld: delivered=%llu "
			"holes=%llu\n", path, prefix, (unsigned long long)delivered,
			(unsigned long long)gaps);
		bad = 1;
	}
	if (!exact && prefix < 0 && expect < per_thread)
		gaps += per_thread - expect;	/* dropped after the last delivered */
	if (prefix < 0 && gaps != discarded) {
		fprintf(stderr, "%s: %llu events missing but events_discarded says %llu\n",
			path, (unsigned long long)gaps, (unsigned long long)discarded);
		bad = 1;
	}
	printf("%s: delivered=%llu gaps=%llu discarded=%llu lost_packets=%u\n",
	       path, (unsigned long long)delivered, (unsigned long long)gaps,
	       (unsigned long long)discarded, lost_packets);
	*delivered_out += delivered;
	*gaps_out += gaps;
	return bad;
}

int main(int argc, char **argv)
{
	uint64_t per_thread, delivered = 0, gaps = 0;
	long long prefix = -1;
	int exact = 0, bad = 0;
	unsigned nstreams = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: check-seq DIR EVENTS_PER_THREAD [--exact|--prefix N]\n");
		return 2;
	}
	per_thread = strtoull(argv[2], NULL, 0);
	if (argc > 3 && strcmp(argv[3], "--exact") == 0)
		exact = 1;
	else if (argc > 4 && strcmp(argv[3], "--prefix") == 0)
		prefix = atoll(argv[4]);
	for (unsigned t = 0;; t++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/vcpu%u", argv[1], t);
		if (access(path, F_OK) != 0)
			break;
		bad |= check_stream(path, t, per_thread, exact, prefix, &delivered, &gaps);
		nstreams++;
	}
	if (nstreams == 0) {
		fprintf(stderr, "%s: no vcpu streams\n", argv[1]);
		return 1;
	}
	printf("streams=%u delivered=%llu gaps=%llu\n", nstreams,
	       (unsigned long long)delivered, (unsigned long long)gaps);
	return bad;
}
