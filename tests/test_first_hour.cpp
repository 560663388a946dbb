// Issue 18's first-hour findings in the commands `depth`, `fast`, `info` and the folder modes,
// each checked through the command line or the function the command calls: the image
// extensions every command takes, tiny and huge images in `fast`, Ctrl-C in a batch, the depth
// map's round trip, a corrupt HDF5 file's deadline.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "apps/common/image_jobs.h"
#include "apps/depth/depth.h"
#include "apps/fast/fast.h"
#include "apps/train/train_data.h"
#include "nn/fast_style_weights.h"
#include "nn/resize.h"
#include "tensor/file_util.h"
#include "tensor/image_io.h"
#include "weights/h5.h"
#include "weights/weights.h"
#include "weights/depth_io.h"
#include "tests/check.h"
#include "tests/cli_run.h"
#include "tests/image_bytes.h"
#include "tests/prepared.h"

namespace fs = std::filesystem;
using ds::Tensor;
using dst::contains;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUnderAsan = true;  // its allocator keeps freed blocks in quarantine; -O1 code
#else
constexpr bool kUnderAsan = false;
#endif

// A fresh folder for one test; its name has a space, as users' folders do.
struct Scratch : dst::ScratchDir {
  explicit Scratch(const std::string& name) : ScratchDir("first hour " + name) {}
};

Tensor ramp_image(int64_t h, int64_t w) {
  Tensor t = Tensor::empty({1, 3, h, w});
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = static_cast<float>(0.5 + 0.4 * std::sin(0.37 * static_cast<double>(i)));
  return t;
}

// Ramp images of the given sizes, as s/NAME (NAME may hold a folder, created when missing).
void write_ramps(const Scratch& s, const std::vector<std::tuple<std::string, int64_t, int64_t>>& images) {
  for (const auto& [name, h, w] : images) ds::save_image(s.file(name), ramp_image(h, w));
}

std::string file_name(const std::string& p) { return fs::path(p).filename().string(); }

}  // namespace

TEST_CASE("first hour: one list of image extensions for single inputs, every folder mode, errors and --help") {
  // The decoders read PNG, JPEG and binary PGM/PPM (tensor/image_io.h); the folder modes must
  // take exactly the files named like those, in any case, and nothing else (.bmp and .tga are
  // not read by anything).
  Scratch s("extensions");
  Tensor img = ramp_image(8, 8);
  ds::save_image(s.file("a.png"), img);
  ds::save_image(s.file("b.JPG"), img);
  ds::save_image(s.file("c.jpeg"), img);
  dst::write_file(s.file("d.pgm"), std::string("P5 2 1 255\n") + "\x10\x20");
  dst::write_file(s.file("e.PPM"), std::string("P6 1 1 255\n") + "\x10\x20\x30");
  for (const char* other : {"f.bmp", "g.tga", "h.txt", "i.gif"}) dst::write_file(s.file(other), "not read");
  const std::set<std::string> readable = {"a.png", "b.JPG", "c.jpeg", "d.pgm", "e.PPM"};
  for (const std::string& f : readable) CHECK(ds::load_image_rgb(s.file(f)).numel() > 0);

  std::set<std::string> folder_jobs, training_images;
  for (const ds::app::ImageJob& j : ds::app::image_jobs(s.dir.string(), s.file("out"))) folder_jobs.insert(file_name(j.input));
  for (const std::string& f : ds::app::list_images(s.dir.string())) training_images.insert(file_name(f));
  CHECK(folder_jobs == readable);      // fast DIR, stylize DIR
  CHECK(training_images == readable);  // train --images DIR

  // Every message and help text names the same formats, and no format nothing reads.
  const std::string formats = ds::image_formats_text();
  for (const char* e : {".png", ".jpg", ".jpeg", ".pgm", ".ppm"}) CHECK(contains(formats, e));
  CHECK(contains(dst::error_of([&] { ds::load_image_rgb(s.file("f.bmp")); }), formats));
  Scratch empty("no images");
  dst::write_file(empty.file("x.bmp"), "BM");
  CHECK(contains(dst::error_of([&] { ds::app::image_jobs(empty.dir.string(), empty.file("out")); }), formats));
  CHECK(contains(dst::error_of([&] { ds::app::list_images(empty.dir.string()); }), formats));
  for (const char* cmd : {"fast", "stylize", "train"}) {
    CAPTURE(cmd);
    dst::CliResult r = dst::run_depthstyle({cmd, "--help"});
    CHECK(r.rc == 0);
    std::string help = r.out;
    help.erase(std::remove(help.begin(), help.end(), '\n'), help.end());
    CHECK(contains(help, formats));
    CHECK_FALSE(contains(r.out, ".bmp"));
    CHECK_FALSE(contains(r.out, ".tga"));
  }
}

