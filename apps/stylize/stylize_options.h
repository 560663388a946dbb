// The options of `depthstyle stylize`, declared once and parsed once into typed values, for
// stylize itself and for the commands that stylise images they make (video frames, the fill of
// a 3D photo) with the same options (StylizeUse::PerFrame). Everything below the commands
// (the engine, apps/stylize/engine.h; the files of one run, stylize_job.h) sees only
// StylizeOptions. Every value is checked here, before any file or network is read: ranges,
// lists, mask specs (their parameters and, for image masks, nothing more: the file is read
// with the content), the size plan at every scale.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "apps/common/args.h"
#include "apps/common/loss_options.h"
#include "apps/stylize/scales.h"
#include "apps/stylize/stylize.h"
#include "losses/masks.h"
#include "weights/depth_io.h"

namespace ds {
namespace app {

// --original-colors (tensor/colour.h, YIQ): keep the content's colours.
enum class OriginalColors {
  None,
  Recombine,      // the result's luminance with the content's chrominance
  LuminanceOnly,  // style and content turned grey for the optimisation, then recombined
};

// --init: where the first scale starts.
enum class InitKind { Content, Noise, Image };

struct StyleInput {
  std::string path;
  float weight = 1;                // w_s (--style-weight)
  std::optional<MaskSpec> mask;    // --style-mask ("none": no mask)
};

// Which of stylize's options a command declares.
enum class StylizeUse {
  Command,   // `depthstyle stylize`: all of them
  PerFrame,  // a command that makes its content images itself: not -o, --depth, --frame,
             // --depth-dataset, --save-every, --print-every, --report-depth (it has its own)
};

struct StylizeOptions {
  Device device = Device::CPU;
  LossOptions loss;  // loss.spec.normalize_gradients is --normalize-gradients
  std::vector<StyleInput> styles;
  std::optional<MaskSpec> content_mask;
  Optimizer optimizer = Optimizer::Adam;
  float lr = 0.03f, lr_decay = 0.5f;
  int lr_step = 150;
  InitKind init = InitKind::Content;
  std::string init_image;  // InitKind::Image: its file
  uint64_t seed = 0;
  SizePlan sizes;
  OriginalColors colors = OriginalColors::None;
  // StylizeUse::Command only.
  std::string content, depth, out;  // the CONTENT argument, --depth and -o as given ("": not given)
  DepthOptions depth_file;          // --frame, --depth-dataset
  int save_every = 0, print_every = 0;
  bool report_depth = false;

  // Every style term has weight 0 (β = 0 or each w_s = 0): the content is then about the
  // lowest loss there is, and a rising loss is no sign of divergence.
  bool style_off() const;
  // The optimiser settings these options give (no start image; the engine adds it).
  StylizeConfig optimiser() const;
};

void declare_stylize_options(Args& a, StylizeUse use = StylizeUse::Command);

// The options of a parsed `a`. Errors (ds::Error naming the option and what was expected):
// no --style, a bad number or list, an unknown optimiser, --original-colors or --init word,
// a mask spec that cannot be parsed or weights nothing (losses/masks.h), a size plan that is
// not (see size_plan_from). Notes for the user (e.g. every style weight 0) go to `note`.
StylizeOptions parse_stylize_options(const Args& a, StylizeUse use = StylizeUse::Command,
                                     std::ostream& note = std::cerr);

// The size plan of `a`. Without --scales/--multires: one step {--size, --iters}. --scales
// A,B,C: strictly increasing long sides in [kMinSide, kMaxSide]; the last is the output size,
// so a --size that differs from it is an error. --multires N (1..8): N scales ending at
// --size, each half the next (rounded), the smallest at least kMinSide. --iters: one count for
// every scale, or one per scale ("300,150,50"), each 1..1000000. --style-size PX or
// --style-scale F (not both) at every scale within [kMinSide, kMaxSide].
// Errors (ds::Error naming the option and what was expected): both --scales and --multires,
// a scale that is not an integer, out of range or not above the one before, an --iters list of
// another length, a --size other than the last scale, a style size out of range.
SizePlan size_plan_from(const Args& a);

}  // namespace app
}  // namespace ds
