#include "apps/train/train_data.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "nn/resize.h"
#include "tensor/image_io.h"
#include "tensor/random.h"

namespace ds {
namespace app {

namespace fs = std::filesystem;

std::vector<std::string> list_images(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(dir + ": not a folder (--images takes a folder of training images)");
  std::vector<std::string> out;
  for (const fs::directory_entry& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && has_image_extension(e.path().string())) out.push_back(e.path().string());
  if (out.empty()) throw Error(dir + ": no image files in this folder; expected " + image_formats_text());
  std::sort(out.begin(), out.end());
  return out;
}

ImageStream::ImageStream(const std::string& dir, int crop_size, uint64_t seed)
    : files_(list_images(dir)), crop_(crop_size), seed_(seed) {
  if (crop_size < 4) throw Error("crop size " + std::to_string(crop_size) + " is too small (at least 4)");
}

const std::string& ImageStream::file_at(int64_t position) const {
  int64_t n = static_cast<int64_t>(files_.size()), epoch = position / n;
  if (epoch != epoch_) {
    order_.resize(files_.size());
    for (size_t i = 0; i < order_.size(); ++i) order_[i] = i;
    Rng rng(seed_ ^ (0xD1B54A32D192ED03ULL * static_cast<uint64_t>(epoch + 1)));
    for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng.below(i)]);
    epoch_ = epoch;
  }
  return files_[order_[static_cast<size_t>(position % n)]];
}

void ImageStream::crop_into(const Tensor& image, int64_t position, float* dst) const {
  Rng rng(seed_ + 0x632BE59BD9B4E019ULL * static_cast<uint64_t>(position + 1));
  int64_t h = image.H(), w = image.W(), c = crop_, shortest = std::min(h, w);
  // Random zoom: the short side becomes a length in [crop, min(short, 2 crop)].
  int64_t hi = std::max(c, std::min(shortest, 2 * c));
  int64_t target = c + static_cast<int64_t>(rng.below(static_cast<uint64_t>(hi - c + 1)));
  double s = static_cast<double>(target) / static_cast<double>(shortest);
  int64_t rh = std::max(c, static_cast<int64_t>(std::lround(static_cast<double>(h) * s)));
  int64_t rw = std::max(c, static_cast<int64_t>(std::lround(static_cast<double>(w) * s)));
  Tensor r = (rh == h && rw == w) ? image : resize_image(image, rh, rw);
  int64_t y0 = static_cast<int64_t>(rng.below(static_cast<uint64_t>(rh - c + 1)));
  int64_t x0 = static_cast<int64_t>(rng.below(static_cast<uint64_t>(rw - c + 1)));
  const float* src = r.data();
  for (int64_t ch = 0; ch < 3; ++ch)
    for (int64_t y = 0; y < c; ++y)
      std::memcpy(dst + (ch * c + y) * c, src + (ch * rh + y0 + y) * rw + x0, static_cast<size_t>(c) * sizeof(float));
}

Tensor ImageStream::next_batch(int batch, int64_t& cursor) {
  Tensor out = Tensor::empty({batch, 3, crop_, crop_});
  int64_t per = 3 * static_cast<int64_t>(crop_) * crop_;
  size_t skipped_in_a_row = 0;
  std::string last_error;
  for (int k = 0; k < batch;) {
    const std::string& file = file_at(cursor);
    Tensor img;
    try {
      img = load_image_rgb(file);
    } catch (const Error& e) {
      last_error = e.what();
      if (warned_.insert(file).second) std::fprintf(stderr, "warning: skipping unreadable training image: %s\n", e.what());
      ++cursor;
      if (++skipped_in_a_row >= files_.size())
        throw Error("no readable training image among the " + std::to_string(files_.size()) + " file(s) (last: " +
                    last_error + ")");
      continue;
    }
    skipped_in_a_row = 0;
    crop_into(img, cursor, out.data() + k * per);
    ++cursor;
    ++k;
  }
  return out;
}

}  // namespace app
}  // namespace ds
