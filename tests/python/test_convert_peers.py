#!/usr/bin/python3
"""`convert.py auto` on the peers' formats, end to end: for each format a fixture written here in
that exact format (peer_writers.py: .caffemodel through google.protobuf, .t7 through Torch7's
serialisation; .pth by torch.save of the reference module, peer_nets.py) from random weights,
converted, then run by `depthstyle features` and compared with a PyTorch float64 run of the
reference network, within the golden-test error model (tests/README.md, "Golden models"):

    max|ours - ref| / max|ref| <= max(4 * e_torch, 64u)

where e_torch is PyTorch's own float32 error on the same input (its native convolutions, oneDNN
off, as tests/golden/make_golden.py). The networks have their real architectures and widths
(VGG19: 20 M parameters) at small spatial sizes, with sizes that make Caffe's rounding-up pools
and the transformers' output crop matter. Then malformed files: each a clear error naming the
offset, layer or module. Then real published files when they are present (see PEER_FILES).
"""

import hashlib
import os
import shutil
import subprocess
import sys

import common
import h5py
import numpy as np

try:
    import torch
except ImportError:
    print("skipped: python3-torch is not installed (needed for the reference networks)")
    raise SystemExit(0)

import caffemodel
import peer_nets
import peer_writers
import torch7

TMP = common.tmpdir()
U = 2.0 ** -24
BINARY = os.environ.get("DEPTHSTYLE_BINARY") or os.path.join(common.REPO, "build", "bin", "depthstyle")
torch.backends.mkldnn.enabled = False  # PyTorch's native convolutions: their error says little about the CPU
RESULTS = []  # (fixture, tap, our error, PyTorch's, tolerance), printed at the end for the notes


def path(name):
    return os.path.join(TMP, name)


def image(h, w, seed):
    """A random 8-bit RGB image written as PPM; returns (path, the [1,3,H,W] float32 values / 255)."""
    u8 = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    p = path("in_%d_%dx%d.ppm" % (seed, w, h))
    with open(p, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (w, h) + u8.tobytes())
    return p, (u8.astype(np.float32) / np.float32(255)).transpose(2, 0, 1)[None]


def convert_auto(src, out, *extra, ok=True):
    return common.convert("auto", src, "-o", out, *extra, ok=ok)


def features(net, weights, layers, img):
    out = path("feat_%s_%s.h5" % (net, os.path.basename(weights)))
    if os.path.exists(out):
        os.remove(out)
    r = subprocess.run([BINARY, "features", "--net", net, "--weights", weights, "--layers", ",".join(layers), img, "-o",
                        out, "--device", "cpu"], capture_output=True, text=True,
                       env=dict(os.environ, OMP_WAIT_POLICY="passive"))
    assert r.returncode == 0, "depthstyle features failed:\n%s%s" % (r.stdout, r.stderr)
    with h5py.File(out, "r") as f:
        return {k: f[k][()] for k in layers}


def compare(fixture, ours, ref64, ref32):
    """Each tap within max(4 e_torch, 64u) of the float64 reference (relative to its max |value|)."""
    for tap, r in ref64.items():
        r = r.detach().double().numpy()
        scale = np.abs(r).max()
        e_torch = np.abs(ref32[tap].detach().double().numpy() - r).max() / scale
        # A fixture whose own float32 error is large says nothing (ill-conditioned, or not deterministic).
        assert e_torch < 1e-3, "%s %s: PyTorch's float32 error %.3g: a bad fixture" % (fixture, tap, e_torch)
        got = ours[tap].astype(np.float64)
        assert got.shape == r.shape, "%s %s: shape %s, reference %s" % (fixture, tap, got.shape, r.shape)
        err = np.abs(got - r).max() / scale
        tol = max(4 * e_torch, 64 * U)
        RESULTS.append((fixture, tap, err, e_torch, tol))
        assert err <= tol, "%s %s: error %.3g above the tolerance %.3g (PyTorch float32: %.3g)" % (fixture, tap, err, tol,
                                                                                                   e_torch)


def both_precisions(fn):
    """fn(dtype) -> {tap: tensor}, run in float64 and float32."""
    with torch.no_grad():
        return fn(torch.float64), fn(torch.float32)


def reference_seq(seq, names, sd, x, taps, pre):
    def run(dtype):
        seq.load_state_dict({k: v.to(dtype) for k, v in sd.items()})
        seq.to(dtype).eval()  # NIN's dropout: the identity
        return peer_nets.run_taps(seq, names, peer_nets.preprocess(torch.from_numpy(x).to(dtype), pre), taps)
    return both_precisions(run)


