// Internal to apps/media/: RGB frames -> 256-colour (PAL8) frames for the GIF encoder, through
// libavfilter's palettegen and paletteuse (one palette for the whole video, from every frame's
// colours; ordered Bayer dithering, whose pattern stays put from frame to frame, where error
// diffusion would crawl). palettegen sees every frame before the first one can be mapped, so
// the frames are held in memory until drain(): about width x height x 3 bytes each.
#pragma once
#include <functional>

#include "apps/media/ffmpeg_util.h"
#include "apps/media/video_io.h"

namespace ds {
namespace app {

class GifPalette {
 public:
  GifPalette(int width, int height, Rational fps);
  // An RGB24 frame with its pts in 1/fps units.
  void push(AVFrame* rgb24);
  // Ends the input and calls f on each PAL8 frame, in order.
  void drain(const std::function<void(AVFrame*)>& f);

 private:
  av::Graph graph_;
  AVFilterContext* src_ = nullptr;
  AVFilterContext* sink_ = nullptr;
};

}  // namespace app
}  // namespace ds
