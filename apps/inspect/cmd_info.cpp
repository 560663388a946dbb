// depthstyle info FILE.h5: what a weight (or features, or checkpoint) file holds.
#include <cstdio>
#include <map>
#include <string>

#include "apps/depthstyle/commands.h"
#include "apps/common/args.h"
#include "weights/weights.h"

namespace ds {
namespace app {

int cmd_info(int argc, char** argv) {
  Args a("depthstyle info [options] FILE.h5",
         "Prints a project HDF5 file's architecture, format version, input preprocessing,\n"
         "attributes and parameters (name, shape, count); for a file of `depthstyle features`,\n"
         "its activations. Parameters holding NaN or infinity (which every command that loads\n"
         "the file refuses) are counted and marked.");
  a.flag("--brief", "omit the per-parameter list");
  if (!a.parse(argc, argv, 1, 1, "one FILE.h5")) return 0;
  WeightFile f = load_weights(a.positional()[0], "", NonFinite::Allow);
  std::map<std::string, NonFiniteCount> bad;  // describing a broken file is this command's job
  NonFiniteCount all;
  for (const auto& [name, t] : f.params) {
    NonFiniteCount c = count_nonfinite(t);
    if (c.total() == 0) continue;
    bad[name] = c;
    all.nan += c.nan;
    all.inf += c.inf;
  }
  // A features file (apps/inspect/cmd_features.cpp) stores a network's activations, not weights.
  const char* what = f.architecture == "features" ? "activations" : "parameters";
  std::printf("file          %s\narchitecture  %s\nformat        %d\n%-13s %lld in %zu tensors\n", f.path.c_str(),
              f.architecture.c_str(), f.format_version, what, static_cast<long long>(f.param_count()), f.params.size());
  if (f.preprocessing.present) {
    const WeightPreprocessing& p = f.preprocessing;
    std::printf("input         %s, values 0..%g, mean [%g, %g, %g], std [%g, %g, %g]\n", p.channel_order.c_str(),
                p.value_scale, p.mean[0], p.mean[1], p.mean[2], p.std[0], p.std[1], p.std[2]);
  }
  if (!bad.empty())
    std::printf("NOT FINITE    %lld NaN and %lld infinite values in %zu tensors (commands refuse this file)\n",
                static_cast<long long>(all.nan), static_cast<long long>(all.inf), bad.size());
  std::printf("attributes\n");
  for (const auto& [name, v] : f.attrs) {
    std::string text = v.str();  // a multi-line value (a transformer_graph's graph) stays in its column
    for (size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 1))
      text.insert(at + 1, std::string(25, ' '));
    std::printf("  %-22s %s\n", name.c_str(), text.c_str());
  }
  if (!a.has("--brief")) {
    std::printf("%s\n", what);
    for (const auto& [name, t] : f.params) {
      std::string note;
      if (auto it = bad.find(name); it != bad.end())
        note = "  NOT FINITE: " + std::to_string(it->second.nan) + " NaN, " + std::to_string(it->second.inf) + " infinite";
      std::printf("  %-40s %-20s %lld%s\n", name.c_str(), shape_str(t.shape()).c_str(), static_cast<long long>(t.numel()),
                  note.c_str());
    }
  }
  return 0;
}

}  // namespace app
}  // namespace ds
