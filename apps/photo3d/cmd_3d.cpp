// depthstyle 3d: a stylised 3D photo (docs/3d.md). Stylises CONTENT as `stylize` does (or takes
// --stylized R.png), builds a two-layer layered depth image from the depth (measured or
// estimated), cuts its mesh at depth edges, fills and stylises the background behind them, and
// writes what each -o names: views, stereo pictures, a parallax video or frames, a .glb with its
// HTML viewer, a .ply point cloud.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "apps/common/outputs.h"
#include "apps/depthstyle/commands.h"
#include "apps/photo3d/consistency.h"
#include "apps/photo3d/fill_stylize.h"
#include "apps/photo3d/photo3d_interrupt.h"
#include "apps/photo3d/photo3d_inputs.h"
#include "apps/photo3d/photo3d_options.h"
#include "apps/photo3d/photo3d_outputs.h"
#include "apps/photo3d/photo3d_views.h"
#include "apps/photo3d/photo3d_write.h"
#include "apps/photo3d/viewer_page.h"
#include "apps/stylize/engine.h"
#include "apps/stylize/iteration_log.h"
#include "tensor/file_util.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

namespace {

const char* const kAbout =
    "Turns a stylised photo into a 3D photo (Shih et al. 2020; Mu et al. 2022): the depth (--depth, measured:\n"
    "16-bit PNG mm, Kinect PGM, NYU .mat, HDF5 metres; else estimated by FastDepth or --monodepth2) makes a\n"
    "mesh that is cut at depth edges (no rubber sheets); behind each edge a background layer is filled from\n"
    "the far side only and, with --fill stylized (the default with --style), repainted in the style by a\n"
    "masked optimisation. CONTENT is stylised as `stylize` does (its options below), and the result written\n"
    "as <folder of the first -o>/<content>_stylized.png with its _losses.csv; or --stylized R.png is used as\n"
    "it is; without --style or --stylized the 3D photo shows the content itself. The working size is the\n"
    "result's (--size; at most 4096 px). Camera: --fov, else the NYU Kinect's intrinsics for NYU depth files,\n"
    "else 53.13 degrees across the long side.\n"
    "Each -o names an output by its extension (see -o). Nothing is written over an input, and every output\n"
    "is planned before any work. Bad input is refused with a clear error: image and depth of different aspect\n"
    "ratios, a depth map without valid pixels, a camera inside the scene, images above the size limit.";

std::string stylized_result_path(const std::string& content, const std::string& first_output) {
  std::filesystem::path folder = std::filesystem::path(first_output).parent_path();
  return (folder / (std::filesystem::path(content).stem().string() + "_stylized.png")).string();
}

std::string base_of(const std::string& path) { return std::filesystem::path(path).replace_extension().string(); }

// The stylisation of the content (the 2D result), written with its loss log; a run that
// diverged writes its best iterate and stops the command, as stylize does. An interrupt after
// the result is written names it for reuse (docs/3d.md: it is kept).
Tensor stylise(const StylizeEngine& engine, const Content& c, const std::string& content, const std::string& out,
               InterruptNote& note) {
  const StylizeOptions& so = engine.options();
  note.at("before the first iteration of the stylisation");
  IterationLog log(base_of(out), so.sizes, 0, 0, so.device);
  log.say_on_interrupt("the stylisation");
  StylizeRequest r;
  r.content = c.image;
  r.depth = c.depth;
  r.name = "content image " + content;
  r.observer = &log;
  StylizeResult res = engine.stylize(r);
  note.at("while writing " + out + " and its loss log");
  save_image(out, res.image);
  log.save();
  note.complete(out + " and " + base_of(out) + "_losses.csv",
                "rerun with --stylized " + out + " to skip the stylisation");
  std::printf("wrote %s and %s_losses.csv (loss %.4g -> %.4g)\n", out.c_str(), base_of(out).c_str(), res.first.total,
              res.last.total);
  if (!res.stopped.empty())
    throw Error("the stylisation stopped: " + res.stopped + "; its best iterate is in " + out +
                " (try a smaller --lr, or reuse it with --stylized)");
  return res.image;
}

// Notes before any work on what the working size makes of the photo: an upsampled photo (a
// 256x192 photo at --size 3000 is 11.7x larger with no more detail), and .glb/.ply files whose
// size would pass kLargeOutputBytes.
void note_sizes(const Photo3dOptions& o, const PhotoInput& in, const Content& c, int long_side) {
  const long long w = in.K.width, h = in.K.height;
  if (o.stylized.empty() && (w > c.image.W() || h > c.image.H()))
    std::printf("note: upsampling %lldx%lld to %lldx%lld (--size %d)\n", static_cast<long long>(c.image.W()),
                static_cast<long long>(c.image.H()), w, h, long_side);
  for (const std::string& p : o.outputs) {
    const Output3d kind = output_kind(p, !o.stereo.empty());
    if (kind != Output3d::Glb && kind != Output3d::Ply) continue;
    const bool glb = kind == Output3d::Glb;
    const double bytes = static_cast<double>(w * h) * (glb ? kGlbBytesPerPixel : kPlyBytesPerPoint);
    if (bytes <= kLargeOutputBytes) continue;
    std::printf("note: %s will hold about %.1f million %s (about %.0f MB) for %lldx%lld pixels; a smaller --size "
                "makes a smaller file\n",
                p.c_str(), static_cast<double>(w * h) * (glb ? 2 : 1) / 1e6, glb ? "triangles" : "points", bytes / 1e6,
                w, h);
  }
  std::fflush(stdout);
}

// More --report-consistency pairs than the camera path has distinct ones measure the same pairs
// again (write_3d_outputs measures each once instead): said before any work.
void note_consistency_pairs(const Photo3dOptions& o, const Photo3dViews& views) {
  const size_t n = views.path.size();
  if (o.consistency_pairs == 0 || n < 2) return;
  const size_t distinct = distinct_view_pairs(views.path).size(), all = n * (n - 1) / 2;
  if (static_cast<size_t>(o.consistency_pairs) <= distinct) return;
  std::printf("note: --report-consistency %d is capped at %zu: the %zu frames of --camera %s make %zu pair%s%s; each "
              "is measured once\n",
              o.consistency_pairs, distinct, n, o.camera.c_str(), all, all == 1 ? "" : "s",
              distinct == all ? ""
                              : (", " + std::to_string(distinct) + " of them between different cameras (the path "
                                 "repeats a pose)").c_str());
  std::fflush(stdout);
}

}  // namespace

