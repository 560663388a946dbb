// Video files (apps/media/video_io.h): round trips through every output kind (frame count,
// rate, size, the frames themselves within each codec's loss), audio copied without
// re-encoding, the display rotation applied, and the errors for bad files. Clips are 32x24 and
// a few frames long; fixtures only the ffmpeg program can make are made by it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "apps/media/optical_flow.h"
#include "apps/media/video_io.h"
#include "tensor/file_util.h"
#include "tensor/random.h"
#include "tests/check.h"
#include "tests/media_fixtures.h"

using ds::Tensor;
using ds::app::Rational;
using ds::app::VideoReader;
using ds::app::VideoWriter;
using dst::contains;
using dst::error_of;

namespace {

double mean_abs_diff(const Tensor& a, const Tensor& b) {
  double s = 0;
  for (int64_t i = 0; i < a.numel(); ++i) s += std::fabs(a.data()[i] - b.data()[i]);
  return s / static_cast<double>(a.numel());
}

// Reads every frame back and checks count, size and rate, and each frame against the ramp
// within `tol` (mean absolute error per sample).
void check_round_trip(const std::string& path, Rational fps, int n, double tol) {
  VideoReader r(path);
  CHECK(r.info().width == 32);
  CHECK(r.info().height == 24);
  CHECK(r.info().frames == n);
  CHECK(r.info().fps.value() == doctest::Approx(fps.value()).epsilon(1e-6));
  CHECK_FALSE(r.info().variable_frame_rate);
  Tensor f;
  int k = 0;
  while (r.read(f)) {
    REQUIRE(f.shape() == ds::Shape{1, 3, 24, 32});
    double err = mean_abs_diff(f, dst::ramp_frame(24, 32, k, n));
    CHECK_MESSAGE(err < tol, path << " frame " << k << ": mean error " << err);
    ++k;
  }
  CHECK(k == n);
}

}  // namespace

TEST_CASE("video: MP4 (H.264), MKV and WebM (VP9) round trips keep frame count, rate, size and frames") {
  dst::MediaDir d("roundtrip");
  Rational ntsc{30000, 1001};
  // yuv420p halves the chroma resolution: on these smooth ramps that and 8-bit rounding stay
  // within ~2 levels per sample at crf 0.
  dst::write_ramp_clip(d / "a.mp4", 24, 32, 6, ntsc);
  check_round_trip(d / "a.mp4", ntsc, 6, 3.0 / 255);
  CHECK(dst::ffprobe(d / "a.mp4", "v", "stream=codec_name,pix_fmt") == "h264,yuv420p");
  dst::write_ramp_clip(d / "a.mkv", 24, 32, 5, Rational{25, 1});
  check_round_trip(d / "a.mkv", Rational{25, 1}, 5, 3.0 / 255);
  dst::write_ramp_clip(d / "a.webm", 24, 32, 4, Rational{24, 1});
  check_round_trip(d / "a.webm", Rational{24, 1}, 4, 4.0 / 255);
  CHECK(dst::ffprobe(d / "a.webm", "v", "stream=codec_name") == "vp9");
  CHECK(d.entries() == 3);  // no temporaries left beside them
}

TEST_CASE("video: GIF and PNG-sequence round trips") {
  dst::MediaDir d("gifpng");
  dst::write_ramp_clip(d / "a.gif", 24, 32, 5, Rational{10, 1});
  // 256 colours with ordered dithering: about 1/2 of a palette step per sample.
  check_round_trip(d / "a.gif", Rational{10, 1}, 5, 0.03);
  std::string pattern = d / "f%03d.png";
  dst::write_ramp_clip(pattern, 24, 32, 4, Rational{25, 1});
  CHECK(std::filesystem::exists(d / "f001.png"));
  CHECK(std::filesystem::exists(d / "f004.png"));
  CHECK_FALSE(std::filesystem::exists(d / "f005.png"));
  check_round_trip(pattern, Rational{25, 1}, 4, 0.5 / 255);  // 8-bit PNG: rounding only
  // A shorter second run replaces the whole sequence: no frame of the first run is left.
  dst::write_ramp_clip(pattern, 24, 32, 2, Rational{25, 1});
  CHECK(std::filesystem::exists(d / "f002.png"));
  CHECK_FALSE(std::filesystem::exists(d / "f003.png"));
  CHECK(d.entries() == 3);  // a.gif, f001.png, f002.png
}

