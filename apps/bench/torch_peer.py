#!/usr/bin/python3
"""PyTorch eager peer of `depthstyle stylize` (Adam), for benchmarks against ours.

The same method as apps/stylize/stylize.cpp with losses/losses.cpp, written the way a PyTorch user
would: the image is optimised in RGB [0,1] pixel space with Adam (lr 0.03, betas 0.9/0.999,
eps 1e-8, lr halved every 150 iterations); the feature network sees (x - mean) / std
(ImageNet mean/std, torchvision weights);
  content = ½ Σ (F − P)²                                 at the content layer
  style   = Σ_l w_l (1/(4N²)) Σ (F Fᵀ/M − A/M)²          N channels, M = h·w of layer l
  TV      = Σ squared differences of neighbouring pixels
  depth   = mean((φ(x) − φ(content))²), φ = Monodepth2 at 192x640: bilinear resize in,
            depth = 1/(0.01 + 9.99·disp0), bilinear resize out; gradient through φ
with the default layers and weights of stylize.cpp's default_config (SqueezeNet 1.1: content
fire2, style relu1 fire3 fire4 fire5; VGG16: content relu4_2, style relu1_1 ... relu5_1).
Networks have torchvision's random initialisation (deterministic seed): speed and memory do
not depend on the weight values. Content and style images are seeded uniform noise of the
workload's size (the style at the content's size, as `stylize --style-size` defaults to).
With --weights DIR (scripts/make-bench-weights' .pth sources) and --content/--style image
files, the peer computes what `depthstyle stylize` computes with the converted .h5 files, so
the two can be compared term by term (--terms; tests/python/test_torch_peer.py does).

Workloads: NET-SIZE[-md2], NET in squeezenet | vgg16, SIZE the square side in pixels, -md2
adds the depth loss through Monodepth2 (ResNet18 encoder + depth decoder, as nn/monodepth2.cpp).
Examples: squeezenet-256, squeezenet-512, vgg16-256, vgg16-2048, squeezenet-256-md2.
fast-WxH (e.g. fast-1280x720) is `depthstyle fast` instead: the feed-forward transformer on one
W x H frame per iteration, without gradients (torch.inference_mode), the same network as
depthstyle's (tests/python/fast_style_reference.py: TensorFlow 'SAME' zero padding, instance
norm, transposed convolutions up), with the la_muse weights (--fast-weights, default the
prepared data/weights/fast_style_la_muse.h5; random ones when that file is missing).

One iteration, as timed: zero the gradient, forward, backward, read the loss terms (one
device sync), keep the image if its loss is the lowest so far, Adam step (CUDA: then
torch.cuda.synchronize()). W warm-up iterations are run first and not reported.

Output: one JSON line per workload on stdout: ms per timed iteration, median, min, max, IQR,
the first and last total loss, peak memory (CPU: the process's peak RSS, ru_maxrss, and the
RSS before the workload was built, after importing torch; CUDA: torch.cuda.max_memory_allocated
and max_memory_reserved), torch version, thread count, precision and CPU/GPU model. With
several workloads each runs in a fresh subprocess, so each peak RSS is its own.

Threads: OMP_NUM_THREADS when set, else --threads, else every CPU this process may run on
(what OpenMP gives depthstyle by default; torch alone would pick one per physical core, and on
the 2-vCPU test VMs it picks 1).

Speed settings (docs/benchmarks.md, "The PyTorch peer": each measured with
apps/bench/peer_variants.py, interleaved in one process): --memory-format (contiguous NCHW or
channels_last NHWC, which spares oneDNN the reorders to and from its blocked layout around every
convolution), --mkldnn on|off (oneDNN or ATen's own convolutions), --gram mm|bmm (one matrix
product for batch 1 or a batched one); "auto" (the default) takes the faster per row from
FASTEST below. Before any work the peer also makes sure that Debian's OpenBLAS (torch's BLAS
here: the Gram matrices) runs kernels for this CPU: OpenBLAS 0.3.21 does not know CPUs newer than
it (Intel family 6 model 207, AMD Zen 5) and falls back to its SSE3 "Prescott" kernels, so the
peer restarts itself once with OPENBLAS_CORETYPE=SkylakeX or Haswell (what the CPU supports)
unless OPENBLAS_CORETYPE is set. The JSON line records every setting.

Used by a driver that alternates ours and this peer:
  torch_peer.py --workload squeezenet-256 --iters 10 --warmup 3 [--device cuda --tf32 --cudnn-benchmark]
"""

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
MD2_MEAN, MD2_STD = 0.45, 0.225
MD2_SIZE = (192, 640)
MD2_MIN_DEPTH, MD2_MAX_DEPTH = 0.1, 100.0

