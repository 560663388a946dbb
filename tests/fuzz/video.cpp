// libFuzzer target: the video demuxer + decoder entry point, ds::app::VideoReader (FFmpeg's
// libavformat and libavcodec behind apps/media/video_reader.cpp), on a file named *FUZZ_EXT
// (FFmpeg probes the content; the name only adds to the score). It opens the file (the packet
// walk: counts, timestamps, rotation, the pixel limit) and decodes up to 12 frames, each of
// which must be [1,3,H,W] of the declared size with values in [0,1]. The pixel limit is kept
// small, so no input can ask for a frame the size of the machine's memory.
#include <cstdlib>

#include "apps/media/video_io.h"
#include "tests/fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path = ds::fuzz::write_input(data, size, FUZZ_EXT);
  ds::fuzz::allow_error([&] {
    ds::app::VideoReaderOptions o;
    o.max_pixels = 1 << 16;
    ds::app::VideoReader r(path, o);
    const ds::app::VideoInfo& info = r.info();
    if (info.width < 1 || info.height < 1 || static_cast<int64_t>(info.width) * info.height > o.max_pixels ||
        info.frames < 1 || !(info.fps.value() > 0))
      std::abort();
    ds::Tensor f;
    for (int k = 0; k < 12 && r.read(f); ++k) {
      if (f.ndim() != 4 || f.N() != 1 || f.C() != 3 || f.H() != info.height || f.W() != info.width) std::abort();
      for (int64_t i = 0; i < f.numel(); ++i)
        if (!(f.data()[i] >= 0.0f && f.data()[i] <= 1.0f)) std::abort();
    }
  });
  return 0;
}
