"""Reference networks of the peers, in PyTorch, for the converter and golden tests; written here
from the peers' definitions (read, not copied):

* VGG19 / VGG16 features: torchvision's vgg19().features (neural-style-pt's VGG class has the same
  Sequential), with Caffe's rounding-up pools where the model came from Caffe;
* NIN: neural-style-pt's CaffeLoader.NIN features Sequential (indices and layer names as there);
* TransformerNet: pytorch/examples fast_neural_style/neural_style/transformer_net.py;
* jcjohnson/fast-neural-style models: a tree of Lua modules (LuaModule: class name and fields,
  as torch.save writes them) built the way fast_neural_style/models.lua builds them, and
  lua_forward, a forward pass of such a tree with each module's Torch semantics.

Everything runs in the dtype of its input and parameters (float64 for the references).
"""

import collections

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---- VGG and NIN feature networks -------------------------------------------------------------------

VGG_BLOCKS = {16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}


def vgg_features(depth, ceil_mode=False):
    """(nn.Sequential named features.N like torchvision's, [layer name per index])."""
    layers, names, cin = [], [], 3
    for b, (n, c) in enumerate(zip(VGG_BLOCKS[depth], (64, 128, 256, 512, 512))):
        for i in range(n):
            layers += [nn.Conv2d(cin, c, 3, padding=1), nn.ReLU()]
            names += ["conv%d_%d" % (b + 1, i + 1), "relu%d_%d" % (b + 1, i + 1)]
            cin = c
        layers.append(nn.MaxPool2d(2, 2, ceil_mode=ceil_mode))
        names.append("pool%d" % (b + 1))
    return nn.Sequential(*layers), names


NIN_LAYERS = [  # (kind, layer name, args)
    ("conv", "conv1", (3, 96, 11, 4, 0)), ("relu", "relu0", ()), ("conv", "cccp1", (96, 96, 1, 1, 0)),
    ("relu", "relu1", ()), ("conv", "cccp2", (96, 96, 1, 1, 0)), ("relu", "relu2", ()), ("pool", "pool1", ()),
    ("conv", "conv2", (96, 256, 5, 1, 2)), ("relu", "relu3", ()), ("conv", "cccp3", (256, 256, 1, 1, 0)),
    ("relu", "relu5", ()), ("conv", "cccp4", (256, 256, 1, 1, 0)), ("relu", "relu6", ()), ("pool", "pool2", ()),
    ("conv", "conv3", (256, 384, 3, 1, 1)), ("relu", "relu7", ()), ("conv", "cccp5", (384, 384, 1, 1, 0)),
    ("relu", "relu8", ()), ("conv", "cccp6", (384, 384, 1, 1, 0)), ("relu", "relu9", ()), ("pool", "pool3", ()),
    ("drop", "drop", ()), ("conv", "conv4-1024", (384, 1024, 3, 1, 1)), ("relu", "relu10", ()),
    ("conv", "cccp7-1024", (1024, 1024, 1, 1, 0)), ("relu", "relu11", ()), ("conv", "cccp8-1024", (1024, 1000, 1, 1, 0)),
    ("relu", "relu12", ()), ("avgpool", "pool4", ())]


def nin_features():
    """(nn.Sequential named features.N as neural-style-pt's NIN, [layer name per index])."""
    mods = []
    for kind, _, a in NIN_LAYERS:
        if kind == "conv":
            mods.append(nn.Conv2d(a[0], a[1], a[2], a[3], a[4]))
        elif kind == "relu":
            mods.append(nn.ReLU())
        elif kind == "pool":
            mods.append(nn.MaxPool2d(3, 2, 0, ceil_mode=True))
        elif kind == "drop":
            mods.append(nn.Dropout(0.5))
        else:
            mods.append(nn.AvgPool2d(6, 1, 0, ceil_mode=True))
    return nn.Sequential(*mods), [n for _, n, _ in NIN_LAYERS]


def run_taps(seq, names, x, taps):
    """Activations of `seq` at the named layers."""
    out, h = {}, x
    for layer, name in zip(seq, names):
        if len(out) == len(taps):
            break
        h = layer(h)
        if name in taps:
            out[name] = h
    return {t: out[t] for t in taps}


# ---- pytorch/examples TransformerNet ----------------------------------------------------------------