# Default configuration per network (apps/stylize/stylize.cpp default_config).
CONFIGS = {
    "squeezenet": dict(content="fire2", style=["relu1", "fire3", "fire4", "fire5"],
                       style_weights=[80000, 2000, 48, 4], content_weight=0.12, style_weight=50.0, tv_weight=0.4,
                       lr=0.03, lr_step=150),
    "vgg16": dict(content="relu4_2", style=["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"],
                  style_weights=[1000] * 5, content_weight=0.01, style_weight=1.0, tv_weight=0.4, lr=0.03,
                  lr_step=150),
}
DEPTH_WEIGHT = 1.0  # any positive value: the time does not depend on it
LR_DECAY = 0.5
# The .pth sources that scripts/make-bench-weights keeps in its OUT/src (--weights DIR).
WEIGHT_FILES = {"squeezenet": "squeezenet1_1-random.pth", "vgg16": "vgg16_features-random.pth",
                "md2_encoder": "monodepth2-random-encoder.pth", "md2_depth": "monodepth2-random-depth.pth"}


class Setup:
    """How the peer runs its tensors (what a careful eager-mode user can choose).
    memory_format: torch.contiguous_format (NCHW) or torch.channels_last (NHWC) for the feature
    (or fast-style) network, its input and so its activations; depth_format: the same for
    Monodepth2 (default: memory_format); mkldnn: torch.backends.mkldnn.enabled during the
    iteration; gram: "mm" (F Fᵀ of the one image) or "bmm" (batched)."""

    def __init__(self, memory_format=torch.contiguous_format, mkldnn=True, gram="mm", depth_format=None):
        self.memory_format, self.mkldnn, self.gram = memory_format, mkldnn, gram
        self.depth_format = memory_format if depth_format is None else depth_format

    def describe(self):
        name = lambda f: "channels_last" if f == torch.channels_last else "contiguous"  # noqa: E731
        return dict(memory_format=name(self.memory_format), depth_memory_format=name(self.depth_format),
                    mkldnn=self.mkldnn, gram=self.gram)


# The faster setting per row, measured with apps/bench/peer_variants.py (docs/benchmarks.md, "The
# PyTorch peer", 2026-12-07, Intel Xeon with AVX-512, one thread's CPU time): channels_last spares
# oneDNN its reorders around each convolution of the feature networks (0.90-0.96 of the time) but
# made Monodepth2 (reflection padding, nearest upsampling, concatenations) and the fast-style
# transformer slower (1.24, 1.27); oneDNN off ("native": ATen's own convolutions) and the batched
# Gram product were slower on every row. Keys: the network, with "-md2" for the depth rows.
CL, NCHW = torch.channels_last, torch.contiguous_format
FASTEST = {
    "squeezenet": Setup(CL, True, "mm"),
    "vgg16": Setup(CL, True, "mm"),
    "squeezenet-md2": Setup(CL, True, "mm", depth_format=NCHW),
    "vgg16-md2": Setup(CL, True, "mm", depth_format=NCHW),
    "fast": Setup(NCHW, True, "mm"),
}


