#!/usr/bin/env bash
# The whole reader on the synthetic sample photos (samples/manifest.csv) with stock eng and with
# meterdigits models, one split at a time. From the repository root:
#
#     training/evaluate_samples.sh                       # dev split: eng, training/model
#     SPLIT=test training/evaluate_samples.sh            # the test split (report once, at the end)
#     MODELS="training/model .build-training/runs/strong90k/models/int" training/evaluate_samples.sh
#
# MODELS: folders holding meterdigits.traineddata. Reports go to .build-training/eval/samples-*.json.
# Tune on dev only. The sample photos come from samples/generator, the same renderer that
# synth_cells.py uses (with other seeds): gains here overstate gains on real photos.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=.build-training
SPLIT=${SPLIT:-dev}
MODELS=${MODELS:-training/model}
export OMP_THREAD_LIMIT=1
swift build -c release --scratch-path "$WORK/swiftbuild" --product meterscan >/dev/null
BIN=$WORK/swiftbuild/release/meterscan
mkdir -p "$WORK/eval"

run() {  # name args...
    local name=$1; shift
    "$BIN" eval samples/manifest.csv --split "$SPLIT" --json --jobs 1 "$@" >"$WORK/eval/samples-$SPLIT-$name.json" || [ $? -eq 1 ]
    /usr/bin/python3 - "$WORK/eval/samples-$SPLIT-$name.json" "$name" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
o = r["overall"]
styles = "  ".join(f"{s} {100*v['integer_exact_rate']:.1f}" for s, v in sorted(r["by_style"].items()) if s != "none")
print(f"{sys.argv[2]:40s} int-exact {100*o['integer_exact_rate']:5.1f} % ({o['integer_exact']}/{o['readable']})"
      f"  full {100*o['full_exact_rate']:5.1f} %  wrong-accepted {100*o['wrong_accepted_rate']:4.1f} % ({o['wrong_accepted']})"
      f"  accepted {o['accepted']}  review {o['review']}  rejected {o['rejected']}   [{styles}]")
EOF
}
echo "samples $SPLIT split"
run eng --model eng
for m in $MODELS; do
    run "$(echo "$m" | tr / _)" --model meterdigits --tessdata "$m"
done
