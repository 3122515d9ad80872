"""Procedural backgrounds: tiles, concrete, wood, cabinet, painted wall."""
import math
import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from util import value_noise, pick, u, chance, rgb

TILE_COLORS = [(232, 230, 224), (240, 240, 238), (214, 205, 188), (190, 205, 214),
               (170, 172, 170), (200, 120, 90), (225, 220, 200), (120, 130, 140),
               (236, 226, 206)]
CONCRETE = [(150, 148, 142), (175, 172, 165), (128, 126, 122), (190, 185, 175)]
WOOD = [(160, 112, 68), (190, 150, 100), (120, 80, 50), (205, 170, 120)]
CABINET = [(225, 225, 220), (200, 200, 196), (150, 152, 155), (235, 232, 220),
           (90, 95, 100), (215, 210, 195)]
WALL = [(232, 228, 218), (215, 210, 200), (236, 236, 232), (205, 200, 185), (190, 198, 190)]


def _grid(h, w, angle):
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    ca, sa = math.cos(angle), math.sin(angle)
    return x * ca + y * sa, -x * sa + y * ca


def tiles(rng, h, w, scale, angle):
    tw = u(rng, 90, 260) * scale
    th = tw * pick(rng, [1.0, 1.0, 0.5, 1.5, 0.66])
    grout = u(rng, 2.0, 6.0) * scale
    base = np.array(pick(rng, TILE_COLORS), np.float32) / 255
    gcol = np.array(pick(rng, [(150, 148, 140), (200, 198, 190), (90, 90, 88), (230, 228, 220)]), np.float32) / 255
    U, V = _grid(h, w, angle)
    U += rng.uniform(0, tw)
    V += rng.uniform(0, th)
    row = np.floor(V / th)
    if chance(rng, 0.3):  # brick offset
        U = U + (row % 2) * tw * 0.5
    col = np.floor(U / tw)
    fu = U - col * tw
    fv = V - row * th
    # per-tile brightness variation
    key = (col.astype(np.int64) * 7919 + row.astype(np.int64) * 104729) % 1000
    lut = rng.normal(0, 0.03, 1000).astype(np.float32)
    tv = 1.0 + lut[key]
    img = base[None, None, :] * tv[..., None]
    img = img * (1 + 0.025 * value_noise(rng, h, w, 40 * scale, 4))[..., None]
    d = np.minimum(np.minimum(fu, tw - fu), np.minimum(fv, th - fv))
    gm = np.clip((grout / 2 + 1.0 - d) / 2.0, 0, 1)
    # bevel: tiles slightly darker right at the edge
    bev = np.clip(1 - d / (grout * 2 + 1e-3), 0, 1) * 0.08
    img = img * (1 - bev[..., None])
    gn = gcol[None, None, :] * (1 + 0.12 * value_noise(rng, h, w, 6 * scale, 3))[..., None]
    img = img * (1 - gm[..., None]) + gn * gm[..., None]
    return img.astype(np.float32), "tiles"


def concrete(rng, h, w, scale, angle):
    base = np.array(pick(rng, CONCRETE), np.float32) / 255
    n = (0.04 * value_noise(rng, h, w, 300 * scale, 2) + 0.03 * value_noise(rng, h, w, 25 * scale, 3)
         + 0.07 * value_noise(rng, h, w, 2.0 * scale, 1))
    img = base[None, None, :] * (1 + n)[..., None]
    # pits
    pits = np.zeros((h, w), np.float32)
    npits = int(h * w / (900 * scale * scale) * u(rng, 0.3, 1.0))
    ys = rng.integers(0, h, npits)
    xs = rng.integers(0, w, npits)
    pits[ys, xs] = rng.uniform(0.3, 1.0, npits)
    pim = Image.fromarray((pits * 255).astype(np.uint8), "L").filter(ImageFilter.GaussianBlur(max(0.6, 1.2 * scale)))
    p = np.asarray(pim, np.float32)
    p = p / (p.max() + 1e-6)
    img = img * (1 - 0.35 * p[..., None])
    return img.astype(np.float32), "concrete"


