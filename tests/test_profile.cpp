// The per-op profile (autograd/profile.h): op kinds and counts of a small graph, layers from
// LayerNet and TapSet, times nested inside an outer clock, shares summing to 100 %, and
// nothing recorded while off.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <sstream>

#include "autograd/ops.h"
#include "autograd/profile.h"
#include "nn/models.h"
#include "nn/network.h"
#include "tensor/random.h"

using ds::Var;

namespace {

// Turns profiling on or off for a test and restores the previous state and a clean table after.
struct ProfileState {
  bool before = ds::profile_enabled();
  explicit ProfileState(bool on) {
    ds::profile_reset();
    ds::profile_enable(on);
  }
  ~ProfileState() {
    ds::profile_enable(before);
    ds::profile_reset();
  }
};

Var randn(const ds::Shape& s, uint64_t seed, bool grad = false) { return Var(ds::Rng(seed).normal_tensor(s), grad); }

// loss = sum(z * z) + sum(x), z = max_pool(relu(batch_norm(conv(x)))): x feeds two ops and z
// feeds mul twice, so the engine sums two gradients twice.
Var small_graph(const Var& x) {
  Var w = randn({3, 2, 3, 3}, 2), b = randn({3}, 3);
  Var gamma = randn({3}, 4), beta = randn({3}, 5);
  ds::Tensor mean = ds::Rng(6).normal_tensor({3}), var = ds::Rng(7).uniform_tensor({3}, 0.5f, 1.5f);
  Var y = ds::relu(ds::batch_norm(ds::conv2d(x, w, b, ds::Conv2dParams::make(1, 1)), gamma, beta, mean, var, 1e-5f));
  Var z = ds::max_pool2d(y, ds::Pool2dParams::make(2, 2));
  return ds::sum(z * z) + ds::sum(x);
}

struct Counts {
  int64_t fwd = 0, bwd = 0;
};
using CountMap = std::map<std::string, Counts>;

// "name fwd/bwd; ..." in name order, so that a failed comparison shows both tables.
std::string str(const CountMap& m) {
  std::string s;
  for (const auto& [name, c] : m) s += name + " " + std::to_string(c.fwd) + "/" + std::to_string(c.bwd) + "; ";
  return s;
}

// Recorded counts by op kind, or by "layer op".
CountMap counts_by(bool layer) {
  CountMap m;
  for (const ds::ProfileEntry& e : ds::profile_entries()) {
    Counts& c = m[layer ? e.layer + " " + e.op : e.op];
    c.fwd += e.fwd_count, c.bwd += e.bwd_count;
  }
  return m;
}

}  // namespace

TEST_CASE("profile: op kinds and counts of a small graph, forward and backward") {
  ProfileState on(true);
  Var x = randn({1, 2, 6, 6}, 1, true);
  small_graph(x).backward();
  // Forward: one call per op. Backward: one per node (batch_norm is four broadcasting ops
  // with a gradient: x - mean, * rstd, * gamma, + beta), and two gradient sums (into z, into x).
  CountMap want = {
      {"conv2d", {1, 1}}, {"batch_norm", {1, 4}}, {"relu", {1, 1}}, {"max_pool2d", {1, 1}},
      {"mul", {1, 1}},    {"sum", {2, 2}},        {"add", {1, 1}},  {"grad_accumulate", {0, 2}}};
  CHECK(str(counts_by(false)) == str(want));
  for (const ds::ProfileEntry& e : ds::profile_entries()) {
    INFO(e.op);
    CHECK(e.layer == "-");
    if (e.fwd_count) CHECK(e.fwd_ms > 0);
    if (e.bwd_count) CHECK(e.bwd_ms > 0);
    // The convolution counts 2 * outputs * fan-in = 2 * (3 * 6 * 6) * (2 * 3 * 3) FLOP forward, and
    // as much for the input gradient (the weights need none); other ops count nothing.
    CHECK(e.fwd_flops == (e.op == "conv2d" ? 3888.0 : 0.0));
    CHECK(e.bwd_flops == (e.op == "conv2d" ? 3888.0 : 0.0));
  }
  CHECK(ds::profile_report().find("GFLOP/s") != std::string::npos);
}

