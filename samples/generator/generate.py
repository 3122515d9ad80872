#!/usr/bin/python3
"""Deterministic generator of the MeterScan labelled sample photo set.

    /usr/bin/python3 samples/generator/generate.py --seed 20261125 --out samples

Writes <out>/photos/NNNN.jpg|png and <out>/manifest.csv.  Same seed (and same
Pillow / libjpeg-turbo / FreeType / fonts) => byte-identical files.
"""
import sys
sys.dont_write_bytecode = True  # keep samples/generator free of __pycache__

import argparse
import csv
import math
import os
import sys
import time
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import util  # noqa: E402
from util import u, chance, pick  # noqa: E402
import meters  # noqa: E402
import scene  # noqa: E402
import degrade  # noqa: E402

FIELDS = ["file", "reading", "integer", "fraction", "meter_type", "style", "tags", "split",
          "meter_number", "unit", "orientation", "width", "height", "reason", "counter_quad"]

WA_SIZES = [((1200, 1600), 40), ((1600, 1200), 26), ((960, 1280), 8), ((1280, 960), 6),
            ((900, 1600), 10), ((1600, 900), 4), ((1536, 2048), 3), ((1600, 1600), 3)]
ORIGINAL_SIZES = [(3000, 4000), (4000, 3000), (3000, 4000)]
ORIGINAL_ORIENT = [6, 1, 8]


def weighted(rng, items):
    w = np.array([x[-1] for x in items], float)
    i = int(rng.choice(len(items), p=w / w.sum()))
    return items[i][:-1] if len(items[i]) > 2 else items[i][0]


