// Convolutions and transposed convolutions through cuDNN. CPU twin: tensor/cpu/conv.cpp
// (and conv_depthwise.cpp, whose grouped cases cuDNN covers with a group count).
//
// Asymmetric padding. cuDNN pads symmetrically, so padding (top, bottom) is split into a
// symmetric part min(top, bottom) given to cuDNN and the rest, applied explicitly by the
// pad2d kernel into a scratch tensor (zero padding; a negative rest crops). The backward
// passes use the same split: backward-data writes the gradient of the padded input and
// pad2d_backward crops it back; backward-filter convolves the padded input again. This works
// for every stride, unlike padding symmetrically and cropping the output.
//
// Transposed convolution with padding (top, bottom) and output padding op is the adjoint of
// the convolution with padding (top, bottom - op) from its output to its input, so:
//   forward         = that convolution's backward-data (+ bias),
//   backward-data   = that convolution's forward,
//   backward-filter = its backward-filter, with x and dy in swapped roles;
// bottom - op < 0 crops the last rows, which is why output padding needs no special case.
//
// Algorithms: measured once per problem (cudnnFind*AlgorithmEx on the first call's own
// buffers) and kept in an AlgoCache (tensor/algo_cache.h): the fastest deterministic one whose
// workspace fits the cap, else the fastest that fits. DEPTHSTYLE_CUDNN_WORKSPACE_MB,
// DEPTHSTYLE_CUDNN_DETERMINISTIC, DEPTHSTYLE_CUDNN_FIND=0 (heuristics only) and
// DEPTHSTYLE_CUDNN_CACHE=FILE (keep the choices across processes) change this; see
// docs/gpu-validation.md. Measuring synchronises and allocates, so it must happen before a
// CUDA graph capture (the warm-up iteration does it). The workspace is one buffer from the
// caching allocator, grown when an algorithm needs more.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "cuda/check.h"
#include "tensor/algo_cache.h"
#include "tensor/kernels.h"

namespace ds {
namespace cuda {

namespace {

// cuDNN descriptors, destroyed with their scope.
template <class T, cudnnStatus_t (*Create)(T*), cudnnStatus_t (*Destroy)(T)>
struct Desc {
  T d{};
  Desc() { DS_CUDNN_CHECK(Create(&d)); }
  ~Desc() { Destroy(d); }
  Desc(const Desc&) = delete;
  Desc& operator=(const Desc&) = delete;
  operator T() const { return d; }
};
using TensorDesc = Desc<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor>;
using FilterDesc = Desc<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor, cudnnDestroyFilterDescriptor>;
using ConvDesc = Desc<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor, cudnnDestroyConvolutionDescriptor>;

int to_int(int64_t v) { return static_cast<int>(v); }

// The padding split described at the top: `sym` for cuDNN, `extra` applied by pad2d.
struct PadSplit {
  int sym_h, sym_w;
  Pad2dParams extra;
  bool explicit_pad() const { return extra.top || extra.bottom || extra.left || extra.right; }
  Shape padded(const Shape& s) const {
    return {s[0], s[1], s[2] + extra.top + extra.bottom, s[3] + extra.left + extra.right};
  }
};

PadSplit split_padding(const Conv2dParams& p) {
  PadSplit s;
  s.sym_h = std::max(0, std::min(p.pad_top, p.pad_bottom));
  s.sym_w = std::max(0, std::min(p.pad_left, p.pad_right));
  s.extra.top = p.pad_top - s.sym_h;
  s.extra.bottom = p.pad_bottom - s.sym_h;
  s.extra.left = p.pad_left - s.sym_w;
  s.extra.right = p.pad_right - s.sym_w;
  return s;
}

enum class Pass { Forward, BackwardData, BackwardFilter };

// One convolution `in` [N,C,H,W] (already explicitly padded) -> `out` [N,K,Ho,Wo] with
// weight [K,C/groups,kh,kw] and symmetric padding, described for cuDNN.
struct Problem {
  TensorDesc in, out;
  FilterDesc w;
  ConvDesc conv;
  std::vector<int64_t> key;  // the problem the algorithm choice is cached under (AlgoCache::Key)