# ---- networks ----------------------------------------------------------------------------
def squeezenet_layers():
    """Layer name -> index in torchvision's squeezenet1_1().features."""
    names = {0: "conv1", 1: "relu1", 2: "pool1", 5: "pool3", 8: "pool5"}
    names.update({i: "fire%d" % f for i, f in zip((3, 4, 6, 7, 9, 10, 11, 12), range(2, 10))})
    return {n: i for i, n in names.items()}


def vgg16_layers():
    """Layer name -> index in torchvision's vgg16().features (conv1_1, relu1_1, ..., pool5)."""
    out, i = {}, 0
    for b, convs in enumerate((2, 2, 3, 3, 3), 1):
        for c in range(1, convs + 1):
            out["conv%d_%d" % (b, c)], out["relu%d_%d" % (b, c)] = i, i + 1
            i += 2
        out["pool%d" % b] = i
        i += 1
    return out


def vgg16_features():
    """torchvision's vgg16().features with its initialisation, without building the 124M-parameter
    classifier (which would add ~0.5 GB to the peak RSS of the process)."""
    m = torchvision.models.vgg.make_layers(torchvision.models.vgg.cfgs["D"])
    for layer in m:
        if isinstance(layer, nn.Conv2d):  # as torchvision.models.VGG.__init__
            nn.init.kaiming_normal_(layer.weight, mode="fan_out", nonlinearity="relu")
            nn.init.constant_(layer.bias, 0)
    return m


class Conv3x3(nn.Module):
    """Monodepth2's Conv3x3: reflection pad 1, 3x3 convolution with bias."""

    def __init__(self, cin, cout):
        super().__init__()
        self.pad = nn.ReflectionPad2d(1)
        self.conv = nn.Conv2d(cin, cout, 3)

    def forward(self, x):
        return self.conv(self.pad(x))


class ConvBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = Conv3x3(cin, cout)
        self.nonlin = nn.ELU(inplace=True)

    def forward(self, x):
        return self.nonlin(self.conv(x))


class Monodepth2(nn.Module):
    """ResNet18 encoder + Monodepth2's depth decoder, with the published state-dict names:
    encoder.* (torchvision resnet18), decoder.<2(4-i)+j>.conv.conv.* for upconv(i, j) and
    decoder.<10+s>.conv.* for dispconv(s) (docs/weights-format.md). forward: RGB [N,3,H,W] in
    [0,1], H and W multiples of 32 -> disp0 [N,1,H,W] (the decoder also computes disp3..disp1,
    as the original does; nn/monodepth2.cpp skips the heads nobody reads, and so does
    forward(..., heads=(0,)), which the depth loss uses)."""

    ENC = (64, 64, 128, 256, 512)
    DEC = (16, 32, 64, 128, 256)

    def __init__(self):
        super().__init__()
        self.encoder = torchvision.models.resnet18()
        convs = []
        for i in range(4, -1, -1):
            convs.append(ConvBlock(self.ENC[-1] if i == 4 else self.DEC[i + 1], self.DEC[i]))
            convs.append(ConvBlock(self.DEC[i] + (self.ENC[i - 1] if i > 0 else 0), self.DEC[i]))
        convs += [Conv3x3(self.DEC[s], 1) for s in range(4)]
        self.decoder = nn.ModuleList(convs)

    def forward(self, rgb01, heads=(0, 1, 2, 3), memory_format=torch.contiguous_format):
        e = self.encoder
        x = ((rgb01 - MD2_MEAN) / MD2_STD).contiguous(memory_format=memory_format)
        f = [e.relu(e.bn1(e.conv1(x)))]
        h = e.layer1(e.maxpool(f[0]))
        f.append(h)
        for layer in (e.layer2, e.layer3, e.layer4):
            h = layer(h)
            f.append(h)
        disp = None
        for i in range(4, -1, -1):
            h = self.decoder[2 * (4 - i)](h)
            parts = [F.interpolate(h, scale_factor=2, mode="nearest")]
            if i > 0:
                parts.append(f[i - 1])
            h = self.decoder[2 * (4 - i) + 1](torch.cat(parts, 1))
            if i in heads:
                disp = torch.sigmoid(self.decoder[10 + i](h))
        return disp


