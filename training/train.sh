#!/usr/bin/env bash
# Trains meterdigits.traineddata, a digits-only Tesseract LSTM, from the real crops in
# ../shared/data/meter-digits, optionally mixed with synthetic cells (synth_cells.py) and
# optionally fine-tuning an earlier checkpoint.  From the repository root:
#
#     RUN=strong90k training/train.sh     # real crops only: ~3 min data, ~13 min training (one core)
#     RUN=ft30h SYNTH_FRACTION=0.3 HARVEST_PHOTOS=1000 HARVEST_WEIGHT=2 \
#         CONTINUE_FROM=.build-training/runs/strong90k/checkpoints/meterdigits_checkpoint \
#         ITERATIONS=30000 TARGET_ERROR=0.001 training/train.sh   # the current candidate
#
# Environment (all optional):
#   DATA=../shared/data/meter-digits   crops + labels.csv
#   SEED=20261125                      seed for the line generator (split is fixed by heldout-groups.txt)
#   TRAIN_LINES=12000 EVAL_LINES=400    number of generated line images
#   ITERATIONS=90000                   lstmtraining --max_iterations
#   NET_SPEC='[1,36,0,1 Ct3,3,16 Mp3,3 Lfys64 Lbx128 O1c13]'
#   LEARNING_RATE=0.001
#   AUGMENT=strong|light               augmentation of the training lines
#   RUN=main                           name of this run: artefacts in .build-training/runs/$RUN
#   MODEL_FORMAT=int|float             which final model is copied to training/model (default int)
#   JOBS=2                             parallel tesseract processes for the .lstmf conversion only
#   SYNTH_FRACTION=0                   share of training cells taken from synthetic cells (0 = real only)
#   SYNTH_CELLS=15000 SYNTH_SEED=7031  cells drawn by synth_cells.py render (own seed, not the samples')
#   HARVEST_PHOTOS=0 HARVEST_SEED=4242017  photos rendered by samples/generator/generate.py with
#                                      this seed and read by meterscan; their aligned cells are used
#   RENDER_WEIGHT=1 HARVEST_WEIGHT=1   relative shares of the two synthetic sources
#   CONTINUE_FROM=                     fine-tune from this checkpoint (e.g. .build-training/runs/
#                                      strong90k/checkpoints/meterdigits_checkpoint) instead of
#                                      training from scratch (lstmtraining restarts its iteration
#                                      count: ITERATIONS=30000 means 30k more); the net spec is the
#                                      checkpoint's; set TARGET_ERROR=0.001 (the checkpoint's best
#                                      error is already below 1 %: the default could stop it early)
#   TARGET_ERROR=0.01                  lstmtraining --target_error_rate (stop below this)
#
# Bulky artefacts go to .build-training/ (git-ignored); the model to training/model/.
# Training runs on one core (OMP_THREAD_LIMIT=1).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
DATA=${DATA:-../shared/data/meter-digits}
SEED=${SEED:-20261125}
TRAIN_LINES=${TRAIN_LINES:-12000}
EVAL_LINES=${EVAL_LINES:-400}
ITERATIONS=${ITERATIONS:-90000}
NET_SPEC=${NET_SPEC:-'[1,36,0,1 Ct3,3,16 Mp3,3 Lfys64 Lbx128 O1c13]'}
LEARNING_RATE=${LEARNING_RATE:-0.001}
MODEL_FORMAT=${MODEL_FORMAT:-int}
JOBS=${JOBS:-2}
LANG_NAME=meterdigits
AUGMENT=${AUGMENT:-strong}
RUN=${RUN:-main}
SYNTH_FRACTION=${SYNTH_FRACTION:-0}
SYNTH_CELLS=${SYNTH_CELLS:-15000}
SYNTH_SEED=${SYNTH_SEED:-7031}
HARVEST_PHOTOS=${HARVEST_PHOTOS:-0}
HARVEST_SEED=${HARVEST_SEED:-4242017}
RENDER_WEIGHT=${RENDER_WEIGHT:-1}
HARVEST_WEIGHT=${HARVEST_WEIGHT:-1}
WORK=.build-training
RUNDIR=$WORK/runs/$RUN
OUT=$RUNDIR/data
export OMP_THREAD_LIMIT=1

