#!/usr/bin/env bash
# Scenario 7, permissions: nobody but the user reaches the rings, the socket
# or the trace, and the consumer writes only where it was told.
#   - with umask 000: the listening socket is 0600, the trace directory 0750
#     (and the parents it creates), metadata and stream files 0640;
#   - as another user (nobody; root needed for that part, else it is left
#     out and said so): connect to the socket, list or open the consumer's
#     fds (the memfds), list the trace directory: all refused;
#   - the memfds are in no file system (no /dev/shm entry);
#   - -o SYMLINK is refused; a symlink planted at DIR/metadata or DIR/vcpu0
#     is never followed: the target is untouched; a symlink or file at the
#     --listen path is not replaced.
. "$(dirname "$0")/lib.sh"
HOSTILE=$O/tests/hostile-producer
[ -x "$HOSTILE" ] || skip "$HOSTILE is not built (make)"
as_nobody=
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi
nobody() { $as_nobody "$@"; }
checks=0
ok() { echo "ok: $*"; checks=$((checks + 1)); }
mode() { stat -c %a "$1"; }

# --- modes under umask 000
chmod 0711 "$tmp"
pub=$tmp/pub
mkdir -m 0777 "$pub"
sock=$pub/s.sock out=$tmp/out/deeper/trace
(umask 000 && exec "$BIN/vtrace-consumer" -o "$out" --listen "$sock") 2>"$tmp/c.err" &
cons_pid=$!
started+=("$cons_pid")
wait_for -S "$sock" 5 || fail "no socket"
[ "$(mode "$sock")" = 600 ] || fail "the socket is $(mode "$sock"), not 600, under umask 000"
ok "socket 0600 under umask 000"
[ "$(mode "$out")" = 750 ] || fail "the trace directory is $(mode "$out"), not 750"
[ "$(mode "$tmp/out/deeper")" = 750 ] || fail "a parent it created is $(mode "$tmp/out/deeper"), not 750"
ok "trace directory and created parents 0750 under umask 000"

if [ -n "$as_nobody" ]; then
	nobody "$HOSTILE" --hello "$sock" 0 2>"$tmp/n.err" &&
		fail "nobody connected to the consumer's socket"
	grep -q "Permission denied" "$tmp/n.err" || { cat "$tmp/n.err"; fail "nobody: unexpected error"; }
	ok "nobody cannot connect to the socket: $(cat "$tmp/n.err")"
fi

"$BIN/vtrace-stress" -t 1 -n 100000000 -p block --ring-kb 64 --consumer "$sock" \
	>/dev/null 2>"$tmp/p.err" &
prod_pid=$!
started+=("$prod_pid")
wait_for -f "$out/vcpu0" 10 || fail "no stream file"
memfd=$(ls -l "/proc/$cons_pid/fd" | sed -n 's/.* \([0-9]*\) -> \/memfd:vtrace-vcpu0.*/\1/p')
[ -n "$memfd" ] || fail "no vtrace memfd among the consumer's fds"
ls /dev/shm 2>/dev/null | grep -q vtrace && fail "a vtrace ring is visible in /dev/shm"
ok "the rings are memfds (fd $memfd), in no file system"
for f in "$out/metadata" "$out/vcpu0"; do
	[ "$(mode "$f")" = 640 ] || fail "$f is $(mode "$f"), not 640"
done
ok "metadata and stream files 0640 under umask 000"
if [ -n "$as_nobody" ]; then
	nobody ls "/proc/$cons_pid/fd" >/dev/null 2>&1 && fail "nobody can list the consumer's fds"
	nobody head -c 64 "/proc/$cons_pid/fd/$memfd" >/dev/null 2>&1 &&
		fail "nobody can read a ring through /proc/$cons_pid/fd/$memfd"
	nobody head -c 64 "/proc/$prod_pid/map_files" >/dev/null 2>&1 &&
		fail "nobody can reach the producer's mappings"
	ok "nobody can neither list nor open the consumer's memfds"
	nobody ls "$out" >/dev/null 2>&1 && fail "nobody can list the trace directory"
	nobody head -c 1 "$out/metadata" >/dev/null 2>&1 && fail "nobody can read the metadata"
	ok "nobody cannot list or read the trace"
