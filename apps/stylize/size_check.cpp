#include "apps/stylize/size_check.h"

#include <algorithm>
#include <cmath>

#include "nn/resize.h"
#include "tensor/error.h"

namespace ds {
namespace app {

namespace {

// The long side an h x w image needs so its short side is at least min_side: fit_long_side
// rounds short * L / long, so L = ceil(min_side * long / short) suffices.
int needed_long_side(int64_t h, int64_t w, int min_side) {
  double need = std::ceil(static_cast<double>(min_side) * static_cast<double>(std::max(h, w)) /
                          static_cast<double>(std::max<int64_t>(1, std::min(h, w))));
  return static_cast<int>(std::min(need, 1e9));
}

std::string size_text(int64_t h, int64_t w) { return std::to_string(w) + "x" + std::to_string(h); }

}  // namespace

SizeCheck::SizeCheck(const SizePlan& plan, int min_side, std::string net)
    : plan_(plan), min_side_(min_side), net_(std::move(net)) {}

void SizeCheck::content(const std::string& what, int64_t h, int64_t w) {
  for (const ScaleStep& s : plan_.steps) {
    auto [sh, sw] = fit_long_side(h, w, s.long_side);
    if (std::min(sh, sw) < min_side_) {
      content_.push_back({what, sh, sw, s.long_side, needed_long_side(h, w, min_side_)});
      return;  // the first scale that fails is the one to fix
    }
  }
}

void SizeCheck::style(const std::string& what, int64_t h, int64_t w) {
  for (const ScaleStep& s : plan_.steps) {
    auto [sh, sw] = fit_long_side(h, w, plan_.style_long_side(s.long_side));
    if (std::min(sh, sw) < min_side_) {
      style_.push_back({what, sh, sw, s.long_side, needed_long_side(h, w, min_side_)});
      return;
    }
  }
}

// What makes the first working size at least `need` px, in the words the user chose.
std::string SizeCheck::working_hint(int need) const {
  int first = plan_.steps.front().long_side, last = plan_.steps.back().long_side;
  if (plan_.multires > 1) {
    int size = static_cast<int>(std::ceil(static_cast<double>(need) * last / first));
    if (size > kMaxSide) return "give fewer --multires scales (" + plan_.origin + " starts at " + std::to_string(first) + " px)";
    return "give --size " + std::to_string(size) + " or more, or fewer --multires scales (" + plan_.origin +
           " starts at " + std::to_string(first) + " px)";
  }
  if (need > kMaxSide)
    return "the image is too elongated: it would need a long side of " + std::to_string(need) + " px, above the maximum " +
           std::to_string(kMaxSide);
  if (plan_.multi()) return "start --scales at " + std::to_string(need) + " px or more";
  return "give --size " + std::to_string(need) + " or more";
}

std::string SizeCheck::style_hint(int need) const {
  if (plan_.style_size > 0)
    return need > kMaxSide ? "the style image is too elongated for any --style-size"
                           : "give --style-size " + std::to_string(need) + " or more";
  int first = plan_.steps.front().long_side;
  if (plan_.style_scale > 0) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "give --style-scale %.3g or more (at %d px)", std::ceil(1000.0 * need / first) / 1000, first);
    return buf;
  }
  std::string alt = need > kMaxSide ? "" : ", or --style-size " + std::to_string(need);
  return "the style images follow the working size (" + plan_.origin + "): " + working_hint(need) + alt;
}

std::string SizeCheck::message() const {
  if (content_.empty() && style_.empty()) return "";
  size_t n = content_.size() + style_.size();
  std::string m = std::to_string(n) + (n == 1 ? " image is" : " images are") + " smaller than the " +
                  std::to_string(min_side_) + "x" + std::to_string(min_side_) + " px that " + net_ +
                  " needs (each tapped layer must give at least a 1x1 output):";
  auto scale_of = [&](const Problem& p) {
    return plan_.multi() ? " at scale " + std::to_string(p.scale) + " px" : " at " + plan_.origin;
  };
  int need_c = 0, need_s = 0;
  for (const Problem& p : content_) {
    m += "\n  " + p.what + ": working size " + size_text(p.h, p.w) + scale_of(p);
    need_c = std::max(need_c, p.need);
  }
  std::string style_from = plan_.style_origin();
  for (const Problem& p : style_) {
    m += "\n  " + p.what + ": " + size_text(p.h, p.w) + scale_of(p) +
         (style_from.empty() ? "" : " (" + style_from + ")");
    need_s = std::max(need_s, p.need);
  }
  if (need_c) m += "\n" + working_hint(std::max(need_c, plan_.style_origin().empty() ? need_s : 0));
  if (need_s && !(need_c && plan_.style_origin().empty())) m += "\n" + style_hint(need_s);
  return m;
}

void SizeCheck::check() const {
  std::string m = message();
  if (!m.empty()) throw Error(m);
}

}  // namespace app
}  // namespace ds
