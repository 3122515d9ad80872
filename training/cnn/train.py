#!/usr/bin/python3
"""Trains digitnet (a small CNN for single meter-digit cells) on the real crops.

Split by meter model exactly as training/prepare_data.py (group_key, heldout-groups.txt):
the held-out groups are never seen here, not even for choosing a checkpoint. The checkpoint is
chosen on an inner validation split, also by meter, carved out of the training groups
(INNER_VAL_GROUPS below); every other training group is trained on.

Targets: a clean crop is its visible digit (a drum 0.1/0.2 away from rest gives the digit it
is moving towards 5/10 % of the mass); a rolling crop `a|b` with value a.f is the soft target
(1-f) on a, f on b. That teaches the net what a half-rolled drum is (both neighbours as the
two top choices, which is what the reading rules want) instead of forcing a choice.

Writes the weights file (--out), the Swift test fixture (--fixture) and a log; deterministic
for a given --seed (numpy's own RNG; one BLAS thread).
"""

import sys
sys.dont_write_bytecode = True  # no __pycache__ in training/

import argparse
import csv
import io
import math
import os
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))

import digitnet as dn  # noqa: E402
from prepare_data import group_key  # noqa: E402  (the split's single definition)

# Training meters set aside to choose the checkpoint (never the held-out ones): one power
# meter and one water meter model, the two kinds with several training groups.
INNER_VAL_GROUPS = {"powermeter/unknown/iotson", "watermeter/pp"}


def load_rows(data, heldout_file):
    held = {l.strip() for l in open(heldout_file) if l.strip() and not l.startswith("#")}
    rows = list(csv.DictReader(open(os.path.join(data, "labels.csv"))))
    for r in rows:
        r["group"] = group_key(r["kind"], r["source"])
    missing = (held | INNER_VAL_GROUPS) - {r["group"] for r in rows}
    if missing:
        raise SystemExit(f"groups not in data: {sorted(missing)}")
    if held & INNER_VAL_GROUPS:
        raise SystemExit("inner validation groups must be training groups")
    return rows, held


def target(r, classes=10):
    """Soft target over the ten digits (see module doc)."""
    t = np.zeros(classes, np.float32)
    value = float(r["value"])
    frac = round(value - math.floor(value), 1)
    if r["state"] == "rolling":
        lower, upper = (int(d) for d in r["visible"].split("|"))
        t[lower] += 1 - frac
        t[upper] += frac
        return t
    d = int(r["visible"])
    # distance from rest towards the neighbour the drum is moving to / coming from
    if frac in (0.1, 0.2) and int(math.floor(value)) % 10 == d:
        side, dist = (d + 1) % 10, frac
    elif frac in (0.8, 0.9) and (int(math.floor(value)) + 1) % 10 == d:
        side, dist = (d + 9) % 10, 1 - frac
    else:
        side, dist = None, 0.0
    t[d] = 1 - dist / 2
    if side is not None:
        t[side] += dist / 2
    return t


def add_window_frame(x, rng):
    """The crop cut wider than its digit, with the counter window's frame beside it: on one or
    both sides a margin of 6-35 % of the width, holding a strip of the drum's own ground (the
    replicated edge, possibly none) and then the frame, a bar darker than the ink (70 %) or
    lighter than the ground, with a soft shadow towards the digit; a third of the time the
    frame's top or bottom edge too. The bar may also reach a little into the crop itself. Digit
    cells with such edges are what the not-a-digit pool (bars alone) cannot show: without them
    the net takes a frame at the cell edge for a stroke (a 1 or the side of a 0)."""
    x = x.astype(np.float32)
    h, w = x.shape
    lo, hi = float(np.percentile(x, 2)), float(np.percentile(x, 98))
    side = int(rng.integers(0, 4))  # 0 left, 1 right, 2-3 both (frames come in pairs)
    margins = []
    for s in (0, 1):
        if side < 2 and side != s:
            margins.append((0, 0, 0.0))
            continue
        m = int(round(w * rng.uniform(0.06, 0.35)))
        gap = int(round(rng.uniform(-0.1, 0.6) * max(m, 1)))  # < 0: the bar overlaps the crop
        gap = max(gap, -int(0.1 * w))
        if rng.random() < 0.7:
            tone = max(0.0, lo - rng.uniform(0, 40))
        else:
            tone = min(255.0, hi + rng.uniform(-10, 40))
        margins.append((m, gap, tone))
    out = np.pad(x, ((0, 0), (margins[0][0], margins[1][0])), mode="edge")
    ow = out.shape[1]
    for s, (m, gap, tone) in enumerate(margins):
        if m == 0:
            continue
        bar = max(1, m - gap)  # columns from the outer edge covered by the frame
        shade = np.ones(bar, np.float32)
        soft = min(bar, int(rng.integers(1, 4)))
        shade[bar - soft:] = np.linspace(1, 0.4, soft)  # the frame's inner edge is soft
        shade = shade if s == 0 else shade[::-1]
        cols = slice(0, bar) if s == 0 else slice(ow - bar, ow)
        ground = out[:, cols]
        bar_img = tone + rng.normal(0, 3, ground.shape) + np.linspace(0, rng.uniform(-15, 15), h)[:, None]
        out[:, cols] = shade[None, :] * bar_img + (1 - shade[None, :]) * ground
    if rng.random() < 0.33:
        bh = max(1, int(round(h * rng.uniform(0.04, 0.15))))
        tone = max(0.0, lo - rng.uniform(0, 40)) if rng.random() < 0.7 else min(255.0, hi + rng.uniform(-10, 40))
        rws = slice(0, bh) if rng.random() < 0.5 else slice(h - bh, h)
        out[rws, :] = tone + rng.normal(0, 3, out[rws, :].shape)
    return np.clip(out, 0, 255)


