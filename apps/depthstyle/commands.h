// Entry points of the depthstyle subcommands (argv[0] is the subcommand's name).
#pragma once

namespace ds {
namespace app {
int cmd_demo_tiny(int argc, char** argv);
}  // namespace app
}  // namespace ds
