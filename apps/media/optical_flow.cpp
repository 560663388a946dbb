#include "apps/media/optical_flow.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <algorithm>
#include <cmath>

#include "autograd/ops.h"
#include "tensor/error.h"

namespace ds {
namespace app {

namespace {

// Rec. 601 luma of a [1,3,H,W] (or [1,1,H,W]) image in [0,1], as 8 bits.
cv::Mat luma8(const Tensor& img) {
  Tensor x = img.is_cuda() ? img.to(Device::CPU) : img;
  const int H = static_cast<int>(x.H()), W = static_cast<int>(x.W());
  const int64_t plane = static_cast<int64_t>(H) * W;
  const float* p = x.data();
  cv::Mat m(H, W, CV_8UC1);
  for (int y = 0; y < H; ++y)
    for (int xx = 0; xx < W; ++xx) {
      int64_t i = static_cast<int64_t>(y) * W + xx;
      float l = x.C() == 3 ? 0.299f * p[i] + 0.587f * p[plane + i] + 0.114f * p[2 * plane + i] : p[i];
      l = std::isnan(l) ? 0.0f : std::fmin(std::fmax(l, 0.0f), 1.0f);
      m.at<uint8_t>(y, xx) = static_cast<uint8_t>(std::lround(l * 255.0f));
    }
  return m;
}

}  // namespace

struct OpticalFlow::Impl {
  cv::Ptr<cv::DISOpticalFlow> dis;
};

OpticalFlow::OpticalFlow(const std::string& preset) : impl_(std::make_unique<Impl>()) {
  int p = preset == "ultrafast" ? cv::DISOpticalFlow::PRESET_ULTRAFAST
          : preset == "fast"    ? cv::DISOpticalFlow::PRESET_FAST
          : preset == "medium"  ? cv::DISOpticalFlow::PRESET_MEDIUM
                                : -1;
  if (p < 0) throw Error("optical flow: unknown DIS preset '" + preset + "' (expected ultrafast, fast or medium)");
  impl_->dis = cv::DISOpticalFlow::create(p);
}

OpticalFlow::~OpticalFlow() = default;

Tensor OpticalFlow::operator()(const Tensor& from, const Tensor& to) {
  if (from.ndim() != 4 || to.ndim() != 4 || from.H() != to.H() || from.W() != to.W())
    throw Error("optical flow: frames " + shape_str(from.shape()) + " and " + shape_str(to.shape()) + " differ in size");
  if (std::min(from.H(), from.W()) < kMinShortSide)
    throw Error("optical flow: frames " + shape_str(from.shape()) + " are under the " + std::to_string(kMinShortSide) +
                " px per side that OpenCV's DIS runs on safely");
  cv::Mat a = luma8(from), b = luma8(to), flow;
  const int H = a.rows, W = a.cols;
  try {
    // Small or thin frames padded to kPadTo (DIS's crash on them: optical_flow.h); the flow of
    // the frames' own pixels is the top-left H x W of the padded flow.
    const int below = std::max(0, kPadTo - H), right = std::max(0, kPadTo - W);
    if (below || right) {
      cv::copyMakeBorder(a, a, 0, below, 0, right, cv::BORDER_REPLICATE);
      cv::copyMakeBorder(b, b, 0, below, 0, right, cv::BORDER_REPLICATE);
    }
    impl_->dis->calc(a, b, flow);
    if (below || right) flow = flow(cv::Rect(0, 0, W, H)).clone();
  } catch (const cv::Exception& e) {
    throw Error(std::string("optical flow (OpenCV DIS): ") + e.what());
  }
  Tensor f = Tensor::empty({1, 2, H, W});
  float* u = f.data();
  float* v = u + static_cast<int64_t>(H) * W;
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const cv::Vec2f& d = flow.at<cv::Vec2f>(y, x);
      u[static_cast<int64_t>(y) * W + x] = d[0];
      v[static_cast<int64_t>(y) * W + x] = d[1];
    }
  return f;
}

Tensor flow_reliability(const Tensor& back, const Tensor& fwd) {
  if (back.ndim() != 4 || back.C() != 2 || fwd.shape() != back.shape())
    throw Error("flow_reliability: flows " + shape_str(back.shape()) + " and " + shape_str(fwd.shape()) +
                " must both be [1, 2, H, W]");
  const int H = static_cast<int>(back.H()), W = static_cast<int>(back.W());
  const int64_t plane = static_cast<int64_t>(H) * W;
  Tensor b = back.is_cuda() ? back.to(Device::CPU) : back;
  // fwd at x + back(x): the flow from the previous frame, followed back along `back`.
  Tensor fb = warp(Var(fwd.is_cuda() ? fwd.to(Device::CPU) : fwd), Var(b)).value();
  const float* u = b.data();
  const float* v = u + plane;
  const float* fu = fb.data();
  const float* fv = fu + plane;
  cv::Mat c(H, W, CV_32FC1);
  auto at = [&](const float* p, int y, int x) {
    return p[static_cast<int64_t>(std::min(std::max(y, 0), H - 1)) * W + std::min(std::max(x, 0), W - 1)];
  };
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      int64_t i = static_cast<int64_t>(y) * W + x;
      float bx = static_cast<float>(x) + u[i], by = static_cast<float>(y) + v[i];
      float val = 1.0f;
      if (!(bx >= 0 && by >= 0 && std::floor(bx) + 1 < W && std::floor(by) + 1 < H)) {
        val = 0.0f;  // leaves the image (no right/bottom neighbour to interpolate with)
      } else {
        float du = u[i] + fu[i], dv = v[i] + fv[i];
        float w2 = u[i] * u[i] + v[i] * v[i], f2 = fu[i] * fu[i] + fv[i] * fv[i];
        float ux = 0.5f * (at(u, y, x + 1) - at(u, y, x - 1)), uy = 0.5f * (at(u, y + 1, x) - at(u, y - 1, x));
        float vx = 0.5f * (at(v, y, x + 1) - at(v, y, x - 1)), vy = 0.5f * (at(v, y + 1, x) - at(v, y - 1, x));
        if (du * du + dv * dv >= 0.01f * (w2 + f2) + 0.5f) val = -1.0f;  // negative: the blur spreads it outward
        else if (ux * ux + uy * uy + vx * vx + vy * vy > 0.01f * w2 + 0.002f) val = 0.0f;
      }
      c.at<float>(y, x) = val;
    }
  cv::GaussianBlur(c, c, cv::Size(5, 5), 0.8, 0.8, cv::BORDER_REPLICATE);
  Tensor out = Tensor::empty({1, 1, H, W});
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) out.data()[static_cast<int64_t>(y) * W + x] = std::fmin(std::fmax(c.at<float>(y, x), 0.0f), 1.0f);
  return out;
}

}  // namespace app
}  // namespace ds
