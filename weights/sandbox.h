// Runs code that parses untrusted files in a child process, so that a crash, a hang or a
// runaway allocation inside a library becomes an exception here instead of ending or hanging
// the program. Debian's libhdf5 1.10.8 has all three on corrupt files (a heap overflow on a
// short gzip chunk, a segfault closing a corrupt attribute, an endless loop on a corrupt
// global heap); weights/h5.h reads every user-supplied HDF5 file through this.
//
// How: fork(); the child sets RLIMIT_AS (what it inherited plus Limits::memory_mib),
// RLIMIT_CPU (Limits::timeout_s), RLIMIT_CORE 0 and RLIMIT_FSIZE 0, runs the given function,
// which writes length-prefixed records to a pipe (Sink), and ends with _exit (no atexit
// handlers, no destructors of the parent's objects). The parent reads the records (Source)
// under a wall-clock deadline, then reaps the child with waitpid; on a timeout or any error it
// kills the child (SIGKILL) first. The child must only read files and compute: no CUDA, no
// OpenMP regions, no threads (after fork only the calling thread exists).
#pragma once
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ds {
namespace sandbox {

struct Limits {
  double timeout_s = 60;       // wall clock for the whole child (also its CPU-time limit)
  int64_t memory_mib = 2048;   // address space the child may add to what it inherits
};

// The child died (signal), timed out, ran out of memory or sent a malformed reply. what()
// says which: "signal 11 (Segmentation fault)", "timed out after 60 s", "ran out of the
// 2048 MiB memory limit", ...
class ChildFailure : public std::runtime_error {
 public:
  enum class Kind { Crashed, TimedOut, OutOfMemory, Malformed };
  ChildFailure(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// An error the child's code reported on purpose: a ds::Error thrown in the child arrives as
// code 0 with its message; code is free for the caller's own kinds of error.
class ChildError : public std::runtime_error {
 public:
  ChildError(int code, const std::string& text) : std::runtime_error(text), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// Child side: buffered writes to the pipe. Records are the caller's own, each starting with a
// tag byte below kEnd. Numbers are native byte order (both ends are the same binary).
class Sink {
 public:
  explicit Sink(int fd);
  void raw(const void* p, size_t n);
  void u8(uint8_t v) { raw(&v, 1); }
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void f64(double v) { raw(&v, 8); }
  void str(const std::string& s);  // u32 length + bytes
  void flush();

 private:
  int fd_;
  std::vector<char> buf_;
  size_t used_ = 0;
};

// Parent side: reads under the deadline. A reply that ends early, is too long or breaks a
// bound throws ChildFailure; a ChildError record throws ChildError.
class Source {
 public:
  static constexpr uint8_t kEnd = 0xFE, kError = 0xFF;
  Source(int fd, double deadline_s);
  uint8_t tag();  // the next record's tag; kEnd when the reply is complete; throws on kError
  void raw(void* p, size_t n);
  uint8_t u8() { return get<uint8_t>(); }
  uint32_t u32() { return get<uint32_t>(); }
  uint64_t u64() { return get<uint64_t>(); }
  double f64() { return get<double>(); }
  std::string str(size_t max_len);  // ChildFailure when longer than max_len
  bool ended() const { return ended_; }
  bool at_eof();  // true when the child has closed the pipe with nothing more in it

 private:
  template <class T>
  T get() {
    T v;
    raw(&v, sizeof v);
    return v;
  }
  void fill();
  int fd_;
  double deadline_;  // CLOCK_MONOTONIC seconds
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
  bool ended_ = false;
};

// Runs child(sink) in a child process and parent(source) here on what it writes; returns when
// parent has read the kEnd record and the child has exited with status 0. Throws ChildError
// (reported by the child), ChildFailure (crash, timeout, memory, malformed reply), or whatever
// parent throws (the child is then killed). In the child, std::bad_alloc counts as running out
// of memory and any other exception as a ChildError with code 0.
void run(const Limits& limits, const std::function<void(Sink&)>& child, const std::function<void(Source&)>& parent);

namespace testing {
// Makes the next children misbehave before doing their work, for tests of the failure paths.
enum class Fault { None, Crash, Hang, Allocate };
void inject(Fault f);
}  // namespace testing

}  // namespace sandbox
}  // namespace ds
