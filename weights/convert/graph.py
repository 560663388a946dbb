"""The `graph` attribute of transformer_graph files: a feed-forward style transformer as a list
of layers, one per line (docs/weights-format.md; nn/transformer_graph.h reads the same text).

Grammar: `op [NAME] key=value ...` per line:
  conv NAME in= out= k= stride= pad= bias=0|1      NAME.weight [O,I,K,K], NAME.bias [O]
  deconv NAME in= out= k= stride= pad= adj= bias=   NAME.weight [I,O,K,K] (transposed convolution)
  instance_norm NAME c= eps=                        NAME.weight, NAME.bias [C]
  batch_norm NAME c= eps=                           NAME.weight, .bias, .running_mean, .running_var [C]
  pad reflect|zero l= r= t= b=
  relu | tanh | mul v= | upsample f= | residual_begin | residual_end shave= | tap NAME

Builder collects the lines and the parameters (name -> float32 array) while a converter walks
a network; param_shapes() gives what a graph's parameters must be (archs.check uses it).
"""

import collections

import numpy as np

# op -> (takes a name (pad: its mode), keys)
OPS = {
    "conv": (True, ("in", "out", "k", "stride", "pad", "bias")),
    "deconv": (True, ("in", "out", "k", "stride", "pad", "adj", "bias")),
    "instance_norm": (True, ("c", "eps")),
    "batch_norm": (True, ("c", "eps")),
    "pad": (True, ("l", "r", "t", "b")),
    "relu": (False, ()),
    "tanh": (False, ()),
    "mul": (False, ("v",)),
    "upsample": (False, ("f",)),
    "residual_begin": (False, ()),
    "residual_end": (False, ("shave",)),
    "tap": (True, ()),
}


class GraphError(ValueError):
    pass


