#!/usr/bin/env bash
# The whole test suite, from a fresh clone (installs what is missing first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --tests
swift build --build-tests
# The store tests run against SQLite and against a throwaway PostgreSQL cluster.
bash scripts/with-postgres.sh swift test --skip-build
# Kill -9 the reader and the consumer at random moments; nothing accepted may be lost.
bash scripts/crash-test.sh .build/debug/meterscan
# Two pipe workers and two consumers on one PostgreSQL store, then again with kills.
bash scripts/with-postgres.sh bash scripts/scale-test.sh .build/debug/meterscan
