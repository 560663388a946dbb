// cuda_emu: the runtime API and the kernel scheduler on the host (declarations, and what the
// emulation is for: cuda_runtime.h here).
#include <ucontext.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cuda_runtime.h"

thread_local uint3 threadIdx, blockIdx;
thread_local dim3 blockDim, gridDim;

namespace {

// ---- errors: the last one is kept for cudaGetLastError, as the runtime does --------------------
thread_local cudaError_t g_last = cudaSuccess;
cudaError_t fail(cudaError_t e) {
  g_last = e;
  return e;
}

[[noreturn]] void die(const char* kernel, const char* what) {
  std::fprintf(stderr, "cuda_emu: kernel %s, block %u, thread %u: %s\n", kernel ? kernel : "?", blockIdx.x, threadIdx.x,
               what);
  std::fflush(stderr);
  std::abort();  // a kernel bug on a GPU is a hang or garbage; here it stops the test run loudly
}

// ---- device memory: host blocks, registered so that pointers can be checked --------------------
// A plausible 80 GiB device; asking for more is cudaErrorMemoryAllocation (the out-of-memory test
// asks for 1 PiB). New blocks are filled with 0xff bytes (NaN as float), so a kernel that fails
// to write part of its output shows NaN instead of a lucky zero.
constexpr size_t kDeviceBytes = size_t(80) << 30;
struct Memory {
  std::mutex mu;
  std::map<const char*, size_t> blocks;  // start -> size
  size_t used = 0;
};
Memory& memory() {
  static Memory* m = new Memory;  // never destroyed: tensors may be released during exit
  return *m;
}

// ---- the scheduler -------------------------------------------------------------------------
struct Barrier {  // a group (block or warp) of `size` threads meeting at one point
  unsigned size = 0, arrived = 0, generation = 0;
};

struct Fibre {
  ucontext_t ctx;
  std::unique_ptr<char[]> stack;
  bool done = false;
};

#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kStack = 256 * 1024;  // AddressSanitizer's frames are larger
#else
constexpr size_t kStack = 64 * 1024;
#endif

// CUDA_EMU_ORDER=reverse runs blocks, and threads within a block, last first. A kernel without
// races gives the same bits in either order (up to the summation order of atomicAdd), so a
// difference between the two runs points at threads that read or write each other's elements.
bool reverse_order() {
  static const bool r = [] {
    const char* e = std::getenv("CUDA_EMU_ORDER");
    return e && std::string(e) == "reverse";
  }();
  return r;
}
unsigned nth(unsigned i, unsigned n) { return reverse_order() ? n - 1 - i : i; }

struct Grid {
  const char* kernel = nullptr;
  bool cooperative = false;
  void (*body)(void*) = nullptr;
  void* ctx = nullptr;
  // Cooperative launches only:
  ucontext_t scheduler;
  std::vector<Fibre> fibres;  // one per thread of the block, reused from block to block
  unsigned current = 0;
  bool progress = false;      // something changed since the scheduler's last pass
  Barrier block;
  std::vector<Barrier> warps;
  std::vector<uint64_t> lanes[2];  // shuffle values, double-buffered by warp generation
};
thread_local Grid* g_grid = nullptr;

// AddressSanitizer must be told when the stack changes (fibres), or it reports false errors.
// Main stack -> fibre: switch_to_fibre; fibre -> main: switch_to_main; each side then arrived().
#if defined(__SANITIZE_ADDRESS__)
thread_local void* g_fake_main = nullptr;
thread_local void* g_fake_fibre = nullptr;
thread_local const void* g_main_bottom = nullptr;
thread_local size_t g_main_size = 0;
void switch_to_fibre(const char* stack) { __sanitizer_start_switch_fiber(&g_fake_main, stack, kStack); }
void back_on_main() { __sanitizer_finish_switch_fiber(g_fake_main, nullptr, nullptr); }
void switch_to_main(bool exiting) { __sanitizer_start_switch_fiber(exiting ? nullptr : &g_fake_fibre, g_main_bottom, g_main_size); }
void on_fibre() { __sanitizer_finish_switch_fiber(g_fake_fibre, &g_main_bottom, &g_main_size); }
#else
void switch_to_fibre(const char*) {}
void back_on_main() {}
void switch_to_main(bool) {}
void on_fibre() {}
#endif

void yield() {
  switch_to_main(false);
  swapcontext(&g_grid->fibres[g_grid->current].ctx, &g_grid->scheduler);
  on_fibre();
}

// Arrive at b; the last one to arrive opens it, the others wait (yield) until it opens.
void meet(Barrier& b) {
  Grid& g = *g_grid;
  unsigned gen = b.generation;
  g.progress = true;
  if (++b.arrived == b.size) {
    b.arrived = 0;
    ++b.generation;
    return;
  }
  while (b.generation == gen) yield();
}

void fibre_main() {
  on_fibre();
  Grid& g = *g_grid;
  g.body(g.ctx);
  g.fibres[g.current].done = true;
  g.progress = true;
  switch_to_main(true);
  // returning resumes uc_link: the scheduler
}

void check_cooperative(const char* what) {
  if (!g_grid) die(nullptr, (std::string(what) + " outside a kernel").c_str());
  if (!g_grid->cooperative)
    die(g_grid->kernel, (std::string(what) + " in a kernel launched by for_each: its threads are independent "
                                             "(run one by one here); only for_each_block kernels may synchronise")
                            .c_str());
}

void run_block_cooperative(Grid& g) {
  const unsigned n = blockDim.x;
  for (unsigned t = 0; t < n; ++t) {
    Fibre& f = g.fibres[t];
    f.done = false;
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = f.stack.get();
    f.ctx.uc_stack.ss_size = kStack;
    f.ctx.uc_link = &g.scheduler;
    makecontext(&f.ctx, fibre_main, 0);
  }
  for (unsigned live = n; live > 0;) {
    g.progress = false;
    live = 0;
    for (unsigned i = 0; i < n; ++i) {
      const unsigned t = nth(i, n);
      if (g.fibres[t].done) continue;
      g.current = t;
      threadIdx.x = t;
      switch_to_fibre(g.fibres[t].stack.get());
      swapcontext(&g.scheduler, &g.fibres[t].ctx);
      back_on_main();
      live += !g.fibres[t].done;
    }
    if (live > 0 && !g.progress) {
      // Every live thread waits at a barrier that can never open: some thread of its group
      // finished or waits elsewhere (a __syncthreads or shuffle under divergent control flow).
      threadIdx.x = 0;
      die(g.kernel, "deadlock: threads wait at a __syncthreads or __shfl_down_sync that the rest of their block "
                    "or warp never reaches (divergent barrier)");
    }
  }
}

}  // namespace

