// SPDX-License-Identifier: MIT
/*
 * Streaming k-way merge over the stream files of a trace directory.
 *
 * Each stream file is one mmap; a stream keeps a cursor (current packet,
 * next slot) and one pending item, the next thing it will deliver.  A
 * binary min-heap of streams, keyed by (pending timestamp, stream index),
 * picks the next item: vt_trace_next() advances the stream it returned
 * last, sifts it down, and hands out the new top.  Nothing is copied or
 * allocated per event; the payload pointer points into the mapping.
 *
 * Packets are validated when the cursor enters them (magic, uuid,
 * stream_id, sizes), records when they are reached (id known, nslots as
 * the metadata says, inside content_size).  Any failure is reported with
 * its byte offset and the cursor jumps to the next 4096-byte packet, so
 * one bad byte costs at most one packet.
 *
 * Behind the cursor, whole pages are given back with MADV_DONTNEED every
 * RELEASE_BYTES, which keeps the resident set bounded for any trace size.
 */
#include "tools/vtrace/ctf-reader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PACKET_BITS	(RING_PACKET_SIZE * 8u)
#define SLOT_BITS	(RING_SLOT_SIZE * 8u)
#define RELEASE_BYTES	(1u << 20)
#define PREFETCH_AHEAD	2048

struct stream {
	struct vt_stream pub;
	char *name, *path;

	const uint8_t *map;
	uint64_t size;
	uint64_t released;	/* bytes given back with MADV_DONTNEED */

	/* cursor */
	uint64_t pkt_off;	/* current packet */
	bool in_packet;
	uint32_t slot, end_slot;
	uint32_t cpu_id;
	uint64_t ts_begin;
	uint64_t last_ts;	/* of the stream's previous event */
	bool ts_back_reported;	/* in the current packet */

	/* what the previous good packet said, for loss accounting */
	bool have_prev;
	uint32_t prev_seq;
	uint64_t prev_discarded;
	uint32_t skipped;	/* bad packets since the previous good one */
	uint32_t bad_run;	/* bad packets in a row, reported once */
	uint64_t bad_run_first, bad_run_last;
	uint64_t pend_lost, pend_discarded;

	struct vt_item item;	/* pending: the next item of this stream */
};

struct vt_trace {
	struct vt_metadata *md;
	vt_error_fn on_error;
	void *opaque;
	uint64_t errors;
	bool live;		/* a consumer still writes it (flock held) */
	uint64_t unwritten;	/* live: packets not on disk yet, skipped */

	struct stream *streams;
	unsigned int nstreams;

	struct stream **heap;
	unsigned int nheap;
	bool started;
};

/* ------------------------------------------------------------ errors */

static void default_error(void *opaque, const char *path, int64_t offset,
			  const char *reason)
{
	(void)opaque;
	if (path && offset >= 0)
		fprintf(stderr, "vtrace: %s: offset %" PRId64 ": %s\n", path,
			offset, reason);
	else if (path)
		fprintf(stderr, "vtrace: %s: %s\n", path, reason);
	else
		fprintf(stderr, "vtrace: %s\n", reason);
}

static void __attribute__((format(printf, 4, 5)))
report(struct vt_trace *t, const char *path, int64_t offset,
       const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	t->errors++;
	t->on_error(t->opaque, path, offset, reason);
}

/* vtrace-consumer holds an exclusive flock on metadata while it writes. */
static bool trace_is_live(const char *md_path)
{
	int fd = open(md_path, O_RDONLY | O_CLOEXEC);
	bool live;

	if (fd < 0)
		return false;
	live = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return live;
}

/* ------------------------------------------------------------ packets */

