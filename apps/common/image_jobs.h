// Folder modes (`fast DIR`, `stylize DIR`): which images of a folder to process and where each
// result goes.
#pragma once
#include <string>
#include <vector>

namespace ds {
namespace app {

// One image to process and where its PNG goes.
struct ImageJob {
  std::string input, output;
};

// True for the image files folder modes take: .png, .jpg, .jpeg, .ppm, any case.
bool is_image_file(const std::string& path);

// IMAGE -> {IMAGE, out}. A folder -> one job per PNG/JPEG/PPM file in it (by extension,
// any case; not recursive), sorted by name, each writing out/<stem>.png (<stem>_<ext>.png
// where two inputs share a stem). Errors: `input` does not exist, a folder without images,
// a folder input whose `out` is an existing file.
std::vector<ImageJob> image_jobs(const std::string& input, const std::string& out);

}  // namespace app
}  // namespace ds
