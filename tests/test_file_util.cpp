// Output-file safety (tensor/file_util.h): same_file by inode and by normalised path, parent
// folders created on demand, and AtomicFile leaving either the old file or the whole new one.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tensor/file_util.h"
#include "tensor/tensor.h"
#include "tests/check.h"

namespace fs = std::filesystem;

namespace {
using dst::slurp;
void put(const std::string& p, const std::string& text) { std::ofstream(p) << text; }
}  // namespace

TEST_CASE("same_file compares inodes when both exist and normalised paths otherwise") {
  std::string dir = dst::temp_path("file_util_same");
  fs::remove_all(dir);
  fs::create_directories(dir);
  put(dir + "/a.png", "a");
  put(dir + "/b.png", "b");
  CHECK(ds::same_file(dir + "/a.png", dir + "/a.png"));
  CHECK(ds::same_file(dir + "/a.png", dir + "/./sub/../a.png"));
  CHECK_FALSE(ds::same_file(dir + "/a.png", dir + "/b.png"));
  fs::create_hard_link(dir + "/a.png", dir + "/hard.png");
  CHECK(ds::same_file(dir + "/a.png", dir + "/hard.png"));  // another name, same inode
  fs::create_symlink(dir + "/a.png", dir + "/link.png");
  CHECK(ds::same_file(dir + "/link.png", dir + "/a.png"));
  CHECK(ds::same_file(dir + "/new/x.png", dir + "/new/../new/x.png"));  // neither exists
  CHECK_FALSE(ds::same_file(dir + "/new/x.png", dir + "/new/y.png"));
  CHECK(ds::same_file(dir, dir + "/"));  // folders too
}

TEST_CASE("AtomicFile writes beside the destination, keeps the extension and renames on commit") {
  std::string dir = dst::temp_path("file_util_atomic");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string out = dir + "/made/deeper/out.png";
  put(dir + "/old.png", "old");
  {
    ds::AtomicFile f(out);
    CHECK(fs::is_directory(dir + "/made/deeper"));  // missing folders are created
    CHECK(fs::path(f.temp_path()).parent_path() == fs::path(out).parent_path());
    CHECK(fs::path(f.temp_path()).extension() == ".png");
    put(f.temp_path(), "new");
    CHECK_FALSE(fs::exists(out));  // not visible before commit
    f.commit();
  }
  CHECK(slurp(out) == "new");
  {
    ds::AtomicFile f(dir + "/old.png");
    put(f.temp_path(), "half");
    // destroyed without commit, as when a writer throws: the old file stays, no temporary
  }
  CHECK(slurp(dir + "/old.png") == "old");
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  CHECK(files == 1);
  ds::AtomicFile nothing(dir + "/never.png");
  CHECK_THROWS_WITH_AS(nothing.commit(), doctest::Contains("nothing was written"), ds::Error);
  put(dir + "/plainfile", "x");
  CHECK_THROWS_WITH_AS(ds::AtomicFile(dir + "/plainfile/out.png"), doctest::Contains("not a folder"), ds::Error);
}
