#include "apps/common/outputs.h"

#include <map>

#include "tensor/file_util.h"
#include "tensor/tensor.h"

namespace ds {
namespace app {

void OutputPlan::input(const std::string& what, const std::string& path) {
  if (!path.empty()) inputs_.push_back({what, path, ""});
}

void OutputPlan::output(const std::string& what, const std::string& path, const std::string& may_replace) {
  if (!path.empty()) outputs_.push_back({what, path, may_replace});
}

namespace {

// Files by FileKeys, answering "which file here is the same file as this one" with
// ds::same_file's rule (inodes when both exist, else normalised paths) in O(log n).
template <typename T>
class FileIndex {
 public:
  void add(const FileKeys& k, T v) {
    if (!k.inode.empty()) by_inode_.emplace(k.inode, v);
    else missing_by_path_.emplace(k.path, v);
    by_path_.emplace(k.path, v);
  }
  const T* find(const FileKeys& k) const {
    if (k.inode.empty()) return lookup(by_path_, k.path);
    if (const T* v = lookup(by_inode_, k.inode)) return v;
    return lookup(missing_by_path_, k.path);
  }

 private:
  static const T* lookup(const std::map<std::string, T>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? nullptr : &it->second;
  }
  std::map<std::string, T> by_inode_, by_path_, missing_by_path_;
};

}  // namespace

void OutputPlan::check() const {
  check_conflicts();
  for (const File& o : outputs_) ensure_parent_dir(o.path);
}

void OutputPlan::check_conflicts() const {
  FileIndex<const File*> read, written;
  for (const File& f : inputs_) read.add(file_keys(f.path), &f);
  for (const File& o : outputs_) {
    FileKeys k = file_keys(o.path);
    const File* const* in = read.find(k);
    if (in && (o.may_replace.empty() || !same_file(o.may_replace, (*in)->path)))
      throw Error("refusing to write the " + o.what + " '" + o.path + "': it is the " + (*in)->what + " '" +
                  (*in)->path + "' (the same file), and no command writes over its inputs; choose another output name");
    if (const File* const* prev = written.find(k))
      throw Error("the " + (*prev)->what + " '" + (*prev)->path + "' and the " + o.what + " '" + o.path +
                  "' are the same file: one would replace the other; choose other output names");
    written.add(k, &o);
  }
}

void check_output_folder(const std::string& in_dir, const std::string& out_dir, bool allow_same,
                         const std::string& why) {
  if (!allow_same && same_file(in_dir, out_dir))
    throw Error("refusing to write into '" + out_dir + "': it is the input folder '" + in_dir + "'; " + why);
}

}  // namespace app
}  // namespace ds
