// CPU kernels: fill, scaling, activations, broadcasting binary ops, reductions, MSE, Adam.
// Mirrors cuda/pointwise.cu.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "tensor/cpu/lanes8.h"
#include "tensor/cpu/parallel.h"
#include "tensor/kernels.h"

namespace ds {
namespace cpu {

// Elementwise loop over n items, split into chunks so OpenMP forks once per call.
template <class F>
static void for_each_chunk(int64_t n, F f) {
  constexpr int64_t kChunk = 1 << 14;
  int64_t chunks = (n + kChunk - 1) / kChunk;
  parallel_for(chunks, kChunk, [&](int64_t c) {
    int64_t b = c * kChunk, e = std::min(n, b + kChunk);
    for (int64_t i = b; i < e; ++i) f(i);
  });
}

void fill(Tensor& y, float value) {
  float* p = y.data();
  for_each_chunk(y.numel(), [=](int64_t i) { p[i] = value; });
}

void scale_add(const Tensor& x, float alpha, float beta, Tensor& y) {
  const float* a = x.data();
  float* p = y.data();
  for_each_chunk(y.numel(), [=](int64_t i) { p[i] = alpha * a[i] + beta; });
}

void add_inplace(Tensor& y, const Tensor& x, float alpha) {
  const float* a = x.data();
  float* p = y.data();
  for_each_chunk(y.numel(), [=](int64_t i) { p[i] += alpha * a[i]; });
}

void scale_by(const Tensor& x, const Tensor& s, Tensor& y) {
  float k = s.data()[0];
  const float* a = x.data();
  float* p = y.data();
  for_each_chunk(y.numel(), [=](int64_t i) { p[i] = k * a[i]; });
}

namespace {

// expm1(x) on eight lanes, for x <= 0 (ELU's negative side; larger x is not used). libm's
// expm1f is scalar, and ELU after each Monodepth2 decoder conv spent most of its time there.
// Method (Cody & Waite range reduction): x = k ln2 + r with |r| <= ln2 / 2, k = round(x / ln2);
// expm1(x) = 2^k expm1(r) + (2^k - 1), where 2^k - 1 is exact in float for k >= -24 and
// expm1(r) = r + r^2 (1/2 + r/6 + ... + r^5/5040) (Taylor: the next term, r^8/8!, is < 2^-27 |r|).
// Error: about 1-2 ulp of the result (tests/table_pointwise.cpp checks 4 ulp against double
// expm1 over [-100, 0]); +-0 comes back as itself. x below -87 (expm1 = -1 in float) is clamped
// so 2^k stays normal; a NaN propagates through r.
F8 expm1_nonpositive(F8 x) {
  const F8 lo = F8{} - 87.0f;
  x = x < lo ? lo : x;
  const F8 shifter = F8{} + 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const F8 kf = (x * 1.44269504f + shifter) - shifter;
  const F8 r = (x - kf * 0.693145752f) - kf * 1.42860677e-6f;  // ln 2 = 0.693145752 + 1.42860677e-6
  F8 q = F8{} + (1.0f / 5040);
  q = q * r + (1.0f / 720);
  q = q * r + (1.0f / 120);
  q = q * r + (1.0f / 24);
  q = q * r + (1.0f / 6);
  q = q * r + 0.5f;
  const F8 em1 = r + r * r * q;
  const I8 k = __builtin_convertvector(kf == kf ? kf : F8{}, I8);  // NaN lanes: any k (r carries the NaN)
  const I8 bits = (k + 127) * (1 << 23);                             // k >= -126: a normal 2^k
  F8 two_k;
  std::memcpy(&two_k, &bits, sizeof two_k);
  // x = -0: r = -0, but em1 = -0 + (+0) = +0; expm1(+-0) = +-0 (libm, CUDA's expm1f) keeps the sign.
  return x == 0.0f ? x : two_k * em1 + (two_k - 1.0f);
}

// y = x > 0 ? x : alpha * expm1(x) on `len` <= 8 elements (y may alias x).
void elu8(const float* x, float* y, int64_t len, float alpha) {
  float in[8] = {}, out[8];
  std::memcpy(in, x, static_cast<size_t>(len) * sizeof(float));
  const F8 v = load8(in);
  const F8 neg = alpha * expm1_nonpositive(v > 0 ? F8{} : v);
  store8(out, v > 0 ? v : neg);
  std::memcpy(y, out, static_cast<size_t>(len) * sizeof(float));
}

}  // namespace

void activation_forward(Act act, float alpha, const Tensor& x, Tensor& y) {
  const float* a = x.data();
  float* p = y.data();
  int64_t n = y.numel();
  switch (act) {
    case Act::Relu: for_each_chunk(n, [=](int64_t i) { p[i] = a[i] > 0 ? a[i] : 0.0f; }); break;
    case Act::Relu6: for_each_chunk(n, [=](int64_t i) { p[i] = std::min(std::max(a[i], 0.0f), 6.0f); }); break;
    case Act::Elu: for_each_chunk((n + 7) / 8, [=](int64_t k) { elu8(a + 8 * k, p + 8 * k, std::min<int64_t>(8, n - 8 * k), alpha); }); break;
    case Act::Sigmoid: for_each_chunk(n, [=](int64_t i) { p[i] = 1.0f / (1.0f + std::exp(-a[i])); }); break;
    case Act::Tanh: for_each_chunk(n, [=](int64_t i) { p[i] = std::tanh(a[i]); }); break;
  }
}

void activation_backward(Act act, float alpha, const Tensor& y, const Tensor& dy, Tensor& dx) {
  const float* o = y.data();
  const float* g = dy.data();
  float* d = dx.data();
  int64_t n = dx.numel();
  switch (act) {
    case Act::Relu: for_each_chunk(n, [=](int64_t i) { d[i] = o[i] > 0 ? g[i] : 0.0f; }); break;
    case Act::Relu6: for_each_chunk(n, [=](int64_t i) { d[i] = (o[i] > 0 && o[i] < 6) ? g[i] : 0.0f; }); break;
    case Act::Elu: for_each_chunk(n, [=](int64_t i) { d[i] = o[i] > 0 ? g[i] : g[i] * (o[i] + alpha); }); break;
    case Act::Sigmoid: for_each_chunk(n, [=](int64_t i) { d[i] = g[i] * o[i] * (1.0f - o[i]); }); break;
    case Act::Tanh: for_each_chunk(n, [=](int64_t i) { d[i] = g[i] * (1.0f - o[i] * o[i]); }); break;
  }
}

// One byte of mask per 8 elements; chunks of for_each_chunk are multiples of 8 elements, so no two
// threads write the same byte. Bytes are read and written as unsigned char (allowed for any storage).
void relu_mask_forward(const Tensor& x, Tensor& y, Tensor& mask) {
  const float* a = x.data();
  float* p = y.data();
  unsigned char* m = reinterpret_cast<unsigned char*>(mask.data());
  int64_t n = x.numel();
  for_each_chunk((n + 7) / 8, [=](int64_t byte) {
    const float* in = a + byte * 8;
    float* out = p + byte * 8;
    int64_t len = std::min<int64_t>(8, n - byte * 8);
    unsigned bits = 0;
    for (int64_t k = 0; k < len; ++k) bits |= static_cast<unsigned>(in[k] > 0) << k;  // before out (may alias in)
    for (int64_t k = 0; k < len; ++k) out[k] = in[k] > 0 ? in[k] : 0.0f;
    m[byte] = static_cast<unsigned char>(bits);
  });
}

// One mask byte selects eight gradients at once (lane k keeps g when bit k is set).
void relu_mask_backward(const Tensor& mask, const Tensor& dy, Tensor& dx) {
  const unsigned char* m = reinterpret_cast<const unsigned char*>(mask.data());
  const float* g = dy.data();
  float* d = dx.data();
  const int64_t n = dx.numel(), full = n / 8;
  const I8 bit = {1, 2, 4, 8, 16, 32, 64, 128};
  for_each_chunk(full, [=](int64_t byte) {
    const I8 keep = (bit & static_cast<int32_t>(m[byte])) != 0;
    store8(d + byte * 8, keep ? load8(g + byte * 8) : F8{});
  });
  for (int64_t i = full * 8; i < n; ++i) d[i] = (m[i >> 3] >> (i & 7)) & 1 ? g[i] : 0.0f;
}

// ---- broadcasting ----------------------------------------------------------

// Shapes padded to 4 dims, and element strides of a broadcast operand (0 along size-1 dims).
struct Bcast4 {
  int64_t dims[4];
  int64_t stride[4];
};

static Bcast4 bcast4(const Shape& operand, const Shape& out) {
  Bcast4 b{};
  size_t off = 4 - out.size();
  int64_t s = 1;
  for (int k = 3; k >= 0; --k) {
    int64_t od = k >= static_cast<int>(off) ? out[k - off] : 1;
    int64_t d = k >= static_cast<int>(off) ? operand[k - off] : 1;
    b.dims[k] = od;
    b.stride[k] = (d == 1 && od != 1) ? 0 : s;
    s *= d;
  }
  return b;
}

template <class F>
static void binary_loop(const Tensor& a, const Tensor& b, Tensor& y, F f) {
  Bcast4 sa = bcast4(a.shape(), y.shape()), sb = bcast4(b.shape(), y.shape());
  const float* pa = a.data();
  const float* pb = b.data();
  float* py = y.data();
  if (a.shape() == y.shape() && b.shape() == y.shape()) {
    for_each_chunk(y.numel(), [=](int64_t i) { py[i] = f(pa[i], pb[i]); });
    return;
  }
  int64_t d0 = sa.dims[0], d1 = sa.dims[1], d2 = sa.dims[2], d3 = sa.dims[3];
  parallel_for(d0 * d1, d2 * d3, [&](int64_t nc) {
    int64_t n = nc / d1, c = nc % d1;
    float* out = py + nc * d2 * d3;
    for (int64_t h = 0; h < d2; ++h) {
      const float* ra = pa + n * sa.stride[0] + c * sa.stride[1] + h * sa.stride[2];
      const float* rb = pb + n * sb.stride[0] + c * sb.stride[1] + h * sb.stride[2];
      for (int64_t w = 0; w < d3; ++w) out[h * d3 + w] = f(ra[w * sa.stride[3]], rb[w * sb.stride[3]]);
    }
  });
}

void binary_forward(BinOp op, const Tensor& a, const Tensor& b, Tensor& y) {
  switch (op) {
    case BinOp::Add: binary_loop(a, b, y, [](float u, float v) { return u + v; }); break;
    case BinOp::Sub: binary_loop(a, b, y, [](float u, float v) { return u - v; }); break;
    case BinOp::Mul: binary_loop(a, b, y, [](float u, float v) { return u * v; }); break;
    case BinOp::Div: binary_loop(a, b, y, [](float u, float v) { return u / v; }); break;
  }
}

void broadcast_to(const Tensor& x, Tensor& y) {
  binary_loop(x, x, y, [](float u, float) { return u; });
}

// Sums x into y over y's size-1 dims. Each output element is summed by one thread
// in double, so the result does not depend on the thread count.
void reduce_sum_to(const Tensor& x, Tensor& y) {
  Bcast4 sy = bcast4(y.shape(), x.shape());
  const int64_t* d = sy.dims;
  int64_t ny = y.numel();
  std::vector<double> acc(static_cast<size_t>(ny), 0.0);
  // Output index of x element (n,c,h,w) is sum(idx_k * stride_k) of y's broadcast strides.
  const float* px = x.data();
  if (ny == 1) {
    double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static) if (x.numel() >= kMinParallelWork)
    for (int64_t i = 0; i < x.numel(); ++i) s += px[i];
    y.data()[0] = static_cast<float>(s);
    return;
  }
  for (int64_t n = 0; n < d[0]; ++n)
    for (int64_t c = 0; c < d[1]; ++c)
      for (int64_t h = 0; h < d[2]; ++h) {
        const float* row = px + ((n * d[1] + c) * d[2] + h) * d[3];
        int64_t base = n * sy.stride[0] + c * sy.stride[1] + h * sy.stride[2];
        for (int64_t w = 0; w < d[3]; ++w) acc[static_cast<size_t>(base + w * sy.stride[3])] += row[w];
      }
  float* py = y.data();
  for (int64_t i = 0; i < ny; ++i) py[i] = static_cast<float>(acc[static_cast<size_t>(i)]);
}

void sum_all(const Tensor& x, Tensor& out) {
  const float* p = x.data();
  double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static) if (x.numel() >= kMinParallelWork)
  for (int64_t i = 0; i < x.numel(); ++i) s += p[i];
  out.data()[0] = static_cast<float>(s);
}

