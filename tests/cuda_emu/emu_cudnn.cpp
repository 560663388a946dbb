// cuda_emu: naive cuDNN convolutions (what and why: cudnn.h here). The rules checked are those
// of NVIDIA's cuDNN 9 API reference for the legacy convolution functions:
//   - NCHW float tensors, packed; filter [K, C/groups, R, S]; the input's C = filter C * groups,
//     K divisible by groups; pad >= 0, stride and dilation >= 1;
//   - output [N, K, Ho, Wo], Ho = 1 + (H + 2 pad_h - ((R - 1) dil_h + 1)) / u (the same for W);
//   - data pointers in device memory, alpha/beta in host memory; when beta is 0 the output is
//     not read; an output may not overlap an input;
//   - the workspace holds at least the algorithm's size (Get*WorkspaceSize), may be used whole
//     (filled with NaN here, so results cannot depend on it), and may be null only when 0.
// CUDNN_CONVOLUTION flips the filter, CUDNN_CROSS_CORRELATION does not. Every algorithm computes
// the definition, summed in double; they differ only in workspace, determinism and the times
// Find reports, which are chosen so that the fastest deterministic one needs a workspace.
#include <algorithm>
#include <cstring>
#include <vector>

#include "cudnn.h"

struct cudnnContext {
  cudaStream_t stream = nullptr;
};
struct cudnnTensorStruct {
  bool set = false;
  int n = 0, c = 0, h = 0, w = 0;
};
struct cudnnFilterStruct {
  bool set = false;
  int k = 0, c = 0, h = 0, w = 0;
};
struct cudnnConvolutionStruct {
  bool set = false;
  int pad_h = 0, pad_w = 0, u = 1, v = 1, dil_h = 1, dil_w = 1, groups = 1;
  cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
  cudnnMathType_t math = CUDNN_DEFAULT_MATH;
};

