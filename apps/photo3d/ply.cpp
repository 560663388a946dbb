#include "apps/photo3d/ply.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "tensor/file_util.h"

namespace ds {
namespace app {

namespace {

void append_point(std::vector<uint8_t>& out, Vec3 p, const float* rgb, size_t plane, size_t i) {
  float xyz[3] = {static_cast<float>(p.x), static_cast<float>(-p.y), static_cast<float>(-p.z)};
  uint8_t b[15];
  std::memcpy(b, xyz, 12);  // x86-64 and every platform we build on are little-endian
  for (size_t c = 0; c < 3; ++c)
    b[12 + c] = static_cast<uint8_t>(std::lround(std::clamp(rgb[c * plane + i], 0.0f, 1.0f) * 255.0f));
  out.insert(out.end(), b, b + 15);
}

}  // namespace

std::vector<uint8_t> ply_bytes(const LayeredDepthImage& ldi) {
  const int w = ldi.width(), h = ldi.height();
  const size_t plane = static_cast<size_t>(w) * h;
  const size_t back = static_cast<size_t>(ldi.back.count());
  std::string header = "ply\nformat binary_little_endian 1.0\n"
                       "comment depthstyle 3d: a layered depth image as points, metres\n"
                       "comment frame: glTF's (x right, y up, z towards the viewer; the photo's camera at the origin looking down -z)\n"
                       "comment points: " + std::to_string(plane) + " visible, then " + std::to_string(back) +
                       " background\n"
                       "element vertex " + std::to_string(plane + back) + "\n"
                       "property float x\nproperty float y\nproperty float z\n"
                       "property uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n";
  std::vector<uint8_t> out(header.begin(), header.end());
  out.reserve(out.size() + 15 * (plane + back));
  for (int pass = 0; pass < 2; ++pass) {
    const DepthGrid& d = pass == 0 ? ldi.depth : ldi.back.depth;
    const float* rgb = pass == 0 ? ldi.colour.data() : ldi.back.colour.data();
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        size_t i = static_cast<size_t>(y) * w + x;
        if (pass == 1 && !ldi.back.mask[i]) continue;
        append_point(out, unproject(ldi.K, x + 0.5, y + 0.5, d.z[i]), rgb, plane, i);
      }
  }
  return out;
}

void save_ply(const std::string& path, const LayeredDepthImage& ldi) { write_file_bytes(path, ply_bytes(ldi)); }

}  // namespace app
}  // namespace ds
