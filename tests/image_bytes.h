// Test-side image files built byte by byte, independently of the code under test: PNG from the
// PNG specification's layout (chunks with zlib's crc32, one zlib-compressed IDAT of unfiltered
// scanlines), JPEG through libjpeg itself, EXIF APP1 segments from the TIFF 6.0 layout.
#pragma once
#include <jpeglib.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace dst {

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string be16(unsigned v) { return {static_cast<char>(v >> 8), static_cast<char>(v)}; }
inline std::string le16(unsigned v) { return {static_cast<char>(v), static_cast<char>(v >> 8)}; }
inline std::string be32(uint32_t v) { return be16(v >> 16) + be16(v & 0xffff); }
inline std::string le32(uint32_t v) { return le16(v & 0xffff) + le16(v >> 16); }

inline std::string png_chunk(const std::string& type, const std::string& data) {
  std::string body = type + data;
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  return be32(static_cast<uint32_t>(data.size())) + body + be32(static_cast<uint32_t>(crc));
}

// Scanlines with filter byte 0: `samples` row-major, interleaved, packed MSB first for bit
// depths below 8, big-endian for 16.
inline std::string png_rows(const std::vector<int>& samples, int w, int h, int per_pixel, int bits) {
  std::string raw;
  size_t k = 0;
  for (int y = 0; y < h; ++y) {
    raw += '\0';
    int acc = 0, nbits = 0;
    for (int i = 0; i < w * per_pixel; ++i, ++k) {
      int v = samples[k];
      if (bits == 16) {
        raw += be16(static_cast<unsigned>(v));
      } else {
        acc = (acc << bits) | v, nbits += bits;
        if (nbits == 8) raw += static_cast<char>(acc), acc = 0, nbits = 0;
      }
    }
    if (nbits) raw += static_cast<char>(acc << (8 - nbits));
  }
  return raw;
}

inline std::string zlib_compress(const std::string& raw) {
  uLongf n = compressBound(static_cast<uLong>(raw.size()));
  std::string z(n, '\0');
  compress2(reinterpret_cast<Bytef*>(&z[0]), &n, reinterpret_cast<const Bytef*>(raw.data()),
            static_cast<uLong>(raw.size()), 9);
  z.resize(n);
  return z;
}

// A whole PNG; `extra` chunks (e.g. PLTE) go before IDAT.
inline std::string png_file(uint32_t w, uint32_t h, int bits, int colour, const std::string& raw,
                            const std::string& extra = "") {
  std::string ihdr = be32(w) + be32(h) + std::string{static_cast<char>(bits), static_cast<char>(colour), 0, 0, 0};
  return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", ihdr) + extra +
         png_chunk("IDAT", zlib_compress(raw)) + png_chunk("IEND", "");
}

// An APP1 payload "Exif\0\0" + TIFF header + IFD0 holding only Orientation (tag 274, SHORT).
inline std::string exif_orientation_app1(int orientation, bool big_endian) {
  auto u16 = big_endian ? be16 : le16;
  auto u32 = big_endian ? be32 : le32;
  std::string tiff = std::string(big_endian ? "MM" : "II") + u16(42) + u32(8);
  tiff += u16(1) + u16(0x0112) + u16(3) + u32(1) + u16(static_cast<unsigned>(orientation)) + u16(0) + u32(0);
  return std::string("Exif\0\0", 6) + tiff;
}

// A baseline JPEG by libjpeg: `px` interleaved 8-bit, `ch` = 1 (grey), 3 (RGB) or 4 (CMYK),
// no chroma subsampling, `app1` (if any) written as an APP1 segment. CMYK is stored as
// `cmyk_as` (JCS_CMYK or JCS_YCCK), its samples as given, with libjpeg's Adobe APP14 marker
// unless `adobe_marker` is false (YCCK needs it). Test inputs are valid, so libjpeg's default
// error handler (which exits) is never reached.
inline std::string jpeg_file(int w, int h, int ch, const std::vector<uint8_t>& px, int quality,
                             const std::string& app1 = "", J_COLOR_SPACE cmyk_as = JCS_CMYK, bool adobe_marker = true) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* buf = nullptr;
  unsigned long len = 0;
  jpeg_mem_dest(&c, &buf, &len);
  c.image_width = static_cast<JDIMENSION>(w);
  c.image_height = static_cast<JDIMENSION>(h);
  c.input_components = ch;
  c.in_color_space = ch == 4 ? JCS_CMYK : ch == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&c);
  if (ch == 4) {
    jpeg_set_colorspace(&c, cmyk_as);
    c.write_Adobe_marker = adobe_marker ? TRUE : FALSE;
  }
  jpeg_set_quality(&c, quality, TRUE);
  for (int i = 0; i < c.num_components; ++i) c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
  jpeg_start_compress(&c, TRUE);
  if (!app1.empty())
    jpeg_write_marker(&c, JPEG_APP0 + 1, reinterpret_cast<const JOCTET*>(app1.data()),
                      static_cast<unsigned>(app1.size()));
  for (int y = 0; y < h; ++y) {
    JSAMPROW row = const_cast<JSAMPROW>(px.data() + static_cast<size_t>(y) * w * ch);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  std::string s(reinterpret_cast<const char*>(buf), len);
  jpeg_destroy_compress(&c);
  std::free(buf);
  return s;
}

}  // namespace dst
