#include "apps/train/train_run.h"

#include <cstdio>
#include <filesystem>
#include <map>

#include "apps/common/csv.h"
#include "apps/common/outputs.h"
#include "apps/common/progress.h"
#include "apps/render/plot.h"
#include "apps/train/train.h"
#include "nn/fast_style_weights.h"
#include "nn/resize.h"
#include "tensor/image_io.h"

namespace fs = std::filesystem;

namespace ds {
namespace app {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

template <typename T>
std::string joined(const std::vector<T>& items) {
  std::string s;
  for (const T& x : items) {
    if constexpr (std::is_same_v<T, std::string>) s += (s.empty() ? "" : ",") + x;
    else s += (s.empty() ? "" : ",") + num(x);
  }
  return s;
}

// FNV-1a over the float pixels: the same image decoded gives the same hash wherever it lives.
std::string pixel_hash(const Tensor& image) {
  uint64_t h = 1469598103934665603ull;
  std::vector<float> v = image.to_vector();
  const auto* b = reinterpret_cast<const unsigned char*>(v.data());
  for (size_t i = 0; i < v.size() * sizeof(float); ++i) h = (h ^ b[i]) * 1099511628211ull;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lldx%lld pixels #%016llx", static_cast<long long>(image.W()),
                static_cast<long long>(image.H()), static_cast<unsigned long long>(h));
  return buf;
}

// The checkpoints in -o that belong to another run: all of them, unless --resume continues the
// run whose folder -o is.
std::vector<std::string> other_runs_checkpoints(const TrainOptions& o, const std::string& resume) {
  if (!resume.empty()) {
    fs::path folder = fs::path(resume).parent_path();
    std::error_code e;
    if (fs::equivalent(folder.empty() ? fs::path(".") : folder, o.out_dir, e)) return {};
  }
  return existing_checkpoints(o.out_dir);
}

// The input and output files, checked before any work. Only checkpoint files that exist can
// be inputs, so the checkpoints this run would write (or, with --overwrite, remove) are listed
// from the folder's files.
void plan_files(const TrainOptions& o, const std::string& resume, const std::vector<std::string>& others) {
  check_output_folder(o.images, o.out_dir, false,
                      "the checkpoints and losses.png would be mixed with the training images (and losses.png "
                      "read as one by the next run); choose another folder");
  OutputPlan plan;
  for (const std::string& f : list_images(o.images)) plan.input("training image", f);
  plan.input("--style image", o.style);
  plan.input("loss network weights", o.loss.feature_net_file());
  if (o.loss.spec.uses_depth()) plan.input("depth network weights", o.loss.depth_net_file());
  if (o.init != "random") plan.input("--init weights", fast_style_file(o.init));
  if (!resume.empty()) plan.input("--resume checkpoint", resume), plan.input("--resume optimiser state", optim_path(resume));
  int64_t first = resume.empty() ? 0 : std::max<int64_t>(0, checkpoint_step(resume));
  for (const std::string& c : existing_checkpoints(o.out_dir)) {
    int64_t k = checkpoint_step(c);
    bool written = k > first && k <= o.steps && (k % o.checkpoint_every == 0 || k == o.steps);
    bool removed = o.overwrite && std::find(others.begin(), others.end(), c) != others.end();
    if (written || removed) plan.output("checkpoint", c), plan.output("checkpoint optimiser state", optim_path(c));
  }
  plan.output("loss log", o.out_dir + "/losses.csv");
  plan.output("loss plot", o.out_dir + "/losses.png");
  plan.check();
  if (!others.empty() && !o.overwrite)
    throw Error("-o " + o.out_dir + " holds " + std::to_string(others.size()) + " checkpoint(s) of another run (" +
                fs::path(others.front()).filename().string() + (others.size() > 1 ? ", ..." : "") +
                "): training into it would mix the two runs. Give --resume " + o.out_dir +
                " to continue that run, --overwrite to replace it, or another -o");
}

// Steps until o.steps with the CSV log (the earlier history first), the progress line, and a
// checkpoint and the loss plot every o.checkpoint_every steps and at the end.
void train_loop(Trainer& trainer, const std::vector<std::string>& names, const TrainOptions& o,
                const std::map<std::string, h5::AttrValue>& attrs, const std::string& title) {
  const std::string& dir = o.out_dir;
  std::vector<std::string> columns = {"step", "seconds"};
  columns.insert(columns.end(), names.begin(), names.end());
  CsvWriter csv(dir + "/losses.csv", columns);
  for (const TrainRow& row : trainer.history()) csv.row(row.values());
  auto write_plot = [&] {
    std::vector<std::vector<double>> curves(names.size());
    for (const TrainRow& row : trainer.history()) {
      std::vector<double> v = row.terms.values();
      for (size_t i = 0; i < names.size(); ++i) curves[i].push_back(v[i]);
    }
    save_loss_plot(dir + "/losses.png", names, curves, true, title);
  };
  int64_t first = trainer.steps_done();
  int batch = trainer.batch_size();
  Progress progress(o.steps);
  double secs0 = trainer.history().empty() ? 0.0 : trainer.history().back().seconds;
  while (trainer.steps_done() < o.steps) {
    const TrainRow& row = trainer.step();
    csv.row(row.values());
    int64_t s = row.step;
    double rate = static_cast<double>((s - first) * batch) / std::max(1e-9, row.seconds - secs0);
    progress.update(static_cast<int>(s), {{"loss", row.terms.total}, {"depth", row.terms.depth}, {"img/s", rate}});
    if (s % o.checkpoint_every == 0 || s == o.steps) {
      trainer.save(checkpoint_path(dir, s), attrs);
      csv.save();  // the log always matches the last checkpoint
      write_plot();
    }
  }
  progress.finish();
  double secs = trainer.history().back().seconds - secs0;
  std::printf("done: %lld steps in %.1fs of training (%.3f images/s); wrote %s, losses.csv, losses.png\n",
              static_cast<long long>(o.steps - first), secs, static_cast<double>((o.steps - first) * batch) / secs,
              checkpoint_path(dir, o.steps).c_str());
}

// The style image at its working size and the training crops, checked against the loss
// network's smallest input for the loss's layers.
void check_sizes(const FeatureNet& net, const TrainOptions& o, int64_t sh, int64_t sw) {
  std::vector<std::string> taps = o.loss.taps();
  int min_side = min_input_side(net, taps);
  check_input_size("style image " + o.style, sh, sw, "(--style-size " + std::to_string(o.style_size) + ")", min_side,
                   net, taps, "give a larger --style-size");
  check_input_size("training crops", o.crop_size, o.crop_size, "(--crop-size)", min_side, net, taps,
                   "give a larger --crop-size");
}

}  // namespace

