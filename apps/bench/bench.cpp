#include "apps/bench/bench.h"

#include <omp.h>
#include <unistd.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "apps/bench/bench_clock.h"
#include "apps/stylize/stylize.h"
#include "autograd/profile.h"
#include "losses/transfer_loss.h"
#include "nn/fast_style_weights.h"
#include "tensor/cpu/isa.h"
#include "tensor/device.h"
#include "tensor/file_util.h"
#include "tensor/random.h"
#include "build_commit.h"  // generated at build time (CMakeLists.txt): DEPTHSTYLE_BUILD_COMMIT

namespace ds {
namespace app {

static const char* kValidWorkloads =
    "expected NET-SIZE[-md2]: NET squeezenet or vgg16, SIZE the square side in pixels 16..4096, -md2 for the depth "
    "loss through Monodepth2 (valid examples: squeezenet-256, squeezenet-512, vgg16-256, vgg16-2048, "
    "squeezenet-256-md2), or fast-WxH for the feed-forward transformer on W x H frames, W and H 4..8192 "
    "(e.g. fast-1280x720)";

Workload parse_workload(const std::string& name) {
  Workload w;
  w.name = name;
  int fw = 0, fh = 0, used = 0;
  if (std::sscanf(name.c_str(), "fast-%dx%d%n", &fw, &fh, &used) == 2 && used == static_cast<int>(name.size())) {
    if (fw < 4 || fh < 4 || fw > 8192 || fh > 8192) throw Error("unknown workload '" + name + "': " + kValidWorkloads);
    w.net = "fast", w.size = fh, w.width = fw;
    return w;
  }
  std::string rest = name;
  if (rest.size() > 4 && rest.compare(rest.size() - 4, 4, "-md2") == 0) w.md2 = true, rest.resize(rest.size() - 4);
  size_t dash = rest.find('-');
  w.net = rest.substr(0, dash);
  std::string digits = dash == std::string::npos ? "" : rest.substr(dash + 1);
  bool number = !digits.empty() && digits.size() <= 4 && digits.find_first_not_of("0123456789") == std::string::npos;
  if (number) w.size = std::stoi(digits);
  if ((w.net != "squeezenet" && w.net != "vgg16") || w.size < 16 || w.size > 4096)
    throw Error("unknown workload '" + name + "': " + kValidWorkloads);
  return w;
}

static double percentile(const std::vector<double>& sorted, double q) {
  double pos = q * (sorted.size() - 1);
  size_t lo = static_cast<size_t>(pos);
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

void summarise(BenchResult& r) {
  if (r.ms.empty()) throw Error("bench: no timed iterations for " + r.workload);
  std::vector<double> s = r.ms;
  std::sort(s.begin(), s.end());
  r.median = percentile(s, 0.5), r.p25 = percentile(s, 0.25), r.p75 = percentile(s, 0.75);
  r.min = s.front(), r.max = s.back();
}

std::vector<std::string> bench_weight_files(const Workload& w, const std::string& dir) {
  if (w.net == "fast") return {fast_style_file("la_muse")};
  std::string d = dir.empty() ? prepared_dir() + "/bench" : dir;
  std::vector<std::string> files = {d + (w.net == "vgg16" ? "/vgg16_features.h5" : "/squeezenet1_1.h5")};
  if (w.md2) files.push_back(d + "/monodepth2.h5");
  return files;
}

// Milliseconds on the chosen clock: wall (steady) or this process's CPU time (all threads).
static double clock_ms(bool cpu) { return bench_clock_seconds(cpu) * 1e3; }

// fast-WxH: stylize_fast on one seeded frame per iteration.
static BenchResult run_fast(const Workload& w, const BenchOptions& o) {
  FastStyleNet net = load_fast_style("la_muse", o.device);
  Tensor frame = Rng(1).uniform_tensor({1, 3, w.size, w.width}, 0.0f, 1.0f).to(o.device);
  BenchResult r;
  r.workload = w.name, r.tool = "depthstyle";
  for (int it = 0; it < o.warmup + o.iters; ++it) {
    if (it == o.warmup && o.profile) profile_enable(true), profile_reset();
    double t0 = clock_ms(o.cpu_clock);
    Tensor y = stylize_fast(net, frame, 0);
    cuda::synchronize();
    if (it >= o.warmup) r.ms.push_back(clock_ms(o.cpu_clock) - t0);
  }
  if (o.profile) std::fprintf(stderr, "profile of %s (%d timed frames):\n%s\n", w.name.c_str(), o.iters,
                              profile_report().c_str());
  summarise(r);
  r.peak_mb = peak_memory_mb(o.device);
  return r;
}

BenchResult run_workload(const Workload& w, const BenchOptions& o) {
  std::vector<std::string> files = bench_weight_files(w, o.weights_dir);
  if (w.net == "fast") {
    if (!std::ifstream(files[0])) throw Error("fast-style weights " + files[0] + " not found: run scripts/setup first");
    return run_fast(w, o);
  }
  for (const std::string& f : files)
    if (!std::ifstream(f)) throw Error("bench weights " + f + " not found: run scripts/make-bench-weights first");
  FeatureNet net = load_feature_net(w.net, files[0], o.device);
  std::unique_ptr<DepthEstimator> depth;
  LossSpec spec = default_loss_spec(w.net, TransferMethod::Optimisation);
  if (w.md2) depth = load_depth_net(files[1], o.device), spec.depth_weight = 1;
  // Synthetic images, seeded (the time does not depend on the pixel values).
  Shape shape{1, 3, w.size, w.size};
  Tensor content = Rng(1).uniform_tensor(shape, 0.0f, 1.0f);
  std::vector<StyleImage> styles(1);
  styles[0].image = Rng(2).uniform_tensor(shape, 0.0f, 1.0f);
  TransferLoss loss(net, depth.get(), spec, std::move(styles), o.device);
  Stylizer st(loss, content, StylizeConfig(), o.device);
  BenchResult r;
  r.workload = w.name, r.tool = "depthstyle";
  if (o.profile) profile_enable(true);
  double t0 = clock_ms(o.cpu_clock);
  st.run(o.warmup + o.iters, [&](int it, const LossTerms&) {
    cuda::synchronize();
    double t1 = clock_ms(o.cpu_clock);
    if (it > o.warmup) r.ms.push_back(t1 - t0);
    if (it == o.warmup && o.profile) profile_reset();  // the profile covers the timed iterations
    t0 = t1;
  });
  if (o.profile) std::fprintf(stderr, "profile of %s (%d timed iterations):\n%s\n", w.name.c_str(), o.iters,
                              profile_report().c_str());
  summarise(r);
  r.peak_mb = peak_memory_mb(o.device);
  return r;
}

std::string result_json(const BenchResult& r) {
  std::ostringstream s;
  s.precision(10);
  s << "{\"workload\": \"" << r.workload << "\", \"tool\": \"" << r.tool << "\", \"ms\": [";
  for (size_t i = 0; i < r.ms.size(); ++i) s << (i ? ", " : "") << r.ms[i];
  s << "], \"median_ms\": " << r.median << ", \"min_ms\": " << r.min << ", \"max_ms\": " << r.max
    << ", \"p25_ms\": " << r.p25 << ", \"p75_ms\": " << r.p75 << ", \"peak_mb\": " << r.peak_mb << "}";
  return s.str();
}

void write_results(const std::string& path, const std::vector<BenchResult>& results) {
  AtomicFile out(path);
  FILE* f = std::fopen(out.temp_path().c_str(), "w");
  if (!f) throw Error(path + ": cannot create the JSON file");
  for (const BenchResult& r : results) std::fprintf(f, "%s\n", result_json(r).c_str());
  bool failed = std::ferror(f) != 0;
  if (std::fclose(f) != 0 || failed) throw Error(path + ": writing the JSON file failed (disk full?)");
  out.commit();
}

// The text after "key": (a number, a string or a list), from a flat one-line JSON object.
static std::string json_value(const std::string& line, const std::string& key, const std::string& source) {
  size_t k = line.find("\"" + key + "\":");
  if (k == std::string::npos) throw Error(source + ": no \"" + key + "\" in its result line: " + line);
  size_t b = line.find_first_not_of(' ', k + key.size() + 3);
  char open = b < line.size() ? line[b] : ' ';
  size_t e = open == '"' ? line.find('"', b + 1) + 1 : open == '[' ? line.find(']', b) + 1 : line.find_first_of(",}", b);
  return line.substr(b, e - b);
}

static double json_number(const std::string& line, const std::string& key, const std::string& source) {
  std::string v = json_value(line, key, source);
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end) throw Error(source + ": \"" + key + "\" is '" + v + "', expected a number");
  return d;
}

BenchResult parse_result(const std::string& line, const std::string& source) {
  BenchResult r;
  std::string name = json_value(line, "workload", source);
  r.workload = name.size() >= 2 ? name.substr(1, name.size() - 2) : name;
  std::string tool = json_value(line, "tool", source);
  r.tool = tool.size() >= 2 ? tool.substr(1, tool.size() - 2) : tool;
  std::istringstream ms(json_value(line, "ms", source).substr(1));
  for (double v; ms >> v;) r.ms.push_back(v), ms.ignore(1);
  r.median = json_number(line, "median_ms", source), r.min = json_number(line, "min_ms", source);
  r.max = json_number(line, "max_ms", source), r.p25 = json_number(line, "p25_ms", source);
  r.p75 = json_number(line, "p75_ms", source);
  // The peer reports peak_rss_mb (CPU) or cuda_peak_allocated_mb; ours peak_mb.
  bool cuda_peer = line.find("\"cuda_peak_allocated_mb\":") != std::string::npos;
  bool ours = line.find("\"peak_mb\":") != std::string::npos;
  r.peak_mb = json_number(line, ours ? "peak_mb" : cuda_peer ? "cuda_peak_allocated_mb" : "peak_rss_mb", source);
  return r;
}

void pool_into(BenchResult& into, const BenchResult& r) {
  into.workload = r.workload, into.tool = r.tool, into.peak_mb = std::max(into.peak_mb, r.peak_mb);
  into.ms.insert(into.ms.end(), r.ms.begin(), r.ms.end());
}

std::string self_exe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw Error("bench: cannot find this program's path (/proc/self/exe) to run the workloads");
  return std::string(buf, n);
}

static std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

BenchResult run_child(const std::vector<std::string>& argv) {
  std::string cmd;
  for (const std::string& a : argv) cmd += (cmd.empty() ? "" : " ") + shell_quote(a);
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw Error("bench: cannot start " + cmd);
  std::string out, last;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) {
    out = buf;
    if (!out.empty() && out[0] == '{') last = out;
  }
  int rc = pclose(p);
  if (rc != 0 || last.empty()) {
    // pclose gives a wait status: say "exit N" or "signal N" as a shell would.
    std::string how = rc == -1                ? "could not be waited for"
                      : WIFSIGNALED(rc)       ? "killed by signal " + std::to_string(WTERMSIG(rc))
                      : WEXITSTATUS(rc) != 0 ? "exit " + std::to_string(WEXITSTATUS(rc))
                                              : "exit 0 without a result line";
    throw Error("bench: " + cmd + " failed (" + how + "); see its messages above");
  }
  return parse_result(last, argv[0]);
}

