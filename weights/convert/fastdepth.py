#!/usr/bin/python3
"""FastDepth (MobileNet-NNConv5, pruned) from OpenMV's int8 TFLite file -> `fastdepth`.

The TFLite graph is checked operator by operator against the layer sequence documented in
docs/weights-format.md (LAYERS below is that sequence), so a different graph is refused
instead of silently producing wrong weights. Weights are dequantised per output channel:
  w = scale[c] * (q - zero_point[c]),  bias = q_bias * input_scale * weight_scale[c]
and stored as float32 OIHW (depthwise: [C, 1, kh, kw]).

Run as a script to print the graph as a Markdown table (the table in the doc).
"""

import argparse
import collections
import sys

import numpy as np

import archs
import tflite


class FastDepthError(ValueError):
    pass


def layers():
    """The documented layer sequence: dicts with op, name, kernel, stride, pad, act, cin, cout, skip, resize."""
    seq = [dict(op="CONV_2D", name="encoder.conv0", k=3, stride=2, pad=1, act="RELU6", cin=3, cout=16)]
    c = 16
    for i, (stride, co) in enumerate(archs.FASTDEPTH_ENCODER, 1):
        seq.append(dict(op="DEPTHWISE_CONV_2D", name="encoder.conv%d.dw" % i, k=3, stride=stride, pad=1,
                        act="RELU6", cin=c, cout=c))
        seq.append(dict(op="CONV_2D", name="encoder.conv%d.pw" % i, k=1, stride=1, pad=0, act="RELU6", cin=c, cout=co))
        c = co
    skips = {2: "encoder.conv5.pw", 3: "encoder.conv3.pw", 4: "encoder.conv1.pw"}
    for i, co in enumerate(archs.FASTDEPTH_DECODER, 1):
        seq.append(dict(op="DEPTHWISE_CONV_2D", name="decoder.conv%d.dw" % i, k=5, stride=1, pad=2, act="RELU",
                        cin=c, cout=c))
        seq.append(dict(op="CONV_2D", name="decoder.conv%d.pw" % i, k=1, stride=1, pad=0, act="RELU", cin=c, cout=co,
                        resize=2, skip=skips.get(i)))
        c = co
    seq.append(dict(op="CONV_2D", name="decoder.conv6", k=1, stride=1, pad=0, act="RELU", cin=16, cout=1))
    return seq


def _expected_ops():
    """Flat list of expected TFLite operators, each (op, layer dict or extra)."""
    ops = [("QUANTIZE", None)]
    for L in layers():
        if L["pad"]:
            ops.append(("PAD", L))
        ops.append((L["op"], L))
        if L.get("resize"):
            ops.append(("RESIZE_NEAREST_NEIGHBOR", L))
        if L.get("skip"):
            ops.append(("ADD", L))
    ops.append(("QUANTIZE", None))
    return ops


def _fail(op, msg):
    raise FastDepthError("operator %d (%s): %s" % (op.index, op.op, msg))


def convert(model):
    """(params, attrs) from a parsed TfModel; raises FastDepthError when the graph differs."""
    T = model.tensors
    expected = _expected_ops()
    if len(model.operators) != len(expected):
        raise FastDepthError("graph has %d operators, expected %d" % (len(model.operators), len(expected)))
    params = collections.OrderedDict()
    out_of = {}      # layer name -> output tensor index (before any resize)
    prev = model.inputs[0]
    for op, (want, L) in zip(model.operators, expected):
        if op.op != want:
            _fail(op, "expected %s (layer %s)" % (want, L["name"] if L else "-"))
        if prev not in (op.inputs if want == "ADD" else op.inputs[:1]):
            _fail(op, "does not read the previous operator's output")
        x = T[prev]
        if want == "PAD":
            pads = T[op.inputs[1]].data
            if pads is None or pads.tolist() != [[0, 0], [L["pad"]] * 2, [L["pad"]] * 2, [0, 0]]:
                _fail(op, "paddings %s, expected %d on each side of H and W" % (pads, L["pad"]))
        elif want in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            o = op.options
            if (o["padding"], o["stride_h"], o["stride_w"], o["activation"], o["dilation_h"], o["dilation_w"]) != \
                    ("VALID", L["stride"], L["stride"], L["act"], 1, 1):
                _fail(op, "options %s, expected VALID stride %d %s" % (o, L["stride"], L["act"]))
            w, b = _dequantize(op, x, T[op.inputs[1]], T[op.inputs[2]], want == "DEPTHWISE_CONV_2D")
            params[L["name"] + ".weight"], params[L["name"] + ".bias"] = w, b
            out_of[L["name"]] = op.outputs[0]
        elif want == "RESIZE_NEAREST_NEIGHBOR":
            size = T[op.inputs[1]].data.tolist()
            if size != [x.shape[1] * 2, x.shape[2] * 2] or op.options.get("align_corners") or \
                    op.options.get("half_pixel_centers"):
                _fail(op, "size %s options %s, expected 2x without align_corners/half_pixel_centers"
                      % (size, op.options))
        elif want == "ADD":
            other = [i for i in op.inputs if i != prev]
            if len(other) != 1 or other[0] != out_of[L["skip"]] or op.options.get("activation", "NONE") != "NONE":
                _fail(op, "expected the sum with the output of %s" % L["skip"])
        prev = op.outputs[0]
    if model.outputs != [prev]:
        raise FastDepthError("graph output is not the last operator's output")
    tin, tout = T[model.inputs[0]], T[model.outputs[0]]
    if tin.type != "UINT8" or tin.shape != (1, 224, 224, 3) or tin.zero_point.tolist() != [0] or \
            abs(tin.scale[0] * 255 - 1) > 1e-6:
        raise FastDepthError("input %s %s scale %s zp %s, expected UINT8 [1,224,224,3] = RGB/255"
                             % (tin.type, tin.shape, tin.scale, tin.zero_point))
    if tout.type != "UINT8" or tout.shape != (1, 224, 224, 1) or tout.zero_point.tolist() != [0]:
        raise FastDepthError("output %s %s zp %s, expected UINT8 [1,224,224,1] zero point 0"
                             % (tout.type, tout.shape, tout.zero_point))
    attrs = {"input_height": np.int32(224), "input_width": np.int32(224),
             "output_unit": "metres", "output_max": np.float64(255.0 * float(tout.scale[0]))}
    return params, attrs


