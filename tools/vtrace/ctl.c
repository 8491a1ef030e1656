// SPDX-License-Identifier: MIT
/*
 * `vtrace ctl SOCKET COMMAND...`: one command to the emulator's monitor
 * (-monitor unix:SOCKET) and its reply on stdout, for scripts.
 *
 * The monitor speaks QEMU's HMP style: on connect a banner line, then
 * the prompt "(vtrace) "; after each command line the reply lines and a
 * new prompt.  We wait for the first prompt (dropping the banner), send
 * the words joined by spaces and a newline, and collect everything up to
 * the next prompt (or until the monitor closes, as after `quit`).  A
 * monitor that echoes the command line back gets the echo dropped.
 *
 * Exit status: 0, or 1 when the reply's first line starts with "error:",
 * when the socket cannot be reached, or when no prompt comes within the
 * timeout (10 s unless --timeout says otherwise: we never hang); 2 on bad
 * usage.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tools/vtrace/vtrace.h"

#define PROMPT		"(vtrace) "
#define PROMPT_LEN	(sizeof(PROMPT) - 1)
#define MAX_REPLY	(16u << 20)

struct conn {
	const char *path;
	int fd;
	int64_t deadline_ms;
	char *buf;
	size_t len, cap;
	bool closed;
};

void vt_ctl_usage(void *file)
{
	fprintf(file,
		"usage: vtrace ctl [--timeout S] SOCKET COMMAND [ARGS...]\n"
		"Send one command to the emulator's monitor on the Unix socket "
		"SOCKET\n"
		"(-monitor unix:SOCKET) and print its reply.\n"
		"\n"
		"  -t, --timeout S   give up after S seconds (default 10)\n"
		"  -h, --help        this text\n"
		"\n"
		"Example: vtrace ctl /tmp/mon.sock trace-event exec_tb on vcpu "
		"2\n"
		"Exit status: 0 ok, 1 the reply starts with \"error:\" or the "
		"monitor\n"
		"cannot be reached or does not answer in time, 2 bad usage.\n");
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining_ms(const struct conn *c)
{
	int64_t left = c->deadline_ms - now_ms();

	return left > 0 ? (int)(left > 60000 ? 60000 : left) : 0;
}

static int connect_to(struct conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(c->path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vtrace ctl: %s: socket path too long\n",
			c->path);
		return -1;
	}
	strcpy(sa.sun_path, c->path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       0);
	if (c->fd < 0) {
		fprintf(stderr, "vtrace ctl: socket: %s\n", strerror(errno));
		return -1;
	}
	for (;;) {
		if (!connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
			return 0;
		if (errno == EINTR)
			continue;
		/* a full backlog: try again until the deadline */
		if (errno == EAGAIN && remaining_ms(c) > 0) {
			usleep(10000);
			continue;
		}
		if (errno == EAGAIN)
			errno = ETIMEDOUT;
		fprintf(stderr, "vtrace ctl: cannot reach the monitor at %s: "
			"%s\n", c->path, strerror(errno));
		return -1;
	}
}

/* Read until the data ends with the prompt (true) or the peer closes
 * (false, c->closed); -1 on timeout or error, reported. */
static int read_to_prompt(struct conn *c)
{
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t n;
		int ret;

		if (c->len >= PROMPT_LEN &&
		    !memcmp(c->buf + c->len - PROMPT_LEN, PROMPT, PROMPT_LEN))
			return 1;
		if (c->cap - c->len < 4096) {
			char *bigger;

			if (c->cap >= MAX_REPLY) {
				fprintf(stderr, "vtrace ctl: %s: reply larger "
					"than %u MiB without a prompt\n",
					c->path, MAX_REPLY >> 20);
				return -1;
			}
			bigger = realloc(c->buf, c->cap ? 2 * c->cap : 8192);
			if (!bigger) {
				fprintf(stderr, "vtrace ctl: out of memory\n");
				return -1;
			}
			c->buf = bigger;
			c->cap = c->cap ? 2 * c->cap : 8192;
		}
		ret = poll(&p, 1, remaining_ms(c));
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			fprintf(stderr, "vtrace ctl: poll: %s\n",
				strerror(errno));
			return -1;
		}
		if (!ret) {
			fprintf(stderr, "vtrace ctl: %s: no answer from the "
				"monitor in time\n", c->path);
			return -1;
		}
		n = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			if (errno == ECONNRESET) {
				c->closed = true;
				return 0;
			}
			fprintf(stderr, "vtrace ctl: %s: read: %s\n", c->path,
				strerror(errno));
			return -1;
		}
		if (!n) {
			c->closed = true;
			return 0;
		}
		c->len += (size_t)n;
	}
}

