// The 3D photo as a coloured point cloud in PLY (Turk's Polygon File Format, binary little-endian
// 1.0), as Mu et al. 2022 export theirs: one point per LDI sample -- every pixel of the visible
// layer at its pixel centre and depth, then every background sample -- with x, y, z (float,
// metres) and red, green, blue (uchar). Coordinates are glTF's frame (x right, y up, z towards
// the viewer; apps/photo3d/glb.h), so the point cloud and the .glb line up in any viewer.
// The header's comments say so, and how many points each layer has.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "apps/photo3d/ldi.h"

namespace ds {
namespace app {

std::vector<uint8_t> ply_bytes(const LayeredDepthImage& ldi);
void save_ply(const std::string& path, const LayeredDepthImage& ldi);  // through an AtomicFile

}  // namespace app
}  // namespace ds