fi
kill -9 "$prod_pid"
wait "$prod_pid" 2>/dev/null
wait_exit "$cons_pid" 20 || { cat "$tmp/c.err"; fail "the consumer did not exit 0"; }

# --- symlinks
echo "keep me" >"$tmp/victim"
mkdir "$tmp/victimdir"
ln -s "$tmp/victimdir" "$tmp/link"
"$BIN/vtrace-consumer" -o "$tmp/link" --listen "$tmp/l.sock" 2>"$tmp/c.err"
rc=$?
[ $rc -eq 1 ] && grep -q "a symlink" "$tmp/c.err" || { cat "$tmp/c.err"; fail "-o SYMLINK was not refused ($rc)"; }
[ -z "$(ls -A "$tmp/victimdir")" ] || fail "something was written through the symlink"
ok "-o SYMLINK refused: $(cat "$tmp/c.err")"

mkdir -m 0750 "$tmp/planted"
ln -s "$tmp/victim" "$tmp/planted/vcpu0"
start_consumer "$tmp/planted" "$tmp/s2.sock"  "$tmp/c.err"
"$BIN/vtrace-stress" -t 1 -n 10000 -p block --consumer "$tmp/s2.sock" >/dev/null 2>"$tmp/p.err" ||
	{ cat "$tmp/p.err"; fail "the producer failed"; }
wait_exit "$cons_pid" 20 || { cat "$tmp/c.err"; fail "the consumer did not exit 0"; }
[ "$(cat "$tmp/victim")" = "keep me" ] || fail "the consumer wrote through a planted vcpu0 symlink"
grep -q "vcpu0: cannot write: File exists" "$tmp/c.err" || { cat "$tmp/c.err"; fail "no message about the planted vcpu0"; }
grep -q "LOST 10000 events" "$tmp/c.err" || { cat "$tmp/c.err"; fail "the events of vcpu0 are not counted as lost"; }
ok "planted DIR/vcpu0 symlink not followed, its events counted as lost"

mkdir -m 0750 "$tmp/planted2"
ln -s "$tmp/victim" "$tmp/planted2/metadata"
start_consumer "$tmp/planted2" "$tmp/s3.sock" "$tmp/c.err"
"$BIN/vtrace-stress" -t 1 -n 10000 -p block --consumer "$tmp/s3.sock" >/dev/null 2>&1
wait_exit "$cons_pid" 20
rc=$?
[ $rc -eq 1 ] || { cat "$tmp/c.err"; fail "a planted metadata symlink: consumer exit $rc (want 1)"; }
[ "$(cat "$tmp/victim")" = "keep me" ] || fail "the consumer wrote through a planted metadata symlink"
ok "planted DIR/metadata symlink not followed: $(head -n 1 "$tmp/c.err")"

ln -s "$tmp/victim" "$tmp/sl.sock"
"$BIN/vtrace-consumer" -o "$tmp/t4" --listen "$tmp/sl.sock" 2>"$tmp/c.err"
rc=$?
[ $rc -eq 1 ] && [ -L "$tmp/sl.sock" ] && [ "$(cat "$tmp/victim")" = "keep me" ] ||
	{ cat "$tmp/c.err"; fail "a symlink at the --listen path was replaced or followed ($rc)"; }
ok "a symlink at the --listen path is left alone: $(cat "$tmp/c.err")"

RESULT_RUNS=$checks
RESULT_NOTE="$checks checks passed, including as nobody"
[ -n "$as_nobody" ] || RESULT_NOTE="$checks checks passed (not root: the as-nobody checks did not run)"
result
