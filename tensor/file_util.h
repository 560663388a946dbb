// Safe output files: every file the project writes goes through AtomicFile, so an output is
// either the old file or the complete new one, never half of one; and commands check with
// same_file() that no output is one of their inputs before doing any work.
//
// Invariants
//   - AtomicFile's temporary lives in the destination's folder (so the final rename(2) is
//     atomic on POSIX file systems) and keeps the destination's extension (writers that pick a
//     format by extension see the right one).
//   - An AtomicFile that is destroyed without commit() removes its temporary; one that is
//     killed (SIGKILL) may leave a hidden ".NAME.tmp-PID-N.EXT" file, never a truncated NAME.
//     SIGINT/SIGTERM remove the live temporaries before the process ends (after printing the
//     interrupt note, set_interrupt_note).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ds {

// True when a and b name the same file: the same device and inode when both exist, else the
// same path after making both absolute and normalising "." and ".." (std::filesystem's
// weakly_canonical, so symbolic links in the existing part of the path are resolved).
bool same_file(const std::string& a, const std::string& b);

// What same_file compares, computed once per path so a command can compare many paths:
// `inode` is "DEV:INO" for an existing file or folder and empty otherwise; `path` is the
// weakly_canonical absolute path. same_file(a, b) is: inodes equal when both are non-empty,
// else paths equal.
struct FileKeys {
  std::string inode, path;
};
FileKeys file_keys(const std::string& path);

// Creates the folder that will hold `path` (and its parents) when missing. Throws ds::Error
// naming the folder when it cannot be created or exists as something other than a folder.
void ensure_parent_dir(const std::string& path);

// Throws ds::Error "PATH: is a folder; give a file name in it, e.g. PATH/EXAMPLE" when `path`,
// a file to be written, is an existing folder: checked before the file's type, which a folder's
// name does not give ("out" would otherwise be "a file without an extension").
void check_not_folder(const std::string& path, const std::string& example = "NAME.png");

// The extension of the last path component, lower-cased, with its dot (".png"); "" if none.
std::string lower_extension(const std::string& path);

// The whole file. Throws ds::Error naming `path` when it is missing, a folder, or unreadable.
std::vector<uint8_t> read_file_bytes(const std::string& path);

// Writes `size` bytes as the whole file `path`, through an AtomicFile (the file appears only
// when complete). Throws ds::Error naming `path` when it cannot be written (disk full).
void write_file_bytes(const std::string& path, const void* data, size_t size);
inline void write_file_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  write_file_bytes(path, bytes.data(), bytes.size());
}
// Text the SIGINT/SIGTERM handler writes to standard output (write(2), async-signal-safe)
// before it removes the live temporaries and ends the process by the same signal (so a shell
// sees 130 for Ctrl-C); "" for none. Batch commands keep their summary here so that Ctrl-C says
// what finished and what did not. The text is copied; a signal sees the previous text or the
// new one, never a mix. Installs the handler.
void set_interrupt_note(const std::string& text);
std::string interrupt_note();  // the text a signal would print now ("" for none)

class AtomicFile {
 public:
  // Creates the destination's folder when missing (ensure_parent_dir) and picks a temporary
  // name beside it. Nothing is written until the caller writes temp_path().
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return tmp_; }
  // Renames the temporary onto path(). Throws ds::Error naming path() if the temporary is
  // missing or the rename fails (the temporary is then removed).
  void commit();

 private:
  std::string path_, tmp_;
  bool committed_ = false;
};

}  // namespace ds