/* Check a packet header; 0 if good, else -1 with the reason in why. */
static int check_packet(const struct vt_trace *t,
			const struct ring_packet_header *h, char *why,
			size_t len)
{
	if (h->magic != RING_CTF_MAGIC)
		snprintf(why, len, "bad packet magic 0x%08x (want 0x%08x)",
			 h->magic, RING_CTF_MAGIC);
	else if (t->md->has_uuid && memcmp(h->uuid, t->md->uuid, 16))
		snprintf(why, len, "packet uuid does not match the metadata's "
			 "trace uuid");
	else if (h->stream_id != 0)
		snprintf(why, len, "stream_id %u (want 0)", h->stream_id);
	else if (h->content_size > h->packet_size)
		snprintf(why, len, "content_size %u bits is larger than "
			 "packet_size %u bits", h->content_size,
			 h->packet_size);
	else if (h->packet_size != PACKET_BITS)
		snprintf(why, len, "packet_size %u bits (want %u)",
			 h->packet_size, PACKET_BITS);
	else if (h->content_size < SLOT_BITS || h->content_size % SLOT_BITS)
		snprintf(why, len, "content_size %u bits is not a whole number "
			 "of 64-byte slots", h->content_size);
	else if (h->timestamp_begin > h->timestamp_end)
		snprintf(why, len, "timestamp_begin %" PRIu64 " after "
			 "timestamp_end %" PRIu64, h->timestamp_begin,
			 h->timestamp_end);
	else
		return 0;
	return -1;
}

/*
 * A run of bad packets (a zero-filled tail, a stretch of garbage) is
 * reported as its first packet's reason plus one summary line, not one
 * line per packet.
 */
static void end_bad_run(struct vt_trace *t, struct stream *s)
{
	if (s->bad_run > 1)
		report(t, s->path, (int64_t)s->bad_run_first,
		       "%u more bad packets, up to offset %" PRIu64
		       ", skipped", s->bad_run - 1, s->bad_run_last);
	s->bad_run = 0;
}

