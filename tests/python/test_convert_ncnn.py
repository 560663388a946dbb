#!/usr/bin/python3
"""ncnn SqueezeNet 1.1 converter on the real files (skipped without the data folder):
parameter count, raw-byte spot checks, ImageNet classification of two real photos with a
numpy forward pass, and clear errors for corrupt copies."""

import os
import struct

import common
import h5py
import numpy as np

import refnets

PARAM = "weights/squeezenet1_1-ncnn/squeezenet_v1.1.ncnn.param"
BIN = "weights/squeezenet1_1-ncnn/squeezenet_v1.1.ncnn.bin"
TMP = common.tmpdir()
OUT = os.path.join(TMP, "squeezenet1_1.h5")


def load(path):
    with h5py.File(path, "r") as f:
        return {k: v[()] for k, v in f.items()}, dict(f.attrs)


def test_convert_real():
    param, binf = common.check_known(PARAM), common.check_known(BIN)
    common.convert("ncnn-squeezenet", param, binf, "-o", OUT)
    p, attrs = load(OUT)
    assert attrs["architecture"] == "squeezenet1_1"
    assert attrs["source"] == "squeezenet_v1.1.ncnn.param,squeezenet_v1.1.ncnn.bin"
    assert attrs["source_sha256"] == common.known_digest(PARAM) + "," + common.known_digest(BIN)
    assert attrs["channel_order"] == "RGB" and float(attrs["value_scale"]) == 1.0
    n = sum(v.size for v in p.values())
    assert n == 1235496 and len(p) == 52, (n, len(p))
    # Independent reads of the .bin: first conv right after the first tag; classifier at the end.
    raw = open(binf, "rb").read()
    assert struct.unpack_from("<I", raw, 0)[0] == 0x01306B47
    np.testing.assert_array_equal(p["features.0.weight"].ravel(), np.frombuffer(raw, "<f2", 1728, 4))
    np.testing.assert_array_equal(p["features.0.bias"], np.frombuffer(raw, "<f4", 64, 4 + 1728 * 2))
    np.testing.assert_array_equal(p["classifier.1.bias"], np.frombuffer(raw, "<f4", 1000, len(raw) - 4000))
    np.testing.assert_array_equal(p["classifier.1.weight"].ravel(),
                                  np.frombuffer(raw, "<f2", 512000, len(raw) - 4000 - 1024000))
    assert struct.unpack_from("<I", raw, len(raw) - 4000 - 1024000 - 4)[0] == 0x01306B47
    np.testing.assert_array_equal(p["features.0.weight"][0, :, 0, 0],
                                  np.array([0.12091064, -0.3161621, 0.16491699], np.float16).astype(np.float32))


def classify(p, name):
    img = common.read_png(common.data_file("images/content/%s.png" % name))[:, :, :3]
    x = common.resize_bilinear(img, 224, 224) / 255.0
    x = ((x - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]).astype(np.float32).transpose(2, 0, 1)
    return int(np.argmax(refnets.squeezenet1_1(p, np.ascontiguousarray(x))))


def test_classifies_real_photos():
    if not os.path.exists(OUT):
        test_convert_real()
    p, _ = load(OUT)
    labels = open(common.data_file("images/labels/imagenet_classes.txt")).read().splitlines()
    for name, want in (("chelsea", 285), ("coffee", 967)):
        got = classify(p, name)
        assert got == want, "%s: top-1 %d (%s), expected %d (%s)" % (name, got, labels[got], want, labels[want])


def test_corrupt_copies_refused():
    param, binf = common.data_file(PARAM), common.data_file(BIN)
    raw = open(binf, "rb").read()
    cases = [(raw + b"\0\0\0\0", "4 bytes left over"),
             (raw[:-10], "ends inside the bias of convrelu_25"),
             (b"\x01\x02\x03\x04" + raw[4:], "convrelu_0 has weight tag 0x04030201")]
    for i, (data, msg) in enumerate(cases):
        bad = os.path.join(TMP, "bad%d.bin" % i)
        open(bad, "wb").write(data)
        r = common.convert("ncnn-squeezenet", param, bad, "-o", bad + ".h5", ok=False)
        assert msg in r.stderr and "bad%d.bin" % i in r.stderr, r.stderr


if __name__ == "__main__":
    common.require_data()
    common.run(globals())