TEST_CASE("video: a PNG sequence over a longer one removes only that sequence's next frames, and counts them") {
  dst::MediaDir d("pngolder");
  std::string pattern = d / "f%03d.png";
  dst::write_ramp_clip(pattern, 6, 8, 5, Rational{25, 1});
  // Files the pattern does not name (another width, another stem, text), and one after a gap.
  for (const char* other : {"f3.png", "f0004.png", "g004.png", "f004.png.txt", "f009.png"})
    std::ofstream(d / other) << "not ours";
  VideoWriter w(pattern, 8, 6, {});
  for (int k = 0; k < 2; ++k) w.write(dst::ramp_frame(6, 8, k, 2));
  w.finish();
  CHECK(w.older_frames_removed() == 3);  // f003..f005
  for (const char* gone : {"f003.png", "f004.png", "f005.png"}) CHECK_FALSE(std::filesystem::exists(d / gone));
  for (const char* kept : {"f001.png", "f002.png", "f3.png", "f0004.png", "g004.png", "f004.png.txt", "f009.png"})
    CHECK(std::filesystem::exists(d / kept));
  CHECK(ds::app::sequence_numbers(pattern) == std::vector<int64_t>{1, 2, 9});
}

TEST_CASE("video: an image sequence with a gap is read to the gap, and the files after it are named") {
  dst::MediaDir d("seqgap");
  std::string pattern = d / "%02d.png";
  dst::write_ramp_clip(pattern, 6, 8, 7, Rational{25, 1});
  std::filesystem::remove(d / "03.png");
  std::ofstream(d / "5.png") << "not of the pattern";
  VideoReader r(pattern);
  CHECK(r.info().frames == 2);  // FFmpeg's image2 stops at 03
  CHECK(r.info().missing_number == 3);
  CHECK(r.info().later_files == 4);
  CHECK(r.info().later_first == 4);
  CHECK(r.info().later_last == 7);
  std::filesystem::remove(d / "04.png");  // the later files start after a longer gap
  std::filesystem::remove(d / "07.png");
  VideoReader r2(pattern);
  CHECK(r2.info().missing_number == 3);
  CHECK(r2.info().later_files == 2);
  CHECK(r2.info().later_first == 5);
  CHECK(r2.info().later_last == 6);
  std::filesystem::remove(d / "05.png");
  std::filesystem::remove(d / "06.png");
  VideoReader whole(pattern);  // no gap: nothing follows the end
  CHECK(whole.info().missing_number == 0);
  CHECK(whole.info().later_files == 0);
}

TEST_CASE("video: an image sequence numbered from any number is read from its first file") {
  // FFmpeg's image2 looks for a first file numbered 0 to 4 only: exports from 1000 were refused.
  dst::MediaDir d("seqfrom");
  dst::write_ramp_clip(d / "a/f_%04d.png", 6, 8, 4, Rational{25, 1});  // f_0001 .. f_0004
  std::filesystem::create_directories(d / "b");
  for (int k = 1; k <= 4; ++k)
    std::filesystem::rename(ds::app::sequence_frame_path(d / "a/f_%04d.png", k),
                            ds::app::sequence_frame_path(d / "b/f_%04d.png", 1000 + k));
  std::ofstream(d / "b/f_12.png") << "another width: not of the pattern";
  VideoReader r(d / "b/f_%04d.png");
  CHECK(r.info().first_number == 1001);
  CHECK(r.info().frames == 4);
  CHECK(r.info().missing_number == 0);
  ds::Tensor frame;
  int n = 0;
  while (r.read(frame)) ++n;
  CHECK(n == 4);
  CHECK(contains(error_of([&] { VideoReader none(d / "b/g_%04d.png"); }),
                 "no image of this sequence (no file named by the pattern, such as " + (d / "b/g_0001.png")));
}

TEST_CASE("video: the optical flow runs at its smallest frames, elongated ones too, and refuses smaller ones") {
  // OpenCV 4.6's DIS crashed (SIGSEGV) on 40x8 .. 308x14 ramp frames with every preset, and
  // "fast" and "ultrafast" on 80x16 .. 633x24; a crash here fails the whole test binary. The
  // wrapper pads frames under 32 px (optical_flow.h), so every preset runs on elongated ones.
  using ds::app::OpticalFlow;
  const int s = OpticalFlow::kMinShortSide;
  for (const char* preset : {"ultrafast", "fast", "medium"}) {
    OpticalFlow flow(preset);
    INFO(preset);
    for (int64_t l : {int64_t{s}, int64_t{24}, int64_t{40}, int64_t{80}, int64_t{150}, int64_t{308}, int64_t{633},
                      int64_t{1200}}) {
      CHECK(flow(dst::ramp_frame(s, l, 0, 2), dst::ramp_frame(s, l, 1, 2)).shape() == ds::Shape{1, 2, s, l});
      CHECK(flow(dst::ramp_frame(l, s, 0, 2), dst::ramp_frame(l, s, 1, 2)).shape() == ds::Shape{1, 2, l, s});
    }
    CHECK(contains(error_of([&] { flow(dst::ramp_frame(s - 1, 100, 0, 2), dst::ramp_frame(s - 1, 100, 1, 2)); }),
                   "under the 16 px"));
  }
}

