// Internal to apps/media/: owning handles for FFmpeg's objects and its error texts. The only
// header that includes FFmpeg's, so FFmpeg stays out of the public headers (video_io.h).
#pragma once
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}
#include <memory>
#include <string>

namespace ds {
namespace app {
namespace av {

// FFmpeg's text for an error code ("Invalid data found when processing input").
std::string error_text(int err);
// FFmpeg's log goes through a callback that keeps the last warning or error of this thread
// (and prints nothing), so that our errors can quote it. Installed on first use.
void capture_log();
void clear_log();
std::string last_log();  // "" when nothing was logged since clear_log()
// "WHAT (TEXT of err; FFmpeg: last logged message)" as a ds::Error.
[[noreturn]] void fail(const std::string& what, int err);
// "WHAT (FFmpeg: last logged message)" when there is one.
std::string with_log(const std::string& what);

struct InputCloser {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
struct OutputCloser {
  void operator()(AVFormatContext* c) const;  // closes its file, frees it
};
struct CodecFree {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsFree {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};
struct GraphFree {
  void operator()(AVFilterGraph* g) const { avfilter_graph_free(&g); }
};
using Input = std::unique_ptr<AVFormatContext, InputCloser>;
using Output = std::unique_ptr<AVFormatContext, OutputCloser>;
using Codec = std::unique_ptr<AVCodecContext, CodecFree>;
using Frame = std::unique_ptr<AVFrame, FrameFree>;
using Packet = std::unique_ptr<AVPacket, PacketFree>;
using Sws = std::unique_ptr<SwsContext, SwsFree>;
using Graph = std::unique_ptr<AVFilterGraph, GraphFree>;

Frame make_frame();
Packet make_packet();

// Opens `path` for reading (`format`: a demuxer name such as "image2", or null to probe; options
// as "key=value:..." for it). Errors: ds::Error naming the file.
Input open_input(const std::string& path, const char* format, const std::string& options);

// The first audio stream of an input, or -1.
int find_audio_stream(const AVFormatContext* fc);

}  // namespace av
}  // namespace app
}  // namespace ds
