// Running the depthstyle binary from a test: its exit status and everything it printed
// (stdout and stderr together), with arguments passed as given (no shell, so paths with spaces
// or quotes need no quoting), optionally interrupted with a signal once its output shows a line.
#pragma once
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace dst {

struct CliResult {
  int rc = -1;      // exit status; -1 when ended by a signal
  int signal = 0;   // the signal that ended it, 0 when it exited
  double seconds = 0;
  std::string out;  // stdout and stderr, interleaved as written
};

inline double monotonic_s() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Runs DEPTHSTYLE_BINARY with `args`. With `interrupt_after` non-empty, sends `sig` `delay_s`
// seconds after that text has appeared in the output.
inline CliResult run_depthstyle(const std::vector<std::string>& args, const std::string& interrupt_after = "",
                                double delay_s = 0, int sig = SIGINT) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  double t0 = monotonic_s();
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // A background job of a non-interactive shell starts with SIGINT ignored, and exec keeps it
    // so: a command without its own handler would then seem to ignore Ctrl-C (new-user findings
    // 4, 14). The child gets the terminal's default.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv{const_cast<char*>(DEPTHSTYLE_BINARY)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  CliResult r;
  bool sent = interrupt_after.empty();
  char buf[4096];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    r.out.append(buf, static_cast<size_t>(n));
    if (!sent && r.out.find(interrupt_after) != std::string::npos) {
      usleep(static_cast<useconds_t>(delay_s * 1e6));
      kill(pid, sig);
      sent = true;
    }
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.seconds = monotonic_s() - t0;
  if (WIFEXITED(status)) r.rc = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

}  // namespace dst