TEST_CASE("profile: the report's shares sum to 100 % and rows are sorted by time") {
  ProfileState on(true);
  Var x = randn({1, 2, 6, 6}, 1, true);
  small_graph(x).backward();
  std::istringstream in(ds::profile_report());
  std::string line;
  std::getline(in, line);  // title
  std::getline(in, line);  // header
  REQUIRE(line.rfind("op kind", 0) == 0);
  double share_sum = 0, prev_total = 1e300;
  int rows = 0;
  while (std::getline(in, line) && !line.empty()) {
    std::istringstream f(line);
    std::string name;
    double fwd, bwd, total, share;
    int64_t nf, nb;
    f >> name >> fwd >> nf >> bwd >> nb >> total >> share;
    REQUIRE(!f.fail());
    CHECK(total <= prev_total);
    CHECK(total == doctest::Approx(fwd + bwd).epsilon(0.01));
    prev_total = total, share_sum += share, ++rows;
  }
  CHECK(rows == 8);
  CHECK(share_sum == doctest::Approx(100.0).epsilon(0.05 * rows / 100.0));  // each share rounded to 0.1 %
  ds::profile_reset();
  CHECK(ds::profile_report().empty());
}

TEST_CASE("profile: an op's recorded time lies within a clock read around the call") {
  ProfileState on(true);
  Var x = randn({1, 32, 96, 96}, 1), w = randn({32, 32, 3, 3}, 2);
  auto t0 = std::chrono::steady_clock::now();
  Var y = ds::conv2d(x, w, Var(), ds::Conv2dParams::make(1, 1));
  double outer_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::vector<ds::ProfileEntry> es = ds::profile_entries();
  REQUIRE(es.size() == 1);
  CHECK(es[0].op == "conv2d");
  CHECK(es[0].fwd_ms <= outer_ms);
  // The call does nothing outside the timed scope but return its result, against a convolution
  // of 170 MFLOP (milliseconds): anything under half means the wrong interval was timed.
  CHECK(es[0].fwd_ms >= 0.5 * outer_ms);
}

TEST_CASE("profile: ops are tagged with LayerNet and TapSet layer names") {
  ProfileState on(true);
  Var w = randn({2, 2, 3, 3}, 2), b = randn({2}, 3);
  ds::LayerNet net("tiny", {{"conv", [&](const Var& h) { return ds::conv2d(h, w, b, ds::Conv2dParams::make(1, 1)); }},
                            {"act", [](const Var& h) { return ds::relu(h); }},
                            {"unused", [](const Var& h) { return ds::sigmoid(h); }}});
  Var x = randn({1, 2, 5, 5}, 1, true);
  Var loss = ds::sum(net.run(x, {"act"}).at("act"));
  Var h;
  {
    // A TapSet network: ops before emit("p") belong to p, then to q, then to r.
    ds::TapSet t("taps", {"p", "q", "r"}, {"r"});
    h = ds::tanh(x);
    t.emit("p", h);
    h = ds::scale_add(h, 2.0f);
    t.emit("q", h);
    h = ds::elu(h);
    t.emit("r", h);
  }
  (loss + ds::mean(h)).backward();
  // x feeds conv and tanh: the gradient summed in last (backward runs in reverse creation
  // order, so conv's) is summed in conv's layer.
  CountMap want = {
      {"tiny/conv conv2d", {1, 1}}, {"tiny/act relu", {1, 1}},      {"- sum", {1, 1}},
      {"- add", {1, 1}},            {"taps/p tanh", {1, 1}},        {"taps/q scale_add", {1, 1}},
      {"taps/r elu", {1, 1}},       {"- mean", {1, 1}},             {"tiny/conv grad_accumulate", {0, 1}}};
  CHECK(str(counts_by(true)) == str(want));
  CHECK(ds::profile_current_layer() == -1);  // every scope restored the untagged state
}

TEST_CASE("profile: nothing is recorded while off") {
  ProfileState off(false);
  Var x = randn({1, 2, 6, 6}, 1, true);
  small_graph(x).backward();
  ds::LayerNet net("tiny", {{"act", [](const Var& h) { return ds::relu(h); }}});
  ds::sum(net.run(x, {"act"}).at("act")).backward();
  CHECK(ds::profile_entries().empty());
  CHECK(ds::profile_report().empty());
  CHECK(ds::profile_current_layer() == -1);
}
