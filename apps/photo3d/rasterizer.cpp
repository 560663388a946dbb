#include "apps/photo3d/rasterizer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "weights/depth_map.h"
#include "tensor/error.h"

namespace ds {
namespace app {

float sample_bilinear(const Tensor& texture, int c, double x, double y) {
  const int64_t h = texture.H(), w = texture.W();
  double fx = std::clamp(x - 0.5, 0.0, static_cast<double>(w - 1));
  double fy = std::clamp(y - 0.5, 0.0, static_cast<double>(h - 1));
  int64_t x0 = static_cast<int64_t>(fx), y0 = static_cast<int64_t>(fy);
  int64_t x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
  double ax = fx - static_cast<double>(x0), ay = fy - static_cast<double>(y0);
  const float* p = texture.data() + c * h * w;
  double top = p[y0 * w + x0] * (1 - ax) + p[y0 * w + x1] * ax;
  double bottom = p[y1 * w + x0] * (1 - ax) + p[y1 * w + x1] * ax;
  return static_cast<float>(top * (1 - ay) + bottom * ay);
}

float srgb_to_linear(float c) {
  return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f);
}

float linear_to_srgb(float c) {
  c = std::clamp(c, 0.0f, 1.0f);
  return c <= 0.0031308f ? 12.92f * c : 1.055f * std::pow(c, 1.0f / 2.4f) - 0.055f;
}

namespace {

// The texture in linear light (sRGB decoded), as a GPU samples an sRGB texture.
Tensor linear_texture(const Tensor& srgb) {
  Tensor t = srgb.clone();
  float* p = t.data();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = srgb_to_linear(p[i]);
  return t;
}

struct ClipVertex {
  Vec3 p;       // view frame
  double u, v;  // texture coordinates
};

struct ScreenVertex {
  double x, y;       // continuous pixel coordinates
  double iz;         // 1 / z
  double uz, vz;     // u / z, v / z
};

// A point on a directed edge a -> b (dx, dy = b - a) with edge function 0 belongs to the
// triangle on its positive side only when this holds; the neighbour traverses the edge the
// other way, so exactly one of them owns it.
bool owns_edge(double dx, double dy) { return dy > 0 || (dy == 0 && dx < 0); }

class Raster {
 public:
  Raster(const View& view) : view_(view), K_(view.K), n_(static_cast<size_t>(K_.width) * K_.height) {
    zbuf_.assign(n_, std::numeric_limits<float>::infinity());
    rgb_.assign(3 * n_, 0.0f);
  }

  void draw(const MeshPrimitive& prim) {
    if (prim.indices.empty()) return;
    linear_ = linear_texture(prim.texture);
    std::vector<Vec3> vp(prim.vertex_count());
    Mat3 r = view_.pose.rotation();
    for (size_t i = 0; i < vp.size(); ++i) {
      Vec3 p{prim.positions[3 * i], prim.positions[3 * i + 1], prim.positions[3 * i + 2]};
      vp[i] = r.transposed_times(p - view_.pose.t);
    }
    for (size_t t = 0; t < prim.indices.size(); t += 3) {
      ClipVertex tri[3];
      for (int k = 0; k < 3; ++k) {
        uint32_t i = prim.indices[t + static_cast<size_t>(k)];
        tri[k] = {vp[i], prim.uvs[2 * i], prim.uvs[2 * i + 1]};
      }
      clip_and_draw(tri);
    }
  }

  Rendering finish(bool fill_holes) {
    Rendering out;
    out.depth.assign(n_, 0.0f);
    out.covered.assign(n_, 0);
    size_t holes = 0;
    Tensor img = Tensor::empty({1, 3, K_.height, K_.width});
    float* o = img.data();
    for (size_t i = 0; i < n_; ++i) {
      bool hit = std::isfinite(zbuf_[i]);
      out.covered[i] = hit;
      out.depth[i] = hit ? zbuf_[i] : 0.0f;
      holes += !hit;
      for (size_t c = 0; c < 3; ++c)
        o[c * n_ + i] = hit ? rgb_[3 * i + c] : std::numeric_limits<float>::quiet_NaN();
    }
    out.hole_fraction = static_cast<double>(holes) / static_cast<double>(n_);
    if (holes == n_) {
      img = Tensor::zeros(img.shape());
    } else if (holes > 0 && fill_holes) {
      for (int64_t c = 0; c < 3; ++c) {
        Tensor ch = fill_invalid(Tensor::from_vector({1, 1, K_.height, K_.width},
                                                     std::vector<float>(o + c * static_cast<int64_t>(n_),
                                                                        o + (c + 1) * static_cast<int64_t>(n_))));
        std::copy(ch.data(), ch.data() + n_, o + c * static_cast<int64_t>(n_));
      }
    } else if (holes > 0) {
      for (size_t i = 0; i < 3 * n_; ++i)
        if (std::isnan(o[i])) o[i] = 0;
    }
    out.image = img;
    return out;
  }

