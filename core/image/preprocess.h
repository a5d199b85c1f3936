#pragma once
// From decoded pixels to the network input, as the model card says. The default reproduces
// torchvision's Resize((224,224)) on a PIL image + ToTensor() + Normalize(mean, std); CLIP's
// policy its Resize(224, BICUBIC) + CenterCrop(224) + ToTensor() + Normalize(mean, std).

#include "image/imagedecoder.h"
#include "image/inputspec.h"

#include <ATen/core/Tensor.h>

#include <utility>

namespace ood {

/// PIL's resampling filters that the preprocessing reproduces.
enum class PilFilter {
    Bilinear, ///< Image.BILINEAR: triangle, support 1
    Bicubic,  ///< Image.BICUBIC: cubic convolution a = -0.5, support 2
};

/// Resizes like PIL's Image.resize(size, filter) on an 8-bit RGB image (antialiased when
/// shrinking, fixed-point arithmetic, rounding to 8 bits after each pass): bit-exact with PIL.
RgbImage resizeLikePil(const RgbImage &image, int width, int height, PilFilter filter = PilFilter::Bilinear);

/// The size torchvision's Resize(size) (an int) gives a width x height image: the short side
/// becomes `size`, the long side int(size * long / short). Returned as {width, height}.
std::pair<int, int> shortSideResizedSize(int width, int height, int size);

/// Where torchvision's CenterCrop starts a crop of `outSize` in `inSize` pixels:
/// int(round((inSize - outSize) / 2.0)) with Python's round (halves to even). outSize <= inSize.
int centerCropOffset(int inSize, int outSize);

/// The width x height pixels of `image` from (left, top); the rectangle must lie inside.
RgbImage cropImage(const RgbImage &image, int left, int top, int width, int height);

/// [3,H,W] float32, normalised.
at::Tensor preprocessImage(const RgbImage &image, const InputSpec &spec);

} // namespace ood
