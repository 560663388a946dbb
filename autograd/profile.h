// Per-op wall-time profile of the autograd engine: where a stylize iteration spends its time.
//
// On when the environment has DEPTHSTYLE_PROFILE=1 at start-up (the table is then printed to
// stderr at exit) or after profile_enable(true). Records, per (op kind, layer), the wall time
// and count of forward calls (from an op's entry to its return: validation, allocation, kernels,
// recording the node) and of backward calls (the node's backward function, and separately the
// engine's gradient accumulation as "grad_accumulate"). Op kinds are the names the ops give
// their nodes ("conv2d", "relu", "add", ...); an op built from other ops (batch_norm,
// global_avg_pool) is one kind: the ops it calls, and their backward, count as its own time.
// Layers are "<net>/<layer>" from LayerNet and TapSet networks, "-" outside any named layer;
// a backward call counts for the layer its node was created in.
//
// Cost: off, each op and each backward node pays one branch on a global flag. On, a clock read
// at both ends and a map update per op (~0.1-0.3 us); with a CUDA device, a device-wide
// synchronise at both ends as well, so that asynchronous kernels are timed where they run (this
// serialises the GPU and makes the whole run slower: the shares are what to read).
// Threads: timing and the current layer are per thread; the table is shared (mutex).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ds {

namespace detail {
extern bool g_profile_on;  // read only through profile_enabled()
}

inline bool profile_enabled() { return detail::g_profile_on; }
void profile_enable(bool on);  // does not clear what was recorded
void profile_reset();          // forgets every record

struct ProfileEntry {
  std::string op, layer;
  double fwd_ms = 0, bwd_ms = 0;
  int64_t fwd_count = 0, bwd_count = 0;
  double fwd_flops = 0, bwd_flops = 0;  // counted by ops that call profile_flops (the convolutions)
};
// One entry per (op kind, layer) seen, in no particular order.
std::vector<ProfileEntry> profile_entries();
// The tables: per op kind and per layer, sorted by total (forward + backward) time, with counts
// and shares of the total; and the wall time of the backward() calls (their engine overhead is
// that minus the recorded backward time). "" when nothing was recorded.
std::string profile_report();

// Adds floating-point operations to the op (forward call or backward node) being timed on this
// thread, for the report's GFLOP/s column. The convolutions count 2 * multiply-adds of the direct
// convolution per computed tensor (input, input gradient, weight gradient), whatever algorithm
// runs (Winograd does fewer: its rate is then a direct-equivalent rate).
void profile_add_flops(double flops);
inline void profile_flops(double flops) {
  if (detail::g_profile_on) profile_add_flops(flops);
}

// Times an op's forward pass for its scope; only the outermost one active on a thread records,
// so ops made of ops are one kind. The name must outlive the program (a string literal).
class ProfileOp {
 public:
  explicit ProfileOp(const char* op) {
    if (detail::g_profile_on) start(op, false, -1);
  }
  // The engine's form: a backward call of a node created in layer `layer_id`.
  ProfileOp(const char* op, int layer_id) {
    if (detail::g_profile_on) start(op, true, layer_id);
  }
  ~ProfileOp() {
    if (active_) stop();
  }
  ProfileOp(const ProfileOp&) = delete;
  ProfileOp& operator=(const ProfileOp&) = delete;

 private:
  void start(const char* op, bool backward, int layer_id);
  void stop();
  const char* op_ = nullptr;
  bool active_ = false, backward_ = false;
  int layer_ = -1;
  int64_t t0_ns_ = 0;
};

// For nodes: the op kind to record a node's backward under (the outermost active op, or `op`)
// and the current layer id; called by Var::make_result only while profiling.
const char* profile_node_op(const char* op);
int profile_current_layer();
// For the engine: a steady clock in nanoseconds, and the wall time of one backward() call.
int64_t profile_clock_ns();
void profile_backward_call(int64_t ns);

// Names the layer that ops on this thread are tagged with, for its scope (then the enclosing
// name again). Off, construction and destruction are one branch each.
class ProfileLayer {
 public:
  ProfileLayer(const std::string& net, const std::string& layer) {
    if (detail::g_profile_on) enter(net, layer);
  }
  // For networks that announce each layer after computing it (TapSet::emit): ops are tagged with
  // order[0] until done(order[k]) moves the tag to order[k + 1].
  ProfileLayer(const std::string& net, const std::vector<std::string>& order) {
    if (detail::g_profile_on && !order.empty()) {
      order_ = order;
      enter(net, order.front());
    }
  }
  void done(const std::string& layer) {
    if (active_ && !order_.empty()) advance(layer);
  }
  ~ProfileLayer() {
    if (active_) leave();
  }
  ProfileLayer(const ProfileLayer&) = delete;
  ProfileLayer& operator=(const ProfileLayer&) = delete;

 private:
  void enter(const std::string& net, const std::string& layer);
  void advance(const std::string& layer);
  void leave();
  bool active_ = false;
  int prev_ = -1;
  std::string net_;
  std::vector<std::string> order_;
};

}  // namespace ds
