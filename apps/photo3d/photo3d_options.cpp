#include "apps/photo3d/photo3d_options.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "apps/photo3d/camera_path.h"
#include "apps/photo3d/photo3d_outputs.h"
#include "apps/photo3d/stereo.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

void declare_3d_options(Args& a) {
  a.option("--depth", "FILE", "measured depth of CONTENT: 16-bit PNG (mm), Kinect PGM, NYU .mat, HDF5 (metres); "
                              "else estimated (FastDepth, or --monodepth2)");
  a.option("--frame", "N", "frame of an NYU .mat file", "0");
  a.option("--depth-dataset", "NAME", "dataset of a float HDF5 depth file", "depth");
  a.option("-o", "FILE", "an output, by its name (repeat for several): X.png/.jpg a view at --view (or a --stereo "
                         "picture), X%04d.png the path's frames, X.mp4/.webm/.gif a parallax video, X.glb a mesh "
                         "with X.html (viewer) beside it, X.ply a point cloud");
  a.option("--stylized", "IMAGE", "an existing stylised result of CONTENT to turn into 3D (no stylisation; its size "
                                  "is the working size)");
  a.option("--fov", "DEG", "field of view across the long side, 1 to 179 degrees (default: the NYU Kinect's "
                           "intrinsics for NYU depth files, .mat and Kinect .pgm; else 53.13, Shih et al.'s f = max(W, H))");
  a.option("--camera", "PATH", "the video's camera path: swing | circle | zoom | dolly-zoom | ken-burns", "swing");
  a.option("--frames", "N", "frames of the camera path", "90");
  a.option("--fps", "F", "frames per second of the video", "30");
  a.option("--amplitude", "M", "sideways extent of the camera path in metres (forward: 2.5x)",
           "3% of the median depth");
  a.option("--view", "TX,TY,TZ,YAW,PITCH", "the camera of .png outputs: metres and degrees in the photo's camera "
                                           "frame (x right, y down, z forward; yaw > 0 right, pitch > 0 up); a value starting with - "
                                           "is given as --view=-0.1,0,0,0,0",
           "0,0,0,0,0");
  a.option("--stereo", "MODE", "make .png outputs stereo pictures at --view: sbs (side by side) | anaglyph (red-cyan)");
  a.option("--baseline", "M", "distance between the stereo eyes, metres", "0.065");
  a.option("--fill", "HOW", "the background layer behind depth edges: naive (depth-aware colour diffusion) | "
                            "stylized (naive, then repainted by a masked optimisation with the style)",
           "stylized with --style, else naive");
  a.option("--fill-iters", "N", "iterations of the stylised fill", "150");
  a.option("--fill-continuity", "W", "weight of the stylised fill's continuity term: its colours, blurred over 4x4 "
                                     "pixels, stay those of the naive fill (which continues the visible ones)",
           "1000");
  a.option("--edge-threshold", "T", "normalised-disparity step that cuts the mesh (Shih et al.: 0.04)", "0.04");
  a.option("--band", "PX", "thickness of the background layer behind each depth edge, pixels",
           "what the camera moves need, 3..20% of the long side");
  a.flag("--no-viewer", "write a .glb without its .html viewer page");
  a.option("--holes", "HOW", "pixels of a rendered view that no surface covers (the frame beyond the photo): fill "
                             "(from the covered pixels around them) | black (as the viewer shows them)",
           "fill");
  a.option("--report-consistency", "PAIRS", "print Mu et al.'s view-consistency RMSE over PAIRS random pairs of the "
                                            "camera path's frames (for the naive fill too, with --fill stylized)");
  a.option("--consistency-frames", "PATTERN", "with --report-consistency: also score these pictures of the camera "
                                              "path's views, frame%04d.png numbered from 1 (e.g. each rendered frame "
                                              "stylised on its own: the 2D way), with this 3D photo's geometry");
}

Photo3dOptions photo3d_options(const Args& a) {
  Photo3dOptions o;
  o.outputs = a.all("-o");
  if (o.outputs.empty()) throw UsageError("-o is required (see --help): name at least one output");
  o.stylized = a.str("--stylized");
  o.has_styles = a.has("--style");
  if (a.has("--fov")) o.fov = a.number("--fov", kMinFovDeg, kMaxFovDeg);
  o.camera = a.str("--camera");
  option_text([&] { check_camera_path(o.camera); });
  o.frames = a.integer("--frames", 1, 10000);
  o.fps = a.number("--fps", 0.1, 240);
  if (a.has("--amplitude")) o.amplitude = a.number("--amplitude", 1e-6, 1e4);
  o.view = option_text([&] { return parse_view(a.str("--view")); });
  if (a.has("--stereo")) {
    o.stereo = a.str("--stereo");
    option_text([&] { check_stereo_mode(o.stereo); });
  }
  o.baseline = a.number("--baseline", 1e-6, 1e3);
  o.fill = a.has("--fill") ? a.str("--fill") : (o.has_styles ? "stylized" : "naive");
  if (o.fill != "naive" && o.fill != "stylized") throw UsageError("--fill '" + o.fill + "': expected naive or stylized");
  if (o.fill == "stylized" && !o.has_styles)
    throw UsageError("--fill stylized needs the style: give --style (with --stylized R.png, the style R was made with)");
  o.fill_iters = a.integer("--fill-iters", 1, 100000);
  o.fill_continuity = a.number("--fill-continuity", 0, 1e12);
  o.depth = a.has("--depth") ? a.str("--depth") : "";
  o.depth_file.frame = a.integer("--frame", 0, 1000000);
  o.depth_file.dataset = a.str("--depth-dataset");
  o.edge_threshold = a.number("--edge-threshold", 1e-4, 1);
  if (a.has("--band")) o.band = a.integer("--band", 0, kMax3dSide);
  o.viewer = !a.has("--no-viewer");
  const std::string holes = a.str("--holes");
  if (holes != "fill" && holes != "black") throw UsageError("--holes '" + holes + "': expected fill or black");
  o.fill_holes = holes == "fill";
  if (a.has("--report-consistency")) {
    o.consistency_pairs = a.integer("--report-consistency", 1, 100000);
    if (o.frames < 2) throw UsageError("--report-consistency compares pairs of the camera path's frames: give --frames 2 or more");
  }
  if (a.has("--consistency-frames")) {
    if (!o.consistency_pairs) throw UsageError("--consistency-frames goes with --report-consistency PAIRS");
    o.consistency_frames = a.str("--consistency-frames");
    option_text([&] { return pattern_frame_path(o.consistency_frames, 1); });  // a pattern, or its error now
  }
  return o;
}

