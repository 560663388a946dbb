// Host memory of CPU tensors, and an opt-in reuse of large freed blocks for commands that run
// the same shapes over and over (`fast` over a folder, `video` frame after frame).
//
// Why: such a command frees every large block when a frame ends (each one is an mmap of its
// own: fast sets glibc's mmap threshold to 1 MiB so its peak RSS stays what one frame needs),
// and the next frame's identical blocks are fresh pages: the kernel faults in and zeroes each
// page again (TransformerNet at 1280x720: ~2.4 GB of zeroed pages and ~225 k page faults per
// frame). Keeping freed blocks for the next allocation of exactly the same size skips that
// work; capping what is kept keeps the peak RSS: live + kept bytes never exceed the highest
// live total seen so far (on a miss, kept blocks are released until the new one fits under it).
#pragma once
#include <cstddef>
#include <cstdint>

namespace ds {

// 64-byte aligned host memory for `bytes` (> 0) bytes; nullptr when the system has none.
// Blocks under 1 MiB, and every block while reuse is off, come from and go to the C heap.
void* host_alloc(size_t bytes);
void host_free(void* p, size_t bytes);  // `bytes` as given to host_alloc

// On: freed blocks of 1 MiB or more are kept for the next host_alloc of the same size, under
// the cap above. Off (the default, and what stylize wants: its sizes change between scales):
// kept blocks are released. Thread-safe.
void reuse_freed_host_blocks(bool on);

struct HostBlockStats {
  int64_t reused = 0;       // allocations served by a kept block
  int64_t allocated = 0;    // large allocations that went to the C heap
  int64_t kept_bytes = 0;   // kept now
  int64_t live_bytes = 0;   // large blocks in use now
  int64_t peak_live_bytes = 0;
};
HostBlockStats host_block_stats();  // counts large blocks only, and only while reuse is on

}  // namespace ds
