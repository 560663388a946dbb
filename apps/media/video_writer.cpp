// VideoWriter (apps/media/video_io.h): an encoder and muxer writing to an AtomicFile's
// temporary (or PNG files for a sequence), with the audio packets of another file copied in
// between the video packets in time order.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>

extern "C" {
#include <libavutil/opt.h>
}

#include "apps/media/ffmpeg_util.h"
#include "apps/media/frame_convert.h"
#include "apps/media/gif_palette.h"
#include "apps/media/video_io.h"
#include "tensor/error.h"
#include "tensor/file_util.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

namespace {

struct Encoding {
  const char* encoder;  // FFmpeg's encoder name
  AVPixelFormat pix_fmt;
};

Encoding encoding_for(const std::string& kind) {
  if (kind == "H.264") return {"libx264", AV_PIX_FMT_YUV420P};
  if (kind == "VP9") return {"libvpx-vp9", AV_PIX_FMT_YUV420P};
  return {"gif", AV_PIX_FMT_PAL8};
}

const char* muxer_for(const std::string& kind, const std::string& ext) {
  if (kind == "GIF") return "gif";
  if (kind == "VP9") return "webm";
  if (ext == ".mkv") return "matroska";
  return ext == ".mov" ? "mov" : "mp4";
}

// Audio packets of another file, from a start time on, shifted so that start is time 0.
struct AudioCopy {
  av::Input in;
  int in_stream = -1;
  AVStream* out = nullptr;
  int64_t start = 0;  // in the input stream's time base
  av::Packet pkt = av::make_packet();
  bool pending = false, done = false;
};

}  // namespace

struct VideoWriter::Impl {
  std::string path, kind;
  int width = 0, height = 0;
  VideoWriterOptions opt;
  int64_t written = 0;
  int64_t removed = 0;  // frames of an earlier sequence removed by finish_png
  bool finished = false;
  FrameConverter convert;
  // PNG sequence: one AtomicFile per frame, committed together by finish().
  std::vector<std::unique_ptr<AtomicFile>> png_frames;
  // Encoded video.
  std::unique_ptr<AtomicFile> file;
  av::Output oc;
  av::Codec enc;
  AVStream* vst = nullptr;
  std::unique_ptr<AudioCopy> audio;
  std::unique_ptr<GifPalette> gif;
  av::Packet pkt = av::make_packet();

  void open_encoded();
  void open_audio(const std::string& src);
  void encode(AVFrame* f);  // null flushes
  void copy_audio_until(double t_s);
  void write_packet(AVPacket* p);
  void finish_png();
};