// Every pixel of `read` (what load_depth_metres gives back) is valid and within half a
// millimetre (the PNG's rounding) of `written`; returns the largest difference in metres.
double check_round_trip(const Tensor& written, const Tensor& read) {
  REQUIRE(read.shape() == written.shape());
  int64_t invalid = 0;
  double worst = 0;
  for (int64_t i = 0; i < read.numel(); ++i) {
    if (!std::isfinite(read.data()[i])) {
      ++invalid;
      continue;
    }
    worst = std::max(worst, std::fabs(static_cast<double>(read.data()[i]) - written.data()[i]));
  }
  CHECK_MESSAGE(invalid == 0, invalid << " of " << read.numel() << " pixels read back as 'no depth'");
  CHECK(worst <= 0.0005 + 1e-6);  // + float32's rounding of metres near 65 m is 4e-6; here < 10 m: 1e-6
  return worst;
}

TEST_CASE("first hour: `depth` output reads back 100% valid within 1 mm, for every bundled content and style image") {
  // FastDepth gives exactly 0 m on the nearest blob of chicago.jpg (4052 pixels at full size)
  // and a few pixels of la_muse.jpg; the PNG stored those as 0 = "no depth", so `stylize
  // --depth` of the command's own output found 98.8 % and 99.96 % valid pixels. Each image is
  // estimated at FastDepth's own input size, 224x224, to keep the test fast; the command's
  // full-size path is checked on chicago.jpg through the command line.
  if (dst::skip_without_data({"weights/fastdepth.h5", "images/content/chicago.jpg", "images/style/la_muse.jpg"})) return;
  std::unique_ptr<ds::DepthEstimator> net = ds::load_depth_net("", ds::Device::CPU);
  Scratch s("depth round trip");
  std::map<std::string, int64_t> raised;
  int images = 0;
  for (const char* folder : {"images/content", "images/style"})
    for (const fs::directory_entry& e : fs::directory_iterator(dst::prepared(folder))) {
      if (!ds::has_image_extension(e.path().string())) continue;
      // The sanitizer build (-O1, 8x slower here) checks memory, not the 25 estimates: the two
      // images the bug was seen on are enough there.
      std::string name = e.path().filename().string();
      if (kUnderAsan && name != "chicago.jpg" && name != "la_muse.jpg") continue;
      CAPTURE(e.path().string());
      Tensor rgb = ds::resize_image(ds::load_image_rgb(e.path().string()), 224, 224);
      ds::app::DepthEstimate d = ds::app::estimate_depth(*net, rgb, ds::Device::CPU);
      std::string out = s.file(e.path().stem().string() + ".png");
      ds::app::write_depth_outputs(d, out);
      check_round_trip(d.metres, ds::load_depth_metres(out));
      CHECK(fs::exists(ds::app::depth_preview_path(out)));
      raised[e.path().filename().string()] = d.raised;
      ++images;
    }
  CHECK(images >= (kUnderAsan ? 2 : 25));
  CHECK(raised["chicago.jpg"] > 0);  // the case the clamp is for is among them

  dst::CliResult r = dst::run_depthstyle({"depth", dst::prepared("images/content/chicago.jpg"), "-o", s.file("full size/d.png")});
  INFO(r.out);
  REQUIRE(r.rc == 0);
  Tensor read = ds::load_depth_metres(s.file("full size/d.png"));
  CHECK(read.shape() == ds::Shape{1, 1, 474, 712});
  CHECK(std::all_of(read.data(), read.data() + read.numel(), [](float m) { return std::isfinite(m) && m >= 0.001f; }));
  CHECK(contains(r.out, "pixels estimated nearer than 1 mm taken as 1 mm"));
}

