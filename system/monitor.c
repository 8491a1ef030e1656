/* SPDX-License-Identifier: MIT */
/*
 * The human monitor: QEMU's words on stdio or a Unix socket.
 *
 * Commands live in tables of struct monitor_cmd ({name, args help, help,
 * argument counts, handler}); the built-in table is below and other parts
 * add theirs with monitor_register() / monitor_register_info() before
 * monitor_start().  A line is split on blanks; an unknown command, a wrong
 * number of arguments or a line over MONITOR_LINE_MAX bytes (refused whole,
 * up to its newline) prints one line and changes nothing.  A client that
 * hangs up early costs nothing: main() ignores SIGPIPE, a failed write is
 * just lost.
 *
 * With -monitor stdio the monitor owns stdin (the UART then receives
 * nothing); the UART still writes to stdout.  This is simpler than QEMU's
 * mux (C-a c) and documented in the -help text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "system/board.h"
#include "system/tracing.h"

struct monitor {
	struct board *b;
	int fd;			/* output of the command being run */
};

#define MAX_TABLES 8
#define MONITOR_LINE_MAX 1023	/* bytes before the newline */
static const struct monitor_cmd *cmd_tables[MAX_TABLES];
static const struct monitor_cmd *info_tables[MAX_TABLES];
static unsigned ncmd_tables, ninfo_tables;
static pthread_mutex_t mon_lock = PTHREAD_MUTEX_INITIALIZER;

void monitor_printf(struct monitor *mon, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdprintf(mon->fd, fmt, ap);
	va_end(ap);
}

struct board *monitor_board(struct monitor *mon)
{
	return mon->b;
}

static int add_table(const struct monitor_cmd **tables, unsigned *n,
		     const struct monitor_cmd *t)
{
	int ret = -ENOSPC;

	pthread_mutex_lock(&mon_lock);
	if (*n < MAX_TABLES) {
		tables[(*n)++] = t;
		ret = 0;
	}
	pthread_mutex_unlock(&mon_lock);
	return ret;
}

int monitor_register(const struct monitor_cmd *table)
{
	return add_table(cmd_tables, &ncmd_tables, table);
}

int monitor_register_info(const struct monitor_cmd *table)
{
	return add_table(info_tables, &ninfo_tables, table);
}

static const struct monitor_cmd *find(const struct monitor_cmd **tables,
				      unsigned n, const char *name)
{
	for (unsigned t = 0; t < n; t++)
		for (const struct monitor_cmd *c = tables[t]; c->name; c++)
			if (!strcmp(c->name, name))
				return c;
	return NULL;
}