namespace {

cudnnStatus_t ok() { return CUDNN_STATUS_SUCCESS; }
cudnnStatus_t bad() { return CUDNN_STATUS_BAD_PARAM; }

size_t elems(const cudnnTensorStruct& t) { return size_t(t.n) * t.c * t.h * t.w; }
size_t elems(const cudnnFilterStruct& f) { return size_t(f.k) * f.c * f.h * f.w; }

int out_size(int in, int pad, int k, int dil, int stride) { return 1 + (in + 2 * pad - ((k - 1) * dil + 1)) / stride; }

// A convolution the descriptors describe, checked.
struct Geometry {
  int N, C, H, W, K, Cg, Kg, R, S, Ho, Wo;
  const cudnnConvolutionStruct* conv;
};

cudnnStatus_t geometry(cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w, cudnnConvolutionDescriptor_t conv,
                       cudnnTensorDescriptor_t y, Geometry& g) {
  if (!x || !w || !conv || !y || !x->set || !w->set || !conv->set || !y->set) return bad();
  const int G = conv->groups;
  if (x->c != w->c * G || w->k % G != 0) return bad();
  if ((w->h - 1) * conv->dil_h + 1 > x->h + 2 * conv->pad_h || (w->w - 1) * conv->dil_w + 1 > x->w + 2 * conv->pad_w)
    return bad();
  g = {x->n, x->c, x->h, x->w, w->k, w->c, w->k / G, w->h, w->w,
       out_size(x->h, conv->pad_h, w->h, conv->dil_h, conv->u), out_size(x->w, conv->pad_w, w->w, conv->dil_w, conv->v),
       conv};
  if (y->n != g.N || y->c != g.K || y->h != g.Ho || y->w != g.Wo) return bad();
  return ok();
}

// f(x index, w index, y index) for every product term of the convolution.
template <class F>
void each_term(const Geometry& g, F f) {
  const cudnnConvolutionStruct& c = *g.conv;
  const bool flip = c.mode == CUDNN_CONVOLUTION;
  for (int n = 0; n < g.N; ++n)
    for (int k = 0; k < g.K; ++k) {
      const int group = k / g.Kg;
      for (int oh = 0; oh < g.Ho; ++oh)
        for (int ow = 0; ow < g.Wo; ++ow) {
          const size_t yi = ((size_t(n) * g.K + k) * g.Ho + oh) * g.Wo + ow;
          for (int ci = 0; ci < g.Cg; ++ci)
            for (int r = 0; r < g.R; ++r) {
              const int ih = oh * c.u - c.pad_h + r * c.dil_h;
              if (ih < 0 || ih >= g.H) continue;
              for (int s = 0; s < g.S; ++s) {
                const int iw = ow * c.v - c.pad_w + s * c.dil_w;
                if (iw < 0 || iw >= g.W) continue;
                const int fr = flip ? g.R - 1 - r : r, fs = flip ? g.S - 1 - s : s;
                const size_t xi = ((size_t(n) * g.C + group * g.Cg + ci) * g.H + ih) * g.W + iw;
                const size_t wi = ((size_t(k) * g.Cg + ci) * g.R + fr) * g.S + fs;
                f(xi, wi, yi);
              }
            }
        }
    }
}

// out = alpha * acc + beta * out, out not read when beta is 0.
void write(float* out, const std::vector<double>& acc, const void* alpha, const void* beta) {
  const float a = *static_cast<const float*>(alpha), b = *static_cast<const float*>(beta);
  for (size_t i = 0; i < acc.size(); ++i)
    out[i] = static_cast<float>(a * acc[i] + (b == 0.0f ? 0.0 : static_cast<double>(b) * out[i]));
}

bool overlaps(const void* a, size_t na, const void* b, size_t nb) {
  const char *p = static_cast<const char*>(a), *q = static_cast<const char*>(b);
  return p < q + nb && q < p + na;
}

// The emulated algorithms of one pass; each needs ws_per_elem bytes of workspace per element of
// the pass's output (ws_elems).
struct Algo {
  int id;
  bool deterministic;
  float ms;            // what Find reports
  size_t ws_per_elem;
};
enum class Pass { Forward, BackwardData, BackwardFilter };
const std::vector<Algo>& algos(Pass p) {
  static const std::vector<Algo> fwd = {{CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, true, 3.0f, 0},
                                        {CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, true, 1.0f, 4},
                                        {CUDNN_CONVOLUTION_FWD_ALGO_GEMM, true, 2.0f, 16}};
  static const std::vector<Algo> bwd_data = {{CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, false, 1.0f, 0},
                                             {CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, true, 2.0f, 4}};
  static const std::vector<Algo> bwd_filter = {{CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, false, 1.0f, 0},
                                               {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, true, 2.0f, 4},
                                               {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3, false, 1.5f, 0}};
  return p == Pass::Forward ? fwd : p == Pass::BackwardData ? bwd_data : bwd_filter;
}
const Algo* find_algo(Pass p, int id) {
  for (const Algo& a : algos(p))
    if (a.id == id) return &a;
  return nullptr;
}
// The workspace scales with the pass's output: y, dx or dw.
size_t ws_elems(Pass p, const Geometry& g) {
  return p == Pass::Forward        ? size_t(g.N) * g.K * g.Ho * g.Wo
         : p == Pass::BackwardData ? size_t(g.N) * g.C * g.H * g.W
                                   : size_t(g.K) * g.Cg * g.R * g.S;
}

cudnnStatus_t workspace_size(Pass p, const Geometry& g, int algo, size_t* bytes) {
  const Algo* a = find_algo(p, algo);
  if (!a) return CUDNN_STATUS_NOT_SUPPORTED;
  *bytes = a->ws_per_elem * ws_elems(p, g);
  return ok();
}

// One call: the pass's two inputs (forward: x, w; backward-data: w, dy; backward-filter: x, dy)
// and its output, with their sizes in floats.
struct Call {
  Pass pass;
  const Geometry& g;
  const void *a, *b;
  size_t na, nb;
  void* out;
  size_t nout;
};

cudnnStatus_t check_data(const Call& c) {
  const size_t fa = c.na * sizeof(float), fb = c.nb * sizeof(float), fo = c.nout * sizeof(float);
  if (!cuda_emu::is_device_range(c.a, fa) || !cuda_emu::is_device_range(c.b, fb) ||
      !cuda_emu::is_device_range(c.out, fo))
    return bad();
  if (overlaps(c.out, fo, c.a, fa) || overlaps(c.out, fo, c.b, fb)) return bad();
  return ok();
}

void compute(const Call& c, const void* alpha, const void* beta) {
  const float* a = static_cast<const float*>(c.a);
  const float* b = static_cast<const float*>(c.b);
  std::vector<double> acc(c.nout, 0.0);
  switch (c.pass) {
    case Pass::Forward:  // a = x, b = w
      each_term(c.g, [&](size_t xi, size_t wi, size_t yi) { acc[yi] += double(a[xi]) * b[wi]; });
      break;
    case Pass::BackwardData:  // a = w, b = dy
      each_term(c.g, [&](size_t xi, size_t wi, size_t yi) { acc[xi] += double(a[wi]) * b[yi]; });
      break;
    case Pass::BackwardFilter:  // a = x, b = dy
      each_term(c.g, [&](size_t xi, size_t wi, size_t yi) { acc[wi] += double(a[xi]) * b[yi]; });
      break;
  }
  write(static_cast<float*>(c.out), acc, alpha, beta);
}

bool host_scalar(const void* p) { return p && !cuda_emu::is_device_range(p, sizeof(float)); }

cudnnStatus_t run(cudnnHandle_t h, const Call& c, int algo, void* ws, size_t ws_bytes, const void* alpha,
                  const void* beta) {
  if (!h) return CUDNN_STATUS_NOT_INITIALIZED;
  if (!host_scalar(alpha) || !host_scalar(beta)) return bad();
  size_t need = 0;
  if (cudnnStatus_t s = workspace_size(c.pass, c.g, algo, &need)) return s;
  if (ws_bytes < need || (ws_bytes > 0 && !cuda_emu::is_device_range(ws, ws_bytes))) return bad();
  if (cudnnStatus_t s = check_data(c)) return s;
  if (ws_bytes > 0) std::memset(ws, 0xff, ws_bytes);
  compute(c, alpha, beta);
  return ok();
}

// Heuristics (measured = false: time -1, every algorithm usable) or Find (measured = true:
// the times above; an algorithm needing more than the given workspace fails): fastest first.
template <class Perf>
cudnnStatus_t rank(Pass pass, const Geometry& g, bool measured, size_t ws_bytes, int requested, int* returned,
                   Perf* results) {
  if (requested < 1 || !returned || !results) return bad();
  std::vector<Algo> list = algos(pass);
  std::stable_sort(list.begin(), list.end(), [](const Algo& x, const Algo& y) { return x.ms < y.ms; });
  *returned = std::min<int>(requested, static_cast<int>(list.size()));
  for (int i = 0; i < *returned; ++i) {
    const Algo& a = list[static_cast<size_t>(i)];
    Perf& r = results[i];
    r = Perf{};
    r.algo = static_cast<decltype(r.algo)>(a.id);
    r.memory = a.ws_per_elem * ws_elems(pass, g);
    r.status = measured && r.memory > ws_bytes ? CUDNN_STATUS_ALLOC_FAILED : CUDNN_STATUS_SUCCESS;
    r.time = measured ? a.ms : -1.0f;
    r.determinism = a.deterministic ? CUDNN_DETERMINISTIC : CUDNN_NON_DETERMINISTIC;
    r.mathType = g.conv->math;  // TF32 (tensor-op math) is not emulated: results are float32 either way
  }
  return ok();
}

// Find: checks and runs the pass once on the caller's buffers (cuDNN overwrites the output
// while timing), then ranks.
template <class Perf>
cudnnStatus_t find(cudnnHandle_t h, const Call& c, int requested, int* returned, Perf* results, void* ws,
                   size_t ws_bytes) {
  if (!h) return CUDNN_STATUS_NOT_INITIALIZED;
  if (ws_bytes > 0 && !cuda_emu::is_device_range(ws, ws_bytes)) return bad();
  if (cudnnStatus_t s = check_data(c)) return s;
  const float one = 1.0f, zero = 0.0f;
  if (ws_bytes > 0) std::memset(ws, 0xff, ws_bytes);
  compute(c, &one, &zero);
  return rank(c.pass, c.g, true, ws_bytes, requested, returned, results);
}

}  // namespace

