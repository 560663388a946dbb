#include "apps/media/ffmpeg_util.h"

#include <cstdarg>
#include <cstdio>
#include <mutex>

extern "C" {
#include <libavutil/dict.h>
}

#include "tensor/error.h"

namespace ds {
namespace app {
namespace av {

namespace {

thread_local std::string t_last_log;

// FFmpeg logs from the calling thread, and from its own decoder threads (whose messages land
// in their thread-local slot and are lost: the decoder also returns an error code then).
void log_callback(void* avcl, int level, const char* fmt, va_list vl) {
  if (level > AV_LOG_WARNING) return;
  char line[1024];
  int print_prefix = 0;  // no "[mov,mp4,... @ 0x55...]" in front
  av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &print_prefix);
  std::string s(line);
  for (char& c : s)
    if (c == '\n') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (!s.empty()) t_last_log = s;
}

}  // namespace

std::string error_text(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

void capture_log() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(log_callback); });
}

void clear_log() { t_last_log.clear(); }
std::string last_log() { return t_last_log; }

std::string with_log(const std::string& what) {
  return t_last_log.empty() ? what : what + " (FFmpeg: " + t_last_log + ")";
}

void fail(const std::string& what, int err) {
  std::string msg = what + " (" + error_text(err);
  if (!t_last_log.empty()) msg += "; FFmpeg: " + t_last_log;
  throw Error(msg + ")");
}

void OutputCloser::operator()(AVFormatContext* c) const {
  if (c->pb && !(c->oformat->flags & AVFMT_NOFILE)) avio_closep(&c->pb);
  avformat_free_context(c);
}

Frame make_frame() {
  Frame f(av_frame_alloc());
  if (!f) throw Error("out of memory allocating a video frame");
  return f;
}

Packet make_packet() {
  Packet p(av_packet_alloc());
  if (!p) throw Error("out of memory allocating a packet");
  return p;
}

Input open_input(const std::string& path, const char* format, const std::string& options) {
  capture_log();
  clear_log();
  const AVInputFormat* fmt = nullptr;
  if (format && !(fmt = av_find_input_format(format)))
    throw Error(path + ": this FFmpeg has no " + format + " reader");
  AVDictionary* opts = nullptr;
  if (!options.empty()) av_dict_parse_string(&opts, options.c_str(), "=", ":", 0);
  AVFormatContext* raw = nullptr;
  int err = avformat_open_input(&raw, path.c_str(), fmt, &opts);
  av_dict_free(&opts);
  if (err < 0) fail(path + ": cannot open as a video", err);
  Input in(raw);
  if ((err = avformat_find_stream_info(in.get(), nullptr)) < 0) fail(path + ": cannot read the stream headers", err);
  return in;
}

int find_audio_stream(const AVFormatContext* fc) {
  for (unsigned i = 0; i < fc->nb_streams; ++i)
    if (fc->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) return static_cast<int>(i);
  return -1;
}

}  // namespace av
}  // namespace app
}  // namespace ds
