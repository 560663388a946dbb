#include "apps/media/frame_convert.h"

#include <algorithm>
#include <cmath>

#include "tensor/error.h"

namespace ds {
namespace app {

namespace {

int colorspace_of(const AVFrame* f) {
  if (f->colorspace != AVCOL_SPC_UNSPECIFIED && f->colorspace != AVCOL_SPC_RESERVED) return f->colorspace;
  return f->height >= 720 ? AVCOL_SPC_BT709 : AVCOL_SPC_SMPTE170M;
}

constexpr int kSwsFlags = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP;

}  // namespace

Tensor rotate90(const Tensor& x, int rotation_cw) {
  if (rotation_cw == 0) return x;
  int64_t C = x.C(), H = x.H(), W = x.W();
  bool swap = rotation_cw == 90 || rotation_cw == 270;
  Tensor y = Tensor::empty({1, C, swap ? W : H, swap ? H : W});
  int64_t Wo = y.W();
  const float* src = x.data();
  float* dst = y.data();
  for (int64_t c = 0; c < C; ++c)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w) {
        int64_t oh, ow;  // where coded pixel (h, w) lands
        if (rotation_cw == 90) oh = w, ow = H - 1 - h;
        else if (rotation_cw == 180) oh = H - 1 - h, ow = W - 1 - w;
        else oh = W - 1 - w, ow = h;
        dst[(c * (swap ? W : H) + oh) * Wo + ow] = src[(c * H + h) * W + w];
      }
  return y;
}

Tensor FrameConverter::to_tensor(const AVFrame* f, int rotation_cw) {
  int w = f->width, h = f->height;
  to_rgb_.reset(sws_getCachedContext(to_rgb_.release(), w, h, static_cast<AVPixelFormat>(f->format), w, h,
                                     AV_PIX_FMT_RGB24, kSwsFlags, nullptr, nullptr, nullptr));
  if (!to_rgb_) {
    const char* name = av_get_pix_fmt_name(static_cast<AVPixelFormat>(f->format));
    throw Error(std::string("cannot convert frames of pixel format ") + (name ? name : "unknown") + " to RGB");
  }
  int full_range = f->color_range == AVCOL_RANGE_JPEG ? 1 : 0;
  const int* coef = sws_getCoefficients(colorspace_of(f));
  // Fails harmlessly (returns -1) for RGB and palette sources, which have no matrix.
  sws_setColorspaceDetails(to_rgb_.get(), coef, full_range, sws_getCoefficients(AVCOL_SPC_BT709), 1, 0, 1 << 16, 1 << 16);
  rgb_.resize(static_cast<size_t>(w) * h * 3);
  uint8_t* dst[4] = {rgb_.data(), nullptr, nullptr, nullptr};
  int stride[4] = {w * 3, 0, 0, 0};
  sws_scale(to_rgb_.get(), f->data, f->linesize, 0, h, dst, stride);
  Tensor t = Tensor::empty({1, 3, h, w});
  float* p = t.data();
  const int64_t plane = static_cast<int64_t>(w) * h;
  for (int64_t i = 0; i < plane; ++i)
    for (int c = 0; c < 3; ++c) p[c * plane + i] = rgb_[static_cast<size_t>(i * 3 + c)] * (1.0f / 255.0f);
  return rotate90(t, rotation_cw);
}

void FrameConverter::from_tensor(const Tensor& rgb, AVFrame* out) {
  Tensor x = rgb.is_cuda() ? rgb.to(Device::CPU) : rgb;
  int w = static_cast<int>(x.W()), h = static_cast<int>(x.H());
  const float* p = x.data();
  const int64_t plane = static_cast<int64_t>(w) * h;
  rgb_.resize(static_cast<size_t>(plane) * 3);
  for (int64_t i = 0; i < plane; ++i)
    for (int c = 0; c < 3; ++c) {
      float v = p[c * plane + i];
      if (std::isnan(v)) throw Error("the frame to write has NaN samples");
      rgb_[static_cast<size_t>(i * 3 + c)] = static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
    }
  out->width = w;
  out->height = h;
  int err = av_frame_get_buffer(out, 0);
  if (err < 0) av::fail("cannot allocate a video frame", err);
  from_rgb_.reset(sws_getCachedContext(from_rgb_.release(), w, h, AV_PIX_FMT_RGB24, w, h,
                                       static_cast<AVPixelFormat>(out->format), kSwsFlags, nullptr, nullptr, nullptr));
  if (!from_rgb_) throw Error("cannot convert RGB frames to the encoder's pixel format");
  const int* bt709 = sws_getCoefficients(AVCOL_SPC_BT709);
  sws_setColorspaceDetails(from_rgb_.get(), bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16);
  const uint8_t* src[4] = {rgb_.data(), nullptr, nullptr, nullptr};
  int stride[4] = {w * 3, 0, 0, 0};
  sws_scale(from_rgb_.get(), src, stride, 0, h, out->data, out->linesize);
}

}  // namespace app
}  // namespace ds
