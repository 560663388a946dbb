#!/usr/bin/python3
"""A PyTorch forward pass of the fast-style transformer (architecture fast_style_tf), written
from the graph in docs/weights-format.md and the data README, to check the C++ FastStyleNet
on real weights (tests/test_real_weights.cpp runs it).

    fast_style_reference.py WEIGHTS.h5 IO.h5 [--float64]

WEIGHTS.h5 is a converted project weight file; IO.h5 holds the datasets "input" (RGB
[1,3,H,W] in [0,1], exactly what the C++ net was given) and "output" (the C++ net's output,
same size, in [0,1] units). The reference runs in float32 (PyTorch's default; --float64 gives
the exact result but takes ten times longer) with torch.nn modules loaded with
load_state_dict(strict=True), so every parameter name and shape is checked too, and prints

    max_abs_diff_grey X
    mean_abs_diff_grey Y

in grey levels (0..255 scale), before any clipping. Exit status 0 when it ran. Without
Debian's python3-torch or python3-h5py it prints "skipped: no python3-torch ..." and exits 0.
"""
import math
import sys

try:  # checked here rather than by the caller, so that torch's slow import happens once
    import h5py
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    print("skipped: no python3-torch (or python3-h5py, python3-numpy): %s" % e)
    sys.exit(0)


def tf_same(x, conv):
    """Zero-pads x as TensorFlow's 'SAME' does for `conv` (odd total: the extra pixel after)."""
    k, s = conv.kernel_size[0], conv.stride[0]
    pads = []
    for n in (x.shape[3], x.shape[2]):  # F.pad wants (left, right, top, bottom)
        total = max((math.ceil(n / s) - 1) * s + k - n, 0)
        pads += [total // 2, total - total // 2]
    return conv(F.pad(x, pads))


def conv(cin, cout, k, stride=1):
    return nn.Conv2d(cin, cout, k, stride=stride, padding=0, bias=False)


def norm(c):
    return nn.InstanceNorm2d(c, eps=1e-3, affine=True)


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.in1 = conv(128, 128, 3), norm(128)
        self.conv2, self.in2 = conv(128, 128, 3), norm(128)

    def forward(self, x):
        return x + self.in2(tf_same(F.relu(self.in1(tf_same(x, self.conv1))), self.conv2))


class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.in1 = conv(3, 32, 9), norm(32)
        self.conv2, self.in2 = conv(32, 64, 3, 2), norm(64)
        self.conv3, self.in3 = conv(64, 128, 3, 2), norm(128)
        for r in range(1, 6):
            setattr(self, "res%d" % r, Residual())
        self.deconv1, self.in4 = nn.ConvTranspose2d(128, 64, 3, stride=2, bias=False), norm(64)
        self.deconv2, self.in5 = nn.ConvTranspose2d(64, 32, 3, stride=2, bias=False), norm(32)
        self.conv4, self.in6 = conv(32, 3, 9), norm(3)

    @staticmethod
    def up(deconv, x):
        # TF conv2d_transpose 'SAME', stride 2: the padding-0 result (2H+1) without its last row/column.
        h, w = x.shape[2], x.shape[3]
        return deconv(x)[:, :, : 2 * h, : 2 * w]

    def forward(self, rgb01):
        h = F.relu(self.in1(tf_same(rgb01 * 255, self.conv1)))
        h = F.relu(self.in2(tf_same(h, self.conv2)))
        h = F.relu(self.in3(tf_same(h, self.conv3)))
        for r in range(1, 6):
            h = getattr(self, "res%d" % r)(h)
        h = F.relu(self.in4(self.up(self.deconv1, h)))
        h = F.relu(self.in5(self.up(self.deconv2, h)))
        y = torch.tanh(self.in6(tf_same(h, self.conv4))) * 150 + 127.5
        return y[:, :, : rgb01.shape[2], : rgb01.shape[3]]  # the stride-2 convs round odd sizes up


def main():
    args = [a for a in sys.argv[1:] if a != "--float64"]
    if len(args) != 2 or len(sys.argv) > 4:
        sys.exit(__doc__)
    weights, io = args
    dtype = torch.float64 if "--float64" in sys.argv else torch.float32
    with h5py.File(weights, "r") as f:
        arch = f.attrs["architecture"]
        if arch != "fast_style_tf":
            sys.exit("%s: architecture %s, expected fast_style_tf" % (weights, arch))
        state = {k: torch.from_numpy(np.asarray(f[k])).to(dtype) for k in f.keys()}
    with h5py.File(io, "r") as f:
        x = torch.from_numpy(np.asarray(f["input"])).to(dtype)
        ours = np.asarray(f["output"], dtype=np.float64) * 255
    net = Transformer().to(dtype).eval()
    net.load_state_dict(state, strict=True)
    with torch.no_grad():
        ref = net(x).double().numpy()
    if ref.shape != ours.shape:
        sys.exit("output shape %s, reference %s" % (ours.shape, ref.shape))
    d = np.abs(ours - ref)
    print("reference (%s) range %.2f .. %.2f grey levels, shape %s" % (dtype, ref.min(), ref.max(), list(ref.shape)))
    print("max_abs_diff_grey %.6f" % d.max())
    print("mean_abs_diff_grey %.6f" % d.mean())


if __name__ == "__main__":
    main()
