#include "apps/video/video_memory.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "apps/fast/fast.h"
#include "apps/video/video_run.h"
#include "tensor/memory.h"

namespace ds {
namespace app {

int64_t fast_video_frame_bytes(int64_t in_h, int64_t in_w, int64_t h, int64_t w,
                               const std::vector<const FastStyleNet*>& nets, bool on_host, const VideoFrameUse& use) {
  const int64_t px = h * w;
  const int64_t decoded = in_h * in_w * (3 * 4 + 8);
  int64_t held = 3 + 6;  // floats a working pixel: this frame, the previous frame and output
  if (use.flow) held += 4 + 1 + 6 + 32;
  if (use.depth) held += 3 + 2;
  int64_t transformer = 0;
  for (const FastStyleNet* net : nets)
    transformer = std::max(transformer, on_host ? fast_style_peak_bytes(h, w, 0, net) : 12 * px);
  const int64_t blend = 4 * px * (4 + use.masks);
  const int64_t consistency = use.flow ? 4 * px * 24 : 0;
  return kFastFixedBytes + kVideoCodecBytes + decoded + 4 * px * held + std::max(transformer + blend, consistency);
}

void check_video_memory(const VideoInfo& info, int long_side, const std::string& output,
                        const std::vector<const FastStyleNet*>& nets, bool on_host, const VideoFrameUse& use,
                        int64_t budget) {
  // The program as it is now, where that is more than the per-frame formula's allowance for it.
  // The program, its libraries (~50 MiB; cuBLAS, ~200 MiB more, is opened only at a first GEMM on
  // a GPU) and the models, already loaded when the check runs (tensor/memory.h).
  const int64_t resident = std::max<int64_t>(0, resident_bytes() - kFastFixedBytes);
  auto need_at = [&](int l) {
    auto [h, w] = working_size(info.height, info.width, l, output);
    return resident + fast_video_frame_bytes(info.height, info.width, h, w, nets, on_host, use);
  };
  int64_t need = 0;
  try {
    need = need_at(long_side);
  } catch (const Error&) {
    return;  // too small for a transformer: the run says so, with a --size that works
  }
  auto [h, w] = working_size(info.height, info.width, long_side, output);
  const std::string frames = std::to_string(w) + "x" + std::to_string(h);
  const std::string what = info.path + " (" + std::to_string(info.width) + "x" + std::to_string(info.height) +
                           ", frames at " + frames + ")";
  if (budget > 0 && need > budget) {
    int fits = largest_fitting_size(kMinVideoSize, std::max(h, w), [&](int l) {
      try {
        return need_at(l) <= budget;
      } catch (const Error&) {
        return true;  // below a transformer's minimum: not a memory question
      }
    });
    throw memory_refusal(1, "video", budget, "\n  " + what + ": needs about " + mib_text(need) + " a frame; " +
                                                 (fits ? "--size " + std::to_string(fits) + " or less fits"
                                                       : "no --size fits (decoding a frame alone needs more)"));
  }
  if (need > (int64_t{1} << 30))
    std::printf("memory: %s needs about %s a frame%s\n", what.c_str(), mib_text(need).c_str(),
                budget > 0 ? (" of the " + mib_text(budget) + " allowed (--max-memory)").c_str() : "");
}

}  // namespace app
}  // namespace ds
