#!/usr/bin/python3
"""The files of `depthstyle 3d` read back by an independent reader (issue 21, points 1-3):
the .glb against the glTF 2.0 specification's layout rules and the pinhole geometry of the
scene it was made from, the .ply point cloud against the same geometry and the photo's colours.

The scene: a textured 96x72 photo of a wall at 3 m with a box at 1.2 m (float depth in HDF5,
metres), --fov 60 across the long side. Oracles: the specification (GLB header, chunk types,
4-byte alignment, POSITION min/max), f = (W/2) / tan(30 deg), and projection u = f X/Z + W/2.
"""

import json
import os
import struct
import subprocess

import h5py
import numpy as np

import common

TMP = common.tmpdir()
W, H = 96, 72
F = (W / 2) / np.tan(np.radians(30))
Z_WALL, Z_BOX = 3.0, 1.2


def scene():
    """content.ppm, depth.h5 and the depth array."""
    yy, xx = np.mgrid[0:H, 0:W]
    rgb = np.stack([(xx * 7 + yy * 3) % 200 + 30, (xx * 2 + yy * 11) % 180 + 40, (xx * yy) % 150 + 60], -1)
    rgb = rgb.astype(np.uint8)
    content = os.path.join(TMP, "content.ppm")
    with open(content, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (W, H) + rgb.tobytes())
    z = np.full((H, W), Z_WALL, np.float32)
    z[20:50, 30:70] = Z_BOX
    depth = os.path.join(TMP, "depth.h5")
    with h5py.File(depth, "w") as f:
        f["depth"] = z
    return content, depth, rgb, z


CONTENT, DEPTH, RGB, Z = scene()


def run_3d(*outputs):
    args = [os.environ.get("DEPTHSTYLE_BINARY", os.path.join(common.REPO, "build", "bin", "depthstyle")), "3d",
            CONTENT, "--depth", DEPTH, "--size", str(W), "--fov", "60", "--band", "6", "--no-viewer"]
    for o in outputs:
        args += ["-o", o]
    r = subprocess.run(args, capture_output=True, text=True, env=dict(os.environ, OMP_WAIT_POLICY="passive"))
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def read_glb(path):
    data = open(path, "rb").read()
    magic, version, length = struct.unpack_from("<III", data, 0)
    assert magic == 0x46546C67 and version == 2, (hex(magic), version)
    assert length == len(data), (length, len(data))
    json_len, json_type = struct.unpack_from("<II", data, 12)
    assert json_type == 0x4E4F534A and json_len % 4 == 0, (hex(json_type), json_len)
    doc = json.loads(data[20:20 + json_len].decode("utf-8"))
    pos = 20 + json_len
    bin_len, bin_type = struct.unpack_from("<II", data, pos)
    assert bin_type == 0x004E4942 and bin_len % 4 == 0, (hex(bin_type), bin_len)
    assert pos + 8 + bin_len == len(data)
    assert doc["buffers"][0]["byteLength"] <= bin_len
    return doc, data[pos + 8:pos + 8 + bin_len]


def accessor(doc, blob, index):
    a = doc["accessors"][index]
    v = doc["bufferViews"][a["bufferView"]]
    assert v["byteOffset"] % 4 == 0
    dtype = {5126: np.float32, 5125: np.uint32}[a["componentType"]]
    width = {"SCALAR": 1, "VEC2": 2, "VEC3": 3}[a["type"]]
    arr = np.frombuffer(blob, dtype, a["count"] * width, v["byteOffset"] + a.get("byteOffset", 0))
    return a, arr.reshape(a["count"], width) if width > 1 else arr