TEST_CASE("first hour: stylize --depth says once how many depth pixels are valid, never 0.0% for one pixel") {
  // It printed "depth: FILE, 0.0% valid pixels" twice: once when the inputs are checked before
  // any work, once for the run.
  if (dst::skip_without_data({"weights/squeezenet1_1.h5", "images/content/chicago.jpg", "images/style/wave.jpg"})) return;
  Scratch s("one valid pixel");
  ds::save_image(s.file("content.png"), ds::resize_image(ds::load_image_rgb(dst::prepared("images/content/chicago.jpg")), 96, 128));
  Tensor mm = Tensor::zeros({1, 1, 96, 128});
  mm.set({0, 0, 40, 50}, 1500.0f / 65535.0f);  // 1.5 m at one pixel, 0 = no reading elsewhere
  ds::save_image(s.file("depth map.png"), mm, {16, 95});
  dst::CliResult r = dst::run_depthstyle({"stylize", s.file("content.png"), "--depth", s.file("depth map.png"), "--style",
                                          dst::prepared("images/style/wave.jpg"), "--size", "64", "--iters", "1", "-o",
                                          s.file("out/result.png")});
  INFO(r.out);
  REQUIRE(r.rc == 0);
  size_t first = r.out.find("depth: ");
  REQUIRE(first != std::string::npos);
  CHECK(r.out.find("depth: ", first + 1) == std::string::npos);
  CHECK(contains(r.out, "depth: " + s.file("depth map.png") + ": 1 of 12288 pixels (0.01%) valid"));
}

namespace {

std::map<std::string, Tensor> synthetic_fast_params() {
  std::map<std::string, Tensor> m;
  for (const auto& [name, shape] : ds::FastStyleNet::param_shapes()) m[name] = ds::synthetic_param(name, shape);
  return m;
}


// A fast_style_tf model file with synthetic weights, as `fast MODEL` reads it.
std::string synthetic_fast_model(const Scratch& s) {
  std::string path = s.file("model.h5");
  ds::save_weights(path, "fast_style_tf", synthetic_fast_params(), ds::fast_style_attrs(ds::fast_style_init("random", 1)));
  return path;
}

}  // namespace

TEST_CASE("first hour: fast's peak memory is the estimate's (two activations), measured as RSS growth") {
  if (kUnderAsan) {
    MESSAGE("skipped: memory is not measurable under AddressSanitizer (its quarantine keeps freed blocks)");
    std::printf("skipped: memory is not measurable under AddressSanitizer (its quarantine keeps freed blocks)\n");
    return;
  }
  // The command on a mid-size image against the same command on a 16x16 one: the difference of
  // the peak resident sets they report is what the image costs (the program, its libraries and
  // the model are in both). Before this change it was 1.7 times the estimate (three activations alive).
  Scratch s("peak memory");
  std::string model = synthetic_fast_model(s);
  write_ramps(s, {{"tiny.png", 16, 16}, {"mid.png", 384, 512}});
  // This process holds 600 MB while the command runs: the command's peak must be its own
  // (getrusage's ru_maxrss, which tensor/memory.h used before, reported the parent's too).
  std::vector<char> ballast(600 << 20);
  for (size_t i = 0; i < ballast.size(); i += 4096) ballast[i] = 1;
  dst::CliResult base = dst::run_depthstyle({"fast", model, s.file("tiny.png"), "-o", s.file("tiny out.png")});
  dst::CliResult mid = dst::run_depthstyle({"fast", model, s.file("mid.png"), "-o", s.file("mid out.png")});
  REQUIRE(base.rc == 0);
  REQUIRE(mid.rc == 0);
  auto peak_mb = [](const std::string& out) {
    size_t at = out.find("peak memory ");
    REQUIRE(at != std::string::npos);
    CHECK(out.find(" MiB", at) != std::string::npos);  // MiB, as stylize and bench print it (new-user finding 14)
    return std::stod(out.substr(at + 12));
  };
  CHECK(peak_mb(base.out) < 500);  // the program, its libraries and the model: about 250 MB
  double grown = (peak_mb(mid.out) - peak_mb(base.out)) * (1 << 20);
  double estimate = static_cast<double>(ds::app::fast_job_peak_bytes(384, 512, fs::file_size(s.file("mid.png")), 0) -
                                        ds::app::kFastFixedBytes);
  MESSAGE("512x384: peak RSS grew " << grown / 1e6 << " MB, estimate " << estimate / 1e6 << " MB");
  CHECK(grown <= 1.25 * estimate);
  CHECK(grown >= 0.75 * estimate);
}

