#pragma once
// Heatmaps and frames as QImages for the widgets.

#include "explain/heatmaprender.h"

#include <QImage>
#include <QString>

namespace ood {

QImage toQImage(const RgbImage &image);

/// The heatmap coloured and stretched to `frameSize` (the inverse of the model's stretch resize),
/// with per-pixel alpha: for a diverging map sqrt(|v|/extent) (no relevance = transparent), for
/// an unsigned map opaque. The widget applies the user's opacity on top.
QImage heatmapOverlayImage(const Heatmap &map, QSize frameSize, ColourRange range, ColourMap colours);

/// A heatmap method in words, for people who review frames; the core's method ids
/// ("relevance-cam", "grad-cam", "lrp", ...) and units stay as they are in files and reports for
/// researchers. Context "HeatmapWords".
struct HeatmapWords
{
    QString name;        ///< e.g. "Pixel relevance (LRP)"; the id itself for an unknown method
    QString description; ///< one sentence on what the colours show; empty for an unknown method
    QString unit;        ///< what a value means, in plain words; empty for an unknown method
};
HeatmapWords heatmapWords(const QString &method);

/// A horizontal colour bar for a legend.
QImage colourBarImage(ColourRange range, ColourMap colours, QSize size);

} // namespace ood
