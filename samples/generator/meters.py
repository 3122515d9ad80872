"""Meter faces: water (round, drums), gas (rect, drums), electricity (LCD or Ferraris drums),
heat / older meters (printed or embossed digits).  All drawn at render scale in face px."""
import math
import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from util import font, pick, u, chance, rgb, jitter_color, value_noise, TEXT_FONTS, BOLD_FONTS
import counters

BRANDS = ["AQUAMETRA", "HYDROTEC", "NORDAQUA", "VITRA", "KALDO", "AQUASTAR", "FLUVIA", "MESSTEK",
          "GASWERK", "METRONA", "ELMESS", "VOLTIS", "ENERGA", "THERMOSTAR", "CALORA", "TECHEM-X",
          "HEIMA", "ISOMET", "LANDIX", "ELEKTRA"]
WATER_MARKS = ["MID", "M19 0102", "DE-08-MI001-PTB012", "Q3 = 2,5 m³/h", "Q3 4  R160-H", "R100", "Qn 2,5 m³/h",
               "Qn 1,5 m³/h", "Class C", "PN 16", "T30", "T50", "2019", "2021", "Δp 0,63", "Q3/Q1 = 100", "DN 20", "H-R80 V-R40"]
GAS_MARKS = ["G4", "G2,5", "G6", "Qmax 6 m³/h", "Qmin 0,04 m³/h", "pmax 0,5 bar", "V = 1,2 dm³", "1 Imp = 0,01 m³",
             "tm -20°C +50°C", "DE-09-MI002-PTB005", "M19 0102", "E1/M1", "Qmax 10 m³/h", "Qmin 0,016 m³/h", "2018"]
EL_MARKS = ["1000 Imp/kWh", "10000 Imp/kWh", "230V 50Hz", "3x230/400V 50Hz", "5(60)A", "10(100)A", "0,25-5(60)A",
            "Kl. A", "Class 1", "MID", "DE-09-MI003-PTB011", "-25°C...+55°C", "IP54", "M21 0102", "2020"]
FERRARIS_MARKS = ["375 U/kWh", "600 U/kWh", "75 U/kWh", "230V 10(40)A 50Hz", "220V 10(30)A 50Hz", "Kl. 2", "1988", "1994", "Wechselstromzähler"]
HEAT_MARKS = ["qp 1,5 m³/h", "qp 2,5 m³/h", "θ 5...90 °C", "ΔΘ 3...70 K", "DE-07-MI004-PTB022", "Wärmezähler", "Heat meter",
              "PN16", "Kl. 2", "2017", "M17 0102", "θq 10...90 °C", "EN 1434"]

ITF = {"0": "nnwwn", "1": "wnnnw", "2": "nwnnw", "3": "wwnnn", "4": "nnwnw",
       "5": "wnwnn", "6": "nwwnn", "7": "nnnww", "8": "wnnwn", "9": "nwnwn"}


def unique_q(marks):
    """Keep only the first flow-rate mark (Q3 / Qn / qp) so a face never states two."""
    out, seen = [], []
    for m in marks:
        tok = m.split()[0]
        key = "flow" if tok in ("Q3", "Qn", "qp") else tok
        if key in ("flow", "Qmax", "Qmin"):
            if key in seen:
                continue
            seen.append(key)
        out.append(m)
    return out


def serial_text(rng, num):
    fmt = pick(rng, ["Nr. {}", "Nr.{}", "No. {}", "Nr {}", "Nr. {}", "S/N {}", "Nr. {} {}", "{}"])
    if "{} {}" in fmt:
        return fmt.format(num, pick(rng, ["2019", "2020", "2021", "2018", "2022"]))
    return fmt.format(num)


def draw_barcode(dr, x, y, h, module, digits, col=(20, 20, 20)):
    """Interleaved 2 of 5 barcode; returns end x."""
    if len(digits) % 2:
        digits = "0" + digits
    seq = "nnnn"
    for i in range(0, len(digits), 2):
        a, b = ITF[digits[i]], ITF[digits[i + 1]]
        for k in range(5):
            seq += a[k] + b[k]
    seq += "wnn"
    for i, c in enumerate(seq):
        w = module * (2.6 if c == "w" else 1.0)
        if i % 2 == 0:
            dr.rectangle([x, y, x + w - 0.5, y + h], fill=col)
        x += w
    return x


