#!/usr/bin/python3
"""The PyTorch peer of `depthstyle video --model` (docs/video.md, "Speed"): the fast-style
transformer run per frame, as a PyTorch user runs it (an nn.Module, torch.no_grad(), the CPU's
default convolution backend), timed frame by frame.

  --arch engstrom  the transformer depthstyle runs (nn/models.h FastStyleNet, the data README's
                   fast-style networks): TensorFlow 'SAME' zero padding, transposed convolutions
                   up, instance norm eps 1e-3, output tanh(x)*150+127.5 — the same layers and
                   FLOPs, written in the style of pytorch/examples' fast_neural_style
  --arch examples  pytorch/examples' fast_neural_style TransformerNet itself (reflection padding,
                   nearest upsampling + convolution up: its two up layers cost 4x the transposed ones)

Random weights (the time does not depend on them). Prints one line: the median seconds per frame
over --frames frames after one warm-up frame, and the threads used.

Usage: fast_style_peer.py --size 640x360 [--frames 8] [--threads 2] [--arch engstrom|examples]
"""
import argparse
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# pytorch/examples' TransformerNet, layer for layer: the one the converter's golden tests use.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "python"))
from peer_nets import TransformerNet  # noqa: E402


class SameConv(nn.Module):
    """Conv + instance norm (+ ReLU), TensorFlow 'SAME' padding (the extra pixel after)."""

    def __init__(self, cin, cout, k, stride, relu=True):
        super().__init__()
        self.k, self.stride, self.relu = k, stride, relu
        self.conv = nn.Conv2d(cin, cout, k, stride, bias=False)
        self.norm = nn.InstanceNorm2d(cout, eps=1e-3, affine=True)

    def forward(self, x):
        pads = []
        for n in (x.shape[3], x.shape[2]):
            o = -(-n // self.stride)
            total = max((o - 1) * self.stride + self.k - n, 0)
            pads += [total // 2, total - total // 2]
        y = self.norm(self.conv(F.pad(x, pads)))
        return F.relu(y) if self.relu else y


class Deconv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.ConvTranspose2d(cin, cout, 3, 2, bias=False)
        self.norm = nn.InstanceNorm2d(cout, eps=1e-3, affine=True)

    def forward(self, x):
        y = self.conv(x)[:, :, :2 * x.shape[2], :2 * x.shape[3]]
        return F.relu(self.norm(y))


class Engstrom(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Sequential(SameConv(3, 32, 9, 1), SameConv(32, 64, 3, 2), SameConv(64, 128, 3, 2))
        self.res = nn.ModuleList(nn.Sequential(SameConv(128, 128, 3, 1), SameConv(128, 128, 3, 1, relu=False))
                                 for _ in range(5))
        self.up = nn.Sequential(Deconv(128, 64), Deconv(64, 32))
        self.out = SameConv(32, 3, 9, 1, relu=False)

    def forward(self, rgb01):
        h = self.down(rgb01 * 255)
        for r in self.res:
            h = h + r(h)
        h = self.up(h)
        return (torch.tanh(self.out(h)) * 150 + 127.5)[:, :, :rgb01.shape[2], :rgb01.shape[3]] / 255


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", required=True, help="WxH")
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--arch", choices=("engstrom", "examples"), default="engstrom")
    a = ap.parse_args()
    w, h = (int(v) for v in a.size.split("x"))
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = (Engstrom() if a.arch == "engstrom" else TransformerNet()).eval()
    times = []
    with torch.no_grad():
        for k in range(a.frames + 1):
            frame = torch.rand(1, 3, h, w)
            t = time.perf_counter()
            y = net(frame) if a.arch == "engstrom" else net(frame * 255)["output"]
            y.clamp_(0, 255 if a.arch == "examples" else 1)
            if k:
                times.append(time.perf_counter() - t)
    print("peer %s %dx%d: median %.4f s per frame over %d frames, %d threads" %
          (a.arch, w, h, statistics.median(times), len(times), torch.get_num_threads()))


if __name__ == "__main__":
    main()
