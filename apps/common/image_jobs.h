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

// IMAGE -> {IMAGE, out}. A folder -> one job per image file in it (by extension, any case:
// tensor/image_io.h's kImageExtensions, the one list of every command; not recursive), sorted
// by name, each writing out/<stem>.png (<stem>_<ext>.png where two inputs share a stem). Errors: `input` does not exist, a folder without images,
// a folder input whose `out` is an existing file.
std::vector<ImageJob> image_jobs(const std::string& input, const std::string& out);

}  // namespace app
}  // namespace ds