def barcode_block(dr, x, y, h, module, digits, fnt, col=(20, 20, 20), bg=(250, 250, 250)):
    # quiet zone background
    est = module * (4 + len(digits) * 7.2 + 5.2)
    dr.rectangle([x - module * 8, y - module * 4, x + est + module * 8, y + h + fnt.size * 1.3], fill=bg)
    x1 = draw_barcode(dr, x, y, h, module, digits, col)
    dr.text(((x + x1) / 2, y + h + fnt.size * 0.15), digits, font=fnt, fill=col, anchor="ma")
    return x1


def pointer_dial(dr, cx, cy, r, value, fnt, label, ink, face, red=(200, 30, 30), lab_font=None):
    dr.ellipse([cx - r, cy - r, cx + r, cy + r], fill=face, outline=ink, width=max(1, int(r * 0.05)))
    for k in range(10):
        a = 2 * math.pi * k / 10 - math.pi / 2
        tx, ty = cx + math.cos(a) * r * 0.72, cy + math.sin(a) * r * 0.72
        dr.text((tx, ty), str(k), font=fnt, fill=ink, anchor="mm")
        x0, y0 = cx + math.cos(a) * r * 0.9, cy + math.sin(a) * r * 0.9
        x1, y1 = cx + math.cos(a) * r, cy + math.sin(a) * r
        dr.line([(x0, y0), (x1, y1)], fill=ink, width=max(1, int(r * 0.03)))
    a = 2 * math.pi * value / 10 - math.pi / 2
    tip = (cx + math.cos(a) * r * 0.85, cy + math.sin(a) * r * 0.85)
    pa = a + math.pi / 2
    w = r * 0.12
    tail = (cx - math.cos(a) * r * 0.25, cy - math.sin(a) * r * 0.25)
    dr.polygon([tip, (cx + math.cos(pa) * w, cy + math.sin(pa) * w), tail, (cx - math.cos(pa) * w, cy - math.sin(pa) * w)], fill=red)
    dr.ellipse([cx - r * 0.1, cy - r * 0.1, cx + r * 0.1, cy + r * 0.1], fill=(60, 60, 60))
    if label and lab_font is not None:
        dr.text((cx, cy + r * 1.08), label, font=lab_font, fill=ink, anchor="ma")


def star(dr, cx, cy, r, col, n=8):
    pts = []
    for k in range(2 * n):
        rr = r if k % 2 == 0 else r * 0.45
        a = math.pi * k / n
        pts.append((cx + math.cos(a) * rr, cy + math.sin(a) * rr))
    dr.ellipse([cx - r * 1.15, cy - r * 1.15, cx + r * 1.15, cy + r * 1.15], outline=(80, 80, 80), width=max(1, int(r * 0.08)))
    dr.polygon(pts, fill=col)


def grime(rng, img, amount):
    """Multiply RGB by low-frequency dirt and fine speckle; keep alpha."""
    a = np.asarray(img, np.float32).copy()
    h, w = a.shape[:2]
    n = value_noise(rng, h, w, max(h, w) / 3, 3)
    s = value_noise(rng, h, w, 2.0, 1)
    # dirt collects towards the edges
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    e = np.maximum(np.abs(xx / w - 0.5), np.abs(yy / h - 0.5)) * 2
    m = 1 + amount * (0.25 * n + 0.3 * s) - amount * 0.8 * np.clip(n + 0.3, 0, 1) * e ** 3
    a[..., :3] *= m[..., None]
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGBA")


def shaded_ellipse(size, box, color, light=0.25, angle=-2.4):
    """Ring/disk with a directional light gradient, returns RGBA layer."""
    W, H = size
    x0, y0, x1, y1 = box
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    nx, ny = (xx - cx) / rx, (yy - cy) / ry
    g = 1 + light * (nx * math.cos(angle) + ny * math.sin(angle))
    col = np.array(color, np.float32)[None, None] * g[..., None]
    mask = Image.new("L", (W, H), 0)
    ImageDraw.Draw(mask).ellipse(box, fill=255)
    out = np.dstack([np.clip(col, 0, 255), np.asarray(mask, np.float32)])
    return Image.fromarray(out.astype(np.uint8), "RGBA")


def ink_for(bg):
    return (25, 25, 28) if sum(bg) > 330 else (235, 235, 230)


def fit_paste(face, block, box_center, max_w, max_h=None):
    """Resize block to fit max_w/max_h, paste centred; returns (x0,y0,scale)."""
    s = min(1.0, max_w / block.width, (max_h / block.height) if max_h else 1.0)
    if s < 1.0:
        block = block.resize((max(1, int(block.width * s)), max(1, int(block.height * s))), Image.LANCZOS)
    x0 = int(box_center[0] - block.width / 2)
    y0 = int(box_center[1] - block.height / 2)
    face.alpha_composite(block, (x0, y0))
    return x0, y0, s, block.size


