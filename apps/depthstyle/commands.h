// Entry points of the depthstyle subcommands (argv[0] is the subcommand's name).
#pragma once

namespace ds {
namespace app {
int cmd_demo_tiny(int argc, char** argv);
int cmd_classify(int argc, char** argv);
int cmd_depth(int argc, char** argv);
int cmd_features(int argc, char** argv);
int cmd_info(int argc, char** argv);
int cmd_stylize(int argc, char** argv);
int cmd_train(int argc, char** argv);
int cmd_fast_eval(int argc, char** argv);
int cmd_fast(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_video(int argc, char** argv);
int cmd_3d(int argc, char** argv);
}  // namespace app
}  // namespace ds
