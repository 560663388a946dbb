#include "apps/photo3d/mesh.h"

#include <algorithm>
#include <cmath>

namespace ds {
namespace app {

size_t PhotoMesh::triangle_count() const {
  size_t n = 0;
  for (const MeshPrimitive& p : parts) n += p.triangle_count();
  return n;
}

namespace {

// The (W+2) x (H+2) grid of vertex sites: site i in 1..W is pixel column i-1 at its centre,
// sites 0 and W+1 are the border ring at u = 0 and u = W (rows alike).
struct Grid {
  int w, h;  // of the image
  int pixel(int i, int n) const { return std::clamp(i - 1, 0, n - 1); }
  double coord(int i, int n) const { return i == 0 ? 0.0 : i == n + 1 ? static_cast<double>(n) : i - 0.5; }
};

class PrimitiveBuilder {
 public:
  PrimitiveBuilder(const LayeredDepthImage& ldi, const DepthGrid& depth, const Tensor& texture,
                   const std::vector<uint8_t>* only_touching)
      : ldi_(ldi), depth_(depth), only_(only_touching), g_{ldi.width(), ldi.height()},
        site_vertex_(static_cast<size_t>(g_.w + 2) * (g_.h + 2), -1) {
    prim_.texture = texture;
  }

  MeshPrimitive build() {
    for (int j = 0; j <= g_.h; ++j)
      for (int i = 0; i <= g_.w; ++i) {
        int a = site(i, j), b = site(i + 1, j), c = site(i, j + 1), d = site(i + 1, j + 1);
        double da = disp(a), db = disp(b), dc = disp(c), dd = disp(d);
        if (std::fabs(da - dd) <= std::fabs(db - dc)) {
          triangle(a, b, d), triangle(a, d, c);
        } else {
          triangle(a, b, c), triangle(b, d, c);
        }
      }
    return std::move(prim_);
  }

 private:
  int site(int i, int j) const { return j * (g_.w + 2) + i; }
  size_t pixel_of(int s) const {
    int i = s % (g_.w + 2), j = s / (g_.w + 2);
    return static_cast<size_t>(g_.pixel(j, g_.h)) * g_.w + g_.pixel(i, g_.w);
  }
  double z(int s) const { return depth_.z[pixel_of(s)]; }
  double disp(int s) const { return ldi_.scale.d(z(s)); }

  void triangle(int a, int b, int c) {
    if (ldi_.cut(z(a), z(b)) || ldi_.cut(z(b), z(c)) || ldi_.cut(z(a), z(c))) return;
    if (only_ && !(*only_)[pixel_of(a)] && !(*only_)[pixel_of(b)] && !(*only_)[pixel_of(c)]) return;
    prim_.indices.push_back(vertex(a));
    prim_.indices.push_back(vertex(b));
    prim_.indices.push_back(vertex(c));
  }

  uint32_t vertex(int s) {
    int& v = site_vertex_[static_cast<size_t>(s)];
    if (v >= 0) return static_cast<uint32_t>(v);
    v = static_cast<int>(prim_.vertex_count());
    int i = s % (g_.w + 2), j = s / (g_.w + 2);
    Vec3 p = unproject(ldi_.K, g_.coord(i, g_.w), g_.coord(j, g_.h), z(s));
    prim_.positions.insert(prim_.positions.end(),
                           {static_cast<float>(p.x), static_cast<float>(p.y), static_cast<float>(p.z)});
    prim_.uvs.push_back(static_cast<float>((g_.pixel(i, g_.w) + 0.5) / g_.w));
    prim_.uvs.push_back(static_cast<float>((g_.pixel(j, g_.h) + 0.5) / g_.h));
    return static_cast<uint32_t>(v);
  }

  const LayeredDepthImage& ldi_;
  const DepthGrid& depth_;
  const std::vector<uint8_t>* only_;
  Grid g_;
  std::vector<int> site_vertex_;
  MeshPrimitive prim_;
};

}  // namespace

PhotoMesh build_mesh(const LayeredDepthImage& ldi) {
  PhotoMesh m;
  m.parts.push_back(PrimitiveBuilder(ldi, ldi.depth, ldi.colour, nullptr).build());
  m.parts.push_back(PrimitiveBuilder(ldi, ldi.back.depth, ldi.back.colour, &ldi.back.mask).build());
  return m;
}

}  // namespace app
}  // namespace ds