def monodepth2_random():
    """Monodepth2 with torchvision's / PyTorch's default initialisation, then batch-norm statistics
    and affine parameters drawn at random (torch's global generator): with the defaults (mean 0,
    var 1, weight 1, bias 0) batch norm would be nearly the identity, and a layer that mishandled
    it would go unnoticed when depthstyle's output is compared with this network's."""
    m = Monodepth2()
    with torch.no_grad():
        for bn in m.modules():
            if isinstance(bn, nn.BatchNorm2d):
                bn.running_mean.normal_(0, 0.1)
                bn.running_var.uniform_(0.5, 1.5)
                bn.weight.uniform_(0.5, 1.5)
                bn.bias.normal_(0, 0.1)
    return m


def load_features(seq, path):
    """Loads the features.* entries of a torchvision state dict file into the features module."""
    sd = torch.load(path, map_location="cpu")
    seq.load_state_dict({k[len("features."):]: v for k, v in sd.items() if k.startswith("features.")})


def load_monodepth2(m, encoder_path, depth_path):
    """Loads Monodepth2's encoder.pth (encoder.* plus height, width, ...) and depth.pth (decoder.*)."""
    enc, dec = torch.load(encoder_path, map_location="cpu"), torch.load(depth_path, map_location="cpu")
    m.encoder.load_state_dict({k[len("encoder."):]: v for k, v in enc.items() if k.startswith("encoder.")})
    m.decoder.load_state_dict({k[len("decoder."):]: v for k, v in dec.items()})


def read_rgb01(path, size):
    """A PNG or JPEG file as RGB [1,3,size,size] in [0,1]; it must be size x size already."""
    import torchvision.io as tio
    img = tio.read_image(path, tio.ImageReadMode.RGB)
    if tuple(img.shape[1:]) != (size, size):
        raise SystemExit("torch_peer.py: %s is %dx%d; the workload needs %dx%d" % (path, img.shape[2], img.shape[1],
                                                                                  size, size))
    return img[None].float() / 255.0


def depth_of(md2, rgb01, memory_format=torch.contiguous_format):
    """Depth in metres at the image's size (nets.cpp's Monodepth2 estimator)."""
    h, w = rgb01.shape[2:]
    x = rgb01 if (h, w) == MD2_SIZE else F.interpolate(rgb01, MD2_SIZE, mode="bilinear", align_corners=False)
    min_disp, max_disp = 1.0 / MD2_MAX_DEPTH, 1.0 / MD2_MIN_DEPTH
    d = 1.0 / (min_disp + (max_disp - min_disp) * md2(x, heads=(0,), memory_format=memory_format))
    return d if (h, w) == MD2_SIZE else F.interpolate(d, (h, w), mode="bilinear", align_corners=False)


def frozen(m, device, memory_format=torch.contiguous_format):
    m = m.to(device, memory_format=memory_format).eval()
    for p in m.parameters():
        p.requires_grad_(False)
    return m


class FeatureNet:
    """The tapped prefix of a torchvision feature network with its input normalisation."""

    def __init__(self, name, device, weights=None, memory_format=torch.contiguous_format):
        if name == "squeezenet":
            self.seq, self.index = torchvision.models.squeezenet1_1().features, squeezenet_layers()
        else:
            self.seq, self.index = vgg16_features(), vgg16_layers()
        if weights:
            load_features(self.seq, weights)
        self.seq = frozen(self.seq, device, memory_format)
        self.memory_format = memory_format
        self.mean = torch.tensor(IMAGENET_MEAN, device=device).view(1, 3, 1, 1)
        self.std = torch.tensor(IMAGENET_STD, device=device).view(1, 3, 1, 1)

    def run(self, rgb01, layers):
        want = {self.index[n]: n for n in layers}
        out, h = {}, ((rgb01 - self.mean) / self.std).contiguous(memory_format=self.memory_format)
        for i in range(max(want) + 1):
            h = self.seq[i](h)
            if i in want:
                out[want[i]] = h
        return out


