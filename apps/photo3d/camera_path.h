// Camera paths of a parallax video, after Mu et al. 2022 (fmu2/3d_photo_stylization,
// lib/camera.py; the camera keeps the photo's orientation and moves):
//   swing       x = A cos(pi t), z = Z (cos(pi t / 2) + 1) / 2, t from -2 to 2 (two sideways swings
//               while moving forward and back once), looping;
//   circle      the same with y = A sin(pi t) (two circles);
//   zoom        straight forward from 0 to Z;
//   dolly-zoom  forward from 0 to Z while the focal length shrinks by (d - z) / d, so the surface
//               at the image centre (depth d) keeps its size and the background stretches
//               (Hitchcock's "Vertigo effect");
//   ken-burns   a straight line from (-A, -A, 0) to (A, A, Z): across while moving in.
// A is the amplitude (metres, sideways) and Z = 2.5 A the forward travel (Mu et al.'s defaults,
// x 0.02 and z 0.05, have that ratio). Looping paths sample t at N evenly spaced points without
// the end (the video loops seamlessly), the others include both ends.
#pragma once
#include <string>
#include <vector>

#include "apps/photo3d/camera.h"

namespace ds {
namespace app {

// "swing", "circle", "zoom", "dolly-zoom" or "ken-burns" (ds::Error naming the choices otherwise).
void check_camera_path(const std::string& name);

// The N views of path `name` for a photo seen by camera K. centre_depth (metres) is the depth at
// the image centre (dolly-zoom only). Errors: an unknown name, frames < 1, amplitude <= 0.
std::vector<View> camera_path(const std::string& name, int frames, double amplitude, const Intrinsics& K,
                              double centre_depth);

}  // namespace app
}  // namespace ds
