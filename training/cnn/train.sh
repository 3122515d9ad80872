#!/bin/sh
# Trains digitnet (training/cnn/README.md) from a clean checkout and writes
# Sources/MeterOCR/Models/digitnet.bin and the Swift test fixture. One core, deterministic.
#
#   training/cnn/train.sh            # from anywhere in the repository; ~6 min on one core
#
# Knobs (environment): SEED, EPOCHS, VARIANTS (augmented copies per crop), CHANNELS, HIDDEN,
# LR, INVERT (share of copies inverted), FRAMES (share of copies given a dark frame bar),
# EDGES (share of copies cut wider with the window frame beside the digit), SYNTH_EDGES (share
# of the rendered cells given such a frame), MINIMUM_ASPECT (cells narrower than this, width over
# height, are stretched to it in the network's input step; 0 = none), SHIFT/WIDE (sideways shift and widest window of the
# augmented copies, shares of the crop width), ROLL_WEIGHT (loss weight of the rolling crops),
# SYNTH_SHARE (share of each epoch's cells drawn from the rendered synthetic cells; 0 = real
# crops only), RENDER_CELLS/RENDER_SEED (the rendered set,
# cached in .build-training/synth, shared with training/train.sh), SYNTH (other folders of
# prepared cells, e.g. the harvested ones), NONE_SHARE (not-a-digit cells per epoch, share of the
# real crops; 0 = a 10-class net), NONE_LETTERS (share of the not-a-digit pool made of rendered
# lettering, brand names and units, instead of seams and frame bars; 0 = none), OUT (weights
# file), FIXTURE (Swift test fixture),
# WORK (log folder, default .build-training/cnn), DATA (default ../shared/data/meter-digits).
# Cells cut by the reader itself (the shipped run 15 uses them): HARVEST_PHOTOS (photos rendered
# by samples/generator/generate.py with HARVEST_SEED, default 6003, never an evaluation seed;
# default 1200, 0 = none), HARVEST_WEIGHT (draw weight per harvested cell against a rendered one,
# default 2), HARVEST_READER (the commit whose reader cuts them, default b960e56, checked out once
# into .build-training/reader-COMMIT and built there: the cells depend on the reader's code),
# MESCAN (a built meterscan binary instead), HARVEST_MODELS (folder with the digitnet.bin the
# reader uses while harvesting; default that commit's Sources/MeterOCR/Models, run 8's weights).
# The harvest is cached in .build-training/synth by seed, count and reader; with MESCAN or
# HARVEST_MODELS set, name its folder with HARVEST_DIR, or a cache cut another way is taken.
set -eu
cd "$(dirname "$0")/../.."
DATA=${DATA:-../shared/data/meter-digits}
WORK=${WORK:-.build-training/cnn}
OUT=${OUT:-Sources/MeterOCR/Models/digitnet.bin}
FIXTURE=${FIXTURE:-Tests/MeterOCRTests/NetworkRecognizerFixture.swift}
SYNTH_SHARE=${SYNTH_SHARE:-0.3}
RENDER_CELLS=${RENDER_CELLS:-15000}
RENDER_SEED=${RENDER_SEED:-7031}
PYDEPS=.build-training/pydeps-numpy126
export PYTHONDONTWRITEBYTECODE=1
# Debian's numpy links the reference BLAS (~0.8 GFLOP/s here): the PyPI wheel bundles OpenBLAS
# (~15 GFLOP/s on one core). Installed once into a git-ignored folder, pinned for repeatability.
if [ ! -f "$PYDEPS/numpy/__init__.py" ]; then
    /usr/bin/python3 -m pip install --quiet --disable-pip-version-check --target "$PYDEPS" 'numpy==1.26.4'