def map_bbox(bb, x0, y0, s):
    return (x0 + bb[0] * s, y0 + bb[1] * s, x0 + bb[2] * s, y0 + bb[3] * s)


def text_lines(dr, rng, lines, x, y, fnt, ink, anchor="la", lh=1.35, max_w=None):
    for ln in lines:
        if max_w is not None and fnt.getlength(ln) > max_w:
            continue
        dr.text((x, y), ln, font=fnt, fill=ink, anchor=anchor)
        y += fnt.size * lh
    return y


def place_unit(dr, text, fnt, x0, y0, sz, cy, gap, limit_x, ink):
    """Unit right of the counter if it fits on the plate, else under its right end."""
    if x0 + sz[0] + gap + fnt.getlength(text) < limit_x:
        dr.text((x0 + sz[0] + gap, cy), text, font=fnt, fill=ink, anchor="lm")
        return y0 + sz[1]
    dr.text((x0 + sz[0], y0 + sz[1] + gap * 0.5), text, font=fnt, fill=ink, anchor="ra")
    return y0 + sz[1] + gap * 0.5 + fnt.size * 1.1


# --------------------------------------------------------------------------- water

def water_face(rng, D, reading, counter_kind="drum"):
    """Round water meter. reading: dict with drums / integer / fraction."""
    face = Image.new("RGBA", (D, D), (0, 0, 0, 0))
    body = pick(rng, [(175, 135, 70), (40, 75, 150), (30, 30, 32), (120, 122, 126), (230, 230, 228), (25, 60, 120)])
    face.alpha_composite(shaded_ellipse((D, D), (0, 0, D - 1, D - 1), body, 0.35))
    ir = D * u(rng, 0.40, 0.44)
    c = D / 2
    fcol = jitter_color(rng, pick(rng, [(242, 242, 238), (236, 238, 240), (210, 225, 240), (245, 240, 225), (30, 60, 120), (25, 25, 28)]), 6)
    # inner bezel
    face.alpha_composite(shaded_ellipse((D, D), (c - ir - D * 0.015, c - ir - D * 0.015, c + ir + D * 0.015, c + ir + D * 0.015), rgb([v * 0.7 for v in body]), -0.3))
    face.alpha_composite(shaded_ellipse((D, D), (c - ir, c - ir, c + ir, c + ir), fcol, 0.06))
    dr = ImageDraw.Draw(face)
    ink = ink_for(fcol)
    tags = []
    brand = pick(rng, BRANDS[:8] + BRANDS[14:16])
    bf = font(pick(rng, BOLD_FONTS), D * u(rng, 0.045, 0.065))
    dr.text((c + u(rng, -0.05, 0.05) * D, c - ir * u(rng, 0.62, 0.75)), brand, font=bf, fill=pick(rng, [ink, (30, 70, 160), (180, 30, 30)]) if sum(fcol) > 330 else ink, anchor="mm")
    # counter
    dh = D * u(rng, 0.055, 0.085)
    cy = c - ir * u(rng, 0.18, 0.38)
    if counter_kind == "drum":
        blk, bb, info = counters.drum_counter(rng, reading["drums"], dh)
        tags.append(info["scheme"])
        tags.append("red_fraction" if any(d[2] for d in reading["drums"]) else "no_fraction")
    else:
        blk, bb, info = counters.printed_counter(rng, reading["integer"], reading["fraction"], dh)
        tags += info["tags"]
    x0, y0, s, sz = fit_paste(face, blk, (c + u(rng, -0.04, 0.04) * D, cy), ir * 1.45)
    cb = map_bbox(bb, x0, y0, s)
    # unit next to / under the counter
    uf = font(pick(rng, BOLD_FONTS + TEXT_FONTS), D * u(rng, 0.04, 0.06))
    unit_below = not (x0 + sz[0] + uf.getlength("m³") + D * 0.02 < c + math.sqrt(max(1, ir ** 2 - (cy - c) ** 2)) * 0.95)
    if not unit_below:
        dr.text((x0 + sz[0] + D * 0.015, cy), "m³", font=uf, fill=ink, anchor="lm")
    else:
        dr.text((c + ir * 0.35, y0 + sz[1] + D * 0.01), "m³", font=uf, fill=ink, anchor="ma")
    sf = font(pick(rng, TEXT_FONTS), D * u(rng, 0.024, 0.032))
    nfrac = len(reading["fraction"])
    if counter_kind == "drum" and nfrac and chance(rng, 0.4) and not unit_below:
        # multipliers under the red drums
        xs, ww = info["xs"], info["ww"]
        for k in range(nfrac):
            xi = x0 + (xs[len(xs) - nfrac + k] + ww / 2) * s
            dr.text((xi, y0 + sz[1] + D * 0.004), "x0," + "0" * k + "1", font=font(sf.path, sf.size * 0.75), fill=ink, anchor="ma")
    # dials
    ndial = 0
    if nfrac == 0:
        ndial = int(rng.integers(3, 5))
    elif chance(rng, 0.35):
        ndial = int(rng.integers(1, 4))
    ytxt = cb[3] + D * 0.07
    if ndial:
        tags.append("dials")
        r = ir * u(rng, 0.13, 0.17)
        yd = c + ir * u(rng, 0.25, 0.35)
        span = r * 2.5
        df = font(pick(rng, TEXT_FONTS), r * 0.3)
        for k in range(ndial):
            xd = c + (k - (ndial - 1) / 2) * span
            if yd - c > 0 and math.hypot(xd - c, yd - c) > ir - r * 1.2:
                continue
            mult = "x0," + "0" * (ndial - 1 - k + (nfrac if nfrac else 0)) + "1"
            pointer_dial(dr, xd, yd, r, u(rng, 0, 10), df, mult, ink, rgb([min(255, v + 5) for v in fcol]), lab_font=font(df.path, r * 0.28))
        ymarks = cb[3] + D * 0.03
    else:
        ymarks = ytxt
        if chance(rng, 0.7):
            star(dr, c + ir * u(rng, -0.5, 0.5), c + ir * u(rng, 0.35, 0.55), ir * 0.08, pick(rng, [(200, 30, 30), (30, 30, 30), (230, 230, 230)]))
    marks = unique_q(list(rng.choice(WATER_MARKS, size=int(rng.integers(3, 6)), replace=False)))
    num = reading["meter_number"]
    lines = marks[:2] + [serial_text(rng, num)] + marks[2:]
    yy = ymarks if not ndial else c + ir * 0.58
    for ln in lines:
        half = math.sqrt(max(0.0, ir ** 2 - (yy + sf.size - c) ** 2)) * 0.9
        if sf.getlength(ln) < 2 * half and yy + sf.size < c + ir * 0.92:
            if not ndial or abs(yy - (c + ir * 0.3)) > ir * 0.25:
                dr.text((c, yy), ln, font=sf, fill=ink, anchor="ma")
        yy += sf.size * 1.4
    if not ndial or chance(rng, 0.3):
        # small mark on the upper half, only where it does not touch the counter block
        t = pick(rng, marks)
        tx, ty = c - ir * 0.55, c - ir * 0.42
        tw = sf.getlength(t) / 2 + D * 0.01
        if ty + sf.size < y0 - D * 0.01 or ty - sf.size > y0 + sz[1] + D * 0.01 or tx + tw < x0:
            dr.text((tx, ty), t, font=sf, fill=ink, anchor="mm")
    face = grime(rng, face, u(rng, 0.02, 0.08))
    # glass dome: bright crescent reflection
    lay = Image.new("L", (D, D), 0)
    ld = ImageDraw.Draw(lay)
    ang = u(rng, 190, 260)
    ld.arc([c - ir * 0.95, c - ir * 0.95, c + ir * 0.95, c + ir * 0.95], ang, ang + u(rng, 40, 90), fill=int(u(rng, 60, 140)), width=int(ir * 0.06))
    lay = lay.filter(ImageFilter.GaussianBlur(ir * 0.03))
    face = add_light(face, lay)
    return {"face": face, "counter_bbox": cb, "shape": "round", "glass": (c - ir, c - ir, c + ir, c + ir),
            "props": "pipe_h", "tags": tags, "body": body}


