"""Place a meter face into a photo: background, props (pipes/cables), perspective warp,
drop shadow, glare, uneven light."""
import math
import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from util import pick, u, chance, rgb, value_noise, font, TEXT_FONTS, BOLD_FONTS
import textures


def rot_matrix(roll, tx, ty):
    cz, sz = math.cos(roll), math.sin(roll)
    cx, sx = math.cos(tx), math.sin(tx)
    cy, sy = math.cos(ty), math.sin(ty)
    Rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    Rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    Ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    return Rz @ Rx @ Ry


def homography(face_c, k, roll, tx, ty, fpx, center, depth=0.0):
    """Plane (face px) -> image px.  depth (face px) moves the plane away from the camera."""
    R = rot_matrix(roll, tx, ty)
    S = np.array([[k, 0, -k * face_c[0]], [0, k, -k * face_c[1]], [0, 0, 1.0]])
    Rt = np.column_stack([R[:, 0], R[:, 1], np.array([0, 0, fpx]) + R[:, 2] * depth * k])
    K = np.array([[fpx, 0, center[0]], [0, fpx, center[1]], [0, 0, 1.0]])
    return K @ Rt @ S


def apply_h(H, pts):
    p = np.column_stack([np.asarray(pts, float), np.ones(len(pts))]) @ H.T
    return p[:, :2] / p[:, 2:3]


def warp(layer, Hl, size):
    """Warp RGBA layer (its px -> image px by Hl) into an image of size (W,H).
    Only the bounding box of the projected layer is computed.
    Returns (x0, y0, premultiplied rgb, alpha) or None if outside."""
    W, H = size
    lw, lh = layer.size
    c = apply_h(Hl, [(0, 0), (lw, 0), (lw, lh), (0, lh)])
    x0 = max(0, int(math.floor(c[:, 0].min())) - 2)
    y0 = max(0, int(math.floor(c[:, 1].min())) - 2)
    x1 = min(W, int(math.ceil(c[:, 0].max())) + 2)
    y1 = min(H, int(math.ceil(c[:, 1].max())) + 2)
    if x1 <= x0 or y1 <= y0:
        return None
    T = np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1.0]])
    inv = np.linalg.inv(Hl) @ T
    inv = inv / inv[2, 2]
    data = tuple(inv.flatten()[:8])
    pm = layer.convert("RGBa")
    out = pm.transform((x1 - x0, y1 - y0), Image.PERSPECTIVE, data, resample=Image.BICUBIC, fillcolor=(0, 0, 0, 0))
    a = np.asarray(out, np.float32) / 255.0
    return x0, y0, a[..., :3], a[..., 3:4]


def over(acc, wp):
    if wp is None:
        return acc
    x0, y0, rgbp, a = wp
    h, w = a.shape[:2]
    reg = acc[y0:y0 + h, x0:x0 + w]
    acc[y0:y0 + h, x0:x0 + w] = reg * (1 - a) + rgbp
    return acc


def pipe_profile(length, diam, color, rng, kind="h"):
    """RGBA image of a shaded cylinder (horizontal)."""
    d = max(4, int(diam))
    L = max(4, int(length))
    y = (np.arange(d, dtype=np.float32) + 0.5) / d * 2 - 1
    n = np.sqrt(np.clip(1 - y * y, 0, 1))
    light = 0.35 + 0.65 * n ** 0.8 + 0.25 * np.exp(-((y + 0.35) / 0.15) ** 2)
    col = np.array(color, np.float32)[None, :] * light[:, None]
    arr = np.repeat(col[:, None, :], L, axis=1)
    noise = 1 + 0.04 * value_noise(rng, d, L, max(8, d / 2), 2)
    arr = arr * noise[..., None]
    alpha = np.full((d, L, 1), 255, np.float32)
    return Image.fromarray(np.clip(np.concatenate([arr, alpha], 2), 0, 255).astype(np.uint8), "RGBA")


