#include "nn/prepared_data.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "tensor/error.h"

// The installed default, relative to the executable's folder: from the install's bin folder
// to its data folder (set by cmake/install.cmake from CMAKE_INSTALL_BINDIR and _DATADIR).
#ifndef DEPTHSTYLE_DATA_FROM_BIN
#define DEPTHSTYLE_DATA_FROM_BIN "../share/depthstyle"
#endif

namespace fs = std::filesystem;

namespace ds {

namespace {

std::string g_option;  // --data

std::string default_dir(const std::string& exe_path) {
  if (exe_path.empty()) return "";
  return (fs::path(exe_path).parent_path() / DEPTHSTYLE_DATA_FROM_BIN).lexically_normal().string();
}

// " (a link to X)" for the build tree's link to <source>/data, so messages name the real folder.
std::string link_note(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_symlink(dir, ec)) return "";
  fs::path target = fs::read_symlink(dir, ec);
  return ec ? "" : " (a link to " + target.string() + ")";
}

}  // namespace

DataSearch current_data_search() {
  DataSearch s;
  s.option = g_option;
  if (const char* env = std::getenv("DEPTHSTYLE_PREPARED")) s.env = env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) s.exe_path = exe.string();
  return s;
}

std::vector<std::string> data_places(const DataSearch& s) {
  std::string def = default_dir(s.exe_path);
  return {"--data DIR: " + (s.option.empty() ? std::string("not given") : s.option),
          "$DEPTHSTYLE_PREPARED: " + (s.env.empty() ? std::string("not set") : s.env),
          std::string("installed default <executable's folder>/" DEPTHSTYLE_DATA_FROM_BIN ": ") +
              (def.empty() ? std::string("unknown (/proc/self/exe unreadable)") : def + link_note(def))};
}

std::string prepared_dir(const DataSearch& s) {
  if (!s.option.empty()) return s.option;
  if (!s.env.empty()) return s.env;
  return default_dir(s.exe_path);
}

std::string prepared_file(const DataSearch& s, const std::string& relative) {
  std::string dir = prepared_dir(s);
  std::string p = dir + "/" + relative;
  if (!dir.empty() && fs::exists(p)) return p;
  std::string msg = (dir.empty() ? relative : p) + ": not found. The prepared data folder is the first given of:";
  for (const std::string& place : data_places(s)) msg += "\n  " + place;
  msg += "\nscripts/setup makes it from the data folder (../shared/data or $DEPTHSTYLE_DATA) into <source>/data, which"
         " a build tree finds; cmake --install BUILD --component data installs it. Or give the file explicitly";
  throw Error(msg);
}

std::string prepared_dir() { return prepared_dir(current_data_search()); }
std::string prepared_file(const std::string& relative) { return prepared_file(current_data_search(), relative); }

void set_data_dir(const std::string& dir) {
  std::error_code ec;
  if (!dir.empty() && !fs::is_directory(dir, ec))
    throw Error("--data " + dir + ": no such folder (expected the prepared data folder, holding weights/ and images/)");
  g_option = dir;
}

}  // namespace ds
