#include "apps/train/train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "nn/fast_style_weights.h"

namespace ds {
namespace app {

namespace fs = std::filesystem;

namespace {
const char* kOptimArch = "fast_style_adam_state";
}  // namespace

std::vector<double> TrainRow::values() const {
  std::vector<double> v = {static_cast<double>(step), seconds};
  std::vector<double> t = terms.values();
  v.insert(v.end(), t.begin(), t.end());
  return v;
}

// ---- checkpoint files ----------------------------------------------------------

std::string checkpoint_path(const std::string& dir, int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "step_%06lld.h5", static_cast<long long>(step));
  return (fs::path(dir) / buf).string();
}

std::string optim_path(const std::string& checkpoint) {
  std::string base = checkpoint.size() > 3 && checkpoint.compare(checkpoint.size() - 3, 3, ".h5") == 0
                         ? checkpoint.substr(0, checkpoint.size() - 3)
                         : checkpoint;
  return base + ".optim.h5";
}

int64_t checkpoint_step(const std::string& path) {
  std::string n = fs::path(path).filename().string();
  long long s = -1;
  char tail[8] = {0};
  if (std::sscanf(n.c_str(), "step_%lld%7s", &s, tail) == 2 && std::string(tail) == ".h5") return s;
  return -1;
}

std::vector<std::string> existing_checkpoints(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code e;
  if (!fs::is_directory(dir, e)) return out;
  for (const fs::directory_entry& f : fs::directory_iterator(dir))
    if (checkpoint_step(f.path().string()) >= 0) out.push_back(f.path().string());
  return out;
}

std::string resolve_checkpoint(const std::string& file_or_dir) {
  if (!fs::is_directory(file_or_dir)) return file_or_dir;
  std::string best;
  int64_t best_step = -1;
  for (const std::string& c : existing_checkpoints(file_or_dir))
    if (checkpoint_step(c) > best_step) best_step = checkpoint_step(c), best = c;
  if (best.empty()) throw Error(file_or_dir + ": no checkpoint (step_NNNNNN.h5) in this folder");
  return best;
}

// ---- the trainer ---------------------------------------------------------------

Trainer::Trainer(ParamSet transformer, const TransferLoss& loss, ImageStream& data, TrainConfig cfg, Device device)
    : net_(transformer.to(device)), loss_(loss), data_(data), cfg_(std::move(cfg)), device_(device), adam_({}) {
  if (cfg_.batch_size < 1) throw Error("batch size must be at least 1");
  net_.params().set_trainable(true);
  for (const auto& [name, v] : net_.params().items()) {
    names_.push_back(name);
    params_.push_back(v);
  }
  adam_ = Adam(params_, AdamParams{cfg_.lr});
}

const TrainRow& Trainer::step() {
  auto t0 = std::chrono::steady_clock::now();
  Var x(data_.next_batch(cfg_.batch_size, cursor_).to(device_));
  adam_.zero_grad();
  LossTerms terms;
  Var y = net_.forward(x);
  Var total = loss_.total(y, loss_.reference(x), &terms);
  if (!std::isfinite(terms.total))
    throw Error("the loss became " + std::to_string(terms.total) + " at step " + std::to_string(adam_.steps() + 1) +
                "; try a smaller --lr or smaller loss weights. The checkpoints written so far are intact");
  total.backward();
  // A finite loss can still give an overflowing gradient; Adam would carry it into every
  // weight (and the next checkpoint), so stop first.
  int64_t bad = first_nonfinite_gradient(params_);
  if (bad >= 0)
    throw Error("the gradient of '" + names_[static_cast<size_t>(bad)] + "' is not finite at step " +
                std::to_string(adam_.steps() + 1) + " (loss " + std::to_string(terms.total) +
                "); try a smaller --lr or smaller loss weights. The checkpoints written so far are intact");
  adam_.step();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  history_.push_back({adam_.steps(), (history_.empty() ? 0.0 : history_.back().seconds) + secs, std::move(terms)});
  return history_.back();
}

LossTerms Trainer::evaluate(const Tensor& batch) const {
  NoGradGuard ng;
  Var x(batch.to(device_));
  LossTerms terms;
  loss_.total(net_.forward(x), loss_.reference(x), &terms);
  return terms;
}

std::map<std::string, Tensor> Trainer::adam_state() const {
  std::map<std::string, Tensor> state;
  for (size_t i = 0; i < names_.size(); ++i) {
    state["m." + names_[i]] = adam_.first_moments()[i].to(Device::CPU);
    state["v." + names_[i]] = adam_.second_moments()[i].to(Device::CPU);
  }
  return state;
}

void Trainer::save(const std::string& checkpoint, const std::map<std::string, h5::AttrValue>& attrs) const {
  std::map<std::string, Tensor> state = adam_state();
  if (!history_.empty()) {  // one row of TrainRow::values() per step, as float32
    const int64_t columns = static_cast<int64_t>(history_[0].values().size());
    Tensor h = Tensor::empty({static_cast<int64_t>(history_.size()), columns});
    float* d = h.data();
    for (const TrainRow& row : history_)
      for (double v : row.values()) *d++ = static_cast<float>(v);
    state["history"] = h;
  }
  using A = h5::AttrValue;
  std::map<std::string, A> oa = {{"step", A::integer_value(adam_.steps())},
                                 {"cursor", A::integer_value(cursor_)},
                                 {"seed", A::integer_value(static_cast<int64_t>(data_.seed()))},
                                 {"batch_size", A::integer_value(cfg_.batch_size)},
                                 {"crop_size", A::integer_value(data_.crop_size())},
                                 {"image_count", A::integer_value(static_cast<int64_t>(data_.size()))},
                                 {"lr", A::number(cfg_.lr)}};
  for (const auto& [option, value] : cfg_.same) oa["same:" + option] = A::string(value);
  // The optimiser state first: a weights file present always has its state beside it.
  save_weights(optim_path(checkpoint), kOptimArch, state, oa);
  std::map<std::string, A> wa = fast_style_attrs();
  for (const auto& kv : attrs) wa[kv.first] = kv.second;
  wa["step"] = A::integer_value(adam_.steps());
  save_weights(checkpoint, "fast_style_tf", net_.params().tensors(), wa);
}

void Trainer::resume(const std::string& checkpoint) {
  FastStyleNet w = load_fast_style(checkpoint, Device::CPU);
  std::string op = optim_path(checkpoint);
  if (!fs::is_regular_file(op))
    throw Error(checkpoint + ": no optimiser state " + op + " beside it, so it cannot be resumed exactly (--init " +
                checkpoint + " starts a new run from its weights)");
  WeightFile o = load_weights(op, kOptimArch);
  auto expect = [&](const char* attr, int64_t have, const char* option) {
    auto saved = static_cast<int64_t>(o.attr_number(attr));
    if (saved != have)
      throw Error(op + ": the run was trained with " + option + " " + std::to_string(saved) + ", this one has " +
                  std::to_string(have) + "; resuming exactly needs the same --seed, --batch-size, --crop-size and images");
  };
  expect("seed", static_cast<int64_t>(data_.seed()), "--seed");
  expect("batch_size", cfg_.batch_size, "--batch-size");
  expect("crop_size", data_.crop_size(), "--crop-size");
  expect("image_count", static_cast<int64_t>(data_.size()), "the image count");
  for (const auto& [option, value] : cfg_.same) {
    if (!o.has_attr("same:" + option)) continue;
    std::string saved = o.attr_string("same:" + option);
    if (saved != value)
      throw Error(op + ": the run was trained with " + option + " " + saved + ", this one has " + value +
                  "; a resumed run keeps its style and loss settings (train into another -o for new ones)");
  }
  std::vector<Tensor> m, v;
  for (size_t i = 0; i < names_.size(); ++i) {
    params_[i].value_mut().copy_from(w.params().get(names_[i]).value());
    for (auto [prefix, dst] : {std::make_pair("m.", &m), std::make_pair("v.", &v)}) {
      const Tensor& t = o.param(prefix + names_[i]);
      if (t.shape() != params_[i].shape())
        throw Error(op + ": '" + prefix + names_[i] + "' has shape " + shape_str(t.shape()));
      dst->push_back(t);
    }
  }
  adam_.restore(static_cast<int64_t>(o.attr_number("step")), m, v);
  cursor_ = static_cast<int64_t>(o.attr_number("cursor"));
  history_.clear();
  if (o.params.count("history")) {
    const Tensor& h = o.param("history");
    for (int64_t r = 0; r < h.shape()[0]; ++r) {
      std::vector<double> row(h.data() + r * h.shape()[1], h.data() + (r + 1) * h.shape()[1]);
      if (row.size() < 2) throw Error(op + ": its loss history has " + std::to_string(row.size()) + " columns");
      history_.push_back({static_cast<int64_t>(row[0]), row[1],
                          LossTerms::from_values({row.begin() + 2, row.end()}, loss_.styles().size())});
    }
  }
}

}  // namespace app
}  // namespace ds
