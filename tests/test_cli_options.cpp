// How `depthstyle stylize` reads its command line (apps/common/args.h, peer_names.h,
// apps/stylize/stylize_options.h), each case a rough edge a new user met (issue 18): a bare
// --original-colors, an option word taken as a value, unknown options without a hint,
// neural-style's names, --style-weight as a list, mask parameters checked only after the
// networks loaded; and the dispatcher's --version and help. Expected values are what the
// documentation (--help, jcjohnson/neural-style's README) says the words mean.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "apps/stylize/stylize_options.h"
#include "check.h"

using ds::app::StylizeOptions;

namespace {

struct Parsed {
  ds::app::Args args{"depthstyle stylize [options] CONTENT", ""};
  StylizeOptions o;
  std::string notes;
};

// `depthstyle stylize words...` as the command parses it (no file is read).
Parsed parse(std::vector<std::string> words) {
  Parsed p;
  ds::app::declare_stylize_options(p.args);
  words.insert(words.begin(), "stylize");
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  p.args.parse(static_cast<int>(argv.size()), argv.data(), 1, 1, "one CONTENT image or folder");
  std::ostringstream note;
  p.o = ds::app::parse_stylize_options(p.args, ds::app::StylizeUse::Command, note);
  p.notes = note.str();
  return p;
}

std::string error(std::vector<std::string> words) {
  return dst::error_of([&] { parse(std::move(words)); });
}

// The binary's stdout and stderr, and its exit status.
std::pair<int, std::string> run(const std::string& args) {
  std::string cmd = std::string(DEPTHSTYLE_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  int status = p ? pclose(p) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

TEST_CASE("stylize options: a bare --original-colors means recombine and takes no other word") {
  // neural-style users type the flag alone; it once took "-o" as its value.
  Parsed p = parse({"c.png", "--style", "s.png", "--original-colors", "-o", "out.png"});
  CHECK(p.o.colors == ds::app::OriginalColors::Recombine);
  CHECK(p.o.content == "c.png");
  CHECK(p.o.out == "out.png");
  CHECK(parse({"--original-colors", "c.png", "--style", "s.png"}).o.content == "c.png");
  CHECK(parse({"c.png", "--style", "s.png"}).o.colors == ds::app::OriginalColors::None);
  CHECK(parse({"c.png", "--style", "s.png", "--original-colors", "luminance-only"}).o.colors ==
        ds::app::OriginalColors::LuminanceOnly);
  CHECK(parse({"c.png", "--style", "s.png", "--original-colors", "0"}).o.colors == ds::app::OriginalColors::None);
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--original-colors", "yes"}),
                      "'yes' after --original-colors is not one of its values"));
}

TEST_CASE("stylize options: a word that looks like an option is never taken as a value") {
  CHECK(dst::contains(error({"c.png", "--style", "-o", "out.png"}),
                      "option --style needs a value (IMAGE), but the next word is the option '-o'"));
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--content-mask", "--optimizer", "adam"}),
                      "--content-mask needs a value"));
  // Numbers are values (and then checked), and NAME=VALUE takes anything.
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--iters", "-5"}), "--iters: '-5' is not a whole number"));
  CHECK(parse({"c.png", "--style=-odd.png"}).o.styles.at(0).path == "-odd.png");
  CHECK(parse({"--style", "s.png", "--", "-c.png"}).o.content == "-c.png");
}

TEST_CASE("stylize options: unknown options are all reported, with the option meant") {
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--style-wieght", "2"}),
                      "unknown option '--style-wieght'; did you mean --style-weight?"));
  std::string two = error({"c.png", "--style", "s.png", "--frobnicate", "--lr-dcay", "0.1"});
  CHECK(dst::contains(two, "2 problems with the options"));
  CHECK(dst::contains(two, "unknown option '--frobnicate' (see --help)"));
  CHECK(dst::contains(two, "unknown option '--lr-dcay'; did you mean --lr-decay?"));
}

