// What each `depthstyle 3d -o FILE` writes, chosen by its name:
//   X.png / X.jpg     a novel view at --view, or with --stereo a stereo picture (sbs or anaglyph);
//   X%03d.png         the camera path's frames as numbered pictures (%d or %0Nd, numbered from 1,
//                     as the video writer's PNG sequences; frames of an older, longer sequence
//                     after the last are removed, so two runs never mix);
//   X.mp4 .webm .gif  the camera path as a parallax video;
//   X.glb             the textured mesh (glTF 2.0 binary) and, unless --no-viewer, X.html beside it;
//   X.ply             the LDI as a coloured point cloud.
#pragma once
#include <string>
#include <vector>

namespace ds {
namespace app {

enum class Output3d { View, Stereo, Frames, Video, Glb, Ply };

// The kind of output `path` names (stereo: --stereo was given). Errors: an unknown extension,
// a .html (written beside a .glb instead), a malformed frame pattern.
Output3d output_kind(const std::string& path, bool stereo);

// True when `path` holds a frame-number pattern (%d or %0Nd).
bool is_frame_pattern(const std::string& path);

// The file of frame `number` of pattern `path` ("f%03d.png", 7 -> "f007.png"). The pattern is
// substituted by hand, never passed to printf. Errors: more than one %, or one that is not %d
// or %0Nd (N in 1..9), or a number that overflows its width.
std::string pattern_frame_path(const std::string& pattern, int number);

// Every file the camera path writes for pattern `path`, frames 1..n.
std::vector<std::string> pattern_frame_paths(const std::string& pattern, int n);

// The files of an older, longer sequence after frame n that exist now (n+1, n+2, ... up to the
// first missing one): a run of n frames removes them, so they are planned as its outputs too.
std::vector<std::string> stale_frame_paths(const std::string& pattern, int n);

}  // namespace app
}  // namespace ds
