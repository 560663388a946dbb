// ds_tests: the doctest suite, or with --perf the op-level perf mode (tests/op_perf.cpp), which
// times the op table's cases instead of checking them.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstring>

#include "tests/op_table.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--perf") == 0) return dst::run_perf(argc, argv);
  doctest::Context context(argc, argv);
  return context.run();
}
