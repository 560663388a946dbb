#include "apps/lib/fast.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "nn/pretrained.h"
#include "autograd/ops.h"
#include "tensor/image_io.h"
#include "weights/weights.h"

namespace fs = std::filesystem;

namespace ds {

const std::vector<std::string>& fast_style_names() {
  static const std::vector<std::string> names = {"la_muse", "rain_princess", "scream", "udnie", "wave", "wreck"};
  return names;
}

std::string fast_style_list() {
  std::string s;
  for (const std::string& n : fast_style_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

namespace {

// A bare word that is not a file is meant as a style name; anything path-like is a file,
// so a mistyped path gets the loader's "not found" rather than a list of styles.
bool looks_like_path(const std::string& s) {
  return fs::exists(s) || s.find('/') != std::string::npos || s.find('.') != std::string::npos;
}

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

FastStyleNet load_fast_style(const std::string& model_or_name, Device device) {
  std::string path = model_or_name;
  if (!looks_like_path(model_or_name)) {
    const std::vector<std::string>& names = fast_style_names();
    if (std::find(names.begin(), names.end(), model_or_name) == names.end())
      throw Error("unknown style '" + model_or_name +
                  "': give a project HDF5 file (architecture fast_style_tf) or one of " + fast_style_list());
    path = prepared_file("weights/fast_style_" + model_or_name + ".h5");
  }
  WeightFile f = load_weights(path, "fast_style_tf");
  check_params(f, FastStyleNet::param_shapes());
  return FastStyleNet(ParamSet(f.params, path).to(device));
}

std::pair<int64_t, int64_t> fast_size(int64_t h, int64_t w, int long_side) {
  if (long_side <= 0 || std::max(h, w) == long_side) return {h, w};
  double s = static_cast<double>(long_side) / static_cast<double>(std::max(h, w));
  auto scaled = [&](int64_t n) { return std::max<int64_t>(4, std::llround(static_cast<double>(n) * s)); };
  return {scaled(h), scaled(w)};
}

Tensor stylize_fast(const FastStyleNet& net, const Tensor& rgb01, int long_side) {
  if (rgb01.ndim() != 4 || rgb01.N() != 1 || rgb01.C() != 3)
    throw Error("stylize_fast: expected one RGB image [1,3,H,W], got " + shape_str(rgb01.shape()));
  NoGradGuard ng;
  Device dev = net.params().get("conv1.weight").value().device();
  Var x(rgb01.device() == dev ? rgb01 : rgb01.to(dev));
  auto [h, w] = fast_size(rgb01.H(), rgb01.W(), long_side);
  if (h != rgb01.H() || w != rgb01.W()) x = resize_bilinear(x, h, w);
  Tensor y = net.forward(x).value();
  return y.device() == rgb01.device() ? y : y.to(rgb01.device());
}

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
      fs::path parent = fs::path(j.output).parent_path();
      if (!parent.empty()) fs::create_directories(parent);
      save_png(j.output, y);
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

}  // namespace ds