def state_dict_np(sd):
    return {k: v.float().numpy() for k, v in sd.items()}


# ---- Caffe .caffemodel: VGG19 (V1 records, legacy blob dims) and NIN (V2 records, BlobShape) ----------------

VGG19_TAPS = ["relu1_1", "relu2_2", "relu3_4", "pool3", "relu4_4", "conv5_4", "relu5_4", "pool5"]
NIN_TAPS = ["relu0", "pool1", "relu3", "relu7", "pool3", "relu12"]


def caffe_layers(seq, names, sd, conv_names, geometry, extra_fc=False):
    """Caffe layer records (name, type, blobs, (k, stride, pad)) of a features Sequential's convs."""
    layers, ci = [], 0
    for i, (m, n) in enumerate(zip(seq, names)):
        if isinstance(m, torch.nn.Conv2d):
            w, b = sd["%d.weight" % i].float().numpy(), sd["%d.bias" % i].float().numpy()
            layers.append((conv_names[ci], "Convolution", [w, b], (w.shape[2],) + geometry[ci]))
            ci += 1
        elif isinstance(m, torch.nn.ReLU):
            layers.append((n, "ReLU", [], None))
        elif isinstance(m, torch.nn.MaxPool2d):
            layers.append((n, "Pooling", [], None))
    if extra_fc:  # VGG's classifier, which the converter drops (a small stand-in: only its name matters)
        layers.append(("fc6", "InnerProduct", [np.ones((4, 8), np.float32), np.zeros(4, np.float32)], None))
    return layers


def test_caffemodel_vgg19_v1():
    seq, names = peer_nets.vgg_features(19, ceil_mode=True)  # Caffe's pools round up
    sd = peer_nets.random_state_dict(seq, 19)
    src = path("VGG_ILSVRC_19_layers.caffemodel")
    peer_writers.write_caffemodel(src, caffe_layers(seq, names, sd, caffemodel._vgg_names(19), [(1, 1)] * 16, True), v1=True)
    out = path("vgg19_caffe.h5")
    r = convert_auto(src, out)
    assert "vgg19_features" in r.stdout and "dropped fc6" in r.stdout, r.stdout
    with h5py.File(out, "r") as f:
        assert f.attrs["channel_order"] == "BGR" and float(f.attrs["value_scale"]) == 255.0
        np.testing.assert_allclose(f.attrs["mean"], [103.939, 116.779, 123.68])
        assert int(f.attrs["pool_ceil_mode"]) == 1
        for k, v in sd.items():
            np.testing.assert_array_equal(f["features." + k][()], v.float().numpy(), err_msg=k)
    img, x = image(36, 44, 1)  # 36x44: pool3..pool5 differ between rounding up and down
    ref64, ref32 = reference_seq(seq, names, sd, x, VGG19_TAPS, "caffe")
    compare("vgg19.caffemodel (V1)", features("vgg19", out, VGG19_TAPS, img), ref64, ref32)


def nin_state(seed):
    seq, names = peer_nets.nin_features()
    return seq, names, peer_nets.random_state_dict(seq, seed)


def test_caffemodel_nin_v2():
    seq, names, sd = nin_state(7)
    src = path("nin_imagenet_conv.caffemodel")
    geometry = [(4, 0), (1, 0), (1, 0), (1, 2), (1, 0), (1, 0), (1, 1), (1, 0), (1, 0), (1, 1), (1, 0), (1, 0)]
    peer_writers.write_caffemodel(src, caffe_layers(seq, names, sd, caffemodel.NIN_NAMES, geometry), v1=False)
    out = path("nin_caffe.h5")
    convert_auto(src, out)
    img, x = image(83, 99, 2)  # every pool rounds up here
    ref64, ref32 = reference_seq(seq, names, sd, x, NIN_TAPS, "caffe")
    compare("nin.caffemodel (V2)", features("nin", out, NIN_TAPS, img), ref64, ref32)


