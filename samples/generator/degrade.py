"""Camera + messenger pipeline: blur, sensor noise, phone sharpening, JPEG/PNG, EXIF orientation."""
import math
import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from util import u, chance, pick, font, to_img, TEXT_FONTS, BOLD_FONTS

# stored = upright.transpose(TO_STORED[o]);  exif_transpose(stored) == upright
TO_STORED = {2: Image.FLIP_LEFT_RIGHT, 3: Image.ROTATE_180, 4: Image.FLIP_TOP_BOTTOM, 5: Image.TRANSPOSE,
             6: Image.ROTATE_90, 7: Image.TRANSVERSE, 8: Image.ROTATE_270}


def motion_blur(arr, length, angle):
    n = max(2, int(round(length)))
    dx, dy = math.cos(angle), math.sin(angle)
    pad = n + 2
    p = np.pad(arr, ((pad, pad), (pad, pad), (0, 0)), mode="edge")
    H, W = arr.shape[:2]
    out = np.zeros_like(arr)
    for i in range(n):
        t = i - (n - 1) / 2
        ox, oy = int(round(t * dx)), int(round(t * dy))
        out += p[pad + oy:pad + oy + H, pad + ox:pad + ox + W]
    return out / n


def gaussian(arr, sigma):
    if sigma < 0.3:
        return arr
    im = to_img(np.clip(arr, 0, 1))
    # keep precision: blur in 8 bit is fine here, noise is added afterwards
    return np.asarray(im.filter(ImageFilter.GaussianBlur(sigma)), np.float32) / 255.0


def camera(rng, img, s, defocus=None, motion=None, noise=None, dark=False, digit_px=None):
    """img: float (H,W,3) scene radiance ~0..1. Returns uint8 upright image and tags."""
    tags = []
    H, W = img.shape[:2]
    img = np.clip(img, 0, 1.3)
    if defocus is None:
        defocus = u(rng, 0.5, 1.5) * s if not chance(rng, 0.15) else u(rng, 1.6, 2.6) * s
    if motion is None:
        motion = u(rng, 0, 4.0) * s if chance(rng, 0.7) else u(rng, 4, 9) * s
    if digit_px is not None:
        # blur must not destroy a readable counter: cap relative to the digit window height
        defocus = min(defocus, 0.075 * digit_px)
        if motion < 0.05 * max(H, W):
            motion = min(motion, 0.2 * digit_px)
    if defocus > 1.7 * s or motion > 5 * s:
        tags.append("blurry")
    if motion >= 1.5:
        img = motion_blur(img, motion, u(rng, 0, math.pi))
    img = gaussian(img, defocus)
    # tone curve (phones lift shadows and add contrast)
    g = u(rng, 0.9, 1.1)
    img = np.clip(img, 0, 1) ** g
    img = img + 0.12 * img * (1 - img) * (img - 0.35)
    if dark:
        img = img * u(rng, 0.025, 0.06)
    sig = noise if noise is not None else u(rng, 0.005, 0.015)
    if dark:
        sig = u(rng, 0.012, 0.02)
    if sig > 0.012:
        tags.append("noisy")
    lum = rng.standard_normal((H, W), dtype=np.float32)
    # phone denoising leaves slightly blotchy noise: mix fine and 2x-upscaled noise
    h2, w2 = (H + 1) // 2, (W + 1) // 2
    coarse = rng.standard_normal((h2, w2), dtype=np.float32)
    coarse = np.asarray(Image.fromarray(coarse, "F").resize((W, H), Image.BILINEAR), np.float32)
    n = (0.3 * lum + 0.75 * coarse) * sig * np.sqrt(np.clip(img.mean(2), 0, 1) + 0.08)
    chroma = rng.standard_normal((H // 4 + 1, W // 4 + 1, 3), dtype=np.float32) * sig * 0.5
    chroma = np.stack([np.asarray(Image.fromarray(chroma[..., c], "F").resize((W, H), Image.BILINEAR), np.float32) for c in range(3)], 2)
    img = img + n[..., None] + chroma
    out = to_img(np.clip(img, 0, 1))
    if not dark:
        out = out.filter(ImageFilter.UnsharpMask(radius=u(rng, 1.0, 2.2) * max(1, s * 0.7), percent=int(u(rng, 25, 80)), threshold=2))
    return out, tags


def save_jpeg(img, path, quality, orientation, with_exif):
    stored = img if orientation == 1 else img.transpose(TO_STORED[orientation])
    kw = dict(quality=int(quality), subsampling=2, optimize=False, progressive=False)
    if with_exif or orientation != 1:
        ex = Image.Exif()
        ex[0x0112] = int(orientation)
        kw["exif"] = ex.tobytes()
    stored.save(path, "JPEG", **kw)


def screenshot(rng, photo):
    """Phone screenshot of a gallery app showing the photo (saved as PNG by the caller)."""
    import io
    SW, SH = 720, 1600
    dark_ui = chance(rng, 0.7)
    bgc = (0, 0, 0) if dark_ui else (250, 250, 250)
    fg = (240, 240, 240) if dark_ui else (30, 30, 30)
    scr = Image.new("RGB", (SW, SH), bgc)
    # the displayed photo is a decoded JPEG, downscaled to the screen
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=85, subsampling=2, optimize=False, progressive=False)
    buf.seek(0)
    ph = Image.open(buf).convert("RGB")
    s = SW / ph.width
    ph = ph.resize((SW, int(ph.height * s)), Image.LANCZOS)
    y0 = (SH - ph.height) // 2
    scr.paste(ph, (0, y0))
    xform = (s, 0.0, float(y0))
    dr = ImageDraw.Draw(scr)
    f = font(TEXT_FONTS[0], 26)
    dr.rectangle([0, 0, SW, 52], fill=bgc)
    dr.text((28, 12), "%d:%02d" % (int(rng.integers(6, 23)), int(rng.integers(0, 60))), font=f, fill=fg)
    # battery + signal icons
    dr.rectangle([640, 18, 680, 36], outline=fg, width=2)
    dr.rectangle([643, 21, 643 + int(u(rng, 8, 34)), 33], fill=fg)
    for i in range(4):
        dr.rectangle([590 + i * 9, 34 - i * 5, 595 + i * 9, 36], fill=fg)
    # bottom toolbar
    dr.rectangle([0, SH - 130, SW, SH], fill=bgc)
    for i, x in enumerate([90, 270, 450, 630]):
        if i % 2 == 0:
            dr.ellipse([x - 18, SH - 90, x + 18, SH - 54], outline=fg, width=3)
        else:
            dr.rectangle([x - 16, SH - 88, x + 16, SH - 56], outline=fg, width=3)
    dr.line([(SW / 2 - 70, SH - 20), (SW / 2 + 70, SH - 20)], fill=fg, width=6)
    dr.text((28, 70), "<", font=font(TEXT_FONTS[0], 40), fill=fg)
    return scr, xform
