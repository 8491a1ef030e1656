// SPDX-License-Identifier: MIT
/*
 * The control socket (ring/session-proto.h) and the rings' memory.
 *
 * The consumer owns the memory: it creates one memfd per ring, sized from
 * HELLO, and seals its size (F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL) before
 * the producer ever sees it, so a producer cannot truncate the file under
 * our mapping and make us take SIGBUS.  Geometry is written once into the
 * control page, and from then on we use only our own copy of it.
 *
 * HELLO is one datagram (struct vt_hello + metadata).  A producer whose
 * metadata does not fit one datagram may send the rest as raw datagrams
 * right after it; we read until metadata_len bytes arrived.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "consumer/consumer-internal.h"
#include "generated/autoconf.h"

#define HELLO_TIMEOUT_MS 30000

int cons_listen(const char *path, int sigfd, int *out_fd)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old_mask;
	int fd, conn, err;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	/* A stale socket from an earlier run is replaced; anything else at
	 * that path is left alone. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	old_mask = umask(0177);		/* the socket is born 0600 */
	err = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old_mask);
	if (err) {
		err = -errno;
		goto out_close;
	}
	if (chmod(path, 0600) || listen(fd, 1)) {
		err = -errno;
		goto out_unlink;
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
				       { .fd = sigfd, .events = POLLIN } };

		if (poll(p, sigfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR) {
			err = -errno;
			goto out_unlink;
		}
		if (p[1].revents & POLLIN) {
			err = -EINTR;	/* SIGINT/SIGTERM while waiting */
			goto out_unlink;
		}
		if (!(p[0].revents & POLLIN))
			continue;
		conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (conn >= 0 || (errno != EINTR && errno != ECONNABORTED))
			break;
	}
	if (conn < 0) {
		err = -errno;
		goto out_unlink;
	}
	*out_fd = conn;
	err = 0;
out_unlink:
	unlink(path);
out_close:
	close(fd);
	return err;
}

static int recv_timeout(int sock, void *buf, size_t size, int timeout_ms)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	ssize_t n;
	int ret;

	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	do {
		n = recv(sock, buf, size, MSG_TRUNC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n > size)
		return -EMSGSIZE;
	return (int)n;
}

int cons_session_hello(struct cons_ctx *ctx)
{
	size_t size = sizeof(struct vt_hello) + VT_METADATA_MAX;
	struct vt_hello *h = malloc(size);
	size_t got, want;
	int n, err = -EPROTO;

	if (!h)
		return -ENOMEM;
	n = recv_timeout(ctx->sock, h, size, HELLO_TIMEOUT_MS);
	if (n < 0) {
		err = n;
		goto out_free;
	}
	if (n == 0) {
		err = -ECONNRESET;
		goto out_free;
	}
	if ((size_t)n < sizeof(*h) || h->msg.magic != VT_PROTO_MAGIC ||
	    h->msg.type != VT_MSG_HELLO || h->version != VT_PROTO_VERSION)
		goto out_free;
	if (h->nvcpus + (uint64_t)h->nsys == 0 ||
	    h->nvcpus + (uint64_t)h->nsys > VT_MAX_RINGS ||
	    h->metadata_len == 0 || h->metadata_len > VT_METADATA_MAX ||
	    h->policy > RING_POLICY_BLOCK)
		goto out_free;
	got = n - sizeof(*h);
	want = h->metadata_len;
	while (got < want) {
		n = recv_timeout(ctx->sock, (char *)(h + 1) + got,
				 size - sizeof(*h) - got, HELLO_TIMEOUT_MS);
		if (n <= 0) {
			err = n ? n : -ECONNRESET;
			goto out_free;
		}
		got += n;
	}
	ctx->metadata = malloc(want + 1);
	if (!ctx->metadata) {
		err = -ENOMEM;
		goto out_free;
	}
	memcpy(ctx->metadata, h + 1, want);
	ctx->metadata[want] = '\0';
	ctx->metadata_len = want;
	ctx->pid = h->pid;
	ctx->nvcpus = h->nvcpus;
	ctx->nsys = h->nsys;
	ctx->policy = h->policy;
	memcpy(ctx->uuid, h->uuid, sizeof(ctx->uuid));
	ctx->ring_kb = h->ring_kb;
	err = 0;
out_free:
	free(h);
	return err;
}

