#include "weights/depth_io.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "tensor/file_util.h"
#include "tensor/image_io.h"
#include "tensor/pnm.h"
#include "weights/depth_map.h"
#include "weights/h5.h"

namespace ds {
namespace {

const char* kMatKind = "a MATLAB v7.3 .mat file (HDF5), such as NYU Depth v2's nyu_depth_v2_labeled.mat";
const char* kH5Kind = "an HDF5 file with a float depth dataset in metres";

std::string size_str(int64_t h, int64_t w) { return std::to_string(w) + "x" + std::to_string(h); }

// Wraps metres (row-major H×W) as a [1,1,H,W] map; non-finite and <= 0 values become NaN.
Tensor make_map(std::vector<float> v, int64_t h, int64_t w) {
  for (float& x : v)
    if (!std::isfinite(x) || x <= 0.0f) x = NAN;
  return Tensor::from_vector({1, 1, h, w}, v);
}

void check_size(const std::string& path, int64_t h, int64_t w) {
  if (h < 1 || w < 1) throw Error(path + ": depth map is " + size_str(h, w) + " (no pixels)");
  if (h > 65536 || w > 65536) throw Error(path + ": depth map " + size_str(h, w) + " is implausibly large");
}

// ---- .png: 16-bit grey millimetres ----
Tensor load_png_mm(const std::string& path) {
  std::vector<uint8_t> b = read_file_bytes(path);
  static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (b.size() < 33 || !std::equal(sig, sig + 8, b.begin()) || std::string(b.begin() + 12, b.begin() + 16) != "IHDR")
    throw Error(path + ": not a PNG file (bad signature or header); expected a 16-bit grey PNG of millimetres");
  int bits = b[24], colour = b[25];
  if (bits != 16 || colour != 0)
    throw Error(path + ": PNG has " + std::to_string(bits) + "-bit samples and colour type " + std::to_string(colour) +
                "; expected a 16-bit grey PNG (colour type 0) of depth in millimetres");
  Tensor mm = load_image_raw_gray(path);
  std::vector<float> v = mm.to_vector();
  for (float& x : v) x = x / 1000.0f;  // 0 (no reading) becomes NaN in make_map
  return make_map(std::move(v), mm.H(), mm.W());
}

// ---- .pgm: raw Kinect disparity, little-endian 16-bit samples ----
Tensor load_kinect_pgm(const std::string& path) {
  std::vector<uint8_t> b = read_file_bytes(path);
  if (b.size() < 2 || b[0] != 'P' || b[1] != '5')
    throw Error(path + ": not a binary PGM (no 'P5' magic); expected raw Kinect disparity as 16-bit P5 PGM");
  PnmHeader hdr = parse_pnm_header(path, b);
  const int64_t w = hdr.width, h = hdr.height;
  check_size(path, h, w);
  check_pixel_limit(path, w, h, max_image_pixels());
  if (hdr.maxval < 256)
    throw Error(path + ": PGM maxval " + std::to_string(hdr.maxval) +
                "; expected 16-bit samples (maxval 256..65535, usually 65535) of raw Kinect disparity");
  const size_t start = hdr.data_offset, want = pnm_raster_bytes(path, hdr), have = b.size() - start;
  if (have < want)
    throw Error(path + ": truncated PGM: " + std::to_string(have) + " bytes of samples, expected " +
                std::to_string(want) + " (" + size_str(h, w) + " 16-bit)");
  if (have > want)
    throw Error(path + ": PGM has " + std::to_string(have - want) + " bytes after the " + size_str(h, w) +
                " 16-bit samples; expected exactly " + std::to_string(want));
  std::vector<float> v(static_cast<size_t>(w * h));
  for (size_t i = 0; i < v.size(); ++i) {
    int raw = b[start + 2 * i] | (b[start + 2 * i + 1] << 8);  // little-endian, see depth_io.h
    v[i] = raw >= 1092 ? NAN : static_cast<float>(351.3 / (1092.5 - raw));
  }
  return make_map(std::move(v), h, w);
}

// ---- .mat (NYU labeled, transposed frames) and .h5 ----
int64_t check_frame(const std::string& path, const char* dataset, const std::vector<int64_t>& dims, int frame) {
  if (frame < 0 || frame >= dims[0])
    throw Error(path + ": frame " + std::to_string(frame) + " out of range; '" + dataset + "' has " +
                std::to_string(dims[0]) + " frames (0.." + std::to_string(dims[0] - 1) + ")");
  return frame;
}

// The shape of a numeric dataset (an error names the file and the dataset otherwise).
Shape numeric_shape(const h5::Reader& r, const std::string& dataset) {
  h5::Object o = r.info(dataset);
  if (o.type != h5::Object::Type::Float && o.type != h5::Object::Type::Integer)
    throw Error(r.path() + ": dataset '" + dataset + "' is not numeric; expected integer or float samples");
  return o.shape;
}

Tensor load_nyu_mat_depth(const std::string& path, int frame) {
  h5::Reader r(path, kMatKind);
  Shape dims = numeric_shape(r, "depths");
  if (dims.size() != 3)
    throw Error(path + ": 'depths' has shape " + shape_str(dims) + "; expected [frames, W, H] (NYU labeled layout)");
  int64_t f = check_frame(path, "depths", dims, frame), w = dims[1], h = dims[2];
  check_size(path, h, w);
  std::vector<float> t = r.read("depths", {f, 0, 0}, {1, w, h});  // t[x*h + y]
  std::vector<float> v(t.size());
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) v[static_cast<size_t>(y * w + x)] = t[static_cast<size_t>(x * h + y)];
  return make_map(std::move(v), h, w);
}

Tensor load_h5_depth(const std::string& path, const std::string& dataset) {
  h5::Reader r(path, kH5Kind);
  Shape dims = numeric_shape(r, dataset);
  bool ok = dims.size() == 2 || (dims.size() == 4 && dims[0] == 1 && dims[1] == 1);
  if (!ok)
    throw Error(path + ": dataset '" + dataset + "' has shape " + shape_str(dims) + "; expected [H,W] or [1,1,H,W]");
  int64_t h = dims[dims.size() - 2], w = dims.back();
  check_size(path, h, w);
  return make_map(r.read(dataset), h, w);
}

}  // namespace

