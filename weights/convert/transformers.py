"""Feed-forward style transformers of the peers -> transformer_graph (graph.py).

* pytorch/examples fast_neural_style (`candy.pth`, `mosaic.pth`, ...): a TransformerNet state
  dict. ConvLayer = ReflectionPad2d(k // 2) + Conv2d; InstanceNorm2d(affine=True, eps 1e-5);
  5 residual blocks x + IN(conv(ReLU(IN(conv(x))))); UpsampleConvLayer = nearest x2, reflection
  pad, conv; output the last conv's values on a 0..255 scale (input RGB x 255, no mean). Old
  checkpoints also hold in*.running_mean / running_var (InstanceNorm2d's deprecated buffers),
  which the example's neural_style.py deletes before loading: so do we.
* jcjohnson/fast-neural-style `.t7` checkpoints: a table {model = nn.Sequential, opt = {...}} or
  the model alone, walked module by module (t7_graph). opt.preprocessing 'vgg' (the default:
  BGR, 0..255, mean pixel subtracted) or 'resnet' (ImageNet mean / std); the model's output is
  in the same space and is mapped back by the inverse, as fast_neural_style.lua's deprocess.
"""

import numpy as np

import graph
import h5write

EXAMPLES_PREPROCESSING = h5write.PLAIN_255
T7_PREPROCESSING = {"vgg": h5write.CAFFE, "resnet": h5write.TORCHVISION}  # its preprocess.lua: x 255


class TransformerError(ValueError):
    pass


# ---- pytorch/examples TransformerNet ------------------------------------------------------

def is_examples_state_dict(sd):
    return all(k in sd for k in ("conv1.conv2d.weight", "res1.conv1.conv2d.weight", "deconv3.conv2d.weight"))