TEST_CASE("first hour: fast refuses images above --max-memory before any work, naming a --size that fits") {
  // 6000x4000 took 8 GB without a word; now each image's need is estimated from its header.
  Scratch s("memory budget");
  std::string model = synthetic_fast_model(s);
  // small.png has big photo's aspect ratio: the second run's --size scales both to the same
  // working size, so the size that fits the big one fits it too.
  write_ramps(s, {{"photos/big photo.png", 400, 600}, {"photos/small.png", 40, 60}});
  dst::CliResult r = dst::run_depthstyle({"fast", model, s.file("photos"), "-o", s.file("out"), "--max-memory", "80"});
  INFO(r.out);
  CHECK(r.rc == 1);
  CHECK(contains(r.out, "1 image(s) would need more memory than the 80 MiB allowed"));
  CHECK(contains(r.out, "nothing was run"));
  CHECK(contains(r.out, s.file("photos/big photo.png") + " (600x400): needs about "));
  CHECK_FALSE(contains(r.out, "small.png"));
  CHECK_FALSE(contains(r.out, "[1/2]"));  // no image was run
  CHECK_FALSE(fs::exists(s.file("out")));
  size_t at = r.out.find("--size ");
  REQUIRE(at != std::string::npos);
  int fits = std::stoi(r.out.substr(at + 7));
  CHECK(fits >= 16);
  CHECK(fits < 600);
  // The --size it names does fit, and one pixel more does not.
  CHECK(ds::app::fast_job_peak_bytes(400, 600, fs::file_size(s.file("photos/big photo.png")), fits) <= 80 << 20);
  CHECK(ds::app::fast_job_peak_bytes(400, 600, fs::file_size(s.file("photos/big photo.png")), fits + 1) > 80 << 20);
  dst::CliResult ok = dst::run_depthstyle({"fast", model, s.file("photos"), "-o", s.file("out"), "--max-memory", "80",
                                           "--size", std::to_string(fits)});
  INFO(ok.out);
  CHECK(ok.rc == 0);
  CHECK(fs::exists(s.file("out/big photo.png")));
}

TEST_CASE("first hour: fast on a 3x2 image says so in pixels, naming the file") {
  // It said "fast_style: input must be RGB [N,3,H,W] with H, W >= 4, got [1, 3, 2, 3]".
  Scratch s("tiny image");
  std::string model = synthetic_fast_model(s);
  ds::save_image(s.file("tiny 3x2.png"), ramp_image(2, 3));
  dst::CliResult r = dst::run_depthstyle({"fast", model, s.file("tiny 3x2.png"), "-o", s.file("out.png")});
  INFO(r.out);
  CHECK(r.rc == 1);
  CHECK(contains(r.out, s.file("tiny 3x2.png") + ": the image is 3x2 pixels; the fast-style transformer needs at least 4x4"));
  CHECK_FALSE(contains(r.out, "[N,3,H,W]"));
  CHECK_FALSE(fs::exists(s.file("out.png")));
  dst::CliResult sized = dst::run_depthstyle({"fast", model, s.file("tiny 3x2.png"), "-o", s.file("out.png"), "--size", "16"});
  CHECK(sized.rc == 0);
  CHECK(ds::image_size(s.file("out.png")) == std::make_pair(int64_t{11}, int64_t{16}));
  CHECK_FALSE(contains(sized.out, "note:"));
  // A --size whose short side falls under the minimum runs at the minimum, and says so.
  ds::save_image(s.file("strip.png"), ramp_image(2, 40));
  dst::CliResult strip = dst::run_depthstyle({"fast", model, s.file("strip.png"), "-o", s.file("strip out.png"), "--size", "40"});
  CHECK(strip.rc == 0);
  CHECK(contains(strip.out, "strip.png at --size 40 would be 40x2; run at 40x4, the transformer's minimum of 4 px a side"));
  CHECK(ds::image_size(s.file("strip out.png")) == std::make_pair(int64_t{4}, int64_t{40}));
}