// ---- handles and descriptors -------------------------------------------------------------

size_t cudnnGetVersion() { return CUDNN_VERSION; }

const char* cudnnGetErrorString(cudnnStatus_t s) {
  switch (s) {
    case CUDNN_STATUS_SUCCESS: return "CUDNN_STATUS_SUCCESS";
    case CUDNN_STATUS_NOT_INITIALIZED: return "CUDNN_STATUS_NOT_INITIALIZED";
    case CUDNN_STATUS_BAD_PARAM: return "CUDNN_STATUS_BAD_PARAM";
    case CUDNN_STATUS_BAD_PARAM_NULL_POINTER: return "CUDNN_STATUS_BAD_PARAM_NULL_POINTER";
    case CUDNN_STATUS_NOT_SUPPORTED: return "CUDNN_STATUS_NOT_SUPPORTED";
    case CUDNN_STATUS_INTERNAL_ERROR: return "CUDNN_STATUS_INTERNAL_ERROR";
    case CUDNN_STATUS_ALLOC_FAILED: return "CUDNN_STATUS_ALLOC_FAILED";
    case CUDNN_STATUS_EXECUTION_FAILED: return "CUDNN_STATUS_EXECUTION_FAILED";
  }
  return "CUDNN_STATUS_UNKNOWN";
}