// ---- the runtime API -----------------------------------------------------------------------

cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}
cudaError_t cudaGetDevice(int* device) {
  *device = 0;
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int device) { return device == 0 ? cudaSuccess : fail(cudaErrorInvalidDevice); }

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
  if (device != 0) return fail(cudaErrorInvalidDevice);
  *prop = cudaDeviceProp{};
  std::snprintf(prop->name, sizeof prop->name, "cuda_emu (host emulation of an H100)");
  prop->totalGlobalMem = kDeviceBytes;
  prop->sharedMemPerBlock = 48 * 1024;
  prop->warpSize = 32;
  prop->maxThreadsPerBlock = 1024;
  prop->maxThreadsDim[0] = prop->maxThreadsDim[1] = 1024;
  prop->maxThreadsDim[2] = 64;
  prop->maxGridSize[0] = 0x7fffffff;
  prop->maxGridSize[1] = prop->maxGridSize[2] = 65535;
  prop->major = 9;
  prop->minor = 0;
  prop->multiProcessorCount = 132;
  return cudaSuccess;
}

cudaError_t cudaGetLastError() {
  cudaError_t e = g_last;
  g_last = cudaSuccess;
  return e;
}
cudaError_t cudaPeekAtLastError() { return g_last; }

const char* cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInvalidDevicePointer: return "invalid device pointer";
    case cudaErrorInvalidDevice: return "invalid device ordinal";
    case cudaErrorInvalidResourceHandle: return "invalid resource handle";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
  }
  return "unrecognized error code";
}

