#!/usr/bin/python3
"""Deterministically (re)generate the MeterImage test fixtures in this folder.

Usage (from anywhere):
    /usr/bin/python3 Tests/MeterImageTests/Fixtures/make_fixtures.py [--no-verify]

Needs Debian python3-pil + python3-numpy, cjpeg/djpeg (libjpeg-turbo-progs),
exiftool, and optionally pngcheck / pngtopam (netpbm) for verification.

Writes every fixture, expected.csv, patterns.csv and README.md into the folder
this script lives in, then (unless --no-verify) decodes every fixture with
PIL / djpeg / pngtopam / exiftool / pngcheck and checks it against the
expectations it just wrote.  Exit status is non-zero if any check fails.

PNGs are written by the small writer below (zlib + struct), not by PIL, so
that every colour type / bit depth / Adam7 / filter type is under our control.
Output is byte-for-byte deterministic for a given zlib / libjpeg-turbo build.
"""

import csv
import io
import os
import random
import shutil
import struct
import subprocess
import sys
import zlib

import numpy as np
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
W, H = 64, 48                      # upright size of the test pattern

# ----------------------------------------------------------------------------
# Test patterns
# ----------------------------------------------------------------------------
RED, GREEN, BLUE, NEARWHITE = (200, 30, 30), (30, 160, 40), (40, 60, 200), (240, 240, 240)
A_HALF = 128                       # alpha of the top-right quadrant in *_alpha patterns

# quadrant order everywhere: TL, TR, BL, BR
QUADS = ("TL", "TR", "BL", "BR")
QUAD_CENTRES = {"TL": (0.25, 0.25), "TR": (0.75, 0.25), "BL": (0.25, 0.75), "BR": (0.75, 0.75)}


def over_white(c, a):
    """Composite 8-bit colour value c with 8-bit alpha a over white (exact float, rounded)."""
    return int(round(c * a / 255.0 + 255.0 * (255 - a) / 255.0))


# Expected upright RGB after compositing on white, per pattern and quadrant.
PATTERNS = {
    "quad_rgb": {"TL": RED, "TR": GREEN, "BL": BLUE, "BR": NEARWHITE},
    "quad_gray": {"TL": (0,) * 3, "TR": (85,) * 3, "BL": (170,) * 3, "BR": (255,) * 3},
    "quad_gray1": {"TL": (0,) * 3, "TR": (255,) * 3, "BL": (255,) * 3, "BR": (0,) * 3},
    # 2-colour palette (1-bit palette PNG): index layout of quad_gray1, palette[0]=red, [1]=green
    "quad_pal1": {"TL": RED, "TR": GREEN, "BL": GREEN, "BR": RED},
    "quad_rgb_alpha": {"TL": RED, "TR": tuple(over_white(c, A_HALF) for c in GREEN),
                       "BL": BLUE, "BR": (255, 255, 255)},
    "quad_gray_alpha": {"TL": (0,) * 3, "TR": (over_white(85, A_HALF),) * 3,
                        "BL": (170,) * 3, "BR": (255,) * 3},
}


def quad_array(vals, w=W, h=H, dtype=np.uint8):
    """vals: dict quadrant -> tuple (channel values). Returns HxWxC array."""
    c = len(vals["TL"])
    a = np.zeros((h, w, c), dtype=dtype)
    hw, hh = w // 2, h // 2
    a[:hh, :hw] = vals["TL"]
    a[:hh, hw:] = vals["TR"]
    a[hh:, :hw] = vals["BL"]
    a[hh:, hw:] = vals["BR"]
    return a


def rgb_upright(w=W, h=H):
    return quad_array({"TL": RED, "TR": GREEN, "BL": BLUE, "BR": NEARWHITE}, w, h)


def gray_upright():
    return quad_array({"TL": (0,), "TR": (85,), "BL": (170,), "BR": (255,)})[:, :, 0]


# ----------------------------------------------------------------------------
# Bookkeeping
# ----------------------------------------------------------------------------
ROWS = []          # rows of expected.csv (dicts)
NOTES = {}         # file -> README note
STORED = {}        # file -> "WxH" stored size when it differs / matters


def record(file, fmt, width, height, orientation, channels, pattern, error="", note="", stored=None):
    ROWS.append(dict(file=file, format=fmt, width="" if width is None else width,
                     height="" if height is None else height,
                     orientation="" if orientation is None else orientation,
                     channels_hint="" if channels is None else channels,
                     pattern=pattern, error=error))
    NOTES[file] = note
    if stored:
        STORED[file] = stored


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


# ----------------------------------------------------------------------------
# JPEG helpers
# ----------------------------------------------------------------------------
def pil_jpeg(arr, mode=None, **kw):
    im = Image.fromarray(arr, mode) if mode else Image.fromarray(arr)
    bio = io.BytesIO()
    im.save(bio, "JPEG", **kw)
    return bio.getvalue()


def to_ppm(arr):
    h, w = arr.shape[:2]
    if arr.ndim == 2:
        return b"P5\n%d %d\n255\n" % (w, h) + arr.tobytes()
    return b"P6\n%d %d\n255\n" % (w, h) + arr.tobytes()


def cjpeg(arr, *args):
    return subprocess.run(["cjpeg", *args], input=to_ppm(arr), stdout=subprocess.PIPE,
                          check=True).stdout


def jpeg_segments(data):
    """Split a JPEG into (marker, full_segment_bytes) up to and including SOS;
    the remainder (entropy data + EOI) is returned as the last element."""
    assert data[:2] == b"\xff\xd8"
    i, segs = 2, []
    while True:
        assert data[i] == 0xFF, i
        m = data[i + 1]
        ln = struct.unpack(">H", data[i + 2:i + 4])[0]
        segs.append((m, data[i:i + 2 + ln]))
        i += 2 + ln
        if m == 0xDA:
            return segs, data[i:]


def jpeg_with_app1(base, app1_payload, keep_jfif=False):
    segs, rest = jpeg_segments(base)
    app1 = b"\xff\xe1" + struct.pack(">H", len(app1_payload) + 2) + app1_payload
    out = b"\xff\xd8"
    if keep_jfif:
        out += b"".join(s for m, s in segs if m == 0xE0)
    out += app1
    out += b"".join(s for m, s in segs if m != 0xE0)
    return out + rest


