// depthstyle stylize: depth-aware style transfer by optimisation (the loss:
// losses/transfer_loss.h; the optimisation loop: apps/lib/stylize.h).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>

#include "apps/depthstyle/commands.h"
#include "apps/lib/args.h"
#include "apps/lib/csv.h"
#include "apps/lib/loss_options.h"
#include "apps/lib/montage.h"
#include "apps/lib/outputs.h"
#include "apps/lib/plot.h"
#include "apps/lib/progress.h"
#include "apps/lib/stylize.h"
#include "losses/depth_map.h"
#include "losses/masks.h"
#include "nn/resize.h"
#include "tensor/colour.h"
#include "tensor/image_io.h"
#include "weights/depth_io.h"

namespace ds {
namespace app {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

constexpr int kMaxSide = 4096;  // the largest --size and --style-size

std::string frame_path(const std::string& base, int iteration) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "_iter%05d.png", iteration);
  return base + buf;
}

// What to give `opt` (--size, --style-size) so an h x w image gets a short side of at least
// min_side: fit_long_side rounds short * L / long, so L = ceil(min_side * long / short) suffices.
std::string size_hint(const std::string& opt, int64_t h, int64_t w, int min_side) {
  auto need = static_cast<int64_t>(std::ceil(static_cast<double>(min_side) * static_cast<double>(std::max(h, w)) /
                                             static_cast<double>(std::max<int64_t>(1, std::min(h, w)))));
  if (need <= kMaxSide) return "give " + opt + " " + std::to_string(need) + " or more";
  return "the image is too elongated: it would need " + opt + " " + std::to_string(need) + ", above the maximum " +
         std::to_string(kMaxSide);
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

void declare_options(Args& a) {
  a.option("--style", "IMAGE", "style image (repeat for several styles)");
  a.option("--style-mask", "SPEC", "depth mask of each style (repeat per --style; 'none' for no mask)", "none");
  a.option("--depth", "FILE", "depth of the content (else estimated)");
  a.option("--frame", "N", "frame of an NYU .mat file", "0");
  a.option("--depth-dataset", "NAME", "dataset of a float HDF5 depth file", "depth");
  a.option("--content-mask", "SPEC", "depth mask of the content loss", "none");
  declare_loss_options(a);
  a.option("--optimizer", "NAME", "adam | lbfgs", "adam");
  a.option("--lr", "LR", "Adam learning rate in pixel units", "0.03");
  a.option("--lr-decay", "G", "Adam: multiply the learning rate by G every --lr-step iterations", "0.5");
  a.option("--lr-step", "N", "Adam: iterations between decays (0: never)", "150");
  a.option("--init", "WHAT", "content | noise | an image file", "content");
  a.option("--seed", "N", "random seed (noise initialisation)", "0");
  a.option("--iters", "N", "iterations", "300");
  a.option("--size", "PX", "long side of the working image", "256");
  a.option("--style-size", "PX", "long side of the style images (default: --size)");
  a.option("--style-scale", "F", "long side of the style images as F times --size, rounded up (not with --style-size)");
  a.option("--original-colors", "MODE",
           "keep the content's colours (YIQ, tensor/colour.h): none | recombine (the result's luminance with the "
           "content's chrominance) | luminance-only (style and content turned grey for the optimisation, then recombine)",
           "none");
  a.flag("--normalize-gradients",
         "scale each content and style term's gradient to L1 norm = its weight (neural-style); the default weights "
         "assume it off: with squeezenet try --content-weight 500 --style-total-weight 100 --style-layer-weights 1,1,1,1");
    a.option("-o", "FILE", "result .png or .jpg/.jpeg (quality 95)", "out/stylize/<content>.png");
  a.option("--save-every", "N", "also write OUT_iterN.png every N iterations (0: never)", "0");
  a.flag("--report-depth", "print how far the result's estimated depth is from the content's (RMSE, correlation)");
  a.device_option();
}

StylizeConfig optimiser_config(const Args& a) {
  StylizeConfig c;
  c.lr = static_cast<float>(a.number("--lr", 1e-6, 10));
  c.lr_decay = static_cast<float>(a.number("--lr-decay", 0, 1));
  c.lr_step = a.integer("--lr-step", 0, 1000000);
  c.optimizer = a.str("--optimizer");
  if (c.optimizer != "adam" && c.optimizer != "lbfgs") throw Error("--optimizer: expected adam or lbfgs");
  c.init = a.str("--init");
  c.seed = static_cast<uint64_t>(a.number("--seed", 0, 9e15));
  return c;
}

// The content at its own size and its measured depth (metres, filled), or an undefined depth
// when there is no depth file (a .mat content holds its own).
struct Content {
  Tensor image, depth;
  std::string depth_path;
};

// The depth file of a content image: --depth, else the .mat content itself, else none ("").
std::string depth_file(const Args& a, const std::string& content_path) {
  return a.has("--depth") ? a.str("--depth") : (ends_with(content_path, ".mat") ? content_path : "");
}

Content load_content(const Args& a, const std::string& path) {
  DepthOptions o;
  o.frame = a.integer("--frame", 0, 1000000);
  o.dataset = a.str("--depth-dataset");
  Content c;
  c.image = ends_with(path, ".mat") ? load_nyu_mat_rgb(path, o.frame) : load_image_rgb(path);
  c.depth_path = depth_file(a, path);
  if (c.depth_path.empty()) return c;
  Tensor metres = load_depth_metres(c.depth_path, o);
  double valid = valid_fraction(metres);
  if (valid == 0) throw Error(c.depth_path + ": the depth map has no valid pixel");
  c.depth = fit_depth_to(fill_invalid(metres), static_cast<int>(c.image.H()), static_cast<int>(c.image.W()),
                         "depth map " + c.depth_path);
  std::printf("depth: %s, %.1f%% valid pixels (the rest filled from neighbours)\n", c.depth_path.c_str(), 100 * valid);
  return c;
}

// The normalised depth at the working size h x w: the measured one, else estimated.
Tensor working_depth(const Content& c, const Tensor& content, const DepthEstimator* depth_net, Device dev) {
  if (c.depth.defined())
    return normalise_depth(resize_depth_to(c.depth, static_cast<int>(content.H()), static_cast<int>(content.W())));
  NoGradGuard ng;
  std::printf("depth: estimated by %s\n", depth_net->name().c_str());
  return normalise_depth(depth_net->predict(Var(content.to(dev))).value().to(Device::CPU));
}

// The style images at their working size, each checked against the feature network's
// smallest input (min_side for the layers `taps`) before any iteration. Masks: add_style_masks.
std::vector<StyleImage> load_styles(const Args& a, int style_size, const FeatureNet& net,
                                    const std::vector<std::string>& taps, int min_side) {
  std::vector<std::string> paths = a.all("--style");
  std::vector<float> weights = style_weights_from(a, paths.size());
  std::vector<StyleImage> styles;
  for (size_t k = 0; k < paths.size(); ++k) {
    StyleImage s;
    s.name = stem(paths[k]);
    for (const StyleImage& other : styles)
      if (other.name == s.name) s.name += "_" + std::to_string(k + 1);
    Tensor img = load_image_rgb(paths[k]);
    auto [sh, sw] = fit_long_side(img.H(), img.W(), style_size);
    check_input_size("style image " + paths[k], sh, sw, "(--style-size " + std::to_string(style_size) + ")", min_side,
                     net, taps, size_hint("--style-size", img.H(), img.W(), min_side));
    s.image = resize_image(img, sh, sw);
    s.weight = weights[k];
    styles.push_back(std::move(s));
  }
  return styles;
}

// The mask spec of style k ("none": unmasked).
std::string style_mask_spec(const Args& a, size_t k) {
  return per_style(a, "--style-mask", k, a.all("--style").size(), "none");
}

void add_style_masks(const Args& a, std::vector<StyleImage>& styles, const Tensor& depth01) {
  for (size_t k = 0; k < styles.size(); ++k)
    if (style_mask_spec(a, k) != "none") styles[k].mask = make_mask(parse_mask_spec(style_mask_spec(a, k)), depth01);
}

// The files stylize reads and writes, checked before any work (apps/lib/outputs.h).
void plan_files(const Args& a, const std::string& content_path, const std::string& out, const std::string& base,
                bool use_depth_net, const StylizeConfig& cfg, int iters, int save_every) {
  OutputPlan plan;
  plan.input("content image", content_path);
  for (const std::string& s : a.all("--style")) plan.input("--style image", s);
  plan.input("--depth file", depth_file(a, content_path));
  if (cfg.init != "content" && cfg.init != "noise") plan.input("--init image", cfg.init);
  plan.input("feature network weights", feature_net_file(a.str("--net"), a.str("--weights")));
  if (use_depth_net) plan.input("depth network weights", depth_net_file(a.str("--monodepth2")));
  auto mask_input = [&](const std::string& what, const std::string& spec) {
    if (spec == "none") return;
    MaskSpec m = parse_mask_spec(spec);
    if (m.kind == MaskSpec::Kind::Image) plan.input(what, m.path);
  };
  mask_input("--content-mask image", a.str("--content-mask"));
  for (size_t k = 0; k < a.all("--style").size(); ++k) mask_input("--style-mask image", style_mask_spec(a, k));
  plan.output("-o result", out);
  plan.output("loss log", base + "_losses.csv");
  plan.output("loss plot", base + "_losses.png");
  plan.output("montage", base + "_montage.png");
  for (int it = save_every; save_every > 0 && it < iters; it += save_every)
    plan.output("--save-every image", frame_path(base, it));
  plan.check();
}

// --style-size, else --style-scale F times --size (rounded up, as neural-style's -style_scale),
// else --size. Errors: both given, a long side outside [16, 4096].
int style_long_side(const Args& a, int size) {
  if (a.has("--style-scale") && a.has("--style-size"))
    throw Error("--style-scale and --style-size given together: give one (F means a long side of F x --size)");
  if (a.has("--style-size")) return a.integer("--style-size", 16, kMaxSide);
  if (!a.has("--style-scale")) return size;
  double px = std::ceil(a.number("--style-scale", 1e-3, 1e3) * size - 1e-6);  // 1e-6: 0.3 * 100 is 30, not 31
  if (px < 16 || px > 4096)
    throw Error("--style-scale " + a.str("--style-scale") + " gives the style images a long side of " +
                std::to_string(static_cast<long long>(px)) + " px at --size " + std::to_string(size) +
                ": it must be between 16 and 4096");
  return static_cast<int>(px);
}

// --original-colors: "none", "recombine" or "luminance-only".
std::string original_colors(const Args& a) {
  std::string m = a.str("--original-colors");
  if (m != "none" && m != "recombine" && m != "luminance-only")
    throw Error("--original-colors '" + m + "': expected none, recombine or luminance-only");
  return m;
}

// Per iteration: the CSV row, the curves, the progress line and the OUT_iterN.png snapshots.
class IterationLog {
 public:
  IterationLog(const std::string& base, const std::vector<std::string>& names, int iters, int save_every)
      : base_(base), csv_(base + "_losses.csv", columns(names)), curves_(names.size()), progress_(iters),
        iters_(iters), save_every_(save_every), t0_(std::chrono::steady_clock::now()) {}
  void add(int it, const std::vector<double>& terms, const Tensor& image) {
    std::vector<double> row = {static_cast<double>(it), seconds()};
    row.insert(row.end(), terms.begin(), terms.end());
    csv_.row(row);
    for (size_t i = 0; i < terms.size(); ++i) curves_[i].push_back(terms[i]);
    progress_.update(it, {{"loss", terms[0]}});
    if (save_every_ > 0 && it % save_every_ == 0 && it != iters_)
      save_image(frame_path(base_, it), shown_ ? shown_(image) : image);
  }
  // How a snapshot is shown (--original-colors recombines it first); identity when unset.
  void show_with(std::function<Tensor(const Tensor&)> f) { shown_ = std::move(f); }
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }
  const std::vector<std::vector<double>>& curves() const { return curves_; }
  void finish() { progress_.finish(); }
  void save() const { csv_.save(); }  // the CSV, written whole (apps/lib/csv.h)

 private:
  static std::vector<std::string> columns(const std::vector<std::string>& names) {
    std::vector<std::string> c = {"iteration", "seconds"};
    c.insert(c.end(), names.begin(), names.end());
    return c;
  }
  std::string base_;
  CsvWriter csv_;
  std::vector<std::vector<double>> curves_;
  Progress progress_;
  int iters_, save_every_;
  std::chrono::steady_clock::time_point t0_;
  std::function<Tensor(const Tensor&)> shown_;
};

