#include "apps/stylize/stylize_job.h"

#include <cstdio>
#include <filesystem>

#include "apps/render/montage.h"
#include "apps/render/plot.h"
#include "apps/stylize/iteration_log.h"
#include "apps/stylize/stylize_batch.h"
#include "apps/stylize/stylize_inputs.h"
#include "nn/resize.h"
#include "tensor/file_util.h"
#include "tensor/image_io.h"
#include "weights/depth_map.h"

namespace ds {
namespace app {

namespace {

std::string stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }
std::string base_of(const std::string& out) { return std::filesystem::path(out).replace_extension().string(); }

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

Tensor stylize_montage(const StylizeResult& r, const std::vector<std::string>& style_names, const std::string& label) {
  std::vector<Tensor> panels = {r.content, colormap_depth(r.depth01)};
  std::vector<std::string> labels = {"content", "depth"};
  if (r.content_mask.defined()) panels.push_back(r.content_mask), labels.push_back("content mask");
  for (size_t k = 0; k < r.style_masks.size(); ++k)
    if (r.style_masks[k].defined()) panels.push_back(r.style_masks[k].to(Device::CPU)), labels.push_back(style_names[k] + " mask");
  panels.push_back(r.image);
  labels.push_back(label);
  return montage(panels, labels, static_cast<int>(std::min<int64_t>(r.content.H(), 256)));
}

void report_depth(const DepthEstimator& depth_net, const Tensor& content, const Tensor& result, Device dev) {
  NoGradGuard ng;
  std::vector<float> dc = depth_net.predict(Var(content.to(dev))).value().to_vector();
  std::vector<float> dr = depth_net.predict(Var(result.to(dev))).value().to_vector();
  DepthAgreement d = depth_agreement(dc, dr);
  std::printf("depth of result vs content (%s): RMSE %.4f m, Pearson %.4f\n", depth_net.name().c_str(), d.rmse,
              d.pearson);
}

}  // namespace

StylizeCommand::StylizeCommand(StylizeOptions o) : o_(std::move(o)) {}
StylizeCommand::~StylizeCommand() = default;

std::vector<StylizeJob> StylizeCommand::jobs(bool batch) const {
  if (batch) return batch_jobs(o_.content, o_.depth, o_.out.empty() ? "out/stylize" : o_.out);
  std::string depth = !o_.depth.empty() ? o_.depth : lower_extension(o_.content) == ".mat" ? o_.content : "";
  std::string out = !o_.out.empty() ? o_.out : "out/stylize/" + stem(o_.content) + ".png";
  check_image_output(out);
  return {{o_.content, depth, out, ""}};
}

bool StylizeCommand::needs_depth_net(const std::vector<StylizeJob>& jobs) const {
  if (o_.loss.spec.uses_depth() || o_.report_depth) return true;
  for (const StylizeJob& j : jobs)
    if (j.depth.empty() && j.depth_problem.empty()) return true;
  return false;
}

void StylizeCommand::check_images(const std::vector<StylizeJob>& jobs, bool batch) {
  for (const StyleInput& s : o_.styles) load_image_rgb(s.path);
  std::vector<MaskSpec> image_masks;
  if (o_.content_mask && o_.content_mask->kind == MaskSpec::Kind::Image) image_masks.push_back(*o_.content_mask);
  for (const StyleInput& s : o_.styles)
    if (s.mask && s.mask->kind == MaskSpec::Kind::Image) image_masks.push_back(*s.mask);
  if (batch || !jobs.at(0).depth_problem.empty()) {
    for (const MaskSpec& m : image_masks) load_mask_image(m.path);
    return;
  }
  Content c = load_content(jobs[0].content, jobs[0].depth, o_.depth_file);
  for (const MaskSpec& m : image_masks)  // against the content's own size, as the depth
    fit_depth_to(load_mask_image(m.path), static_cast<int>(c.image.H()), static_cast<int>(c.image.W()),
                 "mask image " + m.path);
  content_sizes_ = {{"content image " + jobs[0].content, c.image.H(), c.image.W()}};
}

void StylizeCommand::plan(OutputPlan& plan, const std::vector<StylizeJob>& jobs) const {
  for (const StyleInput& s : o_.styles) plan.input("--style image", s.path);
  if (o_.init == InitKind::Image) plan.input("--init image", o_.init_image);
  if (o_.content_mask && o_.content_mask->kind == MaskSpec::Kind::Image)
    plan.input("--content-mask image", o_.content_mask->path);
  for (const StyleInput& s : o_.styles)
    if (s.mask && s.mask->kind == MaskSpec::Kind::Image) plan.input("--style-mask image", s.mask->path);
  for (const StylizeJob& j : jobs) {
    plan.input("content image", j.content);
    plan.input("--depth file", j.depth);
    std::string base = base_of(j.out);
    plan.output("-o result", j.out);
    plan.output("loss log", base + "_losses.csv");
    plan.output("loss plot", base + "_losses.png");
    plan.output("montage", base + "_montage.png");
    for (const auto& frame : frame_files(base, o_.sizes, o_.save_every)) plan.output("--save-every image", frame.second);
  }
}

void StylizeCommand::plan_networks(OutputPlan& plan, const std::vector<StylizeJob>& jobs) const {
  plan.input("feature network weights", o_.loss.feature_net_file());
  if (needs_depth_net(jobs)) plan.input("depth network weights", o_.loss.depth_net_file());
}

void StylizeCommand::load(const std::vector<StylizeJob>& jobs) {
  engine_ = std::make_unique<StylizeEngine>(o_, needs_depth_net(jobs), content_sizes_);
}

JobResult StylizeCommand::run(const StylizeJob& job) const {
  if (!job.depth_problem.empty()) throw Error(job.depth_problem);
  check_image_output(job.out);
  Content c = load_content(job.content, job.depth, o_.depth_file);
  std::string what = "content image " + job.content;
  engine_->check_sizes({{what, c.image.H(), c.image.W()}});  // every scale, before the first iteration
  auto [h, w] = fit_long_side(c.image.H(), c.image.W(), o_.sizes.steps.back().long_side);
  std::printf("stylize: %s %lldx%lld on %s, %s, %d iterations, %zu style(s)\n", job.content.c_str(),
              static_cast<long long>(w), static_cast<long long>(h), device_name(o_.device),
              o_.optimizer == Optimizer::Adam ? "adam" : "lbfgs", o_.sizes.total_iters(), o_.styles.size());
  std::string base = base_of(job.out);
  IterationLog log(base, o_.sizes, o_.save_every, o_.print_every, o_.device);
  StylizeRequest req;
  req.content = c.image, req.depth = c.depth, req.name = what, req.observer = &log;
  StylizeResult r = engine_->stylize(req);
  // A run that stopped writes its best iterate, so the result is never the garbage it ended on.
  bool stopped = !r.stopped.empty();
  save_image(job.out, r.image);
  log.save();
  save_loss_plot(base + "_losses.png", log.names(), log.curves(), true, stem(job.out) + " losses");
  save_image(base + "_montage.png", stylize_montage(r, engine_->style_names(), stopped ? "best iterate" : "result"));
  if (stopped) throw divergence_error(r, job.out);
  if (o_.report_depth) report_depth(*engine_->depth_net(), r.content, r.image, o_.device);
  JobResult jr{log.seconds(), r.first.total, r.last.total, r.iterations};
  std::printf("done in %.1fs (%.3fs/iteration): loss %.4g -> %.4g\nwrote %s, %s_losses.csv, %s_losses.png, "
              "%s_montage.png\n", jr.seconds, jr.seconds / jr.iterations, jr.first_loss, jr.last_loss, job.out.c_str(),
              base.c_str(), base.c_str(), base.c_str());
  std::fflush(stdout);
  return jr;
}

// A stopped run's ending: what happened, where the best iterate went, and what to try.
Error StylizeCommand::divergence_error(const StylizeResult& r, const std::string& out) const {
  const std::vector<ScaleStep>& steps = o_.sizes.steps;
  char where[96] = "", best[200];
  if (steps.size() > 1)
    std::snprintf(where, sizeof where, "scale %zu/%zu (%d px), ", r.stopped_scale + 1, steps.size(),
                  steps[r.stopped_scale].long_side);
  std::snprintf(best, sizeof best, "wrote the best iterate (after %d iterations, loss %.4g, %lldx%lld) to %s",
                r.scale_first_iteration + r.best_done, r.best_loss, static_cast<long long>(r.image.W()),
                static_cast<long long>(r.image.H()), out.c_str());
  std::string advice = o_.optimizer == Optimizer::Adam ? "the learning rate is too large for these weights: try --lr " +
                                                             format_number(o_.lr / 10) + " (a tenth of " +
                                                             format_number(o_.lr) + ")"
                                                       : "try --optimizer adam, or smaller loss weights";
  return Error("stylize stopped at " + std::string(where) + "iteration " + std::to_string(r.iterations) + ": " +
               r.stopped + "; " + best + "; " + advice);
}

}  // namespace app
}  // namespace ds
