#include "losses/temporal.h"

#include <cmath>
#include <vector>

#include "tensor/error.h"

namespace ds {

namespace {

void check_pair(const char* op, const Tensor& a, const Tensor& b, const Tensor& weight) {
  if (a.ndim() != 4 || a.shape() != b.shape() || weight.ndim() != 4 || weight.N() != a.N() || weight.C() != 1 ||
      weight.H() != a.H() || weight.W() != a.W())
    throw Error(std::string(op) + ": images " + shape_str(a.shape()) + " and " + shape_str(b.shape()) + " with weight " +
                shape_str(weight.shape()) + " (expected [N,C,H,W] twice and [N,1,H,W])");
}

Tensor on_cpu(const Tensor& t) { return t.is_cuda() ? t.to(Device::CPU) : t; }

}  // namespace

Var temporal_loss(const Var& x, const Tensor& warped_prev, const Tensor& weight) {
  check_pair("temporal_loss", x.value(), warped_prev, weight);
  Var d = x - Var(warped_prev);
  return mean(Var(weight) * d * d);
}

double warping_error(const Tensor& out, const Tensor& warped_prev, const Tensor& weight) {
  check_pair("warping_error", out, warped_prev, weight);
  Tensor a = on_cpu(out), b = on_cpu(warped_prev), m = on_cpu(weight);
  const int64_t C = a.C(), plane = a.H() * a.W();
  double sum = 0, count = 0;
  for (int64_t n = 0; n < a.N(); ++n)
    for (int64_t i = 0; i < plane; ++i) {
      if (!(m.data()[n * plane + i] > 0.5f)) continue;
      double s = 0;
      for (int64_t c = 0; c < C; ++c) {
        double d = static_cast<double>(a.data()[(n * C + c) * plane + i]) - b.data()[(n * C + c) * plane + i];
        s += d * d;
      }
      sum += s;
      count += 1;
    }
  return count > 0 ? sum / count : 0.0;
}

double masked_mean_abs_diff(const Tensor& a_in, const Tensor& b_in, const Tensor& weight) {
  check_pair("masked_mean_abs_diff", a_in, b_in, weight);
  Tensor a = on_cpu(a_in), b = on_cpu(b_in), m = on_cpu(weight);
  const int64_t C = a.C(), plane = a.H() * a.W();
  double sum = 0, count = 0;
  for (int64_t n = 0; n < a.N(); ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < plane; ++i)
        if (m.data()[n * plane + i] > 0.5f) {
          sum += std::fabs(static_cast<double>(a.data()[(n * C + c) * plane + i]) - b.data()[(n * C + c) * plane + i]);
          count += 1;
        }
  return count > 0 ? sum / count : 0.0;
}

Tensor consistency_weight(const Tensor& reliability, const Tensor& frame, const Tensor& warped_prev_frame, float lambda,
                          float sigma) {
  check_pair("consistency_weight", frame, warped_prev_frame, reliability);
  Tensor c = on_cpu(reliability), f = on_cpu(frame), g = on_cpu(warped_prev_frame);
  const int64_t C = f.C(), plane = f.H() * f.W();
  Tensor w = Tensor::empty(c.shape());
  for (int64_t n = 0; n < f.N(); ++n)
    for (int64_t i = 0; i < plane; ++i) {
      double r = 0;
      for (int64_t ch = 0; ch < C; ++ch) {
        double d = static_cast<double>(f.data()[(n * C + ch) * plane + i]) - g.data()[(n * C + ch) * plane + i];
        r += d * d;
      }
      w.data()[n * plane + i] = static_cast<float>(lambda * c.data()[n * plane + i] * std::exp(-r / (sigma * sigma)));
    }
  return w;
}

}  // namespace ds
