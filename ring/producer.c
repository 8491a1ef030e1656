/* SPDX-License-Identifier: MIT */
/*
 * The producer's slow path: opening a packet.
 *
 * ring_reserve() falls here when the head sits at a packet start or the
 * record does not fit in what is left of the packet.  Then, in order:
 *   1. pad the rest of the packet (a RING_PAD_ID slot) and publish it, so
 *      the packet is complete and the consumer can take it;
 *   2. wake the consumer if it said it sleeps (P3), at most once a packet;
 *   3. make sure the whole next packet is free (P2), else apply the policy:
 *      discard counts the event in ctl->dropped, block waits on the
 *      tail_seq futex (P4) for a bounded time, then falls back to discard;
 *   4. note the cumulative drop count in the packet's header slot, for the
 *      consumer to put into the CTF packet context.
 */
#include <errno.h>
#include <pthread.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ring/ring-internal.h"

/* A writer with no ring: head 0 is a packet start, so every reserve comes
 * here and finds no slots. */
static struct ring_ctl null_ctl;
struct ring_writer ring_null_writer = { .ctl = &null_ctl };
__thread struct ring_writer *ring_self;
__thread struct ring_writer **ring_self_home;

/*
 * Every thread that looked its writer up (or got a home) is on this list,
 * so a session change can reset each one's ring_self and a grace period
 * can see each one's quiescent epoch.  A thread leaves the list when it
 * exits (the key's destructor), before its TLS goes away.
 */
#define QS_OFFLINE UINT64_MAX

struct self_node {
	struct ring_writer **slot;
	uint64_t qs;		/* last quiescent epoch, or QS_OFFLINE */
	struct self_node *prev, *next;
};
static __thread struct self_node self_node;
static __thread int self_listed;
uint64_t ring_grace_epoch = 1;
__thread uint64_t ring_self_qs;
static struct self_node self_list = { NULL, 0, &self_list, &self_list };
static pthread_mutex_t self_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t self_key;
static pthread_once_t self_key_once = PTHREAD_ONCE_INIT;

static void self_unlist(void *node)
{
	struct self_node *n = node;

	pthread_mutex_lock(&self_lock);
	n->prev->next = n->next;
	n->next->prev = n->prev;
	pthread_mutex_unlock(&self_lock);
}

static void self_key_create(void)
{
	pthread_key_create(&self_key, self_unlist);
}

static void self_list_add(void)
{
	pthread_once(&self_key_once, self_key_create);
	self_node.slot = &ring_self;
	pthread_mutex_lock(&self_lock);
	/* Under the lock a grace period scans with: listed after its scan,
	 * we see its epoch and the writers it unpublished (the acquire
	 * pairs with the release in ring_grace_start()). */
	ring_self_qs = __atomic_load_n(&ring_grace_epoch, __ATOMIC_ACQUIRE);
	self_node.qs = ring_self_qs;
	self_node.next = self_list.next;
	self_node.prev = &self_list;
	self_list.next->prev = &self_node;
	self_list.next = &self_node;
	pthread_mutex_unlock(&self_lock);
	pthread_setspecific(self_key, &self_node);
	self_listed = 1;
}

void ring_self_reset_all(void)
{
	pthread_mutex_lock(&self_lock);
	/* seq_cst: see ring_self_attach_slow(). */
	for (struct self_node *n = self_list.next; n != &self_list; n = n->next)
		__atomic_store_n(n->slot, NULL, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&self_lock);
}

void ring_thread_set_home(struct ring_writer **home)
{
	ring_self_home = home;
	__atomic_store_n(&ring_self, NULL, __ATOMIC_RELAXED);
	if (!self_listed)
		self_list_add();
}

void ring_quiescent_slow(uint64_t epoch)
{
	if (!self_listed) {
		self_list_add();
		return;
	}
	if (ring_self_qs == QS_OFFLINE) {
		ring_thread_online();	/* an event while offline */
		return;
	}
	ring_self_qs = epoch;
	/* Our accesses to older sessions' rings are done before a grace
	 * period sees this; pairs with the acquire in ring_grace_done(). */
	__atomic_store_n(&self_node.qs, epoch, __ATOMIC_RELEASE);
}

void ring_thread_offline(void)
{
	if (!self_listed)
		return;
	ring_self_qs = QS_OFFLINE;
	/* Pairs with the acquire in ring_grace_done(), as above. */
	__atomic_store_n(&self_node.qs, QS_OFFLINE, __ATOMIC_RELEASE);
}

