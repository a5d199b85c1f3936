#include "explain/heatmaprender.h"

#include "base/error.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ood {

namespace {

cv::Mat toMat(const RgbImage &image)
{
    return cv::Mat(image.height, image.width, CV_8UC3, const_cast<uint8_t *>(image.pixels.data()));
}

cv::Mat floatMat(const at::Tensor &values)
{
    if (!values.defined() || values.dim() != 2 || values.numel() == 0)
        throw Error("a heatmap must be a non-empty [H,W] map");
    const at::Tensor v = values.to(torch::kFloat32).contiguous();
    return cv::Mat(static_cast<int>(v.size(0)), static_cast<int>(v.size(1)), CV_32F, v.data_ptr<float>())
        .clone();
}

// Anchor colours, interpolated linearly in RGB. Diverging: a blue-white-red ramp as in
// matplotlib's "bwr"/"RdBu_r" family; Inferno: samples of matplotlib's perceptually uniform map.
struct Anchor
{
    double at;
    double r, g, b;
};
const std::vector<Anchor> &anchors(ColourMap colours)
{
    static const std::vector<Anchor> diverging{
        {0.0, 5, 48, 97}, {0.25, 67, 147, 195}, {0.5, 255, 255, 255}, {0.75, 214, 96, 77}, {1.0, 103, 0, 31}};
    static const std::vector<Anchor> inferno{
        {0.0, 0, 0, 4},        {0.125, 31, 12, 72},   {0.25, 85, 15, 109},
        {0.375, 136, 34, 106}, {0.5, 186, 54, 85},    {0.625, 227, 89, 51},
        {0.75, 249, 140, 10},  {0.875, 249, 201, 50}, {1.0, 252, 255, 164}};
    return colours == ColourMap::Diverging ? diverging : inferno;
}

} // namespace

ColourRange naturalRange(const Heatmap &map)
{
    if (map.isSigned) {
        // Pixel-level relevance is heavy-tailed: a handful of pixels can carry most of it. The
        // 99.5th percentile of |v| keeps those few from washing out every other pixel.
        double extent = std::max(std::abs(map.minimum), std::abs(map.maximum));
        if (map.values.defined() && map.values.numel() > 0) {
            const at::Tensor magnitude = map.values.abs().reshape({-1}).to(torch::kFloat64);
            const auto k = std::max<int64_t>(
                1, static_cast<int64_t>(std::ceil(0.995 * static_cast<double>(magnitude.numel()))));
            const double robust = std::get<0>(magnitude.kthvalue(k)).item<double>();
            if (robust > 0)
                extent = robust;
        }
        return extent > 0 ? ColourRange{-extent, extent} : ColourRange{-1, 1};
    }
    const double low = std::min(0.0, map.minimum);
    return map.maximum > low ? ColourRange{low, map.maximum} : ColourRange{low, low + 1};
}

ColourMap naturalColourMap(const Heatmap &map)
{
    return map.isSigned ? ColourMap::Diverging : ColourMap::Inferno;
}

void colourOf(double value, ColourRange range, ColourMap colours, uint8_t rgb[3])
{
    const double width = range.high - range.low;
    double t = width > 0 ? (value - range.low) / width : 0.5;
    t = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0.5;
    const std::vector<Anchor> &ramp = anchors(colours);
    size_t i = 1;
    while (i + 1 < ramp.size() && ramp[i].at < t)
        ++i;
    const Anchor &a = ramp[i - 1], &b = ramp[i];
    const double f = (t - a.at) / (b.at - a.at);
    rgb[0] = static_cast<uint8_t>(std::lround(a.r + f * (b.r - a.r)));
    rgb[1] = static_cast<uint8_t>(std::lround(a.g + f * (b.g - a.g)));
    rgb[2] = static_cast<uint8_t>(std::lround(a.b + f * (b.b - a.b)));
}

RgbImage colourise(const at::Tensor &values, ColourRange range, ColourMap colours)
{
    const cv::Mat v = floatMat(values);
    RgbImage image;
    image.width = v.cols;
    image.height = v.rows;
    image.pixels.resize(static_cast<size_t>(v.total()) * 3);
    // A 1024-entry table keeps this fast for full frames without visible banding.
    constexpr int kLevels = 1024;
    std::vector<uint8_t> table(kLevels * 3);
    for (int i = 0; i < kLevels; ++i)
        colourOf(range.low + (range.high - range.low) * i / (kLevels - 1), range, colours,
                 &table[static_cast<size_t>(i) * 3]);
    const double width = range.high - range.low;
    for (int y = 0; y < v.rows; ++y) {
        const float *row = v.ptr<float>(y);
        for (int x = 0; x < v.cols; ++x) {
            double t = width > 0 ? (row[x] - range.low) / width : 0.5;
            t = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0.5;
            const auto level = static_cast<size_t>(std::lround(t * (kLevels - 1)));
            std::copy_n(&table[level * 3], 3, &image.pixels[(static_cast<size_t>(y) * v.cols + x) * 3]);
        }
    }
    return image;
}

