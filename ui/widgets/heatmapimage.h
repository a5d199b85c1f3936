#pragma once
// Heatmaps and frames as QImages for the widgets.

#include "explain/heatmaprender.h"

#include <QImage>

namespace ood {

QImage toQImage(const RgbImage &image);

/// The heatmap coloured and stretched to `frameSize` (the inverse of the model's stretch resize),
/// with per-pixel alpha: for a diverging map sqrt(|v|/extent) (no relevance = transparent), for
/// an unsigned map opaque. The widget applies the user's opacity on top.
QImage heatmapOverlayImage(const Heatmap &map, QSize frameSize, ColourRange range, ColourMap colours);

/// A horizontal colour bar for a legend.
QImage colourBarImage(ColourRange range, ColourMap colours, QSize size);

} // namespace ood
