#include "apps/stylize/stylize_job.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>

#include "apps/stylize/iteration_log.h"
#include "apps/common/loss_options.h"
#include "apps/render/montage.h"
#include "apps/render/plot.h"
#include "losses/depth_map.h"
#include "losses/masks.h"
#include "nn/resize.h"
#include "tensor/colour.h"
#include "tensor/image_io.h"

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

// --original-colors: "none", "recombine" or "luminance-only".
std::string original_colors(const Args& a) {
  std::string m = a.str("--original-colors");
  if (m != "none" && m != "recombine" && m != "luminance-only")
    throw Error("--original-colors '" + m + "': expected none, recombine or luminance-only");
  return m;
}

std::string style_mask_spec(const Args& a, size_t k) {
  return per_style(a, "--style-mask", k, a.all("--style").size(), "none");
}

}  // namespace

struct StylizeScale {
  size_t k = 0;
  int first_iteration = 0;  // the iterations before this scale
  Tensor content, depth01, content_mask;
  std::unique_ptr<TransferLoss> loss;
  std::unique_ptr<Stylizer> st;  // refers to *loss
  Stylizer::Outcome outcome;
};

namespace {

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
  std::printf("depth of result vs content (%s): RMSE %.4f m, Pearson %.4f\n", depth_net.name().c_str(), d.rmse,
              d.pearson);
}

}  // namespace

StylizeCommand::StylizeCommand(const Args& a)
    : a_(a), dev_(a.device()), spec_(loss_spec_from(a, TransferMethod::Optimisation)), cfg_(optimiser_config(a)),
      steps_(scale_schedule(a, 16, kMaxSide)), save_every_(a.integer("--save-every", 0, 1000000)),
      colors_(original_colors(a)) {
  spec_.normalize_gradients = a.has("--normalize-gradients");
  for (const ScaleStep& s : steps_) style_long_side(a, s.long_side);  // its errors before any work
  depth_options_.frame = a.integer("--frame", 0, 1000000);
  depth_options_.dataset = a.str("--depth-dataset");
}

StylizeCommand::~StylizeCommand() = default;

bool StylizeCommand::needs_depth_net(const std::vector<StylizeJob>& jobs) const {
  if (spec_.uses_depth() || a_.has("--report-depth")) return true;
  for (const StylizeJob& j : jobs)
    if (j.depth.empty() && j.depth_problem.empty()) return true;
  return false;
}

void StylizeCommand::check_images(const std::vector<StylizeJob>& jobs, bool batch) const {
  for (const std::string& s : a_.all("--style")) load_image_rgb(s);
  if (!batch && jobs.at(0).depth_problem.empty()) load_content(jobs[0].content, jobs[0].depth, depth_options_);
}

void StylizeCommand::plan(OutputPlan& plan, const std::vector<StylizeJob>& jobs) const {
  for (const std::string& s : a_.all("--style")) plan.input("--style image", s);
  if (cfg_.init != "content" && cfg_.init != "noise") plan.input("--init image", cfg_.init);
  auto mask_input = [&](const std::string& what, const std::string& spec) {
    if (spec == "none") return;
    MaskSpec m = parse_mask_spec(spec);
    if (m.kind == MaskSpec::Kind::Image) plan.input(what, m.path);
  };
  mask_input("--content-mask image", a_.str("--content-mask"));
  for (size_t k = 0; k < a_.all("--style").size(); ++k) mask_input("--style-mask image", style_mask_spec(a_, k));
  for (const StylizeJob& j : jobs) {
    plan.input("content image", j.content);
    plan.input("--depth file", j.depth);
    std::string base = base_of(j.out);
    plan.output("-o result", j.out);
    plan.output("loss log", base + "_losses.csv");
    plan.output("loss plot", base + "_losses.png");
    plan.output("montage", base + "_montage.png");
    for (const auto& frame : frame_files(base, steps_, save_every_)) plan.output("--save-every image", frame.second);
  }
}

void StylizeCommand::plan_networks(OutputPlan& plan, const std::vector<StylizeJob>& jobs) const {
  plan.input("feature network weights", feature_net_file(a_.str("--net"), a_.str("--weights")));
  if (needs_depth_net(jobs)) plan.input("depth network weights", depth_net_file(a_.str("--monodepth2")));
}

void StylizeCommand::load(const std::vector<StylizeJob>& jobs) {
  net_ = feature_net_from(a_, dev_);
  taps_ = spec_.style_layers;
  taps_.push_back(spec_.content_layer);
  min_side_ = min_input_side(net_, taps_);
  std::vector<std::string> paths = a_.all("--style");
  std::vector<float> weights = style_weights_from(a_, paths.size());
  for (size_t k = 0; k < paths.size(); ++k) {
    StyleImage s;
    s.name = stem(paths[k]);
    for (const StyleImage& other : style_files_)
      if (other.name == s.name) s.name += "_" + std::to_string(k + 1);
    s.image = load_image_rgb(paths[k]);
    s.weight = weights[k];
    for (const ScaleStep& step : steps_) {  // every scale's style size, before any iteration
      int px = style_long_side(a_, step.long_side);
      auto [sh, sw] = fit_long_side(s.image.H(), s.image.W(), px);
      check_input_size("style image " + paths[k], sh, sw, "(--style-size " + std::to_string(px) + ")", min_side_,
                       net_, taps_, size_hint("--style-size", s.image.H(), s.image.W(), min_side_));
    }
    style_files_.push_back(std::move(s));
  }
  if (needs_depth_net(jobs)) depth_net_ = load_depth_net(a_.str("--monodepth2"), dev_);
}

