// depthstyle: one binary, one subcommand per job. Each subcommand lives in its own file
// and registers itself in the table below.
#include <cstdio>
#include <cstring>
#include <string>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "apps/common/args.h"
#include "apps/depthstyle/commands.h"
#include "build_commit.h"  // generated at build time (CMakeLists.txt): DEPTHSTYLE_BUILD_COMMIT
#include "nn/prepared_data.h"
#include "tensor/cpu/conv_algo.h"
#include "tensor/tensor.h"

namespace {

// glibc maps every block above its mmap threshold afresh and unmaps it on free, so each
// iteration's activations (16 MB per VGG16 conv1 layer at 256 px) page-faulted in again, 4 KB
// at a time, zeroed by the kernel. Blocks up to 32 MB (glibc's largest threshold) are kept in the
// heap instead, and up to 64 MB of free heap top is kept for the next iteration: 5-10 % faster
// iterations at 256-512 px for ~10 MB more peak RSS (docs/benchmarks.md). Larger blocks (2048 px
// activations) are still mapped and returned at once, so peak memory there is unchanged.
void keep_freed_activations() {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

const Command kCommands[] = {
    {"stylize", "depth-aware style transfer by optimisation (the main job)", ds::app::cmd_stylize},
    {"fast", "feed-forward style transfer with a pretrained transformer (la_muse, scream, ...)", ds::app::cmd_fast},
    {"train", "train the feed-forward style net with a depth loss (checkpoints, --resume)", ds::app::cmd_train},
    {"fast-eval", "depth agreement and style loss of fast-style nets on held-out images", ds::app::cmd_fast_eval},
    {"video", "depth-aware style transfer of a video, temporally stable (--model or --style)", ds::app::cmd_video},
    {"classify", "top-5 ImageNet classes of an image (SqueezeNet 1.1)", ds::app::cmd_classify},
    {"3d", "a stylised 3D photo: parallax video, novel views, stereo, a glTF mesh with a browser viewer", ds::app::cmd_3d},
    {"depth", "monocular depth of an image (FastDepth or Monodepth2) as a 16-bit PNG and a preview", ds::app::cmd_depth},
    {"features", "named layer activations of a network for an image, to HDF5", ds::app::cmd_features},
    {"bench", "time the stylize iteration on named workloads, optionally against the PyTorch peer", ds::app::cmd_bench},
    {"info", "what a project HDF5 weight file holds", ds::app::cmd_info},
    {"demo-tiny", "optimise an image through a tiny conv net and write a PNG (framework smoke run)", ds::app::cmd_demo_tiny},
};

void usage(FILE* f) {
  std::fprintf(f,
               "usage: depthstyle [--data DIR] COMMAND [options]   (depthstyle help COMMAND, or COMMAND --help)\n"
               "       depthstyle --version\n\n"
               "  --data DIR  the prepared data folder (weights/, images/; made by scripts/setup). Without it:\n"
               "              $DEPTHSTYLE_PREPARED, else <this program's folder>/../share/depthstyle\n\n"
               "commands:\n");
  for (const Command& c : kCommands) std::fprintf(f, "  %-10s %s\n", c.name, c.summary);
}

const Command* find_command(const char* name) {
  for (const Command& c : kCommands)
    if (!std::strcmp(name, c.name)) return &c;
  return nullptr;
}

// "; did you mean stylize?" for a command name one or two letters off (stylise, styleize).
std::string command_suggestion(const std::string& word) {
  for (const Command& c : kCommands)
    if (ds::app::edit_distance(word, c.name) <= 2) return std::string("; did you mean ") + c.name + "?";
  return "";
}

int run_command(const Command& c, int argc, char** argv) {
  try {
    ds::cpu::conv_algo();  // a bad DEPTHSTYLE_CONV is an error before any work, in every command
    return c.run(argc, argv);
  } catch (const ds::app::UsageError& e) {  // the command line itself: 2, as an unknown command
    std::fprintf(stderr, "depthstyle %s: error: %s\n", c.name, e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "depthstyle %s: error: %s\n", c.name, e.what());
    return 1;
  }
}

// Global options, before the command: "--data DIR" or "--data=DIR". Returns the index of
// the command word.
int global_options(int argc, char** argv) {
  int i = 1;
  while (i < argc && !std::strncmp(argv[i], "--data", 6) && (argv[i][6] == '\0' || argv[i][6] == '=')) {
    if (argv[i][6] == '=') {
      ds::set_data_dir(argv[i] + 7);
      i += 1;
    } else {
      if (i + 1 >= argc) throw ds::Error("option --data needs a value (DIR)");
      if (argv[i + 1][0] == '-')  // as every command's options: an option word is never a value
        throw ds::Error(std::string("option --data needs a value (DIR), but the next word is the option '") +
                        argv[i + 1] + "' (for a folder whose name starts with '-', write --data=DIR)");
      ds::set_data_dir(argv[i + 1]);
      i += 2;
    }
  }
  return i;
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_activations();
  int first = 1;
  try {
    first = global_options(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "depthstyle: error: %s\n", e.what());
    return 2;
  }
  if (first >= argc || !std::strcmp(argv[first], "--help") || !std::strcmp(argv[first], "-h") ||
      (!std::strcmp(argv[first], "help") && first + 1 >= argc)) {
    usage(first >= argc ? stderr : stdout);
    return first >= argc ? 2 : 0;
  }
  if (!std::strcmp(argv[first], "--version") || !std::strcmp(argv[first], "version")) {
#ifdef DEPTHSTYLE_HAVE_CUDA
    const char* build = ds::cuda_available() ? "CUDA build, a CUDA device present" : "CUDA build, no CUDA device found";
#else
    const char* build = "CPU-only build";
#endif
    std::printf("depthstyle %s (commit %s, %s)\n", DEPTHSTYLE_VERSION, DEPTHSTYLE_BUILD_COMMIT, build);
    return 0;
  }
  bool help = !std::strcmp(argv[first], "help");  // depthstyle help COMMAND = depthstyle COMMAND --help
  const char* name = argv[first + (help ? 1 : 0)];
  if (const Command* c = find_command(name)) {
    if (!help) return run_command(*c, argc - first, argv + first);
    char help_flag[] = "--help";
    char* args[] = {argv[first + 1], help_flag, nullptr};
    return run_command(*c, 2, args);
  }
  std::fprintf(stderr, "depthstyle: unknown command '%s'%s\n\n", name, command_suggestion(name).c_str());
  usage(stderr);
  return 2;
}
