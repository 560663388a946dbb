// The stylised fill of the background layer (issue 21, point 2): the naive fill repainted by a
// masked optimisation with the same style. Work in progress: waits for the stylize engine's hooks.
#pragma once
#include "apps/common/args.h"
#include "apps/common/outputs.h"
#include "apps/photo3d/ldi.h"

namespace ds {
namespace app {

// Declares the networks' weight files the stylised fill reads.
void plan_fill_networks(OutputPlan& plan, const Args& a);

// The LDI with its background samples stylised.
LayeredDepthImage stylize_fill(const LayeredDepthImage& ldi, const Tensor& content, const Args& a, int iters,
                               Device dev);

}  // namespace app
}  // namespace ds