static int send_all(struct conn *c, const char *s, size_t len)
{
	while (len) {
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		ssize_t n = send(c->fd, s, len, MSG_NOSIGNAL);

		if (n > 0) {
			s += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			int ret = poll(&p, 1, remaining_ms(c));

			if (ret > 0 || (ret < 0 && errno == EINTR))
				continue;
			errno = ret ? errno : ETIMEDOUT;
		}
		fprintf(stderr, "vtrace ctl: %s: sending the command: %s\n",
			c->path, strerror(errno));
		return -1;
	}
	return 0;
}

int vt_cmd_ctl(int argc, char **argv)
{
	static const struct option options[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct conn c = { .fd = -1 };
	double timeout_s = 10;
	char *line = NULL, *reply, *end;
	size_t line_len = 0;
	int opt, ret = 1, got;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+t:h", options, NULL)) != -1) {
		switch (opt) {
		case 't':
			timeout_s = strtod(optarg, &end);
			if (*end || !(timeout_s > 0) || timeout_s > 86400) {
				fprintf(stderr, "vtrace ctl: --timeout %s: want "
					"seconds\n", optarg);
				return 2;
			}
			break;
		case 'h':
			vt_ctl_usage(stdout);
			return 0;
		default:
			vt_ctl_usage(stderr);
			return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "vtrace ctl: %s\n", optind < argc ?
			"no command" : "no socket and no command");
		vt_ctl_usage(stderr);
		return 2;
	}
	c.path = argv[optind++];
	for (int i = optind; i < argc; i++) {
		if (strpbrk(argv[i], "\r\n")) {
			fprintf(stderr, "vtrace ctl: one command line, "
				"please (no newline in the words)\n");
			return 2;
		}
		line_len += strlen(argv[i]) + 1;
	}
	line = malloc(line_len + 1);
	if (!line) {
		fprintf(stderr, "vtrace ctl: out of memory\n");
		return 1;
	}
	line[0] = 0;
	for (int i = optind; i < argc; i++) {
		strcat(line, argv[i]);
		strcat(line, i + 1 < argc ? " " : "\n");
	}

	c.deadline_ms = now_ms() + (int64_t)(timeout_s * 1000);
	if (connect_to(&c))
		goto out;
	got = read_to_prompt(&c);
	if (got < 0)
		goto out;
	if (!got) {
		fprintf(stderr, "vtrace ctl: %s: the monitor closed the "
			"connection before its prompt\n", c.path);
		goto out;
	}
	c.len = 0;	/* the banner and the prompt */
	if (send_all(&c, line, line_len))
		goto out;
	got = read_to_prompt(&c);
	if (got < 0)
		goto out;
	if (got)
		c.len -= PROMPT_LEN;
	reply = c.buf ? c.buf : "";
	/* an echo of our own line */
	if (c.len >= line_len && !memcmp(reply, line, line_len)) {
		reply += line_len;
		c.len -= line_len;
	}
	if (c.len && fwrite(reply, 1, c.len, stdout) != c.len) {
		fprintf(stderr, "vtrace ctl: writing the reply: %s\n",
			strerror(errno));
		goto out;
	}
	if (c.len && reply[c.len - 1] != '\n')
		putchar('\n');
	if (fflush(stdout)) {
		fprintf(stderr, "vtrace ctl: writing the reply: %s\n",
			strerror(errno));
		goto out;
	}
	ret = c.len >= 6 && !strncmp(reply, "error:", 6) ? 1 : 0;
out:
	if (c.fd >= 0)
		close(c.fd);
	free(c.buf);
	free(line);
	return ret;
}