std::vector<std::pair<std::string, std::string>> run_identity(const TrainOptions& o, const Tensor& style_image) {
  const LossSpec& s = o.loss.spec;
  return {{"--style", pixel_hash(style_image)},
          {"--style-size", std::to_string(o.style_size)},
          {"--net", o.loss.net},
          {"--pooling", o.loss.pooling == Pooling::Avg ? "avg" : "max"},
          {"--content-layer", s.content_layer},
          {"--style-layers", joined(s.style_layers)},
          {"--style-layer-weights", joined(s.style_layer_weights)},
          {"--content-weight", num(s.content_weight)},
          {"--style-total-weight", num(s.style_weight)},
          {"--tv-weight", num(s.tv_weight)},
          {"--depth-weight", num(s.depth_weight)},
          {"--depth-layers", joined(s.depth_layers)},
          {"--depth-layer-weights", joined(s.depth_layer_weights)},
          {"--monodepth2", o.loss.monodepth2.empty() ? "(none: FastDepth)" : fs::path(o.loss.monodepth2).filename().string()}};
}

void run_training(const TrainOptions& o) {
  std::string resume = o.resume.empty() ? "" : resolve_checkpoint(o.resume);
  std::vector<std::string> others = other_runs_checkpoints(o, resume);
  plan_files(o, resume, others);

  ImageStream data(o.images, o.crop_size, o.seed);
  Tensor style_img = load_image_rgb(o.style);
  auto [sh, sw] = fit_long_side(style_img.H(), style_img.W(), o.style_size);
  FeatureNet net = o.loss.load_feature_net(o.device);
  check_sizes(net, o, sh, sw);
  std::unique_ptr<DepthEstimator> depth_net;
  if (o.loss.spec.uses_depth()) depth_net = o.loss.load_depth_net(o.device);
  TransferLoss loss(net, depth_net.get(), o.loss.spec, {{"", resize_image(style_img, sh, sw), 1.0f, Tensor()}},
                    o.device);

  TrainConfig cfg;
  cfg.lr = o.lr, cfg.batch_size = o.batch_size, cfg.same = run_identity(o, style_img);
  std::string from = o.init;
  Trainer trainer(fast_style_init(resume.empty() ? from : resume, o.seed), loss, data, cfg, o.device);
  if (!resume.empty()) {
    trainer.resume(resume);
    // Keep naming where the run started, not the checkpoint it was resumed from.
    WeightFile f = load_weights(resume, "fast_style_tf");
    from = f.has_attr("trained_from") ? f.attr_string("trained_from") : resume;
  }
  if (trainer.steps_done() >= o.steps)
    throw Error(resume + " is at step " + std::to_string(trainer.steps_done()) + ": give --steps above it to continue");
  if (o.overwrite && !others.empty()) {  // everything checked and loaded: now the other run goes
    for (const std::string& c : others) fs::remove(c), fs::remove(optim_path(c));
    std::printf("--overwrite: removed %zu checkpoint(s) of another run from %s\n", others.size(), o.out_dir.c_str());
  }

  std::map<std::string, h5::AttrValue> attrs = {
      {"style", h5::AttrValue::string(fs::path(o.style).stem().string())},
      {"trained_from", h5::AttrValue::string(from)},
      {"loss_network", h5::AttrValue::string(o.loss.net)},
      {"depth_weight", h5::AttrValue::number(o.loss.spec.depth_weight)}};
  std::printf("train: %zu images in %s, crops %dx%d, batch %d, from %s%s, style %s, %s loss net, depth %s (weight %g, "
              "%zu layers), steps %lld..%d on %s\n",
              data.size(), o.images.c_str(), o.crop_size, o.crop_size, o.batch_size, from.c_str(),
              resume.empty() ? "" : (", resumed at " + resume).c_str(), o.style.c_str(), net.name.c_str(),
              depth_net ? depth_net->name().c_str() : "off", o.loss.spec.depth_weight, o.loss.spec.depth_layers.size(),
              static_cast<long long>(trainer.steps_done() + 1), o.steps, device_name(o.device));
  std::fflush(stdout);  // before the progress lines on stderr
  train_loop(trainer, loss.term_names(), o, attrs, "depthstyle train " + o.out_dir + " (from " + from + ")");
}

}  // namespace app
}  // namespace ds
