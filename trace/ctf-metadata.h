/* SPDX-License-Identifier: MIT */
#ifndef VTRACE_TRACE_CTF_METADATA_H
#define VTRACE_TRACE_CTF_METADATA_H

#include <stdint.h>

#include "trace/clock.h"

/* The whole CTF metadata text for this program's event table; malloc'd. */
char *trace_ctf_metadata(const uint8_t uuid[16], const struct trace_clock_info *clk,
			 const char *procname);

#endif /* VTRACE_TRACE_CTF_METADATA_H */
