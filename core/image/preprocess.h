#pragma once
// From decoded pixels to the network input, as the model card says. The default reproduces
// torchvision's Resize((224,224)) on a PIL image + ToTensor() + Normalize(mean, std).

#include "image/imagedecoder.h"
#include "image/inputspec.h"

#include <ATen/core/Tensor.h>

namespace ood {

/// Resizes like PIL's Image.resize(size, BILINEAR) on an 8-bit RGB image (antialiased when
/// shrinking, fixed-point arithmetic, rounding to 8 bits after each pass): bit-exact with PIL.
RgbImage resizeLikePil(const RgbImage &image, int width, int height);

/// [3,H,W] float32, normalised.
at::Tensor preprocessImage(const RgbImage &image, const InputSpec &spec);

} // namespace ood
