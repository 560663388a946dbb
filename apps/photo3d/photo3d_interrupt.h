// What Ctrl-C (SIGINT) or SIGTERM prints while `depthstyle 3d` runs: the interrupt note of
// tensor/file_util.h (set_interrupt_note), which the signal handler writes before it removes the
// live temporaries and ends the process by the same signal (exit status 130 / 143 in a shell),
// as `stylize` and `video` do. Every file the command writes goes through an AtomicFile (the
// path's frames too: apps/media/video_io.h's PNG sequence, renamed only when the last frame is
// done), so an interrupt leaves no half file and no part of a frame sequence; the note says where
// the run was and which of its files are complete (the stylised photo, whose reuse it names).
#pragma once
#include <string>
#include <vector>

namespace ds {
namespace app {

class InterruptNote {
 public:
  InterruptNote();   // "interrupted while loading the inputs; nothing written"
  ~InterruptNote();  // clears the note
  InterruptNote(const InterruptNote&) = delete;
  InterruptNote& operator=(const InterruptNote&) = delete;

  // Files of this run that are complete from now on ("a.glb and a.html"), and what the user can
  // do with them ("" for nothing); the note says so at once (where the run is, unchanged).
  void complete(const std::string& files, const std::string& hint = "");
  // The note for an interrupt from now on: "\ninterrupted WHERE; nothing written\n", or with
  // complete files "\ninterrupted WHERE; complete: F (HINT); nothing else written\n".
  void at(const std::string& where) const;
  // The text after "interrupted WHERE; " (without the newline).
  std::string written() const;

 private:
  std::vector<std::string> files_, hints_;
  mutable std::string where_;  // the last at()
};

}  // namespace app
}  // namespace ds