def test_caffemodel_wire_variants():
    """Unpacked floats, double_data, V0 layers inside V1 records, BlobShape vs legacy dims: read alike."""
    g = np.random.default_rng(3)
    w, b = g.standard_normal((4, 3, 3, 3)).astype(np.float32), g.standard_normal(4).astype(np.float32)
    for v1 in (True, False):
        for packed in (True, False):
            p = path("small_%d_%d.caffemodel" % (v1, packed))
            peer_writers.write_caffemodel(p, [("c", "Convolution", [w, b], (3, 1, 1)), ("r", "ReLU", [], None)],
                                          v1=v1, packed=packed)
            layers = caffemodel.read(p)
            assert [(l.name, l.type) for l in layers] == [("c", "Convolution"), ("r", "ReLU")], (v1, packed)
            np.testing.assert_array_equal(layers[0].blobs[0].data, w)
            np.testing.assert_array_equal(layers[0].blobs[1].data.reshape(-1), b)
            assert layers[0].conv == {"kernel": (3, 3), "stride": (1, 1), "pad": (1, 1)}, layers[0].conv
    # A V0 layer (name 1, type 2, blobs 50) nested as field 1 of a V1 record, double_data: by hand.
    def key(n, wt):
        return bytes([(n << 3 | wt)]) if n < 16 else bytes([((n << 3 | wt) & 0x7F) | 0x80, (n << 3 | wt) >> 7])

    def ld(n, payload):
        return key(n, 2) + bytes([len(payload)]) + payload
    blob = ld(7, ld(1, bytes([2, 2]))) + ld(8, np.array([1.5, -2, 3, 4], "<f8").tobytes())
    v0 = ld(1, b"old") + ld(2, b"conv") + ld(50, blob)
    p = path("v0.caffemodel")
    open(p, "wb").write(ld(2, ld(1, v0)))
    (layer,) = caffemodel.read(p)
    assert layer.name == "old" and layer.type == "conv"
    np.testing.assert_array_equal(layer.blobs[0].data, [[1.5, -2], [3, 4]])


# ---- .pth: neural-style-pt's NIN and VGG19, torchvision's VGG19, pytorch/examples' TransformerNet ------------

def test_pth_nin():
    seq, names, sd = nin_state(8)
    src = path("nin_imagenet.pth")
    torch.save({"features." + k: v for k, v in sd.items()}, src)
    out = path("nin_pth.h5")
    r = convert_auto(src, out)
    assert "NIN" in r.stdout, r.stdout
    img, x = image(83, 99, 3)
    ref64, ref32 = reference_seq(seq, names, sd, x, NIN_TAPS, "caffe")
    compare("nin_imagenet.pth", features("nin", out, NIN_TAPS, img), ref64, ref32)


def test_pth_vgg19_names_and_preprocessing():
    """neural-style-pt's vgg19-d01eb7cb.pth (Caffe weights) and torchvision's vgg19-dcbb9e9d.pth: the same
    keys, told apart by the published name; any other name needs --preprocessing."""
    seq, _ = peer_nets.vgg_features(19)
    sd = {"features." + k: v for k, v in peer_nets.random_state_dict(seq, 5).items()}
    sd["classifier.0.weight"] = torch.zeros(2, 2)  # a stand-in classifier: dropped
    saved = path("vgg19_state_dict.pth")
    torch.save(sd, saved, _use_new_zipfile_serialization=False)  # the legacy format (the zip one: candy.pth below)
    for name, order in (("vgg19-d01eb7cb.pth", "BGR"), ("vgg19-dcbb9e9d.pth", "RGB")):
        src = path(name)
        os.link(saved, src)  # the same bytes under each published name
        out = src + ".h5"
        r = convert_auto(src, out)
        assert "dropped the classifier" in r.stdout, r.stdout
        with h5py.File(out, "r") as f:
            assert f.attrs["architecture"] == "vgg19_features" and f.attrs["channel_order"] == order
            assert "pool_ceil_mode" not in f.attrs  # neural-style-pt's and torchvision's pools floor
            np.testing.assert_array_equal(f["features.34.weight"][()], sd["features.34.weight"].numpy())
    other = path("my_vgg19.pth")
    shutil.copy(src, other)
    r = convert_auto(other, path("x.h5"), ok=False)
    assert "--preprocessing caffe" in r.stderr, r.stderr
    convert_auto(other, path("x.h5"), "--preprocessing", "caffe")
    with h5py.File(path("x.h5"), "r") as f:
        assert f.attrs["channel_order"] == "BGR"
    # vgg19().features.state_dict() saved alone: keys 0.weight, 2.weight, ... (new-user finding 9, fourth
    # pass). The same tensors as features.N: converted with a note, equal to the whole state dict's file.
    bare = path("vgg19_features_only.pth")
    torch.save({k[len("features."):]: v for k, v in sd.items() if k.startswith("features.")}, bare)
    r = convert_auto(bare, path("bare.h5"), "--preprocessing", "caffe")
    assert "keys read as features.N" in r.stdout and "dropped" not in r.stdout, r.stdout
    with h5py.File(path("bare.h5"), "r") as f, h5py.File(path("x.h5"), "r") as g:
        assert f.attrs["architecture"] == "vgg19_features"
        assert sorted(f.keys()) == sorted(g.keys())
        compared = [k for k in g if isinstance(g[k], h5py.Dataset)]
        assert len(compared) == 32, compared  # VGG19's 16 convs, weight and bias
        for k in compared:
            np.testing.assert_array_equal(f[k][()], g[k][()])


