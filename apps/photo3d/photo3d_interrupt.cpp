#include "apps/photo3d/photo3d_interrupt.h"

#include "tensor/file_util.h"

namespace ds {
namespace app {

InterruptNote::InterruptNote() { at("while loading the inputs"); }

InterruptNote::~InterruptNote() { set_interrupt_note(""); }

void InterruptNote::complete(const std::string& files, const std::string& hint) {
  files_.push_back(files);
  if (!hint.empty()) hints_.push_back(hint);
  at(where_);  // a note set before these files were done would say "nothing written" (break-it 5, finding 1)
}

std::string InterruptNote::written() const {
  if (files_.empty()) return "nothing written";
  std::string text = "complete: ";
  for (size_t k = 0; k < files_.size(); ++k) text += (k ? ", " : "") + files_[k];
  for (const std::string& h : hints_) text += " (" + h + ")";
  return text + "; nothing else written";
}

void InterruptNote::at(const std::string& where) const {
  where_ = where;
  set_interrupt_note("\ninterrupted " + where + "; " + written() + "\n");
}

}  // namespace app
}  // namespace ds
