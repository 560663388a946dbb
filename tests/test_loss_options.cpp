// The loss options shared by stylize, train and fast-eval (apps/common/loss_options.h): both
// methods read the same option as the same quantity, and train's old --style-weight (the
// total style weight) still works for one release with a deprecation note. The expected
// values are the numbers written on the command line.
#include <doctest/doctest.h>

#include <sstream>

#include "apps/common/loss_options.h"

using ds::LossSpec;
using ds::TransferMethod;

namespace {

// The loss options of `depthstyle <command> args...` as that command parses them.
ds::app::Args parsed(const std::string& command, std::vector<std::string> args) {
  ds::app::Args a("depthstyle " + command + " [options]", "");
  ds::app::declare_loss_options(a);
  std::vector<char*> argv = {const_cast<char*>(command.c_str())};
  for (std::string& s : args) argv.push_back(s.data());
  a.parse(static_cast<int>(argv.size()), argv.data());
  return a;
}

}  // namespace

TEST_CASE("loss options: stylize and train read every shared option as the same quantity") {
  std::vector<std::string> args = {"--net", "vgg16", "--content-layer", "relu3_3", "--style-layers", "relu1_2,relu2_2",
                                   "--style-layer-weights", "3,4", "--content-weight", "0.5", "--style-total-weight", "7",
                                   "--tv-weight", "0.25", "--depth-weight", "2", "--depth-layers", "conv1,conv2",
                                   "--depth-layer-weights", "0.125,0.75"};
  for (auto [command, method] : {std::make_pair("stylize", TransferMethod::Optimisation),
                                 std::make_pair("train", TransferMethod::FeedForward),
                                 std::make_pair("fast-eval", TransferMethod::FeedForward)}) {
    CAPTURE(command);
    std::ostringstream warn;
    LossSpec s = ds::app::loss_spec_from(parsed(command, args), method, warn);
    CHECK(warn.str().empty());
    CHECK(s.content_layers == std::vector<std::string>{"relu3_3"});
    CHECK(s.content_layer_weights == std::vector<float>{1});
    CHECK(s.style_layers == std::vector<std::string>{"relu1_2", "relu2_2"});
    CHECK(s.style_layer_weights == std::vector<float>{3, 4});
    CHECK(s.content_weight == 0.5f);
    CHECK(s.style_weight == 7.0f);
    CHECK(s.tv_weight == 0.25f);
    CHECK(s.depth_weight == 2.0f);
    CHECK(s.depth_layers == std::vector<std::string>{"conv1", "conv2"});
    CHECK(s.depth_layer_weights == std::vector<float>{0.125f, 0.75f});
  }
}

TEST_CASE("loss options: --style-weight is per style in stylize, the deprecated total in train") {
  std::ostringstream warn;
  ds::app::Args st = parsed("stylize", {"--style-weight", "2", "--style-weight", "3"});
  LossSpec plain = ds::app::loss_spec_from(parsed("stylize", {}), TransferMethod::Optimisation, warn);
  LossSpec s = ds::app::loss_spec_from(st, TransferMethod::Optimisation, warn);
  CHECK(s.style_weight == plain.style_weight);  // beta untouched
  CHECK(ds::app::style_weights_from(st, 2) == std::vector<float>{2, 3});
  CHECK(ds::app::style_weights_from(parsed("stylize", {"--style-weight", "4"}), 3) == std::vector<float>{4, 4, 4});
  CHECK(ds::app::style_weights_from(parsed("stylize", {}), 2) == std::vector<float>{1, 1});
  CHECK_THROWS_WITH_AS(ds::app::style_weights_from(st, 3), doctest::Contains("given 2 times for 3 styles"), ds::Error);
  CHECK(warn.str().empty());

  LossSpec t = ds::app::loss_spec_from(parsed("train", {"--style-weight", "5"}), TransferMethod::FeedForward, warn);
  CHECK(t.style_weight == 5.0f);  // the old meaning, for one more release
  CHECK(warn.str() ==
        "train --style-weight is deprecated: it meant the total style weight; use --style-total-weight\n");
  CHECK_THROWS_WITH_AS(ds::app::loss_spec_from(parsed("train", {"--style-weight", "5", "--style-total-weight", "6"}),
                                               TransferMethod::FeedForward, warn),
                       doctest::Contains("give --style-total-weight only"), ds::Error);
}

TEST_CASE("loss options: bad values name the option") {
  std::ostringstream warn;
  CHECK_THROWS_WITH_AS(ds::app::loss_spec_from(parsed("train", {"--tv-weight", "-1"}), TransferMethod::FeedForward, warn),
                       doctest::Contains("--tv-weight"), ds::Error);
  CHECK_THROWS_WITH_AS(ds::app::loss_spec_from(parsed("stylize", {"--depth-layer-weights", "1"}),
                                               TransferMethod::Optimisation, warn),
                       doctest::Contains("needs --depth-layers"), ds::Error);
  CHECK_THROWS_WITH_AS(ds::app::loss_spec_from(parsed("stylize", {"--net", "alexnet"}), TransferMethod::Optimisation, warn),
                       doctest::Contains("unknown network 'alexnet'"), ds::Error);
}

