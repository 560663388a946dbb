#!/usr/bin/python3
"""Convert published network weights into the project's HDF5 format (docs/weights-format.md).

Usage: convert.py FORMAT INPUT... -o OUT.h5 [--skip-if-same]

Formats (inputs):
  auto               FILE                 a peer's file, recognised from its bytes:
                                          .caffemodel (VGG16, VGG19, NIN: jcjohnson/neural-style's),
                                          .t7 (jcjohnson/fast-neural-style transformers),
                                          .pth (neural-style-pt's VGG19 / VGG16 / NIN, torchvision's VGG,
                                          pytorch/examples' TransformerNet: candy.pth, mosaic.pth, ...)
  torchvision        MODEL.pth            vgg16-397923af.pth, vgg19-dcbb9e9d.pth or squeezenet1_1-f364aa15.pth
                                          (zip or legacy torch.save format; no torch needed)
  monodepth2         ENCODER.pth DEPTH.pth  Monodepth2 encoder.pth and depth.pth
  keras-squeezenet   NOTOP.h5             Keras SqueezeNet v1.1 (rcmalli/keras-squeezenet)
  keras-vgg16        NOTOP.h5             Keras VGG16 (tf kernels; the top, if any, is ignored)
  ncnn-squeezenet    MODEL.param MODEL.bin  ncnn SqueezeNet 1.1 exported by pnnx
  tflite-fastdepth   MODEL.tflite         OpenMV fast_depth_224.tflite (int8, dequantised)
  fast-style         FOLDER               deeplearn.js checkpoint folder with manifest.json

Needs only Python 3, numpy and h5py.
"""

import argparse
import collections
import os
import pickle
import struct
import sys
import zipfile

import numpy as np

import h5write

FORMATS = {
    "auto": 1, "torchvision": 1, "monodepth2": 2, "keras-squeezenet": 1, "keras-vgg16": 1,
    "ncnn-squeezenet": 2, "tflite-fastdepth": 1, "fast-style": 1,
}


def _torchvision(inputs, args):
    import torch_pth
    keep = (lambda k: k.startswith("features.")) if args.features_only else None
    params, _ = torch_pth.load_state_dict(inputs[0], keep)
    if "features.3.squeeze.weight" in params:
        arch = "squeezenet1_1"
        extra = {"pool_ceil_mode": np.int32(1)}
    elif "features.28.weight" in params:
        depth = 19 if "features.34.weight" in params else 16
        arch, extra = "vgg%d" % depth, {}
    else:
        raise ValueError("%s: neither a torchvision vgg16 / vgg19 nor a squeezenet1_1 state dict (keys %s ...)"
                         % (inputs[0], list(params)[:4]))
    if args.features_only:
        arch += "_features"
        params = collections.OrderedDict((k, v) for k, v in params.items() if k.startswith("features."))
    return arch, params, h5write.TORCHVISION, extra, None


def _monodepth2(inputs, args):
    import torch_pth
    enc, enc_other = torch_pth.load_state_dict(inputs[0])
    dec, _ = torch_pth.load_state_dict(inputs[1])
    for name, d, prefix in ((inputs[0], enc, "encoder."), (inputs[1], dec, "decoder.")):
        wrong = [k for k in d if not k.startswith(prefix)]
        if wrong:
            raise ValueError("%s: keys not starting with %r: %s (encoder.pth first, then depth.pth)"
                             % (name, prefix, wrong[:4]))
    params = collections.OrderedDict((k, v) for k, v in enc.items() if not k.startswith("encoder.fc."))
    params.update(dec)
    extra = {"min_depth": np.float64(0.1), "max_depth": np.float64(100.0)}
    for key in ("height", "width"):
        if key in enc_other:
            extra["input_" + key] = np.int32(int(enc_other[key]))
    return "monodepth2_resnet18", params, {"channel_order": "RGB", "value_scale": 1.0,
                                           "mean": (0.45, 0.45, 0.45), "std": (0.225, 0.225, 0.225)}, extra, None


def _keras_squeezenet(inputs, args):
    import keras
    return ("squeezenet1_1_features", keras.convert_squeezenet(inputs[0]), h5write.CAFFE,
            {"pool_ceil_mode": np.int32(0)}, None)


