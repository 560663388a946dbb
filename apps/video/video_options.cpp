#include "apps/video/video_options.h"

#include <filesystem>

#include "apps/fast/fast.h"
#include "losses/masks.h"
#include "nn/fast_style_weights.h"
#include "tensor/error.h"

namespace ds {
namespace app {

void declare_video_options(Args& a) {
  // stylize's per-frame options (the optimisation mode; --size, --monodepth2 and --device serve both).
  declare_stylize_options(a, StylizeUse::PerFrame);
  a.option("--size", "PX",
           "long side of the frames (default: the input's size with --model, " + std::to_string(kDefaultSize) +
               " with --style); the aspect ratio is kept, each side rounded to even for H.264 and VP9; frames too "
               "small for the transformer (4 px; a converted one may need more) or the optical flow (16 px, for "
               "temporal stability) are refused, naming a --size that fits");
  a.option("-o", "OUT", "output video: .mp4 .m4v .mov .mkv (H.264), .webm (VP9), .gif, or a PNG sequence DIR/%05d.png "
                        "(numbered from 1; the later frames of an earlier, longer sequence there are removed, and the "
                        "command says which) (required)");
  a.option("--model", "NAME|CKPT", "feed-forward mode: a fast-style transformer (" + fast_style_list() +
                                       ", or a checkpoint); repeat to blend several by depth (--model-mask)");
  a.option("--model-mask", "SPEC", "depth mask of each --model (repeat per model; 'none' = weight 1)", "none");
  a.option("--frames", "A:B", "only frames A to B (1-based, inclusive; A: or :B for open ends)");
  a.option("--fps", "RATE", "a video: resample to this constant rate (also accepts a variable-rate input); "
                            "an image sequence: its rate (default 25)");
  a.option("--crf", "N", "quality of H.264 (0-51) and VP9 (0-63) output, lower is better", "18");
  a.flag("--no-audio", "leave the input's audio out (by default it is copied, not re-encoded)");
  a.option("--temporal-weight", "W",
           "temporal stability: the weight of the previous result warped by the optical flow (0: per frame); "
           "default 2 with --model (blind consistency), 1000 with --style (temporal loss, per pixel)");
  a.option("--iters-first", "N", "--style: iterations of the first frame at each scale (default: twice --iters); "
                                 "later frames start from the previous result warped and run --iters");
  a.option("--flow", "PRESET", "DIS optical flow preset: ultrafast, fast or medium", "medium");
  a.option("--depth", "VIDEO|DIR|PATTERN",
           "depth per frame (else estimated): a depth video (grey: dark near, bright far), a folder of depth maps "
           "whose names end in the frame number, or a pattern such as depth/%05d.png");
  a.flag("--depth-invert", "the depth source is drawn bright near, dark far (disparity)");
  a.option("--depth-temporal-weight", "W", "stabilise the depth along the optical flow with this weight (0: per frame)", "10");
  a.option("--report", "FILE.csv", "per-frame log: seconds, E_warp of the output and of the input, depth flicker, ...");
  declare_max_memory(a, "--model runs (each frame's need estimated from the frame size and the models' layers)");
}

void parse_frame_range(const std::string& text, int64_t& first, int64_t& last) {
  auto bad = [&] { return UsageError("--frames: '" + text + "' is not a range (expected A:B, A:, :B or A, 1-based)"); };
  auto number = [&](const std::string& s, int64_t fallback) {
    if (s.empty()) return fallback;
    size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(s, &used);
    } catch (const std::exception&) {
      throw bad();
    }
    if (used != s.size() || v < 1) throw bad();
    return static_cast<int64_t>(v);
  };
  size_t colon = text.find(':');
  if (text.empty()) throw bad();
  if (colon == std::string::npos) {
    first = last = number(text, 0);
    return;
  }
  first = number(text.substr(0, colon), 1);
  last = number(text.substr(colon + 1), 0);
  if (last > 0 && last < first)
    throw UsageError("--frames: '" + text + "' starts after it ends (frame " + std::to_string(first) + " > frame " +
                std::to_string(last) + "): give A:B with A <= B");
}

VideoOptions read_video_options(const Args& a) {
  VideoOptions o;
  const std::string& in = a.positional().at(0);
  o.run.input = in;
  o.run.output = a.required("-o");
  const std::string kind = check_video_output(o.run.output);  // exit 1, as every output name (args.h)
  o.models = a.all("--model");
  o.optimise = a.has("--style");
  if (o.optimise == !o.models.empty())
    throw UsageError(o.optimise ? "give --model (feed-forward) or --style (optimisation), not both"
                           : "give --model NAME|CKPT (feed-forward) or --style IMAGE (optimisation); see --help");
  std::vector<std::string> masks = a.all("--model-mask");
  if (masks.size() > o.models.size())
    throw UsageError("--model-mask given " + std::to_string(masks.size()) + " times for " + std::to_string(o.models.size()) +
                " --model: give one per model, in order");
  masks.resize(o.models.size(), "none");
  for (const std::string& m : masks)  // parsed again with the models (cmd_video.cpp); refused now, before any file
    if (m != "none") option_text([&] { return parse_mask_spec(m); });
  o.model_masks = masks;
  if (a.has("--size")) o.run.long_side = a.integer("--size", kMinVideoSize, kMaxVideoSize);  // --style: the size plan's (cmd_video)
  if (a.has("--frames")) parse_frame_range(a.str("--frames"), o.run.first, o.run.last);
  if (a.has("--fps")) {
    Rational r = option_text([&] { return parse_rate(a.str("--fps"), "--fps"); });
    if (is_image_sequence(in)) o.run.reader.sequence_fps = r;
    else o.run.reader.fps = r;
  }
  o.run.crf = a.integer("--crf", 0, 63);
  if (kind == "H.264" && o.run.crf > 51) throw UsageError("--crf: H.264 takes 0 to 51, not " + std::to_string(o.run.crf));
  o.run.audio = !a.has("--no-audio");
  o.temporal_weight = a.has("--temporal-weight") ? static_cast<float>(a.number("--temporal-weight", 0, 1e9))
                                                 : (o.optimise ? kOptimTemporalWeight : kFastTemporalWeight);
  o.run.flow_preset = a.str("--flow");
  if (o.run.flow_preset != "ultrafast" && o.run.flow_preset != "fast" && o.run.flow_preset != "medium")
    throw UsageError("--flow: '" + o.run.flow_preset + "' is not a DIS preset (ultrafast, fast or medium)");
  o.depth = a.has("--depth") ? a.str("--depth") : "";
  o.depth_invert = a.has("--depth-invert");
  if (a.has("--iters-first")) {
    if (!o.optimise) throw UsageError("--iters-first is for the optimisation mode (--style)");
    o.iters_first = a.integer("--iters-first", 1, 1000000);
  }
  o.run.depth_temporal_weight = static_cast<float>(a.number("--depth-temporal-weight", 0, 1e9));
  o.monodepth2 = a.has("--monodepth2") ? a.str("--monodepth2") : "";
  if (!o.optimise)
    for (const char* opt : {"--style-mask", "--content-mask", "--iters", "--scales", "--multires", "--init",
                            "--original-colors", "--depth-weight"})
      if (a.has(opt)) throw UsageError(std::string(opt) + " is an option of the optimisation mode (--style), not of --model");
  o.max_memory = max_memory_bytes(a);
  if (o.optimise && a.has("--max-memory"))
    std::fprintf(stderr, "note: --max-memory is not checked with --style: the optimisation's memory is not estimated "
                         "(stylize has no estimate of its own)\n");
  o.run.report = a.has("--report") ? a.str("--report") : "";
  o.run.measure_flow = !o.run.report.empty();
  return o;
}

void plan_video_files(OutputPlan& plan, const VideoOptions& o, const VideoInfo& info) {
  FrameRange r = frame_range(info, o.run.first, o.run.last);
  if (is_image_sequence(o.run.input)) {
    for (int64_t k = r.first; k <= r.last; ++k)
      plan.input("input frame", sequence_frame_path(o.run.input, info.first_number + k - 1));
  } else {
    plan.input("input video", o.run.input);
  }
  plan.output("--report", o.run.report);
  if (!is_image_sequence(o.run.output)) return plan.output("-o video", o.run.output);
  const int64_t n = r.last - r.first + 1;
  for (int64_t k = 1; k <= n; ++k) plan.output("-o frame", sequence_frame_path(o.run.output, k));
  for (int64_t k = n + 1; std::filesystem::exists(sequence_frame_path(o.run.output, k)); ++k)
    plan.output("-o older frame (removed when done)", sequence_frame_path(o.run.output, k));
}

}  // namespace app
}  // namespace ds
