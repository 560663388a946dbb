#!/usr/bin/python3
"""Identity of the real source files the project converts (paths relative to the data folder).

FILES: size and sha256 as published in the data folder's README.
FOLDERS: for the fast-style checkpoints, one digest per folder: the sha256 of the text
"<sha256>  <file name>\\n" over all files of the folder sorted by name (what `sha256sum *`
prints in the C locale), measured on the files described in the README.

Run as a script to verify a data folder: prints one line per source and exits 1 when a
present source does not match (absent sources are reported, not errors).
"""

import argparse
import hashlib
import os
import sys

FILES = {
    "weights/squeezenet1_1-ncnn/squeezenet_v1.1.ncnn.bin":
        (2478984, "3de9f2f9dbbbc4468fe452d9033300633b60748073a9509a7ea882caec57e544"),
    "weights/squeezenet1_1-ncnn/squeezenet_v1.1.ncnn.param":
        (4629, "7dfb3045edf49f199ccc03dfc262956c6b9f38089b14d32a273aa8463c49c46b"),
    "weights/squeezenet1_1-keras/squeezenet_weights_tf_dim_ordering_tf_kernels_notop.h5":
        (3032184, "2d935d8c102ad1232484a77da8e6fbdf3ff4ab608974a0d8b6283115ffff204f"),
    "weights/fastdepth/fast_depth_224.tflite":
        (1680480, "e8957602750f16ac130210868f4403b38b4042f0d10c00b89ec03fc3dc840125"),
}

STYLES = ["la_muse", "rain_princess", "scream", "udnie", "wave", "wreck"]
FOLDERS = {
    "weights/fast-style/la_muse": "4167e5fce95dcc7b9b9f8e151f7b4fd9a8dab55b2c4fea522fc6820c234df5c2",
    "weights/fast-style/rain_princess": "c82b91263cbd77011d95f8b3355e0f92927dac084f411205dfa039cdc519a3b7",
    "weights/fast-style/scream": "3d56f9709c399eb41c34597bce3c2afc889d0967a71e7d09dd1d7782e519dc32",
    "weights/fast-style/udnie": "3a5312d98469e713447e9ae7e703eda35b4aa349fd11636a0fc09fa10193a5dc",
    "weights/fast-style/wave": "c3dca6b697adbd0de7788b1d2c72df20dac45d1f8aab804b0ea776c0855e0fd7",
    "weights/fast-style/wreck": "1b5f3f53009adbdd4762f04fbdf0f4095d2726c51e9a2c6924a44e60f0dfbb37",
}


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def folder_digest(path):
    lines = "".join("%s  %s\n" % (file_digest(os.path.join(path, n)), n) for n in sorted(os.listdir(path)))
    return hashlib.sha256(lines.encode()).hexdigest()


def verify(data):
    """List of (relative path, status) with status "ok", "absent" or a mismatch message."""
    out = []
    for rel, (size, digest) in FILES.items():
        p = os.path.join(data, rel)
        if not os.path.exists(p):
            out.append((rel, "absent"))
        elif os.path.getsize(p) != size:
            out.append((rel, "size %d, expected %d" % (os.path.getsize(p), size)))
        elif file_digest(p) != digest:
            out.append((rel, "sha256 %s, expected %s" % (file_digest(p), digest)))
        else:
            out.append((rel, "ok"))
    for rel, digest in FOLDERS.items():
        p = os.path.join(data, rel)
        if not os.path.isdir(p):
            out.append((rel, "absent"))
        else:
            got = folder_digest(p)
            out.append((rel, "ok" if got == digest else "folder digest %s, expected %s" % (got, digest)))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="Verify the real weight files of a data folder against their "
                                             "published size and sha256.")
    ap.add_argument("data", help="data folder (holding weights/...)")
    args = ap.parse_args(argv)
    bad = 0
    for rel, status in verify(args.data):
        print("%-8s %s" % ("ok" if status == "ok" else ("absent" if status == "absent" else "BAD"), rel)
              + ("" if status in ("ok", "absent") else ": " + status))
        bad += status not in ("ok", "absent")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
