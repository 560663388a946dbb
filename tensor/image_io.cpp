#include "tensor/image_io.h"

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#define STB_IMAGE_IMPLEMENTATION
#define STBI_FAILURE_USERMSG
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#endif
#include <stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace ds {

static void check_readable(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open file (missing or unreadable)");
}

[[noreturn]] static void stb_fail(const std::string& path) {
  throw Error(path + ": not a readable image (" + std::string(stbi_failure_reason()) +
              "); expected PNG, JPEG, PPM/PGM, BMP or TGA");
}

Tensor load_image_rgb(const std::string& path) {
  check_readable(path);
  int w = 0, h = 0, c = 0;
  bool sixteen = stbi_is_16_bit(path.c_str());
  std::unique_ptr<void, void (*)(void*)> pix(
      sixteen ? static_cast<void*>(stbi_load_16(path.c_str(), &w, &h, &c, 3))
              : static_cast<void*>(stbi_load(path.c_str(), &w, &h, &c, 3)),
      stbi_image_free);
  if (!pix) stb_fail(path);
  if (w <= 0 || h <= 0) throw Error(path + ": image has no pixels (" + std::to_string(w) + "x" + std::to_string(h) + ")");
  Tensor t = Tensor::empty({1, 3, h, w});
  float* p = t.data();
  int64_t plane = static_cast<int64_t>(w) * h;
  float scale = sixteen ? 1.0f / 65535.0f : 1.0f / 255.0f;
  for (int64_t i = 0; i < plane; ++i)
    for (int ch = 0; ch < 3; ++ch)
      p[ch * plane + i] = scale * (sixteen ? static_cast<const uint16_t*>(pix.get())[i * 3 + ch]
                                           : static_cast<const uint8_t*>(pix.get())[i * 3 + ch]);
  return t;
}

Tensor load_image_raw_gray(const std::string& path) {
  check_readable(path);
  int w = 0, h = 0, c = 0;
  bool sixteen = stbi_is_16_bit(path.c_str());
  std::unique_ptr<void, void (*)(void*)> pix(
      sixteen ? static_cast<void*>(stbi_load_16(path.c_str(), &w, &h, &c, 0))
              : static_cast<void*>(stbi_load(path.c_str(), &w, &h, &c, 0)),
      stbi_image_free);
  if (!pix) stb_fail(path);
  if (c != 1) throw Error(path + ": expected a single-channel (grey) image, got " + std::to_string(c) + " channels");
  if (w <= 0 || h <= 0) throw Error(path + ": image has no pixels");
  Tensor t = Tensor::empty({1, 1, h, w});
  for (int64_t i = 0, n = static_cast<int64_t>(w) * h; i < n; ++i)
    t.data()[i] = sixteen ? static_cast<const uint16_t*>(pix.get())[i] : static_cast<const uint8_t*>(pix.get())[i];
  return t;
}

// ---- PNG writer: signature, IHDR, one zlib-compressed IDAT, IEND ----------------

static void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}

static void put_chunk(std::vector<uint8_t>& out, const char type[4], const std::vector<uint8_t>& data) {
  put_u32(out, static_cast<uint32_t>(data.size()));
  size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  uLong crc = crc32(0L, out.data() + start, static_cast<uInt>(out.size() - start));
  put_u32(out, static_cast<uint32_t>(crc));
}

void save_png(const std::string& path, const Tensor& image, int bits) {
  if (bits != 8 && bits != 16) throw Error(path + ": PNG bit depth must be 8 or 16");
  if (image.ndim() != 4 || image.N() != 1 || (image.C() != 1 && image.C() != 3) || image.numel() == 0)
    throw Error(path + ": can only write a [1,1,H,W] or [1,3,H,W] image, got " + shape_str(image.shape()));
  std::vector<float> v = image.to_vector();
  for (float x : v)
    if (std::isnan(x)) throw Error(path + ": refusing to write an image containing NaN");
  uint32_t w = static_cast<uint32_t>(image.W()), h = static_cast<uint32_t>(image.H());
  int c = static_cast<int>(image.C()), bytes = bits / 8;
  double maxv = bits == 8 ? 255.0 : 65535.0;
  size_t plane = static_cast<size_t>(w) * h, row = 1 + static_cast<size_t>(w) * c * bytes;
  std::vector<uint8_t> raw(row * h);
  for (uint32_t y = 0; y < h; ++y) {
    uint8_t* r = &raw[y * row];
    r[0] = 0;  // filter: none
    for (uint32_t x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch) {
        double s = std::min(1.0, std::max(0.0, static_cast<double>(v[ch * plane + y * w + x])));
        auto q = static_cast<uint32_t>(std::lround(s * maxv));
        uint8_t* px = r + 1 + (static_cast<size_t>(x) * c + ch) * bytes;
        if (bytes == 2) px[0] = static_cast<uint8_t>(q >> 8), px[1] = static_cast<uint8_t>(q);
        else px[0] = static_cast<uint8_t>(q);
      }
  }
  uLongf zlen = compressBound(static_cast<uLong>(raw.size()));
  std::vector<uint8_t> z(zlen);
  if (compress2(z.data(), &zlen, raw.data(), static_cast<uLong>(raw.size()), 6) != Z_OK)
    throw Error(path + ": PNG compression failed");
  z.resize(zlen);

  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> ihdr;
  put_u32(ihdr, w);
  put_u32(ihdr, h);
  ihdr.push_back(static_cast<uint8_t>(bits));
  ihdr.push_back(c == 3 ? 2 : 0);  // colour type: RGB or grey
  ihdr.push_back(0), ihdr.push_back(0), ihdr.push_back(0);  // deflate, adaptive filtering, no interlace
  put_chunk(out, "IHDR", ihdr);
  put_chunk(out, "IDAT", z);
  put_chunk(out, "IEND", {});
  std::ofstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open for writing");
  f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  if (!f) throw Error(path + ": write failed (disk full?)");
}

}  // namespace ds