void VideoWriter::Impl::open_encoded() {
  file = std::make_unique<AtomicFile>(path);
  Encoding e = encoding_for(kind);
  av::capture_log();
  av::clear_log();
  const char* muxer = muxer_for(kind, lower_extension(path));
  AVFormatContext* raw = nullptr;
  int err = avformat_alloc_output_context2(&raw, nullptr, muxer, file->temp_path().c_str());
  if (err < 0 || !raw) av::fail(path + ": cannot set up the " + muxer + " writer", err);
  oc.reset(raw);
  const AVCodec* codec = avcodec_find_encoder_by_name(e.encoder);
  if (!codec) throw Error(path + ": this FFmpeg build has no " + e.encoder + " encoder (needed for " + kind + ")");
  if ((kind == "H.264" || kind == "VP9") && (width % 2 || height % 2))
    throw Error(path + ": " + kind + " in yuv420p needs an even width and height, not " + std::to_string(width) + "x" +
                std::to_string(height));
  enc.reset(avcodec_alloc_context3(codec));
  enc->width = width;
  enc->height = height;
  enc->pix_fmt = e.pix_fmt;
  enc->time_base = {opt.fps.den, opt.fps.num};
  enc->framerate = {opt.fps.num, opt.fps.den};
  enc->sample_aspect_ratio = {1, 1};
  if (e.pix_fmt == AV_PIX_FMT_YUV420P) {
    enc->color_range = AVCOL_RANGE_MPEG;
    enc->colorspace = AVCOL_SPC_BT709;
    enc->color_primaries = AVCOL_PRI_BT709;
    enc->color_trc = AVCOL_TRC_BT709;
  }
  if (oc->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary* eopts = nullptr;
  if (kind == "H.264") {
    av_dict_set_int(&eopts, "crf", opt.crf, 0);
    av_dict_set(&eopts, "preset", "medium", 0);
  } else if (kind == "VP9") {
    enc->bit_rate = 0;  // constant quality
    av_dict_set_int(&eopts, "crf", opt.crf, 0);
    av_dict_set(&eopts, "row-mt", "1", 0);
    av_dict_set(&eopts, "cpu-used", "4", 0);
  }
  err = avcodec_open2(enc.get(), codec, &eopts);
  av_dict_free(&eopts);
  if (err < 0) av::fail(path + ": cannot open the " + std::string(e.encoder) + " encoder", err);
  vst = avformat_new_stream(oc.get(), nullptr);
  if (!vst) throw Error(path + ": out of memory for the video stream");
  vst->time_base = enc->time_base;
  vst->avg_frame_rate = enc->framerate;
  if ((err = avcodec_parameters_from_context(vst->codecpar, enc.get())) < 0) av::fail(path + ": encoder parameters", err);
  if (kind == "GIF") gif = std::make_unique<GifPalette>(width, height, opt.fps);
  if (!opt.audio_from.empty() && kind != "GIF") open_audio(opt.audio_from);
  if ((err = avio_open(&oc->pb, file->temp_path().c_str(), AVIO_FLAG_WRITE)) < 0)
    av::fail(path + ": cannot create " + file->temp_path(), err);
  AVDictionary* mopts = nullptr;
  if (std::string(muxer) == "mp4" || std::string(muxer) == "mov") av_dict_set(&mopts, "movflags", "+faststart", 0);
  err = avformat_write_header(oc.get(), &mopts);
  av_dict_free(&mopts);
  if (err < 0) av::fail(path + ": cannot write the file header", err);
}

void VideoWriter::Impl::open_audio(const std::string& src) {
  if (same_file(src, path)) throw Error(path + ": the output is the audio source " + src);
  auto a = std::make_unique<AudioCopy>();
  a->in = av::open_input(src, is_image_sequence(src) ? "image2" : nullptr, "");
  a->in_stream = av::find_audio_stream(a->in.get());
  if (a->in_stream < 0) return;  // nothing to copy
  const AVStream* ist = a->in->streams[a->in_stream];
  AVCodecID id = ist->codecpar->codec_id;
  if (avformat_query_codec(oc->oformat, id, FF_COMPLIANCE_NORMAL) != 1) {
    std::fprintf(stderr, "warning: %s: the %s audio of %s cannot go into %s without re-encoding; written without audio "
                 "(choose .mkv, which holds any codec, to keep it)\n", path.c_str(), avcodec_get_name(id), src.c_str(),
                 oc->oformat->name);
    return;
  }
  a->out = avformat_new_stream(oc.get(), nullptr);
  if (!a->out) throw Error(path + ": out of memory for the audio stream");
  int err = avcodec_parameters_copy(a->out->codecpar, ist->codecpar);
  if (err < 0) av::fail(path + ": audio parameters", err);
  a->out->codecpar->codec_tag = 0;
  a->out->time_base = ist->time_base;
  a->start = av_rescale_q(static_cast<int64_t>(std::llround(opt.audio_start_s * 1e6)), AVRational{1, 1000000}, ist->time_base);
  if (opt.audio_start_s > 0) {
    int64_t target = static_cast<int64_t>(std::llround(opt.audio_start_s * AV_TIME_BASE));
    avformat_seek_file(a->in.get(), -1, INT64_MIN, target, target, AVSEEK_FLAG_BACKWARD);  // failure: read from the start
  }
  audio = std::move(a);
}

// Copies the audio packets that start before t_s (seconds of output time).
void VideoWriter::Impl::copy_audio_until(double t_s) {
  if (!audio || !audio->out || audio->done) return;
  AudioCopy& a = *audio;
  const AVRational itb = a.in->streams[a.in_stream]->time_base;
  for (;;) {
    if (!a.pending) {
      int err = av_read_frame(a.in.get(), a.pkt.get());
      if (err < 0) return void(a.done = true);  // end (or damage) of the audio: the video goes on without it
      if (a.pkt->stream_index != a.in_stream || a.pkt->pts == AV_NOPTS_VALUE || a.pkt->pts < a.start) {
        av_packet_unref(a.pkt.get());
        continue;
      }
      a.pkt->pts -= a.start;
      if (a.pkt->dts != AV_NOPTS_VALUE) a.pkt->dts -= a.start;
      a.pending = true;
    }
    if (static_cast<double>(a.pkt->pts) * av_q2d(itb) >= t_s) return;
    a.pkt->stream_index = a.out->index;
    av_packet_rescale_ts(a.pkt.get(), itb, a.out->time_base);
    a.pkt->pos = -1;
    int err = av_interleaved_write_frame(oc.get(), a.pkt.get());
    a.pending = false;
    if (err < 0) av::fail(path + ": cannot write audio", err);
  }
}

void VideoWriter::Impl::write_packet(AVPacket* p) {
  av_packet_rescale_ts(p, enc->time_base, vst->time_base);
  p->stream_index = vst->index;
  copy_audio_until(static_cast<double>(p->dts == AV_NOPTS_VALUE ? p->pts : p->dts) * av_q2d(vst->time_base));
  int err = av_interleaved_write_frame(oc.get(), p);
  if (err < 0) av::fail(path + ": cannot write video", err);
}

void VideoWriter::Impl::encode(AVFrame* f) {
  int err = avcodec_send_frame(enc.get(), f);
  if (err < 0) av::fail(path + ": encoding frame " + std::to_string(written), err);
  for (;;) {
    err = avcodec_receive_packet(enc.get(), pkt.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    if (err < 0) av::fail(path + ": encoding", err);
    write_packet(pkt.get());
    av_packet_unref(pkt.get());
  }
}

void VideoWriter::Impl::finish_png() {
  for (auto& f : png_frames) f->commit();
  // An older, longer sequence under the same pattern would mix with this one: its later frames
  // go (the numbers right after ours, up to the first missing one; no other file is touched).
  std::error_code ec;
  for (int64_t k = 1 + written; std::filesystem::exists(sequence_frame_path(path, k), ec); ++k) {
    const std::string f = sequence_frame_path(path, k);
    if (std::filesystem::remove(f, ec)) ++removed;
    else std::fprintf(stderr, "warning: %s: cannot remove this frame of an earlier sequence (%s)\n", f.c_str(),
                      ec.message().c_str());
  }
}

VideoWriter::VideoWriter(const std::string& path, int width, int height, const VideoWriterOptions& o)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.path = path;
  m.kind = check_video_output(path);
  m.width = width;
  m.height = height;
  m.opt = o;
  if (width < 1 || height < 1) throw Error(path + ": bad frame size " + std::to_string(width) + "x" + std::to_string(height));
  if (o.fps.num <= 0 || o.fps.den <= 0) throw Error(path + ": bad frame rate " + o.fps.str());
  if (m.kind != "PNG sequence") m.open_encoded();
}

VideoWriter::~VideoWriter() = default;  // AtomicFiles not committed remove their temporaries

void VideoWriter::write(const Tensor& rgb) {
  Impl& m = *impl_;
  if (m.finished) throw Error(m.path + ": write() after finish()");
  if (rgb.ndim() != 4 || rgb.N() != 1 || rgb.C() != 3 || rgb.H() != m.height || rgb.W() != m.width)
    throw Error(m.path + ": frame " + std::to_string(m.written + 1) + " has shape " + shape_str(rgb.shape()) +
                ", the video is [1, 3, " + std::to_string(m.height) + ", " + std::to_string(m.width) + "]");
  if (m.kind == "PNG sequence") {
    m.png_frames.push_back(std::make_unique<AtomicFile>(sequence_frame_path(m.path, m.written + 1)));
    save_image(m.png_frames.back()->temp_path(), rgb);
    ++m.written;
    return;
  }
  av::Frame f = av::make_frame();
  f->format = m.gif ? AV_PIX_FMT_RGB24 : m.enc->pix_fmt;
  m.convert.from_tensor(rgb, f.get());
  f->pts = m.written;
  if (m.gif) {
    m.gif->push(f.get());
  } else {
    f->color_range = AVCOL_RANGE_MPEG;
    f->colorspace = AVCOL_SPC_BT709;
    m.encode(f.get());
  }
  ++m.written;
}

void VideoWriter::finish() {
  Impl& m = *impl_;
  if (m.finished) return;
  if (m.written == 0) throw Error(m.path + ": no frames were written");
  if (m.kind == "PNG sequence") {
    m.finish_png();
  } else {
    if (m.gif) m.gif->drain([&](AVFrame* f) { m.encode(f); });
    m.encode(nullptr);
    m.copy_audio_until(static_cast<double>(m.written) / m.opt.fps.value());
    int err = av_write_trailer(m.oc.get());
    if (err < 0) av::fail(m.path + ": cannot finish the file", err);
    m.oc.reset();  // closes the temporary before the rename
    m.file->commit();
  }
  m.finished = true;
}

int64_t VideoWriter::frames_written() const { return impl_->written; }
int64_t VideoWriter::older_frames_removed() const { return impl_->removed; }
bool VideoWriter::has_audio() const { return impl_->audio && impl_->audio->out; }

}  // namespace app
}  // namespace ds
