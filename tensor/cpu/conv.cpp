// CPU conv2d and conv_transpose2d kernels: im2col + GEMM (3x3 stride-1 convs may go to the
// Winograd kernels of winograd.cpp instead, see conv_algo.h).
//
// Per image and group, with K = cig*kh*kw rows and P = ho*wo output pixels:
//   forward          Y_g [cog, P] = W_g [cog, K] * col [K, P]
//   backward_data    col = W_g^T dY_g, then col2im adds every column entry back onto dx
//   backward_filter  dW_g = sum over images of dY_g col^T
// where column row (c, i, j), entry (oh, ow) is x[c, oh*sh - pt + i*dh, ow*sw - pl + j*dw], zero
// in the padding. The column matrix is built for a chunk of output pixels at a time (at most
// kColBudget floats or as many as the weights, so memory stays bounded for large images) and
// GEMM writes straight into the strided output (ldc = P). A 1x1, stride-1, unpadded conv needs
// no columns: x itself is the [cig, P] matrix. Depthwise convs use the direct kernels of
// conv_depthwise.cpp.
// Transposed convs are these same functions with the roles swapped (see conv_internal.h).
//
// Threads: independent work items (forward: image x group x chunk; backward_data: image x
// group; backward_filter: group) are spread over threads when there are enough of them, each
// item running serially with its thread's own column buffer; otherwise im2col/col2im split
// channels among threads and GEMM splits its output. Either way every output element is
// computed by one thread in the same order, so results do not depend on the thread count.
#include <vector>

#include "tensor/cpu/conv_internal.h"
#include "tensor/cpu/isa_kernels.h"
#include "tensor/cpu/parallel.h"

