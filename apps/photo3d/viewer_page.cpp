#include "apps/photo3d/viewer_page.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "nn/prepared_data.h"
#include "tensor/error.h"

namespace ds {
namespace app {

std::string viewer_bundle_path() {
  try {
    return prepared_file(kViewerBundle);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) +
                "\nThe 3D-photo viewer is made by scripts/setup (scripts/prepare-viewer, which needs npm); "
                "or pass --no-viewer to write the .glb without its HTML page");
  }
}

std::string base64(const std::vector<uint8_t>& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = static_cast<uint32_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint32_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) v |= bytes[i + 2];
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? k[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? k[v & 63] : '=';
  }
  return out;
}

namespace {

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

}  // namespace

std::string viewer_page(const std::string& title, const std::vector<uint8_t>& glb, const std::string& bundle) {
  std::string lower = bundle;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower.find("</script") != std::string::npos)
    throw Error("the viewer bundle contains '</script', which would end the page's inline script: rebuild it with "
                "scripts/prepare-viewer");
  const std::string t = html_escape(title);
  return "<!DOCTYPE html>\n<html lang=\"en\" data-state=\"loading\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>" + t + " - depthstyle 3D photo</title>\n"
         "<style>html,body{margin:0;height:100%;overflow:hidden;background:#000}"
         "body{display:flex;align-items:center;justify-content:center}canvas{display:block}"
         "#status{position:fixed;top:45%;width:100%;text-align:center;color:#ccc;font:16px sans-serif}"
         "#help{position:fixed;bottom:6px;left:8px;color:#aaa;font:12px sans-serif;text-shadow:0 0 3px #000}"
         "</style>\n</head>\n<body>\n"
         "<div id=\"status\">Loading " + t + "...</div>\n"
         "<div id=\"help\">drag: orbit &middot; right-drag: pan &middot; wheel: zoom &middot; double-click: "
         "reset</div>\n"
         "<script>\n" + bundle + "\n</script>\n"
         "<script id=\"glb\" type=\"application/octet-stream\">" + base64(glb) + "</script>\n"
         "<script>DepthstyleViewer.show(document.getElementById('glb').textContent.trim());</script>\n"
         "</body>\n</html>\n";
}

std::string viewer_page_path(const std::string& glb_path) {
  return std::filesystem::path(glb_path).replace_extension(".html").string();
}

}  // namespace app
}  // namespace ds
