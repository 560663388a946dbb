"""Reads PyTorch `torch.save` files of state dicts WITHOUT torch.

Two container formats exist:
  * zip (torch >= 1.6): a zip archive `<top>/data.pkl` (the pickled object) plus one raw
    little-endian file `<top>/data/<key>` per storage;
  * legacy (torch <= 1.5, used by the published torchvision and Monodepth2 files): a
    stream of pickles (magic number, protocol version, system info, the object, the list
    of storage keys) followed, per storage key in that order, by an int64 element count
    and the raw little-endian elements.
In both the object pickle refers to storages by "persistent id" and builds tensors with
torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...). A restricted
Unpickler allows only these globals (and OrderedDict); anything else is refused, so a
malicious file cannot run code. The tar-based format of the earliest torch releases is refused.
"""

import collections
import io
import os
import pickle
import struct
import zipfile

import numpy as np

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
STORAGE_DTYPES = {"FloatStorage": "<f4", "DoubleStorage": "<f8", "HalfStorage": "<f2", "LongStorage": "<i8",
                  "IntStorage": "<i4", "ShortStorage": "<i2", "CharStorage": "i1", "ByteStorage": "u1",
                  "BoolStorage": "?", "BFloat16Storage": "<u2"}


class PthError(ValueError):
    pass


class _StorageType:
    def __init__(self, name):
        self.name = name
        self.dtype = np.dtype(STORAGE_DTYPES[name])


class _Storage:
    """A storage whose elements may arrive after unpickling (legacy format)."""

    def __init__(self, stype, numel):
        self.stype = stype
        self.numel = numel
        self.array = None


class _TensorRef:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def materialize(self):
        st = self.storage
        base = st.array
        if base is None:
            raise PthError("storage data missing for a tensor")
        if self.size and min(self.size) == 0:
            return np.zeros(self.size, base.dtype)
        last = self.offset + sum((n - 1) * s for n, s in zip(self.size, self.stride))
        if self.offset < 0 or last >= len(base) or min(self.stride, default=0) < 0:
            raise PthError("tensor (offset %d, size %s, stride %s) outside its storage of %d elements"
                           % (self.offset, self.size, self.stride, len(base)))
        item = base.dtype.itemsize
        a = np.ndarray(self.size, base.dtype, base, self.offset * item, [s * item for s in self.stride])
        a = np.array(a)  # contiguous copy
        if st.stype.name == "BFloat16Storage":
            a = (a.astype(np.uint32) << 16).view(np.float32)
        return a


def _rebuild_tensor(storage, offset, size, stride, *_):
    return _TensorRef(storage, offset, size, stride)


def _rebuild_parameter(data, *_):
    return data


def _not_a_state_dict(path, what):
    """The error for a file holding Python objects besides tensors and dicts, most often a whole
    model saved with torch.save(model): says how to save the weights alone."""
    return pickle.UnpicklingError(
        "%s: holds %s, not only tensors and dicts (this reader refuses other objects, so that a file cannot run "
        "code). A whole model saved with torch.save(model)? Save its weights instead, in Python: "
        "torch.save(model.state_dict(), 'weights.pth'), and convert that file" % (path, what))


class _Unpickler(pickle.Unpickler):
    def __init__(self, f, persistent_load, path):
        super().__init__(f)
        self._persistent = persistent_load
        self._path = path

    def persistent_load(self, pid):
        return self._persistent(pid)

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_tensor"):
            return _rebuild_tensor
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(name)
        raise _not_a_state_dict(self._path, "a pickled Python object %s.%s" % (module, name))


def _storage_type(t):
    if not isinstance(t, _StorageType):
        raise PthError("unsupported storage type %r" % (t,))
    return t


def _load_zip(path):
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        pkl = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pkl) != 1:
            raise PthError("%s: zip archive without exactly one data.pkl" % path)
        top = pkl[0][:-len("data.pkl")]
        if top + "byteorder" in names and z.read(top + "byteorder").strip() != b"little":
            raise PthError("%s: big-endian storages are not supported" % path)
        storages = {}

        def persistent_load(pid):
            if pid[0] != "storage":
                raise PthError("unsupported persistent id %r" % (pid[0],))
            stype, key, numel = _storage_type(pid[1]), str(pid[2]), int(pid[4])
            if key not in storages:
                raw = z.read(top + "data/" + key)
                st = _Storage(stype, numel)
                if len(raw) != numel * stype.dtype.itemsize:
                    raise PthError("%s: storage data/%s has %d bytes, expected %d"
                                   % (path, key, len(raw), numel * stype.dtype.itemsize))
                st.array = np.frombuffer(raw, stype.dtype)
                storages[key] = st
            return storages[key]

        return _Unpickler(io.BytesIO(z.read(pkl[0])), persistent_load, path).load()


