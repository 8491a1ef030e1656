/* SPDX-License-Identifier: MIT */
/*
 * The control protocol between a traced program (producer) and
 * vtrace-consumer, over a SOCK_SEQPACKET Unix socket: one message per
 * datagram, each starting with struct vt_msg.
 *
 *   producer                              consumer
 *   HELLO (params + CTF metadata)  --->   creates the rings (memfd, sealed)
 *                                  <---   RINGS + SCM_RIGHTS [eventfd, ring0..]
 *   FLUSH (seq)                    --->   drains all published data, partial
 *                                  <---   FLUSHED (seq, status)   packets too
 *   BYE                            --->   final drain, close, exit 0
 *
 * A hang-up without BYE means the producer died: the consumer drains what
 * was published and exits 0 all the same.  Rings are ordered vCPUs first
 * (nvcpus of them), then sys rings.
 */
#ifndef VTRACE_SESSION_PROTO_H
#define VTRACE_SESSION_PROTO_H

#include <stdint.h>

#define VT_PROTO_MAGIC		0x50545456u	/* "VTTP" */
#define VT_PROTO_VERSION	1u
#define VT_METADATA_MAX		(1u << 20)
#define VT_MAX_RINGS		200u	/* fits one SCM_RIGHTS message */

enum vt_msg_type {
	VT_MSG_HELLO = 1,
	VT_MSG_RINGS = 2,
	VT_MSG_FLUSH = 3,
	VT_MSG_FLUSHED = 4,
	VT_MSG_BYE = 5,
};

struct vt_msg {
	uint32_t magic;
	uint32_t type;		/* enum vt_msg_type */
	uint32_t seq;		/* FLUSH/FLUSHED pairing */
	int32_t status;		/* 0 or -errno in replies */
};

struct vt_hello {
	struct vt_msg msg;
	uint32_t version;
	uint32_t pid;
	uint32_t nvcpus;
	uint32_t nsys;
	uint32_t ring_kb;	/* per ring */
	uint32_t policy;	/* enum ring_policy */
	uint8_t uuid[16];	/* trace uuid, as in the metadata */
	uint32_t metadata_len;	/* bytes of CTF metadata text that follow */
	uint32_t pad;
	/* char metadata[metadata_len]; */
};

struct vt_rings {
	struct vt_msg msg;
	uint32_t nrings;	/* ring fds that follow the eventfd */
	uint32_t pad;
	uint64_t ring_bytes;	/* size of every ring memfd */
};

#endif /* VTRACE_SESSION_PROTO_H */
