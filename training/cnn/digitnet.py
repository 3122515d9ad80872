"""digitnet: a small convolutional classifier for single meter-digit cells (numpy only).

Shared by train.py and the fixture writer; Sources/MeterOCR/DigitNetwork.swift and
NetworkRecognizer.swift implement the same input step and forward pass in Swift.

Run-time path of a cell (Swift and Python alike):
  1. the reader prepares the crop (MeterVision `prepareCellForOCR(.standard)`, mirrored here by
     `prepare_crop`): gray, dark-on-light, contrast stretched, scaled to 48 px high;
  2. `fit_input` (ours): area-averaged resize that keeps the aspect ratio into an
     INPUT_H x INPUT_W frame, centred, padded with white; value = (255 - gray) / 255, so ink is
     positive and the padding is 0. A cell narrower than the net's minimum aspect (width over
     height, `--minimum-aspect`; 0 = none) is stretched to it first, in the same resize;
  3. the network: per conv layer 3x3 convolution (zero padding 1) + ReLU + 2x2 max pool, then
     dense layers (ReLU between them), softmax over the ten digits (and, in an 11-class net,
     class 10 = "not a digit": frame, background, a cell straddling two digits).

Weights file (little-endian), see `save_weights`:
  magic b"DGN1", u32 version (1, or 2 when the net has a minimum aspect), u32 input height,
  u32 input width, u32 layer count, in version 2 a float32 minimum aspect, then per
  layer: u32 kind (1 = conv3x3+ReLU+maxpool2, 2 = dense+ReLU, 3 = dense, the logits),
  u32 inputs, u32 outputs, float32 weights ([out][in][3][3] or [out][in]), float32 biases [out].
"""
import math
import os
import struct
import sys

import numpy as np
from PIL import Image

# Gray conversion, the polarity window and test, and percentiles are those the Tesseract
# training data uses (training/prepare_data.py): one mirror of CellPreparation.swift.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from prepare_data import ink_is_light, percentile, polarity_window, to_gray  # noqa: E402,F401

INPUT_H, INPUT_W = 32, 24
PREPARED_HEIGHT = 48
MAGIC = b"DGN1"
CONV, DENSE_RELU, DENSE = 1, 2, 3
# Minimum cell aspect of the nets made here (train.py --minimum-aspect); a loaded net keeps its own.
minimum_aspect = 0.0


# --------------------------------------------------------------------------- preparation

def otsu(hist):
    """Same arithmetic as MeterVision `Threshold.otsu` (and prepare_data.otsu)."""
    total = int(hist.sum())
    if total == 0:
        return 127
    weighted = float(sum(level * int(c) for level, c in enumerate(hist)))
    dark_count, dark_sum, best, best_level = 0, 0.0, 0.0, 127
    for level in range(255):
        dark_count += int(hist[level])
        if dark_count == 0:
            continue
        light = total - dark_count
        if light == 0:
            break
        dark_sum += float(level * int(hist[level]))
        dm, lm = dark_sum / dark_count, (weighted - dark_sum) / light
        between = float(dark_count) * float(light) * (dm - lm) * (dm - lm)
        if between > best:
            best, best_level = between, level
    return best_level


