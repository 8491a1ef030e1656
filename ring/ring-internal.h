/* SPDX-License-Identifier: MIT */
/* Between the producer's slow path and its session; not for other folders. */
#ifndef VTRACE_RING_INTERNAL_H
#define VTRACE_RING_INTERNAL_H

#include <stdbool.h>

#include "ring/ring.h"
#include "ring/session.h"

void ring_session_wake_consumer(struct ring_session *s);
bool ring_session_consumer_gone(struct ring_session *s);
unsigned ring_session_block_timeout_ms(struct ring_session *s);
void ring_session_report_block_timeout(struct ring_session *s, unsigned ring);
/* A sys writer of the current session (*seen), NULL if none is left. */
struct ring_writer *ring_session_take_sys_writer(struct ring_session **seen);
bool ring_session_is_current(struct ring_session *s);

#endif /* VTRACE_RING_INTERNAL_H */
