#include "apps/stylize/stylize_options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>

namespace ds {
namespace app {

void declare_stylize_options(Args& a, StylizeUse use) {
  bool command = use == StylizeUse::Command;
  a.option("--style", "IMAGE", "style image (repeat for several styles)");
  a.option("--style-mask", "SPEC", "depth mask of each style (repeat per --style; 'none' for no mask)", "none");
  if (command) {
    a.option("--depth", "FILE|DIR", "depth of the content (else estimated); with a CONTENT folder, a folder of depth "
                                    "files matched by file stem");
    a.option("--frame", "N", "frame of an NYU .mat file", "0");
    a.option("--depth-dataset", "NAME", "dataset of a float HDF5 depth file", "depth");
  }
  a.option("--content-mask", "SPEC", "depth mask of the content loss", "none");
  declare_loss_options(a);
  a.option("--optimizer", "NAME", "adam | lbfgs", "adam");
  a.option("--lr", "LR", "Adam learning rate in pixel units", "0.03");
  a.option("--lr-decay", "G", "Adam: multiply the learning rate by G every --lr-step iterations", "0.5");
  a.option("--lr-step", "N", "Adam: iterations between decays (0: never; restarts at each scale)", "150");
  a.option("--init", "WHAT", "content | noise (or random) | an image file (the first scale's start)", "content");
  a.option("--seed", "N", "random seed (noise initialisation)", "0");
  a.option("--iters", "N|N1,N2,..", "iterations: at every scale, or one count per scale", "300");
  a.option("--size", "PX", "long side of the working image (the output)", std::to_string(kDefaultSize));
  a.option("--scales", "PX1,PX2,..", "coarse to fine: optimise at each long side in turn (increasing; the last is "
                                     "the output size), each starting from the previous result upsampled");
  a.option("--multires", "N", "coarse to fine over N scales ending at --size, each half the next (not with --scales)");
  a.option("--style-size", "PX", "long side of the style images at every scale (default: the scale's size)");
  a.option("--style-scale", "F", "long side of the style images as F times the working size, rounded up, at each "
                                 "scale (not with --style-size)");
  a.optional_value("--original-colors", "MODE",
                   "keep the content's colours (tensor/colour.h): none | recombine (the result's luminance with "
                   "the content's YIQ chrominance) | luminance-only (style and content turned grey for the optimisation, "
                   "then recombine) | histogram (each style's RGB mean and covariance matched to the content's before "
                   "the optimisation: Gatys et al. 2017's colour histogram matching); 1 and 0 as neural-style's "
                   "-original_colors",
                   "none", "recombine", {"none", "recombine", "luminance-only", "histogram", "0", "1"});
  a.flag("--normalize-gradients",
         "scale each content and style term's gradient to L1 norm = its weight (neural-style); the default weights "
         "assume it off: with squeezenet try --content-weight 500 --style-total-weight 100 --style-layer-weights 1,1,1,1");
  if (command) {
    a.option("-o", "FILE|DIR", "result .png or .jpg/.jpeg (quality 95); with a CONTENT folder, the output folder",
             "out/stylize/<content>.png, or out/stylize/ for a folder");
    a.option("--save-every", "N",
             "also write OUT_iterN.png (OUT_sPX_iterN.png with scales) every N iterations (0: never)", "0");
    a.option("--print-every", "N", "also print every loss term every N iterations (0: never)", "0");
    a.flag("--report-depth", "print how far the result's estimated depth is from the content's (RMSE, correlation)");
  }
  a.device_option();
  a.accept_peer_names(neural_style_names());
}

namespace {

// A whole number in [lo, hi] from one list item; ds::Error naming the option otherwise.
int list_integer(const std::string& item, const std::string& option, int lo, int hi) {
  errno = 0;
  char* end = nullptr;
  long v = std::strtol(item.c_str(), &end, 10);
  if (item.empty() || *end != '\0' || errno != 0 || v < lo || v > hi)
    throw UsageError(option + ": '" + item + "' is not a whole number between " + std::to_string(lo) + " and " +
                std::to_string(hi));
  return static_cast<int>(v);
}

// The long sides of the scales and the words that set them.
std::vector<int> long_sides(const Args& a, std::string& origin, int& multires) {
  if (a.has("--scales") && a.has("--multires"))
    throw UsageError("--scales and --multires given together: give one (--multires N means N scales ending at --size)");
  // A command may declare --size without a default (video: the input's size with --model).
  int size = a.str("--size").empty() ? kDefaultSize : a.integer("--size", kMinSide, kMaxSide);
  origin = "--size " + std::to_string(size);
  if (a.has("--multires")) {
    int n = multires = a.integer("--multires", 1, 8);
    origin = "--multires " + std::to_string(n) + " --size " + std::to_string(size);
    std::vector<int> sides;
    for (int k = n - 1; k >= 0; --k) sides.push_back(static_cast<int>(std::lround(size / std::pow(2.0, k))));
    if (sides[0] < kMinSide)
      throw UsageError(origin + " starts at " + std::to_string(sides[0]) + " px, below the minimum " +
                  std::to_string(kMinSide) + ": give fewer scales or a larger --size");
    return sides;
  }
  if (!a.has("--scales")) return {size};
  origin = "--scales " + a.str("--scales");
  std::vector<int> sides;
  for (const std::string& item : a.list("--scales")) {
    sides.push_back(list_integer(item, "--scales", kMinSide, kMaxSide));
    if (sides.size() > 1 && sides.back() <= sides[sides.size() - 2])
      throw UsageError("--scales " + a.str("--scales") + ": the long sides must increase (coarse to fine), but " +
                  std::to_string(sides.back()) + " follows " + std::to_string(sides[sides.size() - 2]));
  }
  if (sides.empty()) throw UsageError("--scales: expected long sides in px, e.g. 256,512,1024");
  if (a.has("--size") && size != sides.back())
    throw UsageError("--size " + std::to_string(size) + " conflicts with --scales " + a.str("--scales") +
                ": the last scale is the output size; leave out --size or make it " + std::to_string(sides.back()));
  return sides;
}

}  // namespace

SizePlan size_plan_from(const Args& a) {
  SizePlan p;
  std::vector<int> sides = long_sides(a, p.origin, p.multires);
  std::vector<std::string> iters = a.list("--iters");
  if (iters.size() != 1 && iters.size() != sides.size())
    throw UsageError("--iters " + a.str("--iters") + ": expected one count for every scale or one per scale (" +
                std::to_string(sides.size()) + " scale" + (sides.size() == 1 ? "" : "s") + "), got " +
                std::to_string(iters.size()));
  for (size_t k = 0; k < sides.size(); ++k)
    p.steps.push_back({sides[k], list_integer(iters[iters.size() == 1 ? 0 : k], "--iters", 1, 1000000)});
  if (a.has("--style-scale") && a.has("--style-size"))
    throw UsageError("--style-scale and --style-size given together: give one (F means a long side of F x --size)");
  if (a.has("--style-size")) p.style_size = a.integer("--style-size", kMinSide, kMaxSide);
  if (a.has("--style-scale")) p.style_scale = a.number("--style-scale", 1e-3, 1e3);
  for (const ScaleStep& s : p.steps) {
    int px = p.style_long_side(s.long_side);
    if (px < kMinSide || px > kMaxSide)
      throw UsageError("--style-scale " + a.str("--style-scale") + " gives the style images a long side of " +
                  std::to_string(px) + " px at " + (p.multi() ? "scale " : "--size ") + std::to_string(s.long_side) +
                  ": it must be between " + std::to_string(kMinSide) + " and " + std::to_string(kMaxSide));
  }
  return p;
}

bool StylizeOptions::style_off() const {
  if (loss.spec.style_weight == 0) return true;
  for (const StyleInput& s : styles)
    if (s.weight != 0) return false;
  return true;
}

StylizeConfig StylizeOptions::optimiser() const {
  StylizeConfig c;
  c.optimizer = optimizer;
  c.lr = lr, c.lr_decay = lr_decay, c.lr_step = lr_step;
  c.noise = init == InitKind::Noise;
  c.seed = seed;
  // With the style off the content is about the optimum (nothing pulls away from it), and
  // with normalised gradients the optimiser does not descend the logged total: in both a
  // rising total is no divergence.
  c.finite_only = loss.spec.normalize_gradients || style_off();
  return c;
}

namespace {

OriginalColors parse_colors(const std::string& m) {
  if (m == "none") return OriginalColors::None;
  if (m == "recombine") return OriginalColors::Recombine;
  if (m == "luminance-only") return OriginalColors::LuminanceOnly;
  if (m == "histogram") return OriginalColors::Histogram;
  throw UsageError("--original-colors '" + m + "': expected none, recombine, luminance-only or histogram");
}

// --init: content, noise, a file; neural-style's "image" is the content, or the --init file
// also given (its -init image -init_image FILE, in either order).
void parse_init(const Args& a, StylizeOptions& o) {
  std::string file;
  for (const std::string& v : a.all("--init"))
    if (v != "content" && v != "noise" && v != "image") file = v;
  std::string last = a.str("--init");
  if (last == "image") last = file.empty() ? "content" : file;
  o.init = last == "content" ? InitKind::Content : last == "noise" ? InitKind::Noise : InitKind::Image;
  if (o.init == InitKind::Image) o.init_image = last;
}

std::optional<MaskSpec> mask_of(const std::string& spec) {
  if (spec == "none") return std::nullopt;
  return option_text([&] { return parse_mask_spec(spec); });
}

}  // namespace

StylizeOptions parse_stylize_options(const Args& a, StylizeUse use, std::ostream& note) {
  StylizeOptions o;
  if (!a.has("--style")) throw UsageError("give at least one --style IMAGE (see --help)");
  o.device = a.device();
  o.loss = loss_options_from(a, TransferMethod::Optimisation);
  o.loss.spec.normalize_gradients = a.has("--normalize-gradients");
  std::vector<std::string> paths = a.all("--style");
  std::vector<float> weights = style_weights_from(a, paths.size());
  for (size_t k = 0; k < paths.size(); ++k)
    o.styles.push_back({paths[k], weights[k], mask_of(per_style(a, "--style-mask", k, paths.size(), "none"))});
  o.content_mask = mask_of(a.str("--content-mask"));
  std::string opt = a.str("--optimizer");
  if (opt != "adam" && opt != "lbfgs") throw UsageError("--optimizer '" + opt + "': expected adam or lbfgs");
  o.optimizer = opt == "adam" ? Optimizer::Adam : Optimizer::LBFGS;
  o.lr = static_cast<float>(a.number("--lr", 1e-6, 10));
  o.lr_decay = static_cast<float>(a.number("--lr-decay", 0, 1));
  o.lr_step = a.integer("--lr-step", 0, 1000000);
  parse_init(a, o);
  o.seed = static_cast<uint64_t>(a.number("--seed", 0, 9e15));
  o.sizes = size_plan_from(a);
  o.colors = parse_colors(a.str("--original-colors"));
  if (use == StylizeUse::Command) {
    if (!a.positional().empty()) o.content = a.positional()[0];
    o.depth = a.has("--depth") ? a.str("--depth") : "";
    o.out = a.has("-o") ? a.str("-o") : "";
    o.depth_file.frame = a.integer("--frame", 0, 1000000);
    o.depth_file.dataset = a.str("--depth-dataset");
    o.save_every = a.integer("--save-every", 0, 1000000);
    o.print_every = a.integer("--print-every", 0, 1000000);
    o.report_depth = a.has("--report-depth");
  }
  if (o.style_off())
    note << "note: every style term has weight 0 (" << (o.loss.spec.style_weight == 0 ? "--style-total-weight" : "--style-weight")
         << " 0): only content, TV and depth are left, whose lowest loss is about the content image itself; a loss "
            "that rises from the start is then no divergence (the lowest-loss iterate is written when it does)\n";
  return o;
}

}  // namespace app
}  // namespace ds
