"""Writes the project's weight files (docs/weights-format.md) and hashes source files."""

import hashlib
import os

import h5py
import numpy as np

import archs

FORMAT_VERSION = 1
# Recorded as the `converter` attribute; bump it when a conversion changes, so that
# prepare-data regenerates outputs converted by an older version.
CONVERTER = "depthstyle weights/convert 1"

# Preprocessing of the common conventions (see the doc, "Root attributes").
TORCHVISION = {"channel_order": "RGB", "value_scale": 1.0,
               "mean": (0.485, 0.456, 0.406), "std": (0.229, 0.224, 0.225)}
CAFFE = {"channel_order": "BGR", "value_scale": 255.0,
         "mean": (103.939, 116.779, 123.68), "std": (1.0, 1.0, 1.0)}
PLAIN_01 = {"channel_order": "RGB", "value_scale": 1.0, "mean": (0.0, 0.0, 0.0), "std": (1.0, 1.0, 1.0)}
PLAIN_255 = {"channel_order": "RGB", "value_scale": 255.0, "mean": (0.0, 0.0, 0.0), "std": (1.0, 1.0, 1.0)}


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def source_attrs(paths, names=None):
    """`source` and `source_sha256` attributes: file names and hex digests, comma-separated, same order."""
    names = names or [os.path.basename(os.path.normpath(p)) for p in paths]
    return {"source": ",".join(names), "source_sha256": ",".join(sha256_file(p) for p in paths)}


def up_to_date(path, source_sha256):
    """True when `path` is a weight file of this converter version made from sources with these digests."""
    try:
        with h5py.File(path, "r") as f:
            got = {k: f.attrs.get(k) for k in ("source_sha256", "converter", "format_version")}
    except (OSError, ValueError):
        return False
    got = {k: v.decode() if isinstance(v, bytes) else v for k, v in got.items()}
    return (got["source_sha256"] == source_sha256 and got["converter"] == CONVERTER
            and got["format_version"] is not None and int(got["format_version"]) == FORMAT_VERSION)


def as_float32(params, source):
    """`params` as contiguous float32 arrays; raises ValueError naming every tensor that holds NaN or
    infinity, or values beyond float32's range, with the counts: a diverged training run's checkpoint
    would otherwise convert and run (ReLU turns NaN into 0) and give a plausible but wrong image."""
    out, bad = {}, []
    for name, value in params.items():
        src = np.asarray(value)
        with np.errstate(over="ignore", invalid="ignore"):
            a = np.ascontiguousarray(src, dtype=np.float32)
        out[name] = a
        if np.isfinite(a).all():
            continue
        nan, inf = int(np.isnan(a).sum()), int(np.isinf(a).sum())
        src_inf = int(np.isinf(src).sum()) if src.dtype.kind == "f" else 0
        what = ["%d NaN" % nan] if nan else []
        what += ["%d infinite" % src_inf] if src_inf else []
        what += ["%d beyond float32's range (above 3.4e38)" % (inf - src_inf)] if inf > src_inf else []
        bad.append("%s holds %s value%s (of %d)" % (name, " and ".join(what), "s" if nan + inf > 1 else "", a.size))
    if bad:
        shown = "; ".join(bad[:5]) + ("; ... and %d more tensors" % (len(bad) - 5) if len(bad) > 5 else "")
        raise ValueError("%s: %s: a diverged training run? nothing written" % (source, shown))
    return out


def write(path, architecture, params, preprocessing, sources, extra_attrs=None, source_names=None):
    """Writes `params` (ordered name -> array) as float32 datasets with the root attributes.

    Checks the names and shapes against archs.py and that every value is finite (as_float32)
    first; writes to a temporary file and renames it, so an interrupted run never leaves a
    half-written OUT behind.
    """
    archs.check(architecture, params, ", ".join(sources), (extra_attrs or {}).get("graph"))
    arrays = as_float32(params, ", ".join(sources))
    attrs = {"architecture": architecture, "format_version": np.int32(FORMAT_VERSION),
             "channel_order": preprocessing["channel_order"],
             "value_scale": np.float64(preprocessing["value_scale"]),
             "mean": np.asarray(preprocessing["mean"], np.float64),
             "std": np.asarray(preprocessing["std"], np.float64)}
    attrs.update(source_attrs(sources, source_names))
    attrs["converter"] = CONVERTER
    attrs.update(extra_attrs or {})
    tmp = path + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with h5py.File(tmp, "w") as f:
        for name, value in attrs.items():
            f.attrs[name] = value
        for name, value in arrays.items():
            f.create_dataset(name, data=value)
    os.replace(tmp, path)
    return sum(archs.numel(v.shape) for v in params.values())