TEST_CASE("first hour: info on a small HDF5 file whose global heap loops libhdf5 fails in seconds, not 60") {
  // Why it waited: the file's string attributes live in a global heap collection ("GCOL"). With
  // the first object's size field damaged, libhdf5 1.10's collection parser
  // (H5HG__cache_heap_deserialize) jumps into the zero-filled free space, reads a header of
  // index 0 and size 0 there, and advances by that size forever. The reader process is killed
  // at the deadline, which is now 5 s + 1 s per 20 MB of file (weights/h5.h), not 60 s.
  Scratch s("corrupt heap");
  std::string path = s.file("weights.h5");
  std::map<std::string, ds::h5::AttrValue> attrs = {{"style", ds::h5::AttrValue::string("a string in the global heap")}};
  ds::save_weights(path, "tiny_net", {{"w", Tensor::full({2, 3}, 0.5f)}}, attrs);
  std::string b = dst::slurp(path);
  REQUIRE(dst::run_depthstyle({"info", path}).rc == 0);  // the file is good before the change
  size_t gcol = b.find("GCOL");
  REQUIRE(gcol != std::string::npos);
  auto le64 = [&](size_t at) {
    uint64_t v = 0;
    for (int k = 7; k >= 0; --k) v = v << 8 | static_cast<uint8_t>(b[at + static_cast<size_t>(k)]);
    return v;
  };
  // Collection: "GCOL", version, 3 reserved bytes, its size (8 bytes); then objects, each a
  // 16-byte header (index u16, references u16, 4 reserved, size u64) and its data padded to 8.
  const size_t collection_end = gcol + le64(gcol + 8), first = gcol + 16;
  REQUIRE(b[first] == 1);  // object 1
  const size_t landing = collection_end - 64;  // zeros of the free space near the collection's end
  REQUIRE(b.substr(landing, 16) == std::string(16, '\0'));
  uint64_t bad_size = landing - (first + 16);
  for (int k = 0; k < 8; ++k) b[first + 8 + static_cast<size_t>(k)] = static_cast<char>(bad_size >> (8 * k));
  dst::write_file(path, b);

  const char* env = std::getenv("DEPTHSTYLE_H5_TIMEOUT_S");  // the default deadline is the point
  std::string saved = env ? env : "";
  unsetenv("DEPTHSTYLE_H5_TIMEOUT_S");
  dst::CliResult r = dst::run_depthstyle({"info", path});
  if (env) setenv("DEPTHSTYLE_H5_TIMEOUT_S", saved.c_str(), 1);
  INFO(r.out);
  CHECK(r.rc == 1);
  CHECK(contains(r.out, path + ": corrupt or unsupported HDF5 file (timed out after 5 s"));
  CHECK(contains(r.out, "5 s + 1 s per 20 MB of file"));
  CHECK(r.seconds < 5 + 5);  // the deadline, plus starting and killing the reader on a loaded machine
  CHECK(ds::h5::Limits::timeout_for_size(2800000000ull) == 145);  // NYU's 2.8 GB .mat: 5 + 140
}

namespace {

// Files whose name marks an AtomicFile temporary (".NAME.tmp-PID-N.EXT") under `dir`.
std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) out.push_back(e.path().string());
  return out;
}

}  // namespace