cudnnStatus_t cudnnCreate(cudnnHandle_t* h) {
  if (!h) return CUDNN_STATUS_BAD_PARAM_NULL_POINTER;
  *h = new cudnnContext;
  return ok();
}
cudnnStatus_t cudnnDestroy(cudnnHandle_t h) {
  delete h;
  return ok();
}
cudnnStatus_t cudnnSetStream(cudnnHandle_t h, cudaStream_t s) {
  if (!h) return CUDNN_STATUS_NOT_INITIALIZED;
  h->stream = s;
  return ok();
}

template <class T>
cudnnStatus_t create(T** d) {
  if (!d) return CUDNN_STATUS_BAD_PARAM_NULL_POINTER;
  *d = new T;
  return ok();
}
cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t* d) { return create(d); }
cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t* d) { return create(d); }
cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t* d) { return create(d); }
cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t d) {
  delete d;
  return ok();
}
cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t d) {
  delete d;
  return ok();
}
cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t d) {
  delete d;
  return ok();
}

// Only NCHW float is emulated (all cuda/ uses); other layouts or types are NOT_SUPPORTED here.
cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t d, cudnnTensorFormat_t format, cudnnDataType_t type,
                                         int n, int c, int h, int w) {
  if (!d || n <= 0 || c <= 0 || h <= 0 || w <= 0) return bad();
  if (format != CUDNN_TENSOR_NCHW || type != CUDNN_DATA_FLOAT) return CUDNN_STATUS_NOT_SUPPORTED;
  *d = {true, n, c, h, w};
  return ok();
}
cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t d, cudnnDataType_t type, cudnnTensorFormat_t format,
                                         int k, int c, int h, int w) {
  if (!d || k <= 0 || c <= 0 || h <= 0 || w <= 0) return bad();
  if (format != CUDNN_TENSOR_NCHW || type != CUDNN_DATA_FLOAT) return CUDNN_STATUS_NOT_SUPPORTED;
  *d = {true, k, c, h, w};
  return ok();
}
cudnnStatus_t cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t d, int pad_h, int pad_w, int u, int v,
                                              int dilation_h, int dilation_w, cudnnConvolutionMode_t mode,
                                              cudnnDataType_t compute_type) {
  if (!d || pad_h < 0 || pad_w < 0 || u <= 0 || v <= 0 || dilation_h <= 0 || dilation_w <= 0) return bad();
  if (mode != CUDNN_CONVOLUTION && mode != CUDNN_CROSS_CORRELATION) return bad();
  if (compute_type != CUDNN_DATA_FLOAT) return CUDNN_STATUS_NOT_SUPPORTED;
  d->set = true;
  d->pad_h = pad_h, d->pad_w = pad_w, d->u = u, d->v = v, d->dil_h = dilation_h, d->dil_w = dilation_w, d->mode = mode;
  return ok();
}
cudnnStatus_t cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t d, int groups) {
  if (!d || groups < 1) return bad();
  d->groups = groups;
  return ok();
}
cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t d, cudnnMathType_t math) {
  if (!d || math < CUDNN_DEFAULT_MATH || math > CUDNN_FMA_MATH) return bad();
  d->math = math;
  return ok();
}