void ring_thread_online(void)
{
	uint64_t e;

	if (!self_listed) {
		self_list_add();
		return;
	}
	/*
	 * Store, then load the epoch, both seq_cst; pairs with the seq_cst
	 * epoch increment and qs load of a grace period: either it sees us
	 * online at an older epoch (and waits), or we see its epoch, and
	 * with it the writers it unpublished.
	 */
	e = __atomic_load_n(&ring_grace_epoch, __ATOMIC_RELAXED);
	__atomic_store_n(&self_node.qs, e, __ATOMIC_SEQ_CST);
	ring_self_qs = __atomic_load_n(&ring_grace_epoch, __ATOMIC_SEQ_CST);
	if (ring_self_qs != e)
		__atomic_store_n(&self_node.qs, ring_self_qs, __ATOMIC_RELEASE);
}

uint64_t ring_grace_start(void)
{
	/* Release: pairs with the acquire in ring_quiescent(); seq_cst for
	 * ring_thread_online(). */
	return __atomic_add_fetch(&ring_grace_epoch, 1, __ATOMIC_SEQ_CST);
}

bool ring_grace_done(uint64_t epoch)
{
	bool done = true;

	ring_quiescent();	/* the caller is between events */
	pthread_mutex_lock(&self_lock);
	for (struct self_node *n = self_list.next; n != &self_list; n = n->next) {
		/* Pairs with the release and seq_cst stores of n->qs. */
		uint64_t qs = __atomic_load_n(&n->qs, __ATOMIC_SEQ_CST);

		if (qs != QS_OFFLINE && qs < epoch) {
			done = false;
			break;
		}
	}
	pthread_mutex_unlock(&self_lock);
	return done;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void wake_consumer(struct ring_writer *w)
{
	struct ring_ctl *ctl = w->ctl;

	/*
	 * P3: pairs with the consumer's seq_cst flag store and head load
	 * (C3).  A seq_cst read-modify-write of head (adding nothing) puts
	 * our published head in the seq_cst order before the flag load:
	 * either the consumer's head load sees it, or we see its flag.  No
	 * standalone fence, so TSan sees the order too.
	 */
	__atomic_fetch_add(&ctl->head, 0, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&ctl->consumer_sleeping, __ATOMIC_SEQ_CST))
		return;
	if (__atomic_exchange_n(&ctl->consumer_sleeping, 0, __ATOMIC_ACQ_REL))
		ring_session_wake_consumer(w->session);
}

static bool packet_free(struct ring_writer *w, uint64_t start)
{
	uint64_t tail;

	if (start + RING_SLOTS_PER_PACKET - w->tail_cache <= w->capacity)
		return true;
	/* P2: pairs with the consumer's store of tail (C2), made after the
	 * packet reached the disk; seq_cst for P4 below. */
	tail = __atomic_load_n(&w->ctl->tail, __ATOMIC_SEQ_CST);
	/* The consumer is trusted less than ourselves: a tail beyond our
	 * head would let us overwrite unread data, so ignore it. */
	if (tail <= start && tail > w->tail_cache)
		w->tail_cache = tail;
	return start + RING_SLOTS_PER_PACKET - w->tail_cache <= w->capacity;
}

/* Block policy: wait for the consumer to free a packet, bounded. */
static bool wait_for_room(struct ring_writer *w, uint64_t start)
{
	struct ring_ctl *ctl = w->ctl;
	uint64_t deadline = now_ms() + ring_session_block_timeout_ms(w->session);

	while (!ring_session_consumer_gone(w->session)) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		uint32_t seen;

		/* P4: seq_cst flag store, then seq_cst tail load (in
		 * packet_free()); pairs with the consumer's seq_cst tail store
		 * and flag load (C4): either we see its tail or it sees our
		 * flag and wakes us. */
		__atomic_store_n(&ctl->producer_waiting, 1, __ATOMIC_SEQ_CST);
		seen = __atomic_load_n(&ctl->tail_seq, __ATOMIC_ACQUIRE);
		if (packet_free(w, start))
			return true;
		if (now_ms() >= deadline) {
			ring_session_report_block_timeout(w->session, w->index);
			w->policy = RING_POLICY_DISCARD;
			return false;
		}
		syscall(SYS_futex, &ctl->tail_seq, FUTEX_WAIT, seen, &ts, NULL, 0);
	}
	w->policy = RING_POLICY_DISCARD;
	return false;
}