static int check_args(struct monitor *mon, const struct monitor_cmd *c,
		      int argc, const char *prefix)
{
	if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
		if (*c->args)
			monitor_printf(mon, "error: %s%s: usage: %s%s %s\n", prefix,
				       c->name, prefix, c->name, c->args);
		else
			monitor_printf(mon, "error: %s%s: takes no arguments\n",
				       prefix, c->name);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- commands */

static const char *priv_name(enum tcg_priv p)
{
	return p == TCG_PRIV_M ? "M" : p == TCG_PRIV_S ? "S" : "U";
}

static int info_cpus(struct monitor *mon, int argc, char **argv)
{
	struct board *b = mon->b;
	static const char *const states[] = { "running", "halted", "stopped" };

	for (unsigned h = 0; h < b->ncpus; h++) {
		struct tcg_cpu *cpu = b->cpus[h];

		monitor_printf(mon, "%c CPU #%u: pc=0x%016llx priv=%s (%s) "
				    "thread_id=%d\n", h == 0 ? '*' : ' ', h,
			       (unsigned long long)tcg_cpu_get_pc(cpu),
			       priv_name(tcg_cpu_get_priv(cpu)),
			       states[tcg_cpu_state(cpu)], b->tids[h]);
	}
	return 0;
}

static int info_jit(struct monitor *mon, int argc, char **argv)
{
	struct board *b = mon->b;
	struct tcg_jit_stats st;

	tcg_machine_jit_stats(b->m, &st);
	monitor_printf(mon, "Translation buffer state:\n");
	monitor_printf(mon, "backend                %s\n",
		       tcg_machine_backend(b->m));
	monitor_printf(mon, "blocks translated      %llu\n",
		       (unsigned long long)st.translated);
	monitor_printf(mon, "retranslations         %llu\n",
		       (unsigned long long)st.retranslated);
	monitor_printf(mon, "invalidations          %llu\n",
		       (unsigned long long)st.invalidated);
	monitor_printf(mon, "flushes                %llu\n",
		       (unsigned long long)st.flushes);
	monitor_printf(mon, "chained jumps          %llu\n",
		       (unsigned long long)st.chained);
	monitor_printf(mon, "live blocks            %llu\n",
		       (unsigned long long)st.live_blocks);
	monitor_printf(mon, "code buffer            %llu/%llu bytes\n",
		       (unsigned long long)st.code_bytes,
		       (unsigned long long)st.code_capacity);
	monitor_printf(mon, "translation time       %.3f ms (%.0f ns/block)\n",
		       st.translate_ns / 1e6,
		       st.translated ? (double)st.translate_ns / st.translated
				     : 0.0);
	monitor_printf(mon, "guest insns translated %llu (%.1f/block)\n",
		       (unsigned long long)st.guest_insns,
		       st.translated ? (double)st.guest_insns / st.translated
				     : 0.0);
	for (unsigned h = 0; h < b->ncpus; h++) {
		struct tcg_cpu_stats cs;

		tcg_cpu_get_stats(b->cpus[h], &cs);
		monitor_printf(mon, "cpu %u: instret %llu translations %llu "
				    "traced %llu trace_mask 0x%llx "
				    "jc_hits %llu hash_lookups %llu "
				    "exceptions %llu interrupts %llu "
				    "wfi_sleeps %llu\n", h,
			       (unsigned long long)cs.instret,
			       (unsigned long long)cs.translations,
			       (unsigned long long)cs.traced_translations,
			       (unsigned long long)tcg_cpu_trace_mask(b->cpus[h]),
			       (unsigned long long)cs.jc_hits,
			       (unsigned long long)cs.hash_lookups,
			       (unsigned long long)cs.exceptions,
			       (unsigned long long)cs.interrupts,
			       (unsigned long long)cs.wfi_sleeps);
	}
	return 0;
}

static const struct monitor_cmd info_builtin[] = {
	{ "cpus", "", "show infos for each CPU", 0, 0, info_cpus },
	{ "jit", "", "show dynamic compiler info", 0, 0, info_jit },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

static int cmd_info(struct monitor *mon, int argc, char **argv)
{
	const struct monitor_cmd *c;

	if (argc == 1) {
		for (unsigned t = 0; t < ninfo_tables; t++)
			for (c = info_tables[t]; c->name; c++)
				monitor_printf(mon, "info %s%s%s -- %s\n",
					       c->name, *c->args ? " " : "",
					       c->args, c->help);
		return 0;
	}
	c = find(info_tables, ninfo_tables, argv[1]);
	if (!c) {
		monitor_printf(mon, "error: info: unknown item '%s' (try 'info')\n",
			       argv[1]);
		return -1;
	}
	if (check_args(mon, c, argc - 1, "info "))
		return -1;
	return c->handler(mon, argc - 1, argv + 1);
}

static int cmd_help(struct monitor *mon, int argc, char **argv)
{
	for (unsigned t = 0; t < ncmd_tables; t++)
		for (const struct monitor_cmd *c = cmd_tables[t]; c->name; c++)
			if (argc == 1 || !strcmp(argv[1], c->name))
				monitor_printf(mon, "%s%s%s -- %s\n", c->name,
					       *c->args ? " " : "", c->args,
					       c->help);
	return 0;
}

static int cmd_stop(struct monitor *mon, int argc, char **argv)
{
	board_set_running(mon->b, false);
	system_runstate_set("paused");
	return 0;
}

static int cmd_cont(struct monitor *mon, int argc, char **argv)
{
	system_runstate_set("running");
	board_set_running(mon->b, true);
	return 0;
}

static int cmd_quit(struct monitor *mon, int argc, char **argv)
{
	board_shutdown(mon->b, 0);
	return 0;
}

static const struct monitor_cmd builtin[] = {
	{ "help", "[cmd]", "show the help", 0, 1, cmd_help },
	{ "info", "[subcommand]", "show various information about the system state",
	  0, 8, cmd_info },
	{ "stop", "", "stop emulation", 0, 0, cmd_stop },
	{ "cont", "", "resume emulation", 0, 0, cmd_cont },
	{ "c", "", "resume emulation (alias of cont)", 0, 0, cmd_cont },
	{ "quit", "", "quit the emulator", 0, 0, cmd_quit },
	{ "q", "", "quit the emulator (alias of quit)", 0, 0, cmd_quit },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void register_builtin(void)
{
	monitor_register(builtin);
	monitor_register_info(info_builtin);
}

/* ---------------------------------------------------------------- I/O */

int monitor_run_line(struct board *b, int fd, const char *line)
{
	struct monitor mon = { .b = b, .fd = fd };
	char buf[MONITOR_LINE_MAX + 1], *argv[16], *save = NULL, *tok;
	const struct monitor_cmd *c;
	size_t len = strcspn(line, "\r\n");
	int argc = 0;

	pthread_once(&builtin_once, register_builtin);
	if (len > MONITOR_LINE_MAX) {
		monitor_printf(&mon, "error: line too long (more than %d bytes); "
				     "ignored\n", MONITOR_LINE_MAX);
		return -1;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (buf[strspn(buf, " \t")])
		trace_monitor_command(buf);
	for (tok = strtok_r(buf, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == 16) {
			monitor_printf(&mon, "error: too many arguments\n");
			return -1;
		}
		argv[argc++] = tok;
	}
	if (!argc)
		return 0;
	c = find(cmd_tables, ncmd_tables, argv[0]);
	if (!c) {
		monitor_printf(&mon, "error: unknown command: '%s'\n", argv[0]);
		return -1;
	}
	if (check_args(&mon, c, argc, ""))
		return -1;
	return c->handler(&mon, argc, argv);
}

static void serve(struct board *b, int in, int out)
{
	FILE *f = fdopen(dup(in), "r");
	char line[MONITOR_LINE_MAX + 2];	/* + newline + NUL */

	if (!f)
		return;
	dprintf(out, "vtrace monitor - type 'help' for more information\n");
	for (;;) {
		size_t len;

		dprintf(out, "(vtrace) ");
		if (!fgets(line, sizeof(line), f))
			break;
		len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			int ch;

			/* Over-long: its tail is not a command of its own. */
			while ((ch = getc(f)) != EOF && ch != '\n')
				;
			dprintf(out, "error: line too long (more than %d "
				     "bytes); ignored\n", MONITOR_LINE_MAX);
			continue;
		}
		monitor_run_line(b, out, line);
		if (tcg_machine_is_shutdown(b->m, NULL))
			break;
	}
	fclose(f);
}

struct mon_arg {
	struct board *b;
	int listen_fd;		/* -1: stdio */
};

static void *monitor_thread(void *arg)
{
	struct mon_arg *ma = arg;

	if (ma->listen_fd < 0) {
		serve(ma->b, 0, 1);
		return NULL;
	}
	for (;;) {
		int c = accept(ma->listen_fd, NULL, NULL);

		if (c < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		serve(ma->b, c, c);
		close(c);
	}
}

static char *socket_path;

static void unlink_socket(void)
{
	if (socket_path)
		unlink(socket_path);
}

int monitor_start(struct board *b, const char *spec)
{
	struct mon_arg *ma;
	pthread_t t;

	pthread_once(&builtin_once, register_builtin);
	ma = calloc(1, sizeof(*ma));
	if (!ma)
		return -1;
	ma->b = b;
	ma->listen_fd = -1;
	if (!strncmp(spec, "unix:", 5)) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		char *opts, *path = strdup(spec + 5);

		if (!path)
			return -1;
		opts = strchr(path, ',');
		if (opts)
			*opts++ = 0;
		/* server and nowait are what we do; accept their spellings */
		for (char *o = opts, *next; o && *o; o = next) {
			next = strchr(o, ',');
			if (next)
				*next++ = 0;
			if (strcmp(o, "server") && strcmp(o, "nowait") &&
			    strcmp(o, "server=on") && strcmp(o, "wait=off")) {
				fprintf(stderr, "vtrace-emu: -monitor: "
						"unsupported option '%s'\n", o);
				return -1;
			}
		}
		if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
			fprintf(stderr, "vtrace-emu: -monitor: bad socket "
					"path\n");
			return -1;
		}
		strcpy(sa.sun_path, path);
		struct stat st;
		mode_t old_mask;
		int err;

		ma->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		/* Replace a stale socket, never anything else at that path. */
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(path);
		/* Only our user may talk to the monitor: born 0600. */
		old_mask = umask(0177);
		err = ma->listen_fd < 0 ||
		      bind(ma->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		      listen(ma->listen_fd, 1);
		umask(old_mask);
		if (err) {
			fprintf(stderr, "vtrace-emu: -monitor: %s: %s\n", path,
				strerror(errno));
			return -1;
		}
		socket_path = path;
		atexit(unlink_socket);
	} else if (strcmp(spec, "stdio")) {
		fprintf(stderr, "vtrace-emu: -monitor: '%s' is not supported "
				"(use stdio or unix:PATH,server,nowait)\n", spec);
		return -1;
	}
	if (pthread_create(&t, NULL, monitor_thread, ma))
		return -1;
	pthread_detach(t);
	return 0;
}
