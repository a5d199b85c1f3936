// The resize follows the algorithm of Pillow 9.4 (libImaging/Resample.c) for 8-bit images with
// the bilinear and bicubic filters: separable passes (horizontal first), the filter stretched by
// the scale when shrinking (antialiasing), coefficients normalised per output pixel and converted
// to 22-bit fixed point, each pass rounded and clipped to 8 bits. Reproducing those steps exactly
// is what makes the network input bit-identical to torchvision's Resize on a PIL image.

#include "image/preprocess.h"

#include "base/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ood {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

struct Coefficients
{
    int kernelSize = 0;
    std::vector<int> bounds;    ///< per output pixel: first input index, number of taps
    std::vector<int32_t> fixed; ///< outSize * kernelSize fixed-point weights
};

double triangle(double x)
{
    x = std::abs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

/// Pillow's bicubic_filter: Keys' cubic convolution with a = -0.5, written as Pillow evaluates it
/// (the operation order matters for bit-exact coefficients).
double cubic(double x)
{
    constexpr double a = -0.5;
    if (x < 0.0)
        x = -x;
    if (x < 1.0)
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0)
        return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

Coefficients precompute(int inSize, int outSize, PilFilter filter)
{
    double (*const kernel)(double) = filter == PilFilter::Bicubic ? cubic : triangle;
    const double filterSupport = filter == PilFilter::Bicubic ? 2.0 : 1.0;
    const double scale = static_cast<double>(inSize) / outSize;
    const double filterScale = std::max(scale, 1.0);
    const double support = filterSupport * filterScale;
    Coefficients c;
    c.kernelSize = static_cast<int>(std::ceil(support)) * 2 + 1;
    c.bounds.resize(static_cast<size_t>(outSize) * 2);
    c.fixed.assign(static_cast<size_t>(outSize) * static_cast<size_t>(c.kernelSize), 0);
    std::vector<double> weights(static_cast<size_t>(c.kernelSize));
    for (int xx = 0; xx < outSize; ++xx) {
        const double center = (xx + 0.5) * scale;
        const double inverse = 1.0 / filterScale;
        int xmin = static_cast<int>(center - support + 0.5);
        if (xmin < 0)
            xmin = 0;
        int xmax = static_cast<int>(center + support + 0.5);
        if (xmax > inSize)
            xmax = inSize;
        xmax -= xmin;
        double total = 0;
        for (int x = 0; x < xmax; ++x) {
            weights[static_cast<size_t>(x)] = kernel((x + xmin - center + 0.5) * inverse);
            total += weights[static_cast<size_t>(x)];
        }
        for (int x = 0; x < xmax; ++x) {
            const double w =
                total != 0.0 ? weights[static_cast<size_t>(x)] / total : weights[static_cast<size_t>(x)];
            c.fixed[static_cast<size_t>(xx) * static_cast<size_t>(c.kernelSize) + static_cast<size_t>(x)] =
                w < 0 ? static_cast<int32_t>(-0.5 + w * (1 << kPrecisionBits))
                      : static_cast<int32_t>(0.5 + w * (1 << kPrecisionBits));
        }
        c.bounds[static_cast<size_t>(xx) * 2] = xmin;
        c.bounds[static_cast<size_t>(xx) * 2 + 1] = xmax;
    }
    return c;
}

uint8_t clip8(int64_t accumulator)
{
    if (accumulator >= (int64_t(255) << kPrecisionBits))
        return 255;
    if (accumulator <= 0)
        return 0;
    return static_cast<uint8_t>(accumulator >> kPrecisionBits);
}

/// One pass along rows (`horizontal`) or columns of an interleaved RGB image.
RgbImage resamplePass(const RgbImage &in, int outWidth, int outHeight, int rowOffset, const Coefficients &c,
                      bool horizontal)
{
    RgbImage out;
    out.width = outWidth;
    out.height = outHeight;
    out.pixels.resize(static_cast<size_t>(outWidth) * static_cast<size_t>(outHeight) * 3);
    const size_t inStride = static_cast<size_t>(in.width) * 3;
    for (int y = 0; y < outHeight; ++y) {
        for (int x = 0; x < outWidth; ++x) {
            const int o = horizontal ? x : y;
            const int first = c.bounds[static_cast<size_t>(o) * 2];
            const int taps = c.bounds[static_cast<size_t>(o) * 2 + 1];
            const int32_t *k = &c.fixed[static_cast<size_t>(o) * static_cast<size_t>(c.kernelSize)];
            int64_t sum[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1),
                              1 << (kPrecisionBits - 1)};
            for (int t = 0; t < taps; ++t) {
                const size_t offset =
                    horizontal
                        ? static_cast<size_t>(y + rowOffset) * inStride + static_cast<size_t>(first + t) * 3
                        : static_cast<size_t>(first + t) * inStride + static_cast<size_t>(x) * 3;
                for (int ch = 0; ch < 3; ++ch)
                    sum[ch] += static_cast<int64_t>(in.pixels[offset + static_cast<size_t>(ch)]) * k[t];
            }
            uint8_t *p = &out.pixels[(static_cast<size_t>(y) * static_cast<size_t>(outWidth) +
                                      static_cast<size_t>(x)) *
                                     3];
            for (int ch = 0; ch < 3; ++ch)
                p[ch] = clip8(sum[ch]);
        }
    }
    return out;
}

} // namespace

