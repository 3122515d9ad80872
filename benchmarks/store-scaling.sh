#!/usr/bin/env bash
# Issue 9's targets, measured on a release build: one worker on PostgreSQL against one on
# SQLite (photos/s of `meterscan bench --jobs 1`), and two workers on one PostgreSQL database
# (each half of the photos, side by side) against one worker reading all of them (whole-process
# wall time). Every PostgreSQL run gets a new, empty database. Medians of RUNS runs.
#   scripts/with-postgres.sh benchmarks/store-scaling.sh [.build/release/meterscan]
# Env: RUNS (3), MANIFEST (samples/manifest.csv), METERSCAN_TEST_POSTGRES_URL (with-postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-.build/release/meterscan}")
server=${METERSCAN_TEST_POSTGRES_URL:?run under scripts/with-postgres.sh, or set it to a server you may create databases on}
runs=${RUNS:-3}
manifest=${MANIFEST:-samples/manifest.csv}
export METERSCAN_SECRET=store-scaling-benchmark-secret

fresh_database() {
    local name=bench_$$_$RANDOM$RANDOM
    psql -qAt -v ON_ERROR_STOP=1 "$server" -c "CREATE DATABASE $name"
    echo "${server%/*}/$name"
}
photos_per_second() { python3 -c 'import json,sys; print(json.load(sys.stdin)["photosPerSecond"])'; }
bench() { "$binary" bench --photos "$manifest" --jobs 1 --peer 0 --json "$@"; }
now() { date +%s.%N; }

results=()
for ((run = 1; run <= runs; run++)); do
    sqlite=$(bench | photos_per_second)
    postgres=$(bench --store "$(fresh_database)" | photos_per_second)
    url=$(fresh_database)
    start=$(now)
    bench --store "$url" > /dev/null
    one=$(python3 -c "print($(now) - $start)")
    url=$(fresh_database)
    start=$(now)
    bench --store "$url" --shard 1/2 > /dev/null &
    bench --store "$url" --shard 2/2 > /dev/null &
    wait
    two=$(python3 -c "print($(now) - $start)")
    echo "run $run: sqlite $sqlite photos/s, postgres $postgres photos/s; all photos: one worker ${one}s, two workers ${two}s" >&2
    results+=("$sqlite $postgres $one $two")
done
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
sqlite, postgres, one, two = (statistics.median(column) for column in zip(*rows))
print("medians of %d runs (jobs 1 per worker):" % len(rows))
print("  SQLite     %6.1f photos/s" % sqlite)
print("  PostgreSQL %6.1f photos/s  = %3.0f %% of SQLite (target >= 80 %%)" % (postgres, 100 * postgres / sqlite))
print("  PostgreSQL, all photos: one worker %.2f s, two workers side by side %.2f s = %.2fx (target >= 1.6x)" % (one, two, one / two))
'
