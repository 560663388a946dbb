// The options of `depthstyle video`, declared and read once (apps/video/cmd_video.cpp uses them).
#pragma once
#include <string>
#include <vector>

#include "apps/common/args.h"
#include "apps/common/outputs.h"
#include "apps/stylize/stylize_options.h"
#include "apps/video/video_run.h"

namespace ds {
namespace app {

// The options of both modes: stylize's per-frame options (apps/stylize/stylize_options.h; the
// optimisation mode parses them when --style is given) and the video's own.
void declare_video_options(Args& a);

struct VideoOptions {
  VideoRunOptions run;
  std::vector<std::string> models, model_masks;  // feed-forward: --model, --model-mask per model ("none")
  bool optimise = false;                        // --style given: the optimisation mode
  float temporal_weight = 0;                    // --temporal-weight, or the mode's default
  std::string depth, monodepth2;                // --depth source ("" estimated), --monodepth2 file
  bool depth_invert = false;
  int iters_first = 0;                          // --iters-first (0: twice the plan's)
  int64_t max_memory = 0;                       // --max-memory in bytes (0: no check; --model only)
};

// Reads and checks every shared option (ds::Error naming the option). Mode-specific defaults:
// --temporal-weight is kFastTemporalWeight for --model and kOptimTemporalWeight for --style.
constexpr float kFastTemporalWeight = 2.0f;
constexpr float kOptimTemporalWeight = 1000.0f;
VideoOptions read_video_options(const Args& a);

// "A:B", "A:", ":B" or "A" (1-based, inclusive) -> first, last (last 0: to the end).
void parse_frame_range(const std::string& text, int64_t& first, int64_t& last);

// Declares the input's files (the video, or each frame of an image sequence in the range) and
// the output's (the file, or each frame of a PNG sequence plus the files of an older, longer
// sequence that finishing will remove), so that no output is an input.
void plan_video_files(OutputPlan& plan, const VideoOptions& o, const VideoInfo& info);

}  // namespace app
}  // namespace ds
