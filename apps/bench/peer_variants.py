#!/usr/bin/python3
"""Which settings make the PyTorch peer (apps/bench/torch_peer.py) fastest, measured in one process.

    peer_variants.py --workload vgg16-256 [--rounds 8] [--warmup 2] [--variants V,V,...] [--threads T]

Builds one torch_peer.Stylize per variant (the same seeded weights and images) and runs their
Adam iterations round-robin, one iteration of each variant per round, so that every variant sees
the same machine load; the first --warmup rounds are not counted. A variant is a '/'-separated
list of settings, the rest as the baseline (the first variant):

    contiguous | channels_last   memory format of the feature (or fast-style) network
    depth_contiguous | depth_channels_last   ... of Monodepth2 (default: as the feature network)
    mkldnn | native              torch.backends.mkldnn.enabled on or off
    mm | bmm                     the Gram matrix's product
    t1 | t2 ...                  torch.set_num_threads during this variant's iterations

Prints per variant the median ms per iteration and, against the baseline, the median of the
per-round ratios (variant / baseline, < 1: faster) with their min and max. --clock cpu times the
process's CPU time instead of the wall clock: with one thread (--threads 1, OMP_WAIT_POLICY=passive)
that is the work itself, which other processes on a busy machine do not inflate. Settings that act on
the whole process (OMP_WAIT_POLICY, OPENBLAS_CORETYPE, ATEN_CPU_CAPABILITY) need two processes:
compare those by running torch_peer.py alternately with each environment.
"""

import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_peer  # noqa: E402

DEFAULT_VARIANTS = "contiguous/mkldnn/mm,channels_last,native,bmm,t1"


def parse_variant(text, base=None):
    """(Setup, threads or None) of a variant's settings, the unnamed ones as `base`."""
    fmt, mkldnn, gram, threads = (base[0].memory_format, base[0].mkldnn, base[0].gram, base[1]) if base else (
        torch.contiguous_format, True, "mm", None)
    depth_fmt = base[0].depth_format if base else None
    for part in [p for p in text.split("/") if p]:
        if part in ("contiguous", "channels_last"):
            fmt = torch.channels_last if part == "channels_last" else torch.contiguous_format
            depth_fmt = fmt if not base else depth_fmt
        elif part in ("depth_contiguous", "depth_channels_last"):
            depth_fmt = torch.channels_last if part == "depth_channels_last" else torch.contiguous_format
        elif part in ("mkldnn", "native"):
            mkldnn = part == "mkldnn"
        elif part in ("mm", "bmm"):
            gram = part
        elif part[:1] == "t" and part[1:].isdigit() and int(part[1:]) > 0:
            threads = int(part[1:])
        else:
            raise SystemExit("peer_variants.py: unknown setting '%s' in variant '%s' (expected contiguous, "
                             "channels_last, depth_contiguous, depth_channels_last, mkldnn, native, mm, bmm or tN)"
                             % (part, text))
    return torch_peer.Setup(fmt, mkldnn, gram, depth_fmt), threads


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workload", required=True, help="one workload, e.g. vgg16-256, squeezenet-256-md2 or "
                                                      "fast-1280x720")
    ap.add_argument("--rounds", type=int, default=8, help="counted rounds (default 8)")
    ap.add_argument("--warmup", type=int, default=2, help="uncounted rounds first (default 2)")
    ap.add_argument("--variants", default=DEFAULT_VARIANTS, help="comma-separated, the first is the baseline "
                                                                 "(default %s)" % DEFAULT_VARIANTS)
    ap.add_argument("--threads", type=int, default=0, help="threads of variants without tN (default: the CPUs "
                                                            "this process may use)")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall", help="what to time (default wall)")
    args = ap.parse_args(argv)
    if args.rounds < 1 or args.warmup < 0:
        ap.error("--rounds must be >= 1 and --warmup >= 0")
    torch_peer.parse_workload(args.workload)
    coretype = torch_peer.openblas_coretype_fix()  # as the peer: OpenBLAS's kernels for this CPU
    if coretype:
        os.execve(sys.executable, [sys.executable, os.path.abspath(__file__)] + (argv if argv is not None else sys.argv[1:]),
                  dict(os.environ, OPENBLAS_CORETYPE=coretype))
    names = [v for v in args.variants.split(",") if v]
    base = parse_variant(names[0])
    variants = [base] + [parse_variant(v, base) for v in names[1:]]
    default_threads = args.threads or len(os.sched_getaffinity(0))
    peer_args = argparse.Namespace(device="cpu", seed=0, weights=None, content=None, style=None,
                                   fast_weights=os.path.join(torch_peer.REPO, "data", "weights", "fast_style_la_muse.h5"))
    runs = [torch_peer.make_workload(peer_args, args.workload, s) for s, _ in variants]
    ms = [[] for _ in runs]
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    for r in range(args.warmup + args.rounds):
        for i, (run, (_, threads)) in enumerate(zip(runs, variants)):
            torch.set_num_threads(threads or default_threads)
            t0 = clock()
            run.step()
            if r >= args.warmup:
                ms[i].append((clock() - t0) * 1e3)
    print("%s, %d rounds after %d, %s clock, torch %s, OPENBLAS_CORETYPE=%s, OMP_WAIT_POLICY=%s, load average %s" % (
        args.workload, args.rounds, args.warmup, args.clock, torch.__version__, os.environ.get("OPENBLAS_CORETYPE", ""),
        os.environ.get("OMP_WAIT_POLICY", ""), " ".join("%.2f" % v for v in os.getloadavg())))
    print("| variant | median ms | ratio to %s: median (min, max) |" % names[0])
    print("|---|---|---|")
    for name, t in zip(names, ms):
        ratios = sorted(a / b for a, b in zip(t, ms[0]))
        print("| %s | %.1f | %.3f (%.3f, %.3f) |" % (name, statistics.median(t), statistics.median(ratios), ratios[0],
                                                     ratios[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
