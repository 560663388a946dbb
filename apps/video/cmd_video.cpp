// depthstyle video IN -o OUT: depth-aware style transfer of a video, temporally stable. The frame
// loop: apps/video/video_run.h; feed-forward mode: apps/video/fast_video.h; optimisation mode:
// apps/video/optim_video.h; depth per frame: apps/video/depth_frames.h; files: apps/media/.
#include <cstdio>
#include <memory>

#include "apps/depthstyle/commands.h"
#include "apps/video/fast_video.h"
#include "apps/video/video_options.h"
#include "tensor/error.h"

namespace ds {
namespace app {

namespace {

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
    "Depth (for masks): estimated per frame (FastDepth, or --monodepth2), or --depth; normalised per\n"
    "frame (near 0, far 1) and stabilised along the flow (--depth-temporal-weight).\n"
    "The output is written to a temporary file and renamed when complete; no output may be an input.";

}  // namespace

int cmd_video(int argc, char** argv) {
  Args a("depthstyle video [options] IN -o OUT --model NAME|CKPT [--model ...]", kAbout);
  declare_video_options(a);
  if (!a.parse(argc, argv, 1, 1, "one input video or image-sequence pattern")) return 0;
  VideoOptions o = read_video_options(a);
  Device dev = a.device();
  VideoInfo info = VideoReader(o.run.input, o.run.reader).info();
  FrameRange range = frame_range(info, o.run.first, o.run.last);
  OutputPlan plan;
  plan_video_files(plan, o, info);
  for (const std::string& m : o.models) plan.input("--model file", fast_style_file(m));
  std::vector<FastModel> models;
  bool need_depth = false;
  for (size_t k = 0; k < o.models.size(); ++k) {
    FastModel m;
    m.name = o.models[k];
    m.masked = o.model_masks[k] != "none";
    if (m.masked) m.mask = parse_mask_spec(o.model_masks[k]);
    if (m.masked && m.mask.kind == MaskSpec::Kind::Image) plan.input("--model-mask image", m.mask.path);
    need_depth = need_depth || m.masked;
    models.push_back(std::move(m));
  }
  if (!o.depth.empty() && !need_depth)
    std::fprintf(stderr, "warning: --depth is not used: no --model-mask asks for depth\n");
  std::unique_ptr<DepthFrames> depth;
  std::unique_ptr<DepthEstimator> depth_net;
  if (need_depth) {
    depth = std::make_unique<DepthFrames>(o.depth, o.depth_invert, info, range.first, range.last, o.run.reader);
    depth->plan(plan);
    if (depth->estimated()) plan.input("depth network weights", depth_net_file(o.monodepth2));
  }
  plan.check();
  if (depth) depth->check();
  for (FastModel& m : models) m.net = std::make_shared<FastStyleNet>(load_fast_style(m.name, dev));
  if (depth && depth->estimated()) {
    depth_net = load_depth_net(o.monodepth2, dev);
    depth->set_estimator(depth_net.get(), dev);
  }
  FastVideo mode(std::move(models), o.temporal_weight, dev);
  run_video(o.run, mode, depth.get());
  return 0;
}

}  // namespace app
}  // namespace ds
