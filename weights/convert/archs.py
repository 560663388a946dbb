"""Parameter names and shapes of every architecture in docs/weights-format.md.

Each function returns a list of (name, shape) in a fixed order (the order the converters
write them). The converters check their output against these lists, so a file that does
not hold exactly these parameters is never written.
"""

# ---- torchvision VGG16 -----------------------------------------------------------------
# features.N index of each 3x3 conv (ReLU after each; max pools at 4, 9, 16, 23, 30).
VGG16_CONVS = [(0, 3, 64), (2, 64, 64), (5, 64, 128), (7, 128, 128), (10, 128, 256), (12, 256, 256),
               (14, 256, 256), (17, 256, 512), (19, 512, 512), (21, 512, 512), (24, 512, 512),
               (26, 512, 512), (28, 512, 512)]
# Keras layer names of the same convs, in order.
VGG16_KERAS = ["block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2", "block3_conv1", "block3_conv2",
               "block3_conv3", "block4_conv1", "block4_conv2", "block4_conv3", "block5_conv1", "block5_conv2",
               "block5_conv3"]


def vgg_convs(depth):
    """(features index, in, out) of each 3x3 conv of torchvision's vgg16 / vgg19 (ReLU after
    each, a max pool after each block: blocks of 2, 2, 3, 3, 3 or 2, 2, 4, 4, 4 convs)."""
    if depth == 16:
        return VGG16_CONVS
    out, idx, cin = [], 0, 3
    for n, c in zip((2, 2, 4, 4, 4), (64, 128, 256, 512, 512)):
        for _ in range(n):
            out.append((idx, cin, c))
            cin, idx = c, idx + 2
        idx += 1
    return out


def vgg16(features_only=False, depth=16):
    out = []
    for idx, cin, cout in vgg_convs(depth):
        out += [("features.%d.weight" % idx, (cout, cin, 3, 3)), ("features.%d.bias" % idx, (cout,))]
    if not features_only:
        for idx, cin, cout in [(0, 25088, 4096), (3, 4096, 4096), (6, 4096, 1000)]:
            out += [("classifier.%d.weight" % idx, (cout, cin)), ("classifier.%d.bias" % idx, (cout,))]
    return out


def vgg19(features_only=False):
    return vgg16(features_only, depth=19)


# ---- Network in Network (ImageNet; neural-style-pt's NIN class) -----------------------------
# (features index, in, out, kernel) of its 12 convs; ReLU after each; 3x3/2 pools (ceil) at 6, 13, 20,
# dropout at 21, the 6x6 average pool at 28.
NIN_CONVS = [(0, 3, 96, 11), (2, 96, 96, 1), (4, 96, 96, 1), (7, 96, 256, 5), (9, 256, 256, 1), (11, 256, 256, 1),
             (14, 256, 384, 3), (16, 384, 384, 1), (18, 384, 384, 1), (22, 384, 1024, 3), (24, 1024, 1024, 1),
             (26, 1024, 1000, 1)]


def nin():
    out = []
    for idx, cin, cout, k in NIN_CONVS:
        out += [("features.%d.weight" % idx, (cout, cin, k, k)), ("features.%d.bias" % idx, (cout,))]
    return out


# ---- torchvision SqueezeNet 1.1 --------------------------------------------------------
# (features index, fire name, in channels, squeeze, expand1x1, expand3x3)
SQUEEZENET_FIRES = [(3, "fire2", 64, 16, 64, 64), (4, "fire3", 128, 16, 64, 64), (6, "fire4", 128, 32, 128, 128),
                    (7, "fire5", 256, 32, 128, 128), (9, "fire6", 256, 48, 192, 192),
                    (10, "fire7", 384, 48, 192, 192), (11, "fire8", 384, 64, 256, 256),
                    (12, "fire9", 512, 64, 256, 256)]


def squeezenet1_1(features_only=False):
    out = [("features.0.weight", (64, 3, 3, 3)), ("features.0.bias", (64,))]
    for idx, _, cin, s, e1, e3 in SQUEEZENET_FIRES:
        p = "features.%d." % idx
        out += [(p + "squeeze.weight", (s, cin, 1, 1)), (p + "squeeze.bias", (s,)),
                (p + "expand1x1.weight", (e1, s, 1, 1)), (p + "expand1x1.bias", (e1,)),
                (p + "expand3x3.weight", (e3, s, 3, 3)), (p + "expand3x3.bias", (e3,))]
    if not features_only:
        out += [("classifier.1.weight", (1000, 512, 1, 1)), ("classifier.1.bias", (1000,))]
    return out


# ---- Monodepth2: ResNet18 encoder + DepthDecoder ---------------------------------------
def _bn(prefix, c):
    return [(prefix + s, (c,)) for s in ("weight", "bias", "running_mean", "running_var")]


def monodepth2_resnet18():
    out = [("encoder.conv1.weight", (64, 3, 7, 7))] + _bn("encoder.bn1.", 64)
    cin = 64
    for layer, c in [(1, 64), (2, 128), (3, 256), (4, 512)]:
        for block in (0, 1):
            p = "encoder.layer%d.%d." % (layer, block)
            bin_ = cin if block == 0 else c
            out += [(p + "conv1.weight", (c, bin_, 3, 3))] + _bn(p + "bn1.", c)
            out += [(p + "conv2.weight", (c, c, 3, 3))] + _bn(p + "bn2.", c)
            if block == 0 and layer > 1:
                out += [(p + "downsample.0.weight", (c, cin, 1, 1))] + _bn(p + "downsample.1.", c)
        cin = c
    for name, shape in MONODEPTH2_DECODER:
        out += [("decoder.%s.weight" % name, shape), ("decoder.%s.bias" % name, (shape[0],))]
    return out


