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
  a.option("-o", "FILE", "result PNG", "out/stylize/<content>.png");
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

Content load_content(const Args& a, const std::string& path) {
  bool mat = ends_with(path, ".mat");
  DepthOptions o;
  o.frame = a.integer("--frame", 0, 1000000);
  o.dataset = a.str("--depth-dataset");
  Content c;
  c.image = mat ? load_nyu_mat_rgb(path, o.frame) : load_image_rgb(path);
  c.depth_path = a.has("--depth") ? a.str("--depth") : (mat ? path : "");
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

std::vector<StyleImage> load_styles(const Args& a, const Tensor& depth01, int style_size) {
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
    s.image = resize_image(img, sh, sw);
    s.weight = weights[k];
    std::string mask = per_style(a, "--style-mask", k, paths.size(), "none");
    if (mask != "none") s.mask = make_mask(parse_mask_spec(mask), depth01);
    styles.push_back(std::move(s));
  }
  return styles;
}

// --style-size, else --style-scale F times --size (rounded up, as neural-style's -style_scale),
// else --size. Errors: both given, a long side outside [16, 4096].
int style_long_side(const Args& a, int size) {
  if (a.has("--style-scale") && a.has("--style-size"))
    throw Error("--style-scale and --style-size given together: give one (F means a long side of F x --size)");
  if (a.has("--style-size")) return a.integer("--style-size", 16, 4096);
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
    for (double v : terms)
      if (!std::isfinite(v))
        throw Error("the loss became " + std::to_string(v) + " at iteration " + std::to_string(it) +
                    "; try a smaller --lr or smaller weights");
    std::vector<double> row = {static_cast<double>(it), seconds()};
    row.insert(row.end(), terms.begin(), terms.end());
    csv_.row(row);
    for (size_t i = 0; i < terms.size(); ++i) curves_[i].push_back(terms[i]);
    progress_.update(it, {{"loss", terms[0]}});
    if (save_every_ > 0 && it % save_every_ == 0 && it != iters_) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "_iter%05d.png", it);
      save_png(base_ + buf, shown_ ? shown_(image) : image);
    }
  }
  // How a snapshot is shown (--original-colors recombines it first); identity when unset.
  void show_with(std::function<Tensor(const Tensor&)> f) { shown_ = std::move(f); }
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }
  const std::vector<std::vector<double>>& curves() const { return curves_; }
  void finish() { progress_.finish(); }

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
                       const Tensor& content_mask) {
  std::vector<Tensor> panels = {content, colormap_depth(depth01)};
  std::vector<std::string> labels = {"content", "depth"};
  if (content_mask.defined()) panels.push_back(content_mask), labels.push_back("content mask");
  for (const StyleImage& s : loss.styles())
    if (s.mask.defined()) panels.push_back(s.mask), labels.push_back(s.name + " mask");
  panels.push_back(result);
  labels.push_back("result");
  return montage(panels, labels, static_cast<int>(std::min<int64_t>(content.H(), 256)));
}

void report_depth(const DepthEstimator& depth_net, const Tensor& content, const Var& result, Device dev) {
  NoGradGuard ng;
  std::vector<float> dc = depth_net.predict(Var(content.to(dev))).value().to_vector();
  std::vector<float> dr = depth_net.predict(result).value().to_vector();
  DepthAgreement d = depth_agreement(dc, dr);
  std::printf("depth of result vs content (%s): RMSE %.4f m, Pearson %.4f\n", depth_net.name().c_str(), d.rmse, d.pearson);
}

}  // namespace

int cmd_stylize(int argc, char** argv) {
  Args a("depthstyle stylize [options] CONTENT --style STYLE [--style STYLE2 ...]",
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
         "Outputs: OUT, OUT_losses.csv, OUT_losses.png, OUT_montage.png, and OUT_iterN.png with --save-every.");
  declare_options(a);
  if (!a.parse(argc, argv, 1, 1, "one CONTENT image")) return 0;
  if (!a.has("--style")) throw Error("give at least one --style IMAGE (see --help)");
  const std::string content_path = a.positional()[0];
  Device dev = a.device();
  int size = a.integer("--size", 16, 4096), iters = a.integer("--iters", 1, 1000000);
  int style_size = style_long_side(a, size);
  int save_every = a.integer("--save-every", 0, 1000000);
  std::string colors = original_colors(a);
  bool grey = colors == "luminance-only";
  LossSpec spec = loss_spec_from(a, TransferMethod::Optimisation);
  spec.normalize_gradients = a.has("--normalize-gradients");
  StylizeConfig cfg = optimiser_config(a);
  std::string out = a.has("-o") ? a.str("-o") : "out/stylize/" + stem(content_path) + ".png";
  if (!ends_with(out, ".png")) throw Error("-o " + out + ": the result is written as PNG; name it .png");
  std::string base = out.substr(0, out.size() - 4);
  if (std::filesystem::path(out).has_parent_path()) std::filesystem::create_directories(std::filesystem::path(out).parent_path());

  Content c = load_content(a, content_path);
  auto [h, w] = fit_long_side(c.image.H(), c.image.W(), size);
  Tensor content = resize_image(c.image, h, w);
  FeatureNet net = feature_net_from(a, dev);
  std::unique_ptr<DepthEstimator> depth_net;
  if (!c.depth.defined() || spec.uses_depth() || a.has("--report-depth")) depth_net = load_depth_net(a.str("--monodepth2"), dev);
  Tensor depth01 = working_depth(c, content, depth_net.get(), dev);
  Tensor content_mask;
  if (a.str("--content-mask") != "none") content_mask = make_mask(parse_mask_spec(a.str("--content-mask")), depth01);
  std::vector<StyleImage> styles = load_styles(a, depth01, style_size);
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
  st.run(iters, [&](int it, const std::vector<double>& terms) { log.add(it, terms, st.image().value()); });
  log.finish();
  double secs = log.seconds();
  Tensor result = shown(st.image().value());
  save_png(out, result);
  save_loss_plot(base + "_losses.png", st.term_names(), log.curves(), true, stem(out) + " losses");
  save_png(base + "_montage.png", stylize_montage(content, depth01, loss, result, content_mask));
  if (a.has("--report-depth")) report_depth(*depth_net, content, Var(result.to(dev)), dev);
  std::printf("done in %.1fs (%.3fs/iteration): loss %.4g -> %.4g\nwrote %s, %s_losses.csv, %s_losses.png, %s_montage.png\n",
              secs, secs / iters, log.curves()[0].front(), log.curves()[0].back(), out.c_str(), base.c_str(), base.c_str(),
              base.c_str());
  return 0;
}

}  // namespace app
}  // namespace ds