def test_glb_layout_camera_and_geometry():
    glb = os.path.join(TMP, "out", "scene.glb")
    run_3d(glb)
    doc, blob = read_glb(glb)
    assert doc["asset"]["version"] == "2.0"
    assert "KHR_materials_unlit" in doc["extensionsUsed"]
    cam = doc["cameras"][0]
    assert cam["type"] == "perspective"
    # yfov from --fov 60 across the long side: f = 48 / tan(30 deg), yfov = 2 atan(36 / f).
    assert abs(cam["perspective"]["yfov"] - 2 * np.arctan((H / 2) / F)) < 1e-6, cam
    assert abs(cam["perspective"]["aspectRatio"] - W / H) < 1e-6, cam
    k = cam["extras"]["depthstyle"]
    assert abs(k["fx"] - F) < 1e-4 and k["cx"] == W / 2 and k["width"] == W, k
    prims = doc["meshes"][0]["primitives"]
    assert len(prims) == 2, "a visible and a background layer"
    for p, prim in enumerate(prims):
        mat = doc["materials"][prim["material"]]
        assert "KHR_materials_unlit" in mat["extensions"]
        a, pos = accessor(doc, blob, prim["attributes"]["POSITION"])
        assert np.allclose(a["min"], pos.min(0)) and np.allclose(a["max"], pos.max(0)), "POSITION min/max"
        _, uv = accessor(doc, blob, prim["attributes"]["TEXCOORD_0"])
        _, idx = accessor(doc, blob, prim["indices"])
        assert idx.max() < len(pos) and len(idx) % 3 == 0
        # glTF's frame is (x, -y, -z) of the camera frame: every point is in front, inside the frame.
        X, Y, Zc = pos[:, 0].astype(np.float64), -pos[:, 1].astype(np.float64), -pos[:, 2].astype(np.float64)
        assert (Zc > 0).all()
        u, v = F * X / Zc + W / 2, F * Y / Zc + H / 2
        assert u.min() > -1e-3 and u.max() < W + 1e-3 and v.min() > -1e-3 and v.max() < H + 1e-3
        # Vertices at pixel centres carry that pixel's depth and texel.
        centre = (np.abs(u - np.floor(u) - 0.5) < 1e-4) & (np.abs(v - np.floor(v) - 0.5) < 1e-4)
        assert centre.sum() > (W * H // 2 if p == 0 else 50), centre.sum()
        px, py = np.floor(u[centre]).astype(int), np.floor(v[centre]).astype(int)
        if p == 0:
            assert np.allclose(Zc[centre], Z[py, px], rtol=1e-6), "depth at pixel centres"
        else:  # the background layer is the wall behind the box
            assert np.allclose(Zc[centre], Z_WALL, rtol=1e-5), "background depth"
        assert np.allclose(uv[centre, 0], (px + 0.5) / W, atol=1e-6)
        assert np.allclose(uv[centre, 1], (py + 0.5) / H, atol=1e-6)
        # No rubber sheet: no triangle joins the box (1.2 m) and the wall (3 m).
        tz = Zc[idx.reshape(-1, 3)]
        assert ((tz.max(1) > 2.0) & (tz.min(1) < 2.0)).sum() == 0, "a triangle spans the depth edge"
        # The texture is the photo (the visible layer) as an embedded PNG.
        img = doc["images"][doc["textures"][mat["pbrMetallicRoughness"]["baseColorTexture"]["index"]]["source"]]
        view = doc["bufferViews"][img["bufferView"]]
        assert img["mimeType"] == "image/png" and "target" not in view
        png = os.path.join(TMP, "texture%d.png" % p)
        open(png, "wb").write(blob[view["byteOffset"]:view["byteOffset"] + view["byteLength"]])
        tex = common.read_png(png)
        assert tex.shape == (H, W, 3)
        if p == 0:
            assert (tex == RGB).all(), "the visible layer's texture is the photo"


def test_ply_points_are_the_ldi():
    ply = os.path.join(TMP, "out", "cloud.ply")
    run_3d(ply)
    data = open(ply, "rb").read()
    end = data.index(b"end_header\n") + len(b"end_header\n")
    header = data[:end].decode("ascii").splitlines()
    assert header[0] == "ply" and header[1] == "format binary_little_endian 1.0", header[:2]
    n = int([h for h in header if h.startswith("element vertex")][0].split()[-1])
    props = [h.split()[1:] for h in header if h.startswith("property")]
    assert props == [["float", "x"], ["float", "y"], ["float", "z"], ["uchar", "red"], ["uchar", "green"],
                     ["uchar", "blue"]], props
    rec = np.dtype([("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("r", "u1"), ("g", "u1"), ("b", "u1")])
    pts = np.frombuffer(data, rec, n, end)
    assert len(data) == end + n * rec.itemsize
    assert n > W * H, "visible points and background samples"
    vis = pts[:W * H]
    X, Y, Zc = vis["x"].astype(np.float64), -vis["y"].astype(np.float64), -vis["z"].astype(np.float64)
    yy, xx = np.mgrid[0:H, 0:W]
    assert np.allclose(F * X / Zc + W / 2, (xx + 0.5).ravel(), atol=1e-3)
    assert np.allclose(F * Y / Zc + H / 2, (yy + 0.5).ravel(), atol=1e-3)
    assert np.allclose(Zc, Z.ravel(), rtol=1e-6)
    assert (np.stack([vis["r"], vis["g"], vis["b"]], -1) == RGB.reshape(-1, 3)).all(), "colours are the photo's"
    back = pts[W * H:]
    assert np.allclose(-back["z"], Z_WALL, rtol=1e-5), "background samples continue the wall"


if __name__ == "__main__":
    common.run(globals())
