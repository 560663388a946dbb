// JPEG through libjpeg-turbo's libjpeg API, and the EXIF orientation through libexif.
//
// libjpeg reports an error by calling error_exit, which must not return (its default calls
// exit()). Ours formats the message and longjmps back to the guard around the libjpeg call
// (Jpeg::run), which throws a ds::Error. The C++ rule for longjmp is that the frames it skips
// hold no objects with non-trivial destructors: the skipped frames are libjpeg's (C) and the
// lambdas passed to run, which only hold pointers and integers.
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE and size_t first
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <jpeglib.h>
#include <jerror.h>  // after jpeglib.h: its message list depends on jconfig.h
#include <libexif/exif-data.h>

#include "tensor/image_codecs.h"
#include "tensor/image_io.h"

namespace ds {
namespace codec {
namespace {

struct ErrorMgr {
  jpeg_error_mgr pub;  // first, so libjpeg's err pointer is also ours
  std::jmp_buf jump;
  char msg[JMSG_LENGTH_MAX];
};

[[noreturn]] void on_error(j_common_ptr c) {
  ErrorMgr* e = reinterpret_cast<ErrorMgr*>(c->err);
  e->msg[0] = '\0';
  c->err->format_message(c, e->msg);
  std::longjmp(e->jump, 1);
}

// Warnings that mean pixels were lost (the file ends early, the entropy-coded data is corrupt)
// are errors, so a damaged file never becomes an image with grey blocks. Others (extra bytes
// between markers, unknown JFIF revisions) are ignored, as most decoders do.
void on_message(j_common_ptr c, int level) {
  if (level >= 0) return;  // trace messages
  switch (c->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
      on_error(c);
    default:
      ++c->err->num_warnings;
  }
}

// One libjpeg (de)compression object with our error manager; destroyed on every path.
template <typename Struct>
class Jpeg {
 public:
  Jpeg(const std::string& path, const char* what, void (*create)(Struct*)) : path_(path), what_(what) {
    c.err = jpeg_std_error(&err_.pub);
    err_.pub.error_exit = on_error;
    err_.pub.emit_message = on_message;
    run([&] { create(&c); });
  }
  ~Jpeg() { jpeg_destroy(reinterpret_cast<j_common_ptr>(&c)); }  // safe on a zeroed or half-made object
  Jpeg(const Jpeg&) = delete;
  Jpeg& operator=(const Jpeg&) = delete;

  // Calls f(); a libjpeg error inside becomes a ds::Error naming the file.
  template <typename F>
  void run(F&& f) {
    if (!guarded(f)) throw Error(path_ + ": " + what_ + " (" + err_.msg + ")");
  }

  Struct c{};

