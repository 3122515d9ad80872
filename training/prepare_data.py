#!/usr/bin/python3
"""Builds the line images for training the meterdigits Tesseract LSTM.

From the real crops in DATA (labels.csv: file,value,visible,state,kind,source):
  1. groups crops by meter model (group_key), holds out the groups in heldout-groups.txt;
  2. prepares every crop like MeterVision's prepareCellForOCR(.standard): gray, polarity
     normalised to dark-on-light, contrast stretched (2nd/98th percentile of the central
     window), scaled to 48 px high;
  3. writes line images of 1-8 concatenated prepared crops (train: augmented, optionally
     mixed with synthetic cells from synth_cells.py, --synth/--synth-fraction; eval: plain,
     held-out meters, real crops only) with .gt.txt and .box files (one line box);
  4. writes the held-out evaluation folder (labels.csv + images/, held-out groups only,
     clean and rolling crops) for `meterscan eval-digits`.

Deterministic for a given --seed. Needs python3-pil and python3-numpy (Debian).
"""
import argparse
import csv
import io
import os
import random
import re
import shutil

import numpy as np
from PIL import Image, ImageFilter

HEIGHT = 48


def group_key(kind, source):
    """A meter (model) key: photos of one meter never land on both sides of the split."""
    source = source.strip()
    parts = [p.strip() for p in source.split("/")]
    top = parts[0]
    if top == "new":
        # new/<timestamp>.jpg: one camera's photo series; new/digN: crops by digit position.
        return "new/dig" if parts[1].startswith("dig") else "new/photos"
    if top in ("lcd", "lcd2"):
        return top + "/-"
    rest = parts[1:]
    if rest and rest[0].startswith("ISKRA"):
        return "powermeter/ISKRA_T3F-01S1"  # 'ISKRA T3F-01S1' and 'ISKRA.T3F-01S1_20250630' are one meter
    if rest and rest[0].lower() == "unknown" and len(rest) > 1:
        return "/".join([top, rest[0], rest[1]])  # unknown/<owner>: one meter per owner
    return "/".join([top, rest[0]]) if rest else top


def to_gray(img):
    """PIL image -> uint8 gray with MeterImage's weights (77/150/29, rounded)."""
    if img.mode == "L":
        return np.asarray(img, dtype=np.uint8).copy()
    rgb = np.asarray(img.convert("RGB"), dtype=np.uint32)
    return ((rgb[..., 0] * 77 + rgb[..., 1] * 150 + rgb[..., 2] * 29 + 128) >> 8).astype(np.uint8)


