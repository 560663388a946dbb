#include "apps/video/depth_frames.h"

#include <cctype>
#include <filesystem>

#include "weights/depth_map.h"
#include "nn/resize.h"
#include "tensor/error.h"
#include "weights/depth_io.h"

namespace ds {
namespace app {

namespace fs = std::filesystem;

namespace {

// The number a file stem ends in ("depth_00012" -> 12), or -1.
int64_t trailing_number(const std::string& stem) {
  size_t i = stem.size();
  while (i > 0 && std::isdigit(static_cast<unsigned char>(stem[i - 1]))) --i;
  if (i == stem.size() || stem.size() - i > 12) return -1;
  return std::stoll(stem.substr(i));
}

// The input frame number of 1-based position k: the sequence's own numbering, else k.
int64_t frame_number(const VideoInfo& in, int64_t k) { return is_image_sequence(in.path) ? in.first_number + k - 1 : k; }

std::string number_list(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < 8; ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  if (v.size() > 8) s += " and " + std::to_string(v.size() - 8) + " more";
  return s;
}

}  // namespace

DepthFrames::DepthFrames(const std::string& source, bool invert, const VideoInfo& input, int64_t first, int64_t last,
                         const VideoReaderOptions& reader)
    : source_(source), invert_(invert), input_(input), first_(first), last_(last) {
  if (source.empty()) return;
  bool maps = is_image_sequence(source) || fs::is_directory(source);
  if (maps && reader.fps.num > 0)
    throw Error("--depth " + source + ": depth maps are matched by frame number, which --fps resampling does not keep; "
                "resample the input first, or give the depth as a video");
  if (is_image_sequence(source)) return;
  if (fs::is_directory(source)) {
    for (const auto& e : fs::directory_iterator(source)) {
      if (!e.is_regular_file()) continue;
      int64_t n = trailing_number(e.path().stem().string());
      if (n < 0) continue;
      auto [it, fresh] = files_.emplace(n, e.path().string());
      if (!fresh)
        throw Error("--depth " + source + ": two depth maps for frame " + std::to_string(n) + ": " + it->second + " and " +
                    e.path().string());
    }
    return;
  }
  VideoReaderOptions o = reader;
  o.sequence_fps = input.fps;
  video_ = std::make_unique<VideoReader>(source, o);
}

DepthFrames::~DepthFrames() = default;

std::string DepthFrames::path_for(int64_t number) const {
  if (is_image_sequence(source_)) return sequence_frame_path(source_, number);
  auto it = files_.find(number);
  return it == files_.end() ? "" : it->second;
}

void DepthFrames::plan(OutputPlan& plan) const {
  if (source_.empty()) return;
  if (video_) return plan.input("--depth video", source_);
  for (int64_t k = first_; k <= last_; ++k) plan.input("--depth map", path_for(frame_number(input_, k)));
}

void DepthFrames::check() const {
  if (source_.empty()) return;
  Tensor first;
  std::string first_name;
  if (video_) {
    const VideoInfo& d = video_->info();
    if (d.frames != input_.frames)
      throw Error("--depth " + source_ + ": the depth video has " + std::to_string(d.frames) + " frames, " + input_.path +
                  " has " + std::to_string(input_.frames) + " (at " + input_.fps.str() + " fps): they must match frame for frame");
    first = Tensor::zeros({1, 1, d.height, d.width});
    first_name = "depth video " + source_;
  } else {
    std::vector<int64_t> missing;
    for (int64_t k = first_; k <= last_; ++k) {
      std::string p = path_for(frame_number(input_, k));
      if (p.empty() || !fs::exists(p)) missing.push_back(frame_number(input_, k));
    }
    if (!missing.empty())
      throw Error("--depth " + source_ + ": no depth map for frame" + (missing.size() > 1 ? "s " : " ") + number_list(missing) +
                  (is_image_sequence(source_) ? "" : " (a file whose name ends in the frame number, e.g. depth_00001.png)"));
    first_name = "depth map " + path_for(frame_number(input_, first_));
    first = load_depth_metres(path_for(frame_number(input_, first_)));
  }
  fit_depth_to(Tensor::zeros(first.shape()), input_.height, input_.width, first_name);  // aspect ratio, or an error
}

void DepthFrames::set_estimator(const DepthEstimator* net, Device dev) {
  net_ = net;
  dev_ = dev;
}

Tensor DepthFrames::depth01(int64_t k, const Tensor& frame) {
  const int h = static_cast<int>(frame.H()), w = static_cast<int>(frame.W());
  const std::string where = "frame " + std::to_string(k);
  if (source_.empty()) {
    if (!net_) throw Error("depth of " + where + ": no depth network loaded");
    NoGradGuard ng;
    return normalise_depth(resize_depth_to(net_->predict(Var(frame.to(dev_))).value().to(Device::CPU), h, w));
  }
  if (video_) {
    Tensor rgb;
    while (video_pos_ < k) {
      if (!video_->read(rgb)) throw Error("--depth " + source_ + ": the depth video ends before " + where);
      ++video_pos_;
    }
    const int64_t plane = rgb.H() * rgb.W();
    Tensor grey = Tensor::empty({1, 1, rgb.H(), rgb.W()});
    for (int64_t i = 0; i < plane; ++i) {
      float g = (rgb.data()[i] + rgb.data()[plane + i] + rgb.data()[2 * plane + i]) / 3.0f;
      grey.data()[i] = invert_ ? 1.0f - g : g;
    }
    return normalise_depth(fit_depth_to(grey, h, w, "depth video " + source_ + " " + where));
  }
  std::string p = path_for(frame_number(input_, k));
  Tensor metres = load_depth_metres(p);
  if (valid_fraction(metres) == 0) throw Error(p + ": the depth map of " + where + " has no valid pixel");
  Tensor d = normalise_depth(fit_depth_to(fill_invalid(metres), h, w, "depth map " + p));
  if (invert_)
    for (int64_t i = 0; i < d.numel(); ++i) d.data()[i] = 1.0f - d.data()[i];
  return d;
}

}  // namespace app
}  // namespace ds
