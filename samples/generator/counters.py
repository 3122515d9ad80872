"""Counter renderers: mechanical drums, seven-segment LCD, printed / embossed digits.

Every renderer works at "render scale" (roughly 2x the final footprint) and returns
an RGBA PIL image of the counter block plus the bbox of the digit area.
"""
import math
import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from util import font, pick, u, chance, rgb, value_noise, DIGIT_FONTS, LCD_FONTS, TEXT_FONTS, BOLD_FONTS

RED_DRUMS = [(190, 30, 35), (205, 45, 40), (170, 20, 30), (215, 60, 50)]
WHITE_DRUMS = [(238, 236, 228), (245, 244, 240), (228, 226, 215), (240, 238, 230)]
BLACK_DRUMS = [(22, 22, 24), (30, 30, 32), (15, 17, 20), (38, 36, 36)]


def digit_masks(fpath, dh, cell_w, pitch, narrow=1.0):
    """Ten float masks (pitch x cell_w) with digit d centred; cap height ~= dh."""
    probe = font(fpath, 200)
    b = probe.getbbox("0")
    cap = b[3] - b[1]
    size = 200.0 * dh / cap
    f = font(fpath, size)
    ref = f.getbbox("0")
    ref_cy = (ref[1] + ref[3]) / 2
    masks = []
    for d in range(10):
        s = str(d)
        bb = f.getbbox(s)
        gw = bb[2] - bb[0]
        tmpw = int(gw + 8)
        im = Image.new("L", (tmpw, int(pitch)), 0)
        dr = ImageDraw.Draw(im)
        dr.text((4 - bb[0], pitch / 2 - ref_cy), s, fill=255, font=f)
        if narrow != 1.0:
            im = im.resize((max(2, int(tmpw * narrow)), int(pitch)), Image.LANCZOS)
        cell = Image.new("L", (int(cell_w), int(pitch)), 0)
        cell.paste(im, (int(round((cell_w - im.width) / 2)), 0))
        masks.append(np.asarray(cell, np.float32) / 255.0)
    return masks


def glyph_width(fpath, dh):
    probe = font(fpath, 200)
    b = probe.getbbox("0")
    cap = b[3] - b[1]
    f = font(fpath, 200.0 * dh / cap)
    return max(f.getbbox(str(d))[2] - f.getbbox(str(d))[0] for d in range(10))


def render_drum(masks, digit, offset, ww, wh, R, pitch, bg, fg, shade_k, top_shadow, xshift, rng):
    """One drum as seen through its window: cylinder projection of a digit strip."""
    strip = np.concatenate([masks[(digit + k) % 10] for k in (-1, 0, 1, 2)], axis=0)
    H = strip.shape[0]
    ys = (np.arange(int(wh), dtype=np.float32) + 0.5) - wh / 2.0
    t = np.clip(ys / R, -0.999, 0.999)
    s = R * np.arcsin(t)
    rows = 1.5 * pitch + offset * pitch + s
    r0 = np.clip(np.floor(rows).astype(np.int64), 0, H - 2)
    fr = (rows - r0)[:, None]
    m = strip[r0] * (1 - fr) + strip[r0 + 1] * fr
    # horizontal crop to window width with a small shift
    cw = m.shape[1]
    x0 = int(round((cw - ww) / 2 + xshift))
    x0 = max(0, min(cw - int(ww), x0))
    m = m[:, x0:x0 + int(ww)]
    if m.shape[1] < int(ww):
        m = np.pad(m, ((0, 0), (0, int(ww) - m.shape[1])))
    bg = np.array(bg, np.float32) / 255
    fg = np.array(fg, np.float32) / 255
    col = bg[None, None] * (1 - m[..., None]) + fg[None, None] * m[..., None]
    cosang = np.sqrt(1 - t * t)
    sh = cosang ** shade_k
    sh = sh * (1.0 - 0.08 * t)  # lit a bit from above
    edge = np.exp(-(ys + wh / 2) / (0.14 * wh + 1e-3))
    sh = sh * (1 - top_shadow * edge)
    col = col * sh[:, None, None]
    # darker drum rims at the left/right edge of the window
    xx = np.arange(int(ww), dtype=np.float32)
    rim = np.minimum(xx, ww - 1 - xx) / max(2.0, 0.06 * ww)
    col = col * (0.7 + 0.3 * np.clip(rim, 0, 1))[None, :, None]
    return col


