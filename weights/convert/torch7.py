"""Reads Torch7 `.t7` files (torch.save in binary mode) WITHOUT Lua or Torch.

The format, as torch7's File.lua (writeObject / readObject) and generic/Tensor.c, Storage.c
write it, little-endian, "int" 4 bytes, "long" 8 bytes (4 in files saved with longSize 4):
  object  := int type, then by type:
    0 nil | 1 number: double | 2 string: int length, bytes | 5 boolean: int (1 = true)
    3 table: int index, and when the index is new: int count, count x (key object, value object)
    4 torch: int index, and when new: string "V <version>" then string class name (a file
             written before versioning has the class name in place of the version), then
             - tensors (torch.*Tensor): int ndim, long size[ndim], long stride[ndim],
               long storage offset (1-based), then the storage object (or nil);
             - storages (torch.*Storage): long size, then size raw elements;
             - other classes (nn.Sequential, nn.SpatialConvolution, ...): their fields, one
               table object.
    6, 7, 8 functions: int (index for 7, 8), string of bytecode, upvalues object.
  An index already read refers to the object read then (shared and recursive references).

read(path) returns nested Python values: dict for tables (keys: str, int for integral numbers,
float, bool), TorchObject for class instances (.cls, .fields), numpy arrays for tensors (a
copy, in the tensor's shape), LuaFunction placeholders. Every malformed input is a T7Error
naming the byte offset: a truncated file, an unknown type tag or class, sizes that do not fit
the file, nesting deeper than MAX_DEPTH.
"""

import struct

import numpy as np

MAX_DEPTH = 200
STORAGE_DTYPES = {"Float": "<f4", "Double": "<f8", "Long": "<i8", "Int": "<i4", "Short": "<i2", "Char": "i1",
                  "Byte": "u1", "Half": "<f2", "Cuda": "<f4", "CudaDouble": "<f8", "CudaLong": "<i8",
                  "CudaInt": "<i4", "CudaHalf": "<f2"}


class T7Error(ValueError):
    pass


class TorchObject:
    """An instance of a Torch class other than a tensor or storage: its class name and fields."""

    def __init__(self, cls, version):
        self.cls, self.version, self.fields = cls, version, {}

    def __getitem__(self, key):
        return self.fields[key]

    def get(self, key, default=None):
        return self.fields.get(key, default)

    def __repr__(self):
        return "<%s>" % self.cls


class LuaFunction:
    def __init__(self, bytecode, upvalues):
        self.bytecode, self.upvalues = bytecode, upvalues


class _Storage:
    def __init__(self, array):
        self.array = array


def _kind(cls, suffix):
    """'Float' for 'torch.FloatTensor' (suffix 'Tensor'), 'Cuda' for 'torch.CudaTensor'; None otherwise."""
    if cls.startswith("torch.") and cls.endswith(suffix):
        k = cls[len("torch."):-len(suffix)]
        return k if k in STORAGE_DTYPES else None
    return None