// Break-it pass 5: --style-layers '' ran into "Var: use of an undefined variable" (exit 1), and a
// weight list of another length than its layers was found late, without the option's name.
TEST_CASE("loss options: an empty layer list and a weight count unlike the layers' are command-line errors naming the option") {
  std::ostringstream warn;
  auto spec = [&](std::vector<std::string> args) {
    return ds::app::loss_spec_from(parsed("stylize", std::move(args)), TransferMethod::Optimisation, warn);
  };
  CHECK_THROWS_WITH_AS(spec({"--style-layers", ""}), "--style-layers: an empty list; give at least one layer",
                       ds::app::UsageError);
  CHECK_THROWS_WITH_AS(spec({"--content-layers", ""}), "--content-layers: an empty list; give at least one layer",
                       ds::app::UsageError);
  CHECK_THROWS_WITH_AS(spec({"--style-layers", "relu1,fire3", "--style-layer-weights", "1,2,3"}),
                       "--style-layer-weights: 3 weight(s) for 2 layer(s) of --style-layers; give one weight per layer, or one for all",
                       ds::app::UsageError);
  // Without --style-layers, the count is the network's default list's (SqueezeNet: 4 style layers).
  CHECK_THROWS_WITH_AS(spec({"--style-layer-weights", "1,2"}), doctest::Contains("2 weight(s) for 4 layer(s)"),
                       ds::app::UsageError);
  CHECK(spec({"--style-layers", "relu1,fire3", "--style-layer-weights", "1,2"}).style_layer_weights ==
        std::vector<float>{1, 2});
  CHECK(spec({"--style-layer-weights", "5"}).style_layer_weights == std::vector<float>{5, 5, 5, 5});  // one for all
}

// neural-style's and neural-style-pt's option names where issue 20 gave them a meaning here: the
// content layers as a list, the TV weight converted from its 0..256 pixels (x 256^2/2), -gpu c, and
// the Caffe model options, which say how to convert the model.
TEST_CASE("loss options: neural-style's -content_layers, -tv_weight, -gpu c and -model_file") {
  std::vector<std::string> args = {"--net", "nin", "-content_layers", "relu0,relu7", "-tv_weight", "1e-3", "-gpu", "c"};
  ds::app::Args a("depthstyle stylize [options]", "");
  ds::app::declare_loss_options(a);
  a.device_option();
  a.accept_peer_names(ds::app::neural_style_names());
  std::vector<char*> argv = {const_cast<char*>("stylize")};
  for (std::string& s : args) argv.push_back(s.data());
  a.parse(static_cast<int>(argv.size()), argv.data());
  LossSpec s = ds::app::loss_spec_from(a, TransferMethod::Optimisation);
  CHECK(s.content_layers == std::vector<std::string>{"relu0", "relu7"});
  CHECK(s.content_layer_weights.size() == 2);
  CHECK(s.tv_weight == doctest::Approx(1e-3 * 256 * 256 / 2));
  CHECK(a.device() == ds::Device::CPU);
  ds::app::Args b("depthstyle stylize [options]", "");
  ds::app::declare_loss_options(b);
  b.accept_peer_names(ds::app::neural_style_names());
  std::vector<std::string> bad = {"-model_file", "models/VGG_ILSVRC_19_layers.caffemodel"};
  std::vector<char*> bargv = {const_cast<char*>("stylize")};
  for (std::string& x : bad) bargv.push_back(x.data());
  std::string msg;
  try {
    b.parse(static_cast<int>(bargv.size()), bargv.data());
  } catch (const ds::Error& e) {
    msg = e.what();
  }
  CHECK(msg.find("convert.py auto") != std::string::npos);
}

TEST_CASE("loss options: --help states every network's default weight, the default network's (squeezenet) too") {
  // The squeezenet values were never stated ("default per network and method: vgg19 5, nin 10").
  // The oracle: the number --help gives for a network is the weight a run with only --net gets.
  for (TransferMethod method : {TransferMethod::Optimisation, TransferMethod::FeedForward}) {
    ds::app::Args a("depthstyle x [options]", "");
    ds::app::declare_loss_options(a, method);
    std::string help = a.help();
    for (const char* net : {"squeezenet", "vgg16", "vgg19", "nin"}) {
      for (auto [option, field] : {std::make_pair("--content-weight A", &LossSpec::content_weight),
                                   std::make_pair("--style-total-weight B", &LossSpec::style_weight),
                                   std::make_pair("--tv-weight C", &LossSpec::tv_weight)}) {
        CAPTURE(net);
        CAPTURE(option);
        size_t line = help.find(option);
        REQUIRE(line != std::string::npos);
        size_t end = help.find("\n  -", line);  // the option's help may wrap
        std::string text = help.substr(line, end == std::string::npos ? std::string::npos : end - line);
        size_t at = text.find(std::string(net) + " ");
        REQUIRE(at != std::string::npos);
        double stated = std::strtod(text.c_str() + at + std::string(net).size() + 1, nullptr);
        std::vector<char*> argv;
        std::vector<std::string> words = {"x", "--net", net};
        for (std::string& w : words) argv.push_back(w.data());
        ds::app::Args b("depthstyle x [options]", "");
        ds::app::declare_loss_options(b, method);
        b.parse(static_cast<int>(argv.size()), argv.data());
        std::ostringstream warn;
        CHECK(stated == doctest::Approx(ds::app::loss_spec_from(b, method, warn).*field).epsilon(1e-5));
      }
    }
    CHECK(help.find("squeezenet") < help.find("vgg19 "));  // the default network first
  }
}