std::vector<StyleImage> StylizeCommand::styles_at(int long_side, const Tensor& depth01) const {
  std::vector<StyleImage> styles = style_files_;
  int px = style_long_side(a_, long_side);
  for (size_t k = 0; k < styles.size(); ++k) {
    StyleImage& s = styles[k];
    auto [sh, sw] = fit_long_side(s.image.H(), s.image.W(), px);
    s.image = resize_image(s.image, sh, sw);
    if (colors_ == "luminance-only") s.image = luminance_rgb(s.image);
    if (style_mask_spec(a_, k) != "none") s.mask = make_mask(parse_mask_spec(style_mask_spec(a_, k)), depth01);
    std::printf("style %s: %lldx%lld\n", s.name.c_str(), static_cast<long long>(sw), static_cast<long long>(sh));
  }
  return styles;
}

void StylizeCommand::prepare(StylizeScale& s, const Content& c, size_t k, const Tensor& start) const {
  s.st.reset(), s.loss.reset();  // the stylizer refers to the loss
  s.k = k;
  auto [h, w] = fit_long_side(c.image.H(), c.image.W(), steps_[k].long_side);
  s.content = resize_image(c.image, h, w);
  s.depth01 = working_depth(c, s.content, depth_net_.get(), dev_);
  s.content_mask = Tensor();
  std::string content_mask = a_.str("--content-mask");
  if (content_mask != "none") s.content_mask = make_mask(parse_mask_spec(content_mask), s.depth01);
  s.loss = std::make_unique<TransferLoss>(net_, depth_net_.get(), spec_, styles_at(steps_[k].long_side, s.depth01),
                                          dev_, s.content_mask);
  StylizeConfig cfg = cfg_;
  cfg.start = start;
  s.st = std::make_unique<Stylizer>(*s.loss, colors_ == "luminance-only" ? luminance_rgb(s.content) : s.content, cfg,
                                    dev_);
}

Tensor StylizeCommand::shown(const StylizeScale& s, const Tensor& image) const {
  return colors_ == "none" ? image : with_content_chroma(image, s.content);
}

StylizeResult StylizeCommand::run(const StylizeJob& job) const {
  if (!job.depth_problem.empty()) throw Error(job.depth_problem);
  check_image_output(job.out);
  Content c = load_content(job.content, job.depth, depth_options_);
  bool multi = steps_.size() > 1;
  for (const ScaleStep& step : steps_) {  // every scale, before the first iteration
    auto [h, w] = fit_long_side(c.image.H(), c.image.W(), step.long_side);
    check_input_size("content image " + job.content, h, w,
                     (multi ? "(scale " : "(--size ") + std::to_string(step.long_side) + ")", min_side_, net_, taps_,
                     size_hint(multi ? "the first of --scales" : "--size", c.image.H(), c.image.W(), min_side_));
  }
  auto [h, w] = fit_long_side(c.image.H(), c.image.W(), steps_.back().long_side);
  std::printf("stylize: %s %lldx%lld on %s, %s, %d iterations, %zu style(s)\n", job.content.c_str(),
              static_cast<long long>(w), static_cast<long long>(h), device_name(dev_), cfg_.optimizer.c_str(),
              total_iters(steps_), style_files_.size());
  StylizeScale s;
  std::unique_ptr<IterationLog> log;
  Tensor start;  // the previous scale's best image
  for (size_t k = 0; k < steps_.size(); ++k) {
    prepare(s, c, k, start);
    if (!log) log = std::make_unique<IterationLog>(base_of(job.out), s.st->term_names(), steps_, save_every_);
    log->begin_scale(k, [&](const Tensor& image) { return shown(s, image); });
    s.first_iteration = log->global(0);
    s.outcome = s.st->run(steps_[k].iters, [&](int it, const std::vector<double>& terms) {
      log->add(it, terms, s.st->image().value());
    });
    log->end_scale(s.outcome.iterations, dev_);
    if (!s.outcome.stopped.empty()) break;
    start = s.st->best_image();
  }
  return finish(job, s, *log);
}

