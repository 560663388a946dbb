"""Small numpy reference implementations used by the converter tests.

They follow docs/weights-format.md (float32 weights in PyTorch layouts), so a test that
runs them on converted real weights checks both the conversion and the documented graph.
Activations are CHW float32 arrays (no batch dimension).
"""

import numpy as np


def conv2d(x, w, b=None, stride=1, pad=0):
    """Dense conv: x [C, H, W], w [O, C, kh, kw] (groups = 1), zero padding `pad` on each side."""
    c, h, wd = x.shape
    o, ci, kh, kw = w.shape
    assert ci == c, (w.shape, x.shape)
    if pad:
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    ho = (x.shape[1] - kh) // stride + 1
    wo = (x.shape[2] - kw) // stride + 1
    if kh == kw == 1 and stride == 1:
        y = w.reshape(o, c) @ x.reshape(c, -1)
    else:
        cols = np.empty((c, kh, kw, ho, wo), np.float32)
        for i in range(kh):
            for j in range(kw):
                cols[:, i, j] = x[:, i:i + stride * ho:stride, j:j + stride * wo:stride]
        y = w.reshape(o, -1) @ cols.reshape(c * kh * kw, -1)
    y = y.reshape(o, ho, wo)
    if b is not None:
        y += b.reshape(-1, 1, 1)
    return y


def depthwise(x, w, b, stride=1, pad=0):
    """Depthwise conv: w [C, 1, kh, kw]."""
    c = x.shape[0]
    kh, kw = w.shape[2:]
    x = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    ho = (x.shape[1] - kh) // stride + 1
    wo = (x.shape[2] - kw) // stride + 1
    y = np.zeros((c, ho, wo), np.float32)
    for i in range(kh):
        for j in range(kw):
            y += w[:, 0, i, j].reshape(-1, 1, 1) * x[:, i:i + stride * ho:stride, j:j + stride * wo:stride]
    return y + b.reshape(-1, 1, 1)


def maxpool_ceil(x, k=3, s=2):
    c, h, w = x.shape
    ho, wo = -(-(h - k) // s) + 1, -(-(w - k) // s) + 1
    x = np.pad(x, ((0, 0), (0, (ho - 1) * s + k - h), (0, (wo - 1) * s + k - w)), constant_values=-np.inf)
    y = np.full((c, ho, wo), -np.inf, np.float32)
    for i in range(k):
        for j in range(k):
            y = np.maximum(y, x[:, i:i + s * ho:s, j:j + s * wo:s])
    return y


def relu(x):
    return np.maximum(x, 0)


def squeezenet1_1(p, x):
    """torchvision SqueezeNet 1.1 logits; x [3, H, W] already normalised."""
    x = relu(conv2d(x, p["features.0.weight"], p["features.0.bias"], stride=2))
    for idx in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12):
        if idx in (2, 5, 8):
            x = maxpool_ceil(x)
            continue
        f = "features.%d." % idx
        s = relu(conv2d(x, p[f + "squeeze.weight"], p[f + "squeeze.bias"]))
        x = np.concatenate([relu(conv2d(s, p[f + "expand1x1.weight"], p[f + "expand1x1.bias"])),
                            relu(conv2d(s, p[f + "expand3x3.weight"], p[f + "expand3x3.bias"], pad=1))])
    if "classifier.1.weight" not in p:
        return x
    x = relu(conv2d(x, p["classifier.1.weight"], p["classifier.1.bias"]))
    return x.mean(axis=(1, 2))


def fastdepth(p, x, layers):
    """FastDepth depth in metres [224, 224]; x [3, 224, 224] RGB in [0, 1]; layers from fastdepth.layers()."""
    outs = {}
    for L in layers:
        w, b = p[L["name"] + ".weight"], p[L["name"] + ".bias"]
        if L["op"] == "DEPTHWISE_CONV_2D":
            x = depthwise(x, w, b, L["stride"], L["pad"])
        else:
            x = conv2d(x, w, b, L["stride"], L["pad"])
        x = np.clip(x, 0, 6) if L["act"] == "RELU6" else relu(x)
        outs[L["name"]] = x
        if L.get("resize"):
            x = x.repeat(2, axis=1).repeat(2, axis=2)
        if L.get("skip"):
            x = x + outs[L["skip"]]
    return x[0]
