#include "apps/common/image_jobs.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "tensor/file_util.h"
#include "tensor/image_io.h"
#include "tensor/tensor.h"

namespace fs = std::filesystem;

namespace ds {
namespace app {

std::vector<ImageJob> image_jobs(const std::string& input, const std::string& out) {
  if (!fs::exists(input)) throw Error(input + ": no such image or folder");
  if (!fs::is_directory(input)) return {{input, out}};
  if (fs::exists(out) && !fs::is_directory(out))
    throw Error(out + ": is a file; with a folder of images, -o names the output folder");
  if (!fs::exists(out) && has_image_extension(out))  // likely meant as one result file, not a folder to create
    throw Error(out + ": looks like an image file name; with a folder of images, -o names the output folder");
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(input))
    if (e.is_regular_file() && has_image_extension(e.path().string())) files.push_back(e.path());
  if (files.empty()) throw Error(input + ": the folder holds no image files; expected " + image_formats_text());
  std::sort(files.begin(), files.end());
  std::map<std::string, int> stems;
  for (const fs::path& p : files) ++stems[p.stem().string()];
  // Images sharing a stem keep their extension as written in the result's name (a.jpg -> a_jpg.png,
  // a.PNG -> a_PNG.png); any clash left is refused naming both inputs, before anything runs.
  std::vector<ImageJob> jobs;
  std::map<std::string, std::string> input_of;  // result -> the input that writes it
  for (const fs::path& p : files) {
    std::string name = p.stem().string();
    if (stems[name] > 1) name += "_" + p.extension().string().substr(1);
    std::string result = (fs::path(out) / (name + ".png")).string();
    auto [it, fresh] = input_of.emplace(result, p.string());
    if (!fresh)
      throw Error("refusing to write " + result + ": both " + it->second + " and " + p.string() +
                  " would write their result there; rename one of them");
    jobs.push_back({p.string(), result});
  }
  return jobs;
}

}  // namespace app
}  // namespace ds
