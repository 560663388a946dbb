// Training images for the feed-forward transformer (depthstyle train): every image file of a
// folder, drawn as an endless seeded stream of random square crops.
//
// The stream is a pure function of (seed, the sorted file list, position): position i is
// epoch e = i / n, slot i % n of epoch e's shuffled order (Fisher-Yates with a generator
// seeded from (seed, e)), and its crop uses a generator seeded from (seed, i). So a run
// resumed at a saved position sees exactly the batches the uninterrupted run would have.
//
// Crops: the image is scaled so its short side is a random length in [crop, min(short
// side, 2 * crop)] (a random zoom, never enlarging an image that is big enough), then a
// random crop x crop window is cut. Images whose short side is below crop are scaled UP to
// exactly crop (so small images work, slightly blurred).
//
// Unreadable files are skipped with a warning on stderr (once per file) and the next
// position is used; the error is only fatal when no file of the folder can be read.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace ds {
namespace app {

// Image files (tensor/image_io.h's kImageExtensions, any case) directly in `dir`, sorted by
// name; not recursive. Errors: not a folder, or no image file in it.
std::vector<std::string> list_images(const std::string& dir);

class ImageStream {
 public:
  ImageStream(const std::string& dir, int crop_size, uint64_t seed);

  // The next `batch` readable images from stream position `cursor` as a CPU tensor
  // [batch,3,crop,crop] in [0,1]; `cursor` moves past every position used or skipped.
  Tensor next_batch(int batch, int64_t& cursor);

  const std::string& file_at(int64_t position) const;
  // The crop of `image` ([1,3,H,W]) used at `position`, written to dst (3*crop*crop floats).
  void crop_into(const Tensor& image, int64_t position, float* dst) const;
  size_t size() const { return files_.size(); }
  const std::vector<std::string>& files() const { return files_; }
  int crop_size() const { return crop_; }
  uint64_t seed() const { return seed_; }

 private:
  std::vector<std::string> files_;
  int crop_;
  uint64_t seed_;
  mutable int64_t epoch_ = -1;          // epoch whose order is in order_
  mutable std::vector<size_t> order_;
  std::set<std::string> warned_;        // unreadable files already reported
};

}  // namespace app
}  // namespace ds
