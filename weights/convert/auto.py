"""`convert.py auto FILE`: recognises a peer's file from its bytes and converts it.

  .caffemodel  (protobuf NetParameter)     VGG16, VGG19, NIN (jcjohnson/neural-style's models) -> vgg16_features,
                                           vgg19_features, nin; Caffe preprocessing; pools round up
  .t7          (Torch7 binary)             jcjohnson/fast-neural-style checkpoints -> transformer_graph
  .pth         (torch.save, zip or legacy) neural-style-pt's vgg19-d01eb7cb.pth, vgg16-00b39a1b.pth,
                                           nin_imagenet.pth; torchvision's vgg16 / vgg19 / squeezenet1_1;
                                           pytorch/examples' TransformerNet (candy.pth, ...) -> transformer_graph
Other formats the project converts (TFLite, ncnn, Keras, deeplearn.js folders, Monodepth2's
two files) are recognised and named, with the explicit format to give.
"""

import os
import re

import caffemodel
import h5write
import torch7
import transformers

# A VGG .pth holds no word about its input: these published names say it (neural-style-pt's
# models/download_models.py; torchvision's model zoo). Other names need --preprocessing.
PTH_PREPROCESSING = {"vgg19-d01eb7cb.pth": "caffe", "vgg16-00b39a1b.pth": "caffe",
                     "vgg19-dcbb9e9d.pth": "torchvision", "vgg16-397923af.pth": "torchvision"}
PREPROCESSING = {"caffe": h5write.CAFFE, "torchvision": h5write.TORCHVISION}


class AutoError(ValueError):
    pass


def sniff(path):
    """A short name of the file's format, or raises AutoError saying what the file seems to be."""
    if os.path.isdir(path):
        if os.path.exists(os.path.join(path, "manifest.json")):
            return "fast-style"
        raise AutoError("%s: a folder without manifest.json (a deeplearn.js checkpoint folder has one)" % path)
    with open(path, "rb") as f:
        head = f.read(64)
    if not head:
        raise AutoError("%s: empty file" % path)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\x80\x02\x8a\x0a"):
        return "pth"
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return "hdf5"
    if head[4:8] == b"TFL3":
        return "tflite"
    if head.startswith(b"7767517"):
        return "ncnn"
    if torch7.looks_like_t7(head) or head[:2] in (b"3\n", b"4\n"):
        return "t7"
    if caffemodel.looks_like_caffemodel(head):
        return "caffemodel"
    text = head.decode("latin-1")
    if text.lstrip().startswith(("name:", "layer", "input:", "layers")):
        raise AutoError("%s: a Caffe network description in text (.prototxt); give the .caffemodel, which holds the "
                        "weights and the layers" % path)
    raise AutoError("%s: not a format convert.py recognises (first bytes %s); it reads .caffemodel, .t7 and .pth "
                    "files (see --help)" % (path, head[:8].hex(" ")))


def _vgg_depth(params):
    n = sum(1 for k in params if k.startswith("features.") and k.endswith(".weight"))
    return {13: 16, 16: 19}.get(n)


def _pth(path, args):
    import torch_pth
    params, _ = torch_pth.load_state_dict(path)
    name = os.path.basename(path)
    if transformers.is_examples_state_dict(params):
        text, p = transformers.examples_graph(params, path)
        return "transformer_graph", p, transformers.EXAMPLES_PREPROCESSING, {"graph": text}, \
            "pytorch/examples TransformerNet"
    if "features.3.squeeze.weight" in params:
        raise AutoError("%s: a torchvision SqueezeNet state dict: give the format torchvision" % path)
    if "encoder.conv1.weight" in params or "decoder.0.conv.conv.weight" in params:
        raise AutoError("%s: a Monodepth2 file: give the format monodepth2 with encoder.pth and depth.pth" % path)
    feats = {k: v for k, v in params.items() if k.startswith("features.")}
    bare = not feats and params and all(re.fullmatch(r"\d+\.(weight|bias)", k) for k in params)
    if bare:  # vgg19().features.state_dict(): the same tensors, without the "features." prefix
        feats = {"features." + k: v for k, v in params.items()}
    w0 = feats.get("features.0.weight")
    if w0 is not None and tuple(w0.shape) == (96, 3, 11, 11):
        return "nin", feats, h5write.CAFFE, {}, "NIN (neural-style-pt's nin_imagenet.pth; Caffe preprocessing)"
    depth = _vgg_depth(feats)
    if depth is None:
        raise AutoError("%s: a state dict with keys %s ...: not VGG16, VGG19, NIN or pytorch/examples' TransformerNet"
                        % (path, ", ".join(list(params)[:6])))
    pre = args.preprocessing or PTH_PREPROCESSING.get(name)
    if pre is None:
        raise AutoError("%s: a VGG%d state dict whose input preprocessing the file does not say: give --preprocessing "
                        "caffe (neural-style-pt's converted Caffe models, e.g. vgg19-d01eb7cb.pth: BGR, 0..255, mean "
                        "subtracted) or --preprocessing torchvision (torchvision's, e.g. vgg19-dcbb9e9d.pth)"
                        % (path, depth))
    dropped = [] if bare else sorted(k for k in params if not k.startswith("features."))
    note = "VGG%d, %s preprocessing%s" % (depth, pre, ", dropped the classifier (%d tensors)" % len(dropped) if dropped else "")
    if bare:
        note += ", keys read as features.N (a .features.state_dict())"
    return "vgg%d_features" % depth, feats, PREPROCESSING[pre], {}, note


def _t7(path, args):
    try:
        obj = torch7.read(path, 8)
    except torch7.T7Error as first:
        try:  # files saved where a C long has 4 bytes (Windows) use 4-byte longs
            obj = torch7.read(path, 4)
        except torch7.T7Error:
            raise first from None
    text, params, pre = transformers.t7_graph(obj, path)
    return "transformer_graph", params, pre, {"graph": text}, "jcjohnson/fast-neural-style model"


def _caffemodel(path, args):
    arch, params, extra, note = caffemodel.convert(path)
    return arch, params, h5write.CAFFE, extra, ("%s (Caffe)" % arch) + (", " + note if note else "")


def convert(path, args):
    """(architecture, params, preprocessing, extra attributes, note) of a peer's file."""
    kind = sniff(path)
    if kind == "pth":
        return _pth(path, args)
    if kind == "t7":
        return _t7(path, args)
    if kind == "caffemodel":
        return _caffemodel(path, args)
    hints = {"hdf5": "an HDF5 file: a depthstyle weight file needs no conversion (depthstyle info FILE shows it); for "
                     "Keras files give the format keras-squeezenet or keras-vgg16",
             "tflite": "a TFLite model: give the format tflite-fastdepth",
             "ncnn": "an ncnn .param file: give the format ncnn-squeezenet with the .param and .bin",
             "fast-style": "a deeplearn.js checkpoint folder: give the format fast-style"}
    raise AutoError("%s: %s" % (path, hints[kind]))
