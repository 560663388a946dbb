#include "apps/photo3d/glb.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "tensor/error.h"
#include "tensor/file_util.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

namespace {

// glTF enumerations (specification, section 5).
constexpr int kFloat = 5126, kUnsignedInt = 5125;
constexpr int kArrayBuffer = 34962, kElementArrayBuffer = 34963;
constexpr int kLinear = 9729, kClampToEdge = 33071;

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.9g", v);
  return b;
}

std::string quoted(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    o += c;
  }
  return o + "\"";
}

template <typename T>
std::string join(const std::vector<T>& items) {
  std::string s;
  for (const T& i : items) s += (s.empty() ? "" : ",") + i;
  return s;
}

// The binary chunk under construction and the bufferViews that index it.
class BinaryChunk {
 public:
  // Appends `size` bytes (4-byte aligned) as a new bufferView; returns its index.
  int view(const void* data, size_t size, int target) {
    while (bin_.size() % 4) bin_.push_back(0);
    std::string v = "{\"buffer\":0,\"byteOffset\":" + std::to_string(bin_.size()) +
                    ",\"byteLength\":" + std::to_string(size);
    if (target) v += ",\"target\":" + std::to_string(target);
    views_.push_back(v + "}");
    const uint8_t* p = static_cast<const uint8_t*>(data);
    bin_.insert(bin_.end(), p, p + size);
    return static_cast<int>(views_.size()) - 1;
  }
  std::vector<uint8_t>& bytes() { return bin_; }
  const std::vector<std::string>& views() const { return views_; }

 private:
  std::vector<uint8_t> bin_;
  std::vector<std::string> views_;
};

// The glTF frame: (x, -y, -z) of the scene frame.
std::vector<float> to_gltf_frame(const std::vector<float>& p) {
  std::vector<float> o(p.size());
  for (size_t i = 0; i < p.size(); i += 3) o[i] = p[i], o[i + 1] = -p[i + 1], o[i + 2] = -p[i + 2];
  return o;
}

void append_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int k = 0; k < 4; ++k) out.push_back(static_cast<uint8_t>(v >> (8 * k)));
}

}  // namespace

