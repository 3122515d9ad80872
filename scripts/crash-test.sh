#!/usr/bin/env bash
# Crash test of the store and the queue (issue 6): a reader (`read --state`) and a consumer
# (`consume --sink jsonl:…`) run side by side and are killed with SIGKILL at random moments,
# ROUNDS times, each time restarted. Afterwards every accepted reading must be in the sink
# exactly by its reading_id: none missing, any duplicate identical to its first delivery.
#
# Usage: scripts/crash-test.sh [MESCAN_BINARY]   (default: the debug build in .build)
# Env:   ROUNDS (20), PHOTOS (30), SEED (random), KEEP=1 keeps the scratch folder.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${1:-.build/debug/meterscan}
rounds=${ROUNDS:-20}
photo_count=${PHOTOS:-30}
seed=${SEED:-$RANDOM}
RANDOM=$seed
[[ -x $binary ]] || { echo "crash-test: no meterscan binary at $binary (build first)" >&2; exit 2; }

scratch=$(mktemp -d)
cleanup() {
    kill -9 $(jobs -p) 2> /dev/null || true
    [[ ${KEEP:-0} == 1 ]] || rm -rf "$scratch"
}
trap cleanup EXIT
state=$scratch/state
sink=$scratch/billing.jsonl

# One meter with no digit count, rate or reference, and photos fed in ascending order of the
# value recognition reads in them (a first pass without state): every confident read is
# then plausible, so each photo becomes an accepted, queued reading.
printf 'meter_number;unit\nCRASH-1;m3\n' > "$scratch/meters.csv"
"$binary" meters import --state "$state" "$scratch/meters.csv" > /dev/null
mapfile -t candidates < <(ls samples/photos/*.jpg | head -n "$((photo_count * 4))")
mapfile -t photos < <(
    "$binary" read --jobs 2 "${candidates[@]}" 2> /dev/null | python3 -c '
import json, sys
accepted = [json.loads(line) for line in sys.stdin]
accepted = [r for r in accepted if r["status"] == "accepted"]
accepted.sort(key=lambda r: float(r["reading"]["value"]))
print("\n".join(r["file"] for r in accepted[:int(sys.argv[1])]))' "$photo_count"
)

# exec: the kill must hit meterscan itself, not a subshell waiting for it.
reader() { exec "$binary" read --state "$state" --meter CRASH-1 --jobs 2 "${photos[@]}" > /dev/null 2>&1; }
consumer() { exec "$binary" consume --state "$state" --sink "jsonl:$sink" --visibility 2 > /dev/null 2>&1; }

echo "crash-test: $rounds rounds, ${#photos[@]} photos, seed $seed, scratch $scratch"
exec 3>&2 2> /dev/null  # bash reports every killed job; the figures below are what counts
for ((round = 1; round <= rounds; round++)); do
    reader & reader_pid=$!
    consumer & consumer_pid=$!
    # Kill somewhere between 0.2 and 3 s in, the two at different moments.
    sleep "$((RANDOM % 15 + 2))e-1"
    kill -9 "$consumer_pid" 2> /dev/null || true
    sleep "$((RANDOM % 10))e-1"
    kill -9 "$reader_pid" 2> /dev/null || true
    wait "$reader_pid" "$consumer_pid" || true
done
exec 2>&3 3>&-

# Let everything finish: the reader decides what it never reached, then (after the
# visibility timeout of messages a killed consumer held) the queue is drained.
(reader) || true
sleep 2.5
"$binary" consume --state "$state" --sink "jsonl:$sink" --once --visibility 2 > /dev/null 2>&1 || true

python3 - "$state/meterscan.sqlite" "$sink" <<'PY'
import json, sqlite3, sys
database, sink = sys.argv[1], sys.argv[2]
rows = sqlite3.connect(database).execute(
    "SELECT r.reading_id, o.state FROM readings r LEFT JOIN outbox o USING (reading_id) WHERE r.status = 'accepted'"
).fetchall()
accepted = {reading_id for reading_id, _ in rows}
unqueued = [reading_id for reading_id, state in rows if state is None]
lines = open(sink, encoding="utf-8").read().splitlines() if rows else []
records = [json.loads(line) for line in lines]  # a torn line would fail here
first = {}
changed = 0
for record in records:
    key = record["reading_id"]
    if key in first and first[key] != record:
        changed += 1
    first.setdefault(key, record)
missing = accepted - set(first)
unknown = set(first) - accepted
duplicates = len(records) - len(first)
decided = sqlite3.connect(database).execute("SELECT COUNT(*) FROM readings").fetchone()[0]
print(f"crash-test: {decided} photos decided, {len(accepted)} accepted, {len(records)} records in the sink, "
      f"{len(first)} distinct, {duplicates} duplicate deliveries (same reading_id), "
      f"{len(missing)} missing, {len(unknown)} unknown, {changed} changed, {len(unqueued)} accepted but not queued")
sys.exit(1 if missing or unknown or changed or unqueued or not accepted else 0)
PY
