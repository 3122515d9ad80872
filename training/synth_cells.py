#!/usr/bin/python3
"""Synthetic, labelled digit cells for training meterdigits, in the reader's preparation.

Two sources, both written as prepared cells (dark on light, 48 px high, exactly what
`prepare_data.py` makes of a real crop) plus a labels.csv (file,visible,kind,source):

  render   Counters drawn with the sample generator's own renderers (samples/generator/
           counters.py: drum typefaces with cylinder projection and partial rolls, DSEG7 LCD
           with ghost segments, printed and embossed digits, red fraction drums), passed
           through its camera model (degrade.camera: defocus/motion blur, tone curve, sensor
           noise, phone sharpening) and JPEG, then cut into cells with the Swift
           CounterExtractor's geometry (cell = 1.3 x digit height, width min(0.96 pitch,
           1.35 x digit width), with locator-like jitter) and prepared like
           CellPreparation.swift `.standard` with the polarity known (the reader takes it
           from the locator). Partial rolls are kept only where one digit clearly dominates
           (offset < 0.22 or > 0.78) and are labelled with that digit; `--rolling SHARE`
           also draws that share of the drums mid-roll (0.22-0.78), labelled `a|b` with the
           offset in a `roll` column, which train.py turns into a soft target as for a real
           rolling crop.

  harvest  Cells cut by the Swift reader itself: photos rendered by samples/generator/
           generate.py with a seed of our own (never the samples' 20261125) are read with
           `meterscan read --debug-dir`; the prepared cells are taken from the `-3-cells.png`
           montage. A photo's cells are labelled only when the reader's crop lines up with
           the generator's counter_quad (same number of cells as digits, both ends within
           0.4 pitch) and the photo is readable; cells the reader treated as rolling, and
           the drums the generator rolled, are dropped.

Usage (from the repository root):
  /usr/bin/python3 training/synth_cells.py render  --out DIR --count 12000 --seed 7031
  /usr/bin/python3 training/synth_cells.py harvest --photos DIR --meterscan BIN --out DIR

Needs python3-pil, python3-numpy and the sample generator's fonts (see samples/generator).
"""
import sys
sys.dont_write_bytecode = True  # never leave __pycache__ in samples/generator

import argparse
import csv
import io
import json
import math
import os
import subprocess

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "samples", "generator"))

import counters  # noqa: E402  (samples/generator)
import degrade  # noqa: E402
import util  # noqa: E402
from util import u, chance, pick  # noqa: E402
from prepare_data import HEIGHT, otsu, percentile, stretch_and_scale  # noqa: E402

SAMPLES_SEED = 20261125
# Drum offsets labelled with both digits (a|b, soft target): neither dominates the window.
MID_ROLL = (0.22, 0.78)


# --------------------------------------------------------------------------- preparation

