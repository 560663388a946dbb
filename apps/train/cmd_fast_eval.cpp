// depthstyle fast-eval: compares feed-forward style nets on held-out images: how well the
// depth of each stylised output agrees with the depth of the input (RMSE, Pearson), and the
// content and style losses of train (losses/transfer_loss.h). Writes markdown tables to stdout and
// optionally a montage per image (outputs above, their depth maps below).
#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>

#include "apps/depthstyle/commands.h"
#include "apps/common/args.h"
#include "apps/common/loss_options.h"
#include "apps/render/montage.h"
#include "apps/common/outputs.h"
#include "apps/train/train_data.h"
#include "losses/depth_map.h"
#include "nn/fast_style_weights.h"
#include "nn/resize.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

namespace {

struct Model {
  std::string label;
  FastStyleNet net;
};

Tensor clamp01(const Tensor& t) {
  Tensor c = t.to(Device::CPU);
  for (int64_t i = 0; i < c.numel(); ++i) c.data()[i] = std::clamp(c.data()[i], 0.0f, 1.0f);
  return c;
}

// Depth in [0,1] on the input depth's range, so colours compare across panels.
Tensor depth_on_range(const Tensor& d, float lo, float hi) {
  Tensor c = d.to(Device::CPU);
  for (int64_t i = 0; i < c.numel(); ++i) c.data()[i] = std::clamp((c.data()[i] - lo) / std::max(hi - lo, 1e-6f), 0.0f, 1.0f);
  return c;
}

// Two montages of the same width, one above the other, kMontageGap apart on white.
Tensor stack_rows(const Tensor& top, const Tensor& bottom) {
  int64_t w = top.W(), h = top.H() + kMontageGap + bottom.H();
  Tensor out = Tensor::full({1, 3, h, w}, 1.0f);
  for (int64_t c = 0; c < 3; ++c) {
    for (int64_t y = 0; y < top.H(); ++y)
      std::copy_n(top.data() + (c * top.H() + y) * w, w, out.data() + (c * h + y) * w);
    for (int64_t y = 0; y < bottom.H(); ++y)
      std::copy_n(bottom.data() + (c * bottom.H() + y) * bottom.W(), std::min(w, bottom.W()),
                  out.data() + (c * h + top.H() + kMontageGap + y) * w);
  }
  return out;
}

std::string montage_path(const std::string& dir, const std::string& image) {
  return (std::filesystem::path(dir) / (std::filesystem::path(image).stem().string() + ".png")).string();
}

// [LABEL=]MODEL arguments as (label, model): the label defaults to the model's file stem.
std::vector<std::pair<std::string, std::string>> model_args(const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& arg : args) {
    size_t eq = arg.find('=');
    std::string path = eq == std::string::npos ? arg : arg.substr(eq + 1);
    out.push_back({eq == std::string::npos ? std::filesystem::path(arg).stem().string() : arg.substr(0, eq), path});
  }
  return out;
}

// The input and output files, checked before any work.
void plan_files(const Args& a, const std::vector<std::pair<std::string, std::string>>& models,
                const std::vector<std::string>& files, const std::string& montage_dir) {
  if (!montage_dir.empty())
    check_output_folder(a.str("--images"), montage_dir, false,
                        "each montage would replace the image of its name; choose another folder");
  OutputPlan plan;
  for (const auto& [label, path] : models) plan.input("model " + label, fast_style_file(path));
  for (const std::string& f : files) plan.input("image", f);
  plan.input("--style image", a.str("--style"));
  plan.input("loss network weights", feature_net_file(a.str("--net"), a.str("--weights")));
  plan.input("depth network weights", depth_net_file(a.str("--monodepth2")));
  if (!montage_dir.empty())
    for (const std::string& f : files) plan.output("montage", montage_path(montage_dir, f));
  plan.check();
}

// Runs every model on one input x [1,3,h,w] (on the device): prints a table row per model,
// adds {rmse, pearson, content, style} to `sums`, and writes the montage when `montage_file`
// is not empty.
void evaluate_image(const std::string& stem, const Var& x, const std::vector<Model>& models,
                    const DepthEstimator& depth_net, const TransferLoss& loss, std::vector<std::array<double, 4>>& sums,
                    const std::string& montage_file, int panel) {
  Device dev = x.value().device();
  Tensor d_in = depth_net.predict(x).value().to(Device::CPU);
  std::vector<float> din = d_in.to_vector();
  auto [lo, hi] = std::minmax_element(din.begin(), din.end());
  std::vector<Tensor> top = {x.value()}, bottom = {colormap_depth(depth_on_range(d_in, *lo, *hi))};
  std::vector<std::string> labels = {"input"}, dlabels = {"depth of input"};
  for (size_t m = 0; m < models.size(); ++m) {
    Var y(clamp01(stylize_fast(models[m].net, x.value(), 0)).to(dev));
    Tensor d_out = depth_net.predict(y).value().to(Device::CPU);
    DepthAgreement ag = depth_agreement(din, d_out.to_vector());
    std::vector<double> terms;
    loss.total(y, loss.reference(x), &terms);
    std::array<double, 4> v = {ag.rmse, ag.pearson, terms[1], terms[2]};
    for (size_t k = 0; k < 4; ++k) sums[m][k] += v[k];
    std::printf("| %s | %s | %.3f | %.3f | %.4g | %.4g |\n", stem.c_str(), models[m].label.c_str(), v[0], v[1], v[2], v[3]);
    top.push_back(y.value()), labels.push_back(models[m].label);
    bottom.push_back(colormap_depth(depth_on_range(d_out, *lo, *hi))), dlabels.push_back("depth");
  }
  if (!montage_file.empty())
    save_image(montage_file, stack_rows(montage(top, labels, panel), montage(bottom, dlabels, panel)));
}

}  // namespace