int cons_ring_init(struct cons_ring *r, void *map, unsigned index,
		   uint32_t cpu_id, uint64_t npackets, uint32_t policy)
{
	struct ring_ctl *ctl = map;

	memset(r, 0, sizeof(*r));
	r->pstate = calloc(npackets, 1);
	if (!r->pstate)
		return -ENOMEM;
	r->index = index;
	r->cpu_id = cpu_id;
	r->memfd = -1;
	r->ctl = ctl;
	r->data = (uint8_t *)map + RING_CTL_SIZE;
	r->map_size = RING_CTL_SIZE + npackets * RING_PACKET_SIZE;
	r->npackets = npackets;
	r->capacity = npackets * RING_SLOTS_PER_PACKET;
	r->st.cpu_id = cpu_id;
	r->stream.fd = -1;

	memset(ctl, 0, RING_CTL_SIZE);
	ctl->magic = RING_MAGIC;
	ctl->version = RING_ABI_VERSION;
	ctl->slot_size = RING_SLOT_SIZE;
	ctl->packet_size = RING_PACKET_SIZE;
	ctl->data_offset = RING_CTL_SIZE;
	ctl->data_size = npackets * RING_PACKET_SIZE;
	ctl->ring_index = index;
	ctl->cpu_id = cpu_id;
	ctl->policy = policy;
	return 0;
}

/* Packets for @ring_kb KiB: a power of two within the ABI's bounds. */
static uint64_t ring_packets(uint32_t ring_kb)
{
	uint64_t want = ((uint64_t)ring_kb * 1024 + RING_PACKET_SIZE - 1) /
			RING_PACKET_SIZE;
	uint64_t n = RING_MIN_PACKETS;

	while (n < want && n < RING_MAX_PACKETS)
		n <<= 1;
	return n;
}

int cons_rings_create(struct cons_ctx *ctx, uint32_t ring_kb)
{
	uint64_t npackets = ring_packets(ring_kb ? ring_kb : CONFIG_RING_KB);
	size_t size = RING_CTL_SIZE + npackets * RING_PACKET_SIZE;
	unsigned i, n = ctx->nvcpus + ctx->nsys;
	int err;

	ctx->rings = calloc(n, sizeof(*ctx->rings));
	if (!ctx->rings)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct cons_ring *r = &ctx->rings[i];
		uint32_t cpu_id = i < ctx->nvcpus ?
					  i :
					  RING_CPU_ID_SYS + (i - ctx->nvcpus);
		char name[16], memfd_name[32];
		void *map;
		int fd;

		cons_stream_name(name, sizeof(name), i, ctx->nvcpus);
		snprintf(memfd_name, sizeof(memfd_name), "vtrace-%s", name);
		fd = memfd_create(memfd_name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (fd < 0)
			return -errno;
		if (ftruncate(fd, size) ||
		    fcntl(fd, F_ADD_SEALS,
			  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) {
			err = -errno;
			close(fd);
			return err;
		}
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   0);
		if (map == MAP_FAILED) {
			err = -errno;
			close(fd);
			return err;
		}
		err = cons_ring_init(r, map, i, cpu_id, npackets, ctx->policy);
		r->memfd = fd;
		ctx->nrings = i + 1;
		if (err)
			return err;
		memcpy(r->st.uuid, ctx->uuid, sizeof(r->st.uuid));
		memcpy(r->stream.name, name, sizeof(name));
	}
	return 0;
}

void cons_rings_destroy(struct cons_ctx *ctx)
{
	unsigned i;

	for (i = 0; i < ctx->nrings; i++) {
		struct cons_ring *r = &ctx->rings[i];

		if (r->ctl)
			munmap(r->ctl, r->map_size);
		if (r->memfd >= 0)
			close(r->memfd);
		free(r->pstate);
	}
	free(ctx->rings);
	ctx->rings = NULL;
	ctx->nrings = 0;
}

int cons_send_msg(int sock, uint32_t type, uint32_t seq, int32_t status)
{
	struct vt_msg m = { .magic = VT_PROTO_MAGIC, .type = type,
			    .seq = seq, .status = status };

	if (send(sock, &m, sizeof(m), MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

int cons_rings_send(struct cons_ctx *ctx, int status)
{
	struct vt_rings msg = {
		.msg = { .magic = VT_PROTO_MAGIC, .type = VT_MSG_RINGS,
			 .status = status },
	};
	struct iovec iov = { .iov_base = &msg, .iov_len = sizeof(msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	unsigned nfds = 0, i;
	char *cbuf = NULL;
	int ret = 0;

	if (!status) {
		struct cmsghdr *c;
		int *fds;

		nfds = ctx->nrings + 1;
		msg.nrings = ctx->nrings;
		msg.ring_bytes = ctx->rings[0].map_size;
		cbuf = calloc(1, CMSG_SPACE(nfds * sizeof(int)));
		if (!cbuf)
			return -ENOMEM;
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		fds = (int *)CMSG_DATA(c);
		fds[0] = ctx->efd;
		for (i = 0; i < ctx->nrings; i++)
			fds[i + 1] = ctx->rings[i].memfd;
	}
	if (sendmsg(ctx->sock, &mh, MSG_NOSIGNAL) < 0)
		ret = -errno;
	free(cbuf);
	return ret;
}
