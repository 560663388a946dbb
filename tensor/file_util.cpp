#include "tensor/file_util.h"

#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <set>
#include <system_error>
#include <sys/stat.h>
#include <unistd.h>

#include "tensor/tensor.h"

namespace fs = std::filesystem;

namespace ds {

FileKeys file_keys(const std::string& path) {
  FileKeys k;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) k.inode = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  std::error_code e;
  fs::path p = fs::weakly_canonical(fs::absolute(path), e);
  k.path = (e ? fs::absolute(path).lexically_normal() : p).string();
  return k;
}

bool same_file(const std::string& a, const std::string& b) {
  FileKeys ka = file_keys(a), kb = file_keys(b);
  if (!ka.inode.empty() && !kb.inode.empty()) return ka.inode == kb.inode;
  return ka.path == kb.path;
}

void ensure_parent_dir(const std::string& path) {
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) return;
  std::error_code e;
  if (fs::is_directory(dir, e)) return;
  if (fs::exists(dir, e)) throw Error(dir.string() + ": exists but is not a folder; cannot write " + path);
  fs::create_directories(dir, e);
  if (e) throw Error(dir.string() + ": cannot create the output folder (" + e.message() + ")");
}

void check_not_folder(const std::string& path, const std::string& example) {
  std::error_code e;
  if (fs::is_directory(path, e))
    throw Error(path + ": is a folder; give a file name in it, e.g. " + (fs::path(path) / example).string());
}

std::string lower_extension(const std::string& path) {
  size_t dot = path.find_last_of('.'), slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string e = path.substr(dot);
  for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::error_code e;
  if (fs::is_directory(path, e)) throw Error(path + ": is a folder, not a file");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open file (missing or unreadable)");
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw Error(path + ": read error");
  return b;
}

namespace {

// Temporaries not yet committed, removed by the SIGINT/SIGTERM handler. The handler only
// reads the set and calls unlink(2), which is async-signal-safe; a signal that lands while
// another thread is changing the set may miss one temporary (it then stays as a hidden file).
std::mutex g_live_mutex;
std::set<std::string>* g_live = nullptr;

// The interrupt note: the handler reads the current pointer; the two latest texts stay alive,
// so one being read while a newer one is published is not freed under it.
std::atomic<const std::string*> g_note{nullptr};
std::unique_ptr<std::string> g_note_slots[2];
int g_note_next = 0;

extern "C" void remove_temporaries_and_exit(int sig) {
  if (const std::string* note = g_note.load()) {
    for (size_t done = 0; done < note->size();) {
      ssize_t n = ::write(1, note->data() + done, note->size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
  }
  if (g_live)
    for (const std::string& t : *g_live) ::unlink(t.c_str());
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// Under g_live_mutex.
void install_handler() {
  if (g_live) return;
  g_live = new std::set<std::string>();
  std::signal(SIGINT, remove_temporaries_and_exit);
  std::signal(SIGTERM, remove_temporaries_and_exit);
}

void register_temp(const std::string& t) {
  std::lock_guard<std::mutex> lock(g_live_mutex);
  install_handler();
  g_live->insert(t);
}

void unregister_temp(const std::string& t) {
  std::lock_guard<std::mutex> lock(g_live_mutex);
  if (g_live) g_live->erase(t);
}

}  // namespace

void set_interrupt_note(const std::string& text) {
  std::lock_guard<std::mutex> lock(g_live_mutex);
  install_handler();
  std::unique_ptr<std::string>& slot = g_note_slots[g_note_next];
  g_note_next = 1 - g_note_next;
  std::unique_ptr<std::string> fresh = text.empty() ? nullptr : std::make_unique<std::string>(text);
  g_note.store(fresh.get());
  slot = std::move(fresh);  // frees the text of two calls ago, which no handler still reads
}

std::string interrupt_note() {
  std::lock_guard<std::mutex> lock(g_live_mutex);
  const std::string* note = g_note.load();
  return note ? *note : std::string();
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw Error("output path is empty");
  ensure_parent_dir(path_);
  static std::atomic<int> counter{0};
  fs::path p(path_);
  std::string name = "." + p.stem().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                     std::to_string(counter++) + p.extension().string();
  tmp_ = (p.parent_path() / name).string();
  register_temp(tmp_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(tmp_.c_str());
  unregister_temp(tmp_);
}

void AtomicFile::commit() {
  std::error_code e;
  if (!fs::exists(tmp_, e)) throw Error(path_ + ": nothing was written (temporary " + tmp_ + " is missing)");
  fs::rename(tmp_, path_, e);
  if (e) {
    std::remove(tmp_.c_str());
    throw Error(path_ + ": cannot write the output (rename from " + tmp_ + " failed: " + e.message() + ")");
  }
  committed_ = true;
}

void write_file_bytes(const std::string& path, const void* data, size_t size) {
  AtomicFile out(path);
  {
    std::ofstream f(out.temp_path(), std::ios::binary);
    if (!f) throw Error(path + ": cannot open " + out.temp_path() + " for writing");
    f.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    f.close();
    if (!f) throw Error(path + ": write failed (disk full?)");
  }
  out.commit();
}

}  // namespace ds