  Problem(Pass pass, const Shape& is, const Shape& ws, const Shape& os, const PadSplit& s, const Conv2dParams& p) {
    DS_CUDNN_CHECK(cudnnSetTensor4dDescriptor(in, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, to_int(is[0]), to_int(is[1]),
                                              to_int(is[2]), to_int(is[3])));
    DS_CUDNN_CHECK(cudnnSetTensor4dDescriptor(out, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, to_int(os[0]), to_int(os[1]),
                                              to_int(os[2]), to_int(os[3])));
    DS_CUDNN_CHECK(cudnnSetFilter4dDescriptor(w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, to_int(ws[0]), to_int(ws[1]),
                                              to_int(ws[2]), to_int(ws[3])));
    DS_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(conv, s.sym_h, s.sym_w, p.stride_h, p.stride_w, p.dil_h, p.dil_w,
                                                   CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    DS_CUDNN_CHECK(cudnnSetConvolutionGroupCount(conv, p.groups));
    bool tf32 = allow_tf32();
    DS_CUDNN_CHECK(cudnnSetConvolutionMathType(conv, tf32 ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH));
    int n = 0, c = 0, h = 0, wd = 0;  // a mismatch here is a bug in the geometry above, not in the caller
    DS_CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(conv, in, w, &n, &c, &h, &wd));
    if (Shape{n, c, h, wd} != os)
      throw Error("cuda conv: cuDNN computes output " + shape_str({n, c, h, wd}) + " for input " + shape_str(is) +
                  " and weight " + shape_str(ws) + ", expected " + shape_str(os) + " (" + p.str() + ")");
    key = {static_cast<int>(pass), CUDNN_DATA_FLOAT, s.sym_h, s.sym_w, p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.groups, tf32};
    for (const Shape* sh : {&is, &ws, &os})
      for (int64_t d : *sh) key.push_back(to_int(d));
  }
};

struct Choice {
  int algo;
  size_t workspace;
  cudnnMathType_t math;  // set on the descriptor before running
};

// cuDNN's results (heuristic ranking or measured times, best first) as trials for pick_algo.
// Without TF32, results needing tensor-op math are excluded and the rest run with FMA math
// (CUDNN_DEFAULT_MATH would allow TF32 on Ampere and newer).
template <class Perf>
std::vector<AlgoTrial> to_trials(const std::vector<Perf>& perf, int returned, bool measured) {
  bool tf32 = allow_tf32();
  std::vector<AlgoTrial> out;
  for (int i = 0; i < returned; ++i) {
    const Perf& r = perf[static_cast<size_t>(i)];
    AlgoTrial t;
    t.algo = static_cast<int>(r.algo);
    t.ok = r.status == CUDNN_STATUS_SUCCESS;
    t.ms = measured ? static_cast<double>(r.time) : i;  // heuristics: the rank stands for the time
    t.workspace = r.memory;
    t.deterministic = r.determinism == CUDNN_DETERMINISTIC;
    t.tensor_ops = r.mathType == CUDNN_TENSOR_OP_MATH || r.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
    t.math = tf32 ? r.mathType : CUDNN_FMA_MATH;
    out.push_back(t);
  }
  return out;
}

// The process's choices (tensor/algo_cache.h), loaded from DEPTHSTYLE_CUDNN_CACHE when set and
// written back after each new choice. Never destroyed, like the handles in runtime.cpp.
struct Algos {
  std::mutex mu;
  AlgoCache cache{policy_from_env()};
  std::string file, device;

  Algos() {
    const char* f = std::getenv("DEPTHSTYLE_CUDNN_CACHE");
    if (!f || !*f) return;
    file = f;
    int dev = 0;
    cudaDeviceProp prop{};
    DS_CUDA_CHECK(cudaGetDevice(&dev));
    DS_CUDA_CHECK(cudaGetDeviceProperties(&prop, dev));
    device = std::string(prop.name) + " sm_" + std::to_string(prop.major * 10 + prop.minor) + " cudnn " +
             std::to_string(cudnnGetVersion());
    std::replace(device.begin(), device.end(), '\n', ' ');
    std::string warning = cache.load(file, device);
    if (!warning.empty()) std::fprintf(stderr, "warning: %s\n", warning.c_str());
  }

