// Running the real `depthstyle stylize` from tests, with the prepared SqueezeNet and FastDepth
// ("skipped: no data" without them): a scratch folder with a 64x48 content PNG (exactly the
// working size at --size 64, so the content the loss sees is this file's pixels), the runs'
// exit status and output, and the summary line's losses.
#pragma once
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "check.h"
#include "nn/resize.h"
#include "prepared.h"
#include "tensor/image_io.h"

namespace dst {

inline bool skip_without_stylize_data() {
  return skip_without_data({"weights/squeezenet1_1.h5", "weights/fastdepth.h5", "images/content/tubingen.jpg",
                            "images/style/starry_night.jpg", "images/style/the_scream.jpg"});
}

struct Run {
  int rc;
  std::string out;
};

struct StylizeScratch {
  std::string dir;
  std::string content;
  mutable std::string last;  // the last run's command and output, shown when a check fails (INFO)
  explicit StylizeScratch(const std::string& name) : dir(temp_path(name)), content(dir + "/content.png") {
    std::filesystem::create_directories(dir);
    ds::save_image(content, ds::resize_image(ds::load_image_rgb(prepared("images/content/tubingen.jpg")), 48, 64));
  }
  ~StylizeScratch() { std::filesystem::remove_all(dir); }
  std::string file(const std::string& name) const { return dir + "/" + name; }
  std::string style(const std::string& name) const { return prepared("images/style/" + name + ".jpg"); }
  // depthstyle ARGS, its stdout and stderr together.
  Run depthstyle(const std::string& args) const {
    std::string cmd = std::string(DEPTHSTYLE_BINARY) + " " + args + " > " + dir + "/log.txt 2>&1";
    int status = std::system(cmd.c_str());
    std::string out = slurp(dir + "/log.txt");
    last = cmd + "\n" + out;
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
  }
};

// "loss A -> B" of stylize's summary line.
inline std::pair<double, double> loss_change(const std::string& out) {
  size_t at = out.find("): loss ");
  REQUIRE(at != std::string::npos);
  double a = 0, b = 0;
  REQUIRE(std::sscanf(out.c_str() + at, "): loss %lf -> %lf", &a, &b) == 2);
  return {a, b};
}

}  // namespace dst