TEST_CASE("first hour: Ctrl-C during fast DIR prints what finished, what ran and what did not, no half file") {
  // It exited 130 without a word.
  Scratch s("ctrl-c fast");
  std::string model = synthetic_fast_model(s);
  // The first image's line is printed when its result is complete; the signal lands 0.3 s
  // later, while the second, a 3-megapixel image (seconds on any CPU), is read or stylised.
  write_ramps(s, {{"in/a.png", 48, 64}, {"in/b.png", 1500, 2000}, {"in/c.png", 48, 64}});
  dst::CliResult r = dst::run_depthstyle({"fast", model, s.file("in"), "-o", s.file("out")}, "[1/3]", 0.3);
  INFO(r.out);
  CHECK(r.signal == SIGINT);  // ended by the signal, so a shell reports 130
  CHECK(contains(r.out, "interrupted: 1 of 3 images stylised, 0 failed"));
  CHECK(contains(r.out, s.file("in/a.png")));
  CHECK(contains(r.out, "interrupted while running " + s.file("in/b.png") + " (its result is not written)"));
  CHECK(contains(r.out, "1 not started: " + s.file("in/c.png")));
  CHECK(fs::exists(s.file("out/a.png")));
  CHECK_FALSE(fs::exists(s.file("out/b.png")));
  CHECK_FALSE(fs::exists(s.file("out/c.png")));
  CHECK(temporaries(s.dir).empty());
}

TEST_CASE("first hour: Ctrl-C during stylize DIR prints the summary so far and ends by the signal") {
  if (dst::skip_without_data({"weights/squeezenet1_1.h5", "weights/fastdepth.h5", "images/content/chicago.jpg",
                              "images/style/wave.jpg"}))
    return;
  Scratch s("ctrl-c stylize");
  fs::create_directories(s.dir / "in");
  // one.png is not an image: it fails at once (a finished row); two.png would run 100000
  // iterations, so the signal, 0.5 s after it starts, always lands while it runs.
  dst::write_file(s.file("in/one.png"), "not an image");
  ds::save_image(s.file("in/two.png"), ds::resize_image(ds::load_image_rgb(dst::prepared("images/content/chicago.jpg")), 36, 54));
  dst::CliResult r = dst::run_depthstyle({"stylize", s.file("in"), "--style", dst::prepared("images/style/wave.jpg"),
                                          "--size", "48", "--iters", "100000", "-o", s.file("out")},
                                         "[2/2]", 0.5);
  INFO(r.out);
  CHECK(r.signal == SIGINT);
  CHECK(contains(r.out, "interrupted: 0 of 2 images stylised, 1 failed"));
  CHECK(contains(r.out, s.file("in/one.png") + " FAILED"));
  CHECK(contains(r.out, "interrupted while running " + s.file("in/two.png") + " (its result is not written)"));
  CHECK_FALSE(contains(r.out, "not started"));
  CHECK_FALSE(fs::exists(s.file("out/two.png")));
  CHECK(temporaries(s.dir).empty());
}

TEST_CASE("first hour: features writes only to .h5/.hdf5 names, depth says when -o is a folder") {
  // features -o f.png wrote an HDF5 file named like an image; depth -o FOLDER said
  // "cannot write images of type '(no extension)'".
  Scratch s("output names");
  ds::save_image(s.file("in.png"), ramp_image(32, 32));
  dst::CliResult f = dst::run_depthstyle({"features", "--layers", "fire2", s.file("in.png"), "-o", s.file("f.png")});
  CHECK(f.rc == 1);
  CHECK(contains(f.out, s.file("f.png") + ": the features are written as HDF5; name the output .h5 or .hdf5"));
  CHECK_FALSE(fs::exists(s.file("f.png")));
}

TEST_CASE("first hour: features refuses an empty --layers and a layer the network lacks as command-line errors") {
  // Break-it pass 5: --layers '' wrote an empty HDF5 file and exited 0; --layers foo exited 1
  // after loading the network, where the loss options' layer checks exit 2 before any loading.
  Scratch s("features layers");
  ds::save_image(s.file("in.png"), ramp_image(32, 32));
  for (std::string net : {"squeezenet", "fastdepth"}) {
    CAPTURE(net);
    dst::CliResult none = dst::run_depthstyle({"features", "--net", net, "--layers", "", s.file("in.png"), "-o", s.file("f.h5")});
    CHECK(none.rc == 2);
    CHECK(contains(none.out, "--layers: an empty list; give at least one layer name"));
    dst::CliResult foo = dst::run_depthstyle({"features", "--net", net, "--layers", "foo", s.file("in.png"), "-o", s.file("f.h5")});
    CHECK(foo.rc == 2);
    CHECK(contains(foo.out, "--layers: " + net + " has no layer named 'foo'; its layers are: "));
    CHECK_FALSE(fs::exists(s.file("f.h5")));
  }
}

