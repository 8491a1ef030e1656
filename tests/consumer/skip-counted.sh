#!/usr/bin/env bash
# A test that cannot run here is counted as skipped, not passed: with
# io_uring made unavailable (a preloaded io_uring_queue_init that fails),
# test-consumer must exit 77 with a SKIP line naming the reason.
set -u
O=${O:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ldd "$O/tests/test-consumer" | grep -q asan; then
	echo "SKIP: ASan build: the preload must come first"; exit 77
fi
cat >"$tmp/nouring.c" <<'C'
#include <errno.h>
struct io_uring;
int io_uring_queue_init(unsigned entries, struct io_uring *ring,
			unsigned flags);
int io_uring_queue_init(unsigned entries, struct io_uring *ring,
			unsigned flags)
{
	return -ENOSYS;
}
C
gcc -shared -fPIC -o "$tmp/nouring.so" "$tmp/nouring.c" || exit 1
LD_PRELOAD=$tmp/nouring.so "$O/tests/test-consumer" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 77 ] && grep -q "^SKIP: .*io_uring" "$tmp/out"; then
	echo "ok: without io_uring test-consumer exits 77: $(grep -m1 "^SKIP" "$tmp/out")"
	exit 0
fi
echo "FAIL: without io_uring test-consumer exited $rc"
tail -5 "$tmp/out"
exit 1
