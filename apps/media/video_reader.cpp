// VideoReader (apps/media/video_io.h): a packet walk at open (frame count, timestamps, checks),
// then decoding from a second opening of the file.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>

extern "C" {
#include <libavutil/display.h>
}

#include "apps/media/ffmpeg_util.h"
#include "apps/media/frame_convert.h"
#include "apps/media/video_io.h"
#include "tensor/error.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

namespace {

// The first video stream that is not a cover picture (an MP3's album art is a one-packet
// "video" stream), or -1.
int find_video_stream(const AVFormatContext* fc) {
  for (unsigned i = 0; i < fc->nb_streams; ++i) {
    const AVStream* s = fc->streams[i];
    if (s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC))
      return static_cast<int>(i);
  }
  return -1;
}

std::string stream_list(const AVFormatContext* fc) {
  if (fc->nb_streams == 0) return "no streams at all";
  std::string s;
  for (unsigned i = 0; i < fc->nb_streams; ++i) {
    const AVCodecParameters* p = fc->streams[i]->codecpar;
    if (!s.empty()) s += ", ";
    const char* type = av_get_media_type_string(p->codec_type);
    s += std::string(type ? type : "unknown") + " (" + avcodec_get_name(p->codec_id) + ")";
  }
  return "it holds: " + s;
}

// Degrees clockwise that turn the coded picture upright: the display matrix's rotation
// (counter-clockwise in FFmpeg's convention), else the older "rotate" tag; rounded to 90.
int display_rotation(const AVStream* st) {
  double ccw = 0;
  if (const uint8_t* m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, nullptr)) {
    ccw = av_display_rotation_get(reinterpret_cast<const int32_t*>(m));
    if (std::isnan(ccw)) ccw = 0;
  } else if (const AVDictionaryEntry* e = av_dict_get(st->metadata, "rotate", nullptr, 0)) {
    ccw = -std::atof(e->value);
  }
  int cw = static_cast<int>(std::lround(-ccw / 90.0)) * 90;
  return ((cw % 360) + 360) % 360;
}

double seconds(int64_t ts, AVRational tb) { return static_cast<double>(ts) * av_q2d(tb); }

}  // namespace

struct VideoReader::Impl {
  VideoInfo info;
  VideoReaderOptions opt;
  std::string format, format_options;  // how the file is opened (image2 for sequences)
  av::Input in;
  av::Codec dec;
  av::Packet pkt = av::make_packet();
  av::Frame frame = av::make_frame();
  FrameConverter convert;
  int stream = -1;
  int coded_w = 0, coded_h = 0;
  bool flushing = false, at_end = false;
  int64_t decoded = 0, returned = 0;
  // Resampling to a constant rate: the frame on screen now and the next one, with their times.
  Tensor held, next;
  double held_t = 0, next_t = 0;
  bool have_next = false;

  std::string at_frame(int64_t k) const { return info.path + ": frame " + std::to_string(k); }

  void open(const std::string& path);
  void walk();
  void note_gap(int64_t packets);
  void start_decoding();
  bool decode(Tensor& rgb, double& t);  // the next decoded frame and its time in seconds
  bool read(Tensor& rgb);
};

