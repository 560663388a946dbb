// The choice of a convolution algorithm by measurement, kept once per problem: the policy
// (workspace cap, deterministic preference), the rule that picks among measured trials, the
// per-process cache and its optional file. Plain C++ with no CUDA type: cuda/conv_cudnn.cpp
// fills AlgoTrial from cuDNN's cudnnFind*AlgorithmEx results and stores cuDNN's enums as ints;
// the tests exercise every rule and the file format on the CPU.
//
// File format (text, one record per line; see docs/gpu-validation.md, "cuDNN algorithms"):
//   depthstyle-algo-cache 1
//   device <device id: GPU name, compute capability, cuDNN version>
//   policy <workspace cap in bytes> <1 if deterministic preferred, else 0>
//   entries <N>
//   <key as space-separated integers> : <algo> <workspace bytes> <math>     (N such lines)
// A file whose version, device or policy differs, or that fails to parse in any way, is
// ignored as a whole with a warning: its choices are never partly trusted.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ds {

// How algorithms are chosen. From the environment by policy_from_env().
struct AlgoPolicy {
  size_t workspace_cap = size_t(1) << 30;  // bytes: no algorithm needing more is chosen
  bool prefer_deterministic = true;       // a deterministic algorithm wins when one qualifies
  bool measure = true;                    // cudnnFind*AlgorithmEx (true) or cuDNN's heuristics only
};

// DEPTHSTYLE_CUDNN_WORKSPACE_MB (default 1024, 0 allowed: only algorithms without workspace),
// DEPTHSTYLE_CUDNN_DETERMINISTIC (1 default, 0: the fastest algorithm even if not bit-stable),
// DEPTHSTYLE_CUDNN_FIND (1 default, 0: heuristics, no trial runs). Throws ds::Error naming
// the variable when a value is not a whole number in range (or not 0/1).
AlgoPolicy policy_from_env();

// One candidate algorithm as the backend reported it.
struct AlgoTrial {
  int algo = 0;
  bool ok = true;             // the backend ran (or could run) it
  double ms = 0;              // measured time; heuristic results use their rank instead
  size_t workspace = 0;       // bytes it needs
  bool deterministic = false;  // bit-identical results run to run
  bool tensor_ops = false;     // uses tensor-core (TF32) math
  int math = 0;                // the backend's math type to run it with
};

struct AlgoChoice {
  int algo = 0;
  size_t workspace = 0;
  int math = 0;
  bool operator==(const AlgoChoice& o) const { return algo == o.algo && workspace == o.workspace && math == o.math; }
};

// The fastest trial that ran, fits the workspace cap and uses tensor ops only when
// allow_tensor_ops; with prefer_deterministic, the fastest deterministic one of those when
// there is one. Ties keep the earlier trial. nullopt when none qualifies.
std::optional<AlgoChoice> pick_algo(const std::vector<AlgoTrial>& trials, const AlgoPolicy& policy,
                                    bool allow_tensor_ops);

// Problem -> choice for one process. The key is the caller's description of the problem
// (pass, shapes, padding, stride, dilation, groups, data type, precision), as integers.
// Not thread-safe: the caller serialises access.
class AlgoCache {
 public:
  using Key = std::vector<int64_t>;
  explicit AlgoCache(AlgoPolicy policy = {}) : policy_(policy) {}
  const AlgoPolicy& policy() const { return policy_; }
  const AlgoChoice* find(const Key& key) const;
  void insert(const Key& key, const AlgoChoice& choice);  // replaces an existing entry
  size_t size() const { return entries_.size(); }

  // Adds the entries of `path` (written by save() for the same device id and policy).
  // Returns "" when they were added or the file does not exist; otherwise a warning naming
  // the file, what was wrong and what was expected, and nothing is added.
  std::string load(const std::string& path, const std::string& device_id);
  // Writes every entry to `path` through ds::AtomicFile. Throws ds::Error naming the file.
  void save(const std::string& path, const std::string& device_id) const;

 private:
  AlgoPolicy policy_;
  std::map<Key, AlgoChoice> entries_;
};

}  // namespace ds
