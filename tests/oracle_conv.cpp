// Float64 oracles for conv2d and conv_transpose2d, as plain loops over the definitions:
// conv2d gathers each output from its window; conv_transpose2d scatters each input pixel
// times the kernel into the output. Neither is written in terms of the other.
#include "tests/oracle.h"

namespace dst {

// y[n, co, oh, ow] = b[co] + sum over ci in co's group, i, j of
//   x[n, ci, oh*sh - pt + i*dh, ow*sw - pl + j*dw] * w[co, ci - group start, i, j]   (zero outside x)
// Reflection padding (p.pad_mode): the definition, the conv without padding of the input padded
// by the reflection oracle. An upsampled input (p.upsample): the conv of the input enlarged by the
// nearest-neighbour oracle (resize_nearest_ref), padding included.
DTensor conv2d_ref(const DTensor& x, const DTensor& w, const DTensor* b, const ds::Conv2dParams& p) {
  if (p.upsample != 1) {
    ds::Conv2dParams q = p;
    q.upsample = 1;
    return conv2d_ref(resize_nearest_ref(x, x.dim(2) * p.upsample, x.dim(3) * p.upsample), w, b, q);
  }
  if (p.pad_mode == ds::PadMode::Reflect) {
    ds::Conv2dParams q = p;
    q.pad_mode = ds::PadMode::Zero;
    q.pad_top = q.pad_bottom = q.pad_left = q.pad_right = 0;
    ds::Pad2dParams pads{p.pad_top, p.pad_bottom, p.pad_left, p.pad_right};
    return conv2d_ref(pad2d_ref(x, pads, ds::PadMode::Reflect), w, b, q);
  }
  int64_t n = x.dim(0), h = x.dim(2), wd = x.dim(3);
  int64_t cout = w.dim(0), cig = w.dim(1), kh = w.dim(2), kw = w.dim(3);
  int64_t cog = cout / p.groups;
  int64_t ho = (h + p.pad_top + p.pad_bottom - p.dil_h * (kh - 1) - 1) / p.stride_h + 1;
  int64_t wo = (wd + p.pad_left + p.pad_right - p.dil_w * (kw - 1) - 1) / p.stride_w + 1;
  DTensor y(Shape{n, cout, ho, wo});
  for (int64_t b0 = 0; b0 < n; ++b0)
    for (int64_t co = 0; co < cout; ++co) {
      int64_t c0 = (co / cog) * cig;  // first input channel of co's group
      for (int64_t oh = 0; oh < ho; ++oh)
        for (int64_t ow = 0; ow < wo; ++ow) {
          double s = b ? b->v[static_cast<size_t>(co)] : 0.0;
          for (int64_t ci = 0; ci < cig; ++ci)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                int64_t ih = oh * p.stride_h - p.pad_top + i * p.dil_h;
                int64_t iw = ow * p.stride_w - p.pad_left + j * p.dil_w;
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                s += x.at(b0, c0 + ci, ih, iw) * w.at(co, ci, i, j);
              }
          y.at(b0, co, oh, ow) = s;
        }
    }
  return y;
}

// y = b + for every input pixel x[n, ci, ih, iw] and tap (i, j), and every output channel co of
// ci's group: y[n, co, ih*sh - pt + i*dh, iw*sw - pl + j*dw] += x[...] * w[ci, co - group start, i, j],
// dropping positions outside y. Output size as in PyTorch, with output padding.
DTensor conv_transpose2d_ref(const DTensor& x, const DTensor& w, const DTensor* b, const ds::Conv2dParams& p) {
  int64_t n = x.dim(0), cin = x.dim(1), h = x.dim(2), wd = x.dim(3);
  int64_t cog = w.dim(1), kh = w.dim(2), kw = w.dim(3);
  int64_t cout = cog * p.groups, cig = cin / p.groups;
  int64_t ho = (h - 1) * p.stride_h - p.pad_top - p.pad_bottom + p.dil_h * (kh - 1) + 1 + p.out_pad_h;
  int64_t wo = (wd - 1) * p.stride_w - p.pad_left - p.pad_right + p.dil_w * (kw - 1) + 1 + p.out_pad_w;
  DTensor y(Shape{n, cout, ho, wo});
  for (int64_t b0 = 0; b0 < n; ++b0)
    for (int64_t co = 0; co < cout; ++co)
      for (int64_t oh = 0; oh < ho; ++oh)
        for (int64_t ow = 0; ow < wo; ++ow) y.at(b0, co, oh, ow) = b ? b->v[static_cast<size_t>(co)] : 0.0;
  for (int64_t b0 = 0; b0 < n; ++b0)
    for (int64_t ci = 0; ci < cin; ++ci) {
      int64_t co0 = (ci / cig) * cog;  // first output channel of ci's group
      for (int64_t ih = 0; ih < h; ++ih)
        for (int64_t iw = 0; iw < wd; ++iw) {
          double v = x.at(b0, ci, ih, iw);
          for (int64_t k = 0; k < cog; ++k)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                int64_t oh = ih * p.stride_h - p.pad_top + i * p.dil_h;
                int64_t ow = iw * p.stride_w - p.pad_left + j * p.dil_w;
                if (oh < 0 || oh >= ho || ow < 0 || ow >= wo) continue;
                y.at(b0, co0 + k, oh, ow) += v * w.at(ci, k, i, j);
              }
        }
    }
  return y;
}

}  // namespace dst