int cmd_3d(int argc, char** argv) {
  Args a("depthstyle 3d [options] CONTENT [--style STYLE ...] -o OUT [-o OUT2 ...]", kAbout);
  declare_stylize_options(a, StylizeUse::PerFrame);
  declare_3d_options(a);
  if (!a.parse(argc, argv, 1, 1, "one CONTENT image")) return 0;
  InterruptNote note;  // Ctrl-C says where the run was and which of its files are complete
  Photo3dOptions o = photo3d_options(a);
  const std::string content = a.positional()[0];
  if (std::filesystem::is_directory(content)) throw Error(content + ": 3d takes one CONTENT image, not a folder");
  if (o.depth.empty() && lower_extension(content) == ".mat") o.depth = content;  // NYU: the file holds both
  std::optional<StylizeOptions> so;
  if (o.has_styles) so = parse_stylize_options(a, StylizeUse::PerFrame);
  const std::string stylized_out = o.stylise() ? stylized_result_path(content, o.outputs[0]) : "";

  // Every file read and written, before any work.
  OutputPlan plan;
  plan.input("content image", content);
  plan.input("--depth file", o.depth);
  plan.input("--stylized image", o.stylized);
  if (so) {
    for (const StyleInput& s : so->styles) plan.input("--style image", s.path);
    if (so->init == InitKind::Image) plan.input("--init image", so->init_image);
    plan.input("feature network weights", so->loss.feature_net_file());
  }
  if (!stylized_out.empty()) {
    plan.output("the stylised photo", stylized_out);
    plan.output("its loss log", base_of(stylized_out) + "_losses.csv");
  }
  for (const std::string& f : planned_3d_files(o)) plan.output("-o output", f);
  if (o.viewer && has_glb_output(o)) plan.input("viewer bundle", viewer_bundle_path());
  if (!o.consistency_frames.empty())
    for (const std::string& f : pattern_frame_paths(o.consistency_frames, o.frames)) {
      if (!std::filesystem::is_regular_file(f))
        throw Error(f + ": missing (--consistency-frames needs one picture per frame, --frames " +
                    std::to_string(o.frames) + ")");
      plan.input("--consistency-frames picture", f);
    }
  if (o.depth.empty()) plan.input("depth network weights", depth_net_file(a.str("--monodepth2")));
  plan.check();
  warn_unused_3d_options(a, o);

  // The content, its depth and the cameras at the working size, checked before any stylisation.
  Content c = load_content(content, o.depth, o.depth_file);
  const Device dev = a.device();
  std::unique_ptr<StylizeEngine> engine;
  if (o.stylise()) engine = std::make_unique<StylizeEngine>(*so, o.depth.empty(), std::vector<ImageSize>{
                                {"content image " + content, c.image.H(), c.image.W()}});
  std::unique_ptr<DepthEstimator> own_depth_net;
  const DepthEstimator* depth_net = engine ? engine->depth_net() : nullptr;
  if (o.depth.empty() && !depth_net) depth_net = (own_depth_net = load_depth_net(a.str("--monodepth2"), dev)).get();
  PhotoInputSpec spec;
  spec.depth_path = o.depth, spec.image = o.stylized, spec.fov = o.fov;
  spec.long_side = (so ? so->sizes : size_plan_from(a)).steps.back().long_side;
  PhotoInput in = load_photo_input(spec, c, depth_net, dev);
  // --consistency-frames pictures of the frames' size, from their headers, before any output.
  if (!o.consistency_frames.empty())
    for (const std::string& f : pattern_frame_paths(o.consistency_frames, o.frames)) {
      auto [fh, fw] = image_size(f);
      check_consistency_frame_size(f, fw, fh, in.K,
                                   o.stylized.empty() ? "--size " + std::to_string(spec.long_side)
                                                      : "the size of --stylized " + o.stylized);
    }
  note_sizes(o, in, c, spec.long_side);
  if (o.viewer && has_glb_output(o) && static_cast<long long>(in.K.width) * in.K.height > kMaxViewerPixels)
    throw Error("the viewer page of a " + std::to_string(in.K.width) + "x" + std::to_string(in.K.height) +
                " 3D photo would hold a mesh of about " +
                std::to_string(50LL * in.K.width * in.K.height / 1000000) + " MB, more than a browser tab opens: "
                "give a smaller --size (at most 2048x2048 pixels), or --no-viewer for the .glb alone");
  const Photo3dViews views = plan_views(o, in.K, in.depth, needs_camera_path(o));
  check_views_see_photo(views, in.image, in.depth, in.K, o.edge_threshold);
  note_consistency_pairs(o, views);
  std::printf("3d: %s %dx%d, %s, depth %.3g .. %.3g m (median %.3g m)\n", content.c_str(), in.K.width, in.K.height,
              in.camera_source.c_str(), *std::min_element(in.depth.z.begin(), in.depth.z.end()),
              *std::max_element(in.depth.z.begin(), in.depth.z.end()), median_depth(in.depth));
  std::fflush(stdout);
  if (engine) {
    in.image = stylise(*engine, c, content, stylized_out, note);
    if (in.image.H() != in.K.height || in.image.W() != in.K.width)
      throw Error(stylized_out + ": the stylised result is not of the working size");
  }

  LdiOptions lo;
  lo.edge_threshold = o.edge_threshold;
  lo.band = o.band > 0 ? o.band : auto_band(views.all(), in.K, in.depth, has_glb_output(o));
  Photo3dResult r;
  note.at("while building the layered depth image");
  r.ldi = build_ldi(in.image, in.depth, in.K, lo);
  std::printf("3d: layered depth image: %lld background samples behind depth edges (band %d px, edge threshold %g)\n",
              static_cast<long long>(r.ldi.back.count()), lo.band, lo.edge_threshold);
  std::fflush(stdout);  // before the stages' progress on stderr and any interrupt note
  std::unique_ptr<LayeredDepthImage> naive;
  if (o.fill == "stylized" && r.ldi.back.count() > 0) {
    naive = std::make_unique<LayeredDepthImage>(r.ldi);
    r.ldi = stylize_fill(r.ldi, *so, FillStylizeOptions{o.fill_iters, o.fill_continuity},
                         [&](const std::string& where) { note.at(where); });
  }
  note.at("while building the mesh");
  r.mesh = build_mesh(r.ldi);
  r.title = std::filesystem::path(content).stem().string();
  r.orbit_target = {0, 0, median_depth(in.depth)};
  write_3d_outputs(o, views, r, naive.get(), note);
  return 0;
}

}  // namespace app
}  // namespace ds
