// blind_temporal_consistency (losses/temporal.h): the screened Poisson system of Bonneel et al.'s
// energy, solved by Jacobi-preconditioned conjugate gradients on the host. CG rather than the
// library's ops and optimisers: the system is symmetric positive definite and sparse (5 entries a
// row), CG needs only its product with a vector, and warm-started from the blend it converges in
// tens of iterations, each a few passes over the image; the flow that feeds it is computed on the
// CPU anyway. Sums are in double; each channel is its own system, solved together as one.
#include <cmath>
#include <vector>

#include "losses/temporal.h"
#include "tensor/error.h"

namespace ds {

namespace {

// y = (L + diag(d)) x over every (n, c) plane of an H x W grid, L the 4-neighbour graph Laplacian
// (Neumann border: a pixel has only the neighbours inside the image). d has one value per pixel,
// shared by the channels of an image.
void apply(const std::vector<float>& x, const std::vector<float>& d, int64_t planes, int64_t C, int64_t H, int64_t W,
           std::vector<float>& y) {
  const int64_t plane = H * W;
#pragma omp parallel for schedule(static)
  for (int64_t row = 0; row < planes * H; ++row) {
    const int64_t pl = row / H, h = row % H, base = pl * plane + h * W;
    const float* dp = d.data() + (pl / C) * plane + h * W;
    const float* xp = x.data() + base;
    float* yp = y.data() + base;
    for (int64_t w = 0; w < W; ++w) {
      float v = xp[w], s = dp[w] * v;
      if (w > 0) s += v - xp[w - 1];
      if (w + 1 < W) s += v - xp[w + 1];
      if (h > 0) s += v - xp[w - W];
      if (h + 1 < H) s += v - xp[w + W];
      yp[w] = s;
    }
  }
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  const int64_t n = static_cast<int64_t>(a.size());
#pragma omp parallel for reduction(+ : s) schedule(static)
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(a[static_cast<size_t>(i)]) * b[static_cast<size_t>(i)];
  return s;
}

}  // namespace

Tensor blind_temporal_consistency(const Tensor& processed, const Tensor& warped_prev, const Tensor& weight,
                                  const ConsistencyOptions& o, ConsistencyStats* stats) {
  if (processed.ndim() != 4 || warped_prev.shape() != processed.shape() || weight.ndim() != 4 ||
      weight.N() != processed.N() || weight.C() != 1 || weight.H() != processed.H() || weight.W() != processed.W())
    throw Error("blind_temporal_consistency: result " + shape_str(processed.shape()) + ", warped previous output " +
                shape_str(warped_prev.shape()) + " and weight " + shape_str(weight.shape()) +
                " do not fit (expected [N,C,H,W] twice and [N,1,H,W])");
  if (!(o.eps > 0) || !(o.tolerance > 0) || o.max_iterations < 1)
    throw Error("blind_temporal_consistency: eps and tolerance must be positive, max_iterations at least 1");
  const int64_t C = processed.C(), H = processed.H(), W = processed.W(), planes = processed.N() * C;
  const int64_t plane = H * W, n = planes * plane;
  std::vector<float> P = processed.to_vector(), Wp = warped_prev.to_vector(), w = weight.to_vector();
  for (float v : w)
    if (!(v >= 0) || !std::isfinite(v)) throw Error("blind_temporal_consistency: the weight must be finite and >= 0");
  std::vector<float> d(w.size());
  for (size_t i = 0; i < w.size(); ++i) d[i] = w[i] + o.eps;
  // b = L P + w warped + eps P: L P from apply() with a zero screen.
  std::vector<float> zero(w.size(), 0.0f), b(static_cast<size_t>(n)), x(static_cast<size_t>(n));
  apply(P, zero, planes, C, H, W, b);
  for (int64_t i = 0; i < n; ++i) {
    size_t k = static_cast<size_t>(i), pix = static_cast<size_t>((i / (C * plane)) * plane + i % plane);
    b[k] += w[pix] * Wp[k] + o.eps * P[k];
    x[k] = (w[pix] * Wp[k] + P[k]) / (w[pix] + 1.0f);
  }
  // Jacobi preconditioner: the diagonal, neighbour count + w + eps.
  std::vector<float> inv_diag(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t p = i % plane, h = p / W, ww = p % W;
    float deg = static_cast<float>((ww > 0) + (ww + 1 < W) + (h > 0) + (h + 1 < H));
    inv_diag[static_cast<size_t>(i)] = 1.0f / (deg + d[static_cast<size_t>((i / (C * plane)) * plane + p)]);
  }
  std::vector<float> r(static_cast<size_t>(n)), z(static_cast<size_t>(n)), p(static_cast<size_t>(n)), Ap(static_cast<size_t>(n));
  apply(x, d, planes, C, H, W, Ap);
  for (size_t i = 0; i < r.size(); ++i) r[i] = b[i] - Ap[i];
  const double bnorm = std::sqrt(dot(b, b)) + 1e-30;
  for (size_t i = 0; i < r.size(); ++i) p[i] = z[i] = r[i] * inv_diag[i];
  double rz = dot(r, z), rel = std::sqrt(dot(r, r)) / bnorm;
  int it = 0;
  while (rel > o.tolerance && it < o.max_iterations) {
    apply(p, d, planes, C, H, W, Ap);
    double pAp = dot(p, Ap);
    if (!(pAp > 0)) break;
    float alpha = static_cast<float>(rz / pAp);
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      size_t k = static_cast<size_t>(i);
      x[k] += alpha * p[k];
      r[k] -= alpha * Ap[k];
      z[k] = r[k] * inv_diag[k];
    }
    double rz_new = dot(r, z);
    rel = std::sqrt(dot(r, r)) / bnorm;
    float beta = static_cast<float>(rz_new / rz);
    rz = rz_new;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) p[static_cast<size_t>(i)] = z[static_cast<size_t>(i)] + beta * p[static_cast<size_t>(i)];
    ++it;
  }
  if (stats) *stats = {it, rel};
  return Tensor::from_vector(processed.shape(), x);
}

}  // namespace ds
