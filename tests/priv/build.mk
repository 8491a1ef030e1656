# Privileged-architecture guests, compared with QEMU 7.2 (run-priv.sh).
SCENARIOS += tests/priv/run-priv.sh