void VideoReader::Impl::open(const std::string& path) {
  info.path = path;
  if (is_image_sequence(path)) {
    // The first number: the smallest the folder holds under the pattern's exact names (exports
    // often start at 1000; FFmpeg's image2 alone looks at 0 to 4 only), else, when the number
    // names a folder, image2's own 0 to 4. Given to image2 explicitly so both agree.
    const std::vector<int64_t> numbers = sequence_numbers(path);
    info.first_number = numbers.empty() ? -1 : numbers.front();
    for (int64_t n = 0; n <= 4 && info.first_number < 0; ++n)
      if (std::filesystem::exists(sequence_frame_path(path, n))) info.first_number = n;
    if (info.first_number < 0)
      throw Error(path + ": no image of this sequence (no file named by the pattern, such as " +
                  sequence_frame_path(path, 1) + ")");
    format = "image2";
    format_options = "framerate=" + std::to_string(opt.sequence_fps.num) + "/" + std::to_string(opt.sequence_fps.den) +
                     ":start_number=" + std::to_string(info.first_number);
  }
  in = av::open_input(path, format.empty() ? nullptr : format.c_str(), format_options);
  stream = find_video_stream(in.get());
  if (stream < 0) throw Error(path + ": no video stream (" + stream_list(in.get()) + ")");
  info.has_audio = av::find_audio_stream(in.get()) >= 0;
  const AVStream* st = in->streams[stream];
  const AVCodecParameters* par = st->codecpar;
  info.codec = avcodec_get_name(par->codec_id);
  if (!avcodec_find_decoder(par->codec_id))
    throw Error(path + (par->codec_id == AV_CODEC_ID_NONE
                            ? std::string(": the video stream's codec is unknown to this FFmpeg build")
                            : ": the video codec " + info.codec + " is not supported by this FFmpeg build (no decoder)"));
  coded_w = par->width;
  coded_h = par->height;
  if (coded_w <= 0 || coded_h <= 0)
    throw Error(path + ": the video stream declares no frame size (" + std::to_string(coded_w) + "x" +
                std::to_string(coded_h) + ")");
  check_pixel_limit(path, coded_w, coded_h, opt.max_pixels > 0 ? opt.max_pixels : max_image_pixels());
  info.rotation = display_rotation(st);
  bool swap = info.rotation == 90 || info.rotation == 270;
  info.width = swap ? coded_h : coded_w;
  info.height = swap ? coded_w : coded_h;
  walk();
  start_decoding();
}

// image2 read the files first_number .. first_number + packets - 1 and stopped at the next
// number; notes the files of the pattern after that gap, which it will not read.
void VideoReader::Impl::note_gap(int64_t packets) {
  const int64_t missing = info.first_number + packets;
  for (int64_t n : sequence_numbers(info.path))
    if (n > missing) {
      if (info.later_files++ == 0) info.later_first = n;
      info.later_last = n;
    }
  if (info.later_files > 0) info.missing_number = missing;
}

