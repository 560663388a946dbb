// depthstyle video IN -o OUT: depth-aware style transfer of a video, temporally stable. The frame
// loop: apps/video/video_run.h; feed-forward mode: apps/video/fast_video.h; optimisation mode:
// apps/video/optim_video.h; depth per frame: apps/video/depth_frames.h; files: apps/media/.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "apps/depthstyle/commands.h"
#include <algorithm>
#include <optional>

#include "apps/video/fast_video.h"
#include "apps/video/optim_video.h"
#include "apps/video/video_memory.h"
#include "apps/video/video_options.h"
#include "tensor/error.h"
#include "tensor/host_blocks.h"

namespace ds {
namespace app {

namespace {

const char* const kUsage =
    "depthstyle video [options] IN -o OUT --model NAME|CKPT [--model ...]\n"
    "       depthstyle video [options] IN -o OUT --style STYLE [--style ...]";

const char* const kAbout =
    "Stylises every frame of a video, keeping the result stable from frame to frame.\n"
    "IN: any file FFmpeg's libraries read (MP4/H.264, MOV, MKV, WebM, animated GIF, ...) or an image\n"
    "sequence pattern such as frames/%05d.png. OUT, by its name: .mp4/.m4v/.mov/.mkv (H.264, yuv420p,\n"
    "--crf), .webm (VP9), .gif (one 256-colour palette), or a PNG sequence out/%05d.png (numbered from 1).\n"
    "The frame rate and the display rotation (frames are turned upright) are kept, and the audio is\n"
    "copied without re-encoding where the output can hold it. A variable-rate input needs --fps.\n"
    "Feed-forward (--model): each frame through a fast-style transformer, then blind temporal\n"
    "consistency (Bonneel et al. 2015): the output keeps each frame's gradients and follows the\n"
    "previous output warped by the optical flow (OpenCV DIS, computed on the input frames) where the\n"
    "flow is reliable (forward-backward consistency and motion boundaries, Ruder et al. 2016).\n"
    "Several --model are blended by their --model-mask (depth masks, as stylize's --style-mask):\n"
    "where the masks sum to less than 1 the input frame makes up the rest.\n"
    "Optimisation (--style, Ruder et al. 2016): every stylize option that makes sense per frame (masks,\n"
    "several styles, the depth loss, --original-colors; --size defaults to 256 here); the first frame\n"
    "runs --iters-first iterations from --init, each later one starts from the previous result warped\n"
    "by the flow and runs --iters with a temporal loss towards it on the reliable pixels.\n"
    "With --model, --size defaults to the input's size.\n"
    "Depth (for masks): estimated per frame (FastDepth, or --monodepth2), or --depth; normalised per\n"
    "frame (near 0, far 1) and stabilised along the flow (--depth-temporal-weight).\n"
    "The output is written to a temporary file and renamed when complete; no output may be an input.";

}  // namespace

namespace {

// The feed-forward models with their masks, their files declared; loaded after the checks.
std::vector<FastModel> fast_models(const VideoOptions& o, OutputPlan& plan) {
  std::vector<FastModel> models;
  for (size_t k = 0; k < o.models.size(); ++k) {
    FastModel m;
    m.name = o.models[k];
    std::string file = fast_style_file(m.name);
    if (std::filesystem::is_directory(m.name))
      std::fprintf(stderr, "note: --model %s: its latest checkpoint, %s\n", m.name.c_str(), file.c_str());
    plan.input("--model file", file);
    m.masked = o.model_masks[k] != "none";
    if (m.masked) m.mask = parse_mask_spec(o.model_masks[k]);
    if (m.masked && m.mask.kind == MaskSpec::Kind::Image) plan.input("--model-mask image", m.mask.path);
    models.push_back(std::move(m));
  }
  return models;
}

}  // namespace

int cmd_video(int argc, char** argv) {
  Args a(kUsage, kAbout);
  declare_video_options(a);
  if (!a.parse(argc, argv, 1, 1, "one input video or image-sequence pattern")) return 0;
  VideoOptions o = read_video_options(a);
  std::optional<StylizeOptions> so;
  if (o.optimise) {
    so = parse_stylize_options(a, StylizeUse::PerFrame);
    o.run.long_side = so->sizes.steps.back().long_side;
  }
  Device dev = so ? so->device : a.device();
  VideoInfo info = VideoReader(o.run.input, o.run.reader).info();
  FrameRange range = frame_range(info, o.run.first, o.run.last);
  OutputPlan plan;
  plan_video_files(plan, o, info);
  std::vector<FastModel> models = o.optimise ? std::vector<FastModel>() : fast_models(o, plan);
  // The engine takes a depth map with every frame (its masks, montage and depth loss read it).
  bool need_depth = so ? true : std::any_of(models.begin(), models.end(), [](const FastModel& m) { return m.masked; });
  if (so) {
    for (const StyleInput& s : so->styles) plan.input("--style image", s.path);
    plan.input("loss network weights", so->loss.feature_net_file());
  }
  if (!o.depth.empty() && !need_depth) std::fprintf(stderr, "warning: --depth is not used: no --model-mask asks for it\n");
  if (!so) {  // each frame's memory, before the plan makes an output folder (as fast: from the models' own layers)
    std::vector<const FastStyleNet*> nets;
    VideoFrameUse use;
    for (FastModel& m : models) {
      try {
        m.net = std::make_shared<FastStyleNet>(load_fast_style(m.name, dev));
        nets.push_back(m.net.get());
      } catch (const Error&) {  // reported after the files are checked, as before
      }
      use.masks += m.masked ? 1 : 0;
    }
    use.flow = o.temporal_weight > 0 || !o.run.report.empty() || (need_depth && o.run.depth_temporal_weight > 0);
    use.depth = need_depth;
    if (!nets.empty())
      check_video_memory(info, o.run.long_side, o.run.output, nets, dev == Device::CPU, use, o.max_memory);
  }
  std::unique_ptr<DepthFrames> depth;
  if (need_depth) {
    depth = std::make_unique<DepthFrames>(o.depth, o.depth_invert, info, range.first, range.last, o.run.reader);
    depth->plan(plan);
    if (depth->estimated()) plan.input("depth network weights", depth_net_file(o.monodepth2));
  }
  plan.check();
  if (depth) depth->check();
  // Every frame allocates the same blocks as the one before: keep them (tensor/host_blocks.h).
  reuse_freed_host_blocks(true);
  std::unique_ptr<StylizeEngine> engine;
  if (so) {
    auto [h, w] = working_size(info.height, info.width, o.run.long_side, o.run.output);
    engine = std::make_unique<StylizeEngine>(*so, false, std::vector<ImageSize>{{"the frames of " + o.run.input, h, w}});
  }
  // The depth network for the masks: the engine's when its loss loaded one, else our own.
  std::unique_ptr<DepthEstimator> depth_net;
  if (depth && depth->estimated()) {
    const DepthEstimator* net = engine ? engine->depth_net() : nullptr;
    if (!net) net = (depth_net = load_depth_net(o.monodepth2, dev)).get();
    depth->set_estimator(net, dev);
  }
  if (!so) {
    for (FastModel& m : models) {
      if (!m.net) m.net = std::make_shared<FastStyleNet>(load_fast_style(m.name, dev));
      try {
        m.net->check_runs();  // (an unpadded converted net: no frame size gives its size back)
      } catch (const Error& e) {
        throw Error(m.name + ": " + e.what());
      }
    }
    FastVideo mode(std::move(models), o.temporal_weight, dev);
    run_video(o.run, mode, depth.get());
    return 0;
  }
  OptimVideoOptions oo;
  oo.temporal_weight = o.temporal_weight;
  oo.iters_first = o.iters_first > 0 ? o.iters_first : 2 * so->sizes.steps.back().iters;
  oo.depth_for_masks = need_depth;
  OptimVideo mode(*engine, oo);
  run_video(o.run, mode, depth.get());
  return 0;
}

}  // namespace app
}  // namespace ds