def examples_reference(sd, x, taps):
    net = peer_nets.TransformerNet()

    def run(dtype):
        net.load_state_dict({k: v.to(dtype) for k, v in sd.items()})
        net.to(dtype).eval()
        xin = peer_nets.preprocess(torch.from_numpy(x).to(dtype), "plain255")
        acts = net(xin, taps)
        if "output" in acts:  # back to [0,1], cropped as depthstyle crops odd sizes
            acts["output"] = peer_nets.deprocess(acts["output"], "plain255")[:, :, :x.shape[2], :x.shape[3]]
        return acts
    return both_precisions(run)


def test_pth_pytorch_examples_transformer():
    sd = peer_nets.random_state_dict(peer_nets.TransformerNet(), 11)
    legacy = dict(sd)
    for i in range(1, 6):  # old checkpoints (candy.pth, ...) hold InstanceNorm2d's deprecated buffers
        legacy["in%d.running_mean" % i] = torch.zeros(sd["in%d.weight" % i].shape)
        legacy["in%d.running_var" % i] = torch.ones(sd["in%d.weight" % i].shape)
    legacy["res1.in1.running_mean"] = torch.zeros(128)
    taps = ["conv2", "res3", "deconv1", "output"]
    img, x = image(30, 37, 4)  # odd sizes: the stride-2 convs round up and the output is cropped
    ref64, ref32 = examples_reference(sd, x, taps)
    for zip_format, obj in ((True, sd), (False, legacy)):
        src = path("candy_%d.pth" % zip_format)
        torch.save(obj, src, _use_new_zipfile_serialization=zip_format)
        out = src + ".h5"
        r = convert_auto(src, out)
        assert "transformer_graph" in r.stdout and "TransformerNet" in r.stdout, r.stdout
        with h5py.File(out, "r") as f:
            assert "in1.running_mean" not in f and float(f.attrs["value_scale"]) == 255.0
        compare("candy.pth (%s)" % ("zip" if zip_format else "legacy"), features("transformer", out, taps, img), ref64,
                ref32)


# ---- Torch7 .t7: jcjohnson/fast-neural-style models --------------------------------------------------------

# (file, arch, padding type, norm, preprocessing, oddities, taps (top-level module indices))
T7_MODELS = [
    ("candy_instance_norm.t7", "c9s1-32,d64,d128,R128,R128,R128,R128,R128,u64,u32,c9s1-3", "reflect-start", "instance",
     "vgg", False, ["4", "12", "16"]),
    ("eccv16_batch_norm.t7", "c9s1-32,d64,d128,R128,R128,U2,c3s1-64,U2,c3s1-32,c9s1-3", "reflect", "batch", "resnet",
     True, ["3", "11", "19"]),
]


def t7_reference(model, x, pre, taps):
    def run(dtype):
        acts = {}
        y = peer_nets.lua_forward(model, peer_nets.preprocess(torch.from_numpy(x).to(dtype), pre), acts)
        out = {t: acts[t] for t in taps}
        out["output"] = peer_nets.deprocess(y, pre)[:, :, :x.shape[2], :x.shape[3]]
        return out
    return both_precisions(run)


def test_t7_fast_neural_style():
    for name, arch, padding, norm, pre, odd, taps in T7_MODELS:
        model = peer_nets.fast_neural_style_model(arch, padding, norm, seed=len(name), oddities=odd)
        checkpoint = {"model": model, "opt": {"arch": arch, "padding_type": padding, "preprocessing": pre,
                                              "use_instance_norm": 1 if norm == "instance" else 0, "tanh_constant": 150}}
        src = path(name)
        peer_writers.write_t7(src, checkpoint)
        out = src + ".h5"
        r = convert_auto(src, out)
        assert "fast-neural-style" in r.stdout, r.stdout
        img, x = image(45, 52, len(name))  # reflection pads need > 40 px; the shaved blocks and the crop matter here
        ref64, ref32 = t7_reference(model, x, {"vgg": "caffe", "resnet": "torchvision"}[pre], taps)
        compare(name, features("transformer", out, taps + ["output"], img), ref64, ref32)


