// CUDA kernels: fill, scaling, activations, broadcasting binary ops and their reductions.
// CPU twin: tensor/cpu/pointwise.cpp (the scalar reductions, MSE and Adam of that file are
// in cuda/reduce.cu and cuda/optim.cu).
#include "cuda/launch.cuh"
#include "tensor/kernels.h"

namespace ds {
namespace cuda {

void fill(Tensor& y, float value) {
  float* p = y.data();
  for_each("fill", y.numel(), [=] __device__(int64_t i) { p[i] = value; });
}

void scale_add(const Tensor& x, float alpha, float beta, Tensor& y) {
  const float* a = x.data();
  float* p = y.data();
  for_each("scale_add", y.numel(), [=] __device__(int64_t i) { p[i] = alpha * a[i] + beta; });
}

void add_inplace(Tensor& y, const Tensor& x, float alpha) {
  const float* a = x.data();
  float* p = y.data();
  for_each("add_inplace", y.numel(), [=] __device__(int64_t i) { p[i] += alpha * a[i]; });
}

// s stays on the device: each thread reads s[0], so the host never waits for it.
void scale_by(const Tensor& x, const Tensor& s, Tensor& y) {
  const float* k = s.data();
  const float* a = x.data();
  float* p = y.data();
  for_each("scale_by", y.numel(), [=] __device__(int64_t i) { p[i] = k[0] * a[i]; });
}

// ---- activations -------------------------------------------------------------

template <class F>
static void map1(const char* name, const Tensor& x, Tensor& y, F f) {
  const float* a = x.data();
  float* p = y.data();
  for_each(name, y.numel(), [=] __device__(int64_t i) { p[i] = f(a[i]); });
}

void activation_forward(Act act, float alpha, const Tensor& x, Tensor& y) {
  switch (act) {
    case Act::Relu: map1("relu", x, y, [] __device__(float v) { return v > 0 ? v : 0.0f; }); break;
    case Act::Relu6: map1("relu6", x, y, [] __device__(float v) { return fminf(fmaxf(v, 0.0f), 6.0f); }); break;
    case Act::Elu: map1("elu", x, y, [=] __device__(float v) { return v > 0 ? v : alpha * expm1f(v); }); break;
    case Act::Sigmoid: map1("sigmoid", x, y, [] __device__(float v) { return 1.0f / (1.0f + expf(-v)); }); break;
    case Act::Tanh: map1("tanh", x, y, [] __device__(float v) { return tanhf(v); }); break;
  }
}

// f(y, dy) -> dx; from the output alone (see Act in tensor/params.h).
template <class F>
static void map2(const char* name, const Tensor& y, const Tensor& dy, Tensor& dx, F f) {
  const float* o = y.data();
  const float* g = dy.data();
  float* d = dx.data();
  for_each(name, dx.numel(), [=] __device__(int64_t i) { d[i] = f(o[i], g[i]); });
}

void activation_backward(Act act, float alpha, const Tensor& y, const Tensor& dy, Tensor& dx) {
  switch (act) {
    case Act::Relu: map2("relu_backward", y, dy, dx, [] __device__(float o, float g) { return o > 0 ? g : 0.0f; }); break;
    case Act::Relu6:
      map2("relu6_backward", y, dy, dx, [] __device__(float o, float g) { return (o > 0 && o < 6) ? g : 0.0f; });
      break;
    case Act::Elu:
      map2("elu_backward", y, dy, dx, [=] __device__(float o, float g) { return o > 0 ? g : g * (o + alpha); });
      break;
    case Act::Sigmoid:
      map2("sigmoid_backward", y, dy, dx, [] __device__(float o, float g) { return g * o * (1.0f - o); });
      break;
    case Act::Tanh: map2("tanh_backward", y, dy, dx, [] __device__(float o, float g) { return g * (1.0f - o * o); }); break;
  }
}

// One thread per mask byte (8 elements), so no two threads write the same byte.
void relu_mask_forward(const Tensor& x, Tensor& y, Tensor& mask) {
  const float* a = x.data();
  float* p = y.data();
  unsigned char* m = reinterpret_cast<unsigned char*>(mask.data());
  int64_t n = x.numel();
  for_each("relu_mask", (n + 7) / 8, [=] __device__(int64_t byte) {
    unsigned bits = 0;
    int64_t b = byte * 8, e = min(n, b + 8);
    for (int64_t i = b; i < e; ++i) {
      bool pos = a[i] > 0;
      bits |= static_cast<unsigned>(pos) << (i - b);
      p[i] = pos ? a[i] : 0.0f;
    }
    m[byte] = static_cast<unsigned char>(bits);
  });
}

void relu_mask_backward(const Tensor& mask, const Tensor& dy, Tensor& dx) {
  const unsigned char* m = reinterpret_cast<const unsigned char*>(mask.data());
  const float* g = dy.data();
  float* d = dx.data();
  for_each("relu_mask_backward", dx.numel(),
           [=] __device__(int64_t i) { d[i] = (m[i >> 3] >> (i & 7)) & 1 ? g[i] : 0.0f; });
}

// ---- broadcasting ----------------------------------------------------------
// Shapes are padded to 4 dims (the op layer allows at most 4). An operand's element
// strides are 0 along the dims where it has size 1 and the output does not.

struct Bcast4 {
  int64_t dims[4];    // the output's dims
  int64_t stride[4];  // the operand's element strides over them
};

static Bcast4 bcast4(const Shape& operand, const Shape& out) {
  if (out.size() > 4 || operand.size() != out.size())
    throw Error("cuda broadcast: ranks " + shape_str(operand) + " and " + shape_str(out) + " unsupported (at most 4, equal)");
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

// Offset in the operand of output element i.
__device__ inline int64_t operand_offset(const Bcast4& b, int64_t i) {
  int64_t off = 0;
  for (int k = 3; k >= 0; --k) {
    off += (i % b.dims[k]) * b.stride[k];
    i /= b.dims[k];
  }
  return off;
}

template <class F>
static void binary_loop(const char* name, const Tensor& a, const Tensor& b, Tensor& y, F f) {
  const float* pa = a.data();
  const float* pb = b.data();
  float* py = y.data();
  if (a.shape() == y.shape() && b.shape() == y.shape()) {
    for_each(name, y.numel(), [=] __device__(int64_t i) { py[i] = f(pa[i], pb[i]); });
    return;
  }
  Bcast4 sa = bcast4(a.shape(), y.shape()), sb = bcast4(b.shape(), y.shape());
  for_each(name, y.numel(), [=] __device__(int64_t i) {
    py[i] = f(pa[operand_offset(sa, i)], pb[operand_offset(sb, i)]);
  });
}

void binary_forward(BinOp op, const Tensor& a, const Tensor& b, Tensor& y) {
  switch (op) {
    case BinOp::Add: binary_loop("add", a, b, y, [] __device__(float u, float v) { return u + v; }); break;
    case BinOp::Sub: binary_loop("sub", a, b, y, [] __device__(float u, float v) { return u - v; }); break;
    case BinOp::Mul: binary_loop("mul", a, b, y, [] __device__(float u, float v) { return u * v; }); break;
    case BinOp::Div: binary_loop("div", a, b, y, [] __device__(float u, float v) { return u / v; }); break;
  }
}

void broadcast_to(const Tensor& x, Tensor& y) {
  binary_loop("broadcast_to", x, x, y, [] __device__(float u, float) { return u; });
}

// Sums x over y's size-1 dims. Gather form: each output element sums its own inputs in
// double, in row-major order, so no atomics and the same result every run. One thread per
// output when it sums few inputs, one block per output (block reduction) otherwise.
void reduce_sum_to(const Tensor& x, Tensor& y) {
  Bcast4 sy = bcast4(y.shape(), x.shape());  // dims: x's; strides: y's over them
  // The reduced dims, and x's strides over all dims.
  Bcast4 red{};
  int64_t xs = 1;
  for (int k = 3; k >= 0; --k) {
    bool reduced = sy.stride[k] == 0;
    red.dims[k] = reduced ? sy.dims[k] : 1;
    red.stride[k] = xs;
    xs *= sy.dims[k];
  }
  int64_t ny = y.numel(), count = x.numel() / ny;
  // Offset in x of the first input of output o: o's index over the kept dims.
  Bcast4 kept{};
  for (int k = 0; k < 4; ++k) {
    kept.dims[k] = sy.stride[k] == 0 ? 1 : sy.dims[k];
    kept.stride[k] = red.stride[k];
  }
  const float* px = x.data();
  float* py = y.data();
  if (count <= 64) {
    for_each("reduce_sum_to", ny, [=] __device__(int64_t o) {
      int64_t base = operand_offset(kept, o);
      double s = 0;
      for (int64_t r = 0; r < count; ++r) s += px[base + operand_offset(red, r)];
      py[o] = static_cast<float>(s);
    });
  } else {
    for_each_block("reduce_sum_to", ny, [=] __device__(int64_t o) {
      int64_t base = operand_offset(kept, o);
      double s = 0;
      for (int64_t r = threadIdx.x; r < count; r += kThreads) s += px[base + operand_offset(red, r)];
      s = block_sum(s);
      if (threadIdx.x == 0) py[o] = static_cast<float>(s);
    });
  }
}

}  // namespace cuda
}  // namespace ds
