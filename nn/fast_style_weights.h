// Weights and running of the feed-forward style transformers (Johnson et al. 2016; nn/models.h,
// FastStyleNet) in the project's fast_style_tf and transformer_graph weight formats
// (docs/weights-format.md): the pretrained styles, converted networks, a fresh initialisation for
// training, and stylising one image.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nn/models.h"
#include "tensor/tensor.h"
#include "weights/weights.h"

namespace ds {

// The pretrained styles scripts/setup prepares as <prepared>/weights/fast_style_<name>.h5.
const std::vector<std::string>& fast_style_names();
std::string fast_style_list();  // the names comma-separated, for messages

// Training checkpoints (depthstyle train -o DIR): DIR/step_NNNNNN.h5, a transformer file like
// any other, beside DIR/step_NNNNNN.optim.h5, the optimiser's state.
// A checkpoint file as is, or for a folder the checkpoint with the highest step in it (what
// train --resume DIR continues); ds::Error naming a folder without one.
std::string resolve_checkpoint(const std::string& file_or_dir);
// The step in a checkpoint's file name (step_NNNNNN.h5), or -1 for another name.
int64_t checkpoint_step(const std::string& path);
// The checkpoint files (step_NNNNNN.h5) in a folder; none when it does not exist.
std::vector<std::string> existing_checkpoints(const std::string& dir);

// model_or_name: a project HDF5 file of architecture fast_style_tf or transformer_graph (a
// converted pytorch/examples or jcjohnson/fast-neural-style network: its layers and
// preprocessing are in the file), a train folder (its latest checkpoint, resolve_checkpoint),
// or one of fast_style_names(). Errors: an unknown model name (listing the known ones), a
// prepared file that is missing (saying to run scripts/setup), a checkpoint's .optim.h5
// (naming the checkpoint to give), a file of another architecture (naming it), a graph that
// does not parse (naming its line), a file whose parameters differ from the network's
// (FastStyleNet::expected_params()).
FastStyleNet load_fast_style(const std::string& model_or_name, Device device);
// The file load_fast_style reads (a name's prepared file, not checked to exist; a folder's
// latest checkpoint); an unknown name is the same error.
std::string fast_style_file(const std::string& model_or_name);

// The size stylize_fast runs at: (h, w) scaled so that the longer side is long_side, aspect
// kept (rounded), each side at least min_side (the transformer's minimum,
// FastStyleNet::min_side); long_side <= 0 keeps (h, w).
std::pair<int64_t, int64_t> fast_size(int64_t h, int64_t w, int long_side, int min_side = FastStyleNet::kMinSide);

// Stylises RGB [1,3,H,W] in [0,1] (bilinear resize to fast_size first). Returns the image on
// the input's device, at the resized size, NOT clamped: the transformer's range is
// [-0.09, 1.09], and save_image clamps. Runs without recording gradients, each norm and
// activation over its input's buffer (autograd/ops.h), so at most two activations are held at
// once: each convolution's input and output (fast_style_peak_bytes).
Tensor stylize_fast(const FastStyleNet& net, const Tensor& rgb01, int long_side);

// The most tensor memory stylize_fast holds at once for an h x w image (its working size:
// fast_size(h, w, long_side)), in bytes, from the layer shapes: the resized input and, at the
// worst layer, that convolution's input and output (32 channels at full size, 64 at half: 48
// floats per working pixel at conv2 and deconv2; 3 more for a resized input), plus the Winograd
// kernel's per-thread band buffers of the residual blocks (cpu::winograd_scratch_bytes: at most
// 16 MB a thread, kept between calls). Not counted: the caller's image, the weights
// (7 MB) and the per-thread column buffers (2 MB each). Measured RSS growth: within 1.25x of it
// (tests/test_first_hour.cpp, docs/benchmarks.md).
// With `net` a layer list (transformer_graph: a converted pytorch/examples or fast-neural-style
// model), the peak comes from its own layers instead (TransformerGraph::cost's `peak`: 51 floats
// per working pixel for pytorch/examples' TransformerNet, at its second and its last-but-one
// convolutions with the input's copy), plus 16 MB of Winograd band buffers a thread (their cap).
// At 2400x1600: estimate 824 MB without kFastFixedBytes, measured RSS growth 811 MB. Throws ds::Error when the layers cannot take an
// image of that size (below min_side).
int64_t fast_style_peak_bytes(int64_t h, int64_t w, int long_side, const FastStyleNet* net = nullptr);

// A transformer to train: `init` is "random" (fast_style_tf with He-normal convs, std
// sqrt(2 / (Cin·kh·kw)), instance-norm scale 1 and shift 0, from `seed`), a file (any
// load_fast_style file or a checkpoint: its form and weights), or a pretrained style name.
// On the CPU.
FastStyleNet fast_style_init(const std::string& init, uint64_t seed);

// The file attributes a weight file or checkpoint of `net` carries besides its parameters
// (preprocessing; fast_style_tf: padding, instance-norm eps, output scale and offset;
// transformer_graph: the graph), so a training checkpoint reads like a converted file.
std::map<std::string, h5::AttrValue> fast_style_attrs(const FastStyleNet& net);

}  // namespace ds
