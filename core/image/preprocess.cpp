// The resize follows the algorithm of Pillow 9.4 (libImaging/Resample.c) for 8-bit images with
// the bilinear filter: separable passes (horizontal first), a triangle filter stretched by the
// scale when shrinking (antialiasing), coefficients normalised per output pixel and converted to
// 22-bit fixed point, each pass rounded and clipped to 8 bits. Reproducing those steps exactly is
// what makes the network input bit-identical to torchvision's Resize on a PIL image.

#include "image/preprocess.h"

#include "base/error.h"

#include <torch/torch.h>

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

Coefficients precompute(int inSize, int outSize)
{
    const double scale = static_cast<double>(inSize) / outSize;
    const double filterScale = std::max(scale, 1.0);
    const double support = 1.0 * filterScale; // the bilinear filter's support is 1
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
            weights[static_cast<size_t>(x)] = triangle((x + xmin - center + 0.5) * inverse);
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

RgbImage resizeLikePil(const RgbImage &image, int width, int height)
{
    if (image.isNull())
        throw Error("cannot resize an empty image");
    if (width < 1 || height < 1)
        throw Error("invalid target size " + std::to_string(width) + "x" + std::to_string(height));
    const bool needHorizontal = width != image.width;
    const bool needVertical = height != image.height;
    const Coefficients horizontal = precompute(image.width, width);
    Coefficients vertical = precompute(image.height, height);
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

at::Tensor preprocessImage(const RgbImage &image, const InputSpec &spec)
{
    const RgbImage resized = (image.width == spec.width && image.height == spec.height)
                                 ? image
                                 : resizeLikePil(image, spec.width, spec.height);
    // ToTensor (uint8 -> float32 / 255) then Normalize ((x - mean) / std), in float32 as torchvision.
    const at::Tensor hwc = torch::from_blob(const_cast<uint8_t *>(resized.pixels.data()),
                                            {resized.height, resized.width, 3}, torch::kUInt8);
    const at::Tensor chw = hwc.permute({2, 0, 1}).to(torch::kFloat32).div(255);
    const at::Tensor mean = torch::tensor({spec.mean[0], spec.mean[1], spec.mean[2]}).view({3, 1, 1});
    const at::Tensor std = torch::tensor({spec.std[0], spec.std[1], spec.std[2]}).view({3, 1, 1});
    return chw.sub(mean).div(std).contiguous();
}

} // namespace ood
