// The loss vocabulary of the command line, declared once for `stylize`, `train` and
// `fast-eval`, so one option name means one thing everywhere (losses/transfer_loss.h):
//   --content-weight A (α)  --style-total-weight B (β)  --style-weight W (w_s, per style)
//   --tv-weight C (γ)  --depth-weight D (δ)  --depth-layers LIST  --depth-layer-weights LIST
//   --content-layers LIST (--content-layer NAME)  --content-layer-weights LIST
//   --style-layers LIST  --style-layer-weights LIST
//   --net NAME  --weights FILE  --pooling max|avg  --monodepth2 FILE
// Defaults come from default_loss_spec(net, method): a weight not given keeps its default.
// Parsed once into LossOptions; the drivers below the commands see only that.
#pragma once
#include <iostream>
#include <string>
#include <vector>

#include "apps/common/args.h"
#include "losses/transfer_loss.h"

namespace ds {
namespace app {

// `method`: whose defaults --help states (train and fast-eval: FeedForward; their one style
// makes --style-weight the deprecated spelling of --style-total-weight there).
void declare_loss_options(Args& a, TransferMethod method = TransferMethod::Optimisation);

// The loss and the networks it needs, as typed values.
struct LossOptions {
  LossSpec spec;
  std::string net = "squeezenet";  // --net: squeezenet | vgg16 | vgg19 | nin
  std::string weights;             // --weights: the loss network's file ("": the prepared one)
  Pooling pooling = Pooling::Max;  // --pooling
  std::string monodepth2;          // --monodepth2: Monodepth2's file ("": FastDepth)
  // The loss network's layers the loss reads: the style layers, then the content layers not among them.
  std::vector<std::string> taps() const;
  std::string feature_net_file() const;  // nn/pretrained.h; ds::Error when it cannot be found
  std::string depth_net_file() const;
  FeatureNet load_feature_net(Device device) const;
  std::unique_ptr<DepthEstimator> load_depth_net(Device device) const;
};

// The loss options of `a`. Errors (UsageError naming the option): a weight that is not a
// number in [0, 1e12], --depth-layer-weights without --depth-layers, an unknown --net or
// --pooling, a content, style or depth layer that its network does not have (checked from the
// layer names alone, nn/pretrained.h, before anything is loaded; layer and weight counts are
// checked by TransferLoss).
// Deprecated for one release: `train` / `fast-eval` --style-weight meant β (they have one
// style). With method FeedForward, --style-weight alone still sets β, and a note saying so
// goes to `warn`; given together with --style-total-weight it is an error.
LossOptions loss_options_from(const Args& a, TransferMethod method, std::ostream& warn = std::cerr);
LossSpec loss_spec_from(const Args& a, TransferMethod method, std::ostream& warn = std::cerr);

// w_s for each of n styles (stylize): --style-weight given once (for all), once per style
// in order, as one comma list (2,1), or not at all (1 each). Errors: another count, a value
// that is not a number >= 0.
std::vector<float> style_weights_from(const Args& a, size_t n_styles);

// The k-th of n values of a repeated per-style option, the only value for all, or `def`
// when it was not given; ds::Error when it was given neither once nor n times.
std::string per_style(const Args& a, const std::string& option, size_t k, size_t n, const std::string& def);

// UsageError "OPTION: NET has no layer named 'X'; its layers are: ..." for the first of `layers`
// not in `valid` (the network's layer names, nn/pretrained.h: known without loading any weights).
void check_layer_names(const std::string& option, const std::string& net, const std::vector<std::string>& layers,
                       const std::vector<std::string>& valid);

}  // namespace app
}  // namespace ds
