// Video files <-> frames, through FFmpeg's libraries (libavformat, libavcodec, libswscale,
// libavfilter; docs/architecture.md says why). Frames are [1,3,H,W] float tensors with values
// in [0,1], on the CPU, upright (the stream's display rotation applied).
//
// Reading (VideoReader): any file FFmpeg's demuxers and decoders read (MP4/H.264, MOV, MKV,
// WebM, animated GIF, ...), or an image sequence given as a printf pattern ("frames/%05d.png",
// FFmpeg's image2 demuxer: numbering starts at the first of 0..4 that exists and ends before the
// first missing number; VideoInfo says when files follow such a gap). Before any frame
// is decoded the reader walks the video stream's packets once (no decoding) to learn the
// frame count and timestamps, so it can refuse up front, naming the file:
//   - no video stream (an audio-only file), zero frames, a codec this FFmpeg cannot decode;
//   - a frame size above the pixel limit (tensor/image_io.h, max_image_pixels()), read from
//     the stream header before any frame memory exists;
//   - a variable frame rate (timestamps off the constant-rate grid by more than half a frame),
//     unless VideoReaderOptions::fps asks for resampling to a constant rate;
//   - a file truncated before the frame count its header declares.
// While decoding, a corrupt frame (decoder error, or one the decoder flags as corrupt) or a
// frame whose size differs from the header's is an error naming the file and the frame.
// Every error is a ds::Error; the last message FFmpeg logged is appended to it.
//
// Writing (VideoWriter), chosen by the output name (case-insensitive):
//   .mp4 .m4v .mov .mkv  H.264 (libx264), yuv420p (BT.709, limited range), constant quality --crf
//   .webm                VP9 (libvpx-vp9), yuv420p, constant quality --crf
//   .gif                 a 256-colour palette per video (libavfilter palettegen + paletteuse,
//                        ordered Bayer dithering, which does not crawl from frame to frame)
//   NAME%05d.png         a PNG sequence (any printf %d pattern ending in .png), by tensor/image_io.h
// Audio is copied packet by packet from another file (no re-encoding) when the container can
// hold its codec; otherwise it is left out with a warning on stderr. The video is written to
// a temporary file beside the output (ds::AtomicFile) and renamed into place by finish(); a
// writer destroyed before finish() removes it. A PNG sequence is written as hidden temporary
// files renamed at finish(), after which files of an older, longer sequence with the same
// pattern (the numbers right after the last frame, up to the first missing one) are removed, so
// two runs never mix; older_frames_removed() says how many, for the command to report.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace ds {
namespace app {

// A frame rate or time base, num/den (e.g. 30000/1001).
struct Rational {
  int num = 0, den = 1;
  double value() const { return den ? static_cast<double>(num) / den : 0.0; }
  std::string str() const;  // "30000/1001 (29.97)" or "25"
};
// "25", "29.97", "30000/1001" -> Rational; ds::Error naming `what` when not a positive rate <= 1000.
Rational parse_rate(const std::string& text, const std::string& what);

// True when `path` is an image-sequence pattern: it holds a printf %d conversion ("%d", "%05d").
bool is_image_sequence(const std::string& path);
// The file of frame `number` of a sequence pattern ("f/%03d.png", 7 -> "f/007.png").
std::string sequence_frame_path(const std::string& pattern, int64_t number);
// The numbers of the files that exist under a sequence pattern, ascending: the names in its
// folder that sequence_frame_path gives back exactly ("f/%03d.png": 007.png is 7; 7.png and
// 0007.png are not of it). Empty when the folder is missing or the %d is in a folder name.
std::vector<int64_t> sequence_numbers(const std::string& pattern);

struct VideoInfo {
  std::string path, codec;  // codec: FFmpeg's decoder name ("h264", "png", ...)
  int width = 0, height = 0;  // the frames as returned: after the display rotation
  int rotation = 0;           // degrees clockwise applied to the coded frames: 0, 90, 180, 270
  Rational fps;               // the constant rate of the returned frames
  bool variable_frame_rate = false;  // the file's timestamps are not on a constant-rate grid
  int64_t frames = 0;         // frames that will be returned (from the packet walk)
  double duration_s = 0;      // frames / fps
  double start_s = 0;         // timestamp of the first frame in the file (for audio alignment)
  bool has_audio = false;     // an audio stream is present (copied by VideoWriterOptions::audio_from)
  int64_t first_number = 0;   // image sequences: the number of the first frame file
  // Image sequences: FFmpeg's image2 stops at the first missing number, so files numbered after
  // a gap are not read. missing_number is that first missing number when later files exist
  // (0 otherwise), later_files how many there are, from later_first to later_last.
  int64_t missing_number = 0, later_files = 0, later_first = 0, later_last = 0;
};

struct VideoReaderOptions {
  int64_t max_pixels = 0;  // refuse larger frames; 0 = max_image_pixels()
  // > 0: return frames on a constant grid of this rate (each output time takes the input frame
  // shown then: frames are repeated or dropped), which also accepts a variable-rate file.
  Rational fps;
  // The frame rate of an image sequence (it has no timestamps); default 25.
  Rational sequence_fps{25, 1};
};

class VideoReader {
 public:
  // Opens the file and walks its packets (see above). Errors: ds::Error naming the file.
  explicit VideoReader(const std::string& path, const VideoReaderOptions& o = {});
  ~VideoReader();
  VideoReader(const VideoReader&) = delete;
  VideoReader& operator=(const VideoReader&) = delete;

  const VideoInfo& info() const;
  // The next frame, [1,3,H,W] in [0,1]; false after the last one. Errors: ds::Error naming the
  // file and the frame number (1-based).
  bool read(Tensor& rgb);
  int64_t frames_read() const;  // returned so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct VideoWriterOptions {
  Rational fps{25, 1};
  int crf = 18;  // H.264 0..51, VP9 0..63 (lower is better); not used for GIF and PNG
  // Copy the first audio stream of this file (not re-encoded), from audio_start_s (the
  // timestamp of the first written frame in that file) for the written video's duration.
  std::string audio_from;
  double audio_start_s = 0;
};

// What a name asks the writer for: "H.264 (MP4)", "VP9 (WebM)", "GIF", "PNG sequence". Throws a
// ds::Error listing the accepted names for anything else; commands call it before any work.
std::string check_video_output(const std::string& path);

class VideoWriter {
 public:
  // width x height frames (H.264 and VP9 need both even: ds::Error otherwise). Nothing is
  // written at `path` before finish(). Errors: an unsupported name, an audio source that
  // cannot be read or is the output itself, an encoder this FFmpeg lacks.
  VideoWriter(const std::string& path, int width, int height, const VideoWriterOptions& o);
  ~VideoWriter();  // removes the temporary files unless finish() completed
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  // One frame [1,3,height,width] in [0,1] (clamped; NaN is an error), on any device.
  void write(const Tensor& rgb);
  // Flushes the encoder, copies the rest of the audio and renames the file into place.
  void finish();
  int64_t frames_written() const;
  // A PNG sequence: how many frames of an earlier, longer sequence finish() removed (numbered
  // frames_written() + 1 on, contiguous).
  int64_t older_frames_removed() const;
  bool has_audio() const;  // audio is being copied

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace app
}  // namespace ds