def test_t7_shared_storage_and_strides():
    """Tensors that are views: an offset into a storage shared with another tensor, and a transposed one."""
    base = peer_writers.T7Storage(np.arange(40, dtype=np.float32))
    obj = {"a": peer_writers.T7Tensor(base, 4, [2, 3], [3, 1]),
           "b": peer_writers.T7Tensor(base, 10, [3, 2], [1, 3]),  # transposed view
           "same": None}
    obj["same"] = obj["a"]
    p = path("views.t7")
    peer_writers.write_t7(p, obj)
    r = torch7.read(p)
    np.testing.assert_array_equal(r["a"], np.arange(4, 10).reshape(2, 3))
    np.testing.assert_array_equal(r["b"], np.arange(10, 16).reshape(2, 3).T)
    assert r["same"] is r["a"]


# ---- malformed files: clear errors ---------------------------------------------------------------------

def expect_error(src, *needles):
    r = convert_auto(src, path("bad.h5"), ok=False)
    for n in needles:
        assert n in r.stderr, "%r not in: %s" % (n, r.stderr)
    assert not os.path.exists(path("bad.h5"))
    return r.stderr


def truncated(src, name, fraction):
    data = open(src, "rb").read()
    p = path(name)
    open(p, "wb").write(data[:int(len(data) * fraction)])
    return p


def test_malformed_caffemodels():
    vgg = path("VGG_ILSVRC_19_layers.caffemodel")
    if not os.path.exists(vgg):
        test_caffemodel_vgg19_v1()
    expect_error(truncated(vgg, "vgg19_half.caffemodel", 0.5), "vgg19_half.caffemodel", "past the end", "byte offset")
    p = path("wiretype.caffemodel")
    open(p, "wb").write(b"\x17" + open(vgg, "rb").read(4096))  # field 2 with wire type 7, which does not exist
    expect_error(p, "not a format")  # the first key is not a NetParameter field: not taken for a Caffe model
    data = bytearray(open(vgg, "rb").read())
    first_layer = next(v for n, wt, v, at in caffemodel.fields(memoryview(data), 0, len(data), vgg) if n == 2)
    data[first_layer[0]] = (5 << 3) | 7  # the first key inside the first layer record
    open(p, "wb").write(bytes(data))
    expect_error(p, "wire type 7 of field 5", "byte offset %d" % first_layer[0])
    # NIN with conv3's weights 5x5 instead of 3x3, and NIN with conv1's stride 2 instead of 4.
    seq, names, sd = nin_state(9)
    geometry = [(4, 0), (1, 0), (1, 0), (1, 2), (1, 0), (1, 0), (1, 1), (1, 0), (1, 0), (1, 1), (1, 0), (1, 0)]
    layers = caffe_layers(seq, names, sd, caffemodel.NIN_NAMES, geometry)
    i = next(k for k, l in enumerate(layers) if l[0] == "conv3")
    good = layers[i]
    layers[i] = ("conv3", "Convolution", [np.zeros((384, 256, 5, 5), np.float32), good[2][1]], (5, 1, 1))
    peer_writers.write_caffemodel(path("nin_shape.caffemodel"), layers, v1=False)
    expect_error(path("nin_shape.caffemodel"), "layer conv3", "[384, 256, 5, 5]", "[384, 256, 3, 3]")
    layers[i] = good
    layers[0] = layers[0][:3] + ((11, 2, 0),)
    peer_writers.write_caffemodel(path("nin_stride.caffemodel"), layers, v1=False)
    expect_error(path("nin_stride.caffemodel"), "layer conv1", "stride (2, 2)", "stride 4")
    # A model that is none of the three.
    peer_writers.write_caffemodel(path("other.caffemodel"), [("conv1", "Convolution", [np.ones((2, 3, 3, 3), np.float32),
                                                                                     np.ones(2, np.float32)], (3, 1, 0))])
    expect_error(path("other.caffemodel"), "not VGG16, VGG19 or NIN", "conv1")