cudaError_t cudaMalloc(void** p, size_t bytes) {
  *p = nullptr;
  Memory& m = memory();
  std::lock_guard<std::mutex> lock(m.mu);
  if (bytes > kDeviceBytes - m.used) return fail(cudaErrorMemoryAllocation);
  size_t rounded = (std::max<size_t>(bytes, 1) + 255) / 256 * 256;  // cudaMalloc aligns to 256 bytes
  void* q = std::aligned_alloc(256, rounded);
  if (!q) return fail(cudaErrorMemoryAllocation);
  std::memset(q, 0xff, rounded);
  m.blocks[static_cast<const char*>(q)] = bytes;
  m.used += bytes;
  *p = q;
  return cudaSuccess;
}

cudaError_t cudaFree(void* p) {
  if (!p) return cudaSuccess;
  Memory& m = memory();
  std::lock_guard<std::mutex> lock(m.mu);
  auto it = m.blocks.find(static_cast<const char*>(p));
  if (it == m.blocks.end()) return fail(cudaErrorInvalidDevicePointer);  // not a block start
  m.used -= it->second;
  m.blocks.erase(it);
  std::free(p);
  return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
  Memory& m = memory();
  std::lock_guard<std::mutex> lock(m.mu);
  *free_bytes = kDeviceBytes - m.used;
  *total_bytes = kDeviceBytes;
  return cudaSuccess;
}

bool cuda_emu::is_device_range(const void* p, size_t bytes) {
  if (!p) return false;
  Memory& m = memory();
  std::lock_guard<std::mutex> lock(m.mu);
  const char* c = static_cast<const char*>(p);
  auto it = m.blocks.upper_bound(c);
  if (it == m.blocks.begin()) return false;
  --it;
  return c >= it->first && c + bytes <= it->first + it->second;
}

// The direction named must be the pointers' real one: with one address space on the host, a
// wrong kind would otherwise go unnoticed here and fail on a device.
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
  if (bytes == 0) return cudaSuccess;
  bool dd = cuda_emu::is_device_range(dst, bytes), sd = cuda_emu::is_device_range(src, bytes);
  bool ok = kind == cudaMemcpyHostToDevice   ? dd && !sd
            : kind == cudaMemcpyDeviceToHost ? !dd && sd
            : kind == cudaMemcpyDeviceToDevice ? dd && sd
            : kind == cudaMemcpyDefault || kind == cudaMemcpyHostToHost;
  if (!ok || !dst || !src) return fail(cudaErrorInvalidValue);
  std::memmove(dst, src, bytes);
  return cudaSuccess;
}
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t) {
  return cudaMemcpy(dst, src, bytes, kind);
}

cudaError_t cudaMemset(void* p, int value, size_t bytes) {
  if (bytes == 0) return cudaSuccess;
  if (!cuda_emu::is_device_range(p, bytes)) return fail(cudaErrorInvalidValue);
  std::memset(p, value, bytes);
  return cudaSuccess;
}
cudaError_t cudaMemsetAsync(void* p, int value, size_t bytes, cudaStream_t) { return cudaMemset(p, value, bytes); }

