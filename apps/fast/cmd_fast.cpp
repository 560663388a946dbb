// depthstyle fast MODEL IMAGE|DIR -o OUT: feed-forward style transfer with a pretrained
// fast-style transformer (one forward pass per image; the jobs are apps/fast/fast.h, the network nn/fast_style_weights.h).
#include <cstdio>
#include <filesystem>
#include <optional>

#include "apps/depthstyle/commands.h"
#include "apps/common/args.h"
#include "apps/fast/fast.h"
#include "apps/common/outputs.h"
#include "tensor/host_blocks.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

int cmd_fast(int argc, char** argv) {
  Args a("depthstyle fast [options] MODEL IMAGE -o OUT.png\n       depthstyle fast [options] MODEL DIR -o OUTDIR",
         "Stylises an image, or every image in a folder (sorted by name; written as\n"
         "OUTDIR/<name>.png), with a feed-forward style transformer.\n"
         "Images: " + image_formats_text() + ".\n"
         "MODEL is a project HDF5 file (a `train` checkpoint or its -o folder for the latest, or a fast-neural-style .t7 or pytorch/examples\n"
         ".pth converted by weights/convert/convert.py auto: its layers and preprocessing are in the file)\n"
         "or a pretrained style: " + fast_style_list() +
         "\n(DATA/weights/fast_style_<name>.h5; DATA: see depthstyle --help).\n"
         "Unreadable images in a folder are skipped with a warning; the exit status is then 1.\n"
         "Ctrl-C in a folder ends with a summary of the images done and not done.\n"
         "Memory: each image's need is estimated from its size before any work (on the CPU about 200\n"
         "bytes per pixel at its working size: a 6000x4000 photo needs 4.5 GiB); above --max-memory the\n"
         "command stops at once and says which --size fits.\n"
         "No output may be an input: OUTDIR may not be DIR, nor OUT.png the IMAGE, unless --overwrite.\n"
         "With --overwrite each image may be replaced by its own stylised version: it is read whole\n"
         "before its output is written (to a temporary file renamed over it), so no image is ever\n"
         "written while it is being read; an output that would replace ANOTHER input image (read\n"
         "later, or already used) or the model file is still refused.");
  a.option("-o", "FILE|DIR", "output .png or .jpg/.jpeg (quality 95), or output folder for a folder of images (required)");
  a.flag("--overwrite", "let each output replace the image it is made from (OUTDIR may be DIR)");
  a.option("--size", "PX", "resize so the longer side is PX pixels first (default: keep the image's size)");
  declare_max_memory(a, "images");
  a.option("--median-filter", "N", "smooth each output with an NxN median filter (jcjohnson/fast-neural-style's "
           "-median_filter, 3 there by default; 0: off)", "0");
  // The peers name the model and the image with options (fast_neural_style.lua -model -input_image,
  // pytorch/examples --model --content-image): these are ours too, so their command lines read.
  a.option("--model", "MODEL", "the model, instead of the first argument (the peers' -model, --model)");
  a.option("--input", "IMAGE|DIR", "the image or folder, instead of the last argument (the peers' -input_image, "
           "-input_dir, --content-image)");
  a.device_option();
  a.accept_peer_names(fast_style_names());
  if (!a.parse(argc, argv)) return 0;
  size_t named = (a.has("--model") ? 1 : 0) + (a.has("--input") ? 1 : 0);
  a.expect_positional(2 - named, 2 - named, a.has("--model") ? (a.has("--input") ? "no argument besides --model and --input"
                                                                                   : "IMAGE (or DIR), the model being --model")
                                                             : (a.has("--input") ? "MODEL, the image being --input"
                                                                                 : "MODEL and IMAGE (or DIR)"));
  Device dev = a.device();
  int size = a.has("--size") ? a.integer("--size", 16, 16384) : 0;
  int64_t budget = max_memory_bytes(a);
  int median = a.integer("--median-filter", 0, 15);
  const std::string model = a.has("--model") ? a.str("--model") : a.positional()[0];
  const std::string input = a.has("--input") ? a.str("--input") : a.positional().back();
  std::vector<ImageJob> jobs = image_jobs(input, a.required("-o"));
  bool overwrite = a.has("--overwrite");
  if (std::filesystem::is_directory(input))
    check_output_folder(input, a.str("-o"), overwrite,
                        "the outputs would go among the images read, each PNG replaced by its stylised version; "
                        "choose another folder, or give --overwrite to do exactly that");
  std::string model_file = fast_style_file(model);
  return_freed_memory_promptly();
  reuse_freed_host_blocks(true);  // the images of a folder repeat their blocks' sizes (tensor/host_blocks.h)
  // The model before the memory check, which a converted layer list sizes with its own layers,
  // and which comes before the plan creates any output folder. A model that cannot be read is
  // reported after the outputs are checked, as before: the file's own error, from the second try.
  std::optional<FastStyleNet> net;
  try {
    net = load_fast_style(model, dev);
  } catch (const Error&) {
  }
  if (net) {
    try {
      net->check_runs();
    } catch (const Error& e) {
      throw Error(model_file + ": " + e.what());
    }
  }
  check_memory(jobs, net ? &*net : nullptr, size, budget, dev);
  OutputPlan plan;
  if (std::filesystem::is_directory(model))
    std::fprintf(stderr, "note: model %s: its latest checkpoint, %s\n", model.c_str(), model_file.c_str());
  plan.input("model file", model_file);
  for (const ImageJob& j : jobs) plan.input("input image", j.input);
  for (const ImageJob& j : jobs) plan.output("output", j.output, overwrite ? j.input : "");
  plan.check();
  for (const ImageJob& j : jobs) check_image_output(j.output);
  if (!net) net = load_fast_style(model, dev);
  int failed = run_fast_jobs(*net, jobs, size, median);
  if (failed) std::fprintf(stderr, "depthstyle fast: %d of %zu images failed\n", failed, jobs.size());
  return failed ? 1 : 0;
}

}  // namespace app
}  // namespace ds
