#include "apps/video/video_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "apps/common/csv.h"
#include "apps/common/progress.h"
#include "apps/media/optical_flow.h"
#include "autograd/ops.h"
#include "losses/temporal.h"
#include "nn/resize.h"
#include "tensor/error.h"
#include "tensor/file_util.h"

namespace ds {
namespace app {

namespace {

Tensor warp_by(const Tensor& x, const Tensor& flow) {
  NoGradGuard ng;
  return warp(Var(x), Var(flow)).value();
}

double mean_of(const Tensor& t) {
  double s = 0;
  for (int64_t i = 0; i < t.numel(); ++i) s += t.data()[i];
  return t.numel() ? s / static_cast<double>(t.numel()) : 0.0;
}

// What the previous frame left for this one.
struct Previous {
  Tensor frame, out, depth_raw, depth;
};

}  // namespace

std::pair<int, int> working_size(int h, int w, int long_side) {
  int64_t hh = h, ww = w;
  if (long_side > 0) std::tie(hh, ww) = fit_long_side(h, w, long_side);
  auto even = [](int64_t v) { return static_cast<int>(std::max<int64_t>(16, v - v % 2)); };
  return {even(hh), even(ww)};
}

FrameRange frame_range(const VideoInfo& info, int64_t first, int64_t last) {
  FrameRange r{std::max<int64_t>(1, first), last > 0 ? last : info.frames};
  if (r.first > info.frames)
    throw Error("--frames: " + info.path + " has " + std::to_string(info.frames) + " frames; the range starts at " +
                std::to_string(r.first));
  r.last = std::min(r.last, info.frames);
  if (r.last < r.first)
    throw Error("--frames: the range " + std::to_string(first) + ":" + std::to_string(last) + " holds no frame");
  return r;
}

void run_video(const VideoRunOptions& o, FrameStylizer& mode, DepthFrames* depth) {
  VideoReader reader(o.input, o.reader);
  const VideoInfo& info = reader.info();
  FrameRange range = frame_range(info, o.first, o.last);
  auto [h, w] = working_size(info.height, info.width, o.long_side);
  VideoWriterOptions wo;
  wo.fps = info.fps;
  wo.crf = o.crf;
  if (o.audio && info.has_audio) {
    wo.audio_from = o.input;
    wo.audio_start_s = info.start_s + static_cast<double>(range.first - 1) / info.fps.value();
  }
  const bool use_flow = mode.needs_flow() || o.measure_flow || (depth && o.depth_temporal_weight > 0);
  std::unique_ptr<OpticalFlow> flow = use_flow ? std::make_unique<OpticalFlow>(o.flow_preset) : nullptr;
  std::vector<std::string> columns = {"frame", "seconds", "ewarp_output", "ewarp_input", "reliable_fraction"};
  if (depth) columns.insert(columns.end(), {"depth_flicker_per_frame", "depth_flicker"});
  for (const std::string& s : mode.stat_names()) columns.push_back(s);
  std::unique_ptr<CsvWriter> report = o.report.empty() ? nullptr : std::make_unique<CsvWriter>(o.report, columns);
  VideoWriter writer(o.output, w, h, wo);
  const int64_t count = range.last - range.first + 1;
  std::printf("video: %s, %dx%d at %s fps, frames %lld-%lld of %lld -> %s %dx%d%s\n", o.input.c_str(), info.width,
              info.height, info.fps.str().c_str(), static_cast<long long>(range.first), static_cast<long long>(range.last),
              static_cast<long long>(info.frames), o.output.c_str(), w, h, writer.has_audio() ? " with audio" : "");
  std::fflush(stdout);
  Progress progress(static_cast<int>(count));
  progress.set_unit("frames/s");
  Previous prev;
  double sum_out = 0, sum_in = 0;
  std::vector<double> frame_seconds;
  auto t_start = std::chrono::steady_clock::now();
  Tensor raw;
  // Ctrl-C (SIGINT/SIGTERM) says how far the run got; the output is an AtomicFile's temporary
  // until finish(), which the signal handler removes, so nothing half-written is left.
  struct NoteGuard {
    ~NoteGuard() { set_interrupt_note(""); }
  } note_guard;
  auto say = [&](int64_t done, const std::string& where) {
    set_interrupt_note("\ninterrupted " + where + " (" + std::to_string(done) + " of " + std::to_string(count) +
                       (count == 1 ? " frame" : " frames") + " done); nothing written: " + o.output +
                       (o.report.empty() ? "" : " and " + o.report) + " not created\n");
  };
  for (int64_t k = 1; k <= range.last; ++k) {
    if (k <= range.first) say(0, "before the first frame");
    if (!reader.read(raw)) throw Error(o.input + ": the video ended at frame " + std::to_string(k - 1));
    if (k < range.first) continue;
    say(k - range.first, "at frame " + std::to_string(k - range.first + 1) + " of " + std::to_string(count));
    auto t0 = std::chrono::steady_clock::now();
    FrameInput in;
    in.index = k - range.first;
    in.frame = raw.H() == h && raw.W() == w ? raw : resize_image(raw, h, w);
    Tensor fwd;
    if (flow && prev.frame.defined()) {
      in.back_flow = (*flow)(in.frame, prev.frame);
      fwd = (*flow)(prev.frame, in.frame);
      in.reliability = flow_reliability(in.back_flow, fwd);
      in.warped_prev_frame = warp_by(prev.frame, in.back_flow);
      in.warped_prev_out = warp_by(prev.out, in.back_flow);
    }
    Tensor depth_raw;
    if (depth && mode.needs_depth()) {
      depth_raw = depth->depth01(k, in.frame);
      in.depth01 = depth_raw;
      if (in.reliability.defined() && o.depth_temporal_weight > 0) {
        Tensor d = blind_temporal_consistency(depth_raw, warp_by(prev.depth, in.back_flow),
                                              consistency_weight(in.reliability, in.frame, in.warped_prev_frame,
                                                                 o.depth_temporal_weight));
        for (int64_t i = 0; i < d.numel(); ++i) d.data()[i] = std::clamp(d.data()[i], 0.0f, 1.0f);
        in.depth01 = d;
      }
    }
    FrameStats stats(mode.stat_names().size(), 0.0);
    Tensor out = mode.stylize(in, stats);
    writer.write(out);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    frame_seconds.push_back(secs);
    if (in.reliability.defined()) {
      double eo = warping_error(out, in.warped_prev_out, in.reliability);
      double ei = warping_error(in.frame, in.warped_prev_frame, in.reliability);
      sum_out += eo;
      sum_in += ei;
      if (report) {
        std::vector<double> row = {static_cast<double>(k), secs, eo, ei, mean_of(in.reliability)};
        if (depth) {
          row.push_back(masked_mean_abs_diff(depth_raw, warp_by(prev.depth_raw, in.back_flow), in.reliability));
          row.push_back(masked_mean_abs_diff(in.depth01, warp_by(prev.depth, in.back_flow), in.reliability));
        }
        row.insert(row.end(), stats.begin(), stats.end());
        report->row(row);
      }
    } else if (report) {
      std::vector<double> row = {static_cast<double>(k), secs, NAN, NAN, NAN};
      if (depth) row.insert(row.end(), {NAN, NAN});
      row.insert(row.end(), stats.begin(), stats.end());
      report->row(row);
    }
    prev = {in.frame, out, depth_raw, in.depth01};
    progress.update(static_cast<int>(in.index + 1));
  }
  progress.finish();
  say(count, "while finishing the file");
  writer.finish();
  if (report) set_interrupt_note("\ninterrupted while writing " + o.report + "; " + o.output + " is complete\n");
  if (report) report->save();
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  std::sort(frame_seconds.begin(), frame_seconds.end());
  std::printf("video: %lld frames in %.1f s (%.3g frames/s; median %.3f s per frame) -> %s\n",
              static_cast<long long>(count), total, static_cast<double>(count) / total,
              frame_seconds[frame_seconds.size() / 2], o.output.c_str());
  if (count > 1 && flow)
    std::printf("stability: mean E_warp %.5f (the input's own: %.5f) over %lld frame pairs\n",
                sum_out / static_cast<double>(count - 1), sum_in / static_cast<double>(count - 1),
                static_cast<long long>(count - 1));
}

}  // namespace app
}  // namespace ds
