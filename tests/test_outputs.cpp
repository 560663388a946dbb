// A command's plan of inputs and outputs (apps/common/outputs.h): an output that is an input under
// any spelling (same path, "./x/../x", hard link, symbolic link) is refused before anything is
// written; only the one input an output may replace is let through; two outputs may not be one
// file; missing output folders are created once the plan is accepted, and not when refused.
// The expected answers come from how the files were made (links, spellings), not from same_file.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "apps/common/outputs.h"
#include "tensor/file_util.h"
#include "tensor/tensor.h"
#include "tests/check.h"

namespace fs = std::filesystem;
using ds::app::OutputPlan;

namespace {

struct Folder {
  std::string dir;
  explicit Folder(const std::string& name) : dir(dst::temp_path(name)) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir + "/in.png") << "input";
    std::ofstream(dir + "/other.png") << "other";
  }
  ~Folder() { fs::remove_all(dir); }
  std::string operator()(const std::string& name) const { return dir + "/" + name; }
};

std::string refusal(const OutputPlan& p) {
  try {
    p.check();
  } catch (const ds::Error& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("outputs: an output that is an input under any spelling is refused, naming both") {
  Folder f("outputs_spellings");
  fs::create_hard_link(f("in.png"), f("hard.png"));
  fs::create_symlink(f("in.png"), f("link.png"));
  fs::create_directories(f("sub"));
  // "nosuch/../in.png" passes through a folder that does not exist: the file system cannot
  // open it, but a writer that creates missing folders would write in.png.
  for (const std::string& out :
       {f("in.png"), f("sub/../in.png"), f("./in.png"), f("nosuch/../in.png"), f("hard.png"), f("link.png")}) {
    CAPTURE(out);
    OutputPlan p;
    p.input("content image", f("in.png"));
    p.output("-o result", f("new/dir/a.png"));
    p.output("montage", out);
    std::string msg = refusal(p);
    CHECK(msg.find("refusing to write the montage '" + out + "'") != std::string::npos);
    CHECK(msg.find("content image '" + f("in.png") + "'") != std::string::npos);
    CHECK_FALSE(fs::exists(f("new")));  // refused before any folder was made
    CHECK_FALSE(fs::exists(f("nosuch")));
  }
  std::ifstream in(f("in.png"));
  std::string text;
  in >> text;
  CHECK(text == "input");
}

TEST_CASE("outputs: may_replace lets an output be that one input only, two outputs may not be one file") {
  Folder f("outputs_replace");
  OutputPlan own;
  own.input("image", f("in.png"));
  own.input("image", f("other.png"));
  own.output("output", f("./in.png"), f("in.png"));
  CHECK(refusal(own) == "(accepted)");
  OutputPlan another;
  another.input("image", f("in.png"));
  another.input("image", f("other.png"));
  another.output("output", f("other.png"), f("in.png"));  // replaces an image it was not made from
  CHECK(refusal(another).find("it is the image '" + f("other.png") + "'") != std::string::npos);
  OutputPlan twice;
  twice.output("loss plot", f("p.png"));
  twice.output("montage", f("sub/../p.png"));
  CHECK(refusal(twice).find("are the same file") != std::string::npos);
}

TEST_CASE("outputs: an accepted plan creates the missing output folders, a file in the way is an error") {
  Folder f("outputs_folders");
  OutputPlan p;
  p.input("image", f("in.png"));
  p.output("depth map", f("a/b/d.png"));
  p.output("features", f("c/f.h5"));
  CHECK(refusal(p) == "(accepted)");
  CHECK(fs::is_directory(f("a/b")));
  CHECK(fs::is_directory(f("c")));
  OutputPlan blocked;
  blocked.output("depth map", f("in.png/d.png"));
  CHECK(refusal(blocked).find("not a folder") != std::string::npos);
}

TEST_CASE("outputs: an output folder that is the input folder is refused unless allowed") {
  Folder f("outputs_folder_mode");
  fs::create_directories(f("out"));
  CHECK_THROWS_WITH_AS(ds::app::check_output_folder(f.dir, f.dir + "/./", false, "choose another"),
                       doctest::Contains("it is the input folder"), ds::Error);
  CHECK_THROWS_AS(ds::app::check_output_folder(f.dir, f("out/.."), false, ""), ds::Error);
  CHECK_NOTHROW(ds::app::check_output_folder(f.dir, f.dir, true, ""));
  CHECK_NOTHROW(ds::app::check_output_folder(f.dir, f("out"), false, ""));
  CHECK_NOTHROW(ds::app::check_output_folder(f.dir, f("missing"), false, ""));
}

