"""Reader for TensorFlow Lite model files (schema v3, identifier "TFL3").

Only the parts needed to extract weights and the layer graph are decoded:
Model, SubGraph, Tensor, Buffer, Operator, OperatorCode, QuantizationParameters and
the options of CONV_2D, DEPTHWISE_CONV_2D, ADD and RESIZE_NEAREST_NEIGHBOR.
Field indices follow tensorflow/lite/schema/schema.fbs.
"""

from dataclasses import dataclass, field

import numpy as np

import flatbuf

# TensorType enum -> numpy dtype (little-endian).
TENSOR_TYPES = {0: "<f4", 1: "<f2", 2: "<i4", 3: "u1", 4: "<i8", 6: "u1", 7: "<i2", 9: "i1", 10: "<f8"}
TENSOR_TYPE_NAMES = {0: "FLOAT32", 1: "FLOAT16", 2: "INT32", 3: "UINT8", 4: "INT64", 5: "STRING", 6: "BOOL",
                     7: "INT16", 8: "COMPLEX64", 9: "INT8", 10: "FLOAT64"}
# BuiltinOperator codes used here (schema.fbs enum BuiltinOperator).
OPS = {0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D",
       6: "DEQUANTIZE", 9: "FULLY_CONNECTED", 14: "LOGISTIC", 17: "MAX_POOL_2D", 18: "MUL", 19: "RELU",
       21: "RELU6", 22: "RESHAPE", 23: "RESIZE_BILINEAR", 25: "SOFTMAX", 28: "TANH", 34: "PAD",
       67: "TRANSPOSE_CONV", 97: "RESIZE_NEAREST_NEIGHBOR", 114: "QUANTIZE"}
ACTIVATIONS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}
PADDINGS = {0: "SAME", 1: "VALID"}


@dataclass
class TfTensor:
    index: int
    name: str
    shape: tuple
    type: str            # e.g. "INT8"
    data: np.ndarray     # constant contents reshaped to `shape`, or None for activations
    scale: np.ndarray    # quantisation scales (float32), empty when not quantised
    zero_point: np.ndarray
    quantized_dimension: int


@dataclass
class TfOperator:
    index: int
    op: str              # e.g. "CONV_2D"
    inputs: list         # tensor indices (-1 = optional input absent)
    outputs: list
    options: dict = field(default_factory=dict)


@dataclass
class TfModel:
    version: int
    description: str
    tensors: list
    operators: list
    inputs: list
    outputs: list


def read_model(data):
    """Parses the bytes of a .tflite file into a TfModel (first subgraph only)."""
    m = flatbuf.root(data, b"TFL3")
    version = m.scalar(0, "I")
    if version != 3:
        raise ValueError("TFLite schema version %d, expected 3" % version)
    codes = []
    for oc in m.tables(1):
        # Field 0 is the old byte-sized code (deprecated_builtin_code), field 3 the int32 code
        # added later; a file written by a new converter sets both, the larger is the real one.
        code = max(oc.scalar(0, "b"), oc.scalar(3, "i"))
        if code == 32:
            codes.append("CUSTOM:" + (oc.string(1) or ""))
        else:
            codes.append(OPS.get(code, "BUILTIN_%d" % code))
    buffers = [b.vector(0, "u1") for b in m.tables(4)]
    subgraphs = m.tables(2)
    if len(subgraphs) != 1:
        raise ValueError("expected one subgraph, found %d" % len(subgraphs))
    sg = subgraphs[0]

    tensors = []
    for i, t in enumerate(sg.tables(0)):
        shape = tuple(int(d) for d in t.vector(0, "i4"))
        ttype = t.scalar(1, "b")
        buf = buffers[t.scalar(2, "I")]
        data = None
        if len(buf):
            dt = np.dtype(TENSOR_TYPES[ttype])
            n = int(np.prod(shape)) if shape else 1
            if len(buf) != n * dt.itemsize:
                raise ValueError("tensor %d (%s): buffer of %d bytes for shape %s of %s"
                                 % (i, t.string(3), len(buf), shape, TENSOR_TYPE_NAMES[ttype]))
            data = np.frombuffer(buf.tobytes(), dt).reshape(shape)
        q = t.table(4)
        scale = q.vector(2, "f4") if q else np.zeros(0, "<f4")
        zp = q.vector(3, "i8") if q else np.zeros(0, "<i8")
        qdim = q.scalar(6, "i") if q else 0
        tensors.append(TfTensor(i, t.string(3, ""), shape, TENSOR_TYPE_NAMES.get(ttype, str(ttype)), data,
                                np.array(scale), np.array(zp), qdim))

    operators = []
    for i, o in enumerate(sg.tables(3)):
        op = codes[o.scalar(0, "I")]
        opt = o.table(4)
        operators.append(TfOperator(i, op, [int(x) for x in o.vector(1, "i4")],
                                    [int(x) for x in o.vector(2, "i4")], _options(op, opt)))
    return TfModel(version, m.string(3, ""), tensors, operators,
                   [int(x) for x in sg.vector(1, "i4")], [int(x) for x in sg.vector(2, "i4")])


def _options(op, t):
    if t is None:
        return {}
    if op == "CONV_2D":
        return {"padding": PADDINGS[t.scalar(0, "b")], "stride_w": t.scalar(1, "i"), "stride_h": t.scalar(2, "i"),
                "activation": ACTIVATIONS[t.scalar(3, "b")],
                "dilation_w": t.scalar(4, "i", 1), "dilation_h": t.scalar(5, "i", 1)}
    if op == "DEPTHWISE_CONV_2D":
        return {"padding": PADDINGS[t.scalar(0, "b")], "stride_w": t.scalar(1, "i"), "stride_h": t.scalar(2, "i"),
                "depth_multiplier": t.scalar(3, "i"), "activation": ACTIVATIONS[t.scalar(4, "b")],
                "dilation_w": t.scalar(5, "i", 1), "dilation_h": t.scalar(6, "i", 1)}
    if op == "ADD":
        return {"activation": ACTIVATIONS[t.scalar(0, "b")]}
    if op == "RESIZE_NEAREST_NEIGHBOR":
        return {"align_corners": bool(t.scalar(0, "B")), "half_pixel_centers": bool(t.scalar(1, "B"))}
    return {}
