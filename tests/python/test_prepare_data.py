#!/usr/bin/python3
"""scripts/prepare-data without the real data: absent source folder (note, exit 0) and
source folders with wrong files (clear message, non-zero exit)."""

import json
import os
import subprocess

import common

TMP = common.tmpdir()
SCRIPT = os.path.join(common.REPO, "scripts", "prepare-data")


def prepare(src, out, ok=True):
    env = dict(os.environ, DEPTHSTYLE_DATA=src, DEPTHSTYLE_PREPARED=out)
    r = subprocess.run([SCRIPT], capture_output=True, text=True, env=env)
    if (r.returncode == 0) != ok:
        raise AssertionError("prepare-data: exit %d\n%s%s" % (r.returncode, r.stdout, r.stderr))
    return r


def test_absent_source_folder():
    out = os.path.join(TMP, "out_absent")
    r = prepare(os.path.join(TMP, "does_not_exist"), out)
    assert "no data folder at" in r.stdout, r.stdout
    assert not os.path.exists(out)


def test_wrong_published_file_fails():
    src = os.path.join(TMP, "src_bad")
    d = os.path.join(src, "weights", "squeezenet1_1-ncnn")
    os.makedirs(d)
    open(os.path.join(d, "squeezenet_v1.1.ncnn.param"), "w").write("7767517\n0 0\n")
    open(os.path.join(d, "squeezenet_v1.1.ncnn.bin"), "wb").write(b"\0" * 16)
    r = prepare(src, os.path.join(TMP, "out_bad"), ok=False)
    assert "failed verification" in r.stderr, r.stderr
    assert "squeezenet_v1.1.ncnn.param: size 12, expected 4629" in r.stderr, r.stderr


def test_broken_unknown_style_fails():
    src = os.path.join(TMP, "src_style")
    d = os.path.join(src, "weights", "fast-style", "mystyle")
    os.makedirs(d)
    json.dump({"Variable": {"filename": "Variable", "shape": [9, 9, 3, 32]}}, open(os.path.join(d, "manifest.json"), "w"))
    open(os.path.join(d, "Variable"), "wb").write(b"\0" * 100)
    os.makedirs(os.path.join(src, "images", "content"))
    open(os.path.join(src, "images", "content", "a.ppm"), "wb").write(b"P6 1 1 255\n\0\0\0")
    r = prepare(src, os.path.join(TMP, "out_style"), ok=False)
    assert "converting" in r.stderr and "mystyle" in r.stderr, r.stderr
    assert "100 bytes, expected float32 of shape [9, 9, 3, 32]" in r.stderr, r.stderr


def test_user_added_peer_model_is_converted_by_auto():
    """A NIN file a user puts where prepare-data looks is converted with convert.py auto: here a Caffe
    model of another network, which fails naming what it is."""
    src = os.path.join(TMP, "src_nin")
    d = os.path.join(src, "weights", "nin")
    os.makedirs(d)
    # A NetParameter with one V2 layer "conv1" holding one 2-float blob (field numbers of caffe.proto).
    blob = bytes([0x2a, 8]) + b"\0" * 8
    layer = bytes([0x0a, 5]) + b"conv1" + bytes([0x3a, len(blob)]) + blob
    open(os.path.join(d, "nin_imagenet_conv.caffemodel"), "wb").write(bytes([0xa2, 0x06, len(layer)]) + layer)
    r = prepare(src, os.path.join(TMP, "out_nin"), ok=False)
    assert "not VGG16, VGG19 or NIN" in r.stderr and "conv1" in r.stderr, r.stderr


if __name__ == "__main__":
    common.run(globals())
