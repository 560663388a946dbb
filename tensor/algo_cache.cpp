#include "tensor/algo_cache.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "tensor/file_util.h"
#include "tensor/tensor.h"

namespace ds {

namespace {

constexpr const char* kMagic = "depthstyle-algo-cache 1";
constexpr size_t kMaxFileBytes = size_t(16) << 20;  // thousands of entries; anything larger is not ours
constexpr size_t kMaxKeyLength = 64;

// A whole decimal number in [lo, hi], or nullopt: no sign games, no trailing text.
std::optional<long long> whole(const std::string& s, long long lo, long long hi) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || v < lo || v > hi) return std::nullopt;
  return v;
}

long long env_whole(const char* name, long long def, long long lo, long long hi) {
  const char* v = std::getenv(name);
  if (!v || !*v) return def;
  std::optional<long long> n = whole(v, lo, hi);
  if (!n)
    throw Error(std::string(name) + "='" + v + "': expected a whole number in [" + std::to_string(lo) + ", " +
                std::to_string(hi) + "]");
  return *n;
}

std::string policy_line(const AlgoPolicy& p) {
  return "policy " + std::to_string(p.workspace_cap) + " " + (p.prefer_deterministic ? "1" : "0");
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// One "<key ints> : <algo> <workspace> <math>" line, or an error text.
std::string parse_entry(const std::string& line, size_t cap, AlgoCache::Key& key, AlgoChoice& c) {
  std::vector<std::string> w = words(line);
  size_t colon = 0;
  while (colon < w.size() && w[colon] != ":") ++colon;
  if (colon == 0 || colon > kMaxKeyLength || w.size() != colon + 4)
    return "expected '<1 to 64 integers> : <algo> <workspace bytes> <math>'";
  key.clear();
  for (size_t i = 0; i < colon; ++i) {
    std::optional<long long> v = whole(w[i], INT64_MIN + 1, INT64_MAX);
    if (!v) return "key item '" + w[i] + "' is not an integer";
    key.push_back(*v);
  }
  std::optional<long long> algo = whole(w[colon + 1], 0, 1 << 20), ws = whole(w[colon + 2], 0, INT64_MAX),
                           math = whole(w[colon + 3], 0, 1 << 20);
  if (!algo || !ws || !math) return "algo, workspace and math must be whole numbers >= 0";
  if (static_cast<unsigned long long>(*ws) > cap)
    return "workspace " + w[colon + 2] + " bytes exceeds the cap of " + std::to_string(cap);
  c = {static_cast<int>(*algo), static_cast<size_t>(*ws), static_cast<int>(*math)};
  return "";
}

}  // namespace

AlgoPolicy policy_from_env() {
  AlgoPolicy p;
  p.workspace_cap = static_cast<size_t>(env_whole("DEPTHSTYLE_CUDNN_WORKSPACE_MB", 1024, 0, 1 << 20)) << 20;
  p.prefer_deterministic = env_whole("DEPTHSTYLE_CUDNN_DETERMINISTIC", 1, 0, 1) == 1;
  p.measure = env_whole("DEPTHSTYLE_CUDNN_FIND", 1, 0, 1) == 1;
  return p;
}

std::optional<AlgoChoice> pick_algo(const std::vector<AlgoTrial>& trials, const AlgoPolicy& policy,
                                    bool allow_tensor_ops) {
  const AlgoTrial* best = nullptr;
  const AlgoTrial* best_det = nullptr;
  for (const AlgoTrial& t : trials) {
    if (!t.ok || t.workspace > policy.workspace_cap || (t.tensor_ops && !allow_tensor_ops)) continue;
    if (!best || t.ms < best->ms) best = &t;
    if (t.deterministic && (!best_det || t.ms < best_det->ms)) best_det = &t;
  }
  const AlgoTrial* c = policy.prefer_deterministic && best_det ? best_det : best;
  if (!c) return std::nullopt;
  return AlgoChoice{c->algo, c->workspace, c->math};
}

const AlgoChoice* AlgoCache::find(const Key& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void AlgoCache::insert(const Key& key, const AlgoChoice& choice) { entries_[key] = choice; }

std::string AlgoCache::load(const std::string& path, const std::string& device_id) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return "";  // no file yet: the first run writes it
  const std::string what = "algorithm cache " + path + ": ";
  if (!S_ISREG(st.st_mode)) return what + "not a regular file; ignored";
  if (static_cast<size_t>(st.st_size) > kMaxFileBytes)
    return what + "larger than " + std::to_string(kMaxFileBytes) + " bytes; ignored";
  std::vector<uint8_t> bytes;
  try {
    bytes = read_file_bytes(path);
  } catch (const Error& e) {
    return what + e.what() + "; ignored";
  }
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  std::string line;
  auto expect = [&](const std::string& want, const char* field) -> std::string {
    if (!std::getline(in, line)) return what + "ends before the " + field + " line; ignored";
    if (line != want) return what + field + " line is '" + line + "', expected '" + want + "'; ignored";
    return "";
  };
  for (auto [want, field] : {std::pair<std::string, const char*>{kMagic, "format"},
                             {"device " + device_id, "device"},
                             {policy_line(policy_), "policy"}})
    if (std::string err = expect(want, field); !err.empty()) return err;
  if (!std::getline(in, line)) return what + "ends before the entries line; ignored";
  std::vector<std::string> w = words(line);
  std::optional<long long> n = w.size() == 2 && w[0] == "entries" ? whole(w[1], 0, 1 << 20) : std::nullopt;
  if (!n) return what + "line 4 is '" + line + "', expected 'entries <count>'; ignored";
  std::map<Key, AlgoChoice> read;
  for (long long i = 0; i < *n; ++i) {
    if (!std::getline(in, line))
      return what + "has " + std::to_string(i) + " entries, its header says " + std::to_string(*n) + "; ignored";
    Key key;
    AlgoChoice c;
    std::string err = parse_entry(line, policy_.workspace_cap, key, c);
    if (!err.empty()) return what + "line " + std::to_string(i + 5) + ": " + err + "; ignored";
    read[key] = c;
  }
  if (std::getline(in, line)) return what + "text after the last entry; ignored";
  for (const auto& [key, c] : read) entries_[key] = c;
  return "";
}

void AlgoCache::save(const std::string& path, const std::string& device_id) const {
  if (device_id.find('\n') != std::string::npos) throw Error("algorithm cache " + path + ": device id has a newline");
  AtomicFile f(path);
  {
    std::ofstream out(f.temp_path(), std::ios::binary);
    out << kMagic << "\ndevice " << device_id << "\n" << policy_line(policy_) << "\nentries " << entries_.size()
        << "\n";
    for (const auto& [key, c] : entries_) {
      for (int64_t k : key) out << k << ' ';
      out << ": " << c.algo << ' ' << c.workspace << ' ' << c.math << '\n';
    }
    out.flush();
    if (!out) throw Error("algorithm cache " + path + ": cannot write " + f.temp_path());
  }
  f.commit();
}

}  // namespace ds
