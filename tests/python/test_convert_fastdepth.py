#!/usr/bin/python3
"""FastDepth TFLite converter on the real file (skipped without the data folder): graph
check, parameter counts, dequantisation spot checks, the doc's layer table, and a numpy
float forward pass of the documented graph on a real NYU frame against its Kinect depth."""

import os

import common
import h5py
import numpy as np

import fastdepth
import flatbuf
import refnets
import tflite

TFLITE = "weights/fastdepth/fast_depth_224.tflite"
TMP = common.tmpdir()
OUT = os.path.join(TMP, "fastdepth.h5")


def load(path):
    with h5py.File(path, "r") as f:
        return {k: v[()] for k, v in f.items()}, dict(f.attrs)


def test_convert_real():
    src = common.check_known(TFLITE)
    model = fastdepth.read(src)
    assert len(model.operators) == 67
    counts = {}
    for op in model.operators:
        counts[op.op] = counts.get(op.op, 0) + 1
    assert counts == {"CONV_2D": 20, "PAD": 19, "DEPTHWISE_CONV_2D": 18, "RESIZE_NEAREST_NEIGHBOR": 5, "ADD": 3,
                      "QUANTIZE": 2}, counts
    constants = sum(t.data.size for t in model.tensors if t.data is not None)
    assert constants == 1352251, constants
    common.convert("tflite-fastdepth", src, "-o", OUT)
    p, attrs = load(OUT)
    assert attrs["architecture"] == "fastdepth" and attrs["source_sha256"] == common.known_digest(TFLITE)
    assert attrs["channel_order"] == "RGB" and float(attrs["value_scale"]) == 1.0
    assert abs(float(attrs["output_max"]) - 255 * 0.0717) < 0.01
    n = sum(v.size for v in p.values())
    # The README's 1,352,251 constants = these weights and biases + 16 PAD amounts + 10 resize sizes.
    assert n == 1352225 and len(p) == 76 and n + 16 + 10 == constants, (n, len(p))
    # Dequantisation, recomputed from the raw TFLite tensors.
    T = model.tensors
    conv = model.operators[65]  # decoder.conv6: 1x1, 16 -> 1
    w, b, x = T[conv.inputs[1]], T[conv.inputs[2]], T[conv.inputs[0]]
    assert b.data.tolist() == [7995]
    np.testing.assert_allclose(p["decoder.conv6.bias"], [7995 * float(x.scale[0]) * float(w.scale[0])], rtol=1e-6)
    np.testing.assert_allclose(p["decoder.conv6.weight"].ravel(), w.data.ravel() * w.scale[0], rtol=1e-6)
    dw = model.operators[4]  # encoder.conv1.dw: TFLite [1, 3, 3, 16] -> [16, 1, 3, 3]
    wq = T[dw.inputs[1]]
    c, i, j = 5, 2, 1
    np.testing.assert_allclose(p["encoder.conv1.dw.weight"][c, 0, i, j], wq.data[0, i, j, c] * wq.scale[c], rtol=1e-6)
    pw = model.operators[5]  # encoder.conv1.pw: TFLite [56, 1, 1, 16] OHWI -> [56, 16, 1, 1]
    wq = T[pw.inputs[1]]
    np.testing.assert_allclose(p["encoder.conv1.pw.weight"][40, 7, 0, 0], wq.data[40, 0, 0, 7] * wq.scale[40], rtol=1e-6)


def test_doc_table_matches_graph():
    model = fastdepth.read(common.data_file(TFLITE))
    doc = open(os.path.join(common.REPO, "docs", "weights-format.md")).read()
    for row in fastdepth.describe(model).splitlines():
        assert row in doc, "docs/weights-format.md lacks the FastDepth table row:\n" + row


def test_depth_of_real_frame():
    if not os.path.exists(OUT):
        test_convert_real()
    p, _ = load(OUT)
    rgb = common.read_pnm(common.data_file("images/rgbd/nyu_color.ppm"))
    raw = common.read_pnm(common.data_file("images/rgbd/nyu_depth.pgm"))
    h, w = raw.shape
    x = common.resize_bilinear(rgb, 224, 224).transpose(2, 0, 1) / 255.0
    depth = refnets.fastdepth(p, np.ascontiguousarray(x, np.float32), fastdepth.layers())
    ys = ((np.arange(224) + 0.5) * h / 224).astype(int)
    xs = ((np.arange(224) + 0.5) * w / 224).astype(int)
    kin = raw[ys][:, xs].astype(np.float64)
    valid = kin < 2047
    metres = 351.3 / (1092.5 - kin[valid])
    r = np.corrcoef(depth[valid], metres)[0, 1]
    print("  FastDepth vs Kinect: Pearson %.4f, depth %.2f..%.2f m (Kinect %.2f..%.2f m)"
          % (r, depth.min(), depth.max(), metres.min(), metres.max()))
    assert r > 0.85, r
    assert abs(np.median(depth[valid]) - np.median(metres)) < 0.5


def test_truncated_file_refused():
    data = open(common.data_file(TFLITE), "rb").read()
    bad = os.path.join(TMP, "trunc.tflite")
    open(bad, "wb").write(data[:len(data) // 2])
    r = common.convert("tflite-fastdepth", bad, "-o", bad + ".h5", ok=False)
    assert "outside the buffer" in r.stderr or "bytes" in r.stderr, r.stderr
    try:
        tflite.read_model(b"\x10\0\0\0TFL3" + b"\0" * 6)
    except flatbuf.FlatBufferError:
        pass
    else:
        raise AssertionError("a 14-byte buffer parsed")


if __name__ == "__main__":
    common.require_data()
    common.run(globals())