PIPE_COLORS = [(184, 115, 70), (170, 140, 80), (150, 152, 155), (230, 230, 225), (60, 60, 62), (120, 120, 115)]


def props_layers(rng, meter, Fw, Fh):
    """Layers (RGBA, 3x3 matrix layer px -> face px) drawn behind the face."""
    layers = []
    kind = meter["props"]
    s = 0.35  # draw props at reduced resolution
    if kind == "pipe_h":
        diam = Fh * u(rng, 0.22, 0.38) if meter["shape"] == "round" else Fh * u(rng, 0.12, 0.2)
        col = pick(rng, PIPE_COLORS)
        L = Fw * 6
        img = pipe_profile(L * s, diam * s, col, rng)
        cy = Fh * (0.5 if meter["shape"] == "round" else u(rng, 0.6, 1.1))
        M = np.array([[1 / s, 0, -2.5 * Fw], [0, 1 / s, cy - diam / 2], [0, 0, 1]])
        layers.append((img, M))
        if meter["shape"] == "round":
            # brass meter body and union nuts
            bcol = pick(rng, [(175, 135, 70), (40, 75, 150), (150, 150, 150), (30, 30, 32)])
            bh = diam * 1.35
            body = pipe_profile(Fw * 1.5 * s, bh * s, bcol, rng)
            layers.append((body, np.array([[1 / s, 0, -0.25 * Fw], [0, 1 / s, Fh / 2 - bh / 2], [0, 0, 1]])))
            nut = pipe_profile(diam * 0.9 * s, diam * 1.25 * s, (185, 150, 80), rng)
            for xn in (-0.42 * Fw, 1.42 * Fw - diam * 0.9):
                layers.append((nut, np.array([[1 / s, 0, xn], [0, 1 / s, Fh / 2 - diam * 0.625], [0, 0, 1]])))
    elif kind == "pipe_v":
        diam = Fw * u(rng, 0.07, 0.12)
        col = pick(rng, PIPE_COLORS)
        L = Fh * 4
        img = pipe_profile(L * s, diam * s, col, rng).transpose(Image.ROTATE_90)
        for xf in (u(rng, 0.15, 0.3), u(rng, 0.7, 0.85)):
            M = np.array([[1 / s, 0, Fw * xf - diam / 2], [0, 1 / s, -L + Fh * 0.1], [0, 0, 1]])
            layers.append((img, M))
    elif kind == "cables":
        n = int(rng.integers(2, 6))
        PW, PH = int(Fw * 2.2 * s), int(Fh * 2.6 * s)
        img = Image.new("RGBA", (PW, PH), (0, 0, 0, 0))
        dr = ImageDraw.Draw(img)
        ox = Fw * 0.6 * s
        for i in range(n):
            diam = Fw * u(rng, 0.025, 0.05) * s
            col = np.array(pick(rng, [(40, 40, 42), (90, 90, 95), (30, 60, 140), (110, 70, 40), (200, 200, 195), (60, 110, 60)]), float)
            x0 = ox + Fw * s * ((i + 1) / (n + 1) + u(rng, -0.04, 0.04))
            y0 = Fh * s * 0.85
            x3 = x0 + Fw * s * u(rng, -0.5, 0.5)
            y3 = PH
            c1 = (x0 + Fw * s * u(rng, -0.1, 0.1), y0 + (y3 - y0) * 0.35)
            c2 = (x3 + Fw * s * u(rng, -0.3, 0.3), y0 + (y3 - y0) * 0.6)
            pts = []
            for t in np.linspace(0, 1, 40):
                a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
                pts.append((a * x0 + b * c1[0] + c * c2[0] + d * x3, a * y0 + b * c1[1] + c * c2[1] + d * y3))
            for frac, shade in ((1.0, 0.55), (0.75, 0.85), (0.4, 1.05), (0.15, 1.4)):
                w = max(1, int(diam * frac))
                off = diam * (1 - frac) * 0.3
                dr.line([(x - off, y) for x, y in pts], fill=rgb(np.minimum(col * shade + (15 if shade > 1.2 else 0), 255)) + (255,), width=w, joint="curve")
        M = np.array([[1 / s, 0, -ox / s], [0, 1 / s, 0], [0, 0, 1]])
        layers.append((img, M))
    return layers


