#!/usr/bin/env bash
# Quick start: install what is missing, build in release mode, read every photo in samples/
# (one JSON result per photo in meterscan-results.jsonl) and print how the readings compare
# with the labels of the test split.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product meterscan >&2
status=0
.build/release/meterscan read samples/photos > meterscan-results.jsonl || status=$?
# 1 only means some photos went to review or were rejected; anything higher is a real failure.
if ((status > 1)); then exit "$status"; fi
echo "Wrote $(wc -l < meterscan-results.jsonl) results to meterscan-results.jsonl" >&2
exec .build/release/meterscan eval samples/manifest.csv --split test
