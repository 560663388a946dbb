#!/usr/bin/python3
"""scripts/prepare-data on part of the real data folder (linked into a temporary one):
converts and copies, skips when up to date, reconverts when the recorded source differs."""

import os
import subprocess

import common
import h5py

TMP = common.tmpdir()
SCRIPT = os.path.join(common.REPO, "scripts", "prepare-data")


def prepare(src, out):
    env = dict(os.environ, DEPTHSTYLE_DATA=src, DEPTHSTYLE_PREPARED=out)
    r = subprocess.run([SCRIPT], capture_output=True, text=True, env=env)
    assert r.returncode == 0, "prepare-data: exit %d\n%s%s" % (r.returncode, r.stdout, r.stderr)
    return r.stdout


def test_convert_skip_reconvert():
    data = common.data_dir()
    src = os.path.join(TMP, "src")
    for rel in ("weights/fastdepth", "weights/squeezenet1_1-ncnn", "images/labels", "images/rgbd"):
        os.makedirs(os.path.dirname(os.path.join(src, rel)), exist_ok=True)
        os.symlink(common.data_file(rel), os.path.join(src, rel))
    out = os.path.join(TMP, "out")
    first = prepare(src, out)
    assert "wrote %s/weights/fastdepth.h5: fastdepth, 1352225 parameters" % out in first, first
    assert "wrote %s/weights/squeezenet1_1.h5: squeezenet1_1, 1235496 parameters" % out in first, first
    n_images = sum(len(f) for _, _, f in os.walk(os.path.join(data, "images", "rgbd"))) + 1
    assert "images: %d copied, 0 up to date" % n_images in first, first
    assert os.path.exists(os.path.join(out, "images", "rgbd", "nyu_depth.pgm"))
    second = prepare(src, out)
    assert "wrote" not in second and second.count("up to date: ") == 2, second
    assert "images: 0 copied, %d up to date" % n_images in second, second
    with h5py.File(os.path.join(out, "weights", "fastdepth.h5"), "r+") as f:
        f.attrs["source_sha256"] = "0" * 64
    third = prepare(src, out)
    assert "wrote %s/weights/fastdepth.h5" % out in third and "up to date: %s/weights/squeezenet1_1.h5" % out in third
    with h5py.File(os.path.join(out, "weights", "squeezenet1_1.h5"), "r+") as f:
        f.attrs["converter"] = "an older converter"
    fourth = prepare(src, out)
    assert "wrote %s/weights/squeezenet1_1.h5" % out in fourth and "up to date: %s/weights/fastdepth.h5" % out in fourth


if __name__ == "__main__":
    common.require_data()
    common.run(globals())
