// The textured triangle mesh of a 3D photo, cut at depth edges ("no rubber sheets").
//
// Each layer of the LDI (apps/photo3d/ldi.h) becomes one primitive: a grid of vertices, one at
// every pixel centre (u, v) = (x + 0.5, y + 0.5) unprojected at that pixel's depth, plus a
// ring at the image's border (u = 0 or W, v = 0 or H, with the border pixel's depth and
// texture coordinate) so that the original camera sees the mesh cover the whole frame. Each
// square of four neighbouring vertices whose sides all join continuous depths (no side across a
// depth edge, LayeredDepthImage::cut) is split into two triangles along the diagonal whose
// disparities differ least. A square crossed by a depth edge is not bridged: each of its
// corners keeps its own quarter of the square (up to the side midpoints and the centre) at the
// depth of the corners it is continuous with, as if each pixel were a little square. So the
// original camera sees every pixel centre inside its own surface, edges included, and a moved
// camera sees each silhouette half-way between the near and the far pixel with the background
// layer in the gap. The background primitive keeps only the pieces that touch a background
// sample; where it meets the visible far side it shares that side's vertex positions, so the
// seam is closed.
//
// Texture coordinates follow glTF: (0, 0) is the top-left corner of the image, (1, 1) the
// bottom-right; a vertex at pixel (x, y) samples the texel centre ((x+0.5)/W, (y+0.5)/H), so
// the original camera sees each texel exactly at its pixel.
#pragma once
#include <cstdint>
#include <vector>

#include "apps/photo3d/ldi.h"

namespace ds {
namespace app {

struct MeshPrimitive {
  std::vector<float> positions;   // x, y, z per vertex: the scene frame (apps/photo3d/camera.h), metres
  std::vector<float> uvs;         // u, v per vertex, glTF convention
  std::vector<uint32_t> indices;  // three per triangle
  Tensor texture;                 // [1,3,H,W] in [0,1]
  size_t vertex_count() const { return positions.size() / 3; }
  size_t triangle_count() const { return indices.size() / 3; }
};

struct PhotoMesh {
  std::vector<MeshPrimitive> parts;  // [0] the visible layer, [1] the background layer (may be empty)
  size_t triangle_count() const;
};

PhotoMesh build_mesh(const LayeredDepthImage& ldi);

}  // namespace app
}  // namespace ds
