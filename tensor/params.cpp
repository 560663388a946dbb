// The parameter structs' helpers (tensor/params.h). They live in tensor/ because both kernel
// backends use them (cuda/ names the parameters in its error messages), and tensor/ and cuda/
// may not call into autograd/.
#include "tensor/params.h"

#include "tensor/error.h"

namespace ds {

std::string Conv2dParams::str() const {
  return "stride " + std::to_string(stride_h) + "x" + std::to_string(stride_w) + ", pad " +
         (pad_mode == PadMode::Reflect ? "reflect " : "") + "(t" + std::to_string(pad_top) + " b" +
         std::to_string(pad_bottom) + " l" + std::to_string(pad_left) + " r" + std::to_string(pad_right) +
         "), dilation " + std::to_string(dil_h) + "x" + std::to_string(dil_w) + ", groups " + std::to_string(groups) +
         (upsample != 1 ? ", upsample " + std::to_string(upsample) : "");
}

void check_not_upsampled(const char* kernel, const Conv2dParams& p) {
  if (p.upsample != 1)
    throw Error(std::string(kernel) + ": takes the enlarged input, not upsample " + std::to_string(p.upsample) +
                " (autograd's conv2d enlarges it when it records gradients)");
}

// PyTorch's rule: floor or ceil of (in + 2p - k)/s, plus one; in ceil mode the last window
// must start inside the input or the left padding.
static int pool_out(int in, int k, int s, int p, bool ceil_mode) {
  int span = in + 2 * p - k;
  int out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  if (ceil_mode && (out - 1) * s >= in + p) --out;
  return out;
}
int Pool2dParams::out_h(int h) const { return pool_out(h, kh, stride_h, pad_h, ceil_mode); }
int Pool2dParams::out_w(int w) const { return pool_out(w, kw, stride_w, pad_w, ceil_mode); }

std::string Pool2dParams::str() const {
  return "kernel " + std::to_string(kh) + "x" + std::to_string(kw) + ", stride " + std::to_string(stride_h) + "x" +
         std::to_string(stride_w) + ", pad " + std::to_string(pad_h) + "x" + std::to_string(pad_w) +
         (ceil_mode ? ", ceil_mode" : "");
}

std::string Pad2dParams::str() const {
  return "pad (t" + std::to_string(top) + " b" + std::to_string(bottom) + " l" + std::to_string(left) + " r" +
         std::to_string(right) + ")";
}

}  // namespace ds
