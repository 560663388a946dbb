// `depthstyle stylize CONTENT_DIR`: one optimisation per image of a folder, with the networks
// and style images loaded once (apps/stylize/stylize_job.h), continuing past a file that fails.
#pragma once
#include <string>
#include <vector>

#include "apps/stylize/stylize_job.h"

namespace ds {
namespace app {

// The depth file extensions a depth folder is searched for (weights/depth_io.h reads them).
extern const char* const kDepthExtensions[5];

// One job per image file of content_dir (apps/common/image_jobs.h: sorted, not recursive),
// writing out_dir/<stem>.png and its side files. With a depth_dir, a job's depth file is the
// one there with the content's stem and a depth extension (a.jpg <-> a.png, a.pgm, a.mat, a.h5,
// a.hdf5); when there is none, or several, that job fails with a message saying so (measured
// and estimated depth are not mixed in one batch). Errors: content_dir or depth_dir missing or
// not a folder, no image in content_dir, out_dir an existing file or content_dir itself.
std::vector<StylizeJob> batch_jobs(const std::string& content_dir, const std::string& depth_dir,
                                   const std::string& out_dir);

// Runs every job in turn; a job that fails (unreadable image, bad depth, divergence, ...) is
// reported on stderr and the batch goes on. Ends with a table on stdout: file, status, seconds,
// final loss or the error (apps/common/batch_summary.h), which Ctrl-C prints too, with the
// image that was running and those not started. Returns the number of failed jobs.
int run_batch(const StylizeCommand& cmd, const std::vector<StylizeJob>& jobs);

}  // namespace app
}  // namespace ds
