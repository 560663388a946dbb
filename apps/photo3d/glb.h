// The 3D photo as a glTF 2.0 binary (.glb): one file holding the JSON scene description and one
// binary chunk with the vertex data, the triangle indices and the textures as PNG images.
//
// Layout (glTF 2.0 specification, sections 3.6-3.8, 4 "GLB File Format Specification"):
//   - a 12-byte header (magic "glTF", version 2, total length), a JSON chunk padded with
//     spaces to 4 bytes, a BIN chunk padded with zeros to 4 bytes; lengths are uint32, so the
//     file is refused before it is assembled when it would exceed 4 GiB;
//   - one mesh with one primitive per LDI layer (the visible layer and the background layer):
//     POSITION (VEC3 float, with min and max, as the specification requires), TEXCOORD_0 (VEC2
//     float) and uint32 indices, each in its own bufferView (4-byte aligned, targets
//     ARRAY_BUFFER / ELEMENT_ARRAY_BUFFER);
//   - a material per layer with the layer's texture as baseColorTexture and the
//     KHR_materials_unlit extension (a photo is already lit: viewers show the texels as they are),
//     double-sided; a sampler with LINEAR filtering and CLAMP_TO_EDGE (what the CPU renderer does);
//   - a node with the perspective camera of the photo at the origin (glTF cameras look down -Z
//     with +Y up) and the exact pinhole intrinsics in its extras ("depthstyle": fx, fy, cx, cy,
//     width, height), since a glTF camera cannot hold an off-centre principal point;
//     the scene's extras hold "orbitTarget", the point the viewer orbits around.
// Coordinates: glTF's frame, metres: x right, y up, z towards the viewer, i.e. the scene frame
// (apps/photo3d/camera.h) turned by 180 degrees about x: (x, -y, -z).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "apps/photo3d/camera.h"
#include "apps/photo3d/mesh.h"

namespace ds {
namespace app {

struct GlbScene {
  const PhotoMesh* mesh = nullptr;
  Intrinsics K;         // the photo's camera
  Vec3 orbit_target;    // scene frame (converted to glTF's on writing)
  std::string name = "depthstyle 3D photo";
};

// The whole .glb file. Errors: a mesh larger than the format's 4 GiB, an empty mesh.
std::vector<uint8_t> glb_bytes(const GlbScene& scene);

// glb_bytes written to `path` through an AtomicFile.
void save_glb(const std::string& path, const GlbScene& scene);

}  // namespace app
}  // namespace ds