def augment_raw(gray, rng, frames=0.0, edges=0.0, shift=0.08, wide=1.25):
    """A camera/locator-like variant of a raw crop: the cell window moved, scaled, stretched
    and turned a little (as the reader's cutter errs), then tone, blur, noise and JPEG."""
    h, w = gray.shape
    pad = max(2, int(0.25 * max(h, w)))
    big = Image.fromarray(np.pad(gray, pad, mode="edge"))
    scale = rng.uniform(0.9, 1.12)
    sx, sy = scale * rng.uniform(0.85, 1.2), scale
    ang = math.radians(rng.uniform(-3, 3))
    dx, dy = rng.uniform(-shift, shift) * w, rng.uniform(-0.08, 0.08) * h
    ca, sa = math.cos(ang), math.sin(ang)
    # output (u, v) -> source: centre + R * diag(sx, sy) * ((u, v) - centre_out) + shift
    a, b = ca * sx, -sa * sy
    d, e = sa * sx, ca * sy
    cx, cy = pad + w / 2 + dx, pad + h / 2 + dy
    # The window itself narrower or wider (the cutter's cell width varies with the pitch and
    # the digit's ink width), a little shorter or taller; the digit keeps its size.
    ow = max(4, int(round(w * rng.uniform(0.8, wide))))
    oh = max(4, int(round(h * rng.uniform(0.92, 1.1))))
    c = cx - a * ow / 2 - b * oh / 2
    f = cy - d * ow / 2 - e * oh / 2
    img = big.transform((ow, oh), Image.AFFINE, (a, b, c, d, e, f), resample=Image.BILINEAR)
    x = np.asarray(img, dtype=np.float32)
    if frames > 0 and rng.random() < frames:  # (no draw when off: runs stay reproducible)
        # the drum window's frame: a dark bar along the left and/or right edge (sometimes the
        # top or bottom too), as a cell cut wider than its digit shows it
        dark = float(np.percentile(x, 3))
        sides = [("l", "r", "lr")[int(rng.integers(0, 3))]]
        if rng.random() < 0.3:
            sides.append(("t", "b")[int(rng.integers(0, 2))])
        for side in "".join(sides):
            if side in "lr":
                bw = int(rng.integers(1, max(2, int(0.18 * ow)) + 1))
                cols = slice(0, bw) if side == "l" else slice(ow - bw, ow)
                x[:, cols] = dark + rng.normal(0, 4, x[:, cols].shape)
            else:
                bh = int(rng.integers(1, max(2, int(0.1 * oh)) + 1))
                rws = slice(0, bh) if side == "t" else slice(oh - bh, oh)
                x[rws, :] = dark + rng.normal(0, 4, x[rws, :].shape)
    if edges > 0 and rng.random() < edges:  # (no draw when off)
        x = add_window_frame(x, rng)
    if rng.random() < 0.5:  # tone: gamma and reduced contrast
        x = 255 * (x / 255) ** rng.uniform(0.7, 1.4)
        k = rng.uniform(0.5, 1.0)
        x = x * k + rng.uniform(0, 255 * (1 - k))
    if rng.random() < 0.35:
        x = np.asarray(Image.fromarray(np.clip(x, 0, 255).astype(np.uint8)).filter(
            ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2) * h / 48)), dtype=np.float32)
    if rng.random() < 0.4:
        x = x + rng.normal(0, rng.uniform(2, 12), x.shape)
    x = np.clip(x, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        x = jpeg_recompressed(x, rng)
    return x


def jpeg_recompressed(x, rng):
    """A uint8 gray cell saved as JPEG at a random quality 30-85 and read back."""
    buf = io.BytesIO()
    Image.fromarray(x).save(buf, "JPEG", quality=int(rng.integers(30, 86)))
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L"), dtype=np.uint8)


def make_set(rows, data, variants, rng, log, invert=0.0, frames=0.0, classes=10, edges=0.0, shift=0.08,
             wide=1.25):
    """Network inputs for rows: the plain crop plus `variants` augmented copies of each; a share
    `invert` of the copies is inverted after preparation (light digit on dark), as the reader's
    polarity guess sometimes leaves a cell (e.g. watermeter/pp, light drums on black)."""
    n = len(rows) * (1 + variants)
    xs = np.zeros((n, dn.INPUT_H, dn.INPUT_W), np.float32)
    ts = np.zeros((n, classes), np.float32)
    owner = np.zeros(n, np.int32)
    i = 0
    start = time.time()
    for k, r in enumerate(rows):
        gray = dn.to_gray(Image.open(os.path.join(data, "images", r["file"])))
        t = target(r, classes)
        for v in range(1 + variants):
            g = gray if v == 0 else augment_raw(gray, rng, frames, edges, shift, wide)
            cell = dn.prepare_crop(g)
            if v > 0 and rng.random() < invert:
                cell = 255 - cell
            xs[i] = dn.fit_input(cell)
            ts[i] = t
            owner[i] = k
            i += 1
        if (k + 1) % 2000 == 0:
            log(f"  prepared {k + 1}/{len(rows)} crops ({time.time() - start:.0f} s)")
    return xs, ts, owner


def evaluate(net, xs, rows, batch=512):
    """Clean accuracy per kind, rolling top-2 = both neighbours, over plain crops."""
    probs = np.concatenate([dn.softmax(net.forward(xs[i:i + batch])[0]) for i in range(0, len(xs), batch)])
    order = np.argsort(-probs, axis=1)
    per_kind = {}
    clean_ok = clean_n = roll_ok = roll_n = 0
    for r, o in zip(rows, order):
        k = per_kind.setdefault(r["kind"], [0, 0])
        if r["state"] == "clean":
            ok = int(o[0]) == int(r["visible"])
            k[0] += ok
            k[1] += 1
            clean_ok += ok
            clean_n += 1
        else:
            roll_n += 1
            roll_ok += {int(o[0]), int(o[1])} == {int(d) for d in r["visible"].split("|")}
    return clean_ok / max(1, clean_n), roll_ok / max(1, roll_n), per_kind


def none_input(cell, rng, invert):
    """A raw not-a-digit cell prepared like a real crop, inverted with probability `invert`, as
    the network's input."""
    prepared = dn.prepare_crop(cell)
    if rng.random() < invert:
        prepared = 255 - prepared
    return dn.fit_input(prepared)


def make_none_set(rows, data, count, rng, invert, log):
    """Cells that hold no digit, target class 10: a window straddling two neighbouring crops of
    one counter (the locator's pitch half a digit off), and frame/background cells (dark bars
    on a light ground), each prepared like a real crop."""
    by_source = {}
    for r in rows:
        if r["state"] == "clean":
            by_source.setdefault(r["source"], []).append(r)
    pairs = [v for v in by_source.values() if len(v) >= 2]
    xs = np.zeros((count, dn.INPUT_H, dn.INPUT_W), np.float32)
    for i in range(count):
        if rng.random() < 0.6 and pairs:
            group = pairs[int(rng.integers(0, len(pairs)))]
            a, b = (group[int(k)] for k in rng.choice(len(group), 2, replace=False))
            ga = dn.to_gray(Image.open(os.path.join(data, "images", a["file"])))
            gb = dn.to_gray(Image.open(os.path.join(data, "images", b["file"])))
            h = ga.shape[0]
            wb = max(2, int(round(gb.shape[1] * h / gb.shape[0])))
            gb = np.asarray(Image.fromarray(gb).resize((wb, h), Image.BILINEAR), dtype=np.uint8)
            both = np.concatenate([ga, gb], axis=1)
            w = ga.shape[1]
            centre = w + rng.uniform(-0.15, 0.15) * w  # the seam, give or take
            left = int(np.clip(round(centre - w / 2), 0, both.shape[1] - w))
            cell = both[:, left:left + w]
        else:
            h, w = 48, int(rng.integers(20, 36))
            cell = np.full((h, w), rng.uniform(140, 235), np.float32)
            cell += np.linspace(0, rng.uniform(-30, 30), w)[None, :]
            for _ in range(int(rng.integers(1, 4))):
                bw = int(rng.integers(1, max(2, w // 4)))
                x0 = int(rng.integers(0, w - bw + 1))
                cell[:, x0:x0 + bw] = rng.uniform(0, 90)
            if rng.random() < 0.4:
                bh = int(rng.integers(1, 8))
                y0 = 0 if rng.random() < 0.5 else h - bh
                cell[y0:y0 + bh, :] = rng.uniform(0, 90)
            cell = cell + rng.normal(0, rng.uniform(2, 10), cell.shape)
            cell = np.asarray(Image.fromarray(np.clip(cell, 0, 255).astype(np.uint8)).filter(
                ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5))), dtype=np.uint8)
        xs[i] = none_input(cell, rng, invert)
    log(f"not-a-digit cells: {count}")
    return xs


# Lettering for the not-a-digit pool: only glyphs that cannot honestly be a digit in any of the
# generator's fonts (no O Q D I J L S B Z G T, no b g l o q s z i j: a 0, 1, 2, 5, 6, 8 or 9 in
# some face), plus a few symbols of the meter face's markings.
LETTERS_UPPER = "ACEFHKMNPRUVWXY"
LETTERS_LOWER = "acefhkmnprtuvwxy"
LETTER_SYMBOLS = "=-\u00b3"  # "³" of "m³"; no "/", an italic seven-segment 1


def letter_fonts():
    """The sample generator's faces (samples/generator/util.py), imported as synth_cells.py does."""
    sys.path.insert(0, os.path.join(HERE, "..", "..", "samples", "generator"))
    import util  # noqa: E402
    util.check_fonts()
    return util, util.BOLD_FONTS + util.TEXT_FONTS + util.DIGIT_FONTS


def looks_like_one(inked):
    """True when a lettering cut (bool ink mask) is mostly a single narrow stroke, upright or
    slanted (a stem of H, N, E with bits of its arms, the side of a neighbour): the
    honest reading of such a cell is a "1" (a seven-segment 1 is exactly that), so it is not
    taught as not-a-digit. A row counts as narrow when, ignoring slivers of the neighbours (runs
    at most 0.2 of the width touching a side), it holds a single run at most 0.45 of the width
    wide; a cut holding nothing but slivers is rejected too."""
    w = inked.shape[1]
    narrow = rows = 0
    for r in inked:
        d = np.diff(np.concatenate([[0], r.astype(np.int8), [0]]))
        runs = [(a, b) for a, b in zip(np.nonzero(d == 1)[0], np.nonzero(d == -1)[0])
                if (a > 0 and b < w) or b - a > 0.2 * w]  # not a neighbour's sliver at a side
        if not runs:
            continue
        rows += 1
        narrow += len(runs) == 1 and runs[0][1] - runs[0][0] <= 0.45 * w
    return rows == 0 or narrow >= 0.75 * rows


def render_letter_cell(util, fonts, rng):
    """One raw lettering cell (uint8 gray) for make_letter_set, or None when the cut shows
    nothing or what honestly reads as a "1" (looks_like_one)."""
    path = fonts[int(rng.integers(0, len(fonts)))]
    u = rng.random()
    pool = LETTERS_UPPER if u < 0.65 else LETTERS_LOWER if u < 0.9 else None
    chars = []
    for _ in range(4):
        if pool is None or rng.random() < 0.1:
            chars.append(LETTER_SYMBOLS[int(rng.integers(0, len(LETTER_SYMBOLS)))] if rng.random() < 0.5
                         else (LETTERS_UPPER + LETTERS_LOWER)[int(rng.integers(0, len(LETTERS_UPPER + LETTERS_LOWER)))])
        else:
            chars.append(pool[int(rng.integers(0, len(pool)))])
    size = rng.uniform(34, 80)
    f = util.font(path, size)
    tracking = rng.uniform(-0.02, 0.18) * size  # letter spacing
    xpos, x = [], 0.25 * size
    for ch in chars:
        xpos.append(x)
        x += f.getlength(ch) + tracking
    canvas_w = int(x + 0.25 * size) + 2
    canvas_h = int(size * 1.6) + 4
    ink_on = Image.new("L", (canvas_w, canvas_h), 0)
    d = ImageDraw.Draw(ink_on)
    base = int(size * 1.2)
    for ch, xp in zip(chars, xpos):
        d.text((xp, base), ch, font=f, fill=255, anchor="ls")
    mask = np.asarray(ink_on, dtype=np.float32) / 255
    # the row's height: cap height ("H") or, for a lowercase line, its ink, plus a margin
    cap = f.getbbox("H", anchor="ls")
    if pool is LETTERS_LOWER:
        rows = np.nonzero(mask.max(axis=1) > 0.3)[0]
        top, bottom = (int(rows[0]), int(rows[-1]) + 1) if len(rows) else (base + cap[1], base)
    else:
        top, bottom = base + cap[1], base
    ch_h = max(8, bottom - top)
    top -= int(round(ch_h * rng.uniform(0.03, 0.18)))
    bottom += int(round(ch_h * rng.uniform(0.03, 0.18)))
    h = bottom - top
    w = max(4, int(round(h * rng.uniform(0.5, 0.85))))
    k = int(rng.integers(1, 3))  # the letter in the middle (neighbours on both sides)
    if rng.random() < 0.5:  # one letter, its neighbours' edges at the sides
        centre = xpos[k] + f.getlength(chars[k]) / 2 + rng.uniform(-0.1, 0.1) * w
    else:  # straddling two letters
        centre = xpos[k] - tracking / 2 + rng.uniform(-0.15, 0.15) * w
    left = int(round(centre - w / 2))
    pad = max(0, -left, left + w - canvas_w, -top, bottom - canvas_h)
    mask = np.pad(mask, pad)
    cut = mask[top + pad:bottom + pad, left + pad:left + pad + w]
    inked = cut > 0.5
    if inked.mean() < 0.03:
        return None
    if looks_like_one(inked):
        return None
    # tones: a ground and an ink at least 50 levels apart, either way round
    if rng.random() < 0.5:
        ground, ink = rng.uniform(140, 245), rng.uniform(0, 110)
    else:
        ground, ink = rng.uniform(10, 150), rng.uniform(150, 255)
    if abs(ground - ink) < 50:
        ink = ground - 50 if ground > 127 else ground + 50
    ground_img = ground + np.linspace(0, rng.uniform(-30, 30), w)[None, :] + \
        np.linspace(0, rng.uniform(-20, 20), h)[:, None]
    cell = ground_img * (1 - cut) + ink * cut
    cell = np.asarray(Image.fromarray(np.clip(cell, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5) * h / 48)), dtype=np.float32)
    cell = cell + rng.normal(0, rng.uniform(2, 10), cell.shape)
    cell = np.clip(cell, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        cell = jpeg_recompressed(cell, rng)
    return cell


def make_letter_set(count, rng, invert, log):
    """Not-a-digit cells cut from a line of lettering (a brand such as NORDAQUA, TECHEM-X, often
    white on a dark or red band, or a marking's units): the cell the locator cuts at the
    lettering's pitch, cap height plus a margin high and 0.5-0.85 of that wide, either centred on
    one letter (its neighbours' edges showing) or straddling two (the seam at the centre ± 15 %
    of the width, as the digit seam cells). Dark on light or light on dark, varied gray levels, a
    gradient, noise, blur and sometimes JPEG; then prepared like a real crop."""
    util, fonts = letter_fonts()
    xs = np.zeros((count, dn.INPUT_H, dn.INPUT_W), np.float32)
    for i in range(count):
        cell = None
        while cell is None:
            cell = render_letter_cell(util, fonts, rng)
        xs[i] = none_input(cell, rng, invert)
    log(f"not-a-digit lettering cells: {count}")
    return xs


def load_synth(folders, rng, invert, log, classes=10, edges=0.0):
    """Synthetic prepared cells (training/synth_cells.py: labels.csv file,visible,kind,source and
    images/, already dark on light and 48 px high) as network inputs with one-hot targets (soft
    ones for drums rendered mid-roll, labels.csv's `roll` column); a
    share `invert` of them inverted, as for the real crops. A folder given as `path:weight` is
    drawn `weight` times as often per cell as a plain one (e.g. the reader's harvested cells);
    returns the inputs, the targets and the per-cell draw weights."""
    xs, ts, ws = [], [], []
    for folder in folders:
        weight = 1.0
        head, sep, tail = folder.rpartition(":")
        if sep and tail.replace(".", "", 1).isdigit():
            folder, weight = head, float(tail)
        n = 0
        for r in csv.DictReader(open(os.path.join(folder, "labels.csv"))):
            t = np.zeros(classes, np.float32)
            if r.get("roll"):
                # a drum rendered mid-roll: the soft target of a real rolling crop
                lower, upper = (int(d) for d in r["visible"].split("|"))
                t[lower], t[upper] = 1 - float(r["roll"]), float(r["roll"])
            elif len(r["visible"]) == 1 and r["visible"].isdigit():
                t[int(r["visible"])] = 1
            else:
                continue
            cell = np.asarray(Image.open(os.path.join(folder, "images", r["file"])).convert("L"), dtype=np.uint8)
            if edges > 0 and rng.random() < edges:
                # the rendered cells are cut tight: give some the window frame too, then prepare
                # again as the reader would (the frame can change its polarity and stretch)
                framed = add_window_frame(cell, rng)
                if rng.random() < 0.5:
                    framed = np.asarray(Image.fromarray(np.clip(framed, 0, 255).astype(np.uint8)).filter(
                        ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0))), dtype=np.float32)
                cell = dn.prepare_crop(np.clip(framed, 0, 255).astype(np.uint8))
            if rng.random() < invert:
                cell = 255 - cell
            xs.append(dn.fit_input(cell))
            ts.append(t)
            ws.append(weight)
            n += 1
        log(f"synthetic cells: {n} from {folder}" + (f" (draw weight {weight:g})" if weight != 1 else ""))
    return np.stack(xs), np.stack(ts), np.array(ws, np.float64)


