"""Small shared helpers: fonts, value noise, array <-> image conversion."""
import os
import numpy as np
from PIL import Image, ImageFont

DEJAVU = "/usr/share/fonts/truetype/dejavu/"
LIB = "/usr/share/fonts/truetype/liberation2/"
URW = "/usr/share/fonts/opentype/urw-base35/"
NOTO = "/usr/share/fonts/truetype/noto/"
DSEG = "/usr/share/fonts/truetype/dseg/"

# Fonts used for drum / printed digits (condensed-ish sans and monospace faces).
DIGIT_FONTS = [
    DEJAVU + "DejaVuSans.ttf", DEJAVU + "DejaVuSans-Bold.ttf",
    DEJAVU + "DejaVuSansCondensed.ttf", DEJAVU + "DejaVuSansCondensed-Bold.ttf",
    DEJAVU + "DejaVuSansMono.ttf", DEJAVU + "DejaVuSansMono-Bold.ttf",
    LIB + "LiberationSans-Regular.ttf", LIB + "LiberationSans-Bold.ttf",
    LIB + "LiberationMono-Regular.ttf", LIB + "LiberationMono-Bold.ttf",
    URW + "NimbusSansNarrow-Regular.otf", URW + "NimbusSansNarrow-Bold.otf",
    URW + "NimbusSans-Regular.otf", URW + "NimbusSans-Bold.otf",
    URW + "NimbusMonoPS-Bold.otf", URW + "URWGothic-Demi.otf",
    NOTO + "NotoSansMono-Regular.ttf", NOTO + "NotoSansMono-Bold.ttf",
]
# Fonts for the other text printed on a meter face.
TEXT_FONTS = [
    DEJAVU + "DejaVuSans.ttf", DEJAVU + "DejaVuSansCondensed.ttf",
    LIB + "LiberationSans-Regular.ttf", URW + "NimbusSans-Regular.otf",
    URW + "NimbusSansNarrow-Regular.otf", LIB + "LiberationSans-Regular.ttf",
]
BOLD_FONTS = [
    DEJAVU + "DejaVuSans-Bold.ttf", DEJAVU + "DejaVuSansCondensed-Bold.ttf",
    LIB + "LiberationSans-Bold.ttf", URW + "NimbusSans-Bold.otf",
    URW + "NimbusSansNarrow-Bold.otf", URW + "URWGothic-Demi.otf",
    LIB + "LiberationSans-BoldItalic.ttf", DEJAVU + "DejaVuSerif-Bold.ttf",
]
LCD_FONTS = [
    DSEG + "DSEG7Classic-Regular.ttf", DSEG + "DSEG7Classic-Bold.ttf",
    DSEG + "DSEG7Classic-Italic.ttf", DSEG + "DSEG7Classic-BoldItalic.ttf",
    DSEG + "DSEG7Modern-Regular.ttf", DSEG + "DSEG7Modern-Bold.ttf",
    DSEG + "DSEG7Modern-Italic.ttf", DSEG + "DSEG7Classic-Light.ttf",
]

ALL_FONT_FILES = sorted(set(DIGIT_FONTS + TEXT_FONTS + BOLD_FONTS + LCD_FONTS))

_font_cache = {}


def font(path, size):
    size = max(4, int(round(size)))
    key = (path, size)
    f = _font_cache.get(key)
    if f is None:
        f = ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)
        _font_cache[key] = f
    return f


def check_fonts():
    missing = [p for p in ALL_FONT_FILES if not os.path.exists(p)]
    if missing:
        raise SystemExit("missing fonts (see README for apt-get line):\n  " + "\n  ".join(missing))


def pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def u(rng, a, b):
    return float(rng.uniform(a, b))


def chance(rng, p):
    return bool(rng.random() < p)


def value_noise(rng, h, w, cell, octaves=4, persistence=0.5):
    """Multi-octave smooth noise in roughly [-1, 1], float32 (h, w)."""
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    c = float(cell)
    for _ in range(octaves):
        gh = max(2, int(h / c) + 2)
        gw = max(2, int(w / c) + 2)
        g = rng.standard_normal((gh, gw)).astype(np.float32)
        im = Image.fromarray(g, "F").resize((w, h), Image.BICUBIC)
        out += amp * np.asarray(im, np.float32)
        total += amp
        amp *= persistence
        c /= 2.0
        if c < 1.5:
            break
    return out / (total * 1.2)


def to_img(arr):
    """float array 0..1 (h,w,3) -> RGB PIL image."""
    return Image.fromarray((np.clip(arr, 0, 1) * 255 + 0.5).astype(np.uint8), "RGB")


def to_arr(img):
    return np.asarray(img.convert("RGB"), np.float32) / 255.0


def rgb(c):
    return tuple(int(max(0, min(255, round(v)))) for v in c)


def jitter_color(rng, c, amt=12):
    return rgb([v + rng.uniform(-amt, amt) for v in c])