std::vector<uint8_t> glb_bytes(const GlbScene& scene) {
  if (!scene.mesh || scene.mesh->parts.empty() || scene.mesh->parts[0].triangle_count() == 0)
    throw Error("glTF: the mesh is empty");
  // Refuse before assembling: vertex data, indices and (at most) 4 bytes per texel of PNG.
  double estimate = 0;
  for (const MeshPrimitive& p : scene.mesh->parts)
    estimate += 20.0 * static_cast<double>(p.vertex_count()) + 12.0 * static_cast<double>(p.triangle_count()) +
                4.0 * static_cast<double>(p.texture.numel()) + 1e6;
  if (estimate >= 4294967295.0)
    throw Error("glTF: a " + num(estimate / 1e9) + " GB mesh exceeds the .glb format's 4 GiB; use a smaller --size");
  BinaryChunk bin;
  std::vector<std::string> accessors, primitives, materials, textures, images;
  for (const MeshPrimitive& p : scene.mesh->parts) {
    if (p.triangle_count() == 0) continue;
    std::vector<float> pos = to_gltf_frame(p.positions);
    float lo[3] = {std::numeric_limits<float>::max(), std::numeric_limits<float>::max(),
                   std::numeric_limits<float>::max()};
    float hi[3] = {-lo[0], -lo[1], -lo[2]};
    for (size_t i = 0; i < pos.size(); ++i) lo[i % 3] = std::min(lo[i % 3], pos[i]), hi[i % 3] = std::max(hi[i % 3], pos[i]);
    const std::string n = std::to_string(p.vertex_count());
    int a_pos = static_cast<int>(accessors.size());
    accessors.push_back("{\"bufferView\":" + std::to_string(bin.view(pos.data(), pos.size() * 4, kArrayBuffer)) +
                        ",\"componentType\":" + std::to_string(kFloat) + ",\"count\":" + n +
                        ",\"type\":\"VEC3\",\"min\":[" + num(lo[0]) + "," + num(lo[1]) + "," + num(lo[2]) +
                        "],\"max\":[" + num(hi[0]) + "," + num(hi[1]) + "," + num(hi[2]) + "]}");
    accessors.push_back("{\"bufferView\":" + std::to_string(bin.view(p.uvs.data(), p.uvs.size() * 4, kArrayBuffer)) +
                        ",\"componentType\":" + std::to_string(kFloat) + ",\"count\":" + n + ",\"type\":\"VEC2\"}");
    accessors.push_back("{\"bufferView\":" +
                        std::to_string(bin.view(p.indices.data(), p.indices.size() * 4, kElementArrayBuffer)) +
                        ",\"componentType\":" + std::to_string(kUnsignedInt) +
                        ",\"count\":" + std::to_string(p.indices.size()) + ",\"type\":\"SCALAR\"}");
    std::vector<uint8_t> png = encode_png_bytes("glTF texture", p.texture);
    int image = static_cast<int>(images.size());
    images.push_back("{\"bufferView\":" + std::to_string(bin.view(png.data(), png.size(), 0)) +
                     ",\"mimeType\":\"image/png\"}");
    textures.push_back("{\"sampler\":0,\"source\":" + std::to_string(image) + "}");
    int material = static_cast<int>(materials.size());
    materials.push_back("{\"name\":" + quoted(material == 0 ? "visible layer" : "background layer") +
                        ",\"pbrMetallicRoughness\":{\"baseColorTexture\":{\"index\":" + std::to_string(image) +
                        "},\"metallicFactor\":0,\"roughnessFactor\":1},\"doubleSided\":true,"
                        "\"extensions\":{\"KHR_materials_unlit\":{}}}");
    primitives.push_back("{\"attributes\":{\"POSITION\":" + std::to_string(a_pos) +
                         ",\"TEXCOORD_0\":" + std::to_string(a_pos + 1) + "},\"indices\":" +
                         std::to_string(a_pos + 2) + ",\"material\":" + std::to_string(material) + ",\"mode\":4}");
  }
  const Intrinsics& K = scene.K;
  // A glTF camera's projection has x scaled by aspectRatio * tan(yfov/2): with this aspect
  // ratio, both focal lengths are exact (the principal point is in the extras).
  double yfov = 2 * std::atan(K.height / (2 * K.fy));
  double aspect = (K.width / K.fx) / (K.height / K.fy);
  Vec3 t = scene.orbit_target;
  std::string json =
      "{\"asset\":{\"version\":\"2.0\",\"generator\":\"depthstyle 3d\"},"
      "\"extensionsUsed\":[\"KHR_materials_unlit\"],\"scene\":0,"
      "\"scenes\":[{\"name\":" + quoted(scene.name) + ",\"nodes\":[0,1],\"extras\":{\"orbitTarget\":[" + num(t.x) +
      "," + num(-t.y) + "," + num(-t.z) + "]}}],"
      "\"nodes\":[{\"name\":\"photo\",\"mesh\":0},{\"name\":\"original camera\",\"camera\":0}],"
      "\"meshes\":[{\"name\":\"photo\",\"primitives\":[" + join(primitives) + "]}],"
      "\"cameras\":[{\"name\":\"original camera\",\"type\":\"perspective\",\"perspective\":{\"yfov\":" + num(yfov) +
      ",\"aspectRatio\":" + num(aspect) + ",\"znear\":" + num(0.01) + "},\"extras\":{\"depthstyle\":{\"fx\":" +
      num(K.fx) + ",\"fy\":" + num(K.fy) + ",\"cx\":" + num(K.cx) + ",\"cy\":" + num(K.cy) +
      ",\"width\":" + std::to_string(K.width) + ",\"height\":" + std::to_string(K.height) + "}}}],"
      "\"materials\":[" + join(materials) + "],\"textures\":[" + join(textures) + "],"
      "\"samplers\":[{\"magFilter\":" + std::to_string(kLinear) + ",\"minFilter\":" + std::to_string(kLinear) +
      ",\"wrapS\":" + std::to_string(kClampToEdge) + ",\"wrapT\":" + std::to_string(kClampToEdge) + "}],"
      "\"images\":[" + join(images) + "],\"accessors\":[" + join(accessors) + "],"
      "\"bufferViews\":[" + join(bin.views()) + "],\"buffers\":[{\"byteLength\":" +
      std::to_string(bin.bytes().size()) + "}]}";
  while (json.size() % 4) json += ' ';
  while (bin.bytes().size() % 4) bin.bytes().push_back(0);
  const uint64_t total = 12 + 8 + json.size() + 8 + bin.bytes().size();
  if (total > 0xffffffffull) throw Error("glTF: the file would exceed the .glb format's 4 GiB; use a smaller --size");
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(total));
  append_u32(out, 0x46546C67u);  // "glTF"
  append_u32(out, 2);
  append_u32(out, static_cast<uint32_t>(total));
  append_u32(out, static_cast<uint32_t>(json.size()));
  append_u32(out, 0x4E4F534Au);  // "JSON"
  out.insert(out.end(), json.begin(), json.end());
  append_u32(out, static_cast<uint32_t>(bin.bytes().size()));
  append_u32(out, 0x004E4942u);  // "BIN\0"
  out.insert(out.end(), bin.bytes().begin(), bin.bytes().end());
  return out;
}

void save_glb(const std::string& path, const GlbScene& scene) { write_file_bytes(path, glb_bytes(scene)); }

}  // namespace app
}  // namespace ds