def parse(text):
    """[(op, name, {key: value})] with numbers as written (int or float); raises GraphError."""
    out = []
    for n, line in enumerate(text.split("\n"), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if words[0] not in OPS:
            raise GraphError("graph line %d: unknown layer %r" % (n, words[0]))
        named, keys = OPS[words[0]]
        name, rest = (words[1], words[2:]) if named else (None, words[1:])
        kv = {}
        for w in rest:
            k, _, v = w.partition("=")
            if k not in keys or not v:
                raise GraphError("graph line %d: unexpected %r" % (n, w))
            kv[k] = float(v) if k in ("eps", "v") else int(v)
        missing = [k for k in keys if k not in kv]
        if missing:
            raise GraphError("graph line %d: missing %s" % (n, ", ".join(k + "=" for k in missing)))
        out.append((words[0], name, kv))
    return out


def param_shapes(text):
    """[(name, shape)] of every parameter the graph's layers read, in order."""
    shapes = []
    for op, name, kv in parse(text):
        if op == "conv":
            shapes.append((name + ".weight", (kv["out"], kv["in"], kv["k"], kv["k"])))
        elif op == "deconv":
            shapes.append((name + ".weight", (kv["in"], kv["out"], kv["k"], kv["k"])))
        if op in ("conv", "deconv") and kv["bias"]:
            shapes.append((name + ".bias", (kv["out"],)))
        if op in ("instance_norm", "batch_norm"):
            shapes += [(name + s, (kv["c"],)) for s in (".weight", ".bias")]
        if op == "batch_norm":
            shapes += [(name + s, (kv["c"],)) for s in (".running_mean", ".running_var")]
    return shapes


def output_side(text, n):
    """The side of the output for an n x n input, following the main path (a residual block's
    shortcut is shaved to its body's size, so only the body counts); None when a layer would
    get less than one pixel. nn/transformer_graph.h's min_side() follows the same rules."""
    for op, _, kv in parse(text):
        if op == "conv":
            n = (n + 2 * kv["pad"] - kv["k"]) // kv["stride"] + 1
        elif op == "deconv":
            n = (n - 1) * kv["stride"] - 2 * kv["pad"] + kv["k"] + kv["adj"]
        elif op == "pad":
            n += kv["t"] + kv["b"]
        elif op == "upsample":
            n *= kv["f"]
        if n < 1:
            return None
    return n


def _num(v):
    return repr(float(v)) if isinstance(v, float) else str(int(v))


class Builder:
    """Lines and parameters of a graph, built layer by layer."""

    def __init__(self):
        self.lines = []
        self.params = collections.OrderedDict()
        self.channels = 3
        self.open = []  # channels at each residual_begin not yet ended

    def _line(self, op, name=None, **kv):
        words = [op] + ([name] if name is not None else [])
        keys = OPS[op][1]
        words += ["%s=%s" % (k, _num(kv[k])) for k in keys]
        self.lines.append(" ".join(words))

    def _param(self, name, value):
        if name in self.params:
            raise GraphError("parameter %s defined twice" % name)
        self.params[name] = np.ascontiguousarray(value, dtype=np.float32)

    def conv(self, name, weight, bias, stride, pad, transposed=False, adj=0):
        w = np.asarray(weight, np.float32)
        if w.ndim != 4 or w.shape[2] != w.shape[3]:
            raise GraphError("%s: weight of shape %s, expected [out, in, k, k] with a square kernel" % (name, list(w.shape)))
        cin, cout = (w.shape[0], w.shape[1]) if transposed else (w.shape[1], w.shape[0])
        if cin != self.channels:
            raise GraphError("%s: takes %d channels, the layer before gives %d" % (name, cin, self.channels))
        if bias is not None and np.asarray(bias).reshape(-1).shape != (cout,):
            raise GraphError("%s: bias of shape %s, expected [%d]" % (name, list(np.shape(bias)), cout))
        kv = dict(k=w.shape[2], stride=stride, pad=pad, bias=int(bias is not None))
        kv["in"], kv["out"] = cin, cout
        if transposed:
            self._line("deconv", name, adj=adj, **kv)
        else:
            self._line("conv", name, **kv)
        self._param(name + ".weight", w)
        if bias is not None:
            self._param(name + ".bias", np.asarray(bias).reshape(-1))
        self.channels = cout

    def norm(self, kind, name, weight, bias, eps, running_mean=None, running_var=None):
        c = self.channels
        vals = [("weight", weight), ("bias", bias)]
        if kind == "batch_norm":
            vals += [("running_mean", running_mean), ("running_var", running_var)]
        for what, v in vals:
            if np.asarray(v).reshape(-1).shape != (c,):
                raise GraphError("%s: %s of shape %s, expected [%d] (the channels of the layer before)"
                                 % (name, what, list(np.shape(v)), c))
        self._line(kind, name, c=c, eps=float(eps))
        for what, v in vals:
            self._param(name + "." + what, np.asarray(v).reshape(-1))

    def pad(self, mode, l, r, t, b):
        self._line("pad", mode, l=l, r=r, t=t, b=b)

    def op(self, op, **kv):
        if op == "residual_begin":
            self.open.append(self.channels)
        if op == "residual_end" and self.open.pop() != self.channels:
            raise GraphError("a residual block changes the channels to %d" % self.channels)
        self._line(op, **kv)

    def tap(self, name):
        self._line("tap", name)

    def text(self):
        if self.channels != 3:
            raise GraphError("the network ends with %d channels, not 3 (RGB)" % self.channels)
        text = "\n".join(self.lines)
        # depthstyle gives an image back at its own size (cropping a larger output, as the
        # peers do); a network whose output is smaller at every size cannot be run at all, so
        # it is refused here rather than by every command that would load the file.
        n = 1024  # large, and a multiple of every stride the peers' networks use
        out = output_side(text, n)
        if out is None or out < n:
            raise GraphError("its output is smaller than its input at every size (%d px in, %s out): a network "
                             "without padding, as fast-neural-style's -padding_type none trains one; depthstyle "
                             "keeps the input's size, so it could not run it (train with -padding_type reflect, "
                             "reflect-start or zero)" % (n, "none" if out is None else "%d px" % out))
        return text
