// depthstyle train: trains the feed-forward style transformer with a depth loss
// (the loss: losses/transfer_loss.h; the trainer and its checkpoint files: apps/train/train.h).
#include <cstdio>
#include <filesystem>

#include "apps/depthstyle/commands.h"
#include "apps/common/args.h"
#include "apps/common/csv.h"
#include "apps/common/loss_options.h"
#include "apps/common/outputs.h"
#include "apps/render/plot.h"
#include "apps/common/progress.h"
#include "apps/train/train.h"
#include "nn/fast_style_weights.h"
#include "nn/resize.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

namespace {

void declare_options(Args& a) {
  a.option("--images", "DIR", "folder of training images");
  a.option("--style", "IMAGE", "style image");
  a.option("-o", "DIR", "checkpoint folder");
  a.option("--init", "WHAT", "random (He-normal, seed --seed) | a pretrained style (la_muse, wave, ...) | a .h5 file "
           "(a checkpoint, or a converted fast-neural-style .t7 / pytorch/examples .pth: its layers are trained)",
           "random");
  a.option("--resume", "CKPT", "continue a run from its checkpoint (file, or folder: its last step)");
  a.option("--steps", "N", "train until the step counter reaches N (resumed steps count)", "2000");
  a.option("--checkpoint-every", "N", "write a checkpoint every N steps (and always at the end)", "200");
  a.option("--crop-size", "PX", "side of the square training crops", "256");
  a.option("--batch-size", "B", "crops per step", "4");
  a.option("--lr", "LR", "Adam learning rate", "1e-3");
  a.option("--seed", "N", "seed of the data order, the crops and a random --init", "0");
  a.option("--style-size", "PX", "long side of the style image (default: --crop-size)");
  declare_loss_options(a);
  a.device_option();
}

// Steps until `steps` with the CSV log (the earlier history first), the progress line, and a
// checkpoint and the loss plot every `every` steps and at the end.
void train_loop(Trainer& trainer, const std::vector<std::string>& names, const std::string& dir, int steps, int every,
                const std::map<std::string, h5::AttrValue>& attrs, const std::string& title) {
  std::vector<std::string> columns = {"step", "seconds"};
  columns.insert(columns.end(), names.begin(), names.end());
  CsvWriter csv(dir + "/losses.csv", columns);
  for (const std::vector<double>& row : trainer.history()) csv.row(row);
  auto write_plot = [&] {
    std::vector<std::vector<double>> curves(names.size());
    for (const std::vector<double>& row : trainer.history())
      for (size_t i = 0; i < names.size(); ++i) curves[i].push_back(row[2 + i]);
    save_loss_plot(dir + "/losses.png", names, curves, true, title);
  };
  int64_t first = trainer.steps_done();
  int batch = trainer.batch_size();
  Progress progress(steps);
  double secs0 = trainer.history().empty() ? 0.0 : trainer.history().back()[1];
  while (trainer.steps_done() < steps) {
    const std::vector<double>& row = trainer.step();
    csv.row(row);
    int64_t s = trainer.steps_done();
    double rate = static_cast<double>((s - first) * batch) / std::max(1e-9, row[1] - secs0);
    progress.update(static_cast<int>(s), {{"loss", row[2]}, {"depth", row.back()}, {"img/s", rate}});
    if (s % every == 0 || s == steps) {
      trainer.save(checkpoint_path(dir, s), attrs);
      csv.save();  // the log always matches the last checkpoint
      write_plot();
    }
  }
  progress.finish();
  double secs = trainer.history().back()[1] - secs0;
  std::printf("done: %lld steps in %.1fs of training (%.3f images/s); wrote %s, losses.csv, losses.png\n",
              static_cast<long long>(steps - first), secs, static_cast<double>((steps - first) * batch) / secs,
              checkpoint_path(dir, steps).c_str());
}

// The input and output files, checked before any work. Only checkpoint files that exist can
// be inputs, so the checkpoints this run would write are listed from the folder's files.
void plan_files(const Args& a, const LossSpec& spec, const std::string& resume, int steps, int every) {
  std::string images = a.str("--images"), dir = a.str("-o"), from = a.str("--init");
  check_output_folder(images, dir, false,
                      "the checkpoints and losses.png would be mixed with the training images (and losses.png "
                      "read as one by the next run); choose another folder");
  OutputPlan plan;
  for (const std::string& f : list_images(images)) plan.input("training image", f);
  plan.input("--style image", a.str("--style"));
  plan.input("loss network weights", feature_net_file(a.str("--net"), a.str("--weights")));
  if (spec.uses_depth()) plan.input("depth network weights", depth_net_file(a.str("--monodepth2")));
  if (from != "random") plan.input("--init weights", fast_style_file(from));
  if (!resume.empty()) plan.input("--resume checkpoint", resume), plan.input("--resume optimiser state", optim_path(resume));
  int64_t first = resume.empty() ? 0 : std::max<int64_t>(0, checkpoint_step(resume));
  for (const std::string& c : existing_checkpoints(dir))
    if (int64_t k = checkpoint_step(c); k > first && k <= steps && (k % every == 0 || k == steps))
      plan.output("checkpoint", c), plan.output("checkpoint optimiser state", optim_path(c));
  plan.output("loss log", dir + "/losses.csv");
  plan.output("loss plot", dir + "/losses.png");
  plan.check();
}

// The style image at its working size and the training crops, checked against the loss
// network's smallest input for the loss's layers.
void check_sizes(const FeatureNet& net, const LossSpec& spec, const std::string& style_path, int64_t sh, int64_t sw,
                 int style_size, int crop) {
  std::vector<std::string> taps = spec.style_layers;
  taps.insert(taps.end(), spec.content_layers.begin(), spec.content_layers.end());
  int min_side = min_input_side(net, taps);
  check_input_size("style image " + style_path, sh, sw, "(--style-size " + std::to_string(style_size) + ")", min_side, net,
                   taps, "give a larger --style-size");
  check_input_size("training crops", crop, crop, "(--crop-size)", min_side, net, taps, "give a larger --crop-size");
}

}  // namespace

