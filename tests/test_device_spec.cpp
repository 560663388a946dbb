// --device values (tensor/tensor.h): "cpu", "cuda" and "cuda:N" parsed without a device, and
// the selection errors: no CUDA device at all, or N beyond the machine's devices; --precision,
// which every command declares with --device (apps/common/args.h).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "apps/common/args.h"
#include "tensor/device.h"
#include "tensor/tensor.h"
#include "tests/check.h"

using ds::Device;
using ds::Error;

TEST_CASE("device spec: cpu, cuda (= cuda:0) and cuda:N") {
  CHECK(ds::parse_device_spec("cpu").device == Device::CPU);
  ds::DeviceSpec d = ds::parse_device_spec("cuda");
  CHECK(d.device == Device::CUDA);
  CHECK(d.index == 0);
  CHECK(ds::parse_device_spec("cuda:0").index == 0);
  CHECK(ds::parse_device_spec("cuda:3").index == 3);
  CHECK(ds::parse_device_spec("cuda:12").device == Device::CUDA);
  CHECK(ds::parse_device_spec("cuda:12").index == 12);
}

TEST_CASE("device spec: a bad GPU index or device name is an error that says what is expected") {
  for (const char* s : {"cuda:", "cuda:x", "cuda:-1", "cuda:+1", "cuda:1.5", "cuda:1 ", "cuda:99999"}) {
    INFO(s);
    CHECK_THROWS_WITH_AS(ds::parse_device_spec(s), doctest::Contains("is not a GPU index (expected cuda:0, cuda:1"),
                         Error);
  }
  for (const char* s : {"gpu", "CUDA", "cuda0", " cuda", "cpu:0", ""}) {
    INFO(s);
    CHECK_THROWS_WITH_AS(ds::parse_device_spec(s), doctest::Contains("expected 'cpu', 'cuda' or 'cuda:N'"), Error);
  }
}

TEST_CASE("device spec: cuda:N without a CUDA device is the no-CUDA error") {
  if (ds::cuda_available()) {
    MESSAGE("skipped: a CUDA device is present (this test covers machines without one)");
    std::printf("skipped: a CUDA device is present\n");
    return;
  }
  CHECK(ds::parse_device("cpu") == Device::CPU);
  CHECK(ds::cuda::device_count() == 0);
  for (const char* s : {"cuda", "cuda:1"}) {
    INFO(s);
#ifdef DEPTHSTYLE_HAVE_CUDA
    CHECK_THROWS_WITH_AS(ds::parse_device(s), doctest::Contains("no usable CUDA device"), Error);
#else
    CHECK_THROWS_WITH_AS(ds::parse_device(s), doctest::Contains("this build of depthstyle has no CUDA support"), Error);
#endif
  }
}

TEST_CASE("device spec: cuda:N selects GPU N and refuses N >= the device count") {
  if (dst::skip_without_cuda("device selection")) return;
  int n = ds::cuda::device_count();
  REQUIRE(n >= 1);
  std::string beyond = "cuda:" + std::to_string(n);
  std::string want = beyond + ": this machine has " + std::to_string(n) + " CUDA device(s)";
  CHECK_THROWS_WITH_AS(ds::parse_device(beyond), doctest::Contains(want.c_str()), Error);
  CHECK(ds::parse_device("cuda:0") == Device::CUDA);
  CHECK(ds::Tensor::full({2}, 3.0f, Device::CUDA).to(Device::CPU).to_vector() == std::vector<float>{3.0f, 3.0f});
  // Work has started on cuda:0: selecting it again is fine, switching is refused.
  CHECK(ds::parse_device("cuda") == Device::CUDA);
  if (n > 1)
    CHECK_THROWS_WITH_AS(ds::parse_device("cuda:1"), doctest::Contains("already works on cuda:0"), Error);
}

TEST_CASE("--precision fp32|tf32 comes with --device: sets TF32, default fp32, bad values refused") {
  auto device_of = [](std::vector<std::string> words) {
    ds::app::Args a("depthstyle classify [options]", "");
    a.device_option();
    words.insert(words.begin(), "depthstyle");
    std::vector<char*> argv;
    for (std::string& w : words) argv.push_back(w.data());
    a.parse(static_cast<int>(argv.size()), argv.data());
    return a.device();
  };
  CHECK(device_of({"--device", "cpu", "--precision", "tf32"}) == Device::CPU);  // accepted, no effect on cpu
  CHECK(ds::cuda::allow_tf32());
  device_of({"--device", "cpu"});
  CHECK_FALSE(ds::cuda::allow_tf32());  // fp32 is the default, and resets an earlier tf32
  device_of({"--device=cpu", "--precision=tf32"});
  CHECK(ds::cuda::allow_tf32());
  device_of({"--device", "cpu", "--precision", "fp32"});
  CHECK_FALSE(ds::cuda::allow_tf32());
  for (const char* bad : {"fp16", "TF32", "", "bf16"}) {
    INFO(bad);
    CHECK_THROWS_WITH_AS(device_of({"--device", "cpu", "--precision", bad}),
                         doctest::Contains(("option --precision: '" + std::string(bad) + "' is not fp32 or tf32").c_str()), Error);
  }
  CHECK_FALSE(ds::cuda::allow_tf32());
}