// Streams: work runs when it is issued, so a stream is only a handle.
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned flags) {
  static char handle;
  if (flags > cudaStreamNonBlocking) return fail(cudaErrorInvalidValue);
  *s = reinterpret_cast<cudaStream_t>(&handle);
  return cudaSuccess;
}
struct CUevent_st {
  std::chrono::steady_clock::time_point t;
  bool recorded = false;
};
cudaError_t cudaEventCreate(cudaEvent_t* e) {
  if (!e) return fail(cudaErrorInvalidValue);
  *e = new CUevent_st;
  return cudaSuccess;
}
cudaError_t cudaEventDestroy(cudaEvent_t e) {
  delete e;
  return cudaSuccess;
}
cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t) {
  if (!e) return fail(cudaErrorInvalidResourceHandle);
  e->t = std::chrono::steady_clock::now();
  e->recorded = true;
  return cudaSuccess;
}
cudaError_t cudaEventSynchronize(cudaEvent_t e) { return e ? cudaSuccess : fail(cudaErrorInvalidResourceHandle); }
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  if (!ms || !start || !end) return fail(cudaErrorInvalidResourceHandle);
  if (!start->recorded || !end->recorded) return fail(cudaErrorInvalidValue);  // the runtime's "not ready" case
  *ms = std::chrono::duration<float, std::milli>(end->t - start->t).count();
  return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }
cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }

// ---- kernels -----------------------------------------------------------------------------------

void cuda_emu::launch(const char* kernel, dim3 grid, dim3 block, bool cooperative, void (*body)(void*), void* ctx) {
  // The device's limits (cudaDeviceProp above): a launch outside them fails before running.
  if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.y > 65535 || grid.z > 65535 || block.x == 0 ||
      block.x * block.y * block.z > 1024 || block.z > 64) {
    fail(cudaErrorInvalidConfiguration);
    return;
  }
  if (grid.y != 1 || grid.z != 1 || block.y != 1 || block.z != 1)
    die(kernel, "cuda_emu runs 1-D grids only (cuda/launch.cuh launches nothing else)");
  Grid g;
  g.kernel = kernel;
  g.cooperative = cooperative;
  g.body = body;
  g.ctx = ctx;
  if (cooperative) {
    if (block.x % 32) die(kernel, "cooperative launch with a partial warp (not emulated)");
    g.fibres.resize(block.x);
    for (Fibre& f : g.fibres) f.stack.reset(new char[kStack]);
    g.block.size = block.x;
    g.warps.assign(block.x / 32, Barrier{32, 0, 0});
    g.lanes[0].assign(block.x, 0);
    g.lanes[1].assign(block.x, 0);
  }
  Grid* outer = g_grid;
  if (outer) die(kernel, "a kernel launched from inside a kernel (dynamic parallelism is not used by cuda/)");
  g_grid = &g;
  gridDim = grid;
  blockDim = block;
  for (unsigned b = 0; b < grid.x; ++b) {
    blockIdx.x = nth(b, grid.x);
    if (cooperative) {
      run_block_cooperative(g);
    } else {
      for (unsigned t = 0; t < block.x; ++t) {
        threadIdx.x = nth(t, block.x);
        body(ctx);
      }
    }
  }
  g_grid = nullptr;
}

void cuda_emu::sync_block() {
  check_cooperative("__syncthreads");
  meet(g_grid->block);
}

uint64_t cuda_emu::shuffle_down(unsigned mask, uint64_t bits, unsigned delta) {
  check_cooperative("__shfl_down_sync");
  if (mask != 0xffffffffu) die(g_grid->kernel, "__shfl_down_sync with a partial mask (cuda/ shuffles whole warps)");
  Grid& g = *g_grid;
  unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  Barrier& b = g.warps[warp];
  // Each exchange writes the buffer of its generation; the next one writes the other buffer,
  // and the one after can only start once every lane has read this one.
  std::vector<uint64_t>& buf = g.lanes[b.generation & 1];
  buf[threadIdx.x] = bits;
  meet(b);
  return lane + delta < 32 ? buf[threadIdx.x + delta] : bits;
}