Tensor load_depth_metres(const std::string& path, const DepthOptions& o) {
  std::string e = lower_extension(path);
  if (e == ".png") return load_png_mm(path);
  if (e == ".pgm") return load_kinect_pgm(path);
  if (e == ".mat") return load_nyu_mat_depth(path, o.frame);
  if (e == ".h5" || e == ".hdf5") return load_h5_depth(path, o.dataset);
  throw Error(path + ": unknown depth file type '" + e +
              "'; expected .png (16-bit mm), .pgm (raw Kinect), .mat (NYU v7.3) or .h5/.hdf5 (metres)");
}

void save_depth_png_mm(const std::string& path, const Tensor& metres) {
  check_depth_map("save_depth_png_mm", metres);
  check_image_output(path, 16);  // refuses .jpg (8-bit only) and unknown types
  std::vector<float> v = metres.to_vector();
  for (float& x : v) {
    double mm = std::isfinite(x) && x > 0 ? std::min(65535.0, std::max(1.0, std::round(1000.0 * x))) : 0.0;
    x = static_cast<float>(mm / 65535.0);  // save_image writes round(x * 65535) = mm exactly
  }
  ImageWriteOptions o;
  o.bits = 16;
  save_image(path, Tensor::from_vector(metres.shape(), v), o);
}

Tensor load_nyu_mat_rgb(const std::string& path, int frame) {
  h5::Reader r(path, kMatKind);
  Shape dims = numeric_shape(r, "images");
  if (dims.size() != 4 || dims[1] != 3)
    throw Error(path + ": 'images' has shape " + shape_str(dims) + "; expected [frames, 3, W, H] (NYU labeled layout)");
  int64_t f = check_frame(path, "images", dims, frame), w = dims[2], h = dims[3];
  check_size(path, h, w);
  std::vector<float> t = r.read("images", {f, 0, 0, 0}, {1, 3, w, h});  // t[(c*w + x)*h + y]
  Tensor img = Tensor::empty({1, 3, h, w});
  float* p = img.data();
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) p[(c * h + y) * w + x] = t[static_cast<size_t>((c * w + x) * h + y)] / 255.0f;
  return img;
}

}  // namespace ds