def add_light(face, lay, col=(255, 255, 255)):
    a = np.asarray(face, np.float32).copy()
    m = np.asarray(lay, np.float32)[..., None] / 255
    a[..., :3] = a[..., :3] * (1 - m) + np.array(col, np.float32) * m
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGBA")


# --------------------------------------------------------------------------- rect housings

HOUSINGS = {
    "gas": [(215, 195, 70), (200, 200, 196), (225, 225, 220), (170, 172, 175), (230, 215, 120)],
    "electricity": [(28, 28, 30), (200, 200, 198), (235, 235, 232), (120, 122, 128), (60, 70, 90), (225, 228, 230)],
    "heat": [(235, 235, 232), (40, 80, 150), (200, 202, 205), (30, 30, 32), (220, 80, 40)],
    "water": [(40, 75, 150), (30, 30, 32), (120, 122, 126)],
}


def rect_housing(rng, W, H, col, radius_frac=0.06):
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    g = 1 + 0.10 * (-(xx / W - 0.5) * u(rng, 0.3, 1) - (yy / H - 0.5) * u(rng, 0.3, 1))
    arr = np.array(col, np.float32)[None, None] * g[..., None]
    # rim darkening (rounded plastic)
    r = radius_frac * min(W, H)
    mask = Image.new("L", (W, H), 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, W - 1, H - 1], radius=r, fill=255)
    inner = Image.new("L", (W, H), 0)
    ImageDraw.Draw(inner).rounded_rectangle([W * 0.02, H * 0.02, W * 0.98, H * 0.98], radius=r, fill=255)
    inner = np.asarray(inner.filter(ImageFilter.GaussianBlur(min(W, H) * 0.02)), np.float32) / 255
    arr = arr * (0.72 + 0.28 * inner[..., None])
    out = np.dstack([np.clip(arr, 0, 255), np.asarray(mask, np.float32)])
    return Image.fromarray(out.astype(np.uint8), "RGBA")


