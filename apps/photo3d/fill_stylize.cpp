#include "apps/photo3d/fill_stylize.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "apps/common/progress.h"
#include "apps/stylize/engine.h"
#include "autograd/ops.h"

namespace ds {
namespace app {

namespace {

constexpr int kBlock = 4;  // the continuity term's block (pixels)

Pool2dParams block_mean() {
  Pool2dParams p;
  p.kh = p.kw = p.stride_h = p.stride_w = kBlock;
  return p;
}

// The fill's progress line, and where it is for the interrupt note.
class FillProgress : public StylizeObserver {
 public:
  FillProgress(int iters, std::function<void(const std::string&)> where)
      : progress_(iters), iters_(iters), where_(std::move(where)) {
    progress_.set_label("stylised fill");
    if (where_) where_("before the first iteration of the stylised fill");
  }
  void iteration(int it, const LossTerms& terms, const Tensor&) override {
    if (it == 1) first_ = terms.total;
    last_ = terms.total;
    progress_.update(it, {{"loss", terms.total}});
    if (!where_) return;
    char text[160];
    std::snprintf(text, sizeof text, "at iteration %d of %d of the stylised fill (%d done, loss %.4g)", it + 1, iters_,
                  it, terms.total);
    where_(text);
  }
  void end_scale(int) override { progress_.finish(); }
  double first_ = 0, last_ = 0;

 private:
  Progress progress_;
  int iters_;
  std::function<void(const std::string&)> where_;
};

}  // namespace

Var continuity_loss(const Var& y, const Tensor& naive_low, const Tensor& share, float weight) {
  Var d = avg_pool2d(y, block_mean()) - Var(naive_low);
  return sum(Var(share) * d * d) * weight;
}

LayeredDepthImage stylize_fill(const LayeredDepthImage& ldi, const StylizeOptions& so, const FillStylizeOptions& f,
                               const std::function<void(const std::string&)>& where) {
  const int w = ldi.width(), h = ldi.height();
  const size_t plane = static_cast<size_t>(w) * h;
  // One scale at the 3D photo's own size, so the update mask holds the visible pixels exactly.
  StylizeOptions fo = so;
  fo.sizes.steps = {{std::max(w, h), f.iters}};
  fo.sizes.multires = 0;
  fo.sizes.origin = "the 3D photo's size";
  StylizeEngine engine(fo, /*estimate_depth=*/false);

  std::vector<float> mask(plane), keep(plane);
  for (size_t i = 0; i < plane; ++i) mask[i] = ldi.back.mask[i] ? 1.0f : 0.0f, keep[i] = 1.0f - mask[i];
  const Tensor naive = ldi.back.colour;
  Tensor update = Tensor::from_vector({1, 1, h, w}, mask);
  Tensor naive_low, share;
  {
    NoGradGuard ng;
    naive_low = avg_pool2d(Var(naive.to(fo.device)), block_mean()).value();
    share = avg_pool2d(Var(update.to(fo.device)), block_mean()).value();
  }

  StylizeRequest r;
  r.name = "background layer";
  r.content = naive;
  r.start = naive;
  r.depth = Tensor::from_vector({1, 1, h, w}, ldi.back.depth.z);
  r.update_mask = update;
  r.content_weight = Tensor::from_vector({1, 1, h, w}, keep);
  const float weight = static_cast<float>(f.continuity);
  r.extra = {"continuity", [naive_low, share, weight](const Var& y) { return continuity_loss(y, naive_low, share, weight); }};
  r.iters = {f.iters};
  FillProgress progress(f.iters, where);
  r.observer = &progress;
  std::printf("stylised fill: %lld background pixels, %d iterations\n", static_cast<long long>(ldi.back.count()),
              f.iters);
  std::fflush(stdout);
  StylizeResult out = engine.stylize(r);
  if (!out.stopped.empty())
    std::fprintf(stderr, "warning: the stylised fill stopped (%s); its best iterate is used\n", out.stopped.c_str());
  std::printf("stylised fill: loss %.4g -> %.4g\n", progress.first_, progress.last_);
  return with_background_colour(ldi, out.image);
}

}  // namespace app
}  // namespace ds