int cmd_train(int argc, char** argv) {
  Args a("depthstyle train --images DIR --style STYLE -o CKPT_DIR [options]",
         "Trains the feed-forward style transformer (the fast-style net) on random crops of the\n"
         "images in DIR, with a loss network for content and style, and a depth loss through a\n"
         "frozen depth network (FastDepth, or --monodepth2):\n"
         "  loss = a*content + b*style + c*TV + d*depth + sum_k d_k*depth_layer_k   (batch means)\n"
         "depth terms are mean squared differences between the depth network's outputs (and named\n"
         "layers) on the stylised crop and on the crop itself.\n"
         "Data: every .png/.jpg/.jpeg/.ppm/.pgm/.bmp/.tga directly in DIR; each crop zooms the image\n"
         "so its short side is random in [crop, min(short, 2*crop)] (images smaller than the crop\n"
         "are scaled up), then cuts a random square; the order is shuffled per epoch from --seed.\n"
         "Unreadable images are skipped with a warning (an error if none can be read).\n"
         "Outputs in CKPT_DIR: step_NNNNNN.h5 (a weight file of the network's form, loadable by `depthstyle\n"
         "fast`), step_NNNNNN.optim.h5 (Adam state, data position and loss history for --resume),\n"
         "losses.csv and losses.png (rewritten at each checkpoint). CKPT_DIR may not be DIR, and no\n"
         "output may be an input (--init, --resume, ...): checked before any work. A loss or gradient\n"
         "that is not finite stops the run with an error, before it reaches the weights.");
  declare_options(a);
  if (!a.parse(argc, argv, 0, 0, "no positional arguments")) return 0;
  std::string images = a.required("--images"), style_path = a.required("--style"), dir = a.required("-o");
  Device dev = a.device();
  LossSpec spec = loss_spec_from(a, TransferMethod::FeedForward);
  TrainConfig cfg;
  cfg.lr = static_cast<float>(a.number("--lr", 1e-8, 1));
  cfg.batch_size = a.integer("--batch-size", 1, 1024);
  int crop = a.integer("--crop-size", 16, 4096), steps = a.integer("--steps", 1, 100000000);
  int every = a.integer("--checkpoint-every", 1, 100000000);
  uint64_t seed = static_cast<uint64_t>(a.number("--seed", 0, 9e15));
  int style_size = a.has("--style-size") ? a.integer("--style-size", 16, 4096) : crop;
  std::string resume = a.has("--resume") ? resolve_checkpoint(a.str("--resume")) : "";
  plan_files(a, spec, resume, steps, every);

  ImageStream data(images, crop, seed);
  Tensor style_img = load_image_rgb(style_path);
  auto [sh, sw] = fit_long_side(style_img.H(), style_img.W(), style_size);
  FeatureNet net = feature_net_from(a, dev);
  check_sizes(net, spec, style_path, sh, sw, style_size, crop);
  std::unique_ptr<DepthEstimator> depth_net;
  if (spec.uses_depth()) depth_net = load_depth_net(a.str("--monodepth2"), dev);
  TransferLoss loss(net, depth_net.get(), spec, {{"", resize_image(style_img, sh, sw), 1.0f, Tensor()}}, dev);

  std::string from = a.str("--init");
  Trainer trainer(fast_style_init(resume.empty() ? from : resume, seed), loss, data, cfg, dev);
  if (!resume.empty()) {
    trainer.resume(resume);
    // Keep naming where the run started, not the checkpoint it was resumed from.
    WeightFile f = load_weights(resume, std::vector<std::string>{"fast_style_tf", "transformer_graph"});
    from = f.has_attr("trained_from") ? f.attr_string("trained_from") : resume;
  }
  if (trainer.steps_done() >= steps)
    throw Error(resume + " is at step " + std::to_string(trainer.steps_done()) + ": give --steps above it to continue");

  std::map<std::string, h5::AttrValue> attrs = {
      {"style", h5::AttrValue::string(std::filesystem::path(style_path).stem().string())},
      {"trained_from", h5::AttrValue::string(from)},
      {"loss_network", h5::AttrValue::string(a.str("--net"))},
      {"depth_weight", h5::AttrValue::number(spec.depth_weight)}};
  std::printf("train: %zu images in %s, crops %dx%d, batch %d, from %s%s, style %s, %s loss net, depth %s (weight %g, %zu layers), "
              "steps %lld..%d on %s\n",
              data.size(), images.c_str(), crop, crop, cfg.batch_size, from.c_str(),
              resume.empty() ? "" : (", resumed at " + resume).c_str(), style_path.c_str(), net.name.c_str(),
              depth_net ? depth_net->name().c_str() : "off", spec.depth_weight, spec.depth_layers.size(),
              static_cast<long long>(trainer.steps_done() + 1), steps, device_name(dev));
  std::fflush(stdout);  // before the progress lines on stderr
  train_loop(trainer, loss.term_names(), dir, steps, every, attrs, "depthstyle train " + dir + " (from " + from + ")");
  return 0;
}

}  // namespace app
}  // namespace ds