Tensor stylize_montage(const Tensor& content, const Tensor& depth01, const TransferLoss& loss, const Tensor& result,
                       const std::string& result_label, const Tensor& content_mask) {
  std::vector<Tensor> panels = {content, colormap_depth(depth01)};
  std::vector<std::string> labels = {"content", "depth"};
  if (content_mask.defined()) panels.push_back(content_mask), labels.push_back("content mask");
  for (const StyleImage& s : loss.styles())
    if (s.mask.defined()) panels.push_back(s.mask), labels.push_back(s.name + " mask");
  panels.push_back(result);
  labels.push_back(result_label);
  return montage(panels, labels, static_cast<int>(std::min<int64_t>(content.H(), 256)));
}

void report_depth(const DepthEstimator& depth_net, const Tensor& content, const Var& result, Device dev) {
  NoGradGuard ng;
  std::vector<float> dc = depth_net.predict(Var(content.to(dev))).value().to_vector();
  std::vector<float> dr = depth_net.predict(result).value().to_vector();
  DepthAgreement d = depth_agreement(dc, dr);
  std::printf("depth of result vs content (%s): RMSE %.4f m, Pearson %.4f\n", depth_net.name().c_str(), d.rmse, d.pearson);
}

// A diverged run's ending: what happened, where the best iterate went, and what to try.
Error divergence_error(const Stylizer& st, const Stylizer::Outcome& outcome, const StylizeConfig& cfg,
                       const std::string& out) {
  char best[160];
  std::snprintf(best, sizeof best, "wrote the best iterate (iteration %d, loss %.4g) to %s", st.best_iteration(),
                st.best_loss(), out.c_str());
  std::string advice = cfg.optimizer == "adam" ? "the learning rate is too large for these weights: try --lr " +
                                                     format_number(cfg.lr / 10) + " (a tenth of " +
                                                     format_number(cfg.lr) + ")"
                                               : "try --optimizer adam, or smaller loss weights";
  return Error("stylize stopped at iteration " + std::to_string(outcome.iterations) + ": " + outcome.stopped + "; " +
               best + "; " + advice);
}

