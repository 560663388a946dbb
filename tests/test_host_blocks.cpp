// tensor/host_blocks.h: large freed host blocks kept for the next allocation of the same size,
// under the cap live + kept <= the peak of live bytes; and a transformer run twice on kept
// blocks gives the same image as on fresh ones (no kernel may read what a block held before).
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "nn/fast_style_weights.h"
#include "nn/models.h"
#include "nn/params.h"
#include "tensor/host_blocks.h"

namespace {

constexpr size_t kMiB = size_t(1) << 20;

// Turns reuse on for one scope; off (and every kept block released) afterwards.
struct Reuse {
  Reuse() { ds::reuse_freed_host_blocks(true); }
  ~Reuse() { ds::reuse_freed_host_blocks(false); }
};

}  // namespace

TEST_CASE("host blocks: a freed large block serves the next allocation of its size, small blocks are never kept") {
  Reuse on;
  void* a = ds::host_alloc(3 * kMiB);
  REQUIRE(a != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(a) % 64 == 0);
  ds::host_free(a, 3 * kMiB);
  CHECK(ds::host_block_stats().kept_bytes == int64_t(3 * kMiB));
  void* b = ds::host_alloc(3 * kMiB);
  CHECK(b == a);
  CHECK(ds::host_block_stats().reused == 1);
  void* c = ds::host_alloc(2 * kMiB);  // another size: from the heap
  CHECK(c != a);
  CHECK(ds::host_block_stats().allocated == 2);
  ds::host_free(b, 3 * kMiB);
  ds::host_free(c, 2 * kMiB);
  void* small = ds::host_alloc(kMiB - 64);
  ds::host_free(small, kMiB - 64);
  ds::HostBlockStats s = ds::host_block_stats();
  CHECK(s.kept_bytes == int64_t(5 * kMiB));  // the two large ones only
  CHECK(s.live_bytes == 0);
  ds::reuse_freed_host_blocks(false);
  CHECK(ds::host_block_stats().kept_bytes == 0);  // released
}

TEST_CASE("host blocks: random allocations keep live + kept under the live peak, and no block is handed out twice") {
  Reuse on;
  std::mt19937 rng(7);
  const size_t sizes[] = {kMiB, 2 * kMiB, 2 * kMiB + 64, 5 * kMiB, 512 * 1024};
  struct Live {
    size_t bytes;
    uint32_t id;
  };
  std::map<unsigned char*, Live> live;
  int64_t peak = 0, now = 0;  // large bytes, counted here independently
  for (uint32_t id = 1; id <= 400; ++id) {
    bool alloc = live.empty() || (live.size() < 12 && rng() % 2 == 0);
    if (alloc) {
      size_t n = sizes[rng() % 5];
      auto* p = static_cast<unsigned char*>(ds::host_alloc(n));
      REQUIRE(p != nullptr);
      REQUIRE(live.count(p) == 0);
      std::memset(p, static_cast<int>(id & 0xff), n);  // this owner's mark, checked when freed
      live[p] = {n, id};
      if (n >= kMiB) now += static_cast<int64_t>((n + 63) / 64 * 64), peak = std::max(peak, now);
    } else {
      auto it = std::next(live.begin(), static_cast<long>(rng() % live.size()));
      size_t n = it->second.bytes;
      unsigned char mark = static_cast<unsigned char>(it->second.id & 0xff);
      CHECK((it->first[0] == mark && it->first[n / 2] == mark && it->first[n - 1] == mark));
      ds::host_free(it->first, n);
      if (n >= kMiB) now -= static_cast<int64_t>((n + 63) / 64 * 64);
      live.erase(it);
    }
    ds::HostBlockStats s = ds::host_block_stats();
    CHECK(s.live_bytes == now);
    CHECK(s.peak_live_bytes == peak);
    CHECK(s.live_bytes + s.kept_bytes <= s.peak_live_bytes);
  }
  CHECK(ds::host_block_stats().reused > 20);  // the sequence does reuse blocks
  for (auto& [p, l] : live) ds::host_free(p, l.bytes);
}

TEST_CASE("host blocks: a transformer run again on kept blocks gives the same image, bit for bit") {
  std::map<std::string, ds::Tensor> m;
  for (const auto& [name, shape] : ds::FastStyleNet::param_shapes()) m[name] = ds::synthetic_param(name, shape);
  ds::FastStyleNet net(ds::ParamSet(m, "synthetic"));
  ds::Tensor img = ds::Tensor::empty({1, 3, 200, 160});  // 32 channels at 200x160: 4 MB blocks
  for (int64_t i = 0; i < img.numel(); ++i) img.data()[i] = static_cast<float>((i * 7919) % 255) / 255.0f;
  std::vector<float> fresh = ds::stylize_fast(net, img, 200).to_vector();
  Reuse on;
  std::vector<float> first = ds::stylize_fast(net, img, 200).to_vector();
  CHECK(ds::host_block_stats().kept_bytes > 0);
  std::vector<float> second = ds::stylize_fast(net, img, 200).to_vector();
  CHECK(ds::host_block_stats().reused > 0);
  CHECK(first == fresh);
  CHECK(second == fresh);
}