def _keras_vgg16(inputs, args):
    import keras
    return "vgg16_features", keras.convert_vgg16(inputs[0]), h5write.CAFFE, {}, None


def _ncnn_squeezenet(inputs, args):
    import ncnn
    return ("squeezenet1_1", ncnn.convert_squeezenet(inputs[0], inputs[1]), h5write.TORCHVISION,
            {"pool_ceil_mode": np.int32(1)}, None)


def _tflite_fastdepth(inputs, args):
    import fastdepth
    params, extra = fastdepth.convert(fastdepth.read(inputs[0]))
    return "fastdepth", params, h5write.PLAIN_01, extra, None


def _fast_style(inputs, args):
    import fast_style
    params, files = fast_style.convert(inputs[0])
    style = os.path.basename(os.path.normpath(inputs[0]))
    extra = dict(fast_style.ATTRS, style=style)
    names = [style + "/" + os.path.basename(f) for f in files]
    return "fast_style_tf", params, h5write.PLAIN_255, extra, (files, names)


def _auto(inputs, args):
    import auto
    arch, params, pre, extra, note = auto.convert(inputs[0], args)
    args.note = note
    return arch, params, pre, extra, None


CONVERTERS = {"auto": _auto, "torchvision": _torchvision, "monodepth2": _monodepth2, "keras-squeezenet": _keras_squeezenet,
              "keras-vgg16": _keras_vgg16, "ncnn-squeezenet": _ncnn_squeezenet,
              "tflite-fastdepth": _tflite_fastdepth, "fast-style": _fast_style}


def _source_files(fmt, inputs):
    if fmt == "fast-style":
        import fast_style
        _, files = fast_style.read_checkpoint(inputs[0])
        style = os.path.basename(os.path.normpath(inputs[0]))
        return files, [style + "/" + os.path.basename(f) for f in files]
    return list(inputs), None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 epilog=__doc__[__doc__.index("Formats"):],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("format", choices=sorted(FORMATS))
    ap.add_argument("inputs", nargs="+", metavar="INPUT")
    ap.add_argument("-o", "--output", required=True, metavar="OUT.h5")
    ap.add_argument("--skip-if-same", action="store_true",
                    help="do nothing when OUT exists, records the same source sha256 and was written by "
                         "this converter version")
    ap.add_argument("--features-only", action="store_true",
                    help="torchvision: keep only features.* (architecture <name>_features)")
    ap.add_argument("--preprocessing", choices=("caffe", "torchvision"),
                    help="auto, a VGG .pth whose name does not say: caffe (BGR, 0..255, mean pixel subtracted: "
                         "neural-style-pt's converted Caffe models) or torchvision (RGB, ImageNet mean and std)")
    args = ap.parse_args(argv)
    if len(args.inputs) != FORMATS[args.format]:
        ap.error("%s takes %d input(s), got %d" % (args.format, FORMATS[args.format], len(args.inputs)))
    try:
        for p in args.inputs:
            if not os.path.exists(p):
                raise ValueError("input not found: %s" % p)
            if os.path.exists(args.output) and os.path.samefile(p, args.output):
                raise ValueError("the output %s is the input %s: give another -o" % (args.output, p))
        if args.skip_if_same and os.path.exists(args.output):
            files, names = _source_files(args.format, args.inputs)
            want = h5write.source_attrs(files, names)["source_sha256"]
            if h5write.up_to_date(args.output, want):
                print("up to date: %s" % args.output)
                return 0
        arch, params, pre, extra, sources = CONVERTERS[args.format](args.inputs, args)
        files, names = sources if sources else (list(args.inputs), None)
        n = h5write.write(args.output, arch, params, pre, files, extra, names)
    except (ValueError, KeyError, OSError, pickle.UnpicklingError, struct.error, zipfile.BadZipFile) as e:
        print("convert.py: error: %s" % e, file=sys.stderr)
        return 1
    note = getattr(args, "note", "")
    print("wrote %s: %s, %d parameters in %d tensors%s" % (args.output, arch, n, len(params), " (%s)" % note if note else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