LABEL_LINES = ["Zählerschrank", "Hauptschalter", "Achtung! 230 V", "Wasser", "Heizung Vorlauf", "Heizung Rücklauf",
               "Wohnung 3 OG links", "Keller 12", "Nicht öffnen", "Prüfdatum 03/2021", "Tel. 0800 123 456",
               "Absperrung", "Gas", "Notfall", "Sicherung F3", "Stromkreis 4", "Kaltwasser", "Warmwasser"]


def label_face(rng, W):
    """A sticker / sign that is not a meter (for not_a_meter photos)."""
    H = int(W * u(rng, 0.4, 0.9))
    bg = pick(rng, [(245, 245, 240), (250, 220, 40), (240, 240, 240), (40, 90, 170), (220, 40, 40)])
    img = Image.new("RGBA", (W, H), bg + (255,))
    dr = ImageDraw.Draw(img)
    ink = (20, 20, 20) if sum(bg) > 400 else (245, 245, 245)
    y = H * 0.1
    for i in range(int(rng.integers(1, 4))):
        f = font(pick(rng, BOLD_FONTS if i == 0 else TEXT_FONTS), H * (0.16 if i == 0 else 0.09))
        t = pick(rng, LABEL_LINES)
        if f.getlength(t) < W * 0.9:
            dr.text((W * 0.06, y), t, font=f, fill=ink)
        y += f.size * 1.4
    dr.rectangle([2, 2, W - 3, H - 3], outline=ink, width=max(2, int(W * 0.006)))
    return {"face": img, "counter_bbox": (W * 0.4, H * 0.4, W * 0.6, H * 0.6), "shape": "rect",
            "glass": (0, 0, W, H), "props": None, "tags": [], "body": bg}


