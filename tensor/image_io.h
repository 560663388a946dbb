// Image files <-> tensors. Images are [1, C, H, W] float tensors with values in [0, 1]
// (C = 3 for RGB, 1 for grey). Reading: PNG (8/16-bit), JPEG, PPM/PGM, BMP, TGA via stb_image.
// Writing: PNG, 8 or 16 bits per sample, by our own small encoder (zlib for the deflate).
// Every failure is a ds::Error naming the file and what was wrong.
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace ds {

Tensor load_image_rgb(const std::string& path);  // any supported file -> [1,3,H,W] in [0,1]

// Reads a single-channel image with its raw sample values (0..255 or 0..65535), e.g. a depth
// PNG in millimetres -> [1,1,H,W]. Throws unless the file has exactly one channel.
Tensor load_image_raw_gray(const std::string& path);

// Writes [1,C,H,W] (C = 1 or 3) in [0,1] as PNG; values outside are clamped; NaN is an error.
void save_png(const std::string& path, const Tensor& image, int bits = 8);

}  // namespace ds
