// SPDX-License-Identifier: MIT
/*
 * Packet writes with io_uring.
 *
 * One io_uring for all rings; at most qd writes in flight (one struct
 * cons_io each), at most ctx->inflight_per_ring of them zero-copy from one
 * ring.  A write is one or more whole packets (consecutive complete packets
 * of a ring are written in one go, zero copy, when they are contiguous in
 * the mapping) at the stream's next file offset, so the offsets decide the
 * order on disk and completions may come back in any order.  The ring's
 * own state (packet states, writes in flight, tail) belongs to drain.c:
 * the writer only reports a zero-copy write that is over, through the
 * completion callback given to cons_writer_init().
 *
 * Fallbacks, each taken silently because each leaves a correct trace:
 *  - fixed buffers: the ring data mappings and the bounce pool are
 *    registered when CONFIG_URING_FIXED_BUFFERS is on; if registration
 *    fails (RLIMIT_MEMLOCK: ENOMEM/EPERM, old kernel, ring > 1 GiB) we use
 *    plain IORING_OP_WRITE;
 *  - O_DIRECT: set per stream file when the file system takes it (ctf.c);
 *    a write that still gets EINVAL drops O_DIRECT on that file and is
 *    resubmitted;
 *  - EAGAIN/EINTR: resubmitted a few times;
 *  - a short write: the rest is resubmitted, so that a full disk shows
 *    as ENOSPC and not as an anonymous short write.
 * Any other failure (ENOSPC, EIO, a write of 0 bytes) fails the stream for good:
 * reported once, its packets counted as lost, the ring still released.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "consumer/consumer-internal.h"

#define MAX_RETRIES 8
#define FIXED_MAX_BYTES (1ull << 30)	/* io_uring's limit per buffer */
#define FIXED_MAX_TOTAL (256ull << 20)	/* pins pages: stay modest */

int cons_writer_init(struct cons_writer *w, unsigned qd, unsigned nbounce,
		     cons_write_done_fn done)
{
	unsigned i;
	int err;

	memset(w, 0, sizeof(*w));
	w->done = done;
	w->qd = qd;
	w->nbounce = nbounce;
	err = io_uring_queue_init(qd, &w->uring, 0);
	if (err < 0)
		return err;
	w->ios = calloc(qd, sizeof(*w->ios));
	w->free_bounce = calloc(nbounce, sizeof(*w->free_bounce));
	if (posix_memalign((void **)&w->bounce, RING_PACKET_SIZE,
			   (size_t)nbounce * RING_PACKET_SIZE))
		w->bounce = NULL;
	if (!w->ios || !w->free_bounce || !w->bounce) {
		io_uring_queue_exit(&w->uring);
		free(w->ios);
		free(w->free_bounce);
		free(w->bounce);
		return -ENOMEM;
	}
	memset(w->bounce, 0, (size_t)nbounce * RING_PACKET_SIZE);
	for (i = 0; i < qd; i++) {
		w->ios[i].next_free = w->free_ios;
		w->free_ios = &w->ios[i];
	}
	for (i = 0; i < nbounce; i++)
		w->free_bounce[w->nfree_bounce++] = nbounce - 1 - i;
	w->ready = true;
	return 0;
}

void cons_writer_register(struct cons_writer *w, struct cons_ring *rings,
			  unsigned nrings)
{
#ifdef CONFIG_URING_FIXED_BUFFERS
	struct iovec *iov;
	uint64_t total = 0;
	unsigned i;

	for (i = 0; i < nrings; i++) {
		if (rings[i].npackets * RING_PACKET_SIZE > FIXED_MAX_BYTES)
			return;
		total += rings[i].npackets * RING_PACKET_SIZE;
	}
	if (total > FIXED_MAX_TOTAL)
		return;
	iov = calloc(nrings + 1, sizeof(*iov));
	if (!iov)
		return;
	for (i = 0; i < nrings; i++) {
		iov[i].iov_base = rings[i].data;
		iov[i].iov_len = rings[i].npackets * RING_PACKET_SIZE;
	}
	iov[nrings].iov_base = w->bounce;
	iov[nrings].iov_len = (size_t)w->nbounce * RING_PACKET_SIZE;
	if (io_uring_register_buffers(&w->uring, iov, nrings + 1) == 0) {
		w->fixed = true;
		w->bounce_buf_index = nrings;
	}
	free(iov);
#endif
}

void cons_writer_exit(struct cons_writer *w)
{
	if (!w->ready)
		return;
	io_uring_queue_exit(&w->uring);
	free(w->ios);
	free(w->free_bounce);
	free(w->bounce);
	w->ready = false;
}

void *cons_writer_get_bounce(struct cons_writer *w, int *index)
{
	if (!w->nfree_bounce || !w->free_ios)
		return NULL;
	*index = w->free_bounce[--w->nfree_bounce];
	return w->bounce + (size_t)*index * RING_PACKET_SIZE;
}

void cons_writer_put_bounce(struct cons_writer *w, int index)
{
	w->free_bounce[w->nfree_bounce++] = index;
}