// The --help paragraph.
const char* const kAbout =
    "Optimises the pixels of a pastiche so its features match CONTENT's and its Gram matrices\n"
    "match each STYLE's, with optional depth masks and a depth loss:\n"
    "  total = a*content + b*sum_s w_s*style_s + c*TV + d*depth\n"
    "CONTENT: PNG, JPEG or PPM, or an NYU Depth v2 labeled .mat (with --frame; its depth is used).\n"
    "Depth (--depth): 16-bit PNG in millimetres (0 invalid), raw Kinect PGM (NYU), NYU .mat,\n"
    "or float HDF5 in metres; invalid pixels are filled from neighbours and the depth is\n"
    "normalised to [0,1] (near 0, far 1) and resized to the content (aspect ratios must agree\n"
    "within 1%). Without --depth it is estimated by FastDepth (or --monodepth2).\n"
    "Masks (--content-mask, --style-mask) are functions of the normalised depth d:\n"
    "  sigmoid:k=10,t=0.5  inv-sigmoid:k=10,t=0.5  linear:a=0,b=1  image:FILE  constant:v=1\n"
    "Outputs: OUT, OUT_losses.csv, OUT_losses.png, OUT_montage.png, and OUT_iterN.png with --save-every;\n"
    "none may be an input (checked before any work). Every image must be at least the feature\n"
    "network's smallest input at its working size (checked before the first iteration).\n"
    "Divergence (apps/lib/divergence.h): the run stops when the loss is not finite or stays above\n"
    "1000x its start for 10 iterations; then, or when the loss ends above its start, the best\n"
    "iterate (lowest loss) is written to OUT and the exit status is 1, with a smaller --lr to try.\n"
    "With --normalize-gradients only a non-finite loss counts (the logged total may then rise).";

}  // namespace

