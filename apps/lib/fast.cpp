#include "apps/lib/fast.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "tensor/file_util.h"
#include "tensor/image_io.h"

namespace fs = std::filesystem;

namespace ds {
namespace app {

namespace {

std::string lower_extension(const fs::path& p) {
  std::string e = p.extension().string();
  for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

bool is_image_file(const fs::path& p) {
  static const char* exts[] = {".png", ".jpg", ".jpeg", ".ppm"};
  std::string e = lower_extension(p);
  return std::any_of(std::begin(exts), std::end(exts), [&](const char* x) { return e == x; });
}

}  // namespace

std::vector<FastJob> fast_jobs(const std::string& input, const std::string& out) {
  if (!fs::exists(input)) throw Error(input + ": no such image or folder");
  if (!fs::is_directory(input)) return {{input, out}};
  if (fs::exists(out) && !fs::is_directory(out))
    throw Error(out + ": is a file; with a folder of images, -o names the output folder");
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(input))
    if (e.is_regular_file() && is_image_file(e.path())) files.push_back(e.path());
  if (files.empty()) throw Error(input + ": the folder holds no PNG, JPEG or PPM images");
  std::sort(files.begin(), files.end());
  std::map<std::string, int> stems;
  for (const fs::path& p : files) ++stems[p.stem().string()];
  std::vector<FastJob> jobs;
  for (const fs::path& p : files) {
    std::string name = p.stem().string();
    if (stems[name] > 1) name += "_" + lower_extension(p).substr(1);
    jobs.push_back({p.string(), (fs::path(out) / (name + ".png")).string()});
  }
  return jobs;
}

int run_fast_jobs(const FastStyleNet& net, const std::vector<FastJob>& jobs, int long_side) {
  int failed = 0, n = static_cast<int>(jobs.size());
  for (int k = 0; k < n; ++k) {
    const FastJob& j = jobs[static_cast<size_t>(k)];
    try {
      Tensor img = load_image_rgb(j.input);
      auto t0 = std::chrono::steady_clock::now();
      Tensor y = stylize_fast(net, img, long_side);  // on the CPU like img, so the time includes the device's work
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      ensure_parent_dir(j.output);
      save_image(j.output, y);
      std::printf("[%d/%d] %s %lldx%lld -> %s %lldx%lld, %.2f s\n", k + 1, n, j.input.c_str(),
                  static_cast<long long>(img.W()), static_cast<long long>(img.H()), j.output.c_str(),
                  static_cast<long long>(y.W()), static_cast<long long>(y.H()), secs);
    } catch (const std::exception& e) {
      ++failed;
      std::string why = e.what();  // the readers' errors already name the file
      if (why.find(j.input) == std::string::npos) why = j.input + ": " + why;
      // Not "skipped: ", which ctest reads as a skipped test.
      std::fprintf(stderr, "[%d/%d] warning: %s (image skipped)\n", k + 1, n, why.c_str());
    }
    std::fflush(stdout);
  }
  return failed;
}

}  // namespace app
}  // namespace ds
