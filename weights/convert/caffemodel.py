"""Reads Caffe `.caffemodel` files (a binary protobuf NetParameter) WITHOUT Caffe or protobuf.

The protobuf wire format: a message is a sequence of fields, each a varint key
(field number << 3 | wire type) then a value: wire type 0 a varint, 1 eight bytes, 2 a varint
length and that many bytes (strings, sub-messages, packed repeated numbers), 5 four bytes
(3 and 4, groups, are not used by caffe.proto). The subset of BVLC caffe.proto read here:
  NetParameter:      name 1, layers 2 (V1LayerParameter, the format of the 2014-2015 models such
                     as VGG_ILSVRC_19_layers.caffemodel), layer 100 (LayerParameter, later models)
  V1LayerParameter:  name 4, type 5 (enum: CONVOLUTION 4, INNER_PRODUCT 14, ...), blobs 6,
                     convolution_param 10; a V0 layer nested as field 1 (name 1, type 2, blobs 50)
  LayerParameter:    name 1, type 2 (string), blobs 7, convolution_param 106
  BlobProto:         num 1, channels 2, height 3, width 4 (legacy 4-D shape), data 5 (float,
                     packed or not), shape 7 (BlobShape: dim 1, int64, packed or not), double_data 8
  ConvolutionParameter: num_output 1, pad 3, kernel_size 4, stride 6, pad_h 9, pad_w 10,
                     kernel_h 11, kernel_w 12, stride_h 13, stride_w 14
Every malformed input is a CaffeError naming the byte offset (a truncated file, a bad wire type,
a length past the end) or the layer (a blob whose data does not fill its shape).
"""

import struct

import numpy as np

import archs

V1_TYPES = {4: "Convolution", 14: "InnerProduct", 17: "Pooling", 18: "ReLU", 6: "Dropout", 20: "Softmax", 5: "Data",
            15: "LRN", 3: "Concat", 39: "Deconvolution"}


class CaffeError(ValueError):
    pass