class ConvLayer(nn.Module):
    def __init__(self, cin, cout, k, stride, upsample=False):
        super().__init__()
        self.upsample = upsample
        self.reflection_pad = nn.ReflectionPad2d(k // 2)
        self.conv2d = nn.Conv2d(cin, cout, k, stride)

    def forward(self, x):
        if self.upsample:
            x = F.interpolate(x, mode="nearest", scale_factor=2)
        return self.conv2d(self.reflection_pad(x))


class ResidualBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1, self.in1 = ConvLayer(c, c, 3, 1), nn.InstanceNorm2d(c, affine=True)
        self.conv2, self.in2 = ConvLayer(c, c, 3, 1), nn.InstanceNorm2d(c, affine=True)

    def forward(self, x):
        return x + self.in2(self.conv2(F.relu(self.in1(self.conv1(x)))))


class TransformerNet(nn.Module):
    """pytorch/examples' network; forward returns {tap: activation} for the taps asked."""

    def __init__(self):
        super().__init__()
        self.conv1, self.in1 = ConvLayer(3, 32, 9, 1), nn.InstanceNorm2d(32, affine=True)
        self.conv2, self.in2 = ConvLayer(32, 64, 3, 2), nn.InstanceNorm2d(64, affine=True)
        self.conv3, self.in3 = ConvLayer(64, 128, 3, 2), nn.InstanceNorm2d(128, affine=True)
        for r in range(1, 6):
            setattr(self, "res%d" % r, ResidualBlock(128))
        self.deconv1, self.in4 = ConvLayer(128, 64, 3, 1, upsample=True), nn.InstanceNorm2d(64, affine=True)
        self.deconv2, self.in5 = ConvLayer(64, 32, 3, 1, upsample=True), nn.InstanceNorm2d(32, affine=True)
        self.deconv3 = ConvLayer(32, 3, 9, 1)

    def forward(self, x, taps=("output",)):
        acts = {}
        y = x
        for i in (1, 2, 3):
            y = acts["conv%d" % i] = F.relu(getattr(self, "in%d" % i)(getattr(self, "conv%d" % i)(y)))
        for r in range(1, 6):
            y = acts["res%d" % r] = getattr(self, "res%d" % r)(y)
        for i in (1, 2):
            y = acts["deconv%d" % i] = F.relu(getattr(self, "in%d" % (i + 3))(getattr(self, "deconv%d" % i)(y)))
        acts["output"] = self.deconv3(y)
        return {t: acts[t] for t in taps}


# ---- jcjohnson/fast-neural-style: Lua module trees ----------------------------------------------------

class LuaModule:
    """A Torch nn module as torch.save writes it: its class name and its fields."""

    def __init__(self, cls, **fields):
        self.cls, self.fields = cls, dict(fields)

    def __getitem__(self, k):
        return self.fields[k]

    def get(self, k, default=None):
        return self.fields.get(k, default)


def _module(cls, **fields):
    # Every nn.Module carries these (empty tensors, the train flag) in saved files.
    base = {"output": np.zeros(0, np.float32), "gradInput": np.zeros(0, np.float32), "train": False,
            "_type": "torch.FloatTensor"}
    base.update(fields)
    return LuaModule(cls, **base)


def sequential(mods):
    return _module("nn.Sequential", modules={i + 1: m for i, m in enumerate(mods)})


class _Init:
    def __init__(self, seed):
        self.g = np.random.default_rng(seed)

    def conv(self, cls, cin, cout, k, s, p, full=False, adj=0, mm=False):
        shape = (cin, cout, k, k) if full else (cout, cin, k, k)
        w = (self.g.standard_normal(shape) * (2.0 / (cin * k * k)) ** 0.5).astype(np.float32)
        f = dict(nInputPlane=cin, nOutputPlane=cout, kW=k, kH=k, dW=s, dH=s, padW=p, padH=p,
                 weight=w.reshape(cout, -1) if mm else w, bias=(self.g.standard_normal(cout) * 0.1).astype(np.float32),
                 gradWeight=np.zeros(0, np.float32), gradBias=np.zeros(0, np.float32))
        if full:
            f.update(adjW=adj, adjH=adj)
        return _module(cls, **f)

    def norm(self, kind, c, old_bn=False):
        w = (1 + 0.2 * self.g.standard_normal(c)).astype(np.float32)
        b = (0.1 * self.g.standard_normal(c)).astype(np.float32)
        if kind == "instance":
            return _module("nn.InstanceNormalization", nOutput=c, eps=1e-5, weight=w, bias=b, prev_N=-1)
        mean = (0.3 * self.g.standard_normal(c)).astype(np.float32)
        var = (0.5 + self.g.random(c)).astype(np.float32)
        f = dict(eps=1e-5, momentum=0.1, affine=True, weight=w, bias=b, running_mean=mean)
        if old_bn:  # nn before mid-2016: running_std = 1/sqrt(var + eps)
            f["running_std"] = (1 / np.sqrt(var.astype(np.float64) + 1e-5)).astype(np.float32)
        else:
            f["running_var"] = var
        return _module("nn.SpatialBatchNormalization", **f)


def fast_neural_style_model(arch, padding_type, norm, seed, oddities=False):
    """A model as fast-neural-style's models.lua builds it for -arch / -padding_type /
    -use_instance_norm, random weights from `seed`; 'reflect-start' gets the 40-pixel reflection pad
    that train.lua puts first. oddities: one SpatialConvolutionMM (2-D weight), one cudnn.ReLU and an
    old-style batch norm (running_std), as older or cudnn-converted files hold."""
    init = _Init(seed)
    mods, prev, layers = [], 3, arch.split(",")
    if padding_type == "reflect-start":
        mods.append(_module("nn.SpatialReflectionPadding", pad_l=40, pad_r=40, pad_t=40, pad_b=40))
    first_conv, first_norm = [True], [True]

    def norm_of(c):
        m = init.norm(norm, c, old_bn=oddities and norm == "batch" and first_norm[0])
        first_norm[0] = False
        return m

    def conv_block(dim):
        block = []
        for j in range(2):
            p = 1 if padding_type == "zero" else 0
            if padding_type == "reflect":
                block.append(_module("nn.SpatialReflectionPadding", pad_l=1, pad_r=1, pad_t=1, pad_b=1))
            block.append(init.conv("nn.SpatialConvolution", dim, dim, 3, 1, p))
            block.append(norm_of(dim))
            if j == 0:
                block.append(_module("nn.ReLU", threshold=0, val=0, inplace=True))
        return sequential(block)

    for i, v in enumerate(layers):
        relu, bn = True, True
        if v[0] == "c":
            f, s, dim = int(v[1]), int(v[3]), int(v[5:])
            p = (f - 1) // 2
            if padding_type == "reflect":
                mods.append(_module("nn.SpatialReflectionPadding", pad_l=p, pad_r=p, pad_t=p, pad_b=p))
                p = 0
            mm = oddities and first_conv[0]
            first_conv[0] = False
            mods.append(init.conv("nn.SpatialConvolutionMM" if mm else "nn.SpatialConvolution", prev, dim, f, s, p, mm=mm))
        elif v[0] == "d":
            dim = int(v[1:])
            mods.append(init.conv("nn.SpatialConvolution", prev, dim, 3, 2, 1))
        elif v[0] == "u":
            dim = int(v[1:])
            mods.append(init.conv("nn.SpatialFullConvolution", prev, dim, 3, 2, 1, full=True, adj=1))
        elif v[0] == "U":
            dim = prev
            mods.append(_module("nn.SpatialUpSamplingNearest", scale_factor=int(v[1:])))
        elif v[0] == "R":
            dim = int(v[1:])
            shortcut = (_module("nn.ShaveImage", size=2) if padding_type in ("none", "reflect-start")
                        else _module("nn.Identity"))
            concat = _module("nn.ConcatTable", modules={1: conv_block(dim), 2: shortcut})
            mods.append(sequential([concat, _module("nn.CAddTable", inplace=False)]))
            relu = bn = False
        else:
            raise ValueError(v)
        if i == len(layers) - 1:
            relu = bn = False
        if bn:
            mods.append(norm_of(dim))
        if relu:
            cls = "cudnn.ReLU" if oddities and i == 0 else "nn.ReLU"
            mods.append(_module(cls, threshold=0, val=0, inplace=True))
        prev = dim
    mods += [_module("nn.Tanh"), _module("nn.MulConstant", constant_scalar=150.0, inplace=False),
             _module("nn.TotalVariation", strength=1e-6)]
    return sequential(mods)


def _t(a, like):
    return torch.as_tensor(np.asarray(a, np.float64)).to(like.dtype)


def lua_forward(m, x, taps=None, path=""):
    """The forward pass of a Lua module tree in evaluate mode, with Torch's semantics per module.
    taps: a dict filled with the output of each top-level module under its 1-based index."""
    kind = m.cls.split(".", 1)[1]
    f = m.fields
    if kind == "Sequential":
        for i in range(1, len(f["modules"]) + 1):
            x = lua_forward(f["modules"][i], x)
            if taps is not None:
                taps[str(i)] = x
        return x
    if kind == "ConcatTable":
        return [lua_forward(f["modules"][i], x) for i in range(1, len(f["modules"]) + 1)]
    if kind == "CAddTable":
        return x[0] + x[1]
    if kind in ("SpatialConvolution", "SpatialConvolutionMM"):
        w = _t(f["weight"], x).reshape(f["nOutputPlane"], f["nInputPlane"], f["kH"], f["kW"])
        return F.conv2d(x, w, _t(f["bias"], x), stride=f["dW"], padding=f["padW"])
    if kind == "SpatialFullConvolution":
        # Torch: out = (in - 1) * stride - 2 * pad + k + adj, as ConvTranspose2d's output_padding.
        return F.conv_transpose2d(x, _t(f["weight"], x), _t(f["bias"], x), stride=f["dW"], padding=f["padW"],
                                  output_padding=f["adjW"])
    if kind == "InstanceNormalization":  # batch statistics of each (sample, channel) plane, biased variance
        mu = x.mean((2, 3), keepdim=True)
        var = ((x - mu) ** 2).mean((2, 3), keepdim=True)
        return (x - mu) / torch.sqrt(var + f["eps"]) * _t(f["weight"], x).view(1, -1, 1, 1) + _t(f["bias"], x).view(1, -1, 1, 1)
    if kind == "SpatialBatchNormalization":  # evaluate mode: running statistics
        if "running_var" in f:
            inv = 1 / torch.sqrt(_t(f["running_var"], x) + f["eps"])
        else:
            inv = _t(f["running_std"], x)
        return ((x - _t(f["running_mean"], x).view(1, -1, 1, 1)) * inv.view(1, -1, 1, 1) * _t(f["weight"], x).view(1, -1, 1, 1)
                + _t(f["bias"], x).view(1, -1, 1, 1))
    if kind == "SpatialReflectionPadding":
        return F.pad(x, (f["pad_l"], f["pad_r"], f["pad_t"], f["pad_b"]), mode="reflect")
    if kind == "SpatialUpSamplingNearest":
        return F.interpolate(x, scale_factor=f["scale_factor"], mode="nearest")
    if kind == "ShaveImage":
        s = f["size"]
        return x[:, :, s:x.shape[2] - s, s:x.shape[3] - s]
    if kind == "ReLU":
        return F.relu(x)
    if kind == "Tanh":
        return torch.tanh(x)
    if kind == "MulConstant":
        return x * f["constant_scalar"]
    if kind in ("TotalVariation", "Identity", "Dropout"):
        return x
    raise ValueError("lua_forward: %s" % m.cls)


# ---- preprocessing ----------------------------------------------------------------------------------

CAFFE_MEAN = (103.939, 116.779, 123.68)  # BGR
IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


def preprocess(rgb01, kind):
    """[N,3,H,W] RGB in [0,1] -> a network's input: 'caffe' (BGR x 255 - mean), 'torchvision', 'plain255'."""
    if kind == "caffe":
        return rgb01.flip(1) * 255 - torch.tensor(CAFFE_MEAN, dtype=rgb01.dtype).view(1, 3, 1, 1)
    if kind == "torchvision":
        m, s = (torch.tensor(v, dtype=rgb01.dtype).view(1, 3, 1, 1) for v in IMAGENET)
        return (rgb01 - m) / s
    if kind == "plain255":
        return rgb01 * 255
    raise ValueError(kind)


def deprocess(y, kind):
    """The inverse of preprocess: a network's output back to RGB [0,1]."""
    if kind == "caffe":
        return ((y + torch.tensor(CAFFE_MEAN, dtype=y.dtype).view(1, 3, 1, 1)) / 255).flip(1)
    if kind == "torchvision":
        m, s = (torch.tensor(v, dtype=y.dtype).view(1, 3, 1, 1) for v in IMAGENET)
        return y * s + m
    if kind == "plain255":
        return y / 255
    raise ValueError(kind)


def random_state_dict(module, seed, dtype=torch.float32):
    """He-normal conv weights, small biases, norm scales near 1, from `seed` (an ordered dict)."""
    g = torch.Generator().manual_seed(seed)
    sd = collections.OrderedDict()
    for k, v in module.state_dict().items():
        if not v.is_floating_point():
            sd[k] = v
        elif v.dim() == 4:
            sd[k] = torch.randn(v.shape, generator=g, dtype=torch.float64) * (2.0 / (v[0].numel())) ** 0.5
        elif k.endswith("weight"):
            sd[k] = 1 + 0.2 * torch.randn(v.shape, generator=g, dtype=torch.float64)
        else:
            sd[k] = 0.1 * torch.randn(v.shape, generator=g, dtype=torch.float64)
        sd[k] = sd[k].to(dtype) if sd[k].is_floating_point() else sd[k]
    return sd
