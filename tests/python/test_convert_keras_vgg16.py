#!/usr/bin/python3
"""Keras VGG16 notop converter, on a file written here with h5py in Keras's layout (the
published file is not available here)."""

import os

import common
import h5py
import numpy as np

import archs

TMP = common.tmpdir()


def write_keras_vgg16(path, rng, bad_layer=None, small=False):
    """A Keras 2 `save_weights` file of VGG16 notop: HWIO kernels; returns layer -> (kernel, bias).

    small: zero kernels of stride 0 (one stored value each; h5py writes them out, but no
    random numbers are drawn)."""
    layers = ["input_1"]
    for b, n in [(1, 2), (2, 2), (3, 3), (4, 3), (5, 3)]:
        layers += ["block%d_conv%d" % (b, i) for i in range(1, n + 1)] + ["block%d_pool" % b]
    want = {}
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([s.encode() for s in layers])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.2.4"
        convs = iter(archs.VGG16_CONVS)
        for layer in layers:
            g = f.create_group(layer)
            if "conv" not in layer:
                g.attrs["weight_names"] = np.array([], dtype="S1")
                continue
            _, cin, cout = next(convs)
            k = (np.broadcast_to(np.float32(0), (3, 3, cin, cout)) if small
                 else rng.standard_normal((3, 3, cin, cout), dtype=np.float32))
            b = rng.standard_normal(cout, dtype=np.float32)
            if layer == bad_layer:
                k = k[:, :, :-1]
            g.attrs["weight_names"] = np.array([("%s/kernel:0" % layer).encode(), ("%s/bias:0" % layer).encode()])
            g.create_dataset("%s/kernel:0" % layer, data=k)
            g.create_dataset("%s/bias:0" % layer, data=b)
            want[layer] = (k, b)
    return want


def test_keras_vgg16_synthetic():
    path = os.path.join(TMP, "vgg16_notop.h5")
    want = write_keras_vgg16(path, np.random.default_rng(7))
    out = os.path.join(TMP, "vgg16_features.h5")
    common.convert("keras-vgg16", path, "-o", out)
    with h5py.File(out, "r") as f:
        assert f.attrs["architecture"] == "vgg16_features"
        assert f.attrs["channel_order"] == "BGR" and float(f.attrs["value_scale"]) == 255.0
        np.testing.assert_allclose(f.attrs["mean"], [103.939, 116.779, 123.68])
        assert len(f.keys()) == 26
        for (idx, cin, cout), layer in zip(archs.VGG16_CONVS, archs.VGG16_KERAS):
            k, b = want[layer]
            w = f["features.%d.weight" % idx][()]
            assert w.shape == (cout, cin, 3, 3)
            # out[o, i, y, x] == kernel[y, x, i, o], element by element
            o, i, y, x = cout - 1, cin // 2, 0, 2
            assert w[o, i, y, x] == k[y, x, i, o]
            np.testing.assert_array_equal(w, k.transpose(3, 2, 0, 1))
            np.testing.assert_array_equal(f["features.%d.bias" % idx][()], b)
    assert sum(archs.numel(s) for _, s in archs.vgg16(True)) == 14714688


def test_keras_vgg16_bad_kernel_refused():
    path = os.path.join(TMP, "vgg16_bad.h5")
    write_keras_vgg16(path, np.random.default_rng(8), bad_layer="block3_conv2", small=True)
    r = common.convert("keras-vgg16", path, "-o", path + ".out.h5", ok=False)
    assert "features.12.weight has shape [256, 255, 3, 3]" in r.stderr, r.stderr
    assert not os.path.exists(path + ".out.h5")


if __name__ == "__main__":
    common.run(globals())
