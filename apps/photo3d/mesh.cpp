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

// A mesh vertex being made: position (scene frame) and texture coordinates.
struct Point {
  Vec3 p;
  double u, v;
};

Point midpoint(const Point& a, const Point& b) { return {0.5 * (a.p + b.p), 0.5 * (a.u + b.u), 0.5 * (a.v + b.v)}; }

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
        // The square's corners in order around it: a b / c d as a, b, d, c (clockwise on screen).
        const int s[4] = {site(i, j), site(i + 1, j), site(i + 1, j + 1), site(i, j + 1)};
        bool linked[4];  // side k joins corner k and corner k+1
        bool all = true;
        for (int k = 0; k < 4; ++k) all &= linked[k] = !ldi_.cut(z(s[k]), z(s[(k + 1) % 4]));
        if (all) whole_square(s);
        else split_square(s, linked);
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
  bool kept(int s) const { return !only_ || (*only_)[pixel_of(s)]; }
  double sx(int s) const { return g_.coord(s % (g_.w + 2), g_.w); }
  double sy(int s) const { return g_.coord(s / (g_.w + 2), g_.h); }
  Point corner(int s) const {
    int i = s % (g_.w + 2), j = s / (g_.w + 2);
    return {unproject(ldi_.K, sx(s), sy(s), z(s)), (g_.pixel(i, g_.w) + 0.5) / g_.w, (g_.pixel(j, g_.h) + 0.5) / g_.h};
  }

  // A continuous square: two triangles along the diagonal whose disparities differ least,
  // counter-clockwise as the camera sees them (y is down on the screen), glTF's front faces.
  void whole_square(const int (&s)[4]) {
    if (only_ && !kept(s[0]) && !kept(s[1]) && !kept(s[2]) && !kept(s[3])) return;
    const int a = s[0], b = s[1], d = s[2], c = s[3];
    if (std::fabs(disp(a) - disp(d)) <= std::fabs(disp(b) - disp(c))) {
      emit(site_vertex(a), site_vertex(d), site_vertex(b)), emit(site_vertex(a), site_vertex(c), site_vertex(d));
    } else {
      emit(site_vertex(a), site_vertex(c), site_vertex(b)), emit(site_vertex(b), site_vertex(c), site_vertex(d));
    }
  }

  // A square crossed by a depth edge: its corners fall into groups joined by continuous sides,
  // and each corner keeps its own quarter of the square (up to the side midpoints and the
  // centre) at its group's depth, as if each pixel were a little square. So the original camera
  // sees every pixel centre inside its own surface, edges included, and a moved camera sees
  // the silhouette half-way between the near and the far pixel, with the background layer in
  // the gap. Points on a cut side keep their own corner's depth and texel (a flat "skirt"); on
  // a continuous side they are the midpoint, shared with the neighbouring square.
  void split_square(const int (&s)[4], const bool (&linked)[4]) {
    int group[4] = {0, 1, 2, 3};
    for (int pass = 0; pass < 3; ++pass)
      for (int k = 0; k < 4; ++k)
        if (linked[k]) group[k] = group[(k + 1) % 4] = std::min(group[k], group[(k + 1) % 4]);
    Point c[4];
    for (int k = 0; k < 4; ++k) c[k] = corner(s[k]);
    const double cx = 0.5 * (sx(s[0]) + sx(s[2])), cy = 0.5 * (sy(s[0]) + sy(s[2]));
    for (int k = 0; k < 4; ++k) {
      bool keep = !only_;
      double zsum = 0, usum = 0, vsum = 0;
      int n = 0;
      for (int m = 0; m < 4; ++m)
        if (group[m] == group[k]) keep |= kept(s[m]), zsum += z(s[m]), usum += c[m].u, vsum += c[m].v, ++n;
      if (!keep) continue;
      Point centre{unproject(ldi_.K, cx, cy, zsum / n), usum / n, vsum / n};
      const int next = (k + 1) % 4, prev = (k + 3) % 4;
      Point to_next = linked[k] ? midpoint(c[k], c[next]) : skirt(s[k], c[k], s[next]);
      Point to_prev = linked[prev] ? midpoint(c[k], c[prev]) : skirt(s[k], c[k], s[prev]);
      uint32_t o = new_vertex(centre), vk = site_vertex(s[k]);
      emit(o, new_vertex(to_next), vk);
      emit(o, vk, new_vertex(to_prev));
    }
  }

  // The midpoint of the side from corner s to corner t, at s's depth, with s's texel.
  Point skirt(int s, const Point& cs, int t) const {
    return {unproject(ldi_.K, 0.5 * (sx(s) + sx(t)), 0.5 * (sy(s) + sy(t)), z(s)), cs.u, cs.v};
  }

  void emit(uint32_t a, uint32_t b, uint32_t c) { prim_.indices.insert(prim_.indices.end(), {a, b, c}); }

  uint32_t new_vertex(const Point& q) {
    prim_.positions.insert(prim_.positions.end(),
                           {static_cast<float>(q.p.x), static_cast<float>(q.p.y), static_cast<float>(q.p.z)});
    prim_.uvs.insert(prim_.uvs.end(), {static_cast<float>(q.u), static_cast<float>(q.v)});
    return static_cast<uint32_t>(prim_.vertex_count() - 1);
  }

  uint32_t site_vertex(int s) {
    int& v = site_vertex_[static_cast<size_t>(s)];
    if (v < 0) v = static_cast<int>(new_vertex(corner(s)));
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
