"""ncnn models (`.param` text graph + `.bin` weights): SqueezeNet 1.1 exported by pnnx.

`.param`: line 1 the magic 7767517, line 2 "<layer count> <blob count>", then one layer a
line: type, name, input count, output count, input blobs, output blobs, then key=value
parameters. For a Convolution: 0=num_output 1=kernel_w 11=kernel_h 5=bias_term
6=weight_data_size (others: stride, pad, activation, not needed for the weights).

`.bin`: the weights of the layers in `.param` order. A Convolution stores its weight blob
as a 4-byte tag then the data, and its bias (when bias_term=1) as raw float32 without a
tag. Tag 0x01306B47: fp16 data, padded to a multiple of 4 bytes; tag 0: float32 data.
The weights are OIHW (num_output, in, kh, kw). The file must be consumed exactly.
"""

import collections
import re
import struct

import numpy as np

import archs

TAG_FP16 = 0x01306B47
TAG_FP32 = 0


class NcnnError(ValueError):
    pass


def parse_param(path):
    """List of (type, name, params dict of int key -> str value)."""
    with open(path) as f:
        lines = [ln.split() for ln in f if ln.strip()]
    if not lines or lines[0] != ["7767517"]:
        raise NcnnError("%s: not an ncnn .param file (magic 7767517 missing)" % path)
    nlayers = int(lines[1][0])
    layers = []
    for ln in lines[2:]:
        ltype, name, nin, nout = ln[0], ln[1], int(ln[2]), int(ln[3])
        params = {}
        for kv in ln[4 + nin + nout:]:
            k, v = kv.split("=", 1)
            params[int(k)] = v
        layers.append((ltype, name, params))
    if len(layers) != nlayers:
        raise NcnnError("%s: header says %d layers, found %d" % (path, nlayers, len(layers)))
    return layers


def read_convolutions(param_path, bin_path):
    """OrderedDict ncnn layer name -> (weight OIHW float32, bias float32 or None)."""
    with open(bin_path, "rb") as f:
        data = f.read()
    pos = 0
    convs = collections.OrderedDict()
    for ltype, name, p in parse_param(param_path):
        if ltype not in ("Convolution", "ConvolutionDepthWise", "InnerProduct"):
            continue
        if ltype != "Convolution":
            raise NcnnError("%s: layer %s of type %s is not supported" % (param_path, name, ltype))
        cout, kw = int(p[0]), int(p.get(1, 0))
        kh = int(p.get(11, kw))
        size = int(p[6])
        if size % (cout * kh * kw):
            raise NcnnError("%s: %s weight_data_size %d not a multiple of %d" % (param_path, name, size, cout * kh * kw))
        cin = size // (cout * kh * kw)
        if pos + 4 > len(data):
            raise NcnnError("%s: ends before the weights of %s" % (bin_path, name))
        tag = struct.unpack_from("<I", data, pos)[0]
        pos += 4
        if tag == TAG_FP16:
            nbytes = (size * 2 + 3) // 4 * 4
            dtype = "<f2"
        elif tag == TAG_FP32:
            nbytes, dtype = size * 4, "<f4"
        else:
            raise NcnnError("%s: %s has weight tag 0x%08X at byte %d (supported: fp16 0x%08X, fp32 0)"
                            % (bin_path, name, tag, pos - 4, TAG_FP16))
        if pos + nbytes > len(data):
            raise NcnnError("%s: ends inside the weights of %s" % (bin_path, name))
        w = np.frombuffer(data, dtype, size, pos).astype(np.float32).reshape(cout, cin, kh, kw)
        pos += nbytes
        b = None
        if int(p.get(5, 0)):
            if pos + 4 * cout > len(data):
                raise NcnnError("%s: ends inside the bias of %s" % (bin_path, name))
            b = np.frombuffer(data, "<f4", cout, pos).copy()
            pos += 4 * cout
        convs[name] = (w, b)
    if pos != len(data):
        raise NcnnError("%s: %d bytes left over after the last layer (file not consumed exactly: "
                        "wrong .param or corrupt .bin)" % (bin_path, len(data) - pos))
    return convs


def squeezenet_name(ncnn_name):
    """torchvision name prefix of a pnnx-exported SqueezeNet 1.1 layer `convrelu_N`."""
    m = re.fullmatch(r"convrelu_(\d+)", ncnn_name)
    if not m:
        raise NcnnError("unexpected layer name %s" % ncnn_name)
    n = int(m.group(1))
    if n == 0:
        return "features.0"
    if n == 25:
        return "classifier.1"
    k, r = (n + 2) // 3, n % 3  # fire k: 3k-2 squeeze (r=1), 3k-1 expand3x3 (r=2), 3k expand1x1 (r=0)
    idx = archs.SQUEEZENET_FIRES[k - 1][0]
    return "features.%d.%s" % (idx, {1: "squeeze", 2: "expand3x3", 0: "expand1x1"}[r])


def convert_squeezenet(param_path, bin_path):
    convs = read_convolutions(param_path, bin_path)
    named = {}
    for ncnn_name, (w, b) in convs.items():
        if b is None:
            raise NcnnError("%s: %s has no bias" % (param_path, ncnn_name))
        p = squeezenet_name(ncnn_name)
        named[p + ".weight"], named[p + ".bias"] = w, b
    # Write in the documented (torchvision) order.
    params = collections.OrderedDict()
    for name, _ in archs.squeezenet1_1(False):
        if name in named:
            params[name] = named[name]
    for name in named:
        if name not in params:
            params[name] = named[name]
    return params