def examples_graph(sd, source):
    """(graph text, params) of a pytorch/examples TransformerNet state dict; the running stats dropped."""
    sd = {k: v for k, v in sd.items()
          if not (k.split(".")[-1] in ("running_mean", "running_var", "num_batches_tracked")
                  and k.split(".")[-2].startswith("in"))}
    used = set()

    def get(name):
        if name not in sd:
            raise TransformerError("%s: TransformerNet parameter %s is missing" % (source, name))
        used.add(name)
        return sd[name]

    b = graph.Builder()

    def conv_layer(name, stride, upsample=False):
        w = get(name + ".conv2d.weight")
        if upsample:
            b.op("upsample", f=2)
        k = w.shape[-1] if np.ndim(w) == 4 else 0
        b.pad("reflect", k // 2, k // 2, k // 2, k // 2)
        try:
            b.conv(name + ".conv2d", w, get(name + ".conv2d.bias"), stride, 0)
        except graph.GraphError as e:
            raise TransformerError("%s: %s" % (source, e))

    def norm(name, relu=True):
        try:
            b.norm("instance_norm", name, get(name + ".weight"), get(name + ".bias"), 1e-5)
        except graph.GraphError as e:
            raise TransformerError("%s: %s" % (source, e))
        if relu:
            b.op("relu")

    for i, stride in ((1, 1), (2, 2), (3, 2)):
        conv_layer("conv%d" % i, stride)
        norm("in%d" % i)
        b.tap("conv%d" % i)
    for r in range(1, 6):
        b.op("residual_begin")
        conv_layer("res%d.conv1" % r, 1)
        norm("res%d.in1" % r)
        conv_layer("res%d.conv2" % r, 1)
        norm("res%d.in2" % r, relu=False)
        b.op("residual_end", shave=0)
        b.tap("res%d" % r)
    for i in (1, 2):
        conv_layer("deconv%d" % i, 1, upsample=True)
        norm("in%d" % (i + 3))
        b.tap("deconv%d" % i)
    conv_layer("deconv3", 1)
    extra = sorted(set(sd) - used)
    if extra:
        raise TransformerError("%s: parameters TransformerNet does not have: %s" % (source, ", ".join(extra[:8])))
    return b.text(), b.params


# ---- jcjohnson/fast-neural-style .t7 ------------------------------------------------------

def _plain(cls):
    """'SpatialConvolution' for nn.SpatialConvolution and cudnn.SpatialConvolution."""
    return cls.split(".", 1)[1] if cls.startswith(("nn.", "cudnn.")) else cls


def _children(m):
    mods = m.get("modules") or {}
    if not isinstance(mods, dict) or sorted(mods) != list(range(1, len(mods) + 1)):
        raise TransformerError("%s: its modules are not a list" % m.cls)
    return [mods[i] for i in range(1, len(mods) + 1)]


SUPPORTED = ("Sequential, SpatialConvolution(MM), SpatialFullConvolution, SpatialBatchNormalization, "
             "InstanceNormalization, SpatialReflectionPadding, SpatialZeroPadding, SpatialUpSamplingNearest, "
             "ReLU, Tanh, MulConstant, ConcatTable(block, Identity or ShaveImage) + CAddTable, TotalVariation, "
             "Identity, Dropout")


class _T7Walker:
    def __init__(self, source):
        self.source = source
        self.b = graph.Builder()

    def fail(self, path, m, why):
        raise TransformerError("%s: module %s (%s): %s" % (self.source, path, getattr(m, "cls", type(m).__name__), why))

    def field(self, path, m, name, required=True):
        v = m.get(name)
        if v is None and required:
            self.fail(path, m, "has no field %r" % name)
        return v

    def square(self, path, m, a, b):
        va, vb = self.field(path, m, a), self.field(path, m, b)
        if va != vb:
            self.fail(path, m, "%s %s differs from %s %s (only square kernels, strides and paddings)" % (a, va, b, vb))
        return int(va)

    def sequence(self, path, mods):
        i = 0
        while i < len(mods):
            m, p = mods[i], "%s.%d" % (path, i + 1) if path else str(i + 1)
            nxt = mods[i + 1] if i + 1 < len(mods) else None
            if _plain(getattr(m, "cls", "")) == "ConcatTable":
                if nxt is None or _plain(getattr(nxt, "cls", "")) != "CAddTable":
                    self.fail(p, m, "a ConcatTable is supported only as a residual block followed by CAddTable")
                self.residual(p, m)
                i += 2
            else:
                self.module(p, m)
                i += 1
            if not path:
                self.b.tap(str(i))

    def residual(self, path, m):
        branches = _children(m)
        kinds = [_plain(getattr(x, "cls", "")) for x in branches]
        if len(branches) != 2 or not any(k in ("Identity", "ShaveImage") for k in kinds):
            self.fail(path, m, "a residual block needs two branches, one of them Identity or ShaveImage (got %s)"
                      % ", ".join(kinds))
        s = 1 if kinds[1] in ("Identity", "ShaveImage") else 0
        shortcut, body = branches[s], branches[1 - s]
        shave = int(self.field(path, shortcut, "size")) if kinds[s] == "ShaveImage" else 0
        self.b.op("residual_begin")
        self.module("%s.%d" % (path, 2 - s), body)
        self.b.op("residual_end", shave=shave)

    def module(self, path, m):
        if not hasattr(m, "cls"):
            self.fail(path, m, "not a Torch module")
        kind, b = _plain(m.cls), self.b
        try:
            if kind == "Sequential":
                self.sequence(path, _children(m))
            elif kind in ("SpatialConvolution", "SpatialConvolutionMM", "SpatialFullConvolution"):
                k, s = self.square(path, m, "kW", "kH"), self.square(path, m, "dW", "dH")
                pad = self.square(path, m, "padW", "padH") if "padW" in m.fields else 0
                nin, nout = int(self.field(path, m, "nInputPlane")), int(self.field(path, m, "nOutputPlane"))
                w = np.asarray(self.field(path, m, "weight"), np.float32)
                full = kind == "SpatialFullConvolution"
                shape = (nin, nout, k, k) if full else (nout, nin, k, k)
                if w.size != np.prod(shape):
                    self.fail(path, m, "weight of shape %s, expected %s" % (list(w.shape), list(shape)))
                bias = m.get("bias")
                if full:
                    adj = self.square(path, m, "adjW", "adjH") if "adjW" in m.fields else 0
                    b.conv(path, w.reshape(shape), bias, s, pad, transposed=True, adj=adj)
                else:
                    b.conv(path, w.reshape(shape), bias, s, pad)
            elif kind in ("SpatialBatchNormalization", "InstanceNormalization"):
                c = b.channels
                w = m.get("weight")
                bias = m.get("bias")
                w = np.ones(c, np.float32) if w is None or np.size(w) == 0 else w  # affine = false
                bias = np.zeros(c, np.float32) if bias is None or np.size(bias) == 0 else bias
                eps = float(m.get("eps", 1e-5))
                if kind == "InstanceNormalization":
                    b.norm("instance_norm", path, w, bias, eps)
                else:
                    mean = self.field(path, m, "running_mean")
                    var = m.get("running_var")
                    if var is None:  # nn before mid-2016 kept 1/sqrt(var + eps)
                        std = np.asarray(self.field(path, m, "running_std"), np.float64)
                        var = 1.0 / (std * std) - eps
                    b.norm("batch_norm", path, w, bias, eps, mean, var)
            elif kind in ("SpatialReflectionPadding", "SpatialZeroPadding"):
                p = [int(self.field(path, m, f)) for f in ("pad_l", "pad_r", "pad_t", "pad_b")]
                if min(p) < 0:
                    self.fail(path, m, "negative padding (a crop) is not supported")
                b.pad("reflect" if kind == "SpatialReflectionPadding" else "zero", *p)
            elif kind == "SpatialUpSamplingNearest":
                b.op("upsample", f=int(self.field(path, m, "scale_factor")))
            elif kind == "ReLU":
                if float(m.get("threshold", 0)) != 0 or float(m.get("val", 0)) != 0:
                    self.fail(path, m, "a threshold other than 0 is not supported")
                b.op("relu")
            elif kind == "Tanh":
                b.op("tanh")
            elif kind == "MulConstant":
                b.op("mul", v=float(self.field(path, m, "constant_scalar")))
            elif kind in ("TotalVariation", "Identity", "Dropout"):
                pass  # the identity at inference (TotalVariation only adds a gradient in training)
            else:
                self.fail(path, m, "not supported; supported modules: " + SUPPORTED)
        except graph.GraphError as e:
            self.fail(path, m, str(e))


def t7_graph(obj, source):
    """(graph text, params, preprocessing) of a fast-neural-style checkpoint or model read by torch7.read."""
    model, opt = obj, {}
    if isinstance(obj, dict):
        if "model" not in obj:
            raise TransformerError("%s: a table without a 'model' (keys %s): not a fast-neural-style checkpoint"
                                   % (source, sorted(map(str, obj))[:8]))
        model, opt = obj["model"], obj.get("opt") or {}
    if not hasattr(model, "cls") or _plain(model.cls) != "Sequential":
        raise TransformerError("%s: the model is a %s, not an nn.Sequential" % (source, getattr(model, "cls", type(model).__name__)))
    method = opt.get("preprocessing", "vgg") if isinstance(opt, dict) else "vgg"
    if method not in T7_PREPROCESSING:
        raise TransformerError("%s: opt.preprocessing %r: expected vgg or resnet" % (source, method))
    w = _T7Walker(source)
    w.sequence("", _children(model))
    try:
        text = w.b.text()
    except graph.GraphError as e:
        raise TransformerError("%s: %s" % (source, e))
    return text, w.b.params, T7_PREPROCESSING[method]
