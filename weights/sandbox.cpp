#include "weights/sandbox.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sstream>

#include "tensor/tensor.h"

namespace ds {
namespace sandbox {

namespace {

constexpr int kExitNoMemory = 71, kExitPipe = 72, kExitFailed = 73;
constexpr size_t kBufferBytes = 256 * 1024;

testing::Fault g_fault = testing::Fault::None;
void* volatile g_hold = nullptr;  // Fault::Allocate's blocks (volatile: the allocations stay)

// Thrown by Source inside run() only; not std::exceptions, so no caller's handler takes them.
struct TimedOut {};
struct EndOfStream {};

double now_s() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

std::string seconds_str(double s) {
  std::ostringstream o;
  o << s << " s";
  return o.str();
}

// The child's address space at fork (VmSize from /proc/self/statm), or 0 when unknown.
uint64_t inherited_bytes() {
  int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[64] = {};
  ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (n <= 0) return 0;
  return std::strtoull(text, nullptr, 10) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

void set_limit(int resource, rlim_t value, rlim_t hard) {
  rlimit old;
  if (getrlimit(resource, &old) == 0 && old.rlim_max != RLIM_INFINITY) hard = std::min(hard, old.rlim_max);
  rlimit r{std::min(value, hard), hard};
  setrlimit(resource, &r);  // best effort: a failure leaves the parent's (looser) limit
}

void set_child_limits(const Limits& lim) {
  rlim_t mem = static_cast<rlim_t>(inherited_bytes() + (static_cast<uint64_t>(lim.memory_mib) << 20));
  set_limit(RLIMIT_AS, mem, mem);
  rlim_t cpu = static_cast<rlim_t>(std::ceil(lim.timeout_s)) + 1;
  set_limit(RLIMIT_CPU, cpu, cpu + 1);  // soft: SIGXCPU, hard: SIGKILL
  set_limit(RLIMIT_CORE, 0, 0);         // a crash writes no core file
  set_limit(RLIMIT_FSIZE, 0, 0);        // a reader writes no file
}

void apply_fault() {
  switch (g_fault) {
    case testing::Fault::Crash:
      std::raise(SIGSEGV);
      break;
    case testing::Fault::Hang:
      for (;;) ::pause();
    case testing::Fault::Allocate:
      for (;;) g_hold = ::operator new(size_t{64} << 20);  // until bad_alloc at the RLIMIT_AS limit
    case testing::Fault::None:
      break;
  }
}

[[noreturn]] void child_main(int fd, const Limits& lim, const std::function<void(Sink&)>& child) {
  // Default actions, not the parent's handlers: AtomicFile's remove its temporaries, a crash
  // reporter's would report the parent; a crash here must simply end this process.
  for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGXCPU})
    std::signal(sig, SIG_DFL);
  set_child_limits(lim);
  try {
    apply_fault();
    Sink sink(fd);
    int code = -1;
    std::string text;
    try {
      child(sink);
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const ChildError& e) {
      code = e.code(), text = e.what();
    } catch (const std::exception& e) {
      code = 0, text = e.what();
    }
    if (code >= 0) {
      sink.u8(Source::kError);
      sink.u32(static_cast<uint32_t>(code));
      sink.str(text);
    } else {
      sink.u8(Source::kEnd);
    }
    sink.flush();
  } catch (const std::bad_alloc&) {
    ::_exit(kExitNoMemory);
  } catch (...) {
    ::_exit(kExitFailed);
  }
  ::_exit(0);
}

struct Reaped {
  int status = 0;
  bool timed_out = false;
};

// Waits for the child until the deadline, then kills it.
Reaped reap(pid_t pid, double deadline) {
  Reaped r;
  for (;;) {
    pid_t w = ::waitpid(pid, &r.status, WNOHANG);
    if (w == pid || (w < 0 && errno != EINTR)) return r;
    if (now_s() > deadline) break;
    timespec pause_1ms{0, 1000000};
    nanosleep(&pause_1ms, nullptr);
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &r.status, 0) < 0 && errno == EINTR) {
  }
  r.timed_out = true;
  return r;
}

void kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

ChildFailure describe(const Reaped& r, const Limits& lim) {
  using K = ChildFailure::Kind;
  if (r.timed_out) return ChildFailure(K::TimedOut, "timed out after " + seconds_str(lim.timeout_s));
  if (WIFSIGNALED(r.status)) {
    int sig = WTERMSIG(r.status);
    if (sig == SIGXCPU) return ChildFailure(K::TimedOut, "used more than " + seconds_str(lim.timeout_s) + " of CPU time");
    const char* name = strsignal(sig);
    return ChildFailure(K::Crashed, "signal " + std::to_string(sig) + (name ? " (" + std::string(name) + ")" : ""));
  }
  int code = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
  if (code == kExitNoMemory)
    return ChildFailure(K::OutOfMemory, "ran out of the " + std::to_string(lim.memory_mib) + " MiB memory limit");
  if (code == 0) return ChildFailure(K::Malformed, "its reply ended early");
  return ChildFailure(K::Crashed, "the reader process exited with status " + std::to_string(code));
}

}  // namespace

