// Loss curves as a PNG line chart: x = iteration (the index in each series), y = value, one
// coloured line per series, axes with numbered ticks, a light grid, a legend with the
// series' names in their colours, and a title.
//
// Values that cannot be drawn (NaN, inf, and <= 0 on a log axis) are skipped and break the
// line there. With no drawable value at all the chart is still written, with empty axes.
#pragma once
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace ds {
namespace app {

constexpr int kPlotWidth = 800, kPlotHeight = 480;

// The chart as a [1,3,kPlotHeight,kPlotWidth] image in [0,1]. series_names and series must
// have the same length (else ds::Error).
Tensor render_loss_plot(const std::vector<std::string>& series_names, const std::vector<std::vector<double>>& series,
                        bool log_y, const std::string& title = "loss");

// render_loss_plot written as an 8-bit PNG.
void save_loss_plot(const std::string& png, const std::vector<std::string>& series_names,
                    const std::vector<std::vector<double>>& series, bool log_y, const std::string& title = "loss");

// Tick positions for an axis over [lo, hi]: multiples of 1, 2 or 5 × 10^k, about `target`
// of them, all inside [lo, hi] (exposed for tests).
std::vector<double> nice_ticks(double lo, double hi, int target);

}  // namespace app
}  // namespace ds
