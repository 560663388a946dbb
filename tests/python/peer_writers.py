"""Writers of the peers' file formats for test fixtures, independent of the converters' readers:

* write_t7: Torch7's binary serialisation, as torch7's File.lua writeObject and Tensor.c /
  Storage.c write it (type tags, object indices with shared references, "V 1" class versions,
  tensors as size / stride / 1-based offset / storage);
* write_caffemodel: a NetParameter through google.protobuf (python3-protobuf), with message classes
  built at run time from the subset of BVLC caffe.proto the models use (field numbers as there),
  as V1 `layers` (legacy 4-D blob dims) or V2 `layer` (BlobShape) records.
"""

import struct

import numpy as np

# ---- Torch7 -----------------------------------------------------------------------------------------


class T7Tensor:
    """A tensor to write as a view into a storage shared with others (offset and strides in elements)."""

    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride


class T7Storage:
    def __init__(self, array):
        self.array = np.ascontiguousarray(array, np.float32).reshape(-1)


class T7Writer:
    def __init__(self):
        self.out = bytearray()
        self.index = {}  # id(object) -> index, for references
        self.alive = []  # every object indexed stays alive, so that no id is reused

    def int(self, v):
        self.out += struct.pack("<i", v)

    def long(self, v):
        self.out += struct.pack("<q", v)

    def string(self, s):
        b = s.encode() if isinstance(s, str) else s
        self.int(len(b))
        self.out += b

    def ref(self, obj, tag):
        """Writes the tag and the index; True when the object was written before (only the index)."""
        self.int(tag)
        if id(obj) in self.index:
            self.int(self.index[id(obj)])
            return True
        self.index[id(obj)] = len(self.index) + 1
        self.alive.append(obj)
        self.int(self.index[id(obj)])
        return False

    def torch_header(self, cls):
        self.string("V 1")
        self.string(cls)

    def obj(self, o):
        if o is None:
            self.int(0)
        elif isinstance(o, bool):
            self.int(5)
            self.int(1 if o else 0)
        elif isinstance(o, (int, float)):
            self.int(1)
            self.out += struct.pack("<d", float(o))
        elif isinstance(o, str):
            self.int(2)
            self.string(o)
        elif isinstance(o, dict):
            if not self.ref(o, 3):
                self.int(len(o))
                for k, v in o.items():
                    self.obj(k)
                    self.obj(v)
        elif isinstance(o, np.ndarray):
            a = np.ascontiguousarray(o, np.float32)
            strides = [int(np.prod(a.shape[i + 1:])) for i in range(a.ndim)]
            self.tensor(o, T7Storage(a) if a.size else None, 0, list(a.shape), strides)
        elif isinstance(o, T7Tensor):
            self.tensor(o, o.storage, o.offset, o.size, o.stride)
        elif isinstance(o, T7Storage):
            if not self.ref(o, 4):
                self.torch_header("torch.FloatStorage")
                self.long(o.array.size)
                self.out += o.array.astype("<f4").tobytes()
        elif hasattr(o, "cls"):  # a Lua module: class name, then its fields as a table
            if not self.ref(o, 4):
                self.torch_header(o.cls)
                self.obj(o.fields)
        else:
            raise TypeError("write_t7: %r" % type(o))

    def tensor(self, key, storage, offset, size, stride):
        if not self.ref(key, 4):
            self.torch_header("torch.FloatTensor")
            self.int(len(size))
            for v in size:
                self.long(v)
            for v in stride:
                self.long(v)
            self.long(offset + 1)  # Lua's 1-based storage offset
            self.obj(storage)


def write_t7(path, obj):
    w = T7Writer()
    w.obj(obj)
    with open(path, "wb") as f:
        f.write(bytes(w.out))
    return len(w.out)


# ---- Caffe ------------------------------------------------------------------------------------------

_CLASSES = None