def test_malformed_t7():
    name = T7_MODELS[0][0]
    src = path(name)
    if not os.path.exists(src):
        test_t7_fast_neural_style()
    expect_error(truncated(src, "candy_cut.t7", 0.6), "truncated", "byte offset")
    data = bytearray(open(src, "rb").read())
    data[8:12] = (9).to_bytes(4, "little")  # the table size field of the checkpoint: fine; a bad tag instead:
    data[12:16] = (11).to_bytes(4, "little")
    p = path("tag.t7")
    open(p, "wb").write(bytes(data))
    expect_error(p, "unknown type tag 11", "byte offset 12")
    # A module the converter does not map: named with its path.
    model = peer_nets.fast_neural_style_model("c9s1-32,d64,c9s1-3", "zero", "instance", seed=1)
    model.fields["modules"][3] = peer_nets.LuaModule("nn.Linear", weight=np.ones((2, 2), np.float32))
    peer_writers.write_t7(path("linear.t7"), {"model": model, "opt": {}})
    expect_error(path("linear.t7"), "module 3", "nn.Linear", "not supported")
    # Channels that do not chain (a conv expecting 16 channels after one giving 32).
    model = peer_nets.fast_neural_style_model("c9s1-32,d64,c9s1-3", "zero", "instance", seed=1)
    model.fields["modules"][4] = peer_nets._Init(2).conv("nn.SpatialConvolution", 16, 64, 3, 2, 1)
    peer_writers.write_t7(path("chain.t7"), {"model": model})
    expect_error(path("chain.t7"), "module 4", "takes 16 channels")
    open(path("ascii.t7"), "w").write("4\n1\n3\nV 1\n")
    expect_error(path("ascii.t7"), "ASCII")
    # fast-neural-style's -padding_type none: every 9x9 and 3x3 convolution shrinks the image
    # (the residual shortcuts are shaved to match), so no size comes out at its own size.
    # Refused at conversion, not only by the commands that would load the file (break-it
    # finding 5 of the third pass).
    for arch in ("c9s1-32,d64,d128,R128,R128,u64,u32,c9s1-3", "c9s1-32,d64,d128,R128,U2,c3s1-64,U2,c3s1-32,c9s1-3"):
        model = peer_nets.fast_neural_style_model(arch, "none", "instance", seed=3)
        peer_writers.write_t7(path("unpadded.t7"), {"model": model, "opt": {"arch": arch, "padding_type": "none"}})
        expect_error(path("unpadded.t7"), "unpadded.t7", "smaller than its input at every size", "1024 px in",
                     "-padding_type none")


def test_malformed_pth_and_foreign():
    sd = peer_nets.random_state_dict(peer_nets.TransformerNet(), 1)
    del sd["res4.in2.bias"]
    torch.save(sd, path("missing.pth"))
    expect_error(path("missing.pth"), "res4.in2.bias", "missing")
    sd = peer_nets.random_state_dict(peer_nets.TransformerNet(), 1)
    sd["res9.conv1.conv2d.weight"] = torch.zeros(1)
    torch.save(sd, path("extra.pth"))
    expect_error(path("extra.pth"), "res9.conv1.conv2d.weight")
    # A zip-format .pth cut short (an interrupted download): its central directory is gone
    # (new-user finding 10, fourth pass: the message was about pickle persistent ids).
    torch.save(peer_nets.random_state_dict(peer_nets.TransformerNet(), 2), path("whole.pth"))
    cut = truncated(path("whole.pth"), "cut.pth", 0.6)
    expect_error(cut, "cut.pth: a zip (PyTorch) file without its central directory", "truncated (%d bytes"
                 % os.path.getsize(cut))
    open(path("photo.png"), "wb").write(b"\x89PNG\r\n\x1a\n" + bytes(100))
    expect_error(path("photo.png"), "not a format convert.py recognises", "89 50 4e 47")
    open(path("deploy.prototxt"), "w").write('name: "VGG_ILSVRC_19_layers"\ninput: "data"\n')
    expect_error(path("deploy.prototxt"), ".prototxt", "give the .caffemodel")
    open(path("empty.t7"), "wb").close()
    expect_error(path("empty.t7"), "empty file")


