/* SPDX-License-Identifier: MIT */
/*
 * uring-write FILE MB BLOCK_KB QD: the disk's raw io_uring write bandwidth,
 * with O_DIRECT where the file system allows, so `make bench` can put the
 * consumer's sustained rate next to what the disk does on its own.
 * Prints "MB/s=N o_direct=0|1".
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct io_uring ring;
	size_t mb, block, nblocks, submitted = 0, done = 0;
	unsigned qd;
	int fd, direct = 1;
	void *buf;
	double t0, t;

	if (argc != 5) {
		fprintf(stderr, "usage: uring-write FILE MB BLOCK_KB QD\n");
		return 2;
	}
	mb = strtoul(argv[2], NULL, 0);
	block = strtoul(argv[3], NULL, 0) * 1024;
	qd = (unsigned)strtoul(argv[4], NULL, 0);
	nblocks = mb * 1024 * 1024 / block;
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
	if (fd < 0 && errno == EINVAL) {
		direct = 0;
		fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	}
	if (fd < 0 || posix_memalign(&buf, 4096, block) ||
	    io_uring_queue_init(qd, &ring, 0) < 0) {
		perror("uring-write setup");
		return 1;
	}
	memset(buf, 0x5a, block);
	t0 = now();
	while (done < nblocks) {
		struct io_uring_cqe *cqe;

		while (submitted < nblocks && submitted - done < qd) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			io_uring_prep_write(sqe, fd, buf, (unsigned)block,
					    (off_t)(submitted * block));
			submitted++;
		}
		io_uring_submit_and_wait(&ring, 1);
		while (io_uring_peek_cqe(&ring, &cqe) == 0) {
			if (cqe->res != (int)block) {
				fprintf(stderr, "write: %s\n", strerror(-cqe->res));
				return 1;
			}
			io_uring_cqe_seen(&ring, cqe);
			done++;
		}
	}
	fsync(fd);
	t = now() - t0;
	printf("MB/s=%.0f o_direct=%d\n", mb / t, direct);
	close(fd);
	unlink(argv[1]);
	return 0;
}
