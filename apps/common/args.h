// A small command-line parser for the depthstyle subcommands: declared options with help
// text, typed values with range checks, positional arguments, and an automatic --help.
// Every problem is a ds::Error that names the option and says what was expected.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace ds {
namespace app {

class Args {
 public:
  // usage: "depthstyle classify [options] IMAGE"; about: a paragraph printed under it.
  Args(std::string usage, std::string about) : usage_(std::move(usage)), about_(std::move(about)) {}

  // Declare options before parse(). `value_name` empty means a flag without a value.
  void option(const std::string& name, const std::string& value_name, const std::string& help,
              const std::string& default_value = "");
  void flag(const std::string& name, const std::string& help) { option(name, "", help); }

  // Returns false when --help was printed (the command should exit 0).
  bool parse(int argc, char** argv);
  // parse(), then expect_positional(lo, hi, what).
  bool parse(int argc, char** argv, size_t lo, size_t hi, const std::string& what);

  // --device cpu|cuda|cuda:N, the same in every command (default: cuda when a device is present),
  // and --precision fp32|tf32 (default fp32: TF32 off in cuDNN and cuBLAS; tf32 on; the CPU has
  // no TF32, so there it changes nothing). device() selects GPU N (parse_device) and sets the
  // precision (ds::cuda::set_allow_tf32), so call it before making CUDA tensors. Throws
  // ds::Error for a bad --device or --precision value.
  void device_option();
  Device device() const;
  // The value of an option the command needs: ds::Error "NAME is required (see --help)".
  std::string required(const std::string& name) const;

  bool has(const std::string& name) const;  // given on the command line (or a flag set)
  std::string str(const std::string& name) const;  // value or default
  int integer(const std::string& name, int lo, int hi) const;
  double number(const std::string& name, double lo, double hi) const;
  std::vector<std::string> list(const std::string& name) const;  // comma-separated
  std::vector<std::string> all(const std::string& name) const;   // every value of a repeated option
  const std::vector<std::string>& positional() const { return positional_; }
  // The positional arguments must number between lo and hi.
  void expect_positional(size_t lo, size_t hi, const std::string& what) const;
  std::string help() const;
  // The command's name: the word after "depthstyle" in the usage line ("train").
  std::string command() const;

 private:
  struct Opt {
    std::string value_name, help, def;
  };
  std::string usage_, about_;
  std::vector<std::string> order_;
  std::map<std::string, Opt> opts_;
  std::map<std::string, std::vector<std::string>> given_;  // repeated options keep every value
  std::vector<std::string> positional_;
};

// Numbers >= 0 from text items (e.g. a comma list of layer weights); `what` names the option.
std::vector<float> parse_nonnegative(const std::vector<std::string>& items, const std::string& what);

}  // namespace app
}  // namespace ds