def plate(rng, face, box, col, r=None):
    """A label plate (white/silver) inset into the housing."""
    dr = ImageDraw.Draw(face)
    x0, y0, x1, y1 = box
    r = r if r is not None else (x1 - x0) * 0.02
    dr.rounded_rectangle([x0 + 3, y0 + 3, x1 + 3, y1 + 3], radius=r, fill=(0, 0, 0, 60))
    dr.rounded_rectangle(box, radius=r, fill=col + (255,))


def gas_face(rng, W, reading):
    H = int(W * u(rng, 0.62, 0.85))
    body = jitter_color(rng, pick(rng, HOUSINGS["gas"]), 8)
    face = rect_housing(rng, W, H, body)
    pcol = jitter_color(rng, pick(rng, [(240, 240, 236), (225, 225, 222), (245, 242, 230), (205, 208, 210)]), 5)
    px0, py0, px1, py1 = W * 0.06, H * 0.08, W * 0.94, H * 0.92
    plate(rng, face, (px0, py0, px1, py1), pcol)
    dr = ImageDraw.Draw(face)
    ink = ink_for(pcol)
    tags = []
    dh = W * u(rng, 0.045, 0.07)
    blk, bb, info = counters.drum_counter(rng, reading["drums"], dh,
                                          int_scheme="white_on_black" if chance(rng, 0.6) else "black_on_white")
    tags.append(info["scheme"])
    if any(d[2] for d in reading["drums"]):
        tags.append("red_fraction")
    cx = W * u(rng, 0.42, 0.52)
    cy = py0 + (py1 - py0) * u(rng, 0.25, 0.38)
    x0, y0, s, sz = fit_paste(face, blk, (cx, cy), (px1 - px0) * 0.78)
    cb = map_bbox(bb, x0, y0, s)
    uf = font(pick(rng, BOLD_FONTS), dh * u(rng, 0.7, 1.0))
    ybelow = place_unit(dr, "m³", uf, x0, y0, sz, cy, W * 0.02, px1 - W * 0.01, ink)
    bf = font(pick(rng, BOLD_FONTS), H * u(rng, 0.05, 0.07))
    dr.text((px0 + W * 0.03, py0 + H * 0.03), pick(rng, BRANDS[8:12] + BRANDS[:2]), font=bf, fill=ink)
    gf = font(pick(rng, BOLD_FONTS), H * 0.09)
    dr.text((px1 - W * 0.03, py0 + H * 0.03), pick(rng, ["G4", "G2,5", "G6", "G4", "G1,6"]), font=gf, fill=ink, anchor="ra")
    sf = font(pick(rng, TEXT_FONTS), H * u(rng, 0.03, 0.042))
    marks = unique_q(list(rng.choice(GAS_MARKS, size=int(rng.integers(4, 8)), replace=False)))
    ytop = ybelow + H * 0.05
    half = (len(marks) + 1) // 2
    text_lines(dr, rng, marks[:half], px0 + W * 0.04, ytop, sf, ink)
    yb = text_lines(dr, rng, [serial_text(rng, reading["meter_number"])] + marks[half:], W * 0.52, ytop, sf, ink)
    if chance(rng, 0.75) and yb + H * 0.12 < py1:
        barcode_block(dr, W * 0.55, yb + H * 0.02, H * 0.08, W * 0.0035, reading["meter_number"], font(sf.path, sf.size * 0.8), ink, pcol)
    face = grime(rng, face, u(rng, 0.02, 0.07))
    return {"face": face, "counter_bbox": cb, "shape": "rect", "glass": (px0, py0, px1, py1),
            "props": "pipe_v", "tags": tags, "body": body}


