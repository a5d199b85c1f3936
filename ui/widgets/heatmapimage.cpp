#include "widgets/heatmapimage.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ood {

QImage toQImage(const RgbImage &image)
{
    if (image.isNull())
        return {};
    return QImage(image.pixels.data(), image.width, image.height, image.width * 3, QImage::Format_RGB888)
        .copy();
}

QImage heatmapOverlayImage(const Heatmap &map, QSize frameSize, ColourRange range, ColourMap colours)
{
    if (!map.values.defined() || frameSize.isEmpty())
        return {};
    namespace F = torch::nn::functional;
    const at::Tensor resized =
        F::interpolate(map.values.to(torch::kFloat32).unsqueeze(0).unsqueeze(0),
                       F::InterpolateFuncOptions()
                           .size(std::vector<int64_t>{frameSize.height(), frameSize.width()})
                           .mode(torch::kBilinear)
                           .align_corners(false))
            .squeeze(0)
            .squeeze(0)
            .contiguous();
    const RgbImage colour = colourise(resized, range, colours);
    QImage out(frameSize, QImage::Format_ARGB32);
    const float *values = resized.data_ptr<float>();
    for (int y = 0; y < frameSize.height(); ++y) {
        auto *line = reinterpret_cast<QRgb *>(out.scanLine(y));
        for (int x = 0; x < frameSize.width(); ++x) {
            const size_t i = static_cast<size_t>(y) * frameSize.width() + x;
            const int alpha =
                static_cast<int>(std::lround(255 * heatmapPixelOpacity(values[i], range, colours)));
            line[x] = qRgba(colour.pixels[i * 3], colour.pixels[i * 3 + 1], colour.pixels[i * 3 + 2], alpha);
        }
    }
    return out;
}

QImage colourBarImage(ColourRange range, ColourMap colours, QSize size)
{
    QImage bar(size, QImage::Format_RGB32);
    for (int x = 0; x < size.width(); ++x) {
        uint8_t rgb[3];
        const double t = size.width() > 1 ? double(x) / (size.width() - 1) : 0.5;
        colourOf(range.low + t * (range.high - range.low), range, colours, rgb);
        for (int y = 0; y < size.height(); ++y)
            bar.setPixel(x, y, qRgb(rgb[0], rgb[1], rgb[2]));
    }
    return bar;
}

} // namespace ood