// Reads every packet of the video stream (no decoding): the frame count and the timestamps,
// hence the frame rate and whether it is constant.
void VideoReader::Impl::walk() {
  const AVStream* st = in->streams[stream];
  std::vector<double> ts;
  double last_t = -1e300, last_duration = 0;  // the latest frame's time and how long it is shown
  int64_t packets = 0;
  bool no_pts = false;
  av::clear_log();
  for (;;) {
    int err = av_read_frame(in.get(), pkt.get());
    if (err == AVERROR_EOF) break;
    if (err < 0) av::fail(info.path + ": unreadable after " + std::to_string(packets) + " frames (truncated or corrupt)", err);
    if (pkt->stream_index == stream && !(pkt->flags & AV_PKT_FLAG_DISCARD)) {
      if (pkt->flags & AV_PKT_FLAG_CORRUPT)
        throw Error(av::with_log(at_frame(packets + 1) + " is truncated or corrupt"));
      ++packets;
      int64_t t = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
      if (t == AV_NOPTS_VALUE) {
        no_pts = true;
      } else {
        ts.push_back(seconds(t, st->time_base));
        if (ts.back() >= last_t) last_t = ts.back(), last_duration = seconds(pkt->duration, st->time_base);
      }
    }
    av_packet_unref(pkt.get());
  }
  if (packets == 0) throw Error(info.path + ": the video stream has no frames");
  if (format == "image2") note_gap(packets);
  if (st->nb_frames > 0 && packets < st->nb_frames)
    throw Error(info.path + ": truncated: the header declares " + std::to_string(st->nb_frames) + " frames, the file holds " +
                std::to_string(packets));
  std::sort(ts.begin(), ts.end());
  ts.erase(std::unique(ts.begin(), ts.end()), ts.end());
  // The mean spacing of the timestamps: the grid a constant-rate stream lies on (within the
  // rounding of its time base: a GIF's centiseconds, an MP4's ticks). The nominal rate is the
  // stream's average (else base) rate when it agrees with that spacing, else the spacing itself.
  double mean_step = ts.size() >= 2 ? (ts.back() - ts.front()) / static_cast<double>(ts.size() - 1) : 0.0;
  auto agrees = [&](AVRational r) {
    return r.num > 0 && r.den > 0 && (mean_step <= 0 || std::fabs(av_q2d(r) * mean_step - 1) < 0.01);
  };
  AVRational rate = agrees(st->avg_frame_rate) ? st->avg_frame_rate
                    : agrees(st->r_frame_rate) ? st->r_frame_rate
                    : mean_step > 0 ? av_d2q(1.0 / mean_step, 1001000)
                                    : AVRational{opt.sequence_fps.num, opt.sequence_fps.den};
  if (format == "image2") rate = {opt.sequence_fps.num, opt.sequence_fps.den};
  Rational in_fps{rate.num, rate.den};
  double step = mean_step > 0 ? mean_step : 1.0 / in_fps.value();
  int64_t off_grid = -1;
  if (!no_pts)
    for (size_t i = 0; i < ts.size() && off_grid < 0; ++i)
      if (std::fabs(ts[i] - ts[0] - static_cast<double>(i) * step) > 0.5 * step) off_grid = static_cast<int64_t>(i);
  info.variable_frame_rate = off_grid >= 0 || (!no_pts && static_cast<int64_t>(ts.size()) != packets);
  info.start_s = ts.empty() ? 0.0 : ts.front();
  // How long the pictures last: to the end of the last one (its packet's duration when the
  // container says, else one frame of the nominal rate).
  double last_shown = last_duration > 0 ? last_duration : 1.0 / in_fps.value();
  double length = ts.empty() ? static_cast<double>(packets) / in_fps.value() : ts.back() - ts.front() + last_shown;
  if (opt.fps.num > 0) {
    info.fps = opt.fps;
    info.frames = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(length * opt.fps.value() - 1e-6)));
  } else if (info.variable_frame_rate) {
    double at = off_grid >= 0 ? ts[static_cast<size_t>(off_grid)] - ts[0] : 0.0;
    char when[64];
    std::snprintf(when, sizeof when, "%.3f s", at);
    // The rate as a number first ("9.33 fps (28/3)"): Rational::str()'s "28/3 (9.33)" nested in
    // this sentence's parentheses read badly.
    char rate_text[96];
    if (in_fps.den == 1) std::snprintf(rate_text, sizeof rate_text, "%d fps", in_fps.num);
    else std::snprintf(rate_text, sizeof rate_text, "%.3g fps (%d/%d)", in_fps.value(), in_fps.num, in_fps.den);
    throw Error(info.path + ": variable frame rate: frame " + std::to_string(off_grid + 1) + " is shown at " + when +
                ", off the grid of its mean rate, " + rate_text + "; give --fps RATE to resample it to a constant rate");
  } else {
    info.fps = in_fps;
    info.frames = packets;
  }
  info.duration_s = static_cast<double>(info.frames) / info.fps.value();
}

void VideoReader::Impl::start_decoding() {
  in = av::open_input(info.path, format.empty() ? nullptr : format.c_str(), format_options);
  const AVCodecParameters* par = in->streams[stream]->codecpar;
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  dec.reset(avcodec_alloc_context3(codec));
  if (!dec) throw Error(info.path + ": out of memory for the decoder");
  int err = avcodec_parameters_to_context(dec.get(), par);
  if (err < 0) av::fail(info.path + ": bad codec parameters", err);
  dec->pkt_timebase = in->streams[stream]->time_base;
  dec->err_recognition |= AV_EF_EXPLODE | AV_EF_CRCCHECK;  // damage is an error, not concealed
  dec->thread_count = 0;                                   // FFmpeg picks
  if ((err = avcodec_open2(dec.get(), codec, nullptr)) < 0) av::fail(info.path + ": cannot open the " + info.codec + " decoder", err);
}