TEST_CASE("stylize options: our own options under single-dash and underscore spellings") {
  Parsed p = parse({"c.png", "--style", "a.png", "--style", "b.png", "--original_colors", "-o", "o.png",
                    "--style_weight", "3", "-save-every", "5", "--print-iter", "7", "--save-iter", "9"});
  CHECK(p.o.colors == ds::app::OriginalColors::Recombine);
  CHECK(p.o.styles.at(0).weight == 3.0f);
  CHECK(p.o.styles.at(1).weight == 3.0f);
  CHECK(p.o.print_every == 7);
  CHECK(p.o.save_every == 9);  // the later of -save-every 5 and --save-iter 9
  CHECK(parse({"c.png", "--style", "s.png", "-original-colors", "luminance-only"}).o.colors ==
        ds::app::OriginalColors::LuminanceOnly);
  CHECK(parse({"c.png", "--style", "s.png", "--init", "random"}).o.init == ds::app::InitKind::Noise);
}

TEST_CASE("stylize options: --style-weight as a list, one per style, or neural-style's blend weights") {
  Parsed p = parse({"c.png", "--style", "a.png", "--style", "b.png", "--style-weight", "2,1"});
  CHECK(p.o.styles.at(0).weight == 2.0f);
  CHECK(p.o.styles.at(1).weight == 1.0f);
  // -style_blend_weights 3,1 are normalised to sum 1, as neural-style does.
  Parsed b = parse({"c.png", "--style", "a.png", "--style", "b.png", "--style-blend-weights", "3,1"});
  CHECK(b.o.styles.at(0).weight == 0.75f);
  CHECK(b.o.styles.at(1).weight == 0.25f);
  CHECK(dst::contains(error({"c.png", "--style", "a.png", "--style", "b.png", "--style-weight", "2,1,4"}),
                      "--style-weight given 3 times for 2 styles"));
}

TEST_CASE("stylize options: neural-style's names mean what they mean there, or say why not") {
  // jcjohnson/neural-style README: -style_image (comma list), -content_image, -image_size,
  // -gpu (-1: CPU), -num_iterations, -init random|image with -init_image, -optimizer,
  // -learning_rate (its images are 0..256: ours 0..1), -print_iter, -save_iter, -output_image,
  // -style_scale, -original_colors 1, -pooling, -seed, -content_layers, -style_layers,
  // -normalize_gradients, -content_weight, -style_weight (the total), -tv_weight.
  Parsed p = parse({"-content_image", "c.png", "-style_image", "a.png,b.png", "-image_size", "128", "-gpu", "-1",
                    "-num_iterations", "40", "-init", "image", "-init_image", "i.png", "-optimizer", "lbfgs",
                    "-learning_rate", "8", "-print_iter", "10", "-save_iter", "20", "-output_image", "o.png",
                    "-style_scale", "0.5", "-original_colors", "1", "-pooling", "avg", "-seed", "4",
                    "-content_layers", "fire3", "-style_layers", "relu1,fire5", "-normalize_gradients",
                    "-content_weight", "5", "-style_weight", "100", "-tv_weight", "0.001"});
  const StylizeOptions& o = p.o;
  CHECK(o.content == "c.png");
  REQUIRE(o.styles.size() == 2);
  CHECK((o.styles[0].path == "a.png" && o.styles[1].path == "b.png"));
  CHECK(o.sizes.steps.at(0).long_side == 128);
  CHECK(o.sizes.steps.at(0).iters == 40);
  CHECK(o.device == ds::Device::CPU);
  CHECK(o.init == ds::app::InitKind::Image);
  CHECK(o.init_image == "i.png");
  CHECK(o.optimizer == ds::app::Optimizer::LBFGS);
  CHECK(o.lr == doctest::Approx(8.0 / 256));
  CHECK(o.print_every == 10);
  CHECK(o.save_every == 20);
  CHECK(o.out == "o.png");
  CHECK(o.sizes.style_scale == 0.5);
  CHECK(o.colors == ds::app::OriginalColors::Recombine);
  CHECK(o.loss.pooling == ds::Pooling::Avg);
  CHECK(o.seed == 4);
  CHECK(o.loss.spec.content_layers == std::vector<std::string>{"fire3"});
  CHECK(o.loss.spec.style_layers == std::vector<std::string>{"relu1", "fire5"});
  CHECK(o.loss.spec.normalize_gradients);
  CHECK(o.loss.spec.content_weight == 5.0f);
  CHECK(o.loss.spec.style_weight == 100.0f);  // beta, not each style's w_s
  CHECK(o.styles[0].weight == 1.0f);
  CHECK(o.loss.spec.tv_weight == doctest::Approx(0.001 * 256 * 256 / 2));  // its 0..256 pixels, tv*1/2*sum d^2
  CHECK(parse({"c.png", "-style_image", "s.png", "-init", "random"}).o.init == ds::app::InitKind::Noise);
  CHECK(parse({"c.png", "-style_image", "s.png", "-original_colors", "0"}).o.colors == ds::app::OriginalColors::None);
  CHECK(parse({"c.png", "-style_image", "s.png", "-normalize_gradients", "0"}).o.loss.spec.normalize_gradients == false);
  std::string model_file = error({"c.png", "--style", "s.png", "-model_file", "vgg.caffemodel"});
  CHECK(dst::contains(model_file, "option -model_file (neural-style's -model_file) is not supported: convert the model "
                                  "once, weights/convert/convert.py auto"));
  CHECK(dst::contains(model_file, "(docs/from-peers.md)"));
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "-seed", "-1"}), "every run here is reproducible"));
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "-gpu", "0,1"}), "one process per GPU"));
  CHECK(parse({"c.png", "-style_image", "s.png", "-content_layers", "fire3,fire5"}).o.loss.spec.content_layers ==
        std::vector<std::string>{"fire3", "fire5"});
}

