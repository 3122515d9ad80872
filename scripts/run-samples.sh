#!/usr/bin/env bash
# Quick start: install what is missing, build in release mode, run MeterScan over samples/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product meterscan >&2
exec .build/release/meterscan inspect --format text samples/