def prepare_gray(gray, light_ink):
    """CellPreparation.swift `.standard` with the polarity given (as the reader does: it takes
    the polarity from the locator, `normalizePolarity = false` on the inverted cell)."""
    if light_ink:
        gray = 255 - gray
    h, w = gray.shape
    x0, y0 = w // 4, h * 3 // 10
    x1, y1 = max(x0 + 1, w - w // 4), max(y0 + 1, h - h * 3 // 10)
    hist = np.bincount(gray[y0:y1, x0:x1].ravel(), minlength=256).astype(np.int64)
    return stretch_and_scale(gray, hist)


def to_gray(rgb):
    a = np.asarray(rgb.convert("RGB"), dtype=np.uint32)
    return ((a[..., 0] * 77 + a[..., 1] * 150 + a[..., 2] * 29 + 128) >> 8).astype(np.uint8)


# --------------------------------------------------------------------------- render

def lum(c):
    return 0.30 * c[0] + 0.59 * c[1] + 0.11 * c[2]


def ink_width(gray_f, box, light_ink):
    """Width of the ink in a digit box of a clean (render-scale) gray image: Otsu inside."""
    x0, y0, x1, y1 = [int(round(v)) for v in box]
    patch = gray_f[max(0, y0):y1, max(0, x0):x1]
    if patch.size == 0:
        return None
    g = np.clip(patch, 0, 255).astype(np.uint8)
    thr = otsu(np.bincount(g.ravel(), minlength=256).astype(np.int64))
    ink = g > thr if light_ink else g <= thr
    cols = np.nonzero(ink.mean(axis=0) > 0.03)[0]
    if len(cols) == 0:
        return None
    return cols[-1] - cols[0] + 1


def random_digits(rng, n):
    return "".join(str(int(d)) for d in rng.integers(0, 10, n))


def make_counter(rng, rolling=0.0, drums_only=False):
    """One counter at render scale: (RGB image, per digit (centre x, centre y, label,
    is_fraction, light_ink, roll), digit height, pitch, width of one digit's slot/window, style).
    A share `rolling` of the drums is caught mid-roll (offset 0.22-0.78): label "a|b", `roll`
    the offset (the share of b showing); every other cell has roll None."""
    style = "drum" if drums_only else pick(rng, ["drum"] * 5 + ["lcd"] * 3 + ["printed"] * 2)
    ni = int(rng.integers(4, 8))
    nf = int(rng.integers(0, 4)) if chance(rng, 0.7) else 0
    dh = u(rng, 44, 80)
    if style == "drum":
        digits = [int(c) for c in random_digits(rng, ni + nf)]
        offs = []
        for _ in digits:
            # `rolling and` keeps the default render's random draws, and so its cells, unchanged
            if rolling and rng.random() < rolling:
                offs.append(u(rng, *MID_ROLL))
                continue
            r = rng.random()
            if r < 0.70:
                offs.append(u(rng, 0, 0.05))
            elif r < 0.85:
                offs.append(u(rng, 0.05, MID_ROLL[0]))     # starting to roll: the lower digit dominates
            else:
                offs.append(u(rng, MID_ROLL[1], 0.97))     # nearly rolled in: the upper digit dominates
        drums = [(digits[j], offs[j], j >= ni) for j in range(len(digits))]
        img, bbox, info = counters.drum_counter(rng, drums, dh)
        ww, wh, my = info["ww"], info["wh"], info["margin_y"]
        white_on_black = info["scheme"] == "white_on_black"
        frac_light = info["frac_mode"] == "red_drum"
        if info["frac_mode"] == "red_frame":
            frac_light = white_on_black  # approximately: frame colour is behind the window only
        cells = []
        for j, (d, off, isf) in enumerate(drums):
            light = frac_light if isf else white_on_black
            if MID_ROLL[0] <= off <= MID_ROLL[1]:
                cells.append((info["xs"][j] + ww / 2, my + wh / 2, f"{d}|{(d + 1) % 10}", isf, light, round(off, 3)))
                continue
            label = d if off < 0.5 else (d + 1) % 10
            cells.append((info["xs"][j] + ww / 2, my + wh / 2, str(label), isf, light, None))
        pitch = (info["xs"][1] - info["xs"][0]) if len(info["xs"]) > 1 else ww * 1.2
        return img.convert("RGB"), cells, dh, pitch, ww, "drum"
    if style == "lcd":
        integer, fraction = random_digits(rng, min(ni, 7)), random_digits(rng, min(nf, 2))
        obis = pick(rng, ["1.8.0", "1.8.1", "15.8.0"]) if chance(rng, 0.4) else None
        img, bbox, info = counters.lcd_counter(rng, integer, fraction, dh, obis=obis,
                                               unit=pick(rng, ["kWh", "kWh", "MWh", ""]), indicators=chance(rng, 0.6))
        f = util.font(info["font"], dh)
        adv = f.getlength("8")
        b8 = f.getbbox("8")
        x0, y0 = bbox[0], bbox[1]
        cy = y0 + (b8[1] + b8[3]) / 2
        ink_h = b8[3] - b8[1]
        cells = [(x0 + adv * (j + 0.5), cy, ch, j >= len(integer), False, None)
                 for j, ch in enumerate(integer + fraction)]
        return img.convert("RGB"), cells, ink_h, adv, adv, "lcd"
    integer, fraction = random_digits(rng, ni), random_digits(rng, min(nf, 3))
    img, bbox, info = counters.printed_counter(rng, integer, fraction, dh)
    n = len(integer) + len(fraction)
    sep_units = 0.45 if fraction else 0.0
    cw = (bbox[2] - bbox[0]) / (n + sep_units)
    light = info["mode"] == "dark_rect"
    cells = []
    for j, ch in enumerate(integer + fraction):
        x = bbox[0] + cw * (j + 0.5) + (sep_units * cw if j >= len(integer) else 0)
        cells.append((x, (bbox[1] + bbox[3]) / 2, ch, j >= len(integer), light, None))
    return img.convert("RGB"), cells, dh, cw, cw, "printed"


def render_counter(rng, rolling=0.0, drums_only=False):
    """Yields (prepared cell, label, kind, roll) for every digit of one rendered, degraded counter."""
    img, cells, dh, pitch, slot, style = make_counter(rng, rolling, drums_only)
    # Surround: the meter face around the counter block (some room for the camera filters).
    pad = int(dh * 0.8)
    face = tuple(int(v) for v in pick(rng, [(235, 235, 230), (200, 202, 205), (40, 42, 48), (30, 60, 120), (120, 122, 126)]))
    canvas = Image.new("RGB", (img.width + 2 * pad, img.height + 2 * pad), face)
    canvas.paste(img, (pad, pad))
    gray_clean = np.asarray(canvas.convert("L"), np.float32)
    # Ink width per digit at render scale -> the locator's digit width (median over the row).
    widths = []
    for (cx, cy, _, _, light, _) in cells:
        w = ink_width(gray_clean, (pad + cx - slot * 0.46, pad + cy - dh * 0.5, pad + cx + slot * 0.46, pad + cy + dh * 0.5), light)
        if w:
            widths.append(w)
    digit_w = float(np.median(widths)) if widths else dh * 0.6
    # Photo scale: digits 14-60 px high in the photo (log-uniform), like citizen photos.
    target = math.exp(u(rng, math.log(14), math.log(60)))
    s = target / dh
    W, H = max(8, int(canvas.width * s)), max(8, int(canvas.height * s))
    small = canvas.resize((W, H), Image.LANCZOS)
    arr = np.asarray(small, np.float32) / 255.0
    # Uneven light / white balance, then the generator's camera (blur, noise, sharpening).
    gx = np.linspace(-1, 1, W, dtype=np.float32)[None, :, None]
    gy = np.linspace(-1, 1, H, dtype=np.float32)[:, None, None]
    light = 1 + u(rng, -0.25, 0.25) * gx + u(rng, -0.25, 0.25) * gy
    wb = np.array([u(rng, 0.9, 1.1), 1.0, u(rng, 0.9, 1.1)], np.float32)
    arr = arr * light * wb * u(rng, 0.6, 1.15)
    out, _ = degrade.camera(rng, arr, 1.0, digit_px=dh * s * 1.3)
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=int(rng.integers(55, 90)), subsampling=2)
    photo = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    gray = to_gray(photo)
    # Cells with the CounterExtractor's geometry from the locator's (jittered) estimates.
    est_h = dh * s * u(rng, 0.92, 1.12)
    est_w = digit_w * s * u(rng, 0.9, 1.12)
    est_pitch = pitch * s * u(rng, 0.97, 1.03)
    cell_w = max(4, int(min(est_pitch * 0.96, est_w * 1.35)))
    cell_h = max(4, int(est_h * 1.3))
    angle = math.radians(u(rng, -2.5, 2.5))
    dy_row = u(rng, -0.08, 0.08) * est_h
    g = Image.fromarray(gray)
    for (cx, cy, label, isf, light_ink, roll) in cells:
        px = (pad + cx) * s + u(rng, -0.08, 0.08) * est_pitch
        py = (pad + cy) * s + dy_row + u(rng, -0.03, 0.03) * est_h
        # affine sampling of a cell_w x cell_h box centred at (px, py), rotated by `angle`
        c, sn = math.cos(angle), math.sin(angle)
        ox = px - (cell_w / 2) * c + (cell_h / 2) * sn
        oy = py - (cell_w / 2) * sn - (cell_h / 2) * c
        cell = g.transform((cell_w, cell_h), Image.AFFINE, (c, -sn, ox, sn, c, oy), resample=Image.BILINEAR)
        cg = np.asarray(cell, np.uint8)
        if int(cg.max()) - int(cg.min()) < 24:
            continue  # the reader does not call the engine on a blank cell
        kind = f"synth-{style}{'-frac' if isf else ''}{'-roll' if roll is not None else ''}"
        yield prepare_gray(cg, light_ink), label, kind, roll