def calibrate(net, vx, vt):
    """Temperature scaling: the T minimising the cross-entropy of softmax(logits / T) on the
    inner validation meters (unseen meters, as in use), folded into the last layer, so the
    reported confidences are calibrated for meters the net has not seen. Returns T."""
    logits = net.forward(vx)[0].astype(np.float64)
    best = (float("inf"), 1.0)
    for t in np.exp(np.linspace(math.log(0.5), math.log(5.0), 93)):
        nll = float(-(vt * np.log(dn.softmax(logits / t) + 1e-12)).sum(axis=1).mean())
        best = min(best, (nll, float(t)))
    t = best[1]
    last = net.layers[-1]
    last[1] = (last[1] / t).astype(np.float32)
    last[2] = (last[2] / t).astype(np.float32)
    return t


class Adam:
    def __init__(self, params, lr, wd):
        self.lr, self.wd, self.t = lr, wd, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, params, grads, lr):
        self.t += 1
        b1, b2 = 0.9, 0.999
        for p, g, m, v in zip(params, grads, self.m, self.v):
            if p.ndim > 1:
                g = g + self.wd * p  # L2 on weights only
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            mh = m / (1 - b1 ** self.t)
            vh = v / (1 - b2 ** self.t)
            p -= (lr * mh / (np.sqrt(vh) + 1e-8)).astype(p.dtype)