def caffe_classes(packed=True):
    """NetParameter, V1LayerParameter, LayerParameter, BlobProto classes of a caffe.proto subset."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    F = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(name="caffe_subset_%d.proto" % packed, package="caffe%d" % packed,
                                             syntax="proto2")
    pkg = ".caffe%d." % packed

    def message(name, fields, enums=()):
        m = fdp.message_type.add(name=name)
        for e_name, values in enums:
            e = m.enum_type.add(name=e_name)
            for vn, vv in values:
                e.value.add(name=vn, number=vv)
        for fname, num, ftype, label, tname, pk in fields:
            f = m.field.add(name=fname, number=num, type=ftype, label=label)
            if tname:
                f.type_name = tname
            if pk:
                f.options.packed = True
        return m

    OPT, REP = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    message("BlobShape", [("dim", 1, F.TYPE_INT64, REP, None, True)])
    message("BlobProto", [("shape", 7, F.TYPE_MESSAGE, OPT, pkg + "BlobShape", False),
                          ("data", 5, F.TYPE_FLOAT, REP, None, packed),
                          ("double_data", 8, F.TYPE_DOUBLE, REP, None, packed),
                          ("num", 1, F.TYPE_INT64, OPT, None, False), ("channels", 2, F.TYPE_INT64, OPT, None, False),
                          ("height", 3, F.TYPE_INT64, OPT, None, False), ("width", 4, F.TYPE_INT64, OPT, None, False)])
    message("ConvolutionParameter", [("num_output", 1, F.TYPE_UINT32, OPT, None, False),
                                     ("pad", 3, F.TYPE_UINT32, REP, None, False),
                                     ("kernel_size", 4, F.TYPE_UINT32, REP, None, False),
                                     ("stride", 6, F.TYPE_UINT32, REP, None, False)])
    message("PoolingParameter", [("pool", 1, F.TYPE_UINT32, OPT, None, False),
                                 ("kernel_size", 2, F.TYPE_UINT32, OPT, None, False),
                                 ("stride", 3, F.TYPE_UINT32, OPT, None, False)])
    message("V1LayerParameter", [("bottom", 2, F.TYPE_STRING, REP, None, False),
                                 ("top", 3, F.TYPE_STRING, REP, None, False),
                                 ("name", 4, F.TYPE_STRING, OPT, None, False),
                                 ("type", 5, F.TYPE_ENUM, OPT, pkg + "V1LayerParameter.LayerType", False),
                                 ("blobs", 6, F.TYPE_MESSAGE, REP, pkg + "BlobProto", False),
                                 ("convolution_param", 10, F.TYPE_MESSAGE, OPT, pkg + "ConvolutionParameter", False),
                                 ("pooling_param", 19, F.TYPE_MESSAGE, OPT, pkg + "PoolingParameter", False)],
            enums=[("LayerType", [("NONE", 0), ("CONVOLUTION", 4), ("DROPOUT", 6), ("INNER_PRODUCT", 14),
                                  ("POOLING", 17), ("RELU", 18), ("SOFTMAX", 20)])])
    message("LayerParameter", [("name", 1, F.TYPE_STRING, OPT, None, False), ("type", 2, F.TYPE_STRING, OPT, None, False),
                               ("bottom", 3, F.TYPE_STRING, REP, None, False), ("top", 4, F.TYPE_STRING, REP, None, False),
                               ("blobs", 7, F.TYPE_MESSAGE, REP, pkg + "BlobProto", False),
                               ("convolution_param", 106, F.TYPE_MESSAGE, OPT, pkg + "ConvolutionParameter", False),
                               ("pooling_param", 121, F.TYPE_MESSAGE, OPT, pkg + "PoolingParameter", False)])
    message("NetParameter", [("name", 1, F.TYPE_STRING, OPT, None, False),
                             ("layers", 2, F.TYPE_MESSAGE, REP, pkg + "V1LayerParameter", False),
                             ("layer", 100, F.TYPE_MESSAGE, REP, pkg + "LayerParameter", False)])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    factory = message_factory.MessageFactory(pool)
    return {n: factory.GetPrototype(pool.FindMessageTypeByName(pkg[1:] + n))
            for n in ("NetParameter", "V1LayerParameter", "LayerParameter", "BlobProto")}


def write_caffemodel(path, layers, v1=True, packed=True, name="net"):
    """layers: [(name, type, blobs, conv)] with type 'Convolution' | 'InnerProduct' | 'ReLU' | 'Pooling' |
    'Dropout', blobs a list of float arrays, conv (kernel, stride, pad) or None. V1 records store the
    legacy num/channels/height/width dims (a bias as 1x1x1xN), V2 records a BlobShape."""
    C = caffe_classes(packed)
    net = C["NetParameter"]()
    net.name = name
    v1_type = {"Convolution": 4, "InnerProduct": 14, "ReLU": 18, "Pooling": 17, "Dropout": 6, "Softmax": 20}
    for lname, ltype, blobs, conv in layers:
        layer = net.layers.add() if v1 else net.layer.add()
        layer.name = lname
        layer.type = v1_type[ltype] if v1 else ltype
        if conv is not None:
            k, s, p = conv
            cp = layer.convolution_param
            cp.num_output = blobs[0].shape[0]
            cp.kernel_size.append(k)
            if s != 1:
                cp.stride.append(s)
            if p:
                cp.pad.append(p)
        for b in blobs:
            bp = layer.blobs.add()
            a = np.asarray(b, np.float32)
            if v1:
                dims = (1,) * (4 - a.ndim) + a.shape
                bp.num, bp.channels, bp.height, bp.width = dims
            else:
                bp.shape.dim.extend(a.shape)
            bp.data.extend(a.reshape(-1).tolist())
    data = net.SerializeToString()
    with open(path, "wb") as f:
        f.write(data)
    return len(data)
