#include <cmath>

#include "tests/oracle.h"

namespace dst {

DTensor activation_ref(const DTensor& x, ds::Act act, double alpha) {
  DTensor y(x.shape);
  for (size_t i = 0; i < x.v.size(); ++i) {
    double v = x.v[i];
    switch (act) {
      case ds::Act::Relu: y.v[i] = v > 0 ? v : 0; break;
      case ds::Act::Relu6: y.v[i] = v < 0 ? 0 : (v > 6 ? 6 : v); break;
      case ds::Act::Elu: y.v[i] = v > 0 ? v : alpha * (std::exp(v) - 1); break;
      case ds::Act::Sigmoid: y.v[i] = 1 / (1 + std::exp(-v)); break;
      case ds::Act::Tanh: y.v[i] = std::tanh(v); break;
    }
  }
  return y;
}

// Broadcasting by explicit index arithmetic: right-align the shapes, size-1 dims repeat.
DTensor binary_ref(ds::BinOp op, const DTensor& a, const DTensor& b) {
  size_t rank = std::max(a.shape.size(), b.shape.size());
  auto padded = [rank](const Shape& s) {
    Shape r(rank - s.size(), 1);
    r.insert(r.end(), s.begin(), s.end());
    return r;
  };
  Shape as = padded(a.shape), bs = padded(b.shape), ys(rank);
  for (size_t k = 0; k < rank; ++k) ys[k] = std::max(as[k], bs[k]);
  DTensor y(ys);
  std::vector<int64_t> idx(rank, 0);
  for (int64_t flat = 0; flat < y.numel(); ++flat) {
    int64_t rem = flat;
    for (size_t k = rank; k-- > 0;) idx[k] = rem % ys[k], rem /= ys[k];
    int64_t ia = 0, ib = 0;
    for (size_t k = 0; k < rank; ++k) {
      ia = ia * as[k] + (as[k] == 1 ? 0 : idx[k]);
      ib = ib * bs[k] + (bs[k] == 1 ? 0 : idx[k]);
    }
    double u = a.v[static_cast<size_t>(ia)], w = b.v[static_cast<size_t>(ib)];
    double r = 0;
    switch (op) {
      case ds::BinOp::Add: r = u + w; break;
      case ds::BinOp::Sub: r = u - w; break;
      case ds::BinOp::Mul: r = u * w; break;
      case ds::BinOp::Div: r = u / w; break;
    }
    y.v[static_cast<size_t>(flat)] = r;
  }
  return y;
}

DTensor scale_add_ref(const DTensor& x, double alpha, double beta) {
  DTensor y(x.shape);
  for (size_t i = 0; i < x.v.size(); ++i) y.v[i] = alpha * x.v[i] + beta;
  return y;
}

DTensor sum_ref(const DTensor& x) {
  DTensor y(Shape{1});
  for (double v : x.v) y.v[0] += v;
  return y;
}

DTensor mean_ref(const DTensor& x) {
  DTensor y = sum_ref(x);
  y.v[0] /= static_cast<double>(x.numel());
  return y;
}

DTensor mse_ref(const DTensor& a, const DTensor& b) {
  DTensor y(Shape{1});
  for (size_t i = 0; i < a.v.size(); ++i) y.v[0] += (a.v[i] - b.v[i]) * (a.v[i] - b.v[i]);
  y.v[0] /= static_cast<double>(a.numel());
  return y;
}

DTensor gram_ref(const DTensor& f, double scale) {
  int64_t n = f.dim(0), c = f.dim(1), hw = f.dim(2) * f.dim(3);
  DTensor g(Shape{n, c, c});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < c; ++i)
      for (int64_t j = 0; j < c; ++j) {
        double s = 0;
        for (int64_t k = 0; k < hw; ++k)
          s += f.v[static_cast<size_t>((b * c + i) * hw + k)] * f.v[static_cast<size_t>((b * c + j) * hw + k)];
        g.v[static_cast<size_t>((b * c + i) * c + j)] = scale * s;
      }
  return g;
}

}  // namespace dst
