// The convolution algorithm cache (tensor/algo_cache.h), which needs no device: the picking
// rule on hand-made trials whose right answer is known by construction, the environment
// policy, and the file format (round trip, the documented text, and every kind of damage
// being ignored with a warning rather than trusted).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tensor/algo_cache.h"
#include "tensor/tensor.h"
#include "tests/check.h"

namespace fs = std::filesystem;
using ds::AlgoCache;
using ds::AlgoChoice;
using ds::AlgoPolicy;
using ds::AlgoTrial;

namespace {

using dst::slurp;

std::string fresh_dir(const std::string& name) {
  std::string dir = dst::temp_path(name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

AlgoTrial trial(int algo, double ms, size_t ws, bool det, bool tensor_ops = false) {
  AlgoTrial t;
  t.algo = algo, t.ms = ms, t.workspace = ws, t.deterministic = det, t.tensor_ops = tensor_ops, t.math = algo + 10;
  return t;
}

// Sets an environment variable for one scope.
struct EnvVar {
  std::string name;
  EnvVar(const char* n, const char* v) : name(n) { setenv(n, v, 1); }
  ~EnvVar() { unsetenv(name.c_str()); }
};

}  // namespace

TEST_CASE("algorithm choice (pick_algo): fastest qualifying trial, deterministic preferred, cap and TF32 respected") {
  AlgoPolicy p;
  p.workspace_cap = 1000;
  // algo 1 fastest but not deterministic; 2 deterministic; 3 faster deterministic but too big;
  // 4 fastest of all with tensor ops; 5 failed.
  std::vector<AlgoTrial> t = {trial(1, 1.0, 0, false), trial(2, 2.0, 500, true), trial(3, 1.5, 2000, true),
                              trial(4, 0.5, 0, true, true), trial(5, 0.1, 0, true)};
  t[4].ok = false;
  std::optional<AlgoChoice> c = ds::pick_algo(t, p, false);
  REQUIRE(c);
  CHECK(*c == AlgoChoice{2, 500, 12});
  p.prefer_deterministic = false;
  CHECK(ds::pick_algo(t, p, false)->algo == 1);
  CHECK(ds::pick_algo(t, p, true)->algo == 4);  // TF32 allowed: the tensor-op trial wins
  p.workspace_cap = 5000;
  p.prefer_deterministic = true;
  CHECK(ds::pick_algo(t, p, false)->algo == 3);  // a larger cap admits it
  // Nothing deterministic fits: the fastest non-deterministic one rather than nothing.
  CHECK(ds::pick_algo({trial(7, 3.0, 0, false), trial(8, 2.0, 0, false)}, p, false)->algo == 8);
  // Ties keep the earlier (better-ranked) trial.
  CHECK(ds::pick_algo({trial(7, 1.0, 0, true), trial(8, 1.0, 0, true)}, p, false)->algo == 7);
  CHECK_FALSE(ds::pick_algo({trial(9, 1.0, 6000, true)}, p, false));
  CHECK_FALSE(ds::pick_algo({}, p, true));
}

TEST_CASE("algorithm policy from the environment, with clear errors for bad values") {
  AlgoPolicy d = ds::policy_from_env();
  CHECK(d.workspace_cap == (size_t(1) << 30));
  CHECK(d.prefer_deterministic);
  CHECK(d.measure);
  {
    EnvVar a("DEPTHSTYLE_CUDNN_WORKSPACE_MB", "64"), b("DEPTHSTYLE_CUDNN_DETERMINISTIC", "0"),
        c("DEPTHSTYLE_CUDNN_FIND", "0");
    AlgoPolicy p = ds::policy_from_env();
    CHECK(p.workspace_cap == size_t(64) * 1024 * 1024);
    CHECK_FALSE(p.prefer_deterministic);
    CHECK_FALSE(p.measure);
  }
  for (const char* bad : {"-1", "1.5", "lots", "99999999"}) {
    EnvVar a("DEPTHSTYLE_CUDNN_WORKSPACE_MB", bad);
    std::string m = dst::error_of([] { ds::policy_from_env(); });
    INFO(m);
    CHECK(dst::contains(m, "DEPTHSTYLE_CUDNN_WORKSPACE_MB='" + std::string(bad) + "'"));
    CHECK(dst::contains(m, "whole number"));
  }
  EnvVar b("DEPTHSTYLE_CUDNN_DETERMINISTIC", "2");
  CHECK(dst::contains(dst::error_of([] { ds::policy_from_env(); }), "DEPTHSTYLE_CUDNN_DETERMINISTIC"));
}

TEST_CASE("algorithm cache: find and insert, file round trip in the documented format") {
  AlgoPolicy p;
  p.workspace_cap = 4096;
  AlgoCache c(p);
  CHECK(c.find({1, 2, 3}) == nullptr);
  c.insert({1, 2, 3}, {5, 100, 3});
  c.insert({-1, 64, 0}, {0, 0, 0});
  c.insert({1, 2, 3}, {6, 200, 1});  // replaces
  REQUIRE(c.find({1, 2, 3}));
  CHECK(*c.find({1, 2, 3}) == AlgoChoice{6, 200, 1});
  CHECK(c.size() == 2);

  std::string dir = fresh_dir("algo_cache_round_trip"), path = dir + "/sub/algos.txt";
  c.save(path, "NVIDIA H200 sm_90 cudnn 91900");  // creates the missing folder
  CHECK(slurp(path) ==
        "depthstyle-algo-cache 1\n"
        "device NVIDIA H200 sm_90 cudnn 91900\n"
        "policy 4096 1\n"
        "entries 2\n"
        "-1 64 0 : 0 0 0\n"
        "1 2 3 : 6 200 1\n");
  AlgoCache back(p);
  CHECK(back.load(path, "NVIDIA H200 sm_90 cudnn 91900") == "");
  CHECK(back.size() == 2);
  REQUIRE(back.find({-1, 64, 0}));
  CHECK(*back.find({1, 2, 3}) == AlgoChoice{6, 200, 1});
  CHECK(AlgoCache(p).load(dir + "/missing.txt", "x") == "");  // no file yet: no warning
  fs::remove_all(dir);
}

TEST_CASE("algorithm cache file: a damaged, foreign or mismatched file is ignored with a warning") {
  AlgoPolicy p;
  p.workspace_cap = 4096;
  const std::string dev = "GPU X sm_90 cudnn 91900";
  const std::string good = "depthstyle-algo-cache 1\ndevice " + dev + "\npolicy 4096 1\nentries 2\n1 2 : 3 4 5\n7 : 0 0 0\n";
  std::string dir = fresh_dir("algo_cache_damage"), path = dir + "/algos.txt";
  std::ofstream(path) << good;
  {
    AlgoCache c(p);
    REQUIRE(c.load(path, dev) == "");
    CHECK(c.size() == 2);
  }
  struct Case {
    std::string text, device, expect;
    AlgoPolicy policy;
  };
  AlgoPolicy other_cap = p, nondet = p;
  other_cap.workspace_cap = 8192;
  nondet.prefer_deterministic = false;
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  std::vector<Case> cases = {
      {good, "GPU Y sm_80 cudnn 91900", "device line", p},  // another GPU
      {good, dev, "policy line", other_cap},
      {good, dev, "policy line", nondet},
      {replace("cache 1", "cache 2"), dev, "format line", p},  // a newer format
      {"", dev, "ends before the format line", p},
      {good.substr(0, good.size() - 10), dev, "has 1 entries, its header says 2", p},  // truncated
      {replace("entries 2", "entries two"), dev, "expected 'entries <count>'", p},
      {replace("1 2 : 3 4 5", "1 2 : 3 99999 5"), dev, "exceeds the cap", p},
      {replace("1 2 : 3 4 5", "1 2 : -3 4 5"), dev, "whole numbers >= 0", p},
      {replace("1 2 : 3 4 5", "1 x : 3 4 5"), dev, "key item 'x'", p},
      {replace("1 2 : 3 4 5", "1 2 3 4 5"), dev, "line 5", p},
      {good + "8 : 1 1 1\n", dev, "text after the last entry", p},
      {std::string("\x89PNG\r\n\x1a\n", 8), dev, "format line", p},
  };
  for (const Case& k : cases) {
    std::ofstream(path, std::ios::trunc | std::ios::binary) << k.text;
    AlgoCache c(k.policy);
    c.insert({42}, {1, 1, 1});
    std::string w = c.load(path, k.device);
    INFO(k.expect << " | " << w);
    CHECK(dst::contains(w, "algorithm cache " + path));
    CHECK(dst::contains(w, k.expect));
    CHECK(dst::contains(w, "ignored"));
    CHECK(c.size() == 1);  // nothing from the file was taken, what was there stays
  }
  fs::create_directories(dir + "/folder.txt");
  CHECK(dst::contains(AlgoCache(p).load(dir + "/folder.txt", dev), "not a regular file"));
  fs::remove_all(dir);
}