/* Release pages behind the cursor. */
static void release_behind(struct stream *s)
{
	uint64_t upto = s->pkt_off;

	if (upto - s->released < RELEASE_BYTES)
		return;
	madvise((void *)(s->map + s->released), upto - s->released,
		MADV_DONTNEED);
	s->released = upto;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* Enter the next good packet at or after s->pkt_off.  false at the end of
 * the file. */
static bool open_packet(struct vt_trace *t, struct stream *s)
{
	for (;; s->pkt_off += RING_PACKET_SIZE) {
		const struct ring_packet_header *h;
		char why[160];

		if (s->pkt_off >= s->size) {
			end_bad_run(t, s);
			return false;
		}
		if (s->size - s->pkt_off < RING_PACKET_SIZE && t->live) {
			end_bad_run(t, s);	/* a write in flight */
			t->unwritten++;
			s->pkt_off = s->size;
			return false;
		}
		if (s->size - s->pkt_off < RING_PACKET_SIZE) {
			end_bad_run(t, s);
			report(t, s->path, (int64_t)s->pkt_off,
			       "truncated packet: %" PRIu64 " of %u bytes",
			       s->size - s->pkt_off, RING_PACKET_SIZE);
			s->pkt_off = s->size;
			return false;
		}
		release_behind(s);
		h = (const void *)(s->map + s->pkt_off);
		if (t->live && all_zero(s->map + s->pkt_off, RING_PACKET_SIZE)) {
			/* Written after this one, or still in flight: in a
			 * live trace that is no damage, nor a lost packet. */
			end_bad_run(t, s);
			t->unwritten++;
			s->skipped++;
			continue;
		}
		if (check_packet(t, h, why, sizeof(why))) {
			if (!s->bad_run++)
				report(t, s->path, (int64_t)s->pkt_off, "%s",
				       why);
			else if (s->bad_run == 2)
				s->bad_run_first = s->pkt_off;
			s->bad_run_last = s->pkt_off;
			s->skipped++;
			continue;
		}
		end_bad_run(t, s);
		if (s->have_prev) {
			uint32_t want = s->prev_seq + 1 + s->skipped;

			if (h->packet_seq_num - want < (1u << 31))
				s->pend_lost = h->packet_seq_num - want;
			else
				report(t, s->path, (int64_t)s->pkt_off,
				       "packet_seq_num went back from %u to %u",
				       s->prev_seq, h->packet_seq_num);
			if (h->events_discarded > s->prev_discarded)
				s->pend_discarded = h->events_discarded -
						    s->prev_discarded;
		} else {
			s->pend_discarded = h->events_discarded;
		}
		if (s->have_prev && h->events_discarded < s->prev_discarded)
			report(t, s->path, (int64_t)s->pkt_off,
			       "events_discarded went down from %" PRIu64
			       " to %" PRIu64, s->prev_discarded,
			       h->events_discarded);
		s->have_prev = true;
		s->prev_seq = h->packet_seq_num;
		s->prev_discarded = h->events_discarded;
		s->skipped = 0;
		s->in_packet = true;
		s->ts_back_reported = false;
		s->slot = 1;
		s->end_slot = h->content_size / SLOT_BITS;
		s->cpu_id = h->cpu_id;
		s->ts_begin = h->timestamp_begin;
		return true;
	}
}

/* Leave the current packet (done or damaged). */
static inline void close_packet(struct stream *s)
{
	s->in_packet = false;
	s->pkt_off += RING_PACKET_SIZE;
}

/* Turn one pending loss into s->item. */
static void take_loss(struct stream *s)
{
	struct vt_item *it = &s->item;

	if (s->pend_lost) {
		it->kind = VT_ITEM_LOST_PACKETS;
		it->count = s->pend_lost;
		s->pend_lost = 0;
	} else {
		it->kind = VT_ITEM_DISCARDED;
		it->count = s->pend_discarded;
		s->pend_discarded = 0;
	}
	it->cpu_id = s->cpu_id;
	it->timestamp = s->ts_begin;
	it->offset = s->pkt_off;
	it->event = NULL;
	it->payload = NULL;
}

/* Fill s->item with the stream's next item; false at its end. */
static bool __attribute__((noinline))
stream_advance(struct vt_trace *t, struct stream *s)
{
	struct vt_item *it = &s->item;

	for (;;) {
		/* losses found when the packet was opened go first */
		if (__builtin_expect(s->pend_lost | s->pend_discarded, 0)) {
			take_loss(s);
			return true;
		}
		if (__builtin_expect(s->in_packet && s->slot < s->end_slot,
				     1)) {
			const uint8_t *rec = s->map + s->pkt_off +
					     (uint64_t)s->slot * RING_SLOT_SIZE;
			const struct ring_record *r = (const void *)rec;
			const struct vt_event_class *ec;

			ec = vt_metadata_event(t->md, r->id);
			if (__builtin_expect(!ec || r->nslots != ec->nslots ||
						     s->slot + r->nslots >
							     s->end_slot,
					     0)) {
				int64_t off = (int64_t)(s->pkt_off +
							s->slot * RING_SLOT_SIZE);

				if (!ec)
					report(t, s->path, off, "record id %u "
					       "is not in the metadata", r->id);
				else if (r->nslots != ec->nslots)
					report(t, s->path, off, "record of "
					       "'%s' spans %u slots, the "
					       "metadata says %u", ec->name,
					       r->nslots, ec->nslots);
				else
					report(t, s->path, off, "record of "
					       "'%s' runs past content_size",
					       ec->name);
				close_packet(s);
				continue;
			}
			it->kind = VT_ITEM_EVENT;
			it->cpu_id = s->cpu_id;
			it->timestamp = r->timestamp;
			it->offset = s->pkt_off + s->slot * RING_SLOT_SIZE;
			if (__builtin_expect(r->timestamp < s->last_ts, 0)) {
				/* Once a packet: a damaged clock is loud. */
				if (!s->ts_back_reported)
					report(t, s->path, (int64_t)it->offset,
					       "timestamp goes back from %" PRIu64
					       " to %" PRIu64 " in the stream",
					       s->last_ts, r->timestamp);
				s->ts_back_reported = true;
			}
			s->last_ts = r->timestamp;
			it->event = ec;
			it->payload = rec + 16;
			__builtin_prefetch(rec + PREFETCH_AHEAD);
			s->slot += r->nslots;
			return true;
		}
		if (s->in_packet)
			close_packet(s);
		if (!open_packet(t, s))
			return false;
	}
}

/* ------------------------------------------------------------ heap */

static inline bool before(const struct stream *a, const struct stream *b)
{
	if (a->item.timestamp != b->item.timestamp)
		return a->item.timestamp < b->item.timestamp;
	return a->pub.index < b->pub.index;
}

static void sift_down(struct vt_trace *t, unsigned int i)
{
	struct stream **h = t->heap, *s = h[i];
	unsigned int n = t->nheap;

	for (;;) {
		unsigned int c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && before(h[c + 1], h[c]))
			c++;
		if (!before(h[c], s))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = s;
}

/*
 * The common case of stream_advance(), inlined into vt_trace_next(): the
 * next record of the packet being read is good.  Anything else (a loss to
 * report, the end of a packet, a bad record) takes the full path.
 */
static inline bool stream_next(struct vt_trace *t, struct stream *s)
{
	if (__builtin_expect(!(s->pend_lost | s->pend_discarded) &&
				     s->in_packet && s->slot < s->end_slot,
			     1)) {
		uint64_t off = s->pkt_off + (uint64_t)s->slot * RING_SLOT_SIZE;
		const uint8_t *rec = s->map + off;
		const struct ring_record *r = (const void *)rec;
		const struct vt_event_class *ec = vt_metadata_event(t->md,
								    r->id);

		if (__builtin_expect(ec && r->nslots == ec->nslots &&
					     s->slot + r->nslots <= s->end_slot &&
					     r->timestamp >= s->last_ts,
				     1)) {
			struct vt_item *it = &s->item;

			__builtin_prefetch(rec + PREFETCH_AHEAD);
			it->kind = VT_ITEM_EVENT;
			it->cpu_id = s->cpu_id;
			it->timestamp = r->timestamp;
			s->last_ts = r->timestamp;
			it->offset = off;
			it->event = ec;
			it->payload = rec + 16;
			s->slot += r->nslots;
			return true;
		}
	}
	return stream_advance(t, s);
}

const struct vt_item *vt_trace_next_ref(struct vt_trace *t)
{
	if (__builtin_expect(!t->started, 0)) {
		t->started = true;
		for (unsigned int i = 0; i < t->nstreams; i++)
			if (stream_advance(t, &t->streams[i]))
				t->heap[t->nheap++] = &t->streams[i];
		for (unsigned int i = t->nheap / 2; i-- > 0;)
			sift_down(t, i);
	} else if (__builtin_expect(t->nheap != 0, 1)) {
		if (__builtin_expect(!stream_next(t, t->heap[0]), 0))
			t->heap[0] = t->heap[--t->nheap];
		if (t->nheap == 2) {
			/*
			 * Two streams, the usual case.  Which one goes next
			 * is a coin flip when their events interleave, so
			 * choose without a branch to mispredict.
			 */
			struct stream *a = t->heap[0], *b = t->heap[1];
			uintptr_t swap = (uintptr_t)0 -
				(uintptr_t)((b->item.timestamp <
					     a->item.timestamp) |
					    ((b->item.timestamp ==
					      a->item.timestamp) &
					     (b->pub.index < a->pub.index)));
			uintptr_t x = ((uintptr_t)a ^ (uintptr_t)b) & swap;

			t->heap[0] = (struct stream *)((uintptr_t)a ^ x);
			t->heap[1] = (struct stream *)((uintptr_t)b ^ x);
		} else if (t->nheap > 2) {
			sift_down(t, 0);
		}
	}
	if (!t->nheap)
		return NULL;
	return &t->heap[0]->item;
}

int vt_trace_next(struct vt_trace *t, struct vt_item *item)
{
	const struct vt_item *it = vt_trace_next_ref(t);

	if (!it)
		return 0;
	*item = *it;
	return 1;
}

/* ------------------------------------------------------------ range */

int vt_trace_time_range(struct vt_trace *t, uint64_t *begin, uint64_t *end)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	bool any = false;
	char why[160];

	for (unsigned int i = 0; i < t->nstreams; i++) {
		const struct stream *s = &t->streams[i];
		uint64_t npkt = s->size / RING_PACKET_SIZE;
		const struct ring_packet_header *h;

		for (uint64_t p = 0; p < npkt; p++) {
			h = (const void *)(s->map + p * RING_PACKET_SIZE);
			if (!check_packet(t, h, why, sizeof(why))) {
				if (h->timestamp_begin < lo)
					lo = h->timestamp_begin;
				any = true;
				break;
			}
		}
		for (uint64_t p = npkt; p-- > 0;) {
			h = (const void *)(s->map + p * RING_PACKET_SIZE);
			if (!check_packet(t, h, why, sizeof(why))) {
				if (h->timestamp_end > hi)
					hi = h->timestamp_end;
				break;
			}
		}
	}
	if (!any)
		return -1;
	*begin = lo;
	*end = hi > lo ? hi : lo;
	return 0;
}

