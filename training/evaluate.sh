#!/usr/bin/env bash
# Evaluates training/model/meterdigits.traineddata with the project's own `meterscan eval-digits`
# on the held-out meters (.build-training/heldout, written by train.sh) and compares with `eng`.
# From the repository root, after training/train.sh:
#
#     training/evaluate.sh            # held-out folder only
#     ALL=1 training/evaluate.sh      # also all crops (includes the training meters)
#     RUNS="base45k strong90k" training/evaluate.sh   # also each run's float and int model
#
# Reports go to .build-training/eval/*.json and a table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=.build-training
export OMP_THREAD_LIMIT=1
swift build -c release --scratch-path "$WORK/swiftbuild" --product meterscan >/dev/null
BIN=$WORK/swiftbuild/release/meterscan
mkdir -p "$WORK/eval"

run() {  # name dir args...
    local name=$1 dir=$2; shift 2
    echo "eval $name" >&2
    "$BIN" eval-digits "$dir" --json "$@" >"$WORK/eval/$name.json" || [ $? -eq 1 ]
}
run heldout-meterdigits "$WORK/heldout" --tessdata training/model --language meterdigits
for r in ${RUNS:-}; do   # RUNS="base45k strong90k": also the float and int models of those runs
    for f in float int; do
        run "heldout-$r-$f" "$WORK/heldout" --tessdata "$WORK/runs/$r/models/$f" --language meterdigits
    done
done
run heldout-eng "$WORK/heldout" --language eng
run heldout-eng-whitelist "$WORK/heldout" --language eng --whitelist
if [ "${ALL:-0}" = 1 ]; then
    run all-meterdigits ../shared/data/meter-digits --tessdata training/model --language meterdigits
fi

/usr/bin/python3 - "$WORK/eval" <<'EOF'
import json, os, sys
d = sys.argv[1]
reports = {f[:-5]: json.load(open(os.path.join(d, f))) for f in sorted(os.listdir(d)) if f.endswith(".json")}
kinds = sorted({k for r in reports.values() for k in r["kinds"]}) + ["overall"]
print("clean accuracy (n) / rolling either-neighbour (n) / rolling top2=neighbours / ms per digit")
for name, r in reports.items():
    print(f"== {name}  ({r['recognize_ms_per_digit']:.2f} ms/digit)")
    for k in kinds:
        s = r["overall"] if k == "overall" else r["kinds"].get(k)
        if not s:
            continue
        either = s["rolling_either"] / s["rolling"] if s["rolling"] else float("nan")
        top2 = s["rolling_top2_neighbours"] / s["rolling"] if s["rolling"] else float("nan")
        print(f"  {k:11s} clean {100*s['clean_accuracy']:5.1f} % ({s['clean']:4d}, empty {s['clean_empty']})"
              f"   rolling either {100*either:5.1f} % ({s['rolling']:4d})  top2 {100*top2:5.1f} %")
EOF
