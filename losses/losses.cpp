#include "losses/losses.h"

namespace ds {

Var content_loss(const Var& f, const Var& p) {
  Var d = f - p;
  return sum(d * d) * 0.5f;
}

Var masked_content_loss(const Var& f, const Var& p, const Var& mask) {
  Var d = (f - p) * mask;
  return sum(d * d) * 0.5f;
}

Var gram_over_m(const Var& f) {
  const Shape& s = f.shape();
  if (s.size() != 4) throw Error("gram: expected features [N,C,H,W], got " + shape_str(s));
  return gram(f, 1.0f / static_cast<float>(s[2] * s[3]));
}

float mask_eta(const Tensor& mask) {
  std::vector<float> m = mask.to_vector();
  double s = 0;
  for (float v : m) s += static_cast<double>(v) * v;
  return m.empty() ? 0.0f : static_cast<float>(s / static_cast<double>(m.size()));
}

float style_mask_eta(const Tensor& mask) {
  float eta = mask_eta(mask);
  if (!(eta > 1e-12f)) throw Error("masked style: the style mask is zero everywhere at this layer (eta = 0)");
  return eta;
}

Var masked_gram_over_m(const Var& f, const Var& mask) {
  return gram_over_m(f * mask) * (1.0f / style_mask_eta(mask.value()));
}

Var style_loss_from_grams(const Var& g_over_m, const Var& a_over_m) {
  const Shape& s = g_over_m.shape();
  float n = static_cast<float>(s.back());
  Var d = g_over_m - a_over_m;
  return sum(d * d) * (1.0f / (4.0f * n * n));
}

Var style_loss_from_features(const Var& f, const Var& mask, float eta, const Var& a_over_m) {
  const Shape& s = f.shape();
  if (s.size() != 4 || a_over_m.shape() != Shape{s[0], s[1], s[1]})
    return style_loss_from_grams(mask.defined() ? gram_over_m(f * mask) * (1.0f / eta) : gram_over_m(f), a_over_m);
  float m = static_cast<float>(s[2] * s[3]), n = static_cast<float>(s[1]);
  if (!mask.defined()) eta = 1.0f;
  return gram_mse(mask.defined() ? f * mask : f, a_over_m, 1.0f / (m * eta), 1.0f / (4.0f * n * n));
}

Var tv_loss(const Var& x) {
  const Shape& s = x.shape();
  if (s.size() != 4 || s[2] < 2 || s[3] < 2) throw Error("tv_loss: expected an image [N,C,H,W] with H, W >= 2, got " + shape_str(s));
  // Neighbour differences through crops: rows 1..H-1 minus rows 0..H-2, likewise columns.
  Var dh = pad2d(x, {-1, 0, 0, 0}, PadMode::Zero) - pad2d(x, {0, -1, 0, 0}, PadMode::Zero);
  Var dw = pad2d(x, {0, 0, -1, 0}, PadMode::Zero) - pad2d(x, {0, 0, 0, -1}, PadMode::Zero);
  return sum(dh * dh) + sum(dw * dw);
}

Var depth_loss(const Var& depth_content, const Var& depth_pastiche) {
  return mse_loss(depth_pastiche, depth_content);
}

}  // namespace ds