def polarity_window(gray):
    """The central window (x0, x1, y0, y1) whose histogram decides polarity and stretch: the
    middle half across and the middle 40 % down, as CellPreparation.swift takes it."""
    h, w = gray.shape
    x0, y0 = w // 4, h * 3 // 10
    x1, y1 = max(x0 + 1, w - w // 4), max(y0 + 1, h - h * 3 // 10)
    return x0, x1, y0, y1


def prepare_cell(path):
    """Mirror of Sources/MeterVision/CellPreparation.swift with `.standard` options."""
    gray = to_gray(Image.open(path))
    x0, x1, y0, y1 = polarity_window(gray)
    hist = np.bincount(gray[y0:y1, x0:x1].ravel(), minlength=256).astype(np.int64)
    thr = otsu(hist)
    if ink_is_light(gray, (x0, x1, y0, y1), thr):
        gray = 255 - gray
        hist = hist[::-1].copy()
    return stretch_and_scale(gray, hist)


def stretch_and_scale(gray, hist):
    """The end of the preparation: contrast stretched from the 2nd to the 98th percentile of
    the central window's histogram `hist`, then scaled to HEIGHT pixels high."""
    h, w = gray.shape
    low, high = percentile(hist, 0.02), percentile(hist, 0.98)
    if high > low:
        table = np.clip((np.arange(256) - low) * 255 // (high - low), 0, 255).astype(np.uint8)
        gray = table[gray]
    out_w = max(1, int(round(w * HEIGHT / h)))
    # PIL's BILINEAR is the same antialiased triangle filter as MeterVision's resample.
    return np.asarray(Image.fromarray(gray).resize((out_w, HEIGHT), Image.BILINEAR), dtype=np.uint8)


def otsu(hist):
    total = hist.sum()
    if total == 0:
        return 127
    values = np.arange(256, dtype=np.float64)
    s = float((values * hist).sum())
    best, best_var, dc, ds = 127, -1.0, 0, 0.0
    for v in range(255):
        dc += hist[v]
        ds += v * hist[v]
        lc = total - dc
        if dc == 0:
            continue
        if lc == 0:
            break
        dm, lm = ds / dc, (s - ds) / lc
        var = float(dc) * float(lc) * (dm - lm) ** 2
        if var > best_var:
            best_var, best = var, v
    return best


def ink_is_light(gray, window, thr):
    x0, x1, y0, y1 = window
    h, w = gray.shape
    bx, by = max(1, w * 3 // 20), max(1, h * 3 // 20)
    dark = gray <= thr
    band = np.zeros_like(dark)
    band[:by, :] = True
    band[h - by:, :] = True
    band[:, :bx] = True
    band[:, w - bx:] = True
    centre = np.zeros_like(dark)
    centre[y0:y1, x0:x1] = True
    centre &= ~band
    ct, bt = int(centre.sum()), int(band.sum())
    if ct == 0 or bt == 0:
        return False
    return int(dark[centre].sum()) * bt < int(dark[band].sum()) * ct


def percentile(hist, fraction):
    total = int(hist.sum())
    target = max(int(np.ceil(total * fraction)), 1)
    return int(np.searchsorted(np.cumsum(hist), target))


def augment_cell(cell, rng, strong=False):
    """Per crop: small vertical/horizontal shift, slight width change (strong: more of both,
    and a sliver of the window edge cut off or repeated on either side)."""
    h, w = cell.shape
    if rng.random() < (0.6 if strong else 0.5):
        lo, hi = (0.75, 1.3) if strong else (0.88, 1.12)
        new_w = max(4, int(round(w * rng.uniform(lo, hi))))
        cell = np.asarray(Image.fromarray(cell).resize((new_w, h), Image.BILINEAR))
    if strong and rng.random() < 0.5:
        cut = max(1, cell.shape[1] // 10)
        left, right = rng.randint(-cut, cut), rng.randint(-cut, cut)
        if left > 0:
            cell = cell[:, left:]
        elif left < 0:
            cell = np.concatenate([np.repeat(cell[:, :1], -left, axis=1), cell], axis=1)
        if right > 0:
            cell = cell[:, :-right]
        elif right < 0:
            cell = np.concatenate([cell, np.repeat(cell[:, -1:], -right, axis=1)], axis=1)
    dy = rng.randint(-3, 3) if strong else rng.randint(-2, 2)
    if dy:
        cell = np.roll(cell, dy, axis=0)
        if dy > 0:
            cell[:dy] = cell[dy]
        else:
            cell[dy:] = cell[dy - 1]
    dx = rng.randint(-2, 2)
    if dx > 0:
        cell = cell[:, dx:]
    elif dx < 0:
        cell = np.concatenate([np.repeat(cell[:, :1], -dx, axis=1), cell], axis=1)
    return cell


def augment_line(line, rng, nrng, strong=False):
    img = line.astype(np.float32)
    if rng.random() < 0.5:  # contrast / brightness
        c = rng.uniform(0.65, 1.0)
        b = rng.uniform(0, 255 * (1 - c))
        img = img * c + b
    if rng.random() < 0.4:  # blur
        pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
        img = np.asarray(pil.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.3))), dtype=np.float32)
    if rng.random() < 0.5:  # noise
        img = img + nrng.normal(0, rng.uniform(2, 12), img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    if strong:
        if rng.random() < 0.3:  # JPEG artefacts
            buf = io.BytesIO()
            Image.fromarray(img).save(buf, "JPEG", quality=rng.randint(25, 80))
            img = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L"))
        # The reader stretches every cell to full range: so does the line here.
        lo, hi = np.percentile(img, 2), np.percentile(img, 98)
        if hi > lo:
            img = np.clip((img.astype(np.float32) - lo) * 255 / (hi - lo), 0, 255).astype(np.uint8)
    return img


def write_line(out_dir, name, cells, text):
    line = np.concatenate(cells, axis=1)
    h, w = line.shape
    base = os.path.join(out_dir, name)
    Image.fromarray(line).save(base + ".png")
    with open(base + ".gt.txt", "w") as f:
        f.write(text + "\n")
    with open(base + ".box", "w") as f:  # WordStr-free line box, as tesstrain's generate_line_box
        for ch in text:
            f.write(f"{ch} 0 0 {w} {h} 0\n")
        f.write(f"\t 0 0 {w} {h} 0\n")


def load_synth(specs):
    """Synthetic cells (training/synth_cells.py): DIR[:WEIGHT] folders with labels.csv
    (file,visible,kind,source) and images/ of cells already prepared (48 px high).
    Returns a list of (cells, weight) pools."""
    pools = []
    for spec in specs:
        path, _, weight = spec.partition(":")
        cells = []
        for r in csv.DictReader(open(os.path.join(path, "labels.csv"))):
            if not re.fullmatch(r"[0-9]", r["visible"]):
                continue
            img = np.asarray(Image.open(os.path.join(path, "images", r["file"])).convert("L"), dtype=np.uint8)
            if img.shape[0] != HEIGHT:
                w = max(1, int(round(img.shape[1] * HEIGHT / img.shape[0])))
                img = np.asarray(Image.fromarray(img).resize((w, HEIGHT), Image.BILINEAR), dtype=np.uint8)
            cells.append((img, r["visible"]))
        if cells:
            pools.append((cells, float(weight or 1)))
        print(f"synthetic cells: {len(cells)} from {path} (weight {weight or 1})")
    return pools


def make_lines(out_dir, prefix, pool, count, rng, nrng, augment, strong=False, synth=(), synth_fraction=0.0):
    os.makedirs(out_dir, exist_ok=True)
    names = []
    weights = [w for _, w in synth]

    def pick():
        if synth and rng.random() < synth_fraction:
            cells = rng.choices([c for c, _ in synth], weights)[0]
            return rng.choice(cells)
        return rng.choice(pool)

    for i in range(count):
        # Many single cells (eval-digits and the reader feed one cell at a time), then 2-8.
        n = 1 if rng.random() < 0.35 else rng.randint(2, 8)
        picks = [pick() for _ in range(n)]
        cells = [augment_cell(c, rng, strong) if augment else c for c, _ in picks]
        line = np.concatenate(cells, axis=1)
        if augment and rng.random() < 0.8:
            line = augment_line(line, rng, nrng, strong)
        name = f"{prefix}_{i:05d}"
        write_line(out_dir, name, [line], "".join(t for _, t in picks))
        names.append(os.path.join(out_dir, name))
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--heldout-groups", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--train-lines", type=int, default=5000)
    ap.add_argument("--eval-lines", type=int, default=400)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--augment", choices=["light", "strong"], default="light")
    ap.add_argument("--heldout-dir", required=True, help="where to write the held-out eval folder")
    ap.add_argument("--synth", action="append", default=[],
                    help="DIR[:WEIGHT] of synthetic prepared cells (synth_cells.py); repeatable")
    ap.add_argument("--synth-fraction", type=float, default=0.0,
                    help="share of the training cells drawn from the synthetic folders")
    args = ap.parse_args()

    held = {l.strip() for l in open(args.heldout_groups) if l.strip() and not l.startswith("#")}
    rows = list(csv.DictReader(open(os.path.join(args.data, "labels.csv"))))
    groups = {}
    for r in rows:
        r["group"] = group_key(r["kind"], r["source"])
        groups.setdefault(r["group"], [0, r["kind"]])[0] += 1
    missing = held - set(groups)
    if missing:
        raise SystemExit(f"held-out groups not in data: {sorted(missing)}")

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "split.tsv"), "w") as f:
        f.write("group\tkind\tcrops\tside\n")
        for g, (n, k) in sorted(groups.items()):
            f.write(f"{g}\t{k}\t{n}\t{'heldout' if g in held else 'train'}\n")

    train_pool, eval_pool = [], []
    for r in rows:
        if r["state"] != "clean" or not re.fullmatch(r"[0-9]", r["visible"]):
            continue  # rolling crops are not used for training (see README)
        cell = prepare_cell(os.path.join(args.data, "images", r["file"]))
        (eval_pool if r["group"] in held else train_pool).append((cell, r["visible"]))
    print(f"clean crops: train {len(train_pool)}, held-out {len(eval_pool)}; "
          f"groups: {len(groups) - len(held)} train, {len(held)} held out")

    synth = load_synth(args.synth) if args.synth_fraction > 0 else []
    rng = random.Random(args.seed)
    nrng = np.random.default_rng(args.seed)
    train = make_lines(os.path.join(args.out, "lines", "train"), "t", train_pool, args.train_lines, rng, nrng, True,
                       args.augment == "strong", synth, args.synth_fraction)
    evals = make_lines(os.path.join(args.out, "lines", "eval"), "e", eval_pool, args.eval_lines, rng, nrng, False)
    for name, items in (("train_lines.txt", train), ("eval_lines.txt", evals)):
        with open(os.path.join(args.out, name), "w") as f:
            f.write("\n".join(items) + "\n")
    with open(os.path.join(args.out, "all_gt.txt"), "w") as f:
        f.write("0123456789\n")

    # Held-out folder for meterscan eval-digits: every crop (clean and rolling) of held-out groups.
    hd = args.heldout_dir
    shutil.rmtree(hd, ignore_errors=True)
    os.makedirs(os.path.join(hd, "images"))
    with open(os.path.join(hd, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "value", "visible", "state", "kind", "source"])
        for r in rows:
            if r["group"] in held:
                shutil.copyfile(os.path.join(args.data, "images", r["file"]), os.path.join(hd, "images", r["file"]))
                w.writerow([r[k] for k in ("file", "value", "visible", "state", "kind", "source")])


if __name__ == "__main__":
    main()
