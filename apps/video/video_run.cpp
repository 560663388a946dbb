#include "apps/video/video_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <new>

#include "apps/common/csv.h"
#include "apps/common/progress.h"
#include "apps/media/optical_flow.h"
#include "autograd/ops.h"
#include "losses/temporal.h"
#include "nn/models.h"
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

bool even_frame_size(const std::string& output) {
  const std::string kind = check_video_output(output);
  return kind == "H.264" || kind == "VP9";
}

std::pair<int, int> working_size(int h, int w, int long_side, const std::string& output) {
  if (!even_frame_size(output)) {
    if (long_side <= 0) return {h, w};
    auto [hh, ww] = fit_long_side(h, w, long_side);
    return {static_cast<int>(hh), static_cast<int>(ww)};
  }
  // The exact side at this scale, to the nearest even number, halves down (an odd side shrinks
  // by a pixel rather than grows); 0 when under one pixel, which checked_working_size refuses.
  auto even = [&](int v) {
    double x = long_side > 0 ? static_cast<double>(v) * long_side / std::max(h, w) : static_cast<double>(v);
    return 2 * static_cast<int>(std::ceil(x / 2 - 0.5));
  };
  return {even(h), even(w)};
}

std::vector<FrameBound> frame_bounds(const std::string& output, int transformer_min_side, const std::string& flow_use) {
  std::vector<FrameBound> b;
  if (even_frame_size(output)) b.push_back({2, 2, "H.264 and VP9 in yuv420p (even sides, at least 2 px)"});
  const int t = transformer_min_side;
  if (t > 0) b.push_back({t, t, "the fast-style transformer (each side at least " + std::to_string(t) + " px)"});
  if (!flow_use.empty())
    b.push_back({OpticalFlow::kMinShortSide, OpticalFlow::kMinLongSide,
                 "the optical flow (OpenCV DIS, for " + flow_use + ": each side at least " +
                     std::to_string(OpticalFlow::kMinShortSide) + " px)"});
  return b;
}

namespace {

bool fits(std::pair<int, int> hw, const FrameBound& b) {
  return std::min(hw.first, hw.second) >= b.side && std::max(hw.first, hw.second) >= b.long_side;
}
bool fits(std::pair<int, int> hw, const std::vector<FrameBound>& bounds) {
  return std::all_of(bounds.begin(), bounds.end(), [&](const FrameBound& b) { return fits(hw, b); });
}

std::string size_text(std::pair<int, int> hw) { return std::to_string(hw.second) + "x" + std::to_string(hw.first); }

}  // namespace

std::pair<int, int> checked_working_size(const VideoInfo& info, int long_side, const std::string& output,
                                         const std::vector<FrameBound>& bounds) {
  auto hw = working_size(info.height, info.width, long_side, output);
  if (fits(hw, bounds)) return hw;
  std::string msg = "the frames would be " + size_text(hw) + " px (" + info.path + " is " + std::to_string(info.width) +
                    "x" + std::to_string(info.height) +
                    (long_side > 0 ? ", at --size " + std::to_string(long_side) : std::string(", at its own size")) +
                    "), too small for";
  std::string sep = " ";
  for (const FrameBound& b : bounds)
    if (!fits(hw, b)) msg += sep + b.what, sep = " and ";
  // The smallest --size that fits every bound, the aspect ratio kept (even for an even output,
  // whose long side would otherwise be rounded below the --size asked for).
  int fix = 0;
  for (int l = kMinVideoSize; l <= kMaxVideoSize && !fix; l += even_frame_size(output) ? 2 : 1)
    if (fits(working_size(info.height, info.width, l, output), bounds)) fix = l;
  if (!fix) throw Error(msg + "; no --size up to " + std::to_string(kMaxVideoSize) + " fits (the frames are too elongated)");
  throw Error(msg + "; give --size " + std::to_string(fix) + " or more (" +
              size_text(working_size(info.height, info.width, fix, output)) + ")");
}

FrameRange frame_range(const VideoInfo& info, int64_t first, int64_t last) {
  FrameRange r{std::max<int64_t>(1, first), last > 0 ? last : info.frames};
  // A sequence with a gap: FFmpeg's image2 stops before it, so the frames after it would be
  // left out without a word unless the range ends before the gap.
  if (info.missing_number > 0 && (last <= 0 || last > info.frames)) {
    auto file = [&](int64_t n) { return sequence_frame_path(info.path, n); };
    std::string later = info.later_files == 1 ? file(info.later_first) + " follows it"
                                              : std::to_string(info.later_files) + " files, " + file(info.later_first) +
                                                    " .. " + file(info.later_last) + ", follow it";
    // The advice keeps the asked start only when it is before the gap (else "--frames 5:4").
    const std::string before = r.first > 1 && r.first <= info.frames ? std::to_string(r.first) : "";
    throw Error(info.path + ": " + file(info.missing_number) + " is missing and " + later +
                "; the sequence is read up to the gap only (" + std::to_string(info.frames) +
                " frames, which --frames counts; the files after the gap cannot be reached): fill the gap, or give "
                "--frames " + before + ":" + std::to_string(info.frames) + " to stylise the frames before it");
  }
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
  std::string flow_use;  // what the optical flow is computed for ("" when nothing needs it)
  if (mode.needs_flow()) flow_use = "temporal stability";
  if (o.measure_flow) flow_use += (flow_use.empty() ? "" : " and ") + std::string("--report");
  if (depth && o.depth_temporal_weight > 0) flow_use += (flow_use.empty() ? "" : " and ") + std::string("the depth stabilisation");
  auto [h, w] = checked_working_size(info, o.long_side, o.output, frame_bounds(o.output, mode.transformer_min_side(), flow_use));
  VideoWriterOptions wo;
  wo.fps = info.fps;
  wo.crf = o.crf;
  if (o.audio && info.has_audio) {
    wo.audio_from = o.input;
    wo.audio_start_s = info.start_s + static_cast<double>(range.first - 1) / info.fps.value();
  }
  std::unique_ptr<OpticalFlow> flow = !flow_use.empty() ? std::make_unique<OpticalFlow>(o.flow_preset) : nullptr;
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
  int64_t at = 0;  // the input frame being read or stylised, for an out-of-memory message
  const std::string frame_size = size_text({h, w}) + " px (" + info.path + " is " + std::to_string(info.width) + "x" +
                                 std::to_string(info.height) + ")";
  // An allocation that fails mid-run names the frame and its size, and what to change (the
  // check before the run, --max-memory, estimates the feed-forward mode only).
  auto out_of_memory = [&](const std::string& what) {
    return Error("out of memory at frame " + std::to_string(at) + " of " + o.input + " (" + std::to_string(at - range.first + 1) +
                 " of " + std::to_string(count) + "), stylising it at " + frame_size + ": " + what +
                 "; give a smaller --size (nothing was written)");
  };
  try {
    for (int64_t k = 1; k <= range.last; ++k) {
      at = k;
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
  } catch (const OutOfMemory& e) {
    throw out_of_memory(e.what());
  } catch (const std::bad_alloc&) {
    throw out_of_memory("an allocation failed (std::bad_alloc)");
  }
  progress.finish();
  say(count, "while finishing the file");
  writer.finish();
  if (int64_t n = writer.older_frames_removed())
    std::printf("video: removed %lld %s of an earlier sequence: %s%s\n", static_cast<long long>(n),
                n == 1 ? "frame" : "frames", sequence_frame_path(o.output, count + 1).c_str(),
                n == 1 ? "" : (" .. " + sequence_frame_path(o.output, count + n)).c_str());
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