cudnnStatus_t cudnnGetConvolution2dForwardOutputDim(cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t x,
                                                    cudnnFilterDescriptor_t w, int* n, int* c, int* h, int* wd) {
  if (!conv || !x || !w || !conv->set || !x->set || !w->set || !n || !c || !h || !wd) return bad();
  if (x->c != w->c * conv->groups) return bad();
  *n = x->n;
  *c = w->k;
  *h = out_size(x->h, conv->pad_h, w->h, conv->dil_h, conv->u);
  *wd = out_size(x->w, conv->pad_w, w->w, conv->dil_w, conv->v);
  return *h > 0 && *wd > 0 ? ok() : bad();
}

// ---- the three passes: geometry, then heuristics / Find / workspace size / run -----------------
#define DS_EMU_GEOMETRY(x, w, conv, y) \
  Geometry g;                          \
  if (cudnnStatus_t s_ = geometry(x, w, conv, y, g)) return s_

cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t h, cudnnTensorDescriptor_t x,
                                                     cudnnFilterDescriptor_t w, cudnnConvolutionDescriptor_t conv,
                                                     cudnnTensorDescriptor_t y, int requested, int* returned,
                                                     cudnnConvolutionFwdAlgoPerf_t* results) {
  DS_EMU_GEOMETRY(x, w, conv, y);
  return h ? rank(Pass::Forward, g, false, 0, requested, returned, results) : CUDNN_STATUS_NOT_INITIALIZED;
}
cudnnStatus_t cudnnFindConvolutionForwardAlgorithmEx(cudnnHandle_t h, cudnnTensorDescriptor_t xd, const void* x,
                                                     cudnnFilterDescriptor_t wd, const void* w,
                                                     cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t yd,
                                                     void* y, int requested, int* returned,
                                                     cudnnConvolutionFwdAlgoPerf_t* results, void* ws, size_t ws_bytes) {
  DS_EMU_GEOMETRY(xd, wd, conv, yd);
  return find(h, Call{Pass::Forward, g, x, w, elems(*xd), elems(*wd), y, elems(*yd)}, requested, returned, results, ws,
              ws_bytes);
}
cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t h, cudnnTensorDescriptor_t x,
                                                      cudnnFilterDescriptor_t w, cudnnConvolutionDescriptor_t conv,
                                                      cudnnTensorDescriptor_t y, cudnnConvolutionFwdAlgo_t algo,
                                                      size_t* bytes) {
  DS_EMU_GEOMETRY(x, w, conv, y);
  return h && bytes ? workspace_size(Pass::Forward, g, algo, bytes) : bad();
}
cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t h, const void* alpha, cudnnTensorDescriptor_t xd, const void* x,
                                      cudnnFilterDescriptor_t wd, const void* w, cudnnConvolutionDescriptor_t conv,
                                      cudnnConvolutionFwdAlgo_t algo, void* ws, size_t ws_bytes, const void* beta,
                                      cudnnTensorDescriptor_t yd, void* y) {
  DS_EMU_GEOMETRY(xd, wd, conv, yd);
  return run(h, Call{Pass::Forward, g, x, w, elems(*xd), elems(*wd), y, elems(*yd)}, algo, ws, ws_bytes, alpha, beta);
}

cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnnHandle_t h, cudnnFilterDescriptor_t w,
                                                          cudnnTensorDescriptor_t dy, cudnnConvolutionDescriptor_t conv,
                                                          cudnnTensorDescriptor_t dx, int requested, int* returned,
                                                          cudnnConvolutionBwdDataAlgoPerf_t* results) {
  DS_EMU_GEOMETRY(dx, w, conv, dy);
  return h ? rank(Pass::BackwardData, g, false, 0, requested, returned, results) : CUDNN_STATUS_NOT_INITIALIZED;
}
cudnnStatus_t cudnnFindConvolutionBackwardDataAlgorithmEx(cudnnHandle_t h, cudnnFilterDescriptor_t wd, const void* w,
                                                          cudnnTensorDescriptor_t dyd, const void* dy,
                                                          cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t dxd,
                                                          void* dx, int requested, int* returned,
                                                          cudnnConvolutionBwdDataAlgoPerf_t* results, void* ws,
                                                          size_t ws_bytes) {
  DS_EMU_GEOMETRY(dxd, wd, conv, dyd);
  return find(h, Call{Pass::BackwardData, g, w, dy, elems(*wd), elems(*dyd), dx, elems(*dxd)}, requested, returned,
              results, ws, ws_bytes);
}
cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t h, cudnnFilterDescriptor_t w,
                                                           cudnnTensorDescriptor_t dy, cudnnConvolutionDescriptor_t conv,
                                                           cudnnTensorDescriptor_t dx, cudnnConvolutionBwdDataAlgo_t algo,
                                                           size_t* bytes) {
  DS_EMU_GEOMETRY(dx, w, conv, dy);
  return h && bytes ? workspace_size(Pass::BackwardData, g, algo, bytes) : bad();
}
cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t h, const void* alpha, cudnnFilterDescriptor_t wd, const void* w,
                                           cudnnTensorDescriptor_t dyd, const void* dy, cudnnConvolutionDescriptor_t conv,
                                           cudnnConvolutionBwdDataAlgo_t algo, void* ws, size_t ws_bytes,
                                           const void* beta, cudnnTensorDescriptor_t dxd, void* dx) {
  DS_EMU_GEOMETRY(dxd, wd, conv, dyd);
  return run(h, Call{Pass::BackwardData, g, w, dy, elems(*wd), elems(*dyd), dx, elems(*dxd)}, algo, ws, ws_bytes,
             alpha, beta);
}

cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnnHandle_t h, cudnnTensorDescriptor_t x,
                                                            cudnnTensorDescriptor_t dy, cudnnConvolutionDescriptor_t conv,
                                                            cudnnFilterDescriptor_t dw, int requested, int* returned,
                                                            cudnnConvolutionBwdFilterAlgoPerf_t* results) {
  DS_EMU_GEOMETRY(x, dw, conv, dy);
  return h ? rank(Pass::BackwardFilter, g, false, 0, requested, returned, results) : CUDNN_STATUS_NOT_INITIALIZED;
}
cudnnStatus_t cudnnFindConvolutionBackwardFilterAlgorithmEx(cudnnHandle_t h, cudnnTensorDescriptor_t xd, const void* x,
                                                            cudnnTensorDescriptor_t dyd, const void* dy,
                                                            cudnnConvolutionDescriptor_t conv, cudnnFilterDescriptor_t dwd,
                                                            void* dw, int requested, int* returned,
                                                            cudnnConvolutionBwdFilterAlgoPerf_t* results, void* ws,
                                                            size_t ws_bytes) {
  DS_EMU_GEOMETRY(xd, dwd, conv, dyd);
  return find(h, Call{Pass::BackwardFilter, g, x, dy, elems(*xd), elems(*dyd), dw, elems(*dwd)}, requested, returned,
              results, ws, ws_bytes);
}
cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t h, cudnnTensorDescriptor_t x,
                                                             cudnnTensorDescriptor_t dy, cudnnConvolutionDescriptor_t conv,
                                                             cudnnFilterDescriptor_t dw,
                                                             cudnnConvolutionBwdFilterAlgo_t algo, size_t* bytes) {
  DS_EMU_GEOMETRY(x, dw, conv, dy);
  return h && bytes ? workspace_size(Pass::BackwardFilter, g, algo, bytes) : bad();
}
cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t h, const void* alpha, cudnnTensorDescriptor_t xd,
                                             const void* x, cudnnTensorDescriptor_t dyd, const void* dy,
                                             cudnnConvolutionDescriptor_t conv, cudnnConvolutionBwdFilterAlgo_t algo,
                                             void* ws, size_t ws_bytes, const void* beta, cudnnFilterDescriptor_t dwd,
                                             void* dw) {
  DS_EMU_GEOMETRY(xd, dwd, conv, dyd);
  return run(h, Call{Pass::BackwardFilter, g, x, dy, elems(*xd), elems(*dyd), dw, elems(*dwd)}, algo, ws, ws_bytes,
             alpha, beta);
}