// ---- Sink -------------------------------------------------------------------------------
namespace {
void write_all(int fd, const char* p, size_t n) {
  for (size_t done = 0; done < n;) {
    ssize_t w = ::write(fd, p + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) ::_exit(kExitPipe);  // the parent has gone
    done += static_cast<size_t>(w);
  }
}
}  // namespace

Sink::Sink(int fd) : fd_(fd), buf_(kBufferBytes) {}

void Sink::raw(const void* p, size_t n) {
  if (used_ + n > buf_.size()) flush();
  if (n >= buf_.size()) return write_all(fd_, static_cast<const char*>(p), n);
  std::memcpy(buf_.data() + used_, p, n);
  used_ += n;
}

void Sink::str(const std::string& s) {
  u32(static_cast<uint32_t>(s.size()));
  raw(s.data(), s.size());
}

void Sink::flush() {
  write_all(fd_, buf_.data(), used_);
  used_ = 0;
}

// ---- Source -----------------------------------------------------------------------------
Source::Source(int fd, double deadline_s) : fd_(fd), deadline_(deadline_s), buf_(kBufferBytes) {}

void Source::fill() {
  for (;;) {
    double left = deadline_ - now_s();
    if (left <= 0) throw TimedOut{};
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::ceil(left * 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw ChildFailure(ChildFailure::Kind::Malformed, std::string("cannot read the reply: ") + std::strerror(errno));
    if (r == 0) continue;  // the deadline check above ends this
    ssize_t n = ::read(fd_, buf_.data(), buf_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw ChildFailure(ChildFailure::Kind::Malformed, std::string("cannot read the reply: ") + std::strerror(errno));
    if (n == 0) throw EndOfStream{};
    pos_ = 0, end_ = static_cast<size_t>(n);
    return;
  }
}

void Source::raw(void* p, size_t n) {
  char* c = static_cast<char*>(p);
  while (n > 0) {
    if (pos_ == end_) fill();
    size_t k = std::min(n, end_ - pos_);
    std::memcpy(c, buf_.data() + pos_, k);
    pos_ += k, c += k, n -= k;
  }
}

std::string Source::str(size_t max_len) {
  uint32_t n = u32();
  if (n > max_len)
    throw ChildFailure(ChildFailure::Kind::Malformed, "malformed reply (a string of " + std::to_string(n) + " bytes)");
  std::string s(n, '\0');
  raw(&s[0], n);
  return s;
}

uint8_t Source::tag() {
  uint8_t t = u8();
  if (t == kEnd) ended_ = true;
  if (t == kError) {
    int code = static_cast<int>(u32());
    std::string text = str(1 << 20);
    throw ChildError(code, text);
  }
  return t;
}

bool Source::at_eof() {
  if (pos_ < end_) return false;
  try {
    fill();
  } catch (const EndOfStream&) {
    return true;
  }
  return false;
}

// ---- run --------------------------------------------------------------------------------
void run(const Limits& lim, const std::function<void(Sink&)>& child, const std::function<void(Source&)>& parent) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(std::string("cannot create a pipe: ") + std::strerror(errno));
  ::fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);  // fewer, larger reads; the default (64 KiB) works too
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(fds[0]), ::close(fds[1]);
    throw Error(std::string("cannot start a reader process (fork: ") + std::strerror(e) + ")");
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], lim, child);
  }
  ::close(fds[1]);
  struct CloseFd {
    int fd;
    ~CloseFd() { ::close(fd); }
  } read_end{fds[0]};
  const double deadline = now_s() + lim.timeout_s;
  Source src(fds[0], deadline);
  try {
    parent(src);
    if (!src.ended()) throw ChildFailure(ChildFailure::Kind::Malformed, "the reply was not read to its end");
    if (!src.at_eof()) throw ChildFailure(ChildFailure::Kind::Malformed, "malformed reply (data after its end)");
  } catch (const TimedOut&) {
    kill_and_reap(pid);
    throw ChildFailure(ChildFailure::Kind::TimedOut, "timed out after " + seconds_str(lim.timeout_s));
  } catch (const EndOfStream&) {
    throw describe(reap(pid, deadline), lim);
  } catch (...) {
    kill_and_reap(pid);
    throw;
  }
  Reaped r = reap(pid, deadline);
  if (r.timed_out || !WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) throw describe(r, lim);
}

void testing::inject(Fault f) { g_fault = f; }

}  // namespace sandbox
}  // namespace ds
