// The cameras one `depthstyle 3d` run renders, worked out before the LDI is built: the camera
// path (with its default amplitude), the --view camera and its stereo eyes, and from their
// motion the thickness of the background layer. Each camera is checked to be outside the scene.
#pragma once
#include <string>
#include <vector>

#include "apps/photo3d/camera.h"
#include "apps/photo3d/depth_edges.h"
#include "apps/photo3d/photo3d_options.h"

namespace ds {
namespace app {

struct Photo3dViews {
  double amplitude = 0;        // metres (--amplitude, or 3% of the median depth)
  std::vector<View> path;      // the camera path's frames (when an output needs them)
  View view;                   // --view
  std::vector<View> all() const;  // every camera rendered: the path, --view, and its stereo eyes
  double baseline = 0;
  bool stereo = false;
};

// The median of the depth grid (metres).
double median_depth(const DepthGrid& depth);

// The depth at the image centre as Mu et al. take it for the dolly zoom: the nearest depth in
// the central 2% x 2% window (at least one pixel).
double centre_depth(const DepthGrid& depth);

Photo3dViews plan_views(const Photo3dOptions& o, const Intrinsics& K, const DepthGrid& depth, bool needs_path);

// Throws unless the camera of `view` is outside the scene: a camera that, seen from the photo's
// camera, is at or behind the visible surface (less 5% of that surface's depth) would render
// the inside of objects. `what` names the camera ("--view", "frame 12 of --camera zoom").
void check_camera_outside(const DepthGrid& depth, const Intrinsics& K, const View& view, const std::string& what);

// The background layer's thickness in pixels: the widest disocclusion the cameras can open,
// f * |sideways motion| * (1/z_near - 1/z_far) plus the forward motion's share at the image
// border, plus 2 px; at least 3% of the long side (8% when a .glb is written: its viewer moves
// freely) and at least 4 px; at most 20%.
int auto_band(const std::vector<View>& views, const Intrinsics& K, const DepthGrid& depth, bool free_viewer);

}  // namespace app
}  // namespace ds
