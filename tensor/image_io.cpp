// Format detection by magic bytes, the pixel limit, and the tensor side of reading and writing;
// the codecs are in image_png.cpp, image_jpeg.cpp and pnm.cpp.
#include "tensor/image_io.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "tensor/file_util.h"
#include "tensor/image_codecs.h"
#include "tensor/pnm.h"

namespace ds {
namespace {

std::string accepted() { return "accepted: " + image_formats_text(); }

bool starts_with(const std::vector<uint8_t>& b, const char* magic, size_t n) {
  return b.size() >= n && std::equal(magic, magic + n, b.begin(), [](char m, uint8_t x) { return uint8_t(m) == x; });
}

// Names a few formats we do not read, so the error can say what the file is.
std::string known_other_format(const std::vector<uint8_t>& b) {
  if (starts_with(b, "GIF8", 4)) return "a GIF file";
  if (starts_with(b, "BM", 2)) return "a BMP file";
  if (starts_with(b, "II*\0", 4) || starts_with(b, "MM\0*", 4)) return "a TIFF file";
  if (starts_with(b, "RIFF", 4) && b.size() >= 12 && std::string(b.begin() + 8, b.begin() + 12) == "WEBP")
    return "a WebP file";
  if (starts_with(b, "\x89HDF", 4)) return "an HDF5 file";
  return "";
}

enum class Format { Png, Jpeg, Pnm };

// The format of the file's bytes `b`; an error listing the accepted ones for anything else.
Format format_of(const std::string& path, const std::vector<uint8_t>& b) {
  if (b.empty()) throw Error(path + ": empty file; " + accepted());
  if (starts_with(b, "\x89PNG\r\n\x1a\n", 8)) return Format::Png;
  if (starts_with(b, "\xff\xd8\xff", 3)) return Format::Jpeg;
  if (b.size() >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '7') return Format::Pnm;
  std::string other = known_other_format(b);
  throw Error(path + ": not an accepted image format (" + (other.empty() ? "unknown contents" : other) + "); " +
              accepted());
}

codec::RawImage decode_any(const std::string& path, const ImageReadOptions& o) {
  const int64_t limit = o.max_pixels > 0 ? o.max_pixels : max_image_pixels();
  std::vector<uint8_t> b = read_file_bytes(path);
  switch (format_of(path, b)) {
    case Format::Png: return codec::decode_png(path, b, limit);
    case Format::Jpeg: return codec::decode_jpeg(path, b, limit);
    case Format::Pnm: break;
  }
  return codec::decode_pnm(path, b, limit);
}

}  // namespace

std::string image_formats_text() {
  std::string s = "PNG, JPEG or binary PGM/PPM (";
  for (const char* e : kImageExtensions) s += std::string(e) + (e == std::end(kImageExtensions)[-1] ? ")" : " ");
  return s;
}

bool has_image_extension(const std::string& path) {
  std::string e = lower_extension(path);
  return std::any_of(std::begin(kImageExtensions), std::end(kImageExtensions), [&](const char* x) { return e == x; });
}

int64_t max_image_pixels() {
  const char* env = std::getenv("DEPTHSTYLE_MAX_PIXELS");
  if (!env) return kDefaultMaxPixels;
  std::string s = env;
  bool digits = !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos;
  int64_t v = digits ? std::stoll(s) : 0;
  if (v < 1)
    throw Error("DEPTHSTYLE_MAX_PIXELS='" + s + "': expected a positive whole number of pixels (at most 18 digits), " +
                "e.g. " + std::to_string(kDefaultMaxPixels) + " (the default)");
  return v;
}

void check_pixel_limit(const std::string& path, int64_t w, int64_t h, int64_t max_pixels) {
  const std::string size = std::to_string(w) + "x" + std::to_string(h);
  if (w < 1 || h < 1) throw Error(path + ": image is " + size + " (no pixels)");
  int64_t n = 0;
  bool overflow = __builtin_mul_overflow(w, h, &n);
  if (overflow || n > max_pixels)
    throw Error(path + ": image declares " + size + (overflow ? "" : " = " + std::to_string(n)) +
                " pixels, more than the limit of " + std::to_string(max_pixels) +
                " (set DEPTHSTYLE_MAX_PIXELS to allow larger images)");
}

Tensor load_image_rgb(const std::string& path, const ImageReadOptions& o) {
  codec::RawImage r = decode_any(path, o);
  const Tensor& s = r.samples;
  const int64_t plane = s.H() * s.W();
  Tensor t = Tensor::empty({1, 3, s.H(), s.W()});
  const float* in = s.data();
  float* out = t.data();
  const float maxval = static_cast<float>(r.maxval);
  for (int64_t c = 0; c < 3; ++c) {
    const float* src = in + (s.C() == 1 ? 0 : c * plane);
    for (int64_t i = 0; i < plane; ++i) out[c * plane + i] = src[i] / maxval;
  }
  return t;
}

std::pair<int64_t, int64_t> image_size(const std::string& path) {
  std::vector<uint8_t> b = read_file_bytes(path);
  codec::Header h;
  switch (format_of(path, b)) {
    case Format::Png: h = codec::png_header(path, b); break;
    case Format::Jpeg: h = codec::jpeg_header(path, b); break;
    case Format::Pnm: {
      PnmHeader p = parse_pnm_header(path, b);
      h = {p.width, p.height, 1};
    }
  }
  check_pixel_limit(path, h.w, h.h, max_image_pixels());
  return h.orientation >= 5 ? std::make_pair(h.w, h.h) : std::make_pair(h.h, h.w);  // 5..8 turn the picture
}

Tensor load_image_raw_gray(const std::string& path, const ImageReadOptions& o) {
  codec::RawImage r = decode_any(path, o);
  if (r.samples.C() != 1)
    throw Error(path + ": expected a single-channel (grey) image, got " + std::to_string(r.samples.C()) + " channels");
  return r.samples;
}

void check_image_output(const std::string& path, int bits) {
  check_not_folder(path);
  std::string e = lower_extension(path);
  if (bits != 8 && bits != 16) throw Error(path + ": images are written with 8 or 16 bits per sample, not " +
                                           std::to_string(bits));
  if (e == ".png") return;
  if (e == ".jpg" || e == ".jpeg") {
    if (bits != 8) throw Error(path + ": JPEG holds 8-bit samples only; write " + std::to_string(bits) +
                               "-bit images as .png");
    return;
  }
  throw Error(path + ": cannot write images of type '" + (e.empty() ? "(no extension)" : e) +
              "'; name the output .png (8 or 16-bit) or .jpg/.jpeg (8-bit)");
}

namespace {

// The image as save_image and encode_png_bytes accept it: a CPU copy, checked.
Tensor checked_for_writing(const std::string& path, const Tensor& image) {
  if (!image.defined() || image.ndim() != 4 || image.N() != 1 || (image.C() != 1 && image.C() != 3) ||
      image.numel() == 0)
    throw Error(path + ": can only write a [1,1,H,W] or [1,3,H,W] image, got " +
                (image.defined() ? shape_str(image.shape()) : std::string("an undefined tensor")));
  Tensor host = image.device() == Device::CPU ? image : image.to(Device::CPU);
  for (int64_t i = 0; i < host.numel(); ++i)
    if (std::isnan(host.data()[i])) throw Error(path + ": refusing to write an image containing NaN");
  return host;
}

}  // namespace

std::vector<uint8_t> encode_png_bytes(const std::string& what, const Tensor& image, int bits) {
  if (bits != 8 && bits != 16) throw Error(what + ": PNG samples have 8 or 16 bits, not " + std::to_string(bits));
  return codec::encode_png(what, checked_for_writing(what, image), bits);
}

void save_image(const std::string& path, const Tensor& image, const ImageWriteOptions& o) {
  check_image_output(path, o.bits);
  if (o.quality < 1 || o.quality > 100)
    throw Error(path + ": JPEG quality " + std::to_string(o.quality) + " is outside 1..100");
  Tensor host = checked_for_writing(path, image);
  std::string e = lower_extension(path);
  write_file_bytes(path, e == ".png" ? codec::encode_png(path, host, o.bits) : codec::encode_jpeg(path, host, o.quality));
}

}  // namespace ds
