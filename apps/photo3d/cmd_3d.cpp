// depthstyle 3d: a stylised 3D photo (docs/3d.md). Stylises CONTENT as `stylize` does (or takes
// --stylized R.png), builds a two-layer layered depth image from the depth (measured or
// estimated), cuts its mesh at depth edges, fills and stylises the background behind them, and
// writes what each -o names: views, stereo pictures, a parallax video or frames, a .glb with its
// HTML viewer, a .ply point cloud.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "apps/depthstyle/commands.h"
#include "apps/photo3d/fill_stylize.h"
#include "apps/photo3d/photo3d_inputs.h"
#include "apps/photo3d/photo3d_options.h"
#include "apps/photo3d/photo3d_outputs.h"
#include "apps/photo3d/photo3d_views.h"
#include "apps/photo3d/photo3d_write.h"
#include "apps/photo3d/viewer_page.h"
#include "apps/stylize/stylize_job.h"
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
    "masked optimisation. CONTENT is stylised as `stylize` does (its options below; the result is written as\n"
    "<folder of the first -o>/<content>_stylized.png with its logs), or --stylized R.png is used as it is;\n"
    "without --style or --stylized the 3D photo shows the content itself. The working size is the result's\n"
    "(--size; at most 4096 px). Camera: --fov, else the NYU Kinect's intrinsics for NYU depth files, else\n"
    "53.13 degrees across the long side.\n"
    "Each -o names an output by its extension (see -o). Nothing is written over an input, and every output\n"
    "is planned before any work. Bad input is refused with a clear error: image and depth of different aspect\n"
    "ratios, a depth map without valid pixels, a camera inside the scene, images above the size limit.";

std::string stylized_result_path(const std::string& content, const std::string& first_output) {
  std::filesystem::path folder = std::filesystem::path(first_output).parent_path();
  return (folder / (std::filesystem::path(content).stem().string() + "_stylized.png")).string();
}

}  // namespace

int cmd_3d(int argc, char** argv) {
  Args a("depthstyle 3d [options] CONTENT [--style STYLE ...] -o OUT [-o OUT2 ...]", kAbout);
  declare_stylize_options(a, /*with_output=*/false);
  declare_3d_options(a);
  if (!a.parse(argc, argv, 1, 1, "one CONTENT image")) return 0;
  const Photo3dOptions o = photo3d_options(a);
  const std::string content = a.positional()[0];
  if (std::filesystem::is_directory(content)) throw Error(content + ": 3d takes one CONTENT image, not a folder");
  const std::string depth = a.has("--depth") ? a.str("--depth") : (lower_extension(content) == ".mat" ? content : "");
  const bool stylise = o.stylise();
  std::unique_ptr<StylizeCommand> sc;
  std::vector<StylizeJob> jobs;
  OutputPlan plan;
  if (stylise) {
    sc = std::make_unique<StylizeCommand>(a);
    jobs.push_back({content, depth, stylized_result_path(content, o.outputs[0]), ""});
    sc->plan(plan, jobs);
  } else {
    plan.input("content image", content);
    plan.input("--depth file", depth);
    plan.input("--stylized image", o.stylized);
    for (const std::string& s : a.all("--style")) plan.input("--style image", s);
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
  if (depth.empty()) plan.input("depth network weights", depth_net_file(a.str("--monodepth2")));
  if (o.fill == "stylized") plan_fill_networks(plan, a);
  plan.check();
  if (stylise) {
    sc->check_images(jobs, false);
    sc->plan_networks(plan, jobs);
    plan.check();
  }

  // The content and depth at the working size first, so the cameras are checked before any
  // stylisation.
  const Device dev = a.device();
  std::unique_ptr<DepthEstimator> depth_net;
  if (depth.empty()) depth_net = load_depth_net(a.str("--monodepth2"), dev);
  PhotoInputSpec spec;
  spec.content = content, spec.depth = depth, spec.image = o.stylized, spec.fov = o.fov;
  spec.depth_options.frame = a.integer("--frame", 0, 1000000);
  spec.depth_options.dataset = a.str("--depth-dataset");
  spec.long_side = scale_schedule(a, 16, kMax3dSide).back().long_side;
  PhotoInput in = load_photo_input(spec, depth_net.get(), dev);
  if (o.viewer && has_glb_output(o) && static_cast<long long>(in.K.width) * in.K.height > kMaxViewerPixels)
    throw Error("the viewer page of a " + std::to_string(in.K.width) + "x" + std::to_string(in.K.height) +
                " 3D photo would hold a mesh of about " +
                std::to_string(50LL * in.K.width * in.K.height / 1000000) + " MB, more than a browser tab opens: "
                "give a smaller --size (at most 2048x2048 pixels), or --no-viewer for the .glb alone");
  const Photo3dViews views = plan_views(o, in.K, in.depth, needs_camera_path(o));
  std::printf("3d: %s %dx%d, %s, depth %.2f .. %.2f m (median %.2f m)\n", content.c_str(), in.K.width, in.K.height,
              in.camera_source.c_str(), *std::min_element(in.depth.z.begin(), in.depth.z.end()),
              *std::max_element(in.depth.z.begin(), in.depth.z.end()), median_depth(in.depth));
  if (stylise) {
    sc->load(jobs);
    sc->run(jobs[0]);
    in.image = load_image_rgb(jobs[0].out);
    if (in.image.H() != in.K.height || in.image.W() != in.K.width)
      throw Error(jobs[0].out + ": the stylised result is not of the working size");
  }

  LdiOptions lo;
  lo.edge_threshold = o.edge_threshold;
  lo.band = o.band > 0 ? o.band : auto_band(views.all(), in.K, in.depth, has_glb_output(o));
  Photo3dResult r;
  r.ldi = build_ldi(in.image, in.depth, in.K, lo);
  std::printf("3d: layered depth image: %lld background samples behind depth edges (band %d px, edge threshold %g)\n",
              static_cast<long long>(r.ldi.back.count()), lo.band, lo.edge_threshold);
  std::unique_ptr<LayeredDepthImage> naive;
  if (o.fill == "stylized") {
    naive = std::make_unique<LayeredDepthImage>(r.ldi);
    r.ldi = stylize_fill(r.ldi, in.content, a, o.fill_iters, dev);
  }
  r.mesh = build_mesh(r.ldi);
  r.title = std::filesystem::path(content).stem().string();
  r.orbit_target = {0, 0, median_depth(in.depth)};
  write_3d_outputs(o, views, r, naive.get());
  return 0;
}

}  // namespace app
}  // namespace ds
