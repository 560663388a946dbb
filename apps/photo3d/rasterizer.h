// The CPU renderer of a 3D photo: z-buffered triangle rasterisation with perspective-correct,
// bilinear texture sampling (the same image formation as a WebGL viewer drawing the .glb with
// an unlit material and linear filtering, which the browser test compares against).
//
//   - A pixel (x, y) is drawn from the nearest triangle covering its centre (x + 0.5, y + 0.5).
//     A centre exactly on an edge shared by two triangles belongs to one of them only (a
//     top-left-style rule on the directed edge), so there are neither cracks nor double hits.
//   - Depths, barycentrics and texture coordinates are interpolated in double precision; 1/z
//     and uv/z are linear in screen space, so uv is perspective-correct.
//   - Triangles are clipped against the near plane z = kNearPlane (metres) in the view frame,
//     so a camera may turn or move past geometry without wrapping it around.
//   - Textures hold sRGB values (as glTF's baseColorTexture): they are filtered bilinearly in
//     linear light, at (u W - 0.5, v H - 0.5) clamped at the borders, and the result encoded
//     back to sRGB -- what a GPU does with an sRGB texture and an sRGB framebuffer (so at a
//     texel centre the texel comes back unchanged).
//   - Pixels no triangle covers (the frame beyond the photo, a disocclusion wider than the
//     background layer) are "holes": reported, and filled by onion peeling from the covered
//     pixels around them (weights/depth_map.h fill_invalid) unless fill_holes is false.
#pragma once
#include <cstdint>
#include <vector>

#include "apps/photo3d/camera.h"
#include "apps/photo3d/mesh.h"

namespace ds {
namespace app {

constexpr double kNearPlane = 1e-3;

struct Rendering {
  Tensor image;                  // [1,3,H,W] in [0,1]
  std::vector<float> depth;      // per pixel: view-frame z of the surface drawn, 0 for a hole
  std::vector<uint8_t> covered;  // per pixel: 1 where a triangle was drawn
  double hole_fraction = 0;      // of the pixels
};

// Renders `mesh` from `view` at view.K's size. Errors: an empty view.
Rendering render(const PhotoMesh& mesh, const View& view, bool fill_holes = true);

// The sRGB transfer functions (IEC 61966-2-1), values in [0, 1].
float srgb_to_linear(float c);
float linear_to_srgb(float c);

// Bilinear sample of channel c of `texture` ([1,C,H,W]) at continuous pixel coordinates (x, y)
// (pixel centres at integer + 0.5), clamped at the borders.
float sample_bilinear(const Tensor& texture, int c, double x, double y);

}  // namespace app
}  // namespace ds