TEST_CASE("video: a writer that never finishes leaves nothing behind, and refuses its audio source as output") {
  dst::MediaDir d("abandon");
  {
    VideoWriter w(d / "x.mp4", 32, 24, {});
    w.write(dst::ramp_frame(24, 32, 0, 1));
  }
  {
    VideoWriter w(d / "y%02d.png", 32, 24, {});
    w.write(dst::ramp_frame(24, 32, 0, 1));
  }
  CHECK(d.entries() == 0);
  dst::write_ramp_clip(d / "in.mp4", 24, 32, 2, Rational{25, 1});
  ds::app::VideoWriterOptions o;
  o.audio_from = d / "in.mp4";
  CHECK(contains(error_of([&] { VideoWriter w(d / "in.mp4", 32, 24, o); }), "is the audio source"));
  CHECK(contains(error_of([&] { VideoWriter w(d / "odd.mp4", 31, 24, {}); }), "even width and height"));
  CHECK(contains(error_of([&] { ds::app::check_video_output(d / "x.avi"); }), ".webm"));
  CHECK(contains(error_of([&] { ds::app::check_video_output(d / "x%03d.jpg"); }), "PNG files"));
}

TEST_CASE("video: audio is copied without re-encoding, cut to the video's length") {
  if (dst::skip_without_ffmpeg("the audio fixture")) return;
  dst::MediaDir d("audio");
  // 2 s of 32x24 video with a 440 Hz AAC track, and an audio-only file.
  REQUIRE(dst::ffmpeg("-f lavfi -i testsrc=size=32x24:rate=25:duration=2 -f lavfi -i sine=frequency=440:duration=2 "
                      "-c:v libx264 -pix_fmt yuv420p -c:a aac -b:a 64k '" + (d / "src.mp4") + "'"));
  VideoReader r(d / "src.mp4");
  CHECK(r.info().has_audio);
  CHECK(r.info().frames == 50);
  // 25 frames (1 s) taken from 0.5 s on.
  ds::app::VideoWriterOptions o;
  o.audio_from = d / "src.mp4";
  o.audio_start_s = 0.5;
  VideoWriter w(d / "out.mp4", 32, 24, o);
  for (int k = 0; k < 25; ++k) w.write(dst::ramp_frame(24, 32, k, 25));
  w.finish();
  CHECK(w.has_audio());
  CHECK(dst::ffprobe(d / "out.mp4", "a", "stream=codec_name") == "aac");
  CHECK(dst::ffprobe(d / "out.mp4", "a", "stream=bit_rate").size() > 0);
  double dur = std::atof(dst::ffprobe(d / "out.mp4", "a", "stream=duration").c_str());
  CHECK(dur == doctest::Approx(1.0).epsilon(0.05));  // AAC frames are 1024 samples (21 ms at 48 kHz)
  // WebM cannot hold AAC without re-encoding: written without audio, with a warning.
  VideoWriter wv(d / "out.webm", 32, 24, o);
  wv.write(dst::ramp_frame(24, 32, 0, 1));
  wv.finish();
  CHECK_FALSE(wv.has_audio());
  CHECK(dst::ffprobe(d / "out.webm", "a", "stream=codec_name").empty());
}

TEST_CASE("video: the display rotation is applied to the frames") {
  if (dst::skip_without_ffmpeg("a rotation")) return;
  dst::MediaDir d("rotation");
  // A bright top-left corner on a dark frame.
  ds::app::VideoWriterOptions o;
  o.crf = 0;
  {
    VideoWriter w(d / "plain.mp4", 32, 24, o);
    Tensor f = Tensor::full({1, 3, 24, 32}, 0.1f);
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 8; ++x) f.set({0, c, y, x}, 0.9f);
    w.write(f);
    w.finish();
  }
  // A display matrix (written by the mov muxer from the rotate tag); the oracle is the picture
  // the ffmpeg program shows (it applies the matrix), decoded to grey.
  REQUIRE(dst::ffmpeg("-i '" + (d / "plain.mp4") + "' -c copy -metadata:s:v:0 rotate=90 '" + (d / "rot.mp4") + "'"));
  REQUIRE(dst::ffmpeg("-i '" + (d / "rot.mp4") + "' -f rawvideo -pix_fmt gray '" + (d / "shown.gray") + "'"));
  std::vector<uint8_t> shown = ds::read_file_bytes(d / "shown.gray");
  REQUIRE(shown.size() == 24 * 32);
  VideoReader r(d / "rot.mp4");
  CHECK(r.info().rotation % 180 == 90);
  CHECK(r.info().width == 24);
  CHECK(r.info().height == 32);
  Tensor f;
  REQUIRE(r.read(f));
  int bright = 0, agree = 0;
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 24; ++x) {
      bool ours = f.at({0, 1, y, x}) > 0.5f, theirs = shown[static_cast<size_t>(y * 24 + x)] > 128;
      bright += ours;
      agree += ours == theirs;
    }
  CHECK(bright >= 48);      // the 8x8 corner, give or take the chroma edge
  CHECK(agree >= 24 * 32 - 8);
}

