// Image files <-> tensors. Images are [1, C, H, W] float tensors with values in [0, 1]
// (C = 3 for RGB, 1 for grey).
//
// Reading (the decoder is chosen by the file's first bytes, never by its name):
//   PNG   any colour type, 1..16 bits, by libspng; alpha is dropped (not composited).
//   JPEG  baseline, progressive or arithmetic-coded, grey, YCbCr, CMYK or YCCK, by libjpeg-turbo
//         (CMYK as print ink without a colour profile: R = 255 (1 - c)(1 - k), ..., with Adobe's
//         inverted samples when the file has the Adobe APP14 marker, as browsers do). The EXIF
//         orientation tag (APP1, values 2..8, read with libexif) is applied, so the tensor is
//         the picture as a camera's viewer shows it. A truncated or corrupt scan is an error.
//   PNM   binary PGM (P5) and PPM (P6), maxval 1..65535 (2 bytes per sample, big-endian, when
//         maxval > 255), by the project's own reader (tensor/pnm.h). A sample above maxval is an
//         error; bytes after the first image are ignored (Netpbm allows several per file).
// Anything else (GIF, BMP, TGA, TIFF, WebP, ASCII PNM, ...) is an error that lists the accepted
// formats. Before any pixel memory is allocated, the declared width x height is checked
// against a pixel limit (max_image_pixels()), so a small file declaring a huge image
// (a "decompression bomb") is refused with the file name, the declared size and the limit.
//
// Writing, by the output's extension (case-insensitive):
//   .png          8 or 16 bits per sample, by libspng.
//   .jpg .jpeg    8 bits per sample, by libjpeg-turbo, quality 1..100 (default 95), no chroma
//                 subsampling (4:4:4).
// Every file is written through ds::AtomicFile (a temporary beside it, renamed when complete).
// Every failure is a ds::Error naming the file and what was wrong.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace ds {

// The default pixel limit: 2^28 = 268,435,456 pixels (16384 x 16384). Its RGB float tensor
// is 3 GiB, about what a workstation can hold beside the networks; larger images are
// almost surely files built to exhaust memory.
constexpr int64_t kDefaultMaxPixels = int64_t(1) << 28;

// The pixel limit in force: $DEPTHSTYLE_MAX_PIXELS when set (a positive whole number; anything
// else is an error naming the variable), else kDefaultMaxPixels.
int64_t max_image_pixels();

// Throws unless a w x h image is within max_pixels (and both sides are >= 1), naming `path`,
// the declared size and the limit. Overflow-safe for any int64 sides.
void check_pixel_limit(const std::string& path, int64_t w, int64_t h, int64_t max_pixels);

// The file name extensions of the formats above (lower case, with the dot; names match in any
// case). The one list every command uses: a folder of images (`fast DIR`, `stylize DIR`,
// `train --images DIR`) takes exactly the files with these extensions, and the readers' errors
// and every --help name them through image_formats_text(). (The decoder still goes by the
// file's first bytes: a PNG named .jpg reads as a PNG.)
inline constexpr const char* kImageExtensions[] = {".png", ".jpg", ".jpeg", ".pgm", ".ppm"};

// "PNG, JPEG or binary PGM/PPM (.png .jpg .jpeg .pgm .ppm)", for messages and help texts.
std::string image_formats_text();

// True when `path` ends in one of kImageExtensions, in any case ("a.JPG" too).
bool has_image_extension(const std::string& path);

struct ImageReadOptions {
  int64_t max_pixels = 0;  // refuse larger images; 0 = max_image_pixels()
};

// Any accepted file -> [1,3,H,W] in [0,1] (sample / maxval; grey is copied to R, G and B).
Tensor load_image_rgb(const std::string& path, const ImageReadOptions& o = {});

// The (height, width) of the picture load_image_rgb would give, from the file's header alone
// (EXIF orientations 5..8 swap them), for checks before any pixel is decoded. The same errors
// as load_image_rgb for a file that is not an accepted image or has a bad header, or declares
// more than max_image_pixels(); a corrupt scan after a good header is found only by decoding.
std::pair<int64_t, int64_t> image_size(const std::string& path);

// A single-channel image with its raw sample values (0..maxval, e.g. 0..65535 for a 16-bit
// depth PNG in millimetres) -> [1,1,H,W]. Throws unless the file has one channel (grey).
Tensor load_image_raw_gray(const std::string& path, const ImageReadOptions& o = {});

struct ImageWriteOptions {
  int bits = 8;       // 8 or 16 (16 only for .png)
  int quality = 95;   // JPEG quality 1..100; ignored for PNG
};

// Throws unless `path` names a type save_image can write with `bits` per sample (see above),
// e.g. "out.jpg: JPEG holds 8-bit samples only; write 16-bit images as .png", and is not an
// existing folder (check_not_folder). Commands call it
// for each output before doing any work.
void check_image_output(const std::string& path, int bits = 8);

// Writes [1,C,H,W] (C = 1 or 3) in [0,1]; values outside are clamped, NaN is an error. The
// format follows the extension (check_image_output); the file appears only when complete.
void save_image(const std::string& path, const Tensor& image, const ImageWriteOptions& o = {});

// The bytes of a PNG file of `image` ([1,C,H,W], C = 1 or 3, in [0,1], clamped; 8 or 16 bits),
// for containers that embed images (a glTF binary). `what` names it in errors (as save_image's
// path does): NaN, a wrong shape or bit depth.
std::vector<uint8_t> encode_png_bytes(const std::string& what, const Tensor& image, int bits = 8);

}  // namespace ds
