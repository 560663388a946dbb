// Internal to tensor/image_io.cpp: one decoder and encoder per format. Decoders work on the
// whole file in memory, check the declared size with check_pixel_limit before allocating
// pixels, and return the raw samples; every failure is a ds::Error naming `path`.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace ds {
namespace codec {

// Raw samples as floats, [1,C,H,W] with C = 1 (grey) or 3 (RGB), each in 0..maxval.
struct RawImage {
  Tensor samples;
  double maxval = 255;
};

RawImage decode_png(const std::string& path, const std::vector<uint8_t>& file, int64_t max_pixels);
RawImage decode_jpeg(const std::string& path, const std::vector<uint8_t>& file, int64_t max_pixels);
RawImage decode_pnm(const std::string& path, const std::vector<uint8_t>& file, int64_t max_pixels);

// The stored width and height from the header alone (no pixel decoded), and for JPEG the EXIF
// orientation that decode_jpeg applies; the same errors as decoding for a bad header.
struct Header {
  int64_t w = 0, h = 0;
  int orientation = 1;
};
Header png_header(const std::string& path, const std::vector<uint8_t>& file);
Header jpeg_header(const std::string& path, const std::vector<uint8_t>& file);

// `image` is [1,C,H,W] in [0,1], already checked (C = 1 or 3, no NaN).
std::vector<uint8_t> encode_png(const std::string& path, const Tensor& image, int bits);
std::vector<uint8_t> encode_jpeg(const std::string& path, const Tensor& image, int quality);

// The picture as displayed for EXIF orientation 1..8 (TIFF 6.0 tag 274) of a stored [1,C,H,W]
// image: 2 mirrors left-right, 3 turns 180 degrees, 4 mirrors top-bottom, 5 transposes, 6 turns
// 90 degrees clockwise, 7 transverses, 8 turns 90 degrees anticlockwise.
Tensor apply_orientation(const Tensor& stored, int orientation);

// Interleaved samples (HWC, `in_ch` per pixel) -> [1,keep,H,W] floats, keeping the first `keep`.
template <typename T>
Tensor planar(const T* p, int64_t h, int64_t w, int in_ch, int keep) {
  Tensor t = Tensor::empty({1, keep, h, w});
  float* o = t.data();
  const int64_t plane = h * w;
  for (int64_t i = 0; i < plane; ++i)
    for (int c = 0; c < keep; ++c) o[c * plane + i] = static_cast<float>(p[i * in_ch + c]);
  return t;
}

// [1,C,H,W] in [0,1] -> interleaved samples round(clamp(x) * maxval).
template <typename T>
std::vector<T> interleaved(const Tensor& image, double maxval) {
  std::vector<float> v = image.to_vector();
  const int64_t c = image.C(), plane = image.H() * image.W();
  std::vector<T> out(v.size());
  for (int64_t i = 0; i < plane; ++i)
    for (int64_t ch = 0; ch < c; ++ch) {
      double s = std::min(1.0, std::max(0.0, static_cast<double>(v[static_cast<size_t>(ch * plane + i)])));
      out[static_cast<size_t>(i * c + ch)] = static_cast<T>(std::lround(s * maxval));
    }
  return out;
}

}  // namespace codec
}  // namespace ds
