#!/usr/bin/python3
"""Makes the golden fixtures for the model tests (tests/test_models.cpp) with PyTorch.

Each network gets deterministic synthetic weights from a formula that nn/params.cpp
(synthetic_param) computes too, a deterministic input, and PyTorch's activations at several
named layers plus the gradient of a scalar loss with respect to the input:
    loss = sum over taps t of  sum_i act_t[i] * cos(0.1 * i) / numel(act_t)
To keep the fixtures small, each activation is stored subsampled: act.flatten()[::step]
with step = ceil(numel / 4096), plus its full sum of absolute values.

Regenerate (needs Debian's python3-torch and python3-torchvision, python3-h5py):
    /usr/bin/python3 tests/golden/make_golden.py tests/golden
"""
import math
import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F
import torchvision


def seed_of(name):
    return sum((k + 1) * b for k, b in enumerate(name.encode())) % 9973


def synthetic_param(name, shape):
    i = np.arange(int(np.prod(shape)), dtype=np.float64)
    phase = 0.618034 * i + 0.1 * seed_of(name)
    if len(shape) == 4:
        v = 2.0 / math.sqrt(np.prod(shape) / shape[0]) * np.sin(phase)
    elif name.endswith("running_var"):
        v = 0.75 + 0.25 * np.sin(phase)
    elif name.endswith("weight"):
        v = 1.0 + 0.2 * np.sin(phase)
    else:
        v = 0.1 * np.sin(phase)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def load_synthetic(module):
    sd = module.state_dict()
    new = {k: (synthetic_param(k, tuple(v.shape)) if v.dtype == torch.float32 else v) for k, v in sd.items()}
    module.load_state_dict(new)
    module.eval()
    return module


def synthetic_input(shape):
    i = np.arange(int(np.prod(shape)), dtype=np.float64)
    return torch.from_numpy((0.5 + 0.45 * np.sin(0.731 * i + 0.3)).astype(np.float32).reshape(shape))


def tap_loss(acts):
    loss = 0
    for a in acts.values():
        w = torch.cos(0.1 * torch.arange(a.numel(), dtype=torch.float64)).float().reshape(a.shape)
        loss = loss + (a * w).sum() / a.numel()
    return loss


def write(path, arch, x, acts):
    loss = tap_loss(acts)
    loss.backward()
    with h5py.File(path, "w") as f:
        f.attrs["architecture"] = arch
        f.attrs["loss"] = float(loss)
        f["grad_input"] = x.grad.numpy()
        for name, a in acts.items():
            flat = a.detach().numpy().reshape(-1)
            step = max(1, math.ceil(flat.size / 4096))
            g = f.create_group("act/" + name)
            g["sampled"] = flat[::step]
            g.attrs["step"] = step
            g.attrs["shape"] = np.array(a.shape, dtype=np.int64)
            g.attrs["abs_sum"] = float(np.abs(flat.astype(np.float64)).sum())
    print(f"{path}: loss {float(loss):.6g}, taps {list(acts)}")


def vgg16(out):
    net = load_synthetic(torchvision.models.vgg16().features)
    names = {3: "relu1_2", 8: "relu2_2", 16: "pool3", 22: "relu4_3", 29: "relu5_3"}
    x = synthetic_input((1, 3, 32, 40)).requires_grad_()
    acts, h = {}, x
    for i, layer in enumerate(net):
        h = layer(h)
        if i in names:
            acts[names[i]] = h
    write(f"{out}/vgg16.h5", "vgg16", x, acts)


def squeezenet(out):
    net = load_synthetic(torchvision.models.squeezenet1_1())
    x = synthetic_input((2, 3, 66, 70)).requires_grad_()  # conv1 -> 32x34: ceil_mode pooling matters
    acts, h = {}, x
    names = {1: "relu1", 2: "pool1", 3: "fire2", 7: "fire5", 12: "fire9"}
    for i, layer in enumerate(net.features):
        h = layer(h)
        if i in names:
            acts[names[i]] = h
    h = net.classifier[1](h)
    acts["conv10"] = h
    acts["pool10"] = F.adaptive_avg_pool2d(torch.relu(h), 1)
    write(f"{out}/squeezenet1_1.h5", "squeezenet1_1", x, acts)


class Monodepth2Decoder(torch.nn.Module):
    """Monodepth2's DepthDecoder (scales 0-3, skips), with its module order and names."""

    def __init__(self):
        super().__init__()
        enc, dec = [64, 64, 128, 256, 512], [16, 32, 64, 128, 256]

        def conv3x3(cin, cout):
            m = torch.nn.Module()
            m.pad = torch.nn.ReflectionPad2d(1)
            m.conv = torch.nn.Conv2d(cin, cout, 3)
            return m

        def block(cin, cout):
            m = torch.nn.Module()
            m.conv = conv3x3(cin, cout)
            return m

        mods = []
        for i in range(4, -1, -1):
            mods.append(block(enc[-1] if i == 4 else dec[i + 1], dec[i]))
            mods.append(block(dec[i] + (enc[i - 1] if i > 0 else 0), dec[i]))
        for s in range(4):
            mods.append(conv3x3(dec[s], 1))
        self.decoder = torch.nn.ModuleList(mods)

    @staticmethod
    def c3(m, x):
        return m.conv(m.pad(x))

    def forward(self, feats, acts):
        x = feats[-1]
        for i in range(4, -1, -1):
            x = F.elu(self.c3(self.decoder[2 * (4 - i)].conv, x))
            acts[f"upconv{i}_0"] = x
            x = [F.interpolate(x, scale_factor=2, mode="nearest")]
            if i > 0:
                x.append(feats[i - 1])
            x = F.elu(self.c3(self.decoder[2 * (4 - i) + 1].conv, torch.cat(x, 1)))
            acts[f"upconv{i}_1"] = x
            if i < 4:
                acts[f"disp{i}"] = torch.sigmoid(self.c3(self.decoder[10 + i], x))


def monodepth2(out):
    enc = torch.nn.Module()
    enc.encoder = torchvision.models.resnet18()
    load_synthetic(enc)
    dec = load_synthetic(Monodepth2Decoder())
    x = synthetic_input((1, 3, 64, 96)).requires_grad_()
    r = enc.encoder
    h = (x - 0.45) / 0.225
    feats = [r.relu(r.bn1(r.conv1(h)))]
    feats.append(r.layer1(r.maxpool(feats[-1])))
    for layer in (r.layer2, r.layer3, r.layer4):
        feats.append(layer(feats[-1]))
    all_acts = {"conv1": feats[0], "layer2": feats[2], "layer4": feats[4]}
    dec_acts = {}
    dec(feats, dec_acts)
    for k in ("upconv3_0", "upconv2_1", "disp1", "disp0"):
        all_acts[k] = dec_acts[k]
    write(f"{out}/monodepth2.h5", "monodepth2_resnet18", x, all_acts)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/golden"
    vgg16(out)
    squeezenet(out)
    monodepth2(out)
