"""Keras HDF5 weight files (`model.save_weights` layout, TensorFlow kernel order).

The file's root (or its `model_weights` group, for a whole-model save) holds one group per
layer; the group's `weight_names` attribute lists the layer's datasets in order, relative
to the group (e.g. `fire2/squeeze1x1_3/kernel:0`). A Conv2D has a 4-D kernel in HWIO
order [kh, kw, in, out] and a 1-D bias; they are converted to PyTorch's OIHW.
"""

import collections

import h5py
import numpy as np

import archs


class KerasError(ValueError):
    pass


def _layer_weights(root, layer, path):
    if layer not in root:
        raise KerasError("%s: layer %s not found" % (path, layer))
    g = root[layer]
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in g.attrs.get("weight_names", [])]
    arrays = [np.asarray(g[n]) for n in names]
    kernels = [a for a in arrays if a.ndim == 4]
    biases = [a for a in arrays if a.ndim == 1]
    if len(arrays) != 2 or len(kernels) != 1 or len(biases) != 1:
        raise KerasError("%s: layer %s holds %s, expected one 4-D kernel and one bias"
                         % (path, layer, [a.shape for a in arrays]))
    k, b = kernels[0], biases[0]
    if k.shape[3] != b.shape[0]:
        raise KerasError("%s: layer %s kernel %s does not match bias %s (HWIO expected)"
                         % (path, layer, k.shape, b.shape))
    return np.ascontiguousarray(k.transpose(3, 2, 0, 1), np.float32), b.astype(np.float32)


def _open(path):
    f = h5py.File(path, "r")
    backend = f.attrs.get("backend")
    if isinstance(backend, bytes):
        backend = backend.decode()
    if backend not in (None, "tensorflow"):
        f.close()
        raise KerasError("%s: backend %r; only TensorFlow kernel order (HWIO) is supported" % (path, backend))
    root = f["model_weights"] if "model_weights" in f else f
    return f, root


def convert_squeezenet(path):
    """Keras SqueezeNet v1.1 notop -> torchvision names (squeezenet1_1_features)."""
    f, root = _open(path)
    with f:
        params = collections.OrderedDict()
        params["features.0.weight"], params["features.0.bias"] = _layer_weights(root, "conv1", path)
        for idx, fire, *_ in archs.SQUEEZENET_FIRES:
            for part in ("squeeze1x1", "expand1x1", "expand3x3"):
                w, b = _layer_weights(root, fire + "/" + part, path)
                name = "features.%d.%s." % (idx, "squeeze" if part == "squeeze1x1" else part)
                params[name + "weight"], params[name + "bias"] = w, b
        _check_no_other_weights(root, path, ["conv1"] + [fire + "/" + part for _, fire, *_ in archs.SQUEEZENET_FIRES
                                                          for part in ("squeeze1x1", "expand1x1", "expand3x3")])
    return params


def convert_vgg16(path):
    """Keras VGG16 (notop or with top: the top is ignored) -> torchvision names (vgg16_features)."""
    f, root = _open(path)
    with f:
        params = collections.OrderedDict()
        for (idx, _, _), layer in zip(archs.VGG16_CONVS, archs.VGG16_KERAS):
            w, b = _layer_weights(root, layer, path)
            params["features.%d.weight" % idx], params["features.%d.bias" % idx] = w, b
        _check_no_other_weights(root, path, archs.VGG16_KERAS + ["fc1", "fc2", "predictions"])
    return params


def _check_no_other_weights(root, path, known):
    """Refuses a file with weights in a layer this converter does not know (another network)."""
    for layer in _layer_names(root):
        if layer in known:
            continue
        g = root[layer] if layer in root else None
        if g is not None and len(g.attrs.get("weight_names", [])):
            raise KerasError("%s: unexpected layer with weights: %s" % (path, layer))


def _layer_names(root):
    names = root.attrs.get("layer_names")
    if names is None:
        return list(root.keys())
    return [n.decode() if isinstance(n, bytes) else str(n) for n in names]
