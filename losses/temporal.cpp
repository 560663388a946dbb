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

// sum_c (a - b)^2 at pixel i of image n (CPU tensors [N,C,H,W]).
double pixel_sq_diff(const Tensor& a, const Tensor& b, int64_t n, int64_t i) {
  const int64_t C = a.C(), plane = a.H() * a.W();
  double s = 0;
  for (int64_t c = 0; c < C; ++c) {
    double d = static_cast<double>(a.data()[(n * C + c) * plane + i]) - b.data()[(n * C + c) * plane + i];
    s += d * d;
  }
  return s;
}


// Over the pixels with weight > 0.5: the mean of sum_c d^2 (squared) or of |d| per channel.
double masked_mean(const char* op, const Tensor& a_in, const Tensor& b_in, const Tensor& weight, bool squared) {
  check_pair(op, a_in, b_in, weight);
  Tensor a = on_cpu(a_in), b = on_cpu(b_in), m = on_cpu(weight);
  const int64_t C = a.C(), plane = a.H() * a.W();
  double sum = 0, count = 0;
  for (int64_t n = 0; n < a.N(); ++n)
    for (int64_t i = 0; i < plane; ++i) {
      if (!(m.data()[n * plane + i] > 0.5f)) continue;
      if (squared) {
        sum += pixel_sq_diff(a, b, n, i);
        count += 1;
        continue;
      }
      for (int64_t c = 0; c < C; ++c)
        sum += std::fabs(static_cast<double>(a.data()[(n * C + c) * plane + i]) - b.data()[(n * C + c) * plane + i]);
      count += static_cast<double>(C);
    }
  return count > 0 ? sum / count : 0.0;
}

}  // namespace

Var temporal_loss(const Var& x, const Tensor& warped_prev, const Tensor& weight) {
  check_pair("temporal_loss", x.value(), warped_prev, weight);
  Var d = x - Var(warped_prev);
  return mean(Var(weight) * d * d);
}

double warping_error(const Tensor& out, const Tensor& warped_prev, const Tensor& weight) {
  return masked_mean("warping_error", out, warped_prev, weight, true);
}

double masked_mean_abs_diff(const Tensor& a, const Tensor& b, const Tensor& weight) {
  return masked_mean("masked_mean_abs_diff", a, b, weight, false);
}

Tensor consistency_weight(const Tensor& reliability, const Tensor& frame, const Tensor& warped_prev_frame, float lambda,
                          float sigma) {
  check_pair("consistency_weight", frame, warped_prev_frame, reliability);
  Tensor c = on_cpu(reliability), f = on_cpu(frame), g = on_cpu(warped_prev_frame);
  const int64_t plane = f.H() * f.W();
  Tensor w = Tensor::empty(c.shape());
  for (int64_t n = 0; n < f.N(); ++n)
    for (int64_t i = 0; i < plane; ++i)
      w.data()[n * plane + i] = static_cast<float>(lambda * c.data()[n * plane + i] *
                                                   std::exp(-pixel_sq_diff(f, g, n, i) / (sigma * sigma)));
  return w;
}

}  // namespace ds
