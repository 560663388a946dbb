#!/usr/bin/python3
"""Keras SqueezeNet v1.1 notop converter on the real file (skipped without the data folder)."""

import os

import common
import h5py
import numpy as np

import archs

TMP = common.tmpdir()
SQUEEZENET = "weights/squeezenet1_1-keras/squeezenet_weights_tf_dim_ordering_tf_kernels_notop.h5"


def test_keras_squeezenet_real():
    common.require_data()
    src = common.check_known(SQUEEZENET)
    out = os.path.join(TMP, "squeezenet_keras.h5")
    common.convert("keras-squeezenet", src, "-o", out)
    with h5py.File(src, "r") as k, h5py.File(out, "r") as f:
        assert f.attrs["architecture"] == "squeezenet1_1_features"
        assert f.attrs["channel_order"] == "BGR" and float(f.attrs["value_scale"]) == 255.0
        assert int(f.attrs["pool_ceil_mode"]) == 0
        assert f.attrs["source_sha256"] == common.known_digest(SQUEEZENET)
        n = sum(d.size for d in f.values())
        assert n == 722496, n
        assert sum(1 for _ in f.values()) == 50
        # Every converted tensor against the source dataset, addressed by its full path here.
        pairs = [("features.0", "conv1/conv1_3")]
        for idx, fire, *_ in archs.SQUEEZENET_FIRES:
            sfx = "_1" if fire == "fire9" else "_3"
            for part, name in (("squeeze1x1", "squeeze"), ("expand1x1", "expand1x1"), ("expand3x3", "expand3x3")):
                pairs.append(("features.%d.%s" % (idx, name), "%s/%s/%s/%s%s" % (fire, part, fire, part, sfx)))
        for ours, theirs in pairs:
            np.testing.assert_array_equal(f[ours + ".weight"][()], k[theirs + "/kernel:0"][()].transpose(3, 2, 0, 1))
            np.testing.assert_array_equal(f[ours + ".bias"][()], k[theirs + "/bias:0"][()])
        # Spot values (conv1 filter 0 at kernel position (0, 0), channels B, G, R).
        np.testing.assert_allclose(f["features.0.weight"][0, :, 0, 0], [0.25723463, 0.550187, 0.3146835], rtol=1e-6)


if __name__ == "__main__":
    common.run(globals())
