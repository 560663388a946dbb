// CUDA runtime: the caching allocator, copies, error reporting, and the kernels that the op
// table does not reach (optimiser steps, scalar scaling). Tests that need a device skip by
// name without one; the error-format test needs only a CUDA build.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <tuple>

#include "autograd/ops.h"
#include "tensor/kernels.h"
#include "tests/check.h"

#ifdef DEPTHSTYLE_HAVE_CUDA
#include <link.h>

#include "cuda/cublas_library.h"
#include "tensor/device.h"
#endif

namespace {

using ds::Device;
using ds::Tensor;

using dst::contains;
using dst::error_of;

bool skip_without_cuda_build(const char* name) {
#ifdef DEPTHSTYLE_HAVE_CUDA
  (void)name;
  return false;
#else
  MESSAGE("skipped: built without CUDA (" << std::string(name) << ")");
  std::printf("skipped: built without CUDA (%s)\n", name);
  return true;
#endif
}

}  // namespace

TEST_CASE("cuda error messages name the library, file, line, call and error string") {
  if (skip_without_cuda_build("cuda error messages")) return;
#ifdef DEPTHSTYLE_HAVE_CUDA
  std::string file = std::string(DEPTHSTYLE_SOURCE_DIR) + "/cuda/conv_cudnn.cpp";
  std::string m = ds::cuda::error_message("cuDNN", "cudnnCreate(&h)", file.c_str(), 42, 3, "CUDNN_STATUS_BAD_PARAM");
  CHECK(m == "cuDNN error at cuda/conv_cudnn.cpp:42: cudnnCreate(&h) failed (code 3: CUDNN_STATUS_BAD_PARAM)");
  // Paths outside the source tree are kept whole.
  m = ds::cuda::error_message("CUDA", "cudaMalloc(&p, n)", "/elsewhere/x.cu", 7, 2, "out of memory");
  CHECK(m == "CUDA error at /elsewhere/x.cu:7: cudaMalloc(&p, n) failed (code 2: out of memory)");
  CHECK_FALSE(ds::cuda::allow_tf32());  // TF32 is opt-in
#endif
}

#ifdef DEPTHSTYLE_HAVE_CUDA
// Whether a shared library whose file name contains `stem` is mapped into this process.
bool library_loaded(const char* stem) {
  return dl_iterate_phdr(
             [](dl_phdr_info* info, size_t, void* s) -> int {
               return info->dlpi_name && std::strstr(info->dlpi_name, static_cast<const char*>(s)) ? 1 : 0;
             },
             const_cast<char*>(stem)) != 0;
}
#endif

// cuda/cublas_library.h: linking cuBLAS cost every process ~150 MB before main().
TEST_CASE("cuda: cuBLAS is opened at its first use, not at start, and has every function depthstyle calls") {
  if (skip_without_cuda_build("cuBLAS opened at first use")) return;
#ifdef DEPTHSTYLE_HAVE_CUDA
  if (ds::cuda_available())
    MESSAGE("not checked: whether cuBLAS was absent at start (a GPU test before this one may have used it)");
  else
    CHECK_FALSE(library_loaded("libcublas"));  // nothing ran a GEMM on a GPU yet
  const ds::cuda::CublasLibrary& l = ds::cuda::cublas();
  CHECK(library_loaded("libcublas"));
  CHECK(bool(l.create));
  CHECK(bool(l.set_stream));
  CHECK(bool(l.set_math_mode));
  CHECK(bool(l.sgemm));
  CHECK(bool(l.sgemm_strided_batched));
  REQUIRE(bool(l.status_string));
  // The error strings cuda/check.h puts into messages come from the opened library.
  std::string a = l.status_string(CUBLAS_STATUS_NOT_INITIALIZED), b = l.status_string(CUBLAS_STATUS_INVALID_VALUE);
  INFO(a << " / " << b);
  CHECK_FALSE(a.empty());
  CHECK(a != b);
  CHECK(&ds::cuda::cublas() == &l);  // opened once
#endif
}

TEST_CASE("cuda tensors without a device throw a clear error") {
  if (ds::cuda_available()) {
    MESSAGE("skipped: a CUDA device is present (this test covers machines without one)");
    std::printf("skipped: a CUDA device is present\n");
    return;
  }
  std::string m = error_of([] { Tensor::empty({2, 3}, Device::CUDA); });
  INFO(m);
  CHECK(contains(m, "CUDA"));
  m = error_of([] { Tensor::full({2}, 1.0f).to(Device::CUDA); });
  CHECK(contains(m, "CUDA"));
}

