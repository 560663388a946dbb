#include "apps/photo3d/consistency.h"

#include <cmath>
#include <string>

#include "tensor/error.h"
#include "tensor/random.h"

namespace ds {
namespace app {

namespace {

struct Projection {
  bool visible = false;
  double u = 0, v = 0;
};

Projection project(const View& view, const Rendering& frame, Vec3 p) {
  Vec3 q = view.pose.to_view(p);
  Projection out;
  if (q.z < kNearPlane) return out;
  out.u = view.K.fx * q.x / q.z + view.K.cx, out.v = view.K.fy * q.y / q.z + view.K.cy;
  if (!(out.u >= 0 && out.v >= 0 && out.u < view.K.width && out.v < view.K.height)) return out;
  size_t i = static_cast<size_t>(std::floor(out.v)) * view.K.width + static_cast<size_t>(std::floor(out.u));
  out.visible = frame.covered[i] && std::fabs(frame.depth[i] - q.z) <= kVisibleDepthTolerance * q.z;
  return out;
}

// Every LDI sample in the scene frame: the visible layer, then the background samples.
std::vector<Vec3> ldi_points(const LayeredDepthImage& ldi) {
  std::vector<Vec3> pts;
  for (int layer = 0; layer < 2; ++layer)
    for (int y = 0; y < ldi.height(); ++y)
      for (int x = 0; x < ldi.width(); ++x) {
        size_t i = static_cast<size_t>(y) * ldi.width() + x;
        if (layer == 1 && !ldi.back.mask[i]) continue;
        pts.push_back(unproject(ldi.K, x + 0.5, y + 0.5, (layer ? ldi.back.depth : ldi.depth).z[i]));
      }
  return pts;
}

bool same_camera(const View& a, const View& b) {
  constexpr double eps = 1e-9;
  auto near = [](double x, double y) { return std::fabs(x - y) <= eps; };
  return near(a.pose.t.x, b.pose.t.x) && near(a.pose.t.y, b.pose.t.y) && near(a.pose.t.z, b.pose.t.z) &&
         near(a.pose.yaw_deg, b.pose.yaw_deg) && near(a.pose.pitch_deg, b.pose.pitch_deg) &&
         a.K.width == b.K.width && a.K.height == b.K.height && near(a.K.fx, b.K.fx) && near(a.K.fy, b.K.fy) &&
         near(a.K.cx, b.K.cx) && near(a.K.cy, b.K.cy);
}

}  // namespace

std::vector<ViewPair> random_view_pairs(size_t n, int count, uint64_t seed) {
  if (n < 2) throw Error("view consistency: needs at least two views, each with its rendering");
  Rng rng(seed);
  std::vector<ViewPair> out;
  for (int k = 0; k < count; ++k) {
    size_t a = rng.below(n), b = rng.below(n - 1);
    if (b >= a) ++b;  // two distinct views, as random.sample(range(n), 2)
    out.push_back({a, b});
  }
  return out;
}

std::vector<ViewPair> distinct_view_pairs(const std::vector<View>& views) {
  std::vector<size_t> firsts;  // the first view of each pose
  for (size_t k = 0; k < views.size(); ++k) {
    bool seen = false;
    for (size_t f : firsts) seen = seen || same_camera(views[f], views[k]);
    if (!seen) firsts.push_back(k);
  }
  std::vector<ViewPair> out;
  for (size_t i = 0; i < firsts.size(); ++i)
    for (size_t j = i + 1; j < firsts.size(); ++j) out.push_back({firsts[i], firsts[j]});
  return out;
}

Consistency view_consistency(const LayeredDepthImage& ldi, const std::vector<View>& views,
                             const std::vector<Rendering>& frames, int pairs, uint64_t seed) {
  return view_consistency(ldi, views, frames, random_view_pairs(views.size(), pairs, seed));
}

Consistency view_consistency(const LayeredDepthImage& ldi, const std::vector<View>& views,
                             const std::vector<Rendering>& frames, const std::vector<ViewPair>& pairs,
                             const std::function<void(int)>& on_pair) {
  if (views.size() < 2 || views.size() != frames.size())
    throw Error("view consistency: needs at least two views, each with its rendering");
  for (size_t k = 0; k < views.size(); ++k)
    if (frames[k].covered.size() != static_cast<size_t>(views[k].K.width) * views[k].K.height)
      throw Error("view consistency: rendering " + std::to_string(k) + " does not match its view's size");
  std::vector<Vec3> pts = ldi_points(ldi);
  const size_t visible = static_cast<size_t>(ldi.width()) * ldi.height();  // the first points
  Consistency c;
  double sum_rmse[2] = {0, 0}, sum_points[2] = {0, 0};
  for (size_t n = 0; n < pairs.size(); ++n) {
    const auto [a, b] = pairs[n];
    if (a >= views.size() || b >= views.size())
      throw Error("view consistency: pair " + std::to_string(n) + " names a view beyond the " +
                  std::to_string(views.size()) + " given");
    double se[2] = {0, 0};
    size_t count[2] = {0, 0};
    for (size_t k = 0; k < pts.size(); ++k) {
      Projection pa = project(views[a], frames[a], pts[k]);
      if (!pa.visible) continue;
      Projection pb = project(views[b], frames[b], pts[k]);
      if (!pb.visible) continue;
      double e = 0;
      for (int ch = 0; ch < 3; ++ch) {
        double d = sample_bilinear(frames[a].image, ch, pa.u, pa.v) - sample_bilinear(frames[b].image, ch, pb.u, pb.v);
        e += d * d;
      }
      se[0] += e, ++count[0];
      if (k >= visible) se[1] += e, ++count[1];
    }
    for (int s = 0; s < 2; ++s) {
      if (count[s] == 0) continue;
      sum_rmse[s] += std::sqrt(se[s] / (3.0 * static_cast<double>(count[s])));
      sum_points[s] += static_cast<double>(count[s]);
      ++(s ? c.pairs_background : c.pairs);
    }
    if (on_pair) on_pair(static_cast<int>(n) + 1);
  }
  if (c.pairs > 0) c.rmse = sum_rmse[0] / c.pairs, c.mean_points = sum_points[0] / c.pairs;
  if (c.pairs_background > 0)
    c.rmse_background = sum_rmse[1] / c.pairs_background,
    c.mean_background_points = sum_points[1] / c.pairs_background;
  return c;
}

}  // namespace app
}  // namespace ds