  void remember(const std::vector<int64_t>& key, const Choice& c) {
    cache.insert(key, {c.algo, c.workspace, static_cast<int>(c.math)});
    if (file.empty()) return;
    try {
      cache.save(file, device);
    } catch (const Error& e) {  // the run goes on; only the file is given up
      std::fprintf(stderr, "warning: %s; the algorithm cache is no longer written\n", e.what());
      file.clear();
    }
  }
};

Algos& algos() {
  static Algos* a = new Algos;
  return *a;
}

// Runs `find` (a cudnnFind*AlgorithmEx call) with a workspace as large as the largest one the
// heuristics report within the cap, so every algorithm can be tried without holding the whole
// cap. Any failure (no memory for the workspace, a cuDNN error) falls back to the heuristics.
template <class Find>
std::vector<AlgoTrial> measured(const char* pass, const std::vector<AlgoTrial>& heuristic, size_t cap, Find find) {
  size_t bytes = 0;
  for (const AlgoTrial& t : heuristic)
    if (t.ok && t.workspace <= cap) bytes = std::max(bytes, t.workspace);
  try {
    DeviceBuffer ws(bytes);
    return find(ws.as<void>(), bytes);
  } catch (const Error& e) {
    std::fprintf(stderr, "warning: cuda conv: measuring %s algorithms failed (%s); using cuDNN's heuristics\n",
                 pass, e.what());
    return {};
  }
}

// The algorithm for problem `pr`, measured on the caller's buffers the first time: a and b
// are the pass's two inputs (forward: x, w; backward-data: w, dy; backward-filter: x, dy) and
// `out` its output, which the trials overwrite (the real call that follows writes it again).
Choice choose(Pass pass, const Problem& pr, const void* a, const void* b, void* out) {
  Algos& al = algos();
  std::lock_guard<std::mutex> lock(al.mu);
  if (const AlgoChoice* hit = al.cache.find(pr.key))
    return {hit->algo, hit->workspace, static_cast<cudnnMathType_t>(hit->math)};
  const AlgoPolicy& policy = al.cache.policy();
  cudnnHandle_t h = cudnn_handle();
  int n = 0;
  std::vector<AlgoTrial> heuristic, timed;
  const char* name = pass == Pass::Forward ? "forward" : pass == Pass::BackwardData ? "backward-data" : "backward-filter";
  auto run = [&](auto& perf, auto get, auto find) {
    DS_CUDNN_CHECK(get(to_int(perf.size()), &n, perf.data()));
    heuristic = to_trials(perf, n, false);
    if (policy.measure)
      timed = measured(name, heuristic, policy.workspace_cap, [&](void* ws, size_t bytes) {
        DS_CUDNN_CHECK(find(to_int(perf.size()), &n, perf.data(), ws, bytes));
        return to_trials(perf, n, true);
      });
  };
  if (pass == Pass::Forward) {
    std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(CUDNN_CONVOLUTION_FWD_ALGO_COUNT);
    run(perf,
        [&](int k, int* m, cudnnConvolutionFwdAlgoPerf_t* r) {
          return cudnnGetConvolutionForwardAlgorithm_v7(h, pr.in, pr.w, pr.conv, pr.out, k, m, r);
        },
        [&](int k, int* m, cudnnConvolutionFwdAlgoPerf_t* r, void* ws, size_t bytes) {
          return cudnnFindConvolutionForwardAlgorithmEx(h, pr.in, a, pr.w, b, pr.conv, pr.out, out, k, m, r, ws, bytes);
        });
  } else if (pass == Pass::BackwardData) {
    std::vector<cudnnConvolutionBwdDataAlgoPerf_t> perf(CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT);
    run(perf,
        [&](int k, int* m, cudnnConvolutionBwdDataAlgoPerf_t* r) {
          return cudnnGetConvolutionBackwardDataAlgorithm_v7(h, pr.w, pr.out, pr.conv, pr.in, k, m, r);
        },
        [&](int k, int* m, cudnnConvolutionBwdDataAlgoPerf_t* r, void* ws, size_t bytes) {
          return cudnnFindConvolutionBackwardDataAlgorithmEx(h, pr.w, a, pr.out, b, pr.conv, pr.in, out, k, m, r, ws,
                                                             bytes);
        });
  } else {
    std::vector<cudnnConvolutionBwdFilterAlgoPerf_t> perf(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT);
    run(perf,
        [&](int k, int* m, cudnnConvolutionBwdFilterAlgoPerf_t* r) {
          return cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, pr.in, pr.out, pr.conv, pr.w, k, m, r);
        },
        [&](int k, int* m, cudnnConvolutionBwdFilterAlgoPerf_t* r, void* ws, size_t bytes) {
          return cudnnFindConvolutionBackwardFilterAlgorithmEx(h, pr.in, a, pr.out, b, pr.conv, pr.w, out, k, m, r, ws,
                                                               bytes);
        });
  }
  std::optional<AlgoChoice> pick = pick_algo(timed, policy, allow_tf32());
  if (!pick) pick = pick_algo(heuristic, policy, allow_tf32());
  if (!pick) throw Error(std::string("cuda conv: cuDNN offers no usable ") + name + " algorithm for this shape");
  Choice c{pick->algo, 0, static_cast<cudnnMathType_t>(pick->math)};
  // The exact workspace under the math type it runs with.
  DS_CUDNN_CHECK(cudnnSetConvolutionMathType(pr.conv, c.math));
  if (pass == Pass::Forward)
    DS_CUDNN_CHECK(cudnnGetConvolutionForwardWorkspaceSize(h, pr.in, pr.w, pr.conv, pr.out,
                                                           static_cast<cudnnConvolutionFwdAlgo_t>(c.algo), &c.workspace));
  else if (pass == Pass::BackwardData)
    DS_CUDNN_CHECK(cudnnGetConvolutionBackwardDataWorkspaceSize(
        h, pr.w, pr.out, pr.conv, pr.in, static_cast<cudnnConvolutionBwdDataAlgo_t>(c.algo), &c.workspace));
  else
    DS_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterWorkspaceSize(
        h, pr.in, pr.out, pr.conv, pr.w, static_cast<cudnnConvolutionBwdFilterAlgo_t>(c.algo), &c.workspace));
  al.remember(pr.key, c);
  return c;
}

// The shared workspace, grown to the largest size asked so far (work is stream-ordered,
// so one buffer serves every call).
void* workspace(size_t bytes) {
  static void* p = nullptr;
  static size_t size = 0;
  if (bytes > size) {
    release(p);
    p = nullptr;  // stays consistent if alloc throws
    size = 0;
    p = alloc(bytes);
    size = bytes;
  }
  return p;
}

// `in` with the explicit part of the padding applied (or `in` itself when there is none).
Tensor explicitly_padded(const Tensor& in, const PadSplit& s) {
  if (!s.explicit_pad()) return in;
  Tensor t = Tensor::empty(s.padded(in.shape()), Device::CUDA);
  pad2d_forward(in, t, s.extra, PadMode::Zero);
  return t;
}

const float kOne = 1.0f, kZero = 0.0f;

// out = conv(in, w) with padding p.
void run_forward(const Tensor& in, const Tensor& w, Tensor& out, const Conv2dParams& p) {
  PadSplit s = split_padding(p);
  Tensor src = explicitly_padded(in, s);
  Problem pr(Pass::Forward, src.shape(), w.shape(), out.shape(), s, p);
  Choice c = choose(Pass::Forward, pr, src.data(), w.data(), out.data());
  DS_CUDNN_CHECK(cudnnSetConvolutionMathType(pr.conv, c.math));
  DS_CUDNN_CHECK(cudnnConvolutionForward(cudnn_handle(), &kOne, pr.in, src.data(), pr.w, w.data(), pr.conv,
                                         static_cast<cudnnConvolutionFwdAlgo_t>(c.algo), workspace(c.workspace),
                                         c.workspace, &kZero, pr.out, out.data()));
}

// din = gradient of conv(in, w) with respect to in, given dout.
void run_backward_data(const Tensor& dout, const Tensor& w, Tensor& din, const Conv2dParams& p) {
  PadSplit s = split_padding(p);
  Tensor dst = s.explicit_pad() ? Tensor::empty(s.padded(din.shape()), Device::CUDA) : din;
  Problem pr(Pass::BackwardData, dst.shape(), w.shape(), dout.shape(), s, p);
  Choice c = choose(Pass::BackwardData, pr, w.data(), dout.data(), dst.data());
  DS_CUDNN_CHECK(cudnnSetConvolutionMathType(pr.conv, c.math));
  DS_CUDNN_CHECK(cudnnConvolutionBackwardData(cudnn_handle(), &kOne, pr.w, w.data(), pr.out, dout.data(), pr.conv,
                                              static_cast<cudnnConvolutionBwdDataAlgo_t>(c.algo),
                                              workspace(c.workspace), c.workspace, &kZero, pr.in, dst.data()));
  if (s.explicit_pad()) pad2d_backward(dst, din, s.extra, PadMode::Zero);
}

// dw = gradient of conv(in, w) with respect to w, given dout.
void run_backward_filter(const Tensor& dout, const Tensor& in, Tensor& dw, const Conv2dParams& p) {
  PadSplit s = split_padding(p);
  Tensor src = explicitly_padded(in, s);
  Problem pr(Pass::BackwardFilter, src.shape(), dw.shape(), dout.shape(), s, p);
  Choice c = choose(Pass::BackwardFilter, pr, src.data(), dout.data(), dw.data());
  DS_CUDNN_CHECK(cudnnSetConvolutionMathType(pr.conv, c.math));
  DS_CUDNN_CHECK(cudnnConvolutionBackwardFilter(cudnn_handle(), &kOne, pr.in, src.data(), pr.out, dout.data(), pr.conv,
                                                static_cast<cudnnConvolutionBwdFilterAlgo_t>(c.algo),
                                                workspace(c.workspace), c.workspace, &kZero, pr.w, dw.data()));
}

// y += b per channel, through the broadcasting add kernel (y aliases its first operand).
void add_bias(Tensor& y, const Tensor& b) {
  if (b.defined()) binary_forward(BinOp::Add, y, b.reshape({1, y.shape()[1], 1, 1}), y);
}

// The convolution whose adjoint the transposed convolution with parameters p is.
Conv2dParams adjoint_of_transposed(const Conv2dParams& p) {
  Conv2dParams q = p;
  q.pad_bottom -= p.out_pad_h;
  q.pad_right -= p.out_pad_w;
  q.out_pad_h = q.out_pad_w = 0;
  return q;
}

// Reflection padding (Conv2dParams::pad_mode), which cuDNN does not have: the unpadded
// convolution of a padded copy (pad2d_forward), and the input gradient of the padded input folded
// back by pad2d_backward, as ReflectionPad2d before the convolution would do.
Tensor padded_empty(const Tensor& like, const Conv2dParams& p) {  // like [N, C, H, W], padded
  const Shape& s = like.shape();
  return Tensor::empty({s[0], s[1], s[2] + p.pad_top + p.pad_bottom, s[3] + p.pad_left + p.pad_right}, like.device());
}
Tensor reflection_padded(const Tensor& x, const Conv2dParams& p) {
  Tensor xp = padded_empty(x, p);
  pad2d_forward(x, xp, p.padding(), PadMode::Reflect);
  return xp;
}

}  // namespace

