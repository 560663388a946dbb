// The training driver of `depthstyle train`: the fast-style transformer (nn/models.h,
// FastStyleNet; Johnson et al. 2016) learns from a stream of crops (train_data.h) with Adam
// against a TransferLoss (losses/transfer_loss.h: content, style, TV and depth terms,
// batch means). The loss and depth networks are frozen; only the transformer learns.
//
// Checkpoints (docs/feedforward.md): <dir>/step_NNNNNN.h5 is an ordinary `fast_style_tf`
// weight file (same names as the pretrained ones, plus the attribute `step`), and
// <dir>/step_NNNNNN.optim.h5 (architecture `fast_style_adam_state`) holds what --resume
// needs: Adam's m.<name> and v.<name> per parameter, the step, the data stream position,
// the seed / batch / crop size / image count the run used, and the loss history.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "apps/train/train_data.h"
#include "losses/transfer_loss.h"
#include "nn/models.h"
#include "nn/optim.h"

namespace ds {
namespace app {

// The optimiser settings (the loss is the TransferLoss's).
struct TrainConfig {
  float lr = 1e-3f;
  int batch_size = 4;
  // Settings a resumed run must share with the run it continues, as {option, value} (the
  // style image's pixels, the loss settings): saved with each checkpoint's optimiser state
  // (attribute same:OPTION), and resume() refuses another value, naming the option.
  std::vector<std::pair<std::string, std::string>> same;
};

// One row of the training history (the CSV log, the checkpoint's `history`).
struct TrainRow {
  int64_t step = 0;
  double seconds = 0;  // training time so far, across resumes
  LossTerms terms;
  std::vector<double> values() const;  // step, seconds, then the terms (LossTerms::values)
};

std::string checkpoint_path(const std::string& dir, int64_t step);  // <dir>/step_NNNNNN.h5
std::string optim_path(const std::string& checkpoint);                // <...>.optim.h5
// A checkpoint file as is, or for a folder the checkpoint with the highest step in it.
std::string resolve_checkpoint(const std::string& file_or_dir);
// The step in a checkpoint's file name (step_NNNNNN.h5), or -1 for another name.
int64_t checkpoint_step(const std::string& path);
// The checkpoint files (step_NNNNNN.h5) in a folder; none when it does not exist.
std::vector<std::string> existing_checkpoints(const std::string& dir);

class Trainer {
 public:
  // Parameters are moved to `device` and made trainable. `loss` and `data` must outlive the
  // trainer. Errors: a batch size below 1.
  Trainer(ParamSet transformer, const TransferLoss& loss, ImageStream& data, TrainConfig cfg, Device device);

  // One Adam step on the next batch; returns the history row it appended.
  const TrainRow& step();
  // Term values of the current transformer on a batch, without changing anything.
  LossTerms evaluate(const Tensor& batch) const;

  // Writes checkpoint_path-style files: the weights (with `attrs` added) and the optimiser state.
  void save(const std::string& checkpoint, const std::map<std::string, h5::AttrValue>& attrs) const;
  // Restores weights, Adam state, step, stream position and history; errors when the saved
  // seed, batch size, crop size or image count differ from this run's (the data would differ),
  // or a setting of TrainConfig::same does (checkpoints older than those attributes: not checked).
  void resume(const std::string& checkpoint);

  int64_t steps_done() const { return adam_.steps(); }
  int64_t cursor() const { return cursor_; }
  const std::vector<TrainRow>& history() const { return history_; }
  const FastStyleNet& net() const { return net_; }
  int batch_size() const { return cfg_.batch_size; }
  // Adam's moments as a checkpoint stores them: "m.NAME" and "v.NAME" per parameter (CPU copies).
  std::map<std::string, Tensor> adam_state() const;

 private:
  FastStyleNet net_;
  const TransferLoss& loss_;
  ImageStream& data_;
  TrainConfig cfg_;
  Device device_;
  std::vector<std::string> names_;  // parameter names, in ParamSet order
  std::vector<Var> params_;
  Adam adam_;
  int64_t cursor_ = 0;
  std::vector<TrainRow> history_;
};

}  // namespace app
}  // namespace ds
