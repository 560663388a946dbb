// Binary Netpbm headers: PGM (P5, grey) and PPM (P6, RGB), as the Netpbm format pages define
// them: the magic, then width, height and maxval as ASCII decimals separated by whitespace
// ('#' starts a comment that runs to the end of the line), then exactly one whitespace byte,
// then the raster: width x height pixels, row by row, 1 byte per sample when maxval < 256,
// else 2 bytes (big-endian in the standard; the NYU Kinect depth files are little-endian,
// which weights/depth_io.cpp handles itself on top of this header parser).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ds {

struct PnmHeader {
  int channels = 0;        // 1 for P5, 3 for P6
  int64_t width = 0, height = 0;
  int64_t maxval = 0;      // 1..65535
  size_t data_offset = 0;  // index of the raster's first byte in the file
  int bytes_per_sample() const { return maxval > 255 ? 2 : 1; }
};

// Parses the header at the start of `file`. Throws ds::Error naming `path` for: another magic
// (ASCII P1-P3, bitmap P4 and PAM P7 are named as not accepted), a missing or non-decimal field,
// a field of more than 18 digits, a side of 0, maxval outside 1..65535, or no whitespace byte
// after maxval. Never reads past the end of `file`.
PnmHeader parse_pnm_header(const std::string& path, const std::vector<uint8_t>& file);

// width x height x channels x bytes_per_sample, overflow-checked (a ds::Error naming `path` if
// it does not fit in 64 bits).
uint64_t pnm_raster_bytes(const std::string& path, const PnmHeader& h);

}  // namespace ds
