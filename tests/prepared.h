// Tests that need the prepared data folder (ds::prepared_dir(): $DEPTHSTYLE_PREPARED or data/,
// made by scripts/setup): its files by relative name, and the "skipped: no data" rule.
#pragma once
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "nn/pretrained.h"

namespace dst {

inline std::string prepared(const std::string& relative) { return ds::prepared_dir() + "/" + relative; }

// True (after saying "skipped: no data", which ctest reports as skipped) when one of the
// prepared files is absent.
inline bool skip_without_data(const std::vector<std::string>& relative) {
  for (const std::string& r : relative) {
    std::string p = prepared(r);
    if (std::filesystem::exists(p)) continue;
    MESSAGE("skipped: no data (" << p << " is missing; run scripts/setup)");
    std::printf("skipped: no data (%s is missing; run scripts/setup)\n", p.c_str());
    return true;
  }
  return false;
}

}  // namespace dst