class _Reader:
    def __init__(self, data, path, long_size):
        self.data, self.path, self.pos, self.long_size = data, path, 0, long_size
        self.objects = {}

    def fail(self, what, at=None):
        raise T7Error("%s: %s at byte offset %d" % (self.path, what, self.pos if at is None else at))

    def take(self, n, what):
        if n < 0 or self.pos + n > len(self.data):
            self.fail("truncated: %s needs %d bytes, %d left" % (what, n, len(self.data) - self.pos))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def int(self, what):
        return struct.unpack("<i", self.take(4, what))[0]

    def long(self, what):
        return struct.unpack("<q" if self.long_size == 8 else "<i", self.take(self.long_size, what))[0]

    def longs(self, n, what):
        return list(struct.unpack("<%d%s" % (n, "q" if self.long_size == 8 else "i"), self.take(n * self.long_size, what)))

    def string(self, what):
        at = self.pos
        n = self.int(what + " length")
        if n < 0:
            self.fail("negative %s length %d" % (what, n), at)
        return self.take(n, what)

    def object(self, depth=0):
        if depth > MAX_DEPTH:
            self.fail("objects nested deeper than %d" % MAX_DEPTH)
        at = self.pos
        t = self.int("type tag")
        if t == 0:
            return None
        if t == 1:
            v = struct.unpack("<d", self.take(8, "number"))[0]
            return int(v) if v.is_integer() and abs(v) < 2 ** 53 else v
        if t == 2:
            return self.string("string").decode("utf-8", "replace")
        if t == 5:
            return self.int("boolean") == 1
        if t == 6:
            return LuaFunction(self.string("function bytecode"), self.object(depth + 1))
        if t not in (3, 4, 7, 8):
            self.fail("unknown type tag %d (not a Torch7 binary file, or a corrupt one)" % t, at)
        index = self.int("object index")
        if index in self.objects:
            return self.objects[index]
        if t in (7, 8):
            code = self.string("function bytecode")
            f = self.objects[index] = LuaFunction(code, None)
            f.upvalues = self.object(depth + 1)
            return f
        if t == 3:
            table = self.objects[index] = {}
            n = self.int("table size")
            if n < 0 or n > len(self.data) - self.pos:
                self.fail("table of %d entries cannot fit the %d bytes left" % (n, len(self.data) - self.pos), at)
            for _ in range(n):
                k = self.object(depth + 1)
                v = self.object(depth + 1)
                try:
                    table[k] = v
                except TypeError:  # a table used as a key: keep it by identity
                    table[id(k)] = v
            return table
        version = self.string("class version").decode("latin-1")
        if version.startswith("V "):
            cls = self.string("class name").decode("latin-1")
        else:
            cls, version = version, "V 0"
        if _kind(cls, "Tensor"):
            return self.tensor(cls, index, depth)
        if _kind(cls, "Storage"):
            return self.storage(cls, index)
        if not cls or not all(c.isalnum() or c in "._" for c in cls):
            self.fail("bad class name %r" % cls, at)
        obj = self.objects[index] = TorchObject(cls, version)
        fields = self.object(depth + 1)
        if not isinstance(fields, dict):
            self.fail("%s: its fields are not a table" % cls, at)
        obj.fields = fields
        return obj

    def storage(self, cls, index):
        at = self.pos
        n = self.long("storage size")
        dt = np.dtype(STORAGE_DTYPES[_kind(cls, "Storage")])
        if n < 0 or n * dt.itemsize > len(self.data) - self.pos:
            self.fail("truncated: %s of %d elements needs %d bytes, %d left" % (cls, n, n * dt.itemsize,
                                                                               len(self.data) - self.pos), at)
        st = self.objects[index] = _Storage(np.frombuffer(self.take(n * dt.itemsize, cls), dt))
        return st

    def tensor(self, cls, index, depth):
        at = self.pos
        ndim = self.int("tensor dimensions")
        if ndim < 0 or ndim > 16:
            self.fail("%s with %d dimensions" % (cls, ndim), at)
        size = self.longs(ndim, "tensor sizes")
        stride = self.longs(ndim, "tensor strides")
        offset = self.long("tensor storage offset") - 1
        st = self.object(depth + 1)
        if ndim == 0 or 0 in size:
            a = self.objects[index] = np.zeros(size if ndim else (0,), np.float32)
            return a
        if not isinstance(st, _Storage):
            self.fail("%s of size %s without a storage" % (cls, size), at)
        base = st.array
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        if offset < 0 or min(size) < 0 or min(stride) < 0 or last >= len(base):
            self.fail("%s (offset %d, size %s, stride %s) outside its storage of %d elements"
                      % (cls, offset, size, stride, len(base)), at)
        item = base.dtype.itemsize
        a = np.ndarray(tuple(size), base.dtype, base, offset * item, tuple(s * item for s in stride))
        a = self.objects[index] = np.array(a)
        return a


def read(path, long_size=8):
    """The object saved in `path` (see the module docstring)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) >= 2 and data[:1] in b"034" and data[1:2] in b"\n\r ":
        raise T7Error("%s: a Torch7 file in ASCII mode; convert.py reads binary files (torch.save(f, obj) "
                      "without 'ascii')" % path)
    r = _Reader(data, path, long_size)
    obj = r.object()
    if r.pos != len(data):
        r.fail("%d bytes after the saved object (not a Torch7 file, or written with longSize %d)"
               % (len(data) - r.pos, 4 if long_size == 8 else 8))
    return obj


def looks_like_t7(head):
    """True when the first bytes are those of a binary Torch7 file: a table or Torch object tag, index 1."""
    return len(head) >= 8 and struct.unpack("<ii", head[:8]) in ((3, 1), (4, 1))