def electricity_lcd_face(rng, W, reading):
    portrait = chance(rng, 0.65)
    H = int(W * (u(rng, 1.15, 1.5) if portrait else u(rng, 0.7, 0.9)))
    body = jitter_color(rng, pick(rng, HOUSINGS["electricity"]), 6)
    face = rect_housing(rng, W, H, body, 0.04)
    dr = ImageDraw.Draw(face)
    ink = ink_for(body)
    tags = []
    # front panel region (slightly different shade)
    pf = u(rng, 0.92, 1.06)
    pcol = rgb([v * pf for v in body])
    plate(rng, face, (W * 0.05, H * 0.04, W * 0.95, H * 0.96), pcol)
    brand = pick(rng, BRANDS[10:14] + BRANDS[18:20])
    bf = font(pick(rng, BOLD_FONTS), W * u(rng, 0.045, 0.065))
    dr.text((W * 0.1, H * 0.07), brand, font=bf, fill=ink)
    dh = W * u(rng, 0.06, 0.095)
    obis = pick(rng, ["1.8.0", "1.8.0", "1.8.1", "1.8.2", "15.8.0"]) if chance(rng, 0.5) else None
    blk, bb, info = counters.lcd_counter(rng, reading["integer"], reading["fraction"], dh, obis=obis,
                                         unit="kWh", indicators=chance(rng, 0.6))
    tags += info["tags"]
    if obis:
        tags.append("obis")
    if reading["fraction"]:
        tags.append("decimal_point")
    # LCD bezel (dark frame around the glass)
    lx, ly = W * u(rng, 0.46, 0.54), H * u(rng, 0.2, 0.3) + bf.size
    bw = min(blk.width, int(W * 0.8))
    s = bw / blk.width
    bh = blk.height * s
    fr = dh * 0.25
    dr.rounded_rectangle([lx - bw / 2 - fr, ly - bh / 2 - fr, lx + bw / 2 + fr, ly + bh / 2 + fr], radius=fr,
                         fill=pick(rng, [(25, 25, 25), (50, 52, 55), (90, 92, 95)]))
    x0, y0, s, sz = fit_paste(face, blk, (lx, ly), W * 0.8)
    cb = map_bbox(bb, x0, y0, s)
    sf = font(pick(rng, TEXT_FONTS), W * u(rng, 0.026, 0.036))
    y = y0 + sz[1] + fr + H * 0.04
    # LED + optical port
    if chance(rng, 0.8):
        r = W * 0.018
        lx0 = W * u(rng, 0.12, 0.3)
        dr.ellipse([lx0 - r, y + r, lx0 + r, y + 3 * r], fill=pick(rng, [(120, 20, 20), (230, 60, 50), (90, 20, 20)]))
        dr.text((lx0 + 2 * r, y + 2 * r), pick(rng, ["1000 Imp/kWh", "10000 imp/kWh", "kWh"]), font=sf, fill=ink, anchor="lm")
        y += 5 * r
    if chance(rng, 0.6):
        r = W * 0.06
        ox = W * u(rng, 0.65, 0.82)
        dr.ellipse([ox - r, y, ox + r, y + 2 * r], outline=(160, 160, 165), width=max(2, int(r * 0.12)))
        dr.ellipse([ox - r * 0.3, y + r * 0.7, ox + r * 0.3, y + r * 1.3], fill=(15, 15, 15))
    marks = list(rng.choice(EL_MARKS, size=int(rng.integers(4, 8)), replace=False))
    y = text_lines(dr, rng, marks[:3], W * 0.1, y, sf, ink, max_w=W * 0.5)
    y = text_lines(dr, rng, [serial_text(rng, reading["meter_number"])] + marks[3:], W * 0.1, y + sf.size * 0.5, sf, ink, max_w=W * 0.8)
    if chance(rng, 0.7) and y + H * 0.1 < H * 0.94:
        barcode_block(dr, W * 0.12, y + H * 0.01, H * 0.06, W * 0.004, reading["meter_number"], font(sf.path, sf.size * 0.8),
                      (20, 20, 20), (245, 245, 245))
    if chance(rng, 0.5) and lx + bw / 2 + fr < W * 0.8:
        r = W * 0.04
        bx, by = W * 0.87, ly
        dr.ellipse([bx - r, by - r, bx + r, by + r], fill=pick(rng, [(40, 40, 40), (200, 200, 200), (30, 80, 160)]), outline=(10, 10, 10))
    face = grime(rng, face, u(rng, 0.02, 0.06))
    return {"face": face, "counter_bbox": cb, "shape": "rect", "glass": (W * 0.05, H * 0.04, W * 0.95, H * 0.6),
            "props": "cables", "tags": tags, "body": body}


