#!/usr/bin/env bash
# Scale-out test (issue 9): two pipe workers and two consumers, as on separate hosts (own state
# directories, one shared PostgreSQL store, one METERSCAN_SECRET), over the same 300 photos,
# each photo fed to both workers in a different order. Checked afterwards:
#   - every photo is decided once (one readings row per photo; both workers report its id);
#   - every accepted reading reaches billing: exactly once in round 1; in round 2, where one
#     worker and one consumer are killed with SIGKILL midway, at least once, and any repeat
#     is the same record with the same reading_id.
#
# Usage: scripts/with-postgres.sh scripts/scale-test.sh [MESCAN_BINARY]
# Env:   METERSCAN_TEST_POSTGRES_URL (set by with-postgres.sh), KEEP=1 keeps the scratch folder.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=$(realpath "${1:-.build/debug/meterscan}")
server=${METERSCAN_TEST_POSTGRES_URL:?run under scripts/with-postgres.sh}
[[ -x $binary ]] || { echo "scale-test: no meterscan binary at $binary (build first)" >&2; exit 2; }
export METERSCAN_SECRET=scale-test-secret-shared-by-all-hosts

scratch=$(mktemp -d)
cleanup() {
    kill -9 $(jobs -p) 2> /dev/null || true
    [[ ${KEEP:-0} == 1 ]] || rm -rf "$scratch"
}
trap cleanup EXIT

