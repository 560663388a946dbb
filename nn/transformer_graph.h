// A feed-forward style transformer written as a list of layers, one per line of text: the
// `graph` attribute of a `transformer_graph` weight file (docs/weights-format.md). It holds the
// transformer networks of pytorch/examples fast_neural_style (TransformerNet) and of
// jcjohnson/fast-neural-style (Johnson et al. 2016, "Perceptual Losses for Real-Time Style
// Transfer"), whose checkpoints differ in their layers: instance or batch norm, zero or
// reflection padding, transposed convolutions or nearest upsampling, residual blocks that pad
// or that shave their shortcut, a tanh times a constant or no output nonlinearity.
//
// Grammar: one layer per line, `op [NAME] key=value ...`; blank lines and lines starting with
// # are ignored. Activations are [N,C,H,W]; C starts at 3 and must end at 3.
//   conv NAME in=I out=O k=K stride=S pad=P bias=0|1     NAME.weight [O,I,K,K], NAME.bias [O] (zero padding P)
//   deconv NAME in=I out=O k=K stride=S pad=P adj=A bias=0|1   transposed: NAME.weight [I,O,K,K];
//                                                        output (H-1)*S - 2P + K + A (PyTorch output_padding A)
//   instance_norm NAME c=C eps=E     per sample and channel over H x W, biased variance; NAME.weight, NAME.bias [C]
//   batch_norm NAME c=C eps=E        inference: NAME.weight, .bias, .running_mean, .running_var [C]
//   pad reflect|zero l=L r=R t=T b=B
//   relu | tanh | mul v=V | upsample f=F (nearest, integer factor)
//   residual_begin                   remembers the activation (the shortcut)
//   residual_end shave=S             activation + the shortcut cropped by S pixels on each side
//   tap NAME                         names the activation here (layer names for taps)
// Every error is a ds::Error naming the line ("graph line 7: ...").
#pragma once
#include <string>
#include <vector>

#include "nn/models.h"

namespace ds {

class TransformerGraph {
 public:
  // Parses and checks the text: the grammar, channels that chain (each conv's in= is the current
  // channel count, a residual block keeps it), residual blocks that close, names used once, and 3
  // channels at the end.
  explicit TransformerGraph(const std::string& text);
  const std::string& text() const { return text_; }
  ParamShapes param_shapes() const;          // every parameter the layers read, in order
  std::vector<std::string> tap_names() const;  // the `tap` names, in order
  // Runs the layers on x (the preprocessed input), emitting each tap into t; returns the last
  // activation, or an undefined Var when t had everything it wanted before the end.
  Var run(const ParamSet& p, const Var& x, TapSet& t) const;

  // What run costs on an input of shape [N,C,H,W], from the layers' output shapes alone (nothing
  // runs): the largest activation and the sum of all of them (floats), and the convolutions'
  // multiply-adds (N·Cout·Hout·Wout·Cin·K² each; a transposed one N·Cin·H·W·Cout·K²). For sizing
  // work before it: the fuzz target skips lists that would run for seconds (an upsample f=64
  // then a few convolutions is ~10^9 multiply-adds on a 9x12 image). Counts the layers up to the
  // first one that cannot take its input (`complete` false: run throws there), such as a
  // reflection pad not smaller than the image, a convolution larger than its padded input or a
  // shortcut of another shape; never throws.
  // `peak`: the most floats alive at once without gradients (`fast`: run's folds, ops that write
  // in place, the input held by the caller, the shortcuts; at the end the output, its copy in 0..1
  // and its crop; not the enlarged copy a folded upsample's conv makes inside the kernel when it
  // does not run as Winograd: few channels or a small image); `output`: the last activation's shape, before FastStyleNet's crop.
  struct Cost {
    int64_t largest = 0, total = 0, multiply_adds = 0, peak = 0;
    Shape output;
    bool complete = true;
  };
  Cost cost(const Shape& input) const;
  // The smallest side s (up to 4096) of an s x s image the layers take and give back at least as
  // large (FastStyleNet crops it to the input): pytorch/examples' TransformerNet 5 (its 9x9
  // reflection pad of 4), fast-neural-style's reflect-start models 41; 0 when none does (an
  // output always smaller than its input, as fast-neural-style's -padding_type none).
  int64_t min_side() const;

  struct Layer {
    enum class Op { Conv, Deconv, InstanceNorm, BatchNorm, Pad, Relu, Tanh, Mul, Upsample, ResBegin, ResEnd, Tap };
    Op op = Op::Relu;
    std::string name;
    int in = 0, out = 0, k = 0, stride = 1, pad = 0, adj = 0, factor = 1, shave = 0;
    bool bias = false, reflect = false;
    int l = 0, r = 0, t = 0, b = 0;
    float eps = 0, value = 1;
    int line = 0;
  };

 private:
  std::string text_;
  std::vector<Layer> layers_;
};

}  // namespace ds
