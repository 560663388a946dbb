// The coarse-to-fine schedule of `depthstyle stylize` (apps/stylize/scales.h, parsed by stylize_options.h): --scales, --multires,
// --size and --iters read as the documentation says (expected values worked out from that text,
// e.g. --multires 3 at --size 300 halves twice: 75, 150, 300), each error named, and the
// --save-every frame names.
#include <doctest/doctest.h>

#include "apps/stylize/scales.h"
#include "apps/stylize/stylize_options.h"
#include "check.h"

namespace {

// The schedule of `depthstyle stylize args...` as the command reads it (16..4096 px).
std::vector<ds::app::ScaleStep> schedule(std::vector<std::string> args) {
  ds::app::Args a("depthstyle stylize [options]", "");
  ds::app::declare_stylize_options(a);
  std::vector<char*> argv = {const_cast<char*>("stylize")};
  for (std::string& s : args) argv.push_back(s.data());
  a.parse(static_cast<int>(argv.size()), argv.data());
  return ds::app::size_plan_from(a).steps;
}

// "long_side:iters,..." of a schedule.
std::string text(const std::vector<ds::app::ScaleStep>& steps) {
  std::string t;
  for (const ds::app::ScaleStep& s : steps)
    t += (t.empty() ? "" : ",") + std::to_string(s.long_side) + ":" + std::to_string(s.iters);
  return t;
}

std::string error(std::vector<std::string> args) {
  return dst::error_of([&] { schedule(std::move(args)); });
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("stylize scales: --scales, --multires and --iters give the documented schedule") {
  CHECK(text(schedule({})) == "256:300");  // the defaults: one scale, --size 256, 300 iterations
  CHECK(text(schedule({"--size", "96", "--iters", "5"})) == "96:5");
  CHECK(text(schedule({"--scales", "32,64,128", "--iters", "30,20,10"})) == "32:30,64:20,128:10");
  CHECK(text(schedule({"--scales", "32,64", "--iters", "7"})) == "32:7,64:7");  // one count: every scale
  CHECK(text(schedule({"--scales", "32,64", "--size", "64"})) == "32:300,64:300");  // --size agreeing is fine
  CHECK(text(schedule({"--size", "300", "--multires", "3", "--iters", "4"})) == "75:4,150:4,300:4");
  CHECK(text(schedule({"--size", "100", "--multires", "2"})) == "50:300,100:300");
  CHECK(text(schedule({"--multires", "1"})) == "256:300");
}

TEST_CASE("stylize scales: each bad schedule is an error that says what is wrong") {
  CHECK(has(error({"--scales", "64,32"}), "must increase (coarse to fine), but 32 follows 64"));
  CHECK(has(error({"--scales", "32,64,64"}), "must increase"));
  CHECK(has(error({"--scales", "32,64", "--iters", "1,2,3"}), "one per scale (2 scales), got 3"));
  CHECK(has(error({"--iters", "5,6"}), "one per scale (1 scale), got 2"));
  CHECK(has(error({"--scales", "32,64", "--size", "128"}), "--size 128 conflicts with --scales 32,64"));
  CHECK(has(error({"--scales", "8,64"}), "--scales: '8' is not a whole number between 16 and 4096"));
  CHECK(has(error({"--scales", "32,5000"}), "'5000' is not a whole number between 16 and 4096"));
  CHECK(has(error({"--scales", "32,6x"}), "'6x' is not a whole number"));
  CHECK(has(error({"--scales", "32,64", "--iters", "10,0"}), "--iters: '0' is not a whole number between 1"));
  CHECK(has(error({"--scales", "32,64", "--multires", "2"}), "--scales and --multires given together"));
  CHECK(has(error({"--size", "40", "--multires", "3"}), "--multires 3 --size 40 starts at 10 px, below the minimum 16"));
  CHECK(has(error({"--multires", "9"}), "--multires"));
  // Empty list items are errors, not dropped (dropping "2," would make it one count for every scale).
  CHECK(has(error({"--scales", "32,,64"}), "--scales '32,,64': item 2 of the comma-separated list is empty"));
  CHECK(has(error({"--scales", ",64"}), "item 1 of the comma-separated list is empty"));
  CHECK(has(error({"--scales", "32,64", "--iters", "2,"}), "--iters '2,': item 2 of the comma-separated list is empty"));
}

TEST_CASE("stylize scales: --save-every frames are named by scale when there are several") {
  CHECK(ds::app::frame_path("out/r", 512, 40) == "out/r_s512_iter00040.png");
  CHECK(ds::app::frame_path("out/r", 0, 7) == "out/r_iter00007.png");
}