 private:
  // Sutherland-Hodgman against z >= kNearPlane, then a fan of screen triangles.
  void clip_and_draw(const ClipVertex (&tri)[3]) {
    ClipVertex poly[4];
    int n = 0;
    for (int k = 0; k < 3; ++k) {
      const ClipVertex& a = tri[k];
      const ClipVertex& b = tri[(k + 1) % 3];
      bool ain = a.p.z >= kNearPlane, bin = b.p.z >= kNearPlane;
      if (ain) poly[n++] = a;
      if (ain != bin) {
        double s = (kNearPlane - a.p.z) / (b.p.z - a.p.z);
        poly[n++] = {a.p + s * (b.p - a.p), a.u + s * (b.u - a.u), a.v + s * (b.v - a.v)};
      }
    }
    if (n < 3) return;
    ScreenVertex sv[4];
    for (int k = 0; k < n; ++k) {
      double iz = 1.0 / poly[k].p.z;
      sv[k] = {K_.fx * poly[k].p.x * iz + K_.cx, K_.fy * poly[k].p.y * iz + K_.cy, iz, poly[k].u * iz,
               poly[k].v * iz};
    }
    for (int k = 1; k + 1 < n; ++k) triangle(sv[0], sv[k], sv[k + 1]);
  }

  // Edge function of the directed edge a -> b at point p, in snapped units (exact in int64).
  static int64_t edge(int64_t ax, int64_t ay, int64_t bx, int64_t by, int64_t px, int64_t py) {
    return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
  }

  // Screen positions are snapped to 1/kSub pixel, as GPUs do, so that the edge functions are
  // exact: a pixel centre on an edge shared by two triangles is then judged alike by both, and
  // one of them owns it. Coordinates beyond kMaxCoord pixels (a triangle grazing the near
  // plane, hundreds of frames wide) would overflow; such triangles are skipped.
  static constexpr int64_t kSub = 256;
  static constexpr double kMaxCoord = 1 << 20;

  void triangle(ScreenVertex a, ScreenVertex b, ScreenVertex c) {
    for (const ScreenVertex* v : {&a, &b, &c})
      if (!(std::fabs(v->x) < kMaxCoord && std::fabs(v->y) < kMaxCoord)) return;
    auto snap = [](double x) { return static_cast<int64_t>(std::llround(x * kSub)); };
    int64_t ax = snap(a.x), ay = snap(a.y), bx = snap(b.x), by = snap(b.y), cx = snap(c.x), cy = snap(c.y);
    int64_t area = edge(ax, ay, bx, by, cx, cy);
    if (area == 0) return;
    if (area < 0) std::swap(b, c), std::swap(bx, cx), std::swap(by, cy), area = -area;
    const double inv_area = 1.0 / static_cast<double>(area);
    // The pixels whose centres may be inside (one pixel of slack each way; the loop decides).
    auto first = [](int64_t lo) { return static_cast<int>(std::max<int64_t>(0, lo / kSub - 1)); };
    auto last = [](int64_t hi, int n) { return static_cast<int>(std::min<int64_t>(n - 1, hi / kSub + 1)); };
    int x0 = first(std::min({ax, bx, cx})), x1 = last(std::max({ax, bx, cx}), K_.width);
    int y0 = first(std::min({ay, by, cy})), y1 = last(std::max({ay, by, cy}), K_.height);
    const bool own_bc = owns_edge(static_cast<double>(cx - bx), static_cast<double>(cy - by));
    const bool own_ca = owns_edge(static_cast<double>(ax - cx), static_cast<double>(ay - cy));
    const bool own_ab = owns_edge(static_cast<double>(bx - ax), static_cast<double>(by - ay));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        int64_t px = x * kSub + kSub / 2, py = y * kSub + kSub / 2;
        int64_t w0 = edge(bx, by, cx, cy, px, py), w1 = edge(cx, cy, ax, ay, px, py), w2 = edge(ax, ay, bx, by, px, py);
        if (w0 < 0 || w1 < 0 || w2 < 0) continue;
        if ((w0 == 0 && !own_bc) || (w1 == 0 && !own_ca) || (w2 == 0 && !own_ab)) continue;
        double l0 = static_cast<double>(w0) * inv_area, l1 = static_cast<double>(w1) * inv_area,
               l2 = static_cast<double>(w2) * inv_area;
        double iz = l0 * a.iz + l1 * b.iz + l2 * c.iz;
        if (!(iz > 0)) continue;
        double z = 1.0 / iz;
        size_t i = static_cast<size_t>(y) * K_.width + x;
        if (!(z < zbuf_[i])) continue;
        zbuf_[i] = static_cast<float>(z);
        double u = (l0 * a.uz + l1 * b.uz + l2 * c.uz) * z, v = (l0 * a.vz + l1 * b.vz + l2 * c.vz) * z;
        double tx = u * static_cast<double>(linear_.W()), ty = v * static_cast<double>(linear_.H());
        for (int ch = 0; ch < 3; ++ch)
          rgb_[3 * i + static_cast<size_t>(ch)] = linear_to_srgb(sample_bilinear(linear_, ch, tx, ty));
      }
  }

  const View& view_;
  const Intrinsics& K_;
  size_t n_;
  Tensor linear_;  // the texture being drawn, in linear light
  std::vector<float> zbuf_, rgb_;
};

}  // namespace

Rendering render(const PhotoMesh& mesh, const View& view, bool fill_holes) {
  if (view.K.width < 1 || view.K.height < 1) throw Error("render: empty view");
  Raster r(view);
  for (const MeshPrimitive& p : mesh.parts) r.draw(p);
  return r.finish(fill_holes);
}

}  // namespace app
}  // namespace ds
