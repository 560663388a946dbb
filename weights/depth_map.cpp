#include "weights/depth_map.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "tensor/kernels.h"

namespace ds {
namespace {

std::string size_str(int64_t h, int64_t w) { return std::to_string(w) + "x" + std::to_string(h); }

}  // namespace

void check_depth_map(const char* op, const Tensor& d) {
  if (!d.defined() || d.ndim() != 4 || d.N() != 1 || d.C() != 1 || d.numel() == 0)
    throw Error(std::string(op) + ": expected a [1,1,H,W] depth map, got " +
                (d.defined() ? shape_str(d.shape()) : std::string("an undefined tensor")));
}

double valid_fraction(const Tensor& depth) {
  std::vector<float> v = depth.to_vector();
  if (v.empty()) return 0.0;
  return static_cast<double>(std::count_if(v.begin(), v.end(), [](float x) { return !std::isnan(x); })) /
         static_cast<double>(v.size());
}

Tensor fill_invalid(const Tensor& depth_with_nan) {
  check_depth_map("fill_invalid", depth_with_nan);
  const int64_t h = depth_with_nan.H(), w = depth_with_nan.W();
  std::vector<float> v = depth_with_nan.to_vector();
  std::vector<uint8_t> known(v.size()), queued(v.size());
  for (size_t i = 0; i < v.size(); ++i) known[i] = !std::isnan(v[i]);
  if (std::find(known.begin(), known.end(), 1) == known.end())
    throw Error("fill_invalid: the depth map " + size_str(h, w) + " has no valid pixel to fill from");

  // Calls f(neighbour index) for each 8-neighbour of pixel i inside the image.
  auto for_neighbours = [h, w](size_t i, auto&& f) {
    const int64_t y = static_cast<int64_t>(i) / w, x = static_cast<int64_t>(i) % w;
    for (int64_t dy = -1; dy <= 1; ++dy)
      for (int64_t dx = -1; dx <= 1; ++dx)
        if ((dy || dx) && y + dy >= 0 && y + dy < h && x + dx >= 0 && x + dx < w)
          f(static_cast<size_t>((y + dy) * w + x + dx));
  };
  std::vector<size_t> frontier;  // invalid pixels with a known neighbour, each queued once
  auto enqueue_unknown_neighbours = [&](size_t p, std::vector<size_t>& out) {
    for_neighbours(p, [&](size_t q) {
      if (!known[q] && !queued[q]) out.push_back(q), queued[q] = 1;
    });
  };
  for (size_t i = 0; i < v.size(); ++i)
    if (known[i]) enqueue_unknown_neighbours(i, frontier);
  std::vector<float> filled;
  while (!frontier.empty()) {
    filled.assign(frontier.size(), 0.0f);
    for (size_t k = 0; k < frontier.size(); ++k) {
      double s = 0;
      int n = 0;
      for_neighbours(frontier[k], [&](size_t q) {
        if (known[q]) s += v[q], ++n;
      });
      filled[k] = static_cast<float>(s / n);
    }
    for (size_t k = 0; k < frontier.size(); ++k) v[frontier[k]] = filled[k], known[frontier[k]] = 1;
    std::vector<size_t> next;
    for (size_t p : frontier) enqueue_unknown_neighbours(p, next);
    frontier.swap(next);
  }
  return Tensor::from_vector(depth_with_nan.shape(), v);
}

Tensor normalise_depth(const Tensor& metres, bool* was_constant) {
  check_depth_map("normalise_depth", metres);
  std::vector<float> v = metres.to_vector();
  float lo = INFINITY, hi = -INFINITY;
  for (float x : v)
    if (!std::isnan(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  if (lo > hi) throw Error("normalise_depth: every pixel of the depth map is invalid (NaN)");
  bool constant = hi - lo <= 1e-6f * std::max(1.0f, std::fabs(hi));
  if (was_constant) *was_constant = constant;
  for (float& x : v)
    if (!std::isnan(x)) x = constant ? 0.5f : (x - lo) / (hi - lo);
  return Tensor::from_vector(metres.shape(), v);
}

Tensor resize_depth_to(const Tensor& d, int h, int w) {
  check_depth_map("resize_depth_to", d);
  if (valid_fraction(d) < 1.0)
    throw Error("resize_depth_to: the map has invalid (NaN) pixels, which would spread; call fill_invalid first");
  if (h == d.H() && w == d.W()) return d.clone();
  Tensor out = Tensor::empty({1, 1, h, w});
  cpu::resize_bilinear_forward(d.to(Device::CPU), out);
  return out;
}

Tensor fit_depth_to(const Tensor& d, int h, int w, const std::string& what) {
  check_depth_map("fit_depth_to", d);
  if (h < 1 || w < 1) throw Error("fit_depth_to: target size " + size_str(h, w) + " has no pixels");
  double ratio = (static_cast<double>(d.W()) / d.H()) / (static_cast<double>(w) / h);
  if (std::fabs(ratio - 1.0) > 0.01) {
    // Width and height swapped (in proportion): most often a photo turned upright by its EXIF
    // orientation and a map saved from its stored pixels (new-user finding 6, fourth pass).
    double turned = (static_cast<double>(d.H()) / d.W()) / (static_cast<double>(w) / h);
    std::string hint = std::fabs(turned - 1.0) <= 0.01
                           ? "; it fits the content turned by a quarter: if the content is a photo shown upright by its "
                             "EXIF orientation (as depthstyle reads it), the map was saved from its stored pixels: turn "
                             "the map as the photo's viewer turns the photo (90 degrees one way or the other)"
                           : "; crop or resize one of them to match";
    throw Error(what + ": size " + size_str(d.H(), d.W()) + " has another aspect ratio than the content image " +
                size_str(h, w) + " (more than 1% apart)" + hint);
  }
  return resize_depth_to(d, h, w);
}

DepthAgreement depth_agreement(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size() || a.empty()) throw Error("depth_agreement: maps of different sizes");
  double n = static_cast<double>(a.size()), ma = 0, mb = 0, se = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i], se += (static_cast<double>(a[i]) - b[i]) * (a[i] - b[i]);
  ma /= n, mb /= n;
  double cab = 0, caa = 0, cbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double da = a[i] - ma, db = b[i] - mb;
    cab += da * db, caa += da * da, cbb += db * db;
  }
  return {std::sqrt(se / n), caa > 0 && cbb > 0 ? cab / std::sqrt(caa * cbb) : 0.0};
}

}  // namespace ds