TEST_CASE("stylize options per frame: no file options, and a command may redeclare one with its own meaning") {
  ds::app::Args a("depthstyle video [options] IN", "");
  ds::app::declare_stylize_options(a, ds::app::StylizeUse::PerFrame);
  for (const char* absent : {"-o", "--depth", "--frame", "--depth-dataset", "--save-every", "--print-every", "--report-depth"})
    CHECK_FALSE(a.declared(absent));
  a.option("--iters", "N", "iterations of every frame after the first", "100");
  std::string help = a.help();
  CHECK(dst::contains(help, "--iters N                 iterations of every frame after the first (default: 100)"));
  CHECK(help.find("--iters") == help.rfind("--iters N"));  // listed once, where stylize lists it
  std::vector<std::string> words = {"video", "in.mp4", "--style", "s.png"};
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  a.parse(static_cast<int>(argv.size()), argv.data());
  CHECK(ds::app::parse_stylize_options(a, ds::app::StylizeUse::PerFrame).sizes.steps.at(0).iters == 100);
}

TEST_CASE("stylize options: a mask that weights nothing is refused when the options are read") {
  // sigmoid:k=12,t=2 is at most sigma(12 * (1 - 2)) = 6.1e-6 over depths in [0,1]; it was
  // reported (eta = 0) only after the networks had loaded.
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--style-mask", "sigmoid:k=12,t=2"}), "at most 6.1e-06"));
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--content-mask", "constant:v=0"}), "weight nothing"));
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--style-mask", "linear:a=0,b=0.0005"}), "weight nothing"));
  CHECK(parse({"c.png", "--style", "s.png", "--style-mask", "sigmoid:k=10,t=1.2"}).o.styles[0].mask.has_value());
}

TEST_CASE("stylize options: every style weight 0 is said, and is no reason to call a rising loss divergence") {
  Parsed p = parse({"c.png", "--style", "s.png", "--style-weight", "0"});
  CHECK(p.o.style_off());
  CHECK(p.o.optimiser().finite_only);
  CHECK(dst::contains(p.notes, "every style term has weight 0 (--style-weight 0)"));
  Parsed q = parse({"c.png", "--style", "s.png"});
  CHECK_FALSE(q.o.optimiser().finite_only);
  CHECK(q.notes.empty());
}