def prepare_crop(gray):
    """Mirror of MeterVision `prepareCellForOCR(_, .standard)` on a uint8 gray crop: polarity
    from the central window (Otsu), 2nd/98th percentile stretch (of the whole cell where the
    centre holds less than half of its contrast, as for a seven-segment "1"), 48 px high."""
    h, w = gray.shape
    x0, x1, y0, y1 = polarity_window(gray)
    hist = np.bincount(gray[y0:y1, x0:x1].ravel(), minlength=256).astype(np.int64)
    thr = otsu(hist)
    if ink_is_light(gray, (x0, x1, y0, y1), thr):
        gray = 255 - gray
        hist = hist[::-1].copy()
    low, high = percentile(hist, 0.02), percentile(hist, 0.98)
    whole = np.bincount(gray.ravel(), minlength=256).astype(np.int64)
    wlow, whigh = percentile(whole, 0.02), percentile(whole, 0.98)
    if 2 * (high - low) < whigh - wlow:
        low, high = wlow, whigh
    if high > low:
        table = np.clip((np.arange(256) - low) * 255 // (high - low), 0, 255).astype(np.uint8)
        gray = table[gray]
    out_w = max(1, int(math.floor(w * PREPARED_HEIGHT / h + 0.5)))
    # PIL's BILINEAR is the antialiased triangle filter of MeterVision's resample.
    return np.asarray(Image.fromarray(gray).resize((out_w, PREPARED_HEIGHT), Image.BILINEAR), dtype=np.uint8)


# --------------------------------------------------------------------------- network input

def area_weights(src, dst):
    """dst x src matrix: output pixel o averages source [o*src/dst, (o+1)*src/dst) by overlap."""
    m = np.zeros((dst, src), dtype=np.float64)
    scale = src / dst
    for o in range(dst):
        a, b = o * scale, (o + 1) * scale
        i = int(math.floor(a))
        while i < src and i < b:
            m[o, i] = (min(b, i + 1) - max(a, i)) / scale
            i += 1
    return m


def fit_geometry(h, w, aspect=0.0):
    """Size and offset of the resized cell inside the INPUT_H x INPUT_W frame (aspect kept, a
    cell narrower than `aspect` stretched to it)."""
    w = max(w, aspect * h)
    s = min(INPUT_H / h, INPUT_W / w)
    nh = min(INPUT_H, max(1, int(math.floor(h * s + 0.5))))
    nw = min(INPUT_W, max(1, int(math.floor(w * s + 0.5))))
    return nh, nw, (INPUT_H - nh) // 2, (INPUT_W - nw) // 2


def fit_input(cell, aspect=None):
    """Prepared uint8 gray cell (dark on light) -> float32 INPUT_H x INPUT_W network input, for
    a net of minimum aspect `aspect` (default: the nets made here)."""
    h, w = cell.shape
    nh, nw, top, left = fit_geometry(h, w, minimum_aspect if aspect is None else aspect)
    ink = (255.0 - cell.astype(np.float64)) / 255.0
    small = area_weights(h, nh) @ ink @ area_weights(w, nw).T
    out = np.zeros((INPUT_H, INPUT_W), dtype=np.float32)
    out[top:top + nh, left:left + nw] = small
    return out


def has_contrast(cell, minimum=24):
    """Same rule as TesseractRecognizer: a blank cell (max - min < 24) is not read."""
    return int(cell.max()) - int(cell.min()) >= minimum


# --------------------------------------------------------------------------- network

class Net:
    """Layers as (kind, W, b). conv W: (out, in, 3, 3); dense W: (out, in)."""

    def __init__(self, channels=(8, 16, 32), hidden=64, seed=1, classes=10):
        rng = np.random.default_rng(seed)
        self.minimum_aspect = minimum_aspect
        self.layers = []
        cin = 1
        for c in channels:
            w = rng.normal(0, math.sqrt(2.0 / (cin * 9)), (c, cin, 3, 3)).astype(np.float32)
            self.layers.append([CONV, w, np.zeros(c, np.float32)])
            cin = c
        h, w_ = INPUT_H >> len(channels), INPUT_W >> len(channels)
        flat = cin * h * w_
        self.layers.append([DENSE_RELU, rng.normal(0, math.sqrt(2.0 / flat), (hidden, flat)).astype(np.float32),
                            np.zeros(hidden, np.float32)])
        self.layers.append([DENSE, rng.normal(0, math.sqrt(1.0 / hidden), (classes, hidden)).astype(np.float32),
                            np.zeros(classes, np.float32)])

    def params(self):
        return [p for layer in self.layers for p in layer[1:]]

    def count(self):
        return sum(p.size for p in self.params())

    def copy_params(self):
        return [p.copy() for p in self.params()]

    def load_params(self, saved):
        i = 0
        for layer in self.layers:
            layer[1], layer[2] = saved[i].copy(), saved[i + 1].copy()
            i += 2

    # ---- forward (with caches for backward)
    def forward(self, x, train=False, rng=None, dropout=0.0):
        """x: (N, INPUT_H, INPUT_W) float32 -> logits (N, classes)."""
        caches = []
        a = x[:, None, :, :]
        for kind, w, b in self.layers:
            if kind == CONV:
                cols = im2col(a)                                    # (N, H, W, C*9)
                n, hh, ww, _ = cols.shape
                z = cols.reshape(-1, cols.shape[-1]) @ w.reshape(w.shape[0], -1).T + b
                z = z.reshape(n, hh, ww, -1).transpose(0, 3, 1, 2)  # NCHW
                r = np.maximum(z, 0)
                p = r.reshape(n, r.shape[1], hh // 2, 2, ww // 2, 2).max(axis=(3, 5))
                caches.append((cols, a.shape, r, p))
                a = p
            else:
                if a.ndim == 4:
                    caches.append(("flatten", a.shape))
                    a = a.reshape(a.shape[0], -1)
                z = a @ w.T + b
                if kind == DENSE_RELU:
                    r = np.maximum(z, 0)
                    mask = None
                    if train and dropout > 0:
                        mask = (rng.random(r.shape) >= dropout).astype(np.float32) / (1 - dropout)
                        r = r * mask
                    caches.append((a, z, mask))
                    a = r
                else:
                    caches.append((a, None, None))
                    a = z
        return a, caches

    def backward(self, dlogits, caches):
        grads = [None] * (2 * len(self.layers))
        d = dlogits
        ci = len(caches) - 1
        for li in range(len(self.layers) - 1, -1, -1):
            kind, w, b = self.layers[li]
            if kind == CONV:
                cols, in_shape, r, p = caches[ci]
                ci -= 1
                n, c, hh, ww = r.shape
                # max-pool backward: route to the maxima (ties get the gradient each; ReLU zeros
                # and exact float ties are harmless here)
                up = np.repeat(np.repeat(p, 2, axis=2), 2, axis=3)
                dup = np.repeat(np.repeat(d, 2, axis=2), 2, axis=3)
                dr = dup * (r == up)
                dz = dr * (r > 0)
                dzf = dz.transpose(0, 2, 3, 1).reshape(-1, c)
                grads[2 * li] = (dzf.T @ cols.reshape(-1, cols.shape[-1])).reshape(w.shape)
                grads[2 * li + 1] = dzf.sum(axis=0)
                if li > 0:
                    dcols = (dzf @ w.reshape(c, -1)).reshape(n, hh, ww, in_shape[1], 3, 3)
                    d = col2im(dcols, in_shape)
            else:
                a, z, mask = caches[ci]
                ci -= 1
                if kind == DENSE_RELU:
                    if mask is not None:
                        d = d * mask
                    d = d * (z > 0)
                grads[2 * li] = d.T @ a
                grads[2 * li + 1] = d.sum(axis=0)
                d = d @ w
                if ci >= 0 and isinstance(caches[ci][0], str):
                    d = d.reshape(caches[ci][1])
                    ci -= 1
        return grads


def im2col(a):
    """(N, C, H, W) -> (N, H, W, C*9) patches of the zero-padded input (order c, ky, kx)."""
    n, c, h, w = a.shape
    padded = np.zeros((n, c, h + 2, w + 2), dtype=a.dtype)
    padded[:, :, 1:-1, 1:-1] = a
    s = padded.strides
    view = np.lib.stride_tricks.as_strided(padded, (n, h, w, c, 3, 3), (s[0], s[2], s[3], s[1], s[2], s[3]))
    return np.ascontiguousarray(view).reshape(n, h, w, c * 9)


def col2im(dcols, shape):
    n, c, h, w = shape
    dpad = np.zeros((n, c, h + 2, w + 2), dtype=dcols.dtype)
    for ky in range(3):
        for kx in range(3):
            dpad[:, :, ky:ky + h, kx:kx + w] += dcols[:, :, :, :, ky, kx].transpose(0, 3, 1, 2)
    return dpad[:, :, 1:-1, 1:-1]


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------- weights file

def save_weights(net, path):
    with open(path, "wb") as f:
        f.write(MAGIC)
        aspect = getattr(net, "minimum_aspect", 0.0)
        f.write(struct.pack("<4I", 2 if aspect > 0 else 1, INPUT_H, INPUT_W, len(net.layers)))
        if aspect > 0:
            f.write(struct.pack("<f", aspect))
        for kind, w, b in net.layers:
            f.write(struct.pack("<3I", kind, w.shape[1], w.shape[0]))
            f.write(np.ascontiguousarray(w, dtype="<f4").tobytes())
            f.write(np.ascontiguousarray(b, dtype="<f4").tobytes())


def load_weights(path):
    data = open(path, "rb").read()
    assert data[:4] == MAGIC, "not a digitnet file"
    version, ih, iw, count = struct.unpack_from("<4I", data, 4)
    assert version in (1, 2) and (ih, iw) == (INPUT_H, INPUT_W)
    net = Net.__new__(Net)
    net.layers = []
    off = 20
    net.minimum_aspect = 0.0
    if version == 2:
        net.minimum_aspect = float(struct.unpack_from("<f", data, off)[0])
        off += 4
    for _ in range(count):
        kind, cin, cout = struct.unpack_from("<3I", data, off)
        off += 12
        shape = (cout, cin, 3, 3) if kind == CONV else (cout, cin)
        size = int(np.prod(shape))
        w = np.frombuffer(data, "<f4", size, off).reshape(shape).astype(np.float32)
        off += 4 * size
        b = np.frombuffer(data, "<f4", cout, off).astype(np.float32)
        off += 4 * cout
        net.layers.append([kind, w, b])
    return net
