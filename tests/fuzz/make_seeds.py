#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/CMakeLists.txt): small valid files of
every kind each reader accepts, made here from formulas so that nothing binary is committed.

Usage: make_seeds.py OUT   -> OUT/<target>/<seed file>, one folder per fuzz target.

PNG, PNM and JPEG are written by the small encoders below (the JPEG one is baseline with
fixed-length Huffman codes, which the standard allows); the HDF5 files by h5py, in the layouts
weights/h5.cpp and weights/depth_io.cpp read, contiguous and chunked+gzip, old and new format.
"""

import os
import struct
import sys
import zlib

import h5py
import numpy as np


def picture(h, w, c):
    """A deterministic uint8 test picture [h, w, c]: gradients plus a checker pattern."""
    y, x = np.mgrid[0:h, 0:w]
    planes = [(x * 255 // max(w - 1, 1)), (y * 255 // max(h - 1, 1)), ((x // 2 + y // 2) % 2) * 200 + 20]
    return np.stack(planes[:c] if c > 1 else [planes[0] // 2 + planes[2] // 2], axis=-1).astype(np.uint8)


# ---- PNG ----------------------------------------------------------------------------------
def png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_filter_rows(rows, bpp):
    """Encodes each row with filter type (row index mod 5): none, sub, up, average, Paeth."""
    out, prev = b"", np.zeros_like(rows[0]) if len(rows) else None
    for i, row in enumerate(rows):
        a = np.concatenate([np.zeros(bpp, np.int32), row[:-bpp].astype(np.int32)]) if len(row) else row
        b, c = prev.astype(np.int32), np.concatenate([np.zeros(bpp, np.int32), prev[:-bpp].astype(np.int32)])
        r, kind = row.astype(np.int32), i % 5
        if kind == 0:
            f = r
        elif kind == 1:
            f = r - a
        elif kind == 2:
            f = r - b
        elif kind == 3:
            f = r - (a + b) // 2
        else:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            f = r - np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
        out += bytes([kind]) + (f & 255).astype(np.uint8).tobytes()
        prev = row
    return out


def png(pixels, bits, colour, interlace=False, palette=None):
    """PNG bytes of pixels [h, w, channels] (uint8 or uint16), big-endian samples."""
    h, w = pixels.shape[:2]
    samples = pixels.astype(">u2" if bits == 16 else np.uint8)
    bpp = max(1, samples.shape[2] * samples.dtype.itemsize)

    def rows_of(img):
        return [np.frombuffer(img[y].tobytes(), np.uint8) for y in range(img.shape[0])] if img.shape[1] else []

    if interlace:  # Adam7: seven passes, each a small image of its own
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        raw = b"".join(png_filter_rows(rows_of(samples[y0::dy, x0::dx]), bpp) for x0, y0, dx, dy in passes)
    else:
        raw = png_filter_rows(rows_of(samples), bpp)
    ihdr = struct.pack(">IIBBBBB", w, h, bits, colour, 0, 0, 1 if interlace else 0)
    extra = png_chunk(b"PLTE", palette) if palette is not None else b""
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + extra + png_chunk(b"IDAT", zlib.compress(raw, 9)) +
            png_chunk(b"IEND", b""))


# ---- PNM ----------------------------------------------------------------------------------
def pnm(pixels, maxval, binary=True, little_endian=False):
    """P5/P6 (binary) or P2/P3 (text) with a comment; 16-bit binary samples big-endian unless asked."""
    h, w, c = pixels.shape
    magic = {(1, True): b"P5", (3, True): b"P6", (1, False): b"P2", (3, False): b"P3"}[(c, binary)]
    head = magic + b"\n# depthstyle fuzz seed\n%d %d\n%d\n" % (w, h, maxval)
    if not binary:
        return head + b"\n".join(b" ".join(b"%d" % v for v in row.ravel()) for row in pixels) + b"\n"
    if maxval < 256:
        return head + pixels.astype(np.uint8).tobytes()
    return head + pixels.astype("<u2" if little_endian else ">u2").tobytes()


# ---- JPEG (baseline, fixed-length Huffman codes) -----------------------------------------
ZIGZAG = [(i, s - i) for s in range(15) for i in (range(8) if s % 2 else reversed(range(8))) if 0 <= s - i < 8]
DCT = np.array([[(np.sqrt(0.5) if u == 0 else 1.0) / 2 * np.cos((2 * x + 1) * u * np.pi / 16) for x in range(8)]
                for u in range(8)])
QUANT = np.array([[8 + 2 * (u + v) for v in range(8)] for u in range(8)])
DC_SYMBOLS = list(range(12))  # difference categories 0..11, all with 4-bit codes
AC_SYMBOLS = [0x00, 0xF0] + [(r << 4) | s for r in range(16) for s in range(1, 11)]  # 162 symbols, 8-bit codes


class BitWriter:
    def __init__(self):
        self.out, self.acc, self.n = bytearray(), 0, 0

    def put(self, value, bits):
        for i in reversed(range(bits)):
            self.acc, self.n = (self.acc << 1) | ((value >> i) & 1), self.n + 1
            if self.n == 8:
                self.out += bytes([self.acc]) + (b"\x00" if self.acc == 0xFF else b"")  # byte stuffing
                self.acc, self.n = 0, 0

    def flush(self):  # pad with 1 bits
        if self.n:
            self.put((1 << (8 - self.n)) - 1, 8 - self.n)


def magnitude(v):
    s = int(abs(v)).bit_length()
    return s, (v if v >= 0 else v + (1 << s) - 1)


def encode_block(bw, block, pred):
    q = np.round((DCT @ (block.astype(np.float64) - 128) @ DCT.T) / QUANT).astype(int)
    zz = [q[i, j] for i, j in ZIGZAG]
    s, bits = magnitude(zz[0] - pred)
    bw.put(DC_SYMBOLS.index(s), 4)
    bw.put(bits, s)
    run = 0
    for v in zz[1:]:
        if v == 0:
            run += 1
            continue
        while run > 15:
            bw.put(AC_SYMBOLS.index(0xF0), 8)
            run -= 16
        s, bits = magnitude(v)
        bw.put(AC_SYMBOLS.index((run << 4) | s), 8)
        bw.put(bits, s)
        run = 0
    if run:
        bw.put(AC_SYMBOLS.index(0x00), 8)
    return zz[0]


def segment(marker, body):
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def jpeg(pixels, subsample=False, restart=0):
    """Baseline JPEG of uint8 pixels [h, w, 1 or 3] (YCbCr for colour, 4:2:0 when subsample)."""
    h, w, c = pixels.shape
    p = pixels.astype(np.float64)
    if c == 3:
        r, g, b = p[..., 0], p[..., 1], p[..., 2]
        planes = [0.299 * r + 0.587 * g + 0.114 * b, 128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
                  128 + 0.5 * r - 0.418688 * g - 0.081312 * b]
        factors = [(2, 2), (1, 1), (1, 1)] if subsample else [(1, 1)] * 3
    else:
        planes, factors = [p[..., 0]], [(1, 1)]
    hmax, vmax = max(f[0] for f in factors), max(f[1] for f in factors)
    mcus_x, mcus_y = -(-w // (8 * hmax)), -(-h // (8 * vmax))
    comps = []
    for plane, (fh, fv) in zip(planes, factors):
        full = np.pad(plane, ((0, mcus_y * 8 * vmax - h), (0, mcus_x * 8 * hmax - w)), mode="edge")
        sy, sx = vmax // fv, hmax // fh  # average sy x sx pixels into one sample
        comps.append(full.reshape(full.shape[0] // sy, sy, full.shape[1] // sx, sx).mean(axis=(1, 3)).round())
    bw, preds = BitWriter(), [0] * c
    for m in range(mcus_x * mcus_y):
        if restart and m and m % restart == 0:
            bw.flush()
            bw.out += bytes([0xFF, 0xD0 + (m // restart - 1) % 8])
            preds = [0] * c
        my, mx = divmod(m, mcus_x)
        for k, (fh, fv) in enumerate(factors):
            for v in range(fv):
                for u in range(fh):
                    y0, x0 = (my * fv + v) * 8, (mx * fh + u) * 8
                    preds[k] = encode_block(bw, comps[k][y0:y0 + 8, x0:x0 + 8], preds[k])
    bw.flush()
    dht = (bytes([0x00]) + bytes(3) + bytes([len(DC_SYMBOLS)]) + bytes(12) + bytes(DC_SYMBOLS) +
           bytes([0x10]) + bytes(7) + bytes([len(AC_SYMBOLS)]) + bytes(8) + bytes(AC_SYMBOLS))
    sof = struct.pack(">BHHB", 8, h, w, c) + b"".join(bytes([k + 1, (fh << 4) | fv, 0])
                                                       for k, (fh, fv) in enumerate(factors))
    sos = bytes([c]) + b"".join(bytes([k + 1, 0x00]) for k in range(c)) + bytes([0, 63, 0])
    dqt = bytes([0]) + bytes(int(QUANT[i, j]) for i, j in ZIGZAG)
    out = b"\xff\xd8" + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00") + segment(0xDB, dqt)
    out += segment(0xC0, sof) + segment(0xC4, dht)
    if restart:
        out += segment(0xDD, struct.pack(">H", restart))
    return out + segment(0xDA, sos) + bytes(bw.out) + b"\xff\xd9"


# ---- HDF5 ---------------------------------------------------------------------------------
def h5_variants(path_base, write):
    """Calls write(f, chunked) into three files PATH_BASE{,-gzip,-latest}.h5: contiguous (default format),
    chunked+gzip+shuffle, and contiguous in the newest file format (other superblock and header versions)."""
    for suffix, chunked, libver in (("", False, "earliest"), ("-gzip", True, "earliest"), ("-latest", False, "latest")):
        with h5py.File(path_base + suffix + ".h5", "w", libver=libver) as f:
            write(f, chunked)


def dataset(f, name, data, chunked):
    extra = {"chunks": True, "compression": "gzip", "shuffle": True} if chunked else {}
    f.create_dataset(name, data=data, track_times=False, **extra)


def depth_metres(h, w):
    y, x = np.mgrid[0:h, 0:w]
    d = (0.5 + 0.1 * x + 0.05 * y).astype(np.float32)
    d[0, 0] = 0  # an invalid pixel
    return d


def write_mat(path, chunked, dtype=np.float32):
    """NYU-labeled-like .mat (MATLAB v7.3: HDF5 with a 512-byte user block): depths [frames, W, H]."""
    frames, h, w = 2, 4, 6
    with h5py.File(path, "w", userblock_size=512) as f:
        depths = np.stack([depth_metres(h, w).T * (k + 1) for k in range(frames)]).astype(dtype)
        dataset(f, "depths", depths, chunked)
        images = np.stack([picture(h, w, 3).transpose(2, 1, 0) for _ in range(frames)])  # [frames, 3, W, H]
        dataset(f, "images", images, chunked)
    with open(path, "r+b") as f:
        f.write(b"MATLAB 7.3 MAT-file, depthstyle fuzz seed".ljust(116, b" "))


def write_weights(f, chunked, fixed_strings=False):
    """A small weight file. Strings are variable-length (in the global heap) as h5py and the
    converters write them, or fixed-length, which halves the file (4.3 KB, not 8.7 KB)."""
    for k, v in {"architecture": "fuzz_seed", "format_version": np.int32(1), "channel_order": "RGB",
                 "value_scale": np.float64(1.0), "mean": np.array([0.485, 0.456, 0.406]),
                 "std": np.array([0.229, 0.224, 0.225]), "source": "make_seeds.py"}.items():
        f.attrs[k] = np.bytes_(v) if fixed_strings and isinstance(v, str) else v
    rng = np.random.default_rng(0)
    dataset(f, "conv.weight", rng.standard_normal((2, 3, 3, 3)).astype(np.float32), chunked)
    dataset(f, "conv.bias", np.array([0.1, -0.2], np.float32), chunked)
    dataset(f, "fc.weight", rng.standard_normal((4, 2)).astype(np.float32), chunked)


def main(out):
    def put(target, name, data):
        os.makedirs(os.path.join(out, target), exist_ok=True)
        with open(os.path.join(out, target, name), "wb") as f:
            f.write(data)

    grey, rgb = picture(5, 7, 1), picture(5, 7, 3)
    wide = lambda img: (img.astype(np.uint16) * 257 + 3)  # noqa: E731, 16-bit samples using the low byte too
    rgba = np.concatenate([rgb, picture(5, 7, 1)], axis=2)
    palette = bytes(v for i in range(4) for v in (i * 60, 255 - i * 60, 128))
    for name, data in {
            "grey8.png": png(grey, 8, 0), "rgb8.png": png(rgb, 8, 2), "grey16.png": png(wide(grey), 16, 0),
            "rgb16.png": png(wide(rgb), 16, 2), "rgba8.png": png(rgba, 8, 6), "grey-alpha8.png": png(rgba[..., 2:], 8, 4),
            "palette.png": png(grey % 4, 8, 3, palette=palette), "rgb8-interlaced.png": png(picture(11, 13, 3), 8, 2, True),
            "grey16-interlaced.png": png(wide(picture(9, 10, 1)), 16, 0, True)}.items():
        put("fuzz_image_png", name, data)
    for name, data in {"grey.jpg": jpeg(picture(9, 13, 1)), "rgb444.jpg": jpeg(picture(8, 16, 3)),
                       "rgb420.jpg": jpeg(picture(18, 20, 3), subsample=True),
                       "rgb420-restart.jpg": jpeg(picture(17, 33, 3), subsample=True, restart=1)}.items():
        put("fuzz_image_jpeg", name, data)
    for name, data in {"grey8.pgm": pnm(grey, 255), "rgb8.ppm": pnm(rgb, 255), "grey16.pgm": pnm(wide(grey), 65535),
                       "rgb16.ppm": pnm(wide(rgb), 65535), "grey-maxval1000.pgm": pnm(wide(grey) // 66, 1000),
                       "grey-text.pgm": pnm(grey, 255, binary=False), "rgb-text.ppm": pnm(rgb, 255, binary=False)}.items():
        put("fuzz_image_pnm", name, data)

    mm = (depth_metres(4, 6) * 1000).astype(np.uint16)[..., None]
    put("fuzz_depth_png", "mm16.png", png(mm, 16, 0))
    put("fuzz_depth_png", "mm16-interlaced.png", png(np.tile(mm, (3, 2, 1)), 16, 0, True))
    raw = np.full((4, 6, 1), 700, np.uint16) + np.arange(24, dtype=np.uint16).reshape(4, 6, 1) * 15
    raw[0, 0] = 2047  # the Kinect's "no reading"
    put("fuzz_depth_pgm", "kinect-le.pgm", pnm(raw, 65535, little_endian=True))
    put("fuzz_depth_pgm", "kinect-le-maxval2047.pgm", pnm(raw, 2047, little_endian=True))

    for target in ("fuzz_depth_mat", "fuzz_depth_h5", "fuzz_weights"):
        os.makedirs(os.path.join(out, target), exist_ok=True)
    write_mat(os.path.join(out, "fuzz_depth_mat", "nyu.mat"), False)
    write_mat(os.path.join(out, "fuzz_depth_mat", "nyu-gzip.mat"), True)
    write_mat(os.path.join(out, "fuzz_depth_mat", "nyu-double.mat"), False, np.float64)
    h5_variants(os.path.join(out, "fuzz_depth_h5", "depth-hw"),
                lambda f, chunked: dataset(f, "depth", depth_metres(4, 6), chunked))
    h5_variants(os.path.join(out, "fuzz_depth_h5", "depth-11hw"),
                lambda f, chunked: dataset(f, "depth", depth_metres(5, 3)[None, None].astype(np.float64), chunked))
    h5_variants(os.path.join(out, "fuzz_weights", "weights"), write_weights)
    with h5py.File(os.path.join(out, "fuzz_weights", "weights-fixed-strings.h5"), "w") as f:
        write_weights(f, False, fixed_strings=True)

    # transformer_graph layer lists (nn/transformer_graph.h): every kind of line, small channels.
    put("fuzz_transformer_graph", "every-layer.txt", "\n".join([
        "# a test network", "pad reflect l=2 r=2 t=2 b=2", "conv c1 in=3 out=4 k=5 stride=1 pad=0 bias=1",
        "instance_norm n1 c=4 eps=1e-05", "relu", "tap a", "conv c2 in=4 out=4 k=3 stride=2 pad=1 bias=0",
        "batch_norm b2 c=4 eps=1e-05", "residual_begin", "conv r in=4 out=4 k=3 stride=1 pad=0 bias=1",
        "residual_end shave=1", "upsample f=2", "deconv d in=4 out=4 k=3 stride=2 pad=1 adj=1 bias=1",
        "conv c3 in=4 out=3 k=3 stride=1 pad=1 bias=1", "tanh", "mul v=150"]).encode())
    put("fuzz_transformer_graph", "residual-pad.txt", b"residual_begin\npad zero l=1 r=1 t=1 b=1\n"
        b"conv c in=3 out=3 k=3 stride=1 pad=0 bias=0\nresidual_end shave=0\ntap r\n")


# ---- video (fuzz_video): tiny clips made by the ffmpeg program (scripts/setup installs it) ----
VIDEO_SEEDS = {
    "h264.mp4": "-f lavfi -i testsrc=size=16x12:rate=5:duration=0.6 -c:v libx264 -pix_fmt yuv420p",
    "h264-aac.mkv": "-f lavfi -i testsrc=size=16x12:rate=5:duration=0.6 -f lavfi -i sine=duration=0.6 "
                    "-c:v libx264 -pix_fmt yuv420p -c:a aac -shortest",
    "vp9.webm": "-f lavfi -i testsrc=size=16x12:rate=5:duration=0.6 -c:v libvpx-vp9 -pix_fmt yuv420p",
    "anim.gif": "-f lavfi -i testsrc=size=16x12:rate=5:duration=0.6",
    "rotated.mov": "-f lavfi -i testsrc=size=16x12:rate=5:duration=0.6 -c:v libx264 -pix_fmt yuv420p "
                   "-metadata:s:v:0 rotate=90",
    "mjpeg.avi": "-f lavfi -i testsrc=size=16x12:rate=5:duration=0.6 -c:v mjpeg",
}


def video_seeds(folder):
    """Writes VIDEO_SEEDS with ffmpeg; without the program there are no video seeds (libFuzzer
    then starts from nothing), said on stderr."""
    import shutil
    import subprocess
    os.makedirs(folder, exist_ok=True)
    if not shutil.which("ffmpeg"):
        print("make_seeds.py: no ffmpeg program: fuzz_video starts without seeds", file=sys.stderr)
        return
    for name, args in VIDEO_SEEDS.items():
        cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"] + args.split() + [os.path.join(folder, name)]
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_seeds.py OUT")
    main(sys.argv[1])
    video_seeds(os.path.join(sys.argv[1], "fuzz_video"))