TEST_CASE("video: bad files are clear errors naming the file") {
  dst::MediaDir d("bad");
  dst::write_ramp_clip(d / "good.mp4", 24, 32, 6, Rational{25, 1});
  std::vector<uint8_t> bytes = ds::read_file_bytes(d / "good.mp4");
  auto write_bytes = [&](const std::string& name, size_t n) {
    std::ofstream(d / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(n));
  };
  auto read_all = [](const std::string& p) {
    VideoReader r(p);
    Tensor f;
    while (r.read(f)) {
    }
  };
  write_bytes("empty.mp4", 0);
  write_bytes("half.mp4", bytes.size() / 2);
  std::ofstream(d / "junk.mp4") << "this is not a video file at all, just text";
  for (const char* name : {"empty.mp4", "half.mp4", "junk.mp4"}) {
    std::string msg = error_of([&] { read_all(d / name); });
    CHECK_MESSAGE(contains(msg, d / name), msg);
  }
  CHECK(contains(error_of([&] { read_all(d / "missing.mp4"); }), "missing.mp4"));
  // A codec FFmpeg does not know: a Matroska file whose codec ID names none.
  dst::write_ramp_clip(d / "h264.mkv", 24, 32, 2, Rational{25, 1});
  std::vector<uint8_t> mkv = ds::read_file_bytes(d / "h264.mkv");
  const std::string id = "V_MPEG4/ISO/AVC";
  auto at = std::search(mkv.begin(), mkv.end(), id.begin(), id.end());
  REQUIRE(at != mkv.end());
  std::copy_n(std::string("V_UNKNOWN/CODEC").begin(), id.size(), at);
  std::ofstream(d / "unknown.mkv", std::ios::binary).write(reinterpret_cast<const char*>(mkv.data()),
                                                          static_cast<std::streamsize>(mkv.size()));
  std::string unknown = error_of([&] { read_all(d / "unknown.mkv"); });
  CHECK_MESSAGE(contains(unknown, "unknown.mkv: the video stream's codec is unknown"), unknown);
  // Damage in a later frame (the index at the front is intact, so the file opens): the frames
  // before it are returned, then an error naming the file and a frame after the first.
  {
    ds::app::VideoWriterOptions o;
    o.crf = 0;
    VideoWriter w(d / "noise.mp4", 32, 24, o);
    ds::Rng rng(3);
    for (int k = 0; k < 6; ++k) w.write(rng.uniform_tensor({1, 3, 24, 32}, 0, 1));
    w.finish();
  }
  std::vector<uint8_t> noise = ds::read_file_bytes(d / "noise.mp4");
  for (size_t i = noise.size() * 8 / 10; i < noise.size() * 9 / 10; ++i) noise[i] = static_cast<uint8_t>(i * 37);
  std::ofstream(d / "damaged.mp4", std::ios::binary).write(reinterpret_cast<const char*>(noise.data()),
                                                          static_cast<std::streamsize>(noise.size()));
  int64_t returned = 0;
  std::string damaged = error_of([&] {
    VideoReader r(d / "damaged.mp4");
    Tensor f;
    while (r.read(f)) ++returned;
  });
  CHECK_MESSAGE(contains(damaged, "damaged.mp4: frame "), damaged);
  CHECK(returned >= 1);
  // The pixel limit is checked from the header, before any frame is decoded.
  ds::app::VideoReaderOptions small;
  small.max_pixels = 32 * 24 - 1;
  std::string msg = error_of([&] { VideoReader r(d / "good.mp4", small); });
  CHECK(contains(msg, "good.mp4"));
  CHECK(contains(msg, "32x24"));
  if (!dst::have_ffmpeg()) return;
  REQUIRE(dst::ffmpeg("-f lavfi -i sine=duration=0.5 -c:a aac '" + (d / "sound.m4a") + "'"));
  msg = error_of([&] { VideoReader r(d / "sound.m4a"); });
  CHECK(contains(msg, "sound.m4a: no video stream"));
  CHECK(contains(msg, "audio (aac)"));
  // Zero frames: an AVI cut right after its headers (the stream is declared, no packet follows).
  REQUIRE(dst::ffmpeg("-f lavfi -i testsrc=size=32x24:rate=10:duration=0.5 -c:v mjpeg '" + (d / "full.avi") + "'"));
  std::vector<uint8_t> avi = ds::read_file_bytes(d / "full.avi");
  const std::string movi = "movi";
  auto list = std::search(avi.begin(), avi.end(), movi.begin(), movi.end());
  REQUIRE(list != avi.end());
  std::ofstream(d / "zero.avi", std::ios::binary).write(reinterpret_cast<const char*>(avi.data()), list - avi.begin() + 4);
  CHECK(contains(error_of([&] { VideoReader r(d / "zero.avi"); }), "zero.avi: the video stream has no frames"));
}