TEST_CASE("depthstyle --version, help COMMAND, and a mistyped command") {
  struct Case {
    const char* args;
    int rc;
    const char* says;
  };
  for (const Case& c : {Case{"--version", 0, "depthstyle 0.1 (commit "},
                        Case{"help stylize", 0, "usage: depthstyle stylize [options] CONTENT"},
                        Case{"help stylize", 0, "--original-colors [MODE]"},
                        Case{"help", 0, "commands:"},
                        Case{"stylise c.png", 2, "unknown command 'stylise'; did you mean stylize?"},
                        Case{"help nosuch", 2, "unknown command 'nosuch'"}}) {
    CAPTURE(c.args);
    auto [rc, out] = run(c.args);
    CHECK(rc == c.rc);
    CHECK(dst::contains(out, c.says));
  }
}

TEST_CASE("peer options that only chose how the peer ran are noted and ignored, their values not taken as arguments") {
  // Nearly every neural-style command line carries -backend cudnn; parse() expects exactly one
  // argument, so a value read as an argument would throw.
  Parsed p = parse({"c.png", "--style", "s.png", "-backend", "cudnn", "-cudnn_autotune", "-lbfgs_num_correction", "5",
                    "-optimizer", "lbfgs"});
  CHECK(p.args.positional() == std::vector<std::string>{"c.png"});
  CHECK(p.o.optimizer == ds::app::Optimizer::LBFGS);
  auto [rc, out] = run("stylize no_such_content.png --style s.png -backend clnn -cudnn_autotune 1 -lbfgs_num_correction 5");
  CHECK(rc != 0);  // the content is missing: the notes come first
  CHECK(dst::contains(out, "note: -backend clnn ignored (neural-style's -backend): the kernels are not a choice here"));
  CHECK(dst::contains(out, "OpenCL, clnn, is not supported"));
  CHECK(dst::contains(out, "note: -cudnn_autotune 1 ignored (neural-style's -cudnn_autotune): always on here"));
  CHECK(dst::contains(out, "note: -lbfgs_num_correction 5 ignored (neural-style's -lbfgs_num_correction): our L-BFGS "
                           "keeps a fixed history of 20 correction pairs, and has no option for it"));
  CHECK(dst::contains(out, "error: "));
}

TEST_CASE("stylize reads slow_neural_style.lua's names, and an unknown peer-like option points to docs/from-peers.md") {
  Parsed p = parse({"c.png", "-style_image", "s.png", "-style_image_size", "96", "-tv_strength", "1e-6",
                    "-style_weights", "5"});
  CHECK(p.o.sizes.style_size == 96);
  CHECK(p.o.loss.spec.style_layer_weights == std::vector<float>(p.o.loss.spec.style_layers.size(), 5.0f));  // one for all
  // fast-neural-style's vgg preprocessing multiplies 0..1 pixels by 255, and its TV is
  // strength * 1/2 * sum d^2 on those: on our 0..1 pixels that is strength * 255^2 / 2.
  CHECK(p.o.loss.spec.tv_weight == doctest::Approx(1e-6 * 255 * 255 / 2));
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "-loss_type", "smoothl1"}),
                      "option -loss_type (slow_neural_style.lua's -loss_type) is not supported"));
  std::string unknown = error({"c.png", "--style", "s.png", "-deepstyle_thing", "3"});
  CHECK(dst::contains(unknown, "unknown option '-deepstyle_thing'"));
  CHECK(dst::contains(unknown, "another program's options: docs/from-peers.md"));
  CHECK_FALSE(dst::contains(error({"c.png", "--style", "s.png", "--stlye-sizes", "3"}), "from-peers"));
}

