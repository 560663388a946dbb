// The YIQ matrix for colour tests, built in float64 from its definition (BT.601 luma and colour
// differences, turned by the NTSC 33°), independently of tensor/colour.cpp.
#pragma once
#include <array>
#include <cmath>

namespace dst {

using Mat3 = std::array<std::array<double, 3>, 3>;

// The FCC NTSC matrix as published to 4 digits (e.g. Wikipedia, "YIQ").
inline Mat3 yiq_published() { return {{{0.299, 0.587, 0.114}, {0.5959, -0.2746, -0.3213}, {0.2115, -0.5227, 0.3112}}}; }

inline Mat3 yiq_from_definition() {
  const double kr = 0.299, kg = 0.587, kb = 0.114;  // BT.601 luma
  const double u = 0.492111, v = 0.877283;           // U = u (B - Y), V = v (R - Y)
  const double a = 33.0 * std::acos(-1.0) / 180.0;
  Mat3 m{};
  m[0] = {kr, kg, kb};
  // R - Y and B - Y as rows over (R, G, B).
  const std::array<double, 3> ry = {1 - kr, -kg, -kb}, by = {-kr, -kg, 1 - kb};
  for (size_t k = 0; k < 3; ++k) {
    double V = v * ry[k], U = u * by[k];
    m[1][k] = V * std::cos(a) - U * std::sin(a);
    m[2][k] = V * std::sin(a) + U * std::cos(a);
  }
  return m;
}

}  // namespace dst
