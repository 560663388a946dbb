// Parameters shared by the op layer and by both kernel backends (CPU and CUDA).
#pragma once
#include <cstdint>
#include <string>

namespace ds {

// Spatial padding. Negative amounts crop (zero mode only).
struct Pad2dParams {
  int top = 0, bottom = 0, left = 0, right = 0;
  std::string str() const;
};
enum class PadMode { Zero, Reflect };
// The input index that index i of a reflection-padded axis of n reads, for i in [-(n-1), 2n-2]:
// the edge is not repeated (PyTorch's ReflectionPad2d: -1 reads 1, n reads n - 2).
constexpr int64_t reflect_index(int64_t i, int64_t n) { return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i); }
// Whether reflection padding p has a pixel to mirror everywhere on an h x w input: every amount
// >= 0 and smaller than its axis (PyTorch's rule).
inline bool reflection_fits(const Pad2dParams& p, int64_t h, int64_t w) {
  return p.top >= 0 && p.bottom >= 0 && p.left >= 0 && p.right >= 0 && p.top < h && p.bottom < h && p.left < w &&
         p.right < w;
}

// 2-D convolution / transposed convolution. Padding may be asymmetric (TensorFlow 'SAME').
// Output size (conv):       Ho = (H + pad_top + pad_bottom - dil_h*(kh-1) - 1) / stride_h + 1
// Output size (transposed): Ho = (H-1)*stride_h - pad_top - pad_bottom + dil_h*(kh-1) + 1 + out_pad_h
struct Conv2dParams {
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int dil_h = 1, dil_w = 1;
  int groups = 1;
  int out_pad_h = 0, out_pad_w = 0;  // transposed convolution only
  // Reflect (convolution only): the padding repeats the input mirrored about its edge rows and
  // columns, as PyTorch's Conv2d(padding_mode='reflect') or nn.ReflectionPad2d before the conv;
  // each amount must be smaller than the input's size along its axis. The CPU kernels read the
  // reflection in place where they can (Winograd, direct, im2col) instead of padding a copy.
  PadMode pad_mode = PadMode::Zero;
  // Upsample (convolution only, stride 1, no dilation or groups): the input is first enlarged
  // `upsample` times by nearest neighbour, as PyTorch's nn.Upsample(scale_factor=upsample) or
  // F.interpolate(mode='nearest') before the convolution (pytorch/examples' UpsampleConvLayer);
  // padding and output size are those of the enlarged input [N, C, H·f, W·f]. Only the CPU
  // Winograd forward without gradients reads it in place (virtual row y is input row y / f);
  // everything else runs on an enlarged copy: autograd's conv2d makes one when a gradient is
  // recorded or on CUDA, and the other CPU kernels make one themselves.
  int upsample = 1;

  static Conv2dParams make(int stride, int pad, int dil = 1, int groups = 1) {
    Conv2dParams p;
    p.stride_h = p.stride_w = stride;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
    p.dil_h = p.dil_w = dil;
    p.groups = groups;
    return p;
  }
  std::string str() const;
  // The padding alone, as pad2d takes it, and the same convolution without it (of the padded
  // input): what a kernel runs where it does not read the reflection in place.
  Pad2dParams padding() const { return Pad2dParams{pad_top, pad_bottom, pad_left, pad_right}; }
  Conv2dParams unpadded() const {
    Conv2dParams q = *this;
    q.pad_top = q.pad_bottom = q.pad_left = q.pad_right = 0;
    q.pad_mode = PadMode::Zero;
    return q;
  }
  // The same convolution of the enlarged input (upsample 1).
  Conv2dParams not_upsampled() const {
    Conv2dParams q = *this;
    q.upsample = 1;
    return q;
  }
};
// The gradient kernels (CPU and CUDA) and the transposed ones take the input as it is: autograd's
// conv2d gives them the enlarged copy of an upsampled input. Throws ds::Error naming `kernel`
// when p.upsample is not 1 (a direct caller's mistake).
void check_not_upsampled(const char* kernel, const Conv2dParams& p);

// Max / average pooling. ceil_mode as in PyTorch: the last window must start inside the
// input or the left padding. count_include_pad (average only) as in PyTorch.
struct Pool2dParams {
  int kh = 2, kw = 2;
  int stride_h = 2, stride_w = 2;
  int pad_h = 0, pad_w = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;

  static Pool2dParams make(int k, int stride, int pad = 0, bool ceil_mode = false) {
    Pool2dParams p;
    p.kh = p.kw = k;
    p.stride_h = p.stride_w = stride;
    p.pad_h = p.pad_w = pad;
    p.ceil_mode = ceil_mode;
    return p;
  }
  int out_h(int h) const;
  int out_w(int w) const;
  std::string str() const;
};

// Pointwise activations. All backward passes are computed from the output y alone,
// so the autograd layer only keeps y alive:
//   relu: y>0;  relu6: 0<y<6;  elu(alpha): y>0 ? 1 : y+alpha;  sigmoid: y(1-y);  tanh: 1-y^2.
enum class Act { Relu, Relu6, Elu, Sigmoid, Tanh };
const char* act_name(Act a);

// Elementwise binary ops with broadcasting (see binary_forward).
enum class BinOp { Add, Sub, Mul, Div };
const char* binop_name(BinOp op);

// Adam hyper-parameters (bias-corrected, as in Kingma & Ba; step counts from 1).
struct AdamParams {
  float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
};

}  // namespace ds