fi
mkdir -p "$WORK"
SYNTH_ARGS=""
if [ "$SYNTH_SHARE" != "0" ]; then
    # Rendered cells (training/synth_cells.py render, ~1 min; never the samples' seed).
    RENDERED=.build-training/synth/render-$RENDER_SEED-$RENDER_CELLS
    if [ ! -f "$RENDERED/labels.csv" ]; then
        /usr/bin/python3 training/synth_cells.py render --out "$RENDERED" --count "$RENDER_CELLS" --seed "$RENDER_SEED"
    fi
    SYNTH_ARGS="--synth $RENDERED"
    HARVEST_PHOTOS=${HARVEST_PHOTOS:-1200}
    if [ "$HARVEST_PHOTOS" != "0" ]; then
        HARVEST_SEED=${HARVEST_SEED:-6003}
        PHOTOS=.build-training/synth/photos-$HARVEST_SEED-$HARVEST_PHOTOS
        HARVEST_READER=${HARVEST_READER:-b960e56}
        # Named by the reader too: cells cut by another reader must not come from the cache.
        HARVESTED=${HARVEST_DIR:-.build-training/synth/harvest-digitnet-$HARVEST_SEED-$HARVEST_PHOTOS-$HARVEST_READER}
        if [ ! -s "$PHOTOS/manifest.csv" ]; then
            /usr/bin/python3 samples/generator/generate.py --seed "$HARVEST_SEED" --out "$PHOTOS" \
                --count "$HARVEST_PHOTOS" --jobs "${JOBS:-2}"
        fi
        if [ ! -s "$HARVESTED/labels.csv" ]; then
            READER=.build-training/reader-$HARVEST_READER
            if [ -z "${MESCAN:-}" ] || [ -z "${HARVEST_MODELS:-}" ]; then
                # The reader (and weights) of a fixed commit, so the cells do not change as the
                # reader does; needs the git history (a full clone).
                [ -d "$READER" ] || git worktree add --detach "$READER" "$HARVEST_READER" >/dev/null 2>&1
            fi
            if [ -z "${MESCAN:-}" ]; then
                swift build -c release --package-path "$READER" --scratch-path .build-training/swiftbuild \
                    --product meterscan >/dev/null
                MESCAN=.build-training/swiftbuild/release/meterscan
            fi
            rm -rf "$HARVESTED"
            /usr/bin/python3 training/synth_cells.py harvest --photos "$PHOTOS" --meterscan "$MESCAN" \
                --model digitnet --tessdata "${HARVEST_MODELS:-$READER/Sources/MeterOCR/Models}" --jobs 1 --out "$HARVESTED"
        fi
        SYNTH_ARGS="$SYNTH_ARGS --synth $HARVESTED:${HARVEST_WEIGHT:-2}"
    fi
    for folder in ${SYNTH:-}; do SYNTH_ARGS="$SYNTH_ARGS --synth $folder"; done
fi
# One thread: the machine is shared, and one thread keeps the sums in a fixed order.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
# shellcheck disable=SC2086  # SYNTH_ARGS is a list of words on purpose
PYTHONPATH="$PYDEPS" /usr/bin/python3 training/cnn/train.py $SYNTH_ARGS --synth-share "$SYNTH_SHARE" \
    --data "$DATA" --heldout-groups training/heldout-groups.txt \
    --out "$OUT" --fixture "$FIXTURE" --work "$WORK" \
    --seed "${SEED:-7}" --epochs "${EPOCHS:-30}" --variants "${VARIANTS:-5}" \
    --channels "${CHANNELS:-16,32,64}" --hidden "${HIDDEN:-128}" --lr "${LR:-0.002}" \
    --invert "${INVERT:-0.15}" --frames "${FRAMES:-0}" --none-share "${NONE_SHARE:-0.15}" \
    --none-letters "${NONE_LETTERS:-0}" \
    --edges "${EDGES:-0}" --synth-edges "${SYNTH_EDGES:-0}" --shift "${SHIFT:-0.08}" --wide "${WIDE:-1.25}" \
    --roll-weight "${ROLL_WEIGHT:-1}" --minimum-aspect "${MINIMUM_ASPECT:-0}"