static void drop(struct ring_writer *w)
{
	w->dropped++;
	__atomic_store_n(&w->ctl->dropped, w->dropped, __ATOMIC_RELAXED);
}

struct ring_record *ring_reserve_slow(struct ring_writer *w, unsigned nslots)
{
	uint64_t pos = w->head;
	uint64_t in_packet = pos & (RING_SLOTS_PER_PACKET - 1);
	struct ring_packet_header *hdr;

	if (!w->slots)
		return NULL;	/* no ring: nothing to count it against */
	if (nslots == 0 || nslots >= RING_SLOTS_PER_PACKET) {
		drop(w);
		return NULL;
	}
	if (in_packet != 0) {
		struct ring_record *pad = &w->slots[pos & w->slot_mask];

		/* The pad reaches the disk: no byte of an older record may. */
		memset(pad, 0, (RING_SLOTS_PER_PACKET - in_packet) *
				       RING_SLOT_SIZE);
		pad->id = RING_PAD_ID;
		pad->nslots = (uint32_t)(RING_SLOTS_PER_PACKET - in_packet);
		pos += RING_SLOTS_PER_PACKET - in_packet;
		w->head = pos;
		/* P1 for the pad slot. */
		__atomic_store_n(&w->ctl->head, pos, __ATOMIC_RELEASE);
	}
	if (pos != 0)
		wake_consumer(w);
	if (!packet_free(w, pos) &&
	    (w->policy != RING_POLICY_BLOCK || !wait_for_room(w, pos))) {
		drop(w);
		return NULL;
	}
	hdr = (struct ring_packet_header *)&w->slots[pos & w->slot_mask];
	hdr->events_discarded = w->dropped;
	w->head = pos + 1;
	return &w->slots[w->head & w->slot_mask];
}

int ring_writer_init(struct ring_writer *w, void *map, uint64_t map_bytes,
		     enum ring_policy policy, unsigned index,
		     struct ring_session *session)
{
	struct ring_ctl *ctl = map;

	if (map_bytes < RING_CTL_SIZE || ctl->magic != RING_MAGIC ||
	    ctl->version != RING_ABI_VERSION ||
	    ctl->slot_size != RING_SLOT_SIZE || ctl->packet_size != RING_PACKET_SIZE ||
	    ctl->data_offset < RING_CTL_SIZE || ctl->data_offset > map_bytes ||
	    ctl->data_size > map_bytes - ctl->data_offset ||
	    ctl->data_size < RING_MIN_PACKETS * RING_PACKET_SIZE ||
	    (ctl->data_size & (ctl->data_size - 1)))
		return -EPROTO;
	*w = (struct ring_writer){
		.ctl = ctl,
		.slots = (struct ring_record *)((char *)map + ctl->data_offset),
		.capacity = ctl->data_size / RING_SLOT_SIZE,
		.head = ctl->head,
		.tail_cache = ctl->tail,
		.dropped = ctl->dropped,
		.policy = policy,
		.index = index,
		.session = session,
	};
	w->slot_mask = w->capacity - 1;
	return 0;
}

struct ring_writer *ring_self_attach_slow(void)
{
	struct ring_writer *w;

	if (!self_listed)
		self_list_add();
	for (;;) {
		struct ring_session *seen = NULL;
		bool current;

		if (ring_self_home)
			w = __atomic_load_n(ring_self_home, __ATOMIC_ACQUIRE);
		else
			w = ring_session_take_sys_writer(&seen);
		if (!w)
			w = &ring_null_writer;
		/*
		 * A session retired between our lookup and this store reset
		 * ring_self before it: we must not keep a writer of it
		 * beyond this event.  seq_cst store, then seq_cst load of
		 * what we looked up; pairs with the seq_cst unpublish and
		 * reset in ring_session_retire() and trace/backend.c: either
		 * its reset comes after our store, or we see the change and
		 * look up again.
		 */
		__atomic_store_n(&ring_self, w, __ATOMIC_SEQ_CST);
		if (ring_self_home)
			current = __atomic_load_n(ring_self_home,
						  __ATOMIC_SEQ_CST) == w;
		else
			current = ring_session_is_current(seen);
		if (current)
			return w;
	}
}
