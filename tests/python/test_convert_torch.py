#!/usr/bin/python3
"""torchvision and Monodepth2 .pth converters, on files written here by torch.save.

No published .pth file is available on these machines, so each test builds a state dict
with the real names and shapes and deterministic random values, saves it with torch (both
the zip format and the legacy format the published files use), converts it with
convert.py (which reads it without torch) and compares every value.
"""

import collections
import os

import common
import h5py
import numpy as np

try:
    import torch
except ImportError:
    print("skipped: python3-torch is not installed (needed to write the test's .pth files)")
    raise SystemExit(0)

import archs
import torch_pth

TMP = common.tmpdir()


def state_dict(spec, seed):
    g = torch.Generator().manual_seed(seed)
    return collections.OrderedDict((n, torch.randn(*s, generator=g) * 0.1) for n, s in spec)


def save(obj, name, legacy):
    path = os.path.join(TMP, name)
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)
    return path


def check_h5(path, architecture, want):
    """The file holds exactly `want` (name -> tensor) with architecture and format attrs."""
    with h5py.File(path, "r") as f:
        assert f.attrs["architecture"] == architecture, f.attrs["architecture"]
        assert int(f.attrs["format_version"]) == 1
        assert sorted(f.keys()) == sorted(want), set(f.keys()) ^ set(want)
        for n, t in want.items():
            d = f[n]
            assert d.dtype == np.float32, (n, d.dtype)
            assert d.shape == tuple(t.shape), (n, d.shape, t.shape)
            np.testing.assert_array_equal(d[()], t.numpy(), err_msg=n)
        return dict(f.attrs)


def test_squeezenet_zip_and_legacy():
    sd = state_dict(archs.squeezenet1_1(), 1)
    for legacy in (False, True):
        pth = save(sd, "sq_%d.pth" % legacy, legacy)
        out = pth + ".h5"
        common.convert("torchvision", pth, "-o", out)
        attrs = check_h5(out, "squeezenet1_1", sd)
        assert attrs["channel_order"] == "RGB" and float(attrs["value_scale"]) == 1.0
        np.testing.assert_allclose(attrs["mean"], [0.485, 0.456, 0.406])
        np.testing.assert_allclose(attrs["std"], [0.229, 0.224, 0.225])
        assert attrs["source"] == os.path.basename(pth)
        assert attrs["source_sha256"] == common.hashlib.sha256(open(pth, "rb").read()).hexdigest()
    assert sum(archs.numel(s) for _, s in archs.squeezenet1_1()) == 1235496


def test_views_offsets_strides():
    """Tensors sharing a storage, with an offset, transposed (non-contiguous) or expanded."""
    spec = archs.squeezenet1_1()
    sd = state_dict(spec, 2)
    big = torch.arange(100000, dtype=torch.float32)
    sd["features.0.bias"] = big[1000:1064]                                  # storage offset
    sd["features.3.squeeze.bias"] = big[2000:2032:2]                        # offset + stride 2
    w = torch.randn(64, 16, 1, 1)
    sd["features.3.expand1x1.weight"] = w.permute(1, 0, 2, 3).contiguous().permute(1, 0, 2, 3)  # strides
    sd["features.3.expand1x1.bias"] = torch.tensor([0.5]).expand(64)        # stride 0
    sd["features.3.expand3x3.weight"] = torch.randn(3, 3, 16, 64).permute(3, 2, 0, 1)
    for legacy in (False, True):
        pth = save(sd, "views_%d.pth" % legacy, legacy)
        params, _ = torch_pth.load_state_dict(pth)
        for n, t in sd.items():
            np.testing.assert_array_equal(params[n], t.numpy(), err_msg=n)


def test_vgg16_features_full_shapes():
    """Full-size VGG16 features (14.7 M params); classifier entries are stride-0 stand-ins, dropped."""
    feats = state_dict(archs.vgg16(features_only=True), 3)
    sd = collections.OrderedDict(feats)
    for n, s in archs.vgg16()[len(feats):]:
        sd[n] = torch.zeros(1).expand(*s)  # real names and shapes, one stored element each
    pth = save(sd, "vgg16.pth", legacy=True)
    out = pth + ".h5"
    r = common.convert("torchvision", pth, "-o", out, "--features-only")
    assert "vgg16_features" in r.stdout, r.stdout
    check_h5(out, "vgg16_features", feats)
    assert sum(t.numel() for t in feats.values()) == 14714688


def test_wrong_shape_refused():
    sd = state_dict(archs.squeezenet1_1(), 4)
    sd["features.10.expand3x3.weight"] = torch.zeros(192, 48, 3, 1)
    pth = save(sd, "sq_bad.pth", legacy=False)
    r = common.convert("torchvision", pth, "-o", pth + ".h5", ok=False)
    assert "features.10.expand3x3.weight has shape [192, 48, 3, 1], expected [192, 48, 3, 3]" in r.stderr, r.stderr
    assert not os.path.exists(pth + ".h5")


def test_monodepth2():
    spec = archs.monodepth2_resnet18()
    sd = state_dict(spec, 5)
    enc = collections.OrderedDict()
    for n, t in sd.items():
        if n.startswith("encoder."):
            enc[n] = t
            if n.endswith("running_var"):
                enc[n] = t.abs() + 0.5
                enc[n[:-len("running_var")] + "num_batches_tracked"] = torch.tensor(7)
    enc["encoder.fc.weight"] = torch.randn(1000, 512)
    enc["encoder.fc.bias"] = torch.randn(1000)
    enc["height"], enc["width"], enc["use_stereo"] = 192, 640, False
    dec = collections.OrderedDict((n, t) for n, t in sd.items() if n.startswith("decoder."))
    assert "decoder.0.conv.conv.weight" in dec and "decoder.13.conv.weight" in dec
    e = save(enc, "encoder.pth", legacy=True)
    d = save(dec, "depth.pth", legacy=False)
    out = os.path.join(TMP, "md2.h5")
    common.convert("monodepth2", e, d, "-o", out)
    want = collections.OrderedDict((n, enc.get(n, sd[n])) for n, _ in spec)
    attrs = check_h5(out, "monodepth2_resnet18", want)
    assert int(attrs["input_height"]) == 192 and int(attrs["input_width"]) == 640
    assert attrs["source"] == "encoder.pth,depth.pth"
    # Swapped inputs are refused with a clear message.
    r = common.convert("monodepth2", d, e, "-o", out + "2", ok=False)
    assert "encoder.pth first" in r.stderr, r.stderr


class NotAllowed:
    pass


def test_refuses_arbitrary_globals():
    pth = save({"features.0.weight": torch.zeros(1), "x": NotAllowed()}, "evil.pth", legacy=False)
    r = common.convert("torchvision", pth, "-o", pth + ".h5", ok=False)
    assert pth + ": holds a pickled Python object" in r.stderr and "NotAllowed" in r.stderr, r.stderr


def test_truncated_and_garbage():
    sd = state_dict(archs.squeezenet1_1(), 6)
    pth = save(sd, "trunc.pth", legacy=True)
    data = open(pth, "rb").read()
    open(pth, "wb").write(data[:len(data) - 1000])
    r = common.convert("torchvision", pth, "-o", pth + ".h5", ok=False)
    assert "trunc.pth" in r.stderr and "storage" in r.stderr, r.stderr
    junk = os.path.join(TMP, "junk.pth")
    open(junk, "w").write("hello, not a model\n")
    r = common.convert("torchvision", junk, "-o", junk + ".h5", ok=False)
    assert "junk.pth" in r.stderr, r.stderr


if __name__ == "__main__":
    common.run(globals())
