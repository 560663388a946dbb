// Float64 naive reference implementations ("oracles") of every op, written as plain loops
// straight from each op's definition, independently of the kernels they check.
#pragma once
#include <vector>

#include "tensor/params.h"
#include "tests/check.h"

namespace dst {

// pointwise and reductions (oracle_pointwise.cpp)
DTensor activation_ref(const DTensor& x, ds::Act act, double alpha);
DTensor binary_ref(ds::BinOp op, const DTensor& a, const DTensor& b);  // numpy broadcasting
DTensor scale_add_ref(const DTensor& x, double alpha, double beta);
DTensor sum_ref(const DTensor& x);
DTensor mean_ref(const DTensor& x);
DTensor mse_ref(const DTensor& a, const DTensor& b);
DTensor gram_ref(const DTensor& f, double scale);

// convolution (oracle_conv.cpp); b may be null
DTensor conv2d_ref(const DTensor& x, const DTensor& w, const DTensor* b, const ds::Conv2dParams& p);
DTensor conv_transpose2d_ref(const DTensor& x, const DTensor& w, const DTensor* b, const ds::Conv2dParams& p);

// pooling, normalisation, resampling (oracle_layers.cpp)
DTensor max_pool2d_ref(const DTensor& x, const ds::Pool2dParams& p);
DTensor avg_pool2d_ref(const DTensor& x, const ds::Pool2dParams& p);
DTensor global_avg_pool_ref(const DTensor& x);
DTensor batch_norm_ref(const DTensor& x, const DTensor& gamma, const DTensor& beta, const DTensor& mean,
                       const DTensor& var, double eps);
DTensor instance_norm_ref(const DTensor& x, const DTensor* gamma, const DTensor* beta, double eps);
DTensor resize_nearest_ref(const DTensor& x, int64_t h, int64_t w);
DTensor resize_bilinear_ref(const DTensor& x, int64_t h, int64_t w);
DTensor pad2d_ref(const DTensor& x, const ds::Pad2dParams& p, ds::PadMode mode);
DTensor concat_channels_ref(const std::vector<DTensor>& xs);

// warping by a flow field (oracle_warp.cpp): x [N,C,H,W], flow [N,2,H,W]
DTensor warp_ref(const DTensor& x, const DTensor& flow);

}  // namespace dst
