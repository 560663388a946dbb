// Weight files (docs/weights-format.md): one HDF5 file per network, one float32 dataset per
// parameter in the root group (named as in the reference PyTorch state_dict), and root
// attributes: architecture, format_version (1), the input preprocessing (channel_order,
// value_scale, mean, std), the source file(s) and their sha256, and per-architecture extras.
//
// Every failure is a ds::Error naming the file and, where there is one, the parameter or
// attribute: a missing file, a file that is not HDF5, a truncated or corrupt file, a dataset
// above the element limit, a wrong architecture, a missing / extra / mis-shaped parameter.
// Files are read through h5::Reader, in a separate process with time and memory limits
// (weights/h5.h), so a corrupt file that crashes or hangs the HDF5 library is an error too.
#pragma once
#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tensor/tensor.h"
#include "weights/h5.h"

namespace ds {

constexpr int kWeightFormatVersion = 1;

// The input a network expects, from an RGB image with values in [0, 1]:
//   x[c] = (pixel[channel c of channel_order] * value_scale - mean[c]) / std[c]
// mean and std are in the network's channel order and on its value scale.
struct WeightPreprocessing {
  bool present = false;          // the file records preprocessing (weight files do; others may not)
  std::string channel_order = "RGB";  // "RGB" or "BGR"
  double value_scale = 1.0;           // 1.0 or 255.0
  std::array<double, 3> mean{0, 0, 0}, std{1, 1, 1};
  bool bgr() const { return channel_order == "BGR"; }
};

struct WeightFile {
  std::string path;
  std::string architecture;
  int format_version = 0;
  WeightPreprocessing preprocessing;
  std::map<std::string, Tensor> params;          // name -> CPU tensor, shapes as stored
  std::map<std::string, h5::AttrValue> attrs;    // every root attribute, as read

  const Tensor& param(const std::string& name) const;  // error naming the file and the parameter
  bool has_attr(const std::string& name) const { return attrs.count(name) != 0; }
  std::string attr_string(const std::string& name) const;  // error unless one string
  double attr_number(const std::string& name) const;       // error unless one number
  double attr_number(const std::string& name, double fallback) const;  // fallback when absent
  int64_t param_count() const;                             // total number of scalars
};

// What load_weights does with a parameter holding NaN or infinity: Refuse (every network
// loader: a diverged training run's checkpoint would otherwise run, ReLU turning NaN into 0,
// and give a plausible but wrong image) or Allow (`depthstyle info`, which reports the counts).
enum class NonFinite { Refuse, Allow };

// Reads a weight file. expected_architecture "" accepts any; otherwise the file's
// `architecture` attribute must equal it (or one of `accepted`). With NonFinite::Refuse a
// parameter holding a NaN or an infinity is an error naming the file, the parameter(s) and
// the counts (one pass over the floats: 0.08-0.09 s for VGG19 with its classifier, 144M floats,
// against 0.8-1.0 s for load_weights from a warm page cache).
WeightFile load_weights(const std::string& path, const std::string& expected_architecture,
                        NonFinite nonfinite = NonFinite::Refuse);
WeightFile load_weights(const std::string& path, const std::vector<std::string>& accepted_architectures,
                        NonFinite nonfinite = NonFinite::Refuse);

// NaN and infinity counts of one tensor (CPU or CUDA; by bit pattern, so -ffast-math cannot drop it).
struct NonFiniteCount {
  int64_t nan = 0, inf = 0;
  int64_t total() const { return nan + inf; }
};
NonFiniteCount count_nonfinite(const Tensor& t);

// Checks that the file holds exactly the expected parameters with the expected shapes; the
// error lists every missing, mis-shaped and unexpected parameter with the file's path.
void check_params(const WeightFile& f, const std::vector<std::pair<std::string, Shape>>& expected);

// Attributes recording `p` (channel_order, value_scale, mean, std), for save_weights.
std::map<std::string, h5::AttrValue> preprocessing_attrs(const WeightPreprocessing& p);

// Writes a weight file (CPU or CUDA tensors): the datasets, `architecture`,
// `format_version` and `attrs` (which must not set those two). Written through ds::AtomicFile
// (a temporary beside `path`, renamed at the end; missing folders are created), so a failed
// or interrupted save never leaves a half-written file at `path`.
void save_weights(const std::string& path, const std::string& architecture, const std::map<std::string, Tensor>& params,
                  const std::map<std::string, h5::AttrValue>& attrs = {});

}  // namespace ds
