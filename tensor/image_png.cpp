// PNG through libspng (Debian's libspng0): decoding with the declared size checked before the
// pixels are allocated, and encoding. spng reports errors as codes; none of them ends the process.
#include <spng.h>

#include <cstdlib>
#include <memory>

#include "tensor/image_codecs.h"
#include "tensor/image_io.h"

namespace ds {
namespace codec {
namespace {

using SpngCtx = std::unique_ptr<spng_ctx, decltype(&spng_ctx_free)>;

// Chunks we do not use (text, ICC profiles, ...) are still parsed and cached by spng; these
// bound the memory a file can make it spend on them.
constexpr size_t kChunkLimit = size_t(64) << 20;

std::string spng_reason(int err) {
  const char* s = spng_strerror(err);
  return s ? s : "libspng error " + std::to_string(err);
}

void check(const std::string& path, int err, const char* what) {
  if (err) throw Error(path + ": " + what + ": " + spng_reason(err));
}

// A decoder on `file` with its header read into ihdr.
SpngCtx open_png(const std::string& path, const std::vector<uint8_t>& file, spng_ihdr& ihdr) {
  SpngCtx ctx(spng_ctx_new(0), spng_ctx_free);
  if (!ctx) throw Error(path + ": out of memory starting the PNG decoder");
  check(path, spng_set_chunk_limits(ctx.get(), kChunkLimit, kChunkLimit), "PNG decoder set-up failed");
  check(path, spng_set_png_buffer(ctx.get(), file.data(), file.size()), "PNG decoder set-up failed");
  check(path, spng_get_ihdr(ctx.get(), &ihdr), "not a readable PNG (bad header)");
  return ctx;
}

}  // namespace

Header png_header(const std::string& path, const std::vector<uint8_t>& file) {
  spng_ihdr ihdr{};
  open_png(path, file, ihdr);
  return {ihdr.width, ihdr.height, 1};
}

RawImage decode_png(const std::string& path, const std::vector<uint8_t>& file, int64_t max_pixels) {
  spng_ihdr ihdr{};
  SpngCtx ctx = open_png(path, file, ihdr);
  const int64_t w = ihdr.width, h = ihdr.height;
  check_pixel_limit(path, w, h, max_pixels);

  // Output layouts spng converts to (its docs' table of supported format/flag combinations).
  const bool grey = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE || ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA;
  const bool sixteen = ihdr.bit_depth == 16;
  int fmt = SPNG_FMT_RGB8, in_ch = 3;
  if (ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE)
    fmt = sixteen ? SPNG_FMT_GA16 : SPNG_FMT_G8, in_ch = sixteen ? 2 : 1;
  else if (sixteen)
    fmt = SPNG_FMT_RGBA16, in_ch = 4;
  else if (grey)
    fmt = SPNG_FMT_RGBA8, in_ch = 4;
  size_t size = 0;
  check(path, spng_decoded_image_size(ctx.get(), fmt, &size), "cannot decode this PNG");
  const int keep = grey ? 1 : 3;
  auto decode = [&](auto zero) {  // a buffer of the sample type, so no aliasing casts
    std::vector<decltype(zero)> buf(size / sizeof(zero));
    check(path, spng_decode_image(ctx.get(), buf.data(), size, fmt, 0), "corrupt or truncated PNG");
    return planar(buf.data(), h, w, in_ch, keep);
  };
  return sixteen ? RawImage{decode(uint16_t{}), 65535.0} : RawImage{decode(uint8_t{}), 255.0};
}

std::vector<uint8_t> encode_png(const std::string& path, const Tensor& image, int bits) {
  SpngCtx ctx(spng_ctx_new(SPNG_CTX_ENCODER), spng_ctx_free);
  if (!ctx) throw Error(path + ": out of memory starting the PNG encoder");
  check(path, spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1), "PNG encoder set-up failed");
  spng_ihdr ihdr{};
  ihdr.width = static_cast<uint32_t>(image.W());
  ihdr.height = static_cast<uint32_t>(image.H());
  ihdr.bit_depth = static_cast<uint8_t>(bits);
  ihdr.color_type = image.C() == 3 ? SPNG_COLOR_TYPE_TRUECOLOR : SPNG_COLOR_TYPE_GRAYSCALE;
  check(path, spng_set_ihdr(ctx.get(), &ihdr), "cannot write this image as PNG");
  int err = 0;
  if (bits == 16) {
    std::vector<uint16_t> s = interleaved<uint16_t>(image, 65535.0);  // host-endian, as SPNG_FMT_PNG expects
    err = spng_encode_image(ctx.get(), s.data(), s.size() * 2, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
  } else {
    std::vector<uint8_t> s = interleaved<uint8_t>(image, 255.0);
    err = spng_encode_image(ctx.get(), s.data(), s.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
  }
  check(path, err, "PNG encoding failed");
  size_t len = 0;
  std::unique_ptr<void, decltype(&std::free)> png(spng_get_png_buffer(ctx.get(), &len, &err), std::free);
  if (!png) throw Error(path + ": PNG encoding failed: " + spng_reason(err));
  const uint8_t* p = static_cast<const uint8_t*>(png.get());
  return std::vector<uint8_t>(p, p + len);
}

}  // namespace codec
}  // namespace ds
