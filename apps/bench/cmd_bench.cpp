// depthstyle bench: times the stylize iteration on named workloads (apps/bench/bench.h), each in
// a fresh child process (`bench --child`), optionally interleaved with the PyTorch peer.
#include <algorithm>
#include <cstdio>

#include "apps/depthstyle/commands.h"
#include "apps/common/args.h"
#include "apps/bench/bench.h"
#include "apps/common/outputs.h"

namespace ds {
namespace app {

int cmd_bench(int argc, char** argv) {
  Args a("depthstyle bench [options] --workload NAME [--workload NAME ...]",
         "Times the stylize Adam iteration (the same loss, layers and Adam as `stylize`) on synthetic\n"
         "seeded images with random-weight networks from DATA/bench/ (run scripts/make-bench-weights).\n"
         "Workloads NET-SIZE[-md2]: squeezenet-256, squeezenet-512, vgg16-256, squeezenet-256-md2 ...\n"
         "(-md2: with the depth loss through Monodepth2); fast-WxH (fast-1280x720): the `fast` transformer\n"
         "(la_muse) on one W x H frame per iteration. Each workload runs in a fresh process; reports\n"
         "the median ms per iteration with min, max and IQR of the timed iterations (warm-up excluded)\n"
         "and the peak memory in MiB (CPU: peak RSS of that process; CUDA: the allocator's peak); with\n"
         "--compare-torch the ratio column is ours / torch (below 1: ours is faster). Timings of\n"
         "several --rounds are pooled. See docs/bench-tools.md and docs/benchmarks.md.");
  a.option("--workload", "NAME", "a workload, repeatable or comma-separated (required)");
  a.option("--iters", "N", "timed iterations per round", "10");
  a.option("--warmup", "W", "untimed iterations first, per round", "3");
  a.option("--rounds", "R", "rounds (with --compare-torch: ours, peer, ours, peer ...)", "1");
  a.flag("--compare-torch", "also run apps/bench/torch_peer.py ($DEPTHSTYLE_PYTHON, default /usr/bin/python3) interleaved, print the ratio");
  a.flag("--profile", "print the per-op profile (ds::profile_report) of each workload's timed iterations");
  a.option("--clock", "wall|cpu", "wall clock, or each process's CPU time (all threads; with OMP_NUM_THREADS=1 the work "
           "itself, which a busy machine does not inflate); the peer likewise", "wall");
  a.option("--json", "FILE", "also write the results, one JSON object per line");
  a.option("--weights-dir", "DIR", "folder of the bench weight files (default: DATA/bench, DATA the prepared data folder "
                                   "of depthstyle --help: --data, $DEPTHSTYLE_PREPARED or <program folder>/../share/"
                                   "depthstyle; in a build tree DATA is the checkout's data/, where scripts/make-bench-weights "
                                   "writes them)");
  a.flag("--child", "internal: run one workload in this process and print its JSON line");
  a.device_option();
  if (!a.parse(argc, argv, 0, 0, "no positional arguments")) return 0;
  std::vector<Workload> work;
  for (const std::string& item : a.all("--workload"))
    for (size_t b = 0, e; b <= item.size(); b = e + 1)
      if ((e = std::min(item.find(',', b), item.size())) > b) work.push_back(option_text([&] { return parse_workload(item.substr(b, e - b)); }));
  if (work.empty()) throw UsageError("--workload is required (see --help)");
  BenchOptions o;
  o.iters = a.integer("--iters", 1, 100000), o.warmup = a.integer("--warmup", 0, 100000);
  o.device = a.device(), o.weights_dir = a.str("--weights-dir"), o.profile = a.has("--profile");
  const std::string clock = a.str("--clock");
  if (clock != "wall" && clock != "cpu") throw UsageError("--clock must be 'wall' or 'cpu', got '" + clock + "'");
  o.cpu_clock = clock == "cpu";
  int rounds = a.integer("--rounds", 1, 1000);
  if (a.has("--child")) {
    std::printf("%s\n", result_json(run_workload(work.at(0), o)).c_str());
    return 0;
  }
  OutputPlan plan;  // --json must not be one of the weight files
  for (const Workload& w : work)
    for (const std::string& f : bench_weight_files(w, o.weights_dir)) plan.input("bench weights", f);
  plan.output("--json results", a.str("--json"));
  plan.check();
  std::vector<std::string> common = {"--iters", a.str("--iters"), "--warmup", a.str("--warmup"), "--device",
                                     device_name(o.device), "--precision", a.str("--precision"), "--clock", clock};
  std::vector<BenchResult> ours(work.size()), peer(a.has("--compare-torch") ? work.size() : 0);
  for (int round = 0; round < rounds; ++round)
    for (size_t i = 0; i < work.size(); ++i) {
      std::vector<std::string> cmd = {self_exe(), "bench", "--child", "--workload", work[i].name};
      if (o.profile) cmd.push_back("--profile");
      if (!o.weights_dir.empty()) cmd.insert(cmd.end(), {"--weights-dir", o.weights_dir});
      cmd.insert(cmd.end(), common.begin(), common.end());
      pool_into(ours[i], run_child(cmd));
      if (peer.empty()) continue;
      cmd = {peer_python(), source_dir() + "/apps/bench/torch_peer.py", "--workload", work[i].name};
      cmd.insert(cmd.end(), common.begin(), common.end());
      pool_into(peer[i], run_child(cmd));
      peer[i].tool = "torch_peer";
    }
  std::vector<BenchResult> all;
  for (std::vector<BenchResult>* rs : {&ours, &peer})
    for (BenchResult& r : *rs) summarise(r), all.push_back(r);
  std::printf("%s", bench_table(ours, peer, o.cpu_clock).c_str());
  if (a.has("--json")) write_results(a.str("--json"), all);
  return 0;
}

}  // namespace app
}  // namespace ds