def cmd_render(args):
    if args.seed == SAMPLES_SEED:
        raise SystemExit("use a seed other than the samples' seed")
    util.check_fonts()
    for spec in args.font_weight:
        # Drawn `times` as often: the counters pick from util.DIGIT_FONTS, the same list object.
        name, _, times = spec.rpartition(":")
        chosen = [f for f in util.DIGIT_FONTS if name in os.path.basename(f)]
        if not chosen or not times.isdigit():
            raise SystemExit(f"--font-weight {spec}: expected NAME:TIMES with NAME in a digit font's file name")
        util.DIGIT_FONTS.extend(chosen * (int(times) - 1))
    os.makedirs(os.path.join(args.out, "images"), exist_ok=True)
    rng = np.random.default_rng([args.seed, 0x5E11])
    rows = []
    k = 0
    while len(rows) < args.count:
        for cell, label, kind, roll in render_counter(rng, args.rolling, args.drums_only):
            name = f"s{len(rows):06d}.png"
            Image.fromarray(cell).save(os.path.join(args.out, "images", name), compress_level=1)
            rows.append((name, label, kind, f"render/{k}") + ((roll,) if args.rolling else ()))
            if len(rows) >= args.count:
                break
        k += 1
    write_labels(args.out, rows)
    kinds = {}
    for r in rows:
        kinds[r[2]] = kinds.get(r[2], 0) + 1
    print(f"rendered {len(rows)} cells from {k + 1} counters: {dict(sorted(kinds.items()))}")


