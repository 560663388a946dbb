#include "apps/stylize/stylize_batch.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>

#include "apps/common/image_jobs.h"
#include "tensor/file_util.h"

namespace fs = std::filesystem;

namespace ds {
namespace app {

const char* const kDepthExtensions[5] = {".png", ".pgm", ".mat", ".h5", ".hdf5"};

namespace {

// The depth files of a folder by stem.
std::map<std::string, std::vector<std::string>> depth_files(const std::string& dir) {
  if (!fs::is_directory(dir))
    throw Error("--depth " + dir + ": with a CONTENT folder, --depth names a folder of depth files (matched by stem)");
  std::map<std::string, std::vector<std::string>> by_stem;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    std::string ext = lower_extension(e.path().string());
    for (const char* d : kDepthExtensions)
      if (e.is_regular_file() && ext == d) by_stem[e.path().stem().string()].push_back(e.path().string());
  }
  return by_stem;
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

}  // namespace

std::vector<StylizeJob> batch_jobs(const std::string& content_dir, const std::string& depth_dir,
                                   const std::string& out_dir) {
  check_output_folder(content_dir, out_dir, false,
                      "the results would go among the images read; choose another output folder (-o)");
  std::map<std::string, std::vector<std::string>> depths;
  if (!depth_dir.empty()) {
    // Every image of the content folder is stylised, so depth maps there would be stylised as
    // photos (a 16-bit depth PNG is a valid image) with themselves as their depth.
    if (same_file(depth_dir, content_dir))
      throw Error("--depth " + depth_dir + " is the content folder: its depth maps would be stylised as photos; "
                  "keep the depth files in a folder of their own");
    depths = depth_files(depth_dir);
    check_output_folder(depth_dir, out_dir, false, "it holds the depth files read; choose another output folder (-o)");
  }
  std::vector<StylizeJob> jobs;
  for (const ImageJob& ij : image_jobs(content_dir, out_dir)) {
    StylizeJob j{ij.input, "", ij.output, ""};
    std::string name = fs::path(ij.input).stem().string();
    const std::vector<std::string>& found = depths[name];
    if (found.size() == 1)
      j.depth = found[0];
    else if (found.size() > 1)
      j.depth_problem = ij.input + ": several depth files named " + name + " in --depth " + depth_dir + " (" +
                        found[0] + ", " + found[1] + "): keep one";
    else if (!depth_dir.empty())
      j.depth_problem = ij.input + ": no depth file " + name + ".{png,pgm,mat,h5,hdf5} in --depth " + depth_dir;
    jobs.push_back(std::move(j));
  }
  return jobs;
}

int run_batch(const StylizeCommand& cmd, const std::vector<StylizeJob>& jobs) {
  struct Row {
    std::string file, status, detail;
    double seconds;
  };
  std::vector<Row> rows;
  int failed = 0, n = static_cast<int>(jobs.size());
  for (int k = 0; k < n; ++k) {
    const StylizeJob& j = jobs[static_cast<size_t>(k)];
    std::printf("\n[%d/%d] %s -> %s\n", k + 1, n, j.content.c_str(), j.out.c_str());
    std::fflush(stdout);
    auto t0 = std::chrono::steady_clock::now();
    Row row{j.content, "ok", "", 0};
    try {
      JobResult r = cmd.run(j);
      char loss[64];
      std::snprintf(loss, sizeof loss, "final loss %.4g", r.last_loss);
      row.detail = loss;
    } catch (const std::exception& e) {
      ++failed;
      row.status = "FAILED";
      row.detail = one_line(e.what());
      // Not "skipped: ", which ctest reads as a skipped test.
      std::string why = row.detail;  // the readers' errors already name the file
      if (why.find(j.content) == std::string::npos) why = j.content + ": " + why;
      std::fprintf(stderr, "[%d/%d] error: %s (the batch goes on)\n", k + 1, n, why.c_str());
    }
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rows.push_back(row);
  }
  std::printf("\nsummary: %d of %d images stylised, %d failed\n%-40s %-7s %9s  %s\n", n - failed, n, failed, "file",
              "status", "seconds", "final loss or error");
  for (const Row& r : rows)
    std::printf("%-40s %-7s %9.1f  %s\n", r.file.c_str(), r.status.c_str(), r.seconds, r.detail.c_str());
  std::fflush(stdout);
  return failed;
}

}  // namespace app
}  // namespace ds