log() { echo "[$(date +%H:%M:%S)] $*"; }

# 1. Tools (Debian packages).
missing=()
for tool in tesseract lstmtraining combine_lang_model unicharset_extractor; do
    command -v "$tool" >/dev/null || missing+=(tesseract-ocr)
done
/usr/bin/python3 -c 'import PIL, numpy' 2>/dev/null || missing+=(python3-pil python3-numpy)
if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u)
fi

# 2. Split, preprocessing, line images (+ the held-out folder .build-training/heldout).
#    REUSE_DATA=1 skips steps 2-4 when they are already done (e.g. to train a variant).
if [ "${REUSE_DATA:-0}" = 1 ] && [ -s "$OUT/starter/$LANG_NAME/$LANG_NAME.traineddata" ]; then
    log "reusing $OUT"
else
# 2a. Synthetic cells (cached in .build-training/synth; seeds differ from the samples' 20261125).
SYNTH_ARGS=()
if [ "$SYNTH_FRACTION" != 0 ]; then
    RENDERED=$WORK/synth/render-$SYNTH_SEED-$SYNTH_CELLS
    if [ ! -s "$RENDERED/labels.csv" ]; then
        log "rendering $SYNTH_CELLS synthetic cells"
        rm -rf "$RENDERED"
        /usr/bin/python3 training/synth_cells.py render --out "$RENDERED" --count "$SYNTH_CELLS" --seed "$SYNTH_SEED"
    fi
    SYNTH_ARGS+=(--synth "$RENDERED:$RENDER_WEIGHT")
    if [ "$HARVEST_PHOTOS" != 0 ]; then
        PHOTOS=$WORK/synth/photos-$HARVEST_SEED-$HARVEST_PHOTOS
        HARVESTED=$WORK/synth/harvest-$HARVEST_SEED-$HARVEST_PHOTOS
        if [ ! -s "$PHOTOS/manifest.csv" ]; then
            log "rendering $HARVEST_PHOTOS photos with samples/generator (seed $HARVEST_SEED)"
            /usr/bin/python3 samples/generator/generate.py --seed "$HARVEST_SEED" --out "$PHOTOS" \
                --count "$HARVEST_PHOTOS" --jobs "$JOBS"
        fi
        if [ ! -s "$HARVESTED/labels.csv" ]; then
            log "harvesting the reader's cells (meterscan read --debug-dir, model eng)"
            swift build -c release --scratch-path "$WORK/swiftbuild" --product meterscan >/dev/null
            rm -rf "$HARVESTED"
            /usr/bin/python3 training/synth_cells.py harvest --photos "$PHOTOS" \
                --meterscan "$WORK/swiftbuild/release/meterscan" --jobs "$JOBS" --out "$HARVESTED"
        fi
        SYNTH_ARGS+=(--synth "$HARVESTED:$HARVEST_WEIGHT")
    fi
fi

log "preparing line images"
rm -rf "$OUT"
/usr/bin/python3 training/prepare_data.py --data "$DATA" --heldout-groups training/heldout-groups.txt \
    --out "$OUT" --train-lines "$TRAIN_LINES" --eval-lines "$EVAL_LINES" --seed "$SEED" \
    --augment "$AUGMENT" --heldout-dir "$WORK/heldout" \
    --synth-fraction "$SYNTH_FRACTION" ${SYNTH_ARGS[@]+"${SYNTH_ARGS[@]}"}

# 3. .lstmf files (lstm.train reads IMG.box next to IMG.png). --psm 13 (raw line): with --psm 7
#    tesseract silently wrote no .lstmf for ~3 % of the lines (no text line found).
log "converting to .lstmf"
cat "$OUT/train_lines.txt" "$OUT/eval_lines.txt" |
    xargs -P "$JOBS" -I{} sh -c 'tesseract {}.png {} --psm 13 lstm.train >/dev/null 2>&1'