def wood(rng, h, w, scale, angle):
    """Planks with grain running along x, then rotated by the camera roll."""
    base = np.array(pick(rng, WOOD), np.float32) / 255
    D = int(math.hypot(h, w)) + 4
    if chance(rng, 0.5):
        angle += math.pi / 2
    # anisotropic noise: long along the grain, short across it
    def aniso(cell_across, stretch, octaves):
        out = np.zeros((D, D), np.float32)
        amp, tot, c = 1.0, 0.0, cell_across
        for _ in range(octaves):
            gh = max(2, int(D / c) + 2)
            gw = max(2, int(D / (c * stretch)) + 2)
            g = rng.standard_normal((gh, gw)).astype(np.float32)
            out += amp * np.asarray(Image.fromarray(g, "F").resize((D, D), Image.BICUBIC), np.float32)
            tot += amp
            amp *= 0.55
            c /= 2
        return out / tot
    pw = u(rng, 110, 260) * scale           # plank width (across grain)
    y = np.arange(D, dtype=np.float32)[:, None]
    plank = np.floor((y + rng.uniform(0, pw)) / pw)
    key = (plank.astype(np.int64) % 97)
    poff = rng.uniform(0, 1000, 97).astype(np.float32)
    warp = aniso(60 * scale, 8, 2) * 25 * scale
    freq = u(rng, 0.15, 0.35) / scale
    rings = np.sin((y + poff[key] + warp) * freq)
    rings = (0.5 + 0.5 * rings) ** 2
    fine = aniso(1.5 * scale, 25, 2)
    tone = 1 + 0.08 * (poff[key] / 1000 - 0.5)
    v = tone * (1 - 0.16 * rings) * (1 + 0.06 * fine)
    fy = (y + rng.uniform(0, pw)) % pw
    seam = np.clip(1.5 - np.minimum(fy, pw - fy), 0, 1)
    v = v * (1 - 0.45 * seam)
    v = np.broadcast_to(v, (D, D)).astype(np.float32)
    im = Image.fromarray(v, "F").rotate(math.degrees(-angle), Image.BILINEAR)
    a = np.asarray(im, np.float32)
    y0, x0 = (D - h) // 2, (D - w) // 2
    a = a[y0:y0 + h, x0:x0 + w]
    img = base[None, None, :] * a[..., None]
    return img.astype(np.float32), "wood"


def cabinet(rng, h, w, scale, angle):
    base = np.array(pick(rng, CABINET), np.float32) / 255
    n = 0.02 * value_noise(rng, h, w, 200 * scale, 3) + 0.012 * value_noise(rng, h, w, 3 * scale, 2)
    img = base[None, None, :] * (1 + n)[..., None]
    im = Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8))
    dr = ImageDraw.Draw(im)
    # panel edges / door gaps and holes, drawn in a rotated frame
    ca, sa = math.cos(angle), math.sin(angle)

    def P(x, y):
        cx, cy = w / 2, h / 2
        x, y = x - cx, y - cy
        return (cx + x * ca - y * sa, cy + x * sa + y * ca)
    for _ in range(int(rng.integers(1, 4))):
        if chance(rng, 0.5):
            x = u(rng, 0, w)
            dr.line([P(x, -h), P(x, 2 * h)], fill=rgb(base * 255 * 0.45), width=max(2, int(4 * scale)))
            dr.line([P(x + 4 * scale, -h), P(x + 4 * scale, 2 * h)], fill=rgb(np.minimum(base * 255 * 1.1, 255)), width=max(1, int(2 * scale)))
        else:
            y = u(rng, 0, h)
            dr.line([P(-w, y), P(2 * w, y)], fill=rgb(base * 255 * 0.45), width=max(2, int(4 * scale)))
    # DIN rail with a few breakers, sometimes
    if chance(rng, 0.4):
        y = u(rng, 0.05, 0.95) * h
        rh = 35 * scale
        dr.polygon([P(-w, y), P(2 * w, y), P(2 * w, y + rh), P(-w, y + rh)], fill=(170, 172, 175))
        x = u(rng, -100, 0) * scale
        bw = u(rng, 34, 40) * scale
        bcol = pick(rng, [(235, 235, 230), (215, 215, 210), (60, 60, 62)])
        for i in range(int(rng.integers(3, 14))):
            x0 = x + i * bw * 1.03
            dr.polygon([P(x0, y - 90 * scale), P(x0 + bw, y - 90 * scale), P(x0 + bw, y + rh + 90 * scale), P(x0, y + rh + 90 * scale)],
                       fill=rgb([c - 10 * (i % 2) for c in bcol]), outline=(120, 120, 120))
            lv = (40, 40, 40) if bcol[0] > 100 else (200, 60, 40)
            dr.polygon([P(x0 + bw * 0.3, y - 10 * scale), P(x0 + bw * 0.7, y - 10 * scale), P(x0 + bw * 0.7, y + 25 * scale), P(x0 + bw * 0.3, y + 25 * scale)], fill=lv)
    # screw holes
    for _ in range(int(rng.integers(0, 6))):
        x, y = u(rng, 0, w), u(rng, 0, h)
        r = u(rng, 3, 7) * scale
        dr.ellipse([x - r, y - r, x + r, y + r], fill=rgb(base * 255 * 0.35))
    return np.asarray(im, np.float32) / 255, "cabinet"


def wall(rng, h, w, scale, angle):
    base = np.array(pick(rng, WALL), np.float32) / 255
    n = 0.02 * value_noise(rng, h, w, 250 * scale, 2) + 0.012 * value_noise(rng, h, w, 8 * scale, 3) + 0.03 * value_noise(rng, h, w, 2.0 * scale, 1)
    img = base[None, None, :] * (1 + n)[..., None]
    # stains
    st = np.clip(value_noise(rng, h, w, 400 * scale, 2) * 2 - 0.6, 0, 1)
    img = img * (1 - 0.05 * st[..., None] * np.array([0.8, 1.0, 1.3], np.float32))
    return img.astype(np.float32), "wall"


KINDS = [tiles, concrete, wood, cabinet, wall]


def background(rng, h, w, scale, angle, prefer=None):
    f = pick(rng, prefer) if prefer else pick(rng, KINDS)
    return f(rng, h, w, scale, angle)
