#include "apps/stylize/engine.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "apps/stylize/size_check.h"
#include "nn/resize.h"
#include "tensor/colour.h"
#include "tensor/image_io.h"
#include "tensor/random.h"
#include "weights/depth_map.h"

namespace ds {
namespace app {

namespace {

std::string size_text(int64_t h, int64_t w) { return std::to_string(w) + "x" + std::to_string(h); }

void say(StylizeObserver* obs, const std::string& line) {
  if (obs) obs->message(line);
}

void check_map(const char* what, const Tensor& t, int64_t channels) {
  if (!t.defined()) return;
  if (t.ndim() != 4 || t.N() != 1 || t.C() != channels || t.numel() == 0)
    throw Error(std::string(what) + ": expected [1," + std::to_string(channels) + ",H,W], got " + shape_str(t.shape()));
}

// a * b elementwise ([1,1,h,w] CPU maps); either may be undefined.
Tensor product(const Tensor& a, const Tensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  std::vector<float> v = a.to_vector(), w = b.to_vector();
  for (size_t i = 0; i < v.size(); ++i) v[i] *= w[i];
  return Tensor::from_vector(a.shape(), v);
}

// A map given at the content's size (update mask, content weight), at a scale's size, in [0,1].
Tensor at_size(const Tensor& map, int64_t h, int64_t w) {
  if (!map.defined()) return map;
  Tensor m = map.to(Device::CPU);
  if (m.H() != h || m.W() != w) m = resize_depth_to(m, static_cast<int>(h), static_cast<int>(w));
  return m;
}

}  // namespace

struct StylizeEngine::Scale {
  Tensor content, depth01, content_mask;
  std::unique_ptr<TransferLoss> loss;
  std::unique_ptr<Stylizer> st;  // refers to *loss
};

StylizeEngine::StylizeEngine(const StylizeOptions& o, bool estimate_depth, const std::vector<ImageSize>& contents)
    : o_(o) {
  net_ = o_.loss.load_feature_net(o_.device);
  min_side_ = min_input_side(net_, o_.loss.taps());
  for (size_t k = 0; k < o_.styles.size(); ++k) {
    StyleImage s;
    s.name = std::filesystem::path(o_.styles[k].path).stem().string();
    for (const StyleImage& other : styles_)
      if (other.name == s.name) s.name += "_" + std::to_string(k + 1);
    s.image = load_image_rgb(o_.styles[k].path);
    s.weight = o_.styles[k].weight;
    styles_.push_back(std::move(s));
  }
  check_sizes(contents);  // the style images and the contents known, before any other loading
  auto read_mask = [&](const std::optional<MaskSpec>& m) {
    if (m && m->kind == MaskSpec::Kind::Image && !mask_files_.count(m->path)) mask_files_[m->path] = load_mask_image(m->path);
  };
  read_mask(o_.content_mask);
  for (const StyleInput& s : o_.styles) read_mask(s.mask);
  if (o_.init == InitKind::Image) init_image_ = load_image_rgb(o_.init_image);
  if (o_.loss.spec.uses_depth() || estimate_depth) depth_net_ = o_.loss.load_depth_net(o_.device);
}

StylizeEngine::~StylizeEngine() = default;

std::vector<std::string> StylizeEngine::style_names() const {
  std::vector<std::string> n;
  for (const StyleImage& s : styles_) n.push_back(s.name);
  return n;
}

void StylizeEngine::check_sizes(const std::vector<ImageSize>& contents) const {
  std::string layers;
  for (const std::string& l : o_.loss.taps()) layers += (layers.empty() ? "" : ",") + l;
  SizeCheck check(o_.sizes, min_side_, net_.name + "'s layers " + layers);
  for (size_t k = 0; k < styles_.size(); ++k)
    check.style("style image " + o_.styles[k].path, styles_[k].image.H(), styles_[k].image.W());
  for (const ImageSize& c : contents) check.content(c.what, c.h, c.w);
  check.check();
}

StylizeEngine::MaskImages StylizeEngine::mask_images(int64_t h, int64_t w) const {
  auto fit = [&](const std::optional<MaskSpec>& m) {
    if (!m || m->kind != MaskSpec::Kind::Image) return Tensor();
    return fit_depth_to(mask_files_.at(m->path), static_cast<int>(h), static_cast<int>(w), "mask image " + m->path);
  };
  MaskImages out;
  out.content = fit(o_.content_mask);
  for (const StyleInput& s : o_.styles) out.styles.push_back(fit(s.mask));
  return out;
}

void StylizeEngine::prepare(Scale& s, const StylizeRequest& r, size_t k, const Tensor& depth_metres,
                            const MaskImages& masks, const Tensor& start) const {
  s.st.reset(), s.loss.reset();  // the stylizer refers to the loss
  const int long_side = o_.sizes.steps[k].long_side;
  auto [h, w] = fit_long_side(r.content.H(), r.content.W(), long_side);
  s.content = resize_image(r.content.to(Device::CPU), h, w);
  s.depth01 = normalise_depth(resize_depth_to(depth_metres, static_cast<int>(h), static_cast<int>(w)));
  s.content_mask = Tensor();
  if (o_.content_mask) s.content_mask = make_mask(*o_.content_mask, s.depth01, masks.content);
  s.content_mask = product(s.content_mask, at_size(r.content_weight, h, w));
  std::vector<StyleImage> styles = styles_;
  int px = o_.sizes.style_long_side(long_side);
  for (size_t i = 0; i < styles.size(); ++i) {
    StyleImage& st = styles[i];
    auto [sh, sw] = fit_long_side(st.image.H(), st.image.W(), px);
    st.image = resize_image(st.image, sh, sw);
    if (o_.colors == OriginalColors::LuminanceOnly) st.image = luminance_rgb(st.image);
    if (o_.colors == OriginalColors::Histogram) st.image = match_colour_histogram(st.image, s.content);
    if (o_.styles[i].mask) st.mask = make_mask(*o_.styles[i].mask, s.depth01, masks.styles[i]);
    say(r.observer, "style " + st.name + ": " + size_text(sh, sw));
  }
  s.loss = std::make_unique<TransferLoss>(net_, depth_net_.get(), o_.loss.spec, std::move(styles), o_.device,
                                          s.content_mask);
  StylizeConfig cfg = o_.optimiser();
  cfg.start = start.defined() ? start : init_image_;
  cfg.extra = r.extra;
  if (r.update_mask.defined()) {
    cfg.update_mask = at_size(r.update_mask, h, w);
    const Tensor& first = r.start.defined() ? r.start : init_image_;  // what the mask keeps
    if (first.defined()) cfg.keep = resize_image(first.to(Device::CPU), h, w);
    else if (!cfg.noise) cfg.keep = s.content;
  }
  bool grey = o_.colors == OriginalColors::LuminanceOnly;
  s.st = std::make_unique<Stylizer>(*s.loss, grey ? luminance_rgb(s.content) : s.content, cfg, o_.device);
}

StylizeResult StylizeEngine::stylize(const StylizeRequest& r) const {
  check_map("content image", r.content, 3);
  check_map("depth map", r.depth, 1);
  check_map("update mask", r.update_mask, 1);
  check_map("content weight map", r.content_weight, 1);
  if (!r.content.defined()) throw Error("stylize: no content image");
  const int64_t H = r.content.H(), W = r.content.W();
  for (const Tensor* m : {&r.update_mask, &r.content_weight})
    if (m->defined() && (m->H() != H || m->W() != W))
      throw Error("stylize: a per-pixel map of " + size_text(m->H(), m->W()) + " for a content of " + size_text(H, W));
  const std::vector<ScaleStep>& steps = o_.sizes.steps;
  if (!r.iters.empty() && r.iters.size() != 1 && r.iters.size() != steps.size())
    throw Error("stylize: " + std::to_string(r.iters.size()) + " iteration counts for " + std::to_string(steps.size()) +
                " scales");
  check_sizes({{r.name, H, W}});
  if (!depth_net_ && !r.depth.defined()) throw Error("stylize: no depth map and no depth network to estimate one");
  Tensor depth;  // metres, at the content's size: given (holes filled) or estimated
  if (r.depth.defined()) {
    std::vector<float> v = r.depth.to(Device::CPU).to_vector();
    for (float& x : v)
      if (!(std::isfinite(x) && x > 0)) x = NAN;  // no measurement
    Tensor d = Tensor::from_vector(r.depth.shape(), v);
    if (valid_fraction(d) == 0) throw Error("stylize: the depth map of " + r.name + " has no valid pixel");
    depth = fit_depth_to(fill_invalid(d), static_cast<int>(H), static_cast<int>(W), "depth map of " + r.name);
  } else {
    // Estimated once, from the content at its own size as `depth IMAGE` does (the network
    // resizes it to its input, 224x224 or 640x192), and resized for each scale: the estimate is
    // the one `depth` writes, and every scale's masks come from the same depth. From the
    // working-size image instead, a small --size blurred what the network saw (a 128 px photo
    // up to 224: normalised depths 0.15 apart on average, finding 9 of the second new-user pass).
    NoGradGuard ng;
    say(r.observer, "depth: estimated by " + depth_net_->name() + " from the " + size_text(H, W) + " content");
    depth = depth_net_->predict(Var(r.content.to(o_.device))).value().to(Device::CPU);
  }
  MaskImages masks = mask_images(H, W);
  StylizeResult out;
  Scale s;
  Tensor start = r.start;
  bool first_logged = false;
  int before = 0;  // iterations of the scales before this one
  for (size_t k = 0; k < steps.size(); ++k) {
    prepare(s, r, k, depth, masks, start);
    int iters = r.iters.empty() ? steps[k].iters : r.iters[r.iters.size() == 1 ? 0 : k];
    Tensor scale_content = s.content;
    auto shown = [this, scale_content](const Tensor& image) {
      bool recombine = o_.colors == OriginalColors::Recombine || o_.colors == OriginalColors::LuminanceOnly;
      return recombine ? with_content_chroma(image.to(Device::CPU), scale_content) : image;
    };
    if (r.observer) r.observer->begin_scale({k, steps.size(), {steps[k].long_side, iters}, s.st->term_names(), shown});
    LossTerms scale_first;
    Stylizer::Outcome done = s.st->run(iters, [&](int it, const LossTerms& t) {
      if (!first_logged) out.first = t, first_logged = true;
      if (it == 1) scale_first = t;
      out.last = t;
      if (r.observer) r.observer->iteration(it, t, s.st->image());
    });
    if (r.observer) r.observer->end_scale(done.iterations);
    out.iterations = before + done.iterations;
    bool stopped = !done.stopped.empty();
    if (stopped || k + 1 == steps.size()) {
      // With every style term off the start is about the lowest loss there is; when the steps
      // only moved away from it, the best iterate is the answer (and not a divergence).
      bool worse = !stopped && o_.style_off() && out.last.total > scale_first.total;
      if (worse) {
        char note[240];
        std::snprintf(note, sizeof note,
                      "the loss rose from %.4g to %.4g: with every style term off the start was already about the "
                      "lowest loss, so the result is the best iterate (after %d iterations, loss %.4g)",
                      scale_first.total, out.last.total, before + s.st->best_done(), s.st->best_loss());
        out.note = note;
      }
      out.optimised = (stopped || worse ? s.st->best_image() : s.st->image()).to(Device::CPU);
      out.image = shown(out.optimised);
      out.stopped = done.stopped, out.stopped_scale = k, out.scale_first_iteration = before;
      out.best_done = s.st->best_done(), out.best_loss = s.st->best_loss();
      out.content = s.content, out.depth01 = s.depth01, out.content_mask = s.content_mask;
      for (const StyleImage& st : s.loss->styles()) out.style_masks.push_back(st.mask);
      break;
    }
    start = s.st->best_image();
    before += done.iterations;
  }
  return out;
}

}  // namespace app
}  // namespace ds