def tiff_ifd_blob(order, entries, next_ifd=0):
    """Build 'Exif\\0\\0' + TIFF header + IFD0 (+ optional Exif sub-IFD).
    entries: list of (tag, type, count, raw_value_bytes) in the order to write
    (TIFF wants ascending tags; we keep the given order).  Values longer than
    4 bytes are placed in a data area after the IFD."""
    e = "<" if order == "II" else ">"
    hdr = order.encode() + struct.pack(e + "HI", 42, 8)
    n = len(entries)
    ifd_size = 2 + 12 * n + 4
    data_off = 8 + ifd_size
    ifd, data = struct.pack(e + "H", n), b""
    for tag, typ, count, val in entries:
        if len(val) <= 4:
            ifd += struct.pack(e + "HHI", tag, typ, count) + val.ljust(4, b"\0")
        else:
            ifd += struct.pack(e + "HHII", tag, typ, count, data_off + len(data))
            data += val + (b"\0" if len(val) % 2 else b"")
    ifd += struct.pack(e + "I", next_ifd)
    return b"Exif\0\0" + hdr + ifd + data


def short(order, v):
    return struct.pack("<H" if order == "II" else ">H", v)


def exif_orientation_only(order, orient):
    return tiff_ifd_blob(order, [(0x0112, 3, 1, short(order, orient))])


def exif_rich(order, orient):
    """Several IFD0 entries, Orientation is the 4th; plus an Exif sub-IFD."""
    e = "<" if order == "II" else ">"

    def rat(n, d):
        return struct.pack(e + "II", n, d)

    # Exif sub-IFD (ExifVersion, PixelXDimension, PixelYDimension) is appended
    # after IFD0's data area; compute its offset after building IFD0 once.
    def build(sub_off):
        ents = [
            (0x010E, 2, 18, b"MeterScan fixture\0"),
            (0x010F, 2, 10, b"MeterScan\0"),
            (0x0110, 2, 8, b"Fixture\0"),
            (0x0112, 3, 1, short(order, orient)),
            (0x011A, 5, 1, rat(72, 1)),
            (0x011B, 5, 1, rat(72, 1)),
            (0x0128, 3, 1, short(order, 2)),
            (0x8769, 4, 1, struct.pack(e + "I", sub_off)),
        ]
        return tiff_ifd_blob(order, ents)

    blob = build(0)
    sub_off = len(blob) - 6                      # offset relative to TIFF header
    blob = build(sub_off)
    sub = struct.pack(e + "H", 3)
    sub += struct.pack(e + "HHI", 0x9000, 7, 4) + b"0232"
    sub += struct.pack(e + "HHI", 0xA002, 3, 1) + short(order, 64).ljust(4, b"\0")
    sub += struct.pack(e + "HHI", 0xA003, 3, 1) + short(order, 48).ljust(4, b"\0")
    sub += struct.pack(e + "I", 0)
    return blob + sub


# numpy versions of "stored = inverse(orientation)(upright)"
def store_for_orientation(u, o):
    return {
        1: lambda a: a,
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1, :],
        5: lambda a: a.transpose(1, 0, 2),
        6: lambda a: np.rot90(a, 1),            # CCW; display rotates 90 CW
        7: lambda a: np.rot90(a, 2).transpose(1, 0, 2),
        8: lambda a: np.rot90(a, -1),           # CW; display rotates 90 CCW
    }[o](u).copy()


# ----------------------------------------------------------------------------
# PNG writer
# ----------------------------------------------------------------------------
PNG_SIG = b"\x89PNG\r\n\x1a\n"
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def chunk(typ, data, bad_crc=False):
    crc = zlib.crc32(typ + data) & 0xFFFFFFFF
    if bad_crc:
        crc ^= 0xDEADBEEF
    return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", crc)