int cmd_stylize(int argc, char** argv) {
  Args a("depthstyle stylize [options] CONTENT --style STYLE [--style STYLE2 ...]", kAbout);
  declare_options(a);
  if (!a.parse(argc, argv, 1, 1, "one CONTENT image")) return 0;
  if (!a.has("--style")) throw Error("give at least one --style IMAGE (see --help)");
  const std::string content_path = a.positional()[0];
  Device dev = a.device();
  int size = a.integer("--size", 16, kMaxSide), iters = a.integer("--iters", 1, 1000000);
  int style_size = style_long_side(a, size);
  int save_every = a.integer("--save-every", 0, 1000000);
  std::string colors = original_colors(a);
  bool grey = colors == "luminance-only";
  LossSpec spec = loss_spec_from(a, TransferMethod::Optimisation);
  spec.normalize_gradients = a.has("--normalize-gradients");
  StylizeConfig cfg = optimiser_config(a);
  std::string out = a.has("-o") ? a.str("-o") : "out/stylize/" + stem(content_path) + ".png";
  check_image_output(out);
  std::string base = std::filesystem::path(out).replace_extension().string();
  bool use_depth_net = depth_file(a, content_path).empty() || spec.uses_depth() || a.has("--report-depth");
  plan_files(a, content_path, out, base, use_depth_net, cfg, iters, save_every);

  Content c = load_content(a, content_path);
  auto [h, w] = fit_long_side(c.image.H(), c.image.W(), size);
  Tensor content = resize_image(c.image, h, w);
  FeatureNet net = feature_net_from(a, dev);
  std::vector<std::string> taps = spec.style_layers;
  taps.push_back(spec.content_layer);
  int min_side = min_input_side(net, taps);
  check_input_size("content image " + content_path, h, w, "(--size " + std::to_string(size) + ")", min_side, net, taps,
                   size_hint("--size", c.image.H(), c.image.W(), min_side));
  std::vector<StyleImage> styles = load_styles(a, style_size, net, taps, min_side);
  std::unique_ptr<DepthEstimator> depth_net;
  if (use_depth_net) depth_net = load_depth_net(a.str("--monodepth2"), dev);
  Tensor depth01 = working_depth(c, content, depth_net.get(), dev);
  Tensor content_mask;
  if (a.str("--content-mask") != "none") content_mask = make_mask(parse_mask_spec(a.str("--content-mask")), depth01);
  add_style_masks(a, styles, depth01);
  if (grey)
    for (StyleImage& s : styles) s.image = luminance_rgb(s.image);
  TransferLoss loss(net, depth_net.get(), spec, std::move(styles), dev, content_mask);
  Stylizer st(loss, grey ? luminance_rgb(content) : content, cfg, dev);
  std::printf("stylize: %s %lldx%lld on %s, %s, %d iterations, %zu style(s)\n", content_path.c_str(),
              static_cast<long long>(w), static_cast<long long>(h), device_name(dev), cfg.optimizer.c_str(), iters,
              loss.styles().size());
  for (const StyleImage& s : loss.styles())
    std::printf("style %s: %lldx%lld\n", s.name.c_str(), static_cast<long long>(s.image.W()),
                static_cast<long long>(s.image.H()));
  auto shown = [&](const Tensor& image) { return colors == "none" ? image : with_content_chroma(image, content); };

  IterationLog log(base, st.term_names(), iters, save_every);
  log.show_with(shown);
  Stylizer::Outcome outcome = st.run(iters, [&](int it, const std::vector<double>& terms) {
    log.add(it, terms, st.image().value());
  });
  log.finish();
  double secs = log.seconds();
  // A diverged run writes its best iterate, so the result is never the garbage it ended on.
  bool diverged = !outcome.stopped.empty();
  Tensor result = shown(diverged ? st.best_image() : st.image().value());
  save_image(out, result);
  log.save();
  save_loss_plot(base + "_losses.png", st.term_names(), log.curves(), true, stem(out) + " losses");
  save_image(base + "_montage.png",
             stylize_montage(content, depth01, loss, result, diverged ? "best iterate" : "result", content_mask));
  if (diverged) throw divergence_error(st, outcome, cfg, out);
  if (a.has("--report-depth")) report_depth(*depth_net, content, Var(result.to(dev)), dev);
  std::printf("done in %.1fs (%.3fs/iteration): loss %.4g -> %.4g\nwrote %s, %s_losses.csv, %s_losses.png, %s_montage.png\n",
              secs, secs / iters, log.curves()[0].front(), log.curves()[0].back(), out.c_str(), base.c_str(), base.c_str(),
              base.c_str());
  return 0;
}

}  // namespace app
}  // namespace ds
