#!/usr/bin/python3
"""fast-style converter on the six real checkpoints (skipped without the data folder)."""

import json
import os

import common
import h5py
import numpy as np

import known

TMP = common.tmpdir()


def raw(folder, k):
    name = "Variable" if k == 0 else "Variable_%d" % k
    shape = json.load(open(os.path.join(folder, "manifest.json")))[name]["shape"]
    return np.fromfile(os.path.join(folder, name), "<f4").reshape(shape)


def test_six_styles():
    for style in known.STYLES:
        rel = "weights/fast-style/" + style
        folder = common.data_file(rel)
        digest = known.folder_digest(folder)
        assert digest == known.FOLDERS[rel], "%s: folder digest %s, expected %s" % (folder, digest, known.FOLDERS[rel])
        out = os.path.join(TMP, style + ".h5")
        common.convert("fast-style", folder, "-o", out)
        with h5py.File(out, "r") as f:
            a = dict(f.attrs)
            assert a["architecture"] == "fast_style_tf" and a["style"] == style
            assert float(a["value_scale"]) == 255.0 and list(a["mean"]) == [0, 0, 0] and list(a["std"]) == [1, 1, 1]
            assert float(a["instance_norm_eps"]) == 1e-3 and a["padding"] == "tf_same"
            assert float(a["output_tanh_scale"]) == 150.0 and float(a["output_offset"]) == 127.5
            names = a["source"].split(",")
            assert len(names) == 49 and names[0] == style + "/manifest.json", names[:2]
            n = sum(d.size for d in f.values())
            assert n == 1677638 and len(f) == 48, (n, len(f))
            # Layouts against the raw variables.
            np.testing.assert_array_equal(f["conv1.weight"][()], raw(folder, 0).transpose(3, 2, 0, 1))
            assert f["conv1.weight"].shape == (32, 3, 9, 9)
            np.testing.assert_array_equal(f["in1.bias"][()], raw(folder, 1))      # shift
            np.testing.assert_array_equal(f["in1.weight"][()], raw(folder, 2))    # scale
            d1 = f["deconv1.weight"][()]                                         # [in 128, out 64, 3, 3]
            v39 = raw(folder, 39)                                                # [3, 3, out 64, in 128]
            assert d1.shape == (128, 64, 3, 3) and v39.shape == (3, 3, 64, 128)
            assert d1[100, 20, 0, 2] == v39[0, 2, 20, 100]
            np.testing.assert_array_equal(f["res5.conv2.weight"][()], raw(folder, 36).transpose(3, 2, 0, 1))
            np.testing.assert_array_equal(f["in6.weight"][()], raw(folder, 47))
            assert f["conv4.weight"].shape == (3, 32, 9, 9)


if __name__ == "__main__":
    common.require_data()
    common.run(globals())
