// The HTML viewer written beside each .glb: one self-contained page that a double-click opens.
//
// Browsers refuse file:// pages both fetch() of a neighbouring .glb and ES-module imports of
// neighbouring scripts (Chromium: "origin null"), so the page carries everything inline: the
// viewer bundle (three.js with its GLTFLoader and OrbitControls and apps/photo3d/viewer/viewer.js,
// bundled by scripts/prepare-viewer into <prepared data>/viewer/depthstyle-viewer.js) and the
// .glb itself as base64. No network is used at view time. See viewer.js for the page's controls
// and its #view=tx,ty,tz,yaw,pitch address.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ds {
namespace app {

constexpr const char* kViewerBundle = "viewer/depthstyle-viewer.js";  // under the prepared data folder

// The bundle's path (nn/prepared_data.h). Errors: not installed -- the message says to run
// scripts/setup (which needs npm) or to pass --no-viewer.
std::string viewer_bundle_path();

// The page of `glb` (the .glb's bytes) titled `title`, with the bundle's text inlined. Errors:
// a bundle containing "</script" (it would end the inline script early).
std::string viewer_page(const std::string& title, const std::vector<uint8_t>& glb, const std::string& bundle);

// The page beside a .glb: X.glb -> X.html.
std::string viewer_page_path(const std::string& glb_path);

// RFC 4648 base64 (with padding).
std::string base64(const std::vector<uint8_t>& bytes);

}  // namespace app
}  // namespace ds
