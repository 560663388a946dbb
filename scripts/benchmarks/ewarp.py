#!/usr/bin/python3
"""E_warp (Lai et al., ECCV 2018) of a frame sequence against a clip's true flow: for k >= 2,
sum_x M(x) ||O_k(x) - O_{k-1}(x + flow_k(x))||^2 / sum_x M(x), the squared norm over RGB in
[0,1], M the clip's valid_k mask, the sampling bilinear (numpy, independent of the project's warp
op). Prints the mean over the frame pairs.

Usage: scripts/benchmarks/ewarp.py CLIPDIR FRAMES_PATTERN [--per-frame]
  CLIPDIR         made by scripts/make-video-clips (flow_%05d.flo, valid_%05d.png)
  FRAMES_PATTERN  e.g. out/%05d.png (numbered from 1, same size as the clip)
"""
import os
import struct
import sys

import numpy as np
from PIL import Image


def read_flo(path):
    with open(path, "rb") as f:
        magic, w, h = struct.unpack("<fii", f.read(12))
        if magic != 202021.25:
            raise SystemExit("%s: not a Middlebury .flo file" % path)
        return np.frombuffer(f.read(), "<f4").reshape(h, w, 2).astype(np.float64)


def load_rgb(path):
    return np.asarray(Image.open(path).convert("RGB"), np.float64) / 255.0


def warp(img, flow):
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    x = np.clip(xx + flow[..., 0], 0, w - 1)
    y = np.clip(yy + flow[..., 1], 0, h - 1)
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    fx, fy = (x - x0)[..., None], (y - y0)[..., None]
    top = img[y0, x0] * (1 - fx) + img[y0, x1] * fx
    bottom = img[y1, x0] * (1 - fx) + img[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def ewarp(clip, pattern):
    values = []
    k = 2
    while os.path.exists(os.path.join(clip, "flow_%05d.flo" % k)) and os.path.exists(pattern % k):
        flow = read_flo(os.path.join(clip, "flow_%05d.flo" % k))
        m = np.asarray(Image.open(os.path.join(clip, "valid_%05d.png" % k))) > 127
        cur, prev = load_rgb(pattern % k), load_rgb(pattern % (k - 1))
        if cur.shape[:2] != flow.shape[:2]:
            raise SystemExit("%s is %dx%d, the clip %dx%d" % (pattern % k, cur.shape[1], cur.shape[0], flow.shape[1], flow.shape[0]))
        d = ((cur - warp(prev, flow)) ** 2).sum(-1)
        values.append(d[m].sum() / max(m.sum(), 1))
        k += 1
    if not values:
        raise SystemExit("no frame pairs: %s with %s" % (clip, pattern))
    return values


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    v = ewarp(sys.argv[1], sys.argv[2])
    if "--per-frame" in sys.argv:
        for i, x in enumerate(v):
            print("%d %.6f" % (i + 2, x))
    print("%.6f" % (sum(v) / len(v)))
