/* SPDX-License-Identifier: MIT */
/*
 * The code buffer (codebuf.h): one memfd, mapped read-write and
 * read-execute.  The memfd is sparse: pages cost memory once a block is
 * written on them.  Allocation and reset run under the machine's tb_lock.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tcg/codebuf.h"

int tcg_codebuf_init(struct tcg_codebuf *cb, size_t size)
{
	int fd, err;

	fd = memfd_create("vtrace-code", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size)) {
		err = -errno;
		close(fd);
		return err;
	}
	cb->rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (cb->rw == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	cb->rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	err = cb->rx == MAP_FAILED ? -errno : 0;
	/* The mappings keep the memory: the descriptor is not needed. */
	close(fd);
	if (err) {
		munmap(cb->rw, size);
		return err;
	}
	cb->size = size;
	cb->used = 0;
	return 0;
}

void tcg_codebuf_destroy(struct tcg_codebuf *cb)
{
	munmap(cb->rw, cb->size);
	munmap(cb->rx, cb->size);
}

void *tcg_codebuf_alloc(struct tcg_codebuf *cb, size_t need)
{
	void *p;

	if (need > cb->size - cb->used)
		return NULL;
	p = cb->rw + cb->used;
	cb->used += need;
	return p;
}

void tcg_codebuf_reset(struct tcg_codebuf *cb)
{
	cb->used = 0;
}