 private:
  template <typename F>
  bool guarded(F& f) {
    if (setjmp(err_.jump)) return false;
    f();
    return true;
  }
  ErrorMgr err_{};
  const std::string& path_;
  const char* what_;
};

// Orientation 1..8 from the first APP1 "Exif" segment's IFD0, else 1.
int exif_orientation(jpeg_saved_marker_ptr m) {
  for (; m; m = m->next) {
    if (m->marker != JPEG_APP0 + 1 || m->data_length < 6 || std::memcmp(m->data, "Exif\0\0", 6) != 0) continue;
    std::unique_ptr<ExifData, decltype(&exif_data_unref)> ed(exif_data_new(), exif_data_unref);
    if (!ed) return 1;
    // Read the tags as they are: no "fixing" (adding default entries) on load.
    exif_data_unset_option(ed.get(), EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_load_data(ed.get(), m->data, m->data_length);
    ExifEntry* e = exif_content_get_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
    if (!e || e->format != EXIF_FORMAT_SHORT || e->components < 1 || !e->data || e->size < 2) return 1;
    int o = exif_get_short(e->data, exif_data_get_byte_order(ed.get()));
    return o >= 1 && o <= 8 ? o : 1;
  }
  return 1;
}

// Interleaved CMYK samples -> [1,3,H,W] RGB on the 0..255 scale, by the naive conversion that
// browsers and Pillow use for untagged print colours (no ICC profile): each ink removes its
// share of light, R = 255 (1 - c)(1 - k) with ink amounts c, k in [0,1] (likewise G with
// magenta, B with yellow). Adobe applications (Photoshop), whose files carry the Adobe APP14
// marker (every YCCK file does), store the samples inverted, 255 = no ink: then c = 1 - C/255.
// Other CMYK files store the ink amount itself, c = C/255.
Tensor rgb_from_cmyk(const std::vector<uint8_t>& px, int64_t h, int64_t w, bool adobe_inverted) {
  Tensor t = Tensor::empty({1, 3, h, w});
  float* o = t.data();
  const int64_t plane = h * w;
  for (int64_t i = 0; i < plane; ++i) {
    const uint8_t* s = px.data() + 4 * i;
    auto no_ink = [&](int k) { return static_cast<float>(adobe_inverted ? s[k] : 255 - s[k]); };  // 255 (1 - ink)
    for (int c = 0; c < 3; ++c) o[c * plane + i] = no_ink(c) * no_ink(3) / 255.0f;
  }
  return t;
}

}  // namespace

Tensor apply_orientation(const Tensor& s, int orientation) {
  if (orientation < 2 || orientation > 8) return s;
  const int64_t C = s.C(), H = s.H(), W = s.W();
  // The displayed pixel (y, x) comes from stored row r, column q: rows and columns swap for
  // 5..8, and the stored rows / columns run backwards for these orientations.
  const bool swap = orientation >= 5;
  const bool flip_rows = orientation == 3 || orientation == 4 || orientation == 6 || orientation == 7;
  const bool flip_cols = orientation == 2 || orientation == 3 || orientation == 7 || orientation == 8;
  const int64_t oh = swap ? W : H, ow = swap ? H : W;
  Tensor d = Tensor::empty({1, C, oh, ow});
  const float* in = s.data();
  float* out = d.data();
  for (int64_t c = 0; c < C; ++c)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t r = swap ? x : y, q = swap ? y : x;
        if (flip_rows) r = H - 1 - r;
        if (flip_cols) q = W - 1 - q;
        out[(c * oh + y) * ow + x] = in[(c * H + r) * W + q];
      }
  return d;
}

namespace {

// A decompressor whose header (and APP1 markers, for EXIF) has been read.
struct JpegReader : Jpeg<jpeg_decompress_struct> {
  JpegReader(const std::string& path, const std::vector<uint8_t>& file)
      : Jpeg(path, "corrupt or unsupported JPEG", [](jpeg_decompress_struct* d) { jpeg_create_decompress(d); }) {
    run([&] {
      jpeg_mem_src(&c, file.data(), static_cast<unsigned long>(file.size()));
      jpeg_save_markers(&c, JPEG_APP0 + 1, 0xffff);
      jpeg_read_header(&c, TRUE);
    });
  }
};

}  // namespace

Header jpeg_header(const std::string& path, const std::vector<uint8_t>& file) {
  JpegReader j(path, file);
  return {j.c.image_width, j.c.image_height, exif_orientation(j.c.marker_list)};
}

RawImage decode_jpeg(const std::string& path, const std::vector<uint8_t>& file, int64_t max_pixels) {
  JpegReader j(path, file);
  jpeg_decompress_struct* c = &j.c;
  const int64_t w = c->image_width, h = c->image_height;
  check_pixel_limit(path, w, h, max_pixels);
  const bool cmyk = c->jpeg_color_space == JCS_CMYK || c->jpeg_color_space == JCS_YCCK;
  const int ch = cmyk ? 4 : c->num_components == 1 ? 1 : 3;  // decoded samples per pixel
  c->out_color_space = cmyk ? JCS_CMYK : ch == 1 ? JCS_GRAYSCALE : JCS_RGB;  // libjpeg turns YCCK into CMYK
  j.run([&] { jpeg_start_decompress(c); });
  if (c->output_width != c->image_width || c->output_height != c->image_height || c->output_components != ch)
    throw Error(path + ": JPEG decoder gave an unexpected output layout");
  std::vector<uint8_t> px(static_cast<size_t>(w * h * ch));
  j.run([&] {
    while (c->output_scanline < c->output_height) {
      JSAMPROW row = px.data() + static_cast<size_t>(c->output_scanline) * static_cast<size_t>(w * ch);
      jpeg_read_scanlines(c, &row, 1);
    }
  });
  // No jpeg_finish_decompress: every pixel is read, and bytes after the scan (or a missing
  // end marker) do not change them.
  Tensor samples = cmyk ? rgb_from_cmyk(px, h, w, c->saw_Adobe_marker) : planar(px.data(), h, w, ch, ch);
  return {apply_orientation(samples, exif_orientation(c->marker_list)), 255.0};
}

std::vector<uint8_t> encode_jpeg(const std::string& path, const Tensor& image, int quality) {
  std::vector<uint8_t> px = interleaved<uint8_t>(image, 255.0);
  struct MemDest {  // libjpeg mallocs the buffer; it is ours to free, also after an error
    unsigned char* buf = nullptr;
    unsigned long len = 0;
    ~MemDest() { std::free(buf); }
  } dst;
  Jpeg<jpeg_compress_struct> j(path, "JPEG encoding failed", [](jpeg_compress_struct* c) { jpeg_create_compress(c); });
  jpeg_compress_struct* c = &j.c;
  const int ch = static_cast<int>(image.C());
  const JDIMENSION w = static_cast<JDIMENSION>(image.W()), h = static_cast<JDIMENSION>(image.H());
  j.run([&] {
    jpeg_mem_dest(c, &dst.buf, &dst.len);
    c->image_width = w;
    c->image_height = h;
    c->input_components = ch;
    c->in_color_space = ch == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(c);
    jpeg_set_quality(c, quality, TRUE);
    for (int i = 0; i < c->num_components; ++i) c->comp_info[i].h_samp_factor = c->comp_info[i].v_samp_factor = 1;
    jpeg_start_compress(c, TRUE);
    while (c->next_scanline < c->image_height) {
      JSAMPROW row = px.data() + static_cast<size_t>(c->next_scanline) * w * static_cast<size_t>(ch);
      jpeg_write_scanlines(c, &row, 1);
    }
    jpeg_finish_compress(c);
  });
  return std::vector<uint8_t>(dst.buf, dst.buf + dst.len);
}

}  // namespace codec
}  // namespace ds