TEST_CASE("cuda allocator reuses cached blocks in a steady-state loop") {
  if (dst::skip_without_cuda("cuda allocator")) return;
#ifdef DEPTHSTYLE_HAVE_CUDA
  const size_t sizes[] = {4, 1000, 4096, (size_t(1) << 20) + 3, size_t(3) << 22};
  ds::cuda::AllocStats before = ds::cuda::alloc_stats();
  int64_t mallocs_after_first = 0;
  for (int iter = 0; iter < 5; ++iter) {
    void* p[5];
    for (int i = 0; i < 5; ++i) p[i] = ds::cuda::alloc(sizes[i]);
    for (int i = 0; i < 5; ++i) ds::cuda::release(p[i]);
    if (iter == 0) mallocs_after_first = ds::cuda::alloc_stats().malloc_calls;
  }
  ds::cuda::AllocStats after = ds::cuda::alloc_stats();
  CHECK(after.malloc_calls == mallocs_after_first);
  CHECK(after.bytes_in_use == before.bytes_in_use);
  CHECK(after.bytes_cached > 0);
  // The five blocks were live at once: the peak holds at least their requested sizes on top of what was in use.
  size_t asked = 0;
  for (size_t s : sizes) asked += s;
  CHECK(after.peak_bytes_in_use >= before.bytes_in_use + asked);
  CHECK(after.peak_bytes_in_use >= after.bytes_in_use);
  // Tensors go through the same allocator.
  for (int iter = 0; iter < 3; ++iter) Tensor::zeros({2, 3, 17, 19}, Device::CUDA);
  int64_t m0 = ds::cuda::alloc_stats().malloc_calls;
  for (int iter = 0; iter < 3; ++iter) Tensor::zeros({2, 3, 17, 19}, Device::CUDA);
  CHECK(ds::cuda::alloc_stats().malloc_calls == m0);
  ds::cuda::empty_cache();
  CHECK(ds::cuda::alloc_stats().bytes_cached == 0);
#endif
}

TEST_CASE("cuda host-device round trip is bit exact") {
  if (dst::skip_without_cuda("cuda round trip")) return;
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> v = {0.0f, -0.0f, 1.0f, -2.5f, 1e-40f, 3.4e38f, inf, -inf, std::nanf("")};
  dst::Rng rng(7);
  for (int i = 0; i < 1000; ++i) v.push_back(static_cast<float>(rng.normal()));
  Tensor d = Tensor::from_vector({static_cast<int64_t>(v.size())}, v, Device::CUDA);
  Tensor d2 = d.clone();  // device to device
  for (const Tensor& t : {d, d2}) {
    std::vector<float> back = t.to_vector();
    REQUIRE(back.size() == v.size());
    CHECK(std::memcmp(back.data(), v.data(), v.size() * sizeof(float)) == 0);
  }
  CHECK(Tensor::scalar(3.25f, Device::CUDA).item() == 3.25f);
}

TEST_CASE("cuda op on tensors from two devices throws a clear error") {
  if (dst::skip_without_cuda("cuda mixed devices")) return;
  ds::Var a(Tensor::full({2, 3}, 1.0f, Device::CPU)), b(Tensor::full({2, 3}, 2.0f, Device::CUDA));
  std::string m = error_of([&] { ds::add(a, b); });
  INFO(m);
  CHECK(contains(m, "add"));
  CHECK(contains(m, "different devices"));
}

TEST_CASE("cuda out-of-memory error names the bytes asked") {
  if (dst::skip_without_cuda("cuda out of memory")) return;
#ifdef DEPTHSTYLE_HAVE_CUDA
  const size_t absurd = size_t(1) << 50;  // 1 PiB
  std::string m = error_of([&] { ds::cuda::alloc(absurd); });
  INFO(m);
  CHECK(contains(m, "out of memory"));
  CHECK(contains(m, std::to_string(absurd)));
  // The same through a tensor, and the device is still usable afterwards.
  m = error_of([] { Tensor::empty({int64_t(1) << 48}, Device::CUDA); });
  CHECK(contains(m, std::to_string(absurd)));
  CHECK(Tensor::full({4}, 2.0f, Device::CUDA).to_vector() == std::vector<float>(4, 2.0f));
#endif
}

// Adam steps, scale_by (scalar read on the device), add_inplace and dot: same inputs on both
// devices, results compared.
TEST_CASE("cuda kernels outside the op table match the cpu") {
  if (dst::skip_without_cuda("cuda kernels outside the op table")) return;
  dst::Rng rng(11);
  const ds::Shape s{3, 5, 7, 11};
  dst::DTensor w0 = rng.normal(s), g0 = rng.normal(s), m0 = rng.normal(s, 0.1), v0 = rng.uniform(s, 0.0, 0.5);
  for (dst::DTensor* d : {&w0, &g0, &m0, &v0})
    for (double& x : d->v) x = static_cast<float>(x);
  auto run = [&](Device dev) {
    Tensor w = dst::to_float(w0, dev), g = dst::to_float(g0, dev), m = dst::to_float(m0, dev), v = dst::to_float(v0, dev);
    ds::AdamParams p;
    p.lr = 0.01f;
    for (int64_t step = 1; step <= 3; ++step) DS_DISPATCH(dev, adam_update, w, g, m, v, p, step);
    Tensor k = Tensor::scalar(-0.75f, dev), scaled = Tensor::empty(s, dev);
    DS_DISPATCH(dev, scale_by, g, k, scaled);
    DS_DISPATCH(dev, add_inplace, scaled, w, 0.5f);
    float d = DS_DISPATCH(dev, dot, w, g);
    return std::make_tuple(w, m, v, scaled, d);
  };
  auto [wc, mc, vc, sc, dc] = run(Device::CPU);
  auto [wg, mg, vg, sg, dg] = run(Device::CUDA);
  dst::check_close("adam param", wg, dst::to_double(wc), 1e-6, 1e-5);
  dst::check_close("adam m", mg, dst::to_double(mc), 1e-6, 1e-5);
  dst::check_close("adam v", vg, dst::to_double(vc), 1e-6, 1e-5);
  dst::check_close("scale_by + add_inplace", sg, dst::to_double(sc), 1e-6, 1e-5);
  CHECK(dg == doctest::Approx(dc).epsilon(1e-5));
}