# 300 distinct photos: the samples, and copies of 55 of them with one byte appended after the
# JPEG end marker (decoders ignore it; the content hash, and so the photo, is new).
media=$scratch/media
mkdir -p "$media"
cp samples/photos/* "$media/"
for photo in $(ls samples/photos/*.jpg | head -n 55); do
    copy=$media/copy-$(basename "$photo")
    cp "$photo" "$copy"
    printf '\n' >> "$copy"
done
# Ten meters, so that readings of one meter arrive on both workers at the same moment.
python3 - "$media" "$scratch" <<'EOF'
import json, os, random, sys
media, scratch = sys.argv[1], sys.argv[2]
photos = sorted(os.listdir(media))
messages = [{"id": name, "image_path": name, "meter": "SCALE-%02d" % (index % 10)}
            for index, name in enumerate(photos)]
with open(os.path.join(scratch, "registry.csv"), "w") as registry:
    registry.write("meter_number;unit\n" + "".join("SCALE-%02d;m3\n" % n for n in range(10)))
for name, order in (("a", messages), ("b", random.Random(7).sample(messages, len(messages)))):
    with open(os.path.join(scratch, "messages-%s.jsonl" % name), "w") as out:
        out.writelines(json.dumps(m) + "\n" for m in order)
EOF
photo_count=$(ls "$media" | wc -l)

psql_at() { psql -qAt -v ON_ERROR_STOP=1 "$@"; }

# run_round NAME KILL: KILL=1 kills worker b and consumer 1 with SIGKILL midway.
run_round() {
    local name=$1 kill_midway=$2
    local database=scale_${name}_$$
    psql_at "$server" -c "CREATE DATABASE $database"
    local url=${server%/*}/$database
    local dir=$scratch/$name
    mkdir -p "$dir"
    "$binary" meters import --state "$dir/host-a" --store "$url" "$scratch/registry.csv" > /dev/null

    local consume=(consume --store "$url" --visibility 3)
    "$binary" "${consume[@]}" --state "$dir/host-a" --sink "jsonl:$dir/billing-1.jsonl" 2> "$dir/consumer-1.log" &
    local consumer_1=$!
    "$binary" "${consume[@]}" --state "$dir/host-b" --sink "jsonl:$dir/billing-2.jsonl" 2> "$dir/consumer-2.log" &
    local consumer_2=$!
    "$binary" pipe --state "$dir/host-a" --store "$url" --media-dir "$media" --jobs 1 \
        < "$scratch/messages-a.jsonl" > "$dir/worker-a.jsonl" 2> "$dir/worker-a.log" &
    local worker_a=$!
    "$binary" pipe --state "$dir/host-b" --store "$url" --media-dir "$media" --jobs 1 \
        < "$scratch/messages-b.jsonl" > "$dir/worker-b.jsonl" 2> "$dir/worker-b.log" &
    local worker_b=$!

    if [[ $kill_midway == 1 ]]; then
        # The shell may not have created the output file yet when this starts.
        while (($(cat "$dir/worker-b.jsonl" 2> /dev/null | wc -l) < photo_count / 3)); do sleep 0.2; done
        kill -9 "$worker_b" "$consumer_1"
        wait "$worker_b" "$consumer_1" 2> /dev/null || true
    fi
    wait "$worker_a"
    [[ $kill_midway == 1 ]] || wait "$worker_b"

    # Drain: a message the killed consumer held comes back after the visibility timeout.
    local deadline=$((SECONDS + 120))
    while (($(psql_at "$url" -c "SELECT count(*) FROM outbox WHERE state <> 'delivered'") > 0)); do
        ((SECONDS < deadline)) || { echo "scale-test: the queue did not drain" >&2; return 1; }
        sleep 0.5
    done
    kill -TERM "$consumer_2" 2> /dev/null || true
    [[ $kill_midway == 1 ]] || kill -TERM "$consumer_1" 2> /dev/null || true
    wait 2> /dev/null || true

    psql_at "$url" -F ' ' -c "SELECT image_sha256, reading_id FROM readings" > "$dir/readings.txt"
    psql_at "$url" -c "SELECT reading_id FROM outbox" > "$dir/outbox.txt"
    python3 - "$dir" "$photo_count" "$kill_midway" <<'EOF'
import json, os, sys
from collections import Counter
folder, photo_count, killed = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"

def lines(name):
    path = os.path.join(folder, name)
    return [json.loads(line) for line in open(path)] if os.path.exists(path) else []

problems = []
readings = [line.split() for line in open(os.path.join(folder, "readings.txt")) if line.strip()]
photos = Counter(sha for sha, _ in readings)
if len(photos) != photo_count or max(photos.values()) != 1:
    problems.append("%d readings rows for %d distinct photos (want %d, one each)" % (len(readings), len(photos), photo_count))
worker_a, worker_b = lines("worker-a.jsonl"), lines("worker-b.jsonl")
if len(worker_a) != photo_count:
    problems.append("worker a answered %d of %d messages" % (len(worker_a), photo_count))
ids_a = {r["id"]: r.get("reading_id") for r in worker_a}
for result in worker_b:
    if result.get("reading_id") != ids_a.get(result["id"]):
        problems.append("photo %s: worker a says %s, worker b says %s" % (result["id"], ids_a.get(result["id"]), result.get("reading_id")))
accepted = {line.strip() for line in open(os.path.join(folder, "outbox.txt")) if line.strip()}
first_seen, delivered = {}, Counter()
for name in ("billing-1.jsonl", "billing-2.jsonl"):
    for record in lines(name):
        delivered[record["reading_id"]] += 1
        earlier = first_seen.setdefault(record["reading_id"], record)
        if earlier != record:
            problems.append("reading %s delivered twice with different content" % record["reading_id"])
missing = accepted - set(delivered)
if missing:
    problems.append("%d accepted readings never delivered" % len(missing))
if set(delivered) - accepted:
    problems.append("delivered readings that were never accepted")
repeats = sum(count - 1 for count in delivered.values())
if repeats and not killed:
    problems.append("%d duplicate deliveries without any crash" % repeats)
print("scale-test %s: %d photos decided once each, %d accepted, %d delivered, %d repeated delivery(ies), worker b answered %d"
      % ("round with kills" if killed else "clean round", len(photos), len(accepted), len(delivered), repeats, len(worker_b)))
for problem in problems[:20]:
    print("  FAIL: " + problem)
sys.exit(1 if problems else 0)
EOF
}

run_round clean 0
run_round killed 1
