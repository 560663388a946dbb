"""deeplearn.js checkpoints of Engstrom's fast-style-transfer networks -> fast_style_tf.

A checkpoint folder holds `manifest.json` (variable name -> {"filename", "shape"}) and one
raw little-endian float32 file per variable. `Variable_{3i}`, `Variable_{3i+1}`,
`Variable_{3i+2}` are the conv kernel, instance-norm shift (beta) and instance-norm scale
(gamma) of layer i (i = 0..15, `Variable_0` is spelled `Variable`). Kernels are HWIO
[kh, kw, in, out]; the two transposed convs store [kh, kw, out, in]. Converted to PyTorch
layouts: Conv2d weight [out, in, kh, kw], ConvTranspose2d weight [in, out, kh, kw],
InstanceNorm weight = scale, bias = shift.
"""

import collections
import json
import os

import numpy as np

import archs

# Output name prefixes of the 16 layers: (conv name, norm name, transposed).
LAYERS = ([("conv1", "in1", False), ("conv2", "in2", False), ("conv3", "in3", False)]
          + [(("res%d.conv%d" % (r, j)), ("res%d.in%d" % (r, j)), False) for r in range(1, 6) for j in (1, 2)]
          + [("deconv1", "in4", True), ("deconv2", "in5", True), ("conv4", "in6", False)])

ATTRS = {"instance_norm_eps": np.float64(1e-3), "padding": "tf_same", "output_tanh_scale": np.float64(150.0),
         "output_offset": np.float64(127.5)}


class FastStyleError(ValueError):
    pass


def variable_name(k):
    return "Variable" if k == 0 else "Variable_%d" % k


def read_checkpoint(folder):
    """Dict variable name -> float32 array with the manifest's shape; the list of files read."""
    manifest_path = os.path.join(folder, "manifest.json")
    with open(manifest_path) as f:
        manifest = json.load(f)
    out, files = {}, [manifest_path]
    for name in sorted(manifest, key=lambda n: int(n.split("_")[1]) if "_" in n else 0):
        entry = manifest[name]
        path = os.path.join(folder, entry["filename"])
        shape = tuple(int(d) for d in entry["shape"])
        raw = np.fromfile(path, "<f4")
        if raw.size != archs.numel(shape) or os.path.getsize(path) != 4 * raw.size:
            raise FastStyleError("%s: %d bytes, expected float32 of shape %s (%d bytes)"
                                 % (path, os.path.getsize(path), list(shape), 4 * archs.numel(shape)))
        out[name] = raw.reshape(shape)
        files.append(path)
    return out, files


def convert(folder):
    """(params, source files) for one style folder."""
    var, files = read_checkpoint(folder)
    want = ["Variable"] + ["Variable_%d" % k for k in range(1, 3 * len(LAYERS))]
    if sorted(var) != sorted(want):
        raise FastStyleError("%s: manifest lists %s, expected Variable..Variable_%d"
                             % (folder, sorted(var), 3 * len(LAYERS) - 1))
    params = collections.OrderedDict()
    for i, (conv, norm, transposed) in enumerate(LAYERS):
        k = var[variable_name(3 * i)]
        if k.ndim != 4:
            raise FastStyleError("%s: %s has shape %s, expected a 4-D kernel" % (folder, variable_name(3 * i), k.shape))
        # HWIO -> OIHW; transposed [kh, kw, out, in] -> [in, out, kh, kw]: the same permutation.
        params[conv + ".weight"] = np.ascontiguousarray(k.transpose(3, 2, 0, 1))
        params[norm + ".weight"] = var[variable_name(3 * i + 2)]
        params[norm + ".bias"] = var[variable_name(3 * i + 1)]
    return params, files