def plan(seed, n):
    """Decide per photo: style, meter type, reason, size, format, orientation, split."""
    rng = np.random.default_rng([seed, 0xC0FFEE])
    n_drum = int(round(n * 0.45))
    n_lcd = int(round(n * 0.30))
    n_prn = int(round(n * 0.20))
    n_bad = n - n_drum - n_lcd - n_prn
    kinds = []
    for i in range(n_drum):
        kinds.append(("drum", ["water", "water", "water", "water", "water", "gas", "gas", "gas", "electricity"][i % 9], ""))
    kinds += [("lcd", "electricity", "")] * n_lcd
    for i in range(n_prn):
        kinds.append(("printed", ["heat", "heat", "heat", "water", "heat", "gas", "electricity", "heat", "water", "heat"][i % 10], ""))
    reasons = ["motion_blur", "cut_off", "not_a_meter", "too_dark"]
    for i in range(n_bad):
        r = reasons[i % 4]
        if r == "not_a_meter":
            kinds.append(("none", "", r))
        else:
            st, mt = [("drum", "water"), ("lcd", "electricity"), ("drum", "gas"), ("printed", "heat")][(i // 4) % 4]
            kinds.append((st, mt, r))
    order = rng.permutation(n)
    kinds = [kinds[j] for j in order]
    # split: stratified by style/reason, ~60 % dev
    split = [""] * n
    groups = {}
    for i, k in enumerate(kinds):
        groups.setdefault("bad" if k[2] else k[0], []).append(i)
    for g in sorted(groups):
        idx = groups[g]
        perm = rng.permutation(len(idx))
        ndev = int(round(len(idx) * 0.6))
        for r, j in enumerate(perm):
            split[idx[j]] = "dev" if r < ndev else "test"
    # formats: a few screenshots (PNG) and ~3 full-size originals
    special = rng.permutation(n)
    shots = set(int(x) for x in special[:5])
    originals = [int(x) for x in special[5:8]]
    rotated = [int(x) for x in special[8:8 + 24]]
    orients = [6] * 8 + [8] * 6 + [3] * 6 + [2, 4, 5, 7]
    specs = []
    for i in range(n):
        sp = {"idx": i, "style": kinds[i][0], "meter_type": kinds[i][1], "reason": kinds[i][2], "split": split[i],
              "format": "jpg", "orientation": 1, "original": False, "exif": False}
        if i in shots:
            sp["format"] = "png"
            sp["size"] = pick(rng, [(1200, 1600), (1600, 1200)])
        elif i in originals:
            j = originals.index(i)
            sp["size"] = ORIGINAL_SIZES[j]
            sp["orientation"] = ORIGINAL_ORIENT[j]
            sp["original"] = True
            sp["exif"] = True
            sp["quality"] = int(rng.integers(84, 90))
        else:
            sp["size"] = weighted(rng, WA_SIZES)
            sp["quality"] = int(rng.integers(60, 86))
        if i in rotated:
            sp["orientation"] = orients[rotated.index(i)]
        specs.append(sp)
    return specs


# --------------------------------------------------------------------------- readings

CONFIGS = {
    ("drum", "water"): [(5, 3, 55), (5, 4, 10), (5, 0, 10), (4, 3, 8), (6, 2, 7), (5, 1, 5), (4, 4, 5)],
    ("drum", "gas"): [(5, 3, 75), (5, 2, 10), (6, 3, 5), (4, 3, 5), (5, 0, 5)],
    ("drum", "electricity"): [(5, 1, 50), (6, 1, 30), (6, 0, 10), (5, 0, 10)],
    ("lcd", "electricity"): [(6, 0, 45), (6, 1, 35), (6, 2, 8), (5, 1, 6), (7, 0, 6)],
    ("printed", "heat"): [(4, 3, 30), (5, 3, 20), (5, 0, 15), (6, 0, 20), (3, 3, 15)],
    ("printed", "water"): [(5, 0, 40), (5, 3, 40), (5, 2, 20)],
    ("printed", "gas"): [(5, 3, 60), (5, 0, 40)],
    ("printed", "electricity"): [(6, 0, 60), (5, 1, 40)],
}


def make_reading(rng, style, mtype):
    ni, nf = weighted(rng, CONFIGS[(style, mtype)])
    hi = 10 ** ni
    v = int(math.exp(u(rng, math.log(10 ** max(0, ni - 4) * 2), math.log(hi * 0.7))))
    integer = str(v).zfill(ni)[-ni:]
    fraction = "".join(str(int(d)) for d in rng.integers(0, 10, nf))
    if mtype in ("water", "gas"):
        unit = "m3"
    elif mtype == "electricity":
        unit = "kWh"
    else:
        unit = "MWh" if nf else "kWh"
    r = {"integer": integer, "fraction": fraction, "unit": unit,
         "unit_label": {"m3": "m³"}.get(unit, unit),
         "meter_number": str(int(rng.integers(1, 10))) + "".join(str(int(d)) for d in rng.integers(0, 10, 7))}
    r["tags"] = []
    if style == "drum":
        digits = [int(c) for c in integer + fraction]
        offs = [float(rng.uniform(0, 0.04)) for _ in digits]
        offs[-1] = float(rng.uniform(0, 0.08))
        if chance(rng, 0.22):
            # caught mid-roll: rightmost drum rolls; a carry chain rolls if it shows 9 -> 0
            chain = weighted(rng, [(1, 60), (2, 25), (3, 15)])
            n = len(digits)
            f = u(rng, 0.18, 0.82)
            for j in range(chain):
                p = n - 1 - j
                if j < chain - 1:
                    digits[p] = 9
                elif digits[p] == 9 and p > 0:
                    digits[p] = int(rng.integers(0, 9))
                offs[p] = f
            r["tags"].append("rolling")
            if chain > 1:
                r["tags"].append("carry")
        s = "".join(str(d) for d in digits)
        r["integer"], r["fraction"] = s[:ni], s[ni:]
        r["drums"] = [(digits[j], offs[j], j >= ni) for j in range(len(digits))]
    return r


# --------------------------------------------------------------------------- one photo

def build_meter(rng, style, mtype, reading, Fw):
    return meters.glass_wear(rng, _build_meter(rng, style, mtype, reading, Fw))


def _build_meter(rng, style, mtype, reading, Fw):
    if style == "drum":
        if mtype == "water":
            return meters.water_face(rng, Fw, reading, "drum")
        if mtype == "gas":
            return meters.gas_face(rng, Fw, reading)
        return meters.ferraris_face(rng, Fw, reading)
    if style == "lcd":
        return meters.electricity_lcd_face(rng, Fw, reading)
    if mtype == "water" and chance(rng, 0.5):
        return meters.water_face(rng, Fw, reading, "printed")
    return meters.printed_face(rng, Fw, reading, mtype)


def render_one(args):
    seed, sp, out_dir = args
    rng = np.random.default_rng([seed, sp["idx"]])
    W, H = sp["size"]
    s = max(W, H) / 1600.0
    tags = []
    reason = sp["reason"]
    reading = None
    quad = None
    if reason == "not_a_meter":
        img, info = scene.compose_empty(rng, W, H)
    else:
        reading = make_reading(rng, sp["style"], sp["meter_type"])
        tags += reading["tags"]
        frac_w = u(rng, 0.32, 0.70) if chance(rng, 0.85) else u(rng, 0.25, 0.32)
        Fw = int(min(2.0 * frac_w * W, 3600))
        meter = build_meter(rng, sp["style"], sp["meter_type"], reading, Fw)
        # keep readable counters readable: digit windows at least ~24 px tall in the photo
        cbh = meter["counter_bbox"][3] - meter["counter_bbox"][1]
        min_px = 24.0 if not reason else 14.0
        if cbh * frac_w * W / Fw < min_px:
            frac_w = min(0.8, min_px * Fw / (cbh * W))
        tags += meter["tags"]
        mode = "cut_off" if reason == "cut_off" else ("dark" if reason == "too_dark" else "readable")
        img, info = scene.compose(rng, W, H, meter, frac_w, mode)
        tags += info["tags"]
        if max(abs(info["tx"]), abs(info["ty"])) > math.radians(10):
            tags.append("perspective")
        if abs(info["roll"]) > math.radians(8):
            tags.append("tilted")
        quad = info["counter_img"]
        cw = np.ptp(info["counter_img"][:, 0]) / W
        if cw < 0.15:
            tags.append("small_counter")
    kw = {}
    if reason not in ("not_a_meter",):
        kw["digit_px"] = info["digit_px"]
    if reason == "motion_blur":
        kw["motion"] = u(rng, 0.05, 0.1) * max(W, H)
    if reason == "too_dark":
        kw["dark"] = True
    out, ctags = degrade.camera(rng, img, s, **kw)
    if not reason:
        tags += ctags
    orient = sp["orientation"]
    name = "%04d.%s" % (sp["idx"] + 1, sp["format"])
    path = os.path.join(out_dir, "photos", name)
    if sp["format"] == "png":
        shot, (sc, ox, oy) = degrade.screenshot(rng, out)
        if quad is not None:
            quad = quad * sc + np.array([ox, oy])
        shot.save(path, "PNG", optimize=False, compress_level=6)
        W, H = shot.size
        tags.append("screenshot")
    else:
        degrade.save_jpeg(out, path, sp["quality"], orient, sp["exif"])
        if orient != 1:
            tags.append("exif_rotated")
            if orient in (2, 4, 5, 7):
                tags.append("mirrored")
        if sp["original"]:
            tags.append("original_size")
    if reason:
        tags = [t for t in tags if t not in ("rolling", "carry")]
        tags.append("unreadable")
    # dedupe, keep order
    seen, tl = set(), []
    for t in tags:
        if t not in seen:
            seen.add(t)
            tl.append(t)
    row = {"file": "photos/" + name, "split": sp["split"], "orientation": str(orient),
           "width": str(W), "height": str(H), "reason": reason, "tags": " ".join(tl),
           "meter_type": sp["meter_type"], "style": sp["style"]}
    if reading is not None:
        row["meter_number"] = reading["meter_number"]
        row["unit"] = reading["unit"]
    else:
        row["meter_number"] = ""
        row["unit"] = ""
    row["counter_quad"] = "" if quad is None else " ".join("%d" % int(round(float(v))) for v in quad.flatten())
    if reason:
        row.update(reading="UNREADABLE", integer="", fraction="")
    else:
        row.update(reading=reading["integer"] + ("." + reading["fraction"] if reading["fraction"] else ""),
                   integer=reading["integer"], fraction=reading["fraction"])
    return sp["idx"], row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--out", default="samples")
    ap.add_argument("--count", type=int, default=250)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (output does not depend on it)")
    ap.add_argument("--only", type=str, default="", help="comma separated 1-based indices (debugging; manifest not written)")
    a = ap.parse_args()
    util.check_fonts()
    os.makedirs(os.path.join(a.out, "photos"), exist_ok=True)
    specs = plan(a.seed, a.count)
    if not a.only:
        # remove photos of an earlier run so the folder matches the manifest exactly
        pdir = os.path.join(a.out, "photos")
        for fn in sorted(os.listdir(pdir)):
            if len(fn) == 8 and fn[:4].isdigit() and fn[4:] in (".jpg", ".png"):
                os.remove(os.path.join(pdir, fn))
    if a.only:
        want = [int(x) - 1 for x in a.only.split(",")]
        specs = [specs[i] for i in want]
    t0 = time.time()
    jobs = [(a.seed, sp, a.out) for sp in specs]
    rows = {}
    if a.jobs > 1:
        with Pool(a.jobs) as pool:
            for idx, row in pool.imap_unordered(render_one, jobs, chunksize=1):
                rows[idx] = row
    else:
        for j in jobs:
            idx, row = render_one(j)
            rows[idx] = row
    with open(os.path.join(a.out, "manifest.csv"), "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        for i in sorted(rows):
            w.writerow(rows[i])
    print("wrote %d photos + manifest in %.0f s" % (len(rows), time.time() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
