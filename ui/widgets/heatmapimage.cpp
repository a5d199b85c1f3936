#include "widgets/heatmapimage.h"

#include <QCoreApplication>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ood {

namespace {

struct MethodWords
{
    const char *id;
    const char *name;
    const char *description;
    const char *unit;
};

// The technical name stays in brackets: it is what the documentation and the literature call the
// method, and what a colleague in the field will ask about.
const MethodWords kMethodWords[] = {
    {"relevance-cam", QT_TRANSLATE_NOOP("HeatmapWords", "Decision regions (NERO)"),
     QT_TRANSLATE_NOOP("HeatmapWords",
                       "Where in the frame the neurons that drove the decision respond: red for the "
                       "predicted class, blue against it. Coarse, one value per image region."),
     QT_TRANSLATE_NOOP("HeatmapWords", "relevance per region")},
    {"deviation-cam", QT_TRANSLATE_NOOP("HeatmapWords", "Unusual regions (NERO deviation)"),
     QT_TRANSLATE_NOOP("HeatmapWords",
                       "Where the frame's neuron pattern differs most from normal frames of the "
                       "class it resembles: red where it has more, blue where it has less."),
     QT_TRANSLATE_NOOP("HeatmapWords", "difference from the class's usual relevance, per region")},
    {"least-relevant-cam", QT_TRANSLATE_NOOP("HeatmapWords", "Least relevant neurons (NERO)"),
     QT_TRANSLATE_NOOP("HeatmapWords", "Where the neurons that mattered least for the decision respond."),
     QT_TRANSLATE_NOOP("HeatmapWords", "relevance per region")},
    {"grad-cam", QT_TRANSLATE_NOOP("HeatmapWords", "Class activation (Grad-CAM)"),
     QT_TRANSLATE_NOOP("HeatmapWords",
                       "Regions that raise the model's answer for the predicted class. Coarse, one "
                       "value per image region."),
     QT_TRANSLATE_NOOP("HeatmapWords", "class score per region")},
    {"lrp", QT_TRANSLATE_NOOP("HeatmapWords", "Pixel relevance (LRP)"),
     QT_TRANSLATE_NOOP("HeatmapWords",
                       "How much each pixel adds to the predicted class (red) or takes from it "
                       "(blue), traced back through the network layer by layer."),
     QT_TRANSLATE_NOOP("HeatmapWords", "share of the class score per pixel")},
    {"saliency", QT_TRANSLATE_NOOP("HeatmapWords", "Sensitive pixels (saliency)"),
     QT_TRANSLATE_NOOP("HeatmapWords", "Pixels where a small change would change the model's answer for the "
                                       "predicted class most."),
     QT_TRANSLATE_NOOP("HeatmapWords", "sensitivity per pixel")},
};

} // namespace

HeatmapWords heatmapWords(const QString &method)
{
    for (const MethodWords &words : kMethodWords)
        if (method == QLatin1String(words.id))
            return {QCoreApplication::translate("HeatmapWords", words.name),
                    QCoreApplication::translate("HeatmapWords", words.description),
                    QCoreApplication::translate("HeatmapWords", words.unit)};
    return {method, QString(), QString()};
}

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