namespace ds {
namespace cpu {

void conv::init_channels(float* t, int64_t n, int64_t c, int64_t hw, const float* bias) {
  parallel_for(n * c, hw, [&](int64_t nc) { std::fill(t + nc * hw, t + (nc + 1) * hw, bias ? bias[nc % c] : 0.0f); });
}

namespace {

using conv::Geom;
using conv::run_items;

constexpr int64_t kColBudget = 1 << 19;  // floats in one column chunk (2 MB, about the L2 size)

// Pixels per chunk of a GEMM with inner dimension k and `weights` = cog * k weights: at most the
// budget, the chunks of about equal size (rounded up to whole micro-kernel column blocks of 32),
// so that a layer just over the budget is not cut into one full chunk and a sliver. Every chunk
// packs (or, for the filter gradient, reads and writes) all the weights once, so a chunk may
// hold as many floats as the weights: below that, the repeated packing costs more than the
// columns save. ResNet18's stage 4 at 192x640 (512 channels, 120 pixels, 4608 rows) was cut
// into 2 chunks by the 2 MB budget, each packing its 9.4 MB of weights: the input gradient took
// 10.1 ms where its one GEMM takes 5.8 (docs/benchmarks.md).
int64_t chunk_pixels(int64_t k, int64_t pixels, int64_t weights) {
  const int64_t budget = std::max(kColBudget, weights);
  const int64_t most = std::min(pixels, std::max<int64_t>(32, budget / k));
  const int64_t chunks = (pixels + most - 1) / most;
  return std::min(most, ((pixels + chunks - 1) / chunks + 31) / 32 * 32);
}

// 1x1, stride 1, no padding, and x-space and y-space of the same size (a transposed conv's
// output padding can make them differ): column matrix == x.
bool is_pointwise(const Geom& g) {
  const Conv2dParams& p = g.p;
  return g.kh == 1 && g.kw == 1 && p.stride_h == 1 && p.stride_w == 1 && p.pad_top == 0 && p.pad_bottom == 0 &&
         p.pad_left == 0 && p.pad_right == 0 && g.h == g.ho && g.w == g.wo;
}

// Walks the column rows of the cig channel planes at xg for output pixels [p0, p1).
// Gather (im2col, XT = const float): col[r][q - p0] = x value, or 0 in the padding.
// Scatter (col2im, XT = float): adds each col entry onto its x position.
// The rows of one channel touch only that channel's plane, so threads split channels.
// With reflection padding (gather only: the input gradient folds a padded copy) the rows and
// columns outside the image read the pixels they mirror (index -i reads i, n - 1 + i reads n - 1 - i).
template <bool kScatter, class XT, class CT>
void walk_columns(const Geom& g, XT* xg, CT* col, int64_t p0, int64_t p1, bool threaded) {
  const Conv2dParams& p = g.p;
  const bool reflect = p.pad_mode == PadMode::Reflect;
  if (kScatter && reflect) throw Error("col2im: reflection padding is folded by the caller");
  int64_t pc = p1 - p0;
  auto channel = [&](int64_t c) {
    XT* plane = xg + c * g.h * g.w;
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        CT* row = col + ((c * g.kh + i) * g.kw + j) * pc;
        int64_t off = j * p.dil_w - p.pad_left, lo, hi;
        conv::valid_range(g.wo, p.stride_w, off, g.w, lo, hi);
        for (int64_t q = p0; q < p1;) {  // one output row (or its part inside the chunk) per step
          int64_t oh = q / g.wo, ow0 = q % g.wo, ow1 = std::min(g.wo, ow0 + p1 - q);
          int64_t ih = oh * p.stride_h - p.pad_top + i * p.dil_h;
          if (reflect) ih = reflect_index(ih, g.h);
          bool inside = ih >= 0 && ih < g.h;
          int64_t a = inside ? std::clamp(lo, ow0, ow1) : ow1;  // [a, b): columns inside the image
          int64_t b = inside ? std::clamp(hi, a, ow1) : ow1;
          CT* seg = row + (q - p0);  // seg[ow - ow0] is output column ow
          XT* src = plane + (inside ? ih * g.w : 0);
          // Stride 1 (the common case) gets its own loops, which the compiler vectorises.
          if constexpr (kScatter) {
            if (p.stride_w == 1)
              for (int64_t ow = a; ow < b; ++ow) src[ow + off] += seg[ow - ow0];
            else
              for (int64_t ow = a; ow < b; ++ow) src[ow * p.stride_w + off] += seg[ow - ow0];
          } else {
            if (reflect) {  // the columns [ow0, a) and [b, ow1) outside the image, mirrored
              for (int64_t ow = ow0; ow < a; ++ow) seg[ow - ow0] = src[reflect_index(ow * p.stride_w + off, g.w)];
              for (int64_t ow = b; ow < ow1; ++ow) seg[ow - ow0] = src[reflect_index(ow * p.stride_w + off, g.w)];
            } else {
              std::fill(seg, seg + (a - ow0), 0.0f);
              std::fill(seg + (b - ow0), seg + (ow1 - ow0), 0.0f);
            }
            if (p.stride_w == 1)
              for (int64_t ow = a; ow < b; ++ow) seg[ow - ow0] = src[ow + off];
            else
              for (int64_t ow = a; ow < b; ++ow) seg[ow - ow0] = src[ow * p.stride_w + off];
          }
          q += ow1 - ow0;
        }
      }
  };
  if (threaded) {
    parallel_for(g.cig(), g.taps() * pc, channel);
  } else {
    for (int64_t c = 0; c < g.cig(); ++c) channel(c);
  }
}

void im2col(const Geom& g, const float* xg, float* col, int64_t p0, int64_t p1, bool threaded) {
  walk_columns<false>(g, xg, col, p0, p1, threaded);
}
void col2im(const Geom& g, const float* col, float* xg, int64_t p0, int64_t p1, bool threaded) {
  walk_columns<true>(g, xg, col, p0, p1, threaded);
}

// Row-major GEMM on int64 sizes (all sizes here fit in int).
void mm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
        float beta, float* c, int64_t ldc) {
  gemm(ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b,
       static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

// Sizes of one image/group step; the pixels [0, P) are cut into `chunks` chunks of `chunk`.
struct Dims {
  int64_t cig, cog, hw, P, K, chunk, chunks;
  explicit Dims(const Geom& g)
      : cig(g.cig()), cog(g.cog()), hw(g.h * g.w), P(g.ho * g.wo), K(cig * g.taps()),
        chunk(chunk_pixels(K, P, cog * K)), chunks((P + chunk - 1) / chunk) {}
};

// y = conv(x, w) + bias through im2col + GEMM. Work items: (image, group, pixel chunk), each
// writing its own columns of y.
void forward_im2col(const Geom& g, const float* x, const float* w, const float* bias, float* y) {
  Dims d(g);
  float beta = bias ? 1.0f : 0.0f;  // GEMM adds onto the bias
  if (bias) conv::init_channels(y, g.n, g.cout, d.P, bias);
  auto weights = [&](int64_t grp) { return w + grp * d.cog * d.K; };
  auto input = [&](int64_t n, int64_t grp) { return x + (n * g.cin + grp * d.cig) * d.hw; };
  auto output = [&](int64_t n, int64_t grp) { return y + (n * g.cout + grp * d.cog) * d.P; };
  if (is_pointwise(g)) {
    for (int64_t n = 0; n < g.n; ++n)
      for (int64_t grp = 0; grp < g.groups; ++grp)
        mm(false, false, d.cog, d.P, d.K, weights(grp), d.K, input(n, grp), d.hw, beta, output(n, grp), d.P);
    return;
  }
  int64_t macs = d.cog * d.K * d.chunk;
  run_items(g.n * g.groups * d.chunks, d.K * d.chunk, macs, [&](int64_t i, float* col, bool threaded) {
    int64_t ng = i / d.chunks, n = ng / g.groups, grp = ng % g.groups;
    int64_t p0 = i % d.chunks * d.chunk, p1 = std::min(d.P, p0 + d.chunk);
    im2col(g, input(n, grp), col, p0, p1, threaded);
    mm(false, false, d.cog, p1 - p0, d.K, weights(grp), d.K, col, p1 - p0, beta, output(n, grp) + p0, d.P);
  });
}

// Stride 1, dilation 1, ungrouped, at most kDirectMaxChannels output or input channels: the
// direct kernel (conv_direct_kernel.inc), where im2col's GEMM would have 1-4 rows (Monodepth2's
// disparity heads, the fast-style output layer, the input gradient of a conv on RGB) or an inner
// dimension of 1-4 channels times the taps (the fast-style 9x9 input layer, VGG16's conv1_1).
bool direct(const Geom& g) {
  const Conv2dParams& p = g.p;
  return g.groups == 1 && std::min(g.cout, g.cin) <= kDirectMaxChannels && p.stride_h == 1 && p.stride_w == 1 &&
         p.dil_h == 1 && p.dil_w == 1 && g.ho == g.h + p.pad_top + p.pad_bottom - g.kh + 1 &&
         g.wo == g.w + p.pad_left + p.pad_right - g.kw + 1;
}

void forward_direct(const Geom& g, const float* x, const float* w, const float* bias, float* y) {
  for (int64_t n = 0; n < g.n; ++n)
    kernels().conv_direct(DirectConv{g.cin, g.h, g.w, g.cout, g.ho, g.wo, g.kh, g.kw, g.p.pad_top, g.p.pad_left,
                                     x + n * g.cin * g.h * g.w, w, bias, y + n * g.cout * g.ho * g.wo,
                                     g.p.pad_mode == PadMode::Reflect});
}

void forward(const Geom& g, const float* x, const float* w, const float* bias, float* y) {
  if (g.depthwise()) return conv::depthwise_forward(g, x, w, bias, y);
  if (int tile = conv::winograd_choice(g, false)) return conv::winograd_forward(g, tile, x, w, bias, y);
  if (direct(g)) return forward_direct(g, x, w, bias, y);
  forward_im2col(g, x, w, bias, y);
}

// The input gradient of a stride-1 convolution is itself a stride-1 convolution, of dy: weights
// rotated by 180 degrees with input and output channels swapped, padding (k - 1) * dilation - pad
// (negative: a crop). Its im2col gathers cog * kh * kw rows of dy, where the col2im path writes
// cig * kh * kw rows (and zeroes them first) that it then scatters back onto dx: less memory
// traffic and a longer GEMM inner dimension when cog < cig (Monodepth2's decoder convs and its
// disparity head, 16 -> 1 channel at full size).
// Also at equal channel counts up to 64 (Monodepth2's 16 -> 16 at full size): there the col2im
// GEMM's inner dimension (cog) is too short to pay for writing its cig * kh * kw rows. At 512 ->
// 512 (VGG16 conv5_1) col2im measured faster (docs/benchmarks.md). With at most
// kDirectMaxChannels input channels (a conv on RGB) the convolution of dy goes to the direct kernel.
bool data_grad_as_conv(const Geom& g) {
  return g.p.stride_h == 1 && g.p.stride_w == 1 &&
         (g.cog() < g.cig() || (g.cog() == g.cig() && g.cog() <= 64) || (g.groups == 1 && g.cin <= kDirectMaxChannels));
}

void backward_data_as_conv(const Geom& g, const float* dy, const float* w, const float* bias, float* dx) {
  const int64_t cig = g.cig(), cog = g.cog(), taps = g.taps();
  std::vector<float> rotated(static_cast<size_t>(g.cout * cig * taps));  // [groups * cig, cog, kh, kw]
  for (int64_t grp = 0; grp < g.groups; ++grp)  // in the order of `rotated`: sequential writes
    for (int64_t c = 0; c < cig; ++c)
      for (int64_t o = 0; o < cog; ++o)
        for (int64_t t = 0; t < taps; ++t)
          rotated[((grp * cig + c) * cog + o) * taps + (taps - 1 - t)] = w[((grp * cog + o) * cig + c) * taps + t];
  Conv2dParams p = g.p;
  p.pad_top = (g.kh - 1) * g.p.dil_h - g.p.pad_top;
  p.pad_left = (g.kw - 1) * g.p.dil_w - g.p.pad_left;
  p.pad_bottom = (g.kh - 1) * g.p.dil_h - g.p.pad_bottom;
  p.pad_right = (g.kw - 1) * g.p.dil_w - g.p.pad_right;
  Geom f{g.n, g.cout, g.ho, g.wo, g.cin, g.h, g.w, g.kh, g.kw, g.groups, p};
  if (direct(f)) return forward_direct(f, dy, rotated.data(), bias, dx);
  forward_im2col(f, dy, rotated.data(), bias, dx);
}

// dx = conv^T(dy) (+ bias per x-space channel, for a transposed conv's forward).
// Work items: (image, group); chunks of one image overlap in dx, so they run in order.
void backward_data(const Geom& g, const float* dy, const float* w, const float* bias, float* dx) {
  if (g.depthwise()) return conv::depthwise_backward_data(g, dy, w, bias, dx);
  if (int tile = conv::winograd_choice(g, true)) return conv::winograd_backward_data(g, tile, dy, w, bias, dx);
  Dims d(g);
  auto weights = [&](int64_t grp) { return w + grp * d.cog * d.K; };
  auto grad_out = [&](int64_t n, int64_t grp) { return dy + (n * g.cout + grp * d.cog) * d.P; };
  auto grad_in = [&](int64_t n, int64_t grp) { return dx + (n * g.cin + grp * d.cig) * d.hw; };
  if (data_grad_as_conv(g) && !is_pointwise(g)) return backward_data_as_conv(g, dy, w, bias, dx);
  if (is_pointwise(g)) {
    if (bias) conv::init_channels(dx, g.n, g.cin, d.hw, bias);
    for (int64_t n = 0; n < g.n; ++n)
      for (int64_t grp = 0; grp < g.groups; ++grp)
        mm(true, false, d.K, d.P, d.cog, weights(grp), d.K, grad_out(n, grp), d.P, bias ? 1.0f : 0.0f, grad_in(n, grp),
           d.hw);
    return;
  }
  conv::init_channels(dx, g.n, g.cin, d.hw, bias);  // col2im accumulates
  run_items(g.n * g.groups, d.K * d.chunk, d.cog * d.K * d.P, [&](int64_t i, float* col, bool threaded) {
    int64_t n = i / g.groups, grp = i % g.groups;
    for (int64_t p0 = 0; p0 < d.P; p0 += d.chunk) {
      int64_t p1 = std::min(d.P, p0 + d.chunk);
      mm(true, false, d.K, p1 - p0, d.cog, weights(grp), d.K, grad_out(n, grp) + p0, d.P, 0.0f, col, p1 - p0);
      col2im(g, col, grad_in(n, grp), p0, p1, threaded);
    }
  });
}

// dw = sum over images of dy * col^T. Work items: groups (each owns its block of dw; images and
// chunks accumulate into it in order).
void backward_filter(const Geom& g, const float* dy, const float* x, float* dw) {
  if (g.depthwise()) return conv::depthwise_backward_filter(g, dy, x, dw);
  Dims d(g);
  bool pointwise = is_pointwise(g);
  int64_t macs = g.n * d.cog * d.K * d.P;
  run_items(g.groups, pointwise ? 0 : d.K * d.chunk, macs, [&](int64_t grp, float* col, bool threaded) {
    float* dwg = dw + grp * d.cog * d.K;
    float beta = 0.0f;  // the first product overwrites dw, later ones accumulate
    for (int64_t n = 0; n < g.n; ++n) {
      const float* dyg = dy + (n * g.cout + grp * d.cog) * d.P;
      const float* xg = x + (n * g.cin + grp * d.cig) * d.hw;
      if (pointwise) {
        mm(false, true, d.cog, d.K, d.P, dyg, d.P, xg, d.hw, beta, dwg, d.K);
        beta = 1.0f;
        continue;
      }
      for (int64_t p0 = 0; p0 < d.P; p0 += d.chunk) {
        int64_t p1 = std::min(d.P, p0 + d.chunk);
        im2col(g, xg, col, p0, p1, threaded);
        mm(false, true, d.cog, d.K, p1 - p0, dyg + p0, d.P, col, p1 - p0, beta, dwg, d.K);
        beta = 1.0f;
      }
    }
  });
}

const float* opt_data(const Tensor& b) { return b.defined() ? b.data() : nullptr; }

// Reflection padding (Conv2dParams::pad_mode): the Winograd, direct and im2col forwards and the
// im2col weight gradient read the mirrored rows and columns in place (Monodepth2's decoder, the
// pytorch/examples transformer's convolutions), and the Winograd input gradient folds the
// border's gradient onto the pixels it mirrors as it writes dx, saving the padded copies'
// writes and reads. The depthwise kernels run the unpadded convolution of a padded copy, and
// the other input gradients are the padded input's folded back by pad2d_backward, as
// ReflectionPad2d's would be.
//
// What autograd's conv2d checks, again at the kernels (bench_conv and the tests call them
// directly): every mirrored row and column exists.
void check_reflection(const Shape& x, const Conv2dParams& p) {
  if (!reflection_fits(p.padding(), x[2], x[3]))
    throw Error("conv2d: reflection padding (" + p.str() + ") must be non-negative and smaller than the input " +
                shape_str(x));
}

Shape padded_shape(const Shape& s, const Conv2dParams& p) {
  return {s[0], s[1], s[2] + p.pad_top + p.pad_bottom, s[3] + p.pad_left + p.pad_right};
}
Tensor reflection_padded(const Tensor& x, const Conv2dParams& p) {
  Tensor xp = Tensor::empty(padded_shape(x.shape(), p));
  pad2d_forward(x, xp, p.padding(), PadMode::Reflect);
  return xp;
}

}  // namespace

using conv::make_geom;

// An upsampled input (Conv2dParams::upsample): the Winograd forward reads row y / f, column x / f
// of x for the enlarged input's (y, x) in place, without the enlarged copy (pytorch/examples'
// transformer at 1280x720: 354 MB); the other paths run on the copy (resize_nearest_forward).
void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y, const Conv2dParams& p) {
  if (p.upsample > 1) {
    const Shape& s = x.shape();
    const Shape big{s[0], s[1], s[2] * p.upsample, s[3] * p.upsample};
    if (p.pad_mode == PadMode::Reflect) check_reflection(big, p);
    const Geom g = make_geom(big, w.shape(), y.shape(), p);
    if (int tile = conv::winograd_choice(g, false))
      return conv::winograd_forward(g, tile, x.data(), w.data(), opt_data(b), y.data());
    Tensor xu = Tensor::empty(big);
    resize_nearest_forward(x, xu);
    return conv2d_forward(xu, w, b, y, p.not_upsampled());
  }
  const Geom g = make_geom(x.shape(), w.shape(), y.shape(), p);
  if (p.pad_mode == PadMode::Reflect) {
    check_reflection(x.shape(), p);
    if (int tile = conv::winograd_choice(g, false))
      return conv::winograd_forward(g, tile, x.data(), w.data(), opt_data(b), y.data());
    if (direct(g)) return forward_direct(g, x.data(), w.data(), opt_data(b), y.data());
    if (!g.depthwise()) return forward_im2col(g, x.data(), w.data(), opt_data(b), y.data());
    Tensor xp = reflection_padded(x, p);
    return forward(make_geom(xp.shape(), w.shape(), y.shape(), p.unpadded()), xp.data(), w.data(), opt_data(b),
                   y.data());
  }
  forward(g, x.data(), w.data(), opt_data(b), y.data());
}

void conv2d_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx, const Conv2dParams& p) {
  check_not_upsampled("conv2d_backward_data", p);
  if (p.pad_mode == PadMode::Reflect) {
    check_reflection(dx.shape(), p);
    const Shape padded = padded_shape(dx.shape(), p);
    const Geom unpadded = make_geom(padded, w.shape(), dy.shape(), p.unpadded());
    if (int tile = conv::winograd_choice(unpadded, true))
      return conv::winograd_backward_data_reflect(make_geom(dx.shape(), w.shape(), dy.shape(), p), tile, dy.data(),
                                                  w.data(), dx.data());
    Tensor dxp = Tensor::empty(padded);
    backward_data(unpadded, dy.data(), w.data(), nullptr, dxp.data());
    return pad2d_backward(dxp, dx, p.padding(), PadMode::Reflect);
  }
  backward_data(make_geom(dx.shape(), w.shape(), dy.shape(), p), dy.data(), w.data(), nullptr, dx.data());
}