def ferraris_face(rng, W, reading):
    """Old electromechanical electricity meter: drum counter + rotating disc."""
    H = int(W * u(rng, 0.8, 1.05))
    body = jitter_color(rng, pick(rng, [(30, 30, 32), (90, 92, 96), (200, 200, 196)]), 6)
    face = rect_housing(rng, W, H, body, 0.05)
    pcol = jitter_color(rng, pick(rng, [(238, 236, 228), (225, 222, 210), (215, 217, 215)]), 6)
    plate(rng, face, (W * 0.07, H * 0.08, W * 0.93, H * 0.9), pcol)
    dr = ImageDraw.Draw(face)
    ink = ink_for(pcol)
    tags = []
    dh = W * u(rng, 0.055, 0.08)
    blk, bb, info = counters.drum_counter(rng, reading["drums"], dh, frac_mode=pick(rng, ["red_drum", "red_frame", "red_digits"]))
    tags.append(info["scheme"])
    if reading["fraction"]:
        tags.append("red_fraction")
    cy = H * u(rng, 0.24, 0.32)
    x0, y0, s, sz = fit_paste(face, blk, (W * u(rng, 0.44, 0.5), cy), W * 0.68)
    cb = map_bbox(bb, x0, y0, s)
    uf = font(pick(rng, BOLD_FONTS), dh * 0.9)
    place_unit(dr, "kWh", uf, x0, y0, sz, cy, W * 0.02, W * 0.92, ink)
    bf = font(pick(rng, BOLD_FONTS), W * 0.05)
    dr.text((W * 0.5, H * 0.11), pick(rng, BRANDS[10:14] + BRANDS[18:20]), font=bf, fill=ink, anchor="ma")
    # disc slot
    sy = y0 + sz[1] + H * 0.08
    dr.rectangle([W * 0.2, sy, W * 0.8, sy + H * 0.06], fill=(20, 20, 20))
    dr.rectangle([W * 0.22, sy + H * 0.025, W * 0.78, sy + H * 0.045], fill=(175, 175, 178))
    mx = W * u(rng, 0.25, 0.7)
    dr.rectangle([mx, sy + H * 0.025, mx + W * 0.03, sy + H * 0.045], fill=(190, 30, 30))
    sf = font(pick(rng, TEXT_FONTS), W * u(rng, 0.03, 0.038))
    marks = list(rng.choice(FERRARIS_MARKS, size=int(rng.integers(3, 6)), replace=False))
    y = sy + H * 0.1
    y = text_lines(dr, rng, marks[:2] + [serial_text(rng, reading["meter_number"])] + marks[2:], W * 0.5, y, sf, ink,
                   anchor="ma", max_w=W * 0.8)
    face = grime(rng, face, u(rng, 0.04, 0.1))
    return {"face": face, "counter_bbox": cb, "shape": "rect", "glass": (W * 0.07, H * 0.08, W * 0.93, H * 0.9),
            "props": "cables", "tags": tags + ["ferraris"], "body": body}


