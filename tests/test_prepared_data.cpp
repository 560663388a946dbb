// Where the prepared data is found (nn/prepared_data.h): --data, then $DEPTHSTYLE_PREPARED,
// then <executable's folder>/../share/depthstyle, checked on temporary folders laid out like
// an install; and the error that lists every place when a file is missing.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "nn/prepared_data.h"
#include "tensor/error.h"
#include "tests/check.h"

namespace fs = std::filesystem;

namespace {

using dst::contains;
using dst::error_of;

// root/opt, root/env and root/prefix/{bin/prog, share/depthstyle}; each data folder holds
// weights/x.h5 when `with_file` says so.
struct Layout {
  fs::path root, opt, env, prefix, exe, installed;
  explicit Layout(const std::string& name, bool opt_file, bool env_file, bool installed_file)
      : root(dst::temp_path(name)), opt(root / "opt"), env(root / "env"), prefix(root / "prefix"),
        exe(prefix / "bin" / "prog"), installed(prefix / "share" / "depthstyle") {
    fs::remove_all(root);
    for (const fs::path& d : {opt, env, installed}) fs::create_directories(d / "weights");
    fs::create_directories(exe.parent_path());
    std::ofstream(exe) << "";
    if (opt_file) std::ofstream(opt / "weights/x.h5") << "opt";
    if (env_file) std::ofstream(env / "weights/x.h5") << "env";
    if (installed_file) std::ofstream(installed / "weights/x.h5") << "installed";
  }
  ~Layout() { fs::remove_all(root); }
};

// The file prepared_file found, compared by identity (not spelling) with the expected one.
void check_found(const ds::DataSearch& s, const fs::path& expected_dir) {
  std::string p = ds::prepared_file(s, "weights/x.h5");
  INFO(p);
  CHECK(fs::equivalent(p, expected_dir / "weights/x.h5"));
  CHECK(fs::equivalent(ds::prepared_dir(s), expected_dir));
}

}  // namespace

TEST_CASE("prepared data: --data wins, then $DEPTHSTYLE_PREPARED, then <exe>/../share/depthstyle") {
  Layout l("prepared_order", true, true, true);
  check_found({l.opt.string(), l.env.string(), l.exe.string()}, l.opt);
  check_found({"", l.env.string(), l.exe.string()}, l.env);
  check_found({"", "", l.exe.string()}, l.installed);
}

TEST_CASE("prepared data: a folder given on purpose is not replaced by a later place that has the file") {
  Layout l("prepared_no_fallthrough", false, false, true);
  std::string m = error_of([&] { ds::prepared_file({l.opt.string(), "", l.exe.string()}, "weights/x.h5"); });
  CHECK(contains(m, (l.opt / "weights/x.h5").string() + ": not found"));
  m = error_of([&] { ds::prepared_file({"", l.env.string(), l.exe.string()}, "weights/x.h5"); });
  CHECK(contains(m, (l.env / "weights/x.h5").string() + ": not found"));
}

TEST_CASE("prepared data: a missing file is an error naming every place in order and how to make the data") {
  Layout l("prepared_missing", false, false, false);
  std::string m = error_of([&] { ds::prepared_file({"", "", l.exe.string()}, "weights/x.h5"); });
  INFO(m);
  size_t a = m.find("--data DIR: not given"), b = m.find("$DEPTHSTYLE_PREPARED: not set"),
         c = m.find("installed default <executable's folder>/../share/depthstyle: " + l.installed.string());
  CHECK(a != std::string::npos);
  CHECK(b != std::string::npos);
  CHECK(c != std::string::npos);
  CHECK((a < b && b < c));
  CHECK(contains(m, "scripts/setup"));
  CHECK(contains(m, "--component data"));
  // The given places are named too.
  m = error_of([&] { ds::prepared_file({l.opt.string(), l.env.string(), l.exe.string()}, "weights/x.h5"); });
  CHECK(contains(m, "--data DIR: " + l.opt.string()));
  CHECK(contains(m, "$DEPTHSTYLE_PREPARED: " + l.env.string()));
}

TEST_CASE("prepared data: --data must name a folder, and the running program uses it and the environment") {
  Layout l("prepared_current", true, true, true);
  std::string m = error_of([&] { ds::set_data_dir((l.root / "absent").string()); });
  CHECK(contains(m, "--data " + (l.root / "absent").string() + ": no such folder"));
  m = error_of([&] { ds::set_data_dir(l.exe.string()); });  // a file, not a folder
  CHECK(contains(m, "no such folder"));

  const char* old = std::getenv("DEPTHSTYLE_PREPARED");
  std::string saved = old ? old : "";
  setenv("DEPTHSTYLE_PREPARED", l.env.string().c_str(), 1);
  ds::DataSearch s = ds::current_data_search();
  CHECK(s.env == l.env.string());
  CHECK(s.option.empty());
  CHECK(fs::path(s.exe_path).filename() == "ds_tests");  // /proc/self/exe is this program
  CHECK(fs::equivalent(ds::prepared_dir(), l.env));
  ds::set_data_dir(l.opt.string());
  CHECK(fs::equivalent(ds::prepared_dir(), l.opt));
  ds::set_data_dir("");
  if (old) setenv("DEPTHSTYLE_PREPARED", saved.c_str(), 1);
  else unsetenv("DEPTHSTYLE_PREPARED");
}

TEST_CASE("prepared data: in the build tree, the default <build>/share/depthstyle links to <source>/data") {
  ds::DataSearch s = ds::current_data_search();
  s.option.clear();
  s.env.clear();
  fs::path def = ds::prepared_dir(s);
  INFO(def.string());
  REQUIRE(fs::is_symlink(def));
  CHECK(fs::read_symlink(def) == fs::path(DEPTHSTYLE_SOURCE_DIR) / "data");
  CHECK(contains(ds::data_places(s).back(), "a link to " + (fs::path(DEPTHSTYLE_SOURCE_DIR) / "data").string()));
}
