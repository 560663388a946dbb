// Choice of the CPU algorithm for 3x3, stride-1, dilation-1, ungrouped convolutions (forward
// and input gradient; the weight gradient always uses im2col + GEMM):
//   Im2col      - no Winograd: im2col + GEMM (tensor/cpu/conv.cpp), or the direct kernel where
//                 it takes the shape (1-4 input or output channels);
//   WinogradF2  - Winograd F(2x2, 3x3) (tensor/cpu/winograd.cpp) where it applies;
//   WinogradF4  - Winograd F(4x4, 3x3) where it applies (points 0, 1, -1, 2, -1/2: within the
//                 golden-model bound through every network, tests/README.md);
//   Auto        - per shape, the fastest as measured (the rule in winograd.cpp, numbers in
//                 docs/benchmarks.md): F(4x4) on large layers, F(2x2) on medium ones.
// The choice starts from the environment variable DEPTHSTYLE_CONV=auto|im2col|winograd|
// winograd-f2|winograd-f4 ("winograd" = winograd-f2; read on first use; unset or empty: auto;
// anything else is a ds::Error). Tests and the benchmark switch it in code.
#pragma once

#include <string>

#include "tensor/kernels.h"

namespace ds {
namespace cpu {

enum class ConvAlgo { Auto, Im2col, WinogradF2, WinogradF4 };

const char* conv_algo_name(ConvAlgo a);  // "auto" | "im2col" | "winograd-f2" | "winograd-f4"
ConvAlgo conv_algo();                    // the current choice
void set_conv_algo(ConvAlgo a);
// The choice a DEPTHSTYLE_CONV value names; throws ds::Error naming the variable, the value and
// the accepted ones for anything else.
ConvAlgo conv_algo_from_string(const std::string& s);

// The Winograd tile size m (2 or 4) the current choice uses for the convolution from x-space
// xs [N, Cin, H, W] to y-space ys [N, Cout, Ho, Wo] with weight ws [Cout, Cin, kh, kw] (only
// kh, kw are read): its forward (backward = false) or its input gradient (backward = true,
// also a transposed conv's forward); 0 for im2col + GEMM.
int conv_winograd_tile(const Shape& xs, const Shape& ws, const Shape& ys, const Conv2dParams& p, bool backward);

// An upper bound of the buffers one thread of the Winograd kernel keeps for that convolution
// (tile m, c input and o output channels, ho x wo output pixels), in bytes: one band's
// transformed tiles V and products M (winograd_kernel.inc's Image: at least 128 tiles or whole
// tile rows, at most 16 MB) and its input rows. The buffers are per thread and kept between
// calls, so a memory estimate counts them once per thread (cpu_threads()).
int64_t winograd_scratch_bytes(int m, int64_t c, int64_t o, int64_t ho, int64_t wo);
int cpu_threads();  // the threads a CPU kernel called outside a parallel region uses

}  // namespace cpu
}  // namespace ds