def test_nonfinite_weights_refused():
    """A diverged training run's checkpoint (NaN or infinite weights) is refused, naming the file, each tensor and
    the counts, and nothing is written: converted, it ran and gave a plausible but wrong image (ReLU maps NaN to 0)."""
    sd = peer_nets.random_state_dict(peer_nets.TransformerNet(), 5)
    sd["res2.conv1.conv2d.weight"].fill_(float("nan"))
    n = sd["res2.conv1.conv2d.weight"].numel()
    torch.save(sd, path("nan2.pth"))
    expect_error(path("nan2.pth"), "nan2.pth: res2.conv1.conv2d.weight holds %d NaN values (of %d)" % (n, n),
                 "a diverged training run? nothing written")
    sd = peer_nets.random_state_dict(peer_nets.TransformerNet(), 5)
    sd["conv1.conv2d.weight"][0, 1, 2, 3] = float("nan")
    sd["in1.bias"][3] = float("-inf")
    torch.save(sd, path("nan1.pth"), _use_new_zipfile_serialization=False)
    err = expect_error(path("nan1.pth"), "conv1.conv2d.weight holds 1 NaN value (of %d)" % sd["conv1.conv2d.weight"].numel(),
                       "in1.bias holds 1 infinite value (of 32)")
    assert "res2" not in err, err
    # float64 weights beyond float32's range would become infinite in the file
    sd = peer_nets.random_state_dict(peer_nets.TransformerNet(), 5, torch.float64)
    sd["deconv1.conv2d.bias"][0] = 1e300
    torch.save(sd, path("huge.pth"))
    expect_error(path("huge.pth"), "deconv1.conv2d.bias holds 1 infinite value (of 64)")
    # a fast-neural-style .t7 the same
    model = peer_nets.fast_neural_style_model("c9s1-32,d64,u32,c9s1-3", "zero", "instance", seed=1)
    mods = model.fields["modules"]
    w = next(m for m in (mods.values() if isinstance(mods, dict) else mods) if "weight" in m.fields).fields["weight"]
    w.flat[7] = np.nan
    peer_writers.write_t7(path("nan.t7"), {"model": model})
    expect_error(path("nan.t7"), "nan.t7: ", "holds 1 NaN value (of %d)" % w.size, "nothing written")


def test_whole_model_and_dataparallel_files():
    """torch.save(model) is refused with the file and the one line that saves the weights; a DataParallel state
    dict ('module.' before every key) converts as the plain state dict does, saying that the prefix was stripped."""
    net = peer_nets.TransformerNet()
    for zip_format in (True, False):
        src = path("whole_%d.pth" % zip_format)
        torch.save(net, src, _use_new_zipfile_serialization=zip_format)
        expect_error(src, src + ": holds a pickled", "peer_nets.TransformerNet", "torch.save(model)",
                     "torch.save(model.state_dict(), 'weights.pth')")
    net.load_state_dict(peer_nets.random_state_dict(net, 6))
    dp = torch.nn.DataParallel(net).state_dict()
    assert all(k.startswith("module.") for k in dp)
    torch.save(net.state_dict(), path("plain.pth"))
    torch.save(dp, path("dp.pth"))
    convert_auto(path("plain.pth"), path("plain.h5"))
    r = convert_auto(path("dp.pth"), path("dp.h5"))
    assert "every key starts with 'module.'" in r.stdout and "stripped it" in r.stdout, r.stdout
    assert "TransformerNet" in r.stdout, r.stdout
    with h5py.File(path("plain.h5"), "r") as a, h5py.File(path("dp.h5"), "r") as b:
        assert sorted(a) == sorted(b) and a.attrs["graph"] == b.attrs["graph"]
        for k in a:
            assert np.array_equal(a[k][()], b[k][()]), k


def test_output_never_replaces_input():
    sd = peer_nets.random_state_dict(peer_nets.TransformerNet(), 2)
    src = path("self.pth")
    torch.save(sd, src)
    before = open(src, "rb").read()
    r = common.convert("auto", src, "-o", src, ok=False)
    assert "is the input" in r.stderr, r.stderr
    assert open(src, "rb").read() == before


# ---- real published files, when present --------------------------------------------------------------------
# Not committed (the project keeps others' files out of git): copy them into PEER_FILES to run these.
# torchfile: github.com/bshillingford/python-torchfile, testfiles_x86_64/ (BSD-3-Clause; written by Torch7
# on Linux x86_64), commit fbd434a5b5562c88b91a95e6476e11dbb7735436. LeNet: github.com/ethereon/caffe-tensorflow
# examples/mnist/lenet_iter_10000.caffemodel (BVLC Caffe's MNIST example, trained with Caffe; MIT / BSD-2).
PEER_FILES = os.environ.get("DEPTHSTYLE_PEER_FILES") or os.path.join(common.data_dir(), "peer-files")
KNOWN_PEER_FILES = {  # sha256 of the published files
    "torchfile/doubletensor.t7": "cbc78dd5cf41c97d4c01558808db9a8f4400d752cf5bf6b549a7789e060c2e5c",
    "torchfile/floattensor.t7": "0443213a984483590dc4ebbe1fda651d946b4f61e2f7b679f6b51f09332b8c7e",
    "torchfile/hello=123.t7": "65a9af36ffeb79835f18fd9cc5309629429c63b72b6f1f5b54cce5ee89c39419",
    "torchfile/list_table.t7": "09163c47ccc06a9285d808b45cde5c0482ba1a34c2a25f1252a79b374c6f33ae",
    "torchfile/custom_class.t7": "eefd36a3699319ed3396579e89750df573ab9951765ae611eefe27a3df8e2e87",
    "torchfile/recursive_class.t7": "81bbc76148a324dc9dc378ddc49cf4149fafe15914feb082982190f4e18b79b0",
    "torchfile/recursive_kv_table.t7": "f1f44b5c7dc2d0de047bf431c3ca8c078f54f5777fa5b0a9dbb6bec57019bb64",
    "torchfile/gmodule_with_linear_identity.t7": "381f1f612e4d887bc30a07cdc00c801c391ee1c23a962277aa0660688a4d6aad",
    "caffe-tensorflow/lenet_iter_10000.caffemodel": "846f9133807d2314ca63382069646ec8c11ac87881825efc6b5145339351f967",
}