TEST_CASE("video: a variable frame rate is refused unless --fps resamples it") {
  if (dst::skip_without_ffmpeg("a variable-rate file")) return;
  dst::MediaDir d("vfr");
  // 10 frames at 10 fps, except that frames 6.. are shown 0.2 s later (a pause): frame times
  // 0, .1, .2, .3, .4, .7, .8, .9, 1.0, 1.1.
  REQUIRE(dst::ffmpeg("-f lavfi -i testsrc=size=32x24:rate=10:duration=1 -vf \"setpts='(N+2*gte(N,5))/(10*TB)'\" "
                      "-fps_mode vfr -c:v libx264 -pix_fmt yuv420p '" + (d / "vfr.mkv") + "'"));
  std::string msg = error_of([&] { VideoReader r(d / "vfr.mkv"); });
  CHECK(contains(msg, "vfr.mkv: variable frame rate: frame "));
  CHECK(contains(msg, "--fps"));
  CHECK(contains(msg, "off the grid of its mean rate, "));
  CHECK_FALSE(contains(msg, ") fps)"));  // it read "mean rate (28/3 (9.33) fps)"
  ds::app::VideoReaderOptions o;
  o.fps = {20, 1};
  VideoReader r(d / "vfr.mkv", o);
  CHECK(r.info().fps.value() == 20);
  // 1.2 s of pictures (the last one shown for 0.1 s) at 20 fps.
  CHECK(r.info().frames == 24);
  std::vector<Tensor> frames;
  Tensor f;
  while (r.read(f)) frames.push_back(f);
  REQUIRE(frames.size() == 24);
  // t = 0.40 .. 0.65 s show the picture of 0.4 s (held through the pause); 0.7 s the next one.
  for (int k = 9; k <= 13; ++k) CHECK(mean_abs_diff(frames[8], frames[static_cast<size_t>(k)]) == 0);
  CHECK(mean_abs_diff(frames[13], frames[14]) > 0.002);
  CHECK(mean_abs_diff(frames[0], frames[1]) == 0);  // 0 and 0.05 s: the same picture
  CHECK(mean_abs_diff(frames[1], frames[2]) > 0.002);
  // A 15 fps GIF stores delays of 7, 6, 7, 7, 6 ... centiseconds: a constant rate, rounded.
  REQUIRE(dst::ffmpeg("-f lavfi -i testsrc=size=32x24:rate=15:duration=4 '" + (d / "jitter.gif") + "'"));
  VideoReader g(d / "jitter.gif");
  CHECK_FALSE(g.info().variable_frame_rate);
  CHECK(g.info().fps.value() == doctest::Approx(15).epsilon(0.01));
  CHECK(g.info().frames == 60);
}

TEST_CASE("video: frame rates parse as players write them") {
  using ds::app::parse_rate;
  CHECK(parse_rate("25", "--fps").num == 25);
  CHECK(parse_rate("29.97", "--fps").num == 30000);
  CHECK(parse_rate("29.97", "--fps").den == 1001);
  CHECK(parse_rate("24000/1001", "--fps").den == 1001);
  CHECK(parse_rate("12.5", "--fps").value() == 12.5);
  for (const char* bad : {"0", "-3", "abc", "25fps", "1/0", "5000"})
    CHECK(contains(error_of([&] { parse_rate(bad, "--fps"); }), "--fps: '"));
  CHECK(ds::app::sequence_frame_path("a/%05d.png", 42) == "a/00042.png");
  CHECK(ds::app::is_image_sequence("a/f%d.png"));
  CHECK_FALSE(ds::app::is_image_sequence("a/f.png"));
}
