#include "tensor/host_blocks.h"

#include <cstdlib>
#include <map>
#include <mutex>

namespace ds {

namespace {

constexpr size_t kLarge = size_t(1) << 20;

size_t rounded(size_t bytes) { return (bytes + 63) / 64 * 64; }  // aligned_alloc needs a multiple

struct Pool {
  std::mutex m;
  bool on = false;
  std::multimap<size_t, void*> kept;  // rounded size -> block
  HostBlockStats s;

  // Releases kept blocks, largest first, until `need` more bytes fit under the cap (or none is left).
  void make_room(size_t need) {
    while (!kept.empty() && s.live_bytes + s.kept_bytes + static_cast<int64_t>(need) > s.peak_live_bytes) {
      auto last = std::prev(kept.end());
      s.kept_bytes -= static_cast<int64_t>(last->first);
      std::free(last->second);
      kept.erase(last);
    }
  }
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: tensors freed during exit still find it
  return *p;
}

}  // namespace

void* host_alloc(size_t bytes) {
  const size_t n = rounded(bytes);
  Pool& p = pool();
  if (n >= kLarge) {
    std::lock_guard<std::mutex> lock(p.m);
    if (p.on) {
      auto it = p.kept.find(n);
      if (it != p.kept.end()) {
        void* block = it->second;
        p.kept.erase(it);
        p.s.kept_bytes -= static_cast<int64_t>(n), p.s.live_bytes += static_cast<int64_t>(n), ++p.s.reused;
        return block;
      }
      p.make_room(n);
      void* block = std::aligned_alloc(64, n);
      if (block) {
        p.s.live_bytes += static_cast<int64_t>(n), ++p.s.allocated;
        if (p.s.live_bytes > p.s.peak_live_bytes) p.s.peak_live_bytes = p.s.live_bytes;
      }
      return block;
    }
  }
  return std::aligned_alloc(64, n);
}

void host_free(void* block, size_t bytes) {
  if (!block) return;
  const size_t n = rounded(bytes);
  Pool& p = pool();
  if (n >= kLarge) {
    std::lock_guard<std::mutex> lock(p.m);
    if (p.on) {
      p.s.live_bytes -= static_cast<int64_t>(n);
      if (p.s.live_bytes < 0) p.s.live_bytes = 0;  // a block allocated before reuse was turned on
      if (p.s.live_bytes + p.s.kept_bytes + static_cast<int64_t>(n) <= p.s.peak_live_bytes) {
        p.kept.emplace(n, block);
        p.s.kept_bytes += static_cast<int64_t>(n);
        return;
      }
    }
  }
  std::free(block);
}

void reuse_freed_host_blocks(bool on) {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.m);
  p.on = on;
  if (!on) {
    for (auto& [n, block] : p.kept) std::free(block);
    p.kept.clear();
    p.s = HostBlockStats{};
  }
}

HostBlockStats host_block_stats() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.m);
  return p.s;
}

}  // namespace ds
