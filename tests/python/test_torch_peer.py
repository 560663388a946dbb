#!/usr/bin/python3
"""apps/bench/torch_peer.py, the PyTorch peer that depthstyle's speed is compared with, computes
the same method as `depthstyle stylize`.

Oracles: float64 numpy formulas for the peer's loss functions (losses/losses.h), and depthstyle
itself: with the same weights (scripts/make-bench-weights' .pth sources for the peer, the
converted .h5 files for depthstyle) and the same images, every loss term of the first
iterations must agree (SqueezeNet with the depth loss through Monodepth2, Adam, default layers
and weights). Also the JSON the benchmark driver reads, and errors on bad workloads.

Tolerance of the term comparison (error model): each term is a float32 sum over all elements of
a layer (or the image) computed by two implementations in different orders: relative rounding
differences of order sqrt(n)*u for n <= 64*64*256 elements (u = 2^-24: ~6e-5), plus the
differences the features carry in (~1e-5, see test_bench_weights.py). After an Adam step the
image differs where a pixel's gradient is within rounding of zero (its step flips sign), which
random gradients over 12,288 pixels practically never are. We require 1e-3 relative (terms that
are exactly zero at the start, the content and depth terms at the content image, must be zero in
both). The depth term compares tiny depth changes (~1e-4 m against depths ~0.2 m whose float32
rounding is ~1e-8 m), so its relative precision is ~1e-4: within the same 1e-3.
"""

import csv
import json
import os
import subprocess
import sys

import common
import numpy as np

try:
    import torch
    import torchvision.io as tio
except ImportError:
    print("skipped: python3-torch or python3-torchvision is not installed")
    raise SystemExit(0)

sys.path.insert(0, os.path.join(common.REPO, "apps", "bench"))
import torch_peer  # noqa: E402

PEER = os.path.join(common.REPO, "apps", "bench", "torch_peer.py")
SCRIPT = os.path.join(common.REPO, "scripts", "make-bench-weights")
BINARY = os.environ.get("DEPTHSTYLE_BINARY") or os.path.join(common.REPO, "build", "bin", "depthstyle")
TMP = common.tmpdir()
ENV = dict(os.environ, OMP_WAIT_POLICY="passive")


def peer(*args, ok=True):
    r = subprocess.run([sys.executable, PEER] + [str(a) for a in args], capture_output=True, text=True, env=ENV)
    assert (r.returncode == 0) == ok, (args, r.returncode, r.stdout, r.stderr)
    return r


def test_loss_functions_against_float64():
    rng = np.random.default_rng(0)
    f = rng.standard_normal((1, 5, 4, 3)).astype(np.float32)
    a = rng.standard_normal((1, 5, 5)).astype(np.float32)
    x = rng.random((1, 3, 6, 7)).astype(np.float32)
    F = f.astype(np.float64).reshape(5, 12)
    g = F @ F.T / 12
    np.testing.assert_allclose(torch_peer.gram_over_m(torch.from_numpy(f))[0].numpy(), g, rtol=1e-5, atol=1e-6)
    want_style = ((g - a[0]) ** 2).sum() / (4 * 5 ** 2)
    got_style = torch_peer.style_loss(torch.from_numpy(g[None].astype(np.float32)), torch.from_numpy(a)).item()
    np.testing.assert_allclose(got_style, want_style, rtol=1e-5)
    xd = x.astype(np.float64)
    want_tv = ((xd[:, :, 1:] - xd[:, :, :-1]) ** 2).sum() + ((xd[:, :, :, 1:] - xd[:, :, :, :-1]) ** 2).sum()
    np.testing.assert_allclose(torch_peer.tv_loss(torch.from_numpy(x)).item(), want_tv, rtol=1e-5)
    assert torch_peer.vgg16_layers()["relu5_1"] == 25 and torch_peer.vgg16_layers()["pool5"] == 30
    assert torch_peer.squeezenet_layers()["fire5"] == 7 and torch_peer.squeezenet_layers()["relu1"] == 1


def test_json_of_two_workloads():
    lines = peer("--workload", "squeezenet-48,vgg16-32,fast-40x24", "--iters", "3", "--warmup", "1", "--threads", "1")
    rows = [json.loads(line) for line in lines.stdout.splitlines()]
    assert [r["workload"] for r in rows] == ["squeezenet-48", "vgg16-32", "fast-40x24"]
    assert rows[2]["size"] == [24, 40] and rows[2]["fast_weights"], rows[2]
    for r in rows:
        assert r["memory_format"] in ("contiguous", "channels_last") and r["gram"] in ("mm", "bmm"), r
        assert "openblas_coretype" in r and "omp_wait_policy" in r, r
        assert len(r["ms"]) == 3 and all(v > 0 for v in r["ms"]), r
        assert r["min_ms"] <= r["p25_ms"] <= r["median_ms"] <= r["p75_ms"] <= r["max_ms"], r
        assert r["median_ms"] == sorted(r["ms"])[1] and r["threads"] == 1 and r["device"] == "cpu", r
        assert r["peak_rss_mb"] >= r["rss_before_mb"] > 0, r
        assert np.isfinite(r["loss_first"]) and r["torch"] == torch.__version__, r
        assert r["clock"] == "wall", r