def write_labels(out, rows):
    """labels.csv: file,visible,kind,source, and `roll` (a mid-roll drum's offset, else empty)
    when the rows carry it (a render with --rolling)."""
    with open(os.path.join(out, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f)
        rolled = any(len(r) > 4 for r in rows)
        w.writerow(["file", "visible", "kind", "source"] + (["roll"] if rolled else []))
        w.writerows([tuple(r[:4]) + (("" if r[4] is None else r[4],) if rolled else ()) for r in rows])


# --------------------------------------------------------------------------- harvest

def quad_ends(q):
    """Left-middle and right-middle points of a TL,TR,BR,BL quad (8 numbers)."""
    p = np.array(q, float).reshape(4, 2)
    return (p[0] + p[3]) / 2, (p[1] + p[2]) / 2


def cmd_harvest(args):
    manifest = os.path.join(args.photos, "manifest.csv")
    rows = {os.path.basename(r["file"]): r for r in csv.DictReader(open(manifest))}
    debug = os.path.join(args.out, "debug")
    os.makedirs(debug, exist_ok=True)
    os.makedirs(os.path.join(args.out, "images"), exist_ok=True)
    results_path = os.path.join(args.out, "results.jsonl")
    if not os.path.exists(results_path):
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        cmd = [args.meterscan, "read", os.path.join(args.photos, "photos"), "--jobs", str(args.jobs),
               "--debug-dir", debug, "--model", args.model]
        if args.tessdata:
            cmd += ["--tessdata", args.tessdata]
        with open(results_path + ".tmp", "w") as f:
            subprocess.run(cmd, stdout=f, env=env, check=False)
        os.replace(results_path + ".tmp", results_path)
    out_rows, stats = [], {}

    def count(key):
        stats[key] = stats.get(key, 0) + 1

    for line in open(results_path):
        res = json.loads(line)
        base = os.path.basename(res["file"])
        row = rows.get(base)
        if row is None or row["reason"] or not row["counter_quad"]:
            count("unreadable photo")
            continue
        if res.get("counter") is None or not res.get("digits"):
            count("nothing read")
            continue
        label = row["integer"] + row["fraction"]
        digits = res["digits"]
        if len(digits) != len(label):
            count("cell count differs")
            continue
        (ql, qr), (cl, cr) = quad_ends([float(v) for v in row["counter_quad"].split()]), quad_ends(res["counter"])
        pitch = np.linalg.norm(qr - ql) / len(label)
        if np.linalg.norm(cl - ql) > 0.4 * pitch or np.linalg.norm(cr - qr) > 0.4 * pitch:
            count("crop off the counter")
            continue
        stem = os.path.splitext(base)[0]
        try:
            raw = Image.open(os.path.join(debug, f"{stem}-4-raw-cells.png"))
            prepared = np.asarray(Image.open(os.path.join(debug, f"{stem}-3-cells.png")).convert("RGB"))[..., 0]
        except FileNotFoundError:
            count("no debug pictures")
            continue
        n = len(digits)
        if raw.width % n:
            count("montage unreadable")
            continue
        raw_w, raw_h = raw.width // n - 4, raw.height - 30
        pw = max(1, int(round(raw_w * HEIGHT / raw_h)))
        keep = n
        tags = row["tags"].split()
        if "rolling" in tags:
            keep = n - (3 if "carry" in tags else 1)   # the generator rolled the last drum(s)
        for i in range(keep):
            if digits[i]["rolling"]:
                break   # rolling cells are a suffix; their prepared picture is a piece
            x = i * (pw + 4)
            cell = prepared[:HEIGHT, x:x + pw]
            if cell.shape[1] != pw:
                break
            is_frac = i >= len(row["integer"])
            name = f"h_{stem}_{i}.png"
            Image.fromarray(np.ascontiguousarray(cell)).save(os.path.join(args.out, "images", name), compress_level=1)
            kind = f"harvest-{row['style']}{'-frac' if is_frac else ''}"
            out_rows.append((name, label[i], kind, f"harvest/{stem}"))
            count("cells")
            count("read right" if digits[i]["text"] == label[i] else "read wrong")
        count("photos used")
    write_labels(args.out, out_rows)
    print("harvest:", dict(sorted(stats.items())))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("render")
    r.add_argument("--out", required=True)
    r.add_argument("--count", type=int, default=12000)
    r.add_argument("--seed", type=int, default=7031)
    r.add_argument("--font-weight", action="append", default=[],
                   help="NAME:TIMES, draw the digit fonts whose file name holds NAME TIMES as often "
                        "(e.g. NotoSansMono:4, its slashed zero); repeatable; default: all alike")
    r.add_argument("--rolling", type=float, default=0.0,
                   help="share of drums caught mid-roll (offset 0.22-0.78), labelled a|b with the "
                        "offset in labels.csv's roll column (soft targets); default 0")
    r.add_argument("--drums-only", action="store_true", help="render drum counters only")
    h = sub.add_parser("harvest")
    h.add_argument("--photos", required=True, help="generate.py output (photos/ + manifest.csv), own seed")
    h.add_argument("--meterscan", required=True)
    h.add_argument("--model", default="eng")
    h.add_argument("--tessdata", default=None)
    h.add_argument("--jobs", type=int, default=1)
    h.add_argument("--out", required=True)
    a = ap.parse_args()
    {"render": cmd_render, "harvest": cmd_harvest}[a.cmd](a)


if __name__ == "__main__":
    main()