for list in train eval; do
    sed 's/$/.lstmf/' "$OUT/${list}_lines.txt" >"$OUT/$list.list"
    while read -r f; do [ -s "$f" ] || { echo "missing $f" >&2; exit 1; }; done <"$OUT/$list.list"
done

# 4. Unicharset (digits only) and the starter traineddata.
log "unicharset and starter traineddata"
mkdir -p "$OUT/langdata" "$OUT/starter/$LANG_NAME"   # combine_lang_model does not create it
printf '\n' >"$OUT/langdata/radical-stroke.txt"     # combine_lang_model insists on this file
unicharset_extractor --output_unicharset "$OUT/unicharset" --norm_mode 1 "$OUT/all_gt.txt"
combine_lang_model --input_unicharset "$OUT/unicharset" --script_dir "$OUT/langdata" \
    --lang "$LANG_NAME" --output_dir "$OUT/starter" 2>&1 | grep -v '^Warning: properties incomplete' || true
[ -s "$OUT/starter/$LANG_NAME/$LANG_NAME.traineddata" ] || { echo "combine_lang_model failed" >&2; exit 1; }
fi
STARTER=$OUT/starter/$LANG_NAME/$LANG_NAME.traineddata

# 5. Training from scratch; keep best and last checkpoints only.
#    (O1c13 in the spec: lstmtraining sizes the output to the recoder's 12 codes itself.)
CKPT=$RUNDIR/checkpoints
rm -rf "$CKPT"; mkdir -p "$CKPT"
prune() {  # keep <name>_checkpoint (last) and the newest best checkpoint
    # (|| true: a file lstmtraining is replacing can vanish under ls, which must not stop the loop)
    { ls -t "$CKPT"/${LANG_NAME}_[0-9]*.checkpoint 2>/dev/null | tail -n +2 | xargs -r rm -f; } || true
}
if [ -n "${CONTINUE_FROM:-}" ]; then
    log "fine-tuning from $CONTINUE_FROM, lr $LEARNING_RATE, up to $ITERATIONS iterations"
    START_ARGS=(--continue_from "$CONTINUE_FROM")
else
    log "training: $NET_SPEC, lr $LEARNING_RATE, $ITERATIONS iterations"
    START_ARGS=(--net_spec "$NET_SPEC")
fi
start=$(date +%s)
( while sleep 30; do prune; done ) & pruner=$!
trap 'kill $pruner 2>/dev/null || true' EXIT
lstmtraining \
    --traineddata "$STARTER" \
    "${START_ARGS[@]}" \
    --model_output "$CKPT/$LANG_NAME" \
    --learning_rate "$LEARNING_RATE" \
    --train_listfile "$OUT/train.list" \
    --eval_listfile "$OUT/eval.list" \
    --max_iterations "$ITERATIONS" \
    --target_error_rate "${TARGET_ERROR:-0.01}" 2>&1 | tee "$RUNDIR/training.log"
kill $pruner 2>/dev/null || true
prune
log "training took $(( $(date +%s) - start )) s"

# 6. Final models from the last checkpoint: float and integer.
M=$RUNDIR/models
mkdir -p "$M/float" "$M/int" training/model
lstmtraining --stop_training --continue_from "$CKPT/${LANG_NAME}_checkpoint" \
    --traineddata "$STARTER" --model_output "$M/float/$LANG_NAME.traineddata"
lstmtraining --stop_training --convert_to_int --continue_from "$CKPT/${LANG_NAME}_checkpoint" \
    --traineddata "$STARTER" --model_output "$M/int/$LANG_NAME.traineddata"
cp "$M/$MODEL_FORMAT/$LANG_NAME.traineddata" "training/model/$LANG_NAME.traineddata"
ls -l "$M"/*/ "training/model/$LANG_NAME.traineddata"
log "done: training/model/$LANG_NAME.traineddata ($MODEL_FORMAT); evaluate with training/evaluate.sh"
