#include "apps/lib/image_jobs.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "tensor/file_util.h"
#include "tensor/tensor.h"

namespace fs = std::filesystem;

namespace ds {
namespace app {

bool is_image_file(const std::string& path) {
  static const char* exts[] = {".png", ".jpg", ".jpeg", ".ppm"};
  std::string e = lower_extension(path);
  return std::any_of(std::begin(exts), std::end(exts), [&](const char* x) { return e == x; });
}

std::vector<ImageJob> image_jobs(const std::string& input, const std::string& out) {
  if (!fs::exists(input)) throw Error(input + ": no such image or folder");
  if (!fs::is_directory(input)) return {{input, out}};
  if (fs::exists(out) && !fs::is_directory(out))
    throw Error(out + ": is a file; with a folder of images, -o names the output folder");
  if (!fs::exists(out) && is_image_file(out))  // likely meant as one result file, not a folder to create
    throw Error(out + ": looks like an image file name; with a folder of images, -o names the output folder");
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(input))
    if (e.is_regular_file() && is_image_file(e.path().string())) files.push_back(e.path());
  if (files.empty()) throw Error(input + ": the folder holds no PNG, JPEG or PPM images");
  std::sort(files.begin(), files.end());
  std::map<std::string, int> stems;
  for (const fs::path& p : files) ++stems[p.stem().string()];
  std::vector<ImageJob> jobs;
  for (const fs::path& p : files) {
    std::string name = p.stem().string();
    if (stems[name] > 1) name += "_" + lower_extension(p.string()).substr(1);
    jobs.push_back({p.string(), (fs::path(out) / (name + ".png")).string()});
  }
  return jobs;
}

}  // namespace app
}  // namespace ds