def drum_counter(rng, drums, dh, fpath=None, int_scheme=None, frac_mode=None,
                 frame=None, layout=None):
    """drums: list of (digit, offset, is_frac). Returns (RGBA image, digit bbox, info)."""
    fpath = fpath or pick(rng, DIGIT_FONTS)
    int_scheme = int_scheme or ("white_on_black" if chance(rng, 0.35) else "black_on_white")
    frac_mode = frac_mode or pick(rng, ["red_drum", "red_drum", "red_frame", "red_digits"])
    layout = layout or pick(rng, ["separate", "separate", "continuous"])
    pitch = dh / u(rng, 0.56, 0.70)
    R = 10 * pitch / (2 * math.pi)
    theta = math.radians(u(rng, 15, 21))
    wh = int(2 * R * math.sin(theta))
    narrow = u(rng, 0.82, 1.0) if chance(rng, 0.5) else 1.0
    gw = glyph_width(fpath, dh) * narrow
    ww = int(max(gw * u(rng, 1.2, 1.7), dh * 0.62))
    cell_w = int(ww + 8)
    masks = digit_masks(fpath, dh, cell_w, int(pitch), narrow)
    pitch = float(int(pitch))
    if layout == "separate":
        gap = int(ww * u(rng, 0.10, 0.38))
    else:
        gap = max(2, int(ww * u(rng, 0.03, 0.09)))
    margin_x = int(ww * u(rng, 0.25, 0.6))
    margin_y = int(wh * u(rng, 0.18, 0.45))
    n = len(drums)
    nfrac = sum(1 for d in drums if d[2])
    extra = gap * 2 if (nfrac and chance(rng, 0.35)) else 0  # wider gap before the fraction
    W = 2 * margin_x + n * ww + (n - 1) * gap + extra
    H = 2 * margin_y + wh
    frame = frame or pick(rng, [(20, 20, 22), (35, 35, 38), (12, 12, 14), (50, 52, 58), (28, 30, 60)])
    img = Image.new("RGBA", (W, H), frame + (255,))
    dr = ImageDraw.Draw(img)
    if int_scheme == "black_on_white":
        ibg, ifg = pick(rng, WHITE_DRUMS), pick(rng, BLACK_DRUMS)
    else:
        ibg, ifg = pick(rng, BLACK_DRUMS), pick(rng, WHITE_DRUMS)
    red = pick(rng, RED_DRUMS)
    if frac_mode == "red_drum":
        fbg, ffg = red, pick(rng, WHITE_DRUMS)
    elif frac_mode == "red_frame":
        fbg, ffg = (ibg, ifg) if chance(rng, 0.6) else (pick(rng, WHITE_DRUMS), pick(rng, BLACK_DRUMS))
    else:  # red digits on white
        fbg, ffg = pick(rng, WHITE_DRUMS), red
    xs = []
    x = margin_x
    for i, d in enumerate(drums):
        if d[2] and i > 0 and not drums[i - 1][2]:
            x += extra
        xs.append(x)
        x += ww + gap
    if nfrac and frac_mode == "red_frame":
        fx0 = xs[n - nfrac] - gap * 0.6 - 2
        dr.rectangle([fx0, margin_y * 0.35, W - margin_x * 0.45, H - margin_y * 0.35], fill=red + (255,))
    if layout == "continuous":
        # one long window; drums separated by thin dark slots
        dr.rectangle([margin_x - 2, margin_y - 2, W - margin_x + 1, margin_y + wh + 1], fill=(8, 8, 8, 255))
    arr = np.asarray(img, np.float32).copy()
    shade_k = u(rng, 0.6, 1.6)
    top_shadow = u(rng, 0.15, 0.55)
    for i, (dig, off, isf) in enumerate(drums):
        bg, fg = (fbg, ffg) if isf else (ibg, ifg)
        col = render_drum(masks, dig, off, ww, wh, R, pitch, bg, fg, shade_k, top_shadow,
                          u(rng, -0.03, 0.03) * ww, rng)
        arr[margin_y:margin_y + wh, xs[i]:xs[i] + ww, :3] = col * 255
    img = Image.fromarray(arr.astype(np.uint8), "RGBA")
    dr = ImageDraw.Draw(img)
    # window frame bevel: light lower edge, dark upper edge
    for i in range(n):
        if layout == "separate" or i == 0:
            x0 = xs[i] if layout == "separate" else xs[0]
            x1 = xs[i] + ww if layout == "separate" else xs[-1] + ww
            lw = max(1, int(wh * 0.02))
            dr.line([(x0 - lw, margin_y + wh + lw), (x1 + lw, margin_y + wh + lw)], fill=rgb([min(255, c + 45) for c in frame]) + (255,), width=lw)
    if nfrac and chance(rng, 0.5):
        # decimal comma/dot printed between integer and fraction windows
        cx = xs[n - nfrac] - (gap + extra) / 2
        r = max(2, int(ww * 0.06))
        cy = margin_y + wh * 0.85
        dcol = (230, 230, 230, 255) if sum(frame) < 300 else (20, 20, 20, 255)
        dr.ellipse([cx - r, cy - r, cx + r, cy + r], fill=dcol)
    bbox = (xs[0], margin_y, xs[-1] + ww, margin_y + wh)
    info = {"scheme": int_scheme, "frac_mode": frac_mode, "layout": layout, "font": fpath,
            "frame": frame, "xs": xs, "ww": ww, "wh": wh, "margin_y": margin_y}
    return img, bbox, info