TEST_CASE("first hour: every command that writes one image says when its -o is an existing folder") {
  // depth said so; stylize, fast and 3d said "cannot write images of type '(no extension)'" (3d:
  // "cannot tell what to write from the extension"). A folder named like an image is one too.
  Scratch s("output folders");
  ds::save_image(s.file("in.png"), ramp_image(32, 32));
  dst::write_file(s.file("model.h5"), "never read: the output is refused first");
  for (const char* folder : {"results", "view.png"}) {
    fs::create_directories(s.dir / folder);
    const std::string out = s.file(folder);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"depth", s.file("in.png"), "-o", out},
          {"stylize", s.file("in.png"), "--style", s.file("in.png"), "-o", out},
          {"fast", s.file("model.h5"), s.file("in.png"), "-o", out},
          {"3d", s.file("in.png"), "-o", out}}) {
      dst::CliResult r = dst::run_depthstyle(args);
      INFO(args[0] << " -o " << folder << ": " << r.out);
      CHECK(r.rc == 1);
      CHECK(contains(r.out, out + ": is a folder; give a file name in it, e.g. " + out + "/NAME.png"));
      CHECK(fs::is_empty(s.dir / folder));
    }
  }
}

TEST_CASE("first hour: depth -o of its own input is refused as the input, not for the output's type") {
  // `depth X.jpg -o X.jpg` said "JPEG holds 8-bit samples only": the type was checked first.
  Scratch s("depth over its input");
  ds::save_image(s.file("in.jpg"), ramp_image(32, 32));
  const std::vector<uint8_t> before = ds::read_file_bytes(s.file("in.jpg"));
  dst::CliResult r = dst::run_depthstyle({"depth", s.file("in.jpg"), "-o", s.file("in.jpg")});
  INFO(r.out);
  CHECK(r.rc == 1);
  CHECK(contains(r.out, "refusing to write the -o depth map '" + s.file("in.jpg") + "': it is the image"));
  CHECK(ds::read_file_bytes(s.file("in.jpg")) == before);
  // A JPEG depth map of another image is still refused for its type, before its folder is made.
  dst::CliResult j = dst::run_depthstyle({"depth", s.file("in.jpg"), "-o", s.file("new/d.jpg")});
  CHECK(j.rc == 1);
  CHECK(contains(j.out, "JPEG holds 8-bit samples only"));
  CHECK_FALSE(fs::exists(s.dir / "new"));
}

TEST_CASE("first hour: Ctrl-C during a single stylize says at which iteration, and writes nothing") {
  // It ended silently (exit 130), leaving the user to guess whether anything was written.
  if (dst::skip_without_data({"weights/squeezenet1_1.h5", "weights/fastdepth.h5", "images/style/wave.jpg"})) return;
  Scratch s("ctrl-c stylize one");
  write_ramps(s, {{"c.png", 36, 48}});
  // --print-every 1 flushes a line per iteration: the signal lands mid-run, after iteration 2.
  dst::CliResult r = dst::run_depthstyle({"stylize", s.file("c.png"), "--style", dst::prepared("images/style/wave.jpg"),
                                          "--size", "32", "--iters", "100000", "--print-every", "1", "-o",
                                          s.file("out/r.png")},
                                         "iteration 2:", 0.2);
  INFO(r.out);
  CHECK(r.signal == SIGINT);
  size_t at = r.out.find("interrupted at iteration ");
  REQUIRE(at != std::string::npos);
  int next = 0, total = 0, done = 0;
  REQUIRE(std::sscanf(r.out.c_str() + at, "interrupted at iteration %d of %d (%d done", &next, &total, &done) == 3);
  CHECK(total == 100000);
  CHECK(done >= 2);  // the printed lines say at least two ran
  CHECK(next == done + 1);
  CHECK(contains(r.out, "); nothing written"));
  CHECK_FALSE(fs::exists(s.file("out/r.png")));
  CHECK_FALSE(fs::exists(s.file("out/r_losses.csv")));
  CHECK(temporaries(s.dir).empty());
}
