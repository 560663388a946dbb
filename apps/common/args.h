// A small command-line parser for the depthstyle subcommands: declared options with help
// text, typed values with range checks, positional arguments, and an automatic --help.
// Every problem is a ds::Error that names the option and says what was expected.
//
// Rules every command shares:
//   - A value is never taken silently from a word that looks like an option: `--style -o x`
//     is an error ("--style needs a value"), while numbers (-5, -.5) are values. Write
//     --style=-odd.png for a file whose name starts with '-'.
//   - An option with an optional value (optional_value) takes the next word only when it is
//     one of its choices; alone it means its documented implicit value.
//   - Unknown options are all reported at once, each with a "did you mean" when a declared
//     option (or a peer program's name, apps/common/peer_names.h) is close.
//   - Single-dash and underscore spellings of our options are ours (-original-colors,
//     --style_weight); a peer's own spellings are mapped by its table, with a note on stderr.
//   - "--" ends the options: every word after it is positional.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "apps/common/peer_names.h"
#include "tensor/tensor.h"

namespace ds {
namespace app {

// The command line could not be read: an unknown option, a missing value, a wrong number of
// arguments, a required option left out, or a value its option does not take (not a number,
// outside the range --help states, not one of its words, options that exclude each other).
// Every command exits 2 for it (the dispatcher, apps/depthstyle/main.cpp, as for an unknown
// command), and 1 for any other error, so a script can tell a mistyped command line from a run
// that failed. Exit 1 stays for a value that is only wrong against a file or the machine: an
// image too small for --size, a --frames range beyond the video's end, --device cuda without a
// GPU (values were once all exit 1 because some of them can only be judged that way; those
// still are, and are checked where the file or device is at hand). Output names stay exit 1
// too, extension included (features -o f.png, video -o x.avi): they are judged with the file
// system (an existing folder named out.png, an output that is an input), by the outputs' own
// checks (apps/common/outputs.h, tensor/image_io.h check_image_output), which no command line
// could tell apart.
struct UsageError : Error {
  using Error::Error;
};

// Runs `parse`, which reads option text and nothing else (no file, no device), passing on its
// ds::Error as a UsageError: for the parsers below the apps (losses/masks.h parse_mask_spec,
// nn/models.h parse_pooling, ...) that cannot know they read a command line.
template <class F>
auto option_text(F&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const UsageError&) {
    throw;
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
}

class Args {
 public:
  // usage: "depthstyle classify [options] IMAGE"; about: a paragraph printed under it.
  Args(std::string usage, std::string about) : usage_(std::move(usage)), about_(std::move(about)) {}

  // Declare options before parse(). `value_name` empty means a flag without a value. Declaring
  // a name again replaces its value name, help and default in place (a command built on
  // another's options, e.g. video's --iters on stylize's, says what it means there).
  void option(const std::string& name, const std::string& value_name, const std::string& help,
              const std::string& default_value = "");
  void flag(const std::string& name, const std::string& help) { option(name, "", help); }
  // An option whose value may be left out: alone it means `implicit`; the next word is its
  // value only when it is one of `choices` (any value with NAME=VALUE).
  void optional_value(const std::string& name, const std::string& value_name, const std::string& help,
                      const std::string& default_value, const std::string& implicit,
                      const std::vector<std::string>& choices);
  // Also read a peer program's option names (apps/common/peer_names.h) for the options
  // declared here.
  void accept_peer_names(const std::vector<PeerName>& names) { peers_ = &names; }

  // Returns false when --help was printed (the command should exit 0). Throws UsageError.
  bool parse(int argc, char** argv);
  // parse(), then expect_positional(lo, hi, what).
  bool parse(int argc, char** argv, size_t lo, size_t hi, const std::string& what);

  // --device cpu|cuda|cuda:N, the same in every command (default: cuda when a device is present),
  // and --precision fp32|tf32 (default fp32: TF32 off in cuDNN and cuBLAS; tf32 on; the CPU has
  // no TF32, so there it changes nothing). device() selects GPU N (parse_device) and sets the
  // precision (ds::cuda::set_allow_tf32), so call it before making CUDA tensors. Throws
  // UsageError for a --device or --precision value that is not one of these, ds::Error for a GPU
  // that is not there.
  void device_option();
  Device device() const;
  // The value of an option the command needs: ds::Error "NAME is required (see --help)".
  std::string required(const std::string& name) const;

  bool declared(const std::string& name) const { return opts_.count(name) != 0; }
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
    std::string value_name, help, def, implicit;
    std::vector<std::string> choices;  // optional_value: the words it takes from the next argument
    bool optional = false;
  };
  // Where an option word on the command line goes: our option (name), the positional
  // arguments (positional), or nowhere (error, already recorded).
  struct Target {
    std::string name;
    const PeerName* peer = nullptr;
    bool positional = false, ok = false, ignored = false;  // ignored: a peer's name noted and dropped
  };
  Target resolve(const std::string& word, std::vector<std::string>& errors) const;
  std::string suggestion(const std::string& word) const;
  std::string alias_value(const std::string& name, const std::string& v, const char** source) const;
  void take(const std::string& name, const std::string& value);  // a value of ours, aliases read
  std::string usage_, about_;
  std::vector<std::string> order_;
  std::map<std::string, Opt> opts_;
  std::map<std::string, std::vector<std::string>> given_;  // repeated options keep every value
  std::vector<std::string> positional_;
  // Words an optional-value option left as arguments ("--original-colors yes"): named when the
  // argument count is then wrong.
  std::vector<std::string> left_words_;
  const std::vector<PeerName>* peers_ = nullptr;
};

// The items of a comma-separated value; `what` names the option in the UsageError for an empty
// item ("64,,96", "2,", ",2"), which would silently change how many items a list has.
std::vector<std::string> split_list(const std::string& value, const std::string& what);

// The Levenshtein distance between two words (for "did you mean").
size_t edit_distance(const std::string& a, const std::string& b);

// Numbers >= 0 from text items (e.g. a comma list of layer weights); `what` names the option
// (UsageError).
std::vector<float> parse_nonnegative(const std::vector<std::string>& items, const std::string& what);

}  // namespace app
}  // namespace ds