// A diverged run's ending: what happened, where the best iterate went, and what to try.
Error StylizeCommand::divergence_error(const StylizeScale& s, const std::string& out) const {
  char where[96] = "", best[200];
  if (steps_.size() > 1)
    std::snprintf(where, sizeof where, "scale %zu/%zu (%d px), ", s.k + 1, steps_.size(), steps_[s.k].long_side);
  std::snprintf(best, sizeof best, "wrote the best iterate (iteration %d, loss %.4g, %lldx%lld) to %s",
                s.first_iteration + s.st->best_iteration(), s.st->best_loss(),
                static_cast<long long>(s.content.W()), static_cast<long long>(s.content.H()), out.c_str());
  std::string advice = cfg_.optimizer == "adam" ? "the learning rate is too large for these weights: try --lr " +
                                                      format_number(cfg_.lr / 10) + " (a tenth of " +
                                                      format_number(cfg_.lr) + ")"
                                                : "try --optimizer adam, or smaller loss weights";
  return Error("stylize stopped at " + std::string(where) + "iteration " +
               std::to_string(s.first_iteration + s.outcome.iterations) + ": " + s.outcome.stopped + "; " + best +
               "; " + advice);
}

StylizeResult StylizeCommand::finish(const StylizeJob& job, const StylizeScale& s, IterationLog& log) const {
  // A diverged run writes its best iterate, so the result is never the garbage it ended on.
  bool diverged = !s.outcome.stopped.empty();
  Tensor result = shown(s, diverged ? s.st->best_image() : s.st->image().value());
  std::string base = base_of(job.out);
  save_image(job.out, result);
  log.save();
  save_loss_plot(base + "_losses.png", s.st->term_names(), log.curves(), true, stem(job.out) + " losses");
  save_image(base + "_montage.png", stylize_montage(s.content, s.depth01, *s.loss, result,
                                                    diverged ? "best iterate" : "result", s.content_mask));
  if (diverged) throw divergence_error(s, job.out);
  if (a_.has("--report-depth")) report_depth(*depth_net_, s.content, Var(result.to(dev_)), dev_);
  StylizeResult r{log.seconds(), log.curves()[0].front(), log.curves()[0].back(), log.global(0)};
  std::printf("done in %.1fs (%.3fs/iteration): loss %.4g -> %.4g\nwrote %s, %s_losses.csv, %s_losses.png, "
              "%s_montage.png\n", r.seconds, r.seconds / r.iterations, r.first_loss, r.last_loss, job.out.c_str(),
              base.c_str(), base.c_str(), base.c_str());
  std::fflush(stdout);
  return r;
}

void declare_stylize_options(Args& a, bool with_output) {
  a.option("--style", "IMAGE", "style image (repeat for several styles)");
  a.option("--style-mask", "SPEC", "depth mask of each style (repeat per --style; 'none' for no mask)", "none");
  a.option("--depth", "FILE|DIR", "depth of the content (else estimated); with a CONTENT folder, a folder of depth "
                                  "files matched by file stem");
  a.option("--frame", "N", "frame of an NYU .mat file", "0");
  a.option("--depth-dataset", "NAME", "dataset of a float HDF5 depth file", "depth");
  a.option("--content-mask", "SPEC", "depth mask of the content loss", "none");
  declare_loss_options(a);
  a.option("--optimizer", "NAME", "adam | lbfgs", "adam");
  a.option("--lr", "LR", "Adam learning rate in pixel units", "0.03");
  a.option("--lr-decay", "G", "Adam: multiply the learning rate by G every --lr-step iterations", "0.5");
  a.option("--lr-step", "N", "Adam: iterations between decays (0: never; restarts at each scale)", "150");
  a.option("--init", "WHAT", "content | noise | an image file (the first scale's start)", "content");
  a.option("--seed", "N", "random seed (noise initialisation)", "0");
  a.option("--iters", "N|N1,N2,..", "iterations: at every scale, or one count per scale", "300");
  a.option("--size", "PX", "long side of the working image (the output)", "256");
  a.option("--scales", "PX1,PX2,..", "coarse to fine: optimise at each long side in turn (increasing; the last is "
                                     "the output size), each starting from the previous result upsampled");
  a.option("--multires", "N", "coarse to fine over N scales ending at --size, each half the next (not with --scales)");
  a.option("--style-size", "PX", "long side of the style images at every scale (default: the scale's size)");
  a.option("--style-scale", "F", "long side of the style images as F times the working size, rounded up, at each "
                                 "scale (not with --style-size)");
  a.option("--original-colors", "MODE",
           "keep the content's colours (YIQ, tensor/colour.h): none | recombine (the result's luminance with the "
           "content's chrominance) | luminance-only (style and content turned grey for the optimisation, then recombine)",
           "none");
  a.flag("--normalize-gradients",
         "scale each content and style term's gradient to L1 norm = its weight (neural-style); the default weights "
         "assume it off: with squeezenet try --content-weight 500 --style-total-weight 100 --style-layer-weights 1,1,1,1");
  if (with_output)
    a.option("-o", "FILE|DIR", "result .png or .jpg/.jpeg (quality 95); with a CONTENT folder, the output folder",
             "out/stylize/<content>.png, or out/stylize/ for a folder");
  a.option("--save-every", "N",
           "also write OUT_iterN.png (OUT_sPX_iterN.png with scales) every N iterations (0: never)", "0");
  a.flag("--report-depth", "print how far the result's estimated depth is from the content's (RMSE, correlation)");
  a.device_option();
}

}  // namespace app
}  // namespace ds