def write_fixture(net, path, cells, name="NetworkRecognizerFixture", weights="digitnet.bin"):
    """Swift test fixture `name`: a few prepared cells and the logits this (Python) forward pass
    gives with the net shipped as `weights`. Any fixture but the first holds the logits alone:
    its cells are the first fixture's, found by name."""
    pixels = name == "NetworkRecognizerFixture"
    lines = [
        "// Generated by training/cnn/train.py (write_fixture): do not edit. Prepared cells",
        "// (uint8 gray, hex" + ("" if pixels else ", in NetworkRecognizerFixture") + ") and the logits",
        f"// the Python forward pass gives for them with the shipped {weights};",
        "// NetworkRecognizerTests checks that the Swift pass agrees.",
        "",
        "/// Expected network outputs for fixed inputs, from the training script.",
        f"enum {name} {{",
        "    /// One prepared cell and its logits." if pixels else "    /// One prepared cell's logits.",
        "    struct Case {",
        "        let name: String",
    ]
    if pixels:
        lines += ["        let width: Int", "        let height: Int", "        let pixelsHex: String"]
    lines += ["        let logits: [Float]", "    }", "", "    static let cases: [Case] = ["]
    for name, cell in cells:
        logits = net.forward(dn.fit_input(cell, net.minimum_aspect)[None])[0][0]
        h, w = cell.shape
        lines.append(f"        Case(")
        if pixels:
            lines.append(f"            name: \"{name}\", width: {w}, height: {h},")
            hexs = cell.tobytes().hex()
            chunks = [hexs[i:i + 96] for i in range(0, len(hexs), 96)]
            lines.append("            pixelsHex: \"\"\"")
            lines += ["                " + c for c in chunks]
            lines.append("                \"\"\",")
        else:
            lines.append(f"            name: \"{name}\",")
        lines.append("            logits: [" + ", ".join(f"{v:.6f}" for v in logits) + "]),")
    lines += ["    ]", "}", ""]
    open(path, "w").write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--heldout-groups", required=True)
    ap.add_argument("--out", required=True, help="weights file to write (digitnet.bin)")
    ap.add_argument("--fixture", help="Swift fixture to write")
    ap.add_argument("--work", required=True, help="folder for the log and the checkpoint")
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--variants", type=int, default=5, help="augmented copies per crop")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--wd", type=float, default=1e-4)
    ap.add_argument("--dropout", type=float, default=0.3)
    ap.add_argument("--channels", default="8,16,32")
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--synth", action="append", default=[], help="folder of synthetic prepared cells, optionally path:weight (drawn weight times as often per cell); repeatable")
    ap.add_argument("--synth-share", type=float, default=0.0, help="share of each epoch's cells that are synthetic")
    ap.add_argument("--invert", type=float, default=0.15, help="share of augmented copies inverted")
    ap.add_argument("--frames", type=float, default=0.0,
                    help="share of augmented copies given a dark frame bar at an edge")
    ap.add_argument("--edges", type=float, default=0.0,
                    help="share of augmented copies cut wider, with a window frame beside the digit")
    ap.add_argument("--shift", type=float, default=0.08, help="sideways shift of the augmented window, share of the width")
    ap.add_argument("--wide", type=float, default=1.25, help="widest augmented window, times the crop width")
    ap.add_argument("--roll-weight", type=float, default=1.0, help="loss weight of the rolling crops")
    ap.add_argument("--synth-edges", type=float, default=0.0,
                    help="share of synthetic cells given a window frame (then prepared again)")
    ap.add_argument("--none-share", type=float, default=0.0,
                    help="share of each epoch's cells that hold no digit (class 10); 0 = a 10-class net")
    ap.add_argument("--none-letters", type=float, default=0.0,
                    help="share of the not-a-digit pool made of rendered lettering (brand text, units)")
    ap.add_argument("--fixture-from", help="write --fixture for this weights file and stop (no training)")
    ap.add_argument("--fixture-name", default="NetworkRecognizerFixture", help="Swift name of the fixture")
    ap.add_argument("--no-rolling", action="store_true", help="train on clean crops only")
    ap.add_argument("--minimum-aspect", type=float, default=0.0,
                    help="cells narrower than this (width / height) are stretched to it in the input step")
    args = ap.parse_args()

    os.makedirs(args.work, exist_ok=True)
    logf = open(os.path.join(args.work, "training.log"), "w")

    def log(msg):
        print(msg, flush=True)
        logf.write(msg + "\n")
        logf.flush()

    log(f"args: {vars(args)}")
    dn.minimum_aspect = args.minimum_aspect
    rng = np.random.default_rng(args.seed)
    rows, held = load_rows(args.data, args.heldout_groups)
    usable = [r for r in rows if r["group"] not in held and (r["state"] == "clean" or not args.no_rolling)]
    train_rows = [r for r in usable if r["group"] not in INNER_VAL_GROUPS]
    if args.fixture_from:
        # only (re)write the fixture for an existing weights file
        write_fixture(dn.load_weights(args.fixture_from), args.fixture, fixture_cells(train_rows, args.data),
                      args.fixture_name, os.path.basename(args.fixture_from))
        log(f"wrote {args.fixture} for {args.fixture_from}")
        return
    val_rows = [r for r in usable if r["group"] in INNER_VAL_GROUPS]
    log(f"train crops {len(train_rows)} (clean {sum(r['state'] == 'clean' for r in train_rows)}), "
        f"inner validation {len(val_rows)} ({sorted(INNER_VAL_GROUPS)}); held-out groups untouched: {len(held)}")

    t0 = time.time()
    classes = 11 if args.none_share > 0 else 10
    xs, ts, owner = make_set(train_rows, args.data, args.variants, rng, log, args.invert, args.frames, classes,
                             args.edges, args.shift, args.wide)
    # rolling crops may count more in the loss: their soft targets are what the reading rule
    # needs, and they are a minority of the cells seen once synthetic and not-a-digit cells join
    weight = np.where(np.array([r["state"] == "rolling" for r in train_rows]), args.roll_weight, 1.0)
    weight = np.repeat(weight, 1 + args.variants).astype(np.float32)
    vx, vt, _ = make_set(val_rows, args.data, 0, rng, log, classes=classes)
    sx, st, sw = (load_synth(args.synth, rng, args.invert, log, classes, args.synth_edges)
                  if args.synth_share > 0 else (None, None, None))
    # draw probabilities of the synthetic cells when some folder has a weight (else uniform,
    # drawn exactly as before)
    synth_p = None if sw is None or np.all(sw == 1) else sw / sw.sum()
    none_per_epoch = 0
    if args.none_share > 0:
        # not-a-digit cells: a pool of their own after the synthetic cells, drawn each epoch as
        # `none_share` of the real crops' count
        pool = len(train_rows) // 2
        letters = int(round(pool * args.none_letters))
        nx = make_none_set(train_rows, args.data, pool - letters, rng, args.invert, log)
        if letters:  # (no draw when off: the defaults reproduce the shipped run)
            nx = np.concatenate([nx, make_letter_set(letters, rng, args.invert, log)])
        nt = np.zeros((len(nx), classes), np.float32)
        nt[:, 10] = 1
        none_per_epoch = int(round(len(train_rows) * args.none_share))
        none_base = 0 if sx is None else len(sx)
        sx = nx if sx is None else np.concatenate([sx, nx])
        st = nt if st is None else np.concatenate([st, nt])
    synth_per_epoch = (int(round(len(train_rows) * args.synth_share / (1 - args.synth_share)))
                       if args.synth_share > 0 else 0)
    log(f"data ready: {len(xs)} training inputs, {len(vx)} validation, {time.time() - t0:.0f} s")

    net = dn.Net(tuple(int(c) for c in args.channels.split(",")), args.hidden, args.seed, classes)
    log(f"network: channels {args.channels}, hidden {args.hidden}, parameters {net.count()}")
    opt = Adam(net.params(), args.lr, args.wd)
    per_crop = 1 + args.variants
    total = math.ceil((len(train_rows) + synth_per_epoch + none_per_epoch) / args.batch) * args.epochs
    best = (-1.0, None, -1)
    step = 0
    for epoch in range(args.epochs):
        te = time.time()
        # one randomly chosen version (plain or augmented) of every crop per epoch
        pick = np.arange(len(train_rows)) * per_crop + rng.integers(0, per_crop, len(train_rows))
        if synth_per_epoch:
            # synthetic cells sit after the real ones in one index space
            rendered = len(sx) - (len(nx) if none_per_epoch else 0)
            drawn = (rng.integers(0, rendered, synth_per_epoch) if synth_p is None
                     else rng.choice(rendered, synth_per_epoch, p=synth_p))
            pick = np.concatenate([pick, len(xs) + drawn])
        if none_per_epoch:
            pick = np.concatenate([pick, len(xs) + none_base + rng.integers(0, len(nx), none_per_epoch)])
        pick = pick[rng.permutation(len(pick))]
        loss_sum = 0.0
        steps = math.ceil(len(pick) / args.batch)
        for s in range(steps):
            idx = pick[s * args.batch:(s + 1) * args.batch]
            real = idx[idx < len(xs)]
            fake = idx[idx >= len(xs)] - len(xs)
            bx = xs[real] if not len(fake) else np.concatenate([xs[real], sx[fake]])
            by = ts[real] if not len(fake) else np.concatenate([ts[real], st[fake]])
            bw = np.concatenate([weight[real], np.ones(len(fake), np.float32)])
            lr = args.lr * 0.5 * (1 + math.cos(math.pi * step / total))
            logits, caches = net.forward(bx, train=True, rng=rng, dropout=args.dropout)
            p = dn.softmax(logits)
            y = by
            loss_sum += float((-(y * np.log(p + 1e-9)).sum(axis=1) * bw).mean())
            grads = net.backward(((p - y) * bw[:, None] / len(idx)).astype(np.float32), caches)
            opt.step(net.params(), grads, lr)
            step += 1
        acc, roll, kinds = evaluate(net, vx, val_rows)
        kind_text = " ".join(f"{k} {v[0] / max(1, v[1]):.3f}" for k, v in sorted(kinds.items()))
        log(f"epoch {epoch + 1:2d} loss {loss_sum / steps:.4f} inner-val clean {acc:.4f} "
            f"rolling top2 {roll:.3f} ({kind_text}) {time.time() - te:.0f} s")
        score = acc + 0.25 * roll
        if score > best[0]:
            best = (score, net.copy_params(), epoch + 1)
    net.load_params(best[1])
    acc, roll, _ = evaluate(net, vx, val_rows)
    log(f"best epoch {best[2]}: inner-val clean {acc:.4f}, rolling top2 {roll:.3f}; "
        f"total {time.time() - t0:.0f} s")
    temperature = calibrate(net, vx, vt)
    log(f"confidence calibration on the inner validation meters: temperature {temperature:.3f} "
        f"folded into the last layer (argmax unchanged)")
    dn.save_weights(net, args.out)
    log(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")

    check = dn.load_weights(args.out)
    assert np.allclose(check.forward(vx[:8])[0], net.forward(vx[:8])[0], atol=1e-5)
    if args.fixture:
        write_fixture(net, args.fixture, fixture_cells(train_rows, args.data))
        log(f"wrote {args.fixture}")


def fixture_cells(train_rows, data):
    """Four clean training crops of different kinds, prepared as at run time, and a wide ramp."""
    cells, kinds = [], set()
    for r in train_rows:
        if r["state"] != "clean" or r["kind"] in kinds:
            continue
        kinds.add(r["kind"])
        gray = dn.to_gray(Image.open(os.path.join(data, "images", r["file"])))
        cells.append((f"{r['file']} ({r['visible']}, {r['kind']})", dn.prepare_crop(gray)))
        if len(cells) == 4:
            break
    ramp = np.tile(np.linspace(0, 255, 60).astype(np.uint8), (48, 1))
    cells.append(("wide ramp 60x48 (padding above and below)", ramp))
    narrow = (np.linspace(0, 200, 14)[None, :] + np.arange(48)[:, None]).astype(np.uint8)
    cells.append(("narrow ramp 14x48 (stretched by a net with a minimum aspect)", narrow))
    return cells


if __name__ == "__main__":
    main()
