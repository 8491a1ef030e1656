/* SPDX-License-Identifier: MIT */
/*
 * The plugin's control socket (control=PATH): the monitor's trace words,
 * spoken the way vtrace-emu's monitor speaks them, so that
 * `vtrace ctl PATH COMMAND...` drives QEMU's tracing as it drives ours:
 *
 *	info trace-events [GLOB] [vcpu N]
 *	trace-event NAME|GLOB on|off [vcpu N]
 *	trace-file [on|off|flush|set DIR]
 *	help
 *
 * The words are parsed and run by trace/hmp.c, the same code as
 * vtrace-emu's monitor; what is here is only the socket: a banner line,
 * the prompt "(vtrace) " before each command, the reply after it.  One
 * client at a time, on a thread of our own; the socket is born 0600 and
 * removed at exit.  vtrace-emu's monitor (system/monitor.c) serves the
 * board's words too and lives with the board, so it is not linked here.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "qemu-plugin/control.h"
#include "trace/hmp.h"

#define LINE_MAX_BYTES 1023
#define MAX_WORDS 16

static char *socket_path;
static int listen_fd = -1;

static const char help_text[] =
	"info trace-events [GLOB] [vcpu N] -- show the state of trace events\n"
	"trace-event NAME|GLOB on|off [vcpu N] -- change it (exec_tb: from "
	"QEMU's next plugin reset)\n"
	"trace-file [on|off|flush|set DIR] -- show or change the trace output\n"
	"help -- this text\n";

/* Run one command line, the reply on @out. */
static void run_line(char *line, FILE *out)
{
	char *argv[MAX_WORDS], *save = NULL, *tok;
	int argc = 0;

	for (tok = strtok_r(line, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == MAX_WORDS) {
			fprintf(out, "error: too many arguments\n");
			return;
		}
		argv[argc++] = tok;
	}
	if (!argc)
		return;
	if (!strcmp(argv[0], "info") && argc > 1 &&
	    !strcmp(argv[1], "trace-events"))
		trace_hmp_info_events(argc - 2, argv + 2, out);
	else if (!strcmp(argv[0], "trace-event"))
		trace_hmp_trace_event(argc - 1, argv + 1, out);
	else if (!strcmp(argv[0], "trace-file"))
		trace_hmp_trace_file(argc - 1, argv + 1, out);
	else if (!strcmp(argv[0], "help"))
		fputs(help_text, out);
	else
		fprintf(out, "error: unknown command: '%s' (help lists the "
			"commands)\n", argv[0]);
}

/* Send @len bytes; a client that hung up must not raise SIGPIPE in QEMU
 * (qemu-user would hand it to the guest). */
static void send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0 && errno != EINTR)
			return;
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		}
	}
}

static void reply(int fd, char *line)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return;
	if (line)
		run_line(line, out);
	else
		fprintf(out, "error: line too long (more than %d bytes); "
			"ignored\n", LINE_MAX_BYTES);
	fputs("(vtrace) ", out);
	fclose(out);
	send_all(fd, text, len);
	free(text);
}

static void serve(int fd)
{
	static const char banner[] = "vtrace-qemu control - type 'help' for "
				     "more information\n(vtrace) ";
	FILE *in = fdopen(dup(fd), "r");
	char line[LINE_MAX_BYTES + 2];	/* + newline + NUL */

	if (!in)
		return;
	send_all(fd, banner, sizeof(banner) - 1);
	while (fgets(line, sizeof(line), in)) {
		size_t len = strlen(line);

		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			int ch;

			/* Over-long: its tail is not a command of its own. */
			while ((ch = getc(in)) != EOF && ch != '\n')
				;
			reply(fd, NULL);
			continue;
		}
		reply(fd, line);
	}
	fclose(in);
}

static void *control_thread(void *arg)
{
	for (;;) {
		int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		serve(c);
		close(c);
	}
}

static void unlink_socket(void)
{
	unlink(socket_path);
}

int qplugin_control_start(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	pthread_t t;
	struct stat st;
	mode_t old_mask;
	int err;

	if (!*path || strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	socket_path = strdup(path);
	if (!socket_path)
		return -ENOMEM;
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		goto out_errno;
	/* Replace a stale socket, never anything else at that path. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	/* Only our user may change the tracing: born 0600. */
	old_mask = umask(0177);
	err = bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	      listen(listen_fd, 1);
	umask(old_mask);
	if (err)
		goto out_close;
	err = pthread_create(&t, NULL, control_thread, NULL);
	if (err) {
		unlink(path);
		close(listen_fd);
		listen_fd = -1;
		return -err;
	}
	pthread_detach(t);
	atexit(unlink_socket);
	return 0;

out_close:
	err = -errno;
	close(listen_fd);
	listen_fd = -1;
	free(socket_path);
	return err;
out_errno:
	err = -errno;
	free(socket_path);
	return err;
}
