#include "apps/photo3d/background_fill.h"

#include <algorithm>
#include <deque>

namespace ds {
namespace app {

int64_t SynthesisRegion::count() const {
  return std::count_if(background.begin(), background.end(), [](float b) { return b >= 0; });
}

int64_t BackgroundLayer::count() const { return std::count(mask.begin(), mask.end(), uint8_t(1)); }

SynthesisRegion synthesis_region(const DepthGrid& depth, double threshold, int band) {
  const int w = depth.width, h = depth.height;
  const DisparityScale s = disparity_scale(depth);
  SynthesisRegion r{w, h, std::vector<float>(static_cast<size_t>(w) * h, -1.0f)};
  if (band <= 0) return r;
  auto disp = [&](int x, int y) { return s.d(depth.at(x, y)); };
  const int nx[4] = {1, -1, 0, 0}, ny[4] = {0, 0, 1, -1};
  std::vector<int> dist(r.background.size(), -1);
  std::deque<int> queue;
  for (int y = 0; y < h; ++y)  // seeds: the near side of every edge, labelled with its nearest far side
    for (int x = 0; x < w; ++x) {
      double best = -1;
      for (int k = 0; k < 4; ++k) {
        int xx = x + nx[k], yy = y + ny[k];
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        double far = disp(xx, yy);
        if (disp(x, y) - far > threshold) best = std::max(best, far);
      }
      if (best < 0) continue;
      size_t i = static_cast<size_t>(y) * w + x;
      r.background[i] = static_cast<float>(best), dist[i] = 0;
      queue.push_back(static_cast<int>(i));
    }
  while (!queue.empty()) {
    int i = queue.front();
    queue.pop_front();
    if (dist[static_cast<size_t>(i)] + 1 >= band) continue;
    int x = i % w, y = i / w;
    for (int k = 0; k < 4; ++k) {
      int xx = x + nx[k], yy = y + ny[k];
      if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
      size_t j = static_cast<size_t>(yy) * w + xx;
      if (dist[j] >= 0 || disp(xx, yy) <= r.background[static_cast<size_t>(i)] + threshold / 2) continue;
      dist[j] = dist[static_cast<size_t>(i)] + 1;
      r.background[j] = r.background[static_cast<size_t>(i)];
      queue.push_back(static_cast<int>(j));
    }
  }
  return r;
}

BackgroundLayer fill_background(const Tensor& colour, const DepthGrid& depth, const SynthesisRegion& region,
                                double threshold) {
  const int w = depth.width, h = depth.height;
  const size_t plane = static_cast<size_t>(w) * h;
  const DisparityScale s = disparity_scale(depth);
  BackgroundLayer b{colour.clone(), depth, std::vector<uint8_t>(plane, 0)};
  float* rgb = b.colour.data();
  std::vector<double> disp(plane);
  for (size_t i = 0; i < plane; ++i) disp[i] = s.d(depth.z[i]);
  std::vector<uint8_t> filled(plane, 0);
  std::vector<int> todo;
  for (size_t i = 0; i < plane; ++i)
    if (region.background[i] >= 0) todo.push_back(static_cast<int>(i));
  struct Fill {
    int i;
    float r, g, bl;
    double d;
  };
  while (!todo.empty()) {
    std::vector<Fill> fills;
    std::vector<int> left;
    for (int i : todo) {
      int x = i % w, y = i / w;
      double far = region.background[static_cast<size_t>(i)];
      double sum[4] = {0, 0, 0, 0};
      int n = 0;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          int xx = x + dx, yy = y + dy;
          if ((dx == 0 && dy == 0) || xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          size_t j = static_cast<size_t>(yy) * w + xx;
          bool usable = filled[j] || (region.background[j] < 0 && disp[j] <= far + threshold / 2);
          if (!usable) continue;
          sum[0] += rgb[j], sum[1] += rgb[plane + j], sum[2] += rgb[2 * plane + j], sum[3] += disp[j];
          ++n;
        }
      if (n == 0) {
        left.push_back(i);
        continue;
      }
      fills.push_back({i, static_cast<float>(sum[0] / n), static_cast<float>(sum[1] / n),
                       static_cast<float>(sum[2] / n), sum[3] / n});
    }
    if (fills.empty()) break;  // the rest cannot be reached from any context: no background there
    for (const Fill& f : fills) {
      size_t i = static_cast<size_t>(f.i);
      rgb[i] = f.r, rgb[plane + i] = f.g, rgb[2 * plane + i] = f.bl;
      // Behind the visible surface, whatever the neighbours held.
      disp[i] = std::min(f.d, s.d(depth.z[i]) - threshold / 2);
      filled[i] = 1;
    }
    todo.swap(left);
  }
  const float* orig = colour.data();
  for (size_t i = 0; i < plane; ++i) {
    if (!filled[i]) continue;
    if (!(disp[i] > 0)) {  // no depth behind the visible surface is left: no background sample
      for (int c = 0; c < 3; ++c) rgb[c * plane + i] = orig[c * plane + i];
      continue;
    }
    b.mask[i] = 1;
    b.depth.z[i] = static_cast<float>(s.z_min / disp[i]);
  }
  return b;
}

}  // namespace app
}  // namespace ds
