"""Minimal read-only FlatBuffers decoder (no schema compiler, no flatbuffers package).

A FlatBuffer is a little-endian byte buffer. The root is a uoffset (u32) at byte 0
pointing to the root table. A table starts with an soffset (i32): the table's vtable
lies at table_pos - soffset. A vtable holds u16 vtable_size, u16 table_size, then one
u16 per field: the field's offset from the table start, 0 when the field is absent
(the reader then uses the schema default). Scalars are stored inline; tables, vectors
and strings are stored as a u32 offset relative to the field's own position. A vector
or string starts with a u32 element count followed by the elements (strings are UTF-8
followed by a NUL byte that is not counted).
"""

import struct

import numpy as np


class FlatBufferError(ValueError):
    pass


class Table:
    """One table inside a buffer; fields are addressed by their index in the schema."""

    def __init__(self, buf, pos):
        self.buf = buf
        self.pos = pos
        _check(buf, pos, 4)
        vt = pos - struct.unpack_from("<i", buf, pos)[0]
        _check(buf, vt, 4)
        self.vt = vt
        self.vt_size = struct.unpack_from("<H", buf, vt)[0]
        _check(buf, vt, self.vt_size)

    def _field(self, index):
        """Absolute position of field `index`, or None when the field is absent."""
        slot = 4 + 2 * index
        if slot >= self.vt_size:
            return None
        off = struct.unpack_from("<H", self.buf, self.vt + slot)[0]
        return self.pos + off if off else None

    def has(self, index):
        return self._field(index) is not None

    def scalar(self, index, fmt, default=0):
        p = self._field(index)
        if p is None:
            return default
        _check(self.buf, p, struct.calcsize(fmt))
        return struct.unpack_from("<" + fmt, self.buf, p)[0]

    def _indirect(self, index):
        p = self._field(index)
        if p is None:
            return None
        _check(self.buf, p, 4)
        return p + struct.unpack_from("<I", self.buf, p)[0]

    def table(self, index):
        p = self._indirect(index)
        return None if p is None else Table(self.buf, p)

    def string(self, index, default=None):
        p = self._indirect(index)
        if p is None:
            return default
        n = _vec_len(self.buf, p, 1)
        return bytes(self.buf[p + 4:p + 4 + n]).decode("utf-8")

    def vector(self, index, dtype):
        """A vector of scalars as a numpy array (empty when the field is absent)."""
        dt = np.dtype(dtype).newbyteorder("<")
        p = self._indirect(index)
        if p is None:
            return np.zeros(0, dt)
        n = _vec_len(self.buf, p, dt.itemsize)
        return np.frombuffer(self.buf, dt, n, p + 4)

    def tables(self, index):
        """A vector of tables as a list of Table."""
        p = self._indirect(index)
        if p is None:
            return []
        n = _vec_len(self.buf, p, 4)
        out = []
        for i in range(n):
            e = p + 4 + 4 * i
            out.append(Table(self.buf, e + struct.unpack_from("<I", self.buf, e)[0]))
        return out


def root(buf, identifier=None):
    """The root table of `buf` (bytes); checks the 4-byte file identifier when given."""
    if len(buf) < 8:
        raise FlatBufferError("buffer too small for a FlatBuffer (%d bytes)" % len(buf))
    if identifier is not None and bytes(buf[4:8]) != identifier:
        raise FlatBufferError("file identifier is %r, expected %r" % (bytes(buf[4:8]), identifier))
    return Table(buf, struct.unpack_from("<I", buf, 0)[0])


def _check(buf, pos, size):
    if pos < 0 or pos + size > len(buf):
        raise FlatBufferError("offset %d (+%d bytes) outside the buffer of %d bytes" % (pos, size, len(buf)))


def _vec_len(buf, p, itemsize):
    _check(buf, p, 4)
    n = struct.unpack_from("<I", buf, p)[0]
    _check(buf, p + 4, n * itemsize)
    return n
