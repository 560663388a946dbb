// Feed-forward style transfer with a depth loss (Johnson et al., plus the depth loss of
// Liu et al.): training the fast-style transformer (FastStyleNet) on a folder of images.
//
// Per batch x [B,3,H,W] with output y = T(x), every term averaged over the batch:
//   content = a · ½ Σ (F(y) − F(x))²                      at one loss-network layer
//   style   = b · Σ_l w_l (1/(4N²)) Σ (G_l(y)/M − A_l/M)²  A_l: Gram of the style image (computed once)
//   tv      = c · Σ squared neighbour differences of y
//   depth   = d · mean (φ(y) − φ(x))² + Σ_k d_k · mean (φ_k(y) − φ_k(x))²
// φ is the depth network's depth output at its own input size (FastDepth: 224x224), φ_k its
// named intermediate layers; each is a mean over its elements, so layers of different sizes
// weigh alike. The loss and depth networks are frozen; only the transformer learns (Adam).
//
// Checkpoints (docs/feedforward.md): <dir>/step_NNNNNN.h5 is an ordinary `fast_style_tf`
// weight file (same names as the pretrained ones, plus the attribute `step`), and
// <dir>/step_NNNNNN.optim.h5 (architecture `fast_style_adam_state`) holds what --resume
// needs: Adam's m.<name> and v.<name> per parameter, the step, the data stream position,
// the seed / batch / crop size / image count the run used, and the loss history.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "apps/lib/args.h"
#include "nn/pretrained.h"
#include "apps/lib/train_data.h"

namespace ds {
namespace app {

struct TrainConfig {
  std::string content_layer;
  std::vector<std::string> style_layers;
  std::vector<float> style_layer_weights;  // one per style layer
  float content_weight = 1, style_weight = 1, tv_weight = 0, depth_weight = 0;
  std::vector<std::string> depth_layers;   // depth network layers for the depth loss
  std::vector<float> depth_layer_weights;  // one per depth layer
  float lr = 1e-3f;
  int batch_size = 4;
};

// Loss layers and weights for a loss network ("squeezenet", "vgg16"): the layers of the
// optimisation method (stylize's default_config) with weights for a transformer.
TrainConfig default_train_config(const std::string& net);

// The loss options shared by `train` and `fast-eval`: --net, --weights, --content-layer,
// --style-layers, --style-layer-weights, --content-weight, --style-weight, --tv-weight,
// --depth-weight, --depth-layers, --depth-layer-weights, --monodepth2; and the TrainConfig
// they give (lr and batch size left at their defaults).
void declare_loss_options(Args& a);
TrainConfig loss_config_from(const Args& a);

// The training loss (above), shared by training and evaluation.
class TransferLoss {
 public:
  // style_image [1,3,h,w] in [0,1]; depth_net may be null when no depth term is weighted.
  TransferLoss(const FeatureNet& loss_net, const DepthEstimator* depth_net, const Tensor& style_image,
               const TrainConfig& cfg, Device device);
  static std::vector<std::string> term_names();  // total, content, style, tv, depth
  // The weighted total for input x and output y (both [B,3,H,W] on the device); `terms`
  // receives the values of term_names() in order.
  Var total(const Var& x, const Var& y, std::vector<double>* terms) const;
  bool uses_depth() const;

 private:
  const FeatureNet& net_;
  const DepthEstimator* depth_net_;
  TrainConfig cfg_;
  std::vector<std::string> layers_, depth_taps_;
  std::vector<Var> grams_;  // style image's Grams / M, one per style layer
};

// Transformer weights: `init` is "random" (He-normal convs, std sqrt(2 / (Cin·kh·kw)),
// instance-norm scale 1 and shift 0, from `seed`), a file (a fast_style_tf weight file or
// a checkpoint), or a pretrained style name (la_muse, ...; ds::load_fast_style in fast.h).
ParamSet fast_style_init(const std::string& init, uint64_t seed);

std::string checkpoint_path(const std::string& dir, int64_t step);  // <dir>/step_NNNNNN.h5
std::string optim_path(const std::string& checkpoint);                // <...>.optim.h5
// A checkpoint file as is, or for a folder the checkpoint with the highest step in it.
std::string resolve_checkpoint(const std::string& file_or_dir);

class Trainer {
 public:
  // Parameters are moved to `device` and made trainable. `data` must outlive the trainer.
  Trainer(ParamSet transformer, const TransferLoss& loss, ImageStream& data, TrainConfig cfg, Device device);

  // One Adam step on the next batch; returns the history row it appended:
  // {step, seconds (training time so far, across resumes), term values...}.
  const std::vector<double>& step();
  // Term values of the current transformer on a batch, without changing anything.
  std::vector<double> evaluate(const Tensor& batch) const;

  // Writes checkpoint_path-style files: the weights (with `attrs` added) and the optimiser state.
  void save(const std::string& checkpoint, const std::map<std::string, h5::AttrValue>& attrs) const;
  // Restores weights, Adam state, step, stream position and history; errors when the saved
  // seed, batch size, crop size or image count differ from this run's (the data would differ).
  void resume(const std::string& checkpoint);

  int64_t steps_done() const { return step_; }
  int64_t cursor() const { return cursor_; }
  const std::vector<std::vector<double>>& history() const { return history_; }
  const FastStyleNet& net() const { return net_; }

 private:
  FastStyleNet net_;
  const TransferLoss& loss_;
  ImageStream& data_;
  TrainConfig cfg_;
  Device device_;
  std::vector<std::string> names_;  // parameter names, in ParamSet order
  std::vector<Var> params_;
  // Adam's moments are kept here rather than in nn::Adam so a checkpoint can save and
  // restore them; the update itself is the shared adam_update kernel.
  std::vector<Tensor> m_, v_;
  int64_t step_ = 0, cursor_ = 0;
  std::vector<std::vector<double>> history_;
};

}  // namespace app
}  // namespace ds
