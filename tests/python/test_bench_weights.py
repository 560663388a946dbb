#!/usr/bin/python3
"""scripts/make-bench-weights: random-weight VGG16 features and Monodepth2 files, through the converters.

Oracles: the published parameter counts (docs/weights-format.md: VGG16 features 14,714,688
floats in 26 tensors; Monodepth2 14,338,836 in 128 tensors, batch-norm statistics included), and
PyTorch itself: the networks of apps/bench/torch_peer.py, loaded with the script's own .pth
sources, must give the activations that depthstyle computes from the converted .h5 files (so
the benchmark peer runs the same architecture as ours). The full VGG16 (--full-vgg16, 0.5 GB)
is not made here.

Tolerance (error model): the two sides sum each float32 dot product (length K <= 512*9) in
different orders. For random-sign terms the rounding error of one such sum is of order
sqrt(K)*u relative to its value (u = 2^-24), about 4e-6; over the <= 25 layers compared, with
normalisation layers of gain ~1, errors add as a random walk to ~2e-5. We require a normwise
relative difference below 1e-3: 50x that, and far below what a real mistake causes (a wrong
padding, weight layout or layer order changes the output by O(1)).
"""

import os
import subprocess
import sys

import common
import h5py
import numpy as np

try:
    import torch
    import torch.nn.functional as F
    import torchvision  # noqa: F401  (torch_peer needs it)
except ImportError:
    print("skipped: python3-torch or python3-torchvision is not installed")
    raise SystemExit(0)

sys.path.insert(0, os.path.join(common.REPO, "apps", "bench"))
import torch_peer  # noqa: E402

SCRIPT = os.path.join(common.REPO, "scripts", "make-bench-weights")
BINARY = os.environ.get("DEPTHSTYLE_BINARY") or os.path.join(common.REPO, "build", "bin", "depthstyle")
TMP = common.tmpdir()
OUT = os.path.join(TMP, "bench")
TOL = 1e-3


def run(cmd):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                       env=dict(os.environ, OMP_WAIT_POLICY="passive"))
    if r.returncode != 0:
        raise AssertionError("%s: exit %d\n%s%s" % (" ".join(map(str, cmd)), r.returncode, r.stdout, r.stderr))
    return r.stdout


def depthstyle(*args):
    if not os.path.exists(BINARY):
        raise AssertionError("depthstyle binary not found at %s (build it, or set DEPTHSTYLE_BINARY)" % BINARY)
    return run([BINARY] + list(args))


def info_count(path):
    """(architecture, parameter count, tensor count) as `depthstyle info` reports them."""
    fields = dict(line.split(None, 1) for line in depthstyle("info", "--brief", path).splitlines() if " " in line)
    words = fields["parameters"].split()  # "<n> in <t> tensors"
    return fields["architecture"].strip(), int(words[0]), int(words[2])


def write_ppm(path, img):
    h, w, _ = img.shape
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (w, h) + img.tobytes())


def image(h, w, seed):
    """A smooth test image (random noise would make the resized input needlessly rough)."""
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    rng = np.random.default_rng(seed)
    chans = [np.sin(2 * np.pi * (rng.uniform(0.5, 2) * x + rng.uniform(0.5, 2) * y) + rng.uniform(0, 6))
             for _ in range(3)]
    return np.clip(np.round((np.stack(chans, -1) * 0.45 + 0.5) * 255), 0, 255).astype(np.uint8)


def features(net, weights, layers, img):
    """depthstyle features -> {layer: array}, for the image `img` (uint8 [H,W,3])."""
    ppm, out = os.path.join(TMP, "img_%s.ppm" % net), os.path.join(TMP, "feat_%s.h5" % net)
    write_ppm(ppm, img)
    depthstyle("features", "--net", net, "--weights", weights, "--layers", ",".join(layers), "--device", "cpu",
               ppm, "-o", out)
    with h5py.File(out, "r") as f:
        return {n: f[n][()] for n in layers}


def to_torch(img):
    return torch.from_numpy(img.astype(np.float32) / 255.0).permute(2, 0, 1)[None].contiguous()


def close(name, got, want):
    err = np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-30)
    assert got.shape == want.shape, (name, got.shape, want.shape)
    assert err < TOL, "%s: normwise relative difference %.3g (tolerance %g)" % (name, err, TOL)
    return err


