// Running the jobs of `depthstyle fast` (which images: apps/common/image_jobs.h; the transformer
// itself and its weights: nn/fast_style_weights.h).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "apps/common/args.h"
#include "apps/common/image_jobs.h"
#include "nn/fast_style_weights.h"

namespace ds {
namespace app {

// Hands the memory the C library holds free back to the system, and makes it hand each freed
// block of 1 MiB or more back at once from now on (glibc's malloc_trim and mmap threshold). The
// program keeps blocks up to 32 MB in its heap (apps/depthstyle/main.cpp: stylize's iterations
// reuse them), so the activations of a mid-size image, once freed, would stay in the process
// and its resident memory exceed what is live (512x384: RSS grew 70 MB for 42 MB live). `fast`
// runs each layer once, so a freed block is not needed again within an image; the next image's
// blocks of the same sizes are kept for it instead (tensor/host_blocks.h, turned on by `fast`).
void return_freed_memory_promptly();

// What `fast` says when fast_size raised a side to the transformer's minimum ("" when it did not):
// "would be WxH; run at WxH, the transformer's minimum of N px a side", plus "(the aspect ratio
// changes)" unless it does not (40x40 raised to 41x41). Sizes as {height, width}.
std::string raised_size_note(std::pair<int64_t, int64_t> plain, std::pair<int64_t, int64_t> run, int min_side);

// ---- memory, estimated before any work ----
// What one image of h x w pixels (a file of file_bytes) needs at --size long_side (0: its own
// size), in bytes: the most of decoding it (file, 8-bit or 16-bit samples, two float copies:
// file + 32 bytes per pixel), stylising it (fast_style_peak_bytes plus the decoded image) and
// encoding the result (the image, the result, its 8-bit copy and the encoded file), plus
// kFastFixedBytes for the weights, column buffers and the C library's own. This is host
// memory: on a GPU (`on_host` false) the activations are in the device's memory instead.
constexpr int64_t kFastFixedBytes = int64_t{64} << 20;
// `net`: the transformer (its own layers for a converted layer list; null: fast_style_tf's).
int64_t fast_job_peak_bytes(int64_t h, int64_t w, int64_t file_bytes, int long_side, bool on_host = true,
                            const FastStyleNet* net = nullptr);

// The default of --max-memory: half of the memory the system has available now (MemAvailable
// in /proc/meminfo), or 0 (no check) when that cannot be read.
int64_t default_memory_budget();

// Memory amounts as every command prints and reads them: MiB, 2^20 bytes. "1729 MiB" (rounded
// up), and --max-memory MIB (declared by the commands that estimate: fast, video; default
// default_memory_budget()) in bytes.
std::string mib_text(int64_t bytes);
void declare_max_memory(Args& a, const std::string& what);
int64_t max_memory_bytes(const Args& a);
// The largest long side in [lo, hi) whose need fits (fits(px) true); 0 when lo does not fit.
// fits must grow false with px (a binary search).
int largest_fitting_size(int lo, int hi, const std::function<bool(int)>& fits);
// The error of a memory check: "N <what>(s) would need more memory than the B MiB allowed
// (--max-memory ...); nothing was run:" then `lines` (each "\n  NAME (WxH): needs about ...")
// and what to change.
Error memory_refusal(int count, const std::string& what, int64_t budget, const std::string& lines);

// Before any work: reads each image's size from its header (tensor/image_io.h image_size) and
// throws ds::Error when one needs more than `budget` bytes (0: no check), naming each such image,
// its need and the largest --size that fits (or that none does). Prints the need of images
// above 1 GiB that fit. Images whose header cannot be read are left to the run to report.
// `net`: the transformer, or null for fast_style_tf's formula (fast_job_peak_bytes).
void check_memory(const std::vector<ImageJob>& jobs, const FastStyleNet* net, int long_side, int64_t budget,
                  Device device);

// Runs every job, printing "[k/n] input WxH -> output WxH, seconds, peak memory" per image
// (median > 1: each output smoothed by a median x median median filter, tensor/image_filter.h)
// (tensor/memory.h: the process's peak so far, on the network's device).
// An image that cannot be read or written, or is smaller than the transformer's 4x4 pixels at
// its working size, is skipped with a warning on stderr. With several jobs, ends with a table
// (apps/common/batch_summary.h), which Ctrl-C prints too, with the image that was running and
// those not started. Creates the
// output's folder when missing. Returns the number of jobs that failed.
int run_fast_jobs(const FastStyleNet& net, const std::vector<ImageJob>& jobs, int long_side, int median = 0);

}  // namespace app
}  // namespace ds
