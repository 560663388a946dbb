// `depthstyle bench`: times the stylize Adam iteration (apps/stylize/stylize.h with the one
// TransferLoss) on named workloads, each in a fresh process so that its peak memory is its own,
// and compares with the PyTorch peer apps/bench/torch_peer.py (docs/bench-tools.md).
//
// Workload names are the peer's: NET-SIZE[-md2], NET squeezenet | vgg16, SIZE the square side
// in pixels (16..4096), -md2 adds the depth loss through Monodepth2 (depth weight 1, at the
// image's size). Weights: <dir>/squeezenet1_1.h5, vgg16_features.h5, monodepth2.h5, made with
// random values by scripts/make-bench-weights (dir default <prepared>/bench).
// fast-WxH (e.g. fast-1280x720) times `fast` instead: the la_muse transformer (the prepared
// weights) on one W x H frame per iteration, without gradients (stylize_fast).
#pragma once
#include <string>
#include <vector>

#include "tensor/memory.h"  // peak_memory_mb
#include "tensor/tensor.h"

namespace ds {
namespace app {

struct Workload {
  std::string name, net;  // net: "squeezenet" | "vgg16" | "fast"
  int size = 0;           // pixels per side (fast: the frame's height)
  int width = 0;          // fast: the frame's width
  bool md2 = false;
};
// Throws ds::Error naming the workload and listing the valid forms and examples.
Workload parse_workload(const std::string& name);

// One workload's timings (ms per timed iteration) and peak memory in MiB (peak_memory_mb,
// tensor/memory.h: CPU ru_maxrss of the process; CUDA the caching allocator's peak).
struct BenchResult {
  std::string workload, tool;  // tool: "depthstyle" | "torch_peer"
  std::vector<double> ms;
  double median = 0, min = 0, max = 0, p25 = 0, p75 = 0, peak_mb = 0;
};

// Fills median/min/max/p25/p75 from ms (linear interpolation between order statistics, as
// the peer's percentile()). Throws ds::Error when ms is empty.
void summarise(BenchResult& r);

struct BenchOptions {
  int iters = 10, warmup = 3;
  Device device = Device::CPU;
  std::string weights_dir;  // empty: <prepared>/bench
  bool profile = false;     // print ds::profile_report() to stderr after the workload
  bool cpu_clock = false;   // time the process's CPU time (all threads) instead of the wall clock
};
// The weight files a workload reads from `dir` (empty: <prepared>/bench), existing or not:
// the feature network's, then Monodepth2's for -md2.
std::vector<std::string> bench_weight_files(const Workload& w, const std::string& dir);
// Runs one workload in this process: warm-up iterations, then `iters` timed ones. Errors:
// missing weight files (the message says to run scripts/make-bench-weights).
BenchResult run_workload(const Workload& w, const BenchOptions& o);

// One JSON object on one line (keys as the peer's: workload, tool, ms, median_ms, min_ms,
// max_ms, p25_ms, p75_ms, peak_mb), and back. parse_result throws ds::Error naming `source`
// when a key is missing or not a number.
std::string result_json(const BenchResult& r);
BenchResult parse_result(const std::string& line, const std::string& source);
// Writes result_json of each result, one per line, to `path` through ds::AtomicFile.
void write_results(const std::string& path, const std::vector<BenchResult>& results);

// Adds r's timings to `into` (rounds pooled) and keeps the higher peak.
void pool_into(BenchResult& into, const BenchResult& r);
// The source tree (its git commit heads the table, the peer is apps/bench/torch_peer.py in it)
// and the Python that runs the peer: $DEPTHSTYLE_SOURCE_DIR and $DEPTHSTYLE_PYTHON when set
// (a build carried to another machine finds its checkout there), else the tree this was
// built from and /usr/bin/python3.
std::string source_dir();
std::string peer_python();
// This program's path (/proc/self/exe), to run workloads in children; ds::Error when unknown.
std::string self_exe();

// Runs `argv` (argv[0] a path) as a child and parses the last line of its stdout that starts
// with '{'; its stderr passes through. Throws ds::Error with the command when it fails.
BenchResult run_child(const std::vector<std::string>& argv);

// The text table of the results (ours, and the peer's when `peer` is not empty: the same
// workloads in the same order), headed by date, CPU model, threads, clock (wall, or CPU time) and commit.
std::string bench_table(const std::vector<BenchResult>& ours, const std::vector<BenchResult>& peer,
                        bool cpu_clock = false);

}  // namespace app
}  // namespace ds
