#include "apps/media/gif_palette.h"

#include <string>

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/opt.h>
}

#include "tensor/error.h"

namespace ds {
namespace app {

namespace {

struct InOutFree {
  void operator()(AVFilterInOut* p) const { avfilter_inout_free(&p); }
};

AVFilterInOut* endpoint(const char* name, AVFilterContext* ctx) {
  AVFilterInOut* io = avfilter_inout_alloc();
  if (!io) throw Error("out of memory for the GIF palette filter");
  io->name = av_strdup(name);
  io->filter_ctx = ctx;
  io->pad_idx = 0;
  io->next = nullptr;
  return io;
}

}  // namespace

GifPalette::GifPalette(int width, int height, Rational fps) : graph_(avfilter_graph_alloc()) {
  if (!graph_) throw Error("out of memory for the GIF palette filter");
  std::string args = "video_size=" + std::to_string(width) + "x" + std::to_string(height) +
                     ":pix_fmt=" + std::to_string(AV_PIX_FMT_RGB24) + ":time_base=" + std::to_string(fps.den) + "/" +
                     std::to_string(fps.num) + ":pixel_aspect=1/1";
  int err = avfilter_graph_create_filter(&src_, avfilter_get_by_name("buffer"), "in", args.c_str(), nullptr, graph_.get());
  if (err < 0) av::fail("GIF palette filter: buffer source", err);
  err = avfilter_graph_create_filter(&sink_, avfilter_get_by_name("buffersink"), "out", nullptr, nullptr, graph_.get());
  if (err < 0) av::fail("GIF palette filter: buffer sink", err);
  const AVPixelFormat pal8[] = {AV_PIX_FMT_PAL8, AV_PIX_FMT_NONE};
  av_opt_set_int_list(sink_, "pix_fmts", pal8, AV_PIX_FMT_NONE, AV_OPT_SEARCH_CHILDREN);
  std::unique_ptr<AVFilterInOut, InOutFree> outputs(endpoint("in", src_)), inputs(endpoint("out", sink_));
  AVFilterInOut* o = outputs.release();
  AVFilterInOut* i = inputs.release();
  err = avfilter_graph_parse_ptr(graph_.get(),
                                 "split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=bayer:bayer_scale=4",
                                 &i, &o, nullptr);
  avfilter_inout_free(&i);
  avfilter_inout_free(&o);
  if (err < 0) av::fail("GIF palette filter: palettegen/paletteuse (libavfilter)", err);
  if ((err = avfilter_graph_config(graph_.get(), nullptr)) < 0) av::fail("GIF palette filter: configuration", err);
}

void GifPalette::push(AVFrame* rgb24) {
  int err = av_buffersrc_add_frame_flags(src_, rgb24, AV_BUFFERSRC_FLAG_KEEP_REF);
  if (err < 0) av::fail("GIF palette filter: frame", err);
}

void GifPalette::drain(const std::function<void(AVFrame*)>& f) {
  int err = av_buffersrc_add_frame(src_, nullptr);
  if (err < 0) av::fail("GIF palette filter: end of input", err);
  av::Frame out = av::make_frame();
  for (;;) {
    err = av_buffersink_get_frame(sink_, out.get());
    if (err == AVERROR_EOF || err == AVERROR(EAGAIN)) return;
    if (err < 0) av::fail("GIF palette filter: output", err);
    f(out.get());
    av_frame_unref(out.get());
  }
}

}  // namespace app
}  // namespace ds
