// The PNM header parser (tensor/pnm.h) and decoder (tensor/image_codecs.h): every read is
// bounds-checked against the file's size, and every size is computed with overflow checks.
#include "tensor/pnm.h"

#include "tensor/image_codecs.h"
#include "tensor/image_io.h"
#include "tensor/tensor.h"

namespace ds {
namespace {

bool is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

class HeaderReader {
 public:
  HeaderReader(const std::string& path, const std::vector<uint8_t>& b) : path_(path), b_(b) {}

  // Next decimal field after whitespace and comments; at most 18 digits, so no overflow.
  int64_t field(const char* name) {
    while (pos_ < b_.size() && (is_space(b_[pos_]) || b_[pos_] == '#')) {
      if (b_[pos_] == '#')
        while (pos_ < b_.size() && b_[pos_] != '\n' && b_[pos_] != '\r') ++pos_;
      else
        ++pos_;
    }
    size_t start = pos_;
    int64_t v = 0;
    while (pos_ < b_.size() && is_digit(b_[pos_])) {
      if (pos_ - start == 18)
        throw Error(path_ + ": corrupt PNM header: the " + name + " has more than 18 digits");
      v = v * 10 + (b_[pos_++] - '0');
    }
    if (pos_ == start)
      throw Error(path_ + ": corrupt PNM header: expected the " + name + " as a decimal number" +
                  (pos_ >= b_.size() ? " (the file ends first)" : ""));
    if (pos_ < b_.size() && !is_space(b_[pos_]) && b_[pos_] != '#')
      throw Error(path_ + ": corrupt PNM header: the " + name + " is followed by '" + std::string(1, char(b_[pos_])) +
                  "' instead of whitespace");
    return v;
  }
  size_t pos() const { return pos_; }

 private:
  const std::string& path_;
  const std::vector<uint8_t>& b_;
  size_t pos_ = 2;  // after the magic
};

}  // namespace

PnmHeader parse_pnm_header(const std::string& path, const std::vector<uint8_t>& file) {
  if (file.size() < 3 || file[0] != 'P' || !is_digit(file[1]))
    throw Error(path + ": not a PNM file (no 'P5' or 'P6' magic)");
  char kind = static_cast<char>(file[1]);
  if (kind != '5' && kind != '6') {
    const char* what = kind >= '1' && kind <= '3' ? "ASCII (plain) PNM" : kind == '4' ? "bitmap PBM" : "PAM or unknown";
    throw Error(path + ": PNM type P" + std::string(1, kind) + " (" + what +
                ") is not accepted; expected binary PGM (P5) or PPM (P6)");
  }
  if (!is_space(file[2])) throw Error(path + ": corrupt PNM header: no whitespace after the 'P" + kind + "' magic");
  PnmHeader h;
  h.channels = kind == '5' ? 1 : 3;
  HeaderReader r(path, file);
  h.width = r.field("width");
  h.height = r.field("height");
  h.maxval = r.field("maxval");
  if (h.width < 1 || h.height < 1)
    throw Error(path + ": PNM image is " + std::to_string(h.width) + "x" + std::to_string(h.height) + " (no pixels)");
  if (h.maxval < 1 || h.maxval > 65535)
    throw Error(path + ": PNM maxval " + std::to_string(h.maxval) + " is outside 1..65535");
  if (r.pos() >= file.size() || !is_space(file[r.pos()]))
    throw Error(path + ": corrupt PNM header: no whitespace byte after maxval");
  h.data_offset = r.pos() + 1;
  return h;
}

uint64_t pnm_raster_bytes(const std::string& path, const PnmHeader& h) {
  uint64_t n = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(h.width), static_cast<uint64_t>(h.height), &n) ||
      __builtin_mul_overflow(n, static_cast<uint64_t>(h.channels * h.bytes_per_sample()), &n))
    throw Error(path + ": PNM image " + std::to_string(h.width) + "x" + std::to_string(h.height) +
                " is too large to address");
  return n;
}

namespace codec {

RawImage decode_pnm(const std::string& path, const std::vector<uint8_t>& file, int64_t max_pixels) {
  PnmHeader h = parse_pnm_header(path, file);
  check_pixel_limit(path, h.width, h.height, max_pixels);
  uint64_t want = pnm_raster_bytes(path, h), have = file.size() - h.data_offset;
  const int bytes = h.bytes_per_sample();
  if (have < want)
    throw Error(path + ": truncated PNM: " + std::to_string(have) + " bytes of samples, expected " +
                std::to_string(want) + " (" + std::to_string(h.width) + "x" + std::to_string(h.height) + ", " +
                std::to_string(h.channels) + " channel(s), " + std::to_string(8 * bytes) + "-bit)");
  const uint8_t* p = file.data() + h.data_offset;
  const int64_t plane = h.width * h.height;
  Tensor t = Tensor::empty({1, h.channels, h.height, h.width});
  float* o = t.data();
  for (int64_t i = 0; i < plane; ++i)
    for (int c = 0; c < h.channels; ++c) {
      const uint8_t* s = p + (i * h.channels + c) * bytes;
      int64_t v = bytes == 2 ? (s[0] << 8 | s[1]) : s[0];
      if (v > h.maxval)
        throw Error(path + ": PNM sample " + std::to_string(v) + " at pixel (" + std::to_string(i % h.width) + ", " +
                    std::to_string(i / h.width) + ") is above maxval " + std::to_string(h.maxval));
      o[c * plane + i] = static_cast<float>(v);
    }
  return {t, static_cast<double>(h.maxval)};
}

}  // namespace codec
}  // namespace ds
