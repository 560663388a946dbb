// The files a command reads and the files it will write, checked once before any work (no
// network loaded, nothing computed), so that no command ever writes over one of its inputs:
//   - no output may be an input (ds::same_file: device and inode when the file exists, else
//     the normalised absolute path; so "./x/../x.png", a hard link or a symbolic link to an
//     input are all caught), except the one input an output was declared to replace (the
//     `--overwrite` of `depthstyle fast`: an image replaced by its stylised version);
//   - no two outputs may be the same file (one would silently replace the other);
//   - an output folder may not be a folder of inputs (folder modes; see check_output_folder);
//   - every output's folder is created when missing (ds::ensure_parent_dir, as ds::AtomicFile
//     does), so a folder that cannot be created is reported before the work, not after it.
// Cost: one stat(2) (plus a path normalisation for files that do not exist yet) per path.
#pragma once
#include <string>
#include <vector>

namespace ds {
namespace app {

class OutputPlan {
 public:
  // `what` names the file in messages ("content image", "--style image", "-o result").
  // Empty paths are ignored (an option that was not given).
  void input(const std::string& what, const std::string& path);
  // `may_replace`: an input this output is allowed to be (empty: none).
  void output(const std::string& what, const std::string& path, const std::string& may_replace = "");

  // Throws ds::Error naming both files and their roles at the first conflict, then creates
  // the outputs' missing folders (ds::Error naming a folder that cannot be made).
  void check() const;
  // The conflicts alone (nothing created), for a command that checks its outputs' names in
  // between.
  void check_conflicts() const;

 private:
  struct File {
    std::string what, path, may_replace;
  };
  std::vector<File> inputs_, outputs_;
};

// Folder modes (a folder of images in, a folder of files out): refuses an output folder that
// is the input folder (ds::same_file) unless `allow_same` (the caller's --overwrite, where
// it has one). `why` ends the message: what would go wrong and what to do instead.
void check_output_folder(const std::string& in_dir, const std::string& out_dir, bool allow_same,
                         const std::string& why);

}  // namespace app
}  // namespace ds