/* ------------------------------------------------------------ open */

/* Stream order: vcpuN by N, then sysN by N, then any other name. */
static void sort_key(const char *name, int *class, unsigned long *n)
{
	const char *digits = NULL;
	char *end;

	*class = 2;
	*n = 0;
	if (!strncmp(name, "vcpu", 4)) {
		*class = 0;
		digits = name + 4;
	} else if (!strncmp(name, "sys", 3)) {
		*class = 1;
		digits = name + 3;
	}
	if (!digits)
		return;
	if (*digits < '0' || *digits > '9') {
		*class = 2;
		return;
	}
	*n = strtoul(digits, &end, 10);
	if (*end)
		*class = 2;
}

static int compare_streams(const void *a, const void *b)
{
	const struct stream *x = a, *y = b;
	int cx, cy;
	unsigned long nx, ny;

	sort_key(x->name, &cx, &nx);
	sort_key(y->name, &cy, &ny);
	if (cx != cy)
		return cx - cy;
	if (cx < 2 && nx != ny)
		return nx < ny ? -1 : 1;
	return strcmp(x->name, y->name);
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *path;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	path = malloc(n + strlen(name) + 2);
	if (path)
		sprintf(path, "%.*s/%s", (int)n, dir, name);
	return path;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a file";
}