def lighting(rng, H, W, strength=1.0, flash=False):
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    nx, ny = xx / W - 0.5, yy / H - 0.5
    a = u(rng, 0, 2 * math.pi)
    g = u(rng, 0.05, 0.35) * strength
    L = 1 + g * (nx * math.cos(a) + ny * math.sin(a)) * 2
    cx, cy = u(rng, -0.12, 0.12), u(rng, -0.12, 0.12)
    r2 = ((nx - cx) ** 2 * W * W + (ny - cy) ** 2 * H * H) / (0.25 * (W * W + H * H))
    v = u(rng, 0.04, 0.2) if not flash else u(rng, 0.2, 0.4)
    L = L * (1 - v * np.clip(r2, 0, 1.6) ** 1.3)
    ln = value_noise(rng, H // 8 + 2, W // 8 + 2, 12, 2)
    L = L * (1 + 0.03 * np.asarray(Image.fromarray(ln, "F").resize((W, H), Image.BILINEAR), np.float32))
    return np.clip(L, 0.05, 2.0)


def cast_shadow(rng, H, W):
    """Soft shadow of a hand / phone / door edge: darkened region with a wavy soft edge."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    a = u(rng, 0, 2 * math.pi)
    d = (xx - W / 2) * math.cos(a) + (yy - H / 2) * math.sin(a)
    off = u(rng, 0.2, 0.5) * max(W, H)
    wav = value_noise(rng, H, W, max(W, H) / 2, 1) * 0.05 * max(W, H)
    soft = u(rng, 0.015, 0.06) * max(W, H)
    m = np.clip((d - off + wav) / soft + 0.5, 0, 1)
    return 1 - u(rng, 0.2, 0.45) * m


def glare_field(rng, H, W, pt, r, aspect, ang, strength):
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    dx, dy = xx - pt[0], yy - pt[1]
    ca, sa = math.cos(ang), math.sin(ang)
    a = (dx * ca + dy * sa) / r
    b = (-dx * sa + dy * ca) / (r * aspect)
    d2 = a * a + b * b
    core = np.clip(1.6 - d2 * 1.2, 0, 1) ** 0.7
    halo = np.exp(-d2 / 3.0) * 0.35
    return strength * np.clip(core + halo, 0, 1.2)


def finger(rng, acc, info_quad):
    H, W = acc.shape[:2]
    side = int(rng.integers(4))
    r = u(rng, 0.12, 0.22) * min(W, H)
    t = u(rng, 0.1, 0.9)
    if side == 0:
        c = (t * W, -r * u(rng, 0.2, 0.6))
    elif side == 1:
        c = (t * W, H + r * u(rng, 0.2, 0.6))
    elif side == 2:
        c = (-r * u(rng, 0.2, 0.6), t * H)
    else:
        c = (W + r * u(rng, 0.2, 0.6), t * H)
    d = np.hypot(info_quad[:, 0] - c[0], info_quad[:, 1] - c[1]).min()
    if d < r * 1.6:
        return acc, False
    m = Image.new("L", (W, H), 0)
    # finger tip: elongated perpendicular to the frame edge it enters from
    rx, ry = (r * 0.8, r * 1.6) if side < 2 else (r * 1.6, r * 0.8)
    ImageDraw.Draw(m).ellipse([c[0] - rx, c[1] - ry, c[0] + rx, c[1] + ry], fill=255)
    m = np.asarray(m.filter(ImageFilter.GaussianBlur(r * 0.3)), np.float32)[..., None] / 255
    skin = np.array(pick(rng, [(225, 170, 145), (205, 150, 120), (235, 190, 165), (170, 120, 90)]), np.float32) / 255
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    shade = np.clip(1 - np.hypot(xx - c[0], yy - c[1]) / (r * 2.5), 0.3, 1)[..., None]
    return acc * (1 - m) + (skin * 0.8 * shade) * m, True


def compose(rng, W, H, meter, frac_w, mode="readable"):
    """Render the upright photo as float RGB (H,W,3). Returns (img, info)."""
    s = max(W, H) / 1600.0
    roll = math.radians(float(np.clip(rng.normal(0, 6), -15, 15)))
    tx = math.radians(float(np.clip(rng.normal(0, 6), -18, 18)))
    ty = math.radians(float(np.clip(rng.normal(0, 6), -18, 18)))
    bgpref = None
    if meter["props"] == "cables" and chance(rng, 0.6):
        bgpref = [textures.cabinet, textures.wall]
    bg, bgkind = textures.background(rng, H, W, s * u(rng, 0.6, 1.3), roll + math.radians(u(rng, -3, 3)), bgpref)
    face = meter["face"]
    Fw, Fh = face.size
    fw = frac_w * W
    k = fw / Fw
    fpx = u(rng, 0.75, 1.1) * max(W, H)
    cb = meter["counter_bbox"]
    cpts = [(cb[0], cb[1]), (cb[2], cb[1]), (cb[2], cb[3]), (cb[0], cb[3])]
    face_c = (Fw / 2, Fh / 2)
    best = None
    for attempt in range(200):
        if mode == "cut_off":
            side = int(rng.integers(4))
            center = [u(rng, 0.3, 0.7) * W, u(rng, 0.3, 0.7) * H]
        else:
            center = [u(rng, 0.22, 0.78) * W, u(rng, 0.22, 0.78) * H]
        if mode == "cut_off":
            # shift so that the counter straddles one frame edge
            Hm = homography(face_c, k, roll, tx, ty, fpx, center)
            cp = apply_h(Hm, cpts)
            ccx, ccy = cp[:, 0].mean(), cp[:, 1].mean()
            cw = cp[:, 0].max() - cp[:, 0].min()
            ch = cp[:, 1].max() - cp[:, 1].min()
            if side == 0:
                center[0] += (0 - ccx) + cw * u(rng, -0.1, 0.15)
            elif side == 1:
                center[0] += (W - ccx) + cw * u(rng, -0.15, 0.1)
            elif side == 2:
                center[1] += (0 - ccy) + ch * u(rng, 0.0, 0.1)
            else:
                center[1] += (H - ccy) + ch * u(rng, -0.1, 0.0)
        Hm = homography(face_c, k, roll, tx, ty, fpx, center)
        cp = apply_h(Hm, cpts)
        mg = 0.03 * min(W, H)
        inside = (cp[:, 0].min() > mg and cp[:, 0].max() < W - mg and cp[:, 1].min() > mg and cp[:, 1].max() < H - mg)
        if mode == "cut_off":
            # at least ~35% of the counter width/height outside the frame
            out_frac = max(-cp[:, 0].min(), cp[:, 0].max() - W, 0) / (cp[:, 0].max() - cp[:, 0].min())
            out_frac_y = max(-cp[:, 1].min(), cp[:, 1].max() - H, 0) / (cp[:, 1].max() - cp[:, 1].min())
            if out_frac > 0.3 or out_frac_y > 0.35:
                best = (Hm, center)
                break
        elif inside:
            best = (Hm, center)
            break
        if attempt % 20 == 19:  # shrink a bit if it does not fit
            k *= 0.93
            frac_w *= 0.93
    if best is None:
        raise RuntimeError("placement failed")
    Hm, center = best
    # layers: props then face (face pre-downscaled so the warp is ~1:1)
    depth = Fw * u(rng, 0.06, 0.16)
    props = props_layers(rng, meter, Fw, Fh)
    ks = min(1.0, k * 1.05)
    small = face.resize((max(1, int(Fw * ks)), max(1, int(Fh * ks))), Image.LANCZOS)
    Ms = np.array([[Fw / small.width, 0, 0], [0, Fh / small.height, 0], [0, 0, 1]])
    Hd = homography(face_c, k, roll, tx, ty, fpx, center, depth)
    warped = [warp(img, Hd @ M, (W, H)) for img, M in props]
    # housing thickness: silhouette slices between the back plane and the face
    side = np.array(meter["body"], np.float32) * u(rng, 0.45, 0.7)
    sil = np.zeros((small.height, small.width, 4), np.uint8)
    sil[..., :3] = np.clip(side, 0, 255).astype(np.uint8)
    sil[..., 3] = np.asarray(small)[..., 3]
    sil = Image.fromarray(sil, "RGBA")
    nsl = 5
    for j in range(nsl):
        dj = depth * (1 - j / nsl)
        shade = 0.75 + 0.25 * j / nsl
        sl = sil if j == nsl - 1 else Image.fromarray((np.asarray(sil, np.float32) * [shade, shade, shade, 1]).astype(np.uint8), "RGBA")
        warped.append(warp(sl, homography(face_c, k, roll, tx, ty, fpx, center, dj) @ Ms, (W, H)))
    warped.append(warp(small, Hm @ Ms, (W, H)))
    acc = bg.copy()
    alpha_all = np.zeros((H, W, 1), np.float32)
    for wp in warped:
        if wp is not None:
            x0, y0, _, a = wp
            reg = alpha_all[y0:y0 + a.shape[0], x0:x0 + a.shape[1]]
            np.maximum(reg, a, out=reg)
    # drop shadow on the wall
    sh_blur = fw * u(rng, 0.01, 0.04)
    sh = Image.fromarray((alpha_all[..., 0] * 255).astype(np.uint8), "L").filter(ImageFilter.GaussianBlur(max(1, sh_blur)))
    sdx, sdy = [int(v) for v in (fw * u(rng, -0.04, 0.04), fw * u(rng, 0.0, 0.05))]
    sh = np.asarray(sh, np.float32) / 255
    sh = np.roll(np.roll(sh, sdy, 0), sdx, 1)
    acc = acc * (1 - u(rng, 0.3, 0.6) * sh[..., None])
    for wp in warped:
        acc = over(acc, wp)
    # glass glare (flash) and reflections
    tags = []
    flash = chance(rng, 0.22) and mode != "dark"
    info = {"H": Hm, "k": k, "roll": roll, "tx": tx, "ty": ty, "bg": bgkind, "center": center}
    if flash:
        gx0, gy0, gx1, gy1 = meter["glass"]
        r_face = (gx1 - gx0) * u(rng, 0.04, 0.1)
        pt = None
        for _ in range(40):
            p = (u(rng, gx0, gx1), u(rng, gy0, gy1))
            if meter["shape"] == "round" and math.hypot(p[0] - (gx0 + gx1) / 2, p[1] - (gy0 + gy1) / 2) > (gx1 - gx0) / 2 * 0.9:
                continue
            dx = max(cb[0] - p[0], 0, p[0] - cb[2])
            dy = max(cb[1] - p[1], 0, p[1] - cb[3])
            if math.hypot(dx, dy) > r_face * 2.6:
                pt = p
                break
        if pt is not None:
            ip = apply_h(Hm, [pt])[0]
            g = glare_field(rng, H, W, ip, r_face * k, u(rng, 0.5, 1.0), u(rng, 0, math.pi), u(rng, 0.7, 1.0))
            acc = acc + (1.05 - acc) * np.clip(g, 0, 1)[..., None]
            tags.append("glare")
    # a finger tip sneaking into a corner of the frame (never over the counter)
    if chance(rng, 0.06) and mode == "readable":
        acc, ok = finger(rng, acc, info_quad=apply_h(Hm, cpts))
        if ok:
            tags.append("finger")
    # lighting
    L = lighting(rng, H, W, 1.0, flash)
    if chance(rng, 0.25):
        L = L * cast_shadow(rng, H, W)
        tags.append("shadow")
    acc = acc * L[..., None]
    # white balance
    t = u(rng, -0.6, 1.0)  # mostly warm indoor light, sometimes cool
    wb = np.array([1 + 0.07 * t, 1 + u(rng, -0.015, 0.015), 1 - 0.09 * t], np.float32)
    acc = acc * wb[None, None] * u(rng, 0.85, 1.12)
    info["tags"] = tags
    info["counter_img"] = apply_h(Hm, cpts)
    ci = info["counter_img"]
    info["digit_px"] = float(min(np.hypot(*(ci[3] - ci[0])), np.hypot(*(ci[2] - ci[1]))))
    return acc.astype(np.float32), info


def compose_empty(rng, W, H):
    """not_a_meter: wall/cabinet with maybe a label sticker."""
    s = max(W, H) / 1600.0
    roll = math.radians(float(np.clip(rng.normal(0, 5), -12, 12)))
    bg, kind = textures.background(rng, H, W, s * u(rng, 0.6, 1.3), roll)
    acc = bg
    if chance(rng, 0.7):
        lab = label_face(rng, int(W * u(rng, 0.3, 0.6) * 1.5))
        Fw, Fh = lab["face"].size
        k = 1 / 1.5
        Hm = homography((Fw / 2, Fh / 2), k, roll, math.radians(u(rng, -10, 10)), math.radians(u(rng, -10, 10)),
                        max(W, H), (u(rng, 0.3, 0.7) * W, u(rng, 0.3, 0.7) * H))
        acc = over(acc.copy(), warp(lab["face"], Hm, (W, H)))
    acc = acc * lighting(rng, H, W)[..., None]
    return acc.astype(np.float32), {"bg": kind, "tags": []}
