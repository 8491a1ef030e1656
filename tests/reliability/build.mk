# Reliability scenarios (issue 6): crashes on either side, a full disk, a
# hostile producer, permissions.  Each is a script bounded to seconds that
# `make check` runs; `make reliability` runs them again and rewrites the
# results table in docs/RELIABILITY.md (scripts/reliability-table.sh).
REL_SCENARIOS := tests/reliability/crash-producer.sh \
	tests/reliability/crash-consumer.sh tests/reliability/disk-full.sh \
	tests/reliability/io-error.sh
SCENARIOS += $(REL_SCENARIOS)

reliability: all
	$(Q)bash scripts/reliability-table.sh

.PHONY: reliability
