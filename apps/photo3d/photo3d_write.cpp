#include "apps/photo3d/photo3d_write.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "apps/common/progress.h"
#include "apps/photo3d/consistency.h"
#include "apps/photo3d/path_video.h"
#include "apps/photo3d/glb.h"
#include "apps/photo3d/photo3d_outputs.h"
#include "apps/photo3d/ply.h"
#include "apps/photo3d/stereo.h"
#include "apps/photo3d/viewer_page.h"
#include "tensor/error.h"
#include "tensor/file_util.h"
#include "tensor/image_io.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace ds {
namespace app {

void render_views(const PhotoMesh& mesh, const std::vector<View>& views, bool fill_holes,
                  const std::function<void(size_t, Rendering&)>& use) {
  int threads = 1;
#ifdef _OPENMP
  threads = omp_get_max_threads();
#endif
  const size_t chunk = static_cast<size_t>(std::max(1, threads));
  for (size_t first = 0; first < views.size(); first += chunk) {
    const size_t n = std::min(chunk, views.size() - first);
    std::vector<Rendering> out(n);
#pragma omp parallel for schedule(dynamic, 1)
    for (long k = 0; k < static_cast<long>(n); ++k)
      out[static_cast<size_t>(k)] = render(mesh, views[first + static_cast<size_t>(k)], fill_holes);
    for (size_t k = 0; k < n; ++k) use(first + k, out[k]);
  }
}

std::vector<std::string> planned_3d_files(const Photo3dOptions& o) {
  std::vector<std::string> files;
  for (const std::string& p : o.outputs) {
    Output3d kind = output_kind(p, !o.stereo.empty());
    if (kind == Output3d::Video || kind == Output3d::Frames) check_path_video(p);  // X%04d.jpg: refused
    if (kind == Output3d::Frames) {
      for (const std::vector<std::string>& f : {pattern_frame_paths(p, o.frames), stale_frame_paths(p, o.frames)})
        files.insert(files.end(), f.begin(), f.end());
      continue;
    }
    files.push_back(p);
    if (kind == Output3d::Glb && o.viewer) files.push_back(viewer_page_path(p));
  }
  return files;
}

bool needs_camera_path(const Photo3dOptions& o) {
  return o.consistency_pairs > 0 || o.writes({Output3d::Frames, Output3d::Video});
}

bool has_glb_output(const Photo3dOptions& o) { return o.writes({Output3d::Glb}); }

namespace {

void write_glb_and_page(const Photo3dOptions& o, const Photo3dResult& r, const std::string& path) {
  GlbScene s;
  s.mesh = &r.mesh;
  s.K = r.ldi.K;
  s.orbit_target = r.orbit_target;
  s.name = r.title;
  std::vector<uint8_t> glb = glb_bytes(s);
  write_file_bytes(path, glb);
  std::printf("wrote %s (%zu triangles, %.1f MB)\n", path.c_str(), r.mesh.triangle_count(),
              static_cast<double>(glb.size()) / 1e6);
  if (!o.viewer) return;
  std::vector<uint8_t> bundle = read_file_bytes(viewer_bundle_path());
  std::string page = viewer_page(r.title, glb, std::string(bundle.begin(), bundle.end()));
  write_file_bytes(viewer_page_path(path), page.data(), page.size());
  std::printf("wrote %s (the viewer: open it in a browser)\n", viewer_page_path(path).c_str());
}

// The picture at --view (or the stereo picture of its eyes), with the share of it filled beyond
// the photo (of the eye that sees least), as the frames report theirs; a warning above
// kViewFillWarning names the camera.
void write_view(const Photo3dOptions& o, const Photo3dViews& views, const PhotoMesh& mesh, const std::string& path) {
  const std::vector<NamedView> singles = views.singles();
  std::vector<View> cameras;
  for (const NamedView& s : singles) cameras.push_back(s.view);
  std::vector<Tensor> pictures(cameras.size());
  size_t worst = 0;
  std::vector<double> holes(cameras.size());
  render_views(mesh, cameras, o.fill_holes, [&](size_t k, Rendering& f) {
    pictures[k] = f.image;
    holes[k] = f.hole_fraction;
    if (holes[k] > holes[worst]) worst = k;
  });
  save_image(path, views.stereo ? compose_stereo(pictures[0], pictures[1], o.stereo) : pictures[0]);
  const char* filled = o.fill_holes ? "was filled" : "was left black";
  if (views.stereo)
    std::printf("wrote %s (%s stereo, baseline %.3g m; at most %.2f%% of an eye's view %s beyond the photo)\n",
                path.c_str(), o.stereo.c_str(), views.baseline, 100 * holes[worst], filled);
  else
    std::printf("wrote %s (the view at --view; %.2f%% of it %s beyond the photo)\n", path.c_str(), 100 * holes[0],
                filled);
  std::fflush(stdout);  // the warning after the line it is about
  if (holes[worst] > kViewFillWarning)
    std::fprintf(stderr,
                 "warning: %s sees the photo in less than half of %s (%.2f%% of its picture %s beyond the photo): "
                 "is --view in metres and degrees%s?\n",
                 singles[worst].name.c_str(), path.c_str(), 100 * holes[worst], filled,
                 views.stereo ? ", --baseline in metres" : "");
}

std::string frame_range(const std::string& pattern, size_t n) {
  return pattern_frame_path(pattern, 1) + " .. " + pattern_frame_path(pattern, static_cast<int>(n));
}

// The camera path's frames, to the frame patterns and the videos (and kept when the consistency
// is reported). Every pattern and video is a PathVideo: nothing appears before the last frame.
std::vector<Rendering> write_path(const Photo3dOptions& o, const Photo3dViews& views, const PhotoMesh& mesh,
                                  bool keep, InterruptNote& note) {
  std::vector<std::string> paths;
  std::vector<std::unique_ptr<PathVideo>> writers;
  for (const std::string& p : o.outputs) {
    Output3d kind = output_kind(p, !o.stereo.empty());
    if (kind != Output3d::Frames && kind != Output3d::Video) continue;
    paths.push_back(p);
    writers.push_back(std::make_unique<PathVideo>(p, mesh.parts[0].texture.W(), mesh.parts[0].texture.H(), o.fps));
  }
  std::vector<Rendering> kept;
  double holes = 0;
  const size_t n = views.path.size();
  const std::string of_n = " of " + std::to_string(n);
  Progress progress(static_cast<int>(n));
  progress.set_label("rendering " + o.camera);
  note.at("at frame 1" + of_n);
  render_views(mesh, views.path, o.fill_holes, [&](size_t k, Rendering& frame) {
    for (std::unique_ptr<PathVideo>& w : writers) w->write(frame.image);
    holes = std::max(holes, frame.hole_fraction);
    if (keep) kept.push_back(std::move(frame));
    progress.update(static_cast<int>(k) + 1);
    if (k + 1 < n) note.at("at frame " + std::to_string(k + 2) + of_n);
  });
  progress.finish();
  note.at("while finishing the frames and videos (all " + std::to_string(n) + " frames rendered)");
  const char* plural = n == 1 ? "" : "s";
  for (size_t k = 0; k < writers.size(); ++k) {
    writers[k]->finish();
    const bool frames = output_kind(paths[k], !o.stereo.empty()) == Output3d::Frames;
    if (frames)
      std::printf("wrote %s (%zu frame%s of --camera %s; at most %.2f%% of a frame was filled beyond the photo)\n",
                  frame_range(paths[k], n).c_str(), n, plural, o.camera.c_str(), 100 * holes);
    else
      std::printf("wrote %s (%zu frame%s of --camera %s at %g frames/s)\n", paths[k].c_str(), n, plural,
                  o.camera.c_str(), o.fps);
    // An older, longer sequence with the same pattern would have mixed with this one.
    if (int64_t m = writers[k]->older_frames_removed())
      std::printf("removed %lld frame%s of an older sequence: %s .. %s\n", static_cast<long long>(m),
                  m == 1 ? "" : "s", pattern_frame_path(paths[k], static_cast<int>(n) + 1).c_str(),
                  pattern_frame_path(paths[k], static_cast<int>(n + static_cast<size_t>(m))).c_str());
    note.complete(frames ? frame_range(paths[k], n) : paths[k]);
  }
  return kept;
}

void report_consistency(const Photo3dOptions& o, const Photo3dViews& views, const LayeredDepthImage& ldi,
                        const std::vector<Rendering>& frames, const std::string& what, const InterruptNote& note) {
  // More pairs than the path has distinct ones would measure the same pairs again: all are
  // measured once instead.
  std::vector<ViewPair> pairs = distinct_view_pairs(views.path);
  if (static_cast<size_t>(o.consistency_pairs) < pairs.size())
    pairs = random_view_pairs(views.path.size(), o.consistency_pairs);
  const int total = static_cast<int>(pairs.size());
  Progress progress(total);
  progress.set_label("view consistency, " + what);
  progress.set_unit("pairs/s");
  const std::string of = " of " + std::to_string(total) + ", " + what + ")";
  note.at("while measuring the view consistency (pair 1" + of);
  Consistency c = view_consistency(ldi, views.path, frames, pairs, [&](int done) {
    progress.update(done);
    if (done < total) note.at("while measuring the view consistency (pair " + std::to_string(done + 1) + of);
  });
  progress.finish();
  auto pairs_text = [](int k) { return std::to_string(k) + (k == 1 ? " pair" : " pairs"); };
  std::printf("view consistency (Mu et al. 2022), %s: RMSE %.4f over %s of --camera %s frames "
              "(%.0f points visible in both, per pair); background samples alone: RMSE %.4f (%s, %.0f points)\n",
              what.c_str(), c.rmse, pairs_text(c.pairs).c_str(), o.camera.c_str(), c.mean_points, c.rmse_background,
              pairs_text(c.pairs_background).c_str(), c.mean_background_points);
}

}  // namespace

void check_consistency_frame_size(const std::string& file, int64_t w, int64_t h, const Intrinsics& K,
                                  const std::string& origin) {
  if (w != K.width || h != K.height)
    throw Error(file + " is " + std::to_string(w) + "x" + std::to_string(h) + " px; the camera path's frames are " +
                std::to_string(K.width) + "x" + std::to_string(K.height) + " px (" + origin + ")");
}

void write_3d_outputs(const Photo3dOptions& o, const Photo3dViews& views, const Photo3dResult& r,
                      const LayeredDepthImage* naive, InterruptNote& note) {
  // The camera path first (the longest work: an interrupt there leaves none of the -o outputs),
  // then the views, meshes and clouds, then the measurements.
  const bool report = o.consistency_pairs > 0 && views.path.size() >= 2;
  std::vector<Rendering> frames;
  if (!views.path.empty()) frames = write_path(o, views, r.mesh, report, note);
  const bool stereo = !o.stereo.empty();
  for (const std::string& p : o.outputs) {
    const Output3d kind = output_kind(p, stereo);
    if (kind != Output3d::Frames && kind != Output3d::Video) note.at("while writing " + p);
    switch (kind) {
      case Output3d::View:
      case Output3d::Stereo:
        write_view(o, views, r.mesh, p);
        note.complete(p);
        break;
      case Output3d::Glb:
        write_glb_and_page(o, r, p);
        note.complete(o.viewer ? p + " and " + viewer_page_path(p) : p);
        break;
      case Output3d::Ply:
        save_ply(p, r.ldi);
        std::printf("wrote %s (%lld points)\n", p.c_str(),
                    static_cast<long long>(r.ldi.width()) * r.ldi.height() + r.ldi.back.count());
        note.complete(p);
        break;
      case Output3d::Frames:
      case Output3d::Video:
        break;  // above, all from one rendering of the path
    }
  }
  std::fflush(stdout);
  if (!report) return;
  report_consistency(o, views, r.ldi, frames, o.fill + " fill", note);
  if (!o.consistency_frames.empty()) {
    // The same geometry (depth buffers, visibility), other colours (their sizes were checked
    // from their headers before any work).
    for (size_t k = 0; k < frames.size(); ++k) {
      std::string f = pattern_frame_path(o.consistency_frames, static_cast<int>(k) + 1);
      Tensor img = load_image_rgb(f);
      check_consistency_frame_size(f, img.W(), img.H(), views.path[k].K, "it changed since the run began");
      frames[k].image = img;
    }
    report_consistency(o, views, r.ldi, frames, "--consistency-frames " + o.consistency_frames, note);
  }
  if (!naive) return;
  std::vector<Rendering> naive_frames;
  PhotoMesh naive_mesh = build_mesh(*naive);
  note.at("while rendering the naive fill's frames for the view consistency");
  render_views(naive_mesh, views.path, o.fill_holes, [&](size_t, Rendering& f) { naive_frames.push_back(std::move(f)); });
  report_consistency(o, views, *naive, naive_frames, "naive fill", note);
}

}  // namespace app
}  // namespace ds