def _md2_decoder():
    enc = [64, 64, 128, 256, 512]
    dec = [16, 32, 64, 128, 256]
    convs = []
    for i in range(4, -1, -1):
        cin = enc[-1] if i == 4 else dec[i + 1]
        convs.append((dec[i], cin))                              # upconv_i_0
        convs.append((dec[i], dec[i] + (enc[i - 1] if i > 0 else 0)))  # upconv_i_1
    out = [("%d.conv.conv" % k, (co, ci, 3, 3)) for k, (co, ci) in enumerate(convs)]
    out += [("%d.conv" % (10 + s), (1, dec[s], 3, 3)) for s in range(4)]  # dispconv_s
    return out


MONODEPTH2_DECODER = _md2_decoder()

# ---- FastDepth (MobileNet-NNConv5, pruned), from the OpenMV TFLite file ----------------
# Encoder: conv0 (3x3 stride 2), then 13 depthwise-separable blocks (3x3 depthwise, 1x1
# pointwise). (stride of the depthwise conv, output channels of the pointwise conv):
FASTDEPTH_ENCODER = [(1, 56), (2, 88), (1, 120), (2, 144), (1, 256), (2, 408), (1, 376), (1, 272), (1, 288),
                     (1, 296), (1, 328), (2, 480), (1, 512)]
# Decoder: 5 blocks of (5x5 depthwise, 1x1 pointwise) then conv6 (1x1 to 1 channel).
FASTDEPTH_DECODER = [200, 256, 120, 56, 16]


def fastdepth():
    out = [("encoder.conv0.weight", (16, 3, 3, 3)), ("encoder.conv0.bias", (16,))]
    c = 16
    for k, (_, co) in enumerate(FASTDEPTH_ENCODER, 1):
        p = "encoder.conv%d." % k
        out += [(p + "dw.weight", (c, 1, 3, 3)), (p + "dw.bias", (c,)),
                (p + "pw.weight", (co, c, 1, 1)), (p + "pw.bias", (co,))]
        c = co
    for k, co in enumerate(FASTDEPTH_DECODER, 1):
        p = "decoder.conv%d." % k
        out += [(p + "dw.weight", (c, 1, 5, 5)), (p + "dw.bias", (c,)),
                (p + "pw.weight", (co, c, 1, 1)), (p + "pw.bias", (co,))]
        c = co
    out += [("decoder.conv6.weight", (1, 16, 1, 1)), ("decoder.conv6.bias", (1,))]
    return out


# ---- Fast style transfer (Engstrom's TensorFlow transformer net) -----------------------
def _conv_in(conv, norm, cout, cin, k, transposed=False):
    shape = (cin, cout, k, k) if transposed else (cout, cin, k, k)
    return [(conv + ".weight", shape), (norm + ".weight", (cout,)), (norm + ".bias", (cout,))]


def fast_style():
    out = _conv_in("conv1", "in1", 32, 3, 9) + _conv_in("conv2", "in2", 64, 32, 3) + _conv_in("conv3", "in3", 128, 64, 3)
    for r in range(1, 6):
        out += _conv_in("res%d.conv1" % r, "res%d.in1" % r, 128, 128, 3)
        out += _conv_in("res%d.conv2" % r, "res%d.in2" % r, 128, 128, 3)
    out += _conv_in("deconv1", "in4", 64, 128, 3, transposed=True)
    out += _conv_in("deconv2", "in5", 32, 64, 3, transposed=True)
    out += _conv_in("conv4", "in6", 3, 32, 9)
    return out


ARCHITECTURES = {
    "vgg16": lambda: vgg16(False),
    "vgg16_features": lambda: vgg16(True),
    "vgg19": lambda: vgg19(False),
    "vgg19_features": lambda: vgg19(True),
    "nin": nin,
    "squeezenet1_1": lambda: squeezenet1_1(False),
    "squeezenet1_1_features": lambda: squeezenet1_1(True),
    "monodepth2_resnet18": monodepth2_resnet18,
    "fastdepth": fastdepth,
    "fast_style_tf": fast_style,
}


def expected(architecture, graph_text=None):
    """(name, shape) list of an architecture; transformer_graph's comes from its graph text."""
    if architecture == "transformer_graph":
        import graph
        return graph.param_shapes(graph_text)
    return ARCHITECTURES[architecture]()


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def check(architecture, params, source, graph_text=None):
    """Raises ValueError unless `params` (name -> array) holds exactly the expected names and shapes."""
    want = dict(expected(architecture, graph_text))
    problems = []
    for name, shape in want.items():
        if name not in params:
            problems.append("missing parameter %s %s" % (name, list(shape)))
        elif tuple(params[name].shape) != tuple(shape):
            problems.append("parameter %s has shape %s, expected %s" % (name, list(params[name].shape), list(shape)))
    for name in params:
        if name not in want:
            problems.append("unexpected parameter %s %s" % (name, list(params[name].shape)))
    if problems:
        more = "" if len(problems) <= 12 else "\n  ... and %d more" % (len(problems) - 12)
        raise ValueError("%s does not match architecture %s:\n  %s%s"
                         % (source, architecture, "\n  ".join(problems[:12]), more))
