"""Shared helpers for the Python tests: data folder, a tiny test runner, image readers.

Each test file calls run(globals()) which runs its test_* functions in order, prints one
line per test and exits non-zero when one fails. A file that needs the real data calls
require_data() first: when the data folder is absent it prints "skipped: no data" and
exits 0 (ctest reports it as skipped); when present, every wrong file is a failure.
"""

import atexit
import hashlib
import os
import shutil
import subprocess
import struct
import sys
import tempfile
import time
import traceback
import zlib

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONVERT = os.path.join(REPO, "weights", "convert")
sys.path.insert(0, CONVERT)


def data_dir():
    return os.environ.get("DEPTHSTYLE_DATA") or os.path.join(REPO, "..", "shared", "data")


def require_data():
    d = data_dir()
    if not os.path.isdir(d):
        print("skipped: no data (%s is absent; set DEPTHSTYLE_DATA)" % d)
        sys.exit(0)
    return d


def data_file(rel):
    """Path of a file in the data folder; fails (not skips) when the folder exists but the file does not."""
    p = os.path.join(data_dir(), rel)
    if not os.path.exists(p):
        raise AssertionError("data file missing: %s" % p)
    return p


def check_known(rel):
    """Checks size and sha256 of a data file listed in known.py; returns its path."""
    import known
    p = data_file(rel)
    size, digest = known.FILES[rel]
    got = os.path.getsize(p)
    assert got == size, "%s: %d bytes, expected %d" % (p, got, size)
    h = hashlib.sha256(open(p, "rb").read()).hexdigest()
    assert h == digest, "%s: sha256 %s, expected %s" % (p, h, digest)
    return p


def convert(*args, ok=True):
    """Runs weights/convert/convert.py; asserts success (or failure when ok=False)."""
    cmd = [sys.executable, os.path.join(CONVERT, "convert.py")] + [str(a) for a in args]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if (r.returncode == 0) != ok:
        raise AssertionError("convert.py %s: exit %d, expected %s\n%s%s"
                             % (" ".join(map(str, args)), r.returncode, "success" if ok else "failure",
                                r.stdout, r.stderr))
    return r


def known_digest(rel):
    import known
    return known.FILES[rel][1]


def tmpdir():
    """A temporary folder removed when the test process exits."""
    d = tempfile.mkdtemp(prefix="ds_pytest_")
    atexit.register(shutil.rmtree, d, True)
    return d


def run(namespace):
    tests = [(n, f) for n, f in namespace.items() if n.startswith("test_") and callable(f)]
    failed = 0
    for name, fn in tests:
        t0 = time.time()
        try:
            fn()
            print("PASS %s (%.2f s)" % (name, time.time() - t0))
        except Exception:  # noqa: BLE001 - report every failure
            failed += 1
            print("FAIL %s (%.2f s)" % (name, time.time() - t0))
            traceback.print_exc()
        sys.stdout.flush()
    print("%d of %d tests failed" % (failed, len(tests)) if failed else "all %d tests passed" % len(tests))
    sys.stdout.flush()
    sys.exit(1 if failed else 0)


def assert_raises(exc_types, fn, *args, contains=()):
    try:
        fn(*args)
    except exc_types as e:
        msg = str(e)
        for c in contains:
            assert c in msg, "error message %r lacks %r" % (msg, c)
        return msg
    raise AssertionError("%s did not raise %s" % (getattr(fn, "__name__", fn), exc_types))


# ---- images ---------------------------------------------------------------------------
def read_pnm(path):
    """Binary PPM (P6) -> uint8 [H, W, 3]; binary PGM (P5) -> uint8 or raw uint16 [H, W].

    16-bit samples are returned as stored bytes read little-endian (the NYU file in the data
    folder stores them little-endian, see the data README)."""
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    pos += 1  # exactly one whitespace byte before the samples
    magic, w, h, maxval = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    ch = {b"P6": 3, b"P5": 1}[magic]
    dt = np.dtype("u1") if maxval < 256 else np.dtype("<u2")
    a = np.frombuffer(data, dt, w * h * ch, pos).reshape(h, w, ch)
    return a if ch == 3 else a[:, :, 0]


def read_png(path):
    """8-bit RGB / RGBA / gray non-interlaced PNG -> uint8 [H, W, C]."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat = 8, []
    while pos < len(data):
        n, kind = struct.unpack_from(">I4s", data, pos)
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    assert depth == 8 and interlace == 0 and ctype in (0, 2, 6), (path, depth, ctype, interlace)
    bpp = {0: 1, 2: 3, 6: 4}[ctype]
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    out = np.zeros((h, stride), np.uint8)
    prev = np.zeros(stride, np.int32)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        if f == 0:
            cur = line
        elif f == 1:
            cur = np.cumsum(line.reshape(w, bpp), axis=0).reshape(-1) & 255
        elif f == 2:
            cur = (line + prev) & 255
        else:
            cur = line.tolist()
            up = prev.tolist()
            for i in range(stride):
                a = cur[i - bpp] if i >= bpp else 0
                b = up[i]
                if f == 3:
                    cur[i] = (cur[i] + ((a + b) >> 1)) & 255
                else:
                    c = up[i - bpp] if i >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                    cur[i] = (cur[i] + pred) & 255
            cur = np.array(cur, np.int32)
        out[y] = cur
        prev = cur
    return out.reshape(h, w, bpp)


def resize_bilinear(img, h, w):
    """[H, W, C] float -> [h, w, C], half-pixel centres, edge clamped (no antialiasing)."""
    H, W = img.shape[:2]
    ys = np.clip((np.arange(h) + 0.5) * H / h - 0.5, 0, H - 1)
    xs = np.clip((np.arange(w) + 0.5) * W / w - 0.5, 0, W - 1)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, H - 1), np.minimum(x0 + 1, W - 1)
    fy, fx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    img = img.astype(np.float32)
    top = img[y0][:, x0] * (1 - fx) + img[y0][:, x1] * fx
    bot = img[y1][:, x0] * (1 - fx) + img[y1][:, x1] * fx
    return top * (1 - fy) + bot * fy