bool Photo3dOptions::writes(std::initializer_list<Output3d> kinds) const {
  return std::any_of(outputs.begin(), outputs.end(), [&](const std::string& p) {
    return std::find(kinds.begin(), kinds.end(), output_kind(p, !stereo.empty())) != kinds.end();
  });
}

namespace {

// Stylize's options that 3d reads only for the stylisation of CONTENT (the stylised fill runs one
// scale at the working size for --fill-iters from the picture itself), and those that the
// stylised fill reads too (the style, the loss and the optimiser).
const char* const kStylisationOnly[] = {"--iters", "--init", "--seed", "--scales", "--multires"};
const char* const kStylisationOrFill[] = {
    "--style-mask", "--content-mask", "--net", "--weights", "--pooling", "--content-layers", "--content-layer",
    "--content-layer-weights", "--style-layers", "--style-layer-weights", "--content-weight", "--style-total-weight",
    "--style-weight", "--tv-weight", "--depth-weight", "--depth-layers", "--depth-layer-weights", "--optimizer", "--lr",
    "--lr-decay", "--lr-step", "--style-size", "--style-scale", "--original-colors", "--normalize-gradients"};

void warn_unused_stylize_options(const Args& a, const Photo3dOptions& o) {
  const bool fill = o.fill == "stylized";
  if (o.stylise()) return;  // the stylisation reads them all
  const std::string why = !o.stylized.empty() ? "with --stylized there is no stylisation"
                                              : "there is no stylisation without --style";
  auto warn = [](const std::string& option, const std::string& text) {
    std::fprintf(stderr, "warning: %s is not used: %s\n", option.c_str(), text.c_str());
  };
  if (!o.stylized.empty() && a.has("--size")) {
    auto [h, w] = image_size(o.stylized);
    warn("--size", "with --stylized the working size is " + o.stylized + "'s (" + std::to_string(w) + "x" +
                       std::to_string(h) + ")");
  }
  if (a.has("--style") && !fill) warn("--style", why + " and --fill is naive");
  for (const char* name : kStylisationOnly)
    if (a.declared(name) && a.has(name))
      warn(name, why + (fill ? " (the stylised fill takes --fill-iters and starts from the picture)" : ""));
  if (!fill)
    for (const char* name : kStylisationOrFill)
      if (a.declared(name) && a.has(name)) warn(name, why + " and no stylised fill (--fill stylized)");
}

}  // namespace

void warn_unused_3d_options(const Args& a, const Photo3dOptions& o) {
  using K = Output3d;
  const bool views = o.writes({K::View, K::Stereo});
  const bool path = o.writes({K::Frames, K::Video}) || o.consistency_pairs > 0;
  struct Use {
    const char* option;
    bool used;
    const char* applies_to;
  };
  const char* const view_outputs = ".png/.jpg views";
  const char* const path_outputs = "the camera path: frames (X%04d.png), videos and --report-consistency";
  for (const Use& u : {Use{"--stereo", views, view_outputs}, Use{"--baseline", views, view_outputs},
                       Use{"--view", views, view_outputs}, Use{"--camera", path, path_outputs},
                       Use{"--amplitude", path, path_outputs}, Use{"--frames", path, path_outputs},
                       Use{"--fps", o.writes({K::Video}), "videos (.mp4/.webm/.gif)"},
                       Use{"--holes", views || path, "rendered pictures: views, frames, videos"},
                       Use{"--no-viewer", o.writes({K::Glb}), ".glb outputs"},
                       Use{"--fill-iters", o.fill == "stylized", "--fill stylized"},
                       Use{"--fill-continuity", o.fill == "stylized", "--fill stylized"}})
    if (a.has(u.option) && !u.used)
      std::fprintf(stderr, "warning: %s is not used: it applies to %s\n", u.option, u.applies_to);
  warn_unused_stylize_options(a, o);
}

}  // namespace app
}  // namespace ds
