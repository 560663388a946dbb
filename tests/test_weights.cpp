// Weight files: HDF5 wrapper, loader checks and writer (weights/h5.h, weights/weights.h).
#include <doctest/doctest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "nn/pretrained.h"
#include "autograd/ops.h"
#include "nn/models.h"
#include "tensor/image_io.h"
#include "tests/check.h"
#include "weights/weights.h"

namespace fs = std::filesystem;
using ds::Shape;
using ds::Tensor;
using ds::h5::AttrValue;

namespace {

// A fresh temporary folder per test, removed at the end.
struct TempDir {
  fs::path dir;
  TempDir() {
    static int counter = 0;
    dir = fs::temp_directory_path() / ("ds_test_weights_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string file(const std::string& name) const { return (dir / name).string(); }
};

Tensor ramp(const Shape& s, float scale, float offset) {
  std::vector<float> v(static_cast<size_t>(ds::shape_numel(s)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = offset + scale * std::sin(0.37f * static_cast<float>(i) + offset);
  return Tensor::from_vector(s, v);
}

std::map<std::string, Tensor> small_net() {
  return {{"conv1.weight", ramp({4, 3, 3, 3}, 0.5f, 0.1f)},
          {"conv1.bias", ramp({4}, 0.1f, -0.2f)},
          {"bn1.running_var", ramp({4}, 0.25f, 1.0f)},
          {"fc.weight", ramp({2, 4}, 1.0f, 0.0f)}};
}

std::vector<std::pair<std::string, Shape>> small_net_shapes() {
  return {{"bn1.running_var", {4}}, {"conv1.bias", {4}}, {"conv1.weight", {4, 3, 3, 3}}, {"fc.weight", {2, 4}}};
}

std::string save_small(const TempDir& t, const std::string& name = "net.h5") {
  std::string path = t.file(name);
  ds::WeightPreprocessing p;
  p.channel_order = "BGR";
  p.value_scale = 255.0;
  p.mean = {103.939, 116.779, 123.68};
  ds::save_weights(path, "tiny_net", small_net(), ds::preprocessing_attrs(p));
  return path;
}

// The message of the ds::Error that fn throws (fails the test when it throws none).
template <class F>
std::string error_of(F fn) {
  try {
    fn();
  } catch (const ds::Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("threw a non-ds::Error: " << e.what());
    return "";
  }
  FAIL("no ds::Error thrown");
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string source_dir() {
  const char* env = std::getenv("DEPTHSTYLE_SOURCE_DIR");
  return env && *env ? env : DEPTHSTYLE_SOURCE_DIR;
}

bool python_h5py_available() { return std::system("/usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("weights: save and load round trip is exact") {
  TempDir t;
  std::map<std::string, Tensor> params = small_net();
  // Values that must survive bit for bit.
  params["edge.values"] = Tensor::from_vector({6}, {-0.0f, std::numeric_limits<float>::denorm_min(), 3.4e38f, -1e-30f,
                                                    1.0f / 3.0f, 16777217.0f});
  std::map<std::string, AttrValue> attrs = ds::preprocessing_attrs({});
  attrs["style"] = AttrValue::string("la_muse");
  attrs["input_height"] = AttrValue::integer_value(224);
  attrs["instance_norm_eps"] = AttrValue::number(1e-3);
  attrs["source"] = AttrValue::string("a.bin,b.param");
  std::string path = t.file("round.h5");
  ds::save_weights(path, "tiny_net", params, attrs);
  CHECK_FALSE(fs::exists(path + ".tmp"));
  // No modification times are stored, so the same content gives the same bytes.
  std::string again = t.file("again.h5");
  ds::save_weights(again, "tiny_net", params, attrs);
  auto bytes = [](const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  };
  CHECK(bytes(again) == bytes(path));
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);  // HDF5's own view: no times recorded
  REQUIRE(file >= 0);
  for (const char* object : {"/", "conv1.weight"}) {
    H5O_info_t info;
    REQUIRE(H5Oget_info_by_name2(file, object, &info, H5O_INFO_TIME, H5P_DEFAULT) >= 0);
    CHECK(info.ctime == 0);  // HDF5 1.10 records an object's modification time as ctime
  }
  H5Fclose(file);

  ds::WeightFile w = ds::load_weights(path, "tiny_net");
  CHECK(w.path == path);
  CHECK(w.architecture == "tiny_net");
  CHECK(w.format_version == 1);
  REQUIRE(w.params.size() == params.size());
  for (const auto& kv : params) {
    const Tensor& got = w.param(kv.first);
    CHECK(got.shape() == kv.second.shape());
    std::vector<float> a = got.to_vector(), b = kv.second.to_vector();
    REQUIRE(a.size() == b.size());
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
  }
  CHECK(std::signbit(w.param("edge.values").at({0})));
  CHECK(w.param_count() == 4 * 27 + 4 + 4 + 8 + 6);
  CHECK(w.attr_string("style") == "la_muse");
  CHECK(w.attr_number("input_height") == 224);
  CHECK(w.attrs.at("input_height").integer);
  CHECK(w.attr_number("instance_norm_eps") == 1e-3);
  CHECK(w.attr_number("missing_attr", 7.5) == 7.5);
  CHECK(w.preprocessing.present);
  CHECK(w.preprocessing.channel_order == "RGB");
  CHECK(w.attrs.at("mean").numbers == std::vector<double>{0, 0, 0});
}

TEST_CASE("weights: preprocessing attributes are read") {
  TempDir t;
  ds::WeightFile w = ds::load_weights(save_small(t), "");
  CHECK(w.preprocessing.present);
  CHECK(w.preprocessing.bgr());
  CHECK(w.preprocessing.value_scale == 255.0);
  CHECK(w.preprocessing.mean[0] == 103.939);
  CHECK(w.preprocessing.mean[2] == 123.68);
  CHECK(w.preprocessing.std[1] == 1.0);
  ds::check_params(w, small_net_shapes());
}

TEST_CASE("weights: wrong architecture is refused, naming the file and both architectures") {
  TempDir t;
  std::string path = save_small(t);
  std::string msg = error_of([&] { ds::load_weights(path, "vgg16"); });
  CHECK(contains(msg, path));
  CHECK(contains(msg, "'tiny_net'"));
  CHECK(contains(msg, "'vgg16'"));
  msg = error_of([&] { ds::load_weights(path, std::vector<std::string>{"vgg16", "vgg16_features"}); });
  CHECK(contains(msg, "one of vgg16, vgg16_features"));
  CHECK(ds::load_weights(path, std::vector<std::string>{"other", "tiny_net"}).architecture == "tiny_net");
}

TEST_CASE("weights: missing, extra and mis-shaped parameters name the file and the parameter") {
  TempDir t;
  std::string path = save_small(t);
  ds::WeightFile w = ds::load_weights(path, "tiny_net");

  auto missing = small_net_shapes();
  missing.push_back({"conv2.weight", {8, 4, 3, 3}});
  std::string msg = error_of([&] { ds::check_params(w, missing); });
  CHECK(contains(msg, path));
  CHECK(contains(msg, "missing parameter 'conv2.weight' [8, 4, 3, 3]"));

  auto extra = small_net_shapes();
  extra.erase(extra.begin());  // the file's bn1.running_var is then unexpected
  msg = error_of([&] { ds::check_params(w, extra); });
  CHECK(contains(msg, path));
  CHECK(contains(msg, "unexpected parameter 'bn1.running_var' [4]"));

  auto shaped = small_net_shapes();
  shaped[2].second = {4, 3, 5, 5};
  msg = error_of([&] { ds::check_params(w, shaped); });
  CHECK(contains(msg, path));
  CHECK(contains(msg, "parameter 'conv1.weight' has shape [4, 3, 3, 3], expected [4, 3, 5, 5]"));

  msg = error_of([&] { w.param("nope.weight"); });
  CHECK(contains(msg, path));
  CHECK(contains(msg, "'nope.weight'"));
}

TEST_CASE("weights: a truncated file gives a clear error naming the file") {
  TempDir t;
  std::string path = save_small(t);
  auto size = fs::file_size(path);
  for (auto keep : {size / 2, size - 1, decltype(size){100}, decltype(size){10}}) {
    std::string cut = t.file("cut_" + std::to_string(keep) + ".h5");
    fs::copy_file(path, cut);
    fs::resize_file(cut, keep);
    std::string msg = error_of([&] { ds::load_weights(cut, "tiny_net"); });
    CAPTURE(keep);
    CAPTURE(msg);
    CHECK(contains(msg, cut));
    CHECK((contains(msg, "truncated") || contains(msg, "not an HDF5 file")));
  }
}

TEST_CASE("weights: a file that is not HDF5, or absent, gives a clear error naming it") {
  TempDir t;
  std::string text = t.file("notes.h5");
  std::ofstream(text) << "this is a text file, not weights\n";
  std::string msg = error_of([&] { ds::load_weights(text, "tiny_net"); });
  CHECK(contains(msg, text));
  CHECK(contains(msg, "not an HDF5 file"));

  std::string none = t.file("absent.h5");
  msg = error_of([&] { ds::load_weights(none, "tiny_net"); });
  CHECK(contains(msg, none));
  CHECK(contains(msg, "not found"));

  msg = error_of([&] { ds::load_weights(t.dir.string(), ""); });
  CHECK(contains(msg, "is a directory"));
}

TEST_CASE("weights: HDF5 files that are not weight files are refused") {
  TempDir t;
  std::string plain = t.file("plain.h5");
  {
    ds::AtomicFile out(plain);
    ds::h5::Writer f(out);
    float x = 1.0f;
    f.write("x", {1}, &x);
    f.close();
    out.commit();
  }
  std::string msg = error_of([&] { ds::load_weights(plain, ""); });
  CHECK(contains(msg, plain));
  CHECK(contains(msg, "no 'format_version' attribute"));

  std::string partial = t.file("partial.h5");
  ds::save_weights(partial, "tiny_net", small_net(), {{"channel_order", AttrValue::string("RGB")}});
  msg = error_of([&] { ds::load_weights(partial, "tiny_net"); });
  CHECK(contains(msg, partial));
  CHECK(contains(msg, "incomplete preprocessing attributes"));

  std::string bad_order = t.file("bad_order.h5");
  auto attrs = ds::preprocessing_attrs({});
  attrs["channel_order"] = AttrValue::string("GRB");
  ds::save_weights(bad_order, "tiny_net", small_net(), attrs);
  msg = error_of([&] { ds::load_weights(bad_order, "tiny_net"); });
  CHECK(contains(msg, "'channel_order' is 'GRB'"));

  msg = error_of([&] { ds::save_weights(t.file("x.h5"), "a", small_net(), {{"architecture", AttrValue::string("b")}}); });
  CHECK(contains(msg, "'architecture' is set by save_weights"));
  msg = error_of([&] { ds::save_weights(t.file("y.h5"), "a", {{"a/b", Tensor::zeros({1})}}); });
  CHECK(contains(msg, "invalid dataset name 'a/b'"));
  CHECK_FALSE(fs::exists(t.file("y.h5")));
  CHECK_FALSE(fs::exists(t.file("y.h5.tmp")));
}

TEST_CASE("weights: reads a file written by h5py, and h5py reads ours") {
  if (!python_h5py_available()) {
    MESSAGE("skipped: /usr/bin/python3 with h5py and numpy not available");
    return;
  }
  TempDir t;
  std::string theirs = t.file("h5py.h5");
  // Written the way weights/convert/h5write.py writes: str attributes (variable-length UTF-8),
  // an int32 format_version, float64 mean/std, and one fixed-length bytes attribute.
  std::string script =
      "import h5py, numpy as np, sys\n"
      "with h5py.File(sys.argv[1], 'w') as f:\n"
      "    f.attrs['architecture'] = 'squeezenet1_1'\n"
      "    f.attrs['format_version'] = np.int32(1)\n"
      "    f.attrs['channel_order'] = 'RGB'\n"
      "    f.attrs['value_scale'] = np.float64(1.0)\n"
      "    f.attrs['mean'] = np.array([0.485, 0.456, 0.406])\n"
      "    f.attrs['std'] = np.array([0.229, 0.224, 0.225])\n"
      "    f.attrs['fixed'] = np.bytes_(b'abc')\n"
      "    f.create_dataset('features.0.weight', data=np.arange(64*27, dtype=np.float32).reshape(64, 3, 3, 3) / 7)\n"
      "    f.create_dataset('features.0.bias', data=np.linspace(-1, 1, 64, dtype=np.float32))\n";
  std::string py = t.file("write.py");
  std::ofstream(py) << script;
  REQUIRE(std::system(("/usr/bin/python3 " + py + " " + theirs).c_str()) == 0);
  ds::WeightFile w = ds::load_weights(theirs, "squeezenet1_1");
  CHECK(w.preprocessing.mean[1] == 0.456);
  CHECK(w.preprocessing.std[2] == 0.225);
  CHECK(w.attr_string("fixed") == "abc");
  ds::check_params(w, {{"features.0.weight", {64, 3, 3, 3}}, {"features.0.bias", {64}}});
  CHECK(w.param("features.0.weight").at({63, 2, 2, 2}) == static_cast<float>(64 * 27 - 1) / 7.0f);
  CHECK(w.param("features.0.bias").at({0}) == -1.0f);
  CHECK(w.param("features.0.bias").at({63}) == 1.0f);

  // And the other way: h5py reads what save_weights wrote.
  std::string ours = save_small(t, "ours.h5");
  std::string check =
      "import h5py, numpy as np, sys\n"
      "f = h5py.File(sys.argv[1], 'r')\n"
      "assert f.attrs['architecture'] == 'tiny_net', f.attrs['architecture']\n"
      "assert int(f.attrs['format_version']) == 1\n"
      "assert f.attrs['channel_order'] == 'BGR'\n"
      "assert list(f.attrs['mean']) == [103.939, 116.779, 123.68]\n"
      "assert sorted(f.keys()) == ['bn1.running_var', 'conv1.bias', 'conv1.weight', 'fc.weight'], list(f.keys())\n"
      "w = f['conv1.weight']\n"
      "assert w.dtype == np.float32 and w.shape == (4, 3, 3, 3)\n"
      "i = np.arange(108, dtype=np.float32)\n"
      "want = np.float32(0.1) + np.float32(0.5) * np.sin(np.float32(0.37) * i + np.float32(0.1))\n"
      "assert np.allclose(w[()].ravel(), want, atol=1e-5), abs(w[()].ravel() - want).max()\n";
  std::string pyc = t.file("check.py");
  std::ofstream(pyc) << check;
  CHECK(std::system(("/usr/bin/python3 " + pyc + " " + ours).c_str()) == 0);
}

TEST_CASE("weights: prepared real weight files load with the published parameter counts") {
  // data/weights is made by scripts/prepare-data from the real files (see docs/weights-format.md).
  fs::path dir = fs::path(source_dir()) / "data" / "weights";
  if (!fs::exists(dir / "fastdepth.h5")) {
    MESSAGE("skipped: no prepared data (" << dir.string() << "; run scripts/prepare-data)");
    return;
  }
  struct Expect {
    const char* file;
    const char* arch;
    int64_t params;
  };
  const Expect expect[] = {{"squeezenet1_1.h5", "squeezenet1_1", 1235496},
                           {"squeezenet1_1_keras.h5", "squeezenet1_1_features", 722496},
                           {"fastdepth.h5", "fastdepth", 1352225},
                           {"fast_style_la_muse.h5", "fast_style_tf", 1677638}};
  for (const Expect& e : expect) {
    CAPTURE(e.file);
    std::string path = (dir / e.file).string();
    REQUIRE(fs::exists(path));
    ds::WeightFile w = ds::load_weights(path, e.arch);
    CHECK(w.param_count() == e.params);
    CHECK(w.preprocessing.present);
    CHECK(w.attr_string("source_sha256").size() >= 64);
  }
}

TEST_CASE("features: the HDF5 file `depthstyle features` writes reads back with the activations") {
  // Oracle: the same network run here. Both processes run the same kernels with the same
  // thread count (the command inherits this environment), and the CPU kernels are
  // deterministic for a fixed thread count (the resume tests in test_train.cpp rely on it), so
  // the values must match bit for bit. h5py, an independent reader, must see the same bits.
  std::string bin = DEPTHSTYLE_BINARY;
  if (!fs::exists(bin)) {
    MESSAGE("skipped: " << bin << " is not built");
    return;
  }
  TempDir t;
  std::map<std::string, Tensor> params;
  for (const auto& [name, shape] : ds::squeezenet1_1_param_shapes(false)) params[name] = ds::synthetic_param(name, shape);
  ds::WeightPreprocessing pre;
  pre.mean = {0.485, 0.456, 0.406}, pre.std = {0.229, 0.224, 0.225};
  std::string weights = t.file("squeeze.h5"), image = t.file("img.png"), out = t.file("new/folder/feat.h5");
  ds::save_weights(weights, "squeezenet1_1_features", params, ds::preprocessing_attrs(pre));
  ds::save_image(image, ramp({1, 3, 40, 48}, 0.4f, 0.5f));
  std::string cmd = bin + " features --net squeezenet --weights " + weights + " --layers fire2/squeeze,fire3 --device cpu " +
                    image + " -o " + out + " >/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);

  ds::WeightFile f = ds::load_weights(out, "features");
  CHECK(f.attr_string("network") == "squeezenet");
  CHECK(f.attr_string("image") == image);
  ds::FeatureNet net = ds::load_feature_net("squeezenet", weights, ds::Device::CPU);
  ds::NoGradGuard ng;
  std::map<std::string, ds::Var> acts = net.run(ds::Var(ds::load_image_rgb(image)), {"fire2/squeeze", "fire3"});
  REQUIRE(f.params.size() == 2);
  for (const auto& [layer, key] : {std::make_pair("fire2/squeeze", "fire2.squeeze"), std::make_pair("fire3", "fire3")}) {
    CAPTURE(layer);
    const Tensor& got = f.param(key);
    REQUIRE(got.shape() == acts.at(layer).shape());
    std::vector<float> a = got.to_vector(), b = acts.at(layer).value().to_vector();
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    if (!python_h5py_available()) continue;
    std::string raw = t.file(std::string(key) + ".f32");
    std::string py = "import h5py, numpy as np, sys; h5py.File(sys.argv[1], 'r')[sys.argv[2]][()].astype('<f4').tofile(sys.argv[3])";
    REQUIRE(std::system(("/usr/bin/python3 -c \"" + py + "\" " + out + " " + key + " " + raw).c_str()) == 0);
    std::ifstream in(raw, std::ios::binary);
    std::vector<float> theirs(a.size());
    in.read(reinterpret_cast<char*>(theirs.data()), static_cast<std::streamsize>(theirs.size() * sizeof(float)));
    CHECK(in.gcount() == static_cast<std::streamsize>(a.size() * sizeof(float)));
    CHECK(std::memcmp(theirs.data(), a.data(), a.size() * sizeof(float)) == 0);
  }
  // `info` calls a features file's tensors activations, a weight file's parameters.
  std::string text;
  REQUIRE(dst::run_command(bin + " info " + out, &text) == 0);
  CHECK(text.find("activations   ") != std::string::npos);
  CHECK(text.find("parameters") == std::string::npos);
  REQUIRE(dst::run_command(bin + " info --brief " + weights, &text) == 0);
  CHECK(text.find("parameters    ") != std::string::npos);
  CHECK(text.find("activations") == std::string::npos);
}