RgbImage resizeLikePil(const RgbImage &image, int width, int height, PilFilter filter)
{
    if (image.isNull())
        throw Error("cannot resize an empty image");
    if (width < 1 || height < 1)
        throw Error("invalid target size " + std::to_string(width) + "x" + std::to_string(height));
    const bool needHorizontal = width != image.width;
    const bool needVertical = height != image.height;
    const Coefficients horizontal = precompute(image.width, width, filter);
    Coefficients vertical = precompute(image.height, height, filter);
    // Only the input rows the vertical pass reads go through the horizontal pass.
    const int firstRow = vertical.bounds[0];
    const int lastRow = vertical.bounds[static_cast<size_t>(height) * 2 - 2] +
                        vertical.bounds[static_cast<size_t>(height) * 2 - 1];
    RgbImage current = image;
    if (needHorizontal) {
        for (int i = 0; i < height; ++i)
            vertical.bounds[static_cast<size_t>(i) * 2] -= firstRow;
        current = resamplePass(image, width, lastRow - firstRow, firstRow, horizontal, true);
    }
    if (needVertical)
        current = resamplePass(current, width, height, 0, vertical, false);
    return current;
}

std::pair<int, int> shortSideResizedSize(int width, int height, int size)
{
    if (width < 1 || height < 1 || size < 1)
        throw Error("invalid sizes for a short-side resize: " + std::to_string(width) + "x" +
                    std::to_string(height) + " to " + std::to_string(size));
    const bool portrait = width <= height;
    const int64_t shortSide = portrait ? width : height, longSide = portrait ? height : width;
    // Python's int(size * long / short): the product is exact, then one double division, truncated.
    const int newLong =
        static_cast<int>(static_cast<double>(int64_t(size) * longSide) / static_cast<double>(shortSide));
    return portrait ? std::make_pair(size, newLong) : std::make_pair(newLong, size);
}

int centerCropOffset(int inSize, int outSize)
{
    if (outSize < 1 || outSize > inSize)
        throw Error("cannot centre-crop " + std::to_string(outSize) + " pixels out of " +
                    std::to_string(inSize));
    const int difference = inSize - outSize;
    const int half = difference / 2;
    // An odd difference puts the centre at half + 0.5, which Python's round takes to the even neighbour.
    if (difference % 2 == 0)
        return half;
    return half % 2 == 0 ? half : half + 1;
}

RgbImage cropImage(const RgbImage &image, int left, int top, int width, int height)
{
    if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > image.width ||
        top + height > image.height)
        throw Error("crop " + std::to_string(width) + "x" + std::to_string(height) + " at (" +
                    std::to_string(left) + "," + std::to_string(top) + ") lies outside the " +
                    std::to_string(image.width) + "x" + std::to_string(image.height) + " image");
    RgbImage out;
    out.width = width;
    out.height = height;
    out.pixels.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
    const size_t rowBytes = static_cast<size_t>(width) * 3;
    for (int y = 0; y < height; ++y)
        std::copy_n(&image.pixels[(static_cast<size_t>(top + y) * static_cast<size_t>(image.width) +
                                   static_cast<size_t>(left)) *
                                  3],
                    rowBytes, &out.pixels[static_cast<size_t>(y) * rowBytes]);
    return out;
}

namespace {

RgbImage shortSideBicubicCenterCrop(const RgbImage &image, const InputSpec &spec)
{
    if (spec.width != spec.height)
        throw Error("the short-side resize with centre crop needs a square input, not " +
                    std::to_string(spec.width) + "x" + std::to_string(spec.height));
    if (image.isNull())
        throw Error("cannot resize an empty image");
    const auto [width, height] = shortSideResizedSize(image.width, image.height, spec.width);
    // torchvision returns the image untouched when it already has the target size.
    const RgbImage resized = (width == image.width && height == image.height)
                                 ? image
                                 : resizeLikePil(image, width, height, PilFilter::Bicubic);
    return cropImage(resized, centerCropOffset(width, spec.width), centerCropOffset(height, spec.height),
                     spec.width, spec.height);
}

} // namespace

at::Tensor preprocessImage(const RgbImage &image, const InputSpec &spec)
{
    RgbImage resized;
    switch (spec.resize) {
    case ResizePolicy::ShortSideBicubicCenterCrop:
        resized = shortSideBicubicCenterCrop(image, spec);
        break;
    case ResizePolicy::Stretch:
        resized = (image.width == spec.width && image.height == spec.height)
                      ? image
                      : resizeLikePil(image, spec.width, spec.height);
        break;
    }
    // ToTensor (uint8 -> float32 / 255) then Normalize ((x - mean) / std), in float32 as torchvision.
    const at::Tensor hwc = torch::from_blob(const_cast<uint8_t *>(resized.pixels.data()),
                                            {resized.height, resized.width, 3}, torch::kUInt8);
    const at::Tensor chw = hwc.permute({2, 0, 1}).to(torch::kFloat32).div(255);
    const at::Tensor mean = torch::tensor({spec.mean[0], spec.mean[1], spec.mean[2]}).view({3, 1, 1});
    const at::Tensor std = torch::tensor({spec.std[0], spec.std[1], spec.std[2]}).view({3, 1, 1});
    return chw.sub(mean).div(std).contiguous();
}

} // namespace ood
