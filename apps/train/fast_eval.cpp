#include "apps/train/fast_eval.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>

#include "apps/common/outputs.h"
#include "apps/render/montage.h"
#include "apps/train/train_data.h"
#include "nn/fast_style_weights.h"
#include "nn/resize.h"
#include "tensor/image_io.h"
#include "weights/depth_map.h"

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
void plan_files(const FastEvalOptions& o, const std::vector<std::string>& files) {
  if (!o.montage_dir.empty())
    check_output_folder(o.images, o.montage_dir, false,
                        "each montage would replace the image of its name; choose another folder");
  OutputPlan plan;
  for (const auto& [label, path] : o.models) plan.input("model " + label, fast_style_file(path));
  for (const std::string& f : files) plan.input("image", f);
  plan.input("--style image", o.style);
  plan.input("loss network weights", o.loss.feature_net_file());
  plan.input("depth network weights", o.loss.depth_net_file());
  if (!o.montage_dir.empty())
    for (const std::string& f : files) plan.output("montage", montage_path(o.montage_dir, f));
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
    LossTerms terms;
    loss.total(y, loss.reference(x), &terms);
    std::array<double, 4> v = {ag.rmse, ag.pearson, terms.content, terms.style.at(0)};
    for (size_t k = 0; k < 4; ++k) sums[m][k] += v[k];
    std::printf("| %s | %s | %.3f | %.3f | %.4g | %.4g |\n", stem.c_str(), models[m].label.c_str(), v[0], v[1], v[2], v[3]);
    top.push_back(y.value()), labels.push_back(models[m].label);
    bottom.push_back(colormap_depth(depth_on_range(d_out, *lo, *hi))), dlabels.push_back("depth");
  }
  if (!montage_file.empty())
    save_image(montage_file, stack_rows(montage(top, labels, panel), montage(bottom, dlabels, panel)));
}

}  // namespace

void declare_fast_eval_options(Args& a) {
  a.option("--images", "DIR", "folder of held-out images");
  a.option("--style", "IMAGE", "style image of the style loss");
  a.option("--size", "PX", "long side the images are stylised at", "256");
  a.option("--style-size", "PX", "long side of the style image", "256");
  a.option("--montage-dir", "DIR", "write <image>.png: input and outputs, their depth maps below");
  a.option("--panel", "PX", "montage panel height", "192");
  declare_loss_options(a);
  a.device_option();
}

FastEvalOptions parse_fast_eval_options(const Args& a, std::ostream& warn) {
  FastEvalOptions o;
  o.images = a.required("--images"), o.style = a.required("--style");
  o.device = a.device();
  o.size = a.integer("--size", 16, 4096), o.panel = a.integer("--panel", 32, 2048);
  o.style_size = a.integer("--style-size", 16, 4096);
  o.loss = loss_options_from(a, TransferMethod::FeedForward, warn);
  LossSpec& spec = o.loss.spec;
  spec.depth_weight = 0, spec.depth_layers.clear(), spec.depth_layer_weights.clear();
  o.montage_dir = a.str("--montage-dir");
  o.models = model_args(a.positional());
  return o;
}

void run_fast_eval(const FastEvalOptions& o) {
  std::vector<std::string> files = list_images(o.images);
  plan_files(o, files);
  std::vector<Model> models;
  for (const auto& [label, path] : o.models) models.push_back({label, load_fast_style(path, o.device)});
  Tensor style_img = load_image_rgb(o.style);
  auto [sh, sw] = fit_long_side(style_img.H(), style_img.W(), o.style_size);
  FeatureNet net = o.loss.load_feature_net(o.device);
  std::vector<std::string> taps = o.loss.taps();
  int min_side = min_input_side(net, taps);
  check_input_size("style image " + o.style, sh, sw, "(--style-size)", min_side, net, taps, "give a larger --style-size");
  std::unique_ptr<DepthEstimator> depth_net = o.loss.load_depth_net(o.device);
  TransferLoss loss(net, nullptr, o.loss.spec, {{"", resize_image(style_img, sh, sw), 1.0f, Tensor()}}, o.device);

  NoGradGuard ng;
  std::vector<std::array<double, 4>> sums(models.size(), {0, 0, 0, 0});  // rmse, pearson, content, style
  std::printf("| image | model | depth RMSE (m) | depth Pearson r | content | style |\n|---|---|---|---|---|---|\n");
  for (const std::string& file : files) {
    Tensor img = load_image_rgb(file);
    auto [h, w] = fit_long_side(img.H(), img.W(), o.size);
    check_input_size("image " + file, h, w, "(--size " + std::to_string(o.size) + ")", min_side, net, taps,
                     "give a larger --size");
    evaluate_image(std::filesystem::path(file).stem().string(), Var(resize_image(img, h, w).to(o.device)), models,
                   *depth_net, loss, sums, o.montage_dir.empty() ? "" : montage_path(o.montage_dir, file), o.panel);
    std::fflush(stdout);
  }
  std::printf("\nmean over %zu images:\n\n| model | depth RMSE (m) | depth Pearson r | content | style |\n|---|---|---|---|---|\n",
              files.size());
  double n = static_cast<double>(files.size());
  for (size_t m = 0; m < models.size(); ++m)
    std::printf("| %s | %.3f | %.3f | %.4g | %.4g |\n", models[m].label.c_str(), sums[m][0] / n, sums[m][1] / n,
                sums[m][2] / n, sums[m][3] / n);
}

}  // namespace app
}  // namespace ds