TEST_CASE("fast reads fast_neural_style.lua's and pytorch/examples' option names") {
  // The model does not exist: the error about it shows every option was read as ours.
  auto [rc, out] = run("fast -model nosuch_model -input_image in.png -output_image o.png -gpu -1 -backend cuda -timing");
  CHECK(rc != 0);
  CHECK(dst::contains(out, "note: -model nosuch_model read as --model nosuch_model"));
  CHECK(dst::contains(out, "note: -input_image in.png read as --input in.png"));
  CHECK(dst::contains(out, "note: -gpu -1 read as --device cpu"));
  CHECK(dst::contains(out, "note: -backend cuda ignored (fast-neural-style's -backend)"));
  CHECK(dst::contains(out, "nosuch_model"));
  CHECK_FALSE(dst::contains(out, "unknown option"));
  auto [rc2, out2] = run("fast --model nosuch_model --content-image in.png --output-image o.png --cuda 0");
  CHECK(rc2 != 0);
  CHECK(dst::contains(out2, "note: --content-image in.png read as --input in.png (the image to stylise)"));
  CHECK(dst::contains(out2, "note: --cuda 0 read as --device cpu"));
  CHECK_FALSE(dst::contains(out2, "unknown option"));
  auto [rc3, out3] = run("fast --model m.h5 --content-image in.png --output-image o.png --content-scale 2");
  CHECK(rc3 == 2);
  CHECK(dst::contains(out3, "option --content-scale (pytorch/examples' --content-scale) is not supported: it divides "
                            "both sides by a factor; give the long side in pixels with --size (docs/from-peers.md)"));
  auto [rc4, out4] = run("fast -model m.h5 -input_image in.png -output_image o.png -style_image s.png");
  CHECK(rc4 == 2);
  CHECK(dst::contains(out4, "unknown option '-style_image'"));
  CHECK(dst::contains(out4, "docs/from-peers.md"));
}

TEST_CASE("a value its option does not take exits 2, as an unknown option does, and one wrong against a file exits 1") {
  // New-user finding 12: `fast --size abc` exited 1 while `--bogus` exited 2, and README says 2 is
  // "the command line could not be read". Nothing here exists: the values are refused first.
  struct Case {
    const char* args;
    const char* says;
  };
  for (const Case& c : {Case{"fast la_muse nope.png -o y.png --size abc", "option --size: 'abc' is not a number"},
                        Case{"fast la_muse nope.png -o y.png --size 5", "option --size: 5 is out of range [16, 16384]"},
                        Case{"fast la_muse nope.png -o y.png --size 64.5", "'64.5' is not a whole number"},
                        Case{"fast la_muse nope.png -o y.png --max-memory -1", "--max-memory"},
                        Case{"video nope.mp4 -o o.mp4 --model la_muse --frames 5:2", "'5:2' starts after it ends"},
                        Case{"video nope.mp4 -o o.mp4 --model la_muse --fps 0", "--fps: '0' is not a frame rate"},
                        Case{"video nope.mp4 -o o.mp4 --model la_muse --crf 99", "out of range [0, 63]"},
                        Case{"stylize nope.png --style s.png --lr 0", "option --lr: 0 is out of range"},
                        Case{"stylize nope.png --style s.png --optimizer sgd", "expected adam or lbfgs"},
                        Case{"stylize nope.png --style s.png --pooling mean", "unknown pooling 'mean'"},
                        Case{"stylize nope.png --style s.png --net alexnet", "unknown network 'alexnet'"},
                        Case{"stylize nope.png --style s.png --device gpu", "unknown device 'gpu'"},
                        Case{"stylize nope.png --style s.png --precision fp16", "is not fp32 or tf32"},
                        Case{"stylize nope.png --style s.png --style-weight 1,,2", "item 2 of the comma-separated list is empty"},
                        Case{"train --images d --style s.png -o ck --crop-size 8", "option --crop-size: 8 is out of range"},
                        Case{"3d nope.png -o v.png --view 1,2", "expected five numbers"},
                        Case{"bench --workload squeezenet-7", "unknown workload 'squeezenet-7'"}}) {
    auto [rc, out] = run(c.args);
    INFO(c.args, " -> ", out);
    CHECK(rc == 2);
    CHECK(dst::contains(out, c.says));
  }
  // Wrong only against the files: the missing image is the run's failure, 1.
  auto [rc, out] = run("fast la_muse nope.png -o y.png --size 64");
  CHECK(rc == 1);
  CHECK(dst::contains(out, "nope.png"));
  if (!ds::cuda_available()) {  // a GPU that is not there is the machine's, not the command line's
    auto [rc_gpu, out_gpu] = run("stylize nope.png --style s.png --device cuda");
    CHECK(rc_gpu == 1);
    CHECK(dst::contains(out_gpu, "cuda"));
  }
}