/* List the stream files of dir into t->streams (not mapped yet).  What
 * is no regular file (a FIFO, a link to a device) is reported. */
static int list_streams(struct vt_trace *t, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned int cap = 0;

	if (!d) {
		report(t, dir, -1, "%s", strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		struct stat st;
		struct stream *s;
		char *path;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "metadata"))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0) {
			report(t, dir, -1, "%s: %s; skipped", de->d_name,
			       strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode))
			continue;	/* index/ and the like: no stream */
		if (!S_ISREG(st.st_mode)) {
			report(t, dir, -1, "%s: not a regular file (%s); "
			       "skipped", de->d_name, file_kind(st.st_mode));
			continue;
		}
		path = join(dir, de->d_name);
		if (!path)
			goto out_nomem;
		if (t->nstreams == cap) {
			struct stream *bigger;

			cap = cap ? 2 * cap : 8;
			bigger = realloc(t->streams, cap * sizeof(*bigger));
			if (!bigger) {
				free(path);
				goto out_nomem;
			}
			t->streams = bigger;
		}
		s = &t->streams[t->nstreams++];
		memset(s, 0, sizeof(*s));
		s->path = path;
		s->name = strdup(de->d_name);
		if (!s->name)
			goto out_nomem;
	}
	closedir(d);
	if (t->nstreams)	/* qsort(NULL, 0) is undefined */
		qsort(t->streams, t->nstreams, sizeof(*t->streams),
		      compare_streams);
	return 0;