int cmd_fast_eval(int argc, char** argv) {
  Args a("depthstyle fast-eval --images DIR --style STYLE [options] [LABEL=]MODEL ...",
         "Runs each MODEL (a transformer .h5 file: a `train` checkpoint, a converted network, or a\n"
         "pretrained style name) on every image of DIR at --size and reports, per image and averaged:\n"
         "  depth RMSE (m) and Pearson r between the depth network's depth of the output (clamped to\n"
         "  [0,1]) and of the input; the weighted content and style terms of `train`'s loss.\n"
         "The loss options are those of `depthstyle train` (its depth weights are not used here).\n"
         "--montage-dir may not be DIR, and no montage may be an input (checked before any work).");
  a.option("--images", "DIR", "folder of held-out images");
  a.option("--style", "IMAGE", "style image of the style loss");
  a.option("--size", "PX", "long side the images are stylised at", "256");
  a.option("--style-size", "PX", "long side of the style image", "256");
  a.option("--montage-dir", "DIR", "write <image>.png: input and outputs, their depth maps below");
  a.option("--panel", "PX", "montage panel height", "192");
  declare_loss_options(a);
  a.device_option();
  if (!a.parse(argc, argv, 1, 16, "one or more [LABEL=]MODEL")) return 0;
  std::string images = a.required("--images"), style_path = a.required("--style");
  Device dev = a.device();
  int size = a.integer("--size", 16, 4096), panel = a.integer("--panel", 32, 2048);
  LossSpec spec = loss_spec_from(a, TransferMethod::FeedForward);
  spec.depth_weight = 0, spec.depth_layers.clear(), spec.depth_layer_weights.clear();

  std::vector<std::pair<std::string, std::string>> model_files = model_args(a.positional());
  std::vector<std::string> files = list_images(images);
  std::string montage_dir = a.str("--montage-dir");
  plan_files(a, model_files, files, montage_dir);

  std::vector<Model> models;
  for (const auto& [label, path] : model_files) models.push_back({label, load_fast_style(path, dev)});
  Tensor style_img = load_image_rgb(style_path);
  auto [sh, sw] = fit_long_side(style_img.H(), style_img.W(), a.integer("--style-size", 16, 4096));
  FeatureNet net = feature_net_from(a, dev);
  std::vector<std::string> taps = spec.style_layers;
  taps.insert(taps.end(), spec.content_layers.begin(), spec.content_layers.end());
  int min_side = min_input_side(net, taps);
  check_input_size("style image " + style_path, sh, sw, "(--style-size)", min_side, net, taps, "give a larger --style-size");
  std::unique_ptr<DepthEstimator> depth_net = load_depth_net(a.str("--monodepth2"), dev);
  TransferLoss loss(net, nullptr, spec, {{"", resize_image(style_img, sh, sw), 1.0f, Tensor()}}, dev);

  NoGradGuard ng;
  std::vector<std::array<double, 4>> sums(models.size(), {0, 0, 0, 0});  // rmse, pearson, content, style
  std::printf("| image | model | depth RMSE (m) | depth Pearson r | content | style |\n|---|---|---|---|---|---|\n");
  for (const std::string& file : files) {
    Tensor img = load_image_rgb(file);
    auto [h, w] = fit_long_side(img.H(), img.W(), size);
    check_input_size("image " + file, h, w, "(--size " + std::to_string(size) + ")", min_side, net, taps,
                     "give a larger --size");
    evaluate_image(std::filesystem::path(file).stem().string(), Var(resize_image(img, h, w).to(dev)), models, *depth_net,
                   loss, sums, montage_dir.empty() ? "" : montage_path(montage_dir, file), panel);
    std::fflush(stdout);
  }
  std::printf("\nmean over %zu images:\n\n| model | depth RMSE (m) | depth Pearson r | content | style |\n|---|---|---|---|---|\n",
              files.size());
  double n = static_cast<double>(files.size());
  for (size_t m = 0; m < models.size(); ++m)
    std::printf("| %s | %.3f | %.3f | %.4g | %.4g |\n", models[m].label.c_str(), sums[m][0] / n, sums[m][1] / n, sums[m][2] / n,
                sums[m][3] / n);
  return 0;
}

}  // namespace app
}  // namespace ds