def _load_legacy(path):
    with open(path, "rb") as f:
        data = f.read()
    f = io.BytesIO(data)
    try:
        magic = pickle.load(f)
    except Exception as e:
        raise PthError("%s: neither a zip nor a legacy PyTorch file (%s)" % (path, e))
    if magic != LEGACY_MAGIC:
        raise PthError("%s: not a PyTorch file (bad magic number)" % path)
    if pickle.load(f) != 1001:
        raise PthError("%s: unsupported legacy protocol version" % path)
    sys_info = pickle.load(f)
    if not sys_info.get("little_endian", True):
        raise PthError("%s: big-endian file not supported" % path)
    roots = {}
    views = []

    def persistent_load(pid):
        if pid[0] == "module":  # torch <= 1.5 saves a module's class with its source code
            raise _not_a_state_dict(path, "a pickled module %s" % getattr(pid[1], "__name__", "(class)"))
        if pid[0] != "storage":
            raise PthError("%s: unsupported persistent id %r" % (path, pid[0]))
        _, stype, key, _location, numel, view = pid
        key = str(key)
        if key not in roots:
            roots[key] = _Storage(_storage_type(stype), int(numel))
        if view is None:
            return roots[key]
        _vkey, offset, vsize = view
        v = _Storage(roots[key].stype, int(vsize))
        views.append((v, roots[key], int(offset)))
        return v

    obj = _Unpickler(f, persistent_load, path).load()
    keys = pickle.load(f)
    pos = f.tell()
    for key in keys:
        st = roots[str(key)]
        if pos + 8 > len(data):
            raise PthError("%s: truncated (storage %s)" % (path, key))
        numel = struct.unpack_from("<q", data, pos)[0]
        pos += 8
        nbytes = numel * st.stype.dtype.itemsize
        if numel != st.numel or pos + nbytes > len(data):
            raise PthError("%s: storage %s holds %d elements (%d bytes left), expected %d"
                           % (path, key, numel, len(data) - pos, st.numel))
        st.array = np.frombuffer(data, st.stype.dtype, numel, pos)
        pos += nbytes
    if pos != len(data):
        raise PthError("%s: %d trailing bytes after the last storage" % (path, len(data) - pos))
    for v, root, offset in views:
        v.array = root.array[offset:offset + v.numel]
    return obj


def _resolve(obj, keep=None):
    if isinstance(obj, _TensorRef):
        return obj.materialize()
    if isinstance(obj, dict):
        out = collections.OrderedDict()
        for k, v in obj.items():
            if keep is None or keep(k):
                out[k] = _resolve(v)
        return out
    if isinstance(obj, (list, tuple)):
        return type(obj)(_resolve(v) for v in obj)
    return obj


def load(path, keep=None):
    """The object saved in `path` with tensors as numpy arrays (a state dict: OrderedDict).

    keep: optional predicate on the top-level keys of a dict; other entries are dropped
    before their tensors are materialised."""
    if zipfile.is_zipfile(path):
        obj = _load_zip(path)
    else:
        with open(path, "rb") as f:
            head = f.read(512)
        if head[:4] == b"PK\x03\x04":  # a zip's first entry, but no central directory at the end
            raise PthError("%s: a zip (PyTorch) file without its central directory, which a zip keeps at its end: "
                           "truncated (%d bytes; an interrupted download or copy?)" % (path, os.path.getsize(path)))
        if len(head) >= 262 and head[257:262] == b"ustar":
            raise PthError("%s: tar-based PyTorch file (earliest torch releases) not supported; re-save it with a newer "
                           "torch: torch.save(torch.load(f), out)" % path)
        obj = _load_legacy(path)
    return _resolve(obj, keep)


def load_state_dict(path, keep=None):
    """A state dict as name -> float32 array, plus the non-float entries (other) separately.

    A DataParallel model's keys (all starting with 'module.') are given without that prefix."""
    prefix = "module."  # nn.DataParallel / DistributedDataParallel wrap the model: every key starts so
    obj = load(path, keep and (lambda k: keep(k[len(prefix):] if k.startswith(prefix) else k)))
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict):
        raise PthError("%s: expected a state dict, found %s" % (path, type(obj).__name__))
    if obj and all(isinstance(k, str) and k.startswith(prefix) for k in obj):
        obj = collections.OrderedDict((k[len(prefix):], v) for k, v in obj.items())
        print("%s: every key starts with '%s' (a DataParallel model's state dict): stripped it" % (path, prefix))
    params, other = collections.OrderedDict(), collections.OrderedDict()
    for k, v in obj.items():
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            with np.errstate(over="ignore"):  # float64 beyond float32: infinite, refused by h5write
                params[k] = v.astype(np.float32)
        else:
            other[k] = v
    return params, other