# ---- losses (losses/losses.cpp) ----------------------------------------------------------
def gram_over_m(f, how="bmm"):
    """F Fᵀ / M of features f [N, C, H, W] (M = H·W) as [N, C, C]. In channels_last memory the
    pixels-by-channels matrix Fᵀ is a view (no copy); "mm" multiplies the one image's matrices
    (N = 1), "bmm" batches them."""
    n, c, h, w = f.shape
    if f.is_contiguous(memory_format=torch.channels_last) and not f.is_contiguous():
        xt = f.permute(0, 2, 3, 1).reshape(n, h * w, c)  # [N, M, C], a view
        if how == "mm" and n == 1:
            return (xt[0].t() @ xt[0] / (h * w))[None]
        return torch.bmm(xt.transpose(1, 2), xt) / (h * w)
    x = f.reshape(n, c, h * w)
    if how == "mm" and n == 1:
        return (x[0] @ x[0].t() / (h * w))[None]
    return torch.bmm(x, x.transpose(1, 2)) / (h * w)


def style_loss(g, a):
    return ((g - a) ** 2).sum() / (4.0 * g.shape[-1] ** 2)


def tv_loss(x):
    return ((x[:, :, 1:, :] - x[:, :, :-1, :]) ** 2).sum() + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).sum()