def peer_file(rel):
    """The path of a published file, checked against its sha256 (a present file that differs fails)."""
    p = os.path.join(PEER_FILES, rel)
    digest = hashlib.sha256(open(p, "rb").read()).hexdigest()
    assert digest == KNOWN_PEER_FILES[rel], "%s: sha256 %s, expected %s" % (p, digest, KNOWN_PEER_FILES[rel])
    return p


def test_real_torch7_files():
    if not os.path.isdir(os.path.join(PEER_FILES, "torchfile")):
        print("skipped (these checks): no %s/torchfile (set DEPTHSTYLE_PEER_FILES)" % PEER_FILES)
        return
    # Values as python-torchfile's own tests.py states them for these files.
    np.testing.assert_array_equal(torch7.read(peer_file("torchfile/doubletensor.t7")), [[1, 2, 3], [4, 5, 6.9]])
    f32 = torch7.read(peer_file("torchfile/floattensor.t7"))
    assert f32.dtype == np.float32 and abs(float(f32.astype(np.float64).sum()) - 12.97241666913) < 1e-5
    assert torch7.read(peer_file("torchfile/hello=123.t7")) == {"hello": 123}
    assert torch7.read(peer_file("torchfile/list_table.t7")) == {1: "hello", 2: "world", 3: "third item", 4: 123}
    assert torch7.read(peer_file("torchfile/custom_class.t7")).cls == "Blah"
    rc = torch7.read(peer_file("torchfile/recursive_class.t7"))
    assert rc["a"] is rc
    kv = torch7.read(peer_file("torchfile/recursive_kv_table.t7"))
    (v,) = kv.values()
    assert v is kv
    g = torch7.read(peer_file("torchfile/gmodule_with_linear_identity.t7"))
    kinds = sorted(m.cls for m in g["modules"].values())
    assert kinds == ["nn.CAddTable", "nn.Identity", "nn.Identity", "nn.Linear"], kinds
    lin = next(m for m in g["modules"].values() if m.cls == "nn.Linear")
    assert lin["weight"].shape == (2, 1) and lin["bias"].shape == (2,)
    expect_error(peer_file("torchfile/gmodule_with_linear_identity.t7"), "nn.gModule, not an nn.Sequential")


def test_real_caffemodel():
    rel = "caffe-tensorflow/lenet_iter_10000.caffemodel"
    if not os.path.exists(os.path.join(PEER_FILES, rel)):
        print("skipped (this check): no %s/%s (set DEPTHSTYLE_PEER_FILES)" % (PEER_FILES, rel))
        return
    p = peer_file(rel)
    layers = {l.name: l for l in caffemodel.read(p)}
    # Caffe's MNIST LeNet (examples/mnist/lenet_train_test.prototxt): conv 20 5x5, conv 50 5x5, ip 500, ip 10.
    assert layers["conv1"].blobs[0].shape == (20, 1, 5, 5) and layers["conv2"].blobs[0].shape == (50, 20, 5, 5)
    assert layers["ip1"].blobs[0].data.reshape(500, -1).shape == (500, 800)
    assert layers["ip2"].blobs[0].data.reshape(10, -1).shape == (10, 500)
    assert layers["conv1"].conv == {"kernel": (5, 5), "stride": (1, 1), "pad": (0, 0)}
    assert all(np.isfinite(b.data).all() for l in layers.values() for b in l.blobs)
    expect_error(p, "not VGG16, VGG19 or NIN", "conv1, conv2, ip1, ip2")


def test_print_errors():
    """Prints every fixture's error against its tolerance (the closing notes quote these)."""
    for fixture, tap, err, e_torch, tol in RESULTS:
        print("  %-28s %-8s error %.2e  PyTorch float32 %.2e  tolerance %.2e" % (fixture, tap, err, e_torch, tol))


if __name__ == "__main__":
    common.run(globals())