RgbImage overlayHeatmap(const RgbImage &frame, const Heatmap &map, double opacity, ColourRange range,
                        ColourMap colours)
{
    if (frame.isNull())
        throw Error("cannot overlay a heatmap on an empty frame");
    opacity = std::clamp(opacity, 0.0, 1.0);
    // The model saw the frame stretched to its input size; stretching the map back to the frame
    // is the inverse of that resize.
    cv::Mat values;
    cv::resize(floatMat(map.values), values, cv::Size(frame.width, frame.height), 0, 0, cv::INTER_LINEAR);
    const at::Tensor resized = torch::from_blob(values.data, {values.rows, values.cols}, torch::kFloat32);
    const RgbImage colour = colourise(resized, range, colours);
    RgbImage out = frame;
    for (int y = 0; y < frame.height; ++y) {
        const float *row = values.ptr<float>(y);
        for (int x = 0; x < frame.width; ++x) {
            const double alpha = opacity * heatmapPixelOpacity(row[x], range, colours);
            const size_t at = (static_cast<size_t>(y) * frame.width + x) * 3;
            for (int c = 0; c < 3; ++c)
                out.pixels[at + c] = static_cast<uint8_t>(
                    std::lround((1 - alpha) * frame.pixels[at + c] + alpha * colour.pixels[at + c]));
        }
    }
    return out;
}

QByteArray encodePng(const RgbImage &image)
{
    if (image.isNull())
        throw Error("cannot write an empty image as PNG");
    cv::Mat bgr;
    cv::cvtColor(toMat(image), bgr, cv::COLOR_RGB2BGR);
    std::vector<uchar> bytes;
    if (!cv::imencode(".png", bgr, bytes))
        throw Error("PNG encoding failed");
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), static_cast<qsizetype>(bytes.size()));
}

QByteArray encodeFloatTiff(const at::Tensor &values)
{
    std::vector<uchar> bytes;
    if (!cv::imencode(".tiff", floatMat(values), bytes))
        throw Error("TIFF encoding failed");
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), static_cast<qsizetype>(bytes.size()));
}

} // namespace ood

#include "explain/landscape.h"

namespace ood {

RgbImage landscapePicture(const ScoreLandscape &landscape, int cellPixels)
{
    if (!landscape.scores.defined() || landscape.scores.dim() != 2 || landscape.scores.numel() == 0)
        throw Error("the landscape has no scores to draw");
    cellPixels = std::clamp(cellPixels, 1, 64);
    const at::Tensor scores = landscape.scores.to(torch::kFloat64);
    const ColourRange range{scores.min().item<double>(), scores.max().item<double>()};
    // Rows of the picture run along b (second direction, upwards), columns along a.
    const at::Tensor grid = scores.t().flip({0}).contiguous();
    const RgbImage cells = colourise(grid, range, ColourMap::Inferno);
    cv::Mat body;
    cv::resize(toMat(cells), body, cv::Size(cells.width * cellPixels, cells.height * cellPixels), 0, 0,
               cv::INTER_NEAREST);
    const int barWidth = std::max(8, cellPixels), gap = std::max(4, cellPixels / 2);
    cv::Mat canvas(body.rows, body.cols + gap + barWidth, CV_8UC3, cv::Scalar(255, 255, 255));
    body.copyTo(canvas(cv::Rect(0, 0, body.cols, body.rows)));
    for (int y = 0; y < body.rows; ++y) {
        uint8_t rgb[3];
        const double t = body.rows > 1 ? 1.0 - static_cast<double>(y) / (body.rows - 1) : 0.5;
        colourOf(range.low + t * (range.high - range.low), range, ColourMap::Inferno, rgb);
        cv::line(canvas, {body.cols + gap, y}, {body.cols + gap + barWidth - 1, y},
                 cv::Scalar(rgb[0], rgb[1], rgb[2]));
    }
    const int centre = (cells.width / 2) * cellPixels + cellPixels / 2;
    cv::drawMarker(canvas, {centre, centre}, cv::Scalar(0, 255, 255), cv::MARKER_CROSS,
                   std::max(6, cellPixels), std::max(1, cellPixels / 8));
    RgbImage picture;
    picture.width = canvas.cols;
    picture.height = canvas.rows;
    picture.pixels.assign(canvas.data, canvas.data + canvas.total() * 3);
    return picture;
}

} // namespace ood