void conv2d_backward_filter(const Tensor& dy, const Tensor& x, Tensor& dw, const Conv2dParams& p) {
  check_not_upsampled("conv2d_backward_filter", p);
  const Geom g = make_geom(x.shape(), dw.shape(), dy.shape(), p);
  if (p.pad_mode == PadMode::Reflect) {
    check_reflection(x.shape(), p);
    if (g.depthwise()) {  // im2col reads the reflection; the depthwise kernel does not
      Tensor xp = reflection_padded(x, p);
      return backward_filter(make_geom(xp.shape(), dw.shape(), dy.shape(), p.unpadded()), dy.data(), xp.data(),
                             dw.data());
    }
  }
  backward_filter(g, dy.data(), x.data(), dw.data());
}

// Transposed: the underlying conv maps this op's output space (its x-space) to its input.
void conv_transpose2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y, const Conv2dParams& p) {
  backward_data(make_geom(y.shape(), w.shape(), x.shape(), p), x.data(), w.data(), opt_data(b), y.data());
}

void conv_transpose2d_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx, const Conv2dParams& p) {
  forward(make_geom(dy.shape(), w.shape(), dx.shape(), p), dy.data(), w.data(), nullptr, dx.data());
}

void conv_transpose2d_backward_filter(const Tensor& dy, const Tensor& x, Tensor& dw, const Conv2dParams& p) {
  // The underlying conv's output gradient is x, its input dy.
  backward_filter(make_geom(dy.shape(), dw.shape(), x.shape(), p), x.data(), dy.data(), dw.data());
}

}  // namespace cpu
}  // namespace ds