bool cons_writer_can_submit(struct cons_writer *w)
{
	return w->free_ios != NULL;
}

static void prep(struct cons_writer *w, struct cons_io *io)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&w->uring);
	struct cons_stream *s = &io->ring->stream;

	if (!sqe) {
		/* Cannot happen: qd SQEs and at most qd ios.  Submit and
		 * retry rather than lose the write. */
		io_uring_submit(&w->uring);
		sqe = io_uring_get_sqe(&w->uring);
	}
	if (w->fixed)
		io_uring_prep_write_fixed(sqe, s->fd, (uint8_t *)io->buf + io->done,
					  io->len - io->done, io->off + io->done,
					  io->bounce >= 0 ? w->bounce_buf_index :
							    io->ring->index);
	else
		io_uring_prep_write(sqe, s->fd, (uint8_t *)io->buf + io->done,
				    io->len - io->done, io->off + io->done);
	io_uring_sqe_set_data(sqe, io);
	w->pending++;
}

/* The write of @packet.. is over (on disk or lost): the ring's owner
 * lets the ring move on. */
static void finish(struct cons_writer *w, struct cons_ring *r,
		   uint64_t packet, unsigned npk, int bounce)
{
	if (packet != CONS_NO_PACKET)
		w->done(r, packet, npk);
	if (bounce >= 0)
		cons_writer_put_bounce(w, bounce);
}

int cons_writer_write(struct cons_writer *w, struct cons_ring *r,
		      uint64_t packet, unsigned npk, int bounce, void *buf,
		      uint32_t events)
{
	struct cons_stream *s = &r->stream;
	struct cons_io *io;

	if (s->fd < 0 && !s->err) {
		int err = cons_stream_open(cons_dir_fd, s);

		if (err)
			cons_stream_failed(s, cons_dir_name, -err, 0, 0);
	}
	if (s->err) {
		s->lost_events += events;
		s->lost_packets += npk;
		finish(w, r, packet, npk, bounce);
		return 0;
	}
	io = w->free_ios;
	if (!io)
		return -EAGAIN;
	w->free_ios = io->next_free;
	io->ring = r;
	io->packet = packet;
	io->npk = npk;
	io->len = npk * RING_PACKET_SIZE;
	io->bounce = bounce;
	io->buf = buf;
	io->off = s->off;
	io->events = events;
	io->ev_before = s->sub_events;
	io->retries = 0;
	io->done = 0;
	s->off += io->len;
	s->sub_events += events;
	s->sub_packets += npk;
	w->inflight++;
	prep(w, io);
	return 0;
}

int cons_writer_submit(struct cons_writer *w)
{
	int ret;

	if (!w->pending)
		return 0;
	ret = io_uring_submit(&w->uring);
	if (ret < 0)
		return ret;
	w->pending -= (unsigned)ret < w->pending ? (unsigned)ret : w->pending;
	return 0;
}

static void complete(struct cons_writer *w, struct cons_io *io, int res)
{
	struct cons_ring *r = io->ring;
	struct cons_stream *s = &r->stream;

	if (res >= 0 && io->done + (unsigned)res == io->len) {
		w->bytes += io->len;
	} else if (res > 0 && io->retries++ < MAX_RETRIES) {
		/* A short write (the disk filled up under it): write the
		 * rest, so that the error, if any, comes back with its errno
		 * instead of an anonymous EIO. */
		io->done += (unsigned)res;
		prep(w, io);
		return;
	} else if ((res == -EAGAIN || res == -EINTR) &&
		   io->retries++ < MAX_RETRIES) {
		prep(w, io);
		return;
	} else if (res == -EINVAL && s->direct) {
		/* The file system took O_DIRECT at open but not this
		 * write: go through the page cache from now on. */
		int fl = fcntl(s->fd, F_GETFL);

		if (fl >= 0)
			fcntl(s->fd, F_SETFL, fl & ~O_DIRECT);
		s->direct = false;
		prep(w, io);
		return;
	} else {
		cons_stream_failed(s, cons_dir_name, res < 0 ? -res : EIO,
				   io->off, io->ev_before);
	}
	w->inflight--;
	finish(w, r, io->packet, io->npk, io->bounce);
	io->next_free = w->free_ios;
	w->free_ios = io;
}

int cons_writer_reap(struct cons_writer *w, bool wait)
{
	struct io_uring_cqe *cqe;
	int n = 0, err;

	if (wait && w->inflight) {
		if (w->pending) {
			err = cons_writer_submit(w);
			if (err)
				return err;
		}
		do {
			err = io_uring_wait_cqe(&w->uring, &cqe);
		} while (err == -EINTR);
		if (err)
			return err;
	}
	while (io_uring_peek_cqe(&w->uring, &cqe) == 0) {
		struct cons_io *io = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&w->uring, cqe);
		complete(w, io, res);
		n++;
	}
	return n;
}

int cons_writer_drain_all(struct cons_writer *w)
{
	int err;

	while (w->inflight) {
		err = cons_writer_submit(w);
		if (err)
			return err;
		err = cons_writer_reap(w, true);
		if (err < 0)
			return err;
	}
	return 0;
}
