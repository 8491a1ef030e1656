// SPDX-License-Identifier: MIT
/*
 * Fuzz the stream decoder of `vtrace dump` (tools/vtrace/ctf-reader.c)
 * with damaged stream files, the way dump uses it: every event rendered
 * with its compiled format (tools/vtrace/format.c).
 *
 * Input: the bytes of the stream files.  Byte 0 picks the layout: bit 0
 * set splits the rest in two streams (vcpu0 and sys0) at a packet
 * boundary chosen by byte 1, so the merge by timestamp runs too.  The
 * metadata is fixed: tests/fuzz/packet.metadata (a vtrace-stress trace's,
 * with its uuid, so valid packets from the corpus get past the uuid check).
 * Files live in a private directory under /dev/shm (or TMPDIR).
 *
 * Invariants: the reader ends (no more items than the input can hold),
 * every item has a known kind, an event's payload lies inside the record.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
#include "tools/vtrace/ctf-reader.h"
#include "tools/vtrace/format.h"

const char fuzz_name[] = "packet";

static char dir[256];
static char *render_buf;
static size_t render_len;

static void quiet(void *opaque, const char *path, int64_t offset,
		  const char *reason)
{
	(*(uint64_t *)opaque)++;
}

static void write_file(const char *name, const uint8_t *data, size_t size)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size);
	close(fd);
}

static void remove_file(const char *name)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static void cleanup(void)
{
	remove_file("vcpu0");
	remove_file("sys0");
	remove_file("metadata");
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const metas[] = {
		"tests/fuzz/packet.metadata",
		"../../tests/fuzz/packet.metadata",	/* from build/fuzz */
	};
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char *text = NULL;
	size_t len = 0;

	for (unsigned i = 0; i < 2 && !text; i++) {
		FILE *f = fopen(metas[i], "rb");
		const char *env = getenv("FUZZ_PACKET_METADATA");

		if (env && i == 0)
			f = fopen(env, "rb");
		if (!f)
			continue;
		text = malloc(1 << 20);
		len = fread(text, 1, 1 << 20, f);
		fclose(f);
	}
	if (!text) {
		fprintf(stderr, "fuzz-packet: tests/fuzz/packet.metadata not found "
				"(run from the source tree or set FUZZ_PACKET_METADATA)\n");
		exit(1);
	}
	snprintf(dir, sizeof(dir), "%s/vtrace-fuzz-packet.XXXXXX", base);
	FUZZ_ASSERT(mkdtemp(dir));
	write_file("metadata", (const uint8_t *)text, len);
	free(text);
	atexit(cleanup);
	return 0;
}

static void read_trace(size_t size)
{
	struct vt_trace_options opts;
	uint64_t errors = 0, items = 0;
	struct vt_trace *t;
	struct vt_item it;
	int ret;

	opts = (struct vt_trace_options){ .on_error = quiet, .opaque = &errors };
	t = vt_trace_open(dir, &opts);
	FUZZ_ASSERT(t);
	while ((ret = vt_trace_next(t, &it)) > 0) {
		FUZZ_ASSERT(++items <= size / 16 + 16);
		switch (it.kind) {
		case VT_ITEM_EVENT: {
			struct vt_event_class *ec = (void *)it.event;
			struct vt_format *f = ec->priv;
			char err[128];
			size_t need;

			FUZZ_ASSERT(ec && it.payload);
			if (!f) {
				if (ec->format)
					f = vt_format_compile(ec->format, ec, err,
							      sizeof(err));
				if (!f)
					f = vt_format_compile_fields(ec);
				ec->priv = f;
			}
			need = vt_format_max_len(f);
			if (need > render_len) {
				free(render_buf);
				render_buf = malloc(need);
				render_len = need;
			}
			vt_format_render(f, it.payload, render_buf);
			break;
		}
		case VT_ITEM_DISCARDED:
		case VT_ITEM_LOST_PACKETS:
			break;
		default:
			FUZZ_ASSERT(!"unknown item kind");
		}
	}
	FUZZ_ASSERT(ret == 0);
	{
		const struct vt_metadata *md = vt_trace_metadata(t);

		for (unsigned int i = 0; i < md->nevents; i++) {
			vt_format_free(md->events[i].priv);
			md->events[i].priv = NULL;
		}
	}
	vt_trace_close(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t split;

	if (size < 2)
		return 0;
	remove_file("vcpu0");
	remove_file("sys0");
	if (data[0] & 1) {
		split = (size_t)data[1] * 4096 + 2;
		if (split > size)
			split = size;
		write_file("vcpu0", data + 2, split - 2);
		write_file("sys0", data + split, size - split);
	} else {
		write_file("vcpu0", data + 2, size - 2);
	}
	read_trace(size);
	return 0;
}