out_nomem:
	closedir(d);
	report(t, dir, -1, "out of memory");
	return -1;
}

static void map_stream(struct vt_trace *t, struct stream *s)
{
	struct stat st;
	void *map;
	int fd;

	fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		report(t, s->path, -1, "%s", strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0) {
		report(t, s->path, -1, "%s", strerror(errno));
		goto out_close;
	}
	if (!st.st_size)
		goto out_close;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		report(t, s->path, -1, "mmap: %s", strerror(errno));
		goto out_close;
	}
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	s->map = map;
	s->size = (uint64_t)st.st_size;
out_close:
	close(fd);
}

struct vt_trace *vt_trace_open(const char *dir,
			       const struct vt_trace_options *opts)
{
	struct vt_trace *t = calloc(1, sizeof(*t));
	struct stat st;
	char err[512];
	char *md_path;

	if (!t) {
		fprintf(stderr, "vtrace: out of memory\n");
		return NULL;
	}
	t->on_error = opts && opts->on_error ? opts->on_error : default_error;
	t->opaque = opts ? opts->opaque : NULL;
	if (stat(dir, &st) < 0) {
		report(t, dir, -1, "%s", strerror(errno));
		goto out_free;
	}
	if (!S_ISDIR(st.st_mode)) {
		report(t, dir, -1, "not a trace directory");
		goto out_free;
	}
	/* listing first: an unreadable directory is named as such */
	if (list_streams(t, dir))
		goto out_free;
	md_path = join(dir, "metadata");
	if (!md_path) {
		report(t, dir, -1, "out of memory");
		goto out_free;
	}
	t->md = vt_metadata_parse_file(md_path, err, sizeof(err));
	t->live = trace_is_live(md_path);
	free(md_path);
	if (!t->md) {
		report(t, NULL, -1, "%s", err);
		goto out_free;
	}
	t->heap = calloc(t->nstreams ? t->nstreams : 1, sizeof(*t->heap));
	if (!t->heap) {
		report(t, dir, -1, "out of memory");
		goto out_free;
	}
	for (unsigned int i = 0; i < t->nstreams; i++) {
		struct stream *s = &t->streams[i];

		s->pub.name = s->name;
		s->pub.path = s->path;
		s->pub.index = i;
		s->item.stream = &s->pub;
		map_stream(t, s);
	}
	return t;

out_free:
	vt_trace_close(t);
	return NULL;
}

void vt_trace_close(struct vt_trace *t)
{
	if (!t)
		return;
	for (unsigned int i = 0; i < t->nstreams; i++) {
		struct stream *s = &t->streams[i];

		if (s->map)
			munmap((void *)s->map, s->size);
		free(s->name);
		free(s->path);
	}
	free(t->streams);
	free(t->heap);
	vt_metadata_free(t->md);
	free(t);
}

const struct vt_metadata *vt_trace_metadata(const struct vt_trace *t)
{
	return t->md;
}

unsigned int vt_trace_nstreams(const struct vt_trace *t)
{
	return t->nstreams;
}

const struct vt_stream *vt_trace_stream(const struct vt_trace *t,
					unsigned int index)
{
	return index < t->nstreams ? &t->streams[index].pub : NULL;
}

uint64_t vt_trace_unwritten(const struct vt_trace *t)
{
	return t->unwritten;
}

uint64_t vt_trace_errors(const struct vt_trace *t)
{
	return t->errors;
}