def _varint(data, pos, end, path):
    v, shift = 0, 0
    while True:
        if pos >= end:
            raise CaffeError("%s: truncated varint at byte offset %d" % (path, pos))
        b = data[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        if not b & 0x80:
            return v, pos
        shift += 7
        if shift > 63:
            raise CaffeError("%s: varint longer than 10 bytes at byte offset %d" % (path, pos))


def fields(data, start, end, path):
    """[(field number, wire type, value, offset)] of the message in data[start:end]; values of
    wire type 2 are (start, end) spans of data, the others integers (fixed ones as raw ints)."""
    out, pos = [], start
    while pos < end:
        at = pos
        key, pos = _varint(data, pos, end, path)
        num, wt = key >> 3, key & 7
        if num == 0:
            raise CaffeError("%s: field number 0 at byte offset %d (not a protobuf message)" % (path, at))
        if wt == 0:
            v, pos = _varint(data, pos, end, path)
        elif wt in (1, 5):
            n = 8 if wt == 1 else 4
            if pos + n > end:
                raise CaffeError("%s: truncated %d-byte field %d at byte offset %d" % (path, n, num, at))
            v = int.from_bytes(data[pos:pos + n], "little")
            pos += n
        elif wt == 2:
            n, pos = _varint(data, pos, end, path)
            if pos + n > end:
                raise CaffeError("%s: field %d at byte offset %d is %d bytes long, past the end of its message "
                                 "(truncated or not a Caffe model)" % (path, num, at, n))
            v = (pos, pos + n)
            pos += n
        else:
            raise CaffeError("%s: wire type %d of field %d at byte offset %d (not a Caffe model, or a corrupt one)"
                             % (path, wt, num, at))
        out.append((num, wt, v, at))
    return out


class Blob:
    def __init__(self, shape, data):
        self.shape, self.data = shape, data


class Layer:
    def __init__(self, name, type_, blobs, conv):
        self.name, self.type, self.blobs, self.conv = name, type_, blobs, conv


def _string(data, span):
    return bytes(data[span[0]:span[1]]).decode("utf-8", "replace")


def _numbers(data, fs, num, fmt, path, what):
    """Repeated numbers of field `num`, packed (wire type 2) or one per field."""
    parts = []
    size = struct.calcsize(fmt)
    for n, wt, v, at in fs:
        if n != num:
            continue
        if wt == 2:
            if (v[1] - v[0]) % size:
                raise CaffeError("%s: %s: packed data of %d bytes is not a whole number of %d-byte values (byte offset %d)"
                                 % (path, what, v[1] - v[0], size, at))
            parts.append(np.frombuffer(data, "<" + fmt, (v[1] - v[0]) // size, v[0]))
        elif (wt == 5 and size == 4) or (wt == 1 and size == 8):
            parts.append(np.frombuffer(v.to_bytes(size, "little"), "<" + fmt))
        else:
            raise CaffeError("%s: %s: field %d has wire type %d (byte offset %d)" % (path, what, num, wt, at))
    return np.concatenate(parts) if parts else np.zeros(0, "<" + fmt)


def _ints(data, fs, num, path, what):
    """Repeated varint field `num`, packed or not."""
    out = []
    for n, wt, v, at in fs:
        if n != num:
            continue
        if wt == 0:
            out.append(v)
        elif wt == 2:
            pos = v[0]
            while pos < v[1]:
                x, pos = _varint(data, pos, v[1], path)
                out.append(x)
        else:
            raise CaffeError("%s: %s: field %d has wire type %d (byte offset %d)" % (path, what, num, wt, at))
    return [x - (1 << 64) if x >= 1 << 63 else x for x in out]


def _blob(data, span, path, what):
    fs = fields(data, span[0], span[1], path)
    shape = None
    for n, wt, v, at in fs:
        if n == 7:
            if wt != 2:
                raise CaffeError("%s: %s: shape has wire type %d" % (path, what, wt))
            shape = tuple(_ints(data, fields(data, v[0], v[1], path), 1, path, what + " shape"))
    if shape is None:
        legacy = {n: v for n, wt, v, _ in fs if n in (1, 2, 3, 4) and wt == 0}
        shape = tuple(legacy.get(n, 1) for n in (1, 2, 3, 4)) if legacy else None
    values = _numbers(data, fs, 5, "f", path, what + " data")
    if values.size == 0:
        values = _numbers(data, fs, 8, "d", path, what + " double_data").astype(np.float32)
    if shape is None:
        shape = (values.size,)
    if min(shape, default=1) < 0 or int(np.prod(shape)) != values.size:
        raise CaffeError("%s: %s has shape %s (%d values) but holds %d values"
                         % (path, what, list(shape), int(np.prod(shape)), values.size))
    return Blob(shape, values.astype(np.float32).reshape(shape))


def _conv_param(data, span, path, what):
    fs = fields(data, span[0], span[1], path)
    ints = {n: _ints(data, fs, n, path, what) for n in (1, 3, 4, 6, 9, 10, 11, 12, 13, 14)}

    def pick(single, h, w, default):
        if ints[h] or ints[w]:
            return ints[h][0] if ints[h] else default, ints[w][0] if ints[w] else default
        v = ints[single]
        return (v[0], v[-1]) if v else (default, default)
    return {"kernel": pick(4, 11, 12, 0), "stride": pick(6, 13, 14, 1), "pad": pick(3, 9, 10, 0)}


def read(path):
    """The layers of a .caffemodel: [Layer(name, type, [Blob], conv params or None)], in file order."""
    with open(path, "rb") as f:
        data = memoryview(f.read())
    if len(data) == 0:
        raise CaffeError("%s: empty file" % path)
    layers = []
    for n, wt, v, at in fields(data, 0, len(data), path):
        if n not in (2, 100):
            continue
        if wt != 2:
            raise CaffeError("%s: layer field %d with wire type %d at byte offset %d" % (path, n, wt, at))
        v1 = n == 2
        fs = fields(data, v[0], v[1], path)
        name_f, type_f, blob_f, conv_f = (4, 5, 6, 10) if v1 else (1, 2, 7, 106)
        if v1 and not any(x[0] in (4, 6) for x in fs):  # a V0 layer inside a V1 record
            for x in fs:
                if x[0] == 1 and x[1] == 2:
                    fs = fields(data, x[2][0], x[2][1], path)
                    name_f, type_f, blob_f, conv_f = 1, 2, 50, None
        name, type_, conv = "", "", None
        for x in fs:
            if x[0] == name_f and x[1] == 2:
                name = _string(data, x[2])
            elif x[0] == type_f:
                type_ = V1_TYPES.get(x[2], "type %d" % x[2]) if x[1] == 0 else _string(data, x[2])
            elif conv_f and x[0] == conv_f and x[1] == 2:
                conv = _conv_param(data, x[2], path, "layer %s convolution_param" % name)
        blobs = [_blob(data, x[2], path, "layer %r blob %d" % (name, i))
                 for i, x in enumerate(y for y in fs if y[0] == blob_f and y[1] == 2)]
        layers.append(Layer(name, type_, blobs, conv))
    if not layers:
        raise CaffeError("%s: no layers (not a Caffe model: a NetParameter has layer or layers fields)" % path)
    return layers


# ---- VGG16, VGG19, NIN -------------------------------------------------------------------

def _vgg_names(depth):
    convs = {16: [2, 2, 3, 3, 3], 19: [2, 2, 4, 4, 4]}[depth]
    return ["conv%d_%d" % (b + 1, c + 1) for b in range(5) for c in range(convs[b])]


NIN_NAMES = ["conv1", "cccp1", "cccp2", "conv2", "cccp3", "cccp4", "conv3", "cccp5", "cccp6", "conv4-1024",
             "cccp7-1024", "cccp8-1024"]
# (stride, pad) of each NIN conv, as in the model zoo's train_val.prototxt and neural-style-pt's NIN class.
NIN_GEOMETRY = [(4, 0), (1, 0), (1, 0), (1, 2), (1, 0), (1, 0), (1, 1), (1, 0), (1, 0), (1, 1), (1, 0), (1, 0)]
KNOWN = {"vgg16_features": _vgg_names(16), "vgg19_features": _vgg_names(19), "nin": NIN_NAMES}
DROPPED = {"fc6", "fc7", "fc8"}  # VGG's classifier: unused by the style losses


def convert(path):
    """(architecture, params, extra attributes, note) for a VGG16, VGG19 or NIN .caffemodel."""
    layers = [l for l in read(path) if l.blobs]
    names = [l.name for l in layers]
    kept = [n for n in names if n not in DROPPED]
    arch = next((a for a, want in KNOWN.items() if kept == want), None)
    if arch is None:
        raise CaffeError("%s: a Caffe model with parameter layers %s: not VGG16, VGG19 or NIN (the networks this "
                         "converter maps; their layers are conv1_1 ... conv5_3 / conv5_4, or conv1, cccp1, ... "
                         "cccp8-1024)" % (path, ", ".join(names[:20]) + (" ..." if len(names) > 20 else "")))
    expected = archs.expected(arch)
    params = {}
    for i, layer in enumerate(l for l in layers if l.name in kept):
        (wname, wshape), (bname, bshape) = expected[2 * i], expected[2 * i + 1]
        if len(layer.blobs) != 2:
            raise CaffeError("%s: layer %s has %d blobs, expected 2 (weights and bias)" % (path, layer.name, len(layer.blobs)))
        w, b = layer.blobs
        if w.data.size != archs.numel(wshape) or w.data.ndim != 4 or tuple(w.shape) != tuple(wshape):
            raise CaffeError("%s: layer %s: weights of shape %s, expected %s for %s"
                             % (path, layer.name, list(w.shape), list(wshape), arch))
        if b.data.size != bshape[0]:
            raise CaffeError("%s: layer %s: bias of shape %s, expected %s" % (path, layer.name, list(b.shape), list(bshape)))
        if layer.conv is not None:
            k = wshape[2]
            stride, pad = NIN_GEOMETRY[i] if arch == "nin" else (1, 1)
            got = (layer.conv["kernel"], layer.conv["stride"], layer.conv["pad"])
            if got != ((k, k), (stride, stride), (pad, pad)):
                raise CaffeError("%s: layer %s: kernel %s, stride %s, pad %s; %s has kernel %d, stride %d, pad %d"
                                 % (path, layer.name, got[0], got[1], got[2], arch, k, stride, pad))
        params[wname] = w.data
        params[bname] = b.data.reshape(bshape)
    dropped = [n for n in names if n in DROPPED]
    note = "dropped %s (the classifier)" % ", ".join(dropped) if dropped else ""
    # Caffe's pools round up; the NIN model always does (its pools are defined so).
    extra = {} if arch == "nin" else {"pool_ceil_mode": np.int32(1)}
    return arch, params, extra, note


# NetParameter's fields and their wire types: name 1, layers 2, input 3, input_dim 4 (varint or packed),
# force_backward 5, state 6, debug_info 7, input_shape 8, layer 100.
NET_FIELDS = {1: (2,), 2: (2,), 3: (2,), 4: (0, 2), 5: (0,), 6: (2,), 7: (0,), 8: (2,), 100: (2,)}


def looks_like_caffemodel(head):
    """True when the file's first bytes are a NetParameter field key (then convert() reads it all
    and names what is wrong, a truncation included)."""
    try:
        key, _ = _varint(head, 0, min(len(head), 10), "head")
    except CaffeError:
        return False
    return (key & 7) in NET_FIELDS.get(key >> 3, ())