// ---- losses and optimiser steps ----------------------------------------------

void mse_forward(const Tensor& a, const Tensor& b, Tensor& out) {
  const float* pa = a.data();
  const float* pb = b.data();
  int64_t n = a.numel();
  double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static) if (n >= kMinParallelWork)
  for (int64_t i = 0; i < n; ++i) {
    double d = static_cast<double>(pa[i]) - pb[i];
    s += d * d;
  }
  out.data()[0] = static_cast<float>(s / static_cast<double>(n));
}

void mse_backward(const Tensor& a, const Tensor& b, const Tensor& dout, Tensor& da) {
  const float* pa = a.data();
  const float* pb = b.data();
  float* pd = da.data();
  float k = 2.0f * dout.data()[0] / static_cast<float>(a.numel());
  for_each_chunk(a.numel(), [=](int64_t i) { pd[i] = k * (pa[i] - pb[i]); });
}

void adam_update(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v, const AdamParams& p, int64_t step) {
  float* w = param.data();
  const float* g = grad.data();
  float* pm = m.data();
  float* pv = v.data();
  float bc1 = 1.0f - std::pow(p.beta1, static_cast<float>(step));
  float bc2 = 1.0f - std::pow(p.beta2, static_cast<float>(step));
  float step_size = p.lr / bc1;
  float b1 = p.beta1, b2 = p.beta2, eps = p.eps;
  for_each_chunk(param.numel(), [=](int64_t i) {
    pm[i] = b1 * pm[i] + (1.0f - b1) * g[i];
    pv[i] = b2 * pv[i] + (1.0f - b2) * g[i] * g[i];
    w[i] -= step_size * pm[i] / (std::sqrt(pv[i] / bc2) + eps);
  });
}

float dot(const Tensor& a, const Tensor& b) {
  const float* pa = a.data();
  const float* pb = b.data();
  double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static) if (a.numel() >= kMinParallelWork)
  for (int64_t i = 0; i < a.numel(); ++i) s += static_cast<double>(pa[i]) * pb[i];
  return static_cast<float>(s);
}

}  // namespace cpu

[[noreturn]] void throw_no_cuda(const char* kernel) {
  throw Error(std::string(kernel) + ": this build of depthstyle has no CUDA support (configure with -DDEPTHSTYLE_CUDA=ON)");
}

}  // namespace ds
