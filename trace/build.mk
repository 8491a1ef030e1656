# trace/: run-time control, clock and CTF metadata, linked into every
# program that emits events (together with its generated table).
trace-y := trace/control.c trace/clock.c trace/ctf-metadata.c trace/backend.c \
	trace/options.c trace/hmp.c