def test_make_vgg16_and_monodepth2():
    print(run([sys.executable, SCRIPT, "--out", OUT, "--seed", "3", "--nets", "vgg16,monodepth2"]), end="")
    assert info_count(os.path.join(OUT, "vgg16_features.h5")) == ("vgg16_features", 14714688, 26)
    assert info_count(os.path.join(OUT, "monodepth2.h5")) == ("monodepth2_resnet18", 14338836, 128)


def test_vgg16_matches_torch():
    layers = ["relu1_2", "pool2", "relu3_3", "relu4_2", "relu5_1"]
    img = image(40, 48, 1)
    got = features("vgg16", os.path.join(OUT, "vgg16_features.h5"), layers, img)
    net = torch_peer.FeatureNet("vgg16", torch.device("cpu"), os.path.join(OUT, "src", "vgg16_features-random.pth"))
    with torch.no_grad():
        want = net.run(to_torch(img), layers)
    for n in layers:
        print("  vgg16 %-8s rel. diff %.2e" % (n, close(n, got[n], want[n].numpy())))


def test_monodepth2_matches_torch():
    img = image(96, 320, 2)
    taps = ["conv1", "layer4", "upconv2_1", "disp0"]
    got = features("monodepth2", os.path.join(OUT, "monodepth2.h5"), taps, img)
    m = torch_peer.Monodepth2().eval()
    enc = os.path.join(OUT, "src", "monodepth2-random-encoder.pth")
    torch_peer.load_monodepth2(m, enc, os.path.join(OUT, "src", "monodepth2-random-depth.pth"))
    assert (torch.load(enc)["height"], torch.load(enc)["width"]) == torch_peer.MD2_SIZE
    want = {}
    hooks = {"conv1": m.encoder.relu, "layer4": m.encoder.layer4, "upconv2_1": m.decoder[5]}
    for name, mod in hooks.items():
        mod.register_forward_hook(lambda _m, _i, out, name=name: want.setdefault(name, out.clone()))
    with torch.no_grad():
        x = F.interpolate(to_torch(img), torch_peer.MD2_SIZE, mode="bilinear", align_corners=False)
        want["disp0"] = m(x)
    for n in taps:
        print("  monodepth2 %-9s rel. diff %.2e" % (n, close(n, got[n], want[n].numpy())))
    # With random weights disp0 stays near 0.5 and varies little; compare its variation too, so
    # that the check is not carried by the constant part.
    d = want["disp0"].numpy()
    assert d.std() > 1e-4, "disp0 is constant (std %.3g): the comparison would be empty" % d.std()
    print("  monodepth2 disp0 - mean rel. diff %.2e" % close("disp0 - mean", got["disp0"] - d.mean(), d - d.mean()))


def test_reproducible_by_seed():
    """The same seed makes byte-identical sources (and the converter then skips), another seed differs."""
    src = os.path.join(OUT, "src", "squeezenet1_1-random.pth")
    run([sys.executable, SCRIPT, "--out", OUT, "--seed", "3", "--nets", "squeezenet"])
    first = common.hashlib.sha256(open(src, "rb").read()).hexdigest()
    again = run([sys.executable, SCRIPT, "--out", OUT, "--seed", "3", "--nets", "squeezenet"])
    assert "up to date" in again, again
    assert common.hashlib.sha256(open(src, "rb").read()).hexdigest() == first
    assert info_count(os.path.join(OUT, "squeezenet1_1.h5")) == ("squeezenet1_1", 1235496, 52)
    run([sys.executable, SCRIPT, "--out", OUT, "--seed", "4", "--nets", "squeezenet"])
    assert common.hashlib.sha256(open(src, "rb").read()).hexdigest() != first


def test_bad_arguments():
    for args, msg in ((["--nets", "resnet"], "unknown resnet"), (["--seed", "-1"], "--seed must be")):
        r = subprocess.run([sys.executable, SCRIPT, "--out", os.path.join(TMP, "bad")] + args,
                           capture_output=True, text=True)
        assert r.returncode != 0 and msg in r.stderr, (args, r.returncode, r.stderr)
    assert not os.path.exists(os.path.join(TMP, "bad"))


common.run(globals())