def _dequantize(op, x, w, b, depthwise):
    if w.type != "INT8" or b.type != "INT32" or w.data is None or b.data is None:
        _fail(op, "weights %s / bias %s, expected constant INT8 / INT32" % (w.type, b.type))
    qdim = 3 if depthwise else 0
    cout = w.shape[qdim]
    if w.quantized_dimension != qdim or len(w.scale) != cout or np.any(w.zero_point != 0):
        _fail(op, "weight quantisation is not symmetric per-channel on dimension %d" % qdim)
    if len(x.scale) != 1:
        _fail(op, "input is not per-tensor quantised")
    scale = w.scale.astype(np.float64)
    wf = w.data.astype(np.float64) * (scale.reshape(-1, 1, 1, 1) if not depthwise else scale)
    bias_scale = float(x.scale[0]) * scale
    if len(b.scale) != cout or np.max(np.abs(b.scale - bias_scale) / bias_scale) > 1e-5:
        _fail(op, "bias scale differs from input_scale * weight_scale")
    bf = b.data.astype(np.float64) * bias_scale
    # TFLite: conv [O, kh, kw, I] -> [O, I, kh, kw]; depthwise [1, kh, kw, C] -> [C, 1, kh, kw].
    wf = wf.transpose(0, 3, 1, 2) if not depthwise else wf.transpose(3, 0, 1, 2)
    return np.ascontiguousarray(wf, np.float32), bf.astype(np.float32)


def read(path):
    with open(path, "rb") as f:
        return tflite.read_model(f.read())


def describe(model):
    """The graph as a Markdown table (one row per TFLite operator)."""
    T = model.tensors
    names = {}
    for op, (want, L) in zip(model.operators, _expected_ops()):
        names[op.index] = L["name"] if L else ""
    rows = ["| # | TFLite op | layer | in (HxWxC) | out (HxWxC) | kernel | stride | pad | fused act | note |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    producer = {o.outputs[0]: o.index for o in model.operators}
    for op in model.operators:
        x, y = T[op.inputs[0]], T[op.outputs[0]]
        kernel = stride = pad = act = note = ""
        if op.op in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            wt = T[op.inputs[1]]
            kernel = "%dx%d" % (wt.shape[1], wt.shape[2])
            stride, pad, act = str(op.options["stride_h"]), op.options["padding"], op.options["activation"]
        elif op.op == "PAD":
            pad = "%s" % T[op.inputs[1]].data[1:3].tolist()
        elif op.op == "RESIZE_NEAREST_NEIGHBOR":
            note = "to %s, align_corners=%s, half_pixel_centers=%s" % (
                T[op.inputs[1]].data.tolist(), op.options["align_corners"], op.options["half_pixel_centers"])
        elif op.op == "ADD":
            other = [i for i in op.inputs if i != model.operators[op.index - 1].outputs[0]][0]
            note = "+ output of op %d (%s)" % (producer[other], names[producer[other]])
        elif op.op == "QUANTIZE":
            note = "%s -> %s" % (x.type, y.type)
        rows.append("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            op.index, op.op, names[op.index], "x".join(map(str, x.shape[1:])), "x".join(map(str, y.shape[1:])),
            kernel, stride, pad, act, note))
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Print the FastDepth TFLite graph as a Markdown table "
                                             "(convert with convert.py tflite-fastdepth).")
    ap.add_argument("tflite", help="fast_depth_224.tflite")
    args = ap.parse_args(argv)
    model = read(args.tflite)
    convert(model)  # checks the graph
    print(describe(model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