LCD_BG = [(170, 180, 160), (182, 190, 170), (160, 170, 155), (190, 196, 180), (150, 162, 150), (175, 178, 172)]


def lcd_counter(rng, integer, fraction, dh, obis=None, unit="kWh", indicators=True):
    fpath = pick(rng, LCD_FONTS)
    n_int, n_frac = len(integer), len(fraction)
    f = font(fpath, dh)
    text = integer + ("." + fraction if fraction else "")
    ghost = ("8." * (n_int + n_frac))
    adv = f.getlength("8")
    spacing_extra = 0
    main_w = adv * (n_int + n_frac)
    ufont = font(pick(rng, BOLD_FONTS + TEXT_FONTS), dh * u(rng, 0.38, 0.55))
    uw = ufont.getlength(unit) if unit else 0
    obis_pos = None
    if obis:
        obis_pos = pick(rng, ["left", "top"])
    of = font(fpath, dh * u(rng, 0.38, 0.5))
    ow = of.getlength(obis.replace(".", "") if obis else "")
    pad_x = dh * u(rng, 0.25, 0.6)
    pad_top = dh * u(rng, 0.3, 0.6) + (dh * 0.6 if (obis_pos == "top" or indicators) else 0)
    pad_bot = dh * u(rng, 0.25, 0.5)
    left_extra = (ow + dh * 0.35) if obis_pos == "left" else 0
    W = int(pad_x * 2 + left_extra + main_w + dh * 0.3 + uw)
    H = int(pad_top + dh + pad_bot)
    bg = np.array(pick(rng, LCD_BG), np.float32)
    # background with gentle gradient
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    g = 1 + 0.05 * (xx / W - 0.5) * u(rng, -1, 1) + 0.06 * (yy / H - 0.5) * u(rng, -1, 1)
    arr = bg[None, None] * g[..., None]
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB").convert("RGBA")
    seg_col = pick(rng, [(30, 34, 30), (40, 42, 45), (22, 26, 28), (50, 55, 50)])
    ghost_alpha = int(u(rng, 14, 40))
    x0 = pad_x + left_extra
    y0 = pad_top
    lay = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    d2 = ImageDraw.Draw(lay)
    d2.text((x0, y0), ghost, font=f, fill=seg_col + (ghost_alpha,))
    img = Image.alpha_composite(img, lay)
    lay = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    d2 = ImageDraw.Draw(lay)
    # a faint offset copy = the shadow of the segments on the LCD back plane
    sh = max(1, dh * 0.04)
    d2.text((x0 + sh, y0 + sh), text, font=f, fill=seg_col + (40,))
    d2.text((x0, y0), text, font=f, fill=seg_col + (int(u(rng, 200, 245)),))
    tags = []
    if unit:
        d2.text((x0 + main_w + dh * 0.3, y0 + dh - ufont.getbbox(unit)[3]), unit, font=ufont, fill=seg_col + (230,))
    if obis:
        if obis_pos == "left":
            d2.text((pad_x, y0), obis, font=of, fill=seg_col + (230,))
        else:
            d2.text((x0, pad_top - dh * 0.6), obis, font=of, fill=seg_col + (230,))
    if indicators:
        # little arrows / bars along the top edge
        k = dh * 0.16
        top = dh * 0.18
        xs = sorted(rng.uniform(W * 0.45, W - pad_x, int(rng.integers(1, 4))).tolist())
        for xi in xs:
            if chance(rng, 0.5):
                d2.polygon([(xi, top), (xi + 2 * k, top), (xi + k, top + 1.6 * k)], fill=seg_col + (220,))
            else:
                d2.polygon([(xi, top), (xi + 1.7 * k, top + 0.8 * k), (xi, top + 1.6 * k)], fill=seg_col + (220,))
        if chance(rng, 0.5):
            sf = font(pick(rng, TEXT_FONTS), dh * 0.22)
            d2.text((pad_x, top), pick(rng, ["L1 L2 L3", "T1", "A+", "T1 T2", "-P +P"]), font=sf, fill=seg_col + (200,))
        tags.append("indicator")
    img = Image.alpha_composite(img, lay)
    # slight blur: segments are never razor sharp behind the LCD glass
    img = img.filter(ImageFilter.GaussianBlur(max(0.5, dh * 0.012)))
    bbox = (x0, y0, x0 + main_w, y0 + dh)
    return img, bbox, {"font": fpath, "tags": tags, "obis_pos": obis_pos}