static std::string first_line_of(const std::string& cmd) {
  std::string line = "unknown";
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[512];
    if (std::fgets(buf, sizeof buf, p)) line = buf;
    pclose(p);
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  return line.empty() ? "unknown" : line;
}

static std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}
std::string source_dir() { return env_or("DEPTHSTYLE_SOURCE_DIR", DEPTHSTYLE_SOURCE_DIR); }
std::string peer_python() { return env_or("DEPTHSTYLE_PYTHON", "/usr/bin/python3"); }

std::string bench_table(const std::vector<BenchResult>& ours, const std::vector<BenchResult>& peer, bool cpu_clock) {
  char date[64];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  std::string cpu = first_line_of("sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null");
  std::string commit = DEPTHSTYLE_BUILD_COMMIT;  // the binary's, not the checkout's now (it may have moved on)
  std::ostringstream s;
  const cpu::Isa isa = cpu::cpu_isa();
  s << "date: " << date << "\ncpu: " << cpu << "\nkernels: " << cpu::isa_name(isa) << " ("
    << cpu::isa_vector_floats(isa) << "-float vectors; DEPTHSTYLE_ISA)\nthreads: " << omp_get_max_threads()
    << "\nclock: " << (cpu_clock ? "cpu (each process's CPU time, all threads)" : "wall") << "\ncommit: " << commit
    << "\n\n| workload | ours median ms (min, max, IQR) |" << (peer.empty() ? "" : " torch median ms (min, max, IQR) | ratio ours / torch |")
    << " ours peak MiB |" << (peer.empty() ? "" : " torch peak MiB |") << "\n|---|---|" << (peer.empty() ? "" : "---|---|")
    << "---|" << (peer.empty() ? "" : "---|") << "\n";
  auto cell = [](const BenchResult& r) {
    char c[96];
    std::snprintf(c, sizeof c, " %.1f (%.1f, %.1f, %.1f) |", r.median, r.min, r.max, r.p75 - r.p25);
    return std::string(c);
  };
  char num[64];
  for (size_t i = 0; i < ours.size(); ++i) {
    s << "| " << ours[i].workload << " |" << cell(ours[i]);
    if (!peer.empty()) std::snprintf(num, sizeof num, " %.2f |", ours[i].median / peer[i].median), s << cell(peer[i]) << num;
    std::snprintf(num, sizeof num, " %.0f |", ours[i].peak_mb);
    s << num;
    if (!peer.empty()) std::snprintf(num, sizeof num, " %.0f |", peer[i].peak_mb), s << num;
    s << "\n";
  }
  return s.str();
}

}  // namespace app
}  // namespace ds