void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y, const Conv2dParams& p) {
  if (p.upsample > 1) {  // (autograd enlarges the input before CUDA; this is for direct callers)
    const Shape& s = x.shape();
    Tensor xu = Tensor::empty({s[0], s[1], s[2] * p.upsample, s[3] * p.upsample}, x.device());
    resize_nearest_forward(x, xu);
    return conv2d_forward(xu, w, b, y, p.not_upsampled());
  }
  if (p.pad_mode == PadMode::Reflect)
    run_forward(reflection_padded(x, p), w, y, p.unpadded());
  else
    run_forward(x, w, y, p);
  add_bias(y, b);
}

void conv2d_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx, const Conv2dParams& p) {
  check_not_upsampled("conv2d_backward_data", p);
  if (p.pad_mode == PadMode::Reflect) {
    Tensor dxp = padded_empty(dx, p);
    run_backward_data(dy, w, dxp, p.unpadded());
    return pad2d_backward(dxp, dx, p.padding(), PadMode::Reflect);
  }
  run_backward_data(dy, w, dx, p);
}

void conv2d_backward_filter(const Tensor& dy, const Tensor& x, Tensor& dw, const Conv2dParams& p) {
  check_not_upsampled("conv2d_backward_filter", p);
  if (p.pad_mode == PadMode::Reflect) return run_backward_filter(dy, reflection_padded(x, p), dw, p.unpadded());
  run_backward_filter(dy, x, dw, p);
}

void conv_transpose2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y, const Conv2dParams& p) {
  run_backward_data(x, w, y, adjoint_of_transposed(p));
  add_bias(y, b);
}

void conv_transpose2d_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx, const Conv2dParams& p) {
  run_forward(dy, w, dx, adjoint_of_transposed(p));
}

void conv_transpose2d_backward_filter(const Tensor& dy, const Tensor& x, Tensor& dw, const Conv2dParams& p) {
  run_backward_filter(x, dy, dw, adjoint_of_transposed(p));
}

}  // namespace cuda
}  // namespace ds
