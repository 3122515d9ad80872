#!/usr/bin/env bash
# The whole test suite, from a fresh clone (installs what is missing first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
# Kill -9 the reader and the consumer at random moments; nothing accepted may be lost.
bash scripts/crash-test.sh .build/debug/meterscan
