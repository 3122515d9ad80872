#!/usr/bin/env bash
# The whole test suite, from a fresh clone (installs what is missing first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