class Stylize:
    def __init__(self, net, size, depth, device, seed, weights_dir=None, content=None, style=None, setup=None):
        """weights_dir: make-bench-weights' .pth sources instead of new random weights; content,
        style: image files instead of seeded noise; setup: a Setup (default: FASTEST's)."""
        self.cfg = CONFIGS[net]
        self.setup = setup or FASTEST[net + ("-md2" if depth else "")]
        fmt = self.setup.memory_format
        torch.manual_seed(seed)
        src = (lambda key: os.path.join(weights_dir, WEIGHT_FILES[key])) if weights_dir else (lambda key: None)
        self.net = FeatureNet(net, device, src(net), fmt)
        self.md2 = None
        if depth:
            self.md2 = monodepth2_random()
            if weights_dir:
                load_monodepth2(self.md2, src("md2_encoder"), src("md2_depth"))
            self.md2 = frozen(self.md2, device, self.setup.depth_format)
        gen = torch.Generator().manual_seed(seed + 1)
        noise = [torch.rand(1, 3, size, size, generator=gen) for _ in range(2)]
        content = (read_rgb01(content, size) if content else noise[0]).to(device)
        style = (read_rgb01(style, size) if style else noise[1]).to(device)
        c = self.cfg
        self.layers = list(dict.fromkeys(c["style"] + [c["content"]]))
        with torch.no_grad(), torch.backends.mkldnn.flags(enabled=self.setup.mkldnn):
            self.content_target = self.net.run(content, self.layers)[c["content"]]
            sf = self.net.run(style, c["style"])
            self.style_targets = [gram_over_m(sf[n], self.setup.gram) for n in c["style"]]
            self.depth_target = depth_of(self.md2, content, self.setup.depth_format) if depth else None
        self.image = content.clone().requires_grad_(True)
        self.opt = torch.optim.Adam([self.image], lr=c["lr"], betas=(0.9, 0.999), eps=1e-8)
        self.best, self.best_loss, self.it = None, float("inf"), 0

    def terms(self, x):
        c = self.cfg
        f = self.net.run(x, self.layers)
        out = [0.5 * F.mse_loss(f[c["content"]], self.content_target, reduction="sum") * c["content_weight"]]
        style = sum(style_loss(gram_over_m(f[n], self.setup.gram), a) * w
                    for n, a, w in zip(c["style"], self.style_targets, c["style_weights"]))
        out.append(style * c["style_weight"])
        out.append(tv_loss(x) * c["tv_weight"])
        if self.md2 is not None:
            out.append(F.mse_loss(depth_of(self.md2, x, self.setup.depth_format), self.depth_target) * DEPTH_WEIGHT)
        return out

    def step(self):
        """One Adam iteration; returns [total, content, style, tv, (depth)] at the image it started from."""
        c = self.cfg
        lr = c["lr"] * LR_DECAY ** (self.it // c["lr_step"])
        for g in self.opt.param_groups:
            g["lr"] = lr
        self.opt.zero_grad(set_to_none=True)
        with torch.backends.mkldnn.flags(enabled=self.setup.mkldnn):
            parts = self.terms(self.image)
            total = sum(parts)
            total.backward()
        values = torch.stack([total.detach()] + [p.detach() for p in parts]).tolist()
        if values[0] < self.best_loss:
            self.best, self.best_loss = self.image.detach().clone(), values[0]
        self.opt.step()
        self.it += 1
        return values


class FastStyle:
    """The fast-style transformer on one frame per step (`depthstyle fast`), without gradients."""

    def __init__(self, size, device, seed, weights=None, setup=None):
        sys.path.insert(0, os.path.join(REPO, "tests", "python"))
        import fast_style_reference  # the same network as nn/fast_style.cpp, checked against it
        self.setup = setup or FASTEST["fast"]
        torch.manual_seed(seed)
        self.net = fast_style_reference.Transformer()
        self.weights = weights if weights and os.path.exists(weights) else None
        if self.weights:
            import h5py
            import numpy as np
            with h5py.File(self.weights, "r") as f:
                self.net.load_state_dict({k: torch.from_numpy(np.asarray(f[k])) for k in f.keys()}, strict=True)
        self.net = frozen(self.net, device, self.setup.memory_format)
        gen = torch.Generator().manual_seed(seed + 1)
        self.frame = torch.rand(1, 3, size[0], size[1], generator=gen).to(device)
        self.frame = self.frame.contiguous(memory_format=self.setup.memory_format)

    def step(self):
        with torch.inference_mode(), torch.backends.mkldnn.flags(enabled=self.setup.mkldnn):
            y = self.net(self.frame).clamp_(0, 255)
        return [float(y[0, 0, 0, 0])]


def make_workload(args, name, setup=None):
    """The Stylize or FastStyle object of a workload name."""
    net, size, depth = parse_workload(name)
    device = torch.device(args.device)
    if net == "fast":
        return FastStyle(size, device, args.seed, args.fast_weights, setup)
    return Stylize(net, size, depth, device, args.seed, args.weights, args.content, args.style, setup)


# ---- measurement ---------------------------------------------------------------------------
def parse_workload(name):
    """(net, size, depth) of a workload name; for fast-WxH: ("fast", (H, W), False)."""
    m = re.fullmatch(r"fast-(\d+)x(\d+)", name)
    if m:
        w, h = int(m.group(1)), int(m.group(2))
        if not (4 <= w <= 8192 and 4 <= h <= 8192):
            raise SystemExit("torch_peer.py: workload '%s': frame size outside 4..8192" % name)
        return "fast", (h, w), False
    m = re.fullmatch(r"(squeezenet|vgg16)-(\d+)(-md2)?", name)
    if not m:
        raise SystemExit("torch_peer.py: workload '%s': expected NET-SIZE[-md2] with NET squeezenet or vgg16, "
                         "e.g. squeezenet-256, vgg16-2048, squeezenet-256-md2, or fast-WxH, e.g. fast-1280x720"
                         % name)
    size = int(m.group(2))
    if not 32 <= size <= 8192:
        raise SystemExit("torch_peer.py: workload '%s': size %d outside 32..8192" % (name, size))
    return m.group(1), size, m.group(3) is not None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def percentile(sorted_values, q):
    """Linear interpolation between closest ranks (numpy's default)."""
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def openblas_coretype_fix():
    """The OPENBLAS_CORETYPE to restart with, or None. Debian's OpenBLAS 0.3.21 (torch's BLAS
    here) picks its kernels by CPU model and falls back to SSE3 ("Prescott") on CPUs newer than it
    (Intel family 6 model 207, AMD Zen 5), 2-3x slower than its AVX2/AVX-512 kernels on the Gram
    products; a user who noticed would set the variable. Only when OpenBLAS is loaded, says
    Prescott, the variable is unset, and the CPU has AVX2 (Haswell kernels) or AVX-512 (SkylakeX)."""
    import ctypes
    if os.environ.get("OPENBLAS_CORETYPE"):
        return None
    try:
        blas = ctypes.CDLL("libblas.so.3")  # the library torch already loaded, if it is OpenBLAS
        blas.openblas_get_corename.restype = ctypes.c_char_p
        core = blas.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return None
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    if core.lower() != "prescott":
        return None
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        return "SkylakeX"
    return "Haswell" if {"avx2", "fma"} <= flags else None


def choose_setup(args, net, depth):
    """The Setup of --memory-format, --mkldnn and --gram; "auto" parts from FASTEST."""
    best = FASTEST[net + ("-md2" if depth else "")]
    formats = {"contiguous": torch.contiguous_format, "channels_last": torch.channels_last}
    fmt = formats.get(args.memory_format, best.memory_format)
    depth_fmt = formats.get(args.memory_format, best.depth_format)
    mkldnn = {"on": True, "off": False}.get(args.mkldnn, best.mkldnn)
    return Setup(fmt, mkldnn, best.gram if args.gram == "auto" else args.gram, depth_fmt)


def set_precision(args):
    tf32 = {"fp32": False, "tf32": True}.get(args.precision)
    if tf32 is not None:  # "default" leaves torch's defaults (cuDNN TF32 on, matmul TF32 off in 1.12+)
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cudnn.benchmark = args.cudnn_benchmark


def run_one(args, workload):
    net, size, depth = parse_workload(workload)
    device = torch.device(args.device)
    rss_before = peak_rss_mb()
    if device.type == "cuda":
        torch.cuda.init()
        torch.cuda.reset_peak_memory_stats()
    setup = choose_setup(args, net, depth)
    s = make_workload(args, workload, setup)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    sync()
    ms, losses = [], []
    for k in range(args.warmup + args.iters):
        t0 = clock()
        terms = s.step()
        sync()
        t1 = clock()
        losses.append(terms)
        if k >= args.warmup:
            ms.append((t1 - t0) * 1e3)
    srt = sorted(ms)
    out = {"tool": "torch_peer", "workload": workload, "net": net, "size": size if net != "fast" else list(size),
           "depth_net": "monodepth2" if depth else None, "device": device.type, "iters": args.iters,
           "warmup": args.warmup, "ms": [round(v, 3) for v in ms], "median_ms": round(percentile(srt, 0.5), 3),
           "min_ms": round(srt[0], 3), "max_ms": round(srt[-1], 3),
           "p25_ms": round(percentile(srt, 0.25), 3), "p75_ms": round(percentile(srt, 0.75), 3),
           "loss_first": losses[0][0], "loss_last": losses[-1][0], "torch": torch.__version__,
           "torchvision": torchvision.__version__, "threads": torch.get_num_threads(), "cpu": cpu_model(),
           "seed": args.seed, "clock": args.clock, "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
           "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "")}
    out.update(setup.describe())
    if device.type == "cuda":
        out.update(precision=args.precision, cudnn_benchmark=args.cudnn_benchmark, gpu=torch.cuda.get_device_name(),
                   cuda_peak_allocated_mb=round(torch.cuda.max_memory_allocated() / 2**20, 1),
                   cuda_peak_reserved_mb=round(torch.cuda.max_memory_reserved() / 2**20, 1))
    out.update(peak_rss_mb=round(peak_rss_mb(), 1), rss_before_mb=round(rss_before, 1))
    if net == "fast":
        out["fast_weights"] = s.weights or "random"
    if args.terms:
        out["term_names"] = ["total", "content", "style", "tv"] + (["depth"] if depth else [])
        out["terms"] = losses
    return out


def child_args(args, workload):
    """The command line that runs `workload` alone with the same options."""
    out = ["--workload", workload, "--iters", str(args.iters), "--warmup", str(args.warmup), "--device", args.device,
           "--threads", str(args.threads), "--precision", args.precision, "--seed", str(args.seed),
           "--memory-format", args.memory_format, "--mkldnn", args.mkldnn, "--gram", args.gram, "--clock", args.clock]
    for opt in ("weights", "content", "style", "fast_weights"):
        if getattr(args, opt):
            out += ["--" + opt.replace("_", "-"), getattr(args, opt)]
    return out + (["--cudnn-benchmark"] if args.cudnn_benchmark else []) + (["--terms"] if args.terms else [])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workload", required=True, help="NAME[,NAME...], e.g. squeezenet-256,vgg16-256")
    ap.add_argument("--iters", type=int, default=10, help="timed iterations (default 10)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed iterations first (default 3)")
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads when OMP_NUM_THREADS is unset "
                                                            "(default: the CPUs this process may use)")
    ap.add_argument("--precision", choices=("fp32", "tf32", "default"), default="fp32",
                    help="CUDA: fp32 (TF32 off in cuDNN and cuBLAS, the default), tf32 (on in both) or "
                         "torch's own defaults")
    ap.add_argument("--tf32", dest="precision", action="store_const", const="tf32", help="same as --precision tf32")
    ap.add_argument("--cudnn-benchmark", action="store_true", help="CUDA: torch.backends.cudnn.benchmark = True")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--memory-format", choices=("auto", "contiguous", "channels_last"), default="auto",
                    help="memory format of the networks and activations, Monodepth2's too (default: the faster "
                         "per row and network)")
    ap.add_argument("--mkldnn", choices=("auto", "on", "off"), default="auto",
                    help="torch.backends.mkldnn.enabled (default: the faster per row)")
    ap.add_argument("--gram", choices=("auto", "mm", "bmm"), default="auto",
                    help="Gram matrix as one matrix product or a batched one (default: the faster per row)")
    ap.add_argument("--weights", metavar="DIR", help="load the .pth files of scripts/make-bench-weights (its OUT/src) "
                                                     "instead of making new random weights")
    ap.add_argument("--content", metavar="IMAGE", help="content image (PNG/JPEG, SIZE x SIZE) instead of noise")
    ap.add_argument("--style", metavar="IMAGE", help="style image (PNG/JPEG, SIZE x SIZE) instead of noise")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="time the wall clock or this process's CPU time (all threads)")
    ap.add_argument("--fast-weights", metavar="FILE", default=os.path.join(REPO, "data", "weights",
                                                                          "fast_style_la_muse.h5"),
                    help="fast-WxH workloads: the fast_style_tf weight file (default: the prepared la_muse; "
                         "random weights when it is missing)")
    ap.add_argument("--terms", action="store_true", help="also print every iteration's loss terms (warm-up included)")
    args = ap.parse_args(argv)
    if args.iters < 1 or args.warmup < 0:
        ap.error("--iters must be >= 1 and --warmup >= 0")
    workloads = [w for w in args.workload.split(",") if w]
    for w in workloads:
        parse_workload(w)
    coretype = openblas_coretype_fix() if args.device == "cpu" else None
    if coretype:  # once: the restarted process has the variable set
        os.execve(sys.executable, [sys.executable, os.path.abspath(__file__)] + (argv if argv is not None else sys.argv[1:]),
                  dict(os.environ, OPENBLAS_CORETYPE=coretype))
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("torch_peer.py: --device cuda but torch has no CUDA device (torch %s)" % torch.__version__)
    if len(workloads) > 1:  # a fresh process each, so that each peak RSS is its own
        rc = 0
        for w in workloads:
            rc = max(rc, subprocess.run([sys.executable, os.path.abspath(__file__)] + child_args(args, w)).returncode)
        return rc
    if not os.environ.get("OMP_NUM_THREADS"):
        torch.set_num_threads(args.threads or len(os.sched_getaffinity(0)))
    set_precision(args)
    print(json.dumps(run_one(args, workloads[0])), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
