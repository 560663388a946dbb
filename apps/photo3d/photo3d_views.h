// The cameras one `depthstyle 3d` run renders, worked out before the LDI is built: the camera
// path (with its default amplitude), the --view camera and its stereo eyes (when a .png/.jpg
// view is written), and from their motion the thickness of the background layer. Each camera
// is checked to be outside the scene, and each single view to see some of the photo.
#pragma once
#include <string>
#include <vector>

#include "apps/photo3d/camera.h"
#include "apps/photo3d/depth_edges.h"
#include "apps/photo3d/photo3d_options.h"
#include "tensor/tensor.h"

namespace ds {
namespace app {

// A single view and how messages name it ("--view", "the left eye of --stereo").
struct NamedView {
  std::string name;
  View view;
};

struct Photo3dViews {
  double amplitude = 0;        // metres (--amplitude, or 3% of the median depth)
  std::vector<View> path;      // the camera path's frames (when an output needs them)
  View view;                   // --view
  bool rendered_view = false;  // some output is a view or stereo picture at --view
  std::vector<View> all() const;  // every camera rendered: the path, and singles()
  // The single cameras rendered: --view, or with --stereo its two eyes (none without a view output).
  std::vector<NamedView> singles() const;
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

// Throws unless each of views.singles() sees some of the photo (`image` and `depth` seen by K):
// the photo's visible layer, cut at edge_threshold, is rendered from each, and a camera that
// covers not one pixel of its picture with it is refused (ds::Error naming the camera and why:
// the photo is behind it, outside its field of view, or smaller than a pixel from there), since
// its picture would be fill alone. The background layer is left out: it lies within the photo's
// own field of view, at most as far as the far side of each edge, so a camera that sees none
// of the visible layer sees next to none of it either.
void check_views_see_photo(const Photo3dViews& views, const Tensor& image, const DepthGrid& depth,
                           const Intrinsics& K, double edge_threshold);

// Above this share of a single view filled beyond the photo, `3d` warns: more than half of the
// picture is then colours made up from the photo's border, not the photo (frames of the camera
// paths' default motions stay under 10%), which usually means a --view given in the wrong units
// (metres, degrees) or a --baseline far wider than eyes (0.065 m).
constexpr double kViewFillWarning = 0.5;

// The background layer's thickness in pixels: the widest disocclusion the cameras can open,
// f * |sideways motion| * (1/z_near - 1/z_far) plus the forward motion's share at the image
// border, plus 2 px; at least 3% of the long side (8% when a .glb is written: its viewer moves
// freely) and at least 4 px; at most 20%.
int auto_band(const std::vector<View>& views, const Intrinsics& K, const DepthGrid& depth, bool free_viewer);

}  // namespace app
}  // namespace ds