bool VideoReader::Impl::decode(Tensor& rgb, double& t) {
  for (;;) {
    int err = avcodec_receive_frame(dec.get(), frame.get());
    if (err == 0) {
      ++decoded;
      if ((frame->flags & AV_FRAME_FLAG_CORRUPT) || frame->decode_error_flags)
        throw Error(av::with_log(at_frame(decoded) + " is corrupt (the decoder reported damage)"));
      if (frame->width != coded_w || frame->height != coded_h)
        throw Error(at_frame(decoded) + " is " + std::to_string(frame->width) + "x" + std::to_string(frame->height) +
                    ", the stream header says " + std::to_string(coded_w) + "x" + std::to_string(coded_h));
      int64_t ts = frame->best_effort_timestamp;
      t = ts == AV_NOPTS_VALUE ? info.start_s + static_cast<double>(decoded - 1) / info.fps.value()
                               : seconds(ts, in->streams[stream]->time_base);
      rgb = convert.to_tensor(frame.get(), info.rotation);
      av_frame_unref(frame.get());
      return true;
    }
    if (err == AVERROR_EOF) return false;
    if (err != AVERROR(EAGAIN)) av::fail(at_frame(decoded + 1) + " cannot be decoded", err);
    if (flushing) return false;
    av::clear_log();
    err = av_read_frame(in.get(), pkt.get());
    if (err == AVERROR_EOF) {
      flushing = true;
      avcodec_send_packet(dec.get(), nullptr);
      continue;
    }
    if (err < 0) av::fail(at_frame(decoded + 1) + " cannot be read (truncated or corrupt)", err);
    if (pkt->stream_index == stream) {
      err = avcodec_send_packet(dec.get(), pkt.get());
      if (err < 0 && err != AVERROR(EAGAIN)) av::fail(at_frame(decoded + 1) + " cannot be decoded", err);
    }
    av_packet_unref(pkt.get());
  }
}

bool VideoReader::Impl::read(Tensor& rgb) {
  if (at_end) return false;
  if (opt.fps.num <= 0) {
    double t;
    if (!decode(rgb, t)) {
      at_end = true;
      if (returned < info.frames)
        throw Error(av::with_log(info.path + ": the file ends after frame " + std::to_string(returned) + " of " +
                                 std::to_string(info.frames) + " (truncated or corrupt)"));
      return false;
    }
    ++returned;
    return true;
  }
  // Constant-rate grid: output k shows the last input frame whose time is <= t0 + k / fps.
  if (returned >= info.frames) return at_end = true, false;
  double want = info.start_s + static_cast<double>(returned) / info.fps.value() + 1e-6;
  if (!held.defined()) {
    if (!decode(held, held_t)) throw Error(info.path + ": no frame could be decoded");
    have_next = decode(next, next_t);
  }
  while (have_next && next_t <= want) {
    held = next;
    held_t = next_t;
    have_next = decode(next, next_t);
  }
  rgb = held.clone();
  ++returned;
  return true;
}

VideoReader::VideoReader(const std::string& path, const VideoReaderOptions& o) : impl_(std::make_unique<Impl>()) {
  impl_->opt = o;
  impl_->open(path);
}

VideoReader::~VideoReader() = default;
const VideoInfo& VideoReader::info() const { return impl_->info; }
bool VideoReader::read(Tensor& rgb) { return impl_->read(rgb); }
int64_t VideoReader::frames_read() const { return impl_->returned; }

}  // namespace app
}  // namespace ds