def printed_counter(rng, integer, fraction, dh, mode=None):
    """Plain font digits in a dark rectangle, or embossed into a metal plate."""
    mode = mode or pick(rng, ["dark_rect", "dark_rect", "embossed"])
    fpath = pick(rng, DIGIT_FONTS)
    f = font(fpath, dh * 1.36)
    b0 = f.getbbox("0")
    cap = b0[3] - b0[1]
    f = font(fpath, dh * 1.36 * dh / cap)
    b0 = f.getbbox("0")
    cw = max(f.getlength(str(d)) for d in range(10)) * u(rng, 1.05, 1.45)
    n = len(integer) + len(fraction)
    sep = cw * 0.45 if fraction else 0
    pad_x, pad_y = cw * u(rng, 0.3, 0.7), dh * u(rng, 0.25, 0.55)
    W = int(2 * pad_x + cw * n + sep)
    H = int(2 * pad_y + dh)
    tags = []
    if mode == "dark_rect":
        bg = pick(rng, [(18, 18, 20), (20, 30, 70), (40, 40, 45), (10, 40, 30)])
        fg = pick(rng, [(235, 235, 230), (245, 240, 220)])
        img = Image.new("RGBA", (W, H), bg + (255,))
    else:
        base = np.array(pick(rng, [(180, 182, 185), (190, 165, 110), (160, 162, 165)]), np.float32)
        nz = value_noise(rng, H, W, 3, 2) * 0.5 + value_noise(rng, H, W * 8, 200, 1)[:, ::8] * 0.3
        # brushed metal: horizontal streaks
        streak = rng.standard_normal((H, 1)).astype(np.float32) * 0.03
        arr = base[None, None] * (1 + 0.06 * nz[..., None] + streak[..., None])
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB").convert("RGBA")
        tags.append("embossed")
    dr = ImageDraw.Draw(img)
    red = pick(rng, RED_DRUMS)
    if mode != "dark_rect":
        core = rgb(base * u(rng, 0.7, 0.9))
        red_core = rgb(np.array(red, float) * 0.9) if chance(rng, 0.6) else core
    digits = integer + fraction
    x = pad_x
    y = pad_y - b0[1]
    off = max(1, dh * 0.035)
    for i, ch in enumerate(digits):
        isf = i >= len(integer)
        if isf and i == len(integer):
            if mode == "dark_rect":
                dr.text((x + cw * 0.02, y), ",", font=f, fill=fg + (255,))
            else:
                dr.text((x + cw * 0.02 - off, y - off), ",", font=f, fill=(245, 245, 240, 255))
                dr.text((x + cw * 0.02 + off, y + off), ",", font=f, fill=(40, 40, 40, 255))
                dr.text((x + cw * 0.02, y), ",", font=f, fill=core + (255,))
            x += sep
            if mode == "dark_rect" and chance(rng, 0.6):
                dr.rectangle([x - cw * 0.08, 0, W, H], fill=red + (255,))
        bb = f.getbbox(ch)
        gx = x + (cw - (bb[2] - bb[0])) / 2 - bb[0]
        if mode == "dark_rect":
            if chance(rng, 0.25) and not isf:
                dr.line([(x + cw, pad_y * 0.4), (x + cw, H - pad_y * 0.4)], fill=(90, 90, 90, 255), width=max(1, int(cw * 0.03)))
            dr.text((gx, y), ch, font=f, fill=(fg if not (isf and chance(rng, 0.0)) else red) + (255,))
        else:
            dr.text((gx - off, y - off), ch, font=f, fill=(245, 245, 240, 255))
            dr.text((gx + off, y + off), ch, font=f, fill=(40, 40, 40, 255))
            dr.text((gx, y), ch, font=f, fill=(red_core if isf else core) + (255,))
        x += cw
    if mode == "embossed":
        img = img.filter(ImageFilter.GaussianBlur(max(0.5, dh * 0.015)))
    bbox = (pad_x, pad_y, x, pad_y + dh)
    return img, bbox, {"font": fpath, "tags": tags, "mode": mode}