def test_cpu_clock():
    """--clock cpu times the process's CPU time: on one thread at most the whole run's wall time
    (so milliseconds, not seconds or nanoseconds), and recorded in the JSON; a bad clock is refused."""
    import time
    t0 = time.perf_counter()
    r = json.loads(peer("--workload", "squeezenet-48", "--iters", "2", "--warmup", "1", "--threads", "1",
                        "--clock", "cpu").stdout.splitlines()[0])
    wall_ms = (time.perf_counter() - t0) * 1e3
    assert r["clock"] == "cpu" and len(r["ms"]) == 2 and min(r["ms"]) > 0 and sum(r["ms"]) <= wall_ms, (r, wall_ms)
    assert "--clock" in peer("--workload", "squeezenet-48", "--clock", "gpu", ok=False).stderr


def test_bad_workloads():
    for w in ("resnet-256", "squeezenet", "vgg16-16", "squeezenet-256-fastdepth"):
        common.assert_raises(SystemExit, torch_peer.parse_workload, w, contains=("workload '%s'" % w,))
    assert torch_peer.parse_workload("vgg16-2048") == ("vgg16", 2048, False)
    assert torch_peer.parse_workload("squeezenet-256-md2") == ("squeezenet", 256, True)
    assert torch_peer.parse_workload("fast-1280x720") == ("fast", (720, 1280), False)
    common.assert_raises(SystemExit, torch_peer.parse_workload, "fast-2x720", contains=("frame size",))
    common.assert_raises(SystemExit, torch_peer.main, ["--workload", "squeezenet-64", "--iters", "0"])


def test_same_terms_as_depthstyle_stylize():
    subprocess.run([sys.executable, SCRIPT, "--out", TMP, "--nets", "squeezenet,monodepth2", "--seed", "5"],
                   check=True, capture_output=True, env=ENV)
    gen = torch.Generator().manual_seed(9)
    paths = {}
    for name in ("content", "style"):
        paths[name] = os.path.join(TMP, name + ".png")
        tio.write_png(torch.randint(0, 256, (3, 64, 64), generator=gen, dtype=torch.uint8), paths[name])
    out = os.path.join(TMP, "ours.png")
    if not os.path.exists(BINARY):
        raise AssertionError("depthstyle binary not found at %s (build it, or set DEPTHSTYLE_BINARY)" % BINARY)
    r = subprocess.run([BINARY, "stylize", paths["content"], "--style", paths["style"], "--weights",
                        os.path.join(TMP, "squeezenet1_1.h5"), "--monodepth2", os.path.join(TMP, "monodepth2.h5"),
                        "--depth-weight", str(torch_peer.DEPTH_WEIGHT), "--iters", "3", "--size", "64",
                        "--device", "cpu", "-o", out], capture_output=True, text=True, env=ENV)
    # Random weights may end above the start: stylize then exits 1 but still writes its losses.
    assert r.returncode in (0, 1) and os.path.exists(out[:-4] + "_losses.csv"), (r.returncode, r.stdout, r.stderr)
    with open(out[:-4] + "_losses.csv") as f:
        ours = [[float(row[k]) for k in ("total", "content", "style_style", "tv", "depth")] for row in csv.DictReader(f)]
    # The peer's fastest settings for the row (channels_last feature network, the Gram as one
    # product) and the other memory layout and product: every way it may run computes the same terms.
    for settings in ([], ["--memory-format", "contiguous", "--gram", "bmm", "--mkldnn", "off"]):
        res = json.loads(peer("--workload", "squeezenet-64-md2", "--iters", "3", "--warmup", "0", "--weights",
                              os.path.join(TMP, "src"), "--content", paths["content"], "--style", paths["style"],
                              "--terms", *settings).stdout)
        theirs = res["terms"]
        assert res["term_names"] == ["total", "content", "style", "tv", "depth"]
        assert len(ours) == len(theirs) == 3
        print("  peer settings: %s, %s, gram %s, mkldnn %s" % (res["memory_format"], res["depth_memory_format"],
                                                             res["gram"], res["mkldnn"]))
        for it, (a, b) in enumerate(zip(ours, theirs), 1):
            print("  iteration %d ours %s\n              peer %s" % (it, ["%.6g" % v for v in a], ["%.6g" % v for v in b]))
            for name, x, y in zip(res["term_names"], a, b):
                if it == 1 and name in ("content", "depth"):
                    assert x == 0 and y == 0, (it, name, x, y)
                else:
                    assert abs(x - y) <= 1e-3 * abs(y) and y != 0, "iteration %d %s: ours %.7g, peer %.7g" % (it, name,
                                                                                                           x, y)


common.run(globals())
