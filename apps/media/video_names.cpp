// The text side of apps/media/video_io.h: rates, sequence patterns and output names.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>

#include "apps/media/video_io.h"
#include "tensor/error.h"
#include "tensor/file_util.h"

namespace ds {
namespace app {

namespace {

// One printf integer conversion: %d, %5d or %05d (what FFmpeg's image2 demuxer accepts).
const std::regex& sequence_regex() {
  static const std::regex re("%0?[0-9]*d");
  return re;
}

}  // namespace

std::string Rational::str() const {
  char buf[64];
  if (den == 1) std::snprintf(buf, sizeof buf, "%d", num);
  else std::snprintf(buf, sizeof buf, "%d/%d (%.3g)", num, den, value());
  return buf;
}

Rational parse_rate(const std::string& text, const std::string& what) {
  auto bad = [&] { return Error(what + ": '" + text + "' is not a frame rate (expected e.g. 25, 29.97 or 30000/1001, at most 1000)"); };
  Rational r;
  char* end = nullptr;
  size_t slash = text.find('/');
  if (slash != std::string::npos) {
    long n = std::strtol(text.c_str(), &end, 10), d = 0;
    if (end != text.c_str() + slash) throw bad();
    d = std::strtol(text.c_str() + slash + 1, &end, 10);
    if (*end || n <= 0 || d <= 0 || n > 1000L * d || n > 1000000000L || d > 1000000000L) throw bad();
    r = {static_cast<int>(n), static_cast<int>(d)};
  } else {
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end || !(v > 0) || v > 1000) throw bad();
    // 29.97 -> 30000/1001, 23.976 -> 24000/1001, whole numbers exact; else thousandths.
    double ntsc = v * 1.001;
    if (std::fabs(ntsc - std::round(ntsc)) < 0.01 && std::fabs(v - std::round(v)) > 0.001)
      r = {static_cast<int>(std::lround(ntsc)) * 1000, 1001};
    else if (std::fabs(v - std::round(v)) < 1e-9)
      r = {static_cast<int>(std::lround(v)), 1};
    else
      r = {static_cast<int>(std::lround(v * 1000)), 1000};
  }
  return r;
}

bool is_image_sequence(const std::string& path) { return std::regex_search(path, sequence_regex()); }

std::string sequence_frame_path(const std::string& pattern, int64_t number) {
  std::smatch m;
  if (!std::regex_search(pattern, m, sequence_regex())) return pattern;
  char buf[64];
  std::snprintf(buf, sizeof buf, m.str().replace(m.str().size() - 1, 1, "lld").c_str(), static_cast<long long>(number));
  return m.prefix().str() + buf + m.suffix().str();
}

std::vector<int64_t> sequence_numbers(const std::string& pattern) {
  std::smatch m;
  std::vector<int64_t> numbers;
  if (!std::regex_search(pattern, m, sequence_regex())) return numbers;
  const std::string prefix = m.prefix().str(), suffix = m.suffix().str();
  if (suffix.find('/') != std::string::npos) return numbers;  // the number names a folder
  const size_t slash = prefix.rfind('/');
  const std::string folder = slash == std::string::npos ? "." : prefix.substr(0, slash + 1);
  const std::string stem = slash == std::string::npos ? prefix : prefix.substr(slash + 1);
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= stem.size() + suffix.size() || name.compare(0, stem.size(), stem) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string digits = name.substr(stem.size(), name.size() - stem.size() - suffix.size());
    if (digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const int64_t n = std::stoll(digits);
    // Only the exact name the pattern gives for n (the width and zero padding must match).
    if (std::filesystem::path(sequence_frame_path(pattern, n)).filename() == name) numbers.push_back(n);
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

std::string check_video_output(const std::string& path) {
  std::string ext = lower_extension(path);
  if (is_image_sequence(path)) {
    if (ext == ".png") return "PNG sequence";
    throw Error(path + ": an image sequence is written as PNG files: name it like frames/%05d.png");
  }
  if (ext == ".mp4" || ext == ".m4v" || ext == ".mov" || ext == ".mkv") return "H.264";
  if (ext == ".webm") return "VP9";
  if (ext == ".gif") return "GIF";
  throw Error(path + ": cannot write video of this kind; the output name picks the format: .mp4, .m4v, .mov or .mkv "
              "(H.264), .webm (VP9), .gif, or a PNG sequence pattern such as frames/%05d.png");
}

}  // namespace app
}  // namespace ds
