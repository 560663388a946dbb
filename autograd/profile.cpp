#include "autograd/profile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <tuple>

#include "tensor/device.h"
#include "tensor/tensor.h"

namespace ds {

namespace {

struct Cell {
  int64_t fwd_ns = 0, bwd_ns = 0, fwd_n = 0, bwd_n = 0;
  double fwd_flops = 0, bwd_flops = 0;
};

// Never destroyed: the exit report runs after other statics may be gone.
struct Registry {
  std::mutex mu;
  std::map<std::pair<std::string, int>, Cell> cells;  // (op kind, layer id)
  std::vector<std::string> layers;                    // id -> "net/layer"
  std::map<std::string, int> layer_ids;
  int64_t backward_calls = 0, backward_ns = 0;
};
Registry& reg() {
  static Registry* r = new Registry;
  return *r;
}

thread_local const char* tl_outer_op = nullptr;  // the op being timed on this thread
thread_local int tl_layer = -1;                  // current layer id; -1: none
thread_local double tl_flops = 0;                // profile_flops of the op being timed


// With a CUDA device, wait for queued kernels so that each op is charged with its own.
void sync_device() {
  static const bool cuda = cuda_available();
  if (cuda) cuda::synchronize();
}

void print_at_exit() {
  std::string r = profile_report();
  if (!r.empty()) std::fputs(r.c_str(), stderr);
}

bool from_environment() {
  const char* e = std::getenv("DEPTHSTYLE_PROFILE");
  bool on = e && std::strcmp(e, "") != 0 && std::strcmp(e, "0") != 0;
  if (on) std::atexit(print_at_exit);
  return on;
}

int intern_layer(const std::string& name) {
  Registry& r = reg();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.layer_ids.find(name);
  if (it != r.layer_ids.end()) return it->second;
  r.layers.push_back(name);
  return r.layer_ids[name] = static_cast<int>(r.layers.size()) - 1;
}

}  // namespace

namespace detail {
bool g_profile_on = from_environment();
}

void profile_enable(bool on) { detail::g_profile_on = on; }

void profile_reset() {
  Registry& r = reg();
  std::lock_guard<std::mutex> lock(r.mu);
  r.cells.clear();
  r.backward_calls = r.backward_ns = 0;
}

void ProfileOp::start(const char* op, bool backward, int layer_id) {
  if (tl_outer_op) return;  // inside another timed op: its time is that op's
  tl_outer_op = op;
  tl_flops = 0;
  op_ = op, backward_ = backward, active_ = true;
  layer_ = backward ? layer_id : tl_layer;
  sync_device();
  t0_ns_ = profile_clock_ns();
}

void ProfileOp::stop() {
  sync_device();
  int64_t dt = profile_clock_ns() - t0_ns_;
  tl_outer_op = nullptr;
  Registry& r = reg();
  std::lock_guard<std::mutex> lock(r.mu);
  Cell& c = r.cells[{op_, layer_}];
  (backward_ ? c.bwd_ns : c.fwd_ns) += dt;
  ++(backward_ ? c.bwd_n : c.fwd_n);
  (backward_ ? c.bwd_flops : c.fwd_flops) += tl_flops;
  tl_flops = 0;
}

void profile_add_flops(double flops) {
  if (tl_outer_op) tl_flops += flops;
}

int64_t profile_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

const char* profile_node_op(const char* op) { return tl_outer_op ? tl_outer_op : op; }
int profile_current_layer() { return tl_layer; }

void profile_backward_call(int64_t ns) {
  Registry& r = reg();
  std::lock_guard<std::mutex> lock(r.mu);
  ++r.backward_calls;
  r.backward_ns += ns;
}

void ProfileLayer::enter(const std::string& net, const std::string& layer) {
  active_ = true;
  prev_ = tl_layer;
  net_ = net;
  tl_layer = intern_layer(net + "/" + layer);
}

void ProfileLayer::advance(const std::string& layer) {
  auto it = std::find(order_.begin(), order_.end(), layer);
  if (it != order_.end() && it + 1 != order_.end()) tl_layer = intern_layer(net_ + "/" + *(it + 1));
}

void ProfileLayer::leave() { tl_layer = prev_; }

std::vector<ProfileEntry> profile_entries() {
  Registry& r = reg();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<ProfileEntry> out;
  for (const auto& [key, c] : r.cells) {
    ProfileEntry e;
    e.op = key.first;
    e.layer = key.second < 0 ? "-" : r.layers[static_cast<size_t>(key.second)];
    e.fwd_ms = static_cast<double>(c.fwd_ns) * 1e-6, e.bwd_ms = static_cast<double>(c.bwd_ns) * 1e-6;
    e.fwd_count = c.fwd_n, e.bwd_count = c.bwd_n;
    e.fwd_flops = c.fwd_flops, e.bwd_flops = c.bwd_flops;
    out.push_back(e);
  }
  return out;
}

namespace {

// Entries summed by op kind (by_layer false) or by layer, sorted by total time, largest first.
std::vector<ProfileEntry> grouped(const std::vector<ProfileEntry>& es, bool by_layer) {
  std::map<std::string, ProfileEntry> m;
  for (const ProfileEntry& e : es) {
    ProfileEntry& g = m[by_layer ? e.layer : e.op];
    (by_layer ? g.layer : g.op) = by_layer ? e.layer : e.op;
    g.fwd_ms += e.fwd_ms, g.bwd_ms += e.bwd_ms, g.fwd_count += e.fwd_count, g.bwd_count += e.bwd_count;
    g.fwd_flops += e.fwd_flops, g.bwd_flops += e.bwd_flops;
  }
  std::vector<ProfileEntry> out;
  for (auto& kv : m) out.push_back(kv.second);
  std::sort(out.begin(), out.end(), [](const ProfileEntry& a, const ProfileEntry& b) {
    return std::make_tuple(a.fwd_ms + a.bwd_ms, b.op, b.layer) > std::make_tuple(b.fwd_ms + b.bwd_ms, a.op, a.layer);
  });
  return out;
}

void table(std::string& s, const char* title, const std::vector<ProfileEntry>& rows, bool by_layer, double total) {
  char line[256];
  std::snprintf(line, sizeof line, "%-28s %10s %8s %10s %8s %10s %7s %17s\n", title, "fwd ms", "fwd n", "bwd ms",
                "bwd n", "total ms", "share", "GFLOP/s fwd, bwd");
  s += line;
  // Direct-equivalent GFLOP/s of the ops that count their work (profile_flops), blank for others.
  auto rate = [](double flops, double ms) { return flops > 0 && ms > 0 ? flops / ms * 1e-6 : 0.0; };
  for (const ProfileEntry& e : rows) {
    double t = e.fwd_ms + e.bwd_ms;
    char gflops[64] = "";
    if (e.fwd_flops > 0 || e.bwd_flops > 0)
      std::snprintf(gflops, sizeof gflops, "%8.1f,%8.1f", rate(e.fwd_flops, e.fwd_ms), rate(e.bwd_flops, e.bwd_ms));
    std::snprintf(line, sizeof line, "%-28s %10.2f %8lld %10.2f %8lld %10.2f %6.1f%% %17s\n",
                  (by_layer ? e.layer : e.op).c_str(), e.fwd_ms, static_cast<long long>(e.fwd_count), e.bwd_ms,
                  static_cast<long long>(e.bwd_count), t, total > 0 ? 100.0 * t / total : 0.0, gflops);
    s += line;
  }
}

}  // namespace

std::string profile_report() {
  std::vector<ProfileEntry> es = profile_entries();
  if (es.empty()) return "";
  double fwd = 0, bwd = 0;
  for (const ProfileEntry& e : es) fwd += e.fwd_ms, bwd += e.bwd_ms;
  std::string s = "depthstyle profile: wall time per op kind and per layer (forward: op calls; backward: node "
                  "backward functions and gradient accumulation)\n";
  table(s, "op kind", grouped(es, false), false, fwd + bwd);
  s += "\n";
  table(s, "layer", grouped(es, true), true, fwd + bwd);
  Registry& r = reg();
  int64_t calls, ns;
  {
    std::lock_guard<std::mutex> lock(r.mu);
    calls = r.backward_calls, ns = r.backward_ns;
  }
  char line[256];
  std::snprintf(line, sizeof line,
                "\ntotal: forward %.2f ms, backward %.2f ms; %lld backward() call(s) took %.2f ms of wall time\n", fwd,
                bwd, static_cast<long long>(calls), static_cast<double>(ns) * 1e-6);
  s += line;
  return s;
}

}  // namespace ds
