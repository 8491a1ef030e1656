// SPDX-License-Identifier: MIT
/*
 * The CTF 1.8 trace directory: DIR/metadata, then DIR/vcpuN and DIR/sysN.
 *
 * The directory is created 0750 with its parents; the last component must
 * not be a symlink, and every file in it is new (O_CREAT|O_EXCL|O_NOFOLLOW),
 * so we never write through a link someone planted.  metadata is written
 * and fsynced before any stream file exists, so whatever happens later the
 * directory holds a readable trace made of whole packets.
 *
 * A stream file is opened on its first packet.  After a write error the
 * stream writes nothing more; at close it is cut back to the last packet
 * before the first failure, so no hole or torn packet stays in it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "consumer/consumer-internal.h"
#include "generated/autoconf.h"

const char *cons_dir_name = ".";
int cons_dir_fd = AT_FDCWD;

/* mkdir -p for the parents of @path (mode 0750 for the ones we create). */
static int mkdir_parents(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0750) && errno != EEXIST) {
			int err = -errno;

			*p = '/';
			return err;
		}
		*p = '/';
	}
	return 0;
}

int cons_trace_dir(const char *dir, int *out_dirfd)
{
	char *path = strdup(dir);
	size_t len;
	bool created = false;
	int fd, err;

	if (!path)
		return -ENOMEM;
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	err = mkdir_parents(path);
	if (!err) {
		if (mkdir(path, 0750) == 0)
			created = true;
		else if (errno != EEXIST)
			err = -errno;
	}
	if (!err) {
		/* O_NOFOLLOW: a symlink as the last component fails (ELOOP,
		 * or ENOTDIR with O_DIRECTORY). */
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			struct stat st;

			err = -errno;
			if (!lstat(path, &st) && S_ISLNK(st.st_mode))
				err = -ELOOP;
		} else if (created && fchmod(fd, 0750)) {
			err = -errno;
			close(fd);
		}
	}
	free(path);
	if (err)
		return err;
	*out_dirfd = fd;
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

int cons_write_metadata(int dirfd, const char *text, size_t len)
{
	int fd, err;

	fd = openat(dirfd, "metadata",
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	err = write_all(fd, text, len);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && fsync(dirfd))
		err = -errno;
	return err;
}

/*
 * Hold an exclusive flock on DIR/metadata while we write the
 * trace.  Readers that find it taken know the trace is live: packets whose
 * write is still in flight read as zeros, and are not damage.  The lock
 * goes away with us, however we end.  Returns the fd to keep open, or
 * -errno.
 */
int cons_lock_live(int dirfd)
{
	int fd = openat(dirfd, "metadata", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

void cons_stream_name(char *buf, size_t size, unsigned index, unsigned nvcpus)
{
	if (index < nvcpus)
		snprintf(buf, size, "vcpu%u", index);
	else
		snprintf(buf, size, "sys%u", index - nvcpus);
}

int cons_stream_open(int dirfd, struct cons_stream *s)
{
	int fd;

	fd = openat(dirfd, s->name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	s->fd = fd;
	s->direct = false;
#ifdef CONFIG_O_DIRECT
	/* Set after the open: on a file system without O_DIRECT (older
	 * tmpfs) an O_CREAT|O_EXCL|O_DIRECT open fails after creating the
	 * file, and the retry without it would then hit O_EXCL. */
	{
		int fl = fcntl(fd, F_GETFL);

		if (!getenv("VTRACE_NO_DIRECT") && fl >= 0 &&
		    fcntl(fd, F_SETFL, fl | O_DIRECT) == 0)
			s->direct = true;
	}
#endif
	return 0;
}

void cons_stream_failed(struct cons_stream *s, const char *dir, int err,
			uint64_t off, uint64_t ev_before)
{
	if (!s->err) {
		fprintf(stderr,
			CONS_NAME ": %s/%s: cannot write: %s; the rest of this "
			"stream is counted as lost, tracing goes on\n",
			dir, s->name, strerror(err));
		s->err = err;
		s->fail_off = off;
		s->fail_ev_before = ev_before;
		return;
	}
	if (off < s->fail_off) {
		s->fail_off = off;
		s->fail_ev_before = ev_before;
	}
}

#define RESERVE_NAME ".vtrace-reserve"

/*
 * Best effort: a full disk later must not keep us from recording what it
 * cost, so a packet per stream (and room for the file system's own
 * blocks) is taken now and given back at the end, before those packets.
 */
void cons_reserve_create(int dirfd, unsigned nstreams)
{
	off_t len = (off_t)(nstreams + 16) * RING_PACKET_SIZE;
	int fd = openat(dirfd, RESERVE_NAME,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			0640);
	static const char zero[RING_PACKET_SIZE];

	if (fd < 0)
		return;
	if (fallocate(fd, 0, 0, len)) {
		for (off_t off = 0; off < len; off += RING_PACKET_SIZE)
			if (pwrite(fd, zero, sizeof(zero), off) !=
			    (ssize_t)sizeof(zero))
				break;
		fdatasync(fd);
	}
	close(fd);
}

void cons_reserve_release(int dirfd)
{
	unlinkat(dirfd, RESERVE_NAME, 0);
}

int cons_stream_close(struct cons_stream *s, const char *dir)
{
	int err = 0;

	if (s->fd < 0)
		return 0;
	if (s->err && ftruncate(s->fd, s->fail_off))
		err = -errno;
	if (fdatasync(s->fd) && !err)
		err = -errno;
	if (close(s->fd) && !err)
		err = -errno;
	s->fd = -1;
	if (err)
		fprintf(stderr, CONS_NAME ": %s/%s: closing: %s\n", dir,
			s->name, strerror(-err));
	return err;
}
