// The single-image stylize engine: what `depthstyle stylize` does to one image, for any
// command that stylises images it holds in memory (stylize's files, video frames, the hidden
// fill of a 3D photo). Build it once from StylizeOptions (apps/stylize/stylize_options.h): it
// loads the loss network, the depth network when needed and the style images; then call
// stylize() per image, as often as needed.
//
//   StylizeOptions o = parse_stylize_options(args, StylizeUse::PerFrame);
//   StylizeEngine engine(o, /*estimate_depth=*/true);
//   StylizeRequest r;  r.content = frame;  r.start = warped_previous;  r.iters = {50};
//   r.extra = {"temporal", [&](const Var& y) { return temporal_loss(y, target, weights); }};
//   StylizeResult out = engine.stylize(r);   // out.image: [1,3,h,w] in 0..1
//
// Per request, at each scale of the options' size plan (coarse to fine), the content is
// resized to that scale's long side, the depth (measured, or estimated by the depth network)
// normalised and resized, the masks and the loss rebuilt at that size, and the image started
// from the previous scale's best image upsampled (the first scale from the request's start,
// else --init). Units: images RGB in [0,1], NCHW [1,3,H,W], CPU or device tensors; depth in
// metres [1,1,H,W] (NaN or <= 0: no measurement, filled from neighbours); masks [1,1,H,W]
// in [0,1]. Errors are ds::Error: a content that is too small at some scale (with the style
// images' problems, in one message), a depth or mask of another aspect ratio (beyond 1%), a
// mask without a valid pixel, a bad update mask.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apps/stylize/stylize.h"
#include "apps/stylize/stylize_options.h"

namespace ds {
namespace app {

// What a caller sees of a run while it goes (stylize: its CSV, progress line and snapshots,
// apps/stylize/iteration_log.h). All methods are optional; a null observer runs quietly.
class StylizeObserver {
 public:
  virtual ~StylizeObserver() = default;
  // A line about the run ("style NAME: WxH", "depth: estimated by fastdepth").
  virtual void message(const std::string& line) { (void)line; }
  // Scale k of n (0-based) starts: its long side and iterations, the logged term names, and
  // how an image of this scale is shown (--original-colors applied).
  struct Scale {
    size_t k = 0, n = 1;
    ScaleStep step;
    std::vector<std::string> term_names;
    std::function<Tensor(const Tensor&)> shown;
  };
  virtual void begin_scale(const Scale& s) { (void)s; }
  // Iteration `it` (1-based, within the scale): the terms at the image it started from, and
  // the image after it (as optimised: use Scale::shown for what would be written).
  virtual void iteration(int it, const LossTerms& terms, const Tensor& image) { (void)it, (void)terms, (void)image; }
  virtual void end_scale(int iterations_done) { (void)iterations_done; }
};

struct StylizeRequest {
  Tensor content;  // [1,3,H,W] in [0,1] at its own size (each scale resizes it)
  Tensor depth;    // [1,1,H',W'] metres, the content's aspect ratio (within 1%); undefined: estimated
  Tensor start;    // [1,3,*,*] in [0,1]: the first scale's start (resized); undefined: --init
  // Iterations per scale: empty: the options' plan; one count: every scale; else one per scale.
  std::vector<int> iters;
  ExtraTerm extra;  // added to the loss and logged under its name (video: the temporal loss)
  // [1,1,H,W] in [0,1] at the content's size: where the image may change (0: the pixel stays
  // the start's, bit for bit at a scale of the content's own size; 1: free). Needs `start`
  // (3D photos: only the disoccluded fill is stylised).
  Tensor update_mask;
  // [1,1,H,W] in [0,1] at the content's size: multiplies the content loss per pixel (with
  // --content-mask, their product). 3D photos: 0 where the content is made up.
  Tensor content_weight;
  std::string name = "content image";  // how messages name the content
  StylizeObserver* observer = nullptr;  // null: quiet
};

// A content image's size, for the size check before any work.
struct ImageSize {
  std::string what;  // "content image a.png"
  int64_t h = 0, w = 0;
};

struct StylizeResult {
  // The image to write: the last iterate, or the best one when the run stopped (`stopped`),
  // with --original-colors applied; [1,3,h,w] in [0,1] on the CPU at the last scale's size.
  Tensor image;
  Tensor optimised;  // the same before --original-colors (a next frame's warm start)
  LossTerms first, last;  // the first and last logged terms (first: at the start image)
  int iterations = 0;     // over all scales
  // "" when the run went through; else why it stopped (divergence, L-BFGS giving up) with
  // where: scale k (0-based), the iterations before that scale, and the best iterate.
  std::string stopped;
  size_t stopped_scale = 0;
  int scale_first_iteration = 0, best_done = 0;
  double best_loss = 0;
  // For pictures of the run (stylize's montage): the last scale's content, normalised depth,
  // content mask and the style masks (undefined where none), at the result's size.
  Tensor content, depth01, content_mask;
  std::vector<Tensor> style_masks;
};

class StylizeEngine {
 public:
  // Loads the loss network, the style images, image masks, an --init image and (when the
  // loss uses depth, or `estimate_depth`: requests without depth, --report-depth) the depth
  // network. Before the depth network, checks the style images and `contents` (the contents
  // known already) at every scale: ds::Error listing every one too small.
  StylizeEngine(const StylizeOptions& o, bool estimate_depth, const std::vector<ImageSize>& contents = {});
  ~StylizeEngine();
  StylizeResult stylize(const StylizeRequest& r) const;

  // Every image too small at some scale, in one ds::Error: the style images and `contents`
  // (stylize() checks its content so; callers may check theirs before any work).
  void check_sizes(const std::vector<ImageSize>& contents) const;
  const StylizeOptions& options() const { return o_; }
  const DepthEstimator* depth_net() const { return depth_net_.get(); }
  std::vector<std::string> style_names() const;

 private:
  struct Scale;
  // Image masks' grey values at one content's own size (undefined for other masks).
  struct MaskImages {
    Tensor content;
    std::vector<Tensor> styles;
  };
  MaskImages mask_images(int64_t h, int64_t w) const;
  void prepare(Scale& s, const StylizeRequest& r, size_t k, const Tensor& depth_metres, const MaskImages& masks,
               const Tensor& start) const;
  StylizeOptions o_;
  FeatureNet net_;
  std::unique_ptr<DepthEstimator> depth_net_;
  int min_side_ = 0;
  std::vector<StyleImage> styles_;  // at their own size; resized per scale
  Tensor init_image_;               // --init FILE
  std::map<std::string, Tensor> mask_files_;  // image masks' grey values at their own size, by path
};

}  // namespace app
}  // namespace ds
