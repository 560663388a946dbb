#include "apps/photo3d/photo3d_outputs.h"

#include <cctype>
#include <filesystem>

#include "tensor/error.h"
#include "tensor/file_util.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

namespace {

// The position of the single % and the width N of "%0Nd" (0 for "%d"); npos when there is none.
size_t pattern_spec(const std::string& p, int* width, size_t* length) {
  size_t at = p.find('%');
  if (at == std::string::npos) return at;
  if (p.find('%', at + 1) != std::string::npos)
    throw Error(p + ": a frame pattern holds one % (as frame%04d.png), this one has more");
  size_t i = at + 1;
  *width = 0;
  if (i < p.size() && p[i] == '0') {
    ++i;
    if (i < p.size() && p[i] >= '1' && p[i] <= '9') *width = p[i++] - '0';
    else throw Error(p + ": expected %0Nd with N in 1..9 in the frame pattern");
  }
  if (i >= p.size() || p[i] != 'd') throw Error(p + ": the frame pattern's % must be %d or %0Nd (as frame%04d.png)");
  *length = i + 1 - at;
  return at;
}

}  // namespace

bool is_frame_pattern(const std::string& path) { return path.find('%') != std::string::npos; }

std::string pattern_frame_path(const std::string& pattern, int number) {
  int width = 0;
  size_t length = 0;
  size_t at = pattern_spec(pattern, &width, &length);
  if (at == std::string::npos) throw Error(pattern + ": not a frame pattern (expected %d or %0Nd in the name)");
  std::string n = std::to_string(number);
  if (width > 0 && static_cast<int>(n.size()) > width)
    throw Error(pattern + ": frame " + n + " does not fit in " + std::to_string(width) + " digits; widen the pattern");
  while (static_cast<int>(n.size()) < width) n = "0" + n;
  return pattern.substr(0, at) + n + pattern.substr(at + length);
}

std::vector<std::string> pattern_frame_paths(const std::string& pattern, int n) {
  std::vector<std::string> out;
  for (int k = 1; k <= n; ++k) out.push_back(pattern_frame_path(pattern, k));
  return out;
}

std::vector<std::string> stale_frame_paths(const std::string& pattern, int n) {
  std::vector<std::string> out;
  std::error_code e;
  for (int k = n + 1; std::filesystem::is_regular_file(pattern_frame_path(pattern, k), e); ++k)
    out.push_back(pattern_frame_path(pattern, k));
  return out;
}

Output3d output_kind(const std::string& path, bool stereo) {
  check_not_folder(path);
  std::string e = lower_extension(path);
  if (e == ".glb") return Output3d::Glb;
  if (e == ".ply") return Output3d::Ply;
  if (e == ".mp4" || e == ".webm" || e == ".gif") return Output3d::Video;
  if (e == ".html" || e == ".htm")
    throw Error(path + ": the viewer page is written beside the mesh: -o scene.glb writes scene.glb and scene.html");
  if (e == ".png" || e == ".jpg" || e == ".jpeg") {
    if (is_frame_pattern(path)) {
      pattern_frame_path(path, 1);  // its errors now
      return Output3d::Frames;
    }
    check_image_output(path);
    return stereo ? Output3d::Stereo : Output3d::View;
  }
  throw Error(path + ": cannot tell what to write from the extension '" + (e.empty() ? std::string("(none)") : e) +
              "': give .png/.jpg (a view, --stereo pair, or frames with %04d), .mp4/.webm/.gif (a parallax video), "
              ".glb (mesh and viewer) or .ply (point cloud)");
}

}  // namespace app
}  // namespace ds