def pack_rows(samples, depth):
    """samples: h x w x c integer array -> list of packed row bytes."""
    h = samples.shape[0]
    flat = samples.reshape(h, -1).astype(np.uint32)
    rows = []
    for r in flat:
        if depth == 16:
            rows.append(r.astype(">u2").tobytes())
        elif depth == 8:
            rows.append(r.astype(np.uint8).tobytes())
        else:
            per = 8 // depth
            n = len(r)
            pad = (-n) % per
            rr = np.concatenate([r, np.zeros(pad, np.uint32)]).reshape(-1, per)
            shifts = np.array([8 - depth * (k + 1) for k in range(per)], np.uint32)
            rows.append((rr << shifts).sum(axis=1).astype(np.uint8).tobytes())
    return rows


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(ftype, row, prev, bpp):
    out = bytearray([ftype])
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = (0, a, b, (a + b) // 2, paeth(a, b, c))[ftype]
        out.append((x - pred) & 0xFF)
    return bytes(out)


def filtered_image(samples, depth, channels):
    """Filter every row; filter type cycles 0,1,2,3,4 so all are exercised."""
    bpp = max(1, channels * depth // 8)
    rows = pack_rows(samples, depth)
    out, prev = b"", bytes(len(rows[0]))
    for y, row in enumerate(rows):
        out += filter_row(y % 5, row, prev, bpp)
        prev = row
    return out


def make_png(samples, ctype, depth, palette=None, trns=None, interlace=False,
             idat_split=None, extra_chunks=(), bad_ihdr_crc=False, ihdr_size=None):
    if samples.ndim == 2:
        samples = samples[:, :, None]
    h, w, c = samples.shape
    assert c == CHANNELS[ctype]
    iw, ih = ihdr_size or (w, h)
    ihdr = struct.pack(">IIBBBBB", iw, ih, depth, ctype, 0, 0, 1 if interlace else 0)
    if interlace:
        raw = b""
        for x0, y0, dx, dy in ADAM7:
            sub = samples[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                raw += filtered_image(sub, depth, c)
    else:
        raw = filtered_image(samples, depth, c)
    z = zlib.compress(raw, 9)
    out = PNG_SIG + chunk(b"IHDR", ihdr, bad_crc=bad_ihdr_crc)
    for typ, data in extra_chunks:
        out += chunk(typ, data)
    if palette is not None:
        out += chunk(b"PLTE", b"".join(bytes(p) for p in palette))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    step = idat_split or len(z)
    for i in range(0, len(z), step):
        out += chunk(b"IDAT", z[i:i + step])
    return out + chunk(b"IEND", b"")


# ----------------------------------------------------------------------------
# Fixture generation
# ----------------------------------------------------------------------------
def gen_jpegs():
    rgb = rgb_upright()
    gray = gray_upright()
    q = dict(quality=90)

    base420 = pil_jpeg(rgb, subsampling=2, **q)
    write("jpeg_420.jpg", base420)
    record("jpeg_420.jpg", "jpeg", W, H, 1, 3, "quad_rgb",
           note="baseline, YCbCr 4:2:0, q90, JFIF (PIL)")
    write("jpeg_444.jpg", pil_jpeg(rgb, subsampling=0, **q))
    record("jpeg_444.jpg", "jpeg", W, H, 1, 3, "quad_rgb", note="baseline, 4:4:4, q90 (PIL)")
    write("jpeg_422.jpg", pil_jpeg(rgb, subsampling=1, **q))
    record("jpeg_422.jpg", "jpeg", W, H, 1, 3, "quad_rgb", note="baseline, 4:2:2 (2x1), q90 (PIL)")
    write("jpeg_progressive.jpg", pil_jpeg(rgb, subsampling=2, progressive=True, **q))
    record("jpeg_progressive.jpg", "jpeg", W, H, 1, 3, "quad_rgb",
           note="progressive (SOF2), 4:2:0, q90 (PIL)")
    write("jpeg_gray.jpg", pil_jpeg(gray, "L", **q))
    record("jpeg_gray.jpg", "jpeg", W, H, 1, 1, "quad_gray", note="1-component grayscale, q90 (PIL)")

    # CMYK: choose K = 255 - max(R,G,B), C = 255 - R*255/(255-K) ... so that the
    # usual Adobe conversion R = Cs*Ks/255 (Cs, Ks = values as stored, i.e.
    # inverted) gives back quad_rgb.  PIL writes CMYK inverted (rawmode CMYK;I)
    # and libjpeg adds an Adobe APP14 marker with transform=0.
    def rgb2cmyk(c):
        k = 255 - max(c)
        return tuple(255 - int(round(v * 255.0 / (255 - k))) for v in c) + (k,)

    cmyk = quad_array({k: rgb2cmyk(v) for k, v in zip(QUADS, (RED, GREEN, BLUE, NEARWHITE))})
    write("jpeg_cmyk_adobe.jpg", pil_jpeg(cmyk, "CMYK", **q))
    record("jpeg_cmyk_adobe.jpg", "jpeg", W, H, 1, 4, "quad_rgb",
           note="4-component CMYK, Adobe APP14 (transform 0), stored INVERTED; "
                "RGB = Cs*Ks/255 etc. on the stored samples libjpeg returns")

    write("jpeg_restart.jpg", cjpeg(rgb, "-quality", "90", "-restart", "2B"))
    record("jpeg_restart.jpg", "jpeg", W, H, 1, 3, "quad_rgb",
           note="cjpeg -restart 2B: DRI, RSTn marker every 2 MCUs, 4:2:0")
    write("jpeg_arithmetic.jpg", cjpeg(rgb, "-quality", "90", "-arithmetic"))
    record("jpeg_arithmetic.jpg", "jpeg", W, H, 1, 3, "quad_rgb",
           note="cjpeg -arithmetic (SOF9, arithmetic coding)")

    big = rgb_upright(1600, 1200)
    write("jpeg_large_1600x1200.jpg", pil_jpeg(big, subsampling=2, optimize=True, **q))
    record("jpeg_large_1600x1200.jpg", "jpeg", 1600, 1200, 1, 3, "quad_rgb",
           note="quad_rgb scaled x25 (quadrants 800x600), Huffman-optimised; for DCT scaling")

    # --- EXIF orientation -------------------------------------------------
    for o in range(1, 9):
        stored = store_for_orientation(rgb, o)
        order = "II" if o % 2 else "MM"
        name = "exif_orient_%d.jpg" % o
        base = pil_jpeg(stored, subsampling=2, **q)
        write(name, jpeg_with_app1(base, exif_orientation_only(order, o), keep_jfif=(o == 3)))
        sh, sw = stored.shape[:2]
        record(name, "jpeg", W, H, o, 3, "quad_rgb", stored="%dx%d" % (sw, sh),
               note="APP1 Exif %s, IFD0 has only Orientation=%d%s" %
                    (order, o, "; JFIF APP0 precedes APP1" if o == 3 else "; no JFIF"))

    for o, order in ((6, "II"), (8, "MM")):
        name = "exif_orient_%d_not_first_%s.jpg" % (o, order.lower())
        stored = store_for_orientation(rgb, o)
        base = pil_jpeg(stored, subsampling=2, **q)
        write(name, jpeg_with_app1(base, exif_rich(order, o)))
        record(name, "jpeg", W, H, o, 3, "quad_rgb", stored="48x64",
               note="APP1 Exif %s, Orientation is the 4th of 8 IFD0 entries "
                    "(strings/rationals in data area) + Exif sub-IFD" % order)

    base_up = pil_jpeg(rgb, subsampling=2, **q)
    write("exif_orient_invalid_9.jpg", jpeg_with_app1(base_up, exif_orientation_only("MM", 9)))
    record("exif_orient_invalid_9.jpg", "jpeg", W, H, 1, 3, "quad_rgb",
           note="Orientation tag value 9 (invalid) -> treat as 1; stored upright")
    write("exif_orient_invalid_0.jpg", jpeg_with_app1(base_up, exif_orientation_only("II", 0)))
    record("exif_orient_invalid_0.jpg", "jpeg", W, H, 1, 3, "quad_rgb",
           note="Orientation tag value 0 (invalid) -> treat as 1; stored upright")

    # Truncated APP1: IFD0 claims 12 entries, but the segment ends 6 bytes into
    # the first entry (which is an Orientation tag, value never present).
    trunc = b"Exif\0\0" + b"MM" + struct.pack(">HI", 42, 8) + struct.pack(">H", 12) \
        + struct.pack(">HH", 0x0112, 3) + b"\0\0"
    write("exif_truncated_app1.jpg", jpeg_with_app1(base_up, trunc))
    record("exif_truncated_app1.jpg", "jpeg", W, H, 1, 3, "quad_rgb",
           note="APP1 Exif MM: IFD0 count=12 but segment ends 6 bytes into entry 1 "
                "(tag 0x0112) -> orientation 1, must still decode")
    # IFD0 offset points far outside the segment; also a wrong byte-order mark variant
    badoff = b"Exif\0\0" + b"II" + struct.pack("<HI", 42, 0x7FFFFFF0) + b"\0" * 8
    write("exif_bad_ifd_offset.jpg", jpeg_with_app1(base_up, badoff))
    record("exif_bad_ifd_offset.jpg", "jpeg", W, H, 1, 3, "quad_rgb",
           note="APP1 Exif II whose IFD0 offset is 0x7FFFFFF0 (outside) -> orientation 1")
    badbo = b"Exif\0\0" + b"XX" + struct.pack(">HI", 42, 8) + struct.pack(">H", 1) \
        + struct.pack(">HHI", 0x0112, 3, 1) + short("MM", 6) + b"\0\0" + b"\0" * 4
    write("exif_bad_byte_order.jpg", jpeg_with_app1(base_up, badbo))
    record("exif_bad_byte_order.jpg", "jpeg", W, H, 1, 3, "quad_rgb",
           note="APP1 'Exif' with byte-order mark 'XX' (else a valid MM IFD saying 6) "
                "-> ignore, orientation 1")
    return base420


def gen_pngs():
    gray = gray_upright()
    rgb = rgb_upright()

    def lvl(depth):
        return {1: None, 2: (0, 1, 2, 3), 4: (0, 5, 10, 15), 8: (0, 85, 170, 255),
                16: (0, 85 * 257, 170 * 257, 255 * 257)}[depth]

    def gq(vals):
        return quad_array(dict(zip(QUADS, [(v,) for v in vals])), dtype=np.uint16)[:, :, 0]

    files = []

    def png(name, data, channels, pattern, note):
        write(name, data)
        record(name, "png", W, H, 1, channels, pattern, note=note)
        files.append(name)

    # gray 1/2/4/8/16
    png("png_gray1.png", make_png(gq((0, 1, 1, 0)), 0, 1), 1, "quad_gray1", "gray 1-bit")
    for d in (2, 4, 8, 16):
        png("png_gray%d.png" % d, make_png(gq(lvl(d)), 0, d), 1, "quad_gray", "gray %d-bit" % d)
    # gray + alpha 8/16 (BR transparent over black, TR alpha 128)
    for d in (8, 16):
        m = 257 if d == 16 else 1
        ga = quad_array({"TL": (0, 255 * m), "TR": (85 * m, A_HALF * m),
                         "BL": (170 * m, 255 * m), "BR": (0, 0)}, dtype=np.uint16)
        png("png_graya%d.png" % d, make_png(ga, 4, d), 2, "quad_gray_alpha",
            "gray+alpha %d-bit; BR alpha 0 over black, TR alpha %d" % (d, A_HALF * m))
    # RGB 8/16
    png("png_rgb8.png", make_png(rgb, 2, 8), 3, "quad_rgb", "RGB 8-bit")
    png("png_rgb16.png", make_png(rgb.astype(np.uint16) * 257, 2, 16, idat_split=200), 3,
        "quad_rgb", "RGB 16-bit (value*257); IDAT split into 200-byte chunks")

    def rgba(m):
        return quad_array({"TL": tuple(v * m for v in RED) + (255 * m,),
                           "TR": tuple(v * m for v in GREEN) + (A_HALF * m,),
                           "BL": tuple(v * m for v in BLUE) + (255 * m,),
                           "BR": (0, 0, 0, 0)}, dtype=np.uint16)

    png("png_rgba8.png", make_png(rgba(1), 6, 8,
                                  extra_chunks=[(b"tEXt", b"Comment\0MeterScan fixture")]),
        4, "quad_rgb_alpha", "RGBA 8-bit; BR alpha 0 over black, TR alpha 128; has tEXt")
    png("png_rgba16.png", make_png(rgba(257), 6, 16, idat_split=100), 4, "quad_rgb_alpha",
        "RGBA 16-bit; TR alpha 32896; IDAT split into 100-byte chunks")

    # palettes: junk-filled palettes so index != gray; pattern colours at odd indices
    def junk_palette(n, seed):
        r = random.Random(seed)
        return [(r.randrange(256), r.randrange(256), r.randrange(256)) for _ in range(n)]

    pal1 = [RED, GREEN]
    png("png_pal1.png", make_png(gq((0, 1, 1, 0)), 3, 1, palette=pal1), 3, "quad_pal1",
        "palette 1-bit, PLTE[0]=red [1]=green")

    def pal_png(depth, idx, npal, seed, **kw):
        pal = junk_palette(npal, seed)
        for i, col in zip(idx, (RED, GREEN, BLUE, NEARWHITE)):
            pal[i] = col
        return make_png(gq(idx), 3, depth, palette=pal, **kw)

    png("png_pal2.png", pal_png(2, (2, 0, 3, 1), 4, 2), 3, "quad_rgb",
        "palette 2-bit, indices TL2 TR0 BL3 BR1")
    png("png_pal4.png", pal_png(4, (3, 7, 12, 15), 16, 4), 3, "quad_rgb",
        "palette 4-bit, 16 entries, indices 3/7/12/15")
    png("png_pal8.png", pal_png(8, (10, 77, 200, 255), 256, 8), 3, "quad_rgb",
        "palette 8-bit, 256 entries, indices 10/77/200/255")

    # palette + tRNS
    pal = [RED, GREEN, BLUE, (0, 0, 0)]
    png("png_pal2_trns.png", make_png(gq((0, 1, 2, 3)), 3, 2, palette=pal,
                                      trns=bytes([255, A_HALF, 255, 0])),
        4, "quad_rgb_alpha", "palette 2-bit + tRNS (4 entries: 255,128,255,0); BR black a=0")
    pal = junk_palette(200, 88)
    pal[0], pal[1], pal[2], pal[150] = GREEN, (0, 0, 0), RED, BLUE
    png("png_pal8_trns.png", make_png(gq((2, 0, 150, 1)), 3, 8, palette=pal,
                                      trns=bytes([A_HALF, 0])),
        4, "quad_rgb_alpha", "palette 8-bit (200 entries) + SHORT tRNS (2 entries: idx0 a=128 "
                             "green, idx1 a=0 black); other indices opaque")
    # gray colour key: BR stored as 50, tRNS key 50 -> transparent -> white
    png("png_gray8_trns.png", make_png(gq((0, 85, 170, 50)), 0, 8, trns=struct.pack(">H", 50)),
        2, "quad_gray", "gray 8-bit, BR stored 50 with tRNS key 50 -> white after compositing "
                        "(ignoring tRNS shows 50)")
    png("png_gray16_trns.png", make_png(gq((0, 85 * 257, 170 * 257, 50 * 257)), 0, 16,
                                        trns=struct.pack(">H", 50 * 257)),
        2, "quad_gray", "gray 16-bit, BR stored 12850 with tRNS key 12850 -> white")
    png("png_rgb8_trns.png", make_png(quad_array({"TL": RED, "TR": GREEN, "BL": BLUE,
                                                  "BR": (0, 0, 0)}), 2, 8,
                                      trns=struct.pack(">HHH", 0, 0, 0)),
        4, "quad_rgb_key", "RGB 8-bit, BR stored black with tRNS key (0,0,0) -> white")

    # Adam7
    png("png_gray1_adam7.png", make_png(gq((0, 1, 1, 0)), 0, 1, interlace=True), 1,
        "quad_gray1", "gray 1-bit, Adam7")
    png("png_gray8_adam7.png", make_png(gq(lvl(8)), 0, 8, interlace=True), 1, "quad_gray",
        "gray 8-bit, Adam7")
    png("png_rgb8_adam7.png", make_png(rgb, 2, 8, interlace=True), 3, "quad_rgb",
        "RGB 8-bit, Adam7")
    png("png_rgba16_adam7.png", make_png(rgba(257), 6, 16, interlace=True), 4,
        "quad_rgb_alpha", "RGBA 16-bit, Adam7")
    png("png_pal4_adam7.png", pal_png(4, (3, 7, 12, 15), 16, 4, interlace=True), 3,
        "quad_rgb", "palette 4-bit, Adam7")
    return files


PATTERNS["quad_rgb_key"] = {"TL": RED, "TR": GREEN, "BL": BLUE, "BR": (255, 255, 255)}


def gen_invalid(base420):
    write("empty.bin", b"")
    record("empty.bin", "unknown", None, None, None, None, "", "empty", note="0 bytes")
    write("notes.txt", b"MeterScan fixture: this is plain text, not an image.\n"
                       b"Decoders must reject it as unsupported.\n")
    record("notes.txt", "unknown", None, None, None, None, "", "unsupported", note="ASCII text")

    im = Image.fromarray(rgb_upright(8, 6)).quantize(4, dither=Image.Dither.NONE)
    bio = io.BytesIO()
    im.save(bio, "GIF")
    write("tiny.gif", bio.getvalue())
    record("tiny.gif", "gif", None, None, None, None, "", "unsupported", note="valid 8x6 GIF89a/87a")

    write("doc.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n"
                     b"endobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
                     b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    record("doc.pdf", "pdf", None, None, None, None, "", "unsupported", note="PDF header + stub")

    ftyp = b"heic" + struct.pack(">I", 0) + b"mif1heic"
    heic = struct.pack(">I", 8 + len(ftyp)) + b"ftyp" + ftyp
    meta = struct.pack(">I", 12) + b"meta" + b"\0\0\0\0"
    mdat = struct.pack(">I", 24) + b"mdat" + bytes(16)
    write("fake.heic", heic + meta + mdat)
    record("fake.heic", "heic", None, None, None, None, "", "unsupported",
           note="ISO-BMFF: ftyp brand heic (compat mif1,heic) + empty meta + mdat; not decodable")

    # Hand-made lossless WebP (VP8L) header, 8x6, followed by stub bits; we do not
    # rely on libwebp so the bytes are stable.  Header only matters: unsupported.
    w, h = 8, 6
    bits = (w - 1) | ((h - 1) << 14) | (0 << 28) | (0 << 29)
    vp8l = b"\x2f" + struct.pack("<I", bits) + bytes(11)
    chunk_ = b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l + (b"\0" if len(vp8l) % 2 else b"")
    write("tiny.webp", b"RIFF" + struct.pack("<I", 4 + len(chunk_)) + b"WEBP" + chunk_)
    record("tiny.webp", "webp", None, None, None, None, "", "unsupported",
           note="RIFF/WEBP with VP8L chunk header (8x6); payload is a stub")

    # huge dims
    write("huge_dims.png", make_png(np.zeros((1, 1, 3), np.uint8), 2, 8,
                                    ihdr_size=(100000, 100000)))
    record("huge_dims.png", "png", 100000, 100000, None, 3, "", "too_large",
           note="IHDR 100000x100000 RGB8 with valid CRC; one tiny IDAT. Reject before allocating. "
                "width/height = claimed header size")
    segs, rest = jpeg_segments(base420)
    out = b"\xff\xd8"
    for m, s in segs:
        if m in (0xC0, 0xC1, 0xC2):
            s = s[:5] + struct.pack(">HH", 60000, 60000) + s[9:]
        out += s
    write("huge_dims.jpg", out + rest)
    record("huge_dims.jpg", "jpeg", 60000, 60000, None, 3, "", "too_large",
           note="jpeg_420.jpg with SOF0 patched to 60000x60000. Reject after jpeg_read_header. "
                "width/height = claimed header size")

    # bad IHDR CRC
    write("bad_ihdr_crc.png", make_png(rgb_upright(), 2, 8, bad_ihdr_crc=True))
    record("bad_ihdr_crc.png", "png", None, None, None, None, "", "corrupt",
           note="png_rgb8.png with IHDR CRC xor 0xDEADBEEF (libpng: critical-chunk CRC error)")

    # garbage entropy data
    segs, rest = jpeg_segments(base420)
    hdr = b"\xff\xd8" + b"".join(s for _, s in segs)
    ent = bytearray(rest[:-2])
    r = random.Random(1234)
    a, b = len(ent) // 4, 3 * len(ent) // 4
    for i in range(a, b):
        ent[i] = r.randrange(256)
    write("jpeg_garbage_entropy.jpg", hdr + bytes(ent) + rest[-2:])
    record("jpeg_garbage_entropy.jpg", "jpeg", W, H, 1, 3, "", "corrupt",
           note="jpeg_420.jpg with the middle half of the entropy-coded data replaced by "
                "seeded random bytes (incl. stray 0xFF markers). libjpeg only WARNS; see notes")

    # truncated
    # cut in the middle of the entropy-coded data (file midpoint would land in DHT)
    half = len(hdr) + len(rest) // 2
    write("truncated_half.jpg", base420[:half])
    record("truncated_half.jpg", "jpeg", W, H, 1, 3, "", "truncated",
           note="first %d of %d bytes of jpeg_420.jpg = headers + first half of the scan "
                "data. libjpeg only WARNS (JWRN_JPEG_EOF); see notes" % (half, len(base420)))
    cut = len(base420) // 2
    assert cut < len(hdr)
    write("truncated_headers.jpg", base420[:cut])
    record("truncated_headers.jpg", "jpeg", None, None, None, None, "", "truncated",
           note="first %d of %d bytes of jpeg_420.jpg (file midpoint, cut inside the DHT "
                "segment; no SOS): jpeg_read_header fails after JWRN_JPEG_EOF" % (cut, len(base420)))
    good_png = make_png(rgb_upright(), 2, 8)
    write("truncated_half.png", good_png[:len(good_png) // 2])
    record("truncated_half.png", "png", W, H, 1, 3, "", "truncated",
           note="first %d of %d bytes of png_rgb8.png (cut inside IDAT)"
                % (len(good_png) // 2, len(good_png)))


# ----------------------------------------------------------------------------
# expected.csv / patterns.csv / README.md
# ----------------------------------------------------------------------------
FIELDS = ["file", "format", "width", "height", "orientation", "channels_hint", "pattern", "error"]


def write_csvs():
    with open(os.path.join(HERE, "expected.csv"), "w", newline="") as f:
        wr = csv.DictWriter(f, FIELDS, lineterminator="\n")
        wr.writeheader()
        wr.writerows(ROWS)
    with open(os.path.join(HERE, "patterns.csv"), "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["pattern", "quadrant", "cx_frac", "cy_frac", "r", "g", "b"])
        for name, q in PATTERNS.items():
            for k in QUADS:
                wr.writerow([name, k, *QUAD_CENTRES[k], *q[k]])


README_HEAD = """# MeterImage test fixtures

Generated — do not edit by hand. Regenerate (deterministic, also verifies) with:

    /usr/bin/python3 Tests/MeterImageTests/Fixtures/make_fixtures.py

(`--no-verify` skips the decode checks.) Needs python3-pil, python3-numpy,
libjpeg-turbo-progs (cjpeg/djpeg), exiftool; pngcheck and netpbm (pngtopam)
are used for verification if present. PNGs are written by the script's own
zlib+struct writer (row filter type cycles 0,1,2,3,4 per row / per Adam7 pass
row), JPEGs by PIL (libjpeg-turbo) or cjpeg; EXIF APP1 segments are hand-built.

## Machine-readable files

* `expected.csv` — `file,format,width,height,orientation,channels_hint,pattern,error`
  * `format`: container by magic bytes (`jpeg`, `png`, `gif`, `pdf`, `heic`, `webp`, `unknown`).
  * `width`,`height`: UPRIGHT size after applying EXIF orientation. For error rows
    they are blank, except `huge_dims.*` (the size the header CLAIMS) and the
    corrupt/truncated JPEG/PNG rows (64x48: the size `jpeg_read_header`/IHDR reports).
  * `orientation`: the EFFECTIVE EXIF orientation (1..8) the decoder must apply
    (invalid / unreadable tags => 1). PNG => 1. Blank for non-images.
  * `channels_hint`: colour components in the file: 1 gray, 2 gray+alpha (or gray
    + tRNS key), 3 RGB/YCbCr/palette, 4 RGBA / CMYK / palette+tRNS / RGB+tRNS key.
  * `pattern`: key into `patterns.csv`; blank for error rows.
  * `error`: blank = must decode; else `truncated`, `corrupt`, `too_large`,
    `unsupported`, `empty`.
* `patterns.csv` — `pattern,quadrant,cx_frac,cy_frac,r,g,b`: expected upright RGB
  at the centre of each quadrant AFTER compositing on white. Sample at
  `(floor(cx_frac*width), floor(cy_frac*height))` — for 64x48 that is (16,12),
  (48,12), (16,36), (48,36). Tolerance: ±12 for JPEG, ±1 for PNG (alpha
  compositing rounding). Gray patterns list r=g=b.

## Patterns (upright 64x48, four 32x24 quadrants)

| pattern | TL | TR | BL | BR | stored (before compositing) |
|---|---|---|---|---|---|
"""

PATTERN_STORED = {
    "quad_rgb": "(200,30,30) (30,160,40) (40,60,200) (240,240,240)",
    "quad_gray": "0 85 170 255 (2-bit 0..3, 4-bit 0/5/10/15, 16-bit v*257)",
    "quad_gray1": "0 1 1 0 (1-bit)",
    "quad_pal1": "1-bit palette, indices 0 1 1 0, PLTE red, green",
    "quad_rgb_alpha": "TR green a=128 (16-bit: 32896); BR (0,0,0) a=0; TL/BL opaque",
    "quad_gray_alpha": "TL 0, TR 85 a=128, BL 170, BR 0 a=0",
    "quad_rgb_key": "RGB, BR stored (0,0,0) = tRNS key -> transparent",
}

README_NOTES = """
## Notes / decisions

* **EXIF orientation** files: the STORED pixels are upright quad_rgb transformed by
  the inverse of the orientation (2 mirror-x, 3 rot180, 4 mirror-y, 5 transpose,
  6 stored = upright rotated 90° CCW (display rotates 90° CW), 7 transverse,
  8 stored = upright rotated 90° CW), so orientations 5–8 store 48x64 pixels.
  Odd orientations use little-endian `II` TIFF headers, even ones big-endian `MM`
  (in MM the SHORT value sits in the first 2 bytes of the 4-byte value field:
  `00 06 00 00`). Orientation files carry no JFIF APP0 except `exif_orient_3.jpg`,
  where APP0 JFIF precedes APP1. Checked with PIL `ImageOps.exif_transpose` and
  `exiftool -n -Orientation`.
* **CMYK** (`jpeg_cmyk_adobe.jpg`): written by PIL, which stores CMYK INVERTED
  (Adobe convention, raw mode `CMYK;I`); libjpeg adds an Adobe APP14 marker
  (transform 0 = no YCCK). Decoding with `out_color_space = JCS_CMYK`, libjpeg
  returns the stored (inverted) samples Cs,Ms,Ys,Ks and the expected RGB is
  `R = Cs*Ks/255, G = Ms*Ks/255, B = Ys*Ks/255` → quad_rgb (K is non-zero in
  3 quadrants). A decoder that forgets the inversion gets ~black.
* **libjpeg warnings**: for `truncated_half.jpg` libjpeg-turbo does NOT raise an
  error; it emits warning JWRN_JPEG_EOF ("Premature end of JPEG file"), pads
  with gray and "succeeds". For `jpeg_garbage_entropy.jpg` it emits
  corrupt-data warnings (JWRN_HIT_MARKER / "Corrupt JPEG data: …") and
  returns a garbled 64x48 image. The expected errors (`truncated`, `corrupt`)
  therefore require the Swift decoder to hook `emit_message` (level -1) /
  check `err->num_warnings` and map JWRN_JPEG_EOF → truncated, other
  warnings → corrupt. A test that only demands "no crash" may instead accept a
  64x48 image for `jpeg_garbage_entropy.jpg` (hence width/height are filled).
  Observed tool behaviour is listed below.
* **huge_dims**: libpng's default user limit is 1,000,000 px per side and
  libjpeg's JPEG_MAX_DIMENSION is 65500, so both headers are read successfully;
  the Swift code must enforce its own pixel limit (`too_large`) before allocating.
* `bad_ihdr_crc.png`: libpng treats a CRC error in a critical chunk as an error
  (default), → `corrupt`.
* `tiny.webp` is a hand-made RIFF/WEBP/VP8L header with stub payload (not a
  decodable WebP); `fake.heic` is an ftyp/meta/mdat stub. Both → `unsupported`.
* Byte-identical output assumes the same zlib and libjpeg-turbo builds
  (Debian, libjpeg-turbo 2.1.5); the *expectations* do not depend on them.
"""


def write_readme(observations):
    t = README_HEAD
    for name, q in PATTERNS.items():
        cells = [str(q[k][0]) if "gray" in name else "(%d,%d,%d)" % q[k] for k in QUADS]
        t += "| `%s` | %s | %s | %s | %s | %s |\n" % (name, *cells, PATTERN_STORED.get(name, ""))
    t += "\n## Fixtures\n\n| file | bytes | format | upright WxH | stored WxH | orient | ch | pattern | error | what it is |\n"
    t += "|---|---|---|---|---|---|---|---|---|---|\n"
    for r in ROWS:
        f = r["file"]
        size = os.path.getsize(os.path.join(HERE, f))
        wh = "%sx%s" % (r["width"], r["height"]) if r["width"] != "" else ""
        st = STORED.get(f, wh if not r["error"] else "")
        t += "| `%s` | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n" % (
            f, size, r["format"], wh, st, r["orientation"], r["channels_hint"],
            r["pattern"], r["error"], NOTES[f])
    total = sum(os.path.getsize(os.path.join(HERE, r["file"])) for r in ROWS)
    t += "\nTotal fixture bytes: %d.\n" % total
    t += README_NOTES
    if observations:
        t += "\n## Observed tool behaviour on the invalid files (from the verifier)\n\n"
        for k, v in observations:
            v = v.replace(HERE + os.sep, "")
            t += "* `%s`: %s\n" % (k, v)
    with open(os.path.join(HERE, "README.md"), "w") as f:
        f.write(t)


# ----------------------------------------------------------------------------
# Verification
# ----------------------------------------------------------------------------
FAIL = []


def check(cond, msg):
    if not cond:
        FAIL.append(msg)
        print("FAIL:", msg)


def composite_white(im):
    """PIL image -> float HxWx3 composited on white (handles 16-bit gray)."""
    if im.mode in ("I;16", "I;16B", "I"):
        a = np.array(im).astype(np.float64) / 257.0
        rgb = np.stack([a] * 3, -1)
        if "transparency" in im.info:
            key = im.info["transparency"]
            rgb[np.array(im) == key] = 255
        return rgb
    if im.mode == "CMYK":
        im = im.convert("RGB")
    im = im.convert("RGBA")
    a = np.array(im).astype(np.float64)
    al = a[:, :, 3:4] / 255.0
    return a[:, :, :3] * al + 255.0 * (1 - al)


def check_pattern(name, rgb, pattern, tol, label):
    h, w = rgb.shape[:2]
    q = PATTERNS[pattern]
    for k in QUADS:
        fx, fy = QUAD_CENTRES[k]
        x, y = int(fx * w), int(fy * h)
        for dy in (-2, 0, 2):
            for dx in (-2, 0, 2):
                got = rgb[y + dy, x + dx]
                exp = np.array(q[k], np.float64)
                if np.max(np.abs(np.round(got) - exp)) > tol:
                    check(False, "%s [%s] %s at (%d,%d): got %s want %s" %
                          (name, label, k, x + dx, y + dy, np.round(got).astype(int).tolist(),
                           list(q[k])))
                    return


def djpeg_rgb(path, *extra):
    p = subprocess.run(["djpeg", "-rgb", "-pnm", *extra, path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return p


def parse_pnm(data):
    parts, i = [], 0
    while len(parts) < 4:
        while data[i:i + 1].isspace():
            i += 1
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        parts.append(data[i:j])
        i = j
    i += 1
    magic, w, h, mx = parts[0], int(parts[1]), int(parts[2]), int(parts[3])
    c = 3 if magic == b"P6" else 1
    bps = 2 if mx > 255 else 1
    arr = np.frombuffer(data[i:i + w * h * c * bps], ">u2" if bps == 2 else np.uint8)
    arr = arr.reshape(h, w, c).astype(np.float64) * (255.0 / mx)
    return arr if c == 3 else np.repeat(arr, 3, axis=2)


def exiftool_orientation(path):
    p = subprocess.run(["exiftool", "-n", "-s3", "-Orientation", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.stdout.strip()


def verify():
    obs = []
    have_pngcheck = shutil.which("pngcheck") is not None
    have_pngtopam = shutil.which("pngtopam") is not None
    for r in ROWS:
        f, path = r["file"], os.path.join(HERE, r["file"])
        if r["error"]:
            continue
        exp_w, exp_h, o = int(r["width"]), int(r["height"]), int(r["orientation"])
        tol = 12 if r["format"] == "jpeg" else 1
        im = Image.open(path)
        im.load()
        check(im.format.lower() == r["format"], "%s format %s" % (f, im.format))
        up = ImageOps.exif_transpose(im)
        check(up.size == (exp_w, exp_h), "%s PIL upright size %s" % (f, up.size))
        check_pattern(f, composite_white(up), r["pattern"], tol, "PIL")
        if r["format"] == "jpeg":
            ncomp = {"L": 1, "RGB": 3, "CMYK": 4}[im.mode]
            check(ncomp == int(r["channels_hint"]), "%s components %d" % (f, ncomp))
            eo = exiftool_orientation(path)
            if f.startswith("exif_orient_") and "invalid" not in f:
                check(eo == str(o), "%s exiftool Orientation %r want %d" % (f, eo, o))
            if "invalid" in f:
                check(eo in ("9", "0"), "%s exiftool raw Orientation %r" % (f, eo))
            if "truncated_app1" in f or "bad_ifd" in f or "bad_byte" in f:
                check(eo == "", "%s exiftool found Orientation %r" % (f, eo))
            # independent check: djpeg stored pixels + our own orientation mapping
            if im.mode != "CMYK":
                p = djpeg_rgb(path)
                check(p.returncode == 0 and not p.stderr, "%s djpeg rc=%d %s" %
                      (f, p.returncode, p.stderr[:200]))
                stored = parse_pnm(p.stdout)
                inv = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}[o]
                upright = store_for_orientation(stored, inv)
                check(upright.shape[:2] == (exp_h, exp_w), "%s djpeg size" % f)
                check_pattern(f, upright, r["pattern"], tol, "djpeg")
                if "large" in f:
                    p = djpeg_rgb(path, "-scale", "1/8")
                    small = parse_pnm(p.stdout)
                    check(small.shape[:2] == (150, 200), "%s djpeg 1/8 size" % f)
                    check_pattern(f, small, r["pattern"], tol, "djpeg 1/8")
            else:
                # stored values: PIL re-inverts on read when APP14 present; check the
                # Adobe marker and apply R = Cs*Ks/255 on the raw stored samples.
                data = open(path, "rb").read()
                check(b"\xff\xee\x00\x0eAdobe" in data, "%s no Adobe APP14" % f)
                cmyk = np.array(im).astype(np.float64)   # un-inverted C,M,Y,K
                st = 255.0 - cmyk                         # stored samples
                rgb = st[:, :, :3] * st[:, :, 3:4] / 255.0
                check_pattern(f, rgb, r["pattern"], tol, "Cs*Ks/255")
        else:
            if have_pngcheck:
                p = subprocess.run(["pngcheck", "-q", path], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
                check(p.returncode == 0, "%s pngcheck: %s" % (f, p.stdout.strip()))
            if have_pngtopam:
                p = subprocess.run(["pngtopam", "-alphapam", path], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
                check(p.returncode == 0, "%s pngtopam rc %d" % (f, p.returncode))
                pam = p.stdout
                hdr_end = pam.index(b"ENDHDR\n") + 7
                hdr = dict(l.split(b" ", 1) for l in pam[:hdr_end].split(b"\n")[1:-2])
                pw, ph, depth, mx = (int(hdr[k]) for k in (b"WIDTH", b"HEIGHT", b"DEPTH", b"MAXVAL"))
                check((pw, ph) == (exp_w, exp_h), "%s pngtopam size" % f)
                a = np.frombuffer(pam[hdr_end:], ">u2" if mx > 255 else np.uint8)
                a = a[:pw * ph * depth].reshape(ph, pw, depth).astype(np.float64) * 255.0 / mx
                if depth in (2, 4):
                    col, al = a[:, :, :depth - 1], a[:, :, depth - 1:] / 255.0
                    a = col * al + 255.0 * (1 - al)
                if a.shape[2] == 1:
                    a = np.repeat(a, 3, axis=2)
                check_pattern(f, a, r["pattern"], tol, "pngtopam")

    # ---- invalid files: record what the reference tools do ---------------
    os.chdir(HERE)                  # relative paths in the recorded messages
    def pil_try(f):
        try:
            im = Image.open(f)
            im.load()
            return "PIL decodes it (%s %dx%d)" % (im.format, *im.size)
        except Exception as e:      # noqa: BLE001
            return "PIL raises %s: %s" % (type(e).__name__, str(e)[:80])

    for f in ("truncated_half.jpg", "truncated_headers.jpg", "jpeg_garbage_entropy.jpg"):
        p = djpeg_rgb(f)
        msg = "djpeg exit %d, stderr %r" % (p.returncode, p.stderr.decode().strip()[:120])
        check(p.returncode != 0, "%s: djpeg unexpectedly clean" % f)
        obs.append((f, msg + "; " + pil_try(f)))
    for f in ("truncated_half.png", "bad_ihdr_crc.png", "huge_dims.png"):
        parts = [pil_try(f)]
        if have_pngcheck:
            p = subprocess.run(["pngcheck", f], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            parts.append("pngcheck rc %d: %s" % (p.returncode,
                                                 " ".join(p.stdout.split())[:140]))
        if have_pngtopam and f != "huge_dims.png":
            p = subprocess.run(["pngtopam", f], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
            parts.append("pngtopam(libpng) rc %d: %s" % (p.returncode,
                                                         " ".join(p.stderr.split())[:120]))
        obs.append((f, "; ".join(parts)))
    # headers of huge files without decoding them
    ex = subprocess.run(["exiftool", "-s3", "-ImageWidth", "-ImageHeight",
                         "huge_dims.jpg", "huge_dims.png"],
                        stdout=subprocess.PIPE, text=True).stdout.split()
    check(ex.count("60000") == 2 and ex.count("100000") == 2, "huge dims headers %r" % ex)
    obs.append(("huge_dims.jpg", pil_try("huge_dims.jpg") + "; exiftool reads 60000x60000"))
    for f in ("empty.bin", "notes.txt", "tiny.gif", "doc.pdf", "fake.heic", "tiny.webp"):
        fmt = subprocess.run(["file", "-b", f], stdout=subprocess.PIPE,
                             text=True).stdout.strip() if shutil.which("file") else "?"
        obs.append((f, "file(1): %s" % fmt[:70]))
    for f in ("tiny.gif",):
        im = Image.open(f)
        check(im.format == "GIF", "tiny.gif not a GIF")

    total = sum(os.path.getsize(os.path.join(HERE, r["file"])) for r in ROWS)
    check(total < 300 * 1024, "total size %d" % total)
    return obs


def main():
    old = os.path.join(HERE, "expected.csv")     # remove only what we generated last time
    if os.path.exists(old):
        with open(old) as f:
            for r in csv.DictReader(f):
                p = os.path.join(HERE, os.path.basename(r["file"]))
                if os.path.exists(p):
                    os.remove(p)
    base420 = gen_jpegs()
    gen_pngs()
    gen_invalid(base420)
    write_csvs()
    obs = [] if "--no-verify" in sys.argv else verify()
    write_readme(obs)
    total = sum(os.path.getsize(os.path.join(HERE, r["file"])) for r in ROWS)
    print("%d fixtures, %d bytes, %d failures" % (len(ROWS), total, len(FAIL)))
    for m in FAIL:
        print("  FAIL", m)
    return 1 if FAIL else 0


if __name__ == "__main__":
    sys.exit(main())
