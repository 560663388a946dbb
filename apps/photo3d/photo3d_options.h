// The options of `depthstyle 3d` that are its own (the stylisation's are stylize's, declared with
// StylizeUse::PerFrame: apps/stylize/stylize_options.h), declared once and read once into typed values.
#pragma once
#include <initializer_list>
#include <string>
#include <vector>

#include "apps/common/args.h"
#include "apps/photo3d/camera.h"
#include "apps/photo3d/photo3d_outputs.h"
#include "weights/depth_io.h"

namespace ds {
namespace app {

constexpr int kMax3dSide = 4096;  // the largest working long side of a 3D photo (px)
// The largest photo (W * H) whose .glb is also written into an HTML viewer page: its mesh is
// about 50 bytes per pixel, so a 2048 x 2048 photo makes a ~200 MB .glb and a ~270 MB page
// (base64), about what a browser tab still opens.
constexpr long long kMaxViewerPixels = 2048LL * 2048;

// What the notes on large outputs estimate (cmd_3d): a .glb holds about 2 triangles and 50 bytes
// per pixel (positions, texture coordinates, indices and textures: measured 48.7 on a 3000x2250
// photo), a .ply 15 bytes per point (3 floats, 3 bytes). Above 100 MB a file is said to be large:
// 4x what the default --size makes at 1024 px, a file that is slow to share and to open in a viewer.
constexpr double kGlbBytesPerPixel = 50, kPlyBytesPerPoint = 15, kLargeOutputBytes = 100e6;

struct Photo3dOptions {
  std::vector<std::string> outputs;  // every -o, in order
  std::string stylized;              // --stylized: an existing result instead of stylising
  double fov = 0;                    // --fov degrees across the long side; 0: NYU intrinsics or the default
  std::string camera = "swing";      // --camera
  int frames = 90;
  double fps = 30;
  double amplitude = 0;              // metres; 0: 3% of the scene's median depth
  Pose view;                         // --view
  std::string stereo;                // "", sbs or anaglyph
  double baseline = 0.065;           // metres
  std::string fill;                  // naive | stylized (default: stylized when styles are given)
  int fill_iters = 150;
  double fill_continuity = 1000;     // --fill-continuity
  std::string depth;                 // --depth ("": estimated, or the NYU .mat content itself)
  DepthOptions depth_file;           // --frame, --depth-dataset
  double edge_threshold = 0.04;      // normalised disparity
  int band = 0;                      // px; 0: from the views
  bool viewer = true;                // the .html beside a .glb
  bool fill_holes = true;            // --holes fill (else black, as the viewer shows them)
  int consistency_pairs = 0;         // --report-consistency N (0: not reported)
  std::string consistency_frames;    // --consistency-frames PATTERN: also report these pictures of the path
  bool stylise() const { return stylized.empty() && has_styles; }
  bool has_styles = false;           // --style given
  // True when some -o is of one of these kinds (output_kind, with --stereo as given).
  bool writes(std::initializer_list<Output3d> kinds) const;
};

// The default field of view across the long side when neither --fov nor NYU intrinsics apply:
// 2 atan(1/2) = 53.13 degrees, the focal length of the long side that Shih et al.'s 3D photo
// code assumes for a photo of unknown camera (f = max(H, W)).
constexpr double kDefaultFovDeg = 53.130102354155978;

// Declares the 3d options on `a` (besides stylize's, which the command declares first).
void declare_3d_options(Args& a);

// Reads and checks them (ds::Error naming the option).
Photo3dOptions photo3d_options(const Args& a);

// Prints "warning: --X is not used: it applies to ..." (stderr) for each option given that no
// requested output uses, as `video --depth` does: an option silently ignored looks like one
// that worked (--stereo with only a video, --camera with only a view). Stylize's options too
// when no stylisation runs (--stylized, or no --style) and the stylised fill does not use them:
// "--size is not used: with --stylized the working size is R.png's (128x96)" (read from its
// header), --iters (the fill takes --fill-iters), the loss and optimiser options without a fill.
void warn_unused_3d_options(const Args& a, const Photo3dOptions& o);

}  // namespace app
}  // namespace ds
