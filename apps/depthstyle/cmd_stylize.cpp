// depthstyle stylize: depth-aware style transfer by optimisation (see apps/lib/stylize.h).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "apps/depthstyle/commands.h"
#include "apps/lib/args.h"
#include "apps/lib/csv.h"
#include "losses/depth_map.h"
#include "weights/depth_io.h"
#include "apps/lib/montage.h"
#include "apps/lib/plot.h"
#include "apps/lib/progress.h"
#include "apps/lib/stylize.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

// The k-th value of a repeated option, or the only value for all, or the default.
std::string per_style(const std::vector<std::string>& values, size_t k, const std::string& def, const char* opt,
                      size_t n_styles) {
  if (values.empty()) return def;
  if (values.size() == 1) return values[0];
  if (values.size() != n_styles)
    throw Error(std::string(opt) + " given " + std::to_string(values.size()) + " times for " + std::to_string(n_styles) +
                " styles: give it once (for all) or once per --style, in order");
  return values[k];
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
  a.option("--style", "IMAGE", "style image (repeat for several styles)");
  a.option("--style-weight", "W", "weight of each style (repeat per --style, or once for all)", "1");
  a.option("--style-mask", "SPEC", "depth mask of each style (repeat per --style; 'none' for no mask)", "none");
  a.option("--depth", "FILE", "depth of the content (else estimated)");
  a.option("--frame", "N", "frame of an NYU .mat file", "0");
  a.option("--depth-dataset", "NAME", "dataset of a float HDF5 depth file", "depth");
  a.option("--content-mask", "SPEC", "depth mask of the content loss", "none");
  a.option("--net", "NAME", "feature network: squeezenet | vgg16", "squeezenet");
  a.option("--weights", "FILE", "feature network weights (vgg16: required)");
  a.option("--monodepth2", "FILE", "Monodepth2 weights for depth estimation and the depth loss (else FastDepth)");
  a.option("--content-layer", "NAME", "content layer (default: fire2 / relu4_2)");
  a.option("--style-layers", "LIST", "style layers (default: relu1,fire3,fire4,fire5 / relu1_1,...,relu5_1)");
  a.option("--style-layer-weights", "LIST", "one weight per style layer (default per network)");
  a.option("--content-weight", "A", "content weight (default per network)");
  a.option("--style-total-weight", "B", "style weight (default per network)");
  a.option("--tv-weight", "C", "total variation weight (default per network)");
  a.option("--depth-weight", "D", "depth loss weight (0: off)", "0");
  a.option("--optimizer", "NAME", "adam | lbfgs", "adam");
  a.option("--lr", "LR", "Adam learning rate in pixel units (default per network)");
  a.option("--lr-decay", "G", "Adam: multiply the learning rate by G every --lr-step iterations", "0.5");
  a.option("--lr-step", "N", "Adam: iterations between decays (0: never; default per network)");
  a.option("--init", "WHAT", "content | noise | an image file", "content");
  a.option("--seed", "N", "random seed (noise initialisation)", "0");
  a.option("--iters", "N", "iterations", "300");
  a.option("--size", "PX", "long side of the working image", "256");
  a.option("--style-size", "PX", "long side of the style images (default: --size)");
  a.option("-o", "FILE", "result PNG", "out/stylize/<content>.png");
  a.option("--save-every", "N", "also write OUT_iterN.png every N iterations (0: never)", "0");
  a.flag("--report-depth", "print how far the result's estimated depth is from the content's (RMSE, correlation)");
  a.option("--device", "cpu|cuda", "where to run", cuda_available() ? "cuda" : "cpu");
  if (!a.parse(argc, argv)) return 0;
  a.expect_positional(1, 1, "one CONTENT image");
  std::vector<std::string> style_paths = a.all("--style");
  if (style_paths.empty()) throw Error("give at least one --style IMAGE (see --help)");
  const std::string content_path = a.positional()[0];
  Device dev = parse_device(a.str("--device"));
  int size = a.integer("--size", 16, 4096), iters = a.integer("--iters", 1, 1000000);
  int style_size = a.has("--style-size") ? a.integer("--style-size", 16, 4096) : size;
  int save_every = a.integer("--save-every", 0, 1000000);

  std::string net_name = a.str("--net");
  StylizeConfig cfg = default_config(net_name);
  if (a.has("--content-layer")) cfg.content_layer = a.str("--content-layer");
  if (a.has("--style-layers")) {
    cfg.style_layers = a.list("--style-layers");
    if (!a.has("--style-layer-weights")) cfg.style_layer_weights.assign(cfg.style_layers.size(), 1000.0f);
  }
  if (a.has("--style-layer-weights")) cfg.style_layer_weights = parse_nonnegative(a.list("--style-layer-weights"), "--style-layer-weights");
  if (a.has("--content-weight")) cfg.content_weight = static_cast<float>(a.number("--content-weight", 0, 1e12));
  if (a.has("--style-total-weight")) cfg.style_weight = static_cast<float>(a.number("--style-total-weight", 0, 1e12));
  if (a.has("--tv-weight")) cfg.tv_weight = static_cast<float>(a.number("--tv-weight", 0, 1e12));
  cfg.depth_weight = static_cast<float>(a.number("--depth-weight", 0, 1e12));
  if (a.has("--lr")) cfg.lr = static_cast<float>(a.number("--lr", 1e-6, 10));
  cfg.lr_decay = static_cast<float>(a.number("--lr-decay", 0, 1));
  if (a.has("--lr-step")) cfg.lr_step = a.integer("--lr-step", 0, 1000000);
  cfg.optimizer = a.str("--optimizer");
  if (cfg.optimizer != "adam" && cfg.optimizer != "lbfgs") throw Error("--optimizer: expected adam or lbfgs");
  cfg.init = a.str("--init");
  cfg.seed = static_cast<uint64_t>(a.number("--seed", 0, 9e15));
  if (a.str("--content-mask") != "none") cfg.content_masked = true, cfg.content_mask = parse_mask_spec(a.str("--content-mask"));

  // Output paths.
  std::string out = a.has("-o") ? a.str("-o") : "out/stylize/" + stem(content_path) + ".png";
  if (!ends_with(out, ".png")) throw Error("-o " + out + ": the result is written as PNG; name it .png");
  std::string base = out.substr(0, out.size() - 4);
  if (std::filesystem::path(out).has_parent_path()) std::filesystem::create_directories(std::filesystem::path(out).parent_path());

  // Content at its own size, and its depth.
  bool mat = ends_with(content_path, ".mat");
  DepthOptions dopt;
  dopt.frame = a.integer("--frame", 0, 1000000);
  dopt.dataset = a.str("--depth-dataset");
  Tensor content_full = mat ? load_nyu_mat_rgb(content_path, dopt.frame) : load_image_rgb(content_path);
  std::string depth_path = a.has("--depth") ? a.str("--depth") : (mat ? content_path : "");
  Tensor depth_full;
  if (!depth_path.empty()) {
    Tensor metres = load_depth_metres(depth_path, dopt);
    double valid = valid_fraction(metres);
    if (valid == 0) throw Error(depth_path + ": the depth map has no valid pixel");
    depth_full = fit_depth_to(fill_invalid(metres), static_cast<int>(content_full.H()), static_cast<int>(content_full.W()),
                              "depth map " + depth_path);
    std::printf("depth: %s, %.1f%% valid pixels (the rest filled from neighbours)\n", depth_path.c_str(), 100 * valid);
  }
  auto [h, w] = fit_long_side(content_full.H(), content_full.W(), size);
  Tensor content = resize_image(content_full, h, w);

  // Networks.
  FeatureNet net = load_feature_net(net_name, a.str("--weights"), dev);
  std::unique_ptr<DepthEstimator> depth_net;
  if (depth_path.empty() || cfg.depth_weight > 0 || a.has("--report-depth"))
    depth_net = load_depth_net(a.str("--monodepth2"), dev);
  Tensor depth01;
  if (!depth_path.empty()) {
    depth01 = normalise_depth(resize_depth_to(depth_full, static_cast<int>(h), static_cast<int>(w)));
  } else {
    NoGradGuard ng;
    depth01 = normalise_depth(depth_net->predict(Var(content.to(dev))).value().to(Device::CPU));
    std::printf("depth: estimated by %s\n", depth_net->name().c_str());
  }

  // Styles.
  std::vector<StyleInput> styles;
  for (size_t k = 0; k < style_paths.size(); ++k) {
    StyleInput s;
    s.name = stem(style_paths[k]);
    for (const StyleInput& other : styles)
      if (other.name == s.name) s.name += "_" + std::to_string(k + 1);
    Tensor img = load_image_rgb(style_paths[k]);
    auto [sh, sw] = fit_long_side(img.H(), img.W(), style_size);
    s.image = resize_image(img, sh, sw);
    s.weight = parse_nonnegative({per_style(a.all("--style-weight"), k, "1", "--style-weight", style_paths.size())}, "--style-weight")[0];
    std::string mask = per_style(a.all("--style-mask"), k, "none", "--style-mask", style_paths.size());
    if (mask != "none") s.masked = true, s.mask = parse_mask_spec(mask);
    styles.push_back(std::move(s));
  }

  Stylizer st(net, depth_net.get(), content, depth01, styles, cfg, dev);
  std::vector<std::string> names = st.term_names();
  std::printf("stylize: %s %lldx%lld on %s, %s, %d iterations, %zu style(s)\n", content_path.c_str(),
              static_cast<long long>(w), static_cast<long long>(h), device_name(dev), cfg.optimizer.c_str(), iters,
              styles.size());
  std::vector<std::string> columns = {"iteration", "seconds"};
  columns.insert(columns.end(), names.begin(), names.end());
  CsvWriter csv(base + "_losses.csv", columns);
  std::vector<std::vector<double>> curves(names.size());
  Progress progress(iters);
  auto t0 = std::chrono::steady_clock::now();
  st.run(iters, [&](int it, const std::vector<double>& terms) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (double v : terms)
      if (!std::isfinite(v)) throw Error("the loss became " + std::to_string(v) + " at iteration " + std::to_string(it) +
                                         "; try a smaller --lr or smaller weights");
    std::vector<double> row = {static_cast<double>(it), secs};
    row.insert(row.end(), terms.begin(), terms.end());
    csv.row(row);
    for (size_t i = 0; i < terms.size(); ++i) curves[i].push_back(terms[i]);
    progress.update(it, {{"loss", terms[0]}});
    if (save_every > 0 && it % save_every == 0 && it != iters) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "_iter%05d.png", it);
      save_png(base + buf, st.image().value());
    }
  });
  progress.finish();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  save_png(out, st.image().value());
  save_loss_plot(base + "_losses.png", names, curves, true, stem(out) + " losses");
  std::vector<Tensor> panels = {content, colormap_depth(depth01)};
  std::vector<std::string> labels = {"content", "depth"};
  for (const auto& [name, m] : st.masks()) panels.push_back(m), labels.push_back(name);
  panels.push_back(st.image().value());
  labels.push_back("result");
  save_png(base + "_montage.png", montage(panels, labels, static_cast<int>(std::min<int64_t>(h, 256))));
  if (a.has("--report-depth")) {
    NoGradGuard ng;
    std::vector<float> dc = depth_net->predict(Var(content.to(dev))).value().to_vector();
    std::vector<float> dr = depth_net->predict(st.image()).value().to_vector();
    DepthAgreement d = depth_agreement(dc, dr);
    std::printf("depth of result vs content (%s): RMSE %.4f m, Pearson %.4f\n", depth_net->name().c_str(), d.rmse, d.pearson);
  }
  std::printf("done in %.1fs (%.3fs/iteration): loss %.4g -> %.4g\nwrote %s, %s_losses.csv, %s_losses.png, %s_montage.png\n",
              secs, secs / iters, curves[0].front(), curves[0].back(), out.c_str(), base.c_str(), base.c_str(),
              base.c_str());
  return 0;
}

}  // namespace app
}  // namespace ds