def printed_face(rng, W, reading, meter_type):
    """Heat meter / older counter: digits printed in a dark box or embossed in metal."""
    H = int(W * u(rng, 0.55, 0.95))
    body = jitter_color(rng, pick(rng, HOUSINGS.get(meter_type, HOUSINGS["heat"])), 8)
    face = rect_housing(rng, W, H, body, 0.07)
    pcol = jitter_color(rng, pick(rng, [(240, 240, 236), (226, 228, 230), (200, 202, 205), (245, 240, 225)]), 6)
    plate(rng, face, (W * 0.06, H * 0.07, W * 0.94, H * 0.93), pcol)
    dr = ImageDraw.Draw(face)
    ink = ink_for(pcol)
    tags = []
    dh = W * u(rng, 0.06, 0.09)
    blk, bb, info = counters.printed_counter(rng, reading["integer"], reading["fraction"], dh)
    tags += info["tags"]
    if reading["fraction"]:
        tags.append("decimal_comma")
    cy = H * u(rng, 0.28, 0.4)
    x0, y0, s, sz = fit_paste(face, blk, (W * u(rng, 0.42, 0.5), cy), W * 0.7)
    cb = map_bbox(bb, x0, y0, s)
    unit = reading["unit_label"]
    uf = font(pick(rng, BOLD_FONTS), dh * u(rng, 0.7, 1.0))
    ybelow = place_unit(dr, unit, uf, x0, y0, sz, cy, W * 0.02, W * 0.93, ink)
    bf = font(pick(rng, BOLD_FONTS), W * u(rng, 0.045, 0.06))
    dr.text((W * 0.1, H * 0.1), pick(rng, BRANDS[12:17]), font=bf, fill=ink)
    sf = font(pick(rng, TEXT_FONTS), W * u(rng, 0.026, 0.034))
    pool = {"heat": HEAT_MARKS, "water": WATER_MARKS, "gas": GAS_MARKS, "electricity": EL_MARKS}[meter_type]
    marks = unique_q(list(rng.choice(pool, size=int(rng.integers(3, 7)), replace=False)))
    y = ybelow + H * 0.05
    half = (len(marks) + 1) // 2
    text_lines(dr, rng, marks[:half], W * 0.1, y, sf, ink, max_w=W * 0.38)
    yb = text_lines(dr, rng, [serial_text(rng, reading["meter_number"])] + marks[half:], W * 0.52, y, sf, ink, max_w=W * 0.4)
    if chance(rng, 0.6) and yb + H * 0.12 < H * 0.92:
        barcode_block(dr, W * 0.55, yb + H * 0.02, H * 0.08, W * 0.0033, reading["meter_number"], font(sf.path, sf.size * 0.8), ink, pcol)
    face = grime(rng, face, u(rng, 0.02, 0.08))
    return {"face": face, "counter_bbox": cb, "shape": "rect", "glass": (W * 0.06, H * 0.07, W * 0.94, H * 0.93),
            "props": pick(rng, ["pipe_h", "pipe_v", None]), "tags": tags, "body": body}


def glass_wear(rng, meter):
    """Faint scratches and dust on the cover glass (drawn in face space)."""
    face = meter["face"]
    gx0, gy0, gx1, gy1 = [float(v) for v in meter["glass"]]
    gw, gh = gx1 - gx0, gy1 - gy0
    lay = Image.new("RGBA", face.size, (0, 0, 0, 0))
    dr = ImageDraw.Draw(lay)
    lw = max(1, int(gw * 0.0015))
    for _ in range(int(rng.integers(0, 10))):
        x, y = gx0 + u(rng, 0, gw), gy0 + u(rng, 0, gh)
        a = u(rng, 0, math.pi)
        L = gw * u(rng, 0.03, 0.25)
        dr.line([(x, y), (x + math.cos(a) * L, y + math.sin(a) * L)], fill=(255, 255, 255, int(u(rng, 15, 55))), width=lw)
    for _ in range(int(rng.integers(0, 60))):
        x, y = gx0 + u(rng, 0, gw), gy0 + u(rng, 0, gh)
        r = gw * u(rng, 0.001, 0.004)
        c = int(u(rng, 150, 255))
        dr.ellipse([x - r, y - r, x + r, y + r], fill=(c, c, c - 10, int(u(rng, 30, 110))))
    if meter["shape"] == "round":
        m = Image.new("L", face.size, 0)
        ImageDraw.Draw(m).ellipse([gx0, gy0, gx1, gy1], fill=255)
        la = np.asarray(lay).copy()
        la[..., 3] = (la[..., 3].astype(np.uint16) * np.asarray(m) // 255).astype(np.uint8)
        lay = Image.fromarray(la, "RGBA")
    a = np.asarray(face).copy()
    a[..., 3:4]  # keep face alpha: composite only colour
    out = Image.alpha_composite(face, lay)
    o = np.asarray(out).copy()
    o[..., 3] = a[..., 3]
    meter["face"] = Image.fromarray(o, "RGBA")
    return meter
