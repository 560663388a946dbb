// Writes the outputs of one `depthstyle 3d` run (apps/photo3d/photo3d_outputs.h says which name
// makes what) from the finished LDI and its mesh, and reports the view consistency.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "apps/photo3d/ldi.h"
#include "apps/photo3d/mesh.h"
#include "apps/photo3d/photo3d_interrupt.h"
#include "apps/photo3d/photo3d_options.h"
#include "apps/photo3d/photo3d_views.h"
#include "apps/photo3d/rasterizer.h"

namespace ds {
namespace app {

// Renders views[0..n) (in parallel, a few at a time) and hands each rendering to `use` in order.
void render_views(const PhotoMesh& mesh, const std::vector<View>& views, bool fill_holes,
                  const std::function<void(size_t, Rendering&)>& use);

// Every file the outputs make, for the output plan: frames expanded (with the files of an older,
// longer sequence, which are removed), the .html beside a .glb.
std::vector<std::string> planned_3d_files(const Photo3dOptions& o);

// True when some output (or the consistency report) needs the camera path's frames.
bool needs_camera_path(const Photo3dOptions& o);

// True when some output is a .glb (its viewer lets the camera move freely).
bool has_glb_output(const Photo3dOptions& o);

struct Photo3dResult {
  LayeredDepthImage ldi;
  PhotoMesh mesh;
  std::string title;          // the viewer page's title (the content's name)
  Vec3 orbit_target;          // scene frame: straight ahead at the median depth
};

// Writes every output (the camera path's frames and videos first), keeping `note` up to date;
// `naive` (the LDI with the naive fill, when the result's fill is stylised) is rendered too when
// the consistency is reported, for comparison. The consistency is measured over
// --report-consistency random pairs of the path's frames, or over each of its distinct pairs
// once when it has no more (distinct_view_pairs), with progress on stderr.
void write_3d_outputs(const Photo3dOptions& o, const Photo3dViews& views, const Photo3dResult& r,
                      const LayeredDepthImage* naive, InterruptNote& note);

// Throws "FILE is WxH px; the camera path's frames are WxH px (ORIGIN)" unless a
// --consistency-frames picture of w x h pixels has the size of the frames of K; `origin` says
// where that size comes from ("--size 256").
void check_consistency_frame_size(const std::string& file, int64_t w, int64_t h, const Intrinsics& K,
                                  const std::string& origin);

}  // namespace app
}  // namespace ds