TEST_CASE("an unknown option named with another word for ours gets the option meant") {
  // New-user finding 16: --depth-loss said only "unknown option"; the depth loss is set by its weight.
  auto [rc, out] = run("stylize nope.png --style s.png --depth-loss 1");
  CHECK(rc == 2);
  CHECK(dst::contains(out, "unknown option '--depth-loss'; did you mean --depth-weight?"));
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--content-loss", "1"}), "did you mean --content-weight?"));
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--tv_loss", "1"}), "did you mean --tv-weight?"));
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--iterations", "5"}), "did you mean --iters?"));
}

TEST_CASE("a content, style or depth layer its network lacks is refused before anything is loaded") {
  // New-user finding 17: --depth-layers conv0,decoder9 printed the run header and loaded the
  // networks first. No content file here, and $DEPTHSTYLE_PREPARED a folder that does not exist
  // (run() below): the layer names alone decide.
  const char* had = std::getenv("DEPTHSTYLE_PREPARED");
  const std::string old = had ? had : "";
  setenv("DEPTHSTYLE_PREPARED", "/nonexistent", 1);
  auto [rc2, out2] = run("stylize nope.png --style s.png --depth-weight 1 --depth-layers conv0,decoder9");
  CHECK(rc2 == 2);
  CHECK(dst::contains(out2, "--depth-layers: fastdepth has no layer named 'decoder9'; its layers are: conv0, conv1"));
  CHECK_FALSE(dst::contains(out2, "iterations"));  // the run header, "stylize: IN WxH on cpu, ..., N iterations"
  // FastDepth's taps (nn/models.h): conv0..conv13, decoder1..decoder5, depth; Monodepth2's
  // (Godard et al.'s decoder): upconvN_0/1 and dispN, no decoderN.
  CHECK_NOTHROW(parse({"c.png", "--style", "s.png", "--depth-layers", "conv13,decoder5,depth"}));
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--monodepth2", "m.h5", "--depth-layers", "decoder5"}),
                      "monodepth2 has no layer named 'decoder5'"));
  CHECK_NOTHROW(parse({"c.png", "--style", "s.png", "--monodepth2", "m.h5", "--depth-layers", "upconv0_1,disp0,depth"}));
  // The loss networks' published layer names: SqueezeNet 1.1 fire2..fire9 (no relu9), VGG16 up to
  // relu5_3 (VGG19: relu5_4), NIN's neural-style names (no relu4).
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--style-layers", "fire9,relu9"}),
                      "--style-layers: squeezenet has no layer named 'relu9'"));
  CHECK_NOTHROW(parse({"c.png", "--style", "s.png", "--style-layers", "relu1,fire9", "--content-layers", "fire2/squeeze"}));
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--net", "vgg16", "--content-layers", "relu5_4"}),
                      "--content-layers: vgg16 has no layer named 'relu5_4'"));
  CHECK_NOTHROW(parse({"c.png", "--style", "s.png", "--net", "vgg19", "--content-layers", "relu5_4"}));
  CHECK(dst::contains(error({"c.png", "--style", "s.png", "--net", "nin", "--style-layers", "relu4"}), "nin has no layer named"));
  CHECK_NOTHROW(parse({"c.png", "--style", "s.png", "--net", "nin", "--style-layers", "relu0,relu12"}));
  auto [rc3, out3] = run("train --images d --style s.png -o ck --style-layers relu1_1");
  CHECK(rc3 == 2);
  CHECK(dst::contains(out3, "squeezenet has no layer named 'relu1_1'"));
  if (had) setenv("DEPTHSTYLE_PREPARED", old.c_str(), 1);
  else unsetenv("DEPTHSTYLE_PREPARED");
}
