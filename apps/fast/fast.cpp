#include "apps/fast/fast.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "apps/common/batch_summary.h"
#include "tensor/file_util.h"
#include "tensor/image_filter.h"
#include "tensor/image_io.h"
#include "tensor/memory.h"

namespace ds {
namespace app {

void return_freed_memory_promptly() {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  malloc_trim(0);  // and what is free already
#endif
}

int64_t fast_job_peak_bytes(int64_t h, int64_t w, int64_t file_bytes, int long_side, bool on_host,
                            const FastStyleNet* net) {
  auto [H, W] = fast_size(h, w, long_side, net ? net->min_side() : FastStyleNet::kMinSide);
  const int64_t original = h * w, working = H * W;
  const int64_t decode = file_bytes + 32 * original;
  const int64_t run = 12 * original + (on_host ? fast_style_peak_bytes(h, w, long_side, net) : 12 * working);
  const int64_t encode = 12 * original + 30 * working;  // result, its float copy, 8-bit samples, PNG
  return kFastFixedBytes + std::max({decode, run, encode});
}

std::string raised_size_note(std::pair<int64_t, int64_t> plain, std::pair<int64_t, int64_t> run, int min_side) {
  if (plain == run) return "";
  auto size = [](std::pair<int64_t, int64_t> hw) { return std::to_string(hw.second) + "x" + std::to_string(hw.first); };
  bool same_ratio = plain.first * run.second == plain.second * run.first;
  return "would be " + size(plain) + "; run at " + size(run) + ", the transformer's minimum of " +
         std::to_string(min_side) + " px a side" + (same_ratio ? "" : " (the aspect ratio changes)");
}

int64_t default_memory_budget() {
  std::ifstream f("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  std::string unit;
  while (f >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024 / 2;
  return 0;
}

std::string mib_text(int64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

void declare_max_memory(Args& a, const std::string& what) {
  a.option("--max-memory", "MIB",
           "refuse " + what + " whose estimated need is above MIB mebibytes (2^20 bytes; a whole number), before "
           "any work; 0: no limit (default: half the available memory, " + mib_text(default_memory_budget()) + " now)");
}

int64_t max_memory_bytes(const Args& a) {
  return a.has("--max-memory") ? int64_t{a.integer("--max-memory", 0, 1 << 30)} << 20 : default_memory_budget();
}

int largest_fitting_size(int lo, int hi, const std::function<bool(int)>& fits) {
  if (!fits(lo)) return 0;
  while (hi - lo > 1) {  // fits(lo); hi does not, or it would not be asked
    int mid = lo + (hi - lo) / 2;
    if (fits(mid))
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

Error memory_refusal(int count, const std::string& what, int64_t budget, const std::string& lines) {
  return Error(std::to_string(count) + " " + what + "(s) would need more memory than the " + mib_text(budget) +
               " allowed (--max-memory MIB; default half of the available memory); nothing was run:" + lines +
               "\ngive a --size that fits, or a larger --max-memory if the memory is there");
}

void check_memory(const std::vector<ImageJob>& jobs, const FastStyleNet* net, int long_side, int64_t budget,
                  Device device) {
  const bool on_host = device == Device::CPU;
  std::string refused;
  int n_refused = 0;
  for (const ImageJob& j : jobs) {
    std::pair<int64_t, int64_t> hw;
    try {
      hw = image_size(j.input);
    } catch (const Error&) {
      continue;  // reported by the run, with the other unreadable images
    }
    const int64_t h = hw.first, w = hw.second;  // not a structured binding: the lambda below captures them
    const int64_t file_bytes = static_cast<int64_t>(std::filesystem::file_size(j.input));
    int64_t need = 0;
    try {
      need = fast_job_peak_bytes(h, w, file_bytes, long_side, on_host, net);
    } catch (const Error&) {
      continue;  // too small for the layers: the run says so, with a --size that works
    }
    const std::string size = std::to_string(w) + "x" + std::to_string(h);
    if (budget > 0 && need > budget) {
      if (++n_refused > 10) continue;  // the first ten are enough to see what to change
      int fits = largest_fitting_size(16, static_cast<int>(std::max(h, w)), [&](int px) {
        return fast_job_peak_bytes(h, w, file_bytes, px, on_host, net) <= budget;
      });
      refused += "\n  " + j.input + " (" + size + "): needs about " + mib_text(need) + "; " +
                 (fits ? "--size " + std::to_string(fits) + " or less fits"
                       : "no --size fits (decoding the file alone needs more)");
    } else if (need > (int64_t{1} << 30)) {
      std::printf("memory: %s (%s) needs about %s%s\n", j.input.c_str(), size.c_str(), mib_text(need).c_str(),
                  budget > 0 ? (" of the " + mib_text(budget) + " allowed (--max-memory)").c_str() : "");
    }
  }
  if (n_refused > 10) refused += "\n  ... and " + std::to_string(n_refused - 10) + " more";
  if (n_refused) throw memory_refusal(n_refused, "image", budget, refused);
}

int run_fast_jobs(const FastStyleNet& net, const std::vector<ImageJob>& jobs, int long_side, int median) {
  std::vector<std::string> files;
  for (const ImageJob& j : jobs) files.push_back(j.input);
  BatchSummary summary(files, "stylised", "size or error");
  const auto& items = net.params().items();  // a converted layer list has no "conv1.weight"
  const Device device = items.empty() ? Device::CPU : items.begin()->second.value().device();
  int n = static_cast<int>(jobs.size());
  for (int k = 0; k < n; ++k) {
    const ImageJob& j = jobs[static_cast<size_t>(k)];
    summary.start(static_cast<size_t>(k));
    auto t0 = std::chrono::steady_clock::now();
    try {
      Tensor img = load_image_rgb(j.input);
      const int min = net.min_side();
      auto [h, w] = fast_size(img.H(), img.W(), long_side, min);
      const auto plain = fast_size(img.H(), img.W(), long_side, 1);  // the aspect ratio kept, no minimum
      std::string note = raised_size_note(plain, {h, w}, min);
      if (!note.empty())
        std::fprintf(stderr, "[%d/%d] note: %s at --size %d %s\n", k + 1, n, j.input.c_str(), long_side, note.c_str());
      if (h < min || w < min)
        throw Error(j.input + ": the image is " + std::to_string(img.W()) + "x" + std::to_string(img.H()) +
                    " pixels; the fast-style transformer needs at least " + std::to_string(min) + "x" + std::to_string(min) +
                    "; --size PX resizes it first, each side to at least " + std::to_string(min));
      auto t1 = std::chrono::steady_clock::now();
      Tensor y = stylize_fast(net, img, long_side);  // on the CPU like img, so the time includes the device's work
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
      if (median > 1) y = median_filter(y, median);
      ensure_parent_dir(j.output);
      save_image(j.output, y);
      std::printf("[%d/%d] %s %lldx%lld -> %s %lldx%lld, %.2f s, peak memory %.0f MiB\n", k + 1, n, j.input.c_str(),
                  static_cast<long long>(img.W()), static_cast<long long>(img.H()), j.output.c_str(),
                  static_cast<long long>(y.W()), static_cast<long long>(y.H()), secs, peak_memory_mb(device));
      summary.finish(static_cast<size_t>(k), true,
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                     std::to_string(img.W()) + "x" + std::to_string(img.H()) + " -> " + j.output);
    } catch (const std::exception& e) {
      std::string why = e.what();  // the readers' errors already name the file
      if (why.find(j.input) == std::string::npos) why = j.input + ": " + why;
      // Not "skipped: ", which ctest reads as a skipped test.
      std::fprintf(stderr, "[%d/%d] warning: %s (image skipped)\n", k + 1, n, why.c_str());
      summary.finish(static_cast<size_t>(k), false,
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), why);
    }
    std::fflush(stdout);
  }
  if (n > 1) std::printf("\n%s", summary.table().c_str());
  std::fflush(stdout);
  return summary.failed();
}

}  // namespace app
}  // namespace ds
